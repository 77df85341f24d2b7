"""Orbit interpolation kernel (isce.ext._core.interpolate_orbit) and isce.core.orbit.Orbit.

The NumPy reference implementations below (`hermite_reference`,
`legendre_reference`) are the definition the C++ kernel must match; the
benchmark imports them from here (benchmarks/_reference.py).
"""
import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isce.ext import load

_core = load("_core")
from isce.core.ellipsoid import WGS84  # noqa: E402
from isce.core.orbit import (  # noqa: E402
    VELOCITY_TOLERANCE,
    Orbit,
    choose_method,
    method_from_text,
    velocity_consistency,
)
from isce.geometry.rdr2geo import rdr2geo_points  # noqa: E402

GM = 3.986004418e14  # m^3/s^2 (WGS84)


# ----------------------------------------------------------------- NumPy reference
def _windows(sv_time, tq, nodes, before):
    """Node indices [m, nodes] of each query's window (ISCE2's rule).

    k = first index with sv_time[k] >= tq (n if none); window starts at
    clip(k - before, 0, n - nodes).
    """
    k = np.searchsorted(sv_time, tq, side="left")
    i0 = np.clip(k - before, 0, len(sv_time) - nodes)
    return i0[:, None] + np.arange(nodes)


def _lagrange(tw, d):
    """Lagrange basis L[m, N] and its time derivative dL[m, N] at the queries.

    tw[m, N] window node times, d[m, N] = tq - tw.
    """
    n = tw.shape[1]
    L = np.empty_like(d)
    dL = np.empty_like(d)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        den = np.prod([tw[:, i] - tw[:, j] for j in others], axis=0)
        L[:, i] = np.prod([d[:, j] for j in others], axis=0) / den
        dL[:, i] = np.sum([np.prod([d[:, k] for k in others if k != j], axis=0)
                           for j in others], axis=0) / den
    return L, dL


def hermite_reference(sv_time, sv_pos, sv_vel, tq, before=2):
    """ISCE2 orbitHermite on the 4 vectors around each query (vectorised).

    H(t) = sum_i A_i x_i + B_i v_i, A_i = (1 - 2 c_i d_i) L_i^2, B_i = d_i L_i^2,
    c_i = sum_{j!=i} 1/(t_i - t_j), d_i = t - t_i; velocity = dH/dt.
    """
    sv_time, sv_pos, sv_vel = (np.asarray(a, dtype=np.float64) for a in (sv_time, sv_pos, sv_vel))
    tq = np.asarray(tq, dtype=np.float64).reshape(-1)
    idx = _windows(sv_time, tq, 4, before)
    tw, xw, vw = sv_time[idx], sv_pos[idx], sv_vel[idx]
    d = tq[:, None] - tw
    L, dL = _lagrange(tw, d)
    c = np.zeros_like(d)
    for i in range(4):
        c[:, i] = np.sum([1.0 / (tw[:, i] - tw[:, j]) for j in range(4) if j != i], axis=0)
    f = 1.0 - 2.0 * c * d
    A, B = f * L**2, d * L**2
    dA = -2.0 * c * L**2 + 2.0 * f * L * dL
    dB = L**2 + 2.0 * d * L * dL
    pos = np.einsum("mi,mik->mk", A, xw) + np.einsum("mi,mik->mk", B, vw)
    vel = np.einsum("mi,mik->mk", dA, xw) + np.einsum("mi,mik->mk", dB, vw)
    return pos, vel


def legendre_reference(sv_time, sv_pos, sv_vel, tq, before=5):
    """ISCE Legendre: degree-8 Lagrange through the 9 vectors around each query,
    positions and velocities independently (vectorised). `before`: nodes
    before the query (ISCE: 5); other values only to test the tests."""
    sv_time, sv_pos, sv_vel = (np.asarray(a, dtype=np.float64) for a in (sv_time, sv_pos, sv_vel))
    tq = np.asarray(tq, dtype=np.float64).reshape(-1)
    idx = _windows(sv_time, tq, 9, before)
    tw = sv_time[idx]
    L, _ = _lagrange(tw, tq[:, None] - tw)
    return (np.einsum("mi,mik->mk", L, sv_pos[idx]),
            np.einsum("mi,mik->mk", L, sv_vel[idx]))


REFERENCE = {"hermite": hermite_reference, "legendre": legendre_reference}
METHODS = sorted(REFERENCE)


