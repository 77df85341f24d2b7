"""Declarative CEOS records: layouts as data tables, validated reading and writing.

CEOS SAR files (volume directory, leader ``LED-*``, image ``IMG-*``) are
sequences of records. Every record starts with the same 12-byte binary
header::

    bytes 0-3   record sequence number      (big-endian, 1 for the first record of a file)
    byte  4     first record sub-type code
    byte  5     record type code
    byte  6     second record sub-type code
    byte  7     third record sub-type code
    bytes 8-11  record length in bytes, header included

followed by fields at fixed byte offsets. A :class:`RecordLayout` describes
one record type as data: its four type codes, its length (or ``None`` when
it varies), and :class:`Field` rows ``(name, offset, length, format)`` with
0-based offsets counted from the start of the record (JAXA's tables count
from 1: JAXA byte ``b`` is offset ``b - 1`` here). Formats:

``A``  ASCII text, left-justified, blank-padded (decoded stripped)
``I``  ASCII integer, right-justified (blank decodes to ``None``)
``F``  ASCII real, right-justified; ``spec`` is the Python format used when
       writing (``".6f"``, ``".15E"``); ``D`` exponents are accepted
``B``  big-endian binary integer: 1 byte unsigned, 2/4/8 bytes signed
``R``  raw bytes (opaque; ``length=None`` = to the end of the record)

Repeated groups (state vectors, attitude points) are :class:`Repeat` rows.

:class:`CeosReader` walks a file record by record and checks the record
sequence numbers, the type codes and the record lengths; anything wrong
(truncated, corrupt, the wrong kind of file) is an
:class:`~isce.framework.InputError` naming the file, the record number and
its byte offset. :func:`open_fixed_records` and :func:`check_fixed_records`
do the same for the many equal-length records of an image file, vectorised
over a memory map.
"""
from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from isce.framework.errors import InputError

__all__ = ["Field", "Repeat", "RecordLayout", "Record", "CeosReader", "HEADER_FIELDS",
           "HEADER_LENGTH", "FILE_DESCRIPTOR_FIELDS", "sequential", "open_fixed_records",
           "check_fixed_records", "record_error"]

log = logging.getLogger("isce.sensors.ceos")

HEADER_LENGTH = 12
_FORMATS = ("A", "I", "F", "B", "R")
_BINARY_DTYPES = {1: "u1", 2: ">i2", 4: ">i4", 8: ">i8"}


# ---------------------------------------------------------------------------- fields
@dataclass(frozen=True)
class Field:
    """One field of a record: ``name``, 0-based byte ``offset``, ``length`` [bytes],
    ``fmt`` (A, I, F, B, R), ``spec`` (write format of F fields), ``value`` (written
    when the caller gives none; ``None`` leaves the field blank, or zero for B)."""

    name: str
    offset: int
    length: int | None
    fmt: str
    spec: str = ""
    value: object = None

    def __post_init__(self):
        if self.fmt not in _FORMATS:
            raise ValueError(f"field {self.name!r}: format {self.fmt!r} is not one of {_FORMATS}")
        if self.length is None and self.fmt != "R":
            raise ValueError(f"field {self.name!r}: only R fields may run to the end of the record")
        if self.fmt == "B" and self.length not in _BINARY_DTYPES:
            raise ValueError(f"field {self.name!r}: binary fields are 1, 2, 4 or 8 bytes long")
        if self.offset < 0 or (self.length is not None and self.length <= 0):
            raise ValueError(f"field {self.name!r}: bad offset/length {self.offset}/{self.length}")

    @property
    def end(self) -> int:
        return self.offset + (self.length or 0)

    def where(self) -> str:
        """JAXA-style 1-based byte range, e.g. ``bytes 13-16``."""
        if self.length is None:
            return f"bytes {self.offset + 1}-end"
        return f"bytes {self.offset + 1}-{self.offset + self.length}"

    # -- writing
    def encode(self, value, length: int | None = None) -> bytes:
        n = self.length if self.length is not None else length
        if value is None:
            return (b"\0" if self.fmt in "BR" else b" ") * n
        if self.fmt == "B":
            v = int(value)
            lo, hi = (0, 255) if n == 1 else (-(1 << (8 * n - 1)), (1 << (8 * n - 1)) - 1)
            if not lo <= v <= hi:
                raise ValueError(f"field {self.name!r}: {v} does not fit in {n} binary byte(s)")
            return v.to_bytes(n, "big", signed=n > 1)
        if self.fmt == "R":
            data = bytes(value)
            if len(data) > n:
                raise ValueError(f"field {self.name!r}: {len(data)} bytes do not fit in {n}")
            return data + b"\0" * (n - len(data))
        if self.fmt == "A":
            text = str(value)
            if len(text) > n:
                raise ValueError(f"field {self.name!r}: text {text!r} is longer than {n} characters")
            return text.ljust(n).encode("ascii")
        if self.fmt == "I":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"field {self.name!r}: {value!r} is not an integer")
            text = str(int(value))
        else:  # F
            v = float(value)
            if not math.isfinite(v):
                raise ValueError(f"field {self.name!r}: {value!r} is not a finite number")
            text = format(v, self.spec) if self.spec else repr(v)
            if len(text) > n:           # shorten to what fits, keeping as many digits as possible
                text = _fit_float(v, n, self.name)
        if len(text) > n:
            raise ValueError(f"field {self.name!r}: {text!r} does not fit in {n} characters")
        return text.rjust(n).encode("ascii")

    # -- reading
    def decode(self, raw: bytes):
        if self.fmt == "B":
            n = len(raw)
            return int.from_bytes(raw, "big", signed=n > 1)
        if self.fmt == "R":
            return bytes(raw)
        text = raw.decode("ascii", "replace").strip().strip("\x00").strip()
        if self.fmt == "A":
            return text
        if not text:
            return None
        if self.fmt == "I":
            return int(text)
        return float(text.replace("D", "E").replace("d", "e"))


