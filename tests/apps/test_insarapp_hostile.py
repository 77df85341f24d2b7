"""Hostile content given to insarApp.py (issue 9, item 5): DEMs and SLCs whose files open fine
but whose numbers are garbage, an ALOS image file paired with another scene's leader file, and
GDAL failing inside the library. Each is

* refused with status 2 and ONE line on stderr naming the file (and the setting, where the
  application knows it: demFilename) and what was found (counts, ranges), without a
  traceback, in ``preprocess`` (before any long step), leaving nothing that looks complete
  (no product a completed step did not record: no geometry/*.rdr, no interferogram); or
* repaired and said so, where a repair is sound: voids of a DEM filled with the nearest valid
  height (a warning with the count), a projected DEM warped to lon/lat, NaN/inf samples of an
  SLC written as 0 (a warning with the count) -- and then no NaN in the geometry.

Every case is a real ``applications/insarApp.py`` process on the San Andreas UAVSAR pair of the
real test data (or on small synthetic ALOS files), refused within seconds.
"""
import re
import shutil

import numpy as np
import pytest
from insar_runs import uavsar_xml, run, completed_steps, left_products
from isce_commands import run_command
from small_alos import make_alos

IMAGE = "/science/LSAR/SLC/swaths/frequencyA/HH"
SLANT_RANGE = "/science/LSAR/SLC/swaths/frequencyA/slantRange"
# SanAnd_dem.tif (1", lon -118.44014.., lat 34.21014..) over the reference scene (lon -118.4315..
# -118.4203, lat 34.1481..34.1651): rows 162..223, cols 31..71, plus 3 samples (the DEM check's
# crop); and a 20 x 20 patch well inside
CROP_ROWS, CROP_COLS = slice(159, 227), slice(28, 75)
SCENE_ROWS, SCENE_COLS = slice(170, 190), slice(40, 60)


# ----------------------------------------------------------------------------- inputs
@pytest.fixture(scope="module")
def sanandreas(shared_data):
    """Folder of the San Andreas pair (tests/conftest.py's data fixture)."""
    return shared_data("sanandreas")


def insar_xml(path, sanandreas, *, ref=None, sec=None, dem=None, reference="WGS84"):
    return uavsar_xml(path, ref or sanandreas / "SanAnd_129.h5", sec or sanandreas / "SanAnd_138.h5",
                      dem=dem or sanandreas / "SanAnd_dem.tif", reference=reference)


def dem_like(sanandreas, path, change, **profile):
    """A copy of SanAnd_dem.tif with its heights changed by ``change(heights)`` (in place or
    returned) and its GeoTIFF profile updated by ``profile``."""
    import rasterio

    with rasterio.open(sanandreas / "SanAnd_dem.tif") as src:
        heights, prof = src.read(1), dict(src.profile)
    if change is not None:
        changed = change(heights)
        heights = heights if changed is None else changed
    prof.update(profile)
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(heights.astype(prof["dtype"]), 1)
    return path


def slc_like(sanandreas, path, change):
    """A copy of SanAnd_138.h5 whose file is changed by ``change(h5 file)``."""
    import h5py

    shutil.copyfile(sanandreas / "SanAnd_138.h5", path)
    path.chmod(0o644)
    with h5py.File(path, "r+") as f:
        change(f)
    return path


# ----------------------------------------------------------------------------- checks


def assert_refused(proc, wd, words):
    """Status 2, one error line holding every one of ``words``, no traceback, refused in
    preprocess with nothing left behind. Returns the error line."""
    err = proc.stderr
    assert proc.returncode == 2, err
    assert "Traceback" not in err, err
    lines = [line.strip() for line in err.splitlines() if "insarApp.py:" in line]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert completed_steps(wd) == ["startup"]
    announced = re.findall(r"step \d+/\d+ '(\w+)'", (wd / "isce.log").read_text())
    assert announced[-1] == "preprocess", announced
    assert left_products(wd) == [], left_products(wd)
    assert not list(wd.glob("geometry/*.rdr")) and not list(wd.glob("interferogram/*"))
    assert not [p for p in wd.rglob(".*") if p.is_file()]          # no temporaries
    return lines[0]


