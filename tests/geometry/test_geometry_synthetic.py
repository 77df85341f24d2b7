"""Synthetic geometry with known answers, plus robustness of the kernels.

A circular equatorial orbit over a spherical, non-rotating Earth has closed
forms: at zero Doppler the target of (t, R) lies at the satellite's
longitude, at latitude -/+acos(C) (right/left-looking) with
C = (Rs^2 + (a+h)^2 - R^2) / (2 Rs (a+h)); with a Doppler centroid f the
target satisfies cos(lat) cos(dlon) = C, cos(lat) sin(dlon) = K,
K = lambda f R / (2 Rs w (a+h)). Incidence, heading and LOS azimuth follow
from plane geometry. Then: the range/Doppler equations hold at rdr2geo's
solutions on WGS-84 with a rotating Earth, NaN DEM voids give NaN, failures
are reported (orbit span, look side, Doppler table), bad arguments are
refused with clear messages, and ``import isce.geometry`` is cheap.
"""
import math
import subprocess
import sys

import numpy as np
import pytest

from isce.core.ellipsoid import Ellipsoid
from isce.ext import load

_geometry = load("_geometry")
from isce.geometry import (DemGrid, constant_dem, geo2rdr_points, radar_grid_bbox,  # noqa: E402
                           rdr2geo_block, rdr2geo_points)

A = 6_371_000.0
SPHERE = Ellipsoid(A, 0.0)
RS = A + 700_000.0
GM = 3.986004418e14
W = math.sqrt(GM / RS ** 3)          # orbital angular rate [rad/s]
WVL = 0.0555


@pytest.fixture(scope="module")
def equatorial(reference):
    return reference.circular_orbit(a=RS, inc_deg=0.0, raan_deg=0.0, u0_deg=0.0, t0=0.0,
                                    t1=200.0, step=5.0, rotate=False)


def _closed_form(t, r, h, side, fd=0.0):
    c = (RS ** 2 + (A + h) ** 2 - r ** 2) / (2 * RS * (A + h))
    k = WVL * fd * r / (2 * RS * W * (A + h))
    lon = W * t + np.arctan2(k, c)
    lat = np.arccos(np.sqrt(c ** 2 + k ** 2)) * (-1.0 if side == "right" else 1.0)
    return lon, lat


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("fd", [0.0, 800.0])
def test_rdr2geo_on_a_sphere_matches_closed_form(equatorial, side, fd):
    rng = np.random.default_rng(0)
    t = rng.uniform(20, 180, 200)
    r = rng.uniform(750_000, 1_100_000, 200)
    h = rng.uniform(-300, 5000, 200)
    llh, conv = rdr2geo_points(t, r, equatorial, WVL, side, doppler=fd, heights=h,
                               ellipsoid=SPHERE)
    assert conv.all()
    lon, lat = _closed_form(t, r, h, side, fd)
    np.testing.assert_allclose(llh[:, 0], lon, rtol=0, atol=2e-12)
    np.testing.assert_allclose(llh[:, 1], lat, rtol=0, atol=2e-12)
    np.testing.assert_allclose(llh[:, 2], h, atol=1e-6)
    # ISCE3's Newton step ignores the orbit's acceleration: linear convergence
    # (~x0.1 per iteration), so the error is ~threshold / 10
    tt, rr, st = geo2rdr_points(llh, equatorial, WVL, side, doppler=fd, ellipsoid=SPHERE,
                                threshold=1e-11)
    assert (st == 0).all()
    np.testing.assert_allclose(tt, t, atol=1e-9)
    np.testing.assert_allclose(rr, r, atol=1e-6)


