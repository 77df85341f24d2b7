"""Flattening in crossmul_raster: with the range offsets of the resampled secondary, the
geometric phase 4 pi (R2 - R1) / lambda is removed from the interferogram.

Truth is built from the geometry, not from the module's formula: a smooth secondary range
R2(m, j) is chosen for every reference pixel, the range offsets follow from their
definition (the secondary pixel R2 falls on, minus the reference pixel), and the
secondary is the reference's scatterers seen at R2: s2 = s1 exp(-4j pi (R2 - R1) / lambda)
(so s1 s2* carries +4 pi (R2 - R1) / lambda, which flattening must cancel)."""
import math

import numpy as np
import pytest

import isce.io
from isce.signal.crossmul import Flattening, crossmul, crossmul_raster

WVL = 0.2360571
SHAPE = (48, 96)


def speckle(rng, shape, fraction=0.7):
    """Unit-power circular Gaussian field band-limited to ``fraction`` of the range band
    (periodic along the line, as any FFT-filtered field)."""
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    Z = np.fft.fft(z, axis=1)
    Z[:, np.abs(np.fft.fftfreq(shape[1])) > fraction / 2] = 0
    z = np.fft.ifft(Z, axis=1)
    return (z / np.sqrt(np.mean(np.abs(z) ** 2))).astype(np.complex64)


