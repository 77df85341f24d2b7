"""insarApp's names in one place, its misregistration settings and its steps' declared
parameters (issue 15, items 3 to 5):

* the run folder's products come from :class:`isce.io.layout.StripmapLayout`; a run records
  where the readers' ``OUTPUT`` put the SLCs (report.json ``slc``), so the quicklooks and
  the truth comparison find them;
* the misregistration step's ampcor grid and culling are settings with ISCE2's names,
  defaults those hard-coded before (the adaptive window included), checked while
  configuring and against the scene in preprocess; a changed one restarts there;
* a step reads only the parameters it declares: insarApp with a declaration missing fails
  on the read, and a setting a step only checks restarts nothing.

The pairs are small focused scenes (ISCE_SLC products of noise, 240 x 160): a whole chain
takes seconds.
"""
import dataclasses
import inspect
import json
import os
import re

import pytest
from isce_commands import run_command
from small_slcs import ALOS_SETTINGS as BASE, LINES, PIXELS, make_slc, pair_xml

from isce.apps import insar_settings
from isce.apps.insar import Insar
from isce.framework import CommandLine, ConfigurationError
from isce.framework.steps import ParameterView, UndeclaredParameterError
from isce.io.layout import GEOCODE_DEFAULT, StripmapLayout
from isce.offsets.cull import cull_offsets
from isce.quality.report import product_wavelength, quicklooks

OUTPUTS = ('<property name="OUTPUT">20070215</property>',
           '<property name="OUTPUT">20070317</property>')
REF_SLC = "20070215_slc/20070215.slc"


def run(folder, xml, *args):
    folder.mkdir(exist_ok=True)
    return run_command("insarApp.py", xml, "--steps", *args, cwd=folder)


def configure(*tokens):
    app = Insar()
    app.configure_from(CommandLine.parse([*BASE, *tokens]))
    return app


def steps_run(wd):
    return re.findall(r"step \d+/\d+ '(\w+)'", (wd / "isce.log").read_text())


@pytest.fixture(scope="module")
def custom_run(tmp_path_factory):
    """The whole chain with each date's OUTPUT set and a 5 x 4 misregistration grid, on a
    pair of one speckle (so the misregistration windows correlate)."""
    tmp = tmp_path_factory.mktemp("custom")
    slcs = make_slc(tmp, "ref", 1), make_slc(tmp, "sec", 1)
    extra = ('<property name="number of windows across">5</property>'
             '<property name="NUMBER_WINDOWS_DOWN">4</property>')
    xml = pair_xml(tmp / "stripmapApp.xml", slcs, extra=extra, ref_extra=OUTPUTS[0],
                   sec_extra=OUTPUTS[1])
    proc = run(tmp / "run", xml)
    assert proc.returncode == 0, proc.stderr
    return tmp / "run"


# ----------------------------------------------------------------------------- layout
def test_layout_names_are_isce2s():
    run = StripmapLayout()
    assert [str(p) for p in (run.topophase_flat, run.filt_topophase_unw, run.geometry("lat"),
                             run.range_offsets(), run.range_offsets(run.refined_offsets_dir),
                             run.misreg_json("az"), run.coarse_coreg, run.refined_coreg,
                             run.geocoded(run.topophase_unw), run.slc("reference"),
                             run.slc_json("secondary"))] == [
        "interferogram/topophase.flat", "interferogram/filt_topophase.unw", "geometry/lat.rdr",
        "offsets/range.off", "offsets/refined/range.off", "offsets/misreg_az.json",
        "coregisteredSlc/coarse_coreg.slc", "coregisteredSlc/refined_coreg.slc",
        "geo/topophase.unw.geo", "reference/reference.slc", "secondary/secondary.slc.json"]
    assert Insar.parameter("geocode_list").default == GEOCODE_DEFAULT


