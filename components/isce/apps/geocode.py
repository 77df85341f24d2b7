"""``geocode.py``: radar-grid rasters onto a longitude/latitude grid."""
from __future__ import annotations

from pathlib import Path

import isce.io
from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.geometry.footprint import check_dem_coverage, scene_footprint
from isce.geometry.geocode import geocode_product
from isce.sensors.product import SlcProduct

from .products import ORBIT_INTERPOLATION, PRODUCT_SELECTION, apply_orbit_interpolation, load_product


def _looks(product_len: int, raster_len: int) -> int | None:
    """The smallest number of looks that turns ``product_len`` lines into ``raster_len``."""
    for looks in range(1, product_len + 1):
        if product_len // looks == raster_len:
            return looks
    return None


def _posting(posting):
    if posting is None:
        return None
    return posting[0] if len(posting) == 1 else tuple(posting)


def prepare(ctx):
    """Read the product and the rasters to geocode; infer their looks."""
    p = ctx.params
    product = load_product(p.product, p.polarization, p.frequency)
    ctx.add_input(p.product)
    apply_orbit_interpolation(product, p.orbit_interpolation, ctx.log, p.product)
    looks = None
    for path in p.inputs:
        if not Path(path).exists():
            raise InputError(f"{path}: no such raster to geocode")
        raster = isce.io.open(path)
        ctx.add_input(path)
        az = p.azimuth_looks or _looks(product.length, raster.length)
        rg = p.range_looks or _looks(product.width, raster.width)
        if az is None or rg is None or (product.length // az, product.width // rg) != (raster.length, raster.width):
            raise InputError(f"{path}: {raster.length} x {raster.width} is not the product's grid "
                             f"({product.length} x {product.width}) taken with whole looks")
        if looks not in (None, (az, rg)):
            raise InputError(f"{path}: its looks {az}x{rg} differ from the other inputs' {looks}")
        looks = (az, rg)
    if p.dem:  # a DEM missing the scene, or without plausible heights there, fails now
        ctx.add_input(p.dem)
        voids = check_dem_coverage(p.dem, scene_footprint(product.radar_grid, product.orbit,
                                                          product.geometry_doppler))
        if voids:
            ctx.log.warning("%s: %d void samples over the scene: no output there", p.dem, voids)
    ctx.state.product = product.to_dict()
    ctx.state.looks = looks


def geocode(ctx):
    """Geocode each input (interpolation chosen by data type) to <name>.geo and .geo.tif."""
    p = ctx.params
    product = SlcProduct.from_dict(ctx.state.product)
    Path(p.output_dir).mkdir(parents=True, exist_ok=True)
    dem = p.dem if p.dem else p.height
    try:
        result = geocode_product(product, list(p.inputs), looks=ctx.state.looks, dem=dem,
                                 snwe=p.bbox, posting=_posting(p.posting), output_dir=p.output_dir,
                                 progress=True)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    ctx.state.outputs = {}
    for path, info in result.items():
        if path == "geogrid":
            continue
        ctx.add_output(info["geo"])
        ctx.state.outputs[str(path)] = str(info["geo"])
        ctx.log.info("wrote %s (%s, %d valid pixels)", info["geo"], info["method"], info["valid"])


class Geocode(Application):
    """Geocode radar-grid rasters (interferogram, coherence, unwrapped phase, ...).

    Each input goes onto a lon/lat grid given by a bounding box and posting
    (or the DEM's grid), written as an ISCE raster <name>.geo and a GeoTIFF.
    """

    family = "geocode"
    parameters = (
        Parameter("inputs", public_name="input", type="path", container=list, mandatory=True,
                  doc="Radar-grid raster(s) to geocode (comma-separated)."),
        Parameter("product", type="path", mandatory=True, doc="The radar product whose grid they are on."),
        Parameter("dem", type="path", default=None, doc="DEM (any GDAL format or ISCE raster)."),
        Parameter("height", type=float, default=0.0, units="m", doc="Height when no DEM is given."),
        Parameter("bbox", public_name="bounding box", type=float, container=list, default=None,
                  units="deg", doc="South, north, west, east of the output grid."),
        Parameter("posting", type=float, container=list, default=None, units="deg",
                  doc="Output pixel size: one value, or the longitude and latitude steps (dx, dy; dy < 0 north-up)."),
        Parameter("azimuth_looks", public_name="azimuth looks", type=int, default=0,
                  doc="Looks of the inputs in azimuth (0: inferred from their size)."),
        Parameter("range_looks", public_name="range looks", type=int, default=0,
                  doc="Looks of the inputs in range (0: inferred from their size)."),
        Parameter("output_dir", public_name="output directory", type="path", default=".", intent="output",
                  doc="Folder for the .geo and .geo.tif files."),
        *PRODUCT_SELECTION,
        ORBIT_INTERPOLATION,
    )
    steps = (
        Step("prepare", prepare, prepare.__doc__),
        Step("geocode", geocode, geocode.__doc__),
    )

    def validate(self):
        if self.bbox is not None and len(self.bbox) != 4:
            raise ConfigurationError(f"needs 4 values (S, N, W, E), got {len(self.bbox)}",
                                     source=self.source_of("bbox"), path=f"{self.config_path}.bounding box")
        if self.bbox is not None and not (self.bbox[0] < self.bbox[1] and self.bbox[2] < self.bbox[3]):
            raise ConfigurationError("expected S < N and W < E", source=self.source_of("bbox"),
                                     path=f"{self.config_path}.bounding box")
        if self.posting is not None and len(self.posting) not in (1, 2):
            raise ConfigurationError("needs 1 or 2 values", source=self.source_of("posting"),
                                     path=f"{self.config_path}.posting")
