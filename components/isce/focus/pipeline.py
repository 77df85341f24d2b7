"""The whole focusing chain in one call: range compression, Doppler, azimuth focusing."""
from __future__ import annotations

import logging
import os

from .rda import focus_azimuth
from .rangecomp import range_compress

__all__ = ["focus", "resolve_doppler"]

log = logging.getLogger(__name__)


def resolve_doppler(raw, rc=None, doppler=None, *, estimate: bool | None = None, **estimate_kw):
    """The Doppler model to focus with, and where it came from.

    ``doppler`` given (a number [Hz] or a model) wins; else ``raw.doppler`` when the
    metadata have one and ``estimate`` is not True; else the lag-one estimate from
    ``rc`` (range-compressed data) or the raw echoes. Returns ``(model, source)`` with
    source ``"given"``, ``"metadata"`` or ``"estimated"``.
    """
    from isce.core.doppler import constant_doppler

    if doppler is not None:
        if isinstance(doppler, (int, float)):
            return constant_doppler(float(doppler)), "given"
        return doppler, "given"
    if raw.doppler is not None and not estimate:
        return raw.doppler, "metadata"
    from .doppler import estimate_from

    est = estimate_from(rc if rc is not None else raw, **estimate_kw)
    return est.lut, "estimated"


def focus(raw, output=None, *, range_window="rect", azimuth_window="rect", beta: float = 0.0,
          range_beta: float | None = None, azimuth_beta: float | None = None, doppler=None,
          estimate_doppler: bool | None = None, doppler_options=None, rc_output=None,
          progress: bool = False, **azimuth_options):
    """Focus a :class:`~isce.sensors.raw.RawProduct` onto a zero-Doppler grid.

    ``output``: SLC raster path (+ ``.json``), None to keep it in memory;
    ``rc_output``: where to write the range-compressed data (None: memory).
    ``range_window``/``azimuth_window``: rect, kaiser or hamming, Kaiser ``beta`` (or
    ``range_beta``/``azimuth_beta``). ``doppler``: see :func:`resolve_doppler`.
    Other keywords go to :func:`~isce.focus.rda.focus_azimuth` (``grid``, ``bandwidth``,
    ``patch_lines``, ``src``, ...). Returns a :class:`~isce.focus.rda.FocusResult`.
    """
    rb = beta if range_beta is None else range_beta
    ab = beta if azimuth_beta is None else azimuth_beta
    rc = range_compress(raw, rc_output, window_kind=range_window, beta=rb, progress=progress)
    model, source = resolve_doppler(raw, rc, doppler, estimate=estimate_doppler,
                                    **(doppler_options or {}))
    log.info("Doppler centroid: %s", source)
    result = focus_azimuth(rc, doppler=model, window_kind=azimuth_window, beta=ab,
                           output=output, progress=progress, **azimuth_options)
    result.info["doppler_source"] = source
    result.product.attributes["doppler_source"] = source
    if output is not None:
        result.product.save(os.fspath(output) + ".json")
    return result
