"""The compiled geometry kernels against the NumPy reference (conftest.py).

A synthetic but realistic scene (circular orbit around a rotating Earth,
C-band grid, Doppler table interpolated biquintically, hilly DEM): a few
hundred pixels of rdr2geo (positions, heights, every angle layer) and of
geo2rdr must match the one-pixel-at-a-time NumPy implementation of the
ISCE3 algorithms to ~1e-9 relative. Also the interpolation kernels on their
own (ISCE3's 6x6 spline including its edge quirks, bilinear, DEM edge rules).
"""
import math

import numpy as np
import pytest

from isce.ext import load

_geometry = load("_geometry")
from isce.geometry import (constant_dem, geo2rdr_points, radar_grid_bbox,  # noqa: E402
                           rdr2geo_block, rdr2geo_points)
from isce.geometry._convert import doppler_data  # noqa: E402


@pytest.fixture(scope="module")
def hills(scene, reference):
    return reference.hilly_dem(radar_grid_bbox(scene.grid, scene.orbit, scene.doppler))


def _pixels(grid, n, seed):
    rng = np.random.default_rng(seed)
    i = rng.uniform(0, grid.length - 1, n)
    j = rng.uniform(0, grid.width - 1, n)
    return grid.sensing_time(i), grid.slant_range(j)


# ---------------------------------------------------------------- interpolation
def test_spline6_matches_isce3_algorithm_everywhere_including_edges(reference):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(9, 11))
    lut = _geometry.Lut2d(0.0, 1.0, 0.0, 1.0, z, "biquintic")
    xs = np.r_[rng.uniform(0, 10, 200), 0, 10, 0.5, 9.99, 1.0, 2.0]
    ys = np.r_[rng.uniform(0, 8, 200), 8, 0, 7.5, 0.01, 1.0, 8.0]
    ours = _geometry.lut_eval(lut, ys, xs)
    ref = np.array([reference.spline6(z, x, y) for x, y in zip(xs, ys)])
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_spline6_is_exact_on_planes_and_passes_through_samples(reference):
    y, x = np.mgrid[0:12, 0:14].astype(float)
    plane = 3.0 + 0.7 * x - 1.3 * y
    lut = _geometry.Lut2d(0.0, 1.0, 0.0, 1.0, plane, "biquintic")
    # interior: the 6-sample windows (rows i-1 .. i+4) lie inside rows 1 .. n-1
    xs, ys = np.linspace(2, 9.99, 57), np.linspace(2, 7.99, 57)
    np.testing.assert_allclose(_geometry.lut_eval(lut, ys, xs), 3.0 + 0.7 * xs - 1.3 * ys,
                               atol=1e-11)
    z = np.random.default_rng(2).normal(size=(12, 14))
    lut = _geometry.Lut2d(0.0, 1.0, 0.0, 1.0, z, "biquintic")
    ii, jj = np.mgrid[1:12, 1:14]     # row/column 0 are never read by ISCE3's kernel
    np.testing.assert_allclose(_geometry.lut_eval(lut, ii.ravel() * 1.0, jj.ravel() * 1.0),
                               z[1:, 1:].ravel(), atol=1e-12)


def test_lut_bilinear_nearest_clamp_and_nan(reference):
    z = np.arange(20.0).reshape(4, 5)
    lut = _geometry.Lut2d(100.0, 10.0, 5.0, 0.5, z, "bilinear")
    assert _geometry.lut_eval(lut, np.array([5.25]), np.array([115.0]))[0] == pytest.approx(
        reference.bilinear(z, 1.5, 0.5))
    # clamped outside, as ISCE3
    assert _geometry.lut_eval(lut, np.array([-1e9]), np.array([1e9]))[0] == z[0, -1]
    assert np.isnan(_geometry.lut_eval(lut, np.array([np.nan]), np.array([110.0]))[0])
    near = _geometry.Lut2d(100.0, 10.0, 5.0, 0.5, z, "nearest")
    assert _geometry.lut_eval(near, np.array([5.6]), np.array([121.0]))[0] == z[1, 2]
    assert _geometry.lut_eval(_geometry.Lut2d.constant(42.0), np.array([1.0]),
                              np.array([2.0]))[0] == 42.0


