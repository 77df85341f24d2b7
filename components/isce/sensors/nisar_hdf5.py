"""Reader of NISAR/UAVSAR RSLC products in the NISAR HDF5 layout.

Sensor names ``UAVSAR_HDF5_SLC`` (ISCE's name for UAVSAR products in this
layout), ``NISAR_SLC`` and ``NISAR_RSLC``. Parameters (as ISCE's input files):

=============== ============================================================
``HDF5``        path of the ``.h5`` product (mandatory)
``POLARIZATION`` image to read, default ``HH``
``FREQUENCY``   NISAR sub-band, ``A`` (default) or ``B`` (``frequencyA`` too)
``OUTPUT``      where :meth:`~isce.sensors.base.Sensor.extract` writes the SLC
=============== ============================================================

What is read (``<root>`` = ``/science/LSAR/RSLC`` or the older ``/science/LSAR/SLC``):

* grid: ``<root>/swaths/zeroDopplerTime`` (first line time; epoch from its
  ``units`` attribute, ``seconds since YYYY-MM-DD[ T]HH:MM:SS[.f]``),
  ``swaths/zeroDopplerTimeSpacing`` (PRF = 1/spacing; *not*
  ``nominalAcquisitionPRF``), ``swaths/frequencyX/slantRange`` and
  ``slantRangeSpacing``; wavelength = c / ``processedCenterFrequency``;
  look side from ``identification/lookDirection`` (any case);
* image ``swaths/frequencyX/<POL>``: complex64 or compound float16 ``{r, i}``;
* orbit ``metadata/orbit/{time, position, velocity}`` (ECEF), re-referenced to
  the grid's epoch;
* Doppler centroid ``metadata/processingInformation/parameters/frequencyX/dopplerCentroid``
  on ``parameters/zeroDopplerTime`` x ``parameters/slantRange`` (or axes inside
  ``frequencyX/``), re-referenced to the grid's epoch; a table of exact zeros,
  or no table, gives the constant zero model.

Every problem with the file is an :class:`~isce.framework.InputError` naming
the file and the HDF5 path concerned: missing file, not HDF5, truncated, a
missing dataset or attribute, inconsistent sizes, a polarization or frequency
the file does not have (the message lists what it has).
"""
from __future__ import annotations

import logging
import math
import os
import re

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.core.lut import LUT2d
from isce.core.orbit import Orbit, method_from_text
from isce.core.radargrid import LookSide, RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .base import Sensor
from .hdf5 import Hdf5Product, open_hdf5, text_value
from .product import ImageSource, SlcProduct

__all__ = ["NisarSlc", "UavsarHdf5Slc", "read_nisar_slc", "open_hdf5", "product_root",
           "list_polarizations", "normalise_frequency", "normalise_polarization",
           "selection_parameters", "validate_selection"]

log = logging.getLogger("isce.sensors.nisar_hdf5")

_PRODUCT_GROUPS = ("RSLC", "SLC")
_POL_RE = re.compile(r"^[HVLR][HV]$")
_FREQ_RE = re.compile(r"^(?:frequency)?([A-Z])$", re.IGNORECASE)


def product_root(h5, path="") -> str:
    """HDF5 path of the RSLC group: ``/science/<band>SAR/RSLC`` or ``.../SLC`` (older files)."""
    found = []
    science = h5.get("science")
    bands = sorted(science.keys()) if science is not None and hasattr(science, "keys") else []
    for band in bands:
        if not band.endswith("SAR"):
            continue
        for group in _PRODUCT_GROUPS:
            candidate = f"/science/{band}/{group}"
            if candidate in h5:
                return candidate
        found.extend(f"/science/{band}/{k}" for k in h5[f"science/{band}"].keys())
    listing = ", ".join(found) if found else "nothing under /science"
    raise InputError(f"{path}: missing group /science/LSAR/RSLC (or /science/LSAR/SLC): not an "
                     f"RSLC product (found {listing})")


def normalise_frequency(frequency) -> str:
    m = _FREQ_RE.match(str(frequency or "A").strip())
    if m is None:
        raise ConfigurationError(f"FREQUENCY {frequency!r}: expected a sub-band letter such as "
                                 "A or B (or frequencyA)")
    return m.group(1).upper()


def normalise_polarization(pol) -> str:
    p = str(pol or "HH").strip().upper()
    if not _POL_RE.match(p):
        raise ConfigurationError(f"POLARIZATION {pol!r}: expected two letters such as HH, HV, VH, "
                                 "VV (or RH, RV, LH, LV)")
    return p


