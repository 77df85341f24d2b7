"""Doppler centroid estimation from the echoes (lag-one azimuth correlation).

For raw or range-compressed lines ``x[i, j]`` (line ``i`` at ``t0 + i / prf``),
the azimuth spectrum's centre within one PRF is the phase of the lag-one
correlation (Madsen 1989):

    C = sum_i x[i + 1, j] conj(x[i, j]),       f_dc = prf * arg(C) / (2 pi)   (mod prf)

summed over the lines of an azimuth block and the samples of a range block
(range compression first raises the signal above noise but does not change
the phase of C). Per azimuth block, the block estimates are fitted by a
polynomial of low degree in slant range, weighted by ``|C|`` (bright blocks
count more) after unwrapping them around their weighted mean; degree 0 takes
the phase of the correlation summed over all range blocks (the power-weighted
circular mean of the spectrum: right also for a few point targets whose range
walk crosses the range blocks). The result is an
:class:`~isce.core.lut.LUT2d` [Hz] over (raw time [s since the orbit epoch],
slant range [m]) that clamps outside its grid.

Ambiguity: the estimate is only known modulo the PRF. ``ambiguity`` adds a
whole number of PRFs; ``predicted`` [Hz] (e.g. from the attitude) picks the
ambiguity closest to it.
"""
from __future__ import annotations

import math

import numpy as np

from isce.core.lut import LUT2d

__all__ = ["lag_one_correlation", "estimate_doppler", "estimate_from", "DopplerEstimate"]


def lag_one_correlation(lines, range_blocks: int, chunk: int = 1024) -> np.ndarray:
    """``C`` per range block (complex, length ``range_blocks``) of a block of lines
    (an array or anything sliceable as ``lines[a:b]``, read ``chunk`` lines at a time)."""
    n, width = lines.shape
    if n < 2:
        raise ValueError("Doppler estimation needs at least 2 lines")
    col = np.zeros(width, dtype=np.complex128)
    for a in range(0, n - 1, chunk):
        x = np.asarray(lines[a:min(a + chunk + 1, n)])
        col += np.sum(x[1:] * np.conj(x[:-1]), axis=0, dtype=np.complex128)
    edges = np.linspace(0, width, range_blocks + 1).astype(int)
    return np.add.reduceat(col, edges[:-1])


class DopplerEstimate:
    """Result of :func:`estimate_doppler`: ``lut`` (LUT2d), per-block ``times`` [s],
    ``ranges`` [m], ``estimates`` [Hz] (azimuth blocks x range blocks), ``weights`` (|C|)
    and the polynomial ``coefficients`` (per azimuth block, highest power first, in
    (range - ``range_ref``) / ``range_scale``)."""

    def __init__(self, lut, times, ranges, estimates, weights, coefficients, range_ref,
                 range_scale):
        self.lut = lut
        self.times = times
        self.ranges = ranges
        self.estimates = estimates
        self.weights = weights
        self.coefficients = coefficients
        self.range_ref = range_ref
        self.range_scale = range_scale

    def eval(self, t, r):
        return self.lut.eval(t, r)


