"""Writer of ALOS PALSAR level-1.0 CEOS raw data (an ``IMG-*`` / ``LED-*`` pair).

:func:`write_ceos` turns any :class:`~isce.sensors.raw.RawProduct` (e.g. simulated
echoes) into the files the ``ALOS`` reader (:mod:`isce.sensors.alos_ceos`) reads: every
standard field JAXA's format gives, the echoes quantised to ALOS's 5-bit I/Q codes, and one
facility-related record holding the exact values the standard fields round. The record
tables are the reader's, so writer and reader cannot drift apart.
"""
from __future__ import annotations

import json
import logging
import math
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.io.atomic import write_binary
from isce.io.blocks import progress_bar
from isce.sensors.alos_ceos import (ATTITUDE, CALIBRATION, DATA_SET_SUMMARY, FACILITY_FORMAT,
                                    FACILITY_IDENTIFIER, IMAGE_FDR, IQ_BIAS, IQ_LEVELS,
                                    ISCE_FACILITY, LEADER_FDR, PLATFORM_POSITION,
                                    PLATFORM_TRAILER, PLATFORM_TRAILER_BYTES, POL_CODES,
                                    SIGNAL_DATA, SIGNAL_PREFIX_BYTES, quantize, read_alos_ceos)
from isce.sensors.raw import RawProduct
from isce.version import release_version
from .quantize import image_peak

__all__ = ["write_ceos", "write_alos"]

log = logging.getLogger("isce.simulate.alos_ceos")


# ============================================================================ time tags
def _datetime(value) -> DateTime:
    return value if isinstance(value, DateTime) else DateTime(value)


def _time_tags(first: DateTime, prf: float, count: int):
    """(year, day of year, millisecond of day) of ``first + i / prf``, i < count."""
    day0 = first.date_only()
    sod0 = (first - day0).total_seconds()
    total_ms = np.floor((sod0 + np.arange(count, dtype=np.float64) / prf) * 1000.0).astype(np.int64)
    day_add = total_ms // 86_400_000
    ms = total_ms - day_add * 86_400_000
    years = np.empty(count, np.int64)
    doys = np.empty(count, np.int64)
    for d in np.unique(day_add):
        day = day0 + int(d) * 86400
        sel = day_add == d
        years[sel] = day.year
        doys[sel] = day.day_of_year()
    return years, doys, ms


# ============================================================================ writing
def _jsonable(value, what):
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        pass
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            try:
                json.dumps({str(k): v}, allow_nan=False)
                out[str(k)] = v
            except (TypeError, ValueError):
                log.warning("%s: attribute %r is not JSON-serialisable; not written", what, k)
        return out
    return None


def _uniform_orbit(orbit: Orbit):
    """(first time [s since epoch], interval [s], positions, velocities) on a uniform grid:
    the orbit's own vectors when they are evenly spaced, else resampled (Hermite)."""
    t = np.asarray(orbit.time, np.float64)
    n = t.size
    dt = (t[-1] - t[0]) / (n - 1)
    if np.max(np.abs(np.diff(t) - dt)) <= 1e-6 * max(1.0, dt):
        return float(t[0]), float(dt), np.asarray(orbit.position), np.asarray(orbit.velocity)
    if n < 4:
        raise ValueError(f"the orbit's {n} state vectors are unevenly spaced and too few to resample "
                         "onto the evenly spaced grid of the CEOS platform position record")
    grid = t[0] + dt * np.arange(n)
    grid[-1] = t[-1]
    pos, vel = orbit.interpolate(grid)
    log.info("orbit state vectors unevenly spaced: resampled to %d vectors every %r s", n, dt)
    return float(t[0]), float(dt), pos, vel


