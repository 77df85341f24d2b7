"""Range band-pass filtering of SLCs (common-band filtering, split spectrum).

An SLC line is sampled at ``sampling_rate`` fs [Hz] in range time; its
baseband spectrum (after the FFT) is centred on 0 and stands for radio
frequencies ``center_frequency + f``, ``|f| <= bandwidth / 2`` [Hz].

:func:`bandpass_range` keeps the part of the spectrum that lies in a new band
(``new_center_frequency``, ``new_bandwidth``) and, by default, shifts that band
to baseband. The shift multiplies each sample by ``exp(+j 2 pi df tau)`` with
``df = center_frequency - new_center_frequency`` and ``tau = 2 r / c`` the
two-way range time of the sample (slant range ``r`` [m]): a target at range
``R`` with phase ``exp(-j 4 pi fc R / c)`` then has the phase
``exp(-j 4 pi fc' R / c)`` that a radar at the new centre frequency records, so
the result interferes with an SLC of that band without a range phase ramp.
(Not handling the centre-frequency difference leaves a ramp of
``2 pi df / fs_out`` rad per output pixel, 2.62 rad/pixel for the San Andreas
pair.) With ``starting_range`` the absolute range is used; without it ``tau``
counts from the first sample, which differs by a constant phase only.

:func:`resample_range` changes the range sampling rate by an FFT (spectrum
cropped or zero-padded; sample 0 stays in place), e.g. 48 -> 24 MHz once the
band is 20 MHz wide. :func:`match_range_band` chains the two, to bring an
SLC onto the band and the range grid of another.

Lines are filtered with FFTs (scipy.fft) zero-padded to a fast length of at
least ``width + 2 * pad`` so the circular wrap-around stays away from the data.
"""
from __future__ import annotations

import numpy as np

import isce.io

from ._arrays import to_numeric

__all__ = ["bandpass_range", "resample_range", "match_range_band", "bandpass_to_reference",
           "SPEED_OF_LIGHT"]

SPEED_OF_LIGHT = 299792458.0  # m/s


def _positive(name, value):
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive number [Hz], got {value!r}")
    return v


def _window(f, lo, hi, window, taper):
    """Pass-band weights on frequencies ``f`` for the band [lo, hi]."""
    inside = (f >= lo) & (f <= hi)
    if window in (None, "rect", "rectangular", "boxcar"):
        return inside.astype(np.float64)
    if window in ("tukey", "cosine"):
        # raised-cosine roll-off over a fraction `taper` of the band at each edge
        width = (hi - lo) * float(taper) / 2.0
        h = inside.astype(np.float64)
        if width > 0:
            d = np.minimum(f - lo, hi - f)
            edge = inside & (d < width)
            h[edge] = 0.5 - 0.5 * np.cos(np.pi * d[edge] / width)
        return h
    raise ValueError(f"unknown window {window!r}; choose 'rect' or 'tukey'")


