"""The configuration layers of DESIGN.md §2, each alone and every pair, plus facilities."""
import itertools
import textwrap

import pytest

from isce.framework import CommandLine
from isce_testapps import Boxcar, Filter, Radar

LAYERS = ["default", "isce_family", "isce_instance", "cwd_family", "cwd_instance",
          "cli_file", "cli_assign"]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def component_file(path, key, body):
    return write(path, f"""
        <cfg>
          <component name="{key}">
            {body}
          </component>
        </cfg>""")


def configure(args, cwd=None):
    app = Radar()
    app.configure_from(CommandLine.parse(args))
    return app


def set_layers(workdir, monkeypatch, values: dict):
    """Put ``seed`` = value in each named layer; return (command-line args, sources)."""
    db = workdir / "db"
    db.mkdir(exist_ok=True)
    monkeypatch.setenv("ISCEDB", str(db))
    files = {
        "isce_family": (db / "radar.xml", "radar"),
        "isce_instance": (db / "radarApp.xml", "radarApp"),
        "cwd_family": (workdir / "radar.xml", "radar"),
        "cwd_instance": (workdir / "radarApp.xml", "radarApp"),
        "cli_file": (workdir / "input" / "run.xml", "radarApp"),
    }
    args, sources = [], {"default": "default", "cli_assign": "command line"}
    for layer, value in values.items():
        if layer in files:
            path, key = files[layer]
            component_file(path, key, f'<property name="seed">{value}</property>')
            sources[layer] = str(path.resolve()) if layer != "cli_file" else str(path)
            if layer == "cli_file":
                args.append(str(path))
        elif layer == "cli_assign":
            args.append(f"radarApp.seed={value}")
    return args, sources


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_alone(workdir, monkeypatch, layer):
    values = {} if layer == "default" else {layer: 77}
    args, sources = set_layers(workdir, monkeypatch, values)
    app = configure(args)
    assert app.seed == (1 if layer == "default" else 77)
    assert app.source_of("seed") == sources[layer]


@pytest.mark.parametrize("low,high", list(itertools.combinations(LAYERS[1:], 2)))
def test_every_pair_of_layers_higher_wins(workdir, monkeypatch, low, high):
    values = {low: 10 + LAYERS.index(low), high: 10 + LAYERS.index(high)}
    args, sources = set_layers(workdir, monkeypatch, values)
    app = configure(list(reversed(args)))  # command-line order between layers must not matter
    assert app.seed == values[high]
    assert app.source_of("seed") == sources[high]


def test_all_layers_together_and_defaults_untouched(workdir, monkeypatch):
    values = {layer: 10 + i for i, layer in enumerate(LAYERS) if layer != "default"}
    args, sources = set_layers(workdir, monkeypatch, values)
    app = configure(args)
    assert app.seed == values["cli_assign"]
    assert app.looks == 1 and app.source_of("looks") == "default"


def test_instance_block_beats_family_block_in_one_file(workdir):
    f = write(workdir / "run.xml", """
        <cfg>
          <component name="radarApp"><property name="seed">2</property></component>
          <component name="radar"><property name="seed">1</property>
                                  <property name="range looks">3</property></component>
        </cfg>""")
    app = configure([str(f)])
    assert (app.seed, app.looks) == (2, 3)


def test_command_line_files_and_settings_left_to_right(workdir):
    a = component_file(workdir / "a.xml", "radar", '<property name="seed">1</property>')
    b = component_file(workdir / "b.xml", "radar", '<property name="seed">2</property>')
    assert configure([str(a), str(b)]).seed == 2
    assert configure([str(b), str(a)]).seed == 1
    assert configure(["radar.seed=5", "radarApp.seed=6"]).seed == 6
    assert configure(["radarApp.seed=6", "radar.seed=5"]).seed == 5
    # a setting beats a file whatever their order on the command line
    assert configure(["radarApp.seed=9", str(a)]).seed == 9


def test_names_ignore_case_and_spaces_and_aliases(workdir):
    f = component_file(workdir / "a.xml", "RADAR", """
        <property name="RANGE   LOOKS">4</property>
        <property name="sensorname">ALOS</property>
        <property name="Do Unwrap">yes</property>""")
    app = configure([str(f)])
    assert (app.looks, app.label, app.flag) == (4, "ALOS", True)
    app = configure(["RadarApp.RangeLooks=2", "radarapp.sensor=ERS"])
    assert (app.looks, app.label) == (2, "ERS")


def test_typed_values_from_xml(workdir):
    f = component_file(workdir / "a.xml", "radar", """
        <property name="dates">2011-01-13, 2011-02-28</property>
        <property name="ratio">2.5e-1</property>""")
    app = configure([str(f)])
    assert [d.isoformat() for d in app.dates] == ["2011-01-13", "2011-02-28"]
    assert app.ratio == 0.25


