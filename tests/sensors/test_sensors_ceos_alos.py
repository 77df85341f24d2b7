"""ALOS PALSAR level-1.0 CEOS raw data: write -> read round trips, the record structure checked
byte by byte against JAXA's layout, corrupted copies, and the ``ALOS`` sensor configured from XML.

No shared data needed: the files are written here from a synthetic RawProduct.
"""
import json
import struct
import textwrap

import numpy as np
import pytest

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit
from isce.framework import Application, CommandLine, ConfigurationError, Facility, InputError, Parameter
from isce.sensors.alos_ceos import Alos, quantize, read_alos_ceos
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate.alos_ceos import write_ceos

EPOCH = "2011-01-13T02:33:00.123456789"
L, W = 48, 80
PRF = 2150.538
R0 = 847166.123456
FS = 16e6
RECLEN = 412 + 2 * W


def make_orbit(n=12, dt=10.0, t0=-30.0, uneven=False):
    """A circular polar-ish orbit in ECEF (Earth rotation ignored), ``n`` vectors."""
    t = t0 + dt * np.arange(n)
    if uneven:
        t = t + np.where(np.arange(n) % 2 == 1, 1.7, 0.0)
    r, w, inc = 7.07e6, 7.56e3 / 7.07e6, np.radians(98.0)
    u = w * t + 0.3
    x, y = r * np.cos(u), r * np.sin(u)
    pos = np.stack([x, y * np.cos(inc), y * np.sin(inc)], axis=1)
    vx, vy = -r * w * np.sin(u), r * w * np.cos(u)
    vel = np.stack([vx, vy * np.cos(inc), vy * np.sin(inc)], axis=1)
    return Orbit(t, pos, vel, EPOCH)


def make_raw(folder, *, orbit=None, side="right", pol="HH", seed=3, length=L, width=W, amplitude=4.0,
             doppler=None):
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal((length, width)) + 1j * rng.standard_normal((length, width))) * amplitude
    path = folder / "echo.raw"
    isce.io.write(str(path), z.astype(np.complex64))
    return RawProduct(orbit=orbit or make_orbit(), sensing_start=12.345678912, prf=PRF,
                      starting_range=R0, range_sampling_rate=FS, length=length, width=width,
                      wavelength=0.2360571, look_side=side, chirp_slope=-5.185185185185e11,
                      pulse_length=27e-6, source=RawSource("raster", str(path)), doppler=doppler,
                      antenna_length=8.9, platform="ALOS", mission="ALOS", polarization=pol,
                      attributes={"scene_id": "TEST SCENE", "note": [1, 2]})


@pytest.fixture
def pair(tmp_path):
    raw = make_raw(tmp_path)
    img, led = tmp_path / "IMG-HH-ALPSRPTEST-H1.0__A", tmp_path / "LED-ALPSRPTEST-H1.0__A"
    back = write_ceos(raw, img, led)
    return raw, back, img, led


SCALARS = ("sensing_start", "prf", "starting_range", "range_sampling_rate", "length", "width",
           "wavelength", "look_side", "chirp_slope", "pulse_length", "antenna_length", "platform",
           "mission", "polarization")


def assert_same_orbit(a: Orbit, b: Orbit):
    # the platform position record holds 16 significant digits (F22, E-format)
    assert a.reference_epoch == b.reference_epoch
    np.testing.assert_allclose(a.time, b.time, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.position, b.position, rtol=0, atol=1e-6)
    np.testing.assert_allclose(a.velocity, b.velocity, rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------- round trip
def test_round_trip_metadata_and_echoes(pair):
    raw, back, img, led = pair
    for name in SCALARS:
        assert getattr(back, name) == getattr(raw, name), name
    assert back.doppler is None
    assert_same_orbit(back.orbit, raw.orbit)
    assert back.attributes["scene_id"] == "TEST SCENE" and back.attributes["note"] == [1, 2]
    assert back.source.kind == "ceos" and back.source.path == str(img)
    z = raw.read()
    scale = back.attributes["ceos_scale"]
    peak = max(np.abs(z.real).max(), np.abs(z.imag).max())
    assert scale == pytest.approx(peak / 15.5, rel=1e-12)          # the 5-bit range, no clipping
    e = back.read()
    assert e.dtype == np.complex64 and e.shape == (L, W)
    step = scale                                                   # one quantisation level
    assert np.abs(e.real - z.real).max() <= step / 2 * (1 + 1e-5)
    assert np.abs(e.imag - z.imag).max() <= step / 2 * (1 + 1e-5)
    levels = e.real / scale + 15.5
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-4)
    assert levels.min() >= 0 and levels.max() <= 31
    # reading a part, and reading again from the files
    np.testing.assert_array_equal(back.read(slice(5, 9)), e[5:9])
    np.testing.assert_array_equal(back.read(slice(3, 20, 4)), e[3:20:4])
    again = read_alos_ceos(img, led)
    assert again.to_dict() == back.to_dict()


