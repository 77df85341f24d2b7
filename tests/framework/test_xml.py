"""The XML grammar: property forms, nesting, catalogs, constants, and parse errors."""
import textwrap

import pytest

from isce.framework import ConfigurationError, parse_file
from isce.framework.xmlconfig import parse_assignment


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_three_property_forms_and_free_root(tmp_path):
    f = write(tmp_path / "a.xml", """
        <anything>
          <component name="insar">
            <property name="Sensor Name">ALOS</property>
            <property name="range looks" value="4"/>
            <property><name>azimuth looks</name><value> 8 </value></property>
            <property name="do unwrap"><value>True</value><doc>ignored</doc></property>
          </component>
        </anything>""")
    node = parse_file(f).components["insar"]
    texts = {k: s.text for k, s in node.properties.items()}
    assert texts == {"sensorname": "ALOS", "rangelooks": "4", "azimuthlooks": "8", "dounwrap": "True"}
    assert node.properties["rangelooks"].line == 4
    assert node.properties["sensorname"].source == str(f)


def test_value_given_twice_is_an_error(tmp_path):
    f = write(tmp_path / "a.xml", """
        <x><component name="insar">
          <property name="a" value="1">2</property>
        </component></x>""")
    with pytest.raises(ConfigurationError, match="more than once") as err:
        parse_file(f)
    assert err.value.line == 2 and err.value.source == str(f)


def test_nested_components(tmp_path):
    f = write(tmp_path / "a.xml", """
        <x><component name="insar"><component name="Master">
          <component name="Orbit"><property name="type">precise</property></component>
        </component></component></x>""")
    orbit = parse_file(f).components["insar"].components["master"].components["orbit"]
    assert orbit.properties["type"].text == "precise"


def test_catalog_is_inlined_relative_to_the_including_file(tmp_path, monkeypatch):
    write(tmp_path / "cfg" / "sub" / "master.xml", """
        <component name="Master">
          <property name="IMAGEFILE">img.raw</property>
          <catalog>../more.xml</catalog>
        </component>""")
    write(tmp_path / "cfg" / "more.xml", """<r><property name="OUTPUT">out.raw</property></r>""")
    f = write(tmp_path / "cfg" / "top.xml", """
        <x><component name="insar"><component name="master">
          <catalog>sub/master.xml</catalog>
        </component></component></x>""")
    monkeypatch.chdir(tmp_path)  # not the file's folder: the catalog must still be found
    master = parse_file(f).components["insar"].components["master"]
    assert master.properties["imagefile"].text == "img.raw"
    assert master.properties["output"].text == "out.raw"
    # data paths in the catalog resolve against the catalog's own folder
    assert master.properties["imagefile"].base_dir == str((tmp_path / "cfg" / "sub").resolve())
    assert master.properties["output"].source == str((tmp_path / "cfg" / "more.xml").resolve())


def test_missing_catalog_names_file_and_line(tmp_path):
    f = write(tmp_path / "a.xml", """
        <x>
          <component name="insar">
            <catalog>nowhere.xml</catalog>
          </component>
        </x>""")
    with pytest.raises(ConfigurationError) as err:
        parse_file(f)
    assert "nowhere.xml" in str(err.value) and "not found" in str(err.value)
    assert err.value.source == str(f.resolve()) and err.value.line == 3


def test_catalog_cycle_is_reported(tmp_path):
    write(tmp_path / "a.xml", "<x><catalog>b.xml</catalog></x>")
    write(tmp_path / "b.xml", "<x><catalog>a.xml</catalog></x>")
    with pytest.raises(ConfigurationError, match="includes itself"):
        parse_file(tmp_path / "a.xml")


def test_constants_scope_downward_not_upward(tmp_path):
    f = write(tmp_path / "a.xml", """
        <x>
          <component name="insar">
            <constant name="dir">/data/alos</constant>
            <constant name="img">$dir$/IMG-HH</constant>
            <property name="top">$img$.raw</property>
            <component name="master">
              <constant name="date">20110113</constant>
              <property name="IMAGEFILE">$img$-$date$</property>
            </component>
            <component name="slave">
              <property name="IMAGEFILE">$date$</property>
            </component>
          </component>
        </x>""")
    with pytest.raises(ConfigurationError, match=r"undefined constant \$date\$") as err:
        parse_file(f)
    assert err.value.line == 11  # the slave cannot see the master's constant


def test_constants_resolve_inside_nested_components_and_catalogs(tmp_path):
    write(tmp_path / "cat.xml", """<r><property name="out">$dir$/out.raw</property></r>""")
    f = write(tmp_path / "a.xml", """
        <x><component name="insar">
          <constant name="Data Dir">/data</constant>
          <constant name="dir">$data dir$/alos</constant>
          <component name="master">
            <property name="IMAGEFILE">$DIR$/IMG</property>
            <catalog>cat.xml</catalog>
          </component>
        </component></x>""")
    master = parse_file(f).components["insar"].components["master"]
    assert master.properties["imagefile"].text == "/data/alos/IMG"
    assert master.properties["out"].text == "/data/alos/out.raw"


def test_constant_defined_in_child_does_not_leak_to_parent(tmp_path):
    f = write(tmp_path / "a.xml", """
        <x><component name="insar">
          <component name="master"><constant name="c">1</constant></component>
          <property name="p">$c$</property>
        </component></x>""")
    with pytest.raises(ConfigurationError, match="undefined constant"):
        parse_file(f)


def test_malformed_xml_names_file_and_line(tmp_path):
    f = write(tmp_path / "bad.xml", """
        <x>
          <component name="insar">
            <property name="a">1</propert>
          </component>
        </x>""")
    with pytest.raises(ConfigurationError) as err:
        parse_file(f)
    assert err.value.source == str(f) and err.value.line == 3
    assert "malformed XML" in str(err.value)


def test_unknown_tag_is_an_error(tmp_path):
    f = write(tmp_path / "a.xml", """<x><component name="i"><propery name="a">1</propery></component></x>""")
    with pytest.raises(ConfigurationError, match="unknown tag <propery>"):
        parse_file(f)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    f = write(tmp_path / "a.xml", f"""<?xml version="1.0"?>
        <!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>
        <x><component name="i"><property name="a">&s;</property></component></x>""")
    try:
        node = parse_file(f)
    except ConfigurationError:
        return
    assert "TOP SECRET" not in node.components["i"].properties.get("a").text


def test_assignment_parsing():
    root = parse_assignment("insarApp.Master.output = x.raw")
    setting = root.components["insarapp"].components["master"].properties["output"]
    assert setting.text == "x.raw" and setting.source == "command line"
    assert parse_assignment("a.b=c=d").components["a"].properties["b"].text == "c=d"
    for bad in ("nodots=1", "a.b", ".b=1", "a..b=1"):
        with pytest.raises(ConfigurationError):
            parse_assignment(bad)
