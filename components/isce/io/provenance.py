"""What a product is and where it came from: the band meanings, units and no-data value
of every product the applications write, looked up by file name, and the run's provenance
(the isce version, the pair's dates), so that every raster's sidecars say them.

:func:`describe` is applied by :func:`isce.io.sidecars.write_sidecars`: writers need not
know about it. What a writer sets itself (``RasterInfo.band_names`` ...) wins over the
catalogue, and what a raster already says (sidecars read back, e.g. for a link) wins over
the run context, so a product keeps the version and dates of the run that made it.

    with provenance.run_context(reference_date="20080601", secondary_date="20080717"):
        isce.io.write("interferogram/filt_topophase.unw", data, scheme="BIL")
    # its .vrt: <Description>unwrapped phase</Description> <UnitType>rad</UnitType>
    # <NoDataValue>0</NoDataValue>, <MDI key="REFERENCE_DATE">20080601</MDI>, ...

Where each sidecar says it: the VRT per band (``Description``, ``UnitType``, ``NoDataValue``)
and in the dataset's ``Metadata``; the ENVI header in ``band names``, ``data ignore value``,
``isce version``, ``reference date``, ... and its ``description``; the ISCE XML in
``ISCE_VERSION`` and ``description`` (:func:`summary`: ISCE2's image loader exits on a
property its Image does not declare, so nothing else is added there; the raster's other
items, ``RasterInfo.extra``, go into that line too, as ``extra <key>: <value>`` parts).

Dates: ``REFERENCE_DATE``/``SECONDARY_DATE`` (``YYYYMMDD``) of the pair, set by the
application (:func:`run_context`) or, without one, read from a stack product's name
(``<d1>_<d2>``); ``ACQUISITION_DATE`` for a stack product named after one date.

Units: ``1`` is dimensionless (coherence, amplitudes, labels); ``px`` pixels; ``deg``, ``m``,
``rad``. No-data: 0 where ISCE writes 0 for "no data" (interferograms, coherence, unwrapped
phase, connected components: a true 0 is rare and reads as no data, as in ISCE2), NaN for
float products that mark missing values with NaN (geometry, offsets, ionosphere), none for
masks and raw echoes (every value means something). A geocoded product (``<name>.geo``) has
its radar product's bands and units and geocoding's fill value: NaN for float and complex
data, 0 for integers.
"""
from __future__ import annotations

import contextvars
import datetime
import math
import os
import re
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..version import release_version
from .info import RasterInfo
from .layout import date_name

__all__ = ["Product", "CATALOGUE", "PROVENANCE_KEYS", "lookup", "describe", "run_context",
           "current", "version_text", "dates_in_name", "summary", "parse_summary",
           "escape_key", "escape_value"]

#: the metadata items provenance adds (GDAL metadata names)
ISCE_VERSION, REFERENCE_DATE, SECONDARY_DATE, ACQUISITION_DATE = (
    "ISCE_VERSION", "REFERENCE_DATE", "SECONDARY_DATE", "ACQUISITION_DATE")
PROVENANCE_KEYS = (ISCE_VERSION, REFERENCE_DATE, SECONDARY_DATE, ACQUISITION_DATE)
_DATE_KEYS = PROVENANCE_KEYS[1:]

NAN = math.nan


@dataclass(frozen=True)
class Product:
    """What the bands of a product are: one name and one unit per band, and its no-data."""

    band_names: tuple
    units: tuple
    nodata: float | None


def _p(names, units, nodata):
    names = (names,) if isinstance(names, str) else tuple(names)
    units = (units,) * len(names) if isinstance(units, str) else tuple(units)
    return Product(names, units, nodata)


_IFG = _p("complex interferogram", "1", 0.0)
_COH = _p("coherence", "1", 0.0)
_PHSIG = _p("phase-sigma coherence", "1", 0.0)
_UNW = _p(("amplitude", "unwrapped phase"), ("1", "rad"), 0.0)
_SLC = _p("complex SLC", "1", 0.0)
_HEIGHT = _p("height above the WGS-84 ellipsoid", "m", NAN)
_RANGE_OFF = _p("range offset (secondary pixel minus reference pixel)", "px", NAN)
_AZIMUTH_OFF = _p("azimuth offset (secondary line minus reference line)", "px", NAN)
_DISPERSIVE = _p("dispersive (ionospheric) phase", "rad", NAN)
_NONDISPERSIVE = _p("non-dispersive phase", "rad", NAN)

