"""verifyDEM: isce.dem.prepare_dem / verify_dem on synthetic DEMs (GeoTIFF and ISCE rasters)."""
import logging
import math
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import isce.io
from isce.framework import ConfigurationError, InputError

import rasterio
from affine import Affine  # noqa: E402  (rasterio's dependency)


def from_origin(west, north, xsize, ysize):
    return Affine(xsize, 0.0, west, 0.0, -ysize, north)

X0, Y0, D = -116.0, 35.0, 0.01          # the synthetic DEMs: lon -116..-115.4, lat 34.5..35
LENGTH, WIDTH = 50, 60


def _heights(dtype=np.float32):
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:LENGTH, 0:WIDTH]
    h = 800 + 400 * np.sin(xx / 9.0) * np.cos(yy / 7.0) + rng.normal(0, 5, (LENGTH, WIDTH))
    return h.astype(dtype)


def _centres():
    lat = Y0 - (np.arange(LENGTH) + 0.5) * D
    lon = X0 + (np.arange(WIDTH) + 0.5) * D
    return lat, lon


def _geotiff(path, heights, crs="EPSG:4326", tags=None, band_tags=None, nodata=None,
             transform=None):
    with rasterio.open(path, "w", driver="GTiff", width=heights.shape[1], height=heights.shape[0],
                       count=1, dtype=heights.dtype, crs=crs, nodata=nodata,
                       transform=transform or from_origin(X0, Y0, D, D)) as ds:
        ds.write(heights, 1)
        if tags:
            ds.update_tags(**tags)
        if band_tags:
            ds.update_tags(1, **band_tags)
    return str(path)


def _isce_dem(path, heights, reference=None):
    extra = {"reference": reference} if reference else None
    isce.io.write(path, heights, image_type="dem", geo=isce.io.Geo(X0, D, Y0, -D), extra=extra)
    return str(path)


def _expected(heights, geoid_model):
    """H + N with N evaluated point by point (not the converter's separable evaluation)."""
    from isce.dem.geoid import geoid_undulation

    lat, lon = _centres()
    lat2, lon2 = np.meshgrid(lat, lon, indexing="ij")
    return heights.astype(np.float64) + geoid_undulation(lat2, lon2, geoid=geoid_model)


def _assert_float32_equal(got, want):
    """Equal to float32 storage: within one float32 step of the exact value."""
    want = np.asarray(want, np.float64)
    step = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(want)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.all(both_nan | (np.abs(got - want) <= step))


# ----------------------------------------------------------------------------- EGM96 -> WGS84
@pytest.mark.parametrize("recorded", ["compound_crs", "dataset_tag", "band_tag"])
def test_egm96_geotiff_becomes_wgs84_ellipsoid_heights(workdir, geoid_model, recorded, caplog):
    from isce.dem import verify_dem

    H = _heights()
    kwargs = {"compound_crs": dict(crs="EPSG:4326+5773"),
              "dataset_tag": dict(tags={"VERTICAL_DATUM": "EGM96 geoid"}),
              "band_tag": dict(band_tags={"reference": "EGM96"})}[recorded]
    src = _geotiff(workdir / "srtm.tif", H, **kwargs)
    with caplog.at_level(logging.INFO, logger="isce.dem"):
        report = verify_dem(src, geoid=geoid_model)
    assert report.reference == "EGM96" and report.converted and not report.reused
    assert "assumed" not in report.reference_from
    out = workdir / "srtm.tif.wgs84"
    assert report.path == str(out)
    for suffix in (".xml", ".vrt", ".hdr"):
        assert os.path.isfile(str(out) + suffix)
    r = isce.io.open(out)
    assert r.image_type == "dem" and r.data_type == "FLOAT"
    assert r.geo.epsg == 4326 and r.geo.geotransform == pytest.approx((X0, D, 0, Y0, 0, -D))
    assert r.info.extra["reference"] == "WGS84" and r.info.extra["source_reference"] == "EGM96"
    _assert_float32_equal(np.array(r.data, np.float64), _expected(H, geoid_model))
    # GDAL reads the product through its VRT, and rdr2geo's loader through the XML
    with rasterio.open(str(out) + ".vrt") as ds:
        np.testing.assert_array_equal(ds.read(1), r.data)
    from isce.geometry.dem import load_dem

    dem = load_dem(out)
    assert dem.shape == (LENGTH, WIDTH) and np.array_equal(dem.data, r.data)
    # and it says what it did
    text = caplog.text
    assert "heights above EGM96" in text and "EGM96 -> WGS84" in text and str(out) in text


