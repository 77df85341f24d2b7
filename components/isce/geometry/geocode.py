"""Geocoding: radar-grid rasters onto a longitude/latitude grid (ISCE3
``geocode`` in interpolation mode, ISCE2 ``zerodop/geozero``).

For each output pixel (centre lon, lat [deg]) the DEM height there is taken,
geo2rdr (the Newton solver of :mod:`isce.geometry.geo2rdr`, with the image's
orbit, Doppler, wavelength and look side) gives the fractional radar
position

    line = (t - sensing_start) * prf,    pixel = (R - starting_range) / range_spacing

and the radar raster is interpolated there. Pixels that fall outside the
radar grid's pixel centres (or where geo2rdr fails, or the DEM has a void)
get NaN (0 for integer rasters).

Output grid (:class:`GeoGrid`, EPSG:4326): a bounding box ``snwe`` =
(south, north, west, east) [deg] with a ``posting`` (dx or (dx, dy) [deg],
dy < 0 north-up), or the grid of the DEM (cropped to ``snwe`` or to the
radar footprint), or an explicit :class:`GeoGrid`. The box gives pixel
*edges*: the first pixel centre is at (west + dx/2, north + dy/2), as GDAL's
geotransform and ISCE3's geogrid.

Interpolation (``method``; default by data type and ISCE image type, as
ISCE2's ``Geocodable``): complex data (SLC, interferogram) -> ``'sinc'``
(8-tap windowed sinc; an azimuth Doppler carrier can be removed and restored,
``carrier_doppler``); integer rasters (connected components, masks) ->
``'nearest'``; ``unw``/``cor``/``amp``/``rmg``/``off`` products ->
``'bilinear'`` (no overshoot at no-data edges); other real rasters
(geometry layers, heights, DEMs) -> ``'biquintic'`` (ISCE3's 6x6 spline).
``'bicubic'`` (Keys) is available too.

    from isce.geometry.geocode import geocode, GeoGrid
    geocode(["interferogram/filt_topophase.unw"], grid, orbit, doppler,
            dem="dem.wgs84", snwe=(34.78, 34.85, -115.65, -115.5), posting=(0.002, -0.0008))

writes ``filt_topophase.unw.geo`` (isce.io raster: .xml/.vrt/.hdr sidecars with
the geotransform, so GDAL sees EPSG:4326) and ``filt_topophase.unw.geo.tif``
(GeoTIFF copy). Output lines are processed in blocks; for each block the
geometry is solved once and every input is interpolated from only the radar
lines the block needs, so memory stays bounded. The per-pixel work runs in
the compiled module ``isce.ext._geocode`` (C++, OpenMP, GIL released).
"""
from __future__ import annotations

import logging
import math
import os
import sys
import threading
from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np

import isce.io
from isce.core.ellipsoid import WGS84
from isce.core.threads import kernel_threads
from isce.ext import load
from isce.framework.errors import InputError
from isce.io.info import Geo
from isce.io.sidecars import read_info

from ._convert import doppler_data, kernels, orbit_data
from .dem import ConstantDem, DemGrid, constant_dem, load_dem
from .rdr2geo import radar_grid_bbox

__all__ = ["GeoGrid", "METHODS", "choose_method", "geocode_coordinates", "geocode_array",
           "geocode", "geocode_product", "write_geotiff"]

log = logging.getLogger("isce.geometry.geocode")

#: interpolation methods of the kernel
METHODS = ("nearest", "bilinear", "bicubic", "biquintic", "sinc")

#: ISCE image types interpolated bilinearly (noisy or edge-sensitive products)
_BILINEAR_TYPES = frozenset({"unw", "cor", "amp", "rmg", "off", "phs", "bil", "mph"})
_NEAREST_HINTS = ("conncomp", "mask", "conn_comp", "ccomp", "label")

_geocode_ext = None


def _ext():
    """The compiled module ``isce.ext._geocode``."""
    global _geocode_ext
    if _geocode_ext is None:
        _geocode_ext = load("_geocode")
    return _geocode_ext


