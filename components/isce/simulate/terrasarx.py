"""Writer of TerraSAR-X / TanDEM-X SSC stripmap products (main annotation, GEOREF, COSAR).

:func:`write_terrasarx` turns any focused :class:`~isce.sensors.product.SlcProduct` (e.g. a
simulated SLC, or one read from another format) into the folder DLR delivers, following
TX-GS-DD-3302/3307 and read back by :mod:`isce.sensors.terrasarx` (whose format tables it
uses)::

    <folder>/<name>/TSX1_SAR__SSC______SM_S_SRA_<start>_<stop>/
        TSX1_SAR__SSC______SM_S_SRA_<start>_<stop>.xml       main annotation (written last)
        ANNOTATION/GEOREF.xml                                geolocation grid
        IMAGEDATA/IMAGE_<pol>_SRA_<beam>.cos                 COSAR image, one burst

(``TDX1_`` for a TanDEM-X product: ``product.mission`` ``TDX-1`` or a platform naming
TanDEM-X). Conventions:

* the SSC is zero-Doppler: the image grid is the product's; its data Doppler centroid (the
  ``doppler_centroid`` estimates of a TerraSAR-X product, else ``product.doppler`` sampled
  at 5 times) is written as ``combinedDoppler`` polynomials in two-way range time;
* times are written to the annotation's 1 µs (rounded); ranges as two-way times and the
  line spacing as ``columnSpacing``, each the float whose conversion back (c·τ/2, 1/Δt)
  gives the product's value exactly;
* pixels: int16 I/Q scaled by one gain, ``GAIN_PEAK / peak`` with the peak the largest
  |I| or |Q| of the whole image (a first pass over the blocks), so nothing clips (every
  block is checked anyway); ``calibration/calibrationConstant/calFactor`` = 1/gain² (β0 =
  calFactor·|DN|², so calibrated values equal the input's |p|²). Each range line's
  RSFV/RSLV and each range sample's ASFV/ASLV bracket its non-zero samples (the whole line
  or column when it has none);
* GEOREF: an 11 x 11 (at most) grid of rdr2geo points on the ellipsoid (height 0) spanning
  the image, no propagation delay (the simulator has no atmosphere).

Written block by block (memory bounded by the block); the COSAR file atomically, the main
annotation last, so a folder without it is an interrupted write.
"""
from __future__ import annotations

import os

import numpy as np
from lxml import etree

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.geometry.rdr2geo import rdr2geo_points
from isce.io.atomic import replacing
from isce.sensors.product import DEFAULT_BLOCK_LINES, SlcProduct
from isce.sensors.terrasarx import (ANNOTATION_LINES, COSAR_HEADER, COSAR_MAGIC, COSAR_VERSION,
                                    FILLER, GEOREF, MISSIONS, ROOT)

from .orbit import look_angle
from .quantize import image_peak

__all__ = ["write_terrasarx", "GAIN_PEAK", "product_name"]

#: the image's largest |I| or |Q| is written as this many counts (int16 holds 32767)
GAIN_PEAK = 30000.0
#: GEOREF grid points per direction (at most)
GRID_POINTS = 11
#: beam name of the files when the product does not carry one (the beam table is not modelled)
DEFAULT_BEAM = "strip_007"
_WORD = 4


# ---------------------------------------------------------------------------- names and values
def _mission(product: SlcProduct) -> str:
    """``TSX-1`` or ``TDX-1`` for the product."""
    if product.mission in MISSIONS:
        return product.mission
    text = f"{product.mission} {product.platform}".lower()
    return "TDX-1" if ("tandem" in text or "tdx" in text) else "TSX-1"


