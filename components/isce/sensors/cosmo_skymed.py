"""Readers of COSMO-SkyMed HDF5 products: ``COSMO_SKYMED_SLC`` (SCS_B, focused) and
``COSMO_SKYMED`` (RAW_B, raw echoes), first generation (CSK) and second generation (CSG).

References: ASI, *COSMO-SkyMed SAR Products Handbook* (Rev. 2, 2009) and *COSMO-SkyMed
Seconda Generazione: System and Products Description*; the attribute names and their
use follow ISCE2's ``COSMO_SkyMed.py`` / ``COSMO_SkyMed_SLC.py`` (and, for CSG, NGA's
sarpy/sarkit CSK readers). Parameters as ISCE2: ``HDF5`` (the ``.h5`` file; ISCE2's raw
reader also takes a list of frames, which is refused here in one line) and ``OUTPUT``.

Everything is an HDF5 *attribute* (``/`` = the root, ``S01`` = the swath group):

* generation: root ``Mission ID`` (``CSK`` or ``CSG``; without it, the image dataset tells:
  ``S01/SBI`` CSK, ``S01/IMG`` CSG); product: root ``Product Type`` (``SCS_B`` / ``RAW_B``);
* times: root ``Reference UTC`` (``YYYY-MM-DD hh:mm:ss.fffffffff``, midnight of the day) is
  the epoch of every time; times are float seconds since it;
* orbit: root ``State Vectors Times`` [s], ``ECEF Satellite Position`` [m] and
  ``ECEF Satellite Velocity`` [m/s] (n x 3), interpolated with Hermite (ISCE2's
  ``orbitHermite``; the ``orbit interpolation`` setting's ``auto`` still checks the
  velocities against the positions);
* radar: root ``Radar Wavelength`` [m] (``Radar Frequency`` [Hz] must agree), ``Look Side``
  (``RIGHT``/``LEFT``), ``Antenna Length`` [m]; ``S01``: ``PRF`` [Hz], ``Sampling Rate`` [Hz],
  ``Range Chirp Rate`` [Hz/s], ``Range Chirp Length`` [s]; polarization ``S01``
  ``Polarisation`` (CSK) or root ``Polarization`` (CSG);
* SCS_B image ``S01/SBI`` (CSK) or ``S01/IMG`` (CSG): ``(lines, samples, 2)`` real I/Q pairs
  (int16, or float32); the pixel is ``(I + jQ) / Rescaling Factor`` (root attribute; 1 when
  absent; ISCE2 keeps the raw numbers: the same image up to this constant). Grid from the
  dataset's attributes: ``Zero Doppler Azimuth First Time`` [s], ``Line Time Interval`` [s],
  ``Zero Doppler Range First Time`` (two-way range time [s]: slant range = c t / 2),
  ``Column Spacing`` [m], ``Column Time Interval`` [s] (range sampling rate = its inverse,
  as ISCE2); the ``... Last Time`` attributes must agree with the image size;
* RAW_B echoes ``S01/B001`` (CSK) or ``S01/B0001`` (CSG): ``(pulses, samples, 2)`` unsigned
  8-bit I/Q codes, the value of code ``k`` being root ``Analog Signal Reconstruction
  Levels[k]`` (NaN levels read as 0, as ISCE2; ISCE2 rescales them to 127 + 127 x / max and
  removes a bias of 127.5: the same echoes up to a constant); first pulse ``Azimuth First
  Time`` of the echo dataset [s] (else root ``Scene Sensing Start UTC``; both present must
  agree to 1 us), taken as its transmit time (as ISCE2); slant range of sample 0 from the
  dataset's ``Range First Times[0]`` (two-way [s]; several different values while ``S01``
  ``Equivalent First Column Time`` is NaN, i.e. echoes not adjusted for SWST changes, are
  refused as ISCE2 does);
* Doppler centroid [Hz]: ``fd = Pr(tau - tau_ref) + Pa(t - t_ref) - (Pr[0] + Pa[0]) / 2`` with
  ``tau`` the two-way range time and ``t`` the azimuth time (sarpy's and sarkit's reading of
  ASI's two polynomials; ISCE2 uses ``Pr`` at mid swath), an exact
  :class:`~isce.core.poly.Poly2d` in (time, slant range). CSK: root ``Centroid vs Range Time
  Polynomial``, ``Centroid vs Azimuth Time Polynomial``, ``Range/Azimuth Polynomial Reference
  Time``. CSG (``S01``): ``Doppler Centroid vs Range Time Polynomial``, ``Doppler Centroid vs
  Azimuth Time Polynomial - RAW`` in raw (beam-centre) time about ``Azimuth Polynomial
  Reference Time``, moved to zero-Doppler time (``t_zd = t - fd / rate``, rate from ``Doppler
  Rate vs Azimuth Time Polynomial``) about ``Azimuth Polynomial Reference Time - ZD`` for the
  SLC. All coefficients zero give the constant zero model; constant terms disagreeing by more
  than 1 Hz are reported (their mean is used at the reference point).

Every problem is an :class:`~isce.framework.InputError` naming the file, the HDF5 path and
the attribute: missing, blank, of the wrong shape, not finite, disagreeing with another.
"""
from __future__ import annotations

