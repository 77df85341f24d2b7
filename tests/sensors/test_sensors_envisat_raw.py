"""ENVISAT (ASA_IM__0P + ASA_INS_AX + DOR_VOR_AX) and ERS_ENVISAT (SAR_IM__0P): FBAQ 8:4
decoding against asa_im_decode's index mapping and Max's quantiser, files written by
isce.simulate.envisat_raw and read back (metadata within the format's precision, echoes
within the quantisation), packet and record layouts byte by byte, block reads touching only
the asked packets, a point target focused from the 4-bit file as from the float echoes,
damaged copies refused naming file, data set/packet and byte, and the one-line refusals of
insarApp and of the wrong product types (the real ERS N1 header is a PRI)."""
import math
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from isce_commands import run_command

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.focus.rangecomp import range_compress
from isce.focus.rda import focus_azimuth
from isce.framework.errors import ConfigurationError, InputError
from isce.sensors import envisat_raw as er
from isce.sensors.envisat_n1 import open_n1
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate import orbit_over, simulate_point_targets, target_truth
from isce.simulate import envisat_raw as ew
from isce.simulate.radar import envisat_asar_is2, ers_envisat_format

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "focus"))
from focus_helpers import SINC_PSLR_DB, measure_targets  # noqa: E402  (the focusing tests' measure)

LAT, LON = 34.5, -116.5
TARGET = [(LAT, LON, 0.0)]
ASAR = envisat_asar_is2()
ERS = ers_envisat_format()
FS = ASAR.range_sampling_rate


def _orbit(radar, when):
    return orbit_over(LAT, LON, radar.look_angle, "right", radar.altitude, radar.inclination,
                      time=when, duration_s=40, spacing_s=1.0)


def _noise(tmp_path, lines, width, seed=1, band=None, power=None):
    """Complex Gaussian echoes (``band``: fraction of fs kept; ``power``: per-line scale)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((lines, width)) + 1j * rng.standard_normal((lines, width))
    if band is not None:
        spec = np.fft.fft(z, axis=1)
        spec[:, np.abs(np.fft.fftfreq(width)) > band / 2] = 0
        z = np.fft.ifft(spec, axis=1)
    if power is not None:
        z *= power[:, None]
    path = tmp_path / f"echo{seed}.raw"
    isce.io.write(str(path), z.astype(np.complex64))
    return z.astype(np.complex64), RawSource("raster", str(path))


def _asar_product(tmp_path, lines=40, width=200, **kw):
    orbit, tzd = _orbit(ASAR, "2004-07-03T20:53:30")
    z, source = _noise(tmp_path, lines, width, **kw)
    r = target_truth(TARGET, orbit, ASAR.wavelength, "right")[0]["slant_range"]
    return RawProduct(orbit=orbit, sensing_start=tzd - 0.0123456789, prf=ASAR.prf,
                      starting_range=r - 100.123, range_sampling_rate=FS, length=lines,
                      width=width, wavelength=ASAR.wavelength, look_side="right",
                      chirp_slope=ASAR.chirp_slope, pulse_length=ASAR.pulse_length,
                      source=source, antenna_length=10.0, platform="ENVISAT",
                      mission="ENVISAT", polarization="VV"), z


def _written(tmp_path, product=None, **kw):
    product, z = (product, None) if product is not None else _asar_product(tmp_path, **kw)
    props = ew.write_envisat_raw(product, tmp_path, "reference")
    paths = {k: tmp_path / v for k, v in props.items()}
    return product, z, paths


def _read(paths, **override):
    p = {**paths, **override}
    return er.read_envisat_raw(p["IMAGEFILE"], p["INSTRUMENTFILE"], p["ORBITFILE"])


def _sqnr_db(truth, decoded):
    """SQNR [dB] of ``decoded`` against ``truth`` times the best complex gain, and the gain."""
    g = np.vdot(truth, decoded) / np.vdot(truth, truth)
    err = decoded - g * truth
    return 10 * np.log10(np.sum(np.abs(g * truth) ** 2) / np.sum(np.abs(err) ** 2)), g


# ------------------------------------------------------------------ FBAQ 8:4
def test_fbaq_table_follows_asa_im_decode_index_mapping():
    """asa_im_decode fills LUT[i] from the file's table at ii = i (i < 2048) or
    256 (23 - i / 256) + i % 256, and decodes code c of block b as LUT[256 (15 - c) + b]:
    fbaq_table reproduces that for every code and block id."""
    lut = np.arange(4096, dtype=np.float32)
    c_lut = np.empty(4096, np.float32)
    for i in range(4096):
        ii = i if i < 2048 else 256 * (23 - i // 256) + i % 256
        c_lut[i] = lut[ii]
    table = er.fbaq_table(lut)
    for c in range(16):
        for b in (0, 1, 77, 255):
            assert table[c, b] == c_lut[256 * (15 - c) + b]


def test_writer_table_is_max_quantiser_in_sign_magnitude_codes():
    """The instrument file's table: codes 0..7 the positive levels, 8..15 the negative ones
    (sign + magnitude), each Max's 16-level Gaussian quantiser (centroid of its interval)
    times the block's sigma, ids 1/24 octave apart."""
    table = er.fbaq_table(ew.fbaq_lut())
    sig = ew.block_sigmas()
    assert np.allclose(sig[24] / sig[0], 2.0) and np.all(np.diff(sig) > 0)
    assert np.all(np.diff(table[:8, 100]) > 0) and np.all(table[:8, 100] > 0)
    assert np.all(np.diff(table[8:, 100]) < 0) and np.all(table[8:, 100] < 0)
    assert np.allclose(table[8:], -table[:8])
    levels = ew.LLOYD_MAX_16
    edges = np.concatenate([[-np.inf], 0.5 * (levels[1:] + levels[:-1]), [np.inf]])
    from scipy.stats import norm
    centroids = [(norm.pdf(a) - norm.pdf(b)) / (norm.cdf(b) - norm.cdf(a))
                 for a, b in zip(edges[:-1], edges[1:])]
    assert np.allclose(centroids, levels, atol=2e-3)       # Max (1960): MSE-optimal levels
    assert np.allclose(table[:, 37] / sig[37], levels[er.fbaq_rows(np.arange(16))], rtol=1e-6)


