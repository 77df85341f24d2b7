"""NISAR L0B reader on the real ALOS-1 PALSAR echoes of the test data's alos1_l0b (ISCE3's).

1000 pulses x 2200 samples, 5-bit samples through a BFPQ lookup table, fc 1270 MHz, 14 MHz /
27 us chirp, fs 16 MHz, PRF 2150.538 Hz, right-looking (../shared/data/README.md and
../shared/reference/nisar-hdf5-layout.md). Found through tests/conftest.py (shared_data).
"""
import textwrap

import h5py
import numpy as np
import pytest

import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.focus.fft import next_fast_len
from isce.focus.rangecomp import compress_lines, range_compress, range_filter, valid_samples
from isce.framework import Application, CommandLine, Facility, Parameter
from isce.simulate.alos_ceos import write_ceos
from isce.sensors.nisar_l0b import read_nisar_l0b
from isce.sensors.raw import RawProduct

NAME = "ALPSRP264757150-H1.0__A_HH_LINE4000-5000_RANGE0-2200.h5"
GROUP = "science/LSAR/RRSD/swaths/frequencyA/txH"


@pytest.fixture(scope="module")
def l0b_file(shared_data):
    """The real ALOS-1 L0B file."""
    return shared_data("alos1_l0b", NAME)


@pytest.fixture(scope="module")
def product(l0b_file) -> RawProduct:
    return read_nisar_l0b(l0b_file)


@pytest.fixture(scope="module")
def echoes(product) -> np.ndarray:
    return product.read()


def test_metadata_match_the_readme(product):
    p = product
    assert (p.length, p.width) == (1000, 2200)
    assert str(p.reference_epoch) == "2011-01-13T00:00:00.000000000"
    assert p.sensing_start == pytest.approx(9267.825928, abs=1e-6)      # 02:34:27.825928
    assert p.prf == pytest.approx(2150.538, abs=1e-3)
    assert p.starting_range == 847166.0
    assert p.range_sampling_rate == pytest.approx(16e6, rel=1e-12)
    assert SPEED_OF_LIGHT / p.wavelength == pytest.approx(1269.99975e6, abs=1.0)
    assert p.chirp_slope == pytest.approx(-5.185e11, rel=1e-3) and p.chirp_slope < 0
    assert p.pulse_length == pytest.approx(27e-6, rel=1e-12)
    assert p.chirp_bandwidth == pytest.approx(14e6, rel=1e-9)
    assert p.look_side == "right" and p.polarization == "HH"
    assert p.platform == p.mission == "ALOS"
    assert len(p.orbit) == 28 and np.allclose(np.diff(p.orbit.time), 60.0)
    assert p.orbit.start_time <= p.sensing_start and p.pulse_time(999) <= p.orbit.end_time
    speed = np.linalg.norm(p.orbit.interpolate(p.sensing_start)[1])
    assert 7400 < speed < 7700
    assert p.source.kind == "l0b" and p.source.params["encoding"] == "bfpq"
    assert p.attributes["range_bandwidth"] == 14e6


def test_echoes_are_the_lookup_table_values(l0b_file, product, echoes):
    p = product
    with h5py.File(l0b_file, "r") as f:
        codes = f[f"{GROUP}/rxH/HH"][()]
        lut = f[f"{GROUP}/rxH/BFPQLUT"][()]
    # the ALOS table: code - 15.5 for the 5-bit codes 0..31; the fill value 32768 reads as 0
    np.testing.assert_array_equal(lut[:32], np.arange(32) - 15.5)
    assert lut[32768] == 0.0
    e = echoes
    assert e.dtype == np.complex64 and e.shape == (1000, 2200)
    np.testing.assert_array_equal(e.real, lut[codes["r"]])
    np.testing.assert_array_equal(e.imag, lut[codes["i"]])
    assert codes["r"].max() <= 31 and codes["i"].max() <= 31
    assert set(np.unique(e.real)) <= set(np.arange(32) - 15.5)
    assert abs(e.mean()) < 0.3                       # the bias is removed
    assert 6.0 < e.real.std() < 8.5 and 6.0 < e.imag.std() < 8.5
    np.testing.assert_array_equal(p.read(slice(100, 110)), e[100:110])


