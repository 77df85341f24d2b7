"""Data type names: ISCE's, numpy's, GDAL's and ENVI's, in one table."""
from dataclasses import dataclass

import numpy as np

from .errors import RasterError


@dataclass(frozen=True)
class DataType:
    isce: str     # ISCE image XML name (data_type)
    numpy: str    # numpy type code, little-endian
    gdal: str     # GDAL type name used in VRT files
    envi: int     # ENVI header "data type" code

    @property
    def dtype(self):
        return np.dtype(self.numpy)

    @property
    def itemsize(self):
        return self.dtype.itemsize


# BYTE is unsigned, as GDAL's Byte and ENVI's code 1 (masks, connected components).
_TABLE = (
    DataType("BYTE", "<u1", "Byte", 1),
    DataType("SHORT", "<i2", "Int16", 2),
    DataType("INT", "<i4", "Int32", 3),
    DataType("LONG", "<i8", "Int64", 14),
    DataType("FLOAT", "<f4", "Float32", 4),
    DataType("DOUBLE", "<f8", "Float64", 5),
    DataType("CFLOAT", "<c8", "CFloat32", 6),
    DataType("CDOUBLE", "<c16", "CFloat64", 9),
)

BY_ISCE = {t.isce: t for t in _TABLE}
BY_GDAL = {t.gdal.lower(): t for t in _TABLE}
BY_ENVI = {t.envi: t for t in _TABLE}
_BY_NUMPY = {np.dtype(t.numpy).newbyteorder("="): t for t in _TABLE}

#: The ISCE data type names this package reads and writes.
ISCE_TYPES = tuple(t.isce for t in _TABLE)


def lookup(dtype):
    """The :class:`DataType` for a numpy dtype (or anything ``np.dtype`` takes)
    or an ISCE name (``"CFLOAT"``, case-insensitive)."""
    if isinstance(dtype, DataType):
        return dtype
    if isinstance(dtype, str) and dtype.upper() in BY_ISCE:
        return BY_ISCE[dtype.upper()]
    try:
        key = np.dtype(dtype).newbyteorder("=")
    except TypeError as exc:
        raise ValueError(f"unknown data type {dtype!r}") from exc
    try:
        return _BY_NUMPY[key]
    except KeyError:
        names = ", ".join(f"{t.isce} ({np.dtype(t.numpy).name})" for t in _TABLE)
        raise ValueError(f"data type {np.dtype(dtype).name} has no ISCE name; use one of {names}") from None


def from_isce_name(name, path):
    try:
        return BY_ISCE[name.strip().upper()]
    except KeyError:
        raise RasterError(path, f"unknown data_type {name!r} (expected one of {', '.join(ISCE_TYPES)})") from None


def numpy_dtype(dt, byte_order="l"):
    """numpy dtype of ``dt`` stored with byte order ``'l'`` or ``'b'``."""
    return dt.dtype.newbyteorder("<" if byte_order == "l" else ">")
