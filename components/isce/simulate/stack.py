"""Stacks of dates: the time-series models of ``simulateApp.py simulateApp.dates=N``.

One track seen on N dates, every ``repeat`` days of the mission from the first:

* **baselines**: the perpendicular baseline of each date relative to the first is drawn
  from a normal law of standard deviation ``spread`` [m] (first date 0), seeded;
* **deformation** (:class:`StackDeformation`): a linear LOS rate field (a Gaussian bowl of
  peak rate ``rate`` [m/yr]), a seasonal term (a Gaussian patch of amplitude ``seasonal``
  [m] times ``sin(2 pi t)``, t in years since the first date) and a Mogi source at the
  scene centre whose volume grows by ``volume_rate`` [m^3/yr]. The LOS terms move the
  scatterers along the first date's line of sight, the Mogi source in 3-D;
* **temporal decorrelation** (:class:`DecorrelatingSpeckle`): the scatterers of date k
  are ``sqrt(g0) F_k + sqrt(1 - g0) M_k`` with ``F_k = rho F_(k-1) + sqrt(1 - rho^2) N_k``,
  ``rho = exp(-dt / tau)`` (AR(1) in time; ``M``, ``N`` independent speckle), so that the
  coherence of dates i and j is ``g0 exp(-|t_i - t_j| / tau)``; only the previous field
  is kept;
* **troposphere** (:func:`troposphere_screen`): an optional turbulent delay screen per
  date (Kolmogorov power-law spectrum, slope -11/3, outer scale 10 km), an extra one-way
  slant path [m];
* **truth**: the LOS displacement of each date relative to the first (positive towards
  the radar: the slant range shortened, :meth:`isce.simulate.targets.MogiSource.los`'s and
  :mod:`isce.quality.truth`'s sign) on the first date's focused grid.

:class:`StackScene` holds the first date's scene geometry (every ``step`` lines/samples)
and makes each date's focused-domain scene, as :func:`isce.simulate.distributed.pair_scenes`
does for a pair.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import asdict, dataclass

import numpy as np

from isce.core.ellipsoid import WGS84
from isce.geometry.geo2rdr import geo2rdr_points
from isce.geometry.rdr2geo import rdr2geo_block
from isce.simulate.distributed import (_coarse_grid, band_limited_speckle, move_scene,
                                       upsample_linear)
from isce.simulate.targets import MogiSource, Target, target_truth

__all__ = ["YEAR_DAYS", "SIGN_CONVENTION", "stack_times", "perpendicular_baselines",
           "StackDeformation", "DecorrelatingSpeckle", "troposphere_screen", "StackScene",
           "moved_targets", "date_name", "years_between"]

#: days of a year in the time series (MintPy's decimal years use 365.25 too)
YEAR_DAYS = 365.25
#: the sign convention of the truth rasters, as written in truth/stack.json
SIGN_CONVENTION = (
    "LOS displacement [m] of the date relative to the first date, positive towards the radar "
    "(slant range shortened), as isce.quality.truth: d = -phi * wavelength / (4 pi) with phi "
    "the phase of first x conj(date) (geometry removed); the troposphere (tropo.rdr, extra "
    "one-way slant path [m]) shows as an apparent displacement -(tropo[date] - tropo[first])")


def stack_times(first: _dt.datetime, n: int, repeat_days: float) -> list[_dt.datetime]:
    """``n`` acquisition times every ``repeat_days`` days from ``first``."""
    return [first + _dt.timedelta(days=k * float(repeat_days)) for k in range(int(n))]


def years_between(first: _dt.datetime, when: _dt.datetime) -> float:
    """Time from ``first`` to ``when`` in years of :data:`YEAR_DAYS` days."""
    return (when - first).total_seconds() / 86400.0 / YEAR_DAYS


def date_name(orbit, t: float) -> str:
    """``YYYYMMDD`` (UTC) of time ``t`` [s since the orbit epoch]."""
    return str(orbit.datetime64(float(t)))[:10].replace("-", "")


def perpendicular_baselines(n: int, spread_m: float, seed: int) -> list[float]:
    """Perpendicular baselines [m] of ``n`` dates relative to the first: 0, then draws of a
    normal law of standard deviation ``spread_m`` (deterministic by ``seed``)."""
    rng = np.random.default_rng([int(seed), 0xBA5E])
    b = rng.normal(0.0, float(spread_m), int(n))
    b[0] = 0.0
    return [float(v) for v in b]


def local_east_north(lat_deg, lon_deg, lat0: float, lon0: float):
    """East, north [m] of (lat, lon) [deg] from (lat0, lon0) (local flat Earth, as
    :meth:`MogiSource.enu`)."""
    rn = WGS84.r_north(math.radians(lat0))
    re = WGS84.r_east(math.radians(lat0))
    north = np.radians(np.asarray(lat_deg, dtype=np.float64) - lat0) * rn
    east = np.radians(np.asarray(lon_deg, dtype=np.float64) - lon0) * re * math.cos(math.radians(lat0))
    return east, north


def _gaussian(east, north, e0: float, n0: float, sigma: float):
    return np.exp(-((east - e0) ** 2 + (north - n0) ** 2) / (2.0 * sigma * sigma))


@dataclass
class StackDeformation:
    """The deformation time series (module doc). Positions: east/north [m] from the scene
    centre (``lat0``, ``lon0`` [deg]); ``rate`` [m/yr] and ``seasonal`` [m]: LOS values
    at the centres of their Gaussian patterns (width ``*_sigma`` [m]); the Mogi source at
    ``mogi_lat``/``mogi_lon`` [deg], ``mogi_depth`` [m], volume ``volume_rate`` x t [m^3]."""

    lat0: float
    lon0: float
    rate: float = -0.02
    rate_east: float = 0.0
    rate_north: float = 0.0
    rate_sigma: float = 1000.0
    seasonal: float = 0.005
    seasonal_east: float = 0.0
    seasonal_north: float = 0.0
    seasonal_sigma: float = 1000.0
    mogi_lat: float = 0.0
    mogi_lon: float = 0.0
    mogi_depth: float = 2000.0
    volume_rate: float = 2.0e5
    poisson: float = 0.25

    @classmethod
    def laid_out(cls, lat, lon, *, rate: float, seasonal: float, volume_rate: float):
        """The patterns placed in the footprint (ground points ``lat``/``lon`` [deg]): the
        rate bowl and the seasonal patch in opposite quarters, the Mogi source at the centre
        at a depth of half the smaller half-extent (within 500..3000 m)."""
        lat0, lon0 = float(np.mean(lat)), float(np.mean(lon))
        east, north = local_east_north(lat, lon, lat0, lon0)
        half_e, half_n = float(np.max(np.abs(east))), float(np.max(np.abs(north)))
        sigma = 0.3 * min(half_e, half_n)
        return cls(lat0, lon0, rate=float(rate), rate_east=-0.4 * half_e, rate_north=0.4 * half_n,
                   rate_sigma=sigma, seasonal=float(seasonal), seasonal_east=0.4 * half_e,
                   seasonal_north=-0.4 * half_n, seasonal_sigma=sigma, mogi_lat=lat0,
                   mogi_lon=lon0, mogi_depth=float(np.clip(0.5 * min(half_e, half_n), 500.0, 3000.0)),
                   volume_rate=float(volume_rate))

    def los_terms(self, lat, lon, years: float):
        """The rate and seasonal terms [m] at (lat, lon) [deg], ``years`` after the first date."""
        east, north = local_east_north(lat, lon, self.lat0, self.lon0)
        rate = self.rate * _gaussian(east, north, self.rate_east, self.rate_north, self.rate_sigma)
        season = self.seasonal * _gaussian(east, north, self.seasonal_east, self.seasonal_north,
                                           self.seasonal_sigma)
        return rate * years + season * math.sin(2.0 * math.pi * years)

    def mogi(self, years: float) -> MogiSource:
        """The Mogi source's volume change since the first date."""
        return MogiSource(self.mogi_lat, self.mogi_lon, self.mogi_depth,
                          self.volume_rate * years, self.poisson)

    def displacement_ecef(self, lat, lon, los_unit, years: float) -> np.ndarray:
        """Displacement [m, ECEF] at (lat, lon) [deg]: the Mogi source's plus the LOS terms
        along ``los_unit`` (ground to the first date's platform, (..., 3))."""
        return self.mogi(years).ecef(lat, lon) + self.los_terms(lat, lon, years)[..., None] * los_unit

    def los(self, lat, lon, height, platform_xyz, years: float) -> np.ndarray:
        """LOS displacement [m, positive towards the radar] seen from ``platform_xyz``."""
        return self.mogi(years).los(lat, lon, height, platform_xyz) + self.los_terms(lat, lon, years)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["meaning"] = ("los(t) = rate * G_rate * t + seasonal * G_seasonal * sin(2 pi t) + "
                        "Mogi(volume_rate * t).los, t in years of 365.25 days since the first date; "
                        "G_x = exp(-((e - x_east)^2 + (n - x_north)^2) / (2 x_sigma^2)), e/n east/"
                        "north [m] from (lat0, lon0) as MogiSource.enu; the rate and seasonal "
                        "terms move the ground along the first date's line of sight")
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "StackDeformation":
        return cls(**{k: v for k, v in d.items() if k != "meaning"})


