"""Writer of RADARSAT-1 level-0 raw data in CEOS format (an image ``.raw`` / leader ``.ldr``).

:func:`write_rsat1` turns a :class:`~isce.sensors.raw.RawProduct` (e.g. simulated echoes)
into the files the ``RADARSAT1`` reader (:mod:`isce.sensors.radarsat1`) reads, with the
reader's record tables: the radar settings coded in each line's 50-byte auxiliary block
(ADC rate, PRF, receive-window and beam codes, time to the microsecond), the echoes as
4-bit two's-complement I/Q samples (one per byte), the state vectors in the inertial frame
of a real leader (rotated back from Earth-fixed with the Greenwich mean sidereal time of the
first vector, written as the record's hour angle), and one facility-related record holding
the exact values that the codes quantise (as the ALOS writer does). Options write the
quirks of real RADARSAT-1 files: chirp replicas before some lines, missing lines, and the
receive window moving within the scene.
"""
from __future__ import annotations

import json
import logging
import math
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.time import DateTime
from isce.io.atomic import write_binary
from isce.sensors.radarsat1 import (AUX_BYTES, BEAM_RANGE_GATE, DATA_OFFSET,
                                    DATA_SET_SUMMARY, DATA_SET_SUMMARY_BYTES, FACILITY_FORMAT,
                                    FACILITY_IDENTIFIER, FDR_PREFIX_BYTES, IMAGE_FDR,
                                    IMAGE_FDR_BYTES, ISCE_FACILITY, LEADER_FDR, ONE_WAY_DELAY,
                                    PLATFORM_POSITION, PREFIX_BYTES, PULSE_LENGTH, SIGNAL_PREFIX,
                                    chirp_slope_for, ecef_to_eci, encode_aux, encode_samples,
                                    gmst_deg, read_radarsat1, replica_bytes, time_base)
from isce.sensors.raw import RawProduct
from isce.version import release_version

from .alos_ceos import _jsonable, _time_tags, _uniform_orbit

__all__ = ["write_rsat1", "write_radarsat1", "radar_codes", "quantisation_scale"]

log = logging.getLogger("isce.simulate.radarsat1")

#: beams tried (in this order) for the receive-window code: Standard 3 first
_BEAMS = (3, 1, 2, 4, 5, 6, 7, 16, 17, 18, 19, 20)
#: 7.5 quantisation steps are this many standard deviations of a part (I or Q) of the echoes
_CLIP_SIGMAS = 3.2


# ============================================================================ codes
def radar_codes(raw: RawProduct, beam: int | None = None) -> dict:
    """The auxiliary-block codes of ``raw``'s radar: ``adc``, ``prf_code``, ``beam``,
    ``dwp_code`` (nearest to its starting range) and the values they stand for. ValueError
    when RADARSAT-1 cannot code them (another sampling rate; no beam's window fits)."""
    adc = next((a for a in range(3)
                if abs(1.0 / float(time_base(a)) - raw.range_sampling_rate) <= 1e-6 * raw.range_sampling_rate),
               None)
    if adc is None:
        rates = ", ".join(f"{1e-6 / float(time_base(a)):.6f}" for a in range(3))
        raise ValueError(f"range sampling rate {raw.range_sampling_rate!r} Hz is not one of "
                         f"RADARSAT-1's ({rates} MHz)")
    tb = float(time_base(adc))
    prf_code = int(round(1.0 / (raw.prf * 6.0 * tb))) - 2
    prf = 1.0 / ((2 + prf_code) * 6.0 * tb)
    for b in ((beam,) if beam is not None else _BEAMS):
        gate = BEAM_RANGE_GATE[b][0]
        dwp = 2.0 * raw.starting_range / SPEED_OF_LIGHT - gate / prf + 2.0 * ONE_WAY_DELAY
        code = int(round(dwp / (6.0 * tb))) - 5
        if 0 <= code < 4096 - 64:
            r0 = 0.5 * SPEED_OF_LIGHT * ((5 + code) * 6.0 * tb + gate / prf - 2.0 * ONE_WAY_DELAY)
            return {"adc": adc, "prf_code": prf_code, "beam": b, "dwp_code": code, "prf": prf,
                    "range_sampling_rate": 1.0 / tb, "starting_range": r0}
    raise ValueError(f"starting range {raw.starting_range!r} m cannot be coded by any RADARSAT-1 "
                     f"beam's receive window at PRF {prf!r} Hz")


