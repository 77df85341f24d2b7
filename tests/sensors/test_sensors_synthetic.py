"""The quirks of the NISAR RSLC layout, on small products written here with h5py.

No shared data needed: each test builds the variant it checks (group RSLC or SLC,
epoch spellings, look direction spellings, complex64 or compound float16 images,
Doppler axes inside frequencyA, orbit and Doppler on other epochs, corrupt chunks).
"""
import logging
import pickle
import re

import h5py
import numpy as np
import pytest

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.time import DateTime
from isce.framework import InputError
from isce.sensors import read_nisar_slc
from isce.sensors.product import ImageSource, SlcProduct, to_complex64

LENGTH, WIDTH = 40, 30
T0, DT = 100.0, 1e-3                      # s since the swath epoch
R0, DR = 800e3, 5.0
FC = 1.25e9
P0 = np.array([7.0e6, 0.0, 0.0])
V = np.array([0.0, 7.5e3, 0.0])
EPOCH = "2021-07-01T00:00:00"


def image(compound):
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((LENGTH, WIDTH)) + 1j * rng.standard_normal((LENGTH, WIDTH))).astype(np.complex64)
    if not compound:
        return z
    out = np.empty(z.shape, [("r", "<f2"), ("i", "<f2")])
    out["r"], out["i"] = z.real.astype(np.float16), z.imag.astype(np.float16)
    return out


