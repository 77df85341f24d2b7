"""NumPy reference implementations shared with the tests.

The definitions live in the tests (the kernels must match them there); this
module loads those files by path so the benchmarks time exactly the same
code. Needs the test extra (pytest, hypothesis).

* orbit interpolation: tests/kernels/test_orbit_interp.py (loaded at import),
* geometry: tests/geometry/conftest.py (:func:`geometry_tests`, loaded on
  first use). Its rdr2geo / geo2rdr references work one pixel at a time in
  plain Python; :func:`rdr2geo_numpy` and :func:`geo2rdr_numpy` below are
  the same algorithms (same iterations, same ISCE3 spline and clamping
  rules) vectorised over pixels, for timing against the kernels. The
  benchmark checks them against both the kernels and the per-pixel code.
* SLC resampling: tests/signal/test_signal_resample.py
  (:func:`resample_tests`, loaded on first use; ``reference_resample`` is
  vectorised already).
"""
import importlib.util
import math
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parents[1]
_TESTS = _ROOT / "tests" / "kernels" / "test_orbit_interp.py"


def _load(path=_TESTS, name="_isce_orbit_interp_reference"):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_module = _load()
hermite_reference = _module.hermite_reference
legendre_reference = _module.legendre_reference
kepler_circular = _module.kepler_circular
REFERENCE = _module.REFERENCE

_cache = {}


def geometry_tests():
    """tests/geometry/conftest.py as a module (per-pixel rdr2geo_ref, geo2rdr_ref, ...)."""
    if "geometry" not in _cache:
        _cache["geometry"] = _load(_ROOT / "tests" / "geometry" / "conftest.py",
                                   "_isce_geometry_reference")
    return _cache["geometry"]


def resample_tests():
    """tests/signal/test_signal_resample.py as a module (reference_resample, TABLE, ...)."""
    if "resample" not in _cache:
        _cache["resample"] = _load(_ROOT / "tests" / "signal" / "test_signal_resample.py",
                                   "_isce_resample_reference")
    return _cache["resample"]


# ------------------------------------------------ vectorised geometry references
def _init_spline_v(y):
    """conftest._init_spline over the last axis of y (..., n)."""
    n = y.shape[-1]
    q = np.zeros(y.shape)
    r = np.zeros(y.shape)
    for i in range(1, n - 1):
        p = 1.0 / (0.5 * q[..., i - 1] + 2.0)
        q[..., i] = -0.5 * p
        r[..., i] = (3.0 * (y[..., i + 1] - 2.0 * y[..., i] + y[..., i - 1]) - 0.5 * r[..., i - 1]) * p
    r[..., n - 1] = 0.0
    for i in range(n - 2, 0, -1):
        r[..., i] = q[..., i] * r[..., i + 1] + r[..., i]
    return r


def _spline_v(x, y, r):
    """conftest._spline: x (...), y and r (..., n)."""
    n = y.shape[-1]
    j = np.clip(np.floor(x).astype(np.intp), 1, n - 1)[..., None]
    xx = x - j[..., 0]
    yj, yj1 = np.take_along_axis(y, j, -1)[..., 0], np.take_along_axis(y, j - 1, -1)[..., 0]
    rj, rj1 = np.take_along_axis(r, j, -1)[..., 0], np.take_along_axis(r, j - 1, -1)[..., 0]
    t0 = yj - yj1 - rj1 / 3.0 - rj / 6.0
    t1 = xx * (rj1 / 2.0 + xx * (rj - rj1) / 6.0)
    out = yj1 + xx * (t0 + t1)
    lo = y[..., 0] + (x - 1.0) * (y[..., 1] - y[..., 0] - r[..., 1] / 6.0)
    hi = y[..., n - 1] + (x - n) * (y[..., n - 1] - y[..., n - 2] + r[..., n - 2] / 6.0)
    return np.where(x < 1.0, lo, np.where(x > n, hi, out))


def spline6_numpy(z, x, y, order=6):
    """conftest.spline6 (ISCE3 BIQUINTIC) at columns x, rows y (1-D arrays); z float64."""
    ny, nx = z.shape
    k = np.arange(order)
    # int() truncates toward zero, as in the per-pixel code
    i0 = (np.trunc(y) if order % 2 == 0 else np.trunc(y - 0.5)).astype(np.intp) - order // 2 + 1
    j0 = (np.trunc(x) if order % 2 == 0 else np.trunc(x - 0.5)).astype(np.intp) - order // 2 + 1
    ii = np.clip(i0[:, None] + k, 0, ny - 2) + 1
    jj = np.clip(j0[:, None] + k, 0, nx - 2) + 1
    a = z[ii[:, :, None], jj[:, None, :]]                       # (n, order rows, order cols)
    hc = _spline_v(np.broadcast_to((x - j0)[:, None], a.shape[:2]), a, _init_spline_v(a))
    return _spline_v(y - i0, hc, _init_spline_v(hc))


