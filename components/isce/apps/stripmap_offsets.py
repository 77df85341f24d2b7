"""stripmapApp's dense offsets and rubber-sheeting: ``dense_offsets`` (ampcor on a dense
grid), ``rubber_sheet_range``/``rubber_sheet_azimuth`` (the filtered dense field added to
the refined offsets), ``fine_resample`` (the secondary resampled with them) and
``geocodeoffsets``. ISCE2 ``StripmapProc/runDenseOffsets.py``, ``runRubbersheet*.py``,
``runResampleSlc.py`` ('fine'), ``runGeocode.py`` (offset mode). All off by default.
"""
from __future__ import annotations

from isce.framework import Parameter, Step

from .insar_common import skipping

PARAMETERS = (
    Parameter("do_dense_offsets", public_name="do denseoffsets", type=bool, default=False,
              doc="ISCE2's dense offsets: not available yet (False only)."),
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
              default=False, doc="ISCE2's azimuth rubber-sheeting: not available yet (False only)."),
    Parameter("do_rubbersheeting_range", public_name="do rubbersheetingRange", type=bool,
              default=False, doc="ISCE2's range rubber-sheeting: not available yet (False only)."),
    Parameter("rubber_sheet_snr", public_name="rubber sheet SNR Threshold", type=float,
              default=5.0, units="-", doc="Rubber-sheeting: dense offsets of a lower SNR are "
              "masked and filled from their neighbours."),
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


def dense_offsets(ctx):
    """Dense ampcor offsets of the coregistered secondary against the reference."""
    skipping(ctx, "do denseoffsets is off")


def rubber_sheet_range(ctx):
    """Range offsets rubber-sheeted with the filtered dense offsets."""
    skipping(ctx, "do rubbersheetingRange is off")


def rubber_sheet_azimuth(ctx):
    """Azimuth offsets rubber-sheeted with the filtered dense offsets."""
    skipping(ctx, "do rubbersheetingAzimuth is off")


def fine_resample(ctx):
    """Resample the secondary with the rubber-sheeted offsets: fine_coreg.slc."""
    skipping(ctx, "no rubber-sheeting")


def geocodeoffsets(ctx):
    """Geocode the dense offsets (and their SNR)."""
    skipping(ctx, "do denseoffsets is off")


#: the stages this module defines, by ISCE2 step name
STEPS = {
    "dense_offsets": Step("dense_offsets", dense_offsets, dense_offsets.__doc__.splitlines()[0],
                          uses=(*DENSE, *RUBBER)),
    "rubber_sheet_range": Step("rubber_sheet_range", rubber_sheet_range,
                               rubber_sheet_range.__doc__.splitlines()[0], uses=RUBBER),
    "rubber_sheet_azimuth": Step("rubber_sheet_azimuth", rubber_sheet_azimuth,
                                 rubber_sheet_azimuth.__doc__.splitlines()[0], uses=RUBBER),
    "fine_resample": Step("fine_resample", fine_resample, fine_resample.__doc__.splitlines()[0],
                          uses=RUBBER),
    "geocodeoffsets": Step("geocodeoffsets", geocodeoffsets,
                           geocodeoffsets.__doc__.splitlines()[0],
                           uses=("do denseoffsets", "offset geocode list", "geocode bounding box",
                                 "regionOfInterest", "geocode posting")),
}
