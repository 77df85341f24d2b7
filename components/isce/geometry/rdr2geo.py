"""rdr2geo ("topo"): radar coordinates -> longitude, latitude, height and angles.

The per-pixel solver is ISCE3's ``rdr2geo`` (compiled, ``library/geometry``):
for each pixel (azimuth time t, slant range R) with Doppler centroid f(t, R)
[Hz] it finds the target on the Doppler cone at range R whose height is the
DEM's there, iterating until the range misfit is below ``threshold`` [m]
(1e-8 by default, as ISCE3; 1e-4 for a whole grid, :func:`topo`, see there;
``maxiter`` plain iterations, then ``extraiter`` averaged ones). With ``secant=True`` (the default) the plain fixed-point steps are
replaced by guarded secant steps: the same solution to the threshold (golden
checks identical to 1e-13 deg), ~3x fewer iterations on sloped terrain;
``secant=False`` follows ISCE3's iteration path exactly. The first height
guess of a grid pixel is extrapolated from its neighbours' solutions (the
plane through the left, upper and upper-left ones; ISCE3: the DEM mean), so
a constant height converges in 1-2 iterations and +-500 m hills in ~3; a
converged pixel returns its last trial point (ISCE3 evaluates one more,
within the threshold of it). Outputs per pixel (all angles in degrees):

=========== ===============================================================
lon, lat    geodetic longitude, latitude [deg] (float64)
z           height above the WGS-84 ellipsoid [m] (float64)
inc         incidence angle at the target, vs the ellipsoid normal
hdg         heading: atan2(N, E) of sensor->target in the target's ENU
            frame, +90 for right-looking, -90 for left, in (-180, 180]
los_az      azimuth of the target->sensor vector, anticlockwise from North
            (ISCE2 ``los.rdr`` band 2; band 1 is ``inc``)
local_inc   angle between the line of sight and the DEM surface normal
local_psi   angle between the DEM normal and the normal of the image plane
=========== ===============================================================

Heights come from a DEM (:mod:`isce.geometry.dem`; biquintic 6x6 spline
kernel by default), a constant, or per pixel (``heights``: e.g. the ``z``
of an earlier run); without DEM slopes ``local_inc``/``local_psi`` refer to
the ellipsoid-parallel plane. NaN DEM samples (voids) give NaN outputs.

:func:`topo` processes a whole radar grid block by block (memory bounded,
tqdm progress bar on large grids) and writes ISCE's stripmap products
``lat.rdr lon.rdr z.rdr`` (DOUBLE), ``los.rdr`` (FLOAT, 2 bands BIL:
incidence, LOS azimuth), ``inc.rdr hdg.rdr localInc.rdr localPsi.rdr``
(FLOAT), ISCE2 topozero's ``incLocal.rdr`` (FLOAT, 2 bands BIL: local_psi, local_inc)
and ``shadowMask.rdr`` (BYTE: 1 shadow, 2 layover, 3 both; :func:`shadow_layover_mask`),
each with .xml/.vrt/.hdr sidecars. While the kernel computes a block (GIL
released, OpenMP), a second thread computes the shadow mask of the block before
and writes it through the files (:meth:`isce.io.raster.RasterWriter.write_rows`,
not memory maps, so the output pages do not stay resident in the process), and
a third loads the DEM of the next block; the kernel fills two sets of buffers in
turn, allocated once.

Times are seconds since the radar grid's ``reference_epoch`` (Doppler tables
too); the orbit may use another epoch (it is shifted exactly).
"""
from __future__ import annotations

import logging
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import numpy as np

import isce.io
from isce.core.ellipsoid import WGS84
from isce.core.threads import kernel_threads
from isce.core.time import DateTime

from ._convert import doppler_data, epoch_ns, kernels, orbit_data, side_sign
from .dem import as_dem, load_dem

__all__ = ["rdr2geo_points", "rdr2geo_block", "radar_grid_bbox", "topo", "TOPO_FILES",
           "LAYERS", "shadow_layover_mask"]

log = logging.getLogger("isce.geometry.rdr2geo")

#: every layer the kernel computes
LAYERS = ("lon", "lat", "z", "inc", "hdg", "los_az", "local_inc", "local_psi", "converged")
#: the kernel's dtype of each layer
LAYER_DTYPES = {"lon": np.float64, "lat": np.float64, "z": np.float64, "inc": np.float32,
                "hdg": np.float32, "los_az": np.float32, "local_inc": np.float32,
                "local_psi": np.float32, "converged": np.bool_}

