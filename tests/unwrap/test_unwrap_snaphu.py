"""isce.unwrap.snaphu: SNAPHU through the PyPI package ``snaphu``."""
import numpy as np
import pytest

import isce.io
from isce.unwrap import snaphu as sn

TWO_PI = 2 * np.pi


def test_noise_free_scene_is_recovered_exactly(scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=False)
    res = sn.unwrap(s.ifg, s.coh, nlooks=1.0)
    assert res.phase.dtype == np.float32 and res.conncomp.dtype == np.uint32
    assert (res.conncomp == 1).all()
    assert max_err(res.phase, s.truth, np.ones(s.truth.shape, bool)) < 1e-3


@pytest.mark.parametrize("init", ["mst", "mcf"])
def test_noisy_scene_with_holes_meets_the_accuracy_bar(scene_factory, scorer, init):
    s = scene_factory(looks=4, gamma=0.7, seed=0)
    res = sn.unwrap(s.ifg, s.coh, nlooks=4.0, cost="smooth", init=init)
    errors, unlabelled = scorer(res.phase, res.conncomp, s)
    assert errors < 1e-3, errors
    assert unlabelled < 0.02, unlabelled          # SNAPHU may leave the noisiest bits out
    # masked pixels (NaN / zero interferogram, NaN / zero coherence): phase 0, component 0
    assert (res.phase[s.hole] == 0).all() and (res.conncomp[s.hole] == 0).all()


def test_tiled_equals_untiled(scene_factory, scorer, max_err):
    s = scene_factory(gamma=1.0, holes=True)
    whole = sn.unwrap(s.ifg, s.coh, nlooks=1.0)
    tiled = sn.unwrap(s.ifg, s.coh, nlooks=1.0, ntiles=(2, 2), tile_overlap=40)
    np.testing.assert_array_equal(tiled.conncomp > 0, whole.conncomp > 0)
    assert max_err(tiled.phase, whole.phase, ~s.hole) < 1e-3
    noisy = scene_factory(looks=9, gamma=0.7, seed=1)
    tiled = sn.unwrap(noisy.ifg, noisy.coh, nlooks=9.0, ntiles=(2, 2), tile_overlap=40)
    assert scorer(tiled.phase, tiled.conncomp, noisy)[0] < 1e-3


def test_defo_cost_and_mst_init(scene_factory, scorer):
    s = scene_factory(looks=9, gamma=0.7, seed=2)
    res = sn.unwrap(s.ifg, s.coh, nlooks=9.0, cost="defo", init="mst")
    assert scorer(res.phase, res.conncomp, s)[0] < 1e-3


def test_nan_and_zero_inputs(capfd):
    z = np.full((30, 40), np.nan, np.complex64)
    res = sn.unwrap(z, np.ones((30, 40), np.float32))
    assert (res.phase == 0).all() and (res.conncomp == 0).all()
    y, x = np.mgrid[0:30, 0:40]
    z = np.exp(0.3j * x).astype(np.complex64)
    res = sn.unwrap(z, None, nlooks=1.0)                  # no coherence: all 1
    assert (res.conncomp == 1).all()
    capfd.readouterr()
    sn.unwrap(z, np.zeros((30, 40), np.float32))           # zero coherence everywhere
    out = capfd.readouterr().out
    assert "snaphu" not in out.lower()                     # SNAPHU's chatter goes to the log


def test_bad_options_are_refused():
    z = np.ones((8, 8), np.complex64)
    c = np.ones((8, 8), np.float32)
    for kw in ({"cost": "topo"}, {"init": "simplex"}, {"nlooks": 0.5}, {"ntiles": (0, 1)},
               {"coherence_threshold": -1}):
        with pytest.raises(ValueError):
            sn.unwrap(z, c, **kw)


def test_unwrap_raster_writes_isce_products(tmp_path, scene_factory, scorer, capfd):
    s = scene_factory(looks=9, gamma=0.7, seed=3)
    isce.io.write(tmp_path / "filt_topophase.flat", s.ifg, image_type="cpx")
    isce.io.write(tmp_path / "phsig.cor", s.coh, image_type="cor")
    capfd.readouterr()
    out, cc = sn.unwrap_raster(tmp_path / "filt_topophase.flat", tmp_path / "phsig.cor",
                               tmp_path / "filt_topophase.unw", nlooks=9.0)
    assert "snaphu" not in capfd.readouterr().out.lower()
    assert str(cc) == str(tmp_path / "filt_topophase.unw.conncomp")
    unw = isce.io.open(out)
    assert (unw.bands, unw.scheme, unw.data_type, unw.image_type) == (2, "BIL", "FLOAT", "unw")
    comp = isce.io.open(cc)
    assert (comp.bands, comp.data_type) == (1, "BYTE")
    np.testing.assert_allclose(np.array(unw.band(0)), np.nan_to_num(np.abs(s.ifg)), rtol=1e-6)
    phase, labels = np.array(unw.band(1)), np.array(comp.data)
    assert scorer(phase, labels, s)[0] < 1e-3
    assert (phase[s.hole] == 0).all() and (labels[s.hole] == 0).all()


def test_auto_tiles(scene_factory, max_err):
    assert sn.auto_tiles((1000, 2048)) == ((1, 1), 0)
    assert sn.auto_tiles((5000, 1500)) == ((3, 1), 128)
    assert sn.auto_tiles((5000, 4100), 300) == ((3, 3), 300)
    s = scene_factory(gamma=1.0, holes=False)
    res = sn.unwrap(s.ifg, s.coh, nlooks=1.0, ntiles="auto")
    assert max_err(res.phase, s.truth, np.ones(s.truth.shape, bool)) < 1e-3
