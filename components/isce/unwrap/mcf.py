"""Minimum-cost-flow phase unwrapping (Costantini 1998) on Google OR-Tools.

The wrapped phase differences between neighbouring pixels are the estimate of
the phase gradient; around an elementary 2 x 2 loop they must add up to 0,
and where they add up to +-2 pi the loop holds a *residue*. Unwrapping =
adding integer multiples of 2 pi to the differences so that every loop sums
to 0 while changing as little (coherence-weighted) as possible. That is a
minimum-cost flow on the dual grid: every loop is a node whose supply is its
residue charge, a node outside the image ("ground") takes up the balance,
every pair of loops sharing a pixel edge is joined by two arcs (one each
way) whose unit cost is the weight of that edge, and the flow across an edge
is its 2 pi correction. The corrected differences are curl-free, so they are
integrated by two cumulative sums (any path gives the same result), and the
unwrapped phase is congruent to the wrapped one modulo 2 pi at every pixel.

Edge weights: ``min(1 + round(cost_scale * g^2 / (1 - g^2)), max_cost)`` with
``g`` the smaller coherence of the two pixels, i.e. the inverse of the
phase variance of a multilook interferogram up to a constant: 2 pi jumps
are placed where the coherence is low (weight 1 below g = 0.57, 2 at 0.7, 5
at 0.9, 10 at 0.95, capped at 16 from 0.97: a wider range changes the solution little
but slows the cost-scaling solver several-fold). Edges touching a masked pixel cost
nothing, so branch cuts run freely through holes. Without a coherence all
valid edges cost 1 (the unweighted L1 solution).

Masked pixels: NaN, inf or zero interferogram samples, NaN or zero
coherence, coherence at or below ``coherence_threshold``, and ``mask == 0``.
They are unwrapped as part of the flow problem (their phase taken as 0),
but the output there is 0 with connected component 0.

Connected components: 4-connected regions of unmasked pixels, labelled
1, 2, ... by decreasing size; regions smaller than ``min_conncomp_frac`` of
the image (as SNAPHU) or beyond the 32 largest get 0 but keep their
unwrapped phase (as SNAPHU).

Large images are unwrapped in tiles of ``tile_size`` x ``tile_size`` core
pixels, each solved with ``tile_overlap`` extra pixels on every side; tiles
are done in row order and each one is shifted by the multiple of 2 pi that
agrees best (the mode) with what its neighbours already wrote over the
overlap. Memory is bounded by one tile's graph (about 0.2 GiB for the
default 512 x 512 tiles with 64 pixels of overlap, 0.6 GiB for 1024 x 1024)
plus one byte and four bytes per image pixel for the mask and the labels.

Solver: OR-Tools' ``SimpleMinCostFlow`` (a cost-scaling push-relabel
algorithm, Apache-2.0, maintained by Google, wheels on PyPI for every
platform). ``networkx``'s network simplex is pure Python and far too slow for
millions of arcs, and ``scipy.sparse.csgraph`` has no min-cost flow.
"""
from __future__ import annotations

import logging

import numpy as np

from isce.signal._arrays import progress_blocks

from ._common import (MAX_COMPONENTS, TWO_PI, Source, Unwrapped, UnwWriters, block_rows,
                      check_shapes, conncomp_path_for, label_components, open_inputs,
                      valid_mask)

__all__ = ["unwrap", "unwrap_raster", "unwrap_tile", "residues", "edge_costs"]

log = logging.getLogger("isce.unwrap.mcf")

TILE_SIZE = 512
TILE_OVERLAP = 64


def _wrap(a):
    return a - TWO_PI * np.rint(a / TWO_PI)


def residues(phase):
    """Residue charge (-1, 0, +1) of every 2 x 2 loop, shape (L-1, W-1)."""
    dx = _wrap(np.diff(phase, axis=1))
    dy = _wrap(np.diff(phase, axis=0))
    return np.rint((dx[:-1, :] + dy[:, 1:] - dx[1:, :] - dy[:, :-1]) / TWO_PI).astype(np.int64)


MAX_COST = 16


