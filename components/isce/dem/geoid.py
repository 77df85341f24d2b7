"""EGM96 geoid undulations N [m]: the height of the geoid above the WGS-84 ellipsoid.

    from isce.dem.geoid import geoid_undulation, geoid_to_ellipsoid, read_gtx
    N = geoid_undulation(lat_deg, lon_deg)            # [m], arrays broadcast
    h = geoid_to_ellipsoid(H, lat_deg, lon_deg)       # h = H + N  [m]
    grid = read_gtx("egm96_15.gtx")                   # any GTX grid, e.g. to check the above
    N15 = grid.undulation(lat_deg, lon_deg)           # bicubic (default) or bilinear

Orthometric heights H (above the geoid, "mean sea level", e.g. SRTM) become
ellipsoid heights h = H + N; rdr2geo needs h.

Where N comes from (:func:`default_geoid`, the first that is available):

1. a GTX grid named by the environment variable ``ISCE_GEOID_GTX`` (the
   user's explicit choice);
2. NGA's EGM96 15' grid ``egm96_15.gtx`` (721 x 1440 nodes, float32; the grid
   PROJ and GDAL use) shipped inside isce as package data,
   ``isce/dem/data/egm96_15.gtx.xz``: the GTX file byte for byte, xz-compressed
   (delta + LZMA2, 2.6 MB instead of 4.2 MB; ``xz -d`` restores it), checked
   against NGA's SHA-256 when it is read (see NOTICE: a US-government work,
   public domain). Read by :func:`read_gtx`'s parser and interpolated
   bicubically (Keys, a = -0.5: the same numbers as GDAL's cubic warp of the
   grid, to float32 rounding);
3. the PyPI package ``egm96`` (MIT) >= 0.2: the full EGM96 5' grid (derived
   from GeographicLib's ``egm96-5``, 1 cm steps), bilinear. Those versions
   declare Python >= 3.12 and numpy >= 2.5.1 (which exists only for Python >=
   3.12), so pip gives Python 3.10/3.11 the empty placeholder 0.1.0, which is
   recognised and skipped. Not a dependency; used when installed;
4. ``egm96_15.gtx`` in a PROJ data folder (``$PROJ_DATA``, ``$PROJ_LIB``,
   ``/usr/share/proj``).

Otherwise :class:`GeoidUnavailable` says what was tried. Every function takes
a ``geoid=`` argument to choose explicitly: ``"egm96_15"`` (the packaged grid
only), ``"egm96"`` (the egm96 package only), a path to a ``.gtx`` file, a
:class:`GeoidGrid`, or any object with ``undulation(lat, lon)``.

GTX format (NOAA VDatum / PROJ): a 40-byte big-endian header -- lat0, lon0,
dlat, dlon (float64, degrees: the south-west node and the spacings) and rows,
cols (int32) -- then rows x cols big-endian float32 values [m], the southern
row first; -88.8888 marks a missing value.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.resources
import math
import os
import struct
from dataclasses import dataclass, field

import numpy as np

from isce.framework.errors import InputError, IsceError

try:                      # stdlib, but optional when CPython is built without liblzma
    import lzma
except ImportError:       # pragma: no cover - reported by packaged_geoid()
    lzma = None

__all__ = ["GeoidGrid", "GeoidUnavailable", "Egm96Package", "read_gtx", "gtx_from_bytes", "default_geoid",
           "packaged_geoid", "packaged_gtx_bytes", "EGM96_15_SHA256", "as_geoid", "geoid_undulation", "geoid_undulation_grid", "geoid_to_ellipsoid", "ellipsoid_to_geoid",
           "GTX_HEADER_BYTES", "GTX_NODATA"]

GTX_HEADER_BYTES = 40
GTX_NODATA = -88.8888          # PROJ/VDatum's "no value" in GTX files [m]
_GTX_ENV = "ISCE_GEOID_GTX"
_GTX_NAMES = ("egm96_15.gtx",)


class GeoidUnavailable(IsceError, RuntimeError):
    """No EGM96 geoid model could be found (no package grid, no GTX grid)."""


# ----------------------------------------------------------------------------- grids
def _cubic_weights(t):
    """Keys' cubic-convolution weights (a = -0.5) for the nodes at offsets -1, 0, 1, 2."""
    t2, t3 = t * t, t * t * t
    return (
        -0.5 * t3 + t2 - 0.5 * t,
        1.5 * t3 - 2.5 * t2 + 1.0,
        -1.5 * t3 + 2.0 * t2 + 0.5 * t,
        0.5 * t3 - 0.5 * t2,
    )


