"""Conversions from isce.core metadata to the data holders of the compiled
kernels (``isce.ext._geometry``): orbit, Doppler model, look side, epochs.

Time convention of the kernels: every time is in seconds since ONE epoch,
the radar grid's ``reference_epoch``. Orbits carry their own epoch and are
shifted here (exactly, in integer nanoseconds); Doppler tables are, as
everywhere in isce, in seconds since the radar grid's epoch already.
"""
from __future__ import annotations

import numbers

import numpy as np

from isce.core.lut import LUT2d
from isce.core.radargrid import LookSide
from isce.core.time import DateTime
from isce.ext import load

__all__ = ["kernels", "epoch_ns", "orbit_data", "doppler_data", "side_sign", "KERNEL_LUT_METHODS"]

#: Doppler/DEM interpolation methods the kernels implement. 'biquintic' is
#: ISCE3's BIQUINTIC (6-sample natural-cubic-spline window per axis).
KERNEL_LUT_METHODS = ("nearest", "bilinear", "biquintic")

_geometry = None


def kernels():
    """The compiled module ``isce.ext._geometry`` (clear ImportError if not built)."""
    global _geometry
    if _geometry is None:
        _geometry = load("_geometry")
    return _geometry


def epoch_ns(epoch) -> int:
    """Integer nanoseconds since 1970 of a DateTime, datetime64 or ISO text."""
    if isinstance(epoch, np.datetime64):
        return int(epoch.astype("datetime64[ns]").astype(np.int64))
    if not isinstance(epoch, DateTime):
        epoch = DateTime(epoch)
    return int(epoch.nanoseconds_since_unix_epoch)


def orbit_data(orbit, epoch, method: str | None = None):
    """``_geometry.OrbitData`` of an :class:`isce.core.orbit.Orbit`, times in s since ``epoch``,
    interpolated by ``method`` (default: the orbit's own ``interp_method``)."""
    shift = (epoch_ns(orbit.reference_epoch) - epoch_ns(epoch)) / 1e9
    method = getattr(orbit, "interp_method", "hermite") if method is None else method
    return kernels().OrbitData(np.asarray(orbit.time, dtype=np.float64) + shift,
                               orbit.position, orbit.velocity, method)


def side_sign(look_side) -> int:
    """+1 for left, -1 for right, from 'left'/'right', ±1, a LookSide or a RadarGrid."""
    if hasattr(look_side, "look_side_sign"):
        return int(look_side.look_side_sign)
    return int(LookSide.parse(look_side))


def _regular(v, name):
    v = np.asarray(v, dtype=np.float64)
    step = (v[-1] - v[0]) / (v.size - 1)
    if not np.allclose(np.diff(v), step, rtol=1e-9, atol=1e-9 * max(1.0, abs(step))):
        raise ValueError(f"Doppler LUT {name} axis must be regularly spaced for the geometry kernels")
    return float(v[0]), float(step)


def doppler_data(doppler=None, *, method: str | None = None, grid=None, samples: int = 64):
    """``_geometry.Lut2d`` of a Doppler model [Hz] over (time [s], range [m]).

    ``doppler``: None (zero Doppler), a number (constant Hz), a
    :class:`isce.core.lut.LUT2d` (its table, regular axes), an existing
    ``_geometry.Lut2d``, or any model with ``eval(t, r)`` (e.g. Poly2d), which
    is sampled on ``samples`` x ``samples`` points covering ``grid`` (a
    RadarGrid, needed then) widened by 10 % and interpolated with the
    biquintic kernel. ``method`` overrides the table's interpolation method
    ('nearest', 'bilinear', 'biquintic'); the LUT's ``bounds_error`` is kept
    (geo2rdr then reports lookups outside the table, status 3).
    """
    g = kernels()
    if isinstance(doppler, g.Lut2d):
        return doppler
    if doppler is None:
        return g.Lut2d.constant(0.0)
    if isinstance(doppler, numbers.Real):
        return g.Lut2d.constant(float(doppler))

    if isinstance(doppler, LUT2d):
        if not doppler.have_data:
            ref = doppler.ref_value
            if isinstance(ref, complex) or np.iscomplexobj(ref):
                raise ValueError("a Doppler LUT must be real")
            return g.Lut2d.constant(float(ref))
        key = (method or doppler.method).lower()
        if key not in KERNEL_LUT_METHODS:
            raise ValueError(f"the geometry kernels interpolate Doppler tables with "
                             f"{', '.join(KERNEL_LUT_METHODS)}, not {key!r}; pass method=")
        x0, dx = _regular(doppler.x, "range")
        y0, dy = _regular(doppler.y, "time")
        return g.Lut2d(x0, dx, y0, dy, np.asarray(doppler.data, dtype=np.float64), key,
                       bool(doppler.bounds_error))
    if callable(getattr(doppler, "eval", None)):
        if grid is None:
            raise ValueError("a Doppler model without a table needs the radar grid to be sampled on")
        t0, t1 = grid.sensing_start, grid.sensing_stop
        r0, r1 = grid.starting_range, grid.end_range
        pad_t, pad_r = 0.1 * (t1 - t0) + 1.0 / grid.prf, 0.1 * (r1 - r0) + grid.range_pixel_spacing
        ts = np.linspace(t0 - pad_t, t1 + pad_t, samples)
        rs = np.linspace(r0 - pad_r, r1 + pad_r, samples)
        data = np.asarray(doppler.eval(ts[:, None], rs[None, :]), dtype=np.float64)
        data = np.broadcast_to(data, (samples, samples)).copy()
        return g.Lut2d(rs[0], rs[1] - rs[0], ts[0], ts[1] - ts[0], data, method or "biquintic", False)
    raise TypeError(f"not a Doppler model: {type(doppler).__name__}")
