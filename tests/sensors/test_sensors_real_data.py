"""NISAR/UAVSAR HDF5 RSLC reader against the real products of ../shared/data (ISCE3 test data).

Numbers from ../shared/data/README.md and ../shared/reference/nisar-hdf5-layout.md.
Skipped, with the reason, when the data folder is absent (a user's machine).
"""
import pickle
from pathlib import Path

import numpy as np
import pytest

import h5py
import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.time import DateTime
from isce.sensors import create, read_nisar_slc
from isce.sensors.product import SlcProduct

# file, epoch, t0 [s], dt [s], r0 [m], dr [m], (length, width), fc [Hz], side, bandwidth [Hz]
CASES = {
    "envisat": ("envisat/envisat.h5", "2003-02-24T00:00:00", 237330.843491759, 6.051745968279355e-4,
                826988.6900674499, 7.803973670948287, (500, 500), 5.331004416e9, "right", 15999999.979528189),
    "winnipeg": ("winnipeg/winnipeg.h5", "2012-07-15T14:36:47", 172800.0, 0.027329076,
                 13150.0574, 6.245676208, (250, 250), 1.243e9, "left", 20e6),
    "sanand129": ("sanandreas/SanAnd_129.h5", "2018-10-09T22:42:03", 173075.3212163, 0.0211785551,
                  16573.076404, 6.245676208, (150, 200), 1.243e9, "left", 20e6),
    "sanand138": ("sanandreas/SanAnd_138.h5", "2018-10-09T22:42:03", 173075.3212163, 0.0211785551,
                  16573.076404, 3.122838104, (150, 400), 1.253e9, "left", 40e6),
    "ree": ("ree_point_target/REE_RSLC_out17.h5", "2021-07-01T00:00:00", 12003.461104,
            6.060416671971325e-4, 967124.5530972595, 6.2456762082874775, (129, 129), 1.26e9, "right", 20e6),
}
# expected altitude [m] and speed [m/s] ranges at mid-swath
PLATFORM = {
    "envisat": ((780e3, 800e3), (7400, 7700)),
    "winnipeg": ((12.0e3, 12.8e3), (150, 300)),
    "sanand129": ((12.0e3, 12.8e3), (150, 300)),
    "sanand138": ((12.0e3, 12.8e3), (150, 300)),
    "ree": ((700e3, 800e3), (7400, 7700)),
}

@pytest.fixture(scope="module")
def product(shared_data):
    """``product(case)``: the case's SlcProduct read by isce.sensors (read once)."""
    cache = {}

    def load(case) -> SlcProduct:
        if case not in cache:
            cache[case] = read_nisar_slc(shared_data(CASES[case][0]))
        return cache[case]
    return load


@pytest.fixture(scope="module")
def raw_image(shared_data):
    """``raw_image(case, pol)``: the case's image as stored, read with h5py."""
    def read(case, pol="HH"):
        with h5py.File(shared_data(CASES[case][0]), "r") as f:
            return f[f"science/LSAR/SLC/swaths/frequencyA/{pol}"][()]
    return read


@pytest.mark.parametrize("case", list(CASES))
def test_radar_grid_matches_the_readme(case, product):
    _, epoch, t0, dt, r0, dr, shape, fc, side, bw = CASES[case]
    p = product(case)
    g = p.radar_grid
    assert g.reference_epoch == DateTime(epoch)
    assert g.sensing_start == t0
    assert g.prf == 1.0 / dt                      # zeroDopplerTimeSpacing, not nominalAcquisitionPRF
    assert g.starting_range == r0
    assert g.range_pixel_spacing == dr
    assert g.shape == shape == p.shape
    assert p.center_frequency == fc
    assert p.wavelength == SPEED_OF_LIGHT / fc
    assert g.look_side == side == p.look_side
    assert p.range_bandwidth == bw
    assert p.range_sampling_rate == pytest.approx(SPEED_OF_LIGHT / (2 * dr), rel=1e-15)
    assert p.polarization == "HH" and p.frequency == "A"


def test_ree_prf_is_the_grid_spacing_not_the_nominal_prf(product):
    p = product("ree")
    assert p.prf == pytest.approx(1650.0515, abs=1e-3)
    assert p.attributes["nominal_acquisition_prf"] == 1910.0


@pytest.mark.parametrize("case", list(CASES))
def test_orbit_at_mid_swath_is_at_the_platform_altitude(case, product):
    p = product(case)
    g = p.radar_grid
    assert p.orbit.reference_epoch == g.reference_epoch.to_datetime64()
    assert p.orbit.start_time <= g.sensing_start and g.sensing_stop <= p.orbit.end_time
    pos, vel = p.orbit.interpolate(g.sensing_mid)
    h = WGS84.xyz_to_lon_lat(pos)[2]
    (hmin, hmax), (vmin, vmax) = PLATFORM[case]
    assert hmin < h < hmax
    assert vmin < np.linalg.norm(vel) < vmax
    # the target at mid range is below the platform and within the slant range geometry
    assert g.mid_range > h


def test_envisat_native_doppler_table(product):
    p = product("envisat")
    g = p.radar_grid
    assert p.doppler.have_data and (p.doppler.length, p.doppler.width) == (80, 240)
    tt, rr = np.meshgrid(g.sensing_times(), g.slant_ranges(), indexing="ij")
    d = p.doppler.eval(tt, rr)
    assert 276.0 <= d.min() and d.max() <= 304.0
    assert not p.is_zero_doppler


