"""ALOS PALSAR level 1.1 (SLC) in CEOS format: the reader, sensor name ``ALOS_SLC``, and the
level-1.1 machinery ALOS-2's reader (:mod:`isce.sensors.alos2_ceos`) shares.

A level-1.1 product is a pair of files (JAXA, "ALOS/PALSAR Level 1.1/1.5 Product Format
Description" NEB-070062B; JAXA, "ALOS-2/PALSAR-2 Level 1.1/1.5/2.1/3.1 CEOS SAR Product
Format Description"; read as ISCE2's ``Sensor/ALOS_SLC.py`` and ``Sensor/ALOS2.py`` do):

* the leader file ``LED-*``: the records of ALOS level 1.0 (:mod:`isce.sensors.alos_ceos`,
  whose tables are used: file descriptor, data set summary, platform position, attitude)
  plus, at level 1.1/1.5, a map projection record (1620 bytes, 18/20/18/20: at level 1.5
  the map frame's corners), a radiometric record (18/50/18/20: calibration factor and the
  transmit/receive distortion matrices), a data quality summary (18/60/18/20: resolutions,
  ISLR/PSLR) and facility-related records (18/200/18/70; ALOS-2's fifth holds the
  line/pixel <-> latitude/longitude polynomials). From the data set summary, as ISCE2:
  wavelength, PRF (bytes 935-950, mHz), range sampling rate (MHz), pulse length (us), chirp
  slope = the *amplitude* coefficient linear term (bytes 551-566, Hz/s: where JAXA's level
  1.1 puts it), the cross-track Doppler centroid (constant, linear, quadratic terms in Hz per
  pixel^k of the image) and clock angle (+90: right-looking).
* the image file ``IMG-<pol>-*``: file descriptor (720 bytes, 50/192/18/18; its prefix byte
  count decides the prefix: 412 bytes for ALOS, 544 for ALOS-2, as ISCE2 and GMTSAR read
  them), then one processed data record per line (50/11/18/20, sequence numbers 2, 3, ...):
  the prefix (line number, acquisition year / day of year / millisecond of day, ALOS-2 also
  microsecond of day in bytes 85-92, PRF in mHz, slant range to the first sample in m,
  polarizations, latitude/longitude of the first/centre/last pixel) then the samples as
  big-endian float32 I, Q pairs.

Conventions: a line's time tag is its zero-Doppler azimuth time (ISCE2 uses it as is); the
image grid is zero-Doppler and the leader's Doppler centroid is the product's ``doppler``
(the spectrum's centre, Hz, as a function of pixel). Files written by
:mod:`isce.simulate.alos_slc` carry one more facility-related record (identifier
``ISCE SLC PARAMETERS``) with the exact values the standard fields round; the reader uses
them when present and checks them against the standard fields.

A header without image lines (the file descriptor announces records the file does not hold,
or none) is refused when the product is read (:func:`read_l11`) with one InputError saying
"no image data"; the leader alone is read by :func:`read_leader` (metadata tests). Every
problem is an InputError naming the file, the record number and its byte offset.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import doppler_from_dict, zero_doppler
from isce.core.poly import Poly2d
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .alos_ceos import (ATTITUDE, CALIBRATION, DATA_SET_SUMMARY, IMAGE_FDR, ISCE_FACILITY,
                        LEADER_FDR, LEADER_ORDER, PLATFORM_POSITION, SIGNAL_DATA, _fit_first_tag,
                        _orbit, _parse_compact_time, _read_platform_trailer, _year_doy_to_day,
                        image_fdr_sizes)
from .base import Sensor
from .ceos import (json_facility, CeosReader, Field, RecordLayout, Repeat, check_fixed_records,
                   check_leader_records, open_fixed_records, record_error, sequential,
                   warn_unannounced_bytes)
from .product import ImageSource, SlcProduct

__all__ = ["AlosSlc", "L11Variant", "ALOS_L11", "read_l11", "read_leader", "read_ceos_slc",
           "MAP_PROJECTION", "RADIOMETRIC", "DATA_QUALITY", "PROCESSED_DATA", "FACILITY_IDENTIFIER",
           "FACILITY_FORMAT", "IMAGE_HEADER_BYTES", "level_problem", "no_image_data"]

log = logging.getLogger("isce.sensors.alos_slc")

#: bytes of the image file descriptor (the first processed data record follows)
IMAGE_HEADER_BYTES = 720
#: identifier of the facility-related record holding the writer's exact values
FACILITY_IDENTIFIER = "ISCE SLC PARAMETERS"
#: format tag of that record's JSON (written in files: never change it)
FACILITY_FORMAT = "isce.sensors.alos_slc/1"
#: bytes per pixel: big-endian float32 I and Q
PIXEL_BYTES = 8

# ============================================================================ record tables
#: map projection data record (1620 bytes; layout checked on ALOS-2's level 1.5 leader)
MAP_PROJECTION = RecordLayout("map projection", (18, 20, 18, 20), sequential(28, [
    ("map_projection_descriptor", 32, "A"),
    ("pixels_per_line", 16, "I"), ("lines", 16, "I"),
    ("pixel_spacing", 16, "F", ".7f"), ("line_spacing", 16, "F", ".7f"),
    ("orientation", 16, "A"),                      # "NAN" in JAXA's level 1.5
    ("orbit_inclination", 16, "F", ".7f"), ("ascending_node", 16, "F", ".7f"),
    ("geocentre_distance", 16, "F", ".7f"), ("platform_altitude", 16, "F", ".7f"),
    ("ground_speed", 16, "F", ".7f"), ("platform_heading", 16, "F", ".7f"),
    ("ellipsoid_name", 32, "A"),
    ("semimajor_axis", 16, "F", ".7f"), ("semiminor_axis", 16, "F", ".7f"),
    *[(f"datum_shift_{k}", 16, "F", ".7f") for k in ("dx", "dy", "dz", "rx", "ry", "rz")],
    ("datum_scale", 16, "F", ".7f"),
    ("projection_description", 32, "A"), ("utm_descriptor", 32, "A"), ("utm_zone", 4, "A"),
    ("false_easting", 16, "F", ".5f"), ("false_northing", 16, "F", ".5f"),
    ("projection_centre_longitude", 16, "F", ".7f"), ("projection_centre_latitude", 16, "F", ".7f"),
    (None, 32, "A"), ("utm_scale", 16, "F", ".7f"),
]) + sequential(944, [
    # corner map coordinates [km] (northing, easting) then geodetic latitude/longitude [deg]:
    # first line first pixel, first line last pixel, last line last pixel, last line first pixel
    *[(f"{c}_{q}", 16, "F", ".7f") for c in ("first_first", "first_last", "last_last", "last_first")
      for q in ("northing_km", "easting_km")],
    *[(f"{c}_{q}", 16, "F", ".7f") for c in ("first_first", "first_last", "last_last", "last_first")
      for q in ("latitude", "longitude")],
    *[(f"{c}_height", 16, "F", ".7f") for c in ("first_first", "first_last", "last_last", "last_first")],
]) + sequential(1264, [
    *[(f"line_pixel_to_map_{k}", 20, "F", ".10E") for k in range(8)],
    *[(f"map_to_line_pixel_{k}", 20, "F", ".10E") for k in range(8)],
]), length=1620)

_DISTORTION = sequential(0, [("calibration_factor", 16, "F", ".7f")] + [
    (f"{m}_{i}{j}_{part}", 16, "F", ".7f") for m in ("dt", "dr") for i in (1, 2) for j in (1, 2)
    for part in ("re", "im")])
#: radiometric data record (9860 bytes): calibration factor [dB] and distortion matrices
RADIOMETRIC = RecordLayout("radiometric", (18, 50, 18, 20), sequential(12, [
    ("sar_channel_indicator", 4, "I"), ("n_data_sets", 4, "I"),
]), repeats=(Repeat("data_sets", 20, 272, "n_data_sets", _DISTORTION),))

#: data quality summary record (1620 bytes; the fields ISCE2 reads)
DATA_QUALITY = RecordLayout("data quality summary", (18, 60, 18, 20), sequential(12, [
    ("dq_sequence_number", 4, "I"), ("sar_channel_indicator", 4, "A"),
    ("last_calibration_date", 6, "A"), ("n_channels", 4, "I"),
    ("islr_db", 16, "F", ".7f"), ("pslr_db", 16, "F", ".7f"),
    ("azimuth_ambiguity_db", 16, "F", ".7f"), ("range_ambiguity_db", 16, "F", ".7f"),
    ("snr_db", 16, "F", ".7f"), ("ber", 16, "F", ".7f"),
    ("slant_range_resolution", 16, "F", ".7f"), ("azimuth_resolution", 16, "F", ".7f"),
]), length=1620)

#: processed data record: the level-1.1 line prefix (ALOS: 412 bytes, ALOS-2: 544), the
#: fields of ALOS's signal data record up to the data window position, the microsecond of
#: day of ALOS-2 (bytes 85-92, spare in ALOS) and the pixels' latitudes/longitudes [1e-6 deg]
PROCESSED_DATA = RecordLayout(
    "processed data", (50, 11, 18, 20),
    tuple(f for f in SIGNAL_DATA.fields[6:] if f.end <= 124) + (
        Field("microsecond_of_day", 84, 8, "B"),
        *sequential(192, [(f"{q}_{p}_pixel", 4, "B") for q in ("latitude", "longitude")
                          for p in ("first", "centre", "last")])),
    fill=b"\0")


@dataclass(frozen=True)
class L11Variant:
    """What differs between the level-1.1 products of ALOS and ALOS-2: ``sensor`` name,
    ``mission``, line ``prefix`` bytes, whether the lines carry a ``microsecond`` time tag,
    the nominal ``antenna_length`` [m]."""

    sensor: str
    mission: str
    prefix: int
    microsecond: bool
    antenna_length: float


#: ALOS PALSAR: 412-byte line prefix (ISCE2 ALOS_SLC, GMTSAR -ALOS1), millisecond tags;
#: PALSAR's 8.9 m antenna (ISCE2's ALOS_SLC says 15 m, which is not PALSAR's)
ALOS_L11 = L11Variant("ALOS_SLC", "ALOS", 412, False, 8.9)


# ============================================================================ leader
#: leader records decoded at level 1.1/1.5 (the others are checked and skipped)
_LEADER_LAYOUTS = {"dataset_summary": DATA_SET_SUMMARY, "map_projection": MAP_PROJECTION,
                   "platform_position": PLATFORM_POSITION, "attitude": ATTITUDE,
                   "radiometric": RADIOMETRIC, "data_quality": DATA_QUALITY,
                   "calibration": CALIBRATION}


def read_leader(path, facility_layouts=None) -> dict:
    """Every record of a level-1.1/1.5 leader file, validated: ``{"fdr": Record, <stem>:
    Record, "facility": [Records], "isce": exact values or None}``. ``facility_layouts``
    maps a facility number (1..10) to the layout it is decoded with (ALOS-2's fifth)."""
    path = os.fspath(path)
    out = {"facility": [], "isce": None}
    facility_layouts = facility_layouts or {}
    with CeosReader(path, "leader file") as rd:
        fdr = rd.read(LEADER_FDR)
        out["fdr"] = fdr
        for stem, name, codes in LEADER_ORDER:
            for k in range((fdr.get(f"n_{stem}") or 0)):
                length = fdr.get(f"{stem}_length") or 0
                if stem.startswith("facility"):
                    out["facility"].append(_facility(rd, stem, name, length, facility_layouts, out))
                    continue
                layout = _LEADER_LAYOUTS.get(stem) if k == 0 else None
                rec = rd.read(layout, length=length) if layout else \
                    rd.skip(length=length, codes=codes, name=name)
                if stem == "platform_position":
                    _read_platform_trailer(rec, rd, path)
                out.setdefault(stem, rec)
        warn_unannounced_bytes(rd, path, log)
    check_leader_records(out, path)
    return out


def _facility(rd: CeosReader, stem: str, name: str, length: int, layouts: dict, out: dict):
    """One facility-related record: this module's exact values, a layout of ``layouts``, or
    checked and skipped."""
    ident = rd.peek(16, 32).decode("ascii", "replace").strip()
    if ident == FACILITY_IDENTIFIER:
        rec = rd.read(ISCE_FACILITY, length=length)
        out["isce"] = _parse_exact(rec, rd.path)
        return rec
    number = int(stem.rsplit("_", 1)[1])
    if number in layouts:
        return rd.read(layouts[number], length=length)
    return rd.skip(length=length, name=name)


def _parse_exact(rec, path) -> dict:
    return json_facility(rec, path, FACILITY_IDENTIFIER, FACILITY_FORMAT, 56)


def level_problem(leader, path) -> str | None:
    """Why the leader is not of a level-1.1 (slant-range SLC) product, or None."""
    rec = leader["dataset_summary"]
    level = str(rec.get("product_level") or "").strip()
    if level.startswith("1.1"):
        return None
    kind = str(rec.get("product_type") or "").strip().lower()
    what = f"a level {level or '?'} product" + (f" ({kind})" if kind else "")
    if level.startswith("1.5"):
        what += ", geocoded map image rather than slant-range SLC"
    f = DATA_SET_SUMMARY.field("product_level")
    return (f"{path}: record {rec.sequence} (data set summary) at byte offset "
            f"{rec.offset + f.offset}: {what}; a level 1.1 (SLC) product is needed")


# ============================================================================ image
@dataclass(frozen=True)
class ImageLayout:
    """The processed data records of an image file: ``count`` lines of ``width`` pixels in
    records of ``record_length`` bytes, ``prefix`` bytes before the pixels."""

    path: str
    count: int
    record_length: int
    prefix: int
    width: int


def _image_layout(path) -> ImageLayout:
    """The image file descriptor's record sizes, checked (InputError naming its fields)."""
    fdr, count, reclen, prefix, nbytes = image_fdr_sizes(path)
    v = fdr.values
    if v.get("bytes_per_group") != PIXEL_BYTES or nbytes % PIXEL_BYTES:
        f = IMAGE_FDR.field("bytes_per_group")
        raise record_error(path, 1, f.offset, "image file descriptor",
                           f"{v.get('bytes_per_group')} bytes per data group ({f.where()}), "
                           f"{nbytes} data bytes ({v.get('sar_data_format', '').strip()!r}): expected "
                           "complex float32 pixels (8 bytes, level 1.1 SLC)")
    if prefix < PROCESSED_DATA.min_length:
        raise record_error(path, 1, 0, "image file descriptor",
                           f"{prefix} prefix bytes per record; level 1.1 records have at least "
                           f"{PROCESSED_DATA.min_length}")
    return ImageLayout(os.fspath(path), count, reclen, prefix, nbytes // PIXEL_BYTES)


def no_image_data(path) -> str | None:
    """Why the image file holds no image line (its file descriptor announces none, or the
    file ends after it), or None; whatever its pixel format."""
    path = os.fspath(path)
    with CeosReader(path, "image file") as rd:
        fdr = rd.read(IMAGE_FDR)
        size = rd.size
    count, reclen = fdr.get("n_sar_records"), fdr.get("sar_record_length")
    if not count:
        return (f"{path}: no image data: its file descriptor (record 1 at byte offset 0) "
                f"announces {count or 0} SAR data records")
    if size <= IMAGE_HEADER_BYTES:
        return (f"{path}: no image data: the file ends after its {IMAGE_HEADER_BYTES}-byte "
                f"file descriptor (which announces {count} records of {reclen} bytes): a header "
                "without its image lines")
    return None


@lru_cache(maxsize=64)
def _cached_layout(path: str, mtime_ns: int, size: int) -> ImageLayout:
    return _image_layout(path)


def read_ceos_slc(path, rows, cols, shape) -> np.ndarray:
    """complex64 ``[rows, cols]`` of a level-1.1 image file of ``shape`` (lines, pixels),
    reading only those lines (the registered ``"ceos_slc"`` format of ImageSource); each
    record read has its header checked."""
    st = os.stat(path)
    layout = _cached_layout(os.fspath(path), st.st_mtime_ns, st.st_size)
    if (layout.count, layout.width) != tuple(shape):
        raise InputError(f"{path}: the image file holds {layout.count} x {layout.width} lines x "
                         f"pixels, the product metadata say {shape[0]} x {shape[1]}")
    r = slice(rows, rows + 1) if isinstance(rows, (int, np.integer)) else rows
    start, stop, step = r.indices(layout.count)
    idx = np.arange(start, stop, step)
    recs = open_fixed_records(path, IMAGE_HEADER_BYTES, layout.record_length, layout.count,
                              name="processed data", first_sequence=2, what="image file")
    block = recs[start:stop:step] if idx.size else recs[:0]
    check_fixed_records(path, block, offset=IMAGE_HEADER_BYTES, record_length=layout.record_length,
                        first_sequence=2, codes=PROCESSED_DATA.codes, name="processed data",
                        indices=idx)
    raw = np.ascontiguousarray(block[:, layout.prefix:layout.prefix + PIXEL_BYTES * layout.width])
    iq = raw.view(">f4").reshape(idx.size, layout.width, 2)
    out = np.empty((idx.size, layout.width), np.complex64)
    out.real, out.imag = iq[..., 0], iq[..., 1]
    out = out[:, cols]
    return out[0] if isinstance(rows, (int, np.integer)) else out


# ============================================================================ product
class _Lines:
    """The line prefixes of an image file (memory-mapped), for time tags, PRF, ranges."""

    def __init__(self, layout: ImageLayout):
        open_fixed_records(layout.path, IMAGE_HEADER_BYTES, layout.record_length, layout.count,
                           name="processed data", first_sequence=2, what="image file")
        self.layout = layout
        self._prefix = np.memmap(layout.path, dtype=PROCESSED_DATA.dtype(layout.record_length),
                                 mode="r", offset=IMAGE_HEADER_BYTES, shape=(layout.count,))
        check_fixed_records(layout.path, np.memmap(layout.path, np.uint8, "r", IMAGE_HEADER_BYTES,
                                                   (layout.count, layout.record_length))[:, :12],
                            offset=IMAGE_HEADER_BYTES, record_length=layout.record_length,
                            first_sequence=2, codes=PROCESSED_DATA.codes, name="processed data")

    def column(self, name) -> np.ndarray:
        return np.asarray(self._prefix[name]).astype(np.int64)

    def error(self, line: int, field: str, message: str) -> InputError:
        f = PROCESSED_DATA.field(field)
        return record_error(self.layout.path, line + 2, IMAGE_HEADER_BYTES + line *
                            self.layout.record_length + f.offset, "processed data",
                            f"field {field!r} ({f.where()}): {message}")


def _dss(leader):
    return leader["dataset_summary"]


def _dss_value(leader, path, name, what, positive=True) -> float:
    rec = _dss(leader)
    value = rec.get(name)
    if value is None or (positive and not value > 0):
        f = DATA_SET_SUMMARY.field(name)
        raise record_error(path, rec.sequence, rec.offset + f.offset, "data set summary",
                           f"{what}: field {name!r} ({f.where()}) is {value!r}")
    return float(value)


def _look_side(leader, path) -> str:
    """Clock angle +90: right-looking, -90: left (ISCE2 refuses anything else)."""
    clock = _dss(leader).get("clock_angle")
    if clock in (90.0, -90.0):
        return "right" if clock > 0 else "left"
    rec, f = _dss(leader), DATA_SET_SUMMARY.field("clock_angle")
    raise record_error(path, rec.sequence, rec.offset + f.offset, "data set summary",
                       f"clock angle {clock!r} ({f.where()}): expected +90 (right) or -90 (left)")


def _sensing_start(lines: _Lines, variant: L11Variant, prf: float, epoch: DateTime) -> float:
    """Zero-Doppler time [s since ``epoch``] of the first line from its time tags: ALOS-2's
    microsecond of day (ISCE2), ALOS's milliseconds refined over all lines with the PRF."""
    years, doys = lines.column("year"), lines.column("day_of_year")
    if not 1 <= years[0] <= 9999 or not 1 <= doys[0] <= 366:
        raise lines.error(0, "year", f"acquisition date {years[0]}/{doys[0]} is not a date")
    day0 = _year_doy_to_day(years[0], doys[0])
    if variant.microsecond:
        return (day0 - epoch).total_seconds() + lines.column("microsecond_of_day")[0] * 1e-6
    day = (doys - doys[0]) + 366 * (years - years[0])      # a day change inside one scene
    day_ms = np.where(day > 0, 86_400_000.0, 0.0) + lines.column("millisecond_of_day")
    return (day0 - epoch).total_seconds() + _fit_first_tag(day_ms, prf, lines.layout.path) / 1000.0


def _doppler(leader, exact, r0: float, dr: float):
    """The Doppler centroid: the exact model, else the data set summary's cross-track terms
    in Hz per pixel^k (ISCE2's ``_dopplerVsPixel``) as a polynomial of slant range."""
    if exact.get("doppler") is not None:
        return doppler_from_dict(exact["doppler"])
    dss = _dss(leader)
    coeffs = [dss.get(f"doppler_cross_{k}") or 0.0 for k in range(3)]
    if not any(coeffs):
        return zero_doppler()
    return Poly2d([coeffs], x_mean=r0, x_norm=dr)


def _agree(problems: list, what: str, exact, standard, tol: float, unit: str) -> None:
    if abs(float(exact) - float(standard)) > tol:
        problems.append(f"{what} is {exact!r} {unit} in the leader's {FACILITY_IDENTIFIER} "
                        f"record but {standard!r} {unit} in the standard fields")


def _radar(leader, lines: _Lines, variant: L11Variant, exact: dict, leaderfile, fs_of) -> dict:
    """PRF, sampling rate, starting range, wavelength, chirp of the product (exact values
    checked against the standard fields)."""
    problems = []
    prf_std = _dss_value(leader, leaderfile, "nominal_prf_mhz", "no PRF") * 1e-3
    prf = float(exact.get("prf", prf_std))
    _agree(problems, "PRF", prf, prf_std, 1e-5 + 1e-9 * prf, "Hz")
    fs_std = fs_of(_dss_value(leader, leaderfile, "sampling_rate_mhz", "no range sampling rate"))
    fs = float(exact.get("range_sampling_rate", fs_std))
    _agree(problems, "range sampling rate", fs, fs_std, 1e-6 * fs, "Hz")
    slant = lines.column("slant_range_m")
    r0_std = _starting_range(leader, slant, variant)
    r0 = float(exact.get("starting_range", r0_std))
    _agree(problems, "starting range", r0, r0_std, 0.51, "m")
    wavelength = float(exact.get("wavelength") or
                       _dss_value(leader, leaderfile, "wavelength", "no radar wavelength"))
    pulse = exact.get("pulse_length") or _dss_value(leader, leaderfile, "pulse_length_us",
                                                    "no range pulse length") * 1e-6
    slope = exact.get("chirp_slope") or _dss_value(leader, leaderfile, "pulse_amplitude_1",
                                                   "no chirp slope", positive=False)
    return {"prf": prf, "fs": fs, "r0": r0, "wavelength": wavelength, "pulse": float(pulse),
            "slope": float(slope), "problems": problems}


def _starting_range(leader, slant: np.ndarray, variant: L11Variant) -> float:
    """ALOS-2: the first line's slant range field [m] (ISCE2); ALOS: c/2 x the range gate
    delay when it agrees with that field (ISCE2 prefers the gate delay), else the field."""
    r_line = float(slant[0])
    if variant.microsecond:
        return r_line
    gate = _dss(leader).get("range_gate_delay_us")
    if gate:
        r_gate = SPEED_OF_LIGHT * 0.5 * gate * 1e-6
        if abs(r_gate - r_line) <= 1.0:
            return r_gate
        log.warning("range gate delay %r us (%.1f m) and the first line's slant range %d m "
                    "differ: using the line's", gate, r_gate, r_line)
    return r_line


def _polarization(lines: _Lines, exact) -> str:
    if exact.get("polarization"):
        return str(exact["polarization"])
    tx, rx = int(lines.column("tx_polarization")[0]), int(lines.column("rx_polarization")[0])
    return ("V" if tx else "H") + ("V" if rx else "H")


def _attributes(leader, variant, exact, imagefile, leaderfile) -> dict:
    dss = _dss(leader)
    attributes = dict(exact.get("attributes") or {})
    attributes.update({
        "image_file": imagefile, "leader_file": leaderfile,
        "product_level": dss.get("product_level", ""), "product_type": dss.get("product_type", ""),
        "processing_facility": dss.get("processing_facility", ""),
        "sensor_mode": dss.get("sensor_id_mode", ""),
        "orbit_pass_direction": dss.get("time_direction_line", ""),
        "incidence_angle": dss.get("incidence_angle"),
        "doppler_rate_vs_pixel": [dss.get(f"doppler_rate_cross_{k}") for k in range(3)],
        "antenna_length": exact.get("antenna_length", variant.antenna_length),
    })
    if dss.get("scene_identifier"):
        attributes.setdefault("scene_id", dss["scene_identifier"])
    if dss.get("orbit_number") is not None:
        attributes.setdefault("orbit_number", dss["orbit_number"])
    return attributes


def _epoch(leader, exact) -> DateTime | None:
    return DateTime(exact["reference_epoch"]) if exact.get("reference_epoch") else None


def _scene_problems(leader, orbit, epoch, t0, count, prf) -> list:
    """The image's lines outside the leader's state vectors, or its scene centre time outside
    the lines: the files are not of one scene."""
    first, last = t0, t0 + (count - 1) / prf
    out = []
    if first < orbit.start_time or last > orbit.end_time:
        out.append(f"the image's lines ({epoch + first} .. {epoch + last}) lie outside the "
                   f"leader's state vectors ({epoch + orbit.start_time} .. {epoch + orbit.end_time})")
    centre = _parse_compact_time(_dss(leader).get("scene_centre_time"))
    if centre is not None and not first - 1e-3 <= (centre - epoch).total_seconds() <= last + 1e-3:
        out.append(f"the leader's scene centre time {centre} is outside the image's lines "
                   f"({epoch + first} .. {epoch + last})")
    return out


def read_l11(imagefile, leaderfile, variant: L11Variant = ALOS_L11, *, fs_of=lambda mhz: mhz * 1e6,
             facility_layouts=None) -> SlcProduct:
    """Read a level-1.1 IMG/LED pair into an SlcProduct whose image (format ``"ceos_slc"``)
    is read from the image file on demand. ``fs_of`` turns the data set summary's sampling
    rate [MHz] into Hz (ALOS-2: ISCE2's table of exact rates)."""
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    leader = read_leader(leaderfile, facility_layouts)
    refusals = [m for m in (level_problem(leader, leaderfile), no_image_data(imagefile)) if m]
    if refusals:
        raise InputError("; ".join(refusals))
    layout = _image_layout(imagefile)
    lines = _Lines(layout)
    exact = leader["isce"] or {}
    radar = _radar(leader, lines, variant, exact, leaderfile, fs_of)
    orbit, epoch = _orbit(leader["platform_position"], _epoch(leader, exact), leaderfile,
                          _dss(leader).values)
    t0_std = _sensing_start(lines, variant, radar["prf"], epoch)
    t0 = float(exact.get("sensing_start", t0_std))
    _agree(radar["problems"], "first line time [s]", t0, t0_std,
           2e-6 if variant.microsecond else 1.5e-3, "s")
    problems = radar["problems"] + _scene_problems(leader, orbit, epoch, t0, layout.count, radar["prf"])
    if problems:
        raise InputError(f"image file {imagefile} and leader file {leaderfile} are not of one "
                         f"scene: {'; '.join(problems)}")
    dr = SPEED_OF_LIGHT / (2.0 * radar["fs"])
    grid = RadarGrid(t0, epoch, prf=radar["prf"], starting_range=radar["r0"], range_pixel_spacing=dr,
                     length=layout.count, width=layout.width, wavelength=radar["wavelength"],
                     look_side=exact.get("look_side") or _look_side(leader, leaderfile))
    dss = _dss(leader)
    try:
        return SlcProduct(
            radar_grid=grid, orbit=orbit, doppler=_doppler(leader, exact, radar["r0"], dr),
            center_frequency=exact.get("center_frequency"),
            range_bandwidth=exact.get("range_bandwidth", abs(radar["slope"]) * radar["pulse"]),
            azimuth_bandwidth=exact.get("azimuth_bandwidth", dss.get("azimuth_processor_bandwidth")),
            range_sampling_rate=radar["fs"], polarization=_polarization(lines, exact),
            platform=exact.get("platform", dss.get("mission") or variant.mission),
            mission=exact.get("mission", dss.get("mission") or variant.mission),
            orbit_type=str(leader["platform_position"].get("orbital_elements_designator") or ""),
            source=ImageSource("ceos_slc", imagefile),
            attributes={**_attributes(leader, variant, exact, imagefile, leaderfile),
                        "chirp_slope": radar["slope"], "pulse_length": radar["pulse"]})
    except ValueError as exc:
        raise InputError(f"{imagefile}, {leaderfile}: inconsistent SLC metadata: {exc}") from None


# ============================================================================ component
class AlosSlc(Sensor):
    """Reader of ALOS PALSAR level-1.1 SLC (CEOS ``IMG-*`` / ``LED-*``), ISCE2's ``ALOS_SLC``.

    Parameters (ISCE2's names): ``IMAGEFILE``, ``LEADERFILE``, ``OUTPUT`` (from Sensor),
    ``RADAR WAVELENGTH`` (overrides the leader's, as ISCE2)."""

    sensor_name = "ALOS_SLC"
    variant = ALOS_L11
    parameters = (
        Parameter("imagefile", public_name="IMAGEFILE", type="path", default=None, mandatory=True,
                  doc="The level-1.1 image file (IMG-<pol>-ALPSRP...-H1.1__A)."),
        Parameter("leaderfile", public_name="LEADERFILE", type="path", default=None, mandatory=True,
                  doc="The leader file (LED-ALPSRP...-H1.1__A)."),
        Parameter("wavelength", public_name="RADAR WAVELENGTH", type=float, default=None,
                  doc="Radar wavelength [m]; when set, the leader's is ignored (as ISCE2)."),
    )

    def validate(self):
        if self.wavelength is not None and not float(self.wavelength) > 0:
            raise ConfigurationError(f"RADAR WAVELENGTH {self.wavelength!r}: must be positive [m]",
                                     path=f"{self.config_path}.RADAR WAVELENGTH")

    def read(self, imagefile, leaderfile) -> SlcProduct:
        return read_l11(imagefile, leaderfile, self.variant)

    def read_product(self) -> SlcProduct:
        image, leader = self.require("imagefile"), self.require("leaderfile")
        self.validate()
        product = self.read(image, leader)
        if self.wavelength is not None:
            product = _with_wavelength(product, float(self.wavelength))
        return product


def _with_wavelength(product: SlcProduct, wavelength: float) -> SlcProduct:
    g = product.radar_grid
    grid = RadarGrid(g.sensing_start, g.reference_epoch, prf=g.prf, starting_range=g.starting_range,
                     range_pixel_spacing=g.range_pixel_spacing, length=g.length, width=g.width,
                     wavelength=wavelength, look_side=g.look_side)
    return replace(product, radar_grid=grid, center_frequency=None)
