"""RADARSAT-1 CEOS raw (``RADARSAT1``): write -> read round trips, the 4-bit samples and the
auxiliary block as ISCE2 decodes them, a point target focused from the 4-bit file against the
float echoes, the leader's inertial orbit against an independent frame conversion, block
reads, RADARSAT-1's quirks (replicas, missing lines, window moves, PRF changes) and corrupted
copies. No real RADARSAT-1 file exists in the shared test data: every file is written here.
"""
import dataclasses
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from insar_runs import run
from isce_commands import run_command
from scipy.spatial.transform import Rotation

import isce.io
import isce.sensors
from isce.core.ellipsoid import WGS84
from isce.core.time import DateTime
from isce.framework import ConfigurationError, InputError
from isce.io.errors import RasterError
from isce.sensors import radarsat1 as rs1
from isce.sensors.ceos import CeosReader
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate.orbit import orbit_over
from isce.simulate.radar import preset
from isce.simulate.radarsat1 import radar_codes, write_radarsat1, write_rsat1

LAT, LON = 34.5, -116.5
LINES, SAMPLES = 64, 300
SCALARS = ("sensing_start", "prf", "starting_range", "range_sampling_rate", "length", "width",
           "wavelength", "look_side", "chirp_slope", "pulse_length", "antenna_length",
           "polarization")


def make_raw(folder, *, lines=LINES, samples=SAMPLES, amplitude=4.0, seed=1, side="right",
             time="2004-06-01T14:00:00", duration_s=20.0, spacing_s=1.0, shift_s=0.0):
    """Noise echoes of RADARSAT-1 Standard S3 with a real geometry over (LAT, LON)."""
    radar = preset("RADARSAT1")
    orbit, t_zd = orbit_over(LAT, LON, radar.look_angle, side, radar.altitude, radar.inclination,
                             time=time, ascending=True, duration_s=duration_s, spacing_s=spacing_s)
    target = WGS84.lon_lat_to_xyz(np.array([np.radians(LON), np.radians(LAT), 0.0]))
    r0 = float(np.linalg.norm(target - orbit.interpolate(t_zd)[0])) - samples / 2 * radar.range_pixel_spacing
    rng = np.random.default_rng(seed)
    echo = folder / f"echo{seed}.raw"
    isce.io.write(str(echo), (amplitude * (rng.standard_normal((lines, samples))
                                           + 1j * rng.standard_normal((lines, samples)))).astype(np.complex64))
    return RawProduct(orbit=orbit, sensing_start=t_zd + shift_s - lines / 2 / radar.prf, prf=radar.prf,
                      starting_range=r0, range_sampling_rate=radar.range_sampling_rate,
                      length=lines, width=samples, wavelength=radar.wavelength, look_side=side,
                      chirp_slope=radar.chirp_slope, pulse_length=radar.pulse_length,
                      source=RawSource("raster", str(echo)), antenna_length=15.0,
                      platform="RADARSAT-1", mission="RADARSAT-1", polarization="HH",
                      attributes={"scene_id": "TEST"})


@pytest.fixture
def pair(tmp_path):
    raw = make_raw(tmp_path)
    img, led = tmp_path / "scene.raw", tmp_path / "scene.ldr"
    back = write_rsat1(raw, img, led)
    return raw, back, img, led


def records(img):
    """[(offset, length)] of the signal data records of an image file."""
    out, off = [], rs1.IMAGE_FDR_BYTES
    data = img.read_bytes()
    while off < len(data):
        n = int.from_bytes(data[off + 8:off + 12], "big")
        out.append((off, n))
        off += n
    return out


def patch(path, offset, data: bytes):
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(data)


# ---------------------------------------------------------------------------- round trips
def test_round_trip_metadata_orbit_and_echoes(pair):
    raw, back, img, led = pair
    for name in SCALARS:
        assert getattr(back, name) == getattr(raw, name), name
    assert back.source.kind == "rsat1"
    np.testing.assert_allclose(back.orbit.time, raw.orbit.time, rtol=0, atol=1e-9)
    np.testing.assert_allclose(back.orbit.position, raw.orbit.position, rtol=0, atol=1e-5)
    np.testing.assert_allclose(back.orbit.velocity, raw.orbit.velocity, rtol=0, atol=1e-8)
    scale = back.source.params["scale"]
    z, got = raw.read(), back.read()
    inside = (np.abs(z.real) < 7.5 * scale) & (np.abs(z.imag) < 7.5 * scale)
    assert inside.mean() > 0.99                       # gain: 3.2 sigma at full scale
    err = np.abs(got - z)[inside]
    assert err.max() <= scale * math.sqrt(0.5) + 1e-5    # half a step in I and in Q
    assert abs(np.mean(got) - np.mean(z)) < 0.05 * scale  # mid-rise: no DC bias


