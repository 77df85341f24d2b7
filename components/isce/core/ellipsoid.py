"""Reference ellipsoid and geodetic <-> ECEF conversions.

Conventions (as ISCE3):

* geodetic coordinates are ``llh = (lon, lat, h)``: longitude and geodetic
  latitude in **radians**, height above the ellipsoid in **metres**;
* ECEF coordinates are ``xyz = (x, y, z)`` in metres;
* arrays hold the three components in their **last** axis, i.e. ``(..., 3)``,
  and every function is vectorised over the leading axes;
* the local East-North-Up (ENU) frame at (lon, lat) has the unit vectors
  ``e = (-sin lon, cos lon, 0)``, ``n = (-sin lat cos lon, -sin lat sin lon,
  cos lat)``, ``u = (cos lat cos lon, cos lat sin lon, sin lat)`` (``u`` is the
  outward ellipsoid normal).

Use :func:`numpy.deg2rad` / :func:`numpy.rad2deg` for degrees.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._serial import XmlMixin, normalise_keys
from .constants import WGS84_A, WGS84_E2

__all__ = ["Ellipsoid", "WGS84", "enu_matrix", "ecef_to_enu", "enu_to_ecef"]


def _as_vec3(v, name):
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 0 or v.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (..., 3), got {v.shape}")
    return v


def _result(arr, like_scalar):
    """Return a Python float for 0-d results, the array otherwise."""
    return float(arr) if like_scalar else arr


@dataclass(frozen=True)
class Ellipsoid(XmlMixin):
    """Oblate reference ellipsoid defined by its semi-major axis and eccentricity.

    Parameters
    ----------
    a : float
        Semi-major (equatorial) axis [m]. Default: WGS-84.
    e2 : float
        First eccentricity squared, (a² - b²)/a² [-]. Default: WGS-84 as used
        by ISCE (``0.0066943799901``).
    """

    a: float = WGS84_A
    e2: float = WGS84_E2

    def __post_init__(self):
        a, e2 = float(self.a), float(self.e2)
        if not (np.isfinite(a) and a > 0.0):
            raise ValueError(f"semi-major axis must be positive, got {self.a!r}")
        if not (0.0 <= e2 < 1.0):
            raise ValueError(f"eccentricity squared must be in [0, 1), got {self.e2!r}")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "e2", e2)

    # ------------------------------------------------------------------ shape
    @classmethod
    def from_flattening(cls, a: float, inv_f: float) -> "Ellipsoid":
        """Build from the semi-major axis [m] and the inverse flattening 1/f [-]."""
        f = 1.0 / float(inv_f)
        return cls(a, f * (2.0 - f))

    @property
    def b(self) -> float:
        """Semi-minor (polar) axis [m]."""
        return self.a * np.sqrt(1.0 - self.e2)

    @property
    def f(self) -> float:
        """Flattening (a - b)/a [-]."""
        return 1.0 - np.sqrt(1.0 - self.e2)

    @property
    def ep2(self) -> float:
        """Second eccentricity squared (a² - b²)/b² [-]."""
        return self.e2 / (1.0 - self.e2)

    # ------------------------------------------------------------------ radii
    def r_east(self, lat):
        """Prime-vertical radius of curvature N(lat) [m] (East-West direction).

        ``lat`` is geodetic latitude [rad]; vectorised.
        """
        s = np.sin(np.asarray(lat, dtype=np.float64))
        return _result(self.a / np.sqrt(1.0 - self.e2 * s * s), np.ndim(lat) == 0)

    def r_north(self, lat):
        """Meridional radius of curvature M(lat) [m] (North-South direction).

        ``lat`` is geodetic latitude [rad]; vectorised.
        """
        s = np.sin(np.asarray(lat, dtype=np.float64))
        w = 1.0 - self.e2 * s * s
        return _result(self.a * (1.0 - self.e2) / (w * np.sqrt(w)), np.ndim(lat) == 0)

    def r_dir(self, hdg, lat):
        """Radius of curvature [m] along heading ``hdg`` [rad, clockwise from North].

        Euler's formula ``N M / (N cos² hdg + M sin² hdg)``; vectorised.
        """
        re = np.asarray(self.r_east(lat))
        rn = np.asarray(self.r_north(lat))
        c, s = np.cos(hdg), np.sin(hdg)
        out = re * rn / (re * c * c + rn * s * s)
        return _result(out, np.ndim(out) == 0)

    # --------------------------------------------------------------- normals
    @staticmethod
    def n_vector(lon, lat):
        """Outward unit normal of the ellipsoid at (lon, lat) [rad], shape (..., 3)."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        cl = np.cos(lat)
        return np.stack(np.broadcast_arrays(cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)), axis=-1)

    def xyz_on_ellipse(self, lon, lat):
        """ECEF point [m] of the *parametric* representation (a cos·cos, a cos·sin, b sin).

        Same meaning as ISCE3's ``xyzOnEllipse`` (``lat`` is the parametric
        angle here, not the geodetic latitude). Shape (..., 3).
        """
        n = self.n_vector(lon, lat)
        return n * np.array([self.a, self.a, self.b])

    # ----------------------------------------------------------- conversions
    def lon_lat_to_xyz(self, llh):
        """Geodetic (lon [rad], lat [rad], h [m]) -> ECEF (x, y, z) [m].

        ``llh`` has shape (..., 3); the result has the same shape.
        """
        llh = _as_vec3(llh, "llh")
        lon, lat, h = llh[..., 0], llh[..., 1], llh[..., 2]
        s, c = np.sin(lat), np.cos(lat)
        n = self.a / np.sqrt(1.0 - self.e2 * s * s)
        x = (n + h) * c * np.cos(lon)
        y = (n + h) * c * np.sin(lon)
        z = (n * (1.0 - self.e2) + h) * s
        return np.stack((x, y, z), axis=-1)

    def xyz_to_lon_lat(self, xyz):
        """ECEF (x, y, z) [m] -> geodetic (lon [rad], lat [rad], h [m]).

        Exact closed form of Vermeille (2002) for the latitude (as ISCE3), then
        the height from the well-conditioned projection
        ``h = p cos(lat) + z sin(lat) - a sqrt(1 - e² sin² lat)``
        (p = distance from the polar axis). The result is accurate to a few
        units of round-off of the input (a few 1e-9 m in height, ~1e-16 rad in
        latitude) everywhere including the poles, for any point farther than
        ~a·e² (≈ 43 km for the Earth) from the centre; points inside that
        small central region give NaN. At the poles the longitude is
        ``atan2(y, x)`` of the given coordinates (0 when x = y = 0).

        ``xyz`` has shape (..., 3); the result has the same shape,
        longitude in (-π, π].
        """
        xyz = _as_vec3(xyz, "xyz")
        x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
        a, e2 = self.a, self.e2
        e4 = e2 * e2
        rho = np.hypot(x, y)
        p = (rho / a) ** 2
        q = (1.0 - e2) * (z / a) ** 2
        r = (p + q - e4) / 6.0
        with np.errstate(divide="ignore", invalid="ignore"):
            s = e4 * p * q / (4.0 * r ** 3)
            t = np.cbrt(1.0 + s + np.sqrt(s * (2.0 + s)))
            u = r * (1.0 + t + 1.0 / t)
            v = np.sqrt(u * u + e4 * q)
            w = e2 * (u + v - q) / (2.0 * v)
            k = np.sqrt(u + v + w * w) - w
            d = k * rho / (k + e2)
            lat = np.arctan2(z, d)
        sl, cl = np.sin(lat), np.cos(lat)
        h = rho * cl + z * sl - a * np.sqrt(1.0 - e2 * sl * sl)
        lon = np.arctan2(y, x)
        return np.stack((lon, lat, h), axis=-1)

    # --------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        """JSON-friendly dict: ``{"type": "Ellipsoid", "a": m, "e2": -}``."""
        return {"type": "Ellipsoid", "a": self.a, "e2": self.e2}

    @classmethod
    def from_dict(cls, d: dict) -> "Ellipsoid":
        """Inverse of :meth:`to_dict`."""
        return cls(float(d["a"]), float(d["e2"]))

    def to_xml_dict(self) -> dict:
        """Flat ``{public name: text}`` dict for ISCE-style XML property lists."""
        return {"semi major axis": repr(self.a), "eccentricity squared": repr(self.e2)}

    @classmethod
    def from_xml_dict(cls, d: dict) -> "Ellipsoid":
        """Inverse of :meth:`to_xml_dict` (keys compared case/space-insensitively)."""
        d = normalise_keys(d)
        return cls(float(d["semimajoraxis"]), float(d["eccentricitysquared"]))