def test_run_records_the_slcs_and_the_report_finds_them(custom_run):
    """With OUTPUT set there is no reference/reference.slc: report.json says where the SLCs
    went, and the amplitude quicklook and the wavelength are read from there."""
    assert not (custom_run / "reference").exists()
    report = json.loads((custom_run / "report.json").read_text())
    assert report["slc"] == {"reference": REF_SLC, "secondary": "20070317_slc/20070317.slc"}
    run = StripmapLayout.of_run(custom_run)
    assert run.slc("reference") == custom_run / REF_SLC and run.slc("reference").is_file()
    images = quicklooks(custom_run, custom_run / "ql")
    assert "amplitude" in images and os.path.isfile(images["amplitude"])
    assert REF_SLC in images.captions["amplitude"]
    meta = json.loads((custom_run / f"{REF_SLC}.json").read_text())
    assert product_wavelength(custom_run) == pytest.approx(meta["radar_grid"]["wavelength"])


def test_products_are_where_the_layout_says(custom_run):
    run = StripmapLayout(str(custom_run))
    manifest = json.loads((custom_run / "PICKLE" / "endup.json").read_text())
    for path in (run.coarse_coreg, run.refined_coreg, run.topophase_flat, run.topophase_cor,
                 run.filt_topophase_flat, run.phsig_cor, run.geometry("los"),
                 run.misreg_json("rg")):
        assert path.is_file(), path
        assert str(path.relative_to(custom_run)) in manifest["outputs"], path
    # without rubber-sheeting or sub-bands nothing reads the refined offsets back: not written
    assert not run.refined_offsets_dir.exists()


# ----------------------------------------------------------------------------- misregistration
def test_misregistration_settings_take_effect(custom_run):
    """number of windows across/down (ISCE2's NUMBER_WINDOWS_ACROSS/DOWN) set the ampcor grid."""
    misreg = json.loads((custom_run / "report.json").read_text())["misregistration"]
    assert misreg["windows"] == 5 * 4


class _Image:
    def __init__(self, length, width):
        self.length, self.width = length, width


@pytest.mark.parametrize("size, window", [((240, 160), 32), ((256, 300), 64), ((255, 4000), 32)])
def test_default_misregistration_settings_are_the_former_constants(workdir, size, window):
    """Unset: window 64 (32 below 256 lines or pixels), search 8, 20 x 20 windows, culling
    with cull_offsets' own defaults and a first-order fit, as hard-coded before."""
    grid, cull = insar_settings.misregistration_settings(configure(), _Image(*size))
    assert grid == {"window": (window, window), "search": (8, 8), "count": (20, 20)}
    defaults = {k: p.default for k, p in inspect.signature(cull_offsets).parameters.items()}
    assert cull == {"order": 1, "snr_min": defaults["snr_min"],
                    "thresholds": tuple(defaults["thresholds"]), "max_cov": defaults["max_cov"]}


def test_isce2_ampcor_names_set_the_misregistration(workdir):
    app = configure("insarApp.WINDOW_SIZE_WIDTH=48", "insarApp.window size height=40",
                    "insarApp.SEARCH_WINDOW_SIZE_WIDTH=12", "insarApp.search window size height=6",
                    "insarApp.SNR_THRESHOLD=5", "insarApp.COV_THRESHOLD=0.5",
                    "insarApp.Culling Sequence=[8, 4, 2, 1]",
                    "insarApp.misregistration polynomial order=0")
    grid, cull = insar_settings.misregistration_settings(app, _Image(1000, 1000))
    assert grid == {"window": (40, 48), "search": (6, 12), "count": (20, 20)}
    assert cull == {"order": 0, "snr_min": 5.0, "thresholds": (8.0, 4.0, 2.0, 1.0), "max_cov": 0.5}