@pytest.mark.parametrize("side", ["right", "left"])
def test_without_the_isce_record_the_coded_values_are_read_as_isce2_would(tmp_path, side):
    raw = make_raw(tmp_path, side=side)
    back = write_rsat1(raw, tmp_path / "a.raw", tmp_path / "a.ldr", isce_record=False)
    assert back.look_side == side                  # from the data set summary's clock angle
    codes = radar_codes(raw)
    tb = (4 + 3 * codes["adc"]) / 129.2683e6
    assert back.range_sampling_rate == pytest.approx(1 / tb, rel=1e-15)
    assert back.prf == pytest.approx(1 / ((2 + codes["prf_code"]) * 6 * tb), rel=1e-15)
    # ISCE2: starting range = c/2 (dwp + gate / PRF - 2 * 2.02 us), gate 8 for beam 3 (S3)
    dwp = (5 + codes["dwp_code"]) * 6 * tb
    assert codes["beam"] == 3
    assert back.starting_range == pytest.approx(0.5 * 299792458.0 * (dwp + 8 / back.prf - 4.04e-6),
                                                abs=1e-6)
    assert abs(back.starting_range - raw.starting_range) <= 3 * back.range_pixel_spacing
    assert back.chirp_slope == -7.214e11 and back.pulse_length == 42e-6
    epoch = DateTime(str(raw.orbit.reference_epoch))
    t_back = DateTime(str(back.orbit.reference_epoch)) + back.sensing_start
    assert abs((t_back - (epoch + raw.sensing_start)).total_seconds()) <= 0.5e-6
    assert back.source.params["scale"] == 1.0 and back.doppler is None
    np.testing.assert_allclose(back.orbit.position, raw.orbit.interpolate(
        back.orbit.time + (DateTime(str(back.orbit.reference_epoch)) - epoch).total_seconds())[0],
        atol=1e-5)


def test_writer_interface_returns_isce2_properties(tmp_path):
    raw = make_raw(tmp_path)
    files = write_radarsat1(raw, tmp_path, "reference")
    assert set(files) == {"IMAGEFILE", "LEADERFILE"}
    back = rs1.read_radarsat1(tmp_path / files["IMAGEFILE"], tmp_path / files["LEADERFILE"])
    assert back.length == LINES and back.width == SAMPLES


# ---------------------------------------------------------------------------- 4-bit samples
def isce2_sample_values(codes):
    """ISCE2's Radarsat1.ImageFile.writeRawData then its I/Q bias 7.5, verbatim."""
    line = np.array(codes, dtype=np.uint8)
    mask = line >= 8
    line[mask] -= 8
    line[np.logical_not(mask)] += 8
    return line.astype(np.float64) - 7.5


def test_4bit_codes_are_twos_complement_decoded_as_isce2():
    codes = np.arange(16, dtype=np.uint8)
    z = rs1.decode_samples(codes[None, :])[0]
    values = np.empty(16)
    values[0::2], values[1::2] = z.real, z.imag
    np.testing.assert_array_equal(values, isce2_sample_values(codes))
    tc = np.where(codes < 8, codes, codes.astype(int) - 16)          # 4-bit two's complement
    np.testing.assert_array_equal(values, tc + 0.5)
    # encoding: every level maps back to its code; values beyond full scale clip
    levels = (tc[0::2] + 0.5) + 1j * (tc[1::2] + 0.5)
    np.testing.assert_array_equal(rs1.encode_samples(levels[None, :] * 2.0, 2.0)[0], codes)
    big = rs1.encode_samples(np.array([[100 - 100j, 0.49 + 0j]]), 1.0)[0]
    assert list(big) == [7, 8, 0, 0]


