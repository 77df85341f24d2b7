"""ERS precise orbits as ISCE2's ``ERS``/``ERS_SLC`` readers take them (``ORBIT_TYPE``).

* ``ODR``: Delft University's Orbital Data Records (binary, big-endian; ISCE2
  ``isceobj/Orbit/ODR.py``): header 1 ``>4s8si`` (format ``@ODR`` or ``xODR``,
  satellite, start time), header 2 ``>4i`` (cycle length, arc number, number of
  records, version), then one ``>4i`` record per epoch: UTC
  seconds since 1985-01-01, geodetic latitude and longitude of the satellite's centre of
  mass on GRS80 [1e-6 deg for ``@ODR``, 1e-7 deg for ``xODR``], height [mm]. The files
  hold positions only: velocities are the time derivative of the positions (ISCE2
  differentiates a Legendre interpolation over +-0.5 s; here the derivative of the
  9-point interpolating polynomial, the same interpolant). The file for a date comes from
  the ``arclist`` in ``ORBIT_DIRECTORY`` (fixed columns after the ``Arc#`` line: arc
  number, begin, end, ..., begin of the precise part): the first arc spanning the first
  line's time whose precise part has begun, file ``ODR.<arc number>``.
* ``PRC``: D-PAF precise orbits (130-byte text records; ``STATE`` gives the TDT-UTC
  offset, ``STTERR`` lines the terrestrial state vectors: J2000 day x 10 minus a half
  day, TDT seconds [us], position [mm], velocity [um/s]); file chosen by the ROI_PAC
  ``arclist`` (``file start end`` in J2000 days x 10, from noon).
* ``PDS``: ERS-2 PDS orbit text files (``ORBIT_FILE``): lines beginning with a digit
  are ``DD-MON-YYYY hh:mm:ss.ffffff`` state vectors, position [m] and velocity [m/s]
  at fixed columns.

As ISCE2, the orbit is trimmed to the vectors strictly within 5 minutes of the
image (ODR: velocities computed from the vectors within an hour of it first). Every
problem is an :class:`~isce.framework.InputError` naming the file and the record or line.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import struct
from dataclasses import dataclass

import numpy as np

from isce.core.ellipsoid import Ellipsoid
from isce.core.orbit import Orbit
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError

__all__ = ["ODR_EPOCH", "GRS80", "ODR_HEADER", "ODR_RECORD", "OdrArc", "PrcArc", "read_odr",
           "read_odr_arclist", "odr_file_for", "read_prc", "read_prc_arclist", "prc_file_for",
           "read_pds", "trim_orbit", "odr_scale", "TRIM_MARGIN", "ODR_PARSE_MARGIN"]

#: time origin of the ODR records (UTC)
ODR_EPOCH = DateTime(1985, 1, 1)
#: the J2000 origin of PRC times as ISCE2 takes it (2000-01-01 00:00, no 12 h shift)
J2000 = DateTime(2000, 1, 1)
#: the ellipsoid of the ODR positions (ISCE2: AstronomicalHandbook GRS-80)
GRS80 = Ellipsoid(a=6378137.0, e2=0.00669438002290)
#: ODR header: format, satellite, start time; then cycle length, arc number, records, version
ODR_HEADER = (">4s8si", ">4i")
#: one ODR record: time [s since 1985], latitude, longitude [1e-6/1e-7 deg], height [mm]
ODR_RECORD = ">4i"
#: ISCE2's margins around the image: vectors kept, and vectors parsed for the ODR velocities
TRIM_MARGIN = 300.0
ODR_PARSE_MARGIN = 3600.0
#: points of the interpolating polynomial differentiated for the ODR velocities (ISCE2: 9)
_VELOCITY_POINTS = 9
_PRC_LINE = 130


def odr_scale(fmt: str, path: str) -> float:
    """Degrees per latitude/longitude unit of an ODR file of format ``fmt``."""
    if fmt == "@ODR":
        return 1e-6
    if fmt == "xODR":
        return 1e-7
    raise InputError(f"{path}: header at byte offset 0: format {fmt!r} is neither '@ODR' nor "
                     "'xODR' (not a Delft ODR file?)")


# ---------------------------------------------------------------------------- ODR
def read_odr(path, start: DateTime | None = None, stop: DateTime | None = None, *,
             epoch: DateTime | None = None) -> Orbit:
    """The state vectors of an ODR file between ``start`` and ``stop`` (all when None):
    positions from the records, velocities their time derivative (9-point polynomial),
    times in s since ``epoch`` (default: midnight of the first vector). At least 9 vectors
    are needed around the span."""
    path = os.fspath(path)
    header, records = _odr_records(path)
    scale = odr_scale(header["format"], path)
    t = records[:, 0].astype(np.float64)
    keep = np.ones(t.size, bool)
    if start is not None:
        keep &= t >= (start - ODR_EPOCH).total_seconds()
    if stop is not None:
        keep &= t <= (stop - ODR_EPOCH).total_seconds()
    if np.count_nonzero(keep) < _VELOCITY_POINTS:
        raise InputError(f"{path}: {np.count_nonzero(keep)} ODR record(s) between {start} and "
                         f"{stop}; {_VELOCITY_POINTS} are needed (is this the arc of the image?)")
    t, rec = t[keep], records[keep]
    if np.any(np.diff(t) <= 0):
        k = int(np.argmax(np.diff(t) <= 0)) + 1
        raise InputError(f"{path}: record {int(np.nonzero(keep)[0][k]) + 1} (byte offset "
                         f"{32 + 16 * int(np.nonzero(keep)[0][k])}): time does not increase")
    llh = np.stack([np.radians(rec[:, 2] * scale), np.radians(rec[:, 1] * scale),
                    rec[:, 3] * 1e-3], axis=1)
    pos = GRS80.lon_lat_to_xyz(llh)
    vel = _derivative(t, pos)
    first = ODR_EPOCH + float(t[0])
    epoch = first.date_only() if epoch is None else epoch
    shift = (ODR_EPOCH - epoch).total_seconds()
    return Orbit(t + shift, pos, vel, epoch.to_datetime64(), interp_method="hermite")


def _odr_records(path):
    """(header dict, int64 records (n, 4)) of an ODR file, checked against its size."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
            if len(head) < 32:
                raise InputError(f"{path}: {len(head)} bytes: too short for the 32-byte ODR header")
            fmt, sat, t0 = struct.unpack(ODR_HEADER[0], head[:16])
            cycle, arc, count, version = struct.unpack(ODR_HEADER[1], head[16:32])
            body = fh.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the ODR file: {exc}") from None
    header = {"format": fmt.decode("ascii", "replace"), "satellite": sat.decode("ascii", "replace"),
              "start": t0, "cycle_length": cycle, "arc": arc, "records": count, "version": version}
    odr_scale(header["format"], path)
    if count < 0 or len(body) < 16 * count:
        have = len(body) // 16
        raise InputError(f"{path}: record {have + 1} at byte offset {32 + 16 * have}: truncated: "
                         f"the header announces {count} records of 16 bytes, the file holds "
                         f"{have}")
    records = np.frombuffer(body[:16 * count], dtype=">i4").reshape(count, 4)
    return header, records.astype(np.int64)


