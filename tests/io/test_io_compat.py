"""Reading ISCE2-written XML, and keeping `import isce.io` light."""
import os
import subprocess
import sys

import numpy as np
import pytest

import isce.io

COMPONENTS = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "components"))

# As ISCE2 2.6 writes a DEM's XML (trimmed), with an absolute file_name from elsewhere.
ISCE2_DEM_XML = """<imageFile>
    <property name="ISCE_VERSION">
        <value>Release: 2.6.5, svn-, 20240101. Current: svn-.</value>
    </property>
    <property name="access_mode">
        <value>read</value>
        <doc>Image access mode.</doc>
    </property>
    <property name="byte_order">
        <value>l</value>
        <doc>Endianness of the image.</doc>
    </property>
    <component name="coordinate1">
        <factorymodule>isceobj.Image</factorymodule>
        <factoryname>createCoordinate</factoryname>
        <doc>First coordinate of a 2D image (width).</doc>
        <property name="delta">
            <value>0.0002777777777777778</value>
            <doc>Coordinate quantization.</doc>
        </property>
        <property name="endingvalue">
            <value>-117.99888888888889</value>
        </property>
        <property name="family">
            <value>imagecoordinate</value>
        </property>
        <property name="name">
            <value>imagecoordinate_name</value>
        </property>
        <property name="size">
            <value>4</value>
        </property>
        <property name="startingvalue">
            <value>-118.0</value>
        </property>
    </component>
    <component name="coordinate2">
        <factorymodule>isceobj.Image</factorymodule>
        <factoryname>createCoordinate</factoryname>
        <property name="delta">
            <value>-0.0002777777777777778</value>
        </property>
        <property name="size">
            <value>3</value>
        </property>
        <property name="startingvalue">
            <value>35.0</value>
        </property>
    </component>
    <property name="data_type">
        <value>SHORT</value>
        <doc>Image data type.</doc>
    </property>
    <property name="family">
        <value>demimage</value>
    </property>
    <property name="file_name">
        <value>/some/where/else/dem.wgs84</value>
    </property>
    <property name="image_type">
        <value>dem</value>
    </property>
    <property name="length">
        <value>3</value>
    </property>
    <property name="number_bands">
        <value>1</value>
    </property>
    <property name="reference">
        <value>WGS84</value>
    </property>
    <property name="scheme">
        <value>BIP</value>
    </property>
    <property name="width">
        <value>4</value>
    </property>
    <property name="xmax">
        <value>-117.99888888888889</value>
    </property>
    <property name="xmin">
        <value>-118.0</value>
    </property>
</imageFile>
"""


def test_reads_isce2_dem_xml(tmp_path):
    truth = np.arange(12, dtype="<i2").reshape(3, 4)
    truth.tofile(tmp_path / "dem.wgs84")
    (tmp_path / "dem.wgs84.xml").write_text(ISCE2_DEM_XML)
    r = isce.io.open(tmp_path / "dem.wgs84")
    assert (r.width, r.length, r.bands, r.data_type, r.image_type) == (4, 3, 1, "SHORT", "dem")
    # ISCE2's startingValue is the first sample's centre: the grid's corner is half a sample out
    d = 1 / 3600
    assert r.geo.geotransform == pytest.approx((-118.0 - d / 2, d, 0.0, 35.0 + d / 2, 0.0, -d),
                                               rel=0, abs=1e-12)
    assert (r.geo.x_centers(4)[0], r.geo.y_centers(3)[0]) == pytest.approx((-118.0, 35.0),
                                                                           rel=0, abs=1e-12)
    assert r.info.extra == {"reference": "WGS84"}
    np.testing.assert_array_equal(r.data, truth)


def test_reads_legacy_forms(tmp_path):
    """Upper-case names, value attributes, bare text, and no length (taken from the file size)."""
    truth = np.arange(30, dtype=np.float32).reshape(5, 3, 2)      # 5 lines, BIP, 2 bands of width 3
    truth.tofile(tmp_path / "x.amp")
    (tmp_path / "x.amp.xml").write_text(
        '<imageFile><property name="WIDTH" value="3"/>'
        '<property name="NUMBER_BANDS"><value> 2 </value></property>'
        '<property name="Data Type">FLOAT</property>'
        '<property name="IMAGE_TYPE"><value>amp</value></property></imageFile>')
    r = isce.io.open(tmp_path / "x.amp")
    assert (r.width, r.length, r.bands, r.scheme, r.image_type) == (3, 5, 2, "BIP", "amp")
    np.testing.assert_array_equal(r.read(band=1), truth[:, :, 1])


def test_xml_file_name_resolves_against_xml_folder(tmp_path):
    """An XML given on its own, for data under another name, follows its file_name."""
    isce.io.write(tmp_path / "a.rdr", np.ones((2, 3), np.float32))
    os.rename(tmp_path / "a.rdr.xml", tmp_path / "meta.xml")
    r = isce.io.open(tmp_path / "meta.xml")
    assert r.path == str(tmp_path / "a.rdr")


def test_big_endian_isce_raster(tmp_path):
    truth = np.arange(6, dtype=">f4").reshape(2, 3)
    truth.tofile(tmp_path / "b.rdr")
    (tmp_path / "b.rdr.xml").write_text(
        "<imageFile><property name='width'><value>3</value></property>"
        "<property name='length'><value>2</value></property>"
        "<property name='byte_order'><value>b</value></property>"
        "<property name='data_type'><value>FLOAT</value></property></imageFile>")
    r = isce.io.open(tmp_path / "b.rdr")
    assert r.dtype == np.dtype(">f4")
    np.testing.assert_array_equal(r.data, truth)


def test_import_is_light():
    code = "import sys, isce, isce.io; print('numpy' in sys.modules); isce.io.open; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=COMPONENTS),
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
    assert "open" in dir(isce.io) and isce.io.open is isce.io.raster.open_raster
