"""Declarations of what a component can be configured with: Parameter and Facility."""
from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

from .files import special_file_problem
from .names import normalize
from .values import convert, type_name


@dataclass(frozen=True)
class Parameter:
    """A configurable value of a component.

    ``attrname`` is the Python attribute, ``public_name`` the name users write
    (defaults to ``attrname``); ``aliases`` are other accepted names (e.g. ISCE's
    ``Master`` vocabulary). ``default`` is deep-copied for every instance.
    ``container`` (``list``/``tuple``) makes the value a sequence of ``type``.
    A ``mandatory`` parameter must be set by the user; a ``private`` one is
    hidden from help and cannot be set from configuration.
    """

    attrname: str
    public_name: str | None = None
    type: Any = str
    default: Any = None
    container: Any = None
    mandatory: bool = False
    private: bool = False
    units: str = ""
    doc: str = ""
    choices: tuple = ()
    aliases: tuple = ()
    intent: str = "input"

    def __post_init__(self):
        if self.public_name is None:
            object.__setattr__(self, "public_name", self.attrname)
        object.__setattr__(self, "type", type_name(self.type))
        if self.container not in (None, list, tuple):
            raise TypeError(f"parameter {self.attrname!r}: container must be list or tuple")

    @property
    def keys(self) -> set[str]:
        """Normalised names this parameter answers to."""
        return {normalize(n) for n in (self.public_name, self.attrname, *self.aliases)}

    @property
    def type_label(self) -> str:
        return f"{self.container.__name__}[{self.type}]" if self.container else self.type

    def fresh_default(self):
        return copy.deepcopy(self.default)

    def convert(self, text: str, base_dir=None):
        """Typed value of ``text``; raise ValueError with a user-readable reason."""
        value = convert(text, self.type, self.container, base_dir)
        if self.choices:
            allowed = {normalize(str(c)): c for c in self.choices}
            items = value if self.container else [value]
            checked = []
            for item in items:
                key = normalize(str(item))
                if key not in allowed:
                    raise ValueError("expected one of " + ", ".join(map(str, self.choices)))
                checked.append(allowed[key])
            value = self.container(checked) if self.container else checked[0]
        if self.is_input_path:
            self.refuse_special_files(value)
        return value

    @property
    def is_input_path(self) -> bool:
        """True for a parameter naming files to read (``path`` or ``paths``, intent input)."""
        return self.type in ("path", "paths") and self.intent == "input"

    def refuse_special_files(self, value) -> None:
        """ValueError if an input path is a FIFO, device or socket: reading one would hang
        or never end (``/dev/zero``), so it is refused before any step runs."""
        for item in value if isinstance(value, (list, tuple)) else [value]:
            problem = special_file_problem(item) if item else None
            if problem:
                raise ValueError(problem)


def resolve_callable(ref):
    """A callable given directly or as ``"package.module:function"``."""
    if callable(ref):
        return ref
    module, _, name = str(ref).partition(":")
    if not name:
        raise TypeError(f"factory reference {ref!r} must look like 'package.module:function'")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class Facility:
    """A sub-component built by a factory and configured by the user.

    ``factory`` (a callable or ``"module:function"``) receives the values of
    the owner's attributes named in ``args`` (so a parameter such as the
    language or the unwrapper name can choose the implementation) plus
    ``kwargs``, and returns an unconfigured component. Users configure it with
    ``<component name="public name">`` inside the owner's settings.
    """

    attrname: str
    factory: Callable | str
    public_name: str | None = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    mandatory: bool = True
    private: bool = False
    doc: str = ""
    aliases: tuple = ()

    def __post_init__(self):
        if self.public_name is None:
            object.__setattr__(self, "public_name", self.attrname)

    @property
    def keys(self) -> set[str]:
        return {normalize(n) for n in (self.public_name, self.attrname, *self.aliases)}

    def build(self, owner):
        """Build the sub-component for ``owner`` from the owner's configured values."""
        factory = resolve_callable(self.factory)
        args = [getattr(owner, name) for name in self.args]
        return factory(*args, **self.kwargs)
