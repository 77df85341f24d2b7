"""Reader of focused SLCs written by isce itself, sensor name ``ISCE_SLC``.

What ``focus.py`` writes (``<pass>.slc`` + ``<pass>.slc.json``), what insarApp
leaves in ``reference/reference.slc.json``, and what any sensor reader's
:meth:`~isce.sensors.base.Sensor.extract` writes: an ISCE raster (complex,
``.xml/.vrt/.hdr`` sidecars) described by an :class:`~isce.sensors.product.SlcProduct`
JSON beside it. This reader lets such a product be one date of a pair, e.g. a
raw ALOS reference with a secondary focused beforehand.

Parameters (ISCE-style names):

=========== ================================================================
``PRODUCT`` the product's metadata JSON (``secondary.slc.json``); also
            accepted as ``SLC``. The raster itself (``secondary.slc``) may be
            given instead when its ``.json`` lies beside it.
``OUTPUT``  where :meth:`~isce.sensors.base.Sensor.extract` copies the SLC
=========== ================================================================

Every problem is an :class:`~isce.framework.InputError` naming the file: a
missing, unreadable or corrupt JSON, a JSON that is not an SLC product (e.g. a
raw product's metadata), and an image that is missing, truncated or of another
size than the metadata say.
"""
from __future__ import annotations

import json
import os

import isce.io
from isce.framework.errors import InputError
from isce.framework.parameter import Parameter
from isce.io.errors import RasterError

from .base import Sensor
from .product import SlcProduct

__all__ = ["IsceSlc", "read_isce_slc"]


def _metadata_path(path: str) -> str:
    """The JSON of ``path``: itself, or ``<path>.json`` when ``path`` is the raster."""
    if not path.lower().endswith(".json") and os.path.isfile(path + ".json"):
        return path + ".json"
    return path


def _check_image(product: SlcProduct, json_path: str) -> None:
    """InputError (naming the image and the JSON) unless the image exists with the product's size."""
    src = product.source
    if src is None:
        raise InputError(f"{json_path}: SLC product metadata without an image (no 'source')")
    if not os.path.exists(src.path):
        raise InputError(f"{src.path}: no such file (the image of the SLC product {json_path})")
    if os.path.isdir(src.path):
        raise InputError(f"{src.path}: is a folder, not the image of the SLC product {json_path}")
    if src.format == "hdf5":
        with src.open_hdf5() as ds:
            shape = tuple(ds.shape)
        if shape != product.shape:
            raise InputError(f"{src.path}: dataset {src.dataset} is {shape[0]} x {shape[1]}, the "
                             f"SLC product {json_path} says {product.length} x {product.width}")
        return
    try:
        raster = isce.io.open(src.path)
    except (RasterError, OSError, ValueError) as exc:
        why = exc.problem if isinstance(exc, RasterError) and exc.path == src.path else exc
        raise InputError(f"{src.path}: unusable image of the SLC product {json_path} (truncated "
                         f"or incomplete copy?): {why}") from None
    try:
        if (raster.length, raster.width) != product.shape:
            raise InputError(f"{src.path}: raster is {raster.length} x {raster.width} (lines x "
                             f"samples), the SLC product {json_path} says {product.length} x "
                             f"{product.width}")
        if raster.dtype.kind != "c":
            raise InputError(f"{src.path}: raster holds {raster.dtype} samples, not complex: not "
                             f"the image of the SLC product {json_path}")
    finally:
        raster.close()


def read_isce_slc(path) -> SlcProduct:
    """The SlcProduct of an isce SLC (its JSON, or the raster with the JSON beside it),
    with its image checked (present, complete, of the recorded size)."""
    path = _metadata_path(os.fspath(path))
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file (SLC product metadata JSON)")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a folder, not an SLC product JSON file")
    try:
        with open(path, encoding="utf-8") as handle:
            d = json.load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the SLC product JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not a valid JSON file (truncated or corrupt?): {exc}") from None
    if not isinstance(d, dict):
        raise InputError(f"{path}: not an SLC product JSON (a {type(d).__name__}, expected an "
                         "object with radar_grid, orbit, source)")
    if "radar_grid" not in d and {"sensing_start", "chirp_slope", "pulse_length"} <= set(d):
        raise InputError(f"{path}: raw echoes' metadata, not a focused SLC: focus them first "
                         "(focus.py), or give this date the sensor of its raw data")
    src = d.get("source")
    if isinstance(src, dict) and src.get("path") and not os.path.isabs(str(src["path"])):
        src["path"] = os.path.join(os.path.dirname(os.path.abspath(path)), str(src["path"]))
    try:
        product = SlcProduct.from_dict(d)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        why = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise InputError(f"{path}: invalid SLC product metadata: {why}") from None
    _check_image(product, path)
    return product


class IsceSlc(Sensor):
    """Reader of an SLC focused by isce (focus.py, insarApp, extract): its SlcProduct JSON."""

    sensor_name = "ISCE_SLC"
    parameters = (
        Parameter("product_file", public_name="PRODUCT", type="path", default=None, mandatory=True,
                  aliases=("SLC",),
                  doc="The SLC product's metadata JSON (e.g. secondary.slc.json, written by "
                      "focus.py beside secondary.slc); the raster path works too when its "
                      ".json lies beside it."),
    )

    def read_product(self) -> SlcProduct:
        return read_isce_slc(self.require("product_file"))