def _look_angles(raw: RawProduct):
    """(off-nadir, incidence) angles [deg] at mid swath, spherical Earth (annotation only)."""
    try:
        t_mid = raw.sensing_start + 0.5 * (raw.length - 1) / raw.prf
        t_mid = min(max(t_mid, raw.orbit.start_time), raw.orbit.end_time)
        pos, _ = raw.orbit.interpolate(t_mid)
        rs = float(np.linalg.norm(pos))
        r = float(raw.slant_range(0.5 * (raw.width - 1)))
        lat = math.asin(pos[2] / rs)
        a, b = 6378137.0, 6356752.314245
        re = math.sqrt(((a * a * math.cos(lat)) ** 2 + (b * b * math.sin(lat)) ** 2)
                       / ((a * math.cos(lat)) ** 2 + (b * math.sin(lat)) ** 2))
        look = math.acos((rs * rs + r * r - re * re) / (2 * rs * r))
        inc = math.asin(min(1.0, rs * math.sin(look) / re))
        return math.degrees(look), math.degrees(inc)
    except (ValueError, ZeroDivisionError):
        return None, None


def _peak(raw: RawProduct, block_lines: int) -> float:
    """Largest |I| or |Q| of the echoes (NaN/inf ignored)."""
    return image_peak(raw, block_lines)[0]


def write_ceos(raw: RawProduct, imagefile, leaderfile, *, scale: float | None = None,
               block_lines: int = 1024, progress: bool = False) -> RawProduct:
    """Write ``raw`` as an ALOS level-1.0 CEOS pair: image file ``imagefile`` (IMG) and
    leader file ``leaderfile`` (LED).

    Echoes are quantised to 5-bit I/Q codes (0..31) stored in bytes with a DC bias of
    15.5: a sample ``x`` becomes ``floor(x / scale + 16)`` clipped to 0..31, read back as
    ``(code - 15.5) * scale``. ``scale`` defaults to ``peak / 15.5`` (``peak``: the largest
    |I| or |Q| of all echoes), so nothing clips and every sample is within ``scale / 2``
    of its value; the scale is written (exactly) in the ISCE facility record and read back.
    The orbit's state vectors go to the platform position record (evenly spaced ones as
    they are, others resampled to even spacing). Both files are written atomically.

    Returns the product as :func:`~isce.sensors.alos_ceos.read_alos_ceos` reads it back from
    the files.
    """
    if raw.source is None:
        raise ValueError("write_ceos: the raw product has no echoes attached (source is None)")
    if raw.length < 1 or raw.width < 1:
        raise ValueError(f"write_ceos: empty raw product ({raw.length} x {raw.width})")
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    if scale is None:
        peak = _peak(raw, block_lines)
        scale = peak / IQ_BIAS if peak > 0 else 1.0
    scale = float(scale)
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"write_ceos: scale must be a positive number, got {scale!r}")

    epoch = _datetime(raw.orbit.reference_epoch)
    dwp = 2.0 * raw.starting_range / SPEED_OF_LIGHT
    first_tx = epoch + raw.sensing_start
    first_rx = epoch + (raw.sensing_start + dwp)
    pol = (raw.polarization or "HH").strip().upper()
    if len(pol) != 2 or any(c not in POL_CODES for c in pol):
        log.warning("polarization %r is not one of HH/HV/VH/VV: written as HH in the line prefixes", pol)
        pol_codes = (0, 0)
    else:
        pol_codes = (POL_CODES[pol[0]], POL_CODES[pol[1]])

    exact = {
        "format": FACILITY_FORMAT,
        "reference_epoch": epoch.isoformat(),
        "sensing_start": float(raw.sensing_start), "prf": float(raw.prf),
        "starting_range": float(raw.starting_range),
        "range_sampling_rate": float(raw.range_sampling_rate),
        "wavelength": float(raw.wavelength), "look_side": raw.look_side,
        "chirp_slope": float(raw.chirp_slope), "pulse_length": float(raw.pulse_length),
        "scale": scale, "bias_i": IQ_BIAS, "bias_q": IQ_BIAS,
        "doppler": raw.doppler.to_dict() if raw.doppler is not None else None,
        "antenna_length": raw.antenna_length, "platform": raw.platform, "mission": raw.mission,
        "polarization": raw.polarization,
        "attributes": _jsonable(dict(raw.attributes), leaderfile),
    }

    leader = _leader_bytes(raw, exact, epoch, first_tx, dwp, leaderfile)
    write_binary(leaderfile, lambda fh: fh.write(leader))
    write_binary(imagefile, lambda fh: _write_image(fh, raw, imagefile, scale, first_rx, dwp,
                                                    pol_codes, block_lines, progress))
    return read_alos_ceos(imagefile, leaderfile)