def quantisation_scale(raw: RawProduct, block_lines: int = 1024) -> float:
    """Echo units per 4-bit step: 7.5 steps cover the larger part (I or Q) of the echoes, or
    3.2 standard deviations of the non-zero parts when that is smaller (speckle then clips
    at 3.2 sigma, 0.14 %, instead of wasting levels on rare peaks)."""
    peak, total, count = 0.0, 0.0, 0
    for _, block in raw.iter_blocks(block_lines):
        parts = np.abs(np.asarray(block).view(np.float32))
        if parts.size:
            peak = max(peak, float(parts.max()))
            nz = parts[parts > 0]
            total += float(np.sum(nz.astype(np.float64) ** 2))
            count += nz.size
    if peak == 0:
        return 1.0
    sigma = math.sqrt(total / count)
    return min(peak, _CLIP_SIGMAS * sigma) / 7.5


# ============================================================================ writing
def write_rsat1(raw: RawProduct, imagefile, leaderfile, *, scale: float | None = None,
                block_lines: int = 1024, beam: int | None = None, replica_lines=(),
                missing_lines=(), window_steps: dict | None = None,
                isce_record: bool = True) -> RawProduct:
    """Write ``raw`` as a RADARSAT-1 CEOS raw pair (image ``imagefile``, leader
    ``leaderfile``), block by block and atomically; return the product read back.

    ``scale`` [echo units per 4-bit step] defaults to :func:`quantisation_scale`.
    Quirks of real files, for tests: ``replica_lines`` (lines preceded by a chirp replica),
    ``missing_lines`` (lines not written), ``window_steps`` ({line: n}: from that line on the
    receive window opens ``6 n`` samples later, as ``dwp_code + n``). ``isce_record=False``
    leaves out the facility record of exact values (a file as RADARSAT-1's ground segment
    wrote it): the reader then has only the coded values -- PRF on the code grid (0.16 Hz
    steps near 1300 Hz), sensing start to the microsecond, and the starting range of the
    nearest receive-window code, up to 3 samples from the product's (real files' windows
    lie on that grid; a simulated one generally does not).
    """
    if raw.source is None:
        raise ValueError("write_rsat1: the raw product has no echoes attached (source is None)")
    if raw.length < 1 or raw.width < 1:
        raise ValueError(f"write_rsat1: empty raw product ({raw.length} x {raw.width})")
    codes = radar_codes(raw, beam)
    scale = float(scale) if scale is not None else quantisation_scale(raw, block_lines)
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"write_rsat1: scale must be a positive number, got {scale!r}")
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    epoch = DateTime(raw.orbit.reference_epoch) if not isinstance(raw.orbit.reference_epoch, DateTime) \
        else raw.orbit.reference_epoch
    exact = {
        "format": FACILITY_FORMAT, "reference_epoch": epoch.isoformat(),
        "sensing_start": float(raw.sensing_start), "prf": float(raw.prf),
        "starting_range": float(raw.starting_range),
        "range_sampling_rate": float(raw.range_sampling_rate),
        "wavelength": float(raw.wavelength), "look_side": raw.look_side,
        "chirp_slope": float(raw.chirp_slope), "pulse_length": float(raw.pulse_length),
        "scale": scale, "doppler": raw.doppler.to_dict() if raw.doppler is not None else None,
        "antenna_length": raw.antenna_length, "platform": raw.platform, "mission": raw.mission,
        "polarization": raw.polarization,
        "attributes": _jsonable(dict(raw.attributes), leaderfile),
    }
    steps = _window_steps(raw.length, window_steps, codes["dwp_code"])
    # the image first: a failed image leaves a previous pair whole
    write_binary(imagefile, lambda fh: _write_image(fh, raw, imagefile, epoch, codes, scale, steps,
                                               set(map(int, replica_lines)),
                                               set(map(int, missing_lines)), block_lines))
    write_binary(leaderfile, lambda fh: fh.write(_leader(raw, epoch, codes, exact if isce_record else None,
                                                    leaderfile)))
    return read_radarsat1(imagefile, leaderfile)


