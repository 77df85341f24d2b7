"""Heights for rdr2geo: a DEM on a longitude/latitude grid, or a constant.

A :class:`DemGrid` holds a (crop of a) DEM in memory, as ISCE3's
``DEMInterpolator``: heights [m above the WGS-84 ellipsoid] as float32 with
voids as NaN, on the grid of pixel *centres*

    lon = x0 + j dx,   lat = y0 + i dy      [deg]  (dy < 0 for north-up)

(EPSG:4326). ``ref_height`` (the mean of the valid heights, as ISCE3) is used
near or beyond the edges and as the first height guess. Interpolation:
``'biquintic'`` (ISCE3's 6x6 spline kernel, the default; bilinear is too
rough for local incidence angles), ``'bilinear'`` or ``'nearest'``.

    dem = load_dem("dem.tif", bbox=(west, south, east, north))   # degrees
    dem = load_dem("dem.wgs84")        # ISCE raster (.xml/.vrt sidecar)
    dem = constant_dem(0.0)            # flat surface at h = 0 m
    h = dem.interpolate(lon_deg, lat_deg)

Sources: anything rasterio (GDAL) opens -- GeoTIFF, VRT, ISCE rasters
through their ``.vrt`` -- in EPSG:4326; other coordinate systems are warped
to EPSG:4326 on reading (bilinear). Rasters with isce.io sidecars and a geo
grid are read through :func:`isce.io.open` first. Geoid-referenced DEMs must
be converted to ellipsoid heights before (``isce.dem``).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

import isce.io
from isce.framework.errors import InputError
from isce.io.sidecars import read_info

from ._convert import KERNEL_LUT_METHODS, kernels

__all__ = ["DemGrid", "ConstantDem", "load_dem", "constant_dem", "as_dem"]


def _method(method: str) -> str:
    key = str(method).strip().lower()
    if key not in KERNEL_LUT_METHODS:
        raise ValueError(f"DEM interpolation method must be one of {KERNEL_LUT_METHODS}, got {method!r}")
    return key


@dataclass(frozen=True, eq=False)
class DemGrid:
    """An in-memory DEM on a regular lon/lat grid (see the module docstring)."""

    data: np.ndarray                 # [length, width] float32 heights [m], NaN = void
    x0: float                        # lon of the centre of column 0 [deg]
    y0: float                        # lat of the centre of row 0 [deg]
    dx: float                        # column spacing [deg]
    dy: float                        # row spacing [deg], negative for north-up
    ref_height: float | None = None  # [m]; default: mean of the valid samples
    method: str = "biquintic"
    source: str = ""                 # file it came from, for messages
    _kernel: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        data = np.ascontiguousarray(self.data, dtype=np.float32)
        if data.ndim != 2 or min(data.shape) < 4:
            raise ValueError(f"a DEM needs at least 4 x 4 samples, got shape {data.shape}")
        data.setflags(write=False)
        object.__setattr__(self, "data", data)
        for name in ("x0", "y0", "dx", "dy"):
            v = float(getattr(self, name))
            if not math.isfinite(v):
                raise ValueError(f"DemGrid.{name} must be finite, got {v!r}")
            object.__setattr__(self, name, v)
        if self.dx == 0 or self.dy == 0:
            raise ValueError("DEM spacings must be non-zero")
        if self.ref_height is None:
            valid = data[np.isfinite(data)]
            ref = float(valid.mean(dtype=np.float64)) if valid.size else 0.0
        else:
            ref = float(self.ref_height)
        object.__setattr__(self, "ref_height", ref)
        object.__setattr__(self, "method", _method(self.method))

    @property
    def shape(self):
        return self.data.shape

    @property
    def bounds(self):
        """(west, south, east, north) of the pixel centres [deg]."""
        xs = (self.x0, self.x0 + (self.shape[1] - 1) * self.dx)
        ys = (self.y0, self.y0 + (self.shape[0] - 1) * self.dy)
        return (min(xs), min(ys), max(xs), max(ys))

    def kernel(self):
        """The compiled ``_geometry.Dem`` (built once)."""
        if self._kernel is None:
            k = kernels().Dem(self.x0, self.y0, self.dx, self.dy, self.data, self.ref_height,
                              self.method)
            object.__setattr__(self, "_kernel", k)
        return self._kernel

    def interpolate(self, lon, lat):
        """Heights [m] at lon, lat [deg] (arrays broadcast), as rdr2geo sees them."""
        lon, lat = np.broadcast_arrays(np.asarray(lon, dtype=np.float64),
                                       np.asarray(lat, dtype=np.float64))
        out = kernels().dem_interpolate(self.kernel(), np.ascontiguousarray(lon),
                                        np.ascontiguousarray(lat))
        return out[()] if out.ndim == 0 else out

    def __repr__(self):
        w, s, e, n = self.bounds
        src = f", source={self.source!r}" if self.source else ""
        return (f"DemGrid({self.shape[0]}x{self.shape[1]}, lon {w:.5f}..{e:.5f}, "
                f"lat {s:.5f}..{n:.5f}, ref_height={self.ref_height:.2f} m, "
                f"method={self.method!r}{src})")


@dataclass(frozen=True)
class ConstantDem:
    """A flat surface ``height`` metres above the ellipsoid."""

    height: float = 0.0

    @property
    def ref_height(self) -> float:
        return float(self.height)

    def kernel(self):
        return kernels().Dem.constant(float(self.height))

    def interpolate(self, lon, lat):
        shape = np.broadcast(np.asarray(lon), np.asarray(lat)).shape
        out = np.full(shape, float(self.height))
        return out[()] if out.ndim == 0 else out


def constant_dem(height: float = 0.0) -> ConstantDem:
    """A constant-height "DEM" [m above the ellipsoid]."""
    h = float(height)
    if not math.isfinite(h):
        raise ValueError(f"constant DEM height must be finite, got {height!r}")
    return ConstantDem(h)


def as_dem(dem, method: str = "biquintic"):
    """A DemGrid/ConstantDem from a DemGrid, ConstantDem, number, or path."""
    if dem is None:
        return constant_dem(0.0)
    if isinstance(dem, (DemGrid, ConstantDem)):
        return dem
    if isinstance(dem, (int, float, np.floating, np.integer)):
        return constant_dem(float(dem))
    if isinstance(dem, (str, os.PathLike)):
        return load_dem(dem, method=method)
    raise TypeError(f"not a DEM: {type(dem).__name__} (give a path, a height or a DemGrid)")


# ---------------------------------------------------------------- reading
def _window(gt, width, length, bbox, margin):
    """Rows/columns (slices) of a north-up or south-up grid covering bbox + margin."""
    x0, dx, _, y0, _, dy = gt
    if min(width, length) < 4:
        raise ValueError(f"the DEM has {length} x {width} samples; interpolating it needs at "
                         "least 4 x 4")
    if bbox is None:
        return slice(0, length), slice(0, width)
    west, south, east, north = (float(v) for v in bbox)
    west, east, south, north = west - margin, east + margin, south - margin, north + margin
    # pixel-edge indices (ISCE3 loadDEM), then 3 extra samples for the 6x6 kernel
    c = sorted(((west - x0) / dx, (east - x0) / dx))
    r = sorted(((north - y0) / dy, (south - y0) / dy))
    c0, c1 = max(int(math.floor(c[0])) - 3, 0), min(int(math.ceil(c[1])) + 3, width)
    r0, r1 = max(int(math.floor(r[0])) - 3, 0), min(int(math.ceil(r[1])) + 3, length)
    if c1 - c0 < 4 or r1 - r0 < 4:
        raise ValueError(f"the DEM does not cover the requested area {bbox} (deg)")
    return slice(r0, r1), slice(c0, c1)


def void_heights(block, nodata) -> np.ndarray:
    """``block`` as float32 heights [m] with its voids NaN: the declared ``nodata`` value,
    else SRTM's -32768 in an int16 grid; and float32-max style fill values."""
    block = np.asarray(block)
    data = np.array(block, dtype=np.float32)
    if nodata is not None and math.isfinite(nodata):
        data[block == nodata] = np.nan
    elif block.dtype == np.int16:
        data[block == -32768] = np.nan          # SRTM's void value
    data[np.abs(data) > 1e30] = np.nan
    return data


