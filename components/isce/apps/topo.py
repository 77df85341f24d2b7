"""``topo.py``: rdr2geo of a radar product's grid (lat, lon, z, los, angles)."""
from __future__ import annotations

from isce.framework import Application, InputError, Parameter, Step
from isce.geometry.footprint import check_dem_coverage, scene_footprint
from isce.geometry.rdr2geo import topo as run_topo
from isce.sensors.product import SlcProduct

from .products import ORBIT_INTERPOLATION, PRODUCT_SELECTION, apply_orbit_interpolation, load_product


def prepare(ctx):
    """Read the product metadata and check the DEM."""
    p = ctx.params
    product = load_product(p.product, p.polarization, p.frequency)
    ctx.add_input(p.product)
    apply_orbit_interpolation(product, p.orbit_interpolation, ctx.log, p.product)
    if p.dem:  # a DEM that does not cover the scene fails here, before the long step
        ctx.add_input(p.dem)
        footprint = scene_footprint(product.radar_grid, product.orbit, product.geometry_doppler)
        try:
            voids = check_dem_coverage(p.dem, footprint)
        except OSError as exc:
            raise InputError(f"{p.dem}: cannot read the DEM: {exc}") from None
        if voids:
            ctx.log.warning("%s: %d void samples (NaN, inf or nodata) over the scene: the geometry "
                            "is NaN where they are (insarApp's verifyDEM fills them)", p.dem, voids)
    ctx.state.product = product.to_dict()
    ctx.log.info("%s: %d lines x %d pixels, %s-looking", p.product, product.length,
                 product.width, product.look_side)


def topo(ctx):
    """Solve rdr2geo for every pixel and write the geometry rasters."""
    p = ctx.params
    product = SlcProduct.from_dict(ctx.state.product)
    dem = p.dem if p.dem else p.height
    try:
        paths = run_topo(product.radar_grid, product.orbit, product.geometry_doppler, dem=dem,
                         output_dir=p.output_dir, progress=True)
    except ValueError as exc:  # e.g. the DEM does not cover part of the scene
        raise InputError(str(exc)) from None
    for path in paths.values():
        ctx.add_output(path)
    ctx.state.topo = {k: str(v) for k, v in paths.items()}
    ctx.log.info("wrote %s", ", ".join(sorted(str(v) for v in paths.values())))


class Topo(Application):
    """rdr2geo of a radar product: where every pixel is on the ground.

    Writes lat.rdr lon.rdr z.rdr los.rdr inc.rdr hdg.rdr localInc.rdr localPsi.rdr
    incLocal.rdr shadowMask.rdr (ISCE2 topozero's two: psi and local incidence, shadow 1 /
    layover 2) in the output directory; heights come from the DEM (biquintic interpolation)
    or, without one, the constant height.
    """

    family = "topo"
    parameters = (
        Parameter("product", type="path", mandatory=True, doc="Radar product (.h5 RSLC or product .json)."),
        Parameter("dem", type="path", default=None, doc="DEM (any GDAL format or ISCE raster), WGS-84 heights."),
        Parameter("height", type=float, default=0.0, units="m", doc="Height when no DEM is given."),
        Parameter("output_dir", public_name="output directory", type="path", default="geometry", intent="output",
                  doc="Folder for the geometry rasters."),
        *PRODUCT_SELECTION,
        ORBIT_INTERPOLATION,
    )
    steps = (
        Step("prepare", prepare, prepare.__doc__),
        Step("topo", topo, topo.__doc__),
    )