def test_samples_on_disk_are_one_4bit_code_per_byte(pair):
    raw, back, img, _ = pair
    off, n = records(img)[5]
    data = np.frombuffer(img.read_bytes()[off + rs1.DATA_OFFSET:off + n], np.uint8)
    assert n == rs1.DATA_OFFSET + 2 * SAMPLES and data.max() <= 15
    want = rs1.encode_samples(raw.read(slice(5, 6)), back.source.params["scale"])[0]
    np.testing.assert_array_equal(data, want)


# ---------------------------------------------------------------------------- aux block
def isce2_aux(aux):
    """ISCE2's Radarsat1.ImageFile.extractAUXinformation: its masks and shifts, verbatim but on
    Python ints (ISCE2 writes the byte mask m as np.byte(m), which numpy 2 refuses above 127)."""
    b = [int(x) for x in aux]
    sec = ((b[44] & 31) << 12) | ((b[45] & 255) << 4) | ((b[46] & 240) >> 4)
    millis = ((b[46] & 15) << 6) | ((b[47] & 252) >> 2)
    micros = ((b[47] & 3) << 8) | (b[48] & 255)
    adc_code = (b[22] & 63) >> 4
    prf_code = ((b[25] & 255) << 5) | ((b[26] & 255) >> 3)
    dwp_code = ((b[27] & 255) << 4) | ((b[28] & 240) >> 4)
    beam = int.from_bytes(bytes(b[18:20]), "big")            # struct.unpack(">H", aux[18:20])
    return {"seconds": sec + millis * 1.0e-3 + micros * 1.0e-6, "adc": adc_code, "prf_code": prf_code,
            "dwp_code": dwp_code, "beam": beam, "replica": (b[49] >> 6) & 1}


@pytest.mark.parametrize("seconds,adc,prf,dwp,beam,rep", [
    (50399.975386, 0, 4141, 1025, 3, 0), (0.000001, 1, 8191, 0, 20, 1), (86399.999999, 2, 0, 4095, 1, 1),
    (12345.678901, 0, 1234, 2222, 7, 0)])
def test_aux_block_bits_as_isce2_reads_them(seconds, adc, prf, dwp, beam, rep):
    aux = rs1.encode_aux(1, seconds=seconds, adc=adc, prf_code=prf, dwp_code=dwp, beam=beam,
                         replica=rep)
    theirs = isce2_aux(aux[0].astype(np.uint8))
    ours = {k: v[0] for k, v in rs1.decode_aux(aux).items()}
    assert theirs["seconds"] == pytest.approx(seconds, abs=1e-9)
    for key in ("adc", "prf_code", "dwp_code", "beam", "replica"):
        assert int(theirs[key]) == int(ours[key]) == {"adc": adc, "prf_code": prf, "dwp_code": dwp,
                                                      "beam": beam, "replica": rep}[key], key
    assert ours["seconds"] == pytest.approx(theirs["seconds"], abs=1e-9)


# ---------------------------------------------------------------------------- orbit frame
def usno_gmst_deg(t: DateTime) -> float:
    """GMST by the USNO approximation (0.1 s per century), independent of IAU 1982's form."""
    days = (t - DateTime(2000, 1, 1, 12)).total_seconds() / 86400.0
    return ((18.697374558 + 24.06570982441908 * days) % 24.0) * 15.0


def test_gmst_matches_published_values():
    # Meeus, Astronomical Algorithms, examples 12.a and 12.b (1987 April 10, UT)
    assert rs1.gmst_deg(DateTime(1987, 4, 10)) == pytest.approx((13 + 10 / 60 + 46.3668 / 3600) * 15, abs=2e-6)
    assert rs1.gmst_deg(DateTime(1987, 4, 10, 19, 21)) == pytest.approx((8 + 34 / 60 + 57.0896 / 3600) * 15,
                                                                       abs=2e-6)


def leader_vectors(led):
    """(times [s of day], inertial positions [m], velocities [m/s], GHA [deg], day, frame text)
    straight from the platform position record."""
    with CeosReader(led, "leader file") as rd:
        rd.read(rs1.LEADER_FDR)
        rd.read(rs1.DATA_SET_SUMMARY, length=rs1.DATA_SET_SUMMARY_BYTES)
        rec = rd.read(rs1.PLATFORM_POSITION)
    v = rec.values
    svs = v["state_vectors"]
    pos = np.array([[s[f"position_{a}"] for a in "xyz"] for s in svs])
    vel = np.array([[s[f"velocity_{a}"] for a in "xyz"] for s in svs]) / 1000.0
    t = v["seconds_of_day"] + v["interval"] * np.arange(len(svs))
    return t, pos, vel, v["greenwich_hour_angle"], DateTime(v["year"], v["month"], v["day"]), v["reference_system"]


