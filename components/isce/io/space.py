"""Outputs on a full, read-only or forbidden folder: one clear error, never a crash.

A memory-mapped write to a file whose blocks cannot be allocated (full disk) kills
the process with SIGBUS, so writers reserve the file's blocks first
(:func:`reserve`: ``posix_fallocate``, or a free-space check where the filesystem
cannot preallocate). The OSErrors of a full disk, a read-only filesystem or a
folder without write permission become :class:`~isce.framework.errors.OutputError`
naming the file (and, for space, how much it needs and how much is free; see
:func:`isce.framework.errors.output_error`).
"""
from __future__ import annotations

import errno
import os
from contextlib import contextmanager

from isce.framework.errors import OUTPUT_ERRNOS, free_bytes, output_error

__all__ = ["writing", "reserve"]

# posix_fallocate cannot preallocate on this filesystem: check the free space instead
_NO_FALLOCATE = {errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS, getattr(errno, "ENOTSUP", 95)}


@contextmanager
def writing(path, needed: int | None = None):
    """Turn the OSErrors of a full, read-only or forbidden place met inside the block into
    an OutputError about ``path``; other errors pass unchanged."""
    try:
        yield
    except OSError as exc:
        if exc.errno in OUTPUT_ERRNOS:
            raise output_error(path, exc, needed) from None
        raise


def reserve(fd: int, nbytes: int, path) -> None:
    """Give the open file ``fd`` its ``nbytes`` with every block allocated, so later writes
    (memory-mapped ones too) cannot fail for space; OutputError naming ``path`` if the
    space is not there. Where the filesystem cannot preallocate, the free space is
    checked and the file extended sparsely."""
    nbytes = int(nbytes)
    with writing(path, nbytes):
        if nbytes <= 0:
            os.ftruncate(fd, 0)
            return
        fallocate = getattr(os, "posix_fallocate", None)
        if fallocate is not None:
            try:
                fallocate(fd, 0, nbytes)
                return
            except OSError as exc:
                if exc.errno not in _NO_FALLOCATE:
                    raise
        free = free_bytes(path)
        if free is not None and free < nbytes:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.ftruncate(fd, nbytes)
