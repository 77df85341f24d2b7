"""One insarApp pair enters MintPy without ISCE2 (issue 12, item 2).

simulateApp.py makes a small ALOS pair (focused, ISCE_SLC) with a 300 m perpendicular
baseline over a synthetic DEM; insarApp.py runs it. Its run folder then holds ISCE2
stripmapStack's view: ``Igrams/<d1>_<d2>/filt_<d1>_<d2>.{unw,unw.conncomp,cor}`` (links
with their own sidecars), ``geom_reference/<n>.rdr[.full]``, ``baselines/<d1>_<d2>.txt`` and
``reference/data.rsc`` beside the reference metadata ``reference/reference.slc.xml``.

The MintPy client: a Python with MintPy 1.6 installed and NO isce2: ``.venv-mintpy``, which
``make test`` creates, or ``$ISCE_MINTPY_PYTHON`` (the ``mintpy_python`` fixture). Without it
the test skips, or fails when ``ISCE_REQUIRE_DATA=1`` (CI). MintPy's ``smallbaselineApp.py --dostep load_data`` runs
with a clean environment (no PYTHONPATH: our ``isce`` package must not be found either) and
must read data.rsc (never ISCE2's metadata) and load the pair with its dates, baseline
and size.
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from isce_commands import run_command

import isce.io
from isce.io.mintpy import read_baseline_file, read_rsc

LOOKS = (4, 2)
DATES = ("20080601", "20080717")               # the simulator's ALOS dates (46 days apart)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mintpy_pair")
    sim = run_command("simulateApp.py", "simulateApp.sensor=ISCE_SLC", "simulateApp.scene=speckle",
                      "simulateApp.dem=true", "simulateApp.pulses=6144",
                      "simulateApp.samples=1280", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    work = folder / "simulation"
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=mcf",
                      f"insar.azimuth looks={LOOKS[0]}", f"insar.range looks={LOOKS[1]}",
                      cwd=work, timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return work


def test_insarapp_writes_the_stripmapstack_view(run):
    pair = f"{DATES[0]}_{DATES[1]}"
    report = json.loads((run / "report.json").read_text())
    assert report["mintpy"]["dates"] == list(DATES)
    igrams = run / "Igrams" / pair
    for name, product in ((f"filt_{pair}.unw", "filt_topophase.unw"),
                          (f"filt_{pair}.unw.conncomp", "filt_topophase.unw.conncomp"),
                          (f"filt_{pair}.cor", "phsig.cor")):
        link, target = igrams / name, run / "interferogram" / product
        assert link.resolve() == target.resolve()
        xml = (igrams / f"{name}.xml").read_text()
        assert name in xml and product not in xml         # the sidecar describes the link
        ours, theirs = isce.io.open(link), isce.io.open(target)
        assert (ours.width, ours.length, ours.bands) == (theirs.width, theirs.length, theirs.bands)
    unw = isce.io.open(igrams / f"filt_{pair}.unw")
    geom = run / "geom_reference"
    for name in ("hgt", "lat", "lon", "los", "shadowMask", "incLocal"):
        looked, full = isce.io.open(geom / f"{name}.rdr"), isce.io.open(geom / f"{name}.rdr.full")
        assert (looked.length, looked.width) == (unw.length, unw.width)
        assert (full.length // LOOKS[0], full.width // LOOKS[1]) == (unw.length, unw.width)
    assert (geom / "hgt.rdr.full").resolve() == (run / "geometry" / "z.rdr").resolve()
    # the simulator's baseline is +300 m (away from the Earth): ISCE2 stripmap's sign
    asked = json.loads((run / "simulation.json").read_text())["baseline"]["requested"]
    top, bottom = read_baseline_file(run / "baselines" / f"{pair}.txt")
    assert asked == 300.0 and abs(top - asked) < 2.0 and abs(bottom - asked) < 2.0
    rsc, meta_file = run / "reference" / "data.rsc", run / "reference" / "reference.slc.xml"
    assert rsc.stat().st_mtime_ns > meta_file.stat().st_mtime_ns    # MintPy reads it then
    meta = read_rsc(rsc)
    assert (int(meta["LENGTH"]), int(meta["WIDTH"])) == (unw.length, unw.width)
    assert (meta["ALOOKS"], meta["RLOOKS"]) == tuple(str(v) for v in LOOKS)


TEMPLATE = """\
mintpy.load.processor      = isce
mintpy.load.metaFile       = {run}/reference/reference.slc.xml
mintpy.load.baselineDir    = {run}/baselines
mintpy.load.unwFile        = {run}/Igrams/*/filt_*.unw
mintpy.load.corFile        = {run}/Igrams/*/filt_*.cor
mintpy.load.connCompFile   = {run}/Igrams/*/filt_*.unw.conncomp
mintpy.load.demFile        = {run}/geom_reference/hgt.rdr
mintpy.load.lookupYFile    = {run}/geom_reference/lat.rdr
mintpy.load.lookupXFile    = {run}/geom_reference/lon.rdr
mintpy.load.incAngleFile   = {run}/geom_reference/los.rdr
mintpy.load.azAngleFile    = {run}/geom_reference/los.rdr
mintpy.load.shadowMaskFile = {run}/geom_reference/shadowMask.rdr
"""

SUMMARY = """\
import json, h5py
out = {}
with h5py.File("inputs/ifgramStack.h5") as f:
    out["dates"] = [[d.decode() for d in pair] for pair in f["date"][:]]
    out["bperp"] = f["bperp"][:].tolist()
    out["shape"] = list(f["unwrapPhase"].shape)
    out["phase_sum"] = float(f["unwrapPhase"][0].astype("float64").sum())
    out["attrs"] = {k: str(v) for k, v in f.attrs.items()}
with h5py.File("inputs/geometryRadar.h5") as f:
    out["geometry"] = {k: list(f[k].shape) for k in f.keys()}
print(json.dumps(out))
"""


def _clean_env(python) -> dict:
    """No PYTHONPATH (neither ISCE2 nor our isce importable), the client's bin first."""
    return {"PATH": os.pathsep.join((str(Path(python).parent), "/usr/bin", "/bin")),
            "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", "MPLBACKEND": "Agg"}


def test_mintpy_loads_the_pair_without_isce2(run, tmp_path, mintpy_python):
    python = str(mintpy_python)
    env = _clean_env(python)
    probe = subprocess.run([python, "-c", "import isce"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert probe.returncode != 0, "the MintPy client can import an isce: not an isce-free test"
    (tmp_path / "pair.txt").write_text(TEMPLATE.format(run=run))
    load = subprocess.run([python, "-m", "mintpy.cli.smallbaselineApp", "pair.txt",
                           "--dostep", "load_data"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    output = load.stdout + load.stderr
    assert load.returncode == 0, output[-3000:]
    assert "extract metadata from ISCE" not in output            # ISCE2 never asked
    assert "data.rsc'] exists and is newer than" in output        # our data.rsc was read
    assert "prep_isce.py failed" not in output
    summary = subprocess.run([python, "-c", SUMMARY], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0, summary.stderr[-2000:]
    got = json.loads(summary.stdout)
    pair = f"{DATES[0]}_{DATES[1]}"
    unw = isce.io.open(run / "Igrams" / pair / f"filt_{pair}.unw")
    assert got["dates"] == [list(DATES)]
    assert abs(got["bperp"][0] - 300.0) < 2.0
    assert got["shape"] == [1, unw.length, unw.width]
    assert got["phase_sum"] == pytest.approx(float(np.asarray(unw.band(1), np.float64).sum()),
                                             rel=1e-5)
    attrs = got["attrs"]
    meta = read_rsc(run / "reference" / "data.rsc")
    for key in ("WAVELENGTH", "PRF", "STARTING_RANGE", "HEADING", "EARTH_RADIUS", "HEIGHT",
                "CENTER_LINE_UTC", "LAT_REF1", "LON_REF4"):
        assert attrs[key] == meta[key], key
    assert (attrs["ALOOKS"], attrs["RLOOKS"], attrs["PLATFORM"]) == ("4", "2", "alos")
    for name in ("height", "latitude", "longitude", "incidenceAngle", "azimuthAngle",
                 "shadowMask", "slantRangeDistance"):
        assert got["geometry"][name] == [unw.length, unw.width], name
