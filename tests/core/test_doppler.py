"""LUT2d, Poly1d/Poly2d and the Doppler model helpers."""
import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from isce.core.doppler import (LUT2d, Poly1d, Poly2d, constant_doppler, doppler_from_dict,
                               to_lut2d, zero_doppler)

# an ENVISAT-like Doppler LUT grid: range [m] x zero-Doppler time [s]
X = 826000.0 + 25.0 * np.arange(240)
Y = 237321.0 + 0.25 * np.arange(80)


def plane(y, x):
    return 290.0 + 1.3e-3 * (x - 828000.0) - 0.7 * (y - 237330.0)


def bilin(y, x):
    return plane(y, x) + 2e-5 * (x - 828000.0) * (y - 237330.0)


def test_bilinear_reproduces_plane_and_bilinear_exactly():
    for f in (plane, bilin):
        lut = LUT2d.from_function(X, Y, f)
        rng = np.random.default_rng(5)
        x = rng.uniform(X[0], X[-1], 5000)
        y = rng.uniform(Y[0], Y[-1], 5000)
        x[:4] = [X[0], X[-1], X[0], X[-1]]
        y[:4] = [Y[0], Y[0], Y[-1], Y[-1]]
        np.testing.assert_allclose(lut.eval(y, x), f(y, x), rtol=0, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(fy=st.floats(0.0, 1.0), fx=st.floats(0.0, 1.0))
def test_bilinear_plane_hypothesis(fy, fx):
    lut = LUT2d.from_function(X, Y, plane)
    y = Y[0] + fy * (Y[-1] - Y[0])
    x = X[0] + fx * (X[-1] - X[0])
    assert lut.eval(y, x) == pytest.approx(plane(y, x), abs=1e-9)


def test_nodes_reproduced_by_every_method():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(Y.size, X.size))
    yy, xx = np.meshgrid(Y, X, indexing="ij")
    for method in ("nearest", "bilinear", "bicubic", "biquintic"):
        lut = LUT2d(X, Y, data, method=method)
        np.testing.assert_allclose(lut.eval(yy, xx), data, atol=1e-9, err_msg=method)


def test_splines_reproduce_polynomials_of_their_order():
    xs = np.linspace(0.0, 10.0, 12)
    ys = np.linspace(-2.0, 3.0, 9)

    def cubic(y, x):
        return 1 + x - 0.3 * x**2 + 0.02 * x**3 + 0.5 * y**3 - 0.1 * x * y**2

    def quintic(y, x):
        return cubic(y, x) + 1e-3 * x**5 - 0.01 * y**5 + 1e-3 * x**2 * y**3

    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, 300)
    y = rng.uniform(-2, 3, 300)
    b3 = LUT2d.from_function(xs, ys, cubic, method="bicubic")
    np.testing.assert_allclose(b3.eval(y, x), cubic(y, x), atol=1e-9)
    b5 = LUT2d.from_function(xs, ys, quintic, method="biquintic")
    np.testing.assert_allclose(b5.eval(y, x), quintic(y, x), atol=1e-8)
    # bilinear does not reproduce a cubic: the comparison above can fail
    b1 = LUT2d.from_function(xs, ys, cubic, method="bilinear")
    assert np.max(np.abs(b1.eval(y, x) - cubic(y, x))) > 1e-3


def test_nearest():
    lut = LUT2d([0.0, 1.0, 2.0], [0.0, 10.0], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], method="nearest")
    assert lut.eval(0.0, 1.4) == 2.0
    assert lut.eval(6.0, 1.6) == 6.0


