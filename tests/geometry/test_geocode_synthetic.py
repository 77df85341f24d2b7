"""Geocoding on a synthetic scene, against NumPy references.

Every piece of the compiled kernel (``isce.ext._geocode``) is checked against
an independent plain-NumPy/SciPy implementation written from the definitions:

* interpolation: nearest, bilinear, Keys bicubic with linear edge
  extrapolation (padded array), biquintic = natural cubic spline through the
  6-sample window (``scipy.interpolate.CubicSpline``), 8-tap raised-cosine
  windowed sinc (``np.sinc``), with and without an azimuth carrier;
* geometry: the radar position of each output pixel from a root bracketing
  (``scipy.optimize.brentq``) of the Doppler equation with isce.core's orbit
  and Doppler LUT, instead of the kernel's Newton iterations;
* the driver: block processing gives the same bytes as one block, outputs
  are isce.io rasters + GeoTIFFs GDAL reads with the right grid, methods are
  chosen by type, only the radar lines needed are read, and a lon/lat image
  made by rdr2geo geocodes back onto the pixel-centre coordinates.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from isce.core.lut import LUT2d
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.ext import load

_geocode = load("_geocode")
from isce.geometry import geocode as gc  # noqa: E402
from isce.geometry.geocode import GeoGrid, geocode, geocode_array  # noqa: E402

GM = 3.986004418e14
EPOCH = "2021-03-04T00:00:00"


# ------------------------------------------------------------------ scene
def circular_orbit(a=7.071e6, inc_deg=97.5, u0_deg=20.0, raan_deg=-100.0, t1=400.0, step=10.0):
    """Circular Keplerian orbit (non-rotating frame; fine for geometry tests)."""
    t = np.arange(0.0, t1 + step / 2, step)
    n = math.sqrt(GM / a ** 3)
    u = math.radians(u0_deg) + n * t
    r = a * np.stack([np.cos(u), np.sin(u), 0 * u], 1)
    v = a * n * np.stack([-np.sin(u), np.cos(u), 0 * u], 1)
    i, w = math.radians(inc_deg), math.radians(raan_deg)
    rx = np.array([[1, 0, 0], [0, math.cos(i), -math.sin(i)], [0, math.sin(i), math.cos(i)]])
    rz = np.array([[math.cos(w), -math.sin(w), 0], [math.sin(w), math.cos(w), 0], [0, 0, 1]])
    m = rz @ rx
    return Orbit(t, r @ m.T, v @ m.T, EPOCH)


@pytest.fixture(scope="module")
def scene():
    orbit = circular_orbit()
    grid = RadarGrid(200.0, EPOCH, prf=400.0, starting_range=845_000.0,
                     range_pixel_spacing=25.0, length=48, width=64, wavelength=0.0555,
                     look_side="right")
    t = np.linspace(190.0, 215.0, 11)
    r = np.linspace(840_000.0, 850_000.0, 9)
    tt, rr = np.meshgrid(t, r, indexing="ij")
    dop = 120.0 + 3.0 * (tt - 200.0) + 2e-3 * (rr - 845_000.0)
    doppler = LUT2d(r, t, dop, method="bilinear", bounds_error=False)
    from isce.geometry.rdr2geo import radar_grid_bbox

    w, s, e, n = radar_grid_bbox(grid, orbit, doppler, heights=(100.0, 100.0))
    pad = 0.1 * (e - w)
    geogrid = GeoGrid.from_snwe((s - pad, n + pad, w - pad, e + pad), ((e - w) / 40, -(n - s) / 50))
    return dict(orbit=orbit, grid=grid, doppler=doppler, geogrid=geogrid)


def smooth_field(grid, dtype=np.float64):
    i, j = np.meshgrid(np.arange(grid.length), np.arange(grid.width), indexing="ij")
    f = 3.0 + np.sin(0.21 * i + 0.1) * np.cos(0.13 * j) + 0.01 * i * j / grid.width
    if np.dtype(dtype).kind == "c":
        f = f * np.exp(1j * (0.05 * i - 0.08 * j))
    return f.astype(dtype)


# ------------------------------------------------------------ references
def keys(u):
    u2, u3 = u * u, u * u * u
    return np.array([-0.5 * u3 + u2 - 0.5 * u, 1.5 * u3 - 2.5 * u2 + 1,
                     -1.5 * u3 + 2 * u2 + 0.5 * u, 0.5 * u3 - 0.5 * u2])


def ref_interp(z, y, x, method, carrier=0.0):
    """One value of the radar array z at (row y, column x); NaN where undefined."""
    from scipy.interpolate import CubicSpline

    ny, nx = z.shape
    if not (0 <= y <= ny - 1 and 0 <= x <= nx - 1):
        return np.nan
    iy = np.arange(ny)

    def demod(rows):
        return np.exp(-1j * carrier * (rows - y))[:, None] if np.iscomplexobj(z) else 1.0

    if method == "nearest":
        return z[int(np.floor(y + 0.5)), int(np.floor(x + 0.5))]
    if method == "bilinear":
        y1, x1 = min(int(y), ny - 2), min(int(x), nx - 2)
        fy, fx = y - y1, x - x1
        rows = np.array([y1, y1 + 1])
        blk = z[y1:y1 + 2, x1:x1 + 2] * demod(rows)
        return np.array([1 - fy, fy]) @ blk @ np.array([1 - fx, fx])
    if method == "bicubic":
        pad = np.empty((ny + 2, nx + 2), dtype=z.dtype)       # linear extrapolation
        pad[1:-1, 1:-1] = z
        pad[0, 1:-1], pad[-1, 1:-1] = 2 * z[0] - z[1], 2 * z[-1] - z[-2]
        pad[:, 0], pad[:, -1] = 2 * pad[:, 1] - pad[:, 2], 2 * pad[:, -2] - pad[:, -3]
        y1, x1 = min(int(y), ny - 2), min(int(x), nx - 2)
        rows = np.arange(y1 - 1, y1 + 3)
        blk = pad[y1:y1 + 4, x1:x1 + 4] * demod(rows)
        return keys(y - y1) @ blk @ keys(x - x1)
    if method == "biquintic":
        r0 = min(max(int(np.floor(y)) - 2, 0), ny - 6)
        c0 = min(max(int(np.floor(x)) - 2, 0), nx - 6)
        blk = z[r0:r0 + 6, c0:c0 + 6] * demod(iy[r0:r0 + 6])
        cols = np.array([CubicSpline(np.arange(6), row, bc_type="natural")(x - c0) for row in blk])
        return CubicSpline(np.arange(6), cols, bc_type="natural")(y - r0)
    if method == "sinc":
        r0, c0 = int(np.floor(y)) - 3, int(np.floor(x)) - 3
        if r0 < 0 or c0 < 0 or r0 + 8 > ny or c0 + 8 > nx:
            return np.nan

        def w(u, first):
            d = u - (first + np.arange(8))
            k = np.sinc(d) * (0.5 + 0.5 * np.cos(np.pi * d / 4))
            return k / k.sum()

        blk = z[r0:r0 + 8, c0:c0 + 8] * demod(iy[r0:r0 + 8])
        return w(y, r0) @ blk @ w(x, c0)
    raise ValueError(method)


def ref_radar_position(llh_deg, orbit, doppler, grid):
    """(line, pixel) of a target by bracketing the Doppler equation (brentq)."""
    from scipy.optimize import brentq

    from isce.core.ellipsoid import WGS84

    lon, lat, h = llh_deg
    xyz = WGS84.lon_lat_to_xyz(np.array([math.radians(lon), math.radians(lat), h]))

    def f(t):
        p, v = orbit.interpolate(t)
        rv = xyz - p
        r = np.linalg.norm(rv)
        return rv @ v - 0.5 * grid.wavelength * float(doppler.eval(t, r)) * r

    t = brentq(f, grid.sensing_start - 5.0, grid.sensing_start + 5.0, xtol=1e-13, rtol=1e-15)
    r = np.linalg.norm(xyz - orbit.interpolate(t)[0])
    return (t - grid.sensing_start) * grid.prf, (r - grid.starting_range) / grid.range_pixel_spacing


# ------------------------------------------------------------ kernel tests
METHODS = ("nearest", "bilinear", "bicubic", "biquintic", "sinc")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_interpolation_matches_numpy_reference(method, dtype):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(23, 31))
    if np.dtype(dtype).kind == "c":
        z = z + 1j * rng.normal(size=z.shape)
    y = np.r_[rng.uniform(-0.5, 22.5, 400), 0.0, 22.0, 0.0, 22.0, 11.0]
    x = np.r_[rng.uniform(-0.5, 30.5, 400), 0.0, 30.0, 30.0, 0.0, 30.5]
    out, starved = _geocode.interpolate(z, y, x, method=method)
    assert starved == 0
    ref = np.array([ref_interp(z, a, b, method) for a, b in zip(y, x)])
    assert np.array_equal(np.isnan(out), np.isnan(ref))
    ok = ~np.isnan(ref)
    assert ok.sum() > (150 if method == "sinc" else 300)
    np.testing.assert_allclose(out[ok], ref[ok], rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["bilinear", "biquintic", "sinc"])
def test_azimuth_carrier_matches_reference(method):
    rng = np.random.default_rng(4)
    z = rng.normal(size=(20, 20)) + 1j * rng.normal(size=(20, 20))
    y, x = rng.uniform(3, 15, 50), rng.uniform(3, 15, 50)
    carrier = rng.uniform(-2.5, 2.5, 50)
    out, _ = _geocode.interpolate(z, y, x, method=method, carrier=carrier)
    ref = np.array([ref_interp(z, a, b, method, c) for a, b, c in zip(y, x, carrier)])
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_carrier_removal_makes_a_ramp_exact():
    """A pure azimuth ramp (2 rad/line, near Nyquist) is only interpolated well demodulated."""
    i = np.arange(40)[:, None]
    z = np.exp(2j * i) * np.ones((1, 30))
    y = np.linspace(6.0, 30.0, 97)
    x = np.full_like(y, 12.3)
    truth = np.exp(2j * y)
    with_c, _ = _geocode.interpolate(z, y, x, method="sinc", carrier=np.full_like(y, 2.0))
    without, _ = _geocode.interpolate(z, y, x, method="sinc")
    assert np.abs(with_c - truth).max() < 1e-12
    assert np.abs(without - truth).max() > 1e-2


def test_types_blocks_and_fill():
    rng = np.random.default_rng(5)
    z = rng.normal(size=(30, 12)).astype(np.float32)
    y, x = rng.uniform(0, 29, 200), rng.uniform(0, 11, 200)
    full, _ = _geocode.interpolate(z, y, x, method="biquintic")
    assert full.dtype == np.float32
    # a block of lines gives the same values where its lines suffice, counts the rest
    lo, hi = 8, 22
    part, starved = _geocode.interpolate(z[lo:hi], y, x, row0=lo, length=30, method="biquintic",
                                         fill=-1.0)
    inside = (np.floor(y) - 2 >= lo) & (np.floor(y) + 4 <= hi) & (y >= 2) & (y <= 26)
    np.testing.assert_array_equal(part[inside], full[inside])
    assert starved == np.count_nonzero(part == -1.0) > 0
    labels = rng.integers(0, 7, size=(30, 12)).astype(np.uint8)
    lab, _ = _geocode.interpolate(labels, y, x, method="nearest")
    assert lab.dtype == np.uint8
    np.testing.assert_array_equal(lab, labels[np.floor(y + 0.5).astype(int),
                                              np.floor(x + 0.5).astype(int)])
    out, _ = _geocode.interpolate(z, np.array([-0.1, 5.0, np.nan]), np.array([1.0, 11.2, 1.0]))
    assert np.isnan(out).all()
    with pytest.raises(ValueError, match="method"):
        _geocode.interpolate(z, y, x, method="lanczos")
    with pytest.raises(ValueError, match="carrier"):
        _geocode.interpolate(z, y, x, carrier=np.zeros_like(y))


def test_nan_samples_propagate():
    z = np.ones((20, 20))
    z[10, 10] = np.nan
    out, _ = _geocode.interpolate(z, np.array([10.5, 10.5, 2.0]), np.array([9.5, 14.5, 2.0]),
                                  method="biquintic")
    assert np.isnan(out[0])                      # the void is inside the 6 x 6 window
    assert out[1] == pytest.approx(1.0) and out[2] == pytest.approx(1.0)   # outside it


def test_geo2rdr_of_the_grid_matches_root_bracketing(scene):
    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    sub = GeoGrid(gg.x0, gg.dx * 5, gg.y0, gg.dy * 6, 8, 9)
    rng = np.random.default_rng(6)
    h = rng.uniform(-50, 900, sub.shape)
    geom = gc._Geometry(grid, orbit, dop)
    line, pixel = geom.locate(sub.lon_centers, sub.lat_centers, h)
    n_in = 0
    for i in range(sub.length):
        for k in range(sub.width):
            ly, px = ref_radar_position((sub.lon_centers[k], sub.lat_centers[i], h[i, k]),
                                        orbit, dop, grid)
            inside = 0 <= ly <= grid.length - 1 and 0 <= px <= grid.width - 1
            if inside:
                n_in += 1
                assert line[i, k] == pytest.approx(ly, abs=1e-6)
                assert pixel[i, k] == pytest.approx(px, abs=1e-6)
            else:
                assert np.isnan(line[i, k]) and np.isnan(pixel[i, k])
    assert 10 < n_in < sub.width * sub.length


@pytest.mark.parametrize("method", ["bilinear", "biquintic"])
def test_geocode_array_matches_reference(scene, method):
    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    sub = GeoGrid(gg.x0, gg.dx * 3, gg.y0, gg.dy * 3, 14, 17)
    data = smooth_field(grid)
    out = geocode_array(data, grid, orbit, dop, sub, dem=100.0, method=method)
    n = 0
    for i in range(sub.length):
        for k in range(sub.width):
            ly, px = ref_radar_position((sub.lon_centers[k], sub.lat_centers[i], 100.0), orbit,
                                        dop, grid)
            ref = ref_interp(data, ly, px, method)
            if np.isnan(ref):
                assert np.isnan(out[i, k])
            else:
                n += 1
                assert out[i, k] == pytest.approx(ref, abs=1e-7)   # 1e-6 px geometry x slope
    assert n > 20


def test_coordinate_images_geocode_onto_pixel_centres(scene):
    """The synthetic twin of the envisat golden check: lon/lat images from rdr2geo."""
    from isce.geometry.rdr2geo import rdr2geo_block

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    topo = rdr2geo_block(grid, orbit, dop, 100.0, layers=["lon", "lat"])
    out = geocode_array(np.stack([topo["lon"], topo["lat"]]), grid, orbit, dop, gg, dem=100.0)
    err_lon = out[0] - gg.lon_centers[None, :]
    err_lat = out[1] - gg.lat_centers[:, None]
    ok = np.isfinite(err_lon)
    assert ok.sum() > 500
    assert np.isfinite(err_lat[ok]).all()
    assert np.abs(err_lon[ok]).max() < 1e-8 and np.abs(err_lat[ok]).max() < 1e-8


# ------------------------------------------------------------ driver
def _write_inputs(tmp_path, grid):
    import isce.io

    f = smooth_field(grid)
    paths = {
        "hgt": isce.io.write(str(tmp_path / "z.rdr"), f),
        "unw": isce.io.write(str(tmp_path / "filt_topophase.unw"),
                             np.stack([f, 2 * f]).astype(np.float32), scheme="BIL",
                             image_type="unw"),
        "slc": isce.io.write(str(tmp_path / "topophase.flat"),
                             smooth_field(grid, np.complex64), image_type="cpx"),
        "cc": isce.io.write(str(tmp_path / "filt_topophase.unw.conncomp"),
                            (f > 3).astype(np.uint8)),
    }
    return {k: str(v) for k, v in paths.items()}


def test_geocode_writes_rasters_and_geotiffs(scene, tmp_path):
    import rasterio

    import isce.io

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    paths = _write_inputs(tmp_path, grid)
    res = geocode(list(paths.values()), grid, orbit, dop, dem=100.0, geogrid=gg,
                  output_dir=str(tmp_path / "geo"), block_lines=7)
    assert res["geogrid"] == gg
    methods = {k: res[p]["method"] for k, p in paths.items()}
    assert methods == {"hgt": "biquintic", "unw": "bilinear", "slc": "sinc", "cc": "nearest"}
    one_block = geocode(list(paths.values()), grid, orbit, dop, dem=100.0, geogrid=gg,
                        output_dir=str(tmp_path / "geo1"), geotiff=False)
    line, pixel = gc.geocode_coordinates(gg, grid, orbit, dop, dem=100.0)
    for key, p in paths.items():
        out = res[p]
        src = isce.io.open(p)
        r = isce.io.open(out["geo"])
        assert out["geo"] == str(tmp_path / "geo" / (tmp_path / p).name) + ".geo"
        assert (r.width, r.length, r.bands, r.dtype, r.scheme) == (gg.width, gg.length,
                                                                    src.bands, src.dtype,
                                                                    src.scheme)
        assert r.geo.geotransform == pytest.approx(gg.geotransform, abs=1e-12)
        assert r.geo.epsg == 4326
        geo_data = np.array(r.data)
        np.testing.assert_array_equal(geo_data, np.array(isce.io.open(one_block[p]["geo"]).data))
        # values: the kernel at the grid's radar positions
        for b in range(src.bands):
            want, _ = _geocode.interpolate(np.array(src.band(b)), line, pixel,
                                           method=out["method"])
            got = geo_data if src.bands == 1 else geo_data[b]
            np.testing.assert_array_equal(got, want)
        assert out["valid"] == np.isfinite(line).sum() > 0
        for path in (out["geo"] + ".vrt", out["tif"]):
            with rasterio.open(path) as ds:
                assert (ds.width, ds.height, ds.count) == (gg.width, gg.length, src.bands)
                assert ds.crs.to_epsg() == 4326
                assert ds.transform.to_gdal() == pytest.approx(gg.geotransform, abs=1e-12)
                got = ds.read()
                np.testing.assert_array_equal(got if src.bands > 1 else got[0], geo_data)
    with rasterio.open(res[paths["hgt"]]["tif"]) as ds:
        assert np.isnan(ds.nodata)


def test_geocode_on_a_dem_grid(scene, tmp_path):
    """Without posting the output is the DEM's grid, cropped; its heights are used as is."""
    import rasterio
    from rasterio.transform import Affine

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    w, s, e, n = gg.bounds
    dx = (e - w) / 90
    width, length = 130, 150
    x0, y0 = w - 20 * dx, n + 25 * dx
    hgt = np.full((length, width), 100.0, np.float32)
    dem = str(tmp_path / "dem.tif")
    with rasterio.open(dem, "w", driver="GTiff", width=width, height=length, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=Affine(dx, 0, x0, 0, -dx, y0)) as ds:
        ds.write(hgt, 1)
    import isce.io

    src = isce.io.write(str(tmp_path / "z.rdr"), smooth_field(grid))
    res = geocode(str(src), grid, orbit, dop, dem=dem, output_dir=str(tmp_path))
    out = res["geogrid"]
    assert out.dx == pytest.approx(dx) and out.dy == pytest.approx(-dx)
    cols = (out.x0 - x0) / dx
    rows = (out.y0 - y0) / -dx
    assert abs(cols - round(cols)) < 1e-6 and abs(rows - round(rows)) < 1e-6
    assert out.width < width and out.length < length        # cropped to the footprint
    same = geocode_array(smooth_field(grid), grid, orbit, dop, out, dem=100.0)
    np.testing.assert_array_equal(np.array(isce.io.open(res[str(src)]["geo"]).data), same)
    assert np.isfinite(same).sum() > 100


