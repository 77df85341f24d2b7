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
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT

from . import fft as _fft
from .parallel import parallel_rows
from .rangemodel import fit_range_model
from .weighting import parse_window, window

__all__ = ["OutputGrid", "FocusResult", "focus_azimuth", "default_azimuth_bandwidth", "Clock",
           "default_output_grid", "plan_patches", "src_phase_error", "czt_axis0"]

log = logging.getLogger(__name__)

#: sinc^4(x) = 1/2 at x = 0.3191: the two-way (sinc^2 voltage) pattern's -3 dB point
_TWO_WAY_3DB = 0.31908


# ------------------------------------------------------------------ timing
class Clock:
    """Accumulates wall time per named section (``tick(name)`` charges the time since the
    previous tick to ``name``) and counts the FFTs run per transform shape, so that a
    benchmark can replay the same FFTs alone (the "FFT floor")."""

    def __init__(self):
        import time

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
        from isce.core.radargrid import RadarGrid

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


# ------------------------------------------------------------------ the focuser
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


def focus_azimuth(rc, *, grid: OutputGrid | None = None, doppler=None, window_kind="rect",
                  beta: float = 0.0, bandwidth: float | None = None,
                  antenna_compensation: bool | None = None, src="auto",
                  patch_lines: int | None = None, block_columns: int | None = None,
                  rcmc_block: int | None = None, height: float = 0.0, line_time=None,
                  output=None, progress: bool = False, memory_limit: float = 1.5e9) -> FocusResult:
    """Focus range-compressed data ``rc`` in azimuth onto a zero-Doppler grid.

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
    memory_limit : bytes the working buffers may take (sets the default block width).
    """
    from isce.sensors.product import ImageSource, SlcProduct

    raw = rc.raw
    orbit = raw.orbit
    wvl = float(raw.wavelength)
    prf = float(raw.prf)
    fs = float(raw.range_sampling_rate)
    dr = raw.range_pixel_spacing
    r0_in = float(raw.starting_range)
    width_in = int(raw.width)
    length_in = int(raw.length)
    window_kind = parse_window(window_kind)
    if line_time is None:
        line_time = raw.attributes.get("line_time", "transmit") if raw.attributes else "transmit"
    dop_model = raw.doppler if doppler is None else doppler

    def fdc_fn(t, r):
        return _doppler_at(dop_model, t, r)

    clock = Clock()
    # ---------------------------------------------------------- scene-level geometry
    overrides = None
    if isinstance(grid, dict):
        overrides, grid = dict(grid), None
    elif grid is not None and not isinstance(grid, OutputGrid):
        grid = OutputGrid.from_radar_grid(grid)
    t_mid_raw = raw.sensing_start + 0.5 * (length_in - 1) / prf
    if grid is not None:
        r_span = (grid.starting_range, grid.starting_range + (grid.width - 1) * grid.spacing)
        t_scene = grid.sensing_start + 0.5 * (grid.length - 1) / grid.prf
    else:
        r_span = (r0_in + rc.valid[0] * dr, r0_in + (rc.valid[1] - 1) * dr)
        t_scene = t_mid_raw
    _, vel = orbit.interpolate(np.array([t_scene]))
    speed = float(np.linalg.norm(vel[0]))
    ba = float(bandwidth) if bandwidth else default_azimuth_bandwidth(raw, speed)
    if not 0 < ba <= prf:
        raise ValueError(f"azimuth bandwidth {ba} Hz must be in (0, PRF = {prf} Hz]")
    fdc_mid = float(np.mean(fdc_fn(t_mid_raw, np.linspace(*r_span, 5))))
    band = (fdc_mid - 0.5 * ba, fdc_mid + 0.5 * ba)
    model0 = fit_range_model(orbit, wvl, raw.look_side, t_scene, np.array(r_span),
                             band=band, aperture=2 * ba * wvl * r_span[1] / (2 * speed ** 2) + 0.2,
                             height=height, line_time=line_time)
    if grid is None:
        grid = default_output_grid(rc, model0, fdc_fn, ba)
        if overrides:
            grid = grid.override(overrides, orbit)
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

    # ---------------------------------------------------------- patches and blocks
    n_az, patches, need = plan_patches(grid, raw.sensing_start, prf, length_in, u_lo, u_hi,
                                       patch_lines)
    # migration span (samples) over the band: RCM(f) = Rm / D(f) - R, max at the far range
    f_ext = np.array([fdc_nodes.min() - 0.5 * ba, fdc_nodes.max() + 0.5 * ba, fdc_nodes.mean()])
    rcm = []
    for r in (out_ranges[0], out_ranges[-1]):
        rm, _, v = model0.eval(r)
        dd = np.sqrt(1.0 - (wvl * f_ext / (2 * v)) ** 2)
        rcm.extend(list((rm / dd - r) / dr))
        rcm.append(float((rm - r) / dr))
    rcm_lo, rcm_hi = min(rcm), max(rcm)
    slope = max(abs(rcm[0] - rcm[4]), abs(rcm[1] - rcm[5])) / max(grid.width - 1, 1)
    tails = 32                                  # samples kept clear of circular wrap
    if rcmc_block is None:
        # mean migration change across half a sub-block <= 1/256 sample (band average ~1/3 max)
        rcmc_block = int(min(max(int(2 * (1 / 256) / max(slope / 3.0, 1e-12)), 64), 2048))
    ls_target = int(max(8, min(rcmc_block, grid.width)))
    spread = int(math.ceil(rcm_hi - rcm_lo + slope * ls_target)) + 2
    # column blocks (output samples per block) from the memory budget
    row_bytes = 8 * n_az
    if block_columns is None:
        cb = int(memory_limit / (row_bytes * 3.2)) - (spread + 2 * tails)
        cb = max(ls_target, (cb // ls_target) * ls_target)
    else:
        cb = max(1, int(block_columns))
    cb = min(cb, grid.width)
    nsub = int(math.ceil(cb / ls_target))
    ls = int(math.ceil(cb / nsub))              # equal sub-blocks
    lf = _fft.next_fast_len(ls + spread + 2 * tails)
    wa = (nsub - 1) * ls + lf + 4               # input columns per block
    if (wa * 8) % 4096 == 0:                    # avoid cache-aliasing strides for the axis-0 FFTs
        wa += 8
    wb = cb if (cb * 8) % 4096 else cb + 8
    plan_info = {"patch_lines": n_az, "patches": len(patches), "aperture_lines": need,
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

    clock.tick("init")
    # ---------------------------------------------------------- buffers and plans
    nband = int(math.floor(ba * n_az / prf))
    nband = max(1, min(nband, n_az))
    a_t = _fft.Transform((n_az, wa), axis=0)
    czt = abs(grid.prf - prf) > 1e-9 * prf
    # in place (FFTW's out-of-place axis-0 plans are ~3x slower here): the rows outside
    # the processed band are cleared for every block
    b_t = None if czt else _fft.Transform((n_az, wb), axis=0)
    bbuf = np.empty((n_az, wb), dtype=np.complex64) if czt else b_t.buffer
    s_t = _fft.Transform((nband, lf), axis=1)
    sbuf = s_t.buffer
    clock.tick("plans")
    k_lf = (np.fft.fftfreq(lf) * lf).astype(np.float64)   # signed range bins
    nu_hz = k_lf * fs / lf                                 # signed range frequency [Hz]
    f0 = SPEED_OF_LIGHT / wvl
    tab = np.empty((nband, lf), dtype=np.complex64)
    ph32 = np.empty((nband, lf), dtype=np.float32)
    hsub = np.empty((nband, ls), dtype=np.complex64)
    hph = np.empty((nband, ls), dtype=np.float32)
    two_pi_k = (2 * np.pi * k_lf / lf).astype(np.float32)

    # ---------------------------------------------------------- output
    writer = None
    if output is None:
        out = np.zeros((grid.length, grid.width), dtype=np.complex64)
    else:
        from .output import ComplexRasterOutput

        output = os.fspath(output)
        writer = ComplexRasterOutput(output, grid.width, grid.length, image_type="slc",
                                     mapped=cb < grid.width)
        out = None

    clock.tick("init")
    njobs = len(patches) * int(math.ceil(grid.width / cb))
    bar = None
    if progress:
        from isce.io import progress_bar

        bar = progress_bar(total=njobs, desc="azimuth focusing")
    qpe_max = 0.0
    taylor_err = 0.0
    src_cache = {}              # SRC phase table per band position (geometry-insensitive)
    try:
        for patch in patches:
            model = fit_range_model(orbit, wvl, raw.look_side, patch.t_ref,
                                    np.array([out_ranges[0], out_ranges[-1]]), band=band,
                                    aperture=1.0, height=height, line_time=line_time)
            clock.tick("geometry")
            eta_a = raw.sensing_start + patch.a / prf
            t_s = float(grid.times(patch.m0))
            m_count = patch.m1 - patch.m0
            for c0 in range(0, grid.width, cb):
                c1 = min(c0 + cb, grid.width)
                ncol = c1 - c0
                r_cb = float(grid.ranges(0.5 * (c0 + c1 - 1)))
                fdc_b = float(fdc_fn(patch.t_ref, r_cb))
                # the processed band: nband bins from k_start (lowest frequency) upwards
                df = prf / n_az
                k_start = int(math.ceil((fdc_b - 0.5 * ba) / df - 1e-9))
                kk = k_start + np.arange(nband)
                f = kk * df                                    # unwrapped Doppler [Hz]
                first = n_az - (k_start % n_az)                # rows before the wrap
                slices = [(0, min(first, nband), k_start % n_az)]
                if first < nband:
                    slices.append((first, nband, 0))
                # row weights: window / antenna pattern, FFT normalisations, amplitude
                wrow = window(window_kind, (f - fdc_b) / ba, beta)
                if ant_len is not None:
                    g = np.sinc(ant_len * (f - fdc_b) / (2.0 * model.platform_speed)) ** 2
                    wrow = wrow / np.maximum(g, 0.1)
                amp = float(np.sqrt(model.azimuth_fm_rate(r_cb)) / ba)
                wrow = (wrow * amp / (n_az * lf)).astype(np.float32)
                # azimuth phase psi(f, R) = psi_c(f) + cubic in (j - block centre)
                half = 0.5 * (ncol - 1)

                def psi(fr, x, r_cb=r_cb, model=model):
                    r = r_cb + x * dr
                    rm_, dt_, v_ = model.eval(r)
                    s2 = (wvl * fr / (2.0 * v_)) ** 2
                    dm1 = -s2 / (1.0 + np.sqrt(1.0 - s2))
                    return (4 * np.pi * rm_ * dm1 / wvl + 4 * np.pi * (rm_ - r) / wvl
                            + 2 * np.pi * fr * dt_ + np.pi / 4)

                psi_c = psi(f, 0.0)
                for deg in (1, 2, 3):                       # lowest degree within 5 mrad
                    coef, err = _taylor_coefficients(lambda fr, x: psi(fr, x) - psi(fr, 0.0 * x),
                                                     f, max(half, 1.0), deg)
                    if err < 5e-3:
                        break
                taylor_err = max(taylor_err, err)
                c32 = coef.T.astype(np.float32)                # (nband, deg), x^deg .. x^1
                # row phase: psi_c + time placement (output sample 0 at t_s)
                row_phase = np.mod(psi_c + 2 * np.pi * f * (t_s - eta_a), 2 * np.pi)
                # SRC phase at the block centre range (exact hyperbola, beyond order 1 in nu)
                clock.tick("setup")
                src_ph = None
                if use_src:
                    # at mid range (it scales with R: < 0.01 rad across a swath) and computed
                    # once for all patches (the geometry changes far less along the orbit)
                    if k_start not in src_cache:
                        rm_b, _, v_b = (float(x) for x in model.eval(float(np.mean(out_ranges))))
                        src_cache.clear()
                        src_cache[k_start] = _src_phase(f, nu_hz, f0, rm_b, v_b, wvl)
                        inb = np.abs(nu_hz) <= 0.5 * rc.bandwidth
                        qpe_max = max(qpe_max, float(np.max(np.abs(src_cache[k_start][:, inb]))))
                    src_ph = src_cache[k_start]
                # ---- load and azimuth-transform the input columns
                p_first = int(math.floor((grid.ranges(c0) - r0_in) / dr + rcm_lo)) - tails - 1
                clock.tick("src table")
                parallel_rows(lambda r0, r1: _load_block(rc.data, a_t.buffer, patch.a, p_first,
                                                         length_in, width_in, r0, r1), n_az)
                clock.tick("load")
                a_t.forward()
                clock.tick("fft", a_t, forward=1)
                abuf = a_t.buffer
                wcol = wrow[:, None]
                # rows of B outside the band are zero (at most two runs of rows)
                if not czt:
                    k_end = (k_start + nband) % n_az        # first row after the band
                    k_beg = k_start % n_az
                    runs = ([(k_end, k_beg)] if k_end <= k_beg else [(0, k_beg), (k_end, n_az)])
                    for z0, z1 in runs:
                        if z1 > z0:
                            parallel_rows(lambda r0, r1, z0=z0: bbuf[z0 + r0:z0 + r1].fill(0),
                                          z1 - z0)
                    if ncol < wb:
                        bbuf[:, ncol:] = 0
                clock.tick("zero rows")
                # ---- range sub-blocks: RCMC (+ SRC), then the azimuth phase
                add = src_ph                            # SRC table (or None); row phase below
                subs = []                               # exact per-row shift of each sub-block
                for s0 in range(c0, c1, ls):
                    s1 = min(s0 + ls, c1)
                    jc = 0.5 * (s0 + s1 - 1)
                    rm, _, v = (float(x) for x in model.eval(float(grid.ranges(jc))))
                    dd = np.sqrt(1.0 - (wvl * f / (2.0 * v)) ** 2)
                    q0 = int(math.floor((grid.ranges(s0) - r0_in) / dr + rcm_lo)) - tails - p_first
                    if q0 < 0 or q0 + lf > wa:
                        raise RuntimeError(f"internal: sub-block window [{q0}, {q0 + lf}) outside "
                                           f"the input block of {wa} columns")
                    pos = (rm / dd - r0_in) / dr - p_first - q0   # content of sample jc in S
                    subs.append((s0, s1, q0, pos - (jc - s0) - tails))
                # Linear azimuth phase (the usual case): exp(j c1 x) of the first sub-block's
                # columns serves them all, the rest is a per-row factor exp(j c1 (s0 - s0_first))
                # folded into the RCMC table. The tables of successive full sub-blocks differ by
                # a fixed factor R when the shifts grow linearly (the migration's curvature
                # across a block is ~1e-6 sample): table_b = table_(b-1) R.
                linear = c32.shape[1] == 1
                c1row = coef[-1] if linear else np.zeros(nband)
                first_s0 = subs[0][0]
                delta = subs[1][3] - subs[0][3] if len(subs) > 1 else np.zeros(nband)
                recur = len(subs) > 2 or (len(subs) == 2 and subs[1][1] - subs[1][0] == ls)
                for b, (s0, s1, q0, shift) in enumerate(subs):
                    if b > 0 and np.max(np.abs(shift - subs[0][3] - b * delta)) > 1e-4:
                        recur = False
                if linear:
                    xs = (np.arange(first_s0, first_s0 + ls, dtype=np.float64)
                          - c0 - half).astype(np.float32)
                    c1_32 = c1row.astype(np.float32)

                    def first_phase(r0, r1, xs=xs, c1_32=c1_32):
                        hp = hph[r0:r1, :ls]
                        np.multiply.outer(c1_32[r0:r1], xs, out=hp)
                        np.cos(hp, out=hsub.real[r0:r1, :ls])
                        np.sin(hp, out=hsub.imag[r0:r1, :ls])

                    parallel_rows(first_phase, nband)
                ratio = None
                for b, (s0, s1, q0, shift) in enumerate(subs):
                    nsc = s1 - s0
                    exact = b == 0 or not recur or nsc != ls
                    row_extra = np.mod(c1row * (s0 - first_s0) + row_phase, 2 * np.pi)
                    sh32 = shift.astype(np.float32)
                    ex32 = row_extra.astype(np.float32)[:, None]

                    def table_and_gather(r0, r1, q0=q0, sh32=sh32, ex32=ex32, exact=exact):
                        if exact:
                            ph = ph32[r0:r1]
                            np.multiply.outer(sh32[r0:r1], two_pi_k, out=ph)
                            if add is not None:
                                ph += add[r0:r1]
                            ph += ex32[r0:r1]
                            np.cos(ph, out=tab.real[r0:r1])
                            np.sin(ph, out=tab.imag[r0:r1])
                        else:
                            np.multiply(tab[r0:r1], ratio[r0:r1], out=tab[r0:r1])
                        for a, b_, k in _row_runs(slices, r0, r1):  # band rows, weighted
                            np.multiply(abuf[k:k + b_ - a, q0:q0 + lf], wcol[a:b_], out=sbuf[a:b_])

                    clock.tick("setup")
                    parallel_rows(table_and_gather, nband)
                    if b == 0 and recur:                 # R = exp(j (2 pi k delta / lf + c1 ls))
                        ratio = np.empty((nband, lf), dtype=np.complex64)
                        d32 = delta.astype(np.float32)
                        step = np.mod(c1row * ls, 2 * np.pi).astype(np.float32)[:, None]

                        def ratio_table(r0, r1):
                            ph = ph32[r0:r1]
                            np.multiply.outer(d32[r0:r1], two_pi_k, out=ph)
                            ph += step[r0:r1]
                            np.cos(ph, out=ratio.real[r0:r1])
                            np.sin(ph, out=ratio.imag[r0:r1])

                        parallel_rows(ratio_table, nband)
                    clock.tick("rcmc table")
                    s_t.forward()
                    clock.tick("fft", s_t, forward=1)
                    parallel_rows(lambda r0, r1: np.multiply(sbuf[r0:r1], tab[r0:r1],
                                                             out=sbuf[r0:r1]), nband)
                    clock.tick("rcmc multiply")
                    s_t.inverse()
                    clock.tick("fft", s_t, inverse=1)
                    x = (np.arange(s0, s1, dtype=np.float64) - c0 - half).astype(np.float32)

                    def azimuth_phase(r0, r1, x=x, nsc=nsc, s0=s0, s1=s1):
                        if not linear:                  # polynomial phase of these columns
                            hp = hph[r0:r1, :nsc]
                            np.multiply(c32[r0:r1, 0:1], x[None, :], out=hp)
                            for dgr in range(1, c32.shape[1]):      # Horner (no constant)
                                hp += c32[r0:r1, dgr:dgr + 1]
                                hp *= x[None, :]
                            np.cos(hp, out=hsub.real[r0:r1, :nsc])
                            np.sin(hp, out=hsub.imag[r0:r1, :nsc])
                        for a, b_, k in _row_runs(slices, r0, r1):
                            np.multiply(hsub[a:b_, :nsc], sbuf[a:b_, tails:tails + nsc],
                                        out=bbuf[k:k + b_ - a, s0 - c0:s1 - c0])

                    parallel_rows(azimuth_phase, nband)
                    clock.tick("azimuth phase")
                # ---- inverse azimuth transform onto the output lines
                if not czt:
                    clock.tick("setup")
                    b_t.inverse()
                    clock.tick("fft", b_t, inverse=1)
                    res = bbuf[:m_count, :ncol]
                else:
                    # chirp-z: y[m] = sum_q Y_q exp(2j pi f_q m / prf_out), f_q = f[0] + q df
                    spec = np.empty((nband, ncol), dtype=np.complex64)
                    for d0, d1, k0 in slices:
                        spec[d0:d1] = bbuf[k0:k0 + d1 - d0, :ncol]
                    out_ph = 2 * np.pi * np.mod(f[0] * np.arange(m_count) / grid.prf, 1.0)
                    clock.tick("setup")
                    res = czt_axis0(spec, df / grid.prf, m_count, out_ph, clock=clock)
                def write(r0, r1, res=res):
                    if writer is not None:
                        writer.write(patch.m0 + r0, res[r0:r1], c0)
                    else:
                        out[patch.m0 + r0:patch.m0 + r1, c0:c1] = res[r0:r1]

                parallel_rows(write, m_count)
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
    plan_info["taylor_phase_error_rad"] = taylor_err
    plan_info["src_phase_removed_max_rad"] = qpe_max

    # ---------------------------------------------------------- metadata
    first_full, last_full = _fully_focused_lines(grid, raw, u_lo, u_hi)
    plan_info["fully_focused_lines"] = [first_full, last_full]
    dop_lut = _doppler_lut(dop_model, grid, model0, raw)
    product = SlcProduct(
        radar_grid=grid.to_radar_grid(orbit.reference_epoch, wvl, raw.look_side),
        orbit=orbit, doppler=dop_lut, range_bandwidth=float(rc.bandwidth),
        azimuth_bandwidth=ba, range_sampling_rate=fs, polarization=raw.polarization,
        platform=raw.platform, mission=raw.mission,
        attributes={"processor": "isce.focus.rda", "range_window": rc.window,
                    "range_window_beta": rc.beta, "azimuth_window": window_kind,
                    "azimuth_window_beta": float(beta),
                    **{k: _jsonable(v) for k, v in plan_info.items()}})
    clock.tick("setup")
    if writer is not None:
        writer.close()
        clock.tick("close")
        product.source = ImageSource("raster", output)
        product.save(output + ".json")
        import isce.io

        out = isce.io.open(output).data
    plan_info["timing"] = dict(clock.totals)
    plan_info["ffts"] = clock.inventory()
    return FocusResult(product=product, data=out, info=plan_info)


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
    """buf[b0:b1] = data[a+b0:a+b1, col0:col0+w] with zeros outside the data."""
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
    buf[r0 - a:r1 - a, c0 - col0:c1 - col0] = data[r0:r1, c0:c1]


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
    from isce.core.doppler import constant_doppler, zero_doppler
    from isce.core.lut import LUT2d

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
