"""Small focused ALOS-like dates (ISCE_SLC products of noise) over 34.5 N, 116.5 W, with a
real ALOS orbit: a whole insarApp chain on a pair of them takes seconds."""
import numpy as np

LAT, LON = 34.5, -116.5
LINES, PIXELS = 240, 160


def alos_geometry(ascending=True):
    """(radar, orbit, zero-Doppler time of (LAT, LON)) of an ALOS PALSAR FBS pass."""
    from isce.simulate.orbit import orbit_over
    from isce.simulate.radar import alos_palsar_fbs

    radar = alos_palsar_fbs()
    orbit, t_zd = orbit_over(LAT, LON, radar.look_angle, "right", radar.altitude,
                             radar.inclination, time="2009-06-01T06:00:00", ascending=ascending,
                             duration_s=20.0, spacing_s=1.0)
    return radar, orbit, t_zd


def mid_range(orbit, t_zd):
    """Slant range [m] from the orbit at ``t_zd`` to (LAT, LON) on the ellipsoid."""
    from isce.core.ellipsoid import WGS84

    target = WGS84.lon_lat_to_xyz(np.array([np.radians(LON), np.radians(LAT), 0.0]))
    return float(np.linalg.norm(target - orbit.interpolate(t_zd)[0]))


def make_slc(folder, name, seed, lines=LINES, pixels=PIXELS):
    """A focused ALOS-like date (zero Doppler) as isce writes them: raster + SlcProduct JSON;
    returns the JSON's path (an ISCE_SLC reader's PRODUCT)."""
    import isce.io
    from isce.core.constants import SPEED_OF_LIGHT
    from isce.core.radargrid import RadarGrid
    from isce.sensors.product import ImageSource, SlcProduct

    radar, orbit, t_zd = alos_geometry()
    dr = SPEED_OF_LIGHT / (2 * radar.range_sampling_rate)
    grid = RadarGrid(t_zd - lines / 2 / radar.prf, orbit.reference_epoch, prf=radar.prf,
                     starting_range=mid_range(orbit, t_zd) - pixels / 2 * dr,
                     range_pixel_spacing=dr, length=lines, width=pixels,
                     wavelength=radar.wavelength, look_side="right")
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal((lines, pixels)) + 1j * rng.standard_normal((lines, pixels)))
    path = folder / f"{name}.slc"
    isce.io.write(str(path), z.astype(np.complex64))
    product = SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=28e6,
                         range_sampling_rate=radar.range_sampling_rate, platform="ALOS",
                         source=ImageSource("raster", str(path)))
    product.save(str(path) + ".json")
    return path.with_name(path.name + ".json")


def pair_xml(path, slcs, extra="", ref_extra="", sec_extra="", ref_name="Reference"):
    """A stripmapApp XML of the ISCE_SLC pair ``slcs`` (no unwrapping) at ``path``."""
    ref, sec = slcs
    path.write_text(f'<stripmapApp><component name="insar">\n'
                    f'  <property name="sensor name">ISCE_SLC</property>\n'
                    f'  <component name="{ref_name}"><property name="PRODUCT">{ref}</property>'
                    f'{ref_extra}</component>\n'
                    f'  <component name="Secondary"><property name="PRODUCT">{sec}</property>'
                    f'{sec_extra}</component>\n'
                    f'  <property name="do unwrap">False</property>\n  {extra}\n'
                    f'</component></stripmapApp>\n')
    return path


#: configuration of an ALOS pair whose files need not exist (configuration-time checks)
ALOS_SETTINGS = ["insarApp.sensor name=ALOS",
                 "insarApp.Reference.IMAGEFILE=IMG-A", "insarApp.Reference.LEADERFILE=LED-A",
                 "insarApp.Secondary.IMAGEFILE=IMG-B", "insarApp.Secondary.LEADERFILE=LED-B"]
