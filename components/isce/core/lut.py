"""Two-dimensional look-up tables (ISCE3 ``LUT2d``).

A :class:`LUT2d` holds ``data[i, j]`` sampled at ``y[i]`` (rows; azimuth, e.g.
zero-Doppler time [s since the reference epoch]) and ``x[j]`` (columns; range,
e.g. slant range [m]) and is evaluated as ``lut.eval(y, x)`` — azimuth first,
as ISCE3. Without data it is a constant (``ref_value``, 0 by default): ISCE3's
default-constructed LUT2d, i.e. the "zero Doppler" model.

Interpolation methods: ``'nearest'``, ``'bilinear'`` (exact on planes),
``'bicubic'`` and ``'biquintic'`` (interpolating tensor-product splines, via
SciPy, imported only when used).

Out-of-bounds evaluation: with ``bounds_error=True`` (default) any finite
coordinate outside ``[x_start, x_end] × [y_start, y_end]`` (by more than 1e-6
of a grid spacing) raises ``ValueError``; with ``False`` the coordinates are
clamped to the edges (ISCE3 semantics), i.e. edge values are extended. NaN
coordinates give NaN.
"""
from __future__ import annotations

import numpy as np

from ._serial import XmlMixin, list_to_text, normalise_keys, text_to_list

__all__ = ["LUT2d"]

_METHODS = {"nearest": "nearest", "bilinear": "bilinear", "linear": "bilinear",
            "bicubic": "bicubic", "cubic": "bicubic", "biquintic": "biquintic",
            "quintic": "biquintic"}
_SPLINE_ORDER = {"bicubic": 3, "biquintic": 5}
_BOUNDS_TOL = 1e-6  # in grid spacings


def _axis(values, name):
    v = np.array(values, dtype=np.float64).reshape(-1)
    if v.size < 2:
        raise ValueError(f"LUT2d {name} axis needs at least 2 coordinates, got {v.size}")
    d = np.diff(v)
    if not np.all(np.isfinite(v)) or not np.all(d > 0):
        raise ValueError(f"LUT2d {name} coordinates must be finite and strictly increasing")
    spacing = (v[-1] - v[0]) / (v.size - 1)
    regular = bool(np.all(np.abs(d - spacing) <= 1e-9 * abs(spacing) + 1e-12 * np.abs(v[1:]).max()))
    return v, spacing, regular


