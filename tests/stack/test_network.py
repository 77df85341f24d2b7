"""The interferogram network (isce.stack.network): ISCE2 stackStripMap's small-baseline
selection (strict thresholds), sequential n-nearest pairs, and both together."""
import pytest
from isce.stack.network import (days_between, select_pairs, sequential_pairs,
                                small_baseline_pairs)

DATES = ["20200101", "20200113", "20200125", "20200206", "20200218"]
BPERP = {"20200101": 0.0, "20200113": 150.0, "20200125": -60.0, "20200206": 300.0,
         "20200218": 20.0}


def test_days_between_counts_calendar_days():
    assert days_between("20200101", "20200113") == 12
    assert days_between("20191231", "20200301") == 61          # across a year and Feb 29
    assert days_between("20200113", "20200101") == -12


def test_small_baseline_thresholds_are_strict():
    # 12 days apart is NOT below 12 (ISCE2: dt < dtThr)
    assert small_baseline_pairs(DATES, BPERP, 12, 1e9) == []
    assert small_baseline_pairs(DATES, BPERP, 13, 1e9) == [
        ("20200101", "20200113"), ("20200113", "20200125"), ("20200125", "20200206"),
        ("20200206", "20200218")]
    # |150 - 0| = 150 is NOT below 150 (db < dbThr); |-60 - 0| = 60 is
    pairs = small_baseline_pairs(DATES, BPERP, 1e9, 150.0)
    assert ("20200101", "20200113") not in pairs and ("20200101", "20200125") in pairs
    assert ("20200113", "20200125") not in pairs             # |-60 - 150| = 210
    assert ("20200125", "20200218") in pairs                 # |20 + 60| = 80


def test_small_baseline_both_thresholds_and_order():
    pairs = small_baseline_pairs(reversed(DATES), BPERP, 30.0, 100.0)
    assert pairs == [("20200101", "20200125"), ("20200125", "20200218")]
    assert all(a < b for a, b in pairs)


def test_sequential_n_nearest():
    assert sequential_pairs(DATES, 1) == list(zip(DATES, DATES[1:]))
    two = sequential_pairs(DATES, 2)
    assert len(two) == 4 + 3 and ("20200101", "20200125") in two
    assert ("20200101", "20200206") not in two
    assert len(sequential_pairs(DATES, 10)) == 10             # every pair of 5 dates


def test_select_pairs_combines_sequential_and_thresholds():
    assert select_pairs(DATES, BPERP) == sequential_pairs(DATES, 10)   # ISCE2 defaults: all
    pairs = select_pairs(DATES, BPERP, max_perp_m=200.0, sequential=2)
    # the 2 next dates of each, minus |dB| >= 200 m: (13,25) 210, (25,06) 360, (06,18) 280
    assert pairs == [("20200101", "20200113"), ("20200101", "20200125"),
                     ("20200113", "20200206"), ("20200125", "20200218")]


@pytest.mark.parametrize("dates", [[], ["20200101"]])
def test_fewer_than_two_dates_make_no_pair(dates):
    assert select_pairs(dates, BPERP) == [] and sequential_pairs(dates, 3) == []
