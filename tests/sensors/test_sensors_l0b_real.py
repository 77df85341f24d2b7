"""NISAR L0B reader on the real ALOS-1 PALSAR echoes of ../shared/data/alos1_l0b (ISCE3 test data).

1000 pulses x 2200 samples, 5-bit samples through a BFPQ lookup table, fc 1270 MHz, 14 MHz /
27 us chirp, fs 16 MHz, PRF 2150.538 Hz, right-looking (../shared/data/README.md and
../shared/reference/nisar-hdf5-layout.md). Skipped, with the reason, when the data are absent.
"""
import textwrap
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py", reason="h5py is needed to read NISAR L0B products")

import isce.sensors  # noqa: E402
from isce.core.constants import SPEED_OF_LIGHT  # noqa: E402
from isce.focus.fft import next_fast_len  # noqa: E402
from isce.focus.rangecomp import (compress_lines, range_compress, range_filter,  # noqa: E402
                                  valid_samples)
from isce.framework import Application, CommandLine, Facility, Parameter  # noqa: E402
from isce.sensors.alos_ceos import write_ceos  # noqa: E402
from isce.sensors.nisar_l0b import read_nisar_l0b  # noqa: E402
from isce.sensors.raw import RawProduct  # noqa: E402

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NAME = "ALPSRP264757150-H1.0__A_HH_LINE4000-5000_RANGE0-2200.h5"
GROUP = "science/LSAR/RRSD/swaths/frequencyA/txH"


def l0b_file() -> Path:
    path = DATA / "alos1_l0b" / NAME
    if not path.exists():
        pytest.skip(f"real test data not found at {path} (../shared/data beside the repository; "
                    "present in CI only)")
    return path


_cache = {}


def product() -> RawProduct:
    if "p" not in _cache:
        _cache["p"] = read_nisar_l0b(l0b_file())
    return _cache["p"]


def echoes() -> np.ndarray:
    if "e" not in _cache:
        _cache["e"] = product().read()
    return _cache["e"]


def test_metadata_match_the_readme():
    p = product()
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


def test_echoes_are_the_lookup_table_values():
    p = product()
    with h5py.File(l0b_file(), "r") as f:
        codes = f[f"{GROUP}/rxH/HH"][()]
        lut = f[f"{GROUP}/rxH/BFPQLUT"][()]
    # the ALOS table: code - 15.5 for the 5-bit codes 0..31; the fill value 32768 reads as 0
    np.testing.assert_array_equal(lut[:32], np.arange(32) - 15.5)
    assert lut[32768] == 0.0
    e = echoes()
    assert e.dtype == np.complex64 and e.shape == (1000, 2200)
    np.testing.assert_array_equal(e.real, lut[codes["r"]])
    np.testing.assert_array_equal(e.imag, lut[codes["i"]])
    assert codes["r"].max() <= 31 and codes["i"].max() <= 31
    assert set(np.unique(e.real)) <= set(np.arange(32) - 15.5)
    assert abs(e.mean()) < 0.3                       # the bias is removed
    assert 6.0 < e.real.std() < 8.5 and 6.0 < e.imag.std() < 8.5
    np.testing.assert_array_equal(p.read(slice(100, 110)), e[100:110])


# ---------------------------------------------------------------------------- range compression
# What this scene allows (issue 4 asks for a compressed peak-to-mean power 10 dB above the raw one).
# The scene is the Amazon forest (ISCE3 uses these echoes for the elevation-pattern rising edge,
# which needs a homogeneous scene): fully developed speckle, no point-like scatterer. Then
#  * the raw peak-to-mean is set by the 5-bit ADC: about 5 % of the I and Q samples sit at the
#    clip levels +-15.5, so the raw peak is a clip corner, |15.5 + 15.5j|^2 = 480.5, against a
#    mean power of 106: 6.6 dB;
#  * range compression does not change speckle statistics: the compressed peak-to-mean is the
#    largest of M exponential powers, 10 log10(ln M + 0.577) = 11.75 dB for M = 1000 x 1768
#    (9.06 dB per line of 1768 samples); a simulation of homogeneous speckle through the same
#    chirp and 5-bit ADC gives raw 6.5 dB, compressed 11.6-12.0 dB, per-line medians 6.5 / 9.0 dB;
#  * so the gain is ~5 dB; +10 dB needs a scatterer whose echo is >= ~-12 dB of the clutter power
#    in all lines (test_a_point_target_in_the_real_clutter_gains_10_db), while the azimuth-averaged
#    compressed profile bounds any such scatterer here below ~-34 dB. The time-bandwidth gain
#    (27 us x 14 MHz = 378, 25.8 dB; 432 samples, 26.4 dB) shows in the mean power only.
EULER_GAMMA = 0.5772156649015329


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


