"""ERS (CEOS level 0 raw, 5-bit I/Q) and ERS_SLC (CEOS IMS): the real ERS-1 SLC leader of
1995-12-20 read record by record and checked against itself, ISCE2's conventions and our
geometry; small products written by isce.simulate.ers_ceos and read back; the 5-bit codes;
a point target focused from the 5-bit file as from the float echoes; block reads; damaged
copies; Delft ODR / PRC / PDS orbits with their arclists; insarApp's one-line refusal of the
real product's empty image file."""
import dataclasses
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from isce_commands import run_command

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import Ellipsoid
from isce.core.orbit import Orbit
from isce.core.poly import Poly2d
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.focus.rangecomp import range_compress
from isce.focus.rda import focus_azimuth
from isce.framework.errors import ConfigurationError, InputError
from isce.geometry.geo2rdr import geo2rdr_points
from isce.geometry.rdr2geo import rdr2geo_points
from isce.io.errors import RasterError
from isce.sensors import ers_ceos, ers_orbits
from isce.sensors.ers_ceos import (IQ_BIAS, dequantize, pri_to_prf, quantize, read_ers_leader,
                                   read_ers_raw, read_ers_slc, swst_range)
from isce.sensors.product import ImageSource, SlcProduct
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate import orbit_over, preset, simulate_point_targets, target_truth
from isce.simulate.ers_ceos import (write_ers, write_ers_raw_files, write_ers_slc,
                                    write_odr, write_odr_arclist, write_pds,
                                    write_prc, write_prc_arclist)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "focus"))
from focus_helpers import SINC_PSLR_DB, measure_targets  # noqa: E402  (the focusing tests' measure)

ZIP = "SAR_IMS_1PXESA19951220_024320_00000015G152_00132_23166_0252.E1.zip"
FOLDER = "SAR_IMS_1PXESA19951220_024320_00000015G152_00132_23166_0252.E1"
LAT, LON = 34.5, -116.5
TARGET = [(LAT, LON, 0.0)]
RADAR = preset("ERS")


# ------------------------------------------------------------------ the real leader
@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    """The zip's members extracted as they are (LEA_01.001 and the empty DAT_01.001)."""
    out = tmp_path_factory.mktemp("ers_real")
    with zipfile.ZipFile(shared_data("real_headers", ZIP)) as z:
        z.extractall(out)
    folder = out / FOLDER
    return folder / "LEA_01.001", folder / "DAT_01.001"


def test_real_leader_records(real):
    """Every record ESA wrote, in order, with the lengths its file descriptor announces."""
    led, _ = real
    L = read_ers_leader(led)
    fdr = L["fdr"].values
    assert (fdr["software_release"], fdr["file_name"]) == ("ASAR/4.01P00", "ERS1.SAR.SLCLEAD")
    got = [(r.sequence, r.offset, r.length, r.layout.name) for r in
           (L["fdr"], L["dataset_summary"], L["map_projection"], L["platform_position"],
            *L["facility"])]
    assert got == [(1, 0, 720, "leader file descriptor"), (2, 720, 1886, "data set summary"),
                   (3, 2606, 1620, "map projection"), (4, 4226, 1046, "platform position"),
                   (5, 5272, 12288, "facility related")]
    assert 5272 + 12288 == led.stat().st_size == 17560
    assert (fdr["dataset_summary_length"], fdr["map_projection_length"],
            fdr["platform_position_length"], fdr["facility_length"]) == (1886, 1620, 1046, 12288)
    dss = L["dataset_summary"].values
    assert dss["scene_reference_number"] == "ORBIT=23166-FRAME=2529"
    assert (dss["mission"], dss["sensor_id_mode"], dss["orbit_number"]) == \
        ("ERS1", "SAR- C-HR-IM-VV", "23166")
    assert dss["processing_facility"] == "ESRIN" and dss["product_type"] == \
        "SAR SINGLE LOOK COMPLEX IMAGE"
    assert L["facility"][0]["identifier"] == "FACILITY RELATED DATA RECORD [ESA GENERAL TYPE]"
    assert L["isce"] is None                                 # ESA's file: no ISCE record


def test_real_leader_times_and_state_vectors(real):
    """Zero-Doppler times of the first/centre/last line, the scene centre time and the 5 state
    vectors tell one story: vectors at the first, quarter, ..., last line (interval x 4 =
    (lines - 1) / PRF to 2 us), the centre line 13283 lines after the first; the velocities
    are the derivative of the positions; the altitude is ERS's."""
    led, _ = real
    L = read_ers_leader(led)
    dss, pp, mp = (L[k].values for k in ("dataset_summary", "platform_position", "map_projection"))
    prf, lines = dss["prf"], mp["lines"]
    assert (pp["n_data_points"], pp["year"], pp["month"], pp["day"], pp["day_of_year"]) == \
        (5, 1995, 12, 20, 354)
    assert pp["reference_system"] == "Earth Centred Rotating"
    assert 4 * pp["interval"] == pytest.approx((lines - 1) / prf, abs=2e-6)
    first = ers_ceos._parse_vmp_time(dss["zd_azimuth_time_first"])
    centre = ers_ceos._parse_vmp_time(dss["zd_azimuth_time_centre"])
    last = ers_ceos._parse_vmp_time(dss["zd_azimuth_time_last"])
    day = DateTime(1995, 12, 20)
    t0 = pp["seconds_of_day"]                                # 02:43:20.055413
    assert 0 <= t0 - (first - day).total_seconds() < 1e-3  # ms-truncated text
    assert abs((centre - day).total_seconds() - (t0 + dss["scene_centre_line"] / prf)) < 1.5e-3
    assert abs((last - day).total_seconds() - (t0 + (lines - 1) / prf)) < 1e-3
    assert ers_ceos._parse_compact(dss["scene_centre_time"]) == centre
    orbit = ers_ceos.leader_orbit(L, led)
    assert orbit.time[0] == t0 and orbit.interp_method == "hermite"
    # velocities against the derivative of the 5 positions (quartic through them)
    coef = np.polynomial.polynomial.polyfit(orbit.time - orbit.time[2], orbit.position, 4)
    assert np.abs(coef[1] - orbit.velocity[2]).max() < 0.01
    radius = np.linalg.norm(orbit.position, axis=1)
    lat = np.arcsin(orbit.position[:, 2] / radius)
    h = Ellipsoid().xyz_to_lon_lat(orbit.position)[:, 2]
    assert np.all((h > 775e3) & (h < 800e3)) and np.all(np.degrees(lat) > 50)


