"""Checked XML access and the orbit builder shared by the Sentinel-1 readers: the product
annotation, calibration and noise XML (:mod:`isce.sensors.sentinel1`,
:mod:`isce.sensors.sentinel1_calibration`) and ESA's ``.EOF`` orbit files
(:mod:`isce.sensors.sentinel1_eof`).

Every missing, empty or malformed element is an :class:`~isce.framework.InputError` naming
the file (and archive member) and the element's path. State vectors become an Orbit
interpolated with Legendre polynomials of the positions (:data:`ORBIT_INTERPOLATION`): the
annotation's and the EOF files' velocities are not the time derivative of their positions to
the cm/s (see :mod:`isce.sensors.sentinel1`).
"""
from __future__ import annotations

import numpy as np
from lxml import etree

from isce.core.orbit import Orbit
from isce.core.time import DateTime
from isce.framework.errors import InputError

__all__ = ["parse_xml", "Annotation", "make_orbit", "ORBIT_INTERPOLATION"]

#: how the annotation's (and EOF) state vectors are interpolated (see the module docstring)
ORBIT_INTERPOLATION = "legendre"


def parse_xml(data: bytes, where: str, hint: str = "") -> "Annotation":
    """``data`` parsed as XML (no entities, no network); InputError naming ``where`` and
    the parser's line when it is broken (``hint``, e.g. " (truncated orbit file?)", follows
    "not well-formed XML")."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False,
                                                             no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not well-formed XML{hint}: {exc}") from None
    return Annotation(root, where)


class Annotation:
    """Checked access to an XML tree: every missing or malformed element is an InputError
    naming the file and the element path."""

    def __init__(self, root, where: str):
        self.root, self.where = root, where

    def _node(self, path: str, node=None):
        found = (self.root if node is None else node).find(path)
        if found is None:
            raise InputError(f"{self.where}: missing XML element {self._name(path, node)}")
        return found

    def _name(self, path, node=None) -> str:
        base = self.root.getroottree().getpath(node) if node is not None else f"/{self.root.tag}"
        return f"{base}/{path}"

    def nodes(self, path: str, node=None) -> list:
        return (self.root if node is None else node).findall(path)

    def has(self, path: str, node=None) -> bool:
        return (self.root if node is None else node).find(path) is not None

    def text(self, path: str, node=None) -> str:
        value = (self._node(path, node).text or "").strip()
        if not value:
            raise InputError(f"{self.where}: XML element {self._name(path, node)} is empty")
        return value

    def float(self, path: str, node=None, *, positive=False) -> float:
        text = self.text(path, node)
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or (positive and value <= 0):
            want = "a positive number" if positive else "a finite number"
            raise InputError(f"{self.where}: XML element {self._name(path, node)} = {text!r} "
                             f"is not {want}")
        return value

    def int(self, path: str, node=None, *, minimum=None) -> int:
        text = self.text(path, node)
        try:
            value = int(text)
        except ValueError:
            raise InputError(f"{self.where}: XML element {self._name(path, node)} = {text!r} "
                             "is not an integer") from None
        if minimum is not None and value < minimum:
            raise InputError(f"{self.where}: XML element {self._name(path, node)} = {value} "
                             f"is below {minimum}")
        return value

    def time(self, path: str, node=None) -> DateTime:
        text = self.text(path, node)
        try:
            return DateTime(text)
        except (ValueError, TypeError):
            raise InputError(f"{self.where}: XML element {self._name(path, node)} = {text!r} "
                             "is not a UTC date-time") from None

    def floats(self, path: str, node=None) -> np.ndarray:
        """A space-separated list of numbers; its ``count`` attribute is checked when given."""
        element = self._node(path, node)
        try:
            values = np.array([float(v) for v in (element.text or "").split()])
        except ValueError:
            raise InputError(f"{self.where}: XML element {self._name(path, node)} holds a "
                             "non-number") from None
        count = element.get("count")
        if values.size == 0 or not np.all(np.isfinite(values)) or \
                (count is not None and count.strip() != str(values.size)):
            raise InputError(f"{self.where}: XML element {self._name(path, node)} holds "
                             f"{values.size} finite numbers, its count says {count}")
        return values




def make_orbit(t, pos, vel, epoch: DateTime, where: str, method: str = ORBIT_INTERPOLATION) -> Orbit:
    """An Orbit of state vectors interpolated by ``method`` (S1: Legendre); InputError naming
    ``where``."""
    try:
        return Orbit(t, pos, vel, epoch.to_datetime64(), interp_method=method)
    except ValueError as exc:
        raise InputError(f"{where}: invalid orbit state vectors: {exc}") from None


def annotation_orbit(ann: "Annotation", path: str, epoch: DateTime, tags: tuple, where: str,
                     method: str = ORBIT_INTERPOLATION) -> Orbit:
    """The state vectors of the annotation nodes at ``path``: ``tags`` = (time tag, position
    tag and velocity tag with ``{}`` for the axis, the axes' letters), e.g. S1's
    ``("time", "position/{}", "velocity/{}", "xyz")``; times [s] since ``epoch``."""
    time_tag, pos_tag, vel_tag, axes = tags
    t, pos, vel = [], [], []
    for node in ann.nodes(path):
        t.append(ann.time(time_tag, node).seconds_since(epoch))
        pos.append([ann.float(pos_tag.format(c), node) for c in axes])
        vel.append([ann.float(vel_tag.format(c), node) for c in axes])
    return make_orbit(t, pos, vel, epoch, where, method)
