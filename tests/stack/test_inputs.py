"""The dates of a stack (isce.stack.inputs): found by file name in a folder of date folders,
or read from per-date reader XML files; what cannot be found is refused in one message."""
import pytest
from isce.framework import ConfigurationError, InputError
from isce.stack.inputs import DateInput, dates_from_folder, dates_from_xml, make_reader


def _date_folder(root, name, *files):
    folder = root / name
    folder.mkdir(parents=True)
    for f in files:
        (folder / f).write_bytes(b"x")
    return folder


def test_alos_dates_by_ceos_names(tmp_path):
    _date_folder(tmp_path, "20080601", "IMG-HH-ALPSRP123-H1.0__A", "LED-ALPSRP123-H1.0__A")
    _date_folder(tmp_path, "20080717", "IMG-HH-ALPSRP456-H1.0__A", "LED-ALPSRP456-H1.0__A")
    (tmp_path / "notes.txt").write_text("not a date folder")
    _date_folder(tmp_path, "truth", "IMG-HH-X", "LED-X")    # no YYYYMMDD name: not a date
    dates = dates_from_folder(tmp_path, "alos")            # names ignore case, as ISCE's
    assert [d.sensor for d in dates] == ["ALOS", "ALOS"]
    assert dates[1].properties == {"IMAGEFILE": "IMG-HH-ALPSRP456-H1.0__A",
                                   "LEADERFILE": "LED-ALPSRP456-H1.0__A"}
    assert dates[1].base_dir == str((tmp_path / "20080717").resolve())
    reader = make_reader(dates[1])
    assert str(reader.imagefile) == str(tmp_path / "20080717" / "IMG-HH-ALPSRP456-H1.0__A")
    assert DateInput.from_dict(dates[0].to_dict()) == dates[0]


@pytest.mark.parametrize("files, message", [
    ((), "no file matching IMG-*"),
    (("IMG-HH-A", "IMG-HV-A", "LED-A"), "2 files (IMG-HH-A, IMG-HV-A) matching IMG-*"),
])
def test_a_date_folder_without_one_set_of_files(tmp_path, files, message):
    _date_folder(tmp_path, "20080601", *files)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dates_from_folder(tmp_path, "ALOS")


def test_folder_errors(tmp_path):
    with pytest.raises(InputError, match="no date folders"):
        dates_from_folder(tmp_path, "ISCE_SLC")
    with pytest.raises(InputError, match="no such folder"):
        dates_from_folder(tmp_path / "missing", "ISCE_SLC")
    _date_folder(tmp_path, "misc")
    with pytest.raises(InputError, match="no date folders"):
        dates_from_folder(tmp_path, "ISCE_SLC")
    _date_folder(tmp_path, "19991231")
    with pytest.raises(ConfigurationError, match="not found by name.*'dates'"):
        dates_from_folder(tmp_path, "ERS")                  # a known sensor without patterns
    with pytest.raises(ConfigurationError, match="give 'sensor name'"):
        dates_from_folder(tmp_path, None)
    with pytest.raises(ConfigurationError, match="unknown sensor name"):
        dates_from_folder(tmp_path, "NOSUCHSENSOR")


def test_a_date_folder_with_its_reader_xml(tmp_path):
    """<date>/<date>.xml (as simulateApp writes a stack): any sensor, paths from there."""
    folder = _date_folder(tmp_path, "20040703", "a.N1", "ins", "orb")
    (folder / "20040703.xml").write_text(
        '<component name="20040703"><property name="sensor name">ENVISAT</property>'
        '<property name="IMAGEFILE">a.N1</property><property name="INSTRUMENTFILE">ins</property>'
        '<property name="ORBITFILE">orb</property></component>')
    (date,) = dates_from_folder(tmp_path, None)
    assert date.sensor == "ENVISAT" and date.base_dir == str(folder.resolve())
    assert str(make_reader(date).imagefile) == str(folder / "a.N1")
    with pytest.raises(InputError, match="sensor ENVISAT, not the stack's 'sensor name' ALOS"):
        dates_from_folder(tmp_path, "ALOS")


def test_dates_from_reader_xml(tmp_path):
    folder = _date_folder(tmp_path, "a", "IMG-HH-A", "LED-A")
    xml = folder / "date.xml"
    xml.write_text('<stack><component name="20080601"><property name="sensor name">ALOS</property>'
                   '<property name="IMAGEFILE">IMG-HH-A</property>'
                   '<property name="LEADERFILE">LED-A</property></component></stack>')
    (date,) = dates_from_xml([str(xml)])
    assert date.sensor == "ALOS" and date.properties == {"IMAGEFILE": "IMG-HH-A", "LEADERFILE": "LED-A"}
    assert str(make_reader(date).leaderfile) == str(folder / "LED-A")   # relative to the XML


@pytest.mark.parametrize("body, message", [
    ('<component name="d"><property name="IMAGEFILE">x</property></component>', "no 'sensor name'"),
    ('<component name="d"/><component name="e"/>', "found 2"),
])
def test_bad_reader_xml(tmp_path, body, message):
    xml = tmp_path / "date.xml"
    xml.write_text(f"<stack>{body}</stack>")
    with pytest.raises(ConfigurationError, match=message):
        dates_from_xml([str(xml)])
