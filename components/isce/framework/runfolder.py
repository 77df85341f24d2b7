"""The run folder: one application run at a time in it, and no temporaries of killed runs.

:class:`RunLock` holds an exclusive ``flock`` on ``<folder>/.isce.lock`` while an
application runs; a second run in the same folder is refused at once (StepError naming the
lock and the holder's pid), never interleaved. The kernel releases the lock when its
holder dies, so a killed run leaves no stale lock. :func:`remove_temporaries` then removes,
under that lock, the hidden temporary files a killed run left behind.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
from pathlib import Path

from .errors import StepError

LOCK_NAME = ".isce.lock"

#: our temporaries: isce.io.atomic's ``.<name>.<pid>.<hex>.partial`` (rasters, sidecars, JSON,
#: text) and the GeoTIFF writer's ``.<name>.<pid>.tmp``
PRODUCT_TEMPORARY = re.compile(r"^\..+\.\d+\.(?:[0-9a-f]+\.partial|tmp)$")
#: the state store's ``.<name>.<random>.tmp`` (tempfile.mkstemp) in the state folder
STATE_TEMPORARY = re.compile(r"^\..+\.tmp$")

log = logging.getLogger("isce.framework")


class RunLock:
    """``with RunLock(folder):`` one run at a time in ``folder`` (exclusive, non-blocking
    ``fcntl.flock`` on ``folder/.isce.lock``, which holds the holder's pid).

    The lock file is removed on release; a run that finds the file replaced or removed
    while it waited for the lock locks the new one, so two runs never hold it together.
    """

    def __init__(self, folder):
        self.path = Path(folder) / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> "RunLock":
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            except OSError as exc:
                raise StepError(f"cannot create the run lock {self.path}: {exc.strerror}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_pid(fd)
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise StepError(f"cannot lock {self.path}: {exc.strerror}") from None
                raise StepError(f"another run (pid {holder or '?'}) holds {self.path}: one run "
                                "at a time in a folder; wait for it to end or run elsewhere") from None
            if _same_file(fd, self.path):
                break
            os.close(fd)   # released and removed by its holder meanwhile: lock the current file
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            self.path.unlink()        # while still locked: a waiter then sees a removed file
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> bool:
        self.release()
        return False


def _read_pid(fd: int) -> int | None:
    """The pid written in a lock file, or None (not written yet, or unreadable)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def remove_temporaries(folder, product_dirs, state_dir) -> list[Path]:
    """Remove the hidden temporaries a killed run left in ``folder``'s ``product_dirs``
    (``.<name>.<pid>.<hex>.partial``, ``.<name>.<pid>.tmp``) and ``state_dir``
    (``.<name>.<random>.tmp``); returns what was removed, logged. Call it under
    :class:`RunLock` only: no other run can be writing them then. Only these exact name
    patterns, only directly in those folders, never other files."""
    folder = Path(folder)
    removed = []
    targets = [(folder / d, PRODUCT_TEMPORARY) for d in product_dirs]
    targets.append((folder / state_dir, STATE_TEMPORARY))
    for directory, pattern in targets:
        try:
            entries = list(os.scandir(directory))
        except OSError:        # not made yet
            continue
        for entry in entries:
            if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                try:
                    os.remove(entry.path)
                except OSError:
                    continue
                removed.append(Path(os.path.normpath(entry.path)))
                log.info("removed %s, a temporary file left by an interrupted run", removed[-1])
    return removed
