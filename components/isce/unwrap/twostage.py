"""Two-stage unwrapping (ISCE2's ``unwrap2stage``, ``contrib/UnwrapComp``): tie the connected
components of an unwrapped interferogram together with one integer number of cycles each.

Each component is unwrapped on its own up to an unknown multiple of 2 pi. For every
ordered pair of components (c, d) the pixel of d nearest to c is a vertex (ISCE2:
``gdal.ComputeProximity``; here :func:`scipy.ndimage.distance_transform_edt`); the vertices
are triangulated (:class:`scipy.spatial.Delaunay`). Across an edge joining two components
the phase is assumed continuous (the premise of the method: the gap between components
is narrower than a fringe), so their cycle counts should differ by
``n = round((phi_b - phi_a) / 2 pi)``; around a triangle these may not add up to 0 (a
residue). The integer cycles ``k`` per component minimise the weighted number of edges
whose ``k_b - k_a`` differs from ``n``; an edge inside one component cannot change
(ISCE2's barrier arcs). Each unit of difference costs ``round((100 / length)^2)`` (at
least 1; length in pixels) where ISCE2 charges 1: the short links across the gaps, where the
continuity premise holds, decide -- not the long triangle edges across the scene, whose
true phase difference is often many cycles.

``MCF``       the residues of the triangles balanced by a minimum-cost flow on the dual
              graph (ISCE2: RelaxIV; here Google OR-Tools' min-cost flow), integrated
              over the triangulation; as in ISCE2 it fails when the vertices of one
              component end up with different cycles (the flow does not know that
              vertices far apart share a component);
``REDARC0``   the same problem as a linear programme over the triangulation's edges
              (ISCE2: PuLP with ``SOLVER_2STAGE`` pulp/glpk/gurobi; here
              :func:`scipy.optimize.milp`, HiGHS);
``REDARC1``/``REDARC2`` the linear programme with redundant arcs: every pair of vertices
              two (three) triangulation edges apart is an edge too.

The output is ``unw - 2 pi k[component]``, 0 where the component is 0; the largest
component (label 1) keeps its phase (``k = 0``). One component (or none): the input is
copied.
"""
from __future__ import annotations

import logging
from collections import deque

import numpy as np

from ._common import TWO_PI, Source, UnwWriters, block_rows

__all__ = ["component_cycles", "tie_components", "unwrap_raster", "METHODS", "SOLVERS"]

log = logging.getLogger("isce.unwrap.twostage")

#: ISCE2's ``unwrapper 2stage name`` -> levels of redundant arcs (-1: MCF)
METHODS = {"MCF": -1, "REDARC0": 0, "REDARC1": 1, "REDARC2": 2}
#: ISCE2's ``SOLVER_2STAGE`` values: all solve the same linear programme, here with HiGHS
SOLVERS = ("pulp", "glpk", "gurobi")


def method_name(name):
    """ISCE2's ``unwrapper 2stage name`` (case ignored) -> canonical, or ValueError."""
    key = str(name).strip().upper()
    if key not in METHODS:
        raise ValueError(f"unknown two-stage unwrapper {name!r}; choose one of "
                         f"{', '.join(METHODS)}")
    return key


def check_solver(solver):
    """ISCE2's ``SOLVER_2STAGE``: pulp, glpk or gurobi (all mean: solve the LP), else
    ValueError."""
    key = str(solver).strip().lower()
    if key not in SOLVERS:
        raise ValueError(f"SOLVER_2STAGE {solver!r} is not one of ISCE2's {', '.join(SOLVERS)}")
    return key


def nearest_vertices(labels, ncomp):
    """ISCE2's vertices: for each ordered pair of components (c, d), the pixel of d nearest
    to c (the first in raster order among equals). Returns unique ``(rows, cols)``."""
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import

    points = []
    for c in range(1, ncomp + 1):
        dist = ndimage.distance_transform_edt(labels != c)
        for d in range(1, ncomp + 1):
            if d != c:
                masked = np.where(labels == d, dist, np.inf)
                points.append(np.unravel_index(int(np.argmin(masked)), labels.shape))
    unique = sorted(set(points))
    return np.array([p[0] for p in unique], np.int64), np.array([p[1] for p in unique], np.int64)


