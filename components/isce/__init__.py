"""isce: InSAR Scientific Computing Environment, re-created as a modern Python package.

Importing ``isce`` is kept cheap: subpackages (``isce.framework``, ``isce.core``,
``isce.io``, ...) are imported on first attribute access.
"""
from importlib import import_module as _import_module

from . import version
from .version import release_version as __version__

_SUBPACKAGES = frozenset({
    "framework", "core", "io", "sensors", "focus", "geometry", "dem", "offsets",
    "signal", "unwrap", "simulate", "quality", "apps", "ext",
})


def __getattr__(name):
    if name in _SUBPACKAGES:
        module = _import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'isce' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBPACKAGES)