def test_leader_holds_inertial_vectors_converted_as_an_independent_rotation_does(pair):
    raw, back, _, led = pair
    t, pos, vel, gha, day, frame = leader_vectors(led)
    assert "INERTIAL" in frame
    # the hour angle is the Greenwich sidereal time of the first vector (0.1 s of time)
    assert gha == pytest.approx(usno_gmst_deg(day + t[0]), abs=0.1 / 240)
    # inertial frame: the orbit's angular momentum keeps its direction (Earth-fixed: it turns
    # with the Earth, by w dt sin(inclination))
    def turn(p, v):
        h = np.cross(p, v)
        h /= np.linalg.norm(h, axis=1)[:, None]
        return float(np.arccos(np.clip(np.dot(h[0], h[-1]), -1, 1)))
    assert turn(pos, vel) < 2e-5
    assert turn(back.orbit.position, back.orbit.velocity) > 1e-3
    # independent conversion: scipy's rotation by the USNO sidereal time, v_ecef = R v - w x r
    w = 7.2921158553e-5
    theta = np.radians([usno_gmst_deg(day + ti) for ti in t])
    rot = Rotation.from_euler("z", -theta[:, None])
    r_ecef = rot.apply(pos)
    v_ecef = rot.apply(vel) - np.cross([0, 0, w], r_ecef)
    epoch_shift = (day - DateTime(str(back.orbit.reference_epoch))).total_seconds()
    np.testing.assert_allclose(back.orbit.time, t + epoch_shift, atol=1e-9)
    np.testing.assert_allclose(back.orbit.position, r_ecef, atol=1.0)          # 0.1 s of time
    np.testing.assert_allclose(back.orbit.velocity, v_ecef, atol=1e-3)
    np.testing.assert_allclose(back.orbit.position, raw.orbit.position, atol=1e-5)


def test_eci_ecef_round_trip_and_isce2_rate():
    assert rs1.EARTH_ROTATION == pytest.approx(7.2921151467e-5, rel=1e-8)   # WGS84
    rng = np.random.default_rng(3)
    t = np.linspace(0, 600, 7)
    p, v = rng.normal(size=(7, 3)) * 7e6, rng.normal(size=(7, 3)) * 7e3
    p2, v2 = rs1.eci_to_ecef(t, *rs1.ecef_to_eci(t, p, v, 123.4, 0.0), 123.4, 0.0)
    np.testing.assert_allclose(p2, p, atol=1e-7)
    np.testing.assert_allclose(v2, v, atol=1e-10)


def test_leader_vectors_8_minutes_apart_give_the_orbit_within_a_metre(tmp_path):
    """RADARSAT-1 leaders give a vector every 480 s: rotated to Earth-fixed and interpolated
    (4-vector Hermite) half-way between two vectors, the orbit is within 1 m / 1 mm/s of
    the simulator's own (1-s) orbit."""
    radar = preset("RADARSAT1")
    raw = make_raw(tmp_path, duration_s=14 * 480.0, spacing_s=480.0, shift_s=250.0)  # between vectors
    dense, _ = orbit_over(LAT, LON, radar.look_angle, "right", radar.altitude, radar.inclination,
                          time="2004-06-01T14:00:00", ascending=True, duration_s=14 * 480.0,
                          spacing_s=1.0)
    back = write_rsat1(raw, tmp_path / "s.raw", tmp_path / "s.ldr")
    assert len(leader_vectors(tmp_path / "s.ldr")[0]) == 15 and len(back.orbit.time) == 15
    ts = raw.sensing_start + np.linspace(0, (LINES - 1) / raw.prf, 9)
    p, v = back.orbit.interpolate(ts)
    p0, v0 = dense.interpolate(ts)
    assert np.max(np.linalg.norm(p - p0, axis=1)) < 1.0
    assert np.max(np.linalg.norm(v - v0, axis=1)) < 1e-3


