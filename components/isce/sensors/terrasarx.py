"""Reader of TerraSAR-X and TanDEM-X SSC stripmap products (main annotation XML, GEOREF, COSAR).

References: DLR, *TerraSAR-X Basic Product Specification Document* (TX-GS-DD-3302) for the
product (its folder ``TSX1_SAR__SSC______SM_S_SRA_<start>_<stop>/`` holding the main
annotation ``<same name>.xml``, ``ANNOTATION/GEOREF.xml`` and
``IMAGEDATA/IMAGE_<pol>_SRA_<beam>.cos``) and *Level 1b Product Format Specification*
(TX-GS-DD-3307) for the annotation elements and the COSAR image. The facts below agree with
ISCE2's ``TerraSARX.py``/``cosar`` reader, GDAL's COSAR driver and sarpy's ``tsx.py``.

Sensor name ``TERRASARX`` (ISCE2's); properties: ``XML`` (the main annotation, mandatory,
as ISCE2), ``POLARIZATION`` (ours, optional: ISCE2 has none and silently took the *last*
layer of a multi-layer product; here a product of several layers must be told which one,
one of one layer needs nothing), ``OUTPUT``. TanDEM-X products (mission ``TDX-1``, files
``TDX1_…``) have the same format and are read by the same reader.

What is read from the main annotation (paths below ``/level1Product``):

* ``productInfo/missionInfo/mission`` (``TSX-1`` or ``TDX-1``), ``absOrbit``,
  ``orbitDirection``; ``productInfo/acquisitionInfo/imagingMode`` (``SM`` only: spotlight
  and ScanSAR are refused in one line), ``lookDirection`` (``RIGHT``/``LEFT``);
  ``productInfo/productVariantInfo/productType`` (``SSC`` only);
* grid: ``productInfo/sceneInfo/start/timeUTC`` = zero-Doppler time of line 0 (TSX SSC is
  focused to zero Doppler), ``productInfo/imageDataInfo/imageRaster/columnSpacing`` [s] =
  line spacing, ``rowSpacing`` [s, **two-way** range time] = sample spacing (range spacing
  c·rowSpacing/2), ``numberOfRows`` (lines) x ``numberOfColumns`` (samples);
  ``productInfo/sceneInfo/rangeTime/firstPixel`` [s, two-way]: starting range = c·τ/2;
* ``instrument/radarParameters/centerFrequency`` [Hz]; per layer ``instrument/settings``
  (``polLayer``, ``RSF`` [Hz] range sampling rate, ``rxBandwidth`` [Hz]);
  ``processing/processingParameter/rangeLookBandwidth`` and ``azimuthLookBandwidth`` [Hz]
  (processed bandwidths); ``productSpecific/complexImageInfo/commonPRF`` [Hz];
* orbit: ``platform/orbit/stateVec`` (``timeUTC``, ECEF ``posX..Z`` [m], ``velX..Z`` [m/s],
  10 s apart), from DLR's precise orbit determination: their velocities are the
  positions' derivative, so the orbit is declared ``interp_method="hermite"`` (ISCE's
  default; it needs 4 vectors where Legendre needs 9, and short scenes carry ~12);
  ``orbit interpolation = auto`` still checks the velocities;
* Doppler centroid: ``processing/doppler/dopplerCentroid[@layerIndex]/dopplerEstimate``
  (``timeUTC``, ``combinedDoppler``: f [Hz] = Σ c_k (τ − referencePoint)^k, τ two-way range
  time, ``coefficient[@exponent]``) kept in ``attributes``; :func:`doppler_centroid`
  samples it into a (time, range) table. The product's ``doppler`` (the geometry topo and
  geo2rdr use) is zero: the SSC is focused to zero Doppler (as the Sentinel-1 reader);
* ``calibration/calibrationConstant[@layerIndex]/calFactor`` (β0 = calFactor·|DN|²), when
  present, into ``attributes``;
* times are read to the annotation's resolution (µs); the product's epoch is line 0's
  time floored to the second.

``ANNOTATION/GEOREF.xml`` (its ``geolocationGrid``: ``gridReferenceTime/tReferenceTimeUTC``
and ``tauReferenceTime`` [s, two-way], ``gridPoint[@iaz][@irg]`` with ``t``, ``tau``
relative to them, ``lat``, ``lon`` [deg], ``height`` [m]; ``signalPropagationEffects``
range delay and azimuth shift) is read by :func:`read_georef`; :func:`read_terrasarx`
checks it when the product has one.

The COSAR image (TX-GS-DD-3307 §4, big-endian): per burst 4 annotation lines of RTNB bytes
then AS range lines of RTNB = 4·(RS + 2) bytes. Line 1: BIB (bytes in burst), RSRI (range
sample relative index), RS (range samples), AS (azimuth samples), BI (burst index), RTNB,
TNL (total number of lines, annotation lines included), ``CSAR``, version (1: int16
samples), oversampling factor, inverse SPECAN scaling rate (float64), filler. Lines 2-4:
two filler words, then per range sample ASRI (azimuth sample relative index), ASFV and
ASLV (first/last valid azimuth sample, 1-based). Each range line: RSFV, RSLV (first/last
valid range sample, 1-based) then RS (I, Q) int16 pairs. Samples outside the valid windows
read as 0. The image is read by a small numpy reader (:func:`read_cosar`, ImageSource
format ``"cosar"``) rather than GDAL's COSAR driver: that driver reads the first burst only,
ignores the azimuth validity (ASFV/ASLV), fails on a line without valid samples and names
no byte offset; this one checks every annotation against the XML and reads only the lines
asked for (memory bounded by the block).

Every problem is an :class:`~isce.framework.InputError` naming the file and the XML
element path, or the COSAR byte offset.
"""
from __future__ import annotations

