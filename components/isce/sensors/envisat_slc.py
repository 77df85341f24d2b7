"""ENVISAT ASAR and ERS single-look complex products in ESA's N1 format (``ASA_IMS_1P``,
``SAR_IMS_1P``): ISCE2's ``ENVISAT_SLC`` and ``ERS_ENVISAT_SLC``.

Reference: ENVISAT ASAR Product Handbook (ESA, issue 2.2, 2007), ch. 6 "ASAR Level 1
products" (ADS record layouts), and ENVISAT Products Specifications PO-RS-MDA-GS-2009
vol. 8; read as ISCE2's ``EnviSAT_SLC.py`` / ``ERS_EnviSAT_SLC.py`` (its byte offsets
agree with the layouts below). The file (:mod:`isce.sensors.envisat_n1`) holds, in the
data sets named by its DSDs:

``MAIN PROCESSING PARAMS ADS`` (:data:`MPP`, one 2009-byte record; PF-ASAR 6.02 and later
    write 10069 bytes: the same 2009 followed by an extension not read here): first/last
    zero-Doppler times (MJD2000), range and azimuth spacing [m], line time interval [s],
    lines, samples per line, the PRF, pulse length and bandwidth, the range sampling rate
    and radar frequency [Hz], the scene's average height above the ellipsoid [m] and 5
    state vectors (MJD, position [1e-2 m], velocity [1e-5 m/s], Earth-fixed) evenly from
    the first to the last line;
``DOP CENTROID COEFFS ADS`` (:data:`DOPPLER`): f_dc(tau) = sum_i c_i (tau - tau0)^i with
    tau the two-way slant-range time [s] and tau0 given in ns;
``CHIRP PARAMS ADS`` (:data:`CHIRP`): the range impulse response of the chirp replica;
``GEOLOCATION GRID ADS`` (:data:`GEOLOCATION`): granules of lines, 11 tie points across
    the swath on their first and last lines: range sample (1-based), two-way slant-range
    time [ns], incidence angle [deg], latitude and longitude [1e-6 deg];
``MDS1``: one record per line, the 17-byte :data:`MDSR_HEADER` (zero-Doppler time, quality
    flag, line number) then ``samples`` big-endian int16 I/Q pairs.

Conventions: the product is zero-Doppler focused (``doppler`` zero; ESA's data Doppler
centroid is kept in ``attributes["doppler_centroid"]``); the image starts at the first tie
point's slant-range time (sample 1, as ISCE2); lines are ``line_time_interval`` apart (the
MPP's, checked against the first and last line times); the orbit is a DORIS ``DOR_VOR_AX``
file (``ORBITFILE`` / ``ORBIT_DIRECTORY``, as ISCE2) or, when none is given, the MPP's five
state vectors (an ISCE2 input without an orbit was refused; here it is logged). ASAR and
ERS look right. The image is read by the ``"envisat_n1"`` format of
:class:`~isce.sensors.product.ImageSource` (:func:`read_mds`), only the asked lines.
A file without image lines (a header-only copy) is read by ``read_envisat_slc(...,
require_image=False)``; the readers refuse it ("no image data").
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import replace
import logging
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .base import Sensor
from .doris import find_dor_vor, read_dor_vor
from .ers_orbits import orbit_of_type
from .envisat_n1 import AdsLayout, find_aux_file, mjd_datetime, n1_error, open_n1
from .product import ImageSource, SlcProduct

__all__ = ["IMS_SPH_FORMAT", "IMS_DATA_SETS", "SQ_SIZE", "MPP", "MPP_EXTENDED", "DOPPLER", "CHIRP",
           "GEOLOCATION", "MDSR_HEADER", "TIE_POINTS",
           "STATE_VECTOR", "PRODUCT_TYPES", "read_envisat_slc", "read_n1_slc_header", "read_mds",
           "geolocation_grid", "EnvisatSlc", "ErsEnvisatSlc", "N1SlcHeader"]

log = logging.getLogger("isce.sensors.envisat_slc")

#: product type (first 10 characters of the MPH PRODUCT) of each reader
PRODUCT_TYPES = {"ENVISAT_SLC": "ASA_IMS_1P", "ERS_ENVISAT_SLC": "SAR_IMS_1P"}
_MISSIONS = {"ASA": ("ENVISAT", "ENVISAT"), "SAR": ("ERS", "ERS")}
#: ESA's name of each level-1 product type (what a wrong one is refused as)
_KINDS = {"IMS": "SLC (IMS)", "IMP": "precision image (PRI, ground range)",
          "APS": "alternating polarisation SLC", "IMG": "ellipsoid geocoded image",
          "IMM": "medium resolution image", "APP": "alternating polarisation PRI",
          "WSM": "wide swath image", "IM_": "raw (level 0) data"}

# ---------------------------------------------------------------------------- record layouts
STATE_VECTOR = AdsLayout("state vector", [
    ("time", "mjd", 1), ("x", "i4", 1), ("y", "i4", 1), ("z", "i4", 1),
    ("vx", "i4", 1), ("vy", "i4", 1), ("vz", "i4", 1)], size=36)
_START_TIME = AdsLayout("start time", [("first_obt", "u4", 2), ("first_mjd", "mjd", 1)], size=20)
_CAL_FACTOR = AdsLayout("calibration factor", [("proc_scaling_fact", "f4", 1),
                                                ("ext_cal_fact", "f4", 1)], size=8)
_OUT_STATS = AdsLayout("output statistics", [("out_mean", "f4", 1), ("out_imag_mean", "f4", 1),
                                              ("out_std_dev", "f4", 1),
                                              ("out_imag_std_dev", "f4", 1)], size=16)
_NOMINAL_CHIRP = AdsLayout("nominal chirp", [("amp", "f4", 4), ("phs", "f4", 4)], size=32)

#: Main Processing Parameters ADSR (ASAR Product Handbook table 6.50; 0-based offsets follow
#: from the order; spares are ``None`` rows)
MPP = AdsLayout("MAIN PROCESSING PARAMS ADS", [
    ("first_zero_doppler_time", "mjd", 1), ("attach_flag", "u1", 1),
    ("last_zero_doppler_time", "mjd", 1), ("work_order_id", "S12", 1), ("time_diff", "f4", 1),
    ("swath_num", "S3", 1), ("range_spacing", "f4", 1), ("azimuth_spacing", "f4", 1),
    ("line_time_interval", "f4", 1), ("num_output_lines", "u4", 1),
    ("num_samples_per_line", "u4", 1), ("data_type", "S5", 1),
    ("num_range_lines_per_burst", "u4", 1), ("time_diff_zero_doppler", "f4", 1),
    (None, "", 43),
    ("processing_flags", "u1", 15),       # data_analysis_flag .. gm_range_comp_inverse_filter_flag
    (None, "", 6),
    ("raw_data_analysis", "u1", 184),     # 2 x 92 bytes: I/Q biases, gains, quadrature
    (None, "", 32),
    ("start_time", _START_TIME, 2),
    ("parameter_codes", "u2", 60),        # 12 codes x 5 beams (SWST, PRI, pulse, ... codes)
    (None, "", 60),
    ("error_counters", "u4", 10),
    (None, "", 26),
    ("swst_value", "f4", 5), ("last_swst_value", "f4", 5), ("swst_changes", "u4", 5),
    ("prf_value", "f4", 5), ("tx_pulse_len_value", "f4", 5), ("tx_pulse_bw_value", "f4", 5),
    ("echo_win_len_value", "f4", 5), ("up_value", "f4", 5), ("down_value", "f4", 5),
    ("resamp_value", "f4", 5), ("beam_adj_value", "f4", 5), ("beam_set_value", "u2", 5),
    ("tx_monitor_value", "f4", 5), ("rank", "u4", 5),
    (None, "", 62),
    ("first_proc_range_samp", "u4", 1), ("range_ref", "f4", 1), ("range_samp_rate", "f4", 1),
    ("radar_freq", "f4", 1), ("num_looks_range", "u2", 1), ("filter_range", "S7", 1),
    ("filter_coef_range", "f4", 1), ("look_bw_range", "f4", 5), ("tot_bw_range", "f4", 5),
    ("nominal_chirp", _NOMINAL_CHIRP, 5),
    (None, "", 60),
    ("num_lines_proc", "u4", 1), ("num_look_az", "u2", 1), ("look_bw_az", "f4", 1),
    ("to_bw_az", "f4", 1), ("filter_az", "S7", 1), ("filter_coef_az", "f4", 1),
    ("az_fm_rate", "f4", 3), ("ax_fm_origin", "f4", 1), ("dop_amb_conf", "f4", 1),
    (None, "", 68),
    ("calibration_factors", _CAL_FACTOR, 2), ("noise_power_corr", "f4", 5),
    ("num_noise_lines", "u4", 5),
    (None, "", 76),
    ("output_statistics", _OUT_STATS, 2), ("avg_scene_height_ellpsoid", "f4", 1),
    (None, "", 48),
    ("echo_comp", "S4", 1), ("echo_comp_ratio", "S3", 1), ("init_cal_comp", "S4", 1),
    ("init_cal_ratio", "S3", 1), ("per_cal_comp", "S4", 1), ("per_cal_ratio", "S3", 1),
    ("noise_comp", "S4", 1), ("noise_comp_ratio", "S3", 1),
    (None, "", 64),
    ("beam_overlap", "u4", 4), ("beam_param", "f4", 4), ("lines_per_burst", "u4", 5),
    ("time_first_ss1_echo", "mjd", 1),
    (None, "", 16),
    ("orbit_state_vectors", STATE_VECTOR, 5),
    (None, "", 64),
], size=2009)
#: the MPP of PF-ASAR 6.02 and later: the 2009 bytes above, then an extension (not read)
MPP_EXTENDED = AdsLayout("MAIN PROCESSING PARAMS ADS", [
    ("base", MPP, 1), ("extension", "u1", 10069 - 2009)], size=10069)

#: Doppler Centroid Parameters ADSR
DOPPLER = AdsLayout("DOP CENTROID COEFFS ADS", [
    ("zero_doppler_time", "mjd", 1), ("attach_flag", "u1", 1), ("slant_range_time", "f4", 1),
    ("dop_coef", "f4", 5), ("dop_conf", "f4", 1), ("dop_conf_below_thresh_flag", "u1", 1),
    ("delta_dopp_coeff", "i2", 5), (None, "", 3)], size=55)

#: Chirp Parameters ADSR
_CAL_PULSE = AdsLayout("calibration pulse", [
    ("max_cal", "f4", 3), ("avg_cal", "f4", 3), ("avg_val_1a", "f4", 1), ("phs_cal", "f4", 4)],
    size=44)
CHIRP = AdsLayout("CHIRP PARAMS ADS", [
    ("zero_doppler_time", "mjd", 1), ("attach_flag", "u1", 1), ("swath", "S3", 1),
    ("polar", "S3", 1), ("chirp_width", "f4", 1), ("chirp_sidelobe", "f4", 1),
    ("chirp_islr", "f4", 1), ("chirp_peak_loc", "f4", 1), ("re_chirp_power", "f4", 1),
    ("elev_chirp_power", "f4", 1), ("chirp_quality_flag", "u1", 1), ("ref_chirp_power", "f4", 1),
    ("normalisation_source", "S7", 1), (None, "", 4), ("cal_pulse_info", _CAL_PULSE, 32),
    (None, "", 16)], size=1483)

#: the 11 tie points of one line of the geolocation grid
TIE_POINTS = AdsLayout("tie points", [
    ("samp_numbers", "u4", 11), ("slant_range_times", "f4", 11), ("angles", "f4", 11),
    ("lats", "i4", 11), ("longs", "i4", 11)], size=220)
#: Geolocation Grid ADSR (one per granule of lines)
GEOLOCATION = AdsLayout("GEOLOCATION GRID ADS", [
    ("first_zero_doppler_time", "mjd", 1), ("attach_flag", "u1", 1), ("line_num", "u4", 1),
    ("num_lines", "u4", 1), ("sub_sat_track", "f4", 1), ("first_line_tie_points", TIE_POINTS, 1),
    (None, "", 22), ("last_zero_doppler_time", "mjd", 1), ("last_line_tie_points", TIE_POINTS, 1),
    ("swath", "S3", 1), (None, "", 19)], size=521)

#: the header of each image line (MDSR) before its int16 I/Q samples
MDSR_HEADER = AdsLayout("MDS1 line header", [
    ("zero_doppler_time", "mjd", 1), ("quality_flag", "i1", 1), ("range_line_num", "u4", 1)],
    size=17)
MDS = "MDS1"
_IQ = np.dtype(">i2")

#: the SPH of an IMS product (before its DSDs), as :data:`~isce.sensors.envisat_n1.MPH_FORMAT`
IMS_SPH_FORMAT = (
    ("SPH_DESCRIPTOR", "s", 28, ""), ("STRIPLINE_CONTINUITY_INDICATOR", "i", 4, ""),
    ("SLICE_POSITION", "i", 4, ""), ("NUM_SLICES", "i", 4, ""),
    ("FIRST_LINE_TIME", "s", 27, ""), ("LAST_LINE_TIME", "s", 27, ""),
    *((f"{line}_{pos}_{c}", "i", 11, f"10-6deg{'N' if c == 'LAT' else 'E'}")
      for line in ("FIRST", "LAST") for pos in ("NEAR", "MID", "FAR") for c in ("LAT", "LONG")),
    (None, "", 35, ""),
    ("SWATH", "s", 3, ""), ("PASS", "s", 10, ""), ("SAMPLE_TYPE", "s", 8, ""),
    ("ALGORITHM", "s", 7, ""), ("MDS1_TX_RX_POLAR", "s", 3, ""), ("MDS2_TX_RX_POLAR", "s", 3, ""),
    ("COMPRESSION", "s", 5, ""), ("AZIMUTH_LOOKS", "i", 4, ""), ("RANGE_LOOKS", "i", 4, ""),
    ("RANGE_SPACING", "e8", 15, "m"), ("AZIMUTH_SPACING", "e8", 15, "m"),
    ("LINE_TIME_INTERVAL", "e8", 15, "s"), ("LINE_LENGTH", "i", 6, "samples"),
    ("DATA_TYPE", "s", 5, ""),
    (None, "", 50, ""),
)
#: the data sets of an IMS product, in the order ESA writes their DSDs: (name, type)
IMS_DATA_SETS = (
    ("MDS1 SQ ADS", "A"), ("MDS2 SQ ADS", "A"), ("MAIN PROCESSING PARAMS ADS", "A"),
    ("DOP CENTROID COEFFS ADS", "A"), ("SR GR ADS", "A"), ("CHIRP PARAMS ADS", "A"),
    ("MDS1 ANTENNA ELEV PATT ADS", "A"), ("MDS2 ANTENNA ELEV PATT ADS", "A"),
    ("GEOLOCATION GRID ADS", "A"), ("MAP PROJECTION GADS", "G"), ("MDS1", "M"), ("MDS2", "M"),
    ("LEVEL 0 PRODUCT", "R"), ("ASAR PROCESSOR CONFIG", "R"), ("INSTRUMENT CHARACTERIZATION", "R"),
    ("EXTERNAL CHARACTERIZATION", "R"), ("EXTERNAL CALIBRATION", "R"), ("ORBIT STATE VECTOR 1", "R"),
)
#: the MDS1 Summary Quality ADSR (written with its time; not read)
SQ_SIZE = 170


# ---------------------------------------------------------------------------- header
def _seconds(mjd) -> float:
    """Seconds since 2000-01-01 of one MJD record field."""
    return float(mjd["days"]) * 86400.0 + float(mjd["seconds"]) + float(mjd["microseconds"]) * 1e-6


def _datetime(mjd) -> _dt.datetime:
    return mjd_datetime(int(mjd["days"]), int(mjd["seconds"]), int(mjd["microseconds"]))


class N1SlcHeader:
    """Everything an IMS file's headers and annotation data sets say (no image access):
    ``n1`` (:class:`~isce.sensors.envisat_n1.N1File`), ``mpp`` (the 2009-byte record),
    ``doppler``, ``chirp`` and ``geolocation`` records, and the ``mds`` DSD."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.n1 = open_n1(self.path, what="ENVISAT N1 SLC file")
        self.product_type = self.n1.product_type
        self._check_type()
        mpp_dsd = self.n1.dsd(MPP.name)
        layout = MPP_EXTENDED if mpp_dsd.dsr_size == MPP_EXTENDED.size else MPP
        rec = self.n1.read_ads(MPP.name, layout)[0]
        self.mpp = rec["base"] if layout is MPP_EXTENDED else rec
        self.mpp_dsd = mpp_dsd
        self.doppler = self.n1.read_ads(DOPPLER.name, DOPPLER)
        self.chirp = self.n1.read_ads(CHIRP.name, CHIRP)[0]
        self.geolocation = self.n1.read_ads(GEOLOCATION.name, GEOLOCATION)
        self.mds = self.n1.dsd(MDS, dsr_size=MDSR_HEADER.size + 4 * self.samples)

    def _check_type(self):
        kind = self.product_type[4:7]
        if self.product_type[:3] not in _MISSIONS:
            raise n1_error(self.path, "MPH key PRODUCT", self.n1.mph.offset("PRODUCT"),
                           f"product type {self.product_type} is not an ENVISAT ASAR (ASA_) or "
                           "ERS (SAR_) product")
        if kind != "IMS":
            raise n1_error(self.path, "MPH key PRODUCT", self.n1.mph.offset("PRODUCT"),
                           f"product type {self.product_type} is a "
                           f"{_KINDS.get(kind, 'product other than an SLC')}, not an SLC (IMS)")

    # -- scalar facts
    @property
    def mission(self) -> str:
        return _MISSIONS[self.product_type[:3]][0]

    @property
    def samples(self) -> int:
        return int(self.mpp["num_samples_per_line"])

    @property
    def lines(self) -> int:
        return int(self.mpp["num_output_lines"])

    @property
    def first_line(self) -> _dt.datetime:
        return _datetime(self.mpp["first_zero_doppler_time"])

    @property
    def last_line(self) -> _dt.datetime:
        return _datetime(self.mpp["last_zero_doppler_time"])

    @property
    def line_time_interval(self) -> float:
        return float(self.mpp["line_time_interval"])

    @property
    def range_sampling_rate(self) -> float:
        return float(self.mpp["range_samp_rate"])

    @property
    def radar_frequency(self) -> float:
        return float(self.mpp["radar_freq"])

    @property
    def first_range_time(self) -> float:
        """Two-way slant-range time [s] of sample 1 (first tie point of the first granule)."""
        tie = self.geolocation[0]["first_line_tie_points"]
        return float(tie["slant_range_times"][0]) * 1e-9

    @property
    def lines_present(self) -> int:
        return self.n1.records_present(self.mds)

    def where(self, what: str) -> tuple[str, int]:
        """(data set description, file byte offset) of an MPP field, for messages."""
        return f"{self.mpp_dsd.where()} field {what}", self.mpp_dsd.offset + MPP.offset(what)

    def mpp_error(self, field: str, message: str) -> InputError:
        where, off = self.where(field)
        return n1_error(self.path, where, off, message)

    def state_vectors(self):
        """(datetimes, positions (5, 3) [m], velocities (5, 3) [m/s]) of the MPP."""
        sv = self.mpp["orbit_state_vectors"]
        when = [_datetime(s["time"]) for s in sv]
        pos = np.stack([sv["x"], sv["y"], sv["z"]], axis=1).astype(np.float64) * 1e-2
        vel = np.stack([sv["vx"], sv["vy"], sv["vz"]], axis=1).astype(np.float64) * 1e-5
        return when, pos, vel

    def mph_state_vector(self):
        """(datetime, position [m], velocity [m/s]) of the MPH's state vector."""
        mph = self.n1.mph
        pos = [mph.real(f"{c}_POSITION", "m") for c in "XYZ"]
        vel = [mph.real(f"{c}_VELOCITY", "m/s") for c in "XYZ"]
        return mph.time("STATE_VECTOR_TIME"), np.array(pos), np.array(vel)


