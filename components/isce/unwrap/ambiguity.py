"""Unwrap an unfiltered interferogram with the cycle counts of its filtered, unwrapped twin.

The Goldstein filter helps unwrapping but moves the phase of curved fringes
(about 0.06 rad, 1 mm of L-band line-of-sight displacement, on a Mogi source's
fringes at alpha = 0.5). Here the filtered solution only supplies the integer
number of cycles:

    phi = arg(z) + 2 pi round((phi_f - arg(z)) / 2 pi)

with ``z`` the unfiltered interferogram and ``phi_f`` the unwrapped filtered
phase, so the result keeps the unfiltered phase, noise included. Pixels where
either input is invalid (0, NaN, or masked by the filtered solution's
connected components) are 0 with component 0.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import isce.io

from ._common import UnwWriters, block_rows

__all__ = ["transfer_cycles", "transfer_cycles_raster"]


def transfer_cycles(wrapped: np.ndarray, unwrapped: np.ndarray) -> np.ndarray:
    """Phase [rad] of ``wrapped`` (complex) moved by whole cycles to within pi of
    ``unwrapped`` [rad] (float32; 0 where either is invalid)."""
    z = np.asarray(wrapped)
    u = np.asarray(unwrapped, dtype=np.float64)
    if z.shape != u.shape:
        raise ValueError(f"wrapped {z.shape} and unwrapped {u.shape} differ in shape")
    ph = np.angle(z).astype(np.float64)
    ok = np.isfinite(ph) & (np.abs(z) > 0) & np.isfinite(u) & (u != 0)
    k = np.round((u - ph) / (2 * math.pi))
    out = np.where(ok, ph + 2 * math.pi * k, 0.0)
    return out.astype(np.float32)


def transfer_cycles_raster(wrapped, unwrapped, output, *, conncomp="auto") -> tuple[str, str | None]:
    """:func:`transfer_cycles` of rasters on disk: ``wrapped`` (CFLOAT interferogram),
    ``unwrapped`` (2-band ``.unw`` of the filtered one, with its ``.conncomp`` next to it),
    ``output`` (2-band ``.unw``: amplitude of ``wrapped``, phase; the connected components
    are copied to ``output + '.conncomp'``). Returns the paths written."""
    zr = isce.io.open(str(wrapped))
    ur = isce.io.open(str(unwrapped))
    if (zr.length, zr.width) != (ur.length, ur.width):
        raise ValueError(f"{wrapped} ({zr.length} x {zr.width}) and {unwrapped} "
                         f"({ur.length} x {ur.width}) differ in shape")
    cc_path = str(unwrapped) + ".conncomp"
    has_cc = any(Path(cc_path + ext).is_file() for ext in (".xml", ".vrt", ".hdr"))
    cc_in = isce.io.open(cc_path) if has_cc else None     # none: every valid pixel is kept
    cc_out = str(output) + ".conncomp" if (conncomp == "auto" and cc_in is not None) else None
    step = block_rows(zr.width)
    with UnwWriters(str(output), cc_out, zr.width, zr.length) as w:
        for r0 in range(0, zr.length, step):     # read and written through the files
            rows = slice(r0, min(r0 + step, zr.length))
            z = zr.read_rows(rows)
            u = ur.read_rows(rows, band=1)
            if cc_in is not None:
                cc = cc_in.read_rows(rows)
                u = np.where(cc > 0, u, 0.0)
                if w.cc is not None:
                    w.cc.write_rows(cc, rows)
            w.unw.write_rows(np.stack([np.abs(z), transfer_cycles(z, u)]), rows)
    for raster in (zr, ur, cc_in):
        if raster is not None:
            raster.close()
    return str(output), cc_out