def _triangulate(rows, cols):
    """Delaunay triangles (counter-clockwise in (col, row)) and their neighbours, or None
    when the vertices are too few or collinear."""
    from scipy.spatial import Delaunay, QhullError   # lazy: scipy costs ~0.3-0.8 s to import

    if rows.size < 3:
        return None
    pts = np.stack([cols, rows], axis=1).astype(float)
    try:
        tri = Delaunay(pts)
    except QhullError:
        return None
    simplices = tri.simplices.copy()
    neighbors = tri.neighbors.copy()
    a, b, c = (pts[simplices[:, i]] for i in range(3))
    cw = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]) < 0
    simplices[cw] = simplices[cw][:, [0, 2, 1]]
    neighbors[cw] = neighbors[cw][:, [0, 2, 1]]
    return simplices, neighbors


def _edges(simplices):
    """Undirected edges ``(a, b)``, a < b, of the triangles."""
    e = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [2, 0]]])
    e.sort(axis=1)
    return np.unique(e, axis=0)


def _redundant(edges, nvert, level):
    """``edges`` plus every pair joined by a path of at most ``level + 1`` of them."""
    adj = [set() for _ in range(nvert)]
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    out = set(map(tuple, edges))
    for v in range(nvert):
        reach, frontier = {v}, {v}
        for _ in range(level + 1):
            frontier = {w for u in frontier for w in adj[u]} - reach
            reach |= frontier
        out |= {(min(v, w), max(v, w)) for w in reach if w != v}
    return np.array(sorted(out), np.int64).reshape(-1, 2)


#: an edge of this length [pixels] costs 1 per cycle; shorter ones cost more
COST_LENGTH = 100.0


def _costs(rows, cols, a, b):
    """Integer cost per cycle of each edge: ``max(1, round((COST_LENGTH / length)^2))``."""
    length = np.maximum(np.hypot(rows[a] - rows[b], cols[a] - cols[b]), 1.0)
    return np.maximum(1, np.rint((COST_LENGTH / length) ** 2)).astype(np.int64)


def _jumps(phase, comp, a, b):
    """``round((phi_b - phi_a) / 2 pi)`` per edge; 0 inside one component."""
    n = np.rint((phase[b] - phase[a]) / TWO_PI).astype(np.int64)
    return np.where(comp[a] == comp[b], 0, n)


def _solve_lp(comp, ncomp, a, b, n, cost):
    """Integer ``k`` (ncomp + 1, k[0] unused, k[1] = 0) minimising sum cost |k_b - k_a - n|
    over the edges joining different components: scipy's milp (HiGHS)."""
    from scipy.optimize import Bounds, LinearConstraint, milp   # lazy: scipy import cost
    from scipy.sparse import coo_matrix   # lazy: scipy import cost

    cross = comp[a] != comp[b]
    ca, cb, n, w = comp[a][cross] - 1, comp[b][cross] - 1, n[cross], cost[cross]
    m = n.size
    if m == 0:
        return np.zeros(ncomp + 1, np.int64)
    rows = np.concatenate([np.arange(m)] * 4)
    cols = np.concatenate([cb, ca, ncomp + np.arange(m), ncomp + m + np.arange(m)])
    vals = np.concatenate([np.ones(m), -np.ones(m), -np.ones(m), np.ones(m)])
    A = coo_matrix((vals, (rows, cols)), shape=(m, ncomp + 2 * m)).tocsr()
    objective = np.concatenate([np.zeros(ncomp), w, w]).astype(float)
    big = float(np.abs(n).sum() + 1)
    lo = np.concatenate([np.full(ncomp, -big), np.zeros(2 * m)])
    hi = np.concatenate([np.full(ncomp, big), np.full(2 * m, np.inf)])
    lo[0] = hi[0] = 0.0
    integrality = np.concatenate([np.ones(ncomp), np.zeros(2 * m)])
    res = milp(objective, constraints=LinearConstraint(A, n, n), bounds=Bounds(lo, hi),
               integrality=integrality)
    if res.status != 0:
        raise RuntimeError(f"two-stage unwrapping: the LP solver failed ({res.message})")
    return np.concatenate([[0], np.rint(res.x[:ncomp]).astype(np.int64)])


