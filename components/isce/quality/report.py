"""Quicklook PNGs of an insarApp working directory and an HTML report of its ``report.json``.

    from isce.quality.report import quicklooks, write_html
    images = quicklooks("run", "run/quicklooks")          # {name: png path}
    write_html(json.load(open("run/report.json")), images, "run/report.html")

or :func:`build_report` for both. The quicklooks (those whose products exist;
missing products are skipped; bands are numbered from 1, as GDAL does):

``amplitude``
    the reference SLC (``reference/reference.slc``, or where the run's ``report.json``
    says a reader's ``OUTPUT`` put it: :class:`isce.io.layout.StripmapLayout`), power
    averaged over the interferogram's looks (so on the interferogram grid), in dB with
    a 2-98 % percentile stretch.
``wrapped_phase``
    ``interferogram/filt_topophase.flat`` (else ``topophase.flat``), the phase of
    the complex mean, -pi..pi on a cyclic colour map.
``unwrapped_phase``
    band 2 (phase) of ``interferogram/topophase.unw`` (else ``filt_topophase.unw``)
    [rad]; pixels whose band 1 (amplitude) is zero are no data.
``coherence``
    ``interferogram/topophase.cor`` (else ``phsig.cor``), its last band, 0..1.
``deformation``
    band 2 of ``geo/topophase.unw.geo`` (else ``filt_topophase.unw.geo``) as
    line-of-sight displacement
    ``d = -wavelength * phase / (4 pi)`` in cm (> 0: towards the radar; our SLC
    phase is ``-4 pi R / wavelength`` and interferograms are reference x
    conj(secondary)), relative to its median (the unwrapped phase has an arbitrary
    constant), on longitude/latitude axes from the raster's geotransform. The
    wavelength is the one passed in, else the raster's ``wavelength`` property,
    else ``reference/reference.slc.json``'s radar grid. Without any, the map shows
    the geocoded phase in radians instead, named ``geocoded_phase``.

Colour scales cover the data shown: the unwrapped phase spans its minimum to its
maximum, the displacement is symmetric about zero out to its largest magnitude (a
percentile stretch would saturate the peak of a deformation); only the amplitude is
stretched (2-98 %), as its caption says. :func:`quicklooks` returns the PNG paths
with a caption per image naming the file and band shown, and the colour limits.

Images larger than ``max_size`` pixels a side are block-averaged by an integer
factor; rasters are read through memory maps a few tens of MiB at a time, never
whole. Figures are drawn with matplotlib's object API on the Agg canvas (no
pyplot, no global backend change); matplotlib is imported only when drawing.
"""
from __future__ import annotations

import base64
import html
import json
import math
import os
import textwrap
from pathlib import Path

import numpy as np

import isce.io
from isce.framework.steps import step_statistics
from isce.io.atomic import write_text
from isce.io.layout import StripmapLayout

__all__ = ["quicklooks", "write_html", "build_report", "figure_layout", "los_displacement_cm",
           "product_wavelength", "format_value", "CAPTIONS", "Quicklooks", "quicklook_grid",
           "block_mean", "display_limits", "draw_image"]

#: image name -> generic caption, for images that come without their own (see Quicklooks)
CAPTIONS = {
    "amplitude": "Amplitude of the reference SLC, multilooked to the interferogram grid "
                 "(dB, 2-98 % stretch).",
    "wrapped_phase": "Wrapped interferometric phase (filtered when available), -pi..pi rad.",
    "unwrapped_phase": "Unwrapped phase (band 2 of a .unw file), rad.",
    "coherence": "Interferometric coherence, 0..1.",
    "deformation": "Geocoded line-of-sight displacement (cm, > 0 towards the radar), "
                   "relative to the scene median.",
    "geocoded_phase": "Geocoded unwrapped phase (rad; no wavelength known for a displacement).",
}

DPI = 100
MAX_SIZE = 1000              # quicklook pixels on the longer side, at most
_CHUNK_BYTES = 32 * 2**20    # bytes of raster read at a time
# figure layout [inches]: longer side of the image axes, shorter side at least, margins
_AXES_LONG, _AXES_MIN = 6.0, 1.5
_LEFT, _BOTTOM, _TOP, _GAP, _CBAR, _RIGHT = 0.9, 0.65, 0.7, 0.15, 0.2, 0.95


