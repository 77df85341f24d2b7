"""ESA's N1 format (isce.sensors.envisat_n1) and DORIS orbit files (isce.sensors.doris).

The two real N1 headers of ../shared/data/real_headers (an ASAR IMS and an ERS PRI) are
parsed: MPH and SPH values, the DSD table; the writer's header tables reproduce both MPH and
SPH byte for byte. Damaged copies (truncated, a bad MPH key, a corrupt DSD, a data set past
the end of the file) are refused with the file, the header key or DSD, and the byte offset.
DORIS ``DOR_VOR_AX`` files round-trip through write_dor_vor / read_dor_vor and are found in
a folder by their validity."""
import datetime as dt
import re

import numpy as np
import pytest

from isce.core.orbit import Orbit
from isce.framework.errors import InputError
from isce.sensors import envisat_n1 as n1
from isce.sensors.doris import find_dor_vor, read_dor_vor, read_dor_vor_records
from isce.sensors.envisat_slc import IMS_DATA_SETS, IMS_SPH_FORMAT
from isce.simulate.envisat_n1 import write_dor_vor

IMS = ("real_headers", "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_"
       "00001672562030318361237.N1")
PRI = ("real_headers", "SAR_IMP_1PXESA19960808_205906_00000017G158_00458_26498_2615.E1")


@pytest.fixture
def ims(shared_data):
    return shared_data(*IMS)


@pytest.fixture
def pri(shared_data):
    return shared_data(*PRI)


def _copy(src, tmp_path, edit):
    data = bytearray(src.read_bytes())
    data = edit(data)
    out = tmp_path / src.name
    out.write_bytes(bytes(data))
    return out


def _replace(data: bytearray, old: bytes, new: bytes) -> bytearray:
    k = data.index(old)
    assert len(old) == len(new)
    data[k:k + len(old)] = new
    return data


# ----------------------------------------------------------------------------- real headers
def test_mph_of_the_real_ims(ims):
    f = n1.open_n1(ims)
    mph = f.mph
    assert f.product == "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_0000.N1"
    assert f.product_type == "ASA_IMS_1P"
    assert mph.code("PROC_STAGE") == "N" and mph.text("PROC_CENTER") == "esar"
    assert mph.text("SOFTWARE_VER") == "ASAR/6.03"
    assert mph.time("SENSING_START") == dt.datetime(2004, 7, 3, 20, 53, 38, 192288)
    assert mph.time("SENSING_STOP") == dt.datetime(2004, 7, 3, 20, 53, 57, 281353)
    assert (mph.integer("CYCLE"), mph.integer("REL_ORBIT"), mph.integer("ABS_ORBIT")) == (28, 172, 12250)
    assert mph.time("STATE_VECTOR_TIME") == dt.datetime(2004, 7, 3, 20, 53, 28)
    assert mph.real("DELTA_UT1", "s") == -0.467078
    assert mph.real("X_POSITION", "m") == 5395921.124
    assert mph.real("Z_VELOCITY", "m/s") == 5586.727150
    assert mph.text("VECTOR_SOURCE") == "DP"                   # DORIS precise
    assert mph.integer("CLOCK_STEP", "ps") == 3906249806
    assert mph.time("LEAP_UTC") == dt.datetime(2001, 10, 17)
    assert f.tot_size == 628159196 and f.sph_size == 6099 and f.num_dsd == 18
    assert mph.integer("NUM_DATA_SETS") == 6
    assert f.size == 25896                                      # cut where MDS1 starts


