"""NISAR orbit and attitude XML readers: the README's numbers, and malformed files."""
import math

import numpy as np
import pytest

from isce.core.time import DateTime
from isce.framework import InputError
from isce.sensors.attitude import Attitude, quaternion_to_matrix
from isce.sensors.nisar_xml import parse_orbit_xml, read_attitude_xml, read_orbit_xml

FIRST_Q = (0.45998636868613685, 0.8484777808560364, 0.2604469244480131, -0.02579526239696106)


def test_orbit_xml_matches_the_readme(shared_data):
    eph = parse_orbit_xml(shared_data("nisar_xml", "orbit.xml"))
    orbit = eph.orbit
    assert len(orbit) == 10
    assert eph.orbit_type == "FOE"
    assert eph.reference_epoch == DateTime("2015-12-10T20:59:43")
    assert orbit.reference_epoch == np.datetime64("2015-12-10T20:59:43", "ns")
    assert eph.mission == "JASON2"
    assert eph.validity_start == DateTime("2015-12-10T20:59:43")
    np.testing.assert_array_equal(orbit.time, np.arange(10) * 10.0)
    np.testing.assert_array_equal(orbit.position[0], [6050436.50829497, -49963.56327277, -4790189.19514634])
    np.testing.assert_array_equal(orbit.velocity[0], [-3789.26877184, 3311.88961993, -4818.57127302])
    # a satellite orbit: interpolation between the vectors gives a plausible radius and speed
    pos, vel = orbit.interpolate(45.0)
    assert 7.5e6 < np.linalg.norm(pos) < 7.8e6            # Jason-2 flies at ~1336 km
    assert 6.5e3 < np.linalg.norm(vel) < 7.5e3            # ECEF speed
    (p1, _), (p2, _) = orbit.interpolate(44.5), orbit.interpolate(45.5)
    np.testing.assert_allclose(p2 - p1, vel, rtol=0, atol=0.05)   # positions and velocities agree


def test_orbit_xml_with_a_given_epoch(shared_data):
    path = shared_data("nisar_xml", "orbit.xml")
    orbit = read_orbit_xml(path, epoch="2015-12-10T00:00:00")
    assert orbit.time[0] == 20 * 3600 + 59 * 60 + 43


def test_ree_orbit_and_attitude_files(shared_data):
    orbit = read_orbit_xml(shared_data("ree_point_target", "orbit.xml"))
    assert len(orbit) == 28 and orbit.reference_epoch == np.datetime64("2021-07-01T03:19:50", "ns")
    att = read_attitude_xml(shared_data("ree_point_target", "attitude.xml"))
    assert len(att) == 28


def test_attitude_xml_matches_the_readme(shared_data):
    att = read_attitude_xml(shared_data("nisar_xml", "attitude.xml"))
    assert isinstance(att, Attitude)
    assert len(att) == 10
    assert att.reference_epoch == DateTime("2020-01-07T20:00:00")
    np.testing.assert_array_equal(att.quaternions[0], FIRST_Q)
    np.testing.assert_array_equal(att.time, np.arange(10.0))
    q = att.interpolate([0.0, 0.5, 9.0])
    np.testing.assert_allclose(q[0], FIRST_Q, rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-15)
    assert np.all(np.minimum(att.quaternions[0], att.quaternions[1]) - 1e-12 <= q[1])
    assert np.all(q[1] <= np.maximum(att.quaternions[0], att.quaternions[1]) + 1e-12)
    with pytest.raises(ValueError, match="outside"):
        att.interpolate(20.0)
    with pytest.raises(InputError, match="no <SSAR>"):
        read_attitude_xml(shared_data("nisar_xml", "attitude.xml"), band="S")


def test_attitude_slerp_and_matrices():
    half = math.sqrt(0.5)
    # rotation about z by 0 and by 90 degrees; halfway is 45 degrees
    att = Attitude([0.0, 1.0], [[1, 0, 0, 0], [half, 0, 0, half]], "2020-01-01")
    q = att.interpolate(0.5)
    np.testing.assert_allclose(q, [math.cos(math.pi / 8), 0, 0, math.sin(math.pi / 8)], atol=1e-15)
    m = att.rotation_matrices(1.0)
    np.testing.assert_allclose(m @ [1.0, 0, 0], [0, 1, 0], atol=1e-15)
    # q and -q are the same rotation: interpolation takes the short way
    flipped = Attitude([0.0, 1.0], [[1, 0, 0, 0], [-half, 0, 0, -half]], "2020-01-01")
    np.testing.assert_allclose(np.abs(flipped.interpolate(0.5)), np.abs(q), atol=1e-15)
    np.testing.assert_allclose(quaternion_to_matrix([1, 0, 0, 0]), np.eye(3))
    assert Attitude.from_dict(att.to_dict()) == att
    shifted = att.with_reference_epoch("2019-12-31T23:59:59")
    np.testing.assert_array_equal(shifted.time, [1.0, 2.0])
    with pytest.raises(ValueError, match="norm"):
        Attitude([0.0], [[2, 0, 0, 0]], "2020-01-01")
    with pytest.raises(ValueError, match="increasing"):
        Attitude([1.0, 1.0], [[1, 0, 0, 0]] * 2, "2020-01-01")


