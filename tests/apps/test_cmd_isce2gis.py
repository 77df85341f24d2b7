"""isce2gis.py (ISCE2's vrt/envi, plus geotiff/kml): what GDAL (through rasterio) makes of each
output, against the arrays written; radar-grid products warp through their lat/lon."""
import os
import warnings
import xml.etree.ElementTree as ET

import matplotlib.image
from pathlib import Path

import numpy as np
import pytest
import rasterio
from everyday_commands import one_line_error, run_app
from isce_commands import run_command
from rasterio.vrt import WarpedVRT

import isce.io
from isce.apps.isce2gis import Isce2Gis
from isce.io import envi

L, W = 30, 40
GEO = (-117.0, 0.01, 0, 35.0, 0, -0.02)


def gis(capsys, *args):
    return run_app(Isce2Gis, "isce2gis.py", *args, capsys=capsys)


@pytest.fixture
def radar(workdir):
    lat, lon = np.meshgrid(np.linspace(35.0, 34.6, L), np.linspace(-117.0, -116.5, W), indexing="ij")
    isce.io.write_raster("lat.rdr", lat)
    isce.io.write_raster("lon.rdr", lon)
    isce.io.write_raster("z.rdr", (lat * 100).astype(np.float32))
    return lat, lon


def test_vrt_with_geolocation_arrays_warps_onto_lat_lon(radar, capsys):
    lat, lon = radar
    rc, _, err = gis(capsys, "vrt", "-i", "z.rdr", "--lat", "lat.rdr", "--lon", "lon.rdr")
    assert rc == 0, err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rasterio.open("z.rdr.vrt") as ds:
            tags = ds.tags(ns="GEOLOCATION")
            assert (tags["X_DATASET"], tags["Y_DATASET"]) == ("lon.rdr.vrt", "lat.rdr.vrt")
            with WarpedVRT(ds, crs="EPSG:4326") as warped:          # GDAL's geolocation warp
                w, s, e, n = warped.bounds
                data = warped.read(1)
    assert w == pytest.approx(lon.min(), abs=0.02) and e == pytest.approx(lon.max(), abs=0.02)
    assert s == pytest.approx(lat.min(), abs=0.02) and n == pytest.approx(lat.max(), abs=0.02)
    valid = data[data != 0]
    assert valid.size > data.size / 2 and 3455 < valid.min() < valid.max() < 3505


def test_envi_header_describes_the_raster(radar, capsys):
    r = isce.io.open("z.rdr")
    for sidecar in ("z.rdr.hdr", "z.rdr.vrt"):
        os.remove(sidecar)
    assert gis(capsys, "envi", "-i", "z.rdr.xml")[0] == 0
    info = envi.parse("z.rdr.hdr")
    assert (info.width, info.length, info.datatype.isce) == (W, L, "FLOAT")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # no geotransform: a radar grid
        ds = rasterio.open("z.rdr", driver="ENVI")
    with ds:
        np.testing.assert_array_equal(ds.read(1), r.read())


def test_geotiff_of_a_geocoded_product(workdir, capsys):
    cube = np.random.default_rng(4).normal(size=(2, L, W)).astype(np.float32)
    isce.io.write_raster("f.unw.geo", cube, scheme="BIL", geo=GEO)
    assert gis(capsys, "geotiff", "-i", "f.unw.geo", "-o", "f.tif")[0] == 0
    with rasterio.open("f.tif") as ds:
        assert ds.crs.to_epsg() == 4326 and ds.count == 2
        assert ds.transform.to_gdal() == pytest.approx(GEO)
        np.testing.assert_array_equal(ds.read(), cube)


def test_kml_overlay_and_its_png(workdir, capsys):
    a = np.tile(np.linspace(0, 1, W, dtype=np.float32), (L, 1))
    a[0, 0] = np.nan
    isce.io.write_raster("c.cor.geo", a, geo=GEO)
    assert gis(capsys, "kml", "-i", "c.cor.geo")[0] == 0
    box = ET.parse("c.cor.geo.kml").getroot().find(".//{http://www.opengis.net/kml/2.2}LatLonBox")
    edges = {child.tag.split("}")[1]: float(child.text) for child in box}
    assert edges == pytest.approx({"north": 35.0, "south": 34.4, "west": -117.0, "east": -116.6})
    png = matplotlib.image.imread("c.cor.geo.png")
    assert png.shape == (L, W, 4)
    assert png[0, 0, 3] == 0 and png[1, 0, 3] == 1              # no data transparent
    grey = png[5, :, 0]                                         # coherence 0..1 on a grey ramp
    np.testing.assert_allclose(grey, np.linspace(0, 1, W), atol=2 / 255)    # 256 grey levels


@pytest.mark.parametrize("args, words", [
    (["geotiff", "-i", "z.rdr"], "not geocoded"),
    (["kml", "-i", "z.rdr"], "not geocoded"),
    (["vrt", "-i", "z.rdr", "--lat", "lat.rdr"], "--lat and --lon go together"),
    (["vrt", "-i", "z.rdr", "--lat", "small.rdr", "--lon", "lon.rdr"], "widths and lengths"),
    (["tiff", "-i", "z.rdr"], "expected one of vrt, envi, geotiff, kml"),
    (["vrt", "-i", "nothere.rdr"], "nothere.rdr"),
])
def test_bad_input_is_one_line_exit_2(radar, capsys, args, words):
    isce.io.write_raster("small.rdr", np.ones((3, 3)))
    rc, _, err = gis(capsys, *args)
    assert rc == 2 and words in one_line_error(err, "isce2gis.py")
    assert not list(Path().glob("*.tif")) + list(Path().glob("*.kml"))


def test_help_through_the_launcher(tmp_path):
    proc = run_command("isce2gis.py", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "<format>" in proc.stdout and "--lat" in proc.stdout
