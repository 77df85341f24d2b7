"""Radar (zero-Doppler) grid description, as ISCE3's ``RadarGridParameters``.

Line ``i`` (row, azimuth) is at time ``sensing_start + i / prf`` [s since
``reference_epoch``]; sample ``j`` (column, range) at slant range
``starting_range + j * range_pixel_spacing`` [m]. Both refer to pixel
*centres*; indices may be fractional and every method is vectorised.

Look side: ``'left'`` or ``'right'``; the integer convention (ISCE3's
``LookSide``) is left = +1, right = -1 (:class:`LookSide`, ``look_side_sign``).
"""
from __future__ import annotations

import enum
import math
import numbers

import numpy as np

from ._serial import XmlMixin, normalise_keys, require
from .constants import SPEED_OF_LIGHT
from .time import DateTime

__all__ = ["LookSide", "RadarGrid"]


class LookSide(enum.IntEnum):
    """Radar look direction; the integer value is ISCE3's (Left = +1, Right = -1)."""

    Left = 1
    Right = -1

    @classmethod
    def parse(cls, value) -> "LookSide":
        """From 'left'/'Right'/b'right' (any case, surrounding blanks ignored), ±1 or a LookSide."""
        if isinstance(value, LookSide):
            return value
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        if isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode("utf-8")
        if isinstance(value, str):
            key = value.strip().strip("\x00").lower()
            if key in ("left", "l"):
                return cls.Left
            if key in ("right", "r"):
                return cls.Right
            try:
                value = int(key)
            except ValueError:
                raise ValueError(f"look side must be 'left' or 'right', got {value!r}") from None
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) in (1, -1):
            return cls(int(value))
        raise ValueError(f"look side must be 'left' (+1) or 'right' (-1), got {value!r}")

    def __str__(self):
        return self.name.lower()


def _positive(name, value):
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"RadarGrid {name} must be positive and finite, got {value!r}")
    return v


