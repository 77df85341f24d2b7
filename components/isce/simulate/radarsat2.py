"""Writer of RADARSAT-2 SLC products (MDA's RN-RP-51-2713 layout), from any SlcProduct.

``write_radarsat2(product, folder, name)`` writes, below ``folder``, the product folder
``RS2_OK<n>_PK<n>_DK<n>_<beam>_<YYYYMMDD>_<HHMMSS>_<pol>_SLC/`` (dates of the first line; the
order/product/delivery keys are derived from ``name`` and the date so two passes never
collide) holding ``product.xml``, ``imagery_<pol>.tif`` (two int16 bands, real and
imaginary, pixel-interleaved, written block by block) and ``lutSigma.xml``,
``lutBeta.xml``, ``lutGamma.xml``. It returns ``{"XML": <relative path of product.xml>}``,
what the ``RADARSAT2`` reader's ``XML`` property needs.

Conventions:

* quantisation: one factor per product, chosen from the first block holding data so that
  its largest real/imaginary part is 1/HEADROOM of the int16 range; every later block is
  checked and a sample that would clip is an InputError (nothing is silently clipped);
* calibration: the sigma0 gains are A = factor · g, with g the product's own lutSigma gains
  when it was read from RADARSAT-2 (``mission == "RADARSAT-2"``: only then are its RS2
  attributes — PRF, pulse, beam, Doppler, gains — reused), else 1 (σ⁰ = |sample|²); the beta0 and gamma0 tables
  repeat the sigma0 gains (a simulated product has no incidence-angle model);
* ``line_order`` / ``pixel_order`` ``"Decreasing"`` store the lines / samples in
  decreasing time (the LUT too), as some MDA products are, to test the reader's flips;
* times are written to the microsecond (as MDA does) when they are whole microseconds,
  else to the nanosecond (xs:dateTime allows it), so the round trip is exact;
* the Doppler centroid polynomial is the product's (RADARSAT-2 attributes) or a quadratic
  fit over range of ``product.doppler`` at mid-scene; the Doppler rate is the product's or
  −2|v|²/(λR) fitted likewise (an approximation; the reader only keeps it).
"""
from __future__ import annotations

import os
import warnings
import zlib

import numpy as np
from lxml import etree

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.io.atomic import building_folder, replace_folder
from isce.sensors.product import DEFAULT_BLOCK_LINES, rasterio_module
from isce.sensors.radarsat2 import (DOPPLER, DOPPLER_RATE, GENERAL, LUT_FILES, NAMESPACE,
                                    ORBIT_INFO, ORDERINGS, RADAR, RASTER, SAR_INFO, SRGR)

__all__ = ["write_radarsat2", "write_def_orbit", "HEADROOM"]

#: the first block's largest part maps to 32767 / HEADROOM
HEADROOM = 4.0
_INT16_MAX = 32767


# ---------------------------------------------------------------------------- XML
def _text(value) -> str:
    if isinstance(value, DateTime):
        ns = value.nanoseconds_since_unix_epoch
        return value.isoformat(digits=6 if ns % 1000 == 0 else 9) + "Z"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (list, tuple, np.ndarray)):
        return " ".join(_text(v) for v in value)
    return str(value)


def _set(root, path: str, value, **attributes):
    """Set (creating it and its parents) the element ``path`` below ``root``."""
    node = root
    for name in path.split("/"):
        child = node.find(f"{{{NAMESPACE}}}{name}")
        node = child if child is not None else etree.SubElement(node, f"{{{NAMESPACE}}}{name}")
    node.text = _text(value)
    for key, val in attributes.items():
        node.set(key, val)
    return node


def _add(root, path: str, value, **attributes):
    """Append a new (repeatable) element ``path`` (its parents created when missing)."""
    parent, _, name = path.rpartition("/")
    node = root
    for part in parent.split("/") if parent else ():
        child = node.find(f"{{{NAMESPACE}}}{part}")
        node = child if child is not None else etree.SubElement(node, f"{{{NAMESPACE}}}{part}")
    element = etree.SubElement(node, f"{{{NAMESPACE}}}{name}")
    if value is not None:
        element.text = _text(value)
    for key, val in attributes.items():
        element.set(key, val)
    return element


