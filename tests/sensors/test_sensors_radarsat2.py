"""RADARSAT2: small synthetic RADARSAT-2 SLC products written by isce.simulate.radarsat2
(a C-band RADARSAT-2 pass: 798 km, 98.6 deg, right-looking, fine-beam spacing) and read back
by the reader, for the four line/pixel time orderings: metadata exact, pixels within the
int16 quantisation and in increasing time, block reads reading only the asked lines, the
sigma0 LUT applied on a known pixel, a .DEF orbit, and corrupt copies refused in one line
naming the file and the XML element (also through insarApp: exit 2)."""
import re
import shutil

import numpy as np
import pytest
import rasterio
from isce_commands import run_command
from lxml import etree

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.sensors.product import ImageSource, SlcProduct
from isce.sensors.radarsat2 import NAMESPACE, doppler_centroid, sigma0
from isce.simulate.orbit import orbit_over
from isce.simulate.radarsat2 import HEADROOM, write_def_orbit, write_radarsat2

pytestmark = pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")

LINES, SAMPLES = 37, 23
PRF = 1710.0                      # Hz (RADARSAT-2 fine beam)
FREQ = 5.405e9                    # Hz
DR = 4.7332                       # m (slant range spacing, fine beam)
ORDERS = [("Increasing", "Increasing"), ("Decreasing", "Increasing"),
          ("Increasing", "Decreasing"), ("Decreasing", "Decreasing")]
N = "{" + NAMESPACE + "}"


def _pixels(seed=3):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((LINES, SAMPLES)) + 1j * rng.standard_normal((LINES, SAMPLES))
    return (100 * z).astype(np.complex64)


def _product(folder, pixels=None, gains=None):
    """An SlcProduct of a RADARSAT-2 pass over 45 N, 75 W (35 deg off nadir), its image an
    ISCE raster; ``gains``: lutSigma gains the product carries (as if read from RS2)."""
    orbit, t_zd = orbit_over(45.0, -75.0, 35.0, "right", altitude_m=798e3, inclination_deg=98.6,
                             time="2012-03-04T05:06:07.123456", ascending=False,
                             duration_s=120.0, spacing_s=10.0)
    target = WGS84.lon_lat_to_xyz(np.radians([-75.0, 45.0]).tolist() + [0.0])
    r_mid = float(np.linalg.norm(target - orbit.interpolate(t_zd)[0]))
    grid = RadarGrid(t_zd - LINES / 2 / PRF, orbit.reference_epoch, prf=PRF,
                     starting_range=r_mid - SAMPLES / 2 * DR, range_pixel_spacing=DR,
                     length=LINES, width=SAMPLES, wavelength=SPEED_OF_LIGHT / FREQ,
                     look_side="right")
    path = folder / "truth.slc"
    isce.io.write(str(path), _pixels() if pixels is None else pixels)
    attributes = {} if gains is None else {"calibration": {"sigma0": {"gains": list(gains)}}}
    return SlcProduct(radar_grid=grid, orbit=orbit, center_frequency=FREQ,
                      range_bandwidth=30e6, azimuth_bandwidth=1200.0,
                      range_sampling_rate=SPEED_OF_LIGHT / (2 * DR), polarization="HH",
                      platform="RADARSAT-2", mission="RADARSAT-2",
                      source=ImageSource("raster", str(path)),
                      attributes=attributes)


def _read(xml, **settings):
    reader = isce.sensors.create("RADARSAT2", name="reference")
    reader.xml = str(xml)
    for key, value in settings.items():
        setattr(reader, key, value)
    return reader.parse()


def _written(tmp_path, line_order="Increasing", pixel_order="Increasing", **kw):
    truth = _product(tmp_path, **kw)
    out = tmp_path / "rs2"
    paths = write_radarsat2(truth, out, "reference", line_order=line_order,
                            pixel_order=pixel_order)
    return truth, out / paths["XML"], paths


