"""isce.unwrap.icu / isce.unwrap.grass: ISCE2's branch-cut unwrappers (GZW trees, correlation
threshold, seeded flood fill), the C++ kernel against its NumPy/Python reference."""
import numpy as np
import pytest

import isce.io
from isce.ext import load
from isce.unwrap import grass, icu

import unwrap_reference as ref

TWO_PI = 2 * np.pi


def wrap(a):
    return a - TWO_PI * np.rint(a / TWO_PI)


def test_noise_free_scene_is_recovered_exactly(scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=False)
    for method in (icu, grass):
        res = method.unwrap(s.ifg, s.coh)
        assert res.phase.dtype == np.float32 and res.conncomp.dtype == np.uint32
        assert (res.conncomp == 1).all()
        assert max_err(res.phase, s.truth, np.ones(s.truth.shape, bool)) < 1e-4


def test_noise_free_scene_with_holes(scene_factory, max_err):
    s = scene_factory(gamma=1.0, holes=True)
    for method in (icu, grass):
        res = method.unwrap(s.ifg, s.coh)
        assert (res.conncomp[s.hole] == 0).all() and (res.phase[s.hole] == 0).all()
        assert (res.conncomp[~s.hole] == 1).all()
        assert max_err(res.phase, s.truth, ~s.hole) < 1e-4


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_scene_meets_the_accuracy_bar(scene_factory, scorer, seed):
    """Coherence 0.7 (4 looks, ~1400 residues) with a 0.3 stripe and holes, unfiltered:
    fewer than 1e-3 of the coherent pixels off by a cycle, at least 98 % of them labelled
    (the rest: cut pixels' neighbourhoods and regions isolated by cuts). Measured: errors
    4.2e-4 .. 8.0e-4, unlabelled 0.3 .. 1.1 % over seeds 0..7."""
    s = scene_factory(looks=4, gamma=0.7, seed=seed)
    res = icu.unwrap(s.ifg, s.coh)
    errors, unlabelled = scorer(res.phase, res.conncomp, s)
    assert errors < 1e-3, errors
    assert unlabelled < 0.02, unlabelled
    assert (res.phase[s.hole] == 0).all() and (res.conncomp[s.hole] == 0).all()
    assert (res.phase[res.conncomp == 0] == 0).all()
    valid = res.conncomp > 0
    np.testing.assert_allclose(wrap(res.phase[valid] - np.angle(s.ifg[valid])), 0, atol=1e-4)


@pytest.mark.parametrize("method", [icu, grass])
def test_filtered_chain_meets_the_accuracy_bar(scene_factory, scorer, method):
    """The insarApp chain (Goldstein filter, phase sigma) as mcf's bar: < 1e-3 errors, all
    labelled (measured: 0 errors, 0 unlabelled)."""
    from isce.signal.filter import goldstein
    from isce.signal.phsig import phase_sigma

    s = scene_factory(looks=4, gamma=0.7, seed=2)
    filt = goldstein(s.ifg, 0.5)
    res = method.unwrap(filt, phase_sigma(filt))
    errors, unlabelled = scorer(res.phase, res.conncomp, s)
    assert errors < 1e-3 and unlabelled < 1e-3, (errors, unlabelled)


def test_components_are_seed_regions_by_size():
    """A zero-coherence wall splits the image: icu labels the two sides 1 (larger) and 2,
    each unwrapped on its own; grass grows one region from the centre only."""
    y, x = np.mgrid[0:60, 0:80]
    truth = 0.5 * x + 0.2 * y
    z = np.exp(1j * truth).astype(np.complex64)
    coh = np.full(z.shape, 0.9, np.float32)
    coh[:, 30:33] = 0.0
    res = icu.unwrap(z, coh, min_region_frac=0.0)
    assert (res.conncomp[:, 33:] == 1).all() and (res.conncomp[:, :30] == 2).all()
    assert (res.conncomp[:, 30:33] == 0).all()
    for label in (1, 2):
        d = (res.phase - truth)[res.conncomp == label]
        assert np.ptp(d) < 1e-4 and abs(wrap(d[0])) < 1e-4
    one = grass.unwrap(z, coh)
    assert (one.conncomp[:, 33:] == 1).all() and (one.conncomp[:, :33] == 0).all()
    small = icu.unwrap(z, coh, min_region_frac=0.45)        # the left side is 30/80 < 45 %
    assert (small.conncomp[:, :30] == 0).all() and (small.phase[:, :30] == 0).all()


def test_correlation_threshold_masks_and_seeds_below_it_start_nothing():
    """Pixels below ``init_corr_threshold`` are not unwrapped; seeds all below every
    threshold up to the maximum unwrap nothing (ISCE2's loop gives up); grass takes its one
    fixed threshold."""
    y, x = np.mgrid[0:64, 0:64]
    z = np.exp(0.3j * x).astype(np.complex64)
    coh = np.full(z.shape, 0.55, np.float32)
    coh[:, 36:] = 0.65
    assert (icu.unwrap(z, coh).conncomp == 1).all()                  # default 0.1
    res = icu.unwrap(z, coh, init_corr_threshold=0.6)
    assert (res.conncomp[:, 36:] == 1).all() and (res.conncomp[:, :36] == 0).all()
    assert (res.phase[:, :36] == 0).all()
    none = icu.unwrap(z, coh, init_corr_threshold=0.7)
    assert (none.conncomp == 0).all() and (none.phase == 0).all()
    assert (grass.unwrap(z, coh, corr_threshold=0.6).conncomp[:, 36:] == 1).all()
    assert (grass.unwrap(z, coh, corr_threshold=0.6).conncomp[:, :36] == 0).all()