def edge_costs(coherence, valid, cost_scale: float = 1.0, max_cost: int = MAX_COST):
    """Integer unit costs of the horizontal (L, W-1) and vertical (L-1, W) pixel edges."""
    if coherence is None:
        c = np.ones(valid.shape, np.int64)
    else:
        g = np.clip(np.nan_to_num(np.asarray(coherence, np.float64), nan=0.0), 0.0, 0.999)
        c = 1 + np.rint(cost_scale * g * g / (1.0 - g * g)).astype(np.int64)
        c = np.minimum(c, int(max_cost))
    c = np.where(valid, c, 0)
    return np.minimum(c[:, :-1], c[:, 1:]), np.minimum(c[:-1, :], c[1:, :])


def _solver():
    try:
        # lazy: OR-Tools costs ~0.15 s to import; only the mcf unwrapper needs it
        from ortools.graph.python import min_cost_flow
    except ImportError as exc:                              # pragma: no cover - dependency
        raise ImportError("the 'mcf' unwrapper needs OR-Tools: pip install ortools") from exc
    return min_cost_flow.SimpleMinCostFlow()


def _corrections(res, cost_x, cost_y):
    """Integer 2 pi corrections (kx (L, W-1), ky (L-1, W)) that remove the residues ``res``
    at minimum total cost."""
    L, W = res.shape[0] + 1, res.shape[1] + 1
    kx = np.zeros((L, W - 1), np.int64)
    ky = np.zeros((L - 1, W), np.int64)
    total = int(np.abs(res).sum())
    if total == 0:
        return kx, ky
    nl = (L - 1) * (W - 1)
    ground = nl
    loop = np.arange(nl, dtype=np.int64).reshape(L - 1, W - 1)
    # For each edge, P = the loop that runs along it in the positive sense (sigma = +1),
    # Q = the one that runs against it; ground outside the image.
    # horizontal edge (i, j)-(i, j+1): top side of loop (i, j) (+), bottom side of loop (i-1, j) (-)
    px = np.full((L, W - 1), ground, np.int64)
    px[:L - 1] = loop
    qx = np.full((L, W - 1), ground, np.int64)
    qx[1:] = loop
    # vertical edge (i, j)-(i+1, j): right side of loop (i, j-1) (+), left side of loop (i, j) (-)
    py = np.full((L - 1, W), ground, np.int64)
    py[:, 1:] = loop
    qy = np.full((L - 1, W), ground, np.int64)
    qy[:, :W - 1] = loop
    p = np.concatenate([px.ravel(), py.ravel()])
    q = np.concatenate([qx.ravel(), qy.ravel()])
    cost = np.concatenate([cost_x.ravel(), cost_y.ravel()]).astype(np.int64)
    ne = p.size
    smcf = _solver()
    cap = np.full(2 * ne, total, np.int64)
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(np.concatenate([p, q]), np.concatenate([q, p]),
                                                     cap, np.concatenate([cost, cost]))
    supply = np.zeros(nl + 1, np.int64)
    supply[:nl] = res.ravel()
    supply[ground] = -int(res.sum())
    smcf.set_nodes_supplies(np.arange(nl + 1, dtype=np.int64), supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"mcf unwrapping: the min-cost-flow solver failed ({status})")
    flow = np.asarray(smcf.flows(arcs), np.int64)
    del smcf
    k = flow[ne:] - flow[:ne]                     # f(Q->P) - f(P->Q)
    kx[...] = k[: kx.size].reshape(kx.shape)
    ky[...] = k[kx.size:].reshape(ky.shape)
    return kx, ky


