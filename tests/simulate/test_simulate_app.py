"""simulateApp.py from the command line: both passes' raw data, truth and focus inputs."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "applications" / "simulateApp.py"


def run(*args, cwd):
    from isce_commands import isce_env
    env = isce_env()
    proc = subprocess.run([sys.executable, str(APP), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_alos_pair_with_baseline_and_deformation(tmp_path):
    xml = tmp_path / "sim.xml"
    xml.write_text("""<simulateApp><component name="simulateApp">
      <property name="radar">ALOS</property>
      <property name="targets">34.5,-116.5,100; 34.51,-116.49,300</property>
      <property name="reference date">2009-02-01T17:40:00</property>
      <property name="secondary date">2009-03-19T17:40:00</property>
      <property name="baseline">-450</property>
      <property name="pulses">768</property>
      <property name="noise">0.01</property>
      <property name="deformation">34.5,-116.5,2500,1e6</property>
      <property name="output directory">out</property>
      <property name="dem">yes</property>
    </component></simulateApp>""")
    run(str(xml), cwd=tmp_path)
    out = tmp_path / "out"
    from isce.sensors.raw import RawProduct

    summary = json.loads((out / "simulation.json").read_text())
    assert abs(summary["baseline"]["perpendicular"] + 450) < 2.0
    for name in ("reference", "secondary"):
        raw = RawProduct.load(out / f"{name}.raw.json")
        assert raw.length == 768 and raw.read(slice(0, 2)).shape == (2, raw.width)
        truth = json.loads((out / f"{name}_truth.json").read_text())
        assert [t["status"] for t in truth["targets"]] == [0, 0]
        centre = truth["targets"][0]
        assert abs(centre["line"] - truth["grid"]["length"] / 2) < 20   # scene centred on it
        assert 0 < centre["pixel"] < raw.width
        assert (out / f"focus_{name}.xml").read_text().count(f"{name}.raw.json") == 1
    ref = json.loads((out / "reference_truth.json").read_text())
    sec = json.loads((out / "secondary_truth.json").read_text())
    import isce.io
    dem = isce.io.open(out / "dem.dem")
    lon0, dlon, _, lat0, _, dlat = dem.geo.geotransform
    for t in ref["targets"]:                          # the targets sit on the DEM
        row = (t["lat"] - lat0) / dlat - 0.5
        col = (t["lon"] - lon0) / dlon - 0.5
        block = dem.read(rows=slice(int(row), int(row) + 2))[:, int(col):int(col) + 2]
        assert block.min() - 1.0 < t["height"] < block.max() + 1.0
    assert ref["targets"][0]["azimuth_utc"].startswith("2009-02-01T17:40:00")
    assert sec["targets"][0]["azimuth_utc"].startswith("2009-03-19T17:40:00") or \
        sec["targets"][0]["azimuth_utc"].startswith("2009-03-19T17:39:59.99")
    d = sec["targets"][0]["deformation"]
    assert d["los_displacement_m"] > 0.02 and d["enu_m"][2] > 0.03          # uplift seen
    assert "deformation" not in ref["targets"][0]
    # ALOS CEOS level 1.0 files read back as the same echoes
    from isce.sensors.alos_ceos import read_alos_ceos

    assert "IMAGEFILE" in (out / "insarApp.xml").read_text()
    back = read_alos_ceos(out / "IMG-HH-reference", out / "LED-reference")
    raw = RawProduct.load(out / "reference.raw.json")
    assert (back.length, back.width, back.prf) == (raw.length, raw.width, raw.prf)
    assert back.starting_range == pytest.approx(raw.starting_range, abs=1e-3)
    x, y = raw.read(slice(300, 400)), back.read(slice(300, 400))
    whole = raw.read()
    step = max(np.abs(whole.real).max(), np.abs(whole.imag).max()) / 15.5   # 5-bit quantisation
    assert np.abs(x - y).max() < step


# Runs simulateApp.py with an audit hook that refuses to open (or even look for) any rdf, the
# REE target CSV or anything in a ree_point_target folder: the REE preset is the package's own.
NO_DATA_RUN = """
import os, runpy, sys
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and \\
            isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        name = os.path.basename(path)
        if "ree_point_target" in path or name.endswith(".rdf") or name.startswith("REE_CR_INFO"):
            raise PermissionError(f"simulateApp looked at test data: {path}")
sys.addaudithook(hook)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_ree_case_needs_no_data_folder(tmp_path):
    """simulateApp.radar=REE with every read of an rdf, the target CSV or the REE data
    folder refused: it runs from the package's preset and finds the target where the rdf,
    CSV and runconfig grid put it."""
    from isce_commands import isce_env

    proc = subprocess.run(
        [sys.executable, "-c", NO_DATA_RUN, str(APP), "simulateApp.radar=REE",
         "simulateApp.pulses=600", "simulateApp.output directory=ree"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=isce_env())
    assert proc.returncode == 0, proc.stderr
    truth = json.loads((tmp_path / "ree" / "reference_truth.json").read_text())
    assert truth["radar"]["prf"] == 1650.0515641113786
    (cr,) = truth["targets"]
    assert cr["name"] == "CR1" and abs(cr["slant_range"] - 967524.276) < 0.1
    assert not (tmp_path / "ree" / "secondary.raw").exists()


def test_help_lists_the_properties(tmp_path):
    out = run("--help", cwd=tmp_path).stdout
    for name in ("radar", "targets", "reference date", "secondary date", "baseline", "pulses",
                 "output directory", "noise"):
        assert name in out
