"""Reader of RADARSAT-2 single-look complex (SLC) products.

Reference: MDA, *RADARSAT-2 Product Format Definition* (RN-RP-51-2713): a product folder
``RS2_OK…_PK…_DK…_<beam>_<date>_<time>_<pols>_SLC/`` holds ``product.xml`` (namespace
``http://www.rsi.ca/rs2/prod/xml/schemas``), one GeoTIFF per polarization
(``imagery_<pol>.tif``: two int16 samples per pixel, real and imaginary) and the
calibration look-up tables ``lutSigma.xml``, ``lutBeta.xml``, ``lutGamma.xml``. The facts
below agree with ISCE2's ``Radarsat2.py`` and GDAL's RS2 driver.

Sensor name ``RADARSAT2``; properties as ISCE2's reader:

=================== ============================================================
``XML``             the product's ``product.xml`` (mandatory)
``TIFF``            the image (default: ``imagery_HH.tif``, else the first image
                    ``product.xml`` lists); ISCE2 has no ``POLARIZATION``
``ORBITFILE``       ISCE2's ``orbit file``: an MDA definitive orbit (``.DEF``)
                    replacing the state vectors of ``product.xml``
``ORBIT DIRECTORY`` ISCE2's ``orbit directory``: the folder holding the ``.DEF`` named
                    by ``orbitDataFile`` (or its ``<year>/`` subfolder)
``OUTPUT``          where :meth:`~isce.sensors.base.Sensor.extract` writes the SLC
=================== ============================================================

What is read (paths below ``/product``; times UTC, ``Z``-suffixed):

* zero-Doppler grid: ``imageGenerationParameters/sarProcessingInformation/
  zeroDopplerTimeFirstLine`` and ``…LastLine``; ``imageAttributes/rasterAttributes/
  numberOfLines``, ``numberOfSamplesPerLine``, ``sampledPixelSpacing`` [m, slant range];
  starting range = c/2 · ``slantRangeToGroundRange/slantRangeTimeToFirstRangeSample``
  [s two-way] (as ISCE2; ``slantRangeNearEdge`` is kept in ``attributes``); wavelength =
  c / ``sourceAttributes/radarParameters/radarCenterFrequency``; look side from
  ``antennaPointing``;
* **orderings**: ``rasterAttributes/lineTimeOrdering`` and ``pixelTimeOrdering``
  (``Increasing``/``Decreasing``). A decreasing axis is stored with time running
  backwards (then ``zeroDopplerTimeFirstLine`` is the *latest* time, as ISCE2 reads it);
  the product always comes out in increasing time: the image is read reversed, block by
  block (:class:`~isce.sensors.product.ImageSource` ``flip``), and so is the LUT;
* line spacing: ISCE2 uses the "effective PRF" ``pulseRepetitionFrequency`` ·
  ⌈``totalProcessedAzimuthBandwidth`` / PRF⌉; the zero-Doppler times are the truth: that
  PRF is used when it agrees with (last − first)/(lines − 1) within the 1 µs of the times,
  otherwise the time spacing is (said in the log);
* orbit: ``sourceAttributes/orbitAndAttitude/orbitInformation/stateVector`` (``timeStamp``,
  ``x|y|zPosition`` [m], ``x|y|zVelocity`` [m/s], ECEF) or a ``.DEF`` file; MDA's
  definitive orbit has velocities consistent with the positions, so it is declared
  ``interp_method="hermite"`` (ISCE2's choice);
* Doppler: ``imageGenerationParameters/dopplerCentroid`` (``dopplerCentroidCoefficients``
  [Hz, Hz/s, Hz/s²] in (τ − ``dopplerCentroidReferenceTime``), τ the two-way slant-range
  time, estimated at ``timeOfDopplerCentroidEstimate``) and ``dopplerRateValues`` (same
  form) kept in ``attributes``; :func:`doppler_centroid` gives the data centroid as a table.
  The product's ``doppler`` (the geometry) is zero: RADARSAT-2 SLCs are focused to zero
  Doppler (as Sentinel-1's);
* calibration: ``imageAttributes/lookupTable`` with ``incidenceAngleCorrection="Sigma
  Nought"`` names ``lutSigma.xml`` (``/lut/offset``, ``/lut/gains``: one gain A per range
  pixel); for complex data σ⁰ = (I² + Q²) / A² (GDAL's and SNAP's formula; the offset
  applies to detected products only). The gains are kept in ``attributes["calibration"]``
  in increasing range time; :func:`sigma0` applies them to a block;
* image: ``imageAttributes/fullResolutionImageData`` (attribute ``pole``): a GeoTIFF of two
  int16 bands (real, imaginary; or one complex int16 band), read window by window through
  GDAL (rasterio); its size is checked against ``product.xml`` at parse time.

Every problem is an :class:`~isce.framework.InputError` naming the file and the XML element.
"""
from __future__ import annotations