def _solve_mcf(comp, ncomp, simplices, neighbors, phase, rows, cols):
    """Integer ``k`` from a minimum-cost flow balancing the triangles' residues (OR-Tools)."""
    from ortools.graph.python import min_cost_flow   # lazy: ~0.15 s to import

    ntri = simplices.shape[0]
    ground = ntri
    src, dst, left, right = [], [], [], []
    for t in range(ntri):
        for i in range(3):
            u, v = simplices[t, (i + 1) % 3], simplices[t, (i + 2) % 3]
            r = neighbors[t, i]
            r = ground if r < 0 else r
            if r != ground and r < t:
                continue
            src.append(u)
            dst.append(v)
            left.append(t)
            right.append(r)
    src, dst = np.array(src), np.array(dst)
    left, right = np.array(left), np.array(right)
    jump = _jumps(phase, comp, src, dst)
    residue = np.zeros(ntri + 1, np.int64)
    np.add.at(residue, left, jump)            # each face counter-clockwise: src -> dst on its left
    np.add.at(residue, right, -jump)
    residue[ground] = 0
    residue[ground] = -residue[:ntri].sum()
    cross = comp[src] != comp[dst]
    corr = np.zeros(src.size, np.int64)
    if np.abs(residue).sum() > 0:
        smcf = min_cost_flow.SimpleMinCostFlow()
        idx = np.flatnonzero(cross)
        cap = int(np.abs(residue).sum())
        tails = np.concatenate([left[idx], right[idx]]).astype(np.int64)
        heads = np.concatenate([right[idx], left[idx]]).astype(np.int64)
        w = _costs(rows, cols, src[idx], dst[idx])
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            tails, heads, np.full(tails.size, cap, np.int64), np.concatenate([w, w]))
        smcf.set_nodes_supplies(np.arange(ntri + 1, dtype=np.int64), residue)
        if smcf.solve() != smcf.OPTIMAL:
            raise RuntimeError("two-stage unwrapping: the min-cost-flow solver failed")
        flow = np.asarray(smcf.flows(arcs), np.int64)
        corr[idx] = flow[idx.size:] - flow[:idx.size]       # f(R -> L) - f(L -> R)
    vertex = _potentials(np.arange(comp.size), comp.size - 1, src, dst, jump + corr)
    return _per_component(vertex, comp, ncomp)


def _per_component(vertex, comp, ncomp):
    """One cycle per component from the vertices' cycles, or RuntimeError when a
    component's vertices disagree (ISCE2's MCF fails the same way)."""
    k = np.zeros(ncomp + 1, np.int64)
    for c in range(1, ncomp + 1):
        values = np.unique(vertex[comp == c])
        if values.size > 1:
            raise RuntimeError(f"two-stage MCF: component {c} gets different cycles at its "
                               f"vertices ({', '.join(map(str, values))}); choose REDARC0, "
                               f"REDARC1 or REDARC2")
        k[c] = values[0] if values.size else 0
    return k - k[1]


def _potentials(comp, ncomp, a, b, diff):
    """``k`` (indexed by label 0..ncomp) with ``k[comp[b]] - k[comp[a]] = diff`` on every
    edge (breadth first from label 1; the labels are vertices when ``comp`` is the identity);
    RuntimeError if the edges disagree."""
    k = np.zeros(ncomp + 1, np.int64)
    seen = np.zeros(ncomp + 1, bool)
    adj = [[] for _ in range(ncomp + 1)]
    for ca, cb, d in zip(comp[a], comp[b], diff):
        adj[ca].append((cb, d))
        adj[cb].append((ca, -d))
    for start in (*range(1, ncomp + 1), 0):
        if seen[start]:
            continue
        seen[start] = True
        queue = deque([start])
        while queue:
            u = queue.popleft()
            for v, d in adj[u]:
                if not seen[v]:
                    seen[v], k[v] = True, k[u] + d
                    queue.append(v)
                elif k[v] != k[u] + d:
                    raise RuntimeError("two-stage unwrapping: different cycles in one component")
    return k - k[1]