# ---------------------------------------------------------------------------- range compression
# What range compression must do to these echoes, from the chirp and the sample counts.
# The scene is the Amazon forest (ISCE3 uses these echoes for the elevation-pattern rising edge,
# which needs a homogeneous scene): fully developed speckle, no point-like scatterer.
#  * Mean power gain of the plain matched filter (correlation with the unweighted chirp c of
#    N = tau fs = 27 us x 16 MHz = 432 samples, |c| = 1): white input (receiver noise) gains
#    sum |c|^2 = N (26.35 dB); scene echoes, which are the chirp convolved with a white
#    reflectivity, gain sum_k |R(k)|^2 / N with R the chirp's autocorrelation, ~ N fs / B =
#    TB (fs / B)^2 = 378 x (16/14)^2 = 494 (26.93 dB; 26.95 dB from this chirp's own R). The
#    echoes are nearly all scene (1.4 % of their power outside the 14 MHz band, where white
#    noise would put 12.5 %), so the gain lies between the two, 0.2 dB allowed on either side
#    for the receive chain's in-band shape and the 5-bit quantisation, which the model leaves out.
#  * Speckle contrast std(I) / mean(I) of the compressed intensity I: 1 for fully developed
#    speckle (each output sums N echo samples, so it is circular Gaussian whatever the 5-bit
#    ADC did, and I is exponential). Over the ~1.5e5 independent cells here (1000 lines x 1768
#    samples, ~10 correlated pulses per beam and fs/B = 1.14 samples per resolution cell) the
#    estimate's own spread is < 0.01; 0.05 allowed for texture of the forest.
#    The raw intensity is not exponential: ~5 % of the I and Q samples sit at the 5-bit clip
#    levels +-15.5, which cuts the tail: contrast well below 1.
#  * Peak-to-mean: the raw peak is a clip corner, |15.5 + 15.5j|^2 = 480.5 against a mean power
#    of 106 (6.6 dB). The compressed peak is the largest of M exponential intensities: its
#    expectation ln M + gamma (11.75 dB for M = 1000 x 1768; Gumbel spread +-0.4 dB), per line
#    the median of the largest of m = 1768: ln m + ln(1 / ln 2) (8.95 dB), 1 dB and 0.3 dB
#    allowed. So the gain in peak-to-mean is ~5 dB, not 10: 10 dB needs a scatterer, which the
#    positive control below injects (test_a_point_target_in_the_real_clutter_gains_10_db), and
#    the azimuth-averaged compressed profile shows there is none here (< 1 dB above its median,
#    where a scatterer of s times the clutter power in every line adds 10 log10(1 + N s)).
EULER_GAMMA = 0.5772156649015329
LN_1_OVER_LN_2 = float(np.log(1 / np.log(2)))      # median of the Gumbel law: ln m + this


def _correlate(e, chirp):
    """Plain matched filter (correlation with the chirp; no weighting, no normalisation), lines x
    samples. Output k is the echo *starting* at raw sample k, so only k = 0 .. width - n_chirp
    (width - n_chirp + 1 samples) hold whole echoes; only those are kept."""
    n = e.shape[1] + chirp.size
    spec = np.fft.fft(e, n, axis=1) * np.conj(np.fft.fft(chirp, n))
    return np.fft.ifft(spec, axis=1)[:, :e.shape[1] - chirp.size + 1]


def _power(x):
    return np.abs(np.asarray(x, dtype=np.complex128)) ** 2


def _peak_to_mean_db(x):
    power = _power(x)
    return float(10 * np.log10(power.max() / power.mean()))


def _line_peak_to_mean_db(x):
    """Median over the lines of each line's peak-to-mean power [dB]."""
    power = _power(x)
    return float(np.median(10 * np.log10(power.max(axis=1) / power.mean(axis=1))))


def _speckle_contrast(x):
    """std(I) / mean(I) of the intensity I = |x|^2: 1 for fully developed speckle."""
    power = _power(x)
    return float(power.std() / power.mean())


def _moment_ratio(x):
    """<I^2> / <I>^2 = 1 + contrast^2: 2 for fully developed speckle, more with texture or
    bright points."""
    power = _power(x)
    return float(np.mean(power ** 2) / np.mean(power) ** 2)


