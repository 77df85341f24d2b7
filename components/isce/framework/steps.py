"""Named, resumable steps: declarations, the context a step runs in, saved state.

A step is a module-level function ``step(ctx)`` that reads the configured
parameters from ``ctx.params`` (read-only), keeps plain data in ``ctx.state``
and records the files it reads and writes. In step mode the state is pickled
to ``PICKLE/<step>`` after each step, next to a JSON manifest
(``PICKLE/<step>.json``: configuration, the SHA-256 of the pickle, input and
output files with sizes, mtimes and, for small files, SHA-256) used to refuse
resuming from stale state. A run folder is input: the pickle is read back only
when its hash matches the manifest, and only through an unpickler that builds
plain types and the classes of :data:`STATE_CLASSES` (it can run no other code).
"""
from __future__ import annotations

import collections
import ctypes
import datetime as _dt
import hashlib
import io
import json
import logging
import os
import pathlib
import pickle
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from .configurable import Configurable
from .errors import StepError
from .names import normalize
from .parameter import resolve_callable

try:
    import resource
except ImportError:  # not on Windows: the peak memory then comes from /proc only
    resource = None

STATE_DIR = "PICKLE"


@dataclass(frozen=True)
class Step:
    """A named stage of an application: ``func(ctx)`` plus a one-line ``doc``.

    ``uses`` lists the public names (or aliases) of the parameters and facilities the
    step's products depend on (``"filter"`` covers the facility's own settings too):
    a changed setting restarts from the first step that uses it
    (:meth:`Application.first_step_using`; a setting no step uses restarts from the first).
    ``checks`` lists those the step reads only to check or log them (e.g. looks checked
    against the image before anything is written): they restart nothing. Inside the step
    ``ctx.params`` exposes exactly ``uses`` + ``checks``; reading any other parameter
    raises :class:`UndeclaredParameterError`, so every run of the step checks the
    declaration is complete. ``uses=None`` (simple applications) means every parameter,
    all readable, and any change restarts from this step.
    """

    name: str
    func: Callable | str
    doc: str = ""
    uses: tuple[str, ...] | None = None
    checks: tuple[str, ...] = ()

    def run(self, ctx: "StepContext"):
        return resolve_callable(self.func)(ctx)


class State(SimpleNamespace):
    """Processing state carried between steps: plain data only (paths, numbers, metadata)."""


#: isce's own classes a saved state may hold (the explicit registry the unpickler admits, beside
#: plain types). Only classes whose construction just sets attributes belong here; metadata
#: objects travel in the state as their ``to_dict()`` form instead.
STATE_CLASSES: tuple[type, ...] = (State,)

#: plain types beyond those pickle encodes without naming a class (None, bool, int, float, str,
#: bytes, tuple, list, dict, set, frozenset): the constructors a pickle of them may call
PLAIN_CLASSES: tuple[type, ...] = (
    complex, set, frozenset, bytearray, collections.OrderedDict,
    _dt.date, _dt.datetime, _dt.time, _dt.timedelta, _dt.timezone,
    pathlib.PurePosixPath, pathlib.PosixPath, pathlib.PureWindowsPath)


def _admitted_globals() -> dict[tuple[str, str], type]:
    """``{(module, name): class}`` the state unpickler may build, under their defining module
    and the public one (pathlib's classes moved to ``pathlib._local`` in Python 3.13)."""
    public = {collections.OrderedDict: "collections", pathlib.PurePosixPath: "pathlib",
              pathlib.PosixPath: "pathlib", pathlib.PureWindowsPath: "pathlib"}
    found = {}
    for cls in PLAIN_CLASSES + STATE_CLASSES:
        found[(cls.__module__, cls.__qualname__)] = cls
        if cls in public:
            found[(public[cls], cls.__qualname__)] = cls
    return found


class _StateUnpickler(pickle.Unpickler):
    """Unpickler of saved state: builds plain types and :data:`STATE_CLASSES` only, so a
    crafted ``PICKLE/<step>`` cannot call anything else (no ``os.system``, no ``eval``)."""

    _admitted = _admitted_globals()

    def find_class(self, module, name):
        cls = self._admitted.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"it refers to {module}.{name}, which isce's saved state "
                                         "never holds (only plain data and isce's state classes)")
        return cls

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("it refers to an external object, which isce's saved "
                                     "state never holds")


