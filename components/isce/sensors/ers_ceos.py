"""ERS-1/2 SAR in ESA's CEOS format: level 0 raw (``ERS``) and single-look complex (``ERS_SLC``).

ESA's products (ER-IS-EPO-GS-5902, "ERS SAR CCT/VMP format"; the tables of ISCE2's
``Sensor/db/ers*/`` and its readers ``Sensor/ERS.py``, ``Sensor/ERS_SLC.py``) are a
leader file (``LEA_01.001``, ISCE2's ``LEADERFILE``) and an image file (``DAT_01.001``,
``IMAGEFILE``):

* leader: file descriptor (720 bytes, codes 63/192/18/18), data set summary (1886
  bytes, 10/10/31/20: scene centre time and position, wavelength, chirp phase
  coefficients, range sampling rate [MHz], pulse length [us], PRF [Hz], the
  satellite binary time code / clock time pair, Doppler centroid and rate polynomials in
  two-way range time [s] from the first pixel, zero-Doppler range times [ms] and azimuth
  times of the first/centre/last pixels), map projection (1620 bytes, 10/20/31/20:
  scene corner coordinates), platform position (10/30/31/20: state vectors, ECR), and
  facility-related records (10/200/31/50: ESA's processing facts; PRF and sampling window
  codes, raw data times). Byte offsets below are 0-based.
* raw image file: file descriptor, then one signal data record per echo line (codes
  50/10/31/20): a 412-byte prefix (binary: line number, record time [ms of day], ICU
  on-board time [1/256 s counts], image format counter, sampling window start time
  (SWST) and pulse repetition interval (PRI) codes in units of 4 / fs) and the 5-bit I
  and Q samples in bytes (bias 15.5).
* SLC image file: file descriptor, then one record per line (50/11/31/20): the 12-byte
  header, the file descriptor's prefix bytes (0 as ISCE2 reads them), big-endian int16 I/Q.

Conventions (ISCE2's, with Mohr and Madsen's ERS constants): range sampling rate
18.962468 MHz, up-chirp of 15.50829 MHz over the pulse length, PRF of raw data
``fs / (4 (PRI + 2))``, starting range ``(9 / PRF + 4 SWST_min / fs - 6.622 us) c / 2``,
first line at the satellite clock time + (ICU - binary time code) / 256 s, lines whose
SWST changes shifted right by ``4 (SWST - SWST_min)`` samples (the image widened
accordingly), lines placed by their image format counter (missing lines inserted as zeros,
a record repeating its predecessor's counter dropped), VV, 10 m antenna, right-looking.
The CRDC_SARDPF and GTS - ERS facilities' records have the instrument header 10 bytes
earlier and are dated by their millisecond time (ISCE2's ``crdc-sardpf_image_record``). An SLC's first line and first range
are its zero-Doppler azimuth time and range time of the first pixel, its Doppler the
cross-track centroid polynomial in range time from the first pixel.

Files written by :mod:`isce.simulate.ers_ceos` carry one more facility-related record
(identifier ``ISCE ERS PARAMETERS``) with the exact values the standard fields round
(the ICU clock counts 1/256 s, SWST and PRI are integer codes, times are in ms) as JSON;
the reader uses it when present and checks it against the standard fields. Orbits come
from the leader, or from ODR/PRC/PDS files (``ORBIT_TYPE``, :mod:`.ers_orbits`).

A file without image lines (an empty ``DAT_01``) is refused by :func:`read_ers_raw` /
:func:`read_ers_slc` with an InputError containing "no image data"; the leader alone is
read by :func:`read_ers_leader`. Every other problem is an InputError naming the file,
the record and its byte offset.
"""
from __future__ import annotations

import datetime as _dt
import logging
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import doppler_from_dict
from isce.core.orbit import Orbit
from isce.core.poly import Poly1d, Poly2d
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from . import ers_orbits
from .alos_ceos import IMAGE_FDR as _ALOS_IMAGE_FDR
from .alos_ceos import PLATFORM_POSITION as _ALOS_PLATFORM
from .alos_ceos import platform_orbit
from .alos_ceos import dequantize, quantize
from .base import Sensor
from .ceos import (json_facility, FILE_DESCRIPTOR_FIELDS, HEADER_LENGTH, CeosReader, Field, RecordLayout,
                   check_fixed_records, check_leader_records, open_fixed_records, record_error,
                   required_value, sequential)
from .product import ImageSource, SlcProduct
from .raw import RawProduct, RawSource, register_decoder

__all__ = ["Ers", "ErsSlc", "read_ers_leader", "read_ers_raw", "read_ers_slc", "read_ers_slc_image",
           "LEADER_FDR", "DATA_SET_SUMMARY", "MAP_PROJECTION", "PLATFORM_POSITION",
           "ESA_FACILITY", "ISCE_FACILITY", "IMAGE_FDR", "RAW_SIGNAL", "RAW_SIGNAL_CRDC", "raw_layout", "SLC_RECORD_CODES",
           "SLC_RECORD_CODES_ACCEPTED",
           "RAW_PREFIX_BYTES", "IQ_BIAS", "ERS_CONSTANTS", "FACILITY_IDENTIFIER", "FACILITY_FORMAT",
           "ORBIT_TYPES", "pri_to_prf", "swst_range", "quantize", "dequantize"]

log = logging.getLogger("isce.sensors.ers_ceos")

#: bytes of the prefix of a raw signal data record
RAW_PREFIX_BYTES = 412
#: DC bias of the 5-bit I and Q samples (ISCE2's iBias/qBias)
IQ_BIAS = 15.5
#: ISCE2's ERS constants (Mohr and Madsen 2001)
ERS_CONSTANTS = {"polarization": "VV", "antenna_length": 10.0, "look_side": "right",
                 "chirp_bandwidth": 15.50829e6, "range_sampling_rate": 18.962468e6,
                 "delay_time": 6.622e-6}
#: the largest line counter gap filled with missing lines (ISCE2's limit)
MAX_LINE_GAP = 30000
#: ISCE2's raw SWST codes taken as valid (others are glitches): (500, 1500), steps of 22
SWST_VALID = (500, 1500, 22)
#: facility-related record of this module (exact values as JSON)
FACILITY_IDENTIFIER = "ISCE ERS PARAMETERS"
FACILITY_FORMAT = "isce.sensors.ers_ceos/1"
#: ISCE2's ORBIT_TYPE values ("" = the leader's state vectors)
ORBIT_TYPES = ("", "ODR", "PRC", "PDS")
#: type codes of an SLC image record (written), and those ESA's processors wrote (GDAL's CEOS
#: recipes: 50/11/18/20, and 50/11/31/20 or 50/11/31/50 in "some ERS-1/2 products")
SLC_RECORD_CODES = (50, 11, 31, 20)
SLC_RECORD_CODES_ACCEPTED = ((50, 11, 31, 20), (50, 11, 18, 20), (50, 11, 31, 50))