def test_round_trip_left_looking_vv_with_doppler_and_given_scale(tmp_path):
    from isce.core.doppler import constant_doppler

    raw = make_raw(tmp_path, side="left", pol="VV", doppler=constant_doppler(123.25))
    back = write_ceos(raw, tmp_path / "IMG", tmp_path / "LED", scale=0.25)
    assert back.look_side == "left" and back.polarization == "VV"
    assert back.doppler.to_dict() == raw.doppler.to_dict()
    assert back.attributes["ceos_scale"] == 0.25
    e, z = back.read(), raw.read()
    assert np.abs(e.real).max() == pytest.approx(15.5 * 0.25)      # clipped at the 5-bit range
    inside = np.abs(z.real) < 15 * 0.25
    assert np.abs(e.real - z.real)[inside].max() <= 0.125 * (1 + 1e-5)


def test_quantize_is_mid_rise_with_bias_15_5():
    x = np.array([[-16.0, -15.5, -0.01, 0.0, 0.49, 15.49, 15.5, 99.0]]) * (1 + 0j)
    codes = quantize(x, 1.0)[0, 0::2]
    assert codes.tolist() == [0, 0, 15, 16, 16, 31, 31, 31]


def test_jaxa_orbit_of_28_vectors_every_60_s_gives_the_4680_byte_record(tmp_path):
    raw = make_raw(tmp_path, orbit=make_orbit(n=28, dt=60.0, t0=-800.0))
    back = write_ceos(raw, tmp_path / "IMG", tmp_path / "LED")
    led = (tmp_path / "LED").read_bytes()
    off = 720 + 4096
    assert struct.unpack(">I4BI", led[off:off + 12]) == (3, 18, 30, 18, 20, 4680)
    assert int(led[off + 140:off + 144]) == 28 and float(led[off + 182:off + 204]) == 60.0
    assert_same_orbit(back.orbit, raw.orbit)


def test_uneven_state_vectors_are_resampled(tmp_path):
    orbit = make_orbit(uneven=True)
    raw = make_raw(tmp_path, orbit=orbit)
    back = write_ceos(raw, tmp_path / "IMG", tmp_path / "LED")
    assert len(back.orbit) == len(orbit)
    steps = np.diff(back.orbit.time)
    np.testing.assert_allclose(steps, steps[0], atol=1e-9)
    t = np.linspace(orbit.start_time + 5, orbit.end_time - 5, 7)
    p0, v0 = orbit.interpolate(t)
    p1, v1 = back.orbit.interpolate(t)
    assert np.abs(p1 - p0).max() < 1e-3 and np.abs(v1 - v0).max() < 1e-5


def test_reading_a_jaxa_style_pair_without_the_isce_record(pair, tmp_path):
    """Only the standard fields: values to the precision JAXA's fields carry."""
    raw, back, img, led = pair
    data = bytearray(led.read_bytes())
    k = data.find(b"ISCE RAW PARAMETERS")
    data[k:k + 4] = b"JAXA"
    plain = tmp_path / "LED-plain"
    plain.write_bytes(bytes(data))
    p = read_alos_ceos(img, plain)
    assert p.prf == PRF                                   # mHz field
    assert p.starting_range == round(R0)                  # whole metres
    assert p.range_sampling_rate == FS
    assert p.wavelength == pytest.approx(raw.wavelength, abs=1e-13)
    assert p.pulse_length == pytest.approx(27e-6, rel=1e-12)
    assert p.chirp_slope == pytest.approx(raw.chirp_slope, rel=1e-9)
    assert p.look_side == "right" and p.polarization == "HH" and p.doppler is None
    assert p.attributes["ceos_scale"] == 1.0              # raw counts minus the bias
    # times on midnight of the orbit's day; the first pulse from the millisecond tags
    assert str(p.orbit.reference_epoch) == "2011-01-13T00:00:00.000000000"
    shift = (np.datetime64(EPOCH) - p.orbit.reference_epoch).astype(np.int64) / 1e9
    assert abs(p.sensing_start - (raw.sensing_start + shift)) < 1 / PRF / 32
    np.testing.assert_allclose(p.orbit.time, raw.orbit.time + shift, atol=1e-9)
    e = p.read()
    np.testing.assert_allclose(e * back.attributes["ceos_scale"], back.read(), rtol=1e-6)