@dataclass(frozen=True, eq=False)
class GeoidGrid:
    """Undulations N [m] on a regular lat/lon grid of nodes.

    ``values[i, j]`` is N at lat = lat0 + i*dlat, lon = lon0 + j*dlon [deg]
    (rows south to north when dlat > 0). A grid spanning 360 deg of longitude
    wraps around; latitudes beyond the first/last row take the edge row (the
    poles). Regional grids give NaN outside their extent.
    """

    lat0: float
    lon0: float
    dlat: float
    dlon: float
    values: np.ndarray
    name: str = ""
    source: str = ""               # where the grid comes from, e.g. "isce package data"
    _period: int = field(default=0, init=False, repr=False)

    def __post_init__(self):
        values = np.asarray(self.values, dtype=np.float32)
        if values.ndim != 2 or min(values.shape) < 2:
            raise ValueError(f"a geoid grid needs at least 2 x 2 nodes, got shape {values.shape}")
        values = np.ascontiguousarray(values)
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        for name in ("lat0", "lon0", "dlat", "dlon"):
            v = float(getattr(self, name))
            if not math.isfinite(v):
                raise ValueError(f"GeoidGrid.{name} must be finite, got {v!r}")
            object.__setattr__(self, name, v)
        if self.dlat <= 0 or self.dlon <= 0:
            raise ValueError(f"geoid grid spacings must be positive, got dlat={self.dlat}, dlon={self.dlon}")
        cols = values.shape[1]
        span = cols * self.dlon
        period = 0
        if abs(span - 360.0) < 1e-6 * 360:
            period = cols                     # -180 .. 180-dlon: no repeated column
        elif abs(span - 360.0 - self.dlon) < 1e-6 * 360:
            period = cols - 1                 # the last column repeats the first
        object.__setattr__(self, "_period", period)

    @property
    def shape(self):
        return self.values.shape

    @property
    def is_global(self) -> bool:
        """True when the grid wraps around in longitude."""
        return self._period > 0

    @property
    def description(self) -> str:
        origin = f" of {self.source}" if self.source else ""
        return (f"GTX grid {self.name or '(in memory)'}{origin} ({self.shape[0]}x{self.shape[1]} "
                f"nodes, {self.dlat * 60:g}'x{self.dlon * 60:g}')")

    def _fractional(self, lat, lon):
        fi = (np.clip(lat, -90.0, 90.0) - self.lat0) / self.dlat
        dl = np.mod(lon - self.lon0, 360.0)   # east of the first column, in [0, 360)
        dl = np.where(dl > 360.0 - 1e-9, dl - 360.0, dl)   # a hair west of lon0 is lon0
        return fi, dl / self.dlon

    def _columns(self, j):
        """Column indices: wrapped on global grids, clipped (validity checked apart) otherwise."""
        if self.is_global:
            return np.mod(j, self._period)
        return np.clip(j, 0, self.shape[1] - 1)

    def undulation(self, lat, lon, method: str = "bicubic"):
        """N [m] at ``lat``, ``lon`` [deg] (arrays broadcast; a float for scalars).

        ``method``: ``'bicubic'`` (Keys cubic convolution on the 4 x 4 nearest
        nodes, the default) or ``'bilinear'``. A missing (NaN) node makes N NaN
        wherever it is part of the stencil.
        """
        method = str(method).lower()
        if method not in ("bicubic", "bilinear"):
            raise ValueError(f"method must be 'bicubic' or 'bilinear', got {method!r}")
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        scalar = lat_a.ndim == 0 and lon_a.ndim == 0
        fi, fj = self._fractional(lat_a, lon_a)
        rows = self.shape[0]
        # rows: clamp to the grid (poles); the cell's lower-left node in 0..rows-2
        fi = np.clip(fi, 0.0, rows - 1.0)
        i0 = np.minimum(np.floor(fi).astype(np.intp), rows - 2)
        j0 = np.floor(fj).astype(np.intp)
        if not self.is_global:
            j0c = np.clip(j0, 0, self.shape[1] - 2)
            outside = (fj < -1e-9) | (fj > self.shape[1] - 1 + 1e-9)
            j0 = j0c
        else:
            outside = None
        ti = fi - i0
        tj = fj - j0
        v = self.values
        if method == "bilinear":
            j1 = self._columns(j0 + 1)
            j0w = self._columns(j0)
            out = ((v[i0, j0w] * (1 - tj) + v[i0, j1] * tj) * (1 - ti)
                   + (v[i0 + 1, j0w] * (1 - tj) + v[i0 + 1, j1] * tj) * ti)
        else:
            wi = _cubic_weights(ti)
            wj = _cubic_weights(tj)
            out = 0.0
            for a in range(4):
                ii = np.clip(i0 + a - 1, 0, rows - 1)
                row = 0.0
                for b in range(4):
                    row = row + wj[b] * v[ii, self._columns(j0 + b - 1)]
                out = out + wi[a] * row
        out = np.asarray(out, dtype=np.float64)
        if outside is not None and np.any(outside):
            out = np.where(outside, np.nan, out)
        return float(out) if scalar else out


    def undulation_grid(self, lats, lons, method: str = "bicubic"):
        """N [m] on the tensor grid ``lats`` x ``lons`` (1-D, [deg]): ``(len(lats), len(lons))``.

        The same numbers as ``undulation(lats[:, None], lons[None, :])``, computed
        separably (interpolate the needed node rows along longitude once, then
        combine them per latitude): a DEM block costs a few operations per sample.
        """
        method = str(method).lower()
        if method not in ("bicubic", "bilinear"):
            raise ValueError(f"method must be 'bicubic' or 'bilinear', got {method!r}")
        lats = np.atleast_1d(np.asarray(lats, dtype=np.float64))
        lons = np.atleast_1d(np.asarray(lons, dtype=np.float64))
        if lats.ndim != 1 or lons.ndim != 1:
            raise ValueError("undulation_grid takes 1-D latitude and longitude vectors")
        fi, fj = self._fractional(lats, lons)
        rows = self.shape[0]
        fi = np.clip(fi, 0.0, rows - 1.0)
        i0 = np.minimum(np.floor(fi).astype(np.intp), rows - 2)
        j0 = np.floor(fj).astype(np.intp)
        outside = None
        if not self.is_global:
            outside = (fj < -1e-9) | (fj > self.shape[1] - 1 + 1e-9)
            j0 = np.clip(j0, 0, self.shape[1] - 2)
        ti, tj = fi - i0, fj - j0
        if method == "bilinear":
            offsets, wi, wj = (0, 1), (1 - ti, ti), (1 - tj, tj)
        else:
            offsets, wi, wj = (-1, 0, 1, 2), _cubic_weights(ti), _cubic_weights(tj)
        cols = [self._columns(j0 + b) for b in offsets]
        needed = np.unique(np.clip(np.add.outer(i0, offsets), 0, rows - 1))
        along = {}                              # node row -> N interpolated along longitude
        for r in needed:
            v = self.values[r].astype(np.float64)
            along[int(r)] = sum(w * v[c] for w, c in zip(wj, cols))
        out = np.zeros((lats.size, lons.size))
        for k, a in enumerate(offsets):
            rr = np.clip(i0 + a, 0, rows - 1)
            for i in range(lats.size):
                out[i] += wi[k][i] * along[int(rr[i])]
        if outside is not None and np.any(outside):
            out[:, outside] = np.nan
        return out


