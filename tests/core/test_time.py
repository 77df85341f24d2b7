"""DateTime / TimeDelta: parsing to the nanosecond, exact arithmetic, formatting, NISAR epochs."""
import datetime as dt
import json
import pickle
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from isce.core.time import (DateTime, TimeDelta, datetime64_from_seconds, epoch_from_units,
                            parse_datetime, units_from_epoch)

UNIX = dt.datetime(1970, 1, 1)


def ns_of(y, mo, d, h=0, mi=0, s=0, ns=0):
    """Independent reference: integer ns since 1970 through the standard library."""
    delta = dt.datetime(y, mo, d, h, mi, s) - UNIX
    return (delta.days * 86400 + delta.seconds) * 10**9 + ns


@pytest.mark.parametrize("text,expected", [
    ("2003-02-26T17:55:33.993088889", ns_of(2003, 2, 26, 17, 55, 33, 993088889)),
    ("2003-02-26 17:55:33.993088889", ns_of(2003, 2, 26, 17, 55, 33, 993088889)),
    ("2003-02-24 00:00:00", ns_of(2003, 2, 24)),
    ("2003-02-24T00:00:00", ns_of(2003, 2, 24)),
    ("2003-02-24T00:00:00.000000", ns_of(2003, 2, 24)),
    ("2021-07-01 00:00:00.000000000", ns_of(2021, 7, 1)),
    ("2003-02-24", ns_of(2003, 2, 24)),
    ("2021-07-01T03:20:03.499890765", ns_of(2021, 7, 1, 3, 20, 3, 499890765)),
    ("2021-07-01T03:20:03.4578", ns_of(2021, 7, 1, 3, 20, 3, 457800000)),
    ("2012-07-15 14:36:47", ns_of(2012, 7, 15, 14, 36, 47)),
    ("2003-02-26T17:55:34.1228937044", ns_of(2003, 2, 26, 17, 55, 34, 122893704)),   # 10 digits: rounded
    ("2003-02-26T17:55:34.1228937045", ns_of(2003, 2, 26, 17, 55, 34, 122893705)),
    ("2003-12-31T23:59:59.9999999999", ns_of(2004, 1, 1)),                           # rounds over
    ("2003-02-24T00:00:00Z", ns_of(2003, 2, 24)),
    ("2003-02-24T02:00:00+02:00", ns_of(2003, 2, 24)),
    ("  2003-02-24 00:00:00  ", ns_of(2003, 2, 24)),
    ("1960-03-01T12:00:00.5", ns_of(1960, 3, 1, 12, 0, 0, 500000000)),
    ("2400-02-29T00:00:00", ns_of(2400, 2, 29)),
])
def test_parse_forms(text, expected):
    d = parse_datetime(text)
    assert d.nanoseconds_since_unix_epoch == expected
    assert DateTime(text) == d
    assert parse_datetime(text.encode()) == d


def test_fields_and_isoformat():
    d = DateTime("2003-02-26T17:55:33.993088889")
    assert (d.year, d.month, d.day, d.hour, d.minute, d.second, d.nanosecond) == \
        (2003, 2, 26, 17, 55, 33, 993088889)
    assert d.frac == pytest.approx(0.993088889, abs=1e-15)
    assert d.isoformat() == "2003-02-26T17:55:33.993088889"
    assert str(d) == "2003-02-26T17:55:33.993088889"
    assert d.isoformat(sep=" ", digits=6) == "2003-02-26 17:55:33.993088"
    assert d.isoformat(digits=0) == "2003-02-26T17:55:33"
    assert DateTime("2003-02-24 00:00:00").isoformat() == "2003-02-24T00:00:00.000000000"
    assert DateTime(2003, 2, 26, 17, 55, 33, 993088889) == d
    assert d.seconds_of_day() == pytest.approx(17 * 3600 + 55 * 60 + 33.993088889, abs=1e-9)
    assert d.day_of_year() == 57
    assert d.date_only() == DateTime("2003-02-26")
    assert eval(repr(d), {"DateTime": DateTime}) == d


@pytest.mark.parametrize("bad", [
    "2003-02-30", "2003-13-01", "2003-02-24T24:00:00", "2003-02-24T12:60:00",
    "2003-02-24T12:00:60", "1970.1.1", "garbage", "", "2003/02/24 00:00:00", "03-02-24",
])
def test_parse_rejects(bad):
    with pytest.raises(ValueError):
        parse_datetime(bad)


def test_arithmetic_nanosecond_exact():
    epoch = DateTime("2003-02-24 00:00:00")
    t = epoch + 237330.843491759
    # independent: numpy's integer datetime arithmetic
    ref = np.datetime64("2003-02-24T00:00:00", "ns") + np.timedelta64(237330843491759, "ns")
    assert t.isoformat() == str(ref) == "2003-02-26T17:55:30.843491759"
    assert t.to_datetime64() == ref
    assert (t - epoch).nanoseconds == 237330843491759
    assert t.seconds_since(epoch) == 237330.843491759
    assert t - 237330.843491759 == epoch
    assert 237330.843491759 + epoch == t
    assert epoch + 1e-9 - epoch == TimeDelta(nanoseconds=1)
    assert (epoch + 0.1).nanosecond == 100_000_000
    # 2**-10 s = 976562.5 ns exactly: a tie, rounded half away from zero
    assert (epoch + 2.0**-10 - epoch).nanoseconds == 976563
    assert (epoch - 2.0**-10 - epoch).nanoseconds == -976563
    assert (epoch - 0.1).isoformat() == "2003-02-23T23:59:59.900000000"
    assert (epoch + TimeDelta(days=2, hours=1)).isoformat() == "2003-02-26T01:00:00.000000000"
    assert epoch + 3 == DateTime("2003-02-24T00:00:03")
    assert epoch + np.float64(0.5) == DateTime("2003-02-24T00:00:00.5")
    assert epoch + np.int64(2) == DateTime("2003-02-24T00:00:02")
    assert epoch + np.timedelta64(5, "ms") == DateTime("2003-02-24T00:00:00.005")
    assert epoch + dt.timedelta(days=1, microseconds=3) == DateTime("2003-02-25T00:00:00.000003")
    with pytest.raises(TypeError):
        epoch + epoch
    with pytest.raises(TypeError):
        epoch + "1"


