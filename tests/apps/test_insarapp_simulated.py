"""insarApp from raw data to deformation, checked against a simulation's truth.

simulateApp.py makes an ALOS FBS raw pair (CEOS files) over synthetic terrain (100 to
300 m) with speckle, three corner reflectors and a Mogi source (up to 25 cm of line-of-
sight displacement), 300 m perpendicular baseline (height of ambiguity ~190 m: the
terrain is worth about one fringe); insarApp.py runs all its steps on the CEOS files.
Limits from the issue: noise-free (coherence 1): LOS RMSE < 1 mm and no unwrapping
errors; with decorrelation (coherence ~0.7): RMSE < 5 mm over the pixels of coherence
> 0.5, unwrapping errors < 0.1 % of them; topography removed (residual uncorrelated with
height).
"""
import json

import pytest
from isce_commands import run_command

from isce.io.mintpy import read_baseline_file
from isce.quality.truth import compare_with_truth, format_comparison

PULSES, SAMPLES = 6144, 1536
MOGI = "34.5,-116.5,2000,5e6"


def simulate_and_run(folder, *extra):
    sim = run_command("simulateApp.py", "simulateApp.scene=speckle", "simulateApp.dem=true",
                      f"simulateApp.pulses={PULSES}", f"simulateApp.samples={SAMPLES}",
                      f"simulateApp.deformation={MOGI}", *extra, cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    work = folder / "simulation"
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=mcf", "--steps",
                      cwd=work, timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return work


@pytest.fixture(scope="module")
def noise_free(tmp_path_factory):
    return simulate_and_run(tmp_path_factory.mktemp("noise_free"))


@pytest.fixture(scope="module")
def decorrelated(tmp_path_factory):
    return simulate_and_run(tmp_path_factory.mktemp("decorrelated"), "simulateApp.coherence=0.7",
                            "simulateApp.seed=7")


def test_noise_free_pair_recovers_the_deformation_to_a_millimetre(noise_free):
    res = compare_with_truth(noise_free)
    print(format_comparison(res, rmse_limit=1e-3, unwrap_limit=0.0))
    lo, hi = res["truth_los_range_m"]
    assert hi - lo > 0.2                          # the deformation is there to recover
    assert res["pixels_compared"] > 0.95 * res["pixels_total"]
    assert res["los_displacement_rmse_m"] < 1e-3
    assert res["unwrapping_error_fraction"] == 0.0
    assert res["mean_coherence"] > 0.9


def test_topography_is_removed(noise_free):
    res = compare_with_truth(noise_free)
    h0, h1 = res["height_range_m"]
    # the topographic phase is worth 0.55 mm of LOS per metre of height at this baseline:
    # over > 100 m of relief > 55 mm (half a fringe) if it were left in
    assert h1 - h0 > 100.0
    assert abs(res["residual_per_100m_height_m"]) < 1e-3       # < 1/55 of it left
    assert abs(res["residual_height_correlation"]) < 0.2


def test_corner_reflectors_are_where_geo2rdr_puts_them(noise_free):
    res = compare_with_truth(noise_free)
    targets = [v for per in res["point_targets"].values() for v in per.values()]
    assert len(targets) == 6 and all("error" not in v for v in targets), res["point_targets"]
    assert res["point_target_max_offset_px"] < 0.1
    for v in targets:
        assert abs(v["azimuth_pslr_db"] + 13.26) < 1.5 and abs(v["range_pslr_db"] + 13.26) < 1.5


def test_insarapp_report_has_step_times_and_memory(noise_free):
    report = json.loads((noise_free / "report.json").read_text())
    steps = report["steps"]
    assert {"formslc", "topo", "misregistration", "unwrap", "geocode"} <= set(steps)
    assert all(s["wall_s"] >= 0 and s["peak_rss_mib"] > 10 for s in steps.values())
    # focusing two 6k x 1.5k raw images is the longest step
    assert max(steps, key=lambda k: steps[k]["wall_s"]) in ("formslc", "topo")


def test_decorrelated_pair_within_five_millimetres(decorrelated):
    res = compare_with_truth(decorrelated, min_coherence=0.5)
    print(format_comparison(res, rmse_limit=5e-3, unwrap_limit=1e-3))
    assert 0.55 < res["mean_coherence"] < 0.8
    assert res["pixels_compared"] > 0.5 * res["pixels_total"]
    assert res["los_displacement_rmse_m"] < 5e-3
    assert res["unwrapping_error_fraction"] < 1e-3
    assert abs(res["residual_height_correlation"]) < 0.2


def test_killed_while_focusing_resumes_to_identical_products(noise_free, tmp_path):
    """SIGKILL during formslc (raw data being focused), then --next: every product equals the
    uninterrupted run's byte for byte."""
    import filecmp
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from isce_commands import APPLICATIONS, isce_env

    for f in noise_free.iterdir():
        if f.name.startswith(("IMG-", "LED-", "dem.dem")) or f.name == "insarApp.xml":
            shutil.copy(f, tmp_path / f.name)
    args = [sys.executable, str(APPLICATIONS / "insarApp.py"), "insarApp.xml",
            "insar.unwrapper name=mcf"]
    err = open(tmp_path / "stderr.txt", "w+")
    proc = subprocess.Popen([*args, "--steps"], cwd=tmp_path, env=isce_env(),
                            stdout=subprocess.DEVNULL, stderr=err,
                            preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    deadline = time.time() + 120
    # the first date's focusing has started (the focuser's log line; stderr is a file here,
    # so no progress bar shows)
    while "isce.focus.pipeline: Doppler centroid" not in (tmp_path / "stderr.txt").read_text():
        assert proc.poll() is None and time.time() < deadline, "formslc never started"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(60) == -signal.SIGKILL
    saved = {p.stem for p in (tmp_path / "PICKLE").glob("*.json")}
    assert saved == {"startup", "preprocess", "cropraw"}, saved    # cropraw: no region, nothing cut
    assert not (tmp_path / "reference" / "reference.slc.xml").exists()
    done = subprocess.run([*args, "--next"], cwd=tmp_path, env=isce_env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resuming at 'formslc'" in done.stderr
    compared = 0
    for folder in ("reference", "secondary", "geometry", "offsets", "coregisteredSlc",
                   "interferogram", "geo"):
        for f in sorted((noise_free / folder).rglob("*")):
            if f.is_file() and not f.name.endswith(".json"):
                other = tmp_path / f.relative_to(noise_free)
                assert other.is_file(), other
                assert filecmp.cmp(f, other, shallow=False), f"{f.relative_to(noise_free)} differs"
                compared += 1
    assert compared > 60


def test_insarapp_report_has_the_simulated_dates_and_baseline(noise_free):
    from datetime import datetime, timedelta

    report = json.loads((noise_free / "report.json").read_text())
    sim = json.loads((noise_free / "simulation.json").read_text())
    passes = {role: datetime.fromisoformat(p["time"]) for role, p in sim["passes"].items()}
    for role, when in passes.items():
        mid = datetime.fromisoformat(report["acquisitions"][role]["sensing_mid_utc"].rstrip("Z"))
        assert abs(mid - when) < timedelta(seconds=2), role        # the scene centre's time
    assert report["acquisitions"]["temporal_baseline_days"] == pytest.approx(
        (passes["secondary"] - passes["reference"]) / timedelta(days=1), abs=1e-6)
    # the simulated 300 m perpendicular baseline, in ISCE2 stripmapApp's sign (the simulator's
    # "positive away from the Earth", as the baseline file MintPy reads); top to bottom it
    # turns by < 1 m
    baseline = report["baseline"]
    assert abs(baseline["perpendicular_middle_m"] - sim["baseline"]["perpendicular"]) < 1.0
    top, bottom = read_baseline_file(next((noise_free / "baselines").glob("*.txt")))
    assert (top, bottom) == pytest.approx((baseline["perpendicular_top_m"],
                                           baseline["perpendicular_bottom_m"]), abs=1e-6)
    assert abs(baseline["parallel_middle_m"] - sim["baseline"]["parallel"]) < 1.0
    assert abs(baseline["perpendicular_top_m"] - baseline["perpendicular_bottom_m"]) < 1.0


def test_raw_pair_manifests_record_what_each_step_writes_and_reads(noise_free):
    """The raw pair's products, their sidecars and the DEM's ISCE XML are in the last
    manifest, each with the step that makes it (or first reads it): editing or deleting one
    between steps is refused on --next (tests/apps/test_insarapp_state.py)."""
    manifest = json.loads((noise_free / "PICKLE" / "endup.json").read_text())
    outputs = {p: r["step"] for p, r in manifest["outputs"].items()}
    inputs = {p: r["step"] for p, r in manifest["inputs"].items()}
    for role in ("reference", "secondary"):
        assert outputs[f"{role}/{role}.raw.json"] == "preprocess"
        for suffix in ("", ".xml", ".json"):
            assert outputs[f"{role}/{role}.slc{suffix}"] == "formslc"
    assert outputs["offsets/misreg_az.json"] == "misregistration"
    assert outputs["coregisteredSlc/refined_coreg.slc"] == "refined_resample"
    # geometry + misregistration offsets are added in memory: no stage here reads them back
    assert not any(p.startswith("offsets/refined/") for p in outputs)
    assert inputs["offsets/misreg_az.json"] == "refined_resample"
    assert inputs[str(noise_free / "dem.dem.xml")] == "verifyDEM"
    assert all("sha256" in r for p, r in manifest["outputs"].items() if p.endswith((".json", ".xml")))
