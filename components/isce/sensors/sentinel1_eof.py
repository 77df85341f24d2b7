"""ESA Sentinel-1 orbit files (``.EOF``: precise ``AUX_POEORB``, restituted ``AUX_RESORB``).

Reference: ESA, *Sentinel-1 Precise Orbit Determination (POD) Products File Format
Specification* (GMES-GSEG-EOPG-FS-10-0075): an Earth Explorer XML file whose
``Earth_Explorer_File/Data_Block/List_of_OSVs/OSV`` elements hold ``UTC=<time>``,
ECEF ``X``/``Y``/``Z`` [m] and ``VX``/``VY``/``VZ`` [m/s] every 10 s, with the
validity in ``Earth_Explorer_Header/Fixed_Header/Validity_Period`` and the file
name ``S1A_OPER_AUX_POEORB_OPOD_<created>_V<start>_<stop>.EOF``.

:func:`read_eof` keeps the state vectors within ``margin`` seconds of an acquisition and
builds an Orbit (Legendre interpolation, as the annotation's); :func:`find_eof` chooses in
a folder the file covering an acquisition (precise before restituted, newest first).
"""
from __future__ import annotations

import os
import re

import numpy as np
from lxml import etree

from isce.core.orbit import Orbit
from isce.core.time import DateTime
from isce.framework.errors import InputError

from .sentinel1_xml import make_orbit, parse_xml

__all__ = ["read_eof", "find_eof", "EOF_MARGIN"]

#: seconds of state vectors kept before the first and after the last line
EOF_MARGIN = 100.0
_NAME_RE = re.compile(r"^(S1[A-D])_OPER_AUX_(POEORB|RESORB)_OPOD_(\d{8}T\d{6})_"
                      r"V(\d{8}T\d{6})_(\d{8}T\d{6})\.EOF$", re.IGNORECASE)
_OSV = "Data_Block/List_of_OSVs/OSV"


def _utc(text: str, where: str, element: str) -> DateTime:
    value = (text or "").strip()
    if value.upper().startswith("UTC="):
        value = value[4:]
    try:
        return DateTime(value)
    except (ValueError, TypeError):
        raise InputError(f"{where}: XML element {element} = {text!r} is not a UTC date-time") \
            from None


def _number(osv, tag: str, where: str, k: int) -> float:
    text = osv.findtext(tag)
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value):
        raise InputError(f"{where}: XML element {_OSV}[{k + 1}]/{tag} = {text!r} is not a "
                         "finite number")
    return value


def _parse(path: str):
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the orbit file: {exc}") from None
    root = parse_xml(data, path, " (truncated orbit file?)").root
    if etree.QName(root).localname != "Earth_Explorer_File":
        raise InputError(f"{path}: root element {etree.QName(root).localname} is not "
                         "Earth_Explorer_File: not an ESA orbit file")
    return root


def _check_mission(root, path: str, mission: str | None) -> None:
    found = (root.findtext("Earth_Explorer_Header/Fixed_Header/Mission") or "").strip()
    if mission and found and found.upper()[-1:] != mission.upper()[-1:]:   # Sentinel-1A, S1A
        raise InputError(f"{path}: orbit of {found}, the product is from {mission}")


def read_eof(path, epoch: DateTime, start: DateTime, stop: DateTime, *,
             mission: str | None = None, margin: float = EOF_MARGIN) -> Orbit:
    """The state vectors of ``path`` within ``margin`` s of [start, stop], as an Orbit with
    times in seconds since ``epoch``; InputError naming the file and element of any problem,
    or when the file does not cover the acquisition."""
    path = os.fspath(path)
    root = _parse(path)
    _check_mission(root, path, mission)
    osvs = root.findall(_OSV)
    if not osvs:
        raise InputError(f"{path}: no {_OSV} element: no state vectors")
    e = epoch.nanoseconds_since_unix_epoch
    lo = start.nanoseconds_since_unix_epoch - margin * 1e9
    hi = stop.nanoseconds_since_unix_epoch + margin * 1e9
    t, pos, vel = [], [], []
    for k, osv in enumerate(osvs):
        when = _utc(osv.findtext("UTC"), path, f"{_OSV}[{k + 1}]/UTC").nanoseconds_since_unix_epoch
        if lo <= when <= hi:
            t.append((when - e) / 1e9)
            pos.append([_number(osv, c, path, k) for c in ("X", "Y", "Z")])
            vel.append([_number(osv, c, path, k) for c in ("VX", "VY", "VZ")])
    first = (start.nanoseconds_since_unix_epoch - e) / 1e9
    last = (stop.nanoseconds_since_unix_epoch - e) / 1e9
    if len(t) < 2 or t[0] > first or t[-1] < last:
        raise InputError(f"{path}: its state vectors do not cover the acquisition "
                         f"{start.isoformat()} .. {stop.isoformat()}")
    return make_orbit(t, pos, vel, epoch, f"{path}: {_OSV}")


def _compact(text: str) -> DateTime:
    """DateTime of a file name's ``YYYYMMDDTHHMMSS``."""
    return DateTime(f"{text[0:4]}-{text[4:6]}-{text[6:8]}T{text[9:11]}:{text[11:13]}:{text[13:15]}")


def find_eof(folder, start: DateTime, stop: DateTime, mission: str) -> str:
    """The ``.EOF`` file of ``folder`` for ``mission`` (``S1A``…) whose validity (from its
    name) covers [start, stop] with the margin: precise (POEORB) before restituted
    (RESORB), then the newest; InputError listing what the folder holds otherwise."""
    folder = os.fspath(folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the orbit folder: {exc}") from None
    lo = start.nanoseconds_since_unix_epoch - EOF_MARGIN * 1e9
    hi = stop.nanoseconds_since_unix_epoch + EOF_MARGIN * 1e9
    candidates = []
    for name in names:
        m = _NAME_RE.match(name)
        if not m or m.group(1).upper() != mission.upper():
            continue
        v0, v1 = (_compact(x).nanoseconds_since_unix_epoch for x in (m.group(4), m.group(5)))
        if v0 <= lo and v1 >= hi:
            candidates.append((m.group(2).upper() == "POEORB", m.group(3), name))
    if not candidates:
        raise InputError(f"{folder}: no {mission} .EOF orbit file covers {start.isoformat()} .. "
                         f"{stop.isoformat()} (files: {', '.join(names) or 'none'})")
    return os.path.join(folder, max(candidates)[2])
