"""Rubber-sheeting: a dense offset field (one value per ampcor window) cleaned, smoothed and
brought to every pixel of the reference image (ISCE2 ``StripmapProc/runRubbersheet*.py``).

The dense field is measured between the reference and the secondary already resampled with
the refined (geometry + misregistration polynomial) offsets, so it holds what the polynomial
missed (e.g. a glacier's flow). ISCE2's cleaning is kept:

* with an SNR (azimuth rubber-sheeting alone): windows of SNR below the threshold are
  masked (:func:`mask_by_snr`) and filled from the nearest valid window
  (:func:`fill_gaps` ``"nearest"``);
* without (range rubber-sheeting on): windows more than ``limit`` pixels from the field's
  median in either direction are masked (:func:`mask_by_median`) and filled by normalised
  convolution (:func:`fill_gaps` ``"smoothed"``: ISCE2's astropy ``fill_with_smoothed``);

then a median filter of ``size`` windows (:func:`median_smooth`). Unlike ISCE2's
``gdal_translate -outsize`` (nearest neighbour, the dense grid's first window put at pixel 0),
:func:`to_full_grid` interpolates a cubic spline through the true window centres, so the
sheet is smooth and in place. Offsets are in pixels, secondary minus reference.
"""
from __future__ import annotations

import os

from typing import TYPE_CHECKING

import numpy as np

import isce.io
from isce.signal.ionosphere import fill_nearest, fill_smoothed   # the ionosphere filter's gap fills

if TYPE_CHECKING:
    from scipy.interpolate import RectBivariateSpline

__all__ = ["mask_by_snr", "mask_by_median", "fill_gaps", "median_smooth", "to_full_grid",
           "DenseGrid", "filter_dense", "write_sheet"]

MEDIAN_LIMIT = 3.0      # pixels: ISCE2 mask_filterNoSNR's distance from the median


class DenseGrid:
    """Where the dense windows sit on the reference image: the centre of window (0, 0) at
    (``first_line``, ``first_pixel``), then every ``line_step``/``pixel_step`` [pixels];
    ``shape`` = (rows, cols) of windows."""

    def __init__(self, first_line, first_pixel, line_step, pixel_step, shape):
        self.first_line, self.first_pixel = float(first_line), float(first_pixel)
        self.line_step, self.pixel_step = float(line_step), float(pixel_step)
        self.shape = (int(shape[0]), int(shape[1]))
        if min(self.shape) < 1:
            raise ValueError(f"a dense grid needs at least one window, got {self.shape}")
        if not (self.line_step > 0 and self.pixel_step > 0):
            raise ValueError(f"window steps must be positive, got {line_step}, {pixel_step}")

    @property
    def lines(self) -> np.ndarray:
        """Centre line of each window row [reference lines]."""
        return self.first_line + self.line_step * np.arange(self.shape[0])

    @property
    def pixels(self) -> np.ndarray:
        """Centre pixel of each window column [reference pixels]."""
        return self.first_pixel + self.pixel_step * np.arange(self.shape[1])

    def to_dict(self) -> dict:
        return {"first_line": self.first_line, "first_pixel": self.first_pixel,
                "line_step": self.line_step, "pixel_step": self.pixel_step,
                "shape": list(self.shape)}

    @classmethod
    def from_dict(cls, d) -> "DenseGrid":
        return cls(d["first_line"], d["first_pixel"], d["line_step"], d["pixel_step"], d["shape"])


def mask_by_snr(values, snr, threshold: float) -> np.ndarray:
    """A float64 copy of ``values`` with NaN where ``snr`` < ``threshold`` (or not finite)."""
    out = np.array(values, dtype=np.float64)
    snr = np.asarray(snr, dtype=np.float64)
    out[~(np.isfinite(snr) & (snr >= threshold))] = np.nan
    return out


def mask_by_median(azimuth, range_, limit: float = MEDIAN_LIMIT):
    """(azimuth, range) float64 copies with NaN where either offset is more than ``limit``
    pixels from its field's median, or either is NaN (ISCE2 ``mask_filterNoSNR``)."""
    az = np.array(azimuth, dtype=np.float64)
    rg = np.array(range_, dtype=np.float64)
    bad = ~(np.isfinite(az) & np.isfinite(rg))
    if not bad.all():
        bad |= np.abs(az - np.nanmedian(az[~bad])) > limit
        bad |= np.abs(rg - np.nanmedian(rg[~bad])) > limit
    az[bad] = np.nan
    rg[bad] = np.nan
    return az, rg


