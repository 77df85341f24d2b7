"""ALOS2 (PALSAR-2 level 1.1 stripmap SLC, CEOS): JAXA's real level 1.5 (geocoded) FBD set of
../shared/data/real_headers -- every leader record parsed and checked against the file's own
redundant fields, summary.txt and our geometry (its corners through geo2rdr with the leader's
orbit) -- and refused as a product in one line; a small synthetic product written by
isce.simulate.alos2_ceos and read back (exactly, and from the standard fields alone), read
block-wise, and damaged copies refused naming file, record and byte offset."""
import math
import re
import zipfile
from dataclasses import replace

import numpy as np
import pytest

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import Poly2d
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.geometry.geo2rdr import geo2rdr_points
from isce.sensors import alos2_ceos, alos_slc
from isce.sensors.alos_ceos import DATA_SET_SUMMARY, LEADER_FDR, _orbit, _parse_compact_time
from isce.sensors.alos_slc import PROCESSED_DATA
from isce.sensors.product import ImageSource, SlcProduct
from isce.simulate.alos2_ceos import write_alos2
from isce.simulate.orbit import orbit_over
from isce_commands import run_command

ZIP = "0000022708_001001_ALOS2015976960-140909.zip"
STEM = "ALOS2015976960-140909-FBDR1.5GUA"


@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    """The real set unpacked: {"led", "img_hh", "img_hv", "summary"} paths."""
    folder = tmp_path_factory.mktemp("alos2_real")
    with zipfile.ZipFile(shared_data("real_headers", ZIP)) as z:
        z.extractall(folder)
    found = {p.name: p for p in folder.rglob("*") if p.is_file()}
    return {"led": found[f"LED-{STEM}"], "img_hh": found[f"IMG-HH-{STEM}"],
            "img_hv": found[f"IMG-HV-{STEM}"], "summary": found["summary.txt"]}


@pytest.fixture(scope="module")
def leader(real):
    return alos2_ceos.read_alos2_leader(real["led"])


@pytest.fixture(scope="module")
def summary(real):
    return alos2_ceos.read_summary(real["summary"])


def _summary_time(text, epoch):
    day, clock = text.split()
    return (DateTime(f"{day[:4]}-{day[4:6]}-{day[6:8]}T{clock}") - epoch).total_seconds()


# ----------------------------------------------------------------------------- real leader
def test_real_leader_records_in_order(leader):
    """File descriptor counts -> the records found, each at its offset and with its codes."""
    fdr = leader["fdr"]
    assert (fdr["file_name"], fdr["software_release"]) == ("AL2 SARCSARL", "002.012")
    expect = {"dataset_summary": (2, 720, 4096, (18, 10, 18, 20)),
              "map_projection": (3, 4816, 1620, (18, 20, 18, 20)),
              "platform_position": (4, 6436, 4680, (18, 30, 18, 20)),
              "attitude": (5, 11116, 16384, (18, 40, 18, 20)),
              "radiometric": (6, 27500, 9860, (18, 50, 18, 20)),
              "data_quality": (7, 37360, 1620, (18, 60, 18, 20))}
    for stem, (seq, offset, length, codes) in expect.items():
        rec = leader[stem]
        assert (rec.sequence, rec.offset, rec.length) == (seq, offset, length), stem
        assert (rec["first_record_subtype"], rec["record_type_code"], rec["second_record_subtype"],
                rec["third_record_subtype"]) == codes, stem
        assert fdr[f"{stem}_length"] == length
    lengths = [325000, 511000, 3072, 728000, 5000]
    assert [r.length for r in leader["facility"]] == lengths
    assert [fdr[f"facility_{k}_length"] for k in range(1, 6)] == lengths
    assert leader["facility"][-1].offset + 5000 == 1611052 and leader["isce"] is None