import logging
import os
from typing import NamedTuple

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.core.orbit import Orbit
from isce.core.poly import Poly2d
from isce.core.radargrid import LookSide, RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .base import Sensor
from .hdf5 import Hdf5Product, open_hdf5
from .product import ImageSource, SlcProduct
from .raw import RawProduct, RawSource, register_decoder

__all__ = ["CosmoSkymed", "CosmoSkymedSlc", "read_cosmo_skymed_slc", "read_cosmo_skymed_raw",
           "Layout", "LAYOUTS", "ROOT", "SWATH", "SLC_PRODUCT", "RAW_PRODUCT", "RAW_LEVELS",
           "ORBIT_INTERPOLATION", "reference_utc_text", "doppler_model"]

log = logging.getLogger("isce.sensors.cosmo_skymed")

# ============================================================================ format facts
ROOT = "/"
SWATH = "S01"
SLC_PRODUCT = "SCS_B"
RAW_PRODUCT = "RAW_B"
#: number of 8-bit codes of a RAW_B sample (I or Q), one reconstruction level each
RAW_LEVELS = 256
#: how the state vectors are interpolated (ISCE2's orbitHermite; see the module docstring)
ORBIT_INTERPOLATION = "hermite"
#: largest disagreement [s] between two annotations of the same time
TIME_TOLERANCE = 1e-6


class Layout(NamedTuple):
    """Where a generation keeps things (HDF5 paths; attribute names that differ)."""

    generation: int
    mission: str          # root 'Mission ID'
    image: str            # SCS_B image dataset
    echoes: str           # RAW_B echo dataset
    polarization: tuple   # (HDF5 path, attribute) of the polarization
    doppler_at: str       # where the Doppler polynomials are
    range_poly: str
    azimuth_poly: str
    range_ref: str
    azimuth_ref: str
    azimuth_ref_zd: str   # CSG: reference of the zero-Doppler azimuth polynomial ("" for CSK)
    rate_poly: str        # CSG: Doppler rate vs (raw) azimuth time
    image_dtype: str      # what the writer stores an SLC as


LAYOUTS = {
    1: Layout(1, "CSK", f"{SWATH}/SBI", f"{SWATH}/B001", (SWATH, "Polarisation"), ROOT,
              "Centroid vs Range Time Polynomial", "Centroid vs Azimuth Time Polynomial",
              "Range Polynomial Reference Time", "Azimuth Polynomial Reference Time", "",
              "Doppler Rate vs Azimuth Time Polynomial", "int16"),
    2: Layout(2, "CSG", f"{SWATH}/IMG", f"{SWATH}/B0001", (ROOT, "Polarization"), SWATH,
              "Doppler Centroid vs Range Time Polynomial",
              "Doppler Centroid vs Azimuth Time Polynomial - RAW",
              "Range Polynomial Reference Time", "Azimuth Polynomial Reference Time",
              "Azimuth Polynomial Reference Time - ZD", "Doppler Rate vs Azimuth Time Polynomial",
              "float32"),
}
_BY_MISSION = {layout.mission: layout for layout in LAYOUTS.values()}


def reference_utc_text(t: DateTime) -> str:
    """``YYYY-MM-DD hh:mm:ss.fffffffff`` as ASI writes its UTC attributes."""
    return t.isoformat(sep=" ", digits=9)


