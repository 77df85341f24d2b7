"""isce.quality: measure what a product delivers.

Point targets (:mod:`isce.quality.pointtarget`)::

    from isce.quality import analyze_point_target
    result = analyze_point_target("REE_RSLC_out17.h5", -54.579586258, 3.177088785, 0.0)
    result["range"]["irw_m"], result["azimuth"]["pslr_db"], result["range"]["offset_px"]

:func:`analyze_point_target` predicts the target's position (geo2rdr), finds
the peak to sub-pixel precision in an oversampled chip, and measures the
-3 dB impulse-response width, PSLR and ISLR in range and azimuth;
:func:`analyze_chip` does the measurement on any complex chip (no geometry).

Reports (:mod:`isce.quality.report`)::

    from isce.quality import quicklooks, write_html
    images = quicklooks("run")                 # {name: PNG path}: amplitude, phase, coherence, ...
    write_html(report_dict, images, "run/report.html")

:func:`quicklooks` draws PNGs (matplotlib) of an insarApp working directory's
products, decimated for display; :func:`write_html` shows a ``report.json`` dict
(with the per-step wall time and peak memory) and the images in one HTML page.

Importing this package is cheap: numpy, scipy and the geometry kernels are
imported when a name is first used.
"""
from __future__ import annotations

from isce._lazy import attach as _attach

_LAZY = {
    "analyze_point_target": ".pointtarget",
    "analyze_chip": ".pointtarget",
    "predict_position": ".pointtarget",
    "spectral_centre": ".pointtarget",
    "oversample": ".pointtarget",
    "ChipInterpolant": ".pointtarget",
    "cut_metrics": ".pointtarget",
    "format_summary": ".pointtarget",
    "quicklooks": ".report",
    "write_html": ".report",
    "build_report": ".report",
}

__all__ = sorted(_LAZY) + ["pointtarget", "report"]

__getattr__, __dir__ = _attach(__name__, ("pointtarget", "report"), _LAZY)
