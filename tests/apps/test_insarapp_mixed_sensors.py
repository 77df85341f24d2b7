"""insarApp with the two dates from different sensors, and raw data too short to focus.

* Mixed pair: simulateApp.py makes the ALOS raw pair of test_insarapp_simulated.py (speckle,
  terrain, Mogi source); focus.py focuses the secondary beforehand (focus_secondary.xml);
  insarApp.py then takes the CEOS raw reference (``reference sensor name = ALOS``) and that
  focused secondary (``secondary sensor name = ISCE_SLC``, its ``.slc.json``). The result
  must meet the all-raw limits (LOS RMSE < 1 mm, no unwrapping error), and formslc must
  focus the reference only.
* The ISCE_SLC reader refuses a missing or corrupt JSON, a raw product's JSON, and an image
  missing or truncated, with one InputError line naming the file.
* Raw data shorter than the synthetic aperture are refused in preprocess (status 2, one
  line: the file, its pulses and the pulses the aperture needs), not after formslc starts:
  a cut-down CEOS copy of the simulated reference, and the real ALOS-1 NISAR L0B file of
  the real test data (1000 pulses; proves the L0B reader is wired into insarApp).
"""
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from isce_commands import run_command

from isce.framework import InputError
from isce.quality.truth import compare_with_truth, format_comparison

REPO = Path(__file__).resolve().parents[2]
L0B = ("alos1_l0b", "ALPSRP264757150-H1.0__A_HH_LINE4000-5000_RANGE0-2200.h5")   # test data
PULSES, SAMPLES = 6144, 1536
MOGI = "34.5,-116.5,2000,5e6"


def insar_xml(path, *, sensors, reference, secondary, extra=""):
    """insarApp input: ``sensors`` = {property: sensor}, the dates' properties as dicts."""
    def props(d):
        return "".join(f'<property name="{k}">{v}</property>' for k, v in d.items())

    names = "".join(f'<property name="{k}">{v}</property>' for k, v in sensors.items())
    path.write_text(f'<insarApp><component name="insar">\n  {names}\n  {extra}\n'
                    f'  <component name="reference">{props(reference)}</component>\n'
                    f'  <component name="secondary">{props(secondary)}</component>\n'
                    f'</component></insarApp>\n')
    return path