# ---------------------------------------------------------------------------- focusing
def test_point_target_focused_from_the_4bit_file_as_from_the_float_echoes(tmp_path, monkeypatch):
    """One point target: focused from the float echoes and from the 4-bit RADARSAT-1 file,
    the peaks agree within 0.01 pixel and 0.05 rad, the peak-to-clutter ratio within 1 dB."""
    monkeypatch.setenv("ISCE_FFTW_PLANNER", "estimate")
    monkeypatch.setenv("ISCE_FFTW_WISDOM", str(tmp_path / "wisdom"))
    from isce.focus import focus
    from isce.simulate import simulate_point_targets, target_truth

    radar = preset("RADARSAT1")
    orbit, tzd = orbit_over(LAT, LON, radar.look_angle, "right", radar.altitude, radar.inclination,
                            time="2004-06-01T14:00:00", duration_s=30.0, spacing_s=1.0)
    targets = [(LAT, LON, 0.0, 1.0)]
    tr = target_truth(targets, orbit, radar.wavelength, "right")[0]
    dr = radar.range_pixel_spacing
    half = int(radar.pulse_length * radar.range_sampling_rate) // 2 + 1
    r0 = tr["slant_range"] - (half + 64) * dr
    pulses = 1536
    raw = simulate_point_targets(orbit, radar, targets, length=pulses,
                                 sensing_start=tr["azimuth_time"] - 0.5 * pulses / radar.prf,
                                 starting_range=r0, width=2 * half + 128, noise_power=0.01,
                                 output=str(tmp_path / "float.raw"))
    rsat = write_rsat1(raw, tmp_path / "pt.raw", tmp_path / "pt.ldr")
    peaks = []
    for product in (raw, rsat):
        slc = focus(product, str(tmp_path / f"{len(peaks)}.slc"), doppler=raw.doppler).product
        image = slc.read()
        g = slc.radar_grid
        line = (tr["azimuth_time"] - g.sensing_start) * g.prf
        pixel = (tr["slant_range"] - g.starting_range) / g.range_pixel_spacing
        peaks.append(_peak(image, line, pixel))
    (l1, p1, a1, ph1, c1), (l2, p2, a2, ph2, c2) = peaks
    print(f"float: line {l1:.5f} pixel {p1:.5f}; 4-bit: line {l2:.5f} pixel {p2:.5f}; "
          f"phase diff {ph2 - ph1:+.2e} rad; peak/clutter {c1:.1f} vs {c2:.1f} dB")
    assert abs(l1 - l2) < 0.01 and abs(p1 - p2) < 0.01
    assert abs(np.angle(np.exp(1j * (ph2 - ph1)))) < 0.05
    assert abs(c1 - c2) < 1.0


def _peak(image, line, pixel, size=32, factor=16):
    """(line, pixel, amplitude, phase, peak-to-mean-clutter [dB]) of the peak near (line,
    pixel), by FFT oversampling of a chip."""
    l0, p0 = int(round(line)) - size // 2, int(round(pixel)) - size // 2
    chip = image[l0:l0 + size, p0:p0 + size].astype(np.complex128)
    spec = np.fft.fftshift(np.fft.fft2(chip))
    big = np.zeros((size * factor, size * factor), np.complex128)
    o = size * factor // 2 - size // 2
    big[o:o + size, o:o + size] = spec
    up = np.fft.ifft2(np.fft.ifftshift(big))
    power = np.abs(up) ** 2
    i, j = np.unravel_index(int(np.argmax(power)), up.shape)

    def vertex(y):                     # parabola through three samples around the maximum
        return 0.5 * (y[0] - y[2]) / (y[0] - 2 * y[1] + y[2])
    di, dj = vertex(power[i - 1:i + 2, j]), vertex(power[i, j - 1:j + 2])
    clutter = np.mean(np.abs(image[l0 - 200:l0 - 100, :]) ** 2)
    return (l0 + (i + di) / factor, p0 + (j + dj) / factor, float(np.abs(up[i, j])), float(np.angle(up[i, j])),
            10 * np.log10(np.max(np.abs(chip)) ** 2 / clutter))


