"""Ellipsoid: forward/inverse geodetic transforms, radii, ENU frames, serialisation."""
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from isce.core.constants import WGS84_A, WGS84_E2
from isce.core.ellipsoid import WGS84, Ellipsoid, ecef_to_enu, enu_matrix, enu_to_ecef

A = 6378137.0
E2 = 0.0066943799901
B = A * math.sqrt(1.0 - E2)


def reference_xyz(lon_deg, lat_deg, h):
    """Independent forward transform through the *reduced* (parametric) latitude β:
    surface point (a cos β cos λ, a cos β sin λ, b sin β) plus h along the normal."""
    lon, lat = math.radians(lon_deg), math.radians(lat_deg)
    beta = math.atan2(B * math.sin(lat), A * math.cos(lat))  # tan β = (b/a) tan φ
    x0 = A * math.cos(beta) * math.cos(lon)
    y0 = A * math.cos(beta) * math.sin(lon)
    z0 = B * math.sin(beta)
    n = (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))
    return np.array([x0 + h * n[0], y0 + h * n[1], z0 + h * n[2]])


def test_wgs84_constants():
    assert WGS84.a == WGS84_A == A
    assert WGS84.e2 == WGS84_E2 == E2
    assert WGS84.b == pytest.approx(6356752.314245, abs=1e-5)
    assert 1.0 / WGS84.f == pytest.approx(298.257223563, rel=1e-11)
    assert Ellipsoid.from_flattening(A, 298.257223563).e2 == pytest.approx(E2, abs=1e-13)


@pytest.mark.parametrize("lon,lat,h", [
    (0.0, 0.0, 0.0), (90.0, 0.0, 0.0), (180.0, 0.0, 100.0), (0.0, 90.0, 0.0),
    (33.0, -90.0, 250.0), (-115.72466801139711, 34.65846532785868, 1772.0),
    (-54.579586258, 3.177088785, 0.0), (139.6917, 35.6895, 40.0), (12.5, -77.8, 3000.0),
    (-0.0001, 45.0, -1000.0), (100.0, 60.0, 800000.0),
])
def test_forward_known_points(lon, lat, h):
    llh = np.array([np.deg2rad(lon), np.deg2rad(lat), h])
    xyz = WGS84.lon_lat_to_xyz(llh)
    np.testing.assert_allclose(xyz, reference_xyz(lon, lat, h), rtol=0, atol=2e-8)
    back = WGS84.xyz_to_lon_lat(xyz)
    assert abs(back[1] - llh[1]) < 1e-12
    assert abs(back[2] - h) < 1e-8
    if abs(lat) < 90:
        assert abs(math.remainder(back[0] - llh[0], 2 * math.pi)) < 1e-12


def test_axis_points_exact():
    np.testing.assert_allclose(WGS84.lon_lat_to_xyz([0, 0, 0]), [A, 0, 0], atol=1e-9)
    np.testing.assert_allclose(WGS84.lon_lat_to_xyz([0, np.pi / 2, 0]), [0, 0, B], atol=1e-9)
    np.testing.assert_allclose(WGS84.xyz_to_lon_lat([0, 0, B + 10]), [0, np.pi / 2, 10], atol=1e-9)
    np.testing.assert_allclose(WGS84.xyz_to_lon_lat([0, 0, -B - 10]), [0, -np.pi / 2, 10], atol=1e-9)
    np.testing.assert_allclose(WGS84.xyz_to_lon_lat([0, -A, 0]), [-np.pi / 2, 0, 0], atol=1e-9)


