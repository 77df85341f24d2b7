"""Doppler centroid estimation recovers a simulated squint, and the squinted scene focuses
onto the zero-Doppler grid (the product records the data's Doppler)."""
import numpy as np
import pytest

from focus_helpers import ALOS_CENTRE, SINC_PSLR_DB, alos_scene, measure_targets
from isce.focus.doppler import estimate_doppler, estimate_from
from isce.focus.rangecomp import range_compress
from isce.focus.rda import focus_azimuth

LAT, LON = ALOS_CENTRE
SQUINT = 300.0                                   # Hz
TARGETS = [(LAT, LON, 0.0), (LAT, LON + 0.003, 0.0)]


@pytest.fixture(scope="module")
def squinted():
    raw, orbit, radar = alos_scene(TARGETS, pulses=8192, margin_samples=150, squint_hz=SQUINT)
    raw.doppler = None                           # the metadata do not know it
    return raw, orbit, radar, range_compress(raw)


def test_estimate_recovers_the_squint(squinted):
    raw, orbit, radar, rc = squinted
    est = estimate_from(rc, azimuth_blocks=1, degree=0)
    t = raw.sensing_start + 0.5 * raw.length / raw.prf
    got = float(est.lut.eval(t, raw.starting_range + 500 * raw.range_pixel_spacing))
    assert abs(got - SQUINT) < 3.0, got              # reached: ~0.1 Hz
    # from the raw echoes (no range compression) too
    est_raw = estimate_from(raw, azimuth_blocks=1, degree=0)
    assert abs(float(est_raw.coefficients[0, -1]) - SQUINT) < 3.0


def test_ambiguity_resolution():
    prf = 1000.0
    n = np.arange(4096)[:, None]
    rng = np.random.default_rng(3)
    x = np.exp(2j * np.pi * 1230.0 * n / prf) * (1 + 0.1 * rng.standard_normal((4096, 64)))
    est = estimate_doppler(x, prf=prf, sensing_start=0.0, starting_range=8e5, range_spacing=5.0,
                           degree=0)
    assert abs(est.coefficients[0, -1] - 230.0) < 1
    est = estimate_doppler(x, prf=prf, sensing_start=0.0, starting_range=8e5, range_spacing=5.0,
                           degree=0, predicted=1100.0)
    assert abs(est.coefficients[0, -1] - 1230.0) < 1
    # a range slope is fitted with degree 1 (distributed scene: every block sees it)
    j = np.arange(64)[None, :]
    y = np.exp(2j * np.pi * (100.0 + 2.0 * j) * n / prf)
    est = estimate_doppler(y, prf=prf, sensing_start=0.0, starting_range=8e5, range_spacing=5.0,
                           range_blocks=8, degree=1)
    r = 8e5 + 5.0 * np.array([3.5, 60.5])
    assert np.allclose(est.lut.eval(1.0, r), 100.0 + 2.0 * np.array([3.5, 60.5]), atol=1.0)


def test_squinted_scene_focuses_on_zero_doppler(squinted):
    raw, orbit, radar, rc = squinted
    est = estimate_from(rc, azimuth_blocks=1, degree=0)
    res = focus_azimuth(rc, doppler=est.lut)
    assert abs(res.info["doppler_centroid_mid"] - SQUINT) < 3
    for m in measure_targets(res.data, res.product.radar_grid, TARGETS, orbit, radar):
        assert abs(m["dline"]) < 1 / 32 and abs(m["dpixel"]) < 1 / 32
        assert abs(m["dline"]) < 1 / 128 and abs(m["dpixel"]) < 1 / 128
        assert abs(m["azimuth"]["pslr"] - SINC_PSLR_DB) < 0.3
        assert abs(m["dphase"]) < 0.05
    # the product carries the data's Doppler centroid for later carrier handling
    g = res.product.radar_grid
    assert abs(float(res.product.doppler.eval(g.sensing_mid, g.mid_range)) - SQUINT) < 3
