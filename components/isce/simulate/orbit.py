"""Circular orbits in ECEF for the simulator.

A satellite on a circular Keplerian orbit of radius ``a`` [m] (= Earth's
equatorial radius + altitude), inclination ``i`` and right ascension of the
ascending node ``Omega`` moves in an inertial frame as

    r_I(t) = a [cos O cos u - sin O sin u cos i,
                sin O cos u + cos O sin u cos i,
                sin u sin i],          u(t) = u0 + n (t - t_epoch),  n = sqrt(GM / a^3)

(``u`` is the argument of latitude [rad]). The Earth-fixed (ECEF) position is
that vector rotated by the Earth rotation angle ``theta(t) = theta0 + w_e (t -
t_epoch)`` about z, ``r_E = R_z(-theta) r_I``, and the ECEF velocity is its
exact time derivative ``v_E = R_z(-theta) v_I - w_e z x r_E`` (so the state
vectors are consistent: velocity = d/dt of position, Earth rotation included).

``theta0`` defaults to the Earth Rotation Angle (IAU 2000, UT1 taken equal to
UTC) of the epoch, making ``Omega`` a right ascension in the celestial frame;
``rotation_angle_deg=0`` makes ``Omega`` the ECEF longitude of the node at the
epoch instead. (JPL's REE point-target simulator uses a sidereal angle: its
``orbit.xml`` is reproduced to 1e-5 m with ``rotation_angle_deg=279.26774226``
at 2021-07-01T00:00:00, see :func:`ree_orbit_model`.)

Units: metres, seconds, degrees in the public arguments (radians inside).
Times are ``numpy.datetime64`` / ``datetime`` / ISO text for instants, float
seconds for durations.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np

from isce.core.constants import EARTH_ROTATION_RATE, WGS84_A, WGS84_GM
from isce.core.ellipsoid import WGS84
from isce.core.orbit import Orbit
from isce.geometry.geo2rdr import geo2rdr_points

from .radar import ree_out17

__all__ = ["CircularOrbitModel", "circular_orbit", "orbit_over", "earth_rotation_angle",
           "look_angle", "as_datetime64", "ree_orbit_model", "REE_ROTATION_ANGLE_DEG",
           "baseline_vectors", "orbit_with_baseline", "ALOS_ALTITUDE", "ALOS_INCLINATION"]

#: ALOS (PALSAR) reference altitude [m] and inclination [deg] (sun-synchronous, 46-day repeat)
ALOS_ALTITUDE = 691650.0
ALOS_INCLINATION = 98.16

_J2000 = np.datetime64("2000-01-01T12:00:00", "ns")


def as_datetime64(value) -> np.datetime64:
    """``numpy.datetime64[ns]`` (UTC) from datetime64, datetime, date or ISO text."""
    if hasattr(value, "to_datetime64") and not isinstance(value, np.datetime64):
        value = value.to_datetime64()
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    elif isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        value = _dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        value = value.strip().rstrip("Zz")
    out = np.datetime64(value, "ns")
    if np.isnat(out):
        raise ValueError("a date-time is required, got NaT")
    return out


def _seconds_between(t1, t0) -> float:
    """(t1 - t0) in float seconds, both datetime64[ns] (exact ns arithmetic first)."""
    return float((as_datetime64(t1) - as_datetime64(t0)).astype(np.int64)) / 1e9


def earth_rotation_angle(when) -> float:
    """Earth Rotation Angle (IAU 2000) [rad, 0..2pi) at ``when`` (UT1 taken equal to UTC)."""
    du = _seconds_between(when, _J2000) / 86400.0
    frac = (0.7790572732640 + 0.00273781191135448 * du + math.fmod(du, 1.0)) % 1.0
    return 2.0 * math.pi * frac


@dataclass(frozen=True)
class CircularOrbitModel:
    """Analytic circular orbit; ``state(t)`` gives ECEF position [m] and velocity [m/s].

    ``t`` is in seconds since ``epoch`` (datetime64[ns]); at the epoch the
    argument of latitude is ``u0`` [rad] and the Earth rotation angle ``theta0``
    [rad]; ``raan`` [rad] is the node's right ascension, ``inclination`` [rad].
    """

    semi_major_axis: float
    inclination: float
    raan: float
    u0: float
    epoch: np.datetime64
    theta0: float
    earth_rotation_rate: float = EARTH_ROTATION_RATE
    gm: float = WGS84_GM

    @property
    def mean_motion(self) -> float:
        """n = sqrt(GM / a^3) [rad/s]."""
        return math.sqrt(self.gm / self.semi_major_axis ** 3)

    @property
    def period(self) -> float:
        """Orbital period 2 pi / n [s] (inertial)."""
        return 2.0 * math.pi / self.mean_motion

    @property
    def speed(self) -> float:
        """Inertial speed a n [m/s]."""
        return self.semi_major_axis * self.mean_motion

    def inertial_state(self, t):
        """Inertial position [m], velocity [m/s] at ``t`` [s since epoch], shape t.shape + (3,)."""
        t = np.asarray(t, dtype=np.float64)
        a, n = self.semi_major_axis, self.mean_motion
        u = self.u0 + n * t
        cu, su = np.cos(u), np.sin(u)
        co, so = math.cos(self.raan), math.sin(self.raan)
        ci, si = math.cos(self.inclination), math.sin(self.inclination)
        pos = a * np.stack([co * cu - so * su * ci, so * cu + co * su * ci, su * si], axis=-1)
        vel = a * n * np.stack([-co * su - so * cu * ci, -so * su + co * cu * ci, cu * si], axis=-1)
        return pos, vel

    def state(self, t):
        """ECEF position [m] and velocity [m/s] at ``t`` [s since epoch] (exact derivative)."""
        t = np.asarray(t, dtype=np.float64)
        pi, vi = self.inertial_state(t)
        w = self.earth_rotation_rate
        th = self.theta0 + w * t
        c, s = np.cos(th), np.sin(th)
        x = c * pi[..., 0] + s * pi[..., 1]
        y = -s * pi[..., 0] + c * pi[..., 1]
        vx = c * vi[..., 0] + s * vi[..., 1] + w * y
        vy = -s * vi[..., 0] + c * vi[..., 1] - w * x
        pos = np.stack([x, y, pi[..., 2]], axis=-1)
        vel = np.stack([vx, vy, vi[..., 2]], axis=-1)
        return pos, vel

    def seconds(self, when) -> float:
        """Seconds since the model's epoch of an instant."""
        return _seconds_between(when, self.epoch)

    def to_orbit(self, start, duration_s: float, spacing_s: float = 10.0,
                 reference_epoch=None) -> Orbit:
        """State vectors every ``spacing_s`` [s] from ``start`` covering ``duration_s`` [s]
        (the last vector at or after ``start + duration_s``); the Orbit's reference epoch
        is ``start`` unless given."""
        start = as_datetime64(start)
        if not duration_s > 0 or not spacing_s > 0:
            raise ValueError(f"duration ({duration_s}) and spacing ({spacing_s}) must be positive")
        count = max(int(math.ceil(duration_s / spacing_s - 1e-9)) + 1, 4)
        ref = start if reference_epoch is None else as_datetime64(reference_epoch)
        t_rel = _seconds_between(start, ref) + spacing_s * np.arange(count)
        pos, vel = self.state(t_rel + _seconds_between(ref, self.epoch))
        return Orbit(t_rel, pos, vel, ref)