def read_state(data: bytes):
    """The object pickled in ``data``, built by the restricted unpickler (UnpicklingError,
    or the error of a malformed pickle, when it is anything else)."""
    return _StateUnpickler(io.BytesIO(data)).load()


class UndeclaredParameterError(RuntimeError):
    """A step read a parameter its :class:`Step` does not declare (a programming error).
    Not an AttributeError, so ``getattr(ctx.params, name, default)`` cannot hide it."""


def declared_attrnames(component, names) -> frozenset[str]:
    """Attribute names of the parameters and facilities of ``component`` that the public
    names (or aliases, or attribute names) ``names`` denote; ``"a.b"`` denotes ``a``.
    ValueError for a name the component does not have (a wrong declaration)."""
    declared = list(component._parameter_list) + list(component._facility_list)
    found = set()
    for name in names:
        key = normalize(str(name).split(".")[0])
        match = [d.attrname for d in declared if key in d.keys]
        if not match:
            raise ValueError(f"a step of {component.instance} declares {name!r}, which is not "
                             "one of its parameters or facilities")
        found.update(match)
    return frozenset(found)


class ParameterView:
    """Read-only view of a configured component's parameters and facilities: with a ``step``,
    only those it declares (``uses`` + ``checks``, see :class:`Step`)."""

    def __init__(self, component, step: "Step | None" = None):
        object.__setattr__(self, "_component", component)
        names = {p.attrname for p in component._parameter_list}
        names |= {f.attrname for f in component._facility_list}
        object.__setattr__(self, "_names", frozenset(names))
        allowed = None
        if step is not None and step.uses is not None:
            allowed = declared_attrnames(component, (*step.uses, *step.checks))
        object.__setattr__(self, "_allowed", allowed)
        object.__setattr__(self, "_step", step)

    def __getattr__(self, name):
        if name in self._names:
            if self._allowed is not None and name not in self._allowed:
                raise UndeclaredParameterError(self._undeclared(name))
            return getattr(self._component, name)
        raise AttributeError(f"{self._component.instance} has no parameter {name!r}")

    def _undeclared(self, name: str) -> str:
        public = next((d.public_name for d in (*self._component._parameter_list,
                                               *self._component._facility_list)
                       if d.attrname == name), name)
        return (f"step {self._step.name!r} of {self._component.instance} reads {public!r}, "
                "which it does not declare: add it to the Step's uses (its products depend on "
                "it) or checks (it only checks or logs it)")

    def __setattr__(self, name, value):
        raise AttributeError("parameters are read-only inside a step; keep results in ctx.state")

    def __dir__(self):
        return sorted(self._names if self._allowed is None else self._allowed)

    # read-only introspection, so checks can name a setting and where it came from
    @property
    def config_path(self) -> str:
        return self._component.config_path

    def source_of(self, attrname: str) -> str:
        return self._component.source_of(attrname)

    def parameter(self, key: str):
        return self._component.parameter(key)


class StepContext:
    """What a step sees: ``params`` (read-only), ``state`` (plain data), ``log``, file records."""

    #: ``{step: {"wall_s": .., "cpu_s": .., "peak_rss_mib": ..}}`` of the steps done before this one (this run
    #: and, when resuming, the saved manifests); set by Application.execute, not part of the state
    step_stats: dict | None = None

    def __init__(self, app, state: State, step: Step, workdir: Path):
        self.params = ParameterView(app, step)
        self.state = state
        self.step = step
        self.workdir = workdir
        self.log = logging.getLogger(f"isce.{app.family}.{step.name}")
        self.inputs: list[str] = []
        self.outputs: list[str] = []

    def add_input(self, path) -> None:
        """Record a file this step reads (resuming refuses if it changes later)."""
        self.inputs.append(str(path))

    def add_output(self, path) -> None:
        """Record a file this step writes (resuming refuses if it goes missing)."""
        self.outputs.append(str(path))

    def progress(self, iterable=None, **kwargs):
        """A progress bar (tqdm) over a loop of blocks or lines."""
        from tqdm.auto import tqdm  # lazy: ~0.1 s to import; keeps `import isce.framework` fast
        kwargs.setdefault("desc", self.step.name)
        kwargs.setdefault("disable", None)  # no bar when not on a terminal
        return tqdm(iterable, **kwargs)


