"""ampcor on synthetic speckle pairs with known shifts (DESIGN.md section 8:
ISCE2 recovers an injected 0.3 / 0.2 pixel shift to 0.001 pixel)."""
import sys
from pathlib import Path

import numpy as np
import pytest

import isce.io
from isce.offsets.ampcor import ampcor, read_offsets_txt, window_grid, write_dense

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offsets_synth import decorrelated_pair, shifted_pair  # noqa: E402


def _stats(f, dy, dx):
    ea, er = f.azimuth[f.valid] - dy, f.range[f.valid] - dx
    return {"mean": (ea.mean(), er.mean()), "median": (np.median(ea), np.median(er)),
            "std": (ea.std(), er.std()), "n": int(f.valid.sum())}


def test_constant_subpixel_shift_to_a_thousandth(shift_pair):
    ref, sec = shift_pair
    f = ampcor(ref, sec, window=128, search=16, skip=64)
    s = _stats(f, 0.3, 0.2)
    print(f"\n0.3/0.2 px shift, {s['n']} windows of 128^2: mean error {s['mean']}, "
          f"median {s['median']}, std {s['std']}")
    assert s["n"] == len(f) == 14 * 14
    assert abs(s["mean"][0]) < 1e-3 and abs(s["mean"][1]) < 1e-3
    # in fact ~1e-5 on average and ~1e-4 per window
    assert abs(s["mean"][0]) < 1e-4 and abs(s["mean"][1]) < 1e-4
    assert s["std"][0] < 5e-4 and s["std"][1] < 5e-4
    assert np.all(f.snr > 100) and np.all(f.peak > 0.99)
    assert np.all(f.cov_az < 1e-3) and np.all(f.cov_rg < 1e-3)


def test_shift_with_doppler_and_gross_offset():
    """Azimuth spectrum centred at 0.3 cycles/line (deramped), a 7-line / -12-pixel
    integer part found by the coarse search, another half found by the gross offset."""
    ref, sec = shifted_pair((768, 768), 7.3, -12.2, bw=0.9, fdc=0.3, seed=5)
    f = ampcor(ref, sec, window=96, search=16, skip=96)
    s = _stats(f, 7.3, -12.2)
    assert s["n"] == len(f) > 0
    assert abs(s["mean"][0]) < 1e-3 and abs(s["mean"][1]) < 1e-3
    g = ampcor(ref, sec, window=96, search=6, skip=96, gross_offset=(5, -10))
    t = _stats(g, 7.3, -12.2)
    assert t["n"] == len(g) > 0
    assert np.allclose(t["mean"], s["mean"], atol=1e-4)


def test_amplitude_detection_as_isce_is_slightly_biased(shift_pair):
    """ISCE correlates amplitudes: not band-limited at 2x, ~3e-3 px bias (documented)."""
    ref, sec = shift_pair
    f = ampcor(ref, sec, window=128, search=8, skip=128, detection="amplitude")
    s = _stats(f, 0.3, 0.2)
    assert abs(s["mean"][0]) < 5e-3 and abs(s["mean"][1]) < 5e-3


def test_numpy_reference_path_gives_the_same_offsets(shift_pair):
    ref, sec = shift_pair
    k = ampcor(ref, sec, window=64, search=8, skip=128, kernel=True)
    n = ampcor(ref, sec, window=64, search=8, skip=128, kernel=False)
    np.testing.assert_array_equal(k.status, n.status)
    np.testing.assert_allclose(k.azimuth, n.azimuth, atol=1e-7)
    np.testing.assert_allclose(k.range, n.range, atol=1e-7)
    np.testing.assert_allclose(k.snr, n.snr, rtol=1e-6)


def test_threads_and_batches_do_not_change_results(shift_pair):
    ref, sec = shift_pair
    a = ampcor(ref, sec, window=64, search=8, skip=100, threads=1, batch=7)
    b = ampcor(ref, sec, window=64, search=8, skip=100, threads=2, batch=64)
    np.testing.assert_array_equal(a.azimuth, b.azimuth)
    np.testing.assert_array_equal(a.range, b.range)


def test_real_amplitude_inputs(shift_pair):
    ref, sec = shift_pair
    f = ampcor(np.abs(ref), np.abs(sec), window=128, search=8, skip=128)
    s = _stats(f, 0.3, 0.2)
    assert s["n"] == len(f)
    # speckle detected at the image sampling is aliased (its intensity has twice the
    # band): sub-pixel offsets of such images are biased by up to ~0.2 px, which is
    # why ampcor oversamples complex SLCs before detecting them
    assert abs(s["mean"][0]) < 0.25 and abs(s["mean"][1]) < 0.25


def test_windows_outside_and_flat_areas_are_flagged():
    ref, sec = shifted_pair((512, 512), 0.3, 0.2, seed=6)
    sec[:200, :200] = 0                              # no signal there
    f = ampcor(ref, sec, window=64, search=8, lines=[40, 100, 300], pixels=[10, 100, 300])
    st = f.grid("status")
    assert st[0, 0] == 1                             # search chip leaves the image
    assert st[1, 1] == 2                             # flat secondary chip
    assert st[2, 2] == 0
    assert np.isnan(f.grid("azimuth")[1, 1]) and np.isfinite(f.grid("azimuth")[2, 2])
    assert f.counts()["ok"] == int((st == 0).sum())


