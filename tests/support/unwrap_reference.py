"""NumPy/Python reference of the branch-cut kernels (``isce.ext._unwrap``, C++ in
library/unwrap/branchcut.cpp): the same GZW trees and seeded flood fill, written plainly.
Slow (pure Python loops): for small images in the tests only."""
from collections import deque

import numpy as np

TWO_PI = 2.0 * np.pi
MASK64 = (1 << 64) - 1


def next_random(state):
    """Knuth's MMIX LCG (the kernel's residue order)."""
    return (state * 6364136223846793005 + 1442695040888963407) & MASK64


def search_table(mbl):
    return [(d, di, dj) for d in range(1, mbl + 1) for di in range(-d, d + 1)
            for dj in range(-d, d + 1) if max(abs(di), abs(dj)) == d]


def _tdiv(a, b):
    """Integer division truncated toward zero (C++ and Fortran)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def _cut_line(cut, i1, j1, i2, j2):
    kk = max(abs(i2 - i1), abs(j2 - j1))
    if kk == 0:
        cut[i1, j1] = 1
        return
    for m in range(kk + 1):
        cut[i1 + _tdiv((i2 - i1) * m, kk), j1 + _tdiv((j2 - j1) * m, kk)] = 1


def gzw_cuts(charge, max_branch_length=64, tree_sets=1, seed=1):
    charge = np.asarray(charge, np.int8)
    L, W = charge.shape
    table = search_table(max_branch_length)
    res = [int(k) for k in np.flatnonzero(charge)]
    cut = np.zeros((L, W), np.uint8)
    twig = np.zeros((L, W), bool)
    state = seed
    for _ in range(tree_sets):
        visited = np.zeros((L, W), bool)
        for left in range(len(res), 0, -1):
            state = next_random(state)
            pick = (state >> 33) % left
            root = res[pick]
            res[pick], res[left - 1] = res[left - 1], root
            r = divmod(root, W)
            if visited[r]:
                continue
            visited[r] = twig[r] = True
            tree = [r]
            q = int(charge[r])
            bx = 1
            while bx <= max_branch_length and q != 0:
                ip = 0
                while ip < len(tree) and q != 0:
                    i1, j1 = tree[ip]
                    for d, di, dj in table:
                        if d > bx:
                            break
                        i2, j2 = i1 + di, j1 + dj
                        if i2 < 0 or i2 >= L:
                            if j2 != j1:
                                continue
                            _cut_line(cut, i1, j1, 0 if i2 < 0 else L - 1, j1)
                            q = 0
                            break
                        if j2 < 0 or j2 >= W:
                            if i2 != i1:
                                continue
                            _cut_line(cut, i1, j1, i1, 0 if j2 < 0 else W - 1)
                            q = 0
                            break
                        if twig[i2, j2] or charge[i2, j2] == 0:
                            continue
                        if not visited[i2, j2]:
                            q += int(charge[i2, j2])
                            visited[i2, j2] = True
                        twig[i2, j2] = True
                        tree.append((i2, j2))
                        _cut_line(cut, i1, j1, i2, j2)
                        if q == 0:
                            break
                    ip += 1
                bx += 1
            for t in tree:
                twig[t] = False
    return cut


def grow_regions(phase, blocked, cut, seeds):
    phase = np.asarray(phase, np.float64)
    L, W = phase.shape
    unw = np.zeros((L, W))
    region = np.zeros((L, W), np.int32)
    sizes = []
    for r, c in np.asarray(seeds, np.int64):
        if not (0 <= r < L and 0 <= c < W) or region[r, c] or blocked[r, c] or cut[r, c]:
            continue
        label = len(sizes) + 1
        region[r, c] = label
        unw[r, c] = phase[r, c]
        size = 1
        queue = deque([(r, c)])
        while queue:
            i, j = queue.popleft()
            for di, dj in ((1, 0), (0, 1), (-1, 0), (0, -1)):
                i2, j2 = i + di, j + dj
                if not (0 <= i2 < L and 0 <= j2 < W) or region[i2, j2] or blocked[i2, j2]:
                    continue
                unw[i2, j2] = phase[i2, j2] + TWO_PI * np.rint((unw[i, j] - phase[i2, j2]) / TWO_PI)
                region[i2, j2] = label
                size += 1
                if not cut[i2, j2]:
                    queue.append((i2, j2))
        sizes.append(size)
    return unw, region, np.array(sizes, np.int64)
