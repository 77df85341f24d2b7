"""Doppler centroid models.

A Doppler model is any object with ``eval(y, x)`` returning the Doppler
centroid [Hz] at azimuth ``y`` = zero-Doppler time [s since the radar grid's
reference epoch] and range ``x`` = slant range [m], vectorised, plus
``to_dict()``. Three kinds exist:

* :class:`~isce.core.lut.LUT2d` — a table (NISAR ``dopplerCentroid`` on
  ``zeroDopplerTime`` × ``slantRange``), or a constant when built without data;
  :func:`zero_doppler` is the ISCE3 default (native zero-Doppler geometry);
* :class:`~isce.core.poly.Poly2d` — ISCE-style polynomial in (time, range);
* :class:`~isce.core.poly.Poly1d` — range-only polynomial (``eval(x)``); wrap it
  with :meth:`Poly2d.from_poly1d` or :func:`to_lut2d` where ``eval(y, x)`` is needed.

:func:`doppler_from_dict` rebuilds any of them from its ``to_dict()``.
"""
from __future__ import annotations

import numpy as np

from .lut import LUT2d
from .poly import Poly1d, Poly2d

__all__ = ["LUT2d", "Poly1d", "Poly2d", "zero_doppler", "constant_doppler",
           "doppler_from_dict", "to_lut2d"]

_TYPES = {"LUT2d": LUT2d, "Poly1d": Poly1d, "Poly2d": Poly2d}


def zero_doppler() -> LUT2d:
    """The zero-Doppler model: a constant LUT2d evaluating to 0 Hz everywhere."""
    return LUT2d.constant(0.0)


def constant_doppler(value_hz: float) -> LUT2d:
    """A Doppler model evaluating to ``value_hz`` [Hz] everywhere."""
    return LUT2d.constant(float(value_hz))


def doppler_from_dict(d: dict):
    """Rebuild a LUT2d / Poly2d / Poly1d from its ``to_dict()`` (dispatch on ``"type"``)."""
    kind = d.get("type")
    if kind not in _TYPES:
        raise ValueError(f"unknown Doppler model type {kind!r}; expected one of {sorted(_TYPES)}")
    return _TYPES[kind].from_dict(d)


def to_lut2d(model, x, y, method: str = "bilinear", bounds_error: bool = True) -> LUT2d:
    """Sample any Doppler model on range coordinates ``x`` [m] × azimuth times ``y`` [s].

    A constant LUT2d is returned unchanged. A Poly1d is taken as a function of
    range only.
    """
    if isinstance(model, LUT2d) and not model.have_data:
        return model
    if isinstance(model, Poly1d):
        return LUT2d.from_function(x, y, lambda yy, xx: model.eval(xx) + 0.0 * yy, method, bounds_error)
    if callable(getattr(model, "eval", None)):
        return LUT2d.from_function(x, y, lambda yy, xx: np.asarray(model.eval(yy, xx)), method, bounds_error)
    raise TypeError(f"not a Doppler model: {type(model).__name__}")