# ----------------------------------------------------------------- test orbits
def kepler_circular(t, radius=7.0e6, inclination_deg=98.0, node_deg=30.0, phase=0.3):
    """Analytic circular Keplerian orbit: ECI == ECEF here (no Earth rotation)."""
    t = np.asarray(t, dtype=np.float64)
    w = np.sqrt(GM / radius**3)
    u = w * t + phase
    inc, node = np.radians(inclination_deg), np.radians(node_deg)
    # perifocal unit vectors of the orbit plane
    p = np.array([np.cos(node), np.sin(node), 0.0])
    q = np.array([-np.sin(node) * np.cos(inc), np.cos(node) * np.cos(inc), np.sin(inc)])
    pos = radius * (np.cos(u)[:, None] * p + np.sin(u)[:, None] * q)
    vel = radius * w * (-np.sin(u)[:, None] * p + np.cos(u)[:, None] * q)
    return pos, vel


def random_orbit(rng, n, spacing, jitter, noise=1.0):
    """LEO-like state vectors with jittered times, a smooth perturbation and
    `noise` m (noise/1000 m/s) of white noise, so that the result depends on
    exactly which nodes each query uses."""
    t = np.cumsum(spacing * (1.0 + jitter * rng.uniform(-1, 1, n)))
    t -= t[0] - rng.uniform(-1e4, 1e4)
    pos, vel = kepler_circular(t, radius=rng.uniform(6.8e6, 7.4e6),
                               inclination_deg=rng.uniform(0, 180), node_deg=rng.uniform(0, 360),
                               phase=rng.uniform(0, 6.3))
    amp, period = rng.uniform(0, 200, 3), rng.uniform(500, 3000)
    pos = pos + amp * np.sin(2 * np.pi * t[:, None] / period)
    vel = vel + amp * 2 * np.pi / period * np.cos(2 * np.pi * t[:, None] / period)
    pos = pos + rng.normal(0.0, noise, pos.shape)
    vel = vel + rng.normal(0.0, noise * 1e-3, vel.shape)
    return t, pos, vel


def query_times(rng, t, m):
    """Random times over the span, every node, both ends and slightly beyond."""
    inside = rng.uniform(t[0], t[-1], m)
    return np.concatenate([inside, t, [t[0] - 0.1, t[-1] + 0.1, t[0], t[-1]]])


def _assert_matches(pos, vel, ref_pos, ref_vel, sv_pos, sv_vel, spacing):
    # Two implementations of the same formula differ by rounding only:
    # ~eps * |x| * (a few), and for velocities ~eps * |x| / spacing.
    scale_x = np.abs(sv_pos).max()
    scale_v = np.abs(sv_vel).max() + scale_x / spacing
    np.testing.assert_array_less(np.abs(pos - ref_pos), 1e-13 * scale_x)
    np.testing.assert_array_less(np.abs(vel - ref_vel), 1e-13 * scale_v)


# ----------------------------------------------------------------- kernel vs reference
@pytest.mark.parametrize("method", METHODS)
def test_kernel_matches_reference_fixed_seed(method):
    rng = np.random.default_rng(20260101)
    t, pos, vel = random_orbit(rng, n=40, spacing=10.0, jitter=0.2)
    tq = query_times(rng, t, 20000)
    got = _core.interpolate_orbit(t, pos, vel, tq, method)
    ref = REFERENCE[method](t, pos, vel, tq)
    _assert_matches(*got, *ref, pos, vel, 10.0)
    # power of the comparison: a window shifted by one node is far outside it
    before = {"hermite": 2, "legendre": 5}[method]
    for wrong in (before - 1, before + 1):
        shifted = REFERENCE[method](t, pos, vel, tq, before=wrong)
        assert np.abs(shifted[0] - got[0]).max() > 1e-3
        assert np.abs(shifted[1] - got[1]).max() > 1e-4


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(9, 60),
       spacing=st.sampled_from([1.0, 10.0, 30.0, 60.0]), jitter=st.floats(0.0, 0.4),
       method=st.sampled_from(METHODS))
def test_kernel_matches_reference_random_orbits(seed, n, spacing, jitter, method):
    rng = np.random.default_rng(seed)
    t, pos, vel = random_orbit(rng, n, spacing, jitter)
    tq = query_times(rng, t, 500)
    got = _core.interpolate_orbit(t, pos, vel, tq, method)
    _assert_matches(*got, *REFERENCE[method](t, pos, vel, tq), pos, vel, spacing)


