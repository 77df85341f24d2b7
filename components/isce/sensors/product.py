"""The metadata of a focused (SLC) product, and where to read its image.

A :class:`SlcProduct` is what every SLC sensor reader hands to the processing
chain: plain metadata (radar grid, orbit, Doppler centroid, frequencies and
bandwidths, polarization, look side, platform) plus an :class:`ImageSource`
saying where the complex image lives (a dataset of an HDF5 file, or an ISCE
raster written by :meth:`SlcProduct.write`). It keeps no open file: every
:meth:`~SlcProduct.read` opens the source, reads, and closes it, so products
pickle (step state) and serialise to JSON (:meth:`~SlcProduct.to_dict`,
:meth:`~SlcProduct.save`, :meth:`SlcProduct.load`).

Units: times in seconds since ``radar_grid.reference_epoch`` (the orbit and the
Doppler table are re-referenced to it by the readers), ranges in metres,
frequencies and bandwidths in Hz, Doppler in Hz evaluated as
``doppler.eval(zero_doppler_time, slant_range)``.

Example::

    reader = isce.sensors.create("NISAR_SLC", name="reference")
    reader.hdf5 = "REE_RSLC_out17.h5"                 # or reader.configure(settings)
    product = reader.parse()
    for rows, block in product.iter_blocks(512):      # complex64 (n, width)
        ...
    product.write("reference.slc")                    # + .xml/.vrt/.hdr + .json
    same = SlcProduct.load("reference.slc.json")
"""
from __future__ import annotations

import importlib
import json
import logging
import math
import os
from dataclasses import dataclass, field, replace

import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import doppler_from_dict, zero_doppler
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.framework.errors import InputError
from isce.io.atomic import write_text
from isce.io.blocks import progress_bar
from isce.io.errors import RasterError
from isce.io.readahead import prefetch
from isce.io.layout import date_name

from .hdf5 import h5py_module

__all__ = ["ImageSource", "SlcProduct", "to_complex64", "DEFAULT_BLOCK_LINES", "rasterio_module"]

#: lines per block when iterating or writing (a 10 000-sample line of complex64 is 80 kB)
DEFAULT_BLOCK_LINES = 1024
#: an image with more NaN/inf samples than this share is refused, fewer are written as 0 (no data)
MAX_NONFINITE_FRACTION = 0.25

log = logging.getLogger("isce.sensors.product")

_FORMATS = ("hdf5", "raster", "gdal", "cosar", "ceos_slc", "envisat_n1", "ers_ceos")
_FLIPS = ("", "lines", "samples", "both")
#: formats read by a sensor module, imported on first use: format -> "module:function" with
#: ``function(path, rows, cols, shape) -> complex64`` (reading only those lines)
_FORMAT_READERS = {"cosar": "isce.sensors.terrasarx:read_cosar",
                   "ceos_slc": "isce.sensors.alos_slc:read_ceos_slc",
                   "envisat_n1": "isce.sensors.envisat_slc:read_mds",
                   "ers_ceos": "isce.sensors.ers_ceos:read_ers_slc_image"}
_REAL_NAMES = ("r", "re", "real")
_IMAG_NAMES = ("i", "im", "imag")


def to_complex64(raw: np.ndarray, *, where: str = "image") -> np.ndarray:
    """complex64 copy of ``raw``: complex data, or a compound ``{r, i}`` of
    (e.g. float16) reals as NISAR's ``complex32``. Raises InputError otherwise."""
    raw = np.asarray(raw)
    names = raw.dtype.names
    if names:
        lower = {n.lower(): n for n in names}
        re_name = next((lower[n] for n in _REAL_NAMES if n in lower), None)
        im_name = next((lower[n] for n in _IMAG_NAMES if n in lower), None)
        if re_name is None or im_name is None or len(names) != 2:
            raise InputError(f"{where}: compound data type {raw.dtype} is not a complex pair "
                             "(expected two fields named r and i)")
        out = np.empty(raw.shape, dtype=np.complex64)
        out.real = raw[re_name]
        out.imag = raw[im_name]
        return out
    if raw.dtype.kind in "cfiu":
        return raw.astype(np.complex64)
    raise InputError(f"{where}: data type {raw.dtype} is not complex")


