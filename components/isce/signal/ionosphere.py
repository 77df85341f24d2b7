"""Dispersive (ionospheric) and non-dispersive phases from two sub-band interferograms
(ISCE2 ``StripmapProc/runDispersive.py``; Gomba et al. 2016, Liao et al. 2018).

A phase made of a non-dispersive part (range change: ``~ f``) and a dispersive part
(ionosphere, first order: ``~ 1/f``), ``phi(f) = a f + b / f``, measured at the sub-band
centres ``fL < fH`` gives both parts at the carrier ``f0``:

    dispersive     = fL fH / (f0 (fH^2 - fL^2)) (phiL fH - phiH fL)
    non-dispersive = f0 / (fH^2 - fL^2) (phiH fH - phiL fL)

The noise of the dispersive part is ~``f0 / (2 (fH - fL))`` times the sub-bands' (about 34
for ALOS), so it is low-pass filtered: an inverse-variance weighted Gaussian (normalised
convolution, by FFT: an 800 x 800 kernel is never a direct sum), iterated with the trusted
pixels' raw values put back and the others filled (:func:`iterative_filter`). Integer
cycle errors of either sub-band unwrap are then found against the filtered parts and the
separation done again (:func:`integer_jumps`). All phases are in radians; arrays float64.

ISCE2 adds a fixed ``+2 pi`` to the high band's unwrapped phase (a quirk of its snaphu
referencing); here the sub-band unwraps are tied to a common reference instead
(:func:`align_cycles`), and no constant is added.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["separate", "phase_sigma", "separation_sigma", "gaussian_kernel", "weighted_gaussian",
           "fill_nearest", "fill_smoothed", "iterative_filter", "integer_jumps", "median_mask",
           "dispersive_sigma_at", "align_cycles", "FILLING"]

TWO_PI = 2.0 * math.pi
#: the ways masked pixels are filled before filtering (ISCE2's names)
FILLING = ("nearest_neighbour", "smoothed")


def _coefficients(f0, fL, fH):
    """(dispersive, non-dispersive) coefficients of the separation."""
    f0, fL, fH = float(f0), float(fL), float(fH)
    if not 0 < fL < fH:
        raise ValueError(f"sub-band frequencies must satisfy 0 < fL < fH, got {fL}, {fH}")
    den = fH * fH - fL * fL
    return fL * fH / (f0 * den), f0 / den


def separate(phi_low, phi_high, f0, fL, fH, common=None, differential=None):
    """(dispersive, non-dispersive) phases at ``f0`` [rad] from the unwrapped sub-band phases
    ``phi_low``/``phi_high`` [rad] at ``fL``/``fH`` [Hz]. ``common``/``differential``: integer
    cycle errors (:func:`integer_jumps`) removed first: ``phiL - 2 pi m``, ``phiH - 2 pi (m + d)``."""
    cd, cn = _coefficients(f0, fL, fH)
    lo = np.asarray(phi_low, dtype=np.float64)
    hi = np.asarray(phi_high, dtype=np.float64)
    if common is not None:
        lo = lo - TWO_PI * np.asarray(common)
        hi = hi - TWO_PI * (np.asarray(common) + np.asarray(differential))
    return cd * (lo * fH - hi * fL), cn * (hi * fH - lo * fL)


def phase_sigma(coherence, looks: float):
    """Phase standard deviation [rad] of an interferogram of ``looks`` looks and coherence
    ``coherence`` (ISCE2: ``sqrt(1 - g^2) / (g sqrt(2 N))``); inf where the coherence is 0."""
    g = np.clip(np.nan_to_num(np.asarray(coherence, dtype=np.float64), nan=0.0), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(1.0 - g * g) / (g * math.sqrt(2.0 * float(looks)))
    return np.where(g > 0, s, np.inf)


def separation_sigma(sigma_low, sigma_high, f0, fL, fH):
    """(dispersive, non-dispersive) standard deviations [rad] from the sub-bands' [rad]."""
    cd, cn = _coefficients(f0, fL, fH)
    sl, sh = np.asarray(sigma_low, dtype=np.float64), np.asarray(sigma_high, dtype=np.float64)
    return (cd * np.sqrt((fH * sl) ** 2 + (fL * sh) ** 2),
            cn * np.sqrt((fL * sl) ** 2 + (fH * sh) ** 2))


