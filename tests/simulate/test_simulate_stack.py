"""simulateApp.dates=N: a stack of N dates with a deformation time series and its truth.

Two small stacks:

* ``alos_stack``: 4 ALOS PALSAR raw dates (CEOS; 5400 pulses x 1152 samples: ~720 x 280
  focused pixels) over the synthetic DEM, random perpendicular baselines (default spread),
  coherence time 200 days (coherence 0.79 at 46 days, 0.50 at 138), no troposphere;
* ``tropo_stack``: 3 ENVISAT dates written as ISCE_SLC (focused by the simulator; 1280
  pulses x 800 samples), baselines of a few decimetres, no decorrelation, a 1 cm
  tropospheric screen per date: the interferograms of the focused dates are then compared
  with the truth pixel by pixel.
"""
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from isce_commands import run_command

import isce.io
import isce.sensors
from isce.focus.pipeline import focus
from isce.framework.configurable import SearchPath
from isce.framework.names import normalize
from isce.framework.xmlconfig import parse_file
from isce.geometry.baseline import baseline_summary
from isce.geometry.rdr2geo import rdr2geo_points
from isce.sensors.raw import RawProduct
from isce.simulate.targets import MogiSource

SIZE = ("simulateApp.pulses=5400", "simulateApp.samples=1152")
YEAR = 365.25


