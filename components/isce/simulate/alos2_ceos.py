"""Writer of ALOS-2 PALSAR-2 level-1.1 stripmap SLC in CEOS (``ALOS2``): the level-1.1 writer
of :mod:`isce.simulate.alos_slc` with ALOS-2's line prefix (544 bytes, microsecond time tags)
and sensor ID, read back by :func:`isce.sensors.alos2_ceos.read_alos2`."""
from __future__ import annotations

import os

from isce.sensors.alos2_ceos import ALOS2_L11, read_alos2
from isce.sensors.product import SlcProduct

from .alos_slc import _names, write_l11

__all__ = ["write_alos2", "write_alos2_files"]


def write_alos2_files(product: SlcProduct, imagefile, leaderfile) -> SlcProduct:
    """Write ``product`` as an ALOS-2 level-1.1 IMG/LED pair; the product read back."""
    return write_l11(product, imagefile, leaderfile, ALOS2_L11, reader=read_alos2)


def write_alos2(product: SlcProduct, folder, name: str) -> dict[str, str]:
    """The simulator's writer interface for ``ALOS2``: ``IMG-<pol>-<name>-1.1`` /
    ``LED-<name>-1.1`` in ``folder``; returns ``IMAGEFILE``/``LEADERFILE`` relative to it."""
    files = _names(product, name)
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    write_alos2_files(product, os.path.join(folder, files["IMAGEFILE"]),
                      os.path.join(folder, files["LEADERFILE"]))
    return files
