"""Inputs and outputs of the block-wise drivers of isce.signal.

An *image* argument may be a path (read with :func:`isce.io.open`), an opened
:class:`isce.io.Raster`, or any 2-D array-like that can be sliced by rows
(numpy array or memmap, h5py dataset). NISAR ``complex32`` images (a compound
of two float16 fields ``r``, ``i``) are converted to complex64 on read.
"""
from __future__ import annotations

import os

import numpy as np

import isce.io
from isce.io.blocks import progress_bar
from isce.io.readahead import read_rows_kept


class RowReader:
    """Read whole lines of a 2-D image: ``reader[lo:hi]`` -> ndarray ``(hi-lo, width)``.

    An isce.io raster is read through the file (:meth:`isce.io.Raster.read_rows`: a fresh
    C-contiguous copy, no page left mapped, GIL released; the same samples as its map in
    every layout); ``copies`` tells whether blocks are fresh copies the caller may change
    (else they may be views of the source)."""

    def __init__(self, source, what="image", band=0):
        self.what = what
        self.copies = False
        self._single_band = None          # a one-band isce.io raster (see into)
        if isinstance(source, (str, os.PathLike)):
            source = isce.io.open(source)
        if isinstance(source, isce.io.Raster):
            raster = source
            self.shape = (int(raster.length), int(raster.width))
            self.copies = True
            self._single_band = raster if raster.bands == 1 else None
            # one band of a BIL/BIP raster is a strided view of the lines read: made
            # contiguous, as the copy Lines made of the map was
            self._get = lambda rows: np.ascontiguousarray(
                raster.read_rows(rows, band if raster.bands > 1 else None))
        elif hasattr(source, "read") and hasattr(source, "bands") and hasattr(source, "length"):
            raster = source
            self.shape = (int(raster.length), int(raster.width))
            self._get = lambda rows: raster.read(band=band if raster.bands > 1 else None, rows=rows)
        else:
            if not hasattr(source, "shape") or not hasattr(source, "__getitem__"):
                source = np.asarray(source)
            if len(source.shape) != 2:
                raise ValueError(f"{what} must be 2-D (lines, pixels), got shape {tuple(source.shape)}")
            self.shape = (int(source.shape[0]), int(source.shape[1]))
            self._get = lambda rows: source[rows]

    @property
    def length(self) -> int:
        return self.shape[0]

    @property
    def width(self) -> int:
        return self.shape[1]

    def __getitem__(self, rows: slice) -> np.ndarray:
        return to_numeric(self._get(rows))

    def into(self, rows: slice, kept: dict, key) -> np.ndarray:
        """``self[rows]``; the lines of a one-band isce.io raster read into ``kept[key]``, a
        buffer kept from one block to the next (:func:`isce.io.readahead.read_rows_kept`)."""
        if self._single_band is None:
            return self[rows]
        return to_numeric(read_rows_kept(self._single_band, rows, kept, key))


def to_numeric(block) -> np.ndarray:
    """ndarray of ``block``; a compound {r, i} (e.g. float16 complex32) becomes complex64."""
    arr = np.asarray(block)
    names = arr.dtype.names
    if names and {"r", "i"} <= set(names):
        out = np.empty(arr.shape, np.complex64)
        out.real = arr["r"]
        out.imag = arr["i"]
        return out
    return arr


def as_complex64(block) -> np.ndarray:
    """C-contiguous complex64 copy/view of ``block``."""
    return np.ascontiguousarray(to_numeric(block), dtype=np.complex64)


def progress_blocks(starts, total, progress, desc):
    """Wrap an iterable of block starts in a tqdm bar when ``progress``."""
    if not progress:
        return starts

    return progress_bar(starts, total=total, desc=desc)