def make_rslc(path, *, group="RSLC", units="seconds since 2021-07-01 00:00:00", units_bytes=False,
              look="right", look_vlen=False, compound=False, pols=("HH",), listed=None,
              doppler="table", doppler_axes_inside=False, orbit_offset=0.0, doppler_offset=0.0,
              spacing=True, chunked=False):
    """A minimal NISAR RSLC file. ``orbit_offset``/``doppler_offset``: their epochs are that many
    seconds *earlier* than the swath epoch (so their time values are larger by as much)."""
    root = f"science/LSAR/{group}"
    epoch = DateTime(EPOCH)
    enc = (lambda s: s.encode()) if units_bytes else (lambda s: s)

    def units_for(offset):
        if not offset:
            return enc(units)
        return enc(f"seconds since {(epoch - offset).isoformat(sep=' ')}")

    with h5py.File(path, "w") as f:
        sw = f.create_group(f"{root}/swaths")
        t = T0 + DT * np.arange(LENGTH)
        sw["zeroDopplerTime"] = t
        sw["zeroDopplerTime"].attrs["units"] = enc(units)
        if spacing:
            sw["zeroDopplerTimeSpacing"] = DT
        fa = sw.create_group("frequencyA")
        fa["slantRange"] = R0 + DR * np.arange(WIDTH)
        fa["slantRangeSpacing"] = DR
        fa["processedCenterFrequency"] = FC
        fa["processedRangeBandwidth"] = 20e6
        fa["nominalAcquisitionPRF"] = 1234.0
        fa["listOfPolarizations"] = np.array(listed or pols, dtype="S2")
        for pol in pols:
            kw = dict(chunks=(LENGTH // 2, WIDTH), compression="gzip") if chunked else {}
            fa.create_dataset(pol, data=image(compound), **kw)
        ident = f.create_group("science/LSAR/identification")
        if look_vlen:
            ident.create_dataset("lookDirection", data=look, dtype=h5py.string_dtype())
        else:
            ident["lookDirection"] = np.bytes_(look)
        ident["missionId"] = np.bytes_("TESTSAT")
        orb = f.create_group(f"{root}/metadata/orbit")
        to = np.arange(90.0, 112.0, 2.0)
        orb["time"] = to + orbit_offset
        orb["time"].attrs["units"] = units_for(orbit_offset)
        orb["position"] = P0 + np.outer(to, V)
        orb["velocity"] = np.tile(V, (to.size, 1))
        orb["orbitType"] = np.bytes_("FOE")
        params = f.create_group(f"{root}/metadata/processingInformation/parameters")
        if doppler != "absent":
            td = np.linspace(95.0, 105.0, 6)
            rd = np.linspace(R0 - 100, R0 + DR * WIDTH + 100, 5)
            data = np.zeros((6, 5)) if doppler == "zeros" else 10.0 + 0.5 * (td[:, None] - 95.0) + 0.01 * (rd[None, :] - R0)
            axes = params.require_group("frequencyA") if doppler_axes_inside else params
            axes["zeroDopplerTime"] = td + doppler_offset
            axes["zeroDopplerTime"].attrs["units"] = units_for(doppler_offset)
            axes["slantRange"] = rd
            params.require_group("frequencyA")["dopplerCentroid"] = data
    return path


@pytest.mark.parametrize("units", [
    "seconds since 2021-07-01 00:00:00",
    "seconds since 2021-07-01 00:00:00.000000000",
    "seconds since 2021-07-01T00:00:00",
    "seconds since 2021-07-01T00:00:00.000000",
])
@pytest.mark.parametrize("units_bytes", [False, True])
def test_epoch_spellings(tmp_path, units, units_bytes):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5", units=units, units_bytes=units_bytes))
    assert p.radar_grid.reference_epoch == DateTime(EPOCH)
    assert p.radar_grid.sensing_start == T0


@pytest.mark.parametrize("group", ["RSLC", "SLC"])
def test_both_product_group_names(tmp_path, group):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5", group=group))
    assert p.source.dataset == f"/science/LSAR/{group}/swaths/frequencyA/HH"
    assert p.attributes["product_group"] == f"/science/LSAR/{group}"


@pytest.mark.parametrize("look,vlen,side", [("right", False, "right"), ("Right", True, "right"),
                                            ("LEFT", False, "left"), ("left", True, "left")])
def test_look_direction_in_any_case(tmp_path, look, vlen, side):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5", look=look, look_vlen=vlen))
    assert p.look_side == side


def test_bad_look_direction(tmp_path):
    path = make_rslc(tmp_path / "a.h5", look="up")
    with pytest.raises(InputError, match="lookDirection = 'up'") as err:
        read_nisar_slc(path)
    assert str(path) in str(err.value)


def test_grid_from_spacings_not_nominal_prf(tmp_path):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5"))
    g = p.radar_grid
    assert (g.prf, g.starting_range, g.range_pixel_spacing, g.shape) == (1 / DT, R0, DR, (LENGTH, WIDTH))
    assert p.wavelength == SPEED_OF_LIGHT / FC and p.center_frequency == FC
    assert p.mission == "TESTSAT" and p.orbit_type == "FOE"
    assert p.range_bandwidth == 20e6 and p.azimuth_bandwidth is None


def test_missing_spacing_falls_back_to_the_axis(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="isce.sensors"):
        p = read_nisar_slc(make_rslc(tmp_path / "a.h5", spacing=False))
    assert p.radar_grid.prf == pytest.approx(1 / DT, rel=1e-12)
    assert "zeroDopplerTimeSpacing" in caplog.text


@pytest.mark.parametrize("compound", [False, True])
def test_image_types(tmp_path, compound):
    path = make_rslc(tmp_path / "a.h5", compound=compound)
    p = read_nisar_slc(path)
    with h5py.File(path) as f:
        raw = f["science/LSAR/RSLC/swaths/frequencyA/HH"][()]
    expected = (raw["r"].astype(np.float32) + 1j * raw["i"].astype(np.float32)) if compound else raw
    np.testing.assert_array_equal(p.read(), expected)
    np.testing.assert_array_equal(to_complex64(raw), expected)


def test_orbit_and_doppler_on_other_epochs_are_rereferenced(tmp_path):
    base = read_nisar_slc(make_rslc(tmp_path / "a.h5"))
    other = read_nisar_slc(make_rslc(tmp_path / "b.h5", orbit_offset=3600.5, doppler_offset=60.0,
                                     doppler_axes_inside=True))
    np.testing.assert_allclose(other.orbit.time, base.orbit.time, rtol=0, atol=1e-9)
    assert other.orbit.reference_epoch == base.orbit.reference_epoch
    t = base.radar_grid.sensing_mid
    pos, vel = other.orbit.interpolate(t)
    np.testing.assert_allclose(pos, P0 + t * V, rtol=0, atol=1e-6)
    np.testing.assert_allclose(vel, V, rtol=0, atol=1e-9)
    r = base.radar_grid.mid_range
    expected = 10.0 + 0.5 * (t - 95.0) + 0.01 * (r - R0)
    assert base.doppler.eval(t, r) == pytest.approx(expected, abs=1e-9)
    assert other.doppler.eval(t, r) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("kind", ["zeros", "absent"])
def test_zero_or_no_doppler_table_gives_the_zero_model(tmp_path, kind):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5", doppler=kind))
    assert p.is_zero_doppler
    assert p.doppler.eval(123.0, 1.0) == 0.0


def test_listed_polarization_without_dataset(tmp_path):
    path = make_rslc(tmp_path / "a.h5", pols=("HH", "VV"), listed=("HH", "HV", "VH", "VV"))
    assert read_nisar_slc(path, polarization="vv").polarization == "VV"
    with pytest.raises(InputError) as err:
        read_nisar_slc(path, polarization="VH")
    msg = str(err.value)
    assert "/science/LSAR/RSLC/swaths/frequencyA/VH" in msg and "present: HH, VV" in msg


def test_corrupt_chunk_is_an_input_error_naming_the_dataset(tmp_path):
    path = make_rslc(tmp_path / "a.h5", chunked=True)
    dset = "/science/LSAR/RSLC/swaths/frequencyA/HH"
    with h5py.File(path) as f:
        info = f[dset].id.get_chunk_info(1)
    data = bytearray(path.read_bytes())
    data[info.byte_offset:info.byte_offset + info.size] = b"\x55" * info.size
    path.write_bytes(bytes(data))
    p = read_nisar_slc(path)                            # metadata are intact
    np.testing.assert_array_equal(p.read(slice(0, LENGTH // 2)).shape, (LENGTH // 2, WIDTH))
    with pytest.raises(InputError) as err:
        p.read()
    assert str(path) in str(err.value) and dset in str(err.value)
    with pytest.raises(InputError, match=dset):
        p.write(tmp_path / "out.slc")
    assert not (tmp_path / "out.slc").exists()          # the failed write left nothing behind


def test_product_dict_json_pickle_round_trips(tmp_path):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5", compound=True))
    for q in (SlcProduct.from_dict(p.to_dict()), SlcProduct.from_json(p.to_json()),
              pickle.loads(pickle.dumps(p))):
        assert q == p
        np.testing.assert_array_equal(q.read(slice(2, 5)), p.read(slice(2, 5)))
    saved = p.save(tmp_path / "meta.json")
    assert SlcProduct.load(saved).source.path == str(tmp_path / "a.h5")


def test_write_and_read_back_the_raster(tmp_path):
    p = read_nisar_slc(make_rslc(tmp_path / "a.h5", compound=True))
    out = p.write(tmp_path / "x.slc", block_lines=7)
    r = isce.io.open(tmp_path / "x.slc")
    assert (r.length, r.width, r.data_type, r.image_type) == (LENGTH, WIDTH, "CFLOAT", "slc")
    np.testing.assert_array_equal(np.array(r.read()), p.read())
    assert out.attributes["extracted_from"] == p.source.describe()
    assert SlcProduct.load(tmp_path / "x.slc.json") == out


def _with_image(path, change):
    with h5py.File(path, "r+") as f:
        ds = f["science/LSAR/RSLC/swaths/frequencyA/HH"]
        data = ds[...]
        change(data)
        ds[...] = data
    return path


def test_write_masks_a_few_nan_and_inf_samples_with_a_warning(tmp_path, caplog):
    def spoil(z):
        z[3, 4], z[10, 0], z[39, 29] = np.nan, np.inf, complex(1, -np.inf)

    p = read_nisar_slc(_with_image(make_rslc(tmp_path / "a.h5"), spoil))
    with caplog.at_level(logging.WARNING, logger="isce.sensors.product"):
        p.write(tmp_path / "x.slc", block_lines=7)
    assert "3 of the 1200 samples of the SLC image (0.25 %) are NaN or inf: written as 0" in caplog.text
    data = np.array(isce.io.open(tmp_path / "x.slc").read())
    bad = np.zeros(data.shape, bool)
    bad[3, 4] = bad[10, 0] = bad[39, 29] = True
    assert (data[bad] == 0).all() and np.isfinite(data).all()
    np.testing.assert_array_equal(data[~bad], p.read()[~bad])


@pytest.mark.parametrize("change, words", [
    (lambda z: z.fill(0), "the SLC image holds no data: all 1200 samples are zero, NaN or inf (0 NaN/inf)"),
    (lambda z: z.fill(np.nan), "the SLC image holds no data: all 1200 samples are zero, NaN or inf (1200 NaN/inf)"),
    (lambda z: z[:20].fill(np.inf), "600 of the 1200 samples of the SLC image (50.0 %) are NaN or inf"),
])
def test_write_refuses_an_image_without_data(tmp_path, change, words):
    p = read_nisar_slc(_with_image(make_rslc(tmp_path / "a.h5"), change))
    with pytest.raises(InputError, match=re.escape(f"a.h5:/science/LSAR/RSLC/swaths/frequencyA/HH: {words}")):
        p.write(tmp_path / "x.slc", block_lines=7)
    assert sorted(q.name for q in tmp_path.iterdir()) == ["a.h5"]       # nothing written


@pytest.mark.parametrize("axis", ["slantRange", "zeroDopplerTime"])
def test_reversed_image_axes_are_refused(tmp_path, axis):
    path = make_rslc(tmp_path / "a.h5")
    hpath = f"science/LSAR/RSLC/swaths/{'frequencyA/' if axis == 'slantRange' else ''}{axis}"
    with h5py.File(path, "r+") as f:
        f[hpath][...] = f[hpath][...][::-1]
    with pytest.raises(InputError, match=f"/{hpath} decreases .*a reversed or unordered image axis"):
        read_nisar_slc(path)


def test_product_validation():
    from isce.core.orbit import Orbit
    from isce.core.radargrid import RadarGrid

    grid = RadarGrid(T0, EPOCH, 1 / DT, R0, DR, LENGTH, WIDTH, SPEED_OF_LIGHT / FC, "left")
    orbit = Orbit(np.arange(4.0), P0 + np.outer(np.arange(4.0), V), np.tile(V, (4, 1)), EPOCH)
    p = SlcProduct(grid, orbit)
    assert p.center_frequency == pytest.approx(FC) and p.is_zero_doppler
    with pytest.raises(ValueError, match="disagrees"):
        SlcProduct(grid, orbit, center_frequency=2 * FC)
    with pytest.raises(TypeError):
        SlcProduct("grid", orbit)
    with pytest.raises(InputError, match="no image source"):
        p.read()
    with pytest.raises(ValueError):
        ImageSource("tiff", "x")


def _set_interp_method(path, text):
    with h5py.File(path, "a") as f:
        f["science/LSAR/RSLC/metadata/orbit/interpMethod"] = np.bytes_(text)
    return path


@pytest.mark.parametrize("text, method", [("Legendre", "legendre"), ("HERMITE", "hermite"),
                                          ("legendre", "legendre")])
def test_orbit_interp_method_is_honoured(tmp_path, text, method):
    """metadata/orbit/interpMethod (ISCE3 writes "Hermite" or "Legendre") sets the method the
    product's orbit is interpolated with, and it survives the product's JSON round trip."""
    product = read_nisar_slc(_set_interp_method(make_rslc(tmp_path / "a.h5"), text))
    assert product.orbit.interp_method == method
    assert SlcProduct.from_dict(product.to_dict()).orbit.interp_method == method


def test_unknown_orbit_interp_method_keeps_hermite_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        product = read_nisar_slc(_set_interp_method(make_rslc(tmp_path / "a.h5"), "SCH"))
    assert product.orbit.interp_method == "hermite"
    assert "interpMethod 'sch' is not Hermite or Legendre" in caplog.text


@pytest.mark.parametrize("fmt", ["raster", "gdal"])
def test_image_source_scale_multiplies_every_format(tmp_path, fmt):
    """``scale`` is part of an ImageSource of any format: a raster or GDAL image read with
    scale 0.5 gives half the stored samples (it was silently ignored for these two)."""
    path = str(tmp_path / "image.slc")
    stored = (np.arange(12, dtype=np.float32) + 1j).astype(np.complex64).reshape(3, 4)
    with isce.io.create(path, 4, 3, "CFLOAT", image_type="slc") as ds:
        ds.write(stored)
    if fmt == "gdal":
        path += ".vrt"                           # the raster's GDAL sidecar
    source = ImageSource(fmt, path, scale=0.5)
    np.testing.assert_allclose(source.read(slice(0, 3), slice(0, 4), (3, 4)), 0.5 * stored)
    np.testing.assert_allclose(source.read(1, slice(1, 3), (3, 4)), 0.5 * stored[1, 1:3])