def test_isce_egm96_dem_is_converted_blockwise(workdir, geoid_model):
    from isce.dem import prepare_dem

    H = _heights()
    src = _isce_dem(workdir / "demLat_N34_N35.dem", H, reference="EGM96")
    whole = prepare_dem(src, geoid=geoid_model, output=workdir / "whole.wgs84")
    blocks = prepare_dem(src, geoid=geoid_model, output=workdir / "blocks.wgs84", block_lines=7)
    a, b = isce.io.open(whole).data, isce.io.open(blocks).data
    np.testing.assert_array_equal(a, b)
    _assert_float32_equal(np.array(a, np.float64), _expected(H, geoid_model))
    # default name: ISCE2's <dem>.wgs84, in the current folder
    assert prepare_dem(src, geoid=geoid_model) == str(workdir / "demLat_N34_N35.dem.wgs84")


def test_voids_stay_voids(workdir, geoid_model):
    from isce.dem import prepare_dem

    H = np.round(_heights()).astype(np.int16)
    H[3, 4] = H[10, 20] = -32768                   # SRTM voids (declared nodata)
    out = prepare_dem(_geotiff(workdir / "void.tif", H, crs="EPSG:4326+5773", nodata=-32768),
                      geoid=geoid_model)
    data = np.array(isce.io.open(out).data, np.float64)
    want = _expected(H, geoid_model)
    want[H == -32768] = np.nan
    _assert_float32_equal(data, want)
    # a float DEM whose nodata is float32 max (as winnipeg_dem.tif)
    Hf = _heights()
    Hf[0, 0] = np.finfo(np.float32).max
    out = prepare_dem(_geotiff(workdir / "voidf.tif", Hf, crs="EPSG:4326+5773",
                               nodata=float(np.finfo(np.float32).max)), geoid=geoid_model)
    data = isce.io.open(out).data
    assert np.isnan(data[0, 0]) and np.isfinite(data[1:, 1:]).all()


def test_projected_egm96_dem_is_warped_to_lonlat(workdir, geoid_model):
    from isce.dem import verify_dem

    # UTM 11N + EGM96 height, 90 m posting, constant 100 m over the Mojave
    H = np.full((60, 70), 100.0, np.float32)
    src = _geotiff(workdir / "utm.tif", H, crs="EPSG:32611+5773", nodata=-9999.0,
                   transform=from_origin(560000.0, 3860000.0, 90.0, 90.0))
    report = verify_dem(src, geoid=geoid_model)
    assert report.converted and report.reference == "EGM96"
    r = isce.io.open(report.path)
    assert r.geo.epsg == 4326 and -116.5 < r.geo.x0 < -116.2 and 34.7 < r.geo.y0 < 35
    lat = r.geo.y_centers(r.length)[:, None]
    lon = r.geo.x_centers(r.width)[None, :]
    from isce.dem.geoid import geoid_undulation

    data = np.array(r.data, np.float64)
    inside = np.isfinite(data)
    assert inside.mean() > 0.5                # the rotated UTM square leaves NaN corners
    want = 100.0 + np.broadcast_to(geoid_undulation(lat, lon, geoid=geoid_model), data.shape)
    np.testing.assert_allclose(data[inside], want[inside], atol=1e-3)


