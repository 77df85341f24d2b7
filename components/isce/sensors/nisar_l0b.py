"""Reader of NISAR L0B raw echoes (product type RRSD, HDF5), sensor name ``NISAR_L0B``.

Parameters (as the other HDF5 readers): ``HDF5`` (the ``.h5`` file),
``POLARIZATION`` (default ``HH``: transmit ``H``, receive ``H``), ``FREQUENCY``
(``A``), ``OUTPUT`` (where :meth:`extract` writes the decoded echoes).

What is read (``<root>`` = ``/science/<band>SAR/RRSD``; pulse metadata under
``swaths/frequencyX/tx<P>/``, or under ``swaths/frequencyX/`` in the 2019 flavour):

* echoes ``tx<P>/rx<Q>/<PQ>`` (pulses x samples), stored as

  - a compound ``{r, i}`` of unsigned integers indexing the sibling lookup table
    ``BFPQLUT`` (float32): value ``LUT[r] + j LUT[i]`` -- e.g. ALOS's 5-bit
    samples repackaged with a LUT ``code - 15.5`` and fill value 32768 -> 0;
  - a compound ``{r, i}`` of float16 (complex32), or complex64;
* pulse (transmit) times ``UTCtime`` (or ``UTCTime``; epoch in its ``units``):
  first pulse = sensing start, PRF = (N - 1) / (t_last - t_first) (a dithered
  PRF is reported and averaged);
* range: ``slantRange[0]``, sampling rate c / (2 ``slantRangeSpacing``) (as ISCE3);
* carrier ``centerFrequency``; chirp ``chirpSlope`` [Hz/s], ``chirpDuration`` [s];
* orbit ``<root>/lowRateTelemetry/orbit`` (or ``telemetry/orbit``), re-referenced
  to the pulse times' epoch; look side ``identification/lookDirection``.

Every problem is an :class:`~isce.framework.InputError` naming the file and the
HDF5 path concerned.
"""
from __future__ import annotations

import logging
import math
import os
import threading
from typing import NamedTuple

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.orbit import Orbit, method_from_text
from isce.framework.errors import InputError

from .base import Sensor
from .hdf5 import Hdf5Product, open_hdf5
from .nisar_hdf5 import (normalise_frequency, normalise_polarization, selection_parameters,
                         validate_selection)
from .raw import RawProduct, RawSource, register_decoder

__all__ = ["NisarL0b", "read_nisar_l0b", "l0b_root"]

log = logging.getLogger("isce.sensors.nisar_l0b")


def l0b_root(h5, path="") -> str:
    """HDF5 path of the L0B group ``/science/<band>SAR/RRSD``."""
    science = h5.get("science")
    found = []
    if science is not None and hasattr(science, "keys"):
        for band in sorted(science.keys()):
            if band.endswith("SAR") and f"science/{band}/RRSD" in h5:
                return f"/science/{band}/RRSD"
            if hasattr(science[band], "keys"):
                found.extend(f"/science/{band}/{k}" for k in science[band].keys())
    listing = ", ".join(found) if found else "nothing under /science"
    raise InputError(f"{path}: missing group /science/LSAR/RRSD: not an L0B (raw) product "
                     f"(found {listing})")


def read_nisar_l0b(path, frequency="A", polarization="HH") -> RawProduct:
    """Read the metadata of an L0B product; echoes are decoded from the file on demand
    (source kind ``"l0b"``). InputError naming the file and HDF5 path on any problem."""
    path = os.fspath(path)
    freq = normalise_frequency(frequency)
    pol = normalise_polarization(polarization)
    with open_hdf5(path) as h5:
        p = Hdf5Product(h5, path)
        try:
            return _read(p, freq, pol)
        except InputError:
            raise
        except (OSError, RuntimeError, KeyError) as exc:
            raise InputError(f"{path}: cannot read the L0B product (truncated or corrupt file?): "
                             f"{exc}") from None


class _Layout(NamedTuple):
    """HDF5 paths of one frequency and polarization of an L0B product."""

    root: str           # /science/<band>SAR/RRSD
    ident: str          # /science/<band>SAR/identification
    rxgroup: str        # <root>/swaths/frequencyX/tx<P>/rx<Q>
    image: str          # <rxgroup>/<PQ>: the echoes
    meta: str           # where the pulse metadata are: tx<P>/, or frequencyX/ (2019 flavour)