def read_n1_slc_header(path) -> N1SlcHeader:
    """The checked headers and annotation of an IMS file (see :class:`N1SlcHeader`)."""
    header = N1SlcHeader(path)
    _check_header(header)
    return header


def _check_header(h: N1SlcHeader) -> None:
    """Cross-checks of the redundant fields; every disagreement names file and byte."""
    sph = h.n1.sph
    if h.lines < 1 or h.samples < 1:
        raise h.mpp_error("num_output_lines", f"{h.lines} lines of {h.samples} samples")
    if h.mds.num_dsr != h.lines:
        raise n1_error(h.path, h.mds.where(), h.mds.dsd_offset,
                       f"NUM_DSR {h.mds.num_dsr} but the MPP says {h.lines} output lines")
    if "LINE_LENGTH" in sph and sph.integer("LINE_LENGTH", "samples") != h.samples:
        raise n1_error(h.path, "SPH key LINE_LENGTH", sph.offset("LINE_LENGTH"),
                       f"{sph.integer('LINE_LENGTH', 'samples')} samples, the MPP says {h.samples}")
    if "FIRST_LINE_TIME" in sph and abs((sph.time("FIRST_LINE_TIME") - h.first_line)
                                        .total_seconds()) > 1e-6:
        raise n1_error(h.path, "SPH key FIRST_LINE_TIME", sph.offset("FIRST_LINE_TIME"),
                       f"{sph.text('FIRST_LINE_TIME')}, the MPP's first zero-Doppler time is "
                       f"{h.first_line.isoformat()}")
    for field, value in (("line_time_interval", h.line_time_interval),
                         ("range_samp_rate", h.range_sampling_rate),
                         ("radar_freq", h.radar_frequency)):
        if not (np.isfinite(value) and value > 0):
            raise h.mpp_error(field, f"{value!r} is not a positive number")
    span = (h.last_line - h.first_line).total_seconds()
    want = (h.lines - 1) * h.line_time_interval
    if abs(span - want) > 2e-6 + 1e-6 * want:
        raise h.mpp_error("last_zero_doppler_time",
                          f"last line {h.last_line.isoformat()} is {span:.6f} s after the first, "
                          f"{h.lines} lines at {h.line_time_interval!r} s make {want:.6f} s")
    if not 1e-3 < h.first_range_time < 1e-2:
        raise n1_error(h.path, f"DSD {GEOLOCATION.name}", h.n1.dsd(GEOLOCATION.name).offset +
                       GEOLOCATION.offset("first_line_tie_points") + TIE_POINTS.offset("slant_range_times"),
                       f"first slant-range time {h.first_range_time * 1e9:.1f} ns is not a "
                       "spaceborne range (1-10 ms two-way)")


