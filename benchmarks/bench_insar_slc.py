#!/usr/bin/env python3
"""insarApp from a focused SLC pair, 4096 x 4096 ALOS-like, against ISCE2 and DESIGN.md §8.

    PYTHONPATH=components python benchmarks/bench_insar_slc.py [--misreg insar|isce2]
        [--unwrapper NAME] [--compare-unwrapper NAME ...] [--size 4096] [--looks 4]
        [--isce2-misreg-job] [--workdir DIR] [--keep]

The job (issue 14, DESIGN.md §8): ISCE2 2.6.5's stripmapApp on a 4096 x 4096 SLC pair, 4 x 4
looks, SNAPHU, geocoding, on 2 cores, takes 250 s and 687 MiB peak RSS; per step (s)
preprocess 3.1, topo 22.7, geo2rdr 8.4, coarse_resample 6.1, misregistration 187.9 (ampcor,
1600 windows of 128^2, +-40 px search, one core), refined_resample 5.5, interferogram 5.9,
filter 1.0, unwrap 4.0 (SNAPHU, MCF initialisation only: ISCE2's default), geocode 4.5;
61.3 s without misregistration. Targets: the whole chain <= 12.5 s (20x), every step >= 5x
ISCE2's, the total without misregistration <= 12 s, peak RSS <= 343 MiB (half ISCE2's).
This script runs insarApp on such a pair and prints that table with our column.

Where our run differs from ISCE2's job, the output says so:

* ``--misreg insar`` (default): insarApp's own misregistration job (its defaults, e.g. 400
  windows of 64^2, +-8 px, on all cores; stated in the output). ISCE2's 187.9 s are for
  other work, so that row is marked ``*`` and not judged. ``--misreg isce2`` writes ISCE2's
  job into insarApp.xml under ISCE2's names (``window size width/height`` 128, ``search
  window size width/height`` 40, ``number of windows across/down`` 40: 1600 windows) and
  runs it INSIDE the chain; the row is then judged like the others (ISCE2's ampcor runs on
  one core, ours on all: both thread counts are in the output). ``--isce2-misreg-job`` also
  times ISCE2's job alone on the run's files, on all cores and on one (like for like).
* ``--unwrapper NAME``: insarApp's ``unwrapper name`` for the chain (default ``snaphu``:
  ISCE2's name; the names are insarApp's, isce.apps.insar_settings.UNWRAPPERS_AVAILABLE).
  ``--compare-unwrapper NAME`` (repeatable) reruns only the unwrap step with another
  unwrapper after the chain (``--dostep=unwrap``) and reports its time, CPU, memory and
  unwrapping errors beside the chain's: e.g. SNAPHU's full solver against ISCE2's
  MCF-initialisation-only mode.

Setup (timed, reported, *not* part of the measured chain; in its own process): both passes'
zero-Doppler grids as simulateApp's ``setup`` builds them for ALOS PALSAR FBS (reference
orbit of :func:`isce.simulate.scenes.alos_scene` over 34.5 N 116.5 W, the secondary
``--baseline`` m away, 46 days later), a synthetic 1" DEM over both footprints,
:func:`isce.simulate.distributed.pair_scenes` (speckle over the DEM, a Mogi source moving
the secondary's scatterers), each pass written as an isce SLC (CFLOAT raster +
:class:`isce.sensors.SlcProduct` JSON), ``simulation.json`` and the true secondary
line/sample of every 8th reference pixel (``truth_offsets.npz``). The isce package is then
compiled to bytecode (``compileall``, ``__pycache__`` beside the sources), as an installed
package is, and the measured processes may write bytecode (PYTHONDONTWRITEBYTECODE is
dropped): else every process compiles isce's sources again (~0.4 s), which is not the
application's time.

Measured: ``insarApp.py insarApp.xml --steps`` in a fresh process, started when the
1-minute load average is below ``--load-threshold`` (polled up to ``--max-wait`` s; a
warning says when it never got there). The SLCs were just written, so they are in the page
cache (a warm-cache run). Per step, from insarApp's step manifests (PICKLE/<step>.json, as
report.json's ``steps``; framework StepMonitor):
wall time, CPU seconds (user + system of the process and of the programs it ran, e.g. the
snaphu executable), peak RSS (VmHWM/VmRSS, which counts the pages of memory-mapped rasters,
plus child processes); and this script's sampling of /proc every 0.1 s (RSS and anonymous
RSS summed over the process tree). The row ``process start, imports, exit`` is insarApp's
wall time minus the sum of its steps; ``other steps`` are insarApp's steps ISCE2's table
has no row for (startup, verifyDEM, coherence, endup and the optional stages, which do
nothing here).

Truth check (after the run, not timed): :func:`~isce.quality.truth.compare_with_truth`
(LOS displacement RMSE against the Mogi source, unwrapping errors) and the coregistration:
the offsets the secondary was resampled with (geometry + fitted misregistration: the
``offsets/refined/*.off`` rasters when written, else ``offsets/*.off`` plus the
``misreg_*.json`` polynomials) against the true positions of the scatterers (RMS, max).

Results: the table, ``benchmarks/results/insar_slc_<size>.json`` (``--json`` elsewhere) and
one JSON line of the totals and verdicts. ``--size N`` runs a smaller pair for a quick
check: ISCE2's times and the time targets are then scaled by N^2 / 4096^2 (the memory
target is not); ``--misreg isce2`` keeps ISCE2's window count and sizes (not scaled).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _process import isce_env, log_tail, machine, run_measured, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "applications"
RESULTS = ROOT / "benchmarks" / "results"
MiB = 2.0 ** 20

CENTRE = (34.5, -116.5)
MOGI = (34.5, -116.5, 2000.0, 5.0e6)     # lat, lon, depth [m], volume change [m^3]
REFERENCE_DATE = dt.datetime(2008, 6, 1, 5, 30)
REPEAT_DAYS = 46
DEM_MARGIN = 0.03                        # deg around the union of both footprints
TRUTH_STEP = 8                           # the true offsets are kept every 8th line/sample

# ISCE2 2.6.5 stripmapApp on 4096 x 4096 (issue 14, DESIGN.md §8), 2 cores: seconds per step,
# in its order
ISCE2_SIZE = 4096
ISCE2_STEPS = {"preprocess": 3.1, "topo": 22.7, "geo2rdr": 8.4, "coarse_resample": 6.1,
               "misregistration": 187.9, "refined_resample": 5.5, "interferogram": 5.9,
               "filter": 1.0, "unwrap": 4.0, "geocode": 4.5}
ISCE2_TOTAL_S = 250.0
ISCE2_WITHOUT_MISREG_S = 61.3
ISCE2_PEAK_MIB = 687.0
# our targets
TARGET_SPEEDUP = 5.0                     # every step, and the total without misregistration
TARGET_TOTAL_S = 12.5                    # the whole chain (20x)
TARGET_WITHOUT_MISREG_S = 12.0
TARGET_PEAK_MIB = 343.0                  # half ISCE2's
ISCE2_UNWRAP = "SNAPHU, MCF initialisation only (ISCE2's default)"
# ISCE2 stripmapApp's misregistration job (runRefineSecondaryTiming: Ampcor, 128 x 128
# windows, search 40, 40 x 40 locations; ampcor is one Fortran thread), under ISCE2's names
ISCE2_MISREG_JOB = dict(window=128, search=40, count=(40, 40), threads=1)
ISCE2_MISREG_S = ISCE2_STEPS["misregistration"]
ISCE2_MISREG_XML = {"window size width": 128, "window size height": 128,
                    "search window size width": 40, "search window size height": 40,
                    "number of windows across": 40, "number of windows down": 40}
ISCE2_AMPCOR = "1600 windows of 128^2, +-40 px search, one core"
OTHER = "other steps"
STARTUP = "process start, imports, exit"


def insar_misreg_job(size, misreg):
    """The misregistration job insarApp runs: ISCE2's (``misreg == "isce2"``, set in
    insarApp.xml) or insarApp's defaults (its MISREGISTRATION_PARAMETERS: window 64^2, 32^2
    below 256 pixels), as a dict and one line of text."""
    from isce.apps import insar_settings as s   # the defaults of the isce this script runs
    from isce.core.threads import kernel_threads

    if misreg == "isce2":
        job = {"window": 128, "search": 40, "windows": [40, 40], "source": "ISCE2's, in insarApp.xml"}
    else:
        defaults = {p.attrname: p.default for p in s.MISREGISTRATION_PARAMETERS}
        window = s.MISREG_WINDOW_LARGE if size >= s.MISREG_LARGE_IMAGE else s.MISREG_WINDOW_SMALL
        job = {"window": defaults["misreg_window_width"] or window,
               "search": defaults["misreg_search_width"],
               "windows": [defaults["misreg_windows_down"], defaults["misreg_windows_across"]],
               "source": "insarApp's defaults"}
    job["threads"] = kernel_threads()
    n = job["windows"][0] * job["windows"][1]
    job["text"] = (f"{job['source']}: {n} windows of {job['window']}^2, +-{job['search']} px "
                   f"search, {job['threads']} threads, culling and fit insarApp's "
                   f"(ISCE2: {ISCE2_AMPCOR})")
    job["same_job_as_isce2"] = misreg == "isce2"
    return job


# ---------------------------------------------------------------------------- setup
def setup_worker(folder, size, baseline, coherence, seed):
    """Write the SLC pair, the DEM, simulation.json, the true offsets and insarApp.xml in
    ``folder``; print one JSON line describing them."""
    import numpy as np

    import isce.io
    from isce.core.constants import SPEED_OF_LIGHT
    from isce.geometry.footprint import scene_footprint
    from isce.sensors.product import ImageSource, SlcProduct
    from isce.simulate.distributed import pair_scenes, scene_grid
    from isce.simulate.orbit import orbit_with_baseline
    from isce.simulate.scenes import alos_scene
    from isce.simulate.targets import MogiSource, Target, dem_height, synthetic_dem

    t_start = time.perf_counter()
    folder = Path(folder)
    timing = {}
    # --- orbits and grids, as simulateApp's setup() does for ALOS (the scene centre on the DEM)
    h0 = float(dem_height(*CENTRE, center=CENTRE))
    scene = alos_scene([Target(CENTRE[0], CENTRE[1], h0, 1.0, "centre")], time=REFERENCE_DATE,
                       pulses=size)
    radar, orbit1 = scene.radar, scene.orbit
    truth0 = scene.truth()[0]
    orbit2, t2, base = orbit_with_baseline(
        orbit1, CENTRE[0], CENTRE[1], h0, radar.look_side, baseline,
        REFERENCE_DATE + dt.timedelta(days=REPEAT_DAYS), inclination_deg=radar.inclination,
        duration_s=30.0, reference_time=truth0["azimuth_time"])
    shift = t2 - truth0["azimuth_time"]          # the same pulse window about the centre
    dr = SPEED_OF_LIGHT / (2.0 * radar.range_sampling_rate)
    r0 = truth0["slant_range"] - 0.5 * size * dr   # the centre at mid-swath
    grid1 = scene_grid(orbit1, radar, sensing_start=scene.sensing_start, length=size,
                       starting_range=r0, width=size, height=h0)
    grid2 = scene_grid(orbit2, radar, sensing_start=scene.sensing_start + shift, length=size,
                       starting_range=r0, width=size, height=h0)
    # the simulated Doppler band: simulateApp's (1.25 x the antenna's two-way 3-dB band)
    _, vel = orbit1.interpolate(np.array([grid1.sensing_start + 0.5 * size / radar.prf]))
    speed = float(np.linalg.norm(vel[0]))
    band = float(min(1.25 * 2 * 0.31908 * 2 * speed / radar.antenna_length, radar.prf))
    timing["geometry_s"] = time.perf_counter() - t_start

    # --- DEM over both footprints (+ margin); the terrain is centred on the scene centre
    t0 = time.perf_counter()
    boxes = [scene_footprint(g, o, None, heights=(-100.0, 600.0))
             for g, o in ((grid1, orbit1), (grid2, orbit2))]
    west = min(b[0] for b in boxes) - DEM_MARGIN
    south = min(b[1] for b in boxes) - DEM_MARGIN
    east = max(b[2] for b in boxes) + DEM_MARGIN
    north = max(b[3] for b in boxes) + DEM_MARGIN
    dem_path = folder / "dem.dem"
    synthetic_dem(dem_path, (south, north), (west, east), posting_deg=1.0 / 3600.0,
                  center=CENTRE)
    timing["dem_s"] = time.perf_counter() - t0

    # --- the pair of focused-domain scenes
    t0 = time.perf_counter()
    mogi = MogiSource(*MOGI)
    scenes = pair_scenes(grid1, orbit1, grid2, orbit2, dem=str(dem_path), deformation=mogi,
                         coherence=coherence, range_fraction=radar.chirp_bandwidth
                         / radar.range_sampling_rate, azimuth_fraction=band / radar.prf,
                         seed=seed)
    timing["pair_scenes_s"] = time.perf_counter() - t0

    # --- the SLC products
    t0 = time.perf_counter()
    products = {}
    for name, grid, orbit in (("reference", grid1, orbit1), ("secondary", grid2, orbit2)):
        data = scenes[name]
        path = folder / f"{name}.slc"
        with isce.io.create(str(path), data.shape[1], data.shape[0], "CFLOAT",
                            image_type="slc") as ds:
            ds.write(data)
        product = SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=radar.chirp_bandwidth,
                             azimuth_bandwidth=band, range_sampling_rate=radar.range_sampling_rate,
                             polarization="HH", platform="ALOS", mission="bench_insar_slc",
                             source=ImageSource("raster", str(path)),
                             attributes={"processor": "isce.simulate.distributed.pair_scenes "
                                                      "(ideal focused scene, no raw data)"})
        product.save(str(path) + ".json")
        products[name] = str(path) + ".json"
    # where each reference pixel's scatterer is in the secondary (every TRUTH_STEP-th one)
    np.savez(folder / "truth_offsets.npz", step=TRUTH_STEP,
             secondary_lines=scenes["secondary_lines"][::TRUTH_STEP, ::TRUTH_STEP],
             secondary_samples=scenes["secondary_samples"][::TRUTH_STEP, ::TRUTH_STEP])
    del scenes
    # what compare_with_truth reads: the wavelength and the deformation source
    (folder / "simulation.json").write_text(json.dumps(
        {"radar": {"wavelength": radar.wavelength}, "deformation": mogi.to_dict(),
         "baseline": base, "coherence": coherence,
         "note": "minimal simulation summary written by benchmarks/bench_insar_slc.py"},
        indent=1, default=str) + "\n")
    timing["write_s"] = time.perf_counter() - t0
    timing["total_s"] = time.perf_counter() - t_start
    print(json.dumps({
        "products": products, "dem": str(dem_path),
        "dem_bbox_wsen": [west, south, east, north],
        "grid": {"length": size, "width": size, "prf": radar.prf,
                 "range_pixel_spacing": dr, "starting_range": r0,
                 "wavelength": radar.wavelength},
        "baseline": base, "doppler_band_hz": band, "coherence": coherence,
        "deformation": mogi.to_dict(), "timing": timing}, default=str))


def write_insar_xml(path, setup, looks, unwrapper, misreg):
    """insarApp.xml of the run: ISCE_SLC, the DEM, looks, the unwrapper, and with
    ``misreg == "isce2"`` ISCE2's misregistration job under ISCE2's names."""
    p = setup["products"]
    extra = "".join(f'\n    <property name="{k}">{v}</property>' for k, v in
                    (ISCE2_MISREG_XML.items() if misreg == "isce2" else ()))
    Path(path).write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- written by benchmarks/bench_insar_slc.py -->
<insarApp>
  <component name="insar">
    <property name="sensor name">ISCE_SLC</property>
    <property name="demFilename">{setup['dem']}</property>
    <property name="range looks">{looks}</property>
    <property name="azimuth looks">{looks}</property>
    <property name="unwrapper name">{unwrapper}</property>{extra}
    <component name="reference"><property name="PRODUCT">{p['reference']}</property></component>
    <component name="secondary"><property name="PRODUCT">{p['secondary']}</property></component>
  </component>
</insarApp>
""")