def test_dem_interpolation_matches_reference_and_edge_rules(hills, reference):
    w, s, e, n = hills.bounds
    rng = np.random.default_rng(3)
    lon = rng.uniform(w - 0.01, e + 0.01, 300)
    lat = rng.uniform(s - 0.01, n + 0.01, 300)
    ours = hills.interpolate(lon, lat)
    ref = np.array([reference.dem_xy(hills, x, y) for x, y in zip(lon, lat)])
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-9)
    # beyond the edges: the reference height (mean of the DEM)
    assert hills.interpolate(w - 1.0, 0.5 * (s + n)) == pytest.approx(hills.ref_height)
    assert hills.interpolate(0.5 * (w + e), n + 1.0) == pytest.approx(hills.ref_height)
    assert np.isnan(hills.interpolate(np.nan, s))


# ---------------------------------------------------------------- rdr2geo
@pytest.mark.parametrize("secant", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_rdr2geo_points_match_reference_with_dem(side, secant, reference):
    sc = reference.make_scene(side)
    dem = reference.hilly_dem(radar_grid_bbox(sc.grid, sc.orbit, sc.doppler), seed=5)
    t, r = _pixels(sc.grid, 150, seed=4)
    llh, conv = rdr2geo_points(t, r, sc.orbit, sc.grid.wavelength, side, doppler=sc.doppler,
                               dem=dem, epoch=sc.grid.reference_epoch, secant=secant)
    assert conv.all()
    for k in range(len(t)):
        fd = reference.lut_eval(sc.doppler, t[k], r[k])
        ref, ok = reference.rdr2geo(t[k], r[k], fd, sc.orbit, dem, sc.grid.wavelength,
                                    sc.grid.look_side_sign, dem.ref_height)
        assert ok
        np.testing.assert_allclose(llh[k], ref, rtol=1e-9, atol=0)
        assert abs(llh[k, 2] - ref[2]) < 1e-6        # metres


def test_rdr2geo_constant_heights_match_reference(scene, reference):
    t, r = _pixels(scene.grid, 100, seed=6)
    h = np.random.default_rng(7).uniform(-400, 4000, t.size)
    llh, conv = rdr2geo_points(t, r, scene.orbit, scene.grid.wavelength, "right",
                               doppler=scene.doppler, heights=h, threshold=1e-8, maxiter=25,
                               extraiter=15)
    assert conv.all()
    for k in range(t.size):
        fd = reference.lut_eval(scene.doppler, t[k], r[k])
        ref, ok = reference.rdr2geo(t[k], r[k], fd, scene.orbit, constant_dem(h[k]),
                                    scene.grid.wavelength, -1, h[k], extraiter=15)
        np.testing.assert_allclose(llh[k], ref, rtol=1e-9)
    np.testing.assert_allclose(llh[:, 2], h, atol=1e-6)


@pytest.mark.parametrize("secant", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_rdr2geo_grid_layers_match_reference(side, secant, reference):
    sc = reference.make_scene(side, length=12, width=25)
    dem = reference.hilly_dem(radar_grid_bbox(sc.grid, sc.orbit, sc.doppler), seed=8)
    out = rdr2geo_block(sc.grid, sc.orbit, sc.doppler, dem, secant=secant)
    assert out["converged"].all()
    t = sc.grid.sensing_times()
    r = sc.grid.slant_ranges()
    for i in range(0, sc.grid.length, 3):
        for j in range(0, sc.grid.width, 2):
            fd = reference.lut_eval(sc.doppler, t[i], r[j])
            llh, _ = reference.rdr2geo(t[i], r[j], fd, sc.orbit, dem, sc.grid.wavelength,
                                       sc.grid.look_side_sign, dem.ref_height)
            assert out["lon"][i, j] == pytest.approx(math.degrees(llh[0]), rel=1e-9)
            assert out["lat"][i, j] == pytest.approx(math.degrees(llh[1]), rel=1e-9)
            assert out["z"][i, j] == pytest.approx(llh[2], abs=1e-6)
            ang = reference.angles(llh, t[i], sc.orbit, dem, sc.grid.look_side_sign)
            for key, val in ang.items():      # float32 layers
                assert out[key][i, j] == pytest.approx(val, rel=1e-6, abs=1e-5), key


def test_rdr2geo_grid_equals_points(scene, hills):
    """Line-wise driver (first guess from the left neighbours) = point driver."""
    out = rdr2geo_block(scene.grid, scene.orbit, scene.doppler, hills, lines=slice(10, 14))
    tt, rr = np.meshgrid(scene.grid.sensing_time(np.arange(10, 14.0)), scene.grid.slant_ranges(),
                         indexing="ij")
    llh, conv = rdr2geo_points(tt.ravel(), rr.ravel(), scene.orbit, scene.grid.wavelength,
                               "right", doppler=scene.doppler, dem=hills,
                               epoch=scene.grid.reference_epoch)
    np.testing.assert_allclose(out["lon"].ravel(), np.rad2deg(llh[:, 0]), rtol=1e-12)
    np.testing.assert_allclose(out["lat"].ravel(), np.rad2deg(llh[:, 1]), rtol=1e-12)
    np.testing.assert_allclose(out["z"].ravel(), llh[:, 2], atol=1e-6)


# ---------------------------------------------------------------- geo2rdr
@pytest.mark.parametrize("side", ["right", "left"])
def test_geo2rdr_matches_reference(side, reference):
    sc = reference.make_scene(side)
    t, r = _pixels(sc.grid, 200, seed=9)
    h = np.random.default_rng(10).uniform(0, 3000, t.size)
    llh, _ = rdr2geo_points(t, r, sc.orbit, sc.grid.wavelength, side, doppler=sc.doppler,
                            heights=h)
    t0 = np.full(t.size, sc.grid.sensing_mid)
    tt, rr, st = geo2rdr_points(llh, sc.orbit, sc.grid.wavelength, side, doppler=sc.doppler,
                                t0=t0, threshold=1e-10)
    assert (st == 0).all()
    for k in range(0, t.size, 4):
        tr, rref, ok = reference.geo2rdr(llh[k], sc.orbit, sc.doppler, sc.grid.wavelength,
                                         sc.grid.look_side_sign, t0[k], threshold=1e-10)
        assert ok
        assert tt[k] == pytest.approx(tr, rel=1e-12, abs=1e-10)
        assert rr[k] == pytest.approx(rref, rel=1e-12)
    # and the round trip closes
    np.testing.assert_allclose(tt, t, atol=1e-9)
    np.testing.assert_allclose(rr, r, atol=1e-6)


def test_geo2rdr_without_initial_guess_scans_the_orbit(scene):
    t, r = _pixels(scene.grid, 50, seed=11)
    llh, _ = rdr2geo_points(t, r, scene.orbit, scene.grid.wavelength, "right",
                            doppler=scene.doppler, heights=np.zeros(t.size))
    tt, rr, st = geo2rdr_points(llh, scene.orbit, scene.grid.wavelength, "right",
                                doppler=scene.doppler, threshold=1e-10)
    assert (st == 0).all()
    np.testing.assert_allclose(tt, t, atol=1e-9)
    np.testing.assert_allclose(rr, r, atol=1e-6)


def test_threads_give_identical_results(scene, hills):
    a = rdr2geo_block(scene.grid, scene.orbit, scene.doppler, hills, threads=1)
    b = rdr2geo_block(scene.grid, scene.orbit, scene.doppler, hills, threads=2)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_doppler_models_are_accepted(scene):
    from isce.core.lut import LUT2d

    lut = doppler_data(123.0)
    assert not lut.have_data and lut.ref_value == 123.0
    assert doppler_data(None).ref_value == 0.0
    with pytest.raises(ValueError, match="bicubic"):
        doppler_data(LUT2d(scene.doppler.x, scene.doppler.y, scene.doppler.data,
                           method="bicubic"))

    class Model:                      # any object with eval(t, r), e.g. a Poly2d
        def eval(self, t, r):
            return 100.0 + 0.0 * t + 1e-4 * (r - 830_000.0)

    k = doppler_data(Model(), grid=scene.grid)
    vals = _geometry.lut_eval(k, np.full(5, scene.grid.sensing_mid),
                              np.linspace(scene.grid.starting_range, scene.grid.end_range, 5))
    np.testing.assert_allclose(vals, 100.0 + 1e-4 * (np.linspace(
        scene.grid.starting_range, scene.grid.end_range, 5) - 830_000.0), atol=1e-9)
