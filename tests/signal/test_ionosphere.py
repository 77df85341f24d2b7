"""Dispersive / non-dispersive separation and its filter (isce.signal.ionosphere, ISCE2
runDispersive), and the simulator's TEC screen (isce.simulate.ionosphere).

* the separation is exact for phases a f + b / f (ALOS sub-bands);
* integer cycle errors of either sub-band are found against the filtered parts and removed;
* the weighted Gaussian is the normalised convolution, checked against a direct sum;
* the iterative filter ignores masked pixels (NaN or garbage) and recovers a smooth field
  from noise; the fillings and sigma propagation behave as ISCE2's;
* the simulator's screen: its phase at the carrier, 1 TECU = 13.3 rad at L-band.
"""
import math

import numpy as np
import pytest
from scipy import ndimage

from isce.signal import ionosphere as iono
from isce.simulate.ionosphere import dispersive_phase, path_delay, tec_screen

F0, B = 1270e6, 28e6
FL, FH = F0 - B / 3, F0 + B / 3


def sub_band_phases(nondispersive, dispersive):
    """phi(f) = a f + b / f with a f0 = nondispersive, b / f0 = dispersive (rad at f0)."""
    a, b = np.asarray(nondispersive) / F0, np.asarray(dispersive) * F0
    return a * FL + b / FL, a * FH + b / FH


def smooth_field(shape, std, seed, scale=0.3):
    rng = np.random.default_rng(seed)
    f = ndimage.gaussian_filter(rng.standard_normal(shape), scale * min(shape), mode="wrap")
    return (f - f.mean()) * std / f.std()


def test_separation_is_exact():
    rng = np.random.default_rng(0)
    n, d = rng.uniform(-50, 50, (20, 30)), rng.uniform(-30, 30, (20, 30))
    lo, hi = sub_band_phases(n, d)
    disp, nondisp = iono.separate(lo, hi, F0, FL, FH)
    np.testing.assert_allclose(disp, d, atol=1e-9)
    np.testing.assert_allclose(nondisp, n, atol=1e-9)
    # a non-dispersive phase alone scales with frequency; a dispersive one with 1 / f
    assert lo[0, 0] - hi[0, 0] != 0
    with pytest.raises(ValueError, match="0 < fL < fH"):
        iono.separate(lo, hi, F0, FH, FL)


def test_the_dispersive_phase_amplifies_sub_band_errors_34_times():
    """ALOS: a phase error in the high band moves the dispersive phase fL^2 fH / (f0 (fH^2 -
    fL^2)) ~ 34 times as much (a whole cycle: ~212 rad): hence the filter and the tied cycles."""
    disp, _ = iono.separate(np.zeros(1), np.full(1, 0.01), F0, FL, FH)
    gain = abs(disp[0]) / 0.01
    assert gain == pytest.approx(FL * FH * FL / (F0 * (FH * FH - FL * FL)), rel=1e-9)
    assert 30 < gain < 40
    cycle, _ = iono.separate(np.zeros(1), np.full(1, 2 * math.pi), F0, FL, FH)
    assert 200 < abs(cycle[0]) < 220


def test_integer_jumps_are_found_and_removed():
    shape = (60, 80)
    n, d = smooth_field(shape, 8, 1), smooth_field(shape, 15, 2)
    lo, hi = sub_band_phases(n, d)
    m_true = np.zeros(shape)
    d_true = np.zeros(shape)
    m_true[10:20, 10:30] = 1
    d_true[30:45, 40:70] = -1
    m_true[50:55, 5:15], d_true[50:55, 5:15] = -2, 1
    bad_lo = lo + 2 * math.pi * m_true
    bad_hi = hi + 2 * math.pi * (m_true + d_true)
    common, diff = iono.integer_jumps(bad_lo, bad_hi, n, d, F0, B)
    np.testing.assert_array_equal(common, m_true)
    np.testing.assert_array_equal(diff, d_true)
    disp, nondisp = iono.separate(bad_lo, bad_hi, F0, FL, FH, common, diff)
    np.testing.assert_allclose(disp, d, atol=1e-9)
    np.testing.assert_allclose(nondisp, n, atol=1e-9)
    # without the correction the dispersive phase is off by tens of radians there
    wrong, _ = iono.separate(bad_lo, bad_hi, F0, FL, FH)
    assert np.abs(wrong - d)[30:45, 40:70].min() > 20


