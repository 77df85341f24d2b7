"""``mdx.py``: a quicklook PNG of any raster (in place of ISCE2's Motif viewer ``mdx``).

What is shown (``--kind``, default ``auto``):

``amp``    amplitude in dB, ``10 log10`` of the block-mean power (complex: ``|z|^2``; real:
           ``x^2``), 2-98 % stretch;
``phase``  phase of the block-mean complex value, -pi..pi, cyclic colours;
``unw``    an unwrapped phase (band 2 of a 2-band ``.unw``, else the band chosen), block
           mean, wrapped to -pi..pi (one colour cycle per 2 pi, as mdx shows it); pixels whose
           amplitude (band 1) is 0 are no data;
``cor``    coherence (the last band of a ``.cor``, else the band chosen), block mean, 0..1;
``real``   the band's block mean, 2-98 % stretch.
``auto``   ``unw`` for ``*.unw``, ``cor`` for ``*.cor``, ``phase`` for complex interferograms
           (``*.int``, ``*.flat``), ``amp`` for other complex rasters, else ``real`` (a
           geocoded ``*.geo`` as the name before it).

Rasters larger than ``max size`` pixels a side are block-averaged by an integer factor (NaN
samples left out), read a few tens of MiB at a time; drawn with
:mod:`isce.quality.report`'s figure (axes, colour bar with units).
"""
from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass

import numpy as np

from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.framework.application import Option
from isce.io.atomic import replacing, write_text
from isce.quality.report import block_mean, display_limits, draw_image, quicklook_grid

from .command_io import data_name, open_input, output_folder_exists

KINDS = ("auto", "amp", "phase", "unw", "cor", "real")
_INTERFEROGRAMS = (".int", ".flat")


@dataclass
class Picture:
    """Block-averaged values of a raster ready to colour: ``data`` (ny, nx), colour limits,
    colour map, colour-bar label, and the decimation factors."""

    data: np.ndarray
    vmin: float
    vmax: float
    cmap: str
    label: str
    kind: str
    band: int          # 0-based band shown
    fy: int
    fx: int


def choose_kind(path: str, raster, kind: str) -> str:
    """The kind ``auto`` stands for (see the module doc); others are checked against the data."""
    complex_data = np.iscomplexobj(np.empty(0, raster.dtype))
    name = data_name(path).lower()
    name = name[:-4] if name.endswith(".geo") else name      # x.unw.geo is an unwrapped phase
    if kind == "auto":
        if name.endswith(".unw"):
            return "unw"
        if name.endswith(".cor"):
            return "cor"
        if complex_data:
            return "phase" if name.endswith(_INTERFEROGRAMS) else "amp"
        return "real"
    if kind == "phase" and not complex_data:
        raise InputError(f"{path}: {raster.data_type} data have no phase (use --kind real or unw)")
    return kind


def _default_band(raster, kind: str) -> int:
    if kind == "unw":
        return 1 if raster.bands == 2 else 0
    if kind == "cor":
        return raster.bands - 1
    return 0


def _values(raster, band: int, kind: str):
    """``rows -> block`` of what is averaged: power, complex values, or the band's values."""
    def read(rows):
        block = np.asarray(raster.read(band, rows))
        if kind == "amp":
            return (block * np.conj(block)).real if np.iscomplexobj(block) else \
                block.astype(np.float64) ** 2
        if kind == "unw" and raster.bands == 2 and band == 1:
            amp = np.asarray(raster.read(0, rows))
            block = np.array(block, dtype=np.float32)
            block[(amp == 0) | ~np.isfinite(amp)] = np.nan
            return block
        return block if np.iscomplexobj(block) else block.astype(np.float64)
    return read