# ============================================================================ record tables
LEADER_FDR = RecordLayout("leader file descriptor", (63, 192, 18, 18),
                          FILE_DESCRIPTOR_FIELDS + sequential(180, [
    *[row for stem in ("dataset_summary", "map_projection", "platform_position", "attitude",
                       "radiometric", "radiometric_compensation", "data_quality", "histogram",
                       "range_spectra", "dem_descriptor", "radar_parameter_update", "annotation",
                       "detailed_processing", "calibration", "gcp")
      for row in ((f"n_{stem}", 6, "I"), (f"{stem}_length", 6, "I"))],
    (None, 60, "A"),
    ("n_facility", 6, "I"), ("facility_length", 6, "I"),     # maximum length
    (None, 288, "A"),
]), length=720)

#: leader records after the file descriptor: (stem, name, type codes)
LEADER_ORDER = (
    ("dataset_summary", "data set summary", (10, 10, 31, 20)),
    ("map_projection", "map projection", (10, 20, 31, 20)),
    ("platform_position", "platform position", (10, 30, 31, 20)),
    ("attitude", "attitude", None), ("radiometric", "radiometric", None),
    ("radiometric_compensation", "radiometric compensation", None),
    ("data_quality", "data quality summary", None), ("histogram", "data histogram", None),
    ("range_spectra", "range spectra", None), ("dem_descriptor", "DEM descriptor", None),
    ("radar_parameter_update", "radar parameter update", None), ("annotation", "annotation", None),
    ("detailed_processing", "detailed processing", None), ("calibration", "calibration", None),
    ("gcp", "ground control points", None),
)

_F16 = ".7f"
#: data set summary record (ESA: 1886 bytes)
DATA_SET_SUMMARY = RecordLayout("data set summary", (10, 10, 31, 20), sequential(12, [
    ("dss_sequence_number", 4, "I"), ("sar_channel_indicator", 4, "I"), (None, 16, "A"),
    ("scene_reference_number", 32, "A"), ("scene_centre_time", 32, "A"), (None, 16, "A"),
    ("scene_centre_latitude", 16, "F", _F16), ("scene_centre_longitude", 16, "F", _F16),
    ("scene_centre_heading", 16, "F", _F16), ("ellipsoid_designator", 16, "A"),
    ("ellipsoid_semimajor_km", 16, "F", _F16), ("ellipsoid_semiminor_km", 16, "F", _F16),
    ("earth_gm", 16, "F", _F16), (None, 16, "A"),
    ("ellipsoid_j2", 16, "F", _F16), ("ellipsoid_j3", 16, "F", _F16), ("ellipsoid_j4", 16, "F", _F16),
    (None, 16, "A"), (None, 16, "A"),
    ("scene_centre_line", 8, "I"), ("scene_centre_pixel", 8, "I"),
    ("scene_length_km", 16, "F", _F16), ("scene_width_km", 16, "F", _F16), (None, 16, "A"),
    ("n_sar_channels", 4, "I"), (None, 4, "A"),
    ("mission", 16, "A"), ("sensor_id_mode", 32, "A"), ("orbit_number", 8, "A"),
    ("platform_latitude", 8, "F", ".3f"), ("platform_longitude", 8, "F", ".3f"),
    ("platform_heading", 8, "F", ".3f"), ("clock_angle", 8, "F", ".3f"),
    ("incidence_angle", 8, "F", ".3f"), ("radar_frequency_ghz", 8, "F", ".3f"),
    ("wavelength", 16, "F", ".9f"), ("motion_compensation", 2, "A"),
    ("range_pulse_code", 16, "A"),
    *[(f"pulse_amplitude_{k}", 16, "F", ".7E") for k in range(5)],
    ("pulse_phase_0", 16, "F", ".7E"), ("pulse_phase_1", 16, "F", ".7E"),
    ("pulse_phase_2", 16, "F", ".7E"),                 # [cycles/s^2] = chirp slope / 2
    ("pulse_phase_3", 16, "F", ".7E"), ("pulse_phase_4", 16, "F", ".7E"),
    ("chirp_extraction_index", 8, "I"), (None, 8, "A"),
    ("sampling_rate_mhz", 16, "F", _F16), ("range_gate_delay", 16, "F", _F16),
    ("pulse_length_us", 16, "F", _F16), (None, 4, "A"), ("range_compressed_flag", 4, "A"),
    (None, 32, "A"), ("quantization_bits", 8, "I"), ("quantizer_descriptor", 12, "A"),
    ("dc_bias_i", 16, "F", _F16), ("dc_bias_q", 16, "F", _F16), ("gain_imbalance", 16, "F", _F16),
    (None, 48, "A"), ("mechanical_boresight", 16, "F", _F16), (None, 4, "A"),
    ("prf", 16, "F", _F16),                             # [Hz]
    (None, 32, "A"),
    ("binary_time_code", 16, "I"),                      # ICU counts at the clock time
    ("clock_time", 32, "A"),                            # YYYYMMDDhhmmssttt (UTC)
    ("clock_step_ns", 8, "I"),                          # 3906250 ns = 1/256 s
    (None, 8, "A"),
    ("processing_facility", 16, "A"), ("processing_system", 8, "A"),
    ("processing_version", 8, "A"), (None, 32, "A"),
    ("product_type", 32, "A"), ("processing_algorithm", 32, "A"),
    ("azimuth_looks", 16, "F", _F16), ("range_looks", 16, "F", _F16),
    ("azimuth_look_bandwidth", 16, "F", _F16), ("range_look_bandwidth", 16, "F", _F16),
    ("azimuth_processor_bandwidth", 16, "F", _F16), ("range_processor_bandwidth", 16, "F", _F16),
    ("azimuth_weighting", 32, "A"), ("range_weighting", 32, "A"), ("data_input_source", 16, "A"),
    ("range_resolution", 16, "F", _F16), ("azimuth_resolution", 16, "F", _F16), (None, 32, "A"),
    ("doppler_along_0", 16, "F", _F16), ("doppler_along_1", 16, "F", _F16),
    ("doppler_along_2", 16, "F", _F16), (None, 16, "A"),
    ("doppler_cross_0", 16, "F", _F16),                 # [Hz]
    ("doppler_cross_1", 16, "F", _F16),                 # [Hz/s of two-way range time]
    ("doppler_cross_2", 16, "F", ".6f"),                # [Hz/s^2]
    ("time_direction_pixel", 8, "A"), ("time_direction_line", 8, "A"),
    ("doppler_rate_along_0", 16, "F", _F16), ("doppler_rate_along_1", 16, "F", _F16),
    ("doppler_rate_along_2", 16, "F", _F16), (None, 16, "A"),
    ("doppler_rate_cross_0", 16, "F", _F16), ("doppler_rate_cross_1", 16, "F", _F16),
    ("doppler_rate_cross_2", 16, "F", ".6f"), (None, 16, "A"),
    ("line_content", 8, "A"), ("clutterlock_flag", 4, "A"), ("autofocus_flag", 4, "A"),
    ("line_spacing", 16, "F", _F16), ("pixel_spacing", 16, "F", _F16),
    ("range_compression_designator", 16, "A"), (None, 32, "A"),
    ("zd_range_time_first_ms", 16, "F", _F16), ("zd_range_time_centre_ms", 16, "F", _F16),
    ("zd_range_time_last_ms", 16, "F", _F16),
    ("zd_azimuth_time_first", 24, "A"),                 # DD-MON-YYYY hh:mm:ss.ttt
    ("zd_azimuth_time_centre", 24, "A"), ("zd_azimuth_time_last", 24, "A"),
]), length=1886)