@pytest.mark.parametrize("case", ["winnipeg", "sanand129", "sanand138"])
def test_uavsar_products_are_zero_doppler(case, product):
    p = product(case)
    assert p.is_zero_doppler
    assert p.doppler.eval(p.radar_grid.sensing_mid, p.radar_grid.mid_range) == 0.0


def test_sanandreas_pair_shares_orbit_and_times(product):
    a, b = product("sanand129"), product("sanand138")
    assert a.orbit == b.orbit
    assert a.radar_grid.sensing_start == b.radar_grid.sensing_start
    assert a.radar_grid.prf == b.radar_grid.prf
    assert b.center_frequency - a.center_frequency == 10e6


@pytest.mark.parametrize("case", list(CASES))
def test_image_read_equals_the_raw_dataset(case, product, raw_image):
    p = product(case)
    raw = raw_image(case)
    if raw.dtype.names:                          # REE: compound {r, i} of float16
        assert raw.dtype["r"] == np.float16
        expected = raw["r"].astype(np.float32) + 1j * raw["i"].astype(np.float32)
    else:
        expected = raw
    img = p.read()
    assert img.dtype == np.complex64 and img.shape == p.shape
    np.testing.assert_array_equal(img, expected)
    np.testing.assert_array_equal(p.read(slice(3, 10), slice(5, 20)), expected[3:10, 5:20])
    np.testing.assert_array_equal(p.read(7), expected[7])
    blocks = list(p.iter_blocks(block_lines=37))
    assert [r.start for r, _ in blocks] == list(range(0, p.length, 37))
    np.testing.assert_array_equal(np.concatenate([b for _, b in blocks]), expected)


def test_ree_float16_is_decoded_exactly(product, raw_image):
    raw = raw_image("ree")
    img = product("ree").read()
    assert np.array_equal(img.real, raw["r"].astype(np.float32))
    assert np.array_equal(img.imag, raw["i"].astype(np.float32))
    peak = np.unravel_index(np.argmax(np.abs(img)), img.shape)
    assert peak == (64, 64)                       # the point target at line 64, pixel 64


@pytest.mark.parametrize("case", ["winnipeg", "ree"])
def test_output_extraction_writes_an_isce_raster(tmp_path, case, shared_data, product):
    reader = create("UAVSAR_HDF5_SLC" if case == "winnipeg" else "NISAR_RSLC", name="reference")
    reader.hdf5 = str(shared_data(CASES[case][0]))
    reader.output = str(tmp_path / "slc" / "reference.slc")
    out = reader.extract(block_lines=50)
    path = Path(reader.output)
    for suffix in (".xml", ".vrt", ".hdr", ".json"):
        assert path.with_name(path.name + suffix).is_file(), suffix
    raster = isce.io.open(path)
    assert (raster.length, raster.width, raster.data_type) == (*product(case).shape, "CFLOAT")
    np.testing.assert_array_equal(np.array(raster.read()), product(case).read())
    assert out.source.format == "raster"
    np.testing.assert_array_equal(out.read(), product(case).read())
    # the metadata beside it reads back equal, and still finds the image once the folder moves
    loaded = SlcProduct.load(str(path) + ".json")
    assert loaded == out
    moved = tmp_path / "moved"
    (tmp_path / "slc").rename(moved)
    again = SlcProduct.load(moved / "reference.slc.json")
    assert again.radar_grid == product(case).radar_grid
    np.testing.assert_array_equal(again.read(slice(0, 5)), product(case).read(slice(0, 5)))


def test_product_pickles_and_serialises_without_file_handles(product):
    p = product("envisat")
    q = pickle.loads(pickle.dumps(p))
    assert q == p
    np.testing.assert_array_equal(q.read(0), p.read(0))
    r = SlcProduct.from_json(p.to_json())
    assert r == p
    assert r.doppler.eval(p.radar_grid.sensing_mid, p.radar_grid.mid_range) == \
        p.doppler.eval(p.radar_grid.sensing_mid, p.radar_grid.mid_range)


def test_winnipeg_frequency_b_without_hh_reports_what_exists(shared_data):
    from isce.framework import InputError

    path = shared_data(CASES["winnipeg"][0])
    with pytest.raises(InputError) as err:
        read_nisar_slc(path, frequency="B", polarization="HH")
    msg = str(err.value)
    assert str(path) in msg and "/science/LSAR/SLC/swaths/frequencyB/HH" in msg
    assert "listOfPolarizations names HH, HV, VH, VV" in msg


def test_reader_caches_the_product_until_a_setting_changes(tmp_path, shared_data, product):
    reader = create("NISAR_SLC")
    reader.hdf5 = str(shared_data(CASES["sanand129"][0]))
    first = reader.parse()
    assert reader.parse() is first and reader.product is first
    reader.output = str(tmp_path / "a.slc")             # OUTPUT does not change the metadata
    assert reader.parse() is first
    reader.hdf5 = str(shared_data(CASES["sanand138"][0]))
    assert reader.parse().shape == (150, 400)
    out = reader.extract(progress=True)
    np.testing.assert_array_equal(out.read(), product("sanand138").read())
