"""Range-Doppler azimuth focusing onto a zero-Doppler output grid.

Input: range-compressed echoes (:class:`~isce.focus.rangecomp.RangeCompressed`,
line ``i`` transmitted at ``sensing_start + i / prf``, sample ``j`` at range
``starting_range + j dr``). Output: an SLC on a zero-Doppler grid chosen by the
caller (start time [s since the orbit epoch], line rate, start range, size;
the range spacing is the raw one): the image of a point target peaks at its
zero-Doppler time and range (geo2rdr with zero Doppler) and its phase there
is ``-4 pi R / lambda`` (plus the target's own phase).

Per patch of ``N`` raw lines (overlapping so that every output line sees its
whole synthetic aperture; :func:`plan_patches`) and per block of range
columns:

1. **azimuth FFT** of the block (axis 0); Doppler bin ``k`` is unwrapped to the
   frequency ``f`` within ``PRF / 2`` of the Doppler centroid ``f_dc``;
2. **range cell migration correction and secondary range compression** in
   range sub-blocks of ``rcmc_block`` output samples: range FFT, multiply by
   ``exp(2j pi nu s(f) / fs)`` -- an exact band-limited (sinc) fractional shift
   by the migration ``s(f) = (Rm / D(f) - R) / dr`` of the sub-block's centre
   range, ``D = sqrt(1 - (lambda f / 2V)^2)`` -- times the SRC term, the exact
   2-D phase of the hyperbola beyond its linear part in ``nu`` (at the patch's
   mid range), then inverse range FFT. The migration's change across a
   sub-block is the approximation: the default sub-block keeps its band-average
   below 1/256 sample at the sub-block edges. (An 8-tap interpolator, the usual
   choice, is not used: for ALOS FBS's 28 MHz in 32 MHz its least-squares error
   reaches 26 % at the band edge, 6 % rms);
3. **azimuth matched filter** ``W(f) / G(f) exp(+j psi(f, R))`` (``psi`` per row
   as a polynomial of the lowest degree matching it to 5 mrad across the block)
   with ``psi = 4 pi Rm (D - 1) / lambda + 4 pi (Rm - R) / lambda + 2 pi f dt + pi / 4``
   (removes the azimuth modulation and moves the target from its apex time
   to its zero-Doppler time, leaving ``-4 pi R / lambda``), the azimuth
   weighting ``W`` over the processed band ``Ba`` and, optionally, the
   equalisation of the two-way azimuth antenna pattern ``G = sinc^2(L (f -
   f_dc) / 2v)``;
4. **inverse azimuth FFT** onto the output lines (a chirp-z transform when the
   output line rate differs from the PRF).

The hyperbola parameters ``Rm``, ``dt``, ``V`` come from the orbit per patch
(:mod:`isce.focus.rangemodel`, exact two-way delays with transmit-time line
stamps). Amplitudes are scaled so that a point target of echo amplitude ``a``
at the beam centre focuses to a peak of about ``a`` (rectangular windows).

Doppler metadata: the product records the Doppler centroid *of the data*
(where its azimuth spectrum sits; ISCE3 RSLCs do the same) as a LUT2d over
(zero-Doppler time, slant range) -- the image itself is on the zero-Doppler
grid, and resamplers use that Doppler to remove/restore the azimuth carrier.

Code: :func:`plan_azimuth` decides everything once (:class:`AzimuthPlan`: grid, band,
patches, column blocks, RCMC sub-blocks, FFT sizes); :func:`focus_block` runs steps 1-4
on one column block of one patch; :func:`focus_azimuth` loops over them and writes.
"""
from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field
from functools import partial

import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import constant_doppler, zero_doppler
from isce.core.lut import LUT2d
from isce.core.radargrid import RadarGrid
from isce.sensors.product import ImageSource, SlcProduct

from . import fft as _fft
from .output import ComplexRasterOutput
from .parallel import parallel_rows
from .rangemodel import fit_range_model
from .weighting import parse_window, window

__all__ = ["OutputGrid", "FocusResult", "focus_azimuth", "default_azimuth_bandwidth", "Clock",
           "default_output_grid", "plan_patches", "src_phase_error", "czt_axis0",
           "AzimuthPlan", "plan_azimuth", "focus_block"]

log = logging.getLogger(__name__)

#: lines of a memory-mapped input or output whose pages are released at once (see _load_block)
_RELEASE_LINES = 256

#: sinc^4(x) = 1/2 at x = 0.3191: the two-way (sinc^2 voltage) pattern's -3 dB point
_TWO_WAY_3DB = 0.31908


# ------------------------------------------------------------------ timing
class Clock:
    """Accumulates wall time per named section (``tick(name)`` charges the time since the
    previous tick to ``name``) and counts the FFTs run per transform shape, so that a
    benchmark can replay the same FFTs alone (the "FFT floor")."""

    def __init__(self):
        self._now = time.perf_counter
        self._last = self._now()
        self.totals: dict[str, float] = {}
        self._ffts: dict[tuple, list] = {}

    def tick(self, name: str, transform=None, forward: int = 0, inverse: int = 0):
        now = self._now()
        self.totals[name] = self.totals.get(name, 0.0) + (now - self._last)
        self._last = now
        if transform is not None:
            key = (transform.shape, transform.axis, str(transform.dtype))
            rec = self._ffts.setdefault(key, [0, 0])
            rec[0] += forward
            rec[1] += inverse

    def inventory(self) -> list:
        """``[{"shape", "axis", "dtype", "forward", "inverse"}]`` of the FFTs counted."""
        return [{"shape": list(k[0]), "axis": k[1], "dtype": k[2], "forward": v[0], "inverse": v[1]}
                for k, v in self._ffts.items()]


# ------------------------------------------------------------------ grid
@dataclass
class OutputGrid:
    """Zero-Doppler output grid: line ``m`` at ``sensing_start + m / prf`` [s since the orbit
    epoch], sample ``j`` at ``starting_range + j * spacing`` [m]."""

    sensing_start: float
    prf: float
    length: int
    starting_range: float
    width: int
    spacing: float

    @classmethod
    def from_radar_grid(cls, g) -> "OutputGrid":
        """From an :class:`isce.core.radargrid.RadarGrid` (times must share the orbit epoch)."""
        return cls(float(g.sensing_start), float(g.prf), int(g.length), float(g.starting_range),
                   int(g.width), float(g.range_pixel_spacing))

    def override(self, d: dict, orbit=None) -> "OutputGrid":
        """Copy with some of ``sensing_start`` (s, or a date-time / ISO text with ``orbit``),
        ``end_time``, ``prf`` [Hz], ``length``, ``starting_range`` [m], ``end_range``,
        ``width`` replaced. ``end_time``/``end_range`` set the sizes and are *exclusive*
        (the end of the last line / sample, as in ISCE3 focusing runconfigs: their
        output_grid of 03:20:03.457785502 to .542654995 at 1520 Hz is 129 lines)."""
        def seconds(v):
            if v is None or isinstance(v, (int, float)):
                return v
            return float(orbit.seconds(v))

        known = {"sensing_start", "start_time", "end_time", "prf", "length", "starting_range",
                 "start_range", "end_range", "width"}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown output grid setting(s) {sorted(unknown)}")
        start = seconds(d.get("sensing_start", d.get("start_time")))
        prf = float(d["prf"]) if d.get("prf") is not None else self.prf
        t0 = self.sensing_start if start is None else float(start)
        length = self.length
        if d.get("length") is not None:
            length = int(d["length"])
        elif d.get("end_time") is not None:
            length = int(round((seconds(d["end_time"]) - t0) * prf))
        elif start is not None or d.get("prf") is not None:   # keep the default end time
            length = max(1, int(math.floor((self.sensing_start + (self.length - 1) / self.prf
                                            - t0) * prf + 1e-9)) + 1)
        r0 = d.get("starting_range", d.get("start_range"))
        r0 = self.starting_range if r0 is None else float(r0)
        width = self.width
        if d.get("width") is not None:
            width = int(d["width"])
        elif d.get("end_range") is not None:
            width = int(round((float(d["end_range"]) - r0) / self.spacing))
        elif r0 != self.starting_range:
            end = self.starting_range + (self.width - 1) * self.spacing
            width = max(1, int(math.floor((end - r0) / self.spacing + 1e-9)) + 1)
        if length < 1 or width < 1:
            raise ValueError(f"output grid of {length} x {width} lines x samples is empty")
        return OutputGrid(t0, prf, length, r0, width, self.spacing)

    @property
    def range_pixel_spacing(self) -> float:
        """Alias of ``spacing`` (the RadarGrid name)."""
        return self.spacing

    def times(self, m):
        return self.sensing_start + np.asarray(m, dtype=np.float64) / self.prf

    def ranges(self, j):
        return self.starting_range + np.asarray(j, dtype=np.float64) * self.spacing

    def to_radar_grid(self, epoch, wavelength, look_side):
        return RadarGrid(self.sensing_start, epoch, prf=self.prf,
                         starting_range=self.starting_range, range_pixel_spacing=self.spacing,
                         length=self.length, width=self.width, wavelength=wavelength,
                         look_side=look_side)


