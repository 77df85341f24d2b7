"""Small, independent readers of the golden test products of the real test data.

Only what the geometry tests need: the metadata of a NISAR-layout RSLC
(``envisat.h5``, ``winnipeg.h5``) read with h5py directly (group ``SLC`` or
``RSLC``), and the ISCE3 point files of ``envisat/points``. Kept apart from
``isce.sensors`` on purpose, so a bug there cannot hide one in geometry.

    meta = read_rslc_metadata(shared_data("envisat", "envisat.h5"))
    meta.orbit, meta.radar_grid, meta.doppler (LUT2d, bilinear, bounds_error),
    meta.wavelength, meta.look_side ('left'/'right'), meta.epoch (DateTime)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.lut import LUT2d
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime, epoch_from_units

__all__ = ["RslcMetadata", "read_rslc_metadata", "read_points_input", "read_points_output"]


def _text(value) -> str:
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        value = bytes(value).decode("utf-8", "replace")
    return str(value).strip().strip("\x00").strip()


@dataclass
class RslcMetadata:
    path: Path
    epoch: DateTime          # epoch of the radar grid (swaths/zeroDopplerTime units)
    radar_grid: RadarGrid
    orbit: Orbit             # its own epoch (metadata/orbit/time units)
    doppler: LUT2d           # y: zero-Doppler time [s since `epoch`], x: slant range [m]
    wavelength: float
    look_side: str


def read_rslc_metadata(path) -> RslcMetadata:
    """Radar grid, orbit and Doppler LUT of a NISAR-layout RSLC (h5py only)."""
    import h5py

    path = Path(path)
    with h5py.File(path, "r") as h5:
        lsar = h5["science/LSAR"]
        group = "RSLC" if "RSLC" in lsar else "SLC"
        root = lsar[group]
        swath = root["swaths"]
        zdt = swath["zeroDopplerTime"]
        epoch = epoch_from_units(zdt.attrs["units"])
        t = np.asarray(zdt[()], dtype=np.float64)
        dt = float(np.asarray(swath["zeroDopplerTimeSpacing"][()]).reshape(-1)[0])
        freq = swath["frequencyA"]
        rng = np.asarray(freq["slantRange"][()], dtype=np.float64)
        drg = float(np.asarray(freq["slantRangeSpacing"][()]).reshape(-1)[0])
        fc = float(np.asarray(freq["processedCenterFrequency"][()]).reshape(-1)[0])
        side = _text(lsar["identification/lookDirection"][()]).lower()

        orb = root["metadata/orbit"]
        otime = orb["time"]
        orbit = Orbit(np.asarray(otime[()], dtype=np.float64),
                      np.asarray(orb["position"][()], dtype=np.float64),
                      np.asarray(orb["velocity"][()], dtype=np.float64),
                      epoch_from_units(otime.attrs["units"]).to_datetime64())

        par = root["metadata/processingInformation/parameters"]
        fpar = par["frequencyA"]
        axes = fpar if "zeroDopplerTime" in fpar else par
        dtime = axes["zeroDopplerTime"]
        dshift = 0.0
        if "units" in dtime.attrs:
            dshift = (epoch_from_units(dtime.attrs["units"]) - epoch).total_seconds()
        doppler = LUT2d(np.asarray(axes["slantRange"][()], dtype=np.float64),
                        np.asarray(dtime[()], dtype=np.float64) + dshift,
                        np.asarray(fpar["dopplerCentroid"][()], dtype=np.float64),
                        method="bilinear", bounds_error=True)

    wavelength = SPEED_OF_LIGHT / fc
    grid = RadarGrid(float(t[0]), epoch, az_time_interval=dt, starting_range=float(rng[0]),
                     range_pixel_spacing=drg, length=len(t), width=len(rng),
                     wavelength=wavelength, look_side=side)
    return RslcMetadata(path, epoch, grid, orbit, doppler, wavelength, side)


def read_points_input(path):
    """``points/input_data.txt``: (ISO times [str], slant ranges [m], heights [m])."""
    times, ranges, heights = [], [], []
    for line in Path(path).read_text().split("\n"):
        parts = line.split()
        if not parts:
            continue
        times.append(parts[0])
        ranges.append(float(parts[1]))
        heights.append(float(parts[2]))
    return times, np.array(ranges), np.array(heights)


def read_points_output(path):
    """``points/output_data*.txt``: array (n, 3) of lat [deg], lon [deg], h [m]."""
    return np.loadtxt(path, dtype=np.float64).reshape(-1, 3)
