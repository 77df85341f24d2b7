"""A simulated pair in each sensor's format through insarApp, checked against the truth.

For every sensor of :data:`SENSORS` (ISCE2 sensor names the simulator writes,
isce.simulate.formats): simulateApp.py with ``sensor=<S>`` -- the sensor's radar preset,
a speckle scene over a synthetic DEM, three corner reflectors, a Mogi source -- writes
both dates in that format and an insarApp.xml naming the sensor; insarApp.py runs it;
compare_with_truth must find the LOS displacement within 1 mm RMSE, no unwrapping error,
the corner reflectors within 0.1 pixel of where geo2rdr puts them. ISCE_SLC (isce's own
SLC, any preset), when listed, runs with each preset of :data:`ISCE_SLC_PRESETS`: the
physics of a preset apart from any format writer (not in the list: every preset is run
through its mission's own format).

Adding a sensor is adding its name to SENSORS (its preset's scene is in
``sensor_scenes.SCENES``).
Each case is CI-sized: pulses just cover a synthetic aperture plus the reflectors and the
Mogi source; the receive window the chirp plus about a kilometre of slant range.
"""
import json
import math
import xml.etree.ElementTree as ET

import pytest
from sensor_scenes import simulate_and_run

from isce.quality.truth import compare_with_truth, format_comparison
from isce.sensors.product import SlcProduct
from isce.simulate.formats import FORMATS

#: the sensors whose simulated pairs run through insarApp
SENSORS = ["SENTINEL1", "TERRASARX", "COSMO_SKYMED_SLC", "COSMO_SKYMED", "RADARSAT2",
           "ALOS_SLC", "ALOS2", "RADARSAT1", "ERS", "ERS_SLC", "ENVISAT", "ENVISAT_SLC",
           "ERS_ENVISAT", "ERS_ENVISAT_SLC"]
#: the radar presets an ISCE_SLC pair is simulated with
ISCE_SLC_PRESETS = ["SENTINEL1", "TERRASARX"]


def _cases():
    cases = []
    for sensor in SENSORS:
        preset = FORMATS[sensor].preset
        for radar in ([preset] if preset else ISCE_SLC_PRESETS):
            cases.append(pytest.param((sensor, radar), id=f"{sensor}-{radar}"))
    return cases


@pytest.fixture(scope="module", params=_cases())
def pair(request, tmp_path_factory):
    sensor, radar = request.param
    work, times = simulate_and_run(tmp_path_factory.mktemp(f"{sensor}_{radar}"), sensor, radar)
    return sensor, radar, work, times


def _reader_settings(work):
    """The sensor name and per-date reader properties insarApp.xml gives."""
    insar = ET.parse(work / "insarApp.xml").getroot().find("component")
    sensor = insar.find("property[@name='sensor name']").text.strip()
    dates = {c.get("name"): {p.get("name"): p.text.strip() for p in c.findall("property")}
             for c in insar.findall("component")}
    return sensor, dates


def test_insarapp_ran_the_sensors_reader_on_the_writers_files(pair):
    sensor, radar, work, _ = pair
    named, dates = _reader_settings(work)
    assert named == sensor
    sim = json.loads((work / "simulation.json").read_text())
    assert sim["sensor"] == sensor and sim["radar"]["wavelength"] > 0
    # the settings insarApp ran with (its saved state): that sensor, the writer's files
    config = json.loads((work / "PICKLE" / "preprocess.json").read_text())["config"]
    assert config["insarApp.sensor name"] == sensor
    for role, props in dates.items():
        files = {k: v for k, v in props.items() if k != "OUTPUT"}
        assert files, f"{role}: the writer returned no reader property"
        for key, value in files.items():
            used = config[f"insarApp.{role.capitalize()}.{key}"]
            assert used.endswith(value) and (work / value).exists(), (key, used)


def test_pair_recovers_the_truth(pair):
    sensor, radar, work, times = pair
    res = compare_with_truth(work)
    print(f"{sensor} ({radar}): simulate {times['simulate_s']:.1f} s, insarApp "
          f"{times['insarapp_s']:.1f} s")
    print(format_comparison(res, rmse_limit=1e-3, unwrap_limit=0.0))
    lo, hi = res["truth_los_range_m"]
    assert hi - lo > 0.025                       # a few cm of deformation to recover
    assert res["pixels_compared"] > 0.95 * res["pixels_total"]
    assert res["los_displacement_rmse_m"] < 1e-3
    assert res["unwrapping_error_fraction"] == 0.0
    targets = [v for per in res["point_targets"].values() for v in per.values()]
    assert len(targets) == 6 and all("error" not in v for v in targets), res["point_targets"]
    assert res["point_target_max_offset_px"] < 0.1


def test_looks_make_ground_pixels_of_about_30_to_40_m(pair):
    """insarApp.xml's looks, times the pixel sizes of the focused reference, on the ground."""
    _, _, work, _ = pair
    report = json.loads((work / "report.json").read_text())
    az, rg = report["looks"]
    ref = SlcProduct.load(work / "reference" / "reference.slc.json")
    grid = ref.radar_grid
    t = grid.sensing_start + 0.5 * grid.length / grid.prf
    pos, vel = ref.orbit.interpolate(t)
    radius = math.sqrt(sum(x * x for x in pos))
    ground_speed = math.sqrt(sum(v * v for v in vel)) * 6371e3 / radius
    sim = json.loads((work / "simulation.json").read_text())
    look = math.radians(sim["radar"]["look_angle"])
    incidence = math.asin(radius / 6371e3 * math.sin(look))
    assert 30 <= az * ground_speed / grid.prf <= 45
    # range: the nearest whole number of looks to 30 m, at least 25 m (ERS: two looks, 40.5 m)
    assert 25 <= rg * grid.range_pixel_spacing / math.sin(incidence) <= 42
