"""Errors raised by the framework: configuration mistakes and bad input data.

Library code raises these; only applications turn them into a one-line
message and an exit status (2).
"""
from __future__ import annotations


class IsceError(Exception):
    """Base class of the errors isce reports to users without a traceback."""


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
        return f"{where}{what}{self.message}"


class InputError(IsceError, ValueError):
    """Input data that cannot be used (missing, truncated or corrupt file)."""


class StepError(IsceError, RuntimeError):
    """Step-mode misuse: unknown step, missing or stale saved state."""
