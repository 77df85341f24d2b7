"""SNAPHU's initialise-only mode (``INITONLY TRUE``), as ISCE2's stripmapApp runs it for
``unwrapper name = snaphu``: the initial solution (minimum-cost flow, ``MCF``, or minimum
spanning tree, ``MST``) is the answer; SNAPHU's nonlinear statistical-cost solver is not
run. A second SNAPHU pass then grows the connected components from that unwrapped phase
(``REGROWCONNCOMPS``: ISCE2's ``Snaphu.growConnectedComponentsOnly``).

Both passes run the SNAPHU executable that the PyPI package ``snaphu`` ships (found with
:mod:`importlib.resources`, as the package itself finds it) with a configuration file
written here: the package's Python API has no initialise-only option.

Shortcut, exact: with no phase residue, the initial flow of either method is zero (every
arc costs at least 1 in SNAPHU's scalar initialisation costs, so any non-zero
circulation costs more than none), and the unwrapped phase is the integral of the wrapped
phase differences, path-independent, starting from the first pixel's wrapped phase as
SNAPHU's integration does. It is computed here in NumPy (:func:`integrate`) instead of
SNAPHU's CS2 solver, which spends ~5 s of CPU on a 1024 x 1024 residue-free
interferogram (ISCE2 4.0 s); with residues SNAPHU runs as ISCE2 ran it.
"""
from __future__ import annotations

import importlib.resources
import logging
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger("isce.unwrap.snaphu")

TWO_PI = 2.0 * np.pi
_ROWS = 512          # rows per block in the NumPy residue count and integration


def _wrap(d):
    """Phase differences [rad] wrapped into [-pi, pi)."""
    return (d + np.pi) % TWO_PI - np.pi


def residue_count(phase: np.ndarray) -> int:
    """Number of non-zero phase residues of a wrapped ``phase`` [rad] (2-D float):
    the sums of wrapped differences around each 2 x 2 loop, in cycles (as SNAPHU's
    ``CycleResidue``)."""
    p = np.asarray(phase, np.float32)
    total = 0
    for r0 in range(0, max(p.shape[0] - 1, 0), _ROWS):
        b = p[r0:r0 + _ROWS + 1]
        dr = _wrap(np.diff(b, axis=1))           # along a row (range)
        da = _wrap(np.diff(b, axis=0))           # down a column (azimuth)
        loop = dr[:-1] + da[:, 1:] - dr[1:] - da[:, :-1]
        total += int(np.count_nonzero(np.rint(loop / TWO_PI)))
    return total


def integrate(phase: np.ndarray) -> np.ndarray:
    """Unwrapped phase [rad, float32] of a residue-free wrapped ``phase`` [rad]: the first
    pixel keeps its wrapped phase, the first column is integrated down, each row across
    (float64 sums). With residues the result depends on this path: use SNAPHU."""
    p = np.asarray(phase, np.float32)
    out = np.empty(p.shape, np.float32)
    col0 = np.empty(p.shape[0], np.float64)
    col0[0] = p[0, 0]
    col0[1:] = p[0, 0] + np.cumsum(_wrap(np.diff(p[:, 0].astype(np.float64))))
    for r0 in range(0, p.shape[0], _ROWS):
        b = p[r0:r0 + _ROWS].astype(np.float64)
        u = np.empty(b.shape, np.float64)
        u[:, 0] = col0[r0:r0 + _ROWS]
        u[:, 1:] = u[:, :1] + np.cumsum(_wrap(np.diff(b, axis=1)), axis=1)
        out[r0:r0 + _ROWS] = u
    return out


def _executable():
    """Context manager giving the path of the ``snaphu`` package's SNAPHU executable."""
    try:
        files = importlib.resources.files("snaphu")
    except ModuleNotFoundError as exc:                            # pragma: no cover - dependency
        raise ImportError("the 'snaphu' unwrapper needs the PyPI package snaphu: "
                          "pip install snaphu") from exc
    return importlib.resources.as_file(files / "snaphu")


