"""Where a radar scene lies on the ground, and whether a DEM covers it."""
from __future__ import annotations

import math

import numpy as np

from isce.framework import InputError

from .dem import load_dem
from .demsource import open_dem
from .rdr2geo import rdr2geo_points

EDGE_SAMPLES = 16
KM_PER_DEG = 111.32  # along a meridian; east-west shrinks with cos(latitude)
#: plausible heights of the Earth's land surface [m]: the Dead Sea shore (-430 m) and Everest
#: (8849 m) above the geoid, plus up to ~110 m of geoid undulation either way (ellipsoid heights)
DEM_HEIGHT_RANGE = (-600.0, 9000.0)
#: a DEM with more voids than this share of its samples over a scene is refused (nearest-
#: neighbour filling of larger holes would invent the terrain of much of the scene)
MAX_VOID_FRACTION = 0.25


def scene_footprint(radar_grid, orbit, doppler=None, heights=(0.0,)) -> tuple[float, float, float, float]:
    """(west, south, east, north) [deg] of the grid's edges on the surfaces h = ``heights`` [m]."""
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


def _dem_bounds(dem_path):
    """(west, south, east, north) [deg] of a DEM's pixel edges, without reading it; None if unknown."""
    try:
        with open_dem(dem_path) as src:
            return tuple(float(v) for v in src.bounds)
    except Exception:  # noqa: BLE001 - only to word the error better
        return None


def _offset_words(bounds, footprint, km_lon):
    """'<d> km to the north-east' of a DEM box lying wholly apart from the footprint, else None."""
    dw, ds, de, dn = bounds
    west, south, east, north = footprint
    dy = max(ds - north, south - dn, 0.0)
    dx = max(dw - east, west - de, 0.0)
    if dx <= 0 and dy <= 0:
        return None
    ns = "north" if ds > north else "south" if dn < south else ""
    ew = "east" if dw > east else "west" if de < west else ""
    return f"{math.hypot(dx * km_lon, dy * KM_PER_DEG):.1f} km to the {'-'.join(filter(None, (ns, ew)))}"


def check_dem_heights(dem_path, heights, scene: str = "the scene") -> int:
    """Refuse (InputError) DEM samples over a scene that are all void (NaN, inf, nodata), void
    beyond MAX_VOID_FRACTION, or outside DEM_HEIGHT_RANGE [m]; return the number of voids."""
    data = np.asarray(heights)
    void = ~np.isfinite(data)
    n_void, n = int(np.count_nonzero(void)), int(data.size)
    what = f"{dem_path}: the DEM samples over {scene}"
    if n_void == n:
        raise InputError(f"{what} are all void: {n} of {n} samples are NaN, inf or the nodata "
                         "value (no height at all)")
    if n_void > MAX_VOID_FRACTION * n:
        raise InputError(f"{what} are {100 * n_void / n:.1f} % void ({n_void} of {n} samples NaN, "
                         f"inf or nodata; at most {100 * MAX_VOID_FRACTION:g} % are filled)")
    valid = data[~void]
    lo, hi = DEM_HEIGHT_RANGE
    bad = (valid < lo) | (valid > hi)
    if bad.any():
        raise InputError(f"{what} hold {int(np.count_nonzero(bad))} of {n} heights outside "
                         f"{lo:g}..{hi:g} m (found {float(valid.min()):.6g}..{float(valid.max()):.6g} "
                         "m): not heights in metres of the Earth's surface (or an unset nodata value?)")
    return n_void


def check_dem_coverage(dem_path, footprint, margin: float = 0.0, scene: str = "the scene") -> int:
    """Raise InputError saying by how much the DEM misses the footprint (deg and km), or
    (:func:`check_dem_heights`) when its samples there are void or not plausible heights.

    ``scene`` names the footprint in the message (e.g. "the centre of the raw scene").
    Returns the number of void samples over the footprint (to be filled)."""
    west, south, east, north = footprint
    km_lon = KM_PER_DEG * math.cos(math.radians((south + north) / 2))
    need = f"{scene} needs lon {west:.4f}..{east:.4f}, lat {south:.4f}..{north:.4f}"
    try:
        dem = load_dem(dem_path, bbox=footprint, margin=margin)
    except FileNotFoundError:
        raise InputError(f"{dem_path}: DEM not found") from None
    except InputError:
        raise
    except ValueError as exc:
        bounds = _dem_bounds(dem_path)
        where = _offset_words(bounds, footprint, km_lon) if bounds else None
        if where:
            dw, ds, de, dn = bounds
            raise InputError(f"{dem_path}: the DEM (lon {dw:.4f}..{de:.4f}, lat {ds:.4f}..{dn:.4f}) "
                             f"does not overlap {scene}: it lies {where} of it; {need}") from None
        if "cover" not in str(exc):
            why = str(exc).removeprefix(f"{dem_path}: ")
            raise InputError(f"{dem_path}: cannot use the DEM: {why}") from None
        raise InputError(f"{dem_path}: the DEM does not overlap {scene}; {need}") from None
    dw, ds, de, dn = dem.bounds
    short = {"west": (dw - west) * km_lon, "east": (east - de) * km_lon,
             "south": (ds - south) * KM_PER_DEG, "north": (north - dn) * KM_PER_DEG}
    missing = {side: km for side, km in short.items() if km > 0}
    if missing:
        sides = ", ".join(f"{km:.2f} km on the {side}" for side, km in missing.items())
        raise InputError(f"{dem_path}: the DEM (lon {dw:.4f}..{de:.4f}, lat {ds:.4f}..{dn:.4f}) does "
                         f"not cover {scene}: short by {sides}; {need}")
    return check_dem_heights(dem_path, dem.data, scene)