def test_real_leader_radar_parameters_against_isce2(real):
    """PRF, sampling, chirp and wavelength as ESA writes them, against ISCE2's ERS constants:
    fs 18.962468 MHz (= ISCE2's), the chirp phase coefficient 2.08894e11 Hz/s^2 x 2 x 37.12 us
    = 15.508 MHz (ISCE2: 15.50829 MHz), the PRF 1679.9023 Hz vs ISCE2's raw-data PRF of the
    facility record's PRI code 2820, fs / (4 x 2822) = 1679.8785 Hz (14 ppm lower: ISCE2's
    formula, which our ERS reader keeps); wavelength 0.056666 m (ESA) vs c / 5.300 GHz =
    0.0565646 m (the radar frequency field; our preset uses c / 5.3 GHz)."""
    led, _ = real
    L = read_ers_leader(led)
    dss, fac = L["dataset_summary"].values, L["facility"][0].values
    assert dss["sampling_rate_mhz"] * 1e6 == ers_ceos.ERS_CONSTANTS["range_sampling_rate"]
    assert dss["pulse_length_us"] == 37.12 and dss["range_pulse_code"] == "LINEAR FM CHIRP"
    bandwidth = 2 * dss["pulse_phase_2"] * dss["pulse_length_us"] * 1e-6
    assert bandwidth == pytest.approx(ers_ceos.ERS_CONSTANTS["chirp_bandwidth"], rel=1e-4)
    assert bandwidth == pytest.approx(RADAR.chirp_bandwidth, rel=1e-4) and RADAR.chirp_slope > 0
    assert dss["prf"] == 1679.9023438 and RADAR.prf == pytest.approx(dss["prf"], abs=1e-3)
    assert (fac["prf_code_first"], fac["prf_code_last"]) == (2820, 2820)
    assert pri_to_prf(2820) == pytest.approx(1679.8785, abs=1e-4)
    assert (dss["prf"] - pri_to_prf(2820)) / dss["prf"] == pytest.approx(14.2e-6, abs=0.2e-6)
    assert dss["wavelength"] == 0.056666 and dss["radar_frequency_ghz"] == 5.3
    assert RADAR.wavelength == pytest.approx(SPEED_OF_LIGHT / 5.3e9, rel=1e-12)
    assert RADAR.wavelength == pytest.approx(0.0565646, abs=1e-7)
    assert dss["mechanical_boresight"] == pytest.approx(RADAR.look_angle, abs=0.06)
    assert (dss["quantization_bits"], dss["clock_step_ns"]) == (5, 3906250)   # 1/256 s
    assert (dss["binary_time_code"], dss["clock_time"]) == (1410120383, "19951219230317878")
    assert ers_ceos.slc_grid_from_leader(L, led, DateTime(1995, 12, 20))["prf"] == dss["prf"]


def test_real_leader_swath_doppler_and_raw_window(real):
    """The SLC's width from its first/last range times (4991 = the map projection's and the
    facility's valid pixels), the Doppler centroid (ISCE2: a quadratic in range time from the
    first pixel: 455.3 Hz there, 444.8 Hz mid-swath), the Doppler rate -2135.06 Hz/s vs
    -2 v_s v_g / (lambda R) of the leader orbit (-2143.4: 0.4 %, the flat-Earth ground speed
    approximation), and ISCE2's raw starting range from the SWST codes 1032/1010 vs the
    SLC's first pixel (the raw window starts 65 m = 8.3 samples before it)."""
    led, _ = real
    L = read_ers_leader(led)
    dss, mp, fac = (L["dataset_summary"].values, L["map_projection"].values, L["facility"][0].values)
    fs = dss["sampling_rate_mhz"] * 1e6
    width = (dss["zd_range_time_last_ms"] - dss["zd_range_time_first_ms"]) * 1e-3 * fs + 1
    assert abs(width - 4991) < 0.01 and mp["pixels_per_line"] == fac["valid_pixels"] == 4991
    assert mp["lines"] == 26567 and fac["n_raw_lines"] == 27712
    r0 = dss["zd_range_time_first_ms"] * 1e-3 * SPEED_OF_LIGHT / 2
    doppler = ers_ceos.leader_doppler(L, r0)
    assert doppler.eval(0.0, r0) == pytest.approx(455.296814)
    mid = r0 + 2495 * SPEED_OF_LIGHT / (2 * fs)
    tau = 2495 / fs                                    # two-way range time from the first pixel
    assert doppler.eval(0.0, mid) == pytest.approx(455.296814 - 46956.9335938 * tau
                                                  - 250490016.0 * tau ** 2, abs=1e-6)
    assert doppler.eval(0.0, mid) == pytest.approx(444.8, abs=0.05)
    orbit = ers_ceos.leader_orbit(L, led)
    t_mid = orbit.time[2]
    pos, vel = orbit.interpolate(np.array([t_mid]))
    llh, ok = rdr2geo_points(np.array([t_mid]), np.array([r0]), orbit, dss["wavelength"], "right")
    vs = np.linalg.norm(vel[0])
    vg = vs * np.linalg.norm(Ellipsoid().lon_lat_to_xyz(llh)[0]) / np.linalg.norm(pos[0])
    rate = -2 * vs * vg / (dss["wavelength"] * r0)
    assert ok.all() and rate == pytest.approx(dss["doppler_rate_cross_0"], rel=0.006)
    prf = pri_to_prf(fac["prf_code_first"])
    assert (fac["swst_code_first"], fac["swst_code_last"]) == (1032, 1010)
    assert fac["n_swst_changes"] == 1 and fac["swst_change_flag"] == 1
    raw_r0 = swst_range(min(fac["swst_code_first"], fac["swst_code_last"]), prf)
    assert r0 - raw_r0 == pytest.approx(65.4, abs=0.5)


def test_real_leader_corners_and_centre_by_rdr2geo(real):
    """rdr2geo (zero Doppler, ellipsoid height 0, the leader's Hermite orbit, the zero-Doppler
    first line time of the state vectors and ESA's first range time) of the four corners lands
    within 0.18 m of the map projection record's corner coordinates (measured 0.11-0.18 m; the
    record's 1e-6 deg steps are 0.11 m): ESA geolocates corners on the ellipsoid with these
    vectors. The data set summary's scene centre lies 0.13 line and 0.32 pixel from
    (line 13282, pixel 2495) = ESA's 1-based centre (13283, 2496) - 1 by geo2rdr, 6.4 m on
    the ground there (ESA's centre pixel is not exactly the middle sample)."""
    led, _ = real
    L = read_ers_leader(led)
    dss, mp = L["dataset_summary"].values, L["map_projection"].values
    orbit = ers_ceos.leader_orbit(L, led)
    prf, fs = dss["prf"], dss["sampling_rate_mhz"] * 1e6
    dr = SPEED_OF_LIGHT / (2 * fs)
    t0, tl = orbit.time[0], orbit.time[0] + (mp["lines"] - 1) / prf
    r0 = dss["zd_range_time_first_ms"] * 1e-3 * SPEED_OF_LIGHT / 2
    rl = r0 + (mp["pixels_per_line"] - 1) * dr
    times, ranges = np.array([t0, t0, tl, tl]), np.array([r0, rl, rl, r0])
    llh, ok = rdr2geo_points(times, ranges, orbit, dss["wavelength"], "right")
    names = ("first_line_first_pixel", "first_line_last_pixel", "last_line_last_pixel",
             "last_line_first_pixel")
    esa = np.radians([[mp[f"{n}_lon"], mp[f"{n}_lat"]] for n in names])
    ell = Ellipsoid()
    ours = ell.lon_lat_to_xyz(llh)
    theirs = ell.lon_lat_to_xyz(np.c_[esa, np.zeros(4)])
    distance = np.linalg.norm(ours - theirs, axis=1)
    print("corner distances [m]:", np.round(distance, 3))
    assert ok.all() and distance.max() < 0.2
    centre = np.radians([[dss["scene_centre_longitude"], dss["scene_centre_latitude"], 0.0]])
    t, r, _ = geo2rdr_points(centre, orbit, dss["wavelength"], "right")
    line, pixel = (t[0] - t0) * prf, (r[0] - r0) / dr
    assert abs(line - 13282) < 0.2 and abs(pixel - 2495) < 0.4, (line, pixel)
    llh, _ = rdr2geo_points(np.array([t0 + 13282 / prf]), np.array([r0 + 2495 * dr]), orbit,
                            dss["wavelength"], "right")
    assert np.linalg.norm(ell.lon_lat_to_xyz(llh)[0] - ell.lon_lat_to_xyz(centre)[0]) < 8.0


