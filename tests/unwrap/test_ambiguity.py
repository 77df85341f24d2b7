"""Cycle transfer from a filtered unwrapped phase to the unfiltered interferogram
(isce.unwrap.ambiguity): the result must keep the unfiltered phase (noise included, the
filter's bias excluded) with the filtered solution's integer cycles."""
import math
import os

import numpy as np
import pytest

import isce.io
from isce.unwrap._common import UnwWriters
from isce.unwrap.ambiguity import transfer_cycles, transfer_cycles_raster

TWO_PI = 2 * math.pi


def ramp_case(shape=(60, 80), seed=0, cycles=3, bias=0.25, noise=0.4):
    """true phase (ramp of ~40 rad), noise, the noisy wrapped interferogram and a
    'filtered, unwrapped' phase = truth + smooth bias + 2 pi cycles (no noise)."""
    rng = np.random.default_rng(seed)
    m, j = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float64)
    truth = 0.45 * j + 0.12 * m - 20.0
    eps = rng.normal(0.0, noise, shape)
    amp = rng.uniform(0.5, 2.0, shape)
    z = (amp * np.exp(1j * (truth + eps))).astype(np.complex64)
    b = bias * np.cos(2 * np.pi * j / shape[1])             # smooth, |b| <= bias
    filtered = truth + b + TWO_PI * cycles
    return truth, eps, z, filtered


def test_transfer_cycles_keeps_the_unfiltered_phase_and_the_filtered_cycles():
    truth, eps, z, filtered = ramp_case()
    # the construction is only well posed where the noise minus the bias stays within pi
    assert np.abs(eps).max() < math.pi - 0.25
    out = transfer_cycles(z, filtered)
    assert out.dtype == np.float32 and out.shape == z.shape
    expected = truth + eps + TWO_PI * 3
    # exactly the unfiltered phase (to float32 rounding of ~60 rad values) ...
    np.testing.assert_allclose(out, expected, rtol=0, atol=5e-5)
    # ... hence not the filtered phase: the bias is gone, the noise is kept
    assert np.abs(out - filtered).max() > 0.5
    np.testing.assert_allclose(np.std(out - (truth + TWO_PI * 3)), np.std(eps), rtol=1e-3)
    # whole cycles only: the result is congruent with the wrapped phase
    d = out.astype(np.float64) - np.angle(z)
    np.testing.assert_allclose(d / TWO_PI, np.round(d / TWO_PI), atol=2e-5)


def test_transfer_cycles_follows_the_cycles_of_the_unwrapped_input_per_pixel():
    truth, eps, z, _ = ramp_case(seed=1, noise=0.2)
    rng = np.random.default_rng(5)
    k = rng.integers(-4, 5, truth.shape)                     # any per-pixel cycle field
    out = transfer_cycles(z, truth + 1.0 + TWO_PI * k)       # a 1 rad bias
    np.testing.assert_allclose(out, truth + eps + TWO_PI * k, atol=5e-5)
    # a bias beyond pi minus the noise flips to the next cycle, as the rounding says
    out2 = transfer_cycles(z, truth + 4.0)                   # 4 rad > pi
    np.testing.assert_allclose(out2, truth + eps + TWO_PI, atol=5e-5)


def test_transfer_cycles_zeros_invalid_pixels():
    truth, eps, z, filtered = ramp_case(seed=2)
    z = z.copy()
    filtered = filtered.copy()
    z[3, 4] = 0
    z[5, 6] = np.nan
    z[7, 8] = complex(1.0, np.nan)
    filtered[9, 10] = np.nan
    filtered[11, 12] = 0.0
    filtered[13, 14] = np.inf
    bad = np.zeros(z.shape, bool)
    for ij in ((3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14)):
        bad[ij] = True
    out = transfer_cycles(z, filtered)
    assert np.all(np.isfinite(out))
    assert (out[bad] == 0).all()
    np.testing.assert_allclose(out[~bad], (truth + eps + TWO_PI * 3)[~bad], atol=5e-5)


def test_transfer_cycles_rejects_shape_mismatch():
    with pytest.raises(ValueError):
        transfer_cycles(np.ones((4, 5), np.complex64), np.ones((5, 4)))


# ------------------------------------------------------------------ rasters
def write_unw(path, amplitude, phase, conncomp=None):
    length, width = phase.shape
    cc_path = None if conncomp is None else str(path) + ".conncomp"
    with UnwWriters(str(path), cc_path, width, length) as w:
        w.amplitude[0:length] = amplitude.astype(np.float32)
        w.phase[0:length] = phase.astype(np.float32)
        if conncomp is not None:
            w.cc.band(0)[0:length] = conncomp.astype(np.uint8)


@pytest.fixture(scope="module")
def raster_case(tmp_path_factory):
    d = tmp_path_factory.mktemp("ambiguity")
    truth, eps, z, filtered = ramp_case(shape=(70, 90), seed=3)
    cc = np.ones(z.shape, np.uint8)
    cc[:, 60:] = 2
    cc[20:35, 10:30] = 0                                     # not unwrapped there
    filtered_unw = np.where(cc > 0, filtered, 0.0)
    # the unwrapper leaves whatever phase in component 0: make it a wrong value
    filtered_unw[20:35, 10:30] = 123.0
    isce.io.write(d / "ifg.int", z)
    write_unw(d / "filt.unw", np.abs(z) * 0.5, filtered_unw, cc)
    return d, truth, eps, z, cc


def test_transfer_cycles_raster_with_components(raster_case):
    d, truth, eps, z, cc = raster_case
    out, cc_out = transfer_cycles_raster(d / "ifg.int", d / "filt.unw", d / "out.unw")
    assert out == str(d / "out.unw") and cc_out == str(d / "out.unw") + ".conncomp"
    r = isce.io.open(out)
    assert (r.bands, r.length, r.width) == (2, 70, 90)
    amp = np.asarray(r.read(band=0))
    ph = np.asarray(r.read(band=1))
    np.testing.assert_allclose(amp, np.abs(z), rtol=1e-6)
    expected = np.where(cc > 0, truth + eps + TWO_PI * 3, 0.0)
    np.testing.assert_allclose(ph, expected, atol=5e-5)
    assert (ph[cc == 0] == 0).all()
    np.testing.assert_array_equal(np.asarray(isce.io.open(cc_out).read()), cc)


def test_transfer_cycles_raster_without_components(raster_case, tmp_path):
    d, truth, eps, z, cc = raster_case
    isce.io.write(tmp_path / "ifg.int", z)
    _, _, _, filtered = ramp_case(shape=(70, 90), seed=3)
    write_unw(tmp_path / "filt.unw", np.abs(z), filtered, None)
    out, cc_out = transfer_cycles_raster(tmp_path / "ifg.int", tmp_path / "filt.unw",
                                         tmp_path / "out.unw")
    assert cc_out is None
    assert not os.path.exists(str(tmp_path / "out.unw") + ".conncomp")
    ph = np.asarray(isce.io.open(out).read(band=1))
    np.testing.assert_allclose(ph, truth + eps + TWO_PI * 3, atol=5e-5)


def test_transfer_cycles_raster_rejects_shape_mismatch(raster_case, tmp_path):
    d, *_ = raster_case
    isce.io.write(tmp_path / "small.int", np.ones((10, 90), np.complex64))
    with pytest.raises(ValueError):
        transfer_cycles_raster(tmp_path / "small.int", d / "filt.unw", tmp_path / "x.unw")