def _check_round_trip(lon, lat, h):
    llh = np.stack([lon, lat, h], axis=-1)
    xyz = WGS84.lon_lat_to_xyz(llh)
    back = WGS84.xyz_to_lon_lat(xyz)
    n = WGS84.a / np.sqrt(1 - WGS84.e2 * np.sin(lat) ** 2)
    dlon = np.abs(np.remainder(back[..., 0] - lon + np.pi, 2 * np.pi) - np.pi)
    assert np.max(np.abs(back[..., 1] - lat)) < 1e-12
    assert np.max(np.abs(back[..., 2] - h)) < 1e-8
    # longitude as a horizontal distance (undefined at the poles)
    assert np.max(dlon * (n + h) * np.cos(lat)) < 1e-8
    # and the point itself
    assert np.max(np.abs(WGS84.lon_lat_to_xyz(back) - xyz)) < 1e-8


@settings(max_examples=400, deadline=None)
@given(lat=st.floats(-90.0, 90.0), lon=st.floats(-180.0, 180.0), h=st.floats(-1000.0, 1.0e6))
def test_round_trip_hypothesis(lat, lon, h):
    _check_round_trip(np.deg2rad(lon), np.deg2rad(lat), h)


def test_round_trip_dense_sweep_including_poles():
    rng = np.random.default_rng(1234)
    n = 200_000
    lat = rng.uniform(-np.pi / 2, np.pi / 2, n)
    lat[:100] = np.pi / 2
    lat[100:200] = -np.pi / 2
    lat[200:300] = np.pi / 2 - rng.uniform(0, 1e-6, 100)
    lat[300:400] = 0.0
    lon = rng.uniform(-np.pi, np.pi, n)
    h = rng.uniform(-1000.0, 1.0e6, n)
    h[:50] = -1000.0
    h[50:100] = 1.0e6
    _check_round_trip(lon, lat, h)


def test_vectorised_shapes():
    rng = np.random.default_rng(0)
    llh = np.stack([rng.uniform(-3, 3, (4, 5)), rng.uniform(-1.5, 1.5, (4, 5)),
                    rng.uniform(0, 1e4, (4, 5))], axis=-1)
    xyz = WGS84.lon_lat_to_xyz(llh)
    assert xyz.shape == (4, 5, 3)
    for i in range(4):
        for j in range(5):
            np.testing.assert_array_equal(xyz[i, j], WGS84.lon_lat_to_xyz(llh[i, j]))
    assert WGS84.xyz_to_lon_lat(xyz).shape == (4, 5, 3)
    with pytest.raises(ValueError):
        WGS84.lon_lat_to_xyz([1.0, 2.0])


def test_radii_of_curvature_match_derivatives():
    """M = |∂P/∂lat| and N cos(lat) = |∂P/∂lon| on the surface (finite differences)."""
    d = 1e-6
    for lat in np.deg2rad([0.0, 12.0, 34.6, 60.0, 89.0]):
        p1 = WGS84.lon_lat_to_xyz([0.3, lat - d, 0.0])
        p2 = WGS84.lon_lat_to_xyz([0.3, lat + d, 0.0])
        m_fd = np.linalg.norm(p2 - p1) / (2 * d)
        assert WGS84.r_north(lat) == pytest.approx(m_fd, rel=1e-8)
        q1 = WGS84.lon_lat_to_xyz([0.3 - d, lat, 0.0])
        q2 = WGS84.lon_lat_to_xyz([0.3 + d, lat, 0.0])
        n_fd = np.linalg.norm(q2 - q1) / (2 * d) / np.cos(lat)
        assert WGS84.r_east(lat) == pytest.approx(n_fd, rel=1e-8)
    assert WGS84.r_east(0.0) == pytest.approx(A)
    assert WGS84.r_north(0.0) == pytest.approx(A * (1 - E2))
    assert WGS84.r_east(np.pi / 2) == pytest.approx(A / math.sqrt(1 - E2))
    assert WGS84.r_dir(0.0, 0.5) == pytest.approx(WGS84.r_north(0.5))
    assert WGS84.r_dir(np.pi / 2, 0.5) == pytest.approx(WGS84.r_east(0.5))
    lats = np.linspace(-1.5, 1.5, 7)
    np.testing.assert_allclose(WGS84.r_east(lats), [WGS84.r_east(v) for v in lats])
    assert isinstance(WGS84.r_east(0.1), float)


