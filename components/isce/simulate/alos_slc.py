"""Writer of JAXA level-1.1 CEOS SLC (ALOS PALSAR ``ALOS_SLC``; ALOS-2 through
:mod:`isce.simulate.alos2_ceos`): an ``IMG-*`` / ``LED-*`` pair.

:func:`write_l11` turns any :class:`~isce.sensors.product.SlcProduct` into the files the
level-1.1 readers (:mod:`isce.sensors.alos_slc`) read, from the reader's record tables:

* leader: file descriptor, data set summary (wavelength, PRF [mHz], sampling rate [MHz],
  range gate delay 2 R0 / c [us], pulse length, chirp slope in the amplitude linear term as
  JAXA's level 1.1, the Doppler centroid at mid-image fitted by a quadratic in pixel as the
  cross-track terms, clock angle, product level ``1.1``), platform position (the orbit's
  state vectors, evenly spaced), attitude (zero), radiometric (calibration factor 0 dB,
  identity distortion matrices) and one facility-related record holding the exact values
  the standard fields round (JSON, identifier ``ISCE SLC PARAMETERS``);
* image: file descriptor, then per line a processed data record: the variant's prefix
  (412 bytes ALOS, 544 ALOS-2) with the line's zero-Doppler time (millisecond of day,
  truncated; ALOS-2 also the microsecond), PRF, slant range to the first pixel, polarization,
  then the pixels as big-endian float32 I/Q (no quantisation: the round trip is exact).

Both files are written atomically, the image block by block (memory bounded by the block).
"""
from __future__ import annotations

import json
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.io.atomic import write_binary
from isce.sensors.alos_ceos import (DATA_SET_SUMMARY, IMAGE_FDR, ISCE_FACILITY, LEADER_FDR,
                                    POL_CODES)
from isce.sensors.alos_slc import (ALOS_L11, FACILITY_FORMAT, FACILITY_IDENTIFIER, PIXEL_BYTES,
                                   PROCESSED_DATA, RADIOMETRIC, L11Variant, read_l11)
from isce.sensors.product import DEFAULT_BLOCK_LINES, SlcProduct

from .alos_ceos import (_attitude, _compact_time, _fdr_common, _jsonable, _look_angles,
                        _platform_position)

__all__ = ["write_l11", "write_alos_slc"]

#: leader records written, in JAXA's order (sequence numbers 2..6)
_LEADER_COUNTS = ("dataset_summary", "platform_position", "attitude", "radiometric")


def _datetime(value) -> DateTime:
    return value if isinstance(value, DateTime) else DateTime(value)


def _doppler_vs_pixel(product: SlcProduct) -> list:
    """Quadratic fit [Hz per pixel^k] of the Doppler centroid across the swath at mid-image."""
    g = product.radar_grid
    pixels = np.linspace(0.0, g.width - 1.0, 16)
    t_mid = g.sensing_start + 0.5 * (g.length - 1) / g.prf
    values = np.asarray(product.doppler.eval(np.full_like(pixels, t_mid),
                                             g.starting_range + pixels * g.range_pixel_spacing),
                        dtype=np.float64)
    if not np.any(values):
        return [0.0, 0.0, 0.0]
    return [float(c) for c in np.polynomial.polynomial.polyfit(pixels, values, 2)]


def _exact(product: SlcProduct, variant: L11Variant, path: str) -> dict:
    g = product.radar_grid
    return {
        "format": FACILITY_FORMAT, "sensor": variant.sensor,
        "reference_epoch": _datetime(g.reference_epoch).isoformat(),
        "sensing_start": float(g.sensing_start), "prf": float(g.prf),
        "starting_range": float(g.starting_range),
        "range_sampling_rate": float(SPEED_OF_LIGHT / (2.0 * g.range_pixel_spacing)),
        "wavelength": float(g.wavelength), "center_frequency": float(product.center_frequency),
        "look_side": g.look_side, "doppler": product.doppler.to_dict(),
        "range_bandwidth": product.range_bandwidth, "azimuth_bandwidth": product.azimuth_bandwidth,
        "chirp_slope": product.attributes.get("chirp_slope"),
        "pulse_length": product.attributes.get("pulse_length"),
        "antenna_length": product.attributes.get("antenna_length", variant.antenna_length),
        "polarization": product.polarization, "platform": product.platform,
        "mission": product.mission, "attributes": _jsonable(dict(product.attributes), path),
    }