# ---------------------------------------------------------------------------- processes
def wait_for_idle(threshold, max_wait, poll=5.0):
    """Poll the 1-minute load average until it is below ``threshold`` (at most ``max_wait``
    s); returns {load before/at start, waited s, idle reached}."""
    first = os.getloadavg()[0]
    t0 = time.monotonic()
    load, said = first, 0.0
    while load >= threshold and time.monotonic() - t0 < max_wait:
        waited = time.monotonic() - t0
        if waited - said >= 60.0 or said == 0.0:
            print(f"  load average {load:.2f} >= {threshold:g}: waiting "
                  f"({waited:.0f} of at most {max_wait:.0f} s)", flush=True)
            said = max(waited, 1e-9)
        time.sleep(poll)
        load = os.getloadavg()[0]
    return {"load_first_seen": first, "load_at_start": load,
            "waited_s": time.monotonic() - t0, "idle": load < threshold, "threshold": threshold}


def bytecode_env(work):
    """The children's environment with isce compiled to bytecode beforehand, as an installed
    package is (``__pycache__`` beside its sources, ``compileall``; PYTHONDONTWRITEBYTECODE
    dropped, so what is imported from elsewhere is cached once too): no measured process
    spends its time compiling sources (~0.4 s for isce's alone)."""
    import isce

    env = isce_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    package = Path(isce.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(package)],
                   env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env