def test_real_product_without_image_lines_is_refused(real):
    led, dat = real
    assert dat.stat().st_size == 0
    with pytest.raises(InputError, match=re.escape(f"{dat}: no image data")):
        read_ers_slc(dat, led)
    with pytest.raises(InputError, match="no image data"):
        read_ers_raw(dat, led)


def test_insarapp_refuses_the_real_header_in_one_line(real, tmp_path):
    led, dat = real
    dates = "".join(f'<component name="{d}"><property name="IMAGEFILE">{dat}</property>'
                    f'<property name="LEADERFILE">{led}</property></component>'
                    for d in ("reference", "secondary"))
    (tmp_path / "insarApp.xml").write_text(
        '<insarApp><component name="insar"><property name="Sensor Name">ERS_SLC</property>'
        f"{dates}</component></insarApp>")
    proc = run_command("insarApp.py", "insarApp.xml", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if "no image data" in ln]
    assert len(lines) == 1 and str(dat) in lines[0], proc.stderr[-2000:]


# ------------------------------------------------------------------ small written products
L_, W_ = 64, 96


def _orbit():
    """An ERS orbit seeing the target at 19.8 deg (near range: ISCE2 takes SWST codes above
    1500, i.e. windows starting beyond 850 km at this PRF, as glitches)."""
    orbit, tzd = orbit_over(LAT, LON, 19.8, "right", RADAR.altitude,
                            RADAR.inclination, time="1995-12-20T02:43:20", duration_s=60,
                            spacing_s=4.0)
    return orbit, tzd


def _raw_product(tmp_path, *, length=L_, width=W_, amplitude=6.0, seed=2):
    orbit, tzd = _orbit()
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal((length, width)) + 1j * rng.standard_normal((length, width))) * amplitude
    path = tmp_path / "echo.raw"
    isce.io.write(str(path), z.astype(np.complex64))
    r = target_truth(TARGET, orbit, RADAR.wavelength, "right")[0]["slant_range"]
    return RawProduct(orbit=orbit, sensing_start=tzd - 0.0123456789, prf=RADAR.prf,
                      starting_range=r - 123.456, range_sampling_rate=RADAR.range_sampling_rate,
                      length=length, width=width, wavelength=RADAR.wavelength, look_side="right",
                      chirp_slope=RADAR.chirp_slope, pulse_length=RADAR.pulse_length,
                      source=RawSource("raster", str(path)), antenna_length=10.0,
                      platform="ERS-1", mission="ERS-1", polarization="VV",
                      attributes={"orbit_number": 23166, "note": "t"}), z


@pytest.fixture
def raw_pair(tmp_path):
    raw, z = _raw_product(tmp_path)
    img, led = tmp_path / "DAT_01.001", tmp_path / "LEA_01.001"
    back = write_ers_raw_files(raw, img, led)
    return raw, z, back, img, led


RECLEN = 412 + 2 * W_


def test_raw_round_trip(raw_pair):
    raw, z, back, img, led = raw_pair
    for name in ("sensing_start", "prf", "starting_range", "range_sampling_rate", "length",
                 "width", "wavelength", "look_side", "chirp_slope", "pulse_length",
                 "antenna_length", "polarization"):
        assert getattr(back, name) == getattr(raw, name), name
    assert back.orbit.reference_epoch == raw.orbit.reference_epoch
    assert np.abs(back.orbit.position - raw.orbit.position).max() < 1e-6
    assert back.attributes["orbit_number"] == 23166 and back.mission == "ERS1"
    scale = back.source.params["scale"]
    assert scale == pytest.approx(np.abs(z.view(np.float64)).max() / IQ_BIAS)
    echo = back.read()                                              # 5-bit: half a step
    assert np.abs(echo.view(np.float32) - z.astype(np.complex64).view(np.float32)).max() \
        <= 0.5 * scale * 1.0001
    assert img.stat().st_size == 720 + L_ * RECLEN


def test_raw_standard_fields_carry_ers_codes(raw_pair):
    """Without the ISCE record the reader still gets ISCE2's values from ERS's codes: PRF of
    the PRI code (within 0.6 Hz), ISCE2's range of the SWST code (within 16 m), the ICU time
    (within 1/256 s)."""
    raw, _, back, img, led = raw_pair
    rec = np.memmap(img, dtype=ers_ceos.RAW_SIGNAL.dtype(RECLEN), mode="r", offset=720, shape=(L_,))
    pri, swst = int(rec["pri_code"][0]), int(rec["swst_code"][0])
    assert pri == round(raw.range_sampling_rate / (4 * raw.prf)) - 2 == 2820
    assert np.all(np.diff(rec["image_format_counter"].astype(int)) == 1)
    assert abs(pri_to_prf(pri) - raw.prf) < 0.6
    assert abs(swst_range(swst, raw.prf) - raw.starting_range) <= 0.5 * 4 / raw.range_sampling_rate \
        * SPEED_OF_LIGHT / 2
    L = read_ers_leader(led)
    L["isce"] = None
    img_records = ers_ceos._RawRecords(str(img))
    t = ers_ceos._icu_start(img_records, L, str(led), DateTime(raw.orbit.reference_epoch))
    assert abs(t - raw.sensing_start) < 1 / 256