def test_sph_and_dsd_table_of_the_real_ims(ims):
    f = n1.open_n1(ims)
    sph = f.sph
    assert sph.text("SPH_DESCRIPTOR") == "Image Mode SLC Image"
    assert sph.time("FIRST_LINE_TIME") == dt.datetime(2004, 7, 3, 20, 53, 38, 232230)
    assert sph.integer("FIRST_NEAR_LAT", "10-6degN") == 41453451
    assert sph.integer("LAST_FAR_LONG", "10-6degE") == 12874773
    assert (sph.text("SWATH"), sph.text("PASS"), sph.text("MDS1_TX_RX_POLAR")) == \
        ("IS2", "ASCENDING", "V/V")
    assert sph.real("RANGE_SPACING", "m") == 7.80397367
    assert sph.real("LINE_TIME_INTERVAL", "s") == 6.05174631e-04
    assert sph.integer("LINE_LENGTH", "samples") == 5177
    assert [d.name for d in f.dsds] == [name for name, _ in IMS_DATA_SETS]
    table = {d.name: (d.type, d.offset, d.size, d.num_dsr, d.dsr_size) for d in f.dsds if d.used}
    assert table["MDS1 SQ ADS"] == ("A", 7346, 170, 1, 170)
    assert table["MAIN PROCESSING PARAMS ADS"] == ("A", 7516, 10069, 1, 10069)
    assert table["DOP CENTROID COEFFS ADS"] == ("A", 17585, 55, 1, 55)
    assert table["CHIRP PARAMS ADS"] == ("A", 17640, 1483, 1, 1483)
    assert table["GEOLOCATION GRID ADS"] == ("A", 19123, 6773, 13, 521)
    assert table["MDS1"] == ("M", 25896, 628133300, 30308, 20725)
    # the data sets follow each other without gaps, right after the headers
    present = [d for d in f.dsds if d.used and d.type != "R"]
    assert present[0].offset == n1.MPH_SIZE + f.sph_size
    assert all(a.offset + a.size == b.offset for a, b in zip(present, present[1:]))
    assert f.find("INSTRUMENT CHARACTERIZATION").filename.startswith("ASA_INS_AX")
    assert not f.find("MDS2").used and f.records_present(f.dsd("MDS1")) == 0


def test_the_real_ers_pri_header_parses(pri):
    f = n1.open_n1(pri)
    assert f.product_type == "SAR_IMP_1P"
    assert f.mph.integer("ABS_ORBIT") == 26498 and f.mph.code("PHASE") == "G"
    assert f.mph.text("VECTOR_SOURCE") == "PD"
    assert f.sph.text("SAMPLE_TYPE") == "DETECTED"
    assert f.dsd("MAIN PROCESSING PARAMS ADS").dsr_size == 2009      # PF-ASAR before 6.02
    assert f.dsd("SR GR ADS").num_dsr == 1                          # ground range product
    assert f.dsd("MDS1").dsr_size == 16195


@pytest.mark.parametrize("which", [IMS, PRI])
def test_writer_tables_reproduce_the_real_headers_byte_for_byte(shared_data, which):
    """MPH_FORMAT, IMS_SPH_FORMAT and format_dsd write exactly what ESA wrote."""
    path = shared_data(*which)
    f = n1.open_n1(path)
    raw = path.read_bytes()

    def values(block, rows):
        out = {}
        for key, kind, _width, _unit in rows:
            if key is not None:
                out[key] = block.raw(key)[1:-1] if kind == "s" else (
                    block.code(key) if kind == "c" else block.number(key)[0])
        return out

    assert n1.format_block(n1.MPH_FORMAT, values(f.mph, n1.MPH_FORMAT)) == raw[:n1.MPH_SIZE]
    split = n1.MPH_SIZE + f.sph_size - f.num_dsd * n1.DSD_SIZE
    assert n1.format_block(IMS_SPH_FORMAT, values(f.sph, IMS_SPH_FORMAT)) == raw[n1.MPH_SIZE:split]
    for d in f.dsds:
        own = n1.format_dsd(d.name, d.type, d.filename, d.offset, d.size, d.num_dsr, d.dsr_size)
        assert own == raw[d.dsd_offset:d.dsd_offset + n1.DSD_SIZE], d.name


def test_mjd_times():
    assert n1.mjd_datetime(1645, 75218, 232230) == dt.datetime(2004, 7, 3, 20, 53, 38, 232230)
    assert n1.mjd_datetime(-1241, 75546, 396550) == dt.datetime(1996, 8, 8, 20, 59, 6, 396550)
    assert n1.seconds_to_mjd(n1.mjd_seconds(-1241, 75546, 396550)) == (-1241, 75546, 396550)
    assert n1.format_utc(dt.datetime(2004, 7, 3, 20, 53, 38, 5)) == "03-JUL-2004 20:53:38.000005"


def test_ads_layout_reads_big_endian_records():
    layout = n1.AdsLayout("test", [("t", "mjd", 1), ("flag", "u1", 1), ("v", "f4", 2),
                                   (None, "", 3), ("n", "i2", 1)], size=26)
    rec = layout.empty(1)
    rec[0]["t"]["days"], rec[0]["v"], rec[0]["n"] = -5, (1.5, -2.0), -300
    data = layout.pack(rec)
    assert data[:4] == (-5).to_bytes(4, "big", signed=True) and data[-2:] == (-300).to_bytes(2, "big", signed=True)
    assert layout.offset("n") == 24
    back = layout.unpack(data)[0]
    assert back["t"]["days"] == -5 and list(back["v"]) == [1.5, -2.0]
    with pytest.raises(ValueError, match="add up to 28 bytes, the record has 30"):
        n1.AdsLayout("bad", [("a", "f8", 3), ("b", "i4", 1)], size=30)