def _index(rows, length: int, what: str):
    """Normalise rows/cols: None -> full slice; int -> int (negative counted from the end)."""
    if rows is None:
        return slice(0, length)
    if isinstance(rows, slice):
        start, stop, step = rows.indices(length)
        if step <= 0:
            raise ValueError(f"{what} slice must have a positive step, got {rows!r}")
        return slice(start, stop, step)
    if isinstance(rows, (int, np.integer)) and not isinstance(rows, bool):
        i = int(rows)
        if i < 0:
            i += length
        if not 0 <= i < length:
            raise IndexError(f"{what} {rows} out of range for size {length}")
        return i
    raise TypeError(f"{what} must be None, an int or a slice, got {type(rows).__name__}")


@dataclass(frozen=True)
class ImageSource:
    """Where the complex image is stored.

    ``format``: ``"hdf5"`` (``dataset`` is the HDF5 path of the image inside
    ``path``; complex64, compound float16 ``{r, i}``, or real ``(lines, samples, 2)``
    I/Q pairs as COSMO-SkyMed's int16/float32), ``"raster"`` (an ISCE
    raster read with :func:`isce.io.open`, ``dataset`` unused) or ``"gdal"`` (band 1 of
    anything GDAL opens, e.g. a mission's complex int16 GeoTIFF, read window by window
    through rasterio; ``path`` may be a ``/vsizip/`` path; a two-band int16 image holds
    the real and imaginary parts, as RADARSAT-2's). ``"cosar"``: a TerraSAR-X COSAR
    ``.cos`` file, read line by line by :func:`isce.sensors.terrasarx.read_cosar`;
    ``"ceos_slc"``: a JAXA level-1.1 CEOS image file (ALOS, ALOS-2), read record by record by
    :func:`isce.sensors.alos_slc.read_ceos_slc`;
    ``"ers_ceos"``: an ERS SLC CEOS image file
    (:func:`isce.sensors.ers_ceos.read_ers_slc_image`).
    ``flip`` (gdal only): the axes stored in decreasing time, ``"lines"``, ``"samples"`` or
    ``"both"`` (RADARSAT-2's ``lineTimeOrdering``/``pixelTimeOrdering``); they are read
    reversed, so the product is always in increasing time, reading only the asked lines.
    ``scale`` multiplies the stored samples (e.g. 1 / COSMO-SkyMed's 'Rescaling Factor'
    of int16 pixels).
    """

    format: str
    path: str
    dataset: str | None = None
    flip: str = ""
    scale: float = 1.0

    def __post_init__(self):
        fmt = str(self.format).strip().lower()
        if fmt not in _FORMATS:
            raise ValueError(f"ImageSource format must be one of {_FORMATS}, got {self.format!r}")
        object.__setattr__(self, "format", fmt)
        object.__setattr__(self, "path", os.fspath(self.path))
        if fmt == "hdf5" and not self.dataset:
            raise ValueError("an hdf5 ImageSource needs the HDF5 path of the image dataset")
        flip = str(self.flip or "").strip().lower()
        if flip not in _FLIPS or (flip and fmt != "gdal"):
            raise ValueError(f"ImageSource flip must be one of {_FLIPS[1:]} (gdal only), "
                             f"got {self.flip!r}")
        object.__setattr__(self, "flip", flip)
        scale = float(self.scale)
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"ImageSource scale must be positive and finite, got {self.scale!r}")
        object.__setattr__(self, "scale", scale)

    def describe(self) -> str:
        return f"{self.path}:{self.dataset}" if self.format == "hdf5" else self.path

    # ------------------------------------------------------------ reading
    def _missing(self):
        if self.format == "gdal" and self.path.startswith("/vsi"):
            return                             # inside an archive: GDAL reports problems
        if not os.path.exists(self.path):
            raise InputError(f"{self.path}: no such file (image of the SLC product)")
        if os.path.isdir(self.path):
            raise InputError(f"{self.path}: is a folder, not the image file of the SLC product")

    def read(self, rows, cols, shape) -> np.ndarray:
        """complex64 samples ``[rows, cols]`` (normalised by :func:`_index`)."""
        self._missing()
        if self.format == "hdf5":                  # read_hdf5 applies the scale
            with self.open_hdf5() as ds:
                self.check_hdf5_shape(ds, shape)
                return self.read_hdf5(ds, rows, cols)
        if self.format == "raster":
            out = self._read_raster(rows, cols, shape)
        elif self.format == "gdal":
            out = _read_gdal(self.path, rows, cols, shape, self.flip)
        else:
            out = _format_reader(self.format)(self.path, rows, cols, shape)
        return out * np.float32(self.scale) if self.scale != 1.0 else out

    def check_hdf5_shape(self, ds, shape) -> None:
        """InputError unless the dataset is ``shape`` (or ``shape + (2,)`` real I/Q pairs)."""
        have = tuple(ds.shape)
        if have != tuple(shape) and not (have == (*shape, 2) and ds.dtype.kind in "iuf"):
            raise InputError(f"{self.path}: dataset {self.dataset} is {have}, the "
                             f"product metadata say {tuple(shape)}")

    def _read_raster(self, rows, cols, shape):
        try:
            raster = isce.io.open(self.path)
        except (RasterError, OSError, ValueError) as exc:
            raise InputError(f"{self.path}: cannot open the SLC raster: {exc}") from None
        try:
            if (raster.length, raster.width) != tuple(shape):
                raise InputError(f"{self.path}: raster is {raster.length} x {raster.width} lines x "
                                 f"samples, the product metadata say {shape[0]} x {shape[1]}")
            band = 0 if raster.bands > 1 else None
            whole = isinstance(cols, slice) and cols.indices(raster.width) == (0, raster.width, 1)
            if isinstance(rows, slice) and whole:
                # whole lines: copied through the file (preadv), not the map, so no page of
                # the image stays resident; a complex64 copy is returned as it is (one copy)
                block = raster.read_rows(rows, band=band)
                if block.dtype == np.complex64 and block.flags.c_contiguous:
                    return block
                return to_complex64(block, where=self.path)
            data = raster.read(band=band, rows=rows)
            block = data[..., cols] if isinstance(rows, int) else data[:, cols]
            return to_complex64(np.array(block), where=self.path)
        finally:
            raster.close()

    def open_hdf5(self):
        """Context manager yielding the image dataset (file closed on exit)."""
        return _Hdf5Dataset(self.path, self.dataset)

    def read_hdf5(self, ds, rows, cols) -> np.ndarray:
        try:
            raw = ds[rows, cols]
        except (OSError, RuntimeError, ValueError) as exc:
            raise InputError(f"{self.path}: cannot read dataset {self.dataset} "
                             f"(truncated or corrupt file?): {exc}") from None
        if ds.ndim == 3:                        # real (..., 2) I/Q pairs
            out = np.empty(raw.shape[:-1], dtype=np.complex64)
            out.real = raw[..., 0]
            out.imag = raw[..., 1]
        else:
            out = to_complex64(raw, where=f"{self.path}:{self.dataset}")
        if self.scale != 1.0:
            out *= np.float32(self.scale)
        return out

    # ------------------------------------------------------------ JSON
    def to_dict(self) -> dict:
        d = {"format": self.format, "path": self.path}
        if self.dataset:
            d["dataset"] = self.dataset
        if self.flip:
            d["flip"] = self.flip
        if self.scale != 1.0:
            d["scale"] = self.scale
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ImageSource":
        return cls(d["format"], d["path"], d.get("dataset"), d.get("flip", ""),
                   d.get("scale", 1.0))


