"""An ISCE image XML's georeferencing means what it meant in ISCE2: ``startingValue`` of
``coordinate1``/``coordinate2`` is the centre of the FIRST SAMPLE (pixel-is-point).

ISCE2 2.6.5: DemStitcher.createImage records the whole-degree lon/lat of an SRTM tile's
corner sample as startingValue; topozero reads DEM sample i (1-based) at
``startingValue + (i-1)*delta``; geozero writes the lat/lon of its first computed sample;
MintPy's ``read_isce_xml`` takes ``X_FIRST = startingValue - delta/2``. Only ISCE2's
``renderVRT`` (and GDAL's ISCE driver) put the GeoTransform origin at startingValue, half a
sample off its own processing. Here the XML is read and written with ISCE2's meaning, the
VRT/HDR we write are corner-based (GDAL/ENVI), and the XML wins over an ISCE2 VRT.
"""
import json
import logging
import os
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio

import isce.io
from isce.geometry.dem import load_dem
from isce.geometry.demsource import open_dem

D3 = 1.0 / 1200                    # SRTM 3" spacing [deg]
LON0, LAT0 = -118.0, 35.0          # the whole-degree corner sample of tile N34W118
WIDTH, LENGTH = 40, 30
ROW, COL = 7, 11                   # the sample with the known height
KNOWN = 1234                       # [m]


def isce2_dem_xml(name, lon0=LON0, lat0=LAT0, delta=D3, width=WIDTH, length=LENGTH):
    """A DEM's XML as ISCE2's DemStitcher writes it (renderHdr layout, trimmed)."""
    def coord(key, start, step, size):
        return (f'<component name="{key}"><factorymodule>isceobj.Image</factorymodule>'
                f'<factoryname>createCoordinate</factoryname>'
                f'<property name="delta"><value>{step!r}</value></property>'
                f'<property name="endingvalue"><value>{start + size * step!r}</value></property>'
                f'<property name="size"><value>{size}</value></property>'
                f'<property name="startingvalue"><value>{start!r}</value></property></component>')
    props = dict(ISCE_VERSION="Release: 2.6.5, svn-, 20240101. Current: svn-.", access_mode="read",
                 byte_order="l", data_type="SHORT", family="demimage", file_name=name,
                 image_type="dem", length=length, number_bands=1, reference="EGM96", scheme="BIL",
                 width=width, xmax=lon0 + width * delta, xmin=lon0)
    return ("<imageFile>" + coord("coordinate1", lon0, delta, width)
            + coord("coordinate2", lat0, -delta, length)
            + "".join(f'<property name="{k}"><value>{v}</value></property>' for k, v in props.items())
            + "</imageFile>\n")


def isce2_vrt(name, lon0=LON0, lat0=LAT0, delta=D3, width=WIDTH, length=LENGTH):
    """The VRT ISCE2's Image.renderVRT writes beside it: GeoTransform origin = startingValue."""
    return (f'<VRTDataset rasterXSize="{width}" rasterYSize="{length}"><SRS>EPSG:4326</SRS>'
            f'<GeoTransform>{lon0}, {delta}, 0.0, {lat0}, 0.0, {-delta}</GeoTransform>'
            f'<VRTRasterBand band="1" dataType="Int16" subClass="VRTRawRasterBand">'
            f'<SourceFilename relativeToVRT="1">{name}</SourceFilename><ByteOrder>LSB</ByteOrder>'
            f'<ImageOffset>0</ImageOffset><PixelOffset>2</PixelOffset>'
            f'<LineOffset>{2 * width}</LineOffset></VRTRasterBand></VRTDataset>\n')


def heights():
    """A smooth hill (so interpolation is easy) with KNOWN at (ROW, COL) [m]."""
    r, c = np.mgrid[0:LENGTH, 0:WIDTH]
    h = 300.0 + 40.0 * np.sin(r / 5.0) + 30.0 * np.cos(c / 7.0) + 2.0 * r
    h[ROW, COL] = KNOWN
    return np.round(h).astype("<i2")


@pytest.fixture
def isce2_dem(tmp_path):
    """An ISCE2 DEM (data + ISCE2's XML + ISCE2's half-sample-off VRT) in tmp_path."""
    path = tmp_path / "demLat_N34_N35_Lon_W118_W117.dem"
    heights().tofile(path)
    (tmp_path / f"{path.name}.xml").write_text(isce2_dem_xml(path.name))
    (tmp_path / f"{path.name}.vrt").write_text(isce2_vrt(path.name))
    return path


KNOWN_LON, KNOWN_LAT = LON0 + COL * D3, LAT0 - ROW * D3


