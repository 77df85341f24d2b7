"""Writer of ERS-1/2 SAR CEOS products: level 0 raw (``ERS``) and SLC (``ERS_SLC``), and of
ERS precise orbit files (Delft ODR + arclist, D-PAF PRC + arclist, PDS) for tests.

``write_ers(raw, folder, name)`` / ``write_ers_slc(slc, folder, name)`` write, below
``folder``, ``<name>/LEA_01.001`` (leader: file descriptor, data set summary, map
projection, platform position, ESA's facility record and this module's ``ISCE ERS
PARAMETERS`` record with the exact values) and ``<name>/DAT_01.001`` (image file), with
the record tables of :mod:`isce.sensors.ers_ceos`; they return the reader's ``IMAGEFILE``
and ``LEADERFILE`` relative to ``folder``.

Quantisation: raw echoes to ERS's 5-bit I/Q codes in bytes (0..31, bias 15.5) with one
scale ``peak / 15.5`` (``peak``: the largest |I| or |Q| of the product, found in a first
pass over the blocks), so nothing clips and every sample is within ``scale / 2``; SLC
pixels to big-endian int16 with one factor chosen from the first block holding data so
its largest part is 1/4 of the int16 range, every later block checked (a clip is an
InputError). Both files are written block by block, atomically.

The standard fields carry ERS's codes: PRI ``round(fs / (4 PRF)) - 2``, SWST so that
ISCE2's starting-range formula gives the product's first range within half a code,
ICU counts (1/256 s) from the data set summary's clock time, millisecond times.
"""
from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.geometry.rdr2geo import rdr2geo_points
from isce.io.atomic import remove_quietly, write_binary, write_text
from isce.sensors import ers_orbits
from isce.sensors.ers_ceos import (DATA_SET_SUMMARY, ERS_CONSTANTS, ESA_FACILITY,
                                   FACILITY_FORMAT, FACILITY_IDENTIFIER, IMAGE_FDR, IQ_BIAS,
                                   ISCE_FACILITY, LEADER_FDR, MAP_PROJECTION, PLATFORM_POSITION,
                                   RAW_PREFIX_BYTES, RAW_SIGNAL, SLC_RECORD_CODES, quantize,
                                   read_ers_raw, read_ers_slc)
from isce.sensors.product import DEFAULT_BLOCK_LINES
from isce.version import release_version
from .quantize import image_peak

__all__ = ["write_ers", "write_ers_slc", "write_ers_raw_files", "write_ers_slc_files",
           "write_odr", "write_odr_arclist", "write_prc", "write_prc_arclist", "write_pds",
           "HEADROOM", "BINARY_TIME_CODE"]

#: the first SLC block's largest part maps to 32767 / HEADROOM
HEADROOM = 4.0
#: ICU counter value written at the data set summary's clock time (any value works)
BINARY_TIME_CODE = 1_000_000_000
#: image format counter of the first line
FIRST_COUNTER = 1000
_INT16_MAX = 32767
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


# ============================================================================ helpers
def _datetime(value) -> DateTime:
    return value if isinstance(value, DateTime) else DateTime(value)


def _compact(t: DateTime) -> str:
    """``YYYYMMDDhhmmssttt`` (ms, truncated)."""
    s = t.isoformat(digits=3)
    return s[0:4] + s[5:7] + s[8:10] + s[11:13] + s[14:16] + s[17:19] + s[20:23]


def _vmp(t: DateTime) -> str:
    """``DD-MON-YYYY hh:mm:ss.ttt`` (ms, truncated), ESA's VMP time."""
    s = t.isoformat(digits=3)
    return f"{t.day:02d}-{_MONTHS[t.month - 1]}-{t.year:04d} {s[11:23]}"



def _jsonable(attributes: dict) -> dict:
    out = {}
    for k, v in attributes.items():
        try:
            json.dumps({str(k): v}, allow_nan=False)
            out[str(k)] = v
        except (TypeError, ValueError):
            pass
    return out


