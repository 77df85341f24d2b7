"""isce.geometry: radar <-> ground geometry (ISCE3's rdr2geo and geo2rdr).

    from isce.geometry import topo, geo2rdr_offsets, load_dem
    topo(grid, orbit, doppler, "dem.tif", "geometry")          # lat/lon/z/los/... .rdr
    geo2rdr_offsets("geometry", sec_grid, sec_orbit, sec_doppler, "offsets", reference_grid=grid)

Point functions: :func:`rdr2geo_points` (time, range -> lon, lat, h),
:func:`geo2rdr_points` (lon, lat, h -> time, range). Block functions:
:func:`rdr2geo_block`, :func:`geo2rdr_block` (in the submodules ``rdr2geo``
and ``geo2rdr``; no function shadows a submodule's name). DEMs:
:func:`load_dem`, :func:`constant_dem`, :class:`DemGrid`.

Units: lon/lat in radians in llh arrays (isce.core convention), degrees in
rasters and grid outputs; heights and ranges in metres; times in seconds
since the radar grid's reference epoch; Doppler in Hz; angles in degrees.
The per-pixel work runs in the compiled module ``isce.ext._geometry``
(C++, OpenMP, GIL released). Importing this package is cheap: names are
loaded on first use.
"""
from isce._lazy import attach as _attach

_LAZY = {
    "rdr2geo_points": "rdr2geo",
    "rdr2geo_block": "rdr2geo",
    "radar_grid_bbox": "rdr2geo",
    "topo": "rdr2geo",
    "TOPO_FILES": "rdr2geo",
    "LAYERS": "rdr2geo",
    "geo2rdr_points": "geo2rdr",
    "geo2rdr_block": "geo2rdr",
    "geo2rdr_offsets": "geo2rdr",
    "STATUS": "geo2rdr",
    "OFFSET_FILES": "geo2rdr",
    "DemGrid": "dem",
    "ConstantDem": "dem",
    "load_dem": "dem",
    "constant_dem": "dem",
    "as_dem": "dem",
}

# geocode, baseline, footprint: written by others; reachable as isce.geometry.geocode etc.
_SUBMODULES = frozenset({"rdr2geo", "geo2rdr", "dem", "geocode", "baseline", "footprint"})

__all__ = sorted(_LAZY)


__getattr__, __dir__ = _attach(__name__, _SUBMODULES, _LAZY)
