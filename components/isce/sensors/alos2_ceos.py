"""ALOS-2 PALSAR-2 level 1.1 stripmap SLC in CEOS format: the reader, sensor name ``ALOS2``.

JAXA, "ALOS-2/PALSAR-2 Level 1.1/1.5/2.1/3.1 CEOS SAR Product Format Description"; read as
ISCE2's ``Sensor/ALOS2.py``: the level-1.1 records of :mod:`isce.sensors.alos_slc` (shared
with ALOS) with ALOS-2's differences:

* the processed data records carry a 544-byte prefix and a microsecond-of-day time tag
  (bytes 85-92), which ISCE2 takes as the first line's time;
* the range sampling rate is the data set summary's MHz value looked up in ISCE2's table of
  exact rates (104.79..., 52.39..., 34.93..., 17.46... MHz) -- the field rounds it;
* the PRF, chirp (slope = amplitude coefficient linear term [Hz/s], pulse length) and the
  cross-track Doppler centroid (Hz per pixel^k) come from the data set summary as ISCE2;
* the fifth facility-related record holds JAXA's line/pixel <-> latitude/longitude
  polynomials (:data:`FACILITY_COEFFICIENTS`, decoded; the first four, orbit/attitude/time
  files in text, are checked and skipped); ScanSAR products (operation modes 08, 09 in the
  sensor ID, characters 11-12) are refused: this reader is for stripmap.

Level 1.5 (geocoded) sets parse (:func:`~isce.sensors.alos_slc.read_leader`) but are refused
as products in one line (a map image is not a slant-range SLC; JAXA's level-1.5 image files
here hold no image lines either). ``summary.txt`` (scene times and corners) is read by
:func:`read_summary`.
"""
from __future__ import annotations

import os

from isce.framework.errors import InputError
from isce.framework.parameter import Parameter

from .alos_ceos import DATA_SET_SUMMARY
from .alos_slc import AlosSlc, L11Variant, read_l11, read_leader
from .ceos import RecordLayout, record_error, sequential
from .product import SlcProduct

__all__ = ["Alos2", "ALOS2_L11", "read_alos2", "read_alos2_leader", "read_summary",
           "SAMPLING_RATES", "FACILITY_COEFFICIENTS", "SCANSAR_MODES", "operation_mode"]

#: PALSAR-2: 544-byte line prefix with a microsecond tag; ISCE2's antenna length is 10 m,
#: JAXA's antenna 9.9 m x 2.9 m (the nominal value used when the file does not say)
ALOS2_L11 = L11Variant("ALOS2", "ALOS2", 544, True, 9.9)

#: ISCE2's exact range sampling rates [Hz] by the data set summary's integer MHz
SAMPLING_RATES = {104: 1.047915957140240E+08, 52: 5.239579785701190E+07,
                  34: 3.493053190467460E+07, 17: 1.746526595233730E+07}

#: operation modes (sensor ID characters 11-12) of ScanSAR: nominal (08), wide (09)
SCANSAR_MODES = {"08": "ScanSAR nominal", "09": "ScanSAR wide"}

#: ALOS-2's fifth facility-related record: map <-> line/pixel polynomials (ISCE2's
#: alos2_slc/facility_record.xml; 5000 bytes)
FACILITY_COEFFICIENTS = RecordLayout("facility related 5", (18, 200, 18, 70), sequential(12, [
    ("facility_sequence_number", 4, "I"),
    *[(f"en_to_pixel_{k}", 20, "F", ".10E") for k in range(10)],
    *[(f"en_to_line_{k}", 20, "F", ".10E") for k in range(10)],
    ("calibration_mode_flag", 4, "A"), (None, 604, "A"),
    *[(f"lp_to_latitude_{k}", 20, "F", ".10E") for k in range(25)],
    *[(f"lp_to_longitude_{k}", 20, "F", ".10E") for k in range(25)],
    ("origin_pixel", 20, "F", ".10E"), ("origin_line", 20, "F", ".10E"),
    *[(f"ll_to_pixel_{k}", 20, "F", ".10E") for k in range(25)],
    *[(f"ll_to_line_{k}", 20, "F", ".10E") for k in range(25)],
    ("origin_latitude", 20, "F", ".10E"), ("origin_longitude", 20, "F", ".10E"),
]))
assert FACILITY_COEFFICIENTS.field("origin_longitude").end == 3104


