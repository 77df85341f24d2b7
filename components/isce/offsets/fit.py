"""Low-order 2-D polynomials of the offsets and the offset rasters they give.

A :class:`Poly2D` is :class:`isce.core.poly.Poly2d` (ISCE3's ``Poly2d``, ISCE2's
``isceobj.Util.Poly2D``) in line/pixel names:

    value(line, pixel) = sum_{i,j} c[i][j] ((line - mean_line) / norm_line)^i
                                           ((pixel - mean_pixel) / norm_pixel)^j

with ``c[i][j] = 0`` for ``i + j > order`` when it comes from
:func:`fit_poly2d` (total degree ``order``, 1 to 3). Lines and pixels count
from 0 on the reference grid; values are offsets in pixels.

The misregistration step fits one polynomial to the azimuth offsets and one
to the range offsets measured by ampcor (after :mod:`isce.offsets.cull`),
stores them as JSON (``misreg_az.json``, ``misreg_rg.json``); the refined
resampling adds them (:meth:`Poly2D.on_grid`) to the geometry offsets of geo2rdr
block by block in memory. :func:`write_offset_rasters` writes that sum as
``azimuth.off`` / ``range.off`` (float32 isce.io rasters) for whoever needs it
as files (rubber-sheeting, the sub-bands, stacks).
"""
from __future__ import annotations

import json
import os

import numpy as np

import isce.io
from isce.core.poly import Poly2d
from isce.io.atomic import write_text

__all__ = ["Poly2D", "fit_poly2d", "fit_offsets", "write_offset_rasters", "write_misreg_json",
           "read_misreg_json"]


class Poly2D(Poly2d):
    """:class:`isce.core.poly.Poly2d` named in lines and pixels of the reference grid (see the
    module doc), with its own JSON form (``misreg_*.json``).

    ``coeffs``: (azimuth_order + 1, range_order + 1) array, ``coeffs[i, j]``
    multiplies ``y^i x^j`` of the normalised line ``y`` and pixel ``x``.
    """

    def __init__(self, coeffs, mean_line=0.0, norm_line=1.0, mean_pixel=0.0, norm_pixel=1.0):
        super().__init__(np.atleast_2d(np.asarray(coeffs, dtype=np.float64)), x_mean=mean_pixel,
                         y_mean=mean_line, x_norm=norm_pixel, y_norm=norm_line)

    mean_line = property(lambda self: self.y_mean)
    norm_line = property(lambda self: self.y_norm)
    mean_pixel = property(lambda self: self.x_mean)
    norm_pixel = property(lambda self: self.x_norm)

    def to_dict(self) -> dict:
        """JSON-ready dict (ISCE3 Poly2d field names plus units)."""
        return {"type": "Poly2D", "azimuth_order": self.azimuth_order,
                "range_order": self.range_order, "mean_line": self.mean_line,
                "norm_line": self.norm_line, "mean_pixel": self.mean_pixel,
                "norm_pixel": self.norm_pixel, "coeffs": self.coeffs.tolist(),
                "units": {"value": "pixels", "line": "reference lines",
                          "pixel": "reference pixels"}}

    @classmethod
    def from_dict(cls, d) -> "Poly2D":
        try:
            return cls(d["coeffs"], d.get("mean_line", 0.0), d.get("norm_line", 1.0),
                       d.get("mean_pixel", 0.0), d.get("norm_pixel", 1.0))
        except KeyError as exc:
            raise ValueError(f"not a Poly2D dict: missing {exc}") from None

    def to_json(self, path) -> str:
        """Write as JSON (atomically); returns the path."""
        path = os.fspath(path)
        write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def from_json(cls, path) -> "Poly2D":
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def on_grid(self, lines, pixels) -> np.ndarray:
        """Values [pixels] at every (line, pixel) of 1-D ``lines`` x ``pixels``: a
        ``(lines.size, pixels.size)`` array equal, bit for bit, to
        ``self(lines[:, None], pixels[None, :])``, but each coefficient row's polynomial in
        pixel is evaluated once per pixel, not once per grid point (the refined resampling
        adds these to the geometry offsets block by block)."""
        yy = (np.asarray(lines, dtype=np.float64).ravel() - self.y_mean) / self.y_norm
        xx = (np.asarray(pixels, dtype=np.float64).ravel() - self.x_mean) / self.x_norm
        out = np.empty((yy.size, xx.size))
        for k, row in enumerate(self.coeffs[::-1]):
            inner = np.zeros(xx.shape) + row[-1]
            for c in row[-2::-1]:
                inner = inner * xx + c
            if k == 0:              # 0 * y + inner of the broadcast call: inner itself
                out[...] = inner[None, :]
            else:
                out *= yy[:, None]
                out += inner[None, :]
        return out

    def __add__(self, other):
        if not isinstance(other, (int, float)):
            return NotImplemented
        c = self.coeffs.copy()
        c[0, 0] += other
        return Poly2D(c, self.mean_line, self.norm_line, self.mean_pixel, self.norm_pixel)

    def __repr__(self):
        return (f"Poly2D(order=({self.azimuth_order}, {self.range_order}), "
                f"coeffs={np.array2string(self.coeffs, precision=6)})")


