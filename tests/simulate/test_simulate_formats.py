"""simulateApp.sensor: the writer registry (isce.simulate.formats), the mission radar presets,
and the sensor/radar settings of simulateApp.

The presets are checked against numbers the missions publish: Sentinel-1 against a real
S1A S3 SLC annotation (S1A_S3_SLC__1SDV_20210401T152855: rangePixelSpacing 2.246363 m,
azimuthPixelSpacing 3.553380 m, incidenceAngleMidSwath 32.03 deg), the others against their
product specifications' pixel spacings and resolutions (see the presets' docstrings).
"""
import json
import math
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from isce_commands import run_command

from isce.apps.simulate import RADARS, insar_looks, resolve_sensor
from isce.framework.errors import ConfigurationError
from isce.sensors.isce_slc import read_isce_slc
from isce.sensors.product import SlcProduct
from isce.simulate.formats import FORMATS, WriterFormat, load_writer, writer_format
from isce.simulate.radar import PRESETS, preset

EARTH_RADIUS, GM = 6371e3, 3.986004418e14


# ------------------------------------------------------------------ registry
def test_every_format_names_a_level_a_writer_and_a_known_preset():
    assert {"ALOS", "SENTINEL1", "TERRASARX", "COSMO_SKYMED_SLC", "COSMO_SKYMED", "RADARSAT2",
            "ISCE_SLC"} <= set(FORMATS)
    for name, fmt in FORMATS.items():
        assert fmt.sensor == name and fmt.level in ("raw", "slc")
        module, _, function = fmt.writer.partition(":")
        assert module.startswith("isce.simulate.") and function.startswith("write_")
        assert fmt.preset is None or fmt.preset in PRESETS
    assert FORMATS["COSMO_SKYMED"].level == "raw" and FORMATS["ALOS"].level == "raw"
    assert FORMATS["COSMO_SKYMED_SLC"].level == "slc"


def test_sensor_names_are_looked_up_as_isce_does():
    assert writer_format("sentinel1") is FORMATS["SENTINEL1"]
    assert writer_format(" Cosmo_SkyMed_SLC ") is FORMATS["COSMO_SKYMED_SLC"]


def test_unknown_sensor_lists_the_choices():
    with pytest.raises(ConfigurationError) as err:
        writer_format("JERS")
    message = str(err.value)
    assert "'JERS'" in message and all(name in message for name in FORMATS)


def test_a_missing_writer_module_is_one_clear_error():
    fmt = WriterFormat("NOSAT", "slc", "isce.simulate.no_such_writer:write_nosat", "ALOS")
    with pytest.raises(ConfigurationError, match=r"NOSAT: its writer .* is not available"):
        load_writer(fmt)
    fmt = WriterFormat("NOSAT", "slc", "isce.simulate.formats:write_nosat", "ALOS")
    with pytest.raises(ConfigurationError, match="no writer function write_nosat"):
        load_writer(fmt)


