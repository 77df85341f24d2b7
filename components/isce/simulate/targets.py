"""Scene content with known truth: point targets, a synthetic DEM, a Mogi deformation source.

Point targets (corner reflectors) sit at geodetic latitude/longitude [deg] and
height above the WGS-84 ellipsoid [m], fixed in ECEF, with a complex echo
amplitude (linear, proportional to sqrt(RCS)). Their truth is the zero-Doppler
radar coordinates that geo2rdr predicts from the orbit: azimuth time [s since
the orbit's reference epoch, and as UTC text], slant range [m], and line/pixel
on a focused (zero-Doppler) grid.
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import asdict, dataclass

import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84, enu_to_ecef
from isce.framework.errors import InputError
from isce.geometry.geo2rdr import geo2rdr_points

__all__ = ["Target", "as_targets", "targets_xyz", "target_truth", "read_targets_csv",
           "parse_target_list", "synthetic_dem", "dem_height", "MogiSource", "FlowSource",
           "DeformationSum"]


@dataclass
class Target:
    """A point scatterer: ``lat``, ``lon`` [deg], ``height`` [m above WGS-84], ``amplitude``
    (complex, linear echo amplitude at the beam centre, ~sqrt(RCS)), ``name``."""

    lat: float
    lon: float
    height: float = 0.0
    amplitude: complex = 1.0
    name: str = ""

    def __post_init__(self):
        self.lat, self.lon, self.height = float(self.lat), float(self.lon), float(self.height)
        if not (-90.0 <= self.lat <= 90.0) or not np.isfinite(self.lon):
            raise ValueError(f"target latitude/longitude out of range: {self.lat}, {self.lon}")
        if not np.isfinite(self.height):
            raise ValueError(f"target height must be finite, got {self.height}")

    @property
    def llh(self) -> np.ndarray:
        """(lon, lat [rad], h [m]), the isce.core convention."""
        return np.array([math.radians(self.lon), math.radians(self.lat), self.height])

    @property
    def xyz(self) -> np.ndarray:
        """ECEF position [m]."""
        return WGS84.lon_lat_to_xyz(self.llh)

    def to_dict(self) -> dict:
        d = asdict(self)
        amp = complex(self.amplitude)
        d["amplitude"] = amp.real if amp.imag == 0 else [amp.real, amp.imag]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Target":
        d = dict(d)
        amp = d.get("amplitude", 1.0)
        if isinstance(amp, (list, tuple)):
            d["amplitude"] = complex(amp[0], amp[1])
        return cls(**{k: d[k] for k in ("lat", "lon", "height", "amplitude", "name") if k in d})


def as_targets(targets) -> list[Target]:
    """A list of :class:`Target` from Targets, dicts or (lat, lon[, height[, amplitude]]) tuples."""
    out = []
    for k, t in enumerate(targets):
        if isinstance(t, Target):
            out.append(t)
        elif isinstance(t, dict):
            out.append(Target.from_dict(t))
        else:
            vals = list(t)
            if not 2 <= len(vals) <= 4:
                raise ValueError(f"target {k}: expected (lat, lon[, height[, amplitude]]), got {t!r}")
            out.append(Target(*vals))
    return out


def targets_xyz(targets) -> np.ndarray:
    """ECEF positions (n, 3) [m] of targets."""
    targets = as_targets(targets)
    if not targets:
        return np.zeros((0, 3))
    return WGS84.lon_lat_to_xyz(np.array([t.llh for t in targets]))


def parse_target_list(text: str) -> list[Target]:
    """Targets from text: ``lat,lon,height`` triples separated by ``;`` or new lines
    (optionally a fourth number, the amplitude)."""
    out = []
    for part in str(text).replace("\n", ";").split(";"):
        part = part.strip().strip("[]()")
        if not part:
            continue
        nums = [p for p in part.replace(",", " ").split() if p]
        try:
            vals = [float(v) for v in nums]
        except ValueError:
            raise ValueError(f"target {part!r}: expected numbers lat,lon,height") from None
        if len(vals) not in (2, 3, 4):
            raise ValueError(f"target {part!r}: expected lat,lon,height")
        out.append(Target(*vals, name=f"T{len(out) + 1}"))
    return out


def read_targets_csv(path) -> list[Target]:
    """Targets from a CSV file with a header naming latitude, longitude, height columns
    (e.g. JPL's ``REE_CR_INFO_*.csv``: ``Corner reflector ID,Latitude (deg),Longitude (deg),
    Height above ellipsoid (m),...``) or headerless ``lat,lon,height[,amplitude]`` rows."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)
                    and not r[0].lstrip().startswith("#")]
    except OSError as exc:
        raise InputError(f"{path}: cannot read the target list: {exc}") from None
    if not rows:
        raise InputError(f"{path}: no targets")
    head = [c.strip().lower() for c in rows[0]]

    def col(*words):
        for i, h in enumerate(head):
            if any(h.startswith(w) for w in words):
                return i
        return None

    ilat, ilon, ih = col("lat"), col("lon"), col("height", "hgt", "h ", "alt", "elev")
    iname, iamp = col("corner reflector id", "id", "name"), col("amp")
    out = []
    if ilat is not None and ilon is not None:
        body = rows[1:]
    else:
        body, ilat, ilon, ih, iname, iamp = rows, 0, 1, 2, None, 3
    for n, r in enumerate(body, 2 if body is not rows else 1):
        try:
            lat, lon = float(r[ilat]), float(r[ilon])
            h = float(r[ih]) if ih is not None and ih < len(r) and r[ih].strip() else 0.0
            amp = float(r[iamp]) if iamp is not None and iamp < len(r) and r[iamp].strip() else 1.0
        except (ValueError, IndexError):
            raise InputError(f"{path}: line {n}: not a target row: {','.join(r)!r}") from None
        name = r[iname].strip() if iname is not None and iname < len(r) else f"T{len(out) + 1}"
        out.append(Target(lat, lon, h, amp, name))
    return out


