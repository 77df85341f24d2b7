"""Thread counts beyond the machine are clamped, never a crash (OMP_NUM_THREADS=100000)."""
import io
import logging
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from isce_commands import isce_env

from isce.core import threads
from isce.core.threads import available_cpus, kernel_threads
from isce.ext import load

CPUS = available_cpus()


@pytest.fixture(autouse=True)
def fresh_reports(monkeypatch):
    monkeypatch.setattr(threads, "_reported", set())
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)


def test_counts_inside_the_machine_are_kept():
    assert kernel_threads(1) == 1
    assert kernel_threads(CPUS) == CPUS
    assert kernel_threads(0) == kernel_threads(None) == CPUS


@pytest.mark.parametrize("requested, expected", [(10**6, CPUS), (CPUS + 1, CPUS), (-3, 1)])
def test_counts_outside_are_clamped_and_logged_once(caplog, requested, expected):
    with caplog.at_level(logging.WARNING, logger="isce.threads"):
        assert kernel_threads(requested) == expected
        assert kernel_threads(requested) == expected
    assert len(caplog.records) == 1
    assert f"threads={requested} is outside 1..{CPUS}" in caplog.text and f"using {expected}" in caplog.text


def test_omp_num_threads_is_the_default_and_is_clamped(monkeypatch, caplog):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert kernel_threads(0) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "100000,2")
    with caplog.at_level(logging.WARNING, logger="isce.threads"):
        assert kernel_threads(0) == CPUS
    assert "OMP_NUM_THREADS=100000 is outside" in caplog.text
    for invalid in ("many", "0", "-4"):  # ignored, as the OpenMP runtime ignores them
        monkeypatch.setenv("OMP_NUM_THREADS", invalid)
        assert kernel_threads(0) == CPUS


def test_fft_threads_are_clamped(monkeypatch):
    from isce.focus import fft
    monkeypatch.setenv("ISCE_FFT_THREADS", "100000")
    assert fft.threads() == CPUS
    monkeypatch.setenv("ISCE_FFT_THREADS", "lots")
    with pytest.raises(ValueError, match="ISCE_FFT_THREADS='lots'"):
        fft.threads()


def test_bindings_clamp_what_they_are_given():
    assert load("_core").max_threads() <= CPUS
    assert load("_geometry").max_threads() <= CPUS
    assert load("_signal").max_threads() <= CPUS


# A kernel called with a huge count, in a child process (a crash must not take pytest down).
KERNEL_RUN = textwrap.dedent("""
    import sys, numpy as np
    from isce.ext import load
    from isce.core.orbit import Orbit
    t = np.arange(20) * 10.0
    pos = np.stack([7e6 * np.cos(t / 1e3), 7e6 * np.sin(t / 1e3), 1e3 * t], axis=1)
    vel = np.stack([-7e3 * np.sin(t / 1e3), 7e3 * np.cos(t / 1e3), 1e3 + 0 * t], axis=1)
    tq = np.linspace(5.0, 180.0, 50000)
    p1, v1 = load("_core").interpolate_orbit(t, pos, vel, tq, "hermite")   # OpenMP default
    p2, v2 = load("_core").interpolate_orbit(t, pos, vel, tq, "hermite", threads=int(sys.argv[1]))
    np.save(sys.stdout.buffer, np.concatenate([p1, v1, p2, v2], axis=1))
""")


def run_kernel(omp: str, threads_arg: int):
    env = isce_env()
    env["OMP_NUM_THREADS"] = omp
    proc = subprocess.run([sys.executable, "-c", KERNEL_RUN, str(threads_arg)], env=env,
                          capture_output=True, timeout=300)
    return proc


def test_kernel_with_huge_thread_counts_does_not_crash_and_agrees():
    ref = run_kernel("1", 1)
    assert ref.returncode == 0, ref.stderr.decode()
    huge = run_kernel("100000", 10**6)
    assert huge.returncode == 0, f"exit {huge.returncode}: {huge.stderr.decode()[-500:]}"
    a, b = np.load(io.BytesIO(ref.stdout)), np.load(io.BytesIO(huge.stdout))
    assert a.shape == (50000, 12)
    np.testing.assert_array_equal(a, b)


SPIN_PROBE = "import os, isce; print(os.environ.get('GOMP_SPINCOUNT'), os.environ.get('OMP_WAIT_POLICY'))"


@pytest.mark.parametrize("given, expected", [
    ({}, "10000 None"),                                   # isce's default: spin briefly
    ({"GOMP_SPINCOUNT": "300000"}, "300000 None"),       # the user's choice is kept
    ({"OMP_WAIT_POLICY": "ACTIVE"}, "None ACTIVE"),      # a policy: no spin count added
])
def test_idle_openmp_threads_spin_briefly_unless_the_user_chose(given, expected):
    env = {k: v for k, v in isce_env().items() if k not in ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")}
    proc = subprocess.run([sys.executable, "-c", SPIN_PROBE], env={**env, **given},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[0] == expected
