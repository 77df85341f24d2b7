"""RADARSAT-1 level-0 raw signal data in CEOS format: the reader, sensor name ``RADARSAT1``.

The facts are those ISCE2's ``Sensor/Radarsat1.py`` reads (its record tables
``db/radarsat/*.xml``; RADARSAT International, "RADARSAT Data Products
Specifications" RSI-GS-026, CDPF raw product; the 50-byte auxiliary block of every
line from RSI-D6 / RSCSA-IC0009 as quoted by ISCE2):

* the leader file (``.ldr``): file descriptor (720 bytes), data set summary (wavelength,
  pulse length, clock angle, orbit number, ...), platform position data record (the
  state vectors **in an inertial frame**, positions [m], velocities [mm/s], the
  Greenwich mean hour angle [deg] at the first vector), then other records (walked by
  the counts of the file descriptor; a facility-related record ``ISCE RAW PARAMETERS``
  written by :mod:`isce.simulate.radarsat1` holds the exact values the standard fields
  quantise, as ALOS's writer does);
* the image file (``.raw``): file descriptor (ISCE2: 16012 bytes; any length read from
  its header), then one signal data record per echo line: the 12-byte CEOS header, a
  180-byte prefix (line number, acquisition year / day of year / ms of day, ...), the
  50-byte auxiliary block, then the samples. Records may differ in length.

RADARSAT-1 keeps its radar settings in the auxiliary block of every line, not the leader
(ISCE2: "RSAT1 is weird. Contains all useful info in RAW data and not leader"), all in
units of the ADC time base ``tb = (4 + 3 * adc_code) / 129.2683 MHz``:

* range sampling rate ``1 / tb`` (32.317, 18.467 or 12.926 MHz);
* PRF ``1 / ((2 + prf_code) * 6 tb)``;
* receive-window start ``(5 + dwp_code) * 6 tb`` after the ``r``-th previous pulse, ``r``
  from ISCE2's beam table; starting range ``c/2 (dwp + r / PRF - 2 * 2.02 us)``;
* time of the line [s of day, us resolution]; whether a chirp replica
  (``2 * int(44.559 us / tb)`` bytes) precedes the echo samples.

ISCE2's fixed values are kept: pulse length 42 us, chirp slope -7.214e11 Hz/s (32 MHz;
-4.1619e11 at 18 MHz, -2.7931e11 below), antenna 15 m, polarization HH.

Samples: one 4-bit two's-complement number per byte (I, Q, I, Q, ...); ISCE2 flips the
top bit (``c >= 8: c - 8, else c + 8``) and takes a DC bias of 7.5, i.e. a sample's
value is ``tc(c) + 0.5`` (``tc``: 4-bit two's complement, -8..7). A byte above 15 is not a
4-bit sample and is refused (file, record, byte offset).

RADARSAT-1's quirks, as handled here (ISCE2's behaviour in brackets):

* lines with a chirp replica: the replica is removed (as ISCE2);
* missing lines (a time gap of ``k`` PRIs between records): ``k - 1`` lines of zeros are
  inserted [ISCE2 repeats the next line ``k`` times]; a gap of 126 PRIs or more is
  refused (ISCE2's limit); a repeated time tag drops the record (as ISCE2), time going
  backwards is refused;
* the receive window moving within the scene (``dwp_code`` changes): the line is shifted
  onto the first line's range grid (steps of exactly 6 samples), unknown samples zero
  [ISCE2 ignores the change];
* records shorter or longer than the first: zero-padded / cut to its width (as ISCE2);
* a PRF, ADC rate or beam change within the scene cannot be one raw product: refused in one
  line naming the record [ISCE2 silently keeps the first line's values].

Orbit: as ISCE2 (``Orbit/Inertial.py`` ``ECI2ECR``), each inertial state vector at time
``t`` is rotated about the z axis by ``theta = GHA + w (t - t0)`` (GHA: the record's
Greenwich hour angle at the first vector ``t0``, ``w = 2 pi 1.002737822 / 86400`` rad/s),
velocity ``A v + dA/dt r``. No SPICE kernel is needed: ISCE2's RADARSAT-1 reader does
not call SPICE (its ``Orbit/Spice.py`` needs NAIF kernels and is not used by the reader).

Doppler: the raw product has none (ISCE2 takes one only from an ASF ``PARFILE``, which is
not supported here and refused); insarApp estimates it from the echoes.

Every problem with the files is an :class:`~isce.framework.InputError` naming the file,
the record number and its byte offset. An image file without signal data records is
refused with "no image data".
"""
from __future__ import annotations

import datetime as _dt
import functools
import logging
import math
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import doppler_from_dict
from isce.core.orbit import Orbit
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .alos_ceos import IMAGE_FDR as _CEOS_IMAGE_FDR
from .alos_ceos import PLATFORM_POSITION as _CEOS_PLATFORM_POSITION
from .base import Sensor
from .ceos import (json_facility, FILE_DESCRIPTOR_FIELDS, HEADER_FIELDS, HEADER_LENGTH, CeosReader, Field, RecordLayout,
                   check_leader_records, record_error, sequential, warn_unannounced_bytes)
from .raw import RawProduct, RawSource, register_decoder

__all__ = ["Radarsat1", "read_radarsat1", "eci_to_ecef", "ecef_to_eci", "decode_aux",
           "encode_aux", "gmst_deg", "encode_samples", "decode_samples", "LEADER_FDR", "DATA_SET_SUMMARY",
           "PLATFORM_POSITION", "ISCE_FACILITY", "IMAGE_FDR", "SIGNAL_PREFIX", "AUX_BYTES",
           "PREFIX_BYTES", "DATA_OFFSET", "RSAT_SMO", "ONE_WAY_DELAY", "BEAM_RANGE_GATE",
           "PULSE_LENGTH", "REPLICA_DURATION", "MAX_LINE_GAP", "EARTH_ROTATION",
           "FACILITY_IDENTIFIER", "FACILITY_FORMAT", "chirp_slope_for", "IQ_BIAS"]

log = logging.getLogger("isce.sensors.radarsat1")

