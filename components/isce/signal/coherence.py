"""Interferometric coherence (magnitude of the complex correlation).

    gamma = |sum s1 s2*| / sqrt(sum |s1|^2 * sum |s2|^2)

over non-overlapping look windows of ``az_looks`` x ``rg_looks`` samples (the
grid of :mod:`isce.signal.looks`). Sums run in float64/complex128, so the
coherence of an SLC with itself is 1 to ~1e-15. NaN samples are left out of
the window (NaN in either image drops the sample from all three sums). A
window with no power in one image (e.g. the zero fill of a resampled SLC)
has coherence 0, as ISCE sets it; a window without any valid sample is NaN.
The result is float32 in [0, 1].

:func:`mean_coherence` summarises a coherence raster over the pixels with data,
the one number insarApp and crossmul.py report.
"""
from __future__ import annotations

import numpy as np

import isce.io

from .looks import multilook_sum

__all__ = ["coherence", "coherence_from_sums", "mean_coherence"]


def coherence_from_sums(cross_sum, power1_sum, power2_sum, counts=None):
    """Coherence from window sums of ``s1 s2*``, ``|s1|^2`` and ``|s2|^2`` (float32).

    ``counts`` (optional) marks windows without valid samples (count 0) as NaN."""
    cross = np.abs(np.asarray(cross_sum))
    denom = np.sqrt(np.asarray(power1_sum, dtype=np.float64) * np.asarray(power2_sum, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(denom > 0, cross / np.where(denom > 0, denom, 1.0), 0.0)
    gamma = np.minimum(gamma, 1.0)          # rounding can exceed 1 by ~1e-16
    if counts is not None:
        gamma = np.where(np.asarray(counts) > 0, gamma, np.nan)
    return gamma.astype(np.float32)


def coherence(slc1, slc2, az_looks: int = 1, rg_looks: int = 1):
    """Coherence of two coregistered complex images over look windows.

    Parameters
    ----------
    slc1, slc2 : complex arrays (length, width), same shape
    az_looks, rg_looks : int
        Window size in lines and pixels (non-overlapping windows).

    Returns float32 ``(length // az_looks, width // rg_looks)``."""
    s1 = np.asarray(slc1)
    s2 = np.asarray(slc2)
    if s1.shape != s2.shape:
        raise ValueError(f"coherence needs images of the same shape, got {s1.shape} and {s2.shape}")
    if s1.ndim != 2:
        raise ValueError(f"coherence needs 2-D images (lines, pixels), got shape {s1.shape}")
    s1 = s1.astype(np.complex128, copy=False)
    s2 = s2.astype(np.complex128, copy=False)
    bad = np.isnan(s1.real) | np.isnan(s1.imag) | np.isnan(s2.real) | np.isnan(s2.imag)
    if bad.any():
        s1 = np.where(bad, np.nan, s1)
        s2 = np.where(bad, np.nan, s2)
    cross, counts = multilook_sum(s1 * np.conj(s2), az_looks, rg_looks)
    p1, _ = multilook_sum(s1.real ** 2 + s1.imag ** 2, az_looks, rg_looks)
    p2, _ = multilook_sum(s2.real ** 2 + s2.imag ** 2, az_looks, rg_looks)
    return coherence_from_sums(cross, p1, p2, counts)


def mean_coherence(raster, band: int = 0) -> tuple[float, float]:
    """Mean coherence over the pixels with data, and the fraction of pixels with data.

    A pixel has data when its coherence is finite and > 0 (0 is ISCE's no-data: look
    windows without power, e.g. the edges a resampler left empty). ``raster``: an
    isce.io raster, a path to one (read a block at a time), or an array. Returns
    ``(0.0, 0.0)`` for an image without data."""
    if isinstance(raster, np.ndarray):
        blocks = [np.asarray(raster, dtype=np.float64)]
    else:
        ds = raster if isinstance(raster, isce.io.Raster) else isce.io.open(raster)
        lines = isce.io.block_lines_for(ds.width, "DOUBLE")
        # read_rows: through the file, no map left resident
        blocks = (np.asarray(ds.read_rows(rows, band if ds.bands > 1 else None), dtype=np.float64)
                  for rows in isce.io.iter_blocks(ds.length, lines))
    total, count, size = 0.0, 0, 0
    for block in blocks:
        valid = np.isfinite(block) & (block > 0)
        total += float(block[valid].sum())
        count += int(valid.sum())
        size += block.size
    if count == 0:
        return 0.0, 0.0
    return total / count, count / size