def nodata_of(info) -> float | None:
    """The no-data value an ISCE raster's XML declares (``no_data_value``, ``nodata``, ...)."""
    for key, value in getattr(info, "extra", {}).items():
        if key.replace("_", "").lower() in ("nodatavalue", "nodata"):
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


def _from_array(full_read, gt, width, length, bbox, margin, nodata, method, source, cache=None):
    rows, cols = _window(gt, width, length, bbox, margin)
    key = (source, rows.start, rows.stop, cols.start, cols.stop, nodata, method, tuple(gt))
    if cache is not None and cache.get("key") == key:
        return cache["dem"]                  # the same samples as the last call's
    data = void_heights(full_read(rows, cols), nodata)
    x0, dx, _, y0, _, dy = gt
    dem = DemGrid(data, x0 + (cols.start + 0.5) * dx, y0 + (rows.start + 0.5) * dy, dx, dy,
                  method=method, source=source)
    if cache is not None:
        cache.update(key=key, dem=dem)
    return dem


def _load_isce(path, bbox, margin, method, cache=None):
    r = isce.io.open(path)
    if r.geo is None:
        raise ValueError(f"{path}: the raster has no geographic grid (not a DEM)")
    if r.geo.epsg != 4326:
        raise ValueError(f"{path}: DEM in EPSG:{r.geo.epsg}; rdr2geo needs EPSG:4326")
    band = r.band(0)
    nodata = nodata_of(r.info)
    return _from_array(lambda rows, cols: band[rows, cols], r.geo.geotransform, r.width,
                       r.length, bbox, margin, nodata, method, os.fspath(path), cache)


