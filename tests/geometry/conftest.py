"""Shared pieces of the geometry tests: a synthetic scene (circular orbit
around a rotating Earth, radar grid, Doppler table, hilly DEM) and the NumPy
reference implementation of rdr2geo / geo2rdr that the C++ kernels must
match. Exposed as fixtures (``scene``, ``reference``) because test modules
are imported in importlib mode and cannot import each other.

The reference is written from the algorithm descriptions (ISCE3 rdr2geo,
geo2rdr, Spline2dInterpolator, DEMInterpolator, Topo layers), one pixel at a
time in plain NumPy, and deliberately does *not* share the kernels'
shortcuts: the DEM/Doppler spline solves the tridiagonal systems per query
as ISCE3 does (the kernel uses precomputed weights), ECEF <-> geodetic uses
isce.core.ellipsoid, orbit states come from isce.core.orbit.Orbit.
"""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from isce.core.ellipsoid import Ellipsoid, WGS84
from isce.core.lut import LUT2d
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid

GM = 3.986004418e14          # m^3 s^-2
OMEGA_E = 7.2921150e-5       # rad/s
EPOCH = "2020-01-01T00:00:00"


# ------------------------------------------------------------------ scene
def circular_orbit(a=7.078e6, inc_deg=98.2, raan_deg=-60.0, u0_deg=30.0, t0=0.0, t1=600.0,
                   step=10.0, rotate=True, epoch=EPOCH):
    """Orbit (isce.core) of a circular Keplerian orbit seen from a rotating Earth."""
    t = np.arange(t0, t1 + step / 2, step)
    n = math.sqrt(GM / a ** 3)
    u = math.radians(u0_deg) + n * t
    r_orb = a * np.stack([np.cos(u), np.sin(u), np.zeros_like(u)], 1)
    v_orb = a * n * np.stack([-np.sin(u), np.cos(u), np.zeros_like(u)], 1)
    i, w = math.radians(inc_deg), math.radians(raan_deg)
    rx = np.array([[1, 0, 0], [0, math.cos(i), -math.sin(i)], [0, math.sin(i), math.cos(i)]])
    rz = np.array([[math.cos(w), -math.sin(w), 0], [math.sin(w), math.cos(w), 0], [0, 0, 1]])
    m = rz @ rx
    r_i, v_i = r_orb @ m.T, v_orb @ m.T
    if not rotate:
        return Orbit(t, r_i, v_i, epoch)
    th = OMEGA_E * t
    c, s = np.cos(th), np.sin(th)
    pos = np.stack([c * r_i[:, 0] + s * r_i[:, 1], -s * r_i[:, 0] + c * r_i[:, 1], r_i[:, 2]], 1)
    vel_rot = np.stack([c * v_i[:, 0] + s * v_i[:, 1], -s * v_i[:, 0] + c * v_i[:, 1], v_i[:, 2]], 1)
    omega = np.array([0.0, 0.0, OMEGA_E])
    vel = vel_rot - np.cross(omega, pos)
    return Orbit(t, pos, vel, epoch)


def make_scene(side="right", length=60, width=80):
    orbit = circular_orbit()
    grid = RadarGrid(250.0, EPOCH, prf=500.0, starting_range=830_000.0,
                     range_pixel_spacing=30.0, length=length, width=width,
                     wavelength=0.0555, look_side=side)
    t = np.linspace(200.0, 320.0, 25)
    r = np.linspace(800_000.0, 880_000.0, 17)
    tt, rr = np.meshgrid(t, r, indexing="ij")
    dop = 150.0 + 2.0 * (tt - 260.0) + 4e-4 * (rr - 840_000.0) + 1e-9 * (rr - 840_000.0) ** 2
    doppler = LUT2d(r, t, dop, method="biquintic", bounds_error=True)
    return SimpleNamespace(orbit=orbit, grid=grid, doppler=doppler, side=side)