def bilinear_numpy(z, x, y):
    """conftest.bilinear at columns x, rows y (1-D arrays)."""
    ny, nx = z.shape
    x1 = np.minimum(np.floor(x).astype(np.intp), nx - 2)
    y1 = np.minimum(np.floor(y).astype(np.intp), ny - 2)
    fx, fy = x - x1, y - y1
    return ((1 - fy) * ((1 - fx) * z[y1, x1] + fx * z[y1, x1 + 1])
            + fy * ((1 - fx) * z[y1 + 1, x1] + fx * z[y1 + 1, x1 + 1]))


def lut_numpy(lut, t, r, method=None):
    """conftest.lut_eval (clamped ISCE3 LUT2d::eval) of an isce.core LUT2d at arrays t, r."""
    t, r = np.broadcast_arrays(np.asarray(t, float), np.asarray(r, float))
    if not lut.have_data:
        return np.full(t.shape, float(lut.ref_value))
    x = np.clip((r - lut.x[0]) / (lut.x[1] - lut.x[0]), 0.0, lut.width - 1.0).reshape(-1)
    y = np.clip((t - lut.y[0]) / (lut.y[1] - lut.y[0]), 0.0, lut.length - 1.0).reshape(-1)
    z = np.asarray(lut.data, dtype=np.float64)
    m = method or lut.method
    out = spline6_numpy(z, x, y) if m == "biquintic" else bilinear_numpy(z, x, y)
    return out.reshape(t.shape)


class DemNumpy:
    """conftest.dem_xy of a DemGrid / ConstantDem at arrays of lon, lat [deg]
    (the float64 copy of the heights is made once, not per query)."""

    def __init__(self, dem):
        self.dem = dem
        self.z = None if not hasattr(dem, "data") else np.asarray(dem.data, dtype=np.float64)
        self.ref_height = float(dem.ref_height)

    def __call__(self, x, y):
        dem = self.dem
        if self.z is None:
            return np.full(np.shape(x), float(dem.height))
        row = (y - dem.y0) / dem.dy
        col = (x - dem.x0) / dem.dx
        ny, nx = self.z.shape
        fr, fc = np.floor(row), np.floor(col)
        edge = (fr < 2) | (fr >= ny - 1) | (fc < 2) | (fc >= nx - 1)
        nan = np.isnan(x) | np.isnan(y)
        inside = ~(edge | nan)
        out = np.where(nan, np.nan, self.ref_height)
        if inside.any():
            f = spline6_numpy if dem.method == "biquintic" else bilinear_numpy
            out[inside] = f(self.z, col[inside], row[inside])
        return out


def _norm(v):
    return np.sqrt(np.einsum("...i,...i->...", v, v))


def _dot(a, b):
    return np.einsum("...i,...i->...", a, b)


