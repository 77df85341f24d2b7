"""Batched building blocks of ampcor: normalized cross-correlation surfaces by
FFT, integer peaks, ISCE's SNR and covariance, chip oversampling and the
sub-pixel refinement of a correlation peak.

Every function works on a *stack* of chips, shape ``(B, rows, cols)``, so a
batch of windows costs a few large FFTs (``scipy.fft``, which releases the
GIL) instead of many small ones. Units: lags, offsets and positions in
samples of the grid the chips are given on (pixels of the image, or
oversampled pixels in the refinement stage); covariances in those samples
squared.
"""
from __future__ import annotations

import numpy as np

from isce.core.threads import kernel_threads
from isce.ext import load

__all__ = ["ncc_surface", "integer_peak", "snr_isce", "covariance_isce", "deramp",
           "oversample", "refine_peak", "newton_refine", "next_fast"]


def _fft():
    """``scipy.fft``, imported when offsets are first estimated: importing it costs ~0.3 s
    (it loads scipy.special), which a run that estimates no offsets should not pay."""
    import scipy.fft  # lazy: ~0.3 s to import; insarApp's startup imports this module
    return scipy.fft


def next_fast(n: int) -> int:
    """Smallest 5-smooth FFT length >= n (scipy's ``next_fast_len``)."""
    return _fft().next_fast_len(int(n), real=False)


def _box_sums(stack, h, w):
    """Sums over every h x w box of each chip: ``(B, H-h+1, W-w+1)`` (float64).

    Box (i, j) covers rows i..i+h-1 and columns j..j+w-1 (a summed-area table)."""
    b, hh, ww = stack.shape
    c = np.zeros((b, hh + 1, ww + 1), np.float64)
    np.cumsum(stack, axis=1, dtype=np.float64, out=c[:, 1:, 1:])
    np.cumsum(c[:, 1:, 1:], axis=2, out=c[:, 1:, 1:])
    return c[:, h:, w:] - c[:, :-h, w:] - c[:, h:, :-w] + c[:, :-h, :-w]


def ncc_surface(ref, srch, keep_spectrum=False, dtype=np.float64, kernel=None, threads=1):
    """Normalized cross-correlation of reference chips inside search chips.

    Parameters
    ----------
    ref : float array (B, h, w)
        Reference chips (detected: amplitude or intensity).
    srch : float array (B, h + 2 sy, w + 2 sx)
        Search chips; lag ``(ky, kx)`` puts the reference over
        ``srch[ky:ky+h, kx:kx+w]``.
    keep_spectrum : bool
        Also return the cross spectrum (see Returns) for :func:`refine_peak`.
    dtype : float32 or float64
        Precision of the FFTs (the box sums are always accumulated in float64).
    kernel, threads
        Box sums by the compiled kernel (None: when built) and its threads,
        see :func:`box_variance`.

    Returns
    -------
    ncc : float64 (B, 2 sy + 1, 2 sx + 1)
        ``sum (r - mean r)(s - mean s) / sqrt(sum (r - mean r)^2 sum (s - mean s)^2)``
        over the overlap at every lag, in [-1, 1]; 0 where either chip is flat.
    var : float64 (B, 2 sy + 1, 2 sx + 1)
        ``sum (s - mean s)^2`` of the search box at every lag.
    rr : float64 (B,)
        ``sum (r - mean r)^2``.
    spectrum : complex (B, Ny, Nx // 2 + 1), only with ``keep_spectrum``
        ``conj(rfft2(r - mean r)) * rfft2(s)`` on an ``(Ny, Nx)`` grid, whose
        inverse real FFT at ``(ky, kx)`` is the numerator of ``ncc``.
    """
    ref = np.asarray(ref)
    srch = np.asarray(srch)
    b, h, w = ref.shape
    _, hh, ww = srch.shape
    ny, nx = hh - h + 1, ww - w + 1
    if ny < 1 or nx < 1:
        raise ValueError(f"search chips {srch.shape[1:]} smaller than reference chips {ref.shape[1:]}")
    shape = (next_fast(hh), next_fast(ww))
    r = ref.astype(dtype)
    r -= r.mean(axis=(1, 2), keepdims=True, dtype=np.float64).astype(dtype)
    rr = np.einsum("bij,bij->b", r, r, dtype=np.float64)
    spec = np.conj(_fft().rfft2(r, shape, axes=(1, 2)))
    spec *= _fft().rfft2(srch.astype(dtype, copy=False), shape, axes=(1, 2))
    num = _fft().irfft2(spec, shape, axes=(1, 2))[:, :ny, :nx].astype(np.float64)
    var = box_variance(srch, h, w, kernel=kernel, threads=threads)
    den = np.sqrt(np.clip(var, 0.0, None) * rr[:, None, None])
    ok = (den > 0) & (var > 1e-12 * np.max(var, axis=(1, 2), keepdims=True))
    ncc = np.zeros_like(num)
    np.divide(num, den, out=ncc, where=ok)
    if keep_spectrum:
        return ncc, var, rr, spec
    return ncc, var, rr