def test_nan_zero_and_tiny_inputs_do_not_crash():
    for z, c in ((np.full((20, 30), np.nan, np.complex64), None),
                 (np.zeros((20, 30), np.complex64), np.zeros((20, 30), np.float32)),
                 (np.ones((20, 30), np.complex64), np.full((20, 30), np.nan, np.float32)),
                 (np.ones((20, 30), np.complex64), np.zeros((20, 30), np.float32))):
        for method in (icu, grass):
            res = method.unwrap(z, c)
            assert (res.phase == 0).all() and (res.conncomp == 0).all()
    line = np.exp(1j * np.linspace(0, 20, 50))[None, :].astype(np.complex64)
    for method in (icu, grass):
        res = method.unwrap(line)
        np.testing.assert_allclose(res.phase[0] - res.phase[0, 0], np.linspace(0, 20, 50),
                                   atol=1e-5)
        assert (res.conncomp == 1).all()
        one = method.unwrap(np.ones((1, 1), np.complex64), min_region_frac=0.0)
        assert one.conncomp[0, 0] == 1
        empty = method.unwrap(np.ones((0, 5), np.complex64))
        assert empty.phase.shape == (0, 5)


@pytest.mark.parametrize("tree_sets", [1, 3])
def test_cuts_kernel_equals_reference(scene_factory, tree_sets):
    s = scene_factory(length=72, width=96, looks=4, gamma=0.55, seed=7, holes=True)
    phase = np.angle(np.where(np.isfinite(s.ifg) & (s.ifg != 0), s.ifg, 1)).astype(float)
    charge = icu.charges(phase)
    assert np.abs(charge).sum() > 200
    kernel = load("_unwrap").gzw_cuts(charge, 64, tree_sets, 11)
    np.testing.assert_array_equal(kernel, ref.gzw_cuts(charge, 64, tree_sets, 11))
    assert kernel[0].any() or kernel[-1].any() or kernel[:, 0].any() or kernel[:, -1].any()


def test_grow_kernel_equals_reference(scene_factory):
    s = scene_factory(length=72, width=96, looks=4, gamma=0.55, seed=8, holes=False)
    phase = np.angle(s.ifg).astype(float)
    cut = ref.gzw_cuts(icu.charges(phase), 64, 1, 3)
    blocked = (s.coh < 0.35).astype(np.uint8)
    blocked[:, 47:50] = 1                                       # two sides -> several regions
    seeds = icu.seeds(phase.shape, 8, 8)
    unw, region, sizes = load("_unwrap").grow_regions(phase, blocked, cut, seeds)
    r_unw, r_region, r_sizes = ref.grow_regions(phase, blocked, cut, seeds)
    assert sizes.size >= 2
    np.testing.assert_array_equal(region, r_region)
    np.testing.assert_array_equal(sizes, r_sizes)
    np.testing.assert_array_equal(unw, r_unw)


def test_cuts_leave_a_curl_free_field():
    """Around every 2 x 2 loop of pixels that are all off the cuts, the wrapped differences
    add up to 0: the flood fill's result does not depend on its path."""
    rng = np.random.default_rng(3)
    phase = wrap(np.cumsum(rng.normal(0, 1.4, (50, 60)), axis=1))
    cut = icu.cuts(phase, tree_sets=1)
    charge = icu.charges(phase)
    free = cut == 0
    loop_free = free[:-1, :-1] & free[1:, :-1] & free[:-1, 1:] & free[1:, 1:]
    assert np.abs(charge).sum() > 100
    assert (charge[:-1, :-1][loop_free] == 0).all()


def test_bad_options_are_refused():
    z = np.ones((4, 4), np.complex64)
    for kw in ({"init_corr_threshold": 0.5, "max_corr_threshold": 0.4},
               {"corr_threshold_inc": 0}, {"bootstrap_lines": 0}, {"tree_sets": 1.5},
               {"max_branch_length": 0}, {"min_region_frac": 2}, {"seeding": "random"}):
        with pytest.raises(ValueError):
            icu.unwrap(z, **kw)
    with pytest.raises(ValueError, match="shape"):
        icu.unwrap(z, np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match="icu's option"):
        grass.unwrap(z, init_corr_threshold=0.2)
    with pytest.raises(ValueError, match="must be 2-D"):
        load("_unwrap").gzw_cuts(np.zeros(5, np.int8))


@pytest.mark.parametrize("method", [icu, grass])
def test_unwrap_raster_writes_isce_products(tmp_path, scene_factory, method):
    s = scene_factory(looks=9, gamma=0.7, seed=4)
    isce.io.write(tmp_path / "filt_topophase.flat", s.ifg, image_type="cpx")
    isce.io.write(tmp_path / "phsig.cor", s.coh, image_type="cor")
    out, cc = method.unwrap_raster(tmp_path / "filt_topophase.flat", tmp_path / "phsig.cor",
                                   tmp_path / "filt_topophase.unw", progress=True)
    assert str(cc) == str(tmp_path / "filt_topophase.unw.conncomp")
    unw = isce.io.open(out)
    assert (unw.bands, unw.scheme, unw.data_type, unw.image_type) == (2, "BIL", "FLOAT", "unw")
    comp = isce.io.open(cc)
    assert (comp.bands, comp.data_type) == (1, "BYTE")
    np.testing.assert_allclose(np.array(unw.band(0)), np.nan_to_num(np.abs(s.ifg)), rtol=1e-6)
    in_memory = method.unwrap(s.ifg, s.coh)
    np.testing.assert_array_equal(np.array(unw.band(1)), in_memory.phase)
    np.testing.assert_array_equal(np.array(comp.data), in_memory.conncomp)
    assert in_memory.conncomp.max() >= 1
    assert not list(tmp_path.glob(".*partial"))
