"""Range band-pass: synthetic tones, and the San Andreas golden check of the data
README (SanAnd_138, 40 MHz at 1253 MHz, band-passed to the 20 MHz band of
SanAnd_129 at 1243 MHz, then 11x11 looks: mean coherence over [3:-2, 3:-2] = 1 +- 0.02)."""

import numpy as np
import pytest

from isce.signal.bandpass import SPEED_OF_LIGHT, bandpass_range, match_range_band, resample_range
from isce.signal.crossmul import crossmul


FS = 48e6


def tone(freq_hz, n=256, lines=3, fs=FS):
    return np.tile(np.exp(2j * np.pi * freq_hz / fs * np.arange(n)), (lines, 1)).astype(np.complex64)


def dominant_frequency(x, fs=FS):
    spec = np.abs(np.fft.fft(x[0])) ** 2
    return np.fft.fftfreq(x.shape[1], 1 / fs)[np.argmax(spec)]


def test_bandpass_keeps_tones_in_band_and_removes_the_others():
    fc = 1253e6
    inside = tone(-12e6)           # 1241 MHz: inside 1243 +- 10 MHz
    outside = tone(+9e6)           # 1262 MHz: outside
    kw = dict(sampling_rate=FS, center_frequency=fc, new_center_frequency=1243e6,
              new_bandwidth=20e6, shift=False)
    core = (slice(None), slice(64, 192))
    kept = bandpass_range(inside + outside, **kw)
    assert np.abs(kept - inside)[core].max() < 0.05
    assert np.abs(bandpass_range(outside, **kw))[core].max() < 0.05


def test_bandpass_shift_moves_the_band_to_the_new_centre():
    fc, fc_new = 1253e6, 1243e6
    x = tone(-12e6)                # radio frequency 1241 MHz
    y = bandpass_range(x, sampling_rate=FS, center_frequency=fc, new_center_frequency=fc_new,
                       new_bandwidth=20e6)
    # 1241 MHz is -2 MHz from the new centre
    assert abs(dominant_frequency(y) - (-2e6)) < FS / 256
    # the shift is exp(+j 4 pi (fc - fc_new) r / c) with absolute range r
    r0 = 16573.076404
    dr = SPEED_OF_LIGHT / (2 * FS)
    ya = bandpass_range(x, sampling_rate=FS, center_frequency=fc, new_center_frequency=fc_new,
                        new_bandwidth=20e6, starting_range=r0)
    expect = y * np.exp(1j * 4 * np.pi * (fc - fc_new) * r0 / SPEED_OF_LIGHT)
    np.testing.assert_allclose(ya, expect, atol=1e-5)
    assert dr > 0


def test_bandpass_rejects_a_band_outside_the_spectrum():
    with pytest.raises(ValueError, match="outside the sampled spectrum"):
        bandpass_range(tone(0), sampling_rate=FS, center_frequency=1253e6,
                       new_center_frequency=1223e6, new_bandwidth=20e6)
    with pytest.raises(ValueError, match="outside the processed band"):
        bandpass_range(tone(0), sampling_rate=FS, center_frequency=1253e6, bandwidth=20e6,
                       new_center_frequency=1243e6, new_bandwidth=20e6)


@pytest.mark.parametrize("n", [50, 51])
def test_resample_range_round_trip(n):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((4, n)) + 1j * rng.standard_normal((4, n))).astype(np.complex64)
    up = resample_range(x, 2.0)
    assert up.shape == (4, 2 * n)
    np.testing.assert_allclose(up[:, ::2], x, atol=1e-5)
    np.testing.assert_allclose(resample_range(up, width=n), x, atol=1e-5)
    with pytest.raises(ValueError, match="not an integer"):
        resample_range(x, 0.33)


# ------------------------------------------------------------------ golden: San Andreas
@pytest.fixture(scope="module")
def sanandreas(shared_data):
    from signal_products import read_slc

    return (read_slc(shared_data("sanandreas", "SanAnd_129.h5")),
            read_slc(shared_data("sanandreas", "SanAnd_138.h5")))


