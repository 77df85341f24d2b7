"""stripmapApp's region of interest: ``cropraw`` and ``cropslc`` cut both dates to
``regionOfInterest`` (S, N, W, E) before focusing and topo, so a run costs what its region
costs (ISCE2 ``StripmapProc/runCrop.py``). Off unless ``regionOfInterest`` is set.
"""
from __future__ import annotations

from isce.framework import Parameter, Step

from .insar_common import skipping

PARAMETERS = (
    Parameter("height_range", public_name="height range", type=float, container=list,
              default=None, units="m",
              doc="Lowest and highest terrain height [m] the region of interest is mapped "
              "at when cropping; default: the DEM's over the region (0 m without a DEM)."),
)


def cropraw(ctx):
    """Cut raw dates to the region of interest (and the synthetic aperture around it)."""
    if not ctx.params.roi or not ctx.state.raw:
        skipping(ctx, "no regionOfInterest" if not ctx.params.roi else "no raw date")
        return
    raise NotImplementedError("cropraw")


def cropslc(ctx):
    """Cut the focused dates to the region of interest."""
    if not ctx.params.roi:
        skipping(ctx, "no regionOfInterest")
        return
    raise NotImplementedError("cropslc")


ROI = ("regionOfInterest", "height range")
#: the stages this module defines, by ISCE2 step name
STEPS = {
    "cropraw": Step("cropraw", cropraw, cropraw.__doc__.splitlines()[0], uses=ROI),
    "cropslc": Step("cropslc", cropslc, cropslc.__doc__.splitlines()[0], uses=ROI),
}
