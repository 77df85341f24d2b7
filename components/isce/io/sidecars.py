"""Write the three sidecars of a raster, and find and read whichever one exists.

Order on writing: ``.vrt``, ``.hdr``, then ``.xml`` (ISCE's, the one :func:`read_info`
trusts first), each atomically. They are written only once the data file is in place.
Each names the bands, units, no-data, isce version and dates of the product
(:func:`isce.io.provenance.describe`, by the product's name and the run context).
"""
import logging
import os

from . import envi, isce_xml, provenance, vrt
from .atomic import remove_quietly, write_text
from .errors import RasterError

#: sidecar suffixes, in the order they are read (first present wins)
READ_ORDER = (".xml", ".vrt", ".hdr")

log = logging.getLogger("isce.io")
_TOLD = set()          # sidecars whose grid disagreement was logged (once per process each)


def _tell_once(sidecar, message, *args):
    """Log ``message`` on isce.io the first time it is about ``sidecar``."""
    if sidecar not in _TOLD:
        _TOLD.add(sidecar)
        log.info(message, *args)


def sidecar_paths(data_path):
    data_path = os.fspath(data_path)
    return {suffix: data_path + suffix for suffix in READ_ORDER}


def write_sidecars(data_path, info, fsync=False):
    """Write ``<data_path>.vrt``, ``.hdr`` and ``.xml`` describing ``info``, with what the
    product catalogue and the run context add (:func:`isce.io.provenance.describe`)."""
    data_path = os.fspath(data_path)
    if info.byte_order != "l" or info.offset:
        raise ValueError("sidecars are written for little-endian files without header only")
    info = provenance.describe(data_path, info)
    name = os.path.basename(data_path)
    write_text(data_path + ".vrt", vrt.render(info, name), fsync=fsync)
    write_text(data_path + ".hdr", envi.render(info), fsync=fsync)
    write_text(data_path + ".xml", isce_xml.render(info, name), fsync=fsync)


def remove_sidecars(data_path):
    """Remove the sidecars of ``data_path`` (the ISCE XML first) and GDAL's ``.aux.xml``."""
    data_path = os.fspath(data_path)
    for suffix in READ_ORDER + (".aux.xml",):
        remove_quietly(data_path + suffix)


def locate(path):
    """(kind, sidecar path, data path or None) for ``path``: a data file or one of its sidecars.

    ``kind`` is ``'xml'``, ``'vrt'`` or ``'hdr'``. For a data file, the first existing sidecar in
    :data:`READ_ORDER` is used, then ENVI's ``x.hdr`` for ``x.bin``. The VRT names its own data file, so its data path is None here."""
    path = os.fspath(path)
    lower = path.lower()
    for suffix in READ_ORDER:
        if lower.endswith(suffix) and os.path.isfile(path):
            return suffix[1:], path, (None if suffix == ".vrt" else path[: -len(suffix)])
    for suffix in READ_ORDER:
        if os.path.isfile(path + suffix):
            return suffix[1:], path + suffix, (None if suffix == ".vrt" else path)
    stem, ext = os.path.splitext(path)
    if ext and os.path.isfile(stem + ".hdr") and os.path.isfile(path):
        return "hdr", stem + ".hdr", path          # ENVI's other convention: x.bin + x.hdr
    if os.path.exists(path):
        raise RasterError(path, "no sidecar: none of .xml, .vrt or .hdr beside it")
    raise RasterError(path, "no such raster (neither the file nor a sidecar exists)")


def _geo_differs(a, b):
    """True when Geo ``a`` and ``b`` are not the same grid (to 1e-6 of a sample)."""
    if a is None or b is None:
        return a is not b
    return (a.epsg != b.epsg
            or any(abs(p - q) > 1e-6 * abs(a.dx) for p, q in ((a.x0, b.x0), (a.dx, b.dx)))
            or any(abs(p - q) > 1e-6 * abs(a.dy) for p, q in ((a.y0, b.y0), (a.dy, b.dy))))