def error_line(proc):
    """The one error line of a refused run (status 2, no traceback)."""
    err = proc.stderr
    assert proc.returncode == 2, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    lines = [ln.strip() for ln in err.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err[-3000:]
    return lines[0]


def announced_steps(wd):
    return re.findall(r"step \d+/\d+ '(\w+)'", (wd / "isce.log").read_text())


@pytest.fixture(scope="module")
def simulation(tmp_path_factory):
    """The simulated pair, its secondary focused by focus.py."""
    folder = tmp_path_factory.mktemp("mixed")
    sim = run_command("simulateApp.py", "simulateApp.scene=speckle", "simulateApp.dem=true",
                      f"simulateApp.pulses={PULSES}", f"simulateApp.samples={SAMPLES}",
                      f"simulateApp.deformation={MOGI}", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    work = folder / "simulation"
    foc = run_command("focus.py", "focus_secondary.xml", cwd=work, timeout=900)
    assert foc.returncode == 0, foc.stderr[-3000:]
    assert (work / "secondary.slc.json").is_file()
    return work


@pytest.fixture(scope="module")
def mixed(simulation):
    """insarApp on the raw CEOS reference and the focused secondary (in its own folder:
    the simulation's insarApp.xml would be read too in the simulation folder)."""
    wd = simulation.parent / "insar_mixed"
    wd.mkdir()
    xml = insar_xml(wd / "mixed.xml",
                    sensors={"reference sensor name": "ALOS", "secondary sensor name": "ISCE_SLC"},
                    reference={"IMAGEFILE": simulation / "IMG-HH-reference",
                               "LEADERFILE": simulation / "LED-reference"},
                    secondary={"PRODUCT": simulation / "secondary.slc.json"},
                    extra=f'<property name="azimuth looks">12</property>'
                          f'<property name="range looks">4</property>'
                          f'<property name="demFilename">{simulation / "dem.dem"}</property>')
    app = run_command("insarApp.py", xml, "insar.unwrapper name=mcf", "--steps", cwd=wd,
                      timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return wd


# ----------------------------------------------------------------------------- mixed pair
def test_raw_alos_reference_with_a_focused_secondary_recovers_the_deformation(simulation, mixed):
    res = compare_with_truth(mixed, simulation)
    print(format_comparison(res, rmse_limit=1e-3, unwrap_limit=0.0))
    lo, hi = res["truth_los_range_m"]
    assert hi - lo > 0.2
    assert res["pixels_compared"] > 0.95 * res["pixels_total"]
    assert res["los_displacement_rmse_m"] < 1e-3
    assert res["unwrapping_error_fraction"] == 0.0
    assert res["mean_coherence"] > 0.9
    assert abs(res["residual_height_correlation"]) < 0.2


def test_formslc_focused_the_reference_only(simulation, mixed):
    log = (mixed / "isce.log").read_text()
    assert "reference: raw, 6144 pulses" in log and "secondary: SLC, " in log
    focused = re.findall(r"formslc: (\w+): focused to", log)
    assert focused == ["reference"], focused
    assert (mixed / "reference" / "reference.raw.json").is_file()
    assert not (mixed / "secondary" / "secondary.raw.json").exists()
    # the secondary SLC is focus.py's image, copied by preprocess
    sec = json.loads((mixed / "secondary" / "secondary.slc.json").read_text())
    assert sec["attributes"]["extracted_from"] == str(simulation / "secondary.slc")
    done = json.loads((mixed / "report.json").read_text())["steps"]
    assert {"preprocess", "formslc", "unwrap", "geocode"} <= set(done)


# ----------------------------------------------------------------------------- the reader
def test_isce_slc_reader_returns_the_product(simulation):
    import isce.sensors
    from isce.sensors import SlcProduct

    reader = isce.sensors.create("isce_slc", name="secondary")
    assert reader.parameter("PRODUCT").mandatory and reader.parameter("SLC") is reader.parameter("PRODUCT")
    reader.product_file = simulation / "secondary.slc.json"
    product = reader.parse()
    assert isinstance(product, SlcProduct)
    assert product == SlcProduct.load(simulation / "secondary.slc.json")
    assert product.source.path == str(simulation / "secondary.slc")
    reader.product_file = simulation / "secondary.slc"          # the raster, .json beside it
    assert reader.parse() == product


@pytest.mark.parametrize("case, words", [
    ("missing", ["no such file"]),
    ("corrupt", ["not a valid JSON file", "truncated or corrupt"]),
    ("raw", ["raw echoes' metadata, not a focused SLC"]),
    ("no image", ["secondary.slc: no such file", "the image of the SLC product"]),
    ("truncated image", ["secondary.slc: unusable image", "truncated", "file holds 1000 bytes"]),
])
def test_isce_slc_reader_errors_name_the_file(simulation, tmp_path, case, words):
    import isce.sensors

    for f in simulation.glob("secondary.slc*"):
        shutil.copyfile(f, tmp_path / f.name)
    path = tmp_path / "secondary.slc.json"
    if case == "missing":
        path.unlink()
    elif case == "corrupt":
        path.write_text(path.read_text()[:700])
    elif case == "raw":
        path.write_text((simulation / "reference.raw.json").read_text())
    elif case == "no image":
        (tmp_path / "secondary.slc").unlink()
    else:
        with open(tmp_path / "secondary.slc", "r+b") as fh:
            fh.truncate(1000)
    reader = isce.sensors.create("ISCE_SLC")
    reader.product_file = path
    with pytest.raises(InputError) as err:
        reader.parse()
    message = str(err.value)
    assert "\n" not in message and str(tmp_path) in message, message
    for word in words:
        assert word in message, (word, message)


# ----------------------------------------------------------------------------- too short
def test_raw_shorter_than_the_aperture_is_refused_in_preprocess(simulation, tmp_path):
    """A CEOS copy of the simulated reference cut to 2000 pulses (the aperture is ~4700)."""
    from isce.simulate.alos_ceos import write_ceos
    from isce.sensors.raw import RawProduct

    raw = RawProduct.load(simulation / "reference.raw.json")
    img, led = tmp_path / "IMG-HH-short", tmp_path / "LED-short"
    write_ceos(replace(raw, length=2000), img, led)
    wd = tmp_path / "run"
    wd.mkdir()
    date = {"IMAGEFILE": img, "LEADERFILE": led}
    xml = insar_xml(wd / "short.xml", sensors={"sensor name": "ALOS"}, reference=date,
                    secondary={"IMAGEFILE": simulation / "IMG-HH-secondary",
                               "LEADERFILE": simulation / "LED-secondary"})
    line = error_line(run_command("insarApp.py", xml, "--steps", cwd=wd))
    assert str(img) in line and "the reference raw data have 2000 pulses" in line, line
    need = int(re.search(r"needs at least (\d+) pulses", line).group(1))
    assert 4500 < need <= PULSES, line            # ALOS FBS at ~870 km: ~2.2 s at 2160 Hz
    assert announced_steps(wd)[-1] == "preprocess"
    assert not (wd / "reference" / "reference.raw.json").exists()


def test_nisar_l0b_too_short_is_refused_in_preprocess(tmp_path, shared_data):
    """The real ALOS-1 L0B file (1000 pulses) as both dates: read by the NISAR_L0B reader,
    then refused from its metadata with the pulses it has and needs."""
    l0b = shared_data(*L0B)
    date = {"HDF5": l0b}
    xml = insar_xml(tmp_path / "l0b.xml", sensors={"sensor name": "NISAR_L0B"}, reference=date,
                    secondary=date)
    line = error_line(run_command("insarApp.py", xml, "--steps", cwd=tmp_path))
    assert str(l0b) in line, line
    assert "the reference raw data have 1000 pulses" in line and "synthetic aperture" in line, line
    need = int(re.search(r"needs at least (\d+) pulses", line).group(1))
    assert 6000 < need < 9000, line               # 0.8 PRF of band at ~850 km: ~3.4 s
    assert announced_steps(tmp_path) == ["startup", "preprocess"]
