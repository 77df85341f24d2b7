"""Date-times and time intervals with exact nanosecond precision.

:class:`DateTime` is an instant on the UTC time scale without leap seconds
(as ISCE3 and NumPy treat it), stored as an exact integer number of
nanoseconds since 1970-01-01T00:00:00; any year 1..9999 is representable
(unlike ``numpy.datetime64[ns]``, which stops in 2262). :class:`TimeDelta` is
an exact integer number of nanoseconds.

Throughout ``isce``, times inside a product are *float seconds since a
reference epoch* (a :class:`DateTime`), exactly as in ISCE3 and NISAR HDF5;
these classes are for the epochs themselves and for exact arithmetic on them.
Adding a float number of seconds rounds it to the nearest nanosecond using
the exact binary value of the float (no intermediate ``s * 1e9`` rounding).

Accepted text forms (see :func:`parse_datetime`)::

    2003-02-26T17:55:33.993088889    2003-02-24 00:00:00     2003-02-24
    2003-02-24T00:00:00.000000       2003-02-24T00:00:00Z    2003-02-24 00:00:00+00:00
"""
from __future__ import annotations

import datetime as _dt
import numbers
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np

__all__ = [
    "DateTime", "TimeDelta", "parse_datetime", "epoch_from_units",
    "units_from_epoch", "datetime64_from_seconds",
]

_NS = 1_000_000_000
_DAY_NS = 86400 * _NS
_UNIX_ORDINAL = _dt.date(1970, 1, 1).toordinal()