def _read(p: Hdf5Product, freq: str, pol: str) -> RawProduct:
    path = p.path
    at = _layout(p, freq, pol)
    t, epoch, prf, t_path = _pulse_times(p, at.meta)
    sr, fs, sr_path = _range_axis(p, at.meta)
    fc, slope, duration = _carrier_and_chirp(p, at.meta)
    params = _echo_encoding(p, at, (t.size, sr.size), t_path, sr_path)
    orbit, orbit_type = _read_orbit(p, at.root, epoch)
    look = _look_side(p, at.ident)
    t_first, t_last = float(t[0]), float(t[-1])
    for tt, label in ((t_first, "first"), (t_last, "last")):
        if not orbit.start_time <= tt <= orbit.end_time:
            log.warning("%s: the %s pulse (%r s) is outside the orbit's state vectors [%r, %r] s",
                        path, label, tt, orbit.start_time, orbit.end_time)
    mission = p.optional_text(f"{at.ident}/missionId")
    attributes = _attributes(p, at, freq, orbit_type, params, sr.size)
    try:
        return RawProduct(
            orbit=orbit, sensing_start=t_first, prf=float(prf), starting_range=float(sr[0]),
            range_sampling_rate=float(fs), length=int(t.size), width=int(sr.size),
            wavelength=SPEED_OF_LIGHT / fc, look_side=look, chirp_slope=float(slope),
            pulse_length=float(duration), source=RawSource("l0b", path, params),
            platform=mission or "NISAR", mission=mission, polarization=pol, attributes=attributes)
    except ValueError as exc:
        raise InputError(f"{path}: inconsistent raw product metadata: {exc}") from None


def _layout(p: Hdf5Product, freq: str, pol: str) -> _Layout:
    """The paths of frequency ``freq`` and polarization ``pol``; InputError listing what the
    product has when it lacks them."""
    path = p.path
    root = l0b_root(p.h5, path)
    ident = f"{root.rsplit('/', 1)[0]}/identification"
    fgroup = f"{root}/swaths/frequency{freq}"
    if not p.has(fgroup):
        swaths = p.group(f"{root}/swaths")
        have = sorted(k[len("frequency"):] for k in swaths.keys() if k.startswith("frequency"))
        raise InputError(f"{path}: missing group {fgroup}: FREQUENCY {freq} is not in this product "
                         f"(frequencies present: {', '.join(have) or 'none'})")
    txgroup = f"{fgroup}/tx{pol[0]}"
    rxgroup = f"{txgroup}/rx{pol[1]}"
    image_path = f"{rxgroup}/{pol}"
    if not p.has(image_path):
        present = []
        for tk in p.group(fgroup).keys():
            if tk.startswith("tx") and p.has(f"{fgroup}/{tk}"):
                for rk in getattr(p.h5[f"{fgroup}/{tk}"], "keys", lambda: [])():
                    if rk.startswith("rx"):
                        present.append(tk[2:] + rk[2:])
        raise InputError(f"{path}: missing dataset {image_path}: POLARIZATION {pol} is not in "
                         f"frequency {freq} (polarizations present: {', '.join(sorted(present)) or 'none'})")
    meta = txgroup if p.first(f"{txgroup}/UTCtime", f"{txgroup}/UTCTime") else fgroup
    return _Layout(root, ident, rxgroup, image_path, meta)


