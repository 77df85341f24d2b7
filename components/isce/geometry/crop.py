"""The stack's bounding box (ISCE2 stackStripMap's ``--bbox``, cropFrame.py): the lines and
pixels of the reference image that cover a latitude/longitude box, and the reference
cropped to them.

ISCE2 maps the box's corners (plus 0.02 deg) at heights -500 and 9000 m into the frame and
crops the frames to the bounding lines and pixels. Here the box's edges are mapped
(geo2rdr) at the lowest and highest DEM height over the box (0 m without a DEM), so the
window covers the box whatever the terrain, without ISCE2's margin; the window's first
and last lines and pixels are widened to whole looks of the full image, so the cropped
stack's products at looks are the same pixels as the uncropped stack's. Only the
reference is cropped: every date is resampled onto its grid.

    window = crop_window(slc.radar_grid, slc.orbit, slc.geometry_doppler, (s, n, w, e),
                         dem="dem.wgs84", looks=(4, 2))
    cropped = crop_slc(slc, window, "merged/SLC/<ref>/<ref>.slc.full")
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

import isce.io
from isce.core.ellipsoid import WGS84
from isce.framework import InputError
from isce.geometry.dem import load_dem
from isce.geometry.footprint import DEM_HEIGHT_RANGE, scene_footprint
from isce.geometry.geo2rdr import STATUS, geo2rdr_points
from isce.geometry.rdr2geo import rdr2geo_points
from isce.io.blocks import block_lines_for, iter_blocks
from isce.sensors.product import ImageSource

__all__ = ["CropWindow", "check_bbox", "box_heights", "crop_window", "covering_window", "crop_slc",
           "EDGE_POINTS"]

#: points mapped along each edge of the box (corners included)
EDGE_POINTS = 65
_OUTSIDE_ORBIT = next(k for k, v in STATUS.items() if v == "outside the orbit")


@dataclass(frozen=True)
class CropWindow:
    """Lines ``first_line .. first_line + length - 1`` and pixels ``first_pixel ..
    first_pixel + width - 1`` of an image of ``full_shape`` (length, width)."""

    first_line: int
    first_pixel: int
    length: int
    width: int
    full_shape: tuple

    @property
    def whole(self) -> bool:
        """True when the window is the whole image."""
        return (self.first_line, self.first_pixel, self.length, self.width) == \
            (0, 0, *self.full_shape)

    @property
    def rows(self) -> slice:
        return slice(self.first_line, self.first_line + self.length)

    @property
    def cols(self) -> slice:
        return slice(self.first_pixel, self.first_pixel + self.width)

    def widened(self, lines=(0, 0), pixels=(0, 0)) -> "CropWindow":
        """The window with (before, after) more ``lines`` and ``pixels``, clipped to the image."""
        first_line = max(self.first_line - int(lines[0]), 0)
        first_pixel = max(self.first_pixel - int(pixels[0]), 0)
        stop_line = min(self.first_line + self.length + int(lines[1]), self.full_shape[0])
        stop_pixel = min(self.first_pixel + self.width + int(pixels[1]), self.full_shape[1])
        return CropWindow(first_line, first_pixel, stop_line - first_line,
                          stop_pixel - first_pixel, tuple(self.full_shape))

    def to_dict(self) -> dict:
        return {"first_line": self.first_line, "first_pixel": self.first_pixel,
                "length": self.length, "width": self.width,
                "full_shape": list(self.full_shape)}

    def describe(self) -> str:
        return (f"lines {self.first_line}..{self.first_line + self.length - 1}, pixels "
                f"{self.first_pixel}..{self.first_pixel + self.width - 1} of "
                f"{self.full_shape[0]} x {self.full_shape[1]}")


def check_bbox(values) -> tuple:
    """(south, north, west, east) [deg] of an ISCE2 ``--bbox`` (S N W E); ValueError naming
    what is wrong: not 4 numbers, not finite, out of range, S >= N or W >= E (a box across
    the antimeridian is not supported, as in ISCE2)."""
    values = list(values)
    if len(values) != 4:
        raise ValueError(f"expected 4 numbers S N W E [deg], got {len(values)}")
    south, north, west, east = (float(v) for v in values)
    if not all(math.isfinite(v) for v in (south, north, west, east)):
        raise ValueError(f"S N W E must be finite numbers, got {values}")
    for name, value, limit in (("S", south, 90), ("N", north, 90), ("W", west, 180),
                               ("E", east, 180)):
        if abs(value) > limit:
            raise ValueError(f"{name} {value:g} is outside -{limit}..{limit} deg")
    if south >= north:
        raise ValueError(f"S {south:g} must be below N {north:g}")
    if west >= east:
        raise ValueError(f"W {west:g} must be west of E {east:g} (no box across the "
                         "antimeridian)")
    return south, north, west, east


def _clip_to(bbox, footprint):
    """The part (S, N, W, E) of the box inside the footprint (west, south, east, north), or None."""
    south, north, west, east = bbox
    fw, fs, fe, fn = footprint
    south, north, west, east = max(south, fs), min(north, fn), max(west, fw), min(east, fe)
    return (south, north, west, east) if south < north and west < east else None


def box_heights(bbox, dem=None) -> tuple:
    """The lowest and highest DEM height [m] over the box (S, N, W, E) [deg] (voids left
    out); ``(0.0,)`` without a DEM, or when the DEM holds no height there."""
    if not dem:
        return (0.0,)
    south, north, west, east = bbox
    try:
        heights = load_dem(dem, bbox=(west, south, east, north), margin=0.0).data
    except ValueError:                      # the DEM does not reach the box
        return (0.0,)
    valid = heights[np.isfinite(heights)]
    if not valid.size:
        return (0.0,)
    return (float(valid.min()), float(valid.max()))


def _edge_points(bbox, heights) -> np.ndarray:
    """(n, 3) longitude, latitude [rad], height [m] along the box's four edges at each height."""
    south, north, west, east = bbox
    lat = np.linspace(south, north, EDGE_POINTS)
    lon = np.linspace(west, east, EDGE_POINTS)
    edges = np.concatenate([np.stack([np.full_like(lat, west), lat], 1),
                            np.stack([np.full_like(lat, east), lat], 1),
                            np.stack([lon, np.full_like(lon, south)], 1),
                            np.stack([lon, np.full_like(lon, north)], 1)])
    return np.concatenate([np.column_stack([np.radians(edges), np.full(len(edges), h)])
                           for h in heights])


