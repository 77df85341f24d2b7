"""The dates of a stack: from a folder of date folders (``slc directory``) or from a list of
per-date reader XML files (``dates``).

A date travels to the workers as a :class:`DateInput`: the sensor name and the reader's
properties as text, with the folder relative paths resolve against. :func:`make_reader`
builds the configured reader (an :mod:`isce.sensors` component) from it, anywhere.

``slc directory``: each sub-folder named ``YYYYMMDD`` (ISCE2's date folders; other folders
are not dates) holds one date: its reader XML ``<date>/<date>.xml`` when there is one (as
``dates`` below), else the files of ``sensor name``, found by name
(:data:`FILE_PATTERNS`). Sensors whose files cannot be told apart by name are refused
without a reader XML: list their reader XML files in ``dates`` instead.

``dates``: each XML file is (or holds) one ``<component name="...">`` with ``sensor name``
and the reader's ISCE2 properties (e.g. ``IMAGEFILE``, ``LEADERFILE``), relative paths
taken from that XML file's folder.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import isce.sensors
from isce.framework import ConfigurationError, InputError
from isce.framework.configurable import SearchPath
from isce.framework.names import normalize
from isce.framework.xmlconfig import ConfigNode, Setting, parse_file

__all__ = ["DateInput", "FILE_PATTERNS", "dates_from_folder", "dates_from_xml", "make_reader"]

#: sensor name -> {reader property: file name pattern} (one match per date folder)
FILE_PATTERNS = {
    "ALOS": {"IMAGEFILE": "IMG-*", "LEADERFILE": "LED-*"},
    "ALOS_SLC": {"IMAGEFILE": "IMG-*", "LEADERFILE": "LED-*"},
    "ALOS2": {"IMAGEFILE": "IMG-*", "LEADERFILE": "LED-*"},
    "ISCE_SLC": {"PRODUCT": "*.slc.json"},
    "RADARSAT2": {"XML": "product.xml"},
    "SENTINEL1": {"SAFE": "*.SAFE"},
    "COSMO_SKYMED_SLC": {"HDF5": "*.h5"},
    "COSMO_SKYMED": {"HDF5": "*.h5"},
}
_SENSOR_KEY = normalize("sensor name")
_DATE_FOLDER = re.compile(r"^\d{8}$")       # YYYYMMDD


def is_date_folder(name: str) -> bool:
    """A date folder's name in ``slc directory``: YYYYMMDD (ISCE2 stripmapStack's)."""
    return bool(_DATE_FOLDER.match(name))


@dataclass(frozen=True)
class DateInput:
    """One date's reader: ``sensor`` name, ``properties`` (public name -> text), the folder
    relative paths resolve against, and where it was described (for messages)."""

    sensor: str
    properties: dict = field(default_factory=dict)
    base_dir: str = "."
    source: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DateInput":
        return cls(**d)


def make_reader(date: DateInput, name: str = "date"):
    """The configured sensor reader of a date (ConfigurationError naming its source)."""
    reader = isce.sensors.create(date.sensor, name=name)
    node = ConfigNode(name=name, source=date.source)
    for key, text in date.properties.items():
        node.properties[normalize(key)] = Setting(key, str(text), date.source, None, date.base_dir)
    reader.configure(node, search=SearchPath(()))
    return reader


def _one(folder: Path, prop: str, pattern: str) -> str:
    found = sorted(p.name for p in folder.glob(pattern) if not p.name.startswith("."))
    if len(found) != 1:
        what = "no file" if not found else f"{len(found)} files ({', '.join(found[:3])})"
        raise InputError(f"{folder}: {what} matching {pattern} for {prop}: one date per folder, "
                         "or list the dates' reader XML files in 'dates'")
    return found[0]


def _sensor_patterns(sensor: str, folder) -> tuple[str, dict]:
    """(registry name, {property: pattern}) of a sensor whose files are found by name."""
    key = next((k for k in FILE_PATTERNS if normalize(k) == normalize(sensor or "")), None)
    if key is None:
        if not sensor:
            raise ConfigurationError(f"slc directory {folder}: give 'sensor name' (the format "
                                     "of the dates without a <date>.xml reader file)")
        isce.sensors.sensor_class(sensor)        # an unknown name: ConfigurationError first
        raise ConfigurationError(f"slc directory: the files of sensor {sensor} are not found by "
                                 f"name (known for {', '.join(FILE_PATTERNS)}); give each date "
                                 "a <date>/<date>.xml reader file, or list them in 'dates'")
    return key, FILE_PATTERNS[key]


def _from_patterns(sub: Path, sensor: str) -> DateInput:
    key, patterns = _sensor_patterns(sensor, sub.parent)
    return DateInput(key, {prop: _one(sub, prop, pattern) for prop, pattern in patterns.items()},
                     str(sub.resolve()), str(sub))


def dates_from_folder(folder, sensor: str | None) -> list[DateInput]:
    """One :class:`DateInput` per ``YYYYMMDD`` sub-folder of ``folder`` (sorted): from its
    ``<date>.xml`` reader file, else from ``sensor``'s files found by name. InputError when
    the folder has no date folder or a date folder lacks the sensor's files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"slc directory {folder}: no such folder")
    subs = sorted(p for p in folder.iterdir() if p.is_dir() and is_date_folder(p.name))
    if not subs:
        raise InputError(f"slc directory {folder}: no date folders (named YYYYMMDD) in it")
    out = []
    for sub in subs:
        xml = sub / f"{sub.name}.xml"
        item = dates_from_xml([xml])[0] if xml.is_file() else _from_patterns(sub, sensor)
        if sensor and normalize(item.sensor) != normalize(sensor):
            raise InputError(f"{item.source}: sensor {item.sensor}, not the stack's 'sensor name' "
                             f"{sensor}")
        out.append(item)
    return out


def dates_from_xml(paths) -> list[DateInput]:
    """One :class:`DateInput` per reader XML file (ConfigurationError naming the file)."""
    out = []
    for path in paths:
        root = parse_file(path)
        comps = list(root.components.values())
        if not comps and root.properties:
            comps = [root]                       # the root is the date's component
        if len(comps) != 1 or comps[0].components:
            raise ConfigurationError(f"{path}: expected one <component> with the date's reader "
                                     f"properties, found {len(comps)}", source=str(path))
        node = comps[0]
        props = {s.name: s.text for k, s in node.properties.items() if k != _SENSOR_KEY}
        sensor = node.properties.get(_SENSOR_KEY)
        if sensor is None or not sensor.text.strip():
            raise ConfigurationError(f"{path}: no 'sensor name' property in <component "
                                     f"name={node.name!r}>", source=str(path))
        isce.sensors.sensor_class(sensor.text.strip())
        out.append(DateInput(sensor.text.strip(), props, str(Path(path).resolve().parent),
                             str(path)))
    return out
