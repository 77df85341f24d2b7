"""Small serialisation helpers shared by the metadata classes (internal).

XML form (ISCE style)::

    <component name="radargrid">
        <property name="starting range">
            <value>826988.6900674499</value>
        </property>
        ...
    </component>

Reading also accepts ``<property name="x" value="..."/>`` and
``<property name="x">text</property>``. Values are text; the classes convert
them. Names compare case-, whitespace- and underscore-insensitively.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

_NORM_RE = re.compile(r"[\s_]+")


def normalise_key(key: str) -> str:
    """``'Starting Range'`` / ``'starting_range'`` -> ``'startingrange'``."""
    return _NORM_RE.sub("", str(key)).lower()


def normalise_keys(d: dict) -> dict:
    """Copy of ``d`` with every key passed through :func:`normalise_key`."""
    return {normalise_key(k): v for k, v in d.items()}


def require(d: dict, key: str, where: str):
    """``d[normalise_key(key)]`` or a ``KeyError`` naming the object and the key."""
    k = normalise_key(key)
    if k not in d:
        raise KeyError(f"{where}: missing property {key!r}")
    return d[k]


def to_xml(name: str, props: dict) -> str:
    """Render a flat ``{name: text}`` dict as an ISCE ``<component>`` XML string."""
    comp = ET.Element("component", name=name)
    for key, value in props.items():
        prop = ET.SubElement(comp, "property", name=key)
        ET.SubElement(prop, "value").text = str(value)
    ET.indent(comp, space="    ")
    return ET.tostring(comp, encoding="unicode") + "\n"


def from_xml(text: str) -> dict:
    """Parse the output of :func:`to_xml` (or any ``<component>``) to a flat dict.

    Only the first-level ``<property>`` elements of the root are read.
    """
    root = ET.fromstring(text)
    out = {}
    for prop in root.findall("property"):
        key = prop.get("name")
        if key is None:
            raise ValueError("XML <property> without a name attribute")
        if prop.get("value") is not None:
            val = prop.get("value")
        else:
            child = prop.find("value")
            val = child.text if child is not None else prop.text
        out[key] = (val or "").strip()
    return out


def list_to_text(values) -> str:
    """JSON text of a (nested) list of numbers, exact for floats."""
    return json.dumps(values)


def text_to_list(text: str):
    """Inverse of :func:`list_to_text`."""
    return json.loads(text)


class XmlMixin:
    """Adds ``to_xml()`` / ``from_xml()`` on top of ``to_xml_dict`` / ``from_xml_dict``."""

    __slots__ = ()
    _xml_name = None

    def to_xml(self, name: str | None = None) -> str:
        """ISCE-style ``<component name=...>`` XML text of :meth:`to_xml_dict`."""
        return to_xml(name or self._xml_name or type(self).__name__.lower(), self.to_xml_dict())

    @classmethod
    def from_xml(cls, text: str):
        """Inverse of :meth:`to_xml`."""
        return cls.from_xml_dict(from_xml(text))
