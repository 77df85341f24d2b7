"""stripmapApp's dense offsets and rubber-sheeting: ``dense_offsets`` (ampcor on a dense
grid), ``rubber_sheet_range``/``rubber_sheet_azimuth`` (the filtered dense field added to
the refined offsets), ``fine_resample`` (the secondary resampled with them) and
``geocodeoffsets``. ISCE2 ``StripmapProc/runDenseOffsets.py``, ``runRubbersheet*.py``,
``runResampleSlc.py`` ('fine'), ``runGeocode.py`` (offset mode). All off by default.

ISCE2's meanings, with two of its slips fixed: dense offsets run when ``do denseoffsets`` or
either rubber-sheeting switch is on (ISCE2 skipped them for range alone, then read a missing
file), and the direction not rubber-sheeted keeps the refined (geometry + misregistration)
offsets in ``fine_resample`` (ISCE2 read an absent azimuth sheet for range alone). The dense
field reaches every pixel by a spline through the true window centres
(:mod:`isce.offsets.rubbersheet`), not ISCE2's nearest-neighbour ``gdal_translate``. The
interferogram takes ``fine_coreg.slc`` when a rubber switch is on; its flat-Earth and
topographic phase stays that of the geometry offsets (``offsets/range.off``), as ISCE2's
``compute_FlatEarth`` does.
"""
from __future__ import annotations

from pathlib import Path

import isce.io
from isce.framework import InputError, Parameter, Step
from isce.geometry.geocode import geocode
from isce.offsets.ampcor import ampcor, write_dense
from isce.offsets.rubbersheet import DenseGrid, filter_dense, write_sheet
from isce.sensors.raw import RawProduct

from . import insar_settings
from .insar_common import (RUN, geocode_posting, outputs_removed_on_failure, reads,
                           resample_secondary, skipping, slc_product)

MIN_WINDOW = insar_settings.MIN_WINDOW   # pixels: ampcor's smallest window

PARAMETERS = (
    Parameter("do_dense_offsets", public_name="do denseoffsets", type=bool, default=False,
              doc="Dense ampcor offsets of the refined coregistered secondary against the "
              "reference (denseOffsets/denseOffsets.bil, _snr.bil, _cov.bil), geocoded by "
              "geocodeoffsets."),
    Parameter("dense_window_width", public_name="dense window width", type=int, default=64,
              units="pixels", doc="Dense offsets: ampcor window across (range)."),
    Parameter("dense_window_height", public_name="dense window height", type=int, default=64,
              units="lines", doc="Dense offsets: ampcor window down (azimuth)."),
    Parameter("dense_search_width", public_name="dense search width", type=int, default=20,
              units="pixels", doc="Dense offsets: search half-range across, each side."),
    Parameter("dense_search_height", public_name="dense search height", type=int, default=20,
              units="lines", doc="Dense offsets: search half-range down, each side."),
    Parameter("dense_skip_width", public_name="dense skip width", type=int, default=32,
              units="pixels", doc="Dense offsets: spacing of the windows across."),
    Parameter("dense_skip_height", public_name="dense skip height", type=int, default=32,
              units="lines", doc="Dense offsets: spacing of the windows down."),
    Parameter("do_rubbersheeting_azimuth", public_name="do rubbersheetingAzimuth", type=bool,
              default=False, doc="Rubber-sheet the azimuth offsets: refined offsets plus the filtered "
              "dense field (offsets/azimuth_sheet.off), used by fine_resample."),
    Parameter("do_rubbersheeting_range", public_name="do rubbersheetingRange", type=bool,
              default=False, doc="Rubber-sheet the range offsets (offsets/range_sheet.off), used by "
              "fine_resample; the interferogram's geometric phase stays the geometry offsets'."),
    Parameter("rubber_sheet_snr", public_name="rubber sheet SNR Threshold", type=float,
              default=5.0, units="-", doc="Azimuth rubber-sheeting alone: dense offsets of a lower "
              "SNR are masked and filled from the nearest window (with range rubber-sheeting "
              "on, ISCE2 masks offsets more than 3 px from the median instead)."),
    Parameter("rubber_sheet_filter_size", public_name="rubber sheet filter size", type=int,
              default=9, units="windows", doc="Rubber-sheeting: median filter size, in dense "
              "offsets."),
    Parameter("offset_geocode_list", public_name="offset geocode list", type=str,
              container=list, default=None,
              doc="Dense-offset products geocodeoffsets geocodes; default: the dense offsets "
              "and their SNR."),
)