@pytest.mark.parametrize("jaxa", [False, True])
@pytest.mark.parametrize("shift_s, words", [
    (1.0, ["the leader's scene centre time 2011-01-13T02:33:13"]),                # the next frame
    (46 * 86400.0, ["lie outside the leader's state vectors (2011-02-28T",      # a later cycle
                    "the leader's scene centre time 2011-02-28T02:33:12"]),
])
def test_image_file_with_another_scenes_leader_is_refused(pair, tmp_path, shift_s, words, jaxa):
    """The IMG of one scene with the LED of a scene ``shift_s`` later: InputError naming both
    files and what disagrees, from the standard fields alone (``jaxa``: no ISCE record) or
    also from the ISCE record's first pulse time."""
    from dataclasses import replace

    raw, _, img, _ = pair
    folder = tmp_path / "other"
    folder.mkdir()
    other = replace(make_raw(folder), sensing_start=raw.sensing_start + shift_s,
                    orbit=make_orbit(t0=-30.0 + shift_s))
    led = folder / "LED-ALPSRPOTHER-H1.0__A"
    write_ceos(other, folder / "IMG-HH-ALPSRPOTHER-H1.0__A", led)
    if jaxa:
        data = bytearray(led.read_bytes())
        k = data.find(b"ISCE RAW PARAMETERS")
        data[k:k + 4] = b"JAXA"
        led.write_bytes(bytes(data))
    else:
        words = [*words, "the first pulse is at 2011-", "in the leader's ISCE RAW PARAMETERS record"]
    with pytest.raises(InputError) as err:
        read_alos_ceos(img, led)
    msg = str(err.value)
    assert msg.startswith(f"image file {img} and leader file {led} are not of the same scene: ")
    for word in words:
        assert word in msg, (word, msg)
    assert ("ISCE RAW PARAMETERS" in msg) != jaxa


# ---------------------------------------------------------------------------- the bytes
def _i(buf, off, n):
    return int(buf[off:off + n])


def _f(buf, off, n):
    return float(buf[off:off + n])


def _a(buf, off, n):
    return buf[off:off + n].decode("ascii").strip()


