"""A DEM file opened for reading rows of heights on an EPSG:4326 grid: an ISCE raster
(with its sidecar) or any GDAL raster (warped to lon/lat when it is in another CRS).

Shared by :mod:`isce.geometry.footprint` (a DEM's bounds, for an error message) and
:mod:`isce.dem.dem` (checking and converting DEMs); the vertical reference a file records
(ISCE XML property, GDAL vertical CRS or metadata) is read here too.
"""
from __future__ import annotations

import logging
import os
import re
import warnings

import numpy as np

import isce.io
from isce.framework.errors import InputError
from isce.io.errors import RasterError
from isce.io.sidecars import locate
from isce.io.vrt import render as render_vrt

from .dem import nodata_of, void_heights

__all__ = ["DemSource", "open_dem", "classify_reference"]

log = logging.getLogger("isce.dem")

# metadata items that may say what the heights refer to (compared without case, '_', '-', ' ')
_META_KEYS = ("reference", "verticaldatum", "verticalreference", "verticalcrs", "verticalcs",
              "heightreference", "heightdatum", "vertdatum", "vdatum", "geoid")


def classify_reference(text):
    """'EGM96', 'WGS84', another datum's name, or None, from free text such as
    ``'EGM96'``, ``'EGM96 height'``, ``'WGS84 ellipsoid'``, ``'EGM2008'``."""
    t = str(text or "").strip()
    if not t:
        return None
    u = re.sub(r"[\s_\-]", "", t.upper())
    if "EGM96" in u:
        return "EGM96"
    if "EGM2008" in u or "EGM08" in u:
        return "EGM2008"
    if "WGS84" in u or "ELLIPSOID" in u or "EPSG:4979" in u or u == "4979":
        return "WGS84"
    return t


class DemSource:
    """A DEM opened for reading rows of float32 heights (voids NaN) on an EPSG:4326 grid."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.format = ""
        self.width = self.length = 0
        self.geo = None                 # (x0, dx, y0, dy): pixel-edge origin and spacings [deg]
        self.epsg_note = ""
        self.vertical = None            # (classified reference, how it was found) or None
        self.warped = False
        self._close = []

    def read(self, rows: slice) -> np.ndarray:
        raise NotImplementedError

    def close(self):
        for fn in reversed(self._close):
            try:
                fn()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self._close = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    @property
    def bounds(self):
        x0, dx, y0, dy = self.geo
        xs = (x0, x0 + self.width * dx)
        ys = (y0, y0 + self.length * dy)
        return (min(xs), min(ys), max(xs), max(ys))

    def rows_checked(self, rows):
        try:
            return self.read(rows)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - any read failure is a bad input file
            raise InputError(f"{self.path}: cannot read DEM rows {rows.start}..{rows.stop - 1}: "
                             f"{exc}") from None


class _IsceSource(DemSource):
    def __init__(self, path, raster):
        super().__init__(path)
        self.raster = raster
        self.path = raster.path
        self._close.append(raster.close)
        info = raster.info
        self.format = f"ISCE raster ({info.describe()})"
        self.width, self.length = raster.width, raster.length
        g = raster.geo
        self.geo = (g.x0, g.dx, g.y0, g.dy)
        self.band = raster.band(0)
        self.nodata = nodata_of(info)
        self.vertical = self.recorded_reference(info)

    @staticmethod
    def recorded_reference(info):
        """(reference, how) from the ``reference`` property of an ISCE XML, or None."""
        for key, value in info.extra.items():
            if key.replace("_", "").lower() == "reference" and str(value).strip():
                return classify_reference(value), f"ISCE XML property reference = {value!r}"
        return None

    def read(self, rows):
        return void_heights(self.band[rows], self.nodata)


def _wgs84_lonlat(crs):
    d = crs.to_dict() if crs is not None else {}
    wgs84 = d.get("datum") == "WGS84" or (d.get("ellps") == "WGS84" and not d.get("towgs84"))
    return d.get("proj") == "longlat" and wgs84


def _gdal_vertical(ds):
    """(reference, how) from a GDAL dataset's CRS or metadata, or None."""
    crs = ds.crs
    if crs is not None:
        wkt = crs.to_wkt()
        m = re.search(r'VERT_CS\["([^"]*)"', wkt) or re.search(r'VERTCRS\["([^"]*)"', wkt)
        if m:
            datum = re.search(r'VERT_DATUM\["([^"]*)"', wkt) or re.search(r'VDATUM\["([^"]*)"', wkt)
            name = m.group(1) + (f" ({datum.group(1)})" if datum else "")
            ref = classify_reference(name)
            return ref, f"GDAL vertical CRS {name!r}"
        epsg = crs.to_epsg()
        if epsg == 4979 or "ellipsoidal height" in wkt.lower():
            return "WGS84", f"GDAL 3-D geographic CRS (EPSG:{epsg}, ellipsoidal heights)"
    for where, tags in (("dataset", ds.tags()), ("band 1", ds.tags(1))):
        for key, value in tags.items():
            k = re.sub(r"[\s_\-]", "", key).lower()
            if k in _META_KEYS and str(value).strip():
                return classify_reference(value), f"GDAL {where} metadata {key} = {value!r}"
    units = ds.units[0] if ds.units else None
    if units and units.lower() not in ("m", "metre", "meter", "metres", "meters"):
        log.warning("%s: band unit %r: heights are taken as metres", ds.name, units)
    return None


