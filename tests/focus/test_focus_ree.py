"""JPL's REE out17 point target re-simulated from the package's preset (the values of its rdf,
checked against the file in tests/simulate/test_simulate_radar.py) and focused onto the grid of its
runconfig.yaml (start 03:20:03.457785502, 1520 Hz, start range 967124.5530779377 m,
spacing c / (2 x 24 MHz), 129 x 129): the peak is at line 64, pixel 64 (within 1/32
pixel; it reaches ~1e-4)."""
import numpy as np
import pytest

from focus_helpers import SINC_PSLR_DB, measure
from isce.core.constants import SPEED_OF_LIGHT


@pytest.fixture(scope="module")
def ree_case():
    from isce.simulate import ree_out17, simulate_point_targets, target_truth
    from isce.simulate.orbit import ree_orbit_model
    from isce.simulate.scenes import REE_OUT17_TARGETS
    from isce.simulate.targets import Target

    radar = ree_out17()
    orbit = ree_orbit_model().to_orbit("2021-07-01T03:19:50", 27.0, 1.0)
    targets = [Target(lat, lon, h, 1.0, name) for name, lat, lon, h in REE_OUT17_TARGETS]
    truth = target_truth(targets, orbit, radar.wavelength, radar.look_side)[0]
    dr = radar.range_pixel_spacing
    duration = 2.6                                   # s: the aperture (1.9 s) and the chip
    margin = 64 + radar.chirp_samples // 2 + 48
    raw = simulate_point_targets(
        orbit, radar, targets, length=int(duration * radar.prf),
        sensing_start=truth["azimuth_time"] - truth["slant_range"] / SPEED_OF_LIGHT - duration / 2,
        starting_range=truth["slant_range"] - margin * dr, width=2 * margin + 16)
    return radar, orbit, targets, raw


def test_runconfig_grid_is_read(shared_data):
    """ISCE3's runconfig.yaml of the case gives the grid the package carries (REE_FOCUS_GRID)."""
    from isce.apps.focus import read_runconfig_grid
    from isce.simulate.scenes import REE_FOCUS_GRID

    g = read_runconfig_grid(shared_data("ree_point_target", "runconfig.yaml"))
    assert g == {k: v for k, v in REE_FOCUS_GRID.items() if k != "range_pixel_spacing"}
    assert g == {"start_time": "2021-07-01T03:20:03.457785502",
                 "end_time": "2021-07-01T03:20:03.542654995", "start_range": 967124.5530779377,
                 "end_range": 967930.2453281345, "prf": 1520.0}


def test_target_at_line_64_pixel_64(ree_case):
    from isce.focus.rangecomp import range_compress
    from isce.focus.rda import focus_azimuth
    from isce.simulate.scenes import REE_FOCUS_GRID

    radar, orbit, targets, raw = ree_case
    grid = {k: v for k, v in REE_FOCUS_GRID.items() if k != "range_pixel_spacing"}
    rc = range_compress(raw)
    res = focus_azimuth(rc, grid=grid)
    g = res.product.radar_grid
    assert g.shape == (129, 129)
    assert g.prf == 1520.0
    assert g.starting_range == 967124.5530779377
    assert g.range_pixel_spacing == pytest.approx(SPEED_OF_LIGHT / (2 * 24e6), rel=1e-12)
    assert str(g.sensing_start_datetime).startswith("2021-07-01T03:20:03.4577855")
    m = measure(res.data)
    assert abs(m["line"] - 64) < 1 / 32 and abs(m["pixel"] - 64) < 1 / 32
    assert abs(m["line"] - 64) < 1 / 128 and abs(m["pixel"] - 64) < 1 / 128   # reached ~1e-4
    assert abs(m["azimuth"]["pslr"] - SINC_PSLR_DB) < 0.3
    assert abs(m["range"]["pslr"] - SINC_PSLR_DB) < 0.3
    # phase -4 pi R / lambda at the peak (the sample at the peak)
    r = 967524.2763552681
    assert abs(np.angle(res.data[64, 64] * np.exp(4j * np.pi * r / radar.wavelength))) < 0.05


def _separate_buffers(plan, wa, wb, abuf=None, bfull=None):
    """The azimuth buffers as they were: full width for every block, the output spectrum in
    a buffer of its own."""
    from isce.focus import fft as _fft

    a_t = _fft.Transform((plan.n_az, plan.wa), axis=0)
    if plan.czt:
        return a_t, None, np.empty((plan.n_az, plan.wb), dtype=np.complex64)
    b_t = _fft.Transform((plan.n_az, plan.wb), axis=0)
    return a_t, b_t, b_t.buffer


@pytest.mark.parametrize("grid", ["runconfig", "default"])
def test_blocks_in_place_and_narrow_last_block_change_nothing(ree_case, tmp_path, monkeypatch,
                                                              grid):
    """Column blocks whose output spectrum is built in the input block's buffer, the last,
    narrower block with plans of its own width and the SLC written through a map released
    every few lines give the image that full-width blocks with separate buffers give, to the
    bit; with the chirp-z (runconfig grid at 1520 Hz) and without (default grid)."""
    from isce.focus import rda
    from isce.focus.rangecomp import range_compress
    from isce.simulate.scenes import REE_FOCUS_GRID

    raw = ree_case[3]
    rc = range_compress(raw)
    g = ({k: v for k, v in REE_FOCUS_GRID.items() if k != "range_pixel_spacing"}
         if grid == "runconfig" else None)
    new = rda.focus_azimuth(rc, grid=g, block_columns=50, output=tmp_path / "new.slc")
    width = new.product.radar_grid.width
    assert width > 100 and width % 50 and new.info["block_columns"] == 50
    assert (grid == "runconfig") == (new.product.radar_grid.prf != raw.prf)   # chirp-z or not
    shapes = {tuple(f["shape"]) for f in new.info["ffts"] if f["axis"] == 0}
    assert any(s[1] < 50 for s in shapes)            # the last block's own plans ran
    monkeypatch.setattr(rda, "_azimuth_transforms", _separate_buffers)
    old = rda.focus_azimuth(rc, grid=g, block_columns=50)
    assert np.abs(old.data).max() > 0
    assert np.array_equal(np.asarray(new.data), old.data)