def test_real_data_set_summary(leader, summary):
    """Times, PRF, sampling, chirp, Doppler, mode of the data set summary, cross-checked."""
    dss = leader["dataset_summary"]
    assert dss["mission"] == "ALOS2" and dss["scene_identifier"] == summary["Scs_SceneID"]
    assert dss["product_level"] == summary["Lbi_ProcessLevel"] == "1.5"
    assert dss["scene_centre_time"] == "20140909043347052"
    centre = _parse_compact_time(dss["scene_centre_time"])
    assert str(centre).startswith("2014-09-09T04:33:47.052")
    assert summary["Img_SceneCenterDateTime"] == "20140909 04:33:47.052"
    assert alos2_ceos.operation_mode(leader) == "03"                  # Fine (SM3), not ScanSAR
    assert dss["nominal_prf_mhz"] * 1e-3 == pytest.approx(2122.318448518, abs=1e-9)
    fs = alos2_ceos.SAMPLING_RATES[int(dss["sampling_rate_mhz"])]      # ISCE2's exact rate
    assert fs == pytest.approx(dss["sampling_rate_mhz"] * 1e6, abs=0.5)  # the field rounds it
    assert SPEED_OF_LIGHT / dss["wavelength"] == pytest.approx(1236.5e6, rel=1e-6)
    slope, pulse = dss["pulse_amplitude_1"], dss["pulse_length_us"] * 1e-6
    assert slope * pulse == pytest.approx(dss["range_look_bandwidth"], rel=1e-6)   # 24.9 MHz
    assert dss["clock_angle"] == 90.0 and dss["time_direction_line"] == "ASCEND"
    # geocoded: no Doppler or Doppler rate terms left; like-pol receiver gain etc. present
    assert all(dss[f"doppler_cross_{k}"] == 0.0 and dss[f"doppler_along_{k}"] == 0.0
               for k in range(3))
    assert float(summary["Img_OffNadirAngle"]) == pytest.approx(dss["off_nadir_angle"], abs=0.05)
    assert dss["scene_centre_line"] == 6580 and dss["scene_centre_pixel"] == 6435


def test_real_platform_position_and_orbit(leader):
    """28 precise state vectors at 60 s; at the scene centre time our orbit's nadir matches
    the data set summary's nadir point and the map projection record's altitude."""
    pp = leader["platform_position"]
    assert pp["n_data_points"] == 28 and pp["interval"] == 60.0
    assert pp["orbital_elements_designator"] == "2"          # high precision (ISCE2's table)
    assert (pp["year"], pp["month"], pp["day"], pp["seconds_of_day"]) == (2014, 9, 9, 15600.0)
    dss = leader["dataset_summary"]
    orbit, epoch = _orbit(pp, None, "LED", dss.values)
    t = (_parse_compact_time(dss["scene_centre_time"]) - epoch).total_seconds()
    pos, vel = orbit.interpolate(t)
    # the six orbital elements: the state at the scene centre, whose time field truncates to
    # the ms: our orbit gives it 0.25 ms after that time to the cm and mm/s
    elements = np.array([pp[f"orbital_element_{k}"] for k in range(1, 7)])
    dt = float(np.dot(elements[:3] - pos, vel) / np.dot(vel, vel))
    pos2, vel2 = orbit.interpolate(t + dt)
    print(f"orbital elements at centre time + {dt * 1e3:.4f} ms; residual "
          f"{np.linalg.norm(elements[:3] - pos2):.4f} m, {np.linalg.norm(elements[3:] - vel2):.5f} m/s")
    assert 0 <= dt < 1e-3
    assert np.linalg.norm(elements[:3] - pos2) < 0.05 and np.linalg.norm(elements[3:] - vel2) < 2e-3
    lon, lat, height = WGS84.xyz_to_lon_lat(np.asarray(pos))
    assert math.degrees(lat) == pytest.approx(dss["platform_latitude"], abs=6e-4)
    assert math.degrees(lon) == pytest.approx(dss["platform_longitude"], abs=6e-4)
    assert height == pytest.approx(leader["map_projection"]["platform_altitude"], abs=2.0)
    assert 7600 < np.linalg.norm(vel) < 7650


def test_real_attitude_radiometric_quality_records(leader, summary):
    att = leader["attitude"]
    points = att["points"]
    assert len(points) == att["n_points"] > 0 and points[0]["day_of_year"] == 252
    ms = [p["millisecond_of_day"] for p in points]
    assert ms == sorted(ms) and ms[0] <= 16422052 and ms[-1] >= 16432052   # the scene's span
    rad = leader["radiometric"]["data_sets"]
    assert len(rad) == 1 and rad[0]["calibration_factor"] == -83.0
    assert [rad[0][f"{m}_{ij}_re"] for m in ("dt", "dr") for ij in ("11", "12", "21", "22")] == \
        [1.0, 0.0, 0.0, 1.0] * 2                                       # identity distortion
    dq = leader["data_quality"]
    assert dq["azimuth_resolution"] == leader["dataset_summary"]["azimuth_resolution"]
    assert (dq["islr_db"], dq["pslr_db"]) == (-10.16, -13.26)


