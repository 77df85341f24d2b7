"""Radar parameters of the simulator and presets (ALOS PALSAR FBS, JPL's REE point target).

Units: wavelength [m], PRF [Hz], range sampling rate [Hz], chirp slope [Hz/s]
(sign = up/down chirp), pulse length [s], antenna length [m], look angle [deg],
altitude [m], inclination [deg].

The REE preset reads JPL's radar echo emulator input file (``.rdf``: ``name
(units) = value ! comment`` lines grouped in ``### SECTION`` blocks).
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field

from isce.core.constants import SPEED_OF_LIGHT
from isce.framework.errors import InputError

__all__ = ["RadarParameters", "alos_palsar_fbs", "ree_out17", "read_rdf", "preset", "PRESETS",
           "REE_DIR"]

#: where the REE out17 point-target case lives
REE_DIR = "/work/shared/data/ree_point_target"


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


def ree_out17(rdf_path=None) -> RadarParameters:
    """Every radar parameter of JPL's REE out17 point-target case, from its ``.rdf``.

    Carrier 1260 MHz, PRF 1650.0515641113786 Hz, 20 MHz / 20 us up-chirp, ADC
    24 MHz, right-looking, zero-Doppler steering, 12 m antenna, circular orbit of
    semi-major axis 7,124,137 m (altitude above the equatorial radius) and
    inclination 98 deg. The orbit, epoch and simulation window are in ``extra``
    (``orbit_semi_major_axis``, ``ascending_node``, ``reference_epoch``,
    ``sim_start`` [s], ``sim_duration`` [s], ``rx_window`` [s], ...).
    """
    path = os.fspath(rdf_path or os.path.join(REE_DIR, "REE_L0B_out17.rdf"))
    rdf = read_rdf(path)

    def get(section, key, kind=float, index=None):
        return _rdf_value(rdf, path, section, key, kind, index)

    fc = get("radar parameters", "center frequency") * 1e6
    bandwidth = get("tx-chirp parameters", "all chirp bandwidths in multi-band chirp", index=0) * 1e6
    pulse = get("tx-chirp parameters", "all chirp pulse widths in multi-band chirp", index=0) / 1e6
    slope_kind = get("tx-chirp parameters", "chirp slope used for all chirp bands", str).upper()
    if slope_kind not in ("UP", "DOWN"):
        raise InputError(f"{path}: chirp slope must be UP or DOWN, got {slope_kind!r}")
    side = get("s/c parameters", "looking direction", str).upper()
    if side not in ("L", "R"):
        raise InputError(f"{path}: looking direction must be L or R, got {side!r}")
    a_orbit = get("orbit parameters", "semi-major axis")
    a_planet = get("planet parameters", "semi-major axis")
    ant_az = get("antenna parameters",
                 "length of antenna in az and el for generating sinc antenna patterns if desired",
                 index=0)
    ant_el = get("antenna parameters",
                 "length of antenna in az and el for generating sinc antenna patterns if desired",
                 index=1)
    date = get("epoch-sim parameters",
               "gregorian calendar date [and time] at reference epoch", int)
    date = list(date) + [0] * (6 - len(date))
    epoch = "%04d-%02d-%02dT%02d:%02d:%02d" % tuple(date[:6])
    pol = get("radar parameters", "polarization type", str).upper()
    extra = {
        "source": path,
        "center_frequency": fc,
        "chirp_bandwidth": bandwidth,
        "reference_epoch": epoch,
        "sim_start": get("epoch-sim parameters", "start time of simulation wrt reference epoch, radar time"),
        "sim_duration": get("epoch-sim parameters", "total simulation duration in radar time"),
        "rotation_angle_at_epoch": get("epoch-sim parameters",
                                       "starting rotation angle of planet at reference epoch"),
        "orbit_semi_major_axis": a_orbit,
        "orbit_eccentricity": get("orbit parameters", "eccentricity"),
        "ascending_node": get("orbit parameters", "longitude of ascending node"),
        "argument_of_perigee": get("orbit parameters", "argument of perigee"),
        "mean_anomaly": get("orbit parameters", "mean anomaly"),
        "planet_semi_major_axis": a_planet,
        "planet_e2": get("planet parameters", "first eccentricity squared"),
        "planet_rotation_rate": get("planet parameters", "rotation speed"),
        "planet_gm": get("planet parameters", "gravitational constant , gm product"),
        "boresight_angle": get("s/c parameters", "mechanical boresight angle"),
        "zero_doppler_steering": get("s/c parameters", "apply zero doppler steering", str).upper() == "YES",
        "antenna_length_elevation": ant_el,
        "rx_window": get("radar parameters", "total rx window length") / 1e6,
        "dwp_look_angle": get("radar parameters", "starting look angle used in dwp estimation"),
        "adc_bits": get("adc parameters", "number of bits in adc", int),
        "noise_temperature": get("rx-rf parameters", "ambient temperature used for receiver noise"),
        "output_type": get("output-file parameters", "type of output binary raw data", str),
    }
    return RadarParameters(
        wavelength=SPEED_OF_LIGHT / fc,
        prf=get("radar parameters", "nominal prf"),
        range_sampling_rate=get("adc parameters", "sampling frequency of adc") * 1e6,
        chirp_slope=(1.0 if slope_kind == "UP" else -1.0) * bandwidth / pulse,
        pulse_length=pulse,
        look_side="right" if side == "R" else "left",
        antenna_length=ant_az,
        look_angle=get("s/c parameters", "mechanical boresight angle"),
        altitude=a_orbit - a_planet,
        inclination=get("orbit parameters", "inclination angle"),
        platform="NISAR", mission="REE out17", polarization=pol + pol,
        extra=extra)


#: preset name (upper case) -> factory
PRESETS = {"ALOS": alos_palsar_fbs, "ALOS_FBS": alos_palsar_fbs, "REE": ree_out17}


def preset(name: str) -> RadarParameters:
    """Radar parameters of a preset: ``ALOS`` (PALSAR FBS) or ``REE`` (JPL out17)."""
    key = str(name).strip().upper()
    if key not in PRESETS:
        raise ValueError(f"unknown radar preset {name!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[key]()
