"""Helpers for the focusing tests: small simulated scenes and a point-target measurement.

``measure(chip)`` oversamples a chip by FFT zero-padding (after moving its
spectrum to baseband in each direction), finds the peak (parabolic refinement
on the 32x oversampled grid) and measures the -3 dB (half-power) width, PSLR
and ISLR (10 sidelobes each side, main lobe between the first nulls) of the
cuts through the peak along range (axis 1) and azimuth (axis 0).
"""
from __future__ import annotations

import math

import numpy as np

SINC_PSLR_DB = -13.26
SINC_ISLR_DB = -10.11   # 10 sidelobes each side (-9.68 dB with all of them)


def _centre(chip, axis):
    """Spectral centre along ``axis`` [cycles/sample] (phase of the lag-one correlation)."""
    x = np.moveaxis(chip, axis, 0)
    return np.angle(np.sum(x[1:] * np.conj(x[:-1]))) / (2 * np.pi)


def oversample(chip, factor=32):
    """Band-limited interpolation of ``chip`` on a grid ``factor`` times finer (sample
    ``(i, j)`` at chip position ``(i / factor, j / factor)``), carriers preserved."""
    chip = np.asarray(chip, dtype=np.complex128)
    m, n = chip.shape
    ca, cr = _centre(chip, 0), _centre(chip, 1)
    ii, jj = np.arange(m)[:, None], np.arange(n)[None, :]
    base = chip * np.exp(-2j * np.pi * (ca * ii + cr * jj))
    spec = np.fft.fftshift(np.fft.fft2(base))
    big = np.zeros((m * factor, n * factor), dtype=np.complex128)
    r0, c0 = (m * factor) // 2 - m // 2, (n * factor) // 2 - n // 2   # DC bins aligned
    big[r0:r0 + m, c0:c0 + n] = spec
    up = np.fft.ifft2(np.fft.ifftshift(big)) * factor * factor
    yi = (np.arange(m * factor) / factor)[:, None]
    xj = (np.arange(n * factor) / factor)[None, :]
    return up * np.exp(2j * np.pi * (ca * yi + cr * xj))


def _parabola(y):
    den = y[0] - 2 * y[1] + y[2]
    return 0.0 if den == 0 else 0.5 * (y[0] - y[2]) / den


def cut_metrics(p, factor, sidelobes=10):
    """IRW [samples], PSLR, ISLR [dB] of a power cut ``p`` sampled every 1/factor sample."""
    k = int(np.argmax(p))
    p = p / p[k]
    half = 0.5
    i = k
    while p[i] > half:
        i += 1
    right = i - 1 + (p[i - 1] - half) / (p[i - 1] - p[i])
    i = k
    while p[i] > half:
        i -= 1
    left = i + 1 - (p[i + 1] - half) / (p[i + 1] - p[i])
    irw = (right - left) / factor

    def minima(direction):
        out, i = [], k + direction
        while 0 < i < len(p) - 1 and len(out) < sidelobes + 1:
            if p[i] <= p[i - 1] and p[i] <= p[i + 1]:
                out.append(i)
            i += direction
        return out

    rmin, lmin = minima(1), minima(-1)
    main = slice(lmin[0], rmin[0] + 1)
    side_l = slice(lmin[-1], lmin[0])
    side_r = slice(rmin[0] + 1, rmin[-1] + 1)
    e_main = p[main].sum()
    e_side = p[side_l].sum() + p[side_r].sum()
    peak_side = max(p[side_l].max(), p[side_r].max())
    return {"irw": irw, "pslr": 10 * math.log10(peak_side), "islr": 10 * math.log10(e_side / e_main),
            "sidelobes": (len(lmin) - 1, len(rmin) - 1)}


def measure(chip, factor=32):
    """Peak (line, pixel) in chip coordinates and range/azimuth cut metrics."""
    up = oversample(chip, factor)
    power = np.abs(up) ** 2
    i, j = np.unravel_index(int(np.argmax(power)), power.shape)
    di = _parabola(power[i - 1:i + 2, j])
    dj = _parabola(power[i, j - 1:j + 2])
    out = {"line": (i + di) / factor, "pixel": (j + dj) / factor,
           "amplitude": float(np.abs(up[i, j])), "phase": float(np.angle(up[i, j]))}
    out["range"] = cut_metrics(power[i, :], factor)
    out["azimuth"] = cut_metrics(power[:, j], factor)
    return out