import logging
import os
import struct
from dataclasses import dataclass

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.core.lut import LUT2d
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .base import Sensor
from .product import ImageSource, SlcProduct
from .sentinel1_xml import Annotation, annotation_orbit, parse_xml

__all__ = ["TerraSarX", "read_terrasarx", "display", "read_georef", "read_cosar", "cosar_layout",
           "doppler_centroid", "GeolocationGrid", "CosarLayout", "MISSIONS", "ROOT",
           "ORBIT_INTERPOLATION", "COSAR_MAGIC", "COSAR_VERSION", "COSAR_HEADER", "FILLER",
           "ANNOTATION_LINES", "GEOREF"]

log = logging.getLogger("isce.sensors.terrasarx")

# ---------------------------------------------------------------------------- format facts
#: mission names of the annotation -> platform name (file names start TSX1_/TDX1_)
MISSIONS = {"TSX-1": "TerraSAR-X", "TDX-1": "TanDEM-X"}
#: root element of the main annotation
ROOT = "level1Product"
#: the GEOREF annotation, relative to the product folder
GEOREF = "ANNOTATION/GEOREF.xml"
#: how the annotation's state vectors are interpolated (see the module docstring)
ORBIT_INTERPOLATION = "hermite"
#: COSAR burst annotation, line 1: BIB, RSRI, RS, AS, BI, RTNB, TNL, magic, version,
#: oversampling factor, inverse SPECAN scaling rate (48 bytes, big-endian)
COSAR_HEADER = struct.Struct(">7I4sIId")
COSAR_FIELDS = ("BIB", "RSRI", "RS", "AS", "BI", "RTNB", "TNL", "magic", "version",
                "oversampling", "specan_rate")
#: byte offset of each field of the burst annotation
COSAR_OFFSETS = dict(zip(COSAR_FIELDS, (0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40)))
COSAR_MAGIC = b"CSAR"
COSAR_VERSION = 1                 # int16 I/Q samples (version 2: half-precision floats)
FILLER = 0x7F7F7F7F               # filler word of the annotation lines
ANNOTATION_LINES = 4              # burst info + ASRI + ASFV + ASLV
_WORD = 4                         # bytes per sample (I, Q int16) and per annotation word

_INFO = "productInfo"
_RASTER = f"{_INFO}/imageDataInfo/imageRaster"
_SCENE = f"{_INFO}/sceneInfo"
_ACQ = f"{_INFO}/acquisitionInfo"


# ---------------------------------------------------------------------------- main annotation
def display(path) -> str:
    """``<product folder>: <file in it>`` for messages (the space keeps the file name whole
    when a long path is shortened): ``…/TSX1_…: IMAGEDATA/IMAGE_HH_SRA_strip_007.cos``."""
    path = os.path.abspath(os.fspath(path))
    folder, name = os.path.split(path)
    if os.path.basename(folder) in ("IMAGEDATA", "ANNOTATION"):
        folder, sub = os.path.split(folder)
        name = f"{sub}/{name}"
    return f"{folder}: {name}"