def _fit_float(v: float, n: int, name: str) -> str:
    for digits in range(17, 0, -1):
        for text in (f"{v:.{digits}g}", f"{v:.{digits}E}"):
            if len(text) <= n:
                return text
    raise ValueError(f"field {name!r}: {v!r} does not fit in {n} characters")


@dataclass(frozen=True)
class Repeat:
    """A group of fields repeated ``count`` times (``count``: an int, or the name of the
    field holding it) every ``stride`` bytes from ``offset``; ``fields`` have offsets
    relative to the start of one repetition. Values are lists of dicts."""

    name: str
    offset: int
    stride: int
    count: int | str
    fields: tuple

    def end(self, count: int) -> int:
        return self.offset + self.stride * count


def sequential(start: int, rows: Iterable[tuple]) -> tuple:
    """Fields laid end to end from ``start``: rows ``(name, length, fmt[, spec[, value]])``;
    a row with name ``None`` is a spare (blank) gap. Returns the Field tuple."""
    out, offset = [], start
    for row in rows:
        name, length, fmt, *rest = row
        if name is not None:
            spec = rest[0] if rest else ""
            value = rest[1] if len(rest) > 1 else None
            out.append(Field(name, offset, length, fmt, spec, value))
        offset += length
    return tuple(out)


HEADER_FIELDS = (
    Field("record_sequence_number", 0, 4, "B"),
    Field("first_record_subtype", 4, 1, "B"),
    Field("record_type_code", 5, 1, "B"),
    Field("second_record_subtype", 6, 1, "B"),
    Field("third_record_subtype", 7, 1, "B"),
    Field("record_length", 8, 4, "B"),
)

#: the fixed segment of every CEOS file descriptor record (bytes 13-180)
FILE_DESCRIPTOR_FIELDS = sequential(12, [
    ("ascii_ebcdic_flag", 2, "A", "", "A"),
    (None, 2, "A"),
    ("format_control_document", 12, "A", "", "CEOS-SAR-CCT"),
    ("format_control_document_revision", 2, "A", "", " A"),
    ("file_design_revision", 2, "A", "", " A"),
    ("software_release", 12, "A"),
    ("file_number", 4, "I", "", 1),
    ("file_name", 16, "A"),
    ("record_sequence_location_type", 4, "A", "", "FSEQ"),
    ("sequence_number_location", 8, "I", "", 1),
    ("sequence_number_field_length", 4, "I", "", 4),
    ("record_code_location_type", 4, "A", "", "FTYP"),
    ("record_code_location", 8, "I", "", 5),
    ("record_code_field_length", 4, "I", "", 4),
    ("record_length_location_type", 4, "A", "", "FLGT"),
    ("record_length_location", 8, "I", "", 9),
    ("record_length_field_length", 4, "I", "", 4),
    (None, 4, "A"),
    (None, 64, "A"),
])


