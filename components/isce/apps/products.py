"""Open the radar product an application is pointed at, whatever form it comes in."""
from __future__ import annotations

from pathlib import Path

from isce.framework import InputError, Parameter
from isce.sensors.nisar_hdf5 import read_nisar_slc
from isce.sensors.product import SlcProduct

#: Parameters every command that reads an SLC product declares.
PRODUCT_SELECTION = (
    Parameter("polarization", type=str, default="HH", doc="Polarization to read from an HDF5 product."),
    Parameter("frequency", type=str, default="A", doc="Frequency band (A or B) of an HDF5 product."),
)


def load_product(path, polarization: str = "HH", frequency: str = "A"):
    """An :class:`isce.sensors.SlcProduct` from an HDF5 RSLC (``.h5``) or a product JSON.

    Raises InputError naming the file when it is missing or of an unknown kind.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such product file")
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5", ".he5"):
        return read_nisar_slc(path, frequency=frequency, polarization=polarization)
    if suffix == ".json":
        return SlcProduct.load(path)
    raise InputError(f"{path}: unknown product kind (expected an HDF5 RSLC .h5 or a product .json)")


class ProductRows:
    """A product's image as a 2-D array-like sliced by lines (read on demand, complex64)."""

    def __init__(self, product):
        self.product = product
        self.shape = (product.length, product.width)

    def __getitem__(self, rows):
        return self.product.read(rows=rows)


def is_product_file(path) -> bool:
    return Path(path).suffix.lower() in (".h5", ".hdf5", ".he5", ".json")


def open_image(path, polarization: str = "HH", frequency: str = "A"):
    """An SLC image to read by lines: an isce raster path as is, a product through its reader."""
    if is_product_file(path):
        return ProductRows(load_product(path, polarization, frequency))
    if not Path(path).exists():
        raise InputError(f"{path}: no such image file")
    return str(path)
