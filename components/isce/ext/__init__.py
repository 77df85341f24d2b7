"""Compiled kernels of isce (C++ in ``library/``, built by SCons).

Modules here (``_core``, ...) are extension modules. Import them through
:func:`load` to get a clear message when they have not been built::

    from isce.ext import load
    _core = load("_core")
"""
from importlib import import_module

__all__ = ["load", "NOT_BUILT"]

NOT_BUILT = ("isce's compiled kernels are not built: run `scons` in the source tree "
             "or `pip install .`")


def load(name="_core"):
    """Import and return the compiled module ``isce.ext.<name>``.

    Raises ImportError (with NOT_BUILT and the original reason) if the module
    is missing or was built for another Python.
    """
    fullname = f"{__name__}.{name}"
    try:
        return import_module(fullname)
    except ModuleNotFoundError as exc:
        if exc.name != fullname:
            raise
        raise ImportError(f"{NOT_BUILT} ({fullname} not found)", name=fullname) from exc
    except ImportError as exc:  # present but unloadable (ABI/symbol mismatch)
        raise ImportError(f"{NOT_BUILT} ({fullname} failed to load: {exc}); rebuild it",
                          name=fullname) from exc