# ============================================================================ format facts
#: RADARSAT-1 system master oscillator [Hz]: the ADC time base is (4 + 3 adc_code) / SMO
RSAT_SMO = 129.2683e6
#: one-way delay of the radar electronics [s] (ISCE2)
ONE_WAY_DELAY = 2.02e-6
#: beam number (aux block) -> (pulses in flight before the receive window, ISCE2's right edge)
BEAM_RANGE_GATE = {1: (7, 428), 2: (7, 428), 3: (8, 176), 4: (8, 176), 5: (8, 176),
                   6: (9, 176), 7: (9, 176), 16: (8, 176), 17: (8, 176), 18: (8, 176),
                   19: (9, 176), 20: (9, 176)}
#: ISCE2's pulse length [s] and chirp replica duration [s]
PULSE_LENGTH = 42.0e-6
REPLICA_DURATION = 44.559e-6
#: ISCE2 refuses a time gap of this many PRIs or more ("Line Gap too big to be filled")
MAX_LINE_GAP = 126
#: ISCE2's Earth rotation rate of ECI2ECR [rad/s]: 2 pi 1.002737822 / 86400
EARTH_ROTATION = 2.0 * 1.002737822 * math.pi / 86400.0
#: DC bias of the samples after ISCE2's top-bit flip
IQ_BIAS = 7.5
#: RADARSAT-1's antenna length [m] (ISCE2's constant)
ANTENNA_LENGTH = 15.0
#: bytes of the auxiliary block, of the record header + prefix, and where samples start
AUX_BYTES = 50
PREFIX_BYTES = 192
DATA_OFFSET = PREFIX_BYTES + AUX_BYTES
#: the image file descriptor's "prefix bytes per record" (without the 12-byte header)
FDR_PREFIX_BYTES = PREFIX_BYTES - HEADER_LENGTH
#: record type code (byte 6) of the records checked
_TYPE_CODES = {"leader file descriptor": 192, "image file descriptor": 192,
               "data set summary": 10, "platform position": 30, "signal data": 10}
#: identifier / format tag of the facility-related record with exact values (JSON)
FACILITY_IDENTIFIER = "ISCE RAW PARAMETERS"
FACILITY_FORMAT = "isce.sensors.radarsat1/1"


def chirp_slope_for(fs: float) -> float:
    """ISCE2's chirp slope [Hz/s] for the range sampling rate ``fs`` [Hz]."""
    if fs > 30.0e6:
        return -7.214e11
    if fs > 15.0e6:
        return -4.1619047619047619629e11
    return -2.7931e11


# ============================================================================ record tables
#: leader file descriptor (720 bytes; one facility count, as ISCE2's leader_file.xml)
LEADER_FDR = RecordLayout("leader file descriptor", None, FILE_DESCRIPTOR_FIELDS + sequential(180, [
    *[row for stem in ("dataset_summary", "map_projection", "platform_position", "attitude",
                       "radiometric", "radiometric_compensation", "data_quality", "histogram",
                       "range_spectra", "dem_descriptor", "radar_parameter_update",
                       "annotation", "detailed_processing", "calibration", "gcp")
      for row in ((f"n_{stem}", 6, "I"), (f"{stem}_length", 6, "I"))],
    (None, 60, "A"),
    ("n_facility", 6, "I"), ("facility_length", 6, "I"),
    (None, 288, "A"),
]), length=720)

#: leader records in file order (CEOS): count field stem and name
LEADER_ORDER = (("dataset_summary", "data set summary"), ("map_projection", "map projection"),
                ("platform_position", "platform position"), ("attitude", "attitude"),
                ("radiometric", "radiometric"),
                ("radiometric_compensation", "radiometric compensation"),
                ("data_quality", "data quality summary"), ("histogram", "data histogram"),
                ("range_spectra", "range spectra"), ("dem_descriptor", "DEM descriptor"),
                ("radar_parameter_update", "radar parameter update"),
                ("annotation", "annotation"), ("detailed_processing", "detailed processing"),
                ("calibration", "calibration"), ("gcp", "ground control points"),
                ("facility", "facility related"))