# ---------------------------------------------------------------------------- layouts
class RecordLayout:
    """One record type: ``name``, type ``codes`` (4 ints: first sub-type, type, second and
    third sub-types; ``None`` = not checked), fixed ``length`` or ``None``, ``fields`` and
    ``repeats``. ``fill`` is the byte written where no field is (blank for text records,
    zero for binary ones)."""

    def __init__(self, name: str, codes, fields: Sequence[Field], *, length: int | None = None,
                 repeats: Sequence[Repeat] = (), fill: bytes = b" "):
        self.name = name
        self.codes = None if codes is None else tuple(int(c) for c in codes)
        self.length = length
        self.fields = tuple(HEADER_FIELDS) + tuple(fields)
        self.repeats = tuple(repeats)
        self.fill = fill
        self._by_name = {}
        for f in self.fields:
            if f.name in self._by_name:
                raise ValueError(f"{name}: field {f.name!r} is declared twice")
            self._by_name[f.name] = f
        for r in self.repeats:
            if r.name in self._by_name:
                raise ValueError(f"{name}: repeat {r.name!r} clashes with a field")
            if isinstance(r.count, str) and r.count not in self._by_name:
                raise ValueError(f"{name}: repeat {r.name!r} counts with unknown field {r.count!r}")
        self._check_overlaps()

    def _check_overlaps(self):
        spans = sorted((f.offset, f.end if f.length else self.length or 1 << 40, f.name)
                       for f in self.fields)
        for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
            if b0 < a1:
                raise ValueError(f"{self.name}: fields {an!r} and {bn!r} overlap at offset {b0}")
        if self.length is not None and spans and spans[-1][1] > self.length:
            raise ValueError(f"{self.name}: field {spans[-1][2]!r} ends at {spans[-1][1]}, beyond "
                             f"the record length {self.length}")
        for r in self.repeats:
            for f in r.fields:
                if f.end > r.stride:
                    raise ValueError(f"{self.name}: field {f.name!r} of {r.name!r} exceeds its stride")

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @property
    def min_length(self) -> int:
        """Bytes needed by the fixed fields."""
        return max(f.end for f in self.fields)

    # -- writing
    def pack(self, values: dict | None = None, *, sequence: int, length: int | None = None) -> bytes:
        """The record as bytes. ``values`` maps field names (and repeat names, to lists of
        dicts) to values; unknown names are an error (a typo would silently write a blank)."""
        values = dict(values or {})
        known = set(self._by_name) | {r.name for r in self.repeats}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"{self.name}: unknown field(s) {', '.join(sorted(unknown))}")
        n = length if length is not None else self.length
        if n is None:
            raise ValueError(f"{self.name}: a variable-length record needs its length")
        if self.length is not None and n != self.length:
            raise ValueError(f"{self.name}: the record length is {self.length}, not {n}")
        buf = bytearray(self.fill * n)
        header = {"record_sequence_number": sequence, "record_length": n}
        if self.codes is not None:
            header.update(zip(("first_record_subtype", "record_type_code", "second_record_subtype",
                               "third_record_subtype"), self.codes))
        for f in self.fields:
            v = header[f.name] if f.name in header else values.get(f.name, f.value)
            if v is None and f.fmt in "AIF":
                continue
            if f.offset + (f.length or 0) > n:
                raise ValueError(f"{self.name}: field {f.name!r} does not fit in {n} bytes")
            flen = f.length if f.length is not None else n - f.offset
            buf[f.offset:f.offset + flen] = f.encode(v, flen)
        for r in self.repeats:
            items = list(values.get(r.name, []))
            count = r.count if isinstance(r.count, int) else len(items)
            if isinstance(r.count, str):
                cf = self._by_name[r.count]
                buf[cf.offset:cf.end] = cf.encode(count)
            if len(items) > count:
                raise ValueError(f"{self.name}: {len(items)} {r.name} for {count} slots")
            if r.end(count) > n:
                raise ValueError(f"{self.name}: {count} {r.name} do not fit in {n} bytes")
            for i, item in enumerate(items):
                base = r.offset + i * r.stride
                extra = set(item) - {f.name for f in r.fields}
                if extra:
                    raise ValueError(f"{self.name}: unknown field(s) {sorted(extra)} in {r.name}")
                for f in r.fields:
                    v = item.get(f.name, f.value)
                    if v is None and f.fmt in "AIF":
                        continue
                    buf[base + f.offset:base + f.end] = f.encode(v)
        return bytes(buf)

    # -- reading
    def unpack(self, buf: bytes, *, path: str = "", sequence: int | None = None,
               offset: int = 0) -> dict:
        """Field values of one record (``buf`` holds the whole record). A field that cannot
        be decoded is an InputError naming ``path``, the record and the field's byte offset."""
        out = {}
        n = len(buf)

        def decode(f, base):
            start = base + f.offset
            stop = n if f.length is None else start + f.length
            try:
                return f.decode(buf[start:stop])
            except (ValueError, UnicodeError):
                raw = bytes(buf[start:stop])
                text = raw.decode("ascii", "replace")
                shown = repr(text) if raw.isascii() and text.isprintable() else repr(raw)  # b'\xff..'
                raise record_error(path, sequence, offset, self.name,
                                   f"field {f.name!r} ({f.where()} of the record, file byte "
                                   f"offset {offset + start}) holds {shown}, not a "
                                   f"{'number' if f.fmt in 'IF' else 'value'} of format "
                                   f"{f.fmt}{f.length or ''}") from None

        for f in self.fields:
            if f.length is not None and f.end > n:
                continue
            out[f.name] = decode(f, 0)
        for r in self.repeats:
            count = r.count if isinstance(r.count, int) else out.get(r.count)
            if count is None or count < 0:
                raise record_error(path, sequence, offset, self.name,
                                   f"the count of {r.name} ({r.count}) is missing or negative")
            if r.end(count) > n:
                raise record_error(path, sequence, offset, self.name,
                                   f"{count} {r.name} of {r.stride} bytes from byte {r.offset} "
                                   f"need {r.end(count)} bytes; the record has {n}")
            out[r.name] = [{f.name: decode(f, r.offset + i * r.stride) for f in r.fields}
                           for i in range(count)]
        return out

    def dtype(self, itemsize: int | None = None, extra: Sequence[tuple] = ()) -> np.dtype:
        """A numpy structured dtype of the record (for memory-mapped bulk access): B fields
        as big-endian integers, text fields as ``S<n>``; ``extra`` adds ``(name, dtype,
        offset)`` entries (e.g. the sample bytes after a prefix)."""
        names, formats, offsets = [], [], []
        for f in self.fields:
            if f.length is None:
                continue
            names.append(f.name)
            formats.append(_BINARY_DTYPES[f.length] if f.fmt == "B" else f"S{f.length}")
            offsets.append(f.offset)
        for name, fmt, off in extra:
            names.append(name)
            formats.append(fmt)
            offsets.append(off)
        size = itemsize if itemsize is not None else (self.length or self.min_length)
        return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": size})

    def __repr__(self):
        return f"RecordLayout({self.name!r}, codes={self.codes}, length={self.length})"


