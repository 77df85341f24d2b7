"""Goldstein–Werner adaptive power-spectral filter of interferograms (ISCE2
``mroipac/filter``: ``psfilt`` followed by ``rescale_magnitude``).

The interferogram is cut into overlapping square windows (``window`` = 32
pixels, advanced by ``step`` = 16 lines and pixels, as ISCE). In each window

    Z = FFT2(z),   H = (|Z_s| / max |Z_s|)^alpha,   z_f = IFFT2(H Z)

where ``Z_s`` is ``|Z|``, optionally smoothed over ``psd_smooth`` x
``psd_smooth`` frequency bins (``psd_smooth=1``, the default, is ISCE's
psfilt: no smoothing; Goldstein & Werner (1998) smooth with a small box),
and ``alpha`` in [0, 1] is the ``filter strength``: 0 leaves the
interferogram unchanged, 1 filters hardest. Dominant fringe frequencies are
kept, the noise floor is suppressed. The filtered windows are multiplied by
a triangular taper ``1 - |2 (i - (N-1)/2) / (N + 1)|`` in each direction
and added up; the sum is divided by the sum of the tapers, so pixels near
the image edges are treated like any other (the image is zero-padded, ISCE
lets the edges fade). ISCE centres its taper on ``i = N/2``, half a pixel
off the window centre, which biases the phase of fringes that do not fall
on an FFT bin by ~0.01 rad; centred, the bias is 0. Finally, as ISCE's
``rescale_magnitude``, the filtered phase is combined with the original
magnitude: ``out = |z| exp(i arg z_f)``.

Invalid samples (NaN, inf or exactly 0, ISCE's fill value) enter the FFTs
as 0; on output a 0 input stays 0 and a NaN input stays NaN. The window grid
is global (fixed to the image origin), so processing in blocks of lines
gives bit-for-bit the result of filtering the whole image at once; blocks
are filtered ``workers`` at a time in threads.

``goldstein`` filters an array; ``filter_raster`` reads an isce.io raster
(``topophase.flat``) in blocks and writes the filtered one
(``filt_topophase.flat``, CFLOAT) atomically with its sidecars.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import isce.io
from isce.core.threads import kernel_threads
from isce.ext import load

from ._arrays import progress_blocks
from ._lines import Lines

__all__ = ["goldstein", "filter_raster", "taper"]

#: ISCE's psfilt window (NFFT) and step
WINDOW = 32
STEP = 16


def taper(window: int) -> np.ndarray:
    """1-D triangular overlap-add weight ``1 - |2 (i - (N-1)/2) / (N + 1)|`` (ISCE's, centred);
    with ``step = N/2`` the shifted copies add up to a constant."""
    i = np.arange(window)
    return 1.0 - np.abs(2.0 * (i - (window - 1) / 2.0) / (window + 1))


def _check(alpha, window, step, psd_smooth):
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0 or not np.isfinite(alpha):
        raise ValueError(f"filter strength (alpha) must be in [0, 1], got {alpha!r}")
    for name, v in (("window", window), ("step", step), ("psd_smooth", psd_smooth)):
        if isinstance(v, bool) or int(v) != v or int(v) < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    window, step, psd_smooth = int(window), int(step), int(psd_smooth)
    if step > window:
        raise ValueError(f"step ({step}) must not exceed the window ({window})")
    return alpha, window, step, psd_smooth


def _ext():
    return load("_interferogram")


def _valid(z):
    return np.isfinite(z.real) & np.isfinite(z.imag) & (z != 0)


class _Grid:
    """The global window grid: window ``k`` starts at line/pixel ``k * step - pad``."""

    def __init__(self, window, step):
        self.window, self.step = window, step
        self.pad = window - step          # every pixel is covered by the same windows count

    def starts(self, lo, hi):
        """Starts of the windows touching output rows lo..hi (lo, hi multiples of step)."""
        first = lo - self.pad
        last = hi - self.step             # the last window start that covers row hi-1
        return first, last


def _filter_rows(read_rows, lo, hi, length, width, alpha, grid, psd_smooth, rescale, workers):
    """Filter output rows lo..hi (lo a multiple of step); ``read_rows(a, b)`` returns
    image rows a..b (0 <= a <= b <= length) as complex."""
    from scipy import fft as sfft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    W, S = grid.window, grid.step
    first, last = grid.starts(lo, lo + -(-(hi - lo) // S) * S)
    rows_needed = (first, last + W)                       # image rows first..last+W (may lie outside)
    a, b = max(rows_needed[0], 0), min(rows_needed[1], length)
    n_win_x = -(-(width + grid.pad) // S)                 # windows starting at -pad, -pad+S, ...
    cols = (n_win_x - 1) * S + W
    buf = np.zeros((rows_needed[1] - rows_needed[0], cols), np.complex64)
    z = np.ascontiguousarray(read_rows(a, b), dtype=np.complex64)
    buf[a - rows_needed[0]:b - rows_needed[0], grid.pad:grid.pad + width] = np.where(_valid(z), z, 0)

    tiles = sliding_window_view(buf, (W, W))[::S, ::S]          # (n_win_y, n_win_x, W, W) view
    # one window copy, transformed, weighted and transformed back in place (each further
    # copy is fresh pages: page faults cost more than the FFTs' arithmetic)
    spec = sfft.fft2(np.ascontiguousarray(tiles), axes=(-2, -1), workers=workers,
                     overwrite_x=True)
    if alpha > 0:
        _ext().goldstein_weight(spec, alpha, psd_smooth, workers)
    out_tiles = np.ascontiguousarray(sfft.ifft2(spec, axes=(-2, -1), workers=workers,
                                                overwrite_x=True))
    # tapered overlap-add, divided by the summed tapers, magnitude restored, masks applied
    return _ext().goldstein_overlap(out_tiles, S, lo - rows_needed[0], grid.pad,
                                    np.ascontiguousarray(z[lo - a:hi - a]), rescale, workers)


def _block_lines(width, step, block_lines):
    if block_lines is None:
        # ~8 MiB of complex128 per window copy (each pixel appears (window/step)^2 times)
        block_lines = max(step, (8 * 2 ** 20) // max(1, 16 * 4 * (width + WINDOW)))
    return max(1, int(block_lines) // step) * step


def _workers(workers):
    if workers is None or int(workers) < 1:
        return max(1, min(os.cpu_count() or 1, 4))
    return kernel_threads(workers)  # never more than the CPUs


def _blocks(reader, alpha, grid, psd_smooth, rescale, block_lines, workers, progress=False):
    """Yield ``(rows, filtered rows)`` in order; blocks are computed ``workers`` at a time
    in threads (NumPy and scipy.fft release the GIL). The result does not depend on
    the blocking or the threads."""
    length, width = reader.shape
    n = _block_lines(width, grid.step, block_lines)
    starts = list(range(0, length, n))

    def run(lo):
        hi = min(lo + n, length)
        return slice(lo, hi), _filter_rows(lambda a, b: reader(slice(a, b)), lo, hi, length, width, alpha,
                                           grid, psd_smooth, rescale, 1)

    nw = _workers(workers)
    if nw == 1 or len(starts) == 1:
        yield from progress_blocks(map(run, starts), len(starts), progress, "filter")
        return
    with ThreadPoolExecutor(nw) as pool:
        it = iter(starts)
        # range first: zip stops on it without drawing one more start from `it`
        pending = [pool.submit(run, lo) for _, lo in zip(range(2 * nw), it)]
        for _ in progress_blocks(range(len(starts)), len(starts), progress, "filter"):
            result = pending.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(run, nxt))
            yield result


def goldstein(interferogram, alpha: float = 0.5, *, window: int = WINDOW, step: int = STEP,
              psd_smooth: int = 1, rescale: bool = True, block_lines=None, workers=None):
    """Goldstein–Werner filtered copy of a complex interferogram (complex64).

    Parameters
    ----------
    interferogram : complex array (length, width), a path or an isce.io Raster
    alpha : float in [0, 1]
        Filter strength (ISCE's ``filter strength``); 0 is the identity.
    window, step : int
        FFT window size and its advance, in lines and pixels (32, 16 as ISCE).
    psd_smooth : int
        Box size (in frequency bins) of the smoothing of ``|Z|`` before it is
        raised to ``alpha``; 1 (default) = no smoothing, as ISCE's psfilt.
    rescale : bool
        Give the output the input's magnitude (ISCE's rescale_magnitude).
    block_lines : int, optional
        Lines per block (rounded to a multiple of ``step``); the result does
        not depend on it.
    workers : int, optional
        Blocks filtered at the same time, in threads (default: the CPUs, at most 4)."""
    alpha, window, step, psd_smooth = _check(alpha, window, step, psd_smooth)
    reader = Lines(interferogram, "interferogram")
    out = np.empty(reader.shape, np.complex64)
    for rows, block in _blocks(reader, alpha, _Grid(window, step), psd_smooth, rescale,
                               block_lines, workers):
        out[rows] = block
    return out


def filter_raster(interferogram, output, alpha: float = 0.5, *, window: int = WINDOW,
                  step: int = STEP, psd_smooth: int = 1, rescale: bool = True,
                  block_lines=None, workers=None, progress: bool = False):
    """Filter an interferogram on disk (e.g. ``topophase.flat``) into ``output``
    (e.g. ``filt_topophase.flat``): CFLOAT, image type ``cpx``, written block
    by block, atomically, with its sidecars. Returns ``output``.

    ``interferogram`` may be a path, an isce.io Raster or a 2-D array-like.
    Options as :func:`goldstein`."""
    alpha, window, step, psd_smooth = _check(alpha, window, step, psd_smooth)
    reader = Lines(interferogram, "interferogram")
    length, width = reader.shape
    with isce.io.create(output, width, length, "CFLOAT", image_type="cpx") as out:
        for rows, block in _blocks(reader, alpha, _Grid(window, step), psd_smooth, rescale,
                                   block_lines, workers, progress):
            out.write_rows(block, rows)           # pwrite: no map left resident
    return output
