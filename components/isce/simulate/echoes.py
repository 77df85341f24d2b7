"""Raw echoes of point targets computed exactly from the orbit geometry.

Model (units: s, m, Hz). Pulse ``i`` is transmitted at ``t_i = sensing_start +
i / prf`` [s since the orbit's reference epoch] from the platform position
``P(t_i)`` (the :class:`~isce.core.orbit.Orbit` interpolated). A target fixed
in ECEF at ``T`` returns it to the platform at ``t_i + tau_i`` where the exact
two-way delay solves (no stop-and-go)

    c tau_i = |T - P(t_i)| + |T - P(t_i + tau_i)|,

by fixed-point iteration (contraction factor |dR/dt| / c < 3e-5, so each
iteration gains ~4.5 digits; iterated until the update is below 1e-16 s). The
straight-line light path is taken in ECEF: the Sagnac terms of the up and down
legs, +-(w_e / c^2) (P x T)_z ~ 3 ns each, cancel in the sum to within
(w_e / c^2) |((P(t_i) - P(t_i + tau)) x T)_z| < 1e-13 s (checked in the tests
against the inertial-frame light-time solution).

The baseband echo of target ``k`` in line ``i`` at two-way fast time ``t``
(sample ``j`` at ``t = 2 R0 / c + j / fs``) is

    a_k G(i, k) rect(u / T) exp(j pi K u^2) exp(-j 2 pi fc tau_ik),   u = t - tau_ik,

with the transmitted chirp ``exp(j pi K u^2)``, ``|u| <= T / 2``, centred on the
delay (a matched filter with the centred replica peaks at ``tau``), the carrier
phase of the exact delay, and the two-way azimuth antenna pattern ``G =
sinc(L sin(th_tx) / lambda) sinc(L sin(th_rx) / lambda)`` (``numpy.sinc``), where
``th`` is the angle between the line of sight and the zero-Doppler plane (the
plane perpendicular to the ECEF velocity: zero-Doppler steering) at transmit
and at receive. No elevation pattern, 1/R^2 spreading, range ambiguities or
quantisation. With ``intrapulse_doppler=True`` the delay also varies within the
pulse (``tau(s) = tau_i + beta s`` for the part transmitted ``s`` after the
pulse centre, ``beta`` from the exact delays at ``t_i -+ T / 2``), i.e. the echo
is ``p(u') exp(-j 2 pi fc (tau_i + beta u'))`` with ``u' = (t - tau_i) / (1 +
beta)``; by default (as most focusers assume) the delay is exact per pulse and
constant within it (its effect: a range shift f_D / K of a few hundredths of a
sample at the beam edges).

Consequence for a focuser: the range history ``c tau(t_i) / 2`` is minimum not
at the target's zero-Doppler time ``t_zd`` but about ``R / c`` (half the
delay) earlier, since the pulse seeing the target broadside is *received* at
``t_zd``. Line times here are transmit times (the :class:`RawProduct`
contract).
"""
from __future__ import annotations

import itertools
import math
import os

import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.framework.errors import InputError
from isce.sensors.raw import RawProduct, RawSource, register_decoder

from .radar import RadarParameters
from .targets import as_targets, targets_xyz

__all__ = ["two_way_delay", "antenna_pattern", "simulate_point_targets", "echo_delays",
           "release_memory"]

# ------------------------------------------------------------------ in-memory echoes
_MEMORY: dict[str, np.ndarray] = {}
_COUNTER = itertools.count(1)


def _read_memory(source: RawSource, rows: slice) -> np.ndarray:
    data = _MEMORY.get(source.path)
    if data is None:
        raise InputError(f"{source.path}: in-memory echoes are gone (released, or another process)")
    return np.array(data[rows], dtype=np.complex64)


register_decoder("memory", _read_memory)


def release_memory(product: RawProduct) -> None:
    """Forget the in-memory echoes of a product simulated with ``output=None``."""
    if product.source is not None and product.source.kind == "memory":
        _MEMORY.pop(product.source.path, None)