def _microseconds(t: DateTime) -> DateTime:
    """``t`` rounded to the annotation's 1 µs."""
    ns = t.nanoseconds_since_unix_epoch
    return DateTime.from_nanoseconds(((ns + 500) // 1000) * 1000)


def _utc(t: DateTime, zone: str = "Z") -> str:
    return _microseconds(t).isoformat(digits=6) + zone


def _compact(t: DateTime) -> str:
    return _microseconds(t).isoformat(digits=0).replace("-", "").replace(":", "")


def product_name(product: SlcProduct) -> str:
    """DLR's product name, e.g. ``TSX1_SAR__SSC______SM_S_SRA_20091205T042212_20091205T042220``."""
    g = product.radar_grid
    prefix = _mission(product).replace("-", "")
    return (f"{prefix}_SAR__SSC______SM_S_SRA_{_compact(g.sensing_datetime(0))}_"
            f"{_compact(g.sensing_datetime(g.length - 1))}")


def _inverse(target: float, forward, guess: float) -> float:
    """The float x near ``guess`` with ``forward(x) == target`` (``guess`` when none of its
    neighbours within 16 ulps gives it exactly)."""
    x = best = float(guess)
    for direction in (np.inf, -np.inf):
        x = float(guess)
        for _ in range(16):
            if forward(x) == target:
                return x
            x = float(np.nextafter(x, direction))
    return best


def _two_way(r: float) -> float:
    """Two-way time τ [s] with c·τ/2 == ``r`` [m] (as the reader converts)."""
    return _inverse(r, lambda t: SPEED_OF_LIGHT * t / 2.0, 2.0 * r / SPEED_OF_LIGHT)


def _num(value) -> str:
    return repr(float(value))


def _el(parent, tag: str, text=None, **attrs):
    node = etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = text if isinstance(text, str) else _num(text) if isinstance(
            text, (float, np.floating)) else str(text)
    return node


def _tree(root, path) -> None:
    """Write an XML tree atomically."""
    with replacing(path) as temp:
        etree.ElementTree(root).write(temp, xml_declaration=True, encoding="UTF-8",
                                      pretty_print=True)


# ---------------------------------------------------------------------------- COSAR
def _peak(product: SlcProduct, block_lines: int) -> float:
    """Largest |I| or |Q| of the image (first pass, block by block)."""
    peak, bad = image_peak(product, block_lines)
    if bad:
        raise InputError(f"{product.source.describe()}: the image holds NaN or inf samples: "
                         "cannot be written as COSAR int16")
    return peak


def _quantize(block: np.ndarray, gain: float, rows: slice) -> tuple:
    """(I, Q) int16 of ``gain·block``; InputError if anything would clip."""
    re = np.rint(block.real.astype(np.float64) * gain)
    im = np.rint(block.imag.astype(np.float64) * gain)
    worst = max(float(np.max(np.abs(re), initial=0)), float(np.max(np.abs(im), initial=0)))
    if worst > 32767:
        raise InputError(f"lines {rows.start}-{rows.stop - 1}: a sample of {worst:.0f} counts "
                         "would clip in int16 (the gain came from the image's peak)")
    return re.astype(np.int16), im.astype(np.int16)


def _windows(nonzero: np.ndarray) -> np.ndarray:
    """(n, 2) first/last (1-based) non-zero sample per row; the whole row when none."""
    n, m = nonzero.shape
    out = np.empty((n, 2), np.int64)
    has = nonzero.any(axis=1)
    out[:, 0] = np.where(has, np.argmax(nonzero, axis=1) + 1, 1)
    out[:, 1] = np.where(has, m - np.argmax(nonzero[:, ::-1], axis=1), m)
    return out


def _header(lines: int, samples: int) -> bytes:
    """The burst-info annotation line (RTNB bytes)."""
    rtnb = _WORD * (samples + 2)
    head = COSAR_HEADER.pack(rtnb * (lines + ANNOTATION_LINES), 1, samples, lines, 1, rtnb,
                             lines + ANNOTATION_LINES, COSAR_MAGIC, COSAR_VERSION, 1, 0.0)
    filler = np.full((rtnb - len(head)) // _WORD, FILLER, ">u4").tobytes()
    return head + filler


def _azimuth_line(values) -> bytes:
    """An azimuth annotation line: two filler words, then one word per range sample."""
    return np.concatenate([[FILLER, FILLER], np.asarray(values)]).astype(">u4").tobytes()


def _line_bytes(re: np.ndarray, im: np.ndarray, windows: np.ndarray) -> bytes:
    n, m = re.shape
    out = np.empty((n, _WORD * (m + 2)), np.uint8)
    out[:, :2 * _WORD] = windows.astype(">u4").view(np.uint8).reshape(n, 2 * _WORD)
    iq = np.empty((n, m, 2), ">i2")
    iq[..., 0], iq[..., 1] = re, im
    out[:, 2 * _WORD:] = iq.view(np.uint8).reshape(n, -1)
    return out.tobytes()


def _write_cosar(product: SlcProduct, path: str, gain: float, block_lines: int) -> None:
    """The one-burst COSAR file of the product's pixels (block by block, atomically)."""
    lines, samples = product.shape
    rtnb = _WORD * (samples + 2)
    first = np.zeros(samples, np.int64)                  # per column: first/last non-zero line
    last = np.zeros(samples, np.int64)
    with replacing(path) as temp:
        with open(temp, "wb") as fh:
            fh.write(_header(lines, samples))
            fh.write(_azimuth_line(np.ones(samples)) * 3)     # ASRI, ASFV, ASLV (filled below)
            for rows, block in product.iter_blocks(block_lines):
                re, im = _quantize(block, gain, rows)
                nonzero = (re != 0) | (im != 0)
                fh.write(_line_bytes(re, im, _windows(nonzero)))
                seen = nonzero.any(axis=0)
                new = seen & (first == 0)
                first[new] = rows.start + np.argmax(nonzero[:, new], axis=0) + 1
                last[seen] = rows.start + nonzero.shape[0] - np.argmax(nonzero[::-1, seen], axis=0)
            fh.seek(2 * rtnb)
            fh.write(_azimuth_line(np.where(first > 0, first, 1)))
            fh.write(_azimuth_line(np.where(first > 0, last, lines)))


# ---------------------------------------------------------------------------- GEOREF
def _grid_axes(product: SlcProduct) -> tuple:
    """Line and sample positions of the GEOREF grid (spanning the image)."""
    g = product.radar_grid
    n_az, n_rg = min(GRID_POINTS, g.length), min(GRID_POINTS, g.width)
    return np.linspace(0.0, g.length - 1.0, n_az), np.linspace(0.0, g.width - 1.0, n_rg)


def _geolocate(product: SlcProduct, lines, samples) -> tuple:
    """(llh [deg, deg, m], incidence [deg], look [deg]) of (line, sample) pairs at height 0."""
    g = product.radar_grid
    t = g.sensing_start + lines / g.prf
    r = g.starting_range + samples * g.range_pixel_spacing
    llh, ok = rdr2geo_points(t, r, product.orbit, product.wavelength, product.look_side,
                             heights=np.zeros(len(t)))
    if not np.all(ok):
        raise InputError("the GEOREF grid: rdr2geo did not converge for every grid point")
    target = WGS84.lon_lat_to_xyz(llh)
    pos = product.orbit.interpolate(t)[0]
    los = (target - pos) / np.linalg.norm(target - pos, axis=1)[:, None]
    normal = WGS84.n_vector(llh[:, 0], llh[:, 1])
    inc = np.degrees(np.arccos(np.clip(-np.sum(los * normal, axis=1), -1.0, 1.0)))
    deg = np.column_stack([np.degrees(llh[:, 1]), np.degrees(llh[:, 0]), llh[:, 2]])
    return deg, inc, np.degrees(look_angle(pos, target))


def _header_node(root, name: str, mission: str, item: str) -> None:
    head = _el(root, "generalHeader", fileName=name, fileVersion="1", status="SIMULATED")
    _el(head, "itemName", item)
    _el(head, "mission", mission)
    _el(head, "source", "isce.simulate")
    _el(head, "generationSystem", "isce.simulate.terrasarx", version="1")
    _el(head, "referenceDocument", "TX-GS-DD-3307")


def _write_georef(product: SlcProduct, path: str, mission: str) -> tuple:
    """GEOREF.xml; returns the corner and centre points (llh, incidence) for the annotation."""
    g = product.radar_grid
    lines, samples = _grid_axes(product)
    ll, ss = np.meshgrid(lines, samples, indexing="ij")
    llh, inc, look = _geolocate(product, ll.ravel(), ss.ravel())
    tau0 = _two_way(g.starting_range)
    root = etree.Element("geoReference")
    _header_node(root, "GEOREF.xml", mission, "GEOREF")
    grid = _el(root, "geolocationGrid")
    count = _el(grid, "numberOfGridPoints")
    _el(count, "azimuth", len(lines))
    _el(count, "range", len(samples))
    _el(count, "total", ll.size)
    step = _el(grid, "spacingOfGridPoints")
    _el(step, "azimuth", float(lines[1] - lines[0]) / g.prf if len(lines) > 1 else 0.0)
    _el(step, "range", 2.0 * float(samples[1] - samples[0]) * g.range_pixel_spacing /
        SPEED_OF_LIGHT if len(samples) > 1 else 0.0)
    ref = _el(grid, "gridReferenceTime")
    t_ref = _microseconds(g.sensing_datetime(0))
    _el(ref, "tReferenceTimeUTC", _utc(t_ref))
    _el(ref, "tauReferenceTime", tau0)
    t_rel = g.sensing_datetime(0).seconds_since(t_ref) + ll.ravel() / g.prf
    tau_rel = 2.0 * ss.ravel() * g.range_pixel_spacing / SPEED_OF_LIGHT
    for k in range(ll.size):
        point = _el(grid, "gridPoint", iaz=k // len(samples) + 1, irg=k % len(samples) + 1)
        for tag, value in (("t", t_rel[k]), ("tau", tau_rel[k]), ("lat", llh[k, 0]),
                           ("lon", llh[k, 1]), ("height", llh[k, 2]), ("inc", inc[k]),
                           ("elev", look[k])):
            _el(point, tag, float(value))
    effects = _el(root, "signalPropagationEffects")
    for name in ("rangeDelay", "azimuthShift"):
        node = _el(effects, name)
        _el(node, "polynomialDegree", 0)
        _el(node, "coefficient", 0.0, exponent=0)
    _tree(root, path)
    corners = [0, len(samples) - 1, ll.size - len(samples), ll.size - 1]
    centre = (len(lines) // 2) * len(samples) + len(samples) // 2
    return [(ll.ravel()[k], ss.ravel()[k], llh[k], inc[k]) for k in corners + [centre]]


# ---------------------------------------------------------------------------- main annotation
def _doppler_estimates(product: SlcProduct) -> list:
    """[(time [s since epoch], reference two-way time [s], coefficients)] to write."""
    own = product.attributes.get("doppler_centroid")
    if isinstance(own, list) and own and "reference_point" in own[0]:
        return [(e["azimuth_time"], e["reference_point"], list(e["coefficients"])) for e in own]
    g = product.radar_grid
    ranges = g.starting_range + np.linspace(0.0, g.width - 1.0, 16) * g.range_pixel_spacing
    tau = 2.0 * ranges / SPEED_OF_LIGHT
    tau_ref = float(tau[len(tau) // 2])
    out = []
    for t in np.linspace(g.sensing_start, g.sensing_stop, 5):
        fd = np.array([float(product.doppler.eval(float(t), float(r))) for r in ranges])
        coefs = [0.0] if not np.any(fd) else np.polynomial.polynomial.polyfit(
            tau - tau_ref, fd, 2).tolist()
        out.append((float(t), tau_ref, coefs))
    return out


def _product_components(root, product: SlcProduct, cos_name: str, cos_size: int) -> None:
    comp = _el(root, "productComponents")
    ann = _el(comp, "annotation")
    _el(ann, "type", "GEOREF")
    loc = _el(_el(ann, "file"), "location")
    _el(loc, "host", ".")
    _el(loc, "path", os.path.dirname(GEOREF))
    _el(loc, "filename", os.path.basename(GEOREF))
    image = _el(comp, "imageData", layerIndex=1)
    _el(image, "polLayer", product.polarization or "HH")
    file_node = _el(image, "file")
    loc = _el(file_node, "location")
    _el(loc, "host", ".")
    _el(loc, "path", "IMAGEDATA")
    _el(loc, "filename", cos_name)
    _el(file_node, "size", cos_size)


def _scene_info(info, product: SlcProduct, points) -> None:
    g = product.radar_grid
    scene = _el(info, "sceneInfo")
    _el(scene, "sceneID", product_name(product))
    for tag, line in (("start", 0), ("stop", g.length - 1)):
        _el(_el(scene, tag), "timeUTC", _utc(g.sensing_datetime(line)))
    rng = _el(scene, "rangeTime")
    _el(rng, "firstPixel", _two_way(g.starting_range))
    _el(rng, "lastPixel", 2.0 * (g.starting_range + (g.width - 1) * g.range_pixel_spacing)
        / SPEED_OF_LIGHT)
    for tag, (line, sample, llh, inc) in zip(["sceneCornerCoord"] * 4 + ["sceneCenterCoord"],
                                             points):
        node = _el(scene, tag)
        _el(node, "refRow", int(round(line)) + 1)
        _el(node, "refColumn", int(round(sample)) + 1)
        _el(node, "lat", float(llh[0]))
        _el(node, "lon", float(llh[1]))
        _el(node, "azimuthTimeUTC", _utc(g.sensing_datetime(line)))
        _el(node, "rangeTime", 2.0 * (g.starting_range + sample * g.range_pixel_spacing)
            / SPEED_OF_LIGHT)
        _el(node, "incidenceAngle", float(inc))
    _el(scene, "sceneAverageHeight", 0.0)


def _product_info(root, product: SlcProduct, mission: str, beam: str, points) -> None:
    g = product.radar_grid
    info = _el(root, "productInfo")
    gen = _el(info, "generationInfo")
    _el(gen, "level1ProcessingFacility", "isce.simulate")
    mi = _el(info, "missionInfo")
    _el(mi, "mission", mission)
    _el(mi, "absOrbit", int(product.attributes.get("absolute_orbit", 0)))
    _el(mi, "orbitDirection", _pass(product))
    acq = _el(info, "acquisitionInfo")
    _el(acq, "sensor", "SAR")
    _el(acq, "imagingMode", "SM")
    _el(acq, "lookDirection", g.look_side.upper())
    _el(acq, "polarisationMode", "SINGLE")
    _el(_el(acq, "polarisationList"), "polLayer", product.polarization or "HH")
    _el(acq, "elevationBeamConfiguration", beam)
    var = _el(info, "productVariantInfo")
    _el(var, "productType", "SSC")
    _el(var, "productVariant", "SSC")
    _el(var, "projection", "SLANTRANGE")
    data = _el(info, "imageDataInfo")
    _el(data, "imageDataFormat", "COSAR")
    _el(data, "numberOfLayers", 1)
    _el(data, "imageDataDepth", 16)
    raster = _el(data, "imageRaster")
    _el(raster, "numberOfRows", g.length)
    _el(raster, "numberOfColumns", g.width)
    _el(raster, "rowSpacing", _inverse(g.range_pixel_spacing, lambda x: SPEED_OF_LIGHT * x / 2.0,
                                       2.0 * g.range_pixel_spacing / SPEED_OF_LIGHT), units="s")
    _el(raster, "columnSpacing", _inverse(g.prf, lambda x: 1.0 / x, 1.0 / g.prf), units="s")
    _scene_info(info, product, points)


def _pass(product: SlcProduct) -> str:
    """ASCENDING or DESCENDING from the orbit's z velocity at mid-scene."""
    vel = product.orbit.interpolate(product.radar_grid.sensing_mid)[1]
    return "ASCENDING" if float(np.ravel(vel)[2]) >= 0 else "DESCENDING"


def _platform(root, product: SlcProduct) -> None:
    orbit, epoch = product.orbit, product.reference_epoch
    plat = _el(_el(root, "platform"), "orbit")
    head = _el(plat, "orbitHeader")
    _el(head, "accuracy", product.orbit_type if product.orbit_type in
        ("SCIE", "RAPD", "PRED", "REFE", "QUKL") else "SCIE")
    _el(head, "stateVectorRefFrame", "WGS84")
    _el(head, "numStateVectors", len(orbit))
    for k in range(len(orbit)):
        vec = _el(plat, "stateVec", maneuver="NO", num=k + 1, qualInd=1)
        _el(vec, "timeUTC", _utc(epoch + float(orbit.time[k]), zone=""))
        for name, values in (("pos", orbit.position[k]), ("vel", orbit.velocity[k])):
            for axis, value in zip("XYZ", values):
                _el(vec, f"{name}{axis}", float(value))


def _instrument(root, product: SlcProduct) -> None:
    g = product.radar_grid
    inst = _el(root, "instrument")
    _el(_el(inst, "radarParameters"), "centerFrequency", float(product.center_frequency))
    settings = _el(inst, "settings")
    _el(settings, "polLayer", product.polarization or "HH")
    _el(settings, "rxBandwidth", float(product.range_bandwidth or SPEED_OF_LIGHT /
                                       (2 * g.range_pixel_spacing)), code=0)
    _el(settings, "RSF", float(product.range_sampling_rate or SPEED_OF_LIGHT /
                               (2 * g.range_pixel_spacing)), code=0)


def _processing(root, product: SlcProduct) -> None:
    g, epoch = product.radar_grid, product.reference_epoch
    proc = _el(root, "processing")
    geometry = _el(proc, "geometry")
    vel = product.orbit.interpolate(g.sensing_mid)[1]
    _el(_el(geometry, "zeroDopplerVelocity"), "velocity", float(np.linalg.norm(vel)))
    cent = _el(_el(proc, "doppler"), "dopplerCentroid", layerIndex=1)
    _el(cent, "polLayer", product.polarization or "HH")
    estimates = _doppler_estimates(product)
    _el(cent, "numberOfDopplerRecords", len(estimates))
    mid = 2.0 * (g.starting_range + (g.width - 1) / 2 * g.range_pixel_spacing) / SPEED_OF_LIGHT
    for t, tau_ref, coefs in estimates:
        est = _el(cent, "dopplerEstimate")
        _el(est, "timeUTC", _utc(epoch + float(t)))
        _el(est, "dopplerAtMidRange", float(np.polynomial.polynomial.polyval(mid - tau_ref,
                                                                            coefs)))
        comb = _el(est, "combinedDoppler")
        _el(comb, "referencePoint", float(tau_ref))
        _el(comb, "polynomialDegree", len(coefs) - 1)
        for k, c in enumerate(coefs):
            _el(comb, "coefficient", float(c), exponent=k)
    par = _el(proc, "processingParameter")
    rbw = float(product.range_bandwidth or SPEED_OF_LIGHT / (2 * g.range_pixel_spacing))
    abw = float(product.azimuth_bandwidth or g.prf)
    for tag, value in (("rangeLookBandwidth", rbw), ("azimuthLookBandwidth", abw),
                       ("totalProcessedRangeBandwidth", rbw),
                       ("totalProcessedAzimuthBandwidth", abw)):
        _el(par, tag, value)


def _write_main(product: SlcProduct, path: str, mission: str, beam: str, cos_name: str,
                cos_size: int, gain: float, points) -> None:
    g = product.radar_grid
    root = etree.Element(ROOT)
    _header_node(root, os.path.basename(path), mission, "LEVEL1_PRODUCT")
    _product_components(root, product, cos_name, cos_size)
    _product_info(root, product, mission, beam, points)
    spec = _el(_el(root, "productSpecific"), "complexImageInfo")
    _el(spec, "commonPRF", float(g.prf))
    _el(spec, "commonRSF", float(product.range_sampling_rate or SPEED_OF_LIGHT /
                                 (2 * g.range_pixel_spacing)))
    _el(spec, "imageCoordinateType", "ZERODOPPLER")
    _el(spec, "imageDataStartWith", "EARLYAZNEARRG")
    _platform(root, product)
    _instrument(root, product)
    _processing(root, product)
    cal = _el(_el(root, "calibration"), "calibrationConstant", layerIndex=1)
    _el(cal, "polLayer", product.polarization or "HH")
    _el(cal, "calFactor", 1.0 / (gain * gain))
    _tree(root, path)


# ---------------------------------------------------------------------------- entry point
def write_terrasarx(product: SlcProduct, folder, name: str, *,
                    block_lines: int = DEFAULT_BLOCK_LINES) -> dict:
    """Write ``product`` as a TerraSAR-X SSC stripmap product below ``folder/name``; returns
    ``{"XML": path of the main annotation relative to folder}`` (the TERRASARX reader's
    property)."""
    if not isinstance(product, SlcProduct):
        raise TypeError(f"write_terrasarx needs an SlcProduct, got {type(product).__name__}")
    mission = _mission(product)
    stem = product_name(product)
    base = os.path.join(os.fspath(folder), str(name), stem)
    os.makedirs(os.path.join(base, "IMAGEDATA"), exist_ok=True)
    os.makedirs(os.path.join(base, os.path.dirname(GEOREF)), exist_ok=True)
    beam = str(product.attributes.get("beam") or DEFAULT_BEAM)
    cos_name = f"IMAGE_{product.polarization or 'HH'}_SRA_{beam}.cos"
    peak = _peak(product, block_lines)
    gain = GAIN_PEAK / peak if peak > 0 else 1.0
    cos_path = os.path.join(base, "IMAGEDATA", cos_name)
    _write_cosar(product, cos_path, gain, block_lines)
    points = _write_georef(product, os.path.join(base, GEOREF), mission)
    xml = os.path.join(base, f"{stem}.xml")
    _write_main(product, xml, mission, beam, cos_name, os.path.getsize(cos_path), gain, points)
    return {"XML": os.path.relpath(xml, os.fspath(folder))}