def picture(raster, path: str, kind: str = "auto", band: int | None = None,
            max_size: int = 1000) -> Picture:
    """What :func:`quicklook` draws for ``raster`` (``band``: 0-based, None: the kind's)."""
    kind = choose_kind(path, raster, kind)
    band = _default_band(raster, kind) if band is None else band
    if not 0 <= band < raster.bands:
        raise InputError(f"{path}: band {band + 1} asked, the raster has {raster.bands} band(s) "
                         "(numbered from 1)")
    ny, nx, fy, fx = quicklook_grid(raster.length, raster.width, max_size)
    mean = block_mean(_values(raster, band, kind), raster.width * 16, (ny, nx), fy, fx)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "amp":
            data = 10 * np.log10(mean.real)
            data[~np.isfinite(data)] = np.nan
            return Picture(data, *display_limits(data), "gray", "amplitude [dB], 2-98 % stretch",
                           kind, band, fy, fx)
        if kind == "phase":
            data = np.angle(mean).astype(np.float32)
            data[~np.isfinite(mean)] = np.nan
            return Picture(data, -math.pi, math.pi, "twilight", "phase [rad]", kind, band, fy, fx)
    data = mean.real if np.iscomplexobj(mean) else mean
    if kind == "unw":
        wrapped = np.angle(np.exp(1j * data)).astype(np.float32)
        wrapped[~np.isfinite(data)] = np.nan
        return Picture(wrapped, -math.pi, math.pi, "twilight", "unwrapped phase, wrapped [rad]",
                       kind, band, fy, fx)
    if kind == "cor":
        return Picture(data, 0.0, 1.0, "gray", "coherence", kind, band, fy, fx)
    return Picture(data, *display_limits(data), "viridis", "value, 2-98 % stretch", kind, band, fy, fx)


def rgba(pic: Picture) -> np.ndarray:
    """The picture's colours, (ny, nx, 4) uint8; no data transparent."""
    import matplotlib  # lazy: heavy plotting library, only when drawing

    cmap = matplotlib.colormaps[pic.cmap].with_extremes(bad=(0, 0, 0, 0))
    span = pic.vmax - pic.vmin
    scaled = (pic.data - pic.vmin) / (span if span else 1.0)
    return cmap(np.ma.masked_invalid(np.clip(scaled, 0, 1)), bytes=True)


def quicklook(path: str, output: str, kind: str = "auto", band: int | None = None,
              max_size: int = 1000) -> Picture:
    """Draw the quicklook PNG of the raster at ``path`` into ``output``."""
    raster = open_input(path)
    pic = picture(raster, path, kind, band, max_size)
    ny, nx = pic.data.shape
    f = max(pic.fy, pic.fx)
    shown = f", shown 1:{f}" if f > 1 else ""
    xl, yl = f"pixels{shown}", f"lines{shown}"
    if raster.geo is not None:
        g = raster.geo
        extent = (g.x0, g.x0 + nx * pic.fx * g.dx, g.y0 + ny * pic.fy * g.dy, g.y0)
        xl, yl = ("longitude [deg]", "latitude [deg]") if g.epsg == 4326 else \
            (f"x [EPSG:{g.epsg}]", f"y [EPSG:{g.epsg}]")
    else:
        extent = (0, nx * pic.fx, ny * pic.fy, 0)
    title = f"{os.path.basename(data_name(path))} band {pic.band + 1} of {raster.bands}: {pic.kind}"
    draw_image(output, pic.data, title=title, cbar_label=pic.label, cmap=pic.cmap, vmin=pic.vmin,
          vmax=pic.vmax, extent=extent, xlabel=xl, ylabel=yl,
          ratio=(ny * pic.fy) / (nx * pic.fx))
    return pic


def write_kml(raster, path: str, output: str, kind: str = "auto", band: int | None = None,
              max_size: int = 2000) -> str:
    """A KML GroundOverlay of a geocoded raster: ``<output stem>.png`` (coloured as mdx.py,
    no data transparent) placed on the raster's bounds."""
    import matplotlib.image  # lazy: heavy plotting library, only for KML output

    if raster.geo is None:
        raise InputError(f"{raster.path}: not geocoded (no map coordinates), so no KML")
    if raster.geo.epsg != 4326:
        raise InputError(f"{raster.path}: KML needs longitude/latitude (EPSG:4326), the raster "
                         f"is on EPSG:{raster.geo.epsg}")
    pic = picture(raster, path, kind, band, max_size)
    png = os.path.splitext(output)[0] + ".png"
    with replacing(png) as temp:
        matplotlib.image.imsave(temp, rgba(pic), format="png")
    ny, nx = pic.data.shape
    west, south, east, north = raster.geo.bounds(nx * pic.fx, ny * pic.fy)
    name = html.escape(os.path.basename(raster.path))
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <GroundOverlay>
    <name>{name} band {pic.band + 1}: {pic.kind}</name>
    <Icon><href>{html.escape(os.path.basename(png))}</href></Icon>
    <LatLonBox>
      <north>{north!r}</north>
      <south>{south!r}</south>
      <east>{east!r}</east>
      <west>{west!r}</west>
    </LatLonBox>
  </GroundOverlay>
