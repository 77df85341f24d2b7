"""insarApp's split-spectrum ionosphere against a simulation's truth (``simulateApp.py
ionosphere=...``: ``truth/dispersive.rdr`` on the reference scene's grid).

* **dispersive phase**: ``ionosphere/dispersive.bil.unwCor.filt`` against the truth at the
  interferogram's looks (bilinear from the truth's grid by zero-Doppler time and slant
  range), one constant removed (the absolute phase is unknown), over the mask the
  ionosphere step trusted: ``dispersive_rmse_rad`` and its ratio to the screen's standard
  deviation over the same pixels;
* **corrected displacement**: ``filt_topophase.unw - dispersive`` and the uncorrected
  ``filt_topophase.unw`` compared with the deformation truth
  (:func:`isce.quality.truth.compare_with_truth`): both LOS RMSEs and their ratio; and the
  filtered non-dispersive phase ``nondispersive.bil.unwCor.filt`` read as a displacement.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

import isce.io
from isce.core.radargrid import RadarGrid
from isce.io.layout import StripmapLayout
from isce.sensors.product import SlcProduct

from .truth import compare_with_truth

__all__ = ["dispersive_truth", "compare_ionosphere"]


def _read(path, band=None) -> np.ndarray:
    return np.array(isce.io.open(str(path)).read(band=band), dtype=np.float64)


def dispersive_truth(workdir, simulation, shape, looks) -> np.ndarray:
    """The simulated dispersive phase [rad] on the run's interferogram grid of ``shape``
    (looked pixels) and ``looks`` (azimuth, range)."""
    from scipy.ndimage import map_coordinates  # lazy: scipy costs ~0.3-0.8 s to import

    sim = Path(simulation)
    record = json.loads((sim / "simulation.json").read_text()).get("ionosphere")
    if not record:
        raise ValueError(f"{sim}: the simulation has no ionosphere (simulateApp ionosphere=0)")
    tg = RadarGrid.from_dict(record["grid"])
    truth = _read(sim / record["truth"])
    ref = SlcProduct.load(str(StripmapLayout.of_run(Path(workdir)).slc_json("reference")))
    g = ref.radar_grid
    az, rg = looks
    lines = np.arange(shape[0]) * az + 0.5 * (az - 1)
    pixels = np.arange(shape[1]) * rg + 0.5 * (rg - 1)
    rows, cols = np.meshgrid(tg.azimuth_index(g.sensing_time(lines)),
                             tg.slant_range_index(g.slant_range(pixels)), indexing="ij")
    return map_coordinates(truth, [rows, cols], order=1, mode="nearest")


def _write_unw(run, phase, folder, name) -> str:
    """``phase`` [rad] as an unwrapped interferogram (2-band BIL, ``filt_topophase.unw``'s
    amplitude, no-data and conncomp) in ``folder``: what compare_with_truth reads."""
    unw = np.array(isce.io.open(str(run.filt_topophase_unw)).read(), dtype=np.float32)
    unw[1] = np.where(unw[1] != 0, phase, 0.0)
    out = Path(folder) / name
    isce.io.write_raster(str(out), unw, scheme="BIL")
    comp = np.array(isce.io.open(f"{run.filt_topophase_unw}.conncomp").read())
    isce.io.write_raster(f"{out}.conncomp", comp)
    return os.fspath(out)


def compare_ionosphere(workdir=".", simulation=None) -> dict:
    """Truth comparison of the ionosphere step of an insarApp run in ``workdir`` on a
    simulated pair (``simulation``: the folder with simulation.json, default ``workdir``).
    Returns the measures of the module doc (rad, m)."""
    work = Path(workdir)
    sim = Path(simulation) if simulation is not None else work
    run = StripmapLayout.of_run(work)
    looks = json.loads((work / "report.json").read_text())["looks"]
    estimate = _read(run.ionosphere("dispersive.bil.unwCor.filt"))
    mask = _read(run.ionosphere("mask.bil")) > 0
    truth = dispersive_truth(work, sim, estimate.shape, looks)
    diff = estimate - truth
    diff -= np.mean(diff[mask])
    rmse = float(np.sqrt(np.mean(diff[mask] ** 2)))
    screen = float(np.std(truth[mask]))
    full = _read(run.filt_topophase_unw, band=1)
    nondispersive = _read(run.ionosphere("nondispersive.bil.unwCor.filt"))
    with tempfile.TemporaryDirectory() as scratch:
        corrected = _write_unw(run, full - estimate, scratch, "corrected.unw")
        alone = _write_unw(run, nondispersive, scratch, "nondispersive.unw")
        before = compare_with_truth(work, sim, unwrapped="filt_topophase.unw")
        after = compare_with_truth(work, sim, unwrapped=corrected)
        nd = compare_with_truth(work, sim, unwrapped=alone)
    b, a = before["los_displacement_rmse_m"], after["los_displacement_rmse_m"]
    return {"dispersive_rmse_rad": rmse, "screen_std_rad": screen,
            "dispersive_rmse_fraction": rmse / screen if screen > 0 else float("inf"),
            "mask_fraction": float(mask.mean()),
            "uncorrected_los_rmse_m": b, "corrected_los_rmse_m": a,
            "improvement": b / a if a > 0 else float("inf"),
            "nondispersive_los_rmse_m": nd["los_displacement_rmse_m"],
            "pixels_compared": after["pixels_compared"],
            "truth_los_range_m": after["truth_los_range_m"]}
