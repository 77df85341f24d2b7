"""A glacier-like flow across a simulated speckle scene, and the true offsets it makes.

simulateApp's ``flow`` [m]: a :class:`~isce.simulate.targets.FlowSource` laid out on the
reference scene (through its centre, skewed :data:`SKEW_DEG` from the track so that it has a
range component too, :data:`WIDTH_FRACTION` of the swath wide, its speed varying along the
channel over :data:`PERIOD_FRACTION` scene lengths). The truth, ``truth/azimuth.off`` and
``truth/range.off``: true secondary line/pixel minus reference line/pixel [pixels] at every
pixel of the focused reference SLC (what insarApp's offsets estimate).
"""
from __future__ import annotations

import math
import os

import numpy as np
from scipy.ndimage import map_coordinates

import isce.io
from isce.core.ellipsoid import WGS84
from isce.geometry.rdr2geo import rdr2geo_block

from .targets import FlowSource

__all__ = ["flow_through_scene", "offset_truth", "write_offset_truth"]

SKEW_DEG = 30.0          # channel direction minus the ground track's [deg]
WIDTH_FRACTION = 0.3     # e-folding half-width / ground swath width
PERIOD_FRACTION = 1.5    # period of the speed's variation along the channel / scene length


def _ground_points(grid, orbit, dem):
    """(lat, lon) [deg] of a 3 x 3 grid over the scene (corners, edge centres, centre)."""
    coarse = grid.subsample(0, 0, (grid.length - 1) / 2, (grid.width - 1) / 2, 3, 3)
    geo = rdr2geo_block(coarse, orbit, None, dem, layers=("lon", "lat"))
    return geo["lat"], geo["lon"]


def _metres(lat0, lat, lon):
    """North, east [m] of points from the first one (flat Earth about ``lat0``)."""
    rn = WGS84.r_north(math.radians(lat0))
    re = WGS84.r_east(math.radians(lat0)) * math.cos(math.radians(lat0))
    return (np.radians(lat[1] - lat[0]) * rn, np.radians(lon[1] - lon[0]) * re)


def flow_through_scene(speed: float, grid, orbit, dem=0.0) -> FlowSource:
    """A :class:`FlowSource` of peak ``speed`` [m] through the centre of the scene ``grid``
    (zero-Doppler, seen from ``orbit`` over ``dem``)."""
    lat, lon = _ground_points(grid, orbit, dem)
    n_a, e_a = _metres(lat[1, 1], (lat[0, 1], lat[2, 1]), (lon[0, 1], lon[2, 1]))   # along track
    n_x, e_x = _metres(lat[1, 1], (lat[1, 0], lat[1, 2]), (lon[1, 0], lon[1, 2]))   # across
    track = math.degrees(math.atan2(e_a, n_a))
    return FlowSource(float(lat[1, 1]), float(lon[1, 1]), float(speed), track + SKEW_DEG,
                      WIDTH_FRACTION * math.hypot(n_x, e_x),
                      PERIOD_FRACTION * math.hypot(n_a, e_a))


def _start(focused, scene):
    """(line, pixel) of the focused grid's first pixel on the scene grid (same spacings)."""
    return ((focused.sensing_start - scene.sensing_start) * scene.prf,
            (focused.starting_range - scene.starting_range) / scene.range_pixel_spacing)


def offset_truth(lines, samples, scenes, focused):
    """(azimuth, range) true offsets [pixels] on the focused reference grid: ``lines``/
    ``samples`` are where each reference-scene pixel lands on the secondary scene grid
    (:func:`isce.simulate.distributed.pair_scenes`); ``scenes``, ``focused``: the
    (reference, secondary) scene and focused RadarGrids."""
    (a1, b1), (a2, b2) = _start(focused[0], scenes[0]), _start(focused[1], scenes[1])
    i, j = np.mgrid[0:focused[0].length, 0:focused[0].width].astype(np.float64)
    where = [i + a1, j + b1]
    az = map_coordinates(lines, where, order=1, mode="nearest") - a2 - i
    rg = map_coordinates(samples, where, order=1, mode="nearest") - b2 - j
    return az.astype(np.float32), rg.astype(np.float32)


def write_offset_truth(folder, lines, samples, scenes, focused) -> tuple[str, str]:
    """Write ``<folder>/azimuth.off`` and ``range.off`` (:func:`offset_truth`); their paths."""
    os.makedirs(folder, exist_ok=True)
    paths = (os.path.join(folder, "azimuth.off"), os.path.join(folder, "range.off"))
    for path, values in zip(paths, offset_truth(lines, samples, scenes, focused)):
        isce.io.write(path, values, image_type="offset")
    return paths