# --------------------------------------------------------------------------- malformed files
ORBIT = """<?xml version="1.0"?>
<orbitEphemeris>
  <productInformation><productType>MOE</productType></productInformation>
  <orbitStateVectorList count="{count}">
{vectors}
  </orbitStateVectorList>
</orbitEphemeris>
"""


def vector(i, utc, x="7000000.0"):
    return (f'    <orbitStateVector index="{i}"><utc>{utc}</utc><x>{x}</x><y>0</y><z>0</z>'
            f"<vx>0</vx><vy>7500</vy><vz>0</vz></orbitStateVector>")


def orbit_file(tmp_path, vectors, count=None):
    path = tmp_path / "orbit.xml"
    path.write_text(ORBIT.format(count=len(vectors) if count is None else count,
                                 vectors="\n".join(vectors)))
    return path


def test_small_valid_orbit_file(tmp_path):
    path = orbit_file(tmp_path, [vector(1, "2020-01-01T00:00:00"), vector(2, "2020-01-01T00:00:01.5")])
    eph = parse_orbit_xml(path)
    assert eph.orbit_type == "MOE"
    np.testing.assert_array_equal(eph.orbit.time, [0.0, 1.5])


@pytest.mark.parametrize("vectors,count,match", [
    ([vector(1, "2020-01-01T00:00:00"), vector(2, "2020-01-01T00:00:01")], 3, "count=3 but holds 2"),
    ([vector(1, "2020-01-01T00:00:00"), vector(2, "2020-13-01T00:00:01")], None, "record 2"),
    ([vector(1, "2020-01-01T00:00:00"), vector(2, "2020-01-01T00:00:01", x="1e5x")], None,
     "<x> = '1e5x' is not a number"),
    ([vector(1, "2020-01-01T00:00:01"), vector(2, "2020-01-01T00:00:00")], None, "not increasing"),
    ([vector(1, "2020-01-01T00:00:00")], None, "at least 2 state vectors"),
    ([], None, "no <orbitStateVector>"),
])
def test_malformed_orbit_files(tmp_path, vectors, count, match):
    path = orbit_file(tmp_path, vectors, count)
    with pytest.raises(InputError, match=match) as err:
        read_orbit_xml(path)
    assert str(path) in str(err.value)


def test_missing_element(tmp_path):
    text = vector(2, "2020-01-01T00:00:01").replace("<vz>0</vz>", "")
    path = orbit_file(tmp_path, [vector(1, "2020-01-01T00:00:00"), text])
    with pytest.raises(InputError, match="record 2.*has no <vz>"):
        read_orbit_xml(path)


def test_truncated_and_garbage_xml(tmp_path, shared_data):
    src = shared_data("nisar_xml", "orbit.xml")
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(src.read_bytes()[:5000])
    with pytest.raises(InputError, match="not well-formed XML .* line") as err:
        read_orbit_xml(truncated)
    assert str(truncated) in str(err.value)
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"\x00\xff" * 100)
    with pytest.raises(InputError, match=str(garbage)):
        read_attitude_xml(garbage)
    with pytest.raises(InputError, match="no such file"):
        read_orbit_xml(tmp_path / "none.xml")


def test_wrong_kind_of_file(tmp_path, shared_data):
    att = shared_data("nisar_xml", "attitude.xml")
    with pytest.raises(InputError, match="expected <orbitEphemeris>"):
        read_orbit_xml(att)
    with pytest.raises(InputError, match="expected <radarPointing>"):
        read_attitude_xml(shared_data("nisar_xml", "orbit.xml"))


def test_attitude_missing_quaternion_component(tmp_path, shared_data):
    src = shared_data("nisar_xml", "attitude.xml")
    text = src.read_text().replace("<q3>-0.02579526239696106</q3>", "", 1)
    path = tmp_path / "attitude.xml"
    path.write_text(text)
    with pytest.raises(InputError, match=r"record 1\) has no <q3>") as err:
        read_attitude_xml(path)
    assert str(path) in str(err.value)