#: product name -> (file name, ISCE data type, kernel layers it is made of)
TOPO_FILES = {
    "lat": ("lat.rdr", "DOUBLE", ("lat",)),
    "lon": ("lon.rdr", "DOUBLE", ("lon",)),
    "z": ("z.rdr", "DOUBLE", ("z",)),
    "los": ("los.rdr", "FLOAT", ("inc", "los_az")),
    "inc": ("inc.rdr", "FLOAT", ("inc",)),
    "hdg": ("hdg.rdr", "FLOAT", ("hdg",)),
    "localInc": ("localInc.rdr", "FLOAT", ("local_inc",)),
    "localPsi": ("localPsi.rdr", "FLOAT", ("local_psi",)),
    # ISCE2 topozero's names (what MintPy loads): psi and local incidence in one file, and
    # the shadow/layover mask, made from the block's lon/lat/z (see _DERIVED)
    "incLocal": ("incLocal.rdr", "FLOAT", ("local_psi", "local_inc")),
    "shadowMask": ("shadowMask.rdr", "BYTE", ("shadow_mask",)),
}
#: layers computed from the kernel's (not by it) -> the kernel layers they need
_DERIVED = {"shadow_mask": ("lon", "lat", "z")}


def _ellipsoid(ellipsoid):
    if ellipsoid is None:
        ellipsoid = WGS84
    return float(ellipsoid.a), float(ellipsoid.e2)


def _seconds(times, epoch):
    """Seconds since ``epoch`` of floats (as given) or date-times (ISO text, datetime64, DateTime)."""
    arr = np.asarray(times)
    if arr.dtype.kind in "biuf":
        return np.ascontiguousarray(arr, dtype=np.float64).reshape(-1)

    e = epoch_ns(epoch)
    flat = [x for x in np.atleast_1d(arr).reshape(-1)]
    out = np.empty(len(flat))
    for k, x in enumerate(flat):
        if isinstance(x, np.datetime64):
            ns = int(x.astype("datetime64[ns]").astype(np.int64))
        else:
            if isinstance(x, bytes):
                x = x.decode()
            ns = (x if isinstance(x, DateTime) else DateTime(str(x))).nanoseconds_since_unix_epoch
        out[k] = (int(ns) - e) / 1e9
    return out


def rdr2geo_points(times, ranges, orbit, wavelength, look_side, *, doppler=None, heights=None,
                   dem=None, epoch=None, threshold=1e-8, maxiter=25, extraiter=10,
                   secant=True, doppler_method=None, orbit_method=None, ellipsoid=None,
                   threads=0):
    """rdr2geo of independent points.

    ``times``: azimuth times, seconds since ``epoch`` (default: the orbit's
    reference epoch) or date-times; ``ranges``: slant ranges [m]; ``doppler``:
    None (zero Doppler), Hz, or a model evaluated as ``doppler.eval(t, R)``
    with t in seconds since ``epoch``. Heights: ``heights`` [m] per point
    (each point on the constant surface h = heights[k], as ISCE3's
    ``DEMInterpolator(h)``), else ``dem`` (DemGrid, path, number; default 0 m).

    Returns ``(llh, converged)``: llh (n, 3) longitude, latitude [rad] and
    height [m] (isce.core convention), NaN where no solution; converged (n,).
    """
    g = kernels()
    epoch = orbit.reference_epoch if epoch is None else epoch
    t = _seconds(times, epoch)
    r = np.ascontiguousarray(ranges, dtype=np.float64).reshape(-1)
    if t.size == 1 and r.size > 1:
        t = np.full(r.size, t[0])
    h = None
    if heights is not None:
        h = np.ascontiguousarray(np.broadcast_to(np.asarray(heights, dtype=np.float64), r.shape))
    a, e2 = _ellipsoid(ellipsoid)
    d = as_dem(dem)
    return g.rdr2geo_points(orbit_data(orbit, epoch, orbit_method),
                            doppler_data(doppler, method=doppler_method), d.kernel(), t, r,
                            float(wavelength), side_sign(look_side), heights=h, a=a, e2=e2,
                            threshold=threshold, maxiter=maxiter, extraiter=extraiter,
                            secant=secant, threads=kernel_threads(threads))


def _grid_lines(grid, lines):
    if lines is None:
        lines = slice(0, grid.length)
    start, stop, step = lines.indices(grid.length)
    if step != 1:
        raise ValueError("lines must be a contiguous slice")
    return start, stop