def write_radarsat1(product: RawProduct, folder, name: str) -> dict[str, str]:
    """The simulator's writer interface for ``RADARSAT1``: :func:`write_rsat1` into
    ``folder/RADARSAT1/<name>.raw`` and ``.ldr``; returns ``IMAGEFILE``/``LEADERFILE``
    relative to ``folder``."""
    files = {"IMAGEFILE": os.path.join("RADARSAT1", f"{name}.raw"),
             "LEADERFILE": os.path.join("RADARSAT1", f"{name}.ldr")}
    os.makedirs(os.path.join(os.fspath(folder), "RADARSAT1"), exist_ok=True)
    write_rsat1(product, os.path.join(os.fspath(folder), files["IMAGEFILE"]),
                os.path.join(os.fspath(folder), files["LEADERFILE"]))
    return files



def _window_steps(length: int, steps: dict | None, first_code: int) -> np.ndarray:
    """Per line: receive-window code steps relative to the first line."""
    out = np.zeros(length, np.int64)
    for line, n in sorted((steps or {}).items()):
        if not 0 < int(line) < length:
            raise ValueError(f"window step at line {line}: lines are 1..{length - 1}")
        out[int(line):] = int(n)
    if np.any(first_code + out < 0) or np.any(first_code + out >= 4096):
        raise ValueError("window steps take the receive-window code out of 0..4095")
    return out


# ---------------------------------------------------------------------------- leader
def _fdr_common(path, number):
    return {"software_release": f"ISCE {release_version}"[:12],
            "file_name": os.path.basename(path)[:16], "file_number": number}


def _leader(raw: RawProduct, epoch: DateTime, codes: dict, exact: dict | None, path: str) -> bytes:
    """File descriptor, data set summary, platform position (inertial) and the ISCE record."""
    dss = _dataset_summary(raw, epoch, codes)
    platform = _platform_position(raw, epoch)
    facility = _facility(exact) if exact is not None else b""
    counts = {f"n_{stem}": 0 for stem in ("map_projection", "attitude", "radiometric",
                                          "radiometric_compensation", "data_quality", "histogram",
                                          "range_spectra", "dem_descriptor", "radar_parameter_update",
                                          "annotation", "detailed_processing", "calibration", "gcp")}
    fdr = LEADER_FDR.pack({
        **_fdr_common(path, 1), **counts,
        "n_dataset_summary": 1, "dataset_summary_length": len(dss),
        "n_platform_position": 1, "platform_position_length": len(platform),
        "n_facility": 1 if facility else 0, "facility_length": len(facility),
    }, sequence=1)
    fdr = _codes(fdr, (63, 192, 18, 18))
    return fdr + _codes(dss, (18, 10, 18, 20)) + _codes(platform, (18, 30, 18, 20)) + \
        (_codes(facility, (18, 200, 18, 20)) if facility else b"")


def _codes(record: bytes, codes) -> bytes:
    """``record`` with its four type codes (bytes 5-8) set."""
    return record[:4] + bytes(codes) + record[8:]