def _gtx_layout(header: bytes, size: int, name: str):
    """(lat0, lon0, dlat, dlon, rows, cols) from a GTX header of a ``size``-byte file, checked."""
    if len(header) < GTX_HEADER_BYTES:
        raise InputError(f"{name}: not a GTX grid: {len(header)} bytes, the header alone has "
                         f"{GTX_HEADER_BYTES}")
    lat0, lon0, dlat, dlon, rows, cols = struct.unpack(">4d2i", header[:GTX_HEADER_BYTES])
    ok = (all(math.isfinite(x) for x in (lat0, lon0, dlat, dlon))
          and 0 < dlat <= 180 and 0 < dlon <= 360 and 2 <= rows <= 10**6
          and 2 <= cols <= 10**6 and -90.0 - 1e-9 <= lat0
          and lat0 + (rows - 1) * dlat <= 90.0 + 1e-6)
    if not ok:
        raise InputError(f"{name}: not a GTX grid: header (lat0, lon0, dlat, dlon, rows, cols) = "
                         f"{(lat0, lon0, dlat, dlon, rows, cols)} is not a plausible grid")
    expected = GTX_HEADER_BYTES + 4 * rows * cols
    if size != expected:
        raise InputError(f"{name}: GTX header says {rows}x{cols} float32 nodes "
                         f"({expected} bytes with the header), the file holds {size} bytes")
    return lat0, lon0, dlat, dlon, rows, cols


