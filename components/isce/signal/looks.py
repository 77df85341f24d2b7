"""Multilooking: averages (or sums) over non-overlapping windows of
``az_looks`` lines x ``rg_looks`` pixels (ISCE's ``looks``/``Cpxlooks``).

The output has ``length // az_looks`` lines and ``width // rg_looks`` pixels:
a partial window at the bottom or right edge is dropped, as ISCE does, so
output pixel (i, j) covers input lines ``i*az_looks .. (i+1)*az_looks - 1``
and pixels ``j*rg_looks .. (j+1)*rg_looks - 1``.

NaN-aware by default: NaN samples (for complex data: a NaN real or imaginary
part) are left out of the window; the mean is over the valid samples and a
window without any valid sample gives NaN. Sums are accumulated in float64
(complex128) and returned in the input's precision (float32 stays float32).
"""
from __future__ import annotations

import numpy as np

__all__ = ["multilook", "multilook_sum", "looked_shape"]


def _check_looks(az_looks, rg_looks):
    for name, v in (("az_looks", az_looks), ("rg_looks", rg_looks)):
        if isinstance(v, bool) or int(v) != v or int(v) < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return int(az_looks), int(rg_looks)


def looked_shape(shape, az_looks: int, rg_looks: int):
    """``(length // az_looks, width // rg_looks)`` of a ``(length, width)`` input."""
    az_looks, rg_looks = _check_looks(az_looks, rg_looks)
    return (int(shape[0]) // az_looks, int(shape[1]) // rg_looks)


def _acc_dtype(dtype):
    return np.complex128 if np.issubdtype(dtype, np.complexfloating) else np.float64


def _out_dtype(dtype):
    if np.issubdtype(dtype, np.complexfloating):
        return np.complex64 if dtype == np.complex64 else np.complex128
    if dtype == np.float32 or np.issubdtype(dtype, np.integer) and np.dtype(dtype).itemsize <= 2:
        return np.float32
    return np.float64


def _window_sum(data, az_looks, rg_looks):
    """Sum of each window, float64/complex128, shape looked_shape."""
    L, W = looked_shape(data.shape, az_looks, rg_looks)
    x = np.asarray(data[: L * az_looks, : W * rg_looks], dtype=_acc_dtype(data.dtype))
    return x.reshape(L, az_looks, W, rg_looks).sum(axis=(1, 3))


def multilook_sum(data, az_looks: int, rg_looks: int, *, nan_aware: bool = True):
    """Window sums and valid-sample counts: ``(sums, counts)``.

    ``sums`` is float64/complex128 (NaN samples counted as 0 when ``nan_aware``);
    ``counts`` is int64 (the number of non-NaN samples in each window)."""
    az_looks, rg_looks = _check_looks(az_looks, rg_looks)
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"multilook needs a 2-D array (lines, pixels), got shape {data.shape}")
    L, W = looked_shape(data.shape, az_looks, rg_looks)
    if not nan_aware or not np.issubdtype(data.dtype, np.inexact):
        return _window_sum(data, az_looks, rg_looks), np.full((L, W), az_looks * rg_looks, np.int64)
    crop = data[: L * az_looks, : W * rg_looks]
    bad = np.isnan(crop.real) | np.isnan(crop.imag) if np.iscomplexobj(crop) else np.isnan(crop)
    if not bad.any():
        return _window_sum(crop, az_looks, rg_looks), np.full((L, W), az_looks * rg_looks, np.int64)
    clean = np.where(bad, 0, crop)
    counts = (~bad).reshape(L, az_looks, W, rg_looks).sum(axis=(1, 3), dtype=np.int64)
    return _window_sum(clean, az_looks, rg_looks), counts


def multilook(data, az_looks: int, rg_looks: int, *, average: bool = True,
              nan_aware: bool = True):
    """Multilook a 2-D real or complex array (see the module doc).

    Parameters
    ----------
    data : array (length, width)
    az_looks, rg_looks : int
        Window size in lines and pixels.
    average : bool
        Mean over the window (default) or plain sum.
    nan_aware : bool
        Leave NaN samples out (default); False lets a NaN propagate to its window.

    Returns an array of shape ``(length // az_looks, width // rg_looks)``: float32 for
    float32/small-integer input, complex64 for complex64, otherwise 64-bit.
    """
    data = np.asarray(data)
    sums, counts = multilook_sum(data, az_looks, rg_looks, nan_aware=nan_aware)
    out_dtype = _out_dtype(data.dtype)
    if not average:
        if nan_aware and np.issubdtype(data.dtype, np.inexact):
            sums = np.where(counts > 0, sums, np.nan)
        return sums.astype(out_dtype, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    mean = np.where(counts > 0, mean, np.nan)
    return mean.astype(out_dtype, copy=False)