class LUT2d(XmlMixin):
    """2-D look-up table on a rectilinear (normally regular) grid.

    Parameters
    ----------
    x : array-like (width,), optional
        Column coordinates (range, e.g. slant range [m]), strictly increasing.
    y : array-like (length,), optional
        Row coordinates (azimuth, e.g. time [s since epoch]), strictly increasing.
    data : array-like (length, width), optional
        Table values (float or complex). Omit x, y and data for a constant LUT.
    method : str
        'nearest' | 'bilinear' | 'bicubic' | 'biquintic'.
    bounds_error : bool
        Raise on out-of-bounds coordinates (True) or clamp to the edges (False).
    ref_value : float
        Value of a LUT without data (default 0). With data: ``data[0, 0]``.
    """

    def __init__(self, x=None, y=None, data=None, method: str = "bilinear",
                 bounds_error: bool = True, ref_value: float = 0.0):
        key = str(method).strip().lower()
        if key not in _METHODS:
            raise ValueError(f"unknown LUT2d interpolation method {method!r}; "
                             "choose nearest, bilinear, bicubic or biquintic")
        self.method = _METHODS[key]
        self.bounds_error = bool(bounds_error)
        self._spline = None
        if x is None and y is None and data is None:
            self._x = self._y = self._data = None
            self._ref = ref_value
            return
        if x is None or y is None or data is None:
            raise ValueError("LUT2d needs all of x, y and data (or none of them for a constant)")
        self._x, self._dx, self._x_regular = _axis(x, "x")
        self._y, self._dy, self._y_regular = _axis(y, "y")
        arr = np.array(data)
        if not np.iscomplexobj(arr):
            arr = arr.astype(np.float64)
        if arr.shape != (self._y.size, self._x.size):
            raise ValueError(f"LUT2d data shape {arr.shape} does not match "
                             f"(len(y), len(x)) = ({self._y.size}, {self._x.size})")
        k = _SPLINE_ORDER.get(self.method, 1)
        if min(arr.shape) < k + 1:
            raise ValueError(f"LUT2d method {self.method!r} needs at least {k + 1} points per axis")
        self._data = arr
        self._data.setflags(write=False)
        self._ref = arr[0, 0]

    # ------------------------------------------------------------- builders
    @classmethod
    def from_start_spacing(cls, x_start, y_start, x_spacing, y_spacing, data,
                           method="bilinear", bounds_error=True) -> "LUT2d":
        """ISCE3's ``LUT2d(xstart, ystart, dx, dy, data)``: regular grid from starts and spacings."""
        data = np.asarray(data)
        x = x_start + x_spacing * np.arange(data.shape[1])
        y = y_start + y_spacing * np.arange(data.shape[0])
        return cls(x, y, data, method, bounds_error)

    @classmethod
    def constant(cls, value: float = 0.0) -> "LUT2d":
        """A LUT that evaluates to ``value`` everywhere (no bounds)."""
        return cls(ref_value=value)

    @classmethod
    def from_function(cls, x, y, func, method="bilinear", bounds_error=True) -> "LUT2d":
        """Sample ``func(y, x)`` (vectorised, azimuth first) on the grid ``x`` × ``y``."""
        yy, xx = np.meshgrid(np.asarray(y, float), np.asarray(x, float), indexing="ij")
        return cls(x, y, func(yy, xx), method, bounds_error)

    # ----------------------------------------------------------- properties
    @property
    def have_data(self) -> bool:
        """False for a constant LUT."""
        return self._data is not None

    @property
    def ref_value(self):
        """Constant value of a LUT without data; ``data[0, 0]`` otherwise."""
        return self._ref

    @property
    def data(self):
        """Read-only (length, width) array, or None."""
        return self._data

    @property
    def x(self):
        """Column (range) coordinates, or None."""
        return self._x

    @property
    def y(self):
        """Row (azimuth) coordinates, or None."""
        return self._y

    def _need_data(self, what):
        if self._data is None:
            raise AttributeError(f"a constant LUT2d has no {what}")

    @property
    def x_start(self) -> float:
        self._need_data("x_start")
        return float(self._x[0])

    @property
    def y_start(self) -> float:
        self._need_data("y_start")
        return float(self._y[0])

    @property
    def x_end(self) -> float:
        """Last column coordinate (inclusive)."""
        self._need_data("x_end")
        return float(self._x[-1])

    @property
    def y_end(self) -> float:
        """Last row coordinate (inclusive)."""
        self._need_data("y_end")
        return float(self._y[-1])

    @property
    def x_spacing(self) -> float:
        """Mean column spacing (exact for a regular grid)."""
        self._need_data("x_spacing")
        return float(self._dx)

    @property
    def y_spacing(self) -> float:
        """Mean row spacing (exact for a regular grid)."""
        self._need_data("y_spacing")
        return float(self._dy)

    @property
    def width(self) -> int:
        return 0 if self._data is None else self._data.shape[1]

    @property
    def length(self) -> int:
        return 0 if self._data is None else self._data.shape[0]

    def contains(self, y, x):
        """Boolean (broadcast) mask of coordinates inside the table's bounds (True if no data)."""
        y = np.asarray(y, dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        if self._data is None:
            return np.ones(np.broadcast(y, x).shape, dtype=bool)
        tx, ty = _BOUNDS_TOL * self._dx, _BOUNDS_TOL * self._dy
        return ((x >= self._x[0] - tx) & (x <= self._x[-1] + tx)
                & (y >= self._y[0] - ty) & (y <= self._y[-1] + ty))

    # ------------------------------------------------------------ evaluation
    def _frac_index(self, v, coords, spacing, regular):
        """Clamped fractional index along one axis (NaN stays NaN)."""
        n = coords.size
        if regular:
            f = (v - coords[0]) / spacing
        else:
            i0 = np.clip(np.searchsorted(coords, v, side="right") - 1, 0, n - 2)
            f = i0 + (v - coords[i0]) / (coords[i0 + 1] - coords[i0])
        return np.clip(f, 0.0, n - 1.0)

    def eval(self, y, x):
        """Interpolate at azimuth ``y`` and range ``x`` (broadcast; scalars -> scalar).

        Separable inputs (e.g. ``y[:, None]`` and ``x[None, :]``) are cheap: the
        index arithmetic runs on the 1-D coordinates, only the blend on the grid.
        """
        scalar = np.ndim(y) == 0 and np.ndim(x) == 0
        y = np.asarray(y, dtype=np.float64)
        x = np.asarray(x, dtype=np.float64)
        if self._data is None:
            out = np.full(np.broadcast(y, x).shape, self._ref)
            return out[()] if scalar else out
        if self.bounds_error:
            self._check_bounds(y, x)
        fx = self._frac_index(x, self._x, self._dx, self._x_regular)
        fy = self._frac_index(y, self._y, self._dy, self._y_regular)
        nan_x, nan_y = np.isnan(fx), np.isnan(fy)
        has_nan = bool(nan_x.any() or nan_y.any())
        if has_nan:
            fx = np.where(nan_x, 0.0, fx)
            fy = np.where(nan_y, 0.0, fy)
        if self.method == "nearest":
            out = self._data[np.rint(fy).astype(np.intp), np.rint(fx).astype(np.intp)]
        elif self.method == "bilinear":
            out = self._bilinear(fy, fx)
        else:
            fy_b, fx_b = np.broadcast_arrays(fy, fx)
            out = self._spline_eval(fy_b, fx_b)
        out = np.asarray(out)
        if out.shape != np.broadcast(y, x).shape:
            out = np.broadcast_to(out, np.broadcast(y, x).shape).copy()
        if has_nan:
            out = np.where(nan_y | nan_x, np.nan, out)
        return out[()] if scalar else out

    __call__ = eval

    def _check_bounds(self, y, x):
        tx, ty = _BOUNDS_TOL * self._dx, _BOUNDS_TOL * self._dy
        bad_x = (x < self._x[0] - tx) | (x > self._x[-1] + tx)  # NaN compares False
        bad_y = (y < self._y[0] - ty) | (y > self._y[-1] + ty)
        if not (bad_x.any() or bad_y.any()):
            return
        bad = np.broadcast_to(bad_x, np.broadcast(y, x).shape) | bad_y
        finite = np.isfinite(x) & np.isfinite(y)
        bad = bad & finite
        if np.any(bad):
            k = np.flatnonzero(bad)[0]
            yb, xb = np.broadcast_arrays(y, x)
            raise ValueError(
                f"out of bounds LUT2d evaluation at y={yb.flat[k]!r}, x={xb.flat[k]!r}; bounds are "
                f"y in [{self._y[0]!r}, {self._y[-1]!r}], x in [{self._x[0]!r}, {self._x[-1]!r}]")

    def _bilinear(self, fy, fx):
        d = self._data
        w = d.shape[1]
        i0 = np.minimum(np.floor(fy).astype(np.intp), d.shape[0] - 2)
        j0 = np.minimum(np.floor(fx).astype(np.intp), w - 2)
        ty = fy - i0
        tx = fx - j0
        if fy.ndim == 2 and fx.ndim == 2 and fy.shape[1] == 1 and fx.shape[0] == 1:
            # outer-product grid (rows of times × columns of ranges): interpolate
            # every LUT row in range first, then blend the two rows of each line
            jj, txx = j0[0], tx[0]
            rows = d[:, jj] + (d[:, jj + 1] - d[:, jj]) * txx           # (lut length, m)
            top = rows[i0[:, 0]]
            top += (rows[i0[:, 0] + 1] - top) * ty
            return top
        flat = d.ravel()
        k = i0 * w + j0
        top = flat.take(k)
        d01 = flat.take(k + 1)
        d01 -= top
        d01 *= tx
        top += d01
        bot = flat.take(k + w)
        d11 = flat.take(k + (w + 1))
        del k
        d11 -= bot
        d11 *= tx
        bot += d11
        bot -= top
        bot *= ty
        top += bot
        return top

    def _spline_eval(self, fy, fx):
        if self._spline is None:
            # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used
            from scipy.interpolate import RectBivariateSpline

            k = _SPLINE_ORDER[self.method]
            iy = np.arange(self._data.shape[0], dtype=np.float64)
            ix = np.arange(self._data.shape[1], dtype=np.float64)
            parts = [self._data.real] + ([self._data.imag] if np.iscomplexobj(self._data) else [])
            # splines are built on index coordinates, so regular and irregular grids alike
            self._spline = [RectBivariateSpline(iy, ix, p, kx=k, ky=k, s=0) for p in parts]
        vals = [s.ev(fy, fx) for s in self._spline]
        return vals[0] if len(vals) == 1 else vals[0] + 1j * vals[1]

    # ------------------------------------------------------- serialisation
    def __eq__(self, other):
        if not isinstance(other, LUT2d):
            return NotImplemented
        if (self.method, self.bounds_error, self.have_data) != (other.method, other.bounds_error, other.have_data):
            return False
        if not self.have_data:
            return self._ref == other._ref
        return (np.array_equal(self._x, other._x) and np.array_equal(self._y, other._y)
                and np.array_equal(self._data, other._data, equal_nan=True))

    def __repr__(self):
        if not self.have_data:
            return f"LUT2d(constant={self._ref!r})"
        return (f"LUT2d(length={self.length}, width={self.width}, y=[{self._y[0]!r}..{self._y[-1]!r}], "
                f"x=[{self._x[0]!r}..{self._x[-1]!r}], method={self.method!r}, "
                f"bounds_error={self.bounds_error})")

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_spline"] = None
        return state

    def to_dict(self) -> dict:
        """JSON-friendly dict; coordinates and data as (nested) lists, exact."""
        d = {"type": "LUT2d", "method": self.method, "bounds_error": self.bounds_error}
        if not self.have_data:
            ref = self._ref
            if isinstance(ref, complex):
                d["ref_value"] = [ref.real, ref.imag]
                d["complex"] = True
            else:
                d["ref_value"] = float(ref)
            return d
        d["x"] = self._x.tolist()
        d["y"] = self._y.tolist()
        if np.iscomplexobj(self._data):
            d["data"] = self._data.real.tolist()
            d["data_imag"] = self._data.imag.tolist()
        else:
            d["data"] = self._data.tolist()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "LUT2d":
        """Inverse of :meth:`to_dict`."""
        method = d.get("method", "bilinear")
        bounds_error = bool(d.get("bounds_error", True))
        if d.get("data") is None:
            ref = d.get("ref_value", 0.0)
            if d.get("complex"):
                ref = complex(ref[0], ref[1])
            return cls(method=method, bounds_error=bounds_error, ref_value=ref)
        data = np.asarray(d["data"], dtype=np.float64)
        if d.get("data_imag") is not None:
            data = data + 1j * np.asarray(d["data_imag"], dtype=np.float64)
        return cls(d["x"], d["y"], data, method, bounds_error)

    def to_xml_dict(self) -> dict:
        """Flat ``{public name: text}`` dict for ISCE-style XML (arrays as JSON text)."""
        return {k.replace("_", " "): (list_to_text(v) if isinstance(v, (list, dict)) else
                                      str(v) if not isinstance(v, float) else repr(v))
                for k, v in self.to_dict().items()}

    @classmethod
    def from_xml_dict(cls, d: dict) -> "LUT2d":
        """Inverse of :meth:`to_xml_dict`."""
        n = normalise_keys(d)
        out = {"method": n.get("method", "bilinear"),
               "bounds_error": str(n.get("boundserror", "True")).strip().lower() in ("true", "1", "yes")}
        for key, name in (("x", "x"), ("y", "y"), ("data", "data"), ("dataimag", "data_imag")):
            if key in n:
                out[name] = text_to_list(n[key])
        if "refvalue" in n:
            out["ref_value"] = text_to_list(n["refvalue"])
        if "complex" in n:
            out["complex"] = str(n["complex"]).strip().lower() == "true"
        return cls.from_dict(out)
