"""Rasters on disk: :func:`open_raster` (read through numpy memory maps) and
:func:`create` (write atomically, then add the sidecars).

Bands are numbered from 0, as in numpy. Multi-band data are presented band-first,
``(bands, length, width)``, whatever the scheme on disk; the views stride through the
file as its scheme (BIP/BIL/BSQ) requires, so nothing is copied.
"""
import mmap
import os
import weakref

import numpy as np

from isce.framework.files import special_kind

from . import atomic
from .errors import RasterError
from .space import reserve, writing
from .info import Geo, RasterInfo
from .sidecars import read_info, remove_sidecars, write_sidecars


def _band_first(mm, info):
    """(bands, length, width) view of the native-layout memmap ``mm``."""
    if info.bands == 1:
        return mm[np.newaxis]
    if info.scheme == "BIP":
        return mm.transpose(2, 0, 1)
    if info.scheme == "BIL":
        return mm.transpose(1, 0, 2)
    return mm


def _check_band(band, bands, path):
    if isinstance(band, bool) or not isinstance(band, (int, np.integer)) or not 0 <= band < bands:
        raise IndexError(f"{path}: band {band!r} out of range (the raster has {bands} band(s), numbered from 0)")
    return int(band)


class _Layout:
    """Attributes shared by readers and writers, all taken from ``self.info``."""

    info: RasterInfo

    @property
    def width(self):
        return self.info.width

    @property
    def length(self):
        return self.info.length

    @property
    def bands(self):
        return self.info.bands

    @property
    def dtype(self):
        """numpy dtype of the samples as stored."""
        return self.info.dtype

    @property
    def data_type(self):
        """ISCE data type name, e.g. ``'CFLOAT'``."""
        return self.info.datatype.isce

    @property
    def scheme(self):
        return self.info.scheme

    @property
    def image_type(self):
        return self.info.image_type

    @property
    def geo(self):
        """:class:`Geo` for geocoded rasters, else None."""
        return self.info.geo

    @property
    def shape(self):
        """``(length, width)`` for one band, else ``(bands, length, width)``."""
        if self.bands == 1:
            return (self.length, self.width)
        return (self.bands, self.length, self.width)


class Raster(_Layout):
    """A raster opened for reading (or, with ``mode='r+'``, for changing in place)."""

    def __init__(self, path, info, sidecar=None, mode="r"):
        if mode not in ("r", "r+"):
            raise ValueError(f"mode must be 'r' or 'r+', got {mode!r}")
        self.path = os.fspath(path)
        self.info = info
        self.sidecar = sidecar
        self.mode = mode
        self._memmap = None
        self._cube = None
        self._fd = None

    @property
    def memmap(self):
        """The whole file as a memmap in its native layout (see ``RasterInfo.file_shape``)."""
        if self._memmap is None:    # the view first: another thread may test _memmap meanwhile
            mapped = np.memmap(self.path, dtype=self.info.dtype, mode=self.mode,
                               offset=self.info.offset, shape=self.info.file_shape)
            self._cube = _band_first(mapped, self.info)
            self._memmap = mapped
        return self._memmap

    @property
    def data(self):
        """Memmap view: ``(length, width)`` for one band, else ``(bands, length, width)``."""
        self.memmap
        return self._cube[0] if self.bands == 1 else self._cube

    def band(self, band):
        """``(length, width)`` memmap view of one band (numbered from 0)."""
        self.memmap
        return self._cube[_check_band(band, self.bands, self.path)]

    def read(self, band=None, rows=None):
        """Samples of ``band`` (all bands when None) for ``rows`` (a slice, an int or None for all).

        Returns a memmap view (no copy): ``(n, width)`` for one band, ``(bands, n, width)``
        for all bands of a multi-band raster. Use ``np.array(...)`` to copy."""
        rows = slice(None) if rows is None else rows
        if band is None:
            return self.data[rows] if self.bands == 1 else self.data[:, rows]
        return self.band(band)[rows]

    def read_rows(self, rows, band=None, out=None):
        """A copy of whole lines ``rows`` (a slice) of ``band`` (None: all bands), read through
        the file (``os.preadv``) rather than the memory map, so the pages do not stay resident
        in this process: ``(n, width)`` for one band, ``(bands, n, width)`` otherwise. The
        GIL is released while reading, so a thread can read ahead while another computes.
        ``out``: a C-contiguous array of the file's layout for those lines to fill (BSQ
        rasters are read through the map)."""
        start, stop, step = rows.indices(self.length)
        if step != 1 or (self.bands > 1 and self.scheme == "BSQ"):
            picked = self.read(band, rows)
            return np.array(picked)
        n = max(stop - start, 0)
        shape = (n,) + tuple(self.info.file_shape[1:])
        if out is None:
            out = np.empty(shape, dtype=self.dtype)
        elif out.shape != shape or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ValueError(f"{self.path}: out must be a C-contiguous {self.dtype} array of "
                             f"shape {shape}, got {out.dtype} {out.shape}")
        line = self.width * self.bands * self.info.itemsize
        if out.size:
            pread_into(self._descriptor(), memoryview(out.reshape(-1).view(np.uint8)),
                       self.info.offset + start * line)
        cube = _band_first(out, self.info)
        if band is not None:
            return cube[_check_band(band, self.bands, self.path)]
        return cube[0] if self.bands == 1 else cube

    def _descriptor(self):
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        return self._fd

    def close(self):
        """Drop this object's maps (views handed out stay valid until they are released;
        changes made through them are in the file's page cache, no msync needed)."""
        self._memmap = self._cube = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        geo = f", geo={self.geo.geotransform}" if self.geo else ""
        kind = f", image_type={self.image_type!r}" if self.image_type else ""
        return f"Raster({self.path!r}, {self.info.describe()}{kind}{geo})"


