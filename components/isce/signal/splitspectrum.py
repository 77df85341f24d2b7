"""Split-spectrum sub-bands of an SLC (ISCE2 ``StripmapProc/runSplitSpectrum.py``,
``contrib/splitSpectrum``).

The processed range band ``B`` (ISCE2: ``|chirp slope| x pulse length``) centred on the
carrier ``f0`` gives two sub-bands of width ``B / 3`` centred on ``f0 - B / 3`` (low) and
``f0 + B / 3`` (high). Each is band-passed out of the SLC and shifted to baseband with the
absolute two-way range time (:func:`isce.signal.bandpass.bandpass_range`), so the sub-band
SLC carries the phase ``-4 pi R / lambda_sub`` of a radar at the sub-band's centre: two
dates' sub-band SLCs interfere like a pair of that radar (flattening with ``lambda_sub``).
"""
from __future__ import annotations

from typing import NamedTuple

import isce.io

from .bandpass import SPEED_OF_LIGHT, bandpass_range

__all__ = ["SubBands", "subbands", "split_raster"]


class SubBands(NamedTuple):
    """Centre frequencies of the low and high sub-bands and their width [Hz]."""
    low: float
    high: float
    width: float

    @property
    def wavelengths(self) -> tuple:
        """(low, high) sub-band wavelengths [m]."""
        return SPEED_OF_LIGHT / self.low, SPEED_OF_LIGHT / self.high


def subbands(bandwidth: float, center_frequency: float) -> SubBands:
    """ISCE2's rule: sub-bands of width ``B/3`` at ``f0 -+ B/3`` [Hz] (ValueError when ``B``
    is not positive or not below ``f0``)."""
    b, f0 = float(bandwidth), float(center_frequency)
    if not (0 < b < f0):
        raise ValueError(f"range bandwidth {b / 1e6:g} MHz: must be positive and below the "
                         f"carrier ({f0 / 1e6:g} MHz) to split the spectrum")
    return SubBands(f0 - b / 3.0, f0 + b / 3.0, b / 3.0)


def split_raster(slc, outputs, *, bands: SubBands, sampling_rate: float, center_frequency: float,
                 starting_range: float, range_pixel_spacing: float, block_lines: int = 1024,
                 progress: bool = False) -> tuple:
    """Write the low and high sub-band SLCs of the raster ``slc`` to ``outputs`` (two paths,
    CFLOAT, same grid), block by block; ``starting_range``/``range_pixel_spacing`` [m] give
    the absolute range of the baseband shift. Returns the two paths."""
    src = isce.io.open(str(slc))
    width, length = src.width, src.length
    writers = [isce.io.create(str(path), width, length, "CFLOAT", image_type="slc")
               for path in outputs]
    try:
        starts = range(0, length, int(block_lines))
        if progress:
            starts = isce.io.progress_bar(starts, total=len(starts), desc="split spectrum")
        for r0 in starts:
            rows = slice(r0, min(r0 + int(block_lines), length))
            block = src.read(rows=rows)
            for dst, fc in zip(writers, (bands.low, bands.high)):
                dst[rows] = bandpass_range(block, sampling_rate=sampling_rate,
                                           center_frequency=center_frequency,
                                           new_center_frequency=fc, new_bandwidth=bands.width,
                                           starting_range=starting_range,
                                           range_pixel_spacing=range_pixel_spacing)
    except BaseException:
        for dst in writers:
            dst.abort()
        raise
    for dst in writers:
        dst.close()
    return tuple(str(p) for p in outputs)
