"""The interferogram network of a stack: which date pairs to form.

Two selections, as ISCE2's stack processors make them (dates ``YYYYMMDD``, a pair is
``(earlier, later)``):

* small baseline (ISCE2 ``stackStripMap.py``'s ``selectPairs``): every pair whose temporal
  baseline [days] is *strictly* below ``max_days`` and whose perpendicular baseline [m]
  (difference of the dates' baselines to the reference) is *strictly* below ``max_perp_m``;
* sequential: each date with its ``n`` next dates in time (ISCE2 ``stackSentinel.py``'s
  ``--num_connections``); combined with the thresholds when both are given.

Perpendicular baselines come from the orbits (:func:`date_baselines`, through
:mod:`isce.geometry.baseline`).
"""
from __future__ import annotations

import datetime as _dt

import numpy as np

from isce.geometry.baseline import stripmap_perpendicular

__all__ = ["date_baselines", "days_between", "select_pairs", "sequential_pairs",
           "small_baseline_pairs", "ISCE2_MAX_DAYS", "ISCE2_MAX_PERP_M"]

#: ISCE2 stackStripMap's default thresholds (``--time_threshold``, ``--baseline_threshold``)
ISCE2_MAX_DAYS = 10000.0
ISCE2_MAX_PERP_M = 5000.0


def days_between(d1: str, d2: str) -> int:
    """Whole days from date ``d1`` to ``d2`` (``YYYYMMDD``), as ISCE2 counts them."""
    parse = lambda d: _dt.datetime.strptime(d, "%Y%m%d")  # noqa: E731
    return (parse(d2) - parse(d1)).days


def date_baselines(reference, products: dict) -> dict:
    """Perpendicular baseline [m] of each date to the ``reference`` product: the mean of
    ISCE2 stripmapStack's top and bottom values (its sign; mid range, on the ellipsoid),
    the reference itself 0. ``products``: ``{date: product}`` (``radar_grid``, ``orbit``)."""
    out = {}
    for date, product in products.items():
        out[date] = 0.0 if product is reference else float(
            np.mean(stripmap_perpendicular(reference, product)))
    return out


def small_baseline_pairs(dates, baselines: dict, max_days: float, max_perp_m: float) -> list:
    """Pairs with ``|dt| < max_days`` and ``|dB_perp| < max_perp_m`` (ISCE2's strict <)."""
    dates = sorted(dates)
    pairs = []
    for i, d1 in enumerate(dates):
        for d2 in dates[i + 1:]:
            db = abs(baselines[d2] - baselines[d1])
            dt = abs(days_between(d1, d2))
            if db < max_perp_m and dt < max_days:
                pairs.append((d1, d2))
    return pairs


def sequential_pairs(dates, n: int) -> list:
    """Each date with its ``n`` next dates in time (``n`` >= 1)."""
    dates = sorted(dates)
    return [(d1, d2) for i, d1 in enumerate(dates) for d2 in dates[i + 1:i + 1 + int(n)]]


def select_pairs(dates, baselines: dict, *, max_days: float = ISCE2_MAX_DAYS,
                 max_perp_m: float = ISCE2_MAX_PERP_M, sequential: int = 0) -> list:
    """The network: the small-baseline pairs, restricted to the ``sequential`` nearest
    dates when ``sequential`` > 0; sorted ``(earlier, later)`` pairs."""
    pairs = small_baseline_pairs(dates, baselines, max_days, max_perp_m)
    if sequential and sequential > 0:
        keep = set(sequential_pairs(dates, sequential))
        pairs = [p for p in pairs if p in keep]
    return pairs