def _format_reader(fmt: str):
    """The reading function of a sensor-module format (its module imported by name, so a
    saved product reads anywhere without this module importing the readers)."""
    module, _, name = _FORMAT_READERS[fmt].partition(":")
    return getattr(importlib.import_module(module), name)


def rasterio_module():
    """rasterio with its errors and windows submodules, imported on first use."""
    import rasterio  # lazy: rasterio (GDAL) costs ~0.35 s to import; only GDAL images need it
    import rasterio.errors  # lazy: as above
    import rasterio.windows  # lazy: as above
    return rasterio


def _read_gdal(path, rows, cols, shape, flip="") -> np.ndarray:
    """complex64 ``[rows, cols]`` of a GDAL raster (band 1 complex, or bands 1 and 2 the int16
    real and imaginary parts), reading only those lines; ``flip`` as :class:`ImageSource`."""
    rasterio = rasterio_module()
    RasterioError, Window = rasterio.errors.RasterioError, rasterio.windows.Window  # noqa: N806
    r = slice(rows, rows + 1) if isinstance(rows, int) else rows
    start, stop = r.start, max(r.stop, r.start)
    if flip in ("lines", "both"):                # stored lines: last product line first
        start, stop = shape[0] - stop, shape[0] - start
    try:
        with rasterio.open(path) as ds:
            if (ds.height, ds.width) != tuple(shape):
                raise InputError(f"{path}: image is {ds.height} x {ds.width} lines x samples, the "
                                 f"product metadata say {shape[0]} x {shape[1]}")
            window = Window(0, start, ds.width, stop - start)
            if ds.count == 2 and ds.dtypes[0] == "int16":        # real, imaginary bands
                parts = ds.read((1, 2), window=window).astype(np.float32)
                block = parts[0] + np.complex64(1j) * parts[1]
            else:
                block = ds.read(1, window=window)
    except RasterioError as exc:
        raise InputError(f"{path}: cannot read the image (truncated or corrupt?): {exc}") from None
    if flip in ("lines", "both"):
        block = block[::-1]
    if flip in ("samples", "both"):
        block = block[:, ::-1]
    block = block[::r.step or 1][:, cols]
    return to_complex64(block[0] if isinstance(rows, int) else block, where=path)


