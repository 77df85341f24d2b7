"""stripmapApp's region of interest: ``cropraw`` and ``cropslc`` cut both dates to
``regionOfInterest`` (S, N, W, E) before focusing and topo, so a run costs what its region
costs (ISCE2 ``StripmapProc/runCrop.py``). Off unless ``regionOfInterest`` is set.

* ``cropraw`` (raw dates only): each date's pulses and samples that focus to the region, in
  its own geometry (:func:`isce.focus.crop.raw_crop_window`: the synthetic aperture and the
  chirp around it), to ``<OUTPUT>_raw_crop/<name>.raw``; formslc focuses those.
* ``cropslc`` (every run with a region): the reference's lines and pixels covering the
  region, widened to whole looks (:func:`isce.geometry.crop.crop_window`), to
  ``<OUTPUT>_slc_crop/<name>.slc``; the secondary's that see the same ground
  (:func:`isce.geometry.crop.covering_window`) plus :data:`SECONDARY_MARGIN`. topo, geo2rdr and
  every later step see only these.

The region's edges are mapped exactly at ``height range`` [m], else at the DEM's lowest and
highest heights over the region (geoid heights made ellipsoid heights with the geoid there, as
verifyDEM will; ``dem reference`` says which), else at 0 m; ISCE2 maps the corners plus 0.02 deg at -500
and 9000 m. ``regionOfInterest`` is also the geocoded area when no ``geocode bounding box``
is given (the geocode step).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from isce.dem.dem import vertical_reference
from isce.dem.geoid import GeoidUnavailable, geoid_undulation
from isce.focus.crop import crop_raw, raw_crop_window
from isce.framework import ConfigurationError, Parameter, Step
from isce.geometry.footprint import DEM_HEIGHT_RANGE
from isce.sensors.raw import RawProduct
from isce.geometry.crop import box_heights, covering_window, crop_slc, crop_window

from . import insar_settings
from .insar_common import LOOKS, RUN, looks, outputs_removed_on_failure, skipping, slc_product

PARAMETERS = (
    Parameter("height_range", public_name="height range", type=float, container=list,
              default=None, units="m",
              doc="Lowest and highest terrain height [m] the region of interest is mapped "
              "at when cropping; default: the DEM's over the region (0 m without a DEM)."),
)

#: [m] the most EGM96 geoid heights differ from ellipsoid heights: the widening of a geoid DEM's
#: heights over the region when no geoid model is available
GEOID_MARGIN_M = 110.0
#: focused lines and pixels the secondary keeps around the ground of the reference's region:
#: the misregistration search (8 by default), the resampler's kernel and a residual shift
SECONDARY_MARGIN = 32


def check_settings(app) -> None:
    """``height range``: two heights [m], the lowest first, within the Earth's (configuring)."""
    hr = app.height_range
    if hr is None:
        return
    name = app.parameter("height_range").public_name
    where = {"source": app.source_of("height_range"), "path": f"{app.config_path}.{name}"}
    if len(hr) != 2 or not hr[0] <= hr[1]:
        raise ConfigurationError(f"needs the lowest and the highest height [m], lowest first, "
                                 f"got {hr}", **where)
    lo, hi = DEM_HEIGHT_RANGE
    if hr[0] < lo or hr[1] > hi:
        raise ConfigurationError(f"{hr[0]:g}..{hr[1]:g} m is outside the Earth's surface "
                                 f"({lo:g}..{hi:g} m): heights in metres", **where)


def region_heights(ctx) -> tuple:
    """Heights [m] above the ellipsoid the region's edges are mapped at (module doc)."""
    if ctx.params.height_range:
        return tuple(float(h) for h in ctx.params.height_range)
    roi, dem = ctx.params.roi, ctx.params.dem
    heights = box_heights(roi, dem)
    if len(heights) == 1:             # no DEM (or none there): 0 m, as topo will take it
        return heights
    ctx.add_input(dem)
    if vertical_reference(dem, ctx.params.dem_reference)[0] == "WGS84":
        return heights
    south, north, west, east = roi
    try:                              # geoid heights: h = H + N over the region
        n = geoid_undulation(*np.meshgrid(np.linspace(south, north, 5), np.linspace(west, east, 5)))
        return heights[0] + float(np.min(n)), heights[1] + float(np.max(n))
    except GeoidUnavailable as exc:
        ctx.log.warning("%s: %s: the region's heights widened by %g m each way", ctx.step.name,
                        exc, GEOID_MARGIN_M)
        return heights[0] - GEOID_MARGIN_M, heights[1] + GEOID_MARGIN_M