# ============================================================================ pieces
def _identify(p: Hdf5Product, want: str) -> Layout:
    """The generation's layout; InputError when the file is neither generation or not a
    ``want`` product (SCS_B or RAW_B)."""
    path = p.path
    mission = p.attr_text(ROOT, "Mission ID") if p.has_attr(ROOT, "Mission ID") else ""
    if mission:
        layout = _BY_MISSION.get(mission.upper())
        if layout is None:
            raise InputError(f"{path}: root attribute 'Mission ID' is {mission!r}: not a "
                             "COSMO-SkyMed product (expected CSK or CSG)")
    else:
        found = [lay for lay in LAYOUTS.values() if p.has(lay.image) or p.has(lay.echoes)]
        if len(found) != 1:
            raise InputError(f"{path}: not a COSMO-SkyMed product: no root attribute 'Mission ID' "
                             f"and {'both' if found else 'neither'} of /{LAYOUTS[1].image} or "
                             f"/{LAYOUTS[1].echoes} (CSK) and /{LAYOUTS[2].image} or "
                             f"/{LAYOUTS[2].echoes} (CSG)")
        layout = found[0]
    kind = p.attr_text(ROOT, "Product Type").upper()
    if kind != want:
        other = {SLC_PRODUCT: "COSMO_SKYMED_SLC", RAW_PRODUCT: "COSMO_SKYMED"}.get(kind)
        hint = f" (read it with sensor name {other})" if other else ""
        raise InputError(f"{path}: root attribute 'Product Type' is {kind!r}, expected {want!r}"
                         f"{hint}")
    return layout


def _epoch(p: Hdf5Product) -> DateTime:
    text = p.attr_text(ROOT, "Reference UTC")
    try:
        return DateTime.parse(text)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{p.path}: root attribute 'Reference UTC' = {text!r}: {exc}") from None


def _utc(p: Hdf5Product, name: str, epoch: DateTime) -> float:
    """A root UTC attribute as seconds since ``epoch``."""
    text = p.attr_text(ROOT, name)
    try:
        return (DateTime.parse(text) - epoch).total_seconds()
    except (ValueError, TypeError) as exc:
        raise InputError(f"{p.path}: root attribute {name!r} = {text!r}: {exc}") from None


def _orbit(p: Hdf5Product, epoch: DateTime) -> Orbit:
    t = p.attr_array(ROOT, "State Vectors Times", (None,))
    pos = p.attr_array(ROOT, "ECEF Satellite Position", (t.size, 3))
    vel = p.attr_array(ROOT, "ECEF Satellite Velocity", (t.size, 3))
    if p.has_attr(ROOT, "Number of State Vectors"):
        n = p.attr_scalar(ROOT, "Number of State Vectors")
        if n != t.size:
            raise InputError(f"{p.path}: root attribute 'Number of State Vectors' = {n:g} but "
                             f"'State Vectors Times' has {t.size}")
    try:
        return Orbit(t, pos, vel, epoch.to_datetime64(), interp_method=ORBIT_INTERPOLATION)
    except ValueError as exc:
        raise InputError(f"{p.path}: invalid orbit in root attributes 'State Vectors Times', "
                         f"'ECEF Satellite Position/Velocity': {exc}") from None


def _look_side(p: Hdf5Product) -> str:
    text = p.attr_text(ROOT, "Look Side")
    try:
        return str(LookSide.parse(text))
    except ValueError:
        raise InputError(f"{p.path}: root attribute 'Look Side' = {text!r}; expected RIGHT or "
                         "LEFT") from None


def _wavelength(p: Hdf5Product) -> float:
    """'Radar Wavelength' [m], checked against 'Radar Frequency' when present."""
    wvl = p.attr_scalar(ROOT, "Radar Wavelength", positive=True)
    if p.has_attr(ROOT, "Radar Frequency"):
        f = p.attr_scalar(ROOT, "Radar Frequency", positive=True)
        if abs(SPEED_OF_LIGHT / f - wvl) > 1e-9 * wvl:
            raise InputError(f"{p.path}: root attributes 'Radar Wavelength' = {wvl!r} m and "
                             f"'Radar Frequency' = {f!r} Hz disagree (c / f = "
                             f"{SPEED_OF_LIGHT / f!r} m)")
    return wvl


def _polarization(p: Hdf5Product, layout: Layout) -> str:
    where, name = layout.polarization
    if not p.has_attr(where, name) and p.has_attr(SWATH, "Polarisation"):
        where, name = SWATH, "Polarisation"           # CSG files that keep it per swath
    pol = p.attr_text(where, name).upper()
    if len(pol) != 2 or any(c not in "HV" for c in pol):
        raise InputError(f"{p.path}: attribute '{name}' of {_slash(where)} = {pol!r}; expected "
                         "HH, HV, VH or VV")
    return pol