# ---------------------------------------------------------------------------- product
def _epoch(first: _dt.datetime) -> DateTime:
    """The product's reference epoch: the first line's whole second."""
    return DateTime(first.replace(microsecond=0).isoformat())


def _since(when: _dt.datetime, epoch: DateTime) -> float:
    return DateTime(when.isoformat()).seconds_since(epoch)


def _mpp_orbit(h: N1SlcHeader, epoch: DateTime) -> Orbit:
    when, pos, vel = h.state_vectors()
    t = [_since(w, epoch) for w in when]
    try:
        return Orbit(t, pos, vel, epoch.to_datetime64(), interp_method="hermite")
    except ValueError as exc:
        raise h.mpp_error("orbit_state_vectors", f"invalid state vectors: {exc}") from None


def _orbit(h: N1SlcHeader, epoch: DateTime, orbit_file, orbit_dir) -> tuple[Orbit, str]:
    """The orbit: a DORIS file (named, or found in ``orbit_dir``), else the MPP's vectors."""
    start, stop = h.first_line, h.last_line
    if not orbit_file and orbit_dir:
        orbit_file = find_dor_vor(orbit_dir, start, stop)
    if orbit_file:
        when = _dt.datetime.fromisoformat(epoch.isoformat(digits=6).rstrip("Z"))
        return read_dor_vor(orbit_file, when, start, stop), "DORIS"
    return _mpp_orbit(h, epoch), "MPP"


