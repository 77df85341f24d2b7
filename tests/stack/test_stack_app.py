"""stackStripMap.py end to end on a small simulated stack of 4 dates (issue 12, items 1 and
3): ISCE2 stripmapStack's layout, the reference pair equal to insarApp's, the phase of
pairs without the reference (closure), idempotence and resume from the products on disk.
"""
import json

import isce.io
import numpy as np
import pytest
from isce.io import mintpy
from isce.io.layout import StackLayout

REF = "20040703"
ALL_PAIRS = [(a, b) for i, a in enumerate(("20040703", "20040807", "20040911", "20041016"))
             for b in ("20040703", "20040807", "20040911", "20041016")[i + 1:]]


def _read(path):
    return isce.io.open(str(path)).read()


def test_layout_is_stripmapstack(local_run, stack_tools):
    run = StackLayout(str(local_run))
    stack = json.loads(run.stack_json.read_text())
    assert stack["dates"] == list(stack_tools.dates) and stack["reference"] == REF
    assert [tuple(p) for p in stack["pairs"]] == ALL_PAIRS       # default thresholds: all pairs
    shape = _read(run.slc(REF)).shape
    for date in stack_tools.dates:
        merged = _read(run.merged_slc(date))
        assert merged.shape == shape and np.count_nonzero(merged) > 0.9 * merged.size
        assert run.merged_slc(date).with_suffix(".full.xml").is_file()
    assert run.merged_slc(REF).read_bytes() == run.slc(REF).read_bytes()   # the reference as is
    for name in ("hgt", "lat", "lon", "los", "incLocal"):
        geom = isce.io.open(str(run.geometry_full(name)))
        assert (geom.length, geom.width) == shape
    for d1, d2 in ALL_PAIRS:
        unw = isce.io.open(str(run.igram(d1, d2, "unw")))
        assert (unw.length, unw.width) == (shape[0] // 4, shape[1] // 2)
        for kind in ("int", "cor", "filt_int", "filt_cor", "conncomp"):
            assert run.igram(d1, d2, kind).is_file() and \
                run.igram(d1, d2, kind).with_name(run.igram(d1, d2, kind).name + ".xml").is_file()
        assert (local_run / "logs" / f"igram_{d1}_{d2}.log").read_text().count("done") == 1
    # the perpendicular baselines of the simulation (120, -90, 40 m) in the network's metadata
    # (ISCE2 stripmapStack's sign, the simulator's)
    bperp = stack["perpendicular_baseline_m"]
    np.testing.assert_allclose([bperp[d] for d in stack_tools.dates], [0, 120, -90, 40], atol=1.0)


def test_what_mintpy_loads(local_run, stack_tools):
    """Geometry at the interferograms' looks, ISCE2 stripmapStack's baseline files (per date
    vs the reference, and per pair) and data.rsc newer than the reference's metadata."""
    run = StackLayout(str(local_run))
    shape = _read(run.slc(REF)).shape
    looked = (shape[0] // 4, shape[1] // 2)
    for name in ("hgt", "lat", "lon", "los", "shadowMask", "incLocal"):
        full, at_looks = isce.io.open(str(run.geometry_full(name))), isce.io.open(str(run.geometry(name)))
        assert (at_looks.length, at_looks.width) == looked and at_looks.bands == full.bands
    lat_full, lat = _read(run.geometry_full("lat")), _read(run.geometry("lat"))
    np.testing.assert_allclose(lat[1, 2], lat_full[4:8, 4:6].mean(), rtol=0, atol=1e-9)
    top_bottom = {d: mintpy.read_baseline_file(run.baseline(REF, d)) for d in stack_tools.dates[1:]}
    assert not run.baseline(REF, REF).exists()
    for date, simulated in zip(stack_tools.dates[1:], (120.0, -90.0, 40.0)):
        np.testing.assert_allclose(top_bottom[date], simulated, atol=1.0)
    d1, d2 = "20040807", "20040911"
    np.testing.assert_allclose(mintpy.read_baseline_file(run.pair_baseline(d1, d2)),
                               np.subtract(top_bottom[d2], top_bottom[d1]), atol=1e-9)
    rsc_path = run.data_rsc(REF)
    xml = run.merged_slc(REF).with_name(run.merged_slc(REF).name + ".xml")
    assert rsc_path.stat().st_mtime_ns > xml.stat().st_mtime_ns
    rsc = mintpy.read_rsc(rsc_path)
    assert (int(rsc["LENGTH"]), int(rsc["WIDTH"])) == looked
    assert (rsc["ALOOKS"], rsc["RLOOKS"], rsc["PROCESSOR"]) == ("4", "2", "isce")


def test_reference_pair_equals_insarapp(local_run, sim_stack, stack_tools, tmp_path):
    """The (reference, date) interferogram of the stack is insarApp's for that pair, to the
    byte (same library chain, same settings)."""
    (tmp_path / "insarApp.xml").write_text(f"""<insarApp><component name="insar">
      <property name="sensor name">ISCE_SLC</property>
      <property name="azimuth looks">4</property><property name="range looks">2</property>
      <property name="filter strength">0.8</property>
      <property name="demFilename">{sim_stack.dem}</property>
      <component name="reference"><property name="PRODUCT">{sim_stack.slcs}/20040703/reference.slc.json</property></component>
      <component name="secondary"><property name="PRODUCT">{sim_stack.slcs}/20040911/secondary.slc.json</property></component>
    </component></insarApp>""")
    result = stack_tools.run("insarApp.py", "insarApp.xml", "--end=unwrap", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    run = StackLayout(str(local_run))
    d2 = "20040911"
    for ours, theirs in (("int", "topophase.flat"), ("filt_int", "filt_topophase.flat"),
                         ("filt_cor", "phsig.cor"), ("unw", "filt_topophase.unw")):
        a, b = _read(run.igram(REF, d2, ours)), _read(tmp_path / "interferogram" / theirs)
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5 * float(np.abs(b).max()))


def test_pairs_without_the_reference_close(local_run):
    """unw(d1,d2) + unw(d2,d3) = unw(d1,d3) over coherent pixels (up to whole cycles): the
    geometric phase of a pair of secondaries is removed with the right sign."""
    run = StackLayout(str(local_run))
    d1, d2, d3 = "20040807", "20040911", "20041016"
    coh = _read(run.igram(d1, d3, "filt_cor"))
    unw = {p: _read(run.igram(*p, "unw"))[1] for p in ((d1, d2), (d2, d3), (d1, d3))}
    mask = coh > 0.5
    assert mask.mean() > 0.5
    closure = unw[(d1, d2)] + unw[(d2, d3)] - unw[(d1, d3)]
    cycles = np.round(np.median(closure[mask]) / (2 * np.pi))
    residual = closure[mask] - 2 * np.pi * cycles
    assert np.sqrt(np.mean(residual ** 2)) < 0.3            # rad
    # wrapped closure of the unfiltered interferograms too (no unwrapping involved)
    ifg = {p: _read(run.igram(*p, "int")) for p in ((d1, d2), (d2, d3), (d1, d3))}
    wrapped = np.angle(ifg[(d1, d2)] * ifg[(d2, d3)] * np.conj(ifg[(d1, d3)]))
    assert np.sqrt(np.mean(wrapped[mask] ** 2)) < 0.4
    # and the pair does show the geometry it must remove: without it, fringes
    assert np.std(np.angle(ifg[(d2, d3)][mask])) < 1.0


def test_second_run_does_nothing(local_run, sim_stack, stack_tools, tmp_path):
    """Tasks are idempotent: a second run rewrites no product, marker or task log."""
    folder = stack_tools.copy_run(local_run, tmp_path / "run")
    before = stack_tools.mtimes(folder)
    result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack), cwd=folder)
    assert result.returncode == 0, result.stderr[-2000:]
    after = stack_tools.mtimes(folder)
    changed = sorted(k for k in before if after.get(k) != before[k])
    assert changed == [] and set(after) - set(before) == set()