#: a file's SHA-256 is remembered between the saves of a run only if it was last changed at
#: least this long [ns] before it was hashed (StateStore._record)
SETTLED_NS = 2_000_000_000

#: files up to this size [bytes] are also recorded by content (SHA-256): JSON, XML sidecars and
#: other small files can be edited without changing their size, within the mtime's resolution
HASHED_FILE_BYTES = 1 << 20


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_record(path: str, with_mtime: bool) -> dict | None:
    """``{"size", "mtime_ns"[, "sha256"]}`` of a file (SHA-256 of files up to
    :data:`HASHED_FILE_BYTES`), or None when it is missing or unreadable."""
    try:
        st = os.stat(path)
        rec = {"size": st.st_size}
        if with_mtime:
            rec["mtime_ns"] = st.st_mtime_ns
        if st.st_size <= HASHED_FILE_BYTES and os.path.isfile(path):
            rec["sha256"] = _sha256_file(path)
    except OSError:
        return None
    return rec


def _matches(now: dict | None, rec: dict) -> bool | None:
    """Whether a file's record ``now`` is the one its manifest holds (None: it is missing)."""
    if now is None:
        return None
    return all(now.get(k) == rec.get(k) for k in ("size", "mtime_ns", "sha256"))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _PlainPickler(pickle.Pickler):
    """Pickler that refuses components (the application is not processing state)."""

    def persistent_id(self, obj):
        if isinstance(obj, Configurable):
            raise StepError(f"the step state holds the component {obj.instance!r}; "
                            "keep only plain data (paths, numbers, metadata) in ctx.state")
        return None


