"""``focus.py``: raw echoes (a RawProduct) to a zero-Doppler SLC.

Steps: ``prepare`` (read and check the raw product, resolve the output grid
settings), ``rangecomp`` (matched filtering, written beside the output as
``<output>.rc``), ``doppler`` (constant given, else the metadata's, else
estimated from the compressed echoes), ``azimuth`` (range-Doppler focusing in
patches onto the zero-Doppler grid, written as ``<output>`` + ``.json``),
``endup`` (summary; the range-compressed file is removed unless kept).

Example input (``focus.xml``)::

    <focus>
      <component name="focus">
        <property name="raw">reference.raw.json</property>
        <property name="output">slc/reference.slc</property>
        <property name="azimuth weighting">kaiser</property>
        <property name="kaiser beta">2.5</property>
      </component>
    </focus>
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from isce.core.doppler import doppler_from_dict
from isce.focus.pipeline import resolve_doppler
from isce.focus.rangecomp import load_range_compressed, range_compress
from isce.focus.rda import focus_azimuth
from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.io.sidecars import remove_sidecars
from isce.sensors.raw import RawProduct

from .products import ORBIT_INTERPOLATION, apply_orbit_interpolation

WINDOWS = ("rect", "kaiser", "hamming")


def _rc_path(p) -> str:
    return os.fspath(p.output) + ".rc"


def read_runconfig_grid(path) -> dict:
    """The ``output_grid`` settings of an ISCE3 focusing runconfig (YAML): ``start_time``,
    ``end_time`` (ISO UTC), ``start_range``, ``end_range`` [m], ``output_prf`` [Hz].

    Only that block is read (a line-based reader: no YAML library needed)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the runconfig: {exc}") from None
    out, indent = {}, None
    for number, raw in enumerate(lines, 1):
        text = raw.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        level = len(text) - len(text.lstrip())
        key, _, value = text.strip().partition(":")
        if indent is None:
            if key == "output_grid" and not value.strip():
                indent = level
            continue
        if level <= indent:
            break
        value = value.strip().strip("'\"")
        if not value:
            continue
        try:
            if key in ("start_time", "end_time"):
                out[key] = value
            elif key in ("start_range", "end_range"):
                out[key] = float(value)
            elif key == "output_prf":
                out["prf"] = float(value)
        except ValueError:
            raise InputError(f"{path}: line {number}: {key} = {value!r} is not a number") from None
    if indent is None:
        raise InputError(f"{path}: no 'output_grid:' block in the runconfig")
    return out


def _grid_overrides(p) -> dict:
    grid = read_runconfig_grid(p.runconfig) if p.runconfig else {}
    if p.start_time is not None and str(p.start_time).strip():
        grid["start_time"] = str(p.start_time).strip()
    if p.output_prf is not None:
        grid["prf"] = float(p.output_prf)
    if p.lines is not None:
        grid["length"] = int(p.lines)
        grid.pop("end_time", None)
    if p.start_range is not None:
        grid["start_range"] = float(p.start_range)
    if p.samples is not None:
        grid["width"] = int(p.samples)
        grid.pop("end_range", None)
    for key in ("length", "width"):
        if key in grid and grid[key] < 1:
            what = "line" if key == "length" else "sample"
            raise ConfigurationError(f"the output grid needs at least one {what}")
    return grid


def prepare(ctx):
    """Read the raw product and check the settings."""
    p = ctx.params
    raw = RawProduct.load(p.raw)
    ctx.add_input(p.raw)
    if raw.source is not None and raw.source.kind == "raster":
        src = raw.source.path
        if not os.path.isabs(src):
            src = os.path.join(os.path.dirname(os.path.abspath(p.raw)), src)
            raw.source.path = src
        if not os.path.exists(src):
            raise InputError(f"{p.raw}: its echoes {src} do not exist")
        ctx.add_input(src)
    if raw.source is None:
        raise InputError(f"{p.raw}: the raw product has no echo data attached")
    apply_orbit_interpolation(raw, p.orbit_interpolation, ctx.log, p.raw)
    ctx.state.raw = raw.to_dict()
    ctx.state.grid = _grid_overrides(p)
    ctx.log.info("%s: %d pulses x %d samples, PRF %.3f Hz, fs %.3f MHz, chirp %.2f MHz / %.2f us, "
                 "%s-looking", p.raw, raw.length, raw.width, raw.prf, raw.range_sampling_rate / 1e6,
                 raw.chirp_bandwidth / 1e6, raw.pulse_length * 1e6, raw.look_side)