def test_resume_reruns_only_what_is_missing(local_run, sim_stack, stack_tools, tmp_path):
    """--start=interferograms after a pair's unwrapped phase was lost: that pair alone is
    made again (byte-identical), the others and the coregistered dates are left alone."""
    folder = stack_tools.copy_run(local_run, tmp_path / "run")
    run = StackLayout(str(folder))
    lost = ("20040807", "20041016")
    expected = run.igram(*lost, "unw").read_bytes()
    run.igram(*lost, "unw").unlink()
    before = stack_tools.mtimes(folder)
    result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack),
                             "--start=interferograms", cwd=folder)
    assert result.returncode == 0, result.stderr[-2000:]
    assert run.igram(*lost, "unw").read_bytes() == expected
    after = stack_tools.mtimes(folder)
    changed = {k for k in before if after.get(k) != before[k]}
    pair_dir = f"Igrams/{lost[0]}_{lost[1]}/"
    assert changed and all(k.startswith((pair_dir, "logs/igram_" + "_".join(lost),
                                         "tasks/igram_" + "_".join(lost)))
                           for k in changed), sorted(changed)


def test_dates_as_reader_xml_files(sim_stack, stack_tools, tmp_path):
    """'dates': one reader XML per date (relative paths from the XML's folder) instead of a
    folder of dates; the network is chosen from them (sequential 1: neighbours only)."""
    files = []
    for name in stack_tools.dates[:3]:
        slc = next((sim_stack.slcs / name).glob("*.slc.json"))
        xml = sim_stack.slcs / name / "date.xml"
        xml.write_text(f'<date><component name="date"><property name="sensor name">ISCE_SLC'
                       f'</property><property name="PRODUCT">{slc.name}</property></component></date>')
        files.append(str(xml))
    result = stack_tools.run("stackStripMap.py", f"stackStripMap.dates={files}",
                             "stackStripMap.sequential=1", "stackStripMap.workers=1",
                             "--end=preprocess", cwd=tmp_path)
    for f in files:
        (sim_stack.slcs / f).unlink()
    assert result.returncode == 0, result.stderr[-2000:]
    stack = json.loads((tmp_path / "stack.json").read_text())
    assert stack["pairs"] == [["20040703", "20040807"], ["20040807", "20040911"]]