def _doppler_centroid(h: N1SlcHeader, epoch: DateTime) -> list:
    """ESA's Doppler centroid estimates as TerraSAR-X-style dicts (time, reference point
    [s two-way], coefficients [Hz, Hz/s, ...])."""
    return [{"azimuth_time": _since(_datetime(r["zero_doppler_time"]), epoch),
             "reference_point": float(r["slant_range_time"]) * 1e-9,
             "coefficients": [float(c) for c in r["dop_coef"]],
             "confidence": float(r["dop_conf"])} for r in h.doppler]


def _attributes(h: N1SlcHeader, epoch: DateTime, orbit_source: str) -> dict:
    mph, sph, m = h.n1.mph, h.n1.sph, h.mpp
    chirp_phase = m["nominal_chirp"][0]["phs"]
    return {
        "product": h.n1.product, "product_type": h.product_type, "image": h.path,
        "swath": sph.text("SWATH") if "SWATH" in sph else m["swath_num"].decode().strip(),
        "pass": sph.text("PASS") if "PASS" in sph else "",
        "abs_orbit": mph.integer("ABS_ORBIT"), "rel_orbit": mph.integer("REL_ORBIT"),
        "cycle": mph.integer("CYCLE"), "phase": mph.code("PHASE"),
        "proc_center": mph.text("PROC_CENTER"), "software": mph.text("SOFTWARE_VER"),
        "orbit_source": orbit_source, "vector_source": mph.text("VECTOR_SOURCE"),
        "prf": float(m["prf_value"][0]), "pulse_length": float(m["tx_pulse_len_value"][0]),
        "chirp_bandwidth": float(m["tx_pulse_bw_value"][0]),
        "chirp_slope": 2.0 * float(chirp_phase[2]),
        "azimuth_spacing": float(m["azimuth_spacing"]),
        "average_height": float(m["avg_scene_height_ellpsoid"]),
        "first_line_time": h.first_line.isoformat(),
        "stop_time": DateTime(h.last_line.isoformat()).isoformat(),
        "doppler_centroid": _doppler_centroid(h, epoch),
        "azimuth_fm_rate": {"coefficients": [float(c) for c in m["az_fm_rate"]],
                            "reference_point": float(m["ax_fm_origin"]) * 1e-9},
        "chirp_replica": {"width": float(h.chirp["chirp_width"]),
                          "pslr_db": float(h.chirp["chirp_sidelobe"]),
                          "islr_db": float(h.chirp["chirp_islr"])},
    }