@pytest.mark.parametrize("method", ["bilinear", "biquintic"])
@pytest.mark.parametrize("given", ["", ".xml", ".vrt"])
def test_isce2_dem_height_at_its_sample(isce2_dem, method, given):
    """The sampler returns the height ISCE2 put at (lon0 + 11*3", lat0 - 7*3"), whichever of
    the data file, its XML or ISCE2's (half-sample-off) VRT is named."""
    dem = load_dem(f"{isce2_dem}{given}", method=method)
    rows, cols = np.array([ROW, 4, 3, LENGTH - 4]), np.array([COL, 5, 20, WIDTH - 5])
    got = dem.interpolate(LON0 + cols * D3, LAT0 - rows * D3)
    assert got[0] == pytest.approx(KNOWN, abs=1e-3)
    np.testing.assert_allclose(got, heights()[rows, cols], rtol=0, atol=1e-3)


def test_isce2_dem_grid_through_open_dem(isce2_dem):
    """open_dem (verifyDEM's reader): sample (ROW, COL) centre is the whole-degree grid point."""
    with open_dem(isce2_dem) as src:
        x0, dx, y0, dy = src.geo
        assert (x0 + (COL + 0.5) * dx, y0 + (ROW + 0.5) * dy) == pytest.approx(
            (KNOWN_LON, KNOWN_LAT), rel=0, abs=1e-12)
        assert src.bounds == pytest.approx((LON0 - D3 / 2, LAT0 - (LENGTH - 0.5) * D3,
                                            LON0 + (WIDTH - 0.5) * D3, LAT0 + D3 / 2), abs=1e-12)
        assert src.read(slice(ROW, ROW + 1))[0, COL] == KNOWN


def test_xml_wins_over_isce2_vrt_and_says_so(isce2_dem, caplog):
    """Named as its .vrt, the raster still gets the XML's grid, and the log says why."""
    expect = (LON0 - D3 / 2, D3, 0.0, LAT0 + D3 / 2, 0.0, -D3)
    with caplog.at_level(logging.INFO, logger="isce.io"):
        by_vrt = isce.io.open(f"{isce2_dem}.vrt")
    assert by_vrt.geo.geotransform == pytest.approx(expect, rel=0, abs=1e-12)
    assert any("georeferencing from the ISCE XML" in m and "(+0.5, +0.5) samples" in m
               for m in caplog.messages)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="isce.io"):
        by_data = isce.io.open(isce2_dem)
    assert by_data.geo == by_vrt.geo
    assert any("georeferencing from this ISCE XML" in m for m in caplog.messages)


def test_our_dem_xml_reads_in_isce2_meaning(tmp_path):
    """A DEM we write on the SRTM grid records startingValue = the whole degree, as ISCE2 does."""
    geo = isce.io.Geo(LON0 - D3 / 2, D3, LAT0 + D3 / 2, -D3)
    path = tmp_path / "dem.dem"
    isce.io.write(path, heights(), image_type="dem", geo=geo)
    root = ET.parse(f"{path}.xml").getroot()
    start = {c.get("name"): float(c.find("property[@name='startingvalue']/value").text)
             for c in root.findall("component")}
    assert start == {"coordinate1": LON0, "coordinate2": LAT0}        # bit for bit
    assert float(root.find("property[@name='xmin']/value").text) == LON0


@pytest.mark.parametrize("geo", [
    isce.io.Geo(LON0 - D3 / 2, D3, LAT0 + D3 / 2, -D3),
    isce.io.Geo(-118.5, 1 / 3600, 34.25, -1 / 3600),
    isce.io.Geo(-115.65, 0.002, 34.85, -0.0008),
    isce.io.Geo(500000.0, 30.0, 4100000.0, -30.0, 32611),
    isce.io.Geo(-0.1234567890123, 1e-5, -0.000987654321, 7e-6),
])
def test_round_trip_keeps_the_grid(tmp_path, geo):
    """write -> read through the XML gives the same Geo bit for bit, and a write of what was
    read writes the same XML."""
    path = tmp_path / "x.geo"
    isce.io.write(path, np.zeros((3, 5), np.float32), geo=geo)
    os.remove(f"{path}.vrt")                   # only the XML can tell
    os.remove(f"{path}.hdr")
    assert isce.io.open(path).geo == geo
    first = (tmp_path / "x.geo.xml").read_text()
    isce.io.write(tmp_path / "y.geo", np.zeros((3, 5), np.float32), geo=isce.io.open(path).geo)
    assert (tmp_path / "y.geo.xml").read_text().replace("y.geo", "x.geo") == first