def rdr2geo_block(radar_grid, orbit, doppler=None, dem=None, *, lines=None, heights=None,
                  layers=None, threshold=1e-8, maxiter=25, extraiter=10, secant=True,
                  doppler_method=None, orbit_method=None, ellipsoid=None, threads=0, out=None):
    """rdr2geo of the lines ``lines`` (slice; default all) of ``radar_grid``.

    ``dem``: DemGrid, ConstantDem, number or None (0 m); a path is loaded for
    the block's area. ``heights``: per-pixel heights [m] of the block (2-D,
    lines x width) used instead of a DEM. ``layers``: names from
    :data:`LAYERS` (default all). ``out``: optional dict layer -> preallocated
    C-contiguous (lines, width) array of :data:`LAYER_DTYPES` to fill (a buffer
    reused from block to block is not page-faulted in again: ~7 % of the kernel's
    time). Returns a dict of (lines, width) arrays.
    """
    g = kernels()
    start, stop = _grid_lines(radar_grid, lines)
    epoch = radar_grid.reference_epoch
    t = radar_grid.sensing_start + np.arange(start, stop, dtype=np.float64) / radar_grid.prf
    r = radar_grid.slant_ranges()
    dop = doppler_data(doppler, method=doppler_method, grid=radar_grid)
    orb = orbit_data(orbit, epoch, orbit_method)
    if isinstance(dem, (str, os.PathLike)):
        dem = load_dem(dem, radar_grid_bbox(radar_grid, orbit, dop, lines=slice(start, stop),
                                            orbit_method=orbit_method))
    d = as_dem(dem)
    h = None
    if heights is not None:
        h = np.ascontiguousarray(heights, dtype=np.float64)
        if h.shape != (stop - start, radar_grid.width):
            raise ValueError(f"heights must have shape {(stop - start, radar_grid.width)}, "
                             f"got {h.shape}")
    a, e2 = _ellipsoid(ellipsoid)
    return g.rdr2geo_grid(orb, dop, d.kernel(), t, r, radar_grid.wavelength,
                          radar_grid.look_side_sign, heights=h, a=a, e2=e2, threshold=threshold,
                          maxiter=maxiter, extraiter=extraiter, secant=secant,
                          layers=list(layers) if layers is not None else None,
                          threads=kernel_threads(threads), out=out)


def radar_grid_bbox(radar_grid, orbit, doppler=None, *, lines=None, heights=(-500.0, 9000.0),
                    margin=0.0, orbit_method=None):
    """(west, south, east, north) [deg] of a radar grid (or of its ``lines``).

    The perimeter pixels (every ~10th) are located on the surfaces h =
    min(heights) and max(heights) [m] (ISCE3's global -500 .. 9000 m by
    default), and the box widened by ``margin`` [deg]. Longitudes are
    unwrapped around the first point (a box may cross the dateline, then
    east > 180).
    """
    start, stop = _grid_lines(radar_grid, lines)
    n_az, n_rg = stop - start, radar_grid.width
    ia = np.unique(np.r_[np.linspace(start, stop - 1, min(n_az, 11)).round()]).astype(int)
    jr = np.unique(np.r_[np.linspace(0, n_rg - 1, min(n_rg, 11)).round()]).astype(int)
    ii = np.r_[np.full(jr.size, ia[0]), np.full(jr.size, ia[-1]), ia, ia]
    jj = np.r_[jr, jr, np.full(ia.size, jr[0]), np.full(ia.size, jr[-1])]
    t = radar_grid.sensing_time(ii.astype(float))
    r = radar_grid.slant_range(jj.astype(float))
    lon, lat = [], []
    for h in (min(heights), max(heights)):
        llh, _ = rdr2geo_points(t, r, orbit, radar_grid.wavelength, radar_grid.look_side_sign,
                                doppler=doppler, heights=np.full(t.size, float(h)),
                                epoch=radar_grid.reference_epoch, orbit_method=orbit_method)
        ok = np.isfinite(llh[:, 0])
        lon.append(np.rad2deg(llh[ok, 0]))
        lat.append(np.rad2deg(llh[ok, 1]))
    lon, lat = np.concatenate(lon), np.concatenate(lat)
    if lon.size == 0:
        raise ValueError("no pixel of the radar grid could be located (check orbit and grid)")
    lon = lon[0] + (lon - lon[0] + 180.0) % 360.0 - 180.0
    return (float(lon.min() - margin), float(lat.min() - margin),
            float(lon.max() + margin), float(lat.max() + margin))


