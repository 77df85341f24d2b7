"""The real DEMs of ../shared/data: what GDAL says about their heights, coverage of their
scenes, and the EGM96 -> WGS84 conversion on them.

As read (GDAL 3.x through rasterio), winnipeg_dem.tif and SanAnd_dem.tif have a
2-D EPSG:4326 CRS (no vertical CRS, no 3-D CRS) and no metadata but
AREA_OR_POINT=Area: their vertical reference is not recorded. Their heights
(Winnipeg 233-257 m, where the land is ~230-260 m above sea level; N there is
-26 m) look orthometric, yet ISCE3 made the golden topo of ../shared/data with
them taken as ellipsoid heights -- so the golden comparisons use them as
WGS84 (reference="WGS84"), while ``auto`` would take them as EGM96 (ISCE2).
"""
import math

import numpy as np
import pytest

from isce.framework import InputError

import rasterio

DEMS = {"winnipeg": (("winnipeg", "winnipeg_dem.tif"), ("winnipeg", "winnipeg.h5")),
        "sanandreas": (("sanandreas", "SanAnd_dem.tif"), ("sanandreas", "SanAnd_129.h5"))}


@pytest.fixture(params=sorted(DEMS))
def real(request, shared_data):
    dem, product = DEMS[request.param]
    return request.param, shared_data(*dem), shared_data(*product)


def test_what_gdal_says_about_the_real_dems(real):
    from isce.dem import vertical_reference
    from isce.dem.dem import _open

    name, dem, _ = real
    with rasterio.open(dem) as ds:
        wkt = ds.crs.to_wkt()
        tags, band_tags = ds.tags(), ds.tags(1)
        print(f"\n{name}: {dem.name}: CRS {ds.crs.to_string()} ({ds.crs.to_wkt()[:40]}...), "
              f"dataset metadata {tags}, band metadata {band_tags}, units {ds.units}, "
              f"nodata {ds.nodata}, heights {np.nanmin(ds.read(1, masked=True)):.1f}.."
              f"{np.nanmax(ds.read(1, masked=True)):.1f} m")
        assert ds.crs.to_epsg() == 4326
    assert "VERT_CS" not in wkt and "VERTCRS" not in wkt
    assert tags == {"AREA_OR_POINT": "Area"} and band_tags == {}
    with _open(dem) as src:
        assert src.vertical is None                  # nothing recorded
    ref, how = vertical_reference(dem)
    assert ref == "EGM96" and "assumed" in how       # ISCE2's default for such a DEM
    assert vertical_reference(dem, reference="WGS84")[0] == "WGS84"


def _scene_footprint(product, dem):
    from golden_products import read_rslc_metadata

    from isce.geometry.footprint import scene_footprint

    m = read_rslc_metadata(product)
    with rasterio.open(dem) as ds:
        h = ds.read(1, masked=True)
    return scene_footprint(m.radar_grid, m.orbit, m.doppler,
                           heights=(float(h.min()), float(h.max())))


def test_real_dems_cover_their_scenes(real, workdir):
    from isce.dem import verify_dem

    name, dem, product = real
    fp = _scene_footprint(product, dem)
    report = verify_dem(dem, fp, reference="WGS84")          # as the golden tests use them
    assert report.path == str(dem) and not report.converted and report.coverage
    print(f"\n{name}: scene {np.round(fp, 4)} inside DEM {np.round(report.bounds, 4)}")
    # the scene moved east until a third of it lies beyond the DEM's last column: the
    # error says by how much
    west, south, east, north = fp
    with rasterio.open(dem) as ds:
        last_centre = ds.bounds.right - ds.res[0] / 2
    shift = last_centre - east + (east - west) / 3
    shifted = (west + shift, south, east + shift, north)
    km = (east + shift - last_centre) * 111.32 * math.cos(math.radians((south + north) / 2))
    with pytest.raises(InputError, match=rf"{dem.name}.*short by {km:.2f} km on the east"):
        verify_dem(dem, shifted, reference="WGS84")


def test_real_dem_egm96_to_wgs84(real, workdir, geoid_model):
    from isce.dem import verify_dem
    from isce.dem.geoid import geoid_undulation
    import isce.io

    name, dem, product = real
    report = verify_dem(dem, _scene_footprint(product, dem), reference="EGM96", geoid=geoid_model,
                        output=workdir / f"{name}.wgs84")
    assert report.converted
    out = isce.io.open(report.path)
    with rasterio.open(dem) as ds:
        H = ds.read(1, masked=True).filled(np.nan).astype(np.float64)
        t = ds.transform
    assert out.geo.geotransform == pytest.approx((t.c, t.a, 0.0, t.f, 0.0, t.e), abs=1e-12)
    lat = out.geo.y_centers(out.length)[:, None]
    lon = out.geo.x_centers(out.width)[None, :]
    N = geoid_undulation(np.broadcast_to(lat, H.shape), np.broadcast_to(lon, H.shape),
                         geoid=geoid_model)
    np.testing.assert_allclose(out.data, H + N, rtol=0, atol=1e-4)
    print(f"\n{name}: N {report.undulation_range[0]:.3f}..{report.undulation_range[1]:.3f} m "
          f"({report.geoid})")