#: The WGS-84 ellipsoid (a = 6378137 m, e² = 0.0066943799901 as in ISCE).
WGS84 = Ellipsoid()


# ---------------------------------------------------------------------- ENU
def enu_matrix(lon, lat):
    """Rotation from ECEF to the local East-North-Up frame at (lon, lat) [rad].

    Returns an array of shape ``broadcast(lon, lat).shape + (3, 3)`` whose rows
    are the unit vectors e, n, u expressed in ECEF, so that
    ``v_enu = M @ v_ecef`` and ``v_ecef = M.T @ v_enu``.
    """
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    lon, lat = np.broadcast_arrays(lon, lat)
    so, co = np.sin(lon), np.cos(lon)
    sa, ca = np.sin(lat), np.cos(lat)
    zero = np.zeros_like(lon)
    m = np.empty(lon.shape + (3, 3))
    m[..., 0, :] = np.stack((-so, co, zero), axis=-1)
    m[..., 1, :] = np.stack((-sa * co, -sa * so, ca), axis=-1)
    m[..., 2, :] = np.stack((ca * co, ca * so, sa), axis=-1)
    return m


def ecef_to_enu(vec, lon, lat):
    """Express ECEF vector(s) ``vec`` (..., 3) in the ENU frame at (lon, lat) [rad].

    This rotates *vectors* (e.g. a line of sight or a velocity); for a point,
    pass the difference ``xyz - xyz_origin``.
    """
    vec = _as_vec3(vec, "vec")
    return np.einsum("...ij,...j->...i", enu_matrix(lon, lat), vec)


def enu_to_ecef(vec, lon, lat):
    """Express ENU vector(s) ``vec`` (..., 3) at (lon, lat) [rad] in ECEF."""
    vec = _as_vec3(vec, "vec")
    return np.einsum("...ji,...j->...i", enu_matrix(lon, lat), vec)
