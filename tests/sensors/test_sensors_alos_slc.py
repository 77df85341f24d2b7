"""ALOS_SLC (PALSAR level 1.1 CEOS SLC): a small synthetic product written by
isce.simulate.alos_slc and read back (exactly; from the standard fields alone as ISCE2 reads
them, the millisecond time tags refined over all lines), block-wise reading, damaged copies
refused naming file, record and byte offset; the examples of examples/alos_slc and the ALOS
multi-frame example of examples/alos (ISCE2's lists of frames) understood by insarApp."""
import math
import os
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.framework.errors import InputError
from isce.sensors import alos_slc
from isce.sensors.alos_ceos import DATA_SET_SUMMARY, LEADER_FDR, read_alos_ceos
from isce.sensors.alos_slc import read_l11, read_leader
from isce.sensors.product import ImageSource, SlcProduct
from isce.sensors.raw import RawSource
from isce.simulate.alos_ceos import write_ceos
from isce.simulate.alos_slc import write_alos_slc, write_l11
from isce.simulate.orbit import orbit_over
from isce.simulate.radar import alos_palsar_fbs
from isce_commands import run_command
from small_alos import make_alos

REPO = Path(__file__).resolve().parents[2]
LINES, PIXELS = 45, 33
RADAR = alos_palsar_fbs()


def _pixels():
    rng = np.random.default_rng(5)
    return (rng.standard_normal((LINES, PIXELS)) + 1j * rng.standard_normal((LINES, PIXELS))
            ).astype(np.complex64)


def _product(folder, time="2008-01-10T05:38:21.4567"):
    orbit, t = orbit_over(34.5, -116.5, RADAR.look_angle, "right", RADAR.altitude,
                          RADAR.inclination, time=time, ascending=True, duration_s=600,
                          spacing_s=60)
    target = WGS84.lon_lat_to_xyz(np.array([math.radians(-116.5), math.radians(34.5), 0.0]))
    r = float(np.linalg.norm(target - orbit.interpolate(t)[0]))
    dr = SPEED_OF_LIGHT / (2 * RADAR.range_sampling_rate)
    grid = RadarGrid(t - 22 / RADAR.prf, orbit.reference_epoch, prf=RADAR.prf,
                     starting_range=r - 16 * dr, range_pixel_spacing=dr, length=LINES,
                     width=PIXELS, wavelength=RADAR.wavelength, look_side="right")
    isce.io.write(str(folder / "in.slc"), _pixels())
    return SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=28e6, azimuth_bandwidth=1700.0,
                      range_sampling_rate=RADAR.range_sampling_rate, polarization="HH",
                      platform="ALOS", mission="ALOS",
                      source=ImageSource("raster", str(folder / "in.slc")))


@pytest.fixture
def written(tmp_path):
    product = _product(tmp_path)
    files = write_alos_slc(product, tmp_path / "out", "reference")
    return product, tmp_path / "out" / files["IMAGEFILE"], tmp_path / "out" / files["LEADERFILE"]


def test_round_trip_is_exact(written):
    product, img, led = written
    assert (img.name, led.name) == ("IMG-HH-reference-1.1", "LED-reference-1.1")
    got = read_l11(img, led)
    assert got.radar_grid.to_dict() == product.radar_grid.to_dict()
    assert np.allclose(got.orbit.position, product.orbit.position, rtol=0, atol=1e-6)
    assert (got.range_bandwidth, got.azimuth_bandwidth, got.polarization) == (28e6, 1700.0, "HH")
    assert np.array_equal(got.read(), _pixels())
    assert img.stat().st_size == 720 + LINES * (412 + 8 * PIXELS)     # ALOS's 412-byte prefix
    leader = read_leader(led)
    dss = leader["dataset_summary"]
    assert dss["product_level"] == "1.1" and leader["isce"]["sensor"] == "ALOS_SLC"
    assert dss["nominal_prf_mhz"] == pytest.approx(RADAR.prf * 1e3, abs=1e-6)


