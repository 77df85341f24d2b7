"""Shared scenes of the simulator tests: one ALOS-like point target seen at zero Doppler."""

import numpy as np
import pytest

from isce.simulate.orbit import orbit_over
from isce.simulate.radar import alos_palsar_fbs
from isce.simulate.targets import Target

LAT, LON, HEIGHT = 34.8, -116.3, 450.0
WHEN = "2009-06-01T06:00:00"


@pytest.fixture(scope="session")
def alos_scene():
    """(orbit, model, radar, target, t_zd) with the orbit over the target at 34.3 deg look."""
    radar = alos_palsar_fbs()
    orbit, t_zd, model = orbit_over(LAT, LON, radar.look_angle, radar.look_side, radar.altitude,
                                    radar.inclination, time=WHEN, height_m=HEIGHT,
                                    duration_s=20.0, spacing_s=1.0, return_model=True)
    return orbit, model, radar, Target(LAT, LON, HEIGHT, 1.0, "CR"), t_zd


@pytest.fixture(scope="session")
def alos_raw(alos_scene, tmp_path_factory):
    """1536 pulses of that target (centred on its closest approach), written as a raster."""
    from isce.simulate.echoes import simulate_point_targets

    orbit, model, radar, target, t_zd = alos_scene
    n = 1536
    r_zd = np.linalg.norm(target.xyz - orbit.interpolate(t_zd)[0])
    t_mid = t_zd - r_zd / 299792458.0          # transmit time of the broadside pulse
    start = t_mid - (n // 2) / radar.prf
    out = tmp_path_factory.mktemp("alos_raw") / "raw.slc"
    raw = simulate_point_targets(orbit, radar, [target], sensing_start=start, length=n,
                                 output=str(out))
    return raw
