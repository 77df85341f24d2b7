"""Fixtures of the stack tests: a small simulated stack of 4 dates of one scene, and one
stackStripMap.py run of it on a LocalCluster.

The stack is built with the existing simulator (simulateApp.py, sensor ISCE_SLC, ENVISAT
radar, speckle over a DEM): three runs share the reference date and the seed, so their
reference passes are one date, and each adds a secondary date (its own perpendicular
baseline and a Mogi source growing in time). A fourth run, on an ascending pass, gives a
date of another track (for the bad-input tests).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from isce_commands import APPLICATIONS, isce_env, run_command

REFERENCE_TIME = "2004-07-03T20:53:38"
#: (secondary date, perpendicular baseline [m], Mogi volume change [m^3]) of each run
SECONDARIES = (("2004-08-07", 120.0, 2e5), ("2004-09-11", -90.0, 4e5), ("2004-10-16", 40.0, 6e5))
DATES = ("20040703", "20040807", "20040911", "20041016")
SIMULATION = ("simulateApp.sensor=ISCE_SLC", "simulateApp.radar=ENVISAT", "simulateApp.scene=speckle",
              "simulateApp.pulses=1280", "simulateApp.samples=1024", "simulateApp.dem=True",
              "simulateApp.coherence=0.95", f"simulateApp.reference date={REFERENCE_TIME}")
LOOKS = ("stackStripMap.azimuth looks=4", "stackStripMap.range looks=2")
#: what the bookkeeping writes (not products): left out of byte comparisons
NOT_PRODUCTS = ("logs", "tasks", "PICKLE", "isce.log", "stack.json", "report.json", ".isce.lock")


def _simulate(folder: Path, *settings) -> subprocess.Popen:
    """Start one simulateApp.py run in its own folder (one run per folder)."""
    folder.mkdir(parents=True)
    log = open(folder / "simulate.log", "w")
    return subprocess.Popen([sys.executable, str(APPLICATIONS / "simulateApp.py"), *SIMULATION,
                             "simulateApp.output directory=out", *settings],
                            cwd=folder, env=isce_env(), stdout=log, stderr=subprocess.STDOUT)


def _copy_slc(src: Path, dst_folder: Path) -> None:
    dst_folder.mkdir(parents=True, exist_ok=True)
    for f in src.parent.glob(src.name + "*"):
        shutil.copy2(f, dst_folder / f.name)


@pytest.fixture(scope="session")
def sim_stack(tmp_path_factory):
    """``slcs/<date>/`` (one ISCE_SLC date each), ``other_track/`` (an ascending date,
    20041120) and the DEM."""
    root = tmp_path_factory.mktemp("simstack")
    runs = []
    for i, (date, bperp, volume) in enumerate(SECONDARIES):
        runs.append(_simulate(root / f"sim{i}", f"simulateApp.secondary date={date}T20:53:38",
                              f"simulateApp.baseline={bperp}",
                              f"simulateApp.deformation=34.5,-116.5,3000,{volume}"))
    runs.append(_simulate(root / "asc", "simulateApp.pass direction=ascending",
                          "simulateApp.secondary date=2004-11-20T20:53:38"))
    for i, proc in enumerate(runs):
        assert proc.wait(timeout=300) == 0, (root / ("asc" if i == 3 else f"sim{i}") /
                                             "simulate.log").read_text()[-2000:]
    slcs = root / "slcs"
    _copy_slc(root / "sim0/out/ISCE_SLC/reference.slc", slcs / DATES[0])
    for i, name in enumerate(DATES[1:]):
        _copy_slc(root / f"sim{i}/out/ISCE_SLC/secondary.slc", slcs / name)
    (slcs / "truth").mkdir()                  # not a date folder (no YYYYMMDD name): ignored
    _copy_slc(root / "asc/out/ISCE_SLC/secondary.slc", root / "other_track")
    return SimpleNamespace(root=root, slcs=slcs, dem=root / "sim0/out/dem.dem",
                           other_track=root / "other_track", dates=DATES)


def stack_args(sim, *extra):
    """stackStripMap.py settings for the simulated stack (DEM, looks, 2 workers)."""
    return ("stackStripMap.sensor name=ISCE_SLC", f"stackStripMap.slc directory={sim.slcs}",
            f"stackStripMap.demFilename={sim.dem}", *LOOKS, "stackStripMap.workers=2", *extra)


@pytest.fixture(scope="session")
def local_run(sim_stack, tmp_path_factory):
    """A complete stackStripMap.py run (--steps) of the stack on a LocalCluster of ONE worker
    running two tasks at a time (other tests run 2 workers of 1 thread: the products must
    not depend on the cluster's shape)."""
    folder = tmp_path_factory.mktemp("local_run")
    result = run_command("stackStripMap.py", *stack_args(sim_stack), "stackStripMap.workers=1",
                         "stackStripMap.threads per worker=2", "--steps", cwd=folder,
                         timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


def product_files(folder: Path) -> dict:
    """{relative path: bytes} of every product of a run (bookkeeping and hidden files left out)."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[0] not in NOT_PRODUCTS \
                and not any(p.startswith(".") for p in rel.parts):
            out[str(rel)] = path.read_bytes()
    return out


def mtimes(folder: Path) -> dict:
    """{relative path: mtime_ns} of every file of a run folder but the app's own log/state."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in Path(folder).rglob("*")
            if p.is_file() and p.relative_to(folder).parts[0] not in ("isce.log", "PICKLE",
                                                                         ".isce.lock", "report.json")}


def copy_run(src: Path, dst: Path) -> Path:
    """A copy of a run folder keeping mtimes (the task markers record them)."""
    shutil.copytree(src, dst, copy_function=shutil.copy2)
    return dst


@pytest.fixture(scope="session")
def stack_tools():
    """The helpers above, for the test modules (conftest is not importable by name)."""
    return SimpleNamespace(stack_args=stack_args, product_files=product_files, mtimes=mtimes,
                           copy_run=copy_run, run=run_command, dates=DATES,
                           simulation=SIMULATION, looks=LOOKS)


@pytest.fixture
def connect_timeout_env(monkeypatch):
    """Dask's connect timeout short for tests that expect a scheduler not to answer."""
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")
    return os.environ
