"""Typing of configuration values by their declared type, never by ``eval``.

Every value arrives as text (XML or command line) and is converted by the
Parameter's declared type; containers split on commas, or on whitespace when
there are no commas.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}
_NONE = {"none", "null"}


def to_bool(text: str) -> bool:
    """true/false, yes/no, on/off, 1/0 in any case."""
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError("expected a boolean (true/false, yes/no, 1/0)")


def to_int(text: str) -> int:
    """A decimal integer; ``1e3`` or ``2.0`` are accepted when they are whole."""
    text = text.strip()
    try:
        return int(text, 10)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected an integer") from None
    if not value.is_integer():
        raise ValueError("expected an integer")
    return int(value)


def to_float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError("expected a number") from None


def to_str(text: str) -> str:
    return text.strip()


def to_datetime(text: str) -> _dt.datetime:
    """ISO 8601 date-time, ``T`` or space separated, optional fraction."""
    text = text.strip().rstrip("Z")
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("expected a date-time like 2003-02-26T17:55:33.993") from None


def to_date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("expected a date like 2003-02-26") from None


def to_path(text: str, base_dir: str | os.PathLike | None = None) -> str:
    """A file path; a relative path written in a file resolves against that file's folder
    (``base_dir``), unless it exists only relative to the working directory (a product
    of an earlier stage, say), as ISCE's image accessors look in both places."""
    path = Path(os.path.expandvars(os.path.expanduser(text.strip())))
    if base_dir is not None and not path.is_absolute():
        in_folder = Path(base_dir) / path
        if in_folder.exists() or not path.exists():
            path = in_folder
    return str(path)


# one quoted item of a list literal, then a comma or the end: '...' or "..." (no escapes)
_QUOTED_ITEM = re.compile(r"""\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*(,|$)""")


def split_quoted_list(text: str) -> list[str]:
    """The strings of a Python-style list literal of quoted strings, ``['IMG-1', "IMG-2"]``
    (ISCE2's syntax for several files), parsed by a small grammar: never evaluated."""
    text = text.strip()
    if len(text) < 2 or text[0] + text[-1] not in ("[]", "()"):
        raise ValueError("expected a list like ['IMG-1', 'IMG-2']")
    body, items, pos = text[1:-1], [], 0
    while body[pos:].strip():
        match = _QUOTED_ITEM.match(body, pos)
        if match is None:
            raise ValueError("expected a list of quoted file names like ['IMG-1', 'IMG-2']")
        items.append(match.group(1) if match.group(1) is not None else match.group(2))
        pos = match.end()
        if not match.group(3):
            break
    if not items:
        raise ValueError("empty list: give at least one file")
    return items


def to_paths(text: str, base_dir: str | os.PathLike | None = None):
    """One path (a ``str``), or several (a ``list``): ISCE2's ``['IMG-1', 'IMG-2']``, or
    names separated by commas. Unlike other lists, one path is never split at spaces."""
    text = text.strip()
    if text[:1] in "[(":
        items = split_quoted_list(text)
    elif "," in text:
        items = [item.strip() for item in text.split(",")]
    else:
        return to_path(text, base_dir)
    if any(not item.strip() for item in items):
        raise ValueError("empty file name in the list")
    return [to_path(item, base_dir) for item in items]


CONVERTERS = {
    "bool": to_bool,
    "int": to_int,
    "float": to_float,
    "str": to_str,
    "datetime": to_datetime,
    "date": to_date,
    "path": to_path,
    "paths": to_paths,
}

_PYTHON_TYPES = {bool: "bool", int: "int", float: "float", str: "str",
                 _dt.datetime: "datetime", _dt.date: "date", Path: "path"}


def type_name(kind) -> str:
    """Canonical name of a declared type (``int`` or ``"int"`` → ``"int"``)."""
    if isinstance(kind, str):
        name = kind.strip().lower()
    else:
        name = _PYTHON_TYPES.get(kind)
    if name not in CONVERTERS:
        raise TypeError(f"unsupported parameter type {kind!r}; use one of {sorted(CONVERTERS)}")
    return name


def split_container(text: str) -> list[str]:
    """Split a list value on commas, or on whitespace if it has no comma; ``[...]`` allowed.

    (Write lists of date-times with commas: they contain spaces.)"""
    text = text.strip()
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()"):
        text = text[1:-1]
    if not text.strip():
        return []
    parts = text.split(",") if "," in text else text.split()
    return [p.strip().strip("'\"") for p in parts]


def convert(text: str, kind: str, container=None, base_dir=None):
    """Convert ``text`` to the declared type (and container); raise ValueError if it does not fit."""
    name = type_name(kind)

    def one(item: str):
        if name in ("path", "paths"):
            return CONVERTERS[name](item, base_dir)
        return CONVERTERS[name](item)

    if container is not None:
        return container(one(item) for item in split_container(text))
    if name != "str" and (text.strip().lower() in _NONE
                          or (name in ("path", "paths") and not text.strip())):
        if name == "bool":
            raise ValueError("expected a boolean (true/false, yes/no, 1/0)")
        return None  # unset: an optional number, date or path
    return one(text)


def format_value(value) -> str:
    """Render a value as text that ``convert`` reads back (used by --show-config)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if value is None:
        return "None"
    return str(value)
