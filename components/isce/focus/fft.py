"""FFTs for focusing: pyFFTW (FFTW) with MEASURE plans and saved wisdom, or scipy.fft.

Focusing spends most of its time in FFTs, so they go through FFTW with
planned transforms (DESIGN §8: FFTW's default ESTIMATE plans can be several
times slower than MEASURE ones on some sizes). Planning with ``FFTW_MEASURE``
takes seconds for large transforms, so the *wisdom* FFTW accumulates is kept
in a file and loaded before the first plan of a process:

* ``$ISCE_FFTW_WISDOM`` if set, else ``$XDG_CACHE_HOME/isce/fftw-wisdom``,
  else ``~/.cache/isce/fftw-wisdom``; it is rewritten (atomically) after every
  plan that was not already known;
* ``$ISCE_FFTW_PLANNER`` = ``estimate`` (default) | ``measure`` | ``patient``
  chooses the planner effort. ESTIMATE is the default because MEASURE costs
  seconds per new transform shape on a fresh machine (a 6k x 2k ALOS pair:
  focusing 2 s with ESTIMATE, 13-27 s with MEASURE and no wisdom yet); set
  ``measure`` for big or repeated runs, whose wisdom is then kept;
* wisdom is not saved while the machine is busy (load above its CPU count:
  MEASURE then times a loaded machine and keeps bad plans), and a large
  transform whose plan runs slower than FFTW's ESTIMATE plan (best of three)
  runs the ESTIMATE plan instead; ``$ISCE_FFTW_SAVE_WISDOM`` =
  ``always`` | ``never`` | ``auto`` overrides the load rule;
* ``$ISCE_FFTW_TIMELIMIT`` an upper bound [s] on the planning time of one
  transform (default 30 s; 0 = none): MEASURE planning of a large strided
  transform can otherwise take minutes the first time;
* ``$ISCE_FFT_THREADS`` the number of threads (default: the CPUs this process
  may run on).

When pyFFTW is not installed the same API runs on :mod:`scipy.fft` with the
same number of workers (:func:`backend` tells which).

The central object is :class:`Transform`: an aligned complex buffer with
planned in-place forward and inverse transforms along one axis::

    t = transform((lines, 4096), axis=1)      # cached per (shape, axis, dtype)
    t.buffer[:] = data                        # fill
    t.forward()                               # in place; returns t.buffer
    t.buffer *= filt
    t.inverse()                               # in place, *not* normalised

The inverse is unnormalised (FFTW's backward transform): callers fold the
``1/n`` into a filter they multiply anyway. :func:`fft` / :func:`ifft` are
convenience wrappers (numpy semantics, normalised inverse, return a new array).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict

import numpy as np

from isce.core.threads import available_cpus, kernel_threads

__all__ = ["Transform", "transform", "fft", "ifft", "next_fast_len", "backend", "threads",
           "wisdom_path", "load_wisdom", "save_wisdom", "clear_cache", "planner_effort"]

log = logging.getLogger(__name__)

_lock = threading.RLock()
_pyfftw = None            # module, False when unavailable
_wisdom_loaded = False
_CACHE: "OrderedDict[tuple, Transform]" = OrderedDict()
_CACHE_MAX = 8            # transforms kept by transform(); each owns its buffer
_PLANNERS = {"estimate": "FFTW_ESTIMATE", "measure": "FFTW_MEASURE",
             "patient": "FFTW_PATIENT", "exhaustive": "FFTW_EXHAUSTIVE"}


#: default bound on the planning time of one transform [s]
DEFAULT_TIMELIMIT = 30.0

#: transforms of at least this many samples have their plan checked (see Transform._check_plan)
_CHECK_SIZE = 1 << 20
_CHECKED: set = set()      # plans already checked in this process


def _machine_busy() -> bool:
    """Whether not to save new wisdom: ``$ISCE_FFTW_SAVE_WISDOM`` = ``always``, ``never`` or
    ``auto`` (default: not when the 1-minute load exceeds the number of CPUs)."""
    mode = os.environ.get("ISCE_FFTW_SAVE_WISDOM", "auto").strip().lower()
    if mode in ("always", "yes", "1", "true"):
        return False
    if mode in ("never", "no", "0", "false"):
        return True
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1) + 0.5
    except OSError:
        return False


def _fftw():
    """The pyfftw module, or None when it is missing (or disabled by ISCE_FFT_BACKEND=scipy)."""
    global _pyfftw
    if _pyfftw is None:
        if os.environ.get("ISCE_FFT_BACKEND", "").strip().lower() == "scipy":
            _pyfftw = False
        else:
            try:
                import pyfftw  # lazy: pyfftw costs ~0.35 s to import and is optional (scipy.fft otherwise)
            except ImportError:
                log.info("pyfftw not installed: FFTs run on scipy.fft")
                _pyfftw = False
            else:
                _pyfftw = pyfftw
    return _pyfftw or None


def backend() -> str:
    """``'pyfftw'`` or ``'scipy'``: the library running the transforms."""
    return "pyfftw" if _fftw() is not None else "scipy"


def threads() -> int:
    """Threads per transform: ``$ISCE_FFT_THREADS`` or the CPUs available to this process."""
    env = os.environ.get("ISCE_FFT_THREADS", "").strip()
    if env:
        try:
            return kernel_threads(max(1, int(env)))  # never more than the CPUs
        except ValueError:
            raise ValueError(f"ISCE_FFT_THREADS={env!r}: expected a number of threads") from None
    return available_cpus()


def planner_effort() -> str:
    """FFTW planner flag from ``$ISCE_FFTW_PLANNER`` (default ``FFTW_ESTIMATE``)."""
    key = os.environ.get("ISCE_FFTW_PLANNER", "estimate").strip().lower()
    if key not in _PLANNERS:
        raise ValueError(f"ISCE_FFTW_PLANNER={key!r}: choose one of {', '.join(_PLANNERS)}")
    return _PLANNERS[key]


def wisdom_path() -> str:
    """File holding FFTW wisdom (see the module doc)."""
    env = os.environ.get("ISCE_FFTW_WISDOM", "").strip()
    if env:
        return os.path.expanduser(env)
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "isce", "fftw-wisdom")


def _encode_wisdom(wisdom) -> bytes:
    # three FFTW wisdom strings (double, single, long double); each is ASCII text
    parts = [bytes(w) for w in wisdom]
    header = b"isce-fftw-wisdom 1 " + b" ".join(str(len(p)).encode() for p in parts) + b"\n"
    return header + b"".join(parts)


def _decode_wisdom(blob: bytes):
    header, _, body = blob.partition(b"\n")
    fields = header.split()
    if fields[:2] != [b"isce-fftw-wisdom", b"1"]:
        raise ValueError("not an isce FFTW wisdom file")
    parts, pos = [], 0
    for n in (int(f) for f in fields[2:]):
        parts.append(body[pos:pos + n])
        pos += n
    if pos != len(body):
        raise ValueError("truncated wisdom file")
    return tuple(parts)


def load_wisdom(path: str | None = None) -> bool:
    """Import FFTW wisdom from ``path`` (default :func:`wisdom_path`); False if none was read."""
    global _wisdom_loaded
    fftw = _fftw()
    with _lock:
        _wisdom_loaded = True
        if fftw is None:
            return False
        path = path or wisdom_path()
        try:
            with open(path, "rb") as fh:
                wisdom = _decode_wisdom(fh.read())
        except FileNotFoundError:
            return False
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable FFTW wisdom %s: %s", path, exc)
            return False
        ok = fftw.import_wisdom(wisdom)
        return any(ok)


def save_wisdom(path: str | None = None) -> str | None:
    """Write the process's FFTW wisdom to ``path`` (atomically); None without pyfftw."""
    fftw = _fftw()
    if fftw is None:
        return None
    path = path or wisdom_path()
    with _lock:
        blob = _encode_wisdom(fftw.export_wisdom())
        try:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except OSError as exc:       # a read-only home must not stop processing
            log.warning("cannot save FFTW wisdom to %s: %s", path, exc)
            return None
    return path