# ---------------------------------------------------------------- the output grid
@dataclass(frozen=True)
class GeoGrid:
    """A regular lon/lat grid: GDAL geotransform (x0, dx, 0, y0, 0, dy) and a size.

    ``x0``/``y0`` are the outer *edges* of the first column/row [deg];
    pixel (i, k) has its centre at (x0 + (k + 1/2) dx, y0 + (i + 1/2) dy).
    """

    x0: float
    dx: float
    y0: float
    dy: float
    width: int
    length: int
    epsg: int = 4326

    def __post_init__(self):
        for name in ("x0", "dx", "y0", "dy"):
            v = float(getattr(self, name))
            if not math.isfinite(v):
                raise ValueError(f"GeoGrid.{name} must be finite, got {v!r}")
            object.__setattr__(self, name, v)
        if self.dx == 0 or self.dy == 0:
            raise ValueError("GeoGrid spacings dx and dy must be non-zero")
        for name in ("width", "length"):
            v = getattr(self, name)
            if isinstance(v, bool) or int(v) != v or int(v) < 1:
                raise ValueError(f"GeoGrid.{name} must be a positive integer, got {v!r}")
            object.__setattr__(self, name, int(v))
        if int(self.epsg) != 4326:
            raise ValueError(f"geocoding works on EPSG:4326 (lon/lat) grids, got EPSG:{self.epsg}")
        object.__setattr__(self, "epsg", 4326)

    # ------------------------------------------------------------ construction
    @classmethod
    def from_snwe(cls, snwe, posting) -> "GeoGrid":
        """Grid covering ``snwe`` = (south, north, west, east) [deg] at ``posting``.

        ``posting``: dx, or (dx, dy) [deg]; dy defaults to -|dx| (north-up;
        a positive dy gives a south-up grid starting at ``south``). The size is
        rounded up so the grid covers the box (within 1e-6 of a pixel).
        """
        s, n, w, e = (float(v) for v in snwe)
        if not (s < n and w < e):
            raise ValueError(f"bounding box (S, N, W, E) = {tuple(snwe)} must have S < N and W < E")
        dx, dy = _posting(posting)
        width = max(1, int(math.ceil((e - w) / abs(dx) - 1e-6)))
        length = max(1, int(math.ceil((n - s) / abs(dy) - 1e-6)))
        x0 = w if dx > 0 else e
        y0 = n if dy < 0 else s
        return cls(x0, dx, y0, dy, width, length)

    @classmethod
    def from_geotransform(cls, gt, width, length, epsg=4326) -> "GeoGrid":
        gt = tuple(float(v) for v in gt)
        if gt[2] != 0 or gt[4] != 0:
            raise ValueError(f"rotated geotransforms are not supported: {gt}")
        return cls(gt[0], gt[1], gt[3], gt[5], width, length, epsg)

    @classmethod
    def from_raster(cls, path) -> "GeoGrid":
        """The grid of a geocoded raster (isce.io sidecar, or anything GDAL opens)."""
        p = os.fspath(path)
        try:
            info, _, _ = read_info(p)
            if info.geo is not None:
                return cls.from_geotransform(info.geo.geotransform, info.width, info.length,
                                             info.geo.epsg)
        except Exception:  # noqa: BLE001 - not an isce.io raster: let GDAL try
            pass
        # lazy: rasterio (GDAL) costs ~0.35 s to import; only GDAL rasters need it
        import rasterio
        from rasterio.errors import RasterioError

        try:
            src = rasterio.open(p)
        except (RasterioError, OSError) as exc:
            raise InputError(f"{p}: cannot open the raster (GDAL): {exc}") from None
        with src:
            if src.crs is None or src.crs.to_epsg() != 4326:
                raise ValueError(f"{p}: not an EPSG:4326 raster (CRS {src.crs})")
            t = src.transform
            return cls.from_geotransform((t.c, t.a, t.b, t.f, t.d, t.e), src.width, src.height)

    # ------------------------------------------------------------ derived
    @property
    def geotransform(self):
        return (self.x0, self.dx, 0.0, self.y0, 0.0, self.dy)

    @property
    def geo(self):
        """:class:`isce.io.Geo` of the grid (for raster sidecars)."""
        return Geo(self.x0, self.dx, self.y0, self.dy, self.epsg)

    @property
    def shape(self):
        return (self.length, self.width)

    @property
    def lon_centers(self) -> np.ndarray:
        return self.x0 + (np.arange(self.width) + 0.5) * self.dx

    @property
    def lat_centers(self) -> np.ndarray:
        return self.y0 + (np.arange(self.length) + 0.5) * self.dy

    @property
    def bounds(self):
        """(west, south, east, north) of the pixel edges [deg]."""
        x1 = self.x0 + self.width * self.dx
        y1 = self.y0 + self.length * self.dy
        return (min(self.x0, x1), min(self.y0, y1), max(self.x0, x1), max(self.y0, y1))

    @property
    def snwe(self):
        w, s, e, n = self.bounds
        return (s, n, w, e)

    def crop(self, snwe) -> "GeoGrid":
        """The part of this grid (same origin and posting) covering ``snwe``.

        Pixels are kept when they overlap the box; raises ValueError when the
        box misses the grid entirely.
        """
        s, n, w, e = (float(v) for v in snwe)
        cols = sorted(((w - self.x0) / self.dx, (e - self.x0) / self.dx))
        rows = sorted(((n - self.y0) / self.dy, (s - self.y0) / self.dy))
        c0 = max(int(math.floor(cols[0] + 1e-6)), 0)
        c1 = min(int(math.ceil(cols[1] - 1e-6)), self.width)
        r0 = max(int(math.floor(rows[0] + 1e-6)), 0)
        r1 = min(int(math.ceil(rows[1] - 1e-6)), self.length)
        if c1 <= c0 or r1 <= r0:
            raise ValueError(f"the box (S, N, W, E) = {tuple(snwe)} does not overlap the grid "
                             f"{self.snwe}")
        return GeoGrid(self.x0 + c0 * self.dx, self.dx, self.y0 + r0 * self.dy, self.dy,
                       c1 - c0, r1 - r0, self.epsg)


