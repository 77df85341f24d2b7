"""Orbit state vectors and their interpolation.

An :class:`Orbit` holds ``n`` state vectors: times ``time`` [s] relative to
``reference_epoch`` (a ``numpy.datetime64[ns]``), ECEF ``position`` [m] and
``velocity`` [m/s]. :meth:`Orbit.interpolate` evaluates position and velocity
at any times inside the span of the vectors with the compiled kernel
``isce.ext._core.interpolate_orbit`` (C++ in ``library/core/orbit.hpp``):

* ``"hermite"`` (default) -- ISCE's ``orbitHermite``: the degree-7 polynomial
  matching positions *and* velocities at the 4 vectors around the query time;
  velocity is its derivative. Needs at least 4 vectors.
* ``"legendre"`` -- ISCE's Legendre scheme: a degree-8 Lagrange polynomial
  through the 9 vectors around the query time, applied to positions and to
  velocities independently. Needs at least 9 vectors.

An orbit carries the method suited to its state vectors (``interp_method``, set by the
reader that knows whether its velocities can be trusted); :meth:`Orbit.interpolate` and the
geometry kernels use it unless told otherwise. :func:`choose_method` applies the applications'
``orbit interpolation`` setting: ``auto`` keeps the reader's method unless
:func:`velocity_consistency` finds the velocities further than :data:`VELOCITY_TOLERANCE` from
the derivative of the positions (then Legendre, which does not interpolate the positions with
the velocities).

Query times more than ``extrapolation_margin`` seconds (default 0.1 s)
before the first or after the last vector are refused with a ``ValueError``.

Example::

    orbit = Orbit(t, xyz, vxyz, reference_epoch="2020-01-01T12:00:00")
    pos, vel = orbit.interpolate([10.0, 10.5])            # seconds since epoch
    pos, vel = orbit.interpolate(np.datetime64("2020-01-01T12:00:10.25"))
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace

import numpy as np

from isce.ext import load

from .threads import kernel_threads

__all__ = ["Orbit", "METHODS", "DEFAULT_EXTRAPOLATION_MARGIN", "VELOCITY_TOLERANCE",
           "velocity_consistency", "choose_method", "method_from_text"]

#: interpolation method -> minimum number of state vectors
METHODS = {"hermite": 4, "legendre": 9}
#: the ``orbit interpolation`` setting's choices: a method, or ``auto`` (see choose_method)
SETTINGS = ("auto", *METHODS)
#: m/s: annotated velocities further than this from the positions' derivative make ``auto``
#: interpolate the positions alone (Legendre). Hermite trusts the velocities: an error dv moves
#: the zero-Doppler plane by R*dv/|v| (850 km * 1 mm/s / 7.6 km/s = 0.11 m at the slant range of
#: a LEO SAR) and the interpolated position by about dv * spacing / 4 (2.5 mm for 10-s vectors).
#: 1 mm/s keeps both below the 5-cm geolocation budget with margin for other errors; the
#: Sentinel-1B 2021 annotation's 1-2 cm/s put rdr2geo 0.23 m off with Hermite. The measure
#: itself (a degree-8 fit of 10-s or 60-s spaced positions) is good to ~0.1 mm/s.
VELOCITY_TOLERANCE = 1e-3
DEFAULT_EXTRAPOLATION_MARGIN = 0.1  # seconds

_kernel = None


def _core():
    global _kernel
    if _kernel is None:
        _kernel = load("_core")
    return _kernel


def _method_key(method) -> str:
    """A known interpolation method's key (ValueError naming the choices otherwise)."""
    key = str(method).strip().lower()
    if key not in METHODS:
        raise ValueError(f"unknown orbit interpolation method {method!r}; "
                         f"choose one of {sorted(METHODS)}")
    return key


def method_from_text(text) -> str | None:
    """The method an orbit file names (``"Hermite"``, ``"Legendre"``, any case), else None
    (empty or another scheme, e.g. ISCE2's ``SCH``: the reader keeps its default)."""
    key = str(text or "").strip().lower()
    return key if key in METHODS else None


def _require_vectors(orbit, key: str) -> None:
    """ValueError when ``orbit`` has fewer state vectors than method ``key`` needs."""
    if len(orbit) < METHODS[key]:
        raise ValueError(f"{key} interpolation needs at least {METHODS[key]} state vectors, "
                         f"the orbit has {len(orbit)}")


def _as_epoch(value) -> np.datetime64:
    """numpy.datetime64[ns] from datetime64, datetime, ISO text or DateTime-like."""
    if hasattr(value, "to_datetime64") and not isinstance(value, np.datetime64):
        value = value.to_datetime64()          # isce.core.time.DateTime, pandas
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        value = value.strip().rstrip("Zz")
    try:
        epoch = np.datetime64(value, "ns")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"reference_epoch {value!r} is not a date-time") from exc
    if np.isnat(epoch):
        raise ValueError("reference_epoch must not be NaT")
    return epoch


