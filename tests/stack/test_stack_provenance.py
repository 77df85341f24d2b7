"""A stackStripMap run's rasters carry their provenance (issue 13, item 4): the stack's tasks
run in workers without the application's context, so the dates come from the products'
names (``<d1>_<d2>`` pair folders, ``<date>`` folders), read here through GDAL."""
from pathlib import Path

import pytest
import rasterio

from isce.version import release_version

pytestmark = pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")


def test_every_stack_raster_names_its_bands_units_version_and_dates(local_run, sim_stack):
    rasters = sorted(p for p in Path(local_run).rglob("*.vrt") if not p.name.startswith("."))
    kinds = {p.relative_to(local_run).parts[0] for p in rasters}
    assert {"Igrams", "SLC", "merged", "geom_reference", "offsets"} <= kinds, kinds
    for vrt in rasters:
        rel = vrt.relative_to(local_run)
        with rasterio.open(vrt) as ds:
            assert all(ds.descriptions) and all(ds.units), (rel, ds.descriptions)
            tags = ds.tags()
        assert tags["ISCE_VERSION"] == f"isce {release_version}", rel
        if rel.parts[0] == "Igrams":
            d1, d2 = rel.parts[1].split("_")
            assert (tags["REFERENCE_DATE"], tags["SECONDARY_DATE"]) == (d1, d2), rel
            assert d1 in sim_stack.dates and d2 in sim_stack.dates
        elif rel.parts[0] in ("SLC", "merged", "offsets"):
            assert tags["ACQUISITION_DATE"] in rel.parts[1:-1], (rel, tags)    # its date folder
            assert tags["ACQUISITION_DATE"] in sim_stack.dates
