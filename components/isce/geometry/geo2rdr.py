"""geo2rdr: geographic coordinates -> radar coordinates of a (secondary) image.

The per-target solver is ISCE3's ``geo2rdr`` (compiled, ``library/geometry``):
Newton iterations on the Doppler equation

    (T - p(t)) . v(t) = (lambda / 2) f(t, R) R,      R = |T - p(t)|

for the azimuth time t [s], starting from a guess (or a coarse scan of the
orbit), until the Newton step is below ``threshold`` [s] (``maxiter`` at
most; the Doppler range derivative by a ``delta_range`` [m] difference).

:func:`geo2rdr_block` and :func:`geo2rdr_offsets` turn the rdr2geo outputs of a
reference image (lon, lat, z per reference pixel) into ISCE's pixel offsets
of a secondary image,

    range.off   = (R - R0) / dR - j          (secondary sample - reference sample)
    azimuth.off = (t - t0) * PRF - i         (secondary line - reference line)

with (t0, R0, dR, PRF) the secondary radar grid and (i, j) the reference
pixel; a resampler then reads the secondary at (i + azimuth.off,
j + range.off). Targets where geo2rdr fails get NaN offsets.

Times are seconds since the radar grid's ``reference_epoch`` (Doppler tables
too); the orbit may use another epoch (shifted exactly).
"""
from __future__ import annotations

import logging
import os
from contextlib import ExitStack

import numpy as np

import isce.io
from isce.core.ellipsoid import WGS84
from isce.core.threads import kernel_threads
from isce.io.readahead import read_ahead, read_rows_kept

from ._convert import doppler_data, epoch_ns, kernels, orbit_data, side_sign

__all__ = ["geo2rdr_points", "geo2rdr_block", "geo2rdr_offsets", "STATUS", "OFFSET_FILES"]

log = logging.getLogger("isce.geometry.geo2rdr")

#: meaning of the status codes returned by the kernel
STATUS = {0: "converged", 1: "not converged", 2: "wrong look side",
          3: "Doppler table left (bounds_error)", 4: "outside the orbit", 5: "bad input"}

OFFSET_FILES = {"range": "range.off", "azimuth": "azimuth.off"}


def _ellipsoid(ellipsoid):
    if ellipsoid is None:
        ellipsoid = WGS84
    return float(ellipsoid.a), float(ellipsoid.e2)


def geo2rdr_points(llh, orbit, wavelength, look_side, *, doppler=None, epoch=None, t0=None,
                   threshold=1e-8, maxiter=50, delta_range=10.0, doppler_method=None,
                   orbit_method=None, ellipsoid=None, threads=0):
    """geo2rdr of targets ``llh`` (..., 3): longitude, latitude [rad], height [m].

    ``doppler``: None (zero Doppler), Hz, or a model ``doppler.eval(t, R)``
    (t in s since ``epoch``, default the orbit's epoch). ``t0``: initial
    azimuth times (broadcast to llh.shape[:-1]); None: coarse orbit scan.
    Returns ``(t, r, status)`` of shape llh.shape[:-1]: azimuth time [s since
    ``epoch``], slant range [m], status (0 converged, see :data:`STATUS`).
    """
    g = kernels()
    epoch = orbit.reference_epoch if epoch is None else epoch
    llh = np.ascontiguousarray(llh, dtype=np.float64)
    guess = None
    if t0 is not None:
        guess = np.ascontiguousarray(np.broadcast_to(np.asarray(t0, dtype=np.float64),
                                                     llh.shape[:-1]))
    a, e2 = _ellipsoid(ellipsoid)
    return g.geo2rdr_points(orbit_data(orbit, epoch, orbit_method),
                            doppler_data(doppler, method=doppler_method), llh, float(wavelength),
                            side_sign(look_side), t0=guess, a=a, e2=e2, threshold=threshold,
                            maxiter=maxiter, delta_range=delta_range,
                            threads=kernel_threads(threads))


def _default_threshold(grid, threshold):
    # ISCE3's geo2rdr test: 1e-6 of an azimuth line
    return 1e-6 / grid.prf if threshold is None else float(threshold)


def geo2rdr_block(lon, lat, hgt, secondary_grid, orbit, doppler=None, *, first_line=0,
                  reference_grid=None, threshold=None, maxiter=50, delta_range=10.0,
                  doppler_method=None, orbit_method=None, ellipsoid=None,
                  mask_outside=False, threads=0):
    """Pixel offsets into ``secondary_grid`` of a block of targets.

    ``lon``, ``lat`` [deg], ``hgt`` [m]: (lines, width) arrays, row k being
    reference line ``first_line + k`` and column j reference sample j (the
    rdr2geo outputs of the reference image). ``orbit``/``doppler``: of the
    secondary. ``reference_grid``: its line times seed the first pixel of
    each line (else a coarse scan of the orbit); the other pixels start from
    their left neighbour's solution. Compiled, OpenMP over lines. ``threshold`` [s]: default
    1e-6 secondary line. ``mask_outside``: NaN offsets for targets outside
    the secondary grid (ISCE3 writes a null value there); by default they are
    kept. Returns ``(range_off, azimuth_off, status)``.
    """
    g = kernels()
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    hgt = np.asarray(hgt, dtype=np.float64)
    if not (lon.shape == lat.shape == hgt.shape) or lon.ndim != 2:
        raise ValueError(f"lon, lat, hgt must be 2-D arrays of one shape, got "
                         f"{lon.shape}, {lat.shape}, {hgt.shape}")
    lines = lon.shape[0]
    sec = secondary_grid
    epoch = sec.reference_epoch
    t_line = None
    if reference_grid is not None:
        shift = (epoch_ns(reference_grid.reference_epoch) - epoch_ns(epoch)) / 1e9
        t_line = reference_grid.sensing_time(
            np.arange(first_line, first_line + lines, dtype=float)) + shift
    a, e2 = _ellipsoid(ellipsoid)
    return g.geo2rdr_grid(
        orbit_data(orbit, epoch, orbit_method),
        doppler_data(doppler, method=doppler_method, grid=sec), lon, lat, hgt,
        (sec.sensing_start, sec.prf, sec.starting_range, sec.range_pixel_spacing, sec.length,
         sec.width), sec.wavelength, sec.look_side_sign, first_line=int(first_line),
        t_line=t_line, a=a, e2=e2, threshold=_default_threshold(sec, threshold),
        maxiter=maxiter, delta_range=delta_range, mask_outside=mask_outside,
        threads=kernel_threads(threads))