</kml>
"""
    write_text(output, text)
    return output


def draw_quicklook(ctx):
    """Draw the quicklook PNG of the input raster."""
    p = ctx.params
    band = None if p.band is None else p.band - 1
    if p.kml:                                 # ISCE2's mdx.py -kml: a Google Earth overlay
        output_folder_exists(p.kml)
        write_kml(open_input(p.input), p.input, p.kml, p.kind, band, p.max_size)
        ctx.add_output(p.kml)
        ctx.log.info("wrote %s and its PNG", p.kml)
        return
    output = p.output or data_name(p.input) + ".png"
    output_folder_exists(output)
    pic = quicklook(p.input, output, p.kind, band, p.max_size)
    ctx.add_output(output)
    ctx.log.info("wrote %s: band %d as %s, %d x %d pixels averaged into each", output,
                 pic.band + 1, pic.kind, pic.fy, pic.fx)


class Mdx(Application):
    """A quicklook PNG of any ISCE raster (in place of ISCE2's mdx.py viewer).

    Complex rasters show amplitude (dB) or phase, .unw files their unwrapped phase in wrapped
    colours, .cor files coherence 0..1, other rasters their values; images over --max-size
    pixels a side are block-averaged (NaN left out). Bands are numbered from 1, as in GDAL.

    The image comes first, as in ISCE2 (mdx.py filt_topophase.flat), or with -i; -kml out.kml
    writes a Google Earth overlay of a geocoded raster instead (as ISCE2's mdx.py -kml). The
    Motif viewer's display options (-wrap, -z, -P, ...) are not taken.

    Examples: mdx.py filt_topophase.flat           (phase)
              mdx.py -i reference.slc --kind amp -o amp.png
              mdx.py -i filt_topophase.unw         (band 2, wrapped colours)
    """

    family = "mdx"
    parameters = (
        Parameter("input", type="path", mandatory=True, doc="Raster to show (data file or .xml)."),
        Parameter("output", type="path", default=None, intent="output",
                  doc="PNG to write; default <input>.png."),
        Parameter("kind", type=str, default="auto", choices=KINDS,
                  doc="What to show: amp (dB), phase, unw (wrapped colours), cor, real, or auto "
                      "(from the name and data type)."),
        Parameter("band", type=int, default=None,
                  doc="Band to show, from 1 (default: the kind's: 2 of a .unw, the last of a .cor, "
                      "else 1)."),
        Parameter("max_size", public_name="max size", type=int, default=1000, units="pixels",
                  doc="Longest side of the image; larger rasters are block-averaged."),
        Parameter("kml", type="path", default=None, intent="output",
                  doc="Instead of the figure, a KML overlay of a geocoded raster and its PNG "
                      "(ISCE2's mdx.py -kml)."),
    )
    options = {"IMAGE": Option("input", xml=True), "-i": "input", "--input": "input",
               "-o": "output", "--output": "output", "-kml": "kml", "--kml": "kml",
               "-k": "kind", "--kind": "kind", "-b": "band", "--band": "band",
               "-s": "max size", "--max-size": "max size"}
    steps = (Step("quicklook", draw_quicklook, draw_quicklook.__doc__),)

    def validate(self):
        for attr, low in (("band", 1), ("max_size", 16)):
            value = getattr(self, attr)
            if value is not None and value < low:
                name = self.parameter(attr).public_name
                raise ConfigurationError(f"must be at least {low}, got {value}",
                                         source=self.source_of(attr),
                                         path=f"{self.config_path}.{name}")
