"""Minimal h5py reader of the NISAR/UAVSAR RSLC sample products for the signal tests.

Reads the image, the radar grid and the Doppler centroid LUT of
``/science/LSAR/{SLC,RSLC}`` (see ../shared/reference/nisar-hdf5-layout.md).
It stands in for ``isce.sensors`` in these tests so they depend only on
h5py, numpy and isce.core.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SPEED_OF_LIGHT = 299792458.0


@dataclass
class SlcProduct:
    path: Path
    image: np.ndarray            # complex64 (lines, pixels)
    sensing_start: float         # s since epoch (azimuth time of line 0)
    prf: float                   # Hz (1 / zeroDopplerTimeSpacing)
    starting_range: float        # m
    range_pixel_spacing: float   # m
    center_frequency: float      # Hz (processed)
    bandwidth: float             # Hz (processed range bandwidth)
    epoch: str                   # time units attribute of the swath
    doppler: object              # isce.core.LUT2d, Hz over (time s, slant range m)

    @property
    def sampling_rate(self) -> float:
        """Range sampling rate [Hz] = c / (2 * range pixel spacing)."""
        return SPEED_OF_LIGHT / (2.0 * self.range_pixel_spacing)

    @property
    def wavelength(self) -> float:
        return SPEED_OF_LIGHT / self.center_frequency


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def _root(h5):
    for name in ("RSLC", "SLC"):
        if f"science/LSAR/{name}" in h5:
            return h5[f"science/LSAR/{name}"]
    raise KeyError("no /science/LSAR/RSLC or /science/LSAR/SLC group")


def _complex(dset):
    data = dset[()]
    if data.dtype.names:
        out = np.empty(data.shape, np.complex64)
        out.real = data["r"]
        out.imag = data["i"]
        return out
    return data.astype(np.complex64)


def read_slc(path, frequency="A", polarization="HH") -> SlcProduct:
    import h5py

    from isce.core import LUT2d
    from isce.core.time import epoch_from_units

    path = Path(path)
    with h5py.File(path, "r") as h5:
        g = _root(h5)
        sw = g["swaths"]
        fg = sw[f"frequency{frequency}"]
        t = sw["zeroDopplerTime"]
        epoch = epoch_from_units(t.attrs["units"])
        t0 = float(t[0])
        prf = 1.0 / float(sw["zeroDopplerTimeSpacing"][()])
        rng = fg["slantRange"][()]
        dr = float(fg["slantRangeSpacing"][()])
        fc = float(fg["processedCenterFrequency"][()])
        bw = float(fg["processedRangeBandwidth"][()])
        image = _complex(fg[polarization])
        par = g["metadata/processingInformation/parameters"]
        pf = par[f"frequency{frequency}"]
        tgrp = pf if "zeroDopplerTime" in pf else par
        lt = tgrp["zeroDopplerTime"]
        lut_t = lt[()].astype(np.float64)
        if "units" in lt.attrs:
            lut_epoch = epoch_from_units(lt.attrs["units"])
            lut_t = lut_t + (lut_epoch - epoch).total_seconds()
        lut_r = (pf if "slantRange" in pf else par)["slantRange"][()].astype(np.float64)
        dc = pf["dopplerCentroid"][()].astype(np.float64)
        doppler = LUT2d(lut_r, lut_t, dc, method="bilinear", bounds_error=False)
        return SlcProduct(path, image, t0, prf, float(rng[0]), dr, fc, bw,
                          _text(t.attrs["units"]), doppler)
