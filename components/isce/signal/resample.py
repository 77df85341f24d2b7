"""SLC resampling by offset rasters (ISCE3 ``ResampSlc``; ISCE2 ``resamp_slc``).

Output pixel ``(i, j)`` takes the input SLC at ``(i + az[i, j], j + rg[i, j])``
(offsets in input lines and pixels), interpolated with an 8 x 8 windowed-sinc
kernel tabulated at 8192 sub-pixel positions (:func:`sinc_table`). The input
is band-pass in azimuth around its Doppler centroid, so the azimuth carrier
``exp(j 2 pi f_dc t)`` is removed over the 8 azimuth taps before
interpolation and restored at the interpolated position; ``f_dc`` [Hz] is the
product's Doppler evaluated at the output pixel (azimuth time
``sensing_start + i / prf`` [s], slant range ``starting_range + j *
range_pixel_spacing`` [m]). Without it the envisat golden error grows from
4e-5 to ~0.7.

Pixels whose 8 x 8 support is not inside the input (ISCE3's rule:
``4 <= floor(i + az) < length - 4`` and the same in range) or whose offsets are
NaN get ``fill`` (0 by default, as ISCE3, so crossmul sees no signal there).

The interpolation itself is the C++ kernel ``isce.ext._signal.resample_slc``
(OpenMP over lines, GIL released); this module reads blocks of output lines
and exactly the input lines they need (copies through the file, the next block
in a thread while the kernel works), so memory stays bounded. Corrections to
the offsets (the misregistration polynomials) are added block by block in
memory rather than written as full-size offset rasters and read back.
"""
from __future__ import annotations

import math
from contextlib import ExitStack

import numpy as np

import isce.io
from isce.core.threads import kernel_threads
from isce.ext import load
from isce.io.readahead import read_ahead

from ._arrays import RowReader, as_complex64, progress_blocks

__all__ = ["resample_slc", "resample_slc_block", "input_lines_needed", "doppler_carrier",
           "sinc_table", "SINC_LEN", "SINC_SUB"]

SINC_LEN = 8       # taps per axis
SINC_SUB = 8192    # tabulated sub-pixel positions
_SUPPORT_BEFORE, _SUPPORT_AFTER = 3, 4   # lines floor(y) - 3 .. floor(y) + 4


def _kernel():
    return load("_signal")


def sinc_table() -> np.ndarray:
    """The interpolation kernel, float64 ``(SINC_SUB, SINC_LEN)``.

    Row ``k`` weighs the samples at offsets -3..+4 from ``floor(x)`` for a
    fraction ``x - floor(x)`` in ``[k, k+1) / SINC_SUB``; each row sums to 1."""
    return _kernel().sinc_table()


def input_lines_needed(az_off, out_row0: int, image_length: int) -> slice:
    """Input lines an output block needs: ``slice(lo, hi)`` clipped to the image.

    ``az_off`` are the azimuth offsets of output lines ``out_row0 ..`` (NaN ignored).
    Returns an empty slice when no offset is finite. The extremes are taken line by line
    in the offsets' own type (``min_j(az + i) = min_j(az) + i``: adding a line's index is
    monotonic under rounding), so no block-sized temporaries are made."""
    az = np.asarray(az_off)
    if az.dtype not in (np.float32, np.float64):
        az = az.astype(np.float64)
    if az.ndim != 2 or az.size == 0:
        return slice(0, 0)
    lo_row = np.fmin.reduce(az, axis=1).astype(np.float64)     # NaN only if all NaN
    hi_row = np.fmax.reduce(az, axis=1).astype(np.float64)
    if np.isinf(lo_row).any() or np.isinf(hi_row).any():        # infinities are ignored
        az = np.where(np.isfinite(az), az, np.nan)
        lo_row = np.fmin.reduce(az, axis=1).astype(np.float64)
        hi_row = np.fmax.reduce(az, axis=1).astype(np.float64)
    index = out_row0 + np.arange(az.shape[0], dtype=np.float64)
    lows, highs = lo_row + index, hi_row + index
    ok = np.isfinite(lows)
    if not ok.any():
        return slice(0, 0)
    lo = int(math.floor(float(lows[ok].min()))) - _SUPPORT_BEFORE
    hi = int(math.floor(float(highs[ok].max()))) + _SUPPORT_AFTER + 1
    lo, hi = max(lo, 0), min(hi, int(image_length))
    return slice(lo, max(lo, hi))


def _clamped_eval(lut, t, r):
    """Evaluate a LUT2d at (t[:, None], r[None, :]) with edge extension (ISCE3 clamping)."""
    if getattr(lut, "have_data", False):
        t = np.clip(t, lut.y_start, lut.y_end)
        r = np.clip(r, lut.x_start, lut.x_end)
    return lut.eval(t[:, None], r[None, :])


