"""TERRASARX (TerraSAR-X / TanDEM-X SSC stripmap): a small synthetic product (X-band orbit over
Berlin, known pixels with no-data borders) written by isce.simulate.terrasarx and read back
(metadata exact, pixels within the int16 quantisation, GDAL's own COSAR driver agreeing on
every pixel), its GEOREF grid against our rdr2geo, block-wise reading, damaged copies refused
with file and XML element or byte offset, and insarApp refusing a bad product in one line."""
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
from lxml import etree

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.framework.errors import ConfigurationError, InputError
from isce.geometry.geo2rdr import geo2rdr_points
from isce.geometry.rdr2geo import rdr2geo_points
from isce.sensors import terrasarx
from isce.sensors.product import ImageSource, SlcProduct
from isce.sensors.terrasarx import doppler_centroid, read_georef, read_terrasarx
from isce.simulate.orbit import orbit_over
from isce.simulate.terrasarx import GAIN_PEAK, write_terrasarx
from isce_commands import run_command

LAT, LON = 52.5, 13.4                  # the scene centre, on the ellipsoid
LINES, SAMPLES = 61, 41                # the GEOREF's 11 x 11 nodes fall on lines/samples
F0, FS, PRF = 9.65e9, 164.829e6, 3790.123      # TSX X band, range sampling rate, line rate
TIME = "2014-05-03T05:20:11.123456"    # zero-Doppler time of the centre (a µs instant)


def _geometry(mission_time=TIME):
    """(orbit, grid) of a descending right-looking TSX pass centred on (LAT, LON): 514.8 km,
    97.44 deg, state vectors 10 s apart as in TSX annotations."""
    orbit, t_zd = orbit_over(LAT, LON, 33.0, "right", 514.8e3, 97.44, time=mission_time,
                             ascending=False, duration_s=120.0, spacing_s=10.0)
    target = WGS84.lon_lat_to_xyz(np.array([np.radians(LON), np.radians(LAT), 0.0]))
    r = float(np.linalg.norm(target - orbit.interpolate(t_zd)[0]))
    dr = SPEED_OF_LIGHT / (2 * FS)
    first = round((t_zd - (LINES - 1) / 2 / PRF) * 1e6) / 1e6      # line 0 on a µs instant
    grid = RadarGrid(first, orbit.reference_epoch, prf=PRF,
                     starting_range=r - (SAMPLES - 1) / 2 * dr, range_pixel_spacing=dr,
                     length=LINES, width=SAMPLES, wavelength=SPEED_OF_LIGHT / F0,
                     look_side="right")
    return orbit, grid


def _pixels():
    """Noise with no-data borders: 3 zero columns, 2 zero lines, a zero line, a zero gap."""
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((LINES, SAMPLES)) + 1j * rng.standard_normal((LINES, SAMPLES)))
    z = (100 * z).astype(np.complex64)
    z[:, :3] = 0
    z[:2] = 0
    z[20] = 0
    z[-1, -5:] = 0
    return z


def _product(folder, mission="TSX-1", platform="TerraSAR-X"):
    orbit, grid = _geometry()
    path = folder / "input.slc"
    isce.io.write(str(path), _pixels())
    return SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=150e6,
                      azimuth_bandwidth=2765.0, range_sampling_rate=FS, polarization="VV",
                      platform=platform, mission=mission,
                      source=ImageSource("raster", str(path)))


@pytest.fixture
def written(tmp_path):
    """(input product, path of the written main annotation)."""
    product = _product(tmp_path)
    out = write_terrasarx(product, tmp_path / "products", "reference", block_lines=7)
    return product, tmp_path / "products" / out["XML"]


def _reader(xml, **settings):
    reader = isce.sensors.create("TERRASARX", name="reference")
    reader.xml = str(xml)
    for key, value in settings.items():
        setattr(reader, key, value)
    return reader


# ----------------------------------------------------------------------------- round trip
def test_writer_names_the_product_as_dlr(written):
    product, xml = written
    name = "TSX1_SAR__SSC______SM_S_SRA_20140503T052011_20140503T052011"
    assert xml.name == f"{name}.xml" and xml.parent.name == name
    assert (xml.parent / "ANNOTATION" / "GEOREF.xml").is_file()
    assert (xml.parent / "IMAGEDATA" / "IMAGE_VV_SRA_strip_007.cos").is_file()


