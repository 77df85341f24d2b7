#!/usr/bin/env python3
"""`make demo`: a simulated ALOS raw pair to geocoded deformation, checked against the truth.

Run as a user would type it, under demo/ (ignored by git):

1. ``simulateApp.py``: an ALOS PALSAR FBS raw pair (CEOS IMG/LED files) over synthetic
   terrain, speckle plus three corner reflectors, a Mogi source inflating between the
   passes, 300 m perpendicular baseline; the truth goes next to the data;
2. ``insarApp.py insarApp.xml --steps --end=formslc`` then ``--next``: focusing, then the
   rest of the chain (resumed from the saved state) to geocoded unwrapped phase;
3. the truth comparison: LOS displacement RMSE, unwrapping errors, residual against
   height, corner reflectors' geolocation; demo/report.json and demo/report.html
   (acquisition dates, baselines, every step's time and memory, and quicklooks of
   amplitude, phase, coherence and geocoded deformation).

Exit status 1 when a number misses its limit (issue limits: RMSE < 1 mm, no unwrapping
errors for this noise-free pair).
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
SIMULATION = DEMO / "simulation"
RMSE_LIMIT_M = 1e-3
UNWRAP_LIMIT = 0.0
SIMULATE = ["simulateApp.scene=speckle", "simulateApp.dem=true", "simulateApp.pulses=8192",
            "simulateApp.deformation=34.5,-116.5,2000,5e6",
            f"simulateApp.output directory={SIMULATION.name}", "--steps"]


def script(name: str) -> list[str]:
    """The installed launcher (``.venv/bin/<name>``), else the repository's copy."""
    installed = Path(sys.executable).parent / name
    path = installed if installed.is_file() else ROOT / "applications" / name
    return [sys.executable, str(path)]


def run(name: str, *args: str, cwd: Path) -> float:
    shown = " ".join(shlex.quote(a) for a in (name, *args))
    print(f"\n$ cd {cwd.relative_to(ROOT)} && {shown}", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([*script(name), *args], cwd=cwd)
    if proc.returncode != 0:
        raise SystemExit(f"demo: {name} failed with status {proc.returncode} "
                         f"(its log: {(cwd / 'isce.log').relative_to(ROOT)})")
    return time.perf_counter() - t0


def main() -> int:
    shutil.rmtree(DEMO, ignore_errors=True)
    DEMO.mkdir(parents=True)
    print("demo: a simulated ALOS raw pair through insarApp, compared with the truth (under demo/)")
    t_sim = run("simulateApp.py", *SIMULATE, cwd=DEMO)
    t_focus = run("insarApp.py", "insarApp.xml", "--steps", "--end=formslc", cwd=SIMULATION)
    t_rest = run("insarApp.py", "insarApp.xml", "--next", cwd=SIMULATION)

    from isce.framework.steps import step_statistics
    from isce.quality.report import quicklooks, write_html
    from isce.quality.truth import compare_with_truth, format_comparison

    truth = compare_with_truth(SIMULATION)
    filtered = compare_with_truth(SIMULATION, unwrapped="filt_topophase.unw")
    insar = json.loads((SIMULATION / "report.json").read_text())
    steps = dict(step_statistics(SIMULATION))
    report = {
        "los_displacement_rmse_m": truth["los_displacement_rmse_m"],
        "unwrapping_error_fraction": truth["unwrapping_error_fraction"],
        "mean_coherence": insar.get("mean_coherence"),
        "acquisitions": insar.get("acquisitions"),
        "baseline": insar.get("baseline"),
        "point_target_max_offset_px": truth["point_target_max_offset_px"],
        "point_targets": truth["point_targets"],
        "limits": {"los_displacement_rmse_m": RMSE_LIMIT_M, "unwrapping_error_fraction": UNWRAP_LIMIT},
        "truth_comparison": {k: v for k, v in truth.items() if k != "point_targets"},
        "filtered_phase": {"los_displacement_rmse_m": filtered["los_displacement_rmse_m"],
                           "unwrapping_error_fraction": filtered["unwrapping_error_fraction"]},
        "misregistration": insar.get("misregistration"),
        "steps": {"simulateApp": dict(step_statistics(DEMO)), "insarApp": steps},
        "wall_time_s": {"simulateApp": round(t_sim, 2), "insarApp": round(t_focus + t_rest, 2)},
        "command": {"simulate": ["simulateApp.py", *SIMULATE],
                    "insar": ["insarApp.py", "insarApp.xml", "--steps"]},
    }
    (DEMO / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    images = quicklooks(SIMULATION, DEMO / "quicklooks")
    write_html(report, images, DEMO / "report.html", title="isce demo: simulated ALOS pair")

    print("\ndemo: truth comparison (interferogram/topophase.unw, the unfiltered phase unwrapped "
          "with the filtered solution's cycles)")
    print(format_comparison(truth, rmse_limit=RMSE_LIMIT_M, unwrap_limit=UNWRAP_LIMIT))
    print(f"(the filtered phase, filt_topophase.unw: RMSE "
          f"{filtered['los_displacement_rmse_m'] * 1e3:.3f} mm: the Goldstein filter bends curved fringes)")
    print("\nsteps (wall time, peak memory):")
    for app, table in report["steps"].items():
        for name, st in table.items():
            print(f"  {app:12s} {name:17s} {st.get('wall_s', 0):7.2f} s  {st.get('peak_rss_mib', 0):7.0f} MiB")
    print(f"\ndemo: wrote {(DEMO / 'report.json').relative_to(ROOT)}, "
          f"{(DEMO / 'report.html').relative_to(ROOT)} ({len(images)} quicklooks)")
    ok = (truth["los_displacement_rmse_m"] < RMSE_LIMIT_M
          and truth["unwrapping_error_fraction"] <= UNWRAP_LIMIT)
    if not ok:
        print("demo: the truth comparison misses its limits", file=sys.stderr)
        return 1
    print("demo: the truth is recovered within the limits")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