def doppler_carrier(doppler, grid, rows: slice, width: int):
    """Azimuth carrier [rad per input line] ``2 pi f_dc / prf`` on output lines ``rows``.

    ``doppler``: None (zero Doppler: returns None), a constant [Hz], a
    :class:`isce.core.LUT2d` (azimuth time [s], slant range [m]) -> Hz, evaluated
    with edge extension outside its bounds, or a callable ``f(t, r)`` -> Hz
    broadcasting over ``t[:, None]``, ``r[None, :]``. ``grid`` gives
    ``sensing_start`` [s], ``prf`` [Hz], ``starting_range`` [m] and
    ``range_pixel_spacing`` [m] (e.g. an :class:`isce.core.RadarGrid`): output
    pixel (i, j) is at ``t = sensing_start + i / prf``, ``r = starting_range +
    j * range_pixel_spacing``."""
    if doppler is None:
        return None
    n = rows.stop - rows.start
    if grid is None:
        raise ValueError("a Doppler needs the radar grid (sensing_start, prf, starting_range, "
                         "range_pixel_spacing) to place the output pixels")
    prf = float(grid.prf)
    if np.isscalar(doppler):
        return np.full((n, width), 2.0 * np.pi * float(doppler) / prf)
    t = float(grid.sensing_start) + np.arange(rows.start, rows.stop, dtype=np.float64) / prf
    r = float(grid.starting_range) + np.arange(width, dtype=np.float64) * float(grid.range_pixel_spacing)
    if hasattr(doppler, "eval") and hasattr(doppler, "have_data"):
        fdc = _clamped_eval(doppler, t, r)
    elif callable(doppler):
        fdc = doppler(t[:, None], r[None, :])
    else:
        raise TypeError(f"doppler must be None, a number, a LUT2d or a callable, got {type(doppler).__name__}")
    fdc = np.broadcast_to(np.asarray(fdc, dtype=np.float64), (n, width))
    return (2.0 * np.pi / prf) * fdc


def resample_slc_block(block, az_off, rg_off, *, block_row0: int = 0, image_length=None,
                       out_row0: int = 0, carrier=None, fill: complex = 0.0, threads: int = 0,
                       out=None):
    """Resample output lines ``out_row0 ..`` from the input lines held in ``block``.

    Parameters
    ----------
    block : complex array (rows, width)
        Input lines ``block_row0 .. block_row0 + rows - 1`` (whole lines).
    az_off, rg_off : float arrays (n, m)
        Offsets [input lines, input pixels] of the output pixels; NaN = no data. Both
        float32 (as rasters hold them): used as they are; else converted to float64.
    block_row0 : int
        Input line of ``block[0]``.
    image_length : int, optional
        Lines of the whole input (default: ``block_row0 + rows``): sets the edge rule.
    out_row0 : int
        Output line of ``az_off[0]``.
    carrier : float array (n, m), optional
        Azimuth carrier [rad per input line], see :func:`doppler_carrier`.
    fill : complex
        Value of pixels that cannot be interpolated.
    threads : int
        OpenMP threads (0: default).
    out : complex64 array (n, m), C-contiguous, optional
        Written and returned (a buffer reused block after block), else a new array.

    Returns complex64 (n, m). Raises ValueError if a pixel needs lines outside the
    block (see :func:`input_lines_needed`)."""
    block = as_complex64(block)
    single = np.asarray(az_off).dtype == np.float32 and np.asarray(rg_off).dtype == np.float32
    az = np.ascontiguousarray(az_off, dtype=np.float32 if single else np.float64)
    rg = np.ascontiguousarray(rg_off, dtype=np.float32 if single else np.float64)
    length = -1 if image_length is None else int(image_length)
    return _kernel().resample_slc(block, az, rg, block_row0=int(block_row0), image_length=length,
                                  out_row0=int(out_row0), carrier=carrier, fill=complex(fill),
                                  threads=kernel_threads(threads), out=out)


def _offsets(reader, rows, correction, pixels, slot=None, key=None):
    """Offsets [px] of output lines ``rows``, plus ``correction(lines, pixels)`` when given,
    rounded to float32 as an offset raster holds them (the kernel takes float32 or float64
    offsets as they come). ``slot``/``key``: a kept buffer to read into."""
    off = np.asarray(reader[rows] if slot is None else reader.into(rows, slot, key))
    if off.dtype not in (np.float32, np.float64):
        off = off.astype(np.float64)
    if correction is None:
        return off
    lines = np.arange(rows.start, rows.stop, dtype=np.float64)
    total = np.asarray(correction(lines, pixels), dtype=np.float64)
    # the sum in float64, rounded to float32 as it is stored (one pass)
    return np.add(total, off, out=np.empty(total.shape, np.float32), casting="same_kind")


