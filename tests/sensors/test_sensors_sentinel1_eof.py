"""ESA .EOF orbit files for the SENTINEL1 reader (ORBITFILE / ORBITDIR): the files are
written by the test from an annotation's own state vectors (moved by a known offset, so
replacing the orbit shows), plus damaged and non-covering ones."""
import numpy as np
import pytest

import isce.sensors
from isce.framework.errors import ConfigurationError, InputError
from isce.sensors.sentinel1 import read_annotation, read_sentinel1

ZIP_2022 = "S1A_IW_SLC__1SDV_20221016T015043_20221016T015111_045461_056FC0_6681.zip"
#: validity of the EOF files written here (covers the 2022 acquisition)
NAME = "S1A_OPER_AUX_{kind}_OPOD_{made}_V20221015T225942_20221017T005942.EOF"
SHIFT = np.array([1.0, -2.0, 0.5])          # m added to every position


def _osv(time, pos, vel):
    x, y, z = (float(v) for v in pos)
    vx, vy, vz = (float(v) for v in vel)
    return (f"<OSV><TAI>TAI={time}</TAI><UTC>UTC={time}</UTC><UT1>UT1={time}</UT1>"
            f"<Absolute_Orbit>+45461</Absolute_Orbit><X unit=\"m\">{x!r}</X><Y unit=\"m\">{y!r}</Y>"
            f"<Z unit=\"m\">{z!r}</Z><VX unit=\"m/s\">{vx!r}</VX><VY unit=\"m/s\">{vy!r}</VY>"
            f"<VZ unit=\"m/s\">{vz!r}</VZ><Quality>NOMINAL</Quality></OSV>")


def _eof_text(root, mission="Sentinel-1A", shift=SHIFT):
    """An Earth Explorer orbit file holding the annotation's state vectors + ``shift``."""
    osvs = []
    for node in root.findall("generalAnnotation/orbitList/orbit"):
        pos = np.array([float(node.findtext(f"position/{c}")) for c in "xyz"]) + shift
        vel = [float(node.findtext(f"velocity/{c}")) for c in "xyz"]
        osvs.append(_osv(node.findtext("time"), pos, vel))
    return ("<?xml version=\"1.0\" ?>\n<Earth_Explorer_File><Earth_Explorer_Header><Fixed_Header>"
            f"<Mission>{mission}</Mission><File_Type>AUX_POEORB</File_Type></Fixed_Header>"
            f"</Earth_Explorer_Header><Data_Block type=\"xml\"><List_of_OSVs count=\"{len(osvs)}\">"
            + "\n".join(osvs) + "</List_of_OSVs></Data_Block></Earth_Explorer_File>\n")


@pytest.fixture
def safe(shared_data):
    return shared_data("sentinel1", ZIP_2022)


@pytest.fixture
def root(safe):
    return read_annotation(safe, "IW2", "vv")[2].root


def test_orbit_file_replaces_the_annotation_orbit(safe, root, tmp_path):
    eof = tmp_path / NAME.format(kind="POEORB", made="20221105T080750")
    eof.write_text(_eof_text(root))
    plain = read_sentinel1(safe, "IW2")
    product = read_sentinel1(safe, "IW2", orbit_file=eof)
    assert product.orbit_type == "EOF" and product.attributes["orbit_file"] == str(eof)
    assert product.orbit.interp_method == "legendre"
    np.testing.assert_array_equal(product.orbit.time, plain.orbit.time)
    np.testing.assert_allclose(product.orbit.position - plain.orbit.position,
                               np.broadcast_to(SHIFT, plain.orbit.position.shape), atol=1e-8)
    np.testing.assert_array_equal(product.orbit.velocity, plain.orbit.velocity)


def test_orbit_dir_picks_the_precise_covering_file(safe, root, tmp_path):
    good = NAME.format(kind="POEORB", made="20221105T080750")
    (tmp_path / good).write_text(_eof_text(root))
    (tmp_path / NAME.format(kind="RESORB", made="20221016T050000")).write_text(
        _eof_text(root, shift=np.zeros(3)))
    (tmp_path / "S1A_OPER_AUX_POEORB_OPOD_20221106T080750_V20221014T225942_20221015T225942.EOF"
     ).write_text("not used: does not cover the acquisition")
    (tmp_path / "S1B_OPER_AUX_POEORB_OPOD_20221106T080750_V20221015T225942_20221017T005942.EOF"
     ).write_text("not used: another satellite")
    reader = isce.sensors.create("SENTINEL1")
    product = read_sentinel1(safe, "IW2", orbit_dir=tmp_path)
    assert product.attributes["orbit_file"].endswith(good)
    reader.orbit_dir = str(tmp_path)
    reader.orbit_file = str(tmp_path / good)
    reader.safe = str(safe)
    with pytest.raises(ConfigurationError, match="ORBITFILE and ORBITDIR are both set"):
        reader.parse()


def test_orbit_dir_without_a_covering_file(safe, tmp_path):
    (tmp_path / "S1A_OPER_AUX_POEORB_OPOD_20221106T080750_V20221014T225942_20221015T225942.EOF"
     ).write_text("")
    with pytest.raises(InputError, match="no S1A .EOF orbit file covers 2022-10-16T01:50:4"):
        read_sentinel1(safe, "IW2", orbit_dir=tmp_path)


def test_damaged_orbit_files(safe, root, tmp_path):
    text = _eof_text(root)
    eof = tmp_path / "orbit.EOF"
    eof.write_text(text[: len(text) // 2])
    with pytest.raises(InputError, match=r"orbit.EOF: not well-formed XML \(truncated"):
        read_sentinel1(safe, "IW2", orbit_file=eof)
    eof.write_text(text.replace("<VY unit=\"m/s\">", "<VY unit=\"m/s\">abc", 1))
    with pytest.raises(InputError, match=r"orbit.EOF: XML element Data_Block/List_of_OSVs/OSV"
                                         r"\[1\]/VY = 'abc.*' is not a finite number"):
        read_sentinel1(safe, "IW2", orbit_file=eof)
    eof.write_text(text.replace("UTC=2022-10-16T01:50:2", "UTC=2022-13-16T01:50:2", 1))
    with pytest.raises(InputError, match=r"orbit.EOF: XML element .*/UTC = .* is not a UTC"):
        read_sentinel1(safe, "IW2", orbit_file=eof)
    eof.write_text(_eof_text(root, mission="Sentinel-1B"))
    with pytest.raises(InputError, match="orbit.EOF: orbit of Sentinel-1B, the product is from S1A"):
        read_sentinel1(safe, "IW2", orbit_file=eof)
    eof.write_text("<Earth_Explorer_File><Data_Block/></Earth_Explorer_File>")
    with pytest.raises(InputError, match="orbit.EOF: no Data_Block/List_of_OSVs/OSV element"):
        read_sentinel1(safe, "IW2", orbit_file=eof)


def test_orbit_file_must_cover_the_acquisition(safe, root, tmp_path):
    nodes = root.findall("generalAnnotation/orbitList/orbit")
    for node in nodes[8:]:                     # keep the vectors before the image only
        node.getparent().remove(node)
    eof = tmp_path / "short.EOF"
    eof.write_text(_eof_text(root))
    with pytest.raises(InputError, match="short.EOF: its state vectors do not cover the "
                                         "acquisition 2022-10-16T01:50:4"):
        read_sentinel1(safe, "IW2", orbit_file=eof)