class _Hdf5Dataset:
    """``with _Hdf5Dataset(path, dataset) as ds`` -- h5py dataset, errors as InputError."""

    def __init__(self, path, dataset):
        self.path, self.dataset, self._file = path, dataset, None

    def __enter__(self):
        h5py = h5py_module()
        try:
            self._file = h5py.File(self.path, "r")
        except (OSError, ValueError) as exc:
            raise InputError(f"{self.path}: cannot open as HDF5 (not an HDF5 file, or "
                             f"truncated): {exc}") from None
        try:
            ds = self._file[self.dataset]
        except KeyError:
            self._file.close()
            raise InputError(f"{self.path}: missing dataset {self.dataset}") from None
        if not isinstance(ds, h5py.Dataset):
            self._file.close()
            raise InputError(f"{self.path}: {self.dataset} is a group, not the image dataset")
        return ds

    def __exit__(self, *exc):
        self._file.close()
        return False


class _ContentCheck:
    """Counts, while an image is written, its NaN/inf samples (masked to 0) and whether any
    sample is non-zero; :meth:`finish` refuses an image without data or with too many NaN/inf
    (InputError). Cheap: one sum per block finds that a block is finite (a NaN or inf makes the
    sum non-finite; only then, or on overflow, are the samples tested one by one)."""

    def __init__(self, where: str, total: int):
        self.where, self.total = where, int(total)
        self.nonfinite = 0
        self.data = False                    # a non-zero finite sample was seen

    def block(self, block: np.ndarray) -> np.ndarray:
        block = np.ascontiguousarray(block)
        reals = block.view(block.real.dtype) if block.dtype.kind == "c" else block
        if not np.isfinite(np.sum(reals)):
            bad = ~np.isfinite(block)
            n_bad = int(np.count_nonzero(bad))
            if n_bad:
                self.nonfinite += n_bad
                block = np.where(bad, np.zeros((), block.dtype), block)
                reals = block.view(block.real.dtype) if block.dtype.kind == "c" else block
        if not self.data:
            self.data = bool(np.any(reals))
        return block

    def finish(self, output) -> None:
        if not self.data:
            raise InputError(f"{self.where}: the SLC image holds no data: all {self.total} samples "
                             f"are zero, NaN or inf ({self.nonfinite} NaN/inf)")
        share = self.nonfinite / self.total
        if share > MAX_NONFINITE_FRACTION:
            raise InputError(f"{self.where}: {self.nonfinite} of the {self.total} samples of the SLC "
                             f"image ({100 * share:.1f} %) are NaN or inf (at most "
                             f"{100 * MAX_NONFINITE_FRACTION:g} % are masked): corrupt image?")
        if self.nonfinite:
            log.warning("%s: %d of the %d samples of the SLC image (%.3g %%) are NaN or inf: "
                        "written as 0 (no data) in %s", self.where, self.nonfinite, self.total,
                        100 * share, output)