def _polarization(h: N1SlcHeader) -> str:
    sph = h.n1.sph
    text = sph.text("MDS1_TX_RX_POLAR") if "MDS1_TX_RX_POLAR" in sph else "V/V"
    return text.replace("/", "").upper()


def read_envisat_slc(path, *, orbit_file=None, orbit_dir=None, product_type: str | None = None,
                     require_image: bool = True) -> SlcProduct:
    """Read an ``ASA_IMS_1P`` / ``SAR_IMS_1P`` N1 file into an SlcProduct reading its MDS
    lines; ``product_type`` (e.g. ``ASA_IMS_1P``) is required when given;
    ``require_image`` False accepts a header-only file (0 image lines present)."""
    h = read_n1_slc_header(path)
    if product_type and h.product_type != product_type:
        raise n1_error(h.path, "MPH key PRODUCT", h.n1.mph.offset("PRODUCT"),
                       f"product type {h.product_type}, expected {product_type} "
                       f"({'ERS' if product_type.startswith('SAR') else 'ENVISAT ASAR'} SLC)")
    present = h.lines_present
    if present < h.lines:
        if present == 0 and not require_image:
            pass
        elif present == 0:
            raise InputError(f"{h.path}: no image data: the file ends at byte {h.n1.size}, where "
                             f"{h.mds.where()} ({h.lines} lines of {h.mds.dsr_size} bytes) starts "
                             "(a header-only copy?)")
        else:
            h.n1.check_in_file(h.mds)          # truncated: names the first missing line
    epoch = _epoch(h.first_line)
    orbit, source = _orbit(h, epoch, orbit_file, orbit_dir)
    grid = RadarGrid(_since(h.first_line, epoch), epoch,
                     starting_range=SPEED_OF_LIGHT * h.first_range_time / 2.0,
                     range_pixel_spacing=SPEED_OF_LIGHT / (2.0 * h.range_sampling_rate),
                     length=h.lines, width=h.samples,
                     wavelength=SPEED_OF_LIGHT / h.radar_frequency, look_side="right",
                     az_time_interval=h.line_time_interval)
    attrs = _attributes(h, epoch, source)
    attrs["image_lines_present"] = present
    platform, mission = _MISSIONS[h.product_type[:3]]
    m = h.mpp
    return SlcProduct(
        radar_grid=grid, orbit=orbit, doppler=zero_doppler(),
        center_frequency=h.radar_frequency, range_bandwidth=float(m["tot_bw_range"][0]) or None,
        azimuth_bandwidth=float(m["to_bw_az"]) or None,
        range_sampling_rate=h.range_sampling_rate, polarization=_polarization(h),
        platform=platform, mission=mission,
        orbit_type="DORIS" if source == "DORIS" else h.n1.mph.text("VECTOR_SOURCE"),
        source=ImageSource("envisat_n1", h.path), attributes=attrs)


