"""Writers of ESA N1 files: the generic layout (MPH, SPH, DSDs, data sets), DORIS orbits.

N1 files (:mod:`isce.sensors.envisat_n1`) are a 1247-byte MPH, an SPH whose last bytes are
the 280-byte DSDs, then the data sets in DSD order. :func:`n1_header` lays a list of
:class:`DataSet` s out after the headers (offsets, sizes, ``TOT_SIZE``) and returns the
header bytes; the caller writes the data sets after it, block by block.
:func:`write_dor_vor` writes a DORIS precise orbit file (``DOR_VOR_AX``) read by
:mod:`isce.sensors.doris`.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass

import numpy as np

from isce.io.atomic import remove_quietly, temp_path
from isce.sensors.doris import DORIS_RECORD_SIZE, format_dor_record
from isce.sensors.envisat_n1 import (DSD_SIZE, MPH_FORMAT, MPH_SIZE, format_block, format_dsd,
                                     format_utc)

__all__ = ["DataSet", "n1_header", "mph_values", "write_dor_vor", "orbit_datetimes"]


@dataclass(frozen=True)
class DataSet:
    """One data set of an N1 file: DSD ``name``, ``type`` (A, G, M, R), ``num_dsr`` records of
    ``dsr_size`` bytes (both 0 with ``used`` False for a ``NOT USED`` placeholder), and the
    ``filename`` of a type-R reference."""

    name: str
    type: str
    num_dsr: int = 0
    dsr_size: int = 0
    filename: str = ""
    used: bool = True

    @property
    def size(self) -> int:
        return self.num_dsr * self.dsr_size if self.type != "R" else 0


def mph_values(product_name: str, *, sensing_start: _dt.datetime, sensing_stop: _dt.datetime,
               state_time: _dt.datetime, position, velocity, abs_orbit: int = 0,
               rel_orbit: int = 0, cycle: int = 0, phase: str = "X", proc_center: str = "ISCE",
               software: str = "ISCE-SIM/1.00", vector_source: str = "DP",
               proc_time: _dt.datetime | None = None) -> dict:
    """The MPH values of a product (sizes filled in by :func:`n1_header`)."""
    proc_time = proc_time or sensing_stop
    return {
        "PRODUCT": product_name, "PROC_STAGE": "N", "REF_DOC": "PO-RS-MDA-GS-2009_4/C",
        "ACQUISITION_STATION": "ISCE simulator", "PROC_CENTER": proc_center[:6],
        "PROC_TIME": format_utc(proc_time), "SOFTWARE_VER": software[:14],
        "SENSING_START": format_utc(sensing_start), "SENSING_STOP": format_utc(sensing_stop),
        "PHASE": phase, "CYCLE": cycle, "REL_ORBIT": rel_orbit, "ABS_ORBIT": abs_orbit,
        "STATE_VECTOR_TIME": format_utc(state_time), "DELTA_UT1": 0.0,
        "X_POSITION": position[0], "Y_POSITION": position[1], "Z_POSITION": position[2],
        "X_VELOCITY": velocity[0], "Y_VELOCITY": velocity[1], "Z_VELOCITY": velocity[2],
        "VECTOR_SOURCE": vector_source, "UTC_SBT_TIME": format_utc(sensing_start),
        "SAT_BINARY_TIME": 0, "CLOCK_STEP": 3906250000, "LEAP_UTC": format_utc(_dt.datetime(2000, 1, 1)),
        "LEAP_SIGN": 0, "LEAP_ERR": "0", "PRODUCT_ERR": "0",
        "TOT_SIZE": 0, "SPH_SIZE": 0, "NUM_DSD": 0, "DSD_SIZE": DSD_SIZE, "NUM_DATA_SETS": 0,
    }


def n1_header(mph: dict, sph: bytes, data_sets: list[DataSet]) -> tuple[bytes, dict]:
    """MPH + SPH (``sph``: its ``KEY=value`` lines, without DSDs) + DSDs, with the data sets
    laid out in order after the headers. Returns (header bytes, {DSD name: byte offset})."""
    sph_size = len(sph) + DSD_SIZE * len(data_sets)
    offset = MPH_SIZE + sph_size
    offsets, dsds = {}, []
    for ds in data_sets:
        if not ds.used:
            dsds.append(format_dsd(ds.name, ds.type, "NOT USED"))
            continue
        if ds.type == "R":
            dsds.append(format_dsd(ds.name, ds.type, ds.filename))
            continue
        offsets[ds.name] = offset
        dsds.append(format_dsd(ds.name, ds.type, ds.filename, offset, ds.size, ds.num_dsr,
                               ds.dsr_size))
        offset += ds.size
    values = dict(mph, TOT_SIZE=offset, SPH_SIZE=sph_size, NUM_DSD=len(data_sets),
                  NUM_DATA_SETS=sum(1 for d in data_sets if d.used and d.type != "R"))
    head = format_block(MPH_FORMAT, values)
    assert len(head) == MPH_SIZE, len(head)
    return head + sph + b"".join(dsds), offsets


def orbit_datetimes(orbit, t) -> list[_dt.datetime]:
    """UTC datetimes (µs) of times ``t`` [s since the orbit's reference epoch]."""
    ns = orbit.datetime64(np.asarray(t, dtype=np.float64))
    return [_dt.datetime.fromisoformat(str(v.astype("datetime64[us]"))) for v in np.atleast_1d(ns)]


def write_dor_vor(orbit, path, *, spacing: float = 60.0, abs_orbit: int = 0) -> str:
    """Write ``orbit`` as a DORIS precise orbit file (``DOR_VOR_AX``): state vectors every
    ``spacing`` s interpolated from ``orbit`` over its whole span; returns ``path``."""
    path = os.fspath(path)
    t = np.arange(orbit.start_time, orbit.end_time + 1e-9, spacing)
    pos, vel = orbit.interpolate(t)
    when = orbit_datetimes(orbit, t)
    records = b"".join(format_dor_record(w, p, v, orbit=abs_orbit) for w, p, v in zip(when, pos, vel))
    sph = format_block((("SPH_DESCRIPTOR", "s", 28, ""),), {"SPH_DESCRIPTOR": "DORIS Precise Orbit"})
    sph += b" " * 49 + b"\n"
    mph = mph_values(os.path.basename(path)[:62], sensing_start=when[0], sensing_stop=when[-1],
                     state_time=when[0], position=pos[0], velocity=vel[0], abs_orbit=abs_orbit)
    head, _ = n1_header(mph, sph, [DataSet("DORIS PRECISE ORBIT", "M", len(t), DORIS_RECORD_SIZE)])
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(head)
            fh.write(records)
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise
    return path