def test_real_map_projection_corners_are_the_map_frame(leader, summary, real):
    """Level 1.5 is a UTM map image: the map projection record's corners are its frame (north
    up, summary.txt's FrameScene corners), its size the image file's."""
    mp = leader["map_projection"]
    assert (mp["map_projection_descriptor"], mp["utm_zone"]) == ("GEOCODED", summary["Pds_UTM_ZoneNo"])
    assert mp["pixel_spacing"] == float(summary["Pds_PixelSpacing"]) == 6.25
    assert (mp["pixels_per_line"], mp["lines"]) == (int(summary["Pdi_NoOfPixels_0"]),
                                                    int(summary["Pdi_NoOfLines_0"]))
    img = alos_slc.CeosReader(real["img_hh"], "image file")
    with img:
        fdr = img.read(alos_slc.IMAGE_FDR)
    assert (fdr["pixels_per_line"], fdr["n_lines"]) == (mp["pixels_per_line"], mp["lines"])
    names = {"first_first": "LeftTop", "first_last": "RightTop", "last_last": "RightBottom",
             "last_first": "LeftBottom"}
    for corner, name in names.items():
        assert mp[f"{corner}_latitude"] == pytest.approx(
            float(summary[f"Img_FrameScene{name}Latitude"]), abs=6e-4), corner
        assert mp[f"{corner}_longitude"] == pytest.approx(
            float(summary[f"Img_FrameScene{name}Longitude"]), abs=6e-4), corner
    width_km = mp["first_last_easting_km"] - mp["first_first_easting_km"]
    assert width_km * 1000 == pytest.approx((mp["pixels_per_line"] - 1) * 6.25, abs=0.01)
    dss = leader["dataset_summary"]
    assert (mp["projection_centre_latitude"], mp["projection_centre_longitude"]) == \
        (dss["scene_centre_latitude"], dss["scene_centre_longitude"])


def test_real_facility_polynomials_put_their_origin_at_the_scene_centre(leader):
    fac = leader["facility"][4]
    dss = leader["dataset_summary"]
    assert (fac["origin_pixel"], fac["origin_line"]) == (dss["scene_centre_pixel"],
                                                         dss["scene_centre_line"])
    assert fac["lp_to_latitude_24"] == pytest.approx(dss["scene_centre_latitude"], abs=1e-4)
    assert fac["lp_to_longitude_24"] == pytest.approx(dss["scene_centre_longitude"], abs=1e-4)
    assert fac["origin_latitude"] == pytest.approx(dss["scene_centre_latitude"], abs=1e-6)
    assert fac["origin_longitude"] == pytest.approx(dss["scene_centre_longitude"], abs=1e-6)


def test_real_facility_text_records_hold_the_orbit_files(leader, real, summary):
    """Facility records 1-4 (checked, not decoded by the reader): numbered 1..4; the second is
    JAXA's precise orbit file (ALDSEF, made the day after the pass) whose span and 60 s step
    hold the platform position record's vectors; the fourth the ECI/ECR conversion (CCMF)."""
    data = real["led"].read_bytes()
    texts = [data[r.offset + 12:r.offset + r.length].decode("ascii", "replace")
             for r in leader["facility"][:4]]
    assert [int(t[:4]) for t in texts] == [1, 2, 3, 4]
    assert [t[4:120].split()[:1] for t in texts] == [[], ["ALDSEF"], ["ETMDF"], ["CCMF"]]
    span = re.search(r"\n(\d{8})  (\d{6})\.0+  (\d{8})  (\d{6})\.0+  (\d{6})", texts[1])
    assert span.groups() == ("20140908", "230000", "20140909", "060000", "000060")
    pp = leader["platform_position"]
    first, last = pp["seconds_of_day"], pp["seconds_of_day"] + 27 * pp["interval"]
    assert 0 <= first and last <= 6 * 3600 and pp["interval"] == int(span.group(5))
    assert summary["Pds_OrbitDataPrecision"] == "Precision" and \
        pp["orbital_elements_designator"] == "2"


