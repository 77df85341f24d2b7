"""Checked access to HDF5 products, shared by the HDF5 readers (NISAR RSLC, L0B) and
:class:`~isce.sensors.product.ImageSource`.

Every failure is an :class:`~isce.framework.InputError` naming the file and the
HDF5 path concerned (missing, a group where a dataset is expected, truncated or
corrupt, not numbers, non-finite), never a bare h5py traceback; attributes (COSMO-SkyMed
keeps its metadata there) are checked the same way (``attr_*``). h5py is imported
when a file is first opened, so ``import isce.sensors`` stays light.
"""
from __future__ import annotations

import os
import re

import numpy as np

from isce.core.time import DateTime, epoch_from_units
from isce.framework.errors import InputError
from isce.framework.files import require_input_file

__all__ = ["h5py_module", "open_hdf5", "Hdf5Product", "text_value"]


def h5py_module():
    """The h5py module; ImportError saying how to install it when it is missing."""
    try:
        import h5py  # lazy: h5py costs ~0.1 s and only the HDF5 readers need it
    except ImportError as exc:
        raise ImportError("reading NISAR/UAVSAR HDF5 products needs h5py (pip install h5py)") from exc
    return h5py


def open_hdf5(path):
    """Open ``path`` read-only with h5py; InputError (naming the file) on any failure."""
    h5py = h5py_module()
    path = require_input_file(path, "HDF5 file")
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as exc:
        size = os.path.getsize(path)
        stored = re.search(r"stored_eof\s*=\s*(\d+)", str(exc))
        if "truncated file" in str(exc) and stored:  # HDF5 checks the size its superblock records
            raise InputError(f"{path}: truncated HDF5 file: {size} bytes, its superblock says "
                             f"{int(stored.group(1))} ({int(stored.group(1)) - size} bytes missing; "
                             "incomplete download or copy?)") from None
        raise InputError(f"{path}: cannot open as HDF5 ({size} bytes; not an HDF5 file, or "
                         f"truncated/corrupt): {exc}") from None


def text_value(value) -> str:
    """A string dataset or attribute (bytes, numpy scalar or 1-element array) as ``str``."""
    if isinstance(value, np.ndarray):
        value = value.reshape(-1)[0] if value.size else ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    return str(value).strip().strip("\x00").strip()