def test_quantize_5bit_codes():
    """Mid-rise 5-bit codes 0..31 around 15.5: x -> floor(x / s + 16) clipped, back
    (code - 15.5) s; within s / 2 inside +-15.5 s, clipped outside."""
    x = np.array([[-100.0 + 0j, -15.5 + 15.49j, -0.01 + 0.01j, 0.0 - 3.2j, 15.49 - 15.5j, 99 + 0j]])
    codes = quantize(x, 1.0)
    assert codes.dtype == np.uint8
    assert codes.tolist() == [[0, 16, 0, 31, 15, 16, 16, 12, 31, 0, 31, 16]]
    back = dequantize(codes, 1.0, IQ_BIAS, IQ_BIAS)
    assert np.allclose(back[0, 1:5], [-15.5 + 15.5j, -0.5 + 0.5j, 0.5 - 3.5j, 15.5 - 15.5j])
    assert back[0, 0] == -15.5 + 0.5j and back[0, 5] == 15.5 + 0.5j
    inside = np.random.default_rng(0).uniform(-15.5, 15.5, (50, 2)) @ [1, 1j]
    err = dequantize(quantize(inside[None], 2.0), 2.0)[0] - inside
    assert max(np.abs(err.real).max(), np.abs(err.imag).max()) <= 1.0


def test_decoder_reads_hand_made_records(raw_pair, tmp_path):
    """Bytes put in a record decode as (code - 15.5) x scale in the right line and sample."""
    _, _, back, img, _ = raw_pair
    b = bytearray(img.read_bytes())
    off = 720 + 5 * RECLEN + 412
    b[off:off + 4] = bytes([0, 31, 20, 7])
    img.write_bytes(bytes(b))
    s = back.source.params["scale"]
    line = back.read(slice(5, 6))[0]
    assert line[0] == pytest.approx(complex(-15.5, 15.5) * s) and \
        line[1] == pytest.approx(complex(4.5, -8.5) * s)


def test_swst_change_shifts_lines_as_isce2(raw_pair):
    """A window start one SWST step (22 codes... ISCE2: units of 4 samples) later from line
    40: the image widens by 4 x 22 samples and those lines move right by as much."""
    _, z, back, img, led = raw_pair
    b = bytearray(img.read_bytes())
    for k in range(L_):
        off = 720 + k * RECLEN + 214
        code = struct.unpack(">H", b[off:off + 2])[0]
        b[off:off + 2] = struct.pack(">H", code + (22 if k >= 40 else 0))
    img.write_bytes(bytes(b))
    shifted = read_ers_raw(img, led)
    assert shifted.width == W_ + 88 and shifted.starting_range == back.starting_range
    echo = shifted.read()
    assert np.array_equal(echo[:40, :W_], back.read(slice(0, 40)))
    assert np.array_equal(echo[40:, 88:], back.read(slice(40, L_)))
    assert not echo[40:, :88].any() and not echo[:40, W_:].any()


def _set_facility(led, facility, system=None):
    b = bytearray(led.read_bytes())
    f = ers_ceos.DATA_SET_SUMMARY.field("processing_facility")
    b[720 + f.offset:720 + f.end] = facility.ljust(16).encode()
    if system is not None:
        f = ers_ceos.DATA_SET_SUMMARY.field("processing_system")
        b[720 + f.offset:720 + f.end] = system.ljust(8).encode()
    led.write_bytes(bytes(b))


def test_crdc_facility_records_are_read_with_isce2s_crdc_layout(raw_pair):
    """CRDC_SARDPF / GTS - ERS products: the instrument header 10 bytes earlier (ISCE2's
    crdc-sardpf_image_record.xml) and the first line dated by the record time in ms; D-PAF
    MSAR products are refused naming the data set summary field."""
    raw, _, back, img, led = raw_pair
    b = bytearray(img.read_bytes())
    for k in range(L_):
        o = 720 + k * RECLEN
        b[o + 192:o + 210] = b[o + 202:o + 220]
        b[o + 210:o + 220] = bytes(10)
    img.write_bytes(bytes(b))
    with pytest.raises(InputError, match="every line counter is 0"):
        read_ers_raw(img, led)                        # the standard layout misreads the codes
    _set_facility(led, "CRDC_SARDPF")
    crdc = read_ers_raw(img, led)
    assert (crdc.prf, crdc.starting_range, crdc.sensing_start) == \
        (back.prf, back.starting_range, back.sensing_start)
    assert np.array_equal(crdc.read(), back.read())
    L = read_ers_leader(led)
    L["isce"] = None
    t = ers_ceos._icu_start(ers_ceos._RawRecords(str(img), ers_ceos.RAW_SIGNAL_CRDC), L, str(led),
                            DateTime(raw.orbit.reference_epoch))
    assert 0 <= raw.sensing_start - t < 1e-3                   # ms record time
    _set_facility(led, "D-PAF", "MSAR")
    with pytest.raises(InputError, match=rf"{re.escape(str(led))}: record 2 \(data set summary\) "
                                         r"at byte offset \d+: D-PAF MSAR raw products"):
        read_ers_raw(img, led)


def _drop_records(img, drop, count):
    """The image file without records ``drop`` (sequence numbers and the record count fixed)."""
    b = img.read_bytes()
    keep = [k for k in range(count) if k not in drop]
    out = bytearray(b[:720])
    out[180:186] = b"%6d" % len(keep)
    for n, k in enumerate(keep):
        rec = bytearray(b[720 + k * RECLEN:720 + (k + 1) * RECLEN])
        rec[0:4] = struct.pack(">I", n + 2)
        out += rec
    img.write_bytes(bytes(out))


def test_missing_and_repeated_lines_are_placed_by_their_counter_as_isce2(raw_pair):
    """Records 10-12 missing (a counter gap): the lines stay on the PRF grid, the missing ones
    zero; a record repeating its predecessor's counter is dropped; reading a block touches only
    the records of its lines."""
    _, _, back, img, led = raw_pair
    full = back.read()
    b = bytearray(img.read_bytes())
    b[720 + 40 * RECLEN + 210:720 + 40 * RECLEN + 214] = struct.pack(">I", 1000 + 39)
    img.write_bytes(bytes(b))                                  # record 40 repeats line 39
    _drop_records(img, {10, 11, 12}, L_)
    gappy = read_ers_raw(img, led)
    assert gappy.length == L_ and gappy.source.params["records"] == L_ - 3
    assert gappy.source.params["segments"] == [[0, 0, 10], [13, 10, 27], [41, 38, 23]]
    echo = gappy.read()
    keep = [k for k in range(L_) if k not in (10, 11, 12, 40)]
    assert np.array_equal(echo[keep], full[keep])
    assert not echo[[10, 11, 12, 40]].any()
    assert np.array_equal(gappy.read(slice(8, 16)), echo[8:16])


