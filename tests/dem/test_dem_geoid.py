"""EGM96 undulations: the default model (NGA's 15' grid egm96_15.gtx shipped inside isce
as package data, xz-compressed) against the real test data's geoid/egm96_15.gtx; the GTX
reader, the interpolators and h = H + N.

The data README gives the grid's format but no tolerance; the ones used here:
* the packaged file decompresses to NGA's grid byte for byte (same SHA-256 as
  the shared file): at every node and between nodes our reading of it equals
  the shared grid exactly (0 m).
* GDAL's cubic warp (Keys a = -0.5 like ours; what dem-stitcher's geoid
  removal does) of the shared file onto DEM grids: <= 1e-5 m (float32
  rounding; measured 1.9e-6) except within one 15' row of a pole, where GDAL
  and we treat the grid's edge differently: <= 0.02 m there (measured 0.012).
* NGA's own EGM96 test points (readme of the 15' grid: INTPT values, and the
  spherical-harmonic F477 values within 3 mm of them): <= 0.02 m (measured
  0.011 and 0.014 m) -- an independent check of the grid and of our bicubic.
(The optional PyPI egm96 package is not compared here: its releases with data need
Python >= 3.12, so such a test could never run where CI runs.)
All of this is far below EGM96's own error (~0.5-1 m) and DEM errors (metres).
"""
import hashlib
import os
import struct
import subprocess
import sys
import warnings

import numpy as np
import pytest
import rasterio

from isce.framework import InputError

SCENES = {   # scene centres [deg]
    "envisat (Mojave)": (34.8, -115.6),
    "winnipeg": None,          # from the DEM's bounds
    "sanandreas": None,
}


def _dem_centre(path):
    with rasterio.open(path) as ds:
        b = ds.bounds
    return (b.bottom + b.top) / 2, (b.left + b.right) / 2


@pytest.fixture(scope="module")
def scene_centres(shared_data):
    centres = {"envisat (Mojave)": SCENES["envisat (Mojave)"]}
    centres["winnipeg"] = _dem_centre(shared_data("winnipeg", "winnipeg_dem.tif"))
    centres["sanandreas"] = _dem_centre(shared_data("sanandreas", "SanAnd_dem.tif"))
    return centres


def _stats(d):
    d = np.asarray(d, dtype=np.float64)
    return float(np.abs(d).max()), float(np.sqrt(np.mean(d * d)))


# ----------------------------------------------------------------------------- the shared GTX
def test_gtx_header_as_documented(gtx_grid):
    g = gtx_grid
    assert (g.lat0, g.lon0, g.dlat, g.dlon) == (-90.0, -180.0, 0.25, 0.25)
    assert g.shape == (721, 1440) and g.is_global
    assert np.isfinite(g.values).all()
    # south row first: the south pole row is constant (one point), N(-90) ~ -29.5 m
    assert np.ptp(g.values[0]) < 1e-3 and -31 < g.values[0, 0] < -28


# ------------------------------------------------------------------ the default: isce's packaged grid
NGA_TEST_POINTS = [   # lat, lon [deg], N [m]: INTPT (15' grid) and F477 (harmonic synthesis)
    (38.6281550, 269.7791550, -31.628, -31.629),
    (-14.6212170, 305.0211140, -2.969, -2.966),
    (46.8743190, 102.4487290, -43.575, -43.572),
    (-23.6174460, 133.8747120, 15.871, 15.868),
    (38.6254730, 359.9995000, 50.066, 50.065),
    (-0.4667440, 0.0023000, 17.329, 17.330),
]


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_packaged_grid_is_ngas_egm96_15_grid_byte_for_byte(packaged_grid, gtx_grid):
    from isce.dem.geoid import EGM96_15_SHA256, packaged_gtx_bytes

    data = packaged_gtx_bytes()
    print(f"{packaged_grid.description}: sha256 {hashlib.sha256(data).hexdigest()}")
    assert hashlib.sha256(data).hexdigest() == _sha256(gtx_grid.name) == EGM96_15_SHA256
    with open(gtx_grid.name, "rb") as f:
        assert data == f.read()
    g = packaged_grid
    assert (g.lat0, g.lon0, g.dlat, g.dlon, g.shape) == (gtx_grid.lat0, gtx_grid.lon0, gtx_grid.dlat,
                                                          gtx_grid.dlon, gtx_grid.shape)
    np.testing.assert_array_equal(g.values, gtx_grid.values)
    assert "package data" in g.description and g.is_global