def test_projected_isce_dem_is_read_through_its_vrt(workdir, geoid_model):
    from isce.dem import verify_dem

    H = np.full((40, 50), 250.0, np.float32)
    src = workdir / "utm.dem"
    isce.io.write(src, H, image_type="dem", geo=isce.io.Geo(560000.0, 90.0, 3860000.0, -90.0, 32611),
                  extra={"reference": "EGM96"})
    report = verify_dem(src, geoid=geoid_model)
    assert report.converted and "ISCE XML property reference" in report.reference_from
    r = isce.io.open(report.path)
    assert r.geo.epsg == 4326
    data = np.array(r.data, np.float64)
    inside = np.isfinite(data)
    assert 0.5 < inside.mean() < 1                 # corners outside the rotated square: voids
    from isce.dem.geoid import geoid_undulation

    lat, lon = r.geo.y_centers(r.length)[:, None], r.geo.x_centers(r.width)[None, :]
    want = 250.0 + np.broadcast_to(geoid_undulation(lat, lon, geoid=geoid_model), data.shape)
    np.testing.assert_allclose(data[inside], want[inside], atol=1e-3)


# ----------------------------------------------------------------------------- WGS84: untouched
def test_isce_wgs84_dem_is_passed_through_untouched(workdir, geoid_model):
    from isce.dem import verify_dem

    sub = workdir / "dems"
    sub.mkdir()
    src = _isce_dem(sub / "dem.wgs84", _heights(), reference="WGS84")
    before = {p: (os.stat(p).st_mtime_ns, Path(p).read_bytes()) for p in
              (src, src + ".xml", src + ".vrt", src + ".hdr")}
    for given in (src, src + ".xml"):
        report = verify_dem(given, geoid=geoid_model)
        assert report.path == src and report.reference == "WGS84" and not report.converted
        assert "ISCE XML property reference" in report.reference_from
    after = {p: (os.stat(p).st_mtime_ns, Path(p).read_bytes()) for p in before}
    assert after == before
    assert sorted(os.listdir(workdir)) == ["dems"] and len(os.listdir(sub)) == 4


def test_wgs84_geotiffs_are_passed_through(workdir):
    from isce.dem import verify_dem

    for name, kwargs in {"e3d.tif": dict(crs="EPSG:4979"),
                         "tag.tif": dict(tags={"reference": "WGS84"})}.items():
        src = _geotiff(workdir / name, _heights(), **kwargs)
        report = verify_dem(src)                 # no geoid needed
        assert (report.path, report.reference, report.converted) == (src, "WGS84", False)
    assert not [p for p in os.listdir(workdir) if p.endswith(".wgs84")]


# ----------------------------------------------------------------------------- deciding the reference
def test_unrecorded_reference_is_assumed_egm96_with_a_warning(workdir, geoid_model, caplog):
    from isce.dem import verify_dem

    src = _geotiff(workdir / "plain.tif", _heights())
    with caplog.at_level(logging.WARNING, logger="isce.dem"):
        report = verify_dem(src, geoid=geoid_model)
    assert report.reference == "EGM96" and report.converted
    assert "records no vertical reference" in caplog.text
    report = verify_dem(src, unknown_reference="WGS84")
    assert report.path == src and not report.converted
    with pytest.raises(InputError, match="plain.tif.*does not say"):
        verify_dem(src, unknown_reference="auto")


def test_explicit_reference_wins(workdir, geoid_model, caplog):
    from isce.dem import verify_dem

    src = _geotiff(workdir / "egm.tif", _heights(), crs="EPSG:4326+5773")
    with caplog.at_level(logging.WARNING, logger="isce.dem"):
        report = verify_dem(src, reference="WGS84")
    assert report.path == src and not report.converted and "EGM96 height" in caplog.text
    report = verify_dem(src, reference="egm96", geoid=geoid_model)
    assert report.converted and "agrees with" in report.reference_from
    with pytest.raises(ConfigurationError, match="reference"):
        verify_dem(src, reference="NAVD88")


def test_other_vertical_datums_are_an_input_error(workdir, geoid_model):
    from isce.dem import verify_dem

    src = _geotiff(workdir / "cop.tif", _heights(), crs="EPSG:4326+3855")     # EGM2008 height
    with pytest.raises(InputError, match=r"cop.tif.*EGM2008.*reference="):
        verify_dem(src, geoid=geoid_model)
    assert verify_dem(src, reference="EGM96", geoid=geoid_model).converted