def box_variance(chips, h, w, kernel=None, threads=1):
    """``sum s^2 - (sum s)^2 / (h w)`` over every h x w box of each chip:
    float64 ``(B, rows - h + 1, cols - w + 1)``, box (i, j) with top-left
    sample (i, j). Sums of ``s - mean(chip)`` in float64 summed-area tables.
    ``kernel``: True for ``isce.ext._offsets.box_variance``, False for NumPy,
    None for the kernel when it is built; ``threads``: its OpenMP threads."""
    chips = np.asarray(chips)
    ext = _kernel() if kernel is None or kernel else None
    if kernel and ext is None:
        raise ImportError("isce.ext._offsets is not built: run `scons` in the source tree")
    if ext is not None:
        if chips.dtype not in (np.float32, np.float64):
            chips = chips.astype(np.float64)
        return ext.box_variance(np.ascontiguousarray(chips), int(h), int(w), kernel_threads(threads))
    c = chips.astype(np.float64) - chips.mean(axis=(1, 2), dtype=np.float64, keepdims=True)
    s1 = _box_sums(c, h, w)
    s2 = _box_sums(c * c, h, w)
    return s2 - s1 * s1 / (h * w)


def integer_peak(ncc):
    """Row and column of the maximum of each surface: two int arrays (B,)."""
    b, ny, nx = ncc.shape
    flat = np.argmax(ncc.reshape(b, -1), axis=1)
    return flat // nx, flat % nx


def snr_isce(ncc, ky, kx, half=10):
    """ISCE ampcor's SNR: ``peak^2 / mean(ncc^2)`` over the (2 half + 1)^2 box
    around the peak, the peak itself excluded (clipped at the surface edges)."""
    b, ny, nx = ncc.shape
    c = np.zeros((b, ny + 1, nx + 1))
    np.cumsum(np.square(ncc), axis=1, out=c[:, 1:, 1:])
    np.cumsum(c[:, 1:, 1:], axis=2, out=c[:, 1:, 1:])
    y0, y1 = np.clip(ky - half, 0, ny), np.clip(ky + half + 1, 0, ny)
    x0, x1 = np.clip(kx - half, 0, nx), np.clip(kx + half + 1, 0, nx)
    i = np.arange(b)
    box = c[i, y1, x1] - c[i, y0, x1] - c[i, y1, x0] + c[i, y0, x0]
    peak2 = np.square(ncc[i, ky, kx])
    count = (y1 - y0) * (x1 - x0)
    outside = (box - peak2) / np.maximum(count - 1, 1)
    return peak2 / np.maximum(outside, 1e-10)


