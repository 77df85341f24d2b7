"""Raw echoes cut to a region of interest before focusing (ISCE2 stripmapApp's ``cropraw``,
``StripmapProc/runCrop.py``): the pulses and samples whose focused image covers a latitude/
longitude box, so that focusing costs what the region costs, not the scene.

The box's edges are mapped (geo2rdr, zero Doppler: the focused grid's geometry) at the given
heights onto the raw data's time and range axes (:func:`isce.geometry.crop.crop_window` on the
grid of all pulses and samples), then widened

* in azimuth by the synthetic aperture the focuser needs around a zero-Doppler time
  (:func:`isce.focus.pipeline.aperture_span`, squint included; the focuser makes the lines
  whose aperture lies in the echoes) plus :data:`TAIL_LINES`, where ISCE2 adds a whole
  aperture each side;
* in range by half the chirp each side (the samples range compression needs around an
  output sample) and, on the far side, the range migration over the aperture, where ISCE2
  adds the whole pulse each side.

``margin`` (lines, pixels) widens the focused area further, e.g. the secondary date's, which
must hold the reference's region plus the misregistration search. The Doppler model, if the
metadata have one, is kept (a function of time and range); without one the focuser estimates
it from the cropped echoes (at least one aperture of pulses).

    window = raw_crop_window(raw, (s, n, w, e), heights=(100.0, 300.0))
    cropped = crop_raw(raw, window, "reference/reference_raw_crop/reference.raw")
"""
from __future__ import annotations

import math
import os
from dataclasses import replace

import numpy as np

import isce.io
from isce.core.radargrid import RadarGrid
from isce.io.blocks import block_lines_for, iter_blocks
from isce.sensors.raw import RawProduct, RawSource
from isce.geometry.crop import CropWindow, crop_window

from .pipeline import aperture_span
from .rangecomp import valid_samples

__all__ = ["raw_grid", "raw_crop_window", "crop_raw", "TAIL_LINES"]

#: pulses added each side beyond the aperture: rounding, and the aperture of the focuser's own
#: range history (fitted on the cropped echoes) against the one estimated here
TAIL_LINES = 8
#: samples added each side beyond half the chirp (and the far side's range migration)
SLACK_SAMPLES = 8


def raw_grid(raw) -> RadarGrid:
    """The zero-Doppler grid of all pulses and samples of raw echoes (a superset of the image
    focusing makes of them): line i at pulse i's time, pixel j at sample j's range."""
    return RadarGrid(raw.sensing_start, raw.reference_epoch, prf=raw.prf,
                     starting_range=raw.starting_range,
                     range_pixel_spacing=raw.range_pixel_spacing, length=raw.length,
                     width=raw.width, wavelength=raw.wavelength, look_side=raw.look_side)


def raw_crop_window(raw, bbox, heights, *, margin=(0, 0),
                    scene="the reference raw data") -> CropWindow:
    """The pulses and samples of ``raw`` (RawProduct) that focus to an image covering the box
    (S, N, W, E) [deg] at every height of ``heights`` [m], widened by ``margin`` (lines,
    pixels) of the focused image each side (module doc); clipped to the data. InputError
    when the box misses them."""
    window = crop_window(raw_grid(raw), raw.orbit, None, bbox, heights=heights, scene=scene)
    u_lo, u_hi = aperture_span(raw)
    prf = float(raw.prf)
    before = math.ceil(max(-u_lo, 0.0) * prf) + TAIL_LINES + int(margin[0])
    after = math.ceil(max(u_hi, 0.0) * prf) + TAIL_LINES + int(margin[0])
    first, _ = valid_samples(raw)                 # half the chirp
    near = first + SLACK_SAMPLES + int(margin[1])
    far = near + _migration_samples(raw, max(-u_lo, u_hi))
    return window.widened(lines=(before, after), pixels=(near, far))


def _migration_samples(raw, half_aperture: float) -> int:
    """Range samples a far-range target's echo moves over ``half_aperture`` [s] of its
    zero-Doppler time (straight flight at the orbit's speed: sqrt(R^2 + (v u)^2) - R)."""
    t_mid = float(raw.pulse_time(0.5 * (raw.length - 1)))
    _, vel = raw.orbit.interpolate(t_mid)
    speed = float(np.linalg.norm(np.reshape(vel, -1)[:3]))
    r_far = float(raw.slant_range(raw.width - 1))
    migration = math.hypot(r_far, speed * half_aperture) - r_far
    return math.ceil(migration / raw.range_pixel_spacing)


def crop_raw(raw, window: CropWindow, path) -> RawProduct:
    """Write the window's echoes of ``raw`` at ``path`` (CFLOAT raster + sidecars, block by
    block, atomic; ``<path>.json`` the metadata) and return the product reading them: the
    same radar on the window's first pulse and sample (the Doppler model, over time and
    range, is unchanged)."""
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    cols = window.cols
    block = block_lines_for(raw.width, "CFLOAT")        # the decoder reads whole lines
    with isce.io.create(path, window.width, window.length, "CFLOAT", image_type="raw") as ds:
        for out in iter_blocks(window.length, block):
            rows = slice(window.first_line + out.start, window.first_line + out.stop)
            ds.write_rows(raw.read(rows)[:, cols], out)
    attributes = {**raw.attributes, "crop_window": window.to_dict()}
    if raw.source is not None:
        attributes.setdefault("extracted_from", f"{raw.source.kind}:{raw.source.path}")
    cropped = replace(raw, sensing_start=float(raw.pulse_time(window.first_line)),
                      starting_range=float(raw.slant_range(window.first_pixel)),
                      length=window.length, width=window.width,
                      source=RawSource("raster", os.path.abspath(path)), attributes=attributes)
    cropped.save(path + ".json")
    return cropped
