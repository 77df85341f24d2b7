"""Readers of ESA level-0 raw data in the ENVISAT N1 format: ``ENVISAT`` (ASAR Image Mode
``ASA_IM__0P``, FBAQ 8:4 compressed) and ``ERS_ENVISAT`` (ERS-1/2 SAR ``SAR_IM__0P``).

References: ENVISAT Products Specifications PO-RS-MDA-GS-2009 (vol. 5 product structures,
vol. 8 ASAR: ``ASA_IM__0P``, ``ASA_INS_AX``), the ASAR Product Handbook (ESA, 2007; ISP
layout, FBAQ), DORIS ``DOR_VOR_AX`` orbits; ERS level 0 in ENVISAT format PX-SP-50-9105
and ER-IS-EPO-GS-5902.1. Where the documents are silent, ISCE2's readers
(``EnviSAT.py`` + ``asa_im_decode.c``, ``ERS_EnviSAT.py``) decide, as noted below.
The MPH/SPH/DSD headers are read by :mod:`isce.sensors.envisat_n1`.

**ENVISAT** (``IMAGEFILE`` the ``ASA_IM__0P`` product, ``INSTRUMENTFILE`` the
``ASA_INS_AX`` instrument characterisation file or ``INSTRUMENT_DIRECTORY`` holding it,
``ORBITFILE`` a DORIS ``DOR_VOR_AX``/``DOR_POR_AX`` file or ``ORBIT_DIRECTORY`` holding it,
as ISCE2's ``EnviSAT``; ISCE2 refuses to run without an orbit file and so does this reader):

* the MDS ``ASAR_SOURCE_PACKETS`` holds one record per instrument source packet (ISP):
  32-byte front-end header (MJD2000 sensing time ``days, s, us``, ground-station time,
  ``isp_length`` = packet data field bytes - 1, CRC/RS error counts, spare), 6-byte ISP
  header (identifier, sequence control, packet length = ``isp_length``), 30-byte data field
  header (15 big-endian words: mode id, on-board time, mode packet count (24 bits),
  antenna beam set number (6 bits), compression ratio (2 bits, 1 = FBAQ 8:4), echo / noise /
  calibration flags, cycle packet count, PRI, window start time (SWST) and window length
  codewords [sample clock periods], converter levels, polarisations, Tx pulse length
  codeword [clock periods], chirp bandwidth codeword [x 16 MHz / 255], resampling factor),
  then ``isp_length + 1 - 30`` bytes of samples in 64-byte blocks: one FBAQ block id (0..255)
  and 63 bytes each holding the 4-bit I code (high nibble) and Q code (low nibble) of one
  sample; the last block is partial. Samples per line:
  ``63 * floor(S / 64) + (S mod 64) - 1`` with ``S = isp_length + 1 - 30`` (ISCE2's formula;
  when ``S`` is a multiple of 64 it is ``63 S / 64``);
* the FBAQ value of code ``c`` in a block of id ``b`` is ``LUT[256 r + b]`` of the
  instrument file's 4096-entry ``fbaq4LutI``/``fbaq4LutQ`` with row ``r = 15 - c`` for
  ``c >= 8`` and ``r = 8 + c`` for ``c < 8`` (``asa_im_decode``'s index mapping: codes are
  sign + magnitude, the rows run from the most negative to the most positive level);
* instrument file: MPH, SPH and one GADS record of 171648 bytes (``asa_im_decode``'s
  ``insGadsStruct``, :data:`INS_GADS`): radar frequency [Hz], sampling rate [Hz] (both
  float32), the nominal Image Mode pulses (amplitude and phase polynomials [cycles, Hz,
  Hz/s...] and duration per beam), range gate bias [s], the FBAQ tables, the Image Mode
  timeline (``r`` = number of PRIs between transmission and reception, per beam);
* PRF = fs / PRI codeword; pulse length = Tx pulse length codeword / fs; chirp slope = 2 x
  the quadratic phase coefficient of the beam's nominal pulse (ISCE2); slant range of
  sample 0 = ``c/2 (r PRI + SWST / fs - range gate bias)``; lines whose SWST differs from
  the first echo line's are shifted to it (``asa_im_decode``); the first line's transmit time
  is the first packet's sensing time (to the us; the MPH ``SENSING_START`` must agree within
  a PRI); right-looking, 10 m antenna (ISCE2's constants); calibration and noise packets
  (echo flag 0) are decoded as zero lines (ISCE2 repeats the previous echo line); a gap in
  the mode packet count or a change of packet length is refused (ISCE2 fills gaps with zero
  lines);
* DORIS orbit files: MPH, SPH, one DSD and ASCII records ``dd-MMM-yyyy hh:mm:ss.uuuuuu
  dUT1 orbit x y z vx vy vz quality`` [m, m/s] (ISCE2 reads fields 4-9 after the time).

**ERS_ENVISAT** (``IMAGEFILE`` the ``SAR_IM__0P`` product; ``ORBIT_TYPE`` ``ODR``/``PRC``/
``PDS`` with ``ORBIT_DIRECTORY``/``ORBIT_FILE`` as ISCE2's ``ERS_EnviSAT``):

* the MDS ``SAR_SOURCE_PACKETS`` has records of 11498 bytes: 32-byte annotation (as above;
  no ISP or data field header), the ERS packet header with the data record number (line
  counter, uint32 at record byte 54), the SWST counter (uint16 at 58) and the PRI counter
  (uint16 at 60), then 5616 samples as bytes I, Q (5 bits used, bias 15.5) from byte 266;
* ``ORBIT_TYPE`` unset with ``ORBIT_FILE`` set reads that file as PDS (ISCE2 uses
  ``ORBIT_FILE`` for nothing else); unset without it is refused, as ISCE2 cannot run then;
* the radar constants are not in the file (ISCE2's, from Mohr & Madsen 2001): wavelength
  0.0565646 m, fs 18.962468 MHz, chirp 0.419137466e12 Hz/s over 37.10 us, one counter unit
  210.943006 ns, PRI = (PRI counter + 2) units, slant range of sample 0 =
  ``c/2 (9 PRI + 4 SWST / fs - 6.622 us)`` with the smallest SWST of the file; lines of a
  larger SWST are shifted right by 4 samples per count (the width grows, as ISCE2 pads);
  SWST values outside 500..1500 or off the 22-count grid, and gaps in the line counter, are
  refused (ISCE2 repairs them).

A product with no packets is refused with "no image data" (nothing to focus). Every
problem is an :class:`~isce.framework.InputError` naming the file, the data set or packet
(record) and the byte offset.
"""
from __future__ import annotations