import datetime as _dt
import logging
import math
import os
import re

import numpy as np
from lxml import etree

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.core.lut import LUT2d
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .base import Sensor
from .product import ImageSource, SlcProduct, rasterio_module
from .sentinel1_xml import Annotation, parse_xml

__all__ = ["Radarsat2", "read_radarsat2", "read_product_xml", "read_lut", "read_def_orbit",
           "doppler_centroid", "sigma0", "NAMESPACE", "ORBIT_INTERPOLATION", "ORDERINGS",
           "LUT_FILES", "RADAR", "ORBIT_INFO", "SAR_INFO", "DOPPLER", "DOPPLER_RATE", "SRGR",
           "RASTER", "GENERAL", "TIME_PRECISION"]

log = logging.getLogger("isce.sensors.radarsat2")

#: the XML namespace of product.xml and the LUT files
NAMESPACE = "http://www.rsi.ca/rs2/prod/xml/schemas"
#: element paths below /product (the writer uses the same)
RADAR = "sourceAttributes/radarParameters"
ORBIT_INFO = "sourceAttributes/orbitAndAttitude/orbitInformation"
GENERAL = "imageGenerationParameters/generalProcessingInformation"
SAR_INFO = "imageGenerationParameters/sarProcessingInformation"
DOPPLER = "imageGenerationParameters/dopplerCentroid"
DOPPLER_RATE = "imageGenerationParameters/dopplerRateValues"
SRGR = "imageGenerationParameters/slantRangeToGroundRange"
RASTER = "imageAttributes/rasterAttributes"
#: lookupTable incidenceAngleCorrection -> the product's file name
LUT_FILES = {"Sigma Nought": "lutSigma.xml", "Beta Nought": "lutBeta.xml", "Gamma": "lutGamma.xml"}
#: lineTimeOrdering / pixelTimeOrdering values
ORDERINGS = ("Increasing", "Decreasing")
#: how the state vectors are interpolated (see the module docstring)
ORBIT_INTERPOLATION = "hermite"
#: product.xml times are given to the microsecond [s]
TIME_PRECISION = 1e-6
#: ``.DEF`` state vectors kept beyond the image [s] (ISCE2 keeps 30 s around the start)
DEF_MARGIN = 30.0
#: Doppler table: samples across the swath (the polynomial is quadratic)
_DOPPLER_RANGE_SAMPLES = 32
_DEF_TIME = re.compile(r"^(\d{4})-(\d{3})-(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)$")


