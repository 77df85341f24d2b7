"""isce.dem: DEMs for processing (ISCE's ``verifyDEM``) and the EGM96 geoid.

    from isce.dem import prepare_dem, geoid_undulation
    dem = prepare_dem("srtm.tif", footprint=(west, south, east, north))  # -> path of a WGS-84 DEM
    N = geoid_undulation(lat_deg, lon_deg)                               # [m]

:func:`prepare_dem` opens any GDAL DEM or ISCE DEM raster, finds its vertical
reference, converts geoid (EGM96) heights to WGS-84 ellipsoid heights into
``<dem>.wgs84`` (an ISCE raster with sidecars) and checks that the DEM covers
the scene. :mod:`isce.dem.geoid` gives EGM96 undulations (NGA's 15' grid as
shipped inside isce as package data; or the ``egm96``
package; or any GTX grid) and reads GTX grids. Names load on first use.
"""
from isce._lazy import attach as _attach

_LAZY = {
    "prepare_dem": "dem",
    "verify_dem": "dem",
    "DemReport": "dem",
    "vertical_reference": "dem",
    "geoid_undulation": "geoid",
    "geoid_to_ellipsoid": "geoid",
    "ellipsoid_to_geoid": "geoid",
    "read_gtx": "geoid",
    "GeoidGrid": "geoid",
    "GeoidUnavailable": "geoid",
    "default_geoid": "geoid",
    "packaged_geoid": "geoid",
    "as_geoid": "geoid",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = _attach(__name__, ("dem", "geoid"), _LAZY)