def test_relative_paths_resolve_against_the_file_folder(workdir):
    f = component_file(workdir / "input" / "run.xml", "radar", "<property name='demFilename'>dem.tif</property>")
    assert configure([str(f)]).dem == str(workdir / "input" / "dem.tif")
    assert configure(["radarApp.demFilename=dem.tif"]).dem == "dem.tif"
    # a file found only in the working directory (an earlier stage's product) is taken there
    (workdir / "dem.tif").write_bytes(b"x")
    assert configure([str(f)]).dem == "dem.tif"
    (workdir / "input" / "dem.tif").write_bytes(b"y")
    assert configure([str(f)]).dem == str(workdir / "input" / "dem.tif")


def test_output_paths_are_relative_to_the_working_directory(workdir):
    from isce.framework import Application, Parameter, Step

    class Writer(Application):
        family = "writer"
        parameters = (Parameter("out", type="path", default=None, intent="output"),)
        steps = (Step("s", lambda ctx: None, "Nothing."),)

    f = component_file(workdir / "input" / "run.xml", "writer", "<property name='out'>result/x.bin</property>")
    app = Writer()
    app.configure_from(CommandLine.parse([str(f)]))
    assert app.out == "result/x.bin"


def test_facility_factory_chosen_by_parameter(workdir):
    app = configure([])
    assert type(app.filter) is Filter and app.filter.instance == "goldstein"
    app = configure(["radarApp.filter kind=boxcar"])
    assert type(app.filter) is Boxcar and app.filter.window == 5
    assert app.filter.strength == 0.5  # inherited declaration


def test_parent_settings_override_the_facility_own_files(workdir, monkeypatch):
    db = workdir / "db"
    monkeypatch.setenv("ISCEDB", str(db))
    component_file(db / "filter.xml", "filter", """
        <property name="window">16</property><property name="filter strength">0.2</property>""")
    component_file(workdir / "filter.xml", "filter", '<property name="window">64</property>')
    component_file(workdir / "goldstein.xml", "goldstein", '<property name="filter strength">0.1</property>')
    app = configure([])
    assert (app.filter.window, app.filter.strength) == (64, 0.1)  # own files: cwd over ISCEDB, instance over family
    assert app.filter.source_of("window") == str((workdir / "filter.xml").resolve())
    # the parent's settings for its facility win over the facility's own files, from any parent layer
    component_file(workdir / "radar.xml", "radar", """
        <component name="filter"><property name="filter strength">0.9</property></component>""")
    app = configure([])
    assert (app.filter.window, app.filter.strength) == (64, 0.9)
    app = configure(["radarApp.filter.window=8"])
    assert (app.filter.window, app.filter.strength) == (8, 0.9)
    assert app.filter.source_of("window") == "command line"


def test_show_config_lists_every_property_with_its_source(workdir, monkeypatch, capsys):
    db = workdir / "db"
    monkeypatch.setenv("ISCEDB", str(db))
    dbfile = component_file(db / "radar.xml", "radar", '<property name="range looks">4</property>')
    cli = component_file(workdir / "in.xml", "radarApp", """
        <property name="Sensor Name">ALOS</property>
        <component name="filter"><property name="window">12</property></component>""")
    rc = Radar.main(["radarApp.py", str(cli), "radarApp.seed=3", "--show-config"])
    assert rc == 0
    lines = capsys.readouterr().out.splitlines()
    shown = {}
    for line in lines:
        left, _, source = line.partition("  # ")
        path, _, value = left.partition(" = ")
        shown[path] = (value, source)
    assert shown["radarApp.seed"] == ("3", "command line")
    assert shown["radarApp.range looks"] == ("4", str(dbfile.resolve()))
    assert shown["radarApp.Sensor Name"] == ("ALOS", str(cli))
    assert shown["radarApp.filter.window"] == ("12", str(cli))
    assert shown["radarApp.filter.filter strength"] == ("0.5", "default")
    assert shown["radarApp.do unwrap"] == ("False", "default")
    assert len(shown) == len(Radar._parameter_list) + len(Filter._parameter_list)


@pytest.mark.parametrize("low,high", [("Sensor Name", "sensor"), ("sensor", "label"),
                                      ("label", "SENSORNAME")])
def test_rightmost_wins_whatever_the_spelling(workdir, low, high):
    component_file(workdir / "radarApp.xml", "radarApp", f'<property name="{low}">FILE</property>')
    app = configure([f"radarApp.{high}=CLI"])
    assert app.label == "CLI" and app.source_of("label") == "command line"


def test_facility_aliases_merge_in_layer_order(workdir):
    component_file(workdir / "radar.xml", "radar", """
        <component name="smoother"><property name="window">5</property>
                                   <property name="strength">0.3</property></component>""")
    app = configure(["radarApp.filter.window=9"])
    assert (app.filter.window, app.filter.strength) == (9, 0.3)
    app = configure(["radarApp.filter.filter strength=0.7", "radarApp.smoother.strength=0.8"])
    assert app.filter.strength == 0.8