class DecorrelatingSpeckle:
    """Speckle of unit power decorrelating in time (module doc): :meth:`next` gives the
    date's field; coherence of dates i, j = ``coherence * exp(-|t_i - t_j| / tau_days)``."""

    def __init__(self, shape, range_fraction: float, azimuth_fraction: float, *,
                 coherence: float, tau_days: float, seed: int):
        self.shape = tuple(int(n) for n in shape)
        self.fractions = (float(range_fraction), float(azimuth_fraction))
        self.coherence = float(coherence)
        self.tau = float(tau_days)
        self.rng = np.random.default_rng(int(seed))
        self.field = None
        self.days = None

    def _speckle(self) -> np.ndarray:
        return band_limited_speckle(self.shape, *self.fractions, self.rng)

    def next(self, days: float) -> np.ndarray:
        """The scatterers (complex64) at ``days`` after the first date (called in time order)."""
        if self.field is None:
            self.field = self._speckle()
        else:
            rho = math.exp(-abs(float(days) - self.days) / self.tau)
            self.field *= np.float32(rho)
            self.field += np.float32(math.sqrt(max(1.0 - rho * rho, 0.0))) * self._speckle()
        self.days = float(days)
        out = self.field * np.float32(math.sqrt(self.coherence))
        if self.coherence < 1.0:
            out += np.float32(math.sqrt(1.0 - self.coherence)) * self._speckle()
        return out