def _topo_paths(topo):
    """(lon, lat, z) raster paths from a folder (lon.rdr, lat.rdr, z.rdr) or a 3-tuple."""
    if isinstance(topo, (str, os.PathLike)):
        return tuple(os.path.join(topo, n) for n in ("lon.rdr", "lat.rdr", "z.rdr"))
    paths = tuple(topo)
    if len(paths) != 3:
        raise ValueError("topo must be a folder or (lon, lat, z) raster paths")
    return paths


def geo2rdr_offsets(topo, secondary_grid, orbit, doppler=None, output_dir="offsets", *,
            reference_grid=None, dtype="FLOAT", block_lines=None, progress=None,
            threshold=None, maxiter=50, delta_range=10.0, doppler_method=None,
            orbit_method=None, ellipsoid=None, mask_outside=False, threads=0):
    """Write ``range.off`` and ``azimuth.off`` of ``secondary_grid`` for a topo run.

    ``topo``: the rdr2geo output folder (``lon.rdr lat.rdr z.rdr``) or the
    three raster paths (lon [deg], lat [deg], height [m]) of the reference
    grid. ``orbit``/``doppler``: the secondary's. ``reference_grid``: the
    grid the topo rasters are on (seeds the iterations; recommended).
    ``dtype``: 'FLOAT' (ISCE3) or 'DOUBLE'. Returns ``{'range': path,
    'azimuth': path}``; failed targets are NaN. The topo rasters are read as copies of
    ``block_lines`` lines (default: ~3 MiB per raster), the next block while the kernel works
    on this one, and the offsets written through the file: nothing stays mapped.
    """
    lon_r, lat_r, z_r = (isce.io.open(p) for p in _topo_paths(topo))
    length, width = lon_r.length, lon_r.width
    for r in (lat_r, z_r):
        if (r.length, r.width) != (length, width):
            raise ValueError(f"{r.path} is {r.length}x{r.width}, {lon_r.path} is {length}x{width}")
    if reference_grid is not None and reference_grid.shape != (length, width):
        raise ValueError(f"reference_grid is {reference_grid.shape}, the topo rasters are "
                         f"{(length, width)}")
    os.makedirs(output_dir, exist_ok=True)
    if block_lines is None:     # lon, lat, z of this block and the next, and the outputs
        block_lines = isce.io.block_lines_for(width, "float64", arrays=10, budget=32 * 2**20)
    if progress is None:
        progress = length * width > 2_000_000
    paths = {k: os.path.join(output_dir, n) for k, n in OFFSET_FILES.items()}
    counts = np.zeros(len(STATUS), dtype=np.int64)

    # two alternating sets of buffers (the read-ahead holds two blocks): read through the
    # file (no map) into the same pages block after block, not fresh ones zeroed each time
    kept = ({}, {})

    def read(rows):
        turn = kept[(rows.start // block_lines) % 2]
        return tuple(read_rows_kept(r, rows, turn, k) for k, r in enumerate((lon_r, lat_r, z_r)))

    blocks = isce.io.iter_blocks(length, block_lines, progress=progress, desc="geo2rdr")
    with ExitStack() as stack:
        w_rg = stack.enter_context(isce.io.create(paths["range"], width, length, dtype))
        w_az = stack.enter_context(isce.io.create(paths["azimuth"], width, length, dtype))
        for rows, (lon, lat, z) in read_ahead(blocks, read):
            rg, az, st = geo2rdr_block(
                lon, lat, z, secondary_grid, orbit, doppler, first_line=rows.start,
                reference_grid=reference_grid, threshold=threshold, maxiter=maxiter,
                delta_range=delta_range, doppler_method=doppler_method,
                orbit_method=orbit_method, ellipsoid=ellipsoid, mask_outside=mask_outside,
                threads=threads)
            w_rg.write_rows(rg.astype(w_rg.dtype, copy=False), rows)
            w_az.write_rows(az.astype(w_az.dtype, copy=False), rows)
            failed = st[st != 0]        # usually none: count those only
            counts[0] += st.size - failed.size
            counts += np.bincount(failed.view(np.uint8), minlength=len(STATUS))
    log.info("geo2rdr: %s", ", ".join(f"{STATUS[k]} {int(c)}" for k, c in enumerate(counts) if c))
    return paths