_ISO_RE = re.compile(
    r"""^\s*
    (?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
    (?:
        (?:T|\s+)
        (?P<hour>\d{1,2}):(?P<minute>\d{2})
        (?::(?P<second>\d{1,2})(?:[.,](?P<frac>\d*))?)?
    )?
    \s*(?P<tz>Z|UTC|[+-]\d{2}(?::?\d{2})?)?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)

_UNITS_RE = re.compile(r"^\s*seconds?\s+since\s+(?P<epoch>.+?)\s*$", re.IGNORECASE)


def _to_text(value) -> str:
    """str from str, bytes, numpy bytes/str scalars or 0-d/1-element arrays."""
    if hasattr(value, "shape") and getattr(value, "size", 1) == 1 and not isinstance(value, (str, bytes)):
        try:
            value = value.item() if hasattr(value, "item") else value
        except (TypeError, ValueError):
            pass
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8")
    if not isinstance(value, str):
        raise TypeError(f"expected a date-time string, got {type(value).__name__}")
    return value.rstrip("\x00")


def _exact_fraction(x) -> Fraction:
    """Exact rational value of a real number (float, int, Fraction, Decimal, numpy)."""
    if isinstance(x, bool):
        raise TypeError("bool is not a number")
    if isinstance(x, (Fraction, numbers.Integral)):
        return Fraction(int(x)) if isinstance(x, numbers.Integral) else x
    if isinstance(x, Decimal):
        return Fraction(x)
    if isinstance(x, numbers.Real) or hasattr(x, "__float__"):
        f = float(x)
        if f != f or f in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {x!r}")
        return Fraction(*f.as_integer_ratio())
    raise TypeError(f"expected a real number, got {type(x).__name__}")


def _round_half_away(fr: Fraction) -> int:
    q, r = divmod(abs(fr.numerator), fr.denominator)
    if 2 * r >= fr.denominator:
        q += 1
    return q if fr >= 0 else -q


def _seconds_to_ns(seconds) -> int:
    """Exact conversion of a real number of seconds to the nearest integer ns.

    Accepts int, float (its exact binary value is used), Fraction, Decimal,
    numpy scalars, ``numpy.timedelta64``, ``datetime.timedelta`` and :class:`TimeDelta`. Ties round
    half away from zero.
    """
    if isinstance(seconds, TimeDelta):
        return seconds._ns
    if getattr(getattr(seconds, "dtype", None), "kind", "") == "m":  # numpy.timedelta64
        return int(seconds.astype("timedelta64[ns]").astype("int64"))
    if isinstance(seconds, _dt.timedelta):
        return ((seconds.days * 86400 + seconds.seconds) * 1_000_000 + seconds.microseconds) * 1000
    if isinstance(seconds, numbers.Integral) and not isinstance(seconds, bool):
        return int(seconds) * _NS
    return _round_half_away(_exact_fraction(seconds) * _NS)


# --------------------------------------------------------------------------
class TimeDelta:
    """An exact time interval, stored as an integer number of nanoseconds.

    ``TimeDelta(seconds=0, *, days=0, hours=0, minutes=0, nanoseconds=0)``;
    all parts are added. ``float(td)`` and :meth:`total_seconds` give seconds.
    """

    __slots__ = ("_ns",)

    def __init__(self, seconds=0, *, days=0, hours=0, minutes=0, nanoseconds=0):
        total = (_seconds_to_ns(seconds) + _seconds_to_ns(days) * 86400
                 + _seconds_to_ns(hours) * 3600 + _seconds_to_ns(minutes) * 60)
        if not isinstance(nanoseconds, numbers.Integral):
            raise TypeError("nanoseconds must be an integer")
        self._ns = total + int(nanoseconds)

    @classmethod
    def from_nanoseconds(cls, ns: int) -> "TimeDelta":
        """Build from an integer number of nanoseconds."""
        obj = cls.__new__(cls)
        obj._ns = int(ns)
        return obj

    @property
    def nanoseconds(self) -> int:
        """Whole interval in integer nanoseconds."""
        return self._ns

    def total_seconds(self) -> float:
        """Interval in seconds (float, correctly rounded)."""
        return self._ns / _NS

    def __float__(self):
        return self.total_seconds()

    def __reduce__(self):
        return (TimeDelta.from_nanoseconds, (self._ns,))

    # arithmetic
    def __add__(self, other):
        if isinstance(other, TimeDelta):
            return TimeDelta.from_nanoseconds(self._ns + other._ns)
        if isinstance(other, DateTime):
            return other + self
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, TimeDelta):
            return TimeDelta.from_nanoseconds(self._ns - other._ns)
        return NotImplemented

    def __neg__(self):
        return TimeDelta.from_nanoseconds(-self._ns)

    def __pos__(self):
        return self

    def __abs__(self):
        return TimeDelta.from_nanoseconds(abs(self._ns))

    def __mul__(self, k):
        if isinstance(k, bool) or not isinstance(k, numbers.Real):
            return NotImplemented
        if isinstance(k, numbers.Integral):
            return TimeDelta.from_nanoseconds(self._ns * int(k))
        return TimeDelta.from_nanoseconds(_round_half_away(_exact_fraction(k) * self._ns))

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, TimeDelta):
            return self._ns / other._ns
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return TimeDelta.from_nanoseconds(_round_half_away(Fraction(self._ns) / _exact_fraction(other)))
        return NotImplemented

    # comparisons
    def _cmp(self, other):
        if isinstance(other, TimeDelta):
            return other._ns
        return None

    def __eq__(self, other):
        o = self._cmp(other)
        return NotImplemented if o is None else self._ns == o

    def __lt__(self, other):
        o = self._cmp(other)
        return NotImplemented if o is None else self._ns < o

    def __le__(self, other):
        o = self._cmp(other)
        return NotImplemented if o is None else self._ns <= o

    def __gt__(self, other):
        o = self._cmp(other)
        return NotImplemented if o is None else self._ns > o

    def __ge__(self, other):
        o = self._cmp(other)
        return NotImplemented if o is None else self._ns >= o

    def __hash__(self):
        return hash(("TimeDelta", self._ns))

    def __bool__(self):
        return self._ns != 0

    def __repr__(self):
        return f"TimeDelta(nanoseconds={self._ns})"

    def __str__(self):
        sign = "-" if self._ns < 0 else ""
        s, ns = divmod(abs(self._ns), _NS)
        return f"{sign}{s}.{ns:09d} s"

    def to_dict(self) -> dict:
        """JSON-friendly dict ``{"type": "TimeDelta", "nanoseconds": int}``."""
        return {"type": "TimeDelta", "nanoseconds": self._ns}

    @classmethod
    def from_dict(cls, d: dict) -> "TimeDelta":
        """Inverse of :meth:`to_dict`."""
        return cls.from_nanoseconds(int(d["nanoseconds"]))


# --------------------------------------------------------------------------
def _ymd_hms_to_ns(year, month, day, hour=0, minute=0, second=0, nanosecond=0) -> int:
    try:
        ordinal = _dt.date(int(year), int(month), int(day)).toordinal()
    except ValueError as exc:
        raise ValueError(f"invalid date {year:04d}-{month:02d}-{day:02d}: {exc}") from None
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        raise ValueError(
            f"invalid time of day {hour:02d}:{minute:02d}:{second:02d} "
            "(hours 0-23, minutes 0-59, seconds 0-59; leap seconds are not represented)")
    secs = (ordinal - _UNIX_ORDINAL) * 86400 + hour * 3600 + minute * 60 + second
    return secs * _NS + nanosecond


def parse_datetime(text) -> "DateTime":
    """Parse an ISO-8601-like date-time (str or bytes) to a :class:`DateTime`.

    ``YYYY-MM-DD[(T| )HH:MM[:SS[.fffffffff]]][Z|UTC|±HH[:MM]]``. The fraction may
    have any number of digits: more than nine are rounded to the nearest
    nanosecond. A UTC offset is applied (the result is UTC). Raises
    ``ValueError`` naming the text when it does not match.
    """
    s = _to_text(text)
    m = _ISO_RE.match(s)
    if m is None:
        raise ValueError(
            f"cannot parse date-time {s!r}: expected YYYY-MM-DD[THH:MM:SS[.fffffffff]] "
            "('T' or a space between date and time)")
    g = m.groupdict()
    frac = g["frac"] or ""
    if len(frac) <= 9:
        ns = int(frac.ljust(9, "0")) if frac else 0
    else:
        num = int(frac)
        den = 10 ** (len(frac) - 9)
        ns, rem = divmod(num, den)
        if 2 * rem >= den:
            ns += 1
    total = _ymd_hms_to_ns(
        int(g["year"]), int(g["month"]), int(g["day"]),
        int(g["hour"] or 0), int(g["minute"] or 0), int(g["second"] or 0), 0) + ns
    tz = g["tz"]
    if tz and tz.upper() not in ("Z", "UTC"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        off_min = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        total -= sign * off_min * 60 * _NS
    return DateTime.from_nanoseconds(total)


class DateTime:
    """A UTC instant with exact nanosecond precision.

    Construction::

        DateTime("2003-02-26T17:55:33.993088889")   # any form of parse_datetime
        DateTime(2003, 2, 26, 17, 55, 33, 993088889)  # y, m, d, h, min, s, ns
        DateTime(datetime.datetime(...))  / DateTime(numpy.datetime64(...))

    Arithmetic: ``DateTime ± seconds`` (int, float, Fraction; rounded to the
    nearest ns) or ``± TimeDelta`` gives a DateTime; ``DateTime - DateTime``
    gives a :class:`TimeDelta` (use :meth:`seconds_since` for float seconds).
    Comparisons and hashing are exact.
    """

    __slots__ = ("_ns",)

    def __init__(self, year=None, month=None, day=None, hour=0, minute=0, second=0, nanosecond=0):
        if month is None and day is None and year is not None and not isinstance(year, numbers.Integral):
            self._ns = _coerce_ns(year)
            return
        if year is None or month is None or day is None:
            raise TypeError("DateTime needs a string/datetime or year, month and day")
        if isinstance(second, numbers.Integral):
            sec_int, extra = int(second), 0
        else:
            total = _seconds_to_ns(second)
            sec_int, extra = divmod(total, _NS)
        if not isinstance(nanosecond, numbers.Integral):
            raise TypeError("nanosecond must be an integer")
        self._ns = _ymd_hms_to_ns(int(year), int(month), int(day), int(hour), int(minute),
                                  sec_int, 0) + extra + int(nanosecond)

    # ------------------------------------------------------------ builders
    @classmethod
    def from_nanoseconds(cls, ns: int) -> "DateTime":
        """Build from integer nanoseconds since 1970-01-01T00:00:00 UTC."""
        obj = cls.__new__(cls)
        obj._ns = int(ns)
        return obj

    @classmethod
    def parse(cls, text) -> "DateTime":
        """Alias of :func:`parse_datetime`."""
        return parse_datetime(text)

    def __reduce__(self):
        return (DateTime.from_nanoseconds, (self._ns,))

    # ---------------------------------------------------------- components
    def _split(self):
        days, rem = divmod(self._ns, _DAY_NS)
        date = _dt.date.fromordinal(days + _UNIX_ORDINAL)
        secs, ns = divmod(rem, _NS)
        h, secs = divmod(secs, 3600)
        mi, s = divmod(secs, 60)
        return date, h, mi, s, ns

    @property
    def year(self) -> int:
        return self._split()[0].year

    @property
    def month(self) -> int:
        return self._split()[0].month

    @property
    def day(self) -> int:
        return self._split()[0].day

    @property
    def hour(self) -> int:
        return self._split()[1]

    @property
    def minute(self) -> int:
        return self._split()[2]

    @property
    def second(self) -> int:
        """Whole seconds of the minute (0-59)."""
        return self._split()[3]

    @property
    def nanosecond(self) -> int:
        """Nanoseconds within the second (0-999999999)."""
        return self._ns % _NS

    @property
    def frac(self) -> float:
        """Fraction of the second [s] (float in [0, 1))."""
        return (self._ns % _NS) / _NS

    @property
    def nanoseconds_since_unix_epoch(self) -> int:
        """Exact integer ns since 1970-01-01T00:00:00."""
        return self._ns

    def seconds_of_day(self) -> float:
        """Seconds since the start of the day [s]."""
        return (self._ns % _DAY_NS) / _NS

    def day_of_year(self) -> int:
        """Day of the year (1-366)."""
        return self._split()[0].timetuple().tm_yday

    def date_only(self) -> "DateTime":
        """Midnight at the start of this instant's day."""
        return DateTime.from_nanoseconds(self._ns - self._ns % _DAY_NS)

    # --------------------------------------------------------- formatting
    def isoformat(self, sep: str = "T", digits: int = 9) -> str:
        """``YYYY-MM-DDTHH:MM:SS.fffffffff`` with ``digits`` (0-9) decimals.

        With fewer than 9 digits the value is *truncated* (not rounded) so the
        date and time fields never roll over.
        """
        if not 0 <= digits <= 9:
            raise ValueError("digits must be between 0 and 9")
        date, h, mi, s, ns = self._split()
        out = f"{date.year:04d}-{date.month:02d}-{date.day:02d}{sep}{h:02d}:{mi:02d}:{s:02d}"
        if digits:
            out += "." + f"{ns:09d}"[:digits]
        return out

    def __str__(self):
        return self.isoformat()

    def __repr__(self):
        return f"DateTime('{self.isoformat()}')"

    def __format__(self, spec):
        return format(str(self), spec)

    # -------------------------------------------------------- conversions
    def to_datetime64(self):
        """``numpy.datetime64`` with ns resolution (years 1678-2262 only)."""
        return np.datetime64(self._ns, "ns")

    def to_datetime(self) -> _dt.datetime:
        """Naive :class:`datetime.datetime` (UTC), truncated to microseconds."""
        date, h, mi, s, ns = self._split()
        return _dt.datetime(date.year, date.month, date.day, h, mi, s, ns // 1000)

    def seconds_since(self, epoch) -> float:
        """``self - epoch`` in float seconds (epoch: DateTime or anything DateTime() takes)."""
        return (self._ns - _coerce_ns(epoch)) / _NS

    def is_close(self, other, tol: float = 1e-9) -> bool:
        """True when ``|self - other| <= tol`` seconds."""
        return abs(self._ns - _coerce_ns(other)) <= _seconds_to_ns(tol)

    # --------------------------------------------------------- arithmetic
    def __add__(self, other):
        if isinstance(other, DateTime):
            return NotImplemented
        try:
            return DateTime.from_nanoseconds(self._ns + _seconds_to_ns(other))
        except TypeError:
            return NotImplemented

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, DateTime):
            return TimeDelta.from_nanoseconds(self._ns - other._ns)
        try:
            return DateTime.from_nanoseconds(self._ns - _seconds_to_ns(other))
        except TypeError:
            return NotImplemented

    # -------------------------------------------------------- comparisons
    def __eq__(self, other):
        return self._ns == other._ns if isinstance(other, DateTime) else NotImplemented

    def __lt__(self, other):
        return self._ns < other._ns if isinstance(other, DateTime) else NotImplemented

    def __le__(self, other):
        return self._ns <= other._ns if isinstance(other, DateTime) else NotImplemented

    def __gt__(self, other):
        return self._ns > other._ns if isinstance(other, DateTime) else NotImplemented

    def __ge__(self, other):
        return self._ns >= other._ns if isinstance(other, DateTime) else NotImplemented

    def __hash__(self):
        return hash(("DateTime", self._ns))

    # ------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        """JSON-friendly dict ``{"type": "DateTime", "isoformat": "...9 decimals"}``."""
        return {"type": "DateTime", "isoformat": self.isoformat()}

    @classmethod
    def from_dict(cls, d: dict) -> "DateTime":
        """Inverse of :meth:`to_dict`."""
        return parse_datetime(d["isoformat"])


def _coerce_ns(value) -> int:
    """Integer ns since 1970 from a DateTime, string/bytes, datetime or datetime64."""
    if isinstance(value, DateTime):
        return value._ns
    if isinstance(value, (str, bytes, bytearray)):
        return parse_datetime(value)._ns
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return _ymd_hms_to_ns(value.year, value.month, value.day, value.hour,
                              value.minute, value.second, value.microsecond * 1000)
    if isinstance(value, _dt.date):
        return _ymd_hms_to_ns(value.year, value.month, value.day)
    dtype = getattr(value, "dtype", None)
    if dtype is not None and dtype.kind == "M":
        return int(value.astype("datetime64[ns]").astype("int64"))
    if dtype is not None and dtype.kind in "SUO":
        return parse_datetime(_to_text(value))._ns
    raise TypeError(f"cannot make a DateTime from {type(value).__name__}")


# --------------------------------------------------------------------------
def epoch_from_units(units) -> DateTime:
    """Reference epoch of a NISAR/CF time ``units`` attribute.

    ``"seconds since 2003-02-24 00:00:00"``,
    ``b"seconds since 2021-07-01T00:00:00.000000000"``, ... -> DateTime.
    Raises ``ValueError`` (quoting the text) for anything else, e.g. the junk
    ``"seconds since 1970.1.1"`` of some ENVISAT geolocation grids.
    """
    s = _to_text(units)
    m = _UNITS_RE.match(s)
    if m is None:
        raise ValueError(f"time units {s!r} are not of the form 'seconds since <date-time>'")
    try:
        return parse_datetime(m.group("epoch"))
    except ValueError as exc:
        raise ValueError(f"time units {s!r}: {exc}") from None


def units_from_epoch(epoch) -> str:
    """``"seconds since YYYY-MM-DDTHH:MM:SS.fffffffff"`` for an epoch (inverse of
    :func:`epoch_from_units`)."""
    ep = epoch if isinstance(epoch, DateTime) else DateTime(epoch)
    return f"seconds since {ep.isoformat()}"


def datetime64_from_seconds(epoch, seconds):
    """Vectorised ``epoch + seconds`` as ``numpy.datetime64[ns]`` (rounded to ns).

    ``seconds`` is a float array of seconds since ``epoch``; exact to the
    nanosecond for |seconds| < ~1e6 s (float64 resolution beyond that).
    """
    ep = epoch if isinstance(epoch, DateTime) else DateTime(epoch)
    s = np.asarray(seconds, dtype=np.float64)
    whole = np.floor(s)
    ns = whole.astype(np.int64) * _NS + np.rint((s - whole) * _NS).astype(np.int64)
    return np.datetime64(ep._ns, "ns") + ns.astype("timedelta64[ns]")