def _uniform_orbit(orbit: Orbit):
    """(first time, interval, positions, velocities) of evenly spaced vectors (resampled
    with the orbit's interpolation when uneven)."""
    t = np.asarray(orbit.time, np.float64)
    dt = (t[-1] - t[0]) / (t.size - 1)
    if np.max(np.abs(np.diff(t) - dt)) <= 1e-6 * max(1.0, dt):
        return float(t[0]), float(dt), np.asarray(orbit.position), np.asarray(orbit.velocity)
    grid = t[0] + dt * np.arange(t.size)
    grid[-1] = t[-1]
    pos, vel = orbit.interpolate(grid)
    return float(t[0]), float(dt), pos, vel


def _mission(product) -> str:
    m = str(product.mission or product.platform or "ERS1").upper().replace("-", "")
    return m if m.startswith("ERS") else "ERS1"


# ============================================================================ leader
def _fdr(path, lengths) -> bytes:
    """Leader file descriptor; ``lengths`` = (platform position record, longest facility
    record) [bytes]."""
    return LEADER_FDR.pack({
        "software_release": f"ISCE {release_version}"[:12], "file_number": 1,
        "file_name": os.path.basename(path)[:16],
        **{f"n_{s}": 0 for s in ("attitude", "radiometric", "radiometric_compensation",
                                 "data_quality", "histogram", "range_spectra", "dem_descriptor",
                                 "radar_parameter_update", "annotation", "detailed_processing",
                                 "calibration", "gcp")},
        **{f"{s}_length": 0 for s in ("attitude", "radiometric", "radiometric_compensation",
                                      "data_quality", "histogram", "range_spectra",
                                      "dem_descriptor", "radar_parameter_update", "annotation",
                                      "detailed_processing", "calibration", "gcp")},
        "n_dataset_summary": 1, "dataset_summary_length": DATA_SET_SUMMARY.length,
        "n_map_projection": 1, "map_projection_length": MAP_PROJECTION.length,
        "n_platform_position": 1, "platform_position_length": lengths[0],
        "n_facility": 2, "facility_length": lengths[1],
    }, sequence=1)


def _platform(orbit: Orbit, epoch: DateTime) -> bytes:
    t0, dt, pos, vel = _uniform_orbit(orbit)
    first = epoch + t0
    day = first.date_only()
    svs = [{"position_x": p[0], "position_y": p[1], "position_z": p[2],
            "velocity_x": v[0], "velocity_y": v[1], "velocity_z": v[2]} for p, v in zip(pos, vel)]
    return PLATFORM_POSITION.pack({
        "year": day.year, "month": day.month, "day": day.day, "day_of_year": day.day_of_year(),
        "seconds_of_day": (first - day).total_seconds(), "interval": dt,
        "reference_system": "Earth Centred Rotating", "state_vectors": svs},
        sequence=4, length=386 + 132 * len(svs))


def _corners(orbit, t_first, t_last, r_near, r_far, wavelength, look_side):
    """{field: degrees} of the map projection record's corners (zero Doppler, h = 0)."""
    times = [t_first, t_first, t_last, t_last]
    ranges = [r_near, r_far, r_far, r_near]
    llh, ok = rdr2geo_points(np.array(times), np.array(ranges), orbit, wavelength, look_side)
    if not np.all(ok):
        return {}
    deg = np.degrees(llh[:, :2])
    out = {}
    for k, key in enumerate(("first_line_first_pixel", "first_line_last_pixel",
                             "last_line_last_pixel", "last_line_first_pixel")):
        out[f"{key}_lat"], out[f"{key}_lon"] = float(deg[k, 1]), float(deg[k, 0])
    return out


def _map_projection(product, orbit, lines, width, t_first, t_last, r0, dr, wavelength, look_side):
    corners = _corners(orbit, t_first, t_last, r0, r0 + (width - 1) * dr, wavelength, look_side)
    return MAP_PROJECTION.pack({"projection_descriptor": "Slant range", "pixels_per_line": width,
                                "lines": lines, "pixel_distance": dr,
                                "ellipsoid_name": "WGS84", "ellipsoid_semimajor_km": 6378.137,
                                "ellipsoid_semiminor_km": 6356.7523142, **corners}, sequence=3)


def _esa_facility(values: dict) -> bytes:
    values = {"identifier": "FACILITY RELATED DATA RECORD [ESA GENERAL TYPE]", **values}
    return ESA_FACILITY.pack(values, sequence=5, length=12288)


