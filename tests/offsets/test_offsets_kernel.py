"""The compiled kernels of isce.ext._offsets against their NumPy references,
and the NumPy building blocks of ampcor against brute-force definitions."""
import numpy as np
import pytest

from isce.offsets import _ncc

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offsets_synth import shifted_pair  # noqa: E402


def brute_ncc(ref, srch):
    """Normalized cross-correlation by direct sums over every lag (the definition)."""
    h, w = ref.shape
    ny, nx = srch.shape[0] - h + 1, srch.shape[1] - w + 1
    r = ref - ref.mean()
    out = np.zeros((ny, nx))
    for i in range(ny):
        for j in range(nx):
            s = srch[i:i + h, j:j + w]
            s = s - s.mean()
            out[i, j] = (r * s).sum() / np.sqrt((r * r).sum() * (s * s).sum())
    return out


def test_ncc_surface_matches_direct_sums():
    rng = np.random.default_rng(1)
    ref = rng.random((3, 12, 10))
    srch = rng.random((3, 20, 24))
    srch[1, 4:16, 9:19] = 2.0 * ref[1] + 1.0      # a perfect match at lag (4, 9)
    ncc, var, rr = _ncc.ncc_surface(ref, srch)
    for b in range(3):
        np.testing.assert_allclose(ncc[b], brute_ncc(ref[b], srch[b]), atol=1e-12)
    ky, kx = _ncc.integer_peak(ncc)
    assert (ky[1], kx[1]) == (4, 9)
    assert ncc[1, 4, 9] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_box_variance_kernel_matches_numpy(dtype):
    rng = np.random.default_rng(2)
    chips = (100.0 + rng.random((5, 40, 33))).astype(dtype)
    k = _ncc.box_variance(chips, 17, 9, kernel=True)
    ref = _ncc.box_variance(chips, 17, 9, kernel=False)
    direct = np.array([[[np.var(c[i:i + 17, j:j + 9].astype(np.float64)) * 17 * 9
                         for j in range(25)] for i in range(24)] for c in chips])
    np.testing.assert_allclose(ref, direct, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(k, ref, rtol=1e-10, atol=1e-9)


def _fine_stage(dy, dx, n=6, seed=3):
    """Correlation spectra of oversampled intensity chips shifted by (dy, dx) pixels."""
    ref, sec = shifted_pair((128, 256), dy, dx, seed=seed)
    w, m = 32, 4
    rc = np.stack([ref[40:40 + w, 20 + 36 * k:20 + 36 * k + w] for k in range(n)])
    sc = np.stack([sec[40 - m:40 + w + m, 20 + 36 * k - m:20 + 36 * k + w + m] for k in range(n)])
    ro = np.abs(_ncc.oversample(rc, 2)) ** 2
    so = np.abs(_ncc.oversample(sc, 2)) ** 2
    ncc, var, rr, spec = _ncc.ncc_surface(ro, so, keep_spectrum=True)
    shape = (_ncc.next_fast(so.shape[1]), _ncc.next_fast(so.shape[2]))
    ky, kx = _ncc.integer_peak(ncc)
    return spec, shape, ncc, var, rr, ky, kx


@pytest.mark.parametrize("precision", [np.complex64, np.complex128])
def test_refine_peaks_kernel_matches_numpy(precision):
    spec, shape, ncc, var, rr, ky, kx = _fine_stage(0.3, -0.45)
    spec = spec.astype(precision)
    yk, xk, pk = _ncc.refine_peak(spec, shape, ncc, var, rr, ky, kx, kernel=True)
    yn, xn, pn = _ncc.refine_peak(spec, shape, ncc, var, rr, ky, kx, kernel=False)
    np.testing.assert_allclose(yk, yn, atol=1e-9)
    np.testing.assert_allclose(xk, xn, atol=1e-9)
    np.testing.assert_allclose(pk, pn, atol=1e-9)
    # lag grid: 2 samples per pixel, lag 2 m = 8 is zero offset
    np.testing.assert_allclose((yk - 8) / 2, 0.3, atol=6e-3)   # 32^2 chips, no margin
    np.testing.assert_allclose((xk - 8) / 2, -0.45, atol=6e-3)


def test_refine_peak_converges():
    """More Newton steps do not move the peak: 3 are enough."""
    spec, shape, ncc, var, rr, ky, kx = _fine_stage(-0.2, 0.1)
    y3, x3, _ = _ncc.refine_peak(spec, shape, ncc, var, rr, ky, kx, iterations=3)
    y8, x8, _ = _ncc.refine_peak(spec, shape, ncc, var, rr, ky, kx, iterations=8)
    np.testing.assert_allclose(y3, y8, atol=1e-6)
    np.testing.assert_allclose(x3, x8, atol=1e-6)


def test_refine_kernel_rejects_bad_shapes():
    spec, shape, ncc, var, rr, ky, kx = _fine_stage(0.1, 0.1, n=2)
    from isce.ext import load

    ext = load("_offsets")
    vv = np.zeros((2, 3, 3))
    with pytest.raises(ValueError, match="spec must have shape"):
        ext.refine_peaks(spec[:, :-1], shape[0], shape[1], vv, rr, ky, kx, ky * 1.0, kx * 1.0)
    with pytest.raises(ValueError, match="var3"):
        ext.refine_peaks(spec, shape[0], shape[1], vv[:1], rr, ky, kx, ky * 1.0, kx * 1.0)


def test_oversample_keeps_samples_and_interpolates_bandlimited():
    n = 24
    i = np.arange(n)
    tone = np.exp(2j * np.pi * (3 * i[:, None] / n + 5 * i[None, :] / n))
    chips = np.stack([tone, 2 * tone]).astype(np.complex64)
    up = _ncc.oversample(chips, 2)
    assert up.shape == (2, 48, 48)
    np.testing.assert_allclose(up[:, ::2, ::2], chips, atol=1e-5)
    half = np.arange(48) / 2.0
    exact = np.exp(2j * np.pi * (3 * half[:, None] / n + 5 * half[None, :] / n))
    np.testing.assert_allclose(up[0], exact, atol=1e-4)


def test_deramp_removes_linear_phase():
    rng = np.random.default_rng(4)
    base = np.abs(rng.standard_normal((1, 30, 40))) + 1.0
    i, j = np.mgrid[0:30, 0:40]
    chips = (base * np.exp(1j * (0.7 * i + -1.1 * j))).astype(np.complex64)
    flat = _ncc.deramp(chips)
    np.testing.assert_allclose(np.angle(flat[0] * np.conj(flat[0, 0, 0])), 0.0, atol=1e-4)
    np.testing.assert_allclose(np.abs(flat), np.abs(chips), rtol=1e-6)


def test_snr_and_covariance_isce_definitions():
    ncc = np.zeros((1, 31, 31))
    ncc[0] = 0.1
    ncc[0, 15, 15] = 0.9
    ncc[0, 14, 15] = ncc[0, 16, 15] = ncc[0, 15, 14] = ncc[0, 15, 16] = 0.5
    snr = _ncc.snr_isce(ncc, np.array([15]), np.array([15]))
    box = ncc[0, 5:26, 5:26] ** 2
    assert snr[0] == pytest.approx(0.81 / ((box.sum() - 0.81) / (box.size - 1)))
    cy, cx, cxy = _ncc.covariance_isce(ncc, np.array([15]), np.array([15]), 64)
    assert cy[0] == pytest.approx(cx[0]) and cy[0] > 0 and cxy[0] == 0
    cy, cx, _ = _ncc.covariance_isce(ncc, np.array([0]), np.array([15]), 64)
    assert cy[0] == 99.0