def test_real_scene_corners_against_geo2rdr(leader, summary):
    """summary.txt's ImageScene corners (the swath's footprint inside the map frame, 0.001 deg)
    through geo2rdr with the leader's orbit: the south (first, ascending) corners fall on the
    scene start time, the north ones on its end, within 12 ms (0.0005 deg = 55 m is 8 ms along
    track), near corners at one slant range, far ones at another (within 60 m); the leader's
    scene centre (7 decimals) at zero Doppler 1.4 ms from its centre time."""
    dss = leader["dataset_summary"]
    orbit, epoch = _orbit(leader["platform_position"], None, "LED", dss.values)
    start = _summary_time(summary["Img_SceneStartDateTime"], epoch)
    end = _summary_time(summary["Img_SceneEndDateTime"], epoch)
    assert end - start == pytest.approx(10.0)

    def radar(lat, lon, height=0.0):
        t, r, status = geo2rdr_points(np.array([math.radians(lon), math.radians(lat), height]),
                                      orbit, dss["wavelength"], "right")
        assert int(status) == 0
        return float(t), float(r)

    got = {c: radar(float(summary[f"Img_ImageScene{c}Latitude"]),
                    float(summary[f"Img_ImageScene{c}Longitude"]))
           for c in ("LeftTop", "RightTop", "LeftBottom", "RightBottom")}
    for corner, (t, _) in got.items():
        assert abs(t - (end if "Top" in corner else start)) < 0.012, (corner, t - start)
    assert abs(got["LeftTop"][1] - got["LeftBottom"][1]) < 60
    assert abs(got["RightTop"][1] - got["RightBottom"][1]) < 60
    swath = got["RightBottom"][1] - got["LeftBottom"][1]
    assert 40e3 < swath < 50e3                                # a 70 km Fine-mode swath
    t, r = radar(dss["scene_centre_latitude"], dss["scene_centre_longitude"])
    centre = (_parse_compact_time(dss["scene_centre_time"]) - epoch).total_seconds()
    assert abs(t - centre) < 0.003
    # incidence at the centre against the data set summary's (0.001 deg field)
    target = WGS84.lon_lat_to_xyz(np.array([math.radians(dss["scene_centre_longitude"]),
                                            math.radians(dss["scene_centre_latitude"]), 0.0]))
    los = np.asarray(orbit.interpolate(t)[0]) - target
    normal = WGS84.n_vector(math.radians(dss["scene_centre_longitude"]),
                            math.radians(dss["scene_centre_latitude"]))
    incidence = math.degrees(math.acos(np.dot(los, normal) / np.linalg.norm(los)))
    assert incidence == pytest.approx(dss["incidence_angle"], abs=0.05)


def test_real_level_15_set_is_refused_in_one_line(real):
    with pytest.raises(InputError) as err:
        alos2_ceos.read_alos2(real["img_hh"], real["led"])
    message = str(err.value)
    assert "\n" not in message
    assert f"LED-{STEM}: record 2 (data set summary) at byte offset 1814: a level 1.5 product " \
           "(standard geocoded image), geocoded map image" in message
    assert f"IMG-HH-{STEM}: no image data: the file ends after its 720-byte file descriptor " \
           "(which announces 13161 records of 25932 bytes)" in message


def _error_line(proc):
    err = proc.stderr
    assert proc.returncode == 2 and "Traceback" not in err, err[-3000:]
    lines = [ln.strip() for ln in err.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err[-3000:]
    return lines[0]


def _insar_xml(folder, sensor, files):
    dates = "".join(
        f'<component name="{d}">' + "".join(f'<property name="{k}">{v}</property>'
                                            for k, v in files.items()) + "</component>"
        for d in ("reference", "secondary"))
    (folder / "insarApp.xml").write_text(
        f'<insarApp><component name="insar"><property name="sensor name">{sensor}</property>'
        f"{dates}</component></insarApp>")


def test_insarapp_refuses_the_level_15_set_in_one_line(real, tmp_path):
    _insar_xml(tmp_path, "ALOS2", {"IMAGEFILE": real["img_hv"], "LEADERFILE": real["led"]})
    line = _error_line(run_command("insarApp.py", "insarApp.xml", cwd=tmp_path))
    assert "a level 1.5 product" in line and f"IMG-HV-{STEM}: no image data" in line, line


# ----------------------------------------------------------------------------- synthetic
LINES, PIXELS = 37, 29
FS = alos2_ceos.SAMPLING_RATES[34]
PRF = 2122.318448518


def _pixels():
    rng = np.random.default_rng(11)
    return (rng.standard_normal((LINES, PIXELS)) + 1j * rng.standard_normal((LINES, PIXELS))
            ).astype(np.complex64) * np.float32(300)


def _product(folder):
    orbit, t = orbit_over(-11.05, -62.53, 36.6, "right", 628e3, 97.92,
                          time="2014-09-09T04:33:47.052", ascending=True, duration_s=600,
                          spacing_s=60)
    target = WGS84.lon_lat_to_xyz(np.array([math.radians(-62.53), math.radians(-11.05), 0.0]))
    r = float(np.linalg.norm(target - orbit.interpolate(t)[0]))
    dr = SPEED_OF_LIGHT / (2 * FS)
    grid = RadarGrid(t - 18 / PRF, orbit.reference_epoch, prf=PRF, starting_range=r - 14 * dr,
                     range_pixel_spacing=dr, length=LINES, width=PIXELS, wavelength=0.2424525,
                     look_side="right")
    isce.io.write(str(folder / "in.slc"), _pixels())
    return SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=24.9e6,
                      azimuth_bandwidth=1355.9, range_sampling_rate=FS, polarization="HV",
                      doppler=Poly2d([[35.0, 0.02, -1e-6]], x_mean=r, x_norm=1.0),
                      platform="ALOS2", mission="ALOS2",
                      attributes={"chirp_slope": 8.0733624e11, "pulse_length": 30.842168e-6},
                      source=ImageSource("raster", str(folder / "in.slc")))