def _load_xml(path, what: str) -> Annotation:
    """``path`` parsed as XML (InputError naming it when unreadable or broken)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{display(path)}: cannot read the {what}: "
                         f"{exc.strerror or exc}") from None
    return parse_xml(data, display(path))


def _epoch(first_line: DateTime) -> DateTime:
    ns = first_line.nanoseconds_since_unix_epoch
    return DateTime.from_nanoseconds(ns - ns % 1_000_000_000)


def _choice(ann: Annotation, path: str, allowed, what: str) -> str:
    """The upper-case text of ``path``, which must be one of ``allowed``."""
    value = ann.text(path).upper()
    if value not in allowed:
        raise InputError(f"{ann.where}: XML element {ann._name(path)} = {value!r}: {what}")
    return value


def _facts(ann: Annotation) -> dict:
    """Mission, mode, product type, pass and orbit facts of the annotation."""
    if ann.root.tag != ROOT:
        raise InputError(f"{ann.where}: root element is <{ann.root.tag}>, a TerraSAR-X main "
                         f"annotation is <{ROOT}>")
    mission = _choice(ann, f"{_INFO}/missionInfo/mission", MISSIONS,
                      f"not a TerraSAR-X/TanDEM-X mission ({', '.join(MISSIONS)})")
    ptype = _choice(ann, f"{_INFO}/productVariantInfo/productType", ("SSC",),
                    "only SSC (single-look slant-range complex) products are read")
    mode = ann.text(f"{_ACQ}/imagingMode").upper()
    if mode != "SM":
        raise InputError(f"{ann.where}: XML element {ann._name(f'{_ACQ}/imagingMode')} = "
                         f"{mode!r}: insarApp reads stripmap (SM) SSC products only")
    fmt = f"{_INFO}/imageDataInfo/imageDataFormat"
    if ann.has(fmt):
        _choice(ann, fmt, ("COSAR",), "the SSC image must be COSAR")
    return {"mission_id": mission, "mode": mode, "product_type": ptype,
            "look_direction": _choice(ann, f"{_ACQ}/lookDirection", ("RIGHT", "LEFT"),
                                      "expected RIGHT or LEFT"),
            "pass": ann.text(f"{_INFO}/missionInfo/orbitDirection").upper(),
            "absolute_orbit": ann.int(f"{_INFO}/missionInfo/absOrbit", minimum=0),
            "orbit_accuracy": ann.text("platform/orbit/orbitHeader/accuracy")
            if ann.has("platform/orbit/orbitHeader/accuracy") else "",
            "common_prf": ann.float("productSpecific/complexImageInfo/commonPRF", positive=True)}


def _layers(ann: Annotation) -> dict:
    """``{polarization: imageData node}`` of the product's layers (in order)."""
    nodes = ann.nodes("productComponents/imageData")
    if not nodes:
        raise InputError(f"{ann.where}: missing XML element /{ROOT}/productComponents/imageData")
    out = {}
    for node in nodes:
        out[ann.text("polLayer", node).upper()] = node
    return out


def _layer(ann: Annotation, polarization) -> tuple:
    """(polarization, imageData node, layerIndex) of the chosen layer."""
    layers = _layers(ann)
    if polarization is None or not str(polarization).strip():
        if len(layers) > 1:
            raise InputError(f"{ann.where}: the product has layers {', '.join(layers)}: set "
                             "POLARIZATION (ISCE2 silently read the last one)")
        pol = next(iter(layers))
    else:
        pol = str(polarization).strip().upper()
        if pol not in layers:
            raise InputError(f"{ann.where}: no layer of polarization {pol} (the product has "
                             f"{', '.join(layers)})")
    node = layers[pol]
    index = node.get("layerIndex")
    if index is None or not index.strip().isdigit():
        raise InputError(f"{ann.where}: XML element {node.getroottree().getpath(node)} has no "
                         f"numeric layerIndex attribute (found {index!r})")
    return pol, node, index.strip()


def _by_layer(ann: Annotation, path: str, pol: str, index: str, key="polLayer"):
    """The node of ``path`` for the layer: its ``layerIndex`` attribute, else its ``polLayer``."""
    nodes = ann.nodes(path)
    for node in nodes:
        if node.get("layerIndex") == index:
            return node
    for node in nodes:
        if ann.has(key, node) and (ann.text(key, node) or "").upper() == pol:
            return node
    raise InputError(f"{ann.where}: missing XML element /{ROOT}/{path} of layer {index} ({pol})")