#: (file name patterns, product): the first match wins. Names are matched without a final
#: ``.geo`` (geocoded) or ``.full`` (MintPy's full-size geometry, the stack's merged SLCs).
CATALOGUE = (
    # interferograms: insarApp (ISCE2 stripmapApp), the stack (<d1>_<d2>.int), sub-bands
    (("topophase.flat", "filt_topophase.flat", "*.int"), _IFG),
    (("*.unw.conncomp", "*.conncomp"), _p("connected component", "1", 0.0)),
    (("*.unw",), _UNW),
    (("phsig.cor", "filt_*.cor"), _PHSIG),
    (("*.cor",), _COH),
    (("*.amp",), _p(("reference amplitude", "secondary amplitude"), "1", 0.0)),
    # dates: as read or focused, coregistered, band-passed, sub-band
    (("*.slc",), _SLC),
    (("*.raw",), _p("raw echo (I/Q)", "1", None)),
    # topo (ISCE2 topozero's names; hgt is MintPy's name for z)
    (("lat.rdr",), _p("latitude", "deg", NAN)),
    (("lon.rdr",), _p("longitude", "deg", NAN)),
    (("z.rdr", "hgt.rdr"), _HEIGHT),
    (("los.rdr",), _p(("incidence angle", "LOS azimuth angle (anticlockwise from north)"),
                      "deg", NAN)),
    (("inc.rdr",), _p("incidence angle", "deg", NAN)),
    (("hdg.rdr",), _p("sensor-to-target azimuth (anticlockwise from east)", "deg", NAN)),
    (("localInc.rdr",), _p("local incidence angle", "deg", NAN)),
    (("localPsi.rdr",), _p("local psi angle", "deg", NAN)),
    (("incLocal.rdr",), _p(("local psi angle", "local incidence angle"), "deg", NAN)),
    (("shadowMask.rdr",), _p("shadow-layover mask (1 shadow 2 layover 3 both)", "1", None)),
    # geo2rdr, misregistration, rubber-sheeting
    (("range.off", "range_sheet.off", "filtRange.off"), _RANGE_OFF),
    (("azimuth.off", "azimuth_sheet.off", "filtAzimuth.off"), _AZIMUTH_OFF),
    # dense offsets (ISCE2 DenseAmpcor)
    (("*_snr.bil",), _p("signal-to-noise ratio", "1", NAN)),
    (("*_cov.bil",), _p(("azimuth offset variance", "range offset variance",
                         "azimuth-range offset covariance"), "px^2", NAN)),
    (("denseOffsets.bil", "*offsets.bil", "*Offsets.bil"),
     _p(("azimuth offset", "range offset"), "px", NAN)),
    # split-spectrum ionosphere (ISCE2 runDispersive's names)
    (("dispersive.bil.sig*", "nondispersive.bil.sig*"),
     _p("phase standard deviation", "rad", NAN)),
    (("dispersive.bil*",), _DISPERSIVE),
    (("nondispersive.bil*",), _NONDISPERSIVE),
    (("mask.bil",), _p("valid-pixel mask (1 valid)", "1", None)),
    (("dJumps.bil",), _p("differential unwrapping jump", "cycles", None)),
    (("mJumps.bil",), _p("common unwrapping jump", "cycles", None)),
    # DEMs (verifyDEM, dem.py), the simulator's truth (truth/<date>.los.rdr, ...)
    (("*.dem", "*.dem.wgs84", "*.wgs84"), _HEIGHT),
    (("dispersive.rdr",), _DISPERSIVE),
    (("*.los.rdr",), _p("LOS displacement since the first date (towards the radar)", "m", NAN)),
    (("*.tropo.rdr",), _p("tropospheric delay", "m", NAN)),
)

#: metadata the current run adds to what it writes (see run_context)
_RUN = contextvars.ContextVar("isce_provenance", default={})


def version_text() -> str:
    """What sidecars record as ISCE_VERSION: ``isce <release>``."""
    return f"isce {release_version}"


def _date_text(value) -> str:
    """``YYYYMMDD`` of a date(-time) or of such text; ValueError for anything else."""
    if hasattr(value, "year"):
        return date_name(value)
    text = str(value).strip()
    datetime.datetime.strptime(text, "%Y%m%d")      # ValueError when not a date
    return text


