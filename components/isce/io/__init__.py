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
from importlib import import_module as _import_module

_EXPORTS = {
    "open": ("raster", "open_raster"),
    "open_raster": ("raster", "open_raster"),
    "create": ("raster", "create"),
    "write": ("raster", "write_raster"),
    "write_raster": ("raster", "write_raster"),
    "Raster": ("raster", "Raster"),
    "RasterWriter": ("raster", "RasterWriter"),
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
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'isce.io' has no attribute {name!r}") from None
    value = getattr(_import_module(f"{__name__}.{module}"), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