@pytest.fixture
def written(tmp_path):
    product = _product(tmp_path)
    files = write_alos2(product, tmp_path / "out", "reference")
    return product, tmp_path / "out" / files["IMAGEFILE"], tmp_path / "out" / files["LEADERFILE"]


def test_writer_names_and_round_trip(written):
    product, img, led = written
    assert (img.name, led.name) == ("IMG-HV-reference-1.1", "LED-reference-1.1")
    got = alos2_ceos.read_alos2(img, led)
    assert got.radar_grid.to_dict() == product.radar_grid.to_dict()
    assert np.allclose(got.orbit.position, product.orbit.position, rtol=0, atol=1e-6)
    assert got.doppler.to_dict() == product.doppler.to_dict()
    assert (got.polarization, got.range_sampling_rate, got.range_bandwidth) == ("HV", FS, 24.9e6)
    assert np.array_equal(got.read(), _pixels())                      # float32: exact
    assert img.stat().st_size == 720 + LINES * (544 + 8 * PIXELS)


def _drop_exact_record(led):
    """The leader without the writer's facility record (standard fields only)."""
    data = bytearray(led.read_bytes())
    fdr = alos2_ceos.read_alos2_leader(led)
    fac = fdr["facility"][0]
    for name, value in (("n_facility_1", 0), ("facility_1_length", 0)):
        f = LEADER_FDR.field(name)
        data[f.offset:f.end] = f.encode(value)
    led.write_bytes(bytes(data[:fac.offset]))


def test_standard_fields_alone_as_isce2(written):
    """Without the exact record: the first line's microsecond tag, the line's integer slant
    range, ISCE2's sampling rate table, the leader's Doppler terms vs pixel."""
    product, img, led = written
    _drop_exact_record(led)
    got = alos2_ceos.read_alos2(img, led)
    g, p = got.radar_grid, product.radar_grid
    first = (g.sensing_datetime(0) - p.sensing_datetime(0)).total_seconds()
    assert -1e-6 <= first <= 0                                      # a truncated µs tag
    assert abs(g.starting_range - p.starting_range) <= 0.5
    assert g.prf == pytest.approx(p.prf, abs=1e-6) and got.range_sampling_rate == FS
    assert got.attributes["chirp_slope"] == pytest.approx(8.0733624e11, rel=1e-7)
    r = p.starting_range + np.arange(PIXELS) * p.range_pixel_spacing
    assert np.allclose(got.doppler.eval(p.sensing_start, r),
                       product.doppler.eval(p.sensing_start, r), atol=1e-3)


def test_block_reads_touch_only_the_asked_lines(written):
    """A damaged record outside the asked lines does not matter; asking for it names it."""
    product, img, led = written
    reclen = 544 + 8 * PIXELS
    data = bytearray(img.read_bytes())
    bad = 720 + 30 * reclen
    data[bad + 5] = 99                                                  # record type code
    img.write_bytes(bytes(data))
    # (reading the metadata checks every record's header: the image source alone here)
    got = replace(product, source=ImageSource("ceos_slc", str(img)))
    assert np.array_equal(got.read(slice(2, 30, 3), slice(4, 9)), _pixels()[2:30:3, 4:9])
    assert np.array_equal(got.read(29), _pixels()[29])
    with pytest.raises(InputError, match=rf"{img.name}: record 32 \(processed data\) at byte "
                                         rf"offset {bad}: record type codes are \(50, 99, 18, 20\)"):
        got.read(slice(28, 33))