# ---------------------------------------------------------------------------- reading
def record_error(path, sequence, offset, what, message) -> InputError:
    """InputError ``<file>: record <n> (<what>) at byte offset <o>: <message>``."""
    rec = f"record {sequence}" if sequence is not None else "record"
    kind = f" ({what})" if what else ""
    return InputError(f"{path}: {rec}{kind} at byte offset {offset}: {message}")


def required_value(rec: "Record", name: str, path, *, at_field: bool = True):
    """``rec``'s value ``name``; InputError naming the field when it is blank, at the field's
    byte offset (``at_field=False``: at the record's own offset, as the ALOS readers report)."""
    value = rec.values.get(name)
    if value is None:
        f = rec.layout.field(name)
        raise record_error(path, rec.sequence, rec.offset + (f.offset if at_field else 0),
                           rec.layout.name, f"field {name!r} ({f.where()}) is blank")
    return value


def warn_unannounced_bytes(rd: "CeosReader", path, logger: logging.Logger) -> None:
    """Warn (on the reader module's ``logger``) of bytes after the last record the leader's
    file descriptor announces; they are ignored."""
    if not rd.at_end:
        logger.warning("%s: %d bytes after the last record the file descriptor announces (ignored)",
                       path, rd.size - rd.offset)


def check_leader_records(out: dict, path) -> None:
    """InputError unless a leader read into ``out`` has a data set summary and a platform
    position record."""
    for stem, name in (("dataset_summary", "data set summary"), ("platform_position", "platform position")):
        if stem not in out:
            raise InputError(f"{path}: the leader file has no {name} record (its file descriptor, "
                             "record 1 at byte offset 0, announces none)")


