"""Open the radar product an application is pointed at, whatever form it comes in."""
from __future__ import annotations

from pathlib import Path

from isce.core.orbit import SETTINGS as ORBIT_SETTINGS
from isce.core.orbit import choose_method
from isce.framework import InputError, Parameter
from isce.sensors.product_files import is_product_file, load_product  # noqa: F401 (re-exported)

#: Parameters every command that reads an SLC product declares.
PRODUCT_SELECTION = (
    Parameter("polarization", type=str, default="HH", doc="Polarization to read from an HDF5 product."),
    Parameter("frequency", type=str, default="A", doc="Frequency band (A or B) of an HDF5 product."),
)

#: The setting of every command that uses an orbit (applied once, where the product is read).
ORBIT_INTERPOLATION = Parameter(
    "orbit_interpolation", public_name="orbit interpolation", type=str, default="auto",
    choices=ORBIT_SETTINGS,
    doc="Orbit interpolation: hermite (positions and velocities), legendre (positions only) or "
    "auto (the reader's method, Legendre when the velocities disagree with the positions).")


def orbit_span(product) -> tuple[float, float]:
    """First and last line's times of an SLC or raw product [s since its orbit's epoch]."""
    grid = getattr(product, "radar_grid", None)
    if grid is None:   # raw: pulse times are in seconds since the orbit's epoch
        return float(product.pulse_time(0)), float(product.pulse_time(product.length - 1))
    ends = (grid.sensing_start_datetime, grid.sensing_stop_datetime)
    return tuple(float(product.orbit.seconds(t)) for t in ends)


def apply_orbit_interpolation(product, setting: str, log, label) -> None:
    """Set ``product.orbit``'s method from the ``orbit interpolation`` setting; log (INFO) the
    method, the orbit's source ``label`` and why (e.g. the measured velocity inconsistency of
    the state vectors around the scene)."""
    try:
        method, reason = choose_method(product.orbit, setting, orbit_span(product))
    except ValueError as exc:   # e.g. legendre asked of fewer than 9 state vectors
        raise InputError(f"{label}: orbit interpolation: {exc}") from None
    product.orbit = product.orbit.with_method(method)
    log.info("%s: orbit interpolation %s (%s)", label, method, reason)


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