def bandpass_range(slc, *, sampling_rate, center_frequency, new_center_frequency, new_bandwidth,
                   bandwidth=None, starting_range=None, range_pixel_spacing=None, shift=True,
                   window="rect", taper=0.1, pad=32, workers=-1):
    """Band-pass the range spectrum of ``slc`` to a new band (same sampling grid).

    Parameters
    ----------
    slc : complex array (lines, width)
    sampling_rate : float
        Range sampling rate fs [Hz] (c / (2 * range_pixel_spacing)).
    center_frequency : float
        Centre frequency of ``slc`` [Hz].
    new_center_frequency, new_bandwidth : float
        The band to keep [Hz]; it must lie within +-fs/2 of ``center_frequency``
        (and within ``bandwidth`` when given).
    bandwidth : float, optional
        Processed bandwidth of ``slc`` [Hz], only to check the request.
    starting_range : float, optional
        Slant range of sample 0 [m] for the absolute phase of the shift; the
        sample spacing is ``range_pixel_spacing`` [m] (default ``c / (2 fs)``).
    shift : bool
        Shift the kept band to baseband (the new centre frequency); default True.
    window : 'rect' or 'tukey'
        Pass-band shape; ``taper`` is the tukey roll-off fraction of the band.
    pad : int
        Minimum zero padding [samples] on each side for the FFT.

    Returns complex64 of the same shape.
    """
    fs = _positive("sampling_rate", sampling_rate)
    fc = float(center_frequency)
    fc_new = float(new_center_frequency)
    bw_new = _positive("new_bandwidth", new_bandwidth)
    lo, hi = fc_new - bw_new / 2 - fc, fc_new + bw_new / 2 - fc     # baseband limits [Hz]
    tol = 1e-9 * fs
    if lo < -fs / 2 - tol or hi > fs / 2 + tol:
        raise ValueError(f"band {fc_new / 1e6:.6f} MHz +- {bw_new / 2e6:.6f} MHz is outside the "
                         f"sampled spectrum {fc / 1e6:.6f} MHz +- {fs / 2e6:.6f} MHz")
    if bandwidth is not None:
        bw = _positive("bandwidth", bandwidth)
        if lo < -bw / 2 - tol or hi > bw / 2 + tol:
            raise ValueError(f"band {fc_new / 1e6:.6f} MHz +- {bw_new / 2e6:.6f} MHz is outside the "
                             f"processed band {fc / 1e6:.6f} MHz +- {bw / 2e6:.6f} MHz")
    from scipy import fft as sfft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    x = np.asarray(to_numeric(slc))
    if x.ndim != 2:
        raise ValueError(f"bandpass_range needs a 2-D array (lines, width), got shape {x.shape}")
    x = np.where(np.isnan(x.real) | np.isnan(x.imag), 0, x) if np.iscomplexobj(x) else x
    n = x.shape[1]
    nfft = sfft.next_fast_len(n + 2 * max(int(pad), 0))
    X = sfft.fft(x, n=nfft, axis=1, workers=workers)
    f = sfft.fftfreq(nfft, 1.0 / fs)
    X *= _window(f, lo, hi, window, taper)[None, :]
    y = sfft.ifft(X, axis=1, workers=workers, overwrite_x=True)[:, :n]
    if shift:
        dr = SPEED_OF_LIGHT / (2 * fs) if range_pixel_spacing is None else float(range_pixel_spacing)
        r = np.arange(n, dtype=np.float64) * dr
        if starting_range is not None:
            r = r + float(starting_range)
        y *= np.exp(1j * (4.0 * np.pi * (fc - fc_new) / SPEED_OF_LIGHT) * r)[None, :]
    return y.astype(np.complex64)