def _count(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValueError(f"RadarGrid {name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise ValueError(f"RadarGrid {name} must be a non-negative integer, got {value!r}")
    return int(value)


def _scalar(out, *inputs):
    return float(out) if all(np.ndim(v) == 0 for v in inputs) else out


class RadarGrid(XmlMixin):
    """A regular radar grid in zero-Doppler azimuth time × slant range.

    Parameters
    ----------
    sensing_start : float
        Azimuth time of line 0 [s since ``reference_epoch``].
    reference_epoch : DateTime or str
        Epoch of all azimuth times of the product.
    prf : float, optional
        Line rate [Hz] (1 / azimuth time interval). Give exactly one of ``prf``
        and ``az_time_interval``.
    starting_range : float
        Slant range of sample 0 [m].
    range_pixel_spacing : float
        Slant-range sample spacing [m].
    length, width : int
        Number of lines (azimuth) and samples (range).
    wavelength : float
        Radar wavelength [m].
    look_side : str or int
        'left' / 'right' (or +1 / -1).
    az_time_interval : float, optional (keyword)
        Line spacing [s]; alternative to ``prf``.
    """

    __slots__ = ("_t0", "_epoch", "_prf", "_r0", "_dr", "_length", "_width", "_wvl", "_side")
    _xml_name = "radargrid"

    def __init__(self, sensing_start, reference_epoch, prf=None, starting_range=None,
                 range_pixel_spacing=None, length=None, width=None, wavelength=None,
                 look_side=None, *, az_time_interval=None):
        if (prf is None) == (az_time_interval is None):
            raise ValueError("RadarGrid needs exactly one of prf and az_time_interval")
        missing = [n for n, v in (("starting_range", starting_range),
                                  ("range_pixel_spacing", range_pixel_spacing),
                                  ("length", length), ("width", width),
                                  ("wavelength", wavelength), ("look_side", look_side)) if v is None]
        if missing:
            raise TypeError(f"RadarGrid missing required argument(s): {', '.join(missing)}")
        t0 = float(sensing_start)
        if not math.isfinite(t0):
            raise ValueError(f"RadarGrid sensing_start must be finite, got {sensing_start!r}")
        r0 = float(starting_range)
        if not math.isfinite(r0):
            raise ValueError(f"RadarGrid starting_range must be finite, got {starting_range!r}")
        self._t0 = t0
        self._epoch = reference_epoch if isinstance(reference_epoch, DateTime) else DateTime(reference_epoch)
        self._prf = (_positive("prf", prf) if prf is not None
                     else 1.0 / _positive("az_time_interval", az_time_interval))
        self._r0 = r0
        self._dr = _positive("range_pixel_spacing", range_pixel_spacing)
        self._length = _count("length", length)
        self._width = _count("width", width)
        self._wvl = _positive("wavelength", wavelength)
        self._side = LookSide.parse(look_side)

    # ------------------------------------------------------------ properties
    @property
    def sensing_start(self) -> float:
        """Time of line 0 [s since reference_epoch]."""
        return self._t0

    @property
    def reference_epoch(self) -> DateTime:
        """Epoch of the azimuth times."""
        return self._epoch

    @property
    def prf(self) -> float:
        """Line rate [Hz]."""
        return self._prf

    @property
    def az_time_interval(self) -> float:
        """Line spacing 1/prf [s]."""
        return 1.0 / self._prf

    @property
    def starting_range(self) -> float:
        """Slant range of sample 0 [m]."""
        return self._r0

    @property
    def range_pixel_spacing(self) -> float:
        """Slant-range sample spacing [m]."""
        return self._dr

    @property
    def length(self) -> int:
        """Number of lines."""
        return self._length

    @property
    def width(self) -> int:
        """Number of samples per line."""
        return self._width

    @property
    def shape(self) -> tuple:
        """``(length, width)``."""
        return (self._length, self._width)

    @property
    def size(self) -> int:
        return self._length * self._width

    @property
    def wavelength(self) -> float:
        """Radar wavelength [m]."""
        return self._wvl

    @property
    def center_frequency(self) -> float:
        """Radar centre frequency c / wavelength [Hz]."""
        return SPEED_OF_LIGHT / self._wvl

    @property
    def look_side(self) -> str:
        """'left' or 'right'."""
        return str(self._side)

    @property
    def lookside(self) -> LookSide:
        """Look side as the ISCE3 enum (int value: left +1, right -1)."""
        return self._side

    @property
    def look_side_sign(self) -> int:
        """+1 for left-looking, -1 for right-looking (ISCE3 convention)."""
        return int(self._side)

    # ------------------------------------------------------------ azimuth
    def sensing_time(self, line):
        """Azimuth time of (fractional) line(s) [s since reference_epoch]."""
        return _scalar(self._t0 + np.asarray(line, dtype=np.float64) / self._prf, line)

    def azimuth_index(self, az_time):
        """Fractional line index of azimuth time(s) [s since reference_epoch]."""
        return _scalar((np.asarray(az_time, dtype=np.float64) - self._t0) * self._prf, az_time)

    @property
    def sensing_stop(self) -> float:
        """Time of the last line, sensing_time(length - 1) [s]."""
        return self.sensing_time(self._length - 1.0)

    @property
    def sensing_mid(self) -> float:
        """Mean of sensing_start and sensing_stop [s]."""
        return 0.5 * (self._t0 + self.sensing_stop)

    @property
    def sensing_end(self) -> float:
        """End of the last line's interval, sensing_time(length) [s]."""
        return self.sensing_time(float(self._length))

    def sensing_datetime(self, line=0.0) -> DateTime:
        """Absolute time of a (fractional) line, reference_epoch + sensing_time(line)."""
        return self._epoch + self.sensing_time(float(line))

    @property
    def sensing_start_datetime(self) -> DateTime:
        return self.sensing_datetime(0.0)

    @property
    def sensing_stop_datetime(self) -> DateTime:
        return self.sensing_datetime(self._length - 1.0)

    @property
    def sensing_mid_datetime(self) -> DateTime:
        return self.sensing_datetime(0.5 * (self._length - 1.0))

    def sensing_times(self):
        """Azimuth times of all lines, shape (length,) [s]."""
        return self._t0 + np.arange(self._length, dtype=np.float64) / self._prf

    # -------------------------------------------------------------- range
    def slant_range(self, sample):
        """Slant range of (fractional) sample(s) [m]."""
        return _scalar(self._r0 + np.asarray(sample, dtype=np.float64) * self._dr, sample)

    def slant_range_index(self, slant_range):
        """Fractional sample index of slant range(s) [m]."""
        return _scalar((np.asarray(slant_range, dtype=np.float64) - self._r0) / self._dr, slant_range)

    @property
    def end_range(self) -> float:
        """Slant range of the last sample, slant_range(width - 1) [m]."""
        return self.slant_range(self._width - 1.0)

    ending_range = end_range

    @property
    def mid_range(self) -> float:
        """Mean of starting and ending range [m]."""
        return 0.5 * (self._r0 + self.end_range)

    def slant_ranges(self):
        """Slant ranges of all samples, shape (width,) [m]."""
        return self._r0 + np.arange(self._width, dtype=np.float64) * self._dr

    def contains(self, az_time, slant_range):
        """Whether (time [s], range [m]) lies within [start, stop] × [start, end] (vectorised)."""
        t = np.asarray(az_time, dtype=np.float64)
        r = np.asarray(slant_range, dtype=np.float64)
        inside = ((t >= self._t0) & (t <= self.sensing_stop)
                  & (r >= self._r0) & (r <= self.end_range))
        return bool(inside) if np.ndim(inside) == 0 else inside

    # ------------------------------------------------------- derived grids
    def replace(self, **changes) -> "RadarGrid":
        """Copy with some parameters changed (same names as the constructor)."""
        kw = dict(sensing_start=self._t0, reference_epoch=self._epoch,
                  starting_range=self._r0, range_pixel_spacing=self._dr, length=self._length,
                  width=self._width, wavelength=self._wvl, look_side=self._side)
        if "az_time_interval" not in changes:
            kw["prf"] = self._prf
        unknown = set(changes) - set(kw) - {"prf", "az_time_interval"}
        if unknown:
            raise TypeError(f"RadarGrid.replace: unknown parameter(s) {sorted(unknown)}")
        kw.update(changes)
        return RadarGrid(**kw)

    def multilook(self, az_looks: int, rg_looks: int) -> "RadarGrid":
        """Grid of the image after ``az_looks`` × ``rg_looks`` averaging (ISCE2/ISCE3 convention).

        Output pixel k averages input pixels k·looks … k·looks + looks - 1, so its
        centre is at input index k·looks + (looks - 1)/2: start time and start
        range move by (looks - 1)/2 input spacings, spacings multiply by the
        looks, sizes are floor(size / looks).
        """
        az_looks, rg_looks = _count("az_looks", az_looks), _count("rg_looks", rg_looks)
        if az_looks < 1 or rg_looks < 1:
            raise ValueError(f"number of looks must be positive, got {az_looks} x {rg_looks}")
        return self.replace(
            sensing_start=self.sensing_time(0.5 * (az_looks - 1)),
            prf=self._prf / az_looks,
            starting_range=self.slant_range(0.5 * (rg_looks - 1)),
            range_pixel_spacing=self._dr * rg_looks,
            length=self._length // az_looks,
            width=self._width // rg_looks)

    def subsample(self, first_line, first_pixel, line_step, pixel_step, length: int,
                  width: int) -> "RadarGrid":
        """Grid of samples taken every ``line_step`` lines and ``pixel_step`` pixels from
        (``first_line``, ``first_pixel``) (may be fractional: e.g. the centres of ampcor's
        dense windows), ``length`` x ``width`` of them."""
        for name, step in (("line_step", line_step), ("pixel_step", pixel_step)):
            if not float(step) > 0:
                raise ValueError(f"{name} must be positive, got {step}")
        return self.replace(sensing_start=self.sensing_time(float(first_line)),
                            prf=self._prf / float(line_step),
                            starting_range=self.slant_range(float(first_pixel)),
                            range_pixel_spacing=self._dr * float(pixel_step),
                            length=length, width=width)

    def upsample(self, az_factor: int, rg_factor: int) -> "RadarGrid":
        """Grid sampled ``az_factor`` × ``rg_factor`` more finely; start time and range unchanged."""
        az_factor, rg_factor = _count("az_factor", az_factor), _count("rg_factor", rg_factor)
        if az_factor < 1 or rg_factor < 1:
            raise ValueError("upsampling factors must be positive")
        return self.replace(prf=self._prf * az_factor, range_pixel_spacing=self._dr / rg_factor,
                            length=self._length * az_factor, width=self._width * rg_factor)

    def offset_and_resize(self, y_off, x_off, y_size: int, x_size: int) -> "RadarGrid":
        """Crop or extend: new line 0 = old line ``y_off``, new sample 0 = old sample ``x_off``
        (may be fractional or negative), new size ``y_size`` × ``x_size``; spacings kept."""
        return self.replace(sensing_start=self.sensing_time(float(y_off)),
                            starting_range=self.slant_range(float(x_off)),
                            length=y_size, width=x_size)

    def resize_keep_start_stop(self, y_size: int, x_size: int) -> "RadarGrid":
        """Same first and last pixel positions, new sizes (spacings adapt). Sizes must be > 1."""
        y_size, x_size = _count("y_size", y_size), _count("x_size", x_size)
        if y_size <= 1 or x_size <= 1:
            raise ValueError(f"sizes must be greater than 1, got {y_size} x {x_size}")
        prf = self._prf * (y_size - 1.0) / (self._length - 1.0) if self._length > 1 else self._prf
        dr = self._dr * (self._width - 1.0) / (x_size - 1.0)
        return self.replace(prf=prf, range_pixel_spacing=dr, length=y_size, width=x_size)

    def add_margin(self, y_margin: int, x_margin: int, side: str = "both") -> "RadarGrid":
        """Extend by margins at the 'start', the 'stop' or 'both' ends (ISCE3 addMargin)."""
        y_margin, x_margin = _count("y_margin", y_margin), _count("x_margin", x_margin)
        if side == "start":
            return self.offset_and_resize(-y_margin, -x_margin, self._length + y_margin, self._width + x_margin)
        if side == "stop":
            return self.offset_and_resize(0, 0, self._length + y_margin, self._width + x_margin)
        if side == "both":
            return self.offset_and_resize(-y_margin, -x_margin, self._length + 2 * y_margin,
                                          self._width + 2 * x_margin)
        raise ValueError(f"side must be 'start', 'stop' or 'both', got {side!r}")

    def with_reference_epoch(self, epoch) -> "RadarGrid":
        """Same grid with times re-referenced to ``epoch`` (sensing_start shifted exactly)."""
        ep = epoch if isinstance(epoch, DateTime) else DateTime(epoch)
        shift = (self._epoch - ep).total_seconds()
        return self.replace(sensing_start=self._t0 + shift, reference_epoch=ep)

    # ------------------------------------------------------ comparison/repr
    def _key(self):
        return (self._t0, self._epoch, self._prf, self._r0, self._dr, self._length,
                self._width, self._wvl, self._side)

    def __eq__(self, other):
        return self._key() == other._key() if isinstance(other, RadarGrid) else NotImplemented

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return (f"RadarGrid(sensing_start={self._t0!r}, reference_epoch='{self._epoch}', "
                f"prf={self._prf!r}, starting_range={self._r0!r}, "
                f"range_pixel_spacing={self._dr!r}, length={self._length}, width={self._width}, "
                f"wavelength={self._wvl!r}, look_side='{self.look_side}')")

    def __reduce__(self):
        return (_rebuild, (self.to_dict(),))

    # ------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        """JSON-friendly dict (times in s since ``reference_epoch``, an ISO string)."""
        return {"type": "RadarGrid", "sensing_start": self._t0,
                "reference_epoch": self._epoch.isoformat(), "prf": self._prf,
                "starting_range": self._r0, "range_pixel_spacing": self._dr,
                "length": self._length, "width": self._width, "wavelength": self._wvl,
                "look_side": self.look_side}

    @classmethod
    def from_dict(cls, d: dict) -> "RadarGrid":
        """Inverse of :meth:`to_dict` (``az_time_interval`` accepted instead of ``prf``)."""
        if d.get("type", "RadarGrid") != "RadarGrid":
            raise ValueError(f"not a RadarGrid dict: type {d.get('type')!r}")
        kw = {}
        if "prf" in d:
            kw["prf"] = d["prf"]
        else:
            kw["az_time_interval"] = d["az_time_interval"]
        return cls(d["sensing_start"], d["reference_epoch"], starting_range=d["starting_range"],
                   range_pixel_spacing=d["range_pixel_spacing"], length=d["length"],
                   width=d["width"], wavelength=d["wavelength"], look_side=d["look_side"], **kw)

    def to_xml_dict(self) -> dict:
        """Flat ``{public name: text}`` dict for ISCE-style XML; floats as exact ``repr``."""
        return {"sensing start": repr(self._t0), "reference epoch": self._epoch.isoformat(),
                "prf": repr(self._prf), "starting range": repr(self._r0),
                "range pixel spacing": repr(self._dr), "number of lines": str(self._length),
                "number of samples": str(self._width), "wavelength": repr(self._wvl),
                "look side": self.look_side}

    @classmethod
    def from_xml_dict(cls, d: dict) -> "RadarGrid":
        """Inverse of :meth:`to_xml_dict`; names compare case/space/underscore-insensitively."""
        n = normalise_keys(d)
        w = "RadarGrid"
        kw = {}
        if "prf" in n:
            kw["prf"] = float(n["prf"])
        else:
            kw["az_time_interval"] = float(require(n, "az time interval", w))
        return cls(float(require(n, "sensing start", w)), require(n, "reference epoch", w),
                   starting_range=float(require(n, "starting range", w)),
                   range_pixel_spacing=float(require(n, "range pixel spacing", w)),
                   length=int(require(n, "number of lines", w)),
                   width=int(require(n, "number of samples", w)),
                   wavelength=float(require(n, "wavelength", w)),
                   look_side=require(n, "look side", w), **kw)


def _rebuild(d):
    return RadarGrid.from_dict(d)
