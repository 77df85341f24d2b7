"""What a sidecar says about a raster: :class:`RasterInfo` and :class:`Geo`.

Layout conventions (as ISCE): ``coordinate1`` is the width axis (x, longitude),
``coordinate2`` the length axis (y, latitude). :class:`Geo` holds the outer corner of
the first pixel (GDAL's geotransform origin), ``dy`` negative for north-up grids; the
ISCE XML's ``startingValue`` is the first sample's centre, half a spacing inside it
(:mod:`isce.io.isce_xml` converts).
"""
import math
from dataclasses import dataclass, field, replace

import numpy as np

from .datatypes import DataType, lookup, numpy_dtype
from .errors import RasterError

SCHEMES = ("BIP", "BIL", "BSQ")


@dataclass(frozen=True)
class Geo:
    """A north-up (or south-up) regular grid: GDAL geotransform without rotation."""

    x0: float          # x (longitude) of the left edge of the first column
    dx: float          # column spacing
    y0: float          # y (latitude) of the top edge of the first row
    dy: float          # row spacing, negative for north-up
    epsg: int = 4326

    def __post_init__(self):
        for name in ("x0", "dx", "y0", "dy"):
            value = float(getattr(self, name))
            if not math.isfinite(value):
                raise ValueError(f"Geo.{name} must be finite, got {value!r}")
            object.__setattr__(self, name, value)
        if self.dx == 0 or self.dy == 0:
            raise ValueError("Geo spacing dx and dy must be non-zero")
        object.__setattr__(self, "epsg", int(self.epsg))

    @classmethod
    def from_geotransform(cls, gt, epsg=4326):
        gt = tuple(float(v) for v in gt)
        if len(gt) != 6:
            raise ValueError(f"a geotransform has 6 numbers, got {len(gt)}")
        if gt[2] != 0 or gt[4] != 0:
            raise ValueError(f"rotated geotransforms are not supported: {gt}")
        return cls(gt[0], gt[1], gt[3], gt[5], epsg)

    @classmethod
    def coerce(cls, geo):
        """``None``, a :class:`Geo` or a 6-number GDAL geotransform."""
        if geo is None or isinstance(geo, cls):
            return geo
        return cls.from_geotransform(geo)

    @property
    def geotransform(self):
        """GDAL order: (x0, dx, 0, y0, 0, dy)."""
        return (self.x0, self.dx, 0.0, self.y0, 0.0, self.dy)

    def bounds(self, width, length):
        """(west, south, east, north) of a ``width`` x ``length`` grid."""
        x1 = self.x0 + width * self.dx
        y1 = self.y0 + length * self.dy
        return (min(self.x0, x1), min(self.y0, y1), max(self.x0, x1), max(self.y0, y1))

    def x_centers(self, width):
        return self.x0 + (np.arange(width) + 0.5) * self.dx

    def y_centers(self, length):
        return self.y0 + (np.arange(length) + 0.5) * self.dy


def _metadata(items):
    """Metadata as {KEY: text}: keys upper case without spaces or '=', texts on one line."""
    out = {}
    for key, value in dict(items or {}).items():
        name = "_".join(str(key).split()).upper()
        if not name or "=" in name:
            raise ValueError(f"metadata key {key!r} must be non-empty, without '='")
        out[name] = " ".join(str(value).split())
    return out