@pytest.mark.parametrize("side", ["right", "left"])
def test_angles_on_a_sphere(equatorial, reference, side):
    from isce.core.radargrid import RadarGrid

    grid = RadarGrid(50.0, "2020-01-01", prf=100.0, starting_range=800_000.0,
                     range_pixel_spacing=1000.0, length=4, width=200, wavelength=WVL,
                     look_side=side)
    out = rdr2geo_block(grid, equatorial, None, 250.0, ellipsoid=SPHERE)
    r = grid.slant_ranges()[None, :]
    h = 250.0
    cos_inc = (RS ** 2 - (A + h) ** 2 - r ** 2) / (2 * (A + h) * r)
    inc = np.degrees(np.arccos(cos_inc))
    np.testing.assert_allclose(out["z"], h, atol=1e-6)
    np.testing.assert_allclose(out["inc"], np.broadcast_to(inc, out["inc"].shape), atol=2e-5)
    np.testing.assert_allclose(out["hdg"], 0.0, atol=2e-5)          # flying due east
    np.testing.assert_allclose(out["local_inc"], out["inc"], atol=2e-5)
    np.testing.assert_allclose(out["local_psi"], 90.0 - out["inc"], atol=2e-5)
    expected_az = 0.0 if side == "right" else 180.0                   # target -> sensor
    np.testing.assert_allclose(np.abs(out["los_az"]), expected_az, atol=2e-5)
    lon_expected = np.degrees(W * grid.sensing_times())[:, None]
    np.testing.assert_allclose(out["lon"], np.broadcast_to(lon_expected, out["lon"].shape),
                               atol=1e-9)
    assert (np.sign(out["lat"]) == (-1 if side == "right" else 1)).all()


def test_range_doppler_equations_hold_on_wgs84(scene):
    """Rotating Earth, WGS-84, Doppler table, hilly DEM: solutions satisfy the equations."""
    from isce.geometry._convert import doppler_data
    from isce.core.ellipsoid import WGS84

    g, orbit = scene.grid, scene.orbit
    out = rdr2geo_block(g, orbit, scene.doppler, 1234.5)
    llh = np.stack([np.deg2rad(out["lon"]), np.deg2rad(out["lat"]), out["z"]], -1)
    xyz = WGS84.lon_lat_to_xyz(llh)
    pos, vel = orbit.interpolate(g.sensing_times())
    los = xyz - pos[:, None, :]
    rng = np.linalg.norm(los, axis=-1)
    np.testing.assert_allclose(rng, np.broadcast_to(g.slant_ranges(), rng.shape), atol=1e-7)
    tt, rr = np.meshgrid(g.sensing_times(), g.slant_ranges(), indexing="ij")
    fd = _geometry.lut_eval(doppler_data(scene.doppler), tt.ravel(), rr.ravel()).reshape(tt.shape)
    doppler_misfit = np.einsum("ijk,ik->ij", los, vel) - 0.5 * g.wavelength * fd * rng
    assert np.abs(doppler_misfit / np.linalg.norm(vel, axis=-1)[:, None]).max() < 1e-6  # metres
    np.testing.assert_allclose(out["z"], 1234.5, atol=1e-6)


# ------------------------------------------------------------- robustness
def test_nan_dem_voids_give_nan(scene, reference):
    dem = reference.hilly_dem(radar_grid_bbox(scene.grid, scene.orbit, scene.doppler))
    data = dem.data.copy()
    full = rdr2geo_block(scene.grid, scene.orbit, scene.doppler, dem)
    # one void sample under the pixel (30, 40)
    col = (full["lon"] - dem.x0) / dem.dx
    row = (full["lat"] - dem.y0) / dem.dy
    jj, ii = int(round(col[30, 40])), int(round(row[30, 40]))
    data[ii, jj] = np.nan
    holed = DemGrid(data, dem.x0, dem.y0, dem.dx, dem.dy, ref_height=dem.ref_height)
    out = rdr2geo_block(scene.grid, scene.orbit, scene.doppler, holed)
    bad = np.isnan(out["z"])
    assert bad[30, 40]
    # the 6x6 kernel (rows i-1..i+4) and the slope differences (+-1 sample)
    # reach at most ~6 samples from the void; everything farther is untouched
    near = (np.abs(col - jj) < 7) & (np.abs(row - ii) < 7)
    assert not (bad & ~near).any()
    for key in ("lon", "lat", "inc", "hdg", "local_inc", "local_psi", "los_az"):
        assert np.isnan(out[key][bad]).all(), key
        assert np.isfinite(out[key][~bad]).all(), key
    assert not out["converged"][bad].any()
    np.testing.assert_allclose(out["lat"][~near], full["lat"][~near], rtol=0, atol=1e-10)
    np.testing.assert_allclose(out["z"][~near], full["z"][~near], rtol=0, atol=1e-6)
    # per-pixel NaN heights too
    h = np.full(scene.grid.shape, 100.0)
    h[3, 4] = np.nan
    out = rdr2geo_block(scene.grid, scene.orbit, scene.doppler, heights=h, layers=["z", "lat"])
    assert np.isnan(out["z"][3, 4]) and np.isnan(out["lat"][3, 4])
    assert np.isfinite(np.delete(out["z"].ravel(), 3 * scene.grid.width + 4)).all()


