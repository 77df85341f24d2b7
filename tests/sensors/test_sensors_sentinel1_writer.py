"""The Sentinel-1 SM SAFE writer (isce.simulate.sentinel1) and the SENTINEL1 reader on its files:
a small synthetic stripmap product on a realistic C-band Sentinel-1 orbit written, read back
as a folder and as a zip (metadata exact, pixels within the int16 quantisation, calibration
LUTs undoing the gain), its geolocation grid reproduced by the reader's rdr2geo/geo2rdr,
damaged copies refused naming the file and the element or byte, and what the writer refuses."""
import binascii
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from isce_commands import run_command
from lxml import etree
from sentinel1_grid import geolocate, grid_points

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.framework.errors import InputError
from isce.sensors.product import ImageSource, SlcProduct
from isce.sensors.sentinel1 import Sentinel1, read_annotation, read_sentinel1
from isce.sensors.sentinel1_calibration import radiometry
from isce.simulate.orbit import orbit_over
from isce.simulate.sentinel1 import DEFAULT_PULSE_LENGTH, TARGET_PEAK, choose_beam, write_sentinel1

pytestmark = pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")

LAT, LON = 38.5, -115.5
LINES, PIXELS = 300, 200
#: Sentinel-1: 693 km, 98.18 deg, 5.405 GHz, SM range sampling ~100 MHz, a real PRF
ALTITUDE, INCLINATION, FREQUENCY, FS, PRF = 693e3, 98.18, 5.405e9, 1.0e8, 1717.128973878037


def s1_product(folder, *, look_angle=27.0, time="2020-05-11T13:51:30", seed=1,
               lines=LINES, pixels=PIXELS, look_side="right", polarization="VV"):
    """(product, pixels): a zero-Doppler SM-like SLC of noise seen from a descending
    Sentinel-1 pass (state vectors every 10 s, exact velocities) over (LAT, LON)."""
    orbit, t_zd = orbit_over(LAT, LON, look_angle, look_side, ALTITUDE, INCLINATION, time=time,
                             ascending=False, duration_s=120.0, spacing_s=10.0)
    dr = SPEED_OF_LIGHT / (2 * FS)
    target = WGS84.lon_lat_to_xyz(np.array([np.radians(LON), np.radians(LAT), 0.0]))
    r_mid = float(np.linalg.norm(target - orbit.interpolate(t_zd)[0]))
    grid = RadarGrid(t_zd - lines / 2 / PRF, orbit.reference_epoch, prf=PRF,
                     starting_range=r_mid - pixels / 2 * dr, range_pixel_spacing=dr,
                     length=lines, width=pixels, wavelength=SPEED_OF_LIGHT / FREQUENCY,
                     look_side=look_side)
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal((lines, pixels)) + 1j * rng.standard_normal((lines, pixels)))
    z = z.astype(np.complex64)
    path = folder / f"sim{seed}.slc"
    isce.io.write(str(path), z)
    product = SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=8.72e7,
                         azimuth_bandwidth=1300.0, range_sampling_rate=FS,
                         polarization=polarization, platform="Sentinel-1A",
                         source=ImageSource("raster", str(path)))
    return product, z


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """(original product, its pixels, the SAFE folder) written once for the module."""
    folder = tmp_path_factory.mktemp("s1")
    product, z = s1_product(folder)
    out = write_sentinel1(product, folder / "out", "reference", block_lines=64)
    return product, z, folder / "out" / out["SAFE"]


