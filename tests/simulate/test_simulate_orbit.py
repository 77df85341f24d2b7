"""Circular orbits in ECEF: altitude, inclination, period, velocity = d/dt position, Earth
rotation, orbit_over geometry, and JPL's REE orbit.xml reproduced from its rdf elements."""
import math

import numpy as np
import pytest

from isce.core.constants import EARTH_ROTATION_RATE, WGS84_A, WGS84_GM
from isce.core.ellipsoid import WGS84
from isce.simulate.orbit import (CircularOrbitModel, circular_orbit, earth_rotation_angle,
                                 look_angle, orbit_over)

START = "2008-03-10T05:00:00"


def test_altitude_inclination_period():
    orbit = circular_orbit(691650.0, 98.16, 30.0, START, 6000.0, 10.0)
    r = np.linalg.norm(orbit.position, axis=1)
    np.testing.assert_allclose(r, WGS84_A + 691650.0, rtol=0, atol=1e-6)
    period = 2 * math.pi * math.sqrt((WGS84_A + 691650.0) ** 3 / WGS84_GM)
    assert abs(period - 5922.0) < 10.0                        # ALOS: 98.7 min
    # inclination from the inertial angular momentum: h = r x (v + w x r) in ECEF
    w = np.array([0.0, 0.0, EARTH_ROTATION_RATE])
    v_inertial = orbit.velocity + np.cross(w, orbit.position)
    h = np.cross(orbit.position, v_inertial)
    inc = np.degrees(np.arccos(h[:, 2] / np.linalg.norm(h, axis=1)))
    np.testing.assert_allclose(inc, 98.16, atol=1e-9)
    speed = np.linalg.norm(v_inertial, axis=1)
    np.testing.assert_allclose(speed, math.sqrt(WGS84_GM / (WGS84_A + 691650.0)), rtol=1e-12)
    # after one period the inertial position repeats, the ECEF one is rotated by w_e T
    model = CircularOrbitModel(WGS84_A + 691650.0, math.radians(98.16), 0.3, 0.2,
                               np.datetime64(START), 1.0)
    p0, _ = model.inertial_state(0.0)
    p1, _ = model.inertial_state(model.period)
    np.testing.assert_allclose(p1, p0, atol=1e-6)
    e0, _ = model.state(0.0)
    e1, _ = model.state(model.period)
    lon0, lon1 = math.atan2(e0[1], e0[0]), math.atan2(e1[1], e1[0])
    shift = (lon0 - lon1) % (2 * math.pi)
    assert abs(shift - EARTH_ROTATION_RATE * model.period) < 1e-9   # ~24.7 deg westward


def test_velocity_is_derivative_of_position():
    model = CircularOrbitModel(WGS84_A + 691650.0, math.radians(98.16), 1.0, 0.5,
                               np.datetime64(START), 2.0)
    t = np.linspace(0, 3000, 31)
    h = 1e-3
    pp, _ = model.state(t + h)
    pm, _ = model.state(t - h)
    _, v = model.state(t)
    fd = (pp - pm) / (2 * h)
    assert np.abs(fd - v).max() < 1e-3                      # m/s
    # Earth rotation visible: the ECEF velocity differs from the inertial one by w x r
    p, _ = model.state(t)
    w = np.array([0.0, 0.0, EARTH_ROTATION_RATE])
    _, vi = model.inertial_state(t)
    np.testing.assert_allclose(np.linalg.norm(v + np.cross(w, p), axis=1),
                               np.linalg.norm(vi, axis=1), rtol=1e-13)
    rot = np.linalg.norm(np.cross(w, p), axis=1)               # up to ~515 m/s at the equator
    assert rot.max() > 500.0
    assert np.abs(np.linalg.norm(v, axis=1) - np.linalg.norm(vi, axis=1)).max() > 50.0
    # the Orbit's Hermite interpolation between 10 s vectors keeps the same consistency
    orbit = circular_orbit(691650.0, 98.16, 10.0, START, 200.0, 10.0)
    tt = np.linspace(5.0, 195.0, 40)
    p1, _ = orbit.interpolate(tt + h)
    p0, _ = orbit.interpolate(tt - h)
    _, vv = orbit.interpolate(tt)
    assert np.abs((p1 - p0) / (2 * h) - vv).max() < 1e-3


def test_earth_rotation_angle_reference_values():
    # ERA(J2000.0) = 2 pi 0.7790572732640
    assert abs(earth_rotation_angle("2000-01-01T12:00:00") - 2 * math.pi * 0.7790572732640) < 1e-12
    # one sidereal day later the angle is back (ERA rate 1.00273781191135448 rev/day)
    sidereal = 86400.0 / 1.00273781191135448
    later = np.datetime64("2000-01-01T12:00:00", "ns") + np.timedelta64(int(round(sidereal * 1e9)), "ns")
    d = (earth_rotation_angle(later) - earth_rotation_angle("2000-01-01T12:00:00")) % (2 * math.pi)
    assert min(d, 2 * math.pi - d) < 1e-8


@pytest.mark.parametrize("ascending", [True, False])
@pytest.mark.parametrize("side", ["right", "left"])
def test_orbit_over_sees_the_point_at_zero_doppler(side, ascending):
    from isce.geometry import geo2rdr_points

    orbit, t_zd = orbit_over(35.2, -117.7, 34.3, side, time="2008-03-10T05:12:34.5",
                             height_m=700.0, ascending=ascending)
    llh = np.array([[math.radians(-117.7), math.radians(35.2), 700.0]])
    t, r, status = geo2rdr_points(llh, orbit, 0.2360571, side, threshold=1e-10)
    assert status[0] == 0
    assert abs(t[0] - t_zd) < 1e-6
    pos, vel = orbit.interpolate(t)
    target = WGS84.lon_lat_to_xyz(llh)
    assert abs(math.degrees(look_angle(pos, target)[0]) - 34.3) < 1e-7
    assert (vel[0, 2] > 0) == ascending                      # northbound when ascending
    left = np.dot(np.cross(vel[0], target[0] - pos[0]), pos[0]) > 0
    assert left == (side == "left")
    assert 800e3 < r[0] < 900e3


def test_ree_orbit_xml_is_a_circular_orbit_of_the_rdf_elements(shared_data):
    """REE's orbit.xml positions = the rdf's circular orbit (a = 7124137 m, i = 98 deg, node
    -90 deg, mean anomaly 0 at 2021-07-01T00:00:00, planet rotation 7.2921151467e-5 rad/s)
    with a sidereal angle of 279.26774226 deg at that epoch, within 1e-4 m. The model's
    velocities are the derivative of those positions; the file's own velocities are not
    (they are off by ~1 m/s, so Hermite interpolation of orbit.xml errs by ~0.5 m)."""
    from isce.simulate.orbit import ree_orbit_model
    from isce.sensors import read_orbit_xml

    ref = read_orbit_xml(shared_data("ree_point_target", "orbit.xml"))
    model = ree_orbit_model()
    t = model.seconds(ref.reference_epoch) + ref.time
    pos, vel = model.state(t)
    assert np.abs(pos - ref.position).max() < 1e-4
    p = ref.position
    fd = (-p[4:] + 8 * p[3:-1] - 8 * p[1:-3] + p[:-4]) / 12.0      # 1 s spacing
    assert np.abs(vel[2:-2] - fd).max() < 1e-5
    assert 0.5 < np.abs(ref.velocity[2:-2] - fd).max() < 2.0         # the file's inconsistency