def crop_stem(reader, role: str) -> Path:
    """What the crops are named after: a stem ``OUTPUT`` (stripmapApp's use, ISCE2's
    ``<OUTPUT>_raw_crop/<OUTPUT>.raw``), else the date's SLC without its suffix
    (``reference/reference`` -> ``reference/reference_slc_crop/reference.slc``)."""
    output = getattr(reader, "output", None)
    if output and Path(output).suffix.lower() not in (".raw", ".slc"):
        return Path(output)
    return insar_settings.slc_path(reader, role).with_suffix("")


def _margin(role: str) -> tuple:
    return (0, 0) if role == "reference" else (SECONDARY_MARGIN, SECONDARY_MARGIN)


def cropraw(ctx):
    """Cut raw dates to the region of interest (and the synthetic aperture around it)."""
    if not ctx.params.roi or not ctx.state.raw:
        skipping(ctx, "no regionOfInterest" if not ctx.params.roi else "no raw date")
        return
    heights = region_heights(ctx)
    with outputs_removed_on_failure(ctx):
        for role, record in ctx.state.raw.items():
            raw = RawProduct.from_dict(record)
            window = raw_crop_window(raw, ctx.params.roi, heights, margin=_margin(role),
                                     scene=f"the {role} raw data")
            if window.whole:
                ctx.log.info("cropraw: %s: the region needs all its pulses and samples", role)
                continue
            path = RUN.raw_crop(crop_stem(getattr(ctx.params, role), role))
            for out in (path, f"{path}.json"):
                ctx.add_output(out)
            ctx.state.raw[role] = crop_raw(raw, window, path).to_dict()
            ctx.log.info("cropraw: %s: pulses %s at %s m -> %s", role, window.describe(),
                         "/".join(f"{h:g}" for h in heights), path)


def cropslc(ctx):
    """Cut the focused dates to the region of interest."""
    if not ctx.params.roi:
        skipping(ctx, "no regionOfInterest")
        return
    heights = region_heights(ctx)
    ref, sec = slc_product(ctx, "reference"), slc_product(ctx, "secondary")
    ref_geometry = (ref.radar_grid, ref.orbit, ref.geometry_doppler)
    window = crop_window(*ref_geometry, ctx.params.roi, heights=heights, looks=looks(ctx))
    windows = {"reference": window,
               "secondary": covering_window(window, ref_geometry,
                                            (sec.radar_grid, sec.orbit, sec.geometry_doppler),
                                            heights, margin=_margin("secondary"))}
    with outputs_removed_on_failure(ctx):
        for role, product in (("reference", ref), ("secondary", sec)):
            window = windows[role]
            if window.whole:
                ctx.log.info("cropslc: %s: the region needs the whole image", role)
                continue
            path = RUN.slc_crop(crop_stem(getattr(ctx.params, role), role))
            path.parent.mkdir(parents=True, exist_ok=True)
            for out in (path, f"{path}.json"):
                ctx.add_output(out)
            cropped = crop_slc(product, window, path)
            cropped.save(f"{path}.json")
            ctx.state.slc[role] = cropped.to_dict()
            ctx.log.info("cropslc: %s: %s -> %s", role, window.describe(), path)


ROI = ("regionOfInterest", "height range")
DATES = ("Reference", "Secondary")                   # their OUTPUT names the crops
#: the steps read these without depending on them: a changed DEM or looks keeps the crops
#: (they only widen or align the windows), the readers' OUTPUT restarts preprocess anyway
CHECKS = ("demFilename", "dem reference", *DATES)
#: the stages this module defines, by ISCE2 step name
STEPS = {
    "cropraw": Step("cropraw", cropraw, cropraw.__doc__.splitlines()[0], uses=ROI,
                    checks=CHECKS),
    "cropslc": Step("cropslc", cropslc, cropslc.__doc__.splitlines()[0], uses=ROI,
                    checks=(*CHECKS, *LOOKS)),
}
