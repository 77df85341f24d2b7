"""Name normalisation and value typing (never eval)."""
import datetime as dt
import string

import pytest
from hypothesis import given, strategies as st

from isce.framework.names import closest, normalize
from isce.framework.parameter import Parameter
from isce.framework.values import convert, split_container

# names are ASCII in practice; a few accented letters check case folding beyond ASCII
# (letters like the dotless i, whose upper case folds to another letter, are left out)
ALPHABET = string.ascii_letters + string.digits + "_-éüøÅÇ"
words = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=8), min_size=1, max_size=4)
spaces = st.text(alphabet=" \t\n", max_size=3)


@given(words, spaces, st.booleans())
def test_normalize_ignores_case_and_whitespace(parts, pad, upper):
    name = " ".join(parts)
    variant = pad + (pad or " ").join(p.upper() if upper else p.lower() for p in parts) + pad
    assert normalize(variant) == normalize(name)
    assert normalize(name) == normalize(normalize(name))  # idempotent
    assert not any(c.isspace() for c in normalize(variant))


@given(words, words)
def test_normalize_separates_different_words(a, b):
    joined_a, joined_b = "".join(a).casefold(), "".join(b).casefold()
    assert (normalize(" ".join(a)) == normalize(" ".join(b))) == (joined_a == joined_b)


def test_sensor_name_example():
    assert normalize("Sensor Name") == normalize("sensorname") == normalize(" SENSOR\tNAME ")


def test_closest_suggests_a_near_name():
    assert closest("rnage looks", ["range looks", "azimuth looks", "dem"]) == "range looks"
    assert closest("zzzz", ["range looks"]) is None


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("TRUE", True), ("Yes", True), ("1", True), ("on", True),
    ("false", False), ("False", False), ("NO", False), ("0", False), ("off", False)])
def test_bool_words(text, expected):
    assert convert(text, "bool") is expected


@pytest.mark.parametrize("bad", ["maybe", "2", "True False", ""])
def test_bool_rejects(bad):
    with pytest.raises(ValueError):
        convert(bad, "bool")


def test_numbers_and_dates():
    assert convert(" 42 ", "int") == 42
    assert convert("1e3", "int") == 1000
    with pytest.raises(ValueError):
        convert("2.5", "int")
    assert convert("0.25", "float") == 0.25
    assert convert("2003-02-26T17:55:33.993088", "datetime") == dt.datetime(2003, 2, 26, 17, 55, 33, 993088)
    assert convert("2003-02-26 17:55:33", "datetime") == dt.datetime(2003, 2, 26, 17, 55, 33)
    assert convert("2011-01-13", "date") == dt.date(2011, 1, 13)


def test_containers_split_on_commas_or_spaces():
    assert split_container("a, b ,c") == ["a", "b", "c"]
    assert split_container("a b  c") == ["a", "b", "c"]
    assert split_container("[19.0, 20.5]") == ["19.0", "20.5"]
    assert convert("19, 20.5, 21", "float", list) == [19.0, 20.5, 21.0]
    assert convert("1 2 3", "int", tuple) == (1, 2, 3)
    assert convert("", "int", list) == []


def test_no_eval_of_input(tmp_path):
    marker = tmp_path / "evaluated"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    assert convert(payload, "str") == payload  # a string stays a string
    for kind in ("int", "float", "bool"):
        with pytest.raises(ValueError):
            convert(payload, kind)
    with pytest.raises(ValueError):
        convert("[1, 2] + [3]", "int", list)
    assert not marker.exists()


def test_relative_path_resolves_against_base(tmp_path):
    assert convert("dem.tif", "path", base_dir=tmp_path) == str(tmp_path / "dem.tif")
    assert convert("/abs/dem.tif", "path", base_dir=tmp_path) == "/abs/dem.tif"
    assert convert("dem.tif", "path") == "dem.tif"


def test_choices_are_case_insensitive_and_canonical():
    p = Parameter("u", public_name="unwrapper name", type=str, default="snaphu",
                  choices=("snaphu", "icu"))
    assert p.convert("SNAPHU") == "snaphu"
    with pytest.raises(ValueError, match="one of snaphu, icu"):
        p.convert("grass")


def test_defaults_are_copied_per_instance():
    from isce_testapps import Radar
    a, b = Radar(), Radar()
    a.dates.append(dt.date(2020, 1, 1))
    assert b.dates == []


def test_import_isce_is_cheap_and_versioned():
    import subprocess
    import sys
    code = ("import sys, time; t = time.perf_counter(); import isce; dt = time.perf_counter() - t; "
            "print(isce.version.release_version, dt, 'numpy' in sys.modules, 'lxml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, seconds, numpy_loaded, lxml_loaded = out.stdout.split()
    import isce
    assert version == isce.version.release_version == isce.__version__
    assert version.count(".") == 2
    assert numpy_loaded == "False" and lxml_loaded == "False"
    assert float(seconds) < 0.3
