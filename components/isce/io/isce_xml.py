"""The ISCE image XML sidecar (``<file>.xml``, root ``imageFile``).

Rendered with the layout ISCE2's ``Image.renderHdr`` produces (sorted lower-case
property names, each with ``<value>`` and ``<doc>``; ``coordinate1``/``coordinate2``
components with factorymodule/factoryname), so ISCE2's
``isceobj.createImage().load(xml)`` and GDAL's ISCE driver both accept it.
Parsing is lenient in the ways ISCE's own parser is: names compare case- and
whitespace-insensitively, and a value may be a ``<value>`` child, a ``value``
attribute or the element's text.

Properties: ISCE2's loader (``Configurable.initProperties``) exits on a property its Image
does not declare, so only those are written: what the raster says beyond them (band names,
units, no-data, dates, and every ``RasterInfo.extra`` item) goes into the declared
``description`` as one line of ``; ``-separated parts, an extra item as ``extra <key>: <value>``
(e.g. ``extra first_line: 51.5``; syntax and escaping in :mod:`isce.io.provenance`), read back
into ``RasterInfo.extra``. The one exception is a DEM's ``reference`` (EGM96 or WGS84), which
ISCE2's DemImage declares and reads to decide whether its heights still need the geoid
correction: it stays a property. Reading, any undeclared property of an older file, and an
ISCE2 free-text ``description``, land in ``RasterInfo.extra`` as before.

Georeferencing: a geocoded raster's ``coordinate1``/``coordinate2`` ``startingValue`` is
the position of the FIRST SAMPLE'S CENTRE (pixel-is-point), as ISCE2 means it: its DEM
stitcher records the whole-degree lon/lat of an SRTM tile's corner sample, topozero puts
DEM sample i (1-based) at ``startingValue + (i-1)*delta``, geozero writes the lat/lon of
its first computed sample, and MintPy takes ``X_FIRST = startingValue - delta/2``. So
:class:`~isce.io.info.Geo` (GDAL's corner) = startingValue - delta/2 on reading, and
startingValue = corner + delta/2 on writing. (ISCE2's own ``renderVRT`` and GDAL's ISCE
driver put the GeoTransform origin at startingValue: half a sample off this meaning.)
"""
import math
import os
import xml.etree.ElementTree as ET
from decimal import Context, Decimal

from .datatypes import from_isce_name
from .errors import RasterError
from .info import Geo, RasterInfo
from .provenance import ISCE_VERSION, parse_summary, summary

_DOCS = {
    "access_mode": "Image access mode.",
    "byte_order": "Endianness of the image.",
    "data_type": "Image data type.",
    "extra_file_name": "For example name of vrt metadata.",
    "family": "Instance family name",
    "file_name": "Name of the image file.",
    "image_type": "Image type used for displaying.",
    "length": "Image length",
    "name": "Instance name",
    "number_bands": "Number of image bands.",
    "scheme": "Interleaving scheme of the image.",
    "width": "Image width",
    "xmax": "Maximum range value",
    "xmin": "Minimum range value",
    "description": "Image description",
    "delta": "Coordinate quantization.",
    "endingvalue": "Ending value of the coordinate.",
    "size": "Coordinate size.",
    "startingvalue": "Starting value of the coordinate.",
}
_COORD_DOCS = {
    "coordinate1": "First coordinate of a 2D image (width).",
    "coordinate2": "Second coordinate of a 2D image (length).",
}
# properties this module interprets; anything else read from a file lands in RasterInfo.extra
_KNOWN = {
    "isceversion", "accessmode", "byteorder", "datatype", "extrafilename", "family", "name",
    "filename", "imagetype", "length", "width", "numberbands", "scheme", "xmin", "xmax", "caster",
}
# exact decimal arithmetic on doubles (a double's decimal expansion has at most ~770 digits)
_EXACT = Context(prec=2400)
_ENDIAN = {"l": "l", "little": "l", "<": "l", "b": "b", "big": "b", ">": "b"}


def _num(value):
    return repr(float(value))


def _corner(start_text, delta):
    """The outer corner (GDAL origin) of a grid whose first sample's centre is ``start_text``
    and spacing ``delta``: start - delta/2, computed exactly and rounded once."""
    half = _EXACT.divide(Decimal(float(delta)), 2)
    return float(_EXACT.subtract(Decimal(start_text.strip()), half))


def _decimal_text(value):
    """``value`` (a Decimal) as plain positional text unless its exponent is extreme."""
    if value.is_zero():
        return "0.0"
    return format(value, "f") if abs(value.adjusted()) <= 15 else str(value)


def _start_text(corner, delta):
    """The startingValue text of a grid whose outer corner is ``corner``: corner + delta/2 to
    the fewest significant digits from which :func:`_corner` gives ``corner`` back, so a
    write -> read round trip keeps the grid bit for bit (17 digits are usually enough)."""
    exact = _EXACT.add(Decimal(float(corner)), _EXACT.divide(Decimal(float(delta)), 2))
    for digits in range(1, 40):
        text = _decimal_text(Context(prec=digits).plus(exact))
        if _corner(text, delta) == corner:
            return text
    return _decimal_text(exact)