def write_alos(raw: RawProduct, folder, name: str) -> dict[str, str]:
    """The simulator's writer interface for ``ALOS``: :func:`write_ceos` into ``folder`` as
    ``IMG-<pol>-<name>`` / ``LED-<name>``; returns the reader's ``IMAGEFILE``/``LEADERFILE``
    (relative to ``folder``)."""
    pol = (raw.polarization or "HH").strip().upper()
    files = {"IMAGEFILE": f"IMG-{pol}-{name}", "LEADERFILE": f"LED-{name}"}
    write_ceos(raw, os.path.join(os.fspath(folder), files["IMAGEFILE"]),
               os.path.join(os.fspath(folder), files["LEADERFILE"]))
    return files


def _fdr_common(path, what):
    return {"software_release": f"ISCE {release_version}"[:12],
            "file_name": os.path.basename(path)[:16], "file_number": 1 if what == "leader" else 2}


def _leader_bytes(raw: RawProduct, exact: dict, epoch: DateTime, first_tx: DateTime, dwp: float,
                  path: str) -> bytes:
    """The leader file: file descriptor, data set summary, platform position, attitude,
    calibration and the ISCE facility record, in JAXA's order."""
    dss = _dataset_summary(raw, epoch, first_tx, dwp)
    platform = _platform_position(raw, epoch)
    attitude = _attitude(raw, first_tx)
    calibration = _calibration(raw, first_tx)
    facility = _isce_facility(exact)
    fdr = LEADER_FDR.pack({
        **_fdr_common(path, "leader"),
        "n_dataset_summary": 1, "dataset_summary_length": len(dss),
        "n_map_projection": 0, "map_projection_length": 0,
        "n_platform_position": 1, "platform_position_length": len(platform),
        "n_attitude": 1, "attitude_length": len(attitude),
        "n_radiometric": 0, "radiometric_length": 0,
        "n_radiometric_compensation": 0, "radiometric_compensation_length": 0,
        "n_data_quality": 0, "data_quality_length": 0, "n_histogram": 0, "histogram_length": 0,
        "n_range_spectra": 0, "range_spectra_length": 0, "n_dem_descriptor": 0,
        "dem_descriptor_length": 0, "n_radar_parameter_update": 0, "radar_parameter_update_length": 0,
        "n_annotation": 0, "annotation_length": 0, "n_detailed_processing": 0,
        "detailed_processing_length": 0, "n_calibration": 1, "calibration_length": len(calibration),
        "n_gcp": 0, "gcp_length": 0, "n_facility_1": 1, "facility_1_length": len(facility),
        **{f"n_facility_{k}": 0 for k in range(2, 11)},
        **{f"facility_{k}_length": 0 for k in range(2, 11)},
    }, sequence=1)
    return fdr + dss + platform + attitude + calibration + facility


def _platform_position(raw: RawProduct, epoch: DateTime) -> bytes:
    """Platform position record (sequence 3): the state vectors, evenly spaced, + trailer."""
    t0, dt, pos, vel = _uniform_orbit(raw.orbit)
    sv_first = epoch + t0
    day = sv_first.date_only()
    nsv = len(pos)
    svs = [{"position_x": p[0], "position_y": p[1], "position_z": p[2],
            "velocity_x": v[0], "velocity_y": v[1], "velocity_z": v[2]} for p, v in zip(pos, vel)]
    plat_len = 386 + 132 * nsv + PLATFORM_TRAILER_BYTES
    platform = bytearray(PLATFORM_POSITION.pack({
        "orbital_elements_designator": "1", "year": day.year, "month": day.month, "day": day.day,
        "day_of_year": day.day_of_year(), "seconds_of_day": (sv_first - day).total_seconds(),
        "interval": dt, "reference_system": "EARTH FIXED (ECEF)", "greenwich_hour_angle": 0.0,
        "state_vectors": svs}, sequence=3, length=plat_len))
    base = 386 + 132 * nsv
    for f in PLATFORM_TRAILER:
        platform[base + f.offset:base + f.end] = f.encode(0 if f.name == "leap_second_flag" else None)
    return bytes(platform)