def _radar_grid(ann: Annotation, epoch: DateTime, first: DateTime, look: str) -> RadarGrid:
    tau = ann.float(f"{_SCENE}/rangeTime/firstPixel", positive=True)
    freq = ann.float("instrument/radarParameters/centerFrequency", positive=True)
    return RadarGrid(first.seconds_since(epoch), epoch,
                     starting_range=SPEED_OF_LIGHT * tau / 2.0,          # two-way time
                     range_pixel_spacing=SPEED_OF_LIGHT * ann.float(f"{_RASTER}/rowSpacing",
                                                                     positive=True) / 2.0,
                     length=ann.int(f"{_RASTER}/numberOfRows", minimum=1),
                     width=ann.int(f"{_RASTER}/numberOfColumns", minimum=1),
                     wavelength=SPEED_OF_LIGHT / freq, look_side=look.lower(),
                     az_time_interval=ann.float(f"{_RASTER}/columnSpacing", positive=True))


def _orbit(ann: Annotation, epoch: DateTime) -> Orbit:
    return annotation_orbit(ann, "platform/orbit/stateVec", epoch,
                            ("timeUTC", "pos{}", "vel{}", "XYZ"),
                            f"{ann.where}: /{ROOT}/platform/orbit/stateVec", ORBIT_INTERPOLATION)


def _coefficients(ann: Annotation, node, path: str) -> list:
    """Polynomial coefficients ``coefficient[@exponent]`` below ``node/path``, by exponent."""
    base = ann._node(path, node)
    found = {}
    for k, coef in enumerate(base.findall("coefficient")):
        exp = (coef.get("exponent") or "").strip()
        where = f"{coef.getroottree().getpath(coef)}"
        if not exp.isdigit():
            raise InputError(f"{ann.where}: XML element {where} has no exponent attribute "
                             f"(found {exp!r})")
        found[int(exp)] = ann.float(f"coefficient[{k + 1}]", base)
    if not found:
        raise InputError(f"{ann.where}: missing XML element "
                         f"{base.getroottree().getpath(base)}/coefficient")
    out = [0.0] * (max(found) + 1)
    for exp, value in found.items():
        out[exp] = value
    return out


def _doppler_estimates(ann: Annotation, pol: str, index: str, epoch: DateTime) -> list:
    """``[{azimuth_time, reference_point, coefficients}]`` of the layer's Doppler estimates
    (time [s since epoch], reference two-way range time [s], Hz per s^k)."""
    node = _by_layer(ann, "processing/doppler/dopplerCentroid", pol, index)
    out = []
    for est in ann.nodes("dopplerEstimate", node):
        out.append({"azimuth_time": ann.time("timeUTC", est).seconds_since(epoch),
                    "reference_point": ann.float("combinedDoppler/referencePoint", est),
                    "coefficients": _coefficients(ann, est, "combinedDoppler")})
    if not out:
        raise InputError(f"{ann.where}: missing XML element "
                         f"{node.getroottree().getpath(node)}/dopplerEstimate")
    return out


def doppler_centroid(product: SlcProduct, samples: int = 32) -> LUT2d:
    """The data Doppler centroid [Hz] of a TerraSAR-X product (its ``combinedDoppler``
    estimates) over (time [s since the product's epoch], slant range [m]), clamped outside."""
    estimates = product.attributes["doppler_centroid"]
    grid = product.radar_grid
    by_time = {e["azimuth_time"]: e for e in estimates}
    times = sorted(by_time)
    if len(times) == 1:
        times = [times[0] - 1.0, times[0] + 1.0]
        by_time = {t: estimates[0] for t in times}
    ranges = grid.starting_range + np.linspace(0.0, grid.width - 1.0, samples) * \
        grid.range_pixel_spacing
    tau = 2.0 * ranges / SPEED_OF_LIGHT
    data = np.array([np.polynomial.polynomial.polyval(tau - by_time[t]["reference_point"],
                                                      by_time[t]["coefficients"])
                     for t in times])
    return LUT2d(ranges, np.array(times), data, method="bilinear", bounds_error=False)