def read(path):
    import isce.io

    return np.asarray(isce.io.open(str(path)).read())


# ----------------------------------------------------------------------------- DEMs
def _all_nan(h):
    h[:] = np.nan


def _all_nodata(h):
    h[:] = -9999.0


def _mostly_nan(h):
    h[150:240, 20:52] = np.nan                    # the western half of the scene


@pytest.mark.parametrize("name, change, profile", [
    ("all_nan", _all_nan, {}),
    ("all_nodata", _all_nodata, {"nodata": -9999.0}),
])
def test_dem_without_a_height_is_refused(sanandreas, tmp_path, name, change, profile):
    """All samples NaN, or all equal to the declared nodata value: refused in preprocess."""
    dem = dem_like(sanandreas, tmp_path / f"{name}.tif", change, **profile)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem))
    line = assert_refused(proc, wd, [f"error: demFilename: {dem}: ", "over the reference scene are all void",
                                     "NaN, inf or the nodata value"])
    n = (CROP_ROWS.stop - CROP_ROWS.start) * (CROP_COLS.stop - CROP_COLS.start)
    assert f"{n} of {n} samples" in line


def test_mostly_void_dem_is_refused(sanandreas, tmp_path):
    """More than a quarter of the samples over the scene void: not filled, refused."""
    dem = dem_like(sanandreas, tmp_path / "holes.tif", _mostly_nan)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem))
    line = assert_refused(proc, wd, [f"error: demFilename: {dem}: ", "% void", "at most 25 % are filled"])
    share = float(re.search(r"are ([\d.]+) % void", line).group(1))
    assert 25 < share <= 100


@pytest.mark.parametrize("name, change", [
    ("hundredfold", lambda h: h * 100.0),          # 15 000..29 000 m: centimetres?
    ("deep", lambda h: h - 5000.0),                # -4850 m: below any land
    ("spike", lambda h: np.where(np.arange(h.shape[1]) == 50, -9999.0, h)),   # unset nodata
])
def test_dem_with_absurd_heights_is_refused(sanandreas, tmp_path, name, change):
    """Heights outside -600..9000 m (Dead Sea, Everest, geoid) over the scene: refused with
    how many and the range found."""
    import rasterio

    dem = dem_like(sanandreas, tmp_path / f"{name}.tif", change)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem))
    line = assert_refused(proc, wd, [f"error: demFilename: {dem}: ", "heights outside -600..9000 m"])
    lo, hi = (float(v) for v in re.search(r"found (\S+)\.\.(\S+) m\)", line).groups())
    with rasterio.open(dem) as ds:
        crop = ds.read(1)[CROP_ROWS, CROP_COLS]
    assert (lo, hi) == pytest.approx((crop.min(), crop.max()), rel=1e-5)
    assert int(re.search(r"hold (\d+) of", line).group(1)) == np.count_nonzero((crop < -600) | (crop > 9000))


@pytest.mark.parametrize("fill", [np.nan, np.inf, -np.inf])
def test_dem_voids_over_the_scene_are_filled_and_said(sanandreas, tmp_path, fill):
    """A hole of NaN or inf inside the scene: filled with the nearest valid height, a warning
    says how many samples; the geometry has no NaN (it had NaN where the hole was)."""
    def hole(h):
        h[SCENE_ROWS, SCENE_COLS] = fill

    dem = dem_like(sanandreas, tmp_path / "hole.tif", hole)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem),
                   "--end=topo")
    assert proc.returncode == 0, proc.stderr
    log = (wd / "isce.log").read_text()
    m = re.search(r"WARNING isce\.dem: .*hole\.tif: (\d+) of the DEM samples over the scene \(and "
                  r"(\d+) within 0\.15 deg of it\) are void \(NaN, inf or nodata\): filled with the "
                  r"nearest valid height", log)
    assert m, log
    assert 0 < int(m.group(1)) <= int(m.group(2)) == 400       # the 20 x 20 hole
    z = read(wd / "geometry" / "z.rdr")
    assert np.isfinite(z).all() and 140 < z.min() and z.max() < 300


