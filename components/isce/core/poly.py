"""ISCE-style normalised polynomials in one and two variables.

``Poly1d``: ``f(x) = Σ_i c[i] · ((x - mean) / norm)^i``

``Poly2d``: ``f(y, x) = Σ_i Σ_j c[i][j] · ((y - y_mean) / y_norm)^i · ((x - x_mean) / x_norm)^j``

As in ISCE2 (``Poly2D``) and ISCE3 (``Poly2d``), the first coefficient index is
the azimuth (y) power and the second the range (x) power, and evaluation is
``eval(y, x)`` — azimuth first. Units are those of the caller (e.g. Doppler
[Hz] over slant range [m] and azimuth time [s], or over pixel indices).
All evaluations are vectorised with NumPy broadcasting.
"""
from __future__ import annotations

import numpy as np

from ._serial import XmlMixin, list_to_text, normalise_keys, require, text_to_list

__all__ = ["Poly1d", "Poly2d"]


def _scalar_or_array(out, *inputs):
    return float(out) if all(np.ndim(v) == 0 for v in inputs) else out


class Poly1d(XmlMixin):
    """Polynomial in one variable with ISCE mean/norm normalisation.

    Parameters
    ----------
    coeffs : sequence of float
        ``c[0] … c[order]`` (constant term first).
    mean, norm : float
        The variable is ``(x - mean) / norm``; ``norm`` must be non-zero.
    """

    def __init__(self, coeffs, mean: float = 0.0, norm: float = 1.0):
        c = np.array(coeffs, dtype=np.float64).reshape(-1)
        if c.size == 0:
            raise ValueError("Poly1d needs at least one coefficient")
        if norm == 0:
            raise ValueError("Poly1d norm must be non-zero")
        self.coeffs = c
        self.mean = float(mean)
        self.norm = float(norm)

    @property
    def order(self) -> int:
        """Polynomial order (number of coefficients - 1)."""
        return self.coeffs.size - 1

    def eval(self, x):
        """Evaluate at ``x`` (scalar -> float, array -> array)."""
        u = (np.asarray(x, dtype=np.float64) - self.mean) / self.norm
        out = np.zeros_like(u) + self.coeffs[-1]
        for c in self.coeffs[-2::-1]:
            out = out * u + c
        return _scalar_or_array(out, x)

    __call__ = eval

    def derivative(self) -> "Poly1d":
        """d/dx as a Poly1d with the same mean and norm."""
        if self.order == 0:
            return Poly1d([0.0], self.mean, self.norm)
        k = np.arange(1, self.coeffs.size)
        return Poly1d(self.coeffs[1:] * k / self.norm, self.mean, self.norm)

    @classmethod
    def fit(cls, x, f, order: int, mean=None, norm=None, weights=None) -> "Poly1d":
        """Least-squares fit of ``f(x)`` of the given order.

        ``mean``/``norm`` default to the mean and half-range of ``x``.
        """
        x = np.asarray(x, dtype=np.float64).ravel()
        f = np.asarray(f, dtype=np.float64).ravel()
        mean = float(np.mean(x)) if mean is None else float(mean)
        if norm is None:
            half = 0.5 * float(np.ptp(x))
            norm = half if half > 0 else 1.0
        u = (x - mean) / norm
        a = np.vander(u, order + 1, increasing=True)
        if weights is not None:
            w = np.sqrt(np.asarray(weights, dtype=np.float64).ravel())
            a, f = a * w[:, None], f * w
        c, *_ = np.linalg.lstsq(a, f, rcond=None)
        return cls(c, mean, norm)

    def __eq__(self, other):
        if not isinstance(other, Poly1d):
            return NotImplemented
        return (self.mean == other.mean and self.norm == other.norm
                and np.array_equal(self.coeffs, other.coeffs))

    def __repr__(self):
        return f"Poly1d(coeffs={self.coeffs.tolist()!r}, mean={self.mean!r}, norm={self.norm!r})"

    # serialisation
    def to_dict(self) -> dict:
        """JSON-friendly dict ``{"type": "Poly1d", "coeffs", "mean", "norm"}``."""
        return {"type": "Poly1d", "coeffs": self.coeffs.tolist(), "mean": self.mean, "norm": self.norm}

    @classmethod
    def from_dict(cls, d: dict) -> "Poly1d":
        """Inverse of :meth:`to_dict`."""
        return cls(d["coeffs"], d.get("mean", 0.0), d.get("norm", 1.0))

    def to_xml_dict(self) -> dict:
        """Flat ``{public name: text}`` dict for ISCE-style XML."""
        return {"order": str(self.order), "mean": repr(self.mean), "norm": repr(self.norm),
                "coefficients": list_to_text(self.coeffs.tolist())}

    @classmethod
    def from_xml_dict(cls, d: dict) -> "Poly1d":
        """Inverse of :meth:`to_xml_dict`."""
        d = normalise_keys(d)
        return cls(text_to_list(require(d, "coefficients", "Poly1d")),
                   float(d.get("mean", 0.0)), float(d.get("norm", 1.0)))


