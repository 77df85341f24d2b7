"""Physical and geodetic constants used throughout :mod:`isce`.

All values are SI (metres, seconds, radians) unless the name says otherwise.

The WGS-84 eccentricity squared is the value ISCE2 and ISCE3 use
(``0.0066943799901``, i.e. the defining value truncated to 13 decimals), so
that geolocation agrees with their reference outputs to the last digit; the
value derived from the defining flattening is available as
:data:`WGS84_E2_EXACT` (they differ by 4e-14, i.e. ~0.1 µm in height).
"""

#: Speed of light in vacuum [m/s] (exact, SI definition).
SPEED_OF_LIGHT = 299792458.0

#: WGS-84 semi-major axis [m] (defining constant).
WGS84_A = 6378137.0

#: WGS-84 inverse flattening [-] (defining constant).
WGS84_INV_FLATTENING = 298.257223563

#: WGS-84 flattening [-].
WGS84_F = 1.0 / WGS84_INV_FLATTENING

#: WGS-84 first eccentricity squared [-], as used by ISCE2/ISCE3.
WGS84_E2 = 0.0066943799901

#: WGS-84 first eccentricity squared derived from the flattening, f (2 - f) [-].
WGS84_E2_EXACT = WGS84_F * (2.0 - WGS84_F)

#: WGS-84 semi-minor axis [m] (from :data:`WGS84_A` and :data:`WGS84_E2`).
WGS84_B = WGS84_A * (1.0 - WGS84_E2) ** 0.5

#: WGS-84 geocentric gravitational constant GM [m^3/s^2].
WGS84_GM = 3.986004418e14

#: WGS-84 nominal mean angular velocity of the Earth [rad/s].
EARTH_ROTATION_RATE = 7.292115e-5

#: Seconds in a (civil, leap-second-free) day [s].
SECONDS_PER_DAY = 86400

#: Nanoseconds per second [ns/s].
NANOSECONDS_PER_SECOND = 1_000_000_000

#: Global bounds of terrain height [m] used as a search bracket (as ISCE3).
GLOBAL_MIN_HEIGHT = -500.0
GLOBAL_MAX_HEIGHT = 9000.0

__all__ = [
    "SPEED_OF_LIGHT", "WGS84_A", "WGS84_INV_FLATTENING", "WGS84_F", "WGS84_E2",
    "WGS84_E2_EXACT", "WGS84_B", "WGS84_GM", "EARTH_ROTATION_RATE",
    "SECONDS_PER_DAY", "NANOSECONDS_PER_SECOND", "GLOBAL_MIN_HEIGHT",
    "GLOBAL_MAX_HEIGHT",
]