def _dataset_summary(raw: RawProduct, epoch: DateTime, codes: dict) -> bytes:
    t_mid = epoch + raw.sensing_start + 0.5 * (raw.length - 1) / raw.prf
    K, T = chirp_slope_for(codes["range_sampling_rate"]), PULSE_LENGTH
    return DATA_SET_SUMMARY.pack({
        "dss_sequence_number": 1, "sar_channel_indicator": 1,
        "scene_id": str(raw.attributes.get("scene_id", "ISCE-RAW"))[:16],
        "scene_reference_number": "ISCE SIMULATED RAW",
        "scene_centre_time": t_mid.isoformat(digits=3)[:32],
        "ellipsoid_designator": "GEM6", "ellipsoid_semimajor_km": 6378.137,
        "ellipsoid_semiminor_km": 6356.7523141, "scene_centre_line": raw.length // 2,
        "scene_centre_pixel": raw.width // 2, "n_sar_channels": 1, "mission": "RADARSAT-1",
        "sensor_id_mode": "RSAT-1-C -HH-STANDARD", "orbit_number":
            str(raw.attributes.get("orbit_number", 0))[:8],
        "clock_angle": 90.0 if raw.look_side == "right" else -90.0,
        "radar_frequency_ghz": SPEED_OF_LIGHT / raw.wavelength / 1e9,
        "wavelength": raw.wavelength, "range_pulse_code": "LINEAR FM CHIRP",
        "pulse_amplitude_0": 1.0, "pulse_phase_2": K / 2.0,
        "sampling_rate_mhz": codes["range_sampling_rate"] / 1e6,
        "range_gate_delay_us": 2.0 * codes["starting_range"] / SPEED_OF_LIGHT * 1e6,
        "pulse_length_us": T * 1e6, "range_compressed_flag": "NO",
        "quantization_bits": 4, "quantizer_descriptor": "UNIFORM I,Q",
        "dc_bias_i": 7.5, "dc_bias_q": 7.5, "gain_imbalance": 0.0, "prf_hz": codes["prf"],
        "processing_facility": "ISCE", "processing_system": "ISCE", "processing_version": "1.0",
        "product_type": "RAW SIGNAL DATA", "processing_algorithm": "NONE",
        "azimuth_looks": 1.0, "range_looks": 1.0, "data_input_source": "SIMULATED",
        "time_direction_pixel": "INCREASE", "time_direction_line": "INCREASE",
        "line_content": "RANGE", "clutterlock_flag": "NO", "autofocus_flag": "NO",
        "pixel_spacing": SPEED_OF_LIGHT / (2.0 * codes["range_sampling_rate"]),
        "range_compression_designator": "NOT APPLIED",
    }, sequence=2, length=DATA_SET_SUMMARY_BYTES)


def _platform_position(raw: RawProduct, epoch: DateTime) -> bytes:
    """Platform position record: the state vectors, evenly spaced, in the inertial frame of
    the Greenwich mean sidereal time of the first (positions [m], velocities [mm/s])."""
    t0, dt, pos, vel = _uniform_orbit(raw.orbit)
    first = epoch + t0
    day = first.date_only()
    gha = gmst_deg(first)
    t = t0 + dt * np.arange(len(pos))
    ipos, ivel = ecef_to_eci(t, pos, vel, gha, t0)
    svs = [{"position_x": p[0], "position_y": p[1], "position_z": p[2], "velocity_x": 1e3 * v[0],
            "velocity_y": 1e3 * v[1], "velocity_z": 1e3 * v[2]} for p, v in zip(ipos, ivel)]
    return PLATFORM_POSITION.pack({
        "orbital_elements_designator": "DEFINITIVE", "year": day.year, "month": day.month,
        "day": day.day, "day_of_year": day.day_of_year(),
        "seconds_of_day": (first - day).total_seconds(), "interval": dt,
        "reference_system": "INERTIAL (TRUE OF DATE)", "greenwich_hour_angle": gha,
        "state_vectors": svs}, sequence=3, length=386 + 132 * len(svs))