@pytest.mark.parametrize("sidecar", [".vrt", ".hdr"])
def test_gdal_reads_our_vrt_and_hdr_where_the_xml_puts_samples(tmp_path, sidecar):
    """GDAL's pixel centres from our .vrt/.hdr are the XML's startingValue + k*delta."""
    path = tmp_path / "x.geo"
    isce.io.write(path, np.zeros((6, 9), np.float32), image_type="unw",
                  geo=isce.io.Geo(-118.5, 1 / 3600, 34.25, -1 / 3600))
    root = ET.parse(f"{path}.xml").getroot()

    def coord(name, prop):
        return float(root.find(f"component[@name='{name}']/property[@name='{prop}']/value").text)

    if sidecar == ".hdr":
        os.remove(f"{path}.xml")               # GDAL would pick the ENVI header anyway
    with rasterio.open(f"{path}.vrt" if sidecar == ".vrt" else path) as ds:
        assert ds.driver == ("VRT" if sidecar == ".vrt" else "ENVI")
        for row, col in ((0, 0), (5, 8), (2, 3)):
            lon, lat = ds.transform @ (col + 0.5, row + 0.5)
            assert (lon, lat) == pytest.approx(
                (coord("coordinate1", "startingvalue") + col * coord("coordinate1", "delta"),
                 coord("coordinate2", "startingvalue") + row * coord("coordinate2", "delta")),
                rel=0, abs=1e-12)


MINTPY_READ = """
import json, sys
from mintpy.utils import readfile
atr = readfile.read_attribute(sys.argv[1])
print(json.dumps({k: str(atr[k]) for k in ("X_FIRST", "Y_FIRST", "X_STEP", "Y_STEP")}))
"""


def test_mintpy_reads_our_geocoded_product_and_isce2_dem(tmp_path, mintpy_python, isce2_dem):
    """MintPy's X_FIRST/Y_FIRST (ROI_PAC/GDAL: the outer corner) of a product we geocode is
    our corner; of an ISCE2 DEM, the corner half a sample outside its whole-degree sample."""
    geo = isce.io.Geo(-115.65, 0.002, 34.85, -0.0008)
    path = tmp_path / "filt_topophase.unw.geo"
    isce.io.write(path, np.zeros((2, 7, 9), np.float32), scheme="BIL", image_type="unw", geo=geo)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp_path))}
    for file, (x0, dx, y0, dy) in ((path, (geo.x0, geo.dx, geo.y0, geo.dy)),
                                   (isce2_dem, (LON0 - D3 / 2, D3, LAT0 + D3 / 2, -D3))):
        out = subprocess.run([str(mintpy_python), "-c", MINTPY_READ, str(file)], env=env,
                             capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-2000:]
        atr = {k: float(v) for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
        assert (atr["X_FIRST"], atr["X_STEP"], atr["Y_FIRST"], atr["Y_STEP"]) == pytest.approx(
            (x0, dx, y0, dy), rel=0, abs=1e-12)


def test_projected_isce_dem_is_warped_on_the_xml_grid(tmp_path):
    """A projected (UTM) ISCE DEM goes to GDAL through a VRT made from its XML: a .vrt beside it
    that puts the grid elsewhere (ISCE2-style, half a sample off) or no .vrt at all gives the
    same lon/lat grid as our own consistent sidecars."""
    geo = isce.io.Geo(560000.0, 90.0, 3860000.0, -90.0, 32611)
    h = np.full((40, 50), 250.0, np.float32)
    paths = {kind: tmp_path / f"{kind}.dem" for kind in ("ours", "shifted", "novrt")}
    for path in paths.values():
        isce.io.write(path, h, image_type="dem", geo=geo)
    text = (tmp_path / "shifted.dem.vrt").read_text()
    assert "560000.0, 90.0" in text
    (tmp_path / "shifted.dem.vrt").write_text(text.replace("560000.0, 90.0", "560045.0, 90.0")
                                              .replace("3860000.0", "3859955.0"))
    os.remove(f"{paths['novrt']}.vrt")
    def grid(kind):
        with open_dem(paths[kind]) as src:
            assert src.warped
            return src.width, src.length, src.geo

    assert grid("shifted") == grid("ours")
    assert grid("novrt") == grid("ours")


def test_the_disagreement_is_logged_once_per_sidecar(isce2_dem, caplog):
    with caplog.at_level(logging.INFO, logger="isce.io"):
        for _ in range(3):
            isce.io.open(isce2_dem)
    assert sum("georeferencing from this ISCE XML" in m for m in caplog.messages) == 1


def test_a_vrt_in_another_crs_keeps_its_grid(isce2_dem):
    """The XML corrects where the grid lies, not its CRS: a UTM VRT beside a lon/lat XML wins."""
    vrt = f"{isce2_dem}.vrt"
    text = open(vrt).read().replace("EPSG:4326", "EPSG:32611").replace(
        f"{LON0}, {D3}, 0.0, {LAT0}, 0.0, {-D3}", "500000.0, 90.0, 0.0, 3900000.0, 0.0, -90.0")
    open(vrt, "w").write(text)
    assert isce.io.open(vrt).geo == isce.io.Geo(500000.0, 90.0, 3900000.0, -90.0, 32611)
    assert isce.io.open(isce2_dem).geo.epsg == 4326          # named as data: its XML