def misreg_worker(folder, threads):
    """ISCE2's misregistration job (ISCE2_MISREG_JOB) on the run's reference SLC and coarsely
    coregistered secondary, ``threads`` threads; prints one JSON line."""
    from isce.offsets.ampcor import ampcor

    folder = Path(folder)
    job = dict(ISCE2_MISREG_JOB, threads=threads)
    t0 = time.perf_counter()
    field = ampcor(folder / "reference.slc", folder / "coregisteredSlc" / "coarse_coreg.slc", **job)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "windows": len(field), "valid": int(field.valid.sum()),
                      "window": job["window"], "search": job["search"],
                      "count": list(job["count"]), "threads": threads}))


def isce2_misreg_job(work, threads_list, env):
    """ISCE2's misregistration job on our files, once per thread count, each in a fresh process:
    {threads: result with the ratio to ISCE2's 187.9 s on one core}."""
    results = {}
    for threads in threads_list:
        cmd = [sys.executable, __file__, "--misreg-worker", str(work), "--misreg-threads",
               str(threads)]
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=work)
        if res.returncode != 0:
            raise RuntimeError(f"ISCE2's misregistration job failed:\n{res.stderr[-4000:]}")
        r = json.loads(res.stdout.strip().splitlines()[-1])
        r.update({"isce2_s": ISCE2_MISREG_S, "isce2_threads": ISCE2_MISREG_JOB["threads"],
                  "speedup_vs_isce2": ISCE2_MISREG_S / r["seconds"], "same_job_as_isce2": True})
        results[str(threads)] = r
    return results


