"""ENVISAT DORIS orbit files (``DOR_VOR_AX`` precise, ``DOR_POR_AX`` preliminary).

Reference: ENVISAT Products Specifications, Vol. 5 (PO-RS-MDA-GS-2009) and the DORIS
orbit product description; read as ISCE2's ``EnviSAT.DOR``. The file is an N1 file
(:mod:`isce.sensors.envisat_n1`: MPH, SPH, one DSD ``DORIS PRECISE ORBIT`` or
``DORIS PRELIMINARY ORBIT``) whose data set is ``NUM_DSR`` fixed-size ASCII records,
one state vector each (60 s apart), blank-separated::

    UTC time ("DD-MMM-YYYY hh:mm:ss.uuuuuu")  delta-UT1 [s]  absolute orbit
    x y z [m]  vx vy vz [m/s]  quality flags

in the Earth-fixed frame. :func:`read_dor_vor` keeps the vectors within ``margin``
seconds of an acquisition and builds an :class:`~isce.core.orbit.Orbit` (Hermite
interpolation: DORIS velocities are the derivative of its positions);
:func:`find_dor_vor` picks in a folder the file whose validity (from its name,
``DOR_VOR_AXVF-P<proc date>_<proc time>_<start date>_<start time>_<stop date>_<stop time>``)
covers an acquisition, as ISCE2's ``findOrbitFile``.
"""
from __future__ import annotations

import datetime as _dt
import os

import numpy as np

from isce.core.orbit import Orbit
from isce.framework.errors import InputError

from .envisat_n1 import find_aux_file, format_utc, n1_error, open_n1, parse_utc

__all__ = ["read_dor_vor", "read_dor_vor_records", "find_dor_vor", "format_dor_record",
           "DORIS_DATA_SETS", "DORIS_MARGIN", "DORIS_RECORD_SIZE"]

#: the DSD names of a DORIS orbit file's state-vector data set
DORIS_DATA_SETS = ("DORIS PRECISE ORBIT", "DORIS PRELIMINARY ORBIT")
#: seconds of state vectors kept before the first and after the last line (ISCE2: 5 min)
DORIS_MARGIN = 300.0
#: bytes per state-vector record written by :func:`format_dor_record`
DORIS_RECORD_SIZE = 129


def _data_set(n1):
    for name in DORIS_DATA_SETS:
        if n1.find(name) is not None:
            return n1.dsd(name)
    return n1.dsd(DORIS_DATA_SETS[0])        # InputError listing the data sets present


def _record(path, where: str, offset: int, raw: bytes):
    """(datetime, x, y, z, vx, vy, vz) of one ASCII state-vector record."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise n1_error(path, where, offset, "state-vector record is not ASCII text") from None
    parts = text.split()
    if len(parts) < 10:
        raise n1_error(path, where, offset, f"state-vector record {text.strip()[:80]!r} has "
                                            f"{len(parts)} fields, expected time, delta-UT1, orbit, "
                                            "x, y, z, vx, vy, vz, flags")
    try:
        when = parse_utc(f"{parts[0]} {parts[1]}")
    except ValueError:
        raise n1_error(path, where, offset,
                       f"{parts[0]} {parts[1]!r} is not a UTC time DD-MMM-YYYY hh:mm:ss.uuuuuu") \
            from None
    try:
        values = [float(v) for v in parts[4:10]]
    except ValueError:
        raise n1_error(path, where, offset,
                       f"state vector {' '.join(parts[4:10])!r} is not six numbers") from None
    if not np.all(np.isfinite(values)):
        raise n1_error(path, where, offset, "state vector is not finite")
    return when, values


def read_dor_vor_records(path):
    """All state vectors of a DORIS orbit file: (datetimes, positions (n, 3) [m],
    velocities (n, 3) [m/s], data set name). InputError naming the file, the data set and
    the byte offset of any problem."""
    path = os.fspath(path)
    n1 = open_n1(path, what="DORIS orbit file")
    dsd = _data_set(n1)
    data = n1.read_bytes(dsd)
    times, states = [], []
    for k in range(dsd.num_dsr):
        off = dsd.offset + k * dsd.dsr_size
        raw = data[k * dsd.dsr_size:(k + 1) * dsd.dsr_size]
        when, values = _record(path, f"{dsd.where()} record {k + 1}", off, raw)
        if times and when <= times[-1]:
            raise n1_error(path, f"{dsd.where()} record {k + 1}", off,
                           f"time {format_utc(when)} does not follow {format_utc(times[-1])}")
        times.append(when)
        states.append(values)
    if len(times) < 4:
        raise n1_error(path, dsd.where(), dsd.offset, f"{len(times)} state vectors; at least 4 "
                                                       "are needed")
    arr = np.asarray(states, dtype=np.float64)
    return times, arr[:, :3], arr[:, 3:], dsd.name


def read_dor_vor(path, epoch: _dt.datetime, start: _dt.datetime, stop: _dt.datetime, *,
                 margin: float = DORIS_MARGIN) -> Orbit:
    """The state vectors of ``path`` within ``margin`` s of [start, stop] as an Orbit with
    times in seconds since ``epoch``; InputError when the file does not cover the acquisition."""
    path = os.fspath(path)
    times, pos, vel, _ = read_dor_vor_records(path)
    t = np.array([(w - epoch).total_seconds() for w in times])
    first, last = (start - epoch).total_seconds(), (stop - epoch).total_seconds()
    keep = (t >= first - margin) & (t <= last + margin)
    if t[0] > first or t[-1] < last or keep.sum() < 4:
        raise InputError(f"{path}: its state vectors ({format_utc(times[0])} .. "
                         f"{format_utc(times[-1])}) do not cover the acquisition "
                         f"{format_utc(start)} .. {format_utc(stop)} with 4 vectors")
    lo = max(0, int(np.argmax(keep)) - 2)          # two more each side for the interpolator
    hi = min(len(t), len(t) - int(np.argmax(keep[::-1])) + 2)
    return Orbit(t[lo:hi], pos[lo:hi], vel[lo:hi], np.datetime64(epoch, "ns"),
                 interp_method="hermite")


def find_dor_vor(folder, start: _dt.datetime, stop: _dt.datetime | None = None) -> str:
    """The DORIS orbit file of ``folder`` whose validity (from its name) covers
    [start, stop]: precise (VOR) before preliminary (POR), then the newest processing;
    InputError listing what the folder holds otherwise."""
    return find_aux_file(folder, ("DOR_VOR_AX", "DOR_POR_AX"), start, stop or start,
                         "DORIS orbit (ORBIT_DIRECTORY)")


def format_dor_record(when: _dt.datetime, position, velocity, *, delta_ut1: float = 0.0,
                      orbit: int = 0, flags: str = "00000") -> bytes:
    """One :data:`DORIS_RECORD_SIZE`-byte state-vector record (for writers)."""
    x, y, z = (float(v) for v in position)
    vx, vy, vz = (float(v) for v in velocity)
    text = (f"{format_utc(when)} {delta_ut1:+09.6f} {int(orbit):+06d} {x:+012.3f} {y:+012.3f} "
            f"{z:+012.3f} {vx:+012.6f} {vy:+012.6f} {vz:+012.6f} {flags}")
    text = text.ljust(DORIS_RECORD_SIZE - 1)
    if len(text) != DORIS_RECORD_SIZE - 1:
        raise ValueError(f"state vector does not fit a {DORIS_RECORD_SIZE}-byte record: {text!r}")
    return (text + "\n").encode("ascii")
