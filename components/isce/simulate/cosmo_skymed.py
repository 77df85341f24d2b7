"""Writers of COSMO-SkyMed HDF5 products: SCS_B (focused) and RAW_B (raw echoes), first
generation (CSK, ``generation=1``) or second generation (CSG, ``generation=2``).

:func:`write_cosmo_skymed_slc` turns any :class:`~isce.sensors.product.SlcProduct` and
:func:`write_cosmo_skymed_raw` any :class:`~isce.sensors.raw.RawProduct` into the file the
``COSMO_SKYMED_SLC`` / ``COSMO_SKYMED`` readers (:mod:`isce.sensors.cosmo_skymed`, whose
layout tables are used here) read, named as ASI names them; both return ``{"HDF5": name}``
(relative to ``folder``), what an insarApp.xml ``<component name="reference">`` needs.

* Times: ``Reference UTC`` is midnight (UTC) of the first line's day, as ASI writes it;
  every time is float seconds since it (bit-exact when the product's epoch is already that
  midnight, else shifted by the exact epoch difference: within 1e-11 s).
* Pixels are written block by block (``product.iter_blocks``), memory bounded by a block.
  CSK SCS_B: int16 I/Q, ``DN = rint(x * Rescaling Factor)`` with ``Rescaling Factor =
  32000 / peak`` (``peak``: largest |I| or |Q| of the image, found in a first pass), so
  nothing clips and the reader's ``DN / Rescaling Factor`` is within ``0.5 / Rescaling
  Factor`` (peak / 64000) of the input. CSG SCS_B: float32 I/Q (no quantisation).
* RAW_B echoes: 8-bit unsigned I/Q codes ``k = floor(x / step + 128)`` clipped to 0..255 whose
  ``Analog Signal Reconstruction Levels`` are ``(k - 127.5) * step`` with ``step = peak /
  127.5`` (``peak``: largest |I| or |Q| of all echoes, first pass): the gain never clips,
  every sample is read back within ``step / 2``; the quantisation noise (step^2 / 6 per
  complex sample, 50 dB below peak^2) is spread by focusing like thermal noise.
* Doppler centroid: the product's model fitted (least squares on a 9 x 9 grid over the
  image) by ASI's pair of cubic polynomials in range time and azimuth time about the image
  centre (exact for a constant or separable polynomial Doppler); for CSG the azimuth one is
  written in raw time (``t + fd / rate``) with the azimuth FM rate ``-2 v^2 Re / (|p| lambda R)``
  of the orbit at mid image, which the reader undoes.
* Values the product does not hold are written as ASI fills them, from the geometry
  (incidence angles, ground line spacing, orbit direction) or nominal (SCS_B chirp length
  40 us, antenna length 5.7 m when unknown, HIMAGE / STRIPMAP mode, beam 01): annotation
  only, the readers do not use them; every attribute ISCE2's readers require is written.
"""
from __future__ import annotations

import logging
import math
import os
import re

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.time import DateTime
from isce.io.atomic import replacing
from isce.sensors.cosmo_skymed import (LAYOUTS, RAW_LEVELS, RAW_PRODUCT, ROOT, SLC_PRODUCT, SWATH,
                                       read_cosmo_skymed_raw, read_cosmo_skymed_slc,
                                       reference_utc_text)
from isce.sensors.hdf5 import h5py_module
from isce.sensors.product import DEFAULT_BLOCK_LINES, SlcProduct
from isce.sensors.raw import RawProduct
from isce.version import release_version
from .quantize import image_peak

__all__ = ["write_cosmo_skymed_slc", "write_cosmo_skymed_raw", "product_name", "INT16_PEAK"]

log = logging.getLogger("isce.simulate.cosmo_skymed")

#: the int16 value the SLC's largest |I| or |Q| is written as (headroom below 32767)
INT16_PEAK = 32000.0
#: coefficients ASI writes per Doppler polynomial (unused ones are 0)
POLY_TERMS = 6
#: degree of the fitted Doppler polynomials
POLY_DEGREE = 3
#: root attribute (isce's, not ASI's) recording the ``name`` (pass label) given to the writer
PASS_LABEL = "isce pass label"
#: 'Antenna Length' [m] (COSMO-SkyMed's antenna) written when the product does not know it
NOMINAL_ANTENNA_LENGTH = 5.7
#: SCS_B 'Range Chirp Length' [s] written when the product does not know it
NOMINAL_CHIRP_LENGTH = 40e-6