@settings(max_examples=300, deadline=None)
@given(seconds=st.floats(-1.0e7, 1.0e7, allow_nan=False))
def test_add_float_rounds_exact_value_to_nearest_ns(seconds):
    epoch = DateTime("2003-02-24T00:00:00")
    expected = int((Decimal(seconds) * 10**9).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert ((epoch + seconds) - epoch).nanoseconds == expected
    assert abs((epoch + seconds).seconds_since(epoch) - seconds) <= 5e-10 + abs(seconds) * 2.3e-16


@settings(max_examples=300, deadline=None)
@given(ns=st.integers(ns_of(1700, 1, 1), ns_of(2260, 12, 31)))
def test_isoformat_round_trip_and_matches_numpy(ns):
    d = DateTime.from_nanoseconds(ns)
    iso = d.isoformat()
    assert iso == str(np.datetime64(ns, "ns"))
    assert parse_datetime(iso) == d
    assert parse_datetime(iso.replace("T", " ")) == d
    assert DateTime(np.datetime64(ns, "ns")) == d


def test_comparisons_hash_pickle_json():
    a = DateTime("2003-02-24T00:00:00")
    b = a + 1e-9
    assert a < b and b > a and a <= a and a != b and a == DateTime("2003-02-24")
    assert len({a, DateTime("2003-02-24"), b}) == 2
    assert pickle.loads(pickle.dumps(b)) == b
    assert DateTime.from_dict(json.loads(json.dumps(b.to_dict()))) == b
    assert a.is_close(b, 1e-9) and not a.is_close(b, 0.0)
    assert DateTime(dt.datetime(2003, 2, 24, 1, 2, 3, 456789)) == DateTime("2003-02-24T01:02:03.456789")
    assert DateTime("2003-02-24T01:02:03.456789999").to_datetime() == dt.datetime(2003, 2, 24, 1, 2, 3, 456789)
    assert (a == "2003-02-24") is False


def test_timedelta():
    td = TimeDelta(1.5, minutes=1)
    assert td.nanoseconds == 61_500_000_000
    assert td.total_seconds() == 61.5 and float(td) == 61.5
    assert td * 2 == TimeDelta(123) and 2 * td == TimeDelta(123)
    assert td / 2 == TimeDelta(30.75)
    assert td / TimeDelta(0.5) == 123.0
    assert -td + td == TimeDelta() and not TimeDelta()
    assert abs(-td) == td and TimeDelta(1) < td
    assert TimeDelta(1e-9) == TimeDelta(nanoseconds=1)
    assert TimeDelta.from_dict(json.loads(json.dumps(td.to_dict()))) == td
    assert str(TimeDelta(-1.25)) == "-1.250000000 s"
    assert pickle.loads(pickle.dumps(td)) == td


@pytest.mark.parametrize("units,expected", [
    ("seconds since 2003-02-24 00:00:00", "2003-02-24T00:00:00.000000000"),
    (b"seconds since 2003-02-24 00:00:00", "2003-02-24T00:00:00.000000000"),
    ("seconds since 2003-02-24T00:00:00.000000", "2003-02-24T00:00:00.000000000"),
    ("seconds since 2021-07-01 00:00:00.000000000", "2021-07-01T00:00:00.000000000"),
    ("seconds since 2021-07-01T00:00:00", "2021-07-01T00:00:00.000000000"),
    ("Seconds since 2012-07-15 14:36:47", "2012-07-15T14:36:47.000000000"),
    (np.bytes_(b"seconds since 2018-10-09 22:42:03.5"), "2018-10-09T22:42:03.500000000"),
    (np.array(b"seconds since 2003-02-24 00:00:00"), "2003-02-24T00:00:00.000000000"),
])
def test_epoch_from_units(units, expected):
    ep = epoch_from_units(units)
    assert ep.isoformat() == expected
    assert epoch_from_units(units_from_epoch(ep)) == ep


@pytest.mark.parametrize("units", ["seconds since 1970.1.1", "days since 2003-02-24", "2003-02-24", "seconds since"])
def test_epoch_from_units_rejects(units):
    with pytest.raises(ValueError, match="units"):
        epoch_from_units(units)


def test_datetime64_from_seconds():
    epoch = DateTime("2003-02-24")
    s = 237330.843491759 + np.arange(5) * 6.051746e-4
    arr = datetime64_from_seconds(epoch, s)
    assert arr.dtype == np.dtype("datetime64[ns]")
    for k in range(5):
        assert DateTime(arr[k]) == epoch + float(s[k])