def run_insar(work, env, xml, extra):
    """insarApp.py ``xml`` ``extra`` in a fresh process, measured (:func:`run_measured`)."""
    cmd = [sys.executable, APPS / "insarApp.py", xml, *extra]
    print(f"measured: {' '.join(str(c) for c in cmd)} (load {os.getloadavg()[0]:.2f})", flush=True)
    log = Path(work) / f"insar{'_' + extra[0].lstrip('-').replace('=', '_') if extra else ''}.log"
    run = run_measured(cmd, work, log, env=env, first_step="(start)", overall="(all)")
    run["load_after"] = os.getloadavg()[0]
    run["command"] = " ".join(str(c) for c in cmd)
    if run["returncode"] != 0:
        run["log_tail"] = log_tail(log)
    return run


def compare_unwrappers(work, env, names, setup, args):
    """Rerun only the unwrap step with each unwrapper of ``names`` (after the chain and its
    truth check): {name: {wall_s, cpu_s, peak_rss_mib (report of the step), truth}}."""
    from isce.framework.steps import step_statistics

    out = {}
    for name in names:
        xml = f"insarApp_{name}.xml"
        write_insar_xml(Path(work) / xml, setup, args.looks, name, args.misreg)
        run = run_insar(work, env, xml, ["--dostep=unwrap"])
        if run["returncode"] != 0:
            out[name] = {"failed": run.get("log_tail")}
            continue
        stats = step_statistics(work).get("unwrap", {})
        truth, _ = truth_check(work, args.truth_min_coherence, coregistration=False)
        out[name] = {**stats, "process_wall_s": run["wall_s"], "process_cpu_s": run["cpu_s"],
                     "tree_rss_mib": run["sampled"].get("unwrap", {}).get("rss_mib"),
                     "unwrapping_error_fraction": truth["unwrapping_error_fraction"],
                     "los_displacement_rmse_m": truth["los_displacement_rmse_m"]}
    return out


# ---------------------------------------------------------------------------- truth
def _sampled(path, step, shape):
    """Every ``step``-th line and sample of a one-band raster (float64), cut to ``shape``."""
    import numpy as np

    import isce.io

    raster = isce.io.open(str(path))
    try:
        data = np.array(raster.read()[::step, ::step], dtype=np.float64)
    finally:
        raster.close()
    return data[:shape[0], :shape[1]]


def _refined(work, name, geometry, step):
    """The offsets the secondary was resampled with at the sampled points, and where they come
    from: ``offsets/refined/<name>.off`` when insarApp wrote it, else the geometry offsets plus
    the fitted misregistration polynomial (``offsets/misreg_{az,rg}.json``), else (no fit:
    the misregistration step kept the geometry alone) the geometry offsets."""
    import numpy as np

    from isce.offsets.fit import read_misreg_json

    raster = Path(work) / "offsets" / "refined" / f"{name}.off"
    if raster.is_file():
        return _sampled(raster, step, geometry.shape), "offsets/refined raster"
    offsets = Path(work) / "offsets"
    if not (offsets / "misreg_az.json").is_file():
        return geometry, "geometry offsets (no misregistration fit)"
    az_poly, rg_poly = read_misreg_json(offsets)
    poly = az_poly if name == "azimuth" else rg_poly
    n0, n1 = geometry.shape
    lines = (np.arange(n0, dtype=np.float64) * step)[:, None]
    pixels = (np.arange(n1, dtype=np.float64) * step)[None, :]
    return geometry + poly(lines, pixels), "geometry offsets + misreg polynomial"


def coregistration_check(work):
    """The geometry offsets and the refined ones (geometry + fitted misregistration, what the
    secondary was resampled with) against the true positions of the scatterers in the
    secondary: {azimuth|range: {geometry|refined: {rms_px, max_abs_px, ...}}}."""
    import numpy as np

    truth = np.load(Path(work) / "truth_offsets.npz")
    step = int(truth["step"])
    out = {}
    for name, key in (("azimuth", "secondary_lines"), ("range", "secondary_samples")):
        path = Path(work) / "offsets" / f"{name}.off"
        if not path.is_file():
            out[name] = {}
            continue
        n0, n1 = truth[key].shape
        geometry = _sampled(path, step, (n0, n1))
        refined, source = _refined(work, name, geometry, step)
        n0, n1 = geometry.shape
        m = np.arange(n0)[:, None] * step
        j = np.arange(n1)[None, :] * step
        true_off = truth[key][:n0, :n1] - (m if name == "azimuth" else j)
        ours = {}
        for label, data, src in (("geometry", geometry, "offsets/*.off"), ("refined", refined, source)):
            diff = data - true_off
            ok = np.isfinite(diff)
            ours[label] = {"rms_px": float(np.sqrt(np.mean(diff[ok] ** 2))),
                           "max_abs_px": float(np.max(np.abs(diff[ok]))),
                           "mean_px": float(np.mean(diff[ok])),
                           "true_offset_range_px": [float(np.min(true_off[ok])),
                                                    float(np.max(true_off[ok]))],
                           "points": int(ok.sum()), "source": src}
        out[name] = ours
    return out


