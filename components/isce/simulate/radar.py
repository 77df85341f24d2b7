"""Radar parameters of the simulator and presets (ALOS PALSAR FBS, JPL's REE point target,
Sentinel-1 stripmap S3, TerraSAR-X stripmap, COSMO-SkyMed HIMAGE, RADARSAT-2 Fine).

Units: wavelength [m], PRF [Hz], range sampling rate [Hz], chirp slope [Hz/s]
(sign = up/down chirp), pulse length [s], antenna length [m], look angle [deg],
altitude [m], inclination [deg].

The REE preset carries the values of JPL's radar echo emulator input file for the
out17 point-target case (:data:`REE_OUT17_RDF`); :func:`ree_out17` also reads any such
``.rdf`` (``name (units) = value ! comment`` lines grouped in ``### SECTION`` blocks).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field

from isce.core.constants import SPEED_OF_LIGHT
from isce.framework.errors import InputError

__all__ = ["RadarParameters", "alos_palsar_fbs", "sentinel1_sm_s3", "terrasarx_sm",
           "cosmo_skymed_himage", "radarsat2_fine", "alos2_sm3", "radarsat1_standard",
           "envisat_asar_is2", "ers_sar", "ers_envisat_format", "ree_out17", "read_rdf", "read_ree_fields",
           "preset", "PRESETS", "REE_OUT17_RDF", "REE_RDF_FIELDS"]


@dataclass
class RadarParameters:
    """What the simulator needs to know about the radar (and its nominal orbit).

    ``chirp_slope`` K [Hz/s] of the transmitted ``exp(j pi K t^2)``, ``|t| <=
    pulse_length / 2``; ``antenna_length`` [m] of the azimuth aperture (two-way
    amplitude pattern ``sinc^2(L sin(theta) / lambda)``, beam steered to zero
    Doppler); ``look_angle`` [deg] nominal off-nadir angle; ``altitude`` [m] and
    ``inclination`` [deg] of the nominal circular orbit. ``extra`` keeps
    anything else a preset knows (JSON-able).
    """

    wavelength: float
    prf: float
    range_sampling_rate: float
    chirp_slope: float
    pulse_length: float
    look_side: str = "right"
    antenna_length: float = 10.0
    look_angle: float = 34.3
    altitude: float = 691650.0
    inclination: float = 98.16
    platform: str = ""
    mission: str = ""
    polarization: str = "HH"
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.look_side = str(self.look_side).strip().lower()
        if self.look_side in ("l", "r"):
            self.look_side = {"l": "left", "r": "right"}[self.look_side]
        if self.look_side not in ("left", "right"):
            raise ValueError(f"look side must be 'left' or 'right', got {self.look_side!r}")
        for name in ("wavelength", "prf", "range_sampling_rate", "pulse_length", "antenna_length"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"RadarParameters.{name} must be positive, got {value!r}")
        if not math.isfinite(self.chirp_slope) or self.chirp_slope == 0:
            raise ValueError(f"RadarParameters.chirp_slope must be non-zero, got {self.chirp_slope!r}")

    @property
    def center_frequency(self) -> float:
        """c / wavelength [Hz]."""
        return SPEED_OF_LIGHT / self.wavelength

    @property
    def chirp_bandwidth(self) -> float:
        """|K| T [Hz]."""
        return abs(self.chirp_slope) * self.pulse_length

    @property
    def range_pixel_spacing(self) -> float:
        """c / (2 fs) [m]."""
        return SPEED_OF_LIGHT / (2.0 * self.range_sampling_rate)

    @property
    def chirp_samples(self) -> int:
        """Number of samples of the chirp at the range sampling rate."""
        return int(round(self.pulse_length * self.range_sampling_rate))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RadarParameters":
        return cls(**d)


# ---------------------------------------------------------------- ALOS PALSAR
def alos_palsar_fbs(prf: float = 2159.827, look_angle: float = 34.3) -> RadarParameters:
    """ALOS PALSAR fine-beam single polarisation (FBS, HH).

    L-band 1270 MHz, 28 MHz chirp of 27 us (down-chirp, as ISCE's ALOS reader
    sets ``chirpSlope = -bandwidth / pulseLength``), 32 MHz sampling, PRF about
    2160 Hz, 8.9 m antenna, 34.3 deg off-nadir, right-looking; orbit 691.65 km,
    inclination 98.16 deg (JAXA, ALOS Data Users Handbook).
    """
    bandwidth, pulse = 28.0e6, 27.0e-6
    return RadarParameters(
        wavelength=SPEED_OF_LIGHT / 1270.0e6, prf=float(prf), range_sampling_rate=32.0e6,
        chirp_slope=-bandwidth / pulse, pulse_length=pulse, look_side="right",
        antenna_length=8.9, look_angle=float(look_angle), altitude=691650.0, inclination=98.16,
        platform="ALOS", mission="ALOS", polarization="HH",
        extra={"mode": "FBS", "chirp_bandwidth": bandwidth, "bits": 5})


# ---------------------------------------------------------------- other missions (stripmap)
# ``extra`` of every mission preset: ``mode``, ``chirp_bandwidth`` [Hz], ``repeat_days`` (orbit
# repeat cycle: the default time between the two passes) and ``source`` (where the numbers
# come from). PRF, pulse length and look angle vary from one acquisition to the next; the
# values below are those of one real beam/product as cited.
def _mission(name, *, frequency, bandwidth, pulse, fs, prf, antenna, look, altitude,
             inclination, polarization, mode, repeat_days, source, date, up=True,
             look_side="right"):
    """A mission preset; ``date`` [ISO UTC] is a default acquisition within the mission's life
    (a simulated pass dated before launch would give its format impossible orbit numbers)."""
    return RadarParameters(
        wavelength=SPEED_OF_LIGHT / frequency, prf=float(prf), range_sampling_rate=float(fs),
        chirp_slope=(1.0 if up else -1.0) * bandwidth / pulse, pulse_length=pulse,
        look_side=look_side, antenna_length=antenna, look_angle=float(look), altitude=altitude,
        inclination=inclination, platform=name, mission=name, polarization=polarization,
        extra={"mode": mode, "chirp_bandwidth": bandwidth, "repeat_days": repeat_days,
               "source": source, "default_date": date})


def sentinel1_sm_s3(prf: float = 1924.956266475204, look_angle: float = 28.6) -> RadarParameters:
    """Sentinel-1A stripmap beam S3 (SM, VV), C-band.

    From a real S1A S3 SLC annotation (S1A_S3_SLC__1SDV_20210401T152855, ESA IPF):
    radar frequency 5.405000454334350 GHz, range sampling rate 66.72839509333333 MHz
    (range pixel 2.246363 m), PRF 1924.956 Hz (azimuth pixel 3.553 m), up-chirp of 44.1724 us
    at 1.344932774550966e12 Hz/s (59.41 MHz), mid-swath incidence 32.03 deg (28.6 deg
    off-nadir at 693 km). ESA Sentinel-1 SAR User Guide: 12.3 m x 0.84 m antenna,
    right-looking, S3 off-nadir 24.67-30.99 deg, 693 km reference altitude, inclination
    98.18 deg, 12-day repeat (one satellite).
    """
    pulse, rate = 4.417243291154830e-05, 1.344932774550966e12
    return _mission("SENTINEL-1A", frequency=5.405000454334350e9, bandwidth=rate * pulse,
                    pulse=pulse, fs=6.672839509333333e7, prf=prf, antenna=12.3, look=look_angle,
                    altitude=693000.0, inclination=98.18, polarization="VV", mode="SM S3",
                    repeat_days=12, date="2020-06-01T05:30:00", source="S1A S3 SLC annotation; ESA Sentinel-1 SAR User Guide")


def terrasarx_sm(prf: float = 3800.0, look_angle: float = 32.0) -> RadarParameters:
    """TerraSAR-X / TanDEM-X stripmap (SM, HH), X-band.

    DLR TerraSAR-X Basic Product Specification (TX-GS-DD-3302): 9.65 GHz, 100 MHz chirp in
    stripmap, 4.8 m x 0.7 m antenna, right-looking, 514.8 km altitude, 97.44 deg inclination,
    11-day repeat, SM incidence 20-45 deg (32 deg off-nadir here). Range sampling 109.89 MHz
    (1.364 m range pixel of SSC SM products); PRF 3800 Hz and 35 us pulse are typical of SM
    annotations (PRF 2.9-6.5 kHz).
    """
    return _mission("TSX-1", frequency=9.65e9, bandwidth=100.0e6, pulse=35.0e-6,
                    fs=109.8901e6, prf=prf, antenna=4.8, look=look_angle, altitude=514800.0,
                    inclination=97.44, polarization="HH", mode="SM", repeat_days=11, date="2012-06-01T05:30:00",
                    source="DLR TX-GS-DD-3302 (TerraSAR-X Basic Product Specification)")


def cosmo_skymed_himage(prf: float = 3000.0, look_angle: float = 30.0) -> RadarParameters:
    """COSMO-SkyMed (first generation) stripmap HIMAGE (HH), X-band.

    ASI COSMO-SkyMed SAR Products Handbook / System Description: 9.6 GHz, 5.7 m x 1.4 m
    antenna, right-looking, 619.6 km altitude, 97.86 deg inclination, 16-day repeat (one
    satellite), HIMAGE 40 km swath at about 3 m x 3 m; chirp 80 MHz of 40 us sampled at
    90 MHz and PRF 3000 Hz are representative of HIMAGE beams (they vary per beam).
    """
    return _mission("CSKS1", frequency=9.6e9, bandwidth=80.0e6, pulse=40.0e-6, fs=90.0e6,
                    prf=prf, antenna=5.7, look=look_angle, altitude=619600.0, inclination=97.86,
                    polarization="HH", mode="HIMAGE", repeat_days=16, date="2012-06-01T05:30:00",
                    source="ASI COSMO-SkyMed SAR Products Handbook")


def radarsat2_fine(prf: float = 1329.0, look_angle: float = 35.0) -> RadarParameters:
    """RADARSAT-2 Fine beam (single polarisation HH), C-band.

    MDA RADARSAT-2 Product Description (RN-SP-52-1238): 5.405 GHz, 15 m x 1.37 m antenna,
    right-looking by default, 798 km altitude, 98.6 deg inclination, 24-day repeat, Fine
    beams 30 MHz chirp (about 5.2 m x 7.7 m resolution) sampled at 32.317 MHz; 42 us pulse and
    PRF 1329 Hz as in Fine-beam products (line time 752.5 us).
    """
    return _mission("RADARSAT-2", frequency=5.405e9, bandwidth=30.0e6, pulse=42.0e-6,
                    fs=32.317e6, prf=prf, antenna=15.0, look=look_angle, altitude=798000.0,
                    inclination=98.6, polarization="HH", mode="Fine", repeat_days=24, date="2012-06-01T05:30:00",
                    source="MDA RADARSAT-2 Product Description RN-SP-52-1238")


def alos2_sm3(prf: float = 2122.318448518, look_angle: float = 36.65) -> RadarParameters:
    """ALOS-2 PALSAR-2 stripmap SM3 ("Fine", 10 m; HH), L-band.

    From the real FBD Fine-mode leader of ../shared/data/real_headers
    (ALOS2015976960-140909, JAXA EICS 002.012: operation mode 03): wavelength 0.2424525 m
    (1236.5 MHz, one of PALSAR-2's selectable centre frequencies 1236.5/1257.5/1278.5 MHz),
    up-chirp 8.0733624e11 Hz/s of 30.842168 us (24.9 MHz), sampling 34.9305319 MHz (ISCE2's
    exact 3.493053190467460e7 Hz), PRF 2122.318 Hz, off-nadir 36.65 deg. JAXA ALOS-2 overview:
    9.9 m x 2.9 m antenna, right-looking by default, 628 km altitude, 97.92 deg inclination,
    14-day repeat.
    """
    return _mission("ALOS2", frequency=SPEED_OF_LIGHT / 0.2424525, bandwidth=8.0733624e11 * 30.842168e-6,
                    pulse=30.842168e-6, fs=3.493053190467460e7, prf=prf, antenna=9.9,
                    look=look_angle, altitude=628000.0, inclination=97.92, polarization="HH",
                    mode="SM3", repeat_days=14, date="2014-09-09T04:33:47",
                    source="real ALOS-2 FBD leader (real_headers); JAXA ALOS-2 PALSAR-2 overview")
def radarsat1_standard(prf: float = 32.317075e6 / (6 * 4143), look_angle: float = 30.0) -> RadarParameters:
    """RADARSAT-1 Standard beam S3 (HH), C-band, raw (CEOS level 0).

    CSA/RSI RADARSAT-1 (RSI-GS-026, RADARSAT Data Products Specifications; ISCE2's
    ``Sensor/Radarsat1.py``): 5.300 GHz, 15 m x 1.5 m antenna, right-looking, 798 km
    altitude, 98.6 deg inclination, 24-day repeat, Standard beam S3 incidence 30-37 deg
    (30 deg off-nadir here). Range sampling at the ADC's 129.2683 MHz / 4 = 32.317 MHz,
    down-chirp of 42 us at -7.214e11 Hz/s (30.3 MHz; ISCE2's values for that rate), PRF
    about 1300 Hz on the aux block's grid (PRF code 4141: 1 / (4143 * 6 ADC periods)).
    """
    return _mission("RADARSAT-1", frequency=5.3e9, bandwidth=7.214e11 * 42.0e-6, pulse=42.0e-6,
                    fs=129.2683e6 / 4.0, prf=prf, antenna=15.0, look=look_angle,
                    altitude=798000.0, inclination=98.6, polarization="HH", mode="Standard S3",
                    repeat_days=24, date="2004-06-01T14:00:00", up=False,
                    source="RSI-GS-026 RADARSAT Data Products Specifications; ISCE2 Radarsat1.py")
def envisat_asar_is2(prf: float = 1652.4156494140625, look_angle: float = 21.5) -> RadarParameters:
    """ENVISAT ASAR Image Mode, swath IS2 (VV), C-band.

    ESA ASAR Product Handbook (issue 2.2): 5.331 GHz, 10 m x 1.3 m antenna, right-looking,
    IS2 incidence 19.2-26.7 deg (21.5 deg off-nadir: 24.3 deg incidence), range sampling 19.20768 MHz,
    up-chirp of 16 MHz; ENVISAT orbit about 790 km (782-800 km), inclination 98.55 deg,
    35-day repeat. Radar frequency (5331004416 Hz as the MPP's float32), PRF 1652.4156 Hz and
    pulse 27.176629 us as in a real IMS (ASA_IMS_1PNESA20040703_205338, orbit 12250).
    """
    return _mission("ENVISAT", frequency=5331004416.0, bandwidth=16.0e6, pulse=2.7176629e-05,
                    fs=19.20768e6, prf=prf, antenna=10.0, look=look_angle, altitude=790000.0,
                    inclination=98.55, polarization="VV", mode="IM IS2", repeat_days=35,
                    date="2004-07-03T20:53:38", source="ESA ASAR Product Handbook; "
                    "ASA_IMS_1PNESA20040703_205338 MPP")


def ers_envisat_format(prf: float = 1.0 / (2822 * 210.943006e-9),
                       look_angle: float = 20.3) -> RadarParameters:
    """ERS-1/2 SAR image mode (VV), C-band, with the values ERS level 0 in ENVISAT format
    implies (ISCE2's ``ERS_EnviSAT`` constants, from Mohr & Madsen 2001): wavelength
    0.0565646 m, fs 18.962468 MHz, chirp 0.419137466e12 Hz/s over 37.10 us (15.55 MHz), PRF
    1 / ((PRI counter + 2) x 210.943006 ns) = 1679.879 Hz (counter 2820), 10 m antenna,
    20.3 deg off-nadir, 785 km, 98.52 deg, 35-day repeat."""
    slope, pulse = 0.419137466e12, 37.10e-6
    return _mission("ERS1", frequency=SPEED_OF_LIGHT / 0.0565646, bandwidth=slope * pulse,
                    pulse=pulse, fs=18.962468e6, prf=prf, antenna=10.0, look=look_angle,
                    altitude=785000.0, inclination=98.52, polarization="VV", mode="IM",
                    repeat_days=35, date="1995-12-20T02:43:20",
                    source="ISCE2 ERS_EnviSAT.py constants (Mohr & Madsen 2001)")


def ers_sar(prf: float = 1679.902, look_angle: float = 20.3) -> RadarParameters:
    """ERS-1/2 SAR image mode (VV), C-band.

    ESA ERS SAR products (ER-IS-EPO-GS-5902) and ISCE2's ``Sensor/ERS.py`` (Mohr and Madsen
    2001 constants): 5.3 GHz (wavelength c / 5.3 GHz = 0.0565646 m; ESA's leaders write
    0.0566660 m), up-chirp of 15.50829 MHz over 37.12 us (ISCE2: chirpSlope = +bandwidth /
    pulse length; the real ERS-1 leader's phase coefficient 2.08894e11 Hz/s^2 gives the same
    15.508 MHz), 18.962468 MHz sampling, PRF 1679.902 Hz, 10 m antenna, 20.3 deg off-nadir
    (the leader's mechanical boresight 20.355), right-looking, 785 km altitude, inclination
    98.52 deg, 35-day repeat, 5-bit I/Q raw samples.
    """
    return _mission("ERS-1", frequency=5.3e9, bandwidth=15.50829e6, pulse=37.12e-6,
                    fs=18.962468e6, prf=prf, antenna=10.0, look=look_angle, altitude=785000.0,
                    inclination=98.52, polarization="VV", mode="IM", repeat_days=35,
                    date="1995-12-20T02:43:20",
                    source="ESA ER-IS-EPO-GS-5902; ISCE2 Sensor/ERS.py; ERS-1 leader 1995-12-20")


# ---------------------------------------------------------------- REE (NISAR) rdf
_RDF_LINE = re.compile(r"^(?P<key>[^=]*?)\s*(\((?P<units>[^()]*)\))?\s*=\s*(?P<value>.*)$")


def _rdf_key(text: str) -> str:
    return " ".join(text.lower().split())


def read_rdf(path) -> dict:
    """Parse a JPL ``.rdf`` file: ``{section: {field name (lower case, units stripped):
    (value text, units)}}`` (comments after ``!`` removed; sections from ``### NAME``)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.readlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the rdf file: {exc}") from None
    out: dict[str, dict] = {}
    section = ""
    for number, raw in enumerate(lines, 1):
        line = raw.split("!", 1)[0].strip()
        if not line:
            continue
        if line.startswith("###"):
            section = _rdf_key(line.lstrip("#"))
            out.setdefault(section, {})
            continue
        if "=" not in line:
            raise InputError(f"{path}: line {number}: expected 'name (units) = value', got {line!r}")
        key, _, value = line.partition("=")
        key = key.strip()
        units = ""
        m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", key)
        if m:
            key, units = m.group(1), m.group(2)
        out.setdefault(section, {})[_rdf_key(key)] = (value.strip(), units.strip())
    return out


def _rdf_value(rdf: dict, path: str, section: str, key: str, kind=float, index=None):
    try:
        text, _ = rdf[section][key]
    except KeyError:
        raise InputError(f"{path}: the rdf has no '{key}' in section '### {section.upper()}'") from None
    items = [t.strip() for t in text.split(",")]
    if index is not None:
        items = [items[index] if index < len(items) else items[0]]
    try:
        values = [kind(t) for t in items]
    except ValueError:
        raise InputError(f"{path}: rdf '{key}' = {text!r} is not a {kind.__name__}") from None
    return values if index is None and len(values) > 1 else values[0]


#: The rdf fields the REE preset uses: name -> (section, field, type, list index or None).
#: Values are in the rdf's own units (MHz, us, m, deg, s).
REE_RDF_FIELDS = {
    "center_frequency_mhz": ("radar parameters", "center frequency", float, None),
    "chirp_bandwidth_mhz": ("tx-chirp parameters", "all chirp bandwidths in multi-band chirp",
                            float, 0),
    "pulse_width_us": ("tx-chirp parameters", "all chirp pulse widths in multi-band chirp",
                       float, 0),
    "chirp_slope": ("tx-chirp parameters", "chirp slope used for all chirp bands", str, None),
    "looking_direction": ("s/c parameters", "looking direction", str, None),
    "orbit_semi_major_axis": ("orbit parameters", "semi-major axis", float, None),
    "planet_semi_major_axis": ("planet parameters", "semi-major axis", float, None),
    "antenna_length_az": ("antenna parameters", "length of antenna in az and el for generating "
                          "sinc antenna patterns if desired", float, 0),
    "antenna_length_el": ("antenna parameters", "length of antenna in az and el for generating "
                          "sinc antenna patterns if desired", float, 1),
    "reference_date": ("epoch-sim parameters",
                       "gregorian calendar date [and time] at reference epoch", int, None),
    "polarization": ("radar parameters", "polarization type", str, None),
    "sim_start": ("epoch-sim parameters",
                  "start time of simulation wrt reference epoch, radar time", float, None),
    "sim_duration": ("epoch-sim parameters", "total simulation duration in radar time", float,
                     None),
    "rotation_angle_at_epoch": ("epoch-sim parameters",
                                "starting rotation angle of planet at reference epoch", float,
                                None),
    "orbit_eccentricity": ("orbit parameters", "eccentricity", float, None),
    "ascending_node": ("orbit parameters", "longitude of ascending node", float, None),
    "argument_of_perigee": ("orbit parameters", "argument of perigee", float, None),
    "mean_anomaly": ("orbit parameters", "mean anomaly", float, None),
    "inclination": ("orbit parameters", "inclination angle", float, None),
    "planet_e2": ("planet parameters", "first eccentricity squared", float, None),
    "planet_rotation_rate": ("planet parameters", "rotation speed", float, None),
    "planet_gm": ("planet parameters", "gravitational constant , gm product", float, None),
    "boresight_angle": ("s/c parameters", "mechanical boresight angle", float, None),
    "zero_doppler_steering": ("s/c parameters", "apply zero doppler steering", str, None),
    "rx_window_us": ("radar parameters", "total rx window length", float, None),
    "dwp_look_angle": ("radar parameters", "starting look angle used in dwp estimation",
                       float, None),
    "prf": ("radar parameters", "nominal prf", float, None),
    "adc_sampling_mhz": ("adc parameters", "sampling frequency of adc", float, None),
    "adc_bits": ("adc parameters", "number of bits in adc", int, None),
    "noise_temperature": ("rx-rf parameters", "ambient temperature used for receiver noise",
                          float, None),
    "output_type": ("output-file parameters", "type of output binary raw data", str, None),
}

#: JPL's REE out17 point-target case: the values of REE_L0B_out17.rdf for REE_RDF_FIELDS
#: (a test checks them against the file).
REE_OUT17_RDF = {
    "center_frequency_mhz": 1260.0, "chirp_bandwidth_mhz": 20.0, "pulse_width_us": 20.0,
    "chirp_slope": "UP", "looking_direction": "R",
    "orbit_semi_major_axis": 7124137.0, "planet_semi_major_axis": 6378137.0,
    "antenna_length_az": 12.0, "antenna_length_el": 12.0,
    "reference_date": [2021, 7, 1, 0, 0, 0], "polarization": "H",
    "sim_start": 12000.0, "sim_duration": 7.0004, "rotation_angle_at_epoch": 0.0,
    "orbit_eccentricity": 0.0, "ascending_node": -90.0, "argument_of_perigee": 0.0,
    "mean_anomaly": 0.0, "inclination": 98.0,
    "planet_e2": 0.00669437999014132, "planet_rotation_rate": 7.2921151467e-05,
    "planet_gm": 398600441800000.0,
    "boresight_angle": 37.0, "zero_doppler_steering": "YES",
    "rx_window_us": 130.0, "dwp_look_angle": 36.3,
    "prf": 1650.0515641113786, "adc_sampling_mhz": 24.0, "adc_bits": 12,
    "noise_temperature": 0.0, "output_type": "C",
}


def read_ree_fields(rdf_path) -> dict:
    """The values of :data:`REE_RDF_FIELDS` read from an REE ``.rdf`` file (rdf units)."""
    path = os.fspath(rdf_path)
    rdf = read_rdf(path)
    fields = {}
    for name, (section, key, kind, index) in REE_RDF_FIELDS.items():
        value = _rdf_value(rdf, path, section, key, kind, index)
        fields[name] = value.upper() if kind is str else value
    if isinstance(fields["reference_date"], int):
        fields["reference_date"] = [fields["reference_date"]]
    return fields


def ree_out17(rdf_path=None) -> RadarParameters:
    """Every radar parameter of JPL's REE out17 point-target case: the preset
    (:data:`REE_OUT17_RDF`) or, with ``rdf_path``, the values read from that ``.rdf``.

    Carrier 1260 MHz, PRF 1650.0515641113786 Hz, 20 MHz / 20 us up-chirp, ADC
    24 MHz, right-looking, zero-Doppler steering, 12 m antenna, circular orbit of
    semi-major axis 7,124,137 m (altitude above the equatorial radius) and
    inclination 98 deg. The orbit, epoch and simulation window are in ``extra``
    (``orbit_semi_major_axis``, ``ascending_node``, ``reference_epoch``,
    ``sim_start`` [s], ``sim_duration`` [s], ``rx_window`` [s], ...).
    """
    if rdf_path is None:
        return _ree_radar(REE_OUT17_RDF, "preset REE out17 (JPL REE_L0B_out17.rdf)")
    path = os.fspath(rdf_path)
    return _ree_radar(read_ree_fields(path), path)


def _ree_radar(f: dict, source: str) -> RadarParameters:
    """RadarParameters (SI units) of the REE rdf values ``f`` (see :data:`REE_RDF_FIELDS`)."""
    if f["chirp_slope"] not in ("UP", "DOWN"):
        raise InputError(f"{source}: chirp slope must be UP or DOWN, got {f['chirp_slope']!r}")
    if f["looking_direction"] not in ("L", "R"):
        raise InputError(f"{source}: looking direction must be L or R, got "
                         f"{f['looking_direction']!r}")
    fc = f["center_frequency_mhz"] * 1e6
    bandwidth = f["chirp_bandwidth_mhz"] * 1e6
    pulse = f["pulse_width_us"] / 1e6
    date = list(f["reference_date"]) + [0] * (6 - len(f["reference_date"]))
    extra = {
        "source": source,
        "center_frequency": fc,
        "chirp_bandwidth": bandwidth,
        "reference_epoch": "%04d-%02d-%02dT%02d:%02d:%02d" % tuple(date[:6]),
        "antenna_length_elevation": f["antenna_length_el"],
        "rx_window": f["rx_window_us"] / 1e6,
        "zero_doppler_steering": f["zero_doppler_steering"] == "YES",
    }
    for name in ("sim_start", "sim_duration", "rotation_angle_at_epoch", "orbit_semi_major_axis",
                 "orbit_eccentricity", "ascending_node", "argument_of_perigee", "mean_anomaly",
                 "planet_semi_major_axis", "planet_e2", "planet_rotation_rate", "planet_gm",
                 "boresight_angle", "dwp_look_angle", "adc_bits", "noise_temperature",
                 "output_type"):
        extra[name] = f[name]
    return RadarParameters(
        wavelength=SPEED_OF_LIGHT / fc,
        prf=f["prf"],
        range_sampling_rate=f["adc_sampling_mhz"] * 1e6,
        chirp_slope=(1.0 if f["chirp_slope"] == "UP" else -1.0) * bandwidth / pulse,
        pulse_length=pulse,
        look_side="right" if f["looking_direction"] == "R" else "left",
        antenna_length=f["antenna_length_az"],
        look_angle=f["boresight_angle"],
        altitude=f["orbit_semi_major_axis"] - f["planet_semi_major_axis"],
        inclination=f["inclination"],
        platform="NISAR", mission="REE out17",
        polarization=f["polarization"] + f["polarization"],
        extra=extra)


#: preset name (upper case) -> factory
PRESETS = {"ALOS": alos_palsar_fbs, "ALOS_FBS": alos_palsar_fbs, "REE": ree_out17,
           "SENTINEL1": sentinel1_sm_s3, "TERRASARX": terrasarx_sm,
           "COSMO_SKYMED": cosmo_skymed_himage, "RADARSAT2": radarsat2_fine,
           "ALOS2": alos2_sm3, "RADARSAT1": radarsat1_standard,
           "ENVISAT": envisat_asar_is2, "ERS": ers_sar, "ERS_ENVISAT": ers_envisat_format}


def preset(name: str) -> RadarParameters:
    """Radar parameters of a preset of :data:`PRESETS`: ``ALOS`` (PALSAR FBS), ``ALOS2`` (SM3),
    ``REE`` (JPL out17), ``SENTINEL1`` (SM S3), ``TERRASARX`` (SM), ``COSMO_SKYMED`` (HIMAGE),
    ``RADARSAT1`` (Standard S3), ``RADARSAT2`` (Fine), ``ERS``, ``ERS_ENVISAT`` (ERS as the N1
    format holds it) and ``ENVISAT`` (ASAR IS2)."""
    key = str(name).strip().upper()
    if key not in PRESETS:
        raise ValueError(f"unknown radar preset {name!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[key]()