def covariance_isce(ncc, ky, kx, npix):
    """Offset covariance from the curvature of the correlation peak (ISCE ampcor).

    ``npix`` is the number of samples in a reference chip. With ``c`` the
    surface, ``dxx, dyy, dxy`` its second differences at the peak (times
    ``npix``, sign such that they are positive for a maximum), ``n2 = 1 - c_peak``:
    ``cov_x = (-2 n2 u dyy + n2^2/2 npix (dyy^2 + dxy^2)) / u^2`` and alike, with
    ``u = dxy^2 - dxx dyy``. Returns ``(cov_y, cov_x, cov_xy)`` float64 (B,) in
    squared samples; 99 where the curvature is degenerate or the peak touches the
    edge of the surface.
    """
    b, ny, nx = ncc.shape
    i = np.arange(b)
    inner = (ky > 0) & (ky < ny - 1) & (kx > 0) & (kx < nx - 1)
    y = np.clip(ky, 1, ny - 2)
    x = np.clip(kx, 1, nx - 2)
    c0 = ncc[i, y, x]
    dxx = -(ncc[i, y, x + 1] + ncc[i, y, x - 1] - 2 * c0) * npix
    dyy = -(ncc[i, y + 1, x] + ncc[i, y - 1, x] - 2 * c0) * npix
    dxy = (ncc[i, y + 1, x + 1] + ncc[i, y - 1, x - 1]
           - ncc[i, y + 1, x - 1] - ncc[i, y - 1, x + 1]) / 4.0 * npix
    n2 = np.maximum(1.0 - c0, 0.0)
    n4 = 0.5 * npix * n2 * n2
    n2 = 2.0 * n2
    u = dxy * dxy - dxx * dyy
    good = inner & (u != 0)
    u = np.where(good, u, 1.0)
    u2 = u * u
    cov_x = (-n2 * u * dyy + n4 * (dyy * dyy + dxy * dxy)) / u2
    cov_y = (-n2 * u * dxx + n4 * (dxx * dxx + dxy * dxy)) / u2
    cov_xy = ((n2 * u - n4 * (dxx + dyy)) * dxy) / u2
    cov_x = np.where(good, cov_x, 99.0)
    cov_y = np.where(good, cov_y, 99.0)
    cov_xy = np.where(good, cov_xy, 0.0)
    return cov_y, cov_x, cov_xy


def deramp(chips):
    """Remove the mean phase ramp of complex chips (ISCE's ``derampc``).

    The ramp is the phase of the lag-1 autocorrelation along each axis (the
    spectral centroid, e.g. the azimuth Doppler centroid): the chips are
    multiplied by ``exp(i (phi_y i + phi_x j))`` so that their spectrum is
    centred on zero before it is zero-padded. Returns a new complex64 stack."""
    c = np.asarray(chips)
    phx = np.angle(np.einsum("bij,bij->b", c[:, :, :-1], np.conj(c[:, :, 1:])))
    phy = np.angle(np.einsum("bij,bij->b", c[:, :-1, :], np.conj(c[:, 1:, :])))
    iy = np.arange(c.shape[1], dtype=np.float64)
    ix = np.arange(c.shape[2], dtype=np.float64)
    ry = np.exp(1j * phy[:, None] * iy[None, :]).astype(np.complex64)
    rx = np.exp(1j * phx[:, None] * ix[None, :]).astype(np.complex64)
    return (c * ry[:, :, None] * rx[:, None, :]).astype(np.complex64, copy=False)


def oversample(chips, factor):
    """Band-limited (FFT zero-padding) oversampling of complex chips by ``factor``.

    Each chip is zero-padded to a fast FFT length ``F``, transformed, its
    spectrum spread into an ``factor F`` grid (Nyquist bin split between the
    two halves) and transformed back: sample ``(factor i, factor j)`` of the
    result equals chip sample ``(i, j)``. Returns complex64
    ``(B, factor rows, factor cols)``."""
    c = np.asarray(chips)
    if factor == 1:
        return c.astype(np.complex64, copy=False)
    b, h, w = c.shape
    fy, fx = next_fast(h), next_fast(w)
    spec = _fft().fft2(c, (fy, fx), axes=(1, 2))
    big = np.zeros((b, factor * fy, factor * fx), np.complex64)
    _spread(spec, big)
    out = _fft().ifft2(big, axes=(1, 2), overwrite_x=True)
    out *= factor * factor
    return out[:, :factor * h, :factor * w]