def truth_check(work, min_coherence, coregistration=True):
    """compare_with_truth as the tests call it (every unwrapped pixel), again without the
    pixels of coherence below ``min_coherence``, and the coregistration check."""
    from isce.quality.truth import compare_with_truth, format_comparison

    t0 = time.perf_counter()
    result = compare_with_truth(work, work)
    masked = compare_with_truth(work, work, min_coherence=min_coherence)
    result["with_min_coherence"] = {k: masked[k] for k in (
        "min_coherence", "los_displacement_rmse_m", "los_displacement_max_abs_error_m",
        "unwrapping_error_fraction", "pixels_compared", "pixels_total")}
    if coregistration:
        result["coregistration"] = coregistration_check(work)
    result["wall_s"] = time.perf_counter() - t0
    return result, format_comparison(result, rmse_limit=1e-3, unwrap_limit=0.0)


# ---------------------------------------------------------------------------- table
def _fmt(v, spec, none="-"):
    """``v`` formatted by ``spec``; ``none`` right-aligned to the spec's width when v is None."""
    if v is not None:
        return format(v, spec)
    width = re.match(r"\d*", spec).group(0)
    return none.rjust(int(width)) if width else none


def _num(v):
    return float(v) if isinstance(v, (int, float)) else None


def _scale(step, scale, misreg_job):
    """The factor ISCE2's time of ``step`` is scaled by: N^2 / 4096^2, except ISCE2's
    misregistration job run as such (its work is its windows', whatever the image size)."""
    return 1.0 if step == "misregistration" and misreg_job["same_job_as_isce2"] else scale


def step_rows(report_steps, sampled, run, scale, misreg_job):
    """One row per step of ISCE2's table (its order), then ``other steps`` (insarApp's steps
    ISCE2's table has no row for, summed) and ``process start, imports, exit`` (insarApp's
    wall and CPU time outside its steps). Each: ours (wall, CPU, cores, peak RSS, sampled
    tree RSS/anon), ISCE2's time (scaled), target (ISCE2 / 5), speed-up, verdict."""
    rows = []

    def row(name, wall, cpu, rss, smp, isce2, judged):
        speedup = isce2 / wall if isce2 and wall else None
        rows.append({
            "step": name, "wall_s": wall, "cpu_s": cpu,
            "cores": cpu / wall if cpu is not None and wall else None,
            "peak_rss_mib": rss, "tree_rss_mib": smp.get("rss_mib"),
            "tree_anon_mib": smp.get("anon_mib"),
            "isce2_s": isce2, "target_s": isce2 / TARGET_SPEEDUP if isce2 else None,
            "speedup": speedup, "same_job_as_isce2": judged if isce2 else None,
            "meets_5x": (speedup >= TARGET_SPEEDUP) if (speedup is not None and judged) else None,
            "meets_rss": rss <= TARGET_PEAK_MIB if rss is not None else None})

    for name, isce2 in ISCE2_STEPS.items():
        st = report_steps.get(name, {})
        judged = name != "misregistration" or misreg_job["same_job_as_isce2"]
        row(name, _num(st.get("wall_s")), _num(st.get("cpu_s")), _num(st.get("peak_rss_mib")),
            sampled.get(name, {}), isce2 * _scale(name, scale, misreg_job), judged)
    others = {k: v for k, v in report_steps.items() if k not in ISCE2_STEPS}
    walls = [_num(v.get("wall_s")) or 0.0 for v in others.values()]
    cpus = [_num(v.get("cpu_s")) or 0.0 for v in others.values()]
    rss = [_num(v.get("peak_rss_mib")) for v in others.values()]
    smp = [sampled.get(k, {}) for k in others]
    row(OTHER, sum(walls), sum(cpus), max((r for r in rss if r is not None), default=None),
        {"rss_mib": max((s.get("rss_mib") or 0.0 for s in smp), default=None),
         "anon_mib": max((s.get("anon_mib") or 0.0 for s in smp), default=None)}, None, None)
    rows[-1]["steps"] = {k: {"wall_s": w, "cpu_s": c} for k, w, c in zip(others, walls, cpus)}
    steps_wall = sum(_num(v.get("wall_s")) or 0.0 for v in report_steps.values())
    steps_cpu = sum(_num(v.get("cpu_s")) or 0.0 for v in report_steps.values())
    row(STARTUP, run["wall_s"] - steps_wall, run["cpu_s"] - steps_cpu,
        _num((report_steps.get("startup") or {}).get("peak_rss_mib")),
        sampled.get("(start)", {}), None, None)
    return rows


def print_table(rows, totals, scale):
    """The issue's table (ISCE2 per step) with our columns, then the totals."""
    head = (f"{'step':29s} {'ISCE2 s':>8s} {'target':>7s} {'ours s':>7s} {'CPU s':>6s} "
            f"{'cores':>5s} {'x ISCE2':>8s} {'met':>5s} {'RSS MiB':>8s} {'tree':>5s} {'anon':>5s}")
    print(head)
    print("-" * len(head))
    for r in rows + totals:
        ok = "-" if r["meets_5x"] is None else ("yes" if r["meets_5x"] else "NO")
        mark = "*" if r.get("same_job_as_isce2") is False else " "
        print(f"{r['step']:29s} {_fmt(r['isce2_s'], '8.1f' if scale == 1 else '8.2f')} "
              f"{_fmt(r['target_s'], '7.2f')} {_fmt(r['wall_s'], '7.2f')} "
              f"{_fmt(r['cpu_s'], '6.2f')} {_fmt(r['cores'], '5.2f')} "
              f"{_fmt(r['speedup'], '7.1f')}{mark} {ok:>5s} {_fmt(r['peak_rss_mib'], '8.0f')} "
              f"{_fmt(r['tree_rss_mib'], '5.0f')} {_fmt(r['tree_anon_mib'], '5.0f')}")
    if any(r.get("same_job_as_isce2") is False for r in rows):
        print("* DIFFERENT JOBS: ISCE2's time is for other work than ours on this row (not "
              "judged; --misreg isce2 runs ISCE2's job in the chain)")
    print("target: ISCE2 / 5 (totals: 12.5 s whole chain, 12 s without misregistration"
          + (f", scaled by {scale:.4f}" if scale != 1 else "") + "); RSS: the step's peak "
          f"(process + children), target <= {TARGET_PEAK_MIB:.0f} MiB; tree/anon: sampled "
          "RSS / anonymous RSS of the process tree")


