"""Fresh copies of whole lines of an image, read without a memory map.

:class:`Lines` reads an isce.io raster through :meth:`isce.io.Raster.read_rows`
(``preadv``: the pages do not stay resident in the process, the GIL is released, so
threads may read at once) and any other image (array, memmap, h5py dataset) by slicing
and copying. The copy is the caller's: it may be cleaned in place.
"""
from __future__ import annotations

import numpy as np

import isce.io

from ._arrays import RowReader, to_numeric


class Lines:
    """``lines(rows)`` -> a new ndarray ``(n, width)`` of whole lines ``rows`` (a slice)."""

    def __init__(self, source, what="image"):
        self.reader = RowReader(source, what)
        raster = self.reader._raster if self.reader._raster is not None else source
        self.raster = raster if isinstance(raster, isce.io.Raster) else None
        self.shape = self.reader.shape

    def __call__(self, rows: slice) -> np.ndarray:
        if self.raster is not None and self.raster.bands == 1:
            return to_numeric(self.raster.read_rows(rows))
        return np.array(self.reader[rows])
