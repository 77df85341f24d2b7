"""Errors raised by the framework: configuration mistakes and bad input data.

Library code raises these; only applications turn them into a one-line
message and an exit status (2).
"""
from __future__ import annotations

import re

#: longest message shown to a user, and longest unbroken run of characters in it (a
#: quoted value, say); longer ones keep their start and end around "..."
MAX_MESSAGE_CHARS = 300
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


class StepError(IsceError, RuntimeError):
    """Step-mode misuse: unknown step, missing or stale saved state."""
