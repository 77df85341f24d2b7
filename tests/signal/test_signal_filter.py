"""Goldstein–Werner filter (ISCE psfilt + rescale_magnitude): reference loops, noise
reduction, fringe preservation, NaN/zero safety, block independence, rasters."""
import numpy as np
import pytest

from scipy.ndimage import uniform_filter

import isce.io
from isce.signal.filter import filter_raster, goldstein, taper


def reference_goldstein(z, alpha, window=32, step=16, psd_smooth=1):
    """Window-by-window loops: windows start at k * step - (window - step) (zero outside
    the image), spectrum times (|Z| / max |Z|)^alpha, triangular taper, overlap-add,
    divided by the summed tapers, input magnitude restored."""
    z = np.asarray(z, complex)
    L, W = z.shape
    good = np.isfinite(z) & (z != 0)
    zc = np.where(good, z, 0)
    pad = window - step
    acc = np.zeros((L, W), complex)
    wsum = np.zeros((L, W))
    t = taper(window)
    tw = np.outer(t, t)
    for r0 in range(-pad, L, step):
        for c0 in range(-pad, W, step):
            patch = np.zeros((window, window), complex)
            rs, cs = slice(max(r0, 0), min(r0 + window, L)), slice(max(c0, 0), min(c0 + window, W))
            patch[rs.start - r0:rs.stop - r0, cs.start - c0:cs.stop - c0] = zc[rs, cs]
            spec = np.fft.fft2(patch)
            mag = np.abs(spec)
            if psd_smooth > 1:
                mag = uniform_filter(mag, size=psd_smooth, mode="wrap")
            if alpha > 0 and mag.max() > 0:
                spec = spec * (mag / mag.max()) ** alpha
            out = np.fft.ifft2(spec) * tw
            acc[rs, cs] += out[rs.start - r0:rs.stop - r0, cs.start - c0:cs.stop - c0]
            wsum[rs, cs] += tw[rs.start - r0:rs.stop - r0, cs.start - c0:cs.stop - c0]
    filt = acc / wsum
    res = np.where(np.abs(filt) > 0, filt / np.where(np.abs(filt) > 0, np.abs(filt), 1) * np.abs(zc), 0)
    res = np.where(good, res, 0)
    return np.where(np.isnan(z), np.nan + 0j, res)


def noisy_fringes(shape=(192, 224), looks=4, gamma=0.7, seed=0):
    rng = np.random.default_rng(seed)
    L, W = shape
    y, x = np.mgrid[0:L, 0:W].astype(float)
    bowl = 6 * np.exp(-((x - W / 2) ** 2 + (y - L / 2) ** 2) / (2 * 50.0 ** 2))
    truth = 2 * np.pi * (0.03 * x + 0.012 * y) + bowl
    s = (looks, L, W)
    s1 = (rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2)
    n = (rng.standard_normal(s) + 1j * rng.standard_normal(s)) / np.sqrt(2)
    s2 = gamma * s1 + np.sqrt(1 - gamma ** 2) * n
    return truth, ((s1 * np.conj(s2)).mean(0) * np.exp(1j * truth)).astype(np.complex64)


def phase_error(z, truth):
    return np.angle(z * np.exp(-1j * truth))


def test_taper_sums_to_a_constant():
    t = taper(32)
    np.testing.assert_allclose(t[:16] + t[16:], (t[:16] + t[16:])[0])
    np.testing.assert_allclose(t, t[::-1])                         # symmetric: no phase bias


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_matches_reference_loops(alpha):
    truth, z = noisy_fringes((70, 90), seed=1)
    z[10:14, 20:30] = 0
    z[50, 5:9] = np.nan
    got = goldstein(z, alpha)
    ref = reference_goldstein(z, alpha)
    assert got.dtype == np.complex64
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = ~np.isnan(ref)
    np.testing.assert_allclose(got[ok], ref[ok], atol=2e-5 * np.abs(z[np.isfinite(z)]).max())


@pytest.mark.parametrize("alpha,window,step,psd", [(0.5, 32, 16, 3), (0.7, 16, 8, 1),
                                                  (0.5, 24, 8, 2)])
def test_compiled_passes_match_reference_loops(alpha, window, step, psd):
    """The compiled weighting (with the wrapped box smoothing of |Z|) and overlap-add
    against the reference loops, other windows and steps included."""
    truth, z = noisy_fringes((61, 83), seed=9)
    z[20:23, 40:44] = 0
    got = goldstein(z, alpha, window=window, step=step, psd_smooth=psd)
    ref = reference_goldstein(z, alpha, window, step, psd)
    np.testing.assert_allclose(got, ref, atol=2e-5 * np.abs(z).max())


