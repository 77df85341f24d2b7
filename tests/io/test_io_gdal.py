"""GDAL (through rasterio) reads every raster written: via the .vrt, the ENVI .hdr and the ISCE .xml."""
import numpy as np
import pytest
import rasterio

import isce.io
from io_helpers import DTYPES, SCHEMES, random_data

DRIVERS = ("VRT", "ENVI", "ISCE")
GDAL_VERSION = tuple(int(v) for v in rasterio.__gdal_version__.split(".")[:2])
pytestmark = pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")


def gdal_open(path, driver):
    return rasterio.open(f"{path}.vrt" if driver == "VRT" else str(path), driver=driver)


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("bands", [1, 3])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(DTYPES))
def test_gdal_reads_what_we_write(tmp_path, name, scheme, bands, driver):
    if name == "LONG" and GDAL_VERSION < (3, 5):
        pytest.skip("GDAL < 3.5 has no Int64")
    truth = random_data(DTYPES[name], (bands, 9, 11), seed=bands)
    path = tmp_path / "x.rdr"
    isce.io.write(path, truth, scheme=scheme)
    with gdal_open(path, driver) as ds:
        assert ds.driver == driver
        assert (ds.width, ds.height, ds.count) == (11, 9, bands)
        assert all(np.dtype(t) == np.dtype(DTYPES[name]) for t in ds.dtypes)
        np.testing.assert_array_equal(ds.read(), truth)


@pytest.mark.parametrize("driver", DRIVERS)
def test_gdal_geotransform(tmp_path, driver):
    path = tmp_path / "x.geo"
    gt = (-118.5, 1 / 3600, 0.0, 34.25, 0.0, -1 / 3600)
    isce.io.write(path, np.zeros((2, 8, 12), np.float32), scheme="BIL", image_type="unw", geo=gt)
    # GDAL's ISCE driver (like ISCE2's renderVRT) takes startingValue, the first sample's
    # centre, as the corner: it sees the grid half a sample east/south of where it is
    half = 0.5 / 3600 if driver == "ISCE" else 0.0
    with gdal_open(path, driver) as ds:
        assert ds.transform.to_gdal() == pytest.approx((gt[0] + half, gt[1], 0.0, gt[3] - half, 0.0, gt[5]),
                                                       rel=0, abs=1e-12)
        assert ds.crs is not None and ds.crs.to_epsg() == 4326
        assert ds.bounds == pytest.approx((-118.5 + half, 34.25 - 8 / 3600 - half, -118.5 + 12 / 3600 + half,
                                           34.25 - half), abs=1e-12)


def test_gdal_radar_raster_has_no_crs(tmp_path):
    path = tmp_path / "x.rdr"
    isce.io.write(path, np.zeros((4, 5), np.float32))
    with gdal_open(path, "VRT") as ds:
        assert ds.crs is None


def test_we_read_what_gdal_writes(tmp_path):
    """An ENVI raster written by GDAL itself (with its own header conventions) opens here."""
    path = tmp_path / "g.bin"
    truth = random_data(np.int16, (2, 6, 5))
    profile = dict(driver="ENVI", width=5, height=6, count=2, dtype="int16", interleave="bip",
                   crs="EPSG:4326", transform=rasterio.Affine(0.5, 0, 3.0, 0, -0.25, 40.0))
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(truth)
    assert (tmp_path / "g.hdr").exists()         # GDAL's name for the header of g.bin
    r = isce.io.open(path)
    np.testing.assert_array_equal(r.read(), truth)
    assert r.scheme == "BIP"
    assert r.geo.geotransform == (3.0, 0.5, 0.0, 40.0, 0.0, -0.25)
