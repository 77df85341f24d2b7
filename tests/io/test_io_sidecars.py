"""Sidecar contents, parsed back independently of isce.io's own readers."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import isce.io
from io_helpers import DTYPES, SCHEMES

ENVI_CODES = {"BYTE": 1, "SHORT": 2, "INT": 3, "LONG": 14, "FLOAT": 4, "DOUBLE": 5, "CFLOAT": 6, "CDOUBLE": 9}
GDAL_TYPES = {"BYTE": "Byte", "SHORT": "Int16", "INT": "Int32", "LONG": "Int64", "FLOAT": "Float32",
              "DOUBLE": "Float64", "CFLOAT": "CFloat32", "CDOUBLE": "CFloat64"}


def xml_properties(elem):
    return {p.get("name"): p.findtext("value") for p in elem.findall("property")}


def envi_fields(path):
    lines = path.read_text().splitlines()
    assert lines[0] == "ENVI"
    return {k.strip(): v.strip() for k, v in (line.split("=", 1) for line in lines[1:] if "=" in line)}


@pytest.mark.parametrize("name", list(DTYPES))
def test_isce_xml(tmp_path, name):
    path = tmp_path / "x.int"
    isce.io.write(path, np.zeros((2, 5, 7), DTYPES[name]), scheme="BIL", image_type="int")
    root = ET.parse(str(path) + ".xml").getroot()
    assert root.tag == "imageFile"
    props = xml_properties(root)
    assert props["width"] == "7"
    assert props["length"] == "5"
    assert props["number_bands"] == "2"
    assert props["scheme"] == "BIL"
    assert props["data_type"] == name
    assert props["image_type"] == "int"
    assert props["byte_order"] == "l"
    assert props["file_name"] == "x.int"
    assert props["access_mode"] == "read"
    # every property carries its value in a <value> child, as ISCE2's XmlDumper writes it
    assert all(p.find("value") is not None for p in root.iter("property"))
    comps = {c.get("name"): c for c in root.findall("component")}
    assert set(comps) == {"coordinate1", "coordinate2"}
    for key, size in (("coordinate1", 7), ("coordinate2", 5)):
        comp = comps[key]
        assert comp.findtext("factorymodule") == "isceobj.Image"
        assert comp.findtext("factoryname") == "createCoordinate"
        cp = xml_properties(comp)
        assert cp["family"] == "imagecoordinate"
        assert int(cp["size"]) == size
        assert float(cp["startingvalue"]) == 0.0
        assert float(cp["delta"]) == 1.0
        assert float(cp["endingvalue"]) == float(size)


def test_isce_xml_geocoded_coordinates(tmp_path):
    path = tmp_path / "x.geo"
    geo = isce.io.Geo(x0=-118.5, dx=1 / 3600, y0=34.25, dy=-1 / 3600)
    isce.io.write(path, np.zeros((4, 6), np.float32), image_type="dem", geo=geo, extra={"reference": "WGS84"})
    root = ET.parse(str(path) + ".xml").getroot()
    comps = {c.get("name"): xml_properties(c) for c in root.findall("component")}
    # startingValue: the first sample's centre (ISCE2's meaning), half a sample inside the corner
    assert float(comps["coordinate1"]["startingvalue"]) == pytest.approx(-118.5 + 0.5 / 3600, abs=1e-13)
    assert float(comps["coordinate1"]["delta"]) == 1 / 3600     # full precision kept
    assert float(comps["coordinate2"]["startingvalue"]) == pytest.approx(34.25 - 0.5 / 3600, abs=1e-13)
    assert float(comps["coordinate2"]["delta"]) == -1 / 3600
    assert float(comps["coordinate2"]["endingvalue"]) == pytest.approx(34.25 - 4.5 / 3600)
    assert xml_properties(root)["reference"] == "WGS84"
    r = isce.io.open(path)
    assert r.geo == geo
    assert r.info.extra == {"reference": "WGS84"}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", ["BYTE", "FLOAT", "CDOUBLE"])
def test_vrt_offsets(tmp_path, scheme, name):
    W, L, B = 7, 5, 3
    n = np.dtype(DTYPES[name]).itemsize
    path = tmp_path / "x.bin"
    isce.io.write(path, np.zeros((B, L, W), DTYPES[name]), scheme=scheme)
    root = ET.parse(str(path) + ".vrt").getroot()
    assert root.tag == "VRTDataset"
    assert (root.get("rasterXSize"), root.get("rasterYSize")) == (str(W), str(L))
    assert root.find("GeoTransform") is None and root.find("SRS") is None
    bands = root.findall("VRTRasterBand")
    assert len(bands) == B
    for b, band in enumerate(bands):
        assert band.get("subClass") == "VRTRawRasterBand"
        assert band.get("band") == str(b + 1)
        assert band.get("dataType") == GDAL_TYPES[name]
        src = band.find("SourceFilename")
        assert (src.text, src.get("relativeToVRT")) == ("x.bin", "1")
        assert band.findtext("ByteOrder") == "LSB"
        got = tuple(int(band.findtext(t)) for t in ("ImageOffset", "PixelOffset", "LineOffset"))
        expect = {"BIP": (b * n, B * n, B * W * n),
                  "BIL": (b * W * n, n, B * W * n),
                  "BSQ": (b * W * L * n, n, W * n)}[scheme]
        assert got == expect


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(DTYPES))
def test_envi_header(tmp_path, name, scheme):
    path = tmp_path / "x.bin"
    isce.io.write(path, np.zeros((2, 3, 4), DTYPES[name]), scheme=scheme)
    f = envi_fields(tmp_path / "x.bin.hdr")
    assert (f["samples"], f["lines"], f["bands"]) == ("4", "3", "2")
    assert f["header offset"] == "0"
    assert f["data type"] == str(ENVI_CODES[name])
    assert f["interleave"] == scheme.lower()
    assert f["byte order"] == "0"
    assert "map info" not in f


def test_geocoded_sidecars(tmp_path):
    path = tmp_path / "x.geo"
    gt = (10.0, 0.002, 0.0, 20.0, 0.0, -0.001)
    isce.io.write(path, np.zeros((3, 4), np.float32), geo=gt)
    root = ET.parse(str(path) + ".vrt").getroot()
    assert root.findtext("SRS") == "EPSG:4326"
    assert tuple(float(v) for v in root.findtext("GeoTransform").split(",")) == gt
    f = envi_fields(tmp_path / "x.geo.hdr")
    items = [v.strip() for v in f["map info"].strip("{}").split(",")]
    assert items[0] == "Geographic Lat/Lon"
    assert [float(v) for v in items[1:7]] == [1.0, 1.0, 10.0, 20.0, 0.002, 0.001]
    assert isce.io.open(path).geo.geotransform == gt


def test_sidecars_written_last_and_xml_last_of_all(tmp_path, monkeypatch):
    """When a sidecar is written, the data file is already complete under its final name."""
    from isce.io import atomic
    path = tmp_path / "x.rdr"
    seen = []
    real = atomic.write_text

    def spy(target, text, fsync=False):
        seen.append((target[len(str(path)):], path.exists(), path.stat().st_size if path.exists() else 0))
        real(target, text, fsync)

    monkeypatch.setattr("isce.io.sidecars.write_text", spy)
    isce.io.write(path, np.ones((3, 4), np.float64))
    assert [s[0] for s in seen] == [".vrt", ".hdr", ".xml"]
    assert all(exists and size == 96 for _, exists, size in seen)