# ---------------------------------------------------------------------------- block reads
def test_a_block_read_touches_only_its_records(pair):
    """A 4-bit code out of range in line 40 is found only when line 40 is read."""
    raw, back, img, _ = pair
    off, n = records(img)[40]
    patch(img, off + rs1.DATA_OFFSET + 7, b"\xff")
    rs1._index.cache_clear()
    np.testing.assert_array_equal(back.read(slice(0, 40)), write_rsat1(
        raw, img.parent / "clean.raw", img.parent / "clean.ldr").read(slice(0, 40)))
    back.read(slice(41, 64))
    with pytest.raises(InputError) as e:
        back.read(slice(32, 48))
    msg = str(e.value)
    assert str(img) in msg and "record 42" in msg and f"byte offset {off}" in msg
    assert f"file byte offset {off + rs1.DATA_OFFSET + 7}" in msg and "not a 4-bit sample" in msg


# ---------------------------------------------------------------------------- quirks
def test_replicas_missing_lines_and_window_moves(tmp_path):
    raw = make_raw(tmp_path)
    ref = write_rsat1(raw, tmp_path / "ref.raw", tmp_path / "ref.ldr")
    odd = write_rsat1(raw, tmp_path / "odd.raw", tmp_path / "odd.ldr", replica_lines=[3, 10, 30],
                      missing_lines=[5, 6, 7], window_steps={20: 2, 50: -1})
    assert odd.length == LINES and odd.width == SAMPLES and odd.attributes["records"] == LINES - 3
    lens = [n for _, n in records(tmp_path / "odd.raw")]
    rep = rs1.replica_bytes(0)
    assert rep == 2 * 1440 and lens[3] == rs1.DATA_OFFSET + 2 * SAMPLES + rep  # 44.559 us at 32.317 MHz
    a, b = ref.read(), odd.read()
    np.testing.assert_array_equal(b[:5], a[:5])
    np.testing.assert_array_equal(b[5:8], 0)                           # missing: zeros
    np.testing.assert_array_equal(b[8:20], a[8:20])                    # replica at 10 removed
    np.testing.assert_array_equal(b[20:50, 12:], a[20:50, 12:])        # window 12 samples later
    np.testing.assert_array_equal(b[20:50, :12], 0)
    np.testing.assert_array_equal(b[50:, :SAMPLES - 6], a[50:, :SAMPLES - 6])  # 6 samples earlier:
    np.testing.assert_array_equal(b[50:, SAMPLES - 6:], 0)             # the far end is not recorded


def aux_offset(img, k, byte):
    off, _ = records(img)[k]
    return off + rs1.PREFIX_BYTES + byte


def test_prf_change_within_the_scene_is_refused(pair):
    raw, back, img, led = pair
    a = img.read_bytes()[aux_offset(img, 30, 0):aux_offset(img, 30, 50)]
    d = rs1.decode_aux(np.frombuffer(a, np.uint8)[None, :])
    new = rs1.encode_aux(1, seconds=d["seconds"], adc=0, prf_code=int(d["prf_code"][0]) + 1,
                         dwp_code=d["dwp_code"], beam=3, replica=0)
    patch(img, aux_offset(img, 30, 0), new.tobytes())
    with pytest.raises(InputError) as e:
        rs1.read_radarsat1(img, led)
    off, _ = records(img)[30]
    msg = str(e.value)
    assert str(img) in msg and "record 32" in msg and f"byte offset {off + rs1.PREFIX_BYTES + 25}" in msg
    assert "PRF code changes" in msg and "cannot be processed as one" in msg


def test_a_gap_of_126_lines_is_refused_and_repeated_times_dropped(tmp_path):
    raw = make_raw(tmp_path, lines=200)
    ok = write_rsat1(raw, tmp_path / "a.raw", tmp_path / "a.ldr", missing_lines=range(10, 134))
    assert ok.length == 200 and ok.attributes["records"] == 76        # a gap of 125 PRIs: filled
    with pytest.raises(InputError, match=r"record 12 .*a gap of 126 PRIs"):
        write_rsat1(raw, tmp_path / "b.raw", tmp_path / "b.ldr", missing_lines=range(10, 135))
    # a record repeating its predecessor's time is dropped (ISCE2 writes nothing for it)
    img = tmp_path / "a.raw"
    src = img.read_bytes()[aux_offset(img, 2, 44):aux_offset(img, 2, 49)]
    patch(img, aux_offset(img, 3, 44), src)
    rs1._index.cache_clear()
    back = rs1.read_radarsat1(img, tmp_path / "a.ldr")
    assert back.length == 200 and np.all(back.read(slice(3, 4)) == 0)