def test_only_the_needed_radar_lines_are_read(scene):
    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    data = smooth_field(grid)
    reads = []

    class Reader(gc._BandReader):
        def __call__(self, rows):
            reads.append(rows)
            return super().__call__(rows)

    line, pixel = gc.geocode_coordinates(gg, grid, orbit, dop, dem=100.0, rows=slice(20, 24))
    gc._interpolate(Reader(data), grid.length, grid.width, line, pixel, "biquintic",
                    np.nan, None, None, 0)
    (rows,) = reads
    ok = np.isfinite(line)
    assert rows.start >= np.floor(line[ok].min()) - 6
    assert rows.stop <= np.ceil(line[ok].max()) + 7
    assert rows.stop - rows.start < grid.length


def test_errors(scene, tmp_path):
    import isce.io

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    wrong = isce.io.write(str(tmp_path / "small.rdr"), np.zeros((10, 10)))
    with pytest.raises(ValueError, match="multilook"):
        geocode(str(wrong), grid, orbit, dop, geogrid=gg)
    good = isce.io.write(str(tmp_path / "z.rdr"), smooth_field(grid))
    with pytest.raises(ValueError, match="method"):
        geocode(str(good), grid, orbit, dop, geogrid=gg, method="cubic-ish")
    with pytest.raises(ValueError, match="posting"):
        geocode(str(good), grid, orbit, dop, dem=0.0, snwe=gg.snwe)
    with pytest.raises(ValueError, match="S < N"):
        GeoGrid.from_snwe((1.0, 0.0, 0.0, 1.0), 0.1)