def resample_range(slc, factor=None, *, width=None, workers=-1):
    """Change the range sampling of ``slc`` by an FFT (sample 0 stays in place).

    Give ``factor`` (new/old sampling rate, e.g. 0.5 to halve it) or the output
    ``width``; ``width = width_in * factor`` must be an integer. The spectrum is
    cropped (or zero-padded) to the new +-fs/2, so band-limit the data first when
    reducing the rate (:func:`bandpass_range`). Returns complex64."""
    from scipy import fft as sfft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    x = np.asarray(to_numeric(slc))
    if x.ndim != 2:
        raise ValueError(f"resample_range needs a 2-D array (lines, width), got shape {x.shape}")
    n = x.shape[1]
    if (factor is None) == (width is None):
        raise ValueError("give exactly one of factor and width")
    if width is None:
        m_real = n * float(factor)
        m = int(round(m_real))
        if m < 1 or abs(m - m_real) > 1e-6 * max(1.0, m_real):
            raise ValueError(f"width {n} x factor {factor} = {m_real} is not an integer number of samples")
    else:
        m = int(width)
        if m < 1:
            raise ValueError(f"width must be >= 1, got {width}")
    if m == n:
        return x.astype(np.complex64)
    X = sfft.fft(np.where(np.isnan(x), 0, x), axis=1, workers=workers)
    Y = np.zeros((x.shape[0], m), np.complex128)
    if m > n:                        # zero-pad the spectrum; split an even Nyquist bin
        h = (n - 1) // 2
        Y[:, :h + 1] = X[:, :h + 1]
        Y[:, m - h:] = X[:, n - h:]
        if n % 2 == 0:
            Y[:, n // 2] = 0.5 * X[:, n // 2]
            Y[:, m - n // 2] = 0.5 * X[:, n // 2]
    else:                            # crop the spectrum; fold +-fs'/2 into an even Nyquist bin
        h = (m - 1) // 2
        Y[:, :h + 1] = X[:, :h + 1]
        Y[:, m - h:] = X[:, n - h:]
        if m % 2 == 0:
            Y[:, m // 2] = X[:, m // 2] + X[:, n - m // 2]
    y = sfft.ifft(Y, axis=1, workers=workers, overwrite_x=True) * (m / n)
    return y.astype(np.complex64)


def match_range_band(slc, *, sampling_rate, center_frequency, new_sampling_rate,
                     new_center_frequency, new_bandwidth, bandwidth=None, starting_range=None,
                     window="rect", taper=0.1):
    """Bring ``slc`` onto another SLC's range band and sampling: band-pass to
    ``new_center_frequency`` +- ``new_bandwidth`` / 2, shift to baseband (absolute
    range phase from ``starting_range`` [m]) and resample from ``sampling_rate``
    to ``new_sampling_rate`` [Hz] (same first-sample range). Returns complex64."""
    y = bandpass_range(slc, sampling_rate=sampling_rate, center_frequency=center_frequency,
                       new_center_frequency=new_center_frequency, new_bandwidth=new_bandwidth,
                       bandwidth=bandwidth, starting_range=starting_range, window=window,
                       taper=taper)
    fs_new = _positive("new_sampling_rate", new_sampling_rate)
    if new_bandwidth > fs_new * (1 + 1e-9):
        raise ValueError(f"new bandwidth {new_bandwidth / 1e6:g} MHz does not fit the new sampling "
                         f"rate {fs_new / 1e6:g} MHz")
    return resample_range(y, fs_new / float(sampling_rate))


def same_range_band(reference, secondary, tolerance_hz: float = 1.0) -> bool:
    """True when two SLC products share centre frequency and range bandwidth [Hz]."""
    return (abs(reference.center_frequency - secondary.center_frequency) < tolerance_hz
            and abs((reference.range_bandwidth or 0) - (secondary.range_bandwidth or 0)) < tolerance_hz)


def bandpass_to_reference(secondary, reference, output, *, block_lines: int = 1024,
                          progress: bool = False) -> str:
    """Write ``secondary``'s image band-passed to ``reference``'s range band and centre
    frequency (shifted to baseband) as an isce.io CFLOAT raster at ``output``, block by
    block; the range sampling is kept. Both are SLC products (isce.sensors.SlcProduct).
    Raises ValueError when a bandwidth or the sampling rate is unknown."""
    if not (reference.range_bandwidth and secondary.range_bandwidth and secondary.range_sampling_rate):
        raise ValueError("range bandwidth or sampling rate unknown: cannot band-pass")
    blocks = secondary.iter_blocks(block_lines)
    if progress:
        blocks = isce.io.progress_bar(blocks, total=-(-secondary.length // block_lines),
                                      desc="bandpass")
    with isce.io.create(output, secondary.width, secondary.length, "CFLOAT", image_type="slc") as dst:
        for rows, block in blocks:
            dst[rows] = bandpass_range(block, sampling_rate=secondary.range_sampling_rate,
                                       center_frequency=secondary.center_frequency,
                                       new_center_frequency=reference.center_frequency,
                                       new_bandwidth=reference.range_bandwidth,
                                       bandwidth=secondary.range_bandwidth,
                                       starting_range=secondary.radar_grid.starting_range)
    return str(output)