def test_raw_block_reads_read_only_the_asked_lines(raw_pair, monkeypatch):
    _, _, back, img, _ = raw_pair
    seen = []
    real_check = ers_ceos.check_fixed_records

    def spy(path, records, **kw):
        seen.append(list(kw.get("indices")))
        return real_check(path, records, **kw)

    monkeypatch.setattr(ers_ceos, "check_fixed_records", spy)
    assert back.read(slice(20, 30)).shape == (10, W_)
    assert seen == [list(range(20, 30))]
    seen.clear()
    list(back.iter_blocks(16))
    assert seen == [list(range(s, min(s + 16, L_))) for s in range(0, L_, 16)]
    # a damaged record is found only when its line is read
    monkeypatch.undo()
    b = bytearray(img.read_bytes())
    b[720 + 50 * RECLEN + 5] = 11
    img.write_bytes(bytes(b))
    back.read(slice(0, 50))
    with pytest.raises(InputError, match=re.escape(f"{img}: record 52 (signal data) at byte offset "
                                                   f"{720 + 50 * RECLEN}: record type codes")):
        back.read(slice(45, 55))


def _corrupt(path, *, cut=None, at=None, data=None):
    b = bytearray(path.read_bytes())
    if at is not None:
        b[at:at + len(data)] = data
    if cut is not None:
        b = b[:cut]
    path.write_bytes(bytes(b))


IMG_CASES = {
    "truncated mid-record": (dict(cut=720 + 3 * RECLEN + 100), 5, 720 + 3 * RECLEN, "truncated"),
    "truncated in the descriptor": (dict(cut=500), 1, 0, "truncated"),
    "wrong record type (signal)": (dict(at=720 + 5 * RECLEN + 5, data=bytes([11])), 7,
                                   720 + 5 * RECLEN, "record type codes"),
    "wrong sequence number": (dict(at=720 + 9 * RECLEN, data=struct.pack(">I", 99)), 11,
                              720 + 9 * RECLEN, "record sequence number is 99"),
    "line counter going back": (dict(at=720 + 12 * RECLEN + 210, data=struct.pack(">I", 900)), 14,
                                720 + 12 * RECLEN + 210, "line counter 900 follows 1011"),
    "line counter jumping": (dict(at=720 + 12 * RECLEN + 210, data=struct.pack(">I", 99999)), 14,
                             720 + 12 * RECLEN + 210, "a gap of more than 30000 lines"),
    "PRF change": (dict(at=720 + 30 * RECLEN + 216, data=struct.pack(">H", 2800)), 32,
                   720 + 30 * RECLEN + 216, "PRI code changes"),
    "bad first SWST": (dict(at=720 + 214, data=struct.pack(">H", 40)), 2, 720 + 214,
                       "sampling window start time code 40"),
}


@pytest.mark.parametrize("case", list(IMG_CASES))
def test_corrupt_raw_image_file(raw_pair, case, monkeypatch):
    """(The records are scanned 7 at a time here, so that most damage is past a chunk.)"""
    monkeypatch.setattr(ers_ceos, "_CHUNK_RECORDS", 7)
    _, _, _, img, led = raw_pair
    changes, record, offset, what = IMG_CASES[case]
    _corrupt(img, **changes)
    with pytest.raises(InputError) as err:
        read_ers_raw(img, led)
    msg = str(err.value)
    assert msg.startswith(f"{img}: record {record} ") and f"at byte offset {offset}:" in msg, msg
    assert what in msg and "\n" not in msg, msg


DSS, MPR, PPR = 720, 720 + 1886, 720 + 1886 + 1620
LED_CASES = {
    "truncated in the platform position": (dict(cut=PPR + 300), 4, PPR, "truncated"),
    "wrong record type (data set summary)": (dict(at=DSS + 5, data=bytes([20])), 2, DSS,
                                             "record type codes are (10, 20, 31, 20)"),
    "garbled PRF": (dict(at=DSS + 934, data=b"    1679.9x23438"), 2, DSS, "field 'prf'"),
    "garbled state vector count": (dict(at=PPR + 140, data=b"  99"), 4, PPR, "state_vectors"),
    "wrong facility length": (dict(at=PPR - 1620 + 8, data=struct.pack(">I", 1600)), 3, MPR,
                              "record length field"),
}


@pytest.mark.parametrize("case", list(LED_CASES))
def test_corrupt_leader_file(raw_pair, case):
    _, _, _, img, led = raw_pair
    changes, record, offset, what = LED_CASES[case]
    _corrupt(led, **changes)
    with pytest.raises(InputError) as err:
        read_ers_raw(img, led)
    msg = str(err.value)
    assert msg.startswith(f"{led}: record {record} ") and f"at byte offset {offset}:" in msg, msg
    assert what in msg, msg


def test_swapped_and_wrong_level_files_are_refused(raw_pair, tmp_path):
    _, _, _, img, led = raw_pair
    with pytest.raises(InputError, match=r"record 1 \(leader file descriptor\) at byte offset 0"):
        read_ers_raw(led, img)
    with pytest.raises(InputError, match="is this raw data"):
        read_ers_slc(img, led)


# ------------------------------------------------------------------ SLC
def _slc(tmp_path, lines=40, width=56):
    orbit, tzd = _orbit()
    rng = np.random.default_rng(5)
    data = ((rng.standard_normal((lines, width)) + 1j * rng.standard_normal((lines, width)))
            * 300).astype(np.complex64)
    path = tmp_path / "in.slc"
    with isce.io.create(str(path), width, lines, "CFLOAT", image_type="slc") as ds:
        ds[slice(0, lines)] = data
    r = target_truth(TARGET, orbit, RADAR.wavelength, "right")[0]["slant_range"]
    grid = RadarGrid(sensing_start=tzd - 0.0123456789, reference_epoch=DateTime(orbit.reference_epoch),
                     prf=RADAR.prf, starting_range=r - 200.123, range_pixel_spacing=RADAR.range_pixel_spacing,
                     length=lines, width=width, wavelength=RADAR.wavelength, look_side="right")
    doppler = Poly2d([[420.0, -2e-3]], x_mean=r)
    return SlcProduct(radar_grid=grid, orbit=orbit, doppler=doppler, range_bandwidth=15.55e6,
                      range_sampling_rate=RADAR.range_sampling_rate, polarization="VV",
                      platform="ERS-1", mission="ERS-1", source=ImageSource("raster", str(path))), data