def _zip(safe, path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in sorted(safe.rglob("*")):
            archive.write(f, f.relative_to(safe.parent).as_posix())
    return path


def _peak(z):
    return max(np.abs(z.real).max(), np.abs(z.imag).max())


def test_safe_is_named_and_laid_out_as_esa(written):
    product, _, safe = written
    name = safe.name
    assert name.startswith("S1A_S3_SLC__1SSV_20200511T135129_20200511T135130_032518_")
    assert len(name.split("_")[-2]) == 6 and len(name.split("_")[-1]) == len("96A5.SAFE")
    members = sorted(p.relative_to(safe).as_posix() for p in safe.rglob("*") if p.is_file())
    stem = members[0].split("/")[-1][len("calibration-"):-len(".xml")]
    assert stem.startswith("s1a-s3-slc-vv-20200511t135129-20200511t135130-032518-")
    assert stem.endswith("-001")
    assert members == [f"annotation/calibration/calibration-{stem}.xml",
                       f"annotation/calibration/noise-{stem}.xml", f"annotation/{stem}.xml",
                       "manifest.safe", f"measurement/{stem}.tiff"]
    # the manifest records every file's size and MD5; the name's CRC is the manifest's CRC-16
    manifest = (safe / "manifest.safe").read_bytes()
    assert f"{binascii.crc_hqx(manifest, 0xFFFF):04X}.SAFE" == name.split("_")[-1]
    root = etree.fromstring(manifest)
    sizes = {s.find("fileLocation").get("href"): int(s.get("size"))
             for s in root.iter("byteStream")}
    assert sizes == {f"./{m}": (safe / m).stat().st_size for m in members if m != "manifest.safe"}
    # the reader's annotation layout: an empty swathTiming (SM has no bursts)
    ann = etree.parse(str(safe / "annotation" / f"{stem}.xml")).getroot()
    assert [c.tag for c in ann] == ["adsHeader", "qualityInformation", "generalAnnotation",
                                    "imageAnnotation", "dopplerCentroid", "antennaPattern",
                                    "swathTiming", "geolocationGrid", "coordinateConversion",
                                    "swathMerging"]
    assert ann.find("swathTiming/burstList").get("count") == "0"


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_round_trip_metadata_is_exact(written, tmp_path, packed):
    product, _, safe = written
    path = _zip(safe, tmp_path / "s1.zip") if packed else safe
    back = read_sentinel1(path)                     # SWATH: the product's only one
    g, h = product.radar_grid, back.radar_grid
    # times to ESA's microsecond; everything else exactly
    dt = h.sensing_datetime(0).nanoseconds_since_unix_epoch - \
        g.sensing_datetime(0).nanoseconds_since_unix_epoch
    assert abs(dt) <= 500
    assert (h.length, h.width) == (g.length, g.width)
    assert h.az_time_interval == g.az_time_interval and h.prf == g.prf
    assert h.range_pixel_spacing == g.range_pixel_spacing
    assert h.starting_range == pytest.approx(g.starting_range, abs=1e-9)
    assert back.center_frequency == product.center_frequency
    assert h.wavelength == pytest.approx(g.wavelength, rel=1e-15)
    assert back.look_side == "right" and back.polarization == "VV"
    assert back.platform == "Sentinel-1A" and back.is_zero_doppler
    assert (back.range_sampling_rate, back.range_bandwidth, back.azimuth_bandwidth) == \
        (FS, 8.72e7, 1300.0)
    np.testing.assert_array_equal(back.orbit.position, product.orbit.position)
    np.testing.assert_array_equal(back.orbit.velocity, product.orbit.velocity)
    orbit_ns = (back.orbit.time - back.orbit.time[0]) * 1e9
    np.testing.assert_allclose(orbit_ns, (product.orbit.time - product.orbit.time[0]) * 1e9,
                               atol=1.0)
    assert back.orbit.interp_method == "legendre"
    a = back.attributes
    assert (a["mode"], a["swath"], a["mission"], a["pass"], a["number_of_bursts"]) == \
        ("SM", "S3", "S1A", "Descending", 0)
    assert a["prf"] == PRF and a["azimuth_steering_rate"] == 0.0
    assert a["mission_data_take_id"] == int(safe.name.split("_")[-2], 16)
    # no chirp in the product: ESA's IW1 pulse length, the range bandwidth over it
    assert a["pulse_length"] == DEFAULT_PULSE_LENGTH
    assert a["chirp_slope"] == 8.72e7 / DEFAULT_PULSE_LENGTH


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_pixels_within_quantisation_and_gain_in_beta_nought(written, tmp_path, packed):
    """The reader gives ESA's DN; betaNought holds the gain, so DN / A_beta is the input."""
    product, z, safe = written
    path = _zip(safe, tmp_path / "s1.zip") if packed else safe
    reader = isce.sensors.create("SENTINEL1", name="reference")
    reader.safe = str(path)
    back = reader.parse()
    gain = TARGET_PEAK / _peak(z)
    beta = radiometry(back).lut("betaNought", np.arange(LINES), np.arange(PIXELS))
    np.testing.assert_allclose(beta, gain, rtol=1e-6)          # written as %.6e, as ESA's
    dn = back.read()
    assert np.all(dn.real == np.rint(dn.real)) and max(np.abs(dn.real).max(), np.abs(dn.imag).max()) \
        == pytest.approx(TARGET_PEAK, abs=0.5)
    error = np.abs(dn / gain - z)
    assert error.max() <= np.sqrt(2) * 0.5 / gain * (1 + 1e-5)
    out = reader.extract(str(tmp_path / "reference.slc"), block_lines=7)   # streamed
    raster = isce.io.open(str(tmp_path / "reference.slc"))
    try:
        np.testing.assert_array_equal(np.asarray(raster.read()), dn)
    finally:
        raster.close()
    assert out.attributes["calibration"] == back.attributes["calibration"]


def test_written_geolocation_grid_matches_the_readers_rdr2geo(written):
    _, _, safe = written
    back = read_sentinel1(safe)
    _safe, _member, ann = read_annotation(safe)
    grid = grid_points(ann.root, back.reference_epoch)
    assert grid[0].size == 210
    horiz, dh, dt, dr = geolocate(back, grid)
    # times written to the microsecond: 0.5 us x 7.6 km/s = 4 mm along track
    assert horiz.max() <= 0.01 and dh.max() <= 1e-3
    assert dt.max() <= 1e-6 and dr.max() <= 1e-3
    inc = np.array([float(p.findtext("incidenceAngle")) for p in ann.root.iter("geolocationGridPoint")])
    assert 29.0 < inc.min() < inc.max() < 32.0                       # beam S3: 27.64-34.85 deg


def test_calibration_of_the_written_product(tmp_path):
    """sigma0 = beta0 sin(incidence) (ESA), beta0 = |input|^2, and the written NESZ is what
    the noise subtraction removes from sigma0."""
    product, z = s1_product(tmp_path)
    out = write_sentinel1(product, tmp_path / "out", "reference", nesz_db=-22.0, block_lines=50)
    back = read_sentinel1(tmp_path / "out" / out["SAFE"])
    rad = radiometry(back)
    rows = slice(100, 140)
    dn = back.read(rows)
    _safe, _member, ann = read_annotation(tmp_path / "out" / out["SAFE"])
    points = list(ann.root.iter("geolocationGridPoint"))
    mid = [p for p in points if p.findtext("line") == "133" and p.findtext("pixel") == "100"]
    inc = np.radians(float(mid[0].findtext("incidenceAngle")))
    beta0 = rad.calibrate(rows, dn, "beta0", denoise=False)
    step = np.sqrt(2) * 0.5 * _peak(z) / TARGET_PEAK          # quantisation error of |pixel|
    bound = (2 * np.abs(z[rows]) + step) * step + 2e-6 * np.abs(z[rows]) ** 2   # LUT: 7 digits
    assert np.all(np.abs(beta0 - np.abs(z[rows]) ** 2) <= bound)
    sigma_raw = rad.sigma0(rows, dn, denoise=False)
    assert sigma_raw[33, 100] == pytest.approx(beta0[33, 100] * np.sin(inc), rel=1e-5)
    gamma = rad.calibrate(rows, dn, "gamma0", denoise=False)
    assert gamma[33, 100] == pytest.approx(beta0[33, 100] * np.tan(inc), rel=1e-5)
    np.testing.assert_allclose(sigma_raw - rad.sigma0(rows, dn), 10 ** -2.2, rtol=1e-5)


def test_beam_from_incidence_and_an_explicit_swath(tmp_path):
    assert [choose_beam(x) for x in (20.0, 24.0, 31.0, 36.5, 41.0, 45.0)] == \
        ["S1", "S2", "S3", "S4", "S5", "S6"]
    with pytest.raises(InputError, match="incidence 50.00 deg is outside every Sentinel-1 "
                                         "stripmap beam"):
        choose_beam(50.0)
    product, _ = s1_product(tmp_path, look_angle=18.5)
    out = write_sentinel1(product, tmp_path, "reference")
    assert out["SAFE"].startswith("S1A_S1_SLC__1SSV_")
    out = write_sentinel1(product, tmp_path, "secondary", swath="s2")
    assert out["SAFE"].startswith("S1A_S2_SLC__1SSV_")
    assert read_sentinel1(tmp_path / out["SAFE"]).attributes["swath"] == "S2"


def test_two_dates_in_one_folder_do_not_collide(tmp_path):
    ref, _ = s1_product(tmp_path, seed=1)
    sec, _ = s1_product(tmp_path, seed=2, time="2020-05-23T13:51:30")
    a = write_sentinel1(ref, tmp_path / "out", "reference")["SAFE"]
    b = write_sentinel1(sec, tmp_path / "out", "secondary")["SAFE"]
    assert a != b and "20200523T1351" in b
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([a, b])
    assert read_sentinel1(tmp_path / "out" / b).attributes["absolute_orbit"] == 32518 + 175


def test_writer_refuses_what_sentinel1_cannot_hold(tmp_path):
    product, _ = s1_product(tmp_path, look_side="left")
    with pytest.raises(InputError, match="Sentinel-1 looks right"):
        write_sentinel1(product, tmp_path / "out", "reference")
    product, z = s1_product(tmp_path, polarization="HV")
    with pytest.raises(InputError, match="polarization 'HV'"):
        write_sentinel1(product, tmp_path / "out", "reference")
    product, z = s1_product(tmp_path)
    with pytest.raises(InputError, match=r"sim1.slc: lines 0-49 would clip at gain 1000000.0"):
        write_sentinel1(product, tmp_path / "out", "reference", gain=1e6, block_lines=50)
    product, z = s1_product(tmp_path, time="2008-06-01T05:30:00")
    with pytest.raises(InputError, match="predates the mission"):      # no orbit number < 1
        write_sentinel1(product, tmp_path / "out", "reference")
    assert list((tmp_path / "out").iterdir()) == []          # nothing half-written is left


# ---------------------------------------------------------------------------- damaged copies
def _copy(safe, tmp_path):
    target = tmp_path / safe.name
    shutil.copytree(safe, target)
    return target


def test_annotation_without_an_element_is_refused(written, tmp_path):
    _, _, safe = written
    copy = _copy(safe, tmp_path)
    xml = next((copy / "annotation").glob("s1a-*.xml"))
    xml.write_bytes(xml.read_bytes().replace(b"<azimuthTimeInterval>", b"<azimuthTimeInterva>")
                    .replace(b"</azimuthTimeInterval>", b"</azimuthTimeInterva>"))
    with pytest.raises(InputError, match=rf"{copy.name}: annotation/{xml.name}: missing XML "
                                         r"element /product/imageAnnotation/imageInformation/"
                                         r"azimuthTimeInterval"):
        read_sentinel1(copy)


def test_truncated_measurement_is_refused_naming_the_byte(written, tmp_path):
    _, _, safe = written
    copy = _copy(safe, tmp_path)
    tiff = next((copy / "measurement").glob("*.tiff"))
    data = tiff.read_bytes()
    tiff.write_bytes(data[: len(data) - 1000])
    with pytest.raises(InputError, match=rf"{copy.name}: measurement/{tiff.name}: truncated: its "
                                         rf"last image block .* ends at byte {len(data)}, the file "
                                         rf"has {len(data) - 1000} bytes"):
        read_sentinel1(copy)


@pytest.mark.parametrize("member,change,message", [
    ("calibration", lambda d: d.replace(b"<absoluteCalibrationConstant>1.0e+00</absoluteCalibrationConstant>", b""),
     r"missing XML element /calibration/calibrationInformation/absoluteCalibrationConstant"),
    ("calibration", lambda d: d.replace(b"<sigmaNought count=\"6\">", b"<sigmaNought count=\"6\">0 ", 1),
     r"XML element /calibration/calibrationVectorList/calibrationVector\[1\]/sigmaNought holds 7 "
     r"finite numbers, its count says 6"),
    ("noise", lambda d: d.replace(b"<line>299</line>", b"<line>0</line>", 1),
     r"the line numbers of /noise/noiseRangeVectorList/noiseRangeVector are not increasing"),
    ("noise", lambda d: d.replace(b"<noiseAzimuthLut count=\"31\">", b"<noiseAzimuthLut count=\"31\">-", 1),
     r"XML element /noise/noiseAzimuthVectorList/noiseAzimuthVector/noiseAzimuthLut holds a "
     r"negative value"),
], ids=["constant", "count", "lines", "negative"])
def test_malformed_calibration_or_noise_is_refused(written, tmp_path, member, change, message):
    _, _, safe = written
    copy = _copy(safe, tmp_path)
    xml = next((copy / "annotation" / "calibration").glob(f"{member}-*.xml"))
    xml.write_bytes(change(xml.read_bytes()))
    with pytest.raises(InputError, match=rf"{copy.name}: annotation/calibration/{xml.name}: "
                                         + message):
        read_sentinel1(copy)


# ---------------------------------------------------------------------------- through insarApp
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sentinel1" / "insarApp.xml"
EXAMPLE_SAFES = ("S1A_S3_SLC__1SSV_20200511T135129_20200511T135130_032518_7CB3E1_96A5.zip",
                 "S1A_S3_SLC__1SSV_20200523T135129_20200523T135130_032693_7D2C11_1F0B.zip")


def _example_pair(tmp_path):
    """The example's insarApp.xml naming zips of a written SM pair (12 days apart)."""
    text = EXAMPLE.read_text()
    for k, (seed, time) in enumerate(((1, "2020-05-11T13:51:30"), (2, "2020-05-23T13:51:30"))):
        product, _ = s1_product(tmp_path, seed=seed, time=time)
        safe = write_sentinel1(product, tmp_path / "data", ("reference", "secondary")[k])["SAFE"]
        packed = _zip(tmp_path / "data" / safe, tmp_path / "data" / safe.replace(".SAFE", ".zip"))
        text = text.replace(EXAMPLE_SAFES[k], str(packed))
    return text


def test_example_insarapp_xml_reads_a_written_pair(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "insarApp.xml").write_text(_example_pair(tmp_path))
    proc = run_command("insarApp.py", "insarApp.xml", "--steps", "--end=preprocess",
                       cwd=tmp_path / "run")
    assert proc.returncode == 0, proc.stderr
    for role in ("reference", "secondary"):
        assert f"{role}: SLC, {LINES} lines x {PIXELS} pixels" in proc.stderr
    assert "orbit interpolation legendre" in proc.stderr


def test_isce2_orbit_directory_is_orbitdir(tmp_path):
    """ISCE2's ``orbit directory`` is ORBITDIR: an empty folder is refused in one line."""
    (tmp_path / "orbits").mkdir()
    text = _example_pair(tmp_path).replace(
        "<!-- <property name=\"orbit directory\">/data/S1/aux_poeorb</property> -->",
        f"<property name=\"orbit directory\">{tmp_path / 'orbits'}</property>", 1)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "insarApp.xml").write_text(text)
    proc = run_command("insarApp.py", "insarApp.xml", "--steps", "--end=preprocess",
                       cwd=tmp_path / "run")
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(errors) == 1 and "no S1A .EOF orbit file covers 2020-05-11T13:51:29" in errors[0], \
        proc.stderr
    assert Sentinel1.parameter("orbit directory").attrname == "orbit_dir"
    assert Sentinel1.parameter("orbit file").attrname == "orbit_file"