def test_metadata_round_trip_is_exact(written):
    product, xml = written
    back = _reader(xml).parse()
    g, h = product.radar_grid, back.radar_grid
    assert h.sensing_datetime(0) == g.sensing_datetime(0)      # a µs instant: exact
    assert (h.starting_range, h.range_pixel_spacing, h.prf, h.wavelength, h.shape,
            h.look_side) == (g.starting_range, g.range_pixel_spacing, g.prf, g.wavelength,
                             g.shape, "right")
    assert (back.center_frequency, back.range_sampling_rate, back.range_bandwidth,
            back.azimuth_bandwidth) == (F0, FS, 150e6, 2765.0)
    assert back.polarization == "VV" and back.mission == "TSX-1" and back.platform == "TerraSAR-X"
    assert back.is_zero_doppler and back.orbit.interp_method == "hermite"
    times = [back.reference_epoch + float(t) for t in back.orbit.time]
    assert times == [product.reference_epoch + float(t) for t in product.orbit.time]
    np.testing.assert_array_equal(back.orbit.position, product.orbit.position)
    np.testing.assert_array_equal(back.orbit.velocity, product.orbit.velocity)
    assert back.attributes["pass"] == "DESCENDING" and back.attributes["mode"] == "SM"
    assert doppler_centroid(back).eval(h.sensing_mid, h.starting_range) == 0.0


def test_pixels_round_trip_within_the_quantisation(written):
    product, xml = written
    back = read_terrasarx(xml)
    gain = back.attributes["calibration_factor"] ** -0.5       # calFactor = 1 / gain^2
    z = _pixels()
    assert gain == pytest.approx(GAIN_PEAK / max(np.abs(z.real).max(), np.abs(z.imag).max()))
    data = back.read()
    assert np.max(np.abs(data.real - gain * z.real)) <= 0.5 + 1e-3
    assert np.max(np.abs(data.imag - gain * z.imag)) <= 0.5 + 1e-3
    assert np.all(data[z == 0] == 0)
    np.testing.assert_array_equal(back.read(slice(5, 9), slice(2, 30)), data[5:9, 2:30])
    np.testing.assert_array_equal(back.read(12), data[12])
    np.testing.assert_array_equal(back.read(slice(1, 60, 7)), data[1:60:7])


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_gdal_cosar_driver_reads_the_same_pixels(written):
    """GDAL's COSAR driver (independent code, TX-GS-DD-3307) reads the writer's file alike."""
    _product_, xml = written
    back = read_terrasarx(xml)
    with rasterio.open(back.source.path) as ds:
        assert (ds.driver, ds.height, ds.width) == ("COSAR", LINES, SAMPLES)
        np.testing.assert_array_equal(ds.read(1).astype(np.complex64), back.read())


def test_extract_writes_the_slc(written, tmp_path):
    _product_, xml = written
    reader = _reader(xml)
    out = reader.extract(str(tmp_path / "reference.slc"), block_lines=9)
    raster = isce.io.open(str(tmp_path / "reference.slc"))
    try:
        np.testing.assert_array_equal(np.asarray(raster.read()), reader.parse().read())
    finally:
        raster.close()
    assert SlcProduct.load(str(tmp_path / "reference.slc.json")) == out


def test_tandem_x_product(tmp_path):
    product = _product(tmp_path, mission="", platform="TanDEM-X")
    out = write_terrasarx(product, tmp_path, "secondary")
    assert out["XML"].startswith("secondary/TDX1_SAR__SSC______SM_S_SRA_2014")
    back = _reader(tmp_path / out["XML"]).parse()
    assert back.mission == "TDX-1" and back.platform == "TanDEM-X"


