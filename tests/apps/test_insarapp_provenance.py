"""A finished insarApp run's products carry their provenance (issue 13, item 4).

simulateApp.py makes a small focused ALOS pair (ISCE_SLC, speckle, synthetic DEM);
insarApp.py runs it in two processes (``--end=filter``, then ``--next``: a resumed
run dates its products too). Every raster the run recorded is then read through GDAL: each
band has a description and a unit, every product but the masks a no-data value, and the
dataset's metadata names the isce version and the pair's dates. The geocoded connected
components are written, integer-valued, and equal to the radar components at the radar
pixel geocoding's nearest-neighbour rule picks (found by geocoding each pixel's index).
"""
import json
import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from isce_commands import run_command

import isce.io
from isce.geometry.geocode import GeoGrid, geocode_product
from isce.sensors import SlcProduct
from isce.version import release_version

pytestmark = pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")

LOOKS = (4, 2)
DATES = {"REFERENCE_DATE": "20080601", "SECONDARY_DATE": "20080717"}   # the simulator's ALOS dates
SETTINGS = ("insarApp.xml", "insar.unwrapper name=mcf", f"insar.azimuth looks={LOOKS[0]}",
            f"insar.range looks={LOOKS[1]}", "--steps")
#: products whose every value means something (no no-data value)
NO_NODATA = ("shadowMask.rdr",)
CONNCOMP = "filt_topophase.unw.conncomp"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("provenance")
    sim = run_command("simulateApp.py", "simulateApp.sensor=ISCE_SLC", "simulateApp.scene=speckle",
                      "simulateApp.dem=true", "simulateApp.pulses=6144",
                      "simulateApp.samples=1280", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    work = folder / "simulation"
    for part in ("--end=filter", "--next"):
        app = run_command("insarApp.py", *SETTINGS, part, cwd=work, timeout=900)
        assert app.returncode == 0, app.stderr[-3000:]
    return work


def rasters(run):
    """Every raster the run recorded as an output (those with sidecars, links included), and
    the GeoTIFFs."""
    outputs = {run / p for m in (run / "PICKLE").glob("*.json")
               for p in json.loads(m.read_text()).get("outputs", {})}
    return sorted(p for p in outputs if Path(f"{p}.vrt").is_file() or p.suffix == ".tif")


def test_every_raster_names_its_bands_units_nodata_version_and_dates(run):
    found = rasters(run)
    names = {p.name for p in found}
    # the products of every step are among them (the check below cannot pass on an empty list)
    assert {"reference.slc", "secondary.slc", "lat.rdr", "los.rdr", "z.rdr", "range.off", "azimuth.off",
            "refined_coreg.slc", "topophase.flat", "topophase.cor", "phsig.cor", "filt_topophase.unw",
            f"{CONNCOMP}", "topophase.unw", "filt_topophase.unw.geo", f"{CONNCOMP}.geo",
            "filt_topophase.unw.geo.tif", "hgt.rdr", "hgt.rdr.full"} <= names, sorted(names)
    for path in found:
        with rasterio.open(path if path.suffix == ".tif" else f"{path}.vrt") as ds:
            where = path.name
            assert all(ds.descriptions) and all(ds.units), (where, ds.descriptions, ds.units)
            plain = path.name.removesuffix(".tif").removesuffix(".geo").removesuffix(".full")
            if plain not in NO_NODATA:
                assert all(v is not None for v in ds.nodatavals), (where, ds.nodatavals)
            tags = ds.tags()
            assert tags["ISCE_VERSION"] == f"isce {release_version}", where
            assert {k: tags.get(k) for k in DATES} == DATES, (where, tags)


def test_products_say_what_their_bands_are(run):
    expect = {"interferogram/topophase.cor": (("coherence",), ("1",), 0.0),
              "interferogram/filt_topophase.unw": (("amplitude", "unwrapped phase"), ("1", "rad"), 0.0),
              "geometry/los.rdr": (("incidence angle", "LOS azimuth angle (anticlockwise from north)"),
                                   ("deg", "deg"), None),
              "geo/filt_topophase.unw.geo": (("amplitude", "unwrapped phase"), ("1", "rad"), None),
              f"geo/{CONNCOMP}.geo": (("connected component",), ("1",), 0.0)}
    for name, (bands, units, nodata) in expect.items():
        with rasterio.open(run / f"{name}.vrt") as ds:
            assert (ds.descriptions, ds.units) == (bands, units), name
            assert ds.nodata == nodata if nodata is not None else math.isnan(ds.nodata), name


def test_geocoded_connected_components_are_the_radar_ones_at_nearest(run, tmp_path):
    radar = isce.io.open(run / "interferogram" / CONNCOMP).read()
    geo = isce.io.open(run / "geo" / f"{CONNCOMP}.geo")
    labels = geo.read()
    assert labels.dtype == np.uint8                              # integer-valued, as the radar one
    assert set(np.unique(labels)) <= set(np.unique(radar)) and (labels == 1).mean() > 0.5
    # geocode each radar pixel's index on the same grid with the same rule: the geocoded
    # components must be the radar components at those pixels
    index = np.arange(radar.size, dtype=np.int32).reshape(radar.shape) + 1   # 0: outside
    isce.io.write(tmp_path / "index.rdr", index)
    report = json.loads((run / "report.json").read_text())
    ref = SlcProduct.load(f"{run / report['slc']['reference']}.json")
    out = geocode_product(ref, [str(tmp_path / "index.rdr")], looks=LOOKS, dem=str(run / "dem.dem"),
                          geogrid=GeoGrid.from_raster(geo.path), method="nearest", geotiff=False,
                          output_dir=str(tmp_path))
    picked = isce.io.open(out[str(tmp_path / "index.rdr")]["geo"]).read()
    inside = picked > 0
    assert inside.mean() > 0.5
    np.testing.assert_array_equal(labels[inside], radar.ravel()[picked[inside] - 1])
    assert not labels[~inside].any()                             # outside the scene: 0 (no data)
