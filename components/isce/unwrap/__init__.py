"""isce.unwrap: 2-D phase unwrapping of (filtered) interferograms, with connected components.

Four unwrappers, chosen by ISCE's ``unwrapper name``:

``snaphu``  (default) SNAPHU's statistical-cost network-flow unwrapper through
            the PyPI package ``snaphu`` (:mod:`isce.unwrap.snaphu`). By this name
            (and ``snaphu_mcf``) ISCE2 stripmapApp's run: MCF initialisation only,
            smooth cost (:mod:`isce.unwrap.snaphu_init`); ``snaphu_full``: SNAPHU's
            full solver (cost ``smooth``/``defo``, init ``mst``/``mcf``, tiling).
``mcf``     our own minimum-cost-flow unwrapper (:mod:`isce.unwrap.mcf`,
            Costantini's formulation solved with Google OR-Tools), coherence
            weighted, tiled for large images, connected components.
``icu``     ISCE2's branch-cut unwrapper (:mod:`isce.unwrap.icu`): GZW residue
            trees, a rising correlation threshold and a flood fill from a grid of
            seeds; one component per seed region (C++ kernel ``isce.ext._unwrap``).
``grass``   ISCE2's ``grass`` (:mod:`isce.unwrap.grass`): the same cuts and flood
            fill at one correlation threshold from one seed at the centre.

:mod:`isce.unwrap.twostage` ties connected components together (ISCE2's two-stage
unwrapping).

All mask NaN, infinite and zero interferogram samples and NaN or zero
coherence, and write ISCE's ``filt_topophase.unw`` (FLOAT, 2 bands BIL:
amplitude, unwrapped phase in radians) and ``filt_topophase.unw.conncomp``
(BYTE; 1 = largest component, 0 = masked or in a component too small to trust).

    import isce.unwrap
    isce.unwrap.unwrap("snaphu", "filt_topophase.flat", "phsig.cor", "filt_topophase.unw",
                       nlooks=9)
    res = isce.unwrap.unwrap_array("mcf", ifg, coherence)   # res.phase, res.conncomp

README paragraph (licence):

    Unwrapping uses SNAPHU through the PyPI package ``snaphu`` by default.
    SNAPHU's bundled CS2 minimum-cost-flow solver (copyright IG Systems,
    shipped inside the ``snaphu`` package and run by SNAPHU's MCF
    initialisation, ``unwrapper name = snaphu``, ``snaphu_mcf``) is licensed for
    non-commercial use only. For commercial use choose ``unwrapper name =
    mcf``: isce's own minimum-cost-flow unwrapper, solved with Google
    OR-Tools (Apache-2.0), has no such restriction and does not need the
    ``snaphu`` package at all.

ISCE2's ``snaphu_mcf`` is accepted: it is ``snaphu`` (:data:`isce.unwrap.registry.SNAPHU_ISCE2`).
ISCE2's icu writes its components to ``filt_topophase.conncomp``; here every unwrapper
writes ``filt_topophase.unw.conncomp``.

Names are loaded on first use, so ``import isce.unwrap`` costs nothing.
"""
from isce._lazy import attach as _attach

_LAZY = {
    "unwrap": "registry",
    "unwrap_array": "registry",
    "UNWRAPPERS": "registry",
    "canonical_name": "registry",
    "Unwrapped": "_common",
    "label_components": "_common",
    "valid_mask": "_common",
}

_SUBMODULES = frozenset({"snaphu", "snaphu_init", "mcf", "icu", "grass", "twostage", "registry"})

__all__ = sorted(_LAZY)


__getattr__, __dir__ = _attach(__name__, _SUBMODULES, _LAZY)