def dispersive_sigma_at(coherence: float, looks: float, f0, fL, fH) -> float:
    """Standard deviation [rad] of the dispersive phase at one sub-band coherence (Liao et al.
    2018 eq. 7-8, ISCE2 ``std_iono_mean_coh``: a sub-band has a third of the looks)."""
    g = float(coherence)
    sub = math.sqrt(1.0 - g * g) / g / math.sqrt(2.0 * float(looks) / 3.0)
    cd, _ = _coefficients(f0, fL, fH)
    return math.sqrt(1.0 + (fL / fH) ** 2) * cd * fH * sub


def gaussian_kernel(size_x: int, size_y: int, sigma_x: float, sigma_y: float) -> np.ndarray:
    """ISCE2's normalised Gaussian window: ``size_y`` x ``size_x`` (made odd) [pixels],
    standard deviations ``sigma_x``/``sigma_y`` [pixels]."""
    if min(size_x, size_y) < 1 or min(sigma_x, sigma_y) <= 0:
        raise ValueError(f"kernel sizes must be >= 1 and sigmas > 0, got {size_x} x {size_y}, "
                         f"sigma {sigma_x}, {sigma_y}")
    nx, ny = int(size_x) | 1, int(size_y) | 1
    x = np.arange(nx) - (nx - 1) / 2.0
    y = np.arange(ny) - (ny - 1) / 2.0
    k = np.exp(-(y[:, None] ** 2) / (2.0 * sigma_y ** 2) - (x[None, :] ** 2) / (2.0 * sigma_x ** 2))
    return k / k.sum()


def _convolve(a, kernel):
    """``a`` convolved with ``kernel`` (same shape as ``a``, zeros outside), by FFT."""
    from scipy.signal import fftconvolve  # lazy: scipy costs ~0.3-0.8 s to import

    return fftconvolve(a, kernel, mode="same")


def _weights(sigma):
    """Inverse variances of ``sigma`` [rad]: 0 where it is infinite, NaN or not positive."""
    s = np.asarray(sigma, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(s) & (s > 0), 1.0 / (s * s), 0.0)


class _Normaliser:
    """The weight sums ``K * w`` and ``K^2 * w`` of a weighted Gaussian, computed once for
    the filters that differ only in their data (ISCE2's iterations)."""

    def __init__(self, weights, kernel):
        self.w, self.kernel = weights, kernel
        w1 = _convolve(weights, kernel)
        w2 = _convolve(weights, kernel * kernel)
        floor = 1e-9 * max(float(w1.max()), 1e-300)    # FFT round-off where nothing is in reach
        self.good = w1 > floor
        with np.errstate(divide="ignore", invalid="ignore"):
            self.w1 = np.where(self.good, w1, np.nan)
            self.sigma = np.sqrt(np.clip(w2, 0, None)) / self.w1

    def __call__(self, data):
        x = np.asarray(data, dtype=np.float64)
        w = np.where(np.isfinite(x), self.w, 0.0)
        if np.any(w != self.w):                       # NaN data: weights of their own
            return _Normaliser(w, self.kernel)(np.where(w > 0, x, 0.0))
        return _convolve(np.where(w > 0, x, 0.0) * w, self.kernel) / self.w1, self.sigma


def weighted_gaussian(data, sigma, kernel):
    """Inverse-variance weighted Gaussian filter (ISCE2 ``Filter``, as a normalised
    convolution): ``(K * (x / s^2)) / (K * s^-2)`` and its standard deviation
    ``sqrt(K^2 * s^-2) / (K * s^-2)``. Pixels of infinite or NaN ``sigma`` or NaN ``data``
    carry no weight; NaN where no weighted pixel is in reach."""
    return _Normaliser(_weights(sigma), kernel)(data)


def _ndimage():
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    return ndimage


def fill_nearest(data, invalid=None):
    """``data`` with the ``invalid`` pixels (default: NaN) set to the nearest valid pixel's value."""
    x = np.asarray(data, dtype=np.float64)
    invalid = np.isnan(x) if invalid is None else np.asarray(invalid, dtype=bool)
    if not invalid.any() or invalid.all():
        return x.copy()
    idx = _ndimage().distance_transform_edt(invalid, return_distances=False, return_indices=True)
    return x[tuple(idx)]