@contextmanager
def run_context(**items):
    """Within the block, rasters written carry these provenance items (keys of
    :data:`PROVENANCE_KEYS`, any case; dates as ``YYYYMMDD`` text or date-times; None skipped),
    on top of those of an enclosing block."""
    merged = dict(_RUN.get())
    for key, value in items.items():
        name = key.upper()
        if name not in PROVENANCE_KEYS:
            raise ValueError(f"unknown provenance item {key!r} (known: {', '.join(PROVENANCE_KEYS)})")
        if value is not None:
            merged[name] = _date_text(value) if name in _DATE_KEYS else str(value)
    token = _RUN.set(merged)
    try:
        yield
    finally:
        _RUN.reset(token)


def current() -> dict:
    """The provenance items of the enclosing :func:`run_context` blocks."""
    return dict(_RUN.get())


def _plain_name(path) -> tuple[str, bool]:
    """(basename without ``.geo``/``.full``, whether it was geocoded)."""
    name = os.path.basename(os.fspath(path))
    geocoded = name.endswith(".geo")
    if geocoded:
        name = name[: -len(".geo")]
    if name.endswith(".full"):
        name = name[: -len(".full")]
    return name, geocoded


def lookup(path) -> Product | None:
    """The catalogue's entry for the product at ``path`` (by name), None if unknown.
    Geocoded names (``x.geo``) give x's entry with geocoding's fill as no-data for float data
    (see :func:`describe`)."""
    name = _plain_name(path)[0]
    for patterns, product in CATALOGUE:
        if any(fnmatchcase(name, p) for p in patterns):
            return product
    return None


_PAIR = re.compile(r"(?<!\d)(\d{8})_(\d{8})(?!\d)")
_DATE = re.compile(r"(?<!\d)(\d{8})(?!\d)")


def _valid_dates(texts):
    try:
        return [_date_text(t) for t in texts]
    except ValueError:
        return None


def dates_in_name(path) -> dict:
    """Dates a stack product's name (or its folder's, or that folder's) carries: ``<d1>_<d2>``
    -> reference and secondary dates, a single ``<date>`` -> its acquisition date; {} otherwise."""
    parts = os.path.abspath(os.fspath(path)).split(os.sep)[::-1][:3]
    for part in parts:
        pair = _PAIR.search(part)
        if pair and _valid_dates(pair.groups()):
            return {REFERENCE_DATE: pair.group(1), SECONDARY_DATE: pair.group(2)}
        single = _DATE.findall(part)
        if len(set(single)) == 1 and _valid_dates(single[:1]):
            return {ACQUISITION_DATE: single[0]}
    return {}


def _band_description(path, info) -> dict:
    """band_names, units and nodata of the catalogue for ``info`` (those it lacks)."""
    product = lookup(path)
    if product is None or len(product.band_names) != info.bands:
        return {}
    nodata = product.nodata
    if _plain_name(path)[1]:                      # geocoded: geocoding's fill outside the scene
        nodata = NAN if info.datatype.dtype.kind in "fc" else (0.0 if nodata is not None else None)
    changes = {}
    if not info.band_names:
        changes["band_names"] = product.band_names
    if not info.units:
        changes["units"] = product.units
    if info.nodata is None and nodata is not None:
        changes["nodata"] = nodata
    return changes


def describe(path, info):
    """``info`` as the sidecars of the product at ``path`` should describe it: the catalogue's
    band names, units and no-data where ``info`` has none, and the provenance metadata
    (ISCE_VERSION and dates: the raster's own, else the run context's, else its name's)."""
    run = current()
    named = {} if set(run) & set(_DATE_KEYS) else dates_in_name(path)   # a run's dates win
    metadata = {ISCE_VERSION: version_text(), **named, **run, **info.metadata}
    return info.replace(metadata=metadata, **_band_description(path, info))