# ----------------------------------------------------------------------------- damaged copies
def test_a_file_cut_inside_the_mph(ims, tmp_path):
    bad = _copy(ims, tmp_path, lambda d: d[:600])
    with pytest.raises(InputError, match=rf"{re.escape(str(bad))}: MPH at byte offset 0: truncated: "
                                         r"the file has 600 bytes"):
        n1.open_n1(bad)


def test_a_bad_mph_key_names_its_byte(ims, tmp_path):
    bad = _copy(ims, tmp_path, lambda d: _replace(d, b"\nSPH_SIZE=", b"\nSPH_SIZX="))
    offset = ims.read_bytes().index(b"\nSPH_SIZE=") + 1
    with pytest.raises(InputError) as err:
        n1.open_n1(bad)
    assert str(err.value) == (f"{bad}: MPH at byte offset {offset}: key SPH_SIZX where the MPH "
                              "has SPH_SIZE (corrupt header)")


def test_a_bad_mph_value_names_key_and_byte(ims, tmp_path):
    bad = _copy(ims, tmp_path, lambda d: _replace(d, b"NUM_DSD=+0000000018", b"NUM_DSD=+00000000x8"))
    offset = ims.read_bytes().index(b"NUM_DSD=")
    with pytest.raises(InputError, match=rf"MPH key NUM_DSD at byte offset {offset}: value "
                                         r"'\+00000000x8' is not a number"):
        n1.open_n1(bad)


def test_not_an_n1_file(tmp_path):
    bad = tmp_path / "x.N1"
    bad.write_bytes(b"\x00" * 2000)
    with pytest.raises(InputError, match=r"x.N1: MPH at byte offset 0: starts with .*, not "
                                         r"PRODUCT=.*\(not an ENVISAT N1 file\)"):
        n1.open_n1(bad)


def test_a_corrupt_dsd_names_it_and_its_byte(ims, tmp_path):
    f = n1.open_n1(ims)
    geo = f.dsd("GEOLOCATION GRID ADS")
    src = ims.read_bytes()
    k = src.index(b"DS_SIZE=+00000000000000006773", geo.dsd_offset)
    bad = _copy(ims, tmp_path, lambda d: _replace(d, b"DS_SIZE=+00000000000000006773",
                                                   b"DS_SIZE=+00000000000000006774"))
    with pytest.raises(InputError) as err:
        n1.open_n1(bad)
    assert str(err.value) == (f"{bad}: DSD 9 (GEOLOCATION GRID ADS) at byte offset {k}: DS_SIZE "
                              "6774 is not NUM_DSR 13 x DSR_SIZE 521")
    bad = _copy(ims, tmp_path, lambda d: _replace(d, b"DS_TYPE=A\nFILENAME", b"DS_TYPE=A\nFILENAMX"))
    with pytest.raises(InputError, match=r"DSD 1 at byte offset \d+: keys DS_NAME, DS_TYPE, "
                                         r"FILENAMX, .*corrupt DSD"):
        n1.open_n1(bad)


def test_a_data_set_past_the_end_of_the_file_is_truncated(ims, tmp_path):
    bad = _copy(ims, tmp_path, lambda d: d[:19123 + 3 * 521 + 100])     # inside grid record 4
    f = n1.open_n1(bad)
    geo = f.dsd("GEOLOCATION GRID ADS")
    with pytest.raises(InputError) as err:
        f.read_bytes(geo)
    assert str(err.value) == (f"{bad}: DSD 9 (GEOLOCATION GRID ADS) at byte offset "
                              f"{19123 + 3 * 521}: truncated: record 4 of 13 (521 bytes each from "
                              f"byte 19123) is not in the file, which ends at byte {19123 + 3 * 521 + 100} "
                              "(data set needs bytes up to 25896)")


def test_a_missing_data_set_lists_those_present(pri):
    f = n1.open_n1(pri)
    with pytest.raises(InputError, match=r"DSD ORBIT FILE at byte offset \d+: no data set 'ORBIT "
                                         r"FILE' in the DSD table \(data sets: MDS1 SQ ADS, .*this "
                                         r"is SAR_IMP_1P"):
        f.dsd("ORBIT FILE")
    with pytest.raises(InputError, match=r"DSD 2 \(MDS2 SQ ADS\) at byte offset \d+: the data set is "
                                         "marked NOT USED"):
        f.dsd("MDS2 SQ ADS")