def write_blocks(product, path, image_type: str, *, block_lines: int = DEFAULT_BLOCK_LINES,
                 progress: bool = False, check=None) -> None:
    """Write ``product``'s image (``iter_blocks``) as an isce CFLOAT raster at ``path``, block
    by block through the file (``write_rows``: nothing of it stays mapped, so memory is two
    blocks whatever the image's size: the next block is read while this one is written);
    ``check`` (a :class:`_ContentCheck`) sees every block."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    blocks = prefetch(product.iter_blocks(block_lines))
    if progress:                                  # a bar on a terminal only
        blocks = progress_bar(blocks, total=-(-product.length // int(block_lines)),
                              desc=os.path.basename(path))
    with isce.io.create(path, product.width, product.length, "CFLOAT", image_type=image_type) as ds:
        for rows, block in blocks:
            ds.write_rows(block if check is None else check.block(block), rows)
            del block                         # not alive while the next block is read
        if check is not None:
            check.finish(path)


def _opt_float(value, name):
    if value is None:
        return None
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"SlcProduct {name} must be finite, got {value!r}")
    return v


@dataclass(eq=False)
class SlcProduct:
    """Metadata of a focused SLC and the location of its image.

    Attributes
    ----------
    radar_grid : RadarGrid
        Zero-Doppler grid of the image (start time, PRF, start range, spacing,
        size, wavelength, look side).
    orbit : Orbit
        ECEF state vectors, times in s since ``radar_grid.reference_epoch``.
    doppler : LUT2d (or any isce.core.doppler model)
        Doppler centroid [Hz] over (zero-Doppler time [s], slant range [m]): where the
        azimuth spectrum sits (the carrier resampling removes); a constant zero LUT for
        products without a table.
    grid_doppler : str
        ``"zero"`` (default): the image is on a zero-Doppler grid (our focuser's output, ESA,
        DLR, ASI, MDA products, ISCE2's zero-Doppler SLC sensors): the geometry (topo,
        geo2rdr, geocode) is solved for zero Doppler whatever the centroid; ``"native"``: the
        image sits at its Doppler centroid (ALOS level 1.1 as ISCE2 reads it, ISCE3's test
        RSLCs): the geometry uses ``doppler``. See :attr:`geometry_doppler`.
    center_frequency : float
        Processed centre frequency [Hz]; defaults to c / wavelength.
    range_bandwidth, azimuth_bandwidth : float or None
        Processed bandwidths [Hz] when the product records them.
    range_sampling_rate : float or None
        Complex range sampling rate [Hz] (c / (2 * range spacing) for NISAR RSLC).
    polarization : str
        e.g. ``"HH"``.
    frequency : str
        NISAR sub-band letter (``"A"``/``"B"``), or ``""``.
    platform, mission : str
        Spacecraft/aircraft name and mission as the sensor knows them.
    orbit_type : str
        e.g. ``"POE"``, ``"FOE"``, ``"Custom"`` (as recorded), or ``""``.
    source : ImageSource or None
        Where :meth:`read` finds the image.
    attributes : dict
        Other JSON-able facts from the product (product type, track, ...).
    """

    radar_grid: RadarGrid
    orbit: Orbit
    doppler: object = field(default_factory=zero_doppler)
    center_frequency: float | None = None
    range_bandwidth: float | None = None
    azimuth_bandwidth: float | None = None
    range_sampling_rate: float | None = None
    polarization: str = ""
    frequency: str = ""
    platform: str = ""
    mission: str = ""
    orbit_type: str = ""
    source: ImageSource | None = None
    attributes: dict = field(default_factory=dict)
    grid_doppler: str = "zero"

    def __post_init__(self):
        if self.grid_doppler not in ("zero", "native"):
            raise ValueError(f"SlcProduct.grid_doppler must be 'zero' or 'native', got "
                             f"{self.grid_doppler!r}")
        if not isinstance(self.radar_grid, RadarGrid):
            raise TypeError(f"SlcProduct.radar_grid must be a RadarGrid, got {type(self.radar_grid).__name__}")
        if not isinstance(self.orbit, Orbit):
            raise TypeError(f"SlcProduct.orbit must be an Orbit, got {type(self.orbit).__name__}")
        if self.doppler is None:
            self.doppler = zero_doppler()
        if not callable(getattr(self.doppler, "eval", None)):
            raise TypeError("SlcProduct.doppler must be a Doppler model with eval(time, range)")
        wvl = self.radar_grid.wavelength
        if self.center_frequency is None:
            self.center_frequency = SPEED_OF_LIGHT / wvl
        else:
            f = _opt_float(self.center_frequency, "center_frequency")
            if not f > 0 or abs(SPEED_OF_LIGHT / f - wvl) > 1e-9 * wvl:
                raise ValueError(f"SlcProduct center_frequency {f!r} Hz disagrees with the radar "
                                 f"grid's wavelength {wvl!r} m (c/f = {SPEED_OF_LIGHT / f!r} m)")
            self.center_frequency = f
        for name in ("range_bandwidth", "azimuth_bandwidth", "range_sampling_rate"):
            setattr(self, name, _opt_float(getattr(self, name), name))
        for name in ("polarization", "frequency", "platform", "mission", "orbit_type"):
            setattr(self, name, str(getattr(self, name) or ""))
        if self.source is not None and not isinstance(self.source, ImageSource):
            self.source = ImageSource.from_dict(self.source) if isinstance(self.source, dict) else \
                ImageSource("raster", self.source)
        self.attributes = dict(self.attributes or {})

    # ------------------------------------------------------------ derived metadata
    @property
    def wavelength(self) -> float:
        """Radar wavelength [m] (c / center_frequency)."""
        return self.radar_grid.wavelength

    @property
    def look_side(self) -> str:
        """``'left'`` or ``'right'``."""
        return self.radar_grid.look_side

    @property
    def prf(self) -> float:
        """Line rate of the grid [Hz] (1 / zero-Doppler time spacing)."""
        return self.radar_grid.prf

    @property
    def reference_epoch(self):
        """Epoch (DateTime) of every time of the product."""
        return self.radar_grid.reference_epoch

    @property
    def shape(self) -> tuple:
        """``(length, width)`` of the image."""
        return self.radar_grid.shape

    @property
    def length(self) -> int:
        return self.radar_grid.length

    @property
    def width(self) -> int:
        return self.radar_grid.width

    @property
    def geometry_doppler(self):
        """The Doppler the geometry of this image is solved for: zero on a zero-Doppler grid,
        the centroid on a native-Doppler one (``grid_doppler``)."""
        return self.doppler if self.grid_doppler == "native" else zero_doppler()

    @property
    def is_zero_doppler(self) -> bool:
        """True when the Doppler model is a constant zero (no table)."""
        d = self.doppler
        return not getattr(d, "have_data", True) and getattr(d, "ref_value", None) == 0

    # ------------------------------------------------------------ image
    def _need_source(self) -> ImageSource:
        if self.source is None:
            raise InputError("the SLC product has no image source (metadata only)")
        return self.source

    def read(self, rows=None, cols=None) -> np.ndarray:
        """Image samples as complex64: ``rows`` and ``cols`` are None (all), an int or a slice.

        Returns ``(n, m)`` for slices, 1-D for an int. Opens and closes the file on
        each call; use :meth:`iter_blocks` to stream the whole image.
        """
        src = self._need_source()
        r = _index(rows, self.length, "rows")
        c = _index(cols, self.width, "cols")
        return src.read(r, c, self.shape)

    def iter_blocks(self, block_lines: int = DEFAULT_BLOCK_LINES):
        """Yield ``(rows, block)``: a slice of lines and its complex64 ``(n, width)`` samples.

        The file stays open for the iteration only.
        """
        block_lines = int(block_lines)
        if block_lines < 1:
            raise ValueError(f"block_lines must be positive, got {block_lines}")
        src = self._need_source()
        if src.format == "hdf5":
            src._missing()
            with src.open_hdf5() as ds:
                src.check_hdf5_shape(ds, self.shape)
                for start in range(0, self.length, block_lines):
                    rows = slice(start, min(start + block_lines, self.length))
                    yield rows, src.read_hdf5(ds, rows, slice(0, self.width))
            return
        for start in range(0, self.length, block_lines):
            rows = slice(start, min(start + block_lines, self.length))
            yield rows, self.read(rows)

    def write(self, path, *, block_lines: int = DEFAULT_BLOCK_LINES, metadata: bool = True,
              progress: bool = False) -> "SlcProduct":
        """Write the image as an ISCE raster (CFLOAT, ``.xml/.vrt/.hdr`` sidecars) at ``path``.

        Written block by block and atomically (isce.io). With ``metadata``, the
        returned product is also saved as ``<path>.json``. Returns a copy of this
        product whose source is the new raster. The samples are checked on the way
        (:class:`_ContentCheck`): NaN/inf samples are written as 0 (no data) with a
        warning; an image with no data, or with more than MAX_NONFINITE_FRACTION of
        NaN/inf, is an InputError (and nothing is written).
        """
        path = os.fspath(path)
        check = _ContentCheck(self.source.describe() if self.source is not None else path,
                              self.length * self.width)
        write_blocks(self, path, "slc", block_lines=block_lines, progress=progress, check=check)
        out = replace(self, source=ImageSource("raster", path), attributes=dict(self.attributes))
        if self.source is not None:
            out.attributes.setdefault("extracted_from", self.source.describe())
        if metadata:
            out.save(path + ".json")
        return out

    # ------------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        """JSON-friendly dict (exact floats)."""
        return {
            "type": "SlcProduct",
            "version": 1,
            "radar_grid": self.radar_grid.to_dict(),
            "orbit": self.orbit.to_dict(),
            "doppler": self.doppler.to_dict(),
            "center_frequency": self.center_frequency,
            "range_bandwidth": self.range_bandwidth,
            "azimuth_bandwidth": self.azimuth_bandwidth,
            "range_sampling_rate": self.range_sampling_rate,
            "polarization": self.polarization,
            "frequency": self.frequency,
            "platform": self.platform,
            "mission": self.mission,
            "orbit_type": self.orbit_type,
            "source": None if self.source is None else self.source.to_dict(),
            "attributes": self.attributes,
            "grid_doppler": self.grid_doppler,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "SlcProduct":
        """Inverse of :meth:`to_dict`."""
        if d.get("type", "SlcProduct") != "SlcProduct":
            raise ValueError(f"not an SlcProduct dict (type {d.get('type')!r})")
        missing = [k for k in ("radar_grid", "orbit") if k not in d]
        if missing:
            raise ValueError(f"SlcProduct dict lacks {', '.join(missing)}")
        dop = d.get("doppler")
        return cls(
            radar_grid=RadarGrid.from_dict(d["radar_grid"]),
            orbit=Orbit.from_dict(d["orbit"]),
            doppler=zero_doppler() if dop is None else doppler_from_dict(dop),
            center_frequency=d.get("center_frequency"),
            range_bandwidth=d.get("range_bandwidth"),
            azimuth_bandwidth=d.get("azimuth_bandwidth"),
            range_sampling_rate=d.get("range_sampling_rate"),
            polarization=d.get("polarization", ""),
            frequency=d.get("frequency", ""),
            platform=d.get("platform", ""),
            mission=d.get("mission", ""),
            orbit_type=d.get("orbit_type", ""),
            source=None if d.get("source") is None else ImageSource.from_dict(d["source"]),
            attributes=d.get("attributes") or {},
            grid_doppler=d.get("grid_doppler", "zero"),
        )

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> "SlcProduct":
        return cls.from_dict(json.loads(text))

    def save(self, path) -> str:
        """Write the JSON metadata atomically; the image path is stored relative to the
        JSON file's folder when it lies inside it (so the pair can be moved together)."""
        path = os.fspath(path)
        d = self.to_dict()
        if self.source is not None:
            here = os.path.dirname(os.path.abspath(path))
            src = os.path.abspath(self.source.path)
            try:
                rel = os.path.relpath(src, here)
            except ValueError:        # another drive (Windows)
                rel = None
            if rel and rel.split(os.sep, 1)[0] != os.pardir:
                d["source"]["path"] = rel
        write_text(path, json.dumps(d, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path) -> "SlcProduct":
        """Read a product saved by :meth:`save` (relative image paths resolve against its folder)."""
        path = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as handle:
                d = json.load(handle)
        except FileNotFoundError:
            raise InputError(f"{path}: no such file (SLC product metadata)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not a readable SLC product JSON file: {exc}") from None
        src = d.get("source")
        if isinstance(src, dict) and src.get("path") and not os.path.isabs(src["path"]):
            src["path"] = os.path.join(os.path.dirname(os.path.abspath(path)), src["path"])
        try:
            return cls.from_dict(d)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: invalid SLC product metadata: {exc}") from None

    def __eq__(self, other):
        if not isinstance(other, SlcProduct):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None

    def __repr__(self):
        g = self.radar_grid
        src = "no image" if self.source is None else self.source.describe()
        return (f"SlcProduct({self.mission or self.platform or '?'} {self.frequency}{self.polarization}, "
                f"{g.length}x{g.width}, {self.center_frequency / 1e9:.6g} GHz, {g.look_side}-looking, "
                f"{src})")


def acquisition_date(product) -> str:
    """``YYYYMMDD`` (UTC) of a date's middle line, focused (SlcProduct) or raw (RawProduct:
    its middle pulse): the date in ISCE2 stripmapStack's names and in the sidecars."""
    grid = getattr(product, "radar_grid", None)
    mid = grid.sensing_mid_datetime if grid is not None else \
        DateTime(product.reference_epoch) + float(product.pulse_time((product.length - 1) / 2))
    return date_name(mid)