def _as_times(t) -> np.ndarray:
    """Array of float seconds as given, or of datetime64[ns] for date-time input."""
    if isinstance(t, (str, bytes, _dt.datetime)) or hasattr(t, "to_datetime64"):
        return np.asarray(_as_epoch(t))
    arr = np.asarray(t)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[ns]")
    if arr.dtype.kind in "OUS":
        return np.array([_as_epoch(x) for x in arr.ravel()],
                        dtype="datetime64[ns]").reshape(arr.shape)
    return arr


def _frozen(a, shape_tail, name) -> np.ndarray:
    try:
        arr = np.array(a, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Orbit.{name} must be numeric: {exc}") from exc
    if arr.ndim != 1 + len(shape_tail) or arr.shape[1:] != shape_tail:
        want = "(n,)" if not shape_tail else "(n, 3)"
        raise ValueError(f"Orbit.{name} must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Orbit.{name} contains non-finite values")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Orbit:
    """State vectors (immutable: arrays are read-only copies)."""

    time: np.ndarray                 # [n] s since reference_epoch, strictly increasing
    position: np.ndarray             # [n, 3] ECEF m
    velocity: np.ndarray             # [n, 3] ECEF m/s
    reference_epoch: np.datetime64   # datetime64[ns]
    extrapolation_margin: float = DEFAULT_EXTRAPOLATION_MARGIN  # s beyond first/last vector
    interp_method: str = "hermite"   # the method suited to these vectors (see METHODS)

    def __post_init__(self):
        t = _frozen(self.time, (), "time")
        pos = _frozen(self.position, (3,), "position")
        vel = _frozen(self.velocity, (3,), "velocity")
        if not (len(t) == len(pos) == len(vel)):
            raise ValueError(f"Orbit needs as many times as positions and velocities, got "
                             f"{len(t)}, {len(pos)}, {len(vel)}")
        if len(t) < 2:
            raise ValueError(f"Orbit needs at least 2 state vectors, got {len(t)}")
        steps = np.diff(t)
        if np.any(steps <= 0):
            i = int(np.argmax(steps <= 0))
            raise ValueError(f"Orbit.time must be strictly increasing: time[{i}] = {t[i]!r} "
                             f">= time[{i + 1}] = {t[i + 1]!r}")
        margin = float(self.extrapolation_margin)
        if not (np.isfinite(margin) and margin >= 0):
            raise ValueError(f"extrapolation_margin must be >= 0 seconds, got {margin!r}")
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "position", pos)
        object.__setattr__(self, "velocity", vel)
        object.__setattr__(self, "reference_epoch", _as_epoch(self.reference_epoch))
        object.__setattr__(self, "extrapolation_margin", margin)
        object.__setattr__(self, "interp_method", _method_key(self.interp_method))

    # ------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self.time)

    @property
    def start_time(self) -> float:
        """Time of the first state vector [s since reference_epoch]."""
        return float(self.time[0])

    @property
    def end_time(self) -> float:
        """Time of the last state vector [s since reference_epoch]."""
        return float(self.time[-1])

    def datetime64(self, seconds) -> np.ndarray:
        """Absolute datetime64[ns] of times given in seconds since reference_epoch."""
        ns = np.rint(np.asarray(seconds, dtype=np.float64) * 1e9).astype(np.int64)
        return self.reference_epoch + ns.astype("timedelta64[ns]")

    def seconds(self, t) -> np.ndarray:
        """Seconds since reference_epoch of floats (returned as is) or date-times."""
        arr = _as_times(t)
        if arr.dtype.kind == "M":
            delta = (arr - self.reference_epoch).astype(np.int64)
            return delta / 1e9  # exact ns count -> float s (rounded once)
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"orbit query times must be seconds or date-times, got dtype {arr.dtype}")
        return arr.astype(np.float64, copy=False)

    # ------------------------------------------------------------ interpolation
    def with_method(self, method: str) -> "Orbit":
        """The same state vectors interpolated by ``method`` (see :data:`METHODS`)."""
        return replace(self, interp_method=method)

    def with_reference_epoch(self, epoch) -> "Orbit":
        """The same state vectors with times counted from ``epoch`` (anything datetime64
        takes): e.g. an orbit file's vectors on a product's time axis."""
        new = _as_epoch(epoch)
        shift = (self.reference_epoch - new) / np.timedelta64(1, "ns") * 1e-9
        return replace(self, time=self.time + shift, reference_epoch=new)

    def interpolate(self, t, method: str | None = None, *, margin: float | None = None,
                    threads: int = 0):
        """Position [m] and velocity [m/s] at times ``t``.

        ``t``: seconds since ``reference_epoch`` (scalar or array of any shape)
        or date-times (datetime64, datetime, ISO text). Returns ``(pos, vel)``
        of shape ``t.shape + (3,)``. ``method`` overrides ``interp_method``; ``margin`` overrides
        ``extrapolation_margin``; ``threads`` = OpenMP threads (0: default).

        Raises ValueError for an unknown method, too few state vectors for it,
        or a query time outside ``[start_time - margin, end_time + margin]``.
        """
        key = self.interp_method if method is None else _method_key(method)
        _require_vectors(self, key)
        secs = self.seconds(t)
        shape = secs.shape
        flat = np.ascontiguousarray(secs, dtype=np.float64).reshape(-1)
        self._check_span(flat, self.extrapolation_margin if margin is None else float(margin))
        pos, vel = _core().interpolate_orbit(self.time, self.position, self.velocity, flat,
                                             key, kernel_threads(threads))
        return pos.reshape(shape + (3,)), vel.reshape(shape + (3,))

    def _check_span(self, flat: np.ndarray, margin: float) -> None:
        if flat.size == 0:
            return
        lo, hi = self.time[0] - margin, self.time[-1] + margin
        if flat.min() >= lo and flat.max() <= hi:   # NaN fails both
            return
        bad = ~((flat >= lo) & (flat <= hi))
        first = float(flat[np.argmax(bad)])
        count = f"{int(bad.sum())} of {flat.size} query times refused"
        if not np.isfinite(first):
            raise ValueError(f"orbit query time {first!r} is not finite ({count})")
        when = f" ({self.datetime64(first)})" if abs(first) < 1e9 else ""
        raise ValueError(
            f"orbit query time {first!r} s since {self.reference_epoch}{when} "
            f"is outside the state vectors' span "
            f"[{self.start_time!r}, {self.end_time!r}] s by more than the margin of {margin} s "
            f"({count})")

    # ------------------------------------------------------------ construction / I/O
    @classmethod
    def from_datetimes(cls, times, position, velocity, reference_epoch=None,
                       extrapolation_margin: float = DEFAULT_EXTRAPOLATION_MARGIN) -> "Orbit":
        """Orbit from absolute state-vector times (datetime64/datetime/ISO text).

        ``reference_epoch`` defaults to the first time.
        """
        abs_times = _as_times(times).reshape(-1)
        if abs_times.dtype.kind != "M":
            raise ValueError(f"state-vector times must be date-times, got dtype {abs_times.dtype}")
        if abs_times.size == 0:
            raise ValueError("Orbit needs at least 2 state vectors, got 0")
        epoch = abs_times[0] if reference_epoch is None else _as_epoch(reference_epoch)
        seconds = (abs_times - epoch).astype(np.int64) / 1e9
        return cls(seconds, position, velocity, epoch, extrapolation_margin)

    def to_dict(self) -> dict:
        """JSON-friendly dict (exact: floats as shortest round-trip reprs)."""
        return {
            "type": "Orbit",
            "reference_epoch": str(self.reference_epoch),
            "time": self.time.tolist(),
            "position": self.position.tolist(),
            "velocity": self.velocity.tolist(),
            "extrapolation_margin": self.extrapolation_margin,
            "interp_method": self.interp_method,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Orbit":
        """Inverse of :meth:`to_dict`."""
        if d.get("type", "Orbit") != "Orbit":
            raise ValueError(f"not an Orbit dict (type {d.get('type')!r})")
        missing = [k for k in ("reference_epoch", "time", "position", "velocity") if k not in d]
        if missing:
            raise ValueError(f"Orbit dict lacks {', '.join(missing)}")
        return cls(d["time"], d["position"], d["velocity"], d["reference_epoch"],
                   d.get("extrapolation_margin", DEFAULT_EXTRAPOLATION_MARGIN),
                   d.get("interp_method", "hermite"))

    def _unpackOrbit(self, relativeTo=None):
        """ISCE2's ``Orbit._unpackOrbit``, for scripts written against it: ``(time, position,
        velocity, relativeTo)`` as lists of seconds since ``relativeTo`` (a date-time; default
        the first state vector's, as a ``datetime.datetime`` to the microsecond), ECEF [x, y, z]
        [m] and [vx, vy, vz] [m/s]."""
        if relativeTo is None:
            relativeTo = self.datetime64(self.time[0]).astype("datetime64[us]").item()
        if _as_times(relativeTo).dtype.kind != "M":
            raise ValueError(f"relativeTo must be a date-time, got {relativeTo!r}")
        seconds = self.time - self.seconds(relativeTo)
        return seconds.tolist(), self.position.tolist(), self.velocity.tolist(), relativeTo

    def __eq__(self, other):
        if not isinstance(other, Orbit):
            return NotImplemented
        return (self.reference_epoch == other.reference_epoch
                and self.extrapolation_margin == other.extrapolation_margin
                and self.interp_method == other.interp_method
                and np.array_equal(self.time, other.time)
                and np.array_equal(self.position, other.position)
                and np.array_equal(self.velocity, other.velocity))

    __hash__ = None

    def __repr__(self):
        return (f"Orbit({len(self)} state vectors, {self.start_time!r} .. {self.end_time!r} s "
                f"since {self.reference_epoch}, margin {self.extrapolation_margin} s, "
                f"{self.interp_method})")


# ------------------------------------------------------------------ choosing the method
def _position_derivative(orbit: Orbit) -> np.ndarray:
    """d(position)/dt [m/s] at each state vector, from the positions alone: a least-squares
    polynomial (degree <= 8, i.e. Lagrange through 9 vectors) of the 9 vectors around each."""
    n = len(orbit)
    width = min(9, n)
    out = np.empty((n, 3))
    for i in range(n):
        lo = min(max(0, i - width // 2), n - width)
        t = orbit.time[lo:lo + width]
        for k in range(3):
            fit = np.polynomial.Polynomial.fit(t, orbit.position[lo:lo + width, k], width - 1)
            out[i, k] = fit.deriv()(orbit.time[i])
    return out


def _used_vectors(orbit: Orbit, span) -> np.ndarray:
    """Mask of the state vectors Hermite uses for times within ``span`` = (t0, t1) [s since
    the orbit's epoch]: those within two vector spacings of it (all vectors for None, or
    when none is that close)."""
    if span is None:
        return np.ones(len(orbit), bool)
    reach = 2.0 * float(np.max(np.diff(orbit.time)))
    used = (orbit.time >= min(span) - reach) & (orbit.time <= max(span) + reach)
    return used if used.any() else np.ones(len(orbit), bool)


def velocity_consistency(orbit: Orbit, span=None) -> float:
    """Largest |annotated velocity - d(position)/dt| [m/s] over the state vectors (those used
    for times within ``span`` = (t0, t1) s since the orbit's epoch, if given), the derivative
    from the positions alone (never from the velocities); needs 3 vectors."""
    if len(orbit) < 3:
        raise ValueError(f"checking velocities needs at least 3 state vectors, the orbit "
                         f"has {len(orbit)}")
    diff = (orbit.velocity - _position_derivative(orbit))[_used_vectors(orbit, span)]
    return float(np.max(np.linalg.norm(diff, axis=1)))


def choose_method(orbit: Orbit, setting: str = "auto", span=None) -> tuple[str, str]:
    """``(method, reason)`` for the ``orbit interpolation`` setting: ``hermite`` or
    ``legendre`` as asked; ``auto`` keeps the method the reader declared (the orbit's
    ``interp_method``) unless the velocities disagree with the positions' derivative by more
    than :data:`VELOCITY_TOLERANCE`, then Legendre (positions only; needs 9 vectors: with
    fewer, Hermite is the only choice). ``span`` (t0, t1) [s since the orbit's epoch]: the
    times the orbit will be interpolated at; only the vectors used there are checked."""
    key = str(setting).strip().lower()
    if key in METHODS:
        _require_vectors(orbit, key)
        return key, "as set"
    if key != "auto":
        raise ValueError(f"unknown orbit interpolation {setting!r}; choose one of "
                         f"{', '.join(SETTINGS)}")
    declared = orbit.interp_method if len(orbit) >= METHODS[orbit.interp_method] else "hermite"
    if len(orbit) < 3:
        return declared, f"{len(orbit)} state vectors: velocities not checked"
    dv = velocity_consistency(orbit, span)
    measured = (f"velocities up to {dv * 1e3:.3g} mm/s from the positions' derivative "
                f"(tolerance {VELOCITY_TOLERANCE * 1e3:g} mm/s)")
    if dv <= VELOCITY_TOLERANCE:
        return declared, f"{measured}: the reader's {orbit.interp_method}" + (
            "" if declared == orbit.interp_method else f" needs {METHODS[orbit.interp_method]} "
            f"vectors, the orbit has {len(orbit)}: hermite")
    if len(orbit) < METHODS["legendre"]:
        return "hermite", (f"{measured}, but only {len(orbit)} state vectors: Legendre "
                           f"needs {METHODS['legendre']}")
    return "legendre", f"{measured}: interpolating the positions alone"