def _contrast(x):
    """<P^2> / <P>^2: 2 for fully developed speckle, more with texture or bright points."""
    power = _power(x)
    return float(np.mean(power ** 2) / np.mean(power) ** 2)


def _speckle_peak_to_mean_db(m):
    """Expected largest of m independent exponential powers over their mean: ln m + gamma."""
    return float(10 * np.log10(np.log(m) + EULER_GAMMA))


def _running_median(v, width=101):
    half = width // 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(v, half, mode="edge"), width)
    return np.median(windows, axis=1)


def compression_numbers():
    if "numbers" not in _cache:
        p = product()
        e = echoes().astype(np.complex128)
        e0 = e - e.mean()
        chirp = p.chirp()
        rc = range_compress(p)                          # isce.focus.rangecomp, the product's chirp
        first, stop = rc.valid
        c = rc.data[:, first:stop]
        x = _correlate(e0, chirp)
        corners = np.array([15.5 + 15.5j, 15.5 - 15.5j, -15.5 + 15.5j, -15.5 - 15.5j]) - e.mean()
        profile = _power(c).mean(axis=0)                # azimuth-averaged compressed power
        _cache["numbers"] = {
            "chirp_samples": chirp.size, "valid": (first, stop),
            "raw_db": _peak_to_mean_db(e0),
            "raw_clip_bound_db": float(10 * np.log10(np.max(np.abs(corners) ** 2)
                                                      / _power(e0).mean())),
            "raw_line_db": _line_peak_to_mean_db(e0),
            "compressed_db": _peak_to_mean_db(c),
            "compressed_line_db": _line_peak_to_mean_db(c),
            "speckle_db": _speckle_peak_to_mean_db(c.size),
            "speckle_line_db": _speckle_peak_to_mean_db(c.shape[1]),
            "contrast": _contrast(c),
            "profile_peak_db": float(10 * np.log10(np.max(profile / _running_median(profile)))),
            "xcorr_db": _peak_to_mean_db(x),
            "xcorr_line_db": _line_peak_to_mean_db(x),
            "gain_db": float(10 * np.log10(_power(x).mean() / _power(e0).mean())),
            "rc_vs_xcorr_power_db": float(10 * np.log10(_power(c).mean() * chirp.size ** 2
                                                         / _power(x).mean())),
        }
    return _cache["numbers"]


def test_range_compression_with_the_products_chirp():
    n = compression_numbers()
    assert n["chirp_samples"] == 432                              # 27 us at 16 MHz
    assert n["valid"] == (216, 2200 - 216)
    # the matched filter gathers each echo's energy: mean power gain ~ chirp samples (26.4 dB)
    assert n["gain_db"] == pytest.approx(10 * np.log10(432), abs=1.0), n
    # range_compress (normalised by the chirp length, band-limited to 14 MHz of the 16) agrees
    # with the plain correlation: same power within the out-of-band share, same line statistics
    assert n["rc_vs_xcorr_power_db"] == pytest.approx(0.0, abs=0.3), n
    assert n["compressed_line_db"] == pytest.approx(n["xcorr_line_db"], abs=0.2), n
    # compressed pulses stand out more than the raw (5-bit, clipped) echoes do
    assert n["compressed_db"] > n["raw_db"] + 4.0, n
    assert n["xcorr_db"] > n["raw_db"] + 4.0, n
    assert n["compressed_line_db"] > n["raw_line_db"] + 2.0, n


def test_the_scene_is_homogeneous_speckle():
    """Why the peak-to-mean gain is ~5 dB and not 10 (see the comment above)."""
    n = compression_numbers()
    # the raw peak is a clip corner of the 5-bit ADC
    assert n["raw_db"] == pytest.approx(n["raw_clip_bound_db"], abs=0.1), n
    assert n["raw_db"] < 7.0 and n["raw_line_db"] < 7.0, n
    # the compressed echoes are fully developed speckle: contrast 2, peaks as ln M
    assert n["contrast"] == pytest.approx(2.0, abs=0.1), n
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


