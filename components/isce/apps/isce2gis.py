"""``isce2gis.py``: a product for GIS tools (ISCE2's ``isce2gis.py``): ``vrt`` (GDAL VRT, with
geolocation arrays when ``--lat``/``--lon`` are given), ``envi`` (ENVI ``.hdr``), and ours for
geocoded products: ``geotiff`` and ``kml`` (a Google Earth GroundOverlay with a PNG)."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET


from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.io import envi, vrt
from isce.geometry.geocode import write_geotiff
from isce.io.atomic import write_text

from .command_io import data_name, open_input, output_folder_exists
from .quicklook import KINDS, write_kml

FORMATS = ("vrt", "envi", "geotiff", "kml")
#: EPSG:4326 as WKT, the SRS of geolocation arrays in degrees (GDAL's default, stated)
WGS84_WKT = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
             'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AXIS["Latitude",NORTH],'
             'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]')


def write_vrt(raster) -> str:
    """``<data>.vrt`` describing ``raster`` (its data file named relative to the VRT)."""
    path = raster.path + ".vrt"
    write_text(path, vrt.render(raster.info, os.path.basename(raster.path)))
    return path


def write_envi(raster) -> str:
    """``<data>.hdr`` (ENVI) describing ``raster``."""
    path = raster.path + ".hdr"
    write_text(path, envi.render(raster.info, f"{os.path.basename(raster.path)}: isce2gis.py envi"))
    return path


def _coordinate_raster(path: str, what: str, shape: tuple):
    """The one-band lat or lon raster ``path``, its size checked against the image's."""
    r = open_input(path)
    if r.bands != 1:
        raise InputError(f"{path}: the {what} raster has {r.bands} bands, expected 1")
    if (r.length, r.width) != shape:
        raise InputError(f"{path}: the {what} raster is {r.width} x {r.length}, the image "
                         f"{shape[1]} x {shape[0]}: widths and lengths must match")
    return r


def write_geolocation_vrt(raster, lat_path: str, lon_path: str) -> str:
    """``<data>.vrt`` with GDAL's GEOLOCATION metadata naming the lat/lon rasters' VRTs (written
    too), so GDAL can warp a radar-grid product (ISCE2's ``isce2gis.py vrt --lat --lon``)."""
    shape = (raster.length, raster.width)
    lat = _coordinate_raster(lat_path, "latitude", shape)
    lon = _coordinate_raster(lon_path, "longitude", shape)
    folder = os.path.dirname(os.path.abspath(raster.path))
    root = ET.fromstring(vrt.render(raster.info, os.path.basename(raster.path)))
    meta = ET.Element("Metadata", domain="GEOLOCATION")
    items = {"SRS": WGS84_WKT,
             "X_DATASET": os.path.relpath(write_vrt(lon), folder),
             "X_BAND": "1",
             "Y_DATASET": os.path.relpath(write_vrt(lat), folder),
             "Y_BAND": "1",
             "PIXEL_OFFSET": "0", "LINE_OFFSET": "0", "PIXEL_STEP": "1", "LINE_STEP": "1"}
    for key, value in items.items():
        ET.SubElement(meta, "MDI", key=key).text = value
    root.insert(0, meta)
    ET.indent(root, space="    ")
    path = raster.path + ".vrt"
    write_text(path, ET.tostring(root, encoding="unicode") + "\n")
    return path


def _require_geocoded(raster, fmt: str):
    if raster.geo is None:
        raise InputError(f"{raster.path}: not geocoded (no map coordinates), so no {fmt}; "
                         f"export a radar-grid product with: isce2gis.py vrt -i <file> "
                         f"--lat lat.rdr --lon lon.rdr")


def export(ctx):
    """Write the requested GIS file(s) of the input product."""
    p = ctx.params
    if (p.lat is None) != (p.lon is None):
        raise ConfigurationError("--lat and --lon go together: give both or neither")
    if p.format != "vrt" and p.lat is not None:
        raise ConfigurationError(f"--lat/--lon are for the vrt format, not {p.format}")
    raster = open_input(p.input)
    ctx.add_input(raster.path)
    if p.format == "vrt":
        out = write_vrt(raster) if p.lat is None else write_geolocation_vrt(raster, p.lat, p.lon)
    elif p.format == "envi":
        out = write_envi(raster)
    else:
        suffix = ".tif" if p.format == "geotiff" else ".kml"
        out = p.output or data_name(p.input) + suffix
        output_folder_exists(out)
        _require_geocoded(raster, "GeoTIFF" if p.format == "geotiff" else "KML")
        if p.format == "geotiff":
            write_geotiff(raster.path, out)   # geocode's: band names, units, no-data, provenance
        else:
            write_kml(raster, p.input, out, p.kind, None if p.band is None else p.band - 1)
    ctx.add_output(out)
    ctx.log.info("wrote %s", out)


class Isce2Gis(Application):
    """Export ISCE products to GIS formats (ISCE2's isce2gis.py, plus geotiff and kml).

    isce2gis.py vrt -i <file> [--lat lat.rdr --lon lon.rdr]
        <file>.vrt; with --lat/--lon (one-band rasters of the same size, e.g. geometry/lat.rdr)
        GDAL geolocation arrays, so gdalwarp -geoloc maps a radar-grid product.
    isce2gis.py envi -i <file>
        <file>.hdr (ENVI header).
    isce2gis.py geotiff -i <file.geo> [-o out.tif]
        a GeoTIFF (deflate, tiled) of a geocoded product; default <file>.tif.
    isce2gis.py kml -i <file.geo> [-o out.kml] [--kind ...] [-b band]
        a KML GroundOverlay and its PNG (coloured as mdx.py), default <file>.kml.
    """

    family = "isce2gis"
    parameters = (
        Parameter("format", type=str, mandatory=True, choices=FORMATS,
                  doc="Output format: vrt, envi (ISCE2's), geotiff, kml (geocoded products)."),
        Parameter("input", type="path", mandatory=True, doc="ISCE product file to export."),
        Parameter("lat", type="path", default=None, doc="Latitude raster (vrt only)."),
        Parameter("lon", type="path", default=None, doc="Longitude raster (vrt only)."),
        Parameter("output", type="path", default=None, intent="output",
                  doc="Output of geotiff/kml; default <input>.tif / <input>.kml."),
        Parameter("kind", type=str, default="auto", choices=KINDS,
                  doc="What the kml's image shows (as mdx.py --kind)."),
        Parameter("band", type=int, default=None, doc="Band the kml's image shows, from 1."),
    )
    options = {"FORMAT": "format", "-i": "input", "--input": "input", "--lat": "lat",
               "--lon": "lon", "-o": "output", "--output": "output", "--kind": "kind",
               "-b": "band", "--band": "band"}
    steps = (Step("export", export, export.__doc__),)

    def validate(self):
        if self.band is not None and self.band < 1:
            raise ConfigurationError(f"must be at least 1, got {self.band}",
                                     source=self.source_of("band"), path=f"{self.config_path}.band")