def hilly_dem(bbox, spacing=0.002, seed=0):
    """Smooth synthetic DEM (float32, metres) covering bbox (w, s, e, n) + margin."""
    from isce.geometry import DemGrid

    w, s, e, n = bbox
    w, s, e, n = w - 0.05, s - 0.05, e + 0.05, n + 0.05
    lon = np.arange(w, e + spacing, spacing)
    lat = np.arange(n, s - spacing, -spacing)
    rng = np.random.default_rng(seed)
    lo, la = np.meshgrid(lon, lat)
    h = 400.0 + 0.0 * lo
    for _ in range(6):
        kx, ky = rng.uniform(20, 80, 2)
        ph = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(30, 120)
        h += amp * np.sin(kx * lo + ph) * np.cos(ky * la - ph)
    return DemGrid(h.astype(np.float32), lon[0], lat[0], spacing, -spacing)


# -------------------------------------------------------- NumPy reference
def _init_spline(y):
    """ISCE3 Spline2dInterpolator::_initSpline (natural cubic spline, unit spacing)."""
    n = len(y)
    q = np.zeros(n)
    r = np.zeros(n)
    for i in range(1, n - 1):
        p = 1.0 / (0.5 * q[i - 1] + 2.0)
        q[i] = -0.5 * p
        r[i] = (3.0 * (y[i + 1] - 2.0 * y[i] + y[i - 1]) - 0.5 * r[i - 1]) * p
    r[n - 1] = 0.0
    for i in range(n - 2, 0, -1):
        r[i] = q[i] * r[i + 1] + r[i]
    return r


def _spline(x, y, r):
    """ISCE3 Spline2dInterpolator::_spline."""
    n = len(y)
    if x < 1.0:
        return y[0] + (x - 1.0) * (y[1] - y[0] - r[1] / 6.0)
    if x > n:
        return y[n - 1] + (x - n) * (y[n - 1] - y[n - 2] + r[n - 2] / 6.0)
    j = int(math.floor(x))
    xx = x - j
    t0 = y[j] - y[j - 1] - r[j - 1] / 3.0 - r[j] / 6.0
    t1 = xx * (r[j - 1] / 2.0 + xx * (r[j] - r[j - 1]) / 6.0)
    return y[j - 1] + xx * (t0 + t1)


def spline6(z, x, y, order=6):
    """ISCE3 BIQUINTIC (Spline2dInterpolator order 6) at column x, row y (0-based)."""
    ny, nx = z.shape
    i0 = (int(y) if order % 2 == 0 else int(y - 0.5)) - order // 2 + 1
    j0 = (int(x) if order % 2 == 0 else int(x - 0.5)) - order // 2 + 1
    hc = np.empty(order)
    for i in range(order):
        ii = min(max(i0 + i, 0), ny - 2) + 1
        a = np.array([z[ii, min(max(j0 + j, 0), nx - 2) + 1] for j in range(order)], dtype=float)
        hc[i] = _spline(x - j0, a, _init_spline(a))
    return _spline(y - i0, hc, _init_spline(hc))


def bilinear(z, x, y):
    ny, nx = z.shape
    x1 = min(int(math.floor(x)), nx - 2)
    y1 = min(int(math.floor(y)), ny - 2)
    fx, fy = x - x1, y - y1
    return ((1 - fy) * ((1 - fx) * z[y1, x1] + fx * z[y1, x1 + 1])
            + fy * ((1 - fx) * z[y1 + 1, x1] + fx * z[y1 + 1, x1 + 1]))


def lut_eval(lut, t, r, method=None):
    """ISCE3 LUT2d::eval (clamped) of an isce.core LUT2d, one point."""
    if not lut.have_data:
        return float(lut.ref_value)
    x = (r - lut.x[0]) / (lut.x[1] - lut.x[0])
    y = (t - lut.y[0]) / (lut.y[1] - lut.y[0])
    x = min(max(x, 0.0), lut.width - 1.0)
    y = min(max(y, 0.0), lut.length - 1.0)
    m = method or lut.method
    return spline6(lut.data, x, y) if m == "biquintic" else bilinear(lut.data, x, y)