def two_d_numbers():
    """Contrast and peak-to-mean after range and partial-aperture (500 pulses) azimuth compression,
    with the metadata chirp slope or the opposite one (= I/Q swapped) and either azimuth FM sign."""
    if "2d" not in _cache:
        p = product()
        e0 = echoes().astype(np.complex128)
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
                out[(slope, sign)] = {"contrast": _contrast(y), "peak_db": _peak_to_mean_db(y),
                                      "fdc": fdc}
        _cache["2d"] = out
    return _cache["2d"]


def test_the_metadata_chirp_slope_focuses():
    """Range speckle alone cannot tell the chirp's sign (|H| is the same); the 2-D focus can: only
    the metadata slope (-5.19e11 Hz/s) with the decoded I/Q and the azimuth FM rate
    2 Veff^2 / (lambda R) raise the contrast above speckle (texture, weak scatterers)."""
    n = two_d_numbers()
    assert 500 < n["ka"][1] < n["ka"][0] < 530, n
    assert n[("K", 1)]["fdc"] == pytest.approx(60.0, abs=10.0), n     # Doppler centroid [Hz]
    best = n[("K", 1)]["contrast"]
    assert best > 2.12, n
    for key in (("K", -1), ("-K", 1), ("-K", -1)):
        assert best > n[key]["contrast"] + 0.08, (key, n)


@pytest.mark.xfail(reason="issue 4 asks for a compressed peak-to-mean power 10 dB above the raw "
                          "one; this scene (Amazon forest) is homogeneous speckle with no point-"
                          "like scatterer: raw 6.65 dB (the 5-bit clip corner 480.5 / mean 106), "
                          "range-compressed 11.98 dB (speckle theory ln M + 0.577 for M = 1000 x "
                          "1768: 11.75 dB; contrast 2.03) -> +5.3 dB (plain correlation: 11.43 "
                          "dB, +4.8 dB); per line (medians) 6.61 -> 9.11 dB (theory 9.06), +2.5 "
                          "dB; after a 500-pulse azimuth compression the brightest pixel is 13.86 "
                          "dB (+7.2 dB). +10 dB needs a scatterer >= ~-12 dB of the clutter "
                          "power, the azimuth-averaged profile bounds any here below ~-34 dB",
                   strict=False)
def test_range_compression_gains_10_db_peak_to_mean():
    n = compression_numbers()
    assert n["compressed_db"] >= n["raw_db"] + 10.0, n


def test_a_point_target_in_the_real_clutter_gains_10_db():
    """Positive control: a point echo at -10 dB of the clutter power (in every line, centred on
    sample 1000) added to the real echoes and re-quantised to the 5-bit levels compresses to a
    peak-to-mean 10 dB above the raw one, at sample 1000."""
    p = product()
    e = echoes().astype(np.complex128)
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


def test_l0b_to_alos_ceos_and_back_is_exact(tmp_path):
    """The ALOS codes survive the CEOS writer unchanged (scale 1, bias 15.5)."""
    p = product()
    back = write_ceos(p, tmp_path / "IMG-HH", tmp_path / "LED", scale=1.0)
    np.testing.assert_array_equal(back.read(), echoes())
    for name in ("sensing_start", "prf", "starting_range", "range_sampling_rate", "length", "width",
                 "wavelength", "look_side", "chirp_slope", "pulse_length", "polarization"):
        assert getattr(back, name) == getattr(p, name), name
    assert back.orbit.reference_epoch == p.orbit.reference_epoch
    np.testing.assert_allclose(back.orbit.position, p.orbit.position, atol=1e-6)
    led = (tmp_path / "LED").read_bytes()
    assert int.from_bytes(led[720 + 4096 + 8:720 + 4096 + 12], "big") == 4680   # JAXA's record


def test_nisar_l0b_sensor_from_xml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    (tmp_path / "focus.xml").write_text(textwrap.dedent(f"""
        <focus>
          <component name="focus">
            <property name="sensor name">NISAR_L0B</property>
            <component name="raw">
              <property name="HDF5"><value>{l0b_file()}</value></property>
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
    np.testing.assert_array_equal(out.read(), echoes())
    assert RawProduct.load(str(tmp_path / "raw" / "alos.raw.json")).to_dict() == out.to_dict()
    assert "NISAR_L0B" in isce.sensors.SENSORS