# ---------------------------------------------------------------------------- XML
def _parse(path, what: str, root_name: str) -> Annotation:
    """An RS2 XML file (``product`` or ``lut``) with its namespace checked and dropped from
    the tags (messages then name plain element paths)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the RADARSAT-2 {what}: {exc}") from None
    ann = parse_xml(data, path)
    if ann.root.tag != f"{{{NAMESPACE}}}{root_name}":
        raise InputError(f"{path}: root element is {ann.root.tag!r}, not {root_name} of namespace "
                         f"{NAMESPACE}: not a RADARSAT-2 {what}")
    for element in ann.root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname
    return ann


def read_product_xml(path) -> Annotation:
    """``product.xml`` parsed, checked access by element path (namespace dropped)."""
    return _parse(path, "product.xml", "product")


def _choice(ann: Annotation, path: str, choices) -> str:
    """The text of ``path``, one of ``choices`` (compared case-insensitively)."""
    text = ann.text(path)
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    raise InputError(f"{ann.where}: XML element {ann._name(path)} = {text!r} is not one of "
                     f"{', '.join(choices)}")


def _orderings(ann: Annotation) -> tuple:
    """(lines decreasing, samples decreasing) of the stored image."""
    return (_choice(ann, f"{RASTER}/lineTimeOrdering", ORDERINGS) == "Decreasing",
            _choice(ann, f"{RASTER}/pixelTimeOrdering", ORDERINGS) == "Decreasing")


def _flip(lines: bool, samples: bool) -> str:
    return {(False, False): "", (True, False): "lines", (False, True): "samples",
            (True, True): "both"}[(lines, samples)]


# ---------------------------------------------------------------------------- grid
def _epoch(first_line: DateTime) -> DateTime:
    ns = first_line.nanoseconds_since_unix_epoch
    return DateTime.from_nanoseconds(ns - ns % 1_000_000_000)


def _first_last(ann: Annotation, lines_decreasing: bool) -> tuple:
    """(earliest, latest) zero-Doppler line times; InputError when they contradict the
    line ordering."""
    first = ann.time(f"{SAR_INFO}/zeroDopplerTimeFirstLine")
    last = ann.time(f"{SAR_INFO}/zeroDopplerTimeLastLine")
    start, stop = (last, first) if lines_decreasing else (first, last)
    if not start < stop:
        order = "Decreasing" if lines_decreasing else "Increasing"
        raise InputError(f"{ann.where}: {ann._name(f'{SAR_INFO}/zeroDopplerTimeFirstLine')} = "
                         f"{first} and LastLine = {last} contradict lineTimeOrdering {order}")
    return start, stop


def effective_prf(ann: Annotation) -> float:
    """ISCE2's line rate [Hz]: PRF · ⌈processed azimuth bandwidth / PRF⌉."""
    prf = ann.float(f"{RADAR}/pulseRepetitionFrequency", positive=True)
    band = ann.float(f"{SAR_INFO}/totalProcessedAzimuthBandwidth", positive=True)
    return prf * math.ceil(band / prf)


def _line_rate(ann: Annotation, start: DateTime, stop: DateTime, lines: int) -> dict:
    """``{"prf": …}`` or ``{"az_time_interval": …}`` for the RadarGrid (see the module
    docstring: the effective PRF when the zero-Doppler times agree with it)."""
    prf = effective_prf(ann)
    span = (stop - start).total_seconds()
    if abs(span - (lines - 1) / prf) <= TIME_PRECISION:
        return {"prf": prf}
    log.info("%s: the zero-Doppler times span %.9f s over %d lines, not %d/%.6f Hz (ISCE2's "
             "effective PRF): line spacing from the times", ann.where, span, lines, lines - 1, prf)
    return {"az_time_interval": span / (lines - 1)}


def _look_side(ann: Annotation) -> str:
    return _choice(ann, f"{RADAR}/antennaPointing", ("Right", "Left")).lower()


def _radar_grid(ann: Annotation, lines_decreasing: bool) -> RadarGrid:
    start, stop = _first_last(ann, lines_decreasing)
    epoch = _epoch(start)
    lines = ann.int(f"{RASTER}/numberOfLines", minimum=2)
    tau = ann.float(f"{SRGR}/slantRangeTimeToFirstRangeSample", positive=True)
    freq = ann.float(f"{RADAR}/radarCenterFrequency", positive=True)
    return RadarGrid(start.seconds_since(epoch), epoch,
                     starting_range=SPEED_OF_LIGHT * tau / 2.0,        # two-way time
                     range_pixel_spacing=ann.float(f"{RASTER}/sampledPixelSpacing", positive=True),
                     length=lines, width=ann.int(f"{RASTER}/numberOfSamplesPerLine", minimum=1),
                     wavelength=SPEED_OF_LIGHT / freq, look_side=_look_side(ann),
                     **_line_rate(ann, start, stop, lines))


# ---------------------------------------------------------------------------- orbit
def _make_orbit(t, pos, vel, epoch: DateTime, where: str) -> Orbit:
    try:
        return Orbit(t, pos, vel, epoch.to_datetime64(), interp_method=ORBIT_INTERPOLATION)
    except ValueError as exc:
        raise InputError(f"{where}: invalid orbit state vectors: {exc}") from None


def _xml_orbit(ann: Annotation, epoch: DateTime) -> Orbit:
    nodes = ann.nodes(f"{ORBIT_INFO}/stateVector")
    if not nodes:
        raise InputError(f"{ann.where}: missing XML element {ann._name(f'{ORBIT_INFO}/stateVector')}")
    t, pos, vel = [], [], []
    for node in nodes:
        t.append(ann.time("timeStamp", node).seconds_since(epoch))
        pos.append([ann.float(f"{c}Position", node) for c in "xyz"])
        vel.append([ann.float(f"{c}Velocity", node) for c in "xyz"])
    return _make_orbit(t, pos, vel, epoch, f"{ann.where}: {ann._name(f'{ORBIT_INFO}/stateVector')}")