def dem_xy(dem, x, y):
    """ISCE3 DEMInterpolator::interpolateXY (lon/lat degrees) of a DemGrid or ConstantDem."""
    if not hasattr(dem, "data"):
        return float(dem.height)
    if math.isnan(x) or math.isnan(y):
        return math.nan
    row = (y - dem.y0) / dem.dy
    col = (x - dem.x0) / dem.dx
    ny, nx = dem.data.shape
    if math.floor(row) < 2 or math.floor(row) >= ny - 1 or math.floor(col) < 2 or math.floor(col) >= nx - 1:
        return dem.ref_height
    z = dem.data.astype(np.float64)
    return spline6(z, col, row) if dem.method == "biquintic" else bilinear(z, col, row)


def rdr2geo_ref(t, rng, fd, orbit, dem, wavelength, side, h0, ell=WGS84, threshold=1e-8,
                maxiter=25, extraiter=10):
    """One pixel of ISCE3 rdr2geo. side: +1 left, -1 right. Returns (llh rad, converged)."""
    pos, vel = orbit.interpolate(t)
    pos, vel = np.asarray(pos, float), np.asarray(vel, float)
    nhat = -pos / np.linalg.norm(pos)
    chat = np.cross(nhat, vel)
    chat /= np.linalg.norm(chat)
    that = np.cross(chat, nhat)
    that /= np.linalg.norm(that)
    vhat = vel / np.linalg.norm(vel)
    dopfact = 0.5 * wavelength * fd / np.linalg.norm(vel) * rng
    b_axis = ell.a * math.sqrt(1 - ell.e2)
    sat_dist = np.linalg.norm(pos)
    eta = 1.0 / math.sqrt((pos[0] / ell.a) ** 2 + (pos[1] / ell.a) ** 2 + (pos[2] / b_axis) ** 2)
    radius = eta * sat_dist
    sat_h = (1 - eta) * sat_dist

    def update(h):
        cos_t = 0.5 * (sat_dist / rng + rng / sat_dist - (radius + h) ** 2 / (sat_dist * rng))
        sin_t = math.sqrt(1 - cos_t ** 2)
        gamma = rng * cos_t
        alpha = (dopfact - gamma * nhat @ vhat) / (vhat @ that)
        beta = math.sqrt((rng * sin_t) ** 2 - alpha ** 2) * (-side)
        return ell.xyz_to_lon_lat(pos + alpha * that + beta * chat + gamma * nhat)

    h = sat_h if math.isnan(h0) else h0
    conv = False
    llh_old = None
    for i in range(maxiter + extraiter):
        llh = np.array(update(h))
        llh[2] = dem_xy(dem, math.degrees(llh[0]), math.degrees(llh[1]))
        if math.isnan(llh[2]):
            return np.full(3, np.nan), False
        xyz = ell.lon_lat_to_xyz(llh)
        h = np.linalg.norm(xyz) - radius
        if abs(rng - np.linalg.norm(pos - xyz)) < threshold:
            conv = True
            break
        if i > maxiter:
            avg = 0.5 * (ell.lon_lat_to_xyz(llh_old) + xyz)
            llh = ell.xyz_to_lon_lat(avg)
            h = np.linalg.norm(avg) - radius
        llh_old = llh
    return np.array(update(h)), conv