# ----------------------------------------------------------------- independent properties
def _poly(coeffs, t, tc, scale):
    """sum_k c_k ((t - tc)/scale)^k per column and its time derivative."""
    s = (np.asarray(t)[:, None] - tc) / scale
    k = np.arange(coeffs.shape[0])[:, None, None]
    val = np.sum(coeffs[:, None, :] * s[None] ** k, axis=0)
    der = np.sum((k[1:] * coeffs[1:, None, :]) * s[None] ** (k[1:] - 1), axis=0) / scale
    return val, der


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), jitter=st.floats(0.0, 0.4))
def test_hermite_reproduces_degree7_polynomials(seed, jitter):
    """The 4-node Hermite interpolant is exact for any degree-7 trajectory."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(10.0 * (1 + jitter * rng.uniform(-1, 1, 12)))
    tc, scale = t.mean(), t[-1] - t[0]
    coeffs = rng.uniform(-1e4, 1e4, (8, 3))
    pos, vel = _poly(coeffs, t, tc, scale)
    tq = rng.uniform(t[0], t[-1], 300)
    got_p, got_v = _core.interpolate_orbit(t, pos, vel, tq, "hermite")
    want_p, want_v = _poly(coeffs, tq, tc, scale)
    np.testing.assert_allclose(got_p, want_p, rtol=0, atol=1e-9 * np.abs(coeffs).sum())
    np.testing.assert_allclose(got_v, want_v, rtol=0, atol=1e-9 * np.abs(coeffs).sum() / scale * 8)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), jitter=st.floats(0.0, 0.4))
def test_legendre_reproduces_degree8_polynomials(seed, jitter):
    """Positions and velocities are interpolated independently, each exactly
    for degree-8 polynomials (the velocities need not be the derivative)."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(10.0 * (1 + jitter * rng.uniform(-1, 1, 20)))
    tc, scale = t.mean(), t[-1] - t[0]
    cp, cv = rng.uniform(-1e4, 1e4, (9, 3)), rng.uniform(-1e2, 1e2, (9, 3))
    pos, vel = _poly(cp, t, tc, scale)[0], _poly(cv, t, tc, scale)[0]
    tq = rng.uniform(t[0], t[-1], 300)
    got_p, got_v = _core.interpolate_orbit(t, pos, vel, tq, "legendre")
    np.testing.assert_allclose(got_p, _poly(cp, tq, tc, scale)[0], rtol=0, atol=1e-8 * np.abs(cp).sum())
    np.testing.assert_allclose(got_v, _poly(cv, tq, tc, scale)[0], rtol=0, atol=1e-8 * np.abs(cv).sum())


@pytest.mark.parametrize("method", METHODS)
def test_query_on_a_node_returns_the_node(method):
    rng = np.random.default_rng(7)
    t, pos, vel = random_orbit(rng, 30, 10.0, 0.3)
    got_p, got_v = _core.interpolate_orbit(t, pos, vel, t, method)
    np.testing.assert_array_equal(got_p, pos)          # bit for bit
    if method == "legendre":
        np.testing.assert_array_equal(got_v, vel)
    else:  # Hermite velocity = derivative of the interpolant: exact to rounding
        np.testing.assert_allclose(got_v, vel, rtol=0, atol=1e-13 * np.abs(pos).max())


def test_hermite_velocity_is_the_derivative_of_position():
    rng = np.random.default_rng(11)
    t, pos, vel = random_orbit(rng, 30, 10.0, 0.2)
    tq = rng.uniform(t[3], t[-4], 200)
    h = 1e-3
    p_plus = _core.interpolate_orbit(t, pos, vel, tq + h, "hermite")[0]
    p_minus = _core.interpolate_orbit(t, pos, vel, tq - h, "hermite")[0]
    v = _core.interpolate_orbit(t, pos, vel, tq, "hermite")[1]
    # central difference: truncation ~h^2 |x'''| ~ 1e-8, rounding ~eps |x| / h ~ 2e-6 m/s
    np.testing.assert_allclose((p_plus - p_minus) / (2 * h), v, rtol=0, atol=1e-5)


