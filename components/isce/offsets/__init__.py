"""isce.offsets: image offsets for coregistration (ISCE's misregistration step).

Modules (each loaded on first use, so ``import isce.offsets`` costs nothing):

``ampcor``  amplitude cross-correlation on a grid of windows: coarse integer
            match over a search range, then a sub-pixel peak on 2x oversampled
            detected chips; SNR and covariance per window (ISCE ampcor,
            DenseAmpcor). Returns an :class:`~isce.offsets.ampcor.OffsetField`.
``cull``    outlier rejection: SNR threshold, then iterative polynomial fits
            dropping windows beyond shrinking distance thresholds (ISCE
            offoutliers: 10, 5, 3 pixels) and beyond k sigma.
``fit``     low-order 2-D polynomials of the offsets versus (line, pixel),
            JSON serialisation, and the ``azimuth.off`` / ``range.off`` rasters
            they give (optionally added to geometry offsets from geo2rdr).

The function named like its module is reached through it:
``isce.offsets.ampcor.ampcor(...)`` (or ``from isce.offsets.ampcor import ampcor``).

Units: lines and pixels count from 0; offsets are in pixels, secondary
position minus reference position.
"""
from isce._lazy import attach as _attach

_LAZY = {
    "OffsetField": "ampcor",
    "window_grid": "ampcor",
    "write_dense": "ampcor",
    "read_offsets_txt": "ampcor",
    "cull_offsets": "cull",
    "CullResult": "cull",
    "Poly2D": "fit",
    "fit_poly2d": "fit",
    "fit_offsets": "fit",
    "write_offset_rasters": "fit",
    "write_misreg_json": "fit",
    "read_misreg_json": "fit",
}

_SUBMODULES = frozenset({"ampcor", "cull", "fit"})

__all__ = sorted(_LAZY)

__getattr__, __dir__ = _attach(__name__, _SUBMODULES, _LAZY)
