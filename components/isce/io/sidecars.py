"""Write the three sidecars of a raster, and find and read whichever one exists.

Order on writing: ``.vrt``, ``.hdr``, then ``.xml`` (ISCE's, the one :func:`read_info`
trusts first), each atomically. They are written only once the data file is in place.
Each names the bands, units, no-data, isce version and dates of the product
(:func:`isce.io.provenance.describe`, by the product's name and the run context).
"""
import os

from . import envi, isce_xml, provenance, vrt
from .atomic import remove_quietly, write_text
from .errors import RasterError

#: sidecar suffixes, in the order they are read (first present wins)
READ_ORDER = (".xml", ".vrt", ".hdr")


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


def read_info(path):
    """(RasterInfo, data path, sidecar path) for ``path`` (data file or sidecar)."""
    kind, sidecar, data = locate(path)
    if kind == "vrt":
        info, data = vrt.parse(sidecar)
    elif kind == "hdr":
        info = envi.parse(sidecar)
    else:
        size = os.path.getsize(data) if os.path.isfile(data) else None
        info, recorded = isce_xml.parse(sidecar, size)
        if not os.path.exists(data) and recorded:
            # the XML names the data file; a bare or relative name is taken from the XML's folder
            candidate = recorded if os.path.isabs(recorded) else os.path.join(
                os.path.dirname(os.path.abspath(sidecar)), recorded)
            if os.path.exists(candidate):
                data = candidate
    return info, data, sidecar
