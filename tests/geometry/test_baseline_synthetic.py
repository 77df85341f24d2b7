"""Baselines with known answers.

Synthetic: the secondary orbit is the reference orbit displaced by a constant
vector D = a l + b p, with l the unit look vector of a chosen reference pixel
and p = unit(v x l) (v the reference velocity): both are perpendicular to v,
so the secondary sees the target at the same time and the baseline is D
exactly, split into B_par = a and B_perp = b (ISCE2's sign convention makes
the p direction positive). An extra along-track component is removed as ISCE2
does. Real data: a product against itself has zero baseline.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.ext import load

load("_geometry")
from isce.geometry.baseline import baseline_summary, baselines, product_baselines  # noqa: E402

GM = 3.986004418e14
EPOCH = "2021-03-04T00:00:00"


def circular_orbit(a=7.071e6, inc_deg=97.5, u0_deg=20.0, raan_deg=-100.0, t1=400.0, step=10.0):
    t = np.arange(0.0, t1 + step / 2, step)
    n = math.sqrt(GM / a ** 3)
    u = math.radians(u0_deg) + n * t
    r = a * np.stack([np.cos(u), np.sin(u), 0 * u], 1)
    v = a * n * np.stack([-np.sin(u), np.cos(u), 0 * u], 1)
    i, w = math.radians(inc_deg), math.radians(raan_deg)
    rx = np.array([[1, 0, 0], [0, math.cos(i), -math.sin(i)], [0, math.sin(i), math.cos(i)]])
    rz = np.array([[math.cos(w), -math.sin(w), 0], [math.sin(w), math.cos(w), 0], [0, 0, 1]])
    m = rz @ rx
    return Orbit(t, r @ m.T, v @ m.T, EPOCH)


def shifted(orbit, d):
    return Orbit(orbit.time, orbit.position + np.asarray(d)[None, :], orbit.velocity, EPOCH)


def grid(side="right"):
    return RadarGrid(200.0, EPOCH, prf=400.0, starting_range=845_000.0,
                     range_pixel_spacing=25.0, length=48, width=64, wavelength=0.0555,
                     look_side=side)


def look_and_velocity(g, orbit, line, pixel, h=0.0):
    from isce.core.ellipsoid import WGS84
    from isce.geometry.rdr2geo import rdr2geo_points

    t = g.sensing_time(line)
    llh, conv = rdr2geo_points([t], [g.slant_range(pixel)], orbit, g.wavelength, g.look_side,
                               heights=[h], epoch=g.reference_epoch)
    assert conv.all()
    pos, vel = orbit.interpolate(t)
    look = WGS84.lon_lat_to_xyz(llh[0]) - pos
    return look / np.linalg.norm(look), vel


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("a, b", [(37.5, 123.4), (-80.0, 210.0), (15.0, -95.0)])
def test_known_parallel_perpendicular_split(side, a, b):
    g = grid(side)
    ref = circular_orbit()
    line, pixel = 20.0, 31.0
    lhat, vel = look_and_velocity(g, ref, line, pixel, h=250.0)
    p = np.cross(vel, lhat)
    p /= np.linalg.norm(p)
    sec = shifted(ref, a * lhat + b * p)
    res = baselines(g, ref, sec, line, pixel, heights=250.0)
    assert float(res.parallel) == pytest.approx(a, abs=1e-3)
    assert float(res.perpendicular) == pytest.approx(b, abs=1e-3)
    assert float(res.total) == pytest.approx(math.hypot(a, b), abs=1e-3)
    assert abs(float(res.along_track)) < 1e-3
    # the secondary sees the target when the reference does
    assert float(res.secondary_time) == pytest.approx(g.sensing_time(line), abs=1e-8)


def test_along_track_component_is_removed():
    g = grid()
    ref = circular_orbit()
    lhat, vel = look_and_velocity(g, ref, 10.0, 5.0)
    vhat = vel / np.linalg.norm(vel)
    p = np.cross(vel, lhat)
    p /= np.linalg.norm(p)
    sec = shifted(ref, 40.0 * lhat + 150.0 * p + 20.0 * vhat)
    res = baselines(g, ref, sec, 10.0, 5.0)
    assert float(res.parallel) == pytest.approx(40.0, abs=1e-3)
    assert float(res.perpendicular) == pytest.approx(150.0, abs=1e-3)
    # the secondary sees the target ~20 m / |v| earlier, so most of the shift is
    # a time difference; what is left along the track is reported, not kept
    assert 0.5 < abs(float(res.along_track)) < 5.0
    assert abs(float(np.dot(res.vector, vhat))) < 1e-6
    full = baselines(g, ref, sec, 10.0, 5.0, remove_along_track=False)
    assert float(full.total) ** 2 == pytest.approx(float(res.total) ** 2
                                                   + float(res.along_track) ** 2, rel=1e-9)


def test_vectorised_and_consistent_with_vectors():
    g = grid()
    ref = circular_orbit()
    lhat, vel = look_and_velocity(g, ref, 24.0, 32.0)
    p = np.cross(vel, lhat)
    d = 30.0 * lhat + 100.0 * p / np.linalg.norm(p)
    res = baselines(g, ref, shifted(ref, d), np.arange(0, 48, 6)[:, None],
                    np.arange(0, 64, 8)[None, :])
    assert res.parallel.shape == (8, 8) and res.vector.shape == (8, 8, 3)
    assert np.isfinite(res.parallel).all()
    # B_par^2 + B_perp^2 = |B|^2 and B_par = B . l everywhere
    np.testing.assert_allclose(res.parallel ** 2 + res.perpendicular ** 2, res.total ** 2,
                               rtol=1e-9)
    np.testing.assert_allclose(np.einsum("...k,...k", res.vector, res.look), res.parallel,
                               atol=1e-9)
    # the split changes with the look angle away from the chosen pixel
    assert np.ptp(res.parallel) > 0.1
    assert float(res.parallel[4, 4]) == pytest.approx(30.0, abs=1e-3)       # line 24, pixel 32
    assert float(res.perpendicular[4, 4]) == pytest.approx(100.0, abs=1e-3)


def test_offsets_with_a_secondary_grid():
    g = grid()
    ref = circular_orbit()
    lhat, vel = look_and_velocity(g, ref, 10.0, 20.0)
    sec = shifted(ref, 50.0 * lhat)          # 50 m closer along the look: -2 range pixels
    res = baselines(g, ref, sec, 10.0, 20.0, secondary_grid=g)
    assert float(res.range_offset) == pytest.approx(-50.0 / g.range_pixel_spacing, abs=1e-5)
    assert float(res.azimuth_offset) == pytest.approx(0.0, abs=1e-5)
    assert float(res.parallel) == pytest.approx(50.0, abs=1e-3)


@pytest.mark.parametrize("name", ["envisat", "winnipeg"])
def test_product_against_itself_is_zero(name, shared_data):
    path = shared_data(name, f"{name}.h5")
    from isce.sensors import read_nisar_slc

    prod = read_nisar_slc(path)
    res = product_baselines(prod, prod)
    assert res.parallel.shape == (3, 3)
    assert np.abs(res.parallel).max() < 1e-6
    assert np.abs(res.perpendicular).max() < 1e-6
    np.testing.assert_allclose(res.azimuth_offset, 0.0, atol=1e-5)
    np.testing.assert_allclose(res.range_offset, 0.0, atol=1e-5)
    summary = baseline_summary(prod, prod)
    for key in ("perpendicular_top", "perpendicular_middle", "perpendicular_bottom",
                "parallel_near", "parallel_far", "total_middle"):
        assert abs(summary[key]) < 1e-6, key
