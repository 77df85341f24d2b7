"""Readers of NISAR ancillary XML files: orbit ephemeris and radar pointing (attitude).

Orbit (NISAR Orbit Ephemeris Product SIS, JPL D-102253)::

    <orbitEphemeris>
      <productInformation> ... <productType>FOE</productType> ... </productInformation>
      <orbitStateVectorList count="N">
        <orbitStateVector index="1">
          <utc>2015-12-10T20:59:43.000000</utc> <x>..</x> <y>..</y> <z>..</z>
          <vx>..</vx> <vy>..</vy> <vz>..</vz> ...

Attitude::

    <radarPointing>
      <productInformation> ... </productInformation>
      <LSAR>
        <radarPointingStateVectorList count="N">
          <radarPointingStateVector index="1">
            <utc>..</utc> ... <q0>w</q0> <q1>x</q1> <q2>y</q2> <q3>z</q3>

Positions are ECEF [m], velocities [m/s]; the quaternion order is (w, x, y, z).
The reference epoch of the result defaults to the time of the first record
(as ISCE3's ``load_orbit_from_xml``/``load_attitude_from_xml``). Anything
malformed (not XML, missing elements, bad numbers or dates, a record count
that disagrees with the ``count`` attribute, times not increasing) raises an
:class:`~isce.framework.InputError` naming the file and the record.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np

from isce.core.orbit import Orbit
from isce.core.time import DateTime, parse_datetime
from isce.framework.errors import InputError
from isce.framework.files import require_input_file

from .attitude import Attitude

__all__ = ["OrbitEphemeris", "parse_orbit_xml", "read_orbit_xml", "read_attitude_xml", "Attitude"]


@dataclass(frozen=True, eq=False)
class OrbitEphemeris:
    """An orbit XML file: the :class:`Orbit` plus what the file says about it."""

    orbit: Orbit
    orbit_type: str               # productInformation/productType, e.g. "FOE", "MOE", "POE"
    mission: str = ""
    product_name: str = ""
    validity_start: DateTime | None = None
    validity_end: DateTime | None = None
    path: str = ""

    @property
    def reference_epoch(self) -> DateTime:
        return DateTime(self.orbit.reference_epoch)


def _load(path, what: str) -> ET.Element:
    path = require_input_file(path, what)
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, col = exc.position
        raise InputError(f"{path}: not well-formed XML ({what}) at line {line}, column {col}: "
                         f"{exc}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: cannot read {what}: {exc}") from None


def _child_text(path, elem: ET.Element, tag: str, where: str) -> str:
    child = elem.find(tag)
    if child is None or child.text is None or not child.text.strip():
        raise InputError(f"{path}: {where} has no <{tag}>")
    return child.text.strip()


def _number(path, elem, tag, where) -> float:
    text = _child_text(path, elem, tag, where)
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{path}: {where} <{tag}> = {text!r} is not a number") from None
    if not np.isfinite(value):
        raise InputError(f"{path}: {where} <{tag}> = {text!r} is not finite")
    return value


def _time(path, elem, tag, where) -> DateTime:
    text = _child_text(path, elem, tag, where)
    try:
        return parse_datetime(text)
    except ValueError as exc:
        raise InputError(f"{path}: {where} <{tag}>: {exc}") from None


def _optional_text(elem, tag) -> str:
    child = elem.find(tag) if elem is not None else None
    return child.text.strip() if child is not None and child.text else ""


def _optional_time(elem, tag):
    text = _optional_text(elem, tag)
    try:
        return parse_datetime(text) if text else None
    except ValueError:
        return None


def _records(path, parent: ET.Element, list_tag: str, item_tag: str, where: str):
    lst = parent.find(list_tag)
    if lst is None:
        raise InputError(f"{path}: {where} has no <{list_tag}>")
    items = lst.findall(item_tag)
    count = lst.get("count")
    if count is not None:
        try:
            expected = int(count)
        except ValueError:
            raise InputError(f"{path}: <{list_tag} count={count!r}> is not an integer") from None
        if expected != len(items):
            raise InputError(f"{path}: <{list_tag}> says count={expected} but holds {len(items)} "
                             f"<{item_tag}> records (truncated or edited file?)")
    if not items:
        raise InputError(f"{path}: <{list_tag}> holds no <{item_tag}> records")
    return items


def _relative(path, times, epoch, what):
    """Float seconds of ``times`` since ``epoch`` (default: the first), checked increasing."""
    epoch = times[0] if epoch is None else (epoch if isinstance(epoch, DateTime) else DateTime(epoch))
    secs = np.array([(t - epoch).total_seconds() for t in times])
    steps = np.diff(secs)
    if np.any(steps <= 0):
        i = int(np.argmax(steps <= 0))
        raise InputError(f"{path}: {what} times are not increasing: record {i + 2} "
                         f"({times[i + 1]}) is not after record {i + 1} ({times[i]})")
    return secs, epoch


def parse_orbit_xml(path, epoch=None) -> OrbitEphemeris:
    """Read a NISAR orbit ephemeris XML file.

    ``epoch``: reference epoch of the orbit's times (DateTime or ISO text);
    default the time of the first state vector.
    """
    path = os.fspath(path)
    root = _load(path, "orbit ephemeris XML file")
    if root.tag != "orbitEphemeris":
        raise InputError(f"{path}: root element <{root.tag}>, expected <orbitEphemeris> "
                         "(NISAR orbit XML)")
    items = _records(path, root, "orbitStateVectorList", "orbitStateVector", "<orbitEphemeris>")
    times, pos, vel = [], [], []
    for k, item in enumerate(items, 1):
        where = f"<orbitStateVector index={item.get('index', str(k))!r}> (record {k})"
        times.append(_time(path, item, "utc", where))
        pos.append([_number(path, item, tag, where) for tag in ("x", "y", "z")])
        vel.append([_number(path, item, tag, where) for tag in ("vx", "vy", "vz")])
    secs, ep = _relative(path, times, epoch, "state vector")
    if len(secs) < 2:
        raise InputError(f"{path}: an orbit needs at least 2 state vectors, the file has {len(secs)}")
    try:
        orbit = Orbit(secs, np.array(pos), np.array(vel), ep.to_datetime64())
    except ValueError as exc:
        raise InputError(f"{path}: invalid orbit: {exc}") from None
    info = root.find("productInformation")
    return OrbitEphemeris(
        orbit=orbit, orbit_type=_optional_text(info, "productType"),
        mission=_optional_text(info, "mission"), product_name=_optional_text(info, "productName"),
        validity_start=_optional_time(info, "validityStartDateTime"),
        validity_end=_optional_time(info, "validityEndDateTime"), path=path)


def read_orbit_xml(path, epoch=None) -> Orbit:
    """The :class:`~isce.core.orbit.Orbit` of a NISAR orbit XML file (see :func:`parse_orbit_xml`)."""
    return parse_orbit_xml(path, epoch).orbit


def read_attitude_xml(path, epoch=None, band: str = "L") -> Attitude:
    """Read a NISAR radar-pointing (attitude) XML file: quaternions (w, x, y, z) = (q0..q3).

    ``band``: the instrument element ``<{band}SAR>`` to read (default ``L``);
    ``epoch`` defaults to the time of the first record.
    """
    path = os.fspath(path)
    root = _load(path, "attitude XML file")
    if root.tag != "radarPointing":
        raise InputError(f"{path}: root element <{root.tag}>, expected <radarPointing> "
                         "(NISAR attitude XML)")
    tag = f"{str(band).strip().upper()}SAR"
    group = root.find(tag)
    if group is None:
        have = [c.tag for c in root if c.tag.endswith("SAR")]
        raise InputError(f"{path}: no <{tag}> element (instruments present: "
                         f"{', '.join(have) or 'none'})")
    items = _records(path, group, "radarPointingStateVectorList", "radarPointingStateVector",
                     f"<{tag}>")
    times, quats = [], []
    for k, item in enumerate(items, 1):
        where = f"<radarPointingStateVector index={item.get('index', str(k))!r}> (record {k})"
        times.append(_time(path, item, "utc", where))
        quats.append([_number(path, item, q, where) for q in ("q0", "q1", "q2", "q3")])
    secs, ep = _relative(path, times, epoch, "attitude")
    try:
        return Attitude(secs, np.array(quats), ep)
    except ValueError as exc:
        raise InputError(f"{path}: invalid attitude: {exc}") from None