def _platform_positions(radar_grid, orbit, rows, orbit_method=None):
    """ECEF platform positions [m] (lines, 3) at the zero-Doppler times of ``rows``."""
    start, stop = _grid_lines(radar_grid, rows)
    t = radar_grid.sensing_start + np.arange(start, stop, dtype=np.float64) / radar_grid.prf
    shift = (epoch_ns(radar_grid.reference_epoch) - epoch_ns(orbit.reference_epoch)) / 1e9
    pos, _ = orbit.interpolate(t + shift, orbit_method)
    return np.reshape(pos, (-1, 3))


def _running_test(values, forward):
    """Where ``values`` (lines, n) fail to keep rising along each line: forward, a value not
    above the maximum of the ones before it; backward, one not below the minimum of the
    ones after it (ISCE2 topozero's two passes). NaN never fails nor counts."""
    out = np.zeros(values.shape, dtype=bool)
    if values.shape[1] < 2:
        return out
    if forward:
        v = np.where(np.isnan(values), -np.inf, values)
        out[:, 1:] = v[:, 1:] <= np.maximum.accumulate(v, axis=1)[:, :-1]
    else:
        v = np.where(np.isnan(values), np.inf, values)
        after = np.minimum.accumulate(v[:, ::-1], axis=1)[:, ::-1]
        out[:, :-1] = v[:, :-1] >= after[:, 1:]
    return out & ~np.isnan(values)


def _rows_interp(x, xp, fp):
    """Row-wise linear interpolation (extrapolating from the end segments, as topozero):
    ``xp`` (lines, n) increasing per row, ``x`` (lines, m) -> (lines, m) for each ``fp``."""
    lines, n = xp.shape
    base = min(np.nanmin(xp), np.nanmin(x))         # rows side by side on one axis
    stride = max(np.nanmax(xp), np.nanmax(x)) - base + 1.0
    offset = np.arange(lines)[:, None] * stride
    idx = np.searchsorted(((xp - base) + offset).ravel(), ((x - base) + offset).ravel(),
                          side="right").reshape(x.shape) - np.arange(lines)[:, None] * n - 1
    idx = np.clip(idx, 0, n - 2)
    x0 = np.take_along_axis(xp, idx, 1)
    dx = np.take_along_axis(xp, idx + 1, 1) - x0
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(dx != 0, (x - x0) / dx, 0.0)
    out = []
    for f in fp:
        f0 = np.take_along_axis(f, idx, 1)
        out.append(f0 + frac * (np.take_along_axis(f, idx + 1, 1) - f0))
    return out


def _sorted_rows(values, *others):
    """``values`` and ``others`` (lines, n) reordered so that ``values`` rises along each
    row (no copy when it already does, the usual case)."""
    if values.shape[1] < 2 or bool(np.all(np.diff(values, axis=1) > 0)):
        return (values, *others)
    order = np.argsort(values, axis=1, kind="stable")
    return tuple(np.take_along_axis(a, order, 1) for a in (values, *others))


def _sample_spacings(dem):
    """(north, east) spacings [m] of a DemGrid's samples at its middle latitude."""
    lat = np.radians(dem.y0 + 0.5 * (dem.shape[0] - 1) * dem.dy)
    metres = np.radians(1.0) * WGS84.a                   # per degree, along a meridian
    return abs(dem.dy) * metres, abs(dem.dx) * metres * max(np.cos(lat), 1e-6)


def _steepest_slope(dem) -> float:
    """Steepest slope [deg] of a DemGrid's samples (0 for a constant surface)."""
    data = getattr(dem, "data", None)
    if data is None or min(np.shape(data)) < 2:
        return 0.0
    gy, gx = np.gradient(np.asarray(data, dtype=np.float64), *_sample_spacings(dem))
    steepest = np.nanmax(np.hypot(gx, gy)) if np.isfinite(gx).any() else 0.0
    return float(np.degrees(np.arctan(steepest)))


#: the last DEM whose slope bound was computed and the bound [deg] (topo's blocks share a
#: DemGrid while they need the same DEM samples: one bound for all of them)
_LAST_SLOPE_BOUND = [lambda: None, None]