def unwrap_tile(phase, valid=None, coherence=None, *, cost_scale: float = 1.0):
    """Unwrap one tile (float64 radians). ``phase``: wrapped phase (masked pixels
    ignored); ``valid``: pixels to trust (default: finite phase). The result is
    defined at every pixel (masked ones included) and congruent to ``phase``
    modulo 2 pi at valid pixels."""
    phase = np.asarray(phase, np.float64)
    if valid is None:
        valid = np.isfinite(phase)
    phase = np.where(valid, phase, 0.0)
    L, W = phase.shape
    if L == 0 or W == 0:
        return phase.copy()
    dx = _wrap(np.diff(phase, axis=1))
    dy = _wrap(np.diff(phase, axis=0))
    if L > 1 and W > 1:
        res = np.rint((dx[:-1, :] + dy[:, 1:] - dx[1:, :] - dy[:, :-1]) / TWO_PI).astype(np.int64)
        cx, cy = edge_costs(coherence, valid, cost_scale)
        kx, ky = _corrections(res, cx, cy)
        dx = dx + TWO_PI * kx
        dy = dy + TWO_PI * ky
    out = np.empty((L, W), np.float64)
    out[0, 0] = phase[0, 0]
    out[0, 1:] = phase[0, 0] + np.cumsum(dx[0])
    out[1:, :] = out[0] + np.cumsum(dy, axis=0)
    return out


def _tiles(length, width, size, overlap):
    for r0 in range(0, length, size):
        for c0 in range(0, width, size):
            core = (slice(r0, min(r0 + size, length)), slice(c0, min(c0 + size, width)))
            read = (slice(max(r0 - overlap, 0), min(r0 + size + overlap, length)),
                    slice(max(c0 - overlap, 0), min(c0 + size + overlap, width)))
            yield core, read


def _check_options(tile_size, tile_overlap, coherence_threshold, min_conncomp_frac, cost_scale):
    for name, v, lo in (("tile_size", tile_size, 2), ("tile_overlap", tile_overlap, 0)):
        if isinstance(v, bool) or int(v) != v or int(v) < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    if not 0.0 <= float(coherence_threshold) < 1.0:
        raise ValueError(f"coherence_threshold must be in [0, 1), got {coherence_threshold!r}")
    if not 0.0 <= float(min_conncomp_frac) <= 1.0:
        raise ValueError(f"min_conncomp_frac must be in [0, 1], got {min_conncomp_frac!r}")
    if not float(cost_scale) > 0:
        raise ValueError(f"cost_scale must be > 0, got {cost_scale!r}")
    return int(tile_size), int(tile_overlap)


def _unwrap_into(ifg, corr, mask, out, valid_all, *, threshold, tile_size, overlap, cost_scale,
                 progress):
    """Unwrap ``ifg`` (Source) tile by tile into ``out`` (writable float32 2-D), filling
    ``valid_all`` (bool, whole image) on the way."""
    length, width = ifg.shape
    tiles = list(_tiles(length, width, tile_size, overlap))
    if progress and len(tiles) > 1:
        tiles = progress_blocks(tiles, len(tiles), True, "unwrap (mcf)")
    for core, read in tiles:
        z = ifg[read]
        c = None if corr is None else corr[read]
        m = None if mask is None else mask[read]
        valid = valid_mask(z, c, threshold, m)
        valid_all[read] = valid
        with np.errstate(invalid="ignore"):
            phase = np.angle(np.where(valid, z, 1))
        u = unwrap_tile(phase, valid, c, cost_scale=cost_scale)
        # pixels of the read window already written by earlier tiles (row order):
        # rows above this core, and rows of this core left of it
        rr = np.arange(read[0].start, read[0].stop)[:, None]
        cc = np.arange(read[1].start, read[1].stop)[None, :]
        done = (rr < core[0].start) | ((rr < core[0].stop) & (cc < core[1].start))
        shift = 0.0
        if done.any():
            prev = np.asarray(out[read], np.float64)
            both = done & valid
            if both.any():
                k = np.rint((prev[both] - u[both]) / TWO_PI).astype(np.int64)
                values, counts = np.unique(k, return_counts=True)
                shift = TWO_PI * values[np.argmax(counts)]
        rs = slice(core[0].start - read[0].start, core[0].stop - read[0].start)
        cs = slice(core[1].start - read[1].start, core[1].stop - read[1].start)
        out[core] = (u[rs, cs] + shift).astype(np.float32)


def _finish_block(phase_block, valid_block):
    return np.where(valid_block, phase_block, 0.0).astype(np.float32)


def _min_size(valid_all, frac):
    return max(1, int(np.ceil(float(frac) * valid_all.size)))