# ============================================================================ public
def write_cosmo_skymed_slc(product: SlcProduct, folder, name: str, *, generation: int = 1,
                           block_lines: int = DEFAULT_BLOCK_LINES) -> dict:
    """Write ``product`` as a COSMO-SkyMed SCS_B file in ``folder`` (created if needed);
    return ``{"HDF5": file name}``. ``name`` (the pass label) is recorded in the file only:
    ASI's names hold the start and stop times, so two dates never collide."""
    layout = _layout(generation)
    g = product.radar_grid
    times = _Times(g.reference_epoch, DateTime(product.orbit.reference_epoch),
                   g.sensing_start, g.sensing_stop)
    path = os.path.join(os.fspath(folder), product_name(product, layout, SLC_PRODUCT, times))
    _refuse_collision(path, name)
    scale = 1.0 if layout.image_dtype != "int16" else _int16_gain(product, block_lines)

    def fill(h5):
        _common(h5, product, layout, SLC_PRODUCT, times, name)
        _slc_metadata(h5, product, layout, times, scale)
        _write_slc_image(h5, product, layout, scale, block_lines)

    _write_atomically(path, fill)
    read_cosmo_skymed_slc(path)                    # what we wrote must read back
    return {"HDF5": os.path.basename(path)}


def write_cosmo_skymed_raw(product: RawProduct, folder, name: str, *, generation: int = 1,
                           block_lines: int = DEFAULT_BLOCK_LINES) -> dict:
    """Write ``product`` as a COSMO-SkyMed RAW_B file in ``folder`` (8-bit I/Q codes, see the
    module docstring); return ``{"HDF5": file name}``."""
    if product.source is None:
        raise ValueError("write_cosmo_skymed_raw: the raw product has no echoes attached")
    layout = _layout(generation)
    t_last = product.sensing_start + (product.length - 1) / product.prf
    times = _Times(DateTime(product.orbit.reference_epoch), DateTime(product.orbit.reference_epoch),
                   product.sensing_start, t_last)
    path = os.path.join(os.fspath(folder), product_name(product, layout, RAW_PRODUCT, times))
    _refuse_collision(path, name)
    peak = _peak(product, block_lines)
    step = peak / 127.5 if peak > 0 else 1.0

    def fill(h5):
        _common(h5, product, layout, RAW_PRODUCT, times, name)
        _raw_metadata(h5, product, layout, times, step)
        _write_echoes(h5, product, layout, step, block_lines)

    _write_atomically(path, fill)
    read_cosmo_skymed_raw(path)
    return {"HDF5": os.path.basename(path)}


def _refuse_collision(path: str, name: str) -> None:
    """ValueError when ``path`` already holds another pass (same ASI name: same satellite,
    polarization and start/stop second); the same pass is rewritten."""
    if not os.path.exists(path):
        return
    h5py = h5py_module()
    try:
        with h5py.File(path, "r") as h5:
            label = h5.attrs.get(PASS_LABEL)
    except OSError:
        label = None                     # not a readable product: replaced
    label = label.decode() if isinstance(label, bytes) else label
    if label is not None and label != name:
        raise ValueError(f"{path} already holds pass {label!r}: {name!r} has the same ASI name "
                         "(same satellite, polarization and start/stop second); write it to "
                         "another folder")