def list_polarizations(p: Hdf5Product, swath_group: str):
    """(datasets present, names in listOfPolarizations) of one frequency group."""
    group = p.group(swath_group)
    present = sorted(k for k in group.keys()
                     if _POL_RE.match(k) and isinstance(group[k], p._h5py.Dataset))
    listed = []
    if p.has(f"{swath_group}/listOfPolarizations"):
        try:
            raw = np.atleast_1d(p.read(f"{swath_group}/listOfPolarizations"))
            listed = [text_value(x) for x in raw.reshape(-1)]
        except InputError:
            listed = []
    return present, listed


# ---------------------------------------------------------------------------- reading
def read_nisar_slc(path, frequency="A", polarization="HH", *, platform="") -> SlcProduct:
    """Read the metadata of an RSLC product; the image is read on demand from the file.

    ``frequency``: ``"A"``/``"B"`` (or ``"frequencyA"``); ``polarization``: e.g.
    ``"HH"``. Raises InputError naming the file and HDF5 path of any problem.
    """
    path = os.fspath(path)
    freq = normalise_frequency(frequency)
    pol = normalise_polarization(polarization)
    with open_hdf5(path) as h5:
        p = Hdf5Product(h5, path)
        try:
            return _read(p, freq, pol, platform)
        except InputError:
            raise
        except (OSError, RuntimeError, KeyError) as exc:  # lazy HDF5 reads of a damaged file
            why = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            raise InputError(f"{path}: cannot read the product (truncated or corrupt file?): "
                             f"{why}") from None


def _read(p: Hdf5Product, freq: str, pol: str, platform: str) -> SlcProduct:
    path = p.path
    root = product_root(p.h5, path)
    band_group = root.rsplit("/", 1)[0]                 # /science/LSAR
    ident = f"{band_group}/identification"
    fgroup = _frequency_group(p, root, freq)
    zdt, epoch, dt, zdt_path = _azimuth_axis(p, f"{root}/swaths")
    sr, dr, sr_path = _range_axis(p, fgroup)
    _check_increasing(path, zdt_path, zdt, "s")
    _check_increasing(path, sr_path, sr, "m")
    fc = _center_frequency(p, fgroup)
    look_text = p.text(f"{ident}/lookDirection")
    side = _look_side(p, ident, look_text)
    image_path = _image_dataset(p, fgroup, freq, pol, (zdt, zdt_path), (sr, sr_path))
    grid = RadarGrid(sensing_start=float(zdt[0]), reference_epoch=epoch, az_time_interval=dt,
                     starting_range=float(sr[0]), range_pixel_spacing=dr, length=int(zdt.size),
                     width=int(sr.size), wavelength=SPEED_OF_LIGHT / fc, look_side=side)

    orbit, orbit_type, interp = _read_orbit(p, root, epoch)
    for t, label in ((grid.sensing_start, "first"), (grid.sensing_stop, "last")):
        if not (orbit.start_time <= t <= orbit.end_time):
            log.warning("%s: the %s line (%r s) is outside the orbit's state vectors "
                        "[%r, %r] s", path, label, t, orbit.start_time, orbit.end_time)
    doppler = _read_doppler(p, root, freq, epoch)

    rg_bw = p.optional_scalar(f"{fgroup}/processedRangeBandwidth")
    if rg_bw is None:
        rg_bw = p.optional_scalar(f"{fgroup}/acquiredRangeBandwidth")
    az_bw = p.optional_scalar(f"{fgroup}/processedAzimuthBandwidth")
    mission = p.optional_text(f"{ident}/missionId")
    attributes = _attributes(p, root, ident, fgroup, look_text, interp)
    return SlcProduct(
        radar_grid=grid, orbit=orbit, doppler=doppler, center_frequency=fc,
        range_bandwidth=rg_bw, azimuth_bandwidth=az_bw,
        range_sampling_rate=SPEED_OF_LIGHT / (2.0 * dr),
        polarization=pol, frequency=freq, platform=mission or platform, mission=mission,
        orbit_type=orbit_type, source=ImageSource("hdf5", p.path, image_path),
        attributes=attributes,
        # the geometry uses the file's Doppler, as ISCE3's test RSLCs (envisat.h5, UAVSAR)
        # and our golden comparisons with ISCE3 do
        grid_doppler="native")