def test_slc_round_trip_and_standard_fields(tmp_path):
    product, data = _slc(tmp_path)
    out = write_ers_slc(product, tmp_path / "data", "reference")
    assert out == {"IMAGEFILE": "reference/DAT_01.001", "LEADERFILE": "reference/LEA_01.001"}
    img, led = (tmp_path / "data" / out[k] for k in ("IMAGEFILE", "LEADERFILE"))
    back = read_ers_slc(img, led)
    g, h = product.radar_grid, back.radar_grid
    assert (h.sensing_start, h.prf, h.starting_range, h.length, h.width, h.look_side) == \
        (g.sensing_start, g.prf, g.starting_range, g.length, g.width, g.look_side)
    assert h.range_pixel_spacing == pytest.approx(g.range_pixel_spacing, rel=1e-15)
    assert h.wavelength == g.wavelength and back.range_bandwidth == 15.55e6
    t, r = g.sensing_start, g.starting_range + np.arange(0, g.width, 5) * g.range_pixel_spacing
    assert np.allclose(back.doppler.eval(t, r), product.doppler.eval(t, r), atol=1e-9)
    image = back.read()
    step = back.source.scale
    assert np.abs(image.view(np.float32) - data.view(np.float32)).max() <= 0.5 * step * 1.001
    # the standard fields alone (ISCE2's reading) give the grid to their precision
    L = read_ers_leader(led)
    std = ers_ceos.slc_grid_from_leader(L, led, DateTime(g.reference_epoch))
    assert abs(std["sensing_start"] - g.sensing_start) < 1e-3
    assert abs(std["starting_range"] - g.starting_range) < 0.02
    assert abs(ers_ceos.leader_doppler(L, g.starting_range).eval(t, r)
               - product.doppler.eval(t, r)).max() < 0.01
    saved = SlcProduct.load(back.save(tmp_path / "back.slc.json"))
    assert saved.source.format == "ers_ceos" and np.array_equal(saved.read(slice(3, 9)), image[3:9])


@pytest.mark.parametrize("codes", [(50, 11, 18, 20), (50, 11, 31, 50), (50, 10, 31, 20)])
def test_slc_record_codes_of_esa_processors(tmp_path, codes):
    """The image record codes ESA's processors wrote (GDAL's recipes) are read when every record
    carries them; raw data codes are refused naming record 2."""
    product, data = _slc(tmp_path)
    out = write_ers_slc(product, tmp_path, "reference")
    img, led = tmp_path / out["IMAGEFILE"], tmp_path / out["LEADERFILE"]
    b = bytearray(img.read_bytes())
    reclen = 12 + 4 * 56
    for k in range(40):
        b[720 + k * reclen + 4:720 + k * reclen + 8] = bytes(codes)
    img.write_bytes(bytes(b))
    if codes[1] == 11:
        back = read_ers_slc(img, led)
        lines = back.read(slice(0, 3)).view(np.float32)
        assert np.abs(lines - data[:3].view(np.float32)).max() <= 0.5 * back.source.scale * 1.001
        b[720 + 20 * reclen + 7] = 20 if codes[3] == 50 else 50          # one record differs
        img.write_bytes(bytes(b))
        with pytest.raises(InputError, match=rf"record 22 \(image data\) at byte offset "
                                             rf"{720 + 20 * reclen}: record type codes"):
            read_ers_slc(img, led)
    else:
        with pytest.raises(InputError, match=r"record 2 \(image data\) at byte offset 720: record "
                                             r"type codes are \(50, 10, 31, 20\)"):
            read_ers_slc(img, led)


def test_slc_block_reads_read_only_the_asked_lines(tmp_path, monkeypatch):
    product, data = _slc(tmp_path)
    out = write_ers_slc(product, tmp_path, "reference")
    back = read_ers_slc(tmp_path / out["IMAGEFILE"], tmp_path / out["LEADERFILE"])
    seen = []
    real_check = ers_ceos.check_fixed_records
    monkeypatch.setattr(ers_ceos, "check_fixed_records",
                        lambda path, records, **kw: (seen.append(list(kw["indices"])),
                                                     real_check(path, records, **kw))[1])
    assert back.read(slice(10, 17)).shape == (7, 56)
    assert seen == [list(range(10, 17))]


def test_slc_image_with_another_scenes_leader_is_refused(tmp_path):
    product, _ = _slc(tmp_path)
    write_ers_slc(product, tmp_path, "a")
    (tmp_path / "b").mkdir()
    small, _ = _slc(tmp_path / "b", lines=30)
    write_ers_slc(small, tmp_path, "c")
    with pytest.raises(InputError, match=r"disagree: .*map projection record describes 40 lines "
                                         r"x 56 pixels, the image file holds 30 x 56"):
        read_ers_slc(tmp_path / "c/DAT_01.001", tmp_path / "a/LEA_01.001")


# ------------------------------------------------------------------ point target from 5 bits
def test_raw_point_target_focuses_as_from_float_echoes(tmp_path, monkeypatch):
    """The full aperture of one target focused from the float echoes and from the 5-bit ERS
    file: the same point within 1e-3 line/pixel, amplitude 2e-3, phase 1e-3 rad, PSLR/ISLR
    0.1 dB (measured: 2e-7 line, 3e-5 pixel, 4e-4 amplitude, 1e-5 rad, 0.022 dB azimuth PSLR;
    5-bit codes: 31 levels over the echoes' peak)."""
    monkeypatch.setenv("ISCE_FFTW_PLANNER", "estimate")
    monkeypatch.setenv("ISCE_FFTW_WISDOM", str(tmp_path / "wisdom"))
    orbit, tzd = orbit_over(LAT, LON, RADAR.look_angle, "right", RADAR.altitude, RADAR.inclination,
                            time="1995-12-20T02:43:20", duration_s=40, spacing_s=1.0)
    r = target_truth(TARGET, orbit, RADAR.wavelength, "right")[0]["slant_range"]
    pulses = 2048
    half = RADAR.chirp_samples // 2 + 1
    raw = simulate_point_targets(orbit, RADAR, TARGET,
                                 sensing_start=tzd - r / SPEED_OF_LIGHT - 0.5 * pulses / RADAR.prf,
                                 length=pulses, starting_range=r - (half + 100) * RADAR.range_pixel_spacing,
                                 width=2 * (half + 100), output=str(tmp_path / "pt.raw"))
    files = write_ers(raw, tmp_path, "reference")
    back = read_ers_raw(tmp_path / files["IMAGEFILE"], tmp_path / files["LEADERFILE"])
    results = []
    for product in (raw, back):
        res = focus_azimuth(range_compress(product))
        results.append(measure_targets(res.data, res.product.radar_grid, TARGET, product.orbit,
                                       RADAR)[0])
    ref, ers = results
    print({k: (ref[k], ers[k]) for k in ("dline", "dpixel", "amplitude", "dphase")},
          {a: {k: ers[a][k] - ref[a][k] for k in ("pslr", "islr")} for a in ("range", "azimuth")})
    for m in results:
        assert abs(m["dline"]) < 1 / 16 and abs(m["dpixel"]) < 1 / 16
        assert abs(m["range"]["pslr"] - SINC_PSLR_DB) < 0.5
    assert abs(ers["dline"] - ref["dline"]) < 1e-3 and abs(ers["dpixel"] - ref["dpixel"]) < 1e-3
    assert abs(ers["amplitude"] / ref["amplitude"] - 1) < 2e-3
    assert abs(ers["dphase"] - ref["dphase"]) < 1e-3
    for axis in ("range", "azimuth"):
        for k in ("pslr", "islr"):
            assert abs(ers[axis][k] - ref[axis][k]) < 0.1, (axis, k)