def _check_points():
    """Nodes, cell centres, random points, the poles and both sides of the dateline [deg]."""
    rng = np.random.default_rng(20240608)
    node_lat, node_lon = np.meshgrid(np.arange(-90.0, 90.001, 0.25), np.arange(-180.0, 180.0, 0.25),
                                     indexing="ij")
    mid_lat, mid_lon = np.meshgrid(np.arange(-89.875, 90.0, 0.25), np.arange(-179.875, 180.0, 0.25),
                                   indexing="ij")
    n = 20000
    lon = np.linspace(-180, 180, 721)
    pole_lat = np.concatenate([np.full(lon.size, v) for v in (90.0, 89.99, 89.9, -89.9, -89.99, -90.0)])
    pole_lon = np.tile(lon, 6)
    line_lat = np.linspace(-89.5, 89.5, 359)
    line_lon = np.array([-180.0, 180.0, 179.999, -179.999, 179.875, -179.875, 359.999, 540.0, -540.0])
    return {
        "nodes": (node_lat.ravel(), node_lon.ravel()),
        "cell centres": (mid_lat.ravel(), mid_lon.ravel()),
        "random": (np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n)),
        "poles": (pole_lat, pole_lon),
        "dateline": (np.repeat(line_lat, line_lon.size), np.tile(line_lon, line_lat.size)),
    }


def test_default_geoid_equals_the_shared_gtx_everywhere(packaged_grid, gtx_grid, monkeypatch):
    from isce.dem.geoid import default_geoid, geoid_undulation_grid

    monkeypatch.delenv("ISCE_GEOID_GTX", raising=False)
    model = default_geoid()
    assert model is packaged_grid
    for name, (lat, lon) in _check_points().items():
        a, b = model.undulation(lat, lon), gtx_grid.undulation(lat, lon)
        print(f"default geoid vs egm96_15.gtx at {lat.size} {name}: max |diff| "
              f"{np.abs(a - b).max():.1e} m")
        assert np.isfinite(a).all() and np.array_equal(a, b), name
        if name == "nodes":         # nodes are the grid's values
            np.testing.assert_array_equal(a, gtx_grid.values.ravel().astype(np.float64))
        else:
            lin = model.undulation(lat, lon, "bilinear")
            assert np.array_equal(lin, gtx_grid.undulation(lat, lon, "bilinear")), name
    # the poles are one value whatever the longitude
    for pole, row in ((90.0, -1), (-90.0, 0)):
        v = model.undulation(np.full(361, pole), np.linspace(-180, 180, 361))
        assert np.ptp(v) == 0 and v[0] == pytest.approx(float(gtx_grid.values[row, 0]), abs=1e-6)
    # the dateline seen from both sides and longitudes beyond +-180 are the same place
    lat = np.linspace(-80, 80, 33)
    for east, west in ((180.0, -180.0), (179.9, -180.1), (359.75, -0.25), (540.0, 180.0)):
        np.testing.assert_allclose(model.undulation(lat, east), model.undulation(lat, west), atol=1e-9)
    # the separable DEM-block evaluation across the dateline and at the poles
    lats, lons = np.linspace(90.0, 88.6, 29), np.linspace(179.3, 180.8, 31)
    np.testing.assert_allclose(geoid_undulation_grid(lats, lons), model.undulation(lats[:, None],
                               lons[None, :]), rtol=0, atol=1e-9)


