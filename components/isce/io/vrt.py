"""The GDAL VRT sidecar (``<file>.vrt``): one ``VRTRawRasterBand`` per band.

Offsets per scheme (n = bytes per sample, W width, L length, B bands, b band index):
BIP ImageOffset b*n, PixelOffset B*n, LineOffset B*W*n; BIL b*W*n, n, B*W*n;
BSQ b*W*L*n, n, W*n. Geocoded rasters also get ``SRS`` and ``GeoTransform``. What the
bands are goes in each band's ``Description``, ``UnitType`` and ``NoDataValue``, the
provenance (ISCE_VERSION, dates) in the dataset's ``Metadata``: GDAL reports them
(GetDescription, GetUnitType, GetNoDataValue, GetMetadata).
"""
import os
import re
import xml.etree.ElementTree as ET

from .datatypes import BY_GDAL
from .errors import RasterError
from .info import SCHEMES, Geo, RasterInfo



def render(info, source_name):
    """VRT text for ``info``; ``source_name`` is the data file relative to the VRT's folder."""
    root = ET.Element("VRTDataset", rasterXSize=str(info.width), rasterYSize=str(info.length))
    if info.geo is not None:
        if info.geo.epsg:
            srs = ET.SubElement(root, "SRS")
            srs.text = f"EPSG:{info.geo.epsg}"
            srs.set("dataAxisToSRSAxisMapping", "2,1" if info.geo.epsg == 4326 else "1,2")
        ET.SubElement(root, "GeoTransform").text = ", ".join(repr(float(v)) for v in info.geo.geotransform)
    if info.metadata:
        meta = ET.SubElement(root, "Metadata")
        for key, value in info.metadata.items():
            ET.SubElement(meta, "MDI", key=key).text = value
    order = "LSB" if info.byte_order == "l" else "MSB"
    for band in range(info.bands):
        elem = ET.SubElement(root, "VRTRasterBand", dataType=info.datatype.gdal, band=str(band + 1),
                             subClass="VRTRawRasterBand")
        _describe_band(elem, info, band)
        src = ET.SubElement(elem, "SourceFilename", relativeToVRT="1")
        src.text = source_name
        ET.SubElement(elem, "ByteOrder").text = order
        image, pixel, line = info.band_offsets(band)
        ET.SubElement(elem, "ImageOffset").text = str(image)
        ET.SubElement(elem, "PixelOffset").text = str(pixel)
        ET.SubElement(elem, "LineOffset").text = str(line)
    ET.indent(root, space="    ")
    return ET.tostring(root, encoding="unicode") + "\n"


def _describe_band(elem, info, band):
    """A band's Description, UnitType and NoDataValue (those ``info`` has)."""
    if info.band_names:
        ET.SubElement(elem, "Description").text = info.band_names[band]
    if info.units:
        ET.SubElement(elem, "UnitType").text = info.units[band]
    if info.nodata is not None:
        ET.SubElement(elem, "NoDataValue").text = info.nodata_text


def _band_texts(bands, tag):
    """The ``tag`` text of every band, () unless each band has one."""
    texts = tuple((band.findtext(tag) or "").strip() for band in bands)
    return texts if all(texts) else ()


def _description(root, bands, base):
    """band_names, units, nodata and metadata of a VRT (band 1's no-data for all bands); {}
    when they do not fit the raster ``base`` describes (its data still open)."""
    metadata = {}
    for meta in root.findall("Metadata"):
        if not (meta.get("domain") or "").strip():
            metadata.update({(m.get("key") or "").strip(): (m.text or "").strip()
                             for m in meta.findall("MDI") if (m.get("key") or "").strip()})
    text = (bands[0].findtext("NoDataValue") or "").strip()
    try:
        nodata = float(text) if text else None
    except ValueError:
        nodata = None
    described = dict(band_names=_band_texts(bands, "Description"),
                     units=_band_texts(bands, "UnitType"), nodata=nodata, metadata=metadata)
    try:
        RasterInfo(**base, **described)
    except ValueError:
        return {}
    return described


