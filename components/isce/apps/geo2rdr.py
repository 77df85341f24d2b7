"""``geo2rdr.py``: range and azimuth offsets of a secondary product over a topo run."""
from __future__ import annotations

from pathlib import Path

from isce.core.radargrid import RadarGrid
from isce.framework import Application, InputError, Parameter, Step
from isce.geometry.geo2rdr import geo2rdr_offsets
from isce.sensors.product import SlcProduct

from .products import ORBIT_INTERPOLATION, PRODUCT_SELECTION, apply_orbit_interpolation, load_product

TOPO_LAYERS = ("lon.rdr", "lat.rdr", "z.rdr")


def prepare(ctx):
    """Read the secondary product and check the topo rasters."""
    p = ctx.params
    product = load_product(p.product, p.polarization, p.frequency)
    ctx.add_input(p.product)
    apply_orbit_interpolation(product, p.orbit_interpolation, ctx.log, p.product)
    for name in TOPO_LAYERS:
        path = Path(p.topo_dir) / name
        if not path.exists():
            raise InputError(f"{path}: no such topo raster (run topo.py first)")
        ctx.add_input(path)
    ctx.state.product = product.to_dict()
    ctx.state.reference_grid = None
    if p.reference:
        ctx.add_input(p.reference)
        ctx.state.reference_grid = load_product(p.reference, p.polarization, p.frequency).radar_grid.to_dict()


def geo2rdr(ctx):
    """Solve geo2rdr for every topo pixel and write range.off and azimuth.off (pixels)."""
    p = ctx.params
    product = SlcProduct.from_dict(ctx.state.product)
    ref = ctx.state.reference_grid
    try:
        paths = geo2rdr_offsets(p.topo_dir, product.radar_grid, product.orbit, product.geometry_doppler,
                                output_dir=p.output_dir,
                                reference_grid=RadarGrid.from_dict(ref) if ref else None,
                                progress=True)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    for path in paths.values():
        ctx.add_output(path)
    ctx.state.offsets = {k: str(v) for k, v in paths.items()}
    ctx.log.info("wrote %s", ", ".join(sorted(str(v) for v in paths.values())))


class Geo2rdr(Application):
    """geo2rdr of a secondary product over the reference's topo rasters.

    For each reference pixel (lon, lat, z from topo.py) finds the secondary's
    zero-Doppler (or native-Doppler) time and range and writes the offsets, in
    secondary pixels, as range.off and azimuth.off.
    """

    family = "geo2rdr"
    parameters = (
        Parameter("product", type="path", mandatory=True, doc="Secondary product (.h5 RSLC or product .json)."),
        Parameter("topo_dir", public_name="topo directory", type="path", default="geometry",
                  doc="Folder with lon.rdr, lat.rdr, z.rdr from topo.py."),
        Parameter("output_dir", public_name="output directory", type="path", default="offsets", intent="output",
                  doc="Folder for range.off and azimuth.off."),
        Parameter("reference", type="path", default=None,
                  doc="Reference product (its grid seeds the iterations; recommended)."),
        *PRODUCT_SELECTION,
        ORBIT_INTERPOLATION,
    )
    steps = (
        Step("prepare", prepare, prepare.__doc__),
        Step("geo2rdr", geo2rdr, geo2rdr.__doc__),
    )