def _coordinates(info):
    """(startingValue text, delta, size) of coordinate1 and coordinate2; a geocoded start is
    the first sample's centre (ISCE2's meaning), half a spacing inside Geo's corner."""
    if info.geo is None:
        return ("0.0", 1.0, info.width), ("0.0", 1.0, info.length)
    g = info.geo
    return ((_start_text(g.x0, g.dx), g.dx, info.width),
            (_start_text(g.y0, g.dy), g.dy, info.length))


def _add_property(parent, name, value, doc=None):
    prop = ET.SubElement(parent, "property", name=name)
    ET.SubElement(prop, "value").text = str(value)
    doc = doc if doc is not None else _DOCS.get(name)
    if doc:
        ET.SubElement(prop, "doc").text = doc



# extra items ISCE2's Image for an image_type declares as properties of its own: its DemImage's
# ``reference`` (EGM96/WGS84) tells ISCE2 whether the DEM still needs the geoid correction
_DECLARED_EXTRA = {"dem": ("reference",)}


def _own_properties(info):
    """The extra items written as properties of their own ({lower-case name: value}): those
    ISCE2's Image of this ``image_type`` declares."""
    declared = _DECLARED_EXTRA.get(info.image_type.strip().lower(), ())
    return {k.strip().lower(): v for k, v in info.extra.items() if k.strip().lower() in declared}


def _description(info, extra):
    """ISCE2's ``description`` property: the bands with their units, the no-data value, the
    dates and the ``extra`` items (:func:`isce.io.provenance.summary`; ISCE2's loader refuses
    properties its Image does not declare, so they are not properties of their own). A free
    text ``description`` read from an ISCE2 file stays as it was when nothing else is said."""
    metadata = {k: v for k, v in info.metadata.items() if k != ISCE_VERSION}
    free = {k: v for k, v in extra.items() if _norm(k) == "description"}
    text = summary(info.replace(metadata=metadata,
                                extra={k: v for k, v in extra.items() if k not in free}))
    if free and not text:
        return {"description": next(iter(free.values()))}
    text = summary(info.replace(metadata=metadata, extra=extra)) if free else text
    return {"description": text} if text else {}


def render(info, file_name, version=""):
    """The XML text for ``info``; ``file_name`` is the data file as recorded (a basename keeps
    the product relocatable: ISCE2 resolves a bare name against the XML's folder)."""
    c1, c2 = _coordinates(info)
    entries = {
        "access_mode": "read",
        "byte_order": info.byte_order,
        "data_type": info.datatype.isce,
        "extra_file_name": os.path.basename(file_name) + ".vrt",
        "family": "image",
        "file_name": file_name,
        "image_type": info.image_type,
        "length": info.length,
        "name": "image_name",
        "number_bands": info.bands,
        "scheme": info.scheme,
        "width": info.width,
        "xmax": _num(float(c1[0]) + c1[2] * c1[1]),
        "xmin": c1[0],
    }
    if info.geo is not None and info.geo.epsg != 4326:
        entries["epsg"] = info.geo.epsg
    own = _own_properties(info)
    entries.update(own)
    entries.update(_description(info, {k: v for k, v in info.extra.items()
                                       if k.strip().lower() not in own}))
    components = {"coordinate1": c1, "coordinate2": c2}

    root = ET.Element("imageFile")
    version = info.metadata.get(ISCE_VERSION, version)
    if version:
        _add_property(root, "ISCE_VERSION", version)
    for key in sorted(set(entries) | set(components)):
        if key in components:
            start, delta, size = components[key]
            comp = ET.SubElement(root, "component", name=key)
            ET.SubElement(comp, "factorymodule").text = "isceobj.Image"
            ET.SubElement(comp, "factoryname").text = "createCoordinate"
            ET.SubElement(comp, "doc").text = _COORD_DOCS[key]
            _add_property(comp, "delta", _num(delta))
            _add_property(comp, "endingvalue", _num(float(start) + size * delta))
            _add_property(comp, "family", "imagecoordinate")
            _add_property(comp, "name", "imagecoordinate_name")
            _add_property(comp, "size", int(size))
            _add_property(comp, "startingvalue", start)
        else:
            _add_property(root, key, entries[key])
    ET.indent(root, space="    ")
    return ET.tostring(root, encoding="unicode") + "\n"


# ----------------------------------------------------------------------------- parsing

def _norm(name):
    return "".join(str(name).split()).replace("_", "").lower()


def _value_of(elem):
    if elem.get("value") is not None:
        return elem.get("value").strip()
    for child in elem:
        if child.tag.lower() == "value":
            return (child.text or "").strip()
    return (elem.text or "").strip()


