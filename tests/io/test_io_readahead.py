"""isce.io.readahead: the next block is read in a thread while the caller holds this one."""
import threading

import pytest

from isce.io.readahead import read_ahead


def test_items_come_in_order_with_their_data_and_reads_overlap():
    started = []
    second_started = threading.Event()

    def read(k):
        started.append(k)
        if k == 1:
            second_started.set()
        return k * 10

    seen = []
    for k, data in read_ahead(range(4), read):
        if k == 0:                  # item 1 is being read while the caller holds item 0
            assert second_started.wait(5)
        seen.append((k, data))
    assert seen == [(0, 0), (1, 10), (2, 20), (3, 30)]
    assert started == [0, 1, 2, 3]


def test_no_items_no_reads():
    assert list(read_ahead([], lambda k: pytest.fail("read called"))) == []


def test_a_failed_read_is_raised_at_its_item():
    def read(k):
        if k == 2:
            raise OSError("disk gone")
        return k

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for k, _ in read_ahead(range(5), read):
            got.append(k)
    assert got == [0, 1]
