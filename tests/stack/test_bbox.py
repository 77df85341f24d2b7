"""stackStripMap.py's ``bounding box`` (ISCE2 stackStripMap --bbox, S N W E): the stack is
cropped to the reference's lines and pixels covering the box (widened to whole looks);
the secondaries are resampled onto that grid. The cropped products are the same pixels as
the uncropped run's (``local_run``) in the window: the reference exactly, the geometry to
rounding, the interferograms within what a misregistration fitted on the crop's own
ampcor windows changes.
"""
import json

import isce.io
import numpy as np
import pytest
from isce.core.orbit import Orbit
from isce.geometry.footprint import scene_footprint
from isce.io import mintpy
from isce.io.layout import StackLayout
from isce.sensors import SlcProduct
from isce.geometry import crop

REF = "20040703"
LOOKS = (4, 2)                     # the fixtures' azimuth, range looks
PAIRS = (("20040703", "20040911"), ("20040807", "20041016"))   # with and without the reference


def _read(path):
    return isce.io.open(str(path)).read()


def _box_inside(run_folder):
    """S N W E [deg]: a box around the scene's centre, well inside it (from the full run's
    geometry): about 0.7 km north-south, 1.1 km east-west."""
    run = StackLayout(str(run_folder))
    lat, lon = _read(run.geometry_full("lat")), _read(run.geometry_full("lon"))
    c = (lat.shape[0] // 2, lat.shape[1] // 2)
    return (round(float(lat[c]) - 0.003, 6), round(float(lat[c]) + 0.003, 6),
            round(float(lon[c]) - 0.006, 6), round(float(lon[c]) + 0.006, 6))


@pytest.fixture(scope="module")
def crop_run(local_run, sim_stack, stack_tools, tmp_path_factory):
    """The stack of ``local_run`` cropped to :func:`_box_inside`; (folder, box, window)."""
    box = _box_inside(local_run)
    folder = tmp_path_factory.mktemp("crop_run")
    result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack),
                             "stackStripMap.bounding box=" + " ".join(map(str, box)), cwd=folder)
    assert result.returncode == 0, result.stderr[-3000:]
    window = json.loads((folder / "report.json").read_text())["crop_window"]
    return folder, box, window