@dataclass
class FocusResult:
    """What :func:`focus_azimuth` returns: the SLC ``product`` metadata, the image ``data``
    (array, or the written raster's memory map) and processing facts in ``info``."""

    product: object
    data: np.ndarray
    info: dict = field(default_factory=dict)


def _doppler_at(doppler, t, r):
    """Doppler centroid [Hz] of the data at raw time t and range r (model or number)."""
    if doppler is None:
        return np.zeros(np.broadcast(np.asarray(t), np.asarray(r)).shape)
    if isinstance(doppler, (int, float, np.floating, np.integer)):
        return np.full(np.broadcast(np.asarray(t), np.asarray(r)).shape, float(doppler))
    try:
        return np.asarray(doppler.eval(t, r), dtype=np.float64)
    except ValueError:                       # outside a bounded LUT: clamp to its edges
        if getattr(doppler, "have_data", False):
            t = np.clip(t, doppler.y_start, doppler.y_end)
            r = np.clip(r, doppler.x_start, doppler.x_end)
            return np.asarray(doppler.eval(t, r), dtype=np.float64)
        raise


def default_azimuth_bandwidth(raw, platform_speed: float) -> float:
    """Processed azimuth bandwidth [Hz]: the two-way 3-dB Doppler bandwidth of an antenna of
    length L, ``2 * 0.319 * 2 v / L`` (v = platform speed), at most 0.9 PRF; 0.8 PRF when
    the antenna length is unknown."""
    length = getattr(raw, "antenna_length", None)
    if length:
        return float(min(2 * _TWO_WAY_3DB * 2 * platform_speed / float(length), 0.9 * raw.prf))
    return 0.8 * float(raw.prf)


def src_phase_error(wavelength, range_bandwidth, slant_range, velocity, f_max) -> float:
    """Quadratic phase error [rad] at the range band edge that ignoring secondary range
    compression leaves at Doppler ``f_max`` [Hz]: ``pi (B/2)^2 / Ksrc`` with
    ``1 / Ksrc = lambda^3 R f^2 / (2 c^2 V^2 D^3)`` [s^2]."""
    d = math.sqrt(1.0 - (wavelength * f_max / (2 * velocity)) ** 2)
    inv_k = (wavelength ** 3 * slant_range * f_max ** 2
             / (2 * SPEED_OF_LIGHT ** 2 * velocity ** 2 * d ** 3))
    return math.pi * (0.5 * range_bandwidth) ** 2 * inv_k


# ------------------------------------------------------------------ aperture bookkeeping
def _aperture_span(model, ranges, fdc, ba):
    """(u_lo, u_hi) [s]: raw times relative to the zero-Doppler time that the output needs,
    over ``ranges`` and the band ``fdc +- ba/2`` (fdc per range)."""
    lo, hi = np.inf, -np.inf
    for r, f in zip(np.atleast_1d(ranges), np.atleast_1d(fdc)):
        u0, u1 = model.aperture_times(r, f - 0.5 * ba, f + 0.5 * ba)
        lo, hi = min(lo, float(u0)), max(hi, float(u1))
    return lo, hi


def default_output_grid(rc, model, fdc_fn, ba, margin_lines: int = 0) -> OutputGrid:
    """The raw grid shifted to zero Doppler: lines at the raw PRF whose whole aperture lies in
    the raw data, samples whose whole migration lies in the fully compressed samples."""
    raw = rc.raw
    dr = raw.range_pixel_spacing
    prf = float(raw.prf)
    r_nodes = model.ranges
    fdc = fdc_fn(model.t_ref, r_nodes)
    u_lo, u_hi = _aperture_span(model, r_nodes, fdc, ba)
    t_first = raw.sensing_start - u_lo + margin_lines / prf
    t_last = raw.sensing_start + (raw.length - 1) / prf - u_hi - margin_lines / prf
    # keep the raw line phase: output times = raw times shifted by the mid-range apex offset
    _, dt_mid, _ = model.eval(float(np.mean(r_nodes)))
    shift = -float(dt_mid)
    m0 = math.ceil((t_first - raw.sensing_start - shift) * prf - 1e-9)
    m1 = math.floor((t_last - raw.sensing_start - shift) * prf + 1e-9)
    if m1 < m0:
        raise ValueError(f"the raw data ({raw.length} lines, {raw.length / prf:.3f} s) are shorter "
                         f"than the synthetic aperture ({u_hi - u_lo:.3f} s): nothing to focus")
    start = raw.sensing_start + shift + m0 / prf
    # range: fully compressed samples, minus the largest migration at the far end
    first, stop = rc.valid
    rm, _, v = model.eval(r_nodes[-1])
    f_far = max(abs(float(np.max(fdc)) + 0.5 * ba), abs(float(np.min(fdc)) - 0.5 * ba))
    d = math.sqrt(1.0 - (raw.wavelength * f_far / (2 * float(v))) ** 2)
    migration = float(rm) / d - float(r_nodes[-1])
    j0 = int(first)
    j1 = int(stop) - int(math.ceil(migration / dr)) - 1
    if j1 <= j0:
        raise ValueError("no output samples: the range migration exceeds the compressed swath")
    return OutputGrid(sensing_start=start, prf=prf, length=m1 - m0 + 1,
                      starting_range=raw.starting_range + j0 * dr, width=j1 - j0, spacing=dr)


@dataclass
class Patch:
    """Output lines ``[m0, m1)`` focused from raw lines ``[a, a + n)`` (zeros outside the raw
    data); ``t_ref`` the zero-Doppler time at which the geometry is fitted."""

    m0: int
    m1: int
    a: int
    n: int
    t_ref: float


def plan_patches(grid: OutputGrid, raw_start: float, prf: float, raw_length: int,
                 u_lo: float, u_hi: float, patch_lines: int | None = None,
                 margin: int | None = None) -> tuple[int, list[Patch], int]:
    """Split the output lines into patches: returns ``(N, patches, aperture_lines)``.

    Output line at time t needs raw times ``t + [u_lo, u_hi]`` (+ ``margin`` lines
    either side for the filter tails). ``patch_lines`` (the azimuth FFT length)
    defaults to a fast length >= max(4 x aperture, aperture + 1024), or just what
    the output needs; it must exceed the aperture.
    """
    ap = int(math.ceil((u_hi - u_lo) * prf))
    if margin is None:
        margin = max(16, int(math.ceil(0.02 * ap)))
    need = ap + 2 * margin + 2
    if patch_lines is None:
        # long patches repeat less of the aperture (each patch re-reads and re-transforms
        # `need` lines); the memory limit then narrows the blocks of columns instead
        n = _fft.next_fast_len(max(4 * need, need + 1024))
        # no longer than needed for the whole output in one patch
        whole = need + int(math.ceil(grid.length * prf / grid.prf)) + 2
        n = min(n, _fft.next_fast_len(whole))
    else:
        n = int(patch_lines)
    if n <= need:
        raise ValueError(f"patch of {n} lines is not longer than the synthetic aperture plus "
                         f"margins ({need} lines); use more patch lines")
    per_patch = int(math.floor((n - need) * grid.prf / prf))
    per_patch = max(1, per_patch)
    patches = []
    for m0 in range(0, grid.length, per_patch):
        m1 = min(m0 + per_patch, grid.length)
        t0 = grid.sensing_start + m0 / grid.prf
        a = int(math.floor((t0 + u_lo - raw_start) * prf)) - margin - 1
        t_ref = grid.sensing_start + 0.5 * (m0 + m1 - 1) / grid.prf
        patches.append(Patch(m0, m1, a, n, t_ref))
    return n, patches, need