def estimate_doppler(data, *, prf: float, sensing_start: float, starting_range: float,
                     range_spacing: float, valid=None, azimuth_blocks: int = 4,
                     range_blocks: int = 32, degree: int = 1, ambiguity: int = 0,
                     predicted: float | None = None, max_lines: int | None = None,
                     lut_ranges: int = 16) -> DopplerEstimate:
    """Estimate the Doppler centroid of ``data`` (lines x samples, raw or range-compressed).

    ``valid``: ``(first, stop)`` samples to use (default all); ``azimuth_blocks`` blocks
    along the lines (at most ``max_lines`` lines per block, from its centre, if given);
    the blocks must be long compared with the synthetic aperture unless the scene is
    distributed (a point target alone shows its instantaneous Doppler, not the
    centroid: use one block for point-target scenes);
    ``range_blocks`` blocks across; ``degree`` of the range polynomial (0 = constant).
    Returns a :class:`DopplerEstimate` whose ``lut`` is the LUT2d [Hz].
    """
    length, width = data.shape
    first, stop = (0, width) if valid is None else (int(valid[0]), int(valid[1]))
    if stop - first < 1 or length < 2:
        raise ValueError("no samples to estimate the Doppler centroid from")
    nb_az = max(1, min(int(azimuth_blocks), length // 2))
    nb_rg = max(1, min(int(range_blocks), stop - first))
    edges = np.linspace(0, length, nb_az + 1).astype(int)
    redges = np.linspace(first, stop, nb_rg + 1)
    rcentre = starting_range + range_spacing * 0.5 * (redges[:-1] + redges[1:] - 1)
    r_ref = float(np.mean(rcentre))
    r_scale = float(max(np.ptp(rcentre) / 2.0, range_spacing))
    deg = int(min(max(degree, 0), nb_rg - 1))
    times, est, wts, coefs = [], [], [], []
    for b in range(nb_az):
        a0, a1 = edges[b], edges[b + 1]
        if max_lines is not None and a1 - a0 > max_lines:
            mid = (a0 + a1) // 2
            a0, a1 = mid - max_lines // 2, mid + max_lines // 2
        c = lag_one_correlation(_Cols(data, a0, a1, first, stop), nb_rg)
        phase = np.angle(c)
        w = np.abs(c)
        # unwrap around the weighted circular mean, then fit
        mean = np.angle(np.sum(c))
        ph = mean + np.angle(np.exp(1j * (phase - mean)))
        f = ph * prf / (2 * math.pi)
        x = (rcentre - r_ref) / r_scale
        if np.all(w == 0):
            p = np.zeros(deg + 1)
        elif deg == 0:                  # the phase of the summed correlation (power-weighted)
            p = np.array([mean * prf / (2 * math.pi)])
        else:
            p = np.polyfit(x, f, deg, w=np.sqrt(w / w.max()))
        times.append(sensing_start + 0.5 * (a0 + a1 - 1) / prf)
        est.append(f)
        wts.append(w)
        coefs.append(p)
    coefs = np.array(coefs)
    # ambiguity
    centre = float(np.mean([np.polyval(p, 0.0) for p in coefs]))
    if predicted is not None:
        k = round((float(predicted) - centre) / prf)
    else:
        k = int(ambiguity)
    coefs[:, -1] += k * prf
    est = np.array(est) + k * prf
    # LUT: azimuth block centres x a few ranges; at least two rows
    r_lut = np.linspace(starting_range + first * range_spacing,
                        starting_range + (stop - 1) * range_spacing, max(2, int(lut_ranges)))
    if r_lut[-1] <= r_lut[0]:
        r_lut = r_lut[0] + np.array([0.0, range_spacing])
    t_lut = np.array(times)
    values = np.array([np.polyval(p, (r_lut - r_ref) / r_scale) for p in coefs])
    if t_lut.size == 1:
        t_lut = np.array([sensing_start, sensing_start + (length - 1) / prf + 1e-6])
        values = np.vstack([values, values])
    lut = LUT2d(r_lut, t_lut, values, method="bilinear", bounds_error=False)
    return DopplerEstimate(lut, np.array(times), rcentre, est, np.array(wts), coefs, r_ref, r_scale)


def estimate_from(rc_or_raw, **kw) -> DopplerEstimate:
    """:func:`estimate_doppler` of a :class:`~isce.focus.rangecomp.RangeCompressed` (or of a
    RawProduct, whose echoes are read block by block through its ``read``)."""
    data = getattr(rc_or_raw, "data", None)
    raw = getattr(rc_or_raw, "raw", rc_or_raw)
    valid = getattr(rc_or_raw, "valid", None)
    if data is None:
        data = _RawLines(raw)
    return estimate_doppler(data, prf=float(raw.prf), sensing_start=float(raw.sensing_start),
                            starting_range=float(raw.starting_range),
                            range_spacing=float(raw.range_pixel_spacing), valid=valid, **kw)


class _Cols:
    """Lines a0:a1, samples first:stop of ``data``, sliceable by lines."""

    def __init__(self, data, a0, a1, first, stop):
        self.data, self.a0, self.first, self.stop = data, a0, first, stop
        self.shape = (a1 - a0, stop - first)

    def __getitem__(self, rows):
        return self.data[self.a0 + rows.start:self.a0 + rows.stop, self.first:self.stop]


class _RawLines:
    """``data[a:b, c:d]`` over RawProduct.read (so raw echoes need not fit in memory)."""

    def __init__(self, raw):
        self.raw = raw
        self.shape = (int(raw.length), int(raw.width))

    def __getitem__(self, key):
        rows, cols = key
        return self.raw.read(rows)[:, cols]