def geolocation_grid(header: N1SlcHeader, epoch: DateTime) -> dict:
    """ESA's tie points as flat arrays: ``time`` [s since epoch], ``range_time`` [s two-way],
    ``sample`` (1-based), ``line`` (1-based), ``incidence`` [deg], ``lat``/``lon`` [deg]; the
    first and last line of every granule (a last line repeated as the next first is kept
    once)."""
    rows = {}
    for rec in header.geolocation:
        first = int(rec["line_num"])
        for key, tie, line in (("first_zero_doppler_time", rec["first_line_tie_points"], first),
                               ("last_zero_doppler_time", rec["last_line_tie_points"],
                                first + int(rec["num_lines"]) - 1)):
            rows[line] = (_since(_datetime(rec[key]), epoch), tie)
    out = {k: [] for k in ("time", "range_time", "sample", "line", "incidence", "lat", "lon")}
    for line in sorted(rows):
        t, tie = rows[line]
        out["time"].append(np.full(11, t))
        out["line"].append(np.full(11, line))
        out["sample"].append(tie["samp_numbers"].astype(np.int64))
        out["range_time"].append(tie["slant_range_times"].astype(np.float64) * 1e-9)
        out["incidence"].append(tie["angles"].astype(np.float64))
        out["lat"].append(tie["lats"].astype(np.float64) * 1e-6)
        out["lon"].append(tie["longs"].astype(np.float64) * 1e-6)
    return {k: np.concatenate(v) for k, v in out.items()}