# ------------------------------------------------------------------ chirp-z transform
def czt_axis0(spec: np.ndarray, beta: float, m: int, out_phase=None, clock=None) -> np.ndarray:
    """``y[k] = sum_q spec[q] exp(2j pi beta q k)`` for ``k < m`` along axis 0 (Bluestein).

    Returns complex64 ``(m, spec.shape[1])``; ``out_phase`` (m,) [rad] multiplies row k by
    ``exp(j out_phase[k])``.
    """
    n, width = spec.shape
    length = _fft.next_fast_len(n + m - 1)
    q = np.arange(n, dtype=np.float64)
    k = np.arange(m, dtype=np.float64)
    t = _fft.transform((length, width), axis=0)
    buf = t.buffer
    pre = np.exp(1j * np.pi * np.mod(beta * q * q, 2.0)).astype(np.complex64)
    np.multiply(spec, pre[:, None], out=buf[:n])
    buf[n:] = 0
    if clock is not None:
        clock.tick("czt")
    t.forward()
    if clock is not None:
        clock.tick("fft", t, forward=1)
    lag = np.concatenate([np.arange(m, dtype=np.float64),
                          np.arange(-(length - m), 0, dtype=np.float64)])
    kern = np.exp(-1j * np.pi * np.mod(beta * lag * lag, 2.0))
    kern[(lag > m - 1) | (lag < -(n - 1))] = 0.0
    kspec = (np.fft.fft(kern) / length).astype(np.complex64)
    np.multiply(buf, kspec[:, None], out=buf)
    if clock is not None:
        clock.tick("czt")
    t.inverse()
    if clock is not None:
        clock.tick("fft", t, inverse=1)
    post = np.pi * np.mod(beta * k * k, 2.0)
    if out_phase is not None:
        post = post + np.asarray(out_phase, dtype=np.float64)
    return buf[:m] * np.exp(1j * post).astype(np.complex64)[:, None]


# ------------------------------------------------------------------ azimuth phase polynomial
def _taylor_coefficients(psi_fn, freqs, half_width, deg=3):
    """Per row (frequency), coefficients (highest power first, the last for x^1; no constant
    term) of a polynomial in x [samples] fitting ``psi_fn(f, x)`` (which is 0 at x = 0) at
    Chebyshev nodes over |x| <= half_width; returns ``(coef (deg, nf), max error [rad])``
    with the error checked on 33 points across the interval."""
    npts = deg + 4
    x = half_width * np.cos(np.pi * (np.arange(npts) + 0.5) / npts)
    vals = psi_fn(freqs[:, None], x[None, :])          # (nf, npts)
    vander = np.vander(x, deg + 1)[:, :-1]             # columns x^deg ... x^1
    coef, *_ = np.linalg.lstsq(vander, vals.T, rcond=None)
    xs = np.linspace(-half_width, half_width, 33)
    check = psi_fn(freqs[:, None], xs[None, :])
    fit = (np.vander(xs, deg + 1)[:, :-1] @ coef).T
    err = float(np.max(np.abs(fit - check))) if check.size else 0.0
    return coef, err


# ------------------------------------------------------------------ the plan
@dataclass
class AzimuthPlan:
    """What :func:`focus_azimuth` decides before it reads the data, computed once: output grid,
    processed band, scene range model, patches of raw lines, column blocks and RCMC
    sub-blocks, FFT sizes and filter settings (times [s], ranges [m], frequencies [Hz],
    sizes in lines / samples). ``info`` is the plan as recorded in the product."""

    rc: object                  # RangeCompressed input
    grid: OutputGrid
    doppler: object             # Doppler centroid of the data over (raw time, range)
    window_kind: str
    beta: float
    height: float               # reference surface of the range models [m]
    line_time: str
    wvl: float
    prf: float
    fs: float                   # range sampling rate [Hz]
    dr: float                   # range spacing [m]
    ba: float                   # processed azimuth bandwidth [Hz]
    band: tuple                 # processed Doppler band at mid scene (low, high) [Hz]
    model0: object              # scene range model (isce.focus.rangemodel)
    ant_len: float | None       # antenna length [m] when its pattern is equalised
    use_src: bool
    u_lo: float                 # raw times the output needs, relative to zero Doppler [s]
    u_hi: float
    out_ranges: np.ndarray      # output sample ranges [m]
    n_az: int                   # azimuth FFT length (raw lines per patch)
    patches: list
    rcm_lo: float               # smallest range migration [samples]
    tails: int                  # samples kept clear of circular wrap
    cb: int                     # output columns per block
    ls: int                     # output columns per RCMC sub-block
    lf: int                     # RCMC range FFT length
    wa: int                     # input columns per block
    wb: int                     # columns of the azimuth output buffer
    nband: int                  # Doppler bins of the processed band
    czt: bool                   # output line rate differs from the PRF
    nu_hz: np.ndarray           # signed range frequency of the RCMC FFT bins [Hz]
    two_pi_k: np.ndarray        # 2 pi k / lf of those bins (float32)
    info: dict = field(default_factory=dict)

    @property
    def raw(self):
        return self.rc.raw


def plan_azimuth(rc, *, grid=None, doppler=None, window_kind="rect", beta: float = 0.0,
                 bandwidth: float | None = None, antenna_compensation: bool | None = None,
                 src="auto", patch_lines: int | None = None, block_columns: int | None = None,
                 rcmc_block: int | None = None, height: float = 0.0, line_time=None,
                 memory_limit: float = 1.5e9) -> AzimuthPlan:
    """The :class:`AzimuthPlan` of :func:`focus_azimuth` (same arguments, see there)."""
    raw = rc.raw
    wvl = float(raw.wavelength)
    prf = float(raw.prf)
    fs = float(raw.range_sampling_rate)
    dr = raw.range_pixel_spacing
    window_kind = parse_window(window_kind)
    if line_time is None:
        line_time = raw.attributes.get("line_time", "transmit") if raw.attributes else "transmit"
    dop_model = raw.doppler if doppler is None else doppler
    fdc_fn = partial(_doppler_at, dop_model)
    grid, t_scene, ba, fdc_mid, band, model0 = _scene_geometry(rc, grid, fdc_fn, bandwidth,
                                                               height, line_time)
    if abs(grid.spacing - dr) > 1e-9 * dr:
        raise ValueError(f"output range spacing {grid.spacing} m must equal the raw spacing {dr} m")
    if antenna_compensation is None:
        antenna_compensation = bool(getattr(raw, "antenna_length", None))
    ant_len = float(raw.antenna_length) if antenna_compensation and raw.antenna_length else None
    out_ranges = grid.ranges(np.arange(grid.width))
    r_nodes = np.linspace(out_ranges[0], out_ranges[-1], 5)
    fdc_nodes = fdc_fn(t_scene, r_nodes)
    u_lo, u_hi = _aperture_span(model0, r_nodes, fdc_nodes, ba)
    rm_far, _, v_far = model0.eval(out_ranges[-1])
    f_edge = float(np.max(np.abs(fdc_nodes))) + 0.5 * ba
    qpe = src_phase_error(wvl, rc.bandwidth, float(rm_far), float(v_far), f_edge)
    use_src = (qpe > 0.01) if src == "auto" else bool(src)

    n_az, patches, need = plan_patches(grid, raw.sensing_start, prf, int(raw.length), u_lo, u_hi,
                                       patch_lines)
    rcm, slope = _migration_span(model0, out_ranges, fdc_nodes, ba, wvl, dr, grid.width)
    rcm_lo, rcm_hi = min(rcm), max(rcm)
    tails = 32
    cb, ls, lf, wa, wb = _column_layout(grid.width, n_az, rcm_hi - rcm_lo, slope, tails,
                                        rcmc_block, block_columns, memory_limit)
    nband = int(math.floor(ba * n_az / prf))
    nband = max(1, min(nband, n_az))
    k_lf = (np.fft.fftfreq(lf) * lf).astype(np.float64)   # signed range bins
    info = {"patch_lines": n_az, "patches": len(patches), "aperture_lines": need,
            "block_columns": cb, "input_block_columns": wa, "rcmc_block": ls,
            "rcmc_fft": lf, "azimuth_bandwidth": ba, "doppler_centroid_mid": fdc_mid,
            "src": use_src, "src_phase_error_rad": qpe, "window": window_kind,
            "beta": float(beta), "antenna_compensation": ant_len is not None,
            "range_model_residual_m": float(np.max(model0.residual)),
            "line_time": model0.line_time, "rcm_samples": [rcm_lo, rcm_hi],
            "rcmc_slope_per_sample": slope}
    log.info("azimuth focusing: %d patch(es) of %d lines (aperture %d lines), blocks of %d "
             "samples, RCMC sub-blocks %d (FFT %d), Ba %.1f Hz, SRC %s (%.3f rad), model misfit "
             "%.2g m", len(patches), n_az, need, cb, ls, lf, ba, "on" if use_src else "off", qpe,
             float(np.max(model0.residual)))
    return AzimuthPlan(
        rc=rc, grid=grid, doppler=dop_model, window_kind=window_kind, beta=beta, height=height,
        line_time=line_time, wvl=wvl, prf=prf, fs=fs, dr=dr, ba=ba, band=band, model0=model0,
        ant_len=ant_len, use_src=use_src, u_lo=u_lo, u_hi=u_hi, out_ranges=out_ranges,
        n_az=n_az, patches=patches, rcm_lo=rcm_lo, tails=tails, cb=cb, ls=ls, lf=lf, wa=wa,
        wb=wb, nband=nband, czt=abs(grid.prf - prf) > 1e-9 * prf, nu_hz=k_lf * fs / lf,
        two_pi_k=(2 * np.pi * k_lf / lf).astype(np.float32), info=info)


