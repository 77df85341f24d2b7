"""Raw echoes computed exactly: the two-way delay against an independent brute-force light-time
solution, range compression of one line at the exact delay, the azimuth phase history, the
antenna pattern, noise power, and the RawProduct written (raster + JSON)."""
import math

import numpy as np
import pytest
from scipy.optimize import brentq

from isce.core.constants import SPEED_OF_LIGHT as C
from isce.sensors.raw import RawProduct
from isce.simulate.echoes import (antenna_pattern, release_memory, simulate_point_targets,
                                  two_way_delay)


def brute_force_delay(model, target_ecef, t_tx, inertial):
    """Light time up and down by root finding on the analytic orbit (no Orbit interpolation):
    in the inertial frame (target rotating with the Earth) or straight lines in ECEF."""
    w = model.earth_rotation_rate

    def sat(t):
        return (model.inertial_state(t) if inertial else model.state(t))[0]

    def tgt(t):
        if not inertial:
            return target_ecef
        th = model.theta0 + w * t                   # ECEF -> inertial: R_z(+theta)
        c, s = math.cos(th), math.sin(th)
        x, y, z = target_ecef
        return np.array([c * x - s * y, s * x + c * y, z])

    p_tx = sat(t_tx)
    up = brentq(lambda d: C * d - np.linalg.norm(tgt(t_tx + d) - p_tx), 1e-3, 2e-2,
                xtol=1e-20, rtol=1e-15, maxiter=200)
    t_b, bounce = t_tx + up, tgt(t_tx + up)
    down = brentq(lambda d: C * d - np.linalg.norm(sat(t_b + d) - bounce), 1e-3, 2e-2,
                  xtol=1e-20, rtol=1e-15, maxiter=200)
    return up + down


def test_exact_delay_matches_brute_force(alos_scene):
    orbit, model, radar, target, t_zd = alos_scene
    t_tx = t_zd + np.array([-1.3, -0.2, -0.0038, 0.0, 0.7, 1.9])
    tau = two_way_delay(orbit, target.xyz, t_tx)
    off = model.seconds(orbit.reference_epoch)
    ecef = np.array([brute_force_delay(model, target.xyz, t + off, False) for t in t_tx])
    inertial = np.array([brute_force_delay(model, target.xyz, t + off, True) for t in t_tx])
    assert np.abs(tau - ecef).max() < 1e-14            # same physics, independent solver
    assert np.abs(tau - inertial).max() < 1e-12        # Sagnac terms cancel over the round trip
    # not stop-and-go: the receive leg is longer/shorter by the motion during the delay
    stop_and_go = 2 * np.linalg.norm(target.xyz - orbit.interpolate(t_tx)[0], axis=1) / C
    assert np.abs(tau - stop_and_go).max() > 1e-9          # 0.3 m of range 1.9 s off broadside


def range_compress_peak(line, replica, oversample=64):
    """Matched filter (FFT correlation with the centred replica) and the sub-sample peak:
    the sample index where the replica's centre sits at the maximum."""
    n = line.size
    nfft = 1 << int(math.ceil(math.log2(n + replica.size)))
    spec = np.fft.fft(line, nfft) * np.conj(np.fft.fft(replica, nfft))
    # oversample by zero-padding the centred spectrum
    big = np.zeros(nfft * oversample, dtype=complex)
    half = nfft // 2
    big[:half] = spec[:half]
    big[-half:] = spec[-half:]
    y = np.abs(np.fft.ifft(big))
    k = int(np.argmax(y[: n * oversample]))
    a, b, c = y[k - 1], y[k], y[k + 1]
    frac = 0.5 * (a - c) / (a - 2 * b + c)
    return (k + frac) / oversample + (replica.size - 1) / 2.0


