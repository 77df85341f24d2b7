"""Branch-cut unwrapping as ISCE2's ``icu`` (mroipac/icu: ``rt.F`` trees, ``unw_rt.F``
seeds and correlation threshold, ``grass.F`` flood fill), and ``grass`` (the same engine
with one fixed correlation threshold).

1. Residues: the charge (-1, 0, +1) of every 2 x 2 loop of the wrapped phase (masked
   pixels taken as phase 0, so the charges are those of one consistent field).
2. GZW trees (Goldstein, Zebker & Werner 1988): from each residue, in a pseudo-random
   order, search square boxes of growing half-width (1 .. ``max_branch_length``) around
   every member of the tree; each residue found joins the tree through a branch cut (a
   line of cut pixels) and adds its charge if not already used; the tree stops when its
   charge is 0 or when the box reaches the image border (a cut to the border).
   ``tree_sets`` realisations, each in its own order, add up their cuts (ISCE2's
   ``NUMBER_TREESETS``).
3. Correlation threshold: pixels below it are not unwrapped. ISCE2 starts at
   ``init_corr_threshold`` and raises it by ``corr_threshold_inc`` up to
   ``max_corr_threshold`` while no seed is unwrappable (off the cuts, unmasked, at or above
   the threshold) or while the phase variance against the previous patch's overlap is
   at least PHASE_VAR_THRESHOLD. The whole image being one patch here, there is no
   previous patch: the threshold is the first one with an unwrappable seed, in practice
   ``init_corr_threshold`` (a higher one never frees a seed), else nothing is unwrapped.
4. Flood fill ("grass"): from seeds every ``bootstrap_lines`` x ``bootstrap_points``
   pixels, in raster order, each seed not yet reached grows a region over the pixels at or
   above the threshold, adding to each neighbour's wrapped phase the multiple of 2 pi that
   brings it nearest to the pixel it was reached from; cut pixels are unwrapped but do
   not spread. Regions smaller than ``min_region_frac`` of the image (ISCE2: 0.1 /
   MAXCCOMP = 0.1 / 32) are dropped.

Output: regions labelled 1, 2, ... by decreasing size (the 32 largest; the connected
components), phase 0 and label 0 where not unwrapped: masked (NaN, inf or zero
interferogram, NaN or zero coherence, ``mask == 0``), below the threshold, or in a
dropped region. Each region is unwrapped relative to its own seed: regions are not tied to
each other (ISCE2's two-stage unwrapping, :mod:`isce.unwrap.twostage`, does that).
Unlike ISCE2 the whole image is one patch and no border of NFFT/8 pixels is left out.

The trees and the flood fill are sequential loops in the C++ kernel
``isce.ext._unwrap`` (``library/unwrap/branchcut.cpp``); the tests compare it with a
NumPy/Python reference.
"""
from __future__ import annotations

import logging

import numpy as np

from isce.ext import load

from ._common import (MAX_COMPONENTS, Source, Unwrapped, UnwWriters, block_rows, check_shapes,
                      conncomp_path_for, open_inputs, valid_mask)
from .mcf import residues

__all__ = ["unwrap", "unwrap_raster", "cuts", "seeds", "charges", "write_result"]

log = logging.getLogger("isce.unwrap.icu")

#: ISCE2 icu's defaults (Icu.py / icuState.F)
INIT_CORR_THRESHOLD = 0.1
MAX_CORR_THRESHOLD = 0.9
CORR_THRESHOLD_INC = 0.1
BOOTSTRAP_POINTS = 16
BOOTSTRAP_LINES = 16
NUMBER_TREESETS = 7
MAX_BRANCH_LENGTH = 64
MIN_REGION_FRAC = 0.1 / 32
#: "grid": ICU's seeds every bootstrap_lines x bootstrap_points; "centre": grass's one seed
SEEDING = ("grid", "centre")


def charges(phase):
    """Residue charges as an int8 image of the phase's shape: the loop whose upper-left
    pixel is (i, j) at (i, j); the last row and column are 0."""
    phase = np.asarray(phase, np.float64)
    out = np.zeros(phase.shape, np.int8)
    if phase.shape[0] > 1 and phase.shape[1] > 1:
        out[:-1, :-1] = residues(phase)
    return out


def cuts(phase, *, max_branch_length: int = MAX_BRANCH_LENGTH, tree_sets: int = NUMBER_TREESETS,
         seed: int = 1):
    """Branch-cut pixels (uint8, 1 = cut) of the GZW trees of ``phase`` (radians)."""
    return load("_unwrap").gzw_cuts(charges(phase), int(max_branch_length), int(tree_sets),
                                    int(seed))