def _new_root(tag: str):
    return etree.Element(f"{{{NAMESPACE}}}{tag}", nsmap={None: NAMESPACE})


def _write_xml(root, path: str) -> None:
    etree.ElementTree(root).write(path, xml_declaration=True, encoding="UTF-8",
                                  pretty_print=True)


# ---------------------------------------------------------------------------- metadata
def _times(product) -> tuple:
    """(epoch DateTime, first line, last line) of the product."""
    grid = product.radar_grid
    epoch = DateTime(grid.reference_epoch)
    return epoch, epoch + grid.sensing_start, epoch + grid.sensing_time(grid.length - 1)


def _mid_ranges(grid) -> np.ndarray:
    return grid.starting_range + np.linspace(0.0, grid.width - 1, 16) * grid.range_pixel_spacing


def _fit_tau(grid, values) -> tuple:
    """(t0, quadratic coefficients) of ``values`` over the two-way times of _mid_ranges."""
    tau = 2.0 * _mid_ranges(grid) / SPEED_OF_LIGHT
    t0 = float(tau[0])
    deg = 2 if grid.width > 2 else 0
    coef = np.polynomial.polynomial.polyfit(tau - t0, values, deg) if np.any(values) else \
        np.zeros(3)
    return t0, list(np.pad(coef, (0, 3 - len(coef))))


def _own(product) -> dict:
    """The RADARSAT-2 facts of a product read from RADARSAT-2 (another mission's attributes
    of the same names mean other things: S1's ``prf`` is not the line rate), else {}."""
    return product.attributes if product.mission == "RADARSAT-2" else {}


def _doppler(product, mid: float) -> dict:
    """``{"t0", "coefficients", "azimuth_time"}`` of the data Doppler centroid (see the
    module docstring; time in s since the product's epoch)."""
    own = _own(product).get("doppler_centroid")
    if isinstance(own, dict) and {"t0", "coefficients", "azimuth_time"} <= set(own):
        return own
    grid = product.radar_grid
    values = np.asarray(product.doppler.eval(np.full(16, mid), _mid_ranges(grid)), dtype=float)
    t0, coef = _fit_tau(grid, values)
    return {"t0": t0, "coefficients": coef, "azimuth_time": mid}


def _doppler_rate(product, mid: float) -> dict:
    own = _own(product).get("doppler_rate")
    if isinstance(own, dict) and {"t0", "coefficients"} <= set(own):
        return {"t0": own["t0"], "coefficients": own["coefficients"]}
    grid = product.radar_grid
    _pos, vel = product.orbit.interpolate([mid])
    rate = -2.0 * float(np.sum(vel[0] ** 2)) / (grid.wavelength * _mid_ranges(grid))
    t0, coef = _fit_tau(grid, rate)
    return {"t0": t0, "coefficients": coef}


def _beam(product) -> str:
    return str(_own(product).get("beam_mode") or "F1")


def _radar_parameters(root, product, pol: str) -> None:
    grid, a = product.radar_grid, _own(product)
    prf = float(a.get("prf") or grid.prf)
    band = product.range_bandwidth or a.get("pulse_bandwidth") or product.range_sampling_rate
    _set(root, "sourceAttributes/satellite", product.platform or "RADARSAT-2")
    _set(root, "sourceAttributes/sensor", "SAR")
    _set(root, "sourceAttributes/beamModeMnemonic", _beam(product))
    _set(root, f"{RADAR}/acquisitionType", "Fine")
    _set(root, f"{RADAR}/beams", a.get("beams") or _beam(product))
    _set(root, f"{RADAR}/polarizations", pol)
    _set(root, f"{RADAR}/radarCenterFrequency", product.center_frequency, units="Hz")
    _set(root, f"{RADAR}/pulseRepetitionFrequency", prf, units="Hz")
    _set(root, f"{RADAR}/pulseLength", float(a.get("pulse_length") or 4.2e-5), units="s")
    _set(root, f"{RADAR}/pulseBandwidth", float(a.get("pulse_bandwidth") or band), units="Hz")
    _set(root, f"{RADAR}/antennaPointing", grid.look_side.title())
    _set(root, f"{RADAR}/adcSamplingRate",
         float(a.get("adc_sampling_rate") or product.range_sampling_rate
               or SPEED_OF_LIGHT / (2 * grid.range_pixel_spacing)), units="Hz")


