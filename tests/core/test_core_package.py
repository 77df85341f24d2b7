"""isce.core stays cheap to import and exposes its names lazily."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMPONENTS = Path(__file__).resolve().parents[2] / "components"


def test_import_is_cheap_and_lazy():
    code = (
        "import sys, isce\n"
        "had_numpy = 'numpy' in sys.modules\n"
        "import isce.core\n"
        "assert had_numpy or 'numpy' not in sys.modules, 'isce.core imported numpy eagerly'\n"
        "assert 'isce.core.orbit' not in sys.modules, 'isce.core imported orbit eagerly'\n"
        "assert 'scipy' not in sys.modules\n"
        "E = isce.core.Ellipsoid\n"
        "assert E is sys.modules['isce.core.ellipsoid'].Ellipsoid\n"
        "assert 'isce.core.orbit' not in sys.modules\n"
        "assert 'scipy' not in sys.modules, 'scipy must only load for spline LUTs'\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(COMPONENTS) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_lazy_names():
    import isce.core as core

    from isce.core.doppler import zero_doppler
    from isce.core.ellipsoid import WGS84
    from isce.core.lut import LUT2d
    from isce.core.radargrid import LookSide, RadarGrid
    from isce.core.time import DateTime

    assert core.WGS84 is WGS84 and core.RadarGrid is RadarGrid and core.LookSide is LookSide
    assert core.DateTime is DateTime and core.LUT2d is LUT2d and core.zero_doppler is zero_doppler
    assert core.SPEED_OF_LIGHT == 299792458.0
    assert {"Orbit", "Ellipsoid", "RadarGrid", "DateTime", "LUT2d", "Poly2d"} <= set(dir(core))
    with pytest.raises(AttributeError):
        core.NoSuchThing  # noqa: B018
