"""Simulated ALOS PALSAR FBS point targets focused with rectangular windows meet the theory:
PSLR -13.26 +- 0.3 dB, ISLR -10.1 +- 0.5 dB, -3 dB widths within 5 %, peaks within 1/32
pixel of geo2rdr (it reaches ~1/400), phase -4 pi R / lambda; patch processing gives the
same image as one patch; weighting lowers the sidelobes."""
import numpy as np
import pytest

from focus_helpers import ALOS_CENTRE, SINC_ISLR_DB, SINC_PSLR_DB, alos_scene, measure_targets
from isce.focus.rangecomp import range_compress
from isce.focus.rda import focus_azimuth

LAT, LON = ALOS_CENTRE
TARGETS = [(LAT, LON, 0.0), (LAT + 0.01, LON - 0.005, 0.0), (LAT - 0.005, LON + 0.004, 100.0)]


@pytest.fixture(scope="module")
def scene():
    raw, orbit, radar = alos_scene(TARGETS, pulses=8192)
    rc = range_compress(raw)
    res = focus_azimuth(rc)
    return raw, orbit, radar, rc, res


@pytest.fixture(scope="module")
def metrics(scene):
    raw, orbit, radar, rc, res = scene
    return measure_targets(res.data, res.product.radar_grid, TARGETS, orbit, radar)


def test_output_grid_is_zero_doppler_raw_grid(scene):
    raw, orbit, radar, rc, res = scene
    g = res.product.radar_grid
    assert g.prf == raw.prf
    assert g.range_pixel_spacing == pytest.approx(raw.range_pixel_spacing)
    assert g.reference_epoch.isoformat().startswith(str(orbit.reference_epoch)[:19])
    assert res.product.is_zero_doppler
    assert res.info["fully_focused_lines"] == [0, g.length - 1]
    assert res.info["src"] is True                     # L-band, 28 MHz: SRC matters here


@pytest.mark.parametrize("k", range(len(TARGETS)))
def test_point_target_quality(scene, metrics, k):
    raw, orbit, radar, rc, res = scene
    m = metrics[k]
    theory_rg = 0.886 * raw.range_sampling_rate / raw.chirp_bandwidth          # samples
    theory_az = 0.886 * res.product.prf / res.info["azimuth_bandwidth"]        # lines
    for name, theory in (("range", theory_rg), ("azimuth", theory_az)):
        c = m[name]
        assert abs(c["pslr"] - SINC_PSLR_DB) < 0.3, (name, c)
        assert abs(c["islr"] - SINC_ISLR_DB) < 0.5, (name, c)
        assert abs(c["irw"] / theory - 1) < 0.05, (name, c["irw"], theory)
    assert abs(m["dline"]) < 1 / 32 and abs(m["dpixel"]) < 1 / 32
    assert abs(m["dline"]) < 1 / 128 and abs(m["dpixel"]) < 1 / 128     # reached: ~1/400
    assert abs(m["dphase"]) < 0.05
    assert abs(m["amplitude"] - 1) < 0.05          # echo amplitude 1 at the beam centre


def test_patches_give_the_same_image(scene):
    raw, orbit, radar, rc, res = scene
    small = focus_azimuth(rc, patch_lines=6000)
    assert small.info["patches"] >= 3 and res.info["patches"] == 1
    a, b = res.data, small.data
    assert a.shape == b.shape
    peak = np.abs(a).max()
    assert np.abs(a - b).max() < 3e-3 * peak
    m2 = measure_targets(b, small.product.radar_grid, TARGETS, orbit, radar)
    m1 = measure_targets(a, res.product.radar_grid, TARGETS, orbit, radar)
    for p, q in zip(m1, m2):
        assert abs(p["dline"] - q["dline"]) < 1e-3 and abs(p["dpixel"] - q["dpixel"]) < 1e-3
        assert abs(p["amplitude"] / q["amplitude"] - 1) < 1e-3


def test_weighting_lowers_sidelobes(scene):
    raw, orbit, radar, rc, res = scene
    rc_k = range_compress(raw, window_kind="hamming")
    out = focus_azimuth(rc_k, window_kind="kaiser", beta=2.5)
    m = measure_targets(out.data, out.product.radar_grid, TARGETS[:1], orbit, radar)[0]
    assert m["range"]["pslr"] < -30 and m["azimuth"]["pslr"] < -18
    assert abs(m["dline"]) < 1 / 32 and abs(m["dpixel"]) < 1 / 32


def test_written_product(scene, tmp_path):
    from isce.sensors.product import SlcProduct

    raw, orbit, radar, rc, res = scene
    out = focus_azimuth(rc, output=tmp_path / "slc" / "x.slc", grid={"length": 500})
    prod = SlcProduct.load(tmp_path / "slc" / "x.slc.json")
    assert prod.shape == (500, res.product.width)
    # same lines as the full run (its patch plan differs: equal to float precision)
    assert np.allclose(prod.read(), res.data[:500], atol=1e-3 * np.abs(res.data).max())
    assert prod.attributes["processor"] == "isce.focus.rda"
    assert out.product.azimuth_bandwidth == pytest.approx(res.info["azimuth_bandwidth"])


def test_small_rcmc_sub_blocks(scene):
    """Many RCMC sub-blocks (their tables chained by a constant factor) give the same image."""
    raw, orbit, radar, rc, res = scene
    fine = focus_azimuth(rc, rcmc_block=100)
    assert fine.info["rcmc_block"] <= 100
    assert np.abs(fine.data - res.data).max() < 5e-3 * np.abs(res.data).max()
    for m in measure_targets(fine.data, fine.product.radar_grid, TARGETS, orbit, radar):
        assert abs(m["dline"]) < 1 / 128 and abs(m["dpixel"]) < 1 / 128
        assert abs(m["range"]["pslr"] - SINC_PSLR_DB) < 0.3
        assert abs(m["dphase"]) < 0.05
