"""Where a radar scene lies on the ground, and whether a DEM covers it."""
from __future__ import annotations

import math

import numpy as np

from isce.framework import InputError

EDGE_SAMPLES = 16
KM_PER_DEG = 111.32  # along a meridian; east-west shrinks with cos(latitude)


def scene_footprint(radar_grid, orbit, doppler=None, heights=(0.0,)) -> tuple[float, float, float, float]:
    """(west, south, east, north) [deg] of the grid's edges on the surfaces h = ``heights`` [m]."""
    from .rdr2geo import rdr2geo_points

    n = EDGE_SAMPLES
    lines = np.linspace(0, radar_grid.length - 1, n)
    pixels = np.linspace(0, radar_grid.width - 1, n)
    edge = np.concatenate([
        np.stack([lines, np.zeros(n)], 1), np.stack([lines, np.full(n, pixels[-1])], 1),
        np.stack([np.zeros(n), pixels], 1), np.stack([np.full(n, lines[-1]), pixels], 1)])
    times = radar_grid.sensing_start + edge[:, 0] / radar_grid.prf
    ranges = radar_grid.starting_range + edge[:, 1] * radar_grid.range_pixel_spacing
    lon, lat = [], []
    for h in heights:
        llh, _ = rdr2geo_points(times, ranges, orbit, radar_grid.wavelength, radar_grid.look_side,
                                doppler=doppler, heights=h, epoch=radar_grid.reference_epoch)
        lon.append(np.degrees(llh[:, 0]))
        lat.append(np.degrees(llh[:, 1]))
    lon, lat = np.concatenate(lon), np.concatenate(lat)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise InputError("the scene's edges have no solution on the ellipsoid (orbit or grid wrong?)")
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def check_dem_coverage(dem_path, footprint, margin: float = 0.0) -> None:
    """Raise InputError saying by how much the DEM misses the footprint (deg and km)."""
    from .dem import load_dem

    west, south, east, north = footprint
    try:
        dem = load_dem(dem_path, bbox=footprint, margin=margin)
    except ValueError:
        dem = None
    need = f"the scene needs lon {west:.4f}..{east:.4f}, lat {south:.4f}..{north:.4f}"
    if dem is None:
        raise InputError(f"{dem_path}: the DEM does not overlap the scene; {need}")
    dw, ds, de, dn = dem.bounds
    km_lon = KM_PER_DEG * math.cos(math.radians((south + north) / 2))
    short = {"west": (dw - west) * km_lon, "east": (east - de) * km_lon,
             "south": (ds - south) * KM_PER_DEG, "north": (north - dn) * KM_PER_DEG}
    missing = {side: km for side, km in short.items() if km > 0}
    if missing:
        sides = ", ".join(f"{km:.2f} km on the {side}" for side, km in missing.items())
        raise InputError(f"{dem_path}: the DEM (lon {dw:.4f}..{de:.4f}, lat {ds:.4f}..{dn:.4f}) does "
                         f"not cover the scene: short by {sides}; {need}")
