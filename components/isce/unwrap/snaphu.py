"""Unwrapping with SNAPHU (Chen & Zebker), through the PyPI package ``snaphu``
(isce-framework/snaphu-py, which ships SNAPHU's C code).

SNAPHU's statistical cost mode is ``smooth`` (generic) or ``defo``
(deformation: allows the occasional large discontinuity); the initial
solution is ``mst`` (minimum spanning tree) or ``mcf`` (minimum-cost flow
with SNAPHU's bundled CS2 solver). With ``init_only=True`` the initial
solution is the answer (SNAPHU's ``INITONLY``, :mod:`isce.unwrap.snaphu_init`):
ISCE2 stripmapApp's ``unwrapper name = snaphu`` (smooth cost, MCF, DEFOMAX_CYCLE
2, at most 20 components). Otherwise SNAPHU's nonlinear statistical-cost solver
improves it (the full solver; on a 1024 x 1024 filtered interferogram here:
4 s from ``mst``, 18 s from ``mcf``, whose CS2 initialisation alone took 12 s). Large
images are unwrapped in ``ntiles = (rows, cols)`` tiles with ``tile_overlap``
pixels of overlap (``ntiles='auto'``: tiles of at most ``AUTO_TILE`` = 2048
pixels a side, with at least 128 pixels of overlap when there is more than one), ``nproc`` at a time (SNAPHU polls its child processes
about once a second, so ``nproc > 1`` only pays for tiles that take
several seconds each), then re-optimised as one tile.

Licence: SNAPHU's own code is under a permissive Stanford licence, but the
package also contains SNAPHU's copy of the CS2 minimum-cost-flow solver
(Goldberg & Cherkassky, copyright IG Systems), used by ``init='mcf'``
(ISCE2's ``snaphu_mcf``), which is licensed for **non-commercial use
only**; the default ``init='mst'`` does not run it, but installing the
package installs it. For commercial work use the ``mcf`` unwrapper of this package
(:mod:`isce.unwrap.mcf`, on OR-Tools, Apache-2.0), which has no such
restriction, and do not install ``snaphu``.

NaN- and zero-safety: pixels whose interferogram is NaN, inf or 0, or whose
coherence is NaN, 0 or at or below ``coherence_threshold``, are given to
SNAPHU as masked (its byte mask); they come out with phase 0 and connected
component 0. An image with nothing valid gives all zeros without running
SNAPHU.

``nlooks`` is SNAPHU's NCORRLOOKS, the equivalent number of independent
looks of the coherence estimate (about range looks x azimuth looks x
(pixel spacing / resolution) in each direction); it must be >= 1.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading

import numpy as np

from isce.io.blocks import progress_bar

from ._common import (MAX_COMPONENTS, Source, Unwrapped, UnwWriters, block_rows, check_shapes,
                      conncomp_path_for, open_inputs, valid_mask)
from .snaphu_init import unwrap_init_only

__all__ = ["unwrap", "unwrap_raster", "available", "auto_tiles"]

log = logging.getLogger("isce.unwrap.snaphu")

COST_MODES = ("smooth", "defo")
AUTO_TILE = 2048
INIT_METHODS = ("mcf", "mst")


def available() -> bool:
    """Whether the PyPI ``snaphu`` package can be imported."""
    try:
        # lazy: snaphu is optional (the mcf unwrapper runs without it)
        import snaphu  # noqa: F401 - imported only to see whether it can be
    except ImportError:
        return False
    return True


def _snaphu():
    try:
        import snaphu  # lazy: snaphu is optional (the mcf unwrapper runs without it)
    except ImportError as exc:                                   # pragma: no cover - dependency
        raise ImportError("the 'snaphu' unwrapper needs the PyPI package snaphu: "
                          "pip install snaphu") from exc
    return snaphu


class _Lazy:
    """A read-only 2-D dataset computed block by block (snaphu-py reads datasets in
    batches of rows), so no whole-image temporary is made."""

    def __init__(self, shape, dtype, fn):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.ndim = 2
        self._fn = fn

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key, slice(None))
        rows, cols = key
        return self._fn(rows)[:, cols]

    def __array__(self, dtype=None, copy=None):
        a = self[:, :]
        return a if dtype is None else a.astype(dtype)


def _check(nlooks, cost, init, ntiles, tile_overlap, nproc, coherence_threshold, min_conncomp_frac):
    cost = str(cost).strip().lower()
    init = str(init).strip().lower()
    if cost not in COST_MODES:
        raise ValueError(f"snaphu cost mode must be one of {COST_MODES}, got {cost!r}")
    if init not in INIT_METHODS:
        raise ValueError(f"snaphu init method must be one of {INIT_METHODS}, got {init!r}")
    if not float(nlooks) >= 1.0:
        raise ValueError(f"nlooks must be >= 1, got {nlooks!r}")
    if isinstance(ntiles, str) and ntiles.strip().lower() == "auto":
        return float(nlooks), cost, init, "auto", tile_overlap, int(nproc)
    if isinstance(ntiles, (int, np.integer)):
        ntiles = (int(ntiles), int(ntiles))
    ntiles = tuple(int(v) for v in ntiles)
    if len(ntiles) != 2 or min(ntiles) < 1:
        raise ValueError(f"ntiles must be two integers >= 1, got {ntiles!r}")
    if not 0.0 <= float(coherence_threshold) < 1.0:
        raise ValueError(f"coherence_threshold must be in [0, 1), got {coherence_threshold!r}")
    if not 0.0 <= float(min_conncomp_frac) <= 1.0:
        raise ValueError(f"min_conncomp_frac must be in [0, 1], got {min_conncomp_frac!r}")
    return float(nlooks), cost, init, ntiles, tile_overlap, int(nproc)


def _check_init_only(init_only, ntiles, defomax, max_components):
    """The initialise-only options as ``_run`` keywords; tiling is refused with it (ISCE2
    runs it on one tile)."""
    if not isinstance(init_only, (bool, np.bool_)):
        raise ValueError(f"init_only must be True or False, got {init_only!r}")
    if not (np.isfinite(float(defomax)) and float(defomax) > 0):
        raise ValueError(f"defomax must be a positive number of cycles, got {defomax!r}")
    if not 1 <= int(max_components) <= 255:
        raise ValueError(f"max_components must be in 1..255, got {max_components!r}")
    if init_only and ntiles not in ("auto", (1, 1)):
        raise ValueError(f"init_only unwraps one tile; got ntiles={ntiles!r}")
    return {"init_only": bool(init_only), "defomax": float(defomax),
            "max_components": int(max_components)}


def _inputs(ifg, corr, mask, threshold):
    """snaphu-py datasets for the interferogram, coherence and mask, and the valid count."""
    shape = ifg.shape

    def ifg_rows(rows):
        z = np.asarray(ifg[rows])
        return np.where(valid_mask(z), z, 0).astype(np.complex64)

    def corr_rows(rows):
        if corr is None:
            return np.where(valid_mask(ifg[rows]), 1.0, 0.0).astype(np.float32)
        c = np.asarray(corr[rows], np.float32)
        return np.clip(np.nan_to_num(c, nan=0.0, posinf=0.0, neginf=0.0), 0.0, 1.0)

    def mask_rows(rows):
        return valid_mask(ifg[rows], None if corr is None else corr[rows], threshold,
                          None if mask is None else mask[rows])

    return (_Lazy(shape, np.complex64, ifg_rows), _Lazy(shape, np.float32, corr_rows),
            _Lazy(shape, np.bool_, mask_rows))


@contextlib.contextmanager
def _quiet_stdout(enabled=True):
    """Send what the SNAPHU executable prints on file descriptor 1 to the log
    (DEBUG) instead of the console."""
    if not enabled:
        yield
        return
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:                      # no fd 1 (unusual embedding): leave it alone
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace").strip()
            if text:
                log.debug("snaphu output:\n%s", text)


@contextlib.contextmanager
def _elapsed_bar(enabled, desc, interval: float = 1.0):
    """While SNAPHU runs (one external call, no loop to count): a tqdm bar showing the
    elapsed time, refreshed by a thread every ``interval`` s (tqdm.auto, leave=False)."""
    if not enabled:
        yield
        return

    bar = progress_bar(total=None, desc=desc, bar_format="{desc}: {elapsed} elapsed")
    stop = threading.Event()

    def tick():
        while not stop.wait(interval):
            bar.refresh()

    thread = threading.Thread(target=tick, name="snaphu-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()


def _count_valid(mask_ds, n):
    total = 0
    for r0 in range(0, mask_ds.shape[0], n):
        total += int(np.count_nonzero(mask_ds[r0:r0 + n]))
    return total


def auto_tiles(shape, tile_overlap=0, max_tile=AUTO_TILE):
    """``(ntiles, tile_overlap)`` for ``ntiles='auto'``: tiles of at most ``max_tile``
    pixels a side, at least 128 pixels of overlap when tiled."""
    ntiles = tuple(max(1, -(-int(n) // int(max_tile))) for n in shape)
    if ntiles != (1, 1):
        tile_overlap = max(int(tile_overlap) if np.isscalar(tile_overlap) else min(tile_overlap), 128)
    return ntiles, tile_overlap


def _whole(ds):
    """A whole :class:`_Lazy` dataset as one array (the initialise-only mode's inputs)."""
    return ds[:, :]


def _run_init_only(ifg, corr, mask, unw_out, cc_out, *, nlooks, cost, init, defomax,
                   max_components, min_conncomp_frac, scratchdir, coherence_threshold):
    """``init_only``: SNAPHU's initial solution and regrown components, masked pixels 0."""
    igram_ds, corr_ds, mask_ds = _inputs(ifg, corr, mask, coherence_threshold)
    valid = _whole(mask_ds)
    if not valid.any():
        log.warning("snaphu: no valid pixel (all NaN, zero or below the coherence threshold)")
        unw_out[:] = 0
        cc_out[:] = 0
        return
    log.info("snaphu: unwrapping %d x %d (cost %s, init %s, initialisation only)", *ifg.shape,
             cost, init)
    unw, cc = unwrap_init_only(_whole(igram_ds), _whole(corr_ds), valid, nlooks=nlooks,
                               cost=cost, init=init, defomax=defomax,
                               max_components=max_components,
                               min_conncomp_frac=min_conncomp_frac, scratchdir=scratchdir)
    n = block_rows(ifg.shape[1])
    for r0 in range(0, ifg.shape[0], n):
        rows = slice(r0, r0 + n)
        m = valid[rows]
        unw_out[rows] = np.where(m, unw[rows], 0)
        cc_out[rows] = np.where(m, cc[rows], 0)


def _run(ifg, corr, mask, unw_out, cc_out, *, nlooks, cost, init, ntiles, tile_overlap, nproc,
         coherence_threshold, min_conncomp_frac, scratchdir, init_only=False, defomax=1.2,
         max_components=MAX_COMPONENTS, quiet=True, progress=False):
    if init_only:
        with _elapsed_bar(progress, "unwrap (snaphu, initialisation only)"):
            _run_init_only(ifg, corr, mask, unw_out, cc_out, nlooks=nlooks, cost=cost, init=init,
                           defomax=defomax, max_components=max_components,
                           min_conncomp_frac=min_conncomp_frac, scratchdir=scratchdir,
                           coherence_threshold=coherence_threshold)
        return
    snaphu = _snaphu()
    if isinstance(ntiles, str):
        ntiles, tile_overlap = auto_tiles(ifg.shape, tile_overlap)
    igram_ds, corr_ds, mask_ds = _inputs(ifg, corr, mask, coherence_threshold)
    n = block_rows(ifg.shape[1])
    if _count_valid(mask_ds, n) == 0:
        log.warning("snaphu: no valid pixel (all NaN, zero or below the coherence threshold)")
        for r0 in range(0, ifg.shape[0], n):
            unw_out[r0:r0 + n] = 0
            cc_out[r0:r0 + n] = 0
        return
    log.info("snaphu: unwrapping %d x %d (cost %s, init %s, tiles %s)", *ifg.shape, cost, init,
             ntiles)
    with _elapsed_bar(progress, "unwrap (snaphu)"), _quiet_stdout(quiet):
        snaphu.unwrap(igram_ds, corr_ds, nlooks, cost=cost, init=init, mask=mask_ds,
                      min_conncomp_frac=min_conncomp_frac, ntiles=ntiles,
                      tile_overlap=tile_overlap, nproc=nproc, scratchdir=scratchdir,
                      unw=unw_out, conncomp=cc_out)
    # masked pixels: phase 0, component 0 (SNAPHU leaves values there)
    for r0 in range(0, ifg.shape[0], n):
        rows = slice(r0, r0 + n)
        m = mask_ds[rows]
        unw_out[rows] = np.where(m, unw_out[rows], 0)
        cc_out[rows] = np.where(m, cc_out[rows], 0)


def unwrap(interferogram, coherence, nlooks: float = 1.0, cost: str = "smooth", init: str = "mst",
           *, mask=None, coherence_threshold: float = 0.0, ntiles=(1, 1), tile_overlap=0,
           nproc: int = 1, min_conncomp_frac: float = 0.01, scratchdir=None,
           init_only: bool = False, defomax: float = 1.2, max_components: int = MAX_COMPONENTS,
           progress: bool = False) -> Unwrapped:
    """Unwrap a complex interferogram with SNAPHU (arrays, paths or isce.io Rasters).

    ``coherence`` may be None (every valid pixel then has coherence 1). ``init_only``:
    SNAPHU's initial solution only (no tiling), components regrown from it; ``defomax``
    [cycles]: SNAPHU's DEFOMAX_CYCLE (``defo`` cost); ``max_components``: MAXNCOMPS of the
    initialise-only mode. ``progress``: an elapsed-time bar while SNAPHU runs. Returns
    :class:`Unwrapped` (float32 phase, uint32 connected components)."""
    nlooks, cost, init, ntiles, tile_overlap, nproc = _check(
        nlooks, cost, init, ntiles, tile_overlap, nproc, coherence_threshold, min_conncomp_frac)
    extra = _check_init_only(init_only, ntiles, defomax, max_components)
    ifg = Source(interferogram, "interferogram")
    corr = None if coherence is None else Source(coherence, "coherence")
    msk = None if mask is None else Source(mask, "mask")
    check_shapes(ifg.shape, corr and corr.shape, msk and msk.shape)
    unw = np.zeros(ifg.shape, np.float32)
    cc = np.zeros(ifg.shape, np.uint32)
    _run(ifg, corr, msk, unw, cc, nlooks=nlooks, cost=cost, init=init, ntiles=ntiles,
         tile_overlap=tile_overlap, nproc=nproc, coherence_threshold=coherence_threshold,
         min_conncomp_frac=min_conncomp_frac, scratchdir=scratchdir, progress=progress, **extra)
    return Unwrapped(unw, cc)


def unwrap_raster(interferogram, coherence, output, conncomp="auto", *, nlooks: float = 1.0,
                  cost: str = "smooth", init: str = "mst", mask=None,
                  coherence_threshold: float = 0.0, ntiles=(1, 1), tile_overlap=0, nproc: int = 1,
                  min_conncomp_frac: float = 0.01, scratchdir=None, init_only: bool = False,
                  defomax: float = 1.2, max_components: int = MAX_COMPONENTS,
                  progress: bool = False):
    """Unwrap an interferogram on disk with SNAPHU into ISCE's ``output`` (e.g.
    ``filt_topophase.unw``: FLOAT, 2 bands BIL: amplitude, unwrapped phase) and
    ``conncomp`` (BYTE; default ``<output>.conncomp``; None to skip), atomically.

    Returns ``(output, conncomp)``. Options as :func:`unwrap`; ``progress``: an
    elapsed-time bar while SNAPHU runs (one external call: no count to show)."""
    nlooks, cost, init, ntiles, tile_overlap, nproc = _check(
        nlooks, cost, init, ntiles, tile_overlap, nproc, coherence_threshold, min_conncomp_frac)
    extra = _check_init_only(init_only, ntiles, defomax, max_components)
    if conncomp == "auto":
        conncomp = conncomp_path_for(output)
    ifg, corr, msk = open_inputs(interferogram, coherence, mask)
    length, width = ifg.shape
    with UnwWriters(output, conncomp, width, length) as w:
        cc_out = w.cc.data if w.cc is not None else np.zeros((length, width), np.uint8)
        _run(ifg, corr, msk, w.phase, cc_out, nlooks=nlooks, cost=cost, init=init,
             ntiles=ntiles, tile_overlap=tile_overlap, nproc=nproc,
             coherence_threshold=coherence_threshold, min_conncomp_frac=min_conncomp_frac,
             scratchdir=scratchdir, progress=progress, **extra)
        n = block_rows(width)
        for r0 in range(0, length, n):
            rows = slice(r0, min(r0 + n, length))
            z = ifg[rows]
            w.amplitude[rows] = np.nan_to_num(np.abs(z), nan=0.0, posinf=0.0).astype(np.float32)
    log.info("snaphu: unwrapped %s -> %s (cost %s, init %s, tiles %s)", interferogram, output,
             cost, init, ntiles)
    return output, conncomp