def test_gaussian_kernel_is_isce2s():
    k = iono.gaussian_kernel(8, 5, 2.0, 1.0)
    assert k.shape == (5, 9) and k.sum() == pytest.approx(1.0)
    assert np.unravel_index(np.argmax(k), k.shape) == (2, 4)
    assert k[2, 4 + 2] / k[2, 4] == pytest.approx(math.exp(-4 / 8))
    assert k[2 + 1, 4] / k[2, 4] == pytest.approx(math.exp(-1 / 2))
    with pytest.raises(ValueError):
        iono.gaussian_kernel(0, 5, 1.0, 1.0)


def test_weighted_gaussian_is_the_normalised_convolution():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((40, 50))
    s = rng.uniform(0.5, 3.0, x.shape)
    s[5:9, 7:12] = np.inf                        # no weight
    x[20, 20] = np.nan                           # no weight either
    k = iono.gaussian_kernel(7, 9, 2.0, 3.0)
    out, sig = iono.weighted_gaussian(x, s, k)
    w = np.where(np.isfinite(s) & np.isfinite(x), 1 / s ** 2, 0.0)
    xv = np.where(w > 0, x, 0.0)
    num = ndimage.convolve(xv * w, k, mode="constant")
    w1 = ndimage.convolve(w, k, mode="constant")
    w2 = ndimage.convolve(w, k * k, mode="constant")
    np.testing.assert_allclose(out, num / w1, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sig, np.sqrt(w2) / w1, rtol=1e-9)
    # a constant field stays constant, whatever the weights
    flat, _ = iono.weighted_gaussian(np.full(x.shape, 3.5), s, k)
    np.testing.assert_allclose(flat, 3.5, atol=1e-9)
    # uniform sigma: the output sigma is that of the kernel's weighted mean
    _, sig1 = iono.weighted_gaussian(x, np.ones(x.shape), k)
    assert sig1[20, 25] == pytest.approx(math.sqrt((k * k).sum()), rel=1e-9)


def test_phase_sigma_and_its_propagation():
    s = iono.phase_sigma(np.array([0.0, 0.5, 0.9, 1.0, np.nan]), 16)
    assert np.isinf(s[0]) and np.isinf(s[4]) and s[3] == 0
    assert s[1] == pytest.approx(math.sqrt(0.75) / 0.5 / math.sqrt(32))
    sd, sn = iono.separation_sigma(0.1, 0.1, F0, FL, FH)
    cd = FL * FH / (F0 * (FH ** 2 - FL ** 2))
    assert sd == pytest.approx(cd * 0.1 * math.hypot(FL, FH))
    assert 40 < sd / 0.1 < 55                      # ~48x the sub-band noise (ALOS)
    assert iono.dispersive_sigma_at(0.5, 12, F0, FL, FH) > 0


@pytest.mark.parametrize("filling", iono.FILLING)
def test_iterative_filter_recovers_a_smooth_field_and_ignores_masked_pixels(filling):
    shape = (120, 150)
    truth = smooth_field(shape, 10.0, 3, scale=0.4)
    rng = np.random.default_rng(4)
    noisy = truth + rng.normal(0, 3.0, shape)
    mask = np.ones(shape, bool)
    mask[40:70, 60:100] = False
    noisy[~mask] = rng.uniform(-500, 500, (~mask).sum())      # garbage where masked
    noisy[45, 70] = np.nan
    sigma = np.full(shape, 3.0)
    k = iono.gaussian_kernel(41, 41, 7.0, 7.0)
    out, sig = iono.iterative_filter(noisy, sigma, mask, k, iterations=5, filling=filling)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(sig))
    err = out - truth
    assert np.sqrt(np.mean(err[mask] ** 2)) < 0.1 * truth.std()
    assert np.abs(err[~mask]).max() < 0.3 * truth.std()      # the hole is bridged, not garbage
    # changing what is masked changes nothing
    other = noisy.copy()
    other[~mask] = 1e6
    again, _ = iono.iterative_filter(other, sigma, mask, k, iterations=5, filling=filling)
    np.testing.assert_allclose(again, out, atol=1e-6)