def _orbit_information(root, product, first: DateTime) -> None:
    orbit = product.orbit
    epoch = DateTime(orbit.reference_epoch)
    _, vel = orbit.interpolate([orbit.time[len(orbit) // 2]])
    ascending = vel[0][2] > 0
    _set(root, f"{ORBIT_INFO}/passDirection",
         _own(product).get("pass") or ("Ascending" if ascending else "Descending"))
    _set(root, f"{ORBIT_INFO}/orbitDataSource", "Definitive")
    _set(root, f"{ORBIT_INFO}/orbitDataFile", _own(product).get("orbit_data_file")
         or f"DEF_ORBIT_{first.year:04d}{first.day_of_year():03d}.DEF")
    for t, p, v in zip(orbit.time, orbit.position, orbit.velocity):
        node = _add(root, f"{ORBIT_INFO}/stateVector", None)
        _add(node, "timeStamp", epoch + float(t))
        for c, x in zip("xyz", p):
            _add(node, f"{c}Position", float(x), units="m")
        for c, x in zip("xyz", v):
            _add(node, f"{c}Velocity", float(x), units="m/s")


def _processing(root, product, first: DateTime, last: DateTime, line_order: str) -> None:
    grid, a = product.radar_grid, _own(product)
    z_first, z_last = (last, first) if line_order == "Decreasing" else (first, last)
    _set(root, f"{GENERAL}/productType", "SLC")
    _set(root, f"{GENERAL}/_processingFacility", "isce.simulate")
    _set(root, f"{GENERAL}/softwareVersion", "isce.simulate.radarsat2")
    _set(root, f"{SAR_INFO}/zeroDopplerTimeFirstLine", z_first)
    _set(root, f"{SAR_INFO}/zeroDopplerTimeLastLine", z_last)
    _set(root, f"{SAR_INFO}/numberOfLinesProcessed", grid.length)
    _set(root, f"{SAR_INFO}/totalProcessedRangeBandwidth",
         float(product.range_bandwidth or product.range_sampling_rate), units="Hz")
    _set(root, f"{SAR_INFO}/totalProcessedAzimuthBandwidth",
         float(product.azimuth_bandwidth or 0.8 * grid.prf), units="Hz")
    _set(root, f"{SAR_INFO}/slantRangeNearEdge",
         float(a.get("slantRangeNearEdge", grid.starting_range)), units="m")
    _set(root, f"{SRGR}/zeroDopplerAzimuthTime", first)
    _set(root, f"{SRGR}/slantRangeTimeToFirstRangeSample",
         2.0 * grid.starting_range / SPEED_OF_LIGHT, units="s")


def _doppler_elements(root, product) -> None:
    grid = product.radar_grid
    mid = grid.sensing_start + 0.5 * (grid.length - 1) / grid.prf
    dc, rate = _doppler(product, mid), _doppler_rate(product, mid)
    _set(root, f"{DOPPLER}/timeOfDopplerCentroidEstimate",
         DateTime(grid.reference_epoch) + float(dc["azimuth_time"]))
    _set(root, f"{DOPPLER}/dopplerAmbiguity", 0)
    _set(root, f"{DOPPLER}/dopplerCentroidReferenceTime", float(dc["t0"]), units="s")
    _set(root, f"{DOPPLER}/dopplerCentroidCoefficients", [float(c) for c in dc["coefficients"]])
    _set(root, f"{DOPPLER_RATE}/dopplerRateReferenceTime", float(rate["t0"]), units="s")
    _set(root, f"{DOPPLER_RATE}/dopplerRateValuesCoefficients",
         [float(c) for c in rate["coefficients"]])


def _image_attributes(root, product, pol: str, line_order: str, pixel_order: str) -> None:
    grid = product.radar_grid
    _set(root, "imageAttributes/productFormat", "GeoTIFF")
    _set(root, "imageAttributes/outputMediaInterleaving", "BIP")
    _set(root, f"{RASTER}/dataType", "Complex")
    _add(root, f"{RASTER}/bitsPerSample", 16, dataStream="Real")
    _add(root, f"{RASTER}/bitsPerSample", 16, dataStream="Imaginary")
    _set(root, f"{RASTER}/numberOfSamplesPerLine", grid.width)
    _set(root, f"{RASTER}/numberOfLines", grid.length)
    _set(root, f"{RASTER}/sampledPixelSpacing", grid.range_pixel_spacing, units="m")
    _, vel = product.orbit.interpolate([grid.sensing_start])
    _set(root, f"{RASTER}/sampledLineSpacing", float(np.linalg.norm(vel[0])) / grid.prf,
         units="m")
    _set(root, f"{RASTER}/lineTimeOrdering", line_order)
    _set(root, f"{RASTER}/pixelTimeOrdering", pixel_order)
    _add(root, "imageAttributes/fullResolutionImageData", f"imagery_{pol}.tif", pole=pol)
    for kind, name in LUT_FILES.items():
        _add(root, "imageAttributes/lookupTable", name, incidenceAngleCorrection=kind)


def _product_xml(product, pol, first, last, line_order, pixel_order):
    root = _new_root("product")
    _set(root, "productId", f"PDS_{first.year:04d}{first.month:02d}{first.day:02d}")
    _set(root, "documentIdentifier", "RN-RP-51-2713")
    _radar_parameters(root, product, pol)
    _orbit_information(root, product, first)
    _processing(root, product, first, last, line_order)
    _doppler_elements(root, product)
    _image_attributes(root, product, pol, line_order, pixel_order)
    return root


# ---------------------------------------------------------------------------- pixels
class _Quantiser:
    """One int16 factor per product (see the module docstring), clip-checked per block."""

    def __init__(self, where: str):
        self.where, self.factor = where, None

    def __call__(self, block: np.ndarray, rows: slice) -> np.ndarray:
        parts = np.stack([block.real, block.imag]).astype(np.float64)
        if not np.all(np.isfinite(parts)):
            raise InputError(f"{self.where}: lines {rows.start}-{rows.stop - 1} hold NaN or inf: "
                             "cannot be written as int16")
        peak = float(np.max(np.abs(parts))) if parts.size else 0.0
        if self.factor is None and peak > 0:
            self.factor = _INT16_MAX / HEADROOM / peak
        scaled = np.rint(parts * (self.factor or 0.0))
        if np.max(np.abs(scaled), initial=0.0) > _INT16_MAX:
            raise InputError(f"{self.where}: lines {rows.start}-{rows.stop - 1} are "
                             f"{peak * self.factor / _INT16_MAX * HEADROOM:.3g} times brighter than "
                             f"the first lines with data: they would clip in int16")
        return scaled.astype(np.int16)


def _write_image(product, path: str, line_order: str, pixel_order: str) -> float:
    """The GeoTIFF of ``product`` (two int16 bands), block by block; returns the factor."""
    rasterio = rasterio_module()
    length, width = product.shape
    quantise = _Quantiser(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="GTiff", width=width, height=length, count=2,
                           dtype="int16", interleave="pixel") as ds:
            for rows, block in product.iter_blocks(DEFAULT_BLOCK_LINES):
                data = quantise(block, rows)                  # (2, lines, samples)
                start = rows.start
                if line_order == "Decreasing":
                    data, start = data[:, ::-1], length - rows.stop
                if pixel_order == "Decreasing":
                    data = data[:, :, ::-1]
                ds.write(data, window=rasterio.windows.Window(0, start, width, data.shape[1]))
    if quantise.factor is None:
        raise InputError(f"{path}: the SLC image holds no data (all samples zero)")
    return quantise.factor


def _write_luts(product, folder: str, factor: float, pixel_order: str) -> None:
    own = _own(product).get("calibration", {}).get("sigma0", {}).get("gains")
    base = np.asarray(own, dtype=float) if own is not None and len(own) == product.width \
        else np.ones(product.width)
    gains = factor * base
    if pixel_order == "Decreasing":
        gains = gains[::-1]
    for name in LUT_FILES.values():
        root = _new_root("lut")
        _set(root, "offset", 0.0)
        _set(root, "gains", gains)
        _write_xml(root, os.path.join(folder, name))


# ---------------------------------------------------------------------------- public
def _folder_name(product, name: str, first: DateTime, pol: str) -> str:
    key = zlib.crc32(f"{name}|{first}".encode()) % 900000 + 10000
    return (f"RS2_OK{key}_PK{key + 1}_DK{key + 2}_{_beam(product)}_"
            f"{first.year:04d}{first.month:02d}{first.day:02d}_"
            f"{first.hour:02d}{first.minute:02d}{first.second:02d}_{pol}_SLC")


def _order(value: str, what: str) -> str:
    for choice in ORDERINGS:
        if str(value).strip().lower() == choice.lower():
            return choice
    raise ValueError(f"{what} must be one of {', '.join(ORDERINGS)}, got {value!r}")


def write_radarsat2(product, folder, name: str, *, line_order: str = "Increasing",
                    pixel_order: str = "Increasing") -> dict:
    """Write ``product`` (an SlcProduct) as a RADARSAT-2 SLC below ``folder``; returns
    ``{"XML": "<product folder>/product.xml"}`` relative to ``folder``."""
    line_order, pixel_order = _order(line_order, "line_order"), _order(pixel_order, "pixel_order")
    pol = (product.polarization or "HH").upper()
    _epoch, first, last = _times(product)
    sub = _folder_name(product, name, first, pol)
    target = os.path.join(os.fspath(folder), sub)
    work = os.path.join(os.fspath(folder), f".{sub}.partial")   # the product appears whole
    with building_folder(work):                                 # or not at all
        os.makedirs(work)
        factor = _write_image(product, os.path.join(work, f"imagery_{pol}.tif"), line_order,
                              pixel_order)
        _write_luts(product, work, factor, pixel_order)
        _write_xml(_product_xml(product, pol, first, last, line_order, pixel_order),
                   os.path.join(work, "product.xml"))
        replace_folder(work, target)
    return {"XML": f"{sub}/product.xml"}


def _def_time(when: DateTime) -> str:
    return (f"{when.year:04d}-{when.day_of_year():03d}-{when.hour:02d}:{when.minute:02d}:"
            f"{when.second:02d}.{when.nanosecond // 1000:06d}")


def write_def_orbit(orbit, path) -> str:
    """``orbit`` as an MDA definitive orbit file (``.DEF``, the layout ISCE2 reads; times to
    the microsecond)."""
    epoch = DateTime(orbit.reference_epoch)
    lines = ["; RADARSAT-2 definitive orbit (isce.simulate.radarsat2)",
             "; Position (m) and velocity (m/s), ECEF"]
    for t, p, v in zip(orbit.time, orbit.position, orbit.velocity):
        lines += [_def_time(epoch + float(t)), " ".join(repr(float(x)) for x in p),
                  " ".join(repr(float(x)) for x in v), ";"]
    lines.append(";###END")
    with open(path, "w", encoding="ascii") as handle:
        handle.write("\n".join(lines) + "\n")
    return os.fspath(path)