def _drop_exact_record(led):
    data = bytearray(led.read_bytes())
    fac = read_leader(led)["facility"][0]
    for name in ("n_facility_1", "facility_1_length"):
        f = LEADER_FDR.field(name)
        data[f.offset:f.end] = f.encode(0)
    led.write_bytes(bytes(data[:fac.offset]))


def test_standard_fields_alone_as_isce2(written):
    """Without the exact record: the PRF of the data set summary, c/2 x its range gate delay,
    and the first line's time from the millisecond tags of all lines (ISCE2 takes the first
    line's, which is up to 1 ms early): within 0.1 ms here."""
    product, img, led = written
    _drop_exact_record(led)
    got = read_l11(img, led)
    g, p = got.radar_grid, product.radar_grid
    dt = (g.sensing_datetime(0) - p.sensing_datetime(0)).total_seconds()
    assert abs(dt) < 1e-4, dt
    assert g.starting_range == pytest.approx(p.starting_range, abs=1e-3)
    assert g.prf == pytest.approx(p.prf, abs=1e-6) and got.is_zero_doppler
    assert got.attributes["antenna_length"] == 8.9


def test_reads_only_the_asked_lines(written):
    product, img, _ = written
    reclen = 412 + 8 * PIXELS
    data = bytearray(img.read_bytes())
    data[720 + 40 * reclen + 3] = 7                                    # sequence number of line 40
    img.write_bytes(bytes(data))
    src = replace(product, source=ImageSource("ceos_slc", str(img)))
    assert np.array_equal(src.read(slice(0, 40, 4)), _pixels()[0:40:4])
    with pytest.raises(InputError, match=rf"{img.name}: record 42 \(processed data\) at byte offset "
                                         rf"{720 + 40 * reclen}: record sequence number is"):
        src.read(slice(38, 45))


@pytest.mark.parametrize("damage, message", [
    ("truncate", r"IMG-HH-reference-1.1: record 46 \(processed data\) at byte offset \d+: "
                 r"truncated"),
    ("leader_seq", r"LED-reference-1.1: record 3 \(platform position\) at byte offset 4816: record "
                   r"sequence number is 9"),
    ("wavelength", r"LED-reference-1.1: record 2 \(data set summary\) at byte offset 1220: no radar "
                   r"wavelength"),
    ("pixels", r"IMG-HH-reference-1.1: record 1 \(image file descriptor\) at byte offset 224: 4 bytes "
               r"per data group"),
    ("level", r"LED-reference-1.1: record 2 \(data set summary\) at byte offset 1814: a level 1.5 "
              r"product"),
])
def test_damaged_copies_name_file_record_byte(written, damage, message):
    _, img, led = written
    if damage == "truncate":
        img.write_bytes(img.read_bytes()[:-9])
    elif damage == "pixels":
        data = bytearray(img.read_bytes())
        f = alos_slc.IMAGE_FDR.field("bytes_per_group")
        data[f.offset:f.end] = f.encode(4)
        img.write_bytes(bytes(data))
    else:
        data = bytearray(led.read_bytes())
        if damage == "leader_seq":
            data[4816:4820] = (9).to_bytes(4, "big")
        else:
            name = {"wavelength": "wavelength", "level": "product_level"}[damage]
            f = DATA_SET_SUMMARY.field(name)
            data[720 + f.offset:720 + f.end] = f.encode(None if damage == "wavelength" else "1.5")
        led.write_bytes(bytes(data))
        if damage == "wavelength":
            _drop_exact_record(led)
    with pytest.raises(InputError, match=message):
        read_l11(img, led)


def test_registered_as_alos_slc(written):
    _, img, led = written
    reader = isce.sensors.create("ALOS_SLC", name="reference")
    assert {"IMAGEFILE", "LEADERFILE", "RADAR WAVELENGTH"} <= {p.public_name for p in reader.parameters}
    reader.imagefile, reader.leaderfile = str(img), str(led)
    product = reader.parse()
    assert product.source.format == "ceos_slc" and product.length == LINES