def _slices(window, looks=(1, 1)):
    az, rg = looks
    return (slice(window["first_line"] // az, (window["first_line"] + window["length"]) // az),
            slice(window["first_pixel"] // rg, (window["first_pixel"] + window["width"]) // rg))


def test_products_have_the_cropped_size(crop_run, local_run, stack_tools):
    """Merged SLCs and full-size geometry of the window's size, interferograms, unwrapped
    phase and geometry at looks of its size at looks; the window (whole looks of the full
    image) recorded in stack.json and report.json."""
    folder, box, window = crop_run
    run = StackLayout(str(folder))
    full_shape = _read(StackLayout(str(local_run)).slc(REF)).shape
    shape = (window["length"], window["width"])
    assert window["full_shape"] == list(full_shape)
    assert shape[0] < 0.6 * full_shape[0] and shape[1] < 0.3 * full_shape[1]
    assert window["first_line"] % LOOKS[0] == 0 and window["first_pixel"] % LOOKS[1] == 0
    assert shape[0] % LOOKS[0] == 0 and shape[1] % LOOKS[1] == 0
    assert json.loads(run.stack_json.read_text())["bounding_box"] == list(box)
    assert json.loads(run.report.read_text())["bounding_box"] == list(box)
    for date in stack_tools.dates:
        assert _read(run.merged_slc(date)).shape == shape
        assert SlcProduct.load(run.merged_json(date)).radar_grid.shape == shape
    looked = (shape[0] // LOOKS[0], shape[1] // LOOKS[1])
    for name in ("hgt", "lat", "lon", "los", "shadowMask", "incLocal"):
        full, at_looks = (isce.io.open(str(p)) for p in (run.geometry_full(name), run.geometry(name)))
        assert (full.length, full.width) == shape and (at_looks.length, at_looks.width) == looked
    for d1, d2 in json.loads(run.stack_json.read_text())["pairs"]:
        for kind in ("int", "cor", "filt_int", "filt_cor", "unw", "conncomp"):
            raster = isce.io.open(str(run.igram(d1, d2, kind)))
            assert (raster.length, raster.width) == looked
    rsc = mintpy.read_rsc(run.data_rsc(REF))           # what MintPy reads: the crop's size
    assert (int(rsc["LENGTH"]), int(rsc["WIDTH"])) == looked


def test_window_covers_the_box_and_no_more(crop_run, local_run, sim_stack):
    """Every pixel of the full scene whose lat/lon lie in the box is inside the window; the
    cropped geometry reaches the box's corners (within a pixel); the window is no larger
    than those pixels' extent widened to whole looks and by the DEM's height range."""
    folder, box, window = crop_run
    south, north, west, east = box
    full = StackLayout(str(local_run))
    lat, lon = _read(full.geometry_full("lat")), _read(full.geometry_full("lon"))
    inside = (lat >= south) & (lat <= north) & (lon >= west) & (lon <= east)
    lines, pixels = np.nonzero(inside.any(axis=1))[0], np.nonzero(inside.any(axis=0))[0]
    rows, cols = _slices(window)
    assert rows.start <= lines[0] and lines[-1] < rows.stop
    assert cols.start <= pixels[0] and pixels[-1] < cols.stop
    # no more than the box: whole looks, 1 pixel of rounding, the terrain's height range
    low, high = crop.box_heights(box, sim_stack.dem)
    spacing = SlcProduct.load(full.merged_json(REF)).radar_grid.range_pixel_spacing
    slack = (LOOKS[0] + 1, LOOKS[1] + 1 + int(np.ceil((high - low) / spacing)))
    assert lines[0] - rows.start <= slack[0] and rows.stop - 1 - lines[-1] <= slack[0]
    assert pixels[0] - cols.start <= slack[1] and cols.stop - 1 - pixels[-1] <= slack[1]
    # the cropped geometry (full size and at looks) spans the box's corners
    run = StackLayout(str(folder))
    for full_size in (True, False):
        path = run.geometry_full if full_size else run.geometry
        clat, clon = _read(path("lat")), _read(path("lon"))
        dlat = np.abs(np.diff(clat, axis=0)).max() + np.abs(np.diff(clat, axis=1)).max()
        dlon = np.abs(np.diff(clon, axis=0)).max() + np.abs(np.diff(clon, axis=1)).max()
        assert clat.min() <= south + dlat and clat.max() >= north - dlat
        assert clon.min() <= west + dlon and clon.max() >= east - dlon


def test_cropped_reference_and_geometry_are_the_full_ones_window(crop_run, local_run):
    """The reference's pixels are the full reference's window, exactly; its geometry is
    the full geometry's window: the same rdr2geo of the same pixels, to its threshold (topo
    stops within 1e-4 m of range of the solution, from seeds that differ at the crop's
    first lines and chunks: 1e-8 deg is ~1 mm, 5e-4 m of height; one pixel is ~1e-4 deg)."""
    folder, _, window = crop_run
    run, full = StackLayout(str(folder)), StackLayout(str(local_run))
    win = _slices(window)
    np.testing.assert_array_equal(_read(run.merged_slc(REF)), _read(full.slc(REF))[win])
    for name, atol in (("lat", 1e-8), ("lon", 1e-8), ("hgt", 5e-4), ("los", 1e-5),
                       ("incLocal", 1e-5)):
        ours, theirs = _read(run.geometry_full(name)), _read(full.geometry_full(name))
        np.testing.assert_allclose(ours, theirs[..., win[0], win[1]], rtol=0, atol=atol)


def test_interferograms_are_the_full_ones_window(crop_run, local_run):
    """The cropped stack's coregistered secondaries and interferograms are the uncropped
    stack's in the window. The geometry-only (coarse) coregistration is the same to float32
    rounding; the refined one differs by what the misregistration fit changes: the crop fits
    its polynomials on its own ampcor windows (~0.01 pixel apart from the full scene's:
    measured correlation 0.9999 of the coregistered SLCs, 0.010-0.012 rad rms of the
    interferograms' phase). Crossmul's range oversampling and the coherence window see other
    neighbours at the crop's edges (2 looked pixels left out), and the filter's patches
    start elsewhere (unwrapped phase: 0.04 rad rms measured)."""
    folder, _, window = crop_run
    run, full = StackLayout(str(folder)), StackLayout(str(local_run))
    win, looked = _slices(window), _slices(window, LOOKS)
    inner = (slice(2, -2), slice(2, -2))
    for date in ("20040911", "20041016"):
        ours, theirs = _read(run.coarse_coreg(date)), _read(full.coarse_coreg(date))[win]
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4 * np.abs(theirs).max())
        ours, theirs = _read(run.merged_slc(date)), _read(full.merged_slc(date))[win]
        corr = abs(np.vdot(theirs, ours)) / np.sqrt(np.vdot(ours, ours).real *
                                                     np.vdot(theirs, theirs).real)
        assert corr > 0.999, (date, corr)
    for d1, d2 in PAIRS:
        ours = _read(run.igram(d1, d2, "int"))[inner]
        theirs = _read(full.igram(d1, d2, "int"))[looked][inner]
        assert np.sqrt(np.mean(np.angle(ours * np.conj(theirs)) ** 2)) < 0.03          # rad
        assert np.abs(np.abs(ours) - np.abs(theirs)).max() < 0.01 * np.abs(theirs).max()
        ours = _read(run.igram(d1, d2, "unw"))[1][inner]
        theirs = _read(full.igram(d1, d2, "unw"))[1][looked][inner]
        diff = ours - theirs
        diff -= np.median(diff)              # each unwrapped phase has its own constant
        assert np.sqrt(np.mean(diff ** 2)) < 0.1                                       # rad


def test_second_cropped_run_does_nothing(crop_run, sim_stack, stack_tools, tmp_path):
    """The crop is a task like the others: a second run with the same box rewrites nothing."""
    folder, box, _ = crop_run
    folder = stack_tools.copy_run(folder, tmp_path / "run")
    before = stack_tools.mtimes(folder)
    result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack),
                             "stackStripMap.bounding box=" + " ".join(map(str, box)), cwd=folder)
    assert result.returncode == 0, result.stderr[-2000:]
    after = stack_tools.mtimes(folder)
    assert sorted(k for k in before if after.get(k) != before[k]) == []
    assert set(after) == set(before)


def test_box_holding_the_scene_keeps_it_whole(local_run, sim_stack, stack_tools, tmp_path):
    """A box larger than the scene: the log says the scene is kept whole; the stack's
    reference is the SLC itself (no crop) and its geometry the uncropped run's, byte for
    byte."""
    lat = _read(StackLayout(str(local_run)).geometry_full("lat"))
    lon = _read(StackLayout(str(local_run)).geometry_full("lon"))
    box = (lat.min() - 1, lat.max() + 1, lon.min() - 1, lon.max() + 1)
    result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack),
                             "stackStripMap.bounding box=" + " ".join(f"{v:.6f}" for v in box),
                             "--end=topo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "holds the whole reference scene" in result.stderr
    run, full = StackLayout(str(tmp_path)), StackLayout(str(local_run))
    assert run.merged_slc(REF).read_bytes() == full.slc(REF).read_bytes()
    assert "crop_window" not in SlcProduct.load(run.merged_json(REF)).attributes
    for name in ("lat", "lon", "hgt"):
        assert run.geometry_full(name).read_bytes() == full.geometry_full(name).read_bytes()


