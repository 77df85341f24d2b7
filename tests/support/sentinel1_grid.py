"""ESA's Sentinel-1 geolocation grid as test data: every ``geolocationGridPoint`` of a product
annotation, and rdr2geo/geo2rdr of them with a product's orbit (the real-grid test of
test_sensors_sentinel1.py and the writer's round trip share it)."""
import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84, ecef_to_enu
from isce.core.time import DateTime
from isce.geometry.geo2rdr import geo2rdr_points
from isce.geometry.rdr2geo import rdr2geo_points


def grid_points(root, epoch):
    """Azimuth time [s since epoch], slant range [m], lat, lon [deg], height [m] of every
    geolocationGridPoint (the annotated azimuth time; two-way slant-range time)."""
    points = root.findall("geolocationGrid/geolocationGridPointList/geolocationGridPoint")
    e = epoch.nanoseconds_since_unix_epoch
    t = np.array([(DateTime(p.findtext("azimuthTime")).nanoseconds_since_unix_epoch - e) / 1e9
                  for p in points])
    r = np.array([float(p.findtext("slantRangeTime")) for p in points]) * SPEED_OF_LIGHT / 2
    lat, lon, hgt = (np.array([float(p.findtext(k)) for p in points])
                     for k in ("latitude", "longitude", "height"))
    return t, r, lat, lon, hgt


def horizontal_error(llh, lat, lon, hgt):
    """Horizontal distance [m] between rdr2geo's points and ESA's (WGS84, local ENU)."""
    ours = WGS84.lon_lat_to_xyz(llh)
    esa_llh = np.column_stack([np.radians(lon), np.radians(lat), hgt])
    esa = WGS84.lon_lat_to_xyz(esa_llh)
    enu = ecef_to_enu(ours - esa, esa_llh[:, 0], esa_llh[:, 1])
    return np.hypot(enu[:, 0], enu[:, 1])


def geolocate(product, grid, orbit_method=None):
    """(horizontal error [m], height error [m], |geo2rdr time error| [s], |range error|
    [samples]) of rdr2geo/geo2rdr of the grid's points with the product's orbit."""
    t, r, lat, lon, hgt = grid
    extra = {} if orbit_method is None else {"orbit_method": orbit_method}
    llh, ok = rdr2geo_points(t, r, product.orbit, product.wavelength, product.look_side,
                             heights=hgt, **extra)
    assert ok.all()
    targets = np.column_stack([np.radians(lon), np.radians(lat), hgt])
    tt, rr, status = geo2rdr_points(targets, product.orbit, product.wavelength,
                                    product.look_side, t0=t, **extra)
    assert np.all(status == 0)
    return (horizontal_error(llh, lat, lon, hgt), np.abs(llh[:, 2] - hgt), np.abs(tt - t),
            np.abs(rr - r) / product.radar_grid.range_pixel_spacing)
