"""focus.py from the command line on a simulated ALOS raw product (XML input), as a user
runs it: outputs, the point target's position, settings errors, help and step mode."""
import json

import pytest
from isce_commands import run_command

from focus_helpers import ALOS_CENTRE, alos_scene, measure_targets

LAT, LON = ALOS_CENTRE
TARGET = [(LAT, LON, 0.0)]

FOCUS_XML = """<?xml version="1.0"?>
<focus>
  <component name="focus">
    <property name="raw">raw/ref.raw.json</property>
    <property name="output">slc/ref.slc</property>
    <property name="azimuth weighting">rect</property>
    <property name="number of lines">700</property>
  </component>
</focus>
"""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("focusapp")
    (folder / "raw").mkdir()
    raw, orbit, radar = alos_scene(TARGET, pulses=5600, margin_samples=100,
                                   output=str(folder / "raw" / "ref.raw"))
    (folder / "focus.xml").write_text(FOCUS_XML)
    return folder, orbit, radar


def test_focus_command(workdir):
    from isce.sensors.product import SlcProduct

    folder, orbit, radar = workdir
    proc = run_command("focus.py", "focus.xml", "focus.output start time=", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    prod = SlcProduct.load(folder / "slc" / "ref.slc.json")
    assert prod.length == 700
    assert prod.attributes["doppler_source"] == "metadata"
    assert not (folder / "slc" / "ref.slc.rc").exists()          # intermediate removed
    for suffix in (".xml", ".vrt", ".hdr"):
        assert (folder / "slc" / f"ref.slc{suffix}").exists()
    image = prod.read()
    m = measure_targets(image, prod.radar_grid, TARGET, orbit, radar)[0]
    assert abs(m["dline"]) < 1 / 32 and abs(m["dpixel"]) < 1 / 32
    assert "azimuth" in (folder / "isce.log").read_text()


def test_grid_and_doppler_from_the_command_line(workdir):
    from isce.sensors.product import SlcProduct

    folder, orbit, radar = workdir
    proc = run_command("focus.py", "focus.xml", "focus.output=slc/b.slc", "focus.doppler=0",
                       "focus.number of samples=200", "focus.keep range compressed=yes",
                       "focus.azimuth weighting=hamming", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    prod = SlcProduct.load(folder / "slc" / "b.slc.json")
    assert prod.shape == (700, 200)
    assert prod.attributes["doppler_source"] == "given"
    assert prod.attributes["azimuth_window"] == "hamming"
    assert (folder / "slc" / "b.slc.rc").exists()


def test_settings_errors_and_help(workdir):
    folder, _, _ = workdir
    proc = run_command("focus.py", "focus.xml", "focus.azimuth weighting=triangle", cwd=folder)
    assert proc.returncode == 2
    assert "azimuth weighting" in proc.stderr + proc.stdout
    proc = run_command("focus.py", "focus.raw=missing.json", cwd=folder)
    assert proc.returncode != 0 and "missing.json" in proc.stderr + proc.stdout
    proc = run_command("focus.py", "--help", cwd=folder)
    assert proc.returncode == 0
    for name in ("raw", "output", "range weighting", "azimuth weighting", "kaiser beta",
                 "doppler", "patch lines", "runconfig"):
        assert name in proc.stdout
    proc = run_command("focus.py", "--steps", "--help", cwd=folder)
    assert proc.returncode == 0
    for step in ("prepare", "rangecomp", "doppler", "azimuth", "endup"):
        assert step in proc.stdout


def test_step_mode(workdir):
    folder, _, _ = workdir
    args = ("focus.xml", "focus.output=slc/c.slc")
    proc = run_command("focus.py", *args, "--steps", "--end=doppler", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert (folder / "slc" / "c.slc.rc").exists() and not (folder / "slc" / "c.slc").exists()
    proc = run_command("focus.py", *args, "--start=azimuth", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert (folder / "slc" / "c.slc").exists()
    info = json.loads((folder / "slc" / "c.slc.json").read_text())
    assert info["radar_grid"]["length"] == 700