# ----------------------------------------------------------------- physics
@pytest.mark.parametrize("method", METHODS)
def test_circular_kepler_orbit_at_midpoints(method):
    """Radius 7000 km sampled every 10 s: both schemes reproduce the analytic
    orbit far below a millimetre. Their truncation error is ~1e-14 m here, so
    what is left is rounding: measured ~3e-9 m, and 6e-10 m/s (Hermite,
    velocity from the derivative) / 3e-12 m/s (Legendre, interpolated
    velocities). The bounds leave a factor 15-40 for other compilers. At 60 s
    sampling the Legendre truncation error shows (1.5e-6 m)."""
    bounds = {  # spacing: (position m, velocity m/s) per method
        10.0: {"hermite": (5e-8, 2e-8), "legendre": (5e-8, 1e-10)},
        60.0: {"hermite": (5e-7, 2e-8), "legendre": (1e-5, 2e-8)},
    }
    for spacing, limits in bounds.items():
        t = np.arange(0.0, 120 * spacing + 1e-9, spacing)
        pos, vel = kepler_circular(t)
        tq = (t[:-1] + t[1:]) / 2
        got_p, got_v = _core.interpolate_orbit(t, pos, vel, tq, method)
        want_p, want_v = kepler_circular(tq)
        err_p = np.linalg.norm(got_p - want_p, axis=1).max()
        err_v = np.linalg.norm(got_v - want_v, axis=1).max()
        max_p, max_v = limits[method]
        assert err_p < max_p, f"{method}, {spacing} s: position error {err_p:.3g} m"
        assert err_v < max_v, f"{method}, {spacing} s: velocity error {err_v:.3g} m/s"


def test_circular_kepler_orbit_linear_interpolation_would_fail():
    """Sanity check of the physical test's power: a chord between neighbours
    misses the circular orbit at a mid-point by ~r (w dt)^2 / 8 ~ 10 m."""
    t = np.arange(0.0, 1200.0 + 1e-9, 10.0)
    pos, _ = kepler_circular(t)
    mid = (pos[:-1] + pos[1:]) / 2
    assert np.linalg.norm(mid - kepler_circular((t[:-1] + t[1:]) / 2)[0], axis=1).max() > 1.0


# ----------------------------------------------------------------- argument checking
def _sv(n=12):
    t = np.arange(n) * 10.0
    pos, vel = kepler_circular(t)
    return t, pos, vel


@pytest.mark.parametrize("bad, match", [
    (dict(sv_pos=np.zeros((12, 2))), r"sv_pos must have shape \(n, 3\) = \(12, 3\).*\(12, 2\)"),
    (dict(sv_vel=np.zeros((11, 3))), r"sv_vel must have shape \(n, 3\) = \(12, 3\).*\(11, 3\)"),
    (dict(sv_pos=np.zeros(36)), r"sv_pos must have shape"),
    (dict(sv_time=np.zeros((12, 1))), r"sv_time must be 1-D"),
    (dict(t=np.zeros((2, 2))), r"t must be 1-D"),
    (dict(method="cubic"), r"method must be 'hermite' or 'legendre'"),
    (dict(threads=-1), r"threads must be >= 0"),
    (dict(sv_time=np.r_[np.arange(11) * 10.0, 95.0]), r"strictly increasing"),
    (dict(sv_time=np.r_[np.arange(11) * 10.0, np.nan]), r"not finite"),
])
def test_kernel_rejects_bad_arguments(bad, match):
    t, pos, vel = _sv()
    args = dict(sv_time=t, sv_pos=pos, sv_vel=vel, t=np.array([15.0]), method="hermite", threads=0)
    args.update(bad)
    with pytest.raises(ValueError, match=match):
        _core.interpolate_orbit(**args)


@pytest.mark.parametrize("method, nmin", [("hermite", 4), ("legendre", 9)])
def test_too_few_state_vectors(method, nmin):
    t, pos, vel = _sv(nmin - 1)
    with pytest.raises(ValueError, match=f"at least {nmin} state vectors"):
        _core.interpolate_orbit(t, pos, vel, np.array([t[1]]), method)
    orbit = Orbit(t, pos, vel, "2020-01-01")
    with pytest.raises(ValueError, match=f"at least {nmin} state vectors"):
        orbit.interpolate(t[1], method)
    t, pos, vel = _sv(nmin)   # exactly enough: fine, even extrapolating past both ends
    p, v = _core.interpolate_orbit(t, pos, vel, np.array([t[0] - 5, t[1], t[-1] + 5]), method)
    assert np.all(np.isfinite(p)) and np.all(np.isfinite(v))


