"""ISCE2 inputs mean what they meant (issue 9, items 3, 5 and 7), and settings are refused
before any long step:

* ``posting`` is ISCE2's interferogram posting in metres (it sets the looks by ISCE2's rule),
  not a geocoded pixel size in degrees; ``geoPosting`` is the degrees;
* ISCE2's ``do denseoffsets``/``do rubbersheeting*``/``do split spectrum``/``do dispersive``
  run ISCE2's optional stages; ``do dispersive`` without ``do split spectrum`` is refused;
* ``unwrapper name`` icu/grass run the branch-cut unwrappers (they once ran mcf silently);
* ``Master`` and ``Reference`` in one configuration: an error naming both;
* the readers' ``OUTPUT`` names where the SLCs go, and later steps read them there;
* looks larger than the image, a bounding box off the scene, NaN/inf/zero postings: refused
  in the configuration or in preprocess, before anything is written;
* a bare ``insarApp.py`` writes nothing at all.

The pairs are small focused scenes (ISCE_SLC products of noise, 240 x 160, with a real ALOS
orbit over 34.5 N, 116.5 W) written here: each run takes a second or two.
"""
import json
import re

import numpy as np
import pytest
from isce_commands import run_command
from small_slcs import (ALOS_SETTINGS as BASE, LINES, PIXELS, alos_geometry, mid_range, pair_xml)

from isce.apps import insar_settings
from isce.apps.insar import Insar
from isce.framework import CommandLine, ConfigurationError, InputError



def run(tmp_path, xml, *args, folder="run"):
    wd = tmp_path / folder
    wd.mkdir()
    return wd, run_command("insarApp.py", xml, "--steps", *args, cwd=wd)


def configure(*tokens):
    """insarApp configured from command-line tokens in the current (empty) folder."""
    app = Insar()
    app.configure_from(CommandLine.parse(list(tokens)))
    return app


def error_line(proc):
    """The one error line of a refused run (status 2, no traceback)."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("insarApp.py:")]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), proc.stderr
    return lines[0]


def files_in(wd):
    return sorted(str(p.relative_to(wd)) for p in wd.rglob("*"))


# ----------------------------------------------------------------------------- bare run
def test_bare_insarapp_writes_nothing(tmp_path):
    """No XML, no settings: one line, status 2, and not a folder, log or state file."""
    proc = run_command("insarApp.py", cwd=tmp_path)
    line = error_line(proc)
    assert "no sensor for the reference date" in line and "sensor name" in line
    assert files_in(tmp_path) == []
    proc = run_command("insarApp.py", "--steps", cwd=tmp_path)
    error_line(proc)
    assert files_in(tmp_path) == []


# ----------------------------------------------------------------------------- posting
def test_posting_is_isce2_metres_not_degrees(workdir):
    """ISCE2's ``posting`` (m) used to set the geocoded pixel to 30 degrees."""
    app = configure(*BASE, "insarApp.posting=30")
    assert app.posting == 30.0 and app.parameter("posting").units == "m"
    assert app.geo_posting is None                              # the geocoded grid: the DEM's
    app = configure(*BASE, "insarApp.geoPosting=0.0005")       # ISCE2's degrees
    assert app.geo_posting == [0.0005] and app.posting is None
    assert app.parameter("geocode posting").units == "deg"


@pytest.mark.parametrize("setting, words", [
    ("posting=0", ["insarApp.posting", "positive number of metres"]),
    ("posting=-30", ["positive number of metres"]),
    ("posting=nan", ["insarApp.posting", "finite"]),
    ("posting=inf", ["finite"]),
    ("geocode posting=0", ["insarApp.geocode posting", "positive degrees"]),
    ("geoPosting=30", ["30 deg per pixel", "in degrees", "set 'posting'"]),
    ("filter strength=nan", ["insarApp.filter strength", "finite"]),
    ("geocode bounding box=-inf, inf, 10, 11", ["finite"]),
    ("regionOfInterest=34, 95, -117, -116", ["off the globe"]),
])
def test_bad_numbers_are_refused_while_configuring(workdir, setting, words):
    with pytest.raises(ConfigurationError) as err:
        configure(*BASE, f"insarApp.{setting}")
    for word in words:
        assert word in str(err.value), (word, str(err.value))


