"""Writers of ESA level-0 raw data in the ENVISAT N1 format: ``ENVISAT`` (``ASA_IM__0P`` with
its ``ASA_INS_AX`` instrument file and a ``DOR_VOR_AX`` DORIS orbit file) and ``ERS_ENVISAT``
(``SAR_IM__0P``).

:func:`write_envisat_raw` turns any :class:`~isce.sensors.raw.RawProduct` into what the
``ENVISAT`` reader (:mod:`isce.sensors.envisat_raw`) reads, from that module's tables:

* echoes FBAQ 8:4 encoded, block by block of lines: each 63-sample block gets the block id
  whose levels fit its RMS (the instrument file's table is ``level[row] x sigma[id]``: the
  16 Lloyd-Max reconstruction levels of a unit Gaussian, :data:`LLOYD_MAX_16`, times
  :func:`block_sigmas`, ids 1/24 octave apart), each I and Q the nearest level's code; the
  echoes are first scaled by one gain putting their RMS at :data:`TARGET_RMS` ADC units
  (the decoded echoes are the product's times that gain);
* PRF, pulse length and SWST are codewords in sample clock periods: the PRF is written as
  ``fs / integer`` and the pulse length as ``integer / fs`` (a product farther than
  :data:`PRF_TOLERANCE` / :data:`PULSE_TOLERANCE` from those is refused: the format cannot
  hold it; the preset's real 1652.4156 Hz and 27.1766 us are 2.6e-8 and 0.005 periods off);
  the starting range is exact through the instrument file's range gate bias
  (``r PRI + SWST / fs - 2 R0 / c``, ``0 <= bias < 1/fs``), so each pass gets its own
  instrument file, named by the pass's dates;
* times are written to the microsecond (MJD2000), radar frequency, sampling rate and chirp
  polynomial as float32 (the format's types): the round trip is exact within these and the
  codewords.

:func:`write_ers_envisat_raw` writes ``SAR_IM__0P``: the format holds only counters (PRI,
SWST) and 5616 5-bit I/Q samples per line, the radar constants being ISCE2's. A product
whose wavelength, sampling rate, chirp or PRF are not those values is refused; its echoes
are placed in the 5616-sample window (centred, the window start on the SWST grid of 4
samples) by a band-limited (FFT) fractional delay, the rest of the window empty; they are quantised to 5 bits with one gain (the largest |I|, |Q| at
15.5 codes). The orbit goes to ODR files by the ERS orbit writer.
"""
from __future__ import annotations

import datetime as _dt
import math
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit
from isce.framework.errors import InputError
from isce.io.atomic import remove_quietly, replacing
from isce.sensors.alos_ceos import quantize
from isce.sensors.doris import DORIS_DATA_SETS, DORIS_RECORD_SIZE, format_dor_record
from isce.sensors.envisat_n1 import DSD_SIZE, MJD2000, MPH_SIZE, format_block
from isce.sensors.envisat_raw import (ASAR_MDS, DATA_FIELD_HEADER_BYTES,
                                      ERS_CONSTANTS, ERS_HEADER_BYTES, ERS_LINE_COUNTER,
                                      ERS_MDS, ERS_PRI, ERS_RECORD_BYTES, ERS_SAMPLES, ERS_SWST,
                                      ERS_SWST_RANGE,
                                      FBAQ_BLOCK, INS_GADS, INS_GADS_NAME, PACKET_BITS,
                                      PACKET_HEADER, PACKET_PREFIX_BYTES, asar_sample_bytes)
from isce.sensors.raw import RawProduct

from .envisat_n1 import DataSet, mph_values, n1_header, orbit_datetimes
from .ers_ceos import write_pds

__all__ = ["write_envisat_raw", "write_ers_envisat_raw", "write_instrument_file",
           "write_doris_orbit", "delay_lines", "encode_fbaq", "fbaq_lut", "block_sigmas", "LLOYD_MAX_16",
           "TARGET_RMS", "ASAR_SPH_FORMAT"]