class Quicklooks(dict):
    """``{name: PNG path}`` as :func:`quicklooks` returns it, plus for each image its
    ``captions[name]`` (the file and band shown, the scaling) and ``limits[name]`` (the
    colour scale's (vmin, vmax), in the colour bar's unit)."""

    def __init__(self):
        super().__init__()
        self.captions: dict[str, str] = {}
        self.limits: dict[str, tuple[float, float]] = {}

    def add(self, name: str, path: str, caption: str, limits) -> None:
        self[name] = path
        self.captions[name] = caption
        self.limits[name] = (float(limits[0]), float(limits[1]))


# ----------------------------------------------------------------------------- helpers
def figure_layout(ratio: float) -> dict:
    """Figure size and image-axes rectangle [inches] for an image shown ``ratio`` = height/width.

    The axes take the image's aspect ratio, the longer side ``6`` in (the shorter at least
    ``1.5`` in); the colour bar sits to the right. Returns ``{"size": (w, h), "axes": (left,
    bottom, width, height), "colorbar": (left, bottom, width, height)}``; at ``DPI`` the PNG is
    ``round(w * DPI) x round(h * DPI)`` pixels.
    """
    ratio = float(ratio) if ratio and math.isfinite(ratio) and ratio > 0 else 1.0
    if ratio >= 1:
        ah, aw = _AXES_LONG, max(_AXES_MIN, _AXES_LONG / ratio)
    else:
        aw, ah = _AXES_LONG, max(_AXES_MIN, _AXES_LONG * ratio)
    w = _LEFT + aw + _GAP + _CBAR + _RIGHT
    h = _BOTTOM + ah + _TOP
    return {"size": (w, h), "axes": (_LEFT, _BOTTOM, aw, ah),
            "colorbar": (_LEFT + aw + _GAP, _BOTTOM, _CBAR, ah)}


def los_displacement_cm(phase, wavelength: float):
    """Line-of-sight displacement [cm] of an unwrapped phase [rad]: ``-wavelength * phase / (4 pi)``
    (> 0: the ground moved towards the radar)."""
    return -float(wavelength) * np.asarray(phase) / (4.0 * np.pi) * 100.0


def product_wavelength(workdir=".", raster=None) -> float | None:
    """Radar wavelength [m]: ``raster``'s ``wavelength`` property if it has one, else the radar
    grid of the reference SLC's ``.slc.json`` (``reference/reference.slc.json``, or where the
    run's report.json says it went); None when neither says."""
    candidates = []
    if raster is not None:
        candidates.append(raster.info.extra.get("wavelength"))
    try:
        meta = json.loads(StripmapLayout.of_run(workdir).slc_json("reference").read_text())
        candidates.append((meta.get("radar_grid") or {}).get("wavelength"))
    except (OSError, ValueError, AttributeError):
        pass
    for value in candidates:
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(value) and value > 0:
            return value
    return None


