"""``looks.py``: multilook any ISCE raster (ISCE2's ``looks.py``, mroipac ``Looks``)."""
from __future__ import annotations

import os

import numpy as np

import isce.io
from isce.framework import Application, ConfigurationError, Parameter, Step
from isce.signal.looks import multilook

from .command_io import data_name, open_input, output_folder_exists

_BUDGET = 64 * 2**20       # bytes of input read per block


def default_output(infile: str, az_looks: int, rg_looks: int) -> str:
    """ISCE2's name: ``<stem>.<a>alks_<r>rlks<ext>`` (``x.int`` -> ``x.4alks_2rlks.int``)."""
    stem, ext = os.path.splitext(data_name(infile))
    return f"{stem}.{az_looks}alks_{rg_looks}rlks{ext}"


def looked_geo(geo, az_looks: int, rg_looks: int):
    """Grid of the looked raster: same outer corner, spacing times the looks (None stays None)."""
    if geo is None:
        return None
    return isce.io.Geo(geo.x0, geo.dx * rg_looks, geo.y0, geo.dy * az_looks, geo.epsg)


def _as_stored(block, dtype):
    """A looked block in the input's type: integers truncated toward zero (ISCE2's cast)."""
    if np.issubdtype(dtype, np.integer):
        return np.trunc(np.nan_to_num(block)).astype(dtype)
    return block.astype(dtype, copy=False)


def look_raster(src, output: str, az_looks: int, rg_looks: int, progress: bool = False) -> str:
    """Write ``src`` (an open isce.io raster) multilooked ``az_looks`` x ``rg_looks`` to
    ``output``: each band's window mean as stored (complex averaged), block by block."""
    length, width = src.length // az_looks, src.width // rg_looks
    if length < 1 or width < 1:
        raise ConfigurationError(f"{src.path} is {src.width} x {src.length}: too small for "
                                 f"{az_looks} azimuth x {rg_looks} range looks")
    out_lines = max(1, isce.io.block_lines_for(src.width * az_looks, src.dtype, src.bands,
                                               budget=_BUDGET))
    with isce.io.create(output, width, length, src.data_type, bands=src.bands, scheme=src.scheme,
                        image_type=src.image_type, geo=looked_geo(src.geo, az_looks, rg_looks),
                        extra=src.info.extra) as ds:
        for rows in isce.io.iter_blocks(length, out_lines, progress=progress, desc="looks"):
            source_rows = slice(rows.start * az_looks, rows.stop * az_looks)
            for band in range(src.bands):
                looked = multilook(src.read(band, source_rows), az_looks, rg_looks)
                ds.write(_as_stored(looked, src.dtype), rows, band=band)
    return output


def take_looks(ctx):
    """Multilook the input raster into the output (with its .xml/.vrt/.hdr)."""
    p = ctx.params
    if p.azimuth_looks == 1 and p.range_looks == 1:
        ctx.log.info("Nothing to do. One look requested in each direction.")
        return
    src = open_input(p.input)
    output = data_name(p.output) if p.output else default_output(p.input, p.azimuth_looks,
                                                                   p.range_looks)
    output_folder_exists(output)
    if os.path.abspath(output) == os.path.abspath(src.path):
        raise ConfigurationError(f"the output {output} is the input: name another one with -o")
    ctx.add_input(src.path)
    look_raster(src, output, p.azimuth_looks, p.range_looks, progress=True)
    ctx.add_output(output)
    ctx.state.output = output
    ctx.log.info("Output filename : %s (%d x %d, %s)", output, src.width // p.range_looks,
                 src.length // p.azimuth_looks, src.data_type)


class Looks(Application):
    """Take an integer number of looks of any ISCE raster (ISCE2's looks.py).

    Each band's mean over windows of azimuth x range looks, in the input's data type
    (complex samples averaged as complex; integers truncated toward zero as ISCE2's looks
    casts them); a partial window at the bottom or right edge is dropped. NaN samples (no
    data) are left out of a window's mean, where ISCE2 lets one NaN spoil the window.
    Geocoded rasters keep their corner, the spacing grows by the looks. The output gets
    .xml, .vrt and .hdr sidecars; its default name is ISCE2's <stem>.<a>alks_<r>rlks<ext>.
    One look in each direction: "Nothing to do", exit 0, nothing written.

    Example: looks.py -i filt_topophase.flat -r 4 -a 4
    """

    family = "looks"
    parameters = (
        Parameter("input", type="path", mandatory=True,
                  doc="Input ISCE raster (the data file or its .xml)."),
        Parameter("output", type="path", default=None, intent="output",
                  doc="Output raster; default <stem>.<a>alks_<r>rlks<ext> beside the input."),
        Parameter("range_looks", public_name="range looks", type=int, default=1, units="pixels",
                  doc="Number of range looks."),
        Parameter("azimuth_looks", public_name="azimuth looks", type=int, default=1,
                  units="lines", doc="Number of azimuth looks."),
    )
    options = {"-i": "input", "--input": "input", "-o": "output", "--output": "output",
               "-r": "range looks", "--range": "range looks",
               "-a": "azimuth looks", "--azimuth": "azimuth looks"}
    steps = (Step("looks", take_looks, take_looks.__doc__),)

    def validate(self):
        for attr in ("range_looks", "azimuth_looks"):
            if getattr(self, attr) < 1:
                name = self.parameter(attr).public_name
                raise ConfigurationError(f"must be at least 1, got {getattr(self, attr)}",
                                         source=self.source_of(attr),
                                         path=f"{self.config_path}.{name}")