class Poly2d(XmlMixin):
    """Polynomial in azimuth (y) and range (x) with ISCE mean/norm normalisation.

    Parameters
    ----------
    coeffs : 2-D array-like, shape (azimuth_order + 1, range_order + 1)
        ``coeffs[i][j]`` multiplies ``Y^i X^j``.
    x_mean, x_norm : float
        Range normalisation, ``X = (x - x_mean) / x_norm``.
    y_mean, y_norm : float
        Azimuth normalisation, ``Y = (y - y_mean) / y_norm``.
    """

    def __init__(self, coeffs, x_mean: float = 0.0, y_mean: float = 0.0,
                 x_norm: float = 1.0, y_norm: float = 1.0):
        c = np.array(coeffs, dtype=np.float64)
        if c.ndim == 1:
            c = c[None, :]
        if c.ndim != 2 or c.size == 0:
            raise ValueError(f"Poly2d coefficients must be a non-empty 2-D array, got shape {c.shape}")
        if x_norm == 0 or y_norm == 0:
            raise ValueError("Poly2d norms must be non-zero")
        self.coeffs = c
        self.x_mean, self.y_mean = float(x_mean), float(y_mean)
        self.x_norm, self.y_norm = float(x_norm), float(y_norm)

    @property
    def azimuth_order(self) -> int:
        """Order in y (azimuth)."""
        return self.coeffs.shape[0] - 1

    @property
    def range_order(self) -> int:
        """Order in x (range)."""
        return self.coeffs.shape[1] - 1

    def eval(self, y, x):
        """Evaluate at azimuth ``y`` and range ``x`` (broadcast; scalars -> float)."""
        yy = (np.asarray(y, dtype=np.float64) - self.y_mean) / self.y_norm
        xx = (np.asarray(x, dtype=np.float64) - self.x_mean) / self.x_norm
        yy, xx = np.broadcast_arrays(yy, xx)
        out = np.zeros(yy.shape)
        for row in self.coeffs[::-1]:
            inner = np.zeros(xx.shape) + row[-1]
            for c in row[-2::-1]:
                inner = inner * xx + c
            out = out * yy + inner
        return _scalar_or_array(out, y, x)

    __call__ = eval

    @classmethod
    def from_poly1d(cls, poly: Poly1d, axis: str = "x") -> "Poly2d":
        """Poly2d equal to ``poly`` along ``axis`` ('x' = range, 'y' = azimuth), constant in the other."""
        if axis == "x":
            return cls(poly.coeffs[None, :], x_mean=poly.mean, x_norm=poly.norm)
        if axis == "y":
            return cls(poly.coeffs[:, None], y_mean=poly.mean, y_norm=poly.norm)
        raise ValueError("axis must be 'x' or 'y'")

    @classmethod
    def fit(cls, y, x, f, azimuth_order: int, range_order: int, weights=None,
            x_mean=None, y_mean=None, x_norm=None, y_norm=None) -> "Poly2d":
        """Least-squares fit of ``f(y, x)``; normalisation defaults to mean / half-range."""
        y = np.asarray(y, dtype=np.float64).ravel()
        x = np.asarray(x, dtype=np.float64).ravel()
        f = np.asarray(f, dtype=np.float64).ravel()

        def _norm(v, m, n):
            m = float(np.mean(v)) if m is None else float(m)
            if n is None:
                half = 0.5 * float(np.ptp(v))
                n = half if half > 0 else 1.0
            return m, float(n)

        x_mean, x_norm = _norm(x, x_mean, x_norm)
        y_mean, y_norm = _norm(y, y_mean, y_norm)
        yy = (y - y_mean) / y_norm
        xx = (x - x_mean) / x_norm
        vy = np.vander(yy, azimuth_order + 1, increasing=True)
        vx = np.vander(xx, range_order + 1, increasing=True)
        a = (vy[:, :, None] * vx[:, None, :]).reshape(y.size, -1)
        if weights is not None:
            w = np.sqrt(np.asarray(weights, dtype=np.float64).ravel())
            a, f = a * w[:, None], f * w
        c, *_ = np.linalg.lstsq(a, f, rcond=None)
        return cls(c.reshape(azimuth_order + 1, range_order + 1), x_mean, y_mean, x_norm, y_norm)

    def __eq__(self, other):
        if not isinstance(other, Poly2d):
            return NotImplemented
        return ((self.x_mean, self.y_mean, self.x_norm, self.y_norm)
                == (other.x_mean, other.y_mean, other.x_norm, other.y_norm)
                and np.array_equal(self.coeffs, other.coeffs))

    def __repr__(self):
        return (f"Poly2d(coeffs={self.coeffs.tolist()!r}, x_mean={self.x_mean!r}, "
                f"y_mean={self.y_mean!r}, x_norm={self.x_norm!r}, y_norm={self.y_norm!r})")

    # serialisation
    def to_dict(self) -> dict:
        """JSON-friendly dict ``{"type": "Poly2d", "coeffs", "x_mean", "y_mean", "x_norm", "y_norm"}``."""
        return {"type": "Poly2d", "coeffs": self.coeffs.tolist(), "x_mean": self.x_mean,
                "y_mean": self.y_mean, "x_norm": self.x_norm, "y_norm": self.y_norm}

    @classmethod
    def from_dict(cls, d: dict) -> "Poly2d":
        """Inverse of :meth:`to_dict`."""
        return cls(d["coeffs"], d.get("x_mean", 0.0), d.get("y_mean", 0.0),
                   d.get("x_norm", 1.0), d.get("y_norm", 1.0))

    def to_xml_dict(self) -> dict:
        """Flat ``{public name: text}`` dict for ISCE-style XML."""
        return {"azimuth order": str(self.azimuth_order), "range order": str(self.range_order),
                "range mean": repr(self.x_mean), "azimuth mean": repr(self.y_mean),
                "range norm": repr(self.x_norm), "azimuth norm": repr(self.y_norm),
                "coefficients": list_to_text(self.coeffs.tolist())}

    @classmethod
    def from_xml_dict(cls, d: dict) -> "Poly2d":
        """Inverse of :meth:`to_xml_dict`."""
        d = normalise_keys(d)
        return cls(text_to_list(require(d, "coefficients", "Poly2d")),
                   float(d.get("rangemean", 0.0)), float(d.get("azimuthmean", 0.0)),
                   float(d.get("rangenorm", 1.0)), float(d.get("azimuthnorm", 1.0)))