@pytest.mark.parametrize("case", ["no dates", "one date", "unknown reference", "mixed tracks",
                                  "no sensor patterns", "thresholds leave no pair"])
def test_bad_input_one_line_exit_2(case, sim_stack, stack_tools, tmp_path):
    """Bad inputs end with one line and status 2 before any image is read or written."""
    folder = tmp_path / "dates"
    folder.mkdir()
    args = ["stackStripMap.sensor name=ISCE_SLC", f"stackStripMap.slc directory={folder}",
            "stackStripMap.workers=1"]
    if case in ("one date", "unknown reference", "mixed tracks", "thresholds leave no pair",
                "no sensor patterns"):
        (folder / "20040703").symlink_to(sim_stack.slcs / "20040703")
    if case in ("unknown reference", "thresholds leave no pair"):
        (folder / "20040807").symlink_to(sim_stack.slcs / "20040807")
    if case == "mixed tracks":
        (folder / "20041120").symlink_to(sim_stack.other_track)
    extra = {"unknown reference": ["stackStripMap.reference date=20010101"],
             "no sensor patterns": ["stackStripMap.sensor name=ERS"],
             "thresholds leave no pair": ["stackStripMap.baseline threshold=120"]}.get(case, [])
    (folder / "notes").mkdir()               # not a date folder
    result = stack_tools.run("stackStripMap.py", *args, *extra, cwd=tmp_path)
    message = {"no dates": "no date folders", "one date": "at least 2 dates",
               "unknown reference": "reference date 20010101: not one of the dates",
               "mixed tracks": "different tracks", "no sensor patterns": "not found by name",
               "thresholds leave no pair": "no pair of the 2 dates"}[case]
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr[-2000:]
    assert not (tmp_path / "SLC").exists() and not (tmp_path / "merged").exists()


def test_bad_scheduler_fails_fast(sim_stack, stack_tools, tmp_path, connect_timeout_env):
    """A scheduler that does not answer: one line, status 2, within Dask's connect timeout."""
    for target, message in (("tcp://127.0.0.1:1", "no answer within 2s"),
                            (str(tmp_path / "missing.json"), "nor an existing scheduler file")):
        result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack),
                                 f"stackStripMap.scheduler={target}", cwd=tmp_path, timeout=60)
        assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
        assert not (tmp_path / "stack.json").exists()


def test_raw_dates_are_focused_as_insarapp_does(stack_tools, tmp_path):
    """Raw dates (ENVISAT level 0 from the simulator) in date folders with their reader XML
    (<date>/<date>.xml): focused to SLC/<date>/, and the pair's interferogram is insarApp's
    on the same raw pair."""
    sim = tmp_path / "sim"
    sim.mkdir()
    result = stack_tools.run("simulateApp.py", "simulateApp.sensor=ENVISAT",
                             *(s for s in stack_tools.simulation if "sensor" not in s
                               and "radar" not in s),
                             "simulateApp.output directory=out",
                             "simulateApp.secondary date=2004-08-07T20:53:38", cwd=sim)
    assert result.returncode == 0, result.stderr[-2000:]
    out = sim / "out"
    for role, date in (("reference", "20040703"), ("secondary", "20040807")):
        props = "".join(f'<property name="{k}">../../{role}/{next((out / role).glob(p)).name}'
                        '</property>'
                        for k, p in (("IMAGEFILE", "ASA_IM*.N1"), ("INSTRUMENTFILE", "ASA_INS*"),
                                     ("ORBITFILE", "DOR_VOR*")))
        (out / "dates" / date).mkdir(parents=True)
        (out / "dates" / date / f"{date}.xml").write_text(
            f'<component name="{date}"><property name="sensor name">ENVISAT</property>{props}'
            '</component>')
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    result = stack_tools.run("stackStripMap.py", f"stackStripMap.slc directory={out / 'dates'}",
                             f"stackStripMap.demFilename={out / 'dem.dem'}",
                             *stack_tools.looks, "stackStripMap.workers=2", cwd=run_dir)
    assert result.returncode == 0, result.stderr[-2000:]
    result = stack_tools.run("insarApp.py", "insarApp.xml", "insarApp.azimuth looks=4",
                             "insarApp.range looks=2", "insarApp.filter strength=0.8",
                             "--end=interferogram", cwd=out)
    assert result.returncode == 0, result.stderr[-2000:]
    run = StackLayout(str(run_dir))
    assert json.loads((run_dir / "stack.json").read_text())["raw"] == ["20040703", "20040807"]
    ours = _read(run.igram("20040703", "20040807", "int"))
    theirs = _read(out / "interferogram" / "topophase.flat")
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * float(np.abs(theirs).max()))
    assert _read(run.slc("20040807")).shape == _read(out / "secondary" / "secondary.slc").shape