def _dataset_summary(raw: RawProduct, epoch: DateTime, first_tx: DateTime, dwp: float) -> bytes:
    """Data set summary record (sequence 2): radar, chirp, quantisation and scene facts."""
    t_mid = first_tx + 0.5 * (raw.length - 1) / raw.prf
    look, inc = _look_angles(raw)
    mid_pos, mid_vel = None, None
    try:
        mid_pos, mid_vel = raw.orbit.interpolate(min(max((t_mid - epoch).total_seconds(),
                                                         raw.orbit.start_time), raw.orbit.end_time))
    except ValueError:
        pass
    speed = float(np.linalg.norm(mid_vel)) if mid_vel is not None else None
    direction = ("ASCEND" if mid_vel[2] >= 0 else "DESCEND") if mid_vel is not None else ""
    K, T = raw.chirp_slope, raw.pulse_length
    return DATA_SET_SUMMARY.pack({
        "dss_sequence_number": 1, "sar_channel_indicator": 1,
        "scene_identifier": str(raw.attributes.get("scene_id", "ISCE-WRITTEN RAW"))[:32],
        "scene_centre_time": _compact_time(t_mid),
        "ellipsoid_designator": "GRS80", "ellipsoid_semimajor_km": 6378.137,
        "ellipsoid_semiminor_km": 6356.7523141, "earth_mass_1e24kg": 5.9742,
        "gravitational_constant": 3.986004418e5, "ellipsoid_j2": 1.0826267e-3,
        "ellipsoid_j3": -2.5327e-6, "ellipsoid_j4": -1.6196e-6, "average_terrain_height": 0.0,
        "scene_centre_line": raw.length // 2, "scene_centre_pixel": raw.width // 2,
        "scene_length_km": (raw.length / raw.prf * speed / 1000.0) if speed else None,
        "scene_width_km": raw.width * raw.range_pixel_spacing / 1000.0,
        "n_sar_channels": 1, "mission": (raw.mission or raw.platform or "ALOS")[:16],
        "sensor_id_mode": "ALOS  -L  H-60", "orbit_number": int(raw.attributes.get("orbit_number", 0) or 0),
        "clock_angle": 90.0 if raw.look_side == "right" else -90.0,
        "incidence_angle": inc, "wavelength": raw.wavelength, "motion_compensation": "00",
        "range_pulse_code": "LINEAR FM CHIRP",
        "pulse_amplitude_0": 1.0, "pulse_amplitude_1": 0.0, "pulse_amplitude_2": 0.0,
        "pulse_amplitude_3": 0.0, "pulse_amplitude_4": 0.0,
        # chirp phase [cycles] from the pulse start tau = t + T/2: K/2 tau^2 - K T/2 tau
        "pulse_phase_0": 0.0, "pulse_phase_1": -K * T / 2.0, "pulse_phase_2": K / 2.0,
        "pulse_phase_3": 0.0, "pulse_phase_4": 0.0,
        "sampling_rate_mhz": raw.range_sampling_rate / 1e6, "range_gate_delay_us": dwp * 1e6,
        "pulse_length_us": T * 1e6, "baseband_flag": "YES", "range_compressed_flag": "NO",
        "receiver_gain_like": 0.0, "receiver_gain_cross": 0.0,
        "quantization_bits": 5, "quantizer_descriptor": "UNIFORM I,Q",
        "dc_bias_i": IQ_BIAS, "dc_bias_q": IQ_BIAS, "gain_imbalance": 0.0,
        "electronic_boresight": 0.0, "mechanical_boresight": look, "echo_tracker": "OFF",
        "nominal_prf_mhz": raw.prf * 1000.0,
        "processing_facility": "ISCE", "processing_system": "ISCE",
        "processing_version": "1.0", "product_level": "1.0",
        "product_type": "UNPROCESSED SIGNAL DATA", "processing_algorithm": "NONE",
        "azimuth_looks": 1.0, "range_looks": 1.0,
        "range_look_bandwidth": abs(K) * T / 1e6, "range_processor_bandwidth": abs(K) * T / 1e6,
        "data_input_source": "ONLINE",
        "radiometric_bias": 0.0, "radiometric_gain": 1.0,
        "doppler_along_0": 0.0, "doppler_cross_0": 0.0,
        "time_direction_pixel": "INCREASE", "time_direction_line": direction,
        "line_content": "RANGE", "clutterlock_flag": "NO", "autofocus_flag": "NO",
        "line_spacing": (speed / raw.prf) if speed else None, "pixel_spacing": raw.range_pixel_spacing,
        "range_compression_designator": "NOT APPLIED",
        "calibration_indicator": 0, "prf_switching": 0, "prf_switching_line": 0,
        "yaw_steering": 1, "parameter_table": 0, "off_nadir_angle": look, "antenna_beam": 0,
        "annotation_points": 0,
    }, sequence=2)