def rangecomp(ctx):
    """Range-compress every pulse with the chirp from the metadata."""
    p = ctx.params
    raw = RawProduct.from_dict(ctx.state.raw)
    out = _rc_path(p)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    beta = p.range_beta if p.range_beta is not None else p.kaiser_beta
    rc = range_compress(raw, out, window_kind=p.range_weighting, beta=beta, progress=True,
                        log=ctx.log)
    ctx.add_output(out)
    ctx.add_output(out + ".json")
    ctx.state.rc = out + ".json"
    ctx.log.info("fully compressed samples %d..%d of %d", rc.valid[0], rc.valid[1] - 1, raw.width)


def doppler(ctx):
    """Doppler centroid: the given constant, else the metadata's, else estimated."""
    p = ctx.params
    rc = load_range_compressed(ctx.state.rc)
    model, source = resolve_doppler(rc.raw, rc, p.doppler, estimate=p.estimate_doppler,
                                    azimuth_blocks=p.doppler_azimuth_blocks,
                                    degree=p.doppler_degree)
    ctx.state.doppler = model.to_dict()
    ctx.state.doppler_source = source
    g = rc.raw
    t_mid = g.sensing_start + 0.5 * (g.length - 1) / g.prf
    r_mid = g.starting_range + 0.5 * (g.width - 1) * g.range_pixel_spacing
    ctx.log.info("Doppler centroid (%s): %.2f Hz at mid scene", source,
                 float(model.eval(t_mid, r_mid)))


def azimuth(ctx):
    """Focus in azimuth onto the zero-Doppler grid (patches, RCMC, SRC, matched filter)."""
    p = ctx.params
    rc = load_range_compressed(ctx.state.rc)
    ctx.add_input(ctx.state.rc)
    model = doppler_from_dict(ctx.state.doppler)
    beta = p.azimuth_beta if p.azimuth_beta is not None else p.kaiser_beta
    src = {"auto": "auto", "yes": True, "no": False}[p.src]
    try:
        result = focus_azimuth(rc, grid=ctx.state.grid or None, doppler=model,
                               window_kind=p.azimuth_weighting, beta=beta,
                               bandwidth=p.azimuth_bandwidth,
                               antenna_compensation=p.antenna_compensation, src=src,
                               patch_lines=p.patch_lines, height=p.reference_height,
                               output=p.output, progress=True)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    result.product.attributes["doppler_source"] = ctx.state.doppler_source
    result.product.save(os.fspath(p.output) + ".json")
    ctx.add_output(p.output)
    ctx.add_output(os.fspath(p.output) + ".json")
    ctx.state.slc = os.fspath(p.output)
    ctx.state.info = {k: _plain(v) for k, v in result.info.items()
                      if isinstance(v, (int, float, str, bool, list))}
    g = result.product.radar_grid
    ctx.log.info("wrote %s: %d lines x %d samples, first line %s, PRF %.3f Hz, start range %.3f m",
                 p.output, g.length, g.width, g.sensing_start_datetime, g.prf, g.starting_range)