# ---------------------------------------------------------------------------- image
def _mds_layout(path):
    """(MDS DSD, samples per line, N1 file) of an IMS file, checked."""
    n1 = open_n1(path, what="ENVISAT N1 SLC file")
    mds = n1.dsd(MDS)
    samples = (mds.dsr_size - MDSR_HEADER.size) // 4
    if samples < 1 or MDSR_HEADER.size + 4 * samples != mds.dsr_size:
        raise n1_error(path, mds.where(), mds.dsd_offset,
                       f"DSR_SIZE {mds.dsr_size} is not a 17-byte header plus int16 I/Q pairs")
    return mds, samples, n1


def _check_line_times(path, mds, header: np.ndarray, start: int, step: int) -> None:
    """Each line's zero-Doppler time must increase by one line time interval (a shifted or
    corrupt line is refused with its byte offset)."""
    if len(header) < 2:
        return
    t = (header["zero_doppler_time"]["days"].astype(np.float64) * 86400.0
         + header["zero_doppler_time"]["seconds"] + header["zero_doppler_time"]["microseconds"] * 1e-6)
    steps = np.diff(t)
    bad = steps <= 0
    if bad.any():
        k = int(np.argmax(bad)) + 1
        line = start + k * step
        raise n1_error(path, f"{mds.where()} line {line + 1}", mds.offset + line * mds.dsr_size,
                       "its zero-Doppler time does not follow the previous line's (corrupt line)")


def _read_line_range(path, mds, samples: int, start: int, stop: int) -> np.ndarray:
    n = max(0, stop - start)
    with open(path, "rb") as fh:
        fh.seek(mds.offset + start * mds.dsr_size)
        raw = fh.read(n * mds.dsr_size)
    if len(raw) < n * mds.dsr_size:
        line = start + len(raw) // mds.dsr_size
        raise n1_error(path, f"{mds.where()} line {line + 1}", mds.offset + line * mds.dsr_size,
                       f"truncated: the file ends at byte {os.path.getsize(path)} inside the image")
    rec = np.frombuffer(raw, dtype=np.dtype([("h", MDSR_HEADER.dtype),
                                             ("iq", _IQ, (samples, 2))]))
    _check_line_times(path, mds, rec["h"], start, 1)
    out = np.empty((n, samples), np.complex64)
    out.real = rec["iq"][..., 0]
    out.imag = rec["iq"][..., 1]
    return out


def read_mds(path, rows, cols, shape) -> np.ndarray:
    """complex64 ``[rows, cols]`` of the MDS1 lines of an IMS file of ``shape`` (lines,
    samples), reading only those lines (rows: int or slice, as normalised by the product)."""
    path = os.fspath(path)
    mds, samples, _ = _mds_layout(path)
    if (mds.num_dsr, samples) != tuple(shape):
        raise n1_error(path, mds.where(), mds.dsd_offset,
                       f"{mds.num_dsr} lines of {samples} samples, the product says "
                       f"{shape[0]} x {shape[1]}")
    r = slice(rows, rows + 1) if isinstance(rows, (int, np.integer)) else rows
    if (r.step or 1) == 1:
        block = _read_line_range(path, mds, samples, r.start, max(r.stop, r.start))
    else:
        picks = range(r.start, r.stop, r.step)
        block = np.concatenate([_read_line_range(path, mds, samples, k, k + 1) for k in picks]) \
            if len(picks) else np.empty((0, samples), np.complex64)
    block = block[:, cols]
    return block[0] if isinstance(rows, (int, np.integer)) else block


# ---------------------------------------------------------------------------- components
_IMAGEFILE_DOC = "The N1 file ({}...N1 or .E1/.E2), as ISCE2's IMAGEFILE."


class _N1SlcSensor(Sensor):
    """Shared component of the two IMS readers."""

    product_type = ""

    def _image(self) -> str:
        return self.require("image_file")


