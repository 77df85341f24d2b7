"""Split-spectrum sub-bands (isce.signal.splitspectrum, ISCE2 runSplitSpectrum).

* ISCE2's rule: sub-bands of a third of the band at f0 -+ B/3;
* a point target's sub-band SLC has the phase -4 pi R / lambda_sub of a radar at the
  sub-band's centre (band-passed and shifted to baseband with the absolute range);
* for a non-dispersive range change d, the sub-band interferogram's phase is
  phi0 * f_sub / f0 (4 pi f_sub d / c), which the ionosphere separation relies on;
* split_raster writes, block by block, what the in-memory band-pass gives.
"""
import math

import numpy as np
import pytest

import isce.io
from isce.signal.bandpass import SPEED_OF_LIGHT as C
from isce.signal.bandpass import bandpass_range
from isce.signal.splitspectrum import SubBands, split_raster, subbands

F0, B, FS = 1270e6, 28e6, 32e6            # ALOS FBS: carrier, chirp band, sampling rate
DR = C / (2 * FS)
R0 = 850e3                                 # slant range of the first sample [m]
WIDTH = 512


def point_target(rng_m: float, width: int = WIDTH, lines: int = 2) -> np.ndarray:
    """Baseband SLC lines of one target at slant range ``rng_m``: the sum of the band's
    frequencies f0 + f, |f| <= B/2, each with the two-way phase -4 pi (f0 + f) R / c."""
    f = np.linspace(-B / 2, B / 2, 4001)
    r = R0 + np.arange(width) * DR
    line = np.exp(4j * np.pi * f[None, :] * (r[:, None] - rng_m) / C).sum(axis=1)
    line *= np.exp(-4j * np.pi * F0 * rng_m / C) / f.size
    return np.repeat(line[None, :], lines, axis=0).astype(np.complex64)


def split(slc, bands):
    """(low, high) sub-band SLCs of ``slc`` as split_range_spectrum makes them."""
    return [bandpass_range(slc, sampling_rate=FS, center_frequency=F0, new_center_frequency=fc,
                           new_bandwidth=bands.width, starting_range=R0,
                           range_pixel_spacing=DR) for fc in (bands.low, bands.high)]


def wrap(x):
    """``x`` [rad] wrapped to -pi..pi (in float64: phases of ~1e7 rad lose all in float32)."""
    x = np.asarray(x, dtype=np.float64)
    return (x + np.pi) % (2 * np.pi) - np.pi


def test_isce2_sub_bands():
    bands = subbands(B, F0)
    assert bands.low == pytest.approx(F0 - B / 3) and bands.high == pytest.approx(F0 + B / 3)
    assert bands.width == pytest.approx(B / 3)
    assert bands.wavelengths[0] == pytest.approx(C / (F0 - B / 3))
    for bad in (0.0, -1e6, 2 * F0):
        with pytest.raises(ValueError, match="must be positive and below the carrier"):
            subbands(bad, F0)


def test_sub_band_slc_has_the_phase_of_a_radar_at_its_centre():
    target = R0 + 200.3 * DR
    bands = subbands(B, F0)
    for slc, fc in zip(split(point_target(target), bands), (bands.low, bands.high)):
        peak = int(np.argmax(np.abs(slc[0])))
        assert abs(peak - 200.3) < 1
        want = -4 * math.pi * fc * target / C
        assert abs(wrap(float(np.angle(slc[0, peak])) - want)) < 2e-3
        # not the carrier's phase: the sub-band's differs from it by 4 pi (f0 - fc) R / c
        assert abs(wrap(4 * math.pi * (F0 - fc) * target / C)) > 0.1


@pytest.mark.parametrize("d", [0.004, 0.017, -0.011])
def test_sub_band_interferogram_phase_scales_with_frequency(d):
    """A non-dispersive range change d: full-band phase 4 pi f0 d / c, sub-band phases
    4 pi f_sub d / c = phi0 f_sub / f0."""
    target = R0 + 300.6 * DR
    s1, s2 = point_target(target), point_target(target + d)
    bands = subbands(B, F0)
    phi0 = 4 * math.pi * F0 * d / C
    for (a, b), fc in zip(zip(split(s1, bands), split(s2, bands)), (bands.low, bands.high)):
        peak = int(np.argmax(np.abs(a[0])))
        phase = np.angle(a[0, peak] * np.conj(b[0, peak]))
        assert phase == pytest.approx(phi0 * fc / F0, abs=2e-3)
    # the two sub-bands differ by phi0 (fH - fL) / f0: what the separation measures
    lo, hi = (np.angle(x[0, 300] * np.conj(y[0, 300])) for x, y in zip(split(s1, bands),
                                                                         split(s2, bands)))
    assert hi - lo == pytest.approx(phi0 * (bands.high - bands.low) / F0, abs=2e-3)


def test_split_raster_matches_the_in_memory_band_pass(tmp_path):
    rng = np.random.default_rng(3)
    slc = (rng.standard_normal((37, 300)) + 1j * rng.standard_normal((37, 300))).astype(np.complex64)
    src = tmp_path / "a.slc"
    isce.io.write_raster(str(src), slc, image_type="slc")
    bands = subbands(B, F0)
    outs = [tmp_path / "low" / "a.slc", tmp_path / "high" / "a.slc"]
    for o in outs:
        o.parent.mkdir()
    split_raster(src, outs, bands=bands, sampling_rate=FS, center_frequency=F0,
                 starting_range=R0, range_pixel_spacing=DR, block_lines=10)
    for out, want in zip(outs, split(slc, bands)):
        got = isce.io.open(str(out)).read()
        assert got.shape == slc.shape
        np.testing.assert_allclose(got, want, atol=1e-5 * np.abs(want).max())


def test_sub_bands_outside_the_sampled_spectrum_are_refused(tmp_path):
    src = tmp_path / "a.slc"
    isce.io.write_raster(str(src), np.ones((4, 64), np.complex64), image_type="slc")
    wide = SubBands(F0 - 20e6, F0 + 20e6, 10e6)          # beyond +-fs/2
    with pytest.raises(ValueError, match="outside the sampled spectrum"):
        split_raster(src, [tmp_path / "l.slc", tmp_path / "h.slc"], bands=wide, sampling_rate=FS,
                     center_frequency=F0, starting_range=R0, range_pixel_spacing=DR)
    assert not (tmp_path / "l.slc").exists() and not (tmp_path / "h.slc").exists()