def _open(path):
    """The isce.io raster at ``path``, or None when it (or its sidecar) is missing or unreadable."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return isce.io.open(path)
    except (OSError, ValueError, isce.io.RasterError):
        return None


def _first(workdir, *paths):
    """The first of ``paths`` (layout paths relative to ``workdir``) that opens, as
    (its name relative to the run folder, raster), or (None, None)."""
    for path in paths:
        name = str(path)
        raster = _open(Path(workdir, name))
        if raster is not None:
            return name, raster
    return None, None


def quicklook_grid(length: int, width: int, max_size: int):
    """Decimation of a ``length`` x ``width`` image to at most ``max_size`` pixels a side:
    ``(ny, nx, fy, fx)``, the quicklook's shape and the block averaged into each pixel."""
    f = max(1, math.ceil(max(length, width) / max(1, int(max_size))))
    fy, fx = max(1, min(f, length)), max(1, min(f, width))
    return max(1, length // fy), max(1, width // fx), fy, fx


def block_mean(values, bytes_per_row: int, out_shape, fy: int, fx: int) -> np.ndarray:
    """Means over ``fy`` x ``fx`` blocks of ``values(rows)`` (2-D float or complex, NaN = no data),
    giving ``out_shape``; ``values`` is called on consecutive row slices of a few tens of MiB."""
    ny, nx = out_shape
    out = None
    step = max(1, _CHUNK_BYTES // max(1, bytes_per_row * fy))  # output rows per read
    for o0 in range(0, ny, step):
        o1 = min(ny, o0 + step)
        block = np.asarray(values(slice(o0 * fy, o1 * fy)))[:, :nx * fx]
        block = block.reshape(o1 - o0, fy, nx, fx)
        valid = np.isfinite(block)
        total = np.where(valid, block, 0).sum(axis=(1, 3))
        count = valid.sum(axis=(1, 3))
        if out is None:
            out = np.full((ny, nx), np.nan, dtype=np.result_type(total.dtype, np.float32))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[o0:o1] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out if out is not None else np.full((ny, nx), np.nan)


def _nodata_zero(block):
    block = np.array(block)
    if block.dtype.kind == "c":
        block = block.astype(np.complex64 if block.itemsize <= 8 else np.complex128)
        block[block == 0] = np.nan
    else:
        block = block.astype(np.float32 if block.itemsize <= 4 else np.float64)
        block[block == 0] = np.nan
    return block


def display_limits(data, low=2.0, high=98.0, default=(0.0, 1.0)):
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return default
    lo, hi = np.percentile(finite, [low, high])
    if not hi > lo:
        lo, hi = float(finite.min()), float(finite.max())
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
    return float(lo), float(hi)


def _span(data, default=(-1.0, 1.0)):
    """Colour limits covering every finite value of ``data`` (min, max; widened when equal)."""
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return default
    lo, hi = float(finite.min()), float(finite.max())
    return (lo - 0.5, hi + 0.5) if not hi > lo else (lo, hi)


def _symmetric_span(data):
    """Colour limits symmetric about 0 covering every finite value of ``data`` (for a
    diverging colour map): +-max |data| (+-1 when there is nothing but zeros)."""
    finite = data[np.isfinite(data)]
    bound = float(np.abs(finite).max()) if finite.size else 0.0
    bound = bound if bound > 0 else 1.0
    return -bound, bound


def draw_image(path, data, *, title, cbar_label, cmap, vmin, vmax, extent, xlabel, ylabel, ratio,
          ticks=None, ticklabels=None):
    """One quicklook PNG: image, axes labels, title, colour bar with units."""
    import matplotlib  # lazy: heavy optional plotting library, only when drawing
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # lazy: as matplotlib
    from matplotlib.figure import Figure  # lazy: as matplotlib
    from matplotlib.ticker import MaxNLocator  # lazy: as matplotlib

    layout = figure_layout(ratio)
    w, h = layout["size"]
    fig = Figure(figsize=(w, h), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([v / s for v, s in zip(layout["axes"], (w, h, w, h))])
    cax = fig.add_axes([v / s for v, s in zip(layout["colorbar"], (w, h, w, h))])
    colours = matplotlib.colormaps[cmap].with_extremes(bad="0.85")
    image = ax.imshow(np.ma.masked_invalid(data), cmap=colours, vmin=vmin, vmax=vmax,
                      extent=extent, aspect="auto", interpolation="nearest", origin="upper")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(2, int(layout["axes"][2] / 1.1))))
    # at most three lines over the image (about 13 characters of 9 pt per inch)
    lines = textwrap.wrap(title, width=max(20, int(layout["axes"][2] * 13)))
    ax.set_title("\n".join(lines[:3]), fontsize=9)
    bar = fig.colorbar(image, cax=cax)
    bar.set_label(cbar_label)
    if ticks is not None:
        bar.set_ticks(ticks)
        if ticklabels is not None:
            bar.set_ticklabels(ticklabels)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, format="png")
    return str(path)


