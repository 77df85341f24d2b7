"""Lazy attribute access for packages, so ``import isce`` and its subpackages stay cheap.

``__getattr__, __dir__ = attach(__name__, submodules, names)`` in a package's
``__init__`` imports a submodule, or the submodule defining a name, on first use
(the scheme of PEP 562 and scientific-python's lazy_loader).
"""
from __future__ import annotations

from importlib import import_module


def attach(package: str, submodules=(), names: dict[str, str] | None = None):
    """Return ``(__getattr__, __dir__)`` for ``package``.

    ``submodules``: names of submodules reachable as attributes; ``names``: maps an
    exported name to the submodule (relative to ``package``, a leading dot allowed)
    that defines it, or to ``"submodule:attribute"`` when it is exported under another name.
    """
    submodules = frozenset(submodules)
    names = {k: tuple(v.lstrip(".").partition(":")[::2]) for k, v in (names or {}).items()}

    def __getattr__(name):
        module_globals = vars(import_module(package))
        if name in submodules:
            value = import_module(f"{package}.{name}")
        elif name in names:
            module, attr = names[name]
            value = getattr(import_module(f"{package}.{module}"), attr or name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_globals[name] = value
        return value

    def __dir__():
        return sorted(set(vars(import_module(package))) | submodules | set(names))

    return __getattr__, __dir__