def test_bounds_behaviour():
    lut = LUT2d.from_function(X, Y, plane)
    # exactly on the edges is inside
    assert lut.eval(Y[-1], X[-1]) == pytest.approx(plane(Y[-1], X[-1]))
    for y, x in [(Y[0] - 0.01, X[0]), (Y[-1] + 0.01, X[0]), (Y[0], X[0] - 1.0),
                 (Y[0], X[-1] + 1.0)]:
        with pytest.raises(ValueError, match="out of bounds"):
            lut.eval(y, x)
    with pytest.raises(ValueError):
        lut.eval(np.array([Y[1], Y[-1] + 1]), X[3])
    assert not lut.contains(Y[-1] + 1, X[0]) and lut.contains(Y[3], X[4])
    # clamp mode: edge values extend outward
    clamp = LUT2d.from_function(X, Y, plane, bounds_error=False)
    assert clamp.eval(Y[0] - 100.0, X[0] - 1e4) == pytest.approx(plane(Y[0], X[0]))
    assert clamp.eval(Y[-1] + 5.0, X[10]) == pytest.approx(plane(Y[-1], X[10]))
    assert clamp.eval(Y[10], X[-1] + 1e3) == pytest.approx(plane(Y[10], X[-1]))
    # NaN coordinates give NaN and never raise
    out = lut.eval(np.array([np.nan, Y[2]]), np.array([X[1], X[1]]))
    assert np.isnan(out[0]) and out[1] == pytest.approx(plane(Y[2], X[1]))


def test_shapes_and_scalars():
    lut = LUT2d.from_function(X, Y, plane)
    assert np.ndim(lut.eval(Y[1], X[1])) == 0
    assert lut.eval(Y[1:4, None], X[None, 2:7]).shape == (3, 5)
    assert lut(Y[1], X[2]) == lut.eval(Y[1], X[2])
    assert (lut.length, lut.width) == (80, 240)
    assert lut.x_start == 826000.0 and lut.x_spacing == 25.0 and lut.x_end == X[-1]
    assert lut.y_start == 237321.0 and lut.y_spacing == 0.25 and lut.y_end == 237340.75
    same = LUT2d.from_start_spacing(826000.0, 237321.0, 25.0, 0.25, lut.data)
    assert same == lut


def test_irregular_axes_and_complex():
    xs = np.array([0.0, 1.0, 3.0, 7.0])
    ys = np.array([0.0, 0.5, 2.0])
    f = lambda y, x: 2.0 + 3.0 * x - 1.5 * y  # noqa: E731
    lut = LUT2d.from_function(xs, ys, f)
    x = np.linspace(0, 7, 29)
    y = np.linspace(0, 2, 29)
    np.testing.assert_allclose(lut.eval(y, x), f(y, x), atol=1e-12)
    c = LUT2d(xs, ys, np.exp(1j * f(*np.meshgrid(ys, xs, indexing="ij"))))
    assert np.iscomplexobj(c.eval(0.25, 2.0))
    assert c.eval(0.5, 3.0) == pytest.approx(np.exp(1j * f(0.5, 3.0)))
    assert LUT2d.from_dict(json.loads(json.dumps(c.to_dict()))) == c


def test_constant_and_zero_models():
    z = zero_doppler()
    assert not z.have_data and z.eval(1e9, -5.0) == 0.0
    assert z.eval(np.zeros((2, 3)), 1.0).shape == (2, 3)
    c = constant_doppler(123.5)
    assert c.eval(0.0, 0.0) == 123.5
    assert LUT2d() == z
    for m in (z, c):
        assert doppler_from_dict(json.loads(json.dumps(m.to_dict()))) == m
        assert LUT2d.from_xml(m.to_xml()) == m


def test_lut_validation():
    with pytest.raises(ValueError, match="shape"):
        LUT2d(X, Y, np.zeros((X.size, Y.size)))
    with pytest.raises(ValueError, match="increasing"):
        LUT2d(X[::-1], Y, np.zeros((Y.size, X.size)))
    with pytest.raises(ValueError, match="method"):
        LUT2d(X, Y, np.zeros((Y.size, X.size)), method="sinc")
    with pytest.raises(ValueError, match="at least"):
        LUT2d([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], np.zeros((3, 3)), method="bicubic")
    with pytest.raises(ValueError):
        LUT2d(X, None, np.zeros((Y.size, X.size)))


def test_lut_serialisation_round_trip():
    for method in ("bilinear", "bicubic"):
        lut = LUT2d.from_function(X, Y, bilin, method=method, bounds_error=False)
        back = LUT2d.from_dict(json.loads(json.dumps(lut.to_dict())))
        assert back == lut and back.method == method and back.bounds_error is False
        assert LUT2d.from_xml(lut.to_xml()) == lut
        assert doppler_from_dict(lut.to_dict()) == lut
        p = pickle.loads(pickle.dumps(lut))
        assert p.eval(Y[3] + 0.1, X[5] + 3.0) == lut.eval(Y[3] + 0.1, X[5] + 3.0)


