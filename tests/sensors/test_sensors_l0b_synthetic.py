"""NISAR L0B reader on small L0B files written here with h5py: the three sample encodings
(BFPQ lookup table, complex32, complex64), the 2019 flavour, epochs, and broken files."""
import logging

import h5py
import numpy as np
import pytest

import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.framework import ConfigurationError, InputError
from isce.sensors.nisar_l0b import NisarL0b, read_nisar_l0b

N, M = 30, 40
T0, PRI = 1000.0, 1 / 1650.0
R0, DR = 900e3, SPEED_OF_LIGHT / (2 * 24e6)
FC = 1.257e9
ROOT = "science/LSAR/RRSD"


def codes(seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 32, (N, M)), rng.integers(0, 32, (N, M))


def make_l0b(path, *, encoding="bfpq", legacy=False, dither=False, orbit_epoch_shift=0.0,
             look=b"Left", pol="HH", shape=None, lut=True, missing=()):
    cr, ci = codes()
    tx, rx = pol
    with h5py.File(path, "w") as f:
        ident = f.create_group("science/LSAR/identification")
        if "look" not in missing:
            ident["lookDirection"] = np.bytes_(look)
        ident["missionId"] = np.bytes_("NISAR")
        ident["productType"] = np.bytes_("RRSD")
        fg = f.create_group(f"{ROOT}/swaths/frequencyA")
        fg["listOfTxPolarizations"] = np.array([tx.encode()])
        meta = fg if legacy else fg.create_group(f"tx{tx}")
        t = T0 + PRI * np.arange(N)
        if dither:
            t = t + np.where(np.arange(N) % 3 == 1, 2e-6, 0.0)
        if "time" not in missing:
            meta["UTCtime"] = t
            meta["UTCtime"].attrs["units"] = np.bytes_("seconds since 2021-07-01T00:00:00")
        meta["slantRange"] = R0 + DR * np.arange(M)
        meta["slantRangeSpacing"] = DR
        meta["centerFrequency"] = FC
        meta["chirpSlope"] = 1.0e12
        meta["chirpDuration"] = 20e-6
        meta["rangeBandwidth"] = 20e6
        meta["calType"] = np.full(N, 255, np.uint8)
        rxg = f.create_group(f"{ROOT}/swaths/frequencyA/tx{tx}/rx{rx}")
        if encoding == "bfpq":
            data = np.empty((N, M), [("r", "<u2"), ("i", "<u2")])
            data["r"], data["i"] = cr, ci
            if lut:
                table = np.arange(2 ** 16, dtype=np.float32) * 0.5 - 3.0
                rxg["BFPQLUT"] = table
        elif encoding == "complex32":
            data = np.empty((N, M), [("r", "<f2"), ("i", "<f2")])
            data["r"], data["i"] = cr - 15.5, ci - 15.5
        else:
            data = ((cr - 15.5) + 1j * (ci - 15.5)).astype(np.complex64)
        if shape is not None:
            data = np.resize(data, shape)
        rxg.create_dataset(pol, data=data, chunks=True)
        rxg[pol].attrs["_FillValue"] = 32768
        og = f.create_group(f"{ROOT}/lowRateTelemetry/orbit")
        ts = np.arange(-10.0, 11.0) + T0 + orbit_epoch_shift
        og["time"] = ts
        og["time"].attrs["units"] = np.bytes_("seconds since 2021-07-01 00:00:00") if not orbit_epoch_shift \
            else np.bytes_("seconds since 2021-06-30 23:59:00")
        s = np.arange(ts.size) - 10.0
        og["position"] = np.stack([7.0e6 + 0 * s, 7.5e3 * s, 0 * s], axis=1)
        og["velocity"] = np.tile([0.0, 7.5e3, 0.0], (ts.size, 1))
        og["orbitType"] = np.bytes_("FOE")
    return path


def expected(encoding):
    cr, ci = codes()
    if encoding == "bfpq":
        return (cr * 0.5 - 3.0) + 1j * (ci * 0.5 - 3.0)
    return (cr - 15.5) + 1j * (ci - 15.5)


@pytest.mark.parametrize("encoding", ["bfpq", "complex32", "complex64"])
def test_decodes_each_encoding(tmp_path, encoding):
    p = read_nisar_l0b(make_l0b(tmp_path / "a.h5", encoding=encoding))
    assert p.source.kind == "l0b"
    assert p.source.params["encoding"] == {"complex64": "complex"}.get(encoding, encoding)
    e = p.read()
    assert e.dtype == np.complex64
    np.testing.assert_array_equal(e, expected(encoding).astype(np.complex64))
    np.testing.assert_array_equal(p.read(slice(3, 20, 5)), e[3:20:5])
    assert p.read(slice(5, 5)).shape == (0, M)


def test_metadata(tmp_path):
    p = read_nisar_l0b(make_l0b(tmp_path / "a.h5"))
    assert (p.length, p.width) == (N, M)
    assert str(p.reference_epoch) == "2021-07-01T00:00:00.000000000"
    assert p.sensing_start == T0
    assert p.prf == pytest.approx(1650.0, rel=1e-9)
    assert p.starting_range == R0
    assert p.range_sampling_rate == pytest.approx(24e6, rel=1e-12)
    assert p.wavelength == SPEED_OF_LIGHT / FC
    assert (p.chirp_slope, p.pulse_length) == (1.0e12, 20e-6)
    assert p.look_side == "left" and p.platform == "NISAR" and p.polarization == "HH"
    assert p.attributes["orbit_type"] == "FOE" and p.attributes["cal_type_counts"] == {"255": N}
    np.testing.assert_allclose(p.orbit.interpolate(T0)[0], [7.0e6, 0.0, 0.0], atol=1e-6)


