"""The declarative CEOS record layer (isce.sensors.ceos): fields, layouts, validated reading."""
import struct

import numpy as np
import pytest

from isce.framework import InputError
from isce.sensors import alos_ceos
from isce.sensors.ceos import (CeosReader, Field, RecordLayout, Repeat, check_fixed_records,
                               open_fixed_records, sequential)


# ---------------------------------------------------------------------------- fields
@pytest.mark.parametrize("field,value,raw", [
    (Field("a", 0, 6, "A"), "ab", b"ab    "),
    (Field("i", 0, 6, "I"), 42, b"    42"),
    (Field("i", 0, 6, "I"), -7, b"    -7"),
    (Field("f", 0, 10, "F", ".3f"), 2.5, b"     2.500"),
    (Field("e", 0, 22, "F", ".15E"), -4216285.482, b"-4.216285482000000E+06"),
    (Field("b1", 0, 1, "B"), 192, b"\xc0"),
    (Field("b2", 0, 2, "B"), -2, b"\xff\xfe"),
    (Field("b4", 0, 4, "B"), 720, b"\x00\x00\x02\xd0"),
    (Field("r", 0, 4, "R"), b"\x01\x02", b"\x01\x02\x00\x00"),
])
def test_field_encode_decode(field, value, raw):
    assert field.encode(value) == raw
    assert field.decode(raw) == (raw if field.fmt == "R" else value)


def test_blank_numbers_decode_to_none_and_d_exponents_are_read():
    assert Field("i", 0, 4, "I").decode(b"    ") is None
    assert Field("f", 0, 8, "F").decode(b"    ") is None
    assert Field("f", 0, 10, "F").decode(b" 1.5D+03  ") == 1500.0
    assert Field("a", 0, 6, "A").decode(b"ALOS\x00\x00") == "ALOS"


def test_field_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match="longer than 3"):
        Field("a", 0, 3, "A").encode("ALOS")
    with pytest.raises(ValueError, match="does not fit"):
        Field("i", 0, 2, "I").encode(123)
    with pytest.raises(ValueError, match="not an integer"):
        Field("i", 0, 4, "I").encode(1.5)
    with pytest.raises(ValueError, match="binary byte"):
        Field("b", 0, 1, "B").encode(256)
    with pytest.raises(ValueError, match="finite"):
        Field("f", 0, 8, "F").encode(float("nan"))
    with pytest.raises(ValueError, match="format"):
        Field("x", 0, 4, "Z")


def test_float_fields_keep_as_many_digits_as_fit():
    f = Field("f", 0, 10, "F", ".15E")          # the spec is too long for 10 characters
    text = f.encode(1234.56789012345)
    assert len(text) == 10 and abs(f.decode(text) - 1234.56789012345) < 1e-5


# ---------------------------------------------------------------------------- layouts
LAYOUT = RecordLayout("test", (18, 99, 18, 20), sequential(12, [
    ("name", 8, "A"), ("count", 4, "I"), (None, 4, "A"), ("value", 16, "F", ".6f"), ("flag", 2, "B"),
]), length=128, repeats=(Repeat("items", 64, 8, "count", sequential(0, [("x", 8, "F", ".2f")])),))


def test_sequential_offsets():
    assert [(f.name, f.offset, f.length) for f in LAYOUT.fields[6:]] == [
        ("name", 12, 8), ("count", 20, 4), ("value", 28, 16), ("flag", 44, 2)]


def test_pack_unpack_round_trip():
    buf = LAYOUT.pack({"name": "ALOS", "value": 3.25, "flag": -3, "items": [{"x": 1.5}, {"x": -2.0}]},
                      sequence=7)
    assert len(buf) == 128
    assert struct.unpack(">I4BI", buf[:12]) == (7, 18, 99, 18, 20, 128)
    assert buf[20:24] == b"   2"                  # the repeat count written into its field
    assert buf[24:28] == b"    "                  # spare: blank
    v = LAYOUT.unpack(buf)
    assert (v["name"], v["count"], v["value"], v["flag"]) == ("ALOS", 2, 3.25, -3)
    assert v["items"] == [{"x": 1.5}, {"x": -2.0}]