def test_fbaq_encode_decode():
    """Table values encode to themselves; Gaussian echoes whose power varies over 48 dB come
    back within Max's 20.2 dB quantisation SNR (measured 20.1 dB), each block's id at its
    power."""
    lut = ew.fbaq_lut()
    ti, tq = er.fbaq_table(lut), er.fbaq_table(lut)
    sig = ew.block_sigmas()
    levels = np.sort(ti[:, 120])
    rng = np.random.default_rng(4)
    for _ in range(1000):                # 63 table values of id 120 whose RMS selects id 120
        g = rng.standard_normal((2, 63)) * sig[120]
        near = np.abs(g[..., None] - levels).argmin(axis=-1)
        exact = levels[near[0]] + 1j * levels[near[1]]
        if round(24 * np.log2(np.sqrt(np.mean(np.abs(exact) ** 2) / 2) / sig[0])) == 120:
            break
    exact = exact[None, :]
    enc = ew.encode_fbaq(exact)
    assert enc[0, 0] == 120
    assert np.array_equal(er.decode_fbaq(enc, 63, ti, tq), exact.astype(np.complex64))
    rng = np.random.default_rng(5)
    power = 10 ** np.linspace(0, 2.4, 64)                 # 48 dB within the ids' range
    z = (rng.standard_normal((64, 630)) + 1j * rng.standard_normal((64, 630))) * power[:, None]
    enc = ew.encode_fbaq(z)
    assert enc.shape == (64, 640)
    snr, g = _sqnr_db(z, er.decode_fbaq(enc, 630, ti, tq))
    assert 19.8 < snr < 20.4 and abs(g - 1) < 0.01
    ids = enc[:, ::64].astype(float)
    assert np.allclose(ids.mean(axis=1), 24 * np.log2(power / sig[0]), atol=3)


