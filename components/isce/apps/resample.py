"""``resampleSlc.py``: resample a secondary SLC onto the reference grid by offset rasters."""
from __future__ import annotations

from pathlib import Path

import isce.io
from isce.framework import Application, InputError, Parameter, Step
from isce.sensors.product import SlcProduct
from isce.signal.bandpass import bandpass_to_reference, same_range_band
from isce.signal.resample import resample_slc

from .products import PRODUCT_SELECTION, ProductRows, load_product

BLOCK_LINES = 512


def prepare(ctx):
    """Read the secondary product and check the offset rasters."""
    p = ctx.params
    product = load_product(p.product, p.polarization, p.frequency)
    ctx.add_input(p.product)
    shapes = {}
    for name in ("range.off", "azimuth.off"):
        path = Path(p.offsets_dir) / name
        if not path.exists():
            raise InputError(f"{path}: no such offset raster (run geo2rdr.py first)")
        raster = isce.io.open(path)
        shapes[name] = (raster.length, raster.width)
        ctx.add_input(path)
    if shapes["range.off"] != shapes["azimuth.off"]:
        raise InputError(f"{p.offsets_dir}: range.off {shapes['range.off']} and azimuth.off "
                         f"{shapes['azimuth.off']} differ in size")
    ctx.state.secondary = product.to_dict()
    ctx.state.output_shape = shapes["azimuth.off"]
    ctx.state.slc = None  # the secondary image is read from the product
    ctx.log.info("secondary %s: %d x %d, output grid %d x %d", p.product, product.length,
                 product.width, *ctx.state.output_shape)


def bandpass(ctx):
    """Band-pass the secondary to the reference's range band when they differ."""
    p = ctx.params
    if not p.reference:
        ctx.log.info("no reference product given: no band-pass")
        return
    ref = load_product(p.reference, p.polarization, p.frequency)
    ctx.add_input(p.reference)
    sec = SlcProduct.from_dict(ctx.state.secondary)
    if same_range_band(ref, sec):
        ctx.log.info("secondary already in the reference band: no band-pass")
        return
    out = Path(p.output).with_name(Path(p.output).stem + "_bandpassed.slc")
    out.parent.mkdir(parents=True, exist_ok=True)
    ctx.log.info("band-passing %s from %.1f MHz at %.3f GHz to %.1f MHz at %.3f GHz", p.product,
                 (sec.range_bandwidth or 0) / 1e6, sec.center_frequency / 1e9,
                 (ref.range_bandwidth or 0) / 1e6, ref.center_frequency / 1e9)
    try:
        ctx.state.slc = bandpass_to_reference(sec, ref, out, block_lines=BLOCK_LINES, progress=True)
    except ValueError as exc:
        raise InputError(f"{p.product} or {p.reference}: {exc}") from None
    ctx.add_output(out)


def resample(ctx):
    """Resample with the 8-tap sinc, Doppler carrier removed and restored."""
    p = ctx.params
    sec = SlcProduct.from_dict(ctx.state.secondary)
    image = ctx.state.slc or ProductRows(sec)
    Path(p.output).parent.mkdir(parents=True, exist_ok=True)
    doppler = None if sec.is_zero_doppler else sec.doppler
    resample_slc(image, Path(p.offsets_dir) / "range.off", Path(p.offsets_dir) / "azimuth.off",
                 p.output, doppler=doppler, grid=sec.radar_grid, block_lines=BLOCK_LINES,
                 progress=True)
    ctx.add_output(p.output)
    ctx.log.info("wrote %s", p.output)


class ResampleSlc(Application):
    """Resample a secondary SLC onto the reference radar grid.

    out(i, j) = secondary(i + azimuth.off, j + range.off), 8-tap windowed sinc, with
    the secondary's azimuth Doppler carrier removed before and restored after. With
    a reference product whose range band differs (e.g. 40 vs 20 MHz), the secondary
    is first band-passed to the reference band and centre frequency.
    """

    family = "resampleSlc"
    parameters = (
        Parameter("product", type="path", mandatory=True,
                  doc="Secondary product to resample (.h5 RSLC or product .json)."),
        Parameter("offsets_dir", public_name="offsets directory", type="path", default="offsets",
                  doc="Folder with range.off and azimuth.off from geo2rdr.py."),
        Parameter("output", type="path", default="coregisteredSlc/coarse_coreg.slc",
                  intent="output", doc="Resampled SLC (ISCE raster with sidecars)."),
        Parameter("reference", type="path", default=None,
                  doc="Reference product: band-pass the secondary to its range band."),
        *PRODUCT_SELECTION,
    )
    steps = (
        Step("prepare", prepare, prepare.__doc__,
             uses=("product", "offsets directory", "polarization", "frequency")),
        Step("bandpass", bandpass, bandpass.__doc__,
             uses=("reference", "output", "polarization", "frequency"), checks=("product",)),
        Step("resample", resample, resample.__doc__, uses=("output", "offsets directory")),
    )
