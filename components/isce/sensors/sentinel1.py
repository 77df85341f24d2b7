"""Reader of Sentinel-1 Level-1 SLC products (SAFE folder or its ``.zip``).

Reference: ESA, *Sentinel-1 Product Specification* (S1-RS-MDA-52-7441), §6 "Product
annotation" (the ``annotation/s1?-<swath>-slc-<pol>-….xml`` schema); the facts below
agree with ISCE2's ``Sentinel1.py``/``Sentinel1TOPS``, s1-reader and xarray-sentinel.

Sensor name ``SENTINEL1``; properties as ISCE2's reader:

================ ==============================================================
``SAFE``         the ``….SAFE`` folder or the ``.zip`` holding it (mandatory)
``ORBITFILE``    an ESA precise/restituted orbit ``.EOF`` replacing the annotation's
``ORBITDIR``     a folder of ``.EOF`` files: the one covering the acquisition is used
                 (ISCE2's ``orbit directory``; its ``orbit file`` is ``ORBITFILE``)
``POLARIZATION`` ``vv`` (default), ``vh``, ``hh``, ``hv``
``SWATH``        ``S1``–``S6`` (stripmap), ``IW1``–``IW3``, ``EW1``–``EW5``; default: the
                 only swath of the product (a stripmap SAFE has one)
``OUTPUT``       where :meth:`~isce.sensors.base.Sensor.extract` writes the SLC
================ ==============================================================

What is read from the product annotation (paths below ``/product``):

* grid: ``imageAnnotation/imageInformation/productFirstLineUtcTime`` (line 0),
  ``azimuthTimeInterval`` [s], ``slantRangeTime`` [s, **two-way**: starting range
  = c·τ/2], ``rangePixelSpacing`` [m], ``numberOfSamples``, ``numberOfLines``;
  wavelength = c / ``generalAnnotation/productInformation/radarFrequency``; right looking;
  zero-Doppler geometry (S1 SLCs are focused to zero Doppler);
* ``productInformation/rangeSamplingRate`` [Hz], ``downlinkInformation/prf`` [Hz],
  ``downlinkValues/txPulseLength`` [s] and ``txPulseRampRate`` [Hz/s] (chirp),
  ``swathProcParams/rangeProcessing|azimuthProcessing/processingBandwidth`` [Hz];
* orbit: ``generalAnnotation/orbitList/orbit`` (UTC ``time``, ECEF ``position`` [m],
  ``velocity`` [m/s], 10 s apart). Their velocities are not the time derivative of the
  positions to the cm/s, so the orbit is declared ``interp_method="legendre"``
  (positions interpolated on their own: Hermite with these velocities puts rdr2geo up to
  0.23 m from ESA's geolocation grid);
* Doppler centroid: ``dopplerCentroid/dcEstimateList/dcEstimate`` (``azimuthTime``,
  ``t0`` [s two-way], ``dataDcPolynomial`` and ``geometryDcPolynomial``: f [Hz] =
  Σ c_k (τ − t0)^k with τ the two-way slant-range time) kept in ``attributes`` with the
  azimuth FM rates ``generalAnnotation/azimuthFmRateList`` (same polynomial form);
  :func:`doppler_centroid` samples the data centroid into a (time, range) table. The
  product's ``doppler`` (the geometry the chain's topo/geo2rdr use) is zero: S1 SLCs are
  focused to zero Doppler, as ESA's geolocation grid (as ISCE2's stripmapApp, which
  keeps the data centroid for processing only);
* IW/EW bursts: ``swathTiming/burstList/burst`` into :class:`Burst` (see
  :func:`read_sentinel1_bursts`);
* stripmap image: ``measurement/<annotation name>.tiff``, one band of complex int16, read
  window by window through GDAL (rasterio; ``/vsizip/`` inside a zip): its size is checked
  against the annotation at parse time, an empty (0-byte) file is refused, and so is a
  truncated one (its last TIFF block ends past the end of the file: the byte is named);
* radiometry: ``annotation/calibration/calibration-<annotation name>`` and ``noise-…``
  (calibration vectors, noise range and azimuth vectors) into ``attributes["calibration"]``
  and ``["noise"]``; :func:`isce.sensors.sentinel1_calibration.radiometry` interpolates them
  (sigma0 of a block). A SAFE without them reads with ``None`` there;
* an ESA ``.EOF`` orbit (``ORBITFILE``, or the covering one of ``ORBITDIR``) replaces the
  annotation's state vectors (:mod:`isce.sensors.sentinel1_eof`).

IW/EW (TOPS) products are parsed (metadata, bursts) but the ``SENTINEL1`` component refuses
them in one line: "TOPS (IW/EW) needs topsApp" (insarApp is stripmap).

The Doppler and FM-rate polynomials and the product facts are kept in
``product.attributes``. Every time is read with nanosecond precision
(:class:`~isce.core.time.DateTime`); the product's epoch is the first line's time
floored to the second. Every problem is an :class:`~isce.framework.InputError` naming
the file, the archive member and the XML element.
"""
from __future__ import annotations

