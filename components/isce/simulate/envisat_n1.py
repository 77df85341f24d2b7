"""Writers of ESA N1 files: the generic layout, DORIS orbits, ASAR/ERS IMS (SLC) products.

N1 files (:mod:`isce.sensors.envisat_n1`) are a 1247-byte MPH, an SPH whose last bytes are
the 280-byte DSDs, then the data sets in DSD order. :func:`n1_header` lays a list of
:class:`DataSet` s out after the headers (offsets, sizes, ``TOT_SIZE``) and returns the
header bytes; the caller writes the data sets after it, block by block.
:func:`write_dor_vor` writes a DORIS precise orbit file (``DOR_VOR_AX``) read by
:mod:`isce.sensors.doris`.

:func:`write_envisat_slc` / :func:`write_ers_envisat_slc` (the simulator's writer interface)
write any :class:`~isce.sensors.product.SlcProduct` as the IMS file read by
:mod:`isce.sensors.envisat_slc` (whose record tables they use):
``<folder>/<sensor name>/<name>/<62-character product name>`` (+ a ``DOR_VOR_AX`` file of the
product's orbit for ENVISAT, whose reader takes ``ORBITFILE`` as ISCE2's). Conventions:

* times to the microsecond (MJD2000 fields; the first line rounded, each line's own time
  first + k x line time interval); the line time interval is 1/PRF as the MPP's float32;
* the first sample's two-way range time is the geolocation grid's float32 [ns] (0.25 ns
  = 3.7 cm at worst, the format's resolution);
* pixels: int16 (``SWORD``) I/Q scaled by one gain, GAIN_PEAK / the image's peak |I| or |Q|
  (a first pass over the blocks), recorded as the MPP's ``proc_scaling_fact``;
* the MPP's 5 state vectors evenly from the first to the last line (1 cm, 1e-5 m/s as the
  format stores them) as ESA writes them; a scene shorter than a frame (18 s) gets them
  MPP_VECTOR_SPACING apart around its middle, as the frame it is cut from would; the MPH
  vector at the first line;
* the geolocation grid: GRANULES granules of lines, 11 tie points from sample 1 to the last,
  rdr2geo on the ellipsoid raised by the product's ``average_height`` attribute (0 for a
  simulated product) -- what ESA's grid holds at the MPP's average scene height;
* the Doppler centroid ADS: the product's ESA polynomial when it was read from an IMS, else
  a quadratic fit of ``product.doppler`` at mid-scene (zero for a zero-Doppler product).
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import zlib
from dataclasses import dataclass

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.geometry.rdr2geo import rdr2geo_points
from isce.io.atomic import replacing, write_binary
from isce.sensors.doris import DORIS_RECORD_SIZE, format_dor_record
from isce.sensors.envisat_n1 import (DSD_SIZE, MJD2000, MPH_FORMAT, MPH_SIZE, AdsLayout,
                                     format_block, format_dsd, format_utc)
from isce.sensors.envisat_slc import (CHIRP, DOPPLER, GEOLOCATION, IMS_DATA_SETS, IMS_SPH_FORMAT,
                                      MDSR_HEADER, MPP, MPP_EXTENDED, SQ_SIZE)
from isce.sensors.product import DEFAULT_BLOCK_LINES
from .quantize import image_peak

__all__ = ["DataSet", "n1_header", "mph_values", "write_dor_vor", "orbit_datetimes", "write_ims",
           "write_envisat_slc", "write_ers_envisat_slc", "GAIN_PEAK"]


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
    write_binary(path, lambda fh: fh.write(head + records))
    return path


# ============================================================================ IMS (SLC) writer
#: per mission: file-name prefix and extension, MPP layout, processing facts written (chirp as
#: the ASAR handbook / ERS AMI: IS2 27.18 us of 16 MHz, ERS 37.12 us of 15.55 MHz)
_MISSION_FACTS = {
    "ENVISAT": {"prefix": "ASA", "ext": "N1", "stage": "N", "mpp": MPP_EXTENDED, "swath": "IS2",
                "compression": "FBAQ4", "pulse": 2.7176629e-05, "bandwidth": 16.0e6,
                "software": "ISCE-SIM/6.03", "orbit_ref": (12250, _dt.datetime(2004, 7, 3, 20, 53, 38)),
                "orbit_period": 86400.0 / (14 + 11 / 35), "repeat": 501},
    "ERS": {"prefix": "SAR", "ext": "E1", "stage": "X", "mpp": MPP, "swath": "IS2",
            "compression": "NONE ", "pulse": 37.12e-6, "bandwidth": 15.55e6,
            "software": "ISCE-SIM/3.08", "orbit_ref": (23166, _dt.datetime(1995, 12, 20, 2, 43, 20)),
            "orbit_period": 86400.0 * 35 / 501, "repeat": 501},
}
#: the image's largest |I| or |Q| is written as this many counts (int16 SWORD holds 32767)
GAIN_PEAK = 30000.0
#: s between the MPP's state vectors of a short scene (a real 18.3-s IMS frame: 4.585 s)
MPP_VECTOR_SPACING = 4.585
#: geolocation granules (ESA writes 12-13 for a full frame) and tie points per line
GRANULES = 8
TIE_POINTS_PER_LINE = 11


def _utc_us(orbit_epoch, seconds: float) -> _dt.datetime:
    """UTC datetime, rounded to the microsecond, of ``seconds`` after a DateTime epoch."""
    ns = orbit_epoch.nanoseconds_since_unix_epoch + int(round(seconds * 1e9))
    us = (ns + 500) // 1000
    return _dt.datetime(1970, 1, 1) + _dt.timedelta(microseconds=us)


def _mjd(rec, when: _dt.datetime) -> None:
    """Fill an MJD2000 field with ``when``."""
    delta = when - MJD2000
    rec["days"] = delta.days
    rec["seconds"] = delta.seconds
    rec["microseconds"] = delta.microseconds


class _Ims:
    """The facts of one IMS file computed from a product (times, grid, names)."""

    def __init__(self, product, mission: str, name: str, height: float):
        self.p, self.g = product, product.radar_grid
        self.facts = _MISSION_FACTS[mission]
        self.mission, self.height = mission, float(height)
        epoch = self.g.reference_epoch
        self.first = _utc_us(epoch, self.g.sensing_start)
        self.lti = float(np.float32(1.0 / self.g.prf))
        self.last = self.first + _dt.timedelta(microseconds=int(self.line_offset_us(self.g.length - 1)))
        self.tau0 = float(np.float32(2.0 * self.g.starting_range / SPEED_OF_LIGHT * 1e9)) * 1e-9
        self.fs = float(product.range_sampling_rate or SPEED_OF_LIGHT / (2 * self.g.range_pixel_spacing))
        self.abs_orbit = self._abs_orbit()
        self.product_name = self._name(name)

    def seconds(self, when: _dt.datetime) -> float:
        """Seconds since the product's epoch of a UTC datetime."""
        return DateTime(when.isoformat()).seconds_since(self.g.reference_epoch)

    def _abs_orbit(self) -> int:
        ref, when = self.facts["orbit_ref"]
        return max(1, ref + int(round((self.first - when).total_seconds() / self.facts["orbit_period"])))

    def _name(self, name: str) -> str:
        f = self.facts
        duration = int(math.ceil((self.last - self.first).total_seconds()))
        counter = zlib.crc32(name.encode()) % 10000
        rel = self.abs_orbit % f["repeat"] + 1
        cycle = self.abs_orbit // f["repeat"] % 1000
        text = (f"{f['prefix']}_IMS_1P{f['stage']}ISC{self.first:%Y%m%d_%H%M%S}_{duration:08d}"
                f"2{cycle:03d}_{rel:05d}_{self.abs_orbit:05d}_{counter:04d}.{f['ext']}")
        assert len(text) == 62, text
        return text

    def line_offset_us(self, k):
        """Microseconds from the first line to line(s) ``k`` (each line's MJD time)."""
        return np.rint(np.asarray(k, dtype=np.float64) * self.lti * 1e6).astype(np.int64)

    def line_time(self, k) -> np.ndarray:
        return self.g.sensing_start + np.asarray(k, dtype=np.float64) * self.lti

    def passing(self) -> str:
        vel = self.p.orbit.interpolate(self.g.sensing_mid)[1]
        return "ASCENDING" if float(np.ravel(vel)[2]) >= 0 else "DESCENDING"