@pytest.mark.parametrize("damage, message", [
    ("truncate", r"record (\d+) \(processed data\) at byte offset \d+: truncated"),
    ("dss_code", r"LED-reference-1.1: record 2 \(data set summary\) at byte offset 720: record "
                 r"type codes are \(18, 11, 18, 20\)"),
    ("prf_blank", r"LED-reference-1.1: record 2 \(data set summary\) at byte offset 1654: no PRF"),
    ("prf_other", r"not of one scene: PRF is 2122.318448518 Hz in the leader's ISCE SLC "
                  r"PARAMETERS record but 2100.0 Hz"),
    ("empty", r"IMG-HV-reference-1.1: no image data: its file descriptor"),
    ("fs_other", r"LED-reference-1.1: record 2 \(data set summary\) at byte offset \d+: range "
                 r"sampling rate 60.0 MHz"),
])
def test_damaged_copies_name_file_record_byte(written, damage, message):
    _, img, led = written
    if damage == "truncate":
        img.write_bytes(img.read_bytes()[:-100])
    elif damage == "empty":
        data = bytearray(img.read_bytes()[:720])
        f = alos_slc.IMAGE_FDR.field("n_sar_records")
        data[f.offset:f.end] = f.encode(0)
        img.write_bytes(bytes(data))
    else:
        data = bytearray(led.read_bytes())
        if damage == "dss_code":
            data[720 + 5] = 11
        elif damage == "fs_other":
            f = DATA_SET_SUMMARY.field("sampling_rate_mhz")
            data[720 + f.offset:720 + f.end] = f.encode(60.0)
        else:
            f = DATA_SET_SUMMARY.field("nominal_prf_mhz")
            value = None if damage == "prf_blank" else 2100000.0
            data[720 + f.offset:720 + f.end] = f.encode(value)
        led.write_bytes(bytes(data))
    with pytest.raises(InputError, match=message):
        alos2_ceos.read_alos2(img, led)


def test_scansar_is_refused(written):
    _, img, led = written
    data = bytearray(led.read_bytes())
    f = DATA_SET_SUMMARY.field("sensor_id_mode")
    data[720 + f.offset:720 + f.end] = f.encode("ALOS2 -L -0815-")
    led.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"at byte offset \d+: operation mode 08 \(ScanSAR "
                                         r"nominal\): the ALOS2 reader reads stripmap"):
        alos2_ceos.read_alos2(img, led)


def test_registered_with_isce2_property_names(written):
    _, img, led = written
    reader = isce.sensors.create("ALOS2", name="reference")
    names = {p.public_name for p in reader.parameters}
    assert {"IMAGEFILE", "LEADERFILE", "RADAR WAVELENGTH"} <= names
    reader.imagefile, reader.leaderfile = str(img), str(led)
    assert reader.parse().radar_grid.length == LINES
    reader.wavelength = 0.25
    assert reader.parse().wavelength == 0.25


def test_prefix_layout_is_jaxas():
    """ALOS-2's 544-byte prefix: microsecond of day at bytes 85-92, latitudes at 193-."""
    assert PROCESSED_DATA.field("microsecond_of_day").where() == "bytes 85-92"
    assert PROCESSED_DATA.field("slant_range_m").where() == "bytes 117-120"
    assert PROCESSED_DATA.field("latitude_first_pixel").where() == "bytes 193-196"
    assert alos2_ceos.ALOS2_L11.prefix == 544 and alos_slc.ALOS_L11.prefix == 412


def test_alos2_preset_is_the_real_leaders_radar(leader):
    """The simulator's ALOS2 preset (SM3 Fine) carries the real FBD leader's radar values."""
    from isce.simulate.radar import preset

    radar, dss = preset("ALOS2"), leader["dataset_summary"]
    assert radar.wavelength == pytest.approx(dss["wavelength"], rel=1e-12)
    assert radar.prf == pytest.approx(dss["nominal_prf_mhz"] * 1e-3, abs=1e-9)
    assert radar.range_sampling_rate == alos2_ceos.SAMPLING_RATES[int(dss["sampling_rate_mhz"])]
    assert radar.chirp_slope == pytest.approx(dss["pulse_amplitude_1"], rel=1e-9)
    assert radar.pulse_length == pytest.approx(dss["pulse_length_us"] * 1e-6, rel=1e-9)
    assert radar.look_angle == pytest.approx(dss["off_nadir_angle"], abs=0.01)
    assert radar.extra["default_date"].startswith("2014-09-09")
