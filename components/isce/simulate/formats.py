"""The formats the simulator writes: ISCE2 sensor name -> product level, writer, radar preset.

``simulateApp.sensor=<name>`` looks the name up here (:func:`writer_format`): a ``"raw"``
format gets the simulated echoes (a :class:`~isce.sensors.raw.RawProduct`) as they are, an
``"slc"`` format gets them focused first (an :class:`~isce.sensors.product.SlcProduct`).
Every writer has one signature (the writer interface of the sensor work)::

    write_<format>(product, folder, name) -> {reader property: path relative to folder}

which is what ``insarApp.xml`` gives that sensor's reader for the date ``name``
(``"reference"``/``"secondary"``). Writer modules are imported when first used, so a format
whose writer is not installed fails only when asked for, with one clear error.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module

from isce.framework.errors import ConfigurationError
from isce.framework.names import normalize

__all__ = ["WriterFormat", "FORMATS", "writer_format", "load_writer", "write_isce_slc"]


@dataclass(frozen=True)
class WriterFormat:
    """One simulated format: ``sensor`` (ISCE2 sensor name), ``level`` ("raw" or "slc"),
    ``writer`` ("module:function"), ``preset`` (radar preset name of
    :data:`isce.simulate.radar.PRESETS`; None: any preset, chosen by ``radar``)."""

    sensor: str
    level: str
    writer: str
    preset: str | None


#: ISCE2 sensor name -> its simulated format
FORMATS: dict[str, WriterFormat] = {f.sensor: f for f in (
    WriterFormat("ALOS", "raw", "isce.simulate.alos_ceos:write_alos", "ALOS"),
    WriterFormat("SENTINEL1", "slc", "isce.simulate.sentinel1:write_sentinel1", "SENTINEL1"),
    WriterFormat("TERRASARX", "slc", "isce.simulate.terrasarx:write_terrasarx", "TERRASARX"),
    WriterFormat("COSMO_SKYMED_SLC", "slc", "isce.simulate.cosmo_skymed:write_cosmo_skymed_slc",
                 "COSMO_SKYMED"),
    WriterFormat("COSMO_SKYMED", "raw", "isce.simulate.cosmo_skymed:write_cosmo_skymed_raw",
                 "COSMO_SKYMED"),
    WriterFormat("RADARSAT2", "slc", "isce.simulate.radarsat2:write_radarsat2", "RADARSAT2"),
    WriterFormat("ALOS_SLC", "slc", "isce.simulate.alos_slc:write_alos_slc", "ALOS"),
    WriterFormat("ALOS2", "slc", "isce.simulate.alos2_ceos:write_alos2", "ALOS2"),
    WriterFormat("RADARSAT1", "raw", "isce.simulate.radarsat1:write_radarsat1", "RADARSAT1"),
    WriterFormat("ENVISAT", "raw", "isce.simulate.envisat_raw:write_envisat_raw", "ENVISAT"),
    WriterFormat("ERS_ENVISAT", "raw", "isce.simulate.envisat_raw:write_ers_envisat_raw",
                 "ERS_ENVISAT"),
    WriterFormat("ENVISAT_SLC", "slc", "isce.simulate.envisat_n1:write_envisat_slc", "ENVISAT"),
    WriterFormat("ERS_ENVISAT_SLC", "slc", "isce.simulate.envisat_n1:write_ers_envisat_slc", "ERS"),
    WriterFormat("ERS", "raw", "isce.simulate.ers_ceos:write_ers", "ERS"),
    WriterFormat("ERS_SLC", "slc", "isce.simulate.ers_ceos:write_ers_slc", "ERS"),
    WriterFormat("ISCE_SLC", "slc", "isce.simulate.formats:write_isce_slc", None),
)}


def writer_format(sensor: str) -> WriterFormat:
    """The format of ISCE2 sensor name ``sensor`` (case/space-insensitive);
    ConfigurationError listing the choices for an unknown one."""
    key = normalize(str(sensor or ""))
    for name, fmt in FORMATS.items():
        if normalize(name) == key:
            return fmt
    raise ConfigurationError(f"the simulator writes no sensor {sensor!r}; choose one of "
                             f"{', '.join(FORMATS)}")


def load_writer(fmt: WriterFormat):
    """The writer function of ``fmt``; ConfigurationError when its module or function is
    missing (e.g. a format whose writer is not part of this installation)."""
    module_name, _, function = fmt.writer.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise                                   # a broken writer: show the real error
        raise ConfigurationError(f"sensor {fmt.sensor}: its writer {fmt.writer} is not "
                                 f"available (no module {exc.name})") from None
    writer = getattr(module, function, None)
    if not callable(writer):
        raise ConfigurationError(f"sensor {fmt.sensor}: module {module_name} has no writer "
                                 f"function {function}")
    return writer


def write_isce_slc(product, folder, name: str) -> dict[str, str]:
    """Write an SlcProduct as isce's own SLC (``ISCE_SLC/<name>.slc`` + ``.json`` below
    ``folder``, block by block); returns ``{"PRODUCT": <the .json, relative to folder>}``."""
    relative = os.path.join("ISCE_SLC", f"{name}.slc")
    product.write(os.path.join(os.fspath(folder), relative))
    return {"PRODUCT": relative + ".json"}