import logging
import os
import re
import zipfile
import zlib
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
from .sentinel1_calibration import calibration_members, read_calibration, read_noise
from .sentinel1_eof import find_eof, read_eof
from .sentinel1_xml import ORBIT_INTERPOLATION, Annotation, annotation_orbit, parse_xml
from .product import ImageSource, SlcProduct, rasterio_module

__all__ = ["Sentinel1", "read_sentinel1", "read_sentinel1_bursts", "read_annotation_file", "Burst",
           "doppler_centroid", "SafeArchive",
           "Annotation", "TOPS_MODES", "ORBIT_INTERPOLATION"]

log = logging.getLogger("isce.sensors.sentinel1")

#: acquisition modes whose SLCs are burst-wise (TOPS): insarApp cannot use them
TOPS_MODES = ("IW", "EW")
#: product annotation member: annotation/s1a-iw1-slc-vv-<start>-<stop>-<orbit>-<take>-<n>.xml
_ANNOTATION_RE = re.compile(r"(?:^|/)annotation/(s1[a-d])-([a-z]+\d?)-slc-([hv][hv])-[^/]*\.xml$")
_SWATH_RE = re.compile(r"^(S[1-6]|IW[1-3]|EW[1-5])$")
_POL_RE = re.compile(r"^[HV][HV]$")
#: Doppler table: samples across the swath per estimate (the polynomials are quadratic)
_DOPPLER_RANGE_SAMPLES = 32