def target_truth(targets, orbit, wavelength: float, look_side: str, *, grid=None,
                 doppler=None) -> list[dict]:
    """Expected zero-Doppler radar coordinates of targets (geo2rdr on ``orbit``).

    Returns one dict per target: its ``lat``, ``lon`` [deg], ``height`` [m],
    ``amplitude``, ``azimuth_time`` [s since ``orbit.reference_epoch``],
    ``azimuth_utc`` (ISO text, ns), ``slant_range`` [m], ``two_way_delay`` 2R/c
    [s], ``status`` (0 = converged) and, when ``grid`` (any object with
    ``sensing_start`` [s since the orbit epoch], ``prf``, ``starting_range``,
    ``range_pixel_spacing``) is given, ``line`` and ``pixel`` (fractional).
    """
    targets = as_targets(targets)
    if not targets:
        return []
    llh = np.array([t.llh for t in targets])
    t, r, status = geo2rdr_points(llh, orbit, wavelength, look_side, doppler=doppler,
                                  threshold=1e-10, maxiter=100)
    out = []
    for k, tg in enumerate(targets):
        d = tg.to_dict()
        d.update({"azimuth_time": float(t[k]), "azimuth_utc": str(orbit.datetime64(float(t[k]))),
                  "slant_range": float(r[k]), "two_way_delay": 2.0 * float(r[k]) / SPEED_OF_LIGHT,
                  "status": int(status[k])})
        if grid is not None:
            start = grid.sensing_start
            if not isinstance(start, (int, float, np.floating)):
                start = float(orbit.seconds(start))
            d["line"] = (float(t[k]) - float(start)) * float(grid.prf)
            d["pixel"] = (float(r[k]) - float(grid.starting_range)) / float(grid.range_pixel_spacing)
        out.append(d)
    return out