def product_name(product, layout, kind: str, times: "_Times") -> str:
    """ASI's file name: ``CSKS<n>_<kind>_HI_<beam>_<pol>_<side><dir>_SF_<start>_<stop>.h5``
    (CSK) or ``CSG_SSAR<n>_<kind>_0101_STR_<beam>_<pol>_<side><dir>_F_<start>_<stop>_1_F_
    <lat><N|S>_Z<zone>_N00.h5`` (CSG); start/stop: the first/last line, ``YYYYMMDDhhmmss``."""
    n = _satellite_number(product.platform, layout)
    pol = (product.polarization or "HH").upper()
    side = "R" if product.look_side == "right" else "L"
    direction = "A" if _ascending(product.orbit, 0.5 * (times.first + times.last)) else "D"
    start, stop = (_compact(times.absolute(t)) for t in (times.first, times.last))
    if layout.generation == 1:
        return f"CSKS{n}_{kind}_HI_01_{pol}_{side}{direction}_SF_{start}_{stop}.h5"
    lat, zone = _sub_satellite(product.orbit, 0.5 * (times.first + times.last))
    hemi = "N" if lat >= 0 else "S"
    return (f"CSG_SSAR{n}_{kind}_0101_STR_001_{pol}_{side}{direction}_F_{start}_{stop}_1_F_"
            f"{abs(int(lat)):02d}{hemi}_Z{zone:02d}_N00.h5")


# ============================================================================ times
class _Times:
    """The product's times as ASI writes them: seconds since midnight of the first line."""

    def __init__(self, epoch: DateTime, orbit_epoch: DateTime, first: float, last: float):
        self.epoch, self.first, self.last = epoch, float(first), float(last)
        self.reference = (epoch + self.first).date_only()
        self.offset = (epoch - self.reference).total_seconds()
        self.orbit_offset = (orbit_epoch - self.reference).total_seconds()

    def file(self, t) -> float:
        """A product time [s since its epoch] as seconds since Reference UTC."""
        return float(t) + self.offset if self.offset else float(t)

    def absolute(self, t) -> DateTime:
        return self.epoch + float(t)


def _compact(t: DateTime) -> str:
    s = t.isoformat(digits=0)
    return s[0:4] + s[5:7] + s[8:10] + s[11:13] + s[14:16] + s[17:19]


# ============================================================================ metadata
def _layout(generation):
    if generation not in LAYOUTS:
        raise ValueError(f"generation must be 1 (CSK) or 2 (CSG), got {generation!r}")
    return LAYOUTS[generation]


def _text(value) -> np.bytes_:
    return np.bytes_(str(value).encode("ascii", "replace"))


def _satellite_number(platform: str, layout) -> int:
    m = re.search(r"(?:CSKS|CSG|SSAR)(\d)", str(platform or "").upper())
    return int(m.group(1)) if m else 1


def _ascending(orbit, t) -> bool:
    t = min(max(t, orbit.start_time), orbit.end_time)
    _, vel = orbit.interpolate(t)
    return bool(vel[2] > 0)


