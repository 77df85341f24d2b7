"""``fixImageXml.py``: point an image's sidecars at its data file by absolute path (``-f``) or
by bare name (``-b``), as ISCE2's ``fixImageXml.py`` does after a product folder moved."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.framework.application import Option
from isce.io import vrt
from isce.io.atomic import write_text
from isce.io.sidecars import read_info

from .command_io import data_name


def _norm(name: str) -> str:
    return "".join(str(name).split()).replace("_", "").lower()


def _set_value(prop, value: str) -> None:
    """Set a ``<property>``'s value in whichever form it has (``<value>``, attribute, text)."""
    if prop.get("value") is not None:
        prop.set("value", value)
        return
    for child in prop:
        if isinstance(child.tag, str) and child.tag.lower() == "value":
            child.text = value
            return
    prop.text = value


def set_xml_file_name(xml_path: str, file_name: str) -> None:
    """Rewrite the ``file_name`` property of the ISCE image XML at ``xml_path`` (added when
    missing); everything else in the file is kept as it is."""
    try:
        tree = ET.parse(xml_path)
    except ET.ParseError as exc:
        raise InputError(f"{xml_path}: malformed XML: {exc}") from None
    root = tree.getroot()
    props = [e for e in root if isinstance(e.tag, str) and e.tag.lower() == "property"
             and _norm(e.get("name", "")) == "filename"]
    if not props:
        props = [ET.SubElement(root, "property", name="file_name")]
        ET.SubElement(props[0], "value")
    for prop in props:
        _set_value(prop, file_name)
    write_text(xml_path, ET.tostring(root, encoding="unicode") + "\n")


def set_vrt_source(vrt_path: str, source: str, relative: bool) -> None:
    """Point every band of the VRT at ``vrt_path`` to ``source`` (relative to the VRT or not)."""
    try:
        tree = ET.parse(vrt_path)
    except ET.ParseError as exc:
        raise InputError(f"{vrt_path}: malformed VRT: {exc}") from None
    root = tree.getroot()
    for elem in root.iter("SourceFilename"):
        elem.text = source
        elem.set("relativeToVRT", "1" if relative else "0")
    write_text(vrt_path, ET.tostring(root, encoding="unicode") + "\n")


def check_image(name: str):
    """The RasterInfo of the image ``name`` stands for; an InputError when its XML or data
    file is missing or the XML is not an ISCE image XML."""
    data = data_name(name)
    xml_path = data + ".xml"
    if not os.path.isfile(xml_path):
        raise InputError(f"{xml_path}: no such ISCE image XML")
    if not os.path.isfile(data):
        raise InputError(f"{data}: the data file is not beside {xml_path}")
    return read_info(xml_path)[0]


def fix_image(name: str, full: bool) -> str:
    """Make ``<data>.xml`` (and ``<data>.vrt``) name the data file ``name`` stands for by its
    absolute path (``full``) or its basename; returns the name written."""
    info = check_image(name)
    data = data_name(name)
    xml_path = data + ".xml"
    written = os.path.abspath(data) if full else os.path.basename(data)
    set_xml_file_name(xml_path, written)
    vrt_path = data + ".vrt"
    if os.path.isfile(vrt_path):
        set_vrt_source(vrt_path, written, relative=not full)
    else:                                     # ISCE2's renderHdr writes the VRT too
        write_text(vrt_path, vrt.render(info, os.path.basename(data)))
        if full:
            set_vrt_source(vrt_path, written, relative=False)
    return written


def fix_images(ctx):
    """Rewrite the data file names in each input's .xml and .vrt."""
    p = ctx.params
    if p.full == p.base:
        raise ConfigurationError("give exactly one of -f/--full (absolute paths) and "
                                 "-b/--base (bare names)")
    names = [p.input] if isinstance(p.input, str) else list(p.input)
    for name in names:              # every image checked before any is changed
        check_image(name)
    for name in names:
        ctx.log.info("fixing xml file path for file: %s", data_name(name))
        written = fix_image(name, p.full)
        ctx.add_output(data_name(name) + ".xml")
        ctx.log.info("file_name = %s", written)


class FixImageXml(Application):
    """Fix the data file names in ISCE image XML files (ISCE2's fixImageXml.py).

    -f/--full writes each image's absolute path (the folder it is in now), -b/--base its bare
    name (resolved against the XML's folder, so the product can move); exactly one of them.
    The image's .vrt is kept consistent (absolute source, or relative to the VRT) and written
    if missing, as ISCE2's renderHdr does; everything else in the XML is left as it was.

    Example, after moving a product folder: fixImageXml.py -i merged/*.xml -f
    """

    family = "fixImageXml"
    parameters = (
        Parameter("input", type="paths", mandatory=True,
                  doc="Images (data files or their .xml) whose XML to fix."),
        Parameter("full", type=bool, default=False,
                  doc="Replace the file name with the full path of the file as it is now."),
        Parameter("base", type=bool, default=False,
                  doc="Replace the file name with its basename (relative to the XML)."),
    )
    options = {"-i": Option("input", nargs="+"), "--input": Option("input", nargs="+"),
               "-f": Option("full", const="true"), "--full": Option("full", const="true"),
               "-b": Option("base", const="true"), "--base": Option("base", const="true")}
    steps = (Step("fix", fix_images, fix_images.__doc__),)