def _isce_facility(exact: dict) -> bytes:
    text = json.dumps(exact, allow_nan=False, separators=(",", ":")).encode("ascii")
    n = max(1024, -(-(84 + len(text)) // 512) * 512)
    return ISCE_FACILITY.pack({"identifier": FACILITY_IDENTIFIER, "text_length": len(text),
                               "text": text}, sequence=6, length=n)


def _dss_common(product, wavelength, fs, pulse, slope, prf, centre: DateTime, lines, width,
                look_side) -> dict:
    return {
        "dss_sequence_number": 1, "sar_channel_indicator": 1,
        "scene_reference_number": f"ORBIT={int(product.attributes.get('orbit_number', 0) or 0)}"
                                  f"-FRAME={product.attributes.get('frame', 0)}"[:32],
        "scene_centre_time": _compact(centre), "ellipsoid_designator": "WGS84",
        "ellipsoid_semimajor_km": 6378.137, "ellipsoid_semiminor_km": 6356.7523142,
        "earth_gm": 3.9860044, "scene_centre_line": lines // 2, "scene_centre_pixel": width // 2,
        "n_sar_channels": 1, "mission": _mission(product), "sensor_id_mode": "SAR- C-HR-IM-VV",
        "orbit_number": str(int(product.attributes.get("orbit_number", 0) or 0)),
        "clock_angle": 90.0 if look_side == "right" else -90.0,
        "radar_frequency_ghz": SPEED_OF_LIGHT / wavelength / 1e9, "wavelength": wavelength,
        "motion_compensation": "00", "range_pulse_code": "LINEAR FM CHIRP",
        "pulse_amplitude_0": 1.0, **{f"pulse_amplitude_{k}": 0.0 for k in range(1, 5)},
        "pulse_phase_0": 0.0, "pulse_phase_1": 0.0, "pulse_phase_2": slope / 2.0,
        "pulse_phase_3": 0.0, "pulse_phase_4": 0.0,
        "sampling_rate_mhz": fs / 1e6, "pulse_length_us": pulse * 1e6,
        "quantization_bits": 5, "quantizer_descriptor": "UNIFORM IQ",
        "dc_bias_i": 0.0, "dc_bias_q": 0.0, "gain_imbalance": 1.0,
        "prf": prf, "processing_facility": "ISCE", "processing_system": "ISCE",
        "processing_version": str(release_version)[:8],
        "time_direction_pixel": "INCREASE", "time_direction_line": "INCREASE",
        "pixel_spacing": SPEED_OF_LIGHT / (2.0 * fs),
    }


# ============================================================================ raw
def _peak(product, block_lines: int) -> float:
    """Largest |I| or |Q| of the image (NaN/inf ignored)."""
    return image_peak(product, block_lines)[0]


def _raw_codes(raw):
    """(PRI code, SWST code) of ``raw``'s PRF and first range (ISCE2's formulas inverted)."""
    fs = raw.range_sampling_rate
    pri = int(round(fs / (4.0 * raw.prf))) - 2
    swst = int(round((2.0 * raw.starting_range / SPEED_OF_LIGHT + ERS_CONSTANTS["delay_time"]
                      - 9.0 / raw.prf) * fs / 4.0))
    if not (500 < swst < 1500 and 0 < pri < 65535):
        raise ValueError(f"write_ers: PRF {raw.prf} Hz and first range {raw.starting_range} m give "
                         f"PRI code {pri} and SWST code {swst}; ERS's SWST codes lie in (500, 1500)")
    return pri, swst


def write_ers_raw_files(raw, imagefile, leaderfile, *, scale: float | None = None,
                        block_lines: int = DEFAULT_BLOCK_LINES):
    """Write ``raw`` (a RawProduct) as an ERS level-0 CEOS pair; returns the product as
    :func:`~isce.sensors.ers_ceos.read_ers_raw` reads it back."""
    if raw.source is None or raw.length < 1 or raw.width < 1:
        raise ValueError("write_ers: the raw product has no echoes")
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    if scale is None:
        peak = _peak(raw, block_lines)
        scale = peak / IQ_BIAS if peak > 0 else 1.0
    pri, swst = _raw_codes(raw)
    epoch = _datetime(raw.orbit.reference_epoch)
    first = epoch + raw.sensing_start
    clock = DateTime.parse(first.isoformat(digits=3))          # whole ms
    icu0 = BINARY_TIME_CODE + int(round((first - clock).total_seconds() * 256.0))
    exact = {"format": FACILITY_FORMAT, "reference_epoch": epoch.isoformat(),
             "sensing_start": float(raw.sensing_start), "prf": float(raw.prf),
             "starting_range": float(raw.starting_range),
             "range_sampling_rate": float(raw.range_sampling_rate),
             "wavelength": float(raw.wavelength), "look_side": raw.look_side,
             "chirp_slope": float(raw.chirp_slope), "pulse_length": float(raw.pulse_length),
             "scale": float(scale), "bias": IQ_BIAS, "lines": raw.length,
             "doppler": raw.doppler.to_dict() if raw.doppler is not None else None,
             "antenna_length": raw.antenna_length, "polarization": raw.polarization,
             "attributes": _jsonable(dict(raw.attributes))}
    last = first + (raw.length - 1) / raw.prf
    centre = first + 0.5 * (raw.length - 1) / raw.prf
    dss = DATA_SET_SUMMARY.pack({
        **_dss_common(raw, raw.wavelength, raw.range_sampling_rate, raw.pulse_length,
                      raw.chirp_slope, raw.prf, centre, raw.length, raw.width, raw.look_side),
        "range_compressed_flag": "NO", "binary_time_code": BINARY_TIME_CODE,
        "clock_time": _compact(clock), "clock_step_ns": 3906250,
        "product_type": "SAR RAW SIGNAL DATA", "line_content": "RANGE"}, sequence=2)
    mpr = _map_projection(raw, raw.orbit, raw.length, raw.width, raw.sensing_start,
                          raw.sensing_start + (raw.length - 1) / raw.prf, raw.starting_range,
                          raw.range_pixel_spacing, raw.wavelength, raw.look_side) \
        if _inside(raw.orbit, raw.sensing_start, (last - epoch).total_seconds()) else \
        MAP_PROJECTION.pack({}, sequence=3)
    platform = _platform(raw.orbit, epoch)
    esa = _esa_facility({"prf_code_first": pri, "prf_code_last": pri, "swst_code_first": swst,
                         "swst_code_last": swst, "n_raw_lines": raw.length,
                         "raw_first_line_time": _vmp(first)})
    isce = _isce_facility(exact)
    leader = _fdr(leaderfile, (len(platform), max(len(esa), len(isce)))) + dss + mpr + platform \
        + esa + isce
    # the image first: a failed image leaves a previous pair whole
    write_binary(imagefile, lambda fh: _write_raw_image(fh, raw, imagefile, float(scale), pri,
                                                         swst, icu0, first, block_lines))
    write_binary(leaderfile, lambda fh: fh.write(leader))
    return read_ers_raw(imagefile, leaderfile)


def _inside(orbit, t0, t1) -> bool:
    return orbit.start_time <= t0 and t1 <= orbit.end_time


def _write_raw_image(fh, raw, path, scale, pri, swst, icu0, first: DateTime, block_lines):
    width, length = raw.width, raw.length
    reclen = RAW_PREFIX_BYTES + 2 * width
    fh.write(IMAGE_FDR.pack({
        "software_release": f"ISCE {release_version}"[:12], "file_number": 2,
        "file_name": os.path.basename(path)[:16], "n_sar_records": length,
        "sar_record_length": reclen, "bits_per_sample": 5, "samples_per_group": 2,
        "bytes_per_group": 2, "sample_order": "  IQ", "n_channels": 1, "n_lines": length,
        "left_border_pixels": 0, "pixels_per_line": width, "right_border_pixels": 0,
        "top_border_lines": 0, "bottom_border_lines": 0, "interleaving": "BSQ",
        "physical_records_per_line": 1, "physical_records_per_multichannel_line": 1,
        "prefix_bytes": RAW_PREFIX_BYTES - 12, "sar_data_bytes": 2 * width, "suffix_bytes": 0,
        "sar_data_format": "COMPLEX INTEGER*2", "sar_data_format_code": "CI*2",
        "left_fill_bits": 3, "right_fill_bits": 0, "max_data_range": 31}, sequence=1))
    dtype = RAW_SIGNAL.dtype(reclen, extra=[("samples", ("u1", (2 * width,)), RAW_PREFIX_BYTES)])
    day = first.date_only()
    sod0 = (first - day).total_seconds()
    for rows, echo in raw.iter_blocks(block_lines):
        n = rows.stop - rows.start
        echo = np.asarray(echo)
        if echo.shape != (n, width):
            raise InputError(f"{raw.source.path}: echo block of lines {rows.start}-{rows.stop - 1} "
                             f"has shape {echo.shape}, expected ({n}, {width})")
        idx = np.arange(rows.start, rows.stop)
        t = idx / raw.prf
        rec = np.zeros(n, dtype)
        for k, v in {"first_record_subtype": 50, "record_type_code": 10,
                     "second_record_subtype": 31, "third_record_subtype": 20,
                     "record_length": reclen, "record_index": 1, "data_pixels": width,
                     "fixed_code": 0xAA, "swst_code": swst, "pri_code": pri}.items():
            rec[k] = v
        rec["record_sequence_number"] = idx + 2
        rec["line_number"] = idx + 1
        rec["record_time_ms"] = np.floor((sod0 + t) * 1000.0).astype(np.int64) % 86_400_000
        rec["icu_time"] = icu0 + np.floor(t * 256.0).astype(np.int64)
        rec["image_format_counter"] = FIRST_COUNTER + idx
        rec["samples"] = quantize(echo, scale)
        fh.write(rec.tobytes())


def write_ers(raw, folder, name: str) -> dict:
    """The simulator's writer interface for ``ERS``: ``<name>/DAT_01.001`` and
    ``<name>/LEA_01.001`` below ``folder``; returns IMAGEFILE/LEADERFILE (relative)."""
    files = {"IMAGEFILE": f"{name}/DAT_01.001", "LEADERFILE": f"{name}/LEA_01.001"}
    os.makedirs(os.path.join(os.fspath(folder), name), exist_ok=True)
    write_ers_raw_files(raw, os.path.join(os.fspath(folder), files["IMAGEFILE"]),
                        os.path.join(os.fspath(folder), files["LEADERFILE"]))
    return files


# ============================================================================ SLC
class _Quantiser:
    """One int16 factor per product: the first block with data maps its largest part to
    32767 / HEADROOM; a later sample that would clip is an InputError."""

    def __init__(self, where: str):
        self.where, self.factor = where, None

    def __call__(self, block: np.ndarray, rows: slice) -> np.ndarray:
        parts = np.stack([block.real, block.imag], axis=-1).astype(np.float64)
        if not np.all(np.isfinite(parts)):
            raise InputError(f"{self.where}: lines {rows.start}-{rows.stop - 1} hold NaN or inf")
        peak = float(np.max(np.abs(parts))) if parts.size else 0.0
        if self.factor is None and peak > 0:
            self.factor = _INT16_MAX / HEADROOM / peak
        scaled = np.rint(parts * (self.factor or 0.0))
        if np.max(np.abs(scaled), initial=0.0) > _INT16_MAX:
            raise InputError(f"{self.where}: lines {rows.start}-{rows.stop - 1} would clip in int16 "
                             f"(more than {HEADROOM:g} times the first lines' peak)")
        return scaled.astype(">i2").reshape(block.shape[0], -1)


def _slc_doppler_poly(slc, t_mid: float) -> list:
    """Quadratic in two-way range time [s] from the first pixel fitted to the product's
    Doppler at mid scene (ESA's cross-track centroid coefficients)."""
    g = slc.radar_grid
    ranges = g.starting_range + np.linspace(0.0, g.width - 1, 16) * g.range_pixel_spacing
    values = np.asarray(slc.doppler.eval(np.full(16, t_mid), ranges), float)
    tau = 2.0 * (ranges - g.starting_range) / SPEED_OF_LIGHT
    if not np.any(values):
        return [0.0, 0.0, 0.0]
    return [float(c) for c in np.polynomial.polynomial.polyfit(tau, values, 2)]


def write_ers_slc_files(slc, imagefile, leaderfile, *, block_lines: int = DEFAULT_BLOCK_LINES):
    """Write ``slc`` (an SlcProduct) as an ERS SLC CEOS pair; returns the product as
    :func:`~isce.sensors.ers_ceos.read_ers_slc` reads it back."""
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    g = slc.radar_grid
    quantise = _Quantiser(imagefile)
    write_binary(imagefile, lambda fh: _write_slc_image(fh, slc, imagefile, quantise, block_lines))
    if quantise.factor is None:
        remove_quietly(imagefile)
        raise InputError(f"{imagefile}: the SLC image holds no data (all samples zero)")
    epoch = _datetime(g.reference_epoch)
    first = epoch + g.sensing_start
    t_last = g.sensing_start + (g.length - 1) / g.prf
    centre = epoch + (g.sensing_start + 0.5 * (g.length - 1) / g.prf)
    fs = slc.range_sampling_rate or SPEED_OF_LIGHT / (2.0 * g.range_pixel_spacing)
    tau0 = 2.0 * g.starting_range / SPEED_OF_LIGHT
    tau_last = 2.0 * (g.starting_range + (g.width - 1) * g.range_pixel_spacing) / SPEED_OF_LIGHT
    dop = _slc_doppler_poly(slc, g.sensing_start + 0.5 * (g.length - 1) / g.prf)
    pulse = float(slc.attributes.get("pulse_length", 37.12e-6))
    exact = {"format": FACILITY_FORMAT, "reference_epoch": epoch.isoformat(),
             "sensing_start": float(g.sensing_start), "prf": float(g.prf),
             "starting_range": float(g.starting_range), "range_sampling_rate": float(fs),
             "wavelength": float(g.wavelength), "look_side": g.look_side,
             "scale": 1.0 / quantise.factor, "doppler": slc.doppler.to_dict(),
             "range_bandwidth": slc.range_bandwidth, "azimuth_bandwidth": slc.azimuth_bandwidth,
             "polarization": slc.polarization, "attributes": _jsonable(dict(slc.attributes))}
    dss = DATA_SET_SUMMARY.pack({
        **_dss_common(slc, g.wavelength, fs, pulse, ERS_CONSTANTS["chirp_bandwidth"] / pulse,
                      g.prf, centre, g.length, g.width, g.look_side),
        "range_compressed_flag": "YES", "product_type": "SAR SINGLE LOOK COMPLEX IMAGE",
        "processing_algorithm": "RANGE DOPPLER", "azimuth_looks": 1.0, "range_looks": 1.0,
        "range_processor_bandwidth": (slc.range_bandwidth or 0.0) / 1e6,
        "azimuth_processor_bandwidth": slc.azimuth_bandwidth or 0.0,
        "doppler_cross_0": dop[0], "doppler_cross_1": dop[1], "doppler_cross_2": dop[2],
        "line_content": "RANGE", "clutterlock_flag": "NOT", "autofocus_flag": "NOT",
        "line_spacing": None, "range_compression_designator": "NOMINAL CHIRP",
        "zd_range_time_first_ms": tau0 * 1e3,
        "zd_range_time_centre_ms": 0.5 * (tau0 + tau_last) * 1e3,
        "zd_range_time_last_ms": tau_last * 1e3, "zd_azimuth_time_first": _vmp(first),
        "zd_azimuth_time_centre": _vmp(centre), "zd_azimuth_time_last": _vmp(epoch + t_last),
    }, sequence=2)
    mpr = _map_projection(slc, slc.orbit, g.length, g.width, g.sensing_start, t_last,
                          g.starting_range, g.range_pixel_spacing, g.wavelength, g.look_side) \
        if _inside(slc.orbit, g.sensing_start, t_last) else MAP_PROJECTION.pack({}, sequence=3)
    platform = _platform(slc.orbit, epoch)
    esa = _esa_facility({"valid_pixels": g.width})
    isce = _isce_facility(exact)
    leader = _fdr(leaderfile, (len(platform), max(len(esa), len(isce)))) + dss + mpr + platform \
        + esa + isce
    write_binary(leaderfile, lambda fh: fh.write(leader))
    return read_ers_slc(imagefile, leaderfile)


def _write_slc_image(fh, slc, path, quantise, block_lines):
    length, width = slc.shape
    reclen = 12 + 4 * width
    fh.write(IMAGE_FDR.pack({
        "software_release": f"ISCE {release_version}"[:12], "file_number": 2,
        "file_name": os.path.basename(path)[:16], "n_sar_records": length,
        "sar_record_length": reclen, "bits_per_sample": 16, "samples_per_group": 1,
        "bytes_per_group": 4, "sample_order": "  IQ", "n_channels": 1, "n_lines": length,
        "left_border_pixels": 0, "pixels_per_line": width, "right_border_pixels": 0,
        "top_border_lines": 0, "bottom_border_lines": 0, "interleaving": "BSQ",
        "physical_records_per_line": 1, "physical_records_per_multichannel_line": 1,
        "prefix_bytes": 0, "sar_data_bytes": 4 * width, "suffix_bytes": 0,
        "sar_data_format": "COMPLEX INTEGER*4", "sar_data_format_code": "CI*4",
        "left_fill_bits": 0, "right_fill_bits": 0, "max_data_range": 32767}, sequence=1))
    head = np.zeros(1, dtype=[("seq", ">u4"), ("codes", "u1", (4,)), ("len", ">u4")])
    for rows, block in slc.iter_blocks(block_lines):
        data = quantise(np.asarray(block), rows)
        n = data.shape[0]
        out = np.zeros((n, reclen), np.uint8)
        hdr = np.zeros(n, head.dtype)
        hdr["seq"] = np.arange(rows.start, rows.stop) + 2
        hdr["codes"] = SLC_RECORD_CODES
        hdr["len"] = reclen
        out[:, :12] = hdr.view(np.uint8).reshape(n, 12)
        out[:, 12:] = data.view(np.uint8).reshape(n, 4 * width)
        fh.write(out.tobytes())


def write_ers_slc(slc, folder, name: str) -> dict:
    """The simulator's writer interface for ``ERS_SLC`` (as :func:`write_ers`)."""
    files = {"IMAGEFILE": f"{name}/DAT_01.001", "LEADERFILE": f"{name}/LEA_01.001"}
    os.makedirs(os.path.join(os.fspath(folder), name), exist_ok=True)
    write_ers_slc_files(slc, os.path.join(os.fspath(folder), files["IMAGEFILE"]),
                        os.path.join(os.fspath(folder), files["LEADERFILE"]))
    return files


# ============================================================================ orbit files
def write_odr(orbit: Orbit, path, *, fmt: str = "xODR", satellite: str = "ERS-1", arc: int = 1,
              step: float = 60.0) -> None:
    """An ODR file of ``orbit`` sampled every ``step`` s on whole UTC seconds (positions as
    GRS80 latitude/longitude/height, rounded as the format stores them)."""
    scale = ers_orbits.odr_scale(fmt, os.fspath(path))
    epoch = _datetime(orbit.reference_epoch)
    off = (epoch - ers_orbits.ODR_EPOCH).total_seconds()
    first = math.ceil(orbit.start_time + off)
    seconds = np.arange(first, orbit.end_time + off + 1e-9, step).astype(np.int64)
    pos, _ = orbit.interpolate(seconds - off)
    llh = ers_orbits.GRS80.xyz_to_lon_lat(pos)
    lat = np.rint(np.degrees(llh[:, 1]) / scale).astype(np.int64)
    lon = np.rint(np.degrees(llh[:, 0]) / scale).astype(np.int64)
    hgt = np.rint(llh[:, 2] * 1e3).astype(np.int64)
    head = struct.pack(">4s8si", fmt.encode(), satellite.encode()[:8].ljust(8), int(seconds[0]))
    head += struct.pack(">4i", 35, arc, seconds.size, 1)
    body = np.stack([seconds, lat, lon, hgt], axis=1).astype(">i4").tobytes()
    write_binary(os.fspath(path), lambda fh: fh.write(head + body))


def write_odr_arclist(path, arcs) -> None:
    """A Delft arclist: ``arcs`` = [(number, begin, end, precise begin)] (DateTimes)."""
    def t(d, sec=False):
        s = f"{d.year % 100:02d}{d.month:02d}{d.day:02d} {d.hour:02d}:{d.minute:02d}"
        return s + f":{d.second:02d}" if sec else s
    lines = ["Arc#  Begin          End            SLR  Xovr Altim Repeat Ver  Begin_precise"]
    for number, begin, end, precise in arcs:
        head = f"{number:03d}  {t(begin)} - {t(end)}   1.0  5.0  0.0 35.000 V01"
        lines.append(head.ljust(63) + t(precise, True))
    with open(os.fspath(path), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def write_prc(orbit: Orbit, path, *, tdt_offset: float = 61.184, step: float = 30.0) -> None:
    """A PRC file (130-byte records): a ``STATE`` line with the TDT-UTC offset [s], then
    ``STTERR`` lines every ``step`` s (J2000 day x 10 - 5, TDT [us], mm, um/s)."""
    epoch = _datetime(orbit.reference_epoch)
    j2000 = ers_orbits.J2000
    t = np.arange(orbit.start_time, orbit.end_time + 1e-9, step)
    pos, vel = orbit.interpolate(t)
    recs = []
    state = f"STATE {0:06d}{0:06d}".ljust(47) + f"{int(round(tdt_offset * 1e3)):5d}"
    recs.append(state.ljust(_PRC := 130).encode())
    for tk, p, v in zip(t, pos, vel):
        utc = (epoch + float(tk) - j2000).total_seconds()
        day = math.floor((utc - 43200.0) / 86400.0)               # the record's day (from noon)
        sec = utc - 86400.0 * (day + 0.5) + tdt_offset
        code = int(round(day * 10))
        line = "STTERR" + " " * 8 + f"{code:6d}" + f"{int(round(sec * 1e6)):11d}"
        line += "".join(f"{int(round(x * 1e3)):12d}" for x in p)
        line += "".join(f"{int(round(x * 1e6)):11d}" for x in v)
        recs.append(line.ljust(127).encode() + b"1" + b"  ")
    with open(os.fspath(path), "wb") as fh:
        fh.write(b"".join(r[:_PRC].ljust(_PRC) for r in recs))


def write_prc_arclist(path, arcs) -> None:
    """A PRC arclist: ``arcs`` = [(file name, begin, end)] (DateTimes at noon)."""
    j2000 = ers_orbits.J2000
    lines = []
    for name, begin, end in arcs:
        b = ((begin - j2000).total_seconds() - 43200.0) / 86400.0 * 10.0
        e = ((end - j2000).total_seconds() - 43200.0) / 86400.0 * 10.0
        lines.append(f"{name} {b:.0f} {e:.0f}")
    with open(os.fspath(path), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def write_pds(orbit: Orbit, path, *, step: float | None = 60.0) -> None:
    """A PDS orbit text file: header lines, then state vector lines at ISCE2's columns (time
    0-27, position [m] 44-82, velocity [m/s] 83-121), every ``step`` s or, with ``step`` None,
    at the orbit's own vector times (to the microsecond); written atomically."""
    epoch = _datetime(orbit.reference_epoch)
    if step is None:
        t = np.round(np.asarray(orbit.time, np.float64) * 1e6) / 1e6
        t = np.clip(t, orbit.start_time, orbit.end_time)
    else:
        t = np.arange(orbit.start_time, orbit.end_time + 1e-9, step)
    pos, vel = orbit.interpolate(t)
    lines = [f'START_TIME="{_vmp(epoch + float(t[0]))}"', f'STOP_TIME="{_vmp(epoch + float(t[-1]))}"',
             f"NUM_REC={t.size}"]
    for tk, p, v in zip(t, pos, vel):
        d = epoch + float(tk)
        s = d.isoformat(digits=6)
        line = f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year:04d} {s[11:26]}".ljust(44)
        line += " ".join(f"{x:12.3f}" for x in p) + " " + " ".join(f"{x:12.6f}" for x in v)
        lines.append(line)
    write_text(os.fspath(path), "\n".join(lines) + "\n")
