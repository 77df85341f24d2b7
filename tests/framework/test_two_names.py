"""One setting under two of its names (ISCE2's ``Master`` and stripmapApp's ``Reference``,
or a property and its alias) in the configuration files: an error naming both and where
each was written, never the later one silently. A command-line setting may use any name
(it is an explicit override). Also ISCE2's quoted-list syntax for file lists."""
import textwrap

import pytest

from isce.framework import Application, CommandLine, ConfigurationError, Facility, Parameter
from isce.framework.configurable import Component
from isce.framework.values import convert, split_quoted_list


class Reader(Component):
    family = "reader"
    parameters = (Parameter("path", public_name="FILE", type="path", default=None),)


def make_reader(kind, role):
    return Reader(name=role) if kind else None


class Pair(Application):
    """Two dates, each configured under either vocabulary."""

    family = "pair"
    instance_name = "pairApp"
    parameters = (Parameter("kind", type=str, default="x"),
                  Parameter("spacing", public_name="geocode spacing", type=float, default=None,
                            aliases=("geoSpacing",)))
    facilities = (Facility("reference", factory=make_reader, args=("kind",),
                           kwargs={"role": "reference"}, public_name="Reference",
                           aliases=("Master",), mandatory=False),)


def write(path, body):
    path.write_text(textwrap.dedent(f"""\
        <pairApp>
          <component name="pair">
        {textwrap.indent(textwrap.dedent(body), "    ")}
          </component>
        </pairApp>
        """))
    return path


def configure(*args):
    app = Pair()
    app.configure_from(CommandLine.parse([str(a) for a in args]))
    return app


def test_master_and_reference_in_one_file(workdir):
    xml = write(workdir / "a.xml", """\
        <component name="Master"><property name="FILE">m.img</property></component>
        <component name="Reference"><property name="FILE">r.img</property></component>""")
    with pytest.raises(ConfigurationError) as err:
        configure(xml)
    text = str(err.value)
    assert f"'Master' ({xml}:3) and 'Reference' ({xml}:4) both configure 'Reference'" in text
    assert "keep one" in text


def test_master_and_reference_in_two_files(workdir):
    """An old file (Master) and a new one (Reference) on one command line: both named."""
    old = write(workdir / "old.xml", '<component name="Master"><property name="FILE">m</property></component>')
    new = write(workdir / "new.xml", '<component name="reference"><property name="FILE">r</property></component>')
    with pytest.raises(ConfigurationError, match=rf"'Master' \({old}:3\) and 'reference' \({new}:3\)"):
        configure(old, new)


def test_a_property_and_its_alias(workdir):
    xml = write(workdir / "a.xml", """\
        <property name="geocode spacing">0.001</property>
        <property name="geoSpacing">0.002</property>""")
    with pytest.raises(ConfigurationError, match="'geocode spacing' .* and 'geoSpacing' .* both configure"):
        configure(xml)


def test_one_name_per_file_and_command_line_overrides_are_fine(workdir):
    xml = write(workdir / "a.xml", '<component name="MASTER"><property name="FILE">m</property></component>')
    app = configure(xml, "pairApp.Reference.FILE=r", "pairApp.geoSpacing=0.5",
                    "pairApp.geocode spacing=0.25")
    assert app.reference.path == "r" and app.spacing == 0.25
    assert configure(xml).reference.path == str(workdir / "m")


@pytest.mark.parametrize("text, items", [
    ("['IMG-1', 'IMG-2']", ["IMG-1", "IMG-2"]),
    ('["a b", \'c\',]', ["a b", "c"]),
    ("( 'x' )", ["x"]),
])
def test_quoted_lists(text, items):
    assert split_quoted_list(text) == items


@pytest.mark.parametrize("text, why", [
    ("[IMG-1, IMG-2]", "quoted file names"), ("['a' 'b']", "quoted file names"),
    ("[]", "empty list"), ("['a'], 'b'", "expected a list"), ("['a', __import__('os')]", "quoted"),
])
def test_quoted_lists_refused(text, why):
    with pytest.raises(ValueError, match=why):
        split_quoted_list(text)


def test_paths_type_one_or_several(tmp_path):
    assert convert("my data/IMG 1", "paths") == "my data/IMG 1"           # never split at spaces
    assert convert("IMG-1, IMG-2", "paths", base_dir=tmp_path) == [str(tmp_path / "IMG-1"),
                                                                   str(tmp_path / "IMG-2")]
    assert convert("['IMG-1']", "paths") == ["IMG-1"]
    assert convert("", "paths") is None