# ------------------------------------------------------------------ orbits
def _long_orbit():
    """Two hours of a circular ERS orbit every 10 s around the image."""
    orbit, tzd = orbit_over(LAT, LON, RADAR.look_angle, "right", RADAR.altitude, RADAR.inclination,
                            time="1995-12-20T02:43:20", duration_s=7200, spacing_s=10.0)
    return orbit, tzd


def test_odr_round_trip_and_velocities(tmp_path):
    """An xODR file of a known orbit (60 s records, 1e-7 deg / 1 mm) read back: positions
    within 2 cm, velocities (derivative of the 9-point polynomial, as ISCE2's Legendre
    interpolation) within 5 mm/s (measured 2.9 mm/s, at the ends of the file where the
    polynomial is one-sided); trimmed like ISCE2."""
    orbit, tzd = _long_orbit()
    write_odr(orbit, tmp_path / "ODR.123", arc=123)
    epoch = DateTime(orbit.reference_epoch)
    odr = ers_orbits.read_odr(tmp_path / "ODR.123", epoch=epoch)
    pos, vel = orbit.interpolate(odr.time)
    assert odr.time.size == 120 and np.all(np.diff(odr.time) == 60.0)
    assert np.abs(odr.position - pos).max() < 0.02
    assert np.abs(odr.velocity - vel).max() < 5e-3
    assert np.abs(odr.velocity - vel)[10:-10].max() < 1e-3
    trimmed = ers_orbits.trim_orbit(odr, tzd, tzd + 10)
    assert trimmed.time.min() > tzd - 300 and trimmed.time.max() < tzd + 310
    assert trimmed.time.size == 10
    raw = open(tmp_path / "ODR.123", "rb").read()
    assert raw[:4] == b"xODR" and struct.unpack(">4i", raw[16:32])[1:3] == (123, 120)
    write_odr(orbit, tmp_path / "ODR.124", fmt="@ODR")                 # 1e-6 deg: 11 cm steps
    coarse = ers_orbits.read_odr(tmp_path / "ODR.124", epoch=epoch)
    assert np.abs(coarse.position - pos).max() < 0.15


def test_odr_arclist_picks_the_first_precise_arc(tmp_path):
    """ISCE2's rule: the first arc spanning the time whose precise part has begun."""
    d = DateTime
    write_odr_arclist(tmp_path / "arclist", [
        (121, d(1995, 12, 14), d(1995, 12, 19, 12), d(1995, 12, 15)),
        (122, d(1995, 12, 18), d(1995, 12, 23), d(1995, 12, 20, 6)),      # precise too late
        (123, d(1995, 12, 19), d(1995, 12, 24), d(1995, 12, 20)),
        (124, d(1995, 12, 20), d(1995, 12, 25), d(1995, 12, 20, 1))])
    when = d(1995, 12, 20, 2, 43, 20)
    assert ers_orbits.odr_file_for(tmp_path / "arclist", when) == "ODR.123"
    arcs = ers_orbits.read_odr_arclist(tmp_path / "arclist")
    assert [a.number for a in arcs] == ["121", "122", "123", "124"]
    assert arcs[1].precise.isoformat() == "1995-12-20T06:00:00"
    with pytest.raises(InputError, match="no arc holds 1996-01-01"):
        ers_orbits.odr_file_for(tmp_path / "arclist", d(1996, 1, 1))
    (tmp_path / "bad").write_text("header\nArc#\n123  95122X 00:00 - 951225 00:00\n")
    with pytest.raises(InputError, match=r"bad: line 3: not an arclist line"):
        ers_orbits.read_odr_arclist(tmp_path / "bad")


def test_prc_and_pds_round_trip(tmp_path):
    """PRC (mm, um/s, TDT with its offset) and PDS (m, m/s) files of a known orbit read back
    at ISCE2's columns: positions within 1 mm, velocities within 1e-6 m/s (PDS: 1e-3 m, 1e-6
    m/s); the PRC arclist picks the file spanning the time."""
    orbit, tzd = _long_orbit()
    epoch = DateTime(orbit.reference_epoch)
    write_prc(orbit, tmp_path / "PRC_1")
    prc = ers_orbits.read_prc(tmp_path / "PRC_1", epoch=epoch)
    pos, vel = orbit.interpolate(prc.time)
    assert abs(prc.time[0] - orbit.time[0]) < 1e-6 and prc.time.size == 241
    assert np.abs(prc.position - pos).max() <= 1e-3 and np.abs(prc.velocity - vel).max() <= 1e-6
    write_pds(orbit, tmp_path / "pds.txt")
    pds = ers_orbits.read_pds(tmp_path / "pds.txt", epoch=epoch)
    pos, vel = orbit.interpolate(pds.time)
    assert np.abs(pds.position - pos).max() <= 1e-3 and np.abs(pds.velocity - vel).max() <= 1e-6
    first = epoch + float(orbit.time[0])
    write_prc_arclist(tmp_path / "arclist", [("PRC_0", first + -5 * 86400.0, first + -86400.0),
                                             ("PRC_1", first + -86400.0, first + 86400.0)])
    assert ers_orbits.prc_file_for(tmp_path / "arclist", epoch + tzd) == "PRC_1"


@pytest.mark.parametrize("kind", ["ODR", "PRC", "PDS"])
def test_reader_takes_the_precise_orbit_isce2_asks_for(raw_pair, tmp_path, kind):
    """ERS with ORBIT_TYPE/ORBIT_DIRECTORY (ORBIT_FILE for PDS): the orbit comes from that
    file, trimmed to 5 minutes around the image, and matches the truth."""
    raw, _, back, img, led = raw_pair
    truth, _ = _long_orbit()
    truth = Orbit(truth.time - (DateTime(raw.orbit.reference_epoch)
                                - DateTime(truth.reference_epoch)).total_seconds(),
                  truth.position, truth.velocity, raw.orbit.reference_epoch)
    odir = tmp_path / "orbits"
    odir.mkdir()
    start = DateTime(raw.orbit.reference_epoch) + raw.sensing_start
    if kind == "ODR":
        write_odr(truth, odir / "ODR.077")
        write_odr_arclist(odir / "arclist", [(77, start + -86400.0, start + 86400.0,
                                              start + -3600.0)])
    elif kind == "PRC":
        write_prc(truth, odir / "PRC_77")
        write_prc_arclist(odir / "arclist", [("PRC_77", start + -86400.0, start + 86400.0)])
    else:
        write_pds(truth, odir / "pds.txt")
    reader = isce.sensors.create("ERS", name="reference")
    reader.imagefile, reader.leaderfile, reader.orbit_type = str(img), str(led), kind
    if kind == "PDS":
        reader.orbit_file = str(odir / "pds.txt")
    else:
        reader.orbit_directory = str(odir)
    product = reader.parse()
    o = product.orbit
    assert o.time.min() > raw.sensing_start - 300 and o.time.max() < raw.sensing_start + 301
    pos, _ = truth.interpolate(o.time)
    assert np.abs(o.position - pos).max() < 0.02 and product.attributes["orbit_source"] == kind
    t = raw.sensing_start + np.linspace(0, (raw.length - 1) / raw.prf, 5)
    assert np.abs(o.interpolate(t)[0] - truth.interpolate(t)[0]).max() < 0.02


