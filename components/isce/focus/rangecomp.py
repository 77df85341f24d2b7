"""Range compression: matched filtering of raw echoes with the transmitted chirp.

Convention (the :class:`~isce.sensors.raw.RawProduct` contract): raw sample
``j`` is at two-way range time ``2 R0 / c + j / fs`` and the echo of a target
at two-way delay ``tau`` is the chirp ``exp(j pi K u^2)``, ``|u| <= T/2``,
*centred* on ``tau`` (``u = t - tau``). The compressed output keeps the input
samples: output sample ``j`` holds the response of a target whose delay is
``2 R0 / c + j / fs``, i.e. at slant range ``starting_range + j * c / (2 fs)``
(the filter is referenced to the chirp centre; a half-sample chirp centre is
handled exactly by a linear phase).

The filter is applied in the frequency domain on lines zero-padded to a fast
FFT length >= ``width + n_chirp - 1`` (no wrap-around):

    H(nu) = conj(C(nu)) exp(-2j pi nu c0 / fs) W(nu / B) / E

with ``C`` the DFT of ``RawProduct.chirp()`` (``n_chirp`` samples, centre at
``c0 = (n_chirp - 1) / 2``), ``nu`` the signed baseband frequency [Hz], ``W``
the weighting window over the chirp band ``B = |K| T`` (zero outside: the
output is band-limited to B) and ``E = n_chirp`` so that a target of echo
amplitude ``a`` compresses to a peak of about ``a * mean(W)``.

Valid samples: output sample ``j`` is fully compressed when the whole echo
``[j - c0, j + c0]`` lies inside the line, i.e. ``ceil(c0) <= j < width -
ceil(c0)``; :class:`RangeCompressed` records these bounds.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace

import numpy as np

import isce.io
from isce.framework.errors import InputError
from isce.io.blocks import progress_bar
from isce.sensors.raw import RawProduct, RawSource

from . import fft as _fft
from .output import ComplexRasterOutput
from .parallel import parallel_rows
from .rda import Clock
from .weighting import parse_window, window

__all__ = ["RangeCompressed", "range_filter", "range_compress", "compress_lines",
           "load_range_compressed", "RC_ATTRIBUTE"]

#: attribute set in the RawProduct metadata of range-compressed data
RC_ATTRIBUTE = "range_compressed"


def range_filter(raw, nfft: int, *, window_kind="rect", beta: float = 0.0, replica=None,
                 bandwidth: float | None = None, normalise_ifft: bool = True) -> np.ndarray:
    """The frequency-domain matched filter (complex64, length ``nfft``) for ``raw``.

    With ``normalise_ifft`` (default) the filter includes the ``1 / nfft`` of the
    unnormalised inverse FFT (:meth:`isce.focus.fft.Transform.inverse`).
    ``replica``: the transmitted pulse sampled at ``raw.range_sampling_rate``
    with its centre at index ``(len - 1) / 2`` (default ``raw.chirp()``);
    ``bandwidth`` [Hz] of the weighting window (default ``|K| T``).
    """
    fs = float(raw.range_sampling_rate)
    chirp = np.asarray(raw.chirp() if replica is None else replica, dtype=np.complex128)
    n = chirp.size
    if n < 1:
        raise ValueError("the chirp replica is empty (pulse length * sampling rate < 1)")
    if nfft < n:
        raise ValueError(f"FFT length {nfft} shorter than the chirp ({n} samples)")
    spec = np.fft.fft(chirp, nfft)
    nu = np.fft.fftfreq(nfft, d=1.0 / fs)                 # signed baseband frequency [Hz]
    c0 = (n - 1) / 2.0
    bw = float(raw.chirp_bandwidth if bandwidth is None else bandwidth)
    if not bw > 0:
        raise ValueError(f"range bandwidth must be positive, got {bw}")
    w = window(window_kind, nu / bw, beta)
    h = np.conj(spec) * np.exp(-2j * np.pi * nu * c0 / fs) * w / n
    if normalise_ifft:
        h /= nfft
    return h.astype(np.complex64)


def valid_samples(raw, n_chirp: int | None = None) -> tuple[int, int]:
    """``(first, stop)``: output samples whose echo lies wholly inside the line."""
    n = raw.chirp().size if n_chirp is None else int(n_chirp)
    half = int(math.ceil((n - 1) / 2.0))
    return half, max(half, int(raw.width) - half)


@dataclass
class RangeCompressed:
    """Range-compressed echoes on the raw grid (same lines and samples).

    ``raw``: the raw metadata (times, ranges, chirp); ``data``: complex64
    ``(length, width)`` array or memory map; ``valid``: ``(first, stop)``
    fully compressed samples; ``bandwidth`` [Hz] of the compressed spectrum
    (centred on 0 Hz); ``window``/``beta``: the range weighting; ``path``: the
    raster holding the data when it was written to disk.
    """

    raw: object
    data: np.ndarray
    valid: tuple
    bandwidth: float
    window: str = "rect"
    beta: float = 0.0
    path: str | None = None
    attributes: dict = field(default_factory=dict)

    @property
    def shape(self):
        return self.data.shape

    def product(self):
        """The RawProduct describing this data (``attributes['range_compressed']`` set)."""
        attrs = dict(self.raw.attributes)
        attrs[RC_ATTRIBUTE] = {"valid_samples": list(self.valid), "bandwidth": self.bandwidth,
                               "window": self.window, "beta": self.beta}
        src = RawSource("raster", self.path) if self.path else self.raw.source
        return replace(self.raw, source=src, attributes=attrs)


def compress_lines(lines: np.ndarray, filt: np.ndarray, width: int, out=None,
                   transform=None, clock=None, sink=None) -> np.ndarray | None:
    """Range-compress a block of lines ``(n, width)`` with the filter from :func:`range_filter`
    (which includes the inverse FFT's ``1/nfft``).

    ``transform``: a :class:`~isce.focus.fft.Transform` of shape ``(>= n, len(filt))`` along
    axis 1 to reuse; ``out``: optional complex64 ``(n, width)`` destination; ``sink``:
    instead, a function ``sink(r0, r1, rows)`` receiving the compressed rows ``r0:r1`` (a
    view of the FFT buffer; called from worker threads for disjoint rows). Returns the
    output array (None with a sink).
    """
    n = lines.shape[0]
    nfft = filt.size
    t = transform if transform is not None else _fft.transform((n, nfft), axis=1)
    buf = t.buffer
    m = buf.shape[0]

    def load(r0, r1):
        k = min(r1, n)
        if k > r0:
            buf[r0:k, :width] = lines[r0:k]
            buf[r0:k, width:] = 0
        if r1 > k:
            buf[max(r0, k):r1] = 0

    parallel_rows(load, m)
    if clock is not None:
        clock.tick("load")
    t.forward()
    if clock is not None:
        clock.tick("fft", t, forward=1)
    parallel_rows(lambda r0, r1: np.multiply(buf[r0:r1], filt[None, :], out=buf[r0:r1]), m)
    if clock is not None:
        clock.tick("filter multiply")
    t.inverse()
    if clock is not None:
        clock.tick("fft", t, inverse=1)
    if sink is None and out is None:
        out = np.empty((n, width), dtype=np.complex64)

    def store(r0, r1):
        if sink is not None:
            sink(r0, r1, buf[r0:r1, :width])
        else:
            out[r0:r1] = buf[r0:r1, :width]

    parallel_rows(store, n)
    if clock is not None:
        clock.tick("write")
    return out


def range_compress(raw, output=None, *, window_kind="rect", beta: float = 0.0,
                   block_lines: int | None = None, replica=None, progress: bool = False,
                   log=None) -> RangeCompressed:
    """Range-compress every line of ``raw`` (a :class:`~isce.sensors.raw.RawProduct`).

    ``output``: path of a CFLOAT raster to write (its RawProduct metadata goes
    to ``output + ".json"``); None keeps the result in memory. Lines are
    processed in blocks of ``block_lines`` (default: about 64 MiB of FFT
    buffer). Returns a :class:`RangeCompressed`.
    """
    clock = Clock()
    window_kind = parse_window(window_kind)
    width, length = int(raw.width), int(raw.length)
    n_chirp = (raw.chirp() if replica is None else np.asarray(replica)).size
    nfft = _fft.next_fast_len(width + n_chirp - 1)
    filt = range_filter(raw, nfft, window_kind=window_kind, beta=beta, replica=replica)
    if block_lines is None:
        block_lines = max(16, min(length, (64 << 20) // (8 * nfft)))
    block_lines = max(1, min(int(block_lines), length))
    clock.tick("init")
    transform = _fft.Transform((block_lines, nfft), axis=1)
    clock.tick("plans")
    first, stop = valid_samples(raw, n_chirp)
    rc = RangeCompressed(raw=raw, data=None, valid=(first, stop),
                         bandwidth=float(raw.chirp_bandwidth), window=window_kind,
                         beta=float(beta), path=None)
    blocks = range(0, length, block_lines)
    if progress:
        blocks = progress_bar(blocks, desc="range compression")
    writer = None
    if output is None:
        data = np.empty((length, width), dtype=np.complex64)
    else:
        output = os.fspath(output)
        writer = ComplexRasterOutput(output, width, length, image_type="rc")
    try:
        for start in blocks:
            stop_line = min(start + block_lines, length)
            clock.tick("setup")
            lines = raw.read(slice(start, stop_line))
            clock.tick("read")
            if writer is None:
                compress_lines(lines, filt, width, out=data[start:stop_line],
                               transform=transform, clock=clock)
            else:
                compress_lines(lines, filt, width, transform=transform, clock=clock,
                               sink=lambda r0, r1, rows, s=start: writer.write(s + r0, rows))
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is None:
        rc.attributes["timing"] = dict(clock.totals)
        rc.attributes["ffts"] = clock.inventory()
        rc.data = data
        return rc
    clock.tick("setup")
    writer.close()
    clock.tick("close")
    rc.path = output
    rc.product().save(output + ".json")
    if log is not None:
        log.info("range compressed %d x %d lines x samples into %s", length, width, output)
    out = load_range_compressed(output + ".json")
    clock.tick("close")
    out.attributes["timing"] = dict(clock.totals)
    out.attributes["ffts"] = clock.inventory()
    return out


def load_range_compressed(path) -> RangeCompressed:
    """Open range-compressed data written by :func:`range_compress` (its ``.json``)."""
    product = RawProduct.load(path)
    info = product.attributes.get(RC_ATTRIBUTE)
    if not info:
        raise InputError(f"{path}: not range-compressed data (no '{RC_ATTRIBUTE}' attribute)")
    src = product.source.path
    if not os.path.isabs(src):
        src = os.path.join(os.path.dirname(os.path.abspath(os.fspath(path))), src)
    raster = isce.io.open(src)
    if (raster.length, raster.width) != (product.length, product.width):
        raise InputError(f"{src}: raster is {raster.length} x {raster.width}, the metadata say "
                         f"{product.length} x {product.width}")
    attrs = dict(product.attributes)
    attrs.pop(RC_ATTRIBUTE, None)
    raw = replace(product, attributes=attrs)
    return RangeCompressed(raw=raw, data=raster.data, valid=tuple(info["valid_samples"]),
                           bandwidth=float(info["bandwidth"]), window=info.get("window", "rect"),
                           beta=float(info.get("beta", 0.0)), path=src)
