"""topo's shadowMask.rdr (ISCE2 topozero: 1 shadow, 2 layover, 3 both) and incLocal.rdr.

A ridge across the track (a face toward the radar steeper than the look angle, a back
face steeper than its complement) over the synthetic scene of conftest.py; the mask is
checked against a brute-force reference written here from the definitions: a dense
ground profile across the track of each line (DEM heights, exact ECEF ranges and look
angles from the platform), a radar pixel laid over when its range bin holds more than one
separate piece of ground, in shadow when all the ground of its bin is hidden behind
nearer ground seen at a larger look angle.
"""
import math

import numpy as np
import pytest

import isce.io
from isce.core.ellipsoid import WGS84, enu_matrix
from isce.geometry import DemGrid
from isce.geometry.rdr2geo import (_platform_positions, rdr2geo_block, rdr2geo_points,
                                   shadow_layover_mask, topo)

M_PER_DEG = math.radians(1.0) * WGS84.a
LINES = (0, 30, 59)


def _ground_frame(grid, orbit, line):
    """Near-range ground point (lon, lat [deg]) of a line and the unit across-track
    direction (east, north) towards far range, with the swath width [m]."""
    t = grid.sensing_start + line / grid.prf
    ends, _ = rdr2geo_points(np.full(2, t), np.array([grid.starting_range, grid.end_range
                                                      - grid.range_pixel_spacing]),
                             orbit, grid.wavelength, grid.look_side, heights=np.zeros(2),
                             epoch=grid.reference_epoch)
    ends = np.degrees(ends[:, :2])
    coslat = math.cos(math.radians(ends[0, 1]))
    vec = np.array([(ends[1, 0] - ends[0, 0]) * coslat, ends[1, 1] - ends[0, 1]]) * M_PER_DEG
    return ends[0], vec / np.linalg.norm(vec), float(np.linalg.norm(vec)), coslat


def _ridge(s, swath):
    """Height [m] at across-track ground distance s [m]: a 1000 m ridge at 45 % of the swath,
    its near face 73 deg steep (> the ~32 deg look angle: layover), its far face 81 deg
    (> 90 - incidence: shadow)."""
    peak = 0.45 * swath
    front = np.clip((s - (peak - 300.0)) / 300.0, 0.0, 1.0)
    back = np.clip(((peak + 150.0) - s) / 150.0, 0.0, 1.0)
    return 1000.0 * np.where(s <= peak, front, back)


def _ridge_dem(grid, orbit, spacing=0.0002):
    origin, e, swath, coslat = _ground_frame(grid, orbit, (grid.length - 1) / 2)
    lon = np.arange(origin[0] - 0.06, origin[0] + 0.12, spacing)
    lat = np.arange(origin[1] + 0.06, origin[1] - 0.06, -spacing)
    lo, la = np.meshgrid(lon, lat)
    s = (lo - origin[0]) * coslat * M_PER_DEG * e[0] + (la - origin[1]) * M_PER_DEG * e[1]
    # bilinear: a spline would ring at the ridge's edges (tiny folds of a few centimetres)
    return DemGrid(_ridge(s, swath).astype(np.float32), lon[0], lat[0], spacing, -spacing,
                   method="bilinear")


def _brute_force(grid, orbit, dem, line, samples=40001):
    """(shadow, layover) booleans of the line's pixels from a dense ground profile."""
    t = grid.sensing_start + line / grid.prf
    sat, _ = orbit.interpolate(t)
    sat = np.reshape(sat, 3)
    origin, e, swath, coslat = _ground_frame(grid, orbit, line)
    s = np.linspace(-0.3 * swath, 1.3 * swath, samples)
    lon = origin[0] + s * e[0] / (coslat * M_PER_DEG)
    lat = origin[1] + s * e[1] / M_PER_DEG
    ground = WGS84.lon_lat_to_xyz(np.stack([np.radians(lon), np.radians(lat),
                                            dem.interpolate(lon, lat)], -1))
    d = ground - sat
    rho = np.linalg.norm(d, axis=1)
    slon, slat, _ = WGS84.xyz_to_lon_lat(sat)
    look = np.arccos(d @ -enu_matrix(slon, slat)[2] / rho)
    hidden = look < np.maximum.accumulate(np.r_[-np.inf, look[:-1]])
    pixel = np.floor((rho - grid.starting_range) / grid.range_pixel_spacing).astype(int)
    shadow = np.zeros(grid.width, bool)
    layover = np.zeros(grid.width, bool)
    for j in range(grid.width):
        k = np.flatnonzero(pixel == j)
        if k.size:
            layover[j] = np.count_nonzero(np.diff(k) > 1) > 0      # > 1 piece of ground
            shadow[j] = bool(hidden[k].all())
    return shadow, layover


@pytest.fixture(scope="module", params=["right", "left"])
def ridge_run(request, reference, tmp_path_factory):
    scene = reference.make_scene(side=request.param)
    dem = _ridge_dem(scene.grid, scene.orbit)
    out = tmp_path_factory.mktemp(f"ridge_{request.param}")
    paths = topo(scene.grid, scene.orbit, None, dem, str(out),
                 products=("z", "shadowMask", "incLocal", "localInc", "localPsi"), block_lines=7)
    return scene, dem, paths