#: map projection record (ESA: 1620 bytes; slant range products: corners only)
MAP_PROJECTION = RecordLayout("map projection", (10, 20, 31, 20), sequential(12, [
    (None, 16, "A"), ("projection_descriptor", 32, "A"),
    ("pixels_per_line", 16, "I"), ("lines", 16, "I"),
    ("pixel_distance", 16, "F", _F16), ("line_distance", 16, "F", _F16),
    ("orientation", 16, "F", _F16), ("inclination", 16, "F", _F16),
    ("ascending_node", 16, "F", _F16), ("geocentre_distance", 16, "F", _F16),
    ("platform_altitude", 16, "F", _F16), ("ground_speed", 16, "F", _F16),
    ("platform_heading", 16, "F", _F16), ("ellipsoid_name", 32, "A"),
    ("ellipsoid_semimajor_km", 16, "F", _F16), ("ellipsoid_semiminor_km", 16, "F", _F16),
    (None, 772, "A"),
    ("first_line_first_pixel_lat", 16, "F", _F16), ("first_line_first_pixel_lon", 16, "F", _F16),
    ("first_line_last_pixel_lat", 16, "F", _F16), ("first_line_last_pixel_lon", 16, "F", _F16),
    ("last_line_last_pixel_lat", 16, "F", _F16), ("last_line_last_pixel_lon", 16, "F", _F16),
    ("last_line_first_pixel_lat", 16, "F", _F16), ("last_line_first_pixel_lon", 16, "F", _F16),
]), length=1620)

#: platform position record: the standard CEOS layout (as ALOS), ESA's codes
PLATFORM_POSITION = RecordLayout("platform position", (10, 30, 31, 20),
                                 _ALOS_PLATFORM.fields[6:], repeats=_ALOS_PLATFORM.repeats)

#: ESA's facility related data record (the fields read; 12288 bytes in ESA's files)
ESA_FACILITY = RecordLayout("facility related", (10, 200, 31, 50), sequential(12, [
    ("identifier", 64, "A"), ("qc_release_date", 6, "A"), (None, 2, "A"),
    ("calibration_update_date", 6, "A"), ("qa_summary_flag", 4, "I"),
    ("prf_change_flag", 4, "I"), ("swst_change_flag", 4, "I"),
]) + sequential(134, [
    ("n_prf_changes", 4, "I"), ("n_swst_changes", 4, "I"), ("n_gain_changes", 4, "I"),
    ("n_missing_lines", 4, "I"), ("n_receiver_gain_changes", 4, "I"),
]) + sequential(582, [
    ("incidence_first", 16, "F", _F16), ("incidence_centre", 16, "F", _F16),
    ("incidence_last", 16, "F", _F16), ("slant_range_reference", 16, "F", _F16),
]) + sequential(816, [
    ("raw_first_line_time", 24, "A"),                   # DD-MON-YYYY hh:mm:ss.ttt
]) + sequential(1132, [
    ("input_state_vector_time", 24, "A"),
    *[(f"input_state_vector_{q}", 22, "F", ".9E") for q in ("x", "y", "z", "vx", "vy", "vz")],
]) + sequential(1482, [
    ("prf_code_first", 4, "I"), ("prf_code_last", 4, "I"),
    ("swst_code_first", 4, "I"), ("swst_code_last", 4, "I"),
]) + sequential(1518, [("n_raw_lines", 8, "I")]) + sequential(1722, [
    ("valid_pixels", 4, "I"), ("range_samples", 4, "I"),
]))

#: the facility-related record written by this module (exact values as JSON text)
ISCE_FACILITY = RecordLayout("facility related (ISCE)", (10, 200, 31, 50), sequential(12, [
    ("identifier", 64, "A"), ("text_length", 8, "I"),
]) + (Field("text", 84, None, "R"),))

#: image file descriptor: the standard CEOS fields (as ALOS), ESA's codes
IMAGE_FDR = RecordLayout("image file descriptor", (63, 192, 18, 18), _ALOS_IMAGE_FDR.fields[6:],
                         length=720)

_SIGNAL_HEAD = [
    ("line_number", 4, "B"), ("record_index", 4, "B"), ("left_fill_pixels", 4, "B"),
    ("data_pixels", 4, "B"), ("right_fill_pixels", 4, "B"), (None, 12, "B"),
    ("record_time_ms", 4, "B"),                         # ms of day (UTC)
    (None, 80, "B"), (None, 64, "B"),
]
_SIGNAL_IDHT = [
    ("fixed_code", 1, "B"), ("orgc_obrc_flag", 1, "B"),
    ("icu_time", 4, "B"),                               # on-board time [1/256 s]
    ("activity_task", 2, "B"), ("image_format_counter", 4, "B"),
    ("swst_code", 2, "B"), ("pri_code", 2, "B"),         # [4 / fs]
    ("calibration_attenuation", 1, "B"), ("receiver_gain", 1, "B"),
]
#: raw signal data record: the 412-byte prefix (samples follow at byte 412); ISCE2's
#: db/ers/image_record.xml
RAW_SIGNAL = RecordLayout("signal data", (50, 10, 31, 20), sequential(12, [
    *_SIGNAL_HEAD,
    ("packet_counter", 1, "B"), ("subcommutation_counter", 1, "B"), (None, 8, "B"),
    *_SIGNAL_IDHT, (None, 120, "B"), (None, 72, "B"),
]), fill=b"\0")
assert RAW_SIGNAL.field("pri_code").offset == 216 and RAW_SIGNAL.min_length == 220  # ISCE2 offsets
#: the same of the CRDC_SARDPF and GTS - ERS facilities (ISCE2's crdc-sardpf_image_record.xml:
#: no packet counters, the instrument header 10 bytes earlier)
RAW_SIGNAL_CRDC = RecordLayout("signal data", (50, 10, 31, 20), sequential(12, [
    *_SIGNAL_HEAD, *_SIGNAL_IDHT, (None, 130, "B"), (None, 72, "B"),
]), fill=b"\0")
assert RAW_SIGNAL_CRDC.field("pri_code").offset == 206
#: facilities whose raw records ISCE2 reads with the CRDC layout
CRDC_FACILITIES = ("CRDC_SARDPF", "GTS - ERS")
#: ICU on-board time further than this [s] from the satellite clock time: corrupt (ISCE2)
ICU_MAX_OFFSET = 5 * 86400.0