def test_geogrid_from_snwe_and_crop():
    g = GeoGrid.from_snwe((34.78, 34.85, -115.65, -115.5), (0.002, -0.0008))
    assert (g.width, g.length) == (75, 88)
    assert g.geotransform == (-115.65, 0.002, 0.0, 34.85, 0.0, -0.0008)
    assert g.lon_centers[0] == pytest.approx(-115.649)
    assert g.lat_centers[0] == pytest.approx(34.8496)
    c = g.crop((34.8, 34.81, -115.6, -115.59))
    assert (c.width, c.length) == (5, 13)
    assert c.x0 == pytest.approx(-115.6) and c.y0 == pytest.approx(34.81)
    assert GeoGrid.from_snwe((0, 1, 0, 1), 0.25).dy == -0.25


def test_input_nodata_and_fill(scene, tmp_path):
    import isce.io

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    f = smooth_field(grid).astype(np.float32)
    f[:, :20] = 0.0                                 # ISCE2-style no-data columns
    src = isce.io.write(str(tmp_path / "phsig.cor"), f, image_type="cor")
    plain = geocode(str(src), grid, orbit, dop, dem=100.0, geogrid=gg, geotiff=False,
                    output_dir=str(tmp_path / "a"), fill=-9999.0)
    masked = geocode(str(src), grid, orbit, dop, dem=100.0, geogrid=gg, geotiff=False,
                     output_dir=str(tmp_path / "b"), input_nodata=0.0)
    a = np.array(isce.io.open(plain[str(src)]["geo"]).data)
    b = np.array(isce.io.open(masked[str(src)]["geo"]).data)
    line, pixel = gc.geocode_coordinates(gg, grid, orbit, dop, dem=100.0)
    outside = ~np.isfinite(line)
    assert (a[outside] == -9999.0).all() and np.isnan(b[outside]).all()
    near_void = np.isfinite(pixel) & (pixel < 20)
    assert np.isnan(b[near_void]).all()               # no blending with the no-data zeros
    far = np.isfinite(pixel) & (pixel >= 20)
    np.testing.assert_array_equal(a[far], b[far])
    assert plain[str(src)]["method"] == "bilinear"


