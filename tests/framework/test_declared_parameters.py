"""A step reads only the parameters its Step declares (``uses`` + ``checks``); the restart
rule comes from ``uses`` alone (issue 15, item 5)."""
import pytest

from isce.framework import Step
from isce.framework.steps import ParameterView, UndeclaredParameterError
from isce_testapps import Radar, first

ARGS = ["radarApp.seed=3", "radarApp.range looks=2", "radarApp.filter.filter strength=0.5"]


def peeking_first(ctx):
    """Multiply the seed; look at the looks (a check: nothing depends on it)."""
    assert ctx.params.looks >= 1
    first(ctx)


def test_reading_an_undeclared_parameter_names_the_step_and_the_setting(workdir, capsys):
    class Undeclared(Radar):
        steps = (Step("first", peeking_first, "Peek.", uses=("seed",)), *Radar.steps[1:])

    assert Undeclared().run(ARGS) == 1
    err = capsys.readouterr().err
    assert "UndeclaredParameterError" in err
    assert "step 'first' of radarApp reads 'range looks', which it does not declare" in err


def test_a_default_does_not_hide_an_undeclared_read(workdir):
    app = Radar()
    view = ParameterView(app, Radar.steps[0])
    assert view.seed == 1
    with pytest.raises(UndeclaredParameterError):
        getattr(view, "looks", 7)
    with pytest.raises(AttributeError, match="no parameter 'nothing'"):
        view.nothing                                 # not a parameter at all: as before
    assert dir(view) == ["seed"]


def test_facilities_and_aliases_count_as_declarations(workdir):
    app = Radar()
    view = ParameterView(app, Radar.steps[2])        # uses=("filter", "filter kind")
    assert sorted(dir(view)) == ["filter", "kind"]
    view = ParameterView(app, Step("s", first, uses=("sensor", "smoother.filter strength")))
    assert sorted(dir(view)) == ["filter", "label"]   # aliases of 'Sensor Name' and 'filter'


def test_uses_none_exposes_every_parameter(workdir):
    view = ParameterView(Radar(), Step("all", first))
    assert {"seed", "looks", "filter", "dem"} <= set(dir(view))
    assert view.looks == 1


def test_an_unknown_declared_name_is_refused(workdir):
    with pytest.raises(ValueError, match="declares 'range lokks'"):
        ParameterView(Radar(), Step("s", first, uses=("range lokks",)))


def test_checked_settings_restart_nothing(workdir, capsys):
    """'range looks' checked in the first step but used by the second: changed after the
    first step, the run restarts from the second (not the first)."""
    class Checking(Radar):
        steps = (Step("first", peeking_first, "Peek.", uses=("seed",), checks=("range looks",)),
                 *Radar.steps[1:])

    assert Checking().run([*ARGS, "--end=first"]) == 0
    assert Checking().run([*ARGS[:1], "radarApp.range looks=5", *ARGS[2:], "--next"]) == 0
    assert Checking().run([*ARGS, "--end=second"]) == 0
    assert Checking().run([*ARGS[:1], "radarApp.range looks=5", *ARGS[2:], "--next"]) == 2
    err = capsys.readouterr().err
    assert "--start=second" in err