#: data set summary record (ISCE2 db/radarsat/scene_record.xml)
DATA_SET_SUMMARY = RecordLayout("data set summary", None, sequential(12, [
    ("dss_sequence_number", 4, "I"), ("sar_channel_indicator", 4, "I"),
    ("scene_id", 16, "A"), ("scene_reference_number", 32, "A"),
    ("scene_centre_time", 32, "A"), ("pass_direction", 16, "A"),
    ("scene_centre_latitude", 16, "F", ".7f"), ("scene_centre_longitude", 16, "F", ".7f"),
    ("scene_centre_heading", 16, "F", ".7f"), ("ellipsoid_designator", 16, "A"),
    ("ellipsoid_semimajor_km", 16, "F", ".7f"), ("ellipsoid_semiminor_km", 16, "F", ".7f"),
    ("earth_gm", 16, "F", ".7E"), (None, 16, "A"),
    ("ellipsoid_j2", 16, "F", ".7E"), ("ellipsoid_j3", 16, "F", ".7E"),
    ("ellipsoid_j4", 16, "F", ".7E"), (None, 16, "A"), (None, 16, "A"),
    ("scene_centre_line", 8, "I"), ("scene_centre_pixel", 8, "I"),
    ("scene_length_km", 16, "F", ".7f"), ("scene_width_km", 16, "F", ".7f"), (None, 16, "A"),
    ("n_sar_channels", 4, "I"), (None, 4, "A"),
    ("mission", 16, "A"), ("sensor_id_mode", 32, "A"), ("orbit_number", 8, "A"),
    ("platform_latitude", 8, "F", ".3f"), ("platform_longitude", 8, "F", ".3f"),
    ("platform_heading", 8, "F", ".3f"),
    ("clock_angle", 8, "F", ".3f"),               # +90 right-looking, -90 left-looking
    ("incidence_angle", 8, "F", ".3f"),
    ("radar_frequency_ghz", 8, "F", ".5f"),
    ("wavelength", 16, "F", ".13f"),              # [m]
    ("motion_compensation", 2, "A"), ("range_pulse_code", 16, "A"),
    *[(f"pulse_amplitude_{k}", 16, "F", ".7E") for k in range(5)],
    *[(f"pulse_phase_{k}", 16, "F", ".9E") for k in range(5)],
    ("chirp_extraction_index", 8, "I"), (None, 8, "A"),
    ("sampling_rate_mhz", 16, "F", ".10f"), ("range_gate_delay_us", 16, "F", ".9f"),
    ("pulse_length_us", 16, "F", ".9f"),          # ISCE2: 'Range pulse length' [us]
    (None, 4, "A"), ("range_compressed_flag", 4, "A"), (None, 32, "A"),
    ("quantization_bits", 8, "I"), ("quantizer_descriptor", 12, "A"),
    ("dc_bias_i", 16, "F", ".7f"), ("dc_bias_q", 16, "F", ".7f"),
    ("gain_imbalance", 16, "F", ".7f"), (None, 48, "A"),
    ("mechanical_boresight", 16, "F", ".7f"), (None, 4, "A"),
    ("prf_hz", 16, "F", ".7f"), (None, 32, "A"),
    ("binary_time_code", 16, "I"), ("clock_time", 32, "A"), ("clock_step", 8, "I"), (None, 8, "A"),
    ("processing_facility", 16, "A"), ("processing_system", 8, "A"),
    ("processing_version", 8, "A"), (None, 32, "A"),
    ("product_type", 32, "A"), ("processing_algorithm", 32, "A"),
    ("azimuth_looks", 16, "F", ".7f"), ("range_looks", 16, "F", ".7f"),
    (None, 16 * 4, "A"), (None, 64, "A"), ("data_input_source", 16, "A"),
    (None, 32, "A"), (None, 32, "A"),
    *[(f"doppler_along_{k}", 16, "F", ".7E") for k in range(3)], (None, 16, "A"),
    *[(f"doppler_cross_{k}", 16, "F", ".7E") for k in range(3)],
    ("time_direction_pixel", 8, "A"), ("time_direction_line", 8, "A"),
    (None, 16 * 8, "A"),
    ("line_content", 8, "A"), ("clutterlock_flag", 4, "A"), ("autofocus_flag", 4, "A"),
    ("line_spacing", 16, "F", ".7f"), ("pixel_spacing", 16, "F", ".7f"),
    ("range_compression_designator", 16, "A"),
]))
#: bytes of the data set summary (the end of ISCE2's table)
DATA_SET_SUMMARY_BYTES = 1734
assert DATA_SET_SUMMARY.min_length == DATA_SET_SUMMARY_BYTES

#: platform position data record: the CEOS layout (ISCE2's platform_position_record.xml)
PLATFORM_POSITION = RecordLayout("platform position", None,
                                 _CEOS_PLATFORM_POSITION.fields[len(HEADER_FIELDS):],
                                 repeats=_CEOS_PLATFORM_POSITION.repeats)

#: the facility-related record written by isce.simulate.radarsat1 (exact values as JSON)
ISCE_FACILITY = RecordLayout("facility related (ISCE)", None, sequential(12, [
    ("facility_sequence_number", 4, "I"), ("identifier", 32, "A"), ("text_length", 8, "I"),
]) + (Field("text", 56, None, "R"),))

#: image file descriptor (ISCE2 db/radarsat/image_file.xml: the standard CEOS fields)
IMAGE_FDR = RecordLayout("image file descriptor", None,
                         _CEOS_IMAGE_FDR.fields[len(HEADER_FIELDS):])
#: bytes of the image file descriptor as ISCE2's table has it
IMAGE_FDR_BYTES = 16012

#: signal data record: header + 180-byte prefix (ISCE2 db/radarsat/image_record.xml)
SIGNAL_PREFIX = RecordLayout("signal data", None, sequential(12, [
    ("line_number", 4, "B"), ("record_index", 4, "B"),
    ("left_fill_pixels", 4, "B"), ("data_pixels", 4, "B"), ("right_fill_pixels", 4, "B"),
    ("sensor_update_flag", 4, "B"),
    ("year", 4, "B"), ("day_of_year", 4, "B"), ("millisecond_of_day", 4, "B"),
    ("channel_indicator", 2, "B"), ("channel_code", 2, "B"),
    ("tx_polarization", 2, "B"), ("rx_polarization", 2, "B"),
    ("prf_mhz", 4, "B"), (None, 4, "B"),
    ("range_compressed_flag", 2, "B"), ("pulse_type", 2, "B"),
    ("chirp_length_ns", 4, "B"), ("chirp_constant_hz", 4, "B"),
    ("chirp_linear_hz_per_us", 4, "B"), ("chirp_quadratic", 4, "B"), (None, 8, "B"),
    ("receiver_gain_db", 4, "B"), ("nought_line_flag", 4, "B"),
    ("electronic_nadir_udeg", 4, "B"), ("mechanical_nadir_udeg", 4, "B"),
    ("electronic_squint_udeg", 4, "B"), ("mechanical_squint_udeg", 4, "B"),
    ("slant_range_m", 4, "B"), ("window_time_ns", 4, "B"), (None, 4, "B"),
    ("platform_update_flag", 4, "B"),
    ("platform_latitude_udeg", 4, "B"), ("platform_longitude_udeg", 4, "B"),
    ("platform_altitude_m", 4, "B"), ("platform_speed_cm_s", 4, "B"),
    (None, 12, "B"), (None, 12, "B"),
    ("platform_track_udeg", 4, "B"), ("platform_heading_udeg", 4, "B"),
    ("platform_pitch_udeg", 4, "B"), ("platform_roll_udeg", 4, "B"),
    ("platform_yaw_udeg", 4, "B"),
]), fill=b"\0")
assert SIGNAL_PREFIX.min_length == PREFIX_BYTES