def chip_around(image, line, pixel, size=64):
    """``size`` x ``size`` chip whose centre sample is the nearest to (line, pixel); returns
    (chip, first line, first pixel)."""
    l0 = int(round(line)) - size // 2
    p0 = int(round(pixel)) - size // 2
    return np.asarray(image[l0:l0 + size, p0:p0 + size]), l0, p0


# ------------------------------------------------------------------ scenes
ALOS_CENTRE = (35.0, -118.0)


def alos_scene(targets, pulses=8192, margin_samples=300, squint_hz=None, output=None,
               centre_time_offset=0.0):
    """Simulated ALOS PALSAR FBS echoes of ``targets`` (lat, lon, height) around
    ALOS_CENTRE: ``pulses`` pulses centred on the centre target's beam-centre time, a
    range window with ``margin_samples`` fully compressed samples either side of the
    targets. ``squint_hz``: beam steered to that Doppler centroid instead of zero Doppler
    (the simulator has no squint option: its antenna pattern is replaced for the call).
    Returns ``(raw, orbit, radar)``."""
    import isce.simulate.echoes as echoes
    from isce.core.constants import SPEED_OF_LIGHT
    from isce.simulate import alos_palsar_fbs, orbit_over, simulate_point_targets, target_truth

    radar = alos_palsar_fbs()
    lat, lon = ALOS_CENTRE
    orbit, tzd = orbit_over(lat, lon, radar.look_angle, "right", duration_s=40, spacing_s=1.0)
    truth = target_truth(targets, orbit, radar.wavelength, "right")
    ranges = [t["slant_range"] for t in truth]
    dr = radar.range_pixel_spacing
    half_chirp = radar.chirp_samples // 2 + 1
    r0 = min(ranges) - (half_chirp + margin_samples) * dr
    width = int((max(ranges) - r0) / dr) + half_chirp + margin_samples + 40
    t_beam = tzd - min(ranges) / SPEED_OF_LIGHT + centre_time_offset
    original = echoes.antenna_pattern
    if squint_hz:
        v = float(np.linalg.norm(orbit.interpolate(np.array([tzd]))[1][0]))
        t_beam -= radar.wavelength * squint_hz * ranges[0] / (2 * 7180.0 ** 2)
        sin0 = radar.wavelength * squint_hz / (2 * v)

        def squinted(p, vel, t, wvl, length):
            los = np.asarray(t) - np.asarray(p)
            vel = np.asarray(vel)
            norm = np.linalg.norm(los, axis=-1) * np.linalg.norm(vel, axis=-1)
            s = np.sum(los * vel, -1) / norm
            return np.sinc(length * (s - sin0) / wvl)

        echoes.antenna_pattern = squinted
    try:
        raw = simulate_point_targets(orbit, radar, targets, length=pulses,
                                     sensing_start=t_beam - 0.5 * pulses / radar.prf,
                                     starting_range=r0, width=width, output=output)
    finally:
        echoes.antenna_pattern = original
    return raw, orbit, radar


def measure_targets(image, grid, targets, orbit, radar, size=64):
    """measure() of each target's chip, with its offset from the geo2rdr truth."""
    from isce.simulate import target_truth

    out = []
    for tr in target_truth(targets, orbit, radar.wavelength, radar.look_side, grid=grid):
        chip, l0, p0 = chip_around(image, tr["line"], tr["pixel"], size)
        m = measure(chip)
        m["dline"] = l0 + m["line"] - tr["line"]
        m["dpixel"] = p0 + m["pixel"] - tr["pixel"]
        expected = -4 * np.pi * tr["slant_range"] / radar.wavelength
        m["dphase"] = float(np.angle(np.exp(1j * (m["phase"] - expected))))
        m["truth"] = tr
        out.append(m)
    return out