def test_looks_from_posting_follow_isce2s_rule(slcs):
    """Looks from ``posting`` [m]: ground line spacing and ground-range resolution measured
    independently here, by projecting neighbouring pixels onto the ellipsoid."""
    from isce.core.constants import SPEED_OF_LIGHT
    from isce.core.ellipsoid import WGS84
    from isce.geometry.rdr2geo import rdr2geo_points
    from isce.sensors.product import SlcProduct

    product = SlcProduct.load(str(slcs[0]))
    g = product.radar_grid
    t = g.sensing_start + np.array([LINES / 2, LINES / 2 + 100, LINES / 2]) / g.prf
    r = g.starting_range + np.array([PIXELS / 2, PIXELS / 2, PIXELS / 2 + 50]) * g.range_pixel_spacing
    llh, _ = rdr2geo_points(t, r, product.orbit, g.wavelength, g.look_side, heights=0.0,
                            epoch=g.reference_epoch)
    xyz = np.array([WGS84.lon_lat_to_xyz(p) for p in llh])
    line_spacing = np.linalg.norm(xyz[1] - xyz[0]) / 100                   # m per line
    ground_per_slant = np.linalg.norm(xyz[2] - xyz[0]) / (50 * g.range_pixel_spacing)
    resolution = SPEED_OF_LIGHT / (2 * 28e6) * ground_per_slant           # ground range [m]
    for posting in (40.0, 100.0):
        az, rg = insar_settings.looks_from_posting(product, posting)
        assert abs(az - posting / line_spacing) <= 0.5 + 0.01 * az, (posting, az, line_spacing)
        assert abs(rg - posting / resolution) <= 0.5 + 0.01 * rg, (posting, rg, resolution)
    assert insar_settings.looks_from_posting(product, 100.0)[0] > 20       # not 1 x 1


def test_looks_given_win_over_posting(workdir, slcs):
    from isce.sensors.product import SlcProduct

    product = SlcProduct.load(str(slcs[0]))
    app = configure(*BASE, "insarApp.posting=100", "insarApp.range looks=2")
    az, rg = insar_settings.effective_looks(app, product)
    assert rg == 2 and az == insar_settings.looks_from_posting(product, 100.0)[0]
    assert insar_settings.effective_looks(configure(*BASE), product) == (1, 1)


# ----------------------------------------------------------------------------- switches
FLAGS = {"do denseoffsets": "do_dense_offsets", "do rubbersheetingAzimuth":
         "do_rubbersheeting_azimuth", "do rubbersheetingRange": "do_rubbersheeting_range",
         "do split spectrum": "do_split_spectrum", "do dispersive": "do_dispersive"}


def test_isce2_switches_are_taken_with_their_meaning(workdir):
    """ISCE2's five optional-stage switches (once refused when True) are settings here."""
    app = configure(*BASE, *(f"insarApp.{flag}=True" for flag in FLAGS))
    assert all(getattr(app, attr) is True for attr in FLAGS.values())
    app = configure(*BASE)
    assert not any(getattr(app, attr) for attr in FLAGS.values())     # off by default


def test_dispersive_without_split_spectrum_stops_the_run_before_any_step(tmp_path, slcs):
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs,
                   extra='<property name="do dispersive">True</property>')
    wd, proc = run(tmp_path, xml)
    line = error_line(proc)
    assert "do dispersive needs do split spectrum" in line and str(xml) in line
    assert files_in(wd) == []


@pytest.mark.parametrize("name", ["icu", "grass"])
def test_icu_and_grass_unwrappers_are_accepted(workdir, name):
    """ISCE2's branch-cut unwrappers run isce.unwrap.icu/grass (they once ran mcf silently,
    then were refused); an unknown name is still refused while configuring."""
    configure(*BASE, f"insarApp.unwrapper name={name}")
    with pytest.raises(ConfigurationError, match="unwrapper"):
        configure(*BASE, "insarApp.unwrapper name=icux")