def test_range_compressed_peak_at_exact_delay(alos_raw, alos_scene):
    orbit, model, radar, target, t_zd = alos_scene
    raw = alos_raw
    replica = raw.chirp()
    t0 = 2 * raw.starting_range / C
    errors = []
    for line in (100, 500, raw.length // 2, 1100, 1400):
        tau = two_way_delay(orbit, target.xyz, raw.pulse_time(line))
        expected = (tau - t0) * raw.range_sampling_rate
        got = range_compress_peak(raw.read(slice(line, line + 1))[0].astype(complex), replica)
        errors.append(got - expected)
    assert np.abs(errors).max() < 0.05, errors


def test_azimuth_phase_history_is_minus_4pi_r_over_lambda(alos_raw, alos_scene):
    """Correlating each line with the chirp placed at the exact delay leaves the carrier phase
    -2 pi fc tau = -4 pi R / lambda (R = c tau / 2 of the independent brute-force geometry)."""
    orbit, model, radar, target, t_zd = alos_scene
    raw = alos_raw
    lines = np.arange(0, raw.length, 97)
    off = model.seconds(orbit.reference_epoch)
    tau = np.array([brute_force_delay(model, target.xyz, t + off, False)
                    for t in raw.pulse_time(lines)])
    data = raw.read()
    t_fast = 2 * raw.starting_range / C + np.arange(raw.width) / raw.range_sampling_rate
    phases = []
    for i, line in enumerate(lines):
        u = t_fast - tau[i]
        replica = np.where(np.abs(u) <= raw.pulse_length / 2, np.exp(1j * np.pi * raw.chirp_slope * u * u), 0)
        phases.append(np.angle(np.sum(data[line] * np.conj(replica))))
    expected = -4 * np.pi * (C * tau / 2) / raw.wavelength
    err = np.angle(np.exp(1j * (np.array(phases) - expected)))
    assert np.abs(err).max() < 1e-5                 # rad (measured ~1e-7: complex64 rounding)
    # the phase history is the hyperbolic range history: its minimum is where the pulse
    # is *received* at the zero-Doppler time, i.e. transmitted about R / c earlier
    all_tau = two_way_delay(orbit, target.xyz, raw.pulse_time(np.arange(raw.length)))
    i = int(np.argmin(all_tau))
    a, b, c = all_tau[i - 1:i + 2]
    t_min = raw.pulse_time(i) + 0.5 * (a - c) / (a - 2 * b + c) / raw.prf
    assert abs(t_min + all_tau[i] / 2 - t_zd) < 2e-6


def test_antenna_pattern_weights_lines(alos_raw, alos_scene):
    orbit, model, radar, target, t_zd = alos_scene
    raw = alos_raw
    energy = np.sum(np.abs(raw.read()) ** 2, axis=1)
    t = raw.pulse_time(np.arange(raw.length))
    tau, p_tx, v_tx, p_rx, v_rx = two_way_delay(orbit, target.xyz, t, full_output=True)
    g = (antenna_pattern(p_tx, v_tx, target.xyz, radar.wavelength, radar.antenna_length)
         * antenna_pattern(p_rx, v_rx, target.xyz, radar.wavelength, radar.antenna_length))
    # each line holds the whole chirp (864 samples of unit modulus) times the pattern squared
    nchirp = radar.pulse_length * radar.range_sampling_rate
    np.testing.assert_allclose(energy, nchirp * g ** 2, rtol=2e-3, atol=1e-3 * nchirp)
    k = int(np.argmax(energy))
    assert abs(t[k] + tau[k] / 2 - t_zd) * radar.prf < 1.0     # beam centre at zero Doppler
    assert 0.9 < g.min() < 0.97                                # it falls off (3 dB aperture ~3 s)


def test_product_metadata_and_files(alos_raw, alos_scene):
    orbit, model, radar, target, t_zd = alos_scene
    raw = alos_raw
    back = RawProduct.load(raw.source.path + ".json")
    assert back.to_dict() == raw.to_dict()
    assert back.source.kind == "raster" and back.doppler.eval(0.0, 9e5) == 0.0
    assert (back.prf, back.range_sampling_rate, back.chirp_slope, back.pulse_length) == \
        (radar.prf, radar.range_sampling_rate, radar.chirp_slope, radar.pulse_length)
    assert back.read(slice(3, 5)).shape == (2, raw.width)
    # every echo inside the window (auto starting range / width)
    t = raw.pulse_time([0, raw.length - 1])
    tau = two_way_delay(orbit, target.xyz, t)
    t0 = 2 * raw.starting_range / C
    assert t0 < tau.min() - raw.pulse_length / 2
    assert tau.max() + raw.pulse_length / 2 < t0 + (raw.width - 1) / raw.range_sampling_rate


def test_noise_power_and_memory_output(alos_scene):
    orbit, model, radar, target, t_zd = alos_scene
    raw = simulate_point_targets(orbit, radar, [], sensing_start=t_zd, length=300,
                                 starting_range=850e3, width=2000, noise_power=2.5, seed=7)
    x = raw.read().astype(complex)
    assert abs(np.mean(np.abs(x) ** 2) / 2.5 - 1) < 0.01
    assert abs(np.mean(x.real ** 2) / np.mean(x.imag ** 2) - 1) < 0.02
    assert abs(np.mean(x)) < 0.01
    # the noise of a line does not depend on the block size
    again = simulate_point_targets(orbit, radar, [], sensing_start=t_zd, length=300,
                                   starting_range=850e3, width=2000, noise_power=2.5, seed=7,
                                   block_lines=7)
    np.testing.assert_array_equal(again.read(), raw.read())
    release_memory(raw)
    release_memory(again)
    from isce.framework.errors import InputError
    with pytest.raises(InputError):
        raw.read()


def test_intrapulse_doppler_option_shifts_range_by_fd_over_k(alos_scene):
    """With the delay varying inside the pulse, the compressed peak moves by about f_D / K
    (a few hundredths of a sample at the beam edge); at zero Doppler it does not move."""
    orbit, model, radar, target, t_zd = alos_scene
    r = np.linalg.norm(target.xyz - orbit.interpolate(t_zd)[0])
    start = t_zd - r / C - 600 / radar.prf
    kw = dict(sensing_start=start, length=1201, starting_range=r - 4000.0, width=1400)
    a = simulate_point_targets(orbit, radar, [target], **kw)
    b = simulate_point_targets(orbit, radar, [target], intrapulse_doppler=True, **kw)
    rep = a.chirp()
    for line, fd_sign in ((0, 1), (600, 0), (1200, -1)):
        pa = range_compress_peak(a.read(slice(line, line + 1))[0].astype(complex), rep)
        pb = range_compress_peak(b.read(slice(line, line + 1))[0].astype(complex), rep)
        tau = two_way_delay(orbit, target.xyz, a.pulse_time([line - 1e-3 * radar.prf, line + 1e-3 * radar.prf]))
        fd = -(tau[1] - tau[0]) / 2e-3 * C / 2 * 2 / radar.wavelength   # Doppler [Hz]
        expected = -fd / radar.chirp_slope * radar.range_sampling_rate
        assert abs((pb - pa) - expected) < 0.005, (line, pb - pa, expected)
    release_memory(a)
    release_memory(b)