def _pulse_times(p: Hdf5Product, meta: str):
    """(pulse transmit times [s since epoch], epoch, mean PRF [Hz], HDF5 path of the times)."""
    path = p.path
    t_path = p.first(f"{meta}/UTCtime", f"{meta}/UTCTime")
    if t_path is None:
        raise InputError(f"{path}: missing dataset {meta}/UTCtime (pulse transmit times)")
    t = p.array(t_path, ndim=1)
    epoch = p.epoch(t_path)
    n = t.size
    if n < 1:
        raise InputError(f"{path}: dataset {t_path} is empty")
    if n > 1:
        span = t[-1] - t[0]
        if not span > 0:
            raise InputError(f"{path}: dataset {t_path} is not increasing ({t[0]!r} .. {t[-1]!r})")
        prf = (n - 1) / span
        pri = np.diff(t)
        if np.any(pri <= 0):
            k = int(np.argmax(pri <= 0))
            raise InputError(f"{path}: dataset {t_path} is not increasing at pulse {k + 1}")
        if np.max(np.abs(pri - span / (n - 1))) > 1e-8:
            log.warning("%s: the pulse times %s are not evenly spaced (dithered PRF, PRI %.9g .. "
                        "%.9g s); using the mean PRF %r Hz", path, t_path, pri.min(), pri.max(), prf)
    else:
        prf = p.scalar(f"{meta}/nominalAcquisitionPRF")
    if not (math.isfinite(prf) and prf > 0):
        raise InputError(f"{path}: PRF from {t_path} is {prf!r}")
    return t, epoch, prf, t_path


def _range_axis(p: Hdf5Product, meta: str):
    """(slant ranges [m], range sampling rate c / (2 spacing) [Hz] as ISCE3, HDF5 path)."""
    path = p.path
    sr_path = f"{meta}/slantRange"
    sr = p.array(sr_path, ndim=1)
    if sr.size < 1:
        raise InputError(f"{path}: dataset {sr_path} is empty")
    srs_path = f"{meta}/slantRangeSpacing"
    if p.has(srs_path):
        dr = p.scalar(srs_path)
    elif sr.size > 1:
        dr = (sr[-1] - sr[0]) / (sr.size - 1)
    else:
        raise InputError(f"{path}: missing dataset {srs_path}")
    if not (math.isfinite(dr) and dr > 0):
        raise InputError(f"{path}: dataset {srs_path} = {dr!r}; expected a positive spacing [m]")
    fs = SPEED_OF_LIGHT / (2.0 * dr)
    fs_path = f"{meta}/rangeSamplingFrequency"
    if p.has(fs_path):
        fs_file = p.scalar(fs_path)
        if abs(fs_file - fs) > 1e-6 * fs:
            log.warning("%s: %s = %r Hz but c / (2 slantRangeSpacing) = %r Hz; using the latter "
                        "(as ISCE3)", path, fs_path, fs_file, fs)
    return sr, fs, sr_path


def _carrier_and_chirp(p: Hdf5Product, meta: str):
    """(centre frequency [Hz], chirp slope [Hz/s], chirp duration [s])."""
    path = p.path
    fc = p.scalar(f"{meta}/centerFrequency")
    if not (math.isfinite(fc) and fc > 0):
        raise InputError(f"{path}: dataset {meta}/centerFrequency = {fc!r}; expected a positive frequency")
    slope = p.scalar(f"{meta}/chirpSlope")
    duration = p.scalar(f"{meta}/chirpDuration")
    if not (math.isfinite(duration) and duration > 0):
        raise InputError(f"{path}: dataset {meta}/chirpDuration = {duration!r}; expected a positive time [s]")
    if not math.isfinite(slope):
        raise InputError(f"{path}: dataset {meta}/chirpSlope = {slope!r}")
    return fc, slope, duration