@pytest.mark.parametrize("name, init_only", [("snaphu", True), ("SNAPHU_MCF", True),
                                             ("snaphu_full", False)])
def test_snaphu_names_mean_stripmapapps_run(workdir, name, init_only):
    """ISCE2 stripmapApp's snaphu (and insarApp's snaphu_mcf): SNAPHU's MCF initialisation
    only, smooth cost; snaphu_full: the full solver."""
    from isce.unwrap.registry import canonical_name

    app = configure(*BASE, f"insarApp.unwrapper name={name}")
    canon, fixed = canonical_name(app.unwrapper)
    assert canon == "snaphu" and fixed["init_only"] is init_only
    if init_only:
        assert (fixed["cost"], fixed["init"], fixed["defomax"]) == ("smooth", "mcf", 2.0)


# ----------------------------------------------------------------------------- Master + Reference
def test_master_and_reference_together_are_refused(tmp_path, slcs):
    """Both names in the file: neither wins silently; the error names both, with lines."""
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs, ref_name="Master",
                   extra=f'<component name="Reference"><property name="PRODUCT">{slcs[1]}'
                         f'</property></component>')
    wd, proc = run(tmp_path, xml)
    line = error_line(proc)
    assert f"'Master' ({xml}:3)" in line and f"'Reference' ({xml}:6)" in line, line
    assert "keep one" in line and files_in(wd) == []


def test_either_name_alone_and_command_line_overrides_work(workdir, slcs):
    ref, sec = slcs
    app = configure("insarApp.sensor name=ISCE_SLC", f"insarApp.Master.PRODUCT={ref}",
                    f"insarApp.Reference.PRODUCT={sec}", f"insarApp.Slave.PRODUCT={sec}")
    assert app.reference.product_file == str(sec)      # a command-line override: later wins


# ----------------------------------------------------------------------------- OUTPUT
@pytest.mark.parametrize("ref_output, expect", [
    ("20070215", "20070215_slc/20070215.slc"),           # stripmapApp: a name stem
    ("dates/master.slc", "dates/master.slc"),             # insarApp: the file itself
])
def test_output_names_the_slc_and_later_steps_read_it(tmp_path, slcs, ref_output, expect):
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs,
                   ref_extra=f'<property name="OUTPUT">{ref_output}</property>',
                   sec_extra='<property name="OUTPUT">20070317</property>')
    wd, proc = run(tmp_path, xml, "--end=coarse_resample")
    assert proc.returncode == 0, proc.stderr
    assert (wd / expect).is_file() and (wd / "20070317_slc" / "20070317.slc").is_file()
    assert not (wd / "reference").exists() and not (wd / "secondary").exists()
    manifest = json.loads((wd / "PICKLE" / "preprocess.json").read_text())
    assert expect in manifest["outputs"] and "20070317_slc/20070317.slc" in manifest["outputs"]
    np.testing.assert_array_equal(np.fromfile(wd / expect, np.complex64),
                                  np.fromfile(str(slcs[0])[:-5], np.complex64))
    log = (wd / "isce.log").read_text()
    assert "step 9/31 'coarse_resample'" in log and (wd / "coregisteredSlc/coarse_coreg.slc").is_file()


def test_one_output_for_both_dates_is_refused(tmp_path, slcs):
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs,
                   ref_extra='<property name="OUTPUT">same</property>',
                   sec_extra='<property name="OUTPUT">same</property>')
    wd, proc = run(tmp_path, xml)
    line = error_line(proc)
    assert "both lead to same_slc/same.slc" in line
    assert not (wd / "same_slc").exists()