# ------------------------------------------------------------------ geometry
def two_way_delay(orbit, target_xyz, t_tx, *, tol: float = 1e-16, maxiter: int = 10,
                  orbit_method: str | None = None, full_output: bool = False):
    """Exact two-way delay [s] of a target fixed in ECEF for pulses transmitted at ``t_tx``.

    ``target_xyz`` (3,) or (..., 3) [m] broadcast with ``t_tx`` [s since
    ``orbit.reference_epoch``]. Solves ``c tau = |T - P(t)| + |T - P(t + tau)|``
    by fixed-point iteration to ``tol``. With ``full_output`` returns ``(tau,
    p_tx, v_tx, p_rx, v_rx)`` (platform position/velocity at transmit and receive).
    """
    t_tx = np.asarray(t_tx, dtype=np.float64)
    target = np.asarray(target_xyz, dtype=np.float64)
    shape = np.broadcast_shapes(t_tx.shape, target.shape[:-1])
    t_tx = np.broadcast_to(t_tx, shape)
    target = np.broadcast_to(target, shape + (3,))
    p_tx, v_tx = orbit.interpolate(t_tx, orbit_method)
    r_up = np.linalg.norm(target - p_tx, axis=-1)
    tau = 2.0 * r_up / SPEED_OF_LIGHT
    for _ in range(maxiter):
        p_rx, v_rx = orbit.interpolate(t_tx + tau, orbit_method)
        new = (r_up + np.linalg.norm(target - p_rx, axis=-1)) / SPEED_OF_LIGHT
        step = np.max(np.abs(new - tau)) if new.size else 0.0
        tau = new
        if step <= tol:
            break
    else:
        raise RuntimeError(f"two-way delay did not converge in {maxiter} iterations (step {step} s)")
    if full_output:
        p_rx, v_rx = orbit.interpolate(t_tx + tau, orbit_method)
        return tau, p_tx, v_tx, p_rx, v_rx
    return tau


def antenna_pattern(platform_xyz, platform_vel, target_xyz, wavelength: float,
                    antenna_length: float) -> np.ndarray:
    """One-way azimuth voltage pattern ``sinc(L sin(theta) / lambda)`` of a beam steered to
    zero Doppler: ``theta`` is the angle between the line of sight and the plane perpendicular
    to the (ECEF) velocity. Vectorised over (..., 3)."""
    los = np.asarray(target_xyz, dtype=np.float64) - np.asarray(platform_xyz, dtype=np.float64)
    vel = np.asarray(platform_vel, dtype=np.float64)
    sin_th = np.sum(los * vel, axis=-1) / (np.linalg.norm(los, axis=-1) * np.linalg.norm(vel, axis=-1))
    return np.sinc(antenna_length * sin_th / wavelength)


def echo_delays(orbit, radar: RadarParameters, targets, pulse_times, *, intrapulse_doppler=False):
    """Per target and pulse: exact delay [s] (ntargets, npulses), two-way pattern weight, and
    the intra-pulse delay rate beta (zeros unless ``intrapulse_doppler``)."""
    xyz = targets_xyz(targets)
    t = np.asarray(pulse_times, dtype=np.float64)
    tau = np.empty((len(xyz), t.size))
    weight = np.empty_like(tau)
    beta = np.zeros_like(tau)
    for k, target in enumerate(xyz):
        d, p_tx, v_tx, p_rx, v_rx = two_way_delay(orbit, target, t, full_output=True)
        tau[k] = d
        weight[k] = (antenna_pattern(p_tx, v_tx, target, radar.wavelength, radar.antenna_length)
                     * antenna_pattern(p_rx, v_rx, target, radar.wavelength, radar.antenna_length))
        if intrapulse_doppler:
            h = radar.pulse_length / 2
            beta[k] = (two_way_delay(orbit, target, t + h) - two_way_delay(orbit, target, t - h)) / (2 * h)
    return tau, weight, beta


# ------------------------------------------------------------------ echoes
def _add_echo(out, rows_tau, rows_amp, rows_beta, t0, fs, radar: RadarParameters):
    """Accumulate one target's echoes into ``out`` (lines, width), complex128."""
    nlines, width = out.shape
    half = radar.pulse_length / 2.0
    k_chirp = radar.chirp_slope
    fc = SPEED_OF_LIGHT / radar.wavelength
    nwin = int(math.ceil(radar.pulse_length * fs * (1.0 + np.max(np.abs(rows_beta), initial=0.0)))) + 3
    first = np.ceil((rows_tau - half * (1.0 + np.abs(rows_beta)) - t0) * fs).astype(np.int64)
    cols = first[:, None] + np.arange(nwin)[None, :]
    valid = (cols >= 0) & (cols < width)
    u = (t0 + cols / fs) - rows_tau[:, None]            # fast time relative to the delay
    u = u / (1.0 + rows_beta[:, None])
    valid &= np.abs(u) <= half
    cycles = fc * (rows_tau[:, None] + rows_beta[:, None] * u)
    cycles -= np.floor(cycles)
    phase = np.pi * k_chirp * u * u - 2.0 * np.pi * cycles
    vals = rows_amp[:, None] * np.exp(1j * phase)
    r, c = np.nonzero(valid)
    out[r, cols[r, c]] += vals[r, c]        # (row, column) pairs are unique