def test_projected_dem_is_warped_to_lon_lat(sanandreas, tmp_path):
    """The DEM in UTM zone 11 (metres): warped to EPSG:4326 (logged) and the whole chain runs,
    geocoding included (it failed in geocode with 'not an EPSG:4326 raster')."""
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(sanandreas / "SanAnd_dem.tif") as src:
        t, w, h = calculate_default_transform(src.crs, "EPSG:32611", src.width, src.height,
                                              *src.bounds)
        utm = np.full((h, w), np.nan, np.float32)
        reproject(src.read(1), utm, src_transform=src.transform, src_crs=src.crs, dst_transform=t,
                  dst_crs="EPSG:32611", resampling=Resampling.bilinear, dst_nodata=np.nan)
        prof = dict(src.profile, crs="EPSG:32611", transform=t, width=w, height=h, nodata=np.nan)
    dem = tmp_path / "utm.tif"
    with rasterio.open(dem, "w", **prof) as dst:
        dst.write(utm, 1)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem))
    assert proc.returncode == 0, proc.stderr
    assert "warped from EPSG:32611 to EPSG:4326" in (wd / "isce.log").read_text()
    z = read(wd / "geometry" / "z.rdr")
    assert np.isfinite(z).all() and 140 < z.min() and z.max() < 300
    geo = read(wd / "geo" / "filt_topophase.unw.geo")
    assert np.isfinite(geo).any()


@pytest.mark.parametrize("name", ["tiny", "rotated"])
def test_unusable_dem_grid_says_why(sanandreas, tmp_path, name):
    """A DEM of 3 x 3 samples over the scene (it was said not to overlap it), or a rotated grid:
    the reason, once, after the file's name."""
    from affine import Affine

    if name == "tiny":
        dem = dem_like(sanandreas, tmp_path / "tiny.tif", lambda h: np.full((3, 3), 200.0),
                       width=3, height=3, transform=Affine(0.02, 0, -118.45, 0, -0.03, 34.2))
        why = "the DEM has 3 x 3 samples; interpolating it needs at least 4 x 4"
    else:
        import rasterio

        with rasterio.open(sanandreas / "SanAnd_dem.tif") as src:
            t = src.transform
        dem = dem_like(sanandreas, tmp_path / "rotated.tif", None,
                       transform=Affine(t.a, 1e-5, t.c, 1e-5, t.e, t.f))
        why = "rotated DEM grids are not supported"
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem))
    assert_refused(proc, wd, [f"error: demFilename: {dem}: cannot use the DEM: {why}"])


# ----------------------------------------------------------------------------- SLCs
def _fill_image(value):
    def change(f):
        f[IMAGE][...] = value
    return change


def _inf_pixels(count):
    def change(f):
        data = f[IMAGE][...]
        data.reshape(-1)[np.linspace(0, data.size - 1, count).astype(int)] = np.inf
        f[IMAGE][...] = data
    return change


def _reverse_range(f):
    f[SLANT_RANGE][...] = f[SLANT_RANGE][...][::-1]


@pytest.mark.parametrize("name, change, words", [
    ("zero", _fill_image(0), ["the SLC image holds no data", "all 60000 samples are zero, NaN or inf",
                              "(0 NaN/inf)"]),
    ("nan", _fill_image(np.nan), ["the SLC image holds no data", "(60000 NaN/inf)"]),
    ("inf", _inf_pixels(20000), ["20000 of the 60000 samples", "(33.3 %) are NaN or inf",
                                 "at most 25 % are masked"]),
])
def test_slc_without_data_is_refused(sanandreas, tmp_path, name, change, words):
    """The secondary image all zero, all NaN, or a third inf: refused while preprocess writes it
    (the counts come free with the writing); the reference SLC already written goes too."""
    bad = slc_like(sanandreas, tmp_path / f"{name}.h5", change)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, sec=bad))
    assert_refused(proc, wd, [f"{bad}:{IMAGE}", *words])
    assert "removed reference/reference.slc" in (wd / "isce.log").read_text()


