"""isce.signal: SLC resampling, interferograms, coherence, looks and range band-pass.

Modules (each loaded on first use, so ``import isce.signal`` costs nothing):

``resample``   8-tap windowed-sinc SLC resampling by offset rasters, with the
               azimuth Doppler carrier removed and restored (C++ kernel
               ``isce.ext._signal``), block-wise to an isce.io raster.
``crossmul``   interferogram of two coregistered SLCs: optional 2x range
               oversampling (as ISCE's crossmul), looks, coherence.
``coherence``  |sum s1 s2*| / sqrt(sum |s1|^2 sum |s2|^2) over look windows.
``looks``      NaN-aware multilooking of complex or real arrays.
``bandpass``   range band-pass of an SLC to another band (bandwidth and centre
               frequency), spectrum shift and range resampling.

Units: offsets in pixels, frequencies and sampling rates in Hz, Doppler in
Hz, azimuth times in seconds since the product epoch, ranges in metres,
phases in radians.

The functions named like their module are reached through it:
``isce.signal.crossmul.crossmul(...)``, ``isce.signal.coherence.coherence(...)``.
"""
from isce._lazy import attach as _attach

# public name -> submodule that defines it
_LAZY = {
    "resample_slc": "resample",
    "resample_slc_block": "resample",
    "input_lines_needed": "resample",
    "doppler_carrier": "resample",
    "sinc_table": "resample",
    "crossmul_raster": "crossmul",
    "upsample_range": "crossmul",
    "Interferogram": "crossmul",
    "coherence_from_sums": "coherence",
    "mean_coherence": "coherence",
    "multilook": "looks",
    "multilook_sum": "looks",
    "bandpass_range": "bandpass",
    "resample_range": "bandpass",
    "match_range_band": "bandpass",
}

_LAZY.update({"goldstein": "filter", "filter_raster": "filter", "phase_sigma": "phsig",
              "phsig_raster": "phsig"})

_SUBMODULES = frozenset({"resample", "crossmul", "coherence", "looks", "bandpass", "filter", "phsig"})

__all__ = sorted(_LAZY)


__getattr__, __dir__ = _attach(__name__, _SUBMODULES, _LAZY)