# ----------------------------------------------------------------------------- examples
def _error_line(proc):
    err = proc.stderr
    assert proc.returncode == 2 and "Traceback" not in err, err[-3000:]
    lines = [ln.strip() for ln in err.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err[-3000:]
    return lines[0]


@pytest.mark.parametrize("sensor, missing", [
    ("alos_slc", "ALPSRP103880650-L1.1/LED-ALPSRP103880650-H1.1__A: no such file (leader file)"),
    ("alos2", "0000022708_001001_ALOS2015976960-140909/LED-ALOS2015976960-140909-FBDR1.1__A: no "
              "such file (leader file)"),
])
def test_slc_examples_name_each_dates_files(tmp_path, sensor, missing):
    shutil.copy(REPO / "examples" / sensor / "insarApp.xml", tmp_path / "insarApp.xml")
    line = _error_line(run_command("insarApp.py", "insarApp.xml", cwd=tmp_path))
    assert missing in line, line


def _frames(folder, date, names, time):
    """Two overlapping frames (lines 0..150 and 110..260) of one ALOS pass, named as the
    example names them, in ``folder/date``; the whole pass's product read back."""
    (folder / date).mkdir()
    img, led = make_alos(folder, f"whole{date}", lines=260, samples=256, time=time)
    whole = read_alos_ceos(img, led)
    z = whole.read()
    for (first, last), (img_name, led_name) in zip(((0, 150), (110, 260)), names):
        echo = folder / f"{img_name}.echo"
        isce.io.write(str(echo), z[first:last])
        part = replace(whole, length=last - first, source=RawSource("raster", str(echo)),
                       sensing_start=whole.sensing_start + first / whole.prf)
        write_ceos(part, folder / date / img_name, folder / date / led_name,
                   scale=whole.source.params["scale"])
    return whole


def test_alos_multi_frame_example_concatenates_each_dates_frames(tmp_path):
    """examples/alos/insarApp.xml names each date by ISCE2's lists of two frames: with such
    frames written where it says, preprocess reads each date as the frames concatenated."""
    text = (REPO / "examples" / "alos" / "insarApp.xml").read_text()
    (tmp_path / "insarApp.xml").write_text(text)
    for date, ref, time in (("20080110", "ALPSRP10388", "2008-01-10T05:38:00"),
                            ("20080225", "ALPSRP11059", "2008-02-25T05:38:00")):
        names = [(f"IMG-HH-{ref}0{k}-H1.0__A", f"LED-{ref}0{k}-H1.0__A") for k in (640, 650)]
        for img_name, _ in names:
            assert f"{img_name}'" in text, img_name
        whole = _frames(tmp_path, date, names, time)
    proc = run_command("insarApp.py", "insarApp.xml", "--steps", "--end=preprocess", cwd=tmp_path)
    for ref in ("ALPSRP10388", "ALPSRP11059"):
        assert (f"concatenated 2 ALOS frames (IMG-HH-{ref}0640-H1.0__A, IMG-HH-{ref}0650-H1.0__A) "
                "into 260 lines") in proc.stderr, proc.stderr[-3000:]
    # both dates read as one pass each (150 + 150 lines overlapping by 40); these frames are
    # then too short to focus, which insarApp says after reading them
    line = _error_line(proc)
    assert "IMG-HH-ALPSRP103880640-H1.0__A: the reference raw data have 260 pulses" in line, line
    assert whole.length == 260


def test_a_failed_rewrite_leaves_the_previous_pair_whole(written, tmp_path):
    """Writing another product over a pair, whose image cannot be read, changes neither file:
    the image is written before the leader (a new leader beside the old image would read as a
    complete, wrong product)."""
    _, img, led = written
    before = (img.read_bytes(), led.read_bytes())
    (tmp_path / "other").mkdir()
    other = _product(tmp_path / "other", time="2008-02-25T05:38:21.4567")
    os.remove(other.source.path)                          # its image fails while being written
    with pytest.raises(InputError):
        write_l11(other, img, led)
    assert (img.read_bytes(), led.read_bytes()) == before
