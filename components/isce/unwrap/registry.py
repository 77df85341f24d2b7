"""``unwrapper name`` -> unwrapper: :func:`unwrap` (rasters on disk) and
:func:`unwrap_array` (arrays), with ISCE2's names accepted where we have the algorithm
(snaphu, snaphu_mcf, mcf, and ISCE2's branch-cut ``icu`` and ``grass``)."""
from __future__ import annotations

import difflib
import logging
from importlib import import_module

log = logging.getLogger("isce.unwrap")

#: canonical name -> module (relative to isce.unwrap)
UNWRAPPERS = {"snaphu": "snaphu", "mcf": "mcf", "icu": "icu", "grass": "grass"}

# ISCE2 names -> (canonical name, fixed options)
_ALIASES = {
    "snaphu": ("snaphu", {}),
    "snaphu_mcf": ("snaphu", {"init": "mcf"}),
    "snaphumcf": ("snaphu", {"init": "mcf"}),
    "mcf": ("mcf", {}),
    "icu": ("icu", {}),
    "grass": ("grass", {}),
}
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
    if key != canon:
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
