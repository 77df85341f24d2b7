"""NumPy reference implementations shared with the tests.

The definitions live in tests/kernels/test_orbit_interp.py (the kernels must
match them there); this module loads that file by path so the benchmarks
time exactly the same code. Needs the test extra (pytest, hypothesis).
"""
import importlib.util
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1] / "tests" / "kernels" / "test_orbit_interp.py"


def _load():
    spec = importlib.util.spec_from_file_location("_isce_orbit_interp_reference", _TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_module = _load()
hermite_reference = _module.hermite_reference
legendre_reference = _module.legendre_reference
kepler_circular = _module.kepler_circular
REFERENCE = _module.REFERENCE

__all__ = ["hermite_reference", "legendre_reference", "kepler_circular", "REFERENCE"]
