#!/usr/bin/env python3
"""The demo pair at full size: simulateApp + insarApp + truth comparison, per-step time and memory.

    PYTHONPATH=components python benchmarks/bench_insar_fullsize.py \
        [--pulses 16384] [--samples 8192] [--unwrappers mcf,snaphu] [--workdir DIR] [--keep]

What runs (each application in its own process, in a fresh folder under ``--workdir``,
default the system's temporary folder; deleted afterwards unless ``--keep``):

1. ``simulateApp.py`` with the demo's settings (speckle scene over a synthetic DEM, Mogi
   deformation 34.5 N 116.5 W, 2 km deep, 5e6 m^3, 300 m baseline) and ``--pulses`` pulses
   of ``--samples`` samples per pass (16384 x 8192 by default, the size of bench_focus.py:
   an ALOS FBS raw scene is ~18k lines of ~10k samples at 32 MHz; focused, 11613 x 7319).
   On a 2-core machine this takes ~6.5 min when idle (~10 min at load 4), ~8.7 GiB of RAM
   (simulateApp's scene step; insarApp's peak is ~4 GiB, mostly raster file pages) and
   ~12.5 GiB of disk;
2. ``insarApp.py insarApp.xml --steps`` with 4 range x 12 azimuth looks and the first
   unwrapper of ``--unwrappers``; every further unwrapper reruns ``--start=unwrap``
   (unwrap, geocode, endup) on the same interferogram;
3. :func:`isce.quality.truth.compare_with_truth` after each unwrapper (LOS RMSE, unwrapping
   errors, residual vs height, coherence, corner-reflector peak offsets).

When the scene reaches beyond the default three corner reflectors' surroundings (targets
+- 0.05 deg), the benchmark adds four (CR4..CR7, ~2.3 km inside the focused scene's corners,
same 32 dB) so that geolocation is checked across the whole scene; the JSON says which
targets ran. (simulateApp's DEM covers the whole receive window whatever the targets.)

Reported per step (simulateApp's 5, insarApp's 15, the truth comparison):

* wall time [s], its share of the total, and ``x FFT``: the step's time in units of one
  *FFT floor* measured in the same run, a forward 2-D FFT (rows then columns) of one raw
  scene (pulses x samples complex64) with the library the focuser uses (isce.focus.fft:
  pyFFTW or scipy, same threads), planned like the focuser's best plans (FFTW MEASURE with
  the saved wisdom, ``--floor-planner``; not the library's default ESTIMATE, 6-7x slower on
  these sizes), best of 3, measured before and after the pipeline (the smaller counts). The
  JSON states the floor's planner and the applications' (``fft_floor``). Ratios are
  comparable across machines, seconds are not;
* Mpx/s: pixels of the step's grid per second (raw pulses x samples per pass for the
  simulation and focusing, the focused SLC for the full-resolution steps, the looked grid
  for coherence/filter/unwrap);
* peak RSS [MiB] as the framework records it (VmRSS sampled every 50 ms plus VmHWM when the
  step sets a new record; it counts the pages of memory-mapped rasters) and, sampled by this
  script every 0.1 s from /proc (the process and its children, e.g. the snaphu executable):
  peak RSS and peak *anonymous* RSS (heap and working arrays, without file pages); both also
  as a multiple of one complex64 image of the step's full-resolution grid (``xImg``), which
  tells a step holding O(image) buffers from a blocked one.

Other jobs on the machine slow the steps and the FFT floor unequally (FFTW's threads suffer
most, I/O-bound steps least): compare runs made at similar load (stored in the JSON).

Results: a table, one JSON line, and ``benchmarks/results/insar_fullsize.json`` (``--json``
to write elsewhere). A failing application stops the benchmark; its log's last lines (the
traceback) go to the JSON and the terminal.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _fft_floor import FLOOR_PLANNER, PLANNER_VARIABLE, floor_env  # noqa: E402
from _process import isce_env, log_tail, machine, run_measured, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "applications"
RESULTS = ROOT / "benchmarks" / "results" / "insar_fullsize.json"
MiB = 2.0 ** 20

DEFORMATION = "34.5,-116.5,2000,5e6"
CENTRE = (34.5, -116.5)
DEM_MARGIN = 0.05          # deg: simulateApp's synthetic DEM spans the targets +- this
# the focused image is the raw window less about half a synthetic aperture at each end
# (the focuser keeps 1452 of 6144 lines and 1175 of 2048 samples of the ALOS demo)
TRIM_LINES, TRIM_SAMPLES = 2450, 440

# step -> (grid, images): the grid its pixel rate counts, and how many images of it
SIM_GRID = {"setup": None, "scene": ("raw", 2), "reference": ("raw", 1),
            "secondary": ("raw", 1), "inputs": ("raw", 2)}
INSAR_GRID = {"startup": None, "preprocess": None, "formslc": ("raw", 2), "verifyDEM": None,
              "topo": ("slc", 1), "geo2rdr": ("slc", 1), "coarse_resample": ("slc", 1),
              "misregistration": ("slc", 1), "refined_resample": ("slc", 1),
              "interferogram": ("slc", 1), "coherence": ("looked", 1), "filter": ("looked", 1),
              "unwrap": ("looked", 1), "geocode": ("slc", 1), "endup": None}


# ---------------------------------------------------------------------------- FFT floor
def fft_floor_worker(lines, samples, repeat):
    """Forward 2-D FFT (axis 1 then axis 0) of a lines x samples complex64 buffer, best of
    ``repeat`` (after one warm-up); prints a JSON line."""
    import numpy as np

    from isce.focus import fft

    rows = fft.Transform((lines, samples), axis=1, dtype=np.complex64)
    cols = fft.Transform((lines, samples), axis=0, dtype=np.complex64, buffer=rows.buffer)
    rng = np.random.default_rng(0)
    for a in range(0, lines, 1024):
        n = min(1024, lines - a)
        rows.buffer[a:a + n].real = rng.standard_normal((n, samples), dtype=np.float32)
        rows.buffer[a:a + n].imag = rng.standard_normal((n, samples), dtype=np.float32)
    rows.forward()
    cols.forward()                                   # warm-up (and planning)
    best = float("inf")
    for _ in range(repeat):
        rows.buffer *= np.float32(1.0 / np.sqrt(lines * samples))    # keep the values finite
        t0 = time.perf_counter()
        rows.forward()
        cols.forward()
        best = min(best, time.perf_counter() - t0)
    flops = 5.0 * lines * samples * (np.log2(samples) + np.log2(lines))
    print(json.dumps({"seconds": best, "gflops": flops / best / 1e9, "backend": fft.backend(),
                      "threads": fft.threads(), "planner": fft.planner_effort(),
                      "shape": [lines, samples]}))


def fft_floor(lines, samples, repeat=3, planner=FLOOR_PLANNER):
    """The floor measured in a fresh process whose FFTs are planned with ``planner``."""
    out = subprocess.run([sys.executable, __file__, "--fft-floor-worker", f"{lines},{samples}",
                          "--repeat", str(repeat)], capture_output=True, text=True,
                         env=floor_env(isce_env(), planner))
    if out.returncode != 0:
        raise SystemExit(f"FFT floor failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- processes
def run_app(name, cmd, cwd, log_path):
    """Run one application; returns {wall_s, cpu_s, max_rss_mib (process and its reaped
    children), returncode, sampled: {step: peaks}}."""
    os.sync()                       # no pending write-back of an earlier run's gigabytes
    load = os.getloadavg()[0]       # other jobs on the machine slow every step alike
    print(f"  {name}: {' '.join(str(c) for c in cmd)}", flush=True)
    out = run_measured(cmd, cwd, log_path)
    out.update(load_average_before=load, load_average_after=os.getloadavg()[0])
    wall = out["wall_s"]
    print(f"  {name}: {wall:.1f} s wall, {out['cpu_s']:.1f} s CPU, peak RSS "
          f"{out['max_rss_mib']:.0f} MiB, exit {out['returncode']}, load {load:.1f} -> "
          f"{out['load_average_after']:.1f}", flush=True)
    return out


def manifests(workdir):
    from isce.framework.steps import step_statistics

    return step_statistics(workdir)


# ---------------------------------------------------------------------------- targets
def scene_targets(pulses, samples, inset=(700, 300)):
    """(targets or None, info): the corner reflectors to simulate so that they surround the
    focused scene (within 0.05 deg); None when the default three do."""
    import numpy as np

    from isce.core.constants import SPEED_OF_LIGHT
    from isce.core.radargrid import RadarGrid
    from isce.geometry.footprint import scene_footprint
    from isce.geometry.rdr2geo import rdr2geo_points
    from isce.simulate.distributed import scene_grid
    from isce.simulate.scenes import alos_scene
    from isce.simulate.targets import Target, dem_height

    defaults = [("CR1", 34.5, -116.5, 0.0, 40.0), ("CR2", 34.512, -116.488, 250.0, 40.0),
                ("CR3", 34.489, -116.515, 120.0, 28.0)]
    h0 = float(dem_height(*CENTRE, center=CENTRE))
    scene = alos_scene([Target(*CENTRE, h0, 40.0, "CR1")], time=dt.datetime(2008, 6, 1, 5, 30),
                       pulses=pulses)
    radar, orbit = scene.radar, scene.orbit
    dr = SPEED_OF_LIGHT / (2.0 * radar.range_sampling_rate)
    r_mid = scene.truth()[0]["slant_range"]
    raw = scene_grid(orbit, radar, sensing_start=scene.sensing_start, length=pulses,
                     starting_range=r_mid - 0.5 * samples * dr, width=samples, height=h0)
    lines, width = pulses - 2 * TRIM_LINES, samples - 2 * TRIM_SAMPLES
    if lines < 64 or width < 64:
        return None, {"reason": "scene too small to estimate the focused footprint"}
    focused = RadarGrid(raw.sensing_start + TRIM_LINES / raw.prf, raw.reference_epoch,
                        prf=raw.prf, starting_range=raw.starting_range + TRIM_SAMPLES * dr,
                        range_pixel_spacing=dr, length=lines, width=width,
                        wavelength=raw.wavelength, look_side=raw.look_side)
    w, s, e, n = scene_footprint(focused, orbit, None, heights=(0.0, 500.0))
    info = {"focused_footprint_estimate": [w, s, e, n]}

    def covers(lats, lons):
        return (min(lats) - DEM_MARGIN <= s and max(lats) + DEM_MARGIN >= n
                and min(lons) - DEM_MARGIN <= w and max(lons) + DEM_MARGIN >= e)

    if covers([t[1] for t in defaults], [t[2] for t in defaults]):
        info["targets"] = "simulateApp's default three corner reflectors"
        return None, info
    # inside the corners by ~2.3 km both ways (lines of ~3.2 m, samples of ~7.6 m on the
    # ground): the DEM's 0.05 deg margin (4.6 km east-west) then reaches the corners
    a, b = min(inset[0], lines // 4), max(lines - 1 - inset[0], 3 * lines // 4)
    p, q = min(inset[1], width // 4), max(width - 1 - inset[1], 3 * width // 4)
    corners = np.array([(a, p), (a, q), (b, p), (b, q)])
    times = focused.sensing_start + corners[:, 0] / focused.prf
    ranges = focused.starting_range + corners[:, 1] * dr
    llh, ok = rdr2geo_points(times, ranges, orbit, radar.wavelength, radar.look_side,
                             heights=np.full(4, 200.0), epoch=focused.reference_epoch)
    if not np.all(ok):
        raise SystemExit("corner reflectors: rdr2geo did not converge")
    targets = list(defaults)
    for k, (lon, lat, _) in enumerate(llh.tolist()):
        targets.append((f"CR{4 + k}", float(np.degrees(lat)), float(np.degrees(lon)), 0.0, 40.0))
    if not covers([t[1] for t in targets], [t[2] for t in targets]):
        raise SystemExit("corner reflectors: their DEM would still not cover the scene")
    info["targets"] = ("simulateApp's three default corner reflectors plus four near the "
                       f"corners of the focused scene (~{inset[0]} lines and {inset[1]} "
                       "samples inside)")
    return targets, info


def write_targets(path, targets):
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["name", "latitude", "longitude", "height", "amplitude"])
        for name, lat, lon, h, amp in targets:
            out.writerow([name, f"{lat:.7f}", f"{lon:.7f}", f"{h:.1f}", f"{amp:g}"])


# ---------------------------------------------------------------------------- truth
def truth_worker(folder):
    from isce.quality.truth import compare_with_truth, format_comparison

    t0 = time.perf_counter()
    result = compare_with_truth(folder)
    result["wall_s"] = time.perf_counter() - t0
    print(format_comparison(result, rmse_limit=1e-3, unwrap_limit=0), file=sys.stderr)
    print(json.dumps(result))


def truth(folder, log_path, label):
    cmd = [sys.executable, __file__, "--truth-worker", str(folder)]
    run = run_app(f"truth ({label})", cmd, folder, log_path)
    tail = log_tail(log_path, 200)
    if run["returncode"] != 0:
        return run, None, tail[-40:]
    result = json.loads(tail[-1])
    print("\n".join("    " + line for line in tail[:-1]), flush=True)
    return run, result, None


# ---------------------------------------------------------------------------- sizes
def grids(sim_dir, pulses, samples, looks):
    """Pixels of the raw, focused SLC and looked grids."""
    out = {"raw": pulses * samples}
    slc = Path(sim_dir) / "reference" / "reference.slc.json"
    if slc.is_file():
        g = json.loads(slc.read_text())["radar_grid"]
        out["slc_shape"] = [g["length"], g["width"]]
        out["slc"] = g["length"] * g["width"]
        out["looked_shape"] = [g["length"] // looks[0], g["width"] // looks[1]]
        out["looked"] = out["looked_shape"][0] * out["looked_shape"][1]
    return out


def step_rows(app, stats, sampled, grid_of, sizes, floor_s, label=None):
    rows = []
    for step, st in stats.items():
        wall = st.get("wall_s")
        key = grid_of.get(step)
        grid = key[0] if key else None
        images = key[1] if key else 0
        px = sizes.get(grid, 0) * images if grid else 0
        image_mib = 8.0 * sizes.get("raw" if grid == "raw" else "slc", sizes["raw"]) / MiB
        smp = sampled.get(step, {})
        row = {"app": app, "step": step if label is None else f"{step}[{label}]",
               "wall_s": wall, "fft_floors": wall / floor_s if wall is not None else None,
               "grid": grid, "pixels": px,
               "mpx_per_s": px / wall / 1e6 if px and wall else None,
               "peak_rss_mib": st.get("peak_rss_mib"),
               "sampled_rss_mib": smp.get("rss_mib"), "sampled_anon_mib": smp.get("anon_mib"),
               "image_mib": image_mib}
        for k in ("peak_rss_mib", "sampled_anon_mib"):
            v = row[k]
            row[k.replace("_mib", "_images")] = v / image_mib if v is not None else None
        rows.append(row)
    return rows


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def print_table(rows, total):
    head = (f"{'app':8s} {'step':26s} {'wall s':>8s} {'%':>5s} {'x FFT':>7s} {'Mpx/s':>7s} "
            f"{'RSS MiB':>8s} {'xImg':>5s} {'anon MiB':>8s} {'xImg':>5s} {'smpRSS':>7s}")
    print(head)
    print("-" * len(head))
    for r in rows:
        share = 100.0 * r["wall_s"] / total if r["wall_s"] is not None and total else None
        print(f"{r['app']:8s} {r['step']:26s} {_fmt(r['wall_s'], '8.2f')} {_fmt(share, '5.1f')} "
              f"{_fmt(r['fft_floors'], '7.1f')} {_fmt(r['mpx_per_s'], '7.2f')} "
              f"{_fmt(r['peak_rss_mib'], '8.0f')} {_fmt(r['peak_rss_images'], '5.2f')} "
              f"{_fmt(r['sampled_anon_mib'], '8.0f')} {_fmt(r['sampled_anon_images'], '5.2f')} "
              f"{_fmt(r['sampled_rss_mib'], '7.0f')}")


# ---------------------------------------------------------------------------- main
def fail(out, json_path, what, log_path, keep_note):
    tail = log_tail(log_path)
    out["failed"] = {"what": what, "log_tail": tail}
    print(f"\nFAILED: {what}; last lines of {log_path}{keep_note}:")
    print("\n".join("    " + line for line in tail))
    write_json(out, json_path)
    return 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pulses", type=int, default=16384, help="pulses (raw lines) per pass")
    ap.add_argument("--samples", type=int, default=8192, help="samples per raw line")
    ap.add_argument("--unwrappers", default="mcf,snaphu",
                    help="comma-separated; the first runs with the whole chain, the others "
                         "rerun from the unwrap step")
    ap.add_argument("--range-looks", type=int, default=4)
    ap.add_argument("--azimuth-looks", type=int, default=12)
    ap.add_argument("--workdir", default=None,
                    help="folder for the run's own subfolder (default: the temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the run's folder")
    ap.add_argument("--json", default=str(RESULTS), help="results file")
    ap.add_argument("--repeat", type=int, default=3, help="FFT floor: best of this many")
    ap.add_argument("--floor-planner", default=FLOOR_PLANNER,
                    choices=("estimate", "measure", "patient"),
                    help="FFTW planner of the FFT floor (default measure: the focuser's best "
                         "plans, DESIGN §8)")
    ap.add_argument("--fft-floor-worker", help=argparse.SUPPRESS)
    ap.add_argument("--truth-worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.fft_floor_worker:
        lines, samples = (int(v) for v in args.fft_floor_worker.split(","))
        return fft_floor_worker(lines, samples, args.repeat)
    if args.truth_worker:
        return truth_worker(args.truth_worker)

    unwrappers = [u.strip() for u in args.unwrappers.split(",") if u.strip()]
    looks = (args.azimuth_looks, args.range_looks)
    started = time.perf_counter()
    out = {"benchmark": "insar_fullsize", "date": dt.datetime.now().isoformat(timespec="seconds"),
           "pulses": args.pulses, "samples": args.samples, "looks_az_rg": list(looks),
           "unwrappers": unwrappers, "deformation": DEFORMATION, "machine": machine(ROOT)}
    base = Path(args.workdir) if args.workdir else Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix=f"insar_fullsize_{args.pulses}x{args.samples}_",
                                    dir=base))
    sim_dir = run_dir / "simulation"
    keep_note = f" (kept: {run_dir})" if args.keep else ""
    print(f"scene {args.pulses} pulses x {args.samples} samples per pass, looks {looks[0]} x "
          f"{looks[1]} (az x rg), unwrappers {', '.join(unwrappers)}; folder {run_dir}",
          flush=True)
    try:
        floor0 = fft_floor(args.pulses, args.samples, args.repeat, args.floor_planner)
        print(f"FFT floor (2-D FFT of {args.pulses} x {args.samples} complex64, "
              f"{floor0['backend']}, {floor0['threads']} threads, {floor0['planner']}): "
              f"{floor0['seconds']:.2f} s ({floor0['gflops']:.1f} GFLOP/s)", flush=True)

        # --- simulation
        targets, tinfo = scene_targets(args.pulses, args.samples)
        out["targets"] = tinfo
        sim_cmd = [sys.executable, APPS / "simulateApp.py", "simulateApp.scene=speckle",
                   "simulateApp.dem=true", f"simulateApp.pulses={args.pulses}",
                   f"simulateApp.samples={args.samples}",
                   f"simulateApp.deformation={DEFORMATION}", "--steps"]
        if targets is not None:
            write_targets(run_dir / "targets.csv", targets)
            sim_cmd.insert(-1, f"simulateApp.targets={run_dir / 'targets.csv'}")
            tinfo["list"] = [dict(zip(("name", "lat", "lon", "height", "amplitude"), t))
                             for t in targets]
        print(f"targets: {tinfo['targets']}", flush=True)
        sim = run_app("simulateApp", sim_cmd, run_dir, run_dir / "simulate.log")
        out["simulate"] = {"process": sim, "steps": manifests(run_dir)}
        if sim["returncode"] != 0:
            return fail(out, args.json, "simulateApp", run_dir / "simulate.log", keep_note)
        out["disk_mib"] = {"simulation": sum(f.stat().st_size for f in sim_dir.rglob("*")
                                             if f.is_file()) / MiB}

        # --- insarApp with the first unwrapper, then the others from the unwrap step
        common = [sys.executable, APPS / "insarApp.py", "insarApp.xml",
                  f"insar.range looks={looks[1]}", f"insar.azimuth looks={looks[0]}", "--steps"]
        out["insar"], out["truth"] = {}, {}
        for k, unwrapper in enumerate(unwrappers):
            cmd = common[:3] + [f"insar.unwrapper name={unwrapper}"] + common[3:]
            if k:
                cmd.append("--start=unwrap")
            log = run_dir / f"insar_{unwrapper}.log"
            run = run_app(f"insarApp ({unwrapper})", cmd, sim_dir, log)
            out["insar"][unwrapper] = {"process": run, "steps": manifests(sim_dir),
                                       "from_step": "unwrap" if k else "startup"}
            if run["returncode"] != 0:
                return fail(out, args.json, f"insarApp ({unwrapper})", log, keep_note)
            if k == 0:
                report = json.loads((sim_dir / "report.json").read_text())
                out["misregistration"] = report.get("misregistration")
                out["disk_mib"]["after_insar"] = sum(
                    f.stat().st_size for f in sim_dir.rglob("*") if f.is_file()) / MiB
            tlog = run_dir / f"truth_{unwrapper}.log"
            trun, result, err = truth(sim_dir, tlog, unwrapper)
            out["truth"][unwrapper] = {"process": trun, "result": result}
            if err is not None:
                return fail(out, args.json, f"truth comparison ({unwrapper})", tlog, keep_note)

        floor1 = fft_floor(args.pulses, args.samples, args.repeat, args.floor_planner)
        out["fft_floor"] = {"before": floor0, "after": floor1,
                            "seconds": min(floor0["seconds"], floor1["seconds"]),
                            "planner": floor0["planner"],
                            "applications_planner": os.environ.get(PLANNER_VARIABLE, "estimate "
                                                                   "(library default)")}
        floor_s = out["fft_floor"]["seconds"]
        print(f"FFT floor after the pipeline: {floor1['seconds']:.2f} s; counted: {floor_s:.2f} s",
              flush=True)

        # --- the table
        sizes = grids(sim_dir, args.pulses, args.samples, looks)
        out["pixels"] = sizes
        first = unwrappers[0]
        rows = step_rows("simulate", out["simulate"]["steps"], sim["sampled"], SIM_GRID, sizes,
                         floor_s)
        rows += step_rows("insar", out["insar"][first]["steps"],
                          out["insar"][first]["process"]["sampled"], INSAR_GRID, sizes, floor_s)
        # (the first run's manifests were read right after it: the reruns overwrite unwrap,
        # geocode and endup); the reruns' unwrap steps get rows of their own
        if len(unwrappers) > 1:
            for row in rows:
                if row["app"] == "insar" and row["step"] == "unwrap":
                    row["step"] = f"unwrap[{first}]"
        for row in rows:
            row["counted"] = True                 # part of the simulate + insarApp chain
        for unwrapper in unwrappers[1:]:
            st = {"unwrap": out["insar"][unwrapper]["steps"].get("unwrap", {})}
            rows += step_rows("insar", st, out["insar"][unwrapper]["process"]["sampled"],
                              INSAR_GRID, sizes, floor_s, label=unwrapper)
        for unwrapper in unwrappers:
            t = out["truth"][unwrapper]
            rows.append({"app": "truth", "step": f"compare[{unwrapper}]",
                         "wall_s": t["process"]["wall_s"],
                         "fft_floors": t["process"]["wall_s"] / floor_s, "grid": None,
                         "pixels": 0, "mpx_per_s": None,
                         "peak_rss_mib": t["process"]["max_rss_mib"],
                         "sampled_rss_mib": None, "sampled_anon_mib": None,
                         "image_mib": 8.0 * sizes.get("slc", sizes["raw"]) / MiB,
                         "peak_rss_images": t["process"]["max_rss_mib"]
                         / (8.0 * sizes.get("slc", sizes["raw"]) / MiB),
                         "sampled_anon_images": None})
        out["steps"] = rows
        sim_total = sim["wall_s"]
        insar_total = out["insar"][first]["process"]["wall_s"]
        totals = {"simulate_s": sim_total, "insar_s": insar_total,
                  "insar_reruns_s": {u: out["insar"][u]["process"]["wall_s"] for u in unwrappers[1:]},
                  "truth_s": {u: out["truth"][u]["process"]["wall_s"] for u in unwrappers},
                  "benchmark_s": time.perf_counter() - started}
        totals["simulate_fft_floors"] = sim_total / floor_s
        totals["insar_fft_floors"] = insar_total / floor_s
        totals["insar_mpx_per_s"] = sizes.get("slc", 0) / insar_total / 1e6
        totals["simulate_peak_rss_mib"] = sim["max_rss_mib"]
        totals["insar_peak_rss_mib"] = max(out["insar"][u]["process"]["max_rss_mib"]
                                           for u in unwrappers)
        out["totals"] = totals
        step_sum = sum(r["wall_s"] or 0.0 for r in rows if r.get("counted"))
        print()
        print(f"raw {args.pulses} x {args.samples} per pass; focused SLC "
              f"{sizes.get('slc_shape')}; looked {sizes.get('looked_shape')}; FFT floor "
              f"{floor_s:.2f} s; one complex64 SLC = {8.0 * sizes.get('slc', 0) / MiB:.0f} MiB")
        print_table(rows, step_sum)
        print("(x FFT: wall / FFT floor; Mpx/s on the step's grid; RSS: the framework's step "
              "peak (this process only); xImg: per complex64 image of the step's full-resolution "
              "grid (raw for simulate/formslc, else SLC); anon, smpRSS: sampled here every "
              "0.1 s, children included; '-': step shorter than a sample)")
        print(f"\ntotal: simulateApp {sim_total:.0f} s ({totals['simulate_fft_floors']:.0f} "
              f"FFT floors, peak {sim['max_rss_mib']:.0f} MiB), insarApp[{first}] "
              f"{insar_total:.0f} s ({totals['insar_fft_floors']:.0f} FFT floors, "
              f"{totals['insar_mpx_per_s']:.2f} SLC Mpx/s, peak "
              f"{out['insar'][first]['process']['max_rss_mib']:.0f} MiB)"
              + "".join(f", rerun[{u}] {s:.0f} s" for u, s in totals["insar_reruns_s"].items())
              + f"; benchmark {totals['benchmark_s']:.0f} s")
        for unwrapper in unwrappers:
            r = out["truth"][unwrapper]["result"]
            pts = r.get("point_target_max_offset_px")
            print(f"truth[{unwrapper}]: LOS RMSE {r['los_displacement_rmse_m'] * 1e3:.3f} mm, "
                  f"unwrapping errors {r['unwrapping_error_fraction'] * 100:.4f} % of "
                  f"{r['pixels_compared']} px, mean coherence {r['mean_coherence']:.3f}, "
                  f"CR max peak offset {_fmt(pts, '.3f')} px")
        write_json(out, args.json)
        print(json.dumps({k: out[k] for k in ("pulses", "samples", "totals", "fft_floor")},
                         default=str))
        return 0
    finally:
        if args.keep:
            print(f"kept {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
