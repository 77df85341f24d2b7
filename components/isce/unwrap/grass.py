"""ISCE2's ``grass`` unwrapper (mroipac/grass): the residues, GZW branch cuts (one tree
set) and flood fill of :mod:`isce.unwrap.icu`, at one fixed correlation threshold
(``CORR_THRESHOLD``, 0.1) and from ONE seed, the usable pixel nearest the image centre:
one connected component (label 1), everything not reached from it 0."""
from __future__ import annotations

from . import icu
from ._common import Unwrapped

__all__ = ["unwrap", "unwrap_raster"]

#: ISCE2 grass's default correlation threshold
CORR_THRESHOLD = 0.1


def unwrap(interferogram, coherence=None, *, corr_threshold: float = CORR_THRESHOLD,
           **options) -> Unwrapped:
    """:func:`isce.unwrap.icu.unwrap` with the threshold fixed at ``corr_threshold``, one
    seed at the centre and one tree set (ISCE2 grass's ``trees``)."""
    for name in ("init_corr_threshold", "max_corr_threshold", "corr_threshold_inc"):
        if name in options:
            raise ValueError(f"grass has one fixed corr_threshold; {name} is icu's option")
    for name in ("seeding", "bootstrap_lines", "bootstrap_points"):
        if name in options:
            raise ValueError(f"grass grows from one seed at the centre; {name} is icu's option")
    options.setdefault("tree_sets", 1)
    return icu.unwrap(interferogram, coherence, init_corr_threshold=corr_threshold,
                      max_corr_threshold=corr_threshold, seeding="centre", **options)


def unwrap_raster(interferogram, coherence, output, conncomp="auto", **options):
    """As :func:`isce.unwrap.icu.unwrap_raster`, with :func:`unwrap`."""
    return icu.write_result(unwrap, interferogram, coherence, output, conncomp, options)
