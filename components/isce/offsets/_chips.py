"""Reading image chips for ampcor: any 2-D source (path, isce.io raster, numpy
array or memmap, h5py dataset, NISAR complex32 compound), cut into stacks of
equally sized chips, with zeros outside the image."""
from __future__ import annotations

import os

import numpy as np

import isce.io
from isce.signal._arrays import to_numeric

__all__ = ["ImageSource"]


class ImageSource:
    """A 2-D image to cut chips from: ``source.chips(rows0, cols0, h, w)``.

    ``source`` is a path (opened with :func:`isce.io.open`), an
    :class:`isce.io.Raster` (``band`` picks a band of a multi-band raster), or a
    2-D array-like sliceable by ``[r0:r1, c0:c1]``. ``is_complex`` tells whether
    the samples are complex (SLC) or already detected (amplitude/intensity)."""

    def __init__(self, source, what="image", band=0):
        self.what = what
        if isinstance(source, (str, os.PathLike)):
            source = isce.io.open(source)
        if hasattr(source, "read") and hasattr(source, "bands") and hasattr(source, "length"):
            source = source.band(band) if source.bands > 1 else source.read()
        elif not (hasattr(source, "shape") and hasattr(source, "__getitem__")):
            source = np.asarray(source)
        if len(source.shape) != 2:
            raise ValueError(f"{what} must be 2-D (lines, pixels), got shape {tuple(source.shape)}")
        self.data = source
        self.shape = (int(source.shape[0]), int(source.shape[1]))
        dt = np.dtype(source.dtype)
        self.is_complex = dt.kind == "c" or bool(dt.names and {"r", "i"} <= set(dt.names))
        self.dtype = np.complex64 if self.is_complex else np.float32

    def chips(self, rows0, cols0, h, w):
        """Stack ``(B, h, w)`` of the chips whose top-left samples are ``(rows0[k], cols0[k])``.

        Samples outside the image are 0. complex64 for complex images, else float32."""
        rows0 = np.asarray(rows0, dtype=np.int64)
        cols0 = np.asarray(cols0, dtype=np.int64)
        out = np.zeros((rows0.size, h, w), self.dtype)
        length, width = self.shape
        for k, (r0, c0) in enumerate(zip(rows0.tolist(), cols0.tolist())):
            a0, a1 = max(r0, 0), min(r0 + h, length)
            b0, b1 = max(c0, 0), min(c0 + w, width)
            if a1 <= a0 or b1 <= b0:
                continue
            out[k, a0 - r0:a1 - r0, b0 - c0:b1 - c0] = to_numeric(self.data[a0:a1, b0:b1])
        return out

    def release(self) -> None:
        """Drop the pages a memory-mapped image's chips touched from the process's resident
        set (they stay in the page cache): a sweep over the whole image keeps RSS at a batch."""
        isce.io.release_pages(self.data)

    def inside(self, rows0, cols0, h, w):
        """Bool array: chip entirely inside the image."""
        rows0 = np.asarray(rows0)
        cols0 = np.asarray(cols0)
        return ((rows0 >= 0) & (rows0 + h <= self.shape[0])
                & (cols0 >= 0) & (cols0 + w <= self.shape[1]))