def _chirp(product: SlcProduct, variant: L11Variant) -> tuple:
    """(slope [Hz/s], pulse length [s]): the product's when it records them, else a chirp
    of its range bandwidth (or 80 % of the sampling rate) over 30 us."""
    slope, pulse = product.attributes.get("chirp_slope"), product.attributes.get("pulse_length")
    if slope and pulse:
        return float(slope), float(pulse)
    fs = SPEED_OF_LIGHT / (2.0 * product.radar_grid.range_pixel_spacing)
    bandwidth = product.range_bandwidth or 0.8 * fs
    pulse = 30e-6
    return (1.0 if variant.microsecond else -1.0) * bandwidth / pulse, pulse


def _dataset_summary(product: SlcProduct, variant: L11Variant) -> bytes:
    g = product.radar_grid
    epoch = _datetime(g.reference_epoch)
    t_mid = epoch + (g.sensing_start + 0.5 * (g.length - 1) / g.prf)
    look, inc = _look_angles(_GridView(product))
    pos, vel = product.orbit.interpolate(min(max((t_mid - epoch).total_seconds(),
                                                 product.orbit.start_time), product.orbit.end_time))
    speed = float(np.linalg.norm(vel))
    slope, pulse = _chirp(product, variant)
    dop = _doppler_vs_pixel(product)
    fs = SPEED_OF_LIGHT / (2.0 * g.range_pixel_spacing)
    mode = "ALOS2 -L -0315-" if variant.microsecond else "ALOS  -L  H-60"
    return DATA_SET_SUMMARY.pack({
        "dss_sequence_number": 1, "sar_channel_indicator": 1,
        "scene_identifier": str(product.attributes.get("scene_id", f"ISCE {variant.sensor}"))[:32],
        "scene_centre_time": _compact_time(t_mid),
        "ellipsoid_designator": "GRS80", "ellipsoid_semimajor_km": 6378.137,
        "ellipsoid_semiminor_km": 6356.7523141, "average_terrain_height": 0.0,
        "scene_centre_line": g.length // 2, "scene_centre_pixel": g.width // 2,
        "scene_length_km": g.length / g.prf * speed / 1000.0,
        "scene_width_km": g.width * g.range_pixel_spacing / 1000.0, "n_sar_channels": 1,
        "mission": (product.mission or variant.mission)[:16], "sensor_id_mode": mode,
        "orbit_number": int(product.attributes.get("orbit_number", 0) or 0),
        "clock_angle": 90.0 if g.look_side == "right" else -90.0, "incidence_angle": inc,
        "wavelength": g.wavelength, "motion_compensation": "00",
        "range_pulse_code": "LINEAR FM CHIRP", "pulse_amplitude_0": 0.0,
        "pulse_amplitude_1": slope, "pulse_amplitude_2": 0.0, "pulse_amplitude_3": 0.0,
        "pulse_amplitude_4": 0.0, "sampling_rate_mhz": fs / 1e6,
        "range_gate_delay_us": 2.0 * g.starting_range / SPEED_OF_LIGHT * 1e6,
        "pulse_length_us": pulse * 1e6, "baseband_flag": "YES", "range_compressed_flag": "YES",
        "quantization_bits": 32, "quantizer_descriptor": "FLOAT I,Q",
        "electronic_boresight": 0.0, "mechanical_boresight": look, "echo_tracker": "OFF",
        "nominal_prf_mhz": g.prf * 1000.0, "processing_facility": "ISCE",
        "processing_system": "ISCE", "processing_version": "1.0", "product_level": "1.1",
        "product_type": "SLANT RANGE SINGLE LOOK COMPLEX", "azimuth_looks": 1.0, "range_looks": 1.0,
        "azimuth_processor_bandwidth": product.azimuth_bandwidth,
        "range_processor_bandwidth": product.range_bandwidth,
        "doppler_along_0": 0.0, "doppler_along_1": 0.0, "doppler_along_2": 0.0,
        "doppler_cross_0": dop[0], "doppler_cross_1": dop[1], "doppler_cross_2": dop[2],
        "time_direction_pixel": "INCREASE", "time_direction_line": "ASCEND" if vel[2] >= 0 else "DESCEND",
        "line_content": "RANGE", "clutterlock_flag": "NO", "autofocus_flag": "NO",
        "line_spacing": speed / g.prf, "pixel_spacing": g.range_pixel_spacing,
        "range_compression_designator": "NOMINAL CHIRP", "off_nadir_angle": look,
        "annotation_points": 0,
    }, sequence=2)


