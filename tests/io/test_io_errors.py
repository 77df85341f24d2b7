"""Truncated files and malformed sidecars are reported clearly; any single sidecar suffices to read."""
import os

import numpy as np
import pytest

import isce.io
from isce.io import RasterError
from io_helpers import random_data


def test_truncated_file_reports_byte_counts(tmp_path):
    path = tmp_path / "x.rdr"
    isce.io.write(path, np.zeros((250, 250), np.float32))
    with open(path, "r+b") as f:
        f.truncate(1000)
    with pytest.raises(RasterError) as err:
        isce.io.open(path)
    assert str(err.value) == f"{path}: file holds 1000 bytes, header says 250x250 FLOAT (250000 bytes)"
    assert isinstance(err.value, ValueError)
    assert err.value.path == str(path)


@pytest.mark.parametrize("keep", [".vrt", ".hdr"])
def test_truncation_detected_through_every_sidecar(tmp_path, keep):
    path = tmp_path / "x.unw"
    isce.io.write(path, np.zeros((2, 10, 20), np.float32), scheme="BIL")
    for suffix in {".xml", ".vrt", ".hdr"} - {keep}:
        os.remove(str(path) + suffix)
    with open(path, "ab") as f:
        f.write(b"\0" * 8)
    with pytest.raises(RasterError, match=r"file holds 1608 bytes, header says 20x10x2 FLOAT BIL \(1600 bytes\)"):
        isce.io.open(path)


@pytest.mark.parametrize("keep", [".vrt", ".hdr"])
@pytest.mark.parametrize("scheme", ["BIP", "BIL", "BSQ"])
def test_read_with_only_one_sidecar(tmp_path, keep, scheme):
    path = tmp_path / "x.geo"
    truth = random_data(np.complex64, (3, 6, 8))
    gt = (5.0, 0.01, 0.0, 45.0, 0.0, -0.02)
    isce.io.write(path, truth, scheme=scheme, geo=gt, image_type="int")
    for suffix in {".xml", ".vrt", ".hdr"} - {keep}:
        os.remove(str(path) + suffix)
    r = isce.io.open(path)
    assert r.sidecar == str(path) + keep
    assert (r.width, r.length, r.bands, r.scheme, r.data_type) == (8, 6, 3, scheme, "CFLOAT")
    assert r.geo.geotransform == gt and r.geo.epsg == 4326
    np.testing.assert_array_equal(r.read(), truth)


def test_single_band_vrt_only(tmp_path):
    path = tmp_path / "x.rdr"
    truth = random_data(np.int16, (5, 4))
    isce.io.write(path, truth)
    os.remove(str(path) + ".xml")
    os.remove(str(path) + ".hdr")
    r = isce.io.open(str(path) + ".vrt")
    assert r.geo is None and r.bands == 1
    np.testing.assert_array_equal(r.data, truth)


def test_missing_raster_and_missing_sidecar(tmp_path):
    with pytest.raises(RasterError, match="no such raster"):
        isce.io.open(tmp_path / "nothing.rdr")
    (tmp_path / "bare.rdr").write_bytes(b"\0" * 16)
    with pytest.raises(RasterError, match=r"bare.rdr: no sidecar"):
        isce.io.open(tmp_path / "bare.rdr")
    isce.io.write(tmp_path / "x.rdr", np.zeros((2, 2), np.float32))
    os.remove(tmp_path / "x.rdr")
    with pytest.raises(RasterError, match=r"x.rdr: data file missing \(described by .*x.rdr.xml\)"):
        isce.io.open(tmp_path / "x.rdr.xml")


def _write_then_replace(tmp_path, suffix, text, remove=()):
    path = tmp_path / "x.rdr"
    isce.io.write(path, np.zeros((3, 4), np.float32))
    for other in remove:
        os.remove(str(path) + other)
    (tmp_path / ("x.rdr" + suffix)).write_text(text)
    return path


@pytest.mark.parametrize("text, message", [
    ("<imageFile><property name='width'><value>4", "malformed XML"),
    ("<input></input>", "expected <imageFile>"),
    ("<imageFile><property name='width'><value>4</value></property></imageFile>", "no data_type"),
    ("<imageFile><property name='width'><value>four</value></property>"
     "<property name='data_type'><value>FLOAT</value></property></imageFile>", "width is 'four'"),
    ("<imageFile><property name='width'><value>4</value></property>"
     "<property name='length'><value>3</value></property>"
     "<property name='data_type'><value>HALF</value></property></imageFile>", "unknown data_type 'HALF'"),
    ("<imageFile><property name='width'><value>4</value></property>"
     "<property name='length'><value>3</value></property><property name='scheme'><value>XYZ</value></property>"
     "<property name='data_type'><value>FLOAT</value></property></imageFile>", "scheme must be one of"),
])
def test_malformed_isce_xml(tmp_path, text, message):
    path = _write_then_replace(tmp_path, ".xml", text)
    with pytest.raises(RasterError, match=message) as err:
        isce.io.open(path)
    assert str(err.value).startswith(str(path) + ".xml: ")


@pytest.mark.parametrize("text, message", [
    ("<VRTDataset rasterXSize='4'", "malformed VRT"),
    ("<VRTDataset rasterXSize='4' rasterYSize='3'></VRTDataset>", "no VRTRasterBand"),
    ("<VRTDataset rasterXSize='4' rasterYSize='3'><VRTRasterBand dataType='Float32' band='1'>"
     "<SimpleSource/></VRTRasterBand></VRTDataset>", "not a VRTRawRasterBand"),
    ("<VRTDataset rasterXSize='4' rasterYSize='3'><VRTRasterBand dataType='UInt16' band='1' "
     "subClass='VRTRawRasterBand'><SourceFilename relativeToVRT='1'>x.rdr</SourceFilename>"
     "</VRTRasterBand></VRTDataset>", "unsupported dataType 'UInt16'"),
])
def test_malformed_vrt(tmp_path, text, message):
    path = _write_then_replace(tmp_path, ".vrt", text, remove=(".xml",))
    with pytest.raises(RasterError, match=message) as err:
        isce.io.open(path)
    assert str(err.value).startswith(str(path) + ".vrt: ")


@pytest.mark.parametrize("text, message", [
    ("samples = 4\n", "not an ENVI header"),
    ("ENVI\nsamples = 4\nlines = 3\n", "no 'data type' entry"),
    ("ENVI\nsamples = 4\nlines = 3\ndata type = 12\n", "unsupported ENVI data type 12"),
    ("ENVI\nsamples = x\nlines = 3\ndata type = 4\n", "samples is 'x'"),
    ("ENVI\nsamples = 4\nlines = 3\ndata type = 4\ndescription = {open\n", "unclosed"),
    ("ENVI\nsamples 4\n", "line 2 is not 'key = value'"),
])
def test_malformed_envi(tmp_path, text, message):
    path = _write_then_replace(tmp_path, ".hdr", text, remove=(".xml", ".vrt"))
    with pytest.raises(RasterError, match=message) as err:
        isce.io.open(path)
    assert str(err.value).startswith(str(path) + ".hdr: ")