def _attitude(raw: RawProduct, first_tx: DateTime) -> bytes:
    """Attitude record (sequence 4): 22 points over the echo span, all zero (a raw product
    carries no attitude)."""
    t_end = first_tx + (raw.length - 1) / raw.prf
    span = (t_end - first_tx).total_seconds()
    points = []
    for k in range(22):
        t = first_tx + span * k / 21.0
        points.append({"day_of_year": t.day_of_year(), "millisecond_of_day": int(t.seconds_of_day() * 1000),
                       "pitch_flag": 0, "roll_flag": 0, "yaw_flag": 0,
                       "pitch": 0.0, "roll": 0.0, "yaw": 0.0,
                       "pitch_rate_flag": 0, "roll_rate_flag": 0, "yaw_rate_flag": 0,
                       "pitch_rate": 0.0, "roll_rate": 0.0, "yaw_rate": 0.0})
    return ATTITUDE.pack({"points": points}, sequence=4)


def _calibration(raw: RawProduct, first_tx: DateTime) -> bytes:
    """Calibration record (sequence 5): pulse length, bandwidth, sampling frequency and two
    copies of the chirp replica."""
    t_end = first_tx + (raw.length - 1) / raw.prf
    K, T = raw.chirp_slope, raw.pulse_length
    chirp = raw.chirp()
    nrep = chirp.size if 0 < chirp.size <= 1536 else 0
    rep = np.zeros(2 * nrep, ">i2")
    if nrep:
        rep[0::2] = np.round(chirp.real * 1000.0)
        rep[1::2] = np.round(chirp.imag * 1000.0)
    replicas = [{"receive_polarization": POL_CODES.get((raw.polarization or "HH")[-1:].upper(), 0),
                 "samples": rep.tobytes()} for _ in range(2)]
    return CALIBRATION.pack({
        "calibration_sequence_number": 1, "valid_samples": nrep,
        "replica_start_time": _compact_time(first_tx), "replica_stop_time": _compact_time(t_end),
        "att_setting": 0, "alc": 0, "agc_mgc": 0,
        "pulse_length_us": int(round(T * 1e6)), "bandwidth_mhz": int(round(abs(K) * T / 1e6)),
        "sampling_frequency_mhz": int(round(raw.range_sampling_rate / 1e6)),
        "quantization_bits": 5, "replica_groups": 2, "replica_samples": nrep,
        "replicas": replicas}, sequence=5)