def test_enu_matrix_orthonormal_and_up_is_normal():
    rng = np.random.default_rng(7)
    lon = rng.uniform(-np.pi, np.pi, 50)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, 50)
    m = enu_matrix(lon, lat)
    assert m.shape == (50, 3, 3)
    eye = np.broadcast_to(np.eye(3), m.shape)
    np.testing.assert_allclose(m @ np.swapaxes(m, -1, -2), eye, atol=1e-15)
    np.testing.assert_allclose(np.linalg.det(m), 1.0, atol=1e-14)  # right-handed
    # Up = gradient of x²/a² + y²/a² + z²/b² at the surface point (the true normal)
    p = WGS84.lon_lat_to_xyz(np.stack([lon, lat, np.zeros_like(lon)], -1))
    grad = p / np.array([A * A, A * A, B * B])
    grad /= np.linalg.norm(grad, axis=-1, keepdims=True)
    np.testing.assert_allclose(m[:, 2, :], grad, atol=1e-14)
    np.testing.assert_allclose(m[:, 2, :], Ellipsoid.n_vector(lon, lat), atol=1e-15)
    # East points along increasing longitude, North along increasing latitude
    d = 1e-7
    de = WGS84.lon_lat_to_xyz(np.stack([lon + d, lat, 0 * lon], -1)) - p
    dn = WGS84.lon_lat_to_xyz(np.stack([lon, lat + d, 0 * lon], -1)) - p
    assert np.all(np.einsum("ij,ij->i", m[:, 0, :], de) > 0)
    assert np.all(np.einsum("ij,ij->i", m[:, 1, :], dn) > 0)
    np.testing.assert_allclose(np.einsum("ij,ij->i", m[:, 0, :], dn), 0, atol=1e-6)


def test_enu_conversions():
    # at lon=0, lat=0: ECEF x is Up, y is East, z is North
    np.testing.assert_allclose(ecef_to_enu([1.0, 0, 0], 0.0, 0.0), [0, 0, 1], atol=1e-16)
    np.testing.assert_allclose(ecef_to_enu([0, 1.0, 0], 0.0, 0.0), [1, 0, 0], atol=1e-16)
    np.testing.assert_allclose(ecef_to_enu([0, 0, 1.0], 0.0, 0.0), [0, 1, 0], atol=1e-16)
    # at the north pole, lon=0: Up is +z, North is -x
    np.testing.assert_allclose(ecef_to_enu([0, 0, 1.0], 0.0, np.pi / 2), [0, 0, 1], atol=1e-15)
    np.testing.assert_allclose(ecef_to_enu([-1.0, 0, 0], 0.0, np.pi / 2), [0, 1, 0], atol=1e-15)
    rng = np.random.default_rng(3)
    v = rng.normal(size=(10, 3))
    lon, lat = rng.uniform(-3, 3, 10), rng.uniform(-1.5, 1.5, 10)
    enu = ecef_to_enu(v, lon, lat)
    np.testing.assert_allclose(enu_to_ecef(enu, lon, lat), v, atol=1e-14)
    np.testing.assert_allclose(np.linalg.norm(enu, axis=-1), np.linalg.norm(v, axis=-1))


def test_serialisation_and_validation():
    e = Ellipsoid(6378136.3, 0.00669438)
    assert Ellipsoid.from_dict(json.loads(json.dumps(e.to_dict()))) == e
    assert Ellipsoid.from_xml(e.to_xml()) == e
    assert Ellipsoid() == WGS84
    for a, e2 in [(-1.0, 0.1), (0.0, 0.1), (6e6, 1.0), (6e6, -0.1), (float("nan"), 0.1)]:
        with pytest.raises(ValueError):
            Ellipsoid(a, e2)