def _frequency_group(p: Hdf5Product, root: str, freq: str) -> str:
    """``<root>/swaths/frequencyX``; InputError listing the frequencies present when absent."""
    swaths = f"{root}/swaths"
    fgroup = f"{swaths}/frequency{freq}"
    if not p.has(fgroup):
        have = sorted(k[len("frequency"):] for k in p.group(swaths).keys() if k.startswith("frequency"))
        raise InputError(f"{p.path}: missing group {fgroup}: FREQUENCY {freq} is not in this "
                         f"product (frequencies present: {', '.join(have) or 'none'})")
    return fgroup


def _azimuth_axis(p: Hdf5Product, swaths: str):
    """(zero-Doppler times of the lines [s since epoch], epoch, line spacing [s], HDF5 path)."""
    path = p.path
    zdt_path = f"{swaths}/zeroDopplerTime"
    zdt = p.array(zdt_path, ndim=1)
    epoch = p.epoch(zdt_path)
    if zdt.size < 1:
        raise InputError(f"{path}: dataset {zdt_path} is empty")
    spacing_path = f"{swaths}/zeroDopplerTimeSpacing"
    if p.has(spacing_path):
        dt = p.scalar(spacing_path)
    elif zdt.size > 1:
        dt = (zdt[-1] - zdt[0]) / (zdt.size - 1)
        log.warning("%s: no %s; using the mean spacing of %s (%r s)", path, spacing_path, zdt_path, dt)
    else:
        raise InputError(f"{path}: missing dataset {spacing_path} (and a single-line "
                         f"{zdt_path} cannot give the line spacing)")
    if not (math.isfinite(dt) and dt > 0):
        raise InputError(f"{path}: dataset {spacing_path} = {dt!r}; expected a positive time step [s]")
    if zdt.size > 1:
        drift = abs((zdt[-1] - zdt[0]) - dt * (zdt.size - 1)) / dt
        if drift > 0.01:
            log.warning("%s: %s disagrees with %s by %.3g lines over the swath; using the spacing",
                        path, zdt_path, spacing_path, drift)
    return zdt, epoch, dt, zdt_path


def _range_axis(p: Hdf5Product, fgroup: str):
    """(slant ranges of the samples [m], sample spacing [m], HDF5 path)."""
    path = p.path
    sr_path = f"{fgroup}/slantRange"
    sr = p.array(sr_path, ndim=1)
    if sr.size < 1:
        raise InputError(f"{path}: dataset {sr_path} is empty")
    srs_path = f"{fgroup}/slantRangeSpacing"
    if p.has(srs_path):
        dr = p.scalar(srs_path)
    elif sr.size > 1:
        dr = (sr[-1] - sr[0]) / (sr.size - 1)
        log.warning("%s: no %s; using the mean spacing of %s (%r m)", path, srs_path, sr_path, dr)
    else:
        raise InputError(f"{path}: missing dataset {srs_path}")
    if not (math.isfinite(dr) and dr > 0):
        raise InputError(f"{path}: dataset {srs_path} = {dr!r}; expected a positive spacing [m]")
    return sr, dr, sr_path


def _center_frequency(p: Hdf5Product, fgroup: str) -> float:
    """Processed centre frequency [Hz]."""
    fc_path = f"{fgroup}/processedCenterFrequency"
    fc = p.scalar(fc_path)
    if not (math.isfinite(fc) and fc > 0):
        raise InputError(f"{p.path}: dataset {fc_path} = {fc!r}; expected a positive frequency [Hz]")
    return fc


def _look_side(p: Hdf5Product, ident: str, look_text: str):
    """LookSide of ``identification/lookDirection`` (any case)."""
    try:
        return LookSide.parse(look_text)
    except ValueError:
        raise InputError(f"{p.path}: dataset {ident}/lookDirection = {look_text!r}; expected "
                         "'left' or 'right'") from None