def component_cycles(unw, conncomp, method="REDARC0"):
    """Integer cycles per component label (array indexed by label; entry 0 unused, label 1
    gets 0) that tie the components of ``unw`` (radians) together."""
    method = method_name(method)
    labels = np.asarray(conncomp).astype(np.int64)
    ncomp = int(labels.max(initial=0))
    if ncomp < 2:
        return np.zeros(ncomp + 1, np.int64)
    rows, cols = nearest_vertices(labels, ncomp)
    phase = np.asarray(unw, np.float64)[rows, cols]
    comp = labels[rows, cols]
    tri = _triangulate(rows, cols)
    if tri is None:           # too few or collinear vertices: the nearest pairs as edges
        log.info("two-stage: %d vertices cannot be triangulated; joining them in order",
                 rows.size)
        a = np.arange(rows.size - 1)
        return _solve_lp(comp, ncomp, a, a + 1, _jumps(phase, comp, a, a + 1),
                         _costs(rows, cols, a, a + 1))
    simplices, neighbors = tri
    if METHODS[method] < 0:
        return _solve_mcf(comp, ncomp, simplices, neighbors, phase, rows, cols)
    edges = _edges(simplices)
    if METHODS[method] > 0:
        edges = _redundant(edges, rows.size, METHODS[method])
    a, b = edges[:, 0], edges[:, 1]
    return _solve_lp(comp, ncomp, a, b, _jumps(phase, comp, a, b), _costs(rows, cols, a, b))


def tie_components(unw, conncomp, method="REDARC0"):
    """``unw - 2 pi k[conncomp]`` (float32, 0 where conncomp is 0 or unw not finite) and
    ``k``."""
    unw = np.asarray(unw, np.float64)
    labels = np.where(np.isfinite(unw), np.asarray(conncomp).astype(np.int64), 0)
    k = component_cycles(unw, labels, method)
    out = unw - TWO_PI * k[labels]
    return np.where(labels > 0, out, 0.0).astype(np.float32), k


def unwrap_raster(unwrapped, conncomp, output, method="REDARC0"):
    """Tie the components of ISCE's ``unwrapped`` (2-band amplitude/phase, e.g.
    ``filt_topophase.unw``) with ``conncomp`` into ``output`` (same layout, e.g.
    ``filt_topophase_2stage.unw``), atomically. The image is held in memory. Returns
    ``output``."""
    amp = Source(unwrapped, "unwrapped interferogram", band=0)
    phase = Source(unwrapped, "unwrapped interferogram", band=1)
    comp = Source(conncomp, "connected components")
    if comp.shape != phase.shape:
        raise ValueError(f"the connected components have shape {comp.shape}, the unwrapped "
                         f"interferogram {phase.shape}")
    length, width = phase.shape
    whole = slice(0, length)
    labels = np.asarray(comp[whole]).astype(np.int64)
    out, k = tie_components(phase[whole], labels, method)
    ncomp = int(labels.max(initial=0))
    if ncomp < 2:
        log.info("two-stage: %d connected component(s): nothing to tie, phase copied", ncomp)
    else:
        log.info("two-stage (%s): cycles per component %s", method_name(method),
                 ", ".join(f"{c}:{int(k[c])}" for c in range(1, ncomp + 1)))
    with UnwWriters(output, None, width, length) as w:
        n = block_rows(width)
        for r0 in range(0, length, n):
            rows = slice(r0, min(r0 + n, length))
            w.amplitude[rows] = amp[rows]
            w.phase[rows] = out[rows]
    return output