# ----------------------------------------------------------------------------- coverage
def test_dem_not_covering_the_scene_says_by_how_much(workdir, geoid_model):
    from isce.dem import prepare_dem

    src = _geotiff(workdir / "small.tif", _heights(), crs="EPSG:4326+5773")
    inside = (-115.9, 34.6, -115.5, 34.9)
    assert prepare_dem(src, inside, geoid=geoid_model).endswith("small.tif.wgs84")
    os.remove(workdir / "small.tif.wgs84")
    west, north = -116.2, 35.1
    with pytest.raises(InputError) as err:
        prepare_dem(src, (west, 34.6, -115.5, north), geoid=geoid_model)
    msg = str(err.value)
    # the DEM's westernmost / northernmost sample centres are X0 + D/2 and Y0 - D/2
    km_west = (X0 + D / 2 - west) * 111.32 * math.cos(math.radians((34.6 + north) / 2))
    km_north = (north - (Y0 - D / 2)) * 111.32
    assert "small.tif" in msg and "short by" in msg
    assert f"{km_west:.2f} km on the west" in msg and f"{km_north:.2f} km on the north" in msg
    assert "east" not in msg.split("short by")[1].split(";")[0]
    assert not (workdir / "small.tif.wgs84").exists()        # nothing written before the check
    with pytest.raises(InputError, match="does not overlap"):
        prepare_dem(src, (10.0, 10.0, 11.0, 11.0), geoid=geoid_model)


# ----------------------------------------------------------------------------- content over the scene
SCENE = (-115.75, 34.7, -115.65, 34.8)          # a footprint well inside the synthetic DEM


def _index(lon, lat):
    return int((Y0 - lat) / D), int((lon - X0) / D)


def test_voids_near_the_scene_are_filled_with_a_warning(workdir, caplog):
    """A WGS-84 DEM with voids over the scene: a copy whose voids within 0.15 deg of the scene
    hold the nearest valid height (a warning gives the counts); voids farther stay NaN."""
    from isce.dem import verify_dem

    H = _heights()
    inside, near, far = _index(-115.70, 34.75), _index(-115.85, 34.75), _index(-115.97, 34.97)
    for r, c in (inside, near, far):
        H[r, c] = np.nan
    src = _geotiff(workdir / "holes.tif", H, tags={"reference": "WGS84"})
    with caplog.at_level(logging.WARNING, logger="isce.dem"):
        report = verify_dem(src, SCENE)
    assert report.converted and report.path == str(workdir / "holes.tif.wgs84") and report.filled == 2
    assert re.search(r"holes.tif: 1 of the DEM samples over the scene \(and 2 within 0.15 deg of "
                     r"it\) are void .*filled with the nearest valid height", caplog.text)
    data = np.array(isce.io.open(report.path).data)
    for r, c in (inside, near):
        neighbours = H[r - 1:r + 2, c - 1:c + 2]
        assert np.isfinite(data[r, c]) and data[r, c] in neighbours[np.isfinite(neighbours)]
    assert np.isnan(data[far])
    keep = np.isfinite(H)
    np.testing.assert_array_equal(data[keep], H[keep])          # nothing else changed


def test_projected_wgs84_dem_is_warped_to_lonlat(workdir):
    """A WGS-84 DEM in UTM is warped to EPSG:4326 (rdr2geo and geocode need lon/lat)."""
    from isce.dem import verify_dem

    H = np.full((60, 70), 300.0, np.float32)
    src = _geotiff(workdir / "utm.tif", H, crs="EPSG:32611", nodata=-9999.0,
                   transform=from_origin(560000.0, 3860000.0, 90.0, 90.0), tags={"reference": "WGS84"})
    report = verify_dem(src, (-116.30, 34.835, -116.28, 34.84))
    assert report.converted and report.path != src and "warped from EPSG:32611" in report.summary()
    r = isce.io.open(report.path)
    assert r.geo.epsg == 4326
    data = np.array(r.data)
    assert np.nanmin(data) == np.nanmax(data) == 300.0


