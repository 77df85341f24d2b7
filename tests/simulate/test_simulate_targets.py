"""Targets and truth: the REE out17 corner reflector lands at line 64, pixel 64 of the
runconfig grid; CSV/text target lists; Mogi LOS displacement; synthetic DEM raster."""
import math

import numpy as np
import pytest

from isce.simulate.targets import (MogiSource, Target, dem_height, parse_target_list,
                                   read_targets_csv, synthetic_dem)

class Grid:
    def __init__(self, orbit, start, prf, r0, dr):
        self.sensing_start = float(orbit.seconds(start))
        self.prf, self.starting_range, self.range_pixel_spacing = prf, r0, dr


@pytest.mark.parametrize("orbit_source", ["preset", "model", "xml"])
def test_ree_truth_line_64_pixel_64(orbit_source, shared_data):
    """The preset scene (no file), and the scene of the rdf with the model orbit or orbit.xml."""
    from isce.simulate.scenes import REE_FOCUS_GRID, ree_out17_scene

    if orbit_source == "preset":
        scene = ree_out17_scene()
    else:
        rdf = shared_data("ree_point_target", "REE_L0B_out17.rdf")
        scene = ree_out17_scene(rdf, orbit_source=orbit_source)
    g = REE_FOCUS_GRID
    grid = Grid(scene.orbit, g["start_time"], g["prf"], g["start_range"], g["range_pixel_spacing"])
    (t,) = scene.truth(grid)
    assert t["name"] == "CR1" and t["status"] == 0
    assert abs(t["line"] - 64.0) < 1e-3 and abs(t["pixel"] - 64.0) < 1e-4
    dt = np.datetime64(t["azimuth_utc"]) - np.datetime64("2021-07-01T03:20:03.499890765")
    assert abs(dt.astype("timedelta64[ns]").astype(np.int64)) < 200      # ns
    assert abs(t["slant_range"] - 967524.2763552681) < 0.06


def test_ree_scene_window_holds_the_echoes():
    from isce.simulate.echoes import two_way_delay
    from isce.simulate.scenes import ree_out17_scene

    s = ree_out17_scene()
    assert s.length == 11551 and s.width == 3120                    # 7.0004 s, 130 us at 24 MHz
    assert s.orbit.datetime64(s.sensing_start) == np.datetime64("2021-07-01T03:20:00")
    tau = two_way_delay(s.orbit, s.targets[0].xyz, s.sensing_start + np.arange(0, s.length, 50) / s.radar.prf)
    j = (tau - 2 * s.starting_range / 299792458.0) * s.radar.range_sampling_rate
    assert 240 < j.min() and j.max() < s.width - 240                # +- half chirp inside


def test_target_lists(tmp_path):
    ts = parse_target_list("34.5,-116.5,10; 34.6, -116.4, 0, 2.0\n34.7 -116.3 5")
    assert [(t.lat, t.lon, t.height, t.amplitude) for t in ts] == [
        (34.5, -116.5, 10.0, 1.0), (34.6, -116.4, 0.0, 2.0), (34.7, -116.3, 5.0, 1.0)]
    with pytest.raises(ValueError):
        parse_target_list("34.5")
    csv = tmp_path / "t.csv"
    csv.write_text("1.0,2.0,3.0\n4.0,5.0,6.0,0.5\n")
    assert [(t.lat, t.lon, t.height, t.amplitude) for t in read_targets_csv(csv)] == [
        (1.0, 2.0, 3.0, 1.0), (4.0, 5.0, 6.0, 0.5)]
    assert Target.from_dict(Target(1, 2, 3, 1 + 2j, "x").to_dict()) == Target(1, 2, 3, 1 + 2j, "x")


def test_ree_csv_equals_the_preset_target(shared_data):
    """The REE preset's corner reflector is the one of REE_CR_INFO_out17.csv."""
    from isce.simulate.scenes import REE_OUT17_TARGETS

    targets = read_targets_csv(shared_data("ree_point_target", "REE_CR_INFO_out17.csv"))
    assert [(t.name, t.lat, t.lon, t.height) for t in targets] == list(REE_OUT17_TARGETS)
    assert targets[0].lat == 3.1770887849358656 and targets[0].lon == -54.57958625773048


def test_mogi_los_displacement():
    m = MogiSource(34.5, -116.5, depth=2000.0, volume_change=1e6, poisson=0.25)
    enu = m.enu(34.5, -116.5)
    assert enu[0] == 0 and enu[1] == 0
    assert enu[2] == pytest.approx(0.75 * 1e6 / math.pi / 2000.0 ** 2)     # (1-nu) dV / (pi d^2)
    # horizontal motion away from the source, maximal at r = d / sqrt(2)
    north = m.enu(34.5 + math.degrees(2000.0 / math.sqrt(2) / 6.3568e6), -116.5)
    assert north[1] > 0 and abs(north[0]) < 1e-9
    # seen from straight above the LOS displacement is the uplift
    from isce.core.ellipsoid import WGS84
    above = WGS84.lon_lat_to_xyz(np.array([math.radians(-116.5), math.radians(34.5), 700e3]))
    assert m.los(34.5, -116.5, 0.0, above) == pytest.approx(enu[2], rel=1e-9)


def test_synthetic_dem_raster(tmp_path):
    import isce.io

    path = synthetic_dem(tmp_path / "dem.dem", (34.4, 34.6), (-116.6, -116.4), posting_deg=0.002)
    r = isce.io.open(path)
    data = r.read()
    assert (r.width, r.length) == (101, 101)
    assert data.dtype == np.float32 and np.isfinite(data).all()
    assert 10.0 < data.std() < 400.0
    h = dem_height(34.6, -116.6, center=(34.5, -116.5))
    assert data[0, 0] == pytest.approx(h, abs=1e-3)
    assert np.abs(np.diff(data, axis=1)).max() < 50.0          # smooth at 200 m posting


def test_flow_source_is_a_smooth_horizontal_channel():
    """FlowSource: the speed down the channel on its centre line (times the along-channel
    modulation, 1 at the centre), e^-1 of it one width across, horizontal; with a Mogi source
    in a DeformationSum the displacements add."""
    from isce.simulate.targets import DeformationSum, FlowSource

    flow = FlowSource(34.5, -116.5, speed=6.0, azimuth=30.0, width=3000.0, length=20000.0)
    centre = flow.enu(34.5, -116.5)
    assert np.allclose(centre, [6.0 * math.sin(math.radians(30)), 6.0 * math.cos(math.radians(30)), 0])
    # one width across the channel (azimuth 120 deg): east 3000 sin 120, north 3000 cos 120
    rn, re = 6.3855e6, 6.3855e6                                      # rough radii: distances
    d_lat = math.degrees(3000.0 * math.cos(math.radians(120)) / rn)  # only need ~1 %
    d_lon = math.degrees(3000.0 * math.sin(math.radians(120)) / (re * math.cos(math.radians(34.5))))
    across = flow.enu(34.5 + d_lat, -116.5 + d_lon)
    assert np.linalg.norm(across) == pytest.approx(6.0 * math.exp(-1), rel=0.03)
    assert across[2] == 0.0
    mogi = MogiSource(34.5, -116.5, 2000.0, 1e6)
    both = DeformationSum([flow, mogi, None])
    assert np.allclose(both.enu(34.51, -116.49), flow.enu(34.51, -116.49) + mogi.enu(34.51, -116.49))
    assert both.to_dict()["sources"][0]["type"] == "Flow"
