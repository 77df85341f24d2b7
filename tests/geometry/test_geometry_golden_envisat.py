"""Golden checks on the ENVISAT crop of ../shared/data (ISCE3's own test data).

Rows of ../shared/data/README.md, envisat section, that concern geometry:

* rdr2geo of the 100 points of points/input_data.txt, native and zero
  Doppler: lat, lon [deg], h [m] within 1e-8 (threshold 1e-8 m, 25 + 15
  iterations; the Doppler table interpolated biquintically, as ISCE3's test);
* geo2rdr of one point, native and zero Doppler: time and range within 1e-6;
* full-grid rdr2geo on the heights of topo/z.rdr against topo/{x,y,inc,hdg}.rdr
  (mean absolute error, ignoring errors > 5: 1e-5, 1e-5, 1e-4, 1e-4 deg);
* round trip: geo2rdr of the topo output back onto the grid, max offset
  < 2e-6 pixel in range and azimuth.

Each test prints its measured error next to the tolerance (pytest -s).
"""
import numpy as np
import pytest

from golden_products import read_points_input, read_points_output, read_rslc_metadata
from isce.core.time import DateTime


@pytest.fixture(scope="module")
def envisat(shared_data):
    """The ENVISAT folder of the real test data (ISCE3's test set)."""
    return shared_data("envisat")


# ISCE3's geometry test evaluates the product's Doppler table biquintically;
# its topo/geo2rdr reference rasters match that too (bilinear: ~1e-10 deg off).
DOPPLER_METHOD = "biquintic"


def report(check, measured, tol):
    print(f"\nGOLDEN envisat | {check}: {measured:.3e} (tolerance {tol:g})")


@pytest.fixture(scope="module")
def meta(envisat):
    return read_rslc_metadata(envisat / "envisat.h5")


def _mean_abs_ignoring_outliers(ours, ref):
    err = np.abs(np.asarray(ours, np.float64) - np.asarray(ref, np.float64))
    err = err[err <= 5.0]
    return float(err.mean()), err.size


# --------------------------------------------------------------- points
@pytest.mark.parametrize("secant", [False, True], ids=["isce3-steps", "secant-steps"])
@pytest.mark.parametrize("doppler,ref_file", [("native", "output_data.txt"),
                                              ("zero", "output_data_zerodop.txt")])
def test_rdr2geo_100_points(meta, doppler, ref_file, secant, envisat):
    from isce.geometry import rdr2geo_points

    times, ranges, heights = read_points_input(envisat / "points" / "input_data.txt")
    ref = read_points_output(envisat / "points" / ref_file)       # lat, lon, h
    assert len(times) == 100 and ref.shape == (100, 3)
    llh, conv = rdr2geo_points(times, ranges, meta.orbit, meta.wavelength, meta.look_side,
                               doppler=meta.doppler if doppler == "native" else None,
                               doppler_method=DOPPLER_METHOD, heights=heights, epoch=meta.epoch,
                               threshold=1e-8, maxiter=25, extraiter=15, secant=secant)
    assert conv.all()
    err_lat = np.abs(np.rad2deg(llh[:, 1]) - ref[:, 0]).max()
    err_lon = np.abs(np.rad2deg(llh[:, 0]) - ref[:, 1]).max()
    err_h = np.abs(llh[:, 2] - ref[:, 2]).max()
    how = f"{doppler} Doppler, {'secant' if secant else 'ISCE3'} steps"
    report(f"rdr2geo 100 points, {how}, max |dlat| deg", err_lat, 1e-8)
    report(f"rdr2geo 100 points, {how}, max |dlon| deg", err_lon, 1e-8)
    report(f"rdr2geo 100 points, {how}, max |dh| m", err_h, 1e-8)
    assert err_lat < 1e-8
    assert err_lon < 1e-8
    assert err_h < 1e-8


@pytest.mark.parametrize("doppler,when,slant_range", [
    ("native", "2003-02-26T17:55:33.993088889", 830450.1859446081),
    ("zero", "2003-02-26T17:55:34.122893704", 830449.6727720434)])
def test_geo2rdr_point(meta, doppler, when, slant_range):
    from isce.geometry import geo2rdr_points

    llh = np.array([np.deg2rad(-115.72466801139711), np.deg2rad(34.65846532785868), 1772.0])
    t, r, status = geo2rdr_points(llh, meta.orbit, meta.wavelength, meta.look_side,
                                  doppler=meta.doppler if doppler == "native" else None,
                                  doppler_method=DOPPLER_METHOD, epoch=meta.epoch,
                                  threshold=1e-10, maxiter=50, delta_range=10.0)
    assert int(status) == 0
    dt = abs(float(t) - DateTime(when).seconds_since(meta.epoch))
    dr = abs(float(r) - slant_range)
    stamp = (meta.epoch + float(t)).isoformat()
    print(f"\n  geo2rdr {doppler}: {stamp} (ISCE3 {when}), R = {float(r)!r} m")
    report(f"geo2rdr point, {doppler} Doppler, |dt| s", dt, 1e-6)
    report(f"geo2rdr point, {doppler} Doppler, |dR| m", dr, 1e-6)
    assert dt < 1e-6
    assert dr < 1e-6


