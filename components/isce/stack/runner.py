"""Run the tasks of a stack on Dask distributed: a LocalCluster sized to the machine, or an
existing cluster (``tcp://host:port`` or a scheduler file) with the same command.

Dask is an OPTIONAL dependency (``pip install isce[stack]`` = ``dask[distributed]``): it is
imported here only, when a stack first runs, and its absence is a one-line
ConfigurationError. A worker lost mid-task costs nothing but time: the scheduler gives the
task to another worker, and tasks are idempotent and atomic (:mod:`isce.stack.tasks`).
"""
from __future__ import annotations

import logging
import sys
import uuid
from pathlib import Path

from isce.core.threads import available_cpus
from isce.framework import ConfigurationError, InputError

__all__ = ["Runner", "SCHEMES", "connect_timeout"]

#: scheduler address schemes Dask speaks
SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")
log = logging.getLogger("isce.stack.runner")


def _distributed():
    """The ``distributed`` module (imported lazily: an optional, heavy dependency)."""
    try:
        import distributed   # lazy: optional dependency (isce[stack]), ~1 s to import
    except ImportError:
        raise ConfigurationError("stacks run on Dask: install it with `pip install "
                                 "isce[stack]` (dask[distributed])") from None
    return distributed


def connect_timeout(distributed) -> str:
    """How long connecting to a scheduler may take before the run is refused: Dask's own
    setting ``distributed.comm.timeouts.connect`` (e.g. ``$DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT``,
    30 s by default)."""
    import dask.config   # lazy: comes with distributed, the optional dependency
    return str(dask.config.get("distributed.comm.timeouts.connect", default="30s"))


class Runner:
    """A Dask client: ``scheduler`` (address or scheduler file; None: a LocalCluster of
    ``workers`` processes, 0 = one per CPU, each with ``threads_per_worker`` threads)."""

    def __init__(self, scheduler: str | None = None, workers: int = 0, threads_per_worker: int = 1):
        self.scheduler, self.workers, self.threads = scheduler, int(workers), int(threads_per_worker)
        self.client = None
        self.cluster = None

    def _connect_existing(self, distributed):
        target = self.scheduler.strip()
        timeout = connect_timeout(distributed)
        kwargs = {"timeout": timeout}
        if target.startswith(SCHEMES):
            kwargs["address"] = target
        elif Path(target).is_file():
            kwargs["scheduler_file"] = target
        else:
            raise InputError(f"scheduler {target!r}: neither an address (tcp://host:port) nor "
                             "an existing scheduler file")
        try:
            return distributed.Client(**kwargs)
        except (OSError, TimeoutError, ValueError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"scheduler {target!r}: no answer within {timeout} ({first})") from None

    def connect(self):
        """The client, connected on first use (InputError for a scheduler that does not answer)."""
        if self.client is not None:
            return self.client
        distributed = _distributed()
        if self.scheduler:
            self.client = self._connect_existing(distributed)
        else:
            n = self.workers or available_cpus()
            self.cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=self.threads,
                                                    processes=True, dashboard_address=":0",   # any free port
                                                    silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)
        log.info("Dask: %s", self.describe())
        return self.client

    def describe(self) -> str:
        info = self.client.scheduler_info() if self.client else {}
        workers = info.get("workers", {})
        threads = sum(w.get("nthreads", 0) for w in workers.values())
        where = self.scheduler or "LocalCluster"
        return f"{where}, {len(workers)} workers, {threads} threads"

    def run(self, calls, what: str = "tasks") -> dict:
        """Run ``calls`` ``[(name, func, args), ...]`` on the cluster; ``{name: result}``.
        The first task that fails raises its error here (the others are cancelled). A
        progress bar (Dask's) is shown on terminals."""
        calls = list(calls)
        if not calls:
            return {}
        client = self.connect()
        token = uuid.uuid4().hex[:8]
        futures = {name: client.submit(func, *args, key=f"{name}-{token}", pure=False)
                   for name, func, args in calls}
        log.info("%s: %d task(s) submitted", what, len(futures))
        try:
            if sys.stderr.isatty():
                _distributed().progress(list(futures.values()))
            results = client.gather(list(futures.values()))
        except BaseException:
            client.cancel(list(futures.values()))
            raise
        return dict(zip(futures, results))

    def close(self) -> None:
        for thing in (self.client, self.cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - shutting down: nothing left to save
                    pass
        self.client = self.cluster = None