def test_times_outside_the_orbit_give_nan(scene):
    t = np.array([-100.0, 300.0, 10_000.0])
    llh, conv = rdr2geo_points(t, np.full(3, 850_000.0), scene.orbit, 0.0555, "right",
                               heights=np.zeros(3))
    assert np.isnan(llh[[0, 2]]).all() and np.isfinite(llh[1]).all()
    assert conv.tolist() == [False, True, False]


def test_geo2rdr_status_codes(scene):
    g = scene.grid
    llh, _ = rdr2geo_points([g.sensing_mid], [g.mid_range], scene.orbit, g.wavelength, "right",
                            doppler=scene.doppler, heights=[0.0])
    # the same target seen as if the radar looked left: wrong side
    _, _, st = geo2rdr_points(llh, scene.orbit, g.wavelength, "left", t0=[g.sensing_mid])
    assert st[0] == 2
    # Doppler table with bounds_error: a far-away guess leaves the table
    _, _, st = geo2rdr_points(llh, scene.orbit, g.wavelength, "right", doppler=scene.doppler,
                              t0=[scene.orbit.time[-1]])
    assert st[0] == 3
    # NaN target
    _, _, st = geo2rdr_points(np.full((1, 3), np.nan), scene.orbit, g.wavelength, "right")
    assert st[0] == 5
    t, r, st = geo2rdr_points(llh, scene.orbit, g.wavelength, "right", doppler=scene.doppler,
                              t0=[g.sensing_mid], threshold=1e-9)
    assert st[0] == 0 and abs(t[0] - g.sensing_mid) < 1e-8 and abs(r[0] - g.mid_range) < 1e-5


def test_arguments_are_checked(scene):
    od = _geometry.OrbitData(scene.orbit.time, scene.orbit.position, scene.orbit.velocity)
    dem = _geometry.Dem.constant(0.0)
    lut = _geometry.Lut2d.constant(0.0)
    with pytest.raises(ValueError, match="look_side"):
        _geometry.rdr2geo_points(od, lut, dem, np.zeros(2), np.ones(2), 0.05, 0)
    with pytest.raises(ValueError, match="r must have shape"):
        _geometry.rdr2geo_points(od, lut, dem, np.zeros(2), np.ones(3), 0.05, -1)
    with pytest.raises(ValueError, match="wavelength"):
        _geometry.rdr2geo_grid(od, lut, dem, np.zeros(2), np.ones(3), -1.0, -1)
    with pytest.raises(ValueError, match="heights must have shape"):
        _geometry.rdr2geo_grid(od, lut, dem, np.zeros(2), np.ones(3), 0.05, -1,
                               heights=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="unknown rdr2geo layer 'height'"):
        _geometry.rdr2geo_grid(od, lut, dem, np.zeros(2), np.ones(3), 0.05, -1, layers=["height"])
    with pytest.raises(ValueError, match=r"llh must have shape \(\.\.\., 3\)"):
        _geometry.geo2rdr_points(od, lut, np.zeros((4, 2)), 0.05, -1)
    with pytest.raises(ValueError, match="strictly increasing"):
        _geometry.OrbitData(scene.orbit.time[::-1], scene.orbit.position, scene.orbit.velocity)
    with pytest.raises(ValueError, match="orbit position must have shape"):
        _geometry.OrbitData(scene.orbit.time, scene.orbit.position[:, :2], scene.orbit.velocity)
    with pytest.raises(ValueError, match="biquintic"):
        _geometry.Lut2d(0.0, 1.0, 0.0, 1.0, np.zeros((3, 3)), "sinc")
    with pytest.raises(ValueError, match="spacing"):
        _geometry.Dem(0.0, 0.0, 0.0, -1.0, np.zeros((5, 5), np.float32))
    with pytest.raises(ValueError, match="at least 4 x 4"):
        DemGrid(np.zeros((3, 10)), 0.0, 0.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="threads"):
        _geometry.geo2rdr_points(od, lut, np.zeros((1, 3)), 0.05, -1, threads=-2)


