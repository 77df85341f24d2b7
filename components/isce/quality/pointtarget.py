"""Point-target analysis of a focused SLC: position, -3 dB width, PSLR and ISLR.

:func:`analyze_point_target` measures a point target (a corner reflector or a
simulated point) of known longitude, latitude and height in an SLC product:

1. **Prediction.** geo2rdr of the target with the product's orbit gives its
   azimuth time and slant range, hence its fractional line and pixel. The
   convention is that the image is on a **zero-Doppler grid** (ISCE3 RSLCs and
   our focuser's products are): geo2rdr is solved for zero Doppler, whatever
   Doppler centroid the product records (that centroid is where the azimuth
   *spectrum* sits, not where the target is). ``native_doppler=True`` solves
   for the product's Doppler instead, for products on a native-Doppler grid.
2. **Chip.** The brightest sample within ``search`` pixels of the prediction
   centres a ``chip`` x ``chip`` window (samples outside the image are zero).
3. **Oversampling.** The chip's spectrum is moved to baseband before padding:
   in each direction the spectral centre is estimated as the circular centroid
   of the power spectrum (in azimuth this is the Doppler centroid; the same as
   the phase of the lag-one autocorrelation), rounded to a whole FFT bin, and
   the spectrum rolled so that the zero padding goes into the spectral gap
   (the bin at the edge is split in two halves, as usual for an even length).
   The result is the band-limited (trigonometric) interpolant of the chip,
   i.e. exactly what FFT zero-padding by any factor gives at its samples;
   :func:`oversample` returns that zero-padded chip, and
   :class:`ChipInterpolant` evaluates the same interpolant at any point.
4. **Peak.** The maximum of |interpolant| on a grid of ``1/oversample`` pixel
   around the brightest sample, then refined (Nelder-Mead on the interpolant
   itself) to ~1e-6 pixel.
5. **Cuts.** The interpolant along the image axes through the peak (range:
   constant line; azimuth: constant pixel), sampled every ``1/oversample``
   pixel over the chip (one pixel short of its edges), as power normalised to
   the peak.

For each cut (:func:`cut_metrics`):

* ``irw_px``: the -3 dB (half-power) width, crossings found by root finding on
  the interpolant; ``irw_m`` = ``irw_px`` x the sample spacing: slant-range
  pixel spacing in range; in azimuth the *ground* distance between lines,
  ``v_ground / PRF``, where ``v_ground`` is the speed at which the zero-Doppler
  point at the target's slant range moves over the surface of the target's
  height (from rdr2geo one tenth of a second either side; the platform speed
  and the spacing it would give are reported too).
* nulls: local minima of the cut (refined on the interpolant), counted
  outwards from the peak. The **main lobe** lies between the first null on
  either side.
* ``pslr_db``: 10 log10 of the highest sidelobe power over the main-lobe peak,
  the sidelobes being those used for the ISLR.
* ``islr_db``: 10 log10 of the energy of ``num_sidelobes`` (10) sidelobes on
  each side (from the first to the 11th null) over the main-lobe energy,
  integrated on the interpolant. An ideal sinc gives -10.11 dB with this
  definition (-9.68 dB with all its sidelobes); if a cut ends before the 11th
  null the sidelobes up to its end are used and ``islr_sidelobes`` says how
  many were found on each side.
* ``offset_px``: measured peak - predicted position, in pixels (range) or
  lines (azimuth).

Positions are in image coordinates: line 0 / pixel 0 is the first sample,
so a target at ``t`` is at line ``(t - sensing_start) * prf``.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.integrate import simpson, trapezoid
from scipy.optimize import brentq, minimize, minimize_scalar

from isce.core.ellipsoid import WGS84
from isce.framework.errors import InputError
from isce.geometry import geo2rdr_points, rdr2geo_points
from isce.sensors.product_files import load_product

__all__ = ["analyze_point_target", "analyze_chip", "predict_position", "spectral_centre",
           "oversample", "ChipInterpolant", "cut_metrics", "format_summary"]

DIRECTIONS = ("range", "azimuth")


def _trapezoid(y, x):
    return trapezoid(y, x)


# ----------------------------------------------------------------------------- spectra
def spectral_centre(chip, axis: int) -> float:
    """Centre of the chip's spectrum along ``axis`` [cycles/sample, in (-0.5, 0.5]].

    The circular centroid of the power spectrum summed over the other axis,
    ``angle(sum_k P(k) exp(2j pi k/N)) / 2 pi``: the phase of the circular
    lag-one autocorrelation. In azimuth times the PRF it is the Doppler centroid.
    """
    z = np.asarray(chip)
    if z.ndim == 1:
        z = z[None, :] if axis in (1, -1) else z[:, None]
    n = z.shape[axis]
    if n < 2:
        return 0.0
    power = np.sum(np.abs(np.fft.fft(z, axis=axis)) ** 2, axis=1 - (axis % 2))
    phasor = np.sum(power * np.exp(2j * np.pi * np.arange(n) / n))
    if not np.isfinite(phasor) or abs(phasor) == 0:
        return 0.0
    return float(np.angle(phasor) / (2 * np.pi))


def _axis_frequencies(n: int, centre: float):
    """FFT bin index, frequency [cycles/sample] and weight of the band centred on ``centre``.

    The bins are taken as their aliases in the band of width 1 centred on the
    bin nearest ``centre``; for even ``n`` the bin at the band edge is split in
    two halves at both ends (what zero padding between them does).
    """
    shift = int(round(centre * n))
    k = np.arange(n)
    rel = (k - shift + n // 2) % n - n // 2        # in [-n//2, (n-1)//2]
    idx, rel, weight = list(k), list(rel.astype(float)), [1.0] * n
    if n % 2 == 0:
        edge = int(np.nonzero(np.asarray(rel) == -(n // 2))[0][0])
        weight[edge] = 0.5
        idx.append(edge)
        rel.append(n // 2)
        weight.append(0.5)
    freq = (np.asarray(rel) + shift) / n
    return np.asarray(idx), freq, np.asarray(weight)


class ChipInterpolant:
    """The band-limited interpolant of a complex chip, its spectrum centred first.

    ``centre``: (azimuth, range) spectral centres [cycles/sample]; default
    :func:`spectral_centre` of the chip. ``f(y, x)`` at sample coordinates
    (line y, pixel x of the chip; integers give the samples back) is the FFT
    zero-padded chip at any oversampling, evaluated exactly.
    """

    def __init__(self, chip, centre=None):
        z = np.asarray(chip, dtype=np.complex128)
        if z.ndim != 2 or min(z.shape) < 4:
            raise ValueError(f"a chip must be a 2-D array of at least 4 x 4 samples, got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError("the chip has non-finite samples")
        self.shape = z.shape
        if centre is None:
            centre = (spectral_centre(z, 0), spectral_centre(z, 1))
        self.centre = (float(centre[0]), float(centre[1]))
        m, n = z.shape
        iy, self.fy, wy = _axis_frequencies(m, self.centre[0])
        ix, self.fx, wx = _axis_frequencies(n, self.centre[1])
        spectrum = np.fft.fft2(z)
        self._spec = spectrum[np.ix_(iy, ix)] * np.outer(wy, wx) / (m * n)

    def __call__(self, y, x):
        """Interpolant on the grid ``y`` x ``x`` (1-D arrays or scalars) -> (ny, nx) complex."""
        y = np.atleast_1d(np.asarray(y, dtype=np.float64))
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        ey = np.exp(2j * np.pi * np.outer(y, self.fy))
        ex = np.exp(2j * np.pi * np.outer(self.fx, x))
        return ey @ self._spec @ ex

    def at(self, y, x) -> complex:
        """Interpolant at one point."""
        return complex(self(y, x)[0, 0])

    def line(self, y0, x0, u, axis: int):
        """Interpolant along ``axis`` (0 azimuth, 1 range) through (y0, x0), at offsets ``u``."""
        u = np.atleast_1d(np.asarray(u, dtype=np.float64))
        if axis == 0:
            return self(y0 + u, x0)[:, 0]
        return self(y0, x0 + u)[0, :]


def oversample(chip, factor: int = 32, centre=None) -> np.ndarray:
    """The chip FFT zero-padded ``factor`` times in both directions (complex128).

    The spectrum is centred first as :class:`ChipInterpolant` does; sample
    ``[factor * i, factor * j]`` of the result is sample ``[i, j]`` of the chip.
    """
    f = ChipInterpolant(chip, centre)
    m, n = f.shape
    factor = int(factor)
    if factor < 1:
        raise ValueError(f"oversampling factor must be >= 1, got {factor}")
    return f(np.arange(m * factor) / factor, np.arange(n * factor) / factor)


# ----------------------------------------------------------------------------- peak
def _refine_peak(f: ChipInterpolant, y0: float, x0: float, step: float):
    def cost(p):
        return -abs(f.at(p[0], p[1])) ** 2

    scale = abs(f.at(y0, x0)) ** 2 or 1.0
    res = minimize(lambda p: cost(p) / scale, np.array([y0, x0]), method="Nelder-Mead",
                   options={"xatol": 1e-7, "fatol": 1e-14, "maxiter": 2000,
                            "initial_simplex": [[y0, x0], [y0 + step, x0], [y0, x0 + step]]})
    y, x = res.x
    if max(abs(y - y0), abs(x - x0)) > 2 * step or -res.fun < 1.0:  # stay on the grid peak
        y, x = y0, x0
    return float(y), float(x)


def locate_peak(f: ChipInterpolant, y_guess: float, x_guess: float, oversample: int = 32,
                radius: float = 1.0):
    """Sub-pixel maximum of |f| near (y_guess, x_guess): grid of 1/oversample, then refined."""
    steps = np.arange(-int(round(radius * oversample)), int(round(radius * oversample)) + 1) / oversample
    grid = np.abs(f(y_guess + steps, x_guess + steps))
    i, j = np.unravel_index(int(np.argmax(grid)), grid.shape)
    y, x = _refine_peak(f, y_guess + steps[i], x_guess + steps[j], 1.0 / oversample)
    return y, x, abs(f.at(y, x))


# ----------------------------------------------------------------------------- one cut
def _local_minima(p: np.ndarray, start: int, direction: int) -> list[int]:
    """Indices of local minima of ``p`` scanning from ``start`` by ``direction`` (+1/-1)."""
    out = []
    i = start + direction
    while 0 < i < p.size - 1:
        if p[i] <= p[i - 1] and p[i] <= p[i + 1] and (p[i] < p[i - 1] or p[i] < p[i + 1]):
            out.append(i)
        i += direction
    return out


def cut_metrics(power, u=None, *, num_sidelobes: int = 10, fine=None) -> dict:
    """-3 dB width, nulls, PSLR and ISLR of one cut through a peak.

    ``power(u)``: vectorised power at offsets ``u`` [pixels] from the peak,
    normalised to 1 at u = 0 (or an array sampled at ``u``, then the sampled
    values are used without refinement). ``u``: the sampled offsets (increasing,
    containing 0). Returns ``irw_px``, ``pslr_db``, ``islr_db``,
    ``first_nulls_px`` (left, right), ``mainlobe_px`` and ``islr_sidelobes``
    (sidelobes found on the left and the right, at most ``num_sidelobes``).
    """
    u = np.asarray(u, dtype=np.float64)
    if callable(power):
        func = power
        p = np.asarray(func(u), dtype=np.float64)
    else:
        p = np.asarray(power, dtype=np.float64)
        func = None
    if p.shape != u.shape or u.size < 5:
        raise ValueError("a cut needs matching power and offset arrays of at least 5 samples")
    c = int(np.argmin(np.abs(u)))
    du = float(np.median(np.diff(u)))
    result = {"irw_px": math.nan, "pslr_db": math.nan, "islr_db": math.nan,
              "first_nulls_px": [math.nan, math.nan], "mainlobe_px": math.nan,
              "islr_sidelobes": [0, 0]}

    # -3 dB crossings
    half = []
    for direction in (-1, 1):
        i = c
        while 0 <= i + direction < p.size and p[i + direction] >= 0.5:
            i += direction
        j = i + direction
        if not 0 <= j < p.size:
            return result  # the main lobe does not drop by 3 dB within the cut
        a, b = sorted((u[i], u[j]))
        if func is not None:
            x = brentq(lambda v: float(func(np.array([v]))[0]) - 0.5, a, b, xtol=1e-10)
        else:
            pa, pb = (p[i], p[j]) if u[i] < u[j] else (p[j], p[i])
            x = a + (0.5 - pa) * (b - a) / (pb - pa)
        half.append(x)
    result["irw_px"] = float(half[1] - half[0])
    start = {-1: int(np.searchsorted(u, half[0])), 1: int(np.searchsorted(u, half[1]))}

    def refine_min(i):
        if func is None:
            return float(u[i])
        r = minimize_scalar(lambda v: float(func(np.array([v]))[0]), bounds=(u[i - 1], u[i + 1]),
                            method="bounded", options={"xatol": 1e-9})
        return float(r.x)

    nulls = {}
    for direction in (-1, 1):
        idx = _local_minima(p, start[direction], direction)[: num_sidelobes + 1]
        nulls[direction] = [refine_min(i) for i in idx]
    if not nulls[-1] or not nulls[1]:
        return result  # no first null on one side: no main lobe to compare with
    left1, right1 = nulls[-1][0], nulls[1][0]
    result["first_nulls_px"] = [left1, right1]
    result["mainlobe_px"] = right1 - left1
    # the sidelobes: up to the (num_sidelobes + 1)-th null, or the end of the cut
    left_end = nulls[-1][-1] if len(nulls[-1]) > num_sidelobes else float(u[0])
    right_end = nulls[1][-1] if len(nulls[1]) > num_sidelobes else float(u[-1])
    # whole sidelobes between the nulls found (a last partial one up to the cut's end is used too)
    result["islr_sidelobes"] = [min(len(nulls[-1]) - 1, num_sidelobes),
                                min(len(nulls[1]) - 1, num_sidelobes)]
    fine = int(fine) if fine else 4 * max(8, int(round(1.0 / du)))   # integration samples/pixel

    def energy(a, b):
        if b <= a:
            return 0.0
        if func is None:
            sel = (u >= a) & (u <= b)
            return float(_trapezoid(p[sel], u[sel])) if sel.sum() > 1 else 0.0
        n = int(math.ceil((b - a) * fine)) // 2 * 2 + 3
        v = np.linspace(a, b, n)
        return float(simpson(func(v), x=v))

    main = energy(left1, right1)
    side = energy(left_end, left1) + energy(right1, right_end)
    if main > 0 and side > 0:
        result["islr_db"] = 10 * math.log10(side / main)

    sel = ((u >= left_end) & (u <= left1)) | ((u >= right1) & (u <= right_end))
    if sel.any():
        k = int(np.flatnonzero(sel)[np.argmax(p[sel])])
        peak_side = p[k]
        if func is not None and 0 < k < p.size - 1:
            r = minimize_scalar(lambda v: -float(func(np.array([v]))[0]), bounds=(u[k - 1], u[k + 1]),
                                method="bounded", options={"xatol": 1e-9})
            peak_side = max(peak_side, -r.fun)
        if peak_side > 0:
            result["pslr_db"] = 10 * math.log10(peak_side)
    return result


# ----------------------------------------------------------------------------- one chip
def analyze_chip(chip, *, oversample: int = 32, num_sidelobes: int = 10, centre=None,
                 guess=None, spacing=(None, None)) -> dict:
    """Measure the point target whose peak is near ``guess`` (line, pixel) of ``chip``.

    ``guess`` defaults to the brightest sample. ``centre``: (azimuth, range)
    spectral centres [cycles/sample] (default: estimated). ``spacing``:
    (azimuth, range) sample spacings [m] giving ``irw_m`` (else omitted).
    Returns ``{"range": {...}, "azimuth": {...}, "peak": {"line", "pixel",
    "amplitude"}, "spectral_centre": {"azimuth", "range"}}`` in chip coordinates;
    see :func:`cut_metrics` for the per-direction keys.
    """
    oversample = int(oversample)
    if oversample < 2:
        raise ValueError(f"oversample must be at least 2, got {oversample}")
    f = ChipInterpolant(chip, centre)
    m, n = f.shape
    if guess is None:
        guess = np.unravel_index(int(np.argmax(np.abs(np.asarray(chip)))), (m, n))
    y0, x0 = float(guess[0]), float(guess[1])
    y, x, amp = locate_peak(f, y0, x0, oversample)
    if amp <= 0:
        raise ValueError("the chip is zero: no point target to measure")
    out = {"peak": {"line": y, "pixel": x, "amplitude": float(amp)},
           "spectral_centre": {"azimuth": f.centre[0], "range": f.centre[1]}}
    for name, axis, size, dx in (("range", 1, n, spacing[1]), ("azimuth", 0, m, spacing[0])):
        pos = x if axis == 1 else y
        lo, hi = 1.0 - pos, size - 2.0 - pos   # one sample inside the chip's edges
        u = np.arange(math.ceil(lo * oversample), math.floor(hi * oversample) + 1) / oversample
        norm = amp ** 2

        def power(v, axis=axis):
            return np.abs(f.line(y, x, v, axis)) ** 2 / norm

        metrics = cut_metrics(power, u, num_sidelobes=num_sidelobes)
        metrics["irw_m"] = metrics["irw_px"] * dx if dx else None
        metrics["spectral_centre"] = f.centre[axis]
        out[name] = metrics
    return out


# ----------------------------------------------------------------------------- geometry
def _input_error(message):
    return InputError(message)


def _as_product(product_or_path, polarization="HH", frequency="A"):
    if isinstance(product_or_path, (str, Path)):
        return load_product(product_or_path, polarization, frequency)
    return product_or_path


def predict_position(product, lon: float, lat: float, height: float, *,
                     native_doppler: bool = False) -> dict:
    """Fractional line and pixel of a target (lon, lat [deg], height [m]) in ``product``.

    geo2rdr with the product's orbit, for zero Doppler (a zero-Doppler grid; see
    the module notes) or, with ``native_doppler``, for the product's Doppler.
    Returns ``{"line", "pixel", "time", "slant_range"}`` (time in s since the
    grid's epoch). Raises InputError when geo2rdr does not converge.
    """
    grid = product.radar_grid
    llh = np.array([math.radians(lon), math.radians(lat), float(height)])
    try:
        t, r, status = geo2rdr_points(llh, product.orbit, grid.wavelength, grid.look_side,
                                      doppler=product.doppler if native_doppler else None,
                                      epoch=grid.reference_epoch)
    except ValueError as exc:
        raise _input_error(f"target ({lon}, {lat}, {height}): geo2rdr failed: {exc}") from None
    t, r, status = float(np.asarray(t).reshape(-1)[0]), float(np.asarray(r).reshape(-1)[0]), \
        int(np.asarray(status).reshape(-1)[0])
    if status != 0 or not (math.isfinite(t) and math.isfinite(r)):
        raise _input_error(f"target ({lon}, {lat}, {height}): geo2rdr did not converge with the "
                           f"product's orbit (status {status}); is the target seen by this product?")
    return {"line": (t - grid.sensing_start) * grid.prf,
            "pixel": (r - grid.starting_range) / grid.range_pixel_spacing,
            "time": t, "slant_range": r}


def _velocities(product, t: float, r: float, height: float, native_doppler: bool):
    """(ground speed, platform speed) [m/s] at the target (see the module notes)."""
    pos, vel = product.orbit.interpolate(t)
    v_platform = float(np.linalg.norm(vel))
    v_ground = math.nan
    try:
        grid = product.radar_grid
        dt = 0.1
        llh, ok = rdr2geo_points(np.array([t - dt, t + dt]), np.array([r, r]), product.orbit,
                                 grid.wavelength, grid.look_side,
                                 doppler=product.doppler if native_doppler else None,
                                 heights=np.array([height, height]), epoch=grid.reference_epoch)
        if np.all(ok):
            xyz = WGS84.lon_lat_to_xyz(llh)
            v_ground = float(np.linalg.norm(xyz[1] - xyz[0]) / (2 * dt))
    except (ValueError, RuntimeError):
        pass
    if not math.isfinite(v_ground):  # spherical approximation: scale by the radii
        v_ground = v_platform * WGS84.a / float(np.linalg.norm(pos))
    return v_ground, v_platform


def analyze_point_target(product_or_path, lon: float, lat: float, height: float = 0.0, *,
                         chip: int = 64, oversample: int = 32, search: int | None = None,
                         num_sidelobes: int = 10, polarization: str = "HH", frequency: str = "A",
                         native_doppler: bool = False) -> dict:
    """Point-target analysis of the target at lon, lat [deg], height [m] (module notes).

    ``product_or_path``: an :class:`isce.sensors.SlcProduct`, or the path of an
    HDF5 RSLC (``.h5``) or product JSON. ``chip``: chip size [samples];
    ``oversample``: sampling of the cuts [per pixel]; ``search``: half-size of
    the window in which the brightest sample is looked for around the
    prediction (default ``chip // 4``).

    Returns ``{"range": {...}, "azimuth": {...}, "peak": {...}, ...}`` where each
    direction has ``irw_m``, ``irw_px``, ``pslr_db``, ``islr_db``, ``offset_px``
    (and ``first_nulls_px``, ``mainlobe_px``, ``islr_sidelobes``,
    ``spectral_centre_hz``, ``spacing_m``), and ``peak`` has ``line``,
    ``pixel``, ``predicted_line``, ``predicted_pixel``, ``amplitude``.
    Raises InputError for a missing product or a target outside the image.
    """
    chip = int(chip)
    if chip < 8:
        raise ValueError(f"chip size must be at least 8 samples, got {chip}")
    product = _as_product(product_or_path, polarization, frequency)
    grid = product.radar_grid
    where = f"{product_or_path}: " if isinstance(product_or_path, (str, Path)) else ""
    pred = predict_position(product, lon, lat, height, native_doppler=native_doppler)
    length, width = grid.length, grid.width
    line_p, pixel_p = pred["line"], pred["pixel"]
    if not (-0.5 <= line_p <= length - 0.5 and -0.5 <= pixel_p <= width - 0.5):
        raise _input_error(f"{where}target ({lon}, {lat}, {height}) is outside the image: "
                           f"predicted at line {line_p:.2f}, pixel {pixel_p:.2f} of "
                           f"{length} lines x {width} pixels")

    # brightest sample near the prediction
    search = chip // 4 if search is None else max(int(search), 0)
    il, ip = int(round(line_p)), int(round(pixel_p))
    r0, r1 = max(il - search, 0), min(il + search + 1, length)
    c0, c1 = max(ip - search, 0), min(ip + search + 1, width)
    window = np.abs(product.read(slice(r0, r1), slice(c0, c1)))
    if not np.any(window > 0) or not np.all(np.isfinite(window)):
        raise _input_error(f"{where}no finite, non-zero samples within {search} pixels of the "
                           f"predicted position (line {line_p:.2f}, pixel {pixel_p:.2f})")
    bi, bj = np.unravel_index(int(np.argmax(window)), window.shape)
    bl, bp = r0 + int(bi), c0 + int(bj)

    # the chip, centred on the brightest sample (zeros outside the image)
    half = chip // 2
    top, left = bl - half, bp - half
    data = np.zeros((chip, chip), np.complex64)
    rr0, rr1 = max(top, 0), min(top + chip, length)
    cc0, cc1 = max(left, 0), min(left + chip, width)
    data[rr0 - top:rr1 - top, cc0 - left:cc1 - left] = product.read(slice(rr0, rr1), slice(cc0, cc1))
    truncated = (rr0, rr1, cc0, cc1) != (top, top + chip, left, left + chip)

    v_ground, v_platform = _velocities(product, pred["time"], pred["slant_range"], height,
                                       native_doppler)
    az_spacing = v_ground / grid.prf
    rg_spacing = grid.range_pixel_spacing
    res = analyze_chip(data, oversample=oversample, num_sidelobes=num_sidelobes,
                       guess=(half, half), spacing=(az_spacing, rg_spacing))

    line_m = top + res["peak"]["line"]
    pixel_m = left + res["peak"]["pixel"]
    fs_range = product.range_sampling_rate or (2.99792458e8 / (2 * rg_spacing))
    try:
        product_doppler = float(product.doppler.eval(pred["time"], pred["slant_range"]))
    except (ValueError, RuntimeError):
        product_doppler = None
    out = {}
    for name, measured, predicted, spacing, rate in (
            ("range", pixel_m, pixel_p, rg_spacing, fs_range),
            ("azimuth", line_m, line_p, az_spacing, grid.prf)):
        m = res[name]
        out[name] = {"irw_m": m["irw_m"], "irw_px": m["irw_px"], "pslr_db": m["pslr_db"],
                     "islr_db": m["islr_db"], "offset_px": measured - predicted,
                     "offset_m": (measured - predicted) * spacing, "spacing_m": spacing,
                     "first_nulls_px": m["first_nulls_px"], "mainlobe_px": m["mainlobe_px"],
                     "islr_sidelobes": m["islr_sidelobes"],
                     "spectral_centre_hz": m["spectral_centre"] * rate}
    out["azimuth"]["ground_velocity"] = v_ground
    out["azimuth"]["platform_velocity"] = v_platform
    out["azimuth"]["irw_m_platform"] = (out["azimuth"]["irw_px"] * v_platform / grid.prf)
    out["azimuth"]["product_doppler_hz"] = product_doppler
    out["peak"] = {"line": line_m, "pixel": pixel_m, "predicted_line": line_p,
                   "predicted_pixel": pixel_p, "amplitude": res["peak"]["amplitude"],
                   "amplitude_db": 20 * math.log10(res["peak"]["amplitude"]),
                   "brightest_sample": [bl, bp], "time": pred["time"],
                   "slant_range": pred["slant_range"]}
    out["target"] = {"lon": float(lon), "lat": float(lat), "height": float(height)}
    out["settings"] = {"chip": chip, "oversample": int(oversample), "search": search,
                       "num_sidelobes": int(num_sidelobes), "chip_truncated": bool(truncated),
                       "grid": "native Doppler" if native_doppler else "zero Doppler"}
    return out


def _num(v, fmt):
    return "n/a" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, fmt)


def format_summary(result: dict) -> str:
    """A readable table of an :func:`analyze_point_target` result."""
    pk = result["peak"]
    lines = [f"peak at line {pk['line']:.4f}, pixel {pk['pixel']:.4f} "
             f"(predicted {pk['predicted_line']:.4f}, {pk['predicted_pixel']:.4f}); "
             f"amplitude {pk['amplitude']:.4g} ({pk['amplitude_db']:.2f} dB)",
             f"{'':9s}{'IRW [m]':>10s}{'IRW [px]':>10s}{'PSLR [dB]':>11s}{'ISLR [dB]':>11s}"
             f"{'offset [px]':>13s}{'offset [m]':>12s}"]
    for name in DIRECTIONS:
        d = result[name]
        lines.append(f"{name:9s}{_num(d['irw_m'], '10.4f')}{_num(d['irw_px'], '10.4f')}"
                     f"{_num(d['pslr_db'], '11.2f')}{_num(d['islr_db'], '11.2f')}"
                     f"{_num(d['offset_px'], '+13.4f')}{_num(d['offset_m'], '+12.4f')}")
    az = result["azimuth"]
    lines.append(f"azimuth spacing {az['spacing_m']:.4f} m (ground speed {az['ground_velocity']:.2f} m/s); "
                 f"spectral centres: azimuth {az['spectral_centre_hz']:.2f} Hz, "
                 f"range {result['range']['spectral_centre_hz'] / 1e6:.4f} MHz")
    return "\n".join(lines)
