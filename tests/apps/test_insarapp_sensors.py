"""A simulated pair in each sensor's format through insarApp, checked against the truth.

For every sensor of :data:`SENSORS` (ISCE2 sensor names the simulator writes,
isce.simulate.formats): simulateApp.py with ``sensor=<S>`` -- the sensor's radar preset,
a speckle scene over a synthetic DEM, three corner reflectors, a Mogi source -- writes
both dates in that format and an insarApp.xml naming the sensor; insarApp.py runs it;
compare_with_truth must find the LOS displacement within 1 mm RMSE, no unwrapping error,
the corner reflectors within 0.1 pixel of where geo2rdr puts them. ISCE_SLC (isce's own
SLC, any preset) runs with each preset of :data:`ISCE_SLC_PRESETS`: the physics of a
preset (wavelength, fringe rates, baseline) is proven apart from any format writer.

Adding a sensor is adding its name to SENSORS (its preset's scene is in :data:`SCENES`).
Each case is CI-sized: pulses just cover a synthetic aperture plus the reflectors and the
Mogi source; the receive window the chirp plus about a kilometre of slant range.
"""
import json
import math
import time
import xml.etree.ElementTree as ET

import pytest
from isce_commands import run_command

from isce.quality.truth import compare_with_truth, format_comparison
from isce.sensors.product import SlcProduct
from isce.simulate.formats import FORMATS

#: the sensors whose simulated pairs run through insarApp
SENSORS = ["ISCE_SLC"]
#: the radar presets an ISCE_SLC pair is simulated with
ISCE_SLC_PRESETS = ["SENTINEL1", "TERRASARX"]

#: per radar preset: pulses, samples (receive window), perpendicular baseline [m] (typical
#: of the mission's orbital tube), corner-reflector offset [deg] from the centre, Mogi
#: volume change [m3] at 1 km depth (a few cm of LOS displacement: a few fringes in X-band)
SCENES = {
    "ALOS": dict(pulses=6144, samples=1536, baseline=300, offset=0.012, volume=5e6, depth=2000),
    "SENTINEL1": dict(pulses=2048, samples=4096, baseline=100, offset=0.005, volume=3e5),
    "TERRASARX": dict(pulses=2800, samples=4608, baseline=150, offset=0.004, volume=2.5e5),
    "COSMO_SKYMED": dict(pulses=2560, samples=4608, baseline=200, offset=0.004, volume=2.5e5),
    "RADARSAT2": dict(pulses=1536, samples=2048, baseline=150, offset=0.005, volume=3e5),
}
CENTRE = (34.5, -116.5)


def _cases():
    cases = []
    for sensor in SENSORS:
        preset = FORMATS[sensor].preset
        for radar in ([preset] if preset else ISCE_SLC_PRESETS):
            cases.append(pytest.param((sensor, radar), id=f"{sensor}-{radar}"))
    return cases


def _targets(offset):
    lat, lon = CENTRE
    return (f"{lat},{lon},0,100; {lat + offset},{lon + offset},0,100; "
            f"{lat - offset},{lon - offset},0,70")


def simulate_and_run(folder, sensor, radar):
    """simulateApp (sensor, preset's scene) then insarApp; the work folder and wall times."""
    s = SCENES[radar]
    extra = [] if FORMATS[sensor].preset else [f"simulateApp.radar={radar}"]
    t0 = time.monotonic()
    sim = run_command("simulateApp.py", f"simulateApp.sensor={sensor}", *extra,
                      "simulateApp.scene=speckle", "simulateApp.dem=true",
                      f"simulateApp.pulses={s['pulses']}", f"simulateApp.samples={s['samples']}",
                      f"simulateApp.baseline={s['baseline']}",
                      f"simulateApp.targets={_targets(s['offset'])}",
                      f"simulateApp.deformation={CENTRE[0]},{CENTRE[1]},{s.get('depth', 1000)},"
                      f"{s['volume']}", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    t1 = time.monotonic()
    work = folder / "simulation"
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=mcf", "--steps",
                      cwd=work, timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return work, {"simulate_s": t1 - t0, "insarapp_s": time.monotonic() - t1}


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


def test_looks_make_ground_pixels_of_30_to_40_m(pair):
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
    assert 25 <= rg * grid.range_pixel_spacing / math.sin(incidence) <= 40
