"""insarApp with ISCE2's branch-cut unwrapper (``unwrapper name = icu``) and two-stage
unwrapping (``do unwrap 2 stage``) on a simulated pair, checked against the truth.

simulateApp.py makes a focused ALOS pair (ISCE_SLC: no focusing in the test) with speckle,
coherence 0.7, a 300 m baseline over synthetic terrain and a Mogi source (up to 25 cm of
line-of-sight displacement); insarApp.py unwraps it with icu. The bar is mcf's
(tests/apps/test_insarapp_simulated.py): LOS RMSE < 5 mm over the pixels of coherence > 0.5,
unwrapping errors < 0.1 % of them. Measured: 2.8 mm, 0 errors (98 % of the image in one
component); the two-stage product 1.6 mm (the filtered phase), 0 errors.
"""
import numpy as np
import pytest
from isce_commands import run_command

import isce.io
from isce.quality.truth import compare_with_truth, format_comparison

MOGI = "34.5,-116.5,2000,5e6"


@pytest.fixture(scope="module")
def icu_run(tmp_path_factory):
    """The pair unwrapped with icu (two-stage off: the default), and its stderr."""
    folder = tmp_path_factory.mktemp("icu_pair")
    sim = run_command("simulateApp.py", "simulateApp.sensor=ISCE_SLC", "simulateApp.scene=speckle",
                      "simulateApp.dem=true", "simulateApp.pulses=6144", "simulateApp.samples=1280",
                      f"simulateApp.deformation={MOGI}", "simulateApp.coherence=0.7",
                      "simulateApp.seed=7", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    work = folder / "simulation"
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=icu", "--steps",
                      cwd=work, timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return work, app.stderr


def test_icu_meets_the_mcf_bar(icu_run):
    work, log = icu_run
    assert "branch-cut unwrapping: correlation threshold 0.10" in log
    res = compare_with_truth(work, min_coherence=0.5)
    print(format_comparison(res, rmse_limit=5e-3, unwrap_limit=1e-3))
    assert res["pixels_compared"] > 0.5 * res["pixels_total"]
    assert res["los_displacement_rmse_m"] < 5e-3
    assert res["unwrapping_error_fraction"] < 1e-3
    comp = np.array(isce.io.open(work / "interferogram/filt_topophase.unw.conncomp").data)
    assert (comp == 1).mean() > 0.9


def test_two_stage_is_off_by_default_then_ties_the_components(icu_run):
    work, log = icu_run
    product = work / "interferogram/filt_topophase_2stage.unw"
    assert "unwrap2stage: do unwrap 2 stage is off: skipping" in log
    assert not product.exists()
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=icu",
                      "insar.do unwrap 2 stage=True", "--start=unwrap2stage", cwd=work, timeout=300)
    assert app.returncode == 0, app.stderr[-3000:]
    assert "solved by SciPy's HiGHS (ISCE2's SOLVER_2STAGE pulp)" in app.stderr
    tied, unw = isce.io.open(product), isce.io.open(work / "interferogram/filt_topophase.unw")
    assert (tied.bands, tied.width, tied.length) == (2, unw.width, unw.length)
    comp = np.array(isce.io.open(work / "interferogram/filt_topophase.unw.conncomp").data)
    # one component to the nearest (k of label 1 is 0): the phase is the unwrapped one there
    np.testing.assert_array_equal(np.array(tied.band(1))[comp == 1],
                                  np.array(unw.band(1))[comp == 1])
    res = compare_with_truth(work, min_coherence=0.5, unwrapped="filt_topophase_2stage.unw")
    assert res["los_displacement_rmse_m"] < 5e-3 and res["unwrapping_error_fraction"] < 1e-3


@pytest.mark.parametrize("setting, message", [
    ("insar.SOLVER_2STAGE=cplex", "expected one of pulp, glpk, gurobi"),
    ("insar.unwrapper 2stage name=REDARC3", "expected one of MCF, REDARC0, REDARC1, REDARC2"),
])
def test_bad_two_stage_settings_are_refused_before_anything_runs(tmp_path, setting, message):
    (tmp_path / "insarApp.xml").write_text("<insarApp><component name='insar'>"
                                           "<property name='do unwrap 2 stage'>True</property>"
                                           "</component></insarApp>")
    app = run_command("insarApp.py", "insarApp.xml", setting, cwd=tmp_path)
    assert app.returncode == 2 and message in app.stderr
    assert len(app.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["insarApp.xml"]
