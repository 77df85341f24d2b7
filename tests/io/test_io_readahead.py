"""isce.io.readahead: the next block is read in a thread while the caller holds this one."""
import threading

import pytest

import numpy as np

from isce.io.readahead import prefetch, read_ahead


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


def test_prefetch_keeps_order_two_items_and_errors():
    """The next block is fetched by a thread while the current one is used: same items in
    the same order, never more than the current and the next one fetched, and a reader's
    error reaches the caller."""
    fetched, threads = [], set()

    def blocks():
        for i in range(6):
            fetched.append(i)
            threads.add(threading.current_thread().name)
            yield slice(i, i + 1), np.full(3, i)

    seen = []
    for rows, block in prefetch(blocks()):
        assert len(fetched) - len(seen) <= 2          # this one and at most the next
        seen.append(int(block[0]))
    assert seen == list(range(6)) and threading.current_thread().name not in threads

    def failing():
        yield slice(0, 1), np.zeros(1)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        for _ in prefetch(failing()):
            pass
