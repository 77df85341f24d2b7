#!/usr/bin/env python3
"""A stack through ``stackStripMap.py`` on Dask: time against dates and pairs, the speed-up
of two workers over one, and the peak memory of each worker.

    PYTHONPATH=components python benchmarks/bench_stack.py [--dates 10] [--pulses 6700] [--samples 2900]

Setup, untimed: ``simulateApp.py`` makes a speckle stack of ``--dates`` ALOS dates written
as focused SLCs (``sensor=ISCE_SLC``; about 2k x 2k pixels at the defaults) over a DEM.
Timed, each run in a fresh folder and a child process (``run_measured``: wall, CPU, and
every process's peak RSS, sampled every 0.1 s):

* ``dates=N, workers=2``: the first N dates (4, 7, 10), 2 worker processes of 1 thread;
* ``dates=10, workers=1``: the same job on one worker of 1 thread.

The network is the 3 nearest dates (``sequential=3``), so pairs grow linearly with dates
and the whole job should too: ``wall = fixed + per_task * (dates + pairs)`` is fitted over
the 2-worker runs, with its largest residual (small: linear growth; the fixed part is the
cluster start, topo and the steps' barriers). Speed-up = wall(1 worker) / wall(2 workers) on the same
10 dates: at most 2 on this 2-core machine. Results: ``benchmarks/results/stack.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _process import isce_env, run_measured  # noqa: E402

import isce.io  # noqa: E402
from isce.stack.inputs import is_date_folder  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEQUENTIAL = 3


def app(name: str) -> list[str]:
    return [sys.executable, str(ROOT / "applications" / name)]


def simulate(folder: Path, dates: int, pulses: int, samples: int) -> Path:
    """The stack (untimed); returns the folder holding its date folders."""
    cmd = [*app("simulateApp.py"), f"simulateApp.dates={dates}", "simulateApp.sensor=ISCE_SLC",
           "simulateApp.scene=speckle", "simulateApp.dem=true", f"simulateApp.pulses={pulses}",
           f"simulateApp.samples={samples}", "simulateApp.output directory=stack", "--steps"]
    print("setup: " + " ".join(cmd[1:]), flush=True)
    with open(folder / "simulate.log", "w") as log:
        if subprocess.run(cmd, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                          env=isce_env()).returncode:
            raise SystemExit(f"simulateApp failed: see {folder / 'simulate.log'}")
    return folder / "stack"


def date_folders(stack: Path) -> list[Path]:
    """The stack's date folders, by the rule stackStripMap reads them with."""
    return sorted(p for p in stack.iterdir() if p.is_dir() and is_date_folder(p.name))


def run_stack(stack: Path, work: Path, n_dates: int, workers: int) -> dict:
    """stackStripMap.py on the first ``n_dates`` dates; the measured run."""
    run_dir = work / f"run_{n_dates}d_{workers}w"
    slcs = run_dir / "dates"
    slcs.mkdir(parents=True)
    for d in date_folders(stack)[:n_dates]:
        (slcs / d.name).symlink_to(d)
    cmd = [*app("stackStripMap.py"), str(stack / "stackStripMap.xml"),
           f"stackStripMap.slc directory={slcs}", f"stackStripMap.demFilename={stack / 'dem.dem'}",
           f"stackStripMap.output directory={run_dir / 'out'}", f"stackStripMap.sequential={SEQUENTIAL}",
           f"stackStripMap.workers={workers}", "stackStripMap.threads per worker=1", "--steps"]
    result = run_measured(cmd, run_dir, run_dir / "stack.log", overall="all")
    if result["returncode"]:
        raise SystemExit(f"stackStripMap failed: see {run_dir / 'stack.log'}")
    report = json.loads((run_dir / "out" / "report.json").read_text())
    pairs = len(report.get("pairs", []))
    workers_rss = sorted((p["rss_mib"] for p in result["processes"].values()
                          if "multiprocessing" in p["cmd"] or "distributed" in p["cmd"]),
                         reverse=True)
    return {"dates": n_dates, "pairs": pairs, "workers": workers, "threads_per_worker": 1,
            "wall_s": round(result["wall_s"], 2), "cpu_s": round(result["cpu_s"], 2),
            "wall_per_task_s": round(result["wall_s"] / (n_dates + pairs), 3),
            "peak_rss_per_worker_mib": [round(x) for x in workers_rss[:workers]],
            "peak_rss_all_mib": round(result["sampled"].get("all", {}).get("rss_mib", 0)),
            "steps_s": {k: v.get("wall_s") for k, v in (report.get("steps") or {}).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=10)
    parser.add_argument("--pulses", type=int, default=6700)
    parser.add_argument("--samples", type=int, default=2900)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "stack.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--stack", type=Path, help="a stack simulated by an earlier --keep run "
                        "(its stack/ folder): reused, not simulated again")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_stack_"))
    try:
        stack = args.stack.resolve() if args.stack else simulate(work, args.dates, args.pulses,
                                                                 args.samples)
        counts = sorted({max(3, args.dates * k // 10) for k in (4, 7)} | {args.dates})
        runs = [run_stack(stack, work, n, 2) for n in counts]
        runs.append(run_stack(stack, work, args.dates, 1))
        for r in runs:
            print(f"{r['dates']:3d} dates {r['pairs']:3d} pairs {r['workers']} worker(s): "
                  f"{r['wall_s']:7.1f} s wall, {r['cpu_s']:7.1f} s CPU, "
                  f"{r['wall_per_task_s']:.2f} s per date+pair, worker peaks "
                  f"{r['peak_rss_per_worker_mib']} MiB", flush=True)
        two = next(r for r in runs if r["dates"] == args.dates and r["workers"] == 2)
        one = runs[-1]
        summary = {"speedup_2_workers_over_1": round(one["wall_s"] / two["wall_s"], 2),
                   **linear_fit([r for r in runs if r["workers"] == 2]),
                   "network": f"sequential {SEQUENTIAL}",
                   "slc_size": _slc_size(stack), "cores": os.cpu_count()}
        print(json.dumps(summary, indent=1))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1) + "\n")
        print(f"wrote {args.json}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def linear_fit(runs) -> dict:
    """wall = fixed + per_task * (dates + pairs), least squares over the runs: the fixed
    cost (cluster start, topo, the steps' barriers) and the cost of one more date or pair,
    with the largest residual as a fraction of the wall time (small: linear growth)."""
    import numpy as np  # lazy: only once the runs are done

    tasks = np.array([r["dates"] + r["pairs"] for r in runs], dtype=float)
    wall = np.array([r["wall_s"] for r in runs])
    per_task, fixed = np.polyfit(tasks, wall, 1)
    residual = np.max(np.abs(wall - (fixed + per_task * tasks)) / wall)
    return {"wall_fixed_s": round(float(fixed), 2), "wall_per_date_or_pair_s": round(float(per_task), 3),
            "linear_fit_max_residual": round(float(residual), 3)}


def _slc_size(stack: Path) -> list[int]:
    """(lines, pixels) of the first date's SLC."""
    first = date_folders(stack)[0]
    slc = next(first.rglob("*.slc"))
    r = isce.io.open(str(slc))
    return [r.length, r.width]


if __name__ == "__main__":
    main()
