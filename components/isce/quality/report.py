"""Quicklook PNGs of an insarApp working directory and an HTML report of its ``report.json``.

    from isce.quality.report import quicklooks, write_html
    images = quicklooks("run", "run/quicklooks")          # {name: png path}
    write_html(json.load(open("run/report.json")), images, "run/report.html")

or :func:`build_report` for both. The quicklooks (those whose products exist;
missing products are skipped):

``amplitude``
    ``reference/reference.slc``, power averaged over the interferogram's looks
    (so on the interferogram grid), in dB with a 2-98 % percentile stretch.
``wrapped_phase``
    ``interferogram/filt_topophase.flat`` (else ``topophase.flat``), the phase of
    the complex mean, -pi..pi on a cyclic colour map.
``unwrapped_phase``
    band 1 of ``interferogram/filt_topophase.unw`` [rad] (pixels of zero amplitude,
    band 0, are no data).
``coherence``
    ``interferogram/topophase.cor`` (else ``phsig.cor``), 0..1.
``deformation``
    ``geo/filt_topophase.unw.geo`` as line-of-sight displacement
    ``d = -wavelength * phase / (4 pi)`` in cm (> 0: towards the radar; our SLC
    phase is ``-4 pi R / wavelength`` and interferograms are reference x
    conj(secondary)), relative to its median (the unwrapped phase has an arbitrary
    constant), on longitude/latitude axes from the raster's geotransform. The
    wavelength is the one passed in, else the raster's ``wavelength`` property,
    else ``reference/reference.slc.json``'s radar grid. Without any, the map shows
    the geocoded phase in radians instead, named ``geocoded_phase``.

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

__all__ = ["quicklooks", "write_html", "build_report", "figure_layout", "los_displacement_cm",
           "product_wavelength", "format_value", "CAPTIONS"]

#: image name -> caption in the HTML report
CAPTIONS = {
    "amplitude": "Amplitude of the reference SLC, multilooked to the interferogram grid "
                 "(dB, 2-98 % stretch).",
    "wrapped_phase": "Wrapped interferometric phase (filtered when available), -pi..pi rad.",
    "unwrapped_phase": "Unwrapped phase (filt_topophase.unw, band 1), rad.",
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
    grid of ``<workdir>/reference/reference.slc.json``; None when neither says."""
    candidates = []
    if raster is not None:
        candidates.append(raster.info.extra.get("wavelength"))
    try:
        meta = json.loads(Path(workdir, "reference", "reference.slc.json").read_text())
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
    import isce.io

    path = Path(path)
    if not path.is_file():
        return None
    try:
        return isce.io.open(path)
    except (OSError, ValueError, isce.io.RasterError):
        return None


def _first(workdir, *names):
    for name in names:
        raster = _open(Path(workdir, name))
        if raster is not None:
            return name, raster
    return None, None


