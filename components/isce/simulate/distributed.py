"""Raw echoes of a distributed scene (speckle over terrain) by inverse range-Doppler focusing.

Point targets get exact echoes (:mod:`isce.simulate.echoes`); a scene with one
scatterer per resolution cell would cost ~10^12 such sums, so distributed
reflectivity uses the documented approximation here:

1. the scene is given as what an ideal focuser would output, ``S(m, j)`` on a
   zero-Doppler grid (line ``m`` at ``t_m``, sample ``j`` at ``R_j``; value =
   the scatterer's complex amplitude ``a`` times ``exp(-4j pi R / lambda)``, the
   :mod:`isce.focus.rda` convention);
2. per azimuth block of ``S``, the hyperbolic range history ``r(u) = sqrt(Rm^2 +
   V^2 (u - dt)^2)`` (``u``: transmit time minus zero-Doppler time) is fitted
   from the orbit (:func:`isce.focus.rangemodel.fit_range_model`, exact
   two-way delays) and every column gets its stationary-phase azimuth
   spectrum ``PRF G(f) D^-3/2 Ka^-1/2 exp(-j psi(f, R))`` (``psi`` as in
   :mod:`isce.focus.rda`, ``G`` the two-way antenna pattern, ``D = sqrt(1 -
   (lambda f / 2V)^2)``, ``Ka`` the azimuth FM rate);
3. range cell migration: in range sub-blocks, the content moves to ``Rm / D(f)``
   by an exact band-limited shift (range FFT), with the secondary range
   compression phase of the hyperbola's 2-D spectrum restored;
4. inverse azimuth FFT (blocks overlap-added onto the raw lines), then each
   line is convolved with the transmitted chirp.

The approximations are those of the focuser's own model (a hyperbola per
range, its parameters constant over a block, the migration of a sub-block's
centre for all its columns); a test compares a single scatterer with its exact
echoes. Only the Doppler band ``|f| <= bandwidth / 2`` is simulated (zero
Doppler centroid, no azimuth aliasing), and no elevation pattern.

A pair: :func:`pair_scenes` builds the reference scene (band-limited complex
Gaussian speckle, brightness from the local incidence angle on the DEM) and
the secondary scene of the same scatterers seen from the second orbit after a
deformation: ``S2 = S1 exp(-4j pi (R2 - R1) / lambda)`` moved to the
secondary's zero-Doppler coordinates of each displaced scatterer (sinc
resampling). Geometric (baseline) decorrelation is not modelled; temporal
decorrelation is, as independent speckle added to each pass.
"""
from __future__ import annotations

import math
import os

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.focus.rangemodel import fit_range_model
from isce.focus.rda import _TWO_WAY_3DB, _src_phase
from isce.geometry.geo2rdr import geo2rdr_points
from isce.geometry.rdr2geo import rdr2geo_block
from isce.io.blocks import progress_bar
from isce.signal.crossmul import upsample_range
from isce.signal.resample import resample_slc_block

from .ionosphere import dispersive_phase, path_delay, tec_screen

__all__ = ["echoes_from_scene", "band_limited_speckle", "pair_scenes", "move_scene", "scene_grid",
           "simulated_band", "zero_doppler_shift"]


def _fft():
    import scipy.fft  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    return scipy.fft, os.cpu_count() or 1


def zero_doppler_shift(orbit, radar, t_ref: float, slant_range: float, height: float = 0.0) -> float:
    """Zero-Doppler time minus transmit time [s] of the pulse that sees a target at its apex
    (``-dt`` of the range model: about ``R / c``), as the focuser's default grid uses."""
    model = fit_range_model(orbit, radar.wavelength, radar.look_side, t_ref,
                            np.array([slant_range - 50.0, slant_range + 50.0]), height=height)
    return -float(model.eval(slant_range)[1])


def scene_grid(orbit, radar, *, sensing_start: float, length: int, starting_range: float,
               width: int, height: float = 0.0):
    """The zero-Doppler grid matching a raw window (pulses from ``sensing_start`` [s], transmit
    times; samples from ``starting_range`` [m]): the same PRF and spacing, lines shifted to
    zero-Doppler time. Returns an :class:`isce.core.radargrid.RadarGrid`."""
    dr = SPEED_OF_LIGHT / (2.0 * radar.range_sampling_rate)
    r_mid = starting_range + 0.5 * (width - 1) * dr
    t_mid = sensing_start + 0.5 * (length - 1) / radar.prf
    shift = zero_doppler_shift(orbit, radar, t_mid, r_mid, height)
    return RadarGrid(sensing_start + shift, orbit.reference_epoch, prf=radar.prf,
                     starting_range=starting_range, range_pixel_spacing=dr, length=length,
                     width=width, wavelength=radar.wavelength, look_side=radar.look_side)