def _slash(where: str) -> str:
    return where if where.startswith("/") else "/" + where


def _axes_order(p: Hdf5Product) -> None:
    """Refuse images whose lines or columns are stored in reverse (not supported)."""
    for name, want in (("Lines Order", "EARLY-LATE"), ("Columns Order", "NEAR-FAR")):
        if p.has_attr(ROOT, name):
            value = p.attr_text(ROOT, name).upper()
            if value != want:
                raise InputError(f"{p.path}: root attribute {name!r} = {value!r}: only {want} "
                                 "images are supported")


def _optional(p: Hdf5Product, where: str, name: str):
    """A numeric or text attribute when present and readable, else None (annotation only)."""
    if not p.has_attr(where, name):
        return None
    try:
        value = p.attr(where, name)
        arr = np.asarray(value)
        if arr.dtype.kind in "SUO":
            return p.attr_text(where, name)
        return float(arr.reshape(-1)[0]) if arr.size == 1 else arr.astype(float).tolist()
    except (InputError, TypeError, ValueError):
        return None


def _attributes(p: Hdf5Product, layout: Layout, extra=()) -> dict:
    """Identification facts (annotation only; unreadable ones are left out)."""
    out = {"generation": layout.generation, "mission_id": layout.mission,
           "orbit_interp_method": ORBIT_INTERPOLATION}
    for key, (where, name) in {
            "product_type": (ROOT, "Product Type"), "satellite_id": (ROOT, "Satellite ID"),
            "acquisition_mode": (ROOT, "Acquisition Mode"), "beam": (ROOT, "Multi-Beam ID"),
            "orbit_direction": (ROOT, "Orbit Direction"), "orbit_number": (ROOT, "Orbit Number"),
            "processing_centre": (ROOT, "Processing Centre"),
            "scene_sensing_start_utc": (ROOT, "Scene Sensing Start UTC"),
            "scene_sensing_stop_utc": (ROOT, "Scene Sensing Stop UTC"),
            "reference_utc": (ROOT, "Reference UTC"), **dict(extra)}.items():
        value = _optional(p, where, name)
        if value is not None and value != "":
            out[key] = value
    return out


# ---------------------------------------------------------------------------- Doppler
def _poly(p: Hdf5Product, where: str, name: str) -> np.ndarray:
    arr = p.attr_array(where, name).reshape(-1)
    if arr.size < 1:
        raise InputError(f"{p.path}: attribute '{name}' of {_slash(where)} is empty")
    return arr


def doppler_model(range_poly, range_ref, azimuth_poly, azimuth_ref):
    """The Doppler centroid [Hz] over (azimuth time [s since Reference UTC], slant range [m])
    of ASI's two polynomials: ``Pr(tau - range_ref) + Pa(t - azimuth_ref) - (Pr0 + Pa0) / 2``
    with ``tau = 2 r / c`` (an exact Poly2d); the zero model when every coefficient is 0."""
    pr = np.asarray(range_poly, dtype=np.float64).reshape(-1)
    pa = np.asarray(azimuth_poly, dtype=np.float64).reshape(-1)
    if not np.any(pr) and not np.any(pa):
        return zero_doppler()
    coeffs = np.zeros((pa.size, pr.size))
    coeffs[0, 1:] = pr[1:]
    coeffs[1:, 0] = pa[1:]
    coeffs[0, 0] = 0.5 * (pr[0] + pa[0])
    return Poly2d(coeffs, x_mean=0.5 * SPEED_OF_LIGHT * float(range_ref), y_mean=float(azimuth_ref),
                  x_norm=0.5 * SPEED_OF_LIGHT, y_norm=1.0)