def _slope_bound(dem, data) -> float:
    """Upper bound [deg] of :func:`_steepest_slope` from the largest neighbour differences
    (NaN when the samples have voids); kept for the last DemGrid asked about."""
    ref, bound = _LAST_SLOPE_BOUND
    if ref() is dem:
        return bound
    dy_m, dx_m = _sample_spacings(dem)
    by = float(np.max(np.abs(np.diff(data, axis=0)))) / dy_m
    bx = float(np.max(np.abs(np.diff(data, axis=1)))) / dx_m
    bound = float(np.degrees(np.arctan(np.hypot(bx, by) * (1.0 + 1e-6))))
    try:
        _LAST_SLOPE_BOUND[:] = [weakref.ref(dem), bound]
    except TypeError:                       # an object without weak references: not kept
        pass
    return bound


def _slope_below(dem, limit) -> bool:
    """Whether :func:`_steepest_slope` of ``dem`` is below ``limit`` [deg], first from a bound
    (~10x cheaper than the gradient): each central difference of the gradient is at most the
    largest difference of neighbouring samples along its axis, so the slope of the largest
    such differences (float32, widened by 1e-6 for their rounding) bounds the steepest one;
    the exact slope is computed only when the bound is not below ``limit`` or the samples
    have voids (NaN: a central difference may straddle one). Same answer as comparing the
    exact slope, which was a third of topo's time on the benchmark."""
    data = getattr(dem, "data", None)
    if data is None or min(np.shape(data)) < 2:
        return 0.0 < limit
    bound = _slope_bound(dem, np.asarray(data))
    if np.isfinite(bound) and bound < limit:
        return True
    return _steepest_slope(dem) < limit


def shadow_layover_mask(lon, lat, z, platform, starting_range, range_spacing, *, dem=None,
                        converged=None, ellipsoid=None, scratch=None):
    """ISCE2 topozero's radar shadow/layover mask of a block of lines (uint8: 1 shadow,
    2 layover, 3 both), vectorised over the block.

    ``lon``, ``lat`` [deg], ``z`` [m]: the rdr2geo solution of each pixel (lines, width);
    ``platform``: ECEF platform position of each line (lines, 3) [m]; pixel j has the slant
    range ``starting_range + j * range_spacing`` [m]. As topozero, each line's geometry is
    that of a sphere through the platform's nadir: look angle (from the nadir) and
    cross-track distance (range x sin(look)) of a point of height h at range R follow from
    the law of cosines with the platform at a + H and the point at a + h from the centre
    (a: geocentric radius of the nadir point, H: platform height).

    Shadow (1): along each line the look angle must grow with range; a pixel whose look
    angle is not above every nearer pixel's (or not below every farther one's) is hidden
    (topozero's test); with a DEM steep enough to hide ground, also a pixel all of whose
    resampled ground (below) lies behind nearer ground seen at a larger look angle.
    Layover (2, only with ``dem``, a DemGrid/ConstantDem): the ground of the line is
    resampled at 2 x width + 1 regular cross-track distances (widened by the line's highest
    height), its height taken from the DEM at the lon/lat interpolated there; sorted by
    slant range, a sample whose cross-track distance does not keep rising shares its range
    with another piece of ground, and the radar pixel of that range is laid over.
    ``converged``: the kernel's flags; pixels without a solution take no part (NaN).
    ``scratch``: optional dict kept across calls (topo's blocks) for two block-sized float64
    work arrays, so that each block does not fault fresh pages in."""
    ell = WGS84 if ellipsoid is None else ellipsoid
    z = np.asarray(z, dtype=np.float64)
    if converged is not None and not np.all(converged):
        z = np.where(np.asarray(converged, dtype=bool), z, np.nan)
    lines, width = z.shape
    sat = np.asarray(platform, dtype=np.float64).reshape(lines, 3)
    _, _, height = np.asarray(ell.xyz_to_lon_lat(sat)).T
    orbit_r = np.linalg.norm(sat, axis=1)[:, None]             # a + H
    earth_r = orbit_r - height[:, None]                         # a
    rng = starting_range + range_spacing * np.arange(width, dtype=np.float64)[None, :]
    # cos(look) = (orbit_r^2 + rng^2 - target_r^2) / (2 orbit_r rng), target_r = earth_r + z,
    # in two block-sized buffers (the same operations, in place)
    cos_look = np.add(orbit_r ** 2, rng ** 2, out=_scratch(scratch, "cos_look", (lines, width)))
    work = np.add(earth_r, z, out=_scratch(scratch, "work", (lines, width)))
    np.subtract(cos_look, np.square(work, out=work), out=cos_look)
    np.divide(cos_look, np.multiply(2.0 * orbit_r, rng, out=work), out=cos_look)
    np.clip(cos_look, -1.0, 1.0, out=cos_look)
    del work
    # the look angle must grow with range: cos(look) fall (diff(-c) > 0 is diff(c) < 0)
    if width > 1 and bool(np.all(np.diff(cos_look, axis=1) < 0)):
        mask = np.zeros((lines, width), dtype=np.uint8)        # no shadow (the usual case)
    else:
        rising = -cos_look                                      # grows with the look angle
        mask = (_running_test(rising, True) | _running_test(rising, False)).astype(np.uint8)
    if dem is None or width < 2:
        return mask
    largest = np.max(cos_look)                      # NaN when some pixel has no solution
    if np.isnan(largest):
        if not np.isfinite(cos_look).any():
            return mask
        largest = np.nanmax(cos_look)
    # a slope can lay over only if steeper than the incidence (> the look angle): a DEM
    # with none steeper than 0.9 x the smallest look angle skips the ground resampling
    # (arccos falls: the smallest look angle is that of the largest cosine)
    if _slope_below(dem, 0.9 * np.degrees(np.arccos(largest))):
        return mask
    look = np.arccos(cos_look)
    rows = np.flatnonzero(np.isfinite(look).any(axis=1))
    mask[rows] |= _ground_mask(rng * np.sin(look[rows]), np.asarray(lon, dtype=np.float64)[rows],
                               np.asarray(lat, dtype=np.float64)[rows], z[rows],
                               orbit_r[rows], earth_r[rows], dem, starting_range, range_spacing)
    return mask


