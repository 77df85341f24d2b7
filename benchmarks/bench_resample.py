"""Benchmark: SLC resampling (8 x 8 sinc, Doppler carrier) and crossmul on 4096 x 4096.

Inputs: a complex64 4096 x 4096 SLC (circular Gaussian speckle; the cost
does not depend on the content), smooth sub-pixel offsets (|offset| < 1 px,
float32 rasters, as geo2rdr writes them) and the Doppler table of the radar
grid of bench_geometry.py (the envisat product's, extended to 4096 x 4096;
a synthetic one without the data).

Reported, measured in one run (interleaved, best of ``--repeat``):

* full size, each in a fresh subprocess, rasters on disk (a temp dir) as
  the stage commands use them: ``resample_slc`` (SLC + range.off +
  azimuth.off -> resampled SLC) and ``crossmul_raster`` with 4 x 4 looks
  and 2x range oversampling (-> interferogram, coherence, amplitudes):
  seconds, pixels/s, ratio to the DESIGN.md section 8 targets (<= 1.4 s
  each, 5x faster than ISCE2's 7 s), peak memory (VmHWM, which also counts
  the pages of memory-mapped rasters, and the sampled RssAnon);
  plus ``resample_slc`` on in-memory arrays (no I/O) in this process;
* kernel / NumPy time ratio on ``--subset-lines`` lines x 4096 from the
  middle of the image: ``resample_slc_block`` (same carrier) against
  ``reference_resample`` of tests/signal/test_signal_resample.py, both as
  pixels/s; the kernel also with 1 thread; the largest relative difference
  as a sanity check.

Run (under a minute):

    python benchmarks/bench_resample.py [--size 4096] [--repeat 3] [--json out.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _reference as ref  # noqa: E402
from bench_geometry import AnonPeak, build_scene, rss_mib  # noqa: E402

MiB = 2.0**20
# DESIGN.md section 8: ISCE2 7 s per resampling, interferogram 7 s; targets 5x faster
ISCE2 = {"resample": 7.0, "crossmul": 7.0}
TARGET = {"resample": 1.4, "crossmul": 1.4}
LOOKS = (4, 4)
OVERSAMPLE = 2


def make_inputs(size, seed=0):
    """(slc complex64, range offsets float32, azimuth offsets float32), all size x size."""
    rng = np.random.default_rng(seed)
    slc = np.empty((size, size), np.complex64)
    slc.real = rng.standard_normal((size, size), dtype=np.float32)
    slc.imag = rng.standard_normal((size, size), dtype=np.float32)
    slc *= np.float32(np.sqrt(0.5))
    u = np.arange(size, dtype=np.float32) / size
    az = (0.25 + 0.35 * np.sin(5.0 * u)[:, None] + 0.2 * np.cos(3.0 * u)[None, :]
          + 0.1 * np.outer(u, u)).astype(np.float32)
    rg = (-0.3 + 0.5 * u[None, :] + 0.25 * np.sin(4.0 * u + 1.0)[:, None]).astype(np.float32)
    return slc, rg, az


def paths(workdir):
    w = Path(workdir)
    return {"slc": w / "reference.slc", "rg": w / "range.off", "az": w / "azimuth.off",
            "resampled": w / "secondary.slc"}


# ------------------------------------------------------------------ full-size worker
def worker(kind, workdir, size, synthetic):
    from isce.signal.crossmul import crossmul_raster
    from isce.signal.resample import resample_slc

    p = paths(workdir)
    out = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=workdir))
    if kind == "resample":
        grid, _, doppler, _ = build_scene(size, synthetic)
        call = lambda: [resample_slc(p["slc"], p["rg"], p["az"], out / "resampled.slc",  # noqa: E731
                                     doppler=doppler, grid=grid)]
    else:
        call = lambda: crossmul_raster(p["slc"], p["resampled"], out / "ifg.int",  # noqa: E731
                                       out / "coh.cor", out / "amp.amp", az_looks=LOOKS[0],
                                       rg_looks=LOOKS[1], oversample=OVERSAMPLE)
    before = rss_mib()
    with AnonPeak() as anon:
        start = time.perf_counter()
        written = call()
        seconds = time.perf_counter() - start
    peak = rss_mib()
    anon_before, anon_peak = anon.result()
    nbytes = sum(os.path.getsize(f) for f in written)
    if kind == "resample" and not p["resampled"].exists():
        for f in out.iterdir():                      # keep it (and its sidecars) for crossmul
            os.replace(f, Path(workdir) / f.name.replace("resampled", "secondary"))
    for f in out.iterdir():
        f.unlink()
    out.rmdir()
    print(json.dumps({"kind": kind, "seconds": seconds, "rss_before_MiB": before,
                      "peak_rss_MiB": peak, "anon_before_MiB": anon_before,
                      "anon_peak_MiB": anon_peak, "written_MiB": nbytes / MiB}))


def run_worker(kind, workdir, size, synthetic):
    cmd = [sys.executable, __file__, "--worker", kind, "--workdir", workdir, "--size", str(size)]
    if synthetic:
        cmd.append("--synthetic")
    done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ subset: kernel vs NumPy
def subset_comparison(slc, rg, az, grid, doppler, lines, repeat, numpy_repeat):
    from isce.signal import resample as rs

    tests = ref.resample_tests()
    length, width = slc.shape
    start = (length - lines) // 2
    rows = slice(start, start + lines)
    a, r = np.asarray(az[rows], np.float64), np.asarray(rg[rows], np.float64)
    need = rs.input_lines_needed(a, start, length)
    # 8 spare lines each side, so that the reference's edge rule (on its block) is the image's
    lo, hi = max(need.start - 8, 0), min(need.stop + 8, length)
    block = slc[lo:hi]
    carrier = rs.doppler_carrier(doppler, grid, rows, width)
    kern = lambda th=0: rs.resample_slc_block(block, a, r, block_row0=lo,  # noqa: E731
                                              image_length=length, out_row0=start,
                                              carrier=carrier, threads=th)
    numpy_version = lambda: tests.reference_resample(block, a, r, carrier,  # noqa: E731
                                                     out_row0=start - lo)
    kern()
    tk = tk1 = tn = float("inf")
    for k in range(max(repeat, numpy_repeat)):
        if k < repeat:
            s = time.perf_counter()
            kern()
            tk = min(tk, time.perf_counter() - s)
            s = time.perf_counter()
            kern(1)
            tk1 = min(tk1, time.perf_counter() - s)
        if k < numpy_repeat:
            s = time.perf_counter()
            numpy_version()
            tn = min(tn, time.perf_counter() - s)
    ours, theirs = kern(), numpy_version()
    pixels = lines * width
    return {"kernel_s": tk, "kernel_1thread_s": tk1, "numpy_s": tn,
            "ratio_kernel_to_numpy": tk / tn, "speedup_threads": tk1 / tk,
            "kernel_pixels_per_s": pixels / tk, "numpy_pixels_per_s": pixels / tn,
            "max_rel_diff": float(np.abs(ours - theirs).max() / np.abs(theirs).max()),
            "zero_pixels_equal": bool(np.array_equal(ours == 0, theirs == 0))}


# ------------------------------------------------------------------ main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--subset-lines", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5, help="full-size runs of each kind (best kept)")
    ap.add_argument("--subset-repeat", type=int, default=5)
    ap.add_argument("--numpy-repeat", type=int, default=2)
    ap.add_argument("--synthetic", action="store_true",
                    help="synthetic Doppler grid even if the envisat product is there")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.workdir, args.size, args.synthetic)

    import isce.io
    from isce.ext import load
    from isce.signal.resample import resample_slc

    wall = time.perf_counter()
    size = args.size
    pixels = size * size
    threads = load("_core").max_threads()
    grid, _, doppler, source = build_scene(size, args.synthetic)
    slc, rg, az = make_inputs(size)
    load_avg = os.getloadavg()[0]
    print(f"resample + crossmul: {size} x {size} complex64 SLC, offsets range "
          f"{rg.min():.2f}..{rg.max():.2f} px, azimuth {az.min():.2f}..{az.max():.2f} px, "
          f"Doppler {doppler.data.min():.0f}..{doppler.data.max():.0f} Hz ({source}); "
          f"OpenMP threads {threads}, load average before {load_avg:.2f}")
    results = {"benchmark": "resample", "size": size, "source": source, "threads": threads,
               "load_average_1min": load_avg, "looks": list(LOOKS), "oversample": OVERSAMPLE}
    full = {"resample": [], "crossmul": [], "resample_in_memory": []}
    with tempfile.TemporaryDirectory(prefix="bench_resample_") as workdir:
        p = paths(workdir)
        isce.io.write(p["slc"], slc, image_type="slc")
        isce.io.write(p["rg"], rg)
        isce.io.write(p["az"], az)
        for _ in range(args.repeat):          # interleaved: a load burst hits all kinds alike
            full["resample"].append(run_worker("resample", workdir, size, args.synthetic))
            full["crossmul"].append(run_worker("crossmul", workdir, size, args.synthetic))
            s = time.perf_counter()
            out = resample_slc(slc, rg, az, doppler=doppler, grid=grid)
            full["resample_in_memory"].append({"seconds": time.perf_counter() - s})
            del out
        sub = subset_comparison(slc, rg, az, grid, doppler, args.subset_lines,
                                args.subset_repeat, args.numpy_repeat)

    results["full"] = {}
    print(f"\n  full size, best of {args.repeat} (fresh process each, rasters in a temp dir; "
          f"peak RSS = VmHWM incl. memory-mapped raster pages, anon = sampled RssAnon)")
    print(f"  {'step':<20}{'s':>7}{'Mpx/s':>8}{'target':>8}{'time/target':>13}{'vs ISCE2':>10}"
          f"{'peak RSS':>10}{'anon':>8}{'anon+call':>11}")
    for kind, runs in full.items():
        step = "crossmul" if kind == "crossmul" else "resample"
        b = min(runs, key=lambda x: x["seconds"])
        scale = pixels / 4096.0**2            # the targets are for 4096 x 4096
        r = {"seconds": b["seconds"], "all_seconds": [x["seconds"] for x in runs],
             "pixels_per_s": pixels / b["seconds"], "target_s": TARGET[step] * scale,
             "ratio_to_target": b["seconds"] / (TARGET[step] * scale),
             "speedup_vs_isce2": ISCE2[step] * scale / b["seconds"]}
        mem = ""
        if "peak_rss_MiB" in b:
            anon = [x for x in runs if x["anon_peak_MiB"] is not None]
            r.update({
                "peak_rss_MiB": max(x["peak_rss_MiB"] for x in runs),
                "peak_rss_increase_MiB": max(x["peak_rss_MiB"] - x["rss_before_MiB"] for x in runs),
                "anon_peak_MiB": max(x["anon_peak_MiB"] for x in anon) if anon else None,
                "anon_increase_MiB": (max(x["anon_peak_MiB"] - x["anon_before_MiB"] for x in anon)
                                      if anon else None),
                "written_MiB": b["written_MiB"]})
            mem = f"{r['peak_rss_MiB']:8.0f}Mi"
            mem += (f"{r['anon_peak_MiB']:6.0f}Mi{r['anon_increase_MiB']:9.0f}Mi" if anon else "")
        results["full"][kind] = r
        print(f"  {kind:<20}{r['seconds']:7.2f}{r['pixels_per_s'] / 1e6:8.2f}{r['target_s']:7.2f}s"
              f"{r['ratio_to_target']:13.2f}{r['speedup_vs_isce2']:9.1f}x{mem}")

    results["subset"] = sub
    results["subset_lines"] = args.subset_lines
    print(f"\n  kernel vs NumPy reference_resample on {args.subset_lines} x {size} pixels "
          f"(kernel best of {args.subset_repeat}, NumPy best of {args.numpy_repeat})")
    print(f"    kernel {sub['kernel_pixels_per_s'] / 1e6:.2f} Mpx/s, NumPy "
          f"{sub['numpy_pixels_per_s'] / 1e6:.3f} Mpx/s, kernel/NumPy time "
          f"{sub['ratio_kernel_to_numpy']:.4f}, {sub['speedup_threads']:.2f}x from threads, "
          f"max |diff| / max |ref| {sub['max_rel_diff']:.1e}")
    print(f"    extrapolated to {size} x {size}: kernel {pixels / sub['kernel_pixels_per_s']:.2f} s, "
          f"NumPy {pixels / sub['numpy_pixels_per_s']:.1f} s")
    results["process_peak_rss_MiB"] = rss_mib()
    results["wall_seconds"] = time.perf_counter() - wall
    print(f"  total wall time {results['wall_seconds']:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