def _offset_text(other, geo):
    """How far grid ``other`` lies from ``geo``, in samples, e.g. ``(-0.5, +0.5) samples``."""
    return f"({(other.x0 - geo.x0) / geo.dx:+.3g}, {(other.y0 - geo.y0) / geo.dy:+.3g}) samples"


def _xml_georef(info, data, sidecar):
    """``info`` (read from the VRT/ENVI ``sidecar``) with the georeferencing of the ISCE XML
    beside ``data``, when that XML describes the same-sized raster as geocoded."""
    xml_path = f"{data}.xml" if data else None
    if not xml_path or not os.path.isfile(xml_path):
        return info
    try:
        xml_info, _ = isce_xml.parse(xml_path, os.path.getsize(data) if os.path.isfile(data) else None)
    except RasterError as exc:
        log.debug("%s: ISCE XML beside it not used: %s", sidecar, exc)
        return info
    if xml_info.geo is None or (xml_info.width, xml_info.length) != (info.width, info.length):
        return info
    if info.geo is not None and info.geo.epsg != xml_info.geo.epsg:
        log.debug("%s: CRS EPSG:%s, the ISCE XML beside it EPSG:%s: the %s's grid is kept",
                  sidecar, info.geo.epsg, xml_info.geo.epsg, sidecar)
        return info
    if _geo_differs(xml_info.geo, info.geo):
        where = _offset_text(info.geo, xml_info.geo) if info.geo is not None else "no grid"
        _tell_once(sidecar, "%s: georeferencing from the ISCE XML %s (the %s's grid is off it by "
                   "%s; ISCE2 writes its VRT/HDR half a sample off its XML)", sidecar, xml_path,
                   os.path.splitext(sidecar)[1].lstrip(".").upper(), where)
    return info.replace(geo=xml_info.geo)


def _note_vrt(info, data, sidecar):
    """Log when the ``.vrt`` beside ``data`` puts its grid elsewhere than the XML (read)."""
    vrt_path = f"{data}.vrt"
    if info.geo is None or sidecar in _TOLD or not os.path.isfile(vrt_path):
        return                          # told once per process: no need to parse it again
    try:
        vrt_info, _ = vrt.parse(vrt_path)
    except RasterError:
        return
    if vrt_info.geo is not None and _geo_differs(vrt_info.geo, info.geo):
        _tell_once(sidecar, "%s: georeferencing from this ISCE XML; %s is off it by %s (ISCE2 "
                   "writes its VRT half a sample off its XML)", sidecar, vrt_path,
                   _offset_text(vrt_info.geo, info.geo))


def read_info(path):
    """(RasterInfo, data path, sidecar path) for ``path`` (data file or sidecar).

    The georeferencing of a geocoded ISCE XML beside the data wins over a ``.vrt``'s or
    ``.hdr``'s, even when one of those is named: ISCE2 writes its VRTs and headers with the
    origin at the XML's startingValue (a sample centre), half a sample off the grid its
    processing used. A disagreement is logged on ``isce.io``."""
    kind, sidecar, data = locate(path)
    if kind == "vrt":
        info, data = vrt.parse(sidecar)
        info = _xml_georef(info, data, sidecar)
    elif kind == "hdr":
        info = envi.parse(sidecar)
        info = _xml_georef(info, data, sidecar)
    else:
        size = os.path.getsize(data) if os.path.isfile(data) else None
        info, recorded = isce_xml.parse(sidecar, size)
        if not os.path.exists(data) and recorded:
            # the XML names the data file; a bare or relative name is taken from the XML's folder
            candidate = recorded if os.path.isabs(recorded) else os.path.join(
                os.path.dirname(os.path.abspath(sidecar)), recorded)
            if os.path.exists(candidate):
                data = candidate
        _note_vrt(info, data, sidecar)
    return info, data, sidecar
