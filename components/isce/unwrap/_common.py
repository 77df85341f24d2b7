"""What the unwrappers share: valid-pixel masks, connected components, the
result type, and the ISCE output rasters (``.unw`` and ``.unw.conncomp``)."""
from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

import isce.io
from isce.signal._arrays import RowReader

TWO_PI = 2.0 * np.pi

#: at most this many connected components are labelled (SNAPHU's MAXNCOMPS default);
#: smaller ones get 0. Labels fit in ISCE's BYTE conncomp raster.
MAX_COMPONENTS = 32


class Unwrapped(NamedTuple):
    """Result of an unwrapper on arrays."""
    phase: np.ndarray       # float32 radians, 0 where not unwrapped
    conncomp: np.ndarray    # uint32 labels: 1 = largest component, 0 = not unwrapped


class Source:
    """Rows of a 2-D image: a path (isce.io raster, ``band`` of a multi-band one), an
    isce.io Raster, or an array-like sliced by rows."""

    def __init__(self, source, what, band=0):
        self.what = what
        self._reader = RowReader(source, what, band=band)
        self.shape = self._reader.shape

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows, cols = key
            return self._reader[rows][:, cols]
        return self._reader[key]


def valid_mask(ifg, corr=None, threshold: float = 0.0, mask=None):
    """Pixels that can be unwrapped: the interferogram finite and non-zero, the
    coherence (if given) finite and above ``threshold`` (strictly: zero coherence
    is always masked), and ``mask`` (if given) non-zero."""
    z = np.asarray(ifg)
    good = np.isfinite(z.real) & np.isfinite(z.imag) & (z != 0)
    if corr is not None:
        c = np.asarray(corr, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            good &= np.isfinite(c) & (c > max(float(threshold), 0.0))
    if mask is not None:
        good &= np.asarray(mask) != 0
    return good


def label_components(valid, min_size: int = 1, max_components: int = MAX_COMPONENTS):
    """4-connected components of ``valid`` (uint32): labelled 1, 2, ... by decreasing
    size, components smaller than ``min_size`` pixels or beyond ``max_components``
    get 0 (as SNAPHU's conncomp)."""
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    labels, n = ndimage.label(np.asarray(valid, bool))
    out = np.zeros(labels.shape, np.uint32)
    if n == 0:
        return out
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    sizes[0] = 0
    order = np.argsort(-sizes[1:], kind="stable") + 1           # label ids, largest first
    order = order[sizes[order] >= max(int(min_size), 1)][: int(max_components)]
    lut = np.zeros(n + 1, np.uint32)
    lut[order] = np.arange(1, len(order) + 1, dtype=np.uint32)
    out[...] = lut[labels]
    return out


def check_shapes(ifg_shape, corr_shape=None, mask_shape=None):
    if len(ifg_shape) != 2:
        raise ValueError(f"the interferogram must be 2-D, got shape {tuple(ifg_shape)}")
    for name, shape in (("coherence", corr_shape), ("mask", mask_shape)):
        if shape is not None and tuple(shape) != tuple(ifg_shape):
            raise ValueError(f"the {name} has shape {tuple(shape)}, "
                             f"the interferogram {tuple(ifg_shape)}")


def open_inputs(interferogram, coherence=None, mask=None):
    """The unwrappers' inputs as row sources ``(ifg, corr or None, mask or None)``, checked to
    share one shape."""
    ifg = Source(interferogram, "interferogram")
    corr = None if coherence is None else Source(coherence, "coherence")
    msk = None if mask is None else Source(mask, "mask")
    check_shapes(ifg.shape, corr and corr.shape, msk and msk.shape)
    return ifg, corr, msk


def conncomp_path_for(unw_path):
    """ISCE's name: ``<unw>.conncomp`` (e.g. ``filt_topophase.unw.conncomp``)."""
    return os.fspath(unw_path) + ".conncomp"


class UnwWriters:
    """The two output rasters, opened together and finished (or abandoned) together:
    ``<unw>``: FLOAT, 2 bands BIL (band 0 = interferogram amplitude, band 1 =
    unwrapped phase), image type ``unw`` as ISCE2's UnwImage; ``<conncomp>``: BYTE,
    1 band, image type ``bil`` as ISCE2 writes it."""

    def __init__(self, unw_path, conncomp_path, width, length):
        self.unw = isce.io.create(unw_path, width, length, "FLOAT", bands=2, scheme="BIL",
                                  image_type="unw")
        try:
            self.cc = None
            if conncomp_path is not None:
                self.cc = isce.io.create(conncomp_path, width, length, "BYTE", image_type="bil")
        except BaseException:
            self.unw.abort()
            raise

    @property
    def amplitude(self):
        return self.unw.band(0)

    @property
    def phase(self):
        return self.unw.band(1)

    def abort(self):
        self.unw.abort()
        if self.cc is not None:
            self.cc.abort()

    def close(self):
        try:
            self.unw.close()
        except BaseException:
            self.abort()
            raise
        if self.cc is not None:
            self.cc.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False


def block_rows(width, budget=32 * 2 ** 20, per_pixel=32):
    return max(1, budget // max(1, width * per_pixel))