def _scratch(scratch, name, shape):
    """A float64 array of ``shape`` from ``scratch`` (grown when too small), or None."""
    if scratch is None:
        return None
    size = shape[0] * shape[1]
    buf = scratch.get(name)
    if buf is None or buf.size < size:
        buf = scratch[name] = np.empty(size)
    return buf[:size].reshape(shape)


def _ground_mask(cross, lon, lat, z, orbit_r, earth_r, dem, starting_range, range_spacing):
    """Shadow (1) and layover (2) of lines from their ground resampled across the track
    (see :func:`shadow_layover_mask`); every line has at least one solution."""
    lines, width = z.shape
    valid = np.isfinite(cross)
    # pixels without a solution: a copy of the line's farthest solution (no new ground)
    far = np.nanargmax(np.where(valid, cross, -np.inf), axis=1)[:, None]
    cross, lon, lat = (np.where(valid, a, np.take_along_axis(a, far, 1))
                       for a in (cross, lon, lat))
    cs, slon, slat = _sorted_rows(cross, lon, lat)
    top = np.maximum(np.nanmax(z, axis=1, keepdims=True), 0.0)     # per line: blocks agree
    lo = cs[:, :1] - top
    grid = lo + np.arange(2 * width + 1)[None, :] * ((cs[:, -1:] + top - lo) / (2 * width))
    glon, glat = _rows_interp(grid, cs, [slon, slat])
    ground_r = earth_r + np.asarray(dem.interpolate(glon, glat), dtype=np.float64)
    # the point at cross-track distance c and radius b: sin(central angle) = c / b
    sin_phi = np.clip(grid / ground_r, -1.0, 1.0)
    grng = np.sqrt(orbit_r ** 2 + ground_r ** 2 - 2.0 * orbit_r * ground_r
                   * np.sqrt(1.0 - sin_phi ** 2))
    mask = _hidden_pixels(grng, orbit_r, ground_r, starting_range, range_spacing, width)
    grng, ct = _sorted_rows(grng, grid)
    laid = _running_test(ct, True) | _running_test(ct, False)
    if not laid.any():
        return mask
    row, col = np.nonzero(laid)
    pixel = np.floor((grng[row, col] - starting_range) / range_spacing).astype(np.int64)
    keep = (pixel >= 0) & (pixel < width)
    layover = np.zeros((lines, width), dtype=bool)
    layover[row[keep], pixel[keep]] = True
    return mask | (layover.astype(np.uint8) << 1)