def next_fast_len(n: int) -> int:
    """Smallest length >= n whose factors are 2, 3, 5, 7 (fast for FFTW and pocketfft)."""
    n = int(n)
    if n <= 1:
        return 1
    best = 1 << (n - 1).bit_length()
    p7 = 1
    while p7 < best:
        p5 = p7
        while p5 < best:
            p3 = p5
            while p3 < best:
                p2 = p3
                while p2 < n:
                    p2 *= 2
                if p2 < best:
                    best = p2
                p3 *= 3
            p5 *= 5
        p7 *= 7
    return best


class Transform:
    """FFTs of an aligned buffer along one axis (planned once), in place or into ``output``.

    Parameters
    ----------
    shape : tuple of int
        Buffer shape.
    axis : int
        Axis transformed.
    dtype : complex64 or complex128
    buffer : ndarray, optional
        Use this (C-contiguous, aligned) array instead of a new one; another
        Transform's buffer can be shared to transform the same data along a
        different axis.
    output : ndarray, optional
        Out-of-place transforms: write the result here (same shape and dtype; any
        strides, e.g. a view of a wider buffer) and leave :attr:`buffer` unchanged.
    nthreads : int, optional
        Threads (default :func:`threads`).
    directions : "both", "forward" or "inverse"
        The transforms to plan (MEASURE planning of a large transform costs seconds: a
        Transform used one way need not plan the other); calling the other raises.
    preserve : bool
        Keep the contents of a given ``buffer`` across planning (MEASURE plans overwrite
        it: a copy is set aside meanwhile); False when it holds nothing yet (no copy).

    ``forward()`` computes ``X[k] = sum_n x[n] exp(-2j pi n k / N)``,
    ``inverse()`` ``x[n] = sum_k X[k] exp(+2j pi n k / N)`` (no ``1/N``); both
    return :attr:`output` (:attr:`buffer` itself when in place).
    """

    def __init__(self, shape, axis=-1, dtype=np.complex64, *, buffer=None, output=None,
                 nthreads=None, directions="both", preserve=True):
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.complex64, np.complex128):
            raise TypeError(f"Transform needs complex64 or complex128, got {self.dtype}")
        self.axis = axis % len(self.shape)
        self.n = self.shape[self.axis]
        self.nthreads = threads() if nthreads is None else int(nthreads)
        fftw = _fftw()
        if directions not in ("both", "forward", "inverse"):
            raise ValueError(f"directions must be 'both', 'forward' or 'inverse', got "
                             f"{directions!r}")
        self.directions = directions
        self._own = buffer is None
        self._preserve = bool(preserve)
        if buffer is None:
            buffer = (fftw.empty_aligned(self.shape, dtype=self.dtype) if fftw is not None
                      else np.empty(self.shape, dtype=self.dtype))
        for name, arr in (("buffer", buffer), ("output", output)):
            if arr is not None and (arr.shape != self.shape or arr.dtype != self.dtype):
                raise ValueError(f"{name} is {arr.shape} {arr.dtype}, the transform "
                                 f"{self.shape} {self.dtype}")
        self.buffer = buffer
        self.inplace = output is None
        self.output = buffer if output is None else output
        self._fwd = self._inv = None
        if fftw is not None:
            self._plan(fftw)

    def _flags(self, effort):
        # in place: the input is the output anyway; out of place: keep the input (c2c default)
        return (effort, "FFTW_DESTROY_INPUT") if self.inplace else (effort,)

    def _make(self, fftw, kw, effort=None):
        kw = dict(kw)
        if effort is not None:
            kw["flags"] = self._flags(effort)
        return tuple(fftw.FFTW(self.buffer, self.output, direction=d, **kw)
                     if self.directions in ("both", name) else None
                     for name, d in (("forward", "FFTW_FORWARD"), ("inverse", "FFTW_BACKWARD")))

    def _plan(self, fftw):
        global _wisdom_loaded
        with _lock:
            if not _wisdom_loaded:
                load_wisdom()
            effort = planner_effort()
            keep = None
            if effort != "FFTW_ESTIMATE" and not self._own and self._preserve:
                # planning overwrites it
                keep = self.buffer.copy()
            before = fftw.export_wisdom()
            kw = dict(axes=(self.axis,), threads=self.nthreads, flags=self._flags(effort))
            limit = os.environ.get("ISCE_FFTW_TIMELIMIT", "").strip()
            limit = float(limit) if limit else DEFAULT_TIMELIMIT
            if limit > 0:
                kw["planning_timelimit"] = limit
            self._fwd, self._inv = self._make(fftw, kw)
            key = (self.shape, self.axis, self.dtype.str, self.nthreads, effort, self.inplace,
                   self.directions, self.output.strides)
            if (self.buffer.size >= _CHECK_SIZE and effort != "FFTW_ESTIMATE"
                    and key not in _CHECKED):
                self._check_plan(fftw, kw)
                _CHECKED.add(key)
            if keep is not None:
                self.buffer[...] = keep
            if fftw.export_wisdom() != before:
                if _machine_busy():
                    log.info("new FFTW wisdom not saved (machine busy, or "
                             "ISCE_FFTW_SAVE_WISDOM=never)")
                else:
                    save_wisdom()

    def _check_plan(self, fftw, kw):
        """Guard against a slow plan (wisdom measured while the machine was busy): if the
        planned transform is more than 1.5x slower than FFTW's ESTIMATE plan (best of three
        runs each, interleaved: one run on a busy machine is noise), this transform uses the
        ESTIMATE plan. The wisdom is kept: forgetting it would plan every other shape again
        (minutes at full size), on the same busy machine."""
        def timed(plan):
            t0 = time.perf_counter()
            plan.execute()
            return time.perf_counter() - t0

        def one(plans):                 # the forward plan, or the inverse when alone
            return plans[0] if plans[0] is not None else plans[1]

        self.buffer[...] = 0
        est = self._make(fftw, kw, "FFTW_ESTIMATE")
        runs = [(timed(one(est)), timed(one((self._fwd, self._inv)))) for _ in range(3)]
        t_est, t_plan = min(r[0] for r in runs), min(r[1] for r in runs)
        if t_plan > 1.5 * t_est:
            log.warning("FFTW plan for %s (axis %d) runs %.1fx slower than an ESTIMATE plan "
                        "(wisdom measured on a busy machine?): using the ESTIMATE plan",
                        self.shape, self.axis, t_plan / t_est)
            self._fwd, self._inv = est

    def forward(self) -> np.ndarray:
        """Forward transform of :attr:`buffer` (into :attr:`output`)."""
        self._check_direction("forward")
        if self._fwd is not None:
            self._fwd.execute()
        else:
            import scipy.fft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

            self.output[...] = scipy.fft.fft(self.buffer, axis=self.axis,
                                             overwrite_x=self.inplace, workers=self.nthreads)
        return self.output

    def inverse(self) -> np.ndarray:
        """Unnormalised inverse transform of :attr:`buffer` (into :attr:`output`; multiply
        by 1/n yourself)."""
        self._check_direction("inverse")
        if self._inv is not None:
            self._inv.execute()
        else:
            import scipy.fft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

            self.output[...] = scipy.fft.ifft(self.buffer, axis=self.axis,
                                              overwrite_x=self.inplace, workers=self.nthreads,
                                              norm="forward")
        return self.output

    def _check_direction(self, name):
        if self.directions not in ("both", name):
            raise RuntimeError(f"{self!r} was planned for the {self.directions} transform only")

    def flops(self) -> float:
        """Nominal floating-point operations of one transform, 5 N log2 N per line."""
        return 5.0 * np.prod(self.shape) * np.log2(max(self.n, 2))

    def __repr__(self):
        where = "in place" if self.inplace else "out of place"
        return f"Transform({self.shape}, axis={self.axis}, {self.dtype}, {where}, {backend()})"


