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
blocks (a multiple of ``az_looks``), so memory stays bounded.

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

from ._arrays import RowReader, progress_blocks, to_numeric
from .coherence import coherence_from_sums

__all__ = ["Interferogram", "Flattening", "crossmul", "crossmul_raster", "upsample_range"]


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


def _oversampled_phase(phase: np.ndarray, factor: int) -> np.ndarray:
    """Linear interpolation of a smooth phase to ``factor`` samples per pixel (sample ``k``
    of the input at ``factor * k``, as :func:`upsample_range`)."""
    if factor == 1:
        return phase
    n = phase.shape[1]
    x = np.arange(n * factor) / factor
    i0 = np.minimum(np.floor(x).astype(np.int64), max(n - 2, 0))
    w = x - i0
    i1 = np.minimum(i0 + 1, n - 1)
    return phase[:, i0] * (1 - w) + phase[:, i1] * w


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


def _clean(block):
    b = np.asarray(to_numeric(block))
    if b.dtype != np.complex64 and b.dtype != np.complex128:
        b = b.astype(np.complex64)
    bad = np.isnan(b.real) | np.isnan(b.imag)
    if bad.any():
        b = np.where(bad, 0, b)
    return b


def _block_sums(s1, s2, az_looks, rg_looks, oversample, flat_phase=None):
    """Window sums (cross, power1, power2, samples per window) of one block of lines;
    ``flat_phase`` (rows, width) [rad] is removed from the products."""
    if oversample > 1:
        u1 = upsample_range(s1, oversample)
        u2 = u1 if s2 is s1 else upsample_range(s2, oversample)
    else:
        u1, u2 = s1, s2
    rows, n = s1.shape
    L, W = rows // az_looks, n // rg_looks
    f = oversample
    keep = (slice(0, L * az_looks), slice(0, W * rg_looks * f))

    def wsum(a):
        # products in the SLC precision, window sums in float64 / complex128
        acc = np.complex128 if np.iscomplexobj(a) else np.float64
        return a.reshape(L, az_looks, W, rg_looks * f).sum(axis=(1, 3), dtype=acc)

    same = u2 is u1
    u1 = u1[keep]
    u2 = u1 if same else u2[keep]
    prod = u1 * np.conj(u2)
    if flat_phase is not None:
        ph = _oversampled_phase(np.asarray(flat_phase, dtype=np.float64), f)[keep]
        prod *= np.exp(-1j * ph).astype(prod.dtype)
    cross = wsum(prod)
    p1 = wsum((u1 * np.conj(u1)).real)
    p2 = p1 if same else wsum((u2 * np.conj(u2)).real)
    # windows holding a no-data sample (0) of either image: the oversampling spreads a little
    # signal into them, with a phase that means nothing
    nodata = (s1[:L * az_looks, :W * rg_looks] == 0)
    if not same:
        nodata = nodata | (s2[:L * az_looks, :W * rg_looks] == 0)
    bad = nodata.reshape(L, az_looks, W, rg_looks).any(axis=(1, 3))
    return cross, p1, p2, az_looks * rg_looks * f, bad


def _outputs(cross, p1, p2, count, bad=None):
    ifg = (cross / count).astype(np.complex64)
    coh = coherence_from_sums(cross, p1, p2)
    amp = np.sqrt(np.stack([p1, p2]) / count).astype(np.float32)
    if bad is not None and bad.any():
        ifg[bad] = 0
        coh[bad] = 0
    return ifg, coh, amp


def _check_args(shape1, shape2, az_looks, rg_looks, oversample):
    if tuple(shape1) != tuple(shape2):
        raise ValueError(f"crossmul needs SLCs of the same shape, got {tuple(shape1)} and {tuple(shape2)}")
    for name, v in (("az_looks", az_looks), ("rg_looks", rg_looks), ("oversample", oversample)):
        if isinstance(v, bool) or int(v) != v or int(v) < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return int(az_looks), int(rg_looks), int(oversample)


def _lines_per_block(width, az_looks, oversample, block_lines):
    if block_lines is None:
        # ~32 MiB of complex128 per oversampled array
        block_lines = max(1, (32 * 2 ** 20) // max(1, 16 * width * oversample))
    n = max(1, int(block_lines) // az_looks) * az_looks
    return n


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
    same = slc1 is slc2
    r1 = RowReader(slc1, "slc1")
    r2 = r1 if same else RowReader(slc2, "slc2")
    az_looks, rg_looks, oversample = _check_args(r1.shape, r2.shape, az_looks, rg_looks, oversample)
    length, width = r1.shape
    L, W = length // az_looks, width // rg_looks
    ifg = np.zeros((L, W), np.complex64)
    coh = np.zeros((L, W), np.float32)
    amp = np.zeros((2, L, W), np.float32)
    step = _lines_per_block(width, az_looks, oversample, block_lines)
    for start in range(0, L * az_looks, step):
        stop = min(start + step, L * az_looks)
        b1 = _clean(r1[slice(start, stop)])
        b2 = b1 if same else _clean(r2[slice(start, stop)])
        sums = _block_sums(b1, b2, az_looks, rg_looks, oversample)
        rows = slice(start // az_looks, stop // az_looks)
        ifg[rows], coh[rows], amp[:, rows] = _outputs(*sums)
    return Interferogram(ifg, coh, amp)


def crossmul_raster(reference, secondary, interferogram, coherence=None, amplitude=None, *,
                    az_looks: int = 1, rg_looks: int = 1, oversample: int = 2,
                    block_lines=None, flatten: Flattening | None = None,
                    progress: bool = False):
    """:func:`crossmul` from images on disk (or array-likes) to isce.io rasters.

    ``reference``, ``secondary``: paths, isce.io Rasters or 2-D array-likes.
    ``interferogram`` (CFLOAT), ``coherence`` (FLOAT, optional) and ``amplitude``
    (2-band BIP FLOAT, optional) are output paths, written atomically with sidecars.
    ``flatten``: remove the geometric phase (:class:`Flattening`; module doc).
    Returns the tuple of paths written."""
    r1 = RowReader(reference, "reference")
    r2 = RowReader(secondary, "secondary")
    az_looks, rg_looks, oversample = _check_args(r1.shape, r2.shape, az_looks, rg_looks, oversample)
    r_off = None
    if flatten is not None:
        r_off = RowReader(flatten.range_offsets, "range_offsets")
        if tuple(r_off.shape) != tuple(r1.shape):
            raise ValueError(f"range offsets {tuple(r_off.shape)} and SLCs {tuple(r1.shape)} "
                             "differ in shape")
    length, width = r1.shape
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
        step = _lines_per_block(width, az_looks, oversample, block_lines)
        starts = range(0, L * az_looks, step)
        for start in progress_blocks(starts, len(starts), progress, "crossmul"):
            stop = min(start + step, L * az_looks)
            b1 = _clean(r1[slice(start, stop)])
            b2 = _clean(r2[slice(start, stop)])
            ph = None if r_off is None else flatten.phase(r_off[slice(start, stop)])
            ifg, coh, amp = _outputs(*_block_sums(b1, b2, az_looks, rg_looks, oversample, ph))
            rows = slice(start // az_looks, stop // az_looks)
            w_ifg[rows] = ifg
            if w_coh is not None:
                w_coh[rows] = coh
            if w_amp is not None:
                w_amp.write(amp, rows=rows)
    except BaseException:
        for w in writers:
            w.abort()
        raise
    for w in writers:
        w.close()
    return tuple(p for p in (interferogram, coherence, amplitude) if p is not None)