def _tie_points(ims: _Ims, lines: np.ndarray) -> dict:
    """rdr2geo of 11 tie points on each of ``lines`` (0-based) at the grid height: samples
    (1-based), two-way range times [ns, float32], incidence [deg], lat/lon [1e-6 deg]."""
    g = ims.g
    samples = np.rint(np.linspace(1, g.width, TIE_POINTS_PER_LINE)).astype(np.int64)
    tau_ns = (np.float32(ims.tau0 * 1e9) + (samples - 1) / ims.fs * 1e9).astype(np.float32)
    t = np.repeat(ims.line_time(lines), len(samples))
    r = np.tile(tau_ns.astype(np.float64) * 1e-9 * SPEED_OF_LIGHT / 2.0, len(lines))
    llh, ok = rdr2geo_points(t, r, ims.p.orbit, ims.p.wavelength, ims.p.look_side,
                             heights=np.full(len(t), ims.height))
    if not np.all(ok):
        raise InputError("geolocation grid: rdr2geo did not converge for every tie point")
    target = WGS84.lon_lat_to_xyz(llh)
    pos = ims.p.orbit.interpolate(t)[0]
    los = (target - pos) / np.linalg.norm(target - pos, axis=1)[:, None]
    normal = WGS84.n_vector(llh[:, 0], llh[:, 1])
    inc = np.degrees(np.arccos(np.clip(-np.sum(los * normal, axis=1), -1.0, 1.0)))
    shape = (len(lines), len(samples))
    return {"samp_numbers": np.broadcast_to(samples, shape),
            "slant_range_times": np.broadcast_to(tau_ns, shape),
            "angles": inc.reshape(shape),
            "lats": np.rint(np.degrees(llh[:, 1]) * 1e6).reshape(shape),
            "longs": np.rint(np.degrees(llh[:, 0]) * 1e6).reshape(shape)}