def _def_time(text: str, where: str) -> DateTime:
    """``YYYY-DDD-HH:MM:SS.ffffff`` (day of year) of a .DEF orbit."""
    m = _DEF_TIME.match(text.strip())
    if m is None:
        raise InputError(f"{where}: {text.strip()!r} is not a YYYY-DDD-HH:MM:SS.ffffff time")
    year, doy, hh, mm, ss = m.groups()
    try:
        day = _dt.date(int(year), 1, 1) + _dt.timedelta(days=int(doy) - 1)
        if day.year != int(year) or int(doy) < 1:
            raise ValueError(f"day of year {doy}")
        return DateTime(f"{day.isoformat()}T{hh}:{mm}:{ss}")
    except (ValueError, TypeError) as exc:
        raise InputError(f"{where}: {text.strip()!r} is not a valid time: {exc}") from None


def _def_vector(lines: list, k: int, path: str) -> list:
    """Three numbers of line ``k`` of a .DEF file."""
    where = f"{path}: line {k + 1}"
    if k >= len(lines):
        raise InputError(f"{where}: the file ends inside a state vector (truncated?)")
    try:
        values = [float(v) for v in lines[k].split()]
    except ValueError:
        values = []
    if len(values) != 3 or not all(map(math.isfinite, values)):
        raise InputError(f"{where}: {lines[k].strip()!r} is not three numbers")
    return values


def read_def_orbit(path, epoch: DateTime, start: DateTime, stop: DateTime) -> Orbit:
    """The state vectors of an MDA definitive orbit file (``.DEF``, as ISCE2 reads it: after
    the ``; Position`` header line, records of a time line, a position line [m], a velocity
    line [m/s] and a ``;`` line, up to ``;###END``) within DEF_MARGIN of [start, stop]."""
    path = os.fspath(path)
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the RADARSAT-2 orbit file: {exc}") from None
    k = next((i for i, ln in enumerate(lines) if ln.startswith("; Position")), None)
    if k is None:
        raise InputError(f"{path}: no '; Position' header line: not a RADARSAT-2 .DEF orbit")
    t, pos, vel, k = [], [], [], k + 1
    lo, hi = start - DEF_MARGIN, stop + DEF_MARGIN
    while k < len(lines) and not lines[k].startswith(";###END"):
        when = _def_time(lines[k], f"{path}: line {k + 1}")
        p, v = _def_vector(lines, k + 1, path), _def_vector(lines, k + 2, path)
        if k + 3 >= len(lines) or not lines[k + 3].startswith(";"):
            raise InputError(f"{path}: line {k + 4}: expected a ';' line after the state vector")
        if lo <= when <= hi:
            t.append(when.seconds_since(epoch))
            pos.append(p)
            vel.append(v)
        k += 4
    if k >= len(lines):
        raise InputError(f"{path}: no ';###END' line (truncated?)")
    if len(t) < 2 or t[0] > start.seconds_since(epoch) or t[-1] < stop.seconds_since(epoch):
        raise InputError(f"{path}: its state vectors do not cover the image ({start} to {stop})")
    return _make_orbit(t, pos, vel, epoch, path)


def find_def_orbit(folder, name: str, year: int) -> str:
    """ISCE2's search: ``folder/<name>`` or ``folder/<year>/<name>`` (name as in
    ``orbitDataFile``, or lower-case)."""
    folder = os.fspath(folder)
    for sub in ("", str(year)):
        for candidate in (name, name.lower()):
            path = os.path.join(folder, sub, candidate)
            if os.path.isfile(path):
                return path
    raise InputError(f"{folder}: no orbit file {name} (the product's orbitDataFile) here or in "
                     f"{os.path.join(folder, str(year))}")


def _orbit(ann: Annotation, grid: RadarGrid, orbit_file, orbit_dir) -> tuple:
    """(orbit, source): product.xml's state vectors, or a .DEF file's."""
    epoch = grid.reference_epoch
    if not orbit_file and not orbit_dir:
        return _xml_orbit(ann, epoch), "product.xml"
    start = epoch + grid.sensing_start
    stop = epoch + grid.sensing_time(grid.length - 1)
    path = os.fspath(orbit_file) if orbit_file else \
        find_def_orbit(orbit_dir, ann.text(f"{ORBIT_INFO}/orbitDataFile"), start.year)
    orbit = read_def_orbit(path, epoch, start, stop)
    log.info("%s: orbit from %s (%d state vectors)", ann.where, path, len(orbit))
    return orbit, path


