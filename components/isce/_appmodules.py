"""ISCE's interpreter idiom: ``import isce`` then ``from insarApp import Insar``.

ISCE2's ``__init__`` put its applications folder on ``sys.path``, so each command could be
imported by its name. Here each command in ``applications/`` is a launcher of an
``isce.apps`` module, and ``import isce`` appends to ``sys.meta_path`` (last) a finder that
answers exactly the shipped command names with that module itself (``insarApp`` and
``stripmapApp`` are ``isce.apps.insar``). Being last it is asked only when no other finder
knows the name, so a module of the user's called ``topo`` or ``insarApp`` always wins;
``sys.path`` is left alone.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import sys

#: command name (``applications/<name>.py``) -> the isce.apps module defining its class
APPLICATION_MODULES = {
    "crossmul": "isce.apps.crossmul",
    "dem": "isce.apps.demstitch",
    "fixImageXml": "isce.apps.fiximagexml",
    "focus": "isce.apps.focus",
    "geo2rdr": "isce.apps.geo2rdr",
    "geocode": "isce.apps.geocode",
    "imageMath": "isce.apps.imagemath",
    "insarApp": "isce.apps.insar",
    "isce2gis": "isce.apps.isce2gis",
    "looks": "isce.apps.looks",
    "mdx": "isce.apps.quicklook",
    "pointTarget": "isce.apps.pointtarget",
    "resampleSlc": "isce.apps.resample",
    "simulateApp": "isce.apps.simulate",
    "stackStripMap": "isce.apps.stack",
    "stripmapApp": "isce.apps.insar",
    "topo": "isce.apps.topo",
}


class _AliasLoader:
    """Loads a command name as its isce.apps module: one module object under two names."""

    def __init__(self, target: str):
        self.target = target
        self.own_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module):
        # the import system has just set the alias's spec on the module: give it its own back
        # (reload, pickling by reference and introspection go by the real name)
        module.__spec__ = self.own_spec


class ApplicationFinder:
    """``sys.meta_path`` finder of the shipped command names (top-level names only)."""

    def find_spec(self, fullname, path=None, target=None):
        module = APPLICATION_MODULES.get(fullname) if path is None else None
        if module is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))

    def invalidate_caches(self):
        """Nothing cached (the names are fixed)."""


def install(meta_path: list | None = None) -> None:
    """Append the finder to ``meta_path`` (default ``sys.meta_path``) unless it is there."""
    meta_path = sys.meta_path if meta_path is None else meta_path
    if not any(isinstance(f, ApplicationFinder) for f in meta_path):
        meta_path.append(ApplicationFinder())