# ----------------------------------------------------------------------------- the scene
@pytest.mark.parametrize("extra, words", [
    ('<property name="azimuth looks">500</property>',
     ["insarApp.azimuth looks", "500 looks", f"has {LINES} lines"]),
    ('<property name="posting">5000</property>',
     ["insarApp.posting", "(from posting 5000 m)", "the interferogram would be empty"]),
    ('<property name="geocode bounding box">[40.0, 40.1, -116.6, -116.4]</property>',
     ["insarApp.geocode bounding box", "misses the reference scene", "nothing to geocode"]),
    ('<property name="regionOfInterest">[34.4, 34.6, 60.0, 61.0]</property>',
     ["insarApp.regionOfInterest", "misses the reference scene"]),
])
def test_settings_that_do_not_fit_the_scene_are_refused_in_preprocess(tmp_path, slcs, extra, words):
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs, extra=extra)
    wd, proc = run(tmp_path, xml)
    line = error_line(proc)
    for word in words:
        assert word in line, (word, line)
    steps = re.findall(r"step \d+/\d+ '(\w+)'", (wd / "isce.log").read_text())
    assert steps == ["startup", "preprocess"]
    assert not list(wd.rglob("*.slc"))                          # nothing written


def test_settings_that_fit_pass_preprocess(tmp_path, slcs):
    """The control: the same pair with looks, posting and boxes that fit."""
    extra = ('<property name="posting">40</property>'
             '<property name="geocode bounding box">[34.45, 34.55, -116.6, -116.4]</property>')
    wd, proc = run(tmp_path, pair_xml(tmp_path / "stripmapApp.xml", slcs, extra=extra),
                   "--end=preprocess")
    assert proc.returncode == 0, proc.stderr
    assert (wd / "reference" / "reference.slc").is_file()


def test_raw_looks_are_checked_against_what_focusing_can_make(workdir):
    """A raw date: looks beyond the lines left after the synthetic aperture (or the samples
    left after the chirp) are refused from the metadata, before focusing."""
    from isce.focus.pipeline import required_pulses
    from isce.focus.rangecomp import valid_samples

    raw = alos_raw(4800, 1200)
    lines = 4800 - required_pulses(raw) + 1
    assert 50 < lines < 200                                   # ALOS: ~4685-pulse aperture
    insar_settings.check_looks_fit(configure(*BASE, f"insarApp.azimuth looks={lines}"), raw)
    with pytest.raises(ConfigurationError, match=f"{lines + 1} looks but the reference image "
                                                 f"focused from the raw data .* will have at "
                                                 f"most {lines} lines"):
        insar_settings.check_looks_fit(configure(*BASE, f"insarApp.azimuth looks={lines + 1}"), raw)
    raw = alos_raw(4800, 512)
    chirp = raw.pulse_length * raw.range_sampling_rate       # 864 samples: wider than 512
    with pytest.raises(InputError, match="512 samples per line, fewer than the 864 samples of "
                                         "the chirp: range compression leaves no pixel"):
        insar_settings.check_looks_fit(configure(*BASE), raw)
    raw = alos_raw(4800, 1200)
    first, stop = valid_samples(raw)
    assert abs((stop - first) - (1200 - chirp)) <= 1
    with pytest.raises(ConfigurationError, match=f"insarApp.range looks: {stop - first + 1} looks "
                                                 f".* at most {stop - first} pixels"):
        insar_settings.check_looks_fit(configure(*BASE, f"insarApp.range looks={stop - first + 1}"),
                                       raw)


def alos_raw(lines, samples, echoes=None):
    """A raw ALOS FBS date over (LAT, LON) centred at mid-swath; echoes from the raster
    ``echoes`` when given."""
    from isce.core.constants import SPEED_OF_LIGHT
    from isce.sensors.raw import RawProduct, RawSource

    radar, orbit, t_zd = alos_geometry()
    dr = SPEED_OF_LIGHT / (2 * radar.range_sampling_rate)
    return RawProduct(orbit=orbit, sensing_start=t_zd - lines / 2 / radar.prf, prf=radar.prf,
                      starting_range=mid_range(orbit, t_zd) - samples / 2 * dr,
                      range_sampling_rate=radar.range_sampling_rate, length=lines, width=samples,
                      wavelength=radar.wavelength, look_side="right",
                      chirp_slope=radar.chirp_slope, pulse_length=radar.pulse_length,
                      antenna_length=radar.antenna_length, platform="ALOS", mission="ALOS",
                      polarization="HH",
                      source=RawSource("raster", str(echoes)) if echoes else None)