def _hidden_pixels(grng, orbit_r, ground_r, starting_range, range_spacing, width):
    """Shadow (1) from the resampled ground (lines, n; in cross-track order): a ground sample
    is hidden when a nearer one is seen at a larger look angle; each piece of ground between
    two neighbouring samples covers the pixels of the ranges between theirs, and a radar
    pixel covered by hidden pieces only is in shadow. This finds the whole shadow behind a
    peak that the pixels' own solutions (topozero's test) may miss when the solution at
    the peak's range lies on other ground (layover)."""
    lines = grng.shape[0]
    cos_look = (orbit_r ** 2 + grng ** 2 - ground_r ** 2) / (2.0 * orbit_r * grng)
    hidden = _running_test(-cos_look, True)
    pixel = np.floor((grng - starting_range) / range_spacing)
    a, b = pixel[:, :-1], pixel[:, 1:]
    ok = np.isfinite(a) & np.isfinite(b)
    first = np.clip(np.fmin(a, b), -1, width)[ok].astype(np.int64)
    last = np.clip(np.fmax(a, b), -1, width)[ok].astype(np.int64)
    dark = (hidden[:, :-1] & hidden[:, 1:])[ok]
    row = np.broadcast_to(np.arange(lines)[:, None], a.shape)[ok]
    # coverage counts per pixel by difference arrays (columns -1 .. width+1, then cut)
    span = width + 3
    start, stop = row * span + first + 1, row * span + last + 2
    size = lines * span

    def covered(weights):
        d = (np.bincount(start, weights, size) - np.bincount(stop, weights, size))
        return np.cumsum(d.reshape(lines, span), axis=1)[:, 1:width + 1]

    segments, dark_segments = covered(None), covered(dark.astype(np.float64))
    return ((segments > 0) & (dark_segments == segments)).astype(np.uint8)


def _write_block(writers, out, rows, staging=None):
    """Write a block's layers to the products' rasters. A multi-band (BIL) product's lines
    are interleaved in ``staging`` (a dict kept across blocks, product -> (lines, bands,
    width) buffer): one copy, into memory already faulted in, instead of a stack and
    write_rows' interleaving copy into new arrays."""
    n = rows.stop - rows.start
    for p, w in writers.items():
        parts = TOPO_FILES[p][2]
        if len(parts) == 1:
            w.write_rows(out[parts[0]], rows)
            continue
        first = out[parts[0]]
        buf = None if staging is None else staging.get(p)
        if buf is None or buf.shape[0] < n or buf.dtype != w.dtype:
            buf = np.empty((n, len(parts), first.shape[1]), dtype=w.dtype)
            if staging is not None:
                staging[p] = buf
        bil = buf[:n]
        for b, k in enumerate(parts):
            bil[:, b, :] = out[k]
        w.write_rows(bil.transpose(1, 0, 2), rows)   # (bands, lines, width) view of BIL


def _finish_block(writers, out, rows, mask_args, staging=None):
    """The second thread's share of a block: its shadow/layover mask (``mask_args``: the
    other arguments of :func:`shadow_layover_mask`, None when not asked for), then its
    rasters. Returns the number of converged pixels."""
    if mask_args is not None:
        platform, r0, dr, dem, ellipsoid = mask_args
        out = dict(out, shadow_mask=shadow_layover_mask(
            out["lon"], out["lat"], out["z"], platform, r0, dr, dem=dem,
            converged=out["converged"], ellipsoid=ellipsoid, scratch=staging))
    _write_block(writers, out, rows, staging)
    return int(np.count_nonzero(out["converged"]))


def _block_dem(dem_path, dem_obj, radar_grid, orbit, dop, rows, orbit_method, cache):
    """The heights of a block: ``dem_obj``, or the part of the DEM file its lines need
    (``cache``: :func:`load_dem`'s, kept across the blocks)."""
    if dem_path is None:
        return dem_obj
    return load_dem(dem_path, radar_grid_bbox(radar_grid, orbit, dop, lines=rows,
                                              orbit_method=orbit_method), cache=cache)


def _as_height_source(heights):
    """Per-pixel heights: None, a 2-D array, or a raster path (isce.io)."""
    if heights is None or isinstance(heights, np.ndarray):
        return heights

    return isce.io.open(heights).band(0)


