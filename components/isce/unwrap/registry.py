"""``unwrapper name`` -> unwrapper: :func:`unwrap` (rasters on disk) and
:func:`unwrap_array` (arrays), with ISCE2's names meaning what they meant in ISCE2's
stripmapApp (and stripmapStack), where we have the algorithm:

``snaphu``, ``snaphu_mcf``
    SNAPHU's initialisation only: smooth cost, minimum-cost-flow (MCF) initial solution,
    DEFOMAX_CYCLE 2, at most 20 connected components regrown from it (ISCE2 stripmapApp's
    ``runUnwrap``; ISCE2's ``snaphu_mcf`` is the same, ``runUnwrapMcf``, which stripmapApp
    names but no longer defines).
``snaphu_full``
    SNAPHU's full nonlinear statistical-cost solver (ours; smooth cost from a minimum
    spanning tree by default: ``cost``, ``init``, ``ntiles`` options). ISCE2's old insarApp
    ran this, with ``defo`` cost, for its ``snaphu``.
``mcf``
    our minimum-cost-flow unwrapper (OR-Tools).
``icu``, ``grass``
    ISCE2's branch-cut unwrappers.
"""
from __future__ import annotations

import difflib
import logging
from importlib import import_module

log = logging.getLogger("isce.unwrap")

#: canonical name -> module (relative to isce.unwrap)
UNWRAPPERS = {"snaphu": "snaphu", "mcf": "mcf", "icu": "icu", "grass": "grass"}

#: ISCE2 stripmapApp's SNAPHU run (runUnwrapSnaphu.runUnwrap): initialisation only
SNAPHU_ISCE2 = {"cost": "smooth", "init": "mcf", "init_only": True, "defomax": 2.0,
                "max_components": 20}

# names -> (canonical name, fixed options)
_ALIASES = {
    "snaphu": ("snaphu", SNAPHU_ISCE2),
    "snaphu_mcf": ("snaphu", SNAPHU_ISCE2),
    "snaphumcf": ("snaphu", SNAPHU_ISCE2),
    "snaphu_full": ("snaphu", {"init_only": False}),
    "mcf": ("mcf", {}),
    "icu": ("icu", {}),
    "grass": ("grass", {}),
}
#: the names ``unwrapper name`` accepts
NAMES = ("snaphu", "snaphu_mcf", "snaphu_full", "mcf", "icu", "grass")
#: ISCE2 names of unwrappers not implemented here
NOT_AVAILABLE = ()


def canonical_name(name):
    """``(canonical name, fixed options)`` of an unwrapper name (case and spaces ignored)."""
    key = "".join(str(name).split()).lower().replace("-", "_")
    if key in NOT_AVAILABLE:
        raise ValueError(f"{key} is not available yet; choose one of {', '.join(sorted(_ALIASES))}")
    if key not in _ALIASES:
        close = difflib.get_close_matches(key, list(_ALIASES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown unwrapper name {name!r}{hint}; choose one of "
                         f"{', '.join(sorted(_ALIASES))}")
    canon, fixed = _ALIASES[key]
    if key != canon or fixed:
        log.info("unwrapper %r: using %r%s", name, canon, f" with {fixed}" if fixed else "")
    return canon, dict(fixed)


def _module(name, options):
    canon, fixed = canonical_name(name)
    for k, v in fixed.items():
        if k in options and options[k] != v:
            raise ValueError(f"unwrapper {name!r} fixes {k}={v!r}, got {k}={options[k]!r}")
    merged = {**options, **fixed}
    return import_module(f"isce.unwrap.{UNWRAPPERS[canon]}"), merged


def unwrap(name, interferogram, coherence, output, conncomp="auto", **options):
    """Unwrap ``interferogram`` (path, isce.io Raster or array) with the unwrapper
    ``name`` into ISCE rasters ``output`` (2-band BIL amplitude + phase) and
    ``conncomp`` (default ``<output>.conncomp``). Returns ``(output, conncomp)``.

    ``options`` go to the unwrapper (see :func:`isce.unwrap.snaphu.unwrap_raster`,
    :func:`isce.unwrap.mcf.unwrap_raster`, :func:`isce.unwrap.icu.unwrap_raster`,
    :func:`isce.unwrap.grass.unwrap_raster`)."""
    module, options = _module(name, options)
    return module.unwrap_raster(interferogram, coherence, output, conncomp, **options)


def unwrap_array(name, interferogram, coherence=None, **options):
    """Unwrap arrays; returns :class:`isce.unwrap.Unwrapped` ``(phase, conncomp)``."""
    module, options = _module(name, options)
    return module.unwrap(interferogram, coherence, **options)
