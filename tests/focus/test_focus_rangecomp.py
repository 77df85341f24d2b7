"""Range compression: the peak sits at the echo's exact delay, weighting lowers the
sidelobes, valid samples are recorded, and written data read back the same."""
import math

import numpy as np
import pytest

from focus_helpers import cut_metrics
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit
from isce.focus.rangecomp import load_range_compressed, range_compress, range_filter
from isce.sensors.raw import RawProduct, RawSource, register_decoder

_ARRAYS = {}
register_decoder("test-array", lambda src, rows: _ARRAYS[src.path][rows])


def _raw(data, fs, slope, pulse, r0=850e3):
    key = f"a{len(_ARRAYS)}"
    _ARRAYS[key] = data
    t = np.arange(10.0)
    orbit = Orbit(t, np.c_[7e6 + 0 * t, 7000 * t, 0 * t], np.tile([0.0, 7000.0, 0.0], (10, 1)),
                  "2020-01-01")
    return RawProduct(orbit=orbit, sensing_start=0.0, prf=2000.0, starting_range=r0,
                      range_sampling_rate=fs, length=data.shape[0], width=data.shape[1],
                      wavelength=0.236, look_side="right", chirp_slope=slope, pulse_length=pulse,
                      source=RawSource("test-array", key))


def _echoes(delays, width, fs, slope, pulse):
    """One echo per line, centred on the delay (samples), as the RawProduct contract says."""
    t = np.arange(width) / fs
    out = np.zeros((len(delays), width), np.complex64)
    for i, d in enumerate(delays):
        u = t - d / fs
        out[i] = np.where(np.abs(u) <= pulse / 2, np.exp(1j * np.pi * slope * u * u), 0)
    return out


def _peak(line, factor=64):
    k = int(np.argmax(np.abs(line)))
    n = 64
    chip = line[k - n // 2:k + n // 2].astype(np.complex128)
    spec = np.fft.fftshift(np.fft.fft(chip))
    big = np.zeros(n * factor, complex)
    big[n * factor // 2 - n // 2:n * factor // 2 + n // 2] = spec
    up = np.fft.ifft(np.fft.ifftshift(big)) * factor
    m = int(np.argmax(np.abs(up)))
    y = np.abs(up[m - 1:m + 2]) ** 2
    off = 0.5 * (y[0] - y[2]) / (y[0] - 2 * y[1] + y[2])
    return k - n // 2 + (m + off) / factor, up


@pytest.mark.parametrize("fs,bw,pulse", [(32e6, 28e6, 27e-6), (24e6, 20e6, 20e-6),
                                         (32e6, 14e6, 27.03e-6)])
@pytest.mark.parametrize("sign", [1, -1])
def test_peak_at_exact_delay(fs, bw, pulse, sign):
    slope = sign * bw / pulse
    delays = [700.3, 1000.0, 1200.77, 1500.5, 1333.125]
    raw = _raw(_echoes(delays, 2048, fs, slope, pulse), fs, slope, pulse)
    rc = range_compress(raw)
    for i, d in enumerate(delays):
        pos, _ = _peak(rc.data[i])
        assert abs(pos - d) < 1 / 64, (d, pos)
        assert abs(pos - d) < 1e-3               # what it reaches: ~5e-5 sample
        # a unit echo compresses to a peak of about 1
        assert abs(np.abs(rc.data[i]).max() - 1) < 0.35


def test_valid_samples_and_phase():
    fs, bw, pulse = 32e6, 28e6, 27e-6
    raw = _raw(_echoes([900.0], 2048, fs, bw / pulse, pulse), fs, bw / pulse, pulse)
    rc = range_compress(raw)
    n = raw.chirp().size
    assert rc.valid == (math.ceil((n - 1) / 2), 2048 - math.ceil((n - 1) / 2))
    # a delay on a sample: the compressed sample is real positive (phase 0)
    assert abs(np.angle(rc.data[0, 900])) < 1e-3


@pytest.mark.parametrize("kind,beta,pslr_max,width", [("rect", 0, -13.0, (0.85, 0.92)),
                                                      ("hamming", 0, -35.0, (1.25, 1.36)),
                                                      ("kaiser", 2.5, -18.0, (0.95, 1.15))])
def test_weighting(kind, beta, pslr_max, width):
    fs, bw, pulse = 32e6, 28e6, 27e-6
    raw = _raw(_echoes([1000.25], 2048, fs, bw / pulse, pulse), fs, bw / pulse, pulse)
    rc = range_compress(raw, window_kind=kind, beta=beta)
    _, up = _peak(rc.data[0])
    m = cut_metrics(np.abs(up) ** 2, 64)
    assert m["pslr"] < pslr_max
    irw_b = m["irw"] * bw / fs                   # in units of 1/B
    assert width[0] < irw_b < width[1], irw_b


def test_filter_includes_the_inverse_fft_normalisation():
    fs, bw, pulse = 32e6, 28e6, 27e-6
    raw = _raw(np.zeros((1, 16), np.complex64), fs, bw / pulse, pulse)
    a = range_filter(raw, 2048)
    b = range_filter(raw, 2048, normalise_ifft=False)
    assert np.allclose(a * 2048, b, rtol=1e-5, atol=1e-9)


def test_written_and_read_back(tmp_path):
    fs, bw, pulse = 32e6, 28e6, 27e-6
    data = _echoes([800.5, 1200.0, 999.9], 2048, fs, bw / pulse, pulse)
    raw = _raw(data, fs, bw / pulse, pulse)
    mem = range_compress(raw, block_lines=2)
    disk = range_compress(raw, tmp_path / "x.rc", block_lines=2)
    assert disk.path == str(tmp_path / "x.rc")
    assert np.array_equal(np.asarray(disk.data), mem.data)
    again = load_range_compressed(tmp_path / "x.rc.json")
    assert again.valid == mem.valid and again.bandwidth == pytest.approx(bw)
    assert again.raw.range_pixel_spacing == pytest.approx(SPEED_OF_LIGHT / (2 * fs))
    assert (tmp_path / "x.rc.xml").exists() and (tmp_path / "x.rc.vrt").exists()
