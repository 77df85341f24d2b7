"""isce.unwrap.mcf: minimum-cost-flow unwrapping on OR-Tools (our own, no licence restriction)."""
import numpy as np
import pytest

import isce.io
from isce.unwrap import mcf
from isce.unwrap._common import label_components

TWO_PI = 2 * np.pi


def wrap(a):
    return a - TWO_PI * np.rint(a / TWO_PI)


def test_corrections_remove_every_residue():
    rng = np.random.default_rng(5)
    phase = wrap(np.cumsum(rng.normal(0, 1.6, (40, 50)), axis=1))       # many residues
    res = mcf.residues(phase)
    assert np.abs(res).sum() > 50
    valid = np.ones(phase.shape, bool)
    cx, cy = mcf.edge_costs(None, valid)
    kx, ky = mcf._corrections(res, cx, cy)
    dx = wrap(np.diff(phase, axis=1)) + TWO_PI * kx
    dy = wrap(np.diff(phase, axis=0)) + TWO_PI * ky
    curl = dx[:-1, :] + dy[:, 1:] - dx[1:, :] - dy[:, :-1]
    np.testing.assert_allclose(curl, 0, atol=1e-9)
    u = mcf.unwrap_tile(phase, valid)
    np.testing.assert_allclose(wrap(u - phase), 0, atol=1e-9)            # congruent mod 2 pi


def test_noise_free_scene_is_recovered_exactly(scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=False)
    res = mcf.unwrap(s.ifg, s.coh)
    assert res.phase.dtype == np.float32 and res.conncomp.dtype == np.uint32
    assert (res.conncomp == 1).all()
    assert max_err(res.phase, s.truth, np.ones(s.truth.shape, bool)) < 1e-4


def test_noise_free_scene_with_holes(scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=True)
    res = mcf.unwrap(s.ifg, s.coh)
    assert (res.conncomp[s.hole] == 0).all() and (res.phase[s.hole] == 0).all()
    assert (res.conncomp[~s.hole] == 1).all()
    assert max_err(res.phase, s.truth, ~s.hole) < 1e-4


@pytest.mark.parametrize("seed", [0, 1])
def test_noisy_scene_meets_the_accuracy_bar(scene_factory, scorer, seed):
    # coherence 0.7 (4 looks: phase std 0.48 rad, ~1400 residues) with a 0.3 stripe and holes
    s = scene_factory(looks=4, gamma=0.7, seed=seed)
    res = mcf.unwrap(s.ifg, s.coh)
    errors, unlabelled = scorer(res.phase, res.conncomp, s)
    assert errors < 1e-3, errors
    assert unlabelled == 0
    assert (res.phase[s.hole] == 0).all() and (res.conncomp[s.hole] == 0).all()
    valid = res.conncomp > 0
    z = s.ifg[valid]
    np.testing.assert_allclose(wrap(res.phase[valid] - np.angle(z)), 0, atol=1e-4)


def test_filtered_chain_meets_the_accuracy_bar(scene_factory, scorer):
    from isce.signal.filter import goldstein
    from isce.signal.phsig import phase_sigma

    s = scene_factory(looks=4, gamma=0.7, seed=2)
    filt = goldstein(s.ifg, 0.5)
    cor = phase_sigma(filt)
    res = mcf.unwrap(filt, cor)
    errors, unlabelled = scorer(res.phase, res.conncomp, s)
    assert errors < 1e-3 and unlabelled == 0, (errors, unlabelled)


def test_tiled_equals_untiled(scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=True)
    whole = mcf.unwrap(s.ifg, s.coh, tile_size=1024)
    tiled = mcf.unwrap(s.ifg, s.coh, tile_size=64, tile_overlap=16)
    np.testing.assert_array_equal(tiled.conncomp, whole.conncomp)
    assert max_err(tiled.phase, whole.phase, ~s.hole) < 1e-4


def test_tiled_noisy_agrees_with_untiled(scene_factory, scorer):
    s = scene_factory(looks=9, gamma=0.7, seed=3)
    whole = mcf.unwrap(s.ifg, s.coh, tile_size=1024)
    tiled = mcf.unwrap(s.ifg, s.coh, tile_size=100, tile_overlap=40)
    np.testing.assert_array_equal(tiled.conncomp, whole.conncomp)
    valid = whole.conncomp > 0
    k = np.rint((tiled.phase - whole.phase)[valid] / TWO_PI)
    values, counts = np.unique(k, return_counts=True)
    assert (k != values[np.argmax(counts)]).mean() < 5e-4
    assert scorer(tiled.phase, tiled.conncomp, s)[0] < 1e-3