import datetime as _dt
import logging
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit
from isce.framework.errors import ConfigurationError, InputError
from isce.framework.parameter import Parameter

from .alos_ceos import dequantize
from .base import Sensor
from .doris import find_dor_vor, read_dor_vor
from .ers_orbits import orbit_of_type
from .envisat_n1 import AdsLayout, N1File, find_aux_file, mjd_datetime, n1_error, open_n1
from .raw import RawProduct, RawSource, register_decoder

__all__ = ["Envisat", "ErsEnvisat", "read_envisat_raw", "read_ers_envisat_raw",
           "read_instrument_file", "InstrumentFile", "INS_GADS",
           "PACKET_HEADER", "ASAR_MDS", "ERS_MDS", "fbaq_table", "fbaq_rows", "decode_fbaq",
           "packet_fields", "asar_samples", "asar_sample_bytes", "ERS_CONSTANTS",
           "ERS_RECORD_BYTES", "ERS_HEADER_BYTES", "ERS_SAMPLES", "ERS_LINE_COUNTER",
           "ERS_SWST", "ERS_PRI", "FBAQ_BLOCK"]

log = logging.getLogger("isce.sensors.envisat_raw")

#: name of the measurement data set of ASAR level 0
ASAR_MDS = "ASAR_SOURCE_PACKETS"
#: name of the measurement data set of ERS level 0 in N1
ERS_MDS = "SAR_SOURCE_PACKETS"
#: samples per FBAQ block (one block-id byte + 63 bytes of I|Q nibbles)
FBAQ_BLOCK = 63
#: ISCE2's ENVISAT constants: antenna length [m]
ENVISAT_ANTENNA_LENGTH = 10.0
#: size of the instrument file's GADS record [bytes] (PO-RS-MDA-GS-2009; asa_im_decode)
INS_GADS_BYTES = 171648

# ============================================================================ ASAR packets
#: front-end header + ISP header + data field header of an ASAR source packet (68 bytes)
PACKET_HEADER = AdsLayout("ASAR source packet header", (
    ("dsr_time", "mjd", 1), ("gsrt", "mjd", 1), ("isp_length", "u2", 1),
    ("crc_errors", "u2", 1), ("rs_errors", "u2", 1), (None, "", 2),
    ("packet_id", "u2", 1), ("sequence_control", "u2", 1), ("packet_length", "u2", 1),
    ("words", "u2", 15)), size=68)
#: bytes of the front-end header and ISP header before the packet data field
PACKET_PREFIX_BYTES = 38
#: bytes of the data field header
DATA_FIELD_HEADER_BYTES = 30

#: data field header bit fields: name -> (word, shift, mask) (asa_im_decode)
PACKET_BITS = {
    "data_field_header_length": (0, 0, 0xFFFF), "mode_id": (1, 0, 0xFFFF),
    "obt_msw": (2, 0, 0xFFFF), "obt_lsw": (3, 0, 0xFFFF), "obt_lsb": (4, 8, 0xFF),
    "mode_packet_count_high": (5, 0, 0xFFFF), "mode_packet_count_low": (6, 8, 0xFF),
    "beam_set": (6, 2, 0x3F), "compression": (6, 0, 0x3),
    "echo_flag": (7, 15, 1), "noise_flag": (7, 14, 1), "cal_flag": (7, 13, 1),
    "cal_type": (7, 12, 1), "cycle_packet_count": (7, 0, 0xFFF),
    "pri": (8, 0, 0xFFFF), "swst": (9, 0, 0xFFFF), "window_length": (10, 0, 0xFFFF),
    "up_converter": (11, 12, 0xF), "down_converter": (11, 7, 0x1F),
    "tx_polarization": (11, 6, 1), "rx_polarization": (11, 5, 1), "cal_row": (11, 0, 0x1F),
    "tx_pulse_length": (12, 6, 0x3FF), "beam_adjust": (12, 0, 0x3F),
    "chirp_bandwidth": (13, 8, 0xFF), "aux_tx_monitor": (13, 0, 0xFF),
    "resampling_factor": (14, 0, 0xFFFF),
}


def packet_fields(words: np.ndarray) -> dict:
    """The bit fields of data field headers ``words`` (``(..., 15)`` uint16) as int arrays,
    plus ``mode_packet_count`` (24 bits)."""
    w = np.asarray(words).astype(np.int64)
    out = {name: (w[..., i] >> s) & m for name, (i, s, m) in PACKET_BITS.items()}
    out["mode_packet_count"] = out["mode_packet_count_high"] * 256 + out["mode_packet_count_low"]
    return out


