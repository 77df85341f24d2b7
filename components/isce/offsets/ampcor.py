"""Amplitude cross-correlation offsets (ISCE ``mroipac/ampcor``, ``DenseAmpcor``).

For each window of a grid on the reference image, the matching position in
the secondary image is found in two stages, as ISCE's ampcor does:

1. **coarse**: the detected reference chip (``window`` samples) is
   correlated with a search chip ``window + 2 search`` around the expected
   position (the window plus a ``gross_offset``); the normalized
   cross-correlation (NCC, computed by FFT with running-sum normalisation) is
   maximised over the integer lags ``-search .. +search``. The SNR (ISCE's
   definition, :func:`isce.offsets._ncc.snr_isce`) and an offset covariance
   from the peak curvature (:func:`isce.offsets._ncc.covariance_isce`) come
   from this surface.
2. **fine**: complex chips around the integer match (``window`` plus a margin
   in the reference; ``window + 2 refine_search`` plus the margin in the
   secondary) are deramped (their spectral centroid, e.g. the Doppler, is
   moved to zero), oversampled ``oversample`` times by FFT zero-padding,
   cropped to the window, detected and correlated again over
   ``+-refine_search`` pixels. The sub-pixel peak is the maximum of the
   band-limited interpolant of that correlation (see
   :func:`isce.offsets._ncc.refine_peak`), located to ~1e-5 pixel.

Detection. With ``detection="intensity"`` (default) the fine stage
correlates ``|z|^2`` of the 2x oversampled chips: the intensity of a complex
image is band-limited to twice its band, so at 2x sampling it is not aliased
and the correlation peak is unbiased (a 0.3 / 0.2 pixel shift of a speckle
pair is recovered to ~2e-5 pixel on average). ``"amplitude"`` (ISCE's
choice) correlates ``|z|``, which is not band-limited: at 2x it leaves a
systematic bias of ~3e-3 pixel. Real (already detected) inputs are
oversampled and correlated as they are.

Conventions. Lines and pixels count from 0. An offset is "secondary
position minus reference position" [pixels]: the feature at reference
``(line, pixel)`` is at secondary ``(line + azimuth, pixel + range)``, which
is what :func:`isce.signal.resample.resample_slc` takes to bring the
secondary onto the reference grid. ``line``/``pixel`` of a window are the
centre of its reference chip, ``top + (window - 1) / 2``.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

import isce.io
from isce.core.threads import kernel_threads
from isce.io.blocks import progress_bar

from . import _ncc
from ._chips import ImageSource

__all__ = ["ampcor", "OffsetField", "window_grid", "write_dense", "read_offsets_txt",
           "STATUS"]

#: window status codes of :attr:`OffsetField.status`
STATUS = {
    0: "ok",
    1: "reference or search chip outside the image",
    2: "no signal (a flat or empty chip)",
    3: "coarse peak at the limit of the search range",
    4: "fine peak at the limit of the refinement search",
}


@dataclass
class OffsetField:
    """Offsets measured on a grid of windows (ISCE's ``OffsetField``).

    Attributes (arrays of one value per window, in grid order, row-major over
    ``grid_shape`` when the windows form a grid):

    line, pixel : float64
        Centre of the reference window [reference lines, pixels].
    azimuth, range : float64
        Offsets [pixels], secondary minus reference; NaN where ``status != 0``.
    snr : float64
        ISCE's SNR of the coarse correlation peak (peak^2 over the mean square
        of the surface around it); 0 where no peak was found.
    peak : float64
        Normalized correlation at the fine peak (0..1).
    cov_az, cov_rg, cov_azrg : float64
        Offset covariance from the coarse peak curvature [pixels^2] (ISCE's
        ``sigmay^2``, ``sigmax^2``, ``sigmaxy``); 99 where undefined.
    status : int8
        0 ok, else the reason the window has no offset (:data:`STATUS`).
    grid_shape : (rows, cols) or None
        Shape of the window grid (for :func:`write_dense`).
    params : dict
        The ampcor parameters used.
    """

    line: np.ndarray
    pixel: np.ndarray
    azimuth: np.ndarray
    range: np.ndarray
    snr: np.ndarray
    peak: np.ndarray
    cov_az: np.ndarray
    cov_rg: np.ndarray
    cov_azrg: np.ndarray
    status: np.ndarray
    grid_shape: tuple | None = None
    params: dict = field(default_factory=dict)

    def __len__(self):
        return int(self.line.size)

    @property
    def valid(self) -> np.ndarray:
        """Bool mask of windows with an offset (``status == 0``)."""
        return self.status == 0

    def counts(self) -> dict:
        """Number of windows per status, by name."""
        return {STATUS[k]: int(np.count_nonzero(self.status == k)) for k in STATUS
                if np.any(self.status == k)}

    def select(self, mask) -> "OffsetField":
        """A new field with the windows where ``mask`` is true (grid shape dropped)."""
        mask = np.asarray(mask, dtype=bool)
        kw = {name: getattr(self, name)[mask] for name in _ARRAYS}
        return OffsetField(**kw, grid_shape=None, params=dict(self.params))

    def grid(self, name) -> np.ndarray:
        """One attribute reshaped to ``grid_shape``."""
        if self.grid_shape is None:
            raise ValueError("these offsets are not on a grid (grid_shape is None)")
        return np.asarray(getattr(self, name)).reshape(self.grid_shape)

    def table(self) -> np.ndarray:
        """Structured array with one record per window (all attributes)."""
        dt = [(n, np.int8 if n == "status" else np.float64) for n in _ARRAYS]
        out = np.empty(len(self), dt)
        for n in _ARRAYS:
            out[n] = getattr(self, n)
        return out

    def write_txt(self, path, valid_only=True):
        """Write ISCE's offset text format, one window per line:
        ``pixel  range_offset  line  azimuth_offset  snr  cov_rg  cov_az  cov_azrg``
        (ISCE: across, offset across, down, offset down, snr, sigma x^2, sigma y^2, sigma xy)."""
        rows = self.select(self.valid) if valid_only else self
        data = np.column_stack([rows.pixel, rows.range, rows.line, rows.azimuth, rows.snr,
                                rows.cov_rg, rows.cov_az, rows.cov_azrg])
        tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
        np.savetxt(tmp, data, fmt="%.6f %.6f %.6f %.6f %.4f %.6g %.6g %.6g")
        os.replace(tmp, path)
        return path


_ARRAYS = ("line", "pixel", "azimuth", "range", "snr", "peak", "cov_az", "cov_rg", "cov_azrg",
           "status")


def read_offsets_txt(path) -> OffsetField:
    """Read an offset text file written by :meth:`OffsetField.write_txt` (ISCE layout)."""
    data = np.atleast_2d(np.loadtxt(path, ndmin=2))
    if data.shape[1] < 4:
        raise ValueError(f"{path}: expected at least 4 columns (pixel, range offset, line, "
                         f"azimuth offset), got {data.shape[1]}")
    n = data.shape[0]
    col = lambda k, default: data[:, k] if data.shape[1] > k else np.full(n, default)  # noqa: E731
    return OffsetField(line=data[:, 2], pixel=data[:, 0], azimuth=data[:, 3], range=data[:, 1],
                       snr=col(4, np.inf), peak=np.full(n, np.nan), cov_az=col(6, 0.0),
                       cov_rg=col(5, 0.0), cov_azrg=col(7, 0.0), status=np.zeros(n, np.int8))


def _pair(value, name):
    if np.ndim(value) == 0:
        v = int(value)
        return v, v
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or (down, across), got {value!r}")
    return int(value[0]), int(value[1])


def _positions(first, last, step, count):
    """Window centres from first to last (inclusive) by ``step``, or ``count`` evenly spaced."""
    if last < first:
        return np.zeros(0, np.int64)
    if count is not None:
        count = int(count)
        if count < 1:
            raise ValueError(f"number of windows must be >= 1, got {count}")
        return np.unique(np.round(np.linspace(first, last, count)).astype(np.int64))
    return np.arange(first, last + 1, int(step), dtype=np.int64)


def window_grid(shape, window=128, search=40, *, skip=None, first=None, last=None,
                count=None, gross_offset=(0, 0), margin=0, secondary_shape=None):
    """Window centres (integer reference lines and pixels) of an ampcor grid.

    Parameters
    ----------
    shape : (lines, pixels)
        Reference image size.
    window, search : int or (down, across)
        Window size and search half-range [pixels].
    skip : int or (down, across), optional
        Step between window centres [pixels] (default: the window size).
    first, last : (line, pixel), optional
        First and last window centres (ISCE's first/last line and sample).
        By default the grid spans the part of the image where the reference
        window and the search chip (moved by ``gross_offset``) plus ``margin``
        fit inside both images.
    count : (down, across), optional
        Number of windows (ISCE's numberLocationDown/Across), evenly spaced
        between first and last; overrides ``skip``.
    secondary_shape : (lines, pixels), optional
        Secondary size (default: ``shape``).

    Returns ``(lines, pixels)``: 1-D int64 arrays of the grid rows' centre lines
    and the grid columns' centre pixels (the grid is their outer product).
    """
    wy, wx = _pair(window, "window")
    sy, sx = _pair(search, "search")
    gy, gx = (int(round(float(np.mean(g)))) for g in gross_offset)
    sec = shape if secondary_shape is None else secondary_shape
    # centre c: reference rows c - wy//2 .. c - wy//2 + wy - 1
    lo_y = max(wy // 2 + margin, wy // 2 + sy + margin - gy)
    hi_y = min(shape[0] - (wy - wy // 2) - margin, sec[0] - (wy - wy // 2) - sy - margin - gy)
    lo_x = max(wx // 2 + margin, wx // 2 + sx + margin - gx)
    hi_x = min(shape[1] - (wx - wx // 2) - margin, sec[1] - (wx - wx // 2) - sx - margin - gx)
    if first is not None:
        lo_y, lo_x = int(first[0]), int(first[1])
    if last is not None:
        hi_y, hi_x = int(last[0]), int(last[1])
    ky, kx = _pair(skip if skip is not None else (wy, wx), "skip")
    cy, cx = (None, None) if count is None else _pair(count, "count")
    return _positions(lo_y, hi_y, ky, cy), _positions(lo_x, hi_x, kx, cx)


def ampcor(reference, secondary, *, window=128, search=40, skip=None, first=None, last=None,
           count=None, lines=None, pixels=None, gross_offset=(0, 0), oversample=2,
           refine_search=4, margin=8, detection="intensity", deramp=True, iterations=3,
           batch=32, threads=0, kernel=None, progress=False) -> OffsetField:
    """Offsets between two images on a grid of windows (ISCE ampcor).

    Parameters
    ----------
    reference, secondary : path, isce.io.Raster or 2-D array-like
        Complex SLCs (complex64, or NISAR complex32) or detected real images
        (amplitude); both of the same kind.
    window : int or (down, across)
        Reference window size [pixels] (ISCE ``windowSizeHeight/Width``).
    search : int or (down, across)
        Search half-range of the coarse stage [pixels] (``searchWindowSize``).
    skip, first, last, count
        The window grid, see :func:`window_grid` (ISCE skip, first/last
        line/sample, numberLocation...). Alternatively ``lines`` and ``pixels``
        give the window centres directly (1-D int arrays; the grid is their
        outer product).
    gross_offset : (azimuth, range)
        Expected offset [pixels], each an int or an array of the grid's shape
        (rounded to integers), e.g. from the orbits (geo2rdr).
    oversample : int
        Oversampling of the complex chips before detection in the fine stage
        (ISCE's ``i_ovs`` = 2). 1 disables the fine stage's oversampling.
    refine_search : int
        Search half-range of the fine stage [pixels] (ISCE ``i_srchpp`` = 4).
    margin : int
        Extra samples read around each fine-stage chip and dropped after
        oversampling, so that FFT edge ringing stays out of the window [pixels].
    detection : "intensity" or "amplitude"
        What the fine stage correlates for complex inputs (see module doc).
    deramp : bool
        Remove each complex chip's phase ramp before oversampling (ISCE does).
    iterations : int
        Rounds of the sub-pixel search (:func:`isce.offsets._ncc.refine_peak`).
    batch : int
        Windows processed together (memory ~ batch x 1.5 MiB for 128^2 windows
        with +-40 search).
    threads : int
        Worker threads over batches (0: all cores).
    kernel : bool or None
        Use the compiled ``isce.ext._offsets`` (box sums, Newton peak search):
        True requires it, False runs the NumPy reference, None (default) uses it
        when built.
    progress : bool
        Show a progress bar.

    Returns an :class:`OffsetField`.
    """
    ref = ImageSource(reference, "reference")
    sec = ImageSource(secondary, "secondary")
    if ref.is_complex != sec.is_complex:
        raise ValueError("reference and secondary must both be complex or both be real "
                         f"(got {'complex' if ref.is_complex else 'real'} and "
                         f"{'complex' if sec.is_complex else 'real'})")
    wy, wx = _pair(window, "window")
    sy, sx = _pair(search, "search")
    if min(wy, wx) < 4:
        raise ValueError(f"window must be at least 4 x 4 pixels, got {(wy, wx)}")
    if min(sy, sx) < 1:
        raise ValueError(f"search must be >= 1 pixel, got {(sy, sx)}")
    if detection not in ("intensity", "amplitude"):
        raise ValueError(f"detection must be 'intensity' or 'amplitude', got {detection!r}")
    ovs = int(oversample)
    if ovs < 1:
        raise ValueError(f"oversample must be >= 1, got {oversample}")
    my = mx = int(refine_search)
    if my < 1:
        raise ValueError(f"refine_search must be >= 1, got {refine_search}")
    if (lines is None) != (pixels is None):
        raise ValueError("give both lines and pixels (window centres), or neither")
    if lines is None:
        lines, pixels = window_grid(ref.shape, (wy, wx), (sy, sx), skip=skip, first=first,
                                    last=last, count=count, gross_offset=gross_offset,
                                    secondary_shape=sec.shape)
    lines = np.asarray(lines, dtype=np.int64).ravel()
    pixels = np.asarray(pixels, dtype=np.int64).ravel()
    grid_shape = (lines.size, pixels.size)
    cy = np.repeat(lines, pixels.size)
    cx = np.tile(pixels, lines.size)
    n = cy.size
    ga = np.broadcast_to(np.rint(np.asarray(gross_offset[0], dtype=np.float64)), grid_shape).ravel().astype(np.int64)
    gr = np.broadcast_to(np.rint(np.asarray(gross_offset[1], dtype=np.float64)), grid_shape).ravel().astype(np.int64)
    params = dict(window=(wy, wx), search=(sy, sx), oversample=ovs, refine_search=my,
                  margin=int(margin), detection=detection, deramp=bool(deramp),
                  iterations=int(iterations), complex=ref.is_complex)
    cfg = _Config(ref, sec, wy, wx, sy, sx, ovs, my, mx, int(margin), detection, bool(deramp),
                  int(iterations), kernel=kernel)
    out = {k: np.full(n, np.nan) for k in ("azimuth", "range", "peak")}
    out["snr"] = np.zeros(n)
    out["cov_az"] = np.full(n, 99.0)
    out["cov_rg"] = np.full(n, 99.0)
    out["cov_azrg"] = np.zeros(n)
    status = np.zeros(n, np.int8)
    top = cy - wy // 2
    left = cx - wx // 2
    if n:
        batch = max(1, int(batch))
        chunks = [np.arange(k, min(k + batch, n)) for k in range(0, n, batch)]
        workers = kernel_threads(threads)
        run = lambda idx: (idx, _process(cfg, top[idx], left[idx], ga[idx], gr[idx]))  # noqa: E731
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(chunks)))) as pool:
            results = pool.map(run, chunks)
            if progress:
                results = _progress(results, len(chunks))
            for idx, res in results:
                ref.release()           # the SLCs' mapped pages, batch by batch
                sec.release()
                for k, v in res.items():
                    if k == "status":
                        status[idx] = v
                    else:
                        out[k][idx] = v
    bad = status != 0
    out["azimuth"][bad] = np.nan
    out["range"][bad] = np.nan
    return OffsetField(line=top + (wy - 1) / 2.0, pixel=left + (wx - 1) / 2.0,
                       azimuth=out["azimuth"], range=out["range"], snr=out["snr"],
                       peak=out["peak"], cov_az=out["cov_az"], cov_rg=out["cov_rg"],
                       cov_azrg=out["cov_azrg"], status=status, grid_shape=grid_shape,
                       params=params)


def _progress(iterable, total):
    return progress_bar(iterable, total=total, desc="ampcor", unit="batch")


@dataclass
class _Config:
    ref: ImageSource
    sec: ImageSource
    wy: int
    wx: int
    sy: int
    sx: int
    ovs: int
    my: int
    mx: int
    margin: int
    detection: str
    deramp: bool
    iterations: int
    fine_dtype: type = np.float32
    kernel_threads: int = 1
    kernel: bool | None = None


def _detect(chips, complex_input, detection):
    if not complex_input:
        return chips.real if np.iscomplexobj(chips) else chips
    if detection == "intensity":
        return chips.real * chips.real + chips.imag * chips.imag
    return np.abs(chips)


def _process(cfg: _Config, top, left, ga, gr):
    """Both stages for one batch of windows (top-left reference corners ``top, left``)."""
    b = top.size
    wy, wx, sy, sx = cfg.wy, cfg.wx, cfg.sy, cfg.sx
    res = {"azimuth": np.full(b, np.nan), "range": np.full(b, np.nan), "peak": np.full(b, np.nan),
           "snr": np.zeros(b), "cov_az": np.full(b, 99.0), "cov_rg": np.full(b, 99.0),
           "cov_azrg": np.zeros(b), "status": np.zeros(b, np.int8)}
    st = res["status"]
    stop, sleft = top + ga - sy, left + gr - sx
    inside = cfg.ref.inside(top, left, wy, wx) & cfg.sec.inside(stop, sleft, wy + 2 * sy, wx + 2 * sx)
    st[~inside] = 1
    idx = np.flatnonzero(inside)
    if idx.size == 0:
        return res
    # ---- coarse stage: amplitudes at the image sampling, integer lags
    cplx = cfg.ref.is_complex
    rc = cfg.ref.chips(top[idx], left[idx], wy, wx)
    scp = cfg.sec.chips(stop[idx], sleft[idx], wy + 2 * sy, wx + 2 * sx)
    ra = np.abs(rc) if cplx else rc
    sa = np.abs(scp) if cplx else scp
    del rc, scp
    ncc, var, rr = _ncc.ncc_surface(ra, sa, dtype=np.float32, kernel=cfg.kernel,
                                    threads=cfg.kernel_threads)
    del ra, sa
    ky, kx = _ncc.integer_peak(ncc)
    i = np.arange(idx.size)
    pk = ncc[i, ky, kx]
    flat = (rr <= 0) | ~(pk > 0)
    edge = (ky == 0) | (ky == 2 * sy) | (kx == 0) | (kx == 2 * sx)
    res["snr"][idx] = np.where(flat, 0.0, _ncc.snr_isce(ncc, ky, kx))
    cy, cxv, cxy = _ncc.covariance_isce(ncc, ky, kx, wy * wx)
    res["cov_az"][idx], res["cov_rg"][idx], res["cov_azrg"][idx] = cy, cxv, cxy
    st[idx[edge]] = 3
    st[idx[flat]] = 2
    del ncc, var
    keep = ~(flat | edge)
    idx, ky, kx = idx[keep], ky[keep] - sy, kx[keep] - sx
    if idx.size == 0:
        return res
    # ---- fine stage: oversampled detected chips around the integer match
    g, ovs, my, mx = cfg.margin, cfg.ovs, cfg.my, cfg.mx
    rchip = cfg.ref.chips(top[idx] - g, left[idx] - g, wy + 2 * g, wx + 2 * g)
    s_top = top[idx] + ga[idx] + ky - my - g
    s_left = left[idx] + gr[idx] + kx - mx - g
    schip = cfg.sec.chips(s_top, s_left, wy + 2 * my + 2 * g, wx + 2 * mx + 2 * g)
    if cplx and cfg.deramp:
        rchip = _ncc.deramp(rchip)
        schip = _ncc.deramp(schip)
    if ovs > 1:
        rchip = _ncc.oversample(rchip, ovs)
        schip = _ncc.oversample(schip, ovs)
    o = g * ovs
    ro = _detect(rchip[:, o:o + wy * ovs, o:o + wx * ovs], cplx, cfg.detection)
    so = _detect(schip[:, o:o + (wy + 2 * my) * ovs, o:o + (wx + 2 * mx) * ovs], cplx, cfg.detection)
    del rchip, schip
    ncc2, var2, rr2, spec = _ncc.ncc_surface(ro, so, keep_spectrum=True, dtype=cfg.fine_dtype,
                                              kernel=cfg.kernel, threads=cfg.kernel_threads)
    shape = (_ncc.next_fast(so.shape[1]), _ncc.next_fast(so.shape[2]))
    del ro, so
    ly, lx = ncc2.shape[1], ncc2.shape[2]
    qy, qx = _ncc.integer_peak(ncc2)
    edge2 = (qy == 0) | (qy == ly - 1) | (qx == 0) | (qx == lx - 1)
    flat2 = rr2 <= 0
    st[idx[edge2]] = 4
    st[idx[flat2]] = 2
    ok = ~(edge2 | flat2)
    if not np.any(ok):
        return res
    yy, xx, peak = _ncc.refine_peak(spec[ok], shape, ncc2[ok], var2[ok], rr2[ok], qy[ok], qx[ok],
                                    iterations=cfg.iterations, kernel=cfg.kernel,
                                    threads=cfg.kernel_threads)
    j = idx[ok]
    res["azimuth"][j] = ga[j] + ky[ok] + (yy - my * ovs) / ovs
    res["range"][j] = gr[j] + kx[ok] + (xx - mx * ovs) / ovs
    res["peak"][j] = peak
    return res


def write_dense(offsets: OffsetField, prefix, *, fill=np.nan):
    """Write a gridded :class:`OffsetField` as ISCE DenseAmpcor rasters (isce.io).

    * ``<prefix>.bil``: 2 bands BIL float32, band 0 azimuth and band 1 range
      offsets [pixels] (NaN = no offset), one sample per window;
    * ``<prefix>_snr.bil``: float32 SNR;
    * ``<prefix>_cov.bil``: 3 bands BIL float32, azimuth and range variances
      and their covariance [pixels^2].

    Sidecars (.xml/.vrt/.hdr) record the grid; the window centres are in the
    XML as ``first_line``, ``first_pixel``, ``line_step``, ``pixel_step`` when
    the grid is regular. Returns the three paths."""
    if offsets.grid_shape is None:
        raise ValueError("write_dense needs offsets on a grid (grid_shape is set by ampcor)")
    rows, cols = offsets.grid_shape
    line = offsets.grid("line")[:, 0]
    pixel = offsets.grid("pixel")[0]
    extra = {"first_line": float(line[0]) if rows else 0.0,
             "first_pixel": float(pixel[0]) if cols else 0.0}
    if rows > 1 and np.allclose(np.diff(line), line[1] - line[0]):
        extra["line_step"] = float(line[1] - line[0])
    if cols > 1 and np.allclose(np.diff(pixel), pixel[1] - pixel[0]):
        extra["pixel_step"] = float(pixel[1] - pixel[0])
    prefix = os.fspath(prefix)
    off = np.stack([offsets.grid("azimuth"), offsets.grid("range")]).astype(np.float32)
    off[:, ~offsets.grid("valid")] = fill
    paths = (f"{prefix}.bil", f"{prefix}_snr.bil", f"{prefix}_cov.bil")
    isce.io.write(paths[0], off, scheme="BIL", image_type="offsets", extra=extra)
    isce.io.write(paths[1], offsets.grid("snr").astype(np.float32), scheme="BIL", extra=extra)
    cov = np.stack([offsets.grid("cov_az"), offsets.grid("cov_rg"),
                    offsets.grid("cov_azrg")]).astype(np.float32)
    isce.io.write(paths[2], cov, scheme="BIL", extra=extra)
    return paths
