"""Resume after a kill (issue 5, item 5): an insarApp.py run killed by a signal while a step
is running continues with ``--next`` (or ``--start=<that step>``) and ends with products
bit-identical to an uninterrupted run; the kill never leaves a product that looks complete
but is not, and SIGTERM/SIGINT end the run with one line and a non-zero status.

The runs are real ``applications/insarApp.py`` processes on the San Andreas UAVSAR pair.
The steps take a fraction of a second on this small pair, so to kill *inside* a chosen step
the killed run gets a ``sitecustomize`` (a test-only directory first on its PYTHONPATH) that
holds the process still right after it has written the first block of a chosen raster —
the raster's temporary file is on disk, the step is half done — and says so with a marker
file; the test then sends the signal. One test kills with no hook at all, at the moment the
log announces a step.
"""
import filecmp
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from isce_commands import APPLICATIONS, isce_env, run_command

# the San Andreas input file and product list of test_insarapp.py (tests/apps is no package)
_spec = importlib.util.spec_from_file_location("_insarapp_tests",
                                               Path(__file__).with_name("test_insarapp.py"))
_insarapp_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_insarapp_tests)
insar_xml, PRODUCTS = _insarapp_tests.insar_xml, _insarapp_tests.PRODUCTS
STEPS = _insarapp_tests.STEP_NAMES
NOT_PRODUCTS = {"isce.log", "report.json", "insarApp.xml", "stderr.txt", "paused"}
WAIT = 120  # s: the longest a killed run may take to reach its pause point

PAUSE_HOOK = '''\
"""Test-only: hold an isce run still inside a step (see tests/apps/test_insarapp_kill.py)."""
import os
import time

_target = os.environ.get("ISCE_TEST_PAUSE_IN")
if _target:
    from isce.io import raster as _raster

    _marker = os.environ["ISCE_TEST_PAUSE_MARKER"]

    def _pause():
        # until the test removes the marker, after its signal (a writer thread -- topo writes
        # in one -- must then end for the run to unwind)
        with open(_marker, "w"):
            pass
        while os.path.exists(_marker):
            time.sleep(0.05)

    _write = _raster.RasterWriter.write
    _write_rows = _raster.RasterWriter.write_rows

    def _write_then_pause(self, block, rows=None, band=None):
        _write(self, block, rows, band)
        if os.path.abspath(self.path) == _target:
            _pause()

    def _write_rows_then_pause(self, block, rows):
        _write_rows(self, block, rows)
        if os.path.abspath(self.path) == _target:
            _pause()

    _raster.RasterWriter.write = _write_then_pause
    _raster.RasterWriter.write_rows = _write_rows_then_pause
'''


@pytest.fixture(scope="module")
def write_xml(shared_data):
    """``write_xml(folder)``: the San Andreas insarApp.xml of the straight and killed runs."""
    data = shared_data("sanandreas")
    return lambda folder: insar_xml(folder / "insarApp.xml", data, looks=4, unwrapper="mcf")


@pytest.fixture(scope="module")
def straight(tmp_path_factory, write_xml):
    """One uninterrupted plain run, shared by every test of this file."""
    wd = tmp_path_factory.mktemp("straight")
    write_xml(wd)
    proc = run_command("insarApp.py", "insarApp.xml", cwd=wd)
    assert proc.returncode == 0, proc.stderr
    return wd


@pytest.fixture(scope="module")
def hook_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pause_hook")
    (folder / "sitecustomize.py").write_text(PAUSE_HOOK)
    return folder


def _default_signals():
    # the killed run starts as from a terminal, even under a runner that ignores SIGINT/SIGTERM
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start_run(wd, *args, env=None):
    """``insarApp.py insarApp.xml args...`` in the background, stderr to ``wd/stderr.txt``."""
    with open(wd / "stderr.txt", "w") as err:
        return subprocess.Popen([sys.executable, str(APPLICATIONS / "insarApp.py"), "insarApp.xml", *args],
                                cwd=wd, env=env or isce_env(), stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=_default_signals)


def wait_for(proc, wd, ready):
    """Poll until ``ready()``; fail with the run's stderr if it ends first or takes too long."""
    deadline = time.monotonic() + WAIT
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"the run ended (status {proc.returncode}) before the kill point:\n"
                        + (wd / "stderr.txt").read_text()[-3000:])
        time.sleep(0.02)


