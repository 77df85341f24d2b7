"""Errors raised by the framework: configuration mistakes and bad input data.

Library code raises these; only applications turn them into a one-line
message and an exit status (2).
"""
from __future__ import annotations

import errno as _errno
import os
import re
import shutil

#: longest message shown to a user, and longest unbroken run of characters in it (a
#: quoted value, say); longer ones keep their start and end around "..."
MAX_MESSAGE_CHARS = 1000
MAX_RUN_CHARS = 160
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN_CHARS + 1))


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters in its middle (two thirds kept before "...")."""
    if len(text) <= limit:
        return text
    head = (limit - 3) * 2 // 3
    return text[:head] + "..." + text[len(text) - (limit - 3 - head):]


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` as one readable line of at most ``limit`` characters: control characters
    (newlines from a quoted value) escaped, overlong runs and then the whole line cut in
    the middle, so the file named first and the reason given last stay visible."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    text = _LONG_RUN.sub(lambda m: _cut(m.group(), MAX_RUN_CHARS), text)
    return _cut(text, limit)


class IsceError(Exception):
    """Base class of the errors isce reports to users without a traceback.

    Its text is one line of at most MAX_MESSAGE_CHARS characters (see :func:`one_line`)."""

    def __str__(self) -> str:
        return one_line(super().__str__())


class ConfigurationError(IsceError, ValueError):
    """A configuration mistake: unknown or mistyped property, bad value, bad XML.

    ``source`` is the file (or ``"command line"``), ``line`` its line number when
    known, ``path`` the dotted property path (``greeter.name to use in greeting``).
    """

    def __init__(self, message: str, *, source: str | None = None,
                 line: int | None = None, path: str | None = None):
        self.message = message
        self.source = source
        self.line = line
        self.path = path
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        what = f"{self.path}: " if self.path else ""
        return one_line(f"{where}{what}{self.message}")


class InputError(IsceError, ValueError):
    """Input data that cannot be used (missing, truncated or corrupt file)."""


class OutputError(IsceError, RuntimeError):
    """An output cannot be written: no space left, a read-only or forbidden folder.

    ``errno`` is the operating system's error number (``errno.ENOSPC``, ...)."""

    def __init__(self, message: str, errno: int | None = None):
        super().__init__(message)
        self.errno = errno


class StepError(IsceError, RuntimeError):
    """Step-mode misuse: unknown step, missing or stale saved state."""


# --- the operating system's errors of a place written to (not of the program)
_NO_SPACE = {_errno.ENOSPC, getattr(_errno, "EDQUOT", _errno.ENOSPC)}
_READ_ONLY = {_errno.EROFS}
_FORBIDDEN = {_errno.EACCES, _errno.EPERM}
_TOO_BIG = {_errno.EFBIG}
#: OSError numbers only writing meets: full disk, read-only filesystem, file too big
WRITE_ERRNOS = frozenset(_NO_SPACE | _READ_ONLY | _TOO_BIG)
#: OSError numbers reported as OutputError while writing (also: no permission)
OUTPUT_ERRNOS = WRITE_ERRNOS | _FORBIDDEN


def _mib(nbytes) -> str:
    """A size for people: ``"4.0 MiB"``, or ``"96 KiB"`` below 1 MiB (so "needs" and "free"
    never print the same for different sizes)."""
    return f"{nbytes / 2**20:.1f} MiB" if nbytes >= 2**20 else f"{nbytes / 1024:.0f} KiB"


def free_bytes(path=None) -> int | None:
    """Bytes free for this user in the filesystem holding ``path`` (its folder; the working
    folder when None), or None if that cannot be told."""
    folder = os.path.dirname(os.path.abspath(os.fspath(path))) if path else os.getcwd()
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def output_error(path, exc: OSError, needed: int | None = None) -> OutputError:
    """The one-line OutputError for an OSError met writing ``path`` (the final name, not a
    temporary; None: the file the error names, if any); ``needed``: the size in bytes."""
    path = os.fspath(path) if path else exc.filename
    code = exc.errno
    if code in _NO_SPACE:
        free = free_bytes(path)
        room = ", ".join(x for x in (f"needs {_mib(needed)}" if needed else "",
                                     f"{_mib(free)} free" if free is not None else "") if x)
        reason = "no space left on device" + (f" ({room})" if room else "")
    elif code in _READ_ONLY:
        reason = "read-only file system"
    elif code in _FORBIDDEN:
        folder = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
        reason = f"permission denied (is the folder {folder} read-only?)"
    elif code in _TOO_BIG:
        reason = "file too large for this filesystem or this process's file-size limit" + (
            f" (needs {_mib(needed)})" if needed else "")
    else:
        reason = exc.strerror or str(exc)
    return OutputError(f"cannot write {path}: {reason}" if path else f"cannot write: {reason}",
                       errno=code)
