"""The base of every sensor reader component (ISCE's ``Sensor``, family ``sensor``).

A reader is configured like any component (its parameters follow ISCE's input
files: ``HDF5``, ``OUTPUT``, ...), then

* :meth:`Sensor.parse` reads and validates the metadata (the subclass's
  :meth:`~Sensor.read_product`) and returns an :class:`~isce.sensors.product.SlcProduct`
  (focused data) or a :class:`~isce.sensors.raw.RawProduct` (echoes) whose image is
  read from the original file on demand, block by block;
* :meth:`Sensor.extract` also writes the image as an ISCE raster at ``OUTPUT``
  (``.xml/.vrt/.hdr`` sidecars) with the metadata beside it (``OUTPUT.json``),
  and returns the product pointing at that raster (``product.write``).

Problems with the input data raise :class:`~isce.framework.InputError` naming
the file and what is wrong; a missing or bad setting raises
:class:`~isce.framework.ConfigurationError` naming the property.
"""
from __future__ import annotations

from typing import ClassVar

from isce.framework.configurable import Component
from isce.framework.errors import ConfigurationError
from isce.framework.files import refuse_special_inputs
from isce.framework.parameter import Parameter

from .product import DEFAULT_BLOCK_LINES

__all__ = ["Sensor", "OUTPUT"]

OUTPUT = Parameter(
    "output", public_name="OUTPUT", type="path", default=None, intent="output",
    doc="Where extract() writes the image as an ISCE raster (e.g. reference.slc; "
        "sidecars .xml/.vrt/.hdr and the metadata <OUTPUT>.json beside it).")


class Sensor(Component):
    """Base of the sensor readers: family ``sensor``, parameter ``OUTPUT``."""

    family = "sensor"
    #: the registry name of this reader (e.g. ``"UAVSAR_HDF5_SLC"``)
    sensor_name: ClassVar[str] = ""
    parameters = (OUTPUT,)

    def __init__(self, name: str | None = None):
        super().__init__(name)
        self._product = None
        self._product_key = None

    # --- to implement -----------------------------------------------------------
    def read_product(self):
        """Read and validate the metadata; return the SlcProduct or RawProduct (subclasses
        implement; InputError naming the file and where in it for any problem)."""
        raise NotImplementedError

    # --- public API -------------------------------------------------------------
    def require(self, attrname: str):
        """The value of a parameter, or ConfigurationError naming it when unset."""
        value = getattr(self, attrname, None)
        if value is None or (isinstance(value, str) and not value.strip()):
            param = self.parameter(attrname)
            public = param.public_name if param else attrname
            raise ConfigurationError(
                f"{public} is not set: this {self.sensor_name or type(self).__name__} reader needs it",
                path=f"{self.config_path}.{public}")
        return value

    def _settings_key(self):
        return tuple(repr(getattr(self, p.attrname)) for p in self._parameter_list
                     if p.attrname != "output")

    def parse(self, *, refresh: bool = False):
        """The product's metadata, read and validated on first use and cached until a
        parameter (other than OUTPUT) changes; ``refresh`` forces a new read."""
        key = self._settings_key()
        if self._product is None or refresh or key != self._product_key:
            refuse_special_inputs(self)  # a FIFO or device as IMAGEFILE would hang the reader
            self._product = self.read_product()
            self._product_key = self._settings_key()
        return self._product

    @property
    def product(self):
        """Same as :meth:`parse`."""
        return self.parse()

    def extract(self, output=None, *, block_lines: int | None = None, progress: bool = False):
        """Write the image to ``output`` (default: the ``OUTPUT`` parameter) as an ISCE
        raster plus ``<output>.json``; return the product (SlcProduct or RawProduct) reading
        that raster."""
        if output is None:
            output = self.require("output")
        product = self.parse()
        return product.write(output, block_lines=block_lines or DEFAULT_BLOCK_LINES,
                             progress=progress)

    # ISCE2 spellings
    def extractImage(self, output=None):  # noqa: N802 - ISCE2 name
        return self.extract(output)

    def __repr__(self):
        return f"{type(self).__name__}(instance={self.instance!r})"