def run_paused_and_kill(wd, hook_dir, product, sig):
    """Start a ``--steps`` run, wait until it has written the first block of ``product``
    (inside its step), send ``sig``; returns (exit status, stderr)."""
    env = isce_env()
    env["PYTHONPATH"] = os.pathsep.join([str(hook_dir), env["PYTHONPATH"]])
    env["ISCE_TEST_PAUSE_IN"] = str(wd / product)
    env["ISCE_TEST_PAUSE_MARKER"] = str(wd / "paused")
    proc = start_run(wd, "--steps", env=env)
    wait_for(proc, wd, (wd / "paused").exists)
    proc.send_signal(sig)
    time.sleep(0.3)                     # the signal is handled, then the pause is released
    (wd / "paused").unlink()
    status = proc.wait(timeout=60)
    return status, (wd / "stderr.txt").read_text()


def manifests(wd):
    """{step: manifest} of the steps whose state is saved (state file and manifest both present)."""
    found = {}
    for path in (wd / "PICKLE").glob("*.json"):
        manifest = json.loads(path.read_text())
        if (wd / "PICKLE" / manifest["step"]).is_file():
            found[manifest["step"]] = manifest
    return found


def recorded_outputs(wd):
    """Every output file some saved manifest records, as resolved paths."""
    return {(wd / p).resolve() for m in manifests(wd).values() for p in m.get("outputs", {})}


def completed_steps(wd):
    done = manifests(wd)
    return [s for s in STEPS if s in done]


def assert_nothing_looks_complete_but_is_not(wd):
    """Every raster with a sidecar has the size its sidecar says; every output a manifest
    records is there with its recorded size."""
    import isce.io

    for vrt in wd.rglob("*.vrt"):
        isce.io.open(vrt.with_suffix(""))  # RasterError if the data are shorter than described
    for step, manifest in manifests(wd).items():
        for path, rec in manifest.get("outputs", {}).items():
            assert (wd / path).stat().st_size == rec["size"], (step, path)


def temporaries(wd):
    return sorted(str(p.relative_to(wd)) for p in wd.rglob(".*") if p.is_file())


def resume(wd, *args):
    proc = run_command("insarApp.py", "insarApp.xml", *args, cwd=wd)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def assert_same_products(straight, resumed):
    """Every file the uninterrupted run made (PRODUCTS, geo/*, SLCs, offsets, sidecars...)
    is byte-identical after the kill and the resume; so are report.json's summary numbers
    (not its timings)."""
    made = sorted(p.relative_to(straight) for p in straight.rglob("*")
                  if p.is_file() and p.name not in NOT_PRODUCTS and "PICKLE" not in p.parts)
    names = {str(p) for p in made}
    assert set(PRODUCTS) <= names and any(n.startswith("geo/") and n.endswith(".geo") for n in names)
    for rel in made:
        assert (resumed / rel).is_file(), f"{rel} missing after the resume"
        assert filecmp.cmp(straight / rel, resumed / rel, shallow=False), f"{rel} differs"
    summary = ("mean_coherence", "misregistration", "geocoded", "looks")
    reports = [json.loads((wd / "report.json").read_text()) for wd in (straight, resumed)]
    assert {k: reports[0].get(k) for k in summary} == {k: reports[1].get(k) for k in summary}


def test_sigkill_inside_coarse_resample_then_next(straight, hook_dir, tmp_path, write_xml):
    """SIGKILL half-way through writing coregisteredSlc/coarse_coreg.slc: only a hidden
    temporary is left, never the final name or a sidecar; --next redoes coarse_resample
    from the state saved after geo2rdr, sweeps the temporary, and matches the straight run."""
    write_xml(tmp_path)
    status, _ = run_paused_and_kill(tmp_path, hook_dir, "coregisteredSlc/coarse_coreg.slc", signal.SIGKILL)
    assert status == -signal.SIGKILL
    assert completed_steps(tmp_path) == STEPS[:STEPS.index("coarse_resample")]
    slc = tmp_path / "coregisteredSlc" / "coarse_coreg.slc"
    assert not [p.name for p in slc.parent.glob("coarse_coreg.slc*")]  # no data, no .xml/.vrt/.hdr
    left = temporaries(tmp_path / "coregisteredSlc")
    assert len(left) == 1 and left[0].startswith(".coarse_coreg.slc.") and left[0].endswith(".partial")
    assert slc.resolve() not in recorded_outputs(tmp_path)
    assert_nothing_looks_complete_but_is_not(tmp_path)

    log = resume(tmp_path, "--next")
    assert "resuming at 'coarse_resample' from the state saved after 'geo2rdr'" in log
    assert completed_steps(tmp_path) == STEPS
    assert temporaries(tmp_path / "coregisteredSlc") == []  # the dead run's temporary is swept
    assert_same_products(straight, tmp_path)