def topo(radar_grid, orbit, doppler=None, dem=None, output_dir="geometry", *, heights=None,
         products=tuple(TOPO_FILES), block_lines=None, progress=None, threshold=1e-4,
         maxiter=25, extraiter=10, secant=True, doppler_method=None, orbit_method=None,
         ellipsoid=None, threads=0):
    """rdr2geo of a whole radar grid, written as ISCE rasters in ``output_dir``.

    ``dem``: a DEM path (read block by block, only the area each block needs),
    a DemGrid, a height [m] or None (0 m). ``heights``: per-pixel heights
    instead (a (length, width) array or a raster path), e.g. to repeat a run
    on the heights of its own ``z.rdr``. ``products``: keys of
    :data:`TOPO_FILES`. ``block_lines``: lines per block (default: ~64 MiB
    of outputs). ``progress``: tqdm bar (default: for grids > 2 M pixels).
    ``threshold``: range misfit [m] at which a pixel's iteration stops. A converged
    point lies exactly at its slant range on the Doppler cone, its height within about
    the threshold of the DEM's: 1e-4 m (ISCE2 topozero's is 0.05 m, ISCE3's 1e-8) keeps
    heights within 0.14 mm of the 1e-8 m solution for ~20 % less CPU (the 4096^2
    benchmark: one iteration fewer on most pixels).

    Returns ``{product: path}``. Files are written atomically with sidecars.
    """
    unknown = [p for p in products if p not in TOPO_FILES]
    if unknown:
        raise ValueError(f"unknown topo product(s) {unknown}; choose from {list(TOPO_FILES)}")
    os.makedirs(output_dir, exist_ok=True)
    length, width = radar_grid.length, radar_grid.width
    if block_lines is None:     # two blocks of outputs in memory (computed, being written)
        block_lines = isce.io.block_lines_for(width, "float64", arrays=16)
    if progress is None:
        progress = length * width > 2_000_000
    layers = sorted({k for p in products for name in TOPO_FILES[p][2]
                     for k in _DERIVED.get(name, (name,))} | {"converged"})
    hsrc = _as_height_source(heights)
    if hsrc is not None and tuple(hsrc.shape) != (length, width):
        raise ValueError(f"heights must have shape {(length, width)}, got {tuple(hsrc.shape)}")
    dop = doppler_data(doppler, method=doppler_method, grid=radar_grid)
    dem_path = dem if isinstance(dem, (str, os.PathLike)) else None
    dem_obj = None if dem_path else as_dem(dem)
    paths = {}
    converged = 0
    blocks = list(isce.io.iter_blocks(length, block_lines))
    # two sets of kernel outputs, used in turn: one filled by the kernel while the other
    # one's block is masked and written
    buffers = [{k: np.empty((min(block_lines, length), width), LAYER_DTYPES[k]) for k in layers}
               for _ in range(2)]
    with ExitStack() as stack:
        writers = {}
        for p in products:
            name, dtype, parts = TOPO_FILES[p]
            path = os.path.join(output_dir, name)
            writers[p] = stack.enter_context(
                isce.io.create(path, width, length, dtype, bands=len(parts),
                               scheme="BIL" if len(parts) > 1 else "BIP"))
            paths[p] = path
        # While the kernel (GIL released, OpenMP) computes a block, a second thread masks
        # and writes (pwrite) the one before and a third loads the next block's DEM.
        pool = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="topo-write"))
        loader = stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="topo-dem"))
        pending = None
        dem_cache = {}          # blocks needing the same DEM samples share one DemGrid
        staging = {}            # the writing thread's BIL buffers (_write_block)

        def load(k):
            return loader.submit(_block_dem, dem_path, dem_obj, radar_grid, orbit, dop,
                                 blocks[k], orbit_method, dem_cache)
        next_dem = load(0)
        for k, rows in enumerate(isce.io.iter_blocks(length, block_lines, progress=progress,
                                                     desc="topo")):
            d = next_dem.result()
            if k + 1 < len(blocks):
                next_dem = load(k + 1)
            h = None if hsrc is None else np.asarray(hsrc[rows], dtype=np.float64)
            n = rows.stop - rows.start
            out = rdr2geo_block(radar_grid, orbit, dop, d, lines=rows, heights=h, layers=layers,
                                threshold=threshold, maxiter=maxiter, extraiter=extraiter,
                                secant=secant, orbit_method=orbit_method, ellipsoid=ellipsoid,
                                threads=threads,
                                out={key: b[:n] for key, b in buffers[k % 2].items()})
            mask_args = None
            if "shadowMask" in products:
                mask_args = (_platform_positions(radar_grid, orbit, rows, orbit_method),
                             radar_grid.starting_range, radar_grid.range_pixel_spacing,
                             d if h is None else None, ellipsoid)
            if pending is not None:
                converged += pending.result()      # frees the other set of buffers
            pending = pool.submit(_finish_block, writers, out, rows, mask_args, staging)
            del out
        if pending is not None:
            converged += pending.result()
    total = length * width
    log.info("topo: %d of %d pixels converged (%.3f %%)", converged, total,
             100.0 * converged / max(total, 1))
    return paths
