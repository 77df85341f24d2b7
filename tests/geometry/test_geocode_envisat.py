"""Golden check on real data (../shared/data/envisat, ISCE3's test set).

``geocode/x.rdr`` and ``y.rdr`` are the longitude and latitude [deg] of every
pixel of the ENVISAT crop, made by ISCE3's topo at h = 0 with the product's
native Doppler. Geocoding them with the same geometry onto a lon/lat grid
must give back each output pixel's own centre coordinate: ISCE3 asserts a
maximum error < 1e-8 deg (interpolation mode) and an RMSE < half an output
pixel. Grid (data/README.md): lon -115.65 .. -115.5 step 0.002, lat 34.85 ..
34.78 step -0.0008 (pixel edges; 75 x 88 pixels); DEM: zeros on the grid of
``geocode/zeroHeightDEM.geo`` (written here, the data file is not shipped).
GDAL (rasterio) must read the ``.geo`` and ``.tif`` outputs with that grid.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest


@pytest.fixture(scope="module")
def envisat(shared_data):
    """The ENVISAT folder of the real test data (ISCE3's test set)."""
    return shared_data("envisat")


SNWE = (34.78, 34.85, -115.65, -115.5)
POSTING = (0.002, -0.0008)


@pytest.fixture(scope="module")
def product(envisat):
    from isce.sensors import read_nisar_slc

    return read_nisar_slc(envisat / "envisat.h5")


@pytest.fixture(scope="module")
def zero_dem(tmp_path_factory, envisat):
    """All-zero float32 DEM on the grid of geocode/zeroHeightDEM.geo (a VRT)."""
    import isce.io

    root = ET.parse(envisat / "geocode" / "zeroHeightDEM.geo").getroot()
    gt = [float(v) for v in root.findtext("GeoTransform").split(",")]
    width, length = int(root.get("rasterXSize")), int(root.get("rasterYSize"))
    path = tmp_path_factory.mktemp("dem") / "zeroHeightDEM"
    isce.io.write(str(path), np.zeros((length, width), np.float32), geo=gt)
    return str(path)


@pytest.fixture(scope="module")
def geocoded(product, zero_dem, tmp_path_factory, envisat):
    from isce.geometry.geocode import geocode

    out = tmp_path_factory.mktemp("geo")
    inputs = [str(envisat / "geocode" / "x.rdr"), str(envisat / "geocode" / "y.rdr")]
    res = geocode(inputs, product.radar_grid, product.orbit, product.doppler, dem=zero_dem,
                  snwe=SNWE, posting=POSTING, output_dir=str(out))
    return res, inputs


def _errors(path):
    import isce.io

    r = isce.io.open(path)
    a = np.array(r.data)
    x0, dx, _, y0, _, dy = r.geo.geotransform
    lon = x0 + (np.arange(r.width) + 0.5) * dx
    lat = y0 + (np.arange(r.length) + 0.5) * dy
    return a, lon, lat, dx, dy


def test_golden_coordinate_images(geocoded, capsys):
    res, (x_in, y_in) = geocoded
    x, lon, _, dx, _ = _errors(res[x_in]["geo"])
    y, _, lat, _, dy = _errors(res[y_in]["geo"])
    err_x = x - lon[None, :]
    err_y = y - lat[:, None]
    ok = np.isfinite(err_x)
    assert np.array_equal(ok, np.isfinite(err_y))
    n = int(ok.sum())
    max_x, max_y = np.abs(err_x[ok]).max(), np.abs(err_y[ok]).max()
    rmse_x, rmse_y = np.sqrt(np.mean(err_x[ok] ** 2)), np.sqrt(np.mean(err_y[ok] ** 2))
    with capsys.disabled():
        print(f"\nenvisat geocode golden: {n} valid pixels; max |err| lon {max_x:.3e}, "
              f"lat {max_y:.3e} deg (< 1e-8); RMSE lon {rmse_x:.3e} (< {0.5 * dx:g}), "
              f"lat {rmse_y:.3e} deg (< {0.5 * abs(dy):g})")
    assert n >= 800                       # ISCE3's own lower bound on valid pixels
    assert max_x < 1e-8 and max_y < 1e-8
    assert rmse_x < 0.5 * dx and rmse_y < 0.5 * abs(dy)
    assert res[x_in]["method"] == "biquintic"


@pytest.mark.parametrize("method", ["bilinear", "bicubic", "sinc"])
def test_golden_with_other_interpolators(product, method, envisat):
    """Every smooth interpolator meets the tolerance (nearest cannot: 1e-4 deg)."""
    import isce.io
    from isce.geometry.geocode import GeoGrid, geocode_array

    gg = GeoGrid.from_snwe(SNWE, POSTING)
    data = np.stack([np.array(isce.io.open(envisat / "geocode" / f"{c}.rdr").data)
                     for c in "xy"])
    out = geocode_array(data, product.radar_grid, product.orbit, product.doppler, gg, dem=0.0,
                        method=method)
    err_x = out[0] - gg.lon_centers[None, :]
    err_y = out[1] - gg.lat_centers[:, None]
    ok = np.isfinite(err_x)
    assert ok.sum() >= 800
    assert np.abs(err_x[ok]).max() < 1e-8 and np.abs(err_y[ok]).max() < 1e-8


def test_gdal_reads_geo_and_geotiff(geocoded):
    import rasterio

    import isce.io

    res, inputs = geocoded
    expected = (-115.65, 0.002, 0.0, 34.85, 0.0, -0.0008)
    for p in inputs:
        out = res[p]
        ours = np.array(isce.io.open(out["geo"]).data)
        assert ours.shape == (88, 75) and ours.dtype == np.float64
        for path in (out["geo"] + ".vrt", out["geo"], out["tif"]):
            with rasterio.open(path) as ds:
                assert (ds.width, ds.height, ds.count) == (75, 88, 1)
                assert ds.crs.to_epsg() == 4326
                assert ds.transform.to_gdal() == pytest.approx(expected, abs=1e-12)
                assert ds.dtypes[0] == "float64"
                np.testing.assert_array_equal(ds.read(1), ours)


def test_geocode_product_matches(product, geocoded, tmp_path):
    """The product convenience (native-Doppler geometry by default) gives the same bytes."""
    import isce.io
    from isce.geometry.geocode import geocode_product

    res, (x_in, _) = geocoded
    again = geocode_product(product, [x_in], dem=0.0, snwe=SNWE, posting=POSTING,
                            output_dir=str(tmp_path), geotiff=False)
    np.testing.assert_array_equal(np.array(isce.io.open(again[x_in]["geo"]).data),
                                  np.array(isce.io.open(res[x_in]["geo"]).data))


def test_isce_xml_of_geo_product_places_samples_as_isce2(geocoded):
    """The .geo's ISCE XML read as ISCE2 reads it (geozero, MintPy): sample (i, j) lies at
    startingValue + index * delta. The geocoded coordinate images say where each sample is."""
    import isce.io

    res, (x_in, y_in) = geocoded
    for path, name, axis in ((res[x_in]["geo"], "coordinate1", 1), (res[y_in]["geo"], "coordinate2", 0)):
        comp = ET.parse(path + ".xml").getroot().find(f"component[@name='{name}']")
        prop = {p.get("name"): p.findtext("value") for p in comp.findall("property")}
        data = np.array(isce.io.open(path).data)
        index = np.arange(data.shape[axis])
        where = float(prop["startingvalue"]) + (index[None, :] if axis else index[:, None]) * float(prop["delta"])
        ok = np.isfinite(data)
        assert ok.sum() >= 800
        assert np.abs(data - where)[ok].max() < 1e-8
