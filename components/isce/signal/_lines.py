"""Fresh copies of whole lines of an image: an isce.io raster read through the file
(:class:`~isce.signal._arrays.RowReader`), any other image (array, memmap, h5py dataset)
sliced and copied. The copy is the caller's: it may be cleaned in place.
"""
from __future__ import annotations

import numpy as np

from ._arrays import RowReader


class Lines:
    """``lines(rows)`` -> a new ndarray ``(n, width)`` of whole lines ``rows`` (a slice)."""

    def __init__(self, source, what="image"):
        self.reader = RowReader(source, what)
        self.shape = self.reader.shape

    def __call__(self, rows: slice) -> np.ndarray:
        block = self.reader[rows]
        return block if self.reader.copies else np.array(block)