def fill_gaps(values, method: str = "nearest") -> np.ndarray:
    """``values`` (2-D) with its NaNs filled: ``"nearest"`` valid window, or ``"smoothed"``
    (normalised convolution). Raises ValueError when no value is valid."""
    v = np.array(values, dtype=np.float64)
    holes = ~np.isfinite(v)
    if holes.all():
        raise ValueError("no valid dense offset to fill from: every window is masked")
    if not holes.any():
        return v
    if method == "nearest":
        return fill_nearest(v, holes)
    if method == "smoothed":
        return fill_smoothed(v)
    raise ValueError(f"fill method must be 'nearest' or 'smoothed', got {method!r}")


def median_smooth(values, size: int) -> np.ndarray:
    """Median filter of ``size`` x ``size`` windows (edges: nearest); ``size`` 1 is identity."""
    size = int(size)
    if size < 1:
        raise ValueError(f"median filter size must be >= 1, got {size}")
    v = np.asarray(values, dtype=np.float64)
    if size == 1:
        return v.copy()
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import; only rubber-sheeting needs it
    return ndimage.median_filter(v, size=size, mode="nearest")


def filter_dense(values, *, snr=None, snr_threshold=0.0, other=None, size=9) -> np.ndarray:
    """One component of the dense field cleaned as ISCE2 does: with ``snr``, masked by SNR and
    filled from the nearest window; else (``other`` = the other component) masked by the
    distance from the median and filled smoothly; then median-smoothed over ``size``."""
    if snr is not None:
        filled = fill_gaps(mask_by_snr(values, snr, snr_threshold), "nearest")
    else:
        masked, _ = mask_by_median(values, values if other is None else other)
        filled = fill_gaps(masked, "smoothed")
    return median_smooth(filled, size)


def _spline(values, grid: DenseGrid) -> RectBivariateSpline:
    """Interpolating spline through the window centres: cubic, or of the degree the number
    of windows allows (a single row or column is doubled: constant along that axis)."""
    v = np.asarray(values, dtype=np.float64)
    if v.shape != grid.shape:
        raise ValueError(f"dense values have shape {v.shape}, the grid {grid.shape}")
    lines, pixels = grid.lines, grid.pixels
    if lines.size == 1:
        v, lines = np.vstack([v, v]), np.array([lines[0], lines[0] + 1.0])
    if pixels.size == 1:
        v, pixels = np.hstack([v, v]), np.array([pixels[0], pixels[0] + 1.0])
    # lazy: scipy.interpolate costs ~0.4 s to import; only rubber-sheeting needs it
    from scipy.interpolate import RectBivariateSpline
    return RectBivariateSpline(lines, pixels, v, kx=min(3, lines.size - 1),
                               ky=min(3, pixels.size - 1), s=0)


def to_full_grid(values, grid: DenseGrid, shape, *, block_lines: int = 512):
    """Yield (rows, block) of the dense ``values`` interpolated to every pixel of an image of
    ``shape`` = (lines, pixels): a spline through the window centres, clamped to the first and
    last centre outside them (no extrapolation). Blocks of ``block_lines`` lines, float64."""
    length, width = int(shape[0]), int(shape[1])
    spline = _spline(values, grid)
    lines, pixels = grid.lines, grid.pixels
    cols = np.clip(np.arange(width, dtype=np.float64), pixels[0], pixels[-1])
    for r0 in range(0, length, int(block_lines)):
        r1 = min(r0 + int(block_lines), length)
        rows = np.clip(np.arange(r0, r1, dtype=np.float64), lines[0], lines[-1])
        yield slice(r0, r1), spline(rows, cols)


def write_sheet(path, values, grid: DenseGrid, base, *, block_lines: int = 512) -> str:
    """Write ``path``: the rubber-sheeted offsets, ``base`` (path or 2-D array of the full
    image: the refined offsets [pixels]) plus the dense ``values`` brought to every pixel
    (:func:`to_full_grid`); NaN in ``base`` stays NaN. An isce.io DOUBLE raster (ISCE2's
    ``*_sheet.off``), written atomically; returns the path."""
    src = isce.io.open(base) if isinstance(base, (str, os.PathLike)) else None
    rows_of = (lambda r: src.read(rows=r)) if src is not None else (lambda r: np.asarray(base)[r])
    shape = (src.length, src.width) if src is not None else np.shape(base)
    try:
        with isce.io.create(os.fspath(path), shape[1], shape[0], "DOUBLE",
                            image_type="offset") as out:
            for rows, block in to_full_grid(values, grid, shape, block_lines=block_lines):
                out[rows] = np.asarray(rows_of(rows), dtype=np.float64) + block
    finally:
        if src is not None:
            src.close()
    return os.fspath(path)