def test_kernel_accepts_empty_queries_and_converts_lists():
    t, pos, vel = _sv()
    p, v = _core.interpolate_orbit(t, pos, vel, np.zeros(0), "legendre")
    assert p.shape == (0, 3) and v.shape == (0, 3)
    p, v = _core.interpolate_orbit(t.tolist(), pos.tolist(), vel.tolist(), [15.0], "HERMITE")
    np.testing.assert_array_equal(p, _core.interpolate_orbit(t, pos, vel, np.array([15.0]))[0])


# ----------------------------------------------------------------- threads and the GIL
@pytest.mark.parametrize("method", METHODS)
def test_threads_give_identical_results(method):
    rng = np.random.default_rng(3)
    t, pos, vel = random_orbit(rng, 50, 10.0, 0.1)
    tq = rng.uniform(t[0], t[-1], 100_003)
    one = _core.interpolate_orbit(t, pos, vel, tq, method, threads=1)
    two = _core.interpolate_orbit(t, pos, vel, tq, method, threads=2)
    default = _core.interpolate_orbit(t, pos, vel, tq, method)
    for a, b, c in zip(one, two, default):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_omp_num_threads_environment(tmp_path):
    """OMP_NUM_THREADS=1 in a fresh process: one thread, same numbers."""
    rng = np.random.default_rng(5)
    t, pos, vel = random_orbit(rng, 50, 10.0, 0.1)
    tq = rng.uniform(t[0], t[-1], 50_000)
    np.savez(tmp_path / "in.npz", t=t, pos=pos, vel=vel, tq=tq)
    code = (
        "import sys, numpy as np\n"
        "from isce.ext import load\n"
        "c = load('_core')\n"
        "d = np.load(sys.argv[1])\n"
        "p, v = c.interpolate_orbit(d['t'], d['pos'], d['vel'], d['tq'], 'legendre')\n"
        "np.savez(sys.argv[2], p=p, v=v, threads=c.max_threads())\n")
    pkg_root = os.path.dirname(os.path.dirname(os.path.dirname(_core.__file__)))
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([pkg_root] + os.environ.get("PYTHONPATH", "").split(os.pathsep)))
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "in.npz"), str(tmp_path / "out.npz")],
                   env=env, check=True)
    out = np.load(tmp_path / "out.npz")
    assert int(out["threads"]) == 1
    p, v = _core.interpolate_orbit(t, pos, vel, tq, "legendre", threads=2)
    np.testing.assert_array_equal(out["p"], p)
    np.testing.assert_array_equal(out["v"], v)


def test_kernel_releases_the_gil():
    """A Python thread keeps running while the kernel computes."""
    rng = np.random.default_rng(9)
    t, pos, vel = random_orbit(rng, 50, 10.0, 0.1)
    tq = rng.uniform(t[0], t[-1], 200_000)
    start = time.perf_counter()
    _core.interpolate_orbit(t, pos, vel, tq, "legendre", threads=1)
    per_query = (time.perf_counter() - start) / tq.size
    tq = rng.uniform(t[0], t[-1], int(min(3e7, 0.4 / per_query)))   # a ~0.4 s call

    ticks, stop = [], threading.Event()

    def spin():
        while not stop.is_set():
            ticks.append(time.perf_counter())

    worker = threading.Thread(target=spin)
    worker.start()
    try:
        time.sleep(0.02)
        t0 = time.perf_counter()
        _core.interpolate_orbit(t, pos, vel, tq, "legendre", threads=1)
        t1 = time.perf_counter()
    finally:
        stop.set()
        worker.join()
    inside = [x for x in ticks if t0 + 0.3 * (t1 - t0) < x < t1 - 0.3 * (t1 - t0)]
    assert t1 - t0 > 0.1
    assert len(inside) > 100, f"the other thread ran {len(inside)} times during the call"


# ----------------------------------------------------------------- Orbit (Python layer)
def _orbit(n=30, margin=0.1):
    t = np.arange(n) * 10.0 + 100.0
    pos, vel = kepler_circular(t)
    return Orbit(t, pos, vel, np.datetime64("2020-03-01T12:00:00", "ns"), margin)