# ----------------------------------------------------------------------------- DORIS
def _orbit():
    t = np.arange(0.0, 3600.0, 10.0)
    w, radius = 2 * np.pi / 6036.0, 7.16e6
    pos = np.c_[radius * np.cos(w * t), np.zeros_like(t), radius * np.sin(w * t)]
    vel = np.c_[-radius * w * np.sin(w * t), np.zeros_like(t), radius * w * np.cos(w * t)]
    return Orbit(t, pos, vel, np.datetime64("2004-07-03T20:00:00"))


DOR = "DOR_VOR_AXVF-P20040801_120000_20040703_200000_20040703_205900"


def test_dor_vor_round_trip(tmp_path):
    orbit = _orbit()
    path = write_dor_vor(orbit, tmp_path / DOR, spacing=60.0, abs_orbit=12250)
    f = n1.open_n1(path)
    assert f.dsds[0].name == "DORIS PRECISE ORBIT" and f.dsds[0].num_dsr == 60
    times, pos, vel, name = read_dor_vor_records(path)
    assert name == "DORIS PRECISE ORBIT" and times[1] == dt.datetime(2004, 7, 3, 20, 1)
    want_p, want_v = orbit.interpolate(np.arange(0.0, 3600.0, 60.0))
    assert np.abs(pos - want_p).max() <= 0.0005 and np.abs(vel - want_v).max() <= 5e-7
    start = dt.datetime(2004, 7, 3, 20, 30)
    got = read_dor_vor(path, start, start, start + dt.timedelta(seconds=20))
    assert got.interp_method == "hermite" and got.time[0] < 0 < 20 < got.time[-1]
    p, _ = got.interpolate([0.0, 20.0])
    assert np.abs(p - orbit.interpolate([1800.0, 1820.0])[0]).max() < 0.01


def test_aux_file_names():
    assert n1.aux_validity(DOR) == ("DOR_VOR_AX", dt.datetime(2004, 8, 1, 12), dt.datetime(2004, 7, 3, 20),
                                    dt.datetime(2004, 7, 3, 20, 59))
    assert n1.aux_validity("ASA_INS_AXVIEC20061220_105425_20030211_000000_20071231_000000")[0] == "ASA_INS_AX"
    assert n1.aux_validity("README") is None and n1.aux_validity(DOR + ".bak") is None


def test_dor_vor_found_by_its_validity_and_refused_outside_it(tmp_path):
    write_dor_vor(_orbit(), tmp_path / DOR, spacing=60.0)
    preliminary = "DOR_POR_AXVF-P20040901_120000_20040703_200000_20040703_205900"
    write_dor_vor(_orbit(), tmp_path / preliminary, spacing=60.0)
    (tmp_path / "README").write_text("not an orbit")
    assert find_dor_vor(tmp_path, dt.datetime(2004, 7, 3, 20, 30)) == str(tmp_path / DOR)
    with pytest.raises(InputError, match=r"no DORIS orbit \(ORBIT_DIRECTORY\) file \(DOR_VOR_AX/"
                                         r"DOR_POR_AX\) covers 03-JUL-2004 21:30:00.000000 .*files: "
                                         r"DOR_POR_AXVF-P2004.*DOR_VOR_AXVF-P2004.*README"):
        find_dor_vor(tmp_path, dt.datetime(2004, 7, 3, 21, 30))
    late = dt.datetime(2004, 7, 3, 20, 58, 30)
    with pytest.raises(InputError, match=r"do not cover the acquisition 03-JUL-2004 20:58:30"):
        read_dor_vor(tmp_path / DOR, late, late, late + dt.timedelta(seconds=60))


def test_a_corrupt_dor_vor_record_names_its_byte(tmp_path):
    path = write_dor_vor(_orbit(), tmp_path / DOR, spacing=60.0)
    f = n1.open_n1(path)
    ds = f.dsds[0]
    data = bytearray(open(path, "rb").read())
    k = ds.offset + 2 * ds.dsr_size
    data[k:k + 11] = b"03-XXX-2004"
    (tmp_path / "bad").write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        read_dor_vor_records(tmp_path / "bad")
    assert str(err.value).startswith(f"{tmp_path / 'bad'}: DSD 1 (DORIS PRECISE ORBIT) record 3 at "
                                     f"byte offset {k}: 03-XXX-2004 '20:02:00.000000' is not a UTC")
