"""A polynomial offset field recovered through ampcor, culling and a 2-D fit;
outliers (decorrelated areas, wrong matches) culled; Poly2D, JSON and rasters."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import isce.io
from isce.offsets import Poly2D, cull_offsets, fit_offsets, fit_poly2d
from isce.offsets.ampcor import ampcor
from isce.offsets.fit import read_misreg_json, write_misreg_json, write_offset_rasters

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offsets_synth import true_offsets, warped_pair  # noqa: E402

N = 640


def az_field(l, p):
    u, v = l / N, p / N
    return 0.3 + 0.5 * u - 0.4 * v + 0.3 * u * v


def rg_field(p):
    v = p / N
    return -0.2 + 0.6 * v + 0.4 * v * v


@pytest.fixture(scope="module")
def field_pair():
    return warped_pair((N, N), az_field, rg_field, seed=11)


@pytest.fixture(scope="module")
def measured(field_pair):
    ref, sec = field_pair
    sec = sec.copy()
    rng = np.random.default_rng(12)
    # a decorrelated area: independent speckle in the secondary
    sec[60:250, 380:600] = (rng.standard_normal((190, 220)) + 1j * rng.standard_normal((190, 220))) / np.sqrt(2)
    return ampcor(ref, sec, window=64, search=8, skip=32)


def test_field_recovered_after_culling_and_fit(measured):
    f = measured
    ta, tr = true_offsets(f.line, f.pixel, az_field, rg_field)
    good = f.valid & (np.abs(f.azimuth - ta) < 0.02) & (np.abs(f.range - tr) < 0.02)
    # inject wrong matches in 10% of the good windows
    rng = np.random.default_rng(13)
    bad = rng.choice(np.flatnonzero(good), size=good.sum() // 10, replace=False)
    f.azimuth[bad] += rng.choice([-1, 1], bad.size) * rng.uniform(0.5, 12.0, bad.size)
    f.range[bad] += rng.choice([-1, 1], bad.size) * rng.uniform(0.5, 12.0, bad.size)
    res = cull_offsets(f, order=2)
    print("\n" + res.summary())
    kept = res.mask
    assert not kept[bad].any(), "an injected wrong offset survived"
    # every kept window is a correct one
    assert np.all(np.abs(f.azimuth[kept] - ta[kept]) < 0.02)
    assert np.all(np.abs(f.range[kept] - tr[kept]) < 0.02)
    assert res.kept >= 0.7 * (good.sum() - bad.size)
    # the fitted field on a grid of reference positions, within 0.01 px of the truth
    gl, gp = np.meshgrid(np.linspace(60, N - 60, 25), np.linspace(60, N - 60, 25), indexing="ij")
    ta_g, tr_g = true_offsets(gl, gp, az_field, rg_field)
    ea = res.az_poly(gl, gp) - ta_g
    er = res.rg_poly(gl, gp) - tr_g
    print(f"fit error: azimuth max {np.abs(ea).max():.2e} rms {np.sqrt((ea**2).mean()):.2e}, "
          f"range max {np.abs(er).max():.2e} rms {np.sqrt((er**2).mean()):.2e} px")
    assert np.abs(ea).max() < 0.01 and np.abs(er).max() < 0.01
    assert res.rms_az < 0.01 and res.rms_rg < 0.01


def test_decorrelated_windows_have_low_snr(measured):
    f = measured
    inside = (f.line > 60 + 32 + 8) & (f.line < 250 - 32 - 8) & (f.pixel > 380 + 40) & (f.pixel < 600 - 40)
    outside = (f.line > 300) | (f.pixel < 300)
    assert inside.sum() > 5
    assert np.median(f.snr[inside]) < 40 < np.min(f.snr[outside & f.valid])
    res = cull_offsets(f, order=2)
    assert not res.mask[inside].any()


def test_cull_reports_each_stage():
    rng = np.random.default_rng(3)
    n = 400
    line, pixel = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    from isce.offsets.ampcor import OffsetField

    az = 1.0 + 1e-3 * line + rng.normal(0, 0.01, n)
    rg = -2.0 + 2e-3 * pixel + rng.normal(0, 0.01, n)
    az[:40] += rng.uniform(4, 30, 40)              # gross mismatches
    az[40:60] += 0.5                               # small ones: only k-sigma finds them
    f = OffsetField(line=line, pixel=pixel, azimuth=az, range=rg, snr=np.full(n, 50.0),
                    peak=np.ones(n), cov_az=np.zeros(n), cov_rg=np.zeros(n),
                    cov_azrg=np.zeros(n), status=np.zeros(n, np.int8))
    f.snr[60:70] = 1.0
    res = cull_offsets(f, snr_min=5, order=1)
    names = [s["stage"] for s in res.steps]
    assert names == ["snr", "median", "distance", "distance", "distance", "nsigma"]
    assert res.steps[0]["kept"] == n - 10
    assert not res.mask[:70].any()
    assert res.kept >= 0.97 * (n - 70)
    assert "kept" in res.summary()


def test_poly2d_fit_eval_json(tmp_path):
    rng = np.random.default_rng(4)
    l, p = rng.uniform(0, 4000, 300), rng.uniform(0, 3000, 300)
    truth = lambda l, p: 0.5 + 2e-4 * l - 3e-4 * p + 1e-8 * l * p + 2e-8 * p * p  # noqa: E731
    poly = fit_poly2d(l, p, truth(l, p), order=2)
    np.testing.assert_allclose(poly(l, p), truth(l, p), atol=1e-10)
    back = Poly2D.from_dict(json.loads(json.dumps(poly.to_dict())))
    np.testing.assert_allclose(back(123.0, 456.0), truth(123.0, 456.0), atol=1e-10)
    paths = write_misreg_json(tmp_path, poly, poly + 1.0)
    assert [Path(x).name for x in paths] == ["misreg_az.json", "misreg_rg.json"]
    az, rg = read_misreg_json(tmp_path)
    assert rg(10.0, 20.0) == pytest.approx(az(10.0, 20.0) + 1.0)
    with pytest.raises(ValueError, match="at least 6 points"):
        fit_poly2d(l[:5], p[:5], l[:5], order=2)
    with pytest.raises(ValueError, match="order"):
        fit_poly2d(l, p, l, order=4)


def test_offset_rasters_add_geometry_offsets(tmp_path):
    shape = (50, 70)
    az = Poly2D([[0.1, 0.01], [0.002, 0.0]], 25.0, 25.0, 35.0, 35.0)
    rg = Poly2D([[-0.3]])
    geo_az = np.full(shape, 2.0, np.float32)
    geo_az[3, 4] = np.nan
    isce.io.write(tmp_path / "geo_rg.off", np.full(shape, -1.0, np.float32))
    pa, pr = write_offset_rasters(tmp_path, shape, az, rg, geometry_az=geo_az,
                                  geometry_rg=tmp_path / "geo_rg.off", block_lines=16)
    assert Path(pa).name == "azimuth.off" and Path(pr).name == "range.off"
    a = isce.io.open(pa).read()
    r = isce.io.open(pr).read()
    ll, pp = np.mgrid[0:50, 0:70]
    expect = 2.0 + az(ll, pp)
    expect[3, 4] = np.nan
    np.testing.assert_allclose(a, expect, atol=1e-6)
    np.testing.assert_allclose(r, -1.3, atol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        write_offset_rasters(tmp_path, (10, 10), az, rg, geometry_az=geo_az)


def test_poly2d_on_grid_is_the_broadcast_call_bit_for_bit():
    rng = np.random.default_rng(12)
    for order in (0, 1, 2, 3):
        l, p = rng.uniform(0, 4000, 200), rng.uniform(0, 3000, 200)
        poly = fit_poly2d(l, p, rng.normal(0.0, 0.3, 200) + 1e-4 * l - 2e-4 * p, order=order)
        lines, pixels = np.arange(37.0, 91.0), np.arange(4.0, 1500.0, 3.0)
        grid = poly.on_grid(lines, pixels)
        assert grid.shape == (lines.size, pixels.size)
        np.testing.assert_array_equal(grid, poly(lines[:, None], pixels[None, :]))


def _design(line, pixel, order):
    """Monomials l^i p^j, i + j <= order, of (l, p) scaled by 1/N (an independent basis)."""
    u, v = np.asarray(line) / N, np.asarray(pixel) / N
    return np.column_stack([u ** i * v ** j for i in range(order + 1)
                            for j in range(order + 1 - i)])


def test_fit_poly2d_is_weighted_least_squares():
    """fit_poly2d with weights w equals the weighted least-squares solution computed
    independently (numpy.linalg.lstsq on sqrt(w)-scaled rows, another basis): the same
    polynomial, so the same values at the points and elsewhere."""
    rng = np.random.default_rng(31)
    line, pixel = rng.uniform(0, N, 150), rng.uniform(0, N, 150)
    values = az_field(line, pixel) + rng.normal(0, 0.05, line.size)
    w = rng.uniform(0.05, 20.0, line.size)
    poly = fit_poly2d(line, pixel, values, order=2, weights=w)
    a = _design(line, pixel, 2)
    sol, *_ = np.linalg.lstsq(a * np.sqrt(w)[:, None], values * np.sqrt(w), rcond=None)
    gl, gp = rng.uniform(0, N, 50), rng.uniform(0, N, 50)
    np.testing.assert_allclose(poly(line, pixel), a @ sol, rtol=0, atol=1e-10)
    np.testing.assert_allclose(poly(gl, gp), _design(gl, gp, 2) @ sol, rtol=0, atol=1e-10)
    unweighted, *_ = np.linalg.lstsq(a, values, rcond=None)
    assert np.abs(a @ unweighted - a @ sol).max() > 1e-3       # the weights do matter here


def _with_an_outlier(field, k, jump):
    """A copy of ``field`` whose window k is off by ``jump`` px in both offsets and has a
    poor correlation: SNR 1 and ISCE's undefined covariance (99 px^2); the others keep
    theirs (SNR > 100, covariance < 0.1 px^2)."""
    f = field.select(np.ones(len(field), bool))
    f.azimuth[k] += jump
    f.range[k] += jump
    f.snr[k], f.cov_az[k], f.cov_rg[k] = 1.0, 99.0, 99.0
    return f


def test_fit_offsets_weights(measured):
    """A down-weighted wrong window pulls the fit far less than it does unweighted, for SNR
    and inverse-variance weights; given all the weight, the fit passes through it."""
    clean = measured.select(measured.valid & (measured.snr > 100))
    k = int(np.argmin(np.hypot(clean.line - N / 2, clean.pixel - N / 2)))   # a central window
    assert clean.snr.min() > 100 and max(clean.cov_az.max(), clean.cov_rg.max()) < 0.1
    good, bad = _with_an_outlier(clean, k, 0.0), _with_an_outlier(clean, k, 3.0)
    gl, gp = np.meshgrid(np.linspace(60, N - 60, 15), np.linspace(60, N - 60, 15), indexing="ij")

    def pull(weights):
        """Largest change [px] the 3 px error of the window makes to the fit (same weights)."""
        ref_az, ref_rg = fit_offsets(good, order=2, weights=weights)
        az, rg = fit_offsets(bad, order=2, weights=weights)
        assert isinstance(az, Poly2D) and az.azimuth_order == 2
        return (np.abs(az(gl, gp) - ref_az(gl, gp)).max(),
                np.abs(rg(gl, gp) - ref_rg(gl, gp)).max())

    plain = pull(None)
    assert min(plain) > 0.02, plain                 # one wrong window moves the plain fit
    for weights in ("snr", "cov"):
        weighted = pull(weights)
        print(f"outlier pull [px] (azimuth, range): unweighted {plain}, {weights} {weighted}")
        assert weighted[0] < 0.05 * plain[0] and weighted[1] < 0.05 * plain[1], (weights, weighted)
    heavy = np.ones(len(bad))
    heavy[k] = 1e6
    az, rg = fit_offsets(bad, order=2, weights=heavy)
    assert abs(az(bad.line[k], bad.pixel[k]) - bad.azimuth[k]) < 0.01
    assert abs(rg(bad.line[k], bad.pixel[k]) - bad.range[k]) < 0.01
    with pytest.raises(ValueError, match="weights"):
        fit_offsets(measured, weights="bogus")