def troposphere_screen(shape, spacing_m, std_m: float, rng, outer_scale_m: float = 10000.0):
    """A turbulent delay screen [m] (float64, ``shape``): Gaussian field of power spectrum
    ``k^(-11/3)`` (Kolmogorov turbulence: structure function ~ r^(5/3), smooth at the pixel
    scale) flattened below ``1 / outer_scale_m``, so that its spread is about the same over
    any window larger than the outer scale, on pixels of ``spacing_m`` (rows, columns) [m];
    zero mean, standard deviation ``std_m``."""
    n0, n1 = int(shape[0]), int(shape[1])
    m0, m1 = 2 * n0, 2 * n1                       # padded: no wrap-around correlation
    k0 = np.fft.fftfreq(m0, float(spacing_m[0]))[:, None]
    k1 = np.fft.fftfreq(m1, float(spacing_m[1]))[None, :]
    k = np.maximum(np.hypot(k0, k1), 1.0 / float(outer_scale_m))
    amp = k ** (-11.0 / 6.0)
    amp[0, 0] = 0.0
    z = rng.standard_normal((m0, m1)) + 1j * rng.standard_normal((m0, m1))
    screen = np.fft.ifft2(z * amp).real[:n0, :n1]
    screen -= screen.mean()
    return screen * (float(std_m) / max(float(screen.std()), 1e-30))