# ---------------------------------------------------------------------------- corrupt copies
def test_truncated_image_file_names_record_and_byte(pair, tmp_path):
    _, _, img, led = pair
    recs = records(img)
    cut = tmp_path / "cut.raw"
    cut.write_bytes(img.read_bytes()[:recs[20][0] + 100])
    with pytest.raises(InputError) as e:
        rs1.read_radarsat1(cut, led)
    msg = str(e.value)
    assert str(cut) in msg and "record 22 (signal data)" in msg and f"byte offset {recs[20][0]}" in msg
    assert "truncated" in msg and "100 bytes of it present" in msg


@pytest.mark.parametrize("where,data,words", [
    ("seq", (99).to_bytes(4, "big"), ["record 12", "sequence number is 99, expected 12"]),
    ("type", b"\x07", ["record 12", "record type code (byte 6) is 7"]),
    ("length", (100).to_bytes(4, "big"), ["record 12", "record length field (bytes 9-12) is 100"]),
])
def test_corrupt_signal_record_header(pair, where, data, words):
    _, _, img, led = pair
    off, _ = records(img)[10]
    patch(img, off + {"seq": 0, "type": 5, "length": 8}[where], data)
    with pytest.raises(InputError) as e:
        rs1.read_radarsat1(img, led)
    msg = str(e.value)
    assert str(img) in msg and f"byte offset {off}" in msg
    for w in words:
        assert w in msg


def test_corrupt_leader(pair, tmp_path):
    _, _, img, led = pair
    data = bytearray(led.read_bytes())
    bad = tmp_path / "bad.ldr"
    # the data set summary's type code
    data[720 + 5] = 99
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"bad.ldr: record 2 \(data set summary\) at byte offset 720: "
                                         r"record type code \(byte 6\) is 99, expected 10"):
        rs1.read_radarsat1(img, bad)
    # truncated inside the platform position record
    plat = 720 + rs1.DATA_SET_SUMMARY_BYTES
    bad.write_bytes(led.read_bytes()[:plat + 500])
    with pytest.raises(InputError, match=rf"record 3 \(platform position\) at byte offset {plat}: truncated"):
        rs1.read_radarsat1(img, bad)
    # an Earth-fixed frame is not what a RADARSAT-1 leader holds
    data = bytearray(led.read_bytes())
    f = rs1.PLATFORM_POSITION.field("reference_system")
    data[plat + f.offset:plat + f.offset + 64] = b"EARTH FIXED (ECEF)".ljust(64)
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError, match=rf"record 3 \(platform position\) at byte offset "
                                         rf"{plat + f.offset}: .*reference_system.*inertial"):
        rs1.read_radarsat1(img, bad)
    # blank hour angle
    data = bytearray(led.read_bytes())
    f = rs1.PLATFORM_POSITION.field("greenwich_hour_angle")
    data[plat + f.offset:plat + f.offset + 22] = b" " * 22
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"greenwich_hour_angle.* is blank"):
        rs1.read_radarsat1(img, bad)


def test_image_of_another_scene_is_refused(tmp_path):
    a = make_raw(tmp_path, seed=1)
    b = make_raw(tmp_path, seed=2, time="2004-06-25T14:00:00")
    write_rsat1(a, tmp_path / "a.raw", tmp_path / "a.ldr")
    write_rsat1(b, tmp_path / "b.raw", tmp_path / "b.ldr")
    with pytest.raises(InputError, match="are not of the same scene: sensing start"):
        rs1.read_radarsat1(tmp_path / "b.raw", tmp_path / "a.ldr")


def header_only(img, dst):
    dst.write_bytes(img.read_bytes()[:rs1.IMAGE_FDR_BYTES])
    return dst


def test_header_without_image_lines_is_no_image_data(pair, tmp_path):
    _, _, img, led = pair
    empty = header_only(img, tmp_path / "empty.raw")
    with pytest.raises(InputError, match=r"empty.raw: no image data"):
        rs1.read_radarsat1(empty, led)