def topo_angles_ref(llh, t, orbit, dem, side, ell=WGS84):
    """ISCE3 Topo layers (degrees): inc, hdg, los_az, local_inc, local_psi."""
    pos, vel = (np.asarray(v, float) for v in orbit.interpolate(t))
    from isce.core.ellipsoid import ecef_to_enu

    xyz = ell.lon_lat_to_xyz(llh)
    s2g = xyz - pos
    enu = ecef_to_enu(s2g, llh[0], llh[1])
    inc = math.degrees(math.acos(abs(enu[2]) / np.linalg.norm(enu)))
    hdg = math.degrees(math.atan2(enu[1], enu[0])) + (-90.0 if side == 1 else 90.0)
    hdg = hdg - 360 if hdg > 180 else (hdg + 360 if hdg <= -180 else hdg)
    los_az = math.degrees(math.atan2(-enu[1], -enu[0])) - 90.0
    los_az = los_az + 360 if los_az <= -180 else los_az
    alpha = beta = 0.0
    if hasattr(dem, "data"):
        lon, lat = math.degrees(llh[0]), math.degrees(llh[1])
        aa, bb = dem_xy(dem, lon - dem.dx, lat), dem_xy(dem, lon + dem.dx, lat)
        dxm = np.linalg.norm(ell.lon_lat_to_xyz([math.radians(lon + dem.dx), llh[1], llh[2]])
                             - ell.lon_lat_to_xyz([math.radians(lon - dem.dx), llh[1], llh[2]]))
        alpha = math.copysign((bb - aa) / dxm, (bb - aa) * dem.dx)
        aa, bb = dem_xy(dem, lon, lat - dem.dy), dem_xy(dem, lon, lat + dem.dy)
        dym = np.linalg.norm(ell.lon_lat_to_xyz([llh[0], math.radians(lat + dem.dy), llh[2]])
                             - ell.lon_lat_to_xyz([llh[0], math.radians(lat - dem.dy), llh[2]]))
        beta = math.copysign((bb - aa) / dym, (bb - aa) * dem.dy)
    slope = np.array([alpha, beta, -1.0])
    local_inc = math.degrees(math.acos(enu @ slope / (np.linalg.norm(enu) * np.linalg.norm(slope))))
    n_img = np.cross(s2g, vel)
    n_img /= np.linalg.norm(n_img)
    if side == 1:
        n_img = -n_img
    n_enu = ecef_to_enu(n_img, llh[0], llh[1])
    cos_psi = -slope @ n_enu / (np.linalg.norm(slope) * np.linalg.norm(n_enu))
    return dict(inc=inc, hdg=hdg, los_az=los_az, local_inc=local_inc,
                local_psi=math.degrees(math.acos(cos_psi)))


def geo2rdr_ref(llh, orbit, doppler, wavelength, side, t0, ell=WGS84, threshold=1e-8,
                maxiter=50, delta_range=10.0, method=None):
    """ISCE3 geo2rdr for one target (t0 inside the orbit). Returns (t, r, converged)."""
    xyz = ell.lon_lat_to_xyz(np.asarray(llh, float))
    t = t0
    dt = 0.0
    for _ in range(maxiter):
        t -= dt
        pos, vel = (np.asarray(v, float) for v in orbit.interpolate(t))
        rvec = xyz - pos
        r = np.linalg.norm(rvec)
        fdop = 0.5 * wavelength * lut_eval(doppler, t, r, method)
        fder = (0.5 * wavelength * lut_eval(doppler, t, r + delta_range, method) - fdop) / delta_range
        fn = rvec @ vel - fdop * r
        fnp = -vel @ vel + (fdop / r + fder) * (rvec @ vel)
        dt = fn / fnp
        if abs(dt) < threshold:
            return t, r, True
    return t, r, False


# ------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def scene():
    return make_scene()


@pytest.fixture(scope="session")
def reference():
    return SimpleNamespace(rdr2geo=rdr2geo_ref, geo2rdr=geo2rdr_ref, angles=topo_angles_ref,
                           spline6=spline6, bilinear=bilinear, lut_eval=lut_eval, dem_xy=dem_xy,
                           circular_orbit=circular_orbit, make_scene=make_scene,
                           hilly_dem=hilly_dem, Ellipsoid=Ellipsoid)