def moved_targets(targets, model: StackDeformation, orbit1, wavelength: float, look_side: str,
                  years: float) -> list:
    """The point targets moved by the deformation ``years`` after the first date (the LOS
    terms along the first date's line of sight at each target's zero-Doppler time)."""
    truth = target_truth(targets, orbit1, wavelength, look_side)
    out = []
    for t, d in zip(targets, truth):
        pos, _ = orbit1.interpolate(float(d["azimuth_time"]))
        to_sat = np.asarray(pos).reshape(3) - t.xyz
        xyz = t.xyz + model.displacement_ecef(t.lat, t.lon, to_sat / np.linalg.norm(to_sat), years)
        lon, lat, h = WGS84.xyz_to_lon_lat(np.asarray(xyz).reshape(3))
        out.append(Target(math.degrees(lat), math.degrees(lon), float(h), t.amplitude, t.name))
    return out


class StackScene:
    """The first date's scene (``grid1``/``orbit1``, zero-Doppler grid of its raw window,
    over ``dem``) and each date's focused-domain scene made from it: :meth:`date`. The
    geometry is computed every ``step`` lines and samples and interpolated bilinearly."""

    def __init__(self, grid1, orbit1, dem, speckle: DecorrelatingSpeckle, step: int = 8):
        self.grid1, self.orbit1, self.step = grid1, orbit1, int(step)
        self.speckle = speckle
        coarse = _coarse_grid(grid1, self.step)
        geo = rdr2geo_block(coarse, orbit1, None, dem, layers=("lon", "lat", "z", "local_inc"))
        self.lon, self.lat, self.hgt = geo["lon"], geo["lat"], geo["z"]
        cos_li = np.cos(np.radians(np.nan_to_num(geo["local_inc"], nan=90.0)))
        # brightness: sigma0 ~ cos(local incidence), above a floor (as pair_scenes)
        self.bright_nodes = np.sqrt(np.clip(cos_li, 0.05, None) / np.cos(np.radians(35.0)))
        self.xyz = WGS84.lon_lat_to_xyz(np.stack([np.radians(self.lon), np.radians(self.lat),
                                                  self.hgt], axis=-1))
        t = coarse.sensing_start + np.arange(coarse.length) / coarse.prf
        pos, _ = orbit1.interpolate(t)
        self.platform = np.broadcast_to(np.asarray(pos)[:, None, :], self.xyz.shape)
        to_sat = self.platform - self.xyz
        self.los_unit = to_sat / np.linalg.norm(to_sat, axis=-1, keepdims=True)
        self.r1 = coarse.starting_range + coarse.range_pixel_spacing * np.arange(coarse.width)[None, :]
        self.node_shape = self.lon.shape

    def node_spacing_m(self) -> tuple[float, float]:
        """Ground spacing [m] of the nodes (azimuth, range), for the troposphere's spectrum."""
        e, n = local_east_north(self.lat, self.lon, float(self.lat[0, 0]), float(self.lon[0, 0]))
        d_az = math.hypot(e[1, 0] - e[0, 0], n[1, 0] - n[0, 0])
        d_rg = math.hypot(e[0, 1] - e[0, 0], n[0, 1] - n[0, 0])
        return d_az, d_rg

    def date(self, orbit, grid, days: float, model: StackDeformation | None,
             tropo_nodes=None) -> np.ndarray:
        """The date's scene (complex64) on its zero-Doppler ``grid`` seen from ``orbit``:
        the date's scatterers moved by ``model`` at ``days`` after the first date, plus the
        extra slant path ``tropo_nodes`` [m] at the nodes (None: none)."""
        shape1 = (self.grid1.length, self.grid1.width)
        field = self.speckle.next(days)
        field *= upsample_linear(self.bright_nodes, self.step, shape1)
        tropo = np.zeros(self.node_shape) if tropo_nodes is None else np.asarray(tropo_nodes)
        if days == 0.0 and orbit is self.orbit1:
            if tropo_nodes is not None:         # the first date: its own grid, no motion
                phase = upsample_linear(tropo, self.step, shape1).astype(np.float64)
                field *= np.exp(-4j * np.pi * phase / self.grid1.wavelength).astype(np.complex64)
            return field
        xyz = self.xyz
        if model is not None:
            xyz = xyz + model.displacement_ecef(self.lat, self.lon, self.los_unit,
                                                days / YEAR_DAYS)
        llh = WGS84.xyz_to_lon_lat(xyz.reshape(-1, 3))
        t2, r2, status = geo2rdr_points(llh, orbit, self.grid1.wavelength, grid.look_side)
        t2, r2 = t2.reshape(self.node_shape), r2.reshape(self.node_shape)
        m2 = (t2 - grid.sensing_start) * grid.prf
        j2 = (r2 - grid.starting_range) / grid.range_pixel_spacing
        bad = (status.reshape(self.node_shape) != 0) | ~np.isfinite(m2) | ~np.isfinite(j2)
        if np.any(bad):
            raise ValueError(f"geo2rdr failed for {int(bad.sum())} scene nodes on a date's orbit")
        scene, _ = move_scene(field, r2 - self.r1 + tropo, m2, j2, self.grid1, grid, self.step)
        return scene

    def truth_nodes(self, model: StackDeformation, years: float) -> np.ndarray:
        """LOS displacement [m] at the nodes ``years`` after the first date."""
        return model.los(self.lat, self.lon, self.hgt, self.platform, years)

    def on_grid(self, nodes: np.ndarray, grid) -> np.ndarray:
        """Node values interpolated (bilinearly) on another zero-Doppler ``grid`` of the
        first date's orbit (e.g. the focused SLC's: same PRF and spacing, other window);
        float32 (grid.length, grid.width)."""
        m = (grid.sensing_start - self.grid1.sensing_start) * self.grid1.prf \
            + np.arange(grid.length) * (self.grid1.prf / grid.prf)
        j = (grid.starting_range - self.grid1.starting_range) / self.grid1.range_pixel_spacing \
            + np.arange(grid.width) * (grid.range_pixel_spacing / self.grid1.range_pixel_spacing)
        i, wi = _weights(m / self.step, nodes.shape[0])
        k, wk = _weights(j / self.step, nodes.shape[1])
        rows = nodes[i] * (1 - wi)[:, None] + nodes[i + 1] * wi[:, None]
        return (rows[:, k] * (1 - wk)[None, :] + rows[:, k + 1] * wk[None, :]).astype(np.float32)

    def footprint(self, grid):
        """(lat, lon) [deg] of the nodes inside ``grid`` (another window of the first date)."""
        m = (np.arange(self.node_shape[0]) * self.step / self.grid1.prf
             + self.grid1.sensing_start - grid.sensing_start) * grid.prf
        j = (self.r1[0] - grid.starting_range) / grid.range_pixel_spacing
        inside = ((m >= 0) & (m <= grid.length - 1))[:, None] & ((j >= 0) & (j <= grid.width - 1))[None, :]
        if not inside.any():
            raise ValueError("the focused grid does not overlap the first date's scene")
        return self.lat[inside], self.lon[inside]


def _weights(x: np.ndarray, nodes: int):
    """Node indices and linear weights at fractional node coordinates ``x`` (clamped)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, nodes - 1.0)
    i = np.minimum(np.floor(x).astype(np.int64), nodes - 2)
    return i, (x - i)