def asar_samples(isp_length: int) -> int:
    """Samples per line of a packet of ``isp_length`` (see the module docstring)."""
    s = int(isp_length) + 1 - DATA_FIELD_HEADER_BYTES
    if s % 64 == 0:
        return 63 * (s // 64)
    return 63 * (s // 64) + (s % 64) - 1


def asar_sample_bytes(width: int) -> int:
    """Bytes of the FBAQ sample blocks holding ``width`` samples (block id + 63 bytes each)."""
    full, rest = divmod(int(width), FBAQ_BLOCK)
    return 64 * full + (rest + 1 if rest else 0)


# ============================================================================ FBAQ 8:4
def fbaq_rows(codes):
    """Row of the 16 x 256 FBAQ table of 4-bit codes (sign + magnitude; asa_im_decode)."""
    c = np.asarray(codes)
    return np.where(c >= 8, 15 - c, c + 8)


def fbaq_table(lut: np.ndarray) -> np.ndarray:
    """The instrument file's 4096-entry FBAQ 4-bit LUT as ``table[code, block id]``
    (float32, 16 x 256)."""
    rows = np.asarray(lut, dtype=np.float32).reshape(16, 256)
    return rows[fbaq_rows(np.arange(16))]


def _sample_positions(width: int):
    """(byte of each sample, byte of its block id) within the sample bytes of a line."""
    k = np.arange(int(width))
    block = k // FBAQ_BLOCK
    return 64 * block + 1 + k % FBAQ_BLOCK, 64 * block


def decode_fbaq(data: np.ndarray, width: int, table_i: np.ndarray,
                table_q: np.ndarray) -> np.ndarray:
    """FBAQ 8:4 sample bytes ``(lines, bytes)`` -> complex64 ``(lines, width)`` with the
    tables ``table[code, block id]`` of :func:`fbaq_table`."""
    data = np.asarray(data, dtype=np.uint8)
    pos, ids = _sample_positions(width)
    byte = data[:, pos]
    block_id = data[:, ids]
    out = np.empty((data.shape[0], int(width)), np.complex64)
    out.real = table_i[byte >> 4, block_id]
    out.imag = table_q[byte & 15, block_id]
    return out


# ============================================================================ instrument file
_F4, _U2 = "f4", "u2"
_CAL = AdsLayout("calibration pulse", (("amplitude", _F4, 32), ("phase", _F4, 32)))
_NOMINAL = AdsLayout("nominal pulse", (("amplitude", _F4, 4), ("phase", _F4, 4),
                                       ("duration", _F4, 1)))
_SWATH_CONFIG = AdsLayout("swath configuration", (("windows", _U2, 28),
                                                  ("resample_factor", _F4, 7)))
_SWATH_ID = AdsLayout("swath id", (("swath", _U2, 7), ("beam_set", _U2, 7)))
_TIMELINE = AdsLayout("timeline", (("swath", _U2, 7), ("m", _U2, 7), ("r", _U2, 7),
                                   ("g", _U2, 7)))
_CAL_NAMES = ("TxH1", "TxV1", "TxH1a", "TxV1a", "RxH2", "RxV2", "H3", "V3")
_MODES = (("im", 7), ("ap", 7), ("wv", 7), ("ws", 5), ("gm", 5))
_BEAMS = ("is1", "is2", "is3_ss2", "is4_ss3", "is5_ss4", "is6_ss5", "is7", "ss1")
#: the GADS of ASA_INS_AX (asa_im_decode's insGadsStruct; 171648 bytes)
INS_GADS = AdsLayout("ASA_INS_AX GADS", (
    ("dsr_time", "mjd", 1), ("dsr_length", "u4", 1), ("radar_frequency", _F4, 1),
    ("sampling_rate", _F4, 1), ("offset_frequency", _F4, 1),
    *[(f"cal_im0_{n.lower()}", _CAL, 1) for n in _CAL_NAMES],
    *[(f"cal_{m}_{n.lower()}", _CAL, k) for m, k in _MODES for n in _CAL_NAMES],
    *[(f"nominal_pulse_{m}", _NOMINAL, k) for m, k in _MODES],
    *[(f"az_pattern_{b}", _F4, 101) for b in _BEAMS],
    ("range_gate_bias", _F4, 1), ("range_gate_bias_gm", _F4, 1),
    ("adc_lut_i", _F4, 255), ("adc_lut_q", _F4, 255), (None, "", 648),
    ("full8_lut_i", _F4, 256), ("full8_lut_q", _F4, 256),
    ("fbaq4_lut_i", _F4, 4096), ("fbaq3_lut_i", _F4, 2048), ("fbaq2_lut_i", _F4, 1024),
    ("fbaq4_lut_q", _F4, 4096), ("fbaq3_lut_q", _F4, 2048), ("fbaq2_lut_q", _F4, 1024),
    ("fbaq4_no_adc", _F4, 4096), ("fbaq3_no_adc", _F4, 2048), ("fbaq2_no_adc", _F4, 1024),
    ("sm_lut_i", _F4, 16), ("sm_lut_q", _F4, 16),
    (None, "", 5 * 32),                       # data configuration of IM, AP, WS, GM, WV
    *[(f"swath_config_{m}", _SWATH_CONFIG, 1) for m in ("im", "ap", "ws", "gm", "wv")],
    ("per_cal_windows_ec", _U2, 1), ("per_cal_windows_ms", _U2, 1),
    *[(f"swath_id_{m}", _SWATH_ID, 1) for m in ("im", "ap", "ws", "gm", "wv")],
    ("init_cal_beam_set_wv", _U2, 1), ("beam_set_ec", _U2, 1), ("beam_set_ms", _U2, 1),
    ("cal_sequence", _U2, 32),
    *[(f"timeline_{m}", _TIMELINE, 1) for m in ("im", "ap", "ws", "gm", "wv")],
    ("m_ec", _U2, 1), (None, "", 44),
    *[(f"ref_elevation_{b}", _F4, 1) for b in _BEAMS], (None, "", 64),
    *[(f"cal_loop_ref_{b}", _F4, 128) for b in _BEAMS], (None, "", 5120),
    *[(f"test_{m}", AdsLayout("test", (("temperature", _F4, 1), ("droop", _F4, 16))), 1)
      for m in ("im", "ap", "ws", "gm", "wv")],
    ("swst_cal_p2", _F4, 1), (None, "", 72),
), size=INS_GADS_BYTES)
#: name of the GADS in the instrument file's DSD table
INS_GADS_NAME = "INSTRUMENT CHARACTERISATION"


class InstrumentFile:
    """What the reader needs from an ``ASA_INS_AX`` file: ``radar_frequency`` and
    ``sampling_rate`` [Hz], ``range_gate_bias`` [s], ``r_values`` (7 beams),
    ``nominal_pulses`` (the GADS's Image Mode records), the FBAQ tables ``table_i`` /
    ``table_q`` (``[code, block id]``), ``path``."""

    def __init__(self, path: str, gads: np.void):
        self.path = path
        self.radar_frequency = float(gads["radar_frequency"])
        self.sampling_rate = float(gads["sampling_rate"])
        self.range_gate_bias = float(gads["range_gate_bias"])
        self.r_values = [int(v) for v in gads["timeline_im"]["r"]]
        self.nominal_pulses = gads["nominal_pulse_im"]
        self.table_i = fbaq_table(gads["fbaq4_lut_i"])
        self.table_q = fbaq_table(gads["fbaq4_lut_q"])

    def chirp_slope(self, beam: int) -> float:
        """2 x the quadratic phase coefficient of beam ``beam``'s nominal pulse [Hz/s] (ISCE2)."""
        return 2.0 * float(self.nominal_pulses[beam - 1]["phase"][2])


def read_instrument_file(path) -> InstrumentFile:
    """Read and check an ``ASA_INS_AX`` instrument characterisation file."""
    path = os.fspath(path)
    n1 = open_n1(path, what="ASAR instrument characterisation file (ASA_INS_AX)")
    if not n1.product_type.startswith("ASA_INS_AX"):
        raise n1_error(path, "MPH key PRODUCT", n1.mph.offset("PRODUCT"),
                       f"is a {n1.product_type} product, not an ASAR instrument "
                       "characterisation file ASA_INS_AX")
    gads = n1.read_ads(INS_GADS_NAME, INS_GADS)[0]
    dsd = n1.dsd(INS_GADS_NAME)
    fs, f0 = float(gads["sampling_rate"]), float(gads["radar_frequency"])
    if not (1e6 < fs < 1e9 and 1e9 < f0 < 1e11):
        raise n1_error(path, dsd.where(), dsd.offset + INS_GADS.offset("radar_frequency"),
                       f"radar frequency {f0} Hz / sampling rate {fs} Hz are not an ASAR's "
                       "(not an ASA_INS_AX GADS?)")
    for name in ("fbaq4_lut_i", "fbaq4_lut_q"):
        lut = gads[name]
        if not np.all(np.isfinite(lut)) or not np.any(lut):
            raise n1_error(path, dsd.where(), dsd.offset + INS_GADS.offset(name),
                           f"the FBAQ 4-bit table {name} is empty or not finite")
    return InstrumentFile(path, gads)


# ============================================================================ ASAR product
def _mds(n1: N1File, name: str):
    """The measurement data set ``name``, with at least one record, inside the file."""
    dsd = n1.dsd(name, used=False)
    if dsd.num_dsr == 0 or not dsd.used:
        raise n1_error(n1.path, dsd.where(), dsd.dsd_offset,
                       "no image data: the product has no source packets (a header without "
                       "its measurement data set cannot be focused)")
    n1.check_in_file(dsd)
    return dsd


def _check_product_type(n1: N1File, want: str, hint: str) -> None:
    kind = n1.product_type
    if kind != want:
        raise n1_error(n1.path, "MPH key PRODUCT", n1.mph.offset("PRODUCT"),
                       f"is a {kind} product, not {want}: {hint}")


def _asar_headers(path: str, dsd) -> np.ndarray:
    """The 68-byte headers of every packet of the MDS (records of ``dsd.dsr_size`` bytes)."""
    mm = np.memmap(path, np.uint8, "r", offset=dsd.offset, shape=(dsd.num_dsr, dsd.dsr_size))
    return PACKET_HEADER.unpack(np.ascontiguousarray(mm[:, :PACKET_HEADER.size]).tobytes())


def _check_packets(path: str, dsd, headers: np.ndarray) -> dict:
    """Check every packet (length, FBAQ 8:4, continuity, constant PRI); the first echo
    packet's fields."""
    isp = headers["isp_length"].astype(np.int64)
    want = dsd.dsr_size - PACKET_PREFIX_BYTES - 1
    f = packet_fields(headers["words"])
    bad = np.flatnonzero((isp != want) | (headers["packet_length"] != isp))
    if bad.size:
        k = int(bad[0])
        raise n1_error(path, f"{dsd.where()} packet {k + 1}", dsd.offset + k * dsd.dsr_size + 24,
                       f"ISP length {isp[k]} / packet length {headers['packet_length'][k]}, "
                       f"expected {want} (records of {dsd.dsr_size} bytes): corrupt packet, or "
                       "packets of different lengths (not supported)")
    _refuse_first(path, dsd, f["compression"] != 1, 28 + 12, "compression ratio code {v} is not "
                  "1 (FBAQ 8:4); only FBAQ 8:4 is decoded", f["compression"])
    count = f["mode_packet_count"]
    _refuse_first(path, dsd, np.r_[False, np.diff(count) != 1], 38 + 10,
                  "mode packet count {v} does not follow the previous packet's: missing packets "
                  "are not filled (ISCE2 fills them with zero lines)", count)
    echo = np.flatnonzero(f["echo_flag"] == 1)
    if echo.size == 0:
        raise n1_error(path, dsd.where(), dsd.offset, "no echo packet (only calibration/noise)")
    first = int(echo[0])
    for name in ("pri", "beam_set", "tx_pulse_length"):
        _refuse_first(path, dsd, (f[name] != f[name][first]) & (f["echo_flag"] == 1), 38,
                      f"{name} codeword {{v}} differs from the first echo packet's "
                      f"{int(f[name][first])} (changes within a product are not supported)", f[name])
    out = {k: int(v[first]) for k, v in f.items()}
    out["first_echo"] = first
    return out


def _refuse_first(path, dsd, bad, byte, message, values):
    idx = np.flatnonzero(bad)
    if idx.size:
        k = int(idx[0])
        raise n1_error(path, f"{dsd.where()} packet {k + 1}", dsd.offset + k * dsd.dsr_size + byte,
                       message.format(v=int(values[k])))


def _sensing_start(n1: N1File, headers: np.ndarray, prf: float, dsd) -> _dt.datetime:
    """First packet's sensing time; the MPH SENSING_START must agree within a PRI."""
    t = headers["dsr_time"][0]
    first = mjd_datetime(int(t["days"]), int(t["seconds"]), int(t["microseconds"]))
    mph = n1.mph.time("SENSING_START")
    if abs((mph - first).total_seconds()) > 1.0 / prf + 1e-6:
        raise n1_error(n1.path, "MPH key SENSING_START", n1.mph.offset("SENSING_START"),
                       f"{mph.isoformat()} disagrees with the first packet's sensing time "
                       f"{first.isoformat()} (byte {dsd.offset})")
    return first


def _polarization(n1: N1File) -> str:
    if "TX_RX_POLAR" not in n1.sph:
        return ""
    return n1.sph.text("TX_RX_POLAR").replace("/", "")


def read_envisat_raw(imagefile, instrumentfile, orbitfile) -> RawProduct:
    """Read ``ASA_IM__0P`` + ``ASA_INS_AX`` + a DORIS orbit file (metadata only)."""
    imagefile = os.fspath(imagefile)
    n1 = open_n1(imagefile, what="ENVISAT ASAR level-0 product (ASA_IM__0P)")
    _check_product_type(n1, "ASA_IM__0P", "the ENVISAT reader reads ASAR Image Mode level 0 "
                        "(ASA_IMS_1P is read by ENVISAT_SLC)")
    dsd = _mds(n1, ASAR_MDS)
    headers = _asar_headers(imagefile, dsd)
    pk = _check_packets(imagefile, dsd, headers)
    ins = read_instrument_file(instrumentfile)
    fs = ins.sampling_rate
    beam = pk["beam_set"]
    if not 1 <= beam <= 7:
        raise n1_error(imagefile, f"{dsd.where()} packet 1", dsd.offset + 50,
                       f"antenna beam set number {beam} is not an Image Mode beam 1..7")
    pri = pk["pri"] / fs
    width = asar_samples(dsd.dsr_size - PACKET_PREFIX_BYTES - 1)
    starting_range = 0.5 * SPEED_OF_LIGHT * (ins.r_values[beam - 1] * pri + pk["swst"] / fs
                                             - ins.range_gate_bias)
    first = _sensing_start(n1, headers, 1.0 / pri, dsd)
    last = first + _dt.timedelta(seconds=(dsd.num_dsr - 1) * pri)
    orbit = read_dor_vor(orbitfile, first, first, last)
    slope = ins.chirp_slope(beam)
    source = RawSource("envisat_fbaq", os.path.abspath(imagefile), {
        "ds_offset": dsd.offset, "dsr_size": dsd.dsr_size, "num_dsr": dsd.num_dsr,
        "width": width, "swst": pk["swst"], "dataset": dsd.where(),
        "instrument_file": os.path.abspath(os.fspath(instrumentfile))})
    return RawProduct(
        orbit=orbit, sensing_start=0.0, prf=1.0 / pri, starting_range=starting_range,
        range_sampling_rate=fs, length=dsd.num_dsr, width=width,
        wavelength=SPEED_OF_LIGHT / ins.radar_frequency, look_side="right",
        chirp_slope=slope, pulse_length=pk["tx_pulse_length"] / fs, source=source,
        antenna_length=ENVISAT_ANTENNA_LENGTH, platform="ENVISAT", mission="ENVISAT",
        polarization=_polarization(n1),
        attributes={"product": n1.product, "beam_set": beam,
                     "chirp_bandwidth_codeword": pk["chirp_bandwidth"],
                     "abs_orbit": n1.mph.integer("ABS_ORBIT"),
                     "rel_orbit": n1.mph.integer("REL_ORBIT"),
                     "instrument_file": os.path.basename(ins.path),
                     "orbit_file": os.path.basename(os.fspath(orbitfile))})


def _read_records(source: RawSource, rows: slice):
    """Records ``rows`` of the MDS of ``source`` (checked to be whole) as uint8 (n, dsr)."""
    p = source.params
    start, stop = max(rows.start or 0, 0), min(rows.stop, p["num_dsr"])
    n, size = max(stop - start, 0), p["dsr_size"]
    offset = p["ds_offset"] + start * size
    with open(source.path, "rb") as fh:
        fh.seek(offset)
        data = fh.read(n * size)
    if len(data) < n * size:
        k = start + len(data) // size
        raise n1_error(source.path, f"{p['dataset']} packet {k + 1}", p["ds_offset"] + k * size,
                       f"truncated: the file ends inside packet {k + 1} of {p['num_dsr']}")
    return np.frombuffer(data, np.uint8).reshape(n, size), start


def _shift(lines: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Move each line right by ``shifts`` samples (left when negative), zero-filling."""
    for i in np.flatnonzero(shifts):
        s = int(shifts[i])
        row = lines[i].copy()
        lines[i] = 0
        if s > 0:
            lines[i, s:] = row[:row.size - s]
        else:
            lines[i, :row.size + s] = row[-s:]
    return lines


def _decode_asar(source: RawSource, rows: slice) -> np.ndarray:
    """FBAQ-decode packets ``rows`` (reads only those records and the instrument tables)."""
    p = source.params
    recs, start = _read_records(source, rows)
    headers = PACKET_HEADER.unpack(np.ascontiguousarray(recs[:, :PACKET_HEADER.size]).tobytes())
    isp = headers["isp_length"].astype(np.int64)
    bad = np.flatnonzero(isp != p["dsr_size"] - PACKET_PREFIX_BYTES - 1)
    if bad.size:
        k = start + int(bad[0])
        raise n1_error(source.path, f"{p['dataset']} packet {k + 1}",
                       p["ds_offset"] + k * p["dsr_size"] + 24,
                       f"ISP length {isp[bad[0]]} changed since the product was read")
    ins = read_instrument_file(p["instrument_file"])
    lines = decode_fbaq(recs[:, PACKET_PREFIX_BYTES + DATA_FIELD_HEADER_BYTES:], p["width"],
                        ins.table_i, ins.table_q)
    f = packet_fields(headers["words"])
    lines[f["echo_flag"] != 1] = 0
    return _shift(lines, f["swst"] - p["swst"])


register_decoder("envisat_fbaq", _decode_asar)


# ============================================================================ ERS in N1
#: ISCE2's ERS_EnviSAT constants (Mohr & Madsen 2001): the values the file does not hold
ERS_CONSTANTS = {"wavelength": 0.0565646, "range_sampling_rate": 18.962468e6,
                 "chirp_slope": 0.419137466e12, "pulse_length": 37.10e-6,
                 "counter_unit": 210.943006e-9, "delay_time": 6.622e-6, "antenna_length": 10.0,
                 "pri_rank": 9, "iq_bias": 15.5}
#: bytes of an ERS level-0 record, of its header before the samples, of its samples
ERS_RECORD_BYTES, ERS_HEADER_BYTES, ERS_SAMPLE_BYTES = 11498, 266, 11232
ERS_SAMPLES = ERS_SAMPLE_BYTES // 2
#: record byte offsets of the line counter (uint32), SWST and PRI counters (uint16)
ERS_LINE_COUNTER, ERS_SWST, ERS_PRI = 54, 58, 60
#: SWST counters ISCE2 accepts, and their step
ERS_SWST_RANGE, ERS_SWST_STEP = (500, 1500), 22


def _ers_counters(path: str, dsd):
    """(line counters, SWST, PRI counters) of every record (read as columns, one pass)."""
    mm = np.memmap(path, np.uint8, "r", offset=dsd.offset, shape=(dsd.num_dsr, dsd.dsr_size))
    head = np.ascontiguousarray(mm[:, ERS_LINE_COUNTER:ERS_PRI + 2])
    line = head[:, 0:4].copy().view(">u4")[:, 0].astype(np.int64)
    swst = head[:, 4:6].copy().view(">u2")[:, 0].astype(np.int64)
    pri = head[:, 6:8].copy().view(">u2")[:, 0].astype(np.int64)
    return line, swst, pri


def _check_ers_records(path: str, dsd, line, swst, pri) -> None:
    def refuse(bad, byte, message, values):
        _refuse_first(path, dsd, bad, byte, message, values)
    lo, hi = ERS_SWST_RANGE
    refuse((swst < lo) | (swst > hi) | ((swst - swst[0]) % ERS_SWST_STEP != 0), ERS_SWST,
           f"SWST counter {{v}} is outside {lo}..{hi} or off the {ERS_SWST_STEP}-count grid of "
           "the first line (ISCE2 replaces such values; refused here)", swst)
    refuse(np.r_[False, np.diff(line) != 1], ERS_LINE_COUNTER, "line counter {v} does not "
           "follow the previous record's: missing lines are not filled (ISCE2 repeats lines)",
           line)
    refuse(pri != pri[0], ERS_PRI, f"PRI counter {{v}} differs from the first record's "
           f"{int(pri[0])}", pri)


def read_ers_envisat_raw(imagefile, orbit: Orbit | None = None) -> RawProduct:
    """Read ``SAR_IM__0P`` (metadata only); ``orbit`` from ODR/PRC/PDS files (ISCE2 has no
    other orbit for this product)."""
    imagefile = os.fspath(imagefile)
    n1 = open_n1(imagefile, what="ERS level-0 product in ENVISAT format (SAR_IM__0P)")
    _check_product_type(n1, "SAR_IM__0P", "ERS_ENVISAT reads ERS level-0 raw data (SAR_IMS_1P "
                        "is read by ERS_ENVISAT_SLC; SAR_IMP_1P, a ground-range precision "
                        "image, by no InSAR reader)")
    dsd = _mds(n1, ERS_MDS)
    if dsd.dsr_size != ERS_RECORD_BYTES:
        raise n1_error(imagefile, dsd.where(), dsd.dsd_offset,
                       f"DSR_SIZE {dsd.dsr_size}, ERS level-0 records have {ERS_RECORD_BYTES}")
    line, swst, pri = _ers_counters(imagefile, dsd)
    _check_ers_records(imagefile, dsd, line, swst, pri)
    k = ERS_CONSTANTS
    fs, unit = k["range_sampling_rate"], k["counter_unit"]
    pri_s = (int(pri[0]) + 2) * unit
    swst0 = int(swst.min())
    width = ERS_SAMPLES + 4 * (int(swst.max()) - swst0)
    starting_range = 0.5 * SPEED_OF_LIGHT * (k["pri_rank"] * pri_s + swst0 * 4.0 / fs
                                             - k["delay_time"])
    t = _ers_first_time(n1, imagefile, dsd)
    if orbit is None:
        raise ConfigurationError("ERS_ENVISAT needs an orbit: set ORBIT_TYPE (ODR, PRC or PDS) "
                                 "and ORBIT_DIRECTORY / ORBIT_FILE as in ISCE2")
    t0 = float(orbit.seconds(np.datetime64(t, "ns")))
    if orbit.start_time > t0 or orbit.end_time < t0 + dsd.num_dsr * pri_s:
        raise InputError(f"{imagefile}: the orbit ({orbit.datetime64(orbit.start_time)} .. "
                         f"{orbit.datetime64(orbit.end_time)}) does not cover the acquisition "
                         f"({t.isoformat()}, {dsd.num_dsr * pri_s:.3f} s)")
    source = RawSource("ers_n1", os.path.abspath(imagefile), {
        "ds_offset": dsd.offset, "dsr_size": dsd.dsr_size, "num_dsr": dsd.num_dsr,
        "width": width, "swst": swst0, "dataset": dsd.where()})
    product = n1.product
    return RawProduct(
        orbit=orbit, sensing_start=float(t0), prf=1.0 / pri_s, starting_range=starting_range,
        range_sampling_rate=fs, length=dsd.num_dsr, width=width, wavelength=k["wavelength"],
        look_side="right", chirp_slope=k["chirp_slope"], pulse_length=k["pulse_length"],
        source=source, antenna_length=k["antenna_length"], platform="ERS" + product[61:62],
        mission="ERS" + product[61:62], polarization="VV",
        attributes={"product": product, "abs_orbit": n1.mph.integer("ABS_ORBIT"),
                    "rel_orbit": n1.mph.integer("REL_ORBIT"), "pri_counter": int(pri[0]),
                    "swst_counter": swst0})


def _ers_first_time(n1: N1File, path: str, dsd) -> _dt.datetime:
    """The first record's sensing time (MJD2000 triplet at its byte 0), checked against the
    MPH SENSING_START (ISCE2 uses the latter: they agree to the us in ESA's products)."""
    with open(path, "rb") as fh:
        fh.seek(dsd.offset)
        raw = fh.read(12)
    days = int(np.frombuffer(raw[:4], ">i4")[0])
    sec, us = (int(v) for v in np.frombuffer(raw[4:12], ">u4"))
    first = mjd_datetime(days, sec, us)
    mph = n1.mph.time("SENSING_START")
    if abs((mph - first).total_seconds()) > 1e-3:
        raise n1_error(path, "MPH key SENSING_START", n1.mph.offset("SENSING_START"),
                       f"{mph.isoformat()} disagrees with the first record's time "
                       f"{first.isoformat()} (byte {dsd.offset})")
    return first


def _decode_ers(source: RawSource, rows: slice) -> np.ndarray:
    """5-bit I/Q bytes of records ``rows`` -> complex64 ``(I - 15.5) + j (Q - 15.5)``, each
    line shifted right by 4 samples per SWST count above the file's smallest."""
    p = source.params
    recs, _ = _read_records(source, rows)
    swst = recs[:, ERS_SWST:ERS_SWST + 2].copy().view(">u2")[:, 0].astype(np.int64)
    out = np.zeros((recs.shape[0], p["width"]), np.complex64)
    out[:, :ERS_SAMPLES] = dequantize(recs[:, ERS_HEADER_BYTES:ERS_HEADER_BYTES + ERS_SAMPLE_BYTES],
                                      1.0, ERS_CONSTANTS["iq_bias"], ERS_CONSTANTS["iq_bias"])
    return _shift(out, 4 * (swst - p["swst"]))


register_decoder("ers_n1", _decode_ers)


# ============================================================================ components
class Envisat(Sensor):
    """Reader of ENVISAT ASAR Image Mode level 0 (``ASA_IM__0P``), ISCE2's ``ENVISAT``.

    Parameters as ISCE2's ``EnviSAT``: ``IMAGEFILE``, ``INSTRUMENTFILE`` (or
    ``INSTRUMENT_DIRECTORY``), ``ORBITFILE`` (or ``ORBIT_DIRECTORY``, alias ``ORBITDIR``).
    ISCE2's list of consecutive frames is refused in one line.
    """

    sensor_name = "ENVISAT"
    parameters = (
        Parameter("imagefile", public_name="IMAGEFILE", type="paths", default=None,
                  mandatory=True, doc="The ASA_IM__0P product (.N1)."),
        Parameter("instrumentfile", public_name="INSTRUMENTFILE", type="path", default=None,
                  doc="The ASA_INS_AX instrument characterisation file (FBAQ tables, "
                      "sampling rate, range gate bias, nominal chirps)."),
        Parameter("instrument_dir", public_name="INSTRUMENT_DIRECTORY", type="path",
                  default=None, doc="A folder of ASA_INS_AX files: the one valid at the "
                                    "acquisition is used (when INSTRUMENTFILE is not set)."),
        Parameter("orbitfile", public_name="ORBITFILE", type="path", default=None,
                  doc="The DORIS orbit file (DOR_VOR_AX precise, DOR_POR_AX preliminary)."),
        Parameter("orbit_dir", public_name="ORBIT_DIRECTORY", type="path", default=None,
                  aliases=("ORBITDIR",), doc="A folder of DORIS orbit files (DOR*): the one "
                                             "valid at the acquisition is used."),
    )

    def _single_image(self) -> str:
        value = self.require("imagefile")
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ConfigurationError("IMAGEFILE: a list of several ENVISAT frames is not "
                                         "supported (give one ASA_IM__0P file)",
                                         path=f"{self.config_path}.IMAGEFILE")
            value = value[0]
        return os.fspath(value)

    def _file(self, file_attr: str, dir_attr: str, names: str, what: str) -> str | None:
        """The file setting, None when only the folder is set; ConfigurationError when
        neither is."""
        if getattr(self, file_attr):
            return os.fspath(getattr(self, file_attr))
        if getattr(self, dir_attr):
            return None
        raise ConfigurationError(f"{names} must be set: the ENVISAT reader needs {what}",
                                 path=f"{self.config_path}.{names.split()[0]}")

    def read_product(self) -> RawProduct:
        image = self._single_image()
        n1 = open_n1(image, what="ENVISAT ASAR level-0 product (ASA_IM__0P)")
        start, stop = n1.mph.time("SENSING_START"), n1.mph.time("SENSING_STOP")
        ins = self._file("instrumentfile", "instrument_dir", "INSTRUMENTFILE or "
                         "INSTRUMENT_DIRECTORY", "the ASA_INS_AX instrument file")
        ins = ins or find_aux_file(self.instrument_dir, ("ASA_INS_AX",), start, stop,
                                   "ASAR instrument characterisation")
        orbit = self._file("orbitfile", "orbit_dir", "ORBITFILE or ORBIT_DIRECTORY",
                           "a DORIS orbit file (as ISCE2)")
        orbit = orbit or find_dor_vor(self.orbit_dir, start, stop)
        return read_envisat_raw(image, ins, orbit)


class ErsEnvisat(Sensor):
    """Reader of ERS-1/2 level 0 in ENVISAT format (``SAR_IM__0P``), ISCE2's ``ERS_ENVISAT``.

    Parameters as ISCE2's ``ERS_EnviSAT``: ``IMAGEFILE``, ``ORBIT_TYPE`` (``ODR``, ``PRC``,
    ``PDS``), ``ORBIT_DIRECTORY`` (ODR/PRC: the folder with ``arclist``), ``ORBIT_FILE``
    (PDS). The orbit files are read by the ERS module's readers.
    """

    sensor_name = "ERS_ENVISAT"
    parameters = (
        Parameter("imagefile", public_name="IMAGEFILE", type="paths", default=None,
                  mandatory=True, doc="The SAR_IM__0P product (.E1/.E2)."),
        Parameter("orbit_type", public_name="ORBIT_TYPE", type=str, default=None,
                  doc="ODR (Delft), PRC (D-PAF) or PDS, as ISCE2 (unset with ORBIT_FILE "
                      "set: PDS, the only use of ORBIT_FILE)."),
        Parameter("orbit_dir", public_name="ORBIT_DIRECTORY", type="path", default=None,
                  doc="Folder of the ODR/PRC orbit files and their arclist."),
        Parameter("orbit_file", public_name="ORBIT_FILE", type="path", default=None,
                  doc="The PDS orbit file (ORBIT_TYPE PDS)."),
    )

    def read_product(self) -> RawProduct:
        value = self.require("imagefile")
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ConfigurationError("IMAGEFILE: a list of several ERS frames is not "
                                         "supported (give one SAR_IM__0P file)",
                                         path=f"{self.config_path}.IMAGEFILE")
            value = value[0]
        image = os.fspath(value)
        n1 = open_n1(image, what="ERS level-0 product in ENVISAT format (SAR_IM__0P)")
        _check_product_type(n1, "SAR_IM__0P", "ERS_ENVISAT reads ERS level-0 raw data "
                            "(SAR_IMS_1P is read by ERS_ENVISAT_SLC; SAR_IMP_1P, a ground-"
                            "range precision image, by no InSAR reader)")
        return read_ers_envisat_raw(image, self._orbit(n1))

    def _orbit(self, n1: N1File) -> Orbit:
        if not self.orbit_type and self.orbit_file:
            kind = "PDS"                 # ISCE2's ORBIT_FILE is only used as a PDS orbit file
            log.info("ORBIT_TYPE not set: ORBIT_FILE %s is read as a PDS orbit", self.orbit_file)
        else:
            kind = str(self.require("orbit_type")).strip().upper()
        if kind not in ("ODR", "PRC", "PDS"):
            raise ConfigurationError(f"ORBIT_TYPE {kind!r}: choose ODR, PRC or PDS (ISCE2's "
                                     "orbit types)", path=f"{self.config_path}.ORBIT_TYPE")
        return orbit_of_type(kind, self.orbit_dir, self.orbit_file, n1.mph.time("SENSING_START"),
                         n1.mph.time("SENSING_STOP"), self.config_path)