def _posting(posting):
    if posting is None:
        raise ValueError("a posting (dx or (dx, dy) in degrees) is needed without a DEM grid")
    if np.ndim(posting) == 0:
        dx = float(posting)
        dy = -abs(dx)
    else:
        dx, dy = (float(v) for v in posting)
    if not (math.isfinite(dx) and math.isfinite(dy) and dx != 0 and dy != 0):
        raise ValueError(f"posting must be finite and non-zero, got {posting!r}")
    return dx, dy


# ---------------------------------------------------------------- method choice
def choose_method(dtype, image_type: str = "", name: str = "") -> str:
    """Default interpolation for a raster (see the module docstring)."""
    dt = np.dtype(dtype)
    kind = str(image_type or "").strip().lower()
    base = os.path.basename(str(name or "")).lower()
    if dt.kind == "c":
        return "sinc"
    if dt.kind in "iub" or kind in ("mask", "byte") or any(h in base for h in _NEAREST_HINTS):
        return "nearest"
    suffix = base.rsplit(".", 1)[-1] if "." in base else ""
    if kind in _BILINEAR_TYPES or suffix in _BILINEAR_TYPES:
        return "bilinear"
    return "biquintic"


def _check_method(method) -> str:
    key = str(method).strip().lower()
    if key not in METHODS:
        raise ValueError(f"interpolation method must be one of {METHODS}, got {method!r}")
    return key


#: radar lines read at once per input raster (all bands) while geocoding [bytes]
RADAR_LINES_BYTES = 24 * 2 ** 20
#: the GeoTIFF copies' codec, and the level used when none is given (codec -> level)
GEOTIFF_COMPRESSION = "zstd"
GEOTIFF_LEVEL = {"zstd": 1, "deflate": 6}
_LEVEL_OPTION = {"zstd": "zstd_level", "deflate": "zlevel", "lzma": "lzma_preset"}


def _fill_value(dtype, nodata=None):
    dt = np.dtype(dtype)
    if nodata is not None:
        return dt.type(nodata)
    if dt.kind == "c":
        return dt.type(complex(np.nan, np.nan))
    if dt.kind == "f":
        return dt.type(np.nan)
    return dt.type(0)


# ---------------------------------------------------------------- heights
class _Heights:
    """Heights [m] on blocks of the output grid from a DEM or a constant."""

    def __init__(self, dem, grid: GeoGrid):
        if dem is None:
            dem = constant_dem(0.0)
        elif isinstance(dem, (int, float, np.integer, np.floating)):
            dem = constant_dem(float(dem))
        elif isinstance(dem, (str, os.PathLike)):
            w, s, e, n = grid.bounds
            pad = 3 * max(abs(grid.dx), abs(grid.dy))
            dem = load_dem(dem, (w - pad, s - pad, e + pad, n + pad), margin=0.0)
        if not isinstance(dem, (DemGrid, ConstantDem)):
            raise TypeError(f"not a DEM: {type(dem).__name__} (give a path, a height or a DemGrid)")
        self.dem = dem
        self.grid = grid
        self.cols = self.rows = None
        if isinstance(dem, DemGrid):
            # output pixel centres that are DEM samples are read directly (exact)
            c = (grid.lon_centers - dem.x0) / dem.dx
            r = (grid.lat_centers - dem.y0) / dem.dy
            if (np.all(np.abs(c - np.rint(c)) < 1e-6) and np.all(np.abs(r - np.rint(r)) < 1e-6)
                    and c.min() > -0.5 and np.rint(c.max()) < dem.shape[1]
                    and r.min() > -0.5 and np.rint(r.max()) < dem.shape[0]):
                self.cols = np.rint(c).astype(np.intp)
                self.rows = np.rint(r).astype(np.intp)

    @property
    def constant(self):
        return isinstance(self.dem, ConstantDem)

    def block(self, rows: slice) -> np.ndarray:
        lon = self.grid.lon_centers
        lat = self.grid.lat_centers[rows]
        if self.constant:
            return np.full((lat.size, lon.size), float(self.dem.height))
        if self.cols is not None:
            return np.asarray(self.dem.data[np.ix_(self.rows[rows], self.cols)], dtype=np.float64)
        lon2, lat2 = np.meshgrid(lon, lat)
        return np.asarray(self.dem.interpolate(lon2, lat2), dtype=np.float64)


