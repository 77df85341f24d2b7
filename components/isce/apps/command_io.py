"""What ISCE's everyday commands (looks.py, imageMath.py, isce2gis.py, fixImageXml.py, mdx.py)
share: naming a raster as ISCE2 does (the data file or its ``.xml``) and opening it."""
from __future__ import annotations

import os

import isce.io
from isce.framework import InputError


def data_name(path: str) -> str:
    """The data file a command-line name stands for: ``x.slc.xml`` -> ``x.slc`` (ISCE2's
    scripts take either)."""
    path = os.fspath(path)
    return path[:-4] if path.lower().endswith(".xml") else path


def open_input(path: str):
    """The :mod:`isce.io` raster at ``path`` (data file or sidecar); a missing or malformed one
    is an InputError naming it."""
    try:
        return isce.io.open(data_name(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def output_folder_exists(path: str) -> None:
    """Refuse an output whose folder does not exist (before any work)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"{path}: the output folder {folder} does not exist")