# ---------------------------------------------------------------- DEM
def dem_height(lat_deg, lon_deg, *, center=(0.0, 0.0), base=100.0, relief=300.0,
               wavelength_km=20.0, seed=0):
    """Smooth synthetic terrain [m above WGS-84] at (lat, lon) [deg] (vectorised).

    ``base`` + a sum of a few random-phase 2-D sinusoids and Gaussian hills of total
    amplitude ``relief`` [m], horizontal scales around ``wavelength_km``; smooth
    (infinitely differentiable) and deterministic for a ``seed``.
    """
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat0, lon0 = center
    y = (lat - lat0) * 111.32                                   # km north
    x = (lon - lon0) * 111.32 * math.cos(math.radians(lat0))   # km east
    rng = np.random.default_rng(seed)
    h = np.zeros(np.broadcast(x, y).shape)
    for _ in range(4):
        k = 2 * math.pi / (wavelength_km * rng.uniform(0.6, 1.6))
        ang = rng.uniform(0, math.pi)
        ph = rng.uniform(0, 2 * math.pi)
        h += 0.15 * np.cos(k * (x * math.cos(ang) + y * math.sin(ang)) + ph)
    for _ in range(3):
        cx, cy = rng.uniform(-1, 1, 2) * wavelength_km
        s = wavelength_km * rng.uniform(0.3, 0.7)
        h += 0.4 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    return base + relief * h


def synthetic_dem(path, lat_range, lon_range, posting_deg: float = 1.0 / 3600.0, **terrain):
    """Write a smooth synthetic DEM (int16 is not used: FLOAT metres, WGS-84 heights) covering
    ``lat_range`` x ``lon_range`` [deg] at ``posting_deg`` as an isce.io raster with GDAL/ISCE
    sidecars (pixel-centre geo-referencing, north up). ``terrain``: :func:`dem_height` options
    (``center`` defaults to the middle of the area). Returns ``path``."""
    lat0, lat1 = sorted(map(float, lat_range))
    lon0, lon1 = sorted(map(float, lon_range))
    width = int(math.ceil((lon1 - lon0) / posting_deg - 1e-9)) + 1
    length = int(math.ceil((lat1 - lat0) / posting_deg - 1e-9)) + 1
    terrain.setdefault("center", ((lat0 + lat1) / 2, (lon0 + lon1) / 2))
    lats = lat1 - posting_deg * np.arange(length)
    lons = lon0 + posting_deg * np.arange(width)
    # GDAL geotransform: edges of the first pixel (pixel centres at lon0, lat1)
    geo = (lon0 - posting_deg / 2, posting_deg, 0.0, lat1 + posting_deg / 2, 0.0, -posting_deg)
    with isce.io.create(path, width, length, "FLOAT", image_type="dem", geo=geo,
                        extra={"reference": "WGS84"}) as ds:
        for start in range(0, length, 512):
            rows = slice(start, min(start + 512, length))
            block = dem_height(lats[rows, None], lons[None, :], **terrain)
            ds.write(block.astype(np.float32), rows=rows)
    return os.fspath(path)