@dataclass(frozen=True)
class RasterInfo:
    """Everything needed to lay a raster out on disk and describe it."""

    width: int
    length: int
    datatype: DataType
    bands: int = 1
    scheme: str = "BIP"
    image_type: str = ""
    geo: Geo = None
    byte_order: str = "l"         # 'l' or 'b'; this package writes 'l' only
    offset: int = 0               # header bytes before the data (ENVI/VRT only)
    extra: dict = field(default_factory=dict)   # other ISCE properties, e.g. reference=WGS84
    band_names: tuple = ()        # what each band is (none, or one per band)
    units: tuple = ()             # each band's unit ("1": dimensionless; none, or one per band)
    nodata: float = None          # the value marking "no data" in every band (None: none)
    metadata: dict = field(default_factory=dict)  # provenance: ISCE_VERSION, REFERENCE_DATE, ...

    def __post_init__(self):
        object.__setattr__(self, "datatype", lookup(self.datatype))
        for name in ("width", "length", "bands"):
            value = getattr(self, name)
            if isinstance(value, bool) or int(value) != value or int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
            object.__setattr__(self, name, int(value))
        scheme = str(self.scheme).strip().upper()
        if scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {self.scheme!r}")
        object.__setattr__(self, "scheme", scheme)
        if self.byte_order not in ("l", "b"):
            raise ValueError(f"byte_order must be 'l' or 'b', got {self.byte_order!r}")
        if isinstance(self.offset, bool) or int(self.offset) != self.offset or int(self.offset) < 0:
            raise ValueError(f"offset must be a non-negative integer, got {self.offset!r}")
        object.__setattr__(self, "offset", int(self.offset))
        object.__setattr__(self, "geo", Geo.coerce(self.geo))
        object.__setattr__(self, "image_type", str(self.image_type or ""))
        object.__setattr__(self, "extra", {str(k): str(v) for k, v in dict(self.extra).items()})
        object.__setattr__(self, "band_names", self._per_band("band_names"))
        object.__setattr__(self, "units", self._per_band("units"))
        if self.nodata is not None:
            object.__setattr__(self, "nodata", float(self.nodata))
        object.__setattr__(self, "metadata", _metadata(self.metadata))

    def _per_band(self, name):
        """``name`` (band_names or units) as a tuple of texts: empty, or one per band, each fit for
        the lists of the sidecars (one line, none of , ; [ ] { }: see io.provenance.summary)."""
        value = getattr(self, name)
        items = (value,) if isinstance(value, str) else tuple(value or ())
        items = tuple(" ".join(str(v).split()) for v in items)
        if items and len(items) != self.bands:
            raise ValueError(f"{name} gives {len(items)} entries for {self.bands} band(s)")
        for item in items:
            if not item or any(c in item for c in ",;[]{}"):
                raise ValueError(f"{name} entry {item!r} must be non-empty, without , ; [ ] {{ }}")
        return items

    @property
    def nodata_text(self):
        """The no-data value as sidecars write it (``nan``, ``0``, ``-9999.5``); None without one."""
        if self.nodata is None:
            return None
        if math.isnan(self.nodata):
            return "nan"
        return str(int(self.nodata)) if self.nodata.is_integer() else repr(self.nodata)

    def replace(self, **changes):
        return replace(self, **changes)

    @property
    def dtype(self):
        """numpy dtype as stored (byte order included)."""
        return numpy_dtype(self.datatype, self.byte_order)

    @property
    def itemsize(self):
        return self.datatype.itemsize

    @property
    def nbytes(self):
        """Size of the data in bytes (without ``offset``)."""
        return self.width * self.length * self.bands * self.itemsize

    @property
    def file_shape(self):
        """Shape of the whole file as a C-ordered array, per scheme."""
        if self.bands == 1:
            return (self.length, self.width)
        return {
            "BIP": (self.length, self.width, self.bands),
            "BIL": (self.length, self.bands, self.width),
            "BSQ": (self.bands, self.length, self.width),
        }[self.scheme]

    def band_offsets(self, band):
        """(ImageOffset, PixelOffset, LineOffset) in bytes of 0-based ``band``, as GDAL's VRT wants them."""
        n, w, h, b = self.itemsize, self.width, self.length, self.bands
        if self.scheme == "BIP":
            return (self.offset + band * n, b * n, b * w * n)
        if self.scheme == "BIL":
            return (self.offset + band * w * n, n, b * w * n)
        return (self.offset + band * w * h * n, n, w * n)

    def describe(self):
        """e.g. ``250x250 FLOAT`` or ``250x250x2 FLOAT BIL``."""
        text = f"{self.width}x{self.length}"
        if self.bands > 1:
            text += f"x{self.bands}"
        text += f" {self.datatype.isce}"
        if self.bands > 1:
            text += f" {self.scheme}"
        return text

    def check_size(self, data_path, actual):
        expected = self.offset + self.nbytes
        if actual != expected:
            extra = f" + {self.offset} header bytes" if self.offset else ""
            raise RasterError(
                data_path,
                f"file holds {actual} bytes, header says {self.describe()} ({expected} bytes{extra})",
            )