def total_rows(rows, run, scale, peak, tree, misreg_job):
    """The totals in the table's form: the whole chain (vs ISCE2's 250 s, target 12.5 s) and
    without misregistration (vs 61.3 s, target 12 s); with ``--size``, ISCE2's times scaled
    as the rows' (:func:`_scale`) and the targets by N^2 / 4096^2."""
    misreg = next(r for r in rows if r["step"] == "misregistration")
    wall, cpu = run["wall_s"], run["cpu_s"]
    isce2_total = (ISCE2_TOTAL_S - ISCE2_MISREG_S) * scale \
        + ISCE2_MISREG_S * _scale("misregistration", scale, misreg_job)
    out = []
    for name, w, c, isce2, target in (
            ("total (insarApp, whole process)", wall, cpu, isce2_total, TARGET_TOTAL_S),
            ("total without misregistration", wall - (misreg["wall_s"] or 0.0),
             cpu - (misreg["cpu_s"] or 0.0), ISCE2_WITHOUT_MISREG_S * scale,
             TARGET_WITHOUT_MISREG_S)):
        speedup = isce2 / w if w else None
        out.append({"step": name, "wall_s": w, "cpu_s": c, "cores": c / w if w else None,
                    "isce2_s": isce2, "target_s": target * scale, "speedup": speedup,
                    "meets_5x": w <= target * scale, "same_job_as_isce2": None,
                    "peak_rss_mib": peak, "tree_rss_mib": tree.get("rss_mib"),
                    "tree_anon_mib": tree.get("anon_mib"), "meets_rss": peak <= TARGET_PEAK_MIB})
    return out