@pytest.mark.parametrize("method", METHODS)
def test_orbit_interpolate_uses_the_kernel(method):
    orbit = _orbit()
    tq = np.linspace(orbit.start_time, orbit.end_time, 77)
    p, v = orbit.interpolate(tq, method)
    rp, rv = REFERENCE[method](orbit.time, orbit.position, orbit.velocity, tq)
    _assert_matches(p, v, rp, rv, orbit.position, orbit.velocity, 10.0)


def test_orbit_shapes_and_datetime_queries():
    orbit = _orbit()
    p, v = orbit.interpolate(150.25)
    assert p.shape == (3,) and v.shape == (3,)
    grid = np.full((2, 5), 150.25)
    p2, v2 = orbit.interpolate(grid, "legendre")
    assert p2.shape == (2, 5, 3)
    when = np.datetime64("2020-03-01T12:02:30.250", "ns")      # = 150.25 s after the epoch
    np.testing.assert_array_equal(orbit.interpolate(when)[0], p)
    np.testing.assert_array_equal(orbit.interpolate([str(when)])[0][0], p)
    import datetime
    np.testing.assert_array_equal(
        orbit.interpolate(datetime.datetime(2020, 3, 1, 12, 2, 30, 250000))[0], p)


def test_orbit_refuses_extrapolation():
    orbit = _orbit(margin=0.1)
    orbit.interpolate([orbit.start_time - 0.1, orbit.end_time + 0.1])     # within the margin
    with pytest.raises(ValueError, match=r"query time 99\.8 s .*outside.*\[100\.0, 390\.0\].*margin of 0\.1 s"):
        orbit.interpolate([150.0, 99.8, 500.0])
    with pytest.raises(ValueError, match=r"2 of 3 query times refused"):
        orbit.interpolate([150.0, 99.8, 500.0])
    with pytest.raises(ValueError, match=r"390\.2"):
        orbit.interpolate(390.2, "legendre")
    with pytest.raises(ValueError, match="not finite"):
        orbit.interpolate([150.0, np.nan])
    with pytest.raises(ValueError, match="outside"):
        orbit.interpolate(100.0 - 1e-6, margin=0.0)
    wide = dataclasses.replace(orbit, extrapolation_margin=5.0)
    wide.interpolate(95.0)
    with pytest.raises(ValueError, match="2020-03-01T12:01:34"):   # the absolute time is named
        wide.interpolate(94.0)


def test_orbit_validates_and_is_immutable():
    t, pos, vel = _sv()
    with pytest.raises(ValueError, match="strictly increasing"):
        Orbit(t[::-1], pos, vel, "2020-01-01")
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        Orbit(t, pos[:, :2], vel, "2020-01-01")
    with pytest.raises(ValueError, match="as many"):
        Orbit(t, pos[:-1], vel[:-1], "2020-01-01")
    with pytest.raises(ValueError, match="non-finite"):
        Orbit(t, np.where(pos > 0, np.inf, pos), vel, "2020-01-01")
    with pytest.raises(ValueError, match="extrapolation_margin"):
        Orbit(t, pos, vel, "2020-01-01", -1.0)
    with pytest.raises(ValueError, match="unknown orbit interpolation method"):
        Orbit(t, pos, vel, "2020-01-01").interpolate(15.0, "spline")
    orbit = Orbit(t, pos, vel, "2020-01-01T00:00:00Z")
    assert orbit.reference_epoch == np.datetime64("2020-01-01", "ns")
    with pytest.raises(dataclasses.FrozenInstanceError):
        orbit.time = t
    with pytest.raises(ValueError):
        orbit.position[0, 0] = 1.0      # read-only copy
    pos[0, 0] = 1.0                      # the caller's array is not shared
    assert orbit.position[0, 0] != 1.0


def test_orbit_dict_roundtrip_is_exact():
    orbit = _orbit()
    text = json.dumps(orbit.to_dict())
    back = Orbit.from_dict(json.loads(text))
    assert back == orbit
    assert back.reference_epoch == orbit.reference_epoch
    np.testing.assert_array_equal(back.interpolate(123.4)[0], orbit.interpolate(123.4)[0])
    with pytest.raises(ValueError, match="lacks"):
        Orbit.from_dict({"time": [0, 1]})