def _plain(value):
    """NumPy scalars (also inside lists) as Python numbers: saved state holds plain types only."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") else value


def endup(ctx):
    """Summarise; remove the range-compressed intermediate unless it is kept."""
    p = ctx.params
    info = ctx.state.info or {}
    ctx.log.info("focused with %d patch(es) of %d lines, azimuth bandwidth %.1f Hz, SRC %s",
                 info.get("patches", 0), info.get("patch_lines", 0),
                 info.get("azimuth_bandwidth", math.nan), info.get("src"))
    if not p.keep_range_compressed:
        rc = _rc_path(p)
        for path in (rc, rc + ".json"):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        remove_sidecars(rc)


class Focus(Application):
    """Focus raw echoes into a single-look complex image on a zero-Doppler grid.

    Range compression with the transmitted chirp, Doppler centroid from the metadata
    or the echoes, range-Doppler azimuth focusing with range migration and secondary
    range compression, rectangular / Kaiser / Hamming weighting, patch processing.
    Writes ``output`` (complex64 ISCE raster with .xml/.vrt/.hdr) and ``output.json``
    (the SLC product metadata).
    """

    family = "focus"
    parameters = (
        Parameter("raw", type="path", mandatory=True,
                  doc="Raw product metadata (.json written by a raw reader or simulateApp.py)."),
        Parameter("output", type="path", default="slc/focused.slc", doc="SLC raster to write."),
        Parameter("range_weighting", public_name="range weighting", default="rect",
                  choices=WINDOWS, doc="Range spectral window."),
        Parameter("azimuth_weighting", public_name="azimuth weighting", default="rect",
                  choices=WINDOWS, doc="Azimuth spectral window."),
        Parameter("kaiser_beta", public_name="kaiser beta", type=float, default=2.5,
                  doc="Kaiser window shape beta (both directions unless set separately)."),
        Parameter("range_beta", public_name="range kaiser beta", type=float, default=None,
                  doc="Kaiser beta in range (default: kaiser beta)."),
        Parameter("azimuth_beta", public_name="azimuth kaiser beta", type=float, default=None,
                  doc="Kaiser beta in azimuth (default: kaiser beta)."),
        Parameter("doppler", type=float, default=None, units="Hz",
                  doc="Constant Doppler centroid; default: the metadata's, else estimated."),
        Parameter("estimate_doppler", public_name="estimate doppler", type=bool, default=False,
                  doc="Estimate the Doppler centroid from the echoes even if the metadata "
                  "have one."),
        Parameter("doppler_degree", public_name="doppler degree", type=int, default=1,
                  doc="Degree in range of the estimated Doppler polynomial (0: one constant)."),
        Parameter("doppler_azimuth_blocks", public_name="doppler azimuth blocks", type=int,
                  default=4,
                  doc="Azimuth blocks of the Doppler estimate (1 for point-target scenes)."),
        Parameter("azimuth_bandwidth", public_name="azimuth bandwidth", type=float, default=None,
                  units="Hz", doc="Processed azimuth bandwidth; default: the antenna's two-way "
                  "3-dB Doppler bandwidth (max 0.9 PRF), or 0.8 PRF."),
        Parameter("antenna_compensation", public_name="antenna pattern compensation", type=bool,
                  default=None, doc="Equalise the two-way sinc^2 azimuth antenna pattern over the "
                  "processed band (default: when the antenna length is known)."),
        Parameter("src", public_name="secondary range compression", default="auto",
                  choices=("auto", "yes", "no"), doc="auto: on when it removes > 0.01 rad."),
        Parameter("start_time", public_name="output start time", type=str, default=None,
                  doc="Zero-Doppler time (UTC, ISO) of the first output line."),
        Parameter("output_prf", public_name="output prf", type=float, default=None, units="Hz",
                  doc="Output line rate (default: the raw PRF)."),
        Parameter("lines", public_name="number of lines", type=int, default=None,
                  doc="Output lines (default: every fully focused line)."),
        Parameter("start_range", public_name="output start range", type=float, default=None,
                  units="m", doc="Slant range of the first output sample."),
        Parameter("samples", public_name="number of samples", type=int, default=None,
                  doc="Output samples per line (default: every fully focused sample)."),
        Parameter("runconfig", type="path", default=None,
                  doc="ISCE3 focusing runconfig (YAML) whose processing.output_grid sets "
                  "the grid."),
        Parameter("patch_lines", public_name="patch lines", type=int, default=None,
                  doc="Azimuth FFT length of a patch (default: >= 2 synthetic apertures)."),
        Parameter("reference_height", public_name="reference height", type=float, default=0.0,
                  units="m", doc="Height of the surface the range histories are computed for."),
        Parameter("keep_range_compressed", public_name="keep range compressed", type=bool,
                  default=False, doc="Keep <output>.rc (range-compressed echoes)."),
        ORBIT_INTERPOLATION,
    )
    steps = (
        Step("prepare", prepare, prepare.__doc__),
        Step("rangecomp", rangecomp, rangecomp.__doc__),
        Step("doppler", doppler, doppler.__doc__),
        Step("azimuth", azimuth, azimuth.__doc__),
        Step("endup", endup, endup.__doc__),
    )