# ---------------------------------------------------------------------------- the SAFE
class SafeArchive:
    """Read-only view of a SAFE product: a ``….SAFE`` folder, or a ``.zip`` holding one
    (members read in memory, nothing extracted). ``members`` are paths relative to the
    SAFE folder (``manifest.safe``, ``annotation/….xml``)."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise InputError(f"{self.path}: no such file or folder (Sentinel-1 SAFE)")
        self._zip_prefix = None
        if os.path.isdir(self.path):
            self.members = self._folder_members()
        else:
            self.members = self._zip_members()
        if "manifest.safe" not in self.members:
            raise InputError(f"{self.path}: no manifest.safe: not a Sentinel-1 SAFE product")

    def _folder_members(self) -> list:
        out = []
        for root, _dirs, files in os.walk(self.path):
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), self.path)
                out.append(rel.replace(os.sep, "/"))
        return sorted(out)

    def _zip_members(self) -> list:
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{self.path}: not a readable zip archive (truncated or corrupt?): "
                             f"{exc}") from None
        manifests = [n for n in names if n.endswith(".SAFE/manifest.safe")]
        if len(manifests) != 1:
            raise InputError(f"{self.path}: expected one <name>.SAFE/manifest.safe in the zip, "
                             f"found {len(manifests)}")
        self._zip_prefix = manifests[0][:-len("manifest.safe")]
        n = len(self._zip_prefix)
        return sorted(m[n:] for m in names if m.startswith(self._zip_prefix) and len(m) > n)

    def where(self, member: str) -> str:
        """``<SAFE or zip>: <member>`` for messages (a space keeps the member readable when
        a long path is shortened)."""
        return f"{self.path}: {member}"

    def local_path(self, member: str) -> str:
        """A path GDAL/rasterio opens: the file, or ``/vsizip/<zip>/<member>``."""
        if self._zip_prefix is None:
            return os.path.join(self.path, member)
        return f"/vsizip/{os.path.abspath(self.path)}/{self._zip_prefix}{member}"

    def read(self, member: str) -> bytes:
        """The bytes of ``member`` (InputError naming file and member when unreadable)."""
        try:
            if self._zip_prefix is None:
                with open(os.path.join(self.path, member), "rb") as handle:
                    return handle.read()
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(self._zip_prefix + member)
        except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error) as exc:
            raise InputError(f"{self.where(member)}: cannot read (truncated or corrupt archive?): "
                             f"{exc}") from None

    def size(self, member: str) -> int:
        """Bytes of ``member`` (uncompressed)."""
        if self._zip_prefix is None:
            return os.path.getsize(os.path.join(self.path, member))
        with zipfile.ZipFile(self.path) as archive:
            return archive.getinfo(self._zip_prefix + member).file_size

    def xml(self, member: str) -> "Annotation":
        """``member`` parsed as XML (InputError naming it and the parser's line when broken)."""
        return parse_xml(self.read(member), self.where(member))

    def annotations(self) -> dict:
        """``{(swath, pol): member}`` of the product annotations (upper-case keys)."""
        out = {}
        for member in self.members:
            m = _ANNOTATION_RE.search(member)
            if m and "/calibration/" not in member and "/rfi/" not in member:
                out[(m.group(2).upper(), m.group(3).upper())] = member
        return out


# ---------------------------------------------------------------------------- bursts
@dataclass(frozen=True)
class Burst:
    """One burst of an IW/EW SLC swath (``swathTiming/burstList/burst``).

    ``azimuth_time``: zero-Doppler time of the burst's first line (UTC);
    ``azimuth_anx_time`` [s since the ascending node]; ``sensing_time``: UTC of the first
    echo; ``byte_offset`` of the burst in the measurement TIFF; ``first_valid_sample`` /
    ``last_valid_sample`` per line (−1: no valid sample on that line);
    ``lines``/``samples``: linesPerBurst/samplesPerBurst; ``azimuth_steering_rate`` [deg/s].
    """

    index: int
    azimuth_time: DateTime
    azimuth_anx_time: float
    sensing_time: DateTime
    byte_offset: int
    first_valid_sample: tuple
    last_valid_sample: tuple
    lines: int
    samples: int
    azimuth_steering_rate: float

    @property
    def valid_lines(self) -> tuple:
        """(first, last+1) line of the burst with valid samples."""
        valid = [k for k, v in enumerate(self.first_valid_sample) if v >= 0]
        return (valid[0], valid[-1] + 1) if valid else (0, 0)


def _read_bursts(ann: Annotation) -> tuple:
    lines = ann.int("swathTiming/linesPerBurst", minimum=0)
    samples = ann.int("swathTiming/samplesPerBurst", minimum=0)
    rate = ann.float("generalAnnotation/productInformation/azimuthSteeringRate")
    out = []
    for k, node in enumerate(ann.nodes("swathTiming/burstList/burst")):
        first = tuple(int(v) for v in ann.floats("firstValidSample", node))
        last = tuple(int(v) for v in ann.floats("lastValidSample", node))
        if len(first) != lines or len(last) != lines:
            raise InputError(f"{ann.where}: burst {k + 1} has {len(first)} firstValidSample and "
                             f"{len(last)} lastValidSample values, linesPerBurst is {lines}")
        out.append(Burst(k, ann.time("azimuthTime", node), ann.float("azimuthAnxTime", node),
                         ann.time("sensingTime", node), ann.int("byteOffset", node, minimum=0),
                         first, last, lines, samples, rate))
    return tuple(out)


# ---------------------------------------------------------------------------- reading
def _selection(safe: SafeArchive, swath, polarization):
    """The annotation member of the chosen swath and polarization (InputError listing
    what the product has)."""
    found = safe.annotations()
    if not found:
        raise InputError(f"{safe.path}: no product annotation (annotation/s1?-*-slc-*.xml): "
                         "not a Sentinel-1 SLC")
    pol = str(polarization or "VV").strip().upper()
    swaths = sorted({s for s, _ in found})
    if swath is None or not str(swath).strip():
        if len(swaths) != 1:
            raise ConfigurationError(f"SWATH is not set and {safe.path} has swaths "
                                     f"{', '.join(swaths)}: choose one")
        swath = swaths[0]
    swath = str(swath).strip().upper()
    if (swath, pol) not in found:
        have = ", ".join(f"{s} {p}" for s, p in sorted(found))
        raise InputError(f"{safe.path}: no annotation for swath {swath} polarization {pol} "
                         f"(the product has {have})")
    return found[(swath, pol)], swath, pol


def _epoch(first_line: DateTime) -> DateTime:
    ns = first_line.nanoseconds_since_unix_epoch
    return DateTime.from_nanoseconds(ns - ns % 1_000_000_000)


def _radar_grid(ann: Annotation, epoch: DateTime) -> RadarGrid:
    info = "imageAnnotation/imageInformation"
    first = ann.time(f"{info}/productFirstLineUtcTime")
    tau = ann.float(f"{info}/slantRangeTime", positive=True)
    freq = ann.float("generalAnnotation/productInformation/radarFrequency", positive=True)
    return RadarGrid(first.seconds_since(epoch), epoch,
                     starting_range=SPEED_OF_LIGHT * tau / 2.0,       # two-way time
                     range_pixel_spacing=ann.float(f"{info}/rangePixelSpacing", positive=True),
                     length=ann.int(f"{info}/numberOfLines", minimum=1),
                     width=ann.int(f"{info}/numberOfSamples", minimum=1),
                     wavelength=SPEED_OF_LIGHT / freq, look_side="right",
                     az_time_interval=ann.float(f"{info}/azimuthTimeInterval", positive=True))


def _annotation_orbit(ann: Annotation, epoch: DateTime) -> Orbit:
    return annotation_orbit(ann, "generalAnnotation/orbitList/orbit", epoch,
                            ("time", "position/{}", "velocity/{}", "xyz"),
                            f"{ann.where}: generalAnnotation/orbitList")


def _polynomials(ann: Annotation, path: str, names: tuple, epoch: DateTime) -> list:
    """``[{azimuth_time, t0, <name>: coefficients}]`` of a list of (t0, polynomial) entries."""
    out = []
    for node in ann.nodes(path):
        entry = {"azimuth_time": ann.time("azimuthTime", node).seconds_since(epoch),
                 "t0": ann.float("t0", node)}
        for name in names:
            entry[name] = ann.floats(name, node).tolist()
        out.append(entry)
    return out


def _fm_rates(ann: Annotation, epoch: DateTime) -> list:
    """Azimuth FM rates; older annotations give c0, c1, c2 instead of the polynomial."""
    path = "generalAnnotation/azimuthFmRateList/azimuthFmRate"
    nodes = ann.nodes(path)
    if nodes and not ann.has("azimuthFmRatePolynomial", nodes[0]):
        return [{"azimuth_time": ann.time("azimuthTime", n).seconds_since(epoch),
                 "t0": ann.float("t0", n),
                 "azimuthFmRatePolynomial": [ann.float(c, n) for c in ("c0", "c1", "c2")]}
                for n in nodes]
    return _polynomials(ann, path, ("azimuthFmRatePolynomial",), epoch)


def eval_polynomial(entry: dict, name: str, slant_range) -> np.ndarray:
    """Σ c_k (τ − t0)^k of a Doppler/FM-rate entry at slant ranges [m] (τ = 2R/c)."""
    tau = 2.0 * np.asarray(slant_range, dtype=np.float64) / SPEED_OF_LIGHT
    return np.polynomial.polynomial.polyval(tau - entry["t0"], entry[name])


def doppler_centroid(product: SlcProduct) -> LUT2d:
    """The data Doppler centroid [Hz] of a Sentinel-1 product (its annotation's
    ``dataDcPolynomial`` estimates) as a table over (time [s since the product's epoch],
    slant range [m]), clamped outside the estimates."""
    return _doppler_table(product.attributes["doppler_centroid"], product.radar_grid,
                          product.attributes.get("annotation", "product"))


def _doppler_table(estimates: list, grid: RadarGrid, where: str):
    """The data Doppler centroid sampled on (estimate time, range) (clamped outside)."""
    if not estimates:
        raise InputError(f"{where}: no dopplerCentroid/dcEstimateList/dcEstimate")
    by_time = {}
    for entry in estimates:                 # one estimate per time; later ones win
        by_time[entry["azimuth_time"]] = entry
    times = sorted(by_time)
    if len(times) == 1:                     # a single estimate holds over the whole image
        times = [times[0] - 1.0, times[0] + 1.0]
        by_time = {t: next(iter(by_time.values())) for t in times}
    ranges = np.linspace(grid.starting_range,
                         grid.starting_range + (grid.width - 1) * grid.range_pixel_spacing,
                         _DOPPLER_RANGE_SAMPLES)
    data = np.array([eval_polynomial(by_time[t], "dataDcPolynomial", ranges) for t in times])
    return LUT2d(ranges, np.array(times), data, method="bilinear", bounds_error=False)


def _optional_float(ann: Annotation, path: str):
    return ann.float(path) if ann.has(path) else None


def _facts(ann: Annotation) -> dict:
    """Mission, mode, swath and the JSON-able radar facts of the annotation."""
    header = "adsHeader"
    proc = "imageAnnotation/processingInformation/swathProcParamsList/swathProcParams"
    down = "generalAnnotation/downlinkInformationList/downlinkInformation"
    return {
        "mission": ann.text(f"{header}/missionId"),
        "mode": ann.text(f"{header}/mode").upper(),
        "swath": ann.text(f"{header}/swath").upper(),
        "polarization": ann.text(f"{header}/polarisation").upper(),
        "product_type": ann.text(f"{header}/productType"),
        "absolute_orbit": ann.int(f"{header}/absoluteOrbitNumber", minimum=0),
        "mission_data_take_id": ann.int(f"{header}/missionDataTakeId", minimum=0),
        "pass": ann.text("generalAnnotation/productInformation/pass"),
        "range_sampling_rate": ann.float("generalAnnotation/productInformation/rangeSamplingRate",
                                         positive=True),
        "prf": ann.float(f"{down}/prf", positive=True),
        "pulse_length": _optional_float(ann, f"{down}/downlinkValues/txPulseLength"),
        "chirp_slope": _optional_float(ann, f"{down}/downlinkValues/txPulseRampRate"),
        "range_bandwidth": _optional_float(ann, f"{proc}/rangeProcessing/processingBandwidth"),
        "azimuth_bandwidth": _optional_float(ann, f"{proc}/azimuthProcessing/processingBandwidth"),
        "azimuth_steering_rate": ann.float(
            "generalAnnotation/productInformation/azimuthSteeringRate"),
    }


def _platform(safe: SafeArchive) -> str:
    """``Sentinel-1A`` etc. from manifest.safe (which is checked to be XML)."""
    manifest = safe.xml("manifest.safe")
    family = manifest.root.find(".//{*}platform/{*}familyName")
    number = manifest.root.find(".//{*}platform/{*}number")
    if family is None or number is None:
        raise InputError(f"{manifest.where}: missing XML element metadataSection//platform/"
                         "familyName or number")
    return f"{(family.text or '').strip().title()}{(number.text or '').strip()}"


def read_annotation(path, swath=None, polarization="VV"):
    """``(safe, member, annotation)`` of the chosen swath/polarization of a SAFE."""
    safe = SafeArchive(path)
    member, _swath, _pol = _selection(safe, swath, polarization)
    return safe, member, safe.xml(member)


def read_sentinel1(path, swath=None, polarization="VV", *, orbit_file=None,
                   orbit_dir=None) -> SlcProduct:
    """Read the metadata of a Sentinel-1 SLC (SAFE folder or zip) into an SlcProduct.

    ``orbit_file`` (an ESA ``.EOF``), or the file of ``orbit_dir`` covering the acquisition,
    replaces the annotation's state vectors. The image is not attached here (see
    :class:`Sentinel1`).
    """
    safe, member, ann = read_annotation(path, swath, polarization)
    product = product_from_annotation(ann, member, _platform(safe), orbit_file=orbit_file,
                                      orbit_dir=orbit_dir)
    product.attributes.update(_radiometric_tables(safe, member, product.reference_epoch))
    if product.attributes["mode"] not in TOPS_MODES:      # IW/EW images are burst-wise
        product.source = _measurement(safe, member, product.shape)
    return product


def _radiometric_tables(safe: SafeArchive, annotation: str, epoch: DateTime) -> dict:
    """``{"calibration": ..., "noise": ...}`` from the annotation's ``calibration-*.xml`` and
    ``noise-*.xml`` (:mod:`isce.sensors.sentinel1_calibration`); None for a missing file."""
    cal_member, noise_member = calibration_members(annotation)
    out = {"calibration": None, "noise": None}
    if cal_member in safe.members:
        out["calibration"] = read_calibration(safe.xml(cal_member), epoch)
    if noise_member in safe.members:
        out["noise"] = read_noise(safe.xml(noise_member), epoch)
    if out["calibration"] is None:
        log.info("%s: no %s: the product has no radiometric calibration", safe.path, cal_member)
    return out


def _measurement(safe: SafeArchive, annotation: str, shape: tuple) -> ImageSource:
    """The measurement GeoTIFF of an annotation (read through GDAL); InputError naming it
    when it is missing, empty, unreadable or not ``shape`` (lines, samples)."""
    member = "measurement/" + annotation.rsplit("/", 1)[-1][:-len(".xml")] + ".tiff"
    if member not in safe.members:
        raise InputError(f"{safe.where(member)}: missing measurement image of {annotation}")
    if safe.size(member) == 0:
        raise InputError(f"{safe.where(member)}: the measurement image is empty (0 bytes)")
    source = ImageSource("gdal", safe.local_path(member))
    rasterio = rasterio_module()
    try:
        with rasterio.open(source.path) as ds:
            found = (ds.height, ds.width, ds.count, ds.dtypes[0])
            last = _last_block_end(ds)
    except rasterio.errors.RasterioError as exc:
        raise InputError(f"{safe.where(member)}: not a readable GeoTIFF: {exc}") from None
    if found[:2] != tuple(shape) or found[2] != 1 or not found[3].startswith("complex"):
        raise InputError(f"{safe.where(member)}: image is {found[0]} x {found[1]} lines x "
                         f"samples, {found[2]} band(s) of {found[3]}; the annotation says "
                         f"{shape[0]} x {shape[1]}, 1 band of complex int16")
    size = safe.size(member)
    if last is not None and last[1] > size:
        raise InputError(f"{safe.where(member)}: truncated: its last image block ({last[0]}) "
                         f"ends at byte {last[1]}, the file has {size} bytes")
    return source


def _last_block_end(ds):
    """(name, end byte) of the last TIFF block of band 1 (GDAL's ``BLOCK_OFFSET_x_y`` and
    ``BLOCK_SIZE_x_y`` items), or None when GDAL does not say (not a TIFF)."""
    rows, cols = ds.block_shapes[0]
    x, y = -(-ds.width // cols) - 1, -(-ds.height // rows) - 1
    offset = ds.get_tag_item(f"BLOCK_OFFSET_{x}_{y}", "TIFF", bidx=1)
    size = ds.get_tag_item(f"BLOCK_SIZE_{x}_{y}", "TIFF", bidx=1)
    if offset is None or size is None:
        return None
    return f"block {x},{y} at byte {offset}", int(offset) + int(size)


def read_annotation_file(path, *, orbit_file=None) -> SlcProduct:
    """An SlcProduct from a lone product annotation XML (no SAFE around it), e.g. to
    check its geolocation grid; the platform is the annotation's missionId."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the Sentinel-1 annotation: {exc}") from None
    ann = parse_xml(data, f"{os.path.basename(path)} (in {os.path.dirname(path) or '.'})")
    mission = ann.text("adsHeader/missionId")
    return product_from_annotation(ann, os.path.basename(path),
                                   f"Sentinel-1{mission[-1:]}", orbit_file=orbit_file)


def _orbit(ann: Annotation, epoch: DateTime, mission: str, orbit_file, orbit_dir):
    """The annotation's orbit, or an EOF file's (given, or found in ``orbit_dir``)."""
    own = _annotation_orbit(ann, epoch)
    if not orbit_file and not orbit_dir:
        return own, None
    info = "imageAnnotation/imageInformation"
    start, stop = ann.time(f"{info}/productFirstLineUtcTime"), ann.time(f"{info}/productLastLineUtcTime")
    path = os.fspath(orbit_file) if orbit_file else find_eof(orbit_dir, start, stop, mission)
    orbit = read_eof(path, epoch, start, stop, mission=mission)
    log.info("%s: orbit from %s (%d state vectors, %s interpolation)", ann.where, path,
             len(orbit), orbit.interp_method)
    return orbit, path


def product_from_annotation(ann: "Annotation", member: str, platform: str, *,
                            orbit_file=None, orbit_dir=None) -> SlcProduct:
    """The SlcProduct of a parsed product annotation (see the module docstring)."""
    facts = _facts(ann)
    first = ann.time("imageAnnotation/imageInformation/productFirstLineUtcTime")
    epoch = _epoch(first)
    grid = _radar_grid(ann, epoch)
    dc = _polynomials(ann, "dopplerCentroid/dcEstimateList/dcEstimate",
                      ("dataDcPolynomial", "geometryDcPolynomial"), epoch)
    _doppler_table(dc, grid, ann.where)                # the estimates are usable
    orbit, eof = _orbit(ann, epoch, facts["mission"], orbit_file, orbit_dir)
    facts.update(annotation=member, doppler_centroid=dc, azimuth_fm_rate=_fm_rates(ann, epoch),
                 number_of_bursts=len(ann.nodes("swathTiming/burstList/burst")),
                 orbit_source="annotation" if eof is None else "EOF", orbit_file=eof)
    return SlcProduct(
        radar_grid=grid, orbit=orbit,
        doppler=zero_doppler(),                     # zero-Doppler focused (see above)
        range_bandwidth=facts["range_bandwidth"], azimuth_bandwidth=facts["azimuth_bandwidth"],
        range_sampling_rate=facts["range_sampling_rate"], polarization=facts["polarization"],
        platform=platform, mission="Sentinel-1", orbit_type=facts["orbit_source"],
        source=None, attributes=facts)


def read_sentinel1_bursts(path, swath, polarization="VV") -> tuple:
    """The bursts (:class:`Burst`, in order) of an IW/EW swath of a SAFE."""
    _safe, _member, ann = read_annotation(path, swath, polarization)
    return _read_bursts(ann)


# ---------------------------------------------------------------------------- component
def _normalise(component, attr: str, pattern, what: str, upper=True):
    value = getattr(component, attr)
    if value is None or not str(value).strip():
        return
    text = str(value).strip().upper() if upper else str(value).strip()
    if not pattern.match(text):
        param = component.parameter(attr)
        raise ConfigurationError(f"{param.public_name} {value!r}: expected {what}",
                                 path=f"{component.config_path}.{param.public_name}")
    setattr(component, attr, text)


class Sentinel1(Sensor):
    """Reader of Sentinel-1 stripmap SLCs (SAFE folder or zip), ISCE2's ``SENTINEL1``.

    IW/EW (TOPS) products are refused by :meth:`read_product` (insarApp is stripmap):
    their bursts are read with :func:`read_sentinel1_bursts`.
    """

    sensor_name = "SENTINEL1"
    parameters = (
        Parameter("safe", public_name="SAFE", type="path", default=None, mandatory=True,
                  doc="The Sentinel-1 SLC product: its .SAFE folder or the .zip holding it."),
        Parameter("orbit_file", public_name="ORBITFILE", type="path", default=None,
                  doc="ESA precise/restituted orbit (.EOF) replacing the annotation's orbit."),
        Parameter("orbit_dir", public_name="ORBITDIR", type="path", default=None,
                  aliases=("orbit directory",),            # ISCE2's name ("orbit file" = ORBITFILE)
                  doc="Folder of ESA .EOF orbit files; the one covering the acquisition is used."),
        Parameter("polarization", public_name="POLARIZATION", type=str, default="vv",
                  doc="Polarization of the image: vv, vh, hh or hv."),
        Parameter("swath", public_name="SWATH", type=str, default=None,
                  doc="Swath: S1-S6 (stripmap); default the product's only swath."),
    )

    def validate(self) -> None:
        _normalise(self, "polarization", _POL_RE, "one of vv, vh, hh, hv")
        _normalise(self, "swath", _SWATH_RE, "S1-S6, IW1-IW3 or EW1-EW5")

    def read_product(self) -> SlcProduct:
        path = self.require("safe")
        self.validate()
        if self.orbit_file and self.orbit_dir:
            raise ConfigurationError("ORBITFILE and ORBITDIR are both set: give one",
                                     path=f"{self.config_path}.ORBITFILE")
        product = read_sentinel1(path, self.swath, self.polarization or "VV",
                                 orbit_file=self.orbit_file, orbit_dir=self.orbit_dir)
        if product.attributes["mode"] in TOPS_MODES:
            raise InputError(f"{path}: an {product.attributes['mode']} (TOPS) product: "
                             "TOPS (IW/EW) needs topsApp; insarApp reads stripmap (SM) SLCs")
        return product