# ----------------------------------------------------------------------------- GEOREF
def test_georef_grid_is_where_our_geometry_puts_it(written):
    """rdr2geo of every GEOREF grid point (its t, tau and height) with the product's orbit
    lands within 1 mm of the grid's lat/lon/height, geo2rdr of its lat/lon/height returns its
    time within 1 µs (the annotation's resolution) and its range within 1 mm; the centre node
    is the point orbit_over aimed at (LAT, LON, 0), within 1e-7 deg (1 cm)."""
    _product_, xml = written
    back = read_terrasarx(xml)
    grid = read_georef(back.attributes["georef"], back.reference_epoch)
    assert grid.lat.shape == (11, 11) and grid.range_delay == 0.0
    t, r, h = grid.times.ravel(), grid.ranges.ravel(), grid.height.ravel()
    truth = np.column_stack([np.radians(grid.lon.ravel()), np.radians(grid.lat.ravel()), h])
    llh, ok = rdr2geo_points(t, r, back.orbit, back.wavelength, back.look_side, heights=h)
    assert ok.all()
    err = np.linalg.norm(WGS84.lon_lat_to_xyz(llh) - WGS84.lon_lat_to_xyz(truth), axis=1)
    assert err.max() < 1e-3, err.max()
    tt, rr, status = geo2rdr_points(truth, back.orbit, back.wavelength, back.look_side)
    assert np.all(status == 0)
    assert np.max(np.abs(tt - t)) < 1e-6 and np.max(np.abs(rr - r)) < 1e-3
    # (line 0 was moved to a µs instant: < 0.5 µs, 4 mm, from the centre's zero-Doppler time)
    assert abs(grid.lat[5, 5] - LAT) < 1e-7 and abs(grid.lon[5, 5] - LON) < 1e-7
    # the grid nodes sit on image lines/samples of the read grid
    g = back.radar_grid
    np.testing.assert_allclose(g.azimuth_index(grid.times[:, 0]), np.arange(0, 61, 6), atol=1e-3)
    np.testing.assert_allclose((grid.ranges[0] - g.starting_range) / g.range_pixel_spacing,
                               np.arange(0, 41, 4), atol=1e-6)


# ----------------------------------------------------------------------------- block-wise
def test_reads_only_the_requested_lines(written, monkeypatch):
    _product_, xml = written
    back = read_terrasarx(xml)
    layout = terrasarx.cosar_layout(back.source.path, LINES, SAMPLES)
    reads = []
    real = terrasarx._read_at

    def spy(handle, offset, size):
        reads.append((offset, size))
        return real(handle, offset, size)

    monkeypatch.setattr(terrasarx, "_read_at", spy)
    block = back.read(slice(30, 34))
    assert block.shape == (4, SAMPLES)
    image = [(o, s) for o, s in reads if o >= layout.line_offset(0)]
    assert image == [(layout.line_offset(30), 4 * layout.line_bytes)]
    reads.clear()
    rows = [rows for rows, _block in back.iter_blocks(16)]
    image = [(o, s) for o, s in reads if o >= layout.line_offset(0)]
    assert image == [(layout.line_offset(r.start), (r.stop - r.start) * layout.line_bytes)
                     for r in rows]


def test_samples_outside_the_valid_windows_read_as_zero(written):
    """Garbage stored outside a line's RSFV..RSLV (sample 1 of line 31: the first 3 columns are
    no-data) and outside a column's ASFV..ASLV (line 1 of sample 11: the first 2 lines are) is
    read as 0; the windows the writer annotated bracket the non-zero samples."""
    _product_, xml = written
    back = read_terrasarx(xml)
    layout = terrasarx.cosar_layout(back.source.path, LINES, SAMPLES)
    assert layout.first_valid[0] == 1 and layout.first_valid[10] == 3
    assert layout.last_valid[10] == LINES
    before = back.read()
    with open(back.source.path, "r+b") as fh:
        fh.seek(layout.line_offset(30))
        assert int.from_bytes(fh.read(4), "big") == 4          # RSFV: columns 1-3 are no-data
        for line, sample in ((30, 0), (0, 10)):
            fh.seek(layout.line_offset(line) + 8 + 4 * sample)
            fh.write((1234).to_bytes(2, "big", signed=True) * 2)
    np.testing.assert_array_equal(back.read(), before)


def test_a_bad_line_annotation_fails_only_when_that_line_is_read(written):
    _product_, xml = written
    back = read_terrasarx(xml)
    layout = terrasarx.cosar_layout(back.source.path, LINES, SAMPLES)
    with open(back.source.path, "r+b") as fh:
        fh.seek(layout.line_offset(40) + 4)
        fh.write((SAMPLES + 9).to_bytes(4, "big"))               # RSLV beyond RS
    assert back.read(slice(0, 40)).shape == (40, SAMPLES)
    with pytest.raises(InputError, match=f"byte offset {layout.line_offset(40)}: range line 41"):
        back.read(slice(38, 44))


