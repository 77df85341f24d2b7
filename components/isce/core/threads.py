"""How many threads a compiled kernel or a thread pool may use.

Every kernel call and thread pool in isce takes its count from :func:`kernel_threads`:
the request (0 or None: ``$OMP_NUM_THREADS`` when set, else every CPU this process
may run on), clamped to ``[1, available_cpus()]``. A count beyond the machine
(``OMP_NUM_THREADS=100000``, ``threads=10**6``) would make the OpenMP runtime fail
to create its threads and crash the process; it is reduced and logged once instead.
The compiled bindings clamp the same way (``library/bindings/common.hpp``).
"""
from __future__ import annotations

import logging
import os

__all__ = ["available_cpus", "kernel_threads"]

log = logging.getLogger("isce.threads")
_reported: set = set()


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _report_once(key, message: str, *args) -> None:
    if key not in _reported:
        _reported.add(key)
        log.warning(message, *args)


def _omp_default() -> int | None:
    """The first count in ``$OMP_NUM_THREADS`` (``"4"`` or ``"4,2"``), or None if unset or
    not a positive count."""
    text = os.environ.get("OMP_NUM_THREADS", "").strip()
    if not text:
        return None
    try:
        count = int(text.split(",")[0])
    except ValueError:
        count = 0
    if count < 1:  # as the OpenMP runtime does: an invalid value is ignored
        _report_once(("env", text), "OMP_NUM_THREADS=%r is not a thread count: ignored", text)
        return None
    return count


def kernel_threads(requested=0) -> int:
    """Threads to run: ``requested`` (0/None: ``$OMP_NUM_THREADS`` or all CPUs), at least 1
    and at most :func:`available_cpus`; a count outside that range is logged once."""
    cpus = available_cpus()
    origin = "threads"
    if requested is None or int(requested) == 0:
        requested, origin = _omp_default(), "OMP_NUM_THREADS"
        if requested is None:
            return cpus
    requested = int(requested)
    if 1 <= requested <= cpus:
        return requested
    clamped = 1 if requested < 1 else cpus
    _report_once((origin, requested), "%s=%d is outside 1..%d (the CPUs available): using %d",
                 origin, requested, cpus, clamped)
    return clamped