def test_alpha_zero_is_the_identity():
    _, z = noisy_fringes(seed=2)
    np.testing.assert_allclose(goldstein(z, 0.0), z, atol=1e-5 * np.abs(z).max())


def test_noise_reduction_and_fringe_preservation():
    truth, z = noisy_fringes(seed=3)
    inner = (slice(16, -16), slice(16, -16))
    e0 = phase_error(z, truth)[inner]
    var0 = e0.var()
    ratios = {}
    for alpha in (0.2, 0.5, 0.8):
        e = phase_error(goldstein(z, alpha), truth)[inner]
        ratios[alpha] = var0 / e.var()
        assert abs(np.angle(np.mean(np.exp(1j * e)))) < 0.01          # mean phase bias
    # coherence 0.7, 4 looks: phase variance 0.24 rad^2 -> ~0.07 / 0.008 / 0.005 (measured)
    assert ratios[0.2] > 2.5 and ratios[0.5] > 15 and ratios[0.8] > 30, ratios
    assert ratios[0.2] < ratios[0.5] < ratios[0.8]


def test_noise_free_fringes_are_kept():
    truth, _ = noisy_fringes(seed=0)
    z = np.exp(1j * truth).astype(np.complex64)
    e = phase_error(goldstein(z, 0.5), truth)
    assert abs(e.mean()) < 0.01 and np.abs(e).max() < 0.2
    # an off-bin plane fringe: < 0.05 rad inside the image and no mean bias; on FFT bins: exact
    y, x = np.mgrid[0:96, 0:128]
    plane = 2 * np.pi * (0.07 * x + 0.02 * y)
    e = phase_error(goldstein(np.exp(1j * plane), 1.0), plane)
    assert np.abs(e[32:-32, 32:-32]).max() < 0.05 and abs(e[32:-32, 32:-32].mean()) < 1e-3
    on_bin = 2 * np.pi * (3 * x + 1 * y) / 32
    assert np.abs(phase_error(goldstein(np.exp(1j * on_bin), 1.0), on_bin)).max() < 1e-5


def test_magnitude_is_restored():
    _, z = noisy_fringes(seed=4)
    np.testing.assert_allclose(np.abs(goldstein(z, 0.7)), np.abs(z), rtol=1e-5)


def test_nan_and_zero_samples_are_masked():
    truth, z = noisy_fringes(seed=5)
    z[30:50, 40:70] = np.nan
    z[100:104, :] = 0
    f = goldstein(z, 0.5)
    assert np.isnan(f[30:50, 40:70]).all() and (f[100:104] == 0).all()
    rest = np.ones(z.shape, bool)
    rest[30:50, 40:70] = rest[100:104] = False
    assert np.isfinite(f[rest]).all() and (f[rest] != 0).all()
    assert (goldstein(np.zeros((40, 40), np.complex64), 0.5) == 0).all()
    assert np.isnan(goldstein(np.full((40, 40), np.nan, np.complex64), 0.5)).all()


@pytest.mark.parametrize("block_lines", [16, 48, 1000])
def test_blocks_do_not_change_the_result(block_lines):
    _, z = noisy_fringes((150, 77), seed=6)
    whole = goldstein(z, 0.6, block_lines=10_000, workers=1)
    np.testing.assert_array_equal(goldstein(z, 0.6, block_lines=block_lines, workers=1), whole)
    np.testing.assert_array_equal(goldstein(z, 0.6, block_lines=block_lines, workers=2), whole)


def test_other_windows_and_psd_smoothing():
    truth, z = noisy_fringes(seed=7)
    for kw in ({"window": 16, "step": 8}, {"window": 64, "step": 16}, {"psd_smooth": 3}):
        e = phase_error(goldstein(z, 0.5, **kw), truth)[16:-16, 16:-16]
        assert e.var() < 0.25 * phase_error(z, truth).var()


def test_bad_arguments():
    z = np.ones((8, 8), np.complex64)
    for kw in ({"alpha": -0.1}, {"alpha": 1.5}, {"window": 0}, {"step": 64}, {"psd_smooth": 0}):
        with pytest.raises(ValueError):
            goldstein(z, **{"alpha": 0.5, **kw})


def test_filter_raster(tmp_path):
    truth, z = noisy_fringes((100, 120), seed=8)
    isce.io.write(tmp_path / "topophase.flat", z, image_type="cpx")
    out = filter_raster(tmp_path / "topophase.flat", tmp_path / "filt_topophase.flat", 0.5,
                        block_lines=32)
    r = isce.io.open(out)
    assert (r.data_type, r.image_type, r.width, r.length) == ("CFLOAT", "cpx", 120, 100)
    np.testing.assert_array_equal(np.array(r.data), goldstein(z, 0.5))
    assert (tmp_path / "filt_topophase.flat.xml").exists()