# ---------------------------------------------------------------------------- main
def parse_args(argv):
    from isce.apps.insar_settings import UNWRAPPERS_AVAILABLE   # insarApp's unwrapper names

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=4096, help="lines = samples of each SLC")
    ap.add_argument("--looks", type=int, default=4, help="range = azimuth looks")
    ap.add_argument("--misreg", choices=("insar", "isce2"), default="insar",
                    help="misregistration job in the chain: insarApp's defaults (insar) or "
                         "ISCE2's 1600 windows of 128^2, +-40 px (isce2, set in insarApp.xml)")
    ap.add_argument("--unwrapper", default="snaphu", choices=UNWRAPPERS_AVAILABLE,
                    help="insarApp's 'unwrapper name' for the chain (ISCE2's default: snaphu)")
    ap.add_argument("--compare-unwrapper", action="append", default=[],
                    choices=UNWRAPPERS_AVAILABLE, metavar="NAME",
                    help="after the chain, rerun the unwrap step alone with this unwrapper "
                         f"(repeatable; one of {', '.join(UNWRAPPERS_AVAILABLE)})")
    ap.add_argument("--baseline", type=float, default=300.0, help="perpendicular baseline [m]")
    ap.add_argument("--coherence", type=float, default=1.0,
                    help="speckle correlation of the two passes (pair_scenes)")
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--load-threshold", type=float, default=1.0,
                    help="start the measured run when the 1-minute load average is below this")
    ap.add_argument("--max-wait", type=float, default=1200.0,
                    help="seconds to wait for the load to drop (then run anyway, with a warning)")
    ap.add_argument("--workdir", default=None,
                    help="folder for the run's own subfolder (default: the temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the run's folder")
    ap.add_argument("--json", default=None,
                    help="results file (default benchmarks/results/insar_slc_<size>.json)")
    ap.add_argument("--truth-min-coherence", type=float, default=0.5,
                    help="the truth check is also reported without pixels of lower coherence "
                         "(topophase.cor)")
    ap.add_argument("--isce2-misreg-job", action="store_true",
                    help="after the run, also time ISCE2's misregistration job alone (1600 "
                         "windows of 128^2, +-40 px) on the same files, on all cores and on one")
    ap.add_argument("--setup-worker", help=argparse.SUPPRESS)
    ap.add_argument("--misreg-worker", help=argparse.SUPPRESS)
    ap.add_argument("--misreg-threads", type=int, default=1, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def run_setup(work, args):
    """The pair, DEM and truth in their own process (not the chain's memory or time)."""
    t0 = time.perf_counter()
    cmd = [sys.executable, __file__, "--setup-worker", str(work), "--size", str(args.size),
           "--baseline", str(args.baseline), "--coherence", str(args.coherence),
           "--seed", str(args.seed)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=isce_env(), cwd=work)
    if res.returncode != 0:
        return None, res.stderr[-4000:]
    setup = json.loads(res.stdout.strip().splitlines()[-1])
    setup["wall_s"] = time.perf_counter() - t0
    print(f"setup (not measured): {setup['wall_s']:.1f} s (pair_scenes "
          f"{setup['timing']['pair_scenes_s']:.1f} s); perpendicular baseline "
          f"{setup['baseline']['perpendicular']:.1f} m", flush=True)
    return setup, None


def summarise(out, rows, report, run, scale, misreg_job):
    """Totals and verdicts from the rows and the run (into ``out``); returns the total rows."""
    tree = run["sampled"].get("(all)", {})
    reported = [r["peak_rss_mib"] for r in rows if r["peak_rss_mib"] is not None]
    peak = max([*reported, tree.get("rss_mib") or 0.0, run["max_rss_mib"]])
    totals = total_rows(rows, run, scale, peak, tree, misreg_job)
    judged = [r for r in rows if r["meets_5x"] is not None]
    slowest = min(judged, key=lambda r: r["speedup"]) if judged else None
    out["totals"] = {
        "insar_wall_s": run["wall_s"], "insar_cpu_s": run["cpu_s"],
        "cores": run["cpu_s"] / run["wall_s"], "without_misregistration_s": totals[1]["wall_s"],
        "speedup_vs_isce2_total": totals[0]["speedup"],
        "speedup_vs_isce2_without_misregistration": totals[1]["speedup"],
        "startup_s": rows[-1]["wall_s"], "startup_rss_mib": rows[-1]["peak_rss_mib"],
        "peak_rss_mib": peak, "peak_rss_report_mib": max(reported, default=None),
        "peak_rss_tree_sampled_mib": tree.get("rss_mib"),
        "peak_anon_tree_sampled_mib": tree.get("anon_mib"),
        "peak_rss_process_mib": run["max_rss_mib"], "peak_vs_isce2": peak / ISCE2_PEAK_MIB}
    out["verdict"] = {
        "total_le_12_5s": totals[0]["meets_5x"],
        "without_misregistration_le_12s": totals[1]["meets_5x"],
        "peak_rss_le_343mib": peak <= TARGET_PEAK_MIB,
        "steps_5x": {r["step"]: r["meets_5x"] for r in judged},
        "all_steps_5x": all(r["meets_5x"] for r in judged),
        "steps_rss_le_343mib": {r["step"]: r["meets_rss"] for r in rows if r["meets_rss"] is not None},
        "misregistration_judged": misreg_job["same_job_as_isce2"],
        "slowest_step_vs_isce2": None if slowest is None else
        {"step": slowest["step"], "speedup": slowest["speedup"]},
        "load_idle_at_start": out["load"]["idle"]}
    return totals


def print_truth(truth, text):
    print("truth:")
    print("\n".join("  " + line for line in text.splitlines()))
    wm = truth["with_min_coherence"]
    print(f"  without coherence < {wm['min_coherence']:g}: LOS RMSE "
          f"{wm['los_displacement_rmse_m'] * 1e3:.3f} mm (max "
          f"{wm['los_displacement_max_abs_error_m'] * 1e3:.2f} mm), unwrapping errors "
          f"{wm['unwrapping_error_fraction'] * 100:.4f} % of {wm['pixels_compared']} of "
          f"{wm['pixels_total']} pixels")
    for name, per in truth.get("coregistration", {}).items():
        for label, v in per.items():
            print(f"  coregistration {name:8s} {label:8s}: RMS {v['rms_px']:.4f} px, max "
                  f"{v['max_abs_px']:.4f} px (true offsets {v['true_offset_range_px'][0]:.2f} .. "
                  f"{v['true_offset_range_px'][1]:.2f} px; {v['source']})")


def print_results(out, rows, totals, args, scale, misreg_job):
    t, v = out["totals"], out["verdict"]
    print()
    print(f"insarApp from SLCs, {args.size} x {args.size}, {args.looks} x {args.looks} looks, "
          f"unwrapper {args.unwrapper}, misregistration {args.misreg}; ISCE2 2.6.5 stripmapApp "
          f"(issue 14, DESIGN.md §8){f' scaled by {scale:.4f}' if scale != 1 else ''}; "
          "x ISCE2 = ISCE2's time / ours")
    print_table(rows, totals, scale)
    print(f"\nwhole chain: {t['insar_wall_s']:.2f} s wall ({t['speedup_vs_isce2_total']:.1f}x "
          f"ISCE2), {t['insar_cpu_s']:.1f} s CPU ({t['cores']:.2f} cores): target "
          f"{TARGET_TOTAL_S * scale:.2f} s {'met' if v['total_le_12_5s'] else 'MISSED'}; without "
          f"misregistration {t['without_misregistration_s']:.2f} s "
          f"({t['speedup_vs_isce2_without_misregistration']:.1f}x): target "
          f"{TARGET_WITHOUT_MISREG_S * scale:.2f} s "
          f"{'met' if v['without_misregistration_le_12s'] else 'MISSED'}")
    print(f"peak RSS: {t['peak_rss_mib']:.0f} MiB (steps {_fmt(t['peak_rss_report_mib'], '.0f')}"
          f", process tree sampled {_fmt(t['peak_rss_tree_sampled_mib'], '.0f')}, ru_maxrss "
          f"{t['peak_rss_process_mib']:.0f}) vs ISCE2's {ISCE2_PEAK_MIB:.0f}: target "
          f"{TARGET_PEAK_MIB:.0f} MiB {'met' if v['peak_rss_le_343mib'] else 'MISSED'}; "
          f"anonymous {_fmt(t['peak_anon_tree_sampled_mib'], '.0f')} MiB")
    bad = [k for k, ok in v["steps_5x"].items() if not ok]
    print("steps >= 5x faster than ISCE2: " + ("all" if not bad else f"not {', '.join(bad)}"))
    print(f"misregistration job: {misreg_job['text']}; result {out['report'].get('misregistration')}")
    print(f"unwrapper: {args.unwrapper} (ISCE2: {ISCE2_UNWRAP})")
    for name, r in (out.get("unwrappers") or {}).items():
        if "failed" in r:
            print(f"unwrap step with {name}: FAILED")
            continue
        print(f"unwrap step with {name} (--dostep=unwrap): {_fmt(r.get('wall_s'), '.2f')} s, CPU "
              f"{_fmt(r.get('cpu_s'), '.2f')} s, peak RSS {_fmt(r.get('peak_rss_mib'), '.0f')} "
              f"MiB ({ISCE2_STEPS['unwrap'] * scale / r['wall_s']:.1f}x ISCE2's "
              f"{ISCE2_STEPS['unwrap'] * scale:.2f} s); unwrapping errors "
              f"{r['unwrapping_error_fraction'] * 100:.4f} %, LOS RMSE "
              f"{r['los_displacement_rmse_m'] * 1e3:.3f} mm")
    for threads, r in (out.get("misregistration_same_job") or {}).items():
        print(f"misregistration, ISCE2's job alone ({r['count'][0] * r['count'][1]} windows of "
              f"{r['window']}^2, +-{r['search']} px) on the same files: {r['seconds']:.1f} s "
              f"on {threads} thread{'s' if threads != '1' else ''} vs ISCE2's "
              f"{ISCE2_MISREG_S:.1f} s on {r['isce2_threads']} core: "
              f"{r['speedup_vs_isce2']:.1f}x (not scaled by size)")


def main(argv=None):
    args = parse_args(argv)
    if args.misreg_worker:
        return misreg_worker(args.misreg_worker, args.misreg_threads)
    if args.setup_worker:
        return setup_worker(args.setup_worker, args.size, args.baseline, args.coherence, args.seed)
    json_path = args.json or RESULTS / f"insar_slc_{args.size}.json"
    scale = (args.size / ISCE2_SIZE) ** 2
    misreg_job = insar_misreg_job(args.size, args.misreg)
    out = {"benchmark": "insar_slc", "date": dt.datetime.now().isoformat(timespec="seconds"),
           "command": " ".join([Path(__file__).name, *(argv if argv is not None else sys.argv[1:])]),
           "size": [args.size, args.size], "looks": [args.looks, args.looks],
           "unwrapper": args.unwrapper, "misreg": args.misreg, "misregistration_job": misreg_job,
           "baseline_m": args.baseline, "coherence": args.coherence, "machine": machine(ROOT),
           "targets": {"isce2_steps_s": ISCE2_STEPS, "isce2_total_s": ISCE2_TOTAL_S,
                       "isce2_without_misregistration_s": ISCE2_WITHOUT_MISREG_S,
                       "isce2_peak_mib": ISCE2_PEAK_MIB, "isce2_unwrap": ISCE2_UNWRAP,
                       "isce2_misregistration": ISCE2_AMPCOR, "speedup": TARGET_SPEEDUP,
                       "total_s": TARGET_TOTAL_S, "without_misregistration_s":
                       TARGET_WITHOUT_MISREG_S, "peak_rss_mib": TARGET_PEAK_MIB,
                       "isce2_size": ISCE2_SIZE, "time_scale": scale}}
    base = Path(args.workdir) if args.workdir else Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"insar_slc_{args.size}_", dir=base))
    print(f"SLC pair {args.size} x {args.size}, {args.looks} x {args.looks} looks, unwrapper "
          f"{args.unwrapper}, misregistration {misreg_job['text']}; folder {work}", flush=True)
    try:
        return measure(out, work, args, scale, misreg_job, json_path)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def measure(out, work, args, scale, misreg_job, json_path):
    """Setup, the measured chain, the truth, the comparisons; prints and writes the results.
    The steps' statistics are their manifests' (PICKLE/<step>.json: every step, endup
    included; report.json, written by endup, has those before it)."""
    from isce.framework.steps import step_statistics

    setup, error = run_setup(work, args)
    if setup is None:
        out["failed"] = {"what": "setup", "stderr": error}
        print(f"FAILED: setup\n{error}")
        write_json(out, json_path)
        return 1
    out["setup"] = setup
    write_insar_xml(work / "insarApp.xml", setup, args.looks, args.unwrapper, args.misreg)
    env = bytecode_env(work)
    os.sync()                              # no pending write-back of the setup's files
    out["load"] = load = wait_for_idle(args.load_threshold, args.max_wait)
    if not load["idle"]:
        print(f"WARNING: load average still {load['load_at_start']:.2f} after "
              f"{load['waited_s']:.0f} s (threshold {args.load_threshold:g}): the timings "
              "are those of a loaded machine", flush=True)
    run = run_insar(work, env, "insarApp.xml", ["--steps"])
    out["insar"] = run
    print(f"insarApp: {run['wall_s']:.2f} s wall, {run['cpu_s']:.1f} s CPU, peak RSS "
          f"{run['max_rss_mib']:.0f} MiB, exit {run['returncode']}, load "
          f"{load['load_at_start']:.2f} -> {run['load_after']:.2f}", flush=True)
    if run["returncode"] != 0:
        out["failed"] = {"what": "insarApp", "log_tail": run["log_tail"]}
        print("FAILED: insarApp; last lines of its log:\n"
              + "\n".join("    " + t for t in run["log_tail"]))
        write_json(out, json_path)
        return 1
    report = json.loads((work / "report.json").read_text())
    out["report"] = {k: report.get(k) for k in ("mean_coherence", "misregistration", "looks",
                                                "wall_time_s", "geocoded", "steps")}
    steps = step_statistics(work) or report.get("steps") or {}
    rows = step_rows(steps, run["sampled"], run, scale, misreg_job)
    out["steps"] = rows
    truth, text = truth_check(work, args.truth_min_coherence)
    out["truth"] = truth
    if args.compare_unwrapper:
        out["unwrappers"] = compare_unwrappers(work, env, args.compare_unwrapper, setup, args)
    if args.isce2_misreg_job:
        out["misregistration_same_job"] = isce2_misreg_job(
            work, sorted({os.cpu_count() or 1, 1}, reverse=True), env)
    totals = summarise(out, rows, report, run, scale, misreg_job)
    out["totals_rows"] = totals
    out["verdict"].update({
        "truth_los_rmse_below_1mm": truth["los_displacement_rmse_m"] < 1e-3,
        "truth_no_unwrapping_error": truth["unwrapping_error_fraction"] == 0.0})
    out["totals"]["benchmark_s"] = time.perf_counter() - _STARTED
    print_results(out, rows, totals, args, scale, misreg_job)
    print_truth(truth, text)
    if not load["idle"]:
        print(f"WARNING: measured at load average {load['load_at_start']:.2f} (threshold "
              f"{args.load_threshold:g})")
    write_json(out, json_path)
    print(json.dumps({"size": args.size, "totals": out["totals"], "verdict": out["verdict"]},
                     default=str))
    return 0


_STARTED = time.perf_counter()

if __name__ == "__main__":
    raise SystemExit(main())
