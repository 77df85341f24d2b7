"""isce.core against the real ENVISAT product of the ISCE3 test data (NISAR-like HDF5).

Needs the real test data (tests/conftest.py: present in CI, where its absence fails).
"""
import h5py
import numpy as np
import pytest

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.lut import LUT2d
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime, epoch_from_units


@pytest.fixture(scope="module")
def h5(shared_data):
    with h5py.File(shared_data("envisat", "envisat.h5"), "r") as f:
        yield f


@pytest.fixture(scope="module")
def root(h5):
    for name in ("RSLC", "SLC"):
        path = f"science/LSAR/{name}"
        if path in h5:
            return h5[path]
    pytest.fail("neither science/LSAR/RSLC nor science/LSAR/SLC in envisat.h5")


def _text(v):
    v = v[()] if hasattr(v, "shape") else v
    if isinstance(v, np.ndarray):
        v = v.item()
    return v.decode() if isinstance(v, bytes) else str(v)


@pytest.fixture(scope="module")
def grid(h5, root):
    swaths = root["swaths"]
    zdt = swaths["zeroDopplerTime"]
    fa = swaths["frequencyA"]
    slant = fa["slantRange"][()]
    return RadarGrid(
        sensing_start=float(zdt[0]),
        reference_epoch=epoch_from_units(zdt.attrs["units"]),
        az_time_interval=float(swaths["zeroDopplerTimeSpacing"][()]),
        starting_range=float(slant[0]),
        range_pixel_spacing=float(fa["slantRangeSpacing"][()]),
        length=zdt.shape[0], width=slant.shape[0],
        wavelength=SPEED_OF_LIGHT / float(fa["processedCenterFrequency"][()]),
        look_side=_text(h5["science/LSAR/identification/lookDirection"]))


def test_epoch_and_radar_grid(root, grid):
    zdt = root["swaths/zeroDopplerTime"]
    units = zdt.attrs["units"]
    assert epoch_from_units(units) == DateTime("2003-02-24T00:00:00")
    assert grid.reference_epoch.isoformat() == "2003-02-24T00:00:00.000000000"
    assert grid.shape == (500, 500) and grid.look_side == "right" and grid.look_side_sign == -1
    assert grid.sensing_start == pytest.approx(237330.843491759, abs=1e-9)
    assert grid.prf == pytest.approx(1652.4157, abs=1e-3)
    assert grid.starting_range == pytest.approx(826988.6900674499, abs=1e-6)
    assert grid.range_pixel_spacing == pytest.approx(7.803973671, abs=1e-8)
    assert grid.center_frequency == pytest.approx(5.331004416e9, rel=1e-12)
    # the grid reproduces the product's own axes
    np.testing.assert_allclose(grid.sensing_times(), zdt[()], rtol=0, atol=1e-6)
    np.testing.assert_allclose(grid.slant_ranges(), root["swaths/frequencyA/slantRange"][()], rtol=0, atol=1e-6)
    # the README's geo2rdr solutions (native and zero Doppler): their ranges are
    # on this grid's swath, their times (3 s after the crop) inside the Doppler LUT
    lut_t = root["metadata/processingInformation/parameters/zeroDopplerTime"][()]
    for iso, rng in (("2003-02-26T17:55:33.993088889", 830450.1859446081),
                     ("2003-02-26T17:55:34.122893704", 830449.6727720434)):
        t = DateTime(iso).seconds_since(grid.reference_epoch)
        assert 0 < grid.slant_range_index(rng) < grid.width - 1
        assert lut_t[0] < t < lut_t[-1]
    assert grid.sensing_start_datetime.isoformat().startswith("2003-02-26T17:55:30.84349")


def test_doppler_lut_over_radar_grid(root, grid):
    params = root["metadata/processingInformation/parameters"]
    freq = params["frequencyA"]
    # axes may sit next to the LUT (newer spec) or one level up (older)
    t_ds = freq["zeroDopplerTime"] if "zeroDopplerTime" in freq else params["zeroDopplerTime"]
    r_ds = freq["slantRange"] if "slantRange" in freq else params["slantRange"]
    assert epoch_from_units(t_ds.attrs["units"]) == grid.reference_epoch
    data = freq["dopplerCentroid"][()]
    assert data.shape == (t_ds.shape[0], r_ds.shape[0]) == (80, 240)
    for method in ("bilinear", "bicubic"):
        lut = LUT2d(r_ds[()], t_ds[()], data, method=method)
        assert lut.y_spacing == pytest.approx(0.25) and lut.x_spacing == pytest.approx(25.0)
        # every pixel of the radar grid lies inside the LUT (bounds_error=True would raise)
        t = grid.sensing_times()[:, None]
        r = grid.slant_ranges()[None, :]
        fdc = lut.eval(t, r)
        assert fdc.shape == grid.shape
        assert np.all(np.isfinite(fdc))
        assert 276.0 <= fdc.min() and fdc.max() <= 304.0, (fdc.min(), fdc.max())
        # the whole table is in the README's range too, and nodes are reproduced
        yy, xx = np.meshgrid(t_ds[()], r_ds[()], indexing="ij")
        full = lut.eval(yy, xx)
        np.testing.assert_allclose(full, data, atol=1e-9)
        assert 276.0 <= full.min() and full.max() <= 304.0
    # a point outside the table must be refused
    with pytest.raises(ValueError):
        lut.eval(t_ds[0] - 10.0, r_ds[0])