# ---------------------------------------------------------------- geometry
class _Geometry:
    """geo2rdr of output blocks onto one radar grid (kernel arguments prepared once)."""

    def __init__(self, radar_grid, orbit, doppler=None, *, threshold=None, maxiter=50,
                 orbit_method=None, ellipsoid=None, threads=0):
        if ellipsoid is None:
            ellipsoid = WGS84
        g = radar_grid
        od = orbit_data(orbit, g.reference_epoch, orbit_method)
        lut = doppler_data(doppler, grid=g)
        self.grid = g
        self.orbit_arrays = (np.ascontiguousarray(od.time), np.ascontiguousarray(od.position),
                             np.ascontiguousarray(od.velocity))
        kw = dict(t0=g.sensing_start, prf=g.prf, r0=g.starting_range, dr=g.range_pixel_spacing,
                  length=g.length, width=g.width, wavelength=g.wavelength,
                  look_side=g.look_side_sign, orbit_method=od.method,
                  doppler_method=lut.method, doppler_bounds_error=lut.bounds_error,
                  doppler_value=float(lut.ref_value), t_guess=g.sensing_mid,
                  a=float(ellipsoid.a), e2=float(ellipsoid.e2),
                  threshold=(1e-6 / g.prf if threshold is None else float(threshold)),
                  maxiter=int(maxiter), threads=kernel_threads(threads))
        if lut.have_data:
            kw["doppler"] = np.ascontiguousarray(lut.data, dtype=np.float64)
            kw["doppler_grid"] = tuple(float(v) for v in lut.grid)
        self.kw = kw

    def locate(self, lon, lat, heights):
        """(line, pixel) [len(lat), len(lon)] of pixel centres lon, lat [deg] at ``heights``."""
        line, pixel, _ = _ext().geo2rdr_geogrid(
            *self.orbit_arrays, np.ascontiguousarray(lon, dtype=np.float64),
            np.ascontiguousarray(lat, dtype=np.float64),
            np.ascontiguousarray(heights, dtype=np.float64), **self.kw)
        return line, pixel


def _carrier(carrier_doppler, radar_grid, line, pixel):
    """Azimuth carrier [rad/line] at (line, pixel) of a Doppler model [Hz], or None."""
    if carrier_doppler is None:
        return None
    g = radar_grid
    lut = doppler_data(carrier_doppler, grid=g)
    t = g.sensing_start + line / g.prf
    r = g.starting_range + pixel * g.range_pixel_spacing
    ok = np.isfinite(t)
    f = np.zeros_like(line)
    if ok.any():
        f[ok] = kernels().lut_eval(lut, np.ascontiguousarray(t[ok]), np.ascontiguousarray(r[ok]))
    return 2.0 * np.pi * f / g.prf


def geocode_coordinates(geogrid: GeoGrid, radar_grid, orbit, doppler=None, *, dem=None,
                        rows=None, threshold=None, maxiter=50, orbit_method=None,
                        ellipsoid=None, threads=0):
    """Fractional radar (line, pixel) of the output pixels ``rows`` (slice, default all).

    ``dem``: None (0 m), a height [m], a DemGrid or a DEM path. NaN where the
    pixel is outside the radar grid or geo2rdr fails.
    """
    rows = slice(0, geogrid.length) if rows is None else rows
    heights = _Heights(dem, geogrid).block(rows)
    geom = _Geometry(radar_grid, orbit, doppler, threshold=threshold, maxiter=maxiter,
                     orbit_method=orbit_method, ellipsoid=ellipsoid, threads=threads)
    return geom.locate(geogrid.lon_centers, geogrid.lat_centers[rows], heights)


def _interpolate(band_reader, length, width, line, pixel, method, fill, carrier, input_nodata,
                 threads):
    """Interpolate one band at (line, pixel), reading only the radar lines needed.

    ``band_reader(slice)`` returns those radar lines (rows, width).
    """
    ext = _ext()
    out_dtype = np.dtype(band_reader.dtype)
    finite = np.isfinite(line)
    if not finite.any():
        return np.full(line.shape, fill, dtype=out_dtype)
    margin = ext.method_margin(method)
    lo = max(int(np.floor(line[finite].min())) - margin, 0)
    hi = min(int(np.ceil(line[finite].max())) + margin + 1, length)
    block = np.ascontiguousarray(band_reader(slice(lo, hi)))
    if input_nodata is not None:
        bad = block == block.dtype.type(input_nodata)
        if bad.any():
            if block.dtype.kind in "fc":
                block = block.copy()
                block[bad] = np.nan
            else:
                log.debug("input no-data value ignored for integer raster")
    out, starved = ext.interpolate(block, line, pixel, row0=lo, length=length, method=method,
                                   carrier=carrier, fill=fill, threads=kernel_threads(threads))
    if starved:
        raise RuntimeError(f"geocode: {starved} pixels needed radar lines outside the block "
                           f"read ({lo}..{hi}); this is a bug")
    return out


