"""Synthetic interferograms with known unwrapped phase, and the accuracy score of issue 5."""
from types import SimpleNamespace

import numpy as np
import pytest

TWO_PI = 2 * np.pi


def truth_phase(length, width):
    """Topographic ramp (6 cycles in range, 2 in azimuth) plus a deformation bowl of 25 rad."""
    y, x = np.mgrid[0:length, 0:width].astype(float)
    ramp = TWO_PI * (6 * x / width + 2 * y / length)
    bowl = 25.0 * np.exp(-((x - 0.45 * width) ** 2 + (y - 0.5 * length) ** 2) / (2 * (width / 6) ** 2))
    return ramp + bowl


def make_scene(length=240, width=320, looks=4, gamma=0.7, seed=0, holes=True, stripe=True):
    """A multilooked interferogram of ``looks`` looks whose true coherence is ``gamma``
    (0.3 in a stripe), with holes: NaN interferogram, zero coherence, zero interferogram."""
    rng = np.random.default_rng(seed)
    truth = truth_phase(length, width)
    g = np.full((length, width), float(gamma))
    if stripe:
        g[:, int(0.70 * width):int(0.75 * width)] = 0.3
    if gamma >= 1:
        ifg = np.exp(1j * truth).astype(np.complex64)
        coh = np.ones((length, width), np.float32)
    else:
        shape = (looks, length, width)
        s1 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
        n = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
        s2 = g * s1 + np.sqrt(1 - g ** 2) * n
        cross = (s1 * np.conj(s2)).mean(0)
        power = (abs(s1) ** 2).mean(0) * (abs(s2) ** 2).mean(0)
        coh = (np.abs(cross) / np.sqrt(power)).astype(np.float32)
        ifg = (cross * np.exp(1j * truth)).astype(np.complex64)
    hole = np.zeros((length, width), bool)
    if holes:
        ifg[40:60, 50:80] = np.nan                      # NaN interferogram
        coh[100:130, 200:220] = 0                       # zero coherence
        ifg[200:210, 10:40] = 0                         # zero (ISCE fill) interferogram
        coh[150:160, 100:110] = np.nan                  # NaN coherence
        hole[40:60, 50:80] = hole[100:130, 200:220] = hole[200:210, 10:40] = True
        hole[150:160, 100:110] = True
    return SimpleNamespace(truth=truth, ifg=ifg, coh=coh, gamma=g, hole=hole)


def score(unw, conncomp, scene, threshold=0.5):
    """(error fraction, unlabelled fraction) over the pixels whose true coherence is above
    ``threshold`` (holes excluded). Each connected component is aligned to the truth by its
    most common multiple of 2 pi; an error is a pixel off by any other multiple, or left
    unlabelled (connected component 0)."""
    unw = np.asarray(unw, float)
    conncomp = np.asarray(conncomp)
    sel = (scene.gamma > threshold) & ~scene.hole
    wrong = np.zeros(unw.shape, bool)
    for label in np.unique(conncomp[conncomp > 0]):
        comp = conncomp == label
        k = np.rint((unw[comp] - scene.truth[comp]) / TWO_PI).astype(int)
        values, counts = np.unique(k, return_counts=True)
        wrong[comp] = k != values[np.argmax(counts)]
    unlabelled = sel & (conncomp == 0)
    return (wrong & sel).sum() / sel.sum(), unlabelled.sum() / sel.sum()


def max_error_up_to_constant(unw, truth, where):
    d = (np.asarray(unw, float) - truth)[where]
    return np.abs(d - d[0]).max() if d.size else 0.0


@pytest.fixture
def scene_factory():
    return make_scene


@pytest.fixture
def scorer():
    return score


@pytest.fixture
def max_err():
    return max_error_up_to_constant