def _gtx_grid(layout, values, name: str) -> GeoidGrid:
    """A GeoidGrid from a checked layout and its big-endian float32 values (-88.8888 -> NaN)."""
    lat0, lon0, dlat, dlon, rows, cols = layout
    values = values.astype(np.float32).reshape(rows, cols)
    values[np.abs(values - GTX_NODATA) < 1e-3] = np.nan
    return GeoidGrid(lat0, lon0, dlat, dlon, values, name=name)


def read_gtx(path) -> GeoidGrid:
    """Read a GTX geoid grid (see the module docstring for the format).

    Checks the header (finite, positive spacings, sane sizes, nodes within
    +-90 deg latitude) and that the file holds exactly 40 + 4*rows*cols bytes;
    a bad file raises :class:`~isce.framework.InputError` naming it.
    ``-88.8888`` values become NaN.
    """
    p = os.fspath(path)
    try:
        with open(p, "rb") as handle:
            layout = _gtx_layout(handle.read(GTX_HEADER_BYTES), os.fstat(handle.fileno()).st_size, p)
            values = np.fromfile(handle, dtype=">f4", count=layout[4] * layout[5])
    except OSError as exc:
        raise InputError(f"{p}: cannot read the GTX grid: {exc.strerror or exc}") from None
    return _gtx_grid(layout, values, p)


def gtx_from_bytes(data: bytes, name: str) -> GeoidGrid:
    """A GTX grid from the bytes of a whole ``.gtx`` file (same checks as :func:`read_gtx`)."""
    layout = _gtx_layout(data[:GTX_HEADER_BYTES], len(data), name)
    values = np.frombuffer(data, dtype=">f4", count=layout[4] * layout[5], offset=GTX_HEADER_BYTES)
    return _gtx_grid(layout, values, name)


@functools.lru_cache(maxsize=8)
def _read_gtx_cached(path: str, mtime_ns: int, size: int) -> GeoidGrid:
    return read_gtx(path)


def _gtx(path) -> GeoidGrid:
    p = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(p)
    except OSError as exc:
        raise InputError(f"{p}: geoid grid not found ({exc.strerror})") from None
    return _read_gtx_cached(p, st.st_mtime_ns, st.st_size)


# ----------------------------------------------------------------------------- the packaged grid
_PACKAGE_DATA = ("data", "egm96_15.gtx.xz")      # under isce/dem/
_PACKAGED_NAME = "egm96_15.gtx"
# SHA-256 of NGA's egm96_15.gtx (PROJ's file; 4 153 000 bytes): the packaged file decompresses to it
EGM96_15_SHA256 = "c02a6eb70a7a78efebe5adf3ade626eb75390e170bb8b3f36136a2c28f5326a0"
# the layout of NGA's global EGM96 15' grid: (lat0, lon0, dlat, dlon, rows, cols)
_EGM96_15_LAYOUT = (-90.0, -180.0, 0.25, 0.25, 721, 1440)


def packaged_gtx_bytes() -> bytes:
    """The bytes of NGA's ``egm96_15.gtx`` from isce's package data (decompressed, SHA-256 checked).

    Raises :class:`GeoidUnavailable` when the file is missing, damaged or not NGA's grid.
    """
    resource = importlib.resources.files(__package__)
    for part in _PACKAGE_DATA:               # one name a call: Python 3.10's joinpath
        resource = resource.joinpath(part)
    where = "isce/dem/" + "/".join(_PACKAGE_DATA)
    if lzma is None:
        raise GeoidUnavailable(f"{where}: this Python has no lzma module (built without liblzma) "
                               f"to read isce's EGM96 grid; set ${_GTX_ENV} to an egm96_15.gtx")
    try:
        data = lzma.decompress(resource.read_bytes())
    except (OSError, lzma.LZMAError) as exc:
        raise GeoidUnavailable(f"{where}: isce's EGM96 grid is missing or damaged ({exc}); "
                               f"reinstall isce or set ${_GTX_ENV} to an egm96_15.gtx") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != EGM96_15_SHA256:
        raise GeoidUnavailable(f"{where}: not NGA's egm96_15.gtx (SHA-256 {digest}, expected "
                               f"{EGM96_15_SHA256}); reinstall isce")
    return data


