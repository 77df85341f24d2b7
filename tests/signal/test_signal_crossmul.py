"""Interferogram formation: synthetic checks against brute force, and the golden
self-interferogram checks of the data README (envisat, winnipeg)."""

import numpy as np
import pytest

from isce.signal.crossmul import crossmul, crossmul_raster, upsample_range



def random_slc(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


# ------------------------------------------------------------------ synthetic
@pytest.mark.parametrize("width", [40, 41, 64])
def test_upsample_range_keeps_samples_and_interpolates_tones(width):
    rng = np.random.default_rng(0)
    s = random_slc(rng, (5, width))
    u = upsample_range(s, 2)
    assert u.shape == (5, 2 * width)
    np.testing.assert_allclose(u[:, ::2], s, atol=1e-5)
    # a tone periodic over the line (8 cycles in 64 samples) is interpolated exactly
    if width == 64:
        tone = np.exp(2j * np.pi * 0.125 * np.arange(64))[None, :]
        truth = np.exp(2j * np.pi * 0.125 * np.arange(128) / 2)
        np.testing.assert_allclose(upsample_range(tone, 2)[0], truth, atol=1e-9)


def brute_crossmul(s1, s2, la, lr):
    """oversample = 1: window means of s1 s2* and the coherence, by loops."""
    L, W = s1.shape[0] // la, s1.shape[1] // lr
    ifg = np.empty((L, W), complex)
    coh = np.empty((L, W))
    for i in range(L):
        for j in range(W):
            a = s1[i * la:(i + 1) * la, j * lr:(j + 1) * lr].astype(complex)
            b = s2[i * la:(i + 1) * la, j * lr:(j + 1) * lr].astype(complex)
            ifg[i, j] = np.mean(a * np.conj(b))
            coh[i, j] = abs(np.sum(a * np.conj(b))) / np.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2))
    return ifg, coh


