"""Golden checks on the UAVSAR Winnipeg product of ../shared/data (ISCE3 test data).

Rows of ../shared/data/README.md, winnipeg section, that concern geometry:

* rdr2geo over winnipeg_dem.tif (biquintic / 6x6 spline DEM kernel) against
  topo/{x,y,z,inc,hdg,localInc,localPsi}.rdr: mean absolute error ignoring
  errors > 5 below 1e-5, 1e-5 deg, 0.15 m, 1e-4, 1e-4, 0.02, 0.02 deg;
* geo2rdr of that topo with the same product as secondary: sum of squared
  offsets < 1e-9 pixel^2.

Airborne (12.4 km altitude), left-looking, zero Doppler. Each test prints
its measured error next to the tolerance (pytest -s).
"""
from types import SimpleNamespace

import numpy as np
import pytest

from golden_products import read_rslc_metadata


@pytest.fixture(scope="module")
def winnipeg(shared_data):
    """The UAVSAR Winnipeg folder of the real test data (ISCE3's test set)."""
    return shared_data("winnipeg")


LAYERS = [  # reference file, our file, tolerance
    ("x", "lon.rdr", 1e-5), ("y", "lat.rdr", 1e-5), ("z", "z.rdr", 0.15),
    ("inc", "inc.rdr", 1e-4), ("hdg", "hdg.rdr", 1e-4),
    ("localInc", "localInc.rdr", 0.02), ("localPsi", "localPsi.rdr", 0.02)]


def report(check, measured, tol):
    print(f"\nGOLDEN winnipeg | {check}: {measured:.3e} (tolerance {tol:g})")


def _mean_abs_ignoring_outliers(ours, ref):
    err = np.abs(np.asarray(ours, np.float64) - np.asarray(ref, np.float64))
    err = err[err <= 5.0]
    return float(err.mean()), err.size


@pytest.fixture(scope="module")
def meta(winnipeg):
    m = read_rslc_metadata(winnipeg / "winnipeg.h5")
    assert m.look_side == "left"
    return m


@pytest.fixture(scope="module", params=[True, False], ids=["secant-steps", "isce3-steps"])
def topo_dir(meta, tmp_path_factory, request, winnipeg):
    from isce.geometry import topo

    out = tmp_path_factory.mktemp("winnipeg_topo")
    topo(meta.radar_grid, meta.orbit, meta.doppler, str(winnipeg / "winnipeg_dem.tif"), out,
         block_lines=100, secant=request.param)
    return SimpleNamespace(path=out, secant=request.param)


def _reference(name, winnipeg):
    import isce.io

    return isce.io.open(str(winnipeg / "topo" / f"{name}.rdr")).read(0)


def test_rdr2geo_over_dem_against_topo(topo_dir, winnipeg):
    import isce.io

    for ref_name, ours_name, tol in LAYERS:
        ref = _reference(ref_name, winnipeg)
        ours = isce.io.open(str(topo_dir.path / ours_name)).read(0)
        assert ours.shape == ref.shape == (250, 250)
        err, count = _mean_abs_ignoring_outliers(ours, ref)
        how = "secant" if topo_dir.secant else "ISCE3"
        report(f"topo over DEM ({how} steps) {ref_name}.rdr mean abs error ({count} px)", err, tol)
        assert count == ref.size
        assert err < tol


def test_geo2rdr_of_topo_onto_itself(meta, topo_dir, tmp_path):
    import isce.io
    from isce.geometry import geo2rdr_offsets

    paths = geo2rdr_offsets(topo_dir.path, meta.radar_grid, meta.orbit, meta.doppler, tmp_path,
                            reference_grid=meta.radar_grid, dtype="DOUBLE")
    rg = isce.io.open(paths["range"]).read(0)
    az = isce.io.open(paths["azimuth"]).read(0)
    assert np.isfinite(rg).all() and np.isfinite(az).all()
    s_rg, s_az = float(np.sum(rg ** 2)), float(np.sum(az ** 2))
    report("geo2rdr onto itself, sum range offset^2 px^2", s_rg, 1e-9)
    report("geo2rdr onto itself, sum azimuth offset^2 px^2", s_az, 1e-9)
    assert s_rg < 1e-9
    assert s_az < 1e-9


def test_bilinear_dem_interpolation_is_not_good_enough(meta, winnipeg):
    """Why the 6x6 kernel: with bilinear DEM interpolation local incidence fails."""
    from isce.geometry import load_dem, radar_grid_bbox, rdr2geo_block

    bbox = radar_grid_bbox(meta.radar_grid, meta.orbit, meta.doppler)
    dem = load_dem(winnipeg / "winnipeg_dem.tif", bbox, method="bilinear")
    out = rdr2geo_block(meta.radar_grid, meta.orbit, meta.doppler, dem,
                        layers=["local_inc"])
    err, _ = _mean_abs_ignoring_outliers(out["local_inc"], _reference("localInc", winnipeg))
    print(f"\n  bilinear DEM: localInc mean abs error {err:.3e} deg (biquintic passes 0.02)")
    assert err > 0.02