def _sub_satellite(orbit, t):
    t = min(max(t, orbit.start_time), orbit.end_time)
    pos, _ = orbit.interpolate(t)
    lon, lat, _ = WGS84.xyz_to_lon_lat(np.asarray(pos, dtype=float))
    zone = int((math.degrees(lon) + 180.0) // 6.0) % 60 + 1
    return math.degrees(lat), zone


def _geometry(product, t_mid: float, ranges):
    """(incidence angles [deg] at ``ranges``, ground speed factor Re/|p|, |v| [m/s], |p| [m])
    at ``t_mid``, spherical Earth (annotation only)."""
    orbit = product.orbit
    t = min(max(t_mid, orbit.start_time), orbit.end_time)
    pos, vel = orbit.interpolate(t)
    rs = float(np.linalg.norm(pos))
    sin_lat2 = (pos[2] / rs) ** 2                   # geocentric radius of the ellipsoid below
    earth = WGS84.a * math.sqrt((1.0 - WGS84.e2) / (1.0 - WGS84.e2 * (1.0 - sin_lat2)))
    out = []
    for r in ranges:
        cos_inc = (earth * earth + r * r - rs * rs) / (2.0 * earth * r)
        out.append(math.degrees(math.acos(max(-1.0, min(1.0, -cos_inc)))) if r > 0 else 0.0)
    return out, earth / rs, float(np.linalg.norm(vel)), rs


def _common(h5, product, layout, kind: str, times: _Times, name: str) -> None:
    """Root and S01 attributes shared by SCS_B and RAW_B."""
    orbit = product.orbit
    root, swath = h5.attrs, h5.require_group(SWATH).attrs
    pol = (product.polarization or "HH").upper()
    mid = 0.5 * (times.first + times.last)
    root.update({
        "Mission ID": _text(layout.mission), "Product Type": _text(kind),
        "Satellite ID": _text(f"{'CSKS' if layout.generation == 1 else 'CSG'}"
                              f"{_satellite_number(product.platform, layout)}"),
        "Acquisition Mode": _text("HIMAGE" if layout.generation == 1 else "STRIPMAP"),
        "Multi-Beam ID": _text("H4-01" if layout.generation == 1 else "STR-001"),
        "Look Side": _text(product.look_side.upper()),
        "Orbit Direction": _text("ASCENDING" if _ascending(orbit, mid) else "DESCENDING"),
        "Orbit Number": np.int32(0), "Processing Centre": _text("isce"),
        "L0 Software Version": _text(release_version), "L1A Software Version": _text(release_version),
        "Product Generation UTC": _text(reference_utc_text(times.absolute(times.last))),
        "Radar Wavelength": np.float64(product.wavelength),
        "Radar Frequency": np.float64(product.center_frequency),
        "Reference UTC": _text(reference_utc_text(times.reference)),
        "Scene Sensing Start UTC": _text(reference_utc_text(times.absolute(times.first))),
        "Scene Sensing Stop UTC": _text(reference_utc_text(times.absolute(times.last))),
        "Lines Order": _text("EARLY-LATE"), "Columns Order": _text("NEAR-FAR"),
        "Number of State Vectors": np.int32(len(orbit)),
        "State Vectors Times": np.asarray(orbit.time, np.float64) + times.orbit_offset
        if times.orbit_offset else np.asarray(orbit.time, np.float64),
        "ECEF Satellite Position": np.asarray(orbit.position, np.float64),
        "ECEF Satellite Velocity": np.asarray(orbit.velocity, np.float64),
        PASS_LABEL: _text(name),
    })
    root["Antenna Length"] = np.float64(getattr(product, "antenna_length", None)
                                        or NOMINAL_ANTENNA_LENGTH)
    if layout.generation == 1:
        swath["Polarisation"] = _text(pol)
    else:
        root["Polarization"] = _text(pol)


def _doppler_attributes(h5, product, layout, times: _Times, ranges, zero_doppler_time: bool):
    """ASI's Doppler centroid polynomials (and the azimuth FM rate) of ``product.doppler``
    over the image (times ``times.first..last``, slant ranges ``ranges``)."""
    pr, tau_ref, pa, t_ref = _fit_doppler(product.doppler, times.first, times.last, ranges)
    t_ref_file = times.file(t_ref)
    rate = _fm_rate(product, 0.5 * (times.first + times.last), 0.5 * sum(ranges))
    attrs = (h5 if layout.doppler_at == ROOT else h5[layout.doppler_at]).attrs
    pa_written = pa
    if layout.generation == 2 and zero_doppler_time and np.any(pa[1:]):
        pa_written = _to_raw_time(pa, t_ref, rate, times)
    attrs.update({layout.range_poly: _padded(pr), layout.range_ref: np.float64(tau_ref),
                  layout.azimuth_poly: _padded(pa_written), layout.azimuth_ref: np.float64(t_ref_file),
                  layout.rate_poly: _padded([rate]),
                  "Doppler Rate vs Range Time Polynomial": _padded([rate])})
    if layout.azimuth_ref_zd:
        attrs[layout.azimuth_ref_zd] = np.float64(t_ref_file)


def _padded(coeffs) -> np.ndarray:
    out = np.zeros(POLY_TERMS)
    out[:len(coeffs)] = coeffs
    return out


def _fit_doppler(doppler, t0: float, t1: float, ranges):
    """(range poly, range reference time, azimuth poly, azimuth reference time [s since the
    product's epoch]) of ASI's model fitted to ``doppler`` (None: zero)."""
    r0, r1 = float(ranges[0]), float(ranges[1])
    tau0, tau1 = 2.0 * r0 / SPEED_OF_LIGHT, 2.0 * r1 / SPEED_OF_LIGHT
    tau_ref, t_ref = 0.5 * (tau0 + tau1), 0.5 * (t0 + t1)
    if doppler is None:
        return np.zeros(1), tau_ref, np.zeros(1), t_ref
    tt, rr = np.meshgrid(np.linspace(t0, t1, 9), np.linspace(r0, r1, 9), indexing="ij")
    fd = np.asarray(doppler.eval(tt, rr), dtype=np.float64).reshape(tt.shape)
    su, sv = max(0.5 * (tau1 - tau0), 1e-12), max(0.5 * (t1 - t0), 1e-12)
    u = (2.0 * rr / SPEED_OF_LIGHT - tau_ref) / su
    v = (tt - t_ref) / sv
    nr = POLY_DEGREE if r1 > r0 else 0
    na = POLY_DEGREE if t1 > t0 else 0
    design = np.column_stack([np.ones(u.size)] + [u.ravel() ** j for j in range(1, nr + 1)]
                             + [v.ravel() ** i for i in range(1, na + 1)])
    c, *_ = np.linalg.lstsq(design, fd.ravel(), rcond=None)
    c[1:][np.abs(c[1:]) < 1e-9] = 0.0               # a constant stays a constant
    residual = float(np.max(np.abs(design @ c - fd.ravel())))
    if residual > 0.1:
        log.warning("Doppler centroid not separable in range and azimuth: ASI's polynomials "
                    "fit it within %.3g Hz", residual)
    pr = np.array([c[0]] + [c[j] / su ** j for j in range(1, nr + 1)])
    pa = np.array([c[0]] + [c[nr + i] / sv ** i for i in range(1, na + 1)])
    return pr, tau_ref, pa, t_ref


def _fm_rate(product, t_mid: float, r_mid: float) -> float:
    """Azimuth FM rate -2 v^2 (Re / |p|) / (lambda R) [Hz/s] at mid image (annotation, and the
    raw/zero-Doppler time conversion of CSG's azimuth polynomial)."""
    _, ground, speed, _ = _geometry(product, t_mid, [])
    return -2.0 * speed * speed * ground / (product.wavelength * r_mid)


def _to_raw_time(pa, t_ref: float, rate: float, times: _Times) -> np.ndarray:
    """CSG: the zero-Doppler-time azimuth polynomial ``pa`` (about ``t_ref``) refitted in raw
    time ``t + fd / rate``, about the same reference."""
    pad = 0.1 * max(times.last - times.first, 1e-3)
    t = np.linspace(times.first - pad, times.last + pad, 64)
    fd = np.polynomial.polynomial.polyval(t - t_ref, pa)
    t_raw = t + fd / rate
    return np.polynomial.polynomial.polyfit(t_raw - t_ref, fd, pa.size - 1)


def _slc_metadata(h5, product: SlcProduct, layout, times: _Times, scale: float) -> None:
    g = product.radar_grid
    dr = g.range_pixel_spacing
    r_last = g.starting_range + (g.width - 1) * dr
    (near, far), ground, speed, _ = _geometry(product, 0.5 * (times.first + times.last),
                                              [g.starting_range, r_last])
    fs = product.range_sampling_rate or SPEED_OF_LIGHT / (2.0 * dr)
    bw = product.range_bandwidth or fs
    chirp = float(product.attributes.get("pulse_length", NOMINAL_CHIRP_LENGTH))
    swath = h5[SWATH].attrs
    swath.update({"PRF": np.float64(g.prf), "Sampling Rate": np.float64(fs),
                  "Range Chirp Length": np.float64(chirp),
                  "Range Chirp Rate": np.float64(product.attributes.get("chirp_slope", bw / chirp)),
                  "Range Focusing Bandwidth": np.float64(bw)})
    if product.azimuth_bandwidth:
        swath["Azimuth Focusing Bandwidth"] = np.float64(product.azimuth_bandwidth)
    if layout.image_dtype == "int16":
        h5.attrs["Rescaling Factor"] = np.float64(scale)
    h5.create_dataset(layout.image, shape=(g.length, g.width, 2), dtype=layout.image_dtype)
    h5[layout.image].attrs.update({
        "Zero Doppler Azimuth First Time": np.float64(times.file(g.sensing_start)),
        "Zero Doppler Azimuth Last Time": np.float64(times.file(g.sensing_stop)),
        "Line Time Interval": np.float64(g.az_time_interval),
        "Zero Doppler Range First Time": np.float64(2.0 * g.starting_range / SPEED_OF_LIGHT),
        "Zero Doppler Range Last Time": np.float64(2.0 * r_last / SPEED_OF_LIGHT),
        "Column Time Interval": np.float64(2.0 * dr / SPEED_OF_LIGHT),
        "Column Spacing": np.float64(dr), "Line Spacing": np.float64(speed * ground / g.prf),
        "Near Incidence Angle": np.float64(near), "Far Incidence Angle": np.float64(far)})
    _doppler_attributes(h5, product, layout, times, (g.starting_range, r_last), True)


def _raw_metadata(h5, product: RawProduct, layout, times: _Times, step: float) -> None:
    r_last = product.starting_range + (product.width - 1) * product.range_pixel_spacing
    tau0 = 2.0 * product.starting_range / SPEED_OF_LIGHT
    levels = (np.arange(RAW_LEVELS) - 127.5) * step
    h5.attrs["Analog Signal Reconstruction Levels"] = levels
    h5.attrs["Analog Cal Reconstruction Levels"] = levels        # what GMTSAR decodes with
    h5[SWATH].attrs.update({
        "PRF": np.float64(product.prf), "Sampling Rate": np.float64(product.range_sampling_rate),
        "Range Chirp Length": np.float64(product.pulse_length),
        "Range Chirp Rate": np.float64(product.chirp_slope),
        "Range Chirp Samples": np.int32(round(product.pulse_length * product.range_sampling_rate)),
        "Echo Sampling Window Length": np.int32(product.width),
        "Equivalent First Column Time": np.float64(tau0)})
    h5.create_dataset(layout.echoes, shape=(product.length, product.width, 2), dtype=np.uint8)
    h5[layout.echoes].attrs.update({
        "Azimuth First Time": np.float64(times.file(times.first)),
        "Azimuth Last Time": np.float64(times.file(times.last)),
        "Range First Times": np.array([tau0]),
        "Range Last Times": np.array([2.0 * r_last / SPEED_OF_LIGHT])})
    _doppler_attributes(h5, product, layout, times, (product.starting_range, r_last), False)


# ============================================================================ pixels
def _peak(product, block_lines: int) -> float:
    """Largest |I| or |Q| of the image (first pass over the blocks; NaN/inf ignored)."""
    return image_peak(product, block_lines)[0]


def _int16_gain(product: SlcProduct, block_lines: int) -> float:
    peak = _peak(product, block_lines)
    return INT16_PEAK / peak if peak > 0 else 1.0


def _iq(block) -> np.ndarray:
    """(n, width, 2) float32 I/Q of a complex block; NaN/inf samples as 0 (no data)."""
    block = np.asarray(block, dtype=np.complex64)
    out = np.stack([block.real, block.imag], axis=-1)
    bad = ~np.isfinite(out)
    if bad.any():
        log.warning("%d NaN/inf values written as 0", int(bad.sum()))
        out[bad] = 0.0
    return out


def _write_slc_image(h5, product: SlcProduct, layout, scale: float, block_lines: int) -> None:
    ds = h5[layout.image]
    for rows, block in product.iter_blocks(block_lines):
        iq = _iq(block)
        if layout.image_dtype == "int16":
            iq = np.rint(iq * scale)
            if np.abs(iq).max(initial=0.0) > 32767:
                raise ValueError(f"lines {rows.start}-{rows.stop - 1} would clip in int16 at the "
                                 f"Rescaling Factor {scale!r} of the first pass (the image changed?)")
        ds[rows] = iq.astype(layout.image_dtype)


def _write_echoes(h5, product: RawProduct, layout, step: float, block_lines: int) -> None:
    ds = h5[layout.echoes]
    for rows, block in product.iter_blocks(block_lines):
        codes = np.floor(_iq(block) / step + 128.0)
        ds[rows] = np.clip(codes, 0, RAW_LEVELS - 1).astype(np.uint8)


def _write_atomically(path: str, fill) -> None:
    """Write the HDF5 file under a temporary name, then rename it to ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    h5py = h5py_module()
    with replacing(path) as tmp:
        with h5py.File(tmp, "w") as h5:
            fill(h5)