class _GdalSource(DemSource):
    def __init__(self, path, ds):
        super().__init__(path)
        # lazy: rasterio (GDAL) is slow to import and only GDAL DEMs need it
        import rasterio
        from rasterio.enums import Resampling
        from rasterio.vrt import WarpedVRT

        self._close.append(ds.close)
        self.format = f"GDAL {ds.driver}"
        if ds.count < 1:
            raise InputError(f"{self.path}: the file holds no raster band")
        if ds.crs is None or (ds.transform.is_identity and not ds.gcps[0]):
            raise InputError(f"{self.path}: the DEM has no coordinate system or georeferencing (need geographic "
                             f"lon/lat, EPSG:4326, or a CRS GDAL can warp to it)")
        self.vertical = _gdal_vertical(ds)
        self.dtype = ds.dtypes[0]
        self.nodata = ds.nodata
        self._alpha = None
        src = ds
        if not _wgs84_lonlat(ds.crs):
            horiz = {k: v for k, v in ds.crs.to_dict().items()
                     if k not in ("vunits", "vto_meter", "geoidgrids")}
            src_crs = rasterio.crs.CRS.from_dict(horiz) if horiz else ds.crs
            # samples outside the source come out masked: by its nodata, else by an alpha band
            src = WarpedVRT(ds, src_crs=src_crs, crs="EPSG:4326", resampling=Resampling.bilinear,
                            src_nodata=ds.nodata, nodata=ds.nodata, add_alpha=ds.nodata is None)
            self._close.append(src.close)
            if ds.nodata is None:
                self._alpha = src.count            # the alpha band GDAL added (last)
            self.warped = True
            self.epsg_note = f"warped from {ds.crs.to_string() or 'its CRS'} to EPSG:4326 (bilinear)"
        t = src.transform
        if t.b != 0 or t.d != 0:
            raise InputError(f"{self.path}: rotated DEM grids are not supported ({t})")
        self.ds = src
        self.width, self.length = src.width, src.height
        self.geo = (t.c, t.a, t.f, t.e)

    def read(self, rows):
        from rasterio.windows import Window  # lazy: rasterio is imported with a GDAL DEM only

        win = Window(0, rows.start, self.width, rows.stop - rows.start)
        data = void_heights(self.ds.read(1, window=win), self.nodata)
        data[self.ds.read_masks(1, window=win) == 0] = np.nan   # nodata or mask band
        if self._alpha:
            data[self.ds.read(self._alpha, window=win) == 0] = np.nan   # outside the warped DEM
        return data


def open_dem(path) -> DemSource:
    """Open ``path`` as an ISCE raster if it has an ISCE sidecar, else through GDAL."""
    p = os.fspath(path)
    if not os.path.exists(p) and not any(os.path.exists(p + s) for s in (".xml", ".vrt", ".hdr")):
        raise InputError(f"{p}: DEM not found")
    isce_problem = None
    try:
        kind, sidecar, _ = locate(p)
    except RasterError:
        kind = None
    if kind is not None:
        try:
            raster = isce.io.open(p)
        except (RasterError, OSError) as exc:
            if kind in ("xml", "hdr"):
                # an ISCE/ENVI header that does not match its data: GDAL would read garbage
                raise InputError(f"{p}: not a usable DEM raster: {exc}") from None
            isce_problem = str(exc)             # e.g. a GDAL VRT that is not a raw one
        else:
            if raster.geo is None:
                raster.close()
                raise InputError(f"{p}: the raster has no geographic grid (its sidecar gives no "
                                 f"coordinate1/coordinate2 start and spacing): not a DEM")
            if raster.geo.epsg == 4326:
                return _IsceSource(p, raster)
            raster.close()
            src = _open_gdal_vrt(raster, p)             # GDAL warps it to EPSG:4326
            src.path = raster.path
            src.vertical = _IsceSource.recorded_reference(raster.info) or src.vertical
            return src
    return _open_gdal(p, p, isce_problem)


def _open_gdal_vrt(raster, name):
    """A projected ISCE raster through GDAL, described by a VRT rendered in memory from what
    isce.io read (so the ISCE XML's georeferencing holds, not a .vrt file's beside it)."""
    try:
        # lazy: rasterio (GDAL) is optional here: ISCE rasters are read without it
        from rasterio.errors import RasterioError
        from rasterio.io import MemoryFile
    except ImportError:
        raise InputError(f"{name}: a DEM in EPSG:{raster.geo.epsg} needs rasterio (GDAL) to warp "
                         f"it to EPSG:4326, and rasterio is not installed") from None
    memory = MemoryFile(render_vrt(raster.info, os.path.abspath(raster.path)).encode(), ext=".vrt")
    try:
        ds = memory.open()
    except (RasterioError, OSError) as exc:
        memory.close()
        raise InputError(f"{name}: cannot open the DEM through GDAL: {exc}") from None
    try:
        src = _GdalSource(name, ds)
    except Exception:
        ds.close()
        memory.close()
        raise
    src._close.insert(0, memory.close)          # closed last, after the datasets on it
    return src


def _open_gdal(p, name, earlier=None):
    try:
        # lazy: rasterio (GDAL) is optional here: ISCE rasters are read without it
        import rasterio
        from rasterio.errors import RasterioError
    except ImportError:
        raise InputError(f"{name}: not an ISCE raster, and rasterio (GDAL) is not installed to "
                         f"read other formats") from None
    try:
        with warnings.catch_warnings():          # no geotransform: reported below, clearly
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            ds = rasterio.open(p)
    except (RasterioError, OSError) as exc:
        more = f" (as an ISCE raster: {earlier})" if earlier else ""
        raise InputError(f"{name}: cannot open the DEM: {exc}{more}") from None
    try:
        return _GdalSource(name, ds)
    except Exception:
        ds.close()
        raise
