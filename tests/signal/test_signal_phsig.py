"""Phase-sigma coherence (ICU ph_slope + ph_sigma): reference loops, agreement with the
true coherence, NaN/zero safety, blocks, rasters."""
import numpy as np
import pytest

import isce.io
from isce.signal.phsig import NLOOKS, phase_sigma, phase_slope, phsig_raster, sigma_to_coherence


def reference_phsig(z, win=5, swin=5, nlooks=NLOOKS, min_samples=3):
    """Pixel loops after ICU's ph_slope.F and ph_sigma.F (weights renormalised over the
    samples present, windows truncated at the edges)."""
    z = np.asarray(z, complex)
    L, W = z.shape
    good = np.isfinite(z) & (z != 0)
    z = np.where(good, z, 0)

    def weights(n):
        k = np.arange(n) - n // 2
        w = np.exp(-(k[:, None] ** 2 + k[None, :] ** 2) / (n / 2.0))
        return w / w.sum()

    ws, w, hs, h = weights(swin), weights(win), swin // 2, win // 2

    def get(i, j):
        return z[i, j] if 0 <= i < L and 0 <= j < W else 0

    out = np.zeros((L, W))
    for i in range(L):
        for j in range(W):
            sr = sa = 0
            for k in range(swin):
                for n in range(swin):
                    a, b = i + k - hs, j + n - hs
                    sr += ws[k, n] * get(a, b) * np.conj(get(a, b - 1))
                    sa += ws[k, n] * get(a, b) * np.conj(get(a - 1, b))
            r, s = np.angle(sr), np.angle(sa)
            samples, xp = [], 0
            for k in range(-h, h + 1):
                for n in range(-h, h + 1):
                    d = get(i + k, j + n) * np.exp(-1j * (n * r + k * s))
                    xp += d
                    samples.append((w[k + h, n + h], d))
            if abs(xp) == 0 or not good[i, j]:
                continue
            ref = np.conj(xp) / abs(xp)
            s1 = s2 = sw = count = 0
            for wt, d in samples:
                if d != 0:
                    p = np.angle(d * ref)
                    s1, s2, sw, count = s1 + wt * p, s2 + wt * p * p, sw + wt, count + 1
            if count >= min_samples:
                var = max(s2 / sw - (s1 / sw) ** 2, 0.0)
                out[i, j] = 1 / np.sqrt(2 * nlooks * var + 1)
    return out


def multilook_ifg(shape, looks, gamma, seed, phase=None):
    rng = np.random.default_rng(seed)
    s = (looks,) + tuple(shape)
    s1 = (rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2)
    n = (rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2)
    s2 = gamma * s1 + np.sqrt(1 - gamma ** 2) * n
    ifg = (s1 * np.conj(s2)).mean(0)
    if phase is not None:
        ifg = ifg * np.exp(1j * phase)
    return ifg.astype(np.complex64)


def fringes(shape):
    y, x = np.mgrid[0:shape[0], 0:shape[1]].astype(float)
    bowl = 4 * np.exp(-((x - shape[1] / 2) ** 2 + (y - shape[0] / 2) ** 2) / 800)
    return 2 * np.pi * (0.05 * x + 0.02 * y) + bowl


def test_sigma_to_coherence_formula():
    assert sigma_to_coherence(0.0) == 1.0
    g = 0.6
    sigma = np.sqrt((1 - g * g) / (2 * NLOOKS * g * g))        # Cramér–Rao phase std of 3 looks
    assert sigma_to_coherence(sigma) == pytest.approx(g)


def test_matches_reference_loops():
    rng = np.random.default_rng(0)
    shape = (23, 31)
    z = np.exp(1j * (fringes(shape) + 0.3 * rng.standard_normal(shape))) * (1 + rng.random(shape))
    z[5, 7] = 0
    z[10:12, 3:6] = np.nan
    got = phase_sigma(z)
    ref = reference_phsig(z)
    assert got.dtype == np.float32
    assert np.isnan(got[10:12, 3:6]).all() and got[5, 7] == 0
    ok = ~np.isnan(got)
    np.testing.assert_allclose(got[ok], ref[ok], atol=1e-6)