def _image_dataset(p: Hdf5Product, fgroup: str, freq: str, pol: str, azimuth, range_) -> str:
    """HDF5 path of the image of ``pol``, checked: present (else the message lists the
    polarizations present), of the axes' shape, complex64 or compound {r, i}."""
    path = p.path
    (zdt, zdt_path), (sr, sr_path) = azimuth, range_
    image_path = f"{fgroup}/{pol}"
    if not p.has(image_path):
        present, listed = list_polarizations(p, fgroup)
        note = ""
        if listed and sorted(listed) != present:
            note = f"; listOfPolarizations names {', '.join(listed)}"
        raise InputError(f"{path}: missing dataset {image_path}: POLARIZATION {pol} is not in "
                         f"frequency {freq} (image datasets present: {', '.join(present) or 'none'}"
                         f"{note})")
    image = p.dataset(image_path)
    if image.ndim != 2 or tuple(image.shape) != (zdt.size, sr.size):
        raise InputError(f"{path}: dataset {image_path} has shape {image.shape}; the axes "
                         f"{zdt_path} and {sr_path} give ({zdt.size}, {sr.size})")
    kind = image.dtype
    if not (kind.kind == "c" or (kind.names and len(kind.names) == 2
                                 and {n.lower() for n in kind.names} >= {"r", "i"})):
        raise InputError(f"{path}: dataset {image_path} has data type {kind}; expected complex64 "
                         "or a compound {r, i} of float16")
    return image_path


def _attributes(p: Hdf5Product, root: str, ident: str, fgroup: str, look_text: str,
                interp: str) -> dict:
    """The product's other facts (identification, acquisition parameters); optional ones
    that cannot be read are left out."""
    band_group = root.rsplit("/", 1)[0]
    band = band_group.rsplit("/", 1)[1][:-3] or "?"     # L
    attributes = {"band": band, "product_group": root, "look_direction": look_text}
    for key, name in (("product_type", "productType"), ("absolute_orbit_number", "absoluteOrbitNumber"),
                      ("track_number", "trackNumber"), ("frame_number", "frameNumber"),
                      ("orbit_pass_direction", "orbitPassDirection"),
                      ("zero_doppler_start_time", "zeroDopplerStartTime"),
                      ("zero_doppler_end_time", "zeroDopplerEndTime"),
                      ("bounding_polygon", "boundingPolygon")):
        value = p.optional_text(f"{ident}/{name}")
        if value and value.strip("."):
            attributes[key] = value
    for key, name in (("acquired_center_frequency", "acquiredCenterFrequency"),
                      ("acquired_range_bandwidth", "acquiredRangeBandwidth"),
                      ("nominal_acquisition_prf", "nominalAcquisitionPRF")):
        if p.has(f"{fgroup}/{name}"):
            try:
                attributes[key] = p.scalar(f"{fgroup}/{name}")
            except InputError:
                pass
    if interp:
        attributes["orbit_interp_method"] = interp
    return attributes


def _check_increasing(path, hpath: str, axis: np.ndarray, unit: str) -> None:
    """Refuse an image axis that does not increase strictly (e.g. a reversed slant-range axis:
    the grid's start and spacing would put every pixel at the wrong range)."""
    if axis.size < 2:
        return
    step = np.diff(axis)
    if np.all(step > 0):
        return
    k = int(np.argmax(step <= 0))
    how = "decreases" if np.all(step < 0) else "does not increase strictly"
    first, last, a, b = (float(v) for v in (axis[0], axis[-1], axis[k], axis[k + 1]))
    raise InputError(f"{path}: dataset {hpath} {how} ({first!r} .. {last!r} {unit}; sample "
                     f"{k + 1} is {b!r} after {a!r}): a reversed or unordered image axis is not "
                     "supported")


def _shift(p: Hdf5Product, hpath: str, epoch: DateTime) -> float:
    """Seconds to add to the times of ``hpath`` to refer them to ``epoch``."""
    own = p.epoch(hpath)
    return 0.0 if own == epoch else (own - epoch).total_seconds()


def _read_orbit(p: Hdf5Product, root: str, epoch: DateTime):
    base = f"{root}/metadata/orbit"
    p.group(base)
    t_path = f"{base}/time"
    t = p.array(t_path, ndim=1)
    pos = p.array(f"{base}/position", ndim=2)
    vel = p.array(f"{base}/velocity", ndim=2)
    if p.dataset(t_path).attrs.get("units") is None:
        log.warning("%s: %s has no units; assuming the swath epoch %s", p.path, t_path, epoch)
        shift = 0.0
    else:
        shift = _shift(p, t_path, epoch)
    if pos.shape != (t.size, 3) or vel.shape != (t.size, 3):
        raise InputError(f"{p.path}: orbit datasets {base}/position {pos.shape} and velocity "
                         f"{vel.shape} do not match {t_path} ({t.size},) x 3")
    try:
        orbit = Orbit(t + shift, pos, vel, epoch.to_datetime64())
    except ValueError as exc:
        raise InputError(f"{p.path}: invalid orbit in {base}: {exc}") from None
    orbit_type = p.optional_text(f"{base}/orbitType")
    interp = p.optional_text(f"{base}/interpMethod").lower()
    return _declared(p, base, orbit, interp), orbit_type, interp