def test_default_grid_fits_and_counts():
    lines, pixels = window_grid((1000, 800), 64, 20, count=(5, 4))
    assert lines.size == 5 and pixels.size == 4
    assert lines[0] - 32 - 20 >= 0 and lines[-1] + 32 + 20 <= 1000
    assert pixels[0] - 32 - 20 >= 0 and pixels[-1] + 32 + 20 <= 800
    l2, _ = window_grid((1000, 800), 64, 20, gross_offset=(30, 0))
    assert l2[-1] + 32 + 20 + 30 <= 1000


def test_dense_rasters_and_text_table(tmp_path, shift_pair):
    ref, sec = shift_pair
    f = ampcor(ref[:512, :512], sec[:512, :512], window=64, search=8, skip=64)
    p_off, p_snr, p_cov = write_dense(f, tmp_path / "dense_offsets")
    r = isce.io.open(p_off)
    assert (r.bands, r.length, r.width, r.scheme) == (2, *f.grid_shape, "BIL")
    np.testing.assert_allclose(r.band(0), f.grid("azimuth"), atol=1e-6)
    np.testing.assert_allclose(r.band(1), f.grid("range"), atol=1e-6)
    assert isce.io.open(p_snr).length == f.grid_shape[0]
    assert isce.io.open(p_cov).bands == 3
    txt = f.write_txt(tmp_path / "offsets.txt")
    back = read_offsets_txt(txt)
    assert len(back) == int(f.valid.sum())
    np.testing.assert_allclose(back.azimuth, f.azimuth[f.valid], atol=1e-6)
    np.testing.assert_allclose(back.pixel, f.pixel[f.valid], atol=1e-6)


def test_bad_arguments():
    a = np.zeros((64, 64), np.complex64)
    with pytest.raises(ValueError, match="both be complex or both be real"):
        ampcor(a, a.real)
    with pytest.raises(ValueError, match="detection"):
        ampcor(a, a, detection="phase")
    with pytest.raises(ValueError, match="2-D"):
        ampcor(np.zeros(5, np.complex64), a)


def test_accuracy_on_a_decorrelated_pair_is_near_the_cramer_rao_bound():
    """Speckle pair of coherence gamma = 0.7 shifted by (0.3, -0.2) px, correlated as insarApp's
    misregistration step does (64^2 windows, +-8 px search, a 20 x 20 grid, the defaults:
    fine stage on the intensity of 2x oversampled complex chips, i.e. incoherent correlation).

    Accuracy of incoherent (intensity) speckle cross-correlation, Bamler & Eineder, IEEE GRSL
    2(2) 151-155 (2005), for a flat spectrum:

        sigma = sqrt(3 / (10 N)) * sqrt(2 + 5 gamma^2 - 7 gamma^4) / (pi gamma^2)

    in resolution cells (1 / B pixels for a band B [cycles/pixel]), N the independent cells
    in the window, (W B)^2. Here B = 0.8, W = 64: N = 2621, sigma = 0.0116 cells = 0.0145 px
    per axis. (The coherent bound, sqrt(3 / (2 N)) sqrt(1 - gamma^2) / (pi gamma), would be
    0.0078 cells = 0.0097 px: ampcor, like ISCE's, does not use the phase.) Checked over the
    400 windows: the bias within 0.2 sigma (the mean's own spread is sigma / 20), and the
    spread within 0.75 .. 1.5 sigma (k = 1.5 leaves room for the sub-pixel peak interpolation
    and the finite window; the spread of a 400-window std is 4 %). The expression is B&E's
    large-N approximation rather than a strict bound at this N (see also De Zan, IEEE GRSL
    11(1), 2014, on incoherent speckle tracking): ampcor measured 0.85 .. 0.93 sigma for
    gamma 0.5 .. 0.9 and W 32 .. 64. A worse sub-pixel interpolation or a leak of the coarse
    integer search shows as more than 1.5 sigma; a wrong coherence, band or window count as
    a ratio far from 1.
    """
    gamma, bw, window, shift = 0.7, 0.8, 64, (0.3, -0.2)
    ref, sec = decorrelated_pair((1408, 1408), *shift, gamma, bw=bw, seed=1)
    f = ampcor(ref.astype(np.complex64), sec.astype(np.complex64), window=window, search=8,
               count=(20, 20))
    cells = (window * bw) ** 2
    sigma = (np.sqrt(3 / (10 * cells)) * np.sqrt(2 + 5 * gamma ** 2 - 7 * gamma ** 4)
             / (np.pi * gamma ** 2) / bw)
    s = _stats(f, *shift)
    print(f"\ngamma {gamma}: {s['n']} windows of {window}^2, bound {sigma:.4f} px; bias "
          f"{s['mean'][0]:+.5f} / {s['mean'][1]:+.5f} px, std {s['std'][0]:.4f} / "
          f"{s['std'][1]:.4f} px ({s['std'][0] / sigma:.2f} / {s['std'][1] / sigma:.2f} bound)")
    assert s["n"] == len(f) == 400
    assert np.all(np.diff(np.unique(f.line)) >= window)          # independent windows
    for axis in (0, 1):
        assert abs(s["mean"][axis]) < 0.2 * sigma, s
        assert 0.75 * sigma <= s["std"][axis] <= 1.5 * sigma, s
