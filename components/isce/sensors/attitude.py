"""Platform attitude: unit quaternions sampled in time (NISAR attitude files and products).

An :class:`Attitude` holds ``n`` samples: times ``time`` [s since
``reference_epoch``, a :class:`~isce.core.time.DateTime`] and quaternions
``quaternions`` of shape ``(n, 4)`` in the order **(w, x, y, z)** (NISAR's
``q0, q1, q2, q3``; scalar first). For NISAR the quaternion rotates vectors
from the antenna (radar coordinate system) frame to ECEF.

:meth:`Attitude.interpolate` gives quaternions at any time inside the span
(spherical linear interpolation between the two bracketing samples, shortest
path); :meth:`Attitude.rotation_matrices` the corresponding 3x3 matrices.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isce.core.time import DateTime, datetime64_from_seconds

__all__ = ["Attitude", "quaternion_to_matrix"]

DEFAULT_EXTRAPOLATION_MARGIN = 0.1  # s


def _frozen(a, tail, name):
    try:
        arr = np.array(a, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Attitude.{name} must be numeric: {exc}") from None
    if arr.ndim != 1 + len(tail) or arr.shape[1:] != tail:
        want = "(n,)" if not tail else f"(n, {tail[0]})"
        raise ValueError(f"Attitude.{name} must have shape {want}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"Attitude.{name} contains non-finite values")
    arr.setflags(write=False)
    return arr


def quaternion_to_matrix(q) -> np.ndarray:
    """Rotation matrices ``(..., 3, 3)`` of unit quaternions ``(..., 4)`` in (w, x, y, z) order."""
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    w, x, y, z = np.moveaxis(q, -1, 0)
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], axis=-1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], axis=-1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=-1),
    ], axis=-2)


@dataclass(frozen=True, eq=False)
class Attitude:
    """Quaternion samples (immutable: arrays are read-only copies).

    ``time`` [s since ``reference_epoch``], strictly increasing; ``quaternions``
    ``(n, 4)`` as (w, x, y, z), each of unit norm (within 1e-3; not renormalised).
    """

    time: np.ndarray
    quaternions: np.ndarray
    reference_epoch: DateTime
    extrapolation_margin: float = DEFAULT_EXTRAPOLATION_MARGIN

    def __post_init__(self):
        t = _frozen(self.time, (), "time")
        q = _frozen(self.quaternions, (4,), "quaternions")
        if len(t) != len(q):
            raise ValueError(f"Attitude needs as many times as quaternions, got {len(t)} and {len(q)}")
        if len(t) < 1:
            raise ValueError("Attitude needs at least one sample")
        steps = np.diff(t)
        if np.any(steps <= 0):
            i = int(np.argmax(steps <= 0))
            raise ValueError(f"Attitude.time must be strictly increasing: time[{i}] = {t[i]!r} "
                             f">= time[{i + 1}] = {t[i + 1]!r}")
        norms = np.linalg.norm(q, axis=1)
        bad = np.abs(norms - 1.0) > 1e-3
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(f"Attitude quaternion {i} has norm {norms[i]!r}, expected 1 (w, x, y, z)")
        epoch = self.reference_epoch
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "quaternions", q)
        object.__setattr__(self, "reference_epoch",
                           epoch if isinstance(epoch, DateTime) else DateTime(epoch))
        object.__setattr__(self, "extrapolation_margin", float(self.extrapolation_margin))

    def __len__(self) -> int:
        return len(self.time)

    @property
    def start_time(self) -> float:
        return float(self.time[0])

    @property
    def end_time(self) -> float:
        return float(self.time[-1])

    def datetime64(self, seconds=None):
        """Absolute times (numpy datetime64[ns]) of ``seconds`` (default: the samples)."""
        return datetime64_from_seconds(self.reference_epoch, self.time if seconds is None else seconds)

    def with_reference_epoch(self, epoch) -> "Attitude":
        """Same samples with times referred to ``epoch``."""
        ep = epoch if isinstance(epoch, DateTime) else DateTime(epoch)
        shift = (self.reference_epoch - ep).total_seconds()
        return Attitude(self.time + shift, self.quaternions, ep, self.extrapolation_margin)

    def interpolate(self, t, *, margin: float | None = None) -> np.ndarray:
        """Unit quaternions (w, x, y, z) at times ``t`` [s since reference_epoch], shape
        ``t.shape + (4,)``. Spherical linear interpolation between the bracketing samples;
        times beyond the span by more than the margin raise ValueError."""
        t = np.asarray(t, dtype=np.float64)
        margin = self.extrapolation_margin if margin is None else float(margin)
        flat = t.reshape(-1)
        lo, hi = self.time[0] - margin, self.time[-1] + margin
        bad = ~((flat >= lo) & (flat <= hi))
        if np.any(bad):
            first = float(flat[np.argmax(bad)])
            raise ValueError(f"attitude query time {first!r} s since {self.reference_epoch} is outside "
                             f"the samples' span [{self.start_time!r}, {self.end_time!r}] s by more "
                             f"than the margin of {margin} s")
        q = self.quaternions
        if len(self) == 1:
            return np.broadcast_to(q[0], t.shape + (4,)).copy()
        i = np.clip(np.searchsorted(self.time, flat, side="right") - 1, 0, len(self) - 2)
        t0, t1 = self.time[i], self.time[i + 1]
        f = ((flat - t0) / (t1 - t0))[:, None]
        q0, q1 = q[i], q[i + 1].copy()
        dot = np.sum(q0 * q1, axis=1)
        q1[dot < 0] *= -1.0
        dot = np.clip(np.abs(dot), -1.0, 1.0)[:, None]
        theta = np.arccos(dot)
        s = np.sin(theta)
        small = s < 1e-9
        safe = np.where(small, 1.0, s)
        w0 = np.where(small, 1.0 - f, np.sin((1.0 - f) * theta) / safe)
        w1 = np.where(small, f, np.sin(f * theta) / safe)
        out = w0 * q0 + w1 * q1
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out.reshape(t.shape + (4,))

    def rotation_matrices(self, t) -> np.ndarray:
        """3x3 rotation matrices at times ``t``, shape ``t.shape + (3, 3)``."""
        return quaternion_to_matrix(self.interpolate(t))

    def to_dict(self) -> dict:
        return {"type": "Attitude", "reference_epoch": self.reference_epoch.isoformat(),
                "time": self.time.tolist(), "quaternions": self.quaternions.tolist(),
                "extrapolation_margin": self.extrapolation_margin}

    @classmethod
    def from_dict(cls, d: dict) -> "Attitude":
        if d.get("type", "Attitude") != "Attitude":
            raise ValueError(f"not an Attitude dict (type {d.get('type')!r})")
        return cls(d["time"], d["quaternions"], d["reference_epoch"],
                   d.get("extrapolation_margin", DEFAULT_EXTRAPOLATION_MARGIN))

    def __eq__(self, other):
        if not isinstance(other, Attitude):
            return NotImplemented
        return (self.reference_epoch == other.reference_epoch
                and np.array_equal(self.time, other.time)
                and np.array_equal(self.quaternions, other.quaternions))

    __hash__ = None

    def __repr__(self):
        return (f"Attitude({len(self)} samples, {self.start_time!r} .. {self.end_time!r} s since "
                f"{self.reference_epoch})")
