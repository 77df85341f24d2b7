"""Sensor readers: one module per mission format, and the registry of sensor names.

``sensor name`` (as in ISCE's input files, compared case- and
whitespace-insensitively) chooses the reader component::

    import isce.sensors
    reader = isce.sensors.create("UAVSAR_HDF5_SLC", name="reference")
    reader.configure(settings)            # HDF5, POLARIZATION, FREQUENCY, OUTPUT
    product = reader.parse()              # SlcProduct: radar grid, orbit, Doppler, ...
    product = reader.extract()            # + the image as an ISCE raster at OUTPUT

Readers of SLC products return an :class:`~isce.sensors.product.SlcProduct`;
``ISCE_SLC`` reads back one that isce wrote (``PRODUCT``: its ``.slc.json``, e.g. from
focus.py), so a date focused beforehand can pair with a raw one.
Every reader module has the same shape (see ``README.md`` beside this file).
The NISAR ancillary XML readers live in :mod:`isce.sensors.nisar_xml`
(:func:`read_orbit_xml`, :func:`read_attitude_xml`).

Importing this package is cheap: the reader modules (and h5py) are imported
when a reader is first asked for.
"""
from __future__ import annotations

from importlib import import_module as _import_module

from isce._lazy import attach as _attach

from isce.framework.errors import ConfigurationError
from isce.framework.names import did_you_mean, normalize

__all__ = ["SENSORS", "create", "sensor_class", "register", "SlcProduct", "ImageSource",
           "Sensor", "Attitude", "read_orbit_xml", "parse_orbit_xml", "read_attitude_xml",
           "read_nisar_slc"]

#: sensor name -> "module:Class" (module relative to isce.sensors)
_REGISTRY: dict[str, str] = {}
#: the registered sensor names, as users write them
SENSORS: list[str] = []


def register(sensor_name: str, reference: str, aliases=()) -> None:
    """Register a reader under ``sensor_name`` and its ``aliases`` (other names ISCE's input
    files use for it): ``reference`` is ``".module:Class"`` relative to this package, or
    ``"package.module:Class"`` (imported when the name is first asked for)."""
    names = (sensor_name, *aliases)
    for name in names:                       # all checked before any is registered
        key = normalize(name)
        if key in _REGISTRY and _REGISTRY[key] != reference:
            raise ValueError(f"sensor name {name!r} is already registered for {_REGISTRY[key]}")
    for name in names:
        key = normalize(name)
        if key not in _REGISTRY:
            SENSORS.append(name)
        _REGISTRY[key] = reference


# one entry per reader: name (the class's ``sensor_name``) -> "module:Class", aliases
register("UAVSAR_HDF5_SLC", ".nisar_hdf5:UavsarHdf5Slc")
register("NISAR_SLC", ".nisar_hdf5:NisarSlc", aliases=("NISAR_RSLC",))
register("ALOS", ".alos_ceos:Alos")
register("NISAR_L0B", ".nisar_l0b:NisarL0b")
register("ISCE_SLC", ".isce_slc:IsceSlc")
register("SENTINEL1", ".sentinel1:Sentinel1")
register("TERRASARX", ".terrasarx:TerraSarX")
register("RADARSAT2", ".radarsat2:Radarsat2")
register("COSMO_SKYMED_SLC", ".cosmo_skymed:CosmoSkymedSlc")
register("COSMO_SKYMED", ".cosmo_skymed:CosmoSkymed")
register("ALOS_SLC", ".alos_slc:AlosSlc")
register("ALOS2", ".alos2_ceos:Alos2")
register("RADARSAT1", ".radarsat1:Radarsat1")
register("ENVISAT", ".envisat_raw:Envisat")
register("ERS_ENVISAT", ".envisat_raw:ErsEnvisat")
register("ENVISAT_SLC", ".envisat_slc:EnvisatSlc")
register("ERS_ENVISAT_SLC", ".envisat_slc:ErsEnvisatSlc")
register("ERS", ".ers_ceos:Ers")
register("ERS_SLC", ".ers_ceos:ErsSlc")


def sensor_class(sensor_name: str):
    """The reader class of a sensor name; ConfigurationError naming the closest valid one."""
    key = normalize(sensor_name or "")
    if key not in _REGISTRY:
        raise ConfigurationError(f"unknown sensor name {sensor_name!r}"
                                 f"{did_you_mean(str(sensor_name or ''), SENSORS)}; "
                                 f"known sensors: {', '.join(SENSORS)}")
    module, _, cls = _REGISTRY[key].partition(":")
    mod = _import_module(module, __name__) if module.startswith(".") else _import_module(module)
    return getattr(mod, cls)


def create(sensor_name: str, name: str | None = None):
    """A fresh (unconfigured) reader component for ``sensor_name``; ``name`` is its
    instance name (e.g. ``"reference"``). Usable as a Facility factory."""
    return sensor_class(sensor_name)(name=name)


_LAZY = {
    "SlcProduct": ".product",
    "ImageSource": ".product",
    "Sensor": ".base",
    "Attitude": ".attitude",
    "read_orbit_xml": ".nisar_xml",
    "parse_orbit_xml": ".nisar_xml",
    "read_attitude_xml": ".nisar_xml",
    "read_nisar_slc": ".nisar_hdf5",
}


__getattr__, __dir__ = _attach(__name__, (), _LAZY)