def _declared(p: Hdf5Product, base: str, orbit: Orbit, interp: str) -> Orbit:
    """The orbit with the method its ``interpMethod`` names (ISCE3 writes "Hermite" or
    "Legendre"); another or none keeps Hermite (the ``orbit interpolation`` setting decides)."""
    method = method_from_text(interp)
    if interp and method is None:
        log.warning("%s: %s/interpMethod %r is not Hermite or Legendre: interpolating with "
                    "Hermite", p.path, base, interp)
    return orbit.with_method(method) if method else orbit


def _read_doppler(p: Hdf5Product, root: str, freq: str, epoch: DateTime):
    params = f"{root}/metadata/processingInformation/parameters"
    dop_path = f"{params}/frequency{freq}/dopplerCentroid"
    if not p.has(dop_path):
        log.warning("%s: no Doppler centroid table %s; assuming zero Doppler", p.path, dop_path)
        return zero_doppler()
    data = p.array(dop_path, ndim=2)
    if data.size and not np.any(data):
        return zero_doppler()
    axes = []
    for name in ("zeroDopplerTime", "slantRange"):
        inner, outer = f"{params}/frequency{freq}/{name}", f"{params}/{name}"
        axes.append(inner if p.has(inner) else outer)
    t_path, r_path = axes
    t = p.array(t_path, ndim=1)
    r = p.array(r_path, ndim=1)
    if data.shape != (t.size, r.size):
        raise InputError(f"{p.path}: dataset {dop_path} has shape {data.shape}; its axes {t_path} "
                         f"and {r_path} give ({t.size}, {r.size})")
    shift = _shift(p, t_path, epoch) if p.dataset(t_path).attrs.get("units") is not None else 0.0
    try:
        return LUT2d(r, t + shift, data, method="bilinear")
    except ValueError as exc:
        raise InputError(f"{p.path}: invalid Doppler table {dop_path}: {exc}") from None


# ---------------------------------------------------------------------------- components
def selection_parameters(what: str, polarization_doc: str) -> tuple:
    """The ``HDF5``, ``POLARIZATION`` and ``FREQUENCY`` properties of a NISAR-layout reader."""
    return (
        Parameter("hdf5", public_name="HDF5", type="path", default=None, mandatory=True,
                  doc=f"The {what} (.h5) in the NISAR layout."),
        Parameter("polarization", public_name="POLARIZATION", type=str, default="HH",
                  doc=polarization_doc),
        Parameter("frequency", public_name="FREQUENCY", type=str, default="A",
                  doc="NISAR sub-band: A or B (frequencyA / frequencyB accepted)."),
    )


def validate_selection(component) -> None:
    """Normalise a reader's ``frequency`` and ``polarization`` (ConfigurationError naming the
    property when one is not valid)."""
    for attr, norm in (("frequency", normalise_frequency), ("polarization", normalise_polarization)):
        try:
            setattr(component, attr, norm(getattr(component, attr)))
        except ConfigurationError as exc:
            param = component.parameter(attr)
            raise ConfigurationError(exc.message,
                                     path=f"{component.config_path}.{param.public_name}") from None


class NisarSlc(Sensor):
    """Reader of NISAR RSLC products (HDF5): one frequency and polarization of the file."""

    sensor_name = "NISAR_SLC"
    parameters = selection_parameters("RSLC product",
                                      "Polarization of the image to read (HH, HV, VH, VV, ...).")

    def validate(self) -> None:
        validate_selection(self)

    def read_product(self) -> SlcProduct:
        path = self.require("hdf5")
        self.validate()
        return read_nisar_slc(path, self.frequency, self.polarization, platform=self._platform())

    def _platform(self) -> str:
        return "NISAR"


class UavsarHdf5Slc(NisarSlc):
    """Reader of UAVSAR SLCs delivered in the NISAR HDF5 layout (ISCE's UAVSAR_HDF5_SLC)."""

    sensor_name = "UAVSAR_HDF5_SLC"

    def _platform(self) -> str:
        return "UAVSAR"