#: Lloyd-Max reconstruction levels of a 16-level quantiser for a unit Gaussian (J. Max,
#: 1960), ascending: the table rows 0..15
LLOYD_MAX_16 = np.array([0.1284, 0.3881, 0.6568, 0.9424, 1.2562, 1.6180, 2.0690, 2.7326])
LLOYD_MAX_16 = np.concatenate([-LLOYD_MAX_16[::-1], LLOYD_MAX_16])
#: RMS [ADC units] the writer scales the echoes to (ASAR's 8-bit ADC: up to +-127)
TARGET_RMS = 16.0
#: largest relative difference between a PRF and fs / (its PRI codeword) written as that
#: codeword (the read PRF is fs / codeword: 2.6e-8 for the real 1652.4156 Hz of the preset)
PRF_TOLERANCE = 1e-6
#: largest difference [clock periods] between a pulse length and its codeword
PULSE_TOLERANCE = 0.05
#: ASAR's Image Mode beam written (IS2) and the beam's r value is chosen per product
BEAM_SET = 2
#: the SPH of ASA_IM__0P (asa_im_decode's sphStruct, before its DSDs)
ASAR_SPH_FORMAT = (
    ("SPH_DESCRIPTOR", "s", 28, ""),
    ("START_LAT", "i", 11, "10-6degN"), ("START_LONG", "i", 11, "10-6degE"),
    ("STOP_LAT", "i", 11, "10-6degN"), ("STOP_LONG", "i", 11, "10-6degE"),
    ("SAT_TRACK", "e8", 15, "deg"), (None, "", 50, ""),
    ("ISP_ERRORS_SIGNIFICANT", "c", 1, ""), ("MISSING_ISPS_SIGNIFICANT", "c", 1, ""),
    ("ISP_DISCARDED_SIGNIFICANT", "c", 1, ""), ("RS_SIGNIFICANT", "c", 1, ""), (None, "", 50, ""),
    ("NUM_ERROR_ISPS", "i", 11, ""), ("ERROR_ISPS_THRESH", "e8", 15, "%"),
    ("NUM_MISSING_ISPS", "i", 11, ""), ("MISSING_ISPS_THRESH", "e8", 15, "%"),
    ("NUM_DISCARDED_ISPS", "i", 11, ""), ("DISCARDED_ISPS_THRESH", "e8", 15, "%"),
    ("NUM_RS_ISPS", "i", 11, ""), ("RS_THRESH", "e8", 15, "%"), (None, "", 100, ""),
    ("TX_RX_POLAR", "s", 5, ""), ("SWATH", "s", 3, ""), (None, "", 41, ""),
)
_AUX_SPH_FORMAT = (("SPH_DESCRIPTOR", "s", 28, ""), (None, "", 51, ""))
#: MPH + SPH bytes of ERS level 0 in N1 (ISCE2's ERS_EnviSAT reads the records from here)
ERS_HEADERS_BYTES = 3203
#: bytes of one DORIS orbit record
DORIS_RECORD_BYTES = 204


# ============================================================================ FBAQ encoding
def block_sigmas() -> np.ndarray:
    """The standard deviation [ADC units] each FBAQ block id stands for: 1/24 octave apart
    from 0.25 (id 0) to about 400 (id 255)."""
    return 0.25 * 2.0 ** (np.arange(256) / 24.0)


def fbaq_lut() -> np.ndarray:
    """The 4096-entry FBAQ 4-bit table this writer puts in the instrument file:
    ``LUT[256 row + id] = LLOYD_MAX_16[row] x block_sigmas()[id]`` (float32)."""
    return (LLOYD_MAX_16[:, None] * block_sigmas()[None, :]).astype(np.float32).ravel()