def resample_slc(slc, rg_offsets, az_offsets, output=None, *, doppler=None, grid=None,
                 az_correction=None, rg_correction=None, offsets_output=None,
                 block_lines: int = 256, fill: complex = 0.0, threads: int = 0,
                 progress: bool = False):
    """Resample a whole SLC by offset rasters, block by block.

    Parameters
    ----------
    slc : path, isce.io.Raster or 2-D array-like (h5py datasets work)
        The image to resample (complex64, or NISAR complex32).
    rg_offsets, az_offsets : path, Raster or 2-D array-like
        Range and azimuth offsets [pixels] on the output grid (their shape is the
        output shape), e.g. ``offsets/range.off`` and ``offsets/azimuth.off``.
    output : path, optional
        Write an isce.io CFLOAT raster (with sidecars, atomically) and return the
        path; without it the result is returned as an ndarray.
    doppler : None, float [Hz], LUT2d or callable
        Doppler centroid of ``slc`` (see :func:`doppler_carrier`); None for zero Doppler.
    grid : RadarGrid-like
        ``sensing_start``, ``prf``, ``starting_range``, ``range_pixel_spacing`` used to
        place output pixel (i, j) in the Doppler table (ISCE3 uses the grid of the
        product being resampled).
    az_correction, rg_correction : callable, optional
        ``f(lines, pixels)`` of 1-D output line and pixel indices -> (lines, pixels) array
        [pixels] added to the offsets, block by block (e.g. the misregistration polynomials'
        ``on_grid``): the corrected offsets are never written unless ``offsets_output``
        says where. With a correction the offsets are rounded to float32, as a raster of
        them would hold them.
    offsets_output : (azimuth path, range path), optional
        Also write the offsets used (corrections included) as FLOAT offset rasters.
    block_lines : int
        Output lines per block; the next block is read (and corrected) in a thread while
        the kernel works on this one.
    fill, threads, progress
        Fill value, OpenMP threads (0: default), tqdm progress bar.
    """
    src = RowReader(slc, "slc")
    rgr = RowReader(rg_offsets, "rg_offsets")
    azr = RowReader(az_offsets, "az_offsets")
    if rgr.shape != azr.shape:
        raise ValueError(f"range offsets {rgr.shape} and azimuth offsets {azr.shape} differ in shape")
    out_length, out_width = azr.shape
    if int(block_lines) < 1:
        raise ValueError(f"block_lines must be >= 1, got {block_lines}")
    pixels = np.arange(out_width, dtype=np.float64)
    slots = ({}, {})            # read buffers of even and odd blocks (two blocks are held)

    def read(rows):             # in the read-ahead thread: offsets, input lines, carrier
        slot = slots[(rows.start // int(block_lines)) % 2]
        az = _offsets(azr, rows, az_correction, pixels, slot, "az")
        rg = _offsets(rgr, rows, rg_correction, pixels, slot, "rg")
        need = input_lines_needed(az, rows.start, src.length)
        if need.stop <= need.start:
            return az, rg, need, None, None
        return (az, rg, need, src.into(need, slot, "slc"),
                doppler_carrier(doppler, grid, rows, out_width))

    with ExitStack() as stack:
        writers = []
        if output is not None:
            writers.append(stack.enter_context(
                isce.io.create(output, out_width, out_length, "CFLOAT", image_type="slc")))
        for path in offsets_output or ():
            writers.append(stack.enter_context(
                isce.io.create(path, out_width, out_length, "FLOAT", image_type="offset")))
        result = None if output is not None else np.empty((out_length, out_width), np.complex64)
        starts = range(0, out_length, int(block_lines))
        blocks = (slice(s, min(s + int(block_lines), out_length)) for s in
                  progress_blocks(starts, len(starts), progress, "resample"))
        buffer = np.empty((min(int(block_lines), out_length), out_width), np.complex64)
        for rows, (az, rg, need, block, carrier) in read_ahead(blocks, read):
            if block is not None:
                out = resample_slc_block(block, az, rg, block_row0=need.start,
                                         image_length=src.length, out_row0=rows.start,
                                         carrier=carrier, fill=fill, threads=threads,
                                         out=buffer[:rows.stop - rows.start])
            else:
                out = np.full(az.shape, fill, np.complex64)
            for writer, data in zip(writers, ([out] if output is not None else []) + [az, rg]):
                writer.write_rows(data.astype(writer.dtype, copy=False), rows)
            if result is not None:
                result[rows] = out
    return output if output is not None else result
