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


def _compress(e, chirp):
    """Range compression by the matched filter (correlation with the chirp), lines x samples;
    only the samples whose echoes are whole in the window (width - chirp + 1) are kept."""
    n = e.shape[1] + chirp.size
    spec = np.fft.fft(e, n, axis=1) * np.conj(np.fft.fft(chirp, n))
    return np.fft.ifft(spec, axis=1)[:, chirp.size - 1:e.shape[1]]


def _peak_to_mean_db(x):
    power = np.abs(x) ** 2
    return 10 * np.log10(power.max() / power.mean())


def compression_numbers():
    if "numbers" not in _cache:
        p = product()
        e = echoes() - echoes().mean()
        chirp = p.chirp()
        c = _compress(e, chirp)
        _cache["numbers"] = {
            "chirp_samples": chirp.size,
            "raw_db": _peak_to_mean_db(e),
            "compressed_db": _peak_to_mean_db(c),
            "raw_line_db": float(np.mean([_peak_to_mean_db(x) for x in e])),
            "compressed_line_db": float(np.mean([_peak_to_mean_db(x) for x in c])),
            "gain_db": 10 * np.log10((np.abs(c) ** 2).mean() / (np.abs(e) ** 2).mean()),
        }
    return _cache["numbers"]


def test_range_compression_with_the_products_chirp():
    n = compression_numbers()
    assert n["chirp_samples"] == 432                              # 27 us at 16 MHz
    # the matched filter gathers each echo's energy: mean power gain ~ chirp samples (26.4 dB)
    assert n["gain_db"] == pytest.approx(10 * np.log10(432), abs=1.0), n
    # compressed pulses stand out more than the raw (5-bit, clipped) echoes do
    assert n["compressed_db"] > n["raw_db"] + 4.0, n
    assert n["compressed_line_db"] > n["raw_line_db"] + 2.0, n


@pytest.mark.xfail(reason="issue 4 asks for a compressed peak-to-mean power 10 dB above the raw one; "
                          "on this scene (homogeneous, speckle: no point-like scatterer, no azimuth "
                          "compression) range compression gives +5.2 dB (raw 6.6 dB, set by the "
                          "5-bit clipping; compressed 11.9 dB ~ ln(N) of speckle)", strict=False)
def test_range_compression_gains_10_db_peak_to_mean():
    n = compression_numbers()
    assert n["compressed_db"] >= n["raw_db"] + 10.0, n


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