def unwrap(interferogram, coherence=None, *, mask=None, coherence_threshold: float = 0.0,
           tile_size: int = TILE_SIZE, tile_overlap: int = TILE_OVERLAP,
           min_conncomp_frac: float = 0.01, max_components: int = MAX_COMPONENTS,
           cost_scale: float = 1.0, progress: bool = False) -> Unwrapped:
    """Unwrap a complex interferogram (arrays, paths or isce.io Rasters).

    Parameters
    ----------
    interferogram : complex 2-D (e.g. the filtered interferogram)
    coherence : real 2-D, optional (e.g. ``phsig.cor``); weights the edges
    mask : 2-D, optional; 0 = do not unwrap
    coherence_threshold : pixels with coherence <= this are masked (0: only zero)
    tile_size, tile_overlap : tiling (pixels) for large images
    min_conncomp_frac : smallest connected component kept, as a fraction of the image
    cost_scale : multiplies the coherence term of the edge costs

    Returns :class:`Unwrapped` (float32 phase, uint32 labels)."""
    tile_size, tile_overlap = _check_options(tile_size, tile_overlap, coherence_threshold,
                                             min_conncomp_frac, cost_scale)
    ifg = Source(interferogram, "interferogram")
    corr = None if coherence is None else Source(coherence, "coherence")
    msk = None if mask is None else Source(mask, "mask")
    check_shapes(ifg.shape, corr and corr.shape, msk and msk.shape)
    out = np.zeros(ifg.shape, np.float32)
    valid_all = np.zeros(ifg.shape, bool)
    _unwrap_into(ifg, corr, msk, out, valid_all, threshold=coherence_threshold,
                 tile_size=tile_size, overlap=tile_overlap, cost_scale=cost_scale,
                 progress=progress)
    labels = label_components(valid_all, _min_size(valid_all, min_conncomp_frac), max_components)
    return Unwrapped(_finish_block(out, valid_all), labels)


def unwrap_raster(interferogram, coherence, output, conncomp="auto", *, mask=None,
                  coherence_threshold: float = 0.0, tile_size: int = TILE_SIZE,
                  tile_overlap: int = TILE_OVERLAP, min_conncomp_frac: float = 0.01,
                  max_components: int = MAX_COMPONENTS, cost_scale: float = 1.0,
                  progress: bool = False):
    """Unwrap an interferogram on disk into ISCE's ``output`` (e.g. ``filt_topophase.unw``:
    FLOAT, 2 bands BIL, amplitude and unwrapped phase) and ``conncomp`` (BYTE; default
    ``<output>.conncomp``; None to skip), block-wise and atomically.

    Returns ``(output, conncomp)``. Options as :func:`unwrap`."""
    tile_size, tile_overlap = _check_options(tile_size, tile_overlap, coherence_threshold,
                                             min_conncomp_frac, cost_scale)
    if conncomp == "auto":
        conncomp = conncomp_path_for(output)
    ifg, corr, msk = open_inputs(interferogram, coherence, mask)
    length, width = ifg.shape
    with UnwWriters(output, conncomp, width, length) as w:
        valid_all = np.zeros((length, width), bool)
        _unwrap_into(ifg, corr, msk, w.phase, valid_all, threshold=coherence_threshold,
                     tile_size=tile_size, overlap=tile_overlap, cost_scale=cost_scale,
                     progress=progress)
        labels = label_components(valid_all, _min_size(valid_all, min_conncomp_frac),
                                  max_components)
        n = block_rows(width)
        for r0 in range(0, length, n):
            rows = slice(r0, min(r0 + n, length))
            lab = labels[rows]
            w.phase[rows] = _finish_block(w.phase[rows], valid_all[rows])
            z = ifg[rows]
            w.amplitude[rows] = np.nan_to_num(np.abs(z), nan=0.0, posinf=0.0).astype(np.float32)
            if w.cc is not None:
                w.cc[rows] = lab.astype(np.uint8)
    log.info("mcf: unwrapped %s -> %s (%d connected components)", interferogram, output,
             int(labels.max(initial=0)))
    return output, conncomp
