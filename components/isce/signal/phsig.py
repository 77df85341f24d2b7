"""Phase-sigma coherence (``phsig.cor``), as ISCE2's icu ``ph_slope`` + ``ph_sigma``.

ISCE2's stripmapApp runs icu with unwrapping off on the filtered
interferogram ``z`` (``filt_topophase.flat``) to write ``phsig.cor``. For
each pixel:

1. **Local phase slope** (``ph_slope``, window ``slope_window`` = 5):
   Gaussian-weighted sums of first differences

       s_r = sum w z(i, j) z*(i, j-1),   s_a = sum w z(i, j) z*(i-1, j)

   over the window; the range and azimuth slopes are ``arg s_r`` and
   ``arg s_a`` (radians per pixel).
2. **Phase standard deviation** (``ph_sigma``, window ``window`` = 5): the
   samples of the window are deramped, ``d(k, n) = z(i+k, j+n)
   exp(-i (n slope_r + k slope_a))``, their sum gives the mean phase, and the
   phases ``p(k, n) = arg(d(k, n) conj(sum d))`` relative to it are averaged
   with Gaussian weights ``w(k, n) ~ exp(-(k^2 + n^2) / (win / 2))`` (sum 1):

       sigma^2 = sum w p^2 - (sum w p)^2

3. **Correlation**: the phase variance of an ``L``-look interferogram with
   coherence ``gamma`` is (Cramér–Rao) ``sigma^2 = (1 - gamma^2) / (2 L gamma^2)``;
   inverted with ICU's ``L = 3`` (``NLKS``):

       gamma_sigma = 1 / sqrt(2 L sigma^2 + 1)

   A perfectly smooth (or perfectly linear) phase gives 1; pure noise
   (``p`` uniform in (-pi, pi], ``sigma^2 = pi^2/3``) gives ~0.23.

Differences from ISCE: samples that are missing (NaN, inf or exactly 0) are
left out of every sum and the Gaussian weights are renormalised over the
samples present (ISCE keeps their weight, biasing ``sigma`` low next to
holes), and pixels within half a window of the image edges are estimated
from the part of the window inside the image (ISCE writes 0 there). A pixel
whose own sample is missing gets 0 (NaN for a NaN sample); a pixel with
fewer than ``min_samples`` valid samples in its window gets 0.

``phase_sigma`` works on arrays, ``phsig_raster`` from an isce.io raster to
``phsig.cor`` (FLOAT, image type ``cor``), block by block.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import isce.io
from isce.core.threads import kernel_threads
from isce.ext import load

from ._arrays import progress_blocks
from ._lines import Lines

__all__ = ["phase_sigma", "phase_slope", "phsig_raster", "sigma_to_coherence", "NLOOKS"]

#: ICU's number of looks in the sigma -> correlation conversion (NLKS in ph_sigma.F)
NLOOKS = 3.0


def sigma_to_coherence(sigma, nlooks: float = NLOOKS):
    """``1 / sqrt(2 L sigma^2 + 1)``: coherence whose ``L``-look phase std is ``sigma``."""
    sigma = np.asarray(sigma, dtype=np.float64)
    return 1.0 / np.sqrt(2.0 * nlooks * sigma ** 2 + 1.0)


def _weights(win):
    k = np.arange(win) - win // 2
    w = np.exp(-(k[:, None] ** 2 + k[None, :] ** 2) / (win / 2.0))
    return w / w.sum()


def _check_window(name, win):
    if isinstance(win, bool) or int(win) != win or int(win) < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {win!r}")
    return int(win)


def _clean(block):
    z = np.asarray(block).astype(np.complex128)
    good = np.isfinite(z.real) & np.isfinite(z.imag) & (z != 0)
    return np.where(good, z, 0), good


def _box_sum(a, w):
    """``sum_{k,n} w[k, n] a[i + k - h, j + n - h]`` (zero outside), ``w`` separable."""
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    h = w.shape[0] // 2
    g = w[:, h] / np.sqrt(w[h, h])              # w[k, n] = g[k] g[n]
    if np.iscomplexobj(a):
        return _box_sum(a.real, w) + 1j * _box_sum(a.imag, w)
    out = ndimage.correlate1d(a, g, axis=0, mode="constant", cval=0.0)
    return ndimage.correlate1d(out, g, axis=1, mode="constant", cval=0.0)


def phase_slope(z, slope_window: int = 5):
    """Range and azimuth phase slopes (radians/pixel) of ``z`` (ICU ``ph_slope``).

    Returns ``(slope_range, slope_azimuth)`` float64 arrays; 0 where undefined."""
    win = _check_window("slope_window", slope_window)
    z, _ = _clean(z)
    w = _weights(win)
    # first differences: d_r(i, j) = z(i, j) z*(i, j-1), d_a(i, j) = z(i, j) z*(i-1, j)
    dr = np.zeros_like(z)
    dr[:, 1:] = z[:, 1:] * np.conj(z[:, :-1])
    da = np.zeros_like(z)
    da[1:, :] = z[1:, :] * np.conj(z[:-1, :])
    return np.angle(_box_sum(dr, w)), np.angle(_box_sum(da, w))


def _phase_sigma_block(z0, win, slope_window, nlooks, min_samples):
    """(coherence, sigma) of one block (float64), the windows cut at the block's edges: the
    compiled ``isce.ext._interferogram.phase_sigma`` (module doc; one thread, the blocks
    run in threads)."""
    z = np.asarray(z0)
    if z.dtype != np.complex64:
        z = z.astype(np.complex128)
    cor, sigma = load("_interferogram").phase_sigma(np.ascontiguousarray(z), win, slope_window,
                                                    float(nlooks), int(min_samples), True, 1)
    return cor, sigma


def _workers(workers):
    if workers is None or int(workers) < 1:
        return max(1, min(os.cpu_count() or 1, 4))
    return kernel_threads(workers)  # never more than the CPUs


def _blocks(reader, win, swin, nlooks, min_samples, block_lines, workers, progress=False):
    """Yield ``(rows written, coherence, sigma)`` block by block, in order; blocks are read
    with the overlap the windows need, so the result does not depend on the blocking, and
    are computed ``workers`` at a time in threads (NumPy releases the GIL)."""
    length, width = reader.shape
    overlap = win // 2 + swin // 2 + 1
    if block_lines is None:
        block_lines = max(32, (4 * 2 ** 20) // max(1, 16 * width))     # ~120 MiB of temporaries
    windows = list(isce.io.iter_windows(length, max(1, int(block_lines)), overlap))

    def run(wdw):
        cor, sig = _phase_sigma_block(reader(wdw.read), win, swin, nlooks, min_samples)
        return wdw.write, cor[wdw.keep], sig[wdw.keep]

    n = _workers(workers)
    if n == 1 or len(windows) == 1:
        results = map(run, windows)
        yield from progress_blocks(results, len(windows), progress, "phsig")
        return
    with ThreadPoolExecutor(n) as pool:
        pending = []
        it = iter(windows)
        for wdw in it:                      # keep at most 2n blocks in flight
            pending.append(pool.submit(run, wdw))
            if len(pending) >= 2 * n:
                break
        bar = progress_blocks(range(len(windows)), len(windows), progress, "phsig")
        for _ in bar:
            result = pending.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(run, nxt))
            yield result


def phase_sigma(interferogram, window: int = 5, slope_window: int = 5, nlooks: float = NLOOKS,
                min_samples: int = 3, return_sigma: bool = False, *, block_lines=None,
                workers=None):
    """Phase-sigma coherence of a (filtered) complex interferogram (float32).

    ``window``: phase-sigma box (ICU ``PHASE_SIGMA_WINDOW``, 5); ``slope_window``:
    phase-slope box (ICU ``CORRELATION_BOX_SIZE``, 5); ``nlooks``: the ``L`` of
    the sigma -> coherence conversion (ICU: 3). With ``return_sigma`` also the
    phase standard deviation (radians) is returned. The image (array, path or
    isce.io Raster) is processed in blocks of ``block_lines`` lines, ``workers``
    threads at a time (default: the number of CPUs, at most 4)."""
    win = _check_window("window", window)
    swin = _check_window("slope_window", slope_window)
    if isinstance(interferogram, np.ndarray) and interferogram.ndim != 2:
        raise ValueError(f"phase_sigma needs a 2-D interferogram, got shape {interferogram.shape}")
    reader = Lines(interferogram, "interferogram")
    cor = np.empty(reader.shape, np.float32)
    sig = np.empty(reader.shape, np.float32) if return_sigma else None
    for rows, c, s_ in _blocks(reader, win, swin, nlooks, min_samples, block_lines, workers):
        cor[rows] = c
        if return_sigma:
            sig[rows] = s_
    return (cor, sig) if return_sigma else cor


def phsig_raster(interferogram, output, *, window: int = 5, slope_window: int = 5,
                 nlooks: float = NLOOKS, min_samples: int = 3, block_lines=None, workers=None,
                 progress: bool = False):
    """``phsig.cor`` (FLOAT, image type ``cor``) from a filtered interferogram on disk
    (or any 2-D array-like), block by block with the overlap the windows need, so the
    result equals :func:`phase_sigma` of the whole image. Returns ``output``."""
    win = _check_window("window", window)
    swin = _check_window("slope_window", slope_window)
    reader = Lines(interferogram, "interferogram")
    length, width = reader.shape
    with isce.io.create(output, width, length, "FLOAT", image_type="cor") as out:
        for rows, cor, _ in _blocks(reader, win, swin, nlooks, min_samples, block_lines,
                                    workers, progress):
            out.write_rows(cor, rows)             # pwrite: no map left resident
    return output