def test_insarapp_refuses_a_header_without_image_lines(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    raw = make_raw(folder)
    files = {n: write_radarsat1(raw, folder, n) for n in ("reference", "secondary")}
    empty = header_only(folder / files["secondary"]["IMAGEFILE"], folder / "empty.raw")

    def date(role, image, leader):
        return (f'<component name="{role}"><property name="IMAGEFILE">{image}</property>'
                f'<property name="LEADERFILE">{leader}</property></component>')
    xml = tmp_path / "insarApp.xml"
    xml.write_text('<insarApp><component name="insar">'
                   '<property name="sensor name">RADARSAT1</property>'
                   + date("reference", folder / files["reference"]["IMAGEFILE"],
                          folder / files["reference"]["LEADERFILE"])
                   + date("secondary", empty, folder / files["secondary"]["LEADERFILE"])
                   + "</component></insarApp>\n")
    wd, proc = run(tmp_path, xml)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "insarApp.py:" in line]
    assert len(errors) == 1 and "no image data" in errors[0] and str(empty) in errors[0], proc.stderr


# ---------------------------------------------------------------------------- component
def test_radarsat1_is_registered_and_configured_with_isce2_names(pair, tmp_path):
    _, back, img, led = pair
    sensor = isce.sensors.create("RADARSAT1")
    assert isinstance(sensor, rs1.Radarsat1)
    sensor.imagefile, sensor.leaderfile = str(img), str(led)
    product = sensor.parse()
    assert product.length == back.length and product.prf == back.prf
    assert {p.public_name for p in rs1.Radarsat1.parameters} >= {"IMAGEFILE", "LEADERFILE", "PARFILE"}
    sensor.parfile = str(tmp_path / "scene.par")
    with pytest.raises(ConfigurationError, match="PARFILE .*not supported"):
        sensor.parse()


def test_raw_product_saved_elsewhere_decodes(pair, tmp_path):
    """A saved product names its decoder kind; a process that never imported the reader
    decodes it (raw._DECODER_MODULES)."""
    _, back, _, _ = pair
    back.save(tmp_path / "p.json")
    code = ("import sys, numpy as np; from isce.sensors.raw import RawProduct; "
            "p = RawProduct.load(sys.argv[1]); assert 'isce.sensors.radarsat1' not in sys.modules; "
            "np.save(sys.argv[2], p.read(slice(3, 9)))")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p.json"), str(tmp_path / "z.npy")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "z.npy"), back.read(slice(3, 9)))


def test_writer_refuses_what_radarsat1_cannot_code(tmp_path):
    raw = make_raw(tmp_path)
    from dataclasses import replace
    with pytest.raises(ValueError, match="not one of RADARSAT-1's"):
        radar_codes(replace(raw, range_sampling_rate=30e6))
    with pytest.raises(ValueError, match="cannot be coded"):
        radar_codes(replace(raw, starting_range=100e3))


def test_copy_of_pair_in_other_folder_reads_the_same(pair, tmp_path):
    _, back, img, led = pair
    d = tmp_path / "copy"
    d.mkdir()
    shutil.copy(img, d / "x.raw")
    shutil.copy(led, d / "x.ldr")
    other = rs1.read_radarsat1(d / "x.raw", d / "x.ldr")
    np.testing.assert_array_equal(other.read(), back.read())


def test_example_names_each_date_by_its_image_and_leader(tmp_path):
    """examples/radarsat1/insarApp.xml is understood (RADARSAT1, IMAGEFILE/LEADERFILE per
    date): without the data, preprocess refuses the reference's missing leader in one line."""
    example = Path(__file__).resolve().parents[2] / "examples" / "radarsat1" / "insarApp.xml"
    shutil.copy(example, tmp_path / "insarApp.xml")
    proc = run_command("insarApp.py", "insarApp.xml", cwd=tmp_path)
    errors = [line for line in proc.stderr.splitlines() if "insarApp.py:" in line]
    assert proc.returncode == 2 and len(errors) == 1, proc.stderr
    assert "data/20041017.ldr: no such file (leader file)" in errors[0], errors[0]


def test_a_failed_rewrite_leaves_the_previous_pair_whole(pair, tmp_path):
    """Another product written over a pair, whose echoes cannot be read, changes neither
    file: the image is written before the leader (a new leader beside the old image would
    read as a complete, wrong product)."""
    raw, _, img, led = pair
    before = (img.read_bytes(), led.read_bytes())
    other = dataclasses.replace(raw, sensing_start=raw.sensing_start + 1.0,
                                source=RawSource("raster", str(tmp_path / "missing.raw")))
    with pytest.raises(RasterError, match="missing.raw"):
        write_rsat1(other, img, led, scale=1.0)
    assert (img.read_bytes(), led.read_bytes()) == before
