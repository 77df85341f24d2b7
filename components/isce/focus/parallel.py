"""Element-wise NumPy work split over the CPUs (NumPy releases the GIL in its loops).

``parallel_rows(fn, n)`` calls ``fn(r0, r1)`` on contiguous row ranges covering
``[0, n)``, one per thread of a shared pool sized like the FFTs
(:func:`isce.focus.fft.threads`); small jobs run inline. ``fn`` must only touch
its own rows.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from isce.core.threads import kernel_threads

from . import fft as _fft

__all__ = ["parallel_rows"]

_pool = None
_pool_size = 0
_lock = threading.Lock()
#: fewer rows than this run in the calling thread
MIN_ROWS = 64


def _executor(n: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != n:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="isce-focus")
            _pool_size = n
        return _pool


def parallel_rows(fn, n: int, threads: int | None = None) -> None:
    """Run ``fn(r0, r1)`` over ``[0, n)`` split in ``threads`` parts (default: FFT threads)."""
    threads = _fft.threads() if threads is None else kernel_threads(threads)
    n = int(n)
    if threads <= 1 or n < MIN_ROWS * 2:
        if n > 0:
            fn(0, n)
        return
    parts = min(threads, n // MIN_ROWS)
    edges = [n * k // parts for k in range(parts + 1)]
    pool = _executor(threads)
    futures = [pool.submit(fn, edges[k], edges[k + 1]) for k in range(1, parts)]
    fn(edges[0], edges[1])                      # the caller takes the first part
    for fut in futures:
        fut.result()
