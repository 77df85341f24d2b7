"""Benchmark: orbit interpolation kernel vs. the vectorised NumPy reference.

Interpolates ~4 million query times (one per pixel of a 4096 x 1024 block,
sorted as a geometry kernel would ask for them) with both methods and
reports, per method:

* time ratio  kernel / NumPy reference  (kernel with the default OpenMP
  threads and with 1 thread; the reference runs in 256 Ki-query chunks so
  that its memory stays bounded, which also makes it faster),
* 2-thread speed-up of the kernel,
* peak memory allocated during the kernel call (tracemalloc sees the NumPy
  output arrays) relative to the size of its outputs, and of the reference,
* the largest difference between the two (sanity check),

plus the peak resident memory of the process. Run:

    python benchmarks/bench_orbit_interp.py [--queries N] [--json out.json]
"""
import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _reference import REFERENCE, kepler_circular  # noqa: E402

from isce.ext import load  # noqa: E402

MiB = 2.0**20


def best_time(fn, repeat):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def traced_peak(fn):
    """Peak bytes allocated (and tracked) while fn runs, above what was live before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, result


def reference_chunked(method, sv, tq, chunk):
    pos = np.empty((tq.size, 3))
    vel = np.empty((tq.size, 3))
    for s in range(0, tq.size, chunk):
        pos[s:s + chunk], vel[s:s + chunk] = REFERENCE[method](*sv, tq[s:s + chunk])
    return pos, vel


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--queries", type=int, default=4096 * 1024)
    ap.add_argument("--chunk", type=int, default=1 << 18)
    ap.add_argument("--repeat", type=int, default=5, help="kernel repetitions (best kept)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)

    core = load("_core")
    # 31 state vectors every 10 s around a 60 s acquisition, LEO radius
    sv_t = np.arange(-150.0, 150.0 + 1e-9, 10.0)
    sv_pos, sv_vel = kepler_circular(sv_t)
    sv = (sv_t, sv_pos, sv_vel)
    rng = np.random.default_rng(0)
    tq = np.sort(rng.uniform(-30.0, 30.0, args.queries))
    out_bytes = 2 * tq.size * 3 * 8

    load_avg = os.getloadavg()[0]
    results = {"queries": tq.size, "state_vectors": sv_t.size,
               "threads_default": core.max_threads(), "load_average_1min": load_avg,
               "methods": {}}
    print(f"orbit interpolation: {tq.size:,} query times, {sv_t.size} state vectors, "
          f"OpenMP threads {core.max_threads()} (load average before: {load_avg:.2f})")
    for method in ("hermite", "legendre"):
        core.interpolate_orbit(*sv, tq, method)                             # warm-up
        # interleaved, best of `repeat`: the machine may be shared
        t_par = t_one = float("inf")
        for _ in range(args.repeat):
            t_par = min(t_par, best_time(lambda: core.interpolate_orbit(*sv, tq, method), 1)[0])
            t_one = min(t_one, best_time(
                lambda: core.interpolate_orbit(*sv, tq, method, threads=1), 1)[0])
        t_ref, (rp, rv) = best_time(lambda: reference_chunked(method, sv, tq, args.chunk), 1)
        peak_kernel, (p, v) = traced_peak(lambda: core.interpolate_orbit(*sv, tq, method))
        dpos, dvel = float(np.abs(p - rp).max()), float(np.abs(v - rv).max())
        del p, v, rp, rv
        peak_ref, _ = traced_peak(lambda: reference_chunked(method, sv, tq, args.chunk))
        r = {
            "ratio_kernel_to_numpy": t_par / t_ref,
            "ratio_kernel_1thread_to_numpy": t_one / t_ref,
            "speedup_threads": t_one / t_par,
            "kernel_peak_over_output": peak_kernel / out_bytes,
            "kernel_peak_MiB": peak_kernel / MiB,
            "numpy_peak_MiB": peak_ref / MiB,
            "max_diff_pos_m": dpos, "max_diff_vel_m_s": dvel,
            "seconds": {"kernel": t_par, "kernel_1thread": t_one, "numpy": t_ref},
        }
        results["methods"][method] = r
        print(f"  {method:8s} kernel/NumPy time ratio {r['ratio_kernel_to_numpy']:.4f} "
              f"(1 thread {r['ratio_kernel_1thread_to_numpy']:.4f}; "
              f"{r['speedup_threads']:.2f}x from threads) | "
              f"kernel peak {r['kernel_peak_MiB']:.0f} MiB = "
              f"{r['kernel_peak_over_output']:.2f} x its outputs, NumPy peak {r['numpy_peak_MiB']:.0f} MiB"
              f" | max diff {dpos:.1e} m, {dvel:.1e} m/s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    results["process_peak_rss_MiB"] = rss
    print(f"  process peak RSS {rss:.0f} MiB (outputs of one call: {out_bytes / MiB:.0f} MiB, "
          f"query times: {tq.nbytes / MiB:.0f} MiB)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
