"""Raw (unfocused) radar echoes: the metadata a focuser needs and how to read the echoes.

A :class:`RawProduct` is what every raw-data reader (ALOS CEOS level 1.0,
NISAR L0B) and the simulator produce, and what :mod:`isce.focus` consumes.
Echo line ``i`` is the pulse transmitted at ``sensing_start + i / prf`` [s
since ``orbit.reference_epoch``]; sample ``j`` is at two-way range time
``2 * starting_range / c + j / range_sampling_rate`` (i.e. slant range
``starting_range + j * c / (2 * range_sampling_rate)``). Echoes are complex
baseband samples (the chirp not yet compressed), read on demand as complex64
through a decoder chosen by ``source.kind``:

* ``"raster"``: an isce.io CFLOAT raster (``source.path``), e.g. written by the simulator;
* readers register their own kinds (``register_decoder``), e.g. ``"ceos"`` for
  8-bit I/Q CEOS records, ``"l0b"`` for NISAR L0B with its BFPQ lookup table.

The product is plain data (JSON-able, picklable): no open files.
"""
from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import doppler_from_dict
from isce.core.orbit import Orbit
from isce.framework.errors import InputError
from isce.io.atomic import write_text

from .product import DEFAULT_BLOCK_LINES, write_blocks

#: lines per block when iterating or writing
#: decoder kind -> function(source: RawSource, rows: slice) -> complex64 (lines, samples)
_DECODERS: dict[str, Callable] = {}
#: modules that register the decoder of a kind when imported (so a saved product reads anywhere)
_DECODER_MODULES = {"ceos": "isce.sensors.alos_ceos", "ceos_frames": "isce.sensors.alos_ceos",
                    "l0b": "isce.sensors.nisar_l0b", "cosmo_skymed": "isce.sensors.cosmo_skymed",
                    "envisat_fbaq": "isce.sensors.envisat_raw", "ers_n1": "isce.sensors.envisat_raw",
                    "ers_ceos": "isce.sensors.ers_ceos"}
_DECODER_MODULES["rsat1"] = "isce.sensors.radarsat1"


def register_decoder(kind: str, decoder: Callable) -> None:
    """Make ``RawProduct.read`` able to decode echoes stored as ``kind``."""
    _DECODERS[kind] = decoder


@dataclass
class RawSource:
    """Where and how the echoes are stored: ``kind`` picks the decoder, ``params`` are its
    format facts (record length, header bytes, I/Q bias, lookup table, ...), JSON-able."""

    kind: str
    path: str
    params: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "path": self.path, "params": self.params}

    @classmethod
    def from_dict(cls, d: dict) -> "RawSource":
        return cls(d["kind"], d["path"], dict(d.get("params", {})))


def _read_raster(source: RawSource, rows: slice) -> np.ndarray:
    raster = isce.io.open(source.path)
    try:        # a copy read through the file: the pages do not stay mapped in the process
        lines = raster.read_rows(rows)
    finally:
        raster.close()
    return lines if lines.dtype == np.complex64 else lines.astype(np.complex64)


register_decoder("raster", _read_raster)