def upsample2(s):
    """Exact 2x interpolation of lines periodic and band-limited below Nyquist (zero-padded
    spectrum); sample k lands on 2k."""
    n = s.shape[1]
    S = np.fft.fft(s.astype(complex), axis=1)
    Y = np.zeros((s.shape[0], 2 * n), complex)
    Y[:, :n // 2] = S[:, :n // 2]
    Y[:, -(n // 2):] = S[:, -(n // 2):]
    return 2 * np.fft.ifft(Y, axis=1)


#: flat-Earth slope of R2 - R1 [m / pixel]: 4 whole fringes over the 96-pixel line, so
#: exp(-4j pi (R2 - R1) / lambda) is periodic along the line and the secondary stays
#: exactly band-limited and periodic (no FFT wrap-around error in the 2x oversampling)
SLOPE = 4 * WVL / (2 * SHAPE[1])


def delta_range(m, j):
    """R2 - R1 [m] at (fractional) line m, pixel j: 3.1 m + ~4.9 mm per pixel in range,
    1.1 mm per line, a 2 cm topographic bump."""
    return 3.1 + SLOPE * j + 1.1e-3 * m + 0.02 * np.exp(-((j - 48) ** 2 + (m - 20) ** 2) / 150.0)


def geometry(r0_ref, dr_ref, r0_sec, dr_sec, shape=SHAPE):
    """R1 of each reference pixel, R2 = R1 + delta_range, and the range offsets
    [secondary pixels] that R2 means (R2 = r0_sec + (j + offset) dr_sec)."""
    m, j = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float64)
    r1 = r0_ref + dr_ref * j
    r2 = r1 + delta_range(m, j)
    offsets = (r2 - r0_sec) / dr_sec - j
    return r1, r2, offsets


CASES = [  # (r0_ref, dr_ref, r0_sec, dr_sec): same grid; other start; other start and spacing
    (850000.0, 4.684257, 850000.0, 4.684257),
    (850000.0, 4.684257, 849953.3, 4.684257),
    (850000.0, 4.684257, 850012.7, 4.689),
]


@pytest.fixture(scope="module", params=range(len(CASES)))
def case(request, tmp_path_factory):
    r0_ref, dr_ref, r0_sec, dr_sec = CASES[request.param]
    d = tmp_path_factory.mktemp("flatten")
    rng = np.random.default_rng(10 + request.param)
    r1, r2, offsets = geometry(r0_ref, dr_ref, r0_sec, dr_sec)
    s1 = speckle(rng, SHAPE)
    geo_phase = 4 * np.pi * (r2 - r1) / WVL
    s2 = (s1 * np.exp(-1j * geo_phase)).astype(np.complex64)
    isce.io.write(d / "ref.slc", s1)
    isce.io.write(d / "sec.slc", s2)
    isce.io.write(d / "range.off", offsets.astype(np.float32))
    flat = Flattening(str(d / "range.off"), WVL, (r0_ref, dr_ref), (r0_sec, dr_sec))
    return dict(dir=d, s1=s1, s2=s2, offsets=offsets.astype(np.float32), flat=flat,
                geo_phase=geo_phase)


def window_mean(x, la, lr):
    L, W = x.shape[0] // la, x.shape[1] // lr
    return x[:L * la, :W * lr].reshape(L, la, W, lr).mean(axis=(1, 3))


@pytest.mark.parametrize("oversample,looks", [(1, (1, 1)), (1, (3, 4)), (2, (1, 1)),
                                              (2, (4, 3))])
def test_flattened_interferogram_has_no_geometric_phase(case, oversample, looks):
    d = case["dir"]
    tag = f"{oversample}_{looks[0]}_{looks[1]}"
    crossmul_raster(d / "ref.slc", d / "sec.slc", d / f"f{tag}.int", d / f"f{tag}.cor",
                    az_looks=looks[0], rg_looks=looks[1], oversample=oversample,
                    block_lines=7, flatten=case["flat"])
    crossmul_raster(d / "ref.slc", d / "sec.slc", d / f"n{tag}.int", az_looks=looks[0],
                    rg_looks=looks[1], oversample=oversample, block_lines=7)
    flat = np.asarray(isce.io.open(d / f"f{tag}.int").read())
    coh = np.asarray(isce.io.open(d / f"f{tag}.cor").read())
    raw = np.asarray(isce.io.open(d / f"n{tag}.int").read())
    L, W = SHAPE[0] // looks[0], SHAPE[1] // looks[1]
    assert flat.shape == raw.shape == coh.shape == (L, W)
    # flattened: no phase left. Limits: float32 offsets (1e-6 pixel ~ 2.5e-4 rad) and, with
    # oversampling, the linear interpolation of the flattening phase over the bump (2 mrad)
    tol = 1e-3 if oversample == 1 else 5e-3
    assert np.abs(np.angle(flat)).max() < tol
    assert coh.min() > 1 - tol ** 2
    # unflattened: the (power-weighted) geometric phase of the window, computed here from
    # the geometry on the oversampled grid (samples at j = k / oversample)
    f = oversample
    u1 = upsample2(case["s1"]) if f == 2 else case["s1"].astype(complex)
    m, x = np.mgrid[0:SHAPE[0], 0:SHAPE[1] * f].astype(np.float64)
    geo = 4 * np.pi * delta_range(m, x / f) / WVL
    truth = window_mean(np.abs(u1) ** 2 * np.exp(1j * geo), looks[0], looks[1] * f)
    np.testing.assert_allclose(np.abs(raw), np.abs(truth), rtol=tol, atol=tol)
    assert np.abs(np.angle(raw * np.conj(truth))).max() < tol
    assert np.mean(np.abs(np.angle(raw))) > 1.0       # a phase that is far from 0


def test_flattening_equals_brute_force_without_oversampling(case):
    """oversample 1: window means of s1 s2* exp(-4j pi (R2 - R1) / lambda), R2 from the
    offsets' definition (secondary start + (pixel + offset) x secondary spacing)."""
    d = case["dir"]
    (r01, dr1), (r02, dr2) = case["flat"].reference_range, case["flat"].secondary_range
    j = np.arange(SHAPE[1])[None, :]
    dr = (r02 + (j + case["offsets"].astype(np.float64)) * dr2) - (r01 + j * dr1)
    # a different secondary: random, so the phase of the product is not trivial
    rng = np.random.default_rng(99)
    s2 = speckle(rng, SHAPE)
    isce.io.write(d / "rand.slc", s2)
    crossmul_raster(d / "ref.slc", d / "rand.slc", d / "b.int", az_looks=2, rg_looks=5,
                    oversample=1, flatten=case["flat"])
    got = np.asarray(isce.io.open(d / "b.int").read())
    prod = case["s1"].astype(complex) * np.conj(s2) * np.exp(-4j * math.pi * dr / WVL)
    np.testing.assert_allclose(got, window_mean(prod, 2, 5), rtol=1e-4, atol=1e-5)
    # and unflattened it is plain crossmul
    crossmul_raster(d / "ref.slc", d / "rand.slc", d / "c.int", az_looks=2, rg_looks=5,
                    oversample=1)
    np.testing.assert_allclose(np.asarray(isce.io.open(d / "c.int").read()),
                               crossmul(case["s1"], s2, 2, 5, oversample=1).interferogram,
                               rtol=1e-6, atol=1e-7)


def test_flattening_with_array_offsets_matches_raster_offsets(case):
    d = case["dir"]
    f = case["flat"]
    arr = Flattening(case["offsets"], f.wavelength, f.reference_range, f.secondary_range)
    crossmul_raster(d / "ref.slc", d / "sec.slc", d / "a1.int", az_looks=2, rg_looks=2,
                    flatten=arr)
    crossmul_raster(d / "ref.slc", d / "sec.slc", d / "a2.int", az_looks=2, rg_looks=2,
                    flatten=f)
    np.testing.assert_array_equal(np.asarray(isce.io.open(d / "a1.int").read()),
                                  np.asarray(isce.io.open(d / "a2.int").read()))


def test_flattening_offsets_of_another_shape_raise(tmp_path):
    rng = np.random.default_rng(0)
    s = speckle(rng, SHAPE)
    isce.io.write(tmp_path / "a.slc", s)
    for shape in ((SHAPE[0], SHAPE[1] - 1), (SHAPE[0] + 2, SHAPE[1])):
        flat = Flattening(np.zeros(shape, np.float32), WVL, (8.5e5, 4.68), (8.5e5, 4.68))
        with pytest.raises(ValueError):
            crossmul_raster(tmp_path / "a.slc", tmp_path / "a.slc", tmp_path / "x.int",
                            flatten=flat)