def range_ramp(ifg):
    """Range phase ramp [rad/pixel]: peak of the range periodogram of the interferogram
    (summed over lines, 1/16384 cycle/pixel resolution), robust to speckle."""
    spectrum = np.abs(np.fft.fft(ifg, n=16384, axis=1)).sum(axis=0)
    return float(2 * np.pi * np.fft.fftfreq(16384)[np.argmax(spectrum)])


def test_golden_sanandreas_bandpassed_coherence(sanandreas):
    low, high = sanandreas
    assert high.image.shape == (150, 400) and low.image.shape == (150, 200)
    assert abs(high.starting_range - low.starting_range) < 1e-6
    matched = match_range_band(high.image, sampling_rate=high.sampling_rate,
                               center_frequency=high.center_frequency, bandwidth=high.bandwidth,
                               new_sampling_rate=low.sampling_rate,
                               new_center_frequency=low.center_frequency,
                               new_bandwidth=low.bandwidth, starting_range=high.starting_range)
    assert matched.shape == low.image.shape
    res = crossmul(low.image, matched, 11, 11)
    coh = float(res.coherence[3:-2, 3:-2].mean())
    ramp = range_ramp(low.image * np.conj(matched))
    print(f"SanAnd 138 band-passed to 129, 11x11 looks: mean coherence [3:-2, 3:-2] = {coh:.4f} "
          f"(tolerance 1 +- 0.02); range phase ramp {ramp:+.4f} rad/pixel")
    assert abs(coh - 1.0) <= 0.02
    assert abs(ramp) < 0.01
    # common-band filtering: 129 also limited to its nominal 20 MHz (it has energy
    # out to +-12 MHz that 138's band-passed copy lacks) raises the coherence further
    low_cb = bandpass_range(low.image, sampling_rate=low.sampling_rate,
                            center_frequency=low.center_frequency,
                            new_center_frequency=low.center_frequency, new_bandwidth=low.bandwidth)
    coh_cb = float(crossmul(low_cb, matched, 11, 11).coherence[3:-2, 3:-2].mean())
    print(f"  with 129 also band-passed to 20 MHz (common band): {coh_cb:.4f}")
    assert coh_cb > coh


def test_golden_sanandreas_without_bandpass_is_incoherent(sanandreas):
    """Taking every other sample of 138 (no band-pass, no shift) or band-passing
    without the centre-frequency shift leaves a range ramp of 2 pi 10 MHz / 24 MHz
    (2.62 rad/pixel) and a low coherence."""
    low, high = sanandreas
    expected = 2 * np.pi * (high.center_frequency - low.center_frequency) / low.sampling_rate
    decimated = high.image[:, ::2]
    coh_dec = float(crossmul(low.image, decimated, 11, 11).coherence[3:-2, 3:-2].mean())
    ramp_dec = range_ramp(low.image * np.conj(decimated))
    unshifted = bandpass_range(high.image, sampling_rate=high.sampling_rate,
                               center_frequency=high.center_frequency,
                               new_center_frequency=low.center_frequency,
                               new_bandwidth=low.bandwidth, shift=False)[:, ::2]
    coh_uns = float(crossmul(low.image, unshifted, 11, 11).coherence[3:-2, 3:-2].mean())
    ramp_uns = range_ramp(low.image * np.conj(unshifted))
    print(f"SanAnd without band-pass: coherence {coh_dec:.3f}, ramp {ramp_dec:+.3f} rad/pixel; "
          f"band-passed without shift: coherence {coh_uns:.3f}, ramp {ramp_uns:+.3f} rad/pixel "
          f"(2 pi df / fs = {expected:.3f})")
    for coh, ramp in ((coh_dec, ramp_dec), (coh_uns, ramp_uns)):
        assert coh < 0.5
        assert abs(ramp - expected) < 0.01