def _doppler(p: Hdf5Product, layout: Layout, zero_doppler_span=None):
    """Doppler centroid model; ``zero_doppler_span`` (t0, t1) [s]: the SLC's lines, whose
    times a CSG raw-time azimuth polynomial is moved to (None: keep raw time)."""
    at = layout.doppler_at
    pr = _poly(p, at, layout.range_poly)
    pa = _poly(p, at, layout.azimuth_poly)
    tr = p.attr_scalar(at, layout.range_ref)
    ta = p.attr_scalar(at, layout.azimuth_ref)
    if layout.azimuth_ref_zd and zero_doppler_span is not None:
        pa, ta = _azimuth_poly_to_zero_doppler(p, layout, pa, ta, zero_doppler_span)
    if abs(pr[0] - pa[0]) > 1.0:
        log.warning("%s: '%s' and '%s' give %r and %r Hz at their reference times; using the "
                    "mean there (ISCE2 uses the range polynomial alone)", p.path, layout.range_poly,
                    layout.azimuth_poly, float(pr[0]), float(pa[0]))
    return doppler_model(pr, tr, pa, ta)


def _azimuth_poly_to_zero_doppler(p: Hdf5Product, layout: Layout, pa, ta, span):
    """CSG: the raw-time azimuth polynomial refitted in zero-Doppler time about
    'Azimuth Polynomial Reference Time - ZD' (t_zd = t - fd(t) / rate(t))."""
    at = layout.doppler_at
    ta_zd = p.attr_scalar(at, layout.azimuth_ref_zd)
    if pa.size == 1 or not np.any(pa[1:]):
        return pa[:1], ta_zd                          # a constant is the same in any time
    rate = _poly(p, at, layout.rate_poly)
    t0, t1 = span
    pad = 0.1 * max(t1 - t0, 1e-3)
    t = np.linspace(t0 - pad, t1 + pad, 64)
    fd = np.polynomial.polynomial.polyval(t - ta, pa)
    ka = np.polynomial.polynomial.polyval(t - ta, rate)
    if np.any(ka == 0):
        raise InputError(f"{p.path}: attribute '{layout.rate_poly}' of {_slash(at)} is zero "
                         "over the image: cannot move the Doppler centroid to zero-Doppler time")
    t_zd = t - fd / ka
    return np.polynomial.polynomial.polyfit(t_zd - ta_zd, fd, min(pa.size - 1, 4)), ta_zd


# ============================================================================ SLC
def _read(path, read):
    """``read(Hdf5Product)`` of the file at ``path``; an HDF5 failure that is no InputError
    (truncated or corrupt file) becomes one naming the file."""
    path = os.fspath(path)
    with open_hdf5(path) as h5:
        try:
            return read(Hdf5Product(h5, path))
        except InputError:
            raise
        except (OSError, RuntimeError, KeyError) as exc:
            raise InputError(f"{path}: cannot read the COSMO-SkyMed product (truncated or "
                             f"corrupt file?): {exc}") from None


def read_cosmo_skymed_slc(path) -> SlcProduct:
    """Read the metadata of a COSMO-SkyMed SCS_B (CSK or CSG); pixels are read on demand.
    InputError naming the file, HDF5 path and attribute of any problem."""
    return _read(path, _read_slc)


def _read_slc(p: Hdf5Product) -> SlcProduct:
    layout = _identify(p, SLC_PRODUCT)
    _axes_order(p)
    epoch = _epoch(p)
    length, width = _image_shape(p, layout.image)
    grid, fs = _slc_grid(p, layout.image, epoch, (length, width))
    orbit = _orbit(p, epoch)
    _warn_outside(p.path, orbit, grid.sensing_start, grid.sensing_stop, "line")
    doppler = _doppler(p, layout, (grid.sensing_start, grid.sensing_stop))
    f = p.attr_scalar(ROOT, "Radar Frequency", positive=True) \
        if p.has_attr(ROOT, "Radar Frequency") else None
    scale = p.attr_scalar(ROOT, "Rescaling Factor", positive=True) \
        if p.has_attr(ROOT, "Rescaling Factor") else 1.0
    satellite = _optional(p, ROOT, "Satellite ID") or layout.mission
    attributes = _attributes(p, layout, {"rescaling_factor": (ROOT, "Rescaling Factor")}.items())
    try:
        return SlcProduct(
            radar_grid=grid, orbit=orbit, doppler=doppler, center_frequency=f,
            range_bandwidth=_optional_positive(p, SWATH, "Range Focusing Bandwidth"),
            azimuth_bandwidth=_optional_positive(p, SWATH, "Azimuth Focusing Bandwidth"),
            range_sampling_rate=fs, polarization=_polarization(p, layout),
            platform=str(satellite), mission=layout.mission,
            source=ImageSource("hdf5", p.path, "/" + layout.image, scale=1.0 / scale),
            attributes=attributes)
    except ValueError as exc:
        raise InputError(f"{p.path}: inconsistent SLC metadata: {exc}") from None


