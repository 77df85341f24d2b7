"""Writer of Sentinel-1 stripmap (SM) Level-1 SLC products: a ``.SAFE`` folder.

:func:`write_sentinel1` turns any :class:`~isce.sensors.product.SlcProduct` (simulated, or read
from another format) into what ESA delivers and the ``SENTINEL1`` reader
(:mod:`isce.sensors.sentinel1`) reads, following ESA's *Sentinel-1 Product Specification*
(S1-RS-MDA-52-7441) and the element layout of the real IPF 003.20 annotations of the shared
data (``sentinel1/``):

* ``S1A_S<n>_SLC__1SSV_<start>_<stop>_<orbit>_<datatake>_<crc>.SAFE``: ``<n>`` the beam
  (S1-S6, from the mid-swath incidence, ESA's SM beam table below), ``SSV``/``SSH`` single VV
  or HH, first/last line times to the second, the absolute orbit (6 digits), the data-take id
  (6 hex digits) and the CRC-16 (CCITT) of ``manifest.safe`` (4 hex digits);
* ``manifest.safe``: XFDU with the platform, orbit reference, product information,
  acquisition period, footprint and every file's size and MD5;
* ``annotation/s1a-s<n>-slc-vv-<start>-<stop>-<orbit>-<datatake>-001.xml``: header, timing
  and image information, downlink PRF and chirp, orbit state vectors, azimuth FM rates,
  Doppler centroid estimates, an empty ``swathTiming`` (SM has no bursts) and a
  ``geolocationGrid`` computed with :func:`isce.geometry.rdr2geo.rdr2geo_points`;
* ``annotation/calibration/calibration-….xml`` (``sigmaNought``, ``betaNought``, ``gamma``,
  ``dn``) and ``noise-….xml`` (range and azimuth vectors, IPF >= 2.9 layout);
* ``measurement/….tiff``: one band of complex int16, written block by block with rasterio,
  the geolocation grid as GCPs (EPSG:4326) as ESA's.

Quantisation: the pixels are multiplied by ONE gain (``gain``, or ``TARGET_PEAK`` over the
image's largest |I|, |Q|, found by a first pass over the blocks), rounded to int16, every
block checked not to clip. The calibration LUTs make the gain undone: ``betaNought`` = gain
(constant, as ESA's), so beta0 = |DN|^2 / A_beta^2 is the input's |pixel|^2;
``sigmaNought`` = gain / sqrt(sin(incidence)), ``gamma`` = gain / sqrt(tan(incidence)) (ESA's
relations, incidence on the ellipsoid at ``height``); ``dn`` = gain. The noise LUTs hold the
noise-equivalent sigma0 ``nesz_db`` as DN^2 (``10^(nesz/10) A_sigma^2``; zero when None: a
simulated image holds no thermal noise).

Times are written to the microsecond (ESA's format): the round trip keeps times to 0.5 µs,
every other number exactly (shortest repr), the pixels to 0.5 / gain per component.
Facts a product does not carry get documented stand-ins: the absolute orbit from the date
(175 orbits per 12 days from S1A's orbit 32518 at 2020-05-11T13:12:30, the shared data's),
the data-take id from the start time, the pulse length (DEFAULT_PULSE_LENGTH; ramp rate =
range bandwidth / pulse length), Doppler polynomials fitted to ``product.doppler`` (or
the product's own ``doppler_centroid`` / ``azimuth_fm_rate`` estimates when it comes from
the Sentinel-1 reader), FM rates from the orbit (-2 V_eff^2 / (lambda R)).
"""
from __future__ import annotations

import binascii
import hashlib
import logging
import math
import os

import numpy as np
from lxml import etree

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84, ecef_to_enu
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.io.atomic import building_folder, replace_folder
from isce.geometry.rdr2geo import rdr2geo_points
from isce.sensors.product import DEFAULT_BLOCK_LINES, SlcProduct, rasterio_module
from isce.sensors.sentinel1_calibration import CALIBRATION_LUTS, calibration_members

from .orbit import look_angle
from .quantize import image_peak

__all__ = ["write_sentinel1", "SM_BEAMS", "TARGET_PEAK", "choose_beam"]

log = logging.getLogger("isce.simulate.sentinel1")

#: ESA's stripmap beams: incidence range [deg] (min over the orbit altitudes, max over them),
#: Sentinel-1 SAR User Guide, "Stripmap", Table 2
SM_BEAMS = {"S1": (18.32, 26.31), "S2": (21.78, 29.50), "S3": (27.64, 34.85),
            "S4": (33.00, 39.72), "S5": (37.89, 44.12), "S6": (40.79, 46.73)}
#: the image's largest |I| or |Q| becomes this many DN (int16 keeps 32767)
TARGET_PEAK = 30000.0
#: IPF whose annotation layout is written (the shared data's; noise azimuth vectors: >= 2.9)
IPF_VERSION = "003.20"
#: calibration / noise vectors: one every this many samples, and about one per second of lines
LUT_PIXEL_STEP = 40
GRID_LINES, GRID_PIXELS = 10, 21
#: pulse length [s] written when the product has none (the shared data's IW1 txPulseLength)
DEFAULT_PULSE_LENGTH = 5.240481033595628e-05
#: absolute orbit stand-in: S1A's 32518 at the ascending node 2020-05-11T13:12:30.117289
_ORBIT_ANCHOR = (32518, DateTime("2020-05-11T13:12:30.117289"), 12 * 86400.0 / 175)
_NS = {"xfdu": "urn:ccsds:schema:xfdu:1", "safe": "http://www.esa.int/safe/sentinel-1.0",
       "s1": "http://www.esa.int/safe/sentinel-1.0/sentinel-1",
       "s1sarl1": "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1",
       "gml": "http://www.opengis.net/gml"}