DENSE = ("do denseoffsets", "dense window width", "dense window height", "dense search width",
         "dense search height", "dense skip width", "dense skip height")
RUBBER = ("do rubbersheetingAzimuth", "do rubbersheetingRange", "rubber sheet SNR Threshold",
          "rubber sheet filter size")


SWITCHES = ("do rubbersheetingAzimuth", "do rubbersheetingRange")
#: the settings checked against the reference scene in preprocess
SCENE_CHECKS = ("do denseoffsets", *SWITCHES, "dense window width", "dense window height",
                "dense search width", "dense search height")


# ----------------------------------------------------------------------------- settings
def dense_requested(params) -> bool:
    """Dense offsets run for ``do denseoffsets`` or either rubber-sheeting switch."""
    return bool(params.do_dense_offsets or params.do_rubbersheeting_azimuth
                or params.do_rubbersheeting_range)


def rubber_sheeting(params) -> bool:
    """Whether fine_resample runs (either rubber-sheeting switch, ISCE2's rule)."""
    return bool(params.do_rubbersheeting_azimuth or params.do_rubbersheeting_range)


def resampling_offsets(params) -> tuple[Path, Path]:
    """(azimuth, range) offset rasters [px] the secondary is resampled with: the rubber
    sheet of each direction rubber-sheeted, else the refined (geometry + misregistration)
    offsets. fine_resample and the sub-bands (ISCE2's runResampleSubbandSlc) use them."""
    refined = RUN.refined_offsets_dir
    az = RUN.sheet_offsets("az") if params.do_rubbersheeting_azimuth else RUN.azimuth_offsets(refined)
    rg = RUN.sheet_offsets("rg") if params.do_rubbersheeting_range else RUN.range_offsets(refined)
    return az, rg


def coregistered_secondary(params) -> Path:
    """The secondary the interferogram takes: fine_coreg.slc after rubber-sheeting, else
    refined_coreg.slc."""
    return RUN.fine_coreg if rubber_sheeting(params) else RUN.refined_coreg


def check_settings(app) -> None:
    """Configuration: dense windows of at least ampcor's 4 pixels, searches and skips of at
    least 1 pixel, an SNR threshold >= 0, a median filter of at least 1 window."""
    least = (("dense_window_width", MIN_WINDOW), ("dense_window_height", MIN_WINDOW),
             ("dense_search_width", 1), ("dense_search_height", 1), ("dense_skip_width", 1),
             ("dense_skip_height", 1), ("rubber_sheet_filter_size", 1))
    for attr, low in least:
        value = getattr(app, attr)
        if value < low:
            raise insar_settings._error(app, attr, f"must be at least {low} "
                                        f"({app.parameter(attr).units}), got {value}")
    if not app.rubber_sheet_snr >= 0:
        raise insar_settings._error(app, "rubber_sheet_snr",
                                    f"must be 0 or more, got {app.rubber_sheet_snr}")


def check_scene(app, product) -> None:
    """Preprocess (and dense_offsets, on the focused size): a dense window with its search
    each side must fit the reference image, when dense offsets will run."""
    if not dense_requested(app):
        return
    lines, pixels = insar_settings.image_size_bound(product)
    for w_attr, s_attr, n, what in (("dense_window_height", "dense_search_height", lines, "lines"),
                                    ("dense_window_width", "dense_search_width", pixels, "pixels")):
        need = getattr(app, w_attr) + 2 * getattr(app, s_attr)
        if need > n:
            raise insar_settings._error(
                app, w_attr, f"a {getattr(app, w_attr)}-pixel dense window with a "
                f"{getattr(app, s_attr)}-pixel search each side needs {need} {what}, but the "
                f"reference image {insar_settings.product_file(product)} has "
                f"{'at most ' if isinstance(product, RawProduct) else ''}"
                f"{n} {what}: no dense window would fit")