def test_rewriting_a_read_product_reproduces_the_safe(written, tmp_path):
    """write(read(SAFE)) reads back as the same product but for its paths (the geolocation
    grid, recomputed, moves by < 1 mm): the product's own Doppler and FM-rate estimates,
    chirp, calibration and noise vectors are carried over, the LUTs scaled to the new DN
    (gain 1 here: the peak is already TARGET_PEAK)."""
    _, _, safe = written
    first = read_sentinel1(safe)
    again = write_sentinel1(first, tmp_path, "reference")["SAFE"]
    assert again[:-len("XXXX.SAFE")] == safe.name[:-len("XXXX.SAFE")]     # data take kept
    second = read_sentinel1(tmp_path / again)
    np.testing.assert_array_equal(second.read(), first.read())
    a, b = first.to_dict(), second.to_dict()
    for d in (a, b):
        d.pop("source")
        for key in ("calibration", "noise"):
            d["attributes"][key].pop("file")
    assert a == b
    # half the gain: the DN halved, the LUTs too (the calibrated values stay)
    halved = write_sentinel1(first, tmp_path / "half", "reference", gain=0.5)["SAFE"]
    third = read_sentinel1(tmp_path / "half" / halved)
    dn = first.read()
    np.testing.assert_array_equal(third.read().real, np.rint(dn.real * 0.5))
    rows, cols = np.arange(0, LINES, 7), np.arange(0, PIXELS, 3)
    for name in ("sigmaNought", "betaNought", "gamma"):
        np.testing.assert_allclose(radiometry(third).lut(name, rows, cols),
                                   0.5 * radiometry(first).lut(name, rows, cols), rtol=1e-6)