@functools.lru_cache(maxsize=1)
def packaged_geoid() -> GeoidGrid:
    """NGA's EGM96 15' grid shipped with isce, as a :class:`GeoidGrid` (bicubic; read once).

    Raises :class:`GeoidUnavailable` when it is missing or not the expected grid.
    """
    try:
        grid = gtx_from_bytes(packaged_gtx_bytes(), _PACKAGED_NAME)
    except InputError as exc:                # cannot happen for a checksum-true file
        raise GeoidUnavailable(str(exc)) from None
    layout = (grid.lat0, grid.lon0, grid.dlat, grid.dlon) + grid.shape
    if layout != _EGM96_15_LAYOUT or not np.isfinite(grid.values).all():   # pragma: no cover
        raise GeoidUnavailable(f"{_PACKAGED_NAME}: not NGA's global EGM96 15' grid ({layout})")
    return dataclasses.replace(grid, source="isce package data (NGA EGM96)")


# ----------------------------------------------------------------------------- the egm96 package
class Egm96Package:
    """The PyPI ``egm96`` package (>= 0.2) as a geoid: its 5' grid, bilinear."""

    def __init__(self):
        try:
            import egm96  # lazy: egm96 is an optional package
        except ImportError:
            raise GeoidUnavailable("the Python package 'egm96' (>= 0.2) is not installed") from None
        fn = getattr(egm96, "undulation", None)
        try:
            from importlib.metadata import version  # lazy: ~16 ms to import; only this optional geoid
            self.version = version("egm96")
        except Exception:  # noqa: BLE001 - metadata is only informative
            self.version = "?"
        if fn is None:
            raise GeoidUnavailable(
                f"the installed 'egm96' package ({self.version}) has no undulation(): it is the "
                f"empty placeholder 0.1.0, the only release pip offers Python < 3.12 (0.2 and 0.3, "
                f"which ship the EGM96 5' grid, declare Requires-Python >= 3.12 and numpy >= 2.5.1, "
                f"and numpy 2.5 exists only for Python >= 3.12)")
        self._fn = fn
        self.resolution = float(getattr(egm96, "GRID_RESOLUTION_DEG", 5.0 / 60.0))   # [deg]
        self.description = (f"egm96 {self.version} package ({self.resolution * 60:g}' EGM96 grid, "
                            f"bilinear)")

    def undulation(self, lat, lon):
        """N [m] at ``lat``, ``lon`` [deg] (arrays broadcast; a float for scalars)."""
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        out = np.asarray(self._fn(lat_a, lon_a), dtype=np.float64)
        if lat_a.ndim == 0 and lon_a.ndim == 0:
            return float(out)
        return np.broadcast_to(out, np.broadcast_shapes(lat_a.shape, lon_a.shape))

    def undulation_grid(self, lats, lons):
        """N [m] on the tensor grid ``lats`` x ``lons`` (1-D, [deg]): ``(len(lats), len(lons))``.

        The package interpolates its grid bilinearly, so along a meridian N is
        linear between the grid's node latitudes (-90 + k * spacing): N is
        evaluated by the package on those node rows only and combined per
        latitude -- the package's own numbers (to rounding), without calling it
        for every DEM sample.
        """
        lats = np.atleast_1d(np.asarray(lats, dtype=np.float64))
        lons = np.atleast_1d(np.asarray(lons, dtype=np.float64))
        if lats.ndim != 1 or lons.ndim != 1:
            raise ValueError("undulation_grid takes 1-D latitude and longitude vectors")
        res = self.resolution
        lat = np.clip(lats, -90.0, 90.0)
        k = np.clip(np.floor((lat + 90.0) / res).astype(np.intp), 0, int(round(180.0 / res)) - 1)
        t = (lat + 90.0) / res - k
        nodes = np.unique(np.concatenate([k, k + 1]))
        node_lat = np.minimum(-90.0 + nodes * res, 90.0)
        values = np.asarray(self._fn(node_lat[:, None], lons[None, :]), dtype=np.float64)
        row = {int(n): values[m] for m, n in enumerate(nodes)}
        out = np.empty((lats.size, lons.size))
        for i in range(lats.size):
            out[i] = (1.0 - t[i]) * row[int(k[i])] + t[i] * row[int(k[i]) + 1]
        return out

    def __repr__(self):
        return f"Egm96Package({self.description!r})"


@functools.lru_cache(maxsize=1)
def _egm96_package() -> Egm96Package:
    return Egm96Package()


def _proj_dirs():
    dirs = []
    for var in ("PROJ_DATA", "PROJ_LIB"):
        for d in os.environ.get(var, "").split(os.pathsep):
            if d:
                dirs.append(d)
    dirs.append("/usr/share/proj")
    return dirs