def _chirp_gains_db(chirp):
    """Mean power gain [dB] of correlating with ``chirp``: of white input (sum |c|^2) and of
    echoes that are the chirp convolved with white reflectivity (sum |R|^2 / sum |c|^2)."""
    c = np.asarray(chirp, dtype=np.complex128)
    spectrum = np.abs(np.fft.fft(c, 2 * c.size)) ** 2          # |C|^2: R's transform, no wrap
    energy = float(np.sum(np.abs(c) ** 2))
    sum_r2 = float(np.sum(spectrum ** 2) / spectrum.size)      # Parseval: sum_k |R(k)|^2
    return 10 * np.log10(energy), 10 * np.log10(sum_r2 / energy)


def _running_median(v, width=101):
    half = width // 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(v, half, mode="edge"), width)
    return np.median(windows, axis=1)


@pytest.fixture(scope="module")
def compression_numbers(product, echoes):
    """Measured statistics of the raw and range-compressed echoes, and their theory."""
    p = product
    e = echoes.astype(np.complex128)
    e0 = e - e.mean()
    chirp = p.chirp()
    rc = range_compress(p)                          # isce.focus.rangecomp, the product's chirp
    first, stop = rc.valid
    c = rc.data[:, first:stop]
    x = _correlate(e0, chirp)
    corners = np.array([15.5 + 15.5j, 15.5 - 15.5j, -15.5 + 15.5j, -15.5 - 15.5j]) - e.mean()
    profile = _power(c).mean(axis=0)                # azimuth-averaged compressed power
    white_db, chirp_db = _chirp_gains_db(chirp)
    return {
        "chirp_samples": chirp.size, "valid": (first, stop),
        "white_gain_db": white_db, "echo_gain_db": chirp_db,
        "ideal_echo_gain_db": float(10 * np.log10(p.pulse_length * p.range_sampling_rate ** 2
                                                  / p.chirp_bandwidth)),
        "raw_db": _peak_to_mean_db(e0),
        "raw_clip_bound_db": float(10 * np.log10(np.max(np.abs(corners) ** 2)
                                                  / _power(e0).mean())),
        "raw_line_db": _line_peak_to_mean_db(e0),
        "compressed_db": _peak_to_mean_db(c),
        "compressed_line_db": _line_peak_to_mean_db(c),
        "speckle_db": float(10 * np.log10(np.log(c.size) + EULER_GAMMA)),
        "speckle_line_db": float(10 * np.log10(np.log(c.shape[1]) + LN_1_OVER_LN_2)),
        "raw_contrast": _speckle_contrast(e0),
        "contrast": _speckle_contrast(c),
        "xcorr_contrast": _speckle_contrast(x),
        "profile_peak_db": float(10 * np.log10(np.max(profile / _running_median(profile)))),
        "xcorr_db": _peak_to_mean_db(x),
        "xcorr_line_db": _line_peak_to_mean_db(x),
        "gain_db": float(10 * np.log10(_power(x).mean() / _power(e0).mean())),
        "rc_vs_xcorr_power_db": float(10 * np.log10(_power(c).mean() * chirp.size ** 2
                                                     / _power(x).mean())),
    }


def test_range_compression_with_the_products_chirp(compression_numbers):
    n = compression_numbers
    assert n["chirp_samples"] == 432                              # 27 us at 16 MHz
    assert n["valid"] == (216, 2200 - 216)
    # range_compress (normalised by the chirp length, band-limited to 14 MHz of the 16) agrees
    # with the plain correlation: same power within the out-of-band share, same line statistics
    assert n["rc_vs_xcorr_power_db"] == pytest.approx(0.0, abs=0.3), n
    assert n["compressed_line_db"] == pytest.approx(n["xcorr_line_db"], abs=0.2), n
    # compressed pulses stand out more than the raw (5-bit, clipped) echoes do
    assert n["compressed_db"] > n["raw_db"] + 4.0, n
    assert n["xcorr_db"] > n["raw_db"] + 4.0, n
    assert n["compressed_line_db"] > n["raw_line_db"] + 2.0, n


def test_mean_power_gain_is_the_chirps(compression_numbers):
    """The matched filter's mean power gain lies between the white-noise gain N (26.35 dB) and
    the gain of chirp-shaped echoes (26.95 dB), 0.2 dB allowed (see the comment above)."""
    n = compression_numbers
    assert n["white_gain_db"] == pytest.approx(10 * np.log10(432), abs=1e-6), n
    assert n["echo_gain_db"] == pytest.approx(n["ideal_echo_gain_db"], abs=0.05), n
    assert n["white_gain_db"] - 0.2 <= n["gain_db"] <= n["echo_gain_db"] + 0.2, n