def test_a_writer_whose_own_import_fails_is_not_reported_as_missing(tmp_path, monkeypatch):
    """A writer module that exists but lacks a dependency shows the real error."""
    (tmp_path / "broken_writer_mod.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fmt = WriterFormat("BROKEN", "slc", "broken_writer_mod:write_broken", "ALOS")
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        load_writer(fmt)
    sys.modules.pop("broken_writer_mod", None)


def test_alos_and_isce_slc_writers_are_found():
    assert load_writer(FORMATS["ALOS"]).__name__ == "write_alos"
    assert load_writer(FORMATS["ISCE_SLC"]).__name__ == "write_isce_slc"


# ------------------------------------------------------------------ sensor and radar settings
def test_sensor_and_radar_resolve_to_one_preset():
    assert resolve_sensor(None, None) == ("ALOS", FORMATS["ALOS"])
    assert resolve_sensor("SENTINEL1", None) == ("SENTINEL1", FORMATS["SENTINEL1"])
    assert resolve_sensor("SENTINEL1", "sentinel1") == ("SENTINEL1", FORMATS["SENTINEL1"])
    assert resolve_sensor("COSMO_SKYMED_SLC", None)[0] == "COSMO_SKYMED"
    assert resolve_sensor("ISCE_SLC", "TERRASARX") == ("TERRASARX", FORMATS["ISCE_SLC"])
    assert resolve_sensor("ISCE_SLC", None)[0] == "ALOS"
    assert resolve_sensor(None, "REE") == ("REE", None)


@pytest.mark.parametrize("sensor, radar, words", [
    ("SENTINEL1", "ALOS", "sensor=SENTINEL1 simulates the SENTINEL1 radar; radar=ALOS"),
    ("ALOS", "TERRASARX", "sensor=ALOS simulates the ALOS radar; radar=TERRASARX"),
    ("ALOS", "REE", "radar REE (JPL's point-target case) is written in no sensor format"),
])
def test_contradicting_sensor_and_radar_are_refused(sensor, radar, words):
    with pytest.raises(ConfigurationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        resolve_sensor(sensor, radar)


def test_simulateapp_refuses_a_contradiction_in_one_line_before_any_work(tmp_path):
    run = run_command("simulateApp.py", "simulateApp.sensor=TERRASARX", "simulateApp.radar=ALOS",
                      cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "radar=ALOS contradicts it" in lines[0], run.stderr
    assert not (tmp_path / "simulation").exists()


@pytest.mark.parametrize("settings, chosen", [
    (["simulateApp.sensor=ERS", "simulateApp.radar=ERS"], "ERS radar (ERS format)"),
    (["simulateApp.sensor=ISCE_SLC", "simulateApp.radar=ALOS2"], "ALOS2 radar (ISCE_SLC format)"),
    (["simulateApp.sensor=ISCE_SLC", "simulateApp.radar=RADARSAT1"],
     "RADARSAT1 radar (ISCE_SLC format)"),
])
def test_simulateapp_accepts_every_preset_a_sensor_uses_as_radar(tmp_path, settings, chosen):
    """'radar' may repeat the sensor's own preset, and ISCE_SLC takes any preset: the setting's
    choices hold every preset of a format (ALOS2, RADARSAT1, ERS, ERS_ENVISAT too)."""
    assert {f.preset for f in FORMATS.values() if f.preset} <= set(RADARS)
    run = run_command("simulateApp.py", *settings, "--dostep=setup", cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert chosen in (tmp_path / "isce.log").read_text()


@pytest.mark.parametrize("settings, words", [
    (["simulateApp.samples=4096"], "samples=4096 applies to speckle scenes only"),
    (["simulateApp.coherence=0.5"], "coherence=0.5 applies to speckle scenes only"),
    (["simulateApp.flow=3"], "flow=3.0 applies to speckle scenes only"),
    (["simulateApp.scene=speckle", "simulateApp.flow=-1"], "flow must be >= 0 m, got -1.0"),
    (["simulateApp.sensor=SENTINEL1", "simulateApp.ceos=false"],
     "ceos=False applies to sensor ALOS only (sensor is SENTINEL1)"),
])
def test_simulateapp_refuses_a_setting_it_would_ignore(tmp_path, settings, words):
    """A point-target run given a speckle setting, or a non-ALOS run given ceos, is refused in
    one line before any work (they were silently ignored)."""
    run = run_command("simulateApp.py", *settings, cwd=tmp_path, timeout=120)
    assert run.returncode == 2, run.stderr[-2000:]
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0], run.stderr
    assert not (tmp_path / "simulation").exists()


def test_simulateapp_refuses_an_unknown_sensor_naming_the_choices(tmp_path):
    run = run_command("simulateApp.py", "simulateApp.sensor=JERS", cwd=tmp_path, timeout=120)
    assert run.returncode == 2
    assert "JERS" in run.stderr and "SENTINEL1" in run.stderr and "ISCE_SLC" in run.stderr


def test_simulateapp_refuses_a_sensor_without_its_writer_before_any_work(tmp_path, monkeypatch,
                                                                         capsys):
    """A registered format whose writer module is not installed: exit 2, one line, nothing
    simulated."""
    import isce.simulate.formats as formats
    from isce.apps.simulate import SimulateApp

    missing = WriterFormat("ISCE_SLC", "slc", "isce.simulate.no_such_writer:write_x", None)
    monkeypatch.setitem(formats.FORMATS, "ISCE_SLC", missing)
    monkeypatch.chdir(tmp_path)
    assert SimulateApp.main(["simulateApp.py", "simulateApp.sensor=ISCE_SLC"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "ISCE_SLC: its writer isce.simulate.no_such_writer:write_x is not " \
        "available" in err[0], err
    assert not (tmp_path / "simulation").exists()


def test_help_documents_the_sensor_setting(tmp_path):
    run = run_command("simulateApp.py", "--help", cwd=tmp_path, timeout=120)
    assert run.returncode == 0
    text = " ".join(run.stdout.split())
    assert "sensor" in text and "ISCE2 sensor name" in text
    assert all(name in text for name in FORMATS)


# ------------------------------------------------------------------ presets against published numbers
def _orbit_numbers(radar):
    """(ground speed [m/s], incidence [deg]) on the preset's nominal circular orbit."""
    radius = EARTH_RADIUS + radar.altitude
    ground = math.sqrt(GM / radius) * EARTH_RADIUS / radius
    inc = math.degrees(math.asin(radius / EARTH_RADIUS * math.sin(math.radians(radar.look_angle))))
    return ground, inc


def test_sentinel1_s3_preset_matches_a_real_s3_annotation():
    r = preset("SENTINEL1")
    ground, inc = _orbit_numbers(r)
    assert r.range_pixel_spacing == pytest.approx(2.246363, abs=1e-5)      # rangePixelSpacing
    assert ground / r.prf == pytest.approx(3.553380, rel=0.02)             # azimuthPixelSpacing
    assert inc == pytest.approx(32.03, abs=0.5)                             # incidenceAngleMidSwath
    assert r.chirp_bandwidth == pytest.approx(59.4e6, rel=0.01)             # processingBandwidth
    assert r.center_frequency == pytest.approx(5.405e9, rel=1e-6)
    assert (r.look_side, r.polarization) == ("right", "VV")


#: published numbers: (slant range pixel [m], azimuth resolution [m], ground range resolution
#: [m]); tolerances are stated in the test. Azimuth resolution ~ L/2 scaled to the ground;
#: ground range resolution 0.886 c / (2 B sin(incidence)).
PUBLISHED = {
    "ALOS": (4.684, 4.5, 10.0),           # JAXA: FBS 28 MHz, "10 m" ground range, ~4.5 m azimuth
    "SENTINEL1": (2.246, 5.0, 5.0),       # ESA: SM "5 m x 5 m"
    "TERRASARX": (1.364, 3.3, 3.0),       # DLR TX-GS-DD-3302: SM 3.3 m azimuth, ~3 m ground range
    "COSMO_SKYMED": (1.665, 3.0, 3.0),    # ASI: HIMAGE "3 m x 3 m"
    "RADARSAT2": (4.638, 7.7, 5.2 / math.sin(math.radians(40.0))),  # MDA: Fine 5.2 m slant x 7.7 m
    "ENVISAT": (7.804, 6.0, 9.0 / math.sin(math.radians(24.3))),    # ESA: IMS ~9 m slant x ~6 m
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_preset_resolution_matches_the_published_figures(name):
    """Pixel spacing within 1 %; resolutions within 40 % (the published figures include the
    processors' spectral weighting, which broadens the ideal L/2 and 0.886 c / 2B)."""
    r = preset(name)
    pixel, az_res, rg_res = PUBLISHED[name]
    ground, inc = _orbit_numbers(r)
    speed = math.sqrt(GM / (EARTH_RADIUS + r.altitude))
    assert r.range_pixel_spacing == pytest.approx(pixel, rel=0.01)
    assert 0.6 < (r.antenna_length / 2 * ground / speed) / az_res < 1.4
    ideal_rg = 0.886 * 299792458.0 / (2 * r.chirp_bandwidth) / math.sin(math.radians(inc))
    assert 0.6 < ideal_rg / rg_res < 1.4
    # the PRF samples the antenna's Doppler band (two-way 3 dB ~ 0.886 * 2 v / L)
    assert r.prf > 0.886 * 2 * speed / r.antenna_length
    assert r.extra.get("repeat_days", 46) > 0 and r.mission


def test_looks_give_alos_its_12_by_4_and_every_preset_30_to_40_m_pixels():
    assert insar_looks(preset("ALOS")) == (12, 4)
    for name in ("SENTINEL1", "TERRASARX", "COSMO_SKYMED", "RADARSAT2"):
        r = preset(name)
        az, rg = insar_looks(r)
        ground, inc = _orbit_numbers(r)
        assert 30 < az * ground / r.prf < 45, name
        assert 25 < rg * r.range_pixel_spacing / math.sin(math.radians(inc)) < 36, name


# ------------------------------------------------------------------ an SLC format end to end
def test_isce_slc_pair_of_a_mission_preset_is_focused_and_written(tmp_path):
    """sensor=ISCE_SLC with the Sentinel-1 preset: both passes focused, written as isce SLCs
    that the ISCE_SLC reader reads back, and named in insarApp.xml with looks for S1."""
    run = run_command("simulateApp.py", "simulateApp.sensor=ISCE_SLC",
                      "simulateApp.radar=SENTINEL1", "simulateApp.pulses=1400",
                      "simulateApp.targets=34.5,-116.5,0", cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = tmp_path / "simulation"
    insar = ET.parse(out / "insarApp.xml").getroot().find("component")
    props = {p.get("name"): p.text for p in insar.findall("property")}
    assert props["sensor name"] == "ISCE_SLC"
    assert (int(props["azimuth looks"]), int(props["range looks"])) == insar_looks(preset("SENTINEL1"))
    summary = json.loads((out / "simulation.json").read_text())
    assert summary["sensor"] == "ISCE_SLC"
    assert summary["radar"]["wavelength"] == pytest.approx(preset("SENTINEL1").wavelength)
    for name in ("reference", "secondary"):
        date = {p.get("name"): p.text for p in insar.find(f"component[@name='{name}']")}
        assert date["OUTPUT"] == f"{name}/{name}.slc"
        written = read_isce_slc(out / date["PRODUCT"])
        focused = SlcProduct.load(out / f"{name}.slc.json")
        assert written.radar_grid.to_dict() == focused.radar_grid.to_dict()
        assert written.mission == "SENTINEL-1A" and written.center_frequency == pytest.approx(5.405e9, rel=1e-6)
        image = written.read()
        assert np.array_equal(image, focused.read())
        # the corner reflector is focused where its truth says
        truth = json.loads((out / f"{name}_truth.json").read_text())["targets"][0]
        grid = written.radar_grid
        line = (truth["azimuth_time"] - grid.sensing_start) * grid.prf
        pixel = (truth["slant_range"] - grid.starting_range) / grid.range_pixel_spacing
        peak = np.unravel_index(np.argmax(np.abs(image)), image.shape)
        assert abs(peak[0] - line) < 1.0 and abs(peak[1] - pixel) < 1.0