def _model(altitude_m, inclination_deg, ascending_node_deg, epoch, argument_of_latitude_deg,
           rotation_angle_deg, earth_rotation_rate, gm, semi_major_axis) -> CircularOrbitModel:
    a = float(semi_major_axis) if semi_major_axis is not None else WGS84_A + float(altitude_m)
    if not a > WGS84_A * 0.9:
        raise ValueError(f"orbit radius {a} m is inside the Earth")
    epoch = as_datetime64(epoch)
    theta0 = (earth_rotation_angle(epoch) if rotation_angle_deg is None
              else math.radians(float(rotation_angle_deg)))
    return CircularOrbitModel(a, math.radians(float(inclination_deg)),
                              math.radians(float(ascending_node_deg)),
                              math.radians(float(argument_of_latitude_deg)), epoch, theta0,
                              float(earth_rotation_rate), float(gm))


def circular_orbit(altitude_m: float, inclination_deg: float, ascending_node_deg: float, start,
                   duration_s: float, spacing_s: float = 10.0, *, argument_of_latitude_deg=0.0,
                   epoch=None, rotation_angle_deg=None, earth_rotation_rate=EARTH_ROTATION_RATE,
                   gm=WGS84_GM, semi_major_axis=None, reference_epoch=None) -> Orbit:
    """ECEF state vectors of a circular orbit (see the module docstring).

    ``altitude_m`` [m] above the equatorial radius (ignored when
    ``semi_major_axis`` [m] is given); ``inclination_deg``, ``ascending_node_deg``
    (right ascension of the node, or ECEF longitude of the node at ``epoch`` when
    ``rotation_angle_deg=0``); ``start`` the first state vector's time; state
    vectors every ``spacing_s`` [s] over ``duration_s`` [s]. At ``epoch``
    (default ``start``) the argument of latitude is ``argument_of_latitude_deg``
    (0: at the ascending node) and the Earth rotation angle ``rotation_angle_deg``
    (default: the IAU 2000 ERA of ``epoch``). Returns an :class:`Orbit` whose
    reference epoch is ``reference_epoch`` (default ``start``).
    """
    start = as_datetime64(start)
    model = _model(altitude_m, inclination_deg, ascending_node_deg,
                   start if epoch is None else epoch, argument_of_latitude_deg,
                   rotation_angle_deg, earth_rotation_rate, gm, semi_major_axis)
    return model.to_orbit(start, duration_s, spacing_s, reference_epoch)


