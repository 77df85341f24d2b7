"""ESA's ENVISAT product format ("N1"): MPH, SPH, DSD table and fixed-size ADS records.

Reference: ENVISAT Products Specifications, Vol. 5 "Product Structures"
(PO-RS-MDA-GS-2009) and the ASAR Product Handbook (ESA, 2007), ch. 6. Every
ENVISAT product, auxiliary file (``ASA_INS_AX``, ``DOR_VOR_AX``) and ERS
product re-formatted by ESA ("``.E1``/``.E2``") is laid out as::

    MPH   Main Product Header: 1247 bytes of ``KEY=value\\n`` lines (fixed keys)
    SPH   Specific Product Header: ``SPH_SIZE`` bytes of ``KEY=value`` lines whose last
          ``NUM_DSD * DSD_SIZE`` bytes are the Data Set Descriptors (DSDs, 280 bytes)
    data  the data sets the DSDs point to (``DS_OFFSET``, ``DS_SIZE``, ``NUM_DSR``
          records of ``DSR_SIZE`` bytes): annotation (ADS, type A), global annotation
          (GADS, type G), measurement (MDS, type M); type R names a reference file

Header values: quoted strings (``"..."``, fixed width, blank padded), signed
numbers (``+00172``, ``+7.80397367E+00``) optionally followed by a unit in angle
brackets (``<m>``, ``<bytes>``, ``<10-6degN>``). Binary records are big-endian;
times are MJD2000 triplets ``(days: int32, seconds: uint32, microseconds: uint32)``
since 2000-01-01 00:00:00 UTC.

:func:`open_n1` reads and checks the headers (:class:`N1File`): every problem is an
:class:`~isce.framework.InputError` naming the file, the header key or DSD, and the
byte offset. :class:`AdsLayout` declares a fixed-size ADS record as data (as
``ceos.RecordLayout`` does for CEOS; N1 records have no CEOS header, so the
fields map to a big-endian numpy structured dtype); :meth:`N1File.read_ads`
reads the records of a data set, refusing a data set past the end of the file
(truncated). The ``format_*`` helpers write headers in the same layout (the
simulator's N1 writers use them).
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from isce.framework.errors import InputError

__all__ = ["MPH_SIZE", "DSD_SIZE", "MJD2000", "MPH_FORMAT", "DSD_FORMAT", "HeaderBlock",
           "Dsd", "N1File", "open_n1", "AdsLayout", "mjd_seconds", "mjd_datetime",
           "seconds_to_mjd", "parse_utc", "format_utc", "format_value", "format_block",
           "format_dsd", "n1_error", "aux_validity", "find_aux_file"]

MPH_SIZE = 1247
DSD_SIZE = 280
#: the epoch of ENVISAT MJD2000 times
MJD2000 = _dt.datetime(2000, 1, 1)
_UTC_FORMAT = "%d-%b-%Y %H:%M:%S.%f"

# ---------------------------------------------------------------------------- formats
#: One header line: (key, kind, width, unit). kind: "s" quoted string of ``width``
#: characters, "c" unquoted text of ``width`` characters, "i" signed integer of ``width``
#: characters with the sign, "f<d>" signed fixed point with d decimals, "F<d>" the same
#: without the leading 0 (DELTA_UT1 ``-.467078``), "e<d>" signed exponent notation with
#: d decimals. A key None is a blank line of ``width`` spaces.
MPH_FORMAT = (
    ("PRODUCT", "s", 62, ""), ("PROC_STAGE", "c", 1, ""), ("REF_DOC", "s", 23, ""),
    (None, "", 40, ""),
    ("ACQUISITION_STATION", "s", 20, ""), ("PROC_CENTER", "s", 6, ""),
    ("PROC_TIME", "s", 27, ""), ("SOFTWARE_VER", "s", 14, ""),
    (None, "", 40, ""),
    ("SENSING_START", "s", 27, ""), ("SENSING_STOP", "s", 27, ""),
    (None, "", 40, ""),
    ("PHASE", "c", 1, ""), ("CYCLE", "i", 4, ""), ("REL_ORBIT", "i", 6, ""),
    ("ABS_ORBIT", "i", 6, ""), ("STATE_VECTOR_TIME", "s", 27, ""),
    ("DELTA_UT1", "F6", 8, "s"),
    ("X_POSITION", "f3", 12, "m"), ("Y_POSITION", "f3", 12, "m"), ("Z_POSITION", "f3", 12, "m"),
    ("X_VELOCITY", "f6", 12, "m/s"), ("Y_VELOCITY", "f6", 12, "m/s"),
    ("Z_VELOCITY", "f6", 12, "m/s"), ("VECTOR_SOURCE", "s", 2, ""),
    (None, "", 40, ""),
    ("UTC_SBT_TIME", "s", 27, ""), ("SAT_BINARY_TIME", "i", 11, ""),
    ("CLOCK_STEP", "i", 11, "ps"),
    (None, "", 32, ""),
    ("LEAP_UTC", "s", 27, ""), ("LEAP_SIGN", "i", 4, ""), ("LEAP_ERR", "c", 1, ""),
    (None, "", 40, ""),
    ("PRODUCT_ERR", "c", 1, ""), ("TOT_SIZE", "i", 21, "bytes"), ("SPH_SIZE", "i", 11, "bytes"),
    ("NUM_DSD", "i", 11, ""), ("DSD_SIZE", "i", 11, "bytes"), ("NUM_DATA_SETS", "i", 11, ""),
    (None, "", 40, ""),
)
#: the 280-byte Data Set Descriptor
DSD_FORMAT = (
    ("DS_NAME", "s", 28, ""), ("DS_TYPE", "c", 1, ""), ("FILENAME", "s", 62, ""),
    ("DS_OFFSET", "i", 21, "bytes"), ("DS_SIZE", "i", 21, "bytes"), ("NUM_DSR", "i", 11, ""),
    ("DSR_SIZE", "i", 11, "bytes"), (None, "", 32, ""),
)
_MPH_KEYS = tuple(row[0] for row in MPH_FORMAT if row[0])
_DSD_KEYS = tuple(row[0] for row in DSD_FORMAT if row[0])
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:<([^<>]*)>)?$")


def n1_error(path, where: str, offset: int, message: str) -> InputError:
    """InputError ``<file>: <where> at byte offset <o>: <message>``."""
    return InputError(f"{path}: {where} at byte offset {offset}: {message}")


# ---------------------------------------------------------------------------- times
def mjd_seconds(days, seconds, microseconds) -> np.ndarray | float:
    """Seconds since 2000-01-01 00:00:00 UTC of MJD2000 triplets (arrays or scalars)."""
    return (np.asarray(days, dtype=np.float64) * 86400.0 + np.asarray(seconds, dtype=np.float64)
            + np.asarray(microseconds, dtype=np.float64) * 1e-6)


def mjd_datetime(days: int, seconds: int, microseconds: int) -> _dt.datetime:
    """The UTC datetime of one MJD2000 triplet (exact to the microsecond)."""
    return MJD2000 + _dt.timedelta(days=int(days), seconds=int(seconds),
                                   microseconds=int(microseconds))


def seconds_to_mjd(t: float) -> tuple[int, int, int]:
    """MJD2000 triplet of ``t`` seconds since 2000-01-01 (rounded to the microsecond)."""
    us = int(round(float(t) * 1e6))
    days, rest = divmod(us, 86_400_000_000)
    sec, micro = divmod(rest, 1_000_000)
    return int(days), int(sec), int(micro)


def parse_utc(text: str) -> _dt.datetime:
    """``03-JUL-2004 20:53:38.192288`` -> datetime (ValueError when malformed)."""
    return _dt.datetime.strptime(text.strip().title(), _UTC_FORMAT)


def format_utc(when: _dt.datetime) -> str:
    """datetime -> ``03-JUL-2004 20:53:38.192288`` (27 characters, month upper case)."""
    return when.strftime(_UTC_FORMAT).upper()


# ---------------------------------------------------------------------------- header blocks
class HeaderBlock:
    """The ``KEY=value`` lines of an MPH, SPH or DSD, with checked typed access.

    ``entries`` maps key -> (raw value text, file byte offset of the line); ``what`` names
    the block in messages (``"MPH"``, ``"SPH"``, ``"DSD 12 (MDS1)"``)."""

    def __init__(self, path: str, what: str, entries: dict[str, tuple[str, int]]):
        self.path = path
        self.what = what
        self.entries = entries

    def __contains__(self, key):
        return key in self.entries

    def keys(self):
        return list(self.entries)

    def offset(self, key: str) -> int:
        return self.entries[key][1]

    def raw(self, key: str) -> str:
        """The value text as written (quotes and units included)."""
        if key not in self.entries:
            first = min((off for _, off in self.entries.values()), default=0)
            raise n1_error(self.path, self.what, first,
                           f"key {key} is missing (keys: {', '.join(self.entries) or 'none'})")
        return self.entries[key][0]

    def _error(self, key, message) -> InputError:
        return n1_error(self.path, f"{self.what} key {key}", self.offset(key), message)

    def text(self, key: str) -> str:
        """A quoted string, without quotes and surrounding blanks."""
        raw = self.raw(key)
        if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"':
            raise self._error(key, f"value {raw!r} is not a quoted string")
        return raw[1:-1].strip()

    def code(self, key: str) -> str:
        """An unquoted one-word value (``PROC_STAGE=N``, ``DS_TYPE=A``)."""
        return self.raw(key).strip()

    def number(self, key: str, unit: str | None = None) -> tuple[float | int, str]:
        """(value, unit) of a signed number with an optional ``<unit>``; ``unit`` given:
        the unit must be that one."""
        raw = self.raw(key)
        m = _NUMBER.match(raw.strip())
        if not m:
            raise self._error(key, f"value {raw!r} is not a number")
        text, got = m.group(1), m.group(2) or ""
        if unit is not None and got != unit:
            raise self._error(key, f"value {raw!r} has unit <{got}>, expected <{unit}>")
        value = float(text) if any(c in text for c in ".eE") else int(text)
        return value, got

    def integer(self, key: str, unit: str | None = None) -> int:
        value, _ = self.number(key, unit)
        if not isinstance(value, int):
            raise self._error(key, f"value {self.raw(key)!r} is not an integer")
        return value

    def real(self, key: str, unit: str | None = None) -> float:
        return float(self.number(key, unit)[0])

    def time(self, key: str) -> _dt.datetime:
        """A quoted UTC time ``"03-JUL-2004 20:53:38.192288"``."""
        text = self.text(key)
        try:
            return parse_utc(text)
        except ValueError:
            raise self._error(key, f"value {text!r} is not a UTC time "
                                   "DD-MMM-YYYY hh:mm:ss.uuuuuu") from None


def _split_lines(path, data: bytes, base: int, what: str):
    """(key, value, offset) of each ``KEY=value`` line of ``data`` (at file byte ``base``);
    blank (space-only) lines are skipped, anything else is an error naming its offset."""
    out, pos = [], 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            raise n1_error(path, what, base + pos, f"line {data[pos:pos + 40]!r} does not end "
                                                   "with a newline (truncated or corrupt header)")
        line = data[pos:end]
        if line.strip(b" "):
            key, eq, value = line.partition(b"=")
            try:
                key_s, value_s = key.decode("ascii"), value.decode("ascii")
            except UnicodeDecodeError:
                raise n1_error(path, what, base + pos,
                               f"line {line[:60]!r} is not ASCII text (corrupt header)") from None
            if not eq or not re.fullmatch(r"[A-Z0-9_]+", key_s):
                raise n1_error(path, what, base + pos,
                               f"line {key_s[:60]!r} is not a KEY=value line (corrupt header)")
            out.append((key_s, value_s, base + pos))
        pos = end + 1
    return out


# ---------------------------------------------------------------------------- DSDs
@dataclass(frozen=True)
class Dsd:
    """One Data Set Descriptor: ``name`` (blank-stripped), ``type`` (A, G, M or R),
    ``filename``, ``offset`` and ``size`` [bytes] of the data set, ``num_dsr`` records of
    ``dsr_size`` bytes, its ``index`` (0-based) and the file byte offset of the DSD."""

    name: str
    type: str
    filename: str
    offset: int
    size: int
    num_dsr: int
    dsr_size: int
    index: int
    dsd_offset: int

    @property
    def used(self) -> bool:
        """False for the ``NOT USED`` placeholders (no data, filename ``NOT USED``)."""
        return self.filename != "NOT USED" and not (self.type != "R" and self.size == 0
                                                    and self.num_dsr == 0)

    def where(self) -> str:
        return f"DSD {self.index + 1} ({self.name})"


# ---------------------------------------------------------------------------- the file
class N1File:
    """The headers of an N1 file (metadata only; no file is kept open).

    ``mph`` and ``sph`` are :class:`HeaderBlock` s, ``dsds`` the DSD table, ``size`` the
    file size [bytes]. Use :func:`open_n1`."""

    def __init__(self, path, *, what: str = "ENVISAT N1 file"):
        self.path = os.fspath(path)
        self.what = what
        if not os.path.exists(self.path):
            raise InputError(f"{self.path}: no such file ({what})")
        if os.path.isdir(self.path):
            raise InputError(f"{self.path}: is a folder, not an {what}")
        self.size = os.path.getsize(self.path)
        with open(self.path, "rb") as fh:
            head = fh.read(MPH_SIZE)
            self.mph = self._read_mph(head)
            self.sph_size = self.mph.integer("SPH_SIZE", "bytes")
            sph = fh.read(self.sph_size)
        self._check_mph_sizes()
        if len(sph) < self.sph_size:
            raise n1_error(self.path, "SPH", MPH_SIZE,
                           f"truncated: the MPH announces an SPH of {self.sph_size} bytes but the "
                           f"file ends at byte {self.size}")
        self.sph, self.dsds = self._read_sph(sph)

    # -- MPH
    def _read_mph(self, head: bytes) -> HeaderBlock:
        if len(head) < MPH_SIZE:
            raise n1_error(self.path, "MPH", 0,
                           f"truncated: the file has {len(head)} bytes, less than the "
                           f"{MPH_SIZE}-byte Main Product Header (not an ENVISAT N1 file?)")
        if not head.startswith(b'PRODUCT="'):
            raise n1_error(self.path, "MPH", 0, f"starts with {head[:20]!r}, not PRODUCT=\"... "
                                                "(not an ENVISAT N1 file)")
        lines = _split_lines(self.path, head, 0, "MPH")
        entries = {}
        for i, (key, value, off) in enumerate(lines):
            want = _MPH_KEYS[i] if i < len(_MPH_KEYS) else None
            if key != want:
                raise n1_error(self.path, "MPH", off,
                               f"key {key} where the MPH has "
                               f"{want if want else 'no more keys'} (corrupt header)")
            entries[key] = (value, off)
        if len(entries) < len(_MPH_KEYS):
            missing = _MPH_KEYS[len(entries)]
            raise n1_error(self.path, "MPH", MPH_SIZE,
                           f"key {missing} is missing (the MPH ends after {len(entries)} keys)")
        return HeaderBlock(self.path, "MPH", entries)

    def _check_mph_sizes(self):
        dsd_size = self.mph.integer("DSD_SIZE", "bytes")
        if dsd_size != DSD_SIZE:
            raise n1_error(self.path, "MPH key DSD_SIZE", self.mph.offset("DSD_SIZE"),
                           f"DSD size {dsd_size}, expected {DSD_SIZE}")
        self.num_dsd = self.mph.integer("NUM_DSD")
        if self.num_dsd < 0 or self.num_dsd * DSD_SIZE > self.sph_size:
            raise n1_error(self.path, "MPH key NUM_DSD", self.mph.offset("NUM_DSD"),
                           f"{self.num_dsd} DSDs of {DSD_SIZE} bytes do not fit in the "
                           f"{self.sph_size}-byte SPH")
        self.tot_size = self.mph.integer("TOT_SIZE", "bytes")

    # -- SPH
    def _read_sph(self, sph: bytes):
        split = self.sph_size - self.num_dsd * DSD_SIZE
        lines = _split_lines(self.path, sph[:split], MPH_SIZE, "SPH")
        entries = {}
        for key, value, off in lines:
            if key in entries:
                raise n1_error(self.path, "SPH", off, f"key {key} appears twice")
            entries[key] = (value, off)
        if "SPH_DESCRIPTOR" not in entries:
            raise n1_error(self.path, "SPH", MPH_SIZE, "SPH_DESCRIPTOR is missing")
        dsds = [self._read_dsd(i, sph[split + i * DSD_SIZE:split + (i + 1) * DSD_SIZE],
                               MPH_SIZE + split + i * DSD_SIZE) for i in range(self.num_dsd)]
        return HeaderBlock(self.path, "SPH", entries), dsds

    def _read_dsd(self, i: int, data: bytes, base: int) -> Dsd:
        what = f"DSD {i + 1}"
        lines = _split_lines(self.path, data, base, what)
        keys = [k for k, _, _ in lines]
        if keys != list(_DSD_KEYS):
            off = next((o for (k, _, o), w in zip(lines, _DSD_KEYS) if k != w), base)
            raise n1_error(self.path, what, off,
                           f"keys {', '.join(keys)}; a DSD has {', '.join(_DSD_KEYS)} "
                           "(corrupt DSD, or a wrong NUM_DSD/SPH_SIZE)")
        block = HeaderBlock(self.path, what, {k: (v, o) for k, v, o in lines})
        name = block.text("DS_NAME")
        block.what = f"DSD {i + 1} ({name})"
        dsd = Dsd(name=name, type=block.code("DS_TYPE"), filename=block.text("FILENAME"),
                  offset=block.integer("DS_OFFSET", "bytes"), size=block.integer("DS_SIZE", "bytes"),
                  num_dsr=block.integer("NUM_DSR"), dsr_size=block.integer("DSR_SIZE", "bytes"),
                  index=i, dsd_offset=base)
        if dsd.type not in ("A", "G", "M", "R"):
            raise n1_error(self.path, dsd.where(), block.offset("DS_TYPE"),
                           f"DS_TYPE {dsd.type!r} is not A, G, M or R")
        if min(dsd.offset, dsd.size, dsd.num_dsr, dsd.dsr_size) < 0:
            raise n1_error(self.path, dsd.where(), base, "negative offset, size or count")
        if dsd.type != "R" and dsd.size != dsd.num_dsr * dsd.dsr_size and dsd.dsr_size > 0:
            raise n1_error(self.path, dsd.where(), block.offset("DS_SIZE"),
                           f"DS_SIZE {dsd.size} is not NUM_DSR {dsd.num_dsr} x DSR_SIZE "
                           f"{dsd.dsr_size}")
        return dsd

    # -- access
    @property
    def product(self) -> str:
        """The product name of the MPH (``ASA_IMS_1PNESA2004...N1``)."""
        return self.mph.text("PRODUCT")

    @property
    def product_type(self) -> str:
        """The first 10 characters of the product name (``ASA_IMS_1P``, ``SAR_IMP_1P``)."""
        return self.product[:10]

    def find(self, name: str) -> Dsd | None:
        """The DSD called ``name`` (blank-insensitive), or None."""
        want = name.strip()
        return next((d for d in self.dsds if d.name == want), None)

    def dsd(self, name: str, *, dsr_size: int | None = None, used: bool = True) -> Dsd:
        """The DSD called ``name``, checked: it exists, is used (``used``), and its records
        are ``dsr_size`` bytes long (when given)."""
        d = self.find(name)
        if d is None:
            raise n1_error(self.path, f"DSD {name}", MPH_SIZE + self.sph_size - self.num_dsd * DSD_SIZE,
                           f"no data set {name!r} in the DSD table (data sets: "
                           f"{', '.join(x.name for x in self.dsds)}) -- not the expected product "
                           f"type? (this is {self.product_type})")
        if used and not d.used:
            raise n1_error(self.path, d.where(), d.dsd_offset, "the data set is marked NOT USED")
        if dsr_size is not None and d.dsr_size != dsr_size:
            raise n1_error(self.path, d.where(), d.dsd_offset,
                           f"DSR_SIZE is {d.dsr_size} bytes, expected {dsr_size} for this data set")
        return d

    def records_present(self, dsd: Dsd) -> int:
        """How many whole records of ``dsd`` the file holds (fewer than NUM_DSR when cut)."""
        if dsd.dsr_size == 0:
            return 0
        return max(0, min(dsd.num_dsr, (self.size - dsd.offset) // dsd.dsr_size))

    def check_in_file(self, dsd: Dsd, count: int | None = None) -> None:
        """InputError when the first ``count`` records (all by default) of ``dsd`` do not lie
        inside the file (a truncated file, or a DSD pointing past its end)."""
        n = dsd.num_dsr if count is None else count
        end = dsd.offset + n * dsd.dsr_size
        if dsd.offset < MPH_SIZE + self.sph_size and n > 0:
            raise n1_error(self.path, dsd.where(), dsd.dsd_offset,
                           f"DS_OFFSET {dsd.offset} points inside the headers "
                           f"(which end at byte {MPH_SIZE + self.sph_size})")
        if end > self.size:
            k = self.records_present(dsd)
            raise n1_error(self.path, dsd.where(), dsd.offset + k * dsd.dsr_size,
                           f"truncated: record {k + 1} of {dsd.num_dsr} ({dsd.dsr_size} bytes "
                           f"each from byte {dsd.offset}) is not in the file, which ends at "
                           f"byte {self.size} (data set needs bytes up to {end})")

    def read_bytes(self, dsd: Dsd) -> bytes:
        """All records of ``dsd`` as bytes (checked to be in the file)."""
        self.check_in_file(dsd)
        with open(self.path, "rb") as fh:
            fh.seek(dsd.offset)
            return fh.read(dsd.num_dsr * dsd.dsr_size)

    def read_ads(self, name: str, layout: "AdsLayout", *, min_records: int = 1) -> np.ndarray:
        """The records of data set ``name`` decoded with ``layout`` (a structured array of
        NUM_DSR records); the DSD's record size must be the layout's."""
        dsd = self.dsd(name, dsr_size=layout.size)
        if dsd.num_dsr < min_records:
            raise n1_error(self.path, dsd.where(), dsd.dsd_offset,
                           f"{dsd.num_dsr} records, at least {min_records} needed")
        return layout.unpack(self.read_bytes(dsd))


def open_n1(path, *, what: str = "ENVISAT N1 file") -> N1File:
    """Read and check the MPH, SPH and DSD table of an N1 file."""
    return N1File(path, what=what)


# ---------------------------------------------------------------------------- auxiliary files
_AUX_NAME = re.compile(r"^(?P<type>[A-Z0-9_]{10}).*?(\d{8})_(\d{6})_(\d{8})_(\d{6})_(\d{8})_(\d{6})$")


def aux_validity(name: str):
    """(file type, processing time, validity start, validity stop) from an ESA auxiliary file
    name ``<type>..._<proc date>_<time>_<start date>_<time>_<stop date>_<time>`` (as ISCE2
    reads DOR_VOR_AX and ASA_INS_AX names), or None for another name."""
    m = _AUX_NAME.match(os.path.basename(name))
    if not m:
        return None
    try:
        times = [_dt.datetime.strptime(m.group(k) + m.group(k + 1), "%Y%m%d%H%M%S") for k in (2, 4, 6)]
    except ValueError:
        return None
    return (m.group("type"), *times)


def find_aux_file(folder, types: Sequence[str], start: _dt.datetime, stop: _dt.datetime,
                  what: str) -> str:
    """The file of ``folder`` of one of ``types`` (earlier types preferred, then the latest
    processing) whose validity covers [start, stop]; InputError listing the folder otherwise."""
    folder = os.fspath(folder)
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the folder of {what} files: {exc}") from None
    found = []
    for name in names:
        v = aux_validity(name)
        if v and v[0] in types and v[2] <= start and v[3] >= stop \
                and os.path.isfile(os.path.join(folder, name)):
            found.append((-list(types).index(v[0]), v[1], name))
    if not found:
        raise InputError(f"{folder}: no {what} file ({'/'.join(types)}) covers {format_utc(start)} "
                         f".. {format_utc(stop)} (files: {', '.join(names) or 'none'})")
    return os.path.join(folder, max(found)[2])


# ---------------------------------------------------------------------------- ADS records
_TYPES = {
    "mjd": np.dtype([("days", ">i4"), ("seconds", ">u4"), ("microseconds", ">u4")]),
    "u1": np.dtype("u1"), "i1": np.dtype("i1"),
    "u2": np.dtype(">u2"), "i2": np.dtype(">i2"),
    "u4": np.dtype(">u4"), "i4": np.dtype(">i4"),
    "f4": np.dtype(">f4"), "f8": np.dtype(">f8"),
}


class AdsLayout:
    """A fixed-size N1 record declared as data: ``fields`` are rows
    ``(name, type, count)`` laid end to end (name None: spare bytes, type ignored, count
    = bytes); types ``mjd`` (MJD2000 triplet), ``u1 i1 u2 i2 u4 i4 f4 f8`` (big-endian),
    ``S<n>`` (ASCII, n characters) or a nested :class:`AdsLayout` (a repeated group).
    ``size`` (optional) is checked against the sum of the fields (the record size the
    format document gives)."""

    def __init__(self, name: str, fields: Sequence[tuple], *, size: int | None = None):
        self.name = name
        names, formats, offsets = [], [], []
        offset = 0
        self.fields = tuple(fields)
        for fname, ftype, count in self.fields:
            if fname is None:
                offset += int(count)
                continue
            if fname in names:
                raise ValueError(f"{name}: field {fname!r} declared twice")
            base = ftype.dtype if isinstance(ftype, AdsLayout) else (
                _TYPES[ftype] if ftype in _TYPES else np.dtype(ftype))
            fmt = base if count == 1 else (base, (int(count),))
            names.append(fname)
            formats.append(fmt)
            offsets.append(offset)
            offset += base.itemsize * int(count)
        self.size = offset
        if size is not None and size != offset:
            raise ValueError(f"{name}: fields add up to {offset} bytes, the record has {size}")
        self.dtype = np.dtype({"names": names, "formats": formats, "offsets": offsets,
                               "itemsize": offset})

    def offset(self, field: str) -> int:
        """Byte offset of ``field`` within the record."""
        return self.dtype.fields[field][1]

    def unpack(self, data: bytes) -> np.ndarray:
        """The records in ``data`` (a whole number of records) as a structured array."""
        if len(data) % self.size:
            raise ValueError(f"{self.name}: {len(data)} bytes are not whole {self.size}-byte records")
        return np.frombuffer(data, dtype=self.dtype).copy()

    def empty(self, n: int = 1) -> np.ndarray:
        """``n`` zeroed records to fill and :meth:`pack` (spares are zero)."""
        return np.zeros(n, dtype=self.dtype)

    def pack(self, records: np.ndarray) -> bytes:
        return np.ascontiguousarray(records, dtype=self.dtype).tobytes()

    def __repr__(self):
        return f"AdsLayout({self.name!r}, size={self.size})"


# ---------------------------------------------------------------------------- writing
def format_value(kind: str, width: int, value, unit: str = "") -> str:
    """One header value in the N1 layout (see :data:`MPH_FORMAT` for ``kind``)."""
    if kind == "s":
        text = str(value)
        if len(text) > width:
            raise ValueError(f"{text!r} is longer than {width} characters")
        return f'"{text:<{width}}"'
    if kind == "c":
        text = str(value)
        if len(text) != width:
            raise ValueError(f"{text!r} is not {width} character(s)")
        return text
    if kind == "i":
        text = f"{int(value):+0{width}d}"
    elif kind[0] in "fF":
        digits = int(kind[1:])
        text = f"{float(value):+0{width + (kind[0] == 'F')}.{digits}f}"
        if kind[0] == "F":
            text = text[0] + text[2:] if text[1] == "0" else text
    elif kind[0] == "e":
        text = f"{float(value):+.{int(kind[1:])}E}"
    else:
        raise ValueError(f"unknown header value kind {kind!r}")
    if len(text) != width and kind[0] != "e":
        raise ValueError(f"{value!r} does not fit in {width} characters as {kind}")
    return text + (f"<{unit}>" if unit else "")


def format_block(rows: Sequence[tuple], values: dict) -> bytes:
    """``KEY=value\\n`` lines of ``rows`` (as :data:`MPH_FORMAT`) with ``values``; every key
    must have a value and no unknown key may be given."""
    known = {r[0] for r in rows if r[0]}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown header key(s): {', '.join(sorted(unknown))}")
    out = []
    for key, kind, width, unit in rows:
        if key is None:
            out.append(" " * width + "\n")
            continue
        if key not in values:
            raise ValueError(f"header key {key} has no value")
        out.append(f"{key}={format_value(kind, width, values[key], unit)}\n")
    return "".join(out).encode("ascii")


def format_dsd(name: str, ds_type: str, filename: str = "", offset: int = 0, size: int = 0,
               num_dsr: int = 0, dsr_size: int = 0) -> bytes:
    """One 280-byte DSD."""
    data = format_block(DSD_FORMAT, {"DS_NAME": name, "DS_TYPE": ds_type, "FILENAME": filename,
                                     "DS_OFFSET": offset, "DS_SIZE": size, "NUM_DSR": num_dsr,
                                     "DSR_SIZE": dsr_size})
    assert len(data) == DSD_SIZE, len(data)
    return data