def _sampling_rate(mhz: float) -> float:
    """ISCE2's exact rate for the leader's MHz (the integer part is the key)."""
    key = int(mhz)
    if key not in SAMPLING_RATES:
        raise InputError(f"range sampling rate {mhz!r} MHz: ALOS-2 samples at one of "
                         f"{', '.join(f'{v / 1e6:.4f}' for v in SAMPLING_RATES.values())} MHz")
    return SAMPLING_RATES[key]


def operation_mode(leader) -> str:
    """The two-digit operation mode of the sensor ID (``"03"``: Fine, ...)."""
    return str(leader["dataset_summary"].get("sensor_id_mode") or "").ljust(12)[10:12]


def read_alos2_leader(path) -> dict:
    """Every record of an ALOS-2 leader (level 1.1 or 1.5), the fifth facility record decoded."""
    return read_leader(path, {5: FACILITY_COEFFICIENTS})


def _refuse_scansar(leaderfile) -> None:
    leader = read_alos2_leader(leaderfile)
    mode = operation_mode(leader)
    if mode in SCANSAR_MODES:
        rec = leader["dataset_summary"]
        f = DATA_SET_SUMMARY.field("sensor_id_mode")
        raise record_error(leaderfile, rec.sequence, rec.offset + f.offset, "data set summary",
                           f"operation mode {mode} ({SCANSAR_MODES[mode]}): the ALOS2 reader reads "
                           "stripmap products")


def _check_sampling_rate(leaderfile) -> None:
    """The data set summary's sampling rate must be one of ISCE2's (error naming the field)."""
    rec = read_alos2_leader(leaderfile)["dataset_summary"]
    mhz = rec.get("sampling_rate_mhz")
    if mhz is not None and int(mhz) not in SAMPLING_RATES:
        f = DATA_SET_SUMMARY.field("sampling_rate_mhz")
        try:
            _sampling_rate(mhz)
        except InputError as exc:
            raise record_error(leaderfile, rec.sequence, rec.offset + f.offset,
                               "data set summary", f"{exc} ({f.where()})") from None


def read_alos2(imagefile, leaderfile) -> SlcProduct:
    """Read an ALOS-2 level-1.1 stripmap IMG/LED pair (see :func:`~isce.sensors.alos_slc.read_l11`)."""
    _refuse_scansar(os.fspath(leaderfile))
    _check_sampling_rate(os.fspath(leaderfile))
    return read_l11(imagefile, leaderfile, ALOS2_L11, fs_of=_sampling_rate,
                    facility_layouts={5: FACILITY_COEFFICIENTS})


def read_summary(path) -> dict:
    """``summary.txt`` of a JAXA product: ``{key: value}`` of its ``Key="value"`` lines."""
    out = {}
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                line = line.strip()
                if not line:
                    continue
                key, sep, value = line.partition("=")
                if not sep or not (value.startswith('"') and value.endswith('"')):
                    raise InputError(f"{path}: line {number} is not Key=\"value\": {line[:60]!r}")
                out[key.strip()] = value[1:-1]
    except OSError as exc:
        raise InputError(f"{path}: cannot read summary.txt: {exc.strerror or exc}") from None
    return out


class Alos2(AlosSlc):
    """Reader of ALOS-2 PALSAR-2 level-1.1 stripmap SLC (CEOS), ISCE2's ``ALOS2``:
    ``IMAGEFILE``, ``LEADERFILE``, ``RADAR WAVELENGTH``, ``OUTPUT``."""

    sensor_name = "ALOS2"
    variant = ALOS2_L11
    parameters = (
        Parameter("imagefile", public_name="IMAGEFILE", type="path", default=None, mandatory=True,
                  doc="The level-1.1 image file (IMG-<pol>-ALOS2<orbit><frame>-<date>-<mode>1.1__A)."),
        Parameter("leaderfile", public_name="LEADERFILE", type="path", default=None, mandatory=True,
                  doc="The leader file (LED-ALOS2<orbit><frame>-<date>-<mode>1.1__A)."),
        Parameter("wavelength", public_name="RADAR WAVELENGTH", type=float, default=None,
                  doc="Radar wavelength [m]; when set, the leader's is ignored (as ISCE2)."),
    )

    def read(self, imagefile, leaderfile) -> SlcProduct:
        return read_alos2(imagefile, leaderfile)