# ---------------------------------------------------------------------------- Doppler
def _polynomial(ann: Annotation, path: str, time_name: str, ref_name: str, coef_name: str,
                epoch: DateTime) -> dict:
    """``{azimuth_time, t0, coefficients}`` of a dopplerCentroid / dopplerRateValues entry."""
    out = {"t0": ann.float(f"{path}/{ref_name}"),
           "coefficients": ann.floats(f"{path}/{coef_name}").tolist()}
    if time_name:
        out["azimuth_time"] = ann.time(f"{path}/{time_name}").seconds_since(epoch)
    return out


def _doppler_attributes(ann: Annotation, epoch: DateTime) -> dict:
    return {
        "doppler_centroid": _polynomial(ann, DOPPLER, "timeOfDopplerCentroidEstimate",
                                        "dopplerCentroidReferenceTime",
                                        "dopplerCentroidCoefficients", epoch),
        "doppler_rate": _polynomial(ann, DOPPLER_RATE, "", "dopplerRateReferenceTime",
                                    "dopplerRateValuesCoefficients", epoch),
    }


def eval_polynomial(entry: dict, slant_range) -> np.ndarray:
    """Σ c_k (τ − t0)^k of a Doppler entry at slant ranges [m] (τ = 2R/c)."""
    tau = 2.0 * np.asarray(slant_range, dtype=np.float64) / SPEED_OF_LIGHT
    return np.polynomial.polynomial.polyval(tau - entry["t0"], entry["coefficients"])


def doppler_centroid(product: SlcProduct) -> LUT2d:
    """The data Doppler centroid [Hz] of a RADARSAT-2 product (one estimate, constant in
    time) as a table over (time [s since the product's epoch], slant range [m])."""
    entry, grid = product.attributes["doppler_centroid"], product.radar_grid
    ranges = grid.starting_range + np.linspace(0.0, grid.width - 1, _DOPPLER_RANGE_SAMPLES) * \
        grid.range_pixel_spacing
    times = np.array([grid.sensing_start, grid.sensing_time(grid.length - 1)])
    data = np.repeat(eval_polynomial(entry, ranges)[None, :], 2, axis=0)
    return LUT2d(ranges, times, data, method="bilinear", bounds_error=False)


# ---------------------------------------------------------------------------- calibration
def read_lut(path, width: int) -> dict:
    """``{"offset": B, "gains": [A per stored pixel]}`` of a ``lut*.xml`` (``width`` gains)."""
    ann = _parse(path, "calibration look-up table", "lut")
    gains = ann.floats("gains")
    offset = ann.float("offset")
    if gains.size != width or np.any(gains <= 0):
        raise InputError(f"{ann.where}: XML element /lut/gains holds {gains.size} gains "
                         f"({int(np.sum(gains <= 0))} not positive); the image has {width} "
                         "positive ones")
    return {"offset": offset, "gains": gains.tolist()}


def _lut_file(ann: Annotation, kind: str) -> str:
    for node in ann.nodes("imageAttributes/lookupTable"):
        if (node.get("incidenceAngleCorrection") or "").strip().lower() == kind.lower():
            text = (node.text or "").strip()
            if not text:
                raise InputError(f"{ann.where}: XML element {ann.root.getroottree().getpath(node)}"
                                 f" ({kind}) is empty")
            return text
    raise InputError(f"{ann.where}: missing XML element /product/imageAttributes/lookupTable "
                     f"with incidenceAngleCorrection=\"{kind}\"")


def _calibration(ann: Annotation, width: int, samples_decreasing: bool) -> dict:
    """The sigma0 LUT (gains in increasing range time) and the LUT file names."""
    folder = os.path.dirname(os.path.abspath(ann.where))
    name = _lut_file(ann, "Sigma Nought")
    lut = read_lut(os.path.join(folder, name), width)
    if samples_decreasing:
        lut["gains"] = lut["gains"][::-1]
    files = {kind: _lut_file(ann, kind) for kind in LUT_FILES
             if any((n.get("incidenceAngleCorrection") or "").strip().lower() == kind.lower()
                    for n in ann.nodes("imageAttributes/lookupTable"))}
    return {"sigma0": {"file": name, **lut}, "files": files}