# ----------------------------------------------------------------------------- steps
def dense_offsets(ctx):
    """Dense ampcor offsets of the coregistered secondary against the reference."""
    p = ctx.params
    ctx.state.dense = None
    if not dense_requested(p):
        skipping(ctx, "do denseoffsets and rubber-sheeting are off")
        return
    ref = slc_product(ctx, "reference")
    check_scene(p, ref)
    reads(ctx, ref.source.path, RUN.refined_coreg)
    field = ampcor(ref.source.path, str(RUN.refined_coreg),
                   window=(p.dense_window_height, p.dense_window_width),
                   search=(p.dense_search_height, p.dense_search_width),
                   skip=(p.dense_skip_height, p.dense_skip_width), progress=True)
    if not len(field):
        raise InputError(f"dense offsets: no window fits the {ref.length} x {ref.width} image")
    RUN.dense_offsets().parent.mkdir(parents=True, exist_ok=True)
    with outputs_removed_on_failure(ctx):
        for path in write_dense(field, str(RUN.dense_offsets())[:-len(".bil")]):
            ctx.add_output(path)
    rows, cols = field.grid_shape
    lines, pixels = field.grid("line")[:, 0], field.grid("pixel")[0]
    grid = DenseGrid(lines[0], pixels[0], p.dense_skip_height, p.dense_skip_width, (rows, cols))
    ctx.state.dense = {"grid": grid.to_dict(), "windows": len(field),
                       "valid": int(field.valid.sum()),
                       "above_snr": int((field.snr >= p.rubber_sheet_snr).sum())}
    ctx.log.info("dense offsets: %d x %d windows (%d with an offset, %d of SNR >= %g) from "
                 "line %.1f pixel %.1f every %d x %d", rows, cols, ctx.state.dense["valid"],
                 ctx.state.dense["above_snr"], p.rubber_sheet_snr, lines[0], pixels[0],
                 p.dense_skip_height, p.dense_skip_width)


def _filtered(ctx, component):
    """The dense ``az``/``rg`` offsets cleaned as ISCE2 does (SNR mask for azimuth alone,
    else the distance from the median; median filter) [pixels]."""
    p = ctx.params
    reads(ctx, RUN.dense_offsets(), RUN.dense_offsets("_snr"))
    with isce.io.open(str(RUN.dense_offsets())) as off:
        az, rg = off.read(band=0).copy(), off.read(band=1).copy()
    with isce.io.open(str(RUN.dense_offsets("_snr"))) as raster:
        snr = raster.read().copy()
    values, other = (az, rg) if component == "az" else (rg, az)
    size = p.rubber_sheet_filter_size
    try:
        if component == "az" and not p.do_rubbersheeting_range:
            return filter_dense(values, snr=snr, snr_threshold=p.rubber_sheet_snr, size=size)
        return filter_dense(values, other=other, size=size)
    except ValueError as exc:
        raise InputError(f"rubber-sheeting: {RUN.dense_offsets()}: {exc}") from None


def _rubber_sheet(ctx, component):
    """filt{Azimuth,Range}.off (the cleaned dense field) and {azimuth,range}_sheet.off (the
    refined offsets plus that field at every pixel)."""
    grid = DenseGrid.from_dict(ctx.state.dense["grid"])
    filtered = _filtered(ctx, component)
    base = (RUN.azimuth_offsets if component == "az" else RUN.range_offsets)(RUN.refined_offsets_dir)
    reads(ctx, base)
    with outputs_removed_on_failure(ctx):
        ctx.add_output(RUN.filtered_dense(component))
        isce.io.write(str(RUN.filtered_dense(component)), filtered.astype("float32"),
                      image_type="offset", extra={k: v for k, v in grid.to_dict().items() if k != "shape"})
        ctx.add_output(RUN.sheet_offsets(component))
        write_sheet(RUN.sheet_offsets(component), filtered, grid, str(base))
    ctx.log.info("%s: %s, %s (filtered dense offsets %.3f .. %.3f px)", ctx.step.name,
                 RUN.filtered_dense(component), RUN.sheet_offsets(component),
                 filtered.min(), filtered.max())