def _track_heading(ims: _Ims, t: float) -> float:
    """Heading [deg from north] of the sub-satellite track at time ``t``."""
    pos, vel = (np.ravel(v) for v in ims.p.orbit.interpolate(t))
    lon, lat = math.atan2(pos[1], pos[0]), math.atan2(pos[2], math.hypot(pos[0], pos[1]))
    east = np.array([-math.sin(lon), math.cos(lon), 0.0])
    north = np.array([-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)])
    return math.degrees(math.atan2(float(vel @ east), float(vel @ north)))


def _geolocation_records(ims: _Ims):
    """The geolocation grid ADSRs (granules of lines) and the tie points of the corners."""
    n = ims.g.length
    granules = max(1, min(GRANULES, n // 2))
    starts = np.linspace(0, n, granules + 1).round().astype(np.int64)
    firsts, lasts = starts[:-1], starts[1:] - 1
    ties = _tie_points(ims, np.concatenate([firsts, lasts]))
    recs = GEOLOCATION.empty(granules)
    for k in range(granules):
        r = recs[k]
        _mjd(r["first_zero_doppler_time"], _utc_us(ims.g.reference_epoch, ims.line_time(firsts[k])))
        _mjd(r["last_zero_doppler_time"], _utc_us(ims.g.reference_epoch, ims.line_time(lasts[k])))
        r["line_num"], r["num_lines"] = firsts[k] + 1, lasts[k] - firsts[k] + 1
        r["sub_sat_track"] = _track_heading(ims, float(ims.line_time(firsts[k])))
        r["swath"] = ims.facts["swath"].encode()
        for key, row in (("first_line_tie_points", k), ("last_line_tie_points", granules + k)):
            for field, values in ties.items():
                r[key][field] = values[row]
    return recs, ties, granules


def _corner_values(ties: dict, granules: int) -> dict:
    out = {}
    for line, row in (("FIRST", 0), ("LAST", 2 * granules - 1)):
        for pos, col in (("NEAR", 0), ("MID", TIE_POINTS_PER_LINE // 2), ("FAR", -1)):
            out[f"{line}_{pos}_LAT"] = int(ties["lats"][row][col])
            out[f"{line}_{pos}_LONG"] = int(ties["longs"][row][col])
    return out


def _doppler_record(ims: _Ims):
    """One Doppler centroid ADSR at mid-scene: the product's ESA polynomial when it was read
    from an N1 file, else a quadratic fit over range of ``product.doppler`` at mid-scene."""
    rec = DOPPLER.empty(1)
    from_ims = str(ims.p.attributes.get("product_type", ""))[4:7] == "IMS"
    own = ims.p.attributes.get("doppler_centroid") if from_ims else None
    t_mid = ims.g.sensing_mid
    if own:
        est = own[0]
        t_mid, tau_ref, coef = est["azimuth_time"], est["reference_point"], list(est["coefficients"])
    else:
        tau_ref = ims.tau0
        r = ims.g.starting_range + np.linspace(0, ims.g.width - 1, 16) * ims.g.range_pixel_spacing
        fd = np.asarray([ims.p.doppler.eval(t_mid, x) for x in r], dtype=np.float64)
        coef = list(np.polynomial.polynomial.polyfit(2 * r / SPEED_OF_LIGHT - tau_ref, fd, 2))
    _mjd(rec[0]["zero_doppler_time"], _utc_us(ims.g.reference_epoch, t_mid))
    rec[0]["slant_range_time"] = tau_ref * 1e9
    rec[0]["dop_coef"][:len(coef)] = coef[:5]
    rec[0]["dop_conf"] = 1.0
    return rec


def _mpp_record(ims: _Ims, gain: float):
    """The Main Processing Parameters ADSR (``MPP`` or ``MPP_EXTENDED``)."""
    layout = ims.facts["mpp"]
    full = layout.empty(1)
    m = full[0]["base"] if layout is MPP_EXTENDED else full[0]
    p, g, f = ims.p, ims.g, ims.facts
    _mjd(m["first_zero_doppler_time"], ims.first)
    _mjd(m["last_zero_doppler_time"], ims.last)
    m["work_order_id"] = b"ISCE-SIM    "
    m["swath_num"] = f["swath"].encode()
    m["range_spacing"] = SPEED_OF_LIGHT / (2 * ims.fs)
    pos, vel = (np.ravel(v) for v in p.orbit.interpolate(g.sensing_mid))
    ground_speed = float(np.linalg.norm(vel)) * WGS84.a / float(np.linalg.norm(pos))
    m["azimuth_spacing"] = ground_speed * ims.lti
    m["line_time_interval"] = ims.lti
    m["num_output_lines"], m["num_samples_per_line"] = g.length, g.width
    m["data_type"] = b"SWORD"
    m["prf_value"][0] = g.prf
    pulse = float(p.attributes.get("pulse_length", f["pulse"]))
    slope = float(p.attributes.get("chirp_slope", f["bandwidth"] / f["pulse"]))
    m["tx_pulse_len_value"][0] = pulse
    m["tx_pulse_bw_value"][0] = abs(slope) * pulse
    m["first_proc_range_samp"] = 1
    m["range_samp_rate"], m["radar_freq"] = ims.fs, SPEED_OF_LIGHT / p.wavelength
    m["num_looks_range"], m["num_look_az"] = 1, 1
    m["filter_range"] = m["filter_az"] = b"NONE   "
    m["look_bw_range"][0] = m["tot_bw_range"][0] = p.range_bandwidth or abs(slope) * pulse
    m["look_bw_az"] = m["to_bw_az"] = p.azimuth_bandwidth or 0.0
    m["nominal_chirp"][0]["amp"][0] = 1.0
    m["nominal_chirp"][0]["phs"][2] = slope / 2.0
    m["calibration_factors"][0]["proc_scaling_fact"] = gain
    m["avg_scene_height_ellpsoid"] = ims.height
    m["echo_comp"], m["echo_comp_ratio"] = b"NONE", b"8/8"
    t = _mpp_vector_times(g.sensing_start, (g.length - 1) * ims.lti)
    pos, vel = p.orbit.interpolate(t)
    sv = m["orbit_state_vectors"]
    for k in range(5):
        _mjd(sv[k]["time"], _utc_us(g.reference_epoch, t[k]))
        sv[k]["x"], sv[k]["y"], sv[k]["z"] = np.rint(pos[k] * 100.0)
        sv[k]["vx"], sv[k]["vy"], sv[k]["vz"] = np.rint(vel[k] * 1e5)
    return layout, full


def _mpp_vector_times(start: float, span: float) -> np.ndarray:
    """Times of the MPP's 5 state vectors: evenly from the first to the last line (ESA), or,
    for a scene shorter than a frame, MPP_VECTOR_SPACING apart centred on it (the vectors of
    the frame it would be cut from), so the orbit covers the geometry around the scene."""
    if span >= 4 * MPP_VECTOR_SPACING:
        return np.linspace(start, start + span, 5)
    return start + 0.5 * span + MPP_VECTOR_SPACING * np.arange(-2.0, 3.0)


def _chirp_record(ims: _Ims, polar: str):
    rec = CHIRP.empty(1)
    _mjd(rec[0]["zero_doppler_time"], ims.first)
    rec[0]["swath"], rec[0]["polar"] = b"NS ", polar.encode()
    rec[0]["normalisation_source"] = b"NONE   "
    return rec


def _sq_record(ims: _Ims) -> bytes:
    rec = AdsLayout("MDS1 SQ ADS", [("zero_doppler_time", "mjd", 1), (None, "", SQ_SIZE - 12)])
    data = rec.empty(1)
    _mjd(data[0]["zero_doppler_time"], ims.first)
    return rec.pack(data)


def _peak(product, block_lines: int) -> float:
    """Largest |I| or |Q| of the image (first pass, block by block)."""
    peak, bad = image_peak(product, block_lines)
    if bad:
        raise InputError(f"{product.source.describe()}: the image holds NaN or inf samples: "
                         "cannot be written as int16")
    if peak == 0.0:
        raise InputError(f"{product.source.describe()}: the SLC image holds no data (all zero)")
    return peak


def _mds_lines(ims: _Ims, rows: slice, block: np.ndarray, gain: float) -> bytes:
    """The MDSRs of lines ``rows``: 17-byte header then big-endian int16 I/Q."""
    n, width = block.shape
    iq = np.empty((n, width, 2), dtype=np.float64)
    iq[..., 0], iq[..., 1] = block.real, block.imag
    iq = np.rint(iq * gain)
    if np.max(np.abs(iq), initial=0.0) > 32767:
        raise InputError(f"lines {rows.start}-{rows.stop - 1}: a sample would clip in int16")
    rec = np.zeros(n, dtype=np.dtype([("h", MDSR_HEADER.dtype), ("iq", ">i2", (width, 2))]))
    k = np.arange(rows.start, rows.stop)
    epoch_us = ims.first - MJD2000
    us = np.int64(epoch_us.days) * 86_400_000_000 + epoch_us.seconds * 1_000_000 + \
        epoch_us.microseconds + ims.line_offset_us(k)
    days, rest = np.divmod(us, 86_400_000_000)
    rec["h"]["zero_doppler_time"]["days"] = days
    rec["h"]["zero_doppler_time"]["seconds"], rec["h"]["zero_doppler_time"]["microseconds"] = \
        np.divmod(rest, 1_000_000)
    rec["h"]["range_line_num"] = k + 1
    rec["iq"] = iq.astype(np.int16)
    return rec.tobytes()


def _sph(ims: _Ims, ties: dict, granules: int, polar: str) -> bytes:
    values = {"SPH_DESCRIPTOR": "Image Mode SLC Image", "STRIPLINE_CONTINUITY_INDICATOR": 0,
              "SLICE_POSITION": 1, "NUM_SLICES": 1, "FIRST_LINE_TIME": format_utc(ims.first),
              "LAST_LINE_TIME": format_utc(ims.last), **_corner_values(ties, granules),
              "SWATH": ims.facts["swath"], "PASS": ims.passing(), "SAMPLE_TYPE": "COMPLEX",
              "ALGORITHM": "RAN/DOP", "MDS1_TX_RX_POLAR": polar, "MDS2_TX_RX_POLAR": "",
              "COMPRESSION": ims.facts["compression"], "AZIMUTH_LOOKS": 1, "RANGE_LOOKS": 1,
              "RANGE_SPACING": SPEED_OF_LIGHT / (2 * ims.fs), "AZIMUTH_SPACING": 0.0,
              "LINE_TIME_INTERVAL": ims.lti, "LINE_LENGTH": ims.g.width, "DATA_TYPE": "SWORD"}
    return format_block(IMS_SPH_FORMAT, values)


def _polar(product) -> str:
    pol = (product.polarization or "VV").upper()
    if len(pol) != 2 or any(c not in "HV" for c in pol):
        raise InputError(f"polarization {product.polarization!r} cannot be written as an N1 "
                         "TX/RX polarisation (HH, HV, VH, VV)")
    return f"{pol[0]}/{pol[1]}"


def write_ims(product, path, mission: str, *, name: str = "", height: float = 0.0,
              block_lines: int = DEFAULT_BLOCK_LINES) -> str:
    """Write ``product`` (an SlcProduct) as an IMS N1 file ``path`` of ``mission``
    (``ENVISAT``: ASA_IMS_1P, ``ERS``: SAR_IMS_1P), the geolocation grid computed at ``height``
    [m above the ellipsoid] (recorded as the MPP's average scene height). Block by block."""
    ims = _Ims(product, mission, name, height)
    polar = _polar(product)
    gain = GAIN_PEAK / _peak(product, block_lines)
    layout, mpp = _mpp_record(ims, gain)
    geo, ties, granules = _geolocation_records(ims)
    g = ims.g
    mds_size = MDSR_HEADER.size + 4 * g.width
    payload = {"MDS1 SQ ADS": _sq_record(ims), "MAIN PROCESSING PARAMS ADS": layout.pack(mpp),
               "DOP CENTROID COEFFS ADS": DOPPLER.pack(_doppler_record(ims)),
               "CHIRP PARAMS ADS": CHIRP.pack(_chirp_record(ims, polar)),
               "GEOLOCATION GRID ADS": GEOLOCATION.pack(geo)}
    sizes = {"MDS1 SQ ADS": (1, SQ_SIZE), "MAIN PROCESSING PARAMS ADS": (1, layout.size),
             "DOP CENTROID COEFFS ADS": (1, DOPPLER.size), "CHIRP PARAMS ADS": (1, CHIRP.size),
             "GEOLOCATION GRID ADS": (granules, GEOLOCATION.size), "MDS1": (g.length, mds_size)}
    refs = {"LEVEL 0 PRODUCT": f"{ims.facts['prefix']}_IM__0P (simulated echoes)"}
    data_sets = []
    for ds_name, ds_type in IMS_DATA_SETS:
        if ds_name in sizes:
            data_sets.append(DataSet(ds_name, ds_type, *sizes[ds_name]))
        elif ds_type == "R" and ds_name in refs:
            data_sets.append(DataSet(ds_name, ds_type, filename=refs[ds_name]))
        else:
            data_sets.append(DataSet(ds_name, ds_type, used=False))
    sv_t = float(g.sensing_start)
    pos, vel = (np.ravel(v) for v in product.orbit.interpolate(sv_t))
    mph = mph_values(ims.product_name, sensing_start=ims.first, sensing_stop=ims.last,
                     state_time=ims.first, position=pos, velocity=vel, abs_orbit=ims.abs_orbit,
                     rel_orbit=ims.abs_orbit % ims.facts["repeat"] + 1,
                     cycle=ims.abs_orbit // ims.facts["repeat"] % 1000, phase="2",
                     software=ims.facts["software"],
                     vector_source="DP" if mission == "ENVISAT" else "PC")
    head, offsets = n1_header(mph, _sph(ims, ties, granules, polar), data_sets)
    path = os.fspath(path)
    with replacing(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(head)
            for ds_name, data in payload.items():
                assert fh.tell() == offsets[ds_name], ds_name
                fh.write(data)
            assert fh.tell() == offsets["MDS1"]
            for rows, block in product.iter_blocks(block_lines):
                fh.write(_mds_lines(ims, rows, block, gain))
    return path


def _write_pair_member(product, folder, name: str, mission: str, orbit_file: bool) -> dict:
    folder = os.fspath(folder)
    sub = os.path.join("ENVISAT_SLC" if mission == "ENVISAT" else "ERS_ENVISAT_SLC", name)
    os.makedirs(os.path.join(folder, sub), exist_ok=True)
    height = float(product.attributes.get("average_height", 0.0) or 0.0)
    ims = _Ims(product, mission, name, height)
    image = os.path.join(sub, ims.product_name)
    write_ims(product, os.path.join(folder, image), mission, name=name, height=height)
    props = {"IMAGEFILE": image}
    if orbit_file:
        orbit = os.path.join(sub, _dor_name(product))
        write_dor_vor(product.orbit, os.path.join(folder, orbit), spacing=_dor_spacing(product.orbit),
                      abs_orbit=ims.abs_orbit)
        props["ORBITFILE"] = orbit
    return props


def _dor_spacing(orbit) -> float:
    """DORIS writes a vector every 60 s; a shorter simulated orbit is sampled at least 8 times."""
    return float(min(60.0, (orbit.end_time - orbit.start_time) / 8.0))


def _dor_name(product) -> str:
    o = product.orbit
    first, last = orbit_datetimes(o, [o.start_time, o.end_time])
    return (f"DOR_VOR_AXVF-P{last:%Y%m%d_%H%M%S}_{first:%Y%m%d_%H%M%S}_"
            f"{last:%Y%m%d_%H%M%S}")


def write_envisat_slc(product, folder, name: str) -> dict:
    """Write an SlcProduct as ENVISAT ASAR IMS (``ASA_IMS_1P`` N1) plus its DORIS orbit file
    below ``folder``; returns ``{"IMAGEFILE": ..., "ORBITFILE": ...}`` relative to ``folder``."""
    return _write_pair_member(product, folder, name, "ENVISAT", orbit_file=True)


def write_ers_envisat_slc(product, folder, name: str) -> dict:
    """Write an SlcProduct as ERS IMS in N1 (``SAR_IMS_1P``) below ``folder``; returns
    ``{"IMAGEFILE": ...}`` relative to ``folder`` (the orbit is the product's MPP vectors)."""
    return _write_pair_member(product, folder, name, "ERS", orbit_file=False)