def _facility(exact: dict) -> bytes:
    text = json.dumps(exact, allow_nan=False, separators=(",", ":")).encode("ascii")
    n = max(1024, -(-(56 + len(text)) // 512) * 512)
    return ISCE_FACILITY.pack({"facility_sequence_number": 1, "identifier": FACILITY_IDENTIFIER,
                               "text_length": len(text), "text": text}, sequence=4, length=n)


# ---------------------------------------------------------------------------- image
def _write_image(fh, raw: RawProduct, path: str, epoch: DateTime, codes: dict, scale: float,
                 steps: np.ndarray, replicas: set, missing: set, block_lines: int):
    width, length = raw.width, raw.length
    rep = replica_bytes(codes["adc"])
    written = [i for i in range(length) if i not in missing]
    reclen = DATA_OFFSET + 2 * width
    fdr = IMAGE_FDR.pack({
        **_fdr_common(path, 2), "n_sar_records": len(written), "sar_record_length": reclen,
        "bits_per_sample": 4, "samples_per_group": 2, "bytes_per_group": 2, "sample_order": "  IQ",
        "n_channels": 1, "n_lines": len(written), "left_border_pixels": 0, "pixels_per_line": width,
        "right_border_pixels": 0, "top_border_lines": 0, "bottom_border_lines": 0,
        "interleaving": "BSQ", "physical_records_per_line": 1,
        "physical_records_per_multichannel_line": 1, "prefix_bytes": FDR_PREFIX_BYTES,
        "sar_data_bytes": AUX_BYTES + 2 * width, "suffix_bytes": 0,
        "sar_data_format": "COMPLEX INTEGER*4 BITS", "sar_data_format_code": "CI*4",
        "left_fill_bits": 4, "right_fill_bits": 0, "max_data_range": 15,
    }, sequence=1, length=IMAGE_FDR_BYTES)
    fh.write(_codes(fdr, (63, 192, 18, 18)))
    first = epoch + raw.sensing_start
    years, doys, _ = _time_tags(first, raw.prf, length)
    sod0 = first.seconds_of_day()
    seconds = sod0 + np.arange(length) / raw.prf
    seconds = seconds - 86400.0 * np.floor(seconds / 86400.0 + 1e-12)
    ms = np.floor(seconds * 1000.0).astype(np.int64)
    aux = encode_aux(length, seconds=seconds, adc=codes["adc"], prf_code=codes["prf_code"],
                     dwp_code=codes["dwp_code"] + steps, beam=codes["beam"],
                     replica=[1 if i in replicas else 0 for i in range(length)])
    replica = _replica(raw, rep)
    sequence = 2
    for rows, echo in raw.iter_blocks(block_lines):
        codes_block = encode_samples(np.asarray(echo), scale)
        for k in range(rows.start, rows.stop):
            if k in missing:
                continue
            line = codes_block[k - rows.start]
            s = 6 * int(steps[k])
            if s > 0:           # the window opens later: the record starts s samples further
                line = np.concatenate([line[2 * s:], np.zeros(2 * s, np.uint8)])
            elif s < 0:         # ... earlier: s samples before the first line's window
                line = np.concatenate([np.zeros(-2 * s, np.uint8), line[:2 * (width + s)]])
            has_rep = k in replicas
            n = reclen + (rep if has_rep else 0)
            prefix = SIGNAL_PREFIX.pack({
                "record_sequence_number": sequence, "record_length": n, "line_number": sequence - 1,
                "record_index": 1, "data_pixels": width, "sensor_update_flag": int(k == 0),
                "year": int(years[k]), "day_of_year": int(doys[k]), "millisecond_of_day": int(ms[k]),
                "channel_indicator": 1, "tx_polarization": 0, "rx_polarization": 0,
                "prf_mhz": int(round(codes["prf"] * 1000)), "chirp_length_ns": int(PULSE_LENGTH * 1e9),
                "slant_range_m": int(round(codes["starting_range"])) + int(round(s * SPEED_OF_LIGHT
                                                                                / (2 * codes["range_sampling_rate"]))),
            }, sequence=sequence, length=PREFIX_BYTES)
            fh.write(_codes(prefix[:8], (50, 10, 18, 20)) + n.to_bytes(4, "big") + prefix[12:])
            fh.write(aux[k].tobytes())
            if has_rep:
                fh.write(replica)
            fh.write(line.tobytes())
            sequence += 1


def _replica(raw: RawProduct, nbytes: int) -> bytes:
    """The transmitted chirp at 4 bits (amplitude 7 steps), ``nbytes`` bytes (I, Q, ...)."""
    n = nbytes // 2
    chirp = np.zeros(n, np.complex64)
    c = raw.chirp()[:n]
    chirp[:c.size] = 7.0 * c
    return encode_samples(chirp[None, :], 1.0)[0].tobytes()
