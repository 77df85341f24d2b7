"""One date from each of two sensors of the same band: a Sentinel-1 SM reference and a
RADARSAT-2 secondary (both C-band, 5.405 GHz) through insarApp, checked against the truth.

simulateApp.py makes the Sentinel-1 pair (speckle, DEM, corner reflectors, Mogi source); the
focused secondary it wrote (``secondary.slc.json``) is written again by the RADARSAT-2 writer,
so insarApp reads the reference with SENTINEL1 and the secondary with RADARSAT2 (``reference
sensor name`` / ``secondary sensor name``). The result must meet the single-sensor limits.
Dates of different bands are refused in preprocess (tests/apps/test_insarapp_bands.py)."""
import json

import pytest
from isce_commands import run_command
from sensor_scenes import simulate

from isce.quality.truth import compare_with_truth, format_comparison
from isce.sensors.product import SlcProduct
from isce.simulate.radarsat2 import write_radarsat2


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    sim = simulate(tmp_path_factory.mktemp("s1_rs2"), "SENTINEL1", "SENTINEL1")
    reference = json.loads((sim / "simulation.json").read_text())
    rs2 = write_radarsat2(SlcProduct.load(sim / "secondary.slc.json"), sim, "secondary")
    s1 = {"SAFE": reference["files"]["reference"]["SAFE"]}
    wd = sim.parent / "run"
    wd.mkdir()
    props = lambda d: "".join(f'<property name="{k}">{sim / v}</property>' for k, v in d.items())  # noqa: E731
    (wd / "mixed.xml").write_text(
        '<insarApp><component name="insar">'
        '<property name="reference sensor name">SENTINEL1</property>'
        '<property name="secondary sensor name">RADARSAT2</property>'
        f'<property name="demFilename">{sim / "dem.dem"}</property>'
        '<property name="azimuth looks">11</property><property name="range looks">7</property>'
        f'<component name="reference">{props(s1)}</component>'
        f'<component name="secondary">{props(rs2)}</component>'
        '</component></insarApp>\n')
    app = run_command("insarApp.py", "mixed.xml", "insar.unwrapper name=mcf", "--steps", cwd=wd,
                      timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return sim, wd


def test_sentinel1_reference_with_a_radarsat2_secondary_recovers_the_truth(mixed):
    sim, wd = mixed
    # each date was read by its sensor's reader from that sensor's files
    for role, image in (("reference", ".tiff"), ("secondary", ".tif")):   # S1 measurement, RS2 imagery
        slc = SlcProduct.load(wd / role / f"{role}.slc.json")
        assert slc.attributes["extracted_from"].endswith(image), slc.attributes["extracted_from"]
    res = compare_with_truth(wd, sim)
    print(format_comparison(res, rmse_limit=1e-3, unwrap_limit=0.0))
    lo, hi = res["truth_los_range_m"]
    assert hi - lo > 0.025
    assert res["pixels_compared"] > 0.95 * res["pixels_total"]
    assert res["los_displacement_rmse_m"] < 1e-3
    assert res["unwrapping_error_fraction"] == 0.0
    assert res["point_target_max_offset_px"] < 0.1