def raw_layout(leader, path) -> RecordLayout:
    """The signal record layout of the leader's processing facility (as ISCE2 chooses it);
    D-PAF's MSAR products (ISCE2: a 408-byte prefix of its own) are refused."""
    dss = leader["dataset_summary"]
    facility = str(dss.get("processing_facility") or "").strip()
    if facility in CRDC_FACILITIES:
        return RAW_SIGNAL_CRDC
    if facility == "D-PAF" and str(dss.get("processing_system") or "").strip() == "MSAR":
        f = DATA_SET_SUMMARY.field("processing_system")
        raise record_error(path, dss.sequence, dss.offset + f.offset, "data set summary",
                           "D-PAF MSAR raw products (ISCE2's new-d-paf record layout) are not "
                           "supported")
    return RAW_SIGNAL


# ============================================================================ conventions
def pri_to_prf(pri_code: float, fs: float = ERS_CONSTANTS["range_sampling_rate"]) -> float:
    """PRF [Hz] of a PRI code (ISCE2: ``1 / (4 / fs (PRI + 2))``)."""
    return fs / (4.0 * (pri_code + 2.0))


def swst_range(swst_code: float, prf: float, fs: float = ERS_CONSTANTS["range_sampling_rate"]) -> float:
    """Slant range [m] of the first sample of a window starting at SWST code ``swst_code``
    (ISCE2: ``(9 / PRF + 4 SWST / fs - 6.622 us) c / 2``)."""
    return (9.0 / prf + 4.0 * swst_code / fs - ERS_CONSTANTS["delay_time"]) * SPEED_OF_LIGHT / 2.0


#: ESA's "no value" of a real field
_BLANK = -9999999.9999999


def _is_blank(value) -> bool:
    """True for a missing field or ESA's -9999999.9999999 fill value."""
    return value is None or (isinstance(value, float) and abs(value - _BLANK) < 1e-6)


def _parse_compact(text):
    """DateTime of ``YYYYMMDDhhmmssttt`` (ESA's scene centre / clock times); None if blank."""
    t = str(text or "").strip()
    if len(t) < 17 or not t[:17].isdigit():
        return None
    return DateTime(int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]),
                    int(t[12:14])) + int(t[14:17]) * 1e-3


def _parse_vmp_time(text):
    """DateTime of ``DD-MON-YYYY hh:mm:ss.ttt`` (ESA's VMP times); None if blank/unreadable."""
    t = str(text or "").strip()
    try:
        d = _dt.datetime.strptime(t, "%d-%b-%Y %H:%M:%S.%f")
    except ValueError:
        return None
    return DateTime(d.isoformat())


# ============================================================================ leader
def read_ers_leader(path) -> dict:
    """Every record of an ERS leader file, validated: ``{"fdr", "dataset_summary",
    "map_projection", "platform_position", "facility": [Records], "isce": dict or None}``."""
    path = os.fspath(path)
    out = {"facility": [], "isce": None}
    with CeosReader(path, "leader file") as rd:
        fdr = rd.read(LEADER_FDR)
        out["fdr"] = fdr
        for stem, name, codes in LEADER_ORDER:
            count, length = fdr.get(f"n_{stem}") or 0, fdr.get(f"{stem}_length") or 0
            for k in range(count):
                layout = {"dataset_summary": DATA_SET_SUMMARY, "map_projection": MAP_PROJECTION,
                          "platform_position": PLATFORM_POSITION}.get(stem)
                if layout is not None and k == 0:
                    rec = rd.read(layout, length=length)
                else:
                    rec = rd.skip(length=length, codes=codes, name=name)
                out.setdefault(stem, rec)
        for _ in range(fdr.get("n_facility") or 0):
            out["facility"].append(_read_facility(rd, path, out, fdr.get("facility_length") or 0))
        if not rd.at_end:
            log.warning("%s: %d bytes after the last record (ignored)", path, rd.size - rd.offset)
    check_leader_records(out, path)
    return out


def _read_facility(rd: CeosReader, path, out, max_length):
    """One facility-related record (ESA's, or this module's JSON one)."""
    ident = rd.peek(12, 64).decode("ascii", "replace").strip()
    if ident == FACILITY_IDENTIFIER:
        rec = rd.read(ISCE_FACILITY)
        out["isce"] = _parse_isce_facility(rec, path)
    else:
        rec = rd.read(ESA_FACILITY)
    if max_length and rec.length > max_length:
        raise record_error(path, rec.sequence, rec.offset, rec.layout.name,
                           f"{rec.length} bytes, more than the {max_length} the file descriptor "
                           "announces as the longest facility record")
    return rec


def _parse_isce_facility(rec, path) -> dict:
    return json_facility(rec, path, FACILITY_IDENTIFIER, FACILITY_FORMAT, 84)


def _dss_field(leader, path, name, what):
    """A data set summary field that must be present and non-zero."""
    rec = leader["dataset_summary"]
    value = rec.get(name)
    if value in ("", 0) or _is_blank(value):
        f = DATA_SET_SUMMARY.field(name)
        raise record_error(path, rec.sequence, rec.offset + f.offset, "data set summary",
                           f"{what}: field {name!r} ({f.where()}) is blank or zero")
    return value


def leader_orbit(leader, path, epoch: DateTime | None = None) -> Orbit:
    """The platform position record's state vectors (ECR), Hermite-interpolated."""
    return platform_orbit(leader["platform_position"], path, PLATFORM_POSITION, epoch)[0]


# ============================================================================ orbit choice
def _orbit(leader, leaderfile, epoch, first, last, orbit_type, orbit_dir, orbit_file) -> Orbit:
    """The orbit ISCE2's ``ORBIT_TYPE`` asks for, in seconds since ``epoch``; ``first`` and
    ``last`` are the image's first and last line times [s since epoch]."""
    if not orbit_type:
        return leader_orbit(leader, leaderfile, epoch)
    start = epoch + first
    if orbit_type == "ODR":
        arclist = os.path.join(orbit_dir, "arclist")
        path = os.path.join(orbit_dir, ers_orbits.odr_file_for(arclist, start))
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file (the ODR file {arclist} names for {start})")
        orbit = ers_orbits.read_odr(path, epoch + (first - ers_orbits.ODR_PARSE_MARGIN),
                                    epoch + (last + ers_orbits.ODR_PARSE_MARGIN), epoch=epoch)
    elif orbit_type == "PRC":
        arclist = os.path.join(orbit_dir, "arclist")
        path = os.path.join(orbit_dir, ers_orbits.prc_file_for(arclist, start))
        orbit = ers_orbits.read_prc(path, epoch=epoch)
    else:
        path = orbit_file
        orbit = ers_orbits.read_pds(path, epoch=epoch)
    log.info("ERS orbit from %s file %s", orbit_type, path)
    return ers_orbits.trim_orbit(orbit, first, last, path=path)


def _epoch(leader, exact, path) -> DateTime:
    """Reference epoch: the writer's, else midnight of the first state vector."""
    if exact.get("reference_epoch"):
        return DateTime(exact["reference_epoch"])
    v = leader["platform_position"].values
    try:
        return DateTime(int(v["year"]), int(v["month"]), int(v["day"]))
    except (TypeError, ValueError):
        rec = leader["platform_position"]
        raise record_error(path, rec.sequence, rec.offset + 144,
                           "platform position", "no date of the first state vector") from None