def test_fillings():
    x = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [7.0, np.nan, 9.0]])
    near = iono.fill_nearest(x)
    assert not np.isnan(near).any() and near[0, 0] == 1 and near[2, 2] == 9
    smooth = iono.fill_smoothed(x)
    assert not np.isnan(smooth).any() and smooth[1, 1] == pytest.approx(5.0)
    with pytest.raises(ValueError, match="filling method"):
        iono.iterative_filter(x, np.ones(x.shape), np.isfinite(x), np.ones((1, 1)), 1, "cubic")


def test_median_mask_and_cycle_alignment():
    d = smooth_field((50, 50), 5.0, 6)
    d[10, 10] += 40
    m = iono.median_mask(d, 1.0)
    assert not m[10, 10] and m.mean() > 0.99
    ref = smooth_field((30, 40), 3.0, 7)
    mask = np.ones(ref.shape, bool)
    assert iono.align_cycles(ref - 6 * math.pi + 0.2, ref, mask) == pytest.approx(6 * math.pi)
    assert iono.align_cycles(ref, ref, np.zeros(ref.shape, bool)) == 0.0


def test_simulated_screen_phase_at_l_band():
    assert path_delay(1.0, F0) == pytest.approx(40.31e16 / F0 ** 2)
    assert abs(dispersive_phase(1.0, F0)) == pytest.approx(13.3, abs=0.05)
    assert dispersive_phase(1.0, F0) < 0          # more electrons on the secondary: advance
    # first order: the sub-band phases scale as 1 / f
    assert dispersive_phase(1.0, FL) / dispersive_phase(1.0, FH) == pytest.approx(FH / FL)
    s = tec_screen((64, 96), 1.5, np.random.default_rng(0))
    assert s.std() == pytest.approx(1.5) and abs(s.mean()) < 1e-9
    # smooth: neighbouring nodes differ by a small part of the spread
    assert np.abs(np.diff(s, axis=1)).max() < 0.2 * s.std()


def test_iterative_filter_follows_isce2s_loop():
    """ISCE2's iterativeFilter written out plainly (nearest filling, direct convolutions; the
    borders as a normalised convolution, where ISCE2's OpenCV reflects the image)."""
    rng = np.random.default_rng(9)
    shape = (30, 40)
    data = smooth_field(shape, 5.0, 10) + rng.normal(0, 1.0, shape)
    sigma = rng.uniform(0.5, 2.0, shape)
    mask = np.ones(shape, bool)
    mask[8:20, 10:22] = False
    mask[0:3, 30:40] = False
    k = iono.gaussian_kernel(9, 7, 2.0, 1.5)

    def fill(x):
        idx = ndimage.distance_transform_edt(np.isnan(x), return_distances=False,
                                             return_indices=True)
        return x[tuple(idx)]

    def gauss(x, s):
        w = 1 / s ** 2
        return (ndimage.convolve(x * w, k, mode="constant")
                / ndimage.convolve(w, k, mode="constant"))

    raw = np.where(mask, data, np.nan)
    sig = fill(np.where(mask, sigma, np.nan))
    want = gauss(fill(raw), sig)
    for _ in range(3):
        field = fill(np.where(mask, want, np.nan))
        field[mask] = raw[mask]
        want = gauss(field, sig)
    got, _ = iono.iterative_filter(data, sigma, mask, k, iterations=3)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