def test_orbit_settings_are_checked(raw_pair):
    _, _, _, img, led = raw_pair
    reader = isce.sensors.create("ERS_SLC", name="reference")
    reader.imagefile, reader.leaderfile = str(img), str(led)
    for value, words in (("odr", "upper case"), ("DORIS", "expected ODR, PRC or PDS"),
                         ("ODR", "needs ORBIT_DIRECTORY"), ("PDS", "needs ORBIT_FILE")):
        reader.orbit_type = value
        with pytest.raises(ConfigurationError, match=words):
            reader.parse()


def test_isce2_list_syntax_takes_one_frame_and_refuses_several(raw_pair):
    """ISCE2's ERS IMAGEFILE/LEADERFILE are lists: one file in list syntax is read, several
    frames (which ISCE2 stitches) are refused naming the property."""
    raw, _, _, img, led = raw_pair
    reader = isce.sensors.create("ERS", name="reference")
    reader.imagefile, reader.leaderfile = [str(img)], [str(led)]
    assert reader.parse().sensing_start == raw.sensing_start
    reader.imagefile = [str(img), str(img)]
    reader.leaderfile = [str(led), str(led)]
    with pytest.raises(ConfigurationError, match=r"IMAGEFILE lists 2 files .* one frame per date"):
        reader.parse()


def test_registered_names():
    assert isce.sensors.sensor_class("ERS").__name__ == "Ers"
    assert isce.sensors.sensor_class("ers_slc").__name__ == "ErsSlc"
    names = {p.public_name for p in isce.sensors.sensor_class("ERS").parameters}
    assert {"IMAGEFILE", "LEADERFILE", "ORBIT_TYPE", "ORBIT_DIRECTORY", "ORBIT_FILE"} <= names


@pytest.mark.parametrize("example, sensor", [("ers", "ERS"), ("ers_slc", "ERS_SLC")])
def test_examples_are_understood(tmp_path, example, sensor):
    """examples/<sensor>/insarApp.xml (ISCE2's properties, ODR orbits): without the data,
    preprocess refuses the reference's missing leader file in one line."""
    source = Path(__file__).resolve().parents[2] / "examples" / example / "insarApp.xml"
    text = source.read_text()
    assert f'<property name="sensor name">{sensor}</property>' in text
    assert '<property name="ORBIT_TYPE">ODR</property>' in text
    (tmp_path / "insarApp.xml").write_text(text)
    proc = run_command("insarApp.py", "insarApp.xml", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if "no such file" in ln]
    assert len(lines) == 1 and "LEA_01.001: no such file (leader file)" in lines[0], proc.stderr


def test_saved_raw_product_decodes_in_a_fresh_process(raw_pair, tmp_path):
    """raw._DECODER_MODULES names this module for kind 'ers_ceos': a saved product decodes
    where nothing imported the ERS reader."""
    _, _, back, _, _ = raw_pair
    saved = back.save(tmp_path / "ers.raw.json")
    np.save(tmp_path / "expected.npy", back.read(slice(7, 12)))
    code = ("import sys, numpy as np; from isce.sensors.raw import RawProduct; "
            "assert 'isce.sensors.ers_ceos' not in sys.modules; "
            f"p = RawProduct.load({str(saved)!r}); "
            f"assert np.array_equal(p.read(slice(7, 12)), np.load({str(tmp_path / 'expected.npy')!r}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_corrupt_icu_clock_falls_back_to_the_scene_centre_time_as_isce2(raw_pair, caplog):
    """ISCE2's ERS: an ICU on-board time more than 5 days from the satellite clock time is
    corrupt; the first line is then dated from the scene centre time (minus half the scene),
    not days away."""
    raw, _, back, img, led = raw_pair
    L = read_ers_leader(led)
    L["isce"] = None
    L["dataset_summary"].values["binary_time_code"] -= 256 * 86400 * 10    # ICU 10 days off
    records = ers_ceos._RawRecords(str(img), ers_ceos.RAW_SIGNAL)
    t = ers_ceos._icu_start(records, L, str(led), DateTime(raw.orbit.reference_epoch))
    assert abs(t - raw.sensing_start) < 1.0 / back.prf + 1e-3         # centre time in ms
    assert "ICU on-board time" in caplog.text


def test_a_failed_raw_rewrite_leaves_the_previous_pair_whole(raw_pair, tmp_path):
    """Another product written over a raw pair, whose echoes cannot be read, changes neither
    file: the image is written before the leader (a new leader beside the old image would
    read as a complete, wrong product)."""
    raw, _, _, img, led = raw_pair
    before = (img.read_bytes(), led.read_bytes())
    other = dataclasses.replace(raw, sensing_start=raw.sensing_start + 1.0,
                                source=RawSource("raster", str(tmp_path / "missing.raw")))
    with pytest.raises(RasterError, match="missing.raw"):
        write_ers_raw_files(other, img, led, scale=1.0)
    assert (img.read_bytes(), led.read_bytes()) == before


@pytest.mark.parametrize("scale, bias_i, bias_q", [(1.0, IQ_BIAS, IQ_BIAS), (699.17, 15.5, 16.25)])
def test_dequantize_table_equals_the_arithmetic(scale, bias_i, bias_q):
    """Contiguous byte pairs go through a 65536-entry table: every (I, Q) code gives the very
    float32 numbers of the element-wise arithmetic (the path of other inputs), rows of a
    wider record included."""
    codes = np.arange(1 << 16, dtype="<u2").view(np.uint8).reshape(256, 512)
    records = np.zeros((256, 520), np.uint8)
    records[:, 3:515] = codes
    for c in (codes, records[:, 3:515]):
        table = dequantize(c, scale, bias_i, bias_q)
        arith = dequantize(c.astype(np.int16), scale, bias_i, bias_q)
        assert table.dtype == arith.dtype == np.complex64 and table.shape == (256, 256)
        assert np.array_equal(table.view(np.uint64), arith.view(np.uint64))
    # byte pair k = (I, Q) = (k % 256, k // 256): row 0 has Q = 0, row 3 Q = 3
    got = dequantize(codes, scale, bias_i, bias_q)
    assert np.isclose(got[0, 1], scale * ((1 - bias_i) - 1j * bias_q), rtol=1e-6)
    assert np.isclose(got[3, 200], scale * ((200 - bias_i) + 1j * (3 - bias_q)), rtol=1e-6)
