"""The compiled crossmul pass (isce.ext._interferogram.looked_block, via crossmul_raster and
crossmul) against its NumPy reference: 2x (or f x) range oversampling by zero-padded FFT,
products in the SLC precision, flattening by the geometric phase interpolated linearly to
the oversampled samples, window sums in float64, no-data windows (a 0 sample) set to 0."""
import numpy as np
import pytest

import isce.io
from isce.signal.crossmul import Flattening, crossmul, crossmul_raster, interpolated_lines, upsample_range

WVL = 0.2360571


def oversampled_phase(phase, factor):
    """Linear interpolation of a smooth phase to ``factor`` samples per pixel."""
    if factor == 1:
        return phase
    n = phase.shape[1]
    x = np.arange(n * factor) / factor
    i0 = np.minimum(np.floor(x).astype(np.int64), max(n - 2, 0))
    w = x - i0
    i1 = np.minimum(i0 + 1, n - 1)
    return phase[:, i0] * (1 - w) + phase[:, i1] * w


def reference(s1, s2, az, rg, f, flat=None, offsets=None):
    """NumPy reference of one block: (interferogram, coherence, amplitude)."""
    s1 = np.where(np.isnan(s1), 0, s1)
    s2 = np.where(np.isnan(s2), 0, s2)
    u1, u2 = upsample_range(s1, f), upsample_range(s2, f)
    L, W = s1.shape[0] // az, s1.shape[1] // rg
    keep = (slice(0, L * az), slice(0, W * rg * f))
    u1, u2 = u1[keep], u2[keep]
    prod = u1 * np.conj(u2)
    if flat is not None:
        ph = oversampled_phase(flat.phase(offsets), f)[keep]
        prod *= np.exp(-1j * ph).astype(prod.dtype)

    def wsum(a):
        acc = np.complex128 if np.iscomplexobj(a) else np.float64
        return a.reshape(L, az, W, rg * f).sum(axis=(1, 3), dtype=acc)

    cross, p1, p2 = wsum(prod), wsum((u1 * np.conj(u1)).real), wsum((u2 * np.conj(u2)).real)
    count = az * rg * f
    bad = ((s1 == 0) | (s2 == 0))[:L * az, :W * rg].reshape(L, az, W, rg).any(axis=(1, 3))
    ifg = (cross / count).astype(np.complex64)
    denom = np.sqrt(p1 * p2)
    coh = np.minimum(np.where(denom > 0, np.abs(cross) / np.where(denom > 0, denom, 1), 0), 1)
    coh = coh.astype(np.float32)
    ifg[bad] = 0
    coh[bad] = 0
    return ifg, coh, np.sqrt(np.stack([p1, p2]) / count).astype(np.float32)


def speckle(rng, shape, dtype=np.complex64):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.mark.parametrize("f", [2, 3])
def test_interpolated_lines_are_upsample_range_samples(f):
    rng = np.random.default_rng(4)
    for n in (64, 67):
        s = speckle(rng, (5, n), np.complex128)
        h = interpolated_lines(s, f)
        u = upsample_range(s, f)
        for m in range(1, f):
            np.testing.assert_allclose(h[m - 1][:, :n], u[:, m::f], atol=1e-12)


@pytest.mark.parametrize("dtype,f,looks,width", [(np.complex64, 2, (4, 4), 96),
                                                 (np.complex64, 1, (3, 5), 97),
                                                 (np.complex64, 3, (2, 3), 90),
                                                 (np.complex128, 2, (4, 2), 100)])
def test_kernel_matches_numpy_reference(tmp_path, dtype, f, looks, width):
    rng = np.random.default_rng(5)
    shape = (40, width)
    s1 = speckle(rng, shape, dtype)
    s2 = (s1 * np.exp(0.3j) + 0.7 * speckle(rng, shape, dtype)).astype(dtype)
    s1[7, 11] = 0                                     # no-data windows
    s2[20, 50] = np.nan + 0j
    # offsets of a realistic geometry: phases of ~1e4 rad, a NaN
    j = np.arange(width)[None, :]
    offsets = (0.01 * j + 0.002 * np.arange(40)[:, None] + 3.7).astype(np.float32)
    offsets[3, 9] = np.nan
    flat = Flattening(offsets, WVL, (850000.0, 4.684257), (850012.7, 4.689))
    ref = reference(s1, s2, *looks, f, flat, offsets)
    isce.io.write(tmp_path / "a.slc", s1)
    isce.io.write(tmp_path / "b.slc", s2)
    crossmul_raster(tmp_path / "a.slc", tmp_path / "b.slc", tmp_path / "x.int", tmp_path / "x.cor",
                    tmp_path / "x.amp", az_looks=looks[0], rg_looks=looks[1], oversample=f,
                    block_lines=12, flatten=flat)
    ifg = np.asarray(isce.io.open(tmp_path / "x.int").read())
    coh = np.asarray(isce.io.open(tmp_path / "x.cor").read())
    amp = np.asarray(isce.io.open(tmp_path / "x.amp").read())
    scale = np.abs(ref[0]).max()
    np.testing.assert_array_equal(ifg == 0, ref[0] == 0)
    np.testing.assert_allclose(ifg, ref[0], rtol=2e-6, atol=2e-6 * scale)
    np.testing.assert_allclose(coh, ref[1], atol=2e-6)
    np.testing.assert_allclose(amp, ref[2], rtol=2e-6)
    # without flattening, in memory
    res = crossmul(s1, s2, *looks, oversample=f, block_lines=8)
    ref = reference(s1, s2, *looks, f)
    np.testing.assert_allclose(res.interferogram, ref[0], rtol=2e-6, atol=2e-6 * scale)
    np.testing.assert_allclose(res.coherence, ref[1], atol=2e-6)
    np.testing.assert_allclose(res.amplitude, ref[2], rtol=2e-6)


def test_the_caller_array_is_not_changed():
    rng = np.random.default_rng(6)
    s1 = speckle(rng, (8, 16))
    s1[2, 3] = np.nan
    keep = s1.copy()
    crossmul(s1, s1.copy(), 2, 2)
    np.testing.assert_array_equal(np.isnan(s1), np.isnan(keep))
