"""insarApp's settings: ISCE2's meanings, and the checks that refuse a setting before any
long step runs (at configuration time, or in ``preprocess`` once the scene is known).

ISCE2's stripmapApp names mean here what they meant there, or are refused in one line:

* ``posting`` [m] is the interferogram's pixel size on the ground: it sets the azimuth and
  range looks not given explicitly, as ISCE2's ``StripmapProc.numberOfLooks`` does (ground
  along-track line spacing; ground-range *resolution* c / (2 B) / sin(incidence) at
  mid-swath). The geocoded grid's spacing is ``geocode posting`` [deg] (ISCE2's
  ``geoPosting``).
* ``do denseoffsets``, ``do rubbersheetingAzimuth``/``Range`` (``stripmap_offsets.py``),
  ``do split spectrum``, ``do dispersive`` (``stripmap_iono.py``): ISCE2's optional stages,
  off by default; ``do dispersive`` needs ``do split spectrum``.
* ``unwrapper name`` ``snaphu`` and ``snaphu_mcf`` run SNAPHU's MCF initialisation only, as
  ISCE2's stripmapApp (``snaphu_full``: SNAPHU's full solver); ``icu`` and ``grass`` run
  ISCE2's branch-cut method (:mod:`isce.unwrap.icu`, :mod:`isce.unwrap.grass`); an unwrapper named in
  :data:`UNWRAPPERS_NOT_AVAILABLE` would be refused when unwrapping.
* a reader's ``OUTPUT`` names where its date's SLC goes (:func:`slc_path`).

Other checks: NaN/inf in any float setting, postings <= 0, boxes off the globe (while
configuring); looks larger than the image and boxes that miss the scene (in preprocess,
from the metadata, before anything is written); both dates need a sensor
(:func:`check_sensors`, so a bare run writes nothing).

Misregistration (the ``misregistration`` step's ampcor grid and outlier culling) takes
ISCE2's ampcor names (``window size width``/``WINDOW_SIZE_WIDTH``, ``search window size
width``, ``number of windows across``, ``SNR threshold``, ``covariance threshold``) and
insarApp's ``Culling Sequence``; :data:`MISREGISTRATION_PARAMETERS`, checked while
configuring (:func:`check_misregistration`) and against the scene in preprocess.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.focus.pipeline import required_pulses
from isce.focus.rangecomp import valid_samples
from isce.framework import ConfigurationError, InputError, Parameter
from isce.geometry.footprint import scene_footprint
from isce.io.layout import StripmapLayout
from isce.sensors.raw import RawProduct
from isce.unwrap.registry import NAMES as UNWRAPPER_NAMES

#: ISCE2 unwrapper names that are not implemented here
UNWRAPPERS_NOT_AVAILABLE = ()
UNWRAPPERS_AVAILABLE = UNWRAPPER_NAMES
MAX_GEOCODE_POSTING_DEG = 1.0   # ~111 km: anything coarser is a unit mistake

# ----------------------------------------------------------------------------- misregistration
#: reference images at least this many pixels both ways get the large window by default
MISREG_LARGE_IMAGE = 256
MISREG_WINDOW_LARGE, MISREG_WINDOW_SMALL = 64, 32     # pixels
MIN_WINDOW = 4          # pixels: ampcor's smallest window
MAX_CULL_ORDER = 3      # total degree of the fitted misregistration polynomials, at most
_ADAPTIVE = (f"default {MISREG_WINDOW_LARGE} ({MISREG_WINDOW_SMALL} when the reference image has "
             f"fewer than {MISREG_LARGE_IMAGE} lines or pixels)")

#: the misregistration step's settings (ampcor grid, culling, fit), with ISCE2's names
MISREGISTRATION_PARAMETERS = (
    # public names and aliases: ISCE2 ampcor's (WINDOW_SIZE_WIDTH, ...), insarApp's Culling Sequence
    Parameter("misreg_window_width", public_name="window size width", type=int, default=None,
              units="pixels", aliases=("WINDOW_SIZE_WIDTH",),
              doc=f"Misregistration: ampcor's reference window across (range); {_ADAPTIVE}."),
    Parameter("misreg_window_height", public_name="window size height", type=int, default=None,
              units="pixels", aliases=("WINDOW_SIZE_HEIGHT",),
              doc=f"Misregistration: ampcor's reference window down (azimuth); {_ADAPTIVE}."),
    Parameter("misreg_search_width", public_name="search window size width", type=int, default=8,
              units="pixels", aliases=("SEARCH_WINDOW_SIZE_WIDTH",),
              doc="Misregistration: ampcor's search half-range across (range), each side of "
              "the window."),
    Parameter("misreg_search_height", public_name="search window size height", type=int,
              default=8, units="pixels", aliases=("SEARCH_WINDOW_SIZE_HEIGHT",),
              doc="Misregistration: ampcor's search half-range down (azimuth), each side of "
              "the window."),
    Parameter("misreg_windows_across", public_name="number of windows across", type=int,
              default=20, units="windows", aliases=("NUMBER_WINDOWS_ACROSS",),
              doc="Misregistration: ampcor windows across (range), evenly spaced."),
    Parameter("misreg_windows_down", public_name="number of windows down", type=int, default=20,
              units="windows", aliases=("NUMBER_WINDOWS_DOWN",),
              doc="Misregistration: ampcor windows down (azimuth), evenly spaced."),
    Parameter("misreg_snr_threshold", public_name="SNR threshold", type=float, default=10.0,
              units="-", aliases=("SNR_THRESHOLD",),
              doc="Misregistration culling: windows of a lower ampcor SNR are dropped."),
    Parameter("misreg_cov_threshold", public_name="covariance threshold", type=float,
              default=None, units="pixels^2", aliases=("COV_THRESHOLD",),
              doc="Misregistration culling: windows whose azimuth or range offset variance is "
              "larger are dropped; default: no limit."),
    Parameter("misreg_culling_sequence", public_name="Culling Sequence", type=float,
              container=list, default=[10.0, 5.0, 3.0], units="pixels",
              doc="Misregistration culling: distances from the fit beyond which windows are "
              "dropped, in turn, largest first (ISCE2 insarApp's Culling Sequence)."),
    Parameter("misreg_order", public_name="misregistration polynomial order", type=int,
              default=1, units="-",
              doc=f"Total degree (0..{MAX_CULL_ORDER}) of the polynomials fitted to the culled "
              "azimuth and range offsets (ISCE2's stripmapApp fits 0: constant shifts)."),
)


# ----------------------------------------------------------------------------- configuration
def _error(app, attr: str, message: str) -> ConfigurationError:
    """A ConfigurationError naming the setting ``attr`` and where it was set."""
    name = app.parameter(attr).public_name
    return ConfigurationError(message, source=app.source_of(attr), path=f"{app.config_path}.{name}")


def check_finite_floats(app) -> None:
    """Refuse NaN or infinity in any float setting (single or list)."""
    for path, param, value, source in app.resolved():
        if param.type != "float" or value is None:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if not math.isfinite(v):
                raise ConfigurationError(f"must be a finite number, got {v}", source=source,
                                         path=path)


def check_unwrapper(app) -> None:
    """Refuse an ISCE2 unwrapper that is not implemented here, when unwrapping."""
    name = str(app.unwrapper).strip().lower()
    if app.do_unwrap and name in UNWRAPPERS_NOT_AVAILABLE:
        raise _error(app, "unwrapper", f"{name} is not available yet; choose "
                     f"{', '.join(UNWRAPPERS_AVAILABLE[:-1])} or {UNWRAPPERS_AVAILABLE[-1]}")


def check_postings(app) -> None:
    """``posting`` [m] and ``geocode posting`` [deg] must be positive; the latter no coarser
    than a degree (a larger number is metres written where degrees are meant)."""
    if app.posting is not None and not app.posting > 0:
        raise _error(app, "posting", f"must be a positive number of metres, got {app.posting}")
    if app.geo_posting is None:
        return
    if len(app.geo_posting) not in (1, 2):
        raise _error(app, "geo_posting", f"needs one spacing or two (dx, dy) in degrees, got "
                     f"{len(app.geo_posting)} values")
    for v in app.geo_posting:
        if not v > 0:
            raise _error(app, "geo_posting", f"must be positive degrees, got {v}")
        if v > MAX_GEOCODE_POSTING_DEG:
            raise _error(app, "geo_posting", f"{v:g} deg per pixel (about {v * 111.32:.0f} km) "
                         f"is not a sensible posting: it is in degrees (ISCE2's geoPosting); "
                         f"for the interferogram's pixel size in metres set 'posting'")


def check_boxes(app) -> None:
    """``geocode bounding box`` and ``regionOfInterest``: S < N, W < E, on the globe."""
    for attr in ("geocode_bbox", "roi"):
        box = getattr(app, attr)
        if box is None:
            continue
        if len(box) != 4 or not (box[0] < box[1] and box[2] < box[3]):
            raise _error(app, attr, "needs S, N, W, E with S < N and W < E")
        if not (-90.0 <= box[0] and box[1] <= 90.0 and -180.0 <= box[2] and box[3] <= 360.0):
            raise _error(app, attr, f"S, N, W, E = {', '.join(f'{v:g}' for v in box)} is off the "
                         "globe (latitudes -90..90, longitudes -180..360 deg)")


def check_sensors(app) -> None:
    """Both dates need a sensor: checked while configuring, so a bare run writes nothing."""
    for role, attr in (("reference", "reference_sensor"), ("secondary", "secondary_sensor")):
        if not (app.sensor_name or getattr(app, attr)):
            raise ConfigurationError(
                f"no sensor for the {role} date: set 'sensor name' (or '{role} sensor name') "
                f"and the {role.capitalize()} component's files, in an XML file or on the "
                "command line", path=f"{app.config_path}.sensor name")


def check_misregistration(app) -> None:
    """Misregistration settings: windows of at least ampcor's 4 pixels, searches and window
    counts of at least 1, positive thresholds, a polynomial order of 0..3."""
    for attr, least in (("misreg_window_width", MIN_WINDOW), ("misreg_window_height", MIN_WINDOW),
                        ("misreg_search_width", 1), ("misreg_search_height", 1),
                        ("misreg_windows_across", 1), ("misreg_windows_down", 1)):
        value = getattr(app, attr)
        if value is not None and value < least:
            raise _error(app, attr, f"must be at least {least} ({app.parameter(attr).units}), "
                         f"got {value}")
    if app.misreg_snr_threshold < 0:
        raise _error(app, "misreg_snr_threshold", f"must be 0 or more, got {app.misreg_snr_threshold}")
    if app.misreg_cov_threshold is not None and not app.misreg_cov_threshold > 0:
        raise _error(app, "misreg_cov_threshold",
                     f"must be a positive variance in pixels^2, got {app.misreg_cov_threshold}")
    for v in app.misreg_culling_sequence:
        if not v > 0:
            raise _error(app, "misreg_culling_sequence", f"distances must be positive pixels, got {v}")
    if not 0 <= app.misreg_order <= MAX_CULL_ORDER:
        raise _error(app, "misreg_order", f"must be 0..{MAX_CULL_ORDER}, got {app.misreg_order}")


def validate_settings(app) -> None:
    """Every configuration-time check of this module."""
    check_finite_floats(app)
    check_unwrapper(app)
    check_postings(app)
    check_boxes(app)
    check_misregistration(app)


def misregistration_window(app, size) -> tuple[int, int]:
    """(down, across) ampcor window [pixels]: as set, else the adaptive default for a
    reference image of ``size`` = (lines, pixels)."""
    default = MISREG_WINDOW_LARGE if min(size) >= MISREG_LARGE_IMAGE else MISREG_WINDOW_SMALL
    return tuple(default if v is None else int(v)
                 for v in (app.misreg_window_height, app.misreg_window_width))


def misregistration_settings(app, product) -> tuple[dict, dict]:
    """(ampcor's grid keywords, cull_offsets' keywords) of the misregistration step, for the
    reference ``product`` (focused)."""
    grid = {"window": misregistration_window(app, (product.length, product.width)),
            "search": (int(app.misreg_search_height), int(app.misreg_search_width)),
            "count": (int(app.misreg_windows_down), int(app.misreg_windows_across))}
    cull = {"order": int(app.misreg_order), "snr_min": float(app.misreg_snr_threshold),
            "thresholds": tuple(float(v) for v in app.misreg_culling_sequence),
            "max_cov": None if app.misreg_cov_threshold is None else float(app.misreg_cov_threshold)}
    return grid, cull


# ----------------------------------------------------------------------------- OUTPUT
def _output_path(reader, role: str, kind: str, suffix: str) -> Path:
    """A date's product named by the reader's ``OUTPUT`` as ISCE2 did: a file name ending in
    ``.raw`` or ``.slc`` (insarApp's use) gives that file with ``suffix``; any other name is
    a stem (stripmapApp's use): ``<OUTPUT>_<kind>/<name><suffix>``. Without ``OUTPUT``:
    ``<role>/<role><suffix>``."""
    output = getattr(reader, "output", None)
    if not output:
        return StripmapLayout().date_file(role, suffix)
    path = Path(output)
    if path.suffix.lower() in (".raw", ".slc"):
        return path.with_suffix(suffix)
    return path.parent / f"{path.name}_{kind}" / f"{path.name}{suffix}"


def slc_path(reader, role: str) -> Path:
    """Where a date's SLC goes (``OUTPUT`` honoured, see :func:`_output_path`)."""
    return _output_path(reader, role, "slc", ".slc")


def raw_json_path(reader, role: str) -> Path:
    """Where a raw date's metadata goes: ``<file>.raw.json`` beside its echo file name under
    ``OUTPUT`` (or ``<OUTPUT>_raw/<name>.raw.json``); ``<role>/<role>.raw.json`` without."""
    return _output_path(reader, role, "raw", ".raw.json")


def check_outputs(app) -> None:
    """Refuse one ``OUTPUT`` for both dates: the secondary would overwrite the reference."""
    ref, sec = (slc_path(getattr(app, role), role) for role in ("reference", "secondary"))
    if ref.resolve() == sec.resolve():
        raise ConfigurationError(
            f"the Reference and Secondary OUTPUT both lead to {ref}: give each date its own "
            "OUTPUT", path=f"{app.config_path}.Secondary.OUTPUT")


# ----------------------------------------------------------------------------- looks
def _mid_geometry(product):
    """(PRF [Hz], range bandwidth [Hz], ground speed [m/s], incidence [rad]) at mid-scene of
    a raw or focused product (the bandwidth falls back to the sampling rate when unknown)."""
    grid = getattr(product, "radar_grid", None)
    if grid is not None:      # focused
        t = grid.sensing_start + grid.length / 2 / grid.prf
        r = grid.starting_range + grid.width / 2 * grid.range_pixel_spacing
        bandwidth = product.range_bandwidth or product.range_sampling_rate \
            or SPEED_OF_LIGHT / (2 * grid.range_pixel_spacing)
    else:                     # raw
        t = float(product.pulse_time(product.length / 2))
        r = float(product.slant_range(product.width / 2))
        bandwidth = product.chirp_bandwidth
    pos, vel = product.orbit.interpolate(float(t))
    pos, vel = np.reshape(pos, 3), np.reshape(vel, 3)
    height = float(WGS84.xyz_to_lon_lat(pos)[2])
    sat = float(np.linalg.norm(pos))
    earth = sat - height
    cos_beta = (earth ** 2 + sat ** 2 - r ** 2) / (2 * earth * sat)
    if not -1.0 < cos_beta < 1.0 or r <= height:
        raise InputError(f"slant range {r:.0f} m cannot reach the ground from {height:.0f} m "
                         "altitude: the product's geometry is wrong")
    incidence = math.asin(min(1.0, math.sqrt(1 - cos_beta ** 2) * sat / r))
    return float(product.prf), float(bandwidth), float(np.linalg.norm(vel)) * earth / sat, incidence


def looks_from_posting(product, posting: float) -> tuple[int, int]:
    """(azimuth, range) looks giving pixels of about ``posting`` metres on the ground, by
    ISCE2's rule: ground line spacing v_ground / PRF, ground-range resolution
    c / (2 B) / sin(incidence) at mid-swath; each rounded, at least 1."""
    prf, bandwidth, ground_speed, incidence = _mid_geometry(product)
    ground_range_resolution = SPEED_OF_LIGHT / (2 * bandwidth) / math.sin(incidence)
    az = max(int(round(posting * prf / ground_speed)), 1)
    rg = max(int(round(posting / ground_range_resolution)), 1)
    return az, rg


def effective_looks(app, product=None) -> tuple[int, int]:
    """(azimuth, range) looks: those set explicitly, the others from ``posting`` [m] on the
    reference ``product`` (ISCE2: looks given win over posting); the defaults without one."""
    az, rg = app.azimuth_looks, app.range_looks
    if app.posting is None or product is None:
        return az, rg
    az_p, rg_p = looks_from_posting(product, app.posting)
    if app.source_of("azimuth_looks") == "default":
        az = az_p
    if app.source_of("range_looks") == "default":
        rg = rg_p
    return az, rg


def looks_text(app) -> str:
    """The looks as configured, for the log: ``"4 x 2"``, or what ``posting`` leaves open."""
    from_posting = app.posting is not None
    parts = [str(getattr(app, attr)) if app.source_of(attr) != "default" or not from_posting
             else f"from posting {app.posting:g} m" for attr in ("azimuth_looks", "range_looks")]
    return " x ".join(parts)


# ----------------------------------------------------------------------------- the scene
def image_size_bound(product) -> tuple[int, int]:
    """(lines, pixels) of the reference image: a focused product's own; for raw data an upper
    bound of what focusing will make of it, from the metadata (the raw lines less the
    synthetic aperture, the samples less the chirp)."""
    if not isinstance(product, RawProduct):
        return product.length, product.width
    first, stop = valid_samples(product)
    return max(product.length - required_pulses(product) + 1, 0), stop - first


def check_looks_fit(app, product) -> None:
    """Refuse looks larger than the reference image (the interferogram would have no pixel);
    for raw data, larger than the most focusing can make of them (:func:`image_size_bound`)."""
    lines, pixels = image_size_bound(product)
    if pixels < 1:   # a data problem, whatever the looks
        chirp = int(round(product.pulse_length * product.range_sampling_rate))
        raise InputError(f"{product_file(product)}: the raw data have {product.width} samples per line, "
                         f"fewer than the {chirp} samples of the chirp: range compression "
                         "leaves no pixel")
    az, rg = effective_looks(app, product)
    what = "image focused from the raw data" if isinstance(product, RawProduct) else "image"
    at_most = "will have at most" if isinstance(product, RawProduct) else "has"
    for attr, looks, size, axis in (("azimuth_looks", az, lines, "lines"),
                                    ("range_looks", rg, pixels, "pixels")):
        if looks > size:
            given = app.source_of(attr) != "default" or app.posting is None
            setting, origin = (attr, "") if given else \
                ("posting", f" in {axis} (from posting {app.posting:g} m)")
            raise _error(app, setting, f"{looks} looks{origin} but the reference {what} "
                         f"{product_file(product)} {at_most} {size} {axis}: the interferogram would be "
                         "empty")


def product_file(product) -> str:
    """The file a product was read from, for messages (raw: the echo file; SLC: the image)."""
    source = getattr(product, "source", None)
    return str(getattr(source, "path", None) or "?")


def scene_grid(product):
    """The zero-Doppler radar grid covering a product: its own when focused; for raw data
    the grid of all its pulses and samples (a superset of the focused image's)."""
    grid = getattr(product, "radar_grid", None)
    if grid is not None:
        return grid, product.geometry_doppler
    return RadarGrid(product.sensing_start, product.reference_epoch, prf=product.prf,
                     starting_range=product.starting_range,
                     range_pixel_spacing=product.range_pixel_spacing, length=product.length,
                     width=product.width, wavelength=product.wavelength,
                     look_side=product.look_side), None


def check_boxes_on_scene(app, product) -> None:
    """Refuse a ``geocode bounding box`` or ``regionOfInterest`` that misses the reference
    scene's footprint (raw data: the footprint of all its echoes, which holds the focused
    image's), naming both boxes."""
    boxes = [(attr, getattr(app, attr)) for attr in ("geocode_bbox", "roi")
             if getattr(app, attr) is not None]
    if not boxes:
        return
    grid, doppler = scene_grid(product)
    west, south, east, north = scene_footprint(grid, product.orbit, doppler)
    for attr, (s, n, w, e) in boxes:
        if n < south or s > north or not _lon_overlap(w, e, west, east):
            raise _error(app, attr, f"S, N, W, E = {s:g}, {n:g}, {w:g}, {e:g} misses the reference "
                         f"scene {product_file(product)} (S, N, W, E = {south:.4f}, {north:.4f}, "
                         f"{west:.4f}, {east:.4f} deg): nothing to "
                         f"{'geocode' if attr == 'geocode_bbox' else 'process'}")


def _lon_overlap(w: float, e: float, west: float, east: float) -> bool:
    """Whether [w, e] and [west, east] overlap, with longitudes taken modulo 360."""
    return any(w + k <= east and e + k >= west for k in (-360.0, 0.0, 360.0))


def check_misregistration_fits(app, product) -> None:
    """Refuse a misregistration window and search set explicitly that do not fit the reference
    image (``window + 2 search`` pixels each way; for raw data, in what focusing can make of
    them): ampcor would find no window to correlate. The adaptive default window is never
    refused (a scene too small for it keeps the geometry offsets alone, with a warning)."""
    size = image_size_bound(product)
    window = misregistration_window(app, size)
    axes = (("misreg_window_height", "misreg_search_height", "lines"),
            ("misreg_window_width", "misreg_search_width", "pixels"))
    for (w_attr, s_attr, what), win, n in zip(axes, window, size):
        search = getattr(app, s_attr)
        if app.source_of(w_attr) == "default" and app.source_of(s_attr) == "default":
            continue
        if win + 2 * search > n:
            attr = w_attr if app.source_of(w_attr) != "default" else s_attr
            raise _error(app, attr, f"a {win}-pixel window with a {search}-pixel search each side "
                         f"needs {win + 2 * search} {what}, but the reference image "
                         f"{product_file(product)} has {'at most ' if isinstance(product, RawProduct) else ''}"
                         f"{n} {what}: no misregistration window would fit")


def check_scene_settings(app, products: dict) -> None:
    """Settings against the reference scene, before preprocess writes anything: looks
    that fit the image, boxes on the scene, misregistration windows that fit."""
    ref = products["reference"]
    check_looks_fit(app, ref)
    check_boxes_on_scene(app, ref)
    check_misregistration_fits(app, ref)