def _codes(x: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """4-bit codes of the levels nearest ``x / sigma`` (rows -> sign + magnitude codes)."""
    mid = 0.5 * (LLOYD_MAX_16[1:] + LLOYD_MAX_16[:-1])
    rows = np.searchsorted(mid, x / sigma)
    return np.where(rows >= 8, rows - 8, 15 - rows).astype(np.uint8)


def encode_fbaq(echo: np.ndarray) -> np.ndarray:
    """Complex echoes ``(lines, width)`` [ADC units] -> FBAQ 8:4 sample bytes ``(lines,
    asar_sample_bytes(width))``: per 63-sample block the id of :func:`block_sigmas` nearest
    (in log) to the block's RMS per component, then per sample the I and Q codes."""
    z = np.asarray(echo, dtype=np.complex128)
    lines, width = z.shape
    nblocks = -(-width // FBAQ_BLOCK)
    padded = np.zeros((lines, nblocks * FBAQ_BLOCK), np.complex128)
    padded[:, :width] = z
    blocks = padded.reshape(lines, nblocks, FBAQ_BLOCK)
    counts = np.minimum(FBAQ_BLOCK, width - FBAQ_BLOCK * np.arange(nblocks))
    rms = np.sqrt(np.sum(blocks.real ** 2 + blocks.imag ** 2, axis=2) / (2.0 * counts))
    sig = block_sigmas()
    ids = np.clip(np.rint(24.0 * np.log2(np.maximum(rms, 1e-30) / sig[0])), 0, 255).astype(np.uint8)
    s = sig[ids][:, :, None]
    byte = (_codes(blocks.real, s) << 4) | _codes(blocks.imag, s)
    out = np.zeros((lines, nblocks, 64), np.uint8)
    out[:, :, 0] = ids
    out[:, :, 1:] = byte
    return out.reshape(lines, nblocks * 64)[:, :asar_sample_bytes(width)]


# ============================================================================ N1 files
def _utc(epoch: np.datetime64, t: float) -> _dt.datetime:
    """The UTC of ``t`` [s since ``epoch``], rounded to the microsecond."""
    us = np.datetime64(epoch, "ns") + np.timedelta64(int(round(t * 1e9)), "ns")
    return _dt.datetime.utcfromtimestamp(0) + _dt.timedelta(
        microseconds=int(round((us - np.datetime64("1970-01-01", "ns")) / np.timedelta64(1000, "ns"))))


def _mjd(when: _dt.datetime) -> tuple:
    d = when - MJD2000
    return d.days, d.seconds, d.microseconds


def _orbit_numbers(when: _dt.datetime, ref: _dt.datetime, abs_ref: int, rel_ref: int):
    """(absolute, relative) orbit numbers at ``when`` for a 35-day / 501-orbit repeat
    anchored at a known orbit (``ref``, ``abs_ref``, ``rel_ref``)."""
    n = int(math.floor((when - ref).total_seconds() / (35 * 86400.0 / 501))) if when else 0
    return max(abs_ref + n, 1), (rel_ref - 1 + n) % 501 + 1


def _mph(name: str, orbit: Orbit, start: _dt.datetime, stop: _dt.datetime, numbers,
         phase: str = "2") -> dict:
    """MPH values of a file: its state vector is the orbit's at ``start`` (clamped to it)."""
    t = orbit.seconds(np.datetime64(start, "ns"))
    t = min(max(float(t), orbit.start_time), orbit.end_time)
    pos, vel = orbit.interpolate(t)
    return mph_values(name[:62], sensing_start=start, sensing_stop=stop,
                      state_time=orbit_datetimes(orbit, t)[0], position=pos, velocity=vel,
                      abs_orbit=numbers[0], rel_orbit=numbers[1], cycle=1, phase=phase)


def _write_n1(path: str, mph: dict, sph: bytes, data_set: DataSet, write_data, *,
              pad_to: int | None = None) -> None:
    """MPH + SPH (``sph``: its lines, without the DSD) + one DSD, then ``write_data(fh)``
    writing the data set, atomically. ``pad_to``: the MPH + SPH size (a blank SPH line fills
    the gap)."""
    if pad_to is not None:
        gap = pad_to - MPH_SIZE - len(sph) - DSD_SIZE
        if gap < 2:
            raise ValueError(f"the SPH does not fit in {pad_to} bytes")
        sph += b" " * (gap - 1) + b"\n"
    head, offsets = n1_header(mph, sph, [data_set])
    end = offsets[data_set.name] + data_set.size
    with replacing(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(head)
            write_data(fh)
            if fh.tell() != end:
                raise RuntimeError(f"{path}: wrote {fh.tell()} bytes, expected {end}")


def _compact(when: _dt.datetime) -> str:
    return when.strftime("%Y%m%d_%H%M%S")


# ============================================================================ DORIS orbit
def _orbit_grid(orbit: Orbit):
    """(UTC datetimes, positions, velocities) of the orbit at whole microseconds: its own
    vectors when their times are whole microseconds, else interpolated at the vectors'
    times moved inside to the microsecond (a DORIS record holds times to the us)."""
    epoch_ns = int(np.datetime64(orbit.reference_epoch, "ns").astype(np.int64))
    ns = epoch_ns + np.round(np.asarray(orbit.time, dtype=np.float64) * 1e9).astype(np.int64)
    fixed = -(-ns // 1000) * 1000
    fixed[-1] = ns[-1] // 1000 * 1000
    if np.array_equal(fixed, ns):
        pos, vel = np.asarray(orbit.position), np.asarray(orbit.velocity)
    else:
        pos, vel = orbit.interpolate((fixed - epoch_ns) * 1e-9)
    unix = _dt.datetime(1970, 1, 1)
    return [unix + _dt.timedelta(microseconds=int(v // 1000)) for v in fixed], pos, vel


def write_doris_orbit(orbit: Orbit, path, numbers=(0, 0)) -> None:
    """Write ``orbit``'s state vectors (at whole microseconds) as a DORIS precise orbit file
    ``DOR_VOR_AX`` (records of :func:`isce.sensors.doris.format_dor_record`)."""
    when, pos, vel = _orbit_grid(orbit)
    records = b"".join(format_dor_record(w, p, v, orbit=numbers[0])
                       for w, p, v in zip(when, pos, vel))
    path = os.fspath(path)
    sph = format_block(_AUX_SPH_FORMAT, {"SPH_DESCRIPTOR": "DORIS Precise Orbit"})
    _write_n1(path, _mph(os.path.basename(path), orbit, when[0], when[-1], numbers), sph,
              DataSet(DORIS_DATA_SETS[0], "M", len(when), DORIS_RECORD_SIZE),
              lambda fh: fh.write(records))


# ============================================================================ instrument file
def _range_timing(product: RawProduct):
    """(PRI codeword, r, SWST codeword, range gate bias [s]) giving the product's PRF (to
    :data:`PRF_TOLERANCE`) and starting range (exactly); InputError when the PRF is not
    fs / integer within the tolerance."""
    fs = product.range_sampling_rate
    pri_code = int(round(fs / product.prf))
    if abs(fs / pri_code - product.prf) > PRF_TOLERANCE * product.prf or not 0 < pri_code < 65536:
        raise InputError(f"PRF {product.prf!r} Hz is not the sampling rate {fs} Hz / an integer "
                         f"(nearest {fs / pri_code!r} Hz): the ASAR PRI codeword cannot hold it")
    pri = pri_code / fs
    tau = 2.0 * product.starting_range / SPEED_OF_LIGHT
    r = int(tau // pri) - 1
    swst = int(math.ceil((tau - r * pri) * fs))
    return pri_code, r, swst, r * pri + swst / fs - tau


def write_instrument_file(product: RawProduct, path, r: int, range_gate_bias: float,
                          validity: tuple) -> None:
    """Write an ``ASA_INS_AX`` file for ``product``: frequency, sampling rate, the nominal
    pulse (Image Mode and AP beams, so that either reading of ISCE2 finds it), range gate
    bias, timeline r value, FBAQ tables (:func:`fbaq_lut`)."""
    fs, pulse, slope = product.range_sampling_rate, product.pulse_length, product.chirp_slope
    if float(np.float32(fs)) != fs:
        raise InputError(f"sampling rate {fs!r} Hz is not a float32 value: the ASA_INS_AX "
                         "GADS cannot hold it")
    g = INS_GADS.empty(1)
    g["dsr_length"] = INS_GADS.size
    g["radar_frequency"] = SPEED_OF_LIGHT / product.wavelength
    g["sampling_rate"] = fs
    for mode in ("im", "ap"):
        nominal = g[f"nominal_pulse_{mode}"][0]
        nominal["amplitude"][:, 0] = 1.0
        nominal["phase"][:, 1] = -0.5 * slope * pulse        # start frequency [Hz]
        nominal["phase"][:, 2] = 0.5 * slope                  # [cycles / s^2]
        nominal["duration"][:] = pulse
    g["range_gate_bias"] = range_gate_bias
    g["timeline_im"]["r"][0, BEAM_SET - 1] = r
    g["timeline_im"]["swath"][0] = np.arange(1, 8)
    lut = fbaq_lut()
    for part in ("i", "q"):
        g[f"fbaq4_lut_{part}"] = lut
    g["fbaq4_no_adc"] = lut
    data = INS_GADS.pack(g)
    name = os.path.basename(os.fspath(path))
    sph = format_block(_AUX_SPH_FORMAT, {"SPH_DESCRIPTOR": "ASAR Instrument Char. File"})
    _write_n1(os.fspath(path), _mph(name, product.orbit, validity[0], validity[1], (0, 0)), sph,
              DataSet(INS_GADS_NAME, "G", 1, INS_GADS.size), lambda fh: fh.write(data))


# ============================================================================ ASA_IM__0P
def _pulse_codeword(value: float, fs: float) -> int:
    """The Tx pulse length codeword [clock periods] of ``value`` [s]; InputError when it is
    farther than :data:`PULSE_TOLERANCE` periods from an integer (10 bits)."""
    code = int(round(value * fs))
    if abs(code - value * fs) > PULSE_TOLERANCE or not 0 < code < 1024:
        raise InputError(f"pulse length {value!r} s is not an integer number of sample clock "
                         f"periods 1/{fs} Hz (nearest {code / fs!r} s): the ASAR codeword cannot "
                         "hold it")
    return code


def _header_words(product: RawProduct, rows: slice, codes: dict) -> np.ndarray:
    """Data field header words of packets ``rows`` (asa_im_decode's bit layout)."""
    n = rows.stop - rows.start
    count = np.arange(rows.start, rows.stop) + 1
    fields = {**codes, "data_field_header_length": 29, "mode_packet_count_high": count >> 8,
              "mode_packet_count_low": count & 0xFF, "cycle_packet_count": count & 0xFFF,
              "echo_flag": 1, "compression": 1, "beam_set": BEAM_SET}
    words = np.zeros((n, 15), np.int64)
    for name, (i, shift, mask) in PACKET_BITS.items():
        if name in fields:
            words[:, i] |= (np.asarray(fields[name], np.int64) & mask) << shift
    return words.astype(np.uint16)


def _packets(product: RawProduct, rows: slice, echo: np.ndarray, codes: dict, t0: _dt.datetime,
             dsr_size: int) -> bytes:
    """The MDS records of lines ``rows``: front-end, ISP and data field headers + samples."""
    n = rows.stop - rows.start
    head = PACKET_HEADER.empty(n)
    for k, i in enumerate(range(rows.start, rows.stop)):
        when = t0 + _dt.timedelta(microseconds=round(i / product.prf * 1e6))
        head["dsr_time"][k] = _mjd(when)
        head["gsrt"][k] = _mjd(when)
    isp = dsr_size - PACKET_PREFIX_BYTES - 1
    head["isp_length"] = isp
    head["packet_length"] = isp
    head["packet_id"] = 0x0C00
    head["sequence_control"] = 0xC000 | (np.arange(rows.start, rows.stop) & 0x3FFF)
    head["words"] = _header_words(product, rows, codes)
    out = np.zeros((n, dsr_size), np.uint8)
    out[:, :PACKET_HEADER.size] = np.frombuffer(PACKET_HEADER.pack(head), np.uint8).reshape(n, -1)
    out[:, PACKET_PREFIX_BYTES + DATA_FIELD_HEADER_BYTES:] = encode_fbaq(echo)
    return out.tobytes()


def _gain(product: RawProduct, block_lines: int) -> float:
    """One gain for all echoes: their RMS to TARGET_RMS ADC units; InputError when a block
    would leave the table's range (all zero, or a 63-sample block beyond the largest id)."""
    total, count, peak = 0.0, 0, 0.0
    for _, echo in product.iter_blocks(block_lines):
        p = np.abs(echo) ** 2
        total += float(p.sum())
        count += p.size
        peak = max(peak, float(np.sqrt(p.max(initial=0.0))))
    if total <= 0:
        raise InputError(f"{product.source.path}: the echoes are all zero: nothing to encode")
    gain = TARGET_RMS / math.sqrt(total / (2.0 * count))
    if peak * gain > block_sigmas()[-1] * LLOYD_MAX_16[-1]:
        raise InputError(f"{product.source.path}: echo peak {peak * gain:.0f} ADC units at RMS "
                         f"{TARGET_RMS}: beyond the FBAQ table's largest level")
    return gain


def _asar_name(start: _dt.datetime, stop: _dt.datetime, numbers) -> str:
    duration = int(math.ceil((stop - start).total_seconds()))
    return (f"ASA_IM__0PNISC{_compact(start).replace('_', '_')}_{duration:08d}2001_"
            f"{numbers[1]:05d}_{numbers[0]:05d}_0000.N1")


def write_envisat_raw(product: RawProduct, folder, name: str, *,
                      block_lines: int = 1024) -> dict[str, str]:
    """Write ``product`` as ENVISAT ASAR level 0 into ``folder/<name>/``: the ``ASA_IM__0P``
    product, its ``ASA_INS_AX`` and a ``DOR_VOR_AX`` orbit file; returns the ``ENVISAT``
    reader's ``IMAGEFILE``, ``INSTRUMENTFILE`` and ``ORBITFILE`` (relative to ``folder``)."""
    if product.source is None or product.length < 1 or product.width < 1:
        raise InputError("write_envisat_raw: the raw product has no echoes")
    fs = product.range_sampling_rate
    pri_code, r, swst, bias = _range_timing(product)
    codes = {"pri": pri_code, "swst": swst, "window_length": product.width,
             "tx_pulse_length": _pulse_codeword(product.pulse_length, fs),
             "chirp_bandwidth": min(255, int(round(product.chirp_bandwidth * 255 / 16e6))),
             "tx_polarization": int((product.polarization or "VV")[:1].upper() == "V"),
             "rx_polarization": int((product.polarization or "VV")[1:2].upper() == "V")}
    epoch = np.datetime64(product.orbit.reference_epoch, "ns")
    t0 = _utc(epoch, product.sensing_start)
    t1 = t0 + _dt.timedelta(seconds=(product.length - 1) / product.prf)
    numbers = _orbit_numbers(t0, _dt.datetime(2004, 7, 3, 20, 53, 38), 12250, 172)
    sub = os.path.join(os.fspath(folder), name)
    os.makedirs(sub, exist_ok=True)
    day = t0.replace(hour=0, minute=0, second=0, microsecond=0)
    files = {
        "IMAGEFILE": os.path.join(name, _asar_name(t0, t1, numbers)),
        "INSTRUMENTFILE": os.path.join(name, f"ASA_INS_AXVISC{_compact(t0)}_"
                                             f"{_compact(day)}_{_compact(day + _dt.timedelta(days=1))}"),
        "ORBITFILE": os.path.join(name, f"DOR_VOR_AXVISC{_compact(t0)}_"
                                        f"{_compact(day)}_{_compact(day + _dt.timedelta(days=1))}"),
    }
    path = {k: os.path.join(os.fspath(folder), v) for k, v in files.items()}
    write_instrument_file(product, path["INSTRUMENTFILE"], r, bias, (day, day + _dt.timedelta(days=1)))
    write_doris_orbit(product.orbit, path["ORBITFILE"], numbers)
    dsr_size = PACKET_PREFIX_BYTES + DATA_FIELD_HEADER_BYTES + asar_sample_bytes(product.width)
    gain = _gain(product, block_lines)

    def data(fh):
        for rows, echo in product.iter_blocks(block_lines):
            fh.write(_packets(product, rows, np.asarray(echo) * gain, codes, t0, dsr_size))

    pol = (product.polarization or "VV").upper()
    sph = format_block(ASAR_SPH_FORMAT, _asar_sph(product, pol))
    _write_n1(path["IMAGEFILE"], _mph(os.path.basename(files["IMAGEFILE"]), product.orbit, t0, t1,
                                      numbers), sph,
              DataSet(ASAR_MDS, "M", product.length, dsr_size), data)
    return files


def _asar_sph(product: RawProduct, pol: str) -> dict:
    return {**_asar_sph_values(), "TX_RX_POLAR": f"{pol[:1]}/{pol[1:2]}", "SWATH": f"IS{BEAM_SET}"}


def _asar_sph_values() -> dict:
    """The SPH values (no quality problems, no geolocation) shared by the two level-0 files."""
    return {"SPH_DESCRIPTOR": "Image Mode Source Packets", "START_LAT": 0, "START_LONG": 0,
            "STOP_LAT": 0, "STOP_LONG": 0, "SAT_TRACK": 0.0, "ISP_ERRORS_SIGNIFICANT": "0",
            "MISSING_ISPS_SIGNIFICANT": "0", "ISP_DISCARDED_SIGNIFICANT": "0",
            "RS_SIGNIFICANT": "0", "NUM_ERROR_ISPS": 0, "ERROR_ISPS_THRESH": 0.0,
            "NUM_MISSING_ISPS": 0, "MISSING_ISPS_THRESH": 0.0, "NUM_DISCARDED_ISPS": 0,
            "DISCARDED_ISPS_THRESH": 0.0, "NUM_RS_ISPS": 0, "RS_THRESH": 0.0}


# ============================================================================ SAR_IM__0P (ERS)
#: RMS [codes] the ERS writer scales the echoes to (5-bit codes, bias 15.5)
ERS_TARGET_RMS = 4.0
#: largest fraction of I/Q values allowed to clip at the 5-bit limits
ERS_MAX_CLIPPED = 1e-3
#: the SWST counters ISCE2 accepts (it replaces others)
ERS_SWST_MIN, ERS_SWST_MAX = ERS_SWST_RANGE
#: codes of an empty (zero) sample pair: alternating around the bias 15.5
_ERS_FILL = np.array([15, 16, 16, 15], np.uint8)


def _ers_check(product: RawProduct) -> int:
    """The PRI counter of ``product``; InputError listing every value the ERS level-0 format
    cannot hold (its radar constants are ISCE2's, the PRF a counter)."""
    k = ERS_CONSTANTS
    wrong = [f"{name} {getattr(product, name)!r} (the format implies {k[name]!r})"
             for name in ("wavelength", "range_sampling_rate", "chirp_slope", "pulse_length")
             if abs(getattr(product, name) - k[name]) > 1e-9 * abs(k[name])]
    counter = int(round(1.0 / (product.prf * k["counter_unit"]))) - 2
    if abs(1.0 / ((counter + 2) * k["counter_unit"]) - product.prf) > 1e-9 * product.prf:
        wrong.append(f"PRF {product.prf!r} Hz (not 1 / ((counter + 2) x {k['counter_unit']} s))")
    if product.width > ERS_SAMPLES - 4:
        wrong.append(f"width {product.width} samples (at most {ERS_SAMPLES - 4})")
    if wrong:
        raise InputError("ERS level 0 in ENVISAT format cannot hold this product: "
                         + "; ".join(wrong))
    return counter


def _ers_swst(product: RawProduct, pri: float):
    """(SWST counter, delay [samples] of the product's first sample after the counter's
    starting range): ``2 R0 / c = 9 PRI + 4 SWST / fs - 6.622 us + delay / fs``, the counter
    chosen to centre the product in the 5616-sample window (within ISCE2's 500..1500);
    InputError when the product cannot be placed in the window."""
    k = ERS_CONSTANTS
    fs = k["range_sampling_rate"]
    tau = 2.0 * product.starting_range / SPEED_OF_LIGHT
    rest = (tau - k["pri_rank"] * pri + k["delay_time"]) * fs
    centred = int(math.floor((rest - 0.5 * (ERS_SAMPLES - product.width - 1)) / 4.0))
    swst = min(max(centred, ERS_SWST_MIN), ERS_SWST_MAX, int(math.floor(rest / 4.0)))
    delay = rest - 4.0 * swst
    if swst < ERS_SWST_MIN or delay + product.width + 1 > ERS_SAMPLES:
        raise InputError(f"starting range {product.starting_range:.1f} m and {product.width} "
                         f"samples do not fit an ERS receive window (SWST counter "
                         f"{ERS_SWST_MIN}..{ERS_SWST_MAX}, {ERS_SAMPLES} samples, rank 9)")
    return swst, delay


def delay_lines(echo: np.ndarray, delay: float, width: int) -> np.ndarray:
    """Lines ``echo`` delayed by ``delay`` samples (band-limited: FFT phase ramp for the
    fraction, zero padded), ``width`` samples wide."""
    n, w = echo.shape
    whole = int(math.floor(delay))
    frac = delay - whole
    size = 1 << int(math.ceil(math.log2(w + 16)))
    spec = np.fft.fft(echo, size, axis=1)
    spec *= np.exp(-2j * np.pi * np.fft.fftfreq(size) * frac)[None, :]
    shifted = np.fft.ifft(spec, axis=1)[:, :w + 1]
    out = np.zeros((n, width), np.complex128)
    out[:, whole:whole + w + 1] = shifted[:, :min(w + 1, width - whole)]
    return out


def _ers_gain(product: RawProduct, block_lines: int) -> float:
    total, count = 0.0, 0
    for _, echo in product.iter_blocks(block_lines):
        total += float(np.sum(np.abs(echo) ** 2))
        count += echo.size
    if total <= 0:
        raise InputError(f"{product.source.path}: the echoes are all zero: nothing to encode")
    return ERS_TARGET_RMS / math.sqrt(total / (2.0 * count))


def _ers_records(product: RawProduct, rows: slice, echo: np.ndarray, t0: _dt.datetime,
                 counters: tuple, delay: float) -> bytes:
    """The 11498-byte records of lines ``rows``: annotation, counters, 5-bit I/Q samples."""
    n = rows.stop - rows.start
    rec = np.zeros((n, ERS_RECORD_BYTES), np.uint8)
    for k, i in enumerate(range(rows.start, rows.stop)):
        when = t0 + _dt.timedelta(microseconds=round(i / product.prf * 1e6))
        days, sec, us = _mjd(when)
        rec[k, 0:4] = np.array([days], ">i4").view(np.uint8)
        rec[k, 4:12] = np.array([sec, us], ">u4").view(np.uint8)
    rec[:, 24:26] = np.array([ERS_RECORD_BYTES - 32 - 1], ">u2").view(np.uint8)
    rec[:, ERS_LINE_COUNTER:ERS_LINE_COUNTER + 4] = (
        np.asarray(np.arange(rows.start, rows.stop) + 1, ">u4")).view(np.uint8).reshape(n, 4)
    rec[:, ERS_SWST:ERS_SWST + 2] = np.array([counters[0]], ">u2").view(np.uint8)
    rec[:, ERS_PRI:ERS_PRI + 2] = np.array([counters[1]], ">u2").view(np.uint8)
    shifted = delay_lines(echo, delay, ERS_SAMPLES)
    codes = quantize(shifted, 1.0)
    first = int(math.floor(delay))
    last = first + product.width + 1
    fill = np.resize(_ERS_FILL, 2 * ERS_SAMPLES)
    codes[:, :2 * first] = fill[:2 * first]
    codes[:, 2 * last:] = fill[2 * last:]
    rec[:, ERS_HEADER_BYTES:] = codes
    clipped = np.count_nonzero((codes == 0) | (codes == 31))
    return rec.tobytes(), clipped


def _ers_name(start: _dt.datetime, stop: _dt.datetime, numbers, digit: str) -> str:
    duration = int(math.ceil((stop - start).total_seconds()))
    return (f"SAR_IM__0PXESA{_compact(start)}_{duration:08d}G152_{numbers[1]:05d}_"
            f"{numbers[0]:05d}_0000.E{digit}")


def write_ers_envisat_raw(product: RawProduct, folder, name: str, *,
                          block_lines: int = 1024) -> dict[str, str]:
    """Write ``product`` as ERS level 0 in ENVISAT format into ``folder/<name>/``: the
    ``SAR_IM__0P`` file and a PDS orbit file; returns the ``ERS_ENVISAT`` reader's
    ``IMAGEFILE`` and ``ORBIT_FILE`` (relative to ``folder``; ORBIT_TYPE PDS is implied)."""
    if product.source is None or product.length < 1 or product.width < 1:
        raise InputError("write_ers_envisat_raw: the raw product has no echoes")
    counter = _ers_check(product)
    pri = (counter + 2) * ERS_CONSTANTS["counter_unit"]
    swst, delay = _ers_swst(product, pri)
    epoch = np.datetime64(product.orbit.reference_epoch, "ns")
    t0 = _utc(epoch, product.sensing_start)
    t1 = t0 + _dt.timedelta(seconds=(product.length - 1) / product.prf)
    numbers = _orbit_numbers(t0, _dt.datetime(1996, 8, 8, 20, 59, 6), 26498, 458)
    digit = "2" if "2" in (product.platform or "") else "1"
    sub = os.path.join(os.fspath(folder), name)
    os.makedirs(sub, exist_ok=True)
    files = {"IMAGEFILE": os.path.join(name, _ers_name(t0, t1, numbers, digit)),
             "ORBIT_FILE": os.path.join(name, f"PDS_ORBIT_{_compact(t0)}.txt")}
    image = os.path.join(os.fspath(folder), files["IMAGEFILE"])
    write_pds(product.orbit, os.path.join(os.fspath(folder), files["ORBIT_FILE"]), step=None)
    gain = _ers_gain(product, block_lines)
    clipped = [0]

    def data(fh):
        for rows, echo in product.iter_blocks(block_lines):
            blob, n = _ers_records(product, rows, np.asarray(echo) * gain, t0, (swst, counter),
                                   delay)
            clipped[0] += n
            fh.write(blob)

    sph = format_block(ASAR_SPH_FORMAT[:-3], _ers_sph())
    _write_n1(image, _mph(os.path.basename(files["IMAGEFILE"]), product.orbit, t0, t1, numbers,
                          phase="G"), sph,
              DataSet(ERS_MDS, "M", product.length, ERS_RECORD_BYTES), data,
              pad_to=ERS_HEADERS_BYTES)
    if clipped[0] > ERS_MAX_CLIPPED * 2 * product.length * product.width:
        remove_quietly(image)
        raise InputError(f"{product.source.path}: {clipped[0]} I/Q values clip at the 5-bit "
                         f"limits at RMS {ERS_TARGET_RMS} codes (more than {ERS_MAX_CLIPPED:g})")
    return files


def _ers_sph() -> dict:
    values = _asar_sph_values()
    values["SPH_DESCRIPTOR"] = "ERS SAR Level 0 Packets"
    return values