def test_nan_zero_and_empty_inputs_do_not_crash():
    z = np.full((20, 30), np.nan, np.complex64)
    res = mcf.unwrap(z, None)
    assert (res.phase == 0).all() and (res.conncomp == 0).all()
    res = mcf.unwrap(np.zeros((20, 30), np.complex64), np.zeros((20, 30), np.float32))
    assert (res.phase == 0).all() and (res.conncomp == 0).all()
    one_line = mcf.unwrap(np.exp(1j * np.linspace(0, 20, 50))[None, :].astype(np.complex64))
    np.testing.assert_allclose(one_line.phase[0], np.linspace(0, 20, 50), atol=1e-5)
    one = mcf.unwrap(np.ones((1, 1), np.complex64))
    assert one.conncomp[0, 0] == 1


def test_coherence_threshold_masks_and_components_split():
    y, x = np.mgrid[0:50, 0:60]
    truth = 0.4 * x + 0.1 * y
    z = np.exp(1j * truth).astype(np.complex64)
    coh = np.full(z.shape, 0.9, np.float32)
    coh[:, 28:31] = 0.05                      # a low-coherence wall splits the image
    res = mcf.unwrap(z, coh, coherence_threshold=0.1, min_conncomp_frac=0.0)
    assert set(np.unique(res.conncomp)) == {0, 1, 2}
    assert (res.conncomp[:, 28:31] == 0).all()
    assert (res.conncomp[:, :28] != res.conncomp[:, 31:][:, :1]).all()
    small = mcf.unwrap(z, coh, coherence_threshold=0.1, min_conncomp_frac=0.6)
    assert (small.conncomp == 0).all()                       # both halves below 60 %


def test_label_components_orders_by_size_and_caps():
    valid = np.zeros((10, 10), bool)
    valid[0, :2] = True            # 2 pixels
    valid[5:, 5:] = True           # 25 pixels
    valid[9, 0] = True             # 1 pixel
    lab = label_components(valid, min_size=2)
    assert lab[6, 6] == 1 and lab[0, 0] == 2 and lab[9, 0] == 0
    assert label_components(valid, max_components=1).max() == 1


def test_bad_options_are_refused():
    z = np.ones((4, 4), np.complex64)
    for kw in ({"tile_size": 1}, {"tile_overlap": -1}, {"coherence_threshold": 1.0},
               {"min_conncomp_frac": 2}, {"cost_scale": 0}):
        with pytest.raises(ValueError):
            mcf.unwrap(z, **kw)
    with pytest.raises(ValueError, match="shape"):
        mcf.unwrap(z, np.ones((3, 4), np.float32))


def test_unwrap_raster_writes_isce_products(tmp_path, scene_factory, scorer):
    s = scene_factory(looks=9, gamma=0.7, seed=4)
    isce.io.write(tmp_path / "filt_topophase.flat", s.ifg, image_type="cpx")
    isce.io.write(tmp_path / "phsig.cor", s.coh, image_type="cor")
    out, cc = mcf.unwrap_raster(tmp_path / "filt_topophase.flat", tmp_path / "phsig.cor",
                                tmp_path / "filt_topophase.unw", tile_size=96, tile_overlap=32)
    assert str(cc) == str(tmp_path / "filt_topophase.unw.conncomp")
    unw = isce.io.open(out)
    assert (unw.bands, unw.scheme, unw.data_type, unw.image_type) == (2, "BIL", "FLOAT", "unw")
    for ext in (".xml", ".vrt", ".hdr"):
        assert (tmp_path / ("filt_topophase.unw" + ext)).exists()
    comp = isce.io.open(cc)
    assert (comp.bands, comp.data_type) == (1, "BYTE")
    amp = np.array(unw.band(0))
    np.testing.assert_allclose(amp, np.nan_to_num(np.abs(s.ifg)), rtol=1e-6)
    phase, labels = np.array(unw.band(1)), np.array(comp.data)
    in_memory = mcf.unwrap(s.ifg, s.coh, tile_size=96, tile_overlap=32)
    np.testing.assert_array_equal(phase, in_memory.phase)
    np.testing.assert_array_equal(labels, in_memory.conncomp)
    assert scorer(phase, labels, s)[0] < 1e-3
    assert not list(tmp_path.glob(".*partial"))