def test_default_geoid_reproduces_ngas_published_values(packaged_grid):
    worst = 0.0
    for lat, lon, n_intpt, n_f477 in NGA_TEST_POINTS:
        n = packaged_grid.undulation(lat, lon)
        for lon_as in (lon, lon - 360.0):
            assert packaged_grid.undulation(lat, lon_as) == pytest.approx(n, abs=1e-9)
        worst = max(worst, abs(n - n_intpt), abs(n - n_f477))
        print(f"({lat:.4f}, {lon:.4f}): {n:.4f} m; NGA {n_intpt} (INTPT), {n_f477} (F477)")
        assert abs(n - n_intpt) <= 0.02 and abs(n - n_f477) <= 0.02
    print(f"worst difference from NGA's values: {worst:.4f} m")


DEM_GRIDS = {   # west, north, dx, dy [deg], columns, rows: DEM sample centres at
    "Mojave, 30 arc-second": (-116.0, 35.2, 30 / 3600, 30 / 3600, 200, 160),
    "on the 15' nodes": (-116.125, 35.125, 0.25, 0.25, 12, 10),
    "between the 15' nodes": (-116.0, 35.0, 0.25, 0.25, 12, 10),
    "across the dateline from the west": (179.5, 10.0, 0.01, 0.01, 100, 50),
    "across the dateline from the east": (-180.5, 10.0, 0.01, 0.01, 100, 50),
    "north pole": (170.0, 89.99, 0.02, 0.02, 100, 30),
    "south pole": (-30.0, -89.4, 0.02, 0.02, 100, 30),
}


def _gdal_cubic(gtx, west, north, dx, dy, cols, rows):
    """N on a north-up DEM grid by GDAL's cubic warp (Keys a = -0.5) of the GTX grid ``gtx``:
    an interpolator independent of ours. The grid's nodes are pixel centres; 4 columns are
    wrapped onto each side so the warp crosses the dateline."""
    from rasterio.crs import CRS
    from rasterio.transform import from_origin
    from rasterio.warp import Resampling, reproject

    pad = 4
    src = np.ascontiguousarray(gtx.values[::-1])            # north row first
    src = np.concatenate([src[:, -pad:], src, src[:, :pad]], axis=1)
    src_transform = from_origin(gtx.lon0 - (pad + 0.5) * gtx.dlon,
                                gtx.lat0 + (gtx.shape[0] - 0.5) * gtx.dlat, gtx.dlon, gtx.dlat)
    out = np.full((rows, cols), np.nan, np.float32)
    wgs84 = CRS.from_epsg(4326)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reproject(src, out, src_transform=src_transform, src_crs=wgs84,
                  dst_transform=from_origin(west, north, dx, dy), dst_crs=wgs84,
                  resampling=Resampling.cubic, src_nodata=np.nan, dst_nodata=np.nan)
    return out


@pytest.mark.parametrize("name", list(DEM_GRIDS))
def test_gdal_cubic_warp_of_the_grid_agrees(packaged_grid, gtx_grid, name):
    """GDAL's cubic warp of NGA's grid onto DEM grids (as dem-stitcher removes a geoid)."""
    from isce.dem.geoid import geoid_undulation_grid

    west, north, dx, dy, cols, rows = DEM_GRIDS[name]
    theirs = _gdal_cubic(gtx_grid, west, north, dx, dy, cols, rows)
    lats = north - (np.arange(rows) + 0.5) * dy
    lons = west + (np.arange(cols) + 0.5) * dx
    ours = geoid_undulation_grid(lats, lons, geoid=packaged_grid)
    worst = float(np.abs(theirs - ours).max())
    near_pole = np.abs(lats) > 90.0 - packaged_grid.dlat
    far = float(np.abs(theirs - ours)[~near_pole].max()) if (~near_pole).any() else 0.0
    print(f"{name}: GDAL cubic vs ours: max {worst:.2e} m, away from the poles {far:.2e} m")
    assert np.isfinite(theirs).all()
    assert far <= 1e-5
    assert worst <= 0.02


