"""Input files must be regular files: a FIFO or a device given as input would hang
(a FIFO blocks on open until someone writes) or never end (``/dev/zero``).

:func:`special_kind` names what a path is when it is not a regular file or a folder;
:func:`read_regular` reads a small file (configuration XML) without ever blocking.
"""
from __future__ import annotations

import os
import stat

from .errors import InputError

__all__ = ["kind_of_mode", "special_kind", "special_file_problem", "read_regular", "refuse_special_inputs",
           "require_input_file"]

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of_mode(mode: int) -> str | None:
    """``"a FIFO (named pipe)"``, ``"a character device"``, … for a special file's
    ``st_mode``; None for a regular file or a folder."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None


def special_kind(path) -> str | None:
    """What ``path`` is if it exists and is neither a regular file nor a folder, else None.

    ``os.stat`` never opens the file, so this cannot block on a FIFO."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, unreadable or an invalid name: not our concern here
        return None
    return kind_of_mode(mode)


def special_file_problem(path) -> str | None:
    """A one-line reason why ``path`` cannot be an input file, or None."""
    kind = special_kind(path)
    return f"{path} is {kind}, not a regular file" if kind else None


def require_input_file(path, what: str) -> str:
    """``path`` as a string when it names a regular file; InputError otherwise, saying it is
    missing, a folder or a FIFO/device (``what`` names the kind of file expected)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file ({what})")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a folder, not an {what}")
    problem = special_file_problem(path)
    if problem:
        raise InputError(f"{problem} ({what})")
    return path


def read_regular(path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``max_bytes``).

    Opened non-blocking and checked with ``fstat`` on the open descriptor, so a FIFO or
    device is refused (ValueError) rather than read; OSError for a missing/unreadable file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ValueError("is not a file (a folder)")
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"is {kind_of_mode(info.st_mode) or 'not a file'}, not a regular file")
        if info.st_size > max_bytes:
            raise ValueError(f"is {info.st_size / 2**20:.1f} MiB, more than a configuration "
                             f"file may be ({max_bytes / 2**20:.0f} MiB)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(max_bytes + 1)[:max_bytes]
    finally:
        os.close(fd)


def refuse_special_inputs(component) -> None:
    """Raise InputError if an input ``path`` parameter of ``component`` names a FIFO,
    device or socket (library use sets attributes directly, past configuration checks)."""
    for param in getattr(component, "_parameter_list", ()):
        if param.is_input_path:
            try:
                param.refuse_special_files(getattr(component, param.attrname, None))
            except ValueError as exc:
                raise InputError(f"{component.config_path}.{param.public_name}: {exc}") from None
