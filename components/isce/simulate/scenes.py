"""Ready-made point-target scenes: JPL's REE out17 case and an ALOS PALSAR pass.

A scene is a plain dict of the arguments of
:func:`~isce.simulate.echoes.simulate_point_targets` plus its truth::

    scene = ree_out17_scene(pulses=4096)
    raw = simulate_point_targets(**scene.simulation(), output="ree.raw")

Units: s, m, Hz, degrees.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.sensors.nisar_xml import read_orbit_xml

from .orbit import as_datetime64, orbit_over, ree_orbit_model
from .radar import RadarParameters, alos_palsar_fbs, ree_out17
from .targets import Target, as_targets, read_targets_csv, target_truth

__all__ = ["Scene", "ree_out17_scene", "alos_scene", "slant_range_at_look_angle",
           "REE_FOCUS_GRID", "REE_OUT17_TARGETS"]

#: The corner reflector of REE out17 (REE_CR_INFO_out17.csv: lat, lon [deg], height [m]).
REE_OUT17_TARGETS = (("CR1", 3.1770887849358656, -54.57958625773048, -9.313225746154785e-10),)

#: The focusing grid of REE out17's runconfig.yaml (target at line 64, pixel 64).
REE_FOCUS_GRID = {"start_time": "2021-07-01T03:20:03.457785502",
                  "end_time": "2021-07-01T03:20:03.542654995",
                  "start_range": 967124.5530779377, "end_range": 967930.2453281345,
                  "prf": 1520.0, "range_pixel_spacing": SPEED_OF_LIGHT / (2 * 24.0e6)}


@dataclass
class Scene:
    """Orbit, radar, targets and pulse window of a simulation (``sensing_start`` in seconds
    since ``orbit.reference_epoch``; ``starting_range``/``width`` None = automatic)."""

    orbit: object
    radar: RadarParameters
    targets: list
    sensing_start: float
    length: int
    starting_range: float | None = None
    width: int | None = None
    info: dict = field(default_factory=dict)

    def simulation(self) -> dict:
        """Keyword arguments of :func:`simulate_point_targets`."""
        return {"orbit": self.orbit, "radar": self.radar, "targets": self.targets,
                "sensing_start": self.sensing_start, "length": self.length,
                "starting_range": self.starting_range, "width": self.width}

    def truth(self, grid=None) -> list[dict]:
        """Zero-Doppler radar coordinates of the targets (see :func:`target_truth`)."""
        return target_truth(self.targets, self.orbit, self.radar.wavelength,
                            self.radar.look_side, grid=grid)


def slant_range_at_look_angle(position, velocity, look_angle_deg: float, look_side: str) -> float:
    """Slant range [m] to the WGS-84 ellipsoid along the line of sight perpendicular to the
    velocity (zero Doppler) at the off-nadir ``look_angle_deg`` from the geodetic nadir."""
    p = np.asarray(position, dtype=np.float64)
    v = np.asarray(velocity, dtype=np.float64)
    vhat = v / np.linalg.norm(v)
    llh = WGS84.xyz_to_lon_lat(p)
    up = WGS84.n_vector(llh[0], llh[1])
    down = -up + np.dot(up, vhat) * vhat
    down /= np.linalg.norm(down)
    right = np.cross(vhat, -down)
    side = right if str(look_side).lower().startswith("r") else -right
    look = math.radians(look_angle_deg)
    d = math.cos(look) * down + math.sin(look) * side
    scale = np.array([1 / WGS84.a, 1 / WGS84.a, 1 / WGS84.b])
    ps, ds = p * scale, d * scale
    qa, qb, qc = ds @ ds, 2 * ps @ ds, ps @ ps - 1.0
    disc = qb * qb - 4 * qa * qc
    if disc < 0:
        raise ValueError(f"look angle {look_angle_deg} deg misses the Earth")
    return float((-qb - math.sqrt(disc)) / (2 * qa))


def ree_out17_scene(rdf_path=None, *, pulses: int | None = None, csv_path=None,
                    orbit_source: str = "model", width: int | None = None) -> Scene:
    """JPL's REE out17 point-target case re-created from its ``.rdf``.

    Orbit: ``"model"`` (default) = the rdf's circular orbit (:func:`ree_orbit_model`) as
    1 s state vectors over the span of the case's orbit.xml (03:19:50 to 03:20:17 UTC),
    positions equal to orbit.xml within 1e-4 m and velocities exactly their derivative;
    ``"xml"`` = orbit.xml as it is (its velocities are ~1 m/s inconsistent with its
    positions: Hermite interpolation errs by up to 0.5 m between vectors). Pulses from the
    rdf's simulation start (12000 s after 2021-07-01T00:00:00 = 03:20:00 UTC) over its
    7.0004 s, or ``pulses`` pulses centred on the target's broadside pulse. Receive window:
    the rdf's 130 us from the slant range at the DWP look angle (36.3 deg) at the start, or
    automatic (just around the echoes) when ``pulses`` is given and ``width`` is None.
    Target from ``REE_CR_INFO_out17.csv`` (:data:`REE_OUT17_TARGETS`).

    Without ``rdf_path`` everything comes from the package's preset (no file is read);
    with it, the radar, the CSV (unless ``csv_path``) and ``orbit.xml`` are read from the
    rdf's folder. ``orbit_source="xml"`` needs ``rdf_path``.
    """
    radar = ree_out17(rdf_path)
    x = radar.extra
    base = os.path.dirname(os.fspath(rdf_path)) if rdf_path else None
    if csv_path or base is not None:
        targets = read_targets_csv(csv_path or os.path.join(base, "REE_CR_INFO_out17.csv"))
    else:
        targets = [Target(lat, lon, h, 1.0, name) for name, lat, lon, h in REE_OUT17_TARGETS]
    epoch = as_datetime64("2021-07-01T03:19:50")
    if orbit_source == "xml":
        if base is None:
            raise ValueError("orbit_source='xml' reads orbit.xml beside the rdf: give rdf_path")
        orbit = read_orbit_xml(os.path.join(base, "orbit.xml"))
    elif orbit_source == "model":
        orbit = ree_orbit_model(rdf_path).to_orbit(epoch, 27.0, 1.0)
    else:
        raise ValueError(f"orbit_source must be 'model' or 'xml', got {orbit_source!r}")
    sim_start = as_datetime64(x["reference_epoch"]) + np.timedelta64(
        int(round(float(x["sim_start"]) * 1e9)), "ns")
    t_start = float(orbit.seconds(sim_start))
    info = {"case": "REE out17", "rdf": x.get("source", ""), "focus_grid": REE_FOCUS_GRID,
            "orbit_source": orbit_source}
    if pulses is None:
        length = int(math.floor(float(x["sim_duration"]) * radar.prf + 1e-9))
        pos, vel = orbit.interpolate(t_start)
        r0 = slant_range_at_look_angle(pos, vel, float(x["dwp_look_angle"]), radar.look_side)
        n = int(round(float(x["rx_window"]) * radar.range_sampling_rate)) if width is None else int(width)
        return Scene(orbit, radar, targets, t_start, length, r0, n, info)
    truth = target_truth(targets[:1], orbit, radar.wavelength, radar.look_side)[0]
    t_mid = truth["azimuth_time"] - truth["slant_range"] / SPEED_OF_LIGHT
    start = t_mid - (int(pulses) // 2) / radar.prf
    return Scene(orbit, radar, targets, start, int(pulses), None, width, info)


def alos_scene(targets=None, *, time="2008-06-01T05:30:00", pulses: int = 8192,
               lat: float | None = None, lon: float | None = None, height: float | None = None,
               ascending: bool = False, look_angle: float | None = None,
               radar: RadarParameters | None = None, semi_major_axis=None,
               orbit_duration: float = 30.0) -> Scene:
    """An ALOS PALSAR FBS pass over point targets: the orbit puts the first target (or the
    point ``lat``/``lon`` [deg], ``height`` [m]) at zero Doppler at ``time`` under the nominal
    34.3 deg look (or ``look_angle``), on a descending pass unless ``ascending``; ``pulses``
    pulses centred on its broadside pulse (transmit time = zero-Doppler time - R / c)."""
    radar = radar or alos_palsar_fbs()
    targets = as_targets(targets or [Target(34.5, -116.5, 0.0, 1.0, "CR1")])
    lat = targets[0].lat if lat is None else float(lat)
    lon = targets[0].lon if lon is None else float(lon)
    height = targets[0].height if height is None else float(height)
    look = radar.look_angle if look_angle is None else float(look_angle)
    orbit, t_zd = orbit_over(lat, lon, look, radar.look_side, radar.altitude, radar.inclination,
                             time=time, height_m=height, ascending=ascending,
                             duration_s=orbit_duration, spacing_s=1.0,
                             semi_major_axis=semi_major_axis)
    pos, _ = orbit.interpolate(t_zd)
    target = WGS84.lon_lat_to_xyz(np.array([math.radians(lon), math.radians(lat), height]))
    t_mid = t_zd - float(np.linalg.norm(target - pos)) / SPEED_OF_LIGHT
    start = t_mid - (int(pulses) // 2) / radar.prf
    return Scene(orbit, radar, targets, start, int(pulses), None, None,
                 {"case": "ALOS", "center": [lat, lon, height], "time": str(as_datetime64(time)),
                  "zero_doppler_time": t_zd, "look_angle": look})