# ----------------------------------------------------------------------------- damaged copies
def _copy(written, tmp_path):
    _product_, xml = written
    folder = tmp_path / "copy" / xml.parent.name
    shutil.copytree(xml.parent, folder)
    return folder / xml.name


def _cos(xml):
    return next((xml.parent / "IMAGEDATA").glob("*.cos"))


def test_truncated_cos_is_refused_with_the_byte_offset(written, tmp_path):
    xml = _copy(written, tmp_path)
    cos = _cos(xml)
    data = cos.read_bytes()
    for cut in (len(data) - 1000, 40):
        cos.write_bytes(data[:cut])
        need = len(data) if cut > 48 else 48
        what = rf"its burst \(BIB at byte 0\) holds {need}" if cut > 48 else \
            "the COSAR burst annotation needs 48"
        with pytest.raises(InputError, match=rf"{xml.parent.name}: IMAGEDATA/{cos.name}: byte "
                                             rf"offset {cut}: file ends after {cut} bytes, {what}"):
            read_terrasarx(xml)


def test_bad_magic_is_refused_with_the_byte_offset(written, tmp_path):
    xml = _copy(written, tmp_path)
    cos = _cos(xml)
    data = bytearray(cos.read_bytes())
    data[28:32] = b"CSAX"
    cos.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"\.cos: byte offset 28: format magic is b'CSAX', "
                                         r"expected b'CSAR': not a COSAR file"):
        _reader(xml).parse()


def test_burst_size_disagreeing_with_the_xml_is_refused(written, tmp_path):
    xml = _copy(written, tmp_path)
    text = xml.read_text().replace(f"<numberOfRows>{LINES}<", f"<numberOfRows>{LINES + 1}<")
    xml.write_text(text)
    with pytest.raises(InputError, match=rf"\.cos: byte offset 12: AS = {LINES}, the XML's "
                                         rf"{LINES + 1} x {SAMPLES} stripmap image"):
        read_terrasarx(xml)


def test_a_second_burst_is_refused(written, tmp_path):
    xml = _copy(written, tmp_path)
    cos = _cos(xml)
    data = cos.read_bytes()
    cos.write_bytes(data + data)
    with pytest.raises(InputError, match=rf"byte offset {len(data)}: {len(data)} bytes after the "
                                         "burst: a second burst"):
        read_terrasarx(xml)


@pytest.mark.parametrize("path,change,message", [
    ("productInfo/sceneInfo/rangeTime/firstPixel", "remove",
     "missing XML element /level1Product/productInfo/sceneInfo/rangeTime/firstPixel"),
    ("productInfo/imageDataInfo/imageRaster/columnSpacing", "abc",
     r"XML element /level1Product/productInfo/imageDataInfo/imageRaster/columnSpacing = 'abc' "
     "is not a positive number"),
    ("instrument/radarParameters/centerFrequency", " ",
     "XML element /level1Product/instrument/radarParameters/centerFrequency is empty"),
    ("platform/orbit/stateVec[3]/posY", "1e999",
     r"XML element /level1Product/platform/orbit/stateVec\[3\]/posY = '1e999' is not a finite"),
    ("productInfo/sceneInfo/start/timeUTC", "yesterday",
     "XML element /level1Product/productInfo/sceneInfo/start/timeUTC = 'yesterday' is not a UTC"),
    ("productInfo/missionInfo/mission", "ERS-2",
     "XML element /level1Product/productInfo/missionInfo/mission = 'ERS-2': not a TerraSAR-X"),
    ("productInfo/acquisitionInfo/imagingMode", "SL",
     "XML element /level1Product/productInfo/acquisitionInfo/imagingMode = 'SL': insarApp "
     "reads stripmap"),
    ("processing/doppler/dopplerCentroid/dopplerEstimate[2]/combinedDoppler/coefficient", "x",
     r"XML element /level1Product/processing/doppler/dopplerCentroid/dopplerEstimate\[2\]/"
     r"combinedDoppler/coefficient\[1\] = 'x' is not a finite number"),
])
def test_damaged_annotation_names_file_and_element(written, tmp_path, path, change, message):
    xml = _copy(written, tmp_path)
    tree = etree.parse(str(xml))
    node = tree.getroot().find(path)
    if change == "remove":
        node.getparent().remove(node)
    else:
        node.text = change
    tree.write(str(xml))
    with pytest.raises(InputError, match=rf"{xml.name}: {message}"):
        read_terrasarx(xml)


