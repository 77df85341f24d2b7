"""Multilooking and coherence against brute-force loops."""
import numpy as np
import pytest

from isce.signal.coherence import coherence, coherence_from_sums
from isce.signal.looks import looked_shape, multilook, multilook_sum


def brute_looks(x, la, lr, average=True):
    L, W = x.shape[0] // la, x.shape[1] // lr
    out = np.empty((L, W), np.complex128 if np.iscomplexobj(x) else np.float64)
    for i in range(L):
        for j in range(W):
            win = x[i * la:(i + 1) * la, j * lr:(j + 1) * lr].ravel()
            good = win[~np.isnan(win)]
            if good.size == 0:
                out[i, j] = np.nan
            else:
                out[i, j] = good.mean() if average else good.sum()
    return out


def brute_coherence(s1, s2, la, lr):
    L, W = s1.shape[0] // la, s1.shape[1] // lr
    out = np.empty((L, W))
    for i in range(L):
        for j in range(W):
            a = s1[i * la:(i + 1) * la, j * lr:(j + 1) * lr].astype(np.complex128).ravel()
            b = s2[i * la:(i + 1) * la, j * lr:(j + 1) * lr].astype(np.complex128).ravel()
            num = abs(np.sum(a * np.conj(b)))
            den = np.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2))
            out[i, j] = num / den if den > 0 else 0.0
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("looks", [(1, 1), (3, 13), (2, 5), (7, 1)])
def test_multilook_matches_brute_force(dtype, looks):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((23, 41))
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal((23, 41))
    x = x.astype(dtype)
    x[4, 7] = np.nan
    if looks == (1, 1):
        x[5, 5] = np.nan
    else:
        x[:looks[0], :looks[1]] = np.nan        # a window with no valid sample
    got = multilook(x, *looks)
    assert got.shape == looked_shape(x.shape, *looks)
    assert got.dtype == {np.float32: np.float32, np.float64: np.float64,
                         np.complex64: np.complex64, np.complex128: np.complex128}[dtype]
    ref = brute_looks(x.astype(np.complex128 if np.iscomplexobj(x) else np.float64), *looks)
    rtol = 1e-6 if dtype in (np.float32, np.complex64) else 1e-12
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol, equal_nan=True)
    ref_sum = brute_looks(x.astype(np.complex128 if np.iscomplexobj(x) else np.float64), *looks,
                          average=False)
    np.testing.assert_allclose(multilook(x, *looks, average=False), ref_sum, rtol=rtol, atol=rtol * 10,
                               equal_nan=True)


def test_multilook_nan_propagates_when_asked():
    x = np.ones((4, 4))
    x[0, 0] = np.nan
    got = multilook(x, 2, 2, nan_aware=False)
    assert np.isnan(got[0, 0]) and np.all(got.ravel()[1:] == 1)
    sums, counts = multilook_sum(x, 2, 2)
    assert counts[0, 0] == 3 and sums[0, 0] == 3


def test_multilook_rejects_bad_looks():
    with pytest.raises(ValueError, match="az_looks"):
        multilook(np.ones((4, 4)), 0, 1)
    with pytest.raises(ValueError, match="rg_looks"):
        multilook(np.ones((4, 4)), 1, 2.5)
    with pytest.raises(ValueError, match="2-D"):
        multilook(np.ones(4), 1, 1)


@pytest.mark.parametrize("looks", [(1, 1), (3, 3), (5, 11)])
def test_coherence_matches_brute_force(looks):
    rng = np.random.default_rng(1)
    shape = (30, 44)
    s1 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    noise = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    s2 = (0.8 * s1 * np.exp(0.7j) + 0.6 * noise).astype(np.complex64)
    last = (shape[1] // looks[1] - 1) * looks[1]
    s1[:looks[0], last:last + looks[1]] = 0              # a window without power -> 0
    got = coherence(s1, s2, *looks)
    ref = brute_coherence(s1, s2, *looks)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, atol=1e-6)
    assert np.all((got >= 0) & (got <= 1))
    assert got[0, -1] == 0


def test_coherence_of_an_image_with_itself_is_one():
    rng = np.random.default_rng(2)
    s = (rng.standard_normal((33, 33)) + 1j * rng.standard_normal((33, 33))).astype(np.complex64)
    np.testing.assert_allclose(coherence(s, s, 11, 11), 1.0, atol=1e-7)
    np.testing.assert_allclose(coherence(s, s * np.exp(1.3j), 3, 3), 1.0, atol=1e-6)


def test_coherence_nan_samples_are_left_out():
    rng = np.random.default_rng(3)
    s1 = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    s2 = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    s1n = s1.copy()
    s1n[0, 0] = np.nan
    got = coherence(s1n, s2, 2, 2)
    a, b = s1[:2, :2].ravel()[1:], s2[:2, :2].ravel()[1:]
    expect = abs(np.sum(a * np.conj(b))) / np.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2))
    assert abs(got[0, 0] - expect) < 1e-6
    all_nan = np.full((2, 2), np.nan, complex)
    assert np.isnan(coherence(all_nan, all_nan, 2, 2)[0, 0])
    assert coherence_from_sums(np.array([0j]), np.array([0.0]), np.array([1.0]))[0] == 0
