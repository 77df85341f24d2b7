"""The stage commands run from the command line on real products, as a user runs them.

envisat.h5 against itself (topo -> geo2rdr -> resampleSlc -> crossmul -> geocode)
and the San Andreas pair (20 MHz reference, 40 MHz secondary band-passed to it).
Every raster written must open in GDAL with the right size and type.
"""
from pathlib import Path

import numpy as np
import pytest
import rasterio
from isce_commands import run_command

REPO = Path(__file__).resolve().parents[2]


def command(name, *args, cwd):
    proc = run_command(f"{name}.py", *args, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def ok(name, *args, cwd):
    rc, out, err = command(name, *args, cwd=cwd)
    assert rc == 0, f"{name}.py failed ({rc}):\n{err}"
    return out, err


def gdal(path):
    """Shape, dtype and data of a raster as GDAL (through rasterio) reads it."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # radar-grid rasters have no geotransform
        with rasterio.open(str(path) + ".vrt" if not str(path).endswith(".tif") else path) as ds:
            return ds.count, ds.height, ds.width, ds.dtypes[0], ds.read(), ds


EXPECTED_TOPO = {"lat.rdr": (1, "float64"), "lon.rdr": (1, "float64"), "z.rdr": (1, "float64"),
                 "los.rdr": (2, "float32"), "inc.rdr": (1, "float32"), "hdg.rdr": (1, "float32"),
                 "localInc.rdr": (1, "float32"), "localPsi.rdr": (1, "float32")}


@pytest.fixture(scope="module")
def envisat_run(tmp_path_factory, shared_data):
    """The chain configured by the XML files of examples/envisat. They name the data as
    ../../../shared/data (relative to them, as the repository lays it out); the copies run
    here name the test data folder of tests/conftest.py instead, wherever it is."""
    data = shared_data("envisat", "envisat.h5").parents[1]
    wd = tmp_path_factory.mktemp("envisat")
    for stage in ("topo", "geo2rdr", "resampleSlc", "crossmul", "geocode"):
        text = (REPO / "examples" / "envisat" / f"{stage}.xml").read_text()
        assert "../../../shared/data" in text, stage
        (wd / f"{stage}.xml").write_text(text.replace("../../../shared/data", str(data)))
        ok(stage, f"{stage}.xml", cwd=wd)
    return wd


def test_envisat_topo_rasters_open_in_gdal(envisat_run):
    for name, (bands, dtype) in EXPECTED_TOPO.items():
        count, length, width, kind, data, _ = gdal(envisat_run / "geometry" / name)
        assert (count, length, width, kind) == (bands, 500, 500, dtype), name
    lat = gdal(envisat_run / "geometry" / "lat.rdr")[4][0]
    assert 34.0 < np.nanmin(lat) < np.nanmax(lat) < 35.5  # Mojave


def test_envisat_self_pair_offsets_phase_and_coherence(envisat_run):
    for name in ("range.off", "azimuth.off"):
        count, length, width, kind, data, _ = gdal(envisat_run / "offsets" / name)
        assert (count, length, width, kind) == (1, 500, 500, "float32")
        assert np.abs(data).max() < 2e-6  # the product against itself: the round trip
    assert gdal(envisat_run / "coregisteredSlc" / "coarse_coreg.slc")[:4] == (1, 500, 500, "complex64")
    _, length, width, kind, ifg, _ = gdal(envisat_run / "interferogram" / "topophase.flat")
    assert (length, width, kind) == (500 // 3, 500 // 13, "complex64")
    _, _, _, kind, coh, _ = gdal(envisat_run / "interferogram" / "topophase.cor")
    assert kind == "float32"
    inner = (slice(2, -2), slice(1, -1))  # looks touching the resampler's edge taps excluded
    assert np.abs(np.angle(ifg[0][inner])).max() < 0.02
    assert coh[0][inner].mean() > 0.9999


def test_envisat_geocoded_outputs(envisat_run):
    for name, kind in (("topophase.cor.geo", "float32"), ("topophase.flat.geo", "complex64")):
        count, length, width, dtype, data, ds = gdal(envisat_run / "geo" / name)
        assert (count, length, width, dtype) == (1, 88, 75, kind)
        tif = gdal(envisat_run / "geo" / (name + ".tif"))
        assert tif[5].crs.to_epsg() == 4326
        np.testing.assert_allclose(tuple(tif[5].transform)[:6], (0.002, 0, -115.65, 0, -0.0008, 34.85))
    coh = gdal(envisat_run / "geo" / "topophase.cor.geo")[4][0]
    assert np.nanmax(coh) <= 1.0 and np.nanmean(coh[coh > 0]) > 0.9


def test_sanandreas_pair_band_passed_coherence(tmp_path, shared_data):
    """The pair from the command line (name=value settings; examples/sanandreas has the XML)."""
    ref = shared_data("sanandreas", "SanAnd_129.h5")
    sec = shared_data("sanandreas", "SanAnd_138.h5")
    dem = shared_data("sanandreas", "SanAnd_dem.tif")
    ok("topo", f"topo.product={ref}", f"topo.dem={dem}", cwd=tmp_path)
    ok("geo2rdr", f"geo2rdr.product={sec}", f"geo2rdr.reference={ref}", cwd=tmp_path)
    _, err = ok("resampleSlc", f"resampleSlc.product={sec}", f"resampleSlc.reference={ref}", cwd=tmp_path)
    assert "band-passing" in err
    ok("crossmul", f"crossmul.reference={ref}", "crossmul.secondary=coregisteredSlc/coarse_coreg.slc",
       "crossmul.azimuth looks=11", "crossmul.range looks=11", cwd=tmp_path)
    count, length, width, kind, coh, _ = gdal(tmp_path / "interferogram" / "topophase.cor")
    assert (count, length, width, kind) == (1, 150 // 11, 200 // 11, "float32")
    assert abs(coh[0][3:-2, 3:-2].mean() - 1) < 0.02   # the data README's check
    valid = coh[0] > 0                                  # 0: looks with no-data edge samples
    assert valid.mean() > 0.8 and coh[0][valid].mean() >= 0.95
    rg = gdal(tmp_path / "offsets" / "range.off")[4][0]
    np.testing.assert_allclose(rg, np.arange(200)[None, :].repeat(150, 0), atol=1e-3)  # 2x finer pixels


@pytest.mark.parametrize("name", ["topo", "geo2rdr", "resampleSlc", "crossmul", "geocode"])
def test_help_lists_the_issue_properties(tmp_path, name):
    rc, out, _ = command(name, "--help", cwd=tmp_path)
    assert rc == 0
    expected = {"topo": ["product", "dem", "height", "output directory"],
                "geo2rdr": ["product", "topo directory", "output directory"],
                "resampleSlc": ["product", "offsets directory", "output"],
                "crossmul": ["reference", "secondary", "range looks", "azimuth looks", "output directory"],
                "geocode": ["input", "product", "dem", "bounding box", "posting"]}[name]
    names = {line.strip().split("  ")[0] for line in out.splitlines() if line.startswith("  ")}
    assert set(expected) <= names


def test_bad_input_is_a_clean_error(tmp_path, shared_data):
    product = shared_data("envisat", "envisat.h5")
    rc, _, err = command("topo", "topo.product=missing.h5", cwd=tmp_path)
    assert rc == 2 and "missing.h5" in err and len(err.strip().splitlines()) <= 2
    rc, _, err = command("topo", cwd=tmp_path)
    assert rc == 2 and "topo.product" in err and "mandatory" in err
    rc, _, err = command("geo2rdr", f"geo2rdr.product={product}", cwd=tmp_path)
    assert rc == 2 and "run topo.py first" in err
    dem = shared_data("sanandreas", "SanAnd_dem.tif")  # California: does not cover the Mojave scene
    rc, _, err = command("topo", f"topo.product={product}", f"topo.dem={dem}", cwd=tmp_path)
    assert rc == 2 and "Traceback" not in err and "SanAnd_dem.tif" in err
    assert not (tmp_path / "geometry" / "lat.rdr").exists()


def test_dem_short_of_the_scene_says_by_how_much(tmp_path, shared_data):
    import isce.io
    product = shared_data("envisat", "envisat.h5")
    # the scene spans lon -115.64..-115.51, lat 34.80..34.84: this DEM stops at -115.55
    dem = tmp_path / "short.dem"
    dx = dy = 1 / 1200
    width, length = round(0.20 / dx), round(0.15 / dy)
    isce.io.write(dem, np.zeros((length, width), np.float32), image_type="dem",
                  geo=isce.io.Geo(-115.75, dx, 34.90, -dy))
    rc, _, err = command("topo", f"topo.product={product}", f"topo.dem={dem}", cwd=tmp_path)
    assert rc == 2 and "short by" in err and "on the east" in err
    km = float(err.split("short by ")[1].split(" km")[0])
    assert 3.0 < km < 6.0  # about 0.04 deg of longitude at 34.8 N
    assert not (tmp_path / "geometry").exists() or not any((tmp_path / "geometry").iterdir())