def look_angle(platform_xyz, target_xyz) -> np.ndarray:
    """Off-nadir look angle [rad]: angle at the platform between the line of sight and the
    geodetic nadir (inward ellipsoid normal through the platform). Vectorised over (..., 3)."""
    p = np.asarray(platform_xyz, dtype=np.float64)
    t = np.asarray(target_xyz, dtype=np.float64)
    llh = WGS84.xyz_to_lon_lat(p)
    down = -WGS84.n_vector(llh[..., 0], llh[..., 1])
    los = t - p
    cosl = np.sum(los * down, axis=-1) / np.linalg.norm(los, axis=-1)
    return np.arccos(np.clip(cosl, -1.0, 1.0))


def _residuals(model, target):
    pos, vel = model.state(0.0)
    los = target - pos
    squint = float(np.dot(los, vel) / (np.linalg.norm(los) * np.linalg.norm(vel)))
    side = float(np.dot(np.cross(vel, los), pos))  # > 0: left of the velocity, < 0: right
    return squint, float(look_angle(pos, target)), side


def orbit_over(lat_deg: float, lon_deg: float, look_angle_deg: float, look_side: str = "right",
               altitude_m: float = ALOS_ALTITUDE, inclination_deg: float = ALOS_INCLINATION, *,
               time="2020-01-01T00:00:00", height_m: float = 0.0, ascending: bool = True,
               duration_s: float = 20.0, spacing_s: float = 1.0, semi_major_axis=None,
               rotation_angle_deg=None, earth_rotation_rate=EARTH_ROTATION_RATE, gm=WGS84_GM,
               return_model: bool = False):
    """A circular orbit seeing the point (lat, lon [deg], height [m]) at zero Doppler at
    ``time`` under the off-nadir ``look_angle_deg`` on ``look_side``.

    Solves (Newton, numerical Jacobian) for the node's right ascension and the
    argument of latitude at ``time`` such that the line of sight is perpendicular
    to the ECEF velocity (zero Doppler) and makes the wanted look angle, on an
    ascending (northbound) or descending pass. The state vectors (``spacing_s``
    apart) span ``duration_s`` centred on ``time``. Returns ``(orbit,
    t_zero_doppler)`` with the time in seconds since ``orbit.reference_epoch``
    (plus the :class:`CircularOrbitModel` when ``return_model``).
    """
    side = str(look_side).strip().lower()
    if side not in ("left", "right"):
        raise ValueError(f"look side must be 'left' or 'right', got {look_side!r}")
    when = as_datetime64(time)
    target = WGS84.lon_lat_to_xyz(np.array([math.radians(lon_deg), math.radians(lat_deg),
                                            float(height_m)]))
    base = _model(altitude_m, inclination_deg, 0.0, when, 0.0, rotation_angle_deg,
                  earth_rotation_rate, gm, semi_major_axis)
    a, inc = base.semi_major_axis, base.inclination
    look = math.radians(float(look_angle_deg))
    if not 0.0 < look < math.asin(WGS84.b / a):
        raise ValueError(f"look angle {look_angle_deg} deg does not reach the Earth from {a:.0f} m")
    # first guess on a sphere: ground angle between the sub-satellite point and the target
    r_t = float(np.linalg.norm(target))
    psi = math.asin(min(1.0, a / r_t * math.sin(look))) - look

    def model_at(lat_s, lon_s):
        s = max(-1.0, min(1.0, math.sin(lat_s) / math.sin(inc)))
        u = math.asin(s) if ascending else math.pi - math.asin(s)
        # inertial longitude of the point at argument of latitude u relative to the node
        dl = math.atan2(math.cos(inc) * math.sin(u), math.cos(u))
        raan = lon_s + base.theta0 - dl
        return CircularOrbitModel(a, inc, raan, u, when, base.theta0, base.earth_rotation_rate,
                                  base.gm)

    lat_t, lon_t = math.radians(lat_deg), math.radians(lon_deg)
    m = model_at(lat_t, lon_t)
    _, vel = m.state(0.0)
    up = WGS84.n_vector(lon_t, lat_t)
    right = np.cross(vel, up)
    right /= np.linalg.norm(right)
    away = -right if side == "right" else right          # from the target to the sub-satellite
    sub = target / r_t * math.cos(psi) + away * math.sin(psi)
    m = model_at(math.asin(sub[2]), math.atan2(sub[1], sub[0]))
    x = np.array([m.u0, m.raan])

    def f(xv):
        mm = CircularOrbitModel(a, inc, xv[1], xv[0], when, base.theta0,
                                base.earth_rotation_rate, base.gm)
        sq, lk, _ = _residuals(mm, target)
        return np.array([sq, lk - look])

    fx = f(x)
    for _ in range(50):
        h = 1e-7
        jac = np.empty((2, 2))
        for k in range(2):
            dx = np.zeros(2)
            dx[k] = h
            jac[:, k] = (f(x + dx) - f(x - dx)) / (2 * h)
        step = np.linalg.solve(jac, -fx)
        x = x + step
        fx = f(x)
        if np.max(np.abs(step)) < 1e-14:
            break
    if np.max(np.abs(fx)) > 1e-10:
        raise ValueError(f"orbit_over did not converge (residuals {fx})")
    model = CircularOrbitModel(a, inc, float(x[1]), float(x[0]), when, base.theta0,
                               base.earth_rotation_rate, base.gm)
    _, _, sd = _residuals(model, target)
    if (sd < 0) != (side == "right"):
        raise ValueError("orbit_over converged on the wrong look side")
    start = when - np.timedelta64(int(round(duration_s / 2 * 1e9)), "ns")
    orbit = model.to_orbit(start, duration_s, spacing_s)
    t_zd = _seconds_between(when, orbit.reference_epoch)
    return (orbit, t_zd, model) if return_model else (orbit, t_zd)