def test_slc_with_a_few_inf_samples_is_masked_and_said(sanandreas, tmp_path):
    """40 inf samples: written as 0 (no data), with a warning giving the count."""
    bad = slc_like(sanandreas, tmp_path / "few_inf.h5", _inf_pixels(40))
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, sec=bad),
                   "--end=preprocess")
    assert proc.returncode == 0, proc.stderr
    assert (f"WARNING isce.sensors.product: {bad}:{IMAGE}: 40 of the 60000 samples of the SLC "
            "image (0.0667 %) are NaN or inf: written as 0 (no data) in secondary/secondary.slc"
            ) in (wd / "isce.log").read_text()
    slc = read(wd / "secondary" / "secondary.slc")
    assert np.isfinite(slc).all()
    flat = slc.reshape(-1)
    assert (flat[np.linspace(0, flat.size - 1, 40).astype(int)] == 0).all()
    assert np.count_nonzero(flat == 0) == 40


def test_reversed_slant_range_axis_is_refused(sanandreas, tmp_path):
    """slantRange stored far to near (decreasing): refused from the metadata."""
    bad = slc_like(sanandreas, tmp_path / "reversed.h5", _reverse_range)
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, sec=bad))
    assert_refused(proc, wd, [str(bad), f"dataset {SLANT_RANGE} decreases",
                              "a reversed or unordered image axis is not supported"])


# ----------------------------------------------------------------------------- GDAL errors
def test_dem_gdal_cannot_read_is_an_input_error(sanandreas, tmp_path):
    """A compressed GeoTIFF whose data strips are garbage: GDAL opens it (header intact) but
    fails to read it. One line naming the file (it was 'RasterioIOError: ...', exit 1)."""
    import rasterio

    dem = dem_like(sanandreas, tmp_path / "corrupt.tif", None, compress="deflate")
    with rasterio.open(dem) as ds:
        strips = len(list(ds.block_windows(1)))
        offsets = [int(ds.get_tag_item(f"BLOCK_OFFSET_0_{i}", "TIFF", bidx=1)) for i in range(strips)]
    data = bytearray(dem.read_bytes())
    for off in offsets:                       # the head of every compressed strip
        data[off:off + 64] = np.random.default_rng(off).bytes(64)
    dem.write_bytes(bytes(data))
    wd, proc = run(tmp_path, insar_xml(tmp_path / "insarApp.xml", sanandreas, dem=dem))
    assert_refused(proc, wd, [f"error: demFilename: {dem}: ", "cannot read the DEM (GDAL)"])


# ----------------------------------------------------------------------------- ALOS IMG/LED
def alos_scene(folder, name, time):
    """A short ALOS level-1.0 IMG/LED pair of noise echoes at ``time`` (1000 pulses)."""
    return make_alos(folder, name, lines=1000, samples=256, time=time)