def test_the_scene_is_homogeneous_speckle(compression_numbers):
    """Speckle contrast and peaks of the compressed echoes as the theory above says."""
    n = compression_numbers
    # the raw peak is a clip corner of the 5-bit ADC, and clipping cuts the intensity's tail
    assert n["raw_db"] == pytest.approx(n["raw_clip_bound_db"], abs=0.1), n
    assert n["raw_db"] < 7.0 and n["raw_line_db"] < 7.0, n
    assert n["raw_contrast"] < 0.95, n
    # the compressed echoes are fully developed speckle: contrast 1, peaks as ln M
    assert n["contrast"] == pytest.approx(1.0, abs=0.05), n
    assert n["xcorr_contrast"] == pytest.approx(1.0, abs=0.05), n
    assert n["compressed_db"] == pytest.approx(n["speckle_db"], abs=1.0), n
    assert n["compressed_line_db"] == pytest.approx(n["speckle_line_db"], abs=0.3), n
    # no persistent bright scatterer: a point echo of s times the clutter power in every line
    # would raise the azimuth-averaged profile by 10 log10(1 + 432 s) (s = -12 dB: +15 dB)
    assert n["profile_peak_db"] < 1.0, n


def _azimuth_compress(x, ka, fdc, prf, aperture=500):
    """Partial-aperture azimuth matched filter (lines x ranges; ``ka`` per range [Hz/s], azimuth
    phase exp(-j pi ka t^2), beam centre at Doppler ``fdc``); the whole-aperture outputs only."""
    lines = x.shape[0]
    t = (np.arange(aperture) - (aperture - 1) / 2) / prf
    ref = np.exp(-1j * np.pi * ka[None, :] * (t[:, None] - fdc / ka[None, :]) ** 2)
    m = lines + aperture
    out = np.fft.ifft(np.fft.fft(x, m, axis=0) * np.conj(np.fft.fft(ref, m, axis=0)), axis=0)
    return out[:lines - aperture + 1]


