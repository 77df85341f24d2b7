"""stripmapApp's split-spectrum ionosphere: the range spectrum split into a low and a high
sub-band (``split_range_spectrum``), each band resampled, interfered, filtered and
unwrapped (``sub_band_*``, ``filter_*_band``, ``unwrap_*_band``), and the dispersive
(ionospheric) and non-dispersive phases separated (``ionosphere``). ISCE2
``StripmapProc/runSplitSpectrum.py``, ``runResampleSubbandSlc.py``, ``runDispersive.py``.
All off by default.
"""
from __future__ import annotations

from isce.framework import Parameter, Step

from .insar_common import skipping

PARAMETERS = (
    Parameter("do_split_spectrum", public_name="do split spectrum", type=bool, default=False,
              doc="ISCE2's split-spectrum processing: not available yet (False only)."),
    Parameter("do_dispersive", public_name="do dispersive", type=bool, default=False,
              doc="ISCE2's ionosphere (dispersive phase) estimate: not available yet "
              "(False only)."),
    Parameter("dispersive_filling", public_name="dispersive filter filling method", type=str,
              default="nearest_neighbour", choices=("nearest_neighbour", "smoothed"),
              doc="Ionosphere: how masked pixels are filled before filtering."),
    Parameter("dispersive_kernel_x", public_name="dispersive filter kernel x-size", type=int,
              default=800, units="pixels", doc="Ionosphere: Gaussian filter window across."),
    Parameter("dispersive_kernel_y", public_name="dispersive filter kernel y-size", type=int,
              default=800, units="lines", doc="Ionosphere: Gaussian filter window down."),
    Parameter("dispersive_sigma_x", public_name="dispersive filter kernel sigma_x", type=float,
              default=100.0, units="pixels", doc="Ionosphere: Gaussian sigma across."),
    Parameter("dispersive_sigma_y", public_name="dispersive filter kernel sigma_y", type=float,
              default=100.0, units="lines", doc="Ionosphere: Gaussian sigma down."),
    Parameter("dispersive_rotation", public_name="dispersive filter kernel rotation", type=float,
              default=0.0, units="deg", doc="Ionosphere: rotation of the Gaussian kernel."),
    Parameter("dispersive_iterations", public_name="dispersive filter number of iterations",
              type=int, default=5, units="-", doc="Ionosphere: filter iterations."),
    Parameter("dispersive_mask", public_name="dispersive filter mask type", type=str,
              default="connected_components",
              choices=("connected_components", "coherence", "median_filter"),
              doc="Ionosphere: which pixels the filter trusts."),
    Parameter("dispersive_coherence", public_name="dispersive filter coherence threshold",
              type=float, default=0.5, units="-",
              doc="Ionosphere: sub-band coherence below which a pixel is masked (mask type "
              "coherence)."),
)

SPLIT = ("do split spectrum", "do dispersive")
FILTER = ("dispersive filter filling method", "dispersive filter kernel x-size",
          "dispersive filter kernel y-size", "dispersive filter kernel sigma_x",
          "dispersive filter kernel sigma_y", "dispersive filter kernel rotation",
          "dispersive filter number of iterations", "dispersive filter mask type",
          "dispersive filter coherence threshold")


def split_range_spectrum(ctx):
    """Split both dates' range spectra into a low and a high sub-band."""
    skipping(ctx, "do split spectrum is off")


def sub_band_resample(ctx):
    """Resample the secondary's sub-band SLCs onto the reference grid."""
    skipping(ctx, "do split spectrum is off")


def sub_band_interferogram(ctx):
    """Interferograms of the low and high sub-bands."""
    skipping(ctx, "do dispersive is off")


def filter_low_band(ctx):
    """Filter the low sub-band interferogram."""
    skipping(ctx, "do dispersive is off")


def filter_high_band(ctx):
    """Filter the high sub-band interferogram."""
    skipping(ctx, "do dispersive is off")


def unwrap_low_band(ctx):
    """Unwrap the low sub-band interferogram."""
    skipping(ctx, "do dispersive is off")


def unwrap_high_band(ctx):
    """Unwrap the high sub-band interferogram."""
    skipping(ctx, "do dispersive is off")


def ionosphere(ctx):
    """Separate the dispersive (ionospheric) and non-dispersive phases."""
    skipping(ctx, "do dispersive is off")


def _step(func, uses) -> Step:
    return Step(func.__name__, func, func.__doc__.splitlines()[0], uses=uses)


LOOKS = ("range looks", "azimuth looks", "posting")
FILTERED = (*SPLIT, "filter strength")
UNWRAPPED = (*SPLIT, "unwrapper name", *LOOKS)
#: the stages this module defines, by ISCE2 step name
STEPS = {s.name: s for s in (
    _step(split_range_spectrum, SPLIT), _step(sub_band_resample, SPLIT),
    _step(sub_band_interferogram, (*SPLIT, *LOOKS)), _step(filter_low_band, FILTERED),
    _step(filter_high_band, FILTERED), _step(unwrap_low_band, UNWRAPPED),
    _step(unwrap_high_band, UNWRAPPED), _step(ionosphere, (*SPLIT, *FILTER)))}
