"""Small ALOS PALSAR level-1.0 IMG/LED files of noise echoes whose geometry is real: an ALOS
orbit seeing (lat, lon) at mid-swath. Cheap raw inputs for insarApp's refusal tests."""
import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate.alos_ceos import write_ceos
from isce.simulate.orbit import orbit_over
from isce.simulate.radar import alos_palsar_fbs


def make_alos(folder, name, *, lines, samples, time="2009-06-01T06:00:00", ascending=True,
              side="right", lat=34.5, lon=-116.5):
    """(IMG, LED) paths of an ALOS scene ``name`` in ``folder``: ``lines`` pulses of
    ``samples`` noise samples centred on (lat, lon) at ``time`` (UTC ISO)."""
    radar = alos_palsar_fbs()
    orbit, t_zd = orbit_over(lat, lon, radar.look_angle, side, radar.altitude, radar.inclination,
                             time=time, ascending=ascending, duration_s=20.0, spacing_s=1.0)
    target = WGS84.lon_lat_to_xyz(np.array([np.radians(lon), np.radians(lat), 0.0]))
    dr = SPEED_OF_LIGHT / (2 * radar.range_sampling_rate)
    r0 = float(np.linalg.norm(target - orbit.interpolate(t_zd)[0])) - samples / 2 * dr
    rng = np.random.default_rng(len(name))
    echo = folder / f"{name}.echo"
    isce.io.write(str(echo), (4 * (rng.standard_normal((lines, samples))
                                   + 1j * rng.standard_normal((lines, samples)))).astype(np.complex64))
    raw = RawProduct(orbit=orbit, sensing_start=t_zd - lines / 2 / radar.prf, prf=radar.prf,
                     starting_range=r0, range_sampling_rate=radar.range_sampling_rate,
                     length=lines, width=samples, wavelength=radar.wavelength, look_side=side,
                     chirp_slope=radar.chirp_slope, pulse_length=radar.pulse_length,
                     source=RawSource("raster", str(echo)), antenna_length=radar.antenna_length,
                     platform="ALOS", mission="ALOS", polarization="HH")
    img = folder / f"IMG-HH-ALPSRP{name.upper()}-H1.0__A"
    led = folder / f"LED-ALPSRP{name.upper()}-H1.0__A"
    write_ceos(raw, img, led)
    return img, led