# ----------------------------------------------------------------------------- ALOS frames
def test_two_alos_frames_in_isce2_list_syntax_run_as_one_pass(tmp_path):
    """IMAGEFILE/LEADERFILE as ISCE2's lists: the reference is two overlapping frames of one
    pass (lines 0..2600 and 2400..4800), concatenated in preprocess into the whole pass."""
    from dataclasses import replace

    import isce.io
    from isce.simulate.alos_ceos import write_ceos
    from isce.sensors.raw import RawProduct, RawSource

    lines, samples = 4800, 1024                  # longer than the aperture, wider than the chirp
    rng = np.random.default_rng(7)
    z = (4 * (rng.standard_normal((lines, samples)) + 1j * rng.standard_normal((lines, samples))))
    raw = alos_raw(lines, samples)
    names = {}
    for name, first, last in (("F1", 0, 2600), ("F2", 2400, lines), ("SEC", 0, lines)):
        echo = tmp_path / f"{name}.echo"
        isce.io.write(str(echo), z[first:last].astype(np.complex64))
        part = replace(raw, length=last - first, sensing_start=raw.sensing_start + first / raw.prf,
                       source=RawSource("raster", str(echo)))
        names[name] = (f"IMG-HH-ALPSRP{name}-H1.0__A", f"LED-ALPSRP{name}-H1.0__A")
        write_ceos(part, tmp_path / names[name][0], tmp_path / names[name][1], scale=0.5)
    (tmp_path / "stripmapApp.xml").write_text(
        '<stripmapApp><component name="insar"><property name="sensor name">ALOS</property>'
        f'<component name="Reference"><property name="IMAGEFILE">'
        f"['{names['F1'][0]}', '{names['F2'][0]}']</property>"
        f"<property name=\"LEADERFILE\">['{names['F1'][1]}', '{names['F2'][1]}']</property>"
        '</component><component name="Secondary">'
        f'<property name="IMAGEFILE">{names["SEC"][0]}</property>'
        f'<property name="LEADERFILE">{names["SEC"][1]}</property></component>'
        '</component></stripmapApp>')
    wd, proc = run(tmp_path, tmp_path / "stripmapApp.xml", "--end=preprocess")
    assert proc.returncode == 0, proc.stderr
    ref = RawProduct.load(str(wd / "reference" / "reference.raw.json"))
    sec = RawProduct.load(str(wd / "secondary" / "secondary.raw.json"))
    assert ref.source.kind == "ceos_frames" and ref.length == lines
    assert ref.sensing_start == pytest.approx(sec.sensing_start, abs=1e-9)
    np.testing.assert_array_equal(ref.read(slice(2300, 2700)), sec.read(slice(2300, 2700)))


# ----------------------------------------------------------------------------- oversampling
def test_crossmul_oversampling_beyond_sense_is_refused(workdir):
    """insarApp has no oversampling setting; crossmul.py's is bounded (1000x would ask for
    1000 times the memory per line for nothing)."""
    from isce.apps.crossmul import MAX_OVERSAMPLE, Crossmul

    def crossmul(oversample):
        app = Crossmul()
        app.configure_from(CommandLine.parse(["crossmul.reference=a.slc", "crossmul.secondary=b.slc",
                                              f"crossmul.oversample={oversample}"]))
        return app

    assert crossmul(MAX_OVERSAMPLE).oversample == MAX_OVERSAMPLE
    with pytest.raises(ConfigurationError, match="crossmul.oversample: must be at most 8, got 1000"):
        crossmul(1000)