def _radar_axes(looked: bool, f: int):
    suffix = f", shown 1:{f}" if f > 1 else ""
    if looked:
        return f"range (looked pixels{suffix})", f"azimuth (looked lines{suffix})"
    return f"range (pixels{suffix})", f"azimuth (lines{suffix})"


def _looks(workdir, looks, ifg, slc):
    """(azimuth, range) looks from the SLC to the interferogram grid."""
    if looks is None:
        try:
            looks = json.loads(Path(workdir, "report.json").read_text()).get("looks")
        except (OSError, ValueError, AttributeError):
            looks = None
    if looks is not None:
        try:
            az, rg = (int(v) for v in looks)
            if az >= 1 and rg >= 1 and slc.length // az == ifg.length and slc.width // rg == ifg.width:
                return az, rg
        except (TypeError, ValueError):
            pass
    return max(1, slc.length // ifg.length), max(1, slc.width // ifg.width)


# ----------------------------------------------------------------------------- quicklooks
def quicklooks(workdir=".", out_dir=None, *, wavelength: float | None = None, looks=None,
               max_size: int = MAX_SIZE) -> Quicklooks:
    """Write quicklook PNGs of the products found in an insarApp ``workdir`` into ``out_dir``
    (default ``<workdir>/quicklooks``); returns ``{name: png path}`` for those written, a
    :class:`Quicklooks` that also holds each image's caption and colour limits.

    ``wavelength`` [m] converts the geocoded unwrapped phase to displacement (else read from
    the products); ``looks`` = (azimuth, range) from the SLC to the interferogram (else
    ``report.json``'s, else the ratio of the sizes); ``max_size``: quicklook pixels a side.
    """
    workdir = Path(workdir)
    out_dir = Path(out_dir) if out_dir is not None else workdir / "quicklooks"
    written = Quicklooks()

    run, names = StripmapLayout.of_run(workdir), StripmapLayout()
    ifg_name, ifg = _first(workdir, names.filt_topophase_flat, names.topophase_flat)
    slc_path = run.slc("reference")
    slc = _open(slc_path)

    # amplitude of the reference SLC, on the interferogram grid
    if slc is not None:
        if ifg is not None:
            az, rg = _looks(workdir, looks, ifg, slc)
            grid_l, grid_w, looked = slc.length // az, slc.width // rg, True
        else:
            az, rg, grid_l, grid_w, looked = 1, 1, slc.length, slc.width, False
        ny, nx, fy, fx = quicklook_grid(grid_l, grid_w, max_size)
        power = block_mean(lambda rows: np.abs(_nodata_zero(slc.read(0, rows))) ** 2,
                            slc.width * slc.dtype.itemsize, (ny, nx), az * fy, rg * fx)
        with np.errstate(divide="ignore", invalid="ignore"):
            db = 10.0 * np.log10(power)
        db[~np.isfinite(db)] = np.nan
        lo, hi = display_limits(db)
        xl, yl = _radar_axes(looked, max(fy, fx))
        looks_text = f", {az} x {rg} looks" if looked else ""
        source = f"{_relative(slc_path, workdir)} band 1{_of(slc)}"
        path = draw_image(out_dir / "amplitude.png", db, title=f"Amplitude: {source}{looks_text}",
                     cbar_label="power [dB], 2-98 % stretch", cmap="gray", vmin=lo, vmax=hi,
                     extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl,
                     ratio=ny * fy / (nx * fx))
        grid = (f"power averaged over {az} x {rg} looks onto the interferogram grid"
                if looked else "power")
        written.add("amplitude", path,
                    f"Amplitude of {source} (the reference SLC): {grid}, in dB; grey scale "
                    f"stretched over the 2-98 % percentiles, {lo:.1f}..{hi:.1f} dB.", (lo, hi))

    # wrapped phase
    if ifg is not None:
        ny, nx, fy, fx = quicklook_grid(ifg.length, ifg.width, max_size)
        mean = block_mean(lambda rows: _nodata_zero(ifg.read(0, rows)),
                           ifg.width * ifg.dtype.itemsize, (ny, nx), fy, fx)
        xl, yl = _radar_axes(True, max(fy, fx))
        source = f"{ifg_name} band 1{_of(ifg)}"
        path = draw_image(out_dir / "wrapped_phase.png", np.angle(mean), title=f"Wrapped phase: {source}",
                     cbar_label="phase [rad]", cmap="twilight", vmin=-np.pi, vmax=np.pi,
                     extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl,
                     ratio=ny * fy / (nx * fx), ticks=[-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi],
                     ticklabels=["-\u03c0", "-\u03c0/2", "0", "\u03c0/2", "\u03c0"])
        written.add("wrapped_phase", path,
                    f"Wrapped interferometric phase of {source} (complex): the phase of the "
                    "complex mean of each shown pixel, -\u03c0..\u03c0 rad on a cyclic colour map.",
                    (-np.pi, np.pi))

    # unwrapped phase
    # (topophase.unw: the unfiltered phase with the filtered solution's cycles, when present)
    unw_name, unw = _first(workdir, names.topophase_unw, names.filt_topophase_unw)
    if unw is not None and unw.bands >= 2:
        path, (lo, hi) = _draw_phase(unw, out_dir / "unwrapped_phase.png", max_size,
                                     f"Unwrapped phase: {unw_name} band 2{_of(unw)}")
        note = (" (the unfiltered phase with the filtered solution's cycle counts)"
                if unw_name.endswith("/topophase.unw") else "")
        written.add("unwrapped_phase", path,
                    f"Unwrapped phase of {unw_name}{note}: band 2{_of(unw)} (phase, rad); pixels "
                    f"whose band 1 (amplitude) is zero are no data. The colours span the data, "
                    f"{lo:.3g}..{hi:.3g} rad.", (lo, hi))

    # coherence (ISCE2's 2-band topophase.cor holds it in band 2, after the magnitude)
    cor_name, cor = _first(workdir, names.topophase_cor, names.phsig_cor)
    if cor is not None:
        band = cor.bands - 1
        ny, nx, fy, fx = quicklook_grid(cor.length, cor.width, max_size)
        mean = block_mean(lambda rows: np.asarray(cor.read(band, rows), dtype=np.float32),
                           cor.width * cor.bands * cor.dtype.itemsize, (ny, nx), fy, fx)
        xl, yl = _radar_axes(True, max(fy, fx))
        source = f"{cor_name} band {band + 1}{_of(cor)}"
        path = draw_image(out_dir / "coherence.png", mean, title=f"Coherence: {source}",
                     cbar_label="coherence [-]", cmap="gray", vmin=0.0, vmax=1.0,
                     extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl,
                     ratio=ny * fy / (nx * fx))
        written.add("coherence", path, f"Interferometric coherence of {source}, 0..1.", (0.0, 1.0))

    # geocoded deformation
    geo_name, geo = _first(workdir, names.geocoded(names.topophase_unw),
                           names.geocoded(names.filt_topophase_unw))
    if geo is not None and geo.bands >= 2 and geo.geo is not None:
        wvl = wavelength if wavelength else product_wavelength(workdir, geo)
        name, path, caption, limits = _draw_geocoded(geo, out_dir, max_size, wvl, geo_name)
        written.add(name, path, caption, limits)
    return written


def _relative(path, workdir) -> str:
    """``path`` as named in the run folder ``workdir`` (as is when outside it)."""
    return Path(os.path.relpath(path, workdir)).as_posix()


def _of(raster) -> str:
    """`` of N`` for a raster of N > 1 bands (so "band 1 of 2"), else ""."""
    return f" of {raster.bands}" if raster.bands > 1 else ""


def _unw_phase(raster, rows):
    """The phase of a 2-band unw raster (GDAL band 2, index 1), NaN where the amplitude (band 1,
    index 0) is zero or not finite."""
    amp = np.asarray(raster.read(0, rows))
    phase = np.array(raster.read(1, rows), dtype=np.float32)
    phase[(amp == 0) | ~np.isfinite(amp)] = np.nan
    return phase


def _draw_phase(unw, path, max_size, title):
    """Unwrapped phase quicklook, colours over the data's full range: (png path, (lo, hi))."""
    ny, nx, fy, fx = quicklook_grid(unw.length, unw.width, max_size)
    phase = block_mean(lambda rows: _unw_phase(unw, rows), 2 * unw.width * unw.dtype.itemsize,
                        (ny, nx), fy, fx)
    lo, hi = _span(phase)
    xl, yl = _radar_axes(True, max(fy, fx))
    return draw_image(path, phase, title=title, cbar_label="unwrapped phase [rad]", cmap="viridis",
                 vmin=lo, vmax=hi, extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl,
                 ratio=ny * fy / (nx * fx)), (lo, hi)


def _draw_geocoded(geo, out_dir, max_size, wavelength, source="geo/filt_topophase.unw.geo"):
    """Geocoded displacement (or phase) quicklook: (name, png path, caption, (lo, hi))."""
    g = geo.geo
    ny, nx, fy, fx = quicklook_grid(geo.length, geo.width, max_size)
    phase = block_mean(lambda rows: _unw_phase(geo, rows), 2 * geo.width * geo.dtype.itemsize,
                        (ny, nx), fy, fx)
    finite = np.isfinite(phase)
    if finite.any():
        phase = phase - np.median(phase[finite])
    x1, y1 = g.x0 + nx * fx * g.dx, g.y0 + ny * fy * g.dy
    extent = (g.x0, x1, y1, g.y0)
    lat = 0.5 * (g.y0 + y1)
    # display height/width on the ground: degrees of longitude shrink with cos(latitude)
    scale = max(math.cos(math.radians(lat)), 1e-3) if g.epsg == 4326 else 1.0
    ratio = abs(ny * fy * g.dy) / (abs(nx * fx * g.dx) * scale)
    labels = (("longitude [deg]", "latitude [deg]") if g.epsg == 4326
              else (f"x [EPSG:{g.epsg}]", f"y [EPSG:{g.epsg}]"))
    band = f"{source} band 2{_of(geo)}"
    if wavelength:
        data = los_displacement_cm(phase, wavelength)
        name, unit, units = "deformation", "LOS displacement [cm], > 0 towards the radar", "cm"
        title = (f"LOS displacement: {band}, "
                 f"wavelength {wavelength * 100:.2f} cm, relative to the median")
        what = (f"Geocoded line-of-sight displacement from {band} (the unwrapped phase "
                f"\u03c6, rad) as -\u03bb \u03c6 / (4\u03c0) with \u03bb = {wavelength * 100:.2f} cm, "
                "in cm (> 0: towards the radar), relative to the scene median")
    else:
        data, name = phase, "geocoded_phase"
        unit, units = "unwrapped phase [rad]", "rad"
        title = f"Geocoded unwrapped phase: {band}, relative to the median"
        what = (f"Geocoded unwrapped phase of {band} (rad), relative to the scene median "
                "(no wavelength known for a displacement)")
    lo, hi = _symmetric_span(data)
    path = draw_image(Path(out_dir) / f"{name}.png", data, title=title, cbar_label=unit, cmap="RdBu_r",
                 vmin=lo, vmax=hi, extent=extent, xlabel=labels[0], ylabel=labels[1],
                 ratio=ratio)
    caption = f"{what}. The colours span the data, \u00b1{hi:.3g} {units}."
    return name, path, caption, (lo, hi)


# ----------------------------------------------------------------------------- HTML
_UNIT_SUFFIXES = (("_mib", "MiB"), ("_gib", "GiB"), ("_cm", "cm"), ("_mm", "mm"), ("_px", "px"),
                  ("_deg", "deg"), ("_rad", "rad"), ("_hz", "Hz"), ("_db", "dB"), ("_s", "s"),
                  ("_m", "m"), ("_utc", "UTC"), ("_days", "days"))
_UNITS = {"looks": "azimuth x range", "mean_coherence": "0..1", "kept": "windows",
          "windows": "windows"}


def _unit(key: str) -> str:
    key = str(key).lower()
    if key in _UNITS:
        return _UNITS[key]
    for suffix, unit in _UNIT_SUFFIXES:
        if key.endswith(suffix):
            return unit
    return ""


def format_value(value) -> str:
    """How a report value is shown: floats to 4 significant digits, lists joined by commas,
    None as an em dash."""
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _rows(mapping: dict, prefix: str = "", unit: str = ""):
    """(key path, value, unit) for every leaf of a nested dict (lists of scalars are leaves);
    a leaf whose name gives no unit takes its parent's (``wall_time_s.insarApp``: s)."""
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _rows(value, path + ".", _unit(key) or unit)
        else:
            yield path, value, _unit(key) or unit


def _table(rows, header=("quantity", "value", "unit")) -> str:
    e = html.escape
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead>",
           "<tbody>"]
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="num"' if i and isinstance(cell, (int, float, np.number)) else ""
            cells.append(f"<td{cls}>{e(format_value(cell) if i else str(cell))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _step_stats(steps: dict, prefix: str = ""):
    """(name, stats) per step of ``{step: {"wall_s", "cpu_s", "peak_rss_mib"}}``, or of several
    applications' ``{app: {step: stats}}`` (named ``app: step``)."""
    for name, stats in steps.items():
        stats = stats if isinstance(stats, dict) else {}
        if stats and all(isinstance(v, dict) for v in stats.values()):
            yield from _step_stats(stats, f"{prefix}{name}: ")
        else:
            yield f"{prefix}{name}", stats


def _steps_table(steps: dict) -> str:
    """Wall time, CPU time (when the steps recorded it: ``cpu_s``) and peak RSS per step, with
    a row of the sums (and the largest peak)."""
    rows = []
    total, cpu_total, peak = 0.0, 0.0, None
    items = list(_step_stats(steps))
    with_cpu = any(isinstance(stats.get("cpu_s"), (int, float)) for _, stats in items)
    for name, stats in items:
        wall, cpu, rss = stats.get("wall_s"), stats.get("cpu_s"), stats.get("peak_rss_mib")
        rows.append((name, wall, cpu, rss) if with_cpu else (name, wall, rss))
        if isinstance(wall, (int, float)):
            total += wall
        if isinstance(cpu, (int, float)):
            cpu_total += cpu
        if isinstance(rss, (int, float)):
            peak = rss if peak is None else max(peak, rss)
    header = ("step", "wall time [s]") + (("CPU time [s]",) if with_cpu else ()) + ("peak RSS [MiB]",)
    table = _table(rows, header)
    sums = (total, cpu_total, peak) if with_cpu else (total, peak)
    cells = "".join(f"<td class=\"num\">{html.escape(format_value(v))}</td>" for v in sums)
    foot = f"<tfoot><tr><th>all steps</th>{cells}</tr></tfoot>"
    return table.replace("</tbody>", "</tbody>\n" + foot)


_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th, tfoot th { background: #eee; }
figure { display: inline-block; margin: 0 1em 1.5em 0; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ccc; }
figcaption { font-size: 0.9em; max-width: 40em; }
"""


def _pair_summary(report: dict) -> str | None:
    """One sentence on the pair (acquisition times, perpendicular baseline) from insarApp's
    ``acquisitions`` and ``baseline`` entries; None when the report has neither."""
    acq = report.get("acquisitions") if isinstance(report.get("acquisitions"), dict) else {}
    base = report.get("baseline") if isinstance(report.get("baseline"), dict) else {}
    parts = []
    ref, sec = acq.get("reference") or {}, acq.get("secondary") or {}
    if ref or sec:
        text = (f"Reference acquired {ref.get('sensing_mid_utc', '?')}, secondary "
                f"{sec.get('sensing_mid_utc', '?')} (scene centres, UTC)")
        days = acq.get("temporal_baseline_days")
        if isinstance(days, (int, float)):
            text += f", {format_value(days)} days apart"
        parts.append(text)
    mid = base.get("perpendicular_middle_m")
    if isinstance(mid, (int, float)):
        text = f"perpendicular baseline {format_value(mid)} m at the scene centre"
        top, bottom = base.get("perpendicular_top_m"), base.get("perpendicular_bottom_m")
        if isinstance(top, (int, float)) and isinstance(bottom, (int, float)):
            text += f" ({format_value(top)} m at the first line, {format_value(bottom)} m at the last)"
        par = base.get("parallel_middle_m")
        if isinstance(par, (int, float)):
            text += f", parallel baseline {format_value(par)} m"
        parts.append(text)
    return "; ".join(parts) + "." if parts else None


def write_html(report: dict, images: dict, path, *, title: str = "insarApp report",
               embed: bool = True, captions: dict | None = None) -> str:
    """Write ``report`` (a ``report.json`` dict) and ``images`` (``{name: png path}``) as one
    HTML page at ``path``; returns the path.

    Top-level numbers and lists form a summary table (quantity, value, unit; units from the
    key names: ``_s`` s, ``_mib`` MiB, ``_px`` px, ...), each nested dict a table of its
    own, ``steps`` (``{step: {"wall_s", "cpu_s", "peak_rss_mib"}}``, or ``{app: {step: ...}}``
    for several applications) a table of wall time, CPU time (when recorded) and peak memory
    with a total row. insarApp's
    ``acquisitions`` and ``baseline`` are also summed up in a sentence under the title. Each
    image's caption is ``captions[name]``, else the caption :func:`quicklooks` gave it
    (``images.captions``), else the generic ``CAPTIONS[name]``. With ``embed`` (default)
    the PNGs are embedded as base64 ``data:`` URIs, so the page stands alone; else they
    are linked by paths relative to the page. Images whose files are missing are left out.
    All text is HTML-escaped.
    """
    e = html.escape
    path = Path(path)
    report = dict(report or {})
    steps = report.pop("steps", None)
    scalars = {k: v for k, v in report.items() if not isinstance(v, dict)}
    nested = {k: v for k, v in report.items() if isinstance(v, dict)}
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{e(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
             f"<h1>{e(title)}</h1>"]
    pair = _pair_summary(report)
    if pair:
        parts.append(f'<p class="pair">{e(pair)}</p>')
    if scalars:
        parts += ["<h2>Summary</h2>", _table(_rows(scalars))]
    for key, value in nested.items():
        parts += [f"<h2>{e(str(key))}</h2>",
                  _table(_rows(value, unit=_unit(key))) if value else "<p>(none)</p>"]
    if isinstance(steps, dict) and steps:
        parts += ["<h2>Steps: wall time, CPU time and peak memory</h2>", _steps_table(steps)]
    shown = [(name, Path(p)) for name, p in (images or {}).items() if p and Path(p).is_file()]
    own = {**getattr(images, "captions", {}), **(captions or {})}
    if shown:
        parts.append("<h2>Quicklooks</h2>")
    for name, png in shown:
        if embed:
            src = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
        else:
            src = Path(os.path.relpath(png.resolve(), path.parent.resolve())).as_posix()
        caption = own.get(name) or CAPTIONS.get(name, name)
        parts += [f'<figure id="{e(str(name))}">',
                  f'<img src="{e(src)}" alt="{e(str(name))}">',
                  f"<figcaption><b>{e(str(name))}</b>: {e(caption)}</figcaption>", "</figure>"]
    parts += ["</body>", "</html>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(parts))
    return str(path)


def build_report(workdir=".", out_dir=None, *, wavelength: float | None = None,
                 embed: bool = True) -> str:
    """Quicklooks of ``workdir`` (into ``out_dir``, default ``<workdir>/quicklooks``) and
    ``<workdir>/report.html`` from ``<workdir>/report.json`` (empty when absent). The steps
    table adds the statistics of step mode's manifests (``PICKLE/*.json``): those of every
    invocation, and of ``endup``, which writes report.json before its own are known."""
    workdir = Path(workdir)
    try:
        report = json.loads((workdir / "report.json").read_text())
    except (OSError, ValueError):
        report = {}
    report = report if isinstance(report, dict) else {}
    saved = step_statistics(workdir)
    if saved:
        steps = report.get("steps") if isinstance(report.get("steps"), dict) else {}
        report["steps"] = {**steps, **saved}
    images = quicklooks(workdir, out_dir, wavelength=wavelength)
    return write_html(report, images, workdir / "report.html", embed=embed)