# ============================================================================ image files
def _read_image_fdr(path, kind: str):
    """(fdr values, records, record length, prefix bytes, samples per line) of an image file;
    "no image data" when the file or its descriptor holds no lines."""
    if os.path.exists(path) and not os.path.isdir(path) and os.path.getsize(path) == 0:
        raise InputError(f"{path}: no image data (the image file is empty: 0 bytes)")
    with CeosReader(path, "image file") as rd:
        fdr = rd.read(IMAGE_FDR)
    v = fdr.values

    def need(name):
        return required_value(fdr, name, path)

    count, reclen = need("n_sar_records"), need("sar_record_length")
    if count == 0:
        raise InputError(f"{path}: no image data (its file descriptor, record 1 at byte offset 0, "
                         "announces 0 SAR data records)")
    prefix, nbytes = need("prefix_bytes"), need("sar_data_bytes")
    suffix = v.get("suffix_bytes") or 0
    # ESA counts the prefix without the 12-byte record header (JAXA with it): accept both
    if HEADER_LENGTH + prefix + nbytes + suffix == reclen:
        prefix += HEADER_LENGTH
    elif prefix + nbytes + suffix != reclen:
        raise record_error(path, 1, 276, "image file descriptor",
                           f"prefix ({prefix}) + SAR data ({nbytes}) + suffix ({suffix}) bytes do "
                           f"not add up to the SAR data record length ({reclen}), with or without "
                           "the 12-byte record header")
    spg, bpg = v.get("samples_per_group"), v.get("bytes_per_group")
    left = v.get("left_border_pixels") or 0
    if kind == "raw":
        if (spg, bpg) != (2, 2) or prefix < RAW_PREFIX_BYTES:
            raise record_error(path, 1, 220, "image file descriptor",
                               f"samples/bytes per data group {spg}/{bpg}, {prefix} prefix bytes: "
                               f"expected ERS raw data (2/2, {RAW_PREFIX_BYTES}): is this an SLC "
                               "(sensor ERS_SLC)?")
        width, per_sample = left + need("pixels_per_line") + (v.get("right_border_pixels") or 0), 2
    else:
        if bpg != 4 or (v.get("bits_per_sample") or 16) != 16:
            raise record_error(path, 1, 216, "image file descriptor",
                               f"{v.get('bits_per_sample')} bits per sample, {bpg} bytes per data "
                               "group: expected complex int16 (16, 4): is this raw data (sensor "
                               "ERS)?")
        width, per_sample = left + need("pixels_per_line"), 4        # ISCE2: left border + pixels
    if per_sample * width > nbytes:
        raise record_error(path, 1, 248, "image file descriptor",
                           f"{width} pixels per line need {per_sample * width} bytes; the records "
                           f"hold {nbytes}")
    return v, count, reclen, prefix, width


#: records mapped at a time when every record header or prefix is read (bounds the memory:
#: the kernel maps the pages around each touched one, i.e. nearly the whole records)
_CHUNK_RECORDS = 1024
#: the raw prefix fields the reader uses (one int64 array each)
_RAW_COLUMNS = ("pri_code", "swst_code", "image_format_counter", "icu_time", "record_time_ms")


def _scan_records(path, count, reclen, codes, name, dtype=None, columns=()) -> dict:
    """Check the headers of all ``count`` records after the file descriptor, a chunk of
    records mapped at a time, and collect the ``columns`` of ``dtype`` (int64 arrays)."""
    open_fixed_records(path, 720, reclen, count, name=name, first_sequence=2, what="image file")
    out = {c: np.empty(count, np.int64) for c in columns}
    for start in range(0, count, _CHUNK_RECORDS):
        n = min(_CHUNK_RECORDS, count - start)
        recs = np.memmap(path, dtype=np.uint8, mode="r", offset=720 + start * reclen,
                         shape=(n, reclen))
        check_fixed_records(path, recs, offset=720, record_length=reclen, first_sequence=2,
                            codes=codes, name=name, start=start)
        if columns:
            view = np.ndarray((n,), dtype=dtype, buffer=recs)
            for c in columns:
                out[c][start:start + n] = view[c]
        del recs
    return out


class _RawRecords:
    """The signal data records of a raw image file: sizes and headers checked, the prefix
    fields the reader uses copied out (the file mapped a chunk of records at a time)."""

    def __init__(self, path, layout: RecordLayout = RAW_SIGNAL):
        fdr, count, reclen, prefix, width = _read_image_fdr(path, "raw")
        self.path, self.count, self.record_length = path, count, reclen
        self.prefix_bytes, self.pixels, self.layout = prefix, width, layout
        self._columns = _scan_records(path, count, reclen, layout.codes, "signal data",
                                      layout.dtype(reclen), _RAW_COLUMNS)

    def column(self, name) -> np.ndarray:
        return self._columns[name]

    def error(self, line: int, field: str, message: str) -> InputError:
        """InputError naming the file, the record of line ``line`` and the field's byte."""
        f = self.layout.field(field)
        return record_error(self.path, line + 2, 720 + line * self.record_length + f.offset,
                            "signal data", f"field {field!r} ({f.where()}): {message}")


def _effective_swst(img: _RawRecords) -> np.ndarray:
    """Per-line SWST code with ISCE2's glitch rule: a code outside (500, 1500) or not a
    multiple of 22 from the first line's is replaced by the last valid one."""
    swst = img.column("swst_code")
    lo, hi, step = SWST_VALID
    valid = (swst > lo) & (swst < hi) & ((swst - swst[0]) % step == 0)
    if not valid[0]:
        raise img.error(0, "swst_code", f"sampling window start time code {swst[0]} is not "
                        f"within ({lo}, {hi})")
    idx = np.where(valid, np.arange(swst.size), 0)
    np.maximum.accumulate(idx, out=idx)
    return swst[idx]


def _line_map(img: _RawRecords):
    """(segments ``[[first line, first record, records]]``, lines): lines numbered by the image
    format counter from the first record's, as ISCE2 fills them: a gap of missing lines is
    inserted (read as zeros), a record repeating the previous counter and a zero counter are
    dropped (warned); a counter going back or jumping more than MAX_LINE_GAP is refused."""
    counter = img.column("image_format_counter")
    records = np.nonzero(counter != 0)[0]
    if records.size < counter.size:
        log.warning("%s: %d record(s) with line counter 0 dropped (as ISCE2)", img.path,
                    counter.size - records.size)
    if records.size == 0:
        raise img.error(0, "image_format_counter", "every line counter is 0")
    c = counter[records]
    step = np.diff(c)
    bad = (step < 0) | (step > MAX_LINE_GAP)
    if bad.any():
        k = int(np.argmax(bad)) + 1
        raise img.error(int(records[k]), "image_format_counter",
                        f"line counter {c[k]} follows {c[k - 1]}: lines out of order or a gap "
                        f"of more than {MAX_LINE_GAP} lines")
    repeated = np.concatenate([[False], step == 0])
    if repeated.any():
        log.warning("%s: %d record(s) repeating the previous line counter dropped (as ISCE2)",
                    img.path, int(repeated.sum()))
    records, c = records[~repeated], c[~repeated]
    lines = c - c[0]
    if lines[-1] + 1 > records.size:
        log.warning("%s: %d missing line(s) inserted as zeros (line counter gaps, as ISCE2)",
                    img.path, int(lines[-1] + 1 - records.size))
    breaks = np.nonzero((np.diff(lines) != 1) | (np.diff(records) != 1))[0] + 1
    starts, ends = np.concatenate([[0], breaks]), np.concatenate([breaks, [records.size]])
    segments = [[int(lines[s]), int(records[s]), int(e - s)] for s, e in zip(starts, ends)]
    return segments, int(lines[-1]) + 1