def sigma0(product: SlcProduct, block: np.ndarray, cols=slice(None)) -> np.ndarray:
    """σ⁰ (linear) of complex samples ``block`` (lines × the columns ``cols`` of the
    product, in increasing range time): (I² + Q²) / A² with the lutSigma gains A."""
    gains = np.asarray(product.attributes["calibration"]["sigma0"]["gains"])[cols]
    return (np.abs(np.asarray(block)) ** 2 / gains ** 2).astype(np.float32)


# ---------------------------------------------------------------------------- image
def _images(ann: Annotation) -> list:
    """``[(pole, file name)]`` of ``imageAttributes/fullResolutionImageData``."""
    path = "imageAttributes/fullResolutionImageData"
    nodes = ann.nodes(path)
    if not nodes:
        raise InputError(f"{ann.where}: missing XML element /product/{path}")
    out = []
    for node in nodes:
        pole, name = (node.get("pole") or "").strip().upper(), (node.text or "").strip()
        if not pole or not name:
            raise InputError(f"{ann.where}: XML element {ann.root.getroottree().getpath(node)} "
                             "has no pole attribute or no file name")
        out.append((pole, name))
    return out


def _select_image(ann: Annotation, tiff) -> tuple:
    """(path, polarization) of the image: ``tiff`` (its pole from product.xml), else HH,
    else the first image listed."""
    images = _images(ann)
    folder = os.path.dirname(os.path.abspath(ann.where))
    if tiff is None or not str(tiff).strip():
        pole, name = next(((p, n) for p, n in images if p == "HH"), images[0])
        return os.path.join(folder, name), pole
    tiff = os.fspath(tiff)
    base = os.path.basename(tiff)
    poles = [p for p, n in images if os.path.basename(n) == base]
    if poles:
        return tiff, poles[0]
    if len(images) == 1:
        return tiff, images[0][0]
    raise InputError(f"{tiff}: not one of the images of {ann.where} "
                     f"({', '.join(n for _p, n in images)}): its polarization is unknown")


def _image_source(path: str, shape: tuple, flip: str, xml: str) -> ImageSource:
    """The GeoTIFF as an ImageSource; InputError naming it when it is missing, empty,
    unreadable, or not ``shape`` (lines, samples) of complex int16."""
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file (image named by {xml})")
    if os.path.getsize(path) == 0:
        raise InputError(f"{path}: the image is empty (0 bytes)")
    rasterio = rasterio_module()
    try:
        with rasterio.open(path) as ds:
            found = (ds.height, ds.width, ds.count, ds.dtypes[0])
            compressed = ds.compression is not None
    except rasterio.errors.RasterioError as exc:
        raise InputError(f"{path}: not a readable GeoTIFF (truncated?): {exc}") from None
    kind_ok = found[2:] in ((2, "int16"), (1, "complex_int16"))
    if found[:2] != tuple(shape) or not kind_ok:
        raise InputError(f"{path}: image is {found[0]} x {found[1]} lines x samples, {found[2]} "
                         f"band(s) of {found[3]}; {xml} says {shape[0]} x {shape[1]} "
                         f"({RASTER}/numberOfLines x numberOfSamplesPerLine), 2 bands of int16")
    need = 4 * shape[0] * shape[1]                       # uncompressed: 4 bytes a pixel
    if not compressed and os.path.getsize(path) < need:
        raise InputError(f"{path}: the file holds {os.path.getsize(path)} bytes, fewer than the "
                         f"{need} of its {shape[0]} x {shape[1]} pixels: truncated")
    return ImageSource("gdal", path, flip=flip)