def _optional_positive(p: Hdf5Product, where: str, name: str):
    return p.attr_scalar(where, name, positive=True) if p.has_attr(where, name) else None


def _image_shape(p: Hdf5Product, image: str):
    """(lines, samples) of a ``(lines, samples, 2)`` I/Q dataset of int16/float numbers."""
    ds = p.dataset(image)
    if ds.ndim != 3 or ds.shape[2] != 2 or ds.shape[0] < 1 or ds.shape[1] < 1:
        raise InputError(f"{p.path}: dataset /{image} has shape {ds.shape}; expected "
                         "(lines, samples, 2) I/Q pairs")
    if ds.dtype.kind not in "if" or ds.dtype.itemsize > 8:
        raise InputError(f"{p.path}: dataset /{image} has data type {ds.dtype}; expected int16 "
                         "or float I/Q pairs")
    return int(ds.shape[0]), int(ds.shape[1])


def _slc_grid(p: Hdf5Product, image: str, epoch: DateTime, shape):
    """The zero-Doppler RadarGrid of the image's attributes, and its range sampling rate."""
    length, width = shape
    t0 = p.attr_scalar(image, "Zero Doppler Azimuth First Time")
    dt = p.attr_scalar(image, "Line Time Interval", positive=True)
    tau0 = p.attr_scalar(image, "Zero Doppler Range First Time", positive=True)
    dtau = p.attr_scalar(image, "Column Time Interval", positive=True)
    dr = p.attr_scalar(image, "Column Spacing", positive=True) \
        if p.has_attr(image, "Column Spacing") else 0.5 * SPEED_OF_LIGHT * dtau
    if abs(dr - 0.5 * SPEED_OF_LIGHT * dtau) > 1e-6 * dr:
        raise InputError(f"{p.path}: attributes 'Column Spacing' = {dr!r} m and 'Column Time "
                         f"Interval' = {dtau!r} s of /{image} disagree (c dt / 2 = "
                         f"{0.5 * SPEED_OF_LIGHT * dtau!r} m)")
    for name, first, step, count in (("Zero Doppler Azimuth Last Time", t0, dt, length),
                                     ("Zero Doppler Range Last Time", tau0, dtau, width)):
        if p.has_attr(image, name):
            last = p.attr_scalar(image, name)
            if abs(first + (count - 1) * step - last) > max(0.5 * step, TIME_TOLERANCE):
                raise InputError(f"{p.path}: attribute {name!r} of /{image} = {last!r} s, but the "
                                 f"first time {first!r} s + {count - 1} x {step!r} s gives "
                                 f"{first + (count - 1) * step!r} s")
    fs = 1.0 / dtau
    if p.has_attr(SWATH, "Sampling Rate"):         # the same rate, written exactly
        rate = p.attr_scalar(SWATH, "Sampling Rate", positive=True)
        fs = rate if abs(rate - fs) <= 1e-9 * fs else fs
    try:
        grid = RadarGrid(sensing_start=t0, reference_epoch=epoch, az_time_interval=dt,
                         starting_range=0.5 * SPEED_OF_LIGHT * tau0, range_pixel_spacing=dr,
                         length=length, width=width, wavelength=_wavelength(p),
                         look_side=_look_side(p))
    except ValueError as exc:
        raise InputError(f"{p.path}: invalid image grid in the attributes of /{image}: {exc}") from None
    return grid, fs


def _warn_outside(path, orbit: Orbit, t_first: float, t_last: float, what: str) -> None:
    for t, label in ((t_first, "first"), (t_last, "last")):
        if not orbit.start_time <= t <= orbit.end_time:
            log.warning("%s: the %s %s (%r s) is outside the orbit's state vectors [%r, %r] s",
                        path, label, what, t, orbit.start_time, orbit.end_time)


# ============================================================================ RAW
def read_cosmo_skymed_raw(path) -> RawProduct:
    """Read the metadata of a COSMO-SkyMed RAW_B (CSK or CSG); echoes are decoded from the
    file on demand (decoder ``"cosmo_skymed"``). InputError naming file, HDF5 path and
    attribute of any problem."""
    return _read(path, _read_raw)