# ============================================================================ raw
def read_ers_raw(imagefile, leaderfile, *, orbit_type: str = "", orbit_dir: str = "",
                 orbit_file: str = "") -> RawProduct:
    """An ERS level-0 raw IMAGEFILE/LEADERFILE pair as a RawProduct decoding the 5-bit
    samples on demand (kind ``"ers_ceos"``)."""
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    leader = read_ers_leader(leaderfile)
    img = _RawRecords(imagefile, raw_layout(leader, leaderfile))
    segments, length = _line_map(img)
    dss = leader["dataset_summary"].values
    exact = leader["isce"] or {}
    disagree = []
    fs = float(exact.get("range_sampling_rate", ERS_CONSTANTS["range_sampling_rate"]))
    pri = img.column("pri_code")
    if np.any(pri != pri[0]):
        k = int(np.argmax(pri != pri[0]))
        raise img.error(k, "pri_code", f"the PRI code changes from {pri[0]} to {pri[k]}; files "
                        "with a PRF change are not supported")
    prf_code = pri_to_prf(pri[0], fs)
    prf = float(exact.get("prf", prf_code))
    _agree(disagree, "PRF [Hz]", prf, prf_code, 0.6 * prf * prf * 4.0 / fs)
    swst = _effective_swst(img)
    smin, smax = int(swst.min()), int(swst.max())
    r0_code = swst_range(smin, prf, fs)
    r0 = float(exact.get("starting_range", r0_code))
    _agree(disagree, "starting range [m]", r0, r0_code, 0.6 * 4.0 / fs * SPEED_OF_LIGHT / 2.0)
    epoch = _epoch(leader, exact, leaderfile)
    start_icu = _icu_start(img, leader, leaderfile, epoch)
    sensing_start = float(exact.get("sensing_start", start_icu))
    _agree(disagree, "first line time [s]", sensing_start, start_icu, 1.5 / 256.0)
    if exact.get("lines") is not None:
        _agree(disagree, "number of lines", exact["lines"], length, 0)
    orbit = _orbit(leader, leaderfile, epoch, sensing_start, sensing_start + (length - 1) / prf,
                   orbit_type, orbit_dir, orbit_file)
    if disagree:
        raise InputError(f"leader file {leaderfile} and image file {imagefile} disagree: "
                         f"{'; '.join(disagree)}")
    pulse = float(exact.get("pulse_length") or _dss_field(leader, leaderfile, "pulse_length_us",
                                                          "no range pulse length") * 1e-6)
    slope = float(exact.get("chirp_slope", ERS_CONSTANTS["chirp_bandwidth"] / pulse))
    wavelength = float(exact.get("wavelength") or _dss_field(leader, leaderfile, "wavelength",
                                                             "no radar wavelength"))
    shifts = (4 * (swst - smin)).astype(np.int64)
    width = img.pixels + 4 * (smax - smin)
    params = {"header_bytes": 720, "record_length": img.record_length,
              "prefix_bytes": img.prefix_bytes, "count": length, "records": img.count,
              "segments": segments, "pixels": img.pixels,
              "samples": width, "bias": float(exact.get("bias", IQ_BIAS)),
              "scale": float(exact.get("scale", 1.0)), "first_sequence": 2,
              "record_codes": list(img.layout.codes), "shifts": _runs(shifts)}
    doppler = doppler_from_dict(exact["doppler"]) if exact.get("doppler") else None
    try:
        return RawProduct(
            orbit=orbit, sensing_start=sensing_start, prf=prf, starting_range=r0,
            range_sampling_rate=fs, length=length, width=width, wavelength=wavelength,
            look_side=exact.get("look_side", ERS_CONSTANTS["look_side"]), chirp_slope=slope,
            pulse_length=pulse, source=RawSource("ers_ceos", imagefile, params), doppler=doppler,
            antenna_length=float(exact.get("antenna_length") or ERS_CONSTANTS["antenna_length"]),
            platform=dss.get("mission") or "ERS", mission=dss.get("mission") or "ERS",
            polarization=exact.get("polarization") or ERS_CONSTANTS["polarization"],
            attributes=_attributes(dss, exact, imagefile, leaderfile, orbit_type))
    except ValueError as exc:
        raise InputError(f"{imagefile}, {leaderfile}: inconsistent raw product metadata: {exc}") from None


def _size_problems(leader, lines: int, pixels: int) -> list:
    """[disagreement] when the map projection record's image size is not the image file's."""
    mpr = leader.get("map_projection")
    if mpr is None or not mpr.get("lines") or not mpr.get("pixels_per_line"):
        return []
    if (mpr["lines"], mpr["pixels_per_line"]) == (lines, pixels):
        return []
    return [f"the leader's map projection record describes {mpr['lines']} lines x "
            f"{mpr['pixels_per_line']} pixels, the image file holds {lines} x {pixels}"]


def _icu_start(img: _RawRecords, leader, leaderfile, epoch) -> float:
    """ISCE2's first line time [s since epoch]: satellite clock time + (ICU - binary time
    code) / 256 s (CRDC_SARDPF / GTS - ERS: the record time in ms of the scene centre day)."""
    dss = leader["dataset_summary"].values
    if str(dss.get("processing_facility", "")).strip() in CRDC_FACILITIES:
        centre = _parse_compact(_dss_field(leader, leaderfile, "scene_centre_time", "no scene time"))
        return (centre.date_only() - epoch).total_seconds() + img.column("record_time_ms")[0] / 1e3
    clock = _parse_compact(dss.get("clock_time"))
    code = dss.get("binary_time_code")
    if clock is None or code is None:
        _dss_field(leader, leaderfile, "clock_time" if clock is None else "binary_time_code",
                   "no satellite clock time to date the lines")
    delta = (int(img.column("icu_time")[0]) - int(code)) / 256.0
    if abs(delta) > ICU_MAX_OFFSET:           # ISCE2: a corrupt ICU clock; centre time instead
        centre = _parse_compact(_dss_field(leader, leaderfile, "scene_centre_time", "no scene time"))
        half = 0.5 * img.count / pri_to_prf(int(img.column("pri_code")[0]))
        log.warning("%s: the ICU on-board time is %.0f s from the satellite clock time: corrupt; "
                    "the first line is dated from the scene centre time (ms precision)",
                    leaderfile, delta)
        return (centre - epoch).total_seconds() - half
    return (clock - epoch).total_seconds() + delta


def _runs(values: np.ndarray) -> list:
    """[[start line, value]] where a per-line value changes."""
    if values.size == 0:
        return []
    change = np.nonzero(values[1:] != values[:-1])[0] + 1
    return [[int(s), int(values[s])] for s in np.concatenate([[0], change])]