def _load_rasterio(path, bbox, margin, method, band):
    """Read through GDAL; its failures to open or read the file are InputErrors naming it."""
    # lazy: rasterio (GDAL) costs ~0.35 s to import; only GDAL rasters need it
    from rasterio.errors import RasterioError

    try:
        return _read_rasterio(path, bbox, margin, method, band)
    except (RasterioError, OSError) as exc:
        raise InputError(f"{os.fspath(path)}: cannot read the DEM (GDAL): {exc}") from None


def _read_rasterio(path, bbox, margin, method, band):
    # lazy: rasterio (GDAL) costs ~0.35 s to import; only GDAL rasters need it
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT
    from rasterio.windows import Window

    with rasterio.open(path) as src:
        ds = src
        warped = None
        if src.crs is None:
            raise ValueError(f"{path}: the DEM has no coordinate system")
        if src.crs.to_epsg() != 4326:
            warped = ds = WarpedVRT(src, crs="EPSG:4326", resampling=Resampling.bilinear)
        try:
            t = ds.transform
            if t.b != 0 or t.d != 0:
                raise ValueError(f"{path}: rotated DEM grids are not supported")
            gt = (t.c, t.a, 0.0, t.f, 0.0, t.e)

            def read(rows, cols):
                win = Window(cols.start, rows.start, cols.stop - cols.start, rows.stop - rows.start)
                return ds.read(band, window=win)

            return _from_array(read, gt, ds.width, ds.height, bbox, margin, ds.nodata, method,
                               os.fspath(path))
        finally:
            if warped is not None:
                warped.close()


def load_dem(path, bbox=None, *, margin: float = 0.15, method: str = "biquintic",
             band: int = 1, cache: dict | None = None) -> DemGrid:
    """Read a DEM (or the part of it covering ``bbox``) into a :class:`DemGrid`.

    ``bbox`` = (west, south, east, north) [deg], widened by ``margin`` [deg]
    (ISCE3 Topo: 0.15) plus 3 samples for the interpolation kernel; None
    reads everything. ``method``: DEM interpolation for rdr2geo. Fill values
    (the raster's nodata, or |h| > 1e30) become NaN voids. Raises ValueError
    if the DEM does not cover the area or is not geographic.

    ``cache``: a dict kept by the caller across calls (topo's blocks): an ISCE
    raster's window of samples that is the last call's returns the same DemGrid
    (read-only) instead of reading and converting it again.
    """
    method = _method(method)
    p = os.fspath(path)
    if not os.path.exists(p):
        raise FileNotFoundError(f"DEM {p} not found")
    try:
        read_info(p)
        has_sidecar = True
    except Exception:  # noqa: BLE001 - any failure: not an isce.io raster
        has_sidecar = False
    if has_sidecar:
        try:
            return _load_isce(p, bbox, margin, method, cache)
        except ValueError:
            pass                               # e.g. no geo grid in the XML: let GDAL try
    return _load_rasterio(p, bbox, margin, method, band)
