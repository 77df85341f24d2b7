"""isce.unwrap.twostage: ISCE2's two-stage unwrapping ties connected components shifted by
unknown multiples of 2 pi back together (Delaunay vertices, MCF / LP with redundant arcs)."""
import numpy as np
import pytest

import isce.io
from isce.unwrap import icu, twostage

TWO_PI = 2 * np.pi


def five_components(truth):
    """Labels of five components of a 240 x 320 image split by 2-4 pixel gaps (one an
    island inside another), and the cycles each was shifted by."""
    cc = np.zeros(truth.shape, np.uint32)
    cc[:, :100] = 1
    cc[:, 104:200] = 2
    cc[:120, 203:] = 3
    cc[124:, 203:] = 4
    cc[38:62, 18:42] = 0
    cc[40:60, 20:40] = 5
    shift = np.array([0, 0, 3, -2, 5, 1])
    unw = np.where(cc > 0, truth + TWO_PI * shift[cc], 0.0)
    return unw, cc, shift


@pytest.mark.parametrize("method", ["REDARC0", "REDARC1", "REDARC2"])
def test_shifted_components_are_tied_up_to_one_constant(scene_factory, max_err, method):
    s = scene_factory(gamma=1.0, holes=False, stripe=False)
    unw, cc, shift = five_components(s.truth)
    out, k = twostage.tie_components(unw, cc, method)
    np.testing.assert_array_equal(k, shift)            # label 1 keeps its phase
    assert max_err(out, s.truth, cc > 0) < 1e-4
    assert (out[cc == 0] == 0).all()


def test_mcf_agrees_with_the_lp_and_fails_like_isce2_when_a_component_splits(scene_factory):
    """MCF (OR-Tools) = REDARC0 where the triangulation is consistent; on the five-component
    scene (vertices of one component far apart) it refuses, as ISCE2's does."""
    y, x = np.mgrid[0:100, 0:150]
    truth = 0.05 * x + 0.02 * y
    cc = np.zeros(truth.shape, np.uint32)
    cc[:, :48], cc[:, 52:98], cc[:, 102:] = 1, 2, 3
    shift = np.array([0, 0, 2, -1])
    unw = np.where(cc > 0, truth + TWO_PI * shift[cc], 0.0)
    for method in ("MCF", "REDARC0"):
        np.testing.assert_array_equal(twostage.component_cycles(unw, cc, method), shift)
    s = scene_factory(gamma=1.0, holes=False, stripe=False)
    unw5, cc5, _ = five_components(s.truth)
    with pytest.raises(RuntimeError, match="different cycles.*REDARC0"):
        twostage.component_cycles(unw5, cc5, "MCF")


def test_icu_components_split_by_a_dead_stripe_are_tied(scene_factory, scorer):
    """The chain: a zero-coherence stripe (3 pixels, narrower than a fringe) splits the
    filtered noisy scene; icu unwraps the two sides as two components, each with its own
    constant; two-stage makes them one (errors < 1e-3 after aligning ONE constant)."""
    from isce.signal.filter import goldstein
    from isce.signal.phsig import phase_sigma

    s = scene_factory(looks=4, gamma=0.7, seed=5)
    filt = goldstein(s.ifg, 0.5)
    cor = phase_sigma(filt)
    cor[:, 150:153] = 0
    s.hole[:, 150:153] = True
    res = icu.unwrap(filt, cor)
    assert res.conncomp.max() >= 2
    out, k = twostage.tie_components(res.phase, res.conncomp)
    one = (res.conncomp > 0).astype(np.uint32)         # score as one component
    before, _ = scorer(res.phase, one, s)
    after, unlabelled = scorer(out, one, s)
    assert before > 0.1 and after < 1e-3 and unlabelled < 1e-3, (before, after, unlabelled)


def test_one_or_no_component_is_copied():
    phase = np.linspace(0, 30, 200, dtype=np.float32).reshape(10, 20)
    cc = np.ones(phase.shape, np.uint32)
    cc[0] = 0
    out, k = twostage.tie_components(phase, cc)
    np.testing.assert_array_equal(out[1:], phase[1:])
    assert (out[0] == 0).all() and list(k) == [0, 0]
    out, k = twostage.tie_components(phase, np.zeros(phase.shape, np.uint32))
    assert (out == 0).all()


def test_two_components_and_non_finite_phase():
    """Two vertices (no triangle): the pair decides; NaN phase counts as not unwrapped."""
    y, x = np.mgrid[0:30, 0:40]
    truth = 0.1 * x
    cc = np.zeros(truth.shape, np.uint32)
    cc[:, :18], cc[:, 21:] = 1, 2
    unw = np.where(cc == 2, truth - 3 * TWO_PI, truth)
    unw[5, 5] = np.nan
    for method in twostage.METHODS:
        out, k = twostage.tie_components(unw, cc, method)
        assert list(k) == [0, 0, -3]
        good = (cc > 0) & np.isfinite(unw)
        np.testing.assert_allclose(out[good], truth[good], atol=1e-5)
        assert out[5, 5] == 0


def test_names_and_solvers():
    assert twostage.method_name("redarc1") == "REDARC1"
    for solver in ("pulp", "GLPK", "gurobi"):
        twostage.check_solver(solver)
    with pytest.raises(ValueError, match="REDARC0"):
        twostage.method_name("REDARC3")
    with pytest.raises(ValueError, match="pulp, glpk, gurobi"):
        twostage.check_solver("cplex")


def test_unwrap_raster_writes_the_2stage_product(tmp_path, scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=False, stripe=False)
    unw, cc, _ = five_components(s.truth)
    amp = np.abs(s.ifg).astype(np.float32) * 3
    image = isce.io.create(tmp_path / "filt_topophase.unw", unw.shape[1], unw.shape[0], "FLOAT",
                           bands=2, scheme="BIL", image_type="unw")
    image.band(0)[:] = amp
    image.band(1)[:] = unw.astype(np.float32)
    image.close()
    isce.io.write(tmp_path / "filt_topophase.unw.conncomp", cc.astype(np.uint8))
    out = twostage.unwrap_raster(tmp_path / "filt_topophase.unw",
                                 tmp_path / "filt_topophase.unw.conncomp",
                                 tmp_path / "filt_topophase_2stage.unw", "REDARC0")
    r = isce.io.open(out)
    assert (r.bands, r.scheme, r.data_type) == (2, "BIL", "FLOAT")
    np.testing.assert_array_equal(np.array(r.band(0)), amp)
    assert max_err(np.array(r.band(1)), s.truth, cc > 0) < 1e-4
    with pytest.raises(ValueError, match="shape"):
        isce.io.write(tmp_path / "small.conncomp", cc[:10].astype(np.uint8))
        twostage.unwrap_raster(tmp_path / "filt_topophase.unw", tmp_path / "small.conncomp",
                               tmp_path / "x.unw")
    assert not (tmp_path / "x.unw").exists()