@dataclass
class RawProduct:
    """Metadata of raw echoes (units: s, Hz, m) and where they are.

    ``sensing_start`` is the first pulse's transmit time [s since
    ``orbit.reference_epoch``]; ``starting_range`` the slant range of the
    first sample [m]; ``chirp_slope`` [Hz/s] and ``pulse_length`` [s] describe
    the transmitted linear FM chirp (``exp(j pi K t^2)``, ``|t| <= T/2``);
    ``doppler`` is a Doppler centroid model [Hz] over (time, range), or None
    when unknown (the focuser then estimates it from the echoes).
    """

    orbit: Orbit
    sensing_start: float
    prf: float
    starting_range: float
    range_sampling_rate: float
    length: int
    width: int
    wavelength: float
    look_side: str
    chirp_slope: float
    pulse_length: float
    source: RawSource | None = None
    doppler: object = None
    antenna_length: float | None = None
    platform: str = ""
    mission: str = ""
    polarization: str = ""
    attributes: dict = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.orbit, Orbit):
            raise TypeError(f"RawProduct.orbit must be an Orbit, got {type(self.orbit).__name__}")
        self.look_side = str(self.look_side).strip().lower()
        if self.look_side not in ("left", "right"):
            raise ValueError(f"look side must be 'left' or 'right', got {self.look_side!r}")
        for name in ("prf", "range_sampling_rate", "wavelength", "pulse_length"):
            if not float(getattr(self, name)) > 0:
                raise ValueError(f"RawProduct.{name} must be positive, got {getattr(self, name)!r}")
        if isinstance(self.source, dict):
            self.source = RawSource.from_dict(self.source)

    # ------------------------------------------------------------ derived
    @property
    def reference_epoch(self):
        return self.orbit.reference_epoch

    @property
    def range_pixel_spacing(self) -> float:
        """Slant-range sample spacing c / (2 fs) [m]."""
        return SPEED_OF_LIGHT / (2.0 * self.range_sampling_rate)

    @property
    def chirp_bandwidth(self) -> float:
        """|K| T [Hz]."""
        return abs(self.chirp_slope) * self.pulse_length

    @property
    def center_frequency(self) -> float:
        return SPEED_OF_LIGHT / self.wavelength

    def pulse_time(self, i):
        """Transmit time of pulse(s) ``i`` [s since the reference epoch]."""
        return self.sensing_start + np.asarray(i, dtype=np.float64) / self.prf

    def slant_range(self, j):
        """Slant range of sample(s) ``j`` [m]."""
        return self.starting_range + np.asarray(j, dtype=np.float64) * self.range_pixel_spacing

    def chirp(self) -> np.ndarray:
        """The transmitted chirp sampled at ``range_sampling_rate`` (complex64, centred)."""
        n = int(round(self.pulse_length * self.range_sampling_rate))
        t = (np.arange(n) - (n - 1) / 2.0) / self.range_sampling_rate
        return np.exp(1j * np.pi * self.chirp_slope * t * t).astype(np.complex64)

    # ------------------------------------------------------------ echoes
    def read(self, rows: slice | None = None) -> np.ndarray:
        """Echo lines ``rows`` as complex64 ``(lines, width)``."""
        if self.source is None:
            raise InputError("this raw product has no echo data attached")
        if self.source.kind not in _DECODERS and self.source.kind in _DECODER_MODULES:
            # lazy: a saved product's reader module registers its decoder when imported
            importlib.import_module(_DECODER_MODULES[self.source.kind])
        decoder = _DECODERS.get(self.source.kind)
        if decoder is None:
            raise InputError(f"{self.source.path}: no decoder for raw data of kind "
                             f"{self.source.kind!r} (known: {', '.join(sorted(_DECODERS))})")
        rows = slice(0, self.length) if rows is None else rows
        return decoder(self.source, rows)

    def iter_blocks(self, block_lines: int = DEFAULT_BLOCK_LINES):
        """Yield ``(rows, echoes)`` blocks of lines."""
        for start in range(0, self.length, block_lines):
            rows = slice(start, min(start + block_lines, self.length))
            yield rows, self.read(rows)

    def write(self, output, *, block_lines: int = DEFAULT_BLOCK_LINES,
              progress: bool = False) -> "RawProduct":
        """Write the echoes as an isce.io CFLOAT raster at ``output`` (sidecars
        ``.xml/.vrt/.hdr``) plus the metadata ``<output>.json``; return the product reading
        that raster (source kind ``"raster"``)."""
        output = os.fspath(output)
        write_blocks(self, output, "raw", block_lines=block_lines, progress=progress)
        attributes = dict(self.attributes)
        if self.source is not None:
            attributes.setdefault("extracted_from", f"{self.source.kind}:{self.source.path}")
        out = replace(self, source=RawSource("raster", os.path.abspath(output)),
                      attributes=attributes)
        out.save(output + ".json")
        return out

    # ------------------------------------------------------------ serialisation
    def to_dict(self) -> dict:
        doppler = None
        if self.doppler is not None:
            doppler = self.doppler.to_dict()
        return {
            "orbit": self.orbit.to_dict(), "sensing_start": self.sensing_start, "prf": self.prf,
            "starting_range": self.starting_range, "range_sampling_rate": self.range_sampling_rate,
            "length": self.length, "width": self.width, "wavelength": self.wavelength,
            "look_side": self.look_side, "chirp_slope": self.chirp_slope,
            "pulse_length": self.pulse_length,
            "source": self.source.to_dict() if self.source else None, "doppler": doppler,
            "antenna_length": self.antenna_length, "platform": self.platform,
            "mission": self.mission, "polarization": self.polarization,
            "attributes": self.attributes,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "RawProduct":
        d = dict(d)
        d["orbit"] = Orbit.from_dict(d["orbit"])
        if d.get("doppler") is not None:
            d["doppler"] = doppler_from_dict(d["doppler"])
        return cls(**d)

    def save(self, path) -> str:
        """Write the metadata as JSON (atomically); an echo file in the JSON's folder or
        below is recorded relative to it, so the pair can be moved together."""
        path = os.fspath(path)
        d = self.to_dict()
        if self.source is not None and d["source"]["kind"] != "memory":
            here = os.path.dirname(os.path.abspath(path))
            rel = os.path.relpath(os.path.abspath(self.source.path), here)
            if not rel.startswith(os.pardir):
                d["source"]["path"] = rel
        write_text(path, json.dumps(d, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path) -> "RawProduct":
        try:
            with open(path, encoding="utf-8") as fh:
                d = json.load(fh)
            src = d.get("source")
            if isinstance(src, dict) and src.get("path") and not os.path.isabs(src["path"]):
                src["path"] = os.path.join(os.path.dirname(os.path.abspath(path)), src["path"])
            return cls.from_dict(d)
        except FileNotFoundError:
            raise InputError(f"{path}: no such raw product file") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: not a raw product JSON file: {exc}") from None