def test_alos_image_with_another_scenes_leader_is_refused(tmp_path):
    """IMG of one date with the LED of a date 46 days later (one ALOS cycle): an InputError
    naming both files and each thing that disagrees (it was a log warning); the LED of its own
    scene reads fine."""
    from isce.sensors.alos_ceos import read_alos_ceos

    img, led = alos_scene(tmp_path, "first", "2009-06-01T06:00:00")
    _, other_led = alos_scene(tmp_path, "later", "2009-07-17T06:00:00")
    assert read_alos_ceos(img, led).length == 1000
    xml = tmp_path / "insarApp.xml"
    xml.write_text(f'<insarApp><component name="insar">'
                   f'<property name="Sensor Name">ALOS</property>'
                   f'<component name="Master"><property name="IMAGEFILE">{img}</property>'
                   f'<property name="LEADERFILE">{other_led}</property></component>'
                   f'<component name="Slave"><property name="IMAGEFILE">{img}</property>'
                   f'<property name="LEADERFILE">{led}</property></component>'
                   f'</component></insarApp>\n')
    wd, proc = run(tmp_path, xml)
    line = assert_refused(proc, wd, [
        f"image file {img} and leader file {other_led} are not of the same scene",
        "the first pulse is at 2009-07-17", "in the leader's ISCE RAW PARAMETERS record but at "
        "2009-06-01", "by the image file's line time tags",
        "lie outside the leader's state vectors (2009-07-17",
        "the leader's scene centre time 2009-07-17"])
    assert "2009-06-01" in line.split("lie outside")[0]


# ----------------------------------------------------------------------------- stage commands
def one_error_line(proc, command, words):
    """Status 2 and one ``<command>: error:`` line holding every one of ``words``."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith(f"{command}:")]
    assert len(lines) == 1 and lines[0].startswith(f"{command}: error: "), proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_raster_with_a_malformed_sidecar_is_an_input_error(sanandreas, tmp_path):
    """isce.io's RasterError is an InputError: geocode.py given a raster whose ISCE XML is cut
    says so in one line with status 2 (it was 'RasterError: ...', status 1)."""
    import isce.io

    raster = tmp_path / "in.rdr"
    isce.io.write(str(raster), np.ones((150, 200), np.float32))
    (tmp_path / "in.rdr.xml").write_text('<imageFile><property name="width">')
    proc = run_command("geocode.py", f"geocode.input={raster}",
                       f"geocode.product={sanandreas / 'SanAnd_129.h5'}", cwd=tmp_path)
    one_error_line(proc, "geocode.py", [f"{raster}.xml: malformed XML"])


@pytest.mark.parametrize("name", ["garbage", "all_nan"])
def test_geocode_command_refuses_a_bad_dem(sanandreas, tmp_path, name):
    """geocode.py checks its DEM over the scene before geocoding: a file GDAL cannot read, or
    one without a height (it wrote NaN products and exited 0)."""
    import isce.io

    raster = tmp_path / "in.rdr"
    isce.io.write(str(raster), np.ones((150, 200), np.float32))
    if name == "garbage":
        dem = tmp_path / "garbage.tif"
        dem.write_bytes(b"II*\0" + np.random.default_rng(3).bytes(300))
        words = [str(dem), "cannot read the DEM (GDAL)"]
    else:
        dem = dem_like(sanandreas, tmp_path / "all_nan.tif", _all_nan)
        words = [str(dem), "the DEM samples over the scene are all void"]
    proc = run_command("geocode.py", f"geocode.input={raster}", f"geocode.dem={dem}",
                       f"geocode.product={sanandreas / 'SanAnd_129.h5'}", cwd=tmp_path)
    one_error_line(proc, "geocode.py", words)
    assert not list(tmp_path.glob("*.geo*"))


def test_topo_command_says_where_dem_voids_make_nan_geometry(sanandreas, tmp_path):
    """topo.py (no verifyDEM) keeps voids as NaN geometry, and warns with their count."""
    def hole(h):
        h[SCENE_ROWS, SCENE_COLS] = np.nan

    dem = dem_like(sanandreas, tmp_path / "hole.tif", hole)
    proc = run_command("topo.py", f"topo.product={sanandreas / 'SanAnd_129.h5'}", f"topo.dem={dem}",
                       cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"hole\.tif: (\d+) void samples \(NaN, inf or nodata\) over the scene: the geometry "
                  r"is NaN where they are", (tmp_path / "isce.log").read_text())
    assert m and int(m.group(1)) == 400
    assert np.isnan(read(tmp_path / "geometry" / "z.rdr")).any()
