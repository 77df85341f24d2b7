"""isce.unwrap.snaphu_init: SNAPHU's initialise-only mode (ISCE2 stripmapApp's ``snaphu``),
and its NumPy shortcut for residue-free interferograms against SNAPHU's own run."""
import numpy as np
import pytest

from isce.unwrap import snaphu as sn
from isce.unwrap import snaphu_init

ISCE2 = {"cost": "smooth", "init": "mcf", "init_only": True, "defomax": 2.0, "max_components": 20}


def _through_snaphu(monkeypatch):
    """Make the residue count non-zero so SNAPHU's CS2 initialisation itself runs."""
    monkeypatch.setattr(snaphu_init, "residue_count", lambda phase: 1)


def test_residue_count_numpy_reference():
    rng = np.random.default_rng(0)
    p = rng.uniform(-np.pi, np.pi, (37, 53)).astype(np.float32)
    w = lambda d: (d + np.pi) % (2 * np.pi) - np.pi          # noqa: E731
    ref = 0
    for i in range(36):
        for j in range(52):
            s = (w(p[i, j + 1] - p[i, j]) + w(p[i + 1, j + 1] - p[i, j + 1])
                 - w(p[i + 1, j + 1] - p[i + 1, j]) - w(p[i + 1, j] - p[i, j]))
            ref += int(round(s / (2 * np.pi)) != 0)
    assert ref > 100 and snaphu_init.residue_count(p) == ref
    y, x = np.mgrid[0:1100, 0:40]                 # more rows than one block, no residue
    assert snaphu_init.residue_count(np.angle(np.exp(0.9j * x + 0.7j * y))) == 0


@pytest.mark.parametrize("holes", [False, True])
def test_shortcut_equals_snaphus_own_initialisation(scene_factory, monkeypatch, holes):
    """Residue-free: the integrated phase and the regrown components are SNAPHU's own
    (holes: zero and NaN coherence over a valid interferogram)."""
    s = scene_factory(gamma=1.0, holes=holes)
    z = np.exp(1j * s.truth).astype(np.complex64)
    if holes:
        s.hole[:] = np.isnan(s.coh) | (s.coh == 0)
    assert snaphu_init.residue_count(np.angle(z)) == 0 and s.hole.any() == holes
    fast = sn.unwrap(z, s.coh, nlooks=16.0, **ISCE2)
    _through_snaphu(monkeypatch)
    slow = sn.unwrap(z, s.coh, nlooks=16.0, **ISCE2)
    np.testing.assert_array_equal(fast.conncomp, slow.conncomp)
    assert np.abs(fast.phase - slow.phase).max() < 1e-4
    assert (fast.conncomp[~s.hole] == 1).all() and (fast.phase[s.hole] == 0).all()


def test_noisy_scene_runs_snaphus_initialisation(scene_factory, scorer, caplog):
    """With residues SNAPHU's MCF initialisation runs; on the coherence-0.7 scene it
    leaves no unwrapping error."""
    s = scene_factory(looks=9, gamma=0.7, seed=3)
    with caplog.at_level("INFO", logger="isce.unwrap.snaphu"):
        res = sn.unwrap(s.ifg, s.coh, nlooks=9.0, **ISCE2)
    assert "initialisation only" in caplog.text and "residues" in caplog.text
    errors, unlabelled = scorer(res.phase, res.conncomp, s)
    assert errors < 1e-3, errors
    assert unlabelled < 0.05, unlabelled
    assert (res.phase[s.hole] == 0).all() and (res.conncomp[s.hole] == 0).all()
    assert res.conncomp.max() <= 20


def test_init_only_options_are_checked():
    z = np.ones((8, 8), np.complex64)
    c = np.ones((8, 8), np.float32)
    for kw in ({"init_only": "yes"}, {"defomax": 0}, {"max_components": 0},
               {"init_only": True, "ntiles": (2, 2)}):
        with pytest.raises(ValueError):
            sn.unwrap(z, c, **kw)


def test_nothing_valid_gives_zeros():
    res = sn.unwrap(np.full((10, 12), np.nan, np.complex64), np.ones((10, 12), np.float32),
                    **ISCE2)
    assert (res.phase == 0).all() and (res.conncomp == 0).all()