def test_shadow_and_layover_of_a_steep_ridge_match_the_brute_force(ridge_run):
    scene, dem, paths = ridge_run
    mask = isce.io.open(paths["shadowMask"]).data
    assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 1, 2, 3}
    for line in LINES:
        shadow, layover = _brute_force(scene.grid, scene.orbit, dem, line)
        ours_shadow, ours_layover = (mask[line] & 1) > 0, (mask[line] & 2) > 0
        assert shadow.sum() >= 10 and layover.sum() >= 15        # the ridge casts both
        # the edges may differ by a pixel (the mask resamples the ground at half a pixel)
        assert np.count_nonzero(ours_shadow ^ shadow) <= 2, (line, np.flatnonzero(shadow),
                                                              np.flatnonzero(ours_shadow))
        assert np.count_nonzero(ours_layover ^ layover) <= 2, (line, np.flatnonzero(layover),
                                                                np.flatnonzero(ours_layover))
        assert not mask[line, 50:].any() and not mask[line, :5].any()   # flat ground


def test_flat_and_gentle_terrain_have_no_shadow_or_layover(reference, tmp_path):
    scene = reference.make_scene()
    hills = reference.hilly_dem((-64.2, 45.55, -64.05, 45.65))      # slopes of a few degrees
    for name, dem in (("flat", 250.0), ("hills", hills)):
        paths = topo(scene.grid, scene.orbit, None, dem, str(tmp_path / name),
                     products=("shadowMask",))
        assert not isce.io.open(paths["shadowMask"]).data.any()


def test_mask_does_not_depend_on_the_blocks(ridge_run):
    """The same solutions give the same mask whole or cut in blocks of lines (topo's own
    solutions may differ between block sizes in layover, where a range has 3 solutions)."""
    scene, dem, _ = ridge_run
    g = scene.grid
    out = rdr2geo_block(g, scene.orbit, None, dem, layers=["lon", "lat", "z", "converged"])
    platform = _platform_positions(g, scene.orbit, slice(0, g.length))

    def mask(rows):
        return shadow_layover_mask(out["lon"][rows], out["lat"][rows], out["z"][rows],
                                   platform[rows], g.starting_range, g.range_pixel_spacing,
                                   dem=dem, converged=out["converged"][rows])

    whole = mask(slice(0, g.length))
    assert (whole & 1).any() and (whole & 2).any()
    blocks = np.concatenate([mask(slice(i, min(i + 7, g.length))) for i in range(0, g.length, 7)])
    np.testing.assert_array_equal(blocks, whole)


def test_incidence_file_has_topozero_bands(ridge_run):
    """incLocal.rdr: 2 bands BIL, band 1 psi, band 2 the local incidence (ISCE2 topozero)."""
    _, _, paths = ridge_run
    inc = isce.io.open(paths["incLocal"])
    assert (inc.bands, inc.scheme, inc.data_type) == (2, "BIL", "FLOAT")
    np.testing.assert_array_equal(inc.band(0), isce.io.open(paths["localPsi"]).data)
    np.testing.assert_array_equal(inc.band(1), isce.io.open(paths["localInc"]).data)
    assert np.nanmax(inc.band(1)) > 60.0           # the ridge's faces are seen obliquely


def test_shadow_test_along_a_line_without_dem():
    """Without a DEM only the pixels' own solutions are tested (topozero's two passes): a
    pixel whose look angle is not above every nearer pixel's, or not below every farther
    pixel's, is flagged shadow; nothing is laid over."""
    sat = np.array([[7.078e6, 0.0, 0.0]])
    r0, dr, width = 800e3, 30.0, 12
    rng = r0 + dr * np.arange(width)
    # heights making the look angle drop after pixel 5 (a peak) and recover at pixel 9
    orbit_r, earth_r = 7.078e6, 7.078e6 - 700e3
    look = np.radians(np.r_[30.0, 30.1, 30.2, 30.3, 30.4, 30.5, 30.2, 30.3, 30.45, 30.6,
                            30.7, 30.8])
    # law of cosines: target radius of the point at that range and look angle
    target_r = np.sqrt(orbit_r ** 2 + rng ** 2 - 2 * orbit_r * rng * np.cos(look))
    z = (target_r - earth_r)[None, :]
    lon, lat, _ = (np.degrees(a) for a in WGS84.xyz_to_lon_lat(sat[0]))
    mask = shadow_layover_mask(np.full((1, width), lon), np.full((1, width), lat), z, sat,
                               r0, dr)
    # the platform is on the equator: geodetic and geocentric nadirs agree, the angles are
    # the ones given. Forward pass: 6..8 are below 5's 30.5 deg; backward pass (as
    # topozero's): 2..5 are not below the 30.2 deg of pixel 6 farther on
    np.testing.assert_array_equal(mask[0], [0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
