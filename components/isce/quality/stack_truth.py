"""MintPy's time series and velocity of a simulated stack against the simulation's truth.

The simulator (``simulateApp.py simulateApp.dates=N``) writes ``truth/<date>.los.rdr``:
the LOS displacement [m, positive towards the radar, as MintPy's] of every date relative
to the first, on the first date's full-resolution grid, and ``truth/stack.json``.
MintPy (``smallbaselineApp.py`` on ``stackStripMap.py``'s products) gives, at the
interferograms' looks, a time series [m] and a velocity [m/yr], both relative to its
reference date and reference pixel (``REF_Y``/``REF_X``).

The comparison brings the truth to MintPy's frame: the mean over the looks, minus its
value at MintPy's reference pixel and date. The truth velocity is the least-squares
slope of the truth time series at the stack's dates (what MintPy's default linear
velocity estimates; a seasonal term is part of the truth and of the data alike).
RMS are taken over MintPy's coherent pixels (``maskTempCoh.h5``) with data.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import h5py
import numpy as np

import isce.io
from isce.io.atomic import write_text
from isce.quality.truth import looked_mean

__all__ = ["compare_mintpy_with_truth", "format_stack_comparison", "write_comparison", "YEAR_DAYS"]

#: MintPy's year [days] (mintpy.utils.ptime: decimal years with 365.25 days)
YEAR_DAYS = 365.25


def _dates(names) -> list[str]:
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def _years(dates: list[str]) -> np.ndarray:
    t = [_dt.datetime.strptime(d, "%Y%m%d") for d in dates]
    return np.array([(x - t[0]).days / YEAR_DAYS for x in t])


def _timeseries_file(mintpy_dir: Path) -> Path:
    """The time series MintPy's velocity was estimated from: the last of its chain, whose
    name carries every correction made (``timeseries_LOD_demErr.h5``: Envisat's oscillator
    drift, then the topographic residual)."""
    found = [p for p in mintpy_dir.glob("timeseries*.h5") if not p.name.startswith(
        "timeseriesResidual")]
    if not found:
        raise FileNotFoundError(f"no MintPy time series in {mintpy_dir}")
    return max(found, key=lambda p: (len(p.stem.split("_")), p.stat().st_mtime))


def _truth_stack(truth_dir: Path, dates: list[str], looks, shape) -> np.ndarray:
    """(dates, rows, cols) looked truth [m]; the first date is zero by definition."""
    az, rg = looks
    out = np.empty((len(dates), *shape))
    for k, date in enumerate(dates):
        path = truth_dir / f"{date}.los.rdr"
        if not path.exists():
            raise FileNotFoundError(f"no truth for date {date}: {path}")
        out[k] = looked_mean(isce.io.open(str(path)).read(), az, rg, shape)
    return out


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else float("nan")


def compare_mintpy_with_truth(mintpy_dir, truth_dir, looks) -> dict:
    """RMS [m, m/yr] of MintPy's time series (per date) and velocity against the truth.

    ``looks``: (azimuth, range) looks of the interferograms MintPy loaded."""
    mintpy_dir, truth_dir = Path(mintpy_dir), Path(truth_dir)
    ts_file = _timeseries_file(mintpy_dir)
    with h5py.File(ts_file, "r") as f:
        ts = np.asarray(f["timeseries"], dtype=np.float64)
        dates = _dates(f["date"][:])
        ref_y, ref_x = int(f.attrs["REF_Y"]), int(f.attrs["REF_X"])
        ref_date = str(f.attrs.get("REF_DATE", dates[0]))
    with h5py.File(mintpy_dir / "velocity.h5", "r") as f:
        velocity = np.asarray(f["velocity"], dtype=np.float64)
    with h5py.File(mintpy_dir / "maskTempCoh.h5", "r") as f:
        mask = np.asarray(f["mask"], dtype=bool)
    truth = _truth_stack(truth_dir, dates, looks, velocity.shape)
    if ref_date not in dates:
        raise ValueError(f"{ts_file}: reference date {ref_date} is not one of its dates")
    truth -= truth[dates.index(ref_date)]               # MintPy's reference date
    truth -= truth[:, ref_y:ref_y + 1, ref_x:ref_x + 1]  # and reference pixel
    t = _years(dates)
    design = np.vstack([t, np.ones_like(t)]).T
    coef, *_ = np.linalg.lstsq(design, truth.reshape(len(t), -1), rcond=None)
    truth_velocity = coef[0].reshape(velocity.shape)
    good = mask & np.isfinite(velocity) & np.all(np.isfinite(ts), axis=0) & (velocity != 0)
    good[ref_y, ref_x] = False                          # zero by construction
    per_date = {d: _rms((ts[k] - truth[k])[good]) for k, d in enumerate(dates)}
    return {
        "timeseries_file": ts_file.name,
        "dates": dates,
        "reference_pixel": [ref_y, ref_x],
        "reference_date": ref_date,
        "pixels": int(good.sum()),
        "coherent_fraction": float(good.mean()),
        "velocity_rms_m_per_yr": _rms((velocity - truth_velocity)[good]),
        "truth_velocity_range_m_per_yr": [float(truth_velocity[good].min()),
                                          float(truth_velocity[good].max())] if good.any() else None,
        "timeseries_rms_m": per_date,
        "timeseries_max_rms_m": max(per_date.values()) if per_date else float("nan"),
    }


def format_stack_comparison(result: dict, velocity_limit=None, timeseries_limit=None) -> str:
    """A few lines for a terminal: the RMS against their limits [mm/yr, mm]."""
    def mark(value, limit):
        return "" if limit is None else (" (limit %.1f: %s)" % (limit * 1e3, "ok" if value < limit
                                                                 else "MISSED"))
    v, m = result["velocity_rms_m_per_yr"], result["timeseries_max_rms_m"]
    lines = [f"  pixels compared: {result['pixels']} ({100 * result['coherent_fraction']:.1f} % "
             f"of the grid, MintPy's coherent pixels), reference pixel {result['reference_pixel']}",
             f"  velocity RMS: {v * 1e3:.3f} mm/yr{mark(v, velocity_limit)}",
             f"  time series RMS, worst date: {m * 1e3:.3f} mm{mark(m, timeseries_limit)}"]
    lines += [f"    {d}: {r * 1e3:.3f} mm" for d, r in result["timeseries_rms_m"].items()]
    return "\n".join(lines)


def write_comparison(result: dict, path) -> None:
    """``result`` as JSON (atomic)."""
    write_text(str(path), json.dumps(result, indent=1) + "\n")