def _radar_positions(llh, grid, orbit, doppler):
    """(line, pixel) [float] of targets in ``grid``; a target beyond the orbit's ends gets
    line -inf or +inf (before or after, by its along-track side), pixel NaN."""
    epoch = grid.reference_epoch
    t, r, status = geo2rdr_points(llh, orbit, grid.wavelength, grid.look_side, doppler=doppler,
                                  epoch=epoch, threads=1)
    line = (t - grid.sensing_start) * grid.prf
    pixel = (r - grid.starting_range) / grid.range_pixel_spacing
    line[status != 0], pixel[status != 0] = np.nan, np.nan
    beyond = status == _OUTSIDE_ORBIT
    if beyond.any():
        pos, vel = orbit.interpolate(0.5 * (orbit.start_time + orbit.end_time))
        along = (WGS84.lon_lat_to_xyz(llh[beyond]) - pos) @ vel
        line[beyond] = np.where(along < 0, -np.inf, np.inf)
    return line, pixel


def _span(values, size: int, looks: int):
    """First index and count of the whole looks of ``0..size-1`` covering ``values``
    (clipped to the image); None when they miss it."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if not values.size:
        return None
    low, high = np.clip([values.min(), values.max()], -1.0, float(size))   # +-inf: an end
    first, last = max(math.floor(low), 0), min(math.ceil(high), size - 1)
    if last - first < 1:
        return None
    first = first // looks * looks
    stop = min(-(-(last + 1) // looks) * looks, size)
    return first, stop - first


def _misses(bbox, footprint, scene="the reference scene") -> InputError:
    s, n, w, e = bbox
    fw, fs, fe, fn = footprint
    return InputError(f"bounding box {s:g} {n:g} {w:g} {e:g}: misses {scene} "
                      f"(lat {fs:.4f}..{fn:.4f}, lon {fw:.4f}..{fe:.4f})")


def crop_window(grid, orbit, doppler, bbox, *, dem=None, looks=(1, 1), heights=None,
                scene="the reference scene") -> CropWindow:
    """The window of ``grid`` (a RadarGrid; ``orbit``, ``doppler`` its geometry) covering the
    box (S, N, W, E) [deg] at ``heights`` [m] (default: the DEM's lowest and highest there, 0 m
    without ``dem``), widened to whole ``looks`` (azimuth, range); the whole image when the
    box holds it. InputError (naming ``scene``) when the box misses the scene."""
    bbox = check_bbox(bbox)
    if heights is None:
        wide = scene_footprint(grid, orbit, doppler, heights=DEM_HEIGHT_RANGE if dem else (0.0,))
        clipped = _clip_to(bbox, wide)
        if clipped is None:
            raise _misses(bbox, scene_footprint(grid, orbit, doppler) if dem else wide, scene)
        heights = box_heights(clipped, dem)
    heights = tuple(float(h) for h in heights)
    footprint = scene_footprint(grid, orbit, doppler, heights=heights)
    clipped = _clip_to(bbox, footprint)
    if clipped is None:
        raise _misses(bbox, footprint, scene)
    line, pixel = _radar_positions(_edge_points(clipped, heights), grid, orbit, doppler)
    lines = _span(line, grid.length, int(looks[0]))
    pixels = _span(pixel, grid.width, int(looks[1]))
    if lines is None or pixels is None:
        raise _misses(bbox, footprint, scene)
    return CropWindow(lines[0], pixels[0], lines[1], pixels[1], (grid.length, grid.width))


def _window_edge_llh(window: CropWindow, grid, orbit, doppler, heights) -> np.ndarray:
    """(n, 3) longitude, latitude [rad], height [m] of the ground seen along the edges of
    ``window`` of ``grid`` (EDGE_POINTS per edge) on each surface h = ``heights`` [m]."""
    lines = np.linspace(window.first_line, window.first_line + window.length - 1, EDGE_POINTS)
    pixels = np.linspace(window.first_pixel, window.first_pixel + window.width - 1, EDGE_POINTS)
    edge = np.concatenate([
        np.stack([lines, np.full_like(lines, pixels[0])], 1),
        np.stack([lines, np.full_like(lines, pixels[-1])], 1),
        np.stack([np.full_like(pixels, lines[0]), pixels], 1),
        np.stack([np.full_like(pixels, lines[-1]), pixels], 1)])
    times = grid.sensing_start + edge[:, 0] / grid.prf
    ranges = grid.starting_range + edge[:, 1] * grid.range_pixel_spacing
    points = []
    for h in heights:
        llh, _ = rdr2geo_points(times, ranges, orbit, grid.wavelength, grid.look_side,
                                doppler=doppler, heights=float(h), epoch=grid.reference_epoch,
                                threads=1)
        points.append(np.column_stack([llh[:, 0], llh[:, 1], np.full(len(llh), float(h))]))
    return np.concatenate(points)


def covering_window(window: CropWindow, source, target, heights, *, margin=(0, 0),
                    scene="the secondary scene") -> CropWindow:
    """The window of the ``target`` geometry (RadarGrid, orbit, doppler) that sees the ground
    of ``window`` of the ``source`` geometry (RadarGrid, orbit, doppler) at every height of
    ``heights`` [m], widened by ``margin`` (lines, pixels) each side and clipped to the target
    image: e.g. the secondary's part of a pair whose reference is cropped. InputError
    (naming ``scene``) when it misses the target image."""
    llh = _window_edge_llh(window, *source, heights)
    grid, orbit, doppler = target
    line, pixel = _radar_positions(llh, grid, orbit, doppler)
    lines, pixels = line[~np.isnan(line)], pixel[~np.isnan(pixel)]     # +-inf: an end
    if not lines.size or not pixels.size:
        raise InputError(f"the region ({window.describe()} of the reference) is not seen by "
                         f"{scene}")
    lines = _span([lines.min() - margin[0], lines.max() + margin[0]], grid.length, 1)
    pixels = _span([pixels.min() - margin[1], pixels.max() + margin[1]], grid.width, 1)
    if lines is None or pixels is None:
        raise InputError(f"the region ({window.describe()} of the reference) lies outside "
                         f"{scene} ({grid.length} x {grid.width})")
    return CropWindow(lines[0], pixels[0], lines[1], pixels[1], (grid.length, grid.width))


def crop_slc(product, window: CropWindow, path):
    """Write the window of an SlcProduct's image at ``path`` (CFLOAT raster, block by block,
    atomic) and return the product of it: the same metadata on the window's grid."""
    rows = window.rows
    block = block_lines_for(window.width, "CFLOAT")
    with isce.io.create(str(path), window.width, window.length, "CFLOAT", image_type="slc") as ds:
        for out in iter_blocks(window.length, block):
            ds.write_rows(product.read(rows=slice(rows.start + out.start, rows.start + out.stop),
                                       cols=window.cols), out)
    grid = product.radar_grid.offset_and_resize(window.first_line, window.first_pixel,
                                                window.length, window.width)
    return replace(product, radar_grid=grid, source=ImageSource("raster", str(path)),
                   attributes={**product.attributes, "crop_window": window.to_dict()})