def _interpolate_bands(source, length, width, line, pixel, method, fill, carrier, input_nodata,
                       threads, max_lines: int) -> np.ndarray:
    """Every band of ``source`` (:class:`_RasterLines`) at (line, pixel): ``(bands, *line.shape)``.

    The radar lines are read ``max_lines`` (plus the kernel's margin) at a time: the output
    pixels are taken in groups by the radar line they fall on, so an output block whose
    pixels span the whole radar image (a footprint at an angle to the lon/lat grid) does
    not read it all at once (each read: at most ``max(max_lines, 2 margin + 2)`` lines, the
    margin being the kernel's, 8 for sinc)."""
    bands = source.raster.bands
    out = np.full((bands, *line.shape), fill, dtype=source.dtype)
    finite = np.isfinite(line)
    if not finite.any():
        return out
    margin = _ext().method_margin(method)
    first = int(np.floor(line[finite].min()))
    last = int(np.ceil(line[finite].max()))
    if last - first + 2 * margin + 1 <= max_lines:
        for b in range(bands):
            out[b] = _interpolate(source.band(b), length, width, line, pixel, method, fill,
                                  carrier, input_nodata, threads)
        return out
    step = max(int(max_lines) - 2 * margin - 2, 1)
    base = np.floor(np.where(finite, line, first - 1))
    for c0 in range(first, last + 1, step):
        sel = (base >= c0) & (base < c0 + step)
        if not sel.any():
            continue
        ln, px = line[sel][np.newaxis], pixel[sel][np.newaxis]
        cr = None if carrier is None else carrier[sel][np.newaxis]
        for b in range(bands):
            out[b][sel] = _interpolate(source.band(b), length, width, ln, px, method, fill, cr,
                                       input_nodata, threads)[0]
    return out


class _BandReader:
    """Callable returning radar lines of one band; carries the dtype."""

    def __init__(self, array, dtype=None):
        self.array = array
        self.dtype = np.dtype(dtype or array.dtype)

    def __call__(self, rows):
        return np.asarray(self.array[rows], dtype=self.dtype)


class _RasterLines:
    """Radar lines of every band of an isce.io raster, read once per block through the file
    (``Raster.read_rows``: a copy, no memory map, so the lines read do not stay resident)
    and shared by the bands' readers (:meth:`band`)."""

    def __init__(self, raster, dtype):
        self.raster = raster
        self.dtype = np.dtype(dtype)
        self._key = self._cube = None

    def lines(self, rows: slice) -> np.ndarray:
        """``(bands, n, width)`` of the lines ``rows`` (the last block's, when the same)."""
        key = (rows.start, rows.stop)
        if key != self._key:
            self._cube = None                      # the previous block goes before the next
            cube = self.raster.read_rows(rows)
            self._cube = cube[np.newaxis] if cube.ndim == 2 else cube
            self._key = key
        return self._cube

    def band(self, b: int) -> "_LinesBand":
        """The reader of band ``b`` (what :func:`_interpolate` calls)."""
        return _LinesBand(self, b)


class _LinesBand(_BandReader):
    """Band ``b`` of a :class:`_RasterLines`: radar lines as ``dtype``."""

    def __init__(self, source: _RasterLines, b: int):
        super().__init__(None, source.dtype)
        self.source, self.b = source, int(b)

    def __call__(self, rows):
        return np.asarray(self.source.lines(rows)[self.b], dtype=self.dtype)


def geocode_array(data, radar_grid, orbit, doppler=None, geogrid: GeoGrid = None, *, dem=None,
                  method=None, fill=None, carrier_doppler=None, input_nodata=None,
                  threshold=None, maxiter=50, orbit_method=None, ellipsoid=None,
                  threads=0) -> np.ndarray:
    """Geocode an in-memory radar array ``data`` ((length, width) or (bands, length, width)).

    Returns the geocoded array ((geogrid.length, geogrid.width), or with the
    bands first), of ``data``'s dtype. See :func:`geocode` for the arguments.
    """
    if geogrid is None:
        raise ValueError("geocode_array needs a geogrid (GeoGrid)")
    data = np.asarray(data)
    cube = data[np.newaxis] if data.ndim == 2 else data
    if cube.ndim != 3 or cube.shape[1:] != radar_grid.shape:
        raise ValueError(f"data must be (length, width) = {radar_grid.shape} or (bands, length, "
                         f"width), got {data.shape}")
    method = _check_method(method or choose_method(cube.dtype))
    fill = _fill_value(cube.dtype, fill)
    line, pixel = geocode_coordinates(geogrid, radar_grid, orbit, doppler, dem=dem,
                                      threshold=threshold, maxiter=maxiter,
                                      orbit_method=orbit_method, ellipsoid=ellipsoid,
                                      threads=threads)
    carrier = None
    if carrier_doppler is not None and cube.dtype.kind == "c":
        carrier = _carrier(carrier_doppler, radar_grid, line, pixel)
    out = np.stack([_interpolate(_BandReader(cube[b]), radar_grid.length, radar_grid.width,
                                 line, pixel, method, fill, carrier, input_nodata, threads)
                    for b in range(cube.shape[0])])
    return out[0] if data.ndim == 2 else out