def seeds(shape, bootstrap_lines: int = BOOTSTRAP_LINES, bootstrap_points: int = BOOTSTRAP_POINTS):
    """Seed pixels ``(n, 2)`` (row, col) in raster order: the centres of a grid of
    ``bootstrap_lines`` x ``bootstrap_points`` cells, at least one per axis."""
    axes = []
    for n, step in zip(shape, (bootstrap_lines, bootstrap_points)):
        count = max((n - step) // step, 1)
        axes.append(np.minimum(step // 2 + step * np.arange(count), max(n - 1, 0)))
    r, c = np.meshgrid(*axes, indexing="ij")
    return np.stack([r.ravel(), c.ravel()], axis=1).astype(np.int64)


def _label_regions(region, sizes, min_size, max_components):
    """Regions (1.. in seed order) -> labels 1.. by decreasing size; small ones and those
    beyond ``max_components`` -> 0."""
    order = np.argsort(-sizes, kind="stable")
    order = order[sizes[order] >= min_size][: int(max_components)]
    lut = np.zeros(sizes.size + 1, np.uint32)
    lut[order + 1] = np.arange(1, order.size + 1, dtype=np.uint32)
    return lut[region]


def _threshold(good, corr, cut, seed_px, init, top, inc):
    """ISCE2's threshold: the first of init, init + inc, ... <= top at which a seed is
    unwrappable; None if there is none."""
    at = (seed_px[:, 0], seed_px[:, 1])
    free = good[at] & (cut[at] == 0)
    thr = float(init)
    while thr <= float(top) + 1e-9:
        ok = free if corr is None else free & (corr[at] >= thr)
        if ok.any():
            return thr
        thr += float(inc)
    return None


def centre_seed(usable, cut):
    """``(1, 2)`` the usable pixel off the cuts nearest the image centre (ISCE2 grass's
    single seed), ``(0, 2)`` if there is none."""
    rows, cols = np.nonzero(usable & (cut == 0))
    if rows.size == 0:
        return np.zeros((0, 2), np.int64)
    L, W = usable.shape
    k = np.argmin((rows - (L - 1) / 2.0) ** 2 + (cols - (W - 1) / 2.0) ** 2)
    return np.array([[rows[k], cols[k]]], np.int64)


def _check(init, top, inc, lines, points, tree_sets, mbl, frac, seeding):
    if seeding not in SEEDING:
        raise ValueError(f"seeding must be one of {', '.join(SEEDING)}, got {seeding!r}")
    if not 0.0 <= float(init) <= float(top) <= 1.0:
        raise ValueError(f"correlation thresholds must satisfy 0 <= init ({init}) <= max "
                         f"({top}) <= 1")
    if not float(inc) > 0:
        raise ValueError(f"corr_threshold_inc must be > 0, got {inc!r}")
    for name, v in (("bootstrap_lines", lines), ("bootstrap_points", points),
                    ("tree_sets", tree_sets), ("max_branch_length", mbl)):
        if isinstance(v, bool) or int(v) != v or int(v) < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    if not 0.0 <= float(frac) <= 1.0:
        raise ValueError(f"min_region_frac must be in [0, 1], got {frac!r}")


def _unwrap_arrays(z, c, m, *, init, top, inc, lines, points, tree_sets, mbl, frac,
                   max_components, seeding):
    """The whole method on in-memory arrays -> (phase float32, labels uint32, threshold)."""
    good = valid_mask(z, c, 0.0, m)
    with np.errstate(invalid="ignore"):
        phase = np.angle(np.where(good, z, 1)).astype(np.float64)
    corr = None if c is None else np.nan_to_num(np.asarray(c, np.float64), nan=0.0)
    cut = cuts(phase, max_branch_length=mbl, tree_sets=tree_sets)
    if phase.size == 0:
        return np.zeros(phase.shape, np.float32), np.zeros(phase.shape, np.uint32), None
    if seeding == "grid":
        seed_px = seeds(phase.shape, lines, points)
        thr = _threshold(good, corr, cut, seed_px, init, top, inc)
    else:
        thr = float(init)
    usable = good if corr is None or thr is None else good & (corr >= thr)
    if seeding == "centre":
        seed_px = centre_seed(usable, cut)
        thr = thr if seed_px.size else None
    if thr is None:
        return np.zeros(phase.shape, np.float32), np.zeros(phase.shape, np.uint32), None
    unw, region, sizes = load("_unwrap").grow_regions(phase, (~usable).view(np.uint8), cut,
                                                      seed_px)
    labels = _label_regions(region, sizes, max(1, int(np.ceil(frac * phase.size))),
                            max_components)
    return np.where(labels > 0, unw, 0.0).astype(np.float32), labels, thr


def unwrap(interferogram, coherence=None, *, mask=None,
           init_corr_threshold: float = INIT_CORR_THRESHOLD,
           max_corr_threshold: float = MAX_CORR_THRESHOLD,
           corr_threshold_inc: float = CORR_THRESHOLD_INC,
           bootstrap_lines: int = BOOTSTRAP_LINES, bootstrap_points: int = BOOTSTRAP_POINTS,
           tree_sets: int = NUMBER_TREESETS, max_branch_length: int = MAX_BRANCH_LENGTH,
           min_region_frac: float = MIN_REGION_FRAC,
           max_components: int = MAX_COMPONENTS, seeding: str = "grid") -> Unwrapped:
    """Unwrap a complex interferogram (array, path or isce.io Raster) with ISCE2 icu's
    method; ``coherence`` (e.g. ``phsig.cor``) drives the threshold. Option names are ISCE2
    Icu's in lower case (``init_corr_threshold`` = INIT_CORR_THRESHOLD, ``tree_sets`` =
    NUMBER_TREESETS, ...); ``seeding`` see :data:`SEEDING`. Returns :class:`Unwrapped`
    (float32 radians, uint32 labels)."""
    _check(init_corr_threshold, max_corr_threshold, corr_threshold_inc, bootstrap_lines,
           bootstrap_points, tree_sets, max_branch_length, min_region_frac, seeding)
    ifg = Source(interferogram, "interferogram")
    corr = None if coherence is None else Source(coherence, "coherence")
    msk = None if mask is None else Source(mask, "mask")
    check_shapes(ifg.shape, corr and corr.shape, msk and msk.shape)
    whole = slice(0, ifg.shape[0])
    phase, labels, thr = _unwrap_arrays(
        ifg[whole], None if corr is None else corr[whole], None if msk is None else msk[whole],
        init=init_corr_threshold, top=max_corr_threshold, inc=corr_threshold_inc,
        lines=bootstrap_lines, points=bootstrap_points, tree_sets=tree_sets,
        mbl=max_branch_length, frac=min_region_frac, max_components=max_components,
        seeding=seeding)
    if thr is None:
        log.warning("branch-cut unwrapping: no seed is unwrappable at any correlation "
                    "threshold up to %g: nothing unwrapped", max_corr_threshold)
    else:
        log.info("branch-cut unwrapping: correlation threshold %.2f, %d regions, %.1f %% of the image unwrapped",
                 thr, int(labels.max(initial=0)), 100.0 * np.count_nonzero(labels) /
                 max(labels.size, 1))
    return Unwrapped(phase, labels)


def unwrap_raster(interferogram, coherence, output, conncomp="auto", **options):
    """Unwrap an interferogram on disk into ISCE's ``output`` (FLOAT, 2 bands BIL:
    amplitude, unwrapped phase) and ``conncomp`` (BYTE; default ``<output>.conncomp``;
    None to skip), atomically. Returns ``(output, conncomp)``. Options as :func:`unwrap`.
    The image is unwrapped in memory (about 30 bytes per pixel)."""
    return write_result(unwrap, interferogram, coherence, output, conncomp, options)


def write_result(method, interferogram, coherence, output, conncomp, options):
    """Run ``method`` (:func:`unwrap` or another with its signature) and write its result
    as ISCE's ``.unw`` and ``.unw.conncomp``."""
    if conncomp == "auto":
        conncomp = conncomp_path_for(output)
    options.pop("progress", None)           # one pass over the image: no progress to report
    mask = options.pop("mask", None)
    ifg, _, _ = open_inputs(interferogram, coherence, mask)
    res = method(interferogram, coherence, mask=mask, **options)
    length, width = ifg.shape
    with UnwWriters(output, conncomp, width, length) as w:
        n = block_rows(width)
        for r0 in range(0, length, n):
            rows = slice(r0, min(r0 + n, length))
            w.phase[rows] = res.phase[rows]
            w.amplitude[rows] = np.nan_to_num(np.abs(ifg[rows]), nan=0.0,
                                              posinf=0.0).astype(np.float32)
            if w.cc is not None:
                w.cc[rows] = res.conncomp[rows].astype(np.uint8)
    log.info("%s: unwrapped %s -> %s", method.__module__.rsplit(".", 1)[-1], interferogram, output)
    return output, conncomp
