"""Rasters with sidecars: flat little-endian binary files plus ``<f>.xml`` (ISCE image XML),
``<f>.vrt`` (GDAL) and ``<f>.hdr`` (ENVI), written atomically and read through memory maps.

    import isce.io
    with isce.io.create("x.rdr", width, length, "FLOAT", image_type="dem") as ds:
        for rows in isce.io.iter_blocks(length, 256):
            ds[rows] = compute(rows)
    r = isce.io.open("x.rdr")          # or "x.rdr.xml" / "x.rdr.vrt" / "x.rdr.hdr"
    r.width, r.length, r.bands, r.dtype, r.scheme, r.image_type, r.geo
    r.read(band=0, rows=slice(0, 100))

Names are loaded on first use, so ``import isce.io`` costs nothing.
"""
from isce._lazy import attach as _attach

_EXPORTS = {
    "open": ("raster", "open_raster"),
    "open_raster": ("raster", "open_raster"),
    "create": ("raster", "create"),
    "write": ("raster", "write_raster"),
    "write_raster": ("raster", "write_raster"),
    "Raster": ("raster", "Raster"),
    "RasterWriter": ("raster", "RasterWriter"),
    "release_pages": ("raster", "release_pages"),
    "release_span": ("raster", "release_span"),
    "RasterError": ("errors", "RasterError"),
    "RasterInfo": ("info", "RasterInfo"),
    "Geo": ("info", "Geo"),
    "SCHEMES": ("info", "SCHEMES"),
    "ISCE_TYPES": ("datatypes", "ISCE_TYPES"),
    "read_info": ("sidecars", "read_info"),
    "write_sidecars": ("sidecars", "write_sidecars"),
    "iter_blocks": ("blocks", "iter_blocks"),
    "iter_windows": ("blocks", "iter_windows"),
    "Window": ("blocks", "Window"),
    "block_lines_for": ("blocks", "block_lines_for"),
    "progress_bar": ("blocks", "progress_bar"),
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = _attach(__name__, (), {k: f"{m}:{a}" for k, (m, a) in _EXPORTS.items()})