# ---------------------------------------------------------------- files
def _describe_geotiff(dst, info) -> None:
    """The GeoTIFF says what the raster's sidecars say: band names, units, provenance tags."""
    for band, name in enumerate(info.band_names, 1):
        dst.set_band_description(band, name)
    for band, unit in enumerate(info.units, 1):
        dst.set_band_unit(band, unit)
    if info.metadata:
        dst.update_tags(**info.metadata)


def write_geotiff(path, tif_path=None, *, block_lines=1024, compress=GEOTIFF_COMPRESSION,
                  level=None) -> str:
    """Copy a geocoded isce.io raster to a GeoTIFF (written atomically).

    Default name: ``<path>.tif``. Float rasters get nodata = NaN (or the raster's own); band
    names, units and the provenance metadata (ISCE_VERSION, dates) are copied. ``compress``:
    GDAL's codec (default ZSTD, lossless like DEFLATE and as small here, at a quarter of
    DEFLATE's CPU time; readers need GDAL >= 2.3 or libtiff with ZSTD); ``level``: its level
    (default :data:`GEOTIFF_LEVEL` of the codec, else GDAL's). The lines are read through the
    file (no memory map)."""
    # lazy: rasterio (GDAL) costs ~0.35 s to import; only GDAL rasters need it
    import rasterio
    from rasterio.transform import Affine
    from rasterio.windows import Window

    src = isce.io.open(path)
    if src.geo is None:
        raise ValueError(f"{src.path}: not a geocoded raster (no geotransform)")
    tif_path = os.fspath(tif_path) if tif_path is not None else src.path + ".tif"
    folder, name = os.path.split(os.path.abspath(tif_path))
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    g = src.geo
    dtype = np.dtype(src.dtype).newbyteorder("=")
    profile = dict(driver="GTiff", width=src.width, height=src.length, count=src.bands,
                   dtype=dtype.name, crs=f"EPSG:{g.epsg}",
                   transform=Affine(g.dx, 0.0, g.x0, 0.0, g.dy, g.y0), compress=compress,
                   BIGTIFF="IF_SAFER")
    codec = str(compress).lower()
    level = GEOTIFF_LEVEL.get(codec) if level is None else level
    if level is not None and codec in _LEVEL_OPTION:
        profile[_LEVEL_OPTION[codec]] = int(level)
    if src.width >= 256 and src.length >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    if dtype.kind == "f":
        profile["nodata"] = float("nan")
    if src.info.nodata is not None:
        profile["nodata"] = src.info.nodata     # as the .geo's sidecars say (provenance)
    if src.bands > 1:
        profile["interleave"] = "pixel" if src.scheme == "BIP" else "band"
    try:
        with rasterio.open(tmp, "w", **profile) as dst:
            _describe_geotiff(dst, src.info)
            for start in range(0, src.length, block_lines):
                stop = min(start + block_lines, src.length)
                win = Window(0, start, src.width, stop - start)
                cube = src.read_rows(slice(start, stop))
                cube = cube[np.newaxis] if src.bands == 1 else cube
                for b in range(src.bands):
                    dst.write(np.asarray(cube[b], dtype=dtype), b + 1, window=win)
        os.replace(tmp, tif_path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    finally:
        src.close()
    return tif_path


def _import_rasterio() -> None:
    try:
        import rasterio  # noqa: F401  # lazy: GDAL's ~0.35 s import, overlapped with geocoding
    except ImportError:                    # pragma: no cover - write_geotiff will say so
        pass


def _preload_rasterio() -> None:
    """Import rasterio (GDAL, ~0.35 s) in a daemon thread while the geocoding runs (its
    kernels release the GIL), so the GeoTIFF writing that follows finds it loaded."""
    if "rasterio" not in sys.modules:
        threading.Thread(target=_import_rasterio, name="import-rasterio", daemon=True).start()


def _default_geogrid(radar_grid, orbit, doppler, dem, snwe, posting, orbit_method):
    """Output grid from snwe/posting/DEM (see :func:`geocode`)."""
    dem_grid = None
    if isinstance(dem, (str, os.PathLike)):
        dem_grid = GeoGrid.from_raster(dem)
    elif isinstance(dem, DemGrid):
        dem_grid = GeoGrid(dem.x0 - dem.dx / 2, dem.dx, dem.y0 - dem.dy / 2, dem.dy,
                           dem.shape[1], dem.shape[0])
    if snwe is None:
        heights = (0.0, 0.0)
        if isinstance(dem, (int, float, np.integer, np.floating)):
            heights = (float(dem), float(dem))
        elif dem is not None:
            w, s, e, n = radar_grid_bbox(radar_grid, orbit, doppler, heights=(0.0, 0.0),
                                         margin=0.15, orbit_method=orbit_method)
            d = dem if isinstance(dem, DemGrid) else load_dem(dem, (w, s, e, n), margin=0.0)
            valid = d.data[np.isfinite(d.data)]
            if valid.size:
                heights = (float(valid.min()), float(valid.max()))
        w, s, e, n = radar_grid_bbox(radar_grid, orbit, doppler, heights=heights,
                                     orbit_method=orbit_method)
        snwe = (s, n, w, e)
    if posting is None:
        if dem_grid is None:
            raise ValueError("geocode needs a posting (degrees) unless the DEM gives the grid")
        return dem_grid.crop(snwe)
    return GeoGrid.from_snwe(snwe, posting)


def _output_path(path, output_dir, suffix=".geo"):
    name = os.path.basename(os.fspath(path)) + suffix
    folder = os.path.dirname(os.path.abspath(os.fspath(path))) if output_dir is None else output_dir
    return os.path.join(folder, name)


def geocode(inputs, radar_grid, orbit, doppler=None, *, dem=None, snwe=None, posting=None,
            geogrid: GeoGrid | None = None, outputs=None, output_dir=None, method=None,
            fill=None, input_nodata=None, carrier_doppler=None, geotiff=True, block_lines=None,
            progress=None, threshold=None, maxiter=50, orbit_method=None, ellipsoid=None,
            threads=0) -> dict:
    """Geocode radar rasters onto a lon/lat grid and write ``<name>.geo`` (+ ``.geo.tif``).

    Parameters
    ----------
    inputs : path or list of paths
        isce.io rasters (any number of bands, any ISCE data type) on
        ``radar_grid`` (use ``radar_grid.multilook(az, rg)`` for multilooked
        products).
    radar_grid, orbit, doppler :
        The image's RadarGrid, Orbit and the Doppler [Hz] of its geometry
        (None: zero Doppler; a LUT2d or any model ``eval(t, R)``).
    dem :
        None (0 m), a height [m], a DemGrid, or a DEM path (any GDAL format
        in EPSG:4326, or an isce.io raster); heights above the WGS-84
        ellipsoid.
    snwe, posting, geogrid :
        The output grid: ``geogrid``; else ``snwe`` (S, N, W, E) [deg,
        default: the radar footprint over the DEM's heights] at ``posting``
        (dx or (dx, dy) [deg]), or, without posting, the DEM's own grid
        cropped to the box.
    outputs, output_dir :
        Output paths (one per input), else ``<output_dir>/<name>.geo``
        (default: beside each input).
    method :
        Interpolation for every input ('nearest', 'bilinear', 'bicubic',
        'biquintic', 'sinc'), a list (one per input), or None: by type
        (:func:`choose_method`).
    fill, input_nodata :
        Output value outside the radar grid (default NaN, 0 for integers);
        input value treated as no-data (float/complex inputs: becomes NaN
        before interpolation).
    carrier_doppler :
        For complex data with an azimuth carrier (native-Doppler SLCs): the
        carrier's Doppler [Hz] (LUT2d or model), removed before and restored
        after the interpolation. None: no carrier (interferograms).
    geotiff : bool
        Also write a GeoTIFF copy ``<output>.tif``.
    block_lines, progress, threads :
        Output lines per block (default ~32 MiB of work arrays), tqdm bar
        (default for large outputs), OpenMP threads (0: all).
    threshold, maxiter, orbit_method, ellipsoid :
        geo2rdr Newton threshold [s] (default 1e-6 line) and iterations,
        orbit interpolation, ellipsoid (default WGS-84).

    Returns ``{input path: {'geo': path, 'tif': path or None, 'method': m,
    'valid': pixels with data}}``, plus the key ``'geogrid'``.
    """
    if geotiff:
        _preload_rasterio()
    paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if not paths:
        raise ValueError("geocode: no input raster")
    rasters = [isce.io.open(p) for p in paths]
    for r in rasters:
        if (r.length, r.width) != radar_grid.shape:
            raise ValueError(f"{r.path} is {r.length} x {r.width} (lines x pixels) but the radar "
                             f"grid is {radar_grid.length} x {radar_grid.width}; give the grid the "
                             f"raster is on (e.g. radar_grid.multilook(az_looks, rg_looks))")
    if outputs is None:
        outputs = [_output_path(p, output_dir) for p in paths]
    elif isinstance(outputs, (str, os.PathLike)):
        outputs = [outputs]
    outputs = [os.fspath(o) for o in outputs]
    if len(outputs) != len(paths):
        raise ValueError(f"{len(outputs)} output paths for {len(paths)} inputs")
    if method is None or isinstance(method, str):
        methods = [_check_method(method or choose_method(r.dtype, r.image_type, r.path))
                   for r in rasters]
    else:
        methods = [_check_method(m) for m in method]
        if len(methods) != len(paths):
            raise ValueError(f"{len(methods)} methods for {len(paths)} inputs")
    if output_dir is not None:
        os.makedirs(output_dir, exist_ok=True)

    if geogrid is None:
        dop_lut = doppler_data(doppler, grid=radar_grid)
        geogrid = _default_geogrid(radar_grid, orbit, dop_lut, dem, snwe, posting, orbit_method)
    heights = _Heights(dem, geogrid)
    geom = _Geometry(radar_grid, orbit, doppler, threshold=threshold, maxiter=maxiter,
                     orbit_method=orbit_method, ellipsoid=ellipsoid, threads=threads)
    width, length = geogrid.width, geogrid.length
    if block_lines is None:
        per_line = width * (40 + sum(np.dtype(r.dtype).itemsize * r.bands for r in rasters))
        block_lines = max(1, min(length, (32 * 2**20) // max(per_line, 1)))
    if progress is None:
        progress = width * length * len(paths) > 4_000_000
    fills = [_fill_value(np.dtype(r.dtype).newbyteorder("="), fill) for r in rasters]
    valid = [0] * len(paths)
    lon = geogrid.lon_centers
    lat = geogrid.lat_centers
    log.info("geocode: %d raster(s) onto %d x %d pixels (%s), lon %.6f..%.6f, lat %.6f..%.6f",
             len(paths), length, width, ", ".join(methods), *geogrid.bounds[0::2],
             *geogrid.bounds[1::2])
    with ExitStack() as stack:
        writers = []
        for r, out in zip(rasters, outputs):
            folder = os.path.dirname(os.path.abspath(out))
            os.makedirs(folder, exist_ok=True)
            writers.append(stack.enter_context(isce.io.create(
                out, width, length, np.dtype(r.dtype).newbyteorder("="), bands=r.bands,
                scheme=r.scheme, image_type=r.image_type, geo=geogrid.geo)))
        for rows in isce.io.iter_blocks(length, block_lines, progress=progress, desc="geocode"):
            line, pixel = geom.locate(lon, lat[rows], heights.block(rows))
            carrier = None
            if carrier_doppler is not None and any(np.dtype(r.dtype).kind == "c" for r in rasters):
                carrier = _carrier(carrier_doppler, radar_grid, line, pixel)
            for k, (r, w) in enumerate(zip(rasters, writers)):
                native = np.dtype(r.dtype).newbyteorder("=")
                source = _RasterLines(r, native)
                budget = max(1, RADAR_LINES_BYTES // (r.width * r.bands * native.itemsize))
                out = _interpolate_bands(source, r.length, r.width, line, pixel, methods[k],
                                         fills[k], carrier if native.kind == "c" else None,
                                         input_nodata, threads, budget)
                w.write_rows(out[0] if r.bands == 1 else out, rows)
                valid[k] += int(np.count_nonzero(np.isfinite(line)))
    result = {"geogrid": geogrid}
    for k, (p, out) in enumerate(zip(paths, outputs)):
        tif = write_geotiff(out) if geotiff else None
        result[os.fspath(p)] = {"geo": out, "tif": tif, "method": methods[k], "valid": valid[k]}
        log.info("geocode: %s -> %s (%s, %d of %d pixels inside the radar grid)", p, out,
                 methods[k], valid[k], width * length)
    for r in rasters:
        r.close()
    return result


def geocode_product(product, inputs, *, looks=(1, 1), doppler="product", **kwargs) -> dict:
    """:func:`geocode` with the radar grid, orbit and Doppler of an SLC product.

    ``looks`` = (azimuth, range) looks of the inputs (multilooked products);
    ``doppler``: ``'product'`` (the product's geometry Doppler: zero on a zero-Doppler grid,
    its centroid on a native one), or None for zero Doppler, or any Doppler model.
    """
    grid = product.radar_grid
    az, rg = (int(v) for v in looks)
    if (az, rg) != (1, 1):
        grid = grid.multilook(az, rg)
    dop = product.geometry_doppler if isinstance(doppler, str) and doppler == "product" else doppler
    return geocode(inputs, grid, product.orbit, dop, **kwargs)