def _name_of(elem):
    if elem.get("name") is not None:
        return elem.get("name")
    for child in elem:
        if child.tag.lower() == "name":
            return (child.text or "").strip()
    return None


def _collect(elem):
    """Properties and components directly under ``elem``: ({norm: (name, value)}, {norm: elem})."""
    props, comps = {}, {}
    for child in elem:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        name = _name_of(child)
        if name is None:
            continue
        if tag == "property":
            props[_norm(name)] = (name.strip(), _value_of(child))
        elif tag == "component":
            comps[_norm(name)] = child
    return props, comps


def parse_text(text, path):
    """(RasterInfo fields as a dict, recorded file_name or None) from the XML ``text`` of
    sidecar ``path``; ``fields["length"]`` is None when the file gives no length."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise RasterError(path, f"malformed XML: {exc}") from None
    if root.tag != "imageFile":
        raise RasterError(path, f"root element is <{root.tag}>, expected <imageFile> (ISCE image XML)")
    props, comps = _collect(root)

    coords = {}
    for key in ("coordinate1", "coordinate2"):
        cprops = _collect(comps[key])[0] if key in comps else {}
        coords[key] = {k: v for k, (_, v) in cprops.items()}

    def get(key):
        item = props.get(key)
        return None if item is None else item[1]

    def as_int(text, what):
        try:
            value = float(text)
            if value != int(value):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise RasterError(path, f"{what} is {text!r}, expected an integer") from None

    def as_float(text, what):
        try:
            return float(text)
        except (TypeError, ValueError):
            raise RasterError(path, f"{what} is {text!r}, expected a number") from None

    width = get("width") or coords["coordinate1"].get("size")
    if not width:
        raise RasterError(path, "no width (property 'width' or coordinate1 size)")
    width = as_int(width, "width")
    length = get("length") or coords["coordinate2"].get("size")
    length = as_int(length, "length") if length else None

    data_type = get("datatype")
    if not data_type:
        raise RasterError(path, "no data_type property")
    datatype = from_isce_name(data_type, path)
    bands = as_int(get("numberbands") or "1", "number_bands")
    scheme = (get("scheme") or "BIP").upper()
    order_text = (get("byteorder") or "l").strip()
    byte_order = _ENDIAN.get(order_text.lower())
    if byte_order is None:
        raise RasterError(path, f"byte_order is {order_text!r}, expected 'l' or 'b'")

    text1 = coords["coordinate1"].get("startingvalue", "0")
    text2 = coords["coordinate2"].get("startingvalue", "0")
    start1 = as_float(text1, "coordinate1 startingvalue")
    delta1 = as_float(coords["coordinate1"].get("delta", "1"), "coordinate1 delta")
    start2 = as_float(text2, "coordinate2 startingvalue")
    delta2 = as_float(coords["coordinate2"].get("delta", "1"), "coordinate2 delta")
    geo = None
    if (start1, delta1, start2, delta2) != (0.0, 1.0, 0.0, 1.0):   # ISCE's own test for "geocoded"
        epsg = props.get("epsg", (None, "4326"))[1]
        try:
            if not all(math.isfinite(v) for v in (start1, delta1, start2, delta2)):
                raise ValueError(f"non-finite start or spacing {(start1, delta1, start2, delta2)}")
            # startingValue is the first sample's centre; Geo holds the outer corner
            geo = Geo(_corner(text1, delta1), delta1, _corner(text2, delta2), delta2,
                      as_int(epsg, "epsg"))
        except ValueError as exc:
            raise RasterError(path, f"bad coordinates: {exc}") from None

    described = parse_summary(get("description"), bands)
    # undeclared properties (older files, other writers), then the description's extra items
    extra = {name: value for key, (name, value) in props.items()
             if key not in _KNOWN and key != "epsg" and not (key == "description" and described)}
    extra.update((described or {}).pop("extra", {}))
    fields = dict(width=width, length=length, datatype=datatype, bands=bands, scheme=scheme,
                  image_type=get("imagetype") or "", geo=geo, byte_order=byte_order, extra=extra,
                  **(described or {}))
    if get("isceversion"):
        fields["metadata"] = {**fields.get("metadata", {}), ISCE_VERSION: get("isceversion")}
    return fields, get("filename")


def parse(path, data_size=None):
    """(RasterInfo, recorded file_name) from the ISCE XML at ``path``.

    ``data_size`` (bytes of the data file) fills in a missing length, as ISCE does."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as exc:
        raise RasterError(path, f"cannot read sidecar: {exc.strerror}") from None
    fields, file_name = parse_text(text, path)
    if fields["length"] is None:
        line_bytes = fields["width"] * fields["bands"] * fields["datatype"].itemsize
        if not data_size or data_size % line_bytes:
            raise RasterError(path, "no length (property 'length' or coordinate2 size), "
                                    "and the data file size does not give one")
        fields["length"] = data_size // line_bytes
    try:
        return RasterInfo(**fields), file_name
    except ValueError as exc:
        raise RasterError(path, str(exc)) from None