def test_orbit_from_datetimes():
    times = np.datetime64("2021-06-01T00:00:00", "ns") + np.arange(12) * np.timedelta64(10, "s")
    _, pos, vel = _sv()
    orbit = Orbit.from_datetimes(times, pos, vel)
    assert orbit.reference_epoch == times[0]
    np.testing.assert_array_equal(orbit.time, np.arange(12) * 10.0)
    orbit2 = Orbit.from_datetimes([str(x) for x in times], pos, vel, reference_epoch="2021-05-31T23:59:00")
    np.testing.assert_array_equal(orbit2.time, np.arange(12) * 10.0 + 60.0)


# ----------------------------------------------------------------- packaging/import contract
def test_missing_kernel_message():
    with pytest.raises(ImportError, match="compiled kernels are not built: run `scons`"):
        load("_no_such_kernel")


def test_import_isce_is_cheap():
    import isce
    root = os.path.dirname(os.path.dirname(isce.__file__))
    code = ("import sys, isce; heavy = [m for m in ('numpy', 'isce.ext', 'isce.ext._core', 'isce.core')"
            " if m in sys.modules]; print(isce.version.release_version); assert not heavy, heavy")
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == isce.version.release_version


def test_orbit_carries_its_interpolation_method_to_interpolate_and_the_kernels():
    """An orbit's ``interp_method`` is what interpolate() and the geometry kernels use unless
    told otherwise; it survives to_dict/from_dict; an unknown method is refused."""
    from isce.geometry.rdr2geo import rdr2geo_points

    t = np.arange(0.0, 200.0, 10.0)
    pos, vel = kepler_circular(t)
    vel = vel + 0.02                     # velocities off the positions' derivative by 2 cm/s
    hermite = Orbit(t, pos, vel, "2020-01-01T00:00:00")
    legendre = hermite.with_method("legendre")
    assert hermite.interp_method == "hermite" and legendre.interp_method == "legendre"
    tq = np.array([33.3, 101.7])
    for orbit in (hermite, legendre):
        p, v = orbit.interpolate(tq)
        p_ref, v_ref = orbit.interpolate(tq, orbit.interp_method)
        assert np.array_equal(p, p_ref) and np.array_equal(v, v_ref)
        assert Orbit.from_dict(json.loads(json.dumps(orbit.to_dict()))) == orbit
        llh, ok = rdr2geo_points(tq, [850e3, 860e3], orbit, 0.236, "right")
        llh_ref, _ = rdr2geo_points(tq, [850e3, 860e3], orbit, 0.236, "right",
                                    orbit_method=orbit.interp_method)
        assert ok.all() and np.array_equal(llh, llh_ref)
    # the two methods really differ on such vectors (else the checks above prove nothing)
    assert np.abs(hermite.interpolate(tq)[0] - legendre.interpolate(tq)[0]).max() > 1e-3
    ground = [rdr2geo_points(tq, [850e3, 860e3], o, 0.236, "right")[0] for o in (hermite, legendre)]
    assert np.abs(ground[0] - ground[1])[:, :2].max() * 6.4e6 > 1e-3   # > 1 mm on the ground
    assert hermite != legendre
    with pytest.raises(ValueError, match="unknown orbit interpolation method 'spline'"):
        hermite.with_method("spline")


# ----------------------------------------------------------------------------- choosing the method
def _consistent(spacing=10.0, n=30, method="hermite"):
    t = 1000.0 + spacing * np.arange(n)
    pos, vel = kepler_circular(t)
    return Orbit(t, pos, vel, "2021-04-01T05:26:00", interp_method=method)


def _with_velocity_errors(orbit, size, rng, along_track=False):
    """The orbit with velocity errors of magnitude ``size`` [m/s] (random directions, or along
    the velocity with random signs)."""
    if along_track:
        d = orbit.velocity / np.linalg.norm(orbit.velocity, axis=1)[:, None]
        d = d * rng.choice([-1.0, 1.0], size=(len(orbit), 1))
    else:
        d = rng.normal(size=orbit.velocity.shape)
        d /= np.linalg.norm(d, axis=1)[:, None]
    return replace(orbit, velocity=orbit.velocity + size * d)


@pytest.mark.parametrize("spacing, tol", [(10.0, 1e-7), (60.0, 1e-5)])
def test_positions_derivative_is_accurate_on_a_kepler_orbit(spacing, tol):
    """The degree-8 fit of the positions differentiates a Keplerian orbit to far better than
    the 1 mm/s tolerance (10-s vectors: ~1e-9 m/s; 60-s: ~3e-7 m/s)."""
    assert velocity_consistency(_consistent(spacing)) < tol