def fill_smoothed(data, size: int = 3, max_passes: int = 100):
    """``data`` with NaN pixels filled from the mean of their valid ``size`` x ``size``
    neighbours, pass after pass (ISCE2 ``fill_with_smoothed``); what is still empty after
    ``max_passes`` gets its nearest value."""
    x = np.array(data, dtype=np.float64)
    for _ in range(int(max_passes)):
        empty = np.isnan(x)
        if not empty.any() or empty.all():
            return x
        valid = (~empty).astype(np.float64)
        total = _ndimage().uniform_filter(np.where(empty, 0.0, x), size, mode="nearest")
        count = _ndimage().uniform_filter(valid, size, mode="nearest")
        take = empty & (count > 1e-12)
        x[take] = total[take] / count[take]
    return fill_nearest(x)


def _fill(data, method):
    if method == "smoothed":
        return fill_smoothed(data)
    if method == "nearest_neighbour":
        return fill_nearest(data)
    raise ValueError(f"filling method {method!r}: choose one of {', '.join(FILLING)}")


def iterative_filter(data, sigma, mask, kernel, iterations: int = 5,
                     filling: str = "nearest_neighbour"):
    """ISCE2's ``iterativeFilter``: masked pixels (``mask`` False) filled, the weighted Gaussian
    applied, then ``iterations`` times: the masked pixels refilled from the filtered field of
    the trusted pixels (the ``filling`` method), the trusted ones given back their raw values,
    filtered again. Returns (filtered, sigma)."""
    mask = np.asarray(mask, dtype=bool)
    raw = np.where(mask, np.asarray(data, dtype=np.float64), np.nan)
    sig = _fill(np.where(mask, np.asarray(sigma, dtype=np.float64), np.nan), filling)
    gaussian = _Normaliser(_weights(sig), kernel)        # the same weights every iteration
    out, out_sig = gaussian(_fill(raw, filling))
    for _ in range(int(iterations)):
        field = _fill(np.where(mask, out, np.nan), filling)     # masked: nearest trusted
        field[mask] = raw[mask]
        out, out_sig = gaussian(field)
    return out, out_sig


def integer_jumps(phi_low, phi_high, nondispersive, dispersive, f0, bandwidth):
    """ISCE2's unwrapping-error estimate: the (common ``m``, differential ``d``) integer cycles
    by which the sub-band phases [rad] stray from the filtered non-dispersive and dispersive
    phases at ``f0`` [rad]; ``bandwidth`` [Hz] the full range band (sub-bands ``2 B / 3``
    apart). ``phiH - phiL ~ (2B/3f0)(n - d)``, ``phiL + phiH ~ 2 (n + d)``."""
    lo, hi = np.asarray(phi_low, np.float64), np.asarray(phi_high, np.float64)
    n, d = np.asarray(nondispersive, np.float64), np.asarray(dispersive, np.float64)
    k = 2.0 * float(bandwidth) / (3.0 * float(f0))
    diff = np.round((hi - lo - k * (n - d)) / TWO_PI)
    common = np.round((lo + hi - 2.0 * n - 2.0 * d) / (2.0 * TWO_PI) - diff / 2.0)
    return np.nan_to_num(common), np.nan_to_num(diff)


def median_mask(dispersive, std: float, size: int = 15):
    """ISCE2's median-filter mask: pixels within ``3 std`` of the ``size`` x ``size`` median."""
    d = np.asarray(dispersive, dtype=np.float64)
    return np.abs(d - _ndimage().median_filter(d, size)) < 3.0 * float(std)


def align_cycles(phase, reference, mask) -> float:
    """The multiple of ``2 pi`` [rad] to add to the unwrapped ``phase`` so that it lies nearest
    ``reference`` [rad] over the ``mask`` pixels (median of the difference)."""
    m = np.asarray(mask, dtype=bool) & np.isfinite(phase) & np.isfinite(reference)
    if not m.any():
        return 0.0
    diff = np.asarray(reference, np.float64)[m] - np.asarray(phase, np.float64)[m]
    return TWO_PI * round(float(np.median(diff)) / TWO_PI)