# ---------------------------------------------------------------- polynomials
def test_poly1d():
    p = Poly1d([1.0, -2.0, 0.5, 0.25], mean=10.0, norm=4.0)
    x = np.linspace(-20, 40, 31)
    u = (x - 10.0) / 4.0
    np.testing.assert_allclose(p.eval(x), 1 - 2 * u + 0.5 * u**2 + 0.25 * u**3, rtol=1e-14)
    assert p.order == 3 and isinstance(p.eval(3.0), float) and p(3.0) == p.eval(3.0)
    d = p.derivative()
    h = 1e-5
    np.testing.assert_allclose(d.eval(x), (p.eval(x + h) - p.eval(x - h)) / (2 * h), rtol=1e-7)
    fit = Poly1d.fit(x, p.eval(x), 3)
    np.testing.assert_allclose(fit.eval(x), p.eval(x), atol=1e-9)
    assert Poly1d.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert Poly1d.from_xml(p.to_xml()) == p
    with pytest.raises(ValueError):
        Poly1d([1.0], norm=0.0)


def test_poly2d():
    c = np.array([[1.0, 0.5, -0.1], [2.0, 0.0, 0.3]])  # azimuth order 1, range order 2
    p = Poly2d(c, x_mean=828000.0, y_mean=237330.0, x_norm=1000.0, y_norm=5.0)
    assert (p.azimuth_order, p.range_order) == (1, 2)
    rng = np.random.default_rng(9)
    y = rng.uniform(237321, 237340, 50)
    x = rng.uniform(826000, 832000, 50)
    yy, xx = (y - 237330.0) / 5.0, (x - 828000.0) / 1000.0
    ref = sum(c[i, j] * yy**i * xx**j for i in range(2) for j in range(3))
    np.testing.assert_allclose(p.eval(y, x), ref, rtol=1e-13)
    assert p.eval(y[:, None], x[None, :]).shape == (50, 50)
    fit = Poly2d.fit(y, x, ref, 1, 2)
    np.testing.assert_allclose(fit.eval(y, x), ref, atol=1e-9)
    q = Poly1d([3.0, 1.0], mean=5.0, norm=2.0)
    np.testing.assert_allclose(Poly2d.from_poly1d(q).eval(7.0, x), q.eval(x))
    np.testing.assert_allclose(Poly2d.from_poly1d(q, "y").eval(x, 7.0), q.eval(x))
    for back in (Poly2d.from_dict(json.loads(json.dumps(p.to_dict()))), Poly2d.from_xml(p.to_xml()),
                 doppler_from_dict(p.to_dict())):
        assert back == p
    lut = to_lut2d(p, X, Y)
    assert lut.eval(Y[7], X[11]) == pytest.approx(p.eval(Y[7], X[11]), abs=1e-9)
    lut1 = to_lut2d(q, X, Y)
    assert lut1.eval(Y[7], X[11]) == pytest.approx(q.eval(X[11]))
    with pytest.raises(ValueError):
        doppler_from_dict({"type": "Spline"})


@pytest.mark.parametrize("method", ["nearest", "bilinear", "bicubic", "biquintic"])
def test_outer_grid_fast_path_matches_pointwise(method):
    rng = np.random.default_rng(11)
    lut = LUT2d(X, Y, rng.normal(size=(Y.size, X.size)), method=method, bounds_error=False)
    t = np.sort(rng.uniform(Y[0] - 1, Y[-1] + 1, 37))
    r = np.sort(rng.uniform(X[0] - 50, X[-1] + 50, 53))
    t[3] = np.nan
    grid = lut.eval(t[:, None], r[None, :])
    tt, rr = np.meshgrid(t, r, indexing="ij")
    pointwise = np.array([lut.eval(a, b) for a, b in zip(tt.ravel(), rr.ravel())]).reshape(tt.shape)
    np.testing.assert_allclose(grid, pointwise, rtol=0, atol=1e-12)
    np.testing.assert_allclose(lut.eval(tt, rr), pointwise, rtol=0, atol=1e-12)
    assert np.all(np.isnan(grid[3])) and np.isfinite(np.delete(grid, 3, axis=0)).all()