def test_velocity_consistency_measures_the_velocities_not_fits_them():
    """Only the positions are differentiated: a known velocity error is measured as itself."""
    orbit = _consistent()
    err = np.zeros_like(orbit.velocity)
    err[7] = [0.0, 0.02, 0.0]
    assert velocity_consistency(replace(orbit, velocity=orbit.velocity + err)) == \
        pytest.approx(0.02, abs=1e-6)


def test_auto_picks_legendre_when_velocities_disagree_by_2_cm_per_s():
    method, reason = choose_method(_with_velocity_errors(_consistent(), 0.02,
                                                         np.random.default_rng(3)))
    assert method == "legendre"
    assert re.search(r"velocities up to 2\d\.?\d* mm/s from the positions' derivative", reason)


@pytest.mark.parametrize("declared", ["hermite", "legendre"])
def test_auto_keeps_the_readers_method_on_consistent_velocities(declared):
    method, reason = choose_method(_consistent(method=declared))
    assert method == declared and f"the reader's {declared}" in reason


def test_auto_keeps_hermite_with_fewer_than_9_vectors():
    """Legendre needs 9 vectors: with 8, Hermite is the only choice, and the reason says so."""
    orbit = _with_velocity_errors(_consistent(n=8), 0.02, np.random.default_rng(4))
    method, reason = choose_method(orbit)
    assert method == "hermite" and "Legendre needs 9" in reason
    with pytest.raises(ValueError, match="legendre interpolation needs at least 9"):
        choose_method(orbit, "legendre")
    assert choose_method(_consistent(n=8, method="legendre"))[0] == "hermite"


def test_explicit_and_bad_settings():
    orbit = _with_velocity_errors(_consistent(), 0.02, np.random.default_rng(5))
    assert choose_method(orbit, "Hermite") == ("hermite", "as set")
    assert choose_method(orbit, "legendre") == ("legendre", "as set")
    with pytest.raises(ValueError, match="choose one of auto, hermite, legendre"):
        choose_method(orbit, "spline")


@pytest.mark.parametrize("text, method", [("Hermite", "hermite"), (" LEGENDRE ", "legendre"),
                                          ("SCH", None), ("", None), (None, None)])
def test_method_from_text(text, method):
    assert method_from_text(text) == method


def _ground_error(orbit, truth, method, rng):
    """Largest distance [m] between rdr2geo on ``orbit`` by ``method`` and on the exact orbit."""
    t = rng.uniform(orbit.time[3], orbit.time[-4], 200)
    r = rng.uniform(8.0e5, 9.0e5, 200)
    xyz = [WGS84.lon_lat_to_xyz(rdr2geo_points(t, r, o, 0.055, "right", orbit_method=m)[0])
           for o, m in ((orbit, method), (truth, "hermite"))]
    return float(np.max(np.linalg.norm(xyz[0] - xyz[1], axis=1)))


def test_tolerance_keeps_hermite_within_the_geolocation_budget():
    """Along-track velocity errors of VELOCITY_TOLERANCE move Hermite rdr2geo < 5 cm (here
    ~3 mm); at 2 cm/s, Legendre (auto's choice then) lands closer than Hermite."""
    rng = np.random.default_rng(6)
    truth = _consistent()
    at_tolerance = _with_velocity_errors(truth, VELOCITY_TOLERANCE, rng, along_track=True)
    assert _ground_error(at_tolerance, truth, "hermite", rng) < 0.05
    bad = _with_velocity_errors(truth, 0.02, rng, along_track=True)
    assert choose_method(bad)[0] == "legendre"
    assert _ground_error(bad, truth, "legendre", rng) < 0.5 * _ground_error(bad, truth, "hermite", rng)


def test_only_the_vectors_used_around_the_scene_are_checked():
    """A bad velocity far from the scene's times does not change the method: Hermite uses the
    vectors within two spacings of the times it is asked for."""
    orbit = _consistent()
    err = np.zeros_like(orbit.velocity)
    err[2] = [0.0, 0.05, 0.0]                       # t = 1020 s
    orbit = replace(orbit, velocity=orbit.velocity + err)
    assert choose_method(orbit)[0] == "legendre"
    assert choose_method(orbit, span=(1150.0, 1160.0))[0] == "hermite"
    assert choose_method(orbit, span=(1030.0, 1040.0))[0] == "legendre"
    assert velocity_consistency(orbit, (1150.0, 1160.0)) < 1e-7
