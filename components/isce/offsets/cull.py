"""Outlier rejection of ampcor offsets (ISCE ``offoutliers`` / ``fitoff``).

Sequence (:func:`cull_offsets`):

1. keep windows with an offset (``status == 0``), ``snr >= snr_min`` and,
   if given, variances ``cov_az, cov_rg <= max_cov`` [pixels^2];
2. drop windows farther than the first distance threshold from the median
   offset (protects the first least-squares fit from gross mismatches);
3. for each distance threshold in turn (ISCE's 10, 5, 3 pixels): fit a
   polynomial of total degree ``order`` to the azimuth and to the range
   offsets of the kept windows, drop those whose residual exceeds the
   threshold in either direction, refit, until nothing more is dropped;
4. then the same with a threshold of ``nsigma`` times the robust standard
   deviation (1.4826 x median absolute deviation) of each component's
   residuals from a fit to the core of the kept windows (residual within 2
   sigma of the median), estimated once, until stable (None skips it).

Returns a :class:`CullResult`: the mask of kept windows, how many survive
each stage, the final polynomials and residual RMS.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .fit import Poly2D, fit_poly2d

__all__ = ["cull_offsets", "CullResult"]


@dataclass
class CullResult:
    """Outcome of :func:`cull_offsets`.

    mask : bool (N,)         windows kept
    kept, total : int        windows kept, windows in the input
    steps : list of dict     ``{"stage", "threshold", "kept"}`` after each stage
    az_poly, rg_poly : Poly2D  final fits to the kept windows [pixels]
    rms_az, rms_rg : float   RMS residual of the kept windows [pixels]
    """

    mask: np.ndarray
    kept: int
    total: int
    steps: list = field(default_factory=list)
    az_poly: Poly2D | None = None
    rg_poly: Poly2D | None = None
    rms_az: float = float("nan")
    rms_rg: float = float("nan")

    def summary(self) -> str:
        parts = ", ".join(f"{s['stage']}" + (f" {s['threshold']:g}" if s["threshold"] is not None else "")
                          + f": {s['kept']}" for s in self.steps)
        return (f"kept {self.kept} of {self.total} windows ({parts}); residual RMS "
                f"azimuth {self.rms_az:.4f} px, range {self.rms_rg:.4f} px")


def _fit(off, mask, order):
    return (fit_poly2d(off.line[mask], off.pixel[mask], off.azimuth[mask], order),
            fit_poly2d(off.line[mask], off.pixel[mask], off.range[mask], order))


def _residuals(off, az, rg):
    return off.azimuth - az(off.line, off.pixel), off.range - rg(off.line, off.pixel)


def cull_offsets(offsets, *, snr_min=10.0, thresholds=(10.0, 5.0, 3.0), order=1, nsigma=3.0,
                 max_cov=None, min_points=None, max_rounds=20) -> CullResult:
    """Reject outliers from an :class:`~isce.offsets.ampcor.OffsetField` (see module doc).

    Parameters
    ----------
    snr_min : float
        Minimum ISCE SNR (unrelated chips give ~15-30 with a +-40 search, good
        matches hundreds or more).
    thresholds : sequence of float
        Distance thresholds [pixels], largest first.
    order : int
        Total degree of the fitted polynomials (0..3).
    nsigma : float or None
        Final k-sigma rejection (robust sigma), None to skip.
    max_cov : float, optional
        Maximum azimuth/range variance [pixels^2].
    min_points : int, optional
        Stop dropping when fewer would remain (default: 2 x number of coefficients).
    max_rounds : int
        Refits per stage at most.
    """
    off = offsets
    n = len(off)
    ncoef = (order + 1) * (order + 2) // 2
    min_points = max(int(min_points) if min_points is not None else 2 * ncoef, ncoef)
    mask = off.valid & np.isfinite(off.azimuth) & np.isfinite(off.range)
    mask &= off.snr >= snr_min
    if max_cov is not None:
        mask &= (off.cov_az <= max_cov) & (off.cov_rg <= max_cov)
    steps = [{"stage": "snr", "threshold": float(snr_min), "kept": int(mask.sum())}]
    result = CullResult(mask=mask, kept=int(mask.sum()), total=n, steps=steps)
    if mask.sum() < ncoef:
        return result
    ths = [float(t) for t in thresholds]
    if ths:
        ma, mr = np.median(off.azimuth[mask]), np.median(off.range[mask])
        near = (np.abs(off.azimuth - ma) <= ths[0]) & (np.abs(off.range - mr) <= ths[0])
        if np.count_nonzero(mask & near) >= min_points:
            mask = mask & near
        steps.append({"stage": "median", "threshold": ths[0], "kept": int(mask.sum())})

    def stage(limit_fn, name, threshold):
        nonlocal mask
        az, rg = _fit(off, mask, order)
        for _ in range(int(max_rounds)):
            ra, rr = _residuals(off, az, rg)
            la, lr = limit_fn(ra[mask], rr[mask])
            new = mask & (np.abs(ra) <= la) & (np.abs(rr) <= lr)
            if new.sum() == mask.sum() or new.sum() < min_points:
                break
            mask = new
            az, rg = _fit(off, mask, order)
        steps.append({"stage": name, "threshold": threshold, "kept": int(mask.sum())})
        return az, rg

    az = rg = None
    for t in ths:
        az, rg = stage(lambda a, r, t=t: (t, t), "distance", t)
    if nsigma is not None and mask.sum() >= min_points:
        # robust sigma of each component: fit the core of the residuals (within
        # 2 MAD-sigma of their median), so that small outliers still in the set do
        # not bias the fit, and estimate sigma once from that fit
        mad = lambda v: 1.4826 * np.median(np.abs(v - np.median(v)))  # noqa: E731
        fa, fr = _fit(off, mask, order)
        ra, rr = _residuals(off, fa, fr)
        core = mask & (np.abs(ra - np.median(ra[mask])) <= 2 * mad(ra[mask]) + 1e-12) \
            & (np.abs(rr - np.median(rr[mask])) <= 2 * mad(rr[mask]) + 1e-12)
        if core.sum() >= min_points:
            fa, fr = _fit(off, core, order)
            ra, rr = _residuals(off, fa, fr)
            # never below a numerical floor, so that a perfect fit keeps its points
            la = max(nsigma * mad(ra[core]), 1e-9)
            lr = max(nsigma * mad(rr[core]), 1e-9)
            new = mask & (np.abs(ra) <= la) & (np.abs(rr) <= lr)
            if new.sum() >= min_points:
                mask = new
            az, rg = stage(lambda a, r: (la, lr), "nsigma", float(nsigma))
    if az is None:
        az, rg = _fit(off, mask, order)
    ra, rr = _residuals(off, az, rg)
    result.mask = mask
    result.kept = int(mask.sum())
    result.az_poly, result.rg_poly = az, rg
    result.rms_az = float(np.sqrt(np.mean(ra[mask] ** 2)))
    result.rms_rg = float(np.sqrt(np.mean(rr[mask] ** 2)))
    return result
