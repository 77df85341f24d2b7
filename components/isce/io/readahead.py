"""Read the next block while the caller computes on this one.

Block-wise drivers alternate reading (``Raster.read_rows``: ``os.preadv``, GIL released)
and computing (compiled kernels, GIL released, OpenMP). Run one after the other, one
core idles during each read; :func:`read_ahead` reads block ``k + 1`` in a worker
thread while the caller works on block ``k``, so at most two blocks are held at once.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

__all__ = ["read_ahead"]

_END = object()


def read_ahead(items, read):
    """Yield ``(item, read(item))`` for each of ``items`` in order, ``read`` of the next
    item running in a worker thread while the caller holds the current one.

    ``read``: a function of one item (e.g. a row slice) returning its data; an exception
    it raises is raised here, at that item. Closing the generator early waits for the
    read in flight and discards it."""
    items = iter(items)
    item = next(items, _END)
    if item is _END:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="isce-read-ahead") as pool:
        pending = pool.submit(read, item)
        while item is not _END:
            data = pending.result()
            following = next(items, _END)
            if following is not _END:
                pending = pool.submit(read, following)
            yield item, data
            item = following
