"""An application's own command-line options (``--scheduler tcp://...``): the parameter they
name, set as the rightmost command-line setting, in both spellings; refused without a value."""
from pathlib import Path

import pytest

from isce.framework import ConfigurationError, Parameter
from isce.framework.application import Option, expand_options
from isce_testapps import Radar


class RadarWithOption(Radar):
    options = {"--looks": "range looks"}


def test_both_spellings_become_assignments():
    opts = {"--scheduler": "scheduler"}
    assert expand_options(["a.xml", "--scheduler", "tcp://h:8786", "--steps"], opts, "stackApp") \
        == ["a.xml", "stackApp.scheduler=tcp://h:8786", "--steps"]
    assert expand_options(["--scheduler=s.json"], opts, "stackApp") == ["stackApp.scheduler=s.json"]


def test_missing_value_is_one_line_error():
    with pytest.raises(ConfigurationError, match="--scheduler needs a value"):
        expand_options(["--scheduler", "--steps"], {"--scheduler": "scheduler"}, "x")


def test_option_sets_the_parameter_rightmost(workdir):
    app = RadarWithOption()
    assert app.run(["radarApp.range looks=2", "--looks", "5"]) == 0
    assert app.looks == 5
    plain = Radar()
    assert plain.run(["--looks", "5"]) == 2          # an option of another application


def test_usage_lists_the_options(capsys):
    RadarWithOption().run(["--help"])
    assert "[--looks <range looks>]" in capsys.readouterr().out


# --- ISCE2's argparse spellings (issue 13: looks.py, imageMath.py, isce2gis.py, dem.py ...)


def test_short_and_long_forms_and_an_attached_short_value():
    opts = {"-r": "range looks", "--range": "range looks"}
    assert expand_options(["-r", "4"], opts, "looks") == ["looks.range looks=4"]
    assert expand_options(["--range=4"], opts, "looks") == ["looks.range looks=4"]
    assert expand_options(["-r4"], opts, "looks") == ["looks.range looks=4"]


def test_a_flag_takes_no_value_and_refuses_one():
    opts = {"-f": Option("full", const="true")}
    assert expand_options(["-f", "x.xml"], opts, "fix") == ["fix.full=true", "x.xml"]
    with pytest.raises(ConfigurationError, match="-f takes no value"):
        expand_options(["-f=1"], opts, "fix")


def test_several_values_include_negative_numbers():
    opts = {"-b": Option("bbox", nargs=4), "-v": "filling value"}
    assert expand_options(["-b", "31", "33", "-114", "-112", "-v", "-32768"], opts, "dem") \
        == ["dem.bbox=['31', '33', '-114', '-112']", "dem.filling value=-32768"]
    with pytest.raises(ConfigurationError, match="-b needs 4 values"):
        expand_options(["-b", "31", "33", "-114", "-f"], opts, "dem")


def test_one_or_more_values_stop_at_the_next_option():
    opts = {"-i": Option("input", nargs="+"), "-f": Option("full", const="true")}
    assert expand_options(["-i", "a b.slc", "c.slc", "-f"], opts, "fix") \
        == ["fix.input=['a b.slc', 'c.slc']", "fix.full=true"]


def test_gathered_options_with_a_prefix_become_one_list():
    opts = {f"--{c}": Option("inputs", prefix=f"{c}=", append=True) for c in "ab"}
    assert expand_options(["--a=x.int", "-e=a", "--b", "m;3;float"], {**opts, "-e": "eval"}, "im") \
        == ["im.inputs=['a=x.int', 'b=m;3;float']", "im.eval=a"]


def test_a_leading_sub_command_and_an_alias_of_a_framework_flag():
    opts = {"FORMAT": "format", "-i": "input", "-H": "--help"}
    assert expand_options(["vrt", "-i", "x"], opts, "gis") == ["gis.format=vrt", "gis.input=x"]
    assert expand_options(["a.xml", "-H"], opts, "gis") == ["a.xml", "--help"]
    image = {"IMAGE": Option("input", xml=True)}               # mdx.py x.int.xml: an image
    assert expand_options(["x.int.xml", "b.xml"], image, "mdx") == ["mdx.input=x.int.xml", "b.xml"]


def test_typed_parameters_read_the_lists(workdir):
    class Boxed(Radar):
        parameters = Radar.parameters + (
            Parameter("bbox", type=float, container=list, default=[]),
            Parameter("files", type="paths", default=None),
            Parameter("full", type=bool, default=False))
        options = {"-b": Option("bbox", nargs=4), "-i": Option("files", nargs="+"),
                   "-f": Option("full", const="true")}

    app = Boxed()
    assert app.run(["-b", "31", "33.5", "-114", "-112", "-i", "a, b.slc", "c.slc", "-f"]) == 0
    assert app.bbox == [31.0, 33.5, -114.0, -112.0]
    assert [Path(f).name for f in app.files] == ["a, b.slc", "c.slc"] and app.full is True