@pytest.fixture(scope="module")
def two_d_numbers(product, echoes):
    """<I^2> / <I>^2 and peak-to-mean after range and partial-aperture (500 pulses) azimuth
    compression, with the metadata chirp slope or the opposite one (= I/Q swapped) and either
    azimuth FM sign."""
    p = product
    e0 = echoes.astype(np.complex128)
    e0 -= e0.mean()
    chirp = p.chirp().astype(np.complex128)
    c0 = (chirp.size - 1) / 2
    ranges = p.starting_range + (np.arange(p.width - chirp.size + 1) + c0) * SPEED_OF_LIGHT \
        / (2 * p.range_sampling_rate)
    pos, vel = p.orbit.interpolate(p.pulse_time(p.length // 2))[:2]
    vs, rs, re = np.linalg.norm(vel), np.linalg.norm(pos), 6378.0e3
    ka = 2 * vs ** 2 * (re / rs) / (p.wavelength * ranges)     # 2 Veff^2 / (lambda R)
    out = {"ka": (float(ka[0]), float(ka[-1]))}
    for slope, replica in (("K", chirp), ("-K", np.conj(chirp))):
        x = _correlate(e0, replica)
        lag1 = np.sum(x[1:] * np.conj(x[:-1]))
        fdc = float(np.angle(lag1) / (2 * np.pi) * p.prf)
        for sign in (1, -1):
            y = _azimuth_compress(x, sign * ka, fdc, p.prf)
            out[(slope, sign)] = {"moment_ratio": _moment_ratio(y), "peak_db": _peak_to_mean_db(y),
                                  "fdc": fdc}
    return out


def test_the_metadata_chirp_slope_focuses(two_d_numbers):
    """Range speckle alone cannot tell the chirp's sign (|H| is the same); the 2-D focus can: only
    the metadata slope (-5.19e11 Hz/s) with the decoded I/Q and the azimuth FM rate
    2 Veff^2 / (lambda R) raise <I^2> / <I>^2 above speckle's 2 (texture, weak scatterers)."""
    n = two_d_numbers
    assert 500 < n["ka"][1] < n["ka"][0] < 530, n
    assert n[("K", 1)]["fdc"] == pytest.approx(60.0, abs=10.0), n     # Doppler centroid [Hz]
    best = n[("K", 1)]["moment_ratio"]
    assert best > 2.12, n
    for key in (("K", -1), ("-K", 1), ("-K", -1)):
        assert best > n[key]["moment_ratio"] + 0.08, (key, n)


def test_a_point_target_in_the_real_clutter_gains_10_db(product, echoes):
    """Positive control: a point echo at -10 dB of the clutter power (in every line, centred on
    sample 1000) added to the real echoes and re-quantised to the 5-bit levels compresses to a
    peak-to-mean 10 dB above the raw one, at sample 1000."""
    p = product
    e = echoes.astype(np.complex128)
    chirp = p.chirp()
    clutter = _power(e - e.mean()).mean()
    u = (np.arange(p.width) - 1000) / p.range_sampling_rate            # echo centred on sample 1000
    echo = np.where(np.abs(u) <= p.pulse_length / 2, np.exp(1j * np.pi * p.chirp_slope * u * u), 0)
    t = np.arange(p.length)[:, None] / p.prf
    target = np.sqrt(0.1 * clutter) * echo[None, :] * np.exp(2j * np.pi * 60.0 * t)

    def quantise(v):
        return np.clip(np.floor(v) + 0.5, -15.5, 15.5)

    mixed = e + target
    raw = quantise(mixed.real) + 1j * quantise(mixed.imag)
    raw -= raw.mean()
    nfft = next_fast_len(p.width + chirp.size - 1)
    rc = compress_lines(raw.astype(np.complex64), range_filter(p, nfft), p.width)
    first, stop = valid_samples(p)
    c = rc[:, first:stop]
    assert abs(int(np.argmax(_power(c).mean(axis=0))) + first - 1000) <= 1
    raw_db, compressed_db = _peak_to_mean_db(raw), _peak_to_mean_db(c)
    assert raw_db < 7.0
    assert compressed_db >= raw_db + 10.0, (raw_db, compressed_db)


def test_l0b_to_alos_ceos_and_back_is_exact(tmp_path, product, echoes):
    """The ALOS codes survive the CEOS writer unchanged (scale 1, bias 15.5)."""
    p = product
    back = write_ceos(p, tmp_path / "IMG-HH", tmp_path / "LED", scale=1.0)
    np.testing.assert_array_equal(back.read(), echoes)
    for name in ("sensing_start", "prf", "starting_range", "range_sampling_rate", "length", "width",
                 "wavelength", "look_side", "chirp_slope", "pulse_length", "polarization"):
        assert getattr(back, name) == getattr(p, name), name
    assert back.orbit.reference_epoch == p.orbit.reference_epoch
    np.testing.assert_allclose(back.orbit.position, p.orbit.position, atol=1e-6)
    led = (tmp_path / "LED").read_bytes()
    assert int.from_bytes(led[720 + 4096 + 8:720 + 4096 + 12], "big") == 4680   # JAXA's record


def test_nisar_l0b_sensor_from_xml(tmp_path, monkeypatch, l0b_file, echoes):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    (tmp_path / "focus.xml").write_text(textwrap.dedent(f"""
        <focus>
          <component name="focus">
            <property name="sensor name">NISAR_L0B</property>
            <component name="raw">
              <property name="HDF5"><value>{l0b_file}</value></property>
              <property name="polarization">hh</property>
              <property name="OUTPUT">raw/alos.raw</property>
            </component>
          </component>
        </focus>"""))

    class Focus(Application):
        """Reads one raw product (a test of the sensor facility)."""

        family = "focus"
        instance_name = "focus"
        parameters = (Parameter("sensor_name", public_name="sensor name", default="ALOS"),)
        facilities = (Facility("raw", factory="isce.sensors:create", args=("sensor_name",),
                               kwargs={"name": "raw"}, public_name="raw"),)

    app = Focus()
    app.configure_from(CommandLine.parse([str(tmp_path / "focus.xml")]))
    reader = app.raw
    assert type(reader).__name__ == "NisarL0b" and reader.polarization == "HH"
    out = reader.extract()
    assert out.source.kind == "raster"
    np.testing.assert_array_equal(out.read(), echoes)
    assert RawProduct.load(str(tmp_path / "raw" / "alos.raw.json")).to_dict() == out.to_dict()
    assert "NISAR_L0B" in isce.sensors.SENSORS