def band_limited_speckle(shape, range_fraction: float, azimuth_fraction: float, rng,
                         dtype=np.complex64) -> np.ndarray:
    """Circular complex Gaussian field of unit mean power whose spectrum is flat over the
    central ``range_fraction`` of the sampling rate (axis 1) and ``azimuth_fraction`` of the
    PRF (axis 0), zero elsewhere: the reflectivity a radar of that bandwidth resolves."""
    fft, workers = _fft()
    n0, n1 = int(shape[0]), int(shape[1])
    z = (rng.standard_normal((n0, n1), dtype=np.float32)
         + 1j * rng.standard_normal((n0, n1), dtype=np.float32)).astype(np.complex64)
    z = fft.fft2(z, workers=workers, overwrite_x=True)
    f0 = np.abs(np.fft.fftfreq(n0))[:, None] <= 0.5 * float(azimuth_fraction)
    f1 = np.abs(np.fft.fftfreq(n1))[None, :] <= 0.5 * float(range_fraction)
    z *= (f0 & f1)
    z = fft.ifft2(z, workers=workers, overwrite_x=True)
    z *= np.float32(1.0 / math.sqrt(max(float(np.mean(np.abs(z) ** 2)), 1e-30)))
    return z.astype(dtype, copy=False)


def simulated_band(radar, orbit, grid) -> float:
    """Doppler band [Hz] of distributed echoes: 1.25 x the antenna's two-way 3-dB band at the
    platform speed of mid-``grid`` (beyond the focuser's processed band), at most the PRF."""
    _, vel = orbit.interpolate(np.array([grid.sensing_start + 0.5 * grid.length / grid.prf]))
    speed = float(np.linalg.norm(vel[0]))
    return float(min(1.25 * 2 * _TWO_WAY_3DB * 2 * speed / radar.antenna_length, radar.prf))