def _echo_encoding(p: Hdf5Product, at: _Layout, shape, t_path: str, sr_path: str) -> dict:
    """The ``"l0b"`` decoder's parameters: the echo dataset, its encoding (``bfpq`` codes
    with their lookup table, ``complex32`` or ``complex``) and its fill value."""
    path, image_path = p.path, at.image
    ds = p.dataset(image_path)
    if ds.ndim == 3:
        raise InputError(f"{path}: dataset {image_path} has shape {ds.shape}: multi-channel "
                         "(diagnostic mode DM2) echoes are not supported")
    if ds.ndim != 2 or tuple(ds.shape) != shape:
        raise InputError(f"{path}: dataset {image_path} has shape {ds.shape}; the axes {t_path} and "
                         f"{sr_path} give ({shape[0]}, {shape[1]})")
    params = {"dataset": image_path}
    dt = ds.dtype
    names = [nm.lower() for nm in (dt.names or ())]
    if dt.names and set(names) == {"r", "i"}:
        kinds = {dt.fields[nm][0].kind for nm in dt.names}
        if kinds <= {"u", "i"}:
            params.update(encoding="bfpq", lut=_bfpq_table(p, at, dt))
        elif kinds == {"f"} and all(dt.fields[nm][0].itemsize == 2 for nm in dt.names):
            params.update(encoding="complex32")
        else:
            raise InputError(f"{path}: dataset {image_path} has data type {dt}; expected integer "
                             "codes {r, i} with a BFPQLUT, float16 {r, i} or complex64")
    elif dt.kind == "c":
        params.update(encoding="complex")
    else:
        raise InputError(f"{path}: dataset {image_path} has data type {dt}; expected integer codes "
                         "{r, i} with a BFPQLUT, float16 {r, i} or complex64")
    fill = ds.attrs.get("_FillValue")
    if fill is not None:
        params["fill_value"] = int(np.asarray(fill).reshape(-1)[0]) if np.asarray(fill).dtype.kind in "iu" \
            else float(np.asarray(fill).reshape(-1)[0])
    return params


def _bfpq_table(p: Hdf5Product, at: _Layout, dt) -> str:
    """HDF5 path of the lookup table of integer echo codes, checked (1-D floats, one per code)."""
    path, lut_path = p.path, f"{at.rxgroup}/BFPQLUT"
    if not p.has(lut_path):
        raise InputError(f"{path}: dataset {at.image} holds integer codes ({dt}) but its "
                         f"lookup table {lut_path} is missing")
    lut = p.dataset(lut_path)
    if lut.ndim != 1 or lut.dtype.kind != "f":
        raise InputError(f"{path}: dataset {lut_path} has shape {lut.shape} and type "
                         f"{lut.dtype}; expected a 1-D float table")
    bits = max(dt.fields[nm][0].itemsize for nm in dt.names) * 8
    if lut.shape[0] < 2 ** min(bits, 16):
        raise InputError(f"{path}: dataset {lut_path} has {lut.shape[0]} entries; codes of "
                         f"{bits} bits need {2 ** bits}")
    return lut_path


def _look_side(p: Hdf5Product, ident: str) -> str:
    look_path = f"{ident}/lookDirection"
    look = p.text(look_path).strip().lower()
    if look not in ("left", "right"):
        raise InputError(f"{p.path}: dataset {look_path} = {look!r}; expected 'left' or 'right'")
    return look


def _attributes(p: Hdf5Product, at: _Layout, freq: str, orbit_type: str, params: dict,
                width: int) -> dict:
    """The product's other facts (identification, bandwidth, valid samples, calibration
    pulses); optional ones that cannot be read are left out."""
    meta, ident = at.meta, at.ident
    attributes = {"product_group": at.root, "look_direction": p.text(f"{ident}/lookDirection"),
                  "frequency": freq, "orbit_type": orbit_type, "l0b_encoding": params["encoding"]}
    for key, name in (("product_type", "productType"), ("orbit_pass_direction", "orbitPassDirection"),
                      ("zero_doppler_start_time", "zeroDopplerStartTime"),
                      ("processing_type", "processingType")):
        value = p.optional_text(f"{ident}/{name}")
        if value:
            attributes[key] = value
    for key, name in (("range_bandwidth", "rangeBandwidth"),
                      ("nominal_acquisition_prf", "nominalAcquisitionPRF")):
        value = p.optional_scalar(f"{meta}/{name}")
        if value is not None:
            attributes[key] = value
    if p.has(f"{meta}/validSamplesSubSwath1"):
        try:
            valid = p.array(f"{meta}/validSamplesSubSwath1", ndim=2, dtype=np.int64)
            if valid.size:
                attributes["valid_samples"] = [min(int(valid[:, 0].max()), width),
                                               min(int(valid[:, 1].min()), width)]
        except InputError:
            pass
    if p.has(f"{meta}/calType"):
        try:
            cal = p.array(f"{meta}/calType", ndim=1, dtype=np.int64)
            attributes["cal_type_counts"] = {str(int(k)): int(v) for k, v in
                                             zip(*np.unique(cal, return_counts=True))}
        except InputError:
            pass
    if params["encoding"] == "bfpq":
        attributes["bfpq_lut"] = params["lut"]
    return attributes