def _terms(order):
    return [(i, j) for i in range(order + 1) for j in range(order + 1 - i)]


def fit_poly2d(line, pixel, values, order=1, weights=None) -> Poly2D:
    """Least-squares polynomial of total degree ``order`` (0..3) through ``values``.

    ``line``, ``pixel``, ``values`` (and optional non-negative ``weights``) are
    1-D arrays of the same length; non-finite values are ignored. Coordinates
    are normalised by their mean and half-range, so the fit is well conditioned.
    Raises ValueError with fewer points than coefficients."""
    order = int(order)
    if not 0 <= order <= 3:
        raise ValueError(f"order must be 0..3, got {order}")
    line = np.asarray(line, dtype=np.float64).ravel()
    pixel = np.asarray(pixel, dtype=np.float64).ravel()
    values = np.asarray(values, dtype=np.float64).ravel()
    if not (line.size == pixel.size == values.size):
        raise ValueError(f"line, pixel and values differ in length: {line.size}, {pixel.size}, {values.size}")
    w = np.ones_like(values) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    ok = np.isfinite(values) & np.isfinite(line) & np.isfinite(pixel) & np.isfinite(w) & (w > 0)
    terms = _terms(order)
    if np.count_nonzero(ok) < len(terms):
        raise ValueError(f"a degree-{order} fit needs at least {len(terms)} points, got "
                         f"{int(np.count_nonzero(ok))}")
    line, pixel, values, w = line[ok], pixel[ok], values[ok], w[ok]
    ml, mp = line.mean(), pixel.mean()
    nl = max(float(np.abs(line - ml).max()), 1.0)
    npx = max(float(np.abs(pixel - mp).max()), 1.0)
    y, x = (line - ml) / nl, (pixel - mp) / npx
    a = np.column_stack([y ** i * x ** j for i, j in terms])
    sw = np.sqrt(w)
    sol, *_ = np.linalg.lstsq(a * sw[:, None], values * sw, rcond=None)
    coeffs = np.zeros((order + 1, order + 1))
    for (i, j), c in zip(terms, sol):
        coeffs[i, j] = c
    return Poly2D(coeffs, ml, nl, mp, npx)


def fit_offsets(offsets, order=1, weights=None):
    """Fit azimuth and range polynomials to an :class:`~isce.offsets.ampcor.OffsetField`
    (its valid windows). ``weights``: None, ``"snr"``, ``"cov"`` (inverse variance)
    or an array. Returns ``(az_poly, rg_poly)``."""
    valid = offsets.valid & np.isfinite(offsets.azimuth) & np.isfinite(offsets.range)
    if isinstance(weights, str):
        if weights == "snr":
            wa = wr = offsets.snr
        elif weights == "cov":
            wa = 1.0 / np.maximum(offsets.cov_az, 1e-12)
            wr = 1.0 / np.maximum(offsets.cov_rg, 1e-12)
        else:
            raise ValueError(f"weights must be None, 'snr', 'cov' or an array, got {weights!r}")
    else:
        wa = wr = weights
    sel = lambda w: None if w is None else np.asarray(w)[valid]  # noqa: E731
    az = fit_poly2d(offsets.line[valid], offsets.pixel[valid], offsets.azimuth[valid], order, sel(wa))
    rg = fit_poly2d(offsets.line[valid], offsets.pixel[valid], offsets.range[valid], order, sel(wr))
    return az, rg