def test_image_file_structure_field_by_field(pair):
    raw, back, img, _ = pair
    b = img.read_bytes()
    assert len(b) == 720 + L * RECLEN
    # file descriptor record
    assert struct.unpack(">I4BI", b[:12]) == (1, 50, 192, 18, 18, 720)
    assert _a(b, 16, 12) == "CEOS-SAR-CCT"
    assert (_a(b, 64, 4), _i(b, 68, 8), _i(b, 76, 4)) == ("FSEQ", 1, 4)
    assert (_a(b, 80, 4), _i(b, 84, 8), _i(b, 92, 4)) == ("FTYP", 5, 4)
    assert (_a(b, 96, 4), _i(b, 100, 8), _i(b, 108, 4)) == ("FLGT", 9, 4)
    assert (_i(b, 180, 6), _i(b, 186, 6)) == (L, RECLEN)
    assert (_i(b, 216, 4), _i(b, 220, 4), _i(b, 224, 4)) == (8, 2, 2)
    assert (_i(b, 232, 4), _i(b, 236, 8), _i(b, 248, 8)) == (1, L, W)
    assert (_i(b, 276, 4), _i(b, 280, 8), _i(b, 288, 4)) == (412, 2 * W, 0)
    assert [_a(b, o, 8) for o in (296, 304, 312, 320, 328)] == [
        "13 4PB", "49 2PB", "45 4PB", "21 4PB", "29 4PB"]
    assert _a(b, 428, 4) == "CI*1" and _i(b, 440, 8) == 31
    # every signal data record
    epoch = np.datetime64(EPOCH, "ns")
    for i in range(L):
        o = 720 + i * RECLEN
        seq, c1, c2, c3, c4, n = struct.unpack(">I4BI", b[o:o + 12])
        assert (seq, c1, c2, c3, c4, n) == (i + 2, 50, 10, 18, 20, RECLEN)
        line, index, left, pixels, right = struct.unpack(">5i", b[o + 12:o + 32])
        assert (line, index, left, pixels, right) == (i + 1, 1, 0, W, 0)
        year, doy, msec = struct.unpack(">3i", b[o + 36:o + 48])
        t_rx = raw.sensing_start + i / PRF + 2 * R0 / SPEED_OF_LIGHT     # receive window start
        rx = epoch + np.timedelta64(int(round(t_rx * 1e9)), "ns")
        day = rx.astype("datetime64[D]")
        assert (year, doy) == (2011, 13)
        assert msec == int((rx - day).astype(np.int64) // 1_000_000)
        assert struct.unpack(">hhhh", b[o + 48:o + 56]) == (1, 0, 0, 0)
        assert struct.unpack(">i", b[o + 56:o + 60])[0] == round(PRF * 1000)
        assert struct.unpack(">i", b[o + 68:o + 72])[0] == 27000
        assert struct.unpack(">i", b[o + 116:o + 120])[0] == round(R0)
        samples = np.frombuffer(b[o + 412:o + RECLEN], np.uint8)
        assert samples.max() <= 31
    first = np.frombuffer(b[720 + 412:720 + RECLEN], np.uint8)
    np.testing.assert_array_equal(first, quantize(raw.read(slice(0, 1)), back.attributes["ceos_scale"])[0])


def test_leader_file_structure_field_by_field(pair):
    raw, back, _, led = pair
    b = led.read_bytes()
    assert struct.unpack(">I4BI", b[:12]) == (1, 11, 192, 18, 18, 720)
    assert _a(b, 16, 12) == "CEOS-SAR-CCT"
    counts = {name: (_i(b, off, 6), _i(b, off + 6, 6)) for name, off in
              (("dss", 180), ("map", 192), ("platform", 204), ("attitude", 216), ("radiometric", 228),
               ("quality", 252), ("calibration", 336))}
    nsv = len(raw.orbit)
    plat_len = 386 + 132 * nsv + 598
    assert counts == {"dss": (1, 4096), "map": (0, 0), "platform": (1, plat_len),
                      "attitude": (1, 8192), "radiometric": (0, 0), "quality": (0, 0),
                      "calibration": (1, 13212)}
    n_fac, fac_len = _i(b, 420, 6), _i(b, 426, 8)
    assert n_fac == 1
    # the records, in order: sequence numbers, type codes, lengths
    expected = [(2, (18, 10, 18, 20), 4096), (3, (18, 30, 18, 20), plat_len),
                (4, (18, 40, 18, 20), 8192), (5, (18, 120, 18, 20), 13212),
                (6, (18, 200, 18, 20), fac_len)]
    off = 720
    where = {}
    for seq, codes, length in expected:
        s, *c, n = struct.unpack(">I4BI", b[off:off + 12])
        assert (s, tuple(c), n) == (seq, codes, length)
        where[seq] = off
        off += n
    assert off == len(b)
    # data set summary
    d = where[2]
    assert _a(b, d + 396, 16) == "ALOS"
    assert _f(b, d + 476, 8) == 90.0                               # clock angle: right-looking
    assert _f(b, d + 500, 16) == pytest.approx(0.2360571, abs=1e-13)
    assert _a(b, d + 518, 16) == "LINEAR FM CHIRP"
    assert 2 * _f(b, d + 646, 16) == pytest.approx(raw.chirp_slope, rel=1e-9)
    assert _f(b, d + 710, 16) == 16.0
    assert _f(b, d + 726, 16) == pytest.approx(2 * R0 / SPEED_OF_LIGHT * 1e6, abs=1e-9)
    assert _f(b, d + 742, 16) == pytest.approx(27.0, abs=1e-9)
    assert _i(b, d + 798, 8) == 5 and _a(b, d + 806, 12) == "UNIFORM I,Q"
    assert _f(b, d + 818, 16) == _f(b, d + 834, 16) == 15.5
    assert _f(b, d + 934, 16) == pytest.approx(PRF * 1000, abs=1e-6)
    assert _a(b, d + 1094, 16) == "1.0" and _a(b, d + 1110, 32) == "UNPROCESSED SIGNAL DATA"
    # platform position: date, second of day, interval, vectors
    p = where[3]
    assert _i(b, p + 140, 4) == nsv
    assert (_i(b, p + 144, 4), _i(b, p + 148, 4), _i(b, p + 152, 4), _i(b, p + 156, 4)) == (2011, 1, 13, 13)
    first = np.datetime64(EPOCH, "ns") + np.timedelta64(int(raw.orbit.time[0] * 1e9), "ns")
    sod = (first - first.astype("datetime64[D]")).astype(np.int64) / 1e9
    assert _f(b, p + 160, 22) == pytest.approx(sod, abs=1e-9)
    assert _f(b, p + 182, 22) == pytest.approx(10.0, abs=1e-12)
    for k in range(nsv):
        o = p + 386 + 132 * k
        xyz = [_f(b, o + 22 * j, 22) for j in range(6)]
        np.testing.assert_allclose(xyz[:3], raw.orbit.position[k], atol=1e-6)
        np.testing.assert_allclose(xyz[3:], raw.orbit.velocity[k], atol=1e-9)
    # calibration: pulse length [us], bandwidth [MHz], sampling [MHz], replica
    c = where[5]
    assert (_i(b, c + 60, 4), _i(b, c + 64, 4), _i(b, c + 68, 4), _i(b, c + 72, 4)) == (27, 14, 16, 5)
    assert (b[c + 60:c + 64], b[c + 64:c + 68]) == (b"  27", b"  14")
    nrep = _i(b, c + 16, 4)
    rep = np.frombuffer(b[c + 85:c + 85 + 4 * nrep], ">i2").astype(float)
    chirp = raw.chirp()
    assert nrep == chirp.size
    np.testing.assert_allclose(rep[0::2], chirp.real * 1000, atol=0.501)
    np.testing.assert_allclose(rep[1::2], chirp.imag * 1000, atol=0.501)
    # the ISCE facility record
    f = where[6]
    assert _a(b, f + 16, 32) == "ISCE RAW PARAMETERS"
    exact = json.loads(b[f + 56:f + 56 + _i(b, f + 48, 8)])
    assert exact["sensing_start"] == raw.sensing_start and exact["scale"] == back.attributes["ceos_scale"]


# ---------------------------------------------------------------------------- corrupted copies
def _corrupt(path, *, cut=None, at=None, data=None):
    b = bytearray(path.read_bytes())
    if at is not None:
        b[at:at + len(data)] = data
    if cut is not None:
        b = b[:cut]
    path.write_bytes(bytes(b))


IMG_CASES = {
    "truncated mid-record": (dict(cut=720 + 3 * RECLEN + 100), 5, 720 + 3 * RECLEN, "truncated"),
    "truncated at a record boundary": (dict(cut=720 + 7 * RECLEN), 9, 720 + 7 * RECLEN, "truncated"),
    "truncated in the file descriptor": (dict(cut=500), 1, 0, "truncated"),
    "wrong record length (signal)": (dict(at=720 + 2 * RECLEN + 8, data=struct.pack(">I", RECLEN + 2)),
                                     4, 720 + 2 * RECLEN, "record length field"),
    "wrong record length (descriptor)": (dict(at=8, data=struct.pack(">I", 712)), 1, 0,
                                         "record length field"),
    "wrong magic (descriptor codes)": (dict(at=4, data=bytes([63, 192, 18, 18])), 1, 0, "record type codes"),
    "wrong record type code (signal)": (dict(at=720 + 5 * RECLEN + 5, data=bytes([11])), 7,
                                        720 + 5 * RECLEN, "record type codes"),
    "wrong sequence number": (dict(at=720 + 9 * RECLEN, data=struct.pack(">I", 99)), 11,
                              720 + 9 * RECLEN, "record sequence number is 99"),
    "announced record length disagrees": (dict(at=186, data=b"%6d" % (RECLEN - 4)), 1, 0,
                                          "do not add up"),
    "non-numeric field": (dict(at=180, data=b"  12x4"), 1, 0, "field 'n_sar_records'"),
}


@pytest.mark.parametrize("case", list(IMG_CASES))
def test_corrupt_image_file(pair, case):
    _, _, img, led = pair
    changes, record, offset, what = IMG_CASES[case]
    _corrupt(img, **changes)
    with pytest.raises(InputError) as err:
        read_alos_ceos(img, led)
    msg = str(err.value)
    assert msg.startswith(f"{img}: record {record} ") and f"at byte offset {offset}:" in msg, msg
    assert what in msg, msg


LED_DSS, LED_PLAT = 720, 720 + 4096


LED_CASES = {
    "truncated in the platform position record": (dict(cut=LED_PLAT + 1000), 3, LED_PLAT, "truncated"),
    "truncated after the data set summary": (dict(cut=LED_PLAT), 3, LED_PLAT, "truncated"),
    "truncated header": (dict(cut=LED_PLAT + 5), 3, LED_PLAT, "truncated: only 5 byte"),
    "empty": (dict(cut=0), 1, 0, "truncated"),
    "wrong record length (platform)": (dict(at=LED_PLAT + 8, data=struct.pack(">I", 4680)), 3, LED_PLAT,
                                       "record length field"),
    "wrong magic (descriptor)": (dict(at=4, data=bytes([50, 192, 18, 18])), 1, 0, "record type codes"),
    "wrong record type (data set summary)": (dict(at=LED_DSS + 5, data=bytes([20])), 2, LED_DSS,
                                             "record type codes are (18, 20, 18, 20)"),
    "wrong sequence number": (dict(at=LED_PLAT, data=struct.pack(">I", 7)), 3, LED_PLAT,
                              "record sequence number is 7"),
    "garbled number": (dict(at=LED_DSS + 710, data=b"   16.0x00000000"), 2, LED_DSS,
                       "field 'sampling_rate_mhz'"),
    "garbled state vector count": (dict(at=LED_PLAT + 140, data=b"  99"), 3, LED_PLAT, "state_vectors"),
}


@pytest.mark.parametrize("case", list(LED_CASES))
def test_corrupt_leader_file(pair, case):
    _, _, img, led = pair
    changes, record, offset, what = LED_CASES[case]
    _corrupt(led, **changes)
    with pytest.raises(InputError) as err:
        read_alos_ceos(img, led)
    msg = str(err.value)
    assert msg.startswith(f"{led}: record {record} ") and f"at byte offset {offset}:" in msg, msg
    assert what in msg, msg


def test_swapped_files_are_refused(pair):
    _, _, img, led = pair
    with pytest.raises(InputError, match=r"record 1 \(leader file descriptor\) at byte offset 0: "
                                         r"record type codes are \(50, 192, 18, 18\)"):
        read_alos_ceos(led, img)


def test_missing_files(tmp_path, pair):
    _, _, img, led = pair
    with pytest.raises(InputError, match="no such file"):
        read_alos_ceos(tmp_path / "nope", led)
    with pytest.raises(InputError, match="no such file"):
        read_alos_ceos(img, tmp_path / "nope")


def test_damage_after_parsing_is_reported_when_the_echoes_are_read(pair):
    _, back, img, _ = pair
    _corrupt(img, at=720 + 20 * RECLEN + 5, data=bytes([0]))
    back.read(slice(0, 20))                                    # the lines before are fine
    with pytest.raises(InputError, match=rf"record 22 \(signal data\) at byte offset {720 + 20 * RECLEN}"):
        back.read(slice(10, 30))
    _corrupt(img, cut=720 + 30 * RECLEN)
    with pytest.raises(InputError,
                       match=rf"record 32 \(signal data\) at byte offset {720 + 30 * RECLEN}: truncated"):
        back.read()


def test_prf_change_inside_the_file_is_refused(pair):
    _, _, img, led = pair
    _corrupt(img, at=720 + 30 * RECLEN + 56, data=struct.pack(">i", 1000000))
    where = rf"record 32 \(signal data\) at byte offset {720 + 30 * RECLEN}"
    with pytest.raises(InputError, match=where + ": the PRF changes"):
        read_alos_ceos(img, led)


def test_jaxa_line_shifts_and_fill_are_applied(pair, tmp_path):
    """A slant-range change inside the file (JAXA files) shifts the lines; fill pixels read as 0."""
    _, back, img, led = pair
    data = bytearray(led.read_bytes())
    k = data.find(b"ISCE RAW PARAMETERS")
    data[k:k + 4] = b"JAXA"
    plain = tmp_path / "LED-plain"
    plain.write_bytes(bytes(data))
    ref = read_alos_ceos(img, plain).read()
    dr = SPEED_OF_LIGHT / (2 * FS)
    for i in range(30, L):                     # from line 30 the window starts two samples later
        o = 720 + i * RECLEN
        _corrupt(img, at=o + 116, data=struct.pack(">i", round(R0) + round(2 * dr)))
    for i in range(5, 8):                      # lines 5-7: 3 left-fill pixels
        _corrupt(img, at=720 + i * RECLEN + 20, data=struct.pack(">i", 3))
    p = read_alos_ceos(img, plain)
    assert p.source.params["shifts"] == [[0, 0], [30, 2]]
    assert p.source.params["fills"] == [[0, 0, 0], [5, 3, 0], [8, 0, 0]]
    e = p.read()
    np.testing.assert_array_equal(e[:5], ref[:5])
    assert np.all(e[5:8, :3] == 0) and np.array_equal(e[5:8, 3:], ref[5:8, 3:])
    np.testing.assert_array_equal(e[30:, 2:], ref[30:, :-2])
    assert np.all(e[30:, :2] == 0)


# ---------------------------------------------------------------------------- the sensor
def test_alos_is_registered():
    assert "ALOS" in isce.sensors.SENSORS
    reader = isce.sensors.create(" alos ", name="reference")
    assert isinstance(reader, Alos) and reader.family == "sensor"
    assert {"IMAGEFILE", "LEADERFILE", "OUTPUT"} <= set(reader.public_names())
    assert reader.parameter("IMAGEFILE").mandatory and reader.parameter("LEADERFILE").mandatory


def test_alos_configured_from_xml_parses_and_extracts(pair, tmp_path, monkeypatch):
    raw, back, img, led = pair
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    (tmp_path / "in").mkdir()
    img.rename(tmp_path / "in" / img.name)
    led.rename(tmp_path / "in" / led.name)
    (tmp_path / "in" / "insarApp.xml").write_text(textwrap.dedent(f"""
        <insarApp>
          <component name="insar">
            <property name="sensor name">ALOS</property>
            <component name="Master">
              <property name="IMAGEFILE"><value>{img.name}</value></property>
              <property name="LEADERFILE"><value>{led.name}</value></property>
              <property name="OUTPUT">ref/reference.raw</property>
            </component>
          </component>
        </insarApp>"""))

    class InsarLike(Application):
        """Reads one raw product (a test of the sensor facility)."""

        family = "insar"
        instance_name = "insarApp"
        parameters = (Parameter("sensor_name", public_name="sensor name", default="NISAR_SLC"),)
        facilities = (Facility("reference", factory="isce.sensors:create", args=("sensor_name",),
                               kwargs={"name": "reference"}, public_name="Reference",
                               aliases=("Master",)),)

    app = InsarLike()
    app.configure_from(CommandLine.parse([str(tmp_path / "in" / "insarApp.xml")]))
    reader = app.reference
    assert type(reader).__name__ == "Alos"
    assert reader.imagefile == str(tmp_path / "in" / img.name)      # relative to the XML file
    product = reader.parse()
    assert isinstance(product, RawProduct) and product.source.kind == "ceos"
    for name in SCALARS:
        assert getattr(product, name) == getattr(raw, name), name
    out = reader.extract()
    target = tmp_path / "ref" / "reference.raw"               # outputs: relative to the working directory
    assert out.source.kind == "raster" and out.source.path == str(target)
    assert (tmp_path / "ref" / "reference.raw.xml").is_file()
    np.testing.assert_array_equal(out.read(), product.read())
    loaded = RawProduct.load(str(target) + ".json")
    assert loaded.to_dict() == out.to_dict()
    np.testing.assert_array_equal(loaded.read(), product.read())


def test_missing_leaderfile_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    reader = isce.sensors.create("ALOS", name="secondary")
    with pytest.raises(ConfigurationError, match="mandatory"):
        reader.configure()
    reader.imagefile = "x"
    with pytest.raises(ConfigurationError, match="LEADERFILE is not set"):
        reader.parse()


# ---------------------------------------------------------------------------- several frames
FRAME_LINES = 120


@pytest.fixture
def frames(tmp_path):
    """One pass of FRAME_LINES lines written whole and as two overlapping frames (lines
    0..80 and 60..120), all with one quantisation scale: {name: (IMG, LED)} + the raw."""
    from dataclasses import replace

    raw = make_raw(tmp_path, length=FRAME_LINES)
    z = raw.read()
    whole = write_ceos(raw, tmp_path / "IMG-WHOLE", tmp_path / "LED-WHOLE")
    scale = whole.source.params["scale"]
    files = {"whole": (tmp_path / "IMG-WHOLE", tmp_path / "LED-WHOLE")}

    def frame(name, first, last, *, shift_lines=0.0, **changes):
        echo = tmp_path / f"{name}.echo"
        isce.io.write(str(echo), z[first:last])
        part = replace(raw, length=last - first, source=RawSource("raster", str(echo)),
                       sensing_start=raw.sensing_start + (first + shift_lines) / raw.prf, **changes)
        img, led = tmp_path / f"IMG-{name}", tmp_path / f"LED-{name}"
        write_ceos(part, img, led, scale=scale)
        files[name] = (img, led)

    frame("A", 0, 80)
    frame("B", 60, FRAME_LINES)
    frame("C", 90, FRAME_LINES)                                  # 10 lines after A ends
    frame("B_offgrid", 60, FRAME_LINES, shift_lines=0.5)
    frame("B_far", 60, FRAME_LINES, starting_range=R0 + 100.0)
    return files, raw


def test_consecutive_frames_are_concatenated_like_the_whole_pass(frames):
    from isce.sensors.alos_ceos import read_alos_frames

    files, raw = frames
    whole = read_alos_ceos(*files["whole"])
    for order in (("A", "B"), ("B", "A")):                       # sorted by time either way
        both = read_alos_frames([files[k][0] for k in order], [files[k][1] for k in order])
        assert both.source.kind == "ceos_frames"
        assert both.length == FRAME_LINES == whole.length
        for name in SCALARS:
            assert getattr(both, name) == pytest.approx(getattr(whole, name), abs=1e-9), name
        np.testing.assert_array_equal(both.read(), whole.read())
        np.testing.assert_array_equal(both.read(slice(5, 115, 7)), whole.read(slice(5, 115, 7)))
        np.testing.assert_array_equal(both.read(slice(70, 90)), whole.read(slice(70, 90)))
        assert_same_orbit(both.orbit, whole.orbit)
        assert both.attributes["frame_start_lines"] == [0, 60]
    saved = RawProduct.load(both.save(str(files["A"][0].parent / "both.raw.json")))
    np.testing.assert_array_equal(saved.read(slice(50, 100)), whole.read(slice(50, 100)))


@pytest.mark.parametrize("second, words", [
    ("C", ["IMG-A and IMG-C", "a gap of 10 lines"]),
    ("B_offgrid", ["IMG-A and IMG-B_offgrid", "not on one PRF grid", "60.50 lines"]),
    ("B_far", ["IMG-A and IMG-B_far", "starting range"]),
])
def test_frames_that_do_not_continue_each_other_are_refused(frames, second, words):
    from isce.sensors.alos_ceos import read_alos_frames

    files, _ = frames
    with pytest.raises(InputError, match="cannot be concatenated") as err:
        read_alos_frames([files["A"][0], files[second][0]], [files["A"][1], files[second][1]])
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_isce2_list_syntax_configures_several_frames(frames, tmp_path, monkeypatch):
    """ISCE2's ``['IMG-1', 'IMG-2']`` (relative to the XML's folder); lists of unequal
    length are refused while configuring, naming the files."""
    files, _ = frames
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    whole = read_alos_ceos(*files["whole"])

    def reader(images, leaders):
        (tmp_path / "sensor.xml").write_text(
            f'<r><component name="reference"><property name="IMAGEFILE">{images}</property>'
            f'<property name="LEADERFILE">{leaders}</property></component></r>')
        return isce.sensors.create("ALOS", name="reference").configure()

    alos = reader("['IMG-A', \"IMG-B\"]", "['LED-A', 'LED-B']")
    assert alos.imagefile == [str(tmp_path / "IMG-A"), str(tmp_path / "IMG-B")]
    np.testing.assert_array_equal(alos.parse().read(), whole.read())
    single = reader("['IMG-A']", "LED-A")                       # a one-element list: one frame
    assert single.parse().length == 80
    with pytest.raises(ConfigurationError, match=r"2 image file\(s\) \(IMG-A, IMG-B\) but 1 leader "
                                                 r"file\(s\) \(LED-A\)"):
        reader("['IMG-A', 'IMG-B']", "['LED-A']")
    with pytest.raises(ConfigurationError, match="quoted file names"):
        reader("[IMG-A, IMG-B]", "LED-A")
