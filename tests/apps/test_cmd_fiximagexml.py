"""fixImageXml.py (ISCE2's): after a product folder moves, -f points .xml and .vrt at the
data's new absolute path, -b at its bare name; GDAL then reads the data again; the rest of the
XML is kept; bad input one line, exit 2, nothing changed."""
import shutil
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio
from everyday_commands import gdal_read, one_line_error, run_app
from isce_commands import run_command

import isce.io
from isce.apps.fiximagexml import FixImageXml
from isce.io import isce_xml

DATA = np.arange(12, dtype=np.float32).reshape(3, 4)


def fix(capsys, *args):
    return run_app(FixImageXml, "fixImageXml.py", *args, capsys=capsys)


def recorded(xml):
    """(file_name in the .xml, (text, relativeToVRT) of the .vrt's sources)."""
    sources = {(e.text, e.get("relativeToVRT"))
               for e in ET.parse(xml[:-4] + ".vrt").getroot().iter("SourceFilename")}
    return isce_xml.parse(xml)[1], sources


@pytest.fixture
def moved(workdir, capsys):
    """A 2-band product written in old/, made absolute there (-f), then moved to new/."""
    (workdir / "old").mkdir()
    isce.io.write_raster("old/x.unw", np.stack([DATA, -DATA]), scheme="BIL",
                         extra={"my_note": "kept"})
    assert fix(capsys, "-i", "old/x.unw.xml", "-f")[0] == 0
    shutil.move(workdir / "old", workdir / "new")
    return workdir / "new" / "x.unw"


def test_full_paths_follow_the_move(moved, capsys):
    before = isce_xml.parse(f"{moved}.xml")[0]
    assert "old" in recorded(f"{moved}.xml")[0]                 # stale: where it was made
    with pytest.raises(rasterio.errors.RasterioIOError):
        gdal_read(f"{moved}.vrt")
    rc, _, err = fix(capsys, "-i", f"{moved}.xml", "--full")
    assert rc == 0, err
    assert recorded(f"{moved}.xml") == (str(moved), {(str(moved), "0")})
    np.testing.assert_array_equal(gdal_read(f"{moved}.vrt"), np.stack([DATA, -DATA]))
    assert isce_xml.parse(f"{moved}.xml")[0] == before           # nothing else changed
    assert before.extra["my_note"] == "kept"


def test_base_names_make_the_product_relocatable(moved, capsys, workdir):
    assert fix(capsys, "-i", str(moved), "-b")[0] == 0
    assert recorded(f"{moved}.xml") == ("x.unw", {("x.unw", "1")})
    shutil.move(workdir / "new", workdir / "again")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(gdal_read(workdir / "again" / "x.unw.vrt")[1], -DATA)
    np.testing.assert_array_equal(isce.io.open(workdir / "again" / "x.unw.xml").read(0), DATA)


def test_several_inputs_and_a_missing_vrt_is_written(workdir, capsys):
    for name in ("a.rdr", "b.rdr"):
        isce.io.write_raster(name, DATA)
    (workdir / "b.rdr.vrt").unlink()
    assert fix(capsys, "-i", "a.rdr", "b.rdr.xml", "-f")[0] == 0
    for name in ("a.rdr", "b.rdr"):
        path = str(workdir / name)
        assert recorded(path + ".xml") == (path, {(path, "0")})


@pytest.mark.parametrize("args, words", [
    (["-i", "a.rdr", "-f", "-b"], "exactly one of -f/--full"),
    (["-i", "a.rdr"], "exactly one of -f/--full"),
    (["-i", "a.rdr", "gone.rdr", "-f"], "gone.rdr.xml: no such ISCE image XML"),
    (["-i", "-f"], "-i needs one or more values"),
])
def test_bad_input_is_one_line_exit_2_nothing_changed(workdir, capsys, args, words):
    isce.io.write_raster("a.rdr", DATA)
    before = (workdir / "a.rdr.xml").read_text()
    rc, _, err = fix(capsys, *args)
    assert rc == 2 and words in one_line_error(err, "fixImageXml.py")
    assert (workdir / "a.rdr.xml").read_text() == before


def test_help_through_the_launcher(tmp_path):
    proc = run_command("fixImageXml.py", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "[-f|--full]" in proc.stdout and "[-b|--base]" in proc.stdout