#: Sidereal angle [deg] of JPL's REE simulator at its epoch 2021-07-01T00:00:00, fitted to
#: its orbit.xml (the rdf says 0 but the ephemeris is rotated by about the GMST of that date).
REE_ROTATION_ANGLE_DEG = 279.26774226


def ree_orbit_model(rdf_path=None, rotation_angle_deg: float = REE_ROTATION_ANGLE_DEG):
    """The circular orbit of JPL's REE point-target case from the elements in its ``.rdf``
    (semi-major axis, inclination, node, mean anomaly at the rdf's reference epoch, the
    planet's rotation rate and GM) as a :class:`CircularOrbitModel`."""
    radar = ree_out17(rdf_path)
    x = radar.extra
    return CircularOrbitModel(
        float(x["orbit_semi_major_axis"]), math.radians(radar.inclination),
        math.radians(float(x["ascending_node"])),
        math.radians(float(x["argument_of_perigee"]) + float(x["mean_anomaly"])),
        as_datetime64(x["reference_epoch"]), math.radians(float(rotation_angle_deg)),
        float(x["planet_rotation_rate"]), float(x["planet_gm"]))


def baseline_vectors(p_ref, v_ref, target_xyz):
    """Unit vectors at the reference platform: line of sight ``l`` (to the target) and the
    perpendicular-baseline direction ``p`` (in the zero-Doppler plane, perpendicular to
    ``l``, pointing away from the Earth)."""
    p_ref, v_ref, target_xyz = (np.asarray(a, dtype=np.float64) for a in (p_ref, v_ref, target_xyz))
    los = target_xyz - p_ref
    los /= np.linalg.norm(los)
    perp = np.cross(los, v_ref / np.linalg.norm(v_ref))
    perp /= np.linalg.norm(perp)
    if np.dot(perp, p_ref) < 0:
        perp = -perp
    return los, perp