def _read_raw(p: Hdf5Product) -> RawProduct:
    layout = _identify(p, RAW_PRODUCT)
    _axes_order(p)
    epoch = _epoch(p)
    length, width = _echo_shape(p, layout.echoes)
    levels = _reconstruction_levels(p)
    t0 = _first_pulse(p, layout.echoes, epoch)
    prf = p.attr_scalar(SWATH, "PRF", positive=True)
    orbit = _orbit(p, epoch)
    _warn_outside(p.path, orbit, t0, t0 + (length - 1) / prf, "pulse")
    satellite = _optional(p, ROOT, "Satellite ID") or layout.mission
    attributes = _attributes(p, layout, {
        "equivalent_first_column_time": (SWATH, "Equivalent First Column Time"),
        "echo_sampling_window_length": (SWATH, "Echo Sampling Window Length")}.items())
    try:
        return RawProduct(
            orbit=orbit, sensing_start=t0, prf=prf,
            starting_range=0.5 * SPEED_OF_LIGHT * _range_first_time(p, layout.echoes),
            range_sampling_rate=p.attr_scalar(SWATH, "Sampling Rate", positive=True),
            length=length, width=width, wavelength=_wavelength(p), look_side=_look_side(p),
            chirp_slope=p.attr_scalar(SWATH, "Range Chirp Rate"),
            pulse_length=p.attr_scalar(SWATH, "Range Chirp Length", positive=True),
            source=RawSource("cosmo_skymed", p.path, {"dataset": "/" + layout.echoes,
                                                      "levels": levels}),
            doppler=_doppler(p, layout), antenna_length=_optional_positive(p, ROOT, "Antenna Length"),
            platform=str(satellite), mission=layout.mission, polarization=_polarization(p, layout),
            attributes=attributes)
    except ValueError as exc:
        raise InputError(f"{p.path}: inconsistent raw product metadata: {exc}") from None


def _echo_shape(p: Hdf5Product, echoes: str):
    ds = p.dataset(echoes)
    if ds.ndim != 3 or ds.shape[2] != 2 or ds.shape[0] < 1 or ds.shape[1] < 1:
        raise InputError(f"{p.path}: dataset /{echoes} has shape {ds.shape}; expected "
                         "(pulses, samples, 2) I/Q codes")
    if ds.dtype != np.uint8:
        raise InputError(f"{p.path}: dataset /{echoes} has data type {ds.dtype}; expected "
                         "unsigned 8-bit I/Q codes")
    return int(ds.shape[0]), int(ds.shape[1])