@dataclass
class Record:
    """One record read from a file: its ``values``, ``sequence`` number, byte ``offset``
    and ``length``, and the ``layout`` used."""

    layout: RecordLayout
    sequence: int
    offset: int
    length: int
    values: dict = field(default_factory=dict)

    def __getitem__(self, name):
        return self.values[name]

    def get(self, name, default=None):
        return self.values.get(name, default)


class CeosReader:
    """Sequential reader of one CEOS file; every record is validated as it is read.

    ``what`` names the file in messages (``"leader file"``). Use as a context manager.
    """

    def __init__(self, path, what: str = "CEOS file"):
        self.path = os.fspath(path)
        self.what = what
        if not os.path.exists(self.path):
            raise InputError(f"{self.path}: no such file ({what})")
        if os.path.isdir(self.path):
            raise InputError(f"{self.path}: is a folder, not a {what}")
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open the {what}: {exc}") from None
        self.size = os.fstat(self._fh.fileno()).st_size
        self.offset = 0
        self.sequence = 0           # number of the last record read

    def close(self):
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def at_end(self) -> bool:
        return self.offset >= self.size

    def _read(self, offset, n) -> bytes:
        self._fh.seek(offset)
        return self._fh.read(n)

    def peek(self, start: int, length: int) -> bytes:
        """``length`` bytes at ``start`` bytes into the next record (unchecked; may be short)."""
        return self._read(self.offset + start, length)

    def header(self, offset: int | None = None) -> dict:
        """The 12-byte header at ``offset`` (default: the current position), unchecked."""
        offset = self.offset if offset is None else offset
        raw = self._read(offset, HEADER_LENGTH)
        return {f.name: f.decode(raw[f.offset:f.end]) for f in HEADER_FIELDS} if len(raw) == 12 else {}

    def read(self, layout: RecordLayout, *, length: int | None = None, codes=None) -> Record:
        """Read and validate the next record as ``layout``: its sequence number must follow
        the previous record's, its type codes must be the layout's (or ``codes``), its length
        field must equal ``length`` (e.g. announced by the file descriptor) or the layout's
        fixed length, and the whole record must be in the file."""
        seq, off = self.sequence + 1, self.offset
        name = layout.name
        left = self.size - off
        if left < HEADER_LENGTH:
            if left <= 0:
                raise record_error(self.path, seq, off, name,
                                   f"the {self.what} ends here ({self.size} bytes) but a {name} "
                                   "record was expected: truncated file")
            raise record_error(self.path, seq, off, name,
                               f"truncated: only {left} byte(s) left of the 12-byte record header "
                               f"(the {self.what} ends at byte {self.size})")
        head = self.header(off)
        if head["record_sequence_number"] != seq:
            raise record_error(self.path, seq, off, name,
                               f"record sequence number is {head['record_sequence_number']}, "
                               f"expected {seq} (corrupt file, or a wrong record length before "
                               "this record)")
        want = tuple(codes) if codes is not None else layout.codes
        got = (head["first_record_subtype"], head["record_type_code"],
               head["second_record_subtype"], head["third_record_subtype"])
        if want is not None and got != want:
            raise record_error(self.path, seq, off, name,
                               f"record type codes are {got}, expected {want} for the {name} "
                               f"record (not the expected kind of {self.what}, or corrupt)")
        n = head["record_length"]
        expected = length if length is not None else layout.length
        if expected is not None and n != expected:
            source = "announced by the file descriptor" if length is not None else "of this record type"
            raise record_error(self.path, seq, off, name,
                               f"record length field (bytes 9-12) is {n}, expected {expected} "
                               f"({source})")
        if n < max(HEADER_LENGTH, layout.min_length):
            raise record_error(self.path, seq, off, name,
                               f"record length field (bytes 9-12) is {n}, shorter than the "
                               f"{max(HEADER_LENGTH, layout.min_length)} bytes of its fields")
        if off + n > self.size:
            raise record_error(self.path, seq, off, name,
                               f"truncated: the record needs {n} bytes but the {self.what} ends "
                               f"at byte {self.size} ({self.size - off} bytes of it present)")
        buf = self._read(off, n)
        values = layout.unpack(buf, path=self.path, sequence=seq, offset=off)
        self.sequence, self.offset = seq, off + n
        return Record(layout, seq, off, n, values)

    def skip(self, *, length: int | None = None, codes=None, name: str = "record") -> Record:
        """Read (validate the header of) the next record without decoding its fields."""
        layout = RecordLayout(name, codes, ())
        return self.read(layout, length=length)