def simulate(folder, *settings, size=SIZE):
    run = run_command("simulateApp.py", "simulateApp.scene=speckle", *size, *settings,
                      cwd=folder, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    out = folder / "simulation"
    return out, json.loads((out / "truth" / "stack.json").read_text())


@pytest.fixture(scope="module")
def alos_stack(tmp_path_factory):
    return simulate(tmp_path_factory.mktemp("alos_stack"), "simulateApp.dates=4",
                    "simulateApp.dem=true", "simulateApp.coherence time=200")


@pytest.fixture(scope="module")
def tropo_stack(tmp_path_factory):
    return simulate(tmp_path_factory.mktemp("tropo_stack"), "simulateApp.dates=3",
                    "simulateApp.sensor=ISCE_SLC", "simulateApp.radar=ENVISAT",
                    "simulateApp.baseline spread=0.3", "simulateApp.coherence time=1e9",
                    "simulateApp.troposphere=0.01", "simulateApp.seed=3",
                    size=("simulateApp.pulses=1280", "simulateApp.samples=800"))


def read_date(out, stack, date):
    """The date as a stack runner reads it: the sensor's reader configured from the date's
    reader XML (ISCE2's component file; paths relative to it), then parse()."""
    xml = out / date / f"{date}.xml"
    root = ET.parse(xml).getroot()
    assert root.tag == "component" and root.get("name") == date
    node = parse_file(xml)
    assert node.properties.pop(normalize("sensor name")).text == stack["sensor"]
    reader = isce.sensors.create(stack["sensor"], name=date)
    reader.configure(node, search=SearchPath(()))
    return reader.parse()


def focused(out, stack, date, tmp_path):
    product = read_date(out, stack, date)
    if isinstance(product, RawProduct):
        product = focus(product, output=str(tmp_path / f"{date}.slc")).product
    return product


@pytest.fixture(scope="module")
def alos_slcs(alos_stack, tmp_path_factory):
    out, stack = alos_stack
    folder = tmp_path_factory.mktemp("alos_slcs")
    return {d: focused(out, stack, d, folder) for d in (stack["dates"][0], stack["dates"][1],
                                                        stack["dates"][3])}


def test_dates_every_repeat_cycle_in_folders_the_reader_parses(alos_stack):
    out, stack = alos_stack
    assert stack["dates"] == ["20080601", "20080717", "20080901", "20081017"]   # 46-day cycle
    assert stack["days"] == [0.0, 46.0, 92.0, 138.0] and stack["repeat_days"] == 46.0
    for date, mid in zip(stack["dates"], stack["sensing_mid_utc"]):
        assert mid.replace("-", "").startswith(date)
        raw = read_date(out, stack, date)
        assert isinstance(raw, RawProduct) and (raw.length, raw.width) == (5400, 1152)
        assert str(raw.orbit.datetime64(raw.sensing_start + 0.5 * raw.length / raw.prf))[:10] \
            == f"{date[:4]}-{date[4:6]}-{date[6:]}"
        assert sorted(p.name for p in (out / date).iterdir()) == \
            sorted([f"{date}.xml", f"IMG-HH-{date}", f"LED-{date}"])
    xml = ET.parse(out / "stackStripMap.xml").getroot().find("component")
    props = {p.get("name"): p.text for p in xml.findall("property")}
    assert props["sensor name"] == "ALOS" and props["reference date"] == "20080601"
    assert props["slc directory"] == "." and props["demFilename"] == "dem.dem"
    assert (props["azimuth looks"], props["range looks"]) == ("12", "4")    # insarApp's looks
    assert not (out / "work").exists() and not list(out.glob("*.raw"))


def test_truth_is_on_the_first_dates_focused_grid(alos_stack, alos_slcs):
    out, stack = alos_stack
    g = alos_slcs[stack["dates"][0]].radar_grid
    record = stack["truth_grid"]
    assert (record["length"], record["width"]) == (g.length, g.width)
    assert record["starting_range"] == pytest.approx(g.starting_range, abs=1e-6)
    start = np.datetime64((g.reference_epoch + g.sensing_start).isoformat(digits=9))
    assert abs(np.datetime64(record["sensing_start_utc"]) - start) < np.timedelta64(1, "us")
    for date in stack["dates"]:
        truth = isce.io.open(str(out / "truth" / f"{date}.los.rdr"))
        assert (truth.length, truth.width) == (g.length, g.width)
        assert (out / "truth" / f"{date}.los.rdr.xml").exists()
        assert (out / "truth" / f"{date}.los.rdr.vrt").exists()


def test_baselines_match_the_orbits_of_the_written_dates(alos_stack, alos_slcs):
    out, stack = alos_stack
    b = stack["perpendicular_baseline_m"]
    assert b[0] == 0.0 and 50.0 < max(abs(x) for x in b[1:]) < 800.0      # a spread of ~200 m
    ref = alos_slcs[stack["dates"][0]]
    for k in (1, 3):
        summary = baseline_summary(ref, alos_slcs[stack["dates"][k]], heights=200.0)
        assert summary["perpendicular_middle"] == pytest.approx(b[k], abs=1.0)
    # the simulator's sign (away from the Earth, ISCE2 stripmapStack's) is the opposite one
    np.testing.assert_allclose(stack["perpendicular_baseline_away_from_earth_m"], -np.array(b),
                               atol=1.0)


def expected_los(stack, lat, lon, hgt, platform, years):
    """The model of stack.json evaluated here, independently of the simulator's code: the
    rate, seasonal and Mogi terms [m]."""
    m = stack["deformation"]
    lat0 = math.radians(m["lat0"])
    a, e2 = 6378137.0, 6.69437999014e-3
    rn = a * (1 - e2) / (1 - e2 * math.sin(lat0) ** 2) ** 1.5
    re = a / math.sqrt(1 - e2 * math.sin(lat0) ** 2)
    north = math.radians(lat - m["lat0"]) * rn
    east = math.radians(lon - m["lon0"]) * re * math.cos(lat0)

    def bump(name):
        return math.exp(-((east - m[f"{name}_east"]) ** 2 + (north - m[f"{name}_north"]) ** 2)
                        / (2 * m[f"{name}_sigma"] ** 2))
    mogi = MogiSource(m["mogi_lat"], m["mogi_lon"], m["mogi_depth"], m["volume_rate"] * years)
    return np.array([m["rate"] * bump("rate") * years,
                     m["seasonal"] * bump("seasonal") * math.sin(2 * math.pi * years),
                     float(mogi.los(lat, lon, hgt, platform))])


def test_truth_rasters_are_the_model_at_each_pixel(alos_stack, alos_slcs):
    """At 7 x 7 pixels over the first date's grid (ground point by rdr2geo on the DEM) the
    truth of every date is the model's rate x t + seasonal x sin(2 pi t) + Mogi(t) within
    0.2 mm (the simulator's geometry is bilinear between nodes every 8 pixels), and each
    term is worth millimetres somewhere."""
    out, stack = alos_stack
    ref = alos_slcs[stack["dates"][0]]
    g, orbit = ref.radar_grid, ref.orbit
    assert stack["sign_convention"].startswith("LOS displacement [m] of the date relative to the "
                                               "first date, positive towards the radar")
    lines = np.linspace(5, g.length - 6, 7).astype(int)
    cols = np.linspace(5, g.width - 6, 7).astype(int)
    t = g.sensing_start + np.repeat(lines, cols.size) / g.prf
    r = g.starting_range + np.tile(cols, lines.size) * g.range_pixel_spacing
    llh, ok = rdr2geo_points(t, r, orbit, g.wavelength, g.look_side, dem=str(out / "dem.dem"))
    assert np.all(ok)
    pos, _ = orbit.interpolate(t)
    ranges = []
    for k, date in enumerate(stack["dates"]):
        truth = isce.io.open(str(out / "truth" / f"{date}.los.rdr")).read()
        ranges.append(float(truth.max() - truth.min()))
        got = truth[np.repeat(lines, cols.size), np.tile(cols, lines.size)]
        terms = np.array([expected_los(stack, math.degrees(x[1]), math.degrees(x[0]), x[2],
                                       np.asarray(p), stack["days"][k] / YEAR)
                          for x, p in zip(llh, pos)])
        assert np.max(np.abs(got - terms.sum(axis=1))) < 2e-4, date
        if k == 2:                                        # t = 0.25 yr: the seasonal peak
            assert np.all(np.max(np.abs(terms), axis=0) > 2e-3), terms
    assert ranges[0] == 0.0 and ranges[1] > 0.005 and ranges[3] > 2 * ranges[1]   # it grows


def test_coherence_falls_with_the_time_between_dates(alos_stack, alos_slcs):
    """|<s1 s2*>| / sqrt(<|s1|^2><|s2|^2>) over 32 x 32 windows (the fringe of the baseline
    removed: the peak of the window's interferogram spectrum), median over the scene."""
    out, stack = alos_stack
    d = stack["dates"]
    s0 = alos_slcs[d[0]].read()

    def coherence(other, w=32):
        s = alos_slcs[other].read()
        values = []
        for i in range(0, s0.shape[0] - w + 1, w):
            for j in range(0, s0.shape[1] - w + 1, w):
                x, y = s0[i:i + w, j:j + w], s[i:i + w, j:j + w]
                peak = np.abs(np.fft.fft2(x * np.conj(y), s=(4 * w, 4 * w))).max()
                values.append(peak / np.sqrt(np.sum(np.abs(x) ** 2) * np.sum(np.abs(y) ** 2)))
        return float(np.median(values))
    model = stack["coherence_model"]
    assert model["coherence_time_days"] == 200.0
    near, far = coherence(d[1]), coherence(d[3])
    assert near == pytest.approx(math.exp(-46 / 200), abs=0.07)        # 0.79
    assert far == pytest.approx(math.exp(-138 / 200), abs=0.07)        # 0.50
    assert near - far > 0.2


def test_no_troposphere_unless_asked(alos_stack):
    out, stack = alos_stack
    assert stack["troposphere"]["on"] is False and stack["troposphere"]["files"] == []
    assert not list((out / "truth").glob("*.tropo.rdr*"))


def test_troposphere_and_deformation_are_in_the_interferograms(tropo_stack, tmp_path):
    """Dates a few decimetres apart, no decorrelation: the phase of first x conj(date)
    (8 x 8 looks) is -4 pi / lambda (truth - (tropo[date] - tropo[first])) within 1 mm RMS
    (0.3-0.6 mm measured: the echo model's own error), while leaving the troposphere out
    misses by 4-6 mm."""
    out, stack = tropo_stack
    assert stack["sensor"] == "ISCE_SLC" and stack["troposphere"]["on"] is True
    wvl = stack["wavelength_m"]
    slcs = [read_date(out, stack, d) for d in stack["dates"]]
    assert all(s.radar_grid.length == stack["truth_grid"]["length"] for s in slcs[:1])
    tropo = [isce.io.open(str(out / "truth" / f"{d}.tropo.rdr")).read().astype(np.float64)
             for d in stack["dates"]]
    for screen in (tropo[0], tropo[2] - tropo[0]):       # the 10 km outer scale: a part of
        assert 0.001 < np.std(screen) < 0.02              # the 1 cm spread in 2 x 2 km

    def looks(x, n=8):
        a, b = (x.shape[0] // n) * n, (x.shape[1] // n) * n
        return x[:a, :b].reshape(a // n, n, b // n, n).mean(axis=(1, 3))
    s0 = slcs[0].read()
    for k in (1, 2):
        date = stack["dates"][k]
        truth = isce.io.open(str(out / "truth" / f"{date}.los.rdr")).read().astype(np.float64)
        apparent = truth - (tropo[k] - tropo[0])
        ifg = looks(s0 * np.conj(slcs[k].read()) * np.exp(4j * np.pi * apparent / wvl))
        residual = np.angle(ifg * np.conj(np.mean(ifg))) * wvl / (4 * np.pi)
        assert np.sqrt(np.mean(residual ** 2)) < 1e-3, date
        without = looks(s0 * np.conj(slcs[k].read()) * np.exp(4j * np.pi * truth / wvl))
        missed = np.angle(without * np.conj(np.mean(without))) * wvl / (4 * np.pi)
        assert np.sqrt(np.mean(missed ** 2)) > 2e-3          # the screen is in the data


@pytest.mark.parametrize("settings, words", [
    (["simulateApp.dates=1"], "dates must be at least 2"),
    (["simulateApp.dates=5", "simulateApp.baseline spread=-10"], "baseline_spread must be >= 0"),
    (["simulateApp.dates=5", "simulateApp.coherence time=0"], "coherence_time must be > 0"),
    (["simulateApp.dates=5", "simulateApp.troposphere=-0.01"], "troposphere must be >= 0"),
    (["simulateApp.dates=5", "simulateApp.baseline=100"], "baseline is a pair's (dates=2) setting"),
    (["simulateApp.troposphere=0.01"], "troposphere is a stack's (dates >= 3) setting"),
    (["simulateApp.dates=4"], "a stack is a speckle scene in a sensor's format"),
])
def test_bad_stack_settings_are_refused_in_one_line(tmp_path, settings, words):
    speckle = [] if settings == ["simulateApp.dates=4"] else ["simulateApp.scene=speckle"]
    run = run_command("simulateApp.py", *speckle, *settings, cwd=tmp_path, timeout=120)
    assert run.returncode == 2, run.stderr[-2000:]
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and words in lines[0], run.stderr
    assert not (tmp_path / "simulation").exists()
