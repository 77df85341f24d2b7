"""Open the radar product an application is pointed at, whatever form it comes in."""
from __future__ import annotations

from pathlib import Path

from isce.framework import InputError, Parameter
from isce.sensors.product_files import is_product_file, load_product  # noqa: F401 (re-exported)

#: Parameters every command that reads an SLC product declares.
PRODUCT_SELECTION = (
    Parameter("polarization", type=str, default="HH", doc="Polarization to read from an HDF5 product."),
    Parameter("frequency", type=str, default="A", doc="Frequency band (A or B) of an HDF5 product."),
)


class ProductRows:
    """A product's image as a 2-D array-like sliced by lines (read on demand, complex64)."""

    def __init__(self, product):
        self.product = product
        self.shape = (product.length, product.width)

    def __getitem__(self, rows):
        return self.product.read(rows=rows)


def open_image(path, polarization: str = "HH", frequency: str = "A"):
    """An SLC image to read by lines: an isce raster path as is, a product through its reader."""
    if is_product_file(path):
        return ProductRows(load_product(path, polarization, frequency))
    if not Path(path).exists():
        raise InputError(f"{path}: no such image file")
    return str(path)