# ---------------------------------------------------------------- deformation
@dataclass
class MogiSource:
    """Mogi point pressure source in an elastic half-space.

    At (``lat``, ``lon`` [deg]) and ``depth`` [m] with volume change ``volume_change``
    [m^3] (> 0 inflation) and Poisson ratio ``poisson``. Surface displacement at
    horizontal distance r (flat-Earth local ENU approximation around the source):

        u_r = (1 - nu) dV / pi * r / (r^2 + d^2)^(3/2),
        u_z = (1 - nu) dV / pi * d / (r^2 + d^2)^(3/2).
    """

    lat: float
    lon: float
    depth: float = 3000.0
    volume_change: float = 1.0e6
    poisson: float = 0.25

    def enu(self, lat_deg, lon_deg) -> np.ndarray:
        """East, north, up displacement [m] at (lat, lon) [deg], shape (..., 3)."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        rn = WGS84.r_north(math.radians(self.lat))
        re = WGS84.r_east(math.radians(self.lat))
        north = np.radians(lat - self.lat) * rn
        east = np.radians(lon - self.lon) * re * math.cos(math.radians(self.lat))
        r2 = east ** 2 + north ** 2
        k = (1.0 - self.poisson) * self.volume_change / math.pi / (r2 + self.depth ** 2) ** 1.5
        return np.stack(np.broadcast_arrays(k * east, k * north, k * self.depth), axis=-1)

    def ecef(self, lat_deg, lon_deg) -> np.ndarray:
        """Displacement vector in ECEF [m] at (lat, lon) [deg]."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        return enu_to_ecef(self.enu(lat, lon), np.radians(lon), np.radians(lat))

    def los(self, lat_deg, lon_deg, height, platform_xyz) -> np.ndarray:
        """Displacement along the line of sight towards the platform [m] (> 0: the ground
        moved towards the radar, i.e. the slant range shortened by that amount), at ground
        points (lat, lon [deg], height [m]) seen from ``platform_xyz`` (..., 3) [m]."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        lon = np.asarray(lon_deg, dtype=np.float64)
        ground = WGS84.lon_lat_to_xyz(np.stack(np.broadcast_arrays(
            np.radians(lon), np.radians(lat), np.asarray(height, dtype=np.float64)), axis=-1))
        to_sat = np.asarray(platform_xyz) - ground
        to_sat = to_sat / np.linalg.norm(to_sat, axis=-1, keepdims=True)
        return np.sum(self.ecef(lat, lon) * to_sat, axis=-1)

    def to_dict(self) -> dict:
        return {"type": "Mogi", **asdict(self)}


@dataclass
class FlowSource:
    """A glacier-like flow: horizontal displacement along a channel through (``lat``, ``lon``
    [deg]) heading ``azimuth`` [deg clockwise from north]. ``speed`` [m] on the centre line,
    a Gaussian profile across (``width`` [m]: e-folding half-width), and along the channel a
    gentle cosine of period ``length`` [m] (0.75..1 of the speed): smooth but not a
    polynomial. The displacement points down the channel (flat-Earth local ENU)."""

    lat: float
    lon: float
    speed: float
    azimuth: float
    width: float
    length: float

    def enu(self, lat_deg, lon_deg) -> np.ndarray:
        """East, north, up displacement [m] at (lat, lon) [deg], shape (..., 3)."""
        north = np.radians(np.asarray(lat_deg, dtype=np.float64) - self.lat) * \
            WGS84.r_north(math.radians(self.lat))
        east = np.radians(np.asarray(lon_deg, dtype=np.float64) - self.lon) * \
            WGS84.r_east(math.radians(self.lat)) * math.cos(math.radians(self.lat))
        sa, ca = math.sin(math.radians(self.azimuth)), math.cos(math.radians(self.azimuth))
        along, across = east * sa + north * ca, east * ca - north * sa
        amp = self.speed * np.exp(-(across / self.width) ** 2) * \
            (0.875 + 0.125 * np.cos(2.0 * np.pi * along / self.length))
        return np.stack(np.broadcast_arrays(amp * sa, amp * ca, np.zeros_like(amp)), axis=-1)

    ecef = MogiSource.ecef
    los = MogiSource.los

    def to_dict(self) -> dict:
        return {"type": "Flow", **asdict(self)}


class DeformationSum:
    """Several deformation sources (``enu``/``ecef``/``los``) acting together."""

    def __init__(self, sources):
        self.sources = [s for s in sources if s is not None]

    def enu(self, lat_deg, lon_deg) -> np.ndarray:
        return sum(s.enu(lat_deg, lon_deg) for s in self.sources)

    ecef = MogiSource.ecef
    los = MogiSource.los

    def to_dict(self) -> dict:
        return {"type": "Sum", "sources": [s.to_dict() for s in self.sources]}