class _GridView:
    """What :func:`isce.simulate.alos_ceos._look_angles` reads of a raw product, from an SLC."""

    def __init__(self, product: SlcProduct):
        g = product.radar_grid
        self.orbit, self.sensing_start, self.prf = product.orbit, g.sensing_start, g.prf
        self.length, self.width = g.length, g.width
        self.slant_range = lambda pixel: g.starting_range + pixel * g.range_pixel_spacing


def _radiometric(sequence: int) -> bytes:
    identity = {"calibration_factor": 0.0, "dt_11_re": 1.0, "dt_22_re": 1.0, "dr_11_re": 1.0,
                "dr_22_re": 1.0}
    for m in ("dt", "dr"):
        for ij in ("11", "12", "21", "22"):
            for part in ("re", "im"):
                identity.setdefault(f"{m}_{ij}_{part}", 0.0)
    return RADIOMETRIC.pack({"sar_channel_indicator": 1, "data_sets": [identity]},
                            sequence=sequence, length=9860)


def _facility(exact: dict, sequence: int) -> bytes:
    text = json.dumps(exact, allow_nan=False, separators=(",", ":")).encode("ascii")
    length = max(1024, -(-(56 + len(text)) // 512) * 512)
    return ISCE_FACILITY.pack({"facility_sequence_number": 1, "identifier": FACILITY_IDENTIFIER,
                               "text_length": len(text), "text": text},
                              sequence=sequence, length=length)


def _leader_bytes(product: SlcProduct, variant: L11Variant, path: str) -> bytes:
    g = product.radar_grid
    epoch = _datetime(g.reference_epoch)
    records = {"dataset_summary": _dataset_summary(product, variant),
               "platform_position": _platform_position(product, epoch),
               "attitude": _attitude(product, epoch + g.sensing_start),
               "radiometric": _radiometric(5)}
    facility = _facility(_exact(product, variant, path), 6)
    counts = {f"{k}": v for stem in ("map_projection", "radiometric_compensation", "data_quality",
                                     "histogram", "range_spectra", "dem_descriptor",
                                     "radar_parameter_update", "annotation", "detailed_processing",
                                     "calibration", "gcp")
              for k, v in ((f"n_{stem}", 0), (f"{stem}_length", 0))}
    for stem, rec in records.items():
        counts.update({f"n_{stem}": 1, f"{stem}_length": len(rec)})
    counts.update({"n_facility_1": 1, "facility_1_length": len(facility),
                   **{f"n_facility_{k}": 0 for k in range(2, 11)},
                   **{f"facility_{k}_length": 0 for k in range(2, 11)}})
    fdr = LEADER_FDR.pack({**_fdr_common(path, "leader"), **counts}, sequence=1)
    return fdr + b"".join(records[k] for k in _LEADER_COUNTS) + facility


def _time_tags(first: DateTime, prf: float, count: int) -> dict:
    """Per line: year, day of year, millisecond and microsecond of day (truncated) of
    ``first + i / prf``."""
    day0 = first.date_only()
    sod0 = (first - day0).total_seconds()
    us = np.floor((sod0 + np.arange(count, dtype=np.float64) / prf) * 1e6).astype(np.int64)
    day_add = us // 86_400_000_000
    us -= day_add * 86_400_000_000
    years, doys = np.empty(count, np.int64), np.empty(count, np.int64)
    for d in np.unique(day_add):
        day = day0 + int(d) * 86400
        years[day_add == d], doys[day_add == d] = day.year, day.day_of_year()
    return {"year": years, "day_of_year": doys, "millisecond_of_day": us // 1000,
            "microsecond_of_day": us}


def _image_fdr(product: SlcProduct, variant: L11Variant, path: str) -> bytes:
    g = product.radar_grid
    reclen = variant.prefix + PIXEL_BYTES * g.width
    return IMAGE_FDR.pack({
        **_fdr_common(path, "image"), "n_sar_records": g.length, "sar_record_length": reclen,
        "bits_per_sample": 32, "samples_per_group": 2, "bytes_per_group": PIXEL_BYTES,
        "sample_order": "  IQ", "n_channels": 1, "n_lines": g.length, "left_border_pixels": 0,
        "pixels_per_line": g.width, "right_border_pixels": 0, "top_border_lines": 0,
        "bottom_border_lines": 0, "interleaving": "BSQ", "physical_records_per_line": 1,
        "physical_records_per_multichannel_line": 1, "prefix_bytes": variant.prefix,
        "sar_data_bytes": PIXEL_BYTES * g.width, "suffix_bytes": 0,
        "line_number_locator": "  13 4PB", "channel_number_locator": "  49 2PB",
        "time_locator": "  45 4PB", "left_fill_locator": "  21 4PB",
        "right_fill_locator": "  29 4PB", "sar_data_format": "COMPLEX*8",
        "sar_data_format_code": "C*8", "left_fill_bits": 0, "right_fill_bits": 0,
        "max_data_range": 0}, sequence=1)


def _write_image(fh, product: SlcProduct, variant: L11Variant, path: str, block_lines: int):
    g = product.radar_grid
    reclen = variant.prefix + PIXEL_BYTES * g.width
    fh.write(_image_fdr(product, variant, path))
    tags = _time_tags(_datetime(g.reference_epoch) + g.sensing_start, g.prf, g.length)
    if not variant.microsecond:
        tags.pop("microsecond_of_day")
    dtype = PROCESSED_DATA.dtype(reclen, extra=[("iq", (">f4", (g.width, 2)), variant.prefix)])
    pol = (product.polarization or "HH").upper()
    const = {"first_record_subtype": 50, "record_type_code": 11, "second_record_subtype": 18,
             "third_record_subtype": 20, "record_length": reclen, "record_index": 1,
             "data_pixels": g.width, "channel_indicator": 1,
             "tx_polarization": POL_CODES.get(pol[:1], 0), "rx_polarization": POL_CODES.get(pol[1:2], 0),
             "prf_mhz": int(round(g.prf * 1000.0)), "slant_range_m": int(round(g.starting_range)),
             "window_position_ns": int(round(2.0 * g.starting_range / SPEED_OF_LIGHT * 1e9))}
    for rows, block in product.iter_blocks(block_lines):
        n = rows.stop - rows.start
        if block.shape != (n, g.width):
            raise InputError(f"{product.source.describe()}: block of lines {rows.start}-"
                             f"{rows.stop - 1} has shape {block.shape}, expected ({n}, {g.width})")
        rec = np.zeros(n, dtype)
        for k, v in const.items():
            rec[k] = v
        idx = np.arange(rows.start, rows.stop)
        rec["record_sequence_number"] = idx + 2
        rec["line_number"] = idx + 1
        for k, v in tags.items():
            rec[k] = v[rows]
        rec["iq"][..., 0], rec["iq"][..., 1] = block.real, block.imag
        fh.write(rec.tobytes())



def write_l11(product: SlcProduct, imagefile, leaderfile, variant: L11Variant = ALOS_L11, *,
              block_lines: int = DEFAULT_BLOCK_LINES, reader=None) -> SlcProduct:
    """Write ``product`` as a level-1.1 pair of ``variant`` (the image block by block, then the
    leader: a failed image leaves a previous pair whole); returns the product as the reader (``reader``, default
    :func:`~isce.sensors.alos_slc.read_l11` of the variant) reads it back."""
    if product.source is None:
        raise ValueError("write_l11: the SLC product has no image attached (source is None)")
    imagefile, leaderfile = os.fspath(imagefile), os.fspath(leaderfile)
    leader = _leader_bytes(product, variant, leaderfile)
    write_binary(imagefile, lambda fh: _write_image(fh, product, variant, imagefile, block_lines))
    write_binary(leaderfile, lambda fh: fh.write(leader))
    if reader is not None:
        return reader(imagefile, leaderfile)
    return read_l11(imagefile, leaderfile, variant)


def _names(product: SlcProduct, name: str, level: str = "1.1") -> dict:
    pol = (product.polarization or "HH").strip().upper()
    return {"IMAGEFILE": f"IMG-{pol}-{name}-{level}", "LEADERFILE": f"LED-{name}-{level}"}


def write_alos_slc(product: SlcProduct, folder, name: str) -> dict[str, str]:
    """The simulator's writer interface for ``ALOS_SLC``: :func:`write_l11` into ``folder``
    as ``IMG-<pol>-<name>-1.1`` / ``LED-<name>-1.1``; returns ``IMAGEFILE``/``LEADERFILE``
    relative to ``folder``."""
    files = _names(product, name)
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    write_l11(product, os.path.join(folder, files["IMAGEFILE"]),
              os.path.join(folder, files["LEADERFILE"]), ALOS_L11)
    return files