def _scene_geometry(rc, grid, fdc_fn, bandwidth, height, line_time):
    """Output grid (default: :func:`default_output_grid`, a dict overrides parts of it), the
    scene's mid time [s], processed bandwidth [Hz], mid-scene Doppler [Hz], processed band
    and the scene's range model: ``(grid, t_scene, ba, fdc_mid, band, model0)``."""
    raw = rc.raw
    wvl = float(raw.wavelength)
    prf = float(raw.prf)
    dr = raw.range_pixel_spacing
    r0_in = float(raw.starting_range)
    overrides = None
    if isinstance(grid, dict):
        overrides, grid = dict(grid), None
    elif grid is not None and not isinstance(grid, OutputGrid):
        grid = OutputGrid.from_radar_grid(grid)
    t_mid_raw = raw.sensing_start + 0.5 * (int(raw.length) - 1) / prf
    if grid is not None:
        r_span = (grid.starting_range, grid.starting_range + (grid.width - 1) * grid.spacing)
        t_scene = grid.sensing_start + 0.5 * (grid.length - 1) / grid.prf
    else:
        r_span = (r0_in + rc.valid[0] * dr, r0_in + (rc.valid[1] - 1) * dr)
        t_scene = t_mid_raw
    _, vel = raw.orbit.interpolate(np.array([t_scene]))
    speed = float(np.linalg.norm(vel[0]))
    ba = float(bandwidth) if bandwidth else default_azimuth_bandwidth(raw, speed)
    if not 0 < ba <= prf:
        raise ValueError(f"azimuth bandwidth {ba} Hz must be in (0, PRF = {prf} Hz]")
    fdc_mid = float(np.mean(fdc_fn(t_mid_raw, np.linspace(*r_span, 5))))
    band = (fdc_mid - 0.5 * ba, fdc_mid + 0.5 * ba)
    model0 = fit_range_model(raw.orbit, wvl, raw.look_side, t_scene, np.array(r_span),
                             band=band, aperture=2 * ba * wvl * r_span[1] / (2 * speed ** 2) + 0.2,
                             height=height, line_time=line_time)
    if grid is None:
        grid = default_output_grid(rc, model0, fdc_fn, ba)
        if overrides:
            grid = grid.override(overrides, raw.orbit)
    return grid, t_scene, ba, fdc_mid, band, model0


def _migration_span(model0, out_ranges, fdc_nodes, ba, wvl, dr, width):
    """Range migration ``Rm / D(f) - R`` [samples] at the near and far output ranges over the
    band (edges, centre, zero Doppler), and its change per output sample."""
    f_ext = np.array([fdc_nodes.min() - 0.5 * ba, fdc_nodes.max() + 0.5 * ba, fdc_nodes.mean()])
    rcm = []
    for r in (out_ranges[0], out_ranges[-1]):
        rm, _, v = model0.eval(r)
        dd = np.sqrt(1.0 - (wvl * f_ext / (2 * v)) ** 2)
        rcm.extend(list((rm / dd - r) / dr))
        rcm.append(float((rm - r) / dr))
    slope = max(abs(rcm[0] - rcm[4]), abs(rcm[1] - rcm[5])) / max(width - 1, 1)
    return rcm, slope


