#!/usr/bin/env python3
"""Preprocess of a full-size scene per sensor format: time and peak memory.

    PYTHONPATH=components python benchmarks/bench_sensor_preprocess.py [--scale 1] [--sensors ...]

Per sensor: a full-size scene of that mission (image size of a typical product, the
simulator's radar preset and orbit, random speckle-like pixels: reading costs do not
depend on the data) is written in the mission's format by the simulator's writer
(``isce.simulate.formats``), untimed. Then, in a child process, what insarApp's preprocess
does with it is timed: the reader parses the files and the image is streamed into an isce
CFLOAT raster block by block (``product.write``); for a raw format, the echoes are decoded
block by block instead (what formslc reads). Reported: wall and CPU time, MB/s of output,
the child's peak RSS (``ru_maxrss``) and that peak as a multiple of one block of lines
(memory bounded by the block, not by the image: the ratio must not grow with the scene;
run ``--scale 0.5`` and ``--scale 1`` to see it stay put). As a floor, the same child
copies the format's image file to /dev/null-like reads (``floor_s``: reading the bytes).

Written to ``benchmarks/results/sensor_preprocess.json`` (``--json`` elsewhere).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.focus.pipeline import focus
from isce.sensors.product import DEFAULT_BLOCK_LINES, ImageSource, SlcProduct
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate.formats import FORMATS, load_writer
from isce.simulate.orbit import orbit_over
from isce.simulate.radar import preset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_insar_fullsize import fft_floor  # noqa: E402

HERE = Path(__file__).resolve().parent
#: sensor -> (lines, samples) of a typical full-size product
FULL_SIZE = {
    "SENTINEL1": (20000, 18000),          # SM S3 SLC, ~80 km x 80 km, 1.4 GB int16
    "TERRASARX": (24000, 14000),          # SM SSC, 50 km x 30 km, 1.3 GB
    "COSMO_SKYMED_SLC": (20000, 20000),   # HIMAGE SCS_B, 40 km x 40 km, 1.6 GB
    "RADARSAT2": (14000, 9000),           # Fine SLC, 50 km x 50 km, 0.5 GB
    "COSMO_SKYMED": (36000, 12000),       # HIMAGE RAW_B, ~10 s of echoes, 0.9 GB at 8 bits
    "ERS": (27712, 5616),                 # level 0 raw frame, ~16.5 s, 0.32 GB of 5-bit I/Q bytes
    "ERS_SLC": (26567, 4991),             # IMS, 100 km x 40 km, 0.53 GB int16
    "ALOS_SLC": (18000, 9700),            # PALSAR FBS level 1.1, 70 km frame
    "ALOS2": (25000, 10000),              # PALSAR-2 SM3 level 1.1
    "RADARSAT1": (20000, 8000),           # Standard raw, ~15 s of echoes, 4-bit
    "ENVISAT": (30000, 5200),             # ASA_IM__0P, FBAQ 4-bit
    "ENVISAT_SLC": (30000, 5200),         # ASA_IMS_1P
    "ERS_ENVISAT": (28000, 5600),         # SAR_IM__0P (the format holds at most 5612 samples)
    "ERS_ENVISAT_SLC": (28000, 4900),     # SAR_IMS_1P
}
LAT, LON = 34.5, -116.5


def _geometry(sensor, lines, samples):
    """(radar preset, orbit, first time, starting range) of a pass centred on (LAT, LON)."""
    radar = preset(FORMATS[sensor].preset)
    duration = lines / radar.prf + 20.0
    orbit, t_zd = orbit_over(LAT, LON, radar.look_angle, radar.look_side, radar.altitude,
                             radar.inclination, time=radar.extra.get("default_date", "2020-06-01T05:30:00"),
                             duration_s=duration, spacing_s=1.0)
    dr = SPEED_OF_LIGHT / (2 * radar.range_sampling_rate)
    pos, _ = orbit.interpolate(t_zd)
    target = WGS84.lon_lat_to_xyz(np.radians([LON, LAT]).tolist() + [0.0])
    r_mid = float(np.linalg.norm(np.asarray(target) - pos))
    return radar, orbit, t_zd - lines / 2 / radar.prf, r_mid - samples / 2 * dr


def _noise_raster(path, lines, samples, seed=0):
    """A CFLOAT raster of complex Gaussian noise (amplitude ~100), written by blocks."""
    rng = np.random.default_rng(seed)
    with isce.io.create(str(path), samples, lines, "CFLOAT", image_type="slc") as ds:
        for start in range(0, lines, DEFAULT_BLOCK_LINES):
            n = min(DEFAULT_BLOCK_LINES, lines - start)
            z = rng.standard_normal((n, 2 * samples), dtype=np.float32) * 100.0
            ds[slice(start, start + n)] = z.view(np.complex64)


def _product(sensor, folder, lines, samples):
    """The full-size product the writer is given (its image a noise raster)."""
    radar, orbit, start, r0 = _geometry(sensor, lines, samples)
    image = folder / "source.img"
    _noise_raster(image, lines, samples)
    if FORMATS[sensor].level == "raw":
        return RawProduct(orbit=orbit, sensing_start=start, prf=radar.prf, starting_range=r0,
                          range_sampling_rate=radar.range_sampling_rate, length=lines,
                          width=samples, wavelength=radar.wavelength, look_side=radar.look_side,
                          chirp_slope=radar.chirp_slope, pulse_length=radar.pulse_length,
                          source=RawSource("raster", str(image)), antenna_length=radar.antenna_length,
                          platform=radar.platform, mission=radar.mission,
                          polarization=radar.polarization)
    grid = RadarGrid(start, orbit.reference_epoch, prf=radar.prf, starting_range=r0,
                     range_pixel_spacing=SPEED_OF_LIGHT / (2 * radar.range_sampling_rate),
                     length=lines, width=samples, wavelength=radar.wavelength,
                     look_side=radar.look_side)
    return SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=radar.chirp_bandwidth,
                      range_sampling_rate=radar.range_sampling_rate, platform=radar.platform,
                      mission=radar.mission, polarization=radar.polarization,
                      source=ImageSource("raster", str(image)))


def _child(sensor, folder, properties, focus_raw=False) -> dict:
    """In the child: parse with the reader and stream the image out (raw: decode it; with
    ``focus_raw`` also focus it as insarApp's formslc does); returns the numbers."""
    reader = isce.sensors.create(sensor, name="bench")
    for key, value in properties.items():
        setattr(reader, reader.parameter(key).attrname, str(Path(folder) / value))
    t0, c0 = time.perf_counter(), time.process_time()
    product = reader.parse()
    if isinstance(product, RawProduct):
        for _rows, _block in product.iter_blocks(DEFAULT_BLOCK_LINES):
            pass
    else:
        product.write(Path(folder) / "extracted.slc")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"wall_s": wall, "cpu_s": cpu, "peak_rss_mib": _status_mib("VmHWM"),
           "lines": product.length, "samples": product.width,
           "out_mb_per_s": product.length * product.width * 8 / wall / 1e6,
           "block_mib": DEFAULT_BLOCK_LINES * product.width * 8 / 2**20}
    if focus_raw and isinstance(product, RawProduct):
        slc, rc = Path(folder) / "focused.slc", Path(folder) / "focused.rc"
        t0, c0 = time.perf_counter(), time.process_time()
        focus(product, slc, rc_output=rc)              # formslc: decoding inside, as insarApp
        out.update(formslc_s=time.perf_counter() - t0, formslc_cpu_s=time.process_time() - c0,
                   formslc_peak_rss_mib=_status_mib("VmHWM"))
    return out