def _optional(ann: Annotation, path: str, node=None):
    return ann.float(path, node) if ann.has(path, node) else None


def _settings(ann: Annotation, pol: str, index: str) -> dict:
    """Range sampling rate, receive bandwidth and processed bandwidths of the layer [Hz]."""
    node = _by_layer(ann, "instrument/settings", pol, index)
    proc = "processing/processingParameter"
    return {"range_sampling_rate": ann.float("RSF", node, positive=True),
            "rx_bandwidth": ann.float("rxBandwidth", node, positive=True),
            "range_bandwidth": ann.float(f"{proc}/rangeLookBandwidth", positive=True),
            "azimuth_bandwidth": ann.float(f"{proc}/azimuthLookBandwidth", positive=True)}


def _calibration(ann: Annotation, pol: str, index: str):
    """calFactor of the layer, or None when the annotation has no calibration."""
    if not ann.nodes("calibration/calibrationConstant"):
        return None
    node = _by_layer(ann, "calibration/calibrationConstant", pol, index)
    return ann.float("calFactor", node, positive=True)


def _image_path(ann: Annotation, node, folder: str) -> str:
    """The .cos file of an imageData node (relative to the product folder)."""
    sub = ann.text("file/location/path", node)
    name = ann.text("file/location/filename", node)
    if os.path.isabs(sub) or os.path.isabs(name) or ".." in sub.split("/") + name.split("/"):
        raise InputError(f"{ann.where}: {node.getroottree().getpath(node)}/file/location points "
                         f"outside the product folder ({sub}/{name})")
    return os.path.join(folder, sub, name)


def read_terrasarx(xml, polarization=None) -> SlcProduct:
    """Read a TerraSAR-X/TanDEM-X SSC stripmap product (its main annotation ``xml``) into an
    SlcProduct whose image is the COSAR file (checked against the annotation here)."""
    xml = os.fspath(xml)
    ann = _load_xml(xml, "TerraSAR-X main annotation")
    facts = _facts(ann)
    pol, node, index = _layer(ann, polarization)
    first = ann.time(f"{_SCENE}/start/timeUTC")
    epoch = _epoch(first)
    grid = _radar_grid(ann, epoch, first, facts["look_direction"])
    folder = os.path.dirname(os.path.abspath(xml))
    image = _image_path(ann, node, folder)
    size = ann.int("file/size", node, minimum=0) if ann.has("file/size", node) else None
    cosar_layout(image, grid.length, grid.width, xml_size=size,
                 xml_where=f"{ann.where}: XML element {node.getroottree().getpath(node)}/file/size")
    settings = _settings(ann, pol, index)
    if abs(facts["common_prf"] * grid.az_time_interval - 1.0) > 1e-6:
        log.warning("%s: commonPRF %.6f Hz, the line spacing (columnSpacing) gives %.6f Hz: "
                    "the image grid follows columnSpacing", ann.where, facts["common_prf"],
                    grid.prf)
    facts.update(settings, polarization=pol, layer_index=int(index), annotation=xml,
                 image=image, stop_time=str(ann.time(f"{_SCENE}/stop/timeUTC")),
                 doppler_centroid=_doppler_estimates(ann, pol, index, epoch),
                 calibration_factor=_calibration(ann, pol, index),
                 beam=ann.text(f"{_ACQ}/elevationBeamConfiguration")
                 if ann.has(f"{_ACQ}/elevationBeamConfiguration") else "")
    facts.update(_georef_facts(folder, epoch))
    return SlcProduct(
        radar_grid=grid, orbit=_orbit(ann, epoch), doppler=zero_doppler(),
        center_frequency=ann.float("instrument/radarParameters/centerFrequency", positive=True),
        range_bandwidth=settings["range_bandwidth"],
        azimuth_bandwidth=settings["azimuth_bandwidth"],
        range_sampling_rate=settings["range_sampling_rate"], polarization=pol,
        platform=MISSIONS[facts["mission_id"]], mission=facts["mission_id"],
        orbit_type=facts["orbit_accuracy"], source=ImageSource("cosar", image), attributes=facts)