@pytest.mark.parametrize("setting, words", [
    ("window size width=2", ["insarApp.window size width", "at least 4 (pixels), got 2"]),
    ("search window size height=0", ["insarApp.search window size height", "at least 1"]),
    ("number of windows down=0", ["insarApp.number of windows down", "at least 1"]),
    ("SNR threshold=-1", ["insarApp.SNR threshold", "0 or more"]),
    ("covariance threshold=0", ["insarApp.covariance threshold", "positive"]),
    ("Culling Sequence=[10, -3]", ["insarApp.Culling Sequence", "positive pixels, got -3"]),
    ("misregistration polynomial order=4", ["polynomial order", "0..3, got 4"]),
])
def test_bad_misregistration_settings_are_refused_while_configuring(workdir, setting, words):
    with pytest.raises(ConfigurationError) as err:
        configure(f"insarApp.{setting}")
    for word in words:
        assert word in str(err.value), (word, str(err.value))


@pytest.mark.parametrize("extra, words", [
    ('<property name="window size width">200</property>',
     ["insarApp.window size width", "needs 216 pixels", f"has {PIXELS} pixels"]),
    ('<property name="search window size height">120</property>',
     ["insarApp.search window size height", "needs 272 lines", f"has {LINES} lines"]),
])
def test_misregistration_window_beyond_the_image_is_refused_in_preprocess(tmp_path, slcs, extra,
                                                                          words):
    proc = run(tmp_path / "run", pair_xml(tmp_path / "stripmapApp.xml", slcs, extra=extra))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in line, (word, line)
    assert steps_run(tmp_path / "run") == ["startup", "preprocess"]
    assert not list((tmp_path / "run").rglob("*.slc"))


def test_changed_misregistration_setting_restarts_at_misregistration(tmp_path, slcs):
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs)
    assert run(tmp_path / "run", xml, "--end=refined_resample").returncode == 0
    proc = run(tmp_path / "run", xml, "insarApp.number of windows across=5", "--next")
    assert proc.returncode == 2 and "--start=misregistration" in proc.stderr, proc.stderr
    proc = run(tmp_path / "run", xml, "insarApp.number of windows across=5",
               "--start=misregistration", "--end=misregistration")
    assert proc.returncode == 0, proc.stderr


# ----------------------------------------------------------------------------- declared parameters
def test_every_step_declares_parameters_insar_has(workdir):
    app = configure()
    for step in Insar.steps:
        view = ParameterView(app, step)
        for name in dir(view):
            getattr(view, name)                     # every declared one is readable
    filter_step = next(s for s in Insar.steps if s.name == "filter")
    with pytest.raises(UndeclaredParameterError, match="step 'filter' .* 'unwrapper name'"):
        getattr(ParameterView(app, filter_step), "unwrapper", None)   # no default hides it


def test_a_step_reading_an_undeclared_parameter_fails_the_run(tmp_path, slcs, capsys,
                                                              monkeypatch):
    """insarApp with 'filter strength' left out of the filter step's declaration: the run
    stops in that step, naming it and the setting (and every insarApp test run checks the
    real declarations the same way)."""
    class Undeclared(Insar):
        steps = tuple(dataclasses.replace(s, uses=()) if s.name == "filter" else s
                      for s in Insar.steps)

    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs)
    (tmp_path / "run").mkdir()
    monkeypatch.chdir(tmp_path / "run")
    assert Undeclared(name="insarApp").run([str(xml), "--end=filter"]) == 1
    err = capsys.readouterr().err
    assert "UndeclaredParameterError" in err and "step 'filter'" in err
    assert "'filter strength'" in err
    assert steps_run(tmp_path / "run")[-1] == "filter"
    assert not (tmp_path / "run" / "interferogram" / "filt_topophase.flat").exists()


def test_settings_preprocess_only_checks_restart_nothing_before_their_step(tmp_path, slcs):
    """preprocess checks the looks against the image, yet a looks change after it resumes
    (the interferogram, which uses them, has not run yet)."""
    xml = pair_xml(tmp_path / "stripmapApp.xml", slcs)
    assert run(tmp_path / "run", xml, "--end=geo2rdr").returncode == 0
    proc = run(tmp_path / "run", xml, "insarApp.range looks=2", "--next", "--end=coarse_resample")
    assert proc.returncode == 0, proc.stderr
    assert steps_run(tmp_path / "run")[-1] == "coarse_resample"