@pytest.mark.parametrize("looks", [(1, 1), (3, 13), (4, 2)])
def test_crossmul_without_oversampling_matches_brute_force(looks):
    rng = np.random.default_rng(1)
    s1 = random_slc(rng, (26, 53))
    s2 = (s1 * np.exp(0.4j) + 0.5 * random_slc(rng, (26, 53))).astype(np.complex64)
    res = crossmul(s1, s2, *looks, oversample=1, block_lines=5)
    ifg, coh = brute_crossmul(s1, s2, *looks)
    assert res.interferogram.dtype == np.complex64 and res.coherence.dtype == np.float32
    assert res.interferogram.shape == ifg.shape == res.amplitude.shape[1:]
    np.testing.assert_allclose(res.interferogram, ifg, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(res.coherence, coh, atol=1e-6)


def test_crossmul_oversampled_recovers_a_phase_and_matches_the_definition():
    rng = np.random.default_rng(2)
    s1 = random_slc(rng, (22, 48))
    phase = 1.1
    s2 = (s1 * np.exp(-1j * phase)).astype(np.complex64)
    res = crossmul(s1, s2, 2, 4, oversample=2)
    np.testing.assert_allclose(np.angle(res.interferogram), phase, atol=1e-5)
    np.testing.assert_allclose(res.coherence, 1.0, atol=1e-6)
    # definition: window means over the 2x upsampled product
    u1, u2 = upsample_range(s1, 2), upsample_range(s2, 2)
    p = (u1 * np.conj(u2))[:22, :96].reshape(11, 2, 12, 8).mean(axis=(1, 3))
    np.testing.assert_allclose(res.interferogram, p, rtol=1e-5)
    amp = np.sqrt((abs(u1) ** 2).reshape(11, 2, 12, 8).mean(axis=(1, 3)))
    np.testing.assert_allclose(res.amplitude[0], amp, rtol=1e-5)


def test_crossmul_oversampling_reduces_aliasing_in_the_looks():
    """The product of two full-band SLCs has twice their bandwidth: a boxcar over samples
    at the SLC spacing aliases it. Oversampling by 2 brings the looked interferogram ~3x
    closer to the window mean of the continuous product (approximated with 16x)."""
    rng = np.random.default_rng(7)
    s1 = random_slc(rng, (40, 256))
    s2 = random_slc(rng, (40, 256))
    for lr in (2, 4, 8):
        fine = crossmul(s1, s2, 1, lr, oversample=16).interferogram
        e1 = np.abs(crossmul(s1, s2, 1, lr, oversample=1).interferogram - fine).mean()
        e2 = np.abs(crossmul(s1, s2, 1, lr, oversample=2).interferogram - fine).mean()
        assert e2 < 0.5 * e1, (lr, e1, e2)


def test_crossmul_raster_equals_arrays(tmp_path):
    import isce.io

    rng = np.random.default_rng(3)
    s1 = random_slc(rng, (30, 40))
    s2 = random_slc(rng, (30, 40))
    isce.io.write(tmp_path / "a.slc", s1)
    isce.io.write(tmp_path / "b.slc", s2)
    paths = crossmul_raster(tmp_path / "a.slc", tmp_path / "b.slc", tmp_path / "x.int",
                            tmp_path / "x.cor", tmp_path / "x.amp", az_looks=3, rg_looks=4,
                            block_lines=7)
    assert len(paths) == 3
    res = crossmul(s1, s2, 3, 4)
    np.testing.assert_array_equal(np.asarray(isce.io.open(tmp_path / "x.int").read()), res.interferogram)
    np.testing.assert_array_equal(np.asarray(isce.io.open(tmp_path / "x.cor").read()), res.coherence)
    amp = isce.io.open(tmp_path / "x.amp")
    assert amp.bands == 2
    np.testing.assert_array_equal(np.asarray(amp.read()), res.amplitude)


def test_crossmul_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        crossmul(np.ones((4, 4), np.complex64), np.ones((4, 5), np.complex64))
    with pytest.raises(ValueError, match="oversample"):
        crossmul(np.ones((4, 4), np.complex64), np.ones((4, 4), np.complex64), oversample=0)


# ------------------------------------------------------------------ golden
PHASE_TOL = 1e-6


@pytest.mark.parametrize("looks", [(1, 1), (3, 13)])
def test_golden_envisat_self_interferogram(looks, tmp_path, shared_data):
    """README: interferogram of warped_envisat.slc with itself, 1x1 and 3x13 looks:
    max |phase| < 1e-6 rad."""
    import isce.io

    path = shared_data("envisat", "warped_envisat.slc")
    crossmul_raster(path, path, tmp_path / "self.int", tmp_path / "self.cor",
                    az_looks=looks[0], rg_looks=looks[1], block_lines=64)
    ifg = np.asarray(isce.io.open(tmp_path / "self.int").read())
    coh = np.asarray(isce.io.open(tmp_path / "self.cor").read())
    assert ifg.shape == (500 // looks[0], 500 // looks[1])
    worst = np.abs(np.angle(ifg)).max()
    valid = np.abs(ifg) > 0
    print(f"envisat self-interferogram {looks[0]}x{looks[1]}: max |phase| = {worst:.3e} "
          f"(tolerance {PHASE_TOL:g}); coherence range over non-zero windows "
          f"[{coh[valid].min():.9f}, {coh[valid].max():.9f}]")
    assert worst < PHASE_TOL
    np.testing.assert_allclose(coh[valid], 1.0, atol=1e-6)


def test_golden_winnipeg_self_interferogram(shared_data):
    """README: winnipeg image with itself, 11x11 looks: |phase| <= 1e-6, coherence 1 +- 1e-6."""
    from signal_products import read_slc

    product = read_slc(shared_data("winnipeg", "winnipeg.h5"))
    res = crossmul(product.image, product.image, 11, 11)
    worst_phase = np.abs(np.angle(res.interferogram)).max()
    worst_coh = np.abs(res.coherence - 1.0).max()
    print(f"winnipeg self-interferogram 11x11: max |phase| = {worst_phase:.3e} (tolerance 1e-6), "
          f"max |coherence - 1| = {worst_coh:.3e} (tolerance 1e-6)")
    assert res.interferogram.shape == (22, 22)
    assert worst_phase <= PHASE_TOL
    assert worst_coh <= 1e-6
    # the same with two separate (equal) arrays, so nothing relies on object identity
    res2 = crossmul(product.image, product.image.copy(), 11, 11)
    assert np.abs(np.angle(res2.interferogram)).max() <= PHASE_TOL
    assert np.abs(res2.coherence - 1.0).max() <= 1e-6
