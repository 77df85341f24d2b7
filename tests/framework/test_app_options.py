"""An application's own command-line options (``--scheduler tcp://...``): the parameter they
name, set as the rightmost command-line setting, in both spellings; refused without a value."""
import pytest

from isce.framework import ConfigurationError
from isce.framework.application import expand_options
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