def _agree(disagree: list, what, exact, standard, tol) -> None:
    if abs(float(exact) - float(standard)) > tol:
        disagree.append(f"{what} is {exact!r} in the leader's {FACILITY_IDENTIFIER} record but "
                        f"{standard!r} by the standard fields")


def _decode_ers(source: RawSource, rows: slice) -> np.ndarray:
    """Lines ``rows`` of an ERS raw image file as complex64, reading only their records
    (missing lines zero; lines shifted right by their SWST change)."""
    p = source.params
    count, reclen, width, pixels = int(p["count"]), int(p["record_length"]), int(p["samples"]), \
        int(p["pixels"])
    start, stop, step = rows.indices(count)
    idx = np.arange(start, stop, step)
    out = np.zeros((idx.size, width), np.complex64)
    if idx.size == 0:
        return out
    header, prefix = int(p["header_bytes"]), int(p["prefix_bytes"])
    nrec = int(p.get("records", count))
    recs = open_fixed_records(source.path, header, reclen, nrec, name="signal data",
                              first_sequence=int(p["first_sequence"]), what="image file")
    shifts = p.get("shifts") or [[0, 0]]
    for line0, rec0, n in p.get("segments") or [[0, 0, count]]:
        sel = np.nonzero((idx >= line0) & (idx < line0 + n))[0]
        if sel.size == 0:
            continue
        rec = rec0 + idx[sel] - line0
        block = recs[rec]
        check_fixed_records(source.path, block, offset=header, record_length=reclen,
                            first_sequence=int(p["first_sequence"]), codes=p["record_codes"],
                            name="signal data", indices=rec)
        lines = dequantize(block[:, prefix:prefix + 2 * pixels], float(p.get("scale", 1.0)),
                           float(p["bias"]), float(p["bias"]))
        for k, (s, shift) in enumerate(shifts):
            e = shifts[k + 1][0] if k + 1 < len(shifts) else nrec
            here = (rec >= s) & (rec < e)
            out[sel[here], shift:shift + pixels] = lines[here]
    return out


register_decoder("ers_ceos", _decode_ers)


# ============================================================================ SLC
def _slc_codes(path) -> tuple:
    """The type codes of the first image record (one of SLC_RECORD_CODES_ACCEPTED); every
    record must then carry the same."""
    with open(path, "rb") as fh:
        fh.seek(720 + 4)
        codes = tuple(fh.read(4))
    if codes not in SLC_RECORD_CODES_ACCEPTED:
        raise record_error(path, 2, 720, "image data",
                           f"record type codes are {codes}, expected one of "
                           f"{', '.join(map(str, SLC_RECORD_CODES_ACCEPTED))} for an SLC image "
                           "record (raw data? use sensor ERS)")
    return codes


def read_ers_slc_image(path, rows, cols, shape) -> np.ndarray:
    """complex64 ``[rows, cols]`` of an ERS SLC image file of ``shape`` (lines, samples),
    reading only those records (the layout from the file's own descriptor)."""
    path = os.fspath(path)
    _fdr, count, reclen, prefix, width = _read_image_fdr(path, "slc")
    if (count, width) != tuple(shape):
        raise InputError(f"{path}: the image file holds {count} x {width} lines x samples, the "
                         f"product metadata say {shape[0]} x {shape[1]}")
    recs = open_fixed_records(path, 720, reclen, count, name="image data", first_sequence=2,
                              what="image file")
    r = slice(rows, rows + 1) if isinstance(rows, (int, np.integer)) else rows
    idx = np.arange(count)[r]
    block = recs[r]
    check_fixed_records(path, block, offset=720, record_length=reclen, first_sequence=2,
                        codes=_slc_codes(path), name="image data", indices=idx)
    iq = np.ascontiguousarray(block[:, prefix:prefix + 4 * width]).view(">i2")
    out = np.empty((idx.size, width), np.complex64)
    out.real = iq[:, 0::2]
    out.imag = iq[:, 1::2]
    out = out[:, cols]
    return out[0] if isinstance(rows, (int, np.integer)) else out


def read_ers_slc(imagefile, leaderfile, *, orbit_type: str = "", orbit_dir: str = "",
                 orbit_file: str = "") -> SlcProduct:
    """An ERS SLC (IMS) IMAGEFILE/LEADERFILE pair as an SlcProduct reading the int16 lines
    on demand."""
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    leader = read_ers_leader(leaderfile)
    _fdr, count, reclen, _prefix, width = _read_image_fdr(imagefile, "slc")
    _scan_records(imagefile, count, reclen, _slc_codes(imagefile), "image data")
    dss = leader["dataset_summary"].values
    exact = leader["isce"] or {}
    epoch = _epoch(leader, exact, leaderfile)
    grid_std = slc_grid_from_leader(leader, leaderfile, epoch)
    disagree = []
    prf = float(exact.get("prf", grid_std["prf"]))
    _agree(disagree, "PRF [Hz]", prf, grid_std["prf"], 1e-6 * prf)
    r0 = float(exact.get("starting_range", grid_std["starting_range"]))
    _agree(disagree, "starting range [m]", r0, grid_std["starting_range"], 0.1)
    start = float(exact.get("sensing_start", grid_std["sensing_start"]))
    _agree(disagree, "first line time [s]", start, grid_std["sensing_start"], 1.01e-3)
    fs = float(exact.get("range_sampling_rate", grid_std["range_sampling_rate"]))
    _agree(disagree, "range sampling rate [Hz]", fs, grid_std["range_sampling_rate"], 1e-7 * fs)
    disagree += _size_problems(leader, count, width)
    if disagree:
        raise InputError(f"leader file {leaderfile} and image file {imagefile} disagree: "
                         f"{'; '.join(disagree)}")
    wavelength = float(exact.get("wavelength") or grid_std["wavelength"])
    look_side = exact.get("look_side", ERS_CONSTANTS["look_side"])
    grid = RadarGrid(start, epoch.to_datetime64(), prf, r0, SPEED_OF_LIGHT / (2.0 * fs),
                     count, width, wavelength, look_side)
    orbit = _orbit(leader, leaderfile, epoch, start, start + (count - 1) / prf, orbit_type,
                   orbit_dir, orbit_file)
    doppler = doppler_from_dict(exact["doppler"]) if exact.get("doppler") else \
        leader_doppler(leader, r0)
    return SlcProduct(
        radar_grid=grid, orbit=orbit, doppler=doppler, range_sampling_rate=fs,
        range_bandwidth=exact.get("range_bandwidth") or _pos(dss.get("range_processor_bandwidth"), 1e6),
        azimuth_bandwidth=exact.get("azimuth_bandwidth") or _pos(dss.get("azimuth_processor_bandwidth")),
        polarization=exact.get("polarization") or ERS_CONSTANTS["polarization"],
        platform=dss.get("mission") or "ERS", mission=dss.get("mission") or "ERS",
        orbit_type=orbit_type or "Header",
        source=ImageSource("ers_ceos", imagefile, scale=float(exact.get("scale", 1.0))),
        attributes=_attributes(dss, exact, imagefile, leaderfile, orbit_type))