@pytest.mark.parametrize("change, words", [
    (lambda h: h * 0 + np.nan, "are all void: "),
    (lambda h: np.where(h > 800, np.nan, h), "% void ("),
    (lambda h: h + 9000, "heights outside -600..9000 m (found "),
])
def test_implausible_dem_over_the_scene_is_refused(workdir, change, words):
    """All void, more than a quarter void, or heights no land has: InputError, nothing written."""
    from isce.dem import verify_dem

    src = _geotiff(workdir / "bad.tif", change(_heights()), tags={"reference": "WGS84"})
    with pytest.raises(InputError, match=re.escape(words)):
        verify_dem(src, SCENE)
    assert not (workdir / "bad.tif.wgs84").exists()


# ----------------------------------------------------------------------------- bad files
def test_corrupt_and_missing_dems_name_the_file(workdir, geoid_model):
    from isce.dem import prepare_dem

    garbage = workdir / "garbage.tif"
    garbage.write_bytes(b"II*\0" + os.urandom(300))
    with pytest.raises(InputError, match="garbage.tif"):
        prepare_dem(garbage, geoid=geoid_model)

    with pytest.raises(InputError, match="missing.tif.*not found"):
        prepare_dem(workdir / "missing.tif", geoid=geoid_model)

    src = _isce_dem(workdir / "cut.dem", _heights(), reference="EGM96")   # data cut short
    with open(src, "r+b") as f:
        f.truncate(os.path.getsize(src) - 100)
    with pytest.raises(InputError, match="cut.dem"):
        prepare_dem(src, geoid=geoid_model)

    src = _isce_dem(workdir / "badxml.dem", _heights(), reference="EGM96")
    with open(src + ".xml", "w") as f:
        f.write("<imageFile><property name='width'>")
    with pytest.raises(InputError, match="badxml.dem"):
        prepare_dem(src, geoid=geoid_model)

    nogeo = workdir / "radar.rdr"                                         # not geocoded
    isce.io.write(nogeo, _heights())
    with pytest.raises(InputError, match="radar.rdr.*geographic"):
        prepare_dem(nogeo, geoid=geoid_model)

    nocrs = workdir / "nocrs.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with rasterio.open(nocrs, "w", driver="GTiff", width=8, height=8, count=1,
                           dtype="float32") as ds:
            ds.write(np.zeros((8, 8), np.float32), 1)
    with pytest.raises(InputError, match="nocrs.tif.*coordinate system"):
        prepare_dem(nocrs, geoid=geoid_model)


def test_truncated_geotiff_fails_before_any_work(workdir, geoid_model):
    from isce.dem import prepare_dem

    H = _heights()
    src = workdir / "cut.tif"
    with rasterio.open(src, "w", driver="GTiff", width=WIDTH, height=LENGTH, count=1,
                       dtype="float32", crs="EPSG:4326+5773", transform=from_origin(X0, Y0, D, D),
                       tiled=False, compress="deflate") as ds:
        ds.write(H, 1)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match="cut.tif"):
        prepare_dem(src, geoid=geoid_model)
    assert not (workdir / "cut.tif.wgs84").exists()


# ----------------------------------------------------------------------------- reuse
def test_reuse_of_an_earlier_conversion(workdir, geoid_model):
    from isce.dem import verify_dem

    src = _geotiff(workdir / "r.tif", _heights(), crs="EPSG:4326+5773")
    first = verify_dem(src, geoid=geoid_model)
    stamp = os.stat(first.path).st_mtime_ns
    again = verify_dem(src, geoid=geoid_model)
    assert again.reused and again.path == first.path and os.stat(first.path).st_mtime_ns == stamp
    _geotiff(workdir / "r.tif", _heights() + 1, crs="EPSG:4326+5773")     # the DEM changed
    third = verify_dem(src, geoid=geoid_model)
    assert not third.reused
    np.testing.assert_allclose(isce.io.open(third.path).data,
                               np.asarray(_expected(_heights() + 1, geoid_model), np.float32),
                               atol=1e-3)
    assert not verify_dem(src, geoid=geoid_model, reuse=False).reused