def rdr2geo_numpy(t_lines, ranges, fd, sv, dem, wavelength, side, ell, *, h0=None,
                  threshold=1e-8, maxiter=25, extraiter=10, orbit_interp=hermite_reference):
    """conftest.rdr2geo_ref for a block of lines, vectorised over pixels.

    ``t_lines`` (n,) azimuth times [s], ``ranges`` (m,) [m], ``fd`` (n, m)
    Doppler [Hz], ``sv`` = (times, positions, velocities) of the orbit (in the
    same time frame), ``dem`` a :class:`DemNumpy`, ``side`` +1 left / -1
    right, ``h0`` first height guess (default the DEM's ref_height, as
    ISCE3). Returns (llh (n, m, 3) [rad, rad, m], converged (n, m)).
    """
    n, m = len(t_lines), len(ranges)
    pos, vel = orbit_interp(*sv, np.asarray(t_lines, float))           # (n, 3)
    vnorm = _norm(vel)
    nhat = -pos / _norm(pos)[:, None]
    chat = np.cross(nhat, vel)
    chat /= _norm(chat)[:, None]
    that = np.cross(chat, nhat)
    that /= _norm(that)[:, None]
    vhat = vel / vnorm[:, None]
    b_axis = ell.a * math.sqrt(1 - ell.e2)
    sat_dist = _norm(pos)
    eta = 1.0 / np.sqrt((pos[:, 0] / ell.a) ** 2 + (pos[:, 1] / ell.a) ** 2 + (pos[:, 2] / b_axis) ** 2)
    radius = eta * sat_dist
    n_v, v_t = _dot(nhat, vhat), _dot(vhat, that)
    # flatten to pixels; per-pixel copies of the per-line quantities
    line = np.repeat(np.arange(n), m)
    rng = np.tile(np.asarray(ranges, float), n)
    dopfact = (0.5 * wavelength * np.asarray(fd, float) / vnorm[:, None] * np.asarray(ranges)).reshape(-1)
    h = np.full(n * m, dem.ref_height if h0 is None else float(h0))

    def update(idx, hh):
        k = line[idx]
        r, sd = rng[idx], sat_dist[k]
        cos_t = 0.5 * (sd / r + r / sd - (radius[k] + hh) ** 2 / (sd * r))
        sin_t = np.sqrt(1 - cos_t ** 2)
        gamma = r * cos_t
        alpha = (dopfact[idx] - gamma * n_v[k]) / v_t[k]
        beta = np.sqrt((r * sin_t) ** 2 - alpha ** 2) * (-side)
        xyz = (pos[k] + alpha[:, None] * that[k] + beta[:, None] * chat[k]
               + gamma[:, None] * nhat[k])
        return ell.xyz_to_lon_lat(xyz)

    conv = np.zeros(n * m, bool)
    failed = np.zeros(n * m, bool)
    llh_old = np.zeros((n * m, 3))
    idx = np.arange(n * m)
    for i in range(maxiter + extraiter):
        if idx.size == 0:
            break
        llh = update(idx, h[idx])
        llh[:, 2] = dem(np.degrees(llh[:, 0]), np.degrees(llh[:, 1]))
        bad = np.isnan(llh[:, 2])
        failed[idx[bad]] = True
        xyz = ell.lon_lat_to_xyz(llh)
        k = line[idx]
        hn = _norm(xyz) - radius[k]
        done = ~bad & (np.abs(rng[idx] - _norm(pos[k] - xyz)) < threshold)
        conv[idx[done]] = True
        if i > maxiter:
            avg = 0.5 * (ell.lon_lat_to_xyz(llh_old[idx]) + xyz)
            llh = np.where(done[:, None], llh, ell.xyz_to_lon_lat(avg))
            hn = np.where(done, hn, _norm(avg) - radius[k])
        h[idx] = hn
        llh_old[idx] = llh
        idx = idx[~(done | bad)]
    out = update(np.arange(n * m), h)
    out[failed] = np.nan
    return out.reshape(n, m, 3), conv.reshape(n, m)


def geo2rdr_numpy(llh, t0, sv, doppler, wavelength, ell, *, threshold=1e-8, maxiter=50,
                  delta_range=10.0, method=None, orbit_interp=hermite_reference):
    """conftest.geo2rdr_ref vectorised over targets ``llh`` (..., 3) [rad, rad, m]
    from initial azimuth times ``t0`` (...). Returns (t, r, converged)."""
    shape = np.shape(llh)[:-1]
    xyz = ell.lon_lat_to_xyz(np.asarray(llh, float).reshape(-1, 3))
    t = np.broadcast_to(np.asarray(t0, float), shape).reshape(-1).copy()
    r_out = np.full(t.size, np.nan)
    dt = np.zeros(t.size)
    conv = np.zeros(t.size, bool)
    idx = np.arange(t.size)
    half_wl = 0.5 * wavelength
    for _ in range(maxiter):
        if idx.size == 0:
            break
        t[idx] -= dt[idx]
        pos, vel = orbit_interp(*sv, t[idx])
        rvec = xyz[idx] - pos
        r = _norm(rvec)
        fdop = half_wl * lut_numpy(doppler, t[idx], r, method)
        fder = (half_wl * lut_numpy(doppler, t[idx], r + delta_range, method) - fdop) / delta_range
        rv = _dot(rvec, vel)
        fn = rv - fdop * r
        fnp = -_dot(vel, vel) + (fdop / r + fder) * rv
        step = fn / fnp
        dt[idx] = step
        r_out[idx] = r
        done = np.abs(step) < threshold
        conv[idx[done]] = True
        idx = idx[~done]
    return t.reshape(shape), r_out.reshape(shape), conv.reshape(shape)


__all__ = ["hermite_reference", "legendre_reference", "kepler_circular", "REFERENCE",
           "geometry_tests", "resample_tests", "spline6_numpy", "bilinear_numpy", "lut_numpy",
           "DemNumpy", "rdr2geo_numpy", "geo2rdr_numpy"]