def echoes_from_scene(scene, grid, orbit, radar, *, sensing_start: float, length: int,
                      starting_range: float, width: int, bandwidth: float | None = None,
                      height: float = 0.0, block_lines: int = 2048, column_block: int = 1024,
                      subblock: int = 192, progress: bool = False) -> np.ndarray:
    """Raw echoes (complex64, ``length`` pulses x ``width`` samples) of the focused-domain scene
    ``scene`` on the zero-Doppler ``grid`` (same PRF and range spacing as the raw data).

    ``sensing_start`` [s since the orbit epoch]: transmit time of the first pulse;
    ``starting_range`` [m]: the range of sample 0. ``bandwidth`` [Hz]: simulated Doppler
    band (default 1.25 x the antenna's 3-dB band, at most the PRF). ``height`` [m]: of the
    surface the range model is fitted on. A scatterer of focused value ``s`` gives echoes
    of amplitude ``|s|`` at the beam centre, as :func:`~isce.simulate.echoes.simulate_point_targets`
    does for a target of that amplitude. See the module doc for the method.
    """
    fft, workers = _fft()
    scene = np.asarray(scene)
    prf = float(radar.prf)
    fs = float(radar.range_sampling_rate)
    dr = SPEED_OF_LIGHT / (2.0 * fs)
    wvl = float(radar.wavelength)
    f0 = SPEED_OF_LIGHT / wvl
    if abs(grid.prf - prf) > 1e-9 * prf or abs(grid.range_pixel_spacing - dr) > 1e-9 * dr:
        raise ValueError("the scene grid must have the raw PRF and range spacing")
    if scene.shape != (grid.length, grid.width):
        raise ValueError(f"scene shape {scene.shape} differs from its grid "
                         f"({grid.length} x {grid.width})")
    length, width = int(length), int(width)
    ba = float(simulated_band(radar, orbit, grid) if bandwidth is None else bandwidth)
    band = (-0.5 * ba, 0.5 * ba)
    # scene columns in raw samples (the scene may start at another range)
    col_off = (grid.starting_range - starting_range) / dr
    if abs(col_off - round(col_off)) > 1e-6:
        raise ValueError("the scene's range samples must fall on the raw samples")
    col_off = int(round(col_off))
    r_scene = grid.starting_range + dr * np.arange(grid.width)
    rc = np.zeros((length, width), dtype=np.complex64)
    rows_nonzero = np.flatnonzero(np.any(scene != 0, axis=1))
    if rows_nonzero.size == 0:
        return rc
    blocks = list(range(int(rows_nonzero[0]), int(rows_nonzero[-1]) + 1, int(block_lines)))
    bar = None
    if progress:
        bar = progress_bar(total=len(blocks), desc="echoes of the scene")
    tails = 24
    for m0 in blocks:
        m1 = min(m0 + int(block_lines), int(rows_nonzero[-1]) + 1)
        t_m0 = grid.sensing_start + m0 / prf
        t_ref = grid.sensing_start + 0.5 * (m0 + m1 - 1) / prf
        model = fit_range_model(orbit, wvl, radar.look_side, t_ref,
                                np.array([r_scene[0], r_scene[-1]]), band=band, aperture=1.0,
                                height=height, line_time="transmit")
        u = [model.aperture_times(r, band[0], band[1]) for r in (r_scene[0], r_scene[-1])]
        u_lo, u_hi = min(float(x[0]) for x in u), max(float(x[1]) for x in u)
        margin = 16
        a = int(math.floor((t_m0 + u_lo - sensing_start) * prf)) - margin
        n_az = fft.next_fast_len((m1 - m0) + int(math.ceil((u_hi - u_lo) * prf)) + 2 * margin)
        delta = sensing_start + a / prf - t_m0
        f = np.fft.fftfreq(n_az, 1.0 / prf)
        rows = np.flatnonzero((f >= band[0]) & (f <= band[1]))
        fb = f[rows]
        g = np.sinc(radar.antenna_length * fb / (2.0 * model.platform_speed)) ** 2
        # range migration (samples) over the band, for the sub-block windows
        rcm = []
        for r in (r_scene[0], r_scene[-1]):
            rm, _, v = model.eval(r)
            dd = np.sqrt(1.0 - (wvl * np.array([band[0], 0.0, band[1]]) / (2 * v)) ** 2)
            rcm.extend(list((rm / dd - r) / dr))
        rcm_lo, rcm_hi = int(math.floor(min(rcm))) - 1, int(math.ceil(max(rcm))) + 1
        rd = np.zeros((n_az, width), dtype=np.complex64)
        time_phase = np.exp(2j * np.pi * fb * delta)[:, None]
        # output (raw) columns in blocks; the scene columns they need, transformed in azimuth
        for c0 in range(0, width, int(column_block)):
            c1 = min(c0 + int(column_block), width)
            q0 = c0 - rcm_hi - tails                   # raw column of the window's first sample
            q1 = c1 - rcm_lo + tails
            j0, j1 = q0 - col_off, q1 - col_off         # scene columns
            s0, s1 = max(j0, 0), min(j1, grid.width)
            if s1 <= s0:
                continue
            spec = np.zeros((n_az, q1 - q0), dtype=np.complex64)
            spec[:m1 - m0, s0 - j0:s1 - j0] = scene[m0:m1, s0:s1]
            spec = fft.fft(spec, axis=0, workers=workers, overwrite_x=True)[rows]
            # per-column azimuth spectrum of a scatterer at zero-Doppler range R
            r = r_scene[0] + (np.arange(j0, j1) - 0) * dr
            rm, dt, v = model.eval(r)
            s2 = (wvl * fb[:, None] / (2.0 * v[None, :])) ** 2
            dm1 = -s2 / (1.0 + np.sqrt(1.0 - s2))          # D - 1, cancellation-free
            psi = (4 * np.pi * rm * dm1 / wvl + 4 * np.pi * (rm - r) / wvl
                   + 2 * np.pi * fb[:, None] * dt + np.pi / 4)
            ka = 2.0 * v * v / (wvl * rm)
            amp = prf * g[:, None] * (1.0 + dm1) ** -1.5 / np.sqrt(ka)[None, :]
            spec *= (amp * np.exp(-1j * psi) * time_phase).astype(np.complex64)
            # range sub-blocks: move to Rm / D(f) (exact shift) and restore the SRC phase
            for b0 in range(c0, c1, int(subblock)):
                b1 = min(b0 + int(subblock), c1)
                w0 = b0 - rcm_hi - tails                  # raw column of window sample 0
                lf = fft.next_fast_len((b1 - b0) + rcm_hi - rcm_lo + 2 * tails)
                win = np.zeros((rows.size, lf), dtype=np.complex64)
                take = min(lf, q1 - w0)
                win[:, :take] = spec[:, w0 - q0:w0 - q0 + take]
                jc = 0.5 * (b0 + b1 - 1)
                r_c = starting_range + jc * dr
                rm_c, _, v_c = (float(x) for x in model.eval(r_c))
                dd = np.sqrt(1.0 - (wvl * fb / (2.0 * v_c)) ** 2)
                shift = (rm_c / dd - r_c) / dr
                k = np.fft.fftfreq(lf) * lf
                nu = k * fs / lf
                phase = -2 * np.pi * shift[:, None] * k[None, :] / lf
                phase = phase - _src_phase(fb, nu, f0, rm_c, v_c, wvl)
                win = fft.fft(win, axis=1, workers=workers, overwrite_x=True)
                win *= np.exp(1j * phase).astype(np.complex64)
                win = fft.ifft(win, axis=1, workers=workers, overwrite_x=True)
                rd[rows, b0:b1] = win[:, b0 - w0:b1 - w0]
        lines = fft.ifft(rd, axis=0, workers=workers, overwrite_x=True)
        i0, i1 = max(a, 0), min(a + n_az, length)
        if i1 > i0:
            rc[i0:i1] += lines[i0 - a:i1 - a]
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return _spread_chirp(rc, radar)


