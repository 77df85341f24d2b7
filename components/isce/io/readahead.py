"""Fetch the next block while the caller computes on this one.

Block-wise drivers alternate reading (``Raster.read_rows``: ``os.preadv``, GIL released; a
sensor's decoder) and computing or writing (compiled kernels and ``pwrite``, GIL released).
Run one after the other, one core idles during each read; here block ``k + 1`` is fetched in
a worker thread while the caller works on block ``k``, so at most two blocks are held at once.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["prefetch", "read_ahead", "read_rows_kept"]

_END = object()


def prefetch(iterator):
    """The items of ``iterator``, each next one produced (``next``) by a worker thread while
    the caller holds the current one. An exception raised producing an item is raised here,
    at that item. Closing the generator early waits for the item in flight and drops it."""
    iterator = iter(iterator)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="isce-read-ahead") as pool:
        pending = pool.submit(next, iterator, _END)
        while True:
            item = pending.result()
            if item is _END:
                return
            pending = pool.submit(next, iterator, _END)
            yield item
            del item                      # not kept while the one after next is produced


def read_ahead(items, read):
    """Yield ``(item, read(item))`` for each of ``items`` in order, ``read`` of the next item
    running in a worker thread while the caller holds the current one (:func:`prefetch`)."""
    return prefetch((item, read(item)) for item in items)


def read_rows_kept(raster, rows, kept: dict, key):
    """``raster.read_rows(rows)`` (an isce.io Raster's whole lines, every band, read through
    the file) into ``kept[key]``, a buffer kept (grown when short) from one block to the next:
    the same pages, not fresh ones faulted in and zeroed each time. :func:`read_ahead` holds
    two blocks at once: give the even and the odd blocks a ``kept`` dict each. The result is
    a view of the buffer, valid until the buffer's next read."""
    start, stop, _ = rows.indices(raster.length)
    shape = (max(stop - start, 0),) + tuple(raster.info.file_shape[1:])
    buf = kept.get(key)
    if buf is None or buf.shape[0] < shape[0] or buf.shape[1:] != shape[1:] \
            or buf.dtype != raster.dtype:
        buf = kept[key] = np.empty(shape, raster.dtype)
    return raster.read_rows(rows, out=buf[:shape[0]])
