"""Interferogram formation (ISCE2 ``crossmul``, ISCE3 ``Crossmul``).

For two coregistered SLCs ``s1`` (reference) and ``s2`` (secondary):

1. optional range oversampling by ``oversample`` (2 as ISCE): each line is
   FFT-interpolated (its spectrum zero-padded at +-fs/2), so the product
   ``s1 s2*``, whose spectrum is twice as wide as the SLCs', is not aliased;
2. the products ``u1 u2*``, ``|u1|^2``, ``|u2|^2`` are summed over windows of
   ``az_looks`` lines x ``rg_looks`` original pixels (``rg_looks *
   oversample`` oversampled samples), the grid of :mod:`isce.signal.looks`;
3. interferogram = window mean of ``u1 u2*`` (complex64), coherence =
   ``|sum u1 u2*| / sqrt(sum |u1|^2 sum |u2|^2)`` (float32), amplitudes =
   ``sqrt`` of the window means of ``|u1|^2`` and ``|u2|^2`` (ISCE's 2-band
   ``.amp``).

NaN samples are set to 0 before the FFT (ISCE's fill value). A looked pixel whose
window holds a 0 sample of either image (the edges a resampler could not fill) is
no-data: interferogram 0 and coherence 0 (the range oversampling would otherwise leak a
little signal of meaningless phase into it). Lines are processed in
blocks (a multiple of ``az_looks``), so memory stays bounded; rasters are read with
``Raster.read_rows`` (no map), the next block in a thread while the current one is
computed.

How (same results as the steps above, to float rounding): the oversampled samples
``f k`` are the line itself; the samples ``f k + m`` come from one forward FFT of the
line and one inverse FFT of its phase-ramped spectrum per ``m`` (scipy.fft,
:func:`interpolated_lines`); the products, the flattening phase, the window sums and
the outputs are one compiled pass (``isce.ext._interferogram.looked_block``). Both
:func:`crossmul` and :func:`crossmul_raster` go through it, so they agree bit for bit.

Flattening (:class:`Flattening`, ISCE3's ``flatten``): with the range offsets
used to resample the secondary, ``s1 s2*`` is multiplied by ``exp(-4j pi (R2 -
R1) / lambda)`` before the looks, ``R1`` the reference range of the pixel and
``R2`` the secondary range it was resampled from. This removes the geometric
(flat-Earth and topographic) phase; what is left is the change of range between
the dates beyond the geometry (deformation, atmosphere, orbit errors).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

import isce.io
from isce.io.readahead import read_ahead
from isce.core.threads import kernel_threads
from isce.ext import load

from ._arrays import progress_blocks
from ._lines import Lines

__all__ = ["Interferogram", "Flattening", "crossmul", "crossmul_raster", "upsample_range",
           "interpolated_lines"]


class Flattening(NamedTuple):
    """What removes the geometric phase: the secondary's range offsets [secondary pixels] on
    the reference grid (path, Raster or array-like), the wavelength [m], and both images'
    starting range and range spacing [m]."""
    range_offsets: object
    wavelength: float
    reference_range: tuple      # (starting range, spacing) of the reference
    secondary_range: tuple      # (starting range, spacing) of the secondary

    def phase(self, offsets: np.ndarray) -> np.ndarray:
        """``4 pi (R2 - R1) / lambda`` [rad] of a block of range offsets (float64)."""
        off = np.nan_to_num(np.asarray(offsets, dtype=np.float64), nan=0.0)
        j = np.arange(off.shape[1], dtype=np.float64)[None, :]
        r01, dr1 = (float(v) for v in self.reference_range)
        r02, dr2 = (float(v) for v in self.secondary_range)
        dr = (r02 - r01) + j * (dr2 - dr1) + off * dr2
        return (4.0 * np.pi / float(self.wavelength)) * dr


class Interferogram(NamedTuple):
    """Outputs of :func:`crossmul`, all on the looked grid."""
    interferogram: np.ndarray   # complex64, window mean of s1 s2*
    coherence: np.ndarray       # float32 in [0, 1]
    amplitude: np.ndarray       # float32 (2, L, W): rms amplitude of s1 and s2


def upsample_range(slc, factor: int = 2, *, workers: int = -1):
    """FFT-interpolate each line of ``slc`` by an integer ``factor``.

    complex64 input is processed (and returned) in single precision, anything
    else in complex128.
    Sample ``k`` of the input lands on sample ``factor * k`` of the output. The
    line is zero-padded to a fast FFT length first; the Nyquist bin of an even
    length is split between +-fs/2."""
    from scipy import fft as sfft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    x = np.asarray(slc)
    if x.ndim != 2:
        raise ValueError(f"upsample_range needs a 2-D array, got shape {x.shape}")
    factor = int(factor)
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    n = x.shape[1]
    ctype = np.complex64 if x.dtype == np.complex64 else np.complex128
    if factor == 1 or n == 0:
        return x.astype(ctype)
    nfft = sfft.next_fast_len(n)
    X = sfft.fft(x.astype(ctype, copy=False), n=nfft, axis=1, workers=workers)
    m = nfft * factor
    Y = np.zeros((x.shape[0], m), ctype)
    if nfft % 2 == 0:
        h = nfft // 2
        Y[:, :h] = X[:, :h]
        Y[:, m - h + 1:] = X[:, h + 1:]
        Y[:, h] = 0.5 * X[:, h]
        Y[:, m - h] = 0.5 * X[:, h]
    else:
        h = (nfft - 1) // 2
        Y[:, :h + 1] = X[:, :h + 1]
        Y[:, m - h:] = X[:, nfft - h:]
    u = sfft.ifft(Y, axis=1, workers=workers, overwrite_x=True)
    u *= factor
    return u[:, : n * factor]


def _ext():
    return load("_interferogram")


def _ramps(nfft: int, factor: int, dtype) -> np.ndarray:
    """``(factor - 1, nfft)`` spectra multipliers that move a line of ``nfft`` samples by
    ``m / factor`` samples (m = 1 .. factor - 1): ``exp(2 pi i k m / (factor nfft))`` for the
    signed frequency ``k``; an even length's Nyquist bin, split between +-fs/2 as
    :func:`upsample_range` does, becomes ``cos(pi m / factor)``."""
    key = (nfft, factor, np.dtype(dtype).str)
    ramps = _RAMPS.get(key)
    if ramps is None:
        k = np.fft.fftfreq(nfft) * nfft                       # signed frequency index
        m = np.arange(1, factor)[:, None]
        ramps = np.exp(2j * np.pi * k[None, :] * m / (factor * nfft))
        if nfft % 2 == 0:
            ramps[:, nfft // 2] = np.cos(np.pi * m[:, 0] / factor)
        ramps = np.ascontiguousarray(ramps, dtype=dtype)
        _RAMPS[key] = ramps
    return ramps


_RAMPS: dict = {}


def interpolated_lines(block: np.ndarray, factor: int, *, workers=None) -> np.ndarray:
    """``(factor - 1, rows, nfft)``: each line of ``block`` FFT-interpolated at ``k + m /
    factor`` (``m = 1 .. factor - 1``; the first ``width`` samples matter), i.e. samples
    ``factor k + m`` of :func:`upsample_range` -- its samples ``factor k`` are the line itself.
    One forward FFT of the line (zero-padded to a fast length ``nfft``) and one inverse
    FFT of ``nfft`` samples per ``m``, half the inverse work of :func:`upsample_range`."""
    from scipy import fft as sfft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    rows, n = block.shape
    workers = kernel_threads(workers or 0)
    nfft = sfft.next_fast_len(n)
    if factor == 1 or rows == 0 or n == 0:
        return np.empty((0, rows, max(n, 1)), block.dtype)
    spec = np.ascontiguousarray(sfft.fft(block, n=nfft, axis=1, workers=workers))
    ramps = _ramps(nfft, factor, block.dtype)
    out = spec[None] if factor == 2 else np.empty((factor - 1, rows, nfft), block.dtype)
    for m in range(factor - 1):
        _ext().multiply_rows(spec, ramps[m], out[m], 1)       # memory-bound: one thread
        # in place: scipy.fft writes into a complex input when overwrite_x is set
        res = sfft.ifft(out[m], axis=1, workers=workers, overwrite_x=True)
        if res is not out[m] and not np.shares_memory(res, out[m]):
            out[m] = res
    return out


class _Blocks(Lines):
    """Whole lines of an image as fresh C-contiguous copies (:class:`Lines`), cleaned."""

    def slc(self, rows: slice) -> np.ndarray:
        """complex64 (complex128 stays complex128) lines, NaN set to 0 (ISCE's fill)."""
        b = self(rows)
        ctype = np.complex128 if b.dtype == np.complex128 else np.complex64
        b = np.ascontiguousarray(b, dtype=ctype)
        _ext().zero_nan(b, 1)
        return b

    def offsets(self, rows: slice) -> np.ndarray:
        """float32 or float64 lines (the kernel reads NaN as 0)."""
        b = self(rows)
        ftype = np.float32 if b.dtype == np.float32 else np.float64
        return np.ascontiguousarray(b, dtype=ftype)


def _flat_args(flatten: Flattening | None):
    if flatten is None:
        return None
    r01, dr1 = (float(v) for v in flatten.reference_range)
    r02, dr2 = (float(v) for v in flatten.secondary_range)
    return (r01, dr1, r02, dr2, 4.0 * np.pi / float(flatten.wavelength))


def _looked_block(b1, b2, az_looks, rg_looks, oversample, offsets=None, flat=None,
                  amplitude=True):
    """(interferogram, coherence, amplitude or None) of one block of cleaned lines: the
    FFTs in scipy, the rest (products, flattening, looks, outputs) in one compiled pass
    (``isce.ext._interferogram.looked_block``). Both drivers call this, so a raster and
    an array give the same result bit for bit."""
    h1 = interpolated_lines(b1, oversample)
    h2 = h1 if b2 is b1 else interpolated_lines(b2, oversample)
    return _ext().looked_block(b1, b2, h1, h2, offsets, flat, az_looks, rg_looks, oversample,
                               amplitude, 0)


def _check_args(shape1, shape2, az_looks, rg_looks, oversample):
    if tuple(shape1) != tuple(shape2):
        raise ValueError(f"crossmul needs SLCs of the same shape, got {tuple(shape1)} and {tuple(shape2)}")
    for name, v in (("az_looks", az_looks), ("rg_looks", rg_looks), ("oversample", oversample)):
        if isinstance(v, bool) or int(v) != v or int(v) < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return int(az_looks), int(rg_looks), int(oversample)


def _lines_per_block(width, az_looks, block_lines):
    if block_lines is None:
        # ~8 MiB per complex64 array of the block: an image, its FFT, a read-ahead copy
        block_lines = max(1, (8 * 2 ** 20) // max(1, 8 * width))
    return max(1, int(block_lines) // az_looks) * az_looks


class _Flattener:
    """The flattening inputs of a block for the kernel: a :class:`Flattening`'s offsets as
    read (the kernel computes its phase), or the phase [rad] of any object with
    ``range_offsets`` and ``phase(offsets)`` (e.g. a stack's pair of dates)."""

    def __init__(self, flatten, shape):
        self.flatten = flatten
        self.fast = type(flatten) is Flattening
        self.blocks = _Blocks(flatten.range_offsets, "range_offsets")
        if tuple(self.blocks.shape) != tuple(shape):
            raise ValueError(f"range offsets {tuple(self.blocks.shape)} and SLCs {tuple(shape)} "
                             "differ in shape")
        # a phase given as is: the kernel's formula with r0 = 0, spacing 1, scale 1
        self.args = _flat_args(flatten) if self.fast else (0.0, 1.0, 0.0, 1.0, 1.0)

    def block(self, rows: slice) -> np.ndarray:
        if self.fast:
            return self.blocks.offsets(rows)
        phase = self.flatten.phase(self.blocks.reader[rows])
        return np.ascontiguousarray(phase, dtype=np.float64)


def _read_blocks(b1, b2, flattener, starts, step, stop_line):
    """Yield ``(rows, s1 block, s2 block, offsets block)`` in order, the next block read in a
    thread while the caller computes (preadv releases the GIL)."""
    def read(start):
        rows = slice(start, min(start + step, stop_line))
        s1 = b1.slc(rows)
        s2 = s1 if b2 is b1 else b2.slc(rows)
        off = None if flattener is None else flattener.block(rows)
        return rows, s1, s2, off

    if len(starts) <= 1:
        return map(read, starts)
    return (block for _, block in read_ahead(starts, read))


def crossmul(slc1, slc2, az_looks: int = 1, rg_looks: int = 1, *, oversample: int = 2,
             block_lines=None) -> Interferogram:
    """Interferogram, coherence and amplitudes of two coregistered SLC arrays.

    Parameters
    ----------
    slc1, slc2 : complex arrays (length, width), same shape (reference, secondary);
        paths, isce.io Rasters and h5py datasets work too
    az_looks, rg_looks : int
        Looks in lines and (original) pixels.
    oversample : int
        Range oversampling factor before multiplying (2 as ISCE; 1 to skip).
    block_lines : int, optional
        Input lines per block (rounded down to a multiple of az_looks).

    Returns :class:`Interferogram` of arrays with ``length // az_looks`` lines and
    ``width // rg_looks`` pixels."""
    b1 = _Blocks(slc1, "slc1")
    b2 = b1 if slc1 is slc2 else _Blocks(slc2, "slc2")
    az_looks, rg_looks, oversample = _check_args(b1.shape, b2.shape, az_looks, rg_looks, oversample)
    length, width = b1.shape
    L, W = length // az_looks, width // rg_looks
    ifg = np.zeros((L, W), np.complex64)
    coh = np.zeros((L, W), np.float32)
    amp = np.zeros((2, L, W), np.float32)
    step = _lines_per_block(width, az_looks, block_lines)
    starts = list(range(0, L * az_looks, step))
    for rows, s1, s2, _ in _read_blocks(b1, b2, None, starts, step, L * az_looks):
        out = slice(rows.start // az_looks, rows.stop // az_looks)
        ifg[out], coh[out], amp[:, out] = _looked_block(s1, s2, az_looks, rg_looks, oversample)
    return Interferogram(ifg, coh, amp)


def crossmul_raster(reference, secondary, interferogram, coherence=None, amplitude=None, *,
                    az_looks: int = 1, rg_looks: int = 1, oversample: int = 2,
                    block_lines=None, flatten: Flattening | None = None,
                    progress: bool = False):
    """:func:`crossmul` from images on disk (or array-likes) to isce.io rasters.

    ``reference``, ``secondary``: paths, isce.io Rasters or 2-D array-likes (rasters are
    read a block at a time, the next block while the current one is computed).
    ``interferogram`` (CFLOAT), ``coherence`` (FLOAT, optional) and ``amplitude``
    (2-band BIP FLOAT, optional) are output paths, written atomically with sidecars.
    ``flatten``: remove the geometric phase (:class:`Flattening`; module doc).
    Returns the tuple of paths written."""
    b1 = _Blocks(reference, "reference")
    b2 = _Blocks(secondary, "secondary")
    az_looks, rg_looks, oversample = _check_args(b1.shape, b2.shape, az_looks, rg_looks, oversample)
    flattener = None if flatten is None else _Flattener(flatten, b1.shape)
    flat = None if flattener is None else flattener.args
    length, width = b1.shape
    L, W = length // az_looks, width // rg_looks

    writers = []
    try:
        w_ifg = isce.io.create(interferogram, W, L, "CFLOAT", image_type="cpx")
        writers.append(w_ifg)
        w_coh = w_amp = None
        if coherence is not None:
            w_coh = isce.io.create(coherence, W, L, "FLOAT", image_type="cor")
            writers.append(w_coh)
        if amplitude is not None:
            w_amp = isce.io.create(amplitude, W, L, "FLOAT", bands=2, scheme="BIP", image_type="amp")
            writers.append(w_amp)
        step = _lines_per_block(width, az_looks, block_lines)
        starts = list(range(0, L * az_looks, step))
        blocks = _read_blocks(b1, b2, flattener, starts, step, L * az_looks)
        for rows, s1, s2, off in progress_blocks(blocks, len(starts), progress, "crossmul"):
            ifg, coh, amp = _looked_block(s1, s2, az_looks, rg_looks, oversample, off, flat,
                                          amplitude=w_amp is not None)
            out = slice(rows.start // az_looks, rows.stop // az_looks)
            w_ifg.write_rows(ifg, out)
            if w_coh is not None:
                w_coh.write_rows(coh, out)
            if w_amp is not None:
                w_amp.write(amp, rows=out)
    except BaseException:
        for w in writers:
            w.abort()
        raise
    for w in writers:
        w.close()
    return tuple(p for p in (interferogram, coherence, amplitude) if p is not None)
