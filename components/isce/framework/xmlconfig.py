"""ISCE-style XML configuration files and ``a.b.c=value`` command-line settings.

A file is parsed into a tree of ``ConfigNode`` (components) holding
``Setting`` (properties, still as text, with the file and line they came
from). Grammar: the root tag is free; ``<component name=…>`` nests;
``<property>`` takes its value as text, as a ``value=`` attribute or as a
``<value>`` child (its name as ``name=`` or a ``<name>`` child);
``<catalog>file.xml</catalog>`` inlines the children of another file's root,
resolved relative to the including file; ``<constant name="d">…</constant>``
defines ``$d$`` for its component and everything inside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigurationError
from .names import normalize

COMMAND_LINE = "command line"
_CONSTANT_REF = re.compile(r"\$([^$]+)\$")
# ISCE tags that carry no setting for us; accepted and ignored.
_IGNORED_TAGS = {"doc", "units", "description", "factorymodule", "factoryname",
                 "parserfactory", "filetype", "name"}


@dataclass
class Setting:
    """One property value as written, with where it came from."""

    name: str
    text: str
    source: str
    line: int | None = None
    base_dir: str | None = None

    def error(self, message: str, path: str | None = None) -> ConfigurationError:
        return ConfigurationError(message, source=self.source, line=self.line, path=path)


@dataclass
class ConfigNode:
    """The settings of one component: properties and nested components (normalised keys)."""

    name: str = ""
    source: str | None = None
    line: int | None = None
    properties: dict[str, Setting] = field(default_factory=dict)
    components: dict[str, "ConfigNode"] = field(default_factory=dict)

    def child(self, name: str, source: str | None = None, line: int | None = None) -> "ConfigNode":
        key = normalize(name)
        node = self.components.get(key)
        if node is None:
            node = self.components[key] = ConfigNode(name=name, source=source, line=line)
        return node



def _substitute(text: str, constants: dict[str, str], source: str, line: int | None) -> str:
    def replace(match):
        key = normalize(match.group(1))
        if key not in constants:
            raise ConfigurationError(f"undefined constant ${match.group(1)}$", source=source, line=line)
        return constants[key]
    return _CONSTANT_REF.sub(replace, text)


def _children(element):
    return [c for c in element if isinstance(c.tag, str)]


def _tag(element) -> str:
    return element.tag.split("}")[-1].lower()


def _named_text(element, what: str, source: str) -> tuple[str, str]:
    """Name and text of a ``<property>`` or ``<constant>`` in any of ISCE's forms."""
    line = element.sourceline
    children = {_tag(c): c for c in _children(element)}
    name = element.get("name")
    if name is None and "name" in children:
        name = (children["name"].text or "").strip()
    if not name:
        raise ConfigurationError(f"<{what}> without a name", source=source, line=line)
    forms = []
    if element.get("value") is not None:
        forms.append(element.get("value"))
    if "value" in children:
        forms.append(children["value"].text or "")
    if (element.text or "").strip():
        forms.append(element.text)
    if len(forms) > 1:
        raise ConfigurationError(f"<{what} name={name!r}> gives its value more than once",
                                 source=source, line=line)
    if len([c for c in _children(element) if _tag(c) == "value"]) > 1:
        raise ConfigurationError(f"<{what} name={name!r}> has more than one <value>",
                                 source=source, line=line)
    return name.strip(), (forms[0] if forms else "").strip()  # an empty element is an empty value


def _parse_body(element, node: ConfigNode, constants: dict[str, str], path: Path,
                chain: tuple[Path, ...]) -> None:
    source = str(path)
    scope = dict(constants)  # constants defined here are visible here and below, never above
    for child in _children(element):
        tag, line = _tag(child), child.sourceline
        if tag == "constant":
            name, text = _named_text(child, "constant", source)
            scope[normalize(name)] = _substitute(text, scope, source, line)
        elif tag == "property":
            name, text = _named_text(child, "property", source)
            node.properties[normalize(name)] = Setting(
                name, _substitute(text, scope, source, line), source, line, str(path.parent))
        elif tag == "component":
            name = child.get("name")
            if not name:
                raise ConfigurationError("<component> without a name attribute", source=source, line=line)
            _parse_body(child, node.child(name.strip(), source, line), scope, path, chain)
        elif tag == "catalog":
            text = _substitute((child.text or "").strip(), scope, source, line)
            if not text:
                raise ConfigurationError("<catalog> names no file", source=source, line=line)
            target = Path(text).expanduser()
            if not target.is_absolute():
                target = path.parent / target
            root = _load(target, source, line, chain)
            _parse_body(root, node, scope, target.resolve(), chain + (target.resolve(),))
        elif tag not in _IGNORED_TAGS:
            raise ConfigurationError(
                f"unknown tag <{child.tag}> (expected component, property, catalog or constant)",
                source=source, line=line)


def _load(path: Path, included_from: str | None = None, line: int | None = None,
          chain: tuple[Path, ...] = ()):
    """Parse an XML file into its root element, with errors naming file and line."""
    from lxml import etree  # imported here: the framework must stay cheap to import

    resolved = path.resolve()
    if resolved in chain:
        raise ConfigurationError(f"catalog {path} includes itself", source=included_from, line=line)
    if not path.is_file():
        what = "catalog file" if included_from else "configuration file"
        problem = "is not a file" if path.exists() else "not found"
        raise ConfigurationError(f"{what} {path} {problem}", source=included_from, line=line)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                             remove_pis=True, huge_tree=False)
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        message = exc.msg or str(exc)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise ConfigurationError(f"malformed XML: {message}", source=str(path),
                                 line=exc.lineno) from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def parse_file(path) -> ConfigNode:
    """Parse a configuration file; the root element's children form the returned node."""
    path = Path(path)
    root = _load(path)
    node = ConfigNode(name=_tag(root), source=str(path), line=root.sourceline)
    resolved = path.resolve()
    _parse_body(root, node, {}, resolved, (resolved,))
    return node


def parse_assignment(token: str) -> ConfigNode:
    """``a.b.c=value`` → a tree rooted above ``a`` holding one command-line Setting."""
    name, sep, value = token.partition("=")
    parts = [p.strip() for p in name.split(".")]
    if not sep or len(parts) < 2 or not all(parts):
        raise ConfigurationError(
            f"cannot read {token!r}: expected <application>.<property>=<value> "
            "or <application>.<component>.<property>=<value>", source=COMMAND_LINE)
    root = ConfigNode(source=COMMAND_LINE)
    node = root
    for part in parts[:-1]:
        node = node.child(part, COMMAND_LINE)
    node.properties[normalize(parts[-1])] = Setting(parts[-1], value.strip(), COMMAND_LINE, None, None)
    return root