def _spread_chirp(rc, radar) -> np.ndarray:
    """Convolve each line with the transmitted chirp centred on the delay (the inverse of
    :mod:`isce.focus.rangecomp`'s matched filter), in place of ``rc``."""
    fft, workers = _fft()
    fs = float(radar.range_sampling_rate)
    n = max(1, int(math.floor(radar.pulse_length * fs)))
    c0 = 0.5 * (n - 1)
    t = (np.arange(n) - c0) / fs
    chirp = np.exp(1j * np.pi * radar.chirp_slope * t * t)
    width = rc.shape[1]
    nfft = fft.next_fast_len(width + n)
    k = np.fft.fftfreq(nfft) * nfft
    h = (fft.fft(chirp, nfft) * np.exp(2j * np.pi * k * c0 / nfft)).astype(np.complex64)
    for i0 in range(0, rc.shape[0], 512):
        i1 = min(i0 + 512, rc.shape[0])
        spec = fft.fft(rc[i0:i1], nfft, axis=1, workers=workers)
        spec *= h
        rc[i0:i1] = fft.ifft(spec, axis=1, workers=workers, overwrite_x=True)[:, :width]
    return rc


# ---------------------------------------------------------------------------- a pair
def _coarse_grid(grid, step: int):
    """Every ``step``-th line and sample of ``grid`` (one node past each end)."""
    return RadarGrid(grid.sensing_start, grid.reference_epoch, prf=grid.prf / step,
                     starting_range=grid.starting_range,
                     range_pixel_spacing=grid.range_pixel_spacing * step,
                     length=-(-grid.length // step) + 1, width=-(-grid.width // step) + 1,
                     wavelength=grid.wavelength, look_side=grid.look_side)


def _linear_weights(n: int, step: int, nodes: int):
    """Indices and weights interpolating ``n`` fine samples from nodes every ``step``."""
    x = np.arange(n) / step
    i = np.minimum(np.floor(x).astype(np.int64), nodes - 2)
    return i, (x - i).astype(np.float32)


def upsample_linear(coarse: np.ndarray, step: int, shape) -> np.ndarray:
    """Bilinear interpolation of node values every ``step`` lines/samples to ``shape``."""
    i, wi = _linear_weights(shape[0], step, coarse.shape[0])
    rows = coarse[i] * (1 - wi)[:, None] + coarse[i + 1] * wi[:, None]
    j, wj = _linear_weights(shape[1], step, coarse.shape[1])
    return (rows[:, j] * (1 - wj)[None, :] + rows[:, j + 1] * wj[None, :]).astype(np.float32)


def _bilinear_at(table: np.ndarray, step: int, m, j) -> np.ndarray:
    """Values of ``table`` (nodes every ``step``) at fractional fine coordinates (m, j)."""
    # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used
    from scipy.ndimage import map_coordinates

    return map_coordinates(table, [np.asarray(m) / step, np.asarray(j) / step], order=1,
                           mode="nearest")


def move_scene(field, d_r, m2, j2, grid1, grid2, step: int, stage=None, range_oversample: int = 1):
    """The scatterers of ``field`` (focused values on ``grid1``) seen on ``grid2``: the phase
    ``exp(-4 pi j (R2 - R1) / lambda)`` (``d_r`` = R2 - R1 [m] at the nodes every ``step``
    lines/samples of ``grid1``) applied in place, then the field resampled to where each
    scatterer lands (``m2``/``j2``: its line/sample on ``grid2`` at those nodes). Returns
    ``(scene on grid2, mask of grid2 pixels outside grid1)``; ``field`` is overwritten.
    ``range_oversample`` > 1: the field is FFT-interpolated that many times in range before
    the 8-tap resampling, whose phase error near the band edge (0.17 rad at 0.4
    cycles/sample) differs between the two halves of the range spectrum: what a
    split-spectrum estimate amplifies ~34 times (L-band)."""
    stage = stage or (lambda name: None)
    wvl = grid1.wavelength
    shape1 = (grid1.length, grid1.width)
    # U = field exp(-4 pi j (R2 - R1) / lambda) on the reference grid, moved to grid2
    phase = upsample_linear(d_r - d_r.mean(), step, shape1).astype(np.float64)
    phase += float(d_r.mean())
    field *= np.exp(-4j * np.pi * phase / wvl).astype(np.complex64)
    del phase
    # inverse map: the reference pixel seen at each secondary node (fixed point)
    coarse2 = _coarse_grid(grid2, step)
    mm, jj = np.meshgrid(np.arange(coarse2.length) * float(step),
                         np.arange(coarse2.width) * float(step), indexing="ij")
    m, j = mm - m2[0, 0], jj - j2[0, 0]                # first guess: the corner's offset
    for _ in range(6):
        fm = _bilinear_at(m2, step, m, j)
        fj = _bilinear_at(j2, step, m, j)
        m, j = m + (mm - fm), j + (jj - fj)
    shape2 = (grid2.length, grid2.width)
    stage("phase and inverse map")
    az_off = upsample_linear(m - mm, step, shape2).astype(np.float64)
    rg_off = upsample_linear(j - jj, step, shape2).astype(np.float64)
    # pixels that map outside the reference scene: no data
    rows = np.arange(shape2[0])[:, None] + az_off
    cols = np.arange(shape2[1])[None, :] + rg_off
    outside = (rows < 0) | (rows > shape1[0] - 1) | (cols < 0) | (cols > shape1[1] - 1)
    az_off[outside] = np.nan
    rg_off[outside] = np.nan
    del rows, cols
    stage("offsets")
    k = int(range_oversample)
    if k > 1:                 # input sample j at k j: offsets in oversampled input samples
        field = upsample_range(field, k)
        rg_off = (np.arange(shape2[1])[None, :] + rg_off) * k - np.arange(shape2[1])[None, :]
    s2 = resample_slc_block(field, az_off, rg_off, image_length=shape1[0])
    stage("resample")
    return s2, outside


def pair_scenes(grid1, orbit1, grid2, orbit2, *, dem=0.0, deformation=None,
                coherence: float = 1.0, range_fraction: float = 1.0,
                azimuth_fraction: float = 1.0, seed: int = 0, step: int = 8,
                ionosphere: float = 0.0, progress: bool = False) -> dict:
    """Focused-domain scenes of both passes over one field of scatterers.

    ``grid1``/``orbit1``, ``grid2``/``orbit2``: zero-Doppler grids (see :func:`scene_grid`)
    and orbits of the reference and secondary passes; ``dem``: path, DemGrid or height [m]
    (WGS-84); ``deformation``: a source with ``ecef(lat, lon)`` [m] (e.g.
    :class:`~isce.simulate.targets.MogiSource`) moving the scatterers between the passes;
    ``coherence``: the correlation of the two passes' speckle (independent speckle of power
    ``1 - coherence`` is added to each); ``range_fraction``/``azimuth_fraction``: the
    simulated band as fractions of the sampling rate and PRF; ``ionosphere`` [TECU]: standard
    deviation of a smooth slant differential-TEC screen (:mod:`isce.simulate.ionosphere`:
    the secondary's phase advanced, its image moved by the group delay; 0 = none). Geometry
    is computed every ``step`` lines and samples and interpolated bilinearly.

    Returns ``{"reference": S1, "secondary": S2, "brightness": amplitude (grid1),
    "secondary_lines"/"secondary_samples": where each reference pixel lands in grid2,
    "dispersive": the ionosphere's interferometric phase [rad at the carrier] on grid1 (None
    without ionosphere)}``.
    """
    if not 0.0 <= coherence <= 1.0:
        raise ValueError(f"coherence must be within 0..1, got {coherence}")
    rng = np.random.default_rng(int(seed))
    wvl = grid1.wavelength
    bar = None
    if progress:
        bar = progress_bar(total=5, desc="scene", unit="stage")

    def stage(name):
        if bar is not None:
            bar.set_postfix_str(name)
            bar.update(1)

    coarse = _coarse_grid(grid1, step)
    geo = rdr2geo_block(coarse, orbit1, None, dem, layers=("lon", "lat", "z", "local_inc"))
    lon, lat, hgt = geo["lon"], geo["lat"], geo["z"]
    shape1 = (grid1.length, grid1.width)
    # brightness: sigma0 ~ cos(local incidence), kept above a floor (no radar shadow)
    cos_li = np.cos(np.radians(np.nan_to_num(geo["local_inc"], nan=90.0)))
    bright_nodes = np.sqrt(np.clip(cos_li, 0.05, None) / np.cos(np.radians(35.0)))
    brightness = upsample_linear(bright_nodes, step, shape1)
    # the scatterers, moved by the deformation, seen from the secondary orbit
    xyz = WGS84.lon_lat_to_xyz(np.stack([np.radians(lon), np.radians(lat), hgt], axis=-1))
    if deformation is not None:
        xyz = xyz + deformation.ecef(lat, lon)
    llh2 = WGS84.xyz_to_lon_lat(xyz.reshape(-1, 3))
    t2, r2, status = geo2rdr_points(llh2, orbit2, wvl, grid2.look_side)
    t2 = t2.reshape(lon.shape)
    r2 = r2.reshape(lon.shape)
    m2 = (t2 - grid2.sensing_start) * grid2.prf
    j2 = (r2 - grid2.starting_range) / grid2.range_pixel_spacing
    r1 = coarse.starting_range + coarse.range_pixel_spacing * np.arange(coarse.width)[None, :]
    d_r = (r2 - r1)                                            # R2 - R1 [m]
    tec = tec_screen(d_r.shape, ionosphere, rng) if ionosphere > 0 else None
    if tec is not None:      # phase advance in the phase, group delay in the image position
        f0 = SPEED_OF_LIGHT / wvl
        d_r = d_r - path_delay(tec, f0)
        j2 = j2 + path_delay(tec, f0) / grid2.range_pixel_spacing
    stage("geometry")
    bad = (status.reshape(lon.shape) != 0) | ~np.isfinite(m2) | ~np.isfinite(j2)
    if np.any(bad):
        raise ValueError(f"geo2rdr failed for {int(bad.sum())} scene nodes on the secondary orbit")
    # speckle shared by both passes, plus independent speckle for the decorrelation
    field = band_limited_speckle(shape1, range_fraction, azimuth_fraction, rng)
    field *= brightness
    if coherence < 1.0:
        s1 = np.sqrt(coherence) * field + np.sqrt(1 - coherence) * brightness * \
            band_limited_speckle(shape1, range_fraction, azimuth_fraction, rng)
    else:
        s1 = field.copy()
    stage("speckle")
    # with an ionosphere (split-spectrum tests) the range spectrum is moved without the
    # resampling kernel's band-edge phase error (move_scene's range_oversample)
    s2, outside = move_scene(field, d_r, m2, j2, grid1, grid2, step, stage,
                             range_oversample=2 if tec is not None else 1)
    del field
    shape2 = (grid2.length, grid2.width)
    if bar is not None:
        bar.close()
    if coherence < 1.0:
        s2 *= np.float32(np.sqrt(coherence))
        noise = band_limited_speckle(shape2, range_fraction, azimuth_fraction, rng)
        noise *= upsample_linear(bright_nodes, step, shape2)
        s2 += np.float32(np.sqrt(1 - coherence)) * noise * (~outside)
    return {"reference": s1, "secondary": s2, "brightness": brightness,
            "secondary_lines": upsample_linear(m2, step, shape1),
            "secondary_samples": upsample_linear(j2, step, shape1),
            "dispersive": None if tec is None else upsample_linear(
                dispersive_phase(tec, SPEED_OF_LIGHT / wvl), step, shape1)}
