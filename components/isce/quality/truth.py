"""insarApp products against a simulation's ground truth (``simulateApp.py``).

What is compared (units: m, rad, pixels):

* **LOS displacement**: the unwrapped phase ``phi`` of ``interferogram/<unw>`` gives
  ``d = -phi lambda / (4 pi)`` (positive towards the radar: the interferogram is
  ``reference x conj(secondary)`` with the geometric phase removed, so a shorter
  secondary range gives a negative phase); the truth is the deformation sources' (Mogi, flow)
  displacement projected on the line of sight, at the ground point of every
  full-resolution pixel (``geometry/lat.rdr``, ``lon.rdr``, ``z.rdr``) averaged over
  the looks. One constant (the unknown absolute phase) is removed: the median of
  the difference. ``los_displacement_rmse_m`` is the RMS of what remains over the
  pixels compared (non-zero phase, connected component > 0, coherence above
  ``min_coherence``);
* **unwrapping errors**: the fraction of those pixels whose residual exceeds half a
  cycle (``lambda / 4`` of LOS displacement);
* **topography removed**: the correlation coefficient of the residual with height
  and the residual's slope per 100 m of height;
* **point targets**: the corner reflectors' peaks in the focused SLCs against the
  positions geo2rdr predicts for their lat/lon/height (:mod:`isce.quality.pointtarget`).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

import isce.io
from isce.io.layout import ROLES, StripmapLayout
from isce.quality.pointtarget import analyze_point_target
from isce.sensors.product import SlcProduct
from isce.simulate.targets import DeformationSum, FlowSource, MogiSource

__all__ = ["compare_with_truth", "looked_mean", "format_comparison"]


def looked_mean(data: np.ndarray, az: int, rg: int, shape) -> np.ndarray:
    """Mean over ``az`` x ``rg`` looks of ``data`` cropped to ``shape`` looked pixels."""
    n0, n1 = shape
    block = np.asarray(data[:n0 * az, :n1 * rg], dtype=np.float64)
    return block.reshape(n0, az, n1, rg).mean(axis=(1, 3))


def _source(record, kind):
    """The deformation source a simulation.json record describes (None when absent)."""
    if not record:
        return None
    return kind(**{k: v for k, v in record.items() if k != "type"})


def _deformation(summary):
    """The simulated deformation between the passes: the Mogi source and the flow channel
    (``simulateApp`` ``deformation``, ``flow``), together; None when neither."""
    sources = [_source(summary.get("deformation"), MogiSource), _source(summary.get("flow"), FlowSource)]
    sources = [s for s in sources if s is not None]
    return DeformationSum(sources) if sources else None


def _read(path, band=None):
    r = isce.io.open(str(path))
    return np.array(r.read(band=band) if band is not None else r.read())


def _platform_positions(product, az: int, n_lines: int) -> np.ndarray:
    """Platform position [m, ECEF] at the centre time of each looked line."""
    grid = product.radar_grid
    lines = np.arange(n_lines) * az + 0.5 * (az - 1)
    t = grid.sensing_start + lines / grid.prf
    pos, _ = product.orbit.interpolate(t)
    return np.asarray(pos)


def compare_with_truth(workdir=".", simulation=None, *, unwrapped="topophase.unw",
                       coherence="topophase.cor", min_coherence: float = 0.0,
                       looks=None, bbox=None) -> dict:
    """Truth comparison of an insarApp run in ``workdir`` on a simulated pair.

    ``simulation``: the folder with ``simulation.json`` and ``<pass>_truth.json``
    (default ``workdir``). ``looks``: (azimuth, range), default from the run's
    report.json. ``bbox`` (S, N, W, E) [deg]: compare only the pixels inside it (e.g. a
    region of interest, to compare runs over the same ground). Returns a dict of the
    measures (module doc); raises ValueError when the products needed are missing. The SLCs
    are found where the run wrote them (its report.json records a reader's ``OUTPUT``; see :class:`isce.io.layout.StripmapLayout`)."""
    work = Path(workdir)
    run = StripmapLayout.of_run(work)
    sim_dir = Path(simulation) if simulation is not None else work
    summary = json.loads((sim_dir / "simulation.json").read_text())
    wavelength = float(summary["radar"]["wavelength"])
    report = {}
    if (work / "report.json").is_file():
        report = json.loads((work / "report.json").read_text())
    az, rg = (looks or report.get("looks") or (1, 1))
    az, rg = int(az), int(rg)
    unw_path = run.interferogram(unwrapped)
    if not Path(str(unw_path) + ".xml").is_file() and not Path(str(unw_path) + ".vrt").is_file():
        raise ValueError(f"{unw_path}: no unwrapped interferogram (did the unwrap step run?)")
    phase = _read(unw_path, band=1)
    n0, n1 = phase.shape
    comp_path = Path(str(unw_path) + ".conncomp")
    comp = _read(comp_path) if comp_path.with_name(comp_path.name + ".xml").is_file() else None
    coh_path = run.interferogram(coherence)
    coh = _read(coh_path) if Path(str(coh_path) + ".xml").is_file() else None
    geo = {k: looked_mean(_read(run.geometry(k)), az, rg, (n0, n1))
           for k in ("lat", "lon", "z")}
    ref = SlcProduct.load(str(run.slc_json("reference")))
    sat = _platform_positions(ref, az, n0)[:, None, :]
    deformation = _deformation(summary)
    if deformation is not None:
        truth = deformation.los(geo["lat"], geo["lon"], geo["z"], sat)
    else:
        truth = np.zeros((n0, n1))
    measured = -phase.astype(np.float64) * wavelength / (4 * math.pi)
    mask = np.isfinite(phase) & (phase != 0)
    if comp is not None:
        mask &= comp > 0
    if coh is not None and min_coherence > 0:
        mask &= coh > min_coherence
    if bbox is not None:
        south, north, west, east = bbox
        mask &= (geo["lat"] >= south) & (geo["lat"] <= north) & (geo["lon"] >= west) & \
            (geo["lon"] <= east)
    if not np.any(mask):
        raise ValueError("no pixel to compare (all phase zero, masked or disconnected)")
    diff = measured - truth
    offset = float(np.median(diff[mask]))
    resid = diff - offset
    r = resid[mask]
    half_cycle = wavelength / 4.0
    h = geo["z"][mask]
    if np.ptp(h) > 0 and np.std(r) > 0:
        corr = float(np.corrcoef(r, h)[0, 1])
        slope = float(np.polyfit(h, r, 1)[0] * 100.0)
    else:
        corr, slope = 0.0, 0.0
    out = {
        "los_displacement_rmse_m": float(np.sqrt(np.mean(r * r))),
        "los_displacement_max_abs_error_m": float(np.max(np.abs(r))),
        "unwrapping_error_fraction": float(np.mean(np.abs(r) > half_cycle)),
        "pixels_compared": int(mask.sum()),
        "pixels_total": int(mask.size),
        "min_coherence": float(min_coherence),
        "constant_removed_m": offset,
        "truth_los_range_m": [float(truth[mask].min()), float(truth[mask].max())],
        "residual_height_correlation": corr,
        "residual_per_100m_height_m": slope,
        "height_range_m": [float(h.min()), float(h.max())],
        "mean_coherence": report.get("mean_coherence"),
        "looks": [az, rg],
        "wavelength_m": wavelength,
    }
    # corner reflectors in both focused images
    targets = {}
    for name in ROLES:
        truth_file = sim_dir / f"{name}_truth.json"
        slc = run.slc_json(name)
        if not truth_file.is_file() or not slc.is_file():
            continue
        product = SlcProduct.load(str(slc))
        for t in json.loads(truth_file.read_text())["targets"]:
            try:
                res = analyze_point_target(product, t["lon"], t["lat"], t["height"])
            except Exception as exc:  # a target outside the focused image: say so
                targets.setdefault(name, {})[t.get("name") or "target"] = {"error": str(exc)}
                continue
            targets.setdefault(name, {})[t.get("name") or "target"] = {
                "azimuth_offset_px": float(res["azimuth"]["offset_px"]),
                "range_offset_px": float(res["range"]["offset_px"]),
                "azimuth_pslr_db": float(res["azimuth"]["pslr_db"]),
                "range_pslr_db": float(res["range"]["pslr_db"])}
    out["point_targets"] = targets
    offsets = [max(abs(v["azimuth_offset_px"]), abs(v["range_offset_px"]))
               for per in targets.values() for v in per.values() if "error" not in v]
    out["point_target_max_offset_px"] = float(max(offsets)) if offsets else None
    return out


def format_comparison(result: dict, *, rmse_limit: float | None = None,
                      unwrap_limit: float | None = None) -> str:
    """A short text table of :func:`compare_with_truth`'s result (with pass/fail marks when
    limits are given)."""
    def mark(ok):
        return "" if ok is None else ("  ok" if ok else "  FAILED")

    rmse = result["los_displacement_rmse_m"]
    frac = result["unwrapping_error_fraction"]
    lines = [
        f"LOS displacement RMSE    {rmse * 1e3:8.3f} mm over {result['pixels_compared']} pixels"
        + (f" (limit {rmse_limit * 1e3:g} mm)" if rmse_limit else "")
        + mark(None if rmse_limit is None else rmse < rmse_limit),
        f"unwrapping errors        {frac * 100:8.4f} %"
        + (f" (limit {unwrap_limit * 100:g} %)" if unwrap_limit is not None else "")
        + mark(None if unwrap_limit is None else frac <= unwrap_limit),
        f"truth LOS range          {result['truth_los_range_m'][0] * 100:.2f} .. "
        f"{result['truth_los_range_m'][1] * 100:.2f} cm",
        f"residual vs height       r = {result['residual_height_correlation']:+.3f}, "
        f"{result['residual_per_100m_height_m'] * 1e3:+.4f} mm per 100 m "
        f"(heights {result['height_range_m'][0]:.0f} .. {result['height_range_m'][1]:.0f} m)",
    ]
    if result.get("mean_coherence") is not None:
        lines.append(f"mean coherence           {result['mean_coherence']:.3f}")
    for name, per in result.get("point_targets", {}).items():
        for tname, v in per.items():
            if "error" in v:
                lines.append(f"{name:9s} {tname:5s}  {v['error']}")
            else:
                lines.append(f"{name:9s} {tname:5s}  peak offset azimuth {v['azimuth_offset_px']:+.4f}"
                             f" px, range {v['range_offset_px']:+.4f} px")
    return "\n".join(lines)