def test_geocode_product_uses_its_metadata(scene, tmp_path):
    from types import SimpleNamespace

    import isce.io

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    looked = grid.multilook(2, 4)
    data = smooth_field(looked)
    src = isce.io.write(str(tmp_path / "los.rdr"), data)
    product = SimpleNamespace(radar_grid=grid, orbit=orbit, doppler=dop, geometry_doppler=dop)  # native grid
    res = gc.geocode_product(product, [str(src)], looks=(2, 4), dem=100.0, geogrid=gg,
                             geotiff=False)
    want = geocode_array(data, looked, orbit, dop, gg, dem=100.0)
    np.testing.assert_array_equal(np.array(isce.io.open(res[str(src)]["geo"]).data), want)
    assert np.isfinite(want).sum() > 100


@pytest.mark.parametrize("max_lines", [18, 24, 1000])   # >= 2 x sinc margin + 2
def test_radar_lines_read_in_groups_give_the_same_values(scene, tmp_path, monkeypatch, max_lines):
    """An output block whose radar lines exceed RADAR_LINES_BYTES is interpolated in groups
    of radar lines: the same values as one read, and no read longer than the limit."""
    import isce.io

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    paths = _write_inputs(tmp_path, grid)
    whole = geocode(list(paths.values()), grid, orbit, dop, dem=100.0, geogrid=gg,
                    output_dir=str(tmp_path / "whole"), geotiff=False)
    reads = []
    read_rows = isce.io.Raster.read_rows

    def counted(self, rows, band=None, out=None):
        reads.append(rows.indices(self.length)[1] - rows.indices(self.length)[0])
        return read_rows(self, rows, band, out)

    monkeypatch.setattr(isce.io.Raster, "read_rows", counted)
    for key, path in paths.items():                 # the limit counts lines of every band
        r = isce.io.open(path)
        monkeypatch.setattr(gc, "RADAR_LINES_BYTES",
                            max_lines * r.width * r.bands * np.dtype(r.dtype).itemsize)
        reads.clear()
        part = geocode(path, grid, orbit, dop, dem=100.0, geogrid=gg,
                       output_dir=str(tmp_path / f"part{key}"), geotiff=False)
        assert reads and max(reads) <= max_lines
        if max_lines < grid.length:
            assert len(reads) > 1
        np.testing.assert_array_equal(np.array(isce.io.open(part[path]["geo"]).data),
                                      np.array(isce.io.open(whole[path]["geo"]).data))


@pytest.mark.parametrize("compress", ["zstd", "deflate"])
def test_geotiff_codec(scene, tmp_path, compress):
    """The GeoTIFF copy is lossless in either codec (ZSTD by default)."""
    import rasterio

    import isce.io

    orbit, grid, dop, gg = scene["orbit"], scene["grid"], scene["doppler"], scene["geogrid"]
    paths = _write_inputs(tmp_path, grid)
    res = geocode(paths["unw"], grid, orbit, dop, dem=100.0, geogrid=gg,
                  output_dir=str(tmp_path / "geo"), geotiff=False)
    geo = res[paths["unw"]]["geo"]
    tif = gc.write_geotiff(geo, str(tmp_path / f"{compress}.tif"),
                           **({} if compress == gc.GEOTIFF_COMPRESSION else {"compress": compress}))
    with rasterio.open(tif) as t:
        assert t.compression.value.lower() == compress
        np.testing.assert_array_equal(t.read(), np.array(isce.io.open(geo).data))
