"""Rubber-sheeting of a dense offset field (isce.offsets.rubbersheet): masking, gap filling,
median smoothing and the spline through the window centres to every pixel."""
import numpy as np
import pytest

import isce.io
from isce.offsets.rubbersheet import (DenseGrid, fill_gaps, filter_dense, mask_by_median,
                                      mask_by_snr, median_smooth, to_full_grid, write_sheet)

SHAPE = (700, 900)                        # image lines, pixels
GRID = DenseGrid(41.5, 37.5, 32, 32, (20, 26))   # window centres inside it


def _full(values, grid=GRID, shape=SHAPE):
    out = np.empty(shape)
    for rows, block in to_full_grid(values, grid, shape, block_lines=97):
        out[rows] = block
    return out


def _smooth(line, pixel):
    """A smooth, non-polynomial field [pixels] (a glacier-like bump)."""
    return 0.8 * np.exp(-((pixel - 450.0) / 260.0) ** 2) * np.cos((line - 300.0) / 400.0)


def test_constant_field_is_exact_everywhere():
    full = _full(np.full(GRID.shape, -0.37))
    assert np.all(full == pytest.approx(-0.37, abs=1e-12))


def test_smooth_field_at_every_pixel_from_the_window_centres():
    """Inside the window centres the spline meets the field to 1e-3 px: the dense values are
    placed at the true centres (nearest-neighbour upsampling, or centres put at pixel 0, miss
    by ~1e-2 px on this field)."""
    lines, pixels = np.meshgrid(GRID.lines, GRID.pixels, indexing="ij")
    full = _full(_smooth(lines, pixels))
    l, p = np.mgrid[0:SHAPE[0], 0:SHAPE[1]]
    inside = ((l >= GRID.lines[0]) & (l <= GRID.lines[-1]) & (p >= GRID.pixels[0])
              & (p <= GRID.pixels[-1]))
    err = np.abs(full - _smooth(l, p))[inside]
    assert err.max() < 1e-3
    # outside the centres: clamped to the edge window (no extrapolation)
    assert full[0, 500] == pytest.approx(full[int(np.ceil(GRID.lines[0])), 500], abs=2e-3)
    assert full[300, -1] == pytest.approx(full[300, int(np.ceil(GRID.pixels[-1]))], abs=1e-12)


def test_one_window_and_one_row():
    one = DenseGrid(10.5, 20.5, 32, 32, (1, 1))
    assert np.all(_full(np.array([[0.25]]), one, (50, 60)) == 0.25)
    row = DenseGrid(10.5, 20.5, 32, 32, (1, 5))
    values = np.array([[0.0, 1.0, 2.0, 3.0, 4.0]])
    full = _full(values, row, (40, 160))
    assert np.allclose(full[:, 20 + 32], 1.0 - 0.5 / 32) and np.allclose(full[0], full[-1])


def test_mask_by_snr_and_nearest_fill():
    v = np.arange(12.0).reshape(3, 4)
    snr = np.full((3, 4), 10.0)
    snr[1, 2] = 4.9                       # below ISCE2's default 5
    snr[0, 0] = np.nan
    masked = mask_by_snr(v, snr, 5.0)
    assert np.isnan(masked[1, 2]) and np.isnan(masked[0, 0]) and np.isfinite(masked).sum() == 10
    filled = fill_gaps(masked, "nearest")
    assert filled[0, 0] in (1.0, 4.0) and filled[1, 2] in (2.0, 5.0, 7.0, 10.0)
    assert np.array_equal(filled[np.isfinite(masked)], v[np.isfinite(masked)])


def test_mask_by_median_then_smoothed_fill():
    az = np.full((9, 9), 0.2)
    rg = np.full((9, 9), -0.1)
    az[4, 4] = 7.0                       # an outlier beyond 3 px of the median
    rg[2, 6] = np.nan                    # a failed window
    maz, mrg = mask_by_median(az, rg)
    assert np.isnan(maz[4, 4]) and np.isnan(mrg[4, 4]) and np.isnan(maz[2, 6])
    assert np.isfinite(maz).sum() == 79
    assert np.allclose(fill_gaps(maz, "smoothed"), 0.2)
    wide = np.full((40, 50), np.nan)
    wide[:, 45:] = np.linspace(1.0, 2.0, 40)[:, None]      # a large gap: filled ring by ring
    filled = fill_gaps(wide, "smoothed")
    assert np.isfinite(filled).all() and 1.0 <= filled.min() and filled.max() <= 2.0


def test_all_masked_is_refused_and_median_of_size_one_is_identity():
    with pytest.raises(ValueError, match="every window is masked"):
        fill_gaps(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="fill method"):
        fill_gaps(np.array([[np.nan, 1.0]]), "cubic")
    v = np.random.default_rng(0).normal(size=(5, 6))
    assert np.array_equal(median_smooth(v, 1), v)
    with pytest.raises(ValueError):
        median_smooth(v, 0)


def test_filter_dense_removes_an_outlier_and_noise():
    rng = np.random.default_rng(1)
    lines, pixels = np.meshgrid(GRID.lines, GRID.pixels, indexing="ij")
    truth = _smooth(lines, pixels)
    noisy = truth + rng.normal(scale=0.02, size=truth.shape)
    noisy[5, 7] = 40.0                                  # a false peak, low SNR
    snr = np.full(truth.shape, 20.0)
    snr[5, 7] = 2.0
    out = filter_dense(noisy, snr=snr, snr_threshold=5.0, size=3)
    assert np.sqrt(np.mean((out - truth) ** 2)) < 0.015
    out2 = filter_dense(noisy, other=np.zeros_like(noisy), size=3)   # ISCE2's no-SNR branch
    assert abs(out2[5, 7] - truth[5, 7]) < 0.1


def test_write_sheet_adds_the_dense_field_to_the_base(tmp_path):
    base = np.fromfunction(lambda l, p: 0.001 * l - 0.002 * p, SHAPE)
    base[3, 4] = np.nan
    isce.io.write(str(tmp_path / "base.off"), base.astype(np.float32))
    path = write_sheet(tmp_path / "sheet.off", np.full(GRID.shape, 0.5), GRID,
                       str(tmp_path / "base.off"), block_lines=100)
    sheet = isce.io.open(path).read()
    assert sheet.dtype == np.float64 and sheet.shape == SHAPE and np.isnan(sheet[3, 4])
    ok = np.isfinite(base)
    assert np.allclose(sheet[ok], base.astype(np.float32)[ok] + 0.5, atol=1e-9)


def test_bad_grids_are_refused():
    with pytest.raises(ValueError, match="at least one window"):
        DenseGrid(0, 0, 32, 32, (0, 3))
    with pytest.raises(ValueError, match="steps must be positive"):
        DenseGrid(0, 0, 0, 32, (2, 3))
    with pytest.raises(ValueError, match="shape"):
        _full(np.zeros((3, 3)))
