"""A run's coregistration offsets against a simulation's true offsets (``simulateApp.py
flow=...``: ``truth/azimuth.off``, ``truth/range.off`` on the simulator's focused reference
grid, in pixels of its focused secondary grid).

The truth is carried onto the run's own grids by time and range, so it holds for any
crop of either date (``regionOfInterest``): at each pixel of the run's reference SLC, the
true secondary line/pixel is found on the simulator's grids (bilinear), turned into
zero-Doppler time and slant range, and read on the run's secondary SLC grid.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import isce.io
from isce.io.layout import StripmapLayout
from isce.sensors.product import SlcProduct

__all__ = ["true_offsets"]


def _read(path) -> np.ndarray:
    with isce.io.open(str(path)) as r:
        return np.array(r.read(), dtype=np.float64)


def _simulated_grids(simulation: Path):
    """The simulator's focused (reference, secondary) radar grids (``<pass>.slc.json``)."""
    return [SlcProduct.load(str(simulation / f"{name}.slc.json")).radar_grid
            for name in ("reference", "secondary")]


def true_offsets(workdir=".", simulation=None) -> tuple[np.ndarray, np.ndarray]:
    """(azimuth, range) true offsets [px], shape of the run's reference SLC: where each of
    its pixels lies on the run's secondary SLC, minus its own line/pixel (what the run's
    ``offsets/*.off`` and rubber sheets estimate)."""
    from scipy.ndimage import map_coordinates  # lazy: scipy costs ~0.3-0.8 s to import

    work = Path(workdir)
    sim = Path(simulation) if simulation is not None else work
    run = StripmapLayout.of_run(work)
    ref, sec = (SlcProduct.load(str(run.slc_json(r))).radar_grid for r in ("reference", "secondary"))
    tref, tsec = _simulated_grids(sim)
    lines, pixels = np.mgrid[0:ref.length, 0:ref.width].astype(np.float64)
    where = [tref.azimuth_index(ref.sensing_time(lines)),
             tref.slant_range_index(ref.slant_range(pixels))]
    az = map_coordinates(_read(sim / "truth" / "azimuth.off"), where, order=1, mode="nearest")
    rg = map_coordinates(_read(sim / "truth" / "range.off"), where, order=1, mode="nearest")
    return (sec.azimuth_index(tsec.sensing_time(where[0] + az)) - lines,
            sec.slant_range_index(tsec.slant_range(where[1] + rg)) - pixels)