def test_default_geoid_needs_no_other_package():
    """The default geoid is isce's own file: it loads with dem-stitcher and egm96 unimportable."""
    code = ("import sys; sys.modules['dem_stitcher'] = sys.modules['egm96'] = None; "
            "from isce.dem.geoid import default_geoid; g = default_geoid(); "
            "print(g.description, g.undulation(38.6281550, 269.7791550))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), PROJ_DATA="",
               PROJ_LIB="")
    env.pop("ISCE_GEOID_GTX", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "package data" in done.stdout
    assert abs(float(done.stdout.split()[-1]) - -31.628) <= 0.02


def test_packaged_grid_missing_damaged_or_another_grid(monkeypatch, tmp_path):
    import lzma

    import isce.dem.geoid as geoid

    monkeypatch.setattr(geoid.importlib.resources, "files", lambda package: tmp_path)
    with pytest.raises(geoid.GeoidUnavailable, match="missing or damaged"):
        geoid.packaged_gtx_bytes()
    (tmp_path / "data").mkdir()
    packed = tmp_path / "data" / "egm96_15.gtx.xz"
    packed.write_bytes(b"not xz at all")
    with pytest.raises(geoid.GeoidUnavailable, match="missing or damaged"):
        geoid.packaged_gtx_bytes()
    _write_gtx(tmp_path / "other.gtx", -90, -180, 1, 1, np.zeros((181, 360), np.float32))
    packed.write_bytes(lzma.compress((tmp_path / "other.gtx").read_bytes()))
    with pytest.raises(geoid.GeoidUnavailable, match="not NGA's egm96_15.gtx"):
        geoid.packaged_gtx_bytes()


def test_as_geoid_names_the_packaged_grid(packaged_grid):
    from isce.dem.geoid import as_geoid

    assert as_geoid("egm96_15") is packaged_grid
    assert as_geoid("packaged") is packaged_grid


def test_default_geoid_at_the_scenes(packaged_grid, scene_centres):
    # the geoid we know there (EGM96, NGA calculator): Mojave ~ -31 m, Winnipeg ~ -26 m,
    # Los Angeles ~ -35 m
    expected = {"envisat (Mojave)": -31.2, "winnipeg": -26.2, "sanandreas": -34.8}
    for name, value in expected.items():
        lat, lon = scene_centres[name]
        n = packaged_grid.undulation(lat, lon)
        print(f"{name} ({lat:.4f}, {lon:.4f}): {n:.4f} m")
        assert isinstance(n, float) and abs(n - value) < 0.3, name


# ----------------------------------------------------------------------------- GTX reader
def _write_gtx(path, lat0, lon0, dlat, dlon, values, extra=b""):
    values = np.asarray(values, dtype=">f4")
    rows, cols = values.shape
    with open(path, "wb") as f:
        f.write(struct.pack(">4d2i", lat0, lon0, dlat, dlon, rows, cols))
        f.write(values.tobytes())
        f.write(extra)


def test_read_gtx_round_trip_and_nodata(tmp_path):
    from isce.dem.geoid import read_gtx

    v = np.arange(12, dtype=np.float32).reshape(3, 4)
    v[2, 3] = -88.8888
    _write_gtx(tmp_path / "g.gtx", 10.0, 20.0, 0.5, 0.25, v)
    g = read_gtx(tmp_path / "g.gtx")
    assert (g.lat0, g.lon0, g.dlat, g.dlon, g.shape) == (10.0, 20.0, 0.5, 0.25, (3, 4))
    assert np.isnan(g.values[2, 3]) and g.values[1, 2] == 6
    assert not g.is_global
    # nodes, south row first; a missing node is NaN wherever it is in the stencil
    assert g.undulation(10.0, 20.0) == 0.0 and g.undulation(10.5, 20.0) == 4.0
    assert g.undulation(10.5, 20.25, method="bilinear") == 5.0
    assert np.isnan(g.undulation(11.0, 20.75)) and np.isnan(g.undulation(10.9, 20.6, "bilinear"))
    assert np.isnan(g.undulation(10.5, 25.0))            # outside a regional grid: NaN
    assert np.isnan(g.undulation(10.5, 19.0))


@pytest.mark.parametrize("damage", ["truncated", "too_long", "short_header", "bad_header"])
def test_read_gtx_rejects_bad_files_naming_them(tmp_path, damage):
    from isce.dem.geoid import read_gtx

    path = tmp_path / "bad.gtx"
    v = np.zeros((3, 4), np.float32)
    if damage == "truncated":
        _write_gtx(path, 0, 0, 1, 1, v)
        path.write_bytes(path.read_bytes()[:-5])
    elif damage == "too_long":
        _write_gtx(path, 0, 0, 1, 1, v, extra=b"xxxx")
    elif damage == "short_header":
        path.write_bytes(b"\0" * 20)
    else:
        _write_gtx(path, 0, 0, -1, 1, v)
    with pytest.raises(InputError, match="bad.gtx"):
        read_gtx(path)
    with pytest.raises(InputError, match="nothere.gtx"):
        read_gtx(tmp_path / "nothere.gtx")


def test_grid_interpolation_wraps_and_is_exact_at_nodes(synthetic_geoid):
    g = synthetic_geoid
    assert g.is_global
    for method in ("bicubic", "bilinear"):
        assert g.undulation(10.0, 20.0, method) == pytest.approx(float(g.values[100, 200]), abs=1e-6)
        # the seam at +-180 and longitudes given as 0..360
        a = g.undulation(12.3, 179.7, method)
        assert g.undulation(12.3, -180.3, method) == pytest.approx(a, abs=1e-9)
        assert g.undulation(12.3, 359.0, method) == pytest.approx(g.undulation(12.3, -1.0, method),
                                                                  abs=1e-9)
        # poles: every longitude gives the edge row's value there; beyond +-90 clamps
        assert np.isfinite(g.undulation(90.0, 33.0, method))
        assert g.undulation(95.0, 33.0, method) == g.undulation(90.0, 33.0, method)
    # bicubic reproduces a function that is quadratic along the grid exactly (Keys a=-0.5)
    lat = np.arange(-90.0, 90.5, 1.0)
    vals = np.tile((0.01 * lat**2)[:, None], (1, 360)).astype(np.float64)
    from isce.dem.geoid import GeoidGrid

    q = GeoidGrid(-90, -180, 1, 1, vals)
    x = np.array([-45.3, 0.5, 33.71])
    np.testing.assert_allclose(q.undulation(x, 10.0), 0.01 * x**2, rtol=1e-6)


def test_separable_grid_evaluation_equals_pointwise(synthetic_geoid, tmp_path):
    from isce.dem.geoid import read_gtx

    lats = np.linspace(60.2, -75.9, 53)
    lons = np.linspace(150.0, 230.0, 61)          # across the seam
    for method in ("bicubic", "bilinear"):
        np.testing.assert_allclose(synthetic_geoid.undulation_grid(lats, lons, method),
                                   synthetic_geoid.undulation(lats[:, None], lons[None, :], method),
                                   rtol=0, atol=1e-9)
    v = np.random.default_rng(1).normal(size=(5, 6)).astype(np.float32)
    _write_gtx(tmp_path / "r.gtx", 40.0, 250.0, 1.0, 1.0, v)      # regional, 0..360 longitudes
    r = read_gtx(tmp_path / "r.gtx")
    lats, lons = np.array([40.5, 43.2]), np.array([-110.0, -106.5, -105.2, -100.0])
    a = r.undulation_grid(lats, lons)
    np.testing.assert_allclose(a, r.undulation(lats[:, None], lons[None, :]), atol=1e-9)
    assert np.isnan(a[:, -1]).all() and np.isfinite(a[:, :3]).all()


# ----------------------------------------------------------------------------- conversions
def test_geoid_to_ellipsoid_adds_n(geoid_model):
    from isce.dem.geoid import ellipsoid_to_geoid, geoid_to_ellipsoid, geoid_undulation

    lat = np.array([[34.8, 49.5], [-10.0, 0.0]])
    lon = np.array([[-115.6, -97.7], [140.0, 0.0]])
    H = np.array([[1000.0, np.nan], [0.0, -50.0]])
    N = geoid_undulation(lat, lon, geoid=geoid_model)
    h = geoid_to_ellipsoid(H, lat, lon, geoid=geoid_model)
    np.testing.assert_array_equal(h, H + N)
    assert np.isnan(h[0, 1])
    np.testing.assert_allclose(ellipsoid_to_geoid(h, lat, lon, geoid=geoid_model), H, atol=1e-9)
    assert isinstance(geoid_to_ellipsoid(5.0, 34.8, -115.6, geoid=geoid_model), float)
    # broadcasting: one height column against a longitude row
    assert geoid_to_ellipsoid(np.zeros((2, 1)), 10.0, np.array([1.0, 2.0, 3.0]),
                              geoid=geoid_model).shape == (2, 3)


def test_geoid_choice(monkeypatch, tmp_path, synthetic_geoid):
    import isce.dem.geoid as geoid

    assert geoid.as_geoid(synthetic_geoid) is synthetic_geoid
    v = np.full((181, 360), 7.5, np.float32)
    _write_gtx(tmp_path / "flat.gtx", -90, -180, 1, 1, v)
    assert geoid.geoid_undulation(1.0, 2.0, geoid=str(tmp_path / "flat.gtx")) == 7.5
    with pytest.raises(TypeError):
        geoid.as_geoid(3.5)

    # $ISCE_GEOID_GTX first (the user's explicit choice), then isce's packaged grid, the egm96
    # package, PROJ's folders, else a clear error naming what was tried
    monkeypatch.setenv("ISCE_GEOID_GTX", str(tmp_path / "flat.gtx"))
    assert geoid.default_geoid().undulation(0.0, 0.0) == 7.5
    monkeypatch.delenv("ISCE_GEOID_GTX")

    def no_package(name):
        def unavailable():
            raise geoid.GeoidUnavailable(f"{name} not installed (test)")
        return unavailable

    monkeypatch.setattr(geoid, "packaged_geoid", no_package("packaged grid"))
    monkeypatch.setattr(geoid, "_egm96_package", no_package("egm96"))
    monkeypatch.setenv("PROJ_DATA", str(tmp_path))
    (tmp_path / "egm96_15.gtx").write_bytes((tmp_path / "flat.gtx").read_bytes())
    assert geoid.default_geoid().undulation(0.0, 0.0) == 7.5
    os.remove(tmp_path / "egm96_15.gtx")
    monkeypatch.setattr(geoid, "_proj_dirs", lambda: [str(tmp_path)])
    with pytest.raises(geoid.GeoidUnavailable, match="packaged grid not installed.*egm96 not installed"):
        geoid.default_geoid()


def test_placeholder_egm96_package_is_recognised(monkeypatch):
    """egm96 0.1.0 (what pip gives Python < 3.12) is empty: say so and why instead of failing later."""
    import sys
    import types

    import isce.dem.geoid as geoid

    monkeypatch.setitem(sys.modules, "egm96", types.ModuleType("egm96"))
    with pytest.raises(geoid.GeoidUnavailable, match="no undulation.*Python >= 3.12.*numpy >= 2.5.1"):
        geoid.Egm96Package()
