"""Open an SLC product file, whatever form it comes in: an HDF5 RSLC or isce's product JSON.

Below the applications and the quality measures, which both open products given by path
(``isce.apps`` commands, :func:`isce.quality.analyze_point_target`).
"""
from __future__ import annotations

from pathlib import Path

from isce.framework.errors import InputError

from .nisar_hdf5 import read_nisar_slc
from .product import SlcProduct

__all__ = ["load_product", "is_product_file", "HDF5_SUFFIXES"]

HDF5_SUFFIXES = (".h5", ".hdf5", ".he5")


def is_product_file(path) -> bool:
    """Whether ``path`` names a product (HDF5 RSLC or product JSON), not a bare raster."""
    return Path(path).suffix.lower() in (*HDF5_SUFFIXES, ".json")


def load_product(path, polarization: str = "HH", frequency: str = "A"):
    """An :class:`isce.sensors.SlcProduct` from an HDF5 RSLC (``.h5``) or a product JSON.

    Raises InputError naming the file when it is missing or of an unknown kind.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such product file")
    suffix = path.suffix.lower()
    if suffix in HDF5_SUFFIXES:
        return read_nisar_slc(path, frequency=frequency, polarization=polarization)
    if suffix == ".json":
        return SlcProduct.load(path)
    raise InputError(f"{path}: unknown product kind (expected an HDF5 RSLC .h5 or a product .json)")