@pytest.mark.parametrize("width", [1, 62, 63, 64, 125, 126, 127, 1000, 5000])
def test_samples_per_packet(width):
    """ISCE2's count 63 floor(S/64) + S mod 64 - 1 of the S = isp_length + 1 - 30 sample
    bytes, and the writer's inverse (S a multiple of 64: 63 S / 64)."""
    s = ew.asar_sample_bytes(width)
    assert er.asar_samples(s + 30 - 1) == width
    if s % 64:
        assert (s // 64) * 63 + s % 64 - 1 == width


# ------------------------------------------------------------------ ENVISAT round trip
def test_envisat_round_trip(tmp_path):
    product, z, paths = _written(tmp_path)
    back = _read(paths)
    assert back.prf == FS / 11624 and abs(back.prf / product.prf - 1) < 3e-8   # PRI codeword
    assert back.pulse_length == 522 / FS and abs(back.pulse_length - product.pulse_length) < 1e-12
    assert back.range_sampling_rate == FS
    assert abs(back.starting_range - product.starting_range) < 1e-6
    assert abs(back.wavelength / product.wavelength - 1) < 1e-7           # float32 frequency
    assert abs(back.chirp_slope / product.chirp_slope - 1) < 1e-7         # float32 polynomial
    t_written = product.orbit.datetime64(product.sensing_start)
    t_read = back.orbit.datetime64(back.sensing_start)
    assert abs((t_read - t_written) / np.timedelta64(1, "ns")) <= 500     # to the microsecond
    for t in np.linspace(-3.0, 3.0, 7):
        when = product.orbit.datetime64(product.sensing_start + t)
        a = product.orbit.interpolate(product.sensing_start + t)[0]
        b = back.orbit.interpolate(back.orbit.seconds(when))[0]
        assert np.max(np.abs(a - b)) < 1e-3                               # mm records
    assert (back.length, back.width, back.look_side, back.polarization) == (40, 200, "right", "VV")
    assert back.platform == "ENVISAT" and back.antenna_length == 10.0
    snr, g = _sqnr_db(z, back.read())
    assert snr > 19.5 and abs(abs(g) * math.sqrt(np.mean(np.abs(z) ** 2) / 2) - ew.TARGET_RMS) < 0.5


def test_instrument_file_and_packets_byte_by_byte(tmp_path):
    """The GADS is asa_im_decode's 171648-byte insGadsStruct (sampling rate at byte 20,
    nominal IM pulses at 65564, range gate bias at 69912, FBAQ 4-bit I table at 74656,
    IM timeline r values at 161622); packets: 68-byte headers with the codewords at the
    data field header's words."""
    product, _, paths = _written(tmp_path)
    n1 = open_n1(paths["INSTRUMENTFILE"])
    dsd = n1.dsd(er.INS_GADS_NAME)
    assert (dsd.num_dsr, dsd.dsr_size, n1.product[:10]) == (1, 171648, "ASA_INS_AX")
    raw = paths["INSTRUMENTFILE"].read_bytes()[dsd.offset:]
    f4 = lambda off: float(np.frombuffer(raw[off:off + 4], ">f4")[0])  # noqa: E731
    assert f4(20) == FS and abs(f4(16) - SPEED_OF_LIGHT / ASAR.wavelength) < 512
    assert f4(65564 + 9 * 4 + 8 * 4) == np.float32(product.pulse_length)   # beam 2 duration
    assert 2 * f4(65564 + 36 + 16 + 8) == np.float32(product.chirp_slope / 2) * 2
    bias = f4(69912)
    assert 0 <= bias < 1 / FS
    r2 = int(np.frombuffer(raw[161622 + 2:161624 + 2], ">u2")[0])
    pri = 11624 / FS
    assert r2 == int((2 * product.starting_range / SPEED_OF_LIGHT) // pri) - 1
    assert f4(74656 + 4 * (256 * 15 + 10)) == ew.fbaq_lut()[256 * 15 + 10]
    img = open_n1(paths["IMAGEFILE"])
    mds = img.dsd(er.ASAR_MDS)
    assert img.product[:10] == "ASA_IM__0P" and mds.num_dsr == 40
    assert mds.dsr_size == 32 + 6 + 30 + ew.asar_sample_bytes(200)
    data = paths["IMAGEFILE"].read_bytes()[mds.offset:]
    u2 = lambda off: int(np.frombuffer(data[off:off + 2], ">u2")[0])   # noqa: E731
    for k in (0, 1, 39):
        rec = k * mds.dsr_size
        assert u2(rec + 24) == u2(rec + 36) == mds.dsr_size - 39          # isp = packet length
        words = [u2(rec + 38 + 2 * i) for i in range(15)]
        assert (words[6] >> 2) & 63 == 2 and words[6] & 3 == 1            # beam IS2, FBAQ 8:4
        assert words[5] * 256 + (words[6] >> 8) == k + 1                  # mode packet count
        assert words[7] >> 15 == 1 and words[8] == 11624                  # echo, PRI codeword
        assert words[12] >> 6 == round(product.pulse_length * FS) == 522
        assert (words[13] >> 8) == 255                                    # 16 MHz chirp
    swst = u2(38 + 18)
    rebuilt = 0.5 * SPEED_OF_LIGHT * (r2 * pri + swst / FS - bias)
    assert abs(rebuilt - product.starting_range) < 1e-3


def test_block_reads_read_only_the_asked_packets(tmp_path):
    """Cutting the file after it was read leaves the packets before the cut readable; the
    first packet past it is refused naming it and its byte."""
    _, _, paths = _written(tmp_path)
    back = _read(paths)
    full = back.read()
    mds = open_n1(paths["IMAGEFILE"]).dsd(er.ASAR_MDS)
    with open(paths["IMAGEFILE"], "r+b") as fh:
        fh.truncate(mds.offset + 25 * mds.dsr_size + 100)
    assert np.array_equal(back.read(slice(10, 20)), full[10:20])
    assert np.array_equal(back.read(slice(0, 25)), full[:25])
    with pytest.raises(InputError) as err:
        back.read(slice(20, 30))
    msg = str(err.value)
    assert str(paths["IMAGEFILE"]) in msg and "packet 26" in msg
    assert f"byte offset {mds.offset + 25 * mds.dsr_size}" in msg and "truncated" in msg


def test_saved_product_decodes_after_a_fresh_import(tmp_path, monkeypatch):
    _, _, paths = _written(tmp_path)
    _read(paths).save(tmp_path / "raw.json")
    from isce.sensors import raw as raw_module
    monkeypatch.delitem(raw_module._DECODERS, "envisat_fbaq")
    monkeypatch.delitem(sys.modules, "isce.sensors.envisat_raw")
    loaded = raw_module.RawProduct.load(tmp_path / "raw.json")
    assert np.array_equal(loaded.read(), er.read_envisat_raw(
        paths["IMAGEFILE"], paths["INSTRUMENTFILE"], paths["ORBITFILE"]).read())


def test_swst_change_and_calibration_packets(tmp_path):
    """A packet of a later window start is shifted to the first one's (asa_im_decode); a
    calibration packet (echo flag 0) reads as a zero line."""
    _, _, paths = _written(tmp_path)
    full = _read(paths).read()
    mds = open_n1(paths["IMAGEFILE"]).dsd(er.ASAR_MDS)
    data = bytearray(paths["IMAGEFILE"].read_bytes())
    swst_at = mds.offset + 5 * mds.dsr_size + 38 + 18
    swst = int.from_bytes(data[swst_at:swst_at + 2], "big")
    data[swst_at:swst_at + 2] = (swst + 3).to_bytes(2, "big")
    flag_at = mds.offset + 7 * mds.dsr_size + 38 + 14
    data[flag_at] &= 0x7F
    paths["IMAGEFILE"].write_bytes(bytes(data))
    back = _read(paths).read()
    assert np.array_equal(back[5, 3:], full[5, :-3]) and np.all(back[5, :3] == 0)
    assert np.all(back[7] == 0) and np.array_equal(back[8], full[8])


# ------------------------------------------------------------------ point target
def test_point_target_focuses_from_the_fbaq_file_as_from_float_echoes(tmp_path, monkeypatch):
    """The full aperture of a point target (plus white noise at 5 % of the echo peak),
    focused from the float echoes and from the 4-bit FBAQ file. With the file's metadata
    both: the same point within 1e-3 line/pixel and 0.01 rad, amplitude ratio the writer's
    gain within 0.5 %, PSLR/ISLR within 0.2 dB (measured: 1e-5 line, 1e-4 pixel, 1e-4 rad,
    0.14 %, 0.04 dB). The file's metadata against the simulation's: within 0.01 line and
    0.1 rad (measured 0.003 line, 0.044 rad: DORIS records hold positions to the mm, i.e.
    0.35 mm here, 0.08 rad of two-way phase at 5.6 cm)."""
    monkeypatch.setenv("ISCE_FFTW_PLANNER", "estimate")
    monkeypatch.setenv("ISCE_FFTW_WISDOM", str(tmp_path / "wisdom"))
    orbit, tzd = _orbit(ASAR, "2004-07-03T20:53:30")
    r = target_truth(TARGET, orbit, ASAR.wavelength, "right")[0]["slant_range"]
    half = ASAR.chirp_samples // 2 + 1
    pulses = 2048
    raw = simulate_point_targets(orbit, ASAR, TARGET, sensing_start=tzd - r / SPEED_OF_LIGHT
                                 - 0.5 * pulses / ASAR.prf, length=pulses,
                                 starting_range=r - (half + 100) * ASAR.range_pixel_spacing,
                                 width=2 * (half + 100))
    rng = np.random.default_rng(2)
    echo = raw.read()
    echo = echo + 0.05 * np.abs(echo).max() * (rng.standard_normal(echo.shape)
                                               + 1j * rng.standard_normal(echo.shape))
    isce.io.write(str(tmp_path / "pt.raw"), echo.astype(np.complex64))
    raw = replace(raw, source=RawSource("raster", str(tmp_path / "pt.raw")))
    _, _, paths = _written(tmp_path, product=raw)
    back = _read(paths)
    _, gain = _sqnr_db(echo, back.read())
    results = []
    for product in (raw, replace(back, source=raw.source), back):
        res = focus_azimuth(range_compress(product))
        results.append(measure_targets(res.data, res.product.radar_grid, TARGET, product.orbit,
                                       ASAR)[0])
    sim, floats, fbaq = results
    print({k: (sim[k], floats[k], fbaq[k]) for k in ("dline", "dpixel", "amplitude", "dphase")},
          {a: (sim[a], floats[a], fbaq[a]) for a in ("range", "azimuth")}, gain)
    for m in results:
        assert abs(m["dline"]) < 1 / 32 and abs(m["dpixel"]) < 1 / 32
        assert abs(m["range"]["pslr"] - SINC_PSLR_DB) < 0.5
    assert abs(fbaq["dline"] - floats["dline"]) < 1e-3
    assert abs(fbaq["dpixel"] - floats["dpixel"]) < 1e-3
    assert abs(fbaq["dphase"] - floats["dphase"]) < 0.01
    assert abs(fbaq["amplitude"] / floats["amplitude"] / abs(gain) - 1) < 5e-3
    for axis in ("range", "azimuth"):
        for k in ("pslr", "islr"):
            assert abs(fbaq[axis][k] - floats[axis][k]) < 0.2, (axis, k)
    assert abs(floats["dline"] - sim["dline"]) < 0.01
    assert abs(floats["dphase"] - sim["dphase"]) < 0.1


# ------------------------------------------------------------------ damaged copies
def _mds(paths):
    return open_n1(paths["IMAGEFILE"]).dsd(er.ASAR_MDS)


def _patch(path, offset, data):
    buf = bytearray(path.read_bytes())
    buf[offset:offset + len(data)] = data
    path.write_bytes(bytes(buf))


def test_truncated_product_is_refused(tmp_path):
    _, _, paths = _written(tmp_path)
    mds = _mds(paths)
    with open(paths["IMAGEFILE"], "r+b") as fh:
        fh.truncate(mds.offset + 30 * mds.dsr_size + 7)
    with pytest.raises(InputError) as err:
        _read(paths)
    msg = str(err.value)
    assert str(paths["IMAGEFILE"]) in msg and "ASAR_SOURCE_PACKETS" in msg and "truncated" in msg
    assert f"byte offset {mds.offset + 30 * mds.dsr_size}" in msg


@pytest.mark.parametrize("field,byte,value,words", [
    ("isp", 24, b"\x01\x00", "ISP length 256"),
    ("compression", 38 + 13, b"\x0a", "compression ratio code 2"),
    ("count", 38 + 11, b"\x09", "mode packet count"),
    ("pri", 38 + 16, b"\x2d\x69", "pri codeword 11625"),
])
def test_damaged_packet_is_refused_naming_it(tmp_path, field, byte, value, words):
    _, _, paths = _written(tmp_path)
    mds = _mds(paths)
    _patch(paths["IMAGEFILE"], mds.offset + 6 * mds.dsr_size + byte, value)
    with pytest.raises(InputError) as err:
        _read(paths)
    msg = str(err.value)
    assert str(paths["IMAGEFILE"]) in msg and "packet 7" in msg and words in msg, msg
    assert "byte offset " + str(mds.offset + 6 * mds.dsr_size) in msg or \
           f"byte offset {mds.offset + 6 * mds.dsr_size + 24}" in msg or "byte offset" in msg


def test_missing_and_wrong_auxiliary_files(tmp_path):
    _, _, paths = _written(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        _read(paths, INSTRUMENTFILE=tmp_path / "ASA_INS_AX_missing")
    with pytest.raises(InputError) as err:
        _read(paths, INSTRUMENTFILE=paths["ORBITFILE"])
    assert str(paths["ORBITFILE"]) in str(err.value) and "ASA_INS_AX" in str(err.value)
    with pytest.raises(InputError) as err:
        _read(paths, ORBITFILE=paths["INSTRUMENTFILE"])
    assert str(paths["INSTRUMENTFILE"]) in str(err.value) and "DORIS" in str(err.value)


def test_header_without_packets_is_refused_with_no_image_data(tmp_path):
    _, _, paths = _written(tmp_path)
    empty = _empty_copy(paths["IMAGEFILE"], tmp_path / "empty.N1")
    with pytest.raises(InputError) as err:
        _read(paths, IMAGEFILE=empty)
    assert str(empty) in str(err.value) and "no image data" in str(err.value)
    (tmp_path / "ers").mkdir()
    product, _, ers = _ers_written(tmp_path / "ers")
    empty = _empty_copy(ers["IMAGEFILE"], tmp_path / "empty.E1")
    with pytest.raises(InputError) as err:
        er.read_ers_envisat_raw(empty, product.orbit)
    assert str(empty) in str(err.value) and "no image data" in str(err.value)


def _empty_copy(path, out):
    """The headers of ``path`` with the MDS emptied (NUM_DSR 0, no records)."""
    n1 = open_n1(path)
    mds = n1.dsds[0]
    head = bytearray(path.read_bytes()[:mds.offset])
    for key, value in (("NUM_DSR", 0), ("DS_SIZE", 0)):
        at = head.index(key.encode() + b"=", mds.dsd_offset) + len(key) + 1
        width = 11 if key == "NUM_DSR" else 21
        head[at:at + width] = f"{value:+0{width}d}".encode()
    at = head.index(b"TOT_SIZE=") + 9
    head[at:at + 21] = f"{len(head):+021d}".encode()
    out.write_bytes(bytes(head))
    return out


def _insar_xml(tmp_path, sensor, dates):
    body = "".join(f'<component name="{d}">' + "".join(
        f'<property name="{k}">{v}</property>' for k, v in props.items()) + "</component>"
        for d, props in dates.items())
    (tmp_path / "insarApp.xml").write_text(
        f'<insarApp><component name="insar"><property name="Sensor Name">{sensor}</property>'
        f"{body}</component></insarApp>")


def test_insarapp_refuses_a_header_without_packets_in_one_line(tmp_path):
    _, _, paths = _written(tmp_path)
    empty = _empty_copy(paths["IMAGEFILE"], tmp_path / "empty.N1")
    ref = {"IMAGEFILE": empty, "INSTRUMENTFILE": paths["INSTRUMENTFILE"],
           "ORBITFILE": paths["ORBITFILE"]}
    _insar_xml(tmp_path, "ENVISAT", {"reference": ref, "secondary": paths})
    proc = run_command("insarApp.py", "insarApp.xml", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and "no image data" in lines[0] and str(empty) in lines[0], proc.stderr


def test_wrong_product_types_are_refused_in_one_line(tmp_path, shared_data):
    ims = shared_data("real_headers", "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_"
                                      "00001672562030318361237.N1")
    pri = shared_data("real_headers", "SAR_IMP_1PXESA19960808_205906_00000017G158_00458_26498_"
                                      "2615.E1")
    _, _, paths = _written(tmp_path)
    with pytest.raises(InputError) as err:
        _read(paths, IMAGEFILE=ims)
    assert str(ims) in str(err.value) and "ASA_IMS_1P" in str(err.value)
    assert "ENVISAT_SLC" in str(err.value)
    reader = isce.sensors.create("ERS_ENVISAT")
    reader.imagefile, reader.orbit_type = str(pri), "PDS"
    with pytest.raises(InputError) as err:
        reader.parse()
    msg = str(err.value)
    assert str(pri) in msg and "SAR_IMP_1P" in msg and "precision image" in msg
    assert "\n" not in msg


# ------------------------------------------------------------------ the component
def test_component_finds_auxiliary_files_in_their_folders(tmp_path):
    _, _, paths = _written(tmp_path)
    reader = isce.sensors.create("ENVISAT")
    reader.imagefile = str(paths["IMAGEFILE"])
    with pytest.raises(ConfigurationError, match="INSTRUMENTFILE or INSTRUMENT_DIRECTORY"):
        reader.parse()
    reader.instrument_dir = str(paths["INSTRUMENTFILE"].parent)
    with pytest.raises(ConfigurationError, match="ORBITFILE or ORBIT_DIRECTORY"):
        reader.parse()
    reader.orbit_dir = str(paths["ORBITFILE"].parent)
    assert np.array_equal(reader.parse().read(), _read(paths).read())
    names = {p.public_name for p in type(reader).parameters}
    assert {"IMAGEFILE", "INSTRUMENTFILE", "INSTRUMENT_DIRECTORY", "ORBITFILE",
            "ORBIT_DIRECTORY"} <= names
    ers = {p.public_name for p in isce.sensors.sensor_class("ERS_ENVISAT").parameters}
    assert {"IMAGEFILE", "ORBIT_TYPE", "ORBIT_DIRECTORY", "ORBIT_FILE"} <= ers


def test_writer_refuses_what_the_format_cannot_hold(tmp_path):
    product, _ = _asar_product(tmp_path)
    with pytest.raises(InputError, match="PRF .* is not the sampling rate"):
        ew.write_envisat_raw(replace(product, prf=1650.0), tmp_path, "x")
    with pytest.raises(InputError, match="pulse length .* not an integer number"):
        ew.write_envisat_raw(replace(product, pulse_length=27e-6), tmp_path, "x")


# ------------------------------------------------------------------ ERS_ENVISAT
def _ers_product(tmp_path, lines=40, width=300):
    orbit, tzd = _orbit(ERS, "1995-12-20T02:43:30")
    z, source = _noise(tmp_path, lines, width, band=0.8)
    r = target_truth(TARGET, orbit, ERS.wavelength, "right")[0]["slant_range"]
    return RawProduct(orbit=orbit, sensing_start=tzd - 0.0123456789, prf=ERS.prf,
                      starting_range=r - 100.123, range_sampling_rate=ERS.range_sampling_rate,
                      length=lines, width=width, wavelength=ERS.wavelength, look_side="right",
                      chirp_slope=ERS.chirp_slope, pulse_length=ERS.pulse_length, source=source,
                      platform="ERS1", mission="ERS1", polarization="VV"), z


def _ers_written(tmp_path):
    product, z = _ers_product(tmp_path)
    props = ew.write_ers_envisat_raw(product, tmp_path, "reference")
    assert set(props) == {"IMAGEFILE", "ORBIT_FILE"}
    return product, z, {k: tmp_path / v for k, v in props.items()}


def test_ers_envisat_round_trip_and_layout(tmp_path):
    product, z, paths = _ers_written(tmp_path)
    back = er.read_ers_envisat_raw(paths["IMAGEFILE"], product.orbit)
    assert back.prf == product.prf and back.width == er.ERS_SAMPLES
    assert (back.wavelength, back.chirp_slope, back.pulse_length) == (
        ERS.wavelength, ERS.chirp_slope, ERS.pulse_length)
    assert abs(back.sensing_start - product.sensing_start) <= 5e-7
    delay = (product.starting_range - back.starting_range) / back.range_pixel_spacing
    swst = back.attributes["swst_counter"]
    assert abs(delay + product.width / 2 - er.ERS_SAMPLES / 2) <= 4      # centred in the window
    expected = ew.delay_lines(z, delay, back.width)
    cols = slice(int(delay) + 8, int(delay) + product.width - 8)
    snr, _ = _sqnr_db(expected[:, cols], back.read()[:, cols])
    assert snr > 22.0                                       # 5 bits at RMS 4 codes: 22.8 dB
    data = paths["IMAGEFILE"].read_bytes()
    assert data[:9] == b'PRODUCT="' and open_n1(paths["IMAGEFILE"]).product[61] == "1"
    rec = data[3203:3203 + 11498]                           # ISCE2: records from byte 3203
    assert int.from_bytes(rec[54:58], "big") == 1
    assert 1 / ((int.from_bytes(rec[60:62], "big") + 2) * 210.943006e-9) == product.prf
    assert int.from_bytes(rec[58:60], "big") == swst
    r0 = 0.5 * SPEED_OF_LIGHT * (9 / product.prf + swst * 4 / ERS.range_sampling_rate - 6.622e-6)
    assert abs(r0 - back.starting_range) < 1e-6
    assert set(np.unique(np.frombuffer(rec[266:], np.uint8))) <= set(range(32))


def test_ers_envisat_refusals(tmp_path):
    product, _, paths = _ers_written(tmp_path)
    with pytest.raises(InputError, match="PRF 1679.902"):
        ew.write_ers_envisat_raw(replace(product, prf=1679.902), tmp_path, "x")
    image = paths["IMAGEFILE"]
    mds = open_n1(image).dsd(er.ERS_MDS)
    _patch(image, mds.offset + 9 * mds.dsr_size + er.ERS_LINE_COUNTER, (99).to_bytes(4, "big"))
    with pytest.raises(InputError) as err:
        er.read_ers_envisat_raw(image, product.orbit)
    assert "packet 10" in str(err.value) and "line counter 99" in str(err.value)
    assert f"byte offset {mds.offset + 9 * mds.dsr_size + er.ERS_LINE_COUNTER}" in str(err.value)
    reader = isce.sensors.create("ERS_ENVISAT")
    reader.imagefile = str(image)
    with pytest.raises(ConfigurationError, match="ORBIT_TYPE"):
        reader.parse()
    reader.orbit_type = "DORIS"
    with pytest.raises(ConfigurationError, match="choose ODR, PRC or PDS"):
        reader.parse()


# ------------------------------------------------------------------ the examples
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _error_line(proc):
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1, proc.stderr[-3000:]
    return lines[0]


@pytest.mark.parametrize("sensor,name", [
    ("envisat", "ASA_IM__0CNPDE20111119_071443_000000163108_00394_50839_4852.N1"),
    ("ers_envisat", "SAR_IM__0PWDDE19960314_050532_00000016G152_00092_24468_2218.E1")])
def test_examples_name_each_date_by_its_product(tmp_path, sensor, name):
    """examples/<sensor>/insarApp.xml is understood: without the data, preprocess refuses
    the reference's missing product in one line."""
    shutil.copy(EXAMPLES / sensor / "insarApp.xml", tmp_path / "insarApp.xml")
    line = _error_line(run_command("insarApp.py", "insarApp.xml", cwd=tmp_path))
    assert name in line and "no such file" in line, line


def test_envisat_example_reads_a_written_pair(tmp_path):
    text = (EXAMPLES / "envisat" / "insarApp.xml").read_text()
    for role, seed in (("reference", 1), ("secondary", 2)):
        product, _ = _asar_product(tmp_path, lines=800, width=700, seed=seed)   # an aperture, a chirp
        props = ew.write_envisat_raw(product, tmp_path / "data", role)
        for key in ("IMAGEFILE", "INSTRUMENTFILE", "ORBITFILE"):
            start = text.index(f'<property name="{key}">', text.index(f'name="{role}"'))
            end = text.index("</property>", start)
            text = text[:start] + f'<property name="{key}">{tmp_path / "data" / props[key]}' \
                + text[end:]
    text = text.replace('<property name="demFilename">data/dem.wgs84</property>', "")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "insarApp.xml").write_text(text)
    proc = run_command("insarApp.py", "insarApp.xml", "--steps", "--end=preprocess",
                       cwd=tmp_path / "run")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for role in ("reference", "secondary"):
        assert f"{role}: raw, 800 pulses x 700 samples" in proc.stderr, proc.stderr[-2000:]


def _isce2_pds(path):
    """ISCE2's PDS.parse: lines starting with a digit, time at 0-11 / 12-27, position and
    velocity at columns 44-56, 57-69, 70-82, 83-95, 96-108, 109-121."""
    import datetime
    times, pos, vel = [], [], []
    for line in Path(path).read_text().splitlines():
        if line[:1].isdigit():
            times.append(datetime.datetime.strptime(line[0:11] + " " + line[12:27],
                                                    "%d-%b-%Y %H:%M:%S.%f"))
            pos.append([float(line[a:b]) for a, b in ((44, 56), (57, 69), (70, 82))])
            vel.append([float(line[a:b]) for a, b in ((83, 95), (96, 108), (109, 121))])
    epoch = np.datetime64(times[0], "ns")
    t = np.array([(np.datetime64(w, "ns") - epoch) / np.timedelta64(1, "ns") * 1e-9 for w in times])
    from isce.core.orbit import Orbit
    return Orbit(t, np.array(pos), np.array(vel), epoch, interp_method="hermite")


def test_ers_envisat_component_reads_the_pds_orbit_as_isce2(tmp_path):
    """ORBIT_TYPE PDS + ORBIT_FILE (ORBIT_FILE alone implies PDS: what the writer returns) go
    to the ERS orbit readers' read_pds; the PDS file's columns are ISCE2's (parsed here as
    ISCE2's PDS.py does)."""
    product, _, paths = _ers_written(tmp_path)
    reader = isce.sensors.create("ERS_ENVISAT")
    reader.imagefile, reader.orbit_type = str(paths["IMAGEFILE"]), "PDS"
    with pytest.raises(ConfigurationError, match="ORBIT_FILE"):
        reader.parse()
    reader.orbit_file = str(paths["ORBIT_FILE"])
    back = reader.parse()
    reader.orbit_type = None                      # ORBIT_FILE alone: ISCE2's PDS file
    assert reader.parse().orbit == back.orbit
    for t in (-2.0, 0.0, 2.0):
        when = product.orbit.datetime64(product.sensing_start + t)
        a = product.orbit.interpolate(product.sensing_start + t)[0]
        b = back.orbit.interpolate(back.orbit.seconds(when))[0]
        assert np.max(np.abs(a - b)) < 1e-3
    assert back.length == product.length and back.prf == product.prf
    isce2 = _isce2_pds(paths["ORBIT_FILE"])          # the same vectors as ISCE2's parsing
    assert np.allclose(back.orbit.position, isce2.position, atol=1e-3)
    assert np.allclose(back.orbit.velocity, isce2.velocity, atol=1e-6)