def test_damaged_georef_names_file_and_element(written, tmp_path):
    xml = _copy(written, tmp_path)
    georef = xml.parent / "ANNOTATION" / "GEOREF.xml"
    tree = etree.parse(str(georef))
    tree.getroot().find("geolocationGrid/gridPoint[7]/lat").text = "north"
    tree.write(str(georef))
    with pytest.raises(InputError, match=r"GEOREF.xml: XML element /geoReference/geolocationGrid/"
                                         r"gridPoint\[7\]/lat = 'north' is not a finite number"):
        read_terrasarx(xml)


def test_broken_xml_and_missing_image(written, tmp_path):
    xml = _copy(written, tmp_path)
    cos = _cos(xml)
    cos.unlink()
    with pytest.raises(InputError, match=rf"{cos.name}: no such file \(COSAR image"):
        read_terrasarx(xml)
    xml.write_text(xml.read_text()[:500])
    with pytest.raises(InputError, match=rf"{xml.name}: not well-formed XML"):
        read_terrasarx(xml)


def test_polarization_choice(written, tmp_path):
    xml = _copy(written, tmp_path)
    with pytest.raises(InputError, match="no layer of polarization HH .the product has VV."):
        _reader(xml, polarization="hh").parse()
    with pytest.raises(ConfigurationError, match="POLARIZATION 'xy'"):
        _reader(xml, polarization="xy").parse()
    assert _reader(xml, polarization="vv").parse().polarization == "VV"
    tree = etree.parse(str(xml))                   # a second layer: the choice is needed
    first = tree.find("productComponents/imageData")
    second = etree.fromstring(etree.tostring(first))
    second.set("layerIndex", "2")
    second.find("polLayer").text = "VH"
    first.addnext(second)
    tree.write(str(xml))
    with pytest.raises(InputError, match="has layers VV, VH: set POLARIZATION"):
        read_terrasarx(xml)
    assert read_terrasarx(xml, "VV").polarization == "VV"


# ----------------------------------------------------------------------------- insarApp
def _error_line(proc):
    """The one error line of a refused run (status 2, no traceback), as in
    tests/apps/test_insarapp_mixed_sensors.py."""
    err = proc.stderr
    assert proc.returncode == 2 and "Traceback" not in err, err[-3000:]
    lines = [ln.strip() for ln in err.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err[-3000:]
    return lines[0]


def test_insarapp_refuses_a_truncated_product_in_one_line(written, tmp_path):
    xml = _copy(written, tmp_path)
    cos = _cos(xml)
    cos.write_bytes(cos.read_bytes()[:-4])
    wd = tmp_path / "run"
    wd.mkdir()
    dates = "".join(f'<component name="{d}"><property name="XML">{xml}</property></component>'
                    for d in ("reference", "secondary"))
    (wd / "insarApp.xml").write_text(
        '<insarApp><component name="insar"><property name="sensor name">TERRASARX</property>'
        f"{dates}</component></insarApp>")
    proc = run_command("insarApp.py", "insarApp.xml", cwd=wd)
    line = _error_line(proc)
    assert f"{xml.parent.name}: IMAGEDATA/{cos.name}: byte offset " in line, line
    assert line.endswith(": truncated"), line
    steps = re.findall(r"step \d+/\d+ '(\w+)'", (wd / "isce.log").read_text())
    assert steps == ["startup", "preprocess"], steps          # refused while reading metadata
    assert not [p for p in wd.rglob("*") if p.is_file() and p.suffix in (".slc", ".raw", ".int")]


def test_example_names_each_date_by_its_annotation(tmp_path):
    """examples/terrasarx/insarApp.xml is understood (TERRASARX, XML per date): without the
    data, preprocess refuses the reference's missing annotation in one line."""
    example = Path(__file__).resolve().parents[2] / "examples" / "terrasarx" / "insarApp.xml"
    shutil.copy(example, tmp_path / "insarApp.xml")
    line = _error_line(run_command("insarApp.py", "insarApp.xml", cwd=tmp_path))
    assert ("TSX1_SAR__SSC______SM_S_SRA_20091205T042212_20091205T042220.xml: cannot read the "
            "TerraSAR-X main annotation") in line, line
