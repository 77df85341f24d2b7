"""Synthetic SLC pairs with known offsets for the isce.offsets tests.

Speckle: circular complex Gaussian noise, band-limited by a rectangular
spectrum of ``bw`` cycles/pixel in both directions (centred on ``fdc``
cycles/line in azimuth, i.e. a Doppler centroid). The secondary is the same
continuous field sampled at shifted positions, computed exactly from the
spectrum (no interpolator involved):

* constant shift: an FFT phase ramp;
* offset fields: ``sec(l, p) = z(l - az(l, p), p - rg(p))``, one column at a
  time (a direct DFT), so the feature at reference ``(u, v)`` is at secondary
  ``(l, p)`` with ``l - az(l, p) = u``, ``p - rg(p) = v``: the offset there is
  ``(az(l, p), rg(p))`` (see :func:`true_offsets`).
"""

import numpy as np


def _freqs(n, centre=0.0):
    """Frequencies [cycles/sample] of an n-point FFT, unwrapped around ``centre``."""
    return centre + (np.fft.fftfreq(n) - centre + 0.5) % 1.0 - 0.5


def speckle_spectrum(shape, bw=0.8, fdc=0.0, seed=0):
    """(Z, fy, fx): spectrum of band-limited speckle and its (unwrapped) frequencies."""
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)
    fy, fx = _freqs(shape[0], fdc), _freqs(shape[1])
    keep = (np.abs(fy - fdc) <= bw / 2)[:, None] & (np.abs(fx) <= bw / 2)[None, :]
    return np.fft.fft2(z) * keep, fy, fx


def shifted_pair(shape, dy, dx, bw=0.8, fdc=0.0, seed=0):
    """complex64 (reference, secondary) with the secondary shifted by (dy, dx) pixels:
    the reference feature at (u, v) is at secondary (u + dy, v + dx)."""
    z, fy, fx = speckle_spectrum(shape, bw, fdc, seed)
    ref = np.fft.ifft2(z).astype(np.complex64)
    ramp = np.exp(-2j * np.pi * (fy[:, None] * dy + fx[None, :] * dx))
    sec = np.fft.ifft2(z * ramp).astype(np.complex64)
    return ref, sec


def decorrelated_pair(shape, dy, dx, gamma, bw=0.8, seed=0):
    """complex128 (reference, secondary) of coherence ``gamma`` after a (dy, dx) shift:
    secondary = gamma x (the reference speckle shifted as in :func:`shifted_pair`) +
    sqrt(1 - gamma^2) x independent speckle of the same spectrum."""
    z, fy, fx = speckle_spectrum(shape, bw, 0.0, seed)
    noise, _, _ = speckle_spectrum(shape, bw, 0.0, seed + 1)
    ramp = np.exp(-2j * np.pi * (fy[:, None] * dy + fx[None, :] * dx))
    sec = gamma * z * ramp + np.sqrt(1.0 - gamma ** 2) * noise
    return np.fft.ifft2(z), np.fft.ifft2(sec)


def warped_pair(shape, az, rg, bw=0.8, seed=0, fdc=0.0):
    """complex64 (reference, secondary) with ``sec(l, p) = z(l - az(l, p), p - rg(p))``.

    ``az(l, p)`` and ``rg(p)`` are callables on float arrays [pixels]."""
    n0, n1 = shape
    z, fy, fx = speckle_spectrum(shape, bw, fdc, seed)
    ref = np.fft.ifft2(z).astype(np.complex64)
    lines = np.arange(n0, dtype=np.float64)
    zc = z / (n0 * n1)
    sec = np.empty(shape, np.complex64)
    for p in range(n1):
        x = p - rg(np.float64(p))
        col = zc @ np.exp(2j * np.pi * fx * x)                    # (n0,) over fy
        y = lines - az(lines, np.float64(p))
        sec[:, p] = np.exp(2j * np.pi * np.outer(y, fy)) @ col
    return ref, sec


def true_offsets(line, pixel, az, rg, iterations=20):
    """Offsets (azimuth, range) of reference positions for :func:`warped_pair`'s fields."""
    line = np.asarray(line, dtype=np.float64)
    pixel = np.asarray(pixel, dtype=np.float64)
    p = pixel.copy()
    for _ in range(iterations):
        p = pixel + rg(p)
    l = line.copy()
    for _ in range(iterations):
        l = line + az(l, p)
    return l - line, p - pixel
