"""isce.unwrap: the ``unwrapper name`` registry, lazy import, the licence note."""
import subprocess
import sys

import numpy as np
import pytest

import isce.unwrap


def test_import_is_lazy():
    code = ("import sys, isce.unwrap; "
            "heavy = [m for m in ('scipy', 'ortools', 'snaphu', 'isce.unwrap.mcf') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_readme_paragraph_states_the_licences():
    doc = isce.unwrap.__doc__
    assert "non-commercial use" in doc and "CS2" in doc
    assert "mcf" in doc and "no such restriction" in doc


#: ISCE2 stripmapApp's runUnwrapSnaphu.runUnwrap (and insarApp's runUnwrapMcf)
ISCE2_SNAPHU = {"cost": "smooth", "init": "mcf", "init_only": True, "defomax": 2.0,
                "max_components": 20}


@pytest.mark.parametrize("name, canon, fixed", [
    ("snaphu", "snaphu", ISCE2_SNAPHU), ("SNAPHU_MCF", "snaphu", ISCE2_SNAPHU),
    ("snaphu-mcf", "snaphu", ISCE2_SNAPHU), ("snaphu_full", "snaphu", {"init_only": False}),
    ("mcf", "mcf", {}), ("ICU", "icu", {}), (" Grass ", "grass", {}),
])
def test_names(name, canon, fixed):
    assert isce.unwrap.canonical_name(name) == (canon, fixed)


def test_every_accepted_name_is_listed():
    from isce.apps.insar import UNWRAPPERS
    from isce.apps.insar_settings import UNWRAPPERS_AVAILABLE
    from isce.unwrap.registry import NAMES

    assert set(UNWRAPPERS) == set(UNWRAPPERS_AVAILABLE) == set(NAMES)
    for name in NAMES:
        isce.unwrap.canonical_name(name)


@pytest.mark.parametrize("name, module", [("icu", "isce.unwrap.icu"),
                                          (" Grass ", "isce.unwrap.grass")])
def test_isce2_branch_cut_names_run_branch_cut_unwrappers(name, module):
    """ISCE2's icu and grass run our branch-cut unwrappers (not mcf, not refused)."""
    from isce.unwrap.registry import _module

    assert _module(name, {})[0].__name__ == module


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="did you mean 'snaphu'"):
        isce.unwrap.canonical_name("snafu")


def test_conflicting_fixed_option():
    with pytest.raises(ValueError, match="init"):
        isce.unwrap.unwrap_array("snaphu_mcf", np.ones((4, 4), np.complex64), init="mst")


def test_unwrap_array_dispatches():
    y, x = np.mgrid[0:20, 0:30]
    z = np.exp(0.5j * x).astype(np.complex64)
    res = isce.unwrap.unwrap_array("mcf", z)
    np.testing.assert_allclose(res.phase - res.phase[0, 0], 0.5 * x, atol=1e-5)
    assert isinstance(res, isce.unwrap.Unwrapped)


@pytest.mark.parametrize("name", ["mcf", "snaphu", "snaphu_full", "icu", "grass"])
def test_unwrap_rasters_by_name(tmp_path, name):
    import isce.io

    y, x = np.mgrid[0:40, 0:50]
    z = np.exp(0.4j * x + 0.2j * y).astype(np.complex64)
    isce.io.write(tmp_path / "f.flat", z, image_type="cpx")
    isce.io.write(tmp_path / "c.cor", np.ones(z.shape, np.float32), image_type="cor")
    out, cc = isce.unwrap.unwrap(name, tmp_path / "f.flat", tmp_path / "c.cor", tmp_path / "f.unw")
    phase = np.array(isce.io.open(out).band(1))
    np.testing.assert_allclose(phase - phase[0, 0], 0.4 * x + 0.2 * y, atol=1e-3)
    assert np.array(isce.io.open(cc).data).min() == 1
    _, none = isce.unwrap.unwrap(name, tmp_path / "f.flat", tmp_path / "c.cor", tmp_path / "g.unw",
                                 conncomp=None)
    assert none is None and not (tmp_path / "g.unw.conncomp").exists()
