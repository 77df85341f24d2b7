"""isce.focus.fft: planned in-place transforms equal numpy's; wisdom is saved and reloaded;
the scipy fallback gives the same numbers."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyfftw
import pytest

from isce.focus import fft

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("n", [1, 2, 7, 97, 1000, 1025, 8193, 9001])
def test_next_fast_len(n):
    m = fft.next_fast_len(n)
    assert m >= n
    k = m
    for p in (2, 3, 5, 7):
        while k % p == 0:
            k //= p
    assert k == 1
    # nothing smaller in between is 7-smooth
    for c in range(n, m):
        k = c
        for p in (2, 3, 5, 7):
            while k % p == 0:
                k //= p
        assert k != 1


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("axis", [0, 1])
def test_transform_matches_numpy(dtype, axis):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((48, 30)) + 1j * rng.standard_normal((48, 30))).astype(dtype)
    t = fft.Transform(x.shape, axis, dtype)
    t.buffer[...] = x
    got = t.forward().copy()
    tol = 1e-4 if dtype == np.complex64 else 1e-12
    assert np.max(np.abs(got - np.fft.fft(x, axis=axis))) < tol * np.abs(got).max()
    back = t.inverse() / x.shape[axis]                      # unnormalised inverse
    assert np.max(np.abs(back - x)) < tol * np.abs(x).max()


def test_convenience_functions_pad_and_normalise():
    x = np.arange(10, dtype=np.complex64)
    assert np.allclose(fft.fft(x, n=16), np.fft.fft(x, 16), atol=1e-4)
    assert np.allclose(fft.ifft(fft.fft(x)), x, atol=1e-5)


def test_scipy_fallback(monkeypatch):
    monkeypatch.setattr(fft, "_pyfftw", False)
    fft.clear_cache()
    assert fft.backend() == "scipy"
    x = (np.arange(24) + 1j).astype(np.complex64).reshape(4, 6)
    t = fft.Transform(x.shape, 1)
    t.buffer[...] = x
    assert np.allclose(t.forward(), np.fft.fft(x, axis=1), atol=1e-4)
    assert np.allclose(t.inverse() / 6, x, atol=1e-5)
    fft.clear_cache()


def test_pyfftw_is_the_default_backend(monkeypatch):
    """pyfftw is a dependency: unless ISCE_FFT_BACKEND=scipy asks for the fallback, the
    transforms run on it (a broken pyfftw fails here instead of silently running slower)."""
    monkeypatch.delenv("ISCE_FFT_BACKEND", raising=False)
    monkeypatch.setattr(fft, "_pyfftw", None)          # decide again, as a new process would
    assert fft.backend() == "pyfftw"


def test_measure_plans_write_and_reload_wisdom(tmp_path):
    wisdom = tmp_path / "cache" / "fftw-wisdom"
    code = (
        "import numpy as np\n"
        "from isce.focus import fft\n"
        "t = fft.Transform((16, 360), 1)\n"
        "t.buffer[...] = 1\n"
        "t.forward()\n"
        "print(fft.backend(), fft.planner_effort())\n")
    env = {"PYTHONPATH": str(REPO / "components"), "ISCE_FFTW_PLANNER": "measure",
           "ISCE_FFTW_WISDOM": str(wisdom), "ISCE_FFTW_SAVE_WISDOM": "always",
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["pyfftw", "FFTW_MEASURE"]
    assert wisdom.exists() and wisdom.stat().st_size > 0
    assert wisdom.read_bytes().startswith(b"isce-fftw-wisdom 1 ")
    # a second process loads it
    code2 = "from isce.focus import fft\nprint(fft.load_wisdom())\n"
    out = subprocess.run([sys.executable, "-c", code2], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "True"


def test_slow_plans_are_replaced(monkeypatch, caplog):
    """A plan slower than ESTIMATE (stale wisdom from a busy machine) gives way to the
    ESTIMATE plan, for that transform only: nothing is planned again."""
    monkeypatch.setattr(fft, "_pyfftw", pyfftw)        # even under ISCE_FFT_BACKEND=scipy
    monkeypatch.setenv("ISCE_FFTW_PLANNER", "measure")
    monkeypatch.setenv("ISCE_FFTW_SAVE_WISDOM", "never")
    monkeypatch.setattr(fft, "_CHECK_SIZE", 1)
    calls = []
    real = pyfftw.FFTW

    class Slow:                     # wraps the first MEASURE plan with a slow execute
        def __init__(self, plan):
            self.plan = plan

        def execute(self):
            import time
            time.sleep(0.02)
            self.plan.execute()

    def fake(*args, **kw):
        plan = real(*args, **kw)
        calls.append(kw["flags"][0])
        return Slow(plan) if len(calls) == 1 else plan

    monkeypatch.setattr(pyfftw, "FFTW", fake)
    with caplog.at_level("WARNING", logger=fft.log.name):
        t = fft.Transform((8, 64), 1)
    assert calls[:3] == ["FFTW_MEASURE", "FFTW_MEASURE", "FFTW_ESTIMATE"]
    assert "FFTW_MEASURE" not in calls[3:]       # the wisdom is kept, nothing planned again
    assert not isinstance(t._fwd, Slow)
    assert "using the ESTIMATE plan" in caplog.text
    t.buffer[...] = 1
    assert np.allclose(t.forward()[:, 0], 64)


def test_corrupt_wisdom_is_ignored(tmp_path, monkeypatch):
    bad = tmp_path / "wisdom"
    bad.write_bytes(b"garbage")
    assert fft.load_wisdom(str(bad)) is False


def test_out_of_place_into_a_strided_view():
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((40, 12)) + 1j * rng.standard_normal((40, 12))).astype(np.complex64)
    wide = np.zeros((40, 20), np.complex64)
    t = fft.Transform(x.shape, 0, output=wide[:, :12])
    t.buffer[...] = x
    t.inverse()
    assert np.allclose(wide[:, :12], np.fft.ifft(x, axis=0) * 40, atol=1e-4)
    assert np.array_equal(t.buffer, x)                 # the input is kept
    assert np.all(wide[:, 12:] == 0)


def test_chirp_z_transform_matches_the_direct_sum():
    from isce.focus.rda import czt_axis0

    rng = np.random.default_rng(4)
    x = (rng.standard_normal((50, 3)) + 1j * rng.standard_normal((50, 3))).astype(np.complex64)
    beta, m = 0.0137, 40
    q, k = np.arange(50)[:, None], np.arange(m)[None, :]
    ref = np.exp(2j * np.pi * beta * q * k).T @ x
    assert np.abs(czt_axis0(x, beta, m) - ref).max() < 1e-5 * np.abs(ref).max()


@pytest.mark.parametrize("kind,beta,width", [("rect", 0, 0.886), ("hamming", 0, 1.30),
                                             ("kaiser", 0, 0.886), ("kaiser", 2.5, 1.04)])
def test_window_broadening(kind, beta, width):
    from isce.focus.weighting import broadening, window

    assert broadening(kind, beta) == pytest.approx(width, abs=0.01)
    assert window(kind, [-0.6, 0.6], beta).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        window("triangle", [0.0])


@pytest.mark.parametrize("preserve", [True, False])
def test_in_place_on_columns_of_a_wider_buffer_under_measure(monkeypatch, preserve):
    """An in-place axis-0 plan over the first columns of a wider buffer (the focuser's last,
    narrower block) transforms those columns only; MEASURE planning keeps what the buffer
    held unless told it holds nothing yet (preserve=False: no copy set aside)."""
    monkeypatch.setattr(fft, "_pyfftw", pyfftw)
    monkeypatch.setenv("ISCE_FFTW_PLANNER", "measure")
    monkeypatch.setenv("ISCE_FFTW_SAVE_WISDOM", "never")
    rng = np.random.default_rng(4)
    wide = (rng.standard_normal((48, 20)) + 1j * rng.standard_normal((48, 20))).astype(np.complex64)
    held = wide.copy()
    t = fft.Transform((48, 7), 0, buffer=wide[:, :7], preserve=preserve)
    if preserve:
        assert np.array_equal(wide, held)
    assert np.array_equal(wide[:, 7:], held[:, 7:])    # planning touched its columns only
    wide[...] = held
    t.forward()
    assert np.allclose(wide[:, :7], np.fft.fft(held[:, :7], axis=0), atol=1e-4)
    assert np.array_equal(wide[:, 7:], held[:, 7:])


def test_one_direction_plans_one_transform(monkeypatch):
    """A Transform planned one way (the focuser's azimuth FFTs) makes one FFTW plan, runs
    that way, and refuses the other."""
    monkeypatch.setattr(fft, "_pyfftw", pyfftw)
    made = []
    real = pyfftw.FFTW

    def spy(*args, **kw):
        made.append(kw["direction"])
        return real(*args, **kw)

    monkeypatch.setattr(pyfftw, "FFTW", spy)
    x = np.arange(32, dtype=np.complex64).reshape(16, 2)
    t = fft.Transform((16, 2), 0, directions="inverse")
    assert made == ["FFTW_BACKWARD"]
    t.buffer[...] = x
    assert np.allclose(t.inverse(), np.fft.ifft(x, axis=0) * 16, atol=1e-4)
    with pytest.raises(RuntimeError):
        t.forward()
    with pytest.raises(ValueError):
        fft.Transform((16, 2), 0, directions="backward")