def test_2019_flavour_with_pulse_metadata_in_the_frequency_group(tmp_path):
    p = read_nisar_l0b(make_l0b(tmp_path / "a.h5", legacy=True))
    assert p.sensing_start == T0 and p.width == M
    np.testing.assert_array_equal(p.read(), expected("bfpq").astype(np.complex64))


def test_orbit_on_another_epoch_is_re_referenced(tmp_path):
    p = read_nisar_l0b(make_l0b(tmp_path / "a.h5", orbit_epoch_shift=60.0))
    np.testing.assert_allclose(p.orbit.interpolate(T0)[0], [7.0e6, 0.0, 0.0], atol=1e-6)
    assert p.orbit.start_time == pytest.approx(T0 - 10.0)


def test_dithered_prf_is_reported_and_averaged(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="isce.sensors.nisar_l0b"):
        p = read_nisar_l0b(make_l0b(tmp_path / "a.h5", dither=True))
    assert "dithered" in caplog.text
    assert p.prf == pytest.approx((N - 1) / (PRI * (N - 1)), rel=1e-3)


def test_other_polarization(tmp_path):
    p = read_nisar_l0b(make_l0b(tmp_path / "a.h5", pol="HV"), polarization="hv")
    assert p.polarization == "HV" and p.source.params["dataset"].endswith("txH/rxV/HV")


@pytest.mark.parametrize("kwargs,read,message", [
    (dict(pol="HV"), {}, r"missing dataset /science/LSAR/RRSD/swaths/frequencyA/txH/rxH/HH: "
                         r"POLARIZATION HH is not in frequency A \(polarizations present: HV\)"),
    (dict(), {"frequency": "B"}, r"missing group /science/LSAR/RRSD/swaths/frequencyB: FREQUENCY B "
                                 r"is not in this product \(frequencies present: A\)"),
    (dict(lut=False), {}, r"holds integer codes .* lookup table .*/BFPQLUT is missing"),
    (dict(missing=("time",)), {}, r"missing dataset .*/frequencyA/UTCtime"),
    (dict(missing=("look",)), {}, r"missing dataset /science/LSAR/identification/lookDirection"),
    (dict(look=b"up"), {}, r"lookDirection = 'up'; expected 'left' or 'right'"),
    (dict(shape=(N, M - 1)), {}, r"has shape \(30, 39\); the axes"),
    (dict(shape=(2, N, M)), {}, r"multi-channel .* not supported"),
])
def test_problems_name_file_and_hdf5_path(tmp_path, kwargs, read, message):
    path = make_l0b(tmp_path / "a.h5", **kwargs)
    with pytest.raises(InputError, match=message) as err:
        read_nisar_l0b(path, **read)
    assert str(err.value).startswith(str(path))


def test_not_an_l0b_product(tmp_path):
    path = tmp_path / "rslc.h5"
    with h5py.File(path, "w") as f:
        f.create_group("science/LSAR/RSLC")
    with pytest.raises(InputError,
                       match=r"missing group /science/LSAR/RRSD: not an L0B .*found /science/LSAR/RSLC"):
        read_nisar_l0b(path)
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(InputError, match="cannot open as HDF5"):
        read_nisar_l0b(tmp_path / "text.h5")
    with pytest.raises(InputError, match="no such file"):
        read_nisar_l0b(tmp_path / "none.h5")


def test_truncated_file(tmp_path):
    path = make_l0b(tmp_path / "a.h5")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_nisar_l0b(path)
    assert str(err.value).startswith(str(path))


def test_file_damaged_or_gone_after_parsing(tmp_path):
    path = make_l0b(tmp_path / "a.h5")
    p = read_nisar_l0b(path)
    data = path.read_bytes()
    path.write_bytes(data[:2048])
    with pytest.raises(InputError) as err:
        p.read()
    assert str(err.value).startswith(str(path))
    path.unlink()
    with pytest.raises(InputError, match="no such file"):
        p.read()


def test_sensor_component(tmp_path):
    path = make_l0b(tmp_path / "a.h5", encoding="complex32")
    reader = isce.sensors.create("nisar_l0b", name="raw")
    assert isinstance(reader, NisarL0b)
    assert {"HDF5", "POLARIZATION", "FREQUENCY", "OUTPUT"} <= set(reader.public_names())
    reader.hdf5 = str(path)
    reader.frequency = "frequencyA"
    out = reader.extract(tmp_path / "out" / "raw.slc")
    assert reader.frequency == "A"
    np.testing.assert_array_equal(out.read(), expected("complex32").astype(np.complex64))
    reader.polarization = "XX"
    with pytest.raises(ConfigurationError, match="raw.POLARIZATION"):
        reader.parse()


def test_orbit_interp_method_is_honoured(tmp_path):
    """lowRateTelemetry/orbit/interpMethod sets the method the raw product's orbit uses."""
    path = make_l0b(tmp_path / "a.h5")
    assert read_nisar_l0b(path).orbit.interp_method == "hermite"   # none given
    with h5py.File(path, "a") as f:
        f[f"{ROOT}/lowRateTelemetry/orbit/interpMethod"] = np.bytes_("Legendre")
    assert read_nisar_l0b(path).orbit.interp_method == "legendre"