class Hdf5Product:
    """Checked access to one open HDF5 file: every failure is an InputError naming file and path."""

    def __init__(self, h5, path):
        self._h5py = h5py_module()
        self.h5 = h5
        self.path = os.fspath(path)

    def _where(self, hpath):
        return hpath if hpath.startswith("/") else "/" + hpath

    def node(self, hpath, what="dataset"):
        try:
            obj = self.h5[hpath]
        except KeyError as exc:
            if self.has(hpath):     # there, but its object header cannot be read
                raise self._corrupt(hpath, exc) from None
            raise InputError(f"{self.path}: missing {what} {self._where(hpath)}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise self._corrupt(hpath, exc) from None
        return obj

    def _corrupt(self, hpath, exc) -> InputError:
        why = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc  # str(KeyError) quotes
        return InputError(f"{self.path}: cannot read {self._where(hpath)} (truncated or corrupt "
                          f"file?): {why}")

    def has(self, hpath) -> bool:
        try:
            return hpath in self.h5
        except KeyError as exc:     # h5py: a damaged object header on the way (not "absent")
            raise self._corrupt(hpath, exc) from None
        except (OSError, RuntimeError, ValueError):
            return False

    def first(self, *hpaths):
        """The first of ``hpaths`` present in the file, or None."""
        return next((hp for hp in hpaths if self.has(hp)), None)

    def dataset(self, hpath, what="dataset"):
        obj = self.node(hpath, what)
        if not isinstance(obj, self._h5py.Dataset):
            raise InputError(f"{self.path}: {self._where(hpath)} is a group, expected a dataset")
        return obj

    def group(self, hpath, what="group"):
        obj = self.node(hpath, what)
        if not isinstance(obj, self._h5py.Group):
            raise InputError(f"{self.path}: {self._where(hpath)} is a dataset, expected a group")
        return obj

    def read(self, hpath, what="dataset"):
        ds = self.dataset(hpath, what)
        try:
            return ds[()]
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            raise InputError(f"{self.path}: cannot read dataset {self._where(hpath)} (truncated "
                             f"or corrupt file?): {exc}") from None

    def array(self, hpath, ndim=None, what="dataset", dtype=np.float64):
        raw = self.read(hpath, what)
        try:
            arr = np.asarray(raw, dtype=dtype)
        except (TypeError, ValueError):
            raise InputError(f"{self.path}: dataset {self._where(hpath)} has data type "
                             f"{np.asarray(raw).dtype}, expected numbers") from None
        if ndim is not None and arr.ndim != ndim:
            raise InputError(f"{self.path}: dataset {self._where(hpath)} has shape {arr.shape}, "
                             f"expected {ndim} dimension(s)")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise InputError(f"{self.path}: dataset {self._where(hpath)} holds non-finite values")
        return arr

    def scalar(self, hpath, what="dataset"):
        arr = self.array(hpath, what=what)
        if arr.size != 1:
            raise InputError(f"{self.path}: dataset {self._where(hpath)} has shape {arr.shape}, "
                             "expected a single value")
        return float(arr.reshape(-1)[0])

    def optional_scalar(self, hpath):
        return self.scalar(hpath) if self.has(hpath) else None

    def text(self, hpath, what="dataset"):
        return text_value(self.read(hpath, what))

    def optional_text(self, hpath, default=""):
        if not self.has(hpath):
            return default
        try:
            return self.text(hpath)
        except InputError:
            return default

    def epoch(self, hpath) -> DateTime:
        """Epoch of a time dataset's ``units`` attribute (``seconds since ...``)."""
        ds = self.dataset(hpath)
        try:
            units = ds.attrs["units"]
        except KeyError:
            raise InputError(f"{self.path}: dataset {self._where(hpath)} has no 'units' attribute "
                             "(expected 'seconds since <epoch>')") from None
        except (OSError, RuntimeError) as exc:
            raise InputError(f"{self.path}: cannot read attribute units of {self._where(hpath)}: "
                             f"{exc}") from None
        try:
            return epoch_from_units(units)
        except (ValueError, TypeError) as exc:
            raise InputError(f"{self.path}: attribute {self._where(hpath)}.units: {exc}") from None

    # ------------------------------------------------------------ attributes
    def _attr_where(self, hpath, name) -> str:
        return f"attribute '{name}' of {self._where(hpath)}"

    def attr(self, hpath, name):
        """The raw value of attribute ``name`` of the group or dataset ``hpath`` ("/" for the
        root); InputError naming file, HDF5 path and attribute when missing or unreadable."""
        obj = self.node(hpath, "group or dataset") if hpath not in ("", "/") else self.h5
        try:
            return obj.attrs[name]
        except KeyError:
            raise InputError(f"{self.path}: missing {self._attr_where(hpath, name)}") from None
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            raise InputError(f"{self.path}: cannot read {self._attr_where(hpath, name)} "
                             f"(truncated or corrupt file?): {exc}") from None

    def has_attr(self, hpath, name) -> bool:
        obj = self.node(hpath, "group or dataset") if hpath not in ("", "/") else self.h5
        try:
            return name in obj.attrs
        except (OSError, RuntimeError, ValueError):
            return False

    def attr_text(self, hpath, name) -> str:
        """A string attribute, stripped; InputError when it is blank."""
        value = text_value(self.attr(hpath, name))
        if not value:
            raise InputError(f"{self.path}: {self._attr_where(hpath, name)} is blank")
        return value

    def attr_array(self, hpath, name, shape=None) -> np.ndarray:
        """A numeric attribute as float64 (finite); ``shape`` (None entries match any size)
        is checked when given."""
        raw = self.attr(hpath, name)
        try:
            arr = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{self.path}: {self._attr_where(hpath, name)} is {raw!r}, "
                             "expected numbers") from None
        if shape is not None and (arr.ndim != len(shape) or any(
                want is not None and got != want for got, want in zip(arr.shape, shape))):
            want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
            raise InputError(f"{self.path}: {self._attr_where(hpath, name)} has shape "
                             f"{arr.shape}, expected {want}")
        if not np.all(np.isfinite(arr)):
            raise InputError(f"{self.path}: {self._attr_where(hpath, name)} holds non-finite "
                             "values")
        return arr

    def attr_scalar(self, hpath, name, *, positive=False) -> float:
        """A single finite number (a 1-element array too); ``positive`` refuses <= 0."""
        arr = self.attr_array(hpath, name)
        if arr.size != 1:
            raise InputError(f"{self.path}: {self._attr_where(hpath, name)} has shape "
                             f"{arr.shape}, expected a single value")
        value = float(arr.reshape(-1)[0])
        if positive and not value > 0:
            raise InputError(f"{self.path}: {self._attr_where(hpath, name)} = {value!r}, "
                             "expected a positive value")
        return value