def _read_orbit(p: Hdf5Product, root, epoch):
    base = p.first(f"{root}/lowRateTelemetry/orbit", f"{root}/telemetry/orbit",
                   f"{root}/metadata/orbit")
    if base is None:
        raise InputError(f"{p.path}: missing group {root}/lowRateTelemetry/orbit (state vectors)")
    t_path = f"{base}/time"
    t = p.array(t_path, ndim=1)
    pos = p.array(f"{base}/position", ndim=2)
    vel = p.array(f"{base}/velocity", ndim=2)
    if pos.shape != (t.size, 3) or vel.shape != (t.size, 3):
        raise InputError(f"{p.path}: orbit datasets {base}/position {pos.shape} and velocity "
                         f"{vel.shape} do not match {t_path} ({t.size},) x 3")
    own = p.epoch(t_path) if p.dataset(t_path).attrs.get("units") is not None else epoch
    shift = 0.0 if own == epoch else (own - epoch).total_seconds()
    try:
        orbit = Orbit(t + shift, pos, vel, epoch.to_datetime64())
    except ValueError as exc:
        raise InputError(f"{p.path}: invalid orbit in {base}: {exc}") from None
    method = method_from_text(p.optional_text(f"{base}/interpMethod"))  # ISCE3's Hermite/Legendre
    return (orbit.with_method(method) if method else orbit), p.optional_text(f"{base}/orbitType")


# ---------------------------------------------------------------------------- decoding
_LUTS: dict = {}
_LUT_LOCK = threading.Lock()


def _lut(h5, source: RawSource, lut_path: str) -> np.ndarray:
    try:
        st = os.stat(source.path)
        key = (source.path, lut_path, st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    with _LUT_LOCK:
        if key is not None and key in _LUTS:
            return _LUTS[key]
    table = np.asarray(h5[lut_path][()], dtype=np.float32)
    with _LUT_LOCK:
        if key is not None:
            if len(_LUTS) > 8:
                _LUTS.clear()
            _LUTS[key] = table
    return table


def _decode_l0b(source: RawSource, rows: slice) -> np.ndarray:
    params = source.params
    dpath = params["dataset"]
    with open_hdf5(source.path) as h5:
        try:
            ds = h5[dpath]
            start, stop, step = rows.indices(ds.shape[0])
            data = ds[start:stop:step] if stop > start else ds[0:0]
            enc = params.get("encoding")
            if enc == "bfpq":
                lut = _lut(h5, source, params["lut"])
                names = data.dtype.names
                r = next(nm for nm in names if nm.lower() == "r")
                i = next(nm for nm in names if nm.lower() == "i")
                out = np.empty(data.shape, np.complex64)
                out.real = lut[data[r]]
                out.imag = lut[data[i]]
                return out
            if enc == "complex32":
                names = data.dtype.names
                r = next(nm for nm in names if nm.lower() == "r")
                i = next(nm for nm in names if nm.lower() == "i")
                out = np.empty(data.shape, np.complex64)
                out.real = data[r]
                out.imag = data[i]
                return out
            return np.asarray(data, dtype=np.complex64)
        except KeyError:
            raise InputError(f"{source.path}: missing dataset {dpath}") from None
        except (OSError, RuntimeError, ValueError, IndexError) as exc:
            raise InputError(f"{source.path}: cannot read lines {rows.start}-{rows.stop} of dataset "
                             f"{dpath} (truncated or corrupt file?): {exc}") from None


register_decoder("l0b", _decode_l0b)


# ---------------------------------------------------------------------------- component
class NisarL0b(Sensor):
    """Reader of NISAR L0B raw echoes (HDF5): one frequency and polarization of the file."""

    sensor_name = "NISAR_L0B"
    parameters = selection_parameters(
        "L0B product", "Transmit and receive polarization of the echoes (HH, HV, VH, VV, ...).")

    def validate(self) -> None:
        validate_selection(self)

    def read_product(self) -> RawProduct:
        path = self.require("hdf5")
        self.validate()
        return read_nisar_l0b(path, self.frequency, self.polarization)
