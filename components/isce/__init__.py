"""isce: InSAR Scientific Computing Environment, re-created as a modern Python package.

Importing ``isce`` is kept cheap: subpackages (``isce.framework``, ``isce.core``,
``isce.io``, ...) are imported on first attribute access.

As in ISCE, the applications can then be used from the interpreter by their command names
(``from insarApp import Insar``; see :mod:`isce._appmodules`), and the state a step saved
read back with ``isce.load_state("PICKLE/<step>")`` (:func:`isce.apps.state.load_state`).
"""
import os as _os

from . import _appmodules
from ._lazy import attach as _attach

# An idle OpenMP thread of GNU's runtime (libgomp: isce's kernels and pyFFTW's FFTW threads)
# spins up to GOMP_SPINCOUNT (300000) times before it sleeps; between a step's kernel calls
# that spinning took the core the step's own reader/writer threads were waiting for (topo:
# 0.6 s of CPU of 7.5 on 2 cores). Spin briefly instead, unless the user chose a policy.
# Read once, when a runtime loads: from here, before any kernel or pyFFTW is imported.
if "OMP_WAIT_POLICY" not in _os.environ and "GOMP_SPINCOUNT" not in _os.environ:
    _os.environ["GOMP_SPINCOUNT"] = "10000"

from . import version  # noqa: F401 - isce.version is part of the package's interface
from .version import release_version as __version__  # noqa: F401 - the package's version

_SUBPACKAGES = frozenset({
    "framework", "core", "io", "sensors", "focus", "geometry", "dem", "offsets",
    "signal", "unwrap", "simulate", "quality", "apps", "ext",
})


_appmodules.install()   # last on sys.meta_path: ``import insarApp`` after ``import isce``

__getattr__, __dir__ = _attach(__name__, _SUBPACKAGES, {"load_state": "apps.state"})
