"""isce.core: the metadata of the InSAR chain (ellipsoid, time, orbit, Doppler, radar grid).

Conventions (as ISCE3): geodetic coordinates are (lon, lat, h) in radians and
metres; ECEF in metres; azimuth times are float seconds since a reference
epoch (:class:`DateTime`, nanosecond-exact); Doppler and other 2-D tables are
evaluated as ``eval(azimuth_time, slant_range)``; look side left = +1,
right = -1.

Importing this package is cheap: every name below is loaded from its module on
first access (``isce.core.Orbit`` imports ``isce.core.orbit`` only then).
"""
from isce._lazy import attach as _attach

# public name -> submodule that defines it
_LAZY = {
    # constants
    "constants": "constants",
    "SPEED_OF_LIGHT": "constants",
    "WGS84_A": "constants",
    "WGS84_E2": "constants",
    # ellipsoid
    "Ellipsoid": "ellipsoid",
    "WGS84": "ellipsoid",
    "enu_matrix": "ellipsoid",
    "ecef_to_enu": "ellipsoid",
    "enu_to_ecef": "ellipsoid",
    # time
    "DateTime": "time",
    "TimeDelta": "time",
    "parse_datetime": "time",
    "epoch_from_units": "time",
    "units_from_epoch": "time",
    "datetime64_from_seconds": "time",
    # polynomials and LUTs
    "Poly1d": "poly",
    "Poly2d": "poly",
    "LUT2d": "lut",
    # Doppler
    "zero_doppler": "doppler",
    "constant_doppler": "doppler",
    "doppler_from_dict": "doppler",
    "to_lut2d": "doppler",
    # radar grid
    "RadarGrid": "radargrid",
    "LookSide": "radargrid",
    # orbit (owned by isce.core.orbit)
    "Orbit": "orbit",
}

_SUBMODULES = frozenset({"constants", "ellipsoid", "time", "poly", "lut", "doppler",
                         "radargrid", "orbit"})

__all__ = sorted(k for k in _LAZY if k != "constants")


__getattr__, __dir__ = _attach(__name__, _SUBMODULES, _LAZY)
