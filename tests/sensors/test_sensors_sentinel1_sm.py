"""SENTINEL1 stripmap (SM) products: a tiny SAFE made by the test (the real S1B annotation
turned into an S1 stripmap one of 7 x 5 pixels, and a complex int16 GeoTIFF written with
rasterio), read as a folder and as a zip, its pixels extracted block-wise; an empty
measurement TIFF is refused."""
import zipfile

import numpy as np
import pytest
import rasterio
from lxml import etree

import isce.io
import isce.sensors
from isce.framework.errors import InputError
from isce.sensors.product import SlcProduct

S1B_SAFE = "S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_032297_EFA4.SAFE"
S1B_XML = "s1b-iw1-slc-vv-20210401t052624-20210401t052649-026269-032297-004.xml"
NAME = "S1B_S1_SLC__1SSV_20210401T052622_20210401T052650_026269_032297_ABCD.SAFE"
STEM = "s1b-s1-slc-vv-20210401t052624-20210401t052649-026269-032297-001"
LINES, SAMPLES = 7, 5
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1" xmlns:safe="http://www.esa.int/safe/sentinel-1.0">
 <metadataSection><metadataObject ID="platform"><metadataWrap><xmlData>
  <safe:platform><safe:familyName>SENTINEL-1</safe:familyName><safe:number>B</safe:number>
  </safe:platform></xmlData></metadataWrap></metadataObject></metadataSection>
</xfdu:XFDU>
"""


def _stripmap_annotation(shared_data) -> bytes:
    """The S1B IW1 annotation as an SM S1 one of LINES x SAMPLES pixels, without bursts."""
    root = etree.parse(str(shared_data("sentinel1", S1B_SAFE, "annotation", S1B_XML))).getroot()
    root.find("adsHeader/mode").text = "SM"
    root.find("adsHeader/swath").text = "S1"
    info = root.find("imageAnnotation/imageInformation")
    info.find("numberOfLines").text = str(LINES)
    info.find("numberOfSamples").text = str(SAMPLES)
    timing = root.find("swathTiming")
    for child in list(timing):
        timing.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _pixels():
    k = np.arange(LINES * SAMPLES).reshape(LINES, SAMPLES)
    return (k - 10 + 1j * (3 * k - 40)).astype(np.complex64)


def _make_safe(folder, annotation: bytes, image=True):
    safe = folder / NAME
    (safe / "annotation").mkdir(parents=True)
    (safe / "measurement").mkdir()
    (safe / "manifest.safe").write_text(MANIFEST)
    (safe / "annotation" / f"{STEM}.xml").write_bytes(annotation)
    tiff = safe / "measurement" / f"{STEM}.tiff"
    if image:
        with rasterio.open(tiff, "w", driver="GTiff", width=SAMPLES, height=LINES, count=1,
                           dtype="complex_int16") as ds:
            ds.write(_pixels(), 1)
    else:
        tiff.write_bytes(b"")
    return safe


def _zip(safe, path):
    with zipfile.ZipFile(path, "w") as archive:
        for f in sorted(safe.rglob("*")):
            archive.write(f, f.relative_to(safe.parent).as_posix())
    return path


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_stripmap_pixels_extracted_block_wise(shared_data, tmp_path, packed):
    safe = _make_safe(tmp_path, _stripmap_annotation(shared_data))
    reader = isce.sensors.create("SENTINEL1", name="reference")
    reader.safe = str(_zip(safe, tmp_path / "sm.zip") if packed else safe)
    product = reader.parse()                              # SWATH: the product's only one
    assert product.attributes["mode"] == "SM" and product.attributes["swath"] == "S1"
    assert product.shape == (LINES, SAMPLES) and product.platform == "Sentinel-1B"
    assert product.source.format == "gdal"
    np.testing.assert_array_equal(product.read(slice(2, 5), slice(1, 4)), _pixels()[2:5, 1:4])
    np.testing.assert_array_equal(product.read(3), _pixels()[3])
    np.testing.assert_array_equal(product.read(slice(0, 7, 3)), _pixels()[::3])
    out = reader.extract(str(tmp_path / "reference.slc"), block_lines=3)
    raster = isce.io.open(str(tmp_path / "reference.slc"))
    try:
        np.testing.assert_array_equal(np.asarray(raster.read()), _pixels())
    finally:
        raster.close()
    assert SlcProduct.load(str(tmp_path / "reference.slc.json")) == out


def test_empty_measurement_is_refused(shared_data, tmp_path):
    """An empty TIFF (as in the shared data) is refused before anything is read."""
    safe = _make_safe(tmp_path, _stripmap_annotation(shared_data), image=False)
    reader = isce.sensors.create("SENTINEL1")
    reader.safe = str(safe)
    with pytest.raises(InputError, match=f"{NAME}: measurement/{STEM}.tiff: the measurement "
                                         r"image is empty \(0 bytes\)"):
        reader.parse()


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_wrong_size_measurement_is_refused(shared_data, tmp_path):
    annotation = _stripmap_annotation(shared_data).replace(
        f"<numberOfLines>{LINES}<".encode(), f"<numberOfLines>{LINES + 1}<".encode())
    safe = _make_safe(tmp_path, annotation)
    reader = isce.sensors.create("SENTINEL1")
    reader.safe = str(safe)
    with pytest.raises(InputError, match=f"{NAME}: measurement/{STEM}.tiff: image is 7 x 5 "
                                         "lines x samples, 1 band.* the annotation says 8 x 5"):
        reader.parse()