# ---------------------------------------------------------------------------- GEOREF
@dataclass(frozen=True)
class GeolocationGrid:
    """The GEOREF geolocation grid, (azimuth, range) points: ``times`` [s since ``epoch``],
    ``ranges`` [m] (c·(tauReferenceTime + tau)/2), ``lat``, ``lon`` [deg], ``height`` [m];
    ``range_delay`` [s, two-way] and ``azimuth_shift`` [s]: the signal propagation
    corrections the annotation lists (constant terms summed)."""

    epoch: DateTime
    times: np.ndarray
    ranges: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    height: np.ndarray
    range_delay: float
    azimuth_shift: float


def _grid_dims(ann: Annotation) -> tuple:
    base = "geolocationGrid/numberOfGridPoints"
    n_az = ann.int(f"{base}/azimuth", minimum=1)
    n_rg = ann.int(f"{base}/range", minimum=1)
    if ann.has(f"{base}/total") and ann.int(f"{base}/total") != n_az * n_rg:
        raise InputError(f"{ann.where}: XML element {ann._name(f'{base}/total')} = "
                         f"{ann.int(f'{base}/total')}, azimuth x range = {n_az * n_rg}")
    return n_az, n_rg


def _propagation(ann: Annotation, name: str) -> float:
    """Sum of the constant terms of ``signalPropagationEffects/<name>`` entries [s]."""
    total = 0.0
    for node in ann.nodes(f"signalPropagationEffects/{name}"):
        total += _coefficients(ann, node, ".")[0]
    return total


def read_georef(path, epoch: DateTime | None = None) -> GeolocationGrid:
    """The geolocation grid of a ``GEOREF.xml`` (times relative to ``epoch``, default its
    tReferenceTimeUTC floored to the second)."""
    ann = _load_xml(path, "TerraSAR-X GEOREF annotation")
    n_az, n_rg = _grid_dims(ann)
    ref = "geolocationGrid/gridReferenceTime"
    t_ref = ann.time(f"{ref}/tReferenceTimeUTC")
    tau_ref = ann.float(f"{ref}/tauReferenceTime")
    epoch = _epoch(t_ref) if epoch is None else epoch
    values = np.full((5, n_az, n_rg), np.nan)
    for node in ann.nodes("geolocationGrid/gridPoint"):
        where = node.getroottree().getpath(node)
        try:
            iaz, irg = int(node.get("iaz")), int(node.get("irg"))
        except (TypeError, ValueError):
            raise InputError(f"{ann.where}: XML element {where} lacks numeric iaz/irg "
                             "attributes") from None
        if not (1 <= iaz <= n_az and 1 <= irg <= n_rg):
            raise InputError(f"{ann.where}: XML element {where} (iaz={iaz}, irg={irg}) lies "
                             f"outside the {n_az} x {n_rg} grid")
        values[:, iaz - 1, irg - 1] = [ann.float(k, node) for k in ("t", "tau", "lat", "lon",
                                                                      "height")]
    if np.isnan(values).any():
        raise InputError(f"{ann.where}: /geoReference/geolocationGrid has "
                         f"{int(np.isnan(values[0]).sum())} of its {n_az} x {n_rg} gridPoint "
                         "elements missing")
    return GeolocationGrid(epoch, t_ref.seconds_since(epoch) + values[0],
                           SPEED_OF_LIGHT * (tau_ref + values[1]) / 2.0, values[2], values[3],
                           values[4], _propagation(ann, "rangeDelay"),
                           _propagation(ann, "azimuthShift"))


def _georef_facts(folder: str, epoch: DateTime) -> dict:
    """The GEOREF path and its propagation corrections (checked), or a warning without it."""
    path = os.path.join(folder, GEOREF)
    if not os.path.isfile(path):
        log.warning("%s: no %s (the geolocation grid is not needed to process)", folder, GEOREF)
        return {"georef": None}
    grid = read_georef(path, epoch)
    return {"georef": path, "georef_points": list(grid.lat.shape),
            "range_delay": grid.range_delay, "azimuth_shift": grid.azimuth_shift}


# ---------------------------------------------------------------------------- COSAR
@dataclass(frozen=True)
class CosarLayout:
    """Where the lines of a one-burst COSAR file are: ``line_bytes`` (RTNB), ``lines`` (AS),
    ``samples`` (RS), ``first_valid``/``last_valid`` azimuth sample per range sample
    (ASFV/ASLV, 1-based; 0 or a last below the first: no valid sample)."""

    path: str
    line_bytes: int
    lines: int
    samples: int
    first_valid: np.ndarray
    last_valid: np.ndarray

    def line_offset(self, line: int) -> int:
        """Byte offset of image line ``line`` (0-based): after the 4 annotation lines."""
        return (ANNOTATION_LINES + line) * self.line_bytes