def _reconstruction_levels(p: Hdf5Product) -> list:
    """The value of each 8-bit code (NaN levels as 0, as ISCE2), JSON-able."""
    name = "Analog Signal Reconstruction Levels"
    raw = p.attr(ROOT, name)
    try:
        levels = np.asarray(raw, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{p.path}: root attribute {name!r} is not numbers") from None
    if levels.size != RAW_LEVELS:
        raise InputError(f"{p.path}: root attribute {name!r} has {levels.size} values; 8-bit "
                         f"codes need {RAW_LEVELS}")
    levels = np.where(np.isnan(levels), 0.0, levels)
    if not np.all(np.isfinite(levels)) or not np.any(levels):
        raise InputError(f"{p.path}: root attribute {name!r} holds infinite values or only zeros")
    return levels.tolist()


def _first_pulse(p: Hdf5Product, echoes: str, epoch: DateTime) -> float:
    """The first pulse's time [s since Reference UTC]: the echo dataset's 'Azimuth First
    Time', else root 'Scene Sensing Start UTC'; when both are there they must agree."""
    start = _utc(p, "Scene Sensing Start UTC", epoch) \
        if p.has_attr(ROOT, "Scene Sensing Start UTC") else None
    if not p.has_attr(echoes, "Azimuth First Time"):
        if start is None:
            raise InputError(f"{p.path}: missing attribute 'Azimuth First Time' of /{echoes} and "
                             "root attribute 'Scene Sensing Start UTC' (time of the first pulse)")
        return start
    t0 = p.attr_scalar(echoes, "Azimuth First Time")
    if start is not None and abs(start - t0) > TIME_TOLERANCE:
        raise InputError(f"{p.path}: attribute 'Azimuth First Time' of /{echoes} ({t0!r} s) and "
                         f"root attribute 'Scene Sensing Start UTC' ({start!r} s since Reference "
                         "UTC) disagree")
    return t0


def _range_first_time(p: Hdf5Product, echoes: str) -> float:
    """Two-way time [s] of sample 0: 'Range First Times'[0] (as ISCE2). Several different
    values with no S01 'Equivalent First Column Time' (NaN or absent) are echoes not adjusted
    for sampling window (SWST) changes: refused, as ISCE2 does."""
    times = p.attr_array(echoes, "Range First Times").reshape(-1)
    if times.size < 1 or not times[0] > 0:
        raise InputError(f"{p.path}: attribute 'Range First Times' of /{echoes} = "
                         f"{times.tolist()!r}; expected a positive two-way time [s]")
    ecft = _optional(p, SWATH, "Equivalent First Column Time")
    ecft = ecft if isinstance(ecft, float) and np.isfinite(ecft) else None
    if np.any(times != times[0]) and ecft is None:
        raise InputError(f"{p.path}: attribute 'Range First Times' of /{echoes} holds "
                         f"{np.unique(times).size} different sampling window starts and attribute "
                         f"'Equivalent First Column Time' of /{SWATH} is NaN or missing: echoes not "
                         "adjusted for SWST changes are not supported (as in ISCE2)")
    if ecft is not None and abs(ecft - times[0]) > 1e-9:
        log.warning("%s: 'Equivalent First Column Time' %r s differs from 'Range First Times'[0] "
                    "%r s; using the latter (as ISCE2)", p.path, ecft, float(times[0]))
    return float(times[0])


# ---------------------------------------------------------------------------- decoding
def _decode(source: RawSource, rows: slice) -> np.ndarray:
    """Echo lines ``rows`` as complex64: reconstruction level of the I and Q codes."""
    dpath = source.params["dataset"]
    levels = np.asarray(source.params["levels"], dtype=np.float32)
    with open_hdf5(source.path) as h5:
        try:
            ds = h5[dpath]
            start, stop, step = rows.indices(ds.shape[0])
            codes = ds[start:stop:step] if stop > start else ds[0:0]
        except KeyError:
            raise InputError(f"{source.path}: missing dataset {dpath}") from None
        except (OSError, RuntimeError, ValueError, IndexError) as exc:
            raise InputError(f"{source.path}: cannot read lines {rows.start}-{rows.stop} of dataset "
                             f"{dpath} (truncated or corrupt file?): {exc}") from None
    out = np.empty(codes.shape[:2], np.complex64)
    out.real = levels[codes[..., 0]]
    out.imag = levels[codes[..., 1]]
    return out


register_decoder("cosmo_skymed", _decode)


# ============================================================================ components
def _hdf5_parameter(doc: str, kind: str = "path") -> Parameter:
    return Parameter("hdf5", public_name="HDF5", type=kind, default=None, mandatory=True, doc=doc)


class CosmoSkymedSlc(Sensor):
    """Reader of COSMO-SkyMed SCS_B focused products (ISCE2's ``COSMO_SKYMED_SLC``)."""

    sensor_name = "COSMO_SKYMED_SLC"
    parameters = (_hdf5_parameter("The COSMO-SkyMed SCS_B product (CSKS<n>_SCS_B_... .h5 or "
                                  "CSG_SSAR<n>_SCS_B_... .h5)."),)

    def read_product(self) -> SlcProduct:
        return read_cosmo_skymed_slc(self.require("hdf5"))


class CosmoSkymed(Sensor):
    """Reader of COSMO-SkyMed RAW_B raw echoes (ISCE2's ``COSMO_SKYMED``)."""

    sensor_name = "COSMO_SKYMED"
    parameters = (_hdf5_parameter("The COSMO-SkyMed RAW_B product (CSKS<n>_RAW_B_... .h5); "
                                  "ISCE2's list of frames to stitch is refused.", "paths"),)

    def validate(self) -> None:
        files = self.hdf5 if isinstance(self.hdf5, (list, tuple)) else [self.hdf5]
        if len(files) != 1:
            raise ConfigurationError(
                f"{len(files)} RAW_B files ({', '.join(map(os.path.basename, map(str, files)))}): "
                "stitching COSMO-SkyMed frames is not supported; give one HDF5 file",
                path=f"{self.config_path}.HDF5")

    def read_product(self) -> RawProduct:
        self.require("hdf5")
        self.validate()
        path = self.hdf5[0] if isinstance(self.hdf5, (list, tuple)) else self.hdf5
        return read_cosmo_skymed_raw(path)