def open_raster(path, mode="r"):
    """Open the raster at ``path`` (the data file, or its ``.xml``/``.vrt``/``.hdr``).

    The ISCE ``.xml`` is read if present, else the ``.vrt``, else the ENVI ``.hdr``.
    Raises :class:`RasterError` if the sidecar is malformed or the data file's size
    disagrees with it."""
    info, data, sidecar = read_info(path)
    kind = special_kind(data) if data is not None else None
    if kind:  # a FIFO or device: mapping it would hang or fail
        raise RasterError(data, f"is {kind}, not a regular file (described by {sidecar})")
    if data is None or not os.path.isfile(data):
        raise RasterError(data or path, f"data file missing (described by {sidecar})")
    info.check_size(data, os.path.getsize(data))
    return Raster(data, info, sidecar, mode)


def release_pages(array) -> bool:
    """Drop the pages of the file mapping behind ``array`` (an ``np.memmap`` or a view of one)
    from this process's resident set (``madvise(MADV_DONTNEED)``): the data stay in the page
    cache (changes made through a shared map too) and are mapped again when next touched.
    For a process that sweeps a big raster through a map block by block, this keeps its
    peak RSS at one block. Returns False (and does nothing) for other arrays."""
    handle = _open_mapping(array)
    if handle is None:
        return False
    handle.madvise(mmap.MADV_DONTNEED)
    return True


