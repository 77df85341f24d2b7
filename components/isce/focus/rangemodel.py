"""Range history of a point target from the orbit, as a hyperbola per zero-Doppler range.

The focuser needs, for a target at zero-Doppler time ``t`` and slant range
``R`` (the output grid), the range it appears at in raw line ``eta`` (a
*transmit* time, the :class:`~isce.sensors.raw.RawProduct` contract). This
module computes that history exactly and fits the hyperbola the
range-Doppler algorithm works with:

    r(eta) = sqrt(Rm^2 + V^2 (eta - t - dt)^2)

* ``r`` is the "effective" one-way range ``c tau / 2`` of the two-way delay
  ``tau``: with ``line_time="transmit"`` the exact bistatic delay
  ``c tau = |T - P(eta)| + |T - P(eta + tau)|`` (the platform moves while the
  pulse travels; the apex of r(eta) then lies about ``R / c`` *before* the
  zero-Doppler time), with ``"stop-and-go"`` simply ``|T - P(eta)|``;
* ``Rm`` [m] the apex range (equal to R for stop-and-go, ~1e-4 m more for the
  bistatic delay), ``dt`` [s] the apex time minus the zero-Doppler time,
  ``V`` [m/s] the effective velocity.

Targets: for each of a few range nodes across the swath, the point at zero
Doppler (ECEF velocity), slant range R and height ``height`` (rdr2geo) at
the reference time; its history is sampled over the synthetic aperture
(``aperture`` seconds around the apex) and fitted in least squares (``r^2``
is a quadratic in ``eta``). ``residual`` records the largest misfit [m] over
the aperture (the phase error is ``4 pi residual / lambda``). Between nodes the
parameters are interpolated with a polynomial in range (:meth:`RangeModel.eval`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.geometry.rdr2geo import rdr2geo_points

__all__ = ["RangeModel", "fit_range_model", "two_way_delay", "LINE_TIMES"]

LINE_TIMES = ("transmit", "stop-and-go")


def two_way_delay(orbit, target_xyz, t_tx, *, tol: float = 1e-15, maxiter: int = 10) -> np.ndarray:
    """Two-way light time [s] of targets fixed in ECEF (``target_xyz`` (..., 3), broadcast
    with ``t_tx``) for pulses sent at ``t_tx`` [s]: ``c tau = |T - P(t)| + |T - P(t + tau)|``
    (fixed point; straight paths in ECEF)."""
    t_tx = np.asarray(t_tx, dtype=np.float64)
    target = np.asarray(target_xyz, dtype=np.float64)
    p_tx, _ = orbit.interpolate(t_tx, threads=1)
    up = np.linalg.norm(target - p_tx, axis=-1)
    tau = 2.0 * up / SPEED_OF_LIGHT
    for _ in range(maxiter):
        p_rx, _ = orbit.interpolate(t_tx + tau, threads=1)
        new = (up + np.linalg.norm(target - p_rx, axis=-1)) / SPEED_OF_LIGHT
        step = float(np.max(np.abs(new - tau))) if new.size else 0.0
        tau = new
        if step <= tol:
            break
    return tau


def _history(orbit, xyz, eta, line_time):
    """Effective one-way range [m] of targets ``xyz`` (k, 3) at raw times ``eta`` (k, n)."""
    if line_time == "transmit":
        return 0.5 * SPEED_OF_LIGHT * two_way_delay(orbit, xyz[:, None, :], eta)
    p, _ = orbit.interpolate(eta, threads=1)
    return np.linalg.norm(xyz[:, None, :] - p, axis=-1)


def _fit(u, r):
    """Hyperbola fitted to ranges ``r`` at raw times ``t_ref + u``: (Rm, dt, V, misfit)."""
    a2, a1, a0 = np.polyfit(u, r * r, 2)           # r^2 = a2 u^2 + a1 u + a0
    v = math.sqrt(a2)
    d_t = -a1 / (2.0 * a2)
    r_m = math.sqrt(a0 - a1 * a1 / (4.0 * a2))
    model = np.sqrt(r_m * r_m + a2 * (u - d_t) ** 2)
    return r_m, d_t, v, float(np.max(np.abs(model - r)))


def _line_time(value) -> str:
    key = str(value or "transmit").strip().lower().replace("_", "-").replace(" ", "-")
    if key in ("stop-and-go", "stopandgo", "receive-midpoint"):
        return "stop-and-go"
    if key != "transmit":
        raise ValueError(f"line time must be one of {LINE_TIMES}, got {value!r}")
    return key


@dataclass
class RangeModel:
    """Hyperbolic range histories fitted at range nodes (see the module doc).

    Arrays are per node (increasing ``ranges`` [m]); ``t_ref`` [s] the
    zero-Doppler time of the fit; ``platform_speed`` [m/s] |ECEF velocity| at
    ``t_ref`` (maps Doppler to antenna angle, ``sin(theta) = lambda f / (2 v)``).
    """

    t_ref: float
    ranges: np.ndarray
    apex_range: np.ndarray
    apex_offset: np.ndarray
    velocity: np.ndarray
    residual: np.ndarray
    platform_speed: float
    wavelength: float
    line_time: str = "transmit"

    def __post_init__(self):
        self._centre = float(np.mean(self.ranges))
        self._scale = float(max(np.ptp(self.ranges) / 2.0, 1.0))
        deg = int(min(3, len(self.ranges) - 1))
        x = (self.ranges - self._centre) / self._scale
        self._coef = {name: np.polyfit(x, np.asarray(values, dtype=np.float64), deg)
                      for name, values in (("drm", self.apex_range - self.ranges),
                                           ("dt", self.apex_offset), ("v", self.velocity))}

    def eval(self, slant_range):
        """``(Rm, dt, V)`` at zero-Doppler range(s) ``slant_range`` [m] (polynomial in range)."""
        r = np.asarray(slant_range, dtype=np.float64)
        x = (r - self._centre) / self._scale
        return (r + np.polyval(self._coef["drm"], x), np.polyval(self._coef["dt"], x),
                np.polyval(self._coef["v"], x))

    def azimuth_fm_rate(self, slant_range):
        """Azimuth FM rate 2 V^2 / (lambda Rm) [Hz/s] (magnitude) at range(s) [m]."""
        rm, _, v = self.eval(slant_range)
        return 2.0 * v * v / (self.wavelength * rm)

    def aperture_times(self, slant_range, f_lo: float, f_hi: float):
        """Raw (transmit) time span, relative to the zero-Doppler time, over which the Doppler
        band [f_lo, f_hi] [Hz] of a target at ``slant_range`` is received: ``(u_min, u_max)``
        [s] (stationary-phase times ``dt - lambda f Rm / (2 V^2 D(f))``)."""
        rm, dt, v = self.eval(slant_range)
        out = []
        for f in (f_hi, f_lo):
            s = self.wavelength * f / (2.0 * v)
            out.append(dt - self.wavelength * f * rm / (2.0 * v * v * np.sqrt(1.0 - s * s)))
        return out[0], out[1]

    def max_phase_error(self) -> float:
        """Largest phase misfit 4 pi residual / lambda [rad] at the nodes."""
        return float(4.0 * math.pi * np.max(self.residual) / self.wavelength)

    def to_dict(self) -> dict:
        return {"t_ref": self.t_ref, "ranges": self.ranges.tolist(),
                "apex_range": self.apex_range.tolist(), "apex_offset": self.apex_offset.tolist(),
                "velocity": self.velocity.tolist(), "residual": self.residual.tolist(),
                "platform_speed": self.platform_speed, "wavelength": self.wavelength,
                "line_time": self.line_time}


def fit_range_model(orbit, wavelength: float, look_side: str, t_ref: float, ranges, *,
                    aperture=1.0, band=None, height: float = 0.0, line_time="transmit",
                    nodes: int = 9, samples: int = 257) -> RangeModel:
    """Fit :class:`RangeModel` at zero-Doppler time ``t_ref`` [s] over slant ranges ``ranges``
    [m] (their span is covered by ``nodes`` nodes); ``height`` [m]: the targets' height
    above the ellipsoid.

    The fit spans the raw times that matter: with ``band = (f_lo, f_hi)`` [Hz] (the
    processed Doppler band) the stationary-phase times of that band (a first fit over
    ``aperture`` / 4 gives the velocity needed to find them); else ``aperture`` [s]
    centred on the apex. Fitting over the processed aperture (not a symmetric one)
    matters for squinted data: the matched filter then places the target where the
    exact history puts it."""
    line_time = _line_time(line_time)
    ranges = np.asarray(ranges, dtype=np.float64)
    r_lo, r_hi = float(ranges.min()), float(ranges.max())
    nodes = max(2, int(nodes)) if r_hi > r_lo else 2
    if r_hi - r_lo < 1.0:
        r_lo, r_hi = r_lo - 50.0, r_hi + 50.0
    node_r = np.linspace(r_lo, r_hi, nodes)
    llh, ok = rdr2geo_points(np.full(nodes, float(t_ref)), node_r, orbit, wavelength, look_side,
                             heights=np.full(nodes, float(height)), threads=1)
    if not np.all(ok):
        raise ValueError(f"rdr2geo failed for ranges {node_r[~ok]} m at t = {t_ref} s: is the "
                         "range window on the Earth?")
    xyz = WGS84.lon_lat_to_xyz(llh)
    _, vel = orbit.interpolate(np.array([float(t_ref)]))
    speed = float(np.linalg.norm(vel[0]))
    n = int(samples)
    shift = (-node_r / SPEED_OF_LIGHT) if line_time == "transmit" else np.zeros(nodes)
    span = (np.linspace(-0.5, 0.5, n) if band is None else np.linspace(-0.125, 0.125, n))
    u = shift[:, None] + span[None, :] * float(aperture)              # (nodes, n)
    r = _history(orbit, xyz, float(t_ref) + u, line_time)
    fits = [_fit(u[k], r[k]) for k in range(nodes)]
    if band is not None:             # refit over the stationary-phase times of the band
        u = np.empty((nodes, n))
        for k, (r_m, d_t, v, _) in enumerate(fits):
            times = [d_t - wavelength * f * r_m
                     / (2 * v * v * math.sqrt(1 - (wavelength * f / (2 * v)) ** 2))
                     for f in (float(band[1]), float(band[0]))]
            u[k] = np.linspace(min(times), max(times), n)
        r = _history(orbit, xyz, float(t_ref) + u, line_time)
        fits = [_fit(u[k], r[k]) for k in range(nodes)]
    rm, dt, vv, res = (np.array(x) for x in zip(*fits))
    return RangeModel(t_ref=float(t_ref), ranges=node_r, apex_range=rm, apex_offset=dt,
                      velocity=vv, residual=res, platform_speed=speed,
                      wavelength=float(wavelength), line_time=line_time)
