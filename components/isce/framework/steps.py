"""Named, resumable steps: declarations, the context a step runs in, saved state.

A step is a module-level function ``step(ctx)`` that reads the configured
parameters from ``ctx.params`` (read-only), keeps plain data in ``ctx.state``
and records the files it reads and writes. In step mode the state is pickled
to ``PICKLE/<step>`` after each step, next to a JSON manifest
(``PICKLE/<step>.json``: configuration, input files with sizes and mtimes,
outputs with sizes) used to refuse resuming from stale state.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from .errors import StepError
from .parameter import resolve_callable

STATE_DIR = "PICKLE"


@dataclass(frozen=True)
class Step:
    """A named stage of an application: ``func(ctx)`` plus a one-line ``doc``.

    ``uses`` lists the public names of the parameters the step depends on
    (None = all), so a configuration change can point at the first step to redo.
    """

    name: str
    func: Callable | str
    doc: str = ""
    uses: tuple[str, ...] | None = None

    def run(self, ctx: "StepContext"):
        return resolve_callable(self.func)(ctx)


class State(SimpleNamespace):
    """Processing state carried between steps: plain data only (paths, numbers, metadata)."""


class ParameterView:
    """Read-only view of a configured component's parameters and facilities."""

    def __init__(self, component):
        object.__setattr__(self, "_component", component)
        names = {p.attrname for p in component._parameter_list}
        names |= {f.attrname for f in component._facility_list}
        object.__setattr__(self, "_names", frozenset(names))

    def __getattr__(self, name):
        if name in self._names:
            return getattr(self._component, name)
        raise AttributeError(f"{self._component.instance} has no parameter {name!r}")

    def __setattr__(self, name, value):
        raise AttributeError("parameters are read-only inside a step; keep results in ctx.state")

    def __dir__(self):
        return sorted(self._names)


class StepContext:
    """What a step sees: ``params`` (read-only), ``state`` (plain data), ``log``, file records."""

    def __init__(self, app, state: State, step: Step, workdir: Path):
        self.params = ParameterView(app)
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
        from tqdm.auto import tqdm
        kwargs.setdefault("desc", self.step.name)
        kwargs.setdefault("disable", None)  # no bar when not on a terminal
        return tqdm(iterable, **kwargs)


def _file_record(path: str, with_mtime: bool) -> dict | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    rec = {"size": st.st_size}
    if with_mtime:
        rec["mtime_ns"] = st.st_mtime_ns
    return rec


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
        from .configurable import Configurable
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
        """Pickled state, refusing anything but plain data (also checked in plain runs)."""
        buffer = io.BytesIO()
        try:
            _PlainPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise StepError(f"step {name!r} left state that cannot be saved: {exc}; "
                            "keep only plain data in ctx.state") from None
        return buffer.getvalue()

    def save(self, index: int, state: State, config: dict[str, str], files: dict) -> None:
        """Pickle the state after step ``index``, then write its manifest (last, atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = self.names[index]
        _atomic_write(self.state_path(name), self.serialise(name, state))
        inputs = {p: dict(_file_record(p, True) or {}, step=s) for p, s in files["inputs"].items()}
        outputs = {p: dict(_file_record(p, True) or {}, step=s) for p, s in files["outputs"].items()}
        manifest = {
            "step": name,
            "index": index,
            "completed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "config_hash": config_hash(config),
            "config": config,
            "inputs": inputs,
            "outputs": outputs,
        }
        _atomic_write(self.manifest_path(name), json.dumps(manifest, indent=1).encode())

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
        for path, rec in manifest.get("inputs", {}).items():
            now = _file_record(path, True)
            if now is None or now["size"] != rec.get("size") or now["mtime_ns"] != rec.get("mtime_ns"):
                what = "is missing" if now is None else "has changed"
                step = rec.get("step", self.names[0])
                raise StepError(f"input file {path} {what} since step {name!r} was saved; "
                                f"start from {step!r} (--start={step})")
        for path, rec in manifest.get("outputs", {}).items():
            now = _file_record(path, True)
            if now is None or now["size"] != rec.get("size") or now["mtime_ns"] != rec.get("mtime_ns"):
                what = "is missing" if now is None else "has changed since it was written"
                step = rec.get("step", self.names[0])
                raise StepError(f"output file {path} of step {step!r} {what}; "
                                f"start from {step!r} (--start={step})")
        try:
            with open(self.state_path(name), "rb") as fh:
                state = pickle.load(fh)
            if not isinstance(state, State):
                raise TypeError(f"holds a {type(state).__name__}")
        except Exception as exc:  # truncated, foreign, or from an incompatible isce
            raise StepError(f"saved state {self.state_path(name)} cannot be read ({exc}); "
                            f"start from {name!r} (--start={name})") from None
        files = {"inputs": {p: r.get("step", name) for p, r in manifest.get("inputs", {}).items()},
                 "outputs": {p: r.get("step", name) for p, r in manifest.get("outputs", {}).items()}}
        return state, files