def test_sigterm_inside_topo_then_start_there(straight, hook_dir, tmp_path, write_xml):
    """SIGTERM while topo writes its rasters: one line (no traceback), status 143, every
    topo temporary removed and no geometry/*.rdr; --start=topo resumes from the state saved
    after verifyDEM and matches the straight run."""
    write_xml(tmp_path)
    status, err = run_paused_and_kill(tmp_path, hook_dir, "geometry/los.rdr", signal.SIGTERM)
    assert status == 128 + signal.SIGTERM
    assert "Traceback" not in err
    assert err.rstrip().splitlines()[-1] == ("insarApp.py: interrupted by SIGTERM; "
                                             "completed steps are saved: continue with --next")
    assert completed_steps(tmp_path) == STEPS[:STEPS.index("topo")]
    assert list((tmp_path / "geometry").iterdir()) == []  # aborted writers leave nothing
    assert temporaries(tmp_path) == []
    assert_nothing_looks_complete_but_is_not(tmp_path)

    log = resume(tmp_path, "--start=topo")
    assert "resuming at 'topo' from the state saved after 'verifyDEM'" in log
    assert_same_products(straight, tmp_path)


def test_sigint_inside_filter_leaves_neither_product(straight, hook_dir, tmp_path, write_xml):
    """SIGINT (Ctrl-C) in the filter step while phsig.cor is written: the filtered
    interferogram is written alongside (phase sigma follows it block by block), so neither
    is left, nor a temporary; status 130, one line; --next redoes the step; same products."""
    write_xml(tmp_path)
    status, err = run_paused_and_kill(tmp_path, hook_dir, "interferogram/phsig.cor", signal.SIGINT)
    assert status == 128 + signal.SIGINT
    assert "Traceback" not in err and err.rstrip().splitlines()[-1].startswith(
        "insarApp.py: interrupted by SIGINT")
    assert completed_steps(tmp_path) == STEPS[:STEPS.index("filter")]
    for name in ("filt_topophase.flat", "phsig.cor"):
        assert not (tmp_path / "interferogram" / name).exists()
    assert temporaries(tmp_path) == []
    assert_nothing_looks_complete_but_is_not(tmp_path)

    log = resume(tmp_path, "--next")
    assert f"from the state saved after '{STEPS[STEPS.index('filter') - 1]}'" in log
    assert_same_products(straight, tmp_path)


def test_sigint_inside_unwrap_redoes_the_step(straight, hook_dir, tmp_path, write_xml):
    """SIGINT (Ctrl-C) in the unwrap step after filt_topophase.unw is complete but while
    topophase.unw is written: status 130, one line; filt_topophase.unw is whole but recorded
    in no manifest, so --next (from the state before unwrap) writes it again; same products."""
    write_xml(tmp_path)
    status, err = run_paused_and_kill(tmp_path, hook_dir, "interferogram/topophase.unw",
                                      signal.SIGINT)
    assert status == 128 + signal.SIGINT
    assert "Traceback" not in err and err.rstrip().splitlines()[-1].startswith(
        "insarApp.py: interrupted by SIGINT")
    assert completed_steps(tmp_path) == STEPS[:STEPS.index("unwrap")]
    filt = tmp_path / "interferogram" / "filt_topophase.unw"
    assert filt.is_file() and not (tmp_path / "interferogram" / "topophase.unw").exists()
    assert filt.resolve() not in recorded_outputs(tmp_path)
    assert temporaries(tmp_path) == []
    assert_nothing_looks_complete_but_is_not(tmp_path)
    before = filt.stat().st_ino

    log = resume(tmp_path, "--next")
    assert f"resuming at 'unwrap' from the state saved after '{STEPS[STEPS.index('unwrap') - 1]}'" in log
    assert filt.stat().st_ino != before  # written again, not trusted from the killed run
    assert_same_products(straight, tmp_path)


def test_sigkill_when_misregistration_is_announced_no_hook(straight, tmp_path, write_xml):
    """A plain --steps run (no test hook) killed with SIGKILL as soon as its log announces
    misregistration: whatever the kill caught, nothing looks complete that is not, the saved
    state is usable, and --next ends with the products of the straight run."""
    write_xml(tmp_path)
    proc = start_run(tmp_path, "--steps")
    announced = f"step {STEPS.index('misregistration') + 1}/{len(STEPS)} 'misregistration'"
    wait_for(proc, tmp_path, lambda: announced in (tmp_path / "stderr.txt").read_text())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    done = completed_steps(tmp_path)
    assert done == STEPS[:len(done)] and len(done) >= STEPS.index("misregistration")
    assert_nothing_looks_complete_but_is_not(tmp_path)

    log = resume(tmp_path, "--next")
    if len(done) < len(STEPS):
        assert f"resuming at '{STEPS[len(done)]}'" in log
    assert_same_products(straight, tmp_path)