def _spread(spec, big):
    """Copy a centred spectrum (B, fy, fx) into the corners of ``big``, splitting
    the Nyquist row/column (even lengths) evenly between both sides."""
    _, fy, fx = spec.shape
    _, gy, gx = big.shape
    ylo, yhi = _halves(fy)
    xlo, xhi = _halves(fx)
    rows = [(slice(0, ylo), slice(0, ylo), 1.0), (slice(fy - yhi, fy), slice(gy - yhi, gy), 1.0)]
    cols = [(slice(0, xlo), slice(0, xlo), 1.0), (slice(fx - xhi, fx), slice(gx - xhi, gx), 1.0)]
    if fy % 2 == 0:
        rows.append((slice(fy // 2, fy // 2 + 1), slice(fy // 2, fy // 2 + 1), 0.5))
        rows.append((slice(fy // 2, fy // 2 + 1), slice(gy - fy // 2, gy - fy // 2 + 1), 0.5))
    if fx % 2 == 0:
        cols.append((slice(fx // 2, fx // 2 + 1), slice(fx // 2, fx // 2 + 1), 0.5))
        cols.append((slice(fx // 2, fx // 2 + 1), slice(gx - fx // 2, gx - fx // 2 + 1), 0.5))
    for sy, dy, wy in rows:
        for sx, dx, wx in cols:
            big[:, dy, dx] += spec[:, sy, sx] * (wy * wx)


def _halves(n):
    """Non-negative and negative frequency counts kept whole (Nyquist excluded)."""
    return (n + 1) // 2, (n - 1) // 2


def _quad_weights(t):
    """Lagrange weights of a parabola through samples at -1, 0, 1, at t, and
    their first and second derivatives: three arrays (..., 3)."""
    w = np.stack([0.5 * t * (t - 1.0), 1.0 - t * t, 0.5 * t * (t + 1.0)], axis=-1)
    d1 = np.stack([t - 0.5, -2.0 * t, t + 0.5], axis=-1)
    d2 = np.broadcast_to(np.array([1.0, -2.0, 1.0]), w.shape)
    return w, d1, d2


def _paraboloid_vertex(s):
    """Vertex of the paraboloid through 3 x 3 samples ``s`` (B, 3, 3) at -1, 0, 1,
    relative to the centre, clipped to +-0.5; (0, 0) where it is not a maximum."""
    c = s[:, 1, 1]
    gy = 0.5 * (s[:, 2, 1] - s[:, 0, 1])
    gx = 0.5 * (s[:, 1, 2] - s[:, 1, 0])
    hyy = s[:, 2, 1] + s[:, 0, 1] - 2 * c
    hxx = s[:, 1, 2] + s[:, 1, 0] - 2 * c
    hxy = 0.25 * (s[:, 2, 2] + s[:, 0, 0] - s[:, 2, 0] - s[:, 0, 2])
    return _newton_step(gy, gx, hyy, hxx, hxy, 0.5)


def _newton_step(gy, gx, hyy, hxx, hxy, limit):
    """``-H^-1 g`` for a 2-D maximum, clipped to +-limit; 0 where H is not negative definite."""
    det = hyy * hxx - hxy * hxy
    ok = (hyy < 0) & (hxx < 0) & (det > 0)
    det = np.where(ok, det, 1.0)
    sy = np.where(ok, -(hxx * gy - hxy * gx) / det, 0.0)
    sx = np.where(ok, -(hyy * gx - hxy * gy) / det, 0.0)
    return np.clip(sy, -limit, limit), np.clip(sx, -limit, limit)


def refine_peak(spec, shape, ncc, var, rr, ky, kx, iterations=3, kernel=None, threads=1):
    """Sub-sample position of the maximum of a normalized correlation surface.

    The numerator is the band-limited (trigonometric) interpolant of the
    sampled correlation: the inverse DFT of its half spectrum ``spec``
    (B, Ny, Nx//2+1) on an ``shape = (Ny, Nx)`` grid, evaluated with its first
    and second derivatives at any lag. The denominator ``sqrt(var rr)`` -- the
    search chip's local energy, smooth in the lag -- is the biquadratic through
    ``var`` at the 3 x 3 integer lags around ``(ky, kx)``. Starting from the
    vertex of the paraboloid through ``ncc`` at those 9 lags, ``iterations``
    Newton steps on ``log(num) - log(den) / 2`` converge quadratically (an error
    of 0.05 sample becomes ~1e-3, then ~1e-6).

    ``(ky, kx)`` (int arrays (B,)) must not be on the border of ``ncc``/``var``
    (B, ny, nx). ``kernel``: True to use the compiled ``isce.ext._offsets``,
    False for NumPy (:func:`newton_refine`), None for the kernel when it is built;
    ``threads``: its OpenMP threads (0: all).
    Returns ``(y, x, peak)``, float64 (B,): the position in samples of the lag
    grid, kept within +-1 of ``(ky, kx)``, and the normalized correlation there.
    """
    b = spec.shape[0]
    i = np.arange(b)
    d = np.arange(-1, 2)
    ky = np.asarray(ky, dtype=np.int64)
    kx = np.asarray(kx, dtype=np.int64)
    near = (i[:, None, None], ky[:, None, None] + d[None, :, None], kx[:, None, None] + d[None, None, :])
    vv = np.ascontiguousarray(var[near], dtype=np.float64)
    sy, sx = _paraboloid_vertex(ncc[near].astype(np.float64))
    y0 = ky + sy
    x0 = kx + sx
    rr = np.ascontiguousarray(rr, dtype=np.float64)
    ext = _kernel() if kernel is None or kernel else None
    if kernel and ext is None:
        raise ImportError("isce.ext._offsets is not built: run `scons` in the source tree")
    if ext is not None:
        return ext.refine_peaks(np.ascontiguousarray(spec), int(shape[0]), int(shape[1]), vv, rr,
                                ky, kx, y0, x0, int(iterations), kernel_threads(threads))
    return newton_refine(spec, shape, vv, rr, ky, kx, y0, x0, iterations)


_EXT = []


def _kernel():
    """The compiled module isce.ext._offsets, or None when it is not built."""
    if not _EXT:
        try:
            _EXT.append(load("_offsets"))
        except ImportError:
            _EXT.append(None)
    return _EXT[0]


def newton_refine(spec, shape, vv, rr, ky, kx, y0, x0, iterations=3):
    """NumPy version of the Newton search of :func:`refine_peak` (the reference
    the compiled ``isce.ext._offsets.refine_peaks`` matches).

    ``vv`` (B, 3, 3): local energy at the integer lags around ``(ky, kx)``;
    ``(y0, x0)``: start positions. Returns ``(y, x, peak)``."""
    b = spec.shape[0]
    ny, nx = shape
    fy = _fft().fftfreq(ny)
    fx = np.arange(nx // 2 + 1) / nx
    wx = np.full(nx // 2 + 1, 2.0 / (ny * nx))
    wx[0] = 1.0 / (ny * nx)
    if nx % 2 == 0:
        wx[-1] = 1.0 / (ny * nx)
    spec = np.asarray(spec, dtype=np.complex128)
    jy = 2j * np.pi * fy
    jx = 2j * np.pi * fx
    y = np.array(y0, dtype=np.float64)
    x = np.array(x0, dtype=np.float64)
    num = den = np.ones(b)
    for _ in range(max(int(iterations), 1)):
        ey = np.exp(np.outer(y, jy))                                     # (B, Ny)
        ex = np.exp(np.outer(x, jx)) * wx                                # (B, Nx')
        ey3 = np.stack([ey, ey * jy, ey * (jy * jy)], axis=1)           # (B, 3, Ny)
        ex3 = np.stack([ex, ex * jx, ex * (jx * jx)], axis=2)           # (B, Nx', 3)
        m = np.stack([ey3[k] @ (spec[k] @ ex3[k]) for k in range(b)]).real if b else np.zeros((0, 3, 3))
        num, n_y, n_x, n_yy, n_xx, n_xy = m[:, 0, 0], m[:, 1, 0], m[:, 0, 1], m[:, 2, 0], m[:, 0, 2], m[:, 1, 1]
        wy0, wy1, wy2 = _quad_weights(y - ky)
        wx0, wx1, wx2 = _quad_weights(x - kx)
        q = lambda a, c: np.einsum("bi,bij,bj->b", a, vv, c)              # noqa: E731
        den, d_y, d_x = q(wy0, wx0), q(wy1, wx0), q(wy0, wx1)
        d_yy, d_xx, d_xy = q(wy2, wx0), q(wy0, wx2), q(wy1, wx1)
        good = (num > 0) & (den > 0)
        num_s = np.where(good, num, 1.0)
        den_s = np.where(good, den, 1.0)
        # gradient and Hessian of log(num) - log(den) / 2
        gy = n_y / num_s - 0.5 * d_y / den_s
        gx = n_x / num_s - 0.5 * d_x / den_s
        hyy = n_yy / num_s - (n_y / num_s) ** 2 - 0.5 * (d_yy / den_s - (d_y / den_s) ** 2)
        hxx = n_xx / num_s - (n_x / num_s) ** 2 - 0.5 * (d_xx / den_s - (d_x / den_s) ** 2)
        hxy = (n_xy / num_s - n_y * n_x / num_s ** 2
               - 0.5 * (d_xy / den_s - d_y * d_x / den_s ** 2))
        sy, sx = _newton_step(gy, gx, hyy, hxx, hxy, 0.5)
        y = np.clip(y + np.where(good, sy, 0.0), ky - 1.0, ky + 1.0)
        x = np.clip(x + np.where(good, sx, 0.0), kx - 1.0, kx + 1.0)
    peak = num / np.sqrt(np.maximum(den, 1e-300) * rr)
    return y, x, peak