def _read_at(handle, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset`` (fewer at the end of the file)."""
    handle.seek(offset)
    return handle.read(size)


def _cosar_error(path, offset: int, message: str) -> InputError:
    return InputError(f"{display(path)}: byte offset {offset}: {message}")


def _burst_header(path, handle, size: int) -> dict:
    """The 48-byte burst annotation at offset 0 (magic and version checked)."""
    if size < COSAR_HEADER.size:
        raise _cosar_error(path, size, f"file ends after {size} bytes, the COSAR burst "
                                       f"annotation needs {COSAR_HEADER.size}: truncated")
    head = dict(zip(COSAR_FIELDS, COSAR_HEADER.unpack(_read_at(handle, 0, COSAR_HEADER.size))))
    if head["magic"] != COSAR_MAGIC:
        raise _cosar_error(path, COSAR_OFFSETS["magic"], f"format magic is {head['magic']!r}, "
                                                         f"expected {COSAR_MAGIC!r}: not a COSAR file")
    if head["version"] != COSAR_VERSION:
        raise _cosar_error(path, COSAR_OFFSETS["version"], f"COSAR version {head['version']}: "
                                                           "only version 1 (int16 samples) is read")
    return head


def _check_header(path, head: dict, lines: int, samples: int, size: int) -> None:
    """The burst annotation against the XML's image size and the file size (one burst)."""
    expect = {"RS": samples, "AS": lines, "BI": 1, "RTNB": _WORD * (samples + 2)}
    expect["BIB"] = expect["RTNB"] * (lines + ANNOTATION_LINES)
    expect["TNL"] = lines + ANNOTATION_LINES
    for key in ("RS", "AS", "RTNB", "BI", "BIB", "TNL"):
        if head[key] != expect[key]:
            raise _cosar_error(path, COSAR_OFFSETS[key], f"{key} = {head[key]}, the XML's "
                                                         f"{lines} x {samples} stripmap image "
                                                         f"(one burst) needs {expect[key]}")
    if size < head["BIB"]:
        raise _cosar_error(path, size, f"file ends after {size} bytes, its burst (BIB at byte "
                                       f"0) holds {head['BIB']}: truncated")
    if size > head["BIB"]:
        raise _cosar_error(path, head["BIB"], f"{size - head['BIB']} bytes after the burst: a "
                                              "second burst? the XML describes a one-burst "
                                              "stripmap image")


def _azimuth_validity(path, handle, head: dict) -> tuple:
    """ASFV, ASLV per range sample (annotation lines 3 and 4), range-checked."""
    rtnb, rs, az = head["RTNB"], head["RS"], head["AS"]
    out = []
    for k in (2, 3):
        words = np.frombuffer(_read_at(handle, k * rtnb + 2 * _WORD, rs * _WORD), dtype=">u4")
        bad = np.nonzero(words > az)[0]
        if bad.size:
            j = int(bad[0])
            name = "ASFV" if k == 2 else "ASLV"
            raise _cosar_error(path, k * rtnb + (2 + j) * _WORD,
                               f"{name} of range sample {j + 1} is {int(words[j])}, the burst "
                               f"has {az} azimuth samples")
        out.append(words.astype(np.int64))
    return out[0], out[1]


def cosar_layout(path, lines: int, samples: int, *, xml_size=None, xml_where="") -> CosarLayout:
    """Check a COSAR file against the XML's image size (``lines`` x ``samples``, one burst)
    and its own burst annotation (BIB, TNL against the file size); return where its lines
    are. InputError naming file and byte offset. The XML's ``file/size`` (``xml_size``) only
    warns when it differs: the burst annotation is the file's own record of its size."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise InputError(f"{display(path)}: no such file (COSAR image of the TerraSAR-X product)")
    size = os.path.getsize(path)
    if xml_size is not None and xml_size != size:
        log.warning("%s = %d, the COSAR file %s has %d bytes", xml_where, xml_size,
                    display(path), size)
    with open(path, "rb") as handle:
        head = _burst_header(path, handle, size)
        _check_header(path, head, lines, samples, size)
        first, last = _azimuth_validity(path, handle, head)
    return CosarLayout(path, head["RTNB"], lines, samples, first, last)


def _line_windows(layout: CosarLayout, raw: np.ndarray, start: int) -> np.ndarray:
    """(n, 2) RSFV/RSLV of ``raw`` lines (1-based; checked against RS)."""
    win = raw[:, :2 * _WORD].copy().view(">u4").astype(np.int64)
    bad = np.nonzero((win[:, 0] > layout.samples + 1) | (win[:, 1] > layout.samples))[0]
    if bad.size:
        i = int(bad[0])
        raise _cosar_error(layout.path, layout.line_offset(start + i),
                           f"range line {start + i + 1}: RSFV, RSLV = {win[i, 0]}, {win[i, 1]} "
                           f"outside the {layout.samples} range samples")
    return win


def _decode_lines(layout: CosarLayout, raw: np.ndarray, start: int) -> np.ndarray:
    """complex64 (n, RS) of raw range lines, 0 outside the valid windows."""
    n = raw.shape[0]
    iq = raw[:, 2 * _WORD:].copy().view(">i2").reshape(n, layout.samples, 2)
    out = np.empty((n, layout.samples), np.complex64)
    out.real = iq[..., 0]
    out.imag = iq[..., 1]
    win = _line_windows(layout, raw, start)
    j = np.arange(1, layout.samples + 1)
    i = np.arange(start + 1, start + n + 1)[:, None]
    valid = (j >= win[:, :1]) & (j <= win[:, 1:]) & (win[:, :1] > 0)
    valid &= (i >= layout.first_valid) & (i <= layout.last_valid) & (layout.first_valid > 0)
    out[~valid] = 0
    return out


def _read_lines(layout: CosarLayout, handle, start: int, stop: int) -> np.ndarray:
    """complex64 image lines [start, stop) read in one piece."""
    offset, size = layout.line_offset(start), (stop - start) * layout.line_bytes
    data = _read_at(handle, offset, size)
    if len(data) != size:
        raise _cosar_error(layout.path, offset + len(data),
                           f"file ends inside range line {start + len(data) // layout.line_bytes + 1}"
                           ": truncated")
    raw = np.frombuffer(data, np.uint8).reshape(stop - start, layout.line_bytes)
    return _decode_lines(layout, raw, start)


def read_cosar(path, rows, cols, shape) -> np.ndarray:
    """complex64 ``[rows, cols]`` of a one-burst COSAR file of ``shape`` (lines, samples),
    reading only those lines (rows: int or slice, as normalised by the product)."""
    layout = cosar_layout(path, *shape)
    r = slice(rows, rows + 1) if isinstance(rows, (int, np.integer)) else rows
    with open(layout.path, "rb") as handle:
        if (r.step or 1) == 1:
            block = _read_lines(layout, handle, r.start, max(r.stop, r.start))
        else:
            picks = range(r.start, r.stop, r.step)
            block = np.concatenate([_read_lines(layout, handle, k, k + 1) for k in picks]) \
                if len(picks) else np.empty((0, layout.samples), np.complex64)
    block = block[:, cols]
    return block[0] if isinstance(rows, (int, np.integer)) else block


# ---------------------------------------------------------------------------- component
class TerraSarX(Sensor):
    """Reader of TerraSAR-X/TanDEM-X SSC stripmap products, ISCE2's ``TERRASARX``."""

    sensor_name = "TERRASARX"
    parameters = (
        Parameter("xml", public_name="XML", type="path", default=None, mandatory=True,
                  doc="The product's main annotation, TSX1_SAR__SSC______SM_..._<stop>.xml "
                      "(or TDX1_...), in its product folder (ANNOTATION/, IMAGEDATA/ beside it)."),
        Parameter("polarization", public_name="POLARIZATION", type=str, default=None,
                  doc="Layer to read (HH, VV, HV, VH); needed only when the product has "
                      "several (not an ISCE2 property: ISCE2 read the last layer)."),
    )

    def validate(self) -> None:
        value = self.polarization
        if value is not None and str(value).strip():
            text = str(value).strip().upper()
            if text not in ("HH", "HV", "VH", "VV"):
                raise ConfigurationError(f"POLARIZATION {value!r}: expected one of HH, HV, VH, VV",
                                         path=f"{self.config_path}.POLARIZATION")
            self.polarization = text

    def read_product(self) -> SlcProduct:
        path = self.require("xml")
        self.validate()
        return read_terrasarx(path, self.polarization)