# ---------------------------------------------------------------------------- product
def _facts(ann: Annotation) -> dict:
    """The JSON-able facts of product.xml kept in ``attributes``."""
    product_type = ann.text(f"{GENERAL}/productType")
    if product_type.upper() != "SLC":
        raise InputError(f"{ann.where}: XML element /product/{GENERAL}/productType is "
                         f"{product_type!r}: the RADARSAT2 reader reads SLC products")
    optional = {name: ann.float(f"{SAR_INFO}/{name}") for name in
                ("slantRangeNearEdge", "incidenceAngleNearRange", "incidenceAngleFarRange")
                if ann.has(f"{SAR_INFO}/{name}")}
    return {
        "satellite": ann.text("sourceAttributes/satellite"),
        "beam_mode": ann.text("sourceAttributes/beamModeMnemonic"),
        "beams": ann.text(f"{RADAR}/beams"),
        "polarizations": ann.text(f"{RADAR}/polarizations").split(),
        "prf": ann.float(f"{RADAR}/pulseRepetitionFrequency", positive=True),
        "effective_prf": effective_prf(ann),
        "pulse_length": ann.float(f"{RADAR}/pulseLength", positive=True),
        "pulse_bandwidth": ann.float(f"{RADAR}/pulseBandwidth", positive=True),
        "adc_sampling_rate": ann.float(f"{RADAR}/adcSamplingRate", positive=True),
        "pass": ann.text(f"{ORBIT_INFO}/passDirection"),
        "orbit_data_file": ann.text(f"{ORBIT_INFO}/orbitDataFile"),
        "product_type": product_type,
        "line_time_ordering": _choice(ann, f"{RASTER}/lineTimeOrdering", ORDERINGS),
        "pixel_time_ordering": _choice(ann, f"{RASTER}/pixelTimeOrdering", ORDERINGS),
        "range_bandwidth": ann.float(f"{SAR_INFO}/totalProcessedRangeBandwidth", positive=True),
        "azimuth_bandwidth": ann.float(f"{SAR_INFO}/totalProcessedAzimuthBandwidth",
                                       positive=True),
        **optional,
    }


def read_radarsat2(xml, tiff=None, *, orbit_file=None, orbit_dir=None) -> SlcProduct:
    """Read a RADARSAT-2 SLC (``product.xml``, its image ``tiff`` or the default one, the
    sigma0 LUT; a ``.DEF`` orbit when given) into an SlcProduct in increasing time."""
    ann = read_product_xml(xml)
    facts = _facts(ann)
    lines_dec, samples_dec = _orderings(ann)
    grid = _radar_grid(ann, lines_dec)
    orbit, orbit_source = _orbit(ann, grid, orbit_file, orbit_dir)
    facts.update(_doppler_attributes(ann, grid.reference_epoch))
    facts["calibration"] = _calibration(ann, grid.width, samples_dec)
    facts["orbit_source"] = orbit_source
    path, pol = _select_image(ann, tiff)
    source = _image_source(path, grid.shape, _flip(lines_dec, samples_dec), ann.where)
    return SlcProduct(
        radar_grid=grid, orbit=orbit, doppler=zero_doppler(),     # zero-Doppler focused
        center_frequency=SPEED_OF_LIGHT / grid.wavelength,
        range_bandwidth=facts["range_bandwidth"], azimuth_bandwidth=facts["azimuth_bandwidth"],
        range_sampling_rate=SPEED_OF_LIGHT / (2.0 * grid.range_pixel_spacing),    # as ISCE2
        polarization=pol, platform=facts["satellite"], mission="RADARSAT-2",
        orbit_type="DEF" if orbit_source != "product.xml" else "product.xml",
        source=source, attributes=facts)


# ---------------------------------------------------------------------------- component
class Radarsat2(Sensor):
    """Reader of RADARSAT-2 SLC products (``product.xml`` + GeoTIFF), ISCE2's ``RADARSAT2``."""

    sensor_name = "RADARSAT2"
    parameters = (
        Parameter("xml", public_name="XML", type="path", default=None, mandatory=True,
                  doc="The product's product.xml."),
        Parameter("tiff", public_name="TIFF", type="path", default=None,
                  doc="The image (imagery_<pol>.tif); default imagery_HH.tif, else the first."),
        Parameter("orbit_file", public_name="ORBITFILE", type="path", default=None,
                  doc="ISCE2's 'orbit file': an MDA definitive orbit (.DEF) replacing the "
                      "state vectors of product.xml."),
        Parameter("orbit_directory", public_name="ORBIT DIRECTORY", type="path", default=None,
                  aliases=("ORBITDIR",),
                  doc="ISCE2's 'orbit directory': folder of .DEF orbits (or its <year>/ "
                      "subfolder) holding the product's orbitDataFile."),
    )

    def read_product(self) -> SlcProduct:
        xml = self.require("xml")
        if self.orbit_file and self.orbit_directory:
            raise ConfigurationError("ORBITFILE and ORBIT DIRECTORY are both set: give one",
                                     path=f"{self.config_path}.ORBITFILE")
        return read_radarsat2(xml, self.tiff, orbit_file=self.orbit_file,
                              orbit_dir=self.orbit_directory)