def _grid(length: int, width: int, max_size: int):
    """Decimation of a ``length`` x ``width`` image to at most ``max_size`` pixels a side:
    ``(ny, nx, fy, fx)``, the quicklook's shape and the block averaged into each pixel."""
    f = max(1, math.ceil(max(length, width) / max(1, int(max_size))))
    fy, fx = max(1, min(f, length)), max(1, min(f, width))
    return max(1, length // fy), max(1, width // fx), fy, fx


def _block_mean(values, bytes_per_row: int, out_shape, fy: int, fx: int) -> np.ndarray:
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


def _limits(data, low=2.0, high=98.0, default=(0.0, 1.0)):
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return default
    lo, hi = np.percentile(finite, [low, high])
    if not hi > lo:
        lo, hi = float(finite.min()), float(finite.max())
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
    return float(lo), float(hi)


def _draw(path, data, *, title, cbar_label, cmap, vmin, vmax, extent, xlabel, ylabel, ratio,
          ticks=None, ticklabels=None):
    """One quicklook PNG: image, axes labels, title, colour bar with units."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

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
               max_size: int = MAX_SIZE) -> dict[str, str]:
    """Write quicklook PNGs of the products found in an insarApp ``workdir`` into ``out_dir``
    (default ``<workdir>/quicklooks``); returns ``{name: png path}`` for those written.

    ``wavelength`` [m] converts the geocoded unwrapped phase to displacement (else read from
    the products); ``looks`` = (azimuth, range) from the SLC to the interferogram (else
    ``report.json``'s, else the ratio of the sizes); ``max_size``: quicklook pixels a side.
    """
    workdir = Path(workdir)
    out_dir = Path(out_dir) if out_dir is not None else workdir / "quicklooks"
    written: dict[str, str] = {}

    ifg_name, ifg = _first(workdir, "interferogram/filt_topophase.flat", "interferogram/topophase.flat")
    slc = _open(workdir / "reference" / "reference.slc")

    # amplitude of the reference SLC, on the interferogram grid
    if slc is not None:
        if ifg is not None:
            az, rg = _looks(workdir, looks, ifg, slc)
            grid_l, grid_w, looked = slc.length // az, slc.width // rg, True
        else:
            az, rg, grid_l, grid_w, looked = 1, 1, slc.length, slc.width, False
        ny, nx, fy, fx = _grid(grid_l, grid_w, max_size)
        power = _block_mean(lambda rows: np.abs(_nodata_zero(slc.read(0, rows))) ** 2,
                            slc.width * slc.dtype.itemsize, (ny, nx), az * fy, rg * fx)
        with np.errstate(divide="ignore", invalid="ignore"):
            db = 10.0 * np.log10(power)
        db[~np.isfinite(db)] = np.nan
        lo, hi = _limits(db)
        xl, yl = _radar_axes(looked, max(fy, fx))
        looks_text = f", {az} x {rg} looks" if looked else ""
        written["amplitude"] = _draw(
            out_dir / "amplitude.png", db, title=f"Amplitude: reference/reference.slc{looks_text}",
            cbar_label="power [dB]", cmap="gray", vmin=lo, vmax=hi,
            extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl, ratio=ny * fy / (nx * fx))

    # wrapped phase
    if ifg is not None:
        ny, nx, fy, fx = _grid(ifg.length, ifg.width, max_size)
        mean = _block_mean(lambda rows: _nodata_zero(ifg.read(0, rows)),
                           ifg.width * ifg.dtype.itemsize, (ny, nx), fy, fx)
        xl, yl = _radar_axes(True, max(fy, fx))
        written["wrapped_phase"] = _draw(
            out_dir / "wrapped_phase.png", np.angle(mean), title=f"Wrapped phase: {ifg_name}",
            cbar_label="phase [rad]", cmap="twilight", vmin=-np.pi, vmax=np.pi,
            extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl, ratio=ny * fy / (nx * fx),
            ticks=[-np.pi, -np.pi / 2, 0, np.pi / 2, np.pi],
            ticklabels=["-\u03c0", "-\u03c0/2", "0", "\u03c0/2", "\u03c0"])

    # unwrapped phase
    # (topophase.unw: the unfiltered phase with the filtered solution's cycles, when present)
    unw_name, unw = _first(workdir, "interferogram/topophase.unw", "interferogram/filt_topophase.unw")
    if unw is not None and unw.bands >= 2:
        written["unwrapped_phase"] = _draw_phase(unw, out_dir / "unwrapped_phase.png", max_size,
                                                 f"Unwrapped phase: {unw_name}")

    # coherence
    cor_name, cor = _first(workdir, "interferogram/topophase.cor", "interferogram/phsig.cor")
    if cor is not None:
        ny, nx, fy, fx = _grid(cor.length, cor.width, max_size)
        mean = _block_mean(lambda rows: np.asarray(cor.read(0, rows), dtype=np.float32),
                           cor.width * cor.dtype.itemsize, (ny, nx), fy, fx)
        xl, yl = _radar_axes(True, max(fy, fx))
        written["coherence"] = _draw(
            out_dir / "coherence.png", mean, title=f"Coherence: {cor_name}", cbar_label="coherence [-]",
            cmap="gray", vmin=0.0, vmax=1.0, extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl,
            ratio=ny * fy / (nx * fx))

    # geocoded deformation
    geo_name, geo = _first(workdir, "geo/topophase.unw.geo", "geo/filt_topophase.unw.geo")
    if geo is not None and geo.bands >= 2 and geo.geo is not None:
        wvl = wavelength if wavelength else product_wavelength(workdir, geo)
        name, path = _draw_geocoded(geo, out_dir, max_size, wvl, geo_name)
        written[name] = path
    return written


def _unw_phase(raster, rows):
    """Band 1 of a 2-band unw raster, NaN where the amplitude (band 0) is zero or not finite."""
    amp = np.asarray(raster.read(0, rows))
    phase = np.array(raster.read(1, rows), dtype=np.float32)
    phase[(amp == 0) | ~np.isfinite(amp)] = np.nan
    return phase


def _draw_phase(unw, path, max_size, title):
    ny, nx, fy, fx = _grid(unw.length, unw.width, max_size)
    phase = _block_mean(lambda rows: _unw_phase(unw, rows), 2 * unw.width * unw.dtype.itemsize,
                        (ny, nx), fy, fx)
    lo, hi = _limits(phase, 1.0, 99.0)
    xl, yl = _radar_axes(True, max(fy, fx))
    return _draw(path, phase, title=title, cbar_label="unwrapped phase [rad]", cmap="viridis",
                 vmin=lo, vmax=hi, extent=(0, nx * fx, ny * fy, 0), xlabel=xl, ylabel=yl,
                 ratio=ny * fy / (nx * fx))


def _draw_geocoded(geo, out_dir, max_size, wavelength, source="geo/filt_topophase.unw.geo"):
    g = geo.geo
    ny, nx, fy, fx = _grid(geo.length, geo.width, max_size)
    phase = _block_mean(lambda rows: _unw_phase(geo, rows), 2 * geo.width * geo.dtype.itemsize,
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
    if wavelength:
        data = los_displacement_cm(phase, wavelength)
        name, unit = "deformation", "LOS displacement [cm], > 0 towards the radar"
        title = (f"LOS displacement: {source}, "
                 f"wavelength {wavelength * 100:.2f} cm, relative to the median")
        cmap = "RdBu_r"
    else:
        data, name = phase, "geocoded_phase"
        unit, cmap = "unwrapped phase [rad]", "RdBu_r"
        title = f"Geocoded unwrapped phase: {source}, relative to the median"
    finite = data[np.isfinite(data)]
    bound = float(np.percentile(np.abs(finite), 98)) if finite.size else 1.0
    bound = bound if bound > 0 else 1.0
    path = _draw(Path(out_dir) / f"{name}.png", data, title=title, cbar_label=unit, cmap=cmap,
                 vmin=-bound, vmax=bound, extent=extent, xlabel=labels[0], ylabel=labels[1],
                 ratio=ratio)
    return name, path


# ----------------------------------------------------------------------------- HTML
_UNIT_SUFFIXES = (("_mib", "MiB"), ("_gib", "GiB"), ("_cm", "cm"), ("_mm", "mm"), ("_px", "px"),
                  ("_deg", "deg"), ("_rad", "rad"), ("_hz", "Hz"), ("_db", "dB"), ("_s", "s"),
                  ("_m", "m"))
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


def _rows(mapping: dict, prefix: str = ""):
    """(key path, value, unit) for every leaf of a nested dict (lists of scalars are leaves)."""
    for key, value in mapping.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _rows(value, path + ".")
        else:
            yield path, value, _unit(key)


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


def _steps_table(steps: dict) -> str:
    rows = []
    total, peak = 0.0, None
    for name, stats in steps.items():
        stats = stats if isinstance(stats, dict) else {}
        wall, rss = stats.get("wall_s"), stats.get("peak_rss_mib")
        rows.append((name, wall, rss))
        if isinstance(wall, (int, float)):
            total += wall
        if isinstance(rss, (int, float)):
            peak = rss if peak is None else max(peak, rss)
    table = _table(rows, ("step", "wall time [s]", "peak RSS [MiB]"))
    foot = (f"<tfoot><tr><th>all steps</th><td class=\"num\">{html.escape(format_value(total))}</td>"
            f"<td class=\"num\">{html.escape(format_value(peak))}</td></tr></tfoot>")
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


def write_html(report: dict, images: dict, path, *, title: str = "insarApp report",
               embed: bool = True) -> str:
    """Write ``report`` (a ``report.json`` dict) and ``images`` (``{name: png path}``) as one
    HTML page at ``path``; returns the path.

    Top-level numbers and lists form a summary table (quantity, value, unit; units from the
    key names: ``_s`` s, ``_mib`` MiB, ``_px`` px, ...), each nested dict a table of its
    own, ``steps`` (``{step: {"wall_s", "peak_rss_mib"}}``) a table of wall time and peak
    memory with a total row. With ``embed`` (default) the PNGs are embedded as base64
    ``data:`` URIs, so the page stands alone; else they are linked by paths relative to
    the page. Images whose files are missing are left out. All text is HTML-escaped.
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
    if scalars:
        parts += ["<h2>Summary</h2>", _table(_rows(scalars))]
    for key, value in nested.items():
        parts += [f"<h2>{e(str(key))}</h2>",
                  _table(_rows(value)) if value else "<p>(none)</p>"]
    if isinstance(steps, dict) and steps:
        parts += ["<h2>Steps: wall time and peak memory</h2>", _steps_table(steps)]
    shown = [(name, Path(p)) for name, p in (images or {}).items() if p and Path(p).is_file()]
    if shown:
        parts.append("<h2>Quicklooks</h2>")
    for name, png in shown:
        if embed:
            src = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
        else:
            src = Path(os.path.relpath(png.resolve(), path.parent.resolve())).as_posix()
        caption = CAPTIONS.get(name, name)
        parts += [f'<figure id="{e(str(name))}">',
                  f'<img src="{e(src)}" alt="{e(str(name))}">',
                  f"<figcaption><b>{e(str(name))}</b>: {e(caption)}</figcaption>", "</figure>"]
    parts += ["</body>", "</html>", ""]
    from isce.io.atomic import write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(parts))
    return str(path)


def build_report(workdir=".", out_dir=None, *, wavelength: float | None = None,
                 embed: bool = True) -> str:
    """Quicklooks of ``workdir`` (into ``out_dir``, default ``<workdir>/quicklooks``) and
    ``<workdir>/report.html`` from ``<workdir>/report.json`` (empty when absent)."""
    workdir = Path(workdir)
    try:
        report = json.loads((workdir / "report.json").read_text())
    except (OSError, ValueError):
        report = {}
    images = quicklooks(workdir, out_dir, wavelength=wavelength)
    return write_html(report if isinstance(report, dict) else {}, images,
                      workdir / "report.html", embed=embed)