class EnvisatSlc(_N1SlcSensor):
    """Reader of ENVISAT ASAR Image Mode SLC (``ASA_IMS_1P``), ISCE2's ``ENVISAT_SLC``."""

    sensor_name = "ENVISAT_SLC"
    product_type = PRODUCT_TYPES["ENVISAT_SLC"]
    parameters = (
        Parameter("image_file", public_name="IMAGEFILE", type="path", default=None,
                  mandatory=True, doc=_IMAGEFILE_DOC.format("ASA_IMS_1P")),
        Parameter("orbit_file", public_name="ORBITFILE", type="path", default=None,
                  doc="DORIS orbit file DOR_VOR_AX (precise) or DOR_POR_AX; unset with "
                      "ORBIT_DIRECTORY unset: the product's own 5 MPP state vectors."),
        Parameter("orbit_dir", public_name="ORBIT_DIRECTORY", type="path", default=None,
                  doc="Folder of DORIS orbit files; the one covering the scene (by its name's "
                      "validity) is used when ORBITFILE is not set."),
        Parameter("instrument_file", public_name="INSTRUMENTFILE", type="path", default=None,
                  doc="ASAR instrument characterisation file ASA_INS_AX (ISCE2 took the radar "
                      "frequency from it); when given, its frequency must match the product's."),
        Parameter("instrument_dir", public_name="INSTRUMENT_DIRECTORY", type="path", default=None,
                  doc="Folder of ASA_INS_AX files; the one covering the scene (by its name's "
                      "validity) is checked when INSTRUMENTFILE is not set."),
    )

    def read_product(self) -> SlcProduct:
        product = read_envisat_slc(self._image(), orbit_file=self.orbit_file,
                                   orbit_dir=self.orbit_dir, product_type=self.product_type)
        instrument = self.instrument_file
        if not instrument and self.instrument_dir:
            start = _dt.datetime.fromisoformat(product.attributes["first_line_time"])
            instrument = find_aux_file(self.instrument_dir, ("ASA_INS_AX",), start, start,
                                       "ASAR instrument (INSTRUMENT_DIRECTORY)")
        if instrument:
            _check_instrument(instrument, product)
            product.attributes["instrument_file"] = os.fspath(instrument)
        return product


class ErsEnvisatSlc(_N1SlcSensor):
    """Reader of ERS SLC in ESA's N1 format (``SAR_IMS_1P``), ISCE2's ``ERS_ENVISAT_SLC``."""

    sensor_name = "ERS_ENVISAT_SLC"
    product_type = PRODUCT_TYPES["ERS_ENVISAT_SLC"]
    parameters = (
        Parameter("image_file", public_name="IMAGEFILE", type="path", default=None,
                  mandatory=True, doc=_IMAGEFILE_DOC.format("SAR_IMS_1P")),
        Parameter("orbit_type", public_name="ORBIT_TYPE", type=str, default=None,
                  doc="ISCE2's orbit types: ODR (Delft precise orbits, ORBIT_DIRECTORY with "
                      "their arclist), PRC (D-PAF, ORBIT_DIRECTORY with its arclist) or PDS "
                      "(ORBITFILE); unset: the product's own 5 MPP state vectors."),
        Parameter("orbit_dir", public_name="ORBIT_DIRECTORY", type="path", default=None,
                  doc="Folder of the ODR/PRC orbit files (with ORBIT_TYPE)."),
        Parameter("orbit_file", public_name="ORBITFILE", type="path", default=None,
                  doc="PDS orbit file (with ORBIT_TYPE PDS)."),
    )

    def validate(self) -> None:
        kind = str(self.orbit_type or "").strip().upper()
        if not kind and (self.orbit_file or self.orbit_dir):
            raise ConfigurationError(
                "ORBITFILE / ORBIT_DIRECTORY are read with ORBIT_TYPE (PDS / ODR, PRC, as in ISCE2), "
                "which is not set", path=f"{self.config_path}.ORBIT_TYPE")
        if kind and kind not in ("ODR", "PRC", "PDS"):
            raise ConfigurationError(f"ORBIT_TYPE {self.orbit_type!r}: expected one of ODR, PRC, PDS",
                                     path=f"{self.config_path}.ORBIT_TYPE")

    def read_product(self) -> SlcProduct:
        self.validate()
        product = read_envisat_slc(self._image(), product_type=self.product_type)
        kind = str(self.orbit_type or "").strip().upper()
        if not kind:
            return product
        grid = product.radar_grid
        first, last = (grid.sensing_start, grid.sensing_start + (grid.length - 1) / grid.prf)
        start, stop = (_dt.datetime.fromisoformat(str(product.orbit.datetime64(t))[:26])
                       for t in (first, last))
        orbit = orbit_of_type(kind, self.orbit_dir, self.orbit_file, start, stop, self.config_path)
        log.info("%s: %s orbit (%d state vectors) replaces the product's", self._image(), kind,
                 len(orbit.time))
        return replace(product, orbit=orbit.with_reference_epoch(grid.reference_epoch), orbit_type=kind)


def _check_instrument(path, product: SlcProduct) -> None:
    """The ASA_INS_AX radar frequency [Hz] (first GADS record, after its MJD and record
    length, as ISCE2 reads it) must be the product's within 1 kHz."""
    n1 = open_n1(path, what="ASAR instrument characterisation file")
    gads = next((d for d in n1.dsds if d.type == "G" and d.used), None)
    if gads is None:
        raise n1_error(os.fspath(path), "DSD table", n1.dsds[0].dsd_offset if n1.dsds else 0,
                       "no GADS: not an ASA_INS_AX file")
    n1.check_in_file(gads, 1)
    with open(path, "rb") as fh:
        fh.seek(gads.offset + 16)
        freq = float(np.frombuffer(fh.read(4), ">f4")[0])
    if not abs(freq - product.center_frequency) < 1e3:
        raise n1_error(os.fspath(path), gads.where(), gads.offset + 16,
                       f"radar frequency {freq!r} Hz, the product's MPP says "
                       f"{product.center_frequency!r} Hz")