def run_snaphu(config: dict, scratch: Path, tag: str) -> None:
    """Run SNAPHU with the ``config`` keywords (SNAPHU's configuration-file names -> values),
    written to ``scratch/<tag>.conf``; its output goes to the log (DEBUG), its error text
    into the RuntimeError raised when it fails."""
    path = scratch / f"{tag}.conf"
    path.write_text("".join(f"{k} {v}\n" for k, v in config.items()))
    with _executable() as exe:
        proc = subprocess.run([os.fspath(exe), "-f", os.fspath(path)], capture_output=True,
                              text=True, check=False)
    if proc.stdout.strip():
        log.debug("snaphu (%s) output:\n%s", tag, proc.stdout.strip())
    if proc.returncode != 0:
        raise RuntimeError(f"SNAPHU ({tag}) failed: {proc.stderr.strip() or proc.returncode}")


def unwrap_init_only(ifg, corr, mask, *, nlooks, cost, init, defomax, max_components,
                     min_conncomp_frac, scratchdir=None):
    """SNAPHU's initial solution of ``ifg`` (complex64, 0 where not finite or zero),
    ``corr`` (float32 coherence), ``mask`` (bool, True = valid; SNAPHU sees coherence 0
    elsewhere) and its regrown connected components.

    ``cost`` ``smooth``/``defo`` (SNAPHU's STATCOSTMODE), ``init`` ``mcf``/``mst``,
    ``defomax`` [cycles] (DEFOMAX_CYCLE), ``max_components`` (MAXNCOMPS),
    ``min_conncomp_frac`` (MINCONNCOMPFRAC). Returns ``(phase float32 [rad], conncomp
    uint32)``; masked pixels are not zeroed here."""
    length, width = ifg.shape
    # SNAPHU refuses a mask in initialise-only mode (ISCE2 gave it none): masked pixels keep
    # their phase (zero magnitude where the interferogram is invalid) with coherence 0
    corr = np.where(mask, corr, 0).astype(np.float32)
    phase = np.angle(ifg).astype(np.float32)
    n_res = residue_count(phase)
    base = {"LINELENGTH": width, "NCORRLOOKS": float(nlooks), "STATCOSTMODE": cost.upper(),
            "DEFOMAX_CYCLE": float(defomax), "CORRFILEFORMAT": "FLOAT_DATA"}
    with tempfile.TemporaryDirectory(prefix="isce-snaphu-", dir=scratchdir) as tmp:
        scratch = Path(tmp)
        files = {k: scratch / k for k in ("igram.c8", "corr.f4", "mask.u1", "unw.f4", "cc.u4",
                                         "mag.f4")}
        np.ascontiguousarray(corr, np.float32).tofile(files["corr.f4"])
        np.ascontiguousarray(mask, np.uint8).tofile(files["mask.u1"])
        base["CORRFILE"] = files["corr.f4"]
        if n_res == 0:
            log.info("snaphu: no phase residue: the %s initialisation's flow is zero; phase "
                     "integrated directly", init.upper())
            unw = integrate(phase)
        else:
            log.info("snaphu: %d residues: SNAPHU's %s initialisation only", n_res, init.upper())
            np.ascontiguousarray(ifg, np.complex64).tofile(files["igram.c8"])
            run_snaphu({**base, "INFILE": files["igram.c8"], "INFILEFORMAT": "COMPLEX_DATA",
                        "OUTFILE": files["unw.f4"], "OUTFILEFORMAT": "FLOAT_DATA",
                        "INITMETHOD": init.upper(), "INITONLY": "TRUE"}, scratch, "init")
            unw = np.fromfile(files["unw.f4"], np.float32).reshape(length, width)
        del phase
        unw.tofile(files["unw.f4"])
        np.abs(ifg).astype(np.float32).tofile(files["mag.f4"])
        run_snaphu({**base, "REGROWCONNCOMPS": "TRUE", "INFILE": files["unw.f4"],
                    "INFILEFORMAT": "FLOAT_DATA", "UNWRAPPEDINFILEFORMAT": "FLOAT_DATA",
                    "MAGFILE": files["mag.f4"], "MAGFILEFORMAT": "FLOAT_DATA",
                    "BYTEMASKFILE": files["mask.u1"],
                    "CONNCOMPFILE": files["cc.u4"], "CONNCOMPOUTTYPE": "UINT",
                    "MINCONNCOMPFRAC": float(min_conncomp_frac),
                    "MAXNCOMPS": int(max_components)}, scratch, "regrow")
        cc = np.fromfile(files["cc.u4"], np.uint32).reshape(length, width)
    return unw, cc