# ============================================================================ aux block
def decode_aux(aux: np.ndarray) -> dict:
    """The fields ISCE2 reads from 50-byte auxiliary blocks ``(n, 50)`` uint8: ``seconds``
    [s of day], ``adc``, ``prf_code``, ``dwp_code``, ``beam``, ``replica`` (0/1) -- int64
    arrays (seconds float64) -- with ISCE2's bit positions."""
    a = np.asarray(aux, np.int64)
    sec = ((a[:, 44] & 31) << 12) | (a[:, 45] << 4) | (a[:, 46] >> 4)
    millis = ((a[:, 46] & 15) << 6) | (a[:, 47] >> 2)
    micros = ((a[:, 47] & 3) << 8) | a[:, 48]
    return {"seconds": sec + millis * 1e-3 + micros * 1e-6,
            "adc": (a[:, 22] & 63) >> 4,
            "prf_code": (a[:, 25] << 5) | (a[:, 26] >> 3),
            "dwp_code": (a[:, 27] << 4) | (a[:, 28] >> 4),
            "beam": (a[:, 18] << 8) | a[:, 19],
            "replica": (a[:, 49] >> 6) & 1}


def encode_aux(n: int, *, seconds, adc: int, prf_code: int, dwp_code, beam: int,
               replica) -> np.ndarray:
    """``(n, 50)`` uint8 auxiliary blocks holding what :func:`decode_aux` reads (other bits
    zero but the sync marker); ``seconds`` [s of day] are rounded to the microsecond."""
    for name, v, bits in (("adc", adc, 2), ("prf_code", prf_code, 13), ("beam", beam, 16)):
        if not 0 <= int(v) < (1 << bits):
            raise ValueError(f"{name} {v} does not fit in {bits} bits")
    dwp = np.broadcast_to(np.asarray(dwp_code, np.int64), (n,))
    if np.any((dwp < 0) | (dwp >= 4096)):
        raise ValueError("a data window position code does not fit in 12 bits")
    us = np.rint(np.asarray(seconds, np.float64) * 1e6).astype(np.int64)
    us = np.broadcast_to(us, (n,))
    sec, rem = us // 1_000_000, us % 1_000_000
    millis, micros = rem // 1000, rem % 1000
    if np.any((sec < 0) | (sec >= 1 << 17)):
        raise ValueError("a line time does not fit in the 17-bit seconds of the aux block")
    a = np.zeros((n, AUX_BYTES), np.int64)
    a[:, 0:4] = (0x35, 0x2E, 0xF8, 0x53)           # aux sync marker
    a[:, 18], a[:, 19] = beam >> 8, beam & 255
    a[:, 22] = (adc & 3) << 4
    a[:, 25], a[:, 26] = prf_code >> 5, (prf_code & 31) << 3
    a[:, 27], a[:, 28] = dwp >> 4, (dwp & 15) << 4
    a[:, 44] = sec >> 12
    a[:, 45] = (sec >> 4) & 255
    a[:, 46] = ((sec & 15) << 4) | (millis >> 6)
    a[:, 47] = ((millis & 63) << 2) | (micros >> 8)
    a[:, 48] = micros & 255
    a[:, 49] = (np.broadcast_to(np.asarray(replica, np.int64), (n,)) & 1) << 6
    return a.astype(np.uint8)


def time_base(adc) -> np.ndarray:
    """ADC sample period [s] of ADC rate code(s) ``adc``."""
    return (4.0 + 3.0 * np.asarray(adc, np.float64)) / RSAT_SMO


def replica_bytes(adc: int) -> int:
    """Bytes of the chirp replica preceding the echo of a line that has one (ISCE2)."""
    return 2 * int(REPLICA_DURATION / float(time_base(adc)))


# ============================================================================ samples
def encode_samples(echo: np.ndarray, scale: float) -> np.ndarray:
    """Complex echoes -> interleaved I/Q bytes ``(lines, 2 width)``: each part ``x`` to the
    4-bit two's-complement code of ``floor(x / scale)`` clipped to -8..7 (mid-rise: decoded
    as ``(code + 0.5) * scale``, within ``scale / 2`` inside the range)."""
    z = np.asarray(echo)
    out = np.empty(z.shape[:-1] + (2 * z.shape[-1],), np.uint8)
    for part, sl in ((z.real, slice(0, None, 2)), (z.imag, slice(1, None, 2))):
        q = np.floor(np.asarray(part, np.float64) / scale)
        np.clip(q, -8, 7, out=q)
        out[..., sl] = q.astype(np.int64) & 15
    return out