def _open_mapping(array):
    """The open ``mmap`` behind ``array`` (an ``np.memmap`` or a view of one), or None (also
    where madvise(MADV_DONTNEED) is not available)."""
    handle = getattr(array, "_mmap", None)
    if not isinstance(handle, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED") or handle.closed:
        return None
    return handle


def release_span(array) -> bool:
    """Drop from this process's resident set the pages of the file mapping behind ``array``
    (a view of an ``np.memmap``) that lie wholly inside the bytes it spans, from its first
    to its last element (for a block of lines: those lines; the pages it shares with its
    neighbours stay). Cheaper than :func:`release_pages` after each of many small blocks,
    and safe while other threads work on other lines of the same map. Returns False (and
    does nothing) for other arrays."""
    handle = _open_mapping(array)
    if handle is None or not array.size:
        return False
    lo = hi = array.ctypes.data - np.frombuffer(handle, dtype=np.uint8).ctypes.data
    for extent, stride in zip(array.shape, array.strides):
        if stride > 0:
            hi += (extent - 1) * stride
        else:
            lo += (extent - 1) * stride
    hi += array.itemsize
    page = mmap.PAGESIZE
    start, stop = -(-max(lo, 0) // page) * page, (min(hi, len(handle)) // page) * page
    if stop > start:
        handle.madvise(mmap.MADV_DONTNEED, start, stop - start)
    return True


def pread_into(fd, view, offset: int) -> None:
    """Fill all of ``view`` (a writable bytes-like) from ``offset`` of the open file ``fd``."""
    while len(view):
        done = os.preadv(fd, [view], offset)
        if done <= 0:
            raise RasterError(f"fd {fd}", f"file ends before byte {offset + len(view)}")
        view, offset = view[done:], offset + done


def pwrite_all(fd, view, offset: int) -> None:
    """``os.pwrite`` all of ``view`` (bytes-like) at ``offset`` of the open file ``fd``."""
    while len(view):
        done = os.pwrite(fd, view, offset)
        view, offset = view[done:], offset + done


class RasterWriter(_Layout):
    """A raster being written; see :func:`create`."""

    def __init__(self, path, info, fsync=False):
        self.path = os.fspath(path)
        self.info = info
        self.fsync = fsync
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"{self.path}: folder {folder} does not exist")
        atomic.remove_stale_temps(self.path)
        self.temp_path = atomic.temp_path(self.path)
        self._finalizer = weakref.finalize(self, atomic.remove_quietly, self.temp_path)
        try:
            # every block reserved before mapping: a mapped write to a full disk is a SIGBUS
            with writing(self.path, info.nbytes):
                fd = os.open(self.temp_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC
                             | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                reserve(fd, info.nbytes, self.path)
            finally:
                os.close(fd)
        except BaseException:
            self._finalizer()
            raise
        # mapped on first use: a raster written only through write_rows is never mapped, so
        # closing it costs no msync (which would write every dirty page of the file to disk)
        self._memmap = self._cube = None
        self.closed = False

    def _mapped(self):
        self._require_open()
        cube = self._cube
        if cube is None:            # the view first: another thread may test _cube meanwhile
            mapped = np.memmap(self.temp_path, dtype=self.info.dtype, mode="r+",
                               shape=self.info.file_shape)
            cube = self._cube = _band_first(mapped, self.info)
            self._memmap = mapped
        return cube

    def _require_open(self):
        if self.closed:
            raise ValueError(f"{self.path}: raster already closed")

    @property
    def memmap(self):
        self._mapped()
        return self._memmap

    @property
    def data(self):
        """Writable view: ``(length, width)`` for one band, else ``(bands, length, width)``."""
        cube = self._mapped()
        return cube[0] if self.bands == 1 else cube

    def band(self, band):
        return self._mapped()[_check_band(band, self.bands, self.path)]

    def _checked(self, block):
        block = np.asarray(block)
        src, dst = block.dtype.kind, self.dtype.kind
        # silent losses refused: the imaginary part (complex -> real), the fraction (float -> integer)
        if (src == "c" and dst != "c") or (src == "f" and dst in "iu"):
            raise TypeError(f"{self.path}: cannot store {block.dtype} data in a {self.data_type} raster "
                            f"without losing information; cast it first")
        return block

    def write(self, block, rows=None, band=None):
        """Store ``block`` at ``rows`` (slice, int or None for all) of ``band`` (None: all bands;
        then ``block`` is ``(bands, n, width)`` for a multi-band raster)."""
        block = self._checked(block)
        rows = slice(None) if rows is None else rows
        if band is None:
            if self.bands == 1:
                self.data[rows] = block
            else:
                self.data[:, rows] = block
        else:
            self.band(band)[rows] = block

    def write_rows(self, block, rows):
        """Store whole lines ``rows`` (a slice) of all bands, as :meth:`write`, but through the
        file (``os.pwrite``) rather than the memory map: the bytes reach the file without
        staying mapped, resident, in this process -- for big outputs written once, in order
        (topo writes ~770 MiB for a 4096^2 grid). Threads may write disjoint rows at once."""
        block = self._checked(block)
        self._require_open()
        start, stop, step = rows.indices(self.length)
        if step != 1 or self.info.offset != 0 or not (self.bands == 1 or self.scheme == "BIL"):
            self.write(block, rows)
            return
        n = stop - start
        if self.bands == 1:
            data = np.ascontiguousarray(block, dtype=self.dtype).reshape(n, self.width)
        else:                                   # BIL: each line holds band 0, band 1, ...
            data = np.ascontiguousarray(np.moveaxis(np.asarray(block), 0, 1), dtype=self.dtype)
        offset = start * self.width * self.bands * self.info.itemsize
        with writing(self.path, self.info.nbytes):
            fd = os.open(self.temp_path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
            try:
                pwrite_all(fd, memoryview(data).cast("B"), offset)
            finally:
                os.close(fd)

    def __setitem__(self, rows, block):
        self.write(block, rows)

    def __getitem__(self, rows):
        return self.data[rows] if self.bands == 1 else self.data[:, rows]

    def flush(self):
        self._require_open()
        if self._memmap is not None:
            self._memmap.flush()

    def abort(self):
        """Discard everything written; nothing is left on disk."""
        if self.closed:
            return
        self.closed = True
        self._memmap = self._cube = None
        self._finalizer()

    def close(self):
        """Finish: flush, move the data into place, then write the sidecars."""
        if self.closed:
            return
        try:
            with writing(self.path, self.info.nbytes):
                # no msync otherwise: mapped pages are the file's pages in the page cache, kept
                # after unmapping; an msync would wait for all of them to reach the disk
                if self._memmap is not None and self.fsync:
                    self._memmap.flush()
                self._memmap = self._cube = None
                if self.fsync:
                    atomic.fsync_path(self.temp_path)
                self.info.check_size(self.temp_path, os.path.getsize(self.temp_path))
                # old sidecars would describe the new data before theirs are written: drop them first
                remove_sidecars(self.path)
                os.replace(self.temp_path, self.path)
            self._finalizer.detach()
        except BaseException:
            self.abort()
            raise
        self.closed = True
        write_sidecars(self.path, self.info, fsync=self.fsync)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def __repr__(self):
        state = "closed" if self.closed else f"writing to {os.path.basename(self.temp_path)}"
        return f"RasterWriter({self.path!r}, {self.info.describe()}, {state})"


def create(path, width, length, dtype, bands=1, scheme="BIP", image_type="", geo=None,
           extra=None, fsync=False):
    """Start writing a raster; use as ``with create(...) as ds: ds[rows] = block``.

    ``dtype`` is a numpy dtype or an ISCE name (BYTE=uint8, SHORT, INT, LONG, FLOAT, DOUBLE,
    CFLOAT, CDOUBLE). ``geo`` is a :class:`Geo` or a GDAL geotransform for geocoded rasters
    (EPSG:4326 unless the Geo says otherwise). ``extra`` adds ISCE XML properties (e.g.
    ``{"reference": "WGS84"}`` for a DEM). The data are written to a hidden temporary file
    beside ``path``; on a clean exit it is renamed to ``path`` and the sidecars are written;
    on an exception it is removed and nothing is left. ``fsync=True`` also forces the bytes
    to disk before the rename (survives power loss, costs time)."""
    try:
        info = RasterInfo(width=width, length=length, datatype=dtype, bands=bands, scheme=scheme,
                          image_type=image_type, geo=Geo.coerce(geo), extra=extra or {})
    except ValueError as exc:
        raise ValueError(f"{os.fspath(path)}: {exc}") from None
    return RasterWriter(path, info, fsync=fsync)


def write_raster(path, array, scheme="BIP", image_type="", geo=None, extra=None, fsync=False):
    """Write a whole array — ``(length, width)`` or ``(bands, length, width)`` — as a raster."""
    array = np.asarray(array)
    if array.ndim == 2:
        bands, (length, width) = 1, array.shape
    elif array.ndim == 3:
        bands, length, width = array.shape
    else:
        raise ValueError(f"{os.fspath(path)}: array must be 2-D or 3-D (bands first), got shape {array.shape}")
    with create(path, width, length, array.dtype, bands=bands, scheme=scheme, image_type=image_type,
                geo=geo, extra=extra, fsync=fsync) as ds:
        ds.write(array)
    return path