def _epsg_of(srs_text):
    codes = re.findall(r"EPSG\W{0,4}(\d+)", srs_text or "", flags=re.IGNORECASE)
    return int(codes[-1]) if codes else 0


def parse(path):
    """(RasterInfo, data file path) from the VRT at ``path``."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise RasterError(path, f"malformed VRT: {exc}") from None
    except OSError as exc:
        raise RasterError(path, f"cannot read sidecar: {exc.strerror}") from None
    if root.tag != "VRTDataset":
        raise RasterError(path, f"root element is <{root.tag}>, expected <VRTDataset>")

    def as_int(text, what):
        try:
            return int(str(text).strip())
        except (TypeError, ValueError):
            raise RasterError(path, f"{what} is {text!r}, expected an integer") from None

    width = as_int(root.get("rasterXSize"), "rasterXSize")
    length = as_int(root.get("rasterYSize"), "rasterYSize")

    geo = None
    gt_text = root.findtext("GeoTransform")
    if gt_text and gt_text.strip():
        try:
            gt = [float(v) for v in gt_text.replace(",", " ").split()]
        except ValueError:
            raise RasterError(path, f"GeoTransform {gt_text.strip()!r} is not six numbers") from None
        if len(gt) != 6:
            raise RasterError(path, f"GeoTransform {gt_text.strip()!r} is not six numbers")
        if gt != [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]:
            srs = root.findtext("SRS")
            epsg = _epsg_of(srs) if srs and srs.strip() else 4326
            try:
                geo = Geo.from_geotransform(gt, epsg)
            except ValueError as exc:
                raise RasterError(path, str(exc)) from None

    bands = root.findall("VRTRasterBand")
    if not bands:
        raise RasterError(path, "no VRTRasterBand")
    layout = []
    for number, band in enumerate(bands, 1):
        if band.get("subClass") != "VRTRawRasterBand":
            raise RasterError(path, f"band {number} is not a VRTRawRasterBand (only raw VRTs are read)")
        gdal_type = (band.get("dataType") or "").lower()
        if gdal_type not in BY_GDAL:
            raise RasterError(path, f"band {number} has unsupported dataType {band.get('dataType')!r}")
        src = band.find("SourceFilename")
        if src is None or not (src.text or "").strip():
            raise RasterError(path, f"band {number} has no SourceFilename")
        source = src.text.strip()
        if src.get("relativeToVRT", "0").strip() == "1" and not os.path.isabs(source):
            source = os.path.join(os.path.dirname(os.path.abspath(path)), source)
        order = (band.findtext("ByteOrder") or "LSB").strip().upper()
        if order not in ("LSB", "MSB"):
            raise RasterError(path, f"band {number} has unsupported ByteOrder {order!r}")
        datatype = BY_GDAL[gdal_type]
        offsets = tuple(as_int(band.findtext(tag, default) , f"band {number} {tag}")
                        for tag, default in (("ImageOffset", "0"),
                                             ("PixelOffset", str(datatype.itemsize)),
                                             ("LineOffset", str(datatype.itemsize * width))))
        layout.append((datatype, os.path.normpath(source), order, offsets))

    datatype, source, order = layout[0][:3]
    for number, (dt, src, bo, _) in enumerate(layout[1:], 2):
        if (dt, src, bo) != (datatype, source, order):
            raise RasterError(path, f"band {number} differs from band 1 in data type, file or byte order")
    base = dict(width=width, length=length, datatype=datatype, bands=len(layout), geo=geo,
                byte_order="l" if order == "LSB" else "b", offset=layout[0][3][0])
    described = _description(root, bands, base)
    for scheme in SCHEMES:
        info = RasterInfo(scheme=scheme, **base, **described)
        if all(info.band_offsets(b) == layout[b][3] for b in range(len(layout))):
            return info, source
    raise RasterError(path, "band offsets match none of the BIP, BIL or BSQ layouts: "
                            + "; ".join(f"band {b + 1} {layout[b][3]}" for b in range(len(layout))))
