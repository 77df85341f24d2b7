"""Files of a simulated stack: the per-date reader XML, ``stackStripMap.xml``, a date's echoes,
the first date's focused grid as the stack runner will see it, and the truth rasters."""
from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

import isce.io
import isce.sensors
from isce.core.radargrid import RadarGrid
from isce.focus.pipeline import resolve_doppler
from isce.focus.rangecomp import range_compress
from isce.focus.rda import plan_azimuth
from isce.framework.configurable import SearchPath
from isce.framework.names import normalize
from isce.framework.xmlconfig import ConfigNode, Setting
from isce.geometry.baseline import baselines
from isce.io.atomic import write_text
from isce.simulate.distributed import echoes_from_scene
from isce.simulate.echoes import release_memory, simulate_point_targets
from isce.sensors.raw import RawSource

__all__ = ["date_xml", "stack_xml", "read_date", "reference_grid", "grid_record", "write_truth",
           "date_echoes", "isce2_baselines"]


def date_xml(date: str, sensor: str, properties: dict) -> str:
    """The reader XML of one date (``<date>/<date>.xml``): ISCE2's component file with the
    ``sensor name`` and the reader's properties (paths relative to the XML's folder)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<!-- written by simulateApp.py: date {date} of a simulated stack -->",
             f'<component name="{date}">',
             f'  <property name="sensor name">{escape(sensor)}</property>']
    lines += [f'  <property name="{escape(k)}">{escape(str(v))}</property>'
              for k, v in properties.items()]
    return "\n".join(lines + ["</component>", ""])


def stack_xml(sensor: str, reference: str, looks: tuple[int, int], dem: str | None,
              note: str = "") -> str:
    """``stackStripMap.xml``: the sensor, the folder of date folders (the XML's own), the
    reference (first) date, the DEM and the looks."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             "<!-- written by simulateApp.py: the simulated stack, ready for stackStripMap.py -->",
             "<stackStripMap>", '  <component name="stackStripMap">',
             f'    <property name="sensor name">{escape(sensor)}</property>',
             '    <property name="slc directory">.</property>',
             f'    <property name="reference date">{reference}</property>']
    if note:
        lines.append(f"    <!-- {note} -->")
    lines += [f'    <property name="azimuth looks">{int(looks[0])}</property>',
              f'    <property name="range looks">{int(looks[1])}</property>']
    if dem:
        lines.append(f'    <property name="demFilename">{escape(dem)}</property>')
    return "\n".join(lines + ["  </component>", "</stackStripMap>", ""])


def read_date(sensor: str, date: str, properties: dict, folder):
    """The product of one date as the stack runner reads it: ``isce.sensors.create(sensor)``
    configured with ``properties`` (paths relative to ``folder``), then ``parse()``."""
    source = os.fspath(Path(folder) / f"{date}.xml")
    node = ConfigNode(name=date, source=source, properties={
        normalize(k): Setting(k, str(v), source, None, os.fspath(folder))
        for k, v in properties.items()})
    reader = isce.sensors.create(sensor, name=date)
    reader.configure(node, search=SearchPath(()))
    return reader.parse()


def reference_grid(product, epoch_orbit) -> RadarGrid:
    """The zero-Doppler grid of ``product``'s SLC: its own for an SLC product; for raw data
    the grid :func:`isce.focus.pipeline.focus` makes with its defaults (insarApp's; range
    compression and the Doppler centroid as it resolves it). Times in seconds since
    ``epoch_orbit``'s epoch."""
    if hasattr(product, "radar_grid"):
        g = product.radar_grid
        start = (g.reference_epoch + g.sensing_start).to_datetime64()
        prf, r0, dr, length, width = g.prf, g.starting_range, g.range_pixel_spacing, g.length, g.width
    else:
        rc = range_compress(product, None)
        model, _ = resolve_doppler(product, rc)
        out = plan_azimuth(rc, doppler=model).grid
        del rc
        start = product.orbit.datetime64(out.sensing_start)
        prf, r0, dr, length, width = out.prf, out.starting_range, out.spacing, out.length, out.width
    t0 = float(epoch_orbit.seconds(start))
    return RadarGrid(t0, epoch_orbit.reference_epoch, prf=float(prf), starting_range=float(r0),
                     range_pixel_spacing=float(dr), length=int(length), width=int(width),
                     wavelength=product.wavelength, look_side=product.look_side)


def grid_record(grid: RadarGrid, orbit) -> dict:
    """A grid as plain numbers for ``stack.json`` (first line's time in UTC)."""
    return {"sensing_start_utc": str(orbit.datetime64(grid.sensing_start)), "prf": grid.prf,
            "starting_range": grid.starting_range, "range_pixel_spacing": grid.range_pixel_spacing,
            "length": grid.length, "width": grid.width}


def isce2_baselines(grid, orbit1, orbits, height: float) -> dict:
    """Perpendicular and parallel baselines [m] of each orbit to ``orbit1`` at the centre of
    the first date's SLC ``grid`` (at ``height`` [m]), in ISCE2's convention
    (:func:`isce.geometry.baseline.baselines`, what a stack's ``baselines/`` files hold)."""
    line, pixel = (grid.length - 1) / 2.0, (grid.width - 1) / 2.0
    perp, par = [], []
    for orbit in orbits:
        b = baselines(grid, orbit1, orbit, np.array([line]), np.array([pixel]), heights=height)
        perp.append(float(b.perpendicular[0]))
        par.append(float(b.parallel[0]))
    return {"perpendicular": perp, "parallel": par}


def write_truth(path, data: np.ndarray) -> None:
    """A float32 ISCE raster (+ ``.xml``/``.vrt``) of ``data`` [m]."""
    data = np.asarray(data, dtype=np.float32)
    with isce.io.create(os.fspath(path), data.shape[1], data.shape[0], "FLOAT") as ds:
        ds.write(data)


def date_echoes(scene, grid, orbit, radar, targets, *, sensing_start: float, length: int,
                starting_range: float, width: int, bandwidth: float, height: float,
                noise: float, seed: int, output, coherence_note: dict):
    """Raw echoes of one date: the point ``targets``' exact echoes plus those of the
    focused-domain ``scene`` on ``grid``, written to ``output`` (+ ``.json``); returns the
    RawProduct."""
    raw = simulate_point_targets(orbit, radar, targets, sensing_start=sensing_start,
                                 length=length, starting_range=starting_range, width=width,
                                 noise_power=noise, output=None, seed=seed)
    echoes = echoes_from_scene(scene, grid, orbit, radar, sensing_start=raw.sensing_start,
                               length=raw.length, starting_range=raw.starting_range,
                               width=raw.width, bandwidth=bandwidth, height=height, progress=True)
    echoes += raw.read()
    release_memory(raw)
    with isce.io.create(os.fspath(output), raw.width, raw.length, "CFLOAT", image_type="raw") as ds:
        ds.write(echoes)
    del echoes
    raw.source = RawSource("raster", os.path.abspath(output))
    raw.attributes["distributed_scene"] = {
        "method": "inverse range-Doppler focusing of the ideal focused scene "
                  "(isce.simulate.distributed)", "doppler_band_hz": bandwidth, **coherence_note}
    raw.save(os.fspath(output) + ".json")
    return raw


def write_xml(path, text: str) -> None:
    write_text(os.fspath(path), text)