def simulate_point_targets(orbit, radar: RadarParameters, targets, *, sensing_start, length: int,
                           starting_range=None, width=None, noise_power: float = 0.0,
                           output=None, seed: int = 0, intrapulse_doppler: bool = False,
                           block_lines: int = 512, margin_samples: int = 16,
                           progress: bool = False) -> RawProduct:
    """Simulate the raw echoes of point targets; return their :class:`RawProduct`.

    ``orbit``: :class:`~isce.core.orbit.Orbit` covering the pulses (and their
    echoes); ``radar``: :class:`RadarParameters`; ``targets``: :class:`Target`s or
    (lat, lon, height[, amplitude]) tuples [deg, deg, m]; ``sensing_start``: the
    first pulse's transmit time, seconds since ``orbit.reference_epoch`` or a
    date-time; ``length``: number of pulses. ``starting_range`` [m] / ``width``
    [samples] of the receive window are chosen so every echo fits (plus
    ``margin_samples`` either side) when None. ``noise_power``: E|n|^2 of the
    added circular complex Gaussian noise (the echo amplitude of a target at the
    beam centre is its ``amplitude``). ``output``: path of the CFLOAT raster to
    write (the metadata goes to ``output + ".json"``); None keeps the echoes in
    memory (source kind ``"memory"``, this process only; see :func:`release_memory`).
    ``seed``: noise seed (line ``i`` uses ``default_rng([seed, i])``, so the noise
    does not depend on the block size).
    """
    targets = as_targets(targets)
    length = int(length)
    if length <= 0:
        raise ValueError(f"length must be a positive number of pulses, got {length}")
    if not noise_power >= 0:
        raise ValueError(f"noise_power must be >= 0, got {noise_power}")
    if isinstance(sensing_start, (int, float, np.integer, np.floating)):
        t_first = float(sensing_start)
    else:
        t_first = float(orbit.seconds(sensing_start))
    pulses = t_first + np.arange(length) / radar.prf
    tau, weight, beta = echo_delays(orbit, radar, targets, pulses,
                                    intrapulse_doppler=intrapulse_doppler)
    fs = radar.range_sampling_rate
    half = radar.pulse_length / 2.0
    if starting_range is None:
        if not targets:
            raise ValueError("starting_range is required when there are no targets")
        t0 = tau.min() - half * (1.0 + np.abs(beta).max()) - margin_samples / fs
        starting_range = SPEED_OF_LIGHT * t0 / 2.0
    starting_range = float(starting_range)
    t0 = 2.0 * starting_range / SPEED_OF_LIGHT
    if width is None:
        if not targets:
            raise ValueError("width is required when there are no targets")
        t1 = tau.max() + half * (1.0 + np.abs(beta).max())
        width = int(math.ceil((t1 - t0) * fs)) + margin_samples + 1
    width = int(width)
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    amps = np.array([complex(t.amplitude) for t in targets])[:, None] * weight

    product = RawProduct(
        orbit=orbit, sensing_start=t_first, prf=float(radar.prf), starting_range=starting_range,
        range_sampling_rate=float(fs), length=length, width=width,
        wavelength=float(radar.wavelength), look_side=radar.look_side,
        chirp_slope=float(radar.chirp_slope), pulse_length=float(radar.pulse_length),
        source=None, doppler=zero_doppler(), antenna_length=float(radar.antenna_length),
        platform=radar.platform, mission=radar.mission, polarization=radar.polarization,
        attributes={
            "simulator": "isce.simulate.echoes.simulate_point_targets",
            "line_time": "transmit",
            "delay_model": "exact two-way light time, straight paths in ECEF, no stop-and-go",
            "intrapulse_doppler": bool(intrapulse_doppler),
            "antenna_pattern": "two-way sinc(L sin(theta)/lambda)^2 (tx x rx), zero-Doppler steering",
            "noise_power": float(noise_power), "seed": int(seed),
            "targets": [t.to_dict() for t in targets],
        })

    def blocks():
        for start in range(0, length, block_lines):
            stop = min(start + block_lines, length)
            out = np.zeros((stop - start, width), dtype=np.complex128)
            for k in range(len(targets)):
                _add_echo(out, tau[k, start:stop], amps[k, start:stop], beta[k, start:stop],
                          t0, fs, radar)
            if noise_power > 0:
                sigma = math.sqrt(noise_power / 2.0)
                for i in range(stop - start):
                    rng = np.random.default_rng([int(seed), start + i])
                    n = rng.standard_normal(2 * width).view(np.complex128)
                    out[i] += sigma * n
            yield slice(start, stop), out.astype(np.complex64)

    if output is None:
        key = f"memory:{os.getpid()}:{next(_COUNTER)}"
        data = np.empty((length, width), dtype=np.complex64)
        for rows, block in blocks():
            data[rows] = block
        _MEMORY[key] = data
        product.source = RawSource("memory", key)
        return product

    output = os.fspath(output)
    with isce.io.create(output, width, length, "CFLOAT", image_type="raw") as ds:
        for rows, block in blocks():
            ds.write(block, rows=rows)
    product.source = RawSource("raster", os.path.abspath(output))
    product.save(output + ".json")
    return product