# ----------------------------------------------------------------------------- one-line summary
# ISCE2's image XML loader stops on a property its Image does not declare, so the ISCE XML
# says all this in the property ISCE2 declares for it, ``description`` (as the ENVI header's
# ``description``), in a form read back here: parts ``<label>: <value>`` joined by "; ",
#   bands: amplitude [1], unwrapped phase [rad]; no data: 0; isce version: isce 1.0;
#   reference date: 20080601; secondary date: 20080717; extra first_line: 51.5
# One ``extra <key>: <value>`` part per RasterInfo.extra item (text, as extra holds it), in
# its order. Keys are kept as they are if made of [A-Za-z0-9_.~-], values if they hold no
# "%", ";" or control character and start and end with no space; the rest is %XX-escaped
# (UTF-8, RFC 3986 percent-encoding; urllib.parse.unquote gives it back), e.g. a value
# "a; b" is written "a%3B b".
_BAND = re.compile(r"^(.*\S) \[([^\[\]]+)\]$")
_EXTRA = "extra "
_VALUE_ESCAPES = re.compile(r"[%;\x00-\x1f\x7f\ufffe\uffff]|^\s+|\s+$")   # U+FFFE/F: not XML


def _label(key) -> str:
    return key.lower().replace("_", " ")


def escape_key(key) -> str:
    """An extra item's key as a summary writes it: [A-Za-z0-9_.~-] kept, the rest %XX."""
    return urllib.parse.quote(str(key), safe="")


def escape_value(value) -> str:
    """An extra item's value as a summary writes it: "%", ";", control characters (and the
    two characters XML cannot hold) and leading or trailing whitespace %XX-escaped, the rest
    kept."""
    return _VALUE_ESCAPES.sub(lambda m: urllib.parse.quote(m.group(0), safe=""), str(value))


def summary(info) -> str:
    """What ``info`` says about its bands, provenance and extra items, on one line ("" if
    nothing)."""
    parts = []
    if info.band_names:
        units = info.units or (None,) * info.bands
        parts.append("bands: " + ", ".join(f"{n} [{u}]" if u else n
                                           for n, u in zip(info.band_names, units)))
    if info.nodata is not None:
        parts.append(f"no data: {info.nodata_text}")
    parts += [f"{_label(k)}: {info.metadata[k]}" for k in PROVENANCE_KEYS
              if k in info.metadata and not set(";{}") & set(info.metadata[k])]
    parts += [f"{_EXTRA}{escape_key(k)}: {escape_value(v)}" for k, v in info.extra.items()]
    return "; ".join(parts)


def _bands(text, bands) -> dict:
    """band_names (and units, when each band has one) of a summary's ``bands:`` part."""
    entries = [e.strip() for e in text.split(",")]
    if len(entries) != bands or not all(entries):
        return {}
    matches = [_BAND.match(e) for e in entries]
    if all(matches):
        return {"band_names": tuple(m.group(1) for m in matches),
                "units": tuple(m.group(2) for m in matches)}
    return {"band_names": tuple(entries)}


def _extra_item(part) -> tuple | None:
    """(key, value) of an ``extra <key>: <value>`` part (unescaped), None if it is not one."""
    if not part.startswith(_EXTRA):
        return None
    key, sep, value = part[len(_EXTRA):].partition(":")     # an escaped key has no ":"
    if not sep or not key.strip():
        return None
    return urllib.parse.unquote(key.strip()), urllib.parse.unquote(value.strip())


def parse_summary(text, bands) -> dict | None:
    """RasterInfo fields (band_names, units, nodata, metadata, extra) from a :func:`summary`
    of a ``bands``-band raster; None when ``text`` is not one (e.g. ISCE2's free text)."""
    labels = {"bands": "bands", "no data": "nodata", **{_label(k): k for k in PROVENANCE_KEYS}}
    fields, metadata, extra = {}, {}, {}
    for part in (p.strip() for p in str(text or "").split(";")):
        item = _extra_item(part)
        if item is not None:
            extra[item[0]] = item[1]
            continue
        key, sep, value = part.partition(": ")
        if not sep or key.strip().lower() not in labels:
            return None
        name, value = labels[key.strip().lower()], value.strip()
        if name == "bands":
            fields.update(_bands(value, bands))
        elif name == "nodata":
            try:
                fields["nodata"] = float(value)
            except ValueError:
                return None
        else:
            metadata[name] = value
    try:                                    # names that do not fit the raster: not ours
        RasterInfo(width=1, length=1, datatype="BYTE", bands=bands, **fields, metadata=metadata)
    except ValueError:
        return None
    return {**fields, "metadata": metadata, "extra": extra}