def default_geoid():
    """The EGM96 model to use (the first available, see the module docstring):
    ``$ISCE_GEOID_GTX``, isce's packaged ``egm96_15.gtx``, the ``egm96`` package
    (>= 0.2), ``egm96_15.gtx`` in a PROJ data folder.

    Raises :class:`GeoidUnavailable` with what was tried.
    """
    env = os.environ.get(_GTX_ENV)
    if env:
        return _gtx(env)                       # named explicitly: its errors are the user's to see
    tried = []
    for source in (packaged_geoid, _egm96_package):
        try:
            return source()
        except GeoidUnavailable as exc:     # (lru_cache does not keep exceptions)
            tried.append(str(exc))
    for d in _proj_dirs():
        for name in _GTX_NAMES:
            candidate = os.path.join(d, name)
            if os.path.isfile(candidate):
                return _gtx(candidate)
    tried.append(f"no ${_GTX_ENV} and no {' or '.join(_GTX_NAMES)} in {', '.join(_proj_dirs())}")
    raise GeoidUnavailable("no EGM96 geoid model available: " + "; ".join(tried)
                           + f". Reinstall isce (it ships the grid), or set ${_GTX_ENV} to an "
                           f"EGM96 .gtx grid")


def as_geoid(geoid=None):
    """An object with ``undulation(lat, lon)`` [deg -> m] and ``description`` from ``geoid``:
    None (:func:`default_geoid`), ``"egm96_15"`` (isce's packaged EGM96 15' grid only),
    ``"egm96"`` (the egm96 package only), a path to a ``.gtx`` file, a
    :class:`GeoidGrid` or any object with ``undulation``."""
    if geoid is None:
        return default_geoid()
    key = geoid.strip().lower() if isinstance(geoid, str) else None
    if key in ("egm96", "egm96-package", "package"):
        return _egm96_package()
    if key in ("egm96_15", "egm96_15.gtx", "packaged"):
        return packaged_geoid()
    if hasattr(geoid, "undulation"):
        return geoid
    if isinstance(geoid, (str, os.PathLike)):
        return _gtx(geoid)
    raise TypeError(f"not a geoid: {type(geoid).__name__} (give None, 'egm96', a .gtx path or a "
                    f"GeoidGrid)")


def describe(geoid) -> str:
    """A one-line description of a geoid object, for logs and metadata."""
    return getattr(geoid, "description", None) or repr(geoid)


# ----------------------------------------------------------------------------- conversions
def geoid_undulation(lat, lon, *, geoid=None):
    """EGM96 undulation N [m] at ``lat``, ``lon`` [deg] (arrays broadcast; float for scalars)."""
    return as_geoid(geoid).undulation(lat, lon)


def geoid_undulation_grid(lats, lons, *, geoid=None):
    """N [m] on the tensor grid of 1-D ``lats`` x ``lons`` [deg]: ``(len(lats), len(lons))``.

    Uses the geoid's separable ``undulation_grid`` when it has one (fast for DEM blocks).
    """
    g = as_geoid(geoid)
    lats = np.atleast_1d(np.asarray(lats, dtype=np.float64))
    lons = np.atleast_1d(np.asarray(lons, dtype=np.float64))
    if hasattr(g, "undulation_grid"):
        return np.asarray(g.undulation_grid(lats, lons), dtype=np.float64)
    return np.asarray(np.broadcast_to(g.undulation(lats[:, None], lons[None, :]),
                                      (lats.size, lons.size)), dtype=np.float64)


def geoid_to_ellipsoid(heights, lat, lon, *, geoid=None):
    """Ellipsoid heights h = H + N [m] from heights ``H`` [m] above the EGM96 geoid.

    ``lat``, ``lon`` [deg] broadcast against ``heights``; NaN voids stay NaN.
    Returns float64 (a float for scalars).
    """
    h = np.asarray(heights, dtype=np.float64)
    out = h + np.asarray(geoid_undulation(lat, lon, geoid=geoid), dtype=np.float64)
    return float(out) if np.ndim(out) == 0 else out


def ellipsoid_to_geoid(heights, lat, lon, *, geoid=None):
    """Heights above the EGM96 geoid H = h - N [m] from ellipsoid heights ``h`` [m]."""
    h = np.asarray(heights, dtype=np.float64)
    out = h - np.asarray(geoid_undulation(lat, lon, geoid=geoid), dtype=np.float64)
    return float(out) if np.ndim(out) == 0 else out