def test_pack_refuses_unknown_names_and_wrong_lengths():
    with pytest.raises(ValueError, match="unknown field"):
        LAYOUT.pack({"nmae": "x"}, sequence=1)
    with pytest.raises(ValueError, match="record length is 128"):
        LAYOUT.pack({}, sequence=1, length=100)
    with pytest.raises(ValueError, match="do not fit"):
        LAYOUT.pack({"items": [{"x": 1.0}] * 9}, sequence=1)


def test_overlapping_or_oversized_fields_are_rejected():
    with pytest.raises(ValueError, match="overlap"):
        RecordLayout("bad", None, (Field("a", 12, 8, "A"), Field("b", 16, 4, "I")))
    with pytest.raises(ValueError, match="beyond the record length"):
        RecordLayout("bad", None, (Field("a", 12, 8, "A"),), length=16)
    with pytest.raises(ValueError, match="twice"):
        RecordLayout("bad", None, (Field("a", 12, 4, "A"), Field("a", 16, 4, "A")))


def test_numpy_dtype_of_a_binary_layout():
    dt = alos_ceos.SIGNAL_DATA.dtype(1000)
    assert dt.itemsize == 1000
    assert dt.fields["prf_mhz"][1] == 56 and dt.fields["prf_mhz"][0] == np.dtype(">i4")
    assert dt.fields["tx_polarization"][0] == np.dtype(">i2")
    assert dt.fields["record_type_code"][0] == np.dtype("u1")


# ---------------------------------------------------------------------------- JAXA positions
@pytest.mark.parametrize("layout,name,jaxa_first_byte,length", [
    # JAXA / CEOS byte numbers (1-based) of the fields readers rely on
    (alos_ceos.LEADER_FDR, "n_dataset_summary", 181, 6),
    (alos_ceos.LEADER_FDR, "n_platform_position", 205, 6),
    (alos_ceos.LEADER_FDR, "n_calibration", 337, 6),
    (alos_ceos.LEADER_FDR, "n_facility_1", 421, 6),
    (alos_ceos.DATA_SET_SUMMARY, "wavelength", 501, 16),
    (alos_ceos.DATA_SET_SUMMARY, "sampling_rate_mhz", 711, 16),
    (alos_ceos.DATA_SET_SUMMARY, "pulse_length_us", 743, 16),
    (alos_ceos.DATA_SET_SUMMARY, "dc_bias_i", 819, 16),
    (alos_ceos.DATA_SET_SUMMARY, "nominal_prf_mhz", 935, 16),
    (alos_ceos.DATA_SET_SUMMARY, "product_level", 1095, 16),
    (alos_ceos.DATA_SET_SUMMARY, "off_nadir_angle", 1839, 16),
    (alos_ceos.DATA_SET_SUMMARY, "annotation_points", 2007, 8),
    (alos_ceos.PLATFORM_POSITION, "n_data_points", 141, 4),
    (alos_ceos.PLATFORM_POSITION, "seconds_of_day", 161, 22),
    (alos_ceos.PLATFORM_POSITION, "interval", 183, 22),
    (alos_ceos.IMAGE_FDR, "n_sar_records", 181, 6),
    (alos_ceos.IMAGE_FDR, "sar_record_length", 187, 6),
    (alos_ceos.IMAGE_FDR, "prefix_bytes", 277, 4),
    (alos_ceos.IMAGE_FDR, "sar_data_bytes", 281, 8),
    (alos_ceos.IMAGE_FDR, "sar_data_format_code", 429, 4),
    (alos_ceos.SIGNAL_DATA, "line_number", 13, 4),
    (alos_ceos.SIGNAL_DATA, "millisecond_of_day", 45, 4),
    (alos_ceos.SIGNAL_DATA, "channel_indicator", 49, 2),
    (alos_ceos.SIGNAL_DATA, "prf_mhz", 57, 4),
    (alos_ceos.SIGNAL_DATA, "chirp_length_ns", 69, 4),
    (alos_ceos.SIGNAL_DATA, "slant_range_m", 117, 4),
    (alos_ceos.SIGNAL_DATA, "frame_counter", 285, 4),
])
def test_field_positions_follow_jaxa(layout, name, jaxa_first_byte, length):
    f = layout.field(name)
    assert (f.offset + 1, f.length) == (jaxa_first_byte, length)