def write_misreg_json(folder, az_poly: Poly2D, rg_poly: Poly2D, prefix="misreg"):
    """Write ``<folder>/<prefix>_az.json`` and ``<prefix>_rg.json``; returns both paths."""
    folder = os.fspath(folder)
    return (az_poly.to_json(os.path.join(folder, f"{prefix}_az.json")),
            rg_poly.to_json(os.path.join(folder, f"{prefix}_rg.json")))


def read_misreg_json(folder, prefix="misreg"):
    """Read the two polynomials written by :func:`write_misreg_json`."""
    folder = os.fspath(folder)
    return (Poly2D.from_json(os.path.join(folder, f"{prefix}_az.json")),
            Poly2D.from_json(os.path.join(folder, f"{prefix}_rg.json")))


def write_offset_rasters(folder, shape, az_poly=None, rg_poly=None, *, geometry_az=None,
                         geometry_rg=None, block_lines=256, names=("azimuth.off", "range.off")):
    """Write ``azimuth.off`` and ``range.off`` (float32 isce.io rasters) on a grid.

    value = geometry offset (if given) + polynomial (if given), at every
    reference ``(line, pixel)`` of ``shape = (lines, pixels)``, block by block.
    ``geometry_az``/``geometry_rg``: paths, isce.io rasters or 2-D arrays of
    ``shape`` (e.g. geo2rdr's ``azimuth.off``/``range.off`` [pixels]); NaN
    stays NaN. Rasters are read as copies through the file and written with
    ``write_rows`` (nothing stays mapped). Writing is atomic (isce.io). Returns
    the two paths. (insarApp's refined resampling adds the polynomials in memory
    instead, see :func:`isce.signal.resample.resample_slc`.)"""
    length, width = (int(shape[0]), int(shape[1]))
    folder = os.fspath(folder)
    geo = [_as_rows(g, shape) if g is not None else None for g in (geometry_az, geometry_rg)]
    polys = (az_poly, rg_poly)
    paths = [os.path.join(folder, n) for n in names]
    pixel = np.arange(width, dtype=np.float64)
    for path, poly, g in zip(paths, polys, geo):
        with isce.io.create(path, width, length, "FLOAT", image_type="offset") as out:
            for r0 in range(0, length, int(block_lines)):
                rows = slice(r0, min(r0 + int(block_lines), length))
                block = np.zeros((rows.stop - r0, width))
                if g is not None:
                    block += np.asarray(g(rows), dtype=np.float64)
                if poly is not None:
                    block += _poly_grid(poly, np.arange(r0, rows.stop, dtype=np.float64), pixel)
                out.write_rows(block.astype(np.float32), rows)
    return tuple(paths)


def _poly_grid(poly, lines, pixels):
    """``poly`` at every (line, pixel): :meth:`Poly2D.on_grid`, or any Poly2d-like called."""
    if hasattr(poly, "on_grid"):
        return poly.on_grid(lines, pixels)
    return poly(lines[:, None], pixels[None, :])


def _as_rows(source, shape):
    """A function ``rows -> lines`` of a path, isce.io raster or 2-D array of ``shape``."""
    if isinstance(source, (str, os.PathLike)):
        source = isce.io.open(source)
    raster = hasattr(source, "read_rows") and hasattr(source, "bands")
    got = (source.length, source.width) if raster else tuple(source.shape)
    if got != (int(shape[0]), int(shape[1])):
        raise ValueError(f"geometry offsets have shape {got}, expected {tuple(shape)}")
    if raster:
        return lambda rows: source.read_rows(rows, band=0 if source.bands > 1 else None)
    return lambda rows: source[rows]