def _derivative(t: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """d pos / dt at every t: derivative of the polynomial through the 9 nearest vectors
    (centred where possible)."""
    n = t.size
    half = _VELOCITY_POINTS // 2
    vel = np.empty_like(pos)
    for i in range(n):
        lo = min(max(i - half, 0), n - _VELOCITY_POINTS)
        sl = slice(lo, lo + _VELOCITY_POINTS)
        tt = t[sl] - t[i]
        coef = np.polynomial.polynomial.polyfit(tt / 60.0, pos[sl], _VELOCITY_POINTS - 1)
        vel[i] = coef[1] / 60.0
    return vel


@dataclass(frozen=True)
class OdrArc:
    """One line of a Delft ``arclist``: arc ``number`` (text as written), ``begin``, ``end``
    and ``precise`` (begin of the precise part) times."""

    number: str
    begin: _dt.datetime
    end: _dt.datetime
    precise: _dt.datetime

    @property
    def filename(self) -> str:
        return "ODR." + self.number


def read_odr_arclist(path) -> list:
    """The arcs of a Delft ``arclist`` (ISCE2's fixed columns, lines after ``Arc#``)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the ODR arclist: {exc}") from None
    arcs, begun = [], False
    for number, line in enumerate(lines, 1):
        if begun and line.strip():
            try:
                arcs.append(OdrArc(line[0:3], _dt.datetime.strptime(line[5:17], "%y%m%d %H:%M"),
                                   _dt.datetime.strptime(line[20:32], "%y%m%d %H:%M"),
                                   _dt.datetime.strptime(line[63:78], "%y%m%d %H:%M:%S")))
            except ValueError as exc:
                raise InputError(f"{path}: line {number}: not an arclist line ({exc}): "
                                 f"{line[:80]!r}") from None
        if re.search(r"^Arc#", line):
            begun = True
    if not begun:
        raise InputError(f"{path}: no 'Arc#' header line: not a Delft arclist")
    return arcs


def odr_file_for(arclist_path, when: DateTime) -> str:
    """The ODR file name for time ``when`` (ISCE2 ``Arclist.getOrbitFile``)."""
    t = _as_datetime(when)
    for arc in read_odr_arclist(arclist_path):
        if arc.begin <= t <= arc.end and t >= arc.precise:
            return arc.filename
    raise InputError(f"{os.fspath(arclist_path)}: no arc holds {when} in its precise part")


# ---------------------------------------------------------------------------- PRC
def read_prc(path, *, epoch: DateTime | None = None) -> Orbit:
    """The ``STTERR`` state vectors of a D-PAF PRC file (ISCE2's columns and units)."""
    path = os.fspath(path)
    if path.endswith(".Z"):
        raise InputError(f"{path}: compressed (.Z) PRC files are not read; uncompress it first")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the PRC file: {exc}") from None
    tdt_offset, times, pos, vel = 0.0, [], [], []
    for k in range(len(data) // _PRC_LINE):
        line = data[k * _PRC_LINE:(k + 1) * _PRC_LINE]
        kind = line[0:6]
        try:
            if kind == b"STATE ":
                tdt_offset = float(line[47:52]) / 1e3
            elif kind == b"STTERR":
                day = float(line[14:20]) / 10.0 + 0.5
                seconds = float(line[20:31]) / 1e6 - tdt_offset
                times.append(J2000 + (day * 86400.0 + seconds))
                pos.append([float(line[a:b]) / 1e3 for a, b in ((31, 43), (43, 55), (55, 67))])
                vel.append([float(line[a:b]) / 1e6 for a, b in ((67, 78), (78, 89), (89, 100))])
        except ValueError:
            raise InputError(f"{path}: record {k + 1} at byte offset {k * _PRC_LINE}: not a PRC "
                             f"{kind.decode('ascii', 'replace').strip()} line: "
                             f"{line[:60]!r}") from None
    return _orbit(path, times, pos, vel, epoch, "STTERR state vectors")


@dataclass(frozen=True)
class PrcArc:
    """One line of a ROI_PAC PRC ``arclist``: ``filename``, ``begin``, ``end``."""

    filename: str
    begin: DateTime
    end: DateTime


def read_prc_arclist(path) -> list:
    """The arcs of a PRC ``arclist`` (``file start end``, J2000 days x 10 from noon)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the PRC arclist: {exc}") from None
    arcs = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        try:
            start, end = float(parts[1]) / 10.0, float(parts[2]) / 10.0
        except (IndexError, ValueError):
            raise InputError(f"{path}: line {number}: expected 'file start end', got "
                             f"{line[:80]!r}") from None
        arcs.append(PrcArc(parts[0], J2000 + (start * 86400.0 + 43200.0),
                           J2000 + (end * 86400.0 + 43200.0)))
    return arcs


def prc_file_for(arclist_path, when: DateTime) -> str:
    """The PRC file of the first arc spanning ``when`` (ISCE2 ``Arclist.getOrbitFile``)."""
    for arc in read_prc_arclist(arclist_path):
        if arc.begin <= when <= arc.end:
            return arc.filename
    raise InputError(f"{os.fspath(arclist_path)}: no arc spans {when}")


# ---------------------------------------------------------------------------- PDS
def read_pds(path, *, epoch: DateTime | None = None) -> Orbit:
    """The state vectors of an ERS-2 PDS orbit file (ISCE2's columns)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the PDS orbit file: {exc}") from None
    times, pos, vel = [], [], []
    for number, line in enumerate(lines, 1):
        if not line[:1].isdigit():
            continue
        try:
            text = line[0:11] + " " + line[12:27].replace("-", "0")
            when = _dt.datetime.strptime(text, "%d-%b-%Y %H:%M:%S.%f")
            pos.append([float(line[a:b]) for a, b in ((44, 56), (57, 69), (70, 82))])
            vel.append([float(line[a:b]) for a, b in ((83, 95), (96, 108), (109, 121))])
        except ValueError as exc:
            raise InputError(f"{path}: line {number}: not a PDS state vector line ({exc})") from None
        times.append(DateTime(when.isoformat()))
    return _orbit(path, times, pos, vel, epoch, "state vector lines")


# ---------------------------------------------------------------------------- shared
def _as_datetime(when) -> _dt.datetime:
    d = when if isinstance(when, DateTime) else DateTime(when)
    return _dt.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second,
                        int(d.nanosecond // 1000))


def _orbit(path, times, pos, vel, epoch, what) -> Orbit:
    if len(times) < 2:
        raise InputError(f"{path}: {len(times)} {what}; an orbit needs at least 2")
    epoch = times[0].date_only() if epoch is None else epoch
    t = np.array([(x - epoch).total_seconds() for x in times])
    try:
        return Orbit(t, np.array(pos), np.array(vel), epoch.to_datetime64(), interp_method="hermite")
    except ValueError as exc:
        raise InputError(f"{path}: invalid {what}: {exc}") from None


def trim_orbit(orbit: Orbit, first: float, last: float, margin: float = TRIM_MARGIN,
               *, path: str = "") -> Orbit:
    """The vectors strictly within ``margin`` s of ``[first, last]`` (s since the orbit's
    epoch), as ISCE2's ``trimOrbit``; InputError when fewer than 2 remain."""
    keep = (orbit.time > first - margin) & (orbit.time < last + margin)
    if np.count_nonzero(keep) < 2:
        raise InputError(f"{path}: the orbit file has {np.count_nonzero(keep)} state vector(s) "
                         f"within {margin:g} s of the image (its vectors span "
                         f"{orbit.start_time:.1f} .. {orbit.end_time:.1f} s, the image "
                         f"{first:.1f} .. {last:.1f} s since {orbit.reference_epoch}): "
                         "not the orbit of this acquisition")
    return Orbit(orbit.time[keep], orbit.position[keep], orbit.velocity[keep],
                 orbit.reference_epoch, interp_method=orbit.interp_method)


def orbit_of_type(kind: str, folder, path, start: _dt.datetime, stop: _dt.datetime,
              where: str = "ERS") -> Orbit:
    """The ERS orbit of type ``kind`` covering ``start..stop``, read by the ERS orbit readers
    of :mod:`isce.sensors.ers_orbits` (Delft ODR + arclist, D-PAF PRC + arclist, PDS), as
    ISCE2's ``ERS_EnviSAT`` chooses them."""
    t0, t1 = DateTime(start.isoformat()), DateTime(stop.isoformat())
    if kind == "PDS":
        if not path:
            raise ConfigurationError("ORBIT_TYPE PDS needs ORBIT_FILE (the PDS orbit file)",
                                     path=f"{where}.ORBIT_FILE")
        return read_pds(os.fspath(path))
    if not folder:
        raise ConfigurationError(f"ORBIT_TYPE {kind} needs ORBIT_DIRECTORY (the folder of the "
                                 "orbit files and their arclist)", path=f"{where}.ORBIT_DIRECTORY")
    arclist = os.path.join(os.fspath(folder), "arclist")
    if kind == "ODR":
        name = odr_file_for(arclist, t0)
        return read_odr(os.path.join(os.fspath(folder), name), t0 - 3600.0, t1 + 3600.0)
    return read_prc(os.path.join(os.fspath(folder), prc_file_for(arclist, t0)))