def _isce_facility(exact: dict) -> bytes:
    """The facility-related record (sequence 6) holding ``exact`` as JSON text."""
    text = json.dumps(exact, allow_nan=False, separators=(",", ":")).encode("ascii")
    fac_len = max(1024, -(-(56 + len(text)) // 512) * 512)
    return ISCE_FACILITY.pack({"facility_sequence_number": 1, "identifier": FACILITY_IDENTIFIER,
                               "text_length": len(text), "text": text},
                              sequence=6, length=fac_len)


def _compact_time(t: DateTime) -> str:
    """``YYYYMMDDhhmmssttt`` (ms, truncated) as in JAXA's time fields."""
    s = t.isoformat(digits=3)
    return s[0:4] + s[5:7] + s[8:10] + s[11:13] + s[14:16] + s[17:19] + s[20:23]


def _write_image(fh, raw: RawProduct, path: str, scale: float, first_rx: DateTime, dwp: float,
                 pol_codes, block_lines: int, progress: bool):
    width, length = raw.width, raw.length
    reclen = SIGNAL_PREFIX_BYTES + 2 * width
    fdr = IMAGE_FDR.pack({
        **_fdr_common(path, "image"),
        "n_sar_records": length, "sar_record_length": reclen,
        "bits_per_sample": 8, "samples_per_group": 2, "bytes_per_group": 2, "sample_order": "  IQ",
        "n_channels": 1, "n_lines": length, "left_border_pixels": 0, "pixels_per_line": width,
        "right_border_pixels": 0, "top_border_lines": 0, "bottom_border_lines": 0,
        "interleaving": "BSQ", "physical_records_per_line": 1,
        "physical_records_per_multichannel_line": 1,
        "prefix_bytes": SIGNAL_PREFIX_BYTES, "sar_data_bytes": 2 * width, "suffix_bytes": 0,
        "line_number_locator": "  13 4PB", "channel_number_locator": "  49 2PB",
        "time_locator": "  45 4PB", "left_fill_locator": "  21 4PB", "right_fill_locator": "  29 4PB",
        "sar_data_format": "COMPLEX INTEGER*1", "sar_data_format_code": "CI*1",
        "left_fill_bits": 3, "right_fill_bits": 0, "max_data_range": IQ_LEVELS - 1,
    }, sequence=1)
    fh.write(fdr)
    years, doys, ms = _time_tags(first_rx, raw.prf, length)
    dtype = SIGNAL_DATA.dtype(reclen, extra=[("samples", ("u1", (2 * width,)), SIGNAL_PREFIX_BYTES)])
    const = {
        "first_record_subtype": 50, "record_type_code": 10, "second_record_subtype": 18,
        "third_record_subtype": 20, "record_length": reclen, "record_index": 1,
        "left_fill_pixels": 0, "data_pixels": width, "right_fill_pixels": 0,
        "channel_indicator": 1, "channel_code": 0,
        "tx_polarization": pol_codes[0], "rx_polarization": pol_codes[1],
        "prf_mhz": int(round(raw.prf * 1000.0)), "chirp_type": 0,
        "chirp_length_ns": int(round(raw.pulse_length * 1e9)),
        "chirp_linear_hz_per_us": int(round(raw.chirp_slope * 1e-6)),
        "slant_range_m": int(round(raw.starting_range)),
        "window_position_ns": int(round(dwp * 1e9)),
    }
    blocks = raw.iter_blocks(block_lines)
    if progress:
        blocks = progress_bar(blocks, total=-(-length // block_lines), desc=os.path.basename(path))
    for rows, echo in blocks:
        echo = np.asarray(echo)
        n = rows.stop - rows.start
        if echo.shape != (n, width):
            raise InputError(f"{raw.source.path}: echo block of lines {rows.start}-{rows.stop - 1} has "
                             f"shape {echo.shape}, expected ({n}, {width})")
        rec = np.zeros(n, dtype)
        for k, v in const.items():
            rec[k] = v
        idx = np.arange(rows.start, rows.stop)
        rec["record_sequence_number"] = idx + 2
        rec["line_number"] = idx + 1
        rec["frame_counter"] = idx
        rec["sensor_update_flag"] = (idx == 0).astype(np.int32)
        rec["year"] = years[rows]
        rec["day_of_year"] = doys[rows]
        rec["millisecond_of_day"] = ms[rows]
        rec["samples"] = quantize(echo, scale)
        fh.write(rec.tobytes())