# ----------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("line_order,pixel_order", ORDERS)
def test_round_trip_metadata_exact(tmp_path, line_order, pixel_order):
    truth, xml, paths = _written(tmp_path, line_order, pixel_order)
    assert re.fullmatch(r"RS2_OK\d+_PK\d+_DK\d+_F1_20120304_\d{6}_HH_SLC/product\.xml",
                        paths["XML"]), paths
    got = _read(xml)
    g, t = got.radar_grid, truth.radar_grid
    first = lambda grid: DateTime(grid.reference_epoch) + grid.sensing_start  # noqa: E731
    assert first(g).nanoseconds_since_unix_epoch == first(t).nanoseconds_since_unix_epoch
    assert g.prf == t.prf and g.shape == t.shape and g.look_side == "right"
    assert g.range_pixel_spacing == t.range_pixel_spacing
    assert g.starting_range == pytest.approx(t.starting_range, rel=1e-15)
    assert got.center_frequency == FREQ and got.polarization == "HH"
    assert got.range_sampling_rate == pytest.approx(truth.range_sampling_rate, rel=1e-15)
    assert got.range_bandwidth == 30e6 and got.azimuth_bandwidth == 1200.0
    assert got.orbit.interp_method == "hermite" and len(got.orbit) == len(truth.orbit)
    np.testing.assert_array_equal(got.orbit.position, truth.orbit.position)
    np.testing.assert_array_equal(got.orbit.velocity, truth.orbit.velocity)
    shift = DateTime(truth.orbit.reference_epoch).seconds_since(DateTime(got.orbit.reference_epoch))
    np.testing.assert_allclose(got.orbit.time, truth.orbit.time + shift, rtol=0, atol=1e-9)
    assert got.attributes["line_time_ordering"] == line_order
    assert got.attributes["pixel_time_ordering"] == pixel_order
    assert got.is_zero_doppler
    np.testing.assert_allclose(doppler_centroid(got).data, 0.0, atol=1e-9)


@pytest.mark.parametrize("line_order,pixel_order", ORDERS)
def test_round_trip_pixels_in_increasing_time(tmp_path, line_order, pixel_order):
    truth, xml, _ = _written(tmp_path, line_order, pixel_order)
    got = _read(xml)
    factor = got.attributes["calibration"]["sigma0"]["gains"][0]     # no own gains: A = factor
    assert factor == pytest.approx(32767 / HEADROOM / np.max(np.abs(
        np.stack([_pixels().real, _pixels().imag]))))
    image = got.read() / factor
    quantum = 0.5 / factor + 1e-6 * np.max(np.abs(_pixels()))
    assert np.max(np.abs(image.real - _pixels().real)) <= quantum
    assert np.max(np.abs(image.imag - _pixels().imag)) <= quantum
    # the file really is stored in the declared order (so the reader's flip is exercised)
    with rasterio.open(xml.parent / "imagery_HH.tif") as ds:
        assert (ds.count, ds.dtypes[0]) == (2, "int16")
        stored = ds.read(1).astype(float)
    expect = np.rint(_pixels().real * factor)
    if line_order == "Decreasing":
        expect = expect[::-1]
    if pixel_order == "Decreasing":
        expect = expect[:, ::-1]
    np.testing.assert_array_equal(stored, expect)
    out = isce.sensors.create("RADARSAT2")
    out.xml = str(xml)
    extracted = out.extract(str(tmp_path / "reference.slc"), block_lines=5)
    raster = isce.io.open(str(tmp_path / "reference.slc"))
    try:
        np.testing.assert_array_equal(np.asarray(raster.read()), got.read())
    finally:
        raster.close()
    assert SlcProduct.load(str(tmp_path / "reference.slc.json")) == extracted


