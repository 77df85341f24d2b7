"""Applications under hostile resources: thread counts beyond the machine, full or
read-only output folders. Each is one line and exit 2, or a correct run; never a crash."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from isce_commands import APPLICATIONS, isce_env

REPO = Path(__file__).resolve().parents[2]


def shared_data(*parts) -> Path:
    """Path under ../shared/data (as tests/conftest.py's helper; skipped when absent)."""
    path = REPO.parent.joinpath("shared", "data", *parts)
    if not path.exists():
        pytest.skip(f"real test data not found at {path} (../shared/data beside the repository)")
    return path


def run_topo(cwd, omp):
    env = isce_env()
    env["OMP_NUM_THREADS"] = omp
    product = shared_data("envisat", "envisat.h5")
    return subprocess.run([sys.executable, str(APPLICATIONS / "topo.py"), f"topo.product={product}",
                           "topo.height=0"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_topo_with_omp_num_threads_beyond_the_machine(tmp_path):
    one, huge = tmp_path / "one", tmp_path / "huge"
    one.mkdir()
    huge.mkdir()
    ref = run_topo(one, "1")
    assert ref.returncode == 0, ref.stderr[-500:]
    got = run_topo(huge, "100000")  # crashed with SIGSEGV (exit -11) in the OpenMP runtime
    assert got.returncode == 0, f"exit {got.returncode}: {got.stderr[-500:]}"
    assert "OMP_NUM_THREADS=100000 is outside 1.." in (huge / "isce.log").read_text()
    for name in ("lat.rdr", "lon.rdr", "z.rdr", "los.rdr"):
        a = np.fromfile(one / "geometry" / name, np.uint8)
        b = np.fromfile(huge / "geometry" / name, np.uint8)
        assert a.size > 0 and np.array_equal(a, b), name