def test_fixed_record_lengths_of_alos_level_1_0():
    assert alos_ceos.LEADER_FDR.length == alos_ceos.IMAGE_FDR.length == 720
    assert alos_ceos.DATA_SET_SUMMARY.length == 4096
    assert alos_ceos.ATTITUDE.length == 8192
    assert alos_ceos.CALIBRATION.length == 13212
    # 28 state vectors -> JAXA's 4680-byte platform position record
    assert 386 + 28 * 132 + alos_ceos.PLATFORM_TRAILER_BYTES == 4680
    assert max(f.end for f in alos_ceos.IMAGE_FDR.fields) == 448   # then 272 blanks


# ---------------------------------------------------------------------------- reading
def _two_records(tmp_path):
    a = LAYOUT.pack({"name": "one", "value": 1.0}, sequence=1)
    b = LAYOUT.pack({"name": "two", "value": 2.0}, sequence=2)
    path = tmp_path / "recs.bin"
    path.write_bytes(a + b)
    return path, a, b


def test_reader_reads_and_validates_in_sequence(tmp_path):
    path, *_ = _two_records(tmp_path)
    with CeosReader(path, "test file") as rd:
        r1 = rd.read(LAYOUT)
        r2 = rd.read(LAYOUT, length=128)
        assert (r1.sequence, r1.offset, r1["name"]) == (1, 0, "one")
        assert (r2.sequence, r2.offset, r2["value"]) == (2, 128, 2.0)
        assert rd.at_end
        with pytest.raises(InputError, match=r"record 3 \(test\) at byte offset 256: .*ends here"):
            rd.read(LAYOUT)


@pytest.mark.parametrize("patch,message", [
    (lambda b: b[:128] + struct.pack(">I", 5) + b[132:], "record sequence number is 5"),
    (lambda b: b[:133] + b"\x07" + b[134:], r"record type codes are \(18, 7, 18, 20\)"),
    (lambda b: b[:136] + struct.pack(">I", 100) + b[140:],
     r"record length field \(bytes 9-12\) is 100, expected 128"),
    (lambda b: b[:200], "truncated: the record needs 128 bytes"),
    (lambda b: b[:134], "truncated: only 6 byte"),
    (lambda b: b[:128 + 20] + b"  x!" + b[152:],
     r"field 'count' \(bytes 21-24 of the record, file byte offset 148\) holds '  x!'"),
])
def test_reader_errors_name_file_record_and_offset(tmp_path, patch, message):
    path, a, b = _two_records(tmp_path)
    path.write_bytes(patch(a + b))
    with CeosReader(path, "test file") as rd:
        rd.read(LAYOUT)
        with pytest.raises(InputError, match=r"record 2 \(test\) at byte offset 128: " + message) as err:
            rd.read(LAYOUT)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        CeosReader(tmp_path / "nope")


def test_fixed_records_bulk_checks(tmp_path):
    reclen, n = 40, 6
    layout = RecordLayout("line", (50, 10, 18, 20), (), fill=b"\0")
    data = b"".join(layout.pack({}, sequence=2 + i, length=reclen) for i in range(n))
    path = tmp_path / "img.bin"
    path.write_bytes(b"H" * 16 + data)
    recs = open_fixed_records(path, 16, reclen, n, name="line", first_sequence=2)
    check_fixed_records(path, recs, offset=16, record_length=reclen, first_sequence=2,
                        codes=(50, 10, 18, 20), name="line")
    bad = bytearray(path.read_bytes())
    bad[16 + 3 * reclen + 5] = 11
    path.write_bytes(bytes(bad))
    recs = open_fixed_records(path, 16, reclen, n, name="line", first_sequence=2)
    with pytest.raises(InputError,
                       match=rf"record 5 \(line\) at byte offset {16 + 3 * reclen}: record type codes"):
        check_fixed_records(path, recs, offset=16, record_length=reclen, first_sequence=2,
                            codes=(50, 10, 18, 20), name="line")
    path.write_bytes(bytes(bad[:16 + 4 * reclen + 7]))
    where = rf"record 6 \(line\) at byte offset {16 + 4 * reclen}"
    with pytest.raises(InputError, match=where + ": truncated: .* 7 bytes into"):
        open_fixed_records(path, 16, reclen, n, name="line", first_sequence=2)
