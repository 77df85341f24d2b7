"""Configuration mistakes: one or two lines naming file, line and property; exit status 2."""
import textwrap

import pytest

from isce.framework import ConfigurationError
from isce_testapps import Mandatory, Radar


def write(path, text):
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def run(capsys, *args, app=Radar):
    rc = app.main([f"{app.instance_name or app.family}.py", *args])
    out = capsys.readouterr()
    return rc, out.err.strip()


def assert_clean(rc, err):
    assert rc == 2
    assert 1 <= len(err.splitlines()) <= 2, err
    assert "Traceback" not in err


def test_malformed_xml(workdir, capsys):
    f = write(workdir / "bad.xml", """
        <cfg>
          <component name="radar">
            <property name="seed">1</property>
          </componnt>
        </cfg>""")
    rc, err = run(capsys, str(f))
    assert_clean(rc, err)
    assert f"{f}:4:" in err and "malformed XML" in err


def test_unknown_property_names_closest(workdir, capsys):
    f = write(workdir / "in.xml", """
        <cfg>
          <component name="radar">
            <property name="rnage looks">4</property>
          </component>
        </cfg>""")
    rc, err = run(capsys, str(f))
    assert_clean(rc, err)
    assert f"{f}:3:" in err
    assert "radarApp.rnage looks" in err and "did you mean 'range looks'" in err


def test_unknown_property_on_command_line(workdir, capsys):
    rc, err = run(capsys, "radarApp.filter.windw=3")
    assert_clean(rc, err)
    assert "command line" in err and "radarApp.filter.windw" in err and "'window'" in err


def test_unknown_component_names_closest(workdir, capsys):
    f = write(workdir / "in.xml", """
        <cfg><component name="radar">
          <component name="filtr"><property name="window">3</property></component>
        </component></cfg>""")
    rc, err = run(capsys, str(f))
    assert_clean(rc, err)
    assert f"{f}:2:" in err and "did you mean 'filter'" in err


def test_bad_value_for_type(workdir, capsys):
    f = write(workdir / "in.xml", """
        <cfg><component name="radar">
          <property name="range looks">four</property>
        </component></cfg>""")
    rc, err = run(capsys, str(f))
    assert_clean(rc, err)
    assert f"{f}:2:" in err and "radarApp.range looks" in err and "'four'" in err and "int" in err
    rc, err = run(capsys, "radarApp.do unwrap=perhaps")
    assert_clean(rc, err)
    assert "bool" in err


def test_bad_choice(workdir, capsys):
    rc, err = run(capsys, "radarApp.filter kind=median")
    assert_clean(rc, err)
    assert "goldstein, boxcar" in err


def test_missing_catalog(workdir, capsys):
    f = write(workdir / "in.xml", """
        <cfg><component name="radar">
          <catalog>missing.xml</catalog>
        </component></cfg>""")
    rc, err = run(capsys, str(f))
    assert_clean(rc, err)
    assert "missing.xml" in err and ":2:" in err


def test_missing_command_line_file(workdir, capsys):
    rc, err = run(capsys, "nothere.xml")
    assert_clean(rc, err)
    assert "nothere.xml" in err and "not found" in err


def test_unknown_step_names_closest(workdir, capsys):
    rc, err = run(capsys, "--start=secnd")
    assert_clean(rc, err)
    assert "'secnd'" in err and "did you mean 'second'" in err


def test_missing_mandatory_parameter(workdir, capsys):
    rc, err = run(capsys, app=Mandatory)
    assert_clean(rc, err)
    assert "mand.product" in err and "mandatory" in err
    product = workdir / "p.h5"
    product.write_bytes(b"x")
    rc, _ = run(capsys, f"mand.product={product}", "mand.looks=3", app=Mandatory)
    assert rc == 0


def test_file_meant_for_another_application(workdir, capsys):
    f = write(workdir / "in.xml", """<cfg><component name="insar"><property name="x">1</property></component></cfg>""")
    rc, err = run(capsys, str(f))
    assert_clean(rc, err)
    assert "'insar'" in err and "radarApp" in err


def test_setting_must_start_with_application_name(workdir, capsys):
    rc, err = run(capsys, "seed.x=3")
    assert_clean(rc, err)
    assert "must start with" in err


def test_unknown_option(workdir, capsys):
    rc, err = run(capsys, "--stpes")
    assert_clean(rc, err)
    assert "--steps" in err


def test_property_set_as_component_and_vice_versa(workdir, capsys):
    rc, err = run(capsys, "radarApp.filter=3")
    assert_clean(rc, err)
    assert "component" in err


def test_debug_shows_the_traceback(workdir):
    with pytest.raises(ConfigurationError):
        Radar.main(["radarApp.py", "radarApp.seed=x", "--debug"])


def test_step_failure_is_one_line_exit_1(workdir, capsys):
    # ratio=0 makes no error; a non-numeric seed is caught earlier; so break a step directly
    rc = Radar.main(["radarApp.py", "radarApp.filter.filter strength=0.5"])
    assert rc == 0
    from isce.framework import Step

    def broken(ctx):
        raise ZeroDivisionError("division by zero in the kernel")

    class Broken(Radar):
        steps = (Step("boom", broken, "Fails."),)

    rc = Broken.main(["radarApp.py"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "ZeroDivisionError: division by zero in the kernel" in err and "--debug" in err
    assert "Traceback" not in err


def test_mandatory_with_default_or_empty_value_is_missing(workdir, capsys):
    product = workdir / "p.h5"
    product.write_bytes(b"x")
    rc, err = run(capsys, f"mand.product={product}", app=Mandatory)
    assert_clean(rc, err)
    assert "mand.looks" in err
    rc, err = run(capsys, "mand.product=", "mand.looks=2", app=Mandatory)
    assert_clean(rc, err)
    assert "mand.product" in err
    rc, _ = run(capsys, f"mand.product={product}", "mand.looks=1", app=Mandatory)
    assert rc == 0


def test_empty_and_none_values(workdir):
    from isce_testapps import Radar
    from isce.framework import CommandLine
    app = Radar()
    app.configure_from(CommandLine.parse(["radarApp.demFilename=", "radarApp.ratio=None"]))
    assert app.dem is None and app.ratio is None
    with pytest.raises(ConfigurationError, match="boolean"):
        Radar().configure_from(CommandLine.parse(["radarApp.do unwrap=None"]))


def test_directory_given_as_config_file(workdir, capsys):
    (workdir / "dir.xml").mkdir()
    rc, err = run(capsys, "dir.xml")
    assert_clean(rc, err)
    assert "is not a file" in err
