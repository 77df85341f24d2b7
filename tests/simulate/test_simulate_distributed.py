"""Distributed scenes (isce.simulate.distributed).

* ``echoes_from_scene`` (inverse range-Doppler focusing) against the exact point-target
  echoes of :func:`isce.simulate.echoes.simulate_point_targets`, both band-limited to the
  same Doppler band, and focused back with :func:`isce.focus.pipeline.focus`;
* ``band_limited_speckle``: power, spectrum support, circular Gaussian statistics;
* ``pair_scenes``: the secondary, coregistered with the returned map and flattened with
  R2 - R1 computed here independently (rdr2geo / geo2rdr of every pixel of test windows),
  is coherent and phase-free; decorrelation and Mogi deformation as requested; an
  ionosphere advances the phase, delays the image and reaches the sub-bands as 1/f.
"""
import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.geometry import geo2rdr_points, rdr2geo_points
from isce.simulate.distributed import (band_limited_speckle, echoes_from_scene, pair_scenes,
                                       scene_grid)
from isce.simulate.echoes import simulate_point_targets
from isce.simulate.orbit import orbit_with_baseline
from isce.simulate.scenes import alos_scene
from isce.simulate.targets import MogiSource, Target, synthetic_dem

LAT, LON = 34.5, -116.5
BAND = 400.0            # Doppler band [Hz]: ~1500 lines of ALOS aperture, fits 3072 pulses


def correlation(a, b):
    """(|rho|, arg rho, power(b) / power(a)) of two complex arrays."""
    a = np.asarray(a, complex).ravel()
    b = np.asarray(b, complex).ravel()
    c = np.vdot(a, b)
    pa, pb = np.vdot(a, a).real, np.vdot(b, b).real
    return abs(c) / math.sqrt(pa * pb), float(np.angle(c)), pb / pa


def azimuth_band_limit(x, prf, band):
    """Zero the azimuth spectrum (axis 0) outside |f| <= band / 2."""
    f = np.fft.fftfreq(x.shape[0], 1.0 / prf)
    X = np.fft.fft(x, axis=0)
    X[np.abs(f) > band / 2] = 0
    return np.fft.ifft(X, axis=0)


def point_scene(truths, grid, wavelength):
    """Focused-domain scene of point scatterers: a full-band sinc at each target's
    zero-Doppler line and pixel, value amplitude x exp(-4j pi R / lambda)."""
    m = np.arange(grid.length)[:, None]
    j = np.arange(grid.width)[None, :]
    s = np.zeros((grid.length, grid.width), complex)
    for t in truths:
        s += (t["amplitude"] * np.sinc(m - t["line"]) * np.sinc(j - t["pixel"])
              * np.exp(-4j * np.pi * t["slant_range"] / wavelength))
    return s.astype(np.complex64)


# ------------------------------------------------------------------ echoes_from_scene
@pytest.fixture(scope="module")
def points():
    """Two targets (the second 197 lines later and 209 samples further) over 3072 pulses:
    exact echoes, the scene grid of the raw window and the point scene on it."""
    sc = alos_scene([Target(LAT, LON, 0.0, 1.0, "A"), Target(34.497, -116.518, 0.0, 0.7, "B")],
                    pulses=3072)
    radar = sc.radar
    raw = simulate_point_targets(**sc.simulation())
    grid = scene_grid(sc.orbit, radar, sensing_start=raw.sensing_start, length=raw.length,
                      starting_range=raw.starting_range, width=raw.width)
    truths = sc.truth(grid=grid)
    scene = point_scene(truths, grid, radar.wavelength)
    exact = azimuth_band_limit(raw.read(), radar.prf, BAND)
    return dict(sc=sc, radar=radar, raw=raw, grid=grid, truths=truths, scene=scene,
                exact=exact)


def simulate(p, **kw):
    raw = p["raw"]
    return echoes_from_scene(p["scene"], p["grid"], p["sc"].orbit, p["radar"],
                             sensing_start=raw.sensing_start, length=raw.length,
                             starting_range=raw.starting_range, width=raw.width,
                             bandwidth=BAND, **kw)


@pytest.fixture(scope="module")
def echoes(points):
    return simulate(points)


