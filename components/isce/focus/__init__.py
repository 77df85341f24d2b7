"""isce.focus: raw echoes to a zero-Doppler SLC (range-Doppler algorithm).

    from isce.focus import focus
    result = focus(raw_product, output="slc/focused.slc")      # SlcProduct + image

Stages (each usable alone):

* :mod:`~isce.focus.fft` -- FFTW (pyFFTW, MEASURE plans, saved wisdom) or scipy.fft;
* :mod:`~isce.focus.rangecomp` -- matched filtering with the chirp
  (:func:`range_compress`, :class:`RangeCompressed`);
* :mod:`~isce.focus.doppler` -- Doppler centroid from the echoes (:func:`estimate_doppler`);
* :mod:`~isce.focus.rangemodel` -- hyperbolic range histories fitted to the orbit;
* :mod:`~isce.focus.rda` -- azimuth focusing in patches onto a zero-Doppler grid
  (:func:`focus_azimuth`, :class:`OutputGrid`);
* :mod:`~isce.focus.weighting` -- rect / Kaiser / Hamming windows.

Units: seconds (times since the orbit's reference epoch), metres, hertz.
Names are loaded on first use.
"""
from isce._lazy import attach as _attach

_NAMES = {
    "focus": ".pipeline",
    "range_compress": ".rangecomp",
    "RangeCompressed": ".rangecomp",
    "load_range_compressed": ".rangecomp",
    "estimate_doppler": ".doppler",
    "estimate_from": ".doppler",
    "focus_azimuth": ".rda",
    "OutputGrid": ".rda",
    "FocusResult": ".rda",
    "fit_range_model": ".rangemodel",
    "window": ".weighting",
}
_SUBMODULES = ("fft", "rangecomp", "doppler", "rangemodel", "rda", "weighting", "pipeline")

__all__ = sorted(_NAMES)

__getattr__, __dir__ = _attach(__name__, _SUBMODULES, _NAMES)