def orbit_with_baseline(reference_orbit: Orbit, lat_deg: float, lon_deg: float, height_m: float,
                        look_side: str, baseline_m: float, time, *, inclination_deg: float,
                        duration_s: float = 20.0, spacing_s: float = 1.0,
                        rotation_angle_deg=None, earth_rotation_rate=EARTH_ROTATION_RATE,
                        gm=WGS84_GM, reference_time=None):
    """A second circular pass seeing the point (lat, lon [deg], height [m]) at zero Doppler at
    ``time`` from a position displaced by ``baseline_m`` [m] perpendicular to the reference
    line of sight (positive: away from the Earth; see :func:`baseline_vectors`).

    The reference platform position at the point's zero-Doppler time on
    ``reference_orbit`` (geo2rdr, or ``reference_time`` [s since its epoch]) moved by the
    baseline gives the second orbit's radius and look angle; :func:`orbit_over` then
    solves the pass (same inclination, same direction). Returns ``(orbit, t_zd, info)``;
    ``info`` holds the achieved ``perpendicular`` and ``parallel`` baselines [m]
    (second minus reference position at their zero-Doppler times, projected on ``p`` and
    ``l``), ``radius`` [m] and ``look_angle`` [deg].
    """
    target = WGS84.lon_lat_to_xyz(np.array([math.radians(lon_deg), math.radians(lat_deg),
                                            float(height_m)]))
    if reference_time is None:
        t, _, status = geo2rdr_points(
            np.array([[math.radians(lon_deg), math.radians(lat_deg), float(height_m)]]),
            reference_orbit, 0.1, look_side, threshold=1e-10, maxiter=100)
        if status[0] != 0:
            raise ValueError("the point is not seen at zero Doppler on the reference orbit")
        reference_time = float(t[0])
    p1, v1 = reference_orbit.interpolate(float(reference_time))
    los, perp = baseline_vectors(p1, v1, target)
    p2 = p1 + float(baseline_m) * perp
    radius = float(np.linalg.norm(p2))
    look2 = math.degrees(float(look_angle(p2, target)))
    orbit, t_zd = orbit_over(lat_deg, lon_deg, look2, look_side, inclination_deg=inclination_deg,
                             time=time, height_m=height_m, ascending=bool(v1[2] > 0),
                             duration_s=duration_s, spacing_s=spacing_s, semi_major_axis=radius,
                             rotation_angle_deg=rotation_angle_deg,
                             earth_rotation_rate=earth_rotation_rate, gm=gm)
    q, _ = orbit.interpolate(t_zd)
    info = {"perpendicular": float(np.dot(q - p1, perp)), "parallel": float(np.dot(q - p1, los)),
            "radius": radius, "look_angle": look2, "requested": float(baseline_m)}
    return orbit, t_zd, info