def _pos(value, factor=1.0):
    return float(value) * factor if value is not None and value > 0 else None


def slc_grid_from_leader(leader, path, epoch: DateTime) -> dict:
    """The SLC's grid as ISCE2's ERS_SLC takes it from the data set summary: PRF, range
    sampling rate, first range (zero-Doppler range time of the first pixel), first line
    (zero-Doppler azimuth time of the first pixel) [s since ``epoch``], wavelength."""
    first = _parse_vmp_time(_dss_field(leader, path, "zd_azimuth_time_first",
                                       "no zero-Doppler time of the first line"))
    if first is None:
        rec, f = leader["dataset_summary"], DATA_SET_SUMMARY.field("zd_azimuth_time_first")
        raise record_error(path, rec.sequence, rec.offset + f.offset, "data set summary",
                           f"field 'zd_azimuth_time_first' ({f.where()}) is not "
                           "DD-MON-YYYY hh:mm:ss.ttt")
    tau0 = _dss_field(leader, path, "zd_range_time_first_ms", "no range time of the first pixel")
    return {"prf": float(_dss_field(leader, path, "prf", "no PRF")),
            "range_sampling_rate": float(_dss_field(leader, path, "sampling_rate_mhz",
                                                    "no range sampling rate")) * 1e6,
            "starting_range": tau0 * 1e-3 * SPEED_OF_LIGHT / 2.0,
            "sensing_start": (first - epoch).total_seconds(),
            "wavelength": float(_dss_field(leader, path, "wavelength", "no radar wavelength"))}


def leader_doppler(leader, starting_range: float) -> Poly2d:
    """ISCE2's ERS Doppler: the cross-track centroid polynomial [Hz] in two-way range time
    [s] from the first pixel, as a model over (time, slant range [m])."""
    dss = leader["dataset_summary"].values
    coeffs = [0.0 if _is_blank(dss.get(f"doppler_cross_{k}")) else dss[f"doppler_cross_{k}"]
              for k in range(3)]
    return Poly2d.from_poly1d(Poly1d(coeffs, mean=starting_range, norm=SPEED_OF_LIGHT / 2.0))


def _attributes(dss, exact, imagefile, leaderfile, orbit_type) -> dict:
    attributes = dict(exact.get("attributes") or {})
    attributes.update({
        "image_file": imagefile, "leader_file": leaderfile,
        "processing_facility": dss.get("processing_facility", ""),
        "product_type": dss.get("product_type", ""), "orbit_source": orbit_type or "Header",
    })
    ref = str(dss.get("scene_reference_number") or "")
    if ref:
        attributes.setdefault("scene_id", ref)
        parts = ref.split("=")
        attributes.setdefault("frame", parts[2].strip() if len(parts) > 2 else parts[0])
    orbit_number = str(dss.get("orbit_number") or "").strip()
    if orbit_number.isdigit():
        attributes.setdefault("orbit_number", int(orbit_number))
    return attributes


# ============================================================================ components
_ORBIT_PARAMETERS = (
    Parameter("orbit_type", public_name="ORBIT_TYPE", type=str, default="",
              doc="Orbit source: ODR (Delft, with ORBIT_DIRECTORY holding arclist and ODR.<arc>), "
                  "PRC (D-PAF, ORBIT_DIRECTORY with arclist), PDS (ORBIT_FILE); empty: the "
                  "leader's state vectors (as ISCE2)."),
    Parameter("orbit_directory", public_name="ORBIT_DIRECTORY", type="path", default=None,
              doc="Folder of the ODR or PRC orbit files and their arclist."),
    Parameter("orbit_file", public_name="ORBIT_FILE", type="path", default=None,
              doc="The PDS orbit file (ORBIT_TYPE PDS only)."),
)


class _ErsBase(Sensor):
    """IMAGEFILE / LEADERFILE / ORBIT_* of ISCE2's ERS readers."""

    parameters = (
        Parameter("imagefile", public_name="IMAGEFILE", type="paths", default=None, mandatory=True,
                  doc="The CEOS image file (DAT_01.001); ISCE2's list syntax ['DAT_01.001'] is "
                      "accepted for one file (several frames are not stitched: refused)."),
        Parameter("leaderfile", public_name="LEADERFILE", type="paths", default=None,
                  mandatory=True, doc="The CEOS leader file (LEA_01.001), as IMAGEFILE."),
    ) + _ORBIT_PARAMETERS

    def _one(self, attrname: str):
        """The one path of IMAGEFILE/LEADERFILE (a list of several is refused)."""
        value = self.require(attrname)
        paths = list(value) if isinstance(value, (list, tuple)) else [value]
        if len(paths) != 1:
            public = attrname.upper()
            raise ConfigurationError(
                f"{public} lists {len(paths)} files ({', '.join(map(str, paths))}): this reader "
                "takes one frame per date (ISCE2's stitching of several ERS frames is not "
                "supported)", source=self.source_of(attrname), path=f"{self.config_path}.{public}")
        return paths[0]

    def validate(self):
        kind = "" if self.orbit_type is None else str(self.orbit_type).strip()
        if kind not in ORBIT_TYPES:
            raise ConfigurationError(
                f"ORBIT_TYPE {self.orbit_type!r}: expected ODR, PRC or PDS (upper case, as ISCE2 "
                "compares them), or empty for the leader's state vectors",
                source=self.source_of("orbit_type"), path=f"{self.config_path}.ORBIT_TYPE")
        if kind in ("ODR", "PRC") and not self.orbit_directory:
            raise ConfigurationError(f"ORBIT_TYPE {kind} needs ORBIT_DIRECTORY (the folder of the "
                                     "orbit files and their arclist)",
                                     path=f"{self.config_path}.ORBIT_DIRECTORY")
        if kind == "PDS" and not self.orbit_file:
            raise ConfigurationError("ORBIT_TYPE PDS needs ORBIT_FILE",
                                     path=f"{self.config_path}.ORBIT_FILE")
        return kind

    def _orbit_settings(self) -> dict:
        kind = self.validate()
        return {"orbit_type": kind, "orbit_dir": os.fspath(self.orbit_directory or ""),
                "orbit_file": os.fspath(self.orbit_file or "")}


class Ers(_ErsBase):
    """Reader of ERS-1/2 level-0 raw data in CEOS (ISCE2's ``ERS``): a RawProduct decoding
    the 5-bit I/Q samples of ``IMAGEFILE`` on demand."""

    sensor_name = "ERS"

    def read_product(self) -> RawProduct:
        return read_ers_raw(self._one("imagefile"), self._one("leaderfile"),
                            **self._orbit_settings())


class ErsSlc(_ErsBase):
    """Reader of ERS-1/2 single-look complex (IMS) data in CEOS (ISCE2's ``ERS_SLC``)."""

    sensor_name = "ERS_SLC"

    def read_product(self) -> SlcProduct:
        return read_ers_slc(self._one("imagefile"), self._one("leaderfile"),
                            **self._orbit_settings())