@pytest.mark.parametrize("win,swin,min_samples", [(3, 7, 3), (7, 3, 5)])
def test_other_windows_match_reference_loops(win, swin, min_samples):
    rng = np.random.default_rng(1)
    shape = (19, 26)
    z = np.exp(1j * (fringes(shape) + 0.5 * rng.standard_normal(shape))).astype(np.complex64)
    z[3:5, 10] = 0
    got = phase_sigma(z, win, swin, min_samples=min_samples)
    ref = reference_phsig(z, win, swin, min_samples=min_samples)
    np.testing.assert_allclose(got, ref, atol=1e-6)


def test_smooth_or_linear_phase_has_coherence_one():
    z = np.exp(1j * fringes((60, 70)))
    c = phase_sigma(z)
    assert np.abs(c - 1).max() < 2e-3
    plane = 0.3 * np.arange(40)[None, :] + 0.1 * np.arange(30)[:, None]
    slope_r, slope_a = phase_slope(np.exp(1j * plane))
    np.testing.assert_allclose(slope_r[3:-3, 3:-3], 0.3, atol=1e-9)
    np.testing.assert_allclose(slope_a[3:-3, 3:-3], 0.1, atol=1e-9)


@pytest.mark.parametrize("looks", [9, 16])
def test_follows_the_true_coherence(looks):
    # uniform-coherence patches with fringes; nlooks matched to the data
    gammas = [0.3, 0.5, 0.7, 0.8, 0.9, 0.95]
    medians = []
    for k, g in enumerate(gammas):
        z = multilook_ifg((80, 80), looks, g, seed=10 + k, phase=fringes((80, 80)))
        medians.append(float(np.median(phase_sigma(z, nlooks=looks)[5:-5, 5:-5])))
    assert all(a < b for a, b in zip(medians, medians[1:])), medians         # monotone
    for g, m in zip(gammas, medians):
        if g >= 0.5:
            assert abs(m - g) < 0.06, (g, m)


def test_default_icu_looks_is_monotone_too():
    medians = [float(np.median(phase_sigma(multilook_ifg((60, 60), 4, g, seed=3))))
               for g in (0.2, 0.4, 0.6, 0.8, 0.95)]
    assert all(a < b for a, b in zip(medians, medians[1:])), medians


def test_nan_and_zero_inputs():
    assert np.isnan(phase_sigma(np.full((10, 12), np.nan, np.complex64))).all()
    assert (phase_sigma(np.zeros((10, 12), np.complex64)) == 0).all()
    z = np.exp(1j * fringes((40, 40))).astype(np.complex64)
    z[::2, ::2] = 0                                      # sparse data still works
    c = phase_sigma(z)
    assert (c[::2, ::2] == 0).all() and (c[1::2, 1::2] > 0.99).all()


def test_raster_blocks_equal_whole_image(tmp_path):
    z = multilook_ifg((97, 64), 4, 0.7, seed=5, phase=fringes((97, 64)))
    z[40:44, 10:20] = np.nan
    isce.io.write(tmp_path / "filt_topophase.flat", z, image_type="cpx")
    out = phsig_raster(tmp_path / "filt_topophase.flat", tmp_path / "phsig.cor", block_lines=16)
    r = isce.io.open(out)
    assert (r.data_type, r.image_type, r.bands) == ("FLOAT", "cor", 1)
    whole = phase_sigma(z, block_lines=1000, workers=1)
    np.testing.assert_array_equal(np.array(r.data), whole)
    for lines, workers in ((7, 2), (30, 1), (30, 3)):
        np.testing.assert_array_equal(phase_sigma(z, block_lines=lines, workers=workers), whole)


def test_bad_windows():
    with pytest.raises(ValueError):
        phase_sigma(np.ones((5, 5), np.complex64), window=0)
    with pytest.raises(ValueError):
        phase_sigma(np.ones(5, np.complex64))