def test_orbit_ending_at_the_scene_keeps_its_last_lines(sim_stack):
    """Box edges beyond the orbit's ends have no radar position: they still stretch the
    window to the scene's first and last lines (an orbit that ends with the image, a box
    past both ends: the whole scene, not the lines of the last edge points that converged)."""
    slc = SlcProduct.load(sim_stack.slcs / REF / "reference.slc.json")
    grid = slc.radar_grid
    times = np.linspace(grid.sensing_start, grid.sensing_stop, 9)
    orbit = Orbit(times, *slc.orbit.interpolate(times), slc.orbit.reference_epoch,
                  extrapolation_margin=0.0)
    west, south, east, north = scene_footprint(grid, slc.orbit, slc.geometry_doppler)
    window = crop.crop_window(grid, orbit, slc.geometry_doppler,
                              (south - 1, north + 1, west - 1, east + 1), dem=sim_stack.dem)
    assert window.whole, window.describe()


@pytest.mark.parametrize("box, message", [
    ("34.4 34.6 -116.6", "expected 4 numbers S N W E [deg], got 3"),
    ("34.6 34.4 -116.6 -116.4", "S 34.6 must be below N 34.4"),
    ("34.4 34.6 -116.4 -116.6", "W -116.4 must be west of E -116.6"),
    ("34.4 95 -116.6 -116.4", "N 95 is outside -90..90 deg"),
    ("34.4 34.6 -116.6 nan", "must be finite numbers"),
    ("34.4 34.6 -116.6 x", "expected a number"),
    ("10 11 20 21", "bounding box 10 11 20 21: misses the reference scene"),
])
def test_bad_box_one_line_exit_2(box, message, sim_stack, stack_tools, tmp_path):
    """A bad box ends with one line naming the bounding box, status 2, before any image is
    read or written (the scene it misses is found from the reference's metadata)."""
    result = stack_tools.run("stackStripMap.py", *stack_tools.stack_args(sim_stack),
                             f"stackStripMap.bounding box={box}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0] and "bounding box" in errors[0], errors
    assert not (tmp_path / "SLC").exists() and not (tmp_path / "merged").exists()