def _column_layout(width, n_az, rcm_range, slope, tails, rcmc_block, block_columns,
                   memory_limit):
    """Column blocks and RCMC sub-blocks: ``(cb, ls, lf, wa, wb)`` = output samples per block,
    per sub-block, the sub-block range FFT length, input columns per block and columns of the
    azimuth output buffer (block widths from the memory budget [bytes] by default)."""
    if rcmc_block is None:
        # mean migration change across half a sub-block <= 1/256 sample (band average ~1/3 max)
        rcmc_block = int(min(max(int(2 * (1 / 256) / max(slope / 3.0, 1e-12)), 64), 2048))
    ls_target = int(max(8, min(rcmc_block, width)))
    spread = int(math.ceil(rcm_range + slope * ls_target)) + 2
    row_bytes = 8 * n_az
    if block_columns is None:
        cb = int(memory_limit / (row_bytes * 3.2)) - (spread + 2 * tails)
        cb = max(ls_target, (cb // ls_target) * ls_target)
    else:
        cb = max(1, int(block_columns))
    cb = min(cb, width)
    nsub = int(math.ceil(cb / ls_target))
    ls = int(math.ceil(cb / nsub))              # equal sub-blocks
    lf = _fft.next_fast_len(ls + spread + 2 * tails)
    wa = (nsub - 1) * ls + lf + 4               # input columns per block
    if (wa * 8) % 4096 == 0:                    # avoid cache-aliasing strides for the axis-0 FFTs
        wa += 8
    wb = cb if (cb * 8) % 4096 else cb + 8
    return cb, ls, lf, wa, wb


# ------------------------------------------------------------------ working state
@dataclass
class _Workspace:
    """FFT plans, buffers and running statistics shared by the blocks of one focusing run."""

    a_t: object                 # azimuth FFT of the input block (n_az, wa)
    b_t: object                 # inverse azimuth FFT (n_az, wb); None with the chirp-z
    bbuf: np.ndarray            # azimuth spectrum of the output block (of the block run)
    s_t: object                 # RCMC range FFT (nband, lf)
    tab: np.ndarray             # RCMC (+ SRC) phase table (nband, lf)
    ph32: np.ndarray            # its phase [rad]
    hsub: np.ndarray            # azimuth phase of a sub-block (nband, ls)
    hph: np.ndarray             # its phase [rad]
    clock: Clock
    src_cache: dict = field(default_factory=dict)   # SRC table per band position
    qpe_max: float = 0.0        # largest SRC phase removed [rad]
    taylor_err: float = 0.0     # largest azimuth phase polynomial error [rad]
    narrow: tuple | None = None  # (a_t, b_t, bbuf) of a last, narrower column block
    full: tuple | None = None   # (a_t, b_t, bbuf) of a full block

    def use(self, ncol: int) -> None:
        """Select the transforms of a block of ``ncol`` output columns."""
        self.a_t, self.b_t, self.bbuf = (self.narrow if self.narrow is not None
                                         and ncol == self.narrow[2].shape[1] else self.full)


def _workspace(plan: AzimuthPlan, clock: Clock) -> _Workspace:
    """Plans and buffers for ``plan``'s blocks."""
    nband, lf, ls = plan.nband, plan.lf, plan.ls
    a_t, b_t, bbuf = _azimuth_transforms(plan, plan.wa, plan.wb)
    narrow = None
    last = plan.grid.width % plan.cb             # output columns of a last, narrower block
    if last:         # its own plans over the first columns: no FFT of unused columns
        narrow = _azimuth_transforms(plan, (math.ceil(last / ls) - 1) * ls + lf + 4, last,
                                     a_t.buffer, None if plan.czt else bbuf)
    s_t = _fft.Transform((nband, lf), axis=1)
    clock.tick("plans")
    return _Workspace(a_t=a_t, b_t=b_t, bbuf=bbuf, s_t=s_t, full=(a_t, b_t, bbuf), narrow=narrow,
                      tab=np.empty((nband, lf), dtype=np.complex64),
                      ph32=np.empty((nband, lf), dtype=np.float32),
                      hsub=np.empty((nband, ls), dtype=np.complex64),
                      hph=np.empty((nband, ls), dtype=np.float32), clock=clock)


def _azimuth_transforms(plan: AzimuthPlan, wa: int, wb: int, abuf=None, bfull=None):
    """``(a_t, b_t, bbuf)``: the azimuth FFT of ``wa`` input columns and the inverse of ``wb``
    output columns (None and a separate ``bbuf`` with the chirp-z), over the first columns
    of ``abuf`` / ``bfull`` when given (the buffers of the full blocks).

    The output spectrum is built in the input block's own buffer when it is at least as
    wide (all but the chirp-z; in place, as FFTW's out-of-place axis-0 plans are ~3x slower
    here): RCMC sub-block ``b`` writes output columns ``[s0 - c0, s1 - c0)`` after reading
    its window, and the windows of the sub-blocks after it start at ``s1 - c0`` or beyond
    (:func:`_subblocks` checks it). That halves the focuser's memory."""
    n_az = plan.n_az
    # views of buffers that hold nothing yet: MEASURE planning need not set their contents aside
    a_t = _fft.Transform((n_az, wa), axis=0, buffer=None if abuf is None else abuf[:, :wa],
                         directions="forward", preserve=False)
    if plan.czt:
        bbuf = (np.empty((n_az, wb), dtype=np.complex64) if bfull is None
                else bfull[:, :wb])
        return a_t, None, bbuf
    if wb <= wa:
        b_t = _fft.Transform((n_az, wb), axis=0, buffer=a_t.buffer[:, :wb],
                             directions="inverse", preserve=False)
    else:
        b_t = _fft.Transform((n_az, wb), axis=0, buffer=None if bfull is None else bfull[:, :wb],
                             directions="inverse", preserve=False)
    return a_t, b_t, b_t.buffer


@dataclass
class _PatchGeometry:
    """A patch with its range model and time origins [s]."""

    patch: Patch
    model: object
    eta_a: float                # time of the patch's first raw line
    t_s: float                  # time of its first output line
    m_count: int                # output lines


def _patch_geometry(plan: AzimuthPlan, patch: Patch) -> _PatchGeometry:
    """The range model fitted at the patch's mid time."""
    raw = plan.raw
    model = fit_range_model(raw.orbit, plan.wvl, raw.look_side, patch.t_ref,
                            np.array([plan.out_ranges[0], plan.out_ranges[-1]]), band=plan.band,
                            aperture=1.0, height=plan.height, line_time=plan.line_time)
    return _PatchGeometry(patch, model, raw.sensing_start + patch.a / plan.prf,
                          float(plan.grid.times(patch.m0)), patch.m1 - patch.m0)


@dataclass
class _Block:
    """The filters of one column block ``[c0, c1)`` of one patch."""

    c0: int
    c1: int
    half: float                 # half the block width [samples] (phase polynomial origin)
    k_start: int                # first Doppler bin of the band
    f: np.ndarray               # unwrapped Doppler of the band rows [Hz]
    df: float                   # Doppler bin [Hz]
    slices: list                # (band row start, stop, FFT row start) runs
    wcol: np.ndarray            # row weights (nband, 1) float32
    coef: np.ndarray            # azimuth phase polynomial per row (deg, nband)
    c32: np.ndarray             # the same, (nband, deg) float32
    row_phase: np.ndarray       # constant azimuth phase per row [rad]
    src_ph: np.ndarray | None   # SRC phase table (nband, lf)
    p_first: int                # first input column of the block

    @property
    def ncol(self) -> int:
        return self.c1 - self.c0


# ------------------------------------------------------------------ the per-block worker
def focus_block(plan: AzimuthPlan, work: _Workspace, pg: _PatchGeometry, c0: int) -> np.ndarray:
    """Focus output columns ``[c0, c0 + cb)`` of one patch (steps 1-4 of the module text):
    returns its ``(m_count, ncol)`` complex64 lines, possibly a view of ``work``'s buffers."""
    blk = _block_filters(plan, work, pg, c0)
    work.use(blk.ncol)
    clock = work.clock
    parallel_rows(lambda r0, r1: _load_block(plan.rc.data, work.a_t.buffer, pg.patch.a,
                                             blk.p_first, int(plan.raw.length),
                                             int(plan.raw.width), r0, r1), plan.n_az)
    clock.tick("load")
    work.a_t.forward()
    clock.tick("fft", work.a_t, forward=1)
    if not plan.czt:
        _zero_outside_band(plan, work, blk)
    clock.tick("zero rows")
    _rcmc_and_azimuth_phase(plan, work, pg, blk)
    return _inverse_azimuth(plan, work, blk, pg.m_count)


def _block_filters(plan: AzimuthPlan, work: _Workspace, pg: _PatchGeometry, c0: int) -> _Block:
    """The processed band's rows, weights, azimuth phase and SRC table of one block."""
    grid, n_az, ba = plan.grid, plan.n_az, plan.ba
    model = pg.model
    c1 = min(c0 + plan.cb, grid.width)
    ncol = c1 - c0
    r_cb = float(grid.ranges(0.5 * (c0 + c1 - 1)))
    fdc_b = float(_doppler_at(plan.doppler, pg.patch.t_ref, r_cb))
    # the processed band: nband bins from k_start (lowest frequency) upwards
    df = plan.prf / n_az
    k_start = int(math.ceil((fdc_b - 0.5 * ba) / df - 1e-9))
    kk = k_start + np.arange(plan.nband)
    f = kk * df                                    # unwrapped Doppler [Hz]
    first = n_az - (k_start % n_az)                # rows before the wrap
    slices = [(0, min(first, plan.nband), k_start % n_az)]
    if first < plan.nband:
        slices.append((first, plan.nband, 0))
    # row weights: window / antenna pattern, FFT normalisations, amplitude
    wrow = window(plan.window_kind, (f - fdc_b) / ba, plan.beta)
    if plan.ant_len is not None:
        g = np.sinc(plan.ant_len * (f - fdc_b) / (2.0 * model.platform_speed)) ** 2
        wrow = wrow / np.maximum(g, 0.1)
    amp = float(np.sqrt(model.azimuth_fm_rate(r_cb)) / ba)
    wrow = (wrow * amp / (n_az * plan.lf)).astype(np.float32)
    # azimuth phase psi(f, R) = psi_c(f) + polynomial in (j - block centre)
    half = 0.5 * (ncol - 1)
    psi_c, coef, err = _azimuth_phase_fit(plan, model, f, r_cb, half)
    work.taylor_err = max(work.taylor_err, err)
    # row phase: psi_c + time placement (output sample 0 at t_s)
    row_phase = np.mod(psi_c + 2 * np.pi * f * (pg.t_s - pg.eta_a), 2 * np.pi)
    work.clock.tick("setup")
    src_ph = _src_table(plan, work, model, k_start, f) if plan.use_src else None
    p_first = int(math.floor((grid.ranges(c0) - float(plan.raw.starting_range)) / plan.dr
                             + plan.rcm_lo)) - plan.tails - 1
    work.clock.tick("src table")
    return _Block(c0=c0, c1=c1, half=half, k_start=k_start, f=f, df=df, slices=slices,
                  wcol=wrow[:, None], coef=coef, c32=coef.T.astype(np.float32),
                  row_phase=row_phase, src_ph=src_ph, p_first=p_first)


def _psi(model, wvl, dr, r_cb, fr, x):
    """Azimuth matched-filter phase [rad] at Doppler ``fr`` [Hz], ``x`` samples from the range
    ``r_cb`` [m] (module text, step 3)."""
    r = r_cb + x * dr
    rm_, dt_, v_ = model.eval(r)
    s2 = (wvl * fr / (2.0 * v_)) ** 2
    dm1 = -s2 / (1.0 + np.sqrt(1.0 - s2))
    return (4 * np.pi * rm_ * dm1 / wvl + 4 * np.pi * (rm_ - r) / wvl
            + 2 * np.pi * fr * dt_ + np.pi / 4)


def _azimuth_phase_fit(plan: AzimuthPlan, model, f, r_cb, half):
    """``(psi_c, coef, err)``: the phase at the block centre per row and the polynomial of the
    lowest degree (1 to 3) matching the rest within 5 mrad over the block, with its error."""
    psi = partial(_psi, model, plan.wvl, plan.dr, r_cb)
    psi_c = psi(f, 0.0)
    for deg in (1, 2, 3):                       # lowest degree within 5 mrad
        coef, err = _taylor_coefficients(lambda fr, x: psi(fr, x) - psi(fr, 0.0 * x),
                                         f, max(half, 1.0), deg)
        if err < 5e-3:
            break
    return psi_c, coef, err


def _src_table(plan: AzimuthPlan, work: _Workspace, model, k_start, f):
    """SRC phase table at mid range (it scales with R: < 0.01 rad across a swath), computed
    once per band position for all patches (the geometry changes far less along the orbit)."""
    if k_start not in work.src_cache:
        rm_b, _, v_b = (float(x) for x in model.eval(float(np.mean(plan.out_ranges))))
        work.src_cache.clear()
        work.src_cache[k_start] = _src_phase(f, plan.nu_hz, SPEED_OF_LIGHT / plan.wvl, rm_b, v_b,
                                             plan.wvl)
        inb = np.abs(plan.nu_hz) <= 0.5 * plan.rc.bandwidth
        work.qpe_max = max(work.qpe_max, float(np.max(np.abs(work.src_cache[k_start][:, inb]))))
    return work.src_cache[k_start]


def _zero_outside_band(plan: AzimuthPlan, work: _Workspace, blk: _Block) -> None:
    """Clear the output spectrum's rows outside the band (at most two runs; the band rows
    are read, then overwritten, by the RCMC)."""
    n_az, bbuf = plan.n_az, work.bbuf
    k_end = (blk.k_start + plan.nband) % n_az        # first row after the band
    k_beg = blk.k_start % n_az
    runs = ([(k_end, k_beg)] if k_end <= k_beg else [(0, k_beg), (k_end, n_az)])
    for z0, z1 in runs:
        if z1 > z0:
            parallel_rows(lambda r0, r1, z0=z0: bbuf[z0 + r0:z0 + r1].fill(0), z1 - z0)


def _subblocks(plan: AzimuthPlan, model, blk: _Block, wa: int) -> list:
    """``(s0, s1, q0, shift)`` per RCMC sub-block: output columns ``[s0, s1)``, first column
    ``q0`` of its window in the input block (of ``wa`` columns), per-row shift [samples] of
    the window. Each window starts at or after the output columns of the sub-blocks before
    it (the output spectrum may overwrite the input block, see _azimuth_transforms)."""
    grid, wvl, dr = plan.grid, plan.wvl, plan.dr
    r0_in = float(plan.raw.starting_range)
    subs = []
    for s0 in range(blk.c0, blk.c1, plan.ls):
        s1 = min(s0 + plan.ls, blk.c1)
        jc = 0.5 * (s0 + s1 - 1)
        rm, _, v = (float(x) for x in model.eval(float(grid.ranges(jc))))
        dd = np.sqrt(1.0 - (wvl * blk.f / (2.0 * v)) ** 2)
        q0 = (int(math.floor((grid.ranges(s0) - r0_in) / dr + plan.rcm_lo)) - plan.tails
              - blk.p_first)
        if q0 < 0 or q0 + plan.lf > wa:
            raise RuntimeError(f"internal: sub-block window [{q0}, {q0 + plan.lf}) outside "
                               f"the input block of {wa} columns")
        if subs and q0 < subs[-1][1] - blk.c0:
            raise RuntimeError(f"internal: sub-block window from column {q0} overlaps the "
                               f"output columns before {subs[-1][1] - blk.c0}")
        pos = (rm / dd - r0_in) / dr - blk.p_first - q0   # content of sample jc in S
        subs.append((s0, s1, q0, pos - (jc - s0) - plan.tails))
    return subs


def _shift_recurrence(plan: AzimuthPlan, subs):
    """``(delta, recur)``: the shift step between sub-blocks and whether the shifts grow
    linearly (then each full sub-block's table is the previous one times a fixed ratio)."""
    delta = subs[1][3] - subs[0][3] if len(subs) > 1 else np.zeros(plan.nband)
    recur = len(subs) > 2 or (len(subs) == 2 and subs[1][1] - subs[1][0] == plan.ls)
    for b in range(1, len(subs)):
        if np.max(np.abs(subs[b][3] - subs[0][3] - b * delta)) > 1e-4:
            recur = False
    return delta, recur


def _rcmc_and_azimuth_phase(plan: AzimuthPlan, work: _Workspace, pg: _PatchGeometry,
                            blk: _Block) -> None:
    """Step 2 and 3 per range sub-block: RCMC (+ SRC) by range FFT, then the azimuth phase,
    from the input spectrum into the output spectrum ``work.bbuf``.

    Linear azimuth phase (the usual case): exp(j c1 x) of the first sub-block's columns
    serves them all, the rest is a per-row factor exp(j c1 (s0 - s0_first)) folded into the
    RCMC table. The tables of successive full sub-blocks differ by a fixed factor R when the
    shifts grow linearly (the migration's curvature across a block is ~1e-6 sample):
    table_b = table_(b-1) R."""
    clock, nband, ls = work.clock, plan.nband, plan.ls
    subs = _subblocks(plan, pg.model, blk, work.a_t.shape[1])
    linear = blk.c32.shape[1] == 1
    c1row = blk.coef[-1] if linear else np.zeros(nband)
    first_s0 = subs[0][0]
    delta, recur = _shift_recurrence(plan, subs)
    if linear:
        xs = (np.arange(first_s0, first_s0 + ls, dtype=np.float64)
              - blk.c0 - blk.half).astype(np.float32)
        c1_32 = c1row.astype(np.float32)
        parallel_rows(partial(_linear_phase_rows, work, c1_32, xs, ls), nband)
    ratio = None
    for b, (s0, s1, q0, shift) in enumerate(subs):
        exact = b == 0 or not recur or s1 - s0 != ls
        row_extra = np.mod(c1row * (s0 - first_s0) + blk.row_phase, 2 * np.pi)
        sh32 = shift.astype(np.float32)
        ex32 = row_extra.astype(np.float32)[:, None]
        clock.tick("setup")
        parallel_rows(partial(_table_and_gather, plan, work, blk, q0, sh32, ex32,
                              None if exact else ratio), nband)
        if b == 0 and recur:                 # R = exp(j (2 pi k delta / lf + c1 ls))
            ratio = _ratio_table(plan, work, delta, c1row)
        clock.tick("rcmc table")
        work.s_t.forward()
        clock.tick("fft", work.s_t, forward=1)
        parallel_rows(partial(_multiply_rows, work.s_t.buffer, work.tab), nband)
        clock.tick("rcmc multiply")
        work.s_t.inverse()
        clock.tick("fft", work.s_t, inverse=1)
        x = (np.arange(s0, s1, dtype=np.float64) - blk.c0 - blk.half).astype(np.float32)
        parallel_rows(partial(_azimuth_phase_rows, plan, work, blk, linear, x, s0, s1), nband)
        clock.tick("azimuth phase")


def _linear_phase_rows(work: _Workspace, c1_32, xs, ls, r0, r1) -> None:
    """Rows ``[r0, r1)`` of ``work.hsub`` = exp(j c1 x) over the first sub-block's columns."""
    hp = work.hph[r0:r1, :ls]
    np.multiply.outer(c1_32[r0:r1], xs, out=hp)
    np.cos(hp, out=work.hsub.real[r0:r1, :ls])
    np.sin(hp, out=work.hsub.imag[r0:r1, :ls])


def _multiply_rows(buf, factor, r0, r1) -> None:
    """Rows ``[r0, r1)`` of ``buf`` *= ``factor``."""
    np.multiply(buf[r0:r1], factor[r0:r1], out=buf[r0:r1])


def _table_and_gather(plan: AzimuthPlan, work: _Workspace, blk: _Block, q0, sh32, ex32, ratio,
                      r0, r1) -> None:
    """Rows ``[r0, r1)``: the RCMC (+ SRC, + row phase) table -- exact, or the previous one
    times ``ratio`` -- and the weighted band rows of the sub-block's input window."""
    tab = work.tab
    if ratio is None:
        ph = work.ph32[r0:r1]
        np.multiply.outer(sh32[r0:r1], plan.two_pi_k, out=ph)
        if blk.src_ph is not None:
            ph += blk.src_ph[r0:r1]
        ph += ex32[r0:r1]
        np.cos(ph, out=tab.real[r0:r1])
        np.sin(ph, out=tab.imag[r0:r1])
    else:
        np.multiply(tab[r0:r1], ratio[r0:r1], out=tab[r0:r1])
    abuf, sbuf, lf = work.a_t.buffer, work.s_t.buffer, plan.lf
    for a, b_, k in _row_runs(blk.slices, r0, r1):  # band rows, weighted
        np.multiply(abuf[k:k + b_ - a, q0:q0 + lf], blk.wcol[a:b_], out=sbuf[a:b_])


def _ratio_table(plan: AzimuthPlan, work: _Workspace, delta, c1row) -> np.ndarray:
    """R = exp(j (2 pi k delta / lf + c1 ls)): one full sub-block's table to the next."""
    ratio = np.empty((plan.nband, plan.lf), dtype=np.complex64)
    d32 = delta.astype(np.float32)
    step = np.mod(c1row * plan.ls, 2 * np.pi).astype(np.float32)[:, None]

    def rows(r0, r1):
        ph = work.ph32[r0:r1]
        np.multiply.outer(d32[r0:r1], plan.two_pi_k, out=ph)
        ph += step[r0:r1]
        np.cos(ph, out=ratio.real[r0:r1])
        np.sin(ph, out=ratio.imag[r0:r1])

    parallel_rows(rows, plan.nband)
    return ratio


def _azimuth_phase_rows(plan: AzimuthPlan, work: _Workspace, blk: _Block, linear, x, s0, s1,
                        r0, r1) -> None:
    """Rows ``[r0, r1)``: the sub-block's RCMC output times its azimuth phase, into the output
    spectrum's columns ``[s0, s1)`` (the polynomial phase computed here unless linear)."""
    nsc, hsub, c32 = s1 - s0, work.hsub, blk.c32
    if not linear:                          # polynomial phase of these columns
        hp = work.hph[r0:r1, :nsc]
        np.multiply(c32[r0:r1, 0:1], x[None, :], out=hp)
        for dgr in range(1, c32.shape[1]):      # Horner (no constant)
            hp += c32[r0:r1, dgr:dgr + 1]
            hp *= x[None, :]
        np.cos(hp, out=hsub.real[r0:r1, :nsc])
        np.sin(hp, out=hsub.imag[r0:r1, :nsc])
    sbuf, bbuf, tails, c0 = work.s_t.buffer, work.bbuf, plan.tails, blk.c0
    for a, b_, k in _row_runs(blk.slices, r0, r1):
        np.multiply(hsub[a:b_, :nsc], sbuf[a:b_, tails:tails + nsc],
                    out=bbuf[k:k + b_ - a, s0 - c0:s1 - c0])


def _inverse_azimuth(plan: AzimuthPlan, work: _Workspace, blk: _Block, m_count: int):
    """Step 4: the block's output lines from its spectrum (inverse FFT, or a chirp-z
    transform when the output line rate differs from the PRF)."""
    clock, ncol = work.clock, blk.ncol
    if not plan.czt:
        if ncol < work.bbuf.shape[1]:    # columns beyond the block (input left there)
            work.bbuf[:, ncol:] = 0
        clock.tick("setup")
        work.b_t.inverse()
        clock.tick("fft", work.b_t, inverse=1)
        return work.bbuf[:m_count, :ncol]
    # chirp-z: y[m] = sum_q Y_q exp(2j pi f_q m / prf_out), f_q = f[0] + q df
    spec = np.empty((plan.nband, ncol), dtype=np.complex64)
    for d0, d1, k0 in blk.slices:
        spec[d0:d1] = work.bbuf[k0:k0 + d1 - d0, :ncol]
    out_ph = 2 * np.pi * np.mod(blk.f[0] * np.arange(m_count) / plan.grid.prf, 1.0)
    clock.tick("setup")
    return czt_axis0(spec, blk.df / plan.grid.prf, m_count, out_ph, clock=clock)


# ------------------------------------------------------------------ the focuser
def focus_azimuth(rc, *, grid: OutputGrid | None = None, doppler=None, window_kind="rect",
                  beta: float = 0.0, bandwidth: float | None = None,
                  antenna_compensation: bool | None = None, src="auto",
                  patch_lines: int | None = None, block_columns: int | None = None,
                  rcmc_block: int | None = None, height: float = 0.0, line_time=None,
                  output=None, progress: bool = False, memory_limit: float = 1.5e9) -> FocusResult:
    """Focus range-compressed data ``rc`` in azimuth onto a zero-Doppler grid: the plan
    (:func:`plan_azimuth`), then :func:`focus_block` per patch and column block.

    Parameters
    ----------
    rc : RangeCompressed
    grid : OutputGrid, RadarGrid or dict, optional
        Output grid; default :func:`default_output_grid` (raw PRF and spacing,
        fully focused lines and samples); a dict overrides parts of the default
        (:meth:`OutputGrid.override`).
    doppler : LUT2d, Poly2d, float or None
        Doppler centroid of the data [Hz] over (raw time [s], range [m]); default
        ``rc.raw.doppler`` (zero when that is None).
    window_kind, beta : azimuth weighting over the processed band (rect/kaiser/hamming).
    bandwidth : processed azimuth bandwidth [Hz] (default :func:`default_azimuth_bandwidth`).
    antenna_compensation : divide by the two-way sinc^2 azimuth antenna pattern over the
        processed band (default: when the antenna length is known); the gain is capped at 20 dB.
    src : True, False or "auto" (on when the phase error it removes exceeds 0.01 rad).
    patch_lines : azimuth FFT length (default: see :func:`plan_patches`).
    block_columns : output range samples per column block (default from ``memory_limit``).
    rcmc_block : output samples per RCMC/SRC range sub-block (default: migration change
        across it <= 1/256 sample).
    height : height [m] of the reference surface for the range model.
    line_time : "transmit" (RawProduct contract, default) or "stop-and-go"; default from
        ``rc.raw.attributes['line_time']``.
    output : path of the SLC raster to write (+ ``.json`` metadata); None: in memory.
    progress : tqdm progress bar over patches x column blocks.
    memory_limit : bytes the working buffers may take (sets the default block width; they
        take about 0.4 of it, as the output spectrum is built in the input block's buffer).
    """
    clock = Clock()
    plan = plan_azimuth(rc, grid=grid, doppler=doppler, window_kind=window_kind, beta=beta,
                        bandwidth=bandwidth, antenna_compensation=antenna_compensation, src=src,
                        patch_lines=patch_lines, block_columns=block_columns,
                        rcmc_block=rcmc_block, height=height, line_time=line_time,
                        memory_limit=memory_limit)
    grid = plan.grid
    clock.tick("init")
    work = _workspace(plan, clock)
    writer, out = None, None
    if output is None:
        out = np.zeros((grid.length, grid.width), dtype=np.complex64)
    else:
        output = os.fspath(output)
        writer = ComplexRasterOutput(output, grid.width, grid.length, image_type="slc",
                                     mapped=plan.cb < grid.width)
    clock.tick("init")
    njobs = len(plan.patches) * int(math.ceil(grid.width / plan.cb))
    bar = isce.io.progress_bar(total=njobs, desc="azimuth focusing") if progress else None
    try:
        for patch in plan.patches:
            pg = _patch_geometry(plan, patch)
            clock.tick("geometry")
            for c0 in range(0, grid.width, plan.cb):
                res = focus_block(plan, work, pg, c0)
                c1 = min(c0 + plan.cb, grid.width)
                parallel_rows(partial(_write_rows, writer, out, patch.m0, c0, c1, res),
                              pg.m_count)
                # the range-compressed input and the SLC written through maps stay resident
                # otherwise (2 x the scene at full size): drop them block by block
                isce.io.release_pages(plan.rc.data)
                if writer is not None:
                    writer.release()
                clock.tick("write")
                if bar is not None:
                    bar.update(1)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        if bar is not None:
            bar.close()
    return _focus_result(plan, work, writer, out, output)


def _write_rows(writer, out, m0, c0, c1, res, r0, r1) -> None:
    """Block lines ``[r0, r1)`` to output lines ``m0 + [r0, r1)``, columns ``[c0, c1)``."""
    if writer is not None:
        for x in range(r0, r1, _RELEASE_LINES):   # at most a few lines' pages resident
            y = min(x + _RELEASE_LINES, r1)
            writer.write(m0 + x, res[x:y], c0)
            writer.release(slice(m0 + x, m0 + y))
    else:
        out[m0 + r0:m0 + r1, c0:c1] = res[r0:r1]


def _focus_result(plan: AzimuthPlan, work: _Workspace, writer, out, output) -> FocusResult:
    """The SLC metadata (Doppler of the data, plan facts), the raster closed and reopened."""
    clock, raw, grid, rc = work.clock, plan.raw, plan.grid, plan.rc
    info = dict(plan.info)
    info["taylor_phase_error_rad"] = work.taylor_err
    info["src_phase_removed_max_rad"] = work.qpe_max
    first_full, last_full = _fully_focused_lines(grid, raw, plan.u_lo, plan.u_hi)
    info["fully_focused_lines"] = [first_full, last_full]
    dop_lut = _doppler_lut(plan.doppler, grid, plan.model0, raw)
    product = SlcProduct(
        radar_grid=grid.to_radar_grid(raw.orbit.reference_epoch, plan.wvl, raw.look_side),
        orbit=raw.orbit, doppler=dop_lut, range_bandwidth=float(rc.bandwidth),
        azimuth_bandwidth=plan.ba, range_sampling_rate=plan.fs, polarization=raw.polarization,
        platform=raw.platform, mission=raw.mission,
        attributes={"processor": "isce.focus.rda", "range_window": rc.window,
                    "range_window_beta": rc.beta, "azimuth_window": plan.window_kind,
                    "azimuth_window_beta": float(plan.beta),
                    **{k: _jsonable(v) for k, v in info.items()}})
    clock.tick("setup")
    if writer is not None:
        writer.close()
        clock.tick("close")
        product.source = ImageSource("raster", output)
        product.save(output + ".json")
        out = isce.io.open(output).data
    info["timing"] = dict(clock.totals)
    info["ffts"] = clock.inventory()
    return FocusResult(product=product, data=out, info=info)


def _src_phase(f, nu, f0, rm, v, wvl):
    """Secondary range compression phase [rad] (float32, (len(f), len(nu))): the exact 2-D
    phase of the hyperbola, ``(4 pi Rm / c) sqrt((f0 + nu)^2 - (c f / 2V)^2)``, minus its
    terms of order 0 and 1 in ``nu`` (``f0 D + nu / D``), written in a cancellation-free
    form: with ``u = nu / f0``, ``sqrt(D^2 + 2u + u^2) - D - u/D =
    -u^2 (1 - D^2) / (D^2 (sqrt(D^2 + 2u + u^2) + D + u/D))``."""
    d = np.sqrt(1.0 - (wvl * np.asarray(f, dtype=np.float64) / (2.0 * v)) ** 2)
    u = (np.asarray(nu, dtype=np.float64) / f0).astype(np.float32)[None, :]
    d32 = d.astype(np.float32)[:, None]
    q = ((1.0 - d * d) / (d * d)).astype(np.float32)[:, None]
    root = np.sqrt(d32 * d32 + (2.0 * u + u * u))
    den = root + d32 + u / d32
    scale = np.float32(4.0 * np.pi * rm * f0 / SPEED_OF_LIGHT)
    return (-scale * (u * u) * q / den).astype(np.float32)


def _jsonable(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _load_block(data, buf, a, col0, length, width, b0=0, b1=None):
    """buf[b0:b1] = data[a+b0:a+b1, col0:col0+w] with zeros outside the data (a memory map's
    pages released every ``_RELEASE_LINES`` lines)."""
    n, w = buf.shape
    b1 = n if b1 is None else b1
    buf = buf[b0:b1]
    a = a + b0
    n = b1 - b0
    r0, r1 = max(a, 0), min(a + n, length)
    c0, c1 = max(col0, 0), min(col0 + w, width)
    if r1 <= r0 or c1 <= c0:
        buf[...] = 0
        return
    if r0 > a:
        buf[:r0 - a] = 0
    if r1 < a + n:
        buf[r1 - a:] = 0
    if c0 > col0:
        buf[r0 - a:r1 - a, :c0 - col0] = 0
    if c1 < col0 + w:
        buf[r0 - a:r1 - a, c1 - col0:] = 0
    dst = buf[r0 - a:r1 - a, c0 - col0:c1 - col0]
    for x in range(r0, r1, _RELEASE_LINES):
        y = min(x + _RELEASE_LINES, r1)
        dst[x - r0:y - r0] = data[x:y, c0:c1]
        # a map's read faults also map the pages around the one touched: the block of
        # columns would keep whole lines resident (the whole input at full size)
        isce.io.release_span(data[x:y])


def _row_runs(slices, r0, r1):
    """Parts of the band rows [r0, r1) as (band row start, stop, buffer row start) runs."""
    for d0, d1, k0 in slices:
        a, b = max(d0, r0), min(d1, r1)
        if a < b:
            yield a, b, k0 + (a - d0)


def _fully_focused_lines(grid, raw, u_lo, u_hi):
    """First and last output line whose whole aperture lies inside the raw data (-1 if none)."""
    t_first = raw.sensing_start - u_lo
    t_last = raw.sensing_start + (raw.length - 1) / raw.prf - u_hi
    m0 = max(0, int(math.ceil((t_first - grid.sensing_start) * grid.prf - 1e-9)))
    m1 = min(grid.length - 1, int(math.floor((t_last - grid.sensing_start) * grid.prf + 1e-9)))
    return (m0, m1) if m1 >= m0 else (-1, -1)


def _doppler_lut(model, grid, rmodel, raw):
    """Doppler centroid of the data as a LUT2d over (zero-Doppler time, slant range)."""
    if model is None:
        return zero_doppler()
    if isinstance(model, (int, float, np.floating, np.integer)):
        return constant_doppler(float(model))
    if isinstance(model, LUT2d) and not model.have_data:
        return model
    # sample on the output grid; the data seen at zero-Doppler time t left the antenna at
    # raw time t + dt + u(f_dc): evaluate the raw-time model there
    times = grid.sensing_start + np.linspace(0.0, max(grid.length - 1, 1) / grid.prf, 8)
    ranges = grid.starting_range + np.linspace(0.0, max(grid.width - 1, 1) * grid.spacing, 16)
    tt, rr = np.meshgrid(times, ranges, indexing="ij")
    fd = _doppler_at(model, tt, rr)
    rm, dt, v = rmodel.eval(rr)
    shift = dt - raw.wavelength * fd * rm / (2.0 * v * v)
    fd = _doppler_at(model, tt + shift, rr)
    return LUT2d(ranges, times, fd, method="bilinear", bounds_error=False)