def decode_samples(codes: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Interleaved 4-bit I/Q bytes -> complex64, ISCE2's way: ``(c ^ 8) - 7.5`` (times scale)."""
    c = (np.asarray(codes, np.uint8) ^ 8).astype(np.float32) - np.float32(IQ_BIAS)
    out = np.empty(c.shape[:-1] + (c.shape[-1] // 2,), np.complex64)
    out.real, out.imag = c[..., 0::2], c[..., 1::2]
    if scale != 1.0:
        out *= np.float32(scale)
    return out


# ============================================================================ orbit frames
def gmst_deg(t: DateTime) -> float:
    """Greenwich mean sidereal time [deg] at UTC instant ``t`` (IAU 1982, Aoki et al.;
    UT1 taken as UTC: within 0.9 s, i.e. 0.004 deg)."""
    midnight = t.date_only()
    ut = (t - midnight).total_seconds()
    days = (midnight - DateTime(2000, 1, 1, 12)).total_seconds() / 86400.0
    cent = days / 36525.0
    sec = (24110.54841 + 8640184.812866 * cent + 0.093104 * cent ** 2 - 6.2e-6 * cent ** 3
           + 1.002737909350795 * ut)
    return (sec / 240.0) % 360.0


def _rotation(theta: np.ndarray):
    """Rotation matrices ``A`` (inertial -> Earth-fixed) and ``dA/dt`` for angles ``theta``."""
    c, s = np.cos(theta), np.sin(theta)
    z = np.zeros_like(theta)
    a = np.stack([np.stack([c, s, z], -1), np.stack([-s, c, z], -1),
                  np.stack([z, z, z + 1.0], -1)], -2)
    w = EARTH_ROTATION
    da = np.stack([np.stack([-w * s, w * c, z], -1), np.stack([-w * c, -w * s, z], -1),
                   np.stack([z, z, z], -1)], -2)
    return a, da


def eci_to_ecef(t, pos, vel, gha_deg: float, t0: float):
    """Inertial state vectors at times ``t`` [s] -> Earth-fixed, as ISCE2's ``ECI2ECR``:
    rotation by ``GHA + w (t - t0)`` about z (``gha_deg`` [deg] at ``t0``)."""
    theta = math.radians(gha_deg) + EARTH_ROTATION * (np.asarray(t, np.float64) - t0)
    a, da = _rotation(theta)
    pos, vel = np.asarray(pos, np.float64), np.asarray(vel, np.float64)
    return (np.einsum("nij,nj->ni", a, pos),
            np.einsum("nij,nj->ni", da, pos) + np.einsum("nij,nj->ni", a, vel))


def ecef_to_eci(t, pos, vel, gha_deg: float, t0: float):
    """The inverse of :func:`eci_to_ecef` (what a RADARSAT-1 leader holds)."""
    theta = math.radians(gha_deg) + EARTH_ROTATION * (np.asarray(t, np.float64) - t0)
    a, da = _rotation(theta)
    at = np.transpose(a, (0, 2, 1))
    pos, vel = np.asarray(pos, np.float64), np.asarray(vel, np.float64)
    r = np.einsum("nij,nj->ni", at, pos)
    return r, np.einsum("nij,nj->ni", at, vel - np.einsum("nij,nj->ni", da, r))


# ============================================================================ leader
def _check_type(rec, path, layout_name):
    """Refuse a record whose type code (byte 6) is not the one of ``layout_name``."""
    want = _TYPE_CODES.get(layout_name)
    if want is not None and rec["record_type_code"] != want:
        raise record_error(path, rec.sequence, rec.offset, layout_name,
                           f"record type code (byte 6) is {rec['record_type_code']}, expected "
                           f"{want} for the {layout_name} record (not a RADARSAT-1 CEOS file of "
                           "this kind, or corrupt)")


def _read_leader(path) -> dict:
    """Records of the leader file: {"fdr", "dataset_summary", "platform_position", "isce"}."""
    out = {"isce": None}
    with CeosReader(path, "leader file") as rd:
        fdr = rd.read(LEADER_FDR)
        _check_type(fdr, path, "leader file descriptor")
        out["fdr"] = fdr
        for stem, name in LEADER_ORDER:
            count, length = fdr.get(f"n_{stem}") or 0, fdr.get(f"{stem}_length") or None
            for k in range(count):
                if stem == "dataset_summary" and k == 0:
                    rec = rd.read(DATA_SET_SUMMARY, length=length)
                elif stem == "platform_position" and k == 0:
                    rec = rd.read(PLATFORM_POSITION, length=length)
                elif stem == "facility" and \
                        rd.peek(16, 32).decode("ascii", "replace").strip() == FACILITY_IDENTIFIER:
                    rec = rd.read(ISCE_FACILITY)           # facility records vary in length
                    out["isce"] = _parse_facility(rec, path)
                    continue
                else:
                    rec = rd.skip(length=None if stem == "facility" else length, name=name)
                    continue
                _check_type(rec, path, name)
                out[stem] = rec
        warn_unannounced_bytes(rd, path, log)
    check_leader_records(out, path)
    return out


def _parse_facility(rec, path) -> dict:
    return json_facility(rec, path, FACILITY_IDENTIFIER, FACILITY_FORMAT, 56)


def _platform_error(rec, path, name, message):
    f = PLATFORM_POSITION.field(name)
    return record_error(path, rec.sequence, rec.offset + f.offset, "platform position",
                        f"field {name!r} ({f.where()}) {message}")


def _orbit(rec, epoch, path):
    """(Earth-fixed Orbit, epoch) from the inertial state vectors of the platform position
    record, rotated with its Greenwich hour angle as ISCE2 does."""
    v = rec.values
    n = v.get("n_data_points") or 0
    if n < 2:
        raise record_error(path, rec.sequence, rec.offset, "platform position",
                           f"{n} state vector(s); an orbit needs at least 2")
    for name in ("year", "month", "day", "seconds_of_day", "interval", "greenwich_hour_angle"):
        if v.get(name) is None:
            raise _platform_error(rec, path, name, "is blank")
    frame = str(v.get("reference_system") or "").upper()
    if any(word in frame for word in ("FIXED", "ECEF", "ECR", "ITRF", "WGS")):
        raise _platform_error(rec, path, "reference_system",
                              f"says {v['reference_system']!r}: RADARSAT-1 leaders hold inertial "
                              "state vectors (ISCE2 rotates them to Earth-fixed); an Earth-fixed "
                              "orbit here is not a RADARSAT-1 leader")
    if not v["interval"] > 0:
        raise _platform_error(rec, path, "interval", f"is {v['interval']!r}, not a positive time step")
    try:
        midnight = DateTime(int(v["year"]), int(v["month"]), int(v["day"]))
    except (ValueError, TypeError) as exc:
        raise _platform_error(rec, path, "year", f"(date of the first vector): {exc}") from None
    epoch = midnight if epoch is None else epoch
    keys = ("position_x", "position_y", "position_z", "velocity_x", "velocity_y", "velocity_z")
    svs = v["state_vectors"]
    for i, sv in enumerate(svs):
        if any(sv[k] is None for k in keys):
            raise record_error(path, rec.sequence, rec.offset + 386 + 132 * i, "platform position",
                               f"state vector {i + 1} has blank fields")
    pos = np.array([[sv[k] for k in keys[:3]] for sv in svs], np.float64)
    vel = np.array([[sv[k] for k in keys[3:]] for sv in svs], np.float64) / 1000.0   # mm/s
    t = (midnight - epoch).total_seconds() + v["seconds_of_day"] + v["interval"] * np.arange(n)
    gha = float(v["greenwich_hour_angle"])
    off = (gha - gmst_deg(midnight + float(v["seconds_of_day"])) + 180.0) % 360.0 - 180.0
    if abs(off) > 0.05:
        log.warning("%s: the platform position record's Greenwich hour angle %.6f deg is %.4f deg "
                    "from the mean sidereal time of its first state vector (used as given, as "
                    "ISCE2 does)", path, gha, off)
    pos, vel = eci_to_ecef(t, pos, vel, gha, t[0])
    try:
        return Orbit(t, pos, vel, epoch.to_datetime64(), interp_method="hermite"), epoch
    except ValueError as exc:
        raise record_error(path, rec.sequence, rec.offset, "platform position",
                           f"invalid state vectors: {exc}") from None


# ============================================================================ image file
class _Lines:
    """The signal data records of an image file walked once: per record its byte offset,
    length and auxiliary block; per output line the record it comes from (or -1: a missing
    line), where its samples start, how many bytes it has and its range shift [samples]."""

    def __init__(self, path):
        self.path = os.fspath(path)
        with CeosReader(self.path, "image file") as rd:
            fdr = rd.read(IMAGE_FDR)
            _check_type(fdr, self.path, "image file descriptor")
            self.header_bytes = rd.offset
            self.size = rd.size
            offsets, lengths, heads = self._walk(rd)
        self.fdr = fdr.values
        self.n_records = len(offsets)
        self.offsets = np.asarray(offsets, np.int64)
        self.lengths = np.asarray(lengths, np.int64)
        head = np.frombuffer(b"".join(heads), np.uint8).reshape(-1, DATA_OFFSET) \
            if heads else np.zeros((0, DATA_OFFSET), np.uint8)
        self.prefix = head[:, :PREFIX_BYTES].copy().view(SIGNAL_PREFIX.dtype(PREFIX_BYTES)).ravel() \
            if heads else None
        self.aux = decode_aux(head[:, PREFIX_BYTES:DATA_OFFSET])

    def _walk(self, rd):
        """Offsets, lengths and first DATA_OFFSET bytes of every signal data record (checked:
        sequence numbers, type code, length, the file's end)."""
        offsets, lengths, heads = [], [], []
        fh = rd._fh
        off, seq, size = rd.offset, 2, rd.size
        while off < size:
            fh.seek(off)
            head = fh.read(DATA_OFFSET)
            if len(head) < HEADER_LENGTH:
                raise record_error(self.path, seq, off, "signal data",
                                   f"truncated: only {len(head)} byte(s) of the 12-byte record "
                                   f"header (the image file ends at byte {size})")
            got_seq = int.from_bytes(head[0:4], "big")
            n = int.from_bytes(head[8:12], "big")
            if got_seq != seq:
                raise record_error(self.path, seq, off, "signal data",
                                   f"record sequence number is {got_seq}, expected {seq} (corrupt "
                                   "file, or a wrong record length before this record)")
            if head[5] != _TYPE_CODES["signal data"]:
                raise record_error(self.path, seq, off, "signal data",
                                   f"record type code (byte 6) is {head[5]}, expected "
                                   f"{_TYPE_CODES['signal data']} (corrupt, or not a signal data "
                                   "record)")
            if n < DATA_OFFSET:
                raise record_error(self.path, seq, off, "signal data",
                                   f"record length field (bytes 9-12) is {n}, shorter than the "
                                   f"{DATA_OFFSET} bytes of its prefix and auxiliary block")
            if off + n > size:
                raise record_error(self.path, seq, off, "signal data",
                                   f"truncated: the record needs {n} bytes but the image file ends "
                                   f"at byte {size} ({size - off} bytes of it present)")
            offsets.append(off)
            lengths.append(n)
            heads.append(head)
            off += n
            seq += 1
        return offsets, lengths, heads

    def error(self, k: int, message: str, where: int = 0) -> InputError:
        """InputError naming the file, record ``k`` (0-based) and a byte offset in it."""
        return record_error(self.path, k + 2, int(self.offsets[k]) + where, "signal data", message)

    def column(self, name) -> np.ndarray:
        return np.asarray(self.prefix[name]).astype(np.int64)


def _constant(lines: _Lines, name: str, what: str, offset: int) -> int:
    """The value of aux field ``name``, refused when it changes within the scene."""
    v = lines.aux[name]
    bad = np.nonzero(v != v[0])[0]
    if bad.size:
        k = int(bad[0])
        raise lines.error(k, f"the {what} changes from {int(v[0])} to {int(v[k])} at this line "
                             f"(auxiliary block byte {offset}); a scene whose {what} changes "
                             "cannot be processed as one raw product (split it)", PREFIX_BYTES + offset)
    return int(v[0])


def _line_times(lines: _Lines) -> np.ndarray:
    """Time of every record [s since the first record's day]: prefix day + aux seconds."""
    years, doys = lines.column("year"), lines.column("day_of_year")
    try:
        day = np.array([_dt.date(int(y), 1, 1).toordinal() + int(d) - 1
                        for y, d in zip(years, doys)], np.int64)
    except ValueError:
        k = int(np.argmax((years < 1) | (years > 9999) | (doys < 1) | (doys > 366)))
        raise lines.error(k, f"acquisition year/day {years[k]}/{doys[k]} is not a date", 36) from None
    return (day - day[0]) * 86400.0 + lines.aux["seconds"]


def _line_map(lines: _Lines, times: np.ndarray, prf: float):
    """(output line of every record, -1: dropped duplicate; number of output lines)."""
    gaps = np.rint(np.diff(times) * prf).astype(np.int64)
    out = np.full(lines.n_records, -1, np.int64)
    out[0] = 0
    line = 0
    for k, g in enumerate(gaps, start=1):
        if g < 0:
            raise lines.error(k, f"the line time goes back by {-g} PRIs ({times[k] - times[k - 1]:+.6f}"
                                 " s): records out of order", PREFIX_BYTES + 44)
        if g >= MAX_LINE_GAP:
            raise lines.error(k, f"a gap of {g} PRIs before this line ({times[k] - times[k - 1]:.6f} s);"
                                 f" gaps of {MAX_LINE_GAP} or more cannot be filled (as ISCE2)",
                              PREFIX_BYTES + 44)
        if g == 0:
            log.warning("%s: record %d repeats the time of the line before it: dropped (as ISCE2)",
                        lines.path, k + 2)
            continue
        line += int(g)
        out[k] = line
    missing = line + 1 - int(np.count_nonzero(out >= 0))
    if missing:
        log.warning("%s: %d missing line(s) (time gaps) filled with zeros", lines.path, missing)
    return out, line + 1


@functools.lru_cache(maxsize=8)
def _index(path: str, size: int, mtime_ns: int):
    """The line index of an image file (cached per file version): what the decoder needs."""
    lines = _Lines(path)
    if lines.n_records == 0:
        return lines, None
    adc = _constant(lines, "adc", "ADC sampling rate code", 22)
    prf_code = _constant(lines, "prf_code", "PRF code", 25)
    _constant(lines, "beam", "beam", 18)
    tb = float(time_base(adc))
    prf = 1.0 / ((2 + prf_code) * 6.0 * tb)
    rep = replica_bytes(adc)
    data_bytes = lines.lengths - DATA_OFFSET
    has_rep = lines.aux["replica"].astype(bool)
    short = np.nonzero(has_rep & (data_bytes < rep))[0]
    if short.size:
        raise lines.error(int(short[0]), f"the line says it holds a {rep}-byte chirp replica but "
                                         f"has only {int(data_bytes[short[0]])} data bytes",
                          PREFIX_BYTES + 49)
    start = DATA_OFFSET + np.where(has_rep, rep, 0)
    nbytes = data_bytes - np.where(has_rep, rep, 0)
    width = int(nbytes[0]) // 2
    shift = 6 * (lines.aux["dwp_code"] - lines.aux["dwp_code"][0])
    out, count = _line_map(lines, _line_times(lines), prf)
    keep = out >= 0
    record_of = np.full(count, -1, np.int64)
    record_of[out[keep]] = np.nonzero(keep)[0]
    return lines, {"adc": adc, "prf_code": prf_code, "prf": prf, "width": width, "count": count,
                   "record_of": record_of, "start": start, "nbytes": nbytes, "shift": shift}


def _line_index(path: str):
    try:
        st = os.stat(path)
    except OSError:
        raise InputError(f"{path}: no such file (RADARSAT-1 image file)") from None
    return _index(os.path.abspath(path), st.st_size, st.st_mtime_ns)


# ============================================================================ decoding
def _decode_rsat1(source: RawSource, rows: slice) -> np.ndarray:
    """Echo lines ``rows`` of a RADARSAT-1 image file: replica removed, range shifts and
    missing lines applied; only the requested records' samples are read."""
    p = source.params
    lines, idx = _line_index(source.path)
    if idx is None or idx["count"] != int(p["count"]) or idx["width"] != int(p["samples"]):
        raise InputError(f"{source.path}: the image file changed since it was read ({p['count']} "
                         f"lines of {p['samples']} samples expected)")
    width, count = int(p["samples"]), int(p["count"])
    want = np.arange(*rows.indices(count))
    out = np.zeros((want.size, width), np.complex64)
    scale = float(p.get("scale", 1.0))
    with open(source.path, "rb") as fh:
        for i, line in enumerate(want):
            k = int(idx["record_of"][line])
            if k < 0:
                continue                                  # a missing line: zeros
            n = min(int(idx["nbytes"][k]) // 2, width)
            fh.seek(int(lines.offsets[k]) + int(idx["start"][k]))
            codes = np.frombuffer(fh.read(2 * n), np.uint8)
            if codes.size != 2 * n:
                raise lines.error(k, "truncated since it was read", int(idx["start"][k]))
            bad = np.nonzero(codes > 15)[0]
            if bad.size:
                b = int(idx["start"][k]) + int(bad[0])
                raise lines.error(k, f"byte {b} of the record (file byte offset "
                                     f"{int(lines.offsets[k]) + b}) holds {int(codes[bad[0]])}, not "
                                     "a 4-bit sample (0..15)")
            z = decode_samples(codes, scale)
            s = int(idx["shift"][k])
            lo, hi = max(0, s), min(width, s + n)
            if hi > lo:
                out[i, lo:hi] = z[lo - s:hi - s]
    return out


register_decoder("rsat1", _decode_rsat1)


# ============================================================================ product
def _dss_error(path, leader, field_name, what):
    rec = leader["dataset_summary"]
    f = DATA_SET_SUMMARY.field(field_name)
    return record_error(path, rec.sequence, rec.offset + f.offset, "data set summary",
                        f"{what}: field {field_name!r} ({f.where()}) is blank or zero")


def read_radarsat1(imagefile, leaderfile) -> RawProduct:
    """Read a RADARSAT-1 CEOS raw pair (image file, leader file): a RawProduct whose echoes
    are decoded on demand (source kind ``"rsat1"``). Problems are InputErrors naming the
    file, the record and its byte offset; no signal data records is "no image data"."""
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    leader = _read_leader(leaderfile)
    lines, idx = _line_index(imagefile)
    if idx is None:
        raise InputError(f"{imagefile}: no image data: the image file holds no signal data "
                         f"records (only its {lines.header_bytes}-byte file descriptor)")
    dss = leader["dataset_summary"].values
    exact = leader["isce"] or {}
    epoch = DateTime(exact["reference_epoch"]) if exact.get("reference_epoch") else None
    orbit, epoch = _orbit(leader["platform_position"], epoch, leaderfile)
    tb = float(time_base(idx["adc"]))
    beam = int(lines.aux["beam"][0])
    if beam not in BEAM_RANGE_GATE:
        raise lines.error(0, f"beam {beam} is not one of ISCE2's RADARSAT-1 beams "
                             f"{sorted(BEAM_RANGE_GATE)} (its range gate is unknown)", PREFIX_BYTES + 18)
    gate = BEAM_RANGE_GATE[beam][0]
    prf = idx["prf"]
    dwp = (5 + int(lines.aux["dwp_code"][0])) * 6.0 * tb
    r0 = 0.5 * SPEED_OF_LIGHT * (dwp + gate / prf - 2.0 * ONE_WAY_DELAY)
    day0 = DateTime(*_dt.date.fromordinal(_dt.date(int(lines.column("year")[0]), 1, 1).toordinal()
                                          + int(lines.column("day_of_year")[0]) - 1).timetuple()[:3])
    start = (day0 - epoch).total_seconds() + float(lines.aux["seconds"][0])
    standard = {"prf": prf, "range_sampling_rate": 1.0 / tb, "starting_range": r0,
                "sensing_start": start, "chirp_slope": chirp_slope_for(1.0 / tb),
                "pulse_length": PULSE_LENGTH}
    values = _reconcile(standard, exact, tb, imagefile, leaderfile)
    wavelength = exact.get("wavelength") or dss.get("wavelength")
    if not wavelength or wavelength <= 0:
        raise _dss_error(leaderfile, leader, "wavelength", "no radar wavelength")
    _check_scene_time(orbit, epoch, values, idx["count"], imagefile, leaderfile)
    clock = dss.get("clock_angle")
    look = exact.get("look_side") or ("left" if clock is not None and clock < 0 else "right")
    doppler = doppler_from_dict(exact["doppler"]) if exact.get("doppler") is not None else None
    params = {"count": idx["count"], "samples": idx["width"], "scale": float(exact.get("scale", 1.0))}
    attributes = dict(exact.get("attributes") or {})
    attributes.update({"image_file": imagefile, "leader_file": leaderfile, "beam": beam,
                       "orbit_number": str(dss.get("orbit_number") or ""),
                       "processing_facility": dss.get("processing_facility", ""),
                       "records": lines.n_records, "rsat1_scale": params["scale"]})
    try:
        return RawProduct(
            orbit=orbit, sensing_start=values["sensing_start"], prf=values["prf"],
            starting_range=values["starting_range"], range_sampling_rate=values["range_sampling_rate"],
            length=idx["count"], width=idx["width"], wavelength=float(wavelength), look_side=look,
            chirp_slope=values["chirp_slope"], pulse_length=values["pulse_length"],
            source=RawSource("rsat1", imagefile, params), doppler=doppler,
            antenna_length=exact.get("antenna_length", ANTENNA_LENGTH),
            platform=exact.get("platform") or dss.get("mission") or "RADARSAT-1",
            mission=exact.get("mission") or dss.get("mission") or "RADARSAT-1",
            polarization=exact.get("polarization") or "HH", attributes=attributes)
    except ValueError as exc:
        raise InputError(f"{imagefile}, {leaderfile}: inconsistent raw product metadata: {exc}") from None


def _reconcile(standard: dict, exact: dict, tb: float, imagefile, leaderfile) -> dict:
    """The product's values: the exact ones of the leader's ISCE record when present (each
    must round to what the image file's auxiliary blocks say), else the standard ones."""
    tol = {"prf": 0.5 * standard["prf"] ** 2 * 6.0 * tb * 1.0001,    # half a PRF-code step
           "range_sampling_rate": 1e-6 * standard["range_sampling_rate"],
           "starting_range": 0.5 * SPEED_OF_LIGHT * 3.0 * tb * 1.0001 + 1e-3,  # half a window step
           "sensing_start": 0.6e-6, "chirp_slope": 1e-6 * abs(standard["chirp_slope"]),
           "pulse_length": 1e-12}
    out, disagree = {}, []
    for key, value in standard.items():
        if exact.get(key) is None:
            out[key] = float(value)
            continue
        out[key] = float(exact[key])
        limit = tol[key]
        if abs(out[key] - float(value)) > limit:
            disagree.append(f"{key.replace('_', ' ')} is {out[key]!r} in the leader's "
                            f"{FACILITY_IDENTIFIER} record but {float(value)!r} by the image "
                            "file's auxiliary blocks")
    if disagree:
        raise InputError(f"image file {imagefile} and leader file {leaderfile} are not of the same "
                         f"scene: {'; '.join(disagree)}")
    return out


def _check_scene_time(orbit, epoch, values, count, imagefile, leaderfile):
    """Refuse an image whose pulses lie outside the leader's state vectors."""
    first = values["sensing_start"]
    last = first + (count - 1) / values["prf"]
    if first < orbit.start_time or last > orbit.end_time:
        raise InputError(f"image file {imagefile} and leader file {leaderfile} are not of the same "
                         f"scene: the image's pulses ({epoch + first} .. {epoch + last}) lie outside "
                         f"the leader's state vectors ({epoch + orbit.start_time} .. "
                         f"{epoch + orbit.end_time})")


# ============================================================================ component
class Radarsat1(Sensor):
    """Reader of RADARSAT-1 level-0 raw data (CEOS image + leader), ISCE's ``RADARSAT1``.

    Parameters (ISCE2's names): ``IMAGEFILE``, ``LEADERFILE``, ``PARFILE`` (ASF's parameter
    file with Doppler and orbit: not supported, refused when given), ``OUTPUT``.
    """

    sensor_name = "RADARSAT1"
    parameters = (
        Parameter("imagefile", public_name="IMAGEFILE", type="path", default=None, mandatory=True,
                  doc="The RADARSAT-1 CEOS raw image file (signal data)."),
        Parameter("leaderfile", public_name="LEADERFILE", type="path", default=None, mandatory=True,
                  doc="The RADARSAT-1 CEOS leader file of the same scene."),
        Parameter("parfile", public_name="PARFILE", type="path", default=None, mandatory=False,
                  doc="ASF/UNAVCO parameter file (Doppler, orbit): not supported; refused."),
    )

    def validate(self):
        if self.parfile:
            raise ConfigurationError(
                f"PARFILE {self.parfile!r}: ASF parameter files are not supported (ISCE2 read its "
                "Doppler and state vectors from it); remove it: the orbit is taken from the "
                "leader file and the Doppler estimated from the echoes",
                source=self.source_of("parfile"), path=f"{self.config_path}.PARFILE")

    def read_product(self) -> RawProduct:
        image = self.require("imagefile")
        leader = self.require("leaderfile")
        self.validate()
        return read_radarsat1(image, leader)