def _status_mib(key) -> float:
    """A /proc/self/status figure [MiB]; VmHWM is this process' peak since exec (ru_maxrss
    would carry the forked parent's peak over)."""
    with open("/proc/self/status") as fh:
        return int(fh.read().split(key + ":")[1].split()[0]) / 1024


def _floor(files) -> float:
    """Seconds to read the format's files once (the I/O floor), after dropping nothing."""
    t0 = time.perf_counter()
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass
    return time.perf_counter() - t0


def bench_sensor(sensor, scale, workdir, focus_raw=False) -> dict:
    lines, samples = (max(int(round(v * scale)), 2048) for v in FULL_SIZE[sensor])
    folder = Path(tempfile.mkdtemp(prefix=f"{sensor.lower()}_", dir=workdir))
    product = _product(sensor, folder, lines, samples)
    t0 = time.perf_counter()
    properties = load_writer(FORMATS[sensor])(product, folder, "reference")
    write_s = time.perf_counter() - t0
    (folder / "source.img").unlink()
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    subprocess.run(["sync"], check=False)
    out = folder / "child.out"
    with open(out, "w") as fh:
        proc = subprocess.Popen([sys.executable, __file__, "--child", sensor, str(folder),
                                 json.dumps(properties)] + (["--focus"] if focus_raw else []),
                                stdout=fh, stderr=subprocess.STDOUT)
        _, status, _usage = os.wait4(proc.pid, 0)
    text = out.read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{sensor}: {text[-2000:]}")
    result = json.loads(text.strip().splitlines()[-1])
    result.update(sensor=sensor, format_bytes=size, write_s=write_s,
                  floor_s=_floor(files))
    result["peak_over_block"] = result["peak_rss_mib"] / result["block_mib"]
    if "formslc_s" in result:
        result["fft_floor"] = fft_floor(result["lines"], result["samples"])
        result["formslc_over_floor"] = result["formslc_s"] / result["fft_floor"]["seconds"]
    for p in sorted(folder.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    folder.rmdir()
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full size per axis")
    ap.add_argument("--sensors", nargs="*", default=[s for s in FULL_SIZE if s in FORMATS],
                    choices=list(FULL_SIZE))
    ap.add_argument("--json", default=str(HERE / "results" / "sensor_preprocess.json"))
    ap.add_argument("--workdir", default=None, help="scratch folder (default: system temp)")
    ap.add_argument("--focus", action="store_true",
                    help="raw formats: also time formslc (focusing) against the FFT floor (a 2-D "
                         "FFT of the scene planned with FFTW MEASURE, as bench_insar_fullsize)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        sensor, folder, props = args.child
        print(json.dumps(_child(sensor, folder, json.loads(props), args.focus)))
        return 0
    rows = []
    print(f"{'sensor':18s} {'size':>13s} {'GB':>5s} {'preproc s':>9s} {'floor s':>7s} "
          f"{'MB/s':>6s} {'peak MiB':>8s} {'x block':>7s}")
    for sensor in args.sensors:
        r = bench_sensor(sensor, args.scale, args.workdir, args.focus)
        rows.append(r)
        print(f"{sensor:18s} {r['lines']:6d}x{r['samples']:<6d} {r['format_bytes'] / 1e9:5.2f} "
              f"{r['wall_s']:9.1f} {r['floor_s']:7.1f} {r['out_mb_per_s']:6.0f} "
              f"{r['peak_rss_mib']:8.0f} {r['peak_over_block']:7.1f}" + (
                  f"   formslc {r['formslc_s']:6.1f} s = {r['formslc_over_floor']:4.1f} FFT floors, "
                  f"peak {r['formslc_peak_rss_mib']:5.0f} MiB" if "formslc_s" in r else ""), flush=True)
    result = {"benchmark": "sensor_preprocess", "scale": args.scale, "cpus": os.cpu_count(),
              "block_lines": DEFAULT_BLOCK_LINES, "sensors": rows}
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