@pytest.mark.parametrize("line_order,pixel_order", ORDERS)
def test_block_reads_read_only_the_asked_lines(tmp_path, monkeypatch, line_order, pixel_order):
    _truth, xml, _ = _written(tmp_path, line_order, pixel_order)
    got = _read(xml)
    windows = []
    original = rasterio.io.DatasetReader.read

    def spy(self, *args, **kwargs):
        windows.append(kwargs.get("window"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    whole = _read(xml)       # (metadata only: the image is opened, not read)
    assert windows == []
    block = got.read(slice(10, 14), slice(2, 9))
    (window,) = windows
    start = LINES - 14 if line_order == "Decreasing" else 10
    assert (window.row_off, window.height) == (start, 4)
    monkeypatch.setattr(rasterio.io.DatasetReader, "read", original)
    np.testing.assert_array_equal(block, whole.read()[10:14, 2:9])
    np.testing.assert_array_equal(got.read(20), whole.read()[20])


@pytest.mark.parametrize("line_order,pixel_order", ORDERS)
def test_sigma0_lut_applied_on_a_known_pixel(tmp_path, line_order, pixel_order):
    """Own gains rising across the swath: sigma0 of pixel (5, 3) (increasing time) from the
    reader equals (I^2 + Q^2)/A^2 computed from the stored file and lutSigma.xml by hand."""
    own = np.linspace(2.0, 4.0, SAMPLES)
    _truth, xml, _ = _written(tmp_path, line_order, pixel_order, gains=own)
    got = _read(xml)
    i, j = 5, 3
    value = sigma0(got, got.read(slice(i, i + 1), slice(j, j + 1)), slice(j, j + 1))[0, 0]
    si = LINES - 1 - i if line_order == "Decreasing" else i
    sj = SAMPLES - 1 - j if pixel_order == "Decreasing" else j
    with rasterio.open(xml.parent / "imagery_HH.tif") as ds:
        re_, im_ = (float(b[si, sj]) for b in ds.read())
    lut = etree.parse(str(xml.parent / "lutSigma.xml")).getroot()
    a = float(lut.find(f"{N}gains").text.split()[sj])
    assert value == pytest.approx((re_ ** 2 + im_ ** 2) / a ** 2, rel=1e-6)
    # and it is the truth's |z|^2 / g^2 within the quantisation
    assert value == pytest.approx(abs(_pixels()[i, j]) ** 2 / own[j] ** 2, rel=1e-3)


def test_a_radarsat2_product_rewritten_keeps_its_facts(tmp_path):
    """Read (stored decreasing) and written again (increasing): PRF, pulse, Doppler
    polynomial and sigma0 calibration of the first product are kept."""
    own = np.linspace(2.0, 4.0, SAMPLES)
    _truth, xml, _ = _written(tmp_path, "Decreasing", "Decreasing", gains=own)
    first = _read(xml)
    again = _read(tmp_path / "again" / write_radarsat2(first, tmp_path / "again",
                                                       "reference")["XML"])
    for key in ("prf", "pulse_length", "pulse_bandwidth", "adc_sampling_rate", "beam_mode",
                "doppler_centroid", "doppler_rate", "orbit_data_file", "pass"):
        assert again.attributes[key] == first.attributes[key], key
    assert again.attributes["pixel_time_ordering"] == "Increasing"
    quantum = 1.0 / min(again.attributes["calibration"]["sigma0"]["gains"])  # > 0.5 sqrt 2 DN
    np.testing.assert_allclose(np.sqrt(sigma0(again, again.read())),
                               np.sqrt(sigma0(first, first.read())), rtol=0, atol=quantum)
    assert again.radar_grid.prf == first.radar_grid.prf


def test_doppler_centroid_of_the_product_is_written(tmp_path):
    """A product with a 35 Hz data Doppler: the reader's table gives it back; the
    geometry stays zero-Doppler."""
    from dataclasses import replace

    from isce.core.doppler import constant_doppler

    truth = replace(_product(tmp_path), doppler=constant_doppler(35.0))
    paths = write_radarsat2(truth, tmp_path / "rs2", "reference")
    got = _read(tmp_path / "rs2" / paths["XML"])
    np.testing.assert_allclose(doppler_centroid(got).data, 35.0, rtol=1e-9)
    assert got.is_zero_doppler


def test_def_orbit_replaces_the_state_vectors(tmp_path):
    truth, xml, _ = _written(tmp_path)
    root = etree.parse(str(xml)).getroot()
    name = root.find(f".//{N}orbitDataFile").text
    (tmp_path / "orbits" / "2012").mkdir(parents=True)
    def_path = write_def_orbit(truth.orbit, tmp_path / "orbits" / "2012" / name.lower())
    by_file = _read(xml, orbit_file=def_path)
    by_dir = _read(xml, orbit_directory=str(tmp_path / "orbits"))
    for got in (by_file, by_dir):
        assert got.orbit_type == "DEF" and got.attributes["orbit_source"] == def_path
        keep = np.abs(truth.orbit.time - truth.radar_grid.sensing_start) < 30 + LINES / PRF
        np.testing.assert_array_equal(got.orbit.position, truth.orbit.position[keep])
    lines = (tmp_path / "orbits" / "2012" / name.lower()).read_text().splitlines()
    bad = tmp_path / "bad.DEF"
    bad.write_text("\n".join(lines[:7] + ["1.0 x 3.0"] + lines[8:]) + "\n")
    with pytest.raises(InputError, match=re.escape(f"{bad}: line 8: '1.0 x 3.0' is not three")):
        _read(xml, orbit_file=str(bad))


def test_writer_refuses_what_would_clip(tmp_path):
    pixels = _pixels()
    big = np.concatenate([pixels] * 30)              # > one block of DEFAULT_BLOCK_LINES
    big[-1, 0] = 1e6
    truth = _product(tmp_path, pixels=big[:LINES])
    grid = truth.radar_grid
    isce.io.write(str(tmp_path / "big.slc"), big)
    from dataclasses import replace
    truth = replace(truth, radar_grid=RadarGrid(grid.sensing_start, grid.reference_epoch,
                                                prf=PRF, starting_range=grid.starting_range,
                                                range_pixel_spacing=DR, length=big.shape[0],
                                                width=SAMPLES, wavelength=grid.wavelength,
                                                look_side="right"),
                    source=ImageSource("raster", str(tmp_path / "big.slc")))
    with pytest.raises(InputError, match=r"lines 1024-1109 are .* brighter .* would clip"):
        write_radarsat2(truth, tmp_path / "rs2", "reference")
    # no partial product is left that a reader could take for a whole one
    assert [p.name for p in (tmp_path / "rs2").rglob("*")] == []


# ----------------------------------------------------------------------------- bad input
def _edit(xml, path, how):
    """Change the element ``path`` (below /product) of product.xml: remove, blank, text."""
    tree = etree.parse(str(xml))
    node = tree.getroot().find("/".join(f"{N}{p}" for p in path.split("/")))
    assert node is not None, path
    if how == "remove":
        node.getparent().remove(node)
    else:
        node.text = "" if how == "blank" else how
    tree.write(str(xml))


XML_CASES = [
    ("imageGenerationParameters/sarProcessingInformation/zeroDopplerTimeLastLine", "remove",
     "missing XML element /product/imageGenerationParameters/sarProcessingInformation/"
     "zeroDopplerTimeLastLine"),
    ("sourceAttributes/radarParameters/radarCenterFrequency", "blank",
     "XML element /product/sourceAttributes/radarParameters/radarCenterFrequency is empty"),
    ("imageAttributes/rasterAttributes/sampledPixelSpacing", "4.7x",
     "XML element /product/imageAttributes/rasterAttributes/sampledPixelSpacing = '4.7x' is not"),
    ("sourceAttributes/orbitAndAttitude/orbitInformation/stateVector/xPosition", "nan",
     "stateVector[1]/xPosition = 'nan' is not a finite number"),
    ("imageAttributes/rasterAttributes/lineTimeOrdering", "Sideways",
     "lineTimeOrdering = 'Sideways' is not one of Increasing, Decreasing"),
    ("imageGenerationParameters/sarProcessingInformation/zeroDopplerTimeFirstLine",
     "2030-01-01T00:00:00.000000Z", "contradict lineTimeOrdering Increasing"),
    ("imageGenerationParameters/dopplerCentroid/dopplerCentroidCoefficients", "1 two 3",
     "dopplerCentroid/dopplerCentroidCoefficients holds a non-number"),
    ("imageGenerationParameters/generalProcessingInformation/productType", "SGF",
     "productType is 'SGF': the RADARSAT2 reader reads SLC products"),
    ("imageAttributes/rasterAttributes/numberOfLines", str(LINES + 1),
     f"image is {LINES} x {SAMPLES} lines x samples, 2 band(s) of int16;"),
]


@pytest.mark.parametrize("path,how,words", XML_CASES, ids=[c[1] if len(c[1]) < 10 else
                                                         c[0].rsplit("/", 1)[1] for c in XML_CASES])
def test_corrupt_product_xml_is_refused_naming_file_and_element(tmp_path, path, how, words):
    _truth, xml, _ = _written(tmp_path)
    _edit(xml, path, how)
    with pytest.raises(InputError) as err:
        _read(xml)
    message = str(err.value)
    assert "\n" not in message and words in message, message
    assert str(xml.parent) in message, message


@pytest.mark.parametrize("case", ["truncated tiff", "empty tiff", "lut count", "namespace"])
def test_corrupt_files_are_refused(tmp_path, case):
    _truth, xml, _ = _written(tmp_path)
    tiff, lut = xml.parent / "imagery_HH.tif", xml.parent / "lutSigma.xml"
    if case == "truncated tiff":
        with open(tiff, "r+b") as handle:
            handle.truncate(300)
        where, words = tiff, "truncated"
    elif case == "empty tiff":
        tiff.write_bytes(b"")
        where, words = tiff, "the image is empty (0 bytes)"
    elif case == "lut count":
        text = lut.read_text()
        lut.write_text(re.sub(r" \S+</gains>", "</gains>", text))
        where, words = lut, f"/lut/gains holds {SAMPLES - 1} gains"
    else:
        xml.write_text(xml.read_text().replace(NAMESPACE, "http://example.com/other"))
        where, words = xml, f"not product of namespace {NAMESPACE}"
    with pytest.raises(InputError) as err:
        _read(xml)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(where)) and words in message, message


def test_tiff_truncated_inside_the_pixels_is_refused_at_parse_time(tmp_path):
    """A TIFF cut inside its pixels still opens (its header is intact): its size, short of
    4 bytes a pixel, refuses it before anything is read."""
    _truth, xml, _ = _written(tmp_path)
    tiff = xml.parent / "imagery_HH.tif"
    size = tiff.stat().st_size
    with open(tiff, "r+b") as handle:
        handle.truncate(size - 200)
    with pytest.raises(InputError, match=re.escape(
            f"{tiff}: the file holds {size - 200} bytes, fewer than the {4 * LINES * SAMPLES} "
            f"of its {LINES} x {SAMPLES} pixels: truncated")):
        _read(xml)


def test_tiff_not_in_the_product_is_refused(tmp_path):
    truth, xml, _ = _written(tmp_path)
    root = etree.parse(str(xml)).getroot()
    node = root.find(f"{N}imageAttributes/{N}fullResolutionImageData")
    extra = etree.SubElement(node.getparent(), node.tag, pole="HV")
    extra.text = "imagery_HV.tif"
    etree.ElementTree(root).write(str(xml))
    other = tmp_path / "elsewhere.tif"
    shutil.copyfile(xml.parent / "imagery_HH.tif", other)
    with pytest.raises(InputError, match=re.escape(f"{other}: not one of the images of {xml}")):
        _read(xml, tiff=str(other))
    assert _read(xml, tiff=str(xml.parent / "imagery_HH.tif")).polarization == "HH"


# ----------------------------------------------------------------------------- insarApp
def test_insarapp_refuses_a_bad_radarsat2_input_with_exit_2(tmp_path):
    _truth, xml, _ = _written(tmp_path)
    _edit(xml, "sourceAttributes/radarParameters/pulseRepetitionFrequency", "fast")
    wd = tmp_path / "run"
    wd.mkdir()
    (wd / "insarApp.xml").write_text(
        '<insarApp><component name="insar">'
        '<property name="sensor name">RADARSAT2</property>'
        f'<component name="reference"><property name="XML">{xml}</property></component>'
        f'<component name="secondary"><property name="XML">{xml}</property></component>'
        '</component></insarApp>\n')
    proc = run_command("insarApp.py", "insarApp.xml", "--steps", cwd=wd)
    err = proc.stderr
    assert proc.returncode == 2 and "Traceback" not in err, err[-3000:]
    lines = [ln.strip() for ln in err.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err[-3000:]
    assert str(xml) in lines[0] and "pulseRepetitionFrequency = 'fast'" in lines[0], lines[0]