def config_hash(values: dict[str, str]) -> str:
    blob = json.dumps(values, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


class StateStore:
    """``PICKLE/<step>`` (pickled State) plus ``PICKLE/<step>.json`` (manifest) for one application."""

    def __init__(self, folder, steps: list[Step]):
        self.folder = Path(folder)
        self.steps = steps
        self.names = [s.name for s in steps]
        self._hashed: dict = {}      # path -> (stat key, file record): see _record

    def manifest_path(self, step: str) -> Path:
        return self.folder / f"{step}.json"

    def state_path(self, step: str) -> Path:
        return self.folder / step

    def manifest(self, step: str) -> dict | None:
        """The manifest saved after ``step``, or None when absent or unreadable."""
        try:
            manifest = json.loads(self.manifest_path(step).read_text())
        except (OSError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) else None

    def completed(self) -> list[str]:
        """Steps whose state and manifest are both present, in step order."""
        return [n for n in self.names
                if self.state_path(n).is_file() and self.manifest(n) is not None]

    def last_completed(self) -> int:
        """Index of the last step with saved state, or -1."""
        done = set(self.completed())
        return max((i for i, n in enumerate(self.names) if n in done), default=-1)

    def discard_from(self, index: int) -> None:
        """Forget saved state of step ``index`` and later: they are about to be redone."""
        for name in self.names[index:]:
            self.manifest_path(name).unlink(missing_ok=True)
            self.state_path(name).unlink(missing_ok=True)

    @staticmethod
    def serialise(name: str, state: State) -> bytes:
        """Pickled state, refusing anything but plain data (also checked in plain runs):
        what the restricted unpickler could not read back is refused when it is saved."""
        buffer = io.BytesIO()
        try:
            _PlainPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
            read_state(buffer.getvalue())
        except (pickle.PicklingError, pickle.UnpicklingError, TypeError, AttributeError) as exc:
            raise StepError(f"step {name!r} left state that cannot be saved: {exc}; "
                            "keep only plain data in ctx.state") from None
        return buffer.getvalue()

    def save(self, index: int, state: State, config: dict[str, str], files: dict,
             stats: dict | None = None) -> None:
        """Pickle the state after step ``index``, then write its manifest (last, atomically),
        with the step's statistics ``stats`` (:data:`STAT_FIELDS`) when given: one manifest
        write per step."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = self.names[index]
        data = self.serialise(name, state)
        _atomic_write(self.state_path(name), data)
        records = {p: self._record(p) for p in {**files["inputs"], **files["outputs"]}}
        inputs = {p: dict(records[p], step=s) for p, s in files["inputs"].items()}
        outputs = {p: dict(records[p], step=s) for p, s in files["outputs"].items()}
        manifest = {
            "step": name,
            "index": index,
            "completed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "config_hash": config_hash(config),
            "state_sha256": hashlib.sha256(data).hexdigest(),  # binds the pickle to this manifest
            "config": config,
            "inputs": inputs,
            "outputs": outputs,
        }
        if stats is not None:
            manifest.update({k: stats.get(k) for k in STAT_FIELDS})
        _atomic_write(self.manifest_path(name), json.dumps(manifest, indent=1).encode())

    def _record(self, path: str) -> dict:
        """:func:`_file_record` of ``path`` (with mtime), its SHA-256 reused from an earlier save
        of this run while the file's inode, size, mtime and ctime are those it was hashed at
        (every step's manifest lists all files recorded so far: each is hashed a few times, not
        once per step). Only a file last changed more than :data:`SETTLED_NS` before it was
        hashed is remembered (as git does with "racy" files): a rewrite after that sets a later
        mtime, whatever the clock's granularity, so it is hashed again."""
        try:
            st = os.stat(path)
        except OSError:
            return {}
        key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        cache = self._hashed
        cached = cache.get(path)
        if cached is not None and cached[0] == key:
            return dict(cached[1])
        hashed_at = time.time_ns()
        rec = _file_record(path, True) or {}
        settled = max(st.st_mtime_ns, st.st_ctime_ns) < hashed_at - SETTLED_NS
        if settled and rec.get("size") == st.st_size and rec.get("mtime_ns") == st.st_mtime_ns:
            cache[path] = (key, dict(rec))
        return rec

    def _check_files(self, name: str, manifest: dict) -> None:
        """Refuse when a recorded input or output changed or went missing since ``name`` was
        saved; the restart named is the earliest step that reads or writes that file."""
        stale, now = [], {}
        for kind in ("inputs", "outputs"):
            for path, rec in manifest.get(kind, {}).items():
                if path not in now:      # a file both read and written is looked at once
                    now[path] = _file_record(path, True)
                same = _matches(now[path], rec)
                if not same:
                    step = rec.get("step", self.names[0])
                    order = self.names.index(step) if step in self.names else 0
                    stale.append((order, kind == "inputs", path, step, same is None))
        if not stale:
            return
        # the earliest step (a file a step reads may be written by an earlier one); at the
        # same step, what it wrote before what it read
        _, is_input, path, step, missing = min(stale)
        if is_input:
            what = "is missing" if missing else "has changed"
            raise StepError(f"input file {path} {what} since step {name!r} was saved; "
                            f"start from {step!r} (--start={step})")
        what = "is missing" if missing else "has changed since it was written"
        raise StepError(f"output file {path} of step {step!r} {what}; "
                        f"start from {step!r} (--start={step})")

    def _read_state(self, name: str, manifest: dict, advice: str | None = None) -> State:
        """The state saved after ``name``: its pickle must match the manifest's SHA-256 and
        hold only plain data and isce's state classes (StepError naming the file and ending
        with ``advice`` if not; by default, where to restart)."""
        path = self.state_path(name)
        advice = advice or f"start from {name!r} (--start={name})"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StepError(f"saved state {path} cannot be read ({exc.strerror}); {advice}") from None
        if hashlib.sha256(data).hexdigest() != manifest.get("state_sha256"):
            raise StepError(f"saved state {path} does not match its manifest "
                            f"{self.manifest_path(name)} (SHA-256 differs: changed after it was "
                            f"saved, or saved by an older isce); {advice}")
        try:
            state = read_state(data)
            if not isinstance(state, State):
                raise TypeError(f"holds a {type(state).__name__}")
        except Exception as exc:  # truncated, foreign, crafted, or from an incompatible isce
            raise StepError(f"saved state {path} cannot be read ({exc}); {advice}") from None
        return state

    def load(self, index: int, config: dict[str, str], uses: Callable[[str], int]) -> tuple[State, dict]:
        """State saved after step ``index``, checked against the current configuration and files.

        ``uses(path)`` gives the index of the first step depending on a property
        path, to say where to restart. Raises StepError when the state is missing or stale.
        """
        name = self.names[index]
        manifest = self.manifest(name)
        if manifest is None or not self.state_path(name).is_file():
            done = set(self.completed())
            first_missing = next(i for i, n in enumerate(self.names) if n not in done)
            restart = self.names[first_missing]
            raise StepError(f"no saved state for step {name!r} in {self.folder}/ "
                            f"(needed to start after it); start from {restart!r} "
                            f"(--start={restart})")
        if manifest.get("config_hash") != config_hash(config):
            old = manifest.get("config", {})
            changed = sorted(k for k in set(old) | set(config) if old.get(k) != config.get(k))
            restart = min((uses(k) for k in changed), default=0)
            if restart <= index:  # a step already done depends on a changed setting
                shown = "; ".join(f"{k}: {old.get(k, '(unset)')!r} -> {config.get(k, '(unset)')!r}"
                                  for k in changed[:3])
                more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
                first = self.names[restart]
                raise StepError(f"configuration changed since step {name!r} was saved "
                                f"({shown}{more}); start from {first!r} (--start={first})")
        self._check_files(name, manifest)
        state = self._read_state(name, manifest)
        files = {"inputs": {p: r.get("step", name) for p, r in manifest.get("inputs", {}).items()},
                 "outputs": {p: r.get("step", name) for p, r in manifest.get("outputs", {}).items()}}
        return state, files


def load_saved_state(path) -> State:
    """The state a step saved, ``<run folder>/PICKLE/<step>``, for a user to look at (ISCE's
    "load the state of the workflow at any stage"): read only when its SHA-256 matches the
    step's manifest beside it (``<step>.json``), and only through the restricted unpickler.
    StepError when either is missing, changed, or not isce's plain state."""
    path = Path(path)
    store = StateStore(path.parent, [])
    manifest = store.manifest(path.name)
    advice = f"run the application with --steps (or --end=...) to save {path.name!r} again"
    if manifest is None:
        raise StepError(f"{path} is not the saved state of a step: its manifest "
                        f"{store.manifest_path(path.name)} is missing or unreadable; {advice}")
    return store._read_state(path.name, manifest, advice)


# ----------------------------------------------------------------------------- step statistics
# (added for per-step wall time, CPU time and peak memory; Application.execute measures each step
# with StepMonitor, logs it, keeps it in ``ctx.step_stats`` and saves it in the step's manifest,
# StateStore.save(..., stats=))
STAT_FIELDS = ("wall_s", "cpu_s", "peak_rss_mib")


def _cpu_seconds() -> float:
    """User + system CPU time [s] of this process (all its threads) and of its waited-for
    child processes (e.g. the snaphu executable), from ``os.times``."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _children_rss_mib() -> float:
    """Summed VmRSS [MiB] of this process's child processes (e.g. the snaphu executable),
    and of theirs; 0 without /proc."""
    total, seen = 0.0, set()
    todo = [str(os.getpid())]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    kids = fh.read().split()
            except OSError:
                continue
            for kid in kids:
                if kid not in seen:
                    seen.add(kid)
                    todo.append(kid)
                    total += _status_mib("VmRSS", pid=kid).get("VmRSS", 0.0)
    return total


def _status_mib(*keys: str, pid="self") -> dict[str, float]:
    """Fields of /proc/<pid>/status (``VmRSS``, ``VmHWM``, ...) in MiB; {} without /proc."""
    found = {}
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                key, _, rest = line.partition(b":")
                name = key.decode("ascii", "replace")
                if name in keys:
                    found[name] = int(rest.split()[0]) / 1024.0  # kB
                    if len(found) == len(keys):
                        break
    except (OSError, ValueError, IndexError):
        return {}
    return found


_malloc_trim = None


def release_free_heap() -> bool:
    """Give the heap memory freed so far back to the OS (glibc's ``malloc_trim``): what a
    step's worker threads allocated and freed otherwise stays resident in their arenas, and
    the next step's peak RSS starts from it (+120 MiB after ampcor's 1600 windows of 128^2).
    Returns False where there is no glibc (nothing done)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if not _malloc_trim:
        return False
    _malloc_trim(0)
    return True


def _maxrss_mib() -> float | None:
    """Peak resident set of the process so far (getrusage), MiB; None when unavailable."""
    if resource is None:
        return None
    try:
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except OSError:
        return None
    return maxrss / (1024.0 * 1024.0) if sys.platform == "darwin" else maxrss / 1024.0  # bytes / KiB


class StepMonitor:
    """Wall time, CPU time and peak resident memory of a block of code (one step),
    dependency-free.

    ``with StepMonitor() as m: work()`` then
    ``m.stats == {"wall_s": .., "cpu_s": .., "peak_rss_mib": ..}``.
    CPU time is user + system seconds of every thread of the process plus those of the child
    processes the block waited for (an external program such as snaphu), so ``cpu_s / wall_s``
    is the number of cores the step kept busy.
    The peak is the largest VmRSS sampled by a daemon thread every ``interval`` s (and at
    entry and exit); when the process's high-water mark (VmHWM) rises during the block,
    that new record is the block's exact peak, so short spikes between samples count
    too. The high-water mark is read, never reset (``/proc/self/clear_refs`` would change
    what the whole process reports). Without /proc: getrusage's lifetime maximum.
    RSS includes the pages of memory-mapped rasters the block touched, and that of child
    processes (e.g. the snaphu executable) at each sample.
    """

    def __init__(self, interval: float = 0.05):
        self.interval = float(interval)
        self._stop = threading.Event()
        self._thread = None
        self._began = self._hwm0 = self._cpu0 = None
        self._peak = 0.0
        self.wall_s: float | None = None
        self.cpu_s: float | None = None
        self.peak_rss_mib: float | None = None

    def _sample(self) -> None:
        rss = _status_mib("VmRSS").get("VmRSS")
        if rss is not None:
            rss += _children_rss_mib()          # external programs the step runs count too
            if rss > self._peak:
                self._peak = rss

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> "StepMonitor":
        status = _status_mib("VmRSS", "VmHWM")
        self._proc = "VmRSS" in status
        self._hwm0 = status.get("VmHWM")
        self._peak = status.get("VmRSS", 0.0)
        if self._proc:
            self._thread = threading.Thread(target=self._watch, name="isce-step-monitor", daemon=True)
            self._thread.start()
        self._cpu0 = _cpu_seconds()
        self._began = time.perf_counter()
        return self

    def __exit__(self, *exc) -> bool:
        self.wall_s = time.perf_counter() - self._began
        self.cpu_s = _cpu_seconds() - self._cpu0
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._proc:
            self._sample()
            hwm = _status_mib("VmHWM").get("VmHWM")
            if hwm is not None and self._hwm0 is not None and hwm > self._hwm0:
                self._peak = max(self._peak, hwm)  # a new record was set inside the block
            self.peak_rss_mib = self._peak
        else:
            self.peak_rss_mib = _maxrss_mib()
        return False

    @property
    def stats(self) -> dict:
        """``{"wall_s": s, "cpu_s": s, "peak_rss_mib": MiB or None}`` (rounded for the
        manifest)."""
        peak = None if self.peak_rss_mib is None else round(self.peak_rss_mib, 1)
        return {"wall_s": None if self.wall_s is None else round(self.wall_s, 3),
                "cpu_s": None if self.cpu_s is None else round(self.cpu_s, 3),
                "peak_rss_mib": peak}


def step_statistics(workdir=".", state_dir: str = STATE_DIR) -> dict[str, dict]:
    """``{step: {"wall_s": s, "cpu_s": s, "peak_rss_mib": MiB}}`` from the manifests ``<workdir>/PICKLE/*.json``,
    in step order. Only step mode writes manifests; steps without statistics are left out.
    During a run, ``ctx.step_stats`` holds the same for the steps done so far (plain runs too).
    """
    found = []
    for path in Path(workdir, state_dir).glob("*.json"):
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(manifest, dict) or "wall_s" not in manifest or "step" not in manifest:
            continue
        found.append((manifest.get("index", 0), manifest["step"],
                      {k: manifest[k] for k in STAT_FIELDS if k in manifest}))
    return {name: stats for _, name, stats in sorted(found, key=lambda t: (t[0], t[1]))}