# --------------------------------------------------------------- full grid
@pytest.fixture(scope="module")
def topo_dir(meta, tmp_path_factory, envisat):
    """Our topo of the whole grid on the heights of the golden topo/z.rdr."""
    from isce.geometry import topo

    out = tmp_path_factory.mktemp("envisat_topo")
    paths = topo(meta.radar_grid, meta.orbit, meta.doppler, None, out,
                 heights=str(envisat / "topo" / "z.rdr"), doppler_method=DOPPLER_METHOD,
                 block_lines=128)
    assert set(paths) == {"lat", "lon", "z", "los", "inc", "hdg", "localInc", "localPsi",
                          "incLocal", "shadowMask"}
    return out


def test_full_grid_rdr2geo_against_topo(topo_dir, envisat):
    import isce.io

    checks = [("x", "lon.rdr", 1e-5), ("y", "lat.rdr", 1e-5), ("inc", "inc.rdr", 1e-4),
              ("hdg", "hdg.rdr", 1e-4)]
    for ref_name, ours_name, tol in checks:
        ref = isce.io.open(str(envisat / "topo" / f"{ref_name}.rdr")).read(0)
        ours = isce.io.open(str(topo_dir / ours_name)).read(0)
        assert ours.shape == ref.shape == (500, 500)
        err, count = _mean_abs_ignoring_outliers(ours, ref)
        report(f"full-grid topo {ref_name}.rdr mean abs error ({count} px)", err, tol)
        assert count == ref.size          # no outliers at all
        assert err < tol


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_topo_products_are_readable(topo_dir, envisat):
    import isce.io
    import rasterio

    los = isce.io.open(str(topo_dir / "los.rdr"))
    assert (los.bands, los.scheme, los.data_type) == (2, "BIL", "FLOAT")
    inc = isce.io.open(str(topo_dir / "inc.rdr")).read(0)
    np.testing.assert_array_equal(los.read(0), inc)
    for name in ("lat.rdr", "lon.rdr", "z.rdr"):
        r = isce.io.open(str(topo_dir / name))
        assert r.data_type == "DOUBLE"
        assert (topo_dir / f"{name}.xml").is_file() and (topo_dir / f"{name}.hdr").is_file()
    with rasterio.open(topo_dir / "los.rdr.vrt") as ds:
        assert ds.count == 2
        np.testing.assert_array_equal(ds.read(1), inc)
    z_in = isce.io.open(str(envisat / "topo" / "z.rdr")).read(0)
    z_out = isce.io.open(str(topo_dir / "z.rdr")).read(0)
    # a converged pixel is on its range sphere, its height within ~the range threshold
    # (topo's default 1e-4 m) of the height asked for
    assert np.abs(z_out - z_in).max() < 2e-4


def test_round_trip_geo2rdr_offsets(meta, topo_dir, tmp_path):
    import isce.io
    from isce.geometry import geo2rdr_offsets

    paths = geo2rdr_offsets(topo_dir, meta.radar_grid, meta.orbit, meta.doppler, tmp_path,
                            reference_grid=meta.radar_grid, doppler_method=DOPPLER_METHOD)
    rg = isce.io.open(paths["range"]).read(0)
    az = isce.io.open(paths["azimuth"]).read(0)
    assert rg.dtype == np.float32 and rg.shape == (500, 500)
    assert np.isfinite(rg).all() and np.isfinite(az).all()
    report("round trip max |range offset| px", float(np.abs(rg).max()), 2e-6)
    report("round trip max |azimuth offset| px", float(np.abs(az).max()), 2e-6)
    assert np.abs(rg).max() < 2e-6
    assert np.abs(az).max() < 2e-6


def test_round_trip_of_the_golden_topo(meta, envisat):
    """geo2rdr of ISCE3's own topo/{x,y,z}.rdr (ISCE3's geo2rdr test)."""
    import isce.io
    from isce.geometry import geo2rdr_block

    lon, lat, z = (isce.io.open(str(envisat / "topo" / f"{n}.rdr")).read(0) for n in "xyz")
    rg, az, status = geo2rdr_block(lon, lat, z, meta.radar_grid, meta.orbit, meta.doppler,
                                   reference_grid=meta.radar_grid, doppler_method=DOPPLER_METHOD)
    assert (status == 0).all()
    report("round trip of golden topo max |range offset| px", float(np.abs(rg).max()), 2e-6)
    report("round trip of golden topo max |azimuth offset| px", float(np.abs(az).max()), 2e-6)
    assert np.abs(rg).max() < 2e-6
    assert np.abs(az).max() < 2e-6
