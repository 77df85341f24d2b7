"""Spectral weighting windows for range and azimuth compression.

A window is applied over a processed band: ``x = (f - f_centre) / B`` runs
from -1/2 to +1/2 across the band of width ``B`` [Hz]; outside it the weight
is 0. Kinds:

* ``rect`` (or ``rectangular``, ``none``): 1 -- sinc response, PSLR -13.26 dB,
  -3 dB width 0.886 / B;
* ``kaiser``: ``I0(beta sqrt(1 - 4 x^2)) / I0(beta)`` (``beta`` >= 0; 0 = rect;
  ISCE3's range window "Kaiser, shape 1.6" is beta = 1.6);
* ``hamming``: ``0.54 + 0.46 cos(2 pi x)`` (PSLR about -42.7 dB, width 1.30 / B);
* ``hann``/``cosine``: ``0.5 + 0.5 cos(2 pi x)``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["KINDS", "parse_window", "window", "broadening"]

KINDS = ("rect", "kaiser", "hamming", "hann")
_ALIASES = {"rect": "rect", "rectangular": "rect", "none": "rect", "boxcar": "rect",
            "kaiser": "kaiser", "hamming": "hamming", "hann": "hann", "hanning": "hann",
            "cosine": "hann"}


def parse_window(kind) -> str:
    """Canonical window name (case- and space-insensitive); ValueError for unknown ones."""
    key = str(kind or "rect").strip().lower().replace(" ", "")
    if key not in _ALIASES:
        raise ValueError(f"unknown weighting window {kind!r}: choose rect, kaiser or hamming")
    return _ALIASES[key]


def window(kind, x, beta: float = 0.0) -> np.ndarray:
    """Weights at normalised frequencies ``x`` (band = [-1/2, 1/2]), 0 outside the band."""
    kind = parse_window(kind)
    x = np.asarray(x, dtype=np.float64)
    inside = np.abs(x) <= 0.5
    if kind == "rect":
        w = np.ones_like(x)
    elif kind == "kaiser":
        beta = float(beta)
        if beta < 0:
            raise ValueError(f"Kaiser beta must be >= 0, got {beta}")
        arg = np.sqrt(np.clip(1.0 - 4.0 * x * x, 0.0, None))
        w = np.i0(beta * arg) / np.i0(beta)
    elif kind == "hamming":
        w = 0.54 + 0.46 * np.cos(2 * np.pi * x)
    else:
        w = 0.5 + 0.5 * np.cos(2 * np.pi * x)
    return np.where(inside, w, 0.0)


def broadening(kind, beta: float = 0.0) -> float:
    """-3 dB width of the window's impulse response in units of 1/B (0.886 for rect)."""
    pad, m = 16, 4096
    xs = (np.arange(m) - (m - 1) / 2.0) / m
    w = window(kind, xs, beta)
    spec = np.zeros(m * pad, dtype=np.complex128)
    spec[:m] = w
    h = np.abs(np.fft.fftshift(np.fft.ifft(spec)))
    h /= h.max()
    k0 = int(np.argmax(h))
    half = np.sqrt(0.5)         # half power (the "-3 dB" width of SAR practice)
    i = k0
    while h[i] > half:
        i += 1
    right = i - 1 + (h[i - 1] - half) / (h[i - 1] - h[i])
    return 2 * (right - k0) / pad
