"""Interferometric baselines between a reference and a secondary acquisition
(ISCE2 ``zerodop/baseline/Baseline.py`` and the stack tools' ``computeBaseline``).

For a reference pixel (line, pixel) at azimuth time t and slant range R:

1. the target T on the ground (rdr2geo of (t, R) at height ``heights``, with
   the reference orbit; zero Doppler unless ``reference_doppler`` is given);
2. the secondary's position S at the time t2 it sees T (geo2rdr of T with
   the secondary orbit; zero Doppler unless ``secondary_doppler``);
3. the baseline vector B = S - M, M the reference position at t, from which
   ISCE2 removes the component along the reference velocity
   (``remove_along_track``, default True: the along-track part is a time
   shift, not a baseline);
4. with the unit look vector l = (T - M) / |T - M|:

       B_par  = B . l                           (> 0: secondary closer to the target)
       B_perp = s |B - B_par l|,   s = sign(((T - M) x B) . v_M)

   (ISCE2's sign convention; ISCE2 computes B_par from the law of cosines
   with the secondary range, which is the same number up to rounding).

Everything is vectorised over pixels (NumPy plus the compiled rdr2geo/geo2rdr
of :mod:`isce.geometry`).

    from isce.geometry.baseline import baselines, baseline_summary
    b = baselines(ref.radar_grid, ref.orbit, sec.orbit, lines, pixels)
    b.perpendicular, b.parallel          # metres, shaped like lines/pixels
    baseline_summary(ref, sec)           # ISCE2-style top/middle/bottom values
    stripmap_perpendicular(ref, sec)     # (top, bottom) in ISCE2 stripmap's sign

Two signs exist in ISCE2. ``zerodop/baseline`` and topsStack (and :func:`baselines` here)
use s above: for a right-looking radar a secondary displaced perpendicular to the line of
sight AWAY from the Earth has a negative B_perp. ISCE2's stripmapApp, insarApp and
stripmapStack report ``mroipac/baseline`` values (``PERP_BASELINE_TOP/BOTTOM``, the files
MintPy reads), the projection on p = -cos(l) c + sin(l) r (r the unit reference
position, c = unit(r x v), l the look angle from the nadir), whatever the look side: for a
right-looking radar the same secondary is POSITIVE there (the simulator's convention).
:func:`stripmap_perpendicular` gives that one (away from the Earth positive, both sides).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from isce.core.ellipsoid import WGS84

from ._convert import epoch_ns
from .geo2rdr import geo2rdr_points
from .rdr2geo import rdr2geo_points

__all__ = ["Baseline", "baselines", "product_baselines", "baseline_summary",
           "stripmap_perpendicular"]


@dataclass(frozen=True)
class Baseline:
    """Baselines at a set of reference pixels (arrays shaped like the query)."""

    parallel: np.ndarray          # B . l [m]
    perpendicular: np.ndarray     # signed |B - B_par l| [m]
    total: np.ndarray             # |B| [m] (after the along-track removal, if any)
    along_track: np.ndarray       # component of S - M along the reference velocity [m]
    vector: np.ndarray            # B (..., 3) ECEF [m]
    look: np.ndarray              # unit look vector l (..., 3)
    target: np.ndarray            # T as lon, lat [rad], h [m] (..., 3)
    secondary_time: np.ndarray    # t2 [s since the secondary epoch]
    secondary_range: np.ndarray   # |T - S| [m]
    azimuth_offset: np.ndarray | None = None   # secondary line - reference line [pixels]
    range_offset: np.ndarray | None = None     # secondary pixel - reference pixel [pixels]

    def to_dict(self) -> dict:
        """Plain-number summary (means over the valid pixels)."""
        def mean(a):
            a = np.asarray(a, dtype=np.float64)
            ok = np.isfinite(a)
            return float(a[ok].mean()) if ok.any() else float("nan")

        return {"parallel": mean(self.parallel), "perpendicular": mean(self.perpendicular),
                "total": mean(self.total), "along_track": mean(self.along_track)}


def _shift(from_epoch, to_epoch) -> float:
    """Seconds to add to times since ``from_epoch`` to get times since ``to_epoch``."""
    return (epoch_ns(from_epoch) - epoch_ns(to_epoch)) / 1e9


def _interp(orbit, t, epoch, method):
    """Position, velocity at times ``t`` [s since ``epoch``] (NaN where t is NaN)."""
    t = np.asarray(t, dtype=np.float64)
    pos = np.full(t.shape + (3,), np.nan)
    vel = np.full(t.shape + (3,), np.nan)
    ok = np.isfinite(t)
    if ok.any():
        p, v = orbit.interpolate(t[ok] + _shift(epoch, orbit.reference_epoch), method)
        pos[ok], vel[ok] = p, v
    return pos, vel


def baselines(reference_grid, reference_orbit, secondary_orbit, lines=None, pixels=None, *,
              secondary_grid=None, heights=0.0, reference_doppler=None, secondary_doppler=None,
              secondary_wavelength=None, secondary_look_side=None, remove_along_track=True,
              orbit_method=None, threshold=1e-9, ellipsoid=None) -> Baseline:
    """Perpendicular and parallel baselines at reference pixels (see the module docstring).

    ``lines``, ``pixels``: reference radar indices (fractional allowed,
    broadcast together); default: the 3 x 3 grid of first/middle/last line x
    near/middle/far pixel. ``heights`` [m]: target heights above the
    ellipsoid (broadcast; e.g. the reference's ``z.rdr`` values). Dopplers:
    None = zero-Doppler geometry (ISCE2), else a Doppler model [Hz].
    ``secondary_grid`` (optional) gives the secondary's epoch, wavelength and
    look side and adds the pixel offsets to the result; else the secondary
    is assumed to share the reference's wavelength and look side and times
    are in the secondary orbit's epoch.
    """
    if ellipsoid is None:
        ellipsoid = WGS84
    g = reference_grid
    if lines is None and pixels is None:
        lines = np.array([0.0, (g.length - 1) / 2.0, g.length - 1.0])[:, None]
        pixels = np.array([0.0, (g.width - 1) / 2.0, g.width - 1.0])[None, :]
    lines = np.asarray(0.0 if lines is None else lines, dtype=np.float64)
    pixels = np.asarray(0.0 if pixels is None else pixels, dtype=np.float64)
    lines, pixels, hgt = np.broadcast_arrays(lines, pixels,
                                             np.asarray(heights, dtype=np.float64))
    shape = lines.shape
    t_ref = g.sensing_start + lines.reshape(-1) / g.prf
    rng = g.starting_range + pixels.reshape(-1) * g.range_pixel_spacing
    ref_epoch = g.reference_epoch

    # 1. targets
    llh, _ = rdr2geo_points(t_ref, rng, reference_orbit, g.wavelength, g.look_side,
                            doppler=reference_doppler, heights=hgt.reshape(-1), epoch=ref_epoch,
                            orbit_method=orbit_method)

    # 2. secondary position at its (zero-)Doppler time of each target
    if secondary_grid is not None:
        sec_epoch = secondary_grid.reference_epoch
        wvl2 = secondary_grid.wavelength if secondary_wavelength is None else secondary_wavelength
        side2 = secondary_grid.look_side if secondary_look_side is None else secondary_look_side
        t0 = secondary_grid.sensing_mid
    else:
        sec_epoch = secondary_orbit.reference_epoch
        wvl2 = g.wavelength if secondary_wavelength is None else secondary_wavelength
        side2 = g.look_side if secondary_look_side is None else secondary_look_side
        t0 = None
        # same orbit epoch and span: start from the reference times (fast, exact
        # for a zero baseline); elsewhere geo2rdr scans the orbit
        guess = t_ref + _shift(ref_epoch, sec_epoch)
        if np.all((guess >= secondary_orbit.start_time) & (guess <= secondary_orbit.end_time)):
            t0 = guess
    ok_target = np.all(np.isfinite(llh), axis=-1)
    t_sec, r_sec, status = geo2rdr_points(
        np.where(ok_target[:, None], llh, 0.0), secondary_orbit, wvl2, side2,
        doppler=secondary_doppler, epoch=sec_epoch, t0=t0, threshold=threshold,
        orbit_method=orbit_method)
    good = ok_target & (status == 0)
    t_sec = np.where(good, t_sec, np.nan)

    # 3. vectors
    m_pos, m_vel = _interp(reference_orbit, t_ref, ref_epoch, orbit_method)
    s_pos, _ = _interp(secondary_orbit, t_sec, sec_epoch, orbit_method)
    target = np.asarray(ellipsoid.lon_lat_to_xyz(np.where(good[:, None], llh, np.nan)))
    b = s_pos - m_pos
    vhat = m_vel / np.linalg.norm(m_vel, axis=-1, keepdims=True)
    along = np.einsum("ij,ij->i", b, vhat)
    if remove_along_track:
        b = b - along[:, None] * vhat
    look = target - m_pos
    look_norm = np.linalg.norm(look, axis=-1, keepdims=True)
    lhat = look / look_norm

    # 4. split
    bpar = np.einsum("ij,ij->i", b, lhat)
    perp_vec = b - bpar[:, None] * lhat
    sign = np.sign(np.einsum("ij,ij->i", np.cross(look, b), m_vel))
    sign = np.where(sign == 0, 1.0, sign)
    bperp = sign * np.linalg.norm(perp_vec, axis=-1)
    total = np.linalg.norm(b, axis=-1)
    r2 = np.linalg.norm(target - s_pos, axis=-1)

    az_off = rg_off = None
    if secondary_grid is not None:
        s = secondary_grid
        az_off = ((t_sec - s.sensing_start) * s.prf - lines.reshape(-1)).reshape(shape)
        rg_off = ((r_sec - s.starting_range) / s.range_pixel_spacing
                  - pixels.reshape(-1)).reshape(shape)
        rg_off = np.where(np.isfinite(az_off), rg_off, np.nan)

    def shaped(a, tail=()):
        return np.asarray(a).reshape(shape + tail)

    return Baseline(parallel=shaped(bpar), perpendicular=shaped(bperp), total=shaped(total),
                    along_track=shaped(along), vector=shaped(b, (3,)), look=shaped(lhat, (3,)),
                    target=shaped(np.where(good[:, None], llh, np.nan), (3,)),
                    secondary_time=shaped(t_sec), secondary_range=shaped(r2),
                    azimuth_offset=az_off, range_offset=rg_off)


def product_baselines(reference, secondary, lines=None, pixels=None, *, doppler=False,
                      **kwargs) -> Baseline:
    """:func:`baselines` between two SLC products (``.radar_grid``, ``.orbit``, ``.doppler``).

    ``doppler=True`` uses the products' Doppler models (native-Doppler
    geometry) instead of ISCE2's zero-Doppler geometry.
    """
    if doppler:
        kwargs.setdefault("reference_doppler", reference.geometry_doppler)
        kwargs.setdefault("secondary_doppler", secondary.geometry_doppler)
    return baselines(reference.radar_grid, reference.orbit, secondary.orbit, lines, pixels,
                     secondary_grid=secondary.radar_grid, **kwargs)


def baseline_summary(reference, secondary, *, heights=0.0, **kwargs) -> dict:
    """ISCE2-style baseline report: values at the first, middle and last line
    (at mid range) and at near/mid/far range (mid line), plus the quadratic
    fit in time of ISCE2's ``Baseline.py`` (mean, rate, acceleration per line).

    ``reference``/``secondary``: SLC products. Returns plain numbers (m).
    """
    g = reference.radar_grid
    lines = np.array([0.0, (g.length - 1) / 2.0, g.length - 1.0])
    mid_px = (g.width - 1) / 2.0
    along = product_baselines(reference, secondary, lines, np.full(3, mid_px), heights=heights,
                              **kwargs)
    ranges = product_baselines(reference, secondary, np.full(3, lines[1]),
                               np.array([0.0, mid_px, g.width - 1.0]), heights=heights, **kwargs)
    out = {}
    for name, b in (("parallel", along.parallel), ("perpendicular", along.perpendicular)):
        vals = [float(v) for v in b]
        out[f"{name}_top"], out[f"{name}_middle"], out[f"{name}_bottom"] = vals
        if np.all(np.isfinite(b)):
            acc, rate, mean = np.polyfit(lines - lines[1], b, 2)
            out[f"{name}_mean"], out[f"{name}_rate"], out[f"{name}_acc"] = (
                float(mean), float(rate), float(acc))
    for name, b in (("parallel", ranges.parallel), ("perpendicular", ranges.perpendicular)):
        out[f"{name}_near"], _, out[f"{name}_far"] = (float(v) for v in b)
    out["total_middle"] = float(along.total[1])
    if along.azimuth_offset is not None:
        out["azimuth_offset_middle"] = float(along.azimuth_offset[1])
        out["range_offset_middle"] = float(along.range_offset[1])
    return out


def stripmap_perpendicular(reference, secondary, *, heights=0.0, **kwargs) -> tuple:
    """ISCE2 stripmapApp/stripmapStack's perpendicular baselines (``PERP_BASELINE_TOP``,
    ``PERP_BASELINE_BOTTOM``) [m] between two SLC products, at the first and last reference
    line (mid range, targets at ``heights`` [m]): positive when the secondary is displaced
    perpendicular to the line of sight away from the Earth. For a right-looking radar this
    is ISCE2's ``mroipac/baseline`` value (B projected on -cos(l) c + sin(l) r) and minus
    :func:`baselines`' (zerodop's) sign; for a left-looking one ``mroipac`` projects on the
    mirrored direction (about -cos(2 l) times the baseline), so the same meaning is kept
    instead: zerodop's sign, which is then the away-from-the-Earth one."""
    g = reference.radar_grid
    lines = np.array([0.0, g.length - 1.0])
    mid = np.full(2, (g.width - 1) / 2.0)
    b = product_baselines(reference, secondary, lines, mid, heights=heights, **kwargs)
    top, bottom = g.look_side_sign * b.perpendicular
    return float(top), float(bottom)