# ============================================================================ formatting
def _num(x) -> str:
    """Shortest text that reads back as the same double, in ESA's exponent style."""
    text = np.format_float_scientific(float(x), unique=True, exp_digits=2)
    return text.replace(".e", ".0e")


def _lut_text(values) -> str:
    return " ".join(f"{v:.6e}" for v in values)


def _sub(parent, tag: str, text=None, **attrib):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attrib.items()})
    if text is not None:
        element.text = text if isinstance(text, str) else _num(text)
    return element


def _list(parent, tag: str, count: int):
    return _sub(parent, tag, count=count)


class _Clock:
    """UTC text of times [s] since the product's epoch, to the microsecond (ESA's format)."""

    def __init__(self, epoch: DateTime):
        self.ns = epoch.nanoseconds_since_unix_epoch

    def at(self, seconds) -> DateTime:
        ns = self.ns + int(round(float(seconds) * 1e9))
        return DateTime.from_nanoseconds((ns + 500) // 1000 * 1000)

    def text(self, seconds) -> str:
        return self.at(seconds).isoformat(digits=6)


# ============================================================================ product facts
def _check(product: SlcProduct) -> None:
    """Refuse what a Sentinel-1 SM SLC cannot hold (InputError)."""
    if not isinstance(product, SlcProduct):
        raise InputError(f"write_sentinel1 writes focused products (SlcProduct), got "
                         f"{type(product).__name__}")
    if product.look_side != "right":
        raise InputError("Sentinel-1 looks right: a left-looking product cannot be written as "
                         "a Sentinel-1 SAFE")
    if _polarization(product) not in ("VV", "HH"):
        raise InputError(f"polarization {product.polarization!r}: a Sentinel-1 single-pol SM "
                         "product is VV or HH")
    if len(product.orbit) < 9:
        raise InputError(f"the product's orbit has {len(product.orbit)} state vectors; the "
                         "SENTINEL1 reader interpolates with Legendre polynomials, which need 9")
    if product.source is None:
        raise InputError("the product has no image (metadata only): nothing to write")


def _polarization(product) -> str:
    return (product.polarization or "VV").upper()


def _mission(product) -> str:
    """``S1A``, ``S1B``… from the platform (Sentinel-1A…), S1A otherwise."""
    text = (product.platform or "").strip().upper()
    return f"S1{text[-1]}" if text.startswith(("SENTINEL-1", "SENTINEL1", "S1")) and \
        text[-1] in "ABCD" else "S1A"


def _absolute_orbit(product, start: DateTime) -> int:
    known = product.attributes.get("absolute_orbit")
    if isinstance(known, int) and known > 0:
        return known
    number, anchor, period = _ORBIT_ANCHOR
    orbit = int(number + math.floor(start.seconds_since(anchor) / period))
    if orbit < 1:
        raise InputError(f"Sentinel-1: a product sensed at {start} predates the mission "
                         "(first orbit 2014-04-03): no absolute orbit number to name it by")
    return orbit


def choose_beam(incidence_deg: float) -> str:
    """The SM beam (S1-S6) whose incidence range holds ``incidence_deg`` nearest its centre
    (InputError outside every beam)."""
    inside = [(abs(incidence_deg - (lo + hi) / 2), beam) for beam, (lo, hi) in SM_BEAMS.items()
              if lo <= incidence_deg <= hi]
    if not inside:
        raise InputError(f"mid-swath incidence {incidence_deg:.2f} deg is outside every "
                         f"Sentinel-1 stripmap beam (S1-S6: {SM_BEAMS['S1'][0]}-"
                         f"{SM_BEAMS['S6'][1]} deg)")
    return min(inside)[1]


# ============================================================================ geometry
def _geometry(product, lines, pixels, height: float) -> dict:
    """rdr2geo of every (line, pixel) of the lists: lat/lon [deg], height [m], incidence and
    elevation (off-nadir) angles [deg] on the surface at ``height``, shape (lines, pixels)."""
    grid = product.radar_grid
    ll, pp = np.meshgrid(np.asarray(lines, float), np.asarray(pixels, float), indexing="ij")
    t = grid.sensing_start + ll.ravel() / grid.prf
    r = grid.starting_range + pp.ravel() * grid.range_pixel_spacing
    llh, ok = rdr2geo_points(t, r, product.orbit, product.wavelength, product.look_side,
                             heights=np.full(t.size, float(height)),
                             epoch=product.reference_epoch)
    if not np.all(ok):
        raise InputError(f"rdr2geo did not converge for {int(np.size(ok) - np.sum(ok))} "
                         "geolocation grid points: the product's geometry does not reach the "
                         "Earth")
    target = WGS84.lon_lat_to_xyz(llh)
    sat = product.orbit.interpolate(t + _epoch_shift(product))[0]
    los = sat - target
    normal = WGS84.n_vector(llh[:, 0], llh[:, 1])
    cos_inc = np.sum(los * normal, axis=1) / np.linalg.norm(los, axis=1)
    shape = ll.shape
    return {"time": t.reshape(shape), "range": r.reshape(shape),
            "lat": np.degrees(llh[:, 1]).reshape(shape), "lon": np.degrees(llh[:, 0]).reshape(shape),
            "height": llh[:, 2].reshape(shape),
            "incidence": np.degrees(np.arccos(np.clip(cos_inc, -1, 1))).reshape(shape),
            "elevation": np.degrees(look_angle(sat, target)).reshape(shape),
            "target_radius": np.linalg.norm(target, axis=1).reshape(shape)}


def _epoch_shift(product) -> float:
    """Seconds from the orbit's reference epoch to the product's (orbit time = product
    time + shift)."""
    orbit_ns = int(product.orbit.reference_epoch.astype("datetime64[ns]").astype(np.int64))
    return (product.reference_epoch.nanoseconds_since_unix_epoch - orbit_ns) / 1e9


def _axis(count: int, step: int) -> np.ndarray:
    """0, step, 2 step, … and the last index ``count - 1``."""
    return np.unique(np.r_[np.arange(0, count, max(1, int(step))), count - 1]).astype(int)


# ============================================================================ Doppler, FM rate
def _estimate_times(product, count=11) -> np.ndarray:
    grid = product.radar_grid
    return grid.sensing_start + np.linspace(0.0, (grid.length - 1) / grid.prf, count)


def _fit(tau, t0, values) -> list:
    return np.polynomial.polynomial.polyfit(tau - t0, values, 2).tolist()


def _swath_ranges(product):
    """16 slant ranges [m] across the swath and their two-way times [s], for the fits."""
    grid = product.radar_grid
    ranges = grid.starting_range + np.linspace(0, grid.width - 1, 16) * grid.range_pixel_spacing
    return ranges, 2.0 * ranges / SPEED_OF_LIGHT


def _doppler_estimates(product, tau0: float) -> list:
    """``[{azimuth_time, t0, dataDcPolynomial, geometryDcPolynomial}]``: the product's own
    (Sentinel-1 reader) or quadratics fitted to ``product.doppler`` across the swath."""
    own = product.attributes.get("doppler_centroid")
    if own:
        return own
    ranges, tau = _swath_ranges(product)
    out = []
    for t in _estimate_times(product):
        poly = _fit(tau, tau0, np.asarray(product.doppler.eval(t, ranges), np.float64))
        out.append({"azimuth_time": float(t), "t0": tau0, "dataDcPolynomial": poly,
                    "geometryDcPolynomial": poly})
    return out


def _fm_rates(product, tau0: float, radius: float) -> list:
    """``[{azimuth_time, t0, azimuthFmRatePolynomial}]``: the product's own, or
    -2 V_eff^2 / (lambda R) with V_eff^2 = |v|^2 R_target / |P| fitted across the swath."""
    own = product.attributes.get("azimuth_fm_rate")
    if own:
        return own
    ranges, tau = _swath_ranges(product)
    out = []
    for t in _estimate_times(product):
        pos, vel = _platform_state(product, t)
        veff2 = float(np.dot(vel, vel)) * radius / float(np.linalg.norm(pos))
        rate = -2.0 * veff2 / (product.wavelength * ranges)
        out.append({"azimuth_time": float(t), "t0": tau0,
                    "azimuthFmRatePolynomial": _fit(tau, tau0, rate)})
    return out


def _platform_state(product, t):
    """Platform position [m] and velocity [m/s] at ``t`` [s since the product's epoch]."""
    pos, vel = product.orbit.interpolate(float(t) + _epoch_shift(product))
    return np.asarray(pos).reshape(3), np.asarray(vel).reshape(3)


# ============================================================================ annotation
def _ads_header(root, facts: dict) -> None:
    """``adsHeader`` (same in the product, calibration and noise annotations)."""
    header = _sub(root, "adsHeader")
    for tag, key in (("missionId", "mission"), ("productType", "product_type"),
                     ("polarisation", "polarization"), ("mode", "mode"), ("swath", "swath"),
                     ("startTime", "start"), ("stopTime", "stop"),
                     ("absoluteOrbitNumber", "absolute_orbit"),
                     ("missionDataTakeId", "datatake"), ("imageNumber", "image_number")):
        _sub(header, tag, str(facts[key]))


def _product_information(general, product, facts: dict) -> None:
    info = _sub(general, "productInformation")
    _sub(info, "pass", facts["pass"])
    _sub(info, "timelinessCategory", "Fast-24h")
    _sub(info, "platformHeading", facts["heading"])
    _sub(info, "projection", "Slant Range")
    _sub(info, "rangeSamplingRate", facts["range_sampling_rate"])
    _sub(info, "radarFrequency", product.center_frequency)
    _sub(info, "azimuthSteeringRate", 0.0)                    # SM: no azimuth steering


def _downlink(general, product, facts: dict, clock: _Clock) -> None:
    down = _sub(_list(general, "downlinkInformationList", 1), "downlinkInformation")
    _sub(down, "swath", facts["swath"])
    _sub(down, "azimuthTime", clock.text(product.radar_grid.sensing_start))
    _sub(down, "firstLineSensingTime", facts["start"])
    _sub(down, "lastLineSensingTime", facts["stop"])
    _sub(down, "prf", facts["prf"])
    values = _sub(down, "downlinkValues")
    _sub(values, "txPulseLength", facts["pulse_length"])       # ISCE2's reader needs both
    _sub(values, "txPulseRampRate", facts["chirp_slope"])


def _orbit_list(general, product, clock: _Clock) -> None:
    times = np.asarray(product.orbit.time, np.float64) - _epoch_shift(product)
    orbits = _list(general, "orbitList", len(times))
    for t, pos, vel in zip(times, product.orbit.position, product.orbit.velocity):
        node = _sub(orbits, "orbit")
        _sub(node, "time", clock.text(t))
        _sub(node, "frame", "Earth Fixed")
        for name, vector in (("position", pos), ("velocity", vel)):
            part = _sub(node, name)
            for axis, value in zip("xyz", vector):
                _sub(part, axis, float(value))


def _polynomial_list(parent, list_tag, item_tag, entries, names, clock: _Clock) -> None:
    container = _list(parent, list_tag, len(entries))
    for entry in entries:
        node = _sub(container, item_tag)
        _sub(node, "azimuthTime", clock.text(entry["azimuth_time"]))
        _sub(node, "t0", entry["t0"])
        for name in names:
            _sub(node, name, " ".join(_num(c) for c in entry[name]), count=len(entry[name]))


def _general_annotation(root, product, facts: dict, clock: _Clock) -> None:
    general = _sub(root, "generalAnnotation")
    _product_information(general, product, facts)
    _downlink(general, product, facts, clock)
    _orbit_list(general, product, clock)
    for tag in ("attitudeList", "rawDataAnalysisList", "replicaInformationList", "noiseList"):
        _list(general, tag, 0)
    heights = _list(general, "terrainHeightList", 1)
    height = _sub(heights, "terrainHeight")
    _sub(height, "azimuthTime", clock.text(product.radar_grid.sensing_start))
    _sub(height, "value", facts["height"])
    _polynomial_list(general, "azimuthFmRateList", "azimuthFmRate", facts["fm_rates"],
                     ("azimuthFmRatePolynomial",), clock)


def _image_information(image, product, facts: dict) -> None:
    grid = product.radar_grid
    info = _sub(image, "imageInformation")
    _sub(info, "productFirstLineUtcTime", facts["start"])
    _sub(info, "productLastLineUtcTime", facts["stop"])
    _sub(info, "productComposition", "Individual")
    _sub(info, "slantRangeTime", facts["tau0"])
    _sub(info, "pixelValue", "Complex")
    _sub(info, "outputPixels", "16 bit Signed Integer")
    _sub(info, "rangePixelSpacing", grid.range_pixel_spacing)
    _sub(info, "azimuthPixelSpacing", facts["azimuth_spacing"])
    _sub(info, "azimuthTimeInterval", grid.az_time_interval)
    _sub(info, "azimuthFrequency", grid.prf)
    _sub(info, "numberOfSamples", str(grid.width))
    _sub(info, "numberOfLines", str(grid.length))
    _sub(info, "incidenceAngleMidSwath", facts["incidence_mid"])


def _processing_information(image, product, facts: dict) -> None:
    proc = _sub(image, "processingInformation")
    _sub(proc, "dcMethod", "Data Analysis")
    _sub(proc, "thermalNoiseCorrectionPerformed", "false")
    params = _sub(_list(proc, "swathProcParamsList", 1), "swathProcParams")
    _sub(params, "swath", facts["swath"])
    for tag, bandwidth in (("rangeProcessing", product.range_bandwidth),
                           ("azimuthProcessing", product.azimuth_bandwidth)):
        part = _sub(params, tag)
        _sub(part, "numberOfLooks", "1")
        if bandwidth is not None:
            _sub(part, "processingBandwidth", bandwidth)
    _sub(proc, "ellipsoidName", "WGS84")
    _sub(proc, "ellipsoidSemiMajorAxis", WGS84.a)
    _sub(proc, "ellipsoidSemiMinorAxis", WGS84.b)


#: geolocationGridPoint elements after line and pixel, and their keys in _geometry's dict
_GRID_VALUES = (("latitude", "lat"), ("longitude", "lon"), ("height", "height"),
                ("incidenceAngle", "incidence"), ("elevationAngle", "elevation"))


def _geolocation_grid(root, geo: dict, lines, pixels, clock: _Clock) -> None:
    points = _list(_sub(root, "geolocationGrid"), "geolocationGridPointList", geo["lat"].size)
    for i, line in enumerate(lines):
        for j, pixel in enumerate(pixels):
            node = _sub(points, "geolocationGridPoint")
            _sub(node, "azimuthTime", clock.text(geo["time"][i, j]))
            _sub(node, "slantRangeTime", 2.0 * geo["range"][i, j] / SPEED_OF_LIGHT)
            _sub(node, "line", str(int(line)))
            _sub(node, "pixel", str(int(pixel)))
            for tag, key in _GRID_VALUES:
                _sub(node, tag, float(geo[key][i, j]))


def _product_annotation(product, facts: dict, geo: dict, clock: _Clock) -> bytes:
    """The product annotation XML (element order of ESA's)."""
    root = etree.Element("product")
    _ads_header(root, facts)
    quality = _sub(root, "qualityInformation")
    _sub(quality, "productQualityIndex", 0.0)
    _list(quality, "qualityDataList", 0)
    _general_annotation(root, product, facts, clock)
    image = _sub(root, "imageAnnotation")
    _image_information(image, product, facts)
    _processing_information(image, product, facts)
    _polynomial_list(_sub(root, "dopplerCentroid"), "dcEstimateList", "dcEstimate",
                     facts["doppler"], ("geometryDcPolynomial", "dataDcPolynomial"), clock)
    _list(_sub(root, "antennaPattern"), "antennaPatternList", 0)
    timing = _sub(root, "swathTiming")
    _sub(timing, "linesPerBurst", "0")
    _sub(timing, "samplesPerBurst", "0")
    _list(timing, "burstList", 0)
    _geolocation_grid(root, geo, facts["grid_lines"], facts["grid_pixels"], clock)
    _list(_sub(root, "coordinateConversion"), "coordinateConversionList", 0)
    _list(_sub(root, "swathMerging"), "swathMergeList", 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ============================================================================ calibration, noise
def _radiometric_tables(product, gain: float, height: float, nesz_db) -> dict:
    """Calibration vectors, noise range vectors and noise azimuth blocks to write: the
    product's own (Sentinel-1 reader), scaled to the new DN, or derived from the geometry."""
    own = product.attributes.get("calibration")
    if own:
        return _scaled_tables(own, product.attributes.get("noise"), gain)
    return _derived_tables(product, gain, height, nesz_db)


def _derived_tables(product, gain: float, height: float, nesz_db) -> dict:
    """LUTs of ESA's relations with A_beta = gain (see the module docstring): a vector about
    every second and every LUT_PIXEL_STEP samples; noise range vectors on the same grid, one
    azimuth block (all 1) over the image."""
    grid = product.radar_grid
    lines = _axis(grid.length, round(grid.prf))
    pixels = _axis(grid.width, LUT_PIXEL_STEP)
    inc = np.radians(_geometry(product, lines, pixels, height)["incidence"])
    beta = np.full(inc.shape, float(gain))
    sigma = beta / np.sqrt(np.sin(inc))
    luts = {"sigmaNought": sigma, "betaNought": beta, "gamma": beta / np.sqrt(np.tan(inc)),
            "dn": beta}
    noise = np.zeros(inc.shape) if nesz_db is None else 10.0 ** (nesz_db / 10.0) * sigma ** 2
    times = (grid.sensing_start + lines / grid.prf).tolist()
    vectors = {"azimuth_time": times, "line": lines.tolist(), "pixel": [pixels] * len(lines)}
    az_lines = _axis(grid.length, 10)
    return {"calibration": {**vectors, **{k: list(v) for k, v in luts.items()}},
            "noise_range": {**vectors, "noiseRangeLut": list(noise)},
            "noise_azimuth": [{"first_line": 0, "last_line": grid.length - 1, "first_sample": 0,
                               "last_sample": grid.width - 1, "line": az_lines,
                               "noiseAzimuthLut": np.ones(len(az_lines))}]}


def _scaled_tables(calibration: dict, noise, gain: float) -> dict:
    """A Sentinel-1 product's own vectors for DN x gain: calibration LUTs x gain, noise
    power x gain^2 (calibrated values unchanged); no noise annotation: zero noise."""
    cal = {k: calibration[k] for k in ("azimuth_time", "line", "pixel")}
    for name in CALIBRATION_LUTS:
        cal[name] = [np.asarray(v) * gain for v in calibration[name]]
    if noise is None:
        rng = {**{k: cal[k] for k in ("azimuth_time", "line", "pixel")},
               "noiseRangeLut": [np.zeros(len(p)) for p in cal["pixel"]]}
        azimuth = []
    else:
        rng = {k: noise["range"][k] for k in ("azimuth_time", "line", "pixel")}
        rng["noiseRangeLut"] = [np.asarray(v) * gain ** 2 for v in noise["range"]["noiseRangeLut"]]
        azimuth = noise["azimuth"]
    return {"calibration": cal, "noise_range": rng, "noise_azimuth": azimuth}


def _vector(parent, tag, clock, t, line, pixels) -> object:
    node = _sub(parent, tag)
    _sub(node, "azimuthTime", clock.text(t))
    _sub(node, "line", str(int(line)))
    _sub(node, "pixel", " ".join(str(int(p)) for p in pixels), count=len(pixels))
    return node


def _calibration_annotation(facts: dict, tables: dict, clock: _Clock) -> bytes:
    root = etree.Element("calibration")
    _ads_header(root, facts)
    _sub(_sub(root, "calibrationInformation"), "absoluteCalibrationConstant", 1.0)
    cal = tables["calibration"]
    vectors = _list(root, "calibrationVectorList", len(cal["line"]))
    for k, (t, line, pixels) in enumerate(zip(cal["azimuth_time"], cal["line"], cal["pixel"])):
        node = _vector(vectors, "calibrationVector", clock, t, line, pixels)
        for name in CALIBRATION_LUTS:
            _sub(node, name, _lut_text(cal[name][k]), count=len(pixels))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _noise_annotation(facts: dict, tables: dict, clock: _Clock) -> bytes:
    """Noise range vectors and azimuth blocks (IPF >= 2.9 layout)."""
    root = etree.Element("noise")
    _ads_header(root, facts)
    rng = tables["noise_range"]
    vectors = _list(root, "noiseRangeVectorList", len(rng["line"]))
    for k, (t, line, pixels) in enumerate(zip(rng["azimuth_time"], rng["line"], rng["pixel"])):
        node = _vector(vectors, "noiseRangeVector", clock, t, line, pixels)
        _sub(node, "noiseRangeLut", _lut_text(rng["noiseRangeLut"][k]), count=len(pixels))
    blocks = _list(root, "noiseAzimuthVectorList", len(tables["noise_azimuth"]))
    for block in tables["noise_azimuth"]:
        azimuth = _sub(blocks, "noiseAzimuthVector")
        _sub(azimuth, "swath", facts["swath"])
        for tag, key in (("firstAzimuthLine", "first_line"), ("firstRangeSample", "first_sample"),
                         ("lastAzimuthLine", "last_line"), ("lastRangeSample", "last_sample")):
            _sub(azimuth, tag, str(int(block[key])))
        lines = block["line"]
        _sub(azimuth, "line", " ".join(str(int(v)) for v in lines), count=len(lines))
        _sub(azimuth, "noiseAzimuthLut", _lut_text(block["noiseAzimuthLut"]), count=len(lines))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ============================================================================ facts and names
def _compact(when: DateTime) -> str:
    """``YYYYMMDDTHHMMSS`` (file names)."""
    return when.isoformat(digits=0).replace("-", "").replace(":", "")


def _grid_axes(product) -> tuple:
    grid = product.radar_grid
    lines = np.unique(np.round(np.linspace(0, grid.length - 1, GRID_LINES))).astype(int)
    pixels = np.unique(np.round(np.linspace(0, grid.width - 1, GRID_PIXELS))).astype(int)
    return lines, pixels


def _orbit_facts(product) -> dict:
    """Pass, platform heading [deg from north] and ground speed [m/s] at mid product."""
    pos, vel = _platform_state(product, product.radar_grid.sensing_mid)
    llh = WGS84.xyz_to_lon_lat(pos)
    east, north, _ = ecef_to_enu(vel, llh[0], llh[1])
    radius = float(np.linalg.norm(WGS84.lon_lat_to_xyz(np.array([llh[0], llh[1], 0.0]))))
    return {"pass": "Ascending" if vel[2] > 0 else "Descending",
            "heading": math.degrees(math.atan2(east, north)),
            "ground_speed": float(np.linalg.norm(vel)) * radius / float(np.linalg.norm(pos)),
            "earth_radius": radius}


def _facts(product, swath, height: float) -> tuple:
    """(facts, geolocation grid) of the product: names, times, beam and the annotation's
    derived values (see the module docstring for the stand-ins)."""
    grid, attrs = product.radar_grid, product.attributes
    clock = _Clock(product.reference_epoch)
    start, stop = clock.at(grid.sensing_start), clock.at(grid.sensing_stop)
    lines, pixels = _grid_axes(product)
    geo = _geometry(product, lines, pixels, height)
    mid = _geometry(product, [grid.length // 2], [grid.width // 2], height)
    beam = str(swath).strip().upper() if swath else choose_beam(float(mid["incidence"][0, 0]))
    if beam not in SM_BEAMS:
        raise InputError(f"swath {swath!r}: a Sentinel-1 stripmap beam is one of "
                         f"{', '.join(SM_BEAMS)}")
    orbit = _orbit_facts(product)
    datatake = attrs.get("mission_data_take_id")
    if not isinstance(datatake, int) or not 0 <= datatake < 0x1000000:
        datatake = int(start.seconds_since(DateTime("2014-04-03T00:00:00"))) % 0x1000000
    tau0 = 2.0 * grid.starting_range / SPEED_OF_LIGHT
    facts = {"mission": _mission(product), "product_type": "SLC",
             "polarization": _polarization(product), "mode": "SM", "swath": beam,
             "start": start.isoformat(digits=6), "stop": stop.isoformat(digits=6),
             "start_dt": start, "stop_dt": stop,
             "absolute_orbit": _absolute_orbit(product, start), "datatake": datatake,
             "image_number": "001", "pass": orbit["pass"], "heading": orbit["heading"],
             "range_sampling_rate": product.range_sampling_rate
             or SPEED_OF_LIGHT / (2.0 * grid.range_pixel_spacing),
             "prf": attrs.get("prf") or grid.prf, **_chirp(product),
             "height": float(height), "tau0": tau0,
             "azimuth_spacing": orbit["ground_speed"] / grid.prf,
             "incidence_mid": float(mid["incidence"][0, 0]),
             "doppler": _doppler_estimates(product, tau0),
             "fm_rates": _fm_rates(product, tau0, orbit["earth_radius"]),
             "grid_lines": lines, "grid_pixels": pixels}
    return facts, geo


def _chirp(product) -> dict:
    """Pulse length [s] and ramp rate [Hz/s]: the product's (Sentinel-1 reader), else
    DEFAULT_PULSE_LENGTH and the range bandwidth (or 0.85 x the sampling rate) over it."""
    attrs = product.attributes
    length = attrs.get("pulse_length") or DEFAULT_PULSE_LENGTH
    rate = attrs.get("chirp_slope")
    if not rate:
        bandwidth = product.range_bandwidth or 0.85 * (product.range_sampling_rate or SPEED_OF_LIGHT
                                                       / (2 * product.radar_grid.range_pixel_spacing))
        rate = bandwidth / length
    return {"pulse_length": float(length), "chirp_slope": float(rate)}


def _stem(facts: dict) -> str:
    """``s1a-s3-slc-vv-<start>-<stop>-<orbit>-<datatake>-001`` (ESA's member names)."""
    return (f"{facts['mission'].lower()}-{facts['swath'].lower()}-slc-"
            f"{facts['polarization'].lower()}-{_compact(facts['start_dt']).lower()}-"
            f"{_compact(facts['stop_dt']).lower()}-{facts['absolute_orbit']:06d}-"
            f"{facts['datatake']:06x}-{facts['image_number']}")


def _safe_name(facts: dict, crc: int) -> str:
    """``S1A_S3_SLC__1SSV_<start>_<stop>_<orbit>_<datatake>_<crc>.SAFE``."""
    return (f"{facts['mission']}_{facts['swath']}_SLC__1SS{facts['polarization'][0]}_"
            f"{_compact(facts['start_dt'])}_{_compact(facts['stop_dt'])}_"
            f"{facts['absolute_orbit']:06d}_{facts['datatake']:06X}_{crc:04X}.SAFE")


# ============================================================================ measurement
def _peak(product, block_lines: int) -> float:
    """Largest |I| or |Q| of the image (one pass over its blocks; NaN/inf ignored)."""
    peak, _ = image_peak(product, block_lines)
    if peak == 0.0:
        raise InputError(f"{product.source.describe()}: the image holds no data (all samples "
                         "zero or NaN): nothing to quantise")
    return peak


def _quantise(block: np.ndarray, gain: float, rows: slice, where: str) -> np.ndarray:
    """``block`` x gain rounded to integers (complex64 holding int16 values); InputError when a
    sample is not finite or would clip."""
    if not np.all(np.isfinite(block)):
        raise InputError(f"{where}: lines {rows.start}-{rows.stop - 1} hold NaN/inf samples: "
                         "cannot be written as complex int16")
    re, im = np.rint(block.real * gain), np.rint(block.imag * gain)
    top = max(float(np.max(np.abs(re), initial=0.0)), float(np.max(np.abs(im), initial=0.0)))
    if top > 32767:
        raise InputError(f"{where}: lines {rows.start}-{rows.stop - 1} would clip at gain "
                         f"{gain!r} ({top:.0f} DN > 32767): choose a smaller gain")
    out = np.empty(block.shape, np.complex64)
    out.real, out.imag = re, im
    return out


def _write_tiff(product, path: str, gain: float, geo: dict, facts: dict, block_lines: int):
    """The measurement GeoTIFF (complex int16, uncompressed, GCPs of the geolocation grid),
    written block by block."""
    rasterio = rasterio_module()
    # lazy: rasterio (GDAL) costs ~0.35 s to import; only writing a GeoTIFF needs these
    from rasterio.control import GroundControlPoint
    from rasterio.crs import CRS
    grid = product.radar_grid
    gcps = [GroundControlPoint(row=float(line), col=float(pixel), x=float(geo["lon"][i, j]),
                               y=float(geo["lat"][i, j]), z=float(geo["height"][i, j]))
            for i, line in enumerate(facts["grid_lines"])
            for j, pixel in enumerate(facts["grid_pixels"])]
    where = product.source.describe()
    with rasterio.open(path, "w", driver="GTiff", width=grid.width, height=grid.length, count=1,
                       dtype="complex_int16") as ds:
        ds.gcps = (gcps, CRS.from_epsg(4326))
        ds.update_tags(TIFFTAG_IMAGEDESCRIPTION=f"Sentinel-1{facts['mission'][-1]} SM SLC L1",
                       TIFFTAG_SOFTWARE=f"isce.simulate (Sentinel-1 IPF {IPF_VERSION} layout)")
        for rows, block in product.iter_blocks(block_lines):
            window = rasterio.windows.Window(0, rows.start, grid.width, rows.stop - rows.start)
            ds.write(_quantise(block, gain, rows, where), 1, window=window)


# ============================================================================ manifest
def _md5(path: str) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _wrap(section, object_id: str, text_info: str, category="DMD", classification="DESCRIPTION"):
    meta = _sub(section, "metadataObject", ID=object_id, classification=classification,
                category=category)
    wrap = _sub(meta, "metadataWrap", mimeType="text/xml", vocabularyName="SAFE",
                textInfo=text_info)
    return _sub(wrap, "xmlData")


def _q(prefix: str, tag: str) -> str:
    return f"{{{_NS[prefix]}}}{tag}"


def _metadata(section, facts: dict, geo: dict) -> None:
    """Processing, platform, orbit reference, product information, acquisition period and
    footprint (ESA's metadataObjects)."""
    q = _q
    proc = _sub(_wrap(section, "processing", "Processing", "PDI", "PROVENANCE"),
                q("safe", "processing"), name="SLC Processing")
    facility = _sub(proc, q("safe", "facility"), name="isce.simulate")
    _sub(facility, q("safe", "software"), name="Sentinel-1 IPF", version=IPF_VERSION)
    platform = _sub(_wrap(section, "platform", "Platform Description"), q("safe", "platform"))
    _sub(platform, q("safe", "familyName"), "SENTINEL-1")
    _sub(platform, q("safe", "number"), facts["mission"][-1])
    instrument = _sub(platform, q("safe", "instrument"))
    _sub(instrument, q("safe", "familyName"), "Synthetic Aperture Radar", abbreviation="SAR")
    mode = _sub(_sub(instrument, q("safe", "extension")), q("s1sarl1", "instrumentMode"))
    _sub(mode, q("s1sarl1", "mode"), "SM")
    _sub(mode, q("s1sarl1", "swath"), facts["swath"])
    orbit = _sub(_wrap(section, "measurementOrbitReference", "Orbit Reference"),
                 q("safe", "orbitReference"))
    for kind in ("start", "stop"):
        _sub(orbit, q("safe", "orbitNumber"), str(facts["absolute_orbit"]), type=kind)
    relative = (facts["absolute_orbit"] - 73) % 175 + 1          # S1A's relation
    for kind in ("start", "stop"):
        _sub(orbit, q("safe", "relativeOrbitNumber"), str(relative), type=kind)
    props = _sub(_sub(orbit, q("safe", "extension")), q("s1", "orbitProperties"))
    _sub(props, q("s1", "pass"), facts["pass"].upper())
    info = _sub(_wrap(section, "generalProductInformation", "General Product Information"),
                q("s1sarl1", "standAloneProductInformation"))
    _sub(info, q("s1sarl1", "missionDataTakeID"), str(facts["datatake"]))
    _sub(info, q("s1sarl1", "transmitterReceiverPolarisation"), facts["polarization"])
    _sub(info, q("s1sarl1", "productClass"), "S")
    _sub(info, q("s1sarl1", "productType"), "SLC")
    period = _sub(_wrap(section, "acquisitionPeriod", "Acquisition Period"),
                  q("safe", "acquisitionPeriod"))
    _sub(period, q("safe", "startTime"), facts["start"])
    _sub(period, q("safe", "stopTime"), facts["stop"])
    frame = _sub(_sub(_wrap(section, "measurementFrameSet", "Frame Set"), q("safe", "frameSet")),
                 q("safe", "frame"))
    corners = [(0, 0), (0, -1), (-1, -1), (-1, 0)]
    _sub(_sub(frame, q("safe", "footPrint"), srsName="http://www.opengis.net/gml/srs/epsg.xml#4326"),
         q("gml", "coordinates"), " ".join(f"{geo['lat'][i, j]:.6f},{geo['lon'][i, j]:.6f}"
                                           for i, j in corners))


def _manifest(work: str, members: list, facts: dict, geo: dict) -> bytes:
    """``manifest.safe``: content units, metadata and the size and MD5 of every member
    (``members``: (path, data object ID, repID, MIME type))."""
    root = etree.Element(_q("xfdu", "XFDU"), nsmap=_NS,
                         version="esa/safe/sentinel-1.0/sentinel-1/sar/level-1/slc/standard/smdp")
    package = _sub(_sub(root, "informationPackageMap"), _q("xfdu", "contentUnit"),
                   unitType="SAFE Archive Information Package",
                   textInfo="Sentinel-1 SM Level-1 SLC Product",
                   dmdID="acquisitionPeriod platform generalProductInformation "
                         "measurementOrbitReference measurementFrameSet", pdiID="processing")
    for _, object_id, rep, _ in members:
        unit = _sub(package, _q("xfdu", "contentUnit"), unitType="Metadata Unit"
                    if rep != "s1Level1MeasurementSchema" else "Measurement Data Unit", repID=rep)
        _sub(unit, "dataObjectPointer", dataObjectID=object_id)
    section = _sub(root, "metadataSection")
    _metadata(section, facts, geo)
    objects = _sub(root, "dataObjectSection")
    for member, object_id, rep, mime in members:
        path = os.path.join(work, member)
        stream = _sub(_sub(objects, "dataObject", ID=object_id, repID=rep), "byteStream",
                      mimeType=mime, size=os.path.getsize(path))
        _sub(stream, "fileLocation", locatorType="URL", href=f"./{member}")
        _sub(stream, "checksum", _md5(path), checksumName="MD5")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ============================================================================ the writer
def _write_members(work: str, product, facts: dict, geo: dict, tables: dict, gain: float,
                   block_lines: int) -> list:
    """Annotation, calibration, noise and measurement files below ``work``; returns their
    manifest entries."""
    clock = _Clock(product.reference_epoch)
    stem = _stem(facts)
    annotation = f"annotation/{stem}.xml"
    calibration, noise = calibration_members(annotation)
    for sub in ("annotation/calibration", "measurement"):
        os.makedirs(os.path.join(work, sub), exist_ok=True)
    blobs = {annotation: _product_annotation(product, facts, geo, clock),
             calibration: _calibration_annotation(facts, tables, clock),
             noise: _noise_annotation(facts, tables, clock)}
    for member, data in blobs.items():
        with open(os.path.join(work, member), "wb") as handle:
            handle.write(data)
    tiff = f"measurement/{stem}.tiff"
    _write_tiff(product, os.path.join(work, tiff), gain, geo, facts, block_lines)
    ident = stem.replace("-", "")
    return [(annotation, "product" + ident, "s1Level1ProductSchema", "text/xml"),
            (noise, "noise" + ident, "s1Level1NoiseSchema", "text/xml"),
            (calibration, "calibration" + ident, "s1Level1CalibrationSchema", "text/xml"),
            (tiff, ident, "s1Level1MeasurementSchema", "application/octet-stream")]


def write_sentinel1(product: SlcProduct, folder, name: str = "reference", *, swath=None,
                    gain=None, height: float = 0.0, nesz_db=None,
                    block_lines: int = DEFAULT_BLOCK_LINES) -> dict:
    """Write ``product`` as a Sentinel-1 SM SLC ``.SAFE`` folder in ``folder``; returns
    ``{"SAFE": <the SAFE's name, relative to folder>}`` (the SENTINEL1 reader's property).

    ``swath``: S1-S6 (default: from the mid-swath incidence); ``gain``: DN per unit of the
    product's pixels (default TARGET_PEAK / the image's peak, one extra pass over the blocks);
    ``height`` [m]: of the geolocation grid and the incidence angles; ``nesz_db``: noise
    written in the noise LUTs (default none). ``name`` keeps a pass's partial folder apart
    while it is written; the SAFE appears under its ESA name only when complete (an
    existing SAFE of the same name is replaced). Memory is bounded by ``block_lines``.
    """
    _check(product)
    facts, geo = _facts(product, swath, height)
    gain = float(gain) if gain else TARGET_PEAK / _peak(product, block_lines)
    if not (np.isfinite(gain) and gain > 0):
        raise InputError(f"gain {gain!r}: a positive number of DN per unit is needed")
    tables = _radiometric_tables(product, gain, height, nesz_db)
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    work = os.path.join(folder, f".{name}.SAFE.partial")
    with building_folder(work):
        members = _write_members(work, product, facts, geo, tables, gain, int(block_lines))
        manifest = _manifest(work, members, facts, geo)
        with open(os.path.join(work, "manifest.safe"), "wb") as handle:
            handle.write(manifest)
        safe = _safe_name(facts, binascii.crc_hqx(manifest, 0xFFFF))
        replace_folder(work, os.path.join(folder, safe))
    log.info("%s: Sentinel-1 %s SM SLC %s (%d x %d, gain %.6g DN per unit)", name,
             facts["mission"], safe, product.length, product.width, gain)
    return {"SAFE": safe}