# ---------------------------------------------------------------------------- bulk records
def open_fixed_records(path, offset: int, record_length: int, count: int, *, name: str,
                       first_sequence: int, what: str = "CEOS file") -> np.memmap:
    """Memory map of ``count`` records of ``record_length`` bytes from byte ``offset`` as a
    ``(count, record_length)`` uint8 array, after checking that the file holds exactly them
    (a short file is an InputError naming the record it ends in and that record's offset)."""
    path = os.fspath(path)
    size = os.path.getsize(path)
    need = offset + record_length * count
    if size < need:
        k = max(0, (size - offset) // record_length)
        rec_off = offset + k * record_length
        seq = first_sequence + k
        if size > rec_off:
            msg = (f"truncated: the {what} ends at byte {size}, {size - rec_off} bytes into this "
                   f"{record_length}-byte record")
        else:
            msg = f"truncated: the {what} ends here (byte {size}), where this record should start"
        raise record_error(path, seq, rec_off, name,
                           f"{msg}; the file descriptor announces {count} records (the file "
                           f"should have {need} bytes)")
    if size > need:
        log.warning("%s: %d bytes after the last of the %d %s records (ignored)", path,
                    size - need, count, name)
    if count == 0:
        return np.zeros((0, record_length), np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r", offset=offset, shape=(count, record_length))


def _be_u32(cols: np.ndarray) -> np.ndarray:
    c = cols.astype(np.uint32)
    return (c[:, 0] << 24) | (c[:, 1] << 16) | (c[:, 2] << 8) | c[:, 3]


def check_fixed_records(path, records: np.ndarray, *, offset: int, record_length: int,
                        first_sequence: int, codes, name: str, start: int = 0,
                        indices=None) -> None:
    """Check the headers of equal-length records (a ``(n, record_length)`` uint8 array whose
    row ``k`` is record ``start + k`` -- or ``indices[k]`` -- of the run beginning at byte
    ``offset``): sequence numbers ``first_sequence + i``, type ``codes`` and length fields.
    The first bad record is an InputError naming the file, the record number and its byte
    offset."""
    path = os.fspath(path)
    n = records.shape[0]
    if n == 0:
        return
    head = np.asarray(records[:, :HEADER_LENGTH])
    idx = np.arange(start, start + n) if indices is None else np.asarray(indices, dtype=np.int64)
    seq = _be_u32(head[:, 0:4]).astype(np.int64)
    want_codes = np.asarray(codes, dtype=np.uint8)
    lengths = _be_u32(head[:, 8:12]).astype(np.int64)
    bad_seq = seq != first_sequence + idx
    bad_codes = np.any(head[:, 4:8] != want_codes, axis=1)
    bad_len = lengths != record_length
    bad = bad_seq | bad_codes | bad_len
    if not bad.any():
        return
    k = int(np.argmax(bad))
    i = int(idx[k])
    seq_no = first_sequence + i
    off = offset + i * record_length
    if bad_seq[k]:
        msg = (f"record sequence number is {int(seq[k])}, expected {seq_no} (corrupt record, or "
               "a wrong record length earlier in the file)")
    elif bad_codes[k]:
        msg = (f"record type codes are {tuple(int(c) for c in head[k, 4:8])}, expected "
               f"{tuple(int(c) for c in want_codes)} for the {name} record")
    else:
        msg = (f"record length field (bytes 9-12) is {int(lengths[k])}, expected {record_length} "
               "(announced by the file descriptor)")
    raise record_error(path, seq_no, off, name, msg)


def json_facility(rec, path, identifier: str, fmt: str, text_offset: int) -> dict:
    """The JSON text of a facility record our writers add (``identifier``: the exact values
    the coded fields round), checked to be a dict of format ``fmt``; InputError naming the
    file, record and byte (``text_offset``: where the text starts in the record)."""
    n = rec.get("text_length") or 0
    try:
        exact = json.loads(rec["text"][:n].decode("ascii"))
    except (UnicodeError, ValueError) as exc:
        raise record_error(path, rec.sequence, rec.offset + text_offset, rec.layout.name,
                           f"the {identifier} text is not valid JSON: {exc}") from None
    if not isinstance(exact, dict) or exact.get("format") != fmt:
        raise record_error(path, rec.sequence, rec.offset + text_offset, rec.layout.name,
                           f"the {identifier} text is not of format {fmt!r}")
    return exact