def rubber_sheet_range(ctx):
    """Range offsets rubber-sheeted with the filtered dense offsets."""
    if not ctx.params.do_rubbersheeting_range:
        skipping(ctx, "do rubbersheetingRange is off")
        return
    _rubber_sheet(ctx, "rg")


def rubber_sheet_azimuth(ctx):
    """Azimuth offsets rubber-sheeted with the filtered dense offsets."""
    if not ctx.params.do_rubbersheeting_azimuth:
        skipping(ctx, "do rubbersheetingAzimuth is off")
        return
    _rubber_sheet(ctx, "az")


def fine_resample(ctx):
    """Resample the secondary with the rubber-sheeted offsets: fine_coreg.slc."""
    p = ctx.params
    if not rubber_sheeting(p):
        skipping(ctx, "no rubber-sheeting")
        return
    az, rg = resampling_offsets(p)
    resample_secondary(ctx, ctx.state.secondary_image, az, rg, RUN.fine_coreg)
    ctx.log.info("fine_resample: %s with %s and %s", RUN.fine_coreg, az, rg)


def _geocode_inputs(ctx):
    """(inputs that exist, their interpolation): the offset geocode list, or the dense
    offsets and their SNR; SNR nearest (a measure of one window), offsets bilinear."""
    wanted = ctx.params.offset_geocode_list or [str(RUN.dense_offsets()),
                                                str(RUN.dense_offsets("_snr"))]
    inputs = [w for w in wanted if Path(w).exists()]
    missing = sorted(set(wanted) - set(inputs))
    if missing:
        ctx.log.info("geocodeoffsets: not geocoded (not produced): %s", ", ".join(missing))
    return inputs, ["nearest" if "_snr" in Path(w).name else "bilinear" for w in inputs]


def geocodeoffsets(ctx):
    """Geocode the dense offsets (and their SNR)."""
    p = ctx.params
    if not p.do_dense_offsets:
        skipping(ctx, "do denseoffsets is off")
        return
    ref = slc_product(ctx, "reference")
    grid = DenseGrid.from_dict(ctx.state.dense["grid"])
    radar = ref.radar_grid.subsample(grid.first_line, grid.first_pixel, grid.line_step,
                                     grid.pixel_step, *grid.shape)
    inputs, methods = _geocode_inputs(ctx)
    if not inputs:
        return
    reads(ctx, *inputs, ctx.state.dem)
    try:
        result = geocode(inputs, radar, ref.orbit, ref.geometry_doppler,
                         dem=ctx.state.dem or 0.0, snwe=p.geocode_bbox or p.roi,
                         posting=geocode_posting(ctx), output_dir=str(RUN.geo_dir), method=methods,
                         progress=True)
    except ValueError as exc:   # a listed raster not on the dense grid
        raise InputError(f"offset geocode list: {exc}") from None
    done = {str(k): str(v["geo"]) for k, v in result.items() if k != "geogrid"}
    for path in done.values():
        ctx.add_output(path)
    ctx.state.geocoded_offsets = done

#: the stages this module defines, by ISCE2 step name
STEPS = {
    # a changed filter or SNR threshold redoes the rubber sheets, not the dense ampcor
    "dense_offsets": Step("dense_offsets", dense_offsets, dense_offsets.__doc__.splitlines()[0],
                          uses=(*DENSE, *SWITCHES), checks=("rubber sheet SNR Threshold",)),
    "rubber_sheet_range": Step("rubber_sheet_range", rubber_sheet_range,
                               rubber_sheet_range.__doc__.splitlines()[0], uses=RUBBER),
    "rubber_sheet_azimuth": Step("rubber_sheet_azimuth", rubber_sheet_azimuth,
                                 rubber_sheet_azimuth.__doc__.splitlines()[0], uses=RUBBER),
    "fine_resample": Step("fine_resample", fine_resample, fine_resample.__doc__.splitlines()[0],
                          uses=SWITCHES),
    "geocodeoffsets": Step("geocodeoffsets", geocodeoffsets,
                           geocodeoffsets.__doc__.splitlines()[0],
                           uses=("do denseoffsets", "offset geocode list", "geocode bounding box",
                                 "regionOfInterest", "geocode posting")),
}