def test_constant_dem_and_dem_grid_interpolate(reference):
    assert constant_dem(12.5).interpolate(3.0, 4.0) == 12.5
    lon = np.arange(10.0, 10.5, 0.01)
    lat = np.arange(45.5, 45.0, -0.01)
    lo, la = np.meshgrid(lon, lat)
    plane = (100.0 + 2000.0 * (lo - 10.0) - 500.0 * (la - 45.0)).astype(np.float32)
    dem = DemGrid(plane, lon[0], lat[0], 0.01, -0.01)
    xs = np.linspace(10.05, 10.40, 11)
    ys = np.linspace(45.40, 45.05, 11)
    np.testing.assert_allclose(dem.interpolate(xs, ys),
                               100.0 + 2000.0 * (xs - 10.0) - 500.0 * (ys - 45.0), atol=1e-3)
    assert dem.ref_height == pytest.approx(float(plane.mean(dtype=np.float64)))


def test_import_is_cheap():
    code = ("import sys, isce.geometry as g; "
            "assert 'isce.geometry.rdr2geo' not in sys.modules; "
            "assert 'isce.ext._geometry' not in sys.modules; "
            "assert 'numpy' not in sys.modules, 'numpy imported'; "
            "g.rdr2geo_points; assert 'isce.geometry.rdr2geo' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------- offsets
def test_offsets_into_a_shifted_grid_are_the_shift(scene, reference, tmp_path):
    """Secondary = same orbit, grid starting 3.5 lines later and 2.25 samples farther."""
    import isce.io
    from isce.geometry import geo2rdr_block, geo2rdr_offsets, topo

    g = scene.grid
    dem = reference.hilly_dem(radar_grid_bbox(g, scene.orbit, scene.doppler), seed=3)
    sec = g.replace(sensing_start=g.sensing_time(3.5), starting_range=g.slant_range(2.25))
    out = rdr2geo_block(g, scene.orbit, scene.doppler, dem)
    rg, az, st = geo2rdr_block(out["lon"], out["lat"], out["z"], sec, scene.orbit,
                               scene.doppler, reference_grid=g)
    assert (st == 0).all()
    np.testing.assert_allclose(az, -3.5, atol=2e-6)
    np.testing.assert_allclose(rg, -2.25, atol=2e-6)
    # the same through the raster drivers, in blocks, with a first_line offset
    paths = topo(g, scene.orbit, scene.doppler, dem, tmp_path / "geom", block_lines=7,
                 products=("lat", "lon", "z"))
    offs = geo2rdr_offsets(tmp_path / "geom", sec, scene.orbit, scene.doppler,
                           tmp_path / "offs", reference_grid=g, block_lines=11, dtype="DOUBLE")
    assert sorted(paths) == ["lat", "lon", "z"]
    np.testing.assert_allclose(isce.io.open(offs["azimuth"]).read(0), -3.5, atol=2e-6)
    np.testing.assert_allclose(isce.io.open(offs["range"]).read(0), -2.25, atol=2e-6)
    # mask_outside: the secondary grid starts later, so its first lines see nothing
    rg, az, st = geo2rdr_block(out["lon"], out["lat"], out["z"], sec, scene.orbit,
                               scene.doppler, reference_grid=g, mask_outside=True)
    assert np.isnan(az[:3]).all() and np.isfinite(az[4:, 3:]).all()


def test_offsets_of_a_later_pass_are_its_delay(reference):
    """Secondary orbit = the same track flown 0.7 s later: azimuth offset 0.7 PRF, range 0."""
    from isce.core.orbit import Orbit
    from isce.geometry import geo2rdr_block

    sc = reference.make_scene("left", length=20, width=30)
    later = Orbit(sc.orbit.time + 0.7, sc.orbit.position, sc.orbit.velocity,
                  sc.orbit.reference_epoch)
    out = rdr2geo_block(sc.grid, sc.orbit, None, 350.0)
    # no initial guess from the reference grid: the coarse orbit scan finds it
    rg, az, st = geo2rdr_block(out["lon"], out["lat"], out["z"], sc.grid, later, None)
    assert (st == 0).all()
    np.testing.assert_allclose(az, 0.7 * sc.grid.prf, atol=2e-6)
    np.testing.assert_allclose(rg, 0.0, atol=2e-6)


# ------------------------------------------------------------- DEM files
def _plane_dem():
    lon = 10.0 + 0.01 * np.arange(60)
    lat = 45.6 - 0.01 * np.arange(50)
    lo, la = np.meshgrid(lon, lat)
    return (100.0 + 2000.0 * (lo - 10.0) - 500.0 * (la - 45.0)).astype(np.float32)


def test_load_dem_from_geotiff_with_nodata_and_bbox(tmp_path):
    import rasterio

    from isce.geometry import load_dem

    data = _plane_dem()
    data[20, 30] = -32768.0
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=60, height=50, count=1, dtype="float32",
                       crs="EPSG:4326",
                       transform=rasterio.Affine(0.01, 0.0, 9.995, 0.0, -0.01, 45.605),
                       nodata=-32768.0) as ds:
        ds.write(data, 1)
    full = load_dem(path)
    assert full.shape == (50, 60)
    assert full.x0 == pytest.approx(10.0) and full.y0 == pytest.approx(45.6)
    assert np.isnan(full.data[20, 30]) and np.isfinite(np.delete(full.data.ravel(), 20 * 60 + 30)).all()
    crop = load_dem(path, (10.2, 45.3, 10.3, 45.4), margin=0.0)
    assert crop.shape[0] < 50 and crop.shape[1] < 60
    w, s, e, n = crop.bounds
    assert w <= 10.2 - 0.02 and e >= 10.3 + 0.02 and s <= 45.3 - 0.02 and n >= 45.4 + 0.02
    x, y = 10.2345, 45.3456
    assert crop.interpolate(x, y) == pytest.approx(full.interpolate(x, y), abs=1e-9)
    assert crop.interpolate(x, y) == pytest.approx(100 + 2000 * (x - 10) - 500 * (y - 45), abs=1e-3)
    with pytest.raises(ValueError, match="does not cover"):
        load_dem(path, (20.0, 10.0, 21.0, 11.0), margin=0.0)
    with pytest.raises(FileNotFoundError):
        load_dem(tmp_path / "missing.tif")