def transform(shape, axis=-1, dtype=np.complex64) -> Transform:
    """A cached :class:`Transform` (LRU of a few; each owns its buffer, so copy results out)."""
    key = (tuple(int(s) for s in shape), axis % len(shape), np.dtype(dtype).str, threads(),
           backend())
    with _lock:
        t = _CACHE.get(key)
        if t is not None:
            _CACHE.move_to_end(key)
            return t
    t = Transform(shape, axis, dtype)
    with _lock:
        _CACHE[key] = t
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return t


def clear_cache() -> None:
    """Forget the cached transforms (frees their buffers)."""
    with _lock:
        _CACHE.clear()


def _run(x, axis, n, inverse):
    x = np.asarray(x)
    dtype = np.complex128 if x.dtype in (np.float64, np.complex128) else np.complex64
    axis = axis % x.ndim
    n = x.shape[axis] if n is None else int(n)
    shape = list(x.shape)
    shape[axis] = n
    t = transform(tuple(shape), axis, dtype)
    buf = t.buffer
    m = min(n, x.shape[axis])
    src = [slice(None)] * x.ndim
    src[axis] = slice(0, m)
    if m < n:
        buf[...] = 0
    buf[tuple(src)] = x[tuple(src)]
    if inverse:
        out = t.inverse().copy()
        out *= 1.0 / n
        return out
    return t.forward().copy()


def fft(x, axis=-1, n=None) -> np.ndarray:
    """Forward FFT along ``axis`` (zero-padded or cropped to ``n``); complex64 for single input."""
    return _run(x, axis, n, False)


def ifft(x, axis=-1, n=None) -> np.ndarray:
    """Normalised inverse FFT along ``axis`` (numpy semantics)."""
    return _run(x, axis, n, True)