def test_scene_grid_puts_the_target_at_its_zero_doppler_time(points):
    """The grid's line of the target equals the broadside pulse index (pulses are centred
    on it) shifted by the transmit-to-zero-Doppler delay, i.e. ~1536."""
    t = points["truths"][0]
    assert abs(t["line"] - points["raw"].length // 2) < 0.05
    g, raw = points["grid"], points["raw"]
    assert g.prf == raw.prf and g.width == raw.width
    assert g.range_pixel_spacing == pytest.approx(SPEED_OF_LIGHT / (2 * raw.range_sampling_rate))
    # shift ~ R / c (the pulse seeing the target broadside is received at t_zd)
    assert g.sensing_start - raw.sensing_start == pytest.approx(t["slant_range"] / SPEED_OF_LIGHT,
                                                                rel=1e-3)


def test_echoes_of_point_scene_match_exact_echoes(points, echoes):
    assert echoes.shape == (points["raw"].length, points["raw"].width)
    assert echoes.dtype == np.complex64
    corr, phase, power = correlation(points["exact"], echoes)
    # measured: 0.9987, ~1e-4 rad, 0.999
    assert corr > 0.99
    assert abs(phase) < 0.01
    assert power == pytest.approx(1.0, abs=0.02)


def test_echoes_do_not_depend_on_the_blocking(points, echoes):
    small = simulate(points, block_lines=700, column_block=300, subblock=64)
    corr, phase, power = correlation(echoes, small)
    assert corr > 0.998 and abs(phase) < 2e-3 and power == pytest.approx(1.0, abs=5e-3)
    corr, phase, power = correlation(points["exact"], small)
    assert corr > 0.99 and abs(phase) < 0.01 and power == pytest.approx(1.0, abs=0.02)


def test_echoes_are_wrong_for_a_misplaced_scene(points):
    """The comparison can fail: the 0.99 threshold rejects a scene one line late (the
    azimuth resolution at 400 Hz is 5.4 lines), and the phase sees lambda / 8 of range."""
    p = dict(points)
    g = points["grid"]
    late = [dict(t, line=t["line"] + 1.0) for t in points["truths"]]
    p["scene"] = point_scene(late, g, points["radar"].wavelength)
    assert correlation(points["exact"], simulate(p))[0] < 0.97       # measured 0.945
    flat = [dict(t, slant_range=t["slant_range"] + points["radar"].wavelength / 8)
            for t in points["truths"]]
    p["scene"] = point_scene(flat, g, points["radar"].wavelength)
    corr, phase, _ = correlation(points["exact"], simulate(p))
    assert abs(abs(phase) - math.pi / 2) < 0.3            # 4 pi (lambda / 8) / lambda


def test_focused_echoes_put_the_target_at_its_place(points, echoes, tmp_path):
    """Focus the simulated echoes (RawProduct of the exact one, echoes replaced) and compare
    with the ideal band-limited response sinc(B / PRF (m - mt)) sinc(Br / fs (j - jt))
    exp(-4j pi R / lambda) on the focuser's grid."""
    import isce.io
    from isce.focus.pipeline import focus
    from isce.sensors.raw import RawSource

    isce.io.write(tmp_path / "sim.raw", echoes)
    raw = dataclasses.replace(points["raw"], source=RawSource("raster", str(tmp_path / "sim.raw")))
    res = focus(raw, bandwidth=BAND)
    data = np.asarray(res.data)
    g = res.product.radar_grid
    m = np.arange(data.shape[0])[:, None]
    j = np.arange(data.shape[1])[None, :]
    br = raw.chirp_bandwidth / raw.range_sampling_rate
    ideal = np.zeros(data.shape, complex)
    for t in points["truths"]:
        mt = (t["azimuth_time"] - g.sensing_start) * g.prf
        jt = (t["slant_range"] - g.starting_range) / g.range_pixel_spacing
        ideal += (t["amplitude"] * np.sinc(BAND / g.prf * (m - mt)) * np.sinc(br * (j - jt))
                  * np.exp(-4j * np.pi * t["slant_range"] / raw.wavelength))
    corr, phase, power = correlation(ideal, data)
    assert corr > 0.99 and abs(phase) < 0.01 and power == pytest.approx(1.0, abs=0.03)
    # the brightest pixel is the first target's nearest pixel
    t = points["truths"][0]
    i, k = np.unravel_index(np.argmax(np.abs(data)), data.shape)
    assert abs(i - (t["azimuth_time"] - g.sensing_start) * g.prf) < 0.6
    assert abs(k - (t["slant_range"] - g.starting_range) / g.range_pixel_spacing) < 0.6


def test_echoes_from_scene_argument_checks(points):
    p, g, raw = points, points["grid"], points["raw"]
    kw = dict(sensing_start=raw.sensing_start, length=64, starting_range=raw.starting_range,
              width=raw.width)
    with pytest.raises(ValueError):                       # scene shape differs from grid
        echoes_from_scene(p["scene"][:-1], g, p["sc"].orbit, p["radar"], **kw)
    from isce.core.radargrid import RadarGrid

    for prf, dr in ((g.prf * 1.01, g.range_pixel_spacing), (g.prf, g.range_pixel_spacing * 2)):
        other = RadarGrid(g.sensing_start, g.reference_epoch, prf=prf,
                          starting_range=g.starting_range, range_pixel_spacing=dr,
                          length=g.length, width=g.width, wavelength=g.wavelength,
                          look_side=g.look_side)
        with pytest.raises(ValueError):                   # not the raw PRF / spacing
            echoes_from_scene(p["scene"], other, p["sc"].orbit, p["radar"], **kw)
    with pytest.raises(ValueError):                       # range not on a raw sample
        echoes_from_scene(p["scene"], g, p["sc"].orbit, p["radar"],
                          **dict(kw, starting_range=raw.starting_range + 1.3))
    zero = echoes_from_scene(np.zeros_like(p["scene"]), g, p["sc"].orbit, p["radar"], **kw)
    assert zero.shape == (64, raw.width) and not np.any(zero)


# ------------------------------------------------------------------ band_limited_speckle
@pytest.mark.parametrize("shape,fr,fa", [((256, 384), 0.8, 0.5), ((300, 257), 28 / 32, 0.6)])
def test_band_limited_speckle(shape, fr, fa):
    z = band_limited_speckle(shape, fr, fa, np.random.default_rng(4))
    assert z.shape == shape and z.dtype == np.complex64
    p = np.abs(z.astype(complex)) ** 2
    assert p.mean() == pytest.approx(1.0, rel=1e-5)
    Z = np.abs(np.fft.fft2(z.astype(complex))) ** 2
    inside = ((np.abs(np.fft.fftfreq(shape[0])) <= fa / 2)[:, None]
              & (np.abs(np.fft.fftfreq(shape[1])) <= fr / 2)[None, :])
    assert Z[~inside].sum() < 1e-6 * Z.sum()
    # flat over the band: the inner and outer halves of the band carry equal power per bin
    inner = ((np.abs(np.fft.fftfreq(shape[0])) <= fa / 4)[:, None]
             & (np.abs(np.fft.fftfreq(shape[1])) <= fr / 4)[None, :])
    ratio = Z[inner].mean() / Z[inside & ~inner].mean()
    assert ratio == pytest.approx(1.0, abs=0.05)
    # circular Gaussian: |z|^2 exponential (std = mean, P(|z|^2 > 1) = 1/e), E z^2 = 0
    assert p.std() / p.mean() == pytest.approx(1.0, abs=0.05)
    assert np.mean(p > 1.0) == pytest.approx(math.exp(-1), abs=0.02)
    assert abs(np.mean(z.astype(complex) ** 2)) < 0.03
    assert np.var(z.real) == pytest.approx(0.5, abs=0.03)
    # seeded: reproducible, and another seed gives another field
    again = band_limited_speckle(shape, fr, fa, np.random.default_rng(4))
    np.testing.assert_array_equal(z, again)
    other = band_limited_speckle(shape, fr, fa, np.random.default_rng(5))
    assert correlation(z, other)[0] < 0.05


# ------------------------------------------------------------------ pair_scenes
PAIR_SHAPE = (1024, 512)
WINDOWS = [(mc, jc) for mc in (200, 500, 800) for jc in (100, 256, 400)]
HALF = 12               # windows of 24 x 24 pixels


@pytest.fixture(scope="module")
def pair_geometry(tmp_path_factory):
    """ALOS reference pass, a second pass 300 m perpendicular baseline away, a synthetic DEM
    (~240-300 m), and grids of 1024 x 512: the secondary's starts 17.3 lines later and 11.6
    samples nearer, so the coregistration is a real resampling."""
    sc = alos_scene([Target(LAT, LON, 0.0, 1.0, "C")], pulses=1024)
    radar = sc.radar
    truth = sc.truth()[0]
    dem = synthetic_dem(tmp_path_factory.mktemp("dem") / "dem.dem", (LAT - 0.06, LAT + 0.06),
                        (LON - 0.06, LON + 0.06), center=(LAT, LON))
    orbit2, t2, info = orbit_with_baseline(sc.orbit, LAT, LON, 0.0, radar.look_side, 300.0,
                                           dt.datetime(2008, 7, 17, 5, 30),
                                           inclination_deg=radar.inclination, duration_s=30.0,
                                           reference_time=truth["azimuth_time"])
    dr = SPEED_OF_LIGHT / (2 * radar.range_sampling_rate)
    L, W = PAIR_SHAPE
    r0 = truth["slant_range"] - W / 2 * dr
    g1 = scene_grid(sc.orbit, radar, sensing_start=sc.sensing_start, length=L,
                    starting_range=r0, width=W)
    g2 = scene_grid(orbit2, radar,
                    sensing_start=sc.sensing_start + t2 - truth["azimuth_time"] + 17.3 / radar.prf,
                    length=L, starting_range=r0 - 11.6 * dr, width=W)
    return dict(orbit1=sc.orbit, orbit2=orbit2, g1=g1, g2=g2, dem=dem, wvl=radar.wavelength)


def window_geometry(geo, mogi=None):
    """Per pixel of each test window, computed independently of pair_scenes: R1, the
    undeformed R2 (rdr2geo on orbit 1 with the DEM, geo2rdr on orbit 2), the deformed
    point's secondary line/sample, and the LOS displacement towards the secondary."""
    g1, g2, wvl = geo["g1"], geo["g2"], geo["wvl"]
    out = []
    for mc, jc in WINDOWS:
        mm, jj = np.mgrid[mc - HALF:mc + HALF, jc - HALF:jc + HALF]
        t = g1.sensing_start + mm.ravel() / g1.prf
        r1 = g1.starting_range + jj.ravel() * g1.range_pixel_spacing
        llh, ok = rdr2geo_points(t, r1, geo["orbit1"], wvl, g1.look_side, dem=geo["dem"])
        assert np.all(ok)
        t2, r2, st = geo2rdr_points(llh, geo["orbit2"], wvl, g2.look_side)
        assert np.all(st == 0)
        los = np.zeros_like(r2)
        t2d, r2d = t2, r2
        if mogi is not None:
            lat, lon = np.degrees(llh[:, 1]), np.degrees(llh[:, 0])
            xyz = WGS84.lon_lat_to_xyz(llh) + mogi.ecef(lat, lon)
            t2d, r2d, st = geo2rdr_points(WGS84.xyz_to_lon_lat(xyz), geo["orbit2"], wvl,
                                          g2.look_side)
            assert np.all(st == 0)
            sat2, _ = geo["orbit2"].interpolate(t2d)
            los = mogi.los(lat, lon, llh[:, 2], sat2)
        out.append(dict(rows=mm, cols=jj, geo_phase=4 * np.pi * (r2 - r1) / wvl,
                        line2=(t2d - g2.sensing_start) * g2.prf,
                        sample2=(r2d - g2.starting_range) / g2.range_pixel_spacing,
                        los=los, r2_shift=r2d - r2))
    return out


def coregistered(out):
    from isce.signal.resample import resample_slc_block

    L, W = out["reference"].shape
    az = out["secondary_lines"].astype(np.float64) - np.arange(L)[:, None]
    rg = out["secondary_samples"].astype(np.float64) - np.arange(W)[None, :]
    return resample_slc_block(out["secondary"], az, rg, image_length=out["secondary"].shape[0])


def window_stats(s1, s2r, w, extra_phase=None):
    """(coherence, phase) of s1 s2* exp(-j geo_phase) [exp(-j extra)] over a window."""
    a = s1[w["rows"], w["cols"]].ravel().astype(complex)
    b = s2r[w["rows"], w["cols"]].ravel().astype(complex)
    x = a * np.conj(b) * np.exp(-1j * w["geo_phase"])
    if extra_phase is not None:
        x = x * np.exp(-1j * extra_phase)
    c = np.abs(x.sum()) / np.sqrt(np.sum(np.abs(a) ** 2) * np.sum(np.abs(b) ** 2))
    return c, float(np.angle(x.sum()))


def make_pair(geo, **kw):
    return pair_scenes(geo["g1"], geo["orbit1"], geo["g2"], geo["orbit2"], dem=geo["dem"],
                       range_fraction=28 / 32, azimuth_fraction=0.6, seed=1, **kw)


@pytest.fixture(scope="module")
def coherent_pair(pair_geometry):
    out = make_pair(pair_geometry)
    return out, coregistered(out), window_geometry(pair_geometry)


def test_pair_secondary_map_matches_geo2rdr(coherent_pair):
    out, _, windows = coherent_pair
    assert out["secondary_lines"].shape == out["secondary_samples"].shape == PAIR_SHAPE
    for w in windows:
        e_m = out["secondary_lines"][w["rows"], w["cols"]].ravel() - w["line2"]
        e_j = out["secondary_samples"][w["rows"], w["cols"]].ravel() - w["sample2"]
        assert np.abs(e_m).max() < 1e-3 and np.abs(e_j).max() < 1e-3     # measured 4e-5
    # the secondary grid was shifted by 17.3 lines and 11.6 samples
    assert np.median(out["secondary_lines"] - np.arange(PAIR_SHAPE[0])[:, None]) == \
        pytest.approx(-17.3, abs=0.1)
    assert np.median(out["secondary_samples"] - np.arange(PAIR_SHAPE[1])[None, :]) == \
        pytest.approx(11.6, abs=0.2)


def test_pair_reference_is_unit_speckle_times_brightness(coherent_pair):
    out, _, _ = coherent_pair
    s1, b = out["reference"], out["brightness"]
    assert s1.shape == b.shape == PAIR_SHAPE
    assert np.all(b > 0)
    assert np.mean(np.abs(s1) ** 2 / b ** 2) == pytest.approx(1.0, rel=1e-3)


def test_pair_coregistered_and_flattened_is_coherent_and_phase_free(coherent_pair):
    out, s2r, windows = coherent_pair
    for w in windows:
        c, ph = window_stats(out["reference"], s2r, w)
        assert c > 0.95, (w["rows"][0, 0], w["cols"][0, 0], c)    # measured 0.970-0.986
        assert abs(ph) < 0.01                                       # measured < 4.4 mrad
    # the geometric phase is far from negligible: without it the windows decorrelate
    w = windows[4]
    a = out["reference"][w["rows"], w["cols"]].ravel()
    b = s2r[w["rows"], w["cols"]].ravel()
    assert abs(np.sum(a * np.conj(b))) / np.sqrt(np.sum(abs(a) ** 2) * np.sum(abs(b) ** 2)) < 0.9


def test_pair_coherence(pair_geometry, coherent_pair):
    out07 = make_pair(pair_geometry, coherence=0.7)
    s2r = coregistered(out07)
    _, s2r1, windows = coherent_pair
    g07 = np.array([window_stats(out07["reference"], s2r, w)[0] for w in windows])
    g1 = np.array([window_stats(coherent_pair[0]["reference"], s2r1, w)[0] for w in windows])
    # measured: mean 0.686 over nine 24 x 24 windows; 0.70 once the interpolation loss of
    # the two resamplings (the coherence-1 pair's 0.977) is divided out
    assert g07.mean() == pytest.approx(0.7, abs=0.03)
    assert (g07 / g1).mean() == pytest.approx(0.7, abs=0.02)
    assert np.all(np.abs(g07 - 0.7) < 0.08)
    with pytest.raises(ValueError):
        make_pair(pair_geometry, coherence=1.2)


def test_pair_mogi_deformation_phase(pair_geometry):
    mogi = MogiSource(LAT, LON, 2000.0, 5e6)
    out = make_pair(pair_geometry, deformation=mogi)
    s2r = coregistered(out)
    windows = window_geometry(pair_geometry, mogi)
    wvl = pair_geometry["wvl"]
    lo = []
    for w in windows:
        # the LOS displacement is the change of the secondary range (independent check)
        assert np.abs(w["r2_shift"] + w["los"]).max() < 1e-5
        e_m = out["secondary_lines"][w["rows"], w["cols"]].ravel() - w["line2"]
        e_j = out["secondary_samples"][w["rows"], w["cols"]].ravel() - w["sample2"]
        assert np.abs(e_m).max() < 1e-3 and np.abs(e_j).max() < 1e-3
        pred = -4 * np.pi * w["los"] / wvl
        c, ph = window_stats(out["reference"], s2r, w, extra_phase=pred)
        assert abs(ph) < 0.01                                       # measured < 4 mrad
        assert c > 0.95
        lo.append(pred.mean())
    # the deformation is large: several radians to a dozen radians of phase
    assert min(lo) < -10 and max(lo) < -2


def test_pair_ionosphere_advances_the_phase_and_delays_the_image(pair_geometry, coherent_pair):
    """A 1 TECU screen: the secondary's full-band phase is the screen's (-4 pi K dTEC / (c f0),
    13.3 rad per TECU at L-band), its image moved by the group delay, and its split-spectrum
    sub-bands (each band-passed on its own grid, as insarApp does) see the screen as 1/f."""
    from isce.signal.bandpass import bandpass_range
    from isce.signal.splitspectrum import subbands
    from isce.simulate.ionosphere import path_delay

    out = make_pair(pair_geometry, ionosphere=1.0)
    plain, _, windows = coherent_pair
    assert plain["dispersive"] is None
    disp = out["dispersive"]
    assert disp.shape == PAIR_SHAPE
    assert np.std(disp) == pytest.approx(13.3, rel=0.2)           # ~1 TECU over the scene
    g1, g2, wvl = pair_geometry["g1"], pair_geometry["g2"], pair_geometry["wvl"]
    f0 = SPEED_OF_LIGHT / wvl
    delay = -disp * wvl / (4 * np.pi)                               # group delay [m]
    moved = out["secondary_samples"] - plain["secondary_samples"]
    assert np.abs(moved - delay / g2.range_pixel_spacing).max() < 2e-3
    assert np.abs(out["secondary_lines"] - plain["secondary_lines"]).max() < 1e-6
    assert path_delay(1.0, f0) == pytest.approx(0.25, rel=0.01)
    s2r = coregistered(out)
    bands = subbands(28e6, f0)
    fs = SPEED_OF_LIGHT / (2 * g1.range_pixel_spacing)

    def band(slc, grid, fc):
        return bandpass_range(slc, sampling_rate=fs, center_frequency=f0, new_center_frequency=fc,
                              new_bandwidth=bands.width, starting_range=grid.starting_range,
                              range_pixel_spacing=grid.range_pixel_spacing)

    errors = {}
    for fc in (bands.low, bands.high):
        sub = {**out, "secondary": band(out["secondary"], g2, fc)}
        s1, s2 = band(out["reference"], g1, fc), coregistered(sub)
        errors[fc] = []
        for w in windows:
            full = disp[w["rows"], w["cols"]].ravel()
            c, ph = window_stats(out["reference"], s2r, w, extra_phase=full)
            assert c > 0.95 and abs(ph) < 0.02          # full band: the screen (measured 0.01)
            geo = {**w, "geo_phase": w["geo_phase"] * fc / f0}     # the sub-band's geometry
            pred = disp[w["rows"], w["cols"]].ravel() * f0 / fc    # 1 / f
            c, ph = window_stats(s1, s2, geo, extra_phase=pred)
            errors[fc].append(ph)
        # the 1/f law matters: the carrier's phase in the sub-band would be off by this
        miss = np.array([np.mean(disp[w["rows"], w["cols"]]) * (f0 / fc - 1) for w in windows])
        assert np.sqrt(np.mean(miss ** 2)) > 0.05                  # measured 0.08 rad rms
        assert np.sqrt(np.mean(np.square(errors[fc]))) < 0.03      # measured 0.009-0.012
    # what split spectrum amplifies ~34 times: the difference between the bands (measured
    # 0.016 rad rms; 0.042 with the 8-tap resampling of the full band: move_scene's
    # range_oversample)
    diff = np.subtract(errors[bands.high], errors[bands.low])
    assert np.sqrt(np.mean(diff ** 2)) < 0.025