def test_load_dem_from_isce_raster(tmp_path):
    import isce.io
    from isce.geometry import load_dem

    data = _plane_dem()
    path = str(tmp_path / "dem.wgs84")
    isce.io.write(path, data, image_type="dem", geo=(9.995, 0.01, 0.0, 45.605, 0.0, -0.01))
    dem = load_dem(path, method="bilinear")
    assert dem.method == "bilinear" and dem.shape == (50, 60)
    assert dem.x0 == pytest.approx(10.0) and dem.y0 == pytest.approx(45.6)
    x, y = 10.3, 45.2
    assert dem.interpolate(x, y) == pytest.approx(100 + 2000 * (x - 10) - 500 * (y - 45), abs=1e-3)


def test_load_dem_warps_projected_dems_to_lon_lat(tmp_path):
    import rasterio
    from rasterio.warp import transform as warp_points

    from isce.geometry import load_dem

    x = 500_000.0 + 100.0 * np.arange(80)          # UTM 32N, around lon 9-10 E
    y = 5_050_000.0 - 100.0 * np.arange(70)
    xx, yy = np.meshgrid(x, y)
    lon, lat = warp_points("EPSG:32632", "EPSG:4326", xx.ravel(), yy.ravel())
    h = (100.0 + 2000.0 * (np.array(lon) - 9.0) - 500.0 * (np.array(lat) - 45.0)).reshape(xx.shape)
    path = tmp_path / "utm.tif"
    with rasterio.open(path, "w", driver="GTiff", width=80, height=70, count=1, dtype="float32",
                       crs="EPSG:32632",
                       transform=rasterio.Affine(100.0, 0.0, 499_950.0, 0.0, -100.0, 5_050_050.0)) as ds:
        ds.write(h.astype(np.float32), 1)
    dem = load_dem(path)
    lo, la = warp_points("EPSG:32632", "EPSG:4326", [504_000.0], [5_046_500.0])
    expected = 100.0 + 2000.0 * (lo[0] - 9.0) - 500.0 * (la[0] - 45.0)
    assert dem.interpolate(lo[0], la[0]) == pytest.approx(expected, abs=0.05)
