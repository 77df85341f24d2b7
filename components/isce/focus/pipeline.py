"""The whole focusing chain in one call: range compression, Doppler, azimuth focusing."""
from __future__ import annotations

import logging
import math
import os

import numpy as np

from isce.core.doppler import constant_doppler

from .doppler import estimate_from
from .rangecomp import range_compress, valid_samples
from .rangemodel import fit_range_model
from .rda import _aperture_span, _doppler_at, default_azimuth_bandwidth, focus_azimuth

__all__ = ["focus", "resolve_doppler", "required_pulses", "aperture_span"]

log = logging.getLogger(__name__)


def resolve_doppler(raw, rc=None, doppler=None, *, estimate: bool | None = None, **estimate_kw):
    """The Doppler model to focus with, and where it came from.

    ``doppler`` given (a number [Hz] or a model) wins; else ``raw.doppler`` when the
    metadata have one and ``estimate`` is not True; else the lag-one estimate from
    ``rc`` (range-compressed data) or the raw echoes. Returns ``(model, source)`` with
    source ``"given"``, ``"metadata"`` or ``"estimated"``.
    """
    if doppler is not None:
        if isinstance(doppler, (int, float)):
            return constant_doppler(float(doppler)), "given"
        return doppler, "given"
    if raw.doppler is not None and not estimate:
        return raw.doppler, "metadata"

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


def required_pulses(raw, *, bandwidth: float | None = None, doppler=None,
                    height: float = 0.0) -> int:
    """The fewest pulses (raw lines) :func:`focus` can make an SLC line from: the synthetic
    aperture at the far end of the fully compressed swath, in pulses, plus one.

    Computed from the metadata alone, as the focuser does (:func:`~isce.focus.rda.focus_azimuth`,
    :func:`~isce.focus.rda.default_output_grid`): the processed azimuth bandwidth
    (:func:`~isce.focus.rda.default_azimuth_bandwidth` -- antenna length and platform speed,
    or 0.8 PRF -- unless ``bandwidth`` [Hz] is given), the range history fitted to the orbit
    at mid-swath (:func:`~isce.focus.rangemodel.fit_range_model`) and the stationary-phase
    times of that band (:meth:`~isce.focus.rangemodel.RangeModel.aperture_times`). The Doppler
    centroid is ``doppler`` or ``raw.doppler``, else 0 Hz (an estimate made while focusing
    can only lengthen the aperture, slightly: the count is then a lower bound). When the
    geometry cannot be fitted (orbit too short, ranges off the Earth) the straight-line
    aperture ``Ba lambda R / (2 v^2)`` (platform speed v) is used.
    """
    u_lo, u_hi = aperture_span(raw, bandwidth=bandwidth, doppler=doppler, height=height)
    return int(math.ceil((u_hi - u_lo) * float(raw.prf) - 1e-9)) + 1


def aperture_span(raw, *, bandwidth: float | None = None, doppler=None,
                  height: float = 0.0) -> tuple[float, float]:
    """(u_lo, u_hi) [s]: the raw times, relative to a target's zero-Doppler time, that
    :func:`focus` needs to make its SLC line (the synthetic aperture over the fully compressed
    swath, squint included), from the metadata alone (see :func:`required_pulses`); the
    straight-line aperture centred on zero Doppler when the geometry cannot be fitted."""
    prf = float(raw.prf)
    wvl = float(raw.wavelength)
    t_mid = float(raw.sensing_start) + 0.5 * max(int(raw.length) - 1, 0) / prf
    first, stop = valid_samples(raw)
    r_near = float(raw.slant_range(first))
    r_far = float(raw.slant_range(max(stop - 1, first)))
    _, vel = raw.orbit.interpolate(np.array([t_mid]))
    speed = float(np.linalg.norm(np.reshape(vel, -1)[:3]))
    ba = float(bandwidth) if bandwidth else default_azimuth_bandwidth(raw, speed)
    model = raw.doppler if doppler is None else doppler
    try:
        fdc = np.atleast_1d(_doppler_at(model, t_mid, np.array([r_near, r_far])))
    except (ValueError, TypeError, AttributeError):
        fdc = np.zeros(2)
    fdc_mid = float(np.mean(fdc))
    line_time = (raw.attributes or {}).get("line_time", "transmit")
    try:
        rmodel = fit_range_model(raw.orbit, wvl, raw.look_side, t_mid, np.array([r_near, r_far]),
                                 band=(fdc_mid - 0.5 * ba, fdc_mid + 0.5 * ba),
                                 aperture=2 * ba * wvl * r_far / (2 * speed ** 2) + 0.2,
                                 height=height, line_time=line_time)
        return _aperture_span(rmodel, rmodel.ranges,
                              np.interp(rmodel.ranges, [r_near, r_far], fdc), ba)
    except (ValueError, RuntimeError, ArithmeticError) as exc:
        log.debug("required_pulses: range model not fitted (%s); straight-line aperture", exc)
        span = ba * wvl * r_far / (2.0 * speed * speed)
        return -0.5 * span, 0.5 * span
