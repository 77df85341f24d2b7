"""Goldstein filter and phase sigma of its output in one pass (insarApp's ``filter`` step).

:func:`filter_phsig_raster` writes the same two rasters as
:func:`isce.signal.filter.filter_raster` followed by
:func:`isce.signal.phsig.phsig_raster` on its output (``filt_topophase.flat``,
``phsig.cor``), with the same values (the same kernels on the same rows), but
the phase sigma of a block of lines starts as soon as the filtered lines its
windows need are done, taken from memory instead of re-read from the written
file: the two stages overlap on the CPUs (the filter's blocks and phase-sigma
blocks run in threads at the same time) instead of the phase sigma waiting for
the whole filtered image. Only the filtered lines that a pending phase-sigma
block still needs are kept.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import isce.io

from . import filter as _filter
from . import phsig as _phsig
from ._arrays import progress_blocks
from ._lines import Lines

__all__ = ["filter_phsig_raster"]


class _Rows:
    """The filtered lines received so far that later phase-sigma blocks still need."""

    def __init__(self):
        self.chunks = []                  # (first row, block) in row order
        self.stop = 0                     # rows 0..stop have been received

    def add(self, rows, block):
        self.chunks.append((rows.start, block))
        self.stop = rows.stop

    def take(self, rows):
        """A new array of lines ``rows`` (all received)."""
        parts = [b[max(rows.start - s, 0):max(min(rows.stop - s, len(b)), 0)]
                 for s, b in self.chunks if s < rows.stop and s + len(b) > rows.start]
        return np.concatenate(parts) if len(parts) > 1 else parts[0].copy()

    def drop_before(self, row):
        """Forget the chunks that end at or before line ``row``."""
        self.chunks = [(s, b) for s, b in self.chunks if s + len(b) > row]


def filter_phsig_raster(interferogram, filtered, phsig, alpha: float = 0.5, *,
                        window: int = _filter.WINDOW, step: int = _filter.STEP,
                        psd_smooth: int = 1, sigma_window: int = 5, slope_window: int = 5,
                        nlooks: float = _phsig.NLOOKS, min_samples: int = 3,
                        block_lines=None, sigma_block_lines=None, workers=None,
                        progress: bool = False):
    """Filter ``interferogram`` (path, isce.io Raster or 2-D array-like) into ``filtered``
    (CFLOAT, ``cpx``) and write the phase-sigma coherence of the filtered one to ``phsig``
    (FLOAT, ``cor``). Options as :func:`isce.signal.filter.filter_raster` (``window``,
    ``step``, ``psd_smooth``, ``block_lines``) and :func:`isce.signal.phsig.phsig_raster`
    (``sigma_window`` = its ``window``, ``slope_window``, ``nlooks``, ``min_samples``,
    ``sigma_block_lines`` = its ``block_lines``). Returns ``(filtered, phsig)``."""
    alpha, window, step, psd_smooth = _filter._check(alpha, window, step, psd_smooth)
    win = _phsig._check_window("window", sigma_window)
    swin = _phsig._check_window("slope_window", slope_window)
    reader = Lines(interferogram, "interferogram")
    length, width = reader.shape
    overlap = win // 2 + swin // 2 + 1
    if sigma_block_lines is None:
        # half phsig_raster's blocks (128 lines at 1024 pixels): the first starts sooner and
        # the kernel's ~80 B/pixel scratch is 10 MiB per thread; 8% more lines computed
        # (the windows' overlap), paid back by fewer fresh pages (measured: same CPU or less)
        sigma_block_lines = max(32, (2 * 2 ** 20) // max(1, 16 * width))
    windows = deque(isce.io.iter_windows(length, max(1, int(sigma_block_lines)), overlap))
    total = len(windows)

    def sigma(wdw, z):
        cor, _ = _phsig._phase_sigma_block(z, win, swin, nlooks, min_samples)
        return wdw.write, cor[wdw.keep]

    rows = _Rows()
    pending = deque()
    with isce.io.create(filtered, width, length, "CFLOAT", image_type="cpx") as fout, \
            isce.io.create(phsig, width, length, "FLOAT", image_type="cor") as pout, \
            ThreadPoolExecutor(_phsig._workers(workers)) as pool:
        blocks = _filter._blocks(reader, alpha, _filter._Grid(window, step), psd_smooth, True,
                                 block_lines, workers, progress)
        for out_rows, block in blocks:
            rows.add(out_rows, block)
            while windows and windows[0].read.stop <= rows.stop:
                wdw = windows.popleft()
                pending.append(pool.submit(sigma, wdw, rows.take(wdw.read)))
                rows.drop_before(windows[0].read.start if windows else length)
            fout.write_rows(block, out_rows)          # pwrite: no map left resident
            while pending and pending[0].done():
                pout.write_rows(*reversed(pending.popleft().result()))
        for future in progress_blocks(list(pending), total, progress, "phsig"):
            pout.write_rows(*reversed(future.result()))
    return filtered, phsig
