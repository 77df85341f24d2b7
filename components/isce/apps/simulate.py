"""``simulateApp.py``: raw echoes of point targets with known truth, for one or two passes.

Per pass (``reference``, ``secondary``) in the output directory:

* ``<pass>.raw`` (+ ``.xml``/``.vrt``/``.hdr``): complex64 echoes (isce.io CFLOAT raster),
  ``<pass>.raw.json``: the :class:`~isce.sensors.raw.RawProduct` metadata;
* ``<pass>_truth.json``: targets (lat, lon, height, amplitude) and their expected
  zero-Doppler time (s since the orbit epoch and UTC), slant range, line/pixel on a
  zero-Doppler grid with the raw's start, PRF, starting range and spacing, plus, for the
  secondary, the deformation (LOS displacement) of each target;
* ``focus_<pass>.xml``: a ready-to-run input of ``focus.py``;
* for the formats of focused data (``sensor`` of level "slc" in
  :data:`isce.simulate.formats.FORMATS`: SENTINEL1, TERRASARX, ..., ISCE_SLC): ``<pass>.slc``
  (+ ``.json``), the echoes focused as focus.py does;
* the pass in the ``sensor``'s format (the writer of :mod:`isce.simulate.formats`; ALOS:
  CEOS level 1.0 ``IMG-HH-<pass>``/``LED-<pass>``) and ``insarApp.xml`` naming that
  sensor and the writer's files.

``simulation.json`` sums up the run (radar, orbits, baseline achieved). A speckle pair with
``ionosphere`` [TECU] > 0 also has ``truth/dispersive.rdr``: the interferometric phase of the
differential-TEC screen [rad at the carrier] on the reference scene's zero-Doppler grid
(``simulation.json``: ``ionosphere.grid``; :mod:`isce.quality.ionosphere` maps it onto a run).

A stack (``dates`` >= 3, speckle scenes; the models in :mod:`isce.simulate.stack`): one
track every repeat cycle from the reference date, each date ``<YYYYMMDD>/`` in the sensor's
format with its reader XML ``<YYYYMMDD>/<YYYYMMDD>.xml``, ``stackStripMap.xml`` ready to
run, and the truth: ``truth/<date>.los.rdr`` (LOS displacement [m] since the first date,
positive towards the radar, on the first date's focused grid), ``truth/<date>.tropo.rdr``
with a troposphere, and ``truth/stack.json`` (dates, baselines, models, sign convention).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import time
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

import isce.io
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.orbit import Orbit
from isce.core.radargrid import RadarGrid
from isce.framework import Application, ConfigurationError, Parameter, Step
from isce.geometry.rdr2geo import radar_grid_bbox
from isce.io.atomic import write_text
from isce.io.blocks import progress_bar
from isce.focus.pipeline import focus
from isce.sensors.product import SlcProduct
from isce.sensors.raw import RawProduct, RawSource
from isce.simulate.distributed import echoes_from_scene, pair_scenes, scene_grid, simulated_band
from isce.simulate.echoes import release_memory, simulate_point_targets
from isce.simulate.formats import FORMATS, WriterFormat, load_writer, writer_format
from isce.simulate.orbit import orbit_with_baseline
from isce.simulate.radar import RadarParameters, preset
from isce.simulate.scenes import alos_scene, ree_out17_scene
from isce.simulate import stack_io
from isce.simulate.stack import (SIGN_CONVENTION, YEAR_DAYS, DecorrelatingSpeckle, StackDeformation,
                                 StackScene, date_name, moved_targets, perpendicular_baselines,
                                 stack_times, troposphere_screen)
from isce.simulate.flow import flow_through_scene, write_offset_truth
from isce.simulate.targets import (DeformationSum, FlowSource, MogiSource, Target, dem_height,
                                   parse_target_list, read_targets_csv, synthetic_dem, target_truth)

PASSES = ("reference", "secondary")
#: the radar presets simulateApp offers (``radar``)
RADARS = ("ALOS", "REE", "SENTINEL1", "TERRASARX", "COSMO_SKYMED", "RADARSAT2", "ENVISAT",
          "ALOS2", "RADARSAT1", "ERS", "ERS_ENVISAT")
#: ground pixel [m] (azimuth, range) insarApp's looks aim at
LOOKED_PIXEL_M = (38.0, 30.0)
#: ground range [m] below which the simulator's insarApp.xml takes one more range look
MIN_LOOKED_RANGE_M = 25.0
_EARTH_RADIUS = 6371000.0
_GM = 3.986004418e14


def resolve_sensor(sensor, radar) -> tuple[str, WriterFormat | None]:
    """(radar preset name, format to write) of the ``sensor`` and ``radar`` settings: the
    sensor's own preset (``radar`` may repeat it, not contradict it); ISCE_SLC takes any
    preset (``radar``, default ALOS); REE (JPL's point-target case) has no sensor format.
    Defaults: sensor ALOS. ConfigurationError in one line for a contradiction."""
    radar = str(radar).strip().upper() if radar else None
    if radar == "REE":
        if sensor:
            raise ConfigurationError(f"radar REE (JPL's point-target case) is written in no "
                                     f"sensor format: drop sensor={sensor}")
        return "REE", None
    fmt = writer_format(sensor or "ALOS")
    if fmt.preset is None:
        return radar or "ALOS", fmt
    if radar is not None and radar != fmt.preset:
        raise ConfigurationError(f"sensor={fmt.sensor} simulates the {fmt.preset} radar; "
                                 f"radar={radar} contradicts it (drop radar)")
    return fmt.preset, fmt


def insar_looks(radar: RadarParameters, look_angle: float | None = None) -> tuple[int, int]:
    """(azimuth, range) looks giving ground pixels of about :data:`LOOKED_PIXEL_M` for the
    preset (nominal circular orbit: ground speed / PRF; range pixel / sin(incidence))."""
    radius = _EARTH_RADIUS + radar.altitude
    ground_speed = math.sqrt(_GM / radius) * _EARTH_RADIUS / radius
    look = math.radians(radar.look_angle if look_angle is None else look_angle)
    incidence = math.asin(min(radius / _EARTH_RADIUS * math.sin(look), 1.0))
    az_pixel = ground_speed / radar.prf
    rg_pixel = radar.range_pixel_spacing / math.sin(incidence)
    # never finer than MIN_LOOKED_RANGE_M: ERS's 20 m range pixel would get 1 look (10 looks
    # in all), whose speckle nulls mis-unwrap a pixel in a million; 2 looks are 41 m
    rg = max(int(LOOKED_PIXEL_M[1] / rg_pixel + 0.5), math.ceil(MIN_LOOKED_RANGE_M / rg_pixel))
    return max(1, int(LOOKED_PIXEL_M[0] / az_pixel + 0.5)), max(1, rg)


def _write_json(path: Path, data) -> None:
    write_text(os.fspath(path), json.dumps(data, indent=1, default=str) + "\n")


def _targets(p, radar_name):
    text = (p.targets or "").strip()
    if not text:
        if radar_name == "REE":
            return None                       # the case's own CSV
        # three corner reflectors ~1.5 km apart around the default scene centre (40 dB above
        # the speckle's mean power in a speckle scene)
        gain = 100.0 if p.reflectivity == "speckle" else 1.0
        return [Target(34.5, -116.5, 0.0, gain, "CR1"),
                Target(34.512, -116.488, 250.0, gain, "CR2"),
                Target(34.489, -116.515, 120.0, 0.7 * gain, "CR3")]
    if text.lower().endswith(".csv") or os.path.isfile(text):
        return read_targets_csv(text)
    try:
        return parse_target_list(text)
    except ValueError as exc:
        raise ConfigurationError(f"targets: {exc}") from None


def _mogi(p):
    if not p.deformation:
        return None
    vals = [float(v) for v in str(p.deformation).replace(";", ",").split(",") if v.strip()]
    if len(vals) != 4:
        raise ConfigurationError("deformation must be 'lat,lon,depth_m,volume_change_m3' "
                                 f"(a Mogi source), got {p.deformation!r}")
    return MogiSource(*vals)


def _deformation(ctx):
    """What moves the secondary's scatterers: the Mogi source and/or the flow (laid out on the
    scene by step 'scene'); None for neither."""
    flow = getattr(ctx.state, "flow", None)
    sources = [_mogi(ctx.params), FlowSource(**{k: v for k, v in flow.items() if k != "type"})
               if flow else None]
    sources = [s for s in sources if s is not None]
    return None if not sources else sources[0] if len(sources) == 1 else DeformationSum(sources)


def _dem(ctx, targets):
    """Write a smooth synthetic DEM around the targets and put them on it (heights replaced);
    :func:`_widen_dem` later widens it to the receive window of a speckle scene."""
    lats = [t.lat for t in targets]
    lons = [t.lon for t in targets]
    margin = 0.05
    lat_range = (min(lats) - margin, max(lats) + margin)
    lon_range = (min(lons) - margin, max(lons) + margin)
    center = (sum(lat_range) / 2, sum(lon_range) / 2)
    for t in targets:
        t.height = float(dem_height(t.lat, t.lon, center=center))
    ctx.state.dem = {"path": str(Path(ctx.params.output_dir) / "dem.dem"), "lat_range": lat_range,
                     "lon_range": lon_range, "center": center, "posting_deg": 1.0 / 3600.0}
    _write_dem(ctx)


def _write_dem(ctx):
    d = ctx.state.dem
    synthetic_dem(d["path"], d["lat_range"], d["lon_range"], posting_deg=d["posting_deg"],
                  center=d["center"])
    ctx.add_output(d["path"])


def _widen_dem(ctx, radar, passes):
    """Make the DEM cover every pass's whole receive window (plus 0.01 deg), whatever the
    number of pulses and samples: insarApp refuses a DEM short of its scene."""
    d = ctx.state.dem
    south, north = d["lat_range"]
    west, east = d["lon_range"]
    for spec in passes.values():
        orbit = Orbit.from_dict(spec["orbit"])
        grid = scene_grid(orbit, radar, sensing_start=spec["sensing_start"], length=spec["length"],
                          starting_range=spec["starting_range"], width=spec["width"])
        w, s_, e, n = radar_grid_bbox(grid, orbit, heights=(0.0, 1000.0), margin=0.01)
        south, north, west, east = min(south, s_), max(north, n), min(west, w), max(east, e)
    if (south, north, west, east) != (*d["lat_range"], *d["lon_range"]):
        d["lat_range"], d["lon_range"] = (south, north), (west, east)
        _write_dem(ctx)


def _default_date(radar_name) -> _dt.datetime:
    """The reference date when none is given: the preset's (within the mission's life), else
    2008-06-01 05:30 (ALOS)."""
    date = preset(radar_name).extra.get("default_date")
    return _dt.datetime.fromisoformat(date) if date else _dt.datetime(2008, 6, 1, 5, 30)


def _mission_scene(ctx, targets, radar_name, when):
    """The mission radar's scene over ``targets`` at ``when`` (the DEM made first when asked)."""
    p = ctx.params
    if p.dem:
        _dem(ctx, targets)
    return alos_scene(targets, time=when, pulses=p.pulses or 8192,
                      ascending=p.pass_direction == "ascending", look_angle=p.look_angle,
                      radar=preset(radar_name))


def _check_samples(samples, radar, radar_name) -> None:
    """A speckle scene's receive window must hold the chirp and some image (ConfigurationError)."""
    if samples < radar.chirp_samples + 256:
        raise ConfigurationError(f"samples={samples}: the {radar_name} chirp alone spans "
                                 f"{radar.chirp_samples} samples; give at least "
                                 f"{radar.chirp_samples + 256}")


def setup(ctx):
    """Choose the radar, the targets and the orbits of both passes (with the baseline), or
    of every date of a stack."""
    p = ctx.params
    if p.dates > 2:
        _setup_stack(ctx)
        return
    radar_name, fmt = resolve_sensor(p.sensor, p.radar)
    targets = _targets(p, radar_name)
    out = Path(p.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    if radar_name == "REE":
        scene = ree_out17_scene(pulses=p.pulses)
        if targets is not None:
            scene.targets = targets
        if p.dem:
            _dem(ctx, scene.targets)
        ref_time = scene.truth()[0]["azimuth_utc"]
        if p.reference_date is not None:
            ctx.log.warning("REE: the reference date is fixed by the rdf (%s); ignoring %s",
                            ref_time, p.reference_date)
    else:
        when = p.reference_date or _default_date(radar_name)
        scene = _mission_scene(ctx, targets, radar_name, when)
        ref_time = str(when)
    center = scene.targets[0]
    passes = {"reference": {"orbit": scene.orbit.to_dict(), "sensing_start": scene.sensing_start,
                            "length": scene.length, "starting_range": scene.starting_range,
                            "width": scene.width, "time": ref_time}}
    baseline = None
    if p.secondary_date is not None or radar_name != "REE":
        if p.secondary_date is not None:
            when2 = p.secondary_date
        else:
            repeat = scene.radar.extra.get("repeat_days", 46)       # ALOS: 46-day cycle
            when2 = (p.reference_date or _default_date(radar_name)) + _dt.timedelta(days=repeat)
        truth = scene.truth()[0]
        orbit2, t2, baseline = orbit_with_baseline(
            scene.orbit, center.lat, center.lon, center.height, scene.radar.look_side,
            p.baseline, when2, inclination_deg=scene.radar.inclination, duration_s=30.0,
            reference_time=truth["azimuth_time"])
        shift = t2 - truth["azimuth_time"]      # same pulse window relative to the centre
        passes["secondary"] = {"orbit": orbit2.to_dict(),
                               "sensing_start": scene.sensing_start + shift,
                               "length": scene.length, "starting_range": None,
                               "width": None, "time": str(when2)}
        ctx.log.info("perpendicular baseline %.2f m (asked %.2f m), parallel %.2f m",
                     baseline["perpendicular"], p.baseline, baseline["parallel"])
    if p.reflectivity == "speckle":
        if radar_name == "REE" or "secondary" not in passes:
            raise ConfigurationError("a speckle scene needs a mission radar (not REE) and two passes")
        _check_samples(p.samples, scene.radar, radar_name)
        # one receive window for both passes: the scene centre at mid-swath
        dr = SPEED_OF_LIGHT / (2.0 * scene.radar.range_sampling_rate)
        r_mid = scene.truth()[0]["slant_range"]
        for spec in passes.values():
            spec["starting_range"] = r_mid - 0.5 * p.samples * dr
            spec["width"] = int(p.samples)
        if p.dem:
            _widen_dem(ctx, scene.radar, passes)
    ctx.state.radar = scene.radar.to_dict()
    ctx.state.radar_name = radar_name
    ctx.state.sensor = fmt.sensor if fmt is not None else None
    ctx.state.targets = [t.to_dict() for t in scene.targets]
    ctx.state.passes = passes
    ctx.state.baseline = baseline
    ctx.state.scene_info = scene.info
    if not p.dem:
        ctx.state.dem = None
    ctx.log.info("%s radar (%s format): %d target(s), %d pulses per pass, passes: %s",
                 radar_name, ctx.state.sensor or "no sensor", len(scene.targets), scene.length,
                 ", ".join(passes))


def _scene_grids(ctx):
    radar = RadarParameters.from_dict(ctx.state.radar)
    out = {}
    for name, spec in ctx.state.passes.items():
        orbit = Orbit.from_dict(spec["orbit"])
        out[name] = (orbit, scene_grid(orbit, radar, sensing_start=spec["sensing_start"],
                                       length=spec["length"], starting_range=spec["starting_range"],
                                       width=spec["width"], height=_mean_height(ctx)))
    return radar, out


def _mean_height(ctx) -> float:
    return float(sum(t["height"] for t in ctx.state.targets) / max(len(ctx.state.targets), 1))


def scene(ctx):
    """Distributed scene (speckle scenes only): both passes' ideal focused images over the DEM,
    the secondary's scatterers moved by the deformation."""
    p = ctx.params
    if getattr(ctx.state, "stack", None):
        ctx.log.info("a stack: its scenes are made date by date by step 'stack'")
        return
    if p.reflectivity != "speckle":
        ctx.log.info("point targets only: no distributed scene")
        return
    radar, grids = _scene_grids(ctx)
    (orbit1, grid1), (orbit2, grid2) = grids["reference"], grids["secondary"]
    ctx.state.ionosphere = None
    dem = ctx.state.dem["path"] if ctx.state.dem else _mean_height(ctx)
    band = simulated_band(radar, orbit1, grid1)
    ctx.state.flow = flow_through_scene(p.flow, grid1, orbit1, dem).to_dict() if p.flow else None
    scenes = pair_scenes(grid1, orbit1, grid2, orbit2, dem=dem, deformation=_deformation(ctx),
                         coherence=p.coherence, range_fraction=radar.chirp_bandwidth
                         / radar.range_sampling_rate, azimuth_fraction=band / radar.prf,
                         seed=p.seed + 100, ionosphere=p.ionosphere, progress=True)
    out = Path(p.output_dir)
    if scenes["dispersive"] is not None:
        _write_dispersive_truth(ctx, scenes["dispersive"], grid1)
    for name in PASSES:
        path = out / f"{name}_scene.slc"
        data = scenes[name]
        with isce.io.create(str(path), data.shape[1], data.shape[0], "CFLOAT",
                            image_type="slc") as ds:
            ds.write(data)
        ctx.add_output(path)
        ctx.state.passes[name]["scene"] = str(path)
        ctx.state.passes[name]["scene_grid"] = grids[name][1].to_dict()
    ctx.state.scene_band = band
    if ctx.state.flow:     # where each reference scene pixel lands: the truth after focusing
        for key in ("secondary_lines", "secondary_samples"):
            path = out / f"{key}_scene.off"
            isce.io.write(str(path), scenes[key], image_type="offset")
            ctx.add_output(path)
    ctx.log.info("speckle scene %d x %d per pass (coherence %.2f, Doppler band %.0f Hz)",
                 grid1.length, grid1.width, p.coherence, band)


def _write_dispersive_truth(ctx, phase, grid) -> None:
    """``truth/dispersive.rdr``: the ionosphere's interferometric phase [rad at the carrier]
    on the reference scene's zero-Doppler grid ``grid`` (recorded in simulation.json)."""
    folder = Path(ctx.params.output_dir) / "truth"
    folder.mkdir(exist_ok=True)
    path = folder / "dispersive.rdr"
    stack_io.write_truth(path, phase)
    ctx.add_output(path)
    ctx.state.ionosphere = {"std_tecu": ctx.params.ionosphere, "truth": f"truth/{path.name}",
                            "units": "rad at the carrier (reference x conj(secondary))",
                            "grid": grid.to_dict(),
                            "std_rad": float(np.std(phase))}
    ctx.log.info("ionosphere: %.2f TECU screen, dispersive phase std %.2f rad -> %s",
                 ctx.params.ionosphere, float(np.std(phase)), path)


def _add_scene_echoes(ctx, name, raw, radar, orbit, output):
    """Write the raw raster ``output``: the point targets' echoes (``raw``, in memory) plus
    those of the pass's distributed scene; returns the product and the scene echoes' power."""
    spec = ctx.state.passes[name]
    grid = RadarGrid.from_dict(spec["scene_grid"])
    scene_data = isce.io.open(spec["scene"]).read()
    echoes = echoes_from_scene(scene_data, grid, orbit, radar, sensing_start=raw.sensing_start,
                               length=raw.length, starting_range=raw.starting_range,
                               width=raw.width, bandwidth=ctx.state.scene_band,
                               height=_mean_height(ctx), progress=True)
    del scene_data
    power = float(np.mean(np.abs(echoes[raw.length // 2]) ** 2))
    echoes += raw.read()
    release_memory(raw)
    with isce.io.create(os.fspath(output), raw.width, raw.length, "CFLOAT", image_type="raw") as ds:
        ds.write(echoes)
    raw.source = RawSource("raster", os.path.abspath(output))
    raw.attributes["distributed_scene"] = {
        "method": "inverse range-Doppler focusing of the ideal focused scene "
                  "(isce.simulate.distributed)", "scene": Path(spec["scene"]).name,
        "doppler_band_hz": ctx.state.scene_band, "coherence": ctx.params.coherence}
    raw.save(os.fspath(output) + ".json")
    return raw, power


def _simulate_pass(ctx, name):
    p = ctx.params
    if getattr(ctx.state, "stack", None):
        ctx.log.info("a stack: its dates are made by step 'stack'")
        return
    if name not in ctx.state.passes:
        ctx.log.info("no %s pass (no secondary date)", name)
        return
    spec = ctx.state.passes[name]
    radar = RadarParameters.from_dict(ctx.state.radar)
    orbit = Orbit.from_dict(spec["orbit"])
    targets = [Target.from_dict(t) for t in ctx.state.targets]
    mogi = _deformation(ctx)
    deformation = None
    if name == "secondary" and mogi is not None:
        moved = []
        for t in targets:
            xyz = t.xyz + mogi.ecef(t.lat, t.lon)
            lon, lat, h = WGS84.xyz_to_lon_lat(xyz)
            moved.append(Target(math.degrees(lat), math.degrees(lon), float(h), t.amplitude, t.name))
        deformation = (targets, moved)
        targets = moved
    out = Path(p.output_dir)
    raw_path = out / f"{name}.raw"
    # the reference's receive window is reused by the secondary when it fits both
    starting_range = spec.get("starting_range")
    width = spec.get("width")
    speckle = p.reflectivity == "speckle"
    raw = simulate_point_targets(orbit, radar, targets, sensing_start=spec["sensing_start"],
                                 length=spec["length"], starting_range=starting_range,
                                 width=width, noise_power=p.noise,
                                 output=None if speckle else str(raw_path),
                                 seed=p.seed + (0 if name == "reference" else 1))
    if speckle:
        raw, power = _add_scene_echoes(ctx, name, raw, radar, orbit, raw_path)
        ctx.log.info("%s: distributed scene echoes added (mean power %.3g per sample)", name, power)
    ctx.add_output(raw_path)
    ctx.add_output(str(raw_path) + ".json")
    truth = target_truth(targets, orbit, radar.wavelength, radar.look_side, grid=raw)
    if deformation is not None:
        original, moved = deformation
        for d, t0, t1 in zip(truth, original, moved):
            pos, _ = orbit.interpolate(d["azimuth_time"])
            los = mogi.los(t0.lat, t0.lon, t0.height, pos)
            d["deformation"] = {"model": mogi.to_dict(),
                                "los_displacement_m": float(los),
                                "enu_m": [float(v) for v in mogi.enu(t0.lat, t0.lon)],
                                "original": t0.to_dict()}
    record = {
        "pass": name, "raw": raw_path.name, "raw_metadata": raw_path.name + ".json",
        "radar": radar.to_dict(),
        "grid": {"meaning": "line = (zero-Doppler time - sensing_start) * prf, pixel = "
                            "(slant range - starting_range) / range_pixel_spacing; line times of "
                            "the raw data are transmit times",
                 "sensing_start": raw.sensing_start,
                 "sensing_start_utc": str(orbit.datetime64(raw.sensing_start)),
                 "prf": raw.prf, "starting_range": raw.starting_range,
                 "range_pixel_spacing": raw.range_pixel_spacing, "length": raw.length,
                 "width": raw.width},
        "orbit_reference_epoch": str(orbit.reference_epoch),
        "targets": truth,
        "noise_power": p.noise,
    }
    truth_path = out / f"{name}_truth.json"
    _write_json(truth_path, record)
    ctx.add_output(truth_path)
    ctx.state.passes[name]["raw"] = str(raw_path)
    ctx.state.passes[name]["truth"] = str(truth_path)
    peak = np.max(np.abs(raw.read(slice(raw.length // 2, raw.length // 2 + 1))))
    ctx.log.info("%s: %d x %d echoes -> %s (centre-line peak %.3g)", name, raw.length,
                 raw.width, raw_path, peak)


def reference(ctx):
    """Simulate the reference pass: raw echoes, metadata and truth."""
    _simulate_pass(ctx, "reference")


def secondary(ctx):
    """Simulate the secondary pass (targets moved by the deformation source, if any)."""
    _simulate_pass(ctx, "secondary")


def _format(ctx) -> WriterFormat | None:
    """The format being written (None: REE, or ALOS with ``ceos`` off)."""
    if ctx.state.sensor is None:
        return None
    fmt = writer_format(ctx.state.sensor)
    if fmt.sensor == "ALOS" and not ctx.params.ceos:
        return None
    return fmt


def focus_passes(ctx):
    """Formats of focused data: focus every pass (focus.py's chain with its defaults) into
    ``<pass>.slc`` + ``.json``."""
    fmt = _format(ctx)
    if getattr(ctx.state, "stack", None):
        ctx.log.info("a stack: its dates are focused by step 'stack'")
        return
    if fmt is None or fmt.level != "slc":
        ctx.log.info("no focusing: %s", f"{fmt.sensor} takes raw echoes" if fmt else
                     "no sensor format written")
        return
    out = Path(ctx.params.output_dir)
    for name, spec in ctx.state.passes.items():
        if "raw" not in spec:
            continue
        raw = RawProduct.load(spec["raw"] + ".json")
        slc = out / f"{name}.slc"
        result = focus(raw, output=os.fspath(slc), progress=True)
        release_memory(raw)
        ctx.add_output(slc)
        ctx.add_output(str(slc) + ".json")
        spec["slc"] = str(slc)
        g = result.product.radar_grid
        ctx.log.info("%s: focused %d x %d -> %s", name, g.length, g.width, slc)
    if getattr(ctx.state, "flow", None):
        _offset_truth(ctx)


def _offset_truth(ctx):
    """``truth/azimuth.off``, ``truth/range.off``: the true offsets on the focused reference
    grid (the flow and any Mogi source, plus the geometry)."""
    out = Path(ctx.params.output_dir)
    scenes = [RadarGrid.from_dict(ctx.state.passes[n]["scene_grid"]) for n in PASSES]
    focused = [SlcProduct.load(ctx.state.passes[n]["slc"] + ".json").radar_grid for n in PASSES]
    lines, samples = (isce.io.open(str(out / f"{k}_scene.off")).read()
                      for k in ("secondary_lines", "secondary_samples"))
    for path in write_offset_truth(out / "truth", lines, samples, scenes, focused):
        ctx.add_output(path)
    ctx.log.info("true offsets of the flow: %s", out / "truth")


def _write_format(ctx, fmt: WriterFormat, name: str, spec: dict) -> dict:
    """Write one pass with ``fmt``'s writer; its reader properties (relative paths)."""
    out = Path(ctx.params.output_dir)
    if fmt.level == "slc":
        product = SlcProduct.load(spec["slc"] + ".json")
    else:
        product = RawProduct.load(spec["raw"] + ".json")
    started = time.time() - 1.0           # what the writer writes (files, folders) is an output
    props = load_writer(fmt)(product, out, name)
    for f in sorted(out.rglob("*")):
        if f.is_file() and f.stat().st_mtime >= started:
            ctx.add_output(f)
    return {str(k): str(v) for k, v in props.items()}


def _insar_xml(ctx, fmt: WriterFormat, written: dict) -> str:
    """insarApp.xml text: the sensor, looks of about 38 m x 30 m, the DEM, and per date the
    writer's reader properties and OUTPUT."""
    radar = RadarParameters.from_dict(ctx.state.radar)
    az, rg = insar_looks(radar, ctx.params.look_angle)
    kind = "slc" if fmt.level == "slc" else "raw"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<insarApp>",
             '  <component name="insar">',
             f'    <property name="sensor name">{fmt.sensor}</property>',
             f'    <!-- about {LOOKED_PIXEL_M[0]:.0f} m x {LOOKED_PIXEL_M[1]:.0f} m on the '
             f'ground for {ctx.state.radar_name} -->',
             f'    <property name="azimuth looks">{az}</property>',
             f'    <property name="range looks">{rg}</property>']
    if ctx.state.dem:
        lines.append(f'    <property name="demFilename">{Path(ctx.state.dem["path"]).name}</property>')
    for name in PASSES:
        lines.append(f'    <component name="{name}">')
        lines += [f'      <property name="{k}">{escape(v)}</property>'
                  for k, v in written[name]["properties"].items()]
        lines += [f'      <property name="OUTPUT">{name}/{name}.{kind}</property>',
                  "    </component>"]
    lines += ["  </component>", "</insarApp>", ""]
    return "\n".join(lines)


FOCUS_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- written by simulateApp.py: focus the simulated {name} pass -->
<focus>
  <component name="focus">
    <property name="raw">{raw}</property>
    <property name="output">{output}</property>
  </component>
</focus>
"""


def inputs(ctx):
    """Write the focus.py inputs, each pass in the sensor's format, insarApp.xml and
    simulation.json."""
    p = ctx.params
    if getattr(ctx.state, "stack", None):
        _stack_inputs(ctx)
        return
    out = Path(p.output_dir)
    fmt = _format(ctx)
    written = {}
    for name, spec in ctx.state.passes.items():
        if "raw" not in spec:
            continue
        raw_name = Path(spec["raw"]).name
        xml = out / f"focus_{name}.xml"
        write_text(os.fspath(xml), FOCUS_XML.format(name=name, raw=raw_name + ".json",
                                                    output=f"{name}.slc"))
        ctx.add_output(xml)
        written[name] = {"raw": raw_name, "focus_xml": xml.name}
        if fmt is not None:
            props = _write_format(ctx, fmt, name, spec)
            written[name].update(props)
            written[name]["properties"] = props
    if fmt is not None and len(written) == 2:
        write_text(os.fspath(out / "insarApp.xml"), _insar_xml(ctx, fmt, written))
        ctx.add_output(out / "insarApp.xml")
    mogi = _mogi(p)
    summary = {"radar": ctx.state.radar, "targets": ctx.state.targets,
               "scene_kind": p.reflectivity, "coherence": p.coherence,
               "deformation": mogi.to_dict() if mogi is not None else None,
               "ionosphere": getattr(ctx.state, "ionosphere", None),
               "flow": getattr(ctx.state, "flow", None),
               "baseline": ctx.state.baseline, "scene": ctx.state.scene_info,
               "dem": ctx.state.dem,
               "passes": {k: {kk: vv for kk, vv in v.items() if kk != "orbit"}
                          for k, v in ctx.state.passes.items()},
               "sensor": ctx.state.sensor,
               "files": {k: {kk: vv for kk, vv in v.items() if kk != "properties"}
                         for k, v in written.items()}}
    _write_json(out / "simulation.json", summary)
    ctx.add_output(out / "simulation.json")
    ctx.log.info("wrote %s", ", ".join(sorted(x for w in written.values() for k, x in w.items()
                                              if k != "properties")))


# ------------------------------------------------------------------------------- stacks
def _setup_stack(ctx):
    """Stacks (``dates`` >= 3): the radar, the targets, the DEM and, per date (every repeat
    cycle from the reference date), its orbit with a random perpendicular baseline and its
    pulse window (the first date's receive window for all)."""
    p = ctx.params
    radar_name, fmt = resolve_sensor(p.sensor, p.radar)
    targets = _targets(p, radar_name)
    Path(p.output_dir).mkdir(parents=True, exist_ok=True)
    first = p.reference_date or _default_date(radar_name)
    scene = _mission_scene(ctx, targets, radar_name, first)
    _check_samples(p.samples, scene.radar, radar_name)
    repeat = float(scene.radar.extra.get("repeat_days", 46))
    centre, truth = scene.targets[0], scene.truth()[0]
    dr = SPEED_OF_LIGHT / (2.0 * scene.radar.range_sampling_rate)
    window = {"length": scene.length, "starting_range": truth["slant_range"] - 0.5 * p.samples * dr,
              "width": int(p.samples)}
    dates = []
    for k, (when, b) in enumerate(zip(stack_times(first, p.dates, repeat),
                                      perpendicular_baselines(p.dates, p.baseline_spread, p.seed))):
        if k == 0:
            orbit, start, achieved = scene.orbit, scene.sensing_start, {"perpendicular": 0.0,
                                                                        "parallel": 0.0}
        else:
            orbit, t_zd, achieved = orbit_with_baseline(
                scene.orbit, centre.lat, centre.lon, centre.height, scene.radar.look_side, b, when,
                inclination_deg=scene.radar.inclination, duration_s=30.0,
                reference_time=truth["azimuth_time"])
            start = scene.sensing_start + t_zd - truth["azimuth_time"]
        mid = start + 0.5 * (scene.length - 1) / scene.radar.prf
        dates.append({"date": date_name(orbit, mid), "time": str(when), "orbit": orbit.to_dict(),
                      "sensing_start": start, "sensing_mid_utc": str(orbit.datetime64(mid)),
                      "days": (when - first).total_seconds() / 86400.0,
                      "baseline_requested": b, "baseline": achieved, **window})
        ctx.log.info("date %s: perpendicular baseline %.1f m (drawn %.1f m)", dates[-1]["date"],
                     achieved["perpendicular"], b)
    if len({d["date"] for d in dates}) != len(dates):
        raise ConfigurationError("two dates of the stack fall on one day: the preset's repeat "
                                 f"cycle is {repeat} days")
    ctx.state.radar = scene.radar.to_dict()
    ctx.state.radar_name = radar_name
    ctx.state.sensor = fmt.sensor
    ctx.state.targets = [t.to_dict() for t in scene.targets]
    ctx.state.passes = {}
    ctx.state.baseline = None
    ctx.state.scene_info = scene.info
    ctx.state.stack = {"dates": dates, "repeat_days": repeat}
    if p.dem:
        _widen_dem(ctx, scene.radar, {d["date"]: d for d in dates})
    else:
        ctx.state.dem = None
    ctx.log.info("%s radar (%s format): a stack of %d dates every %g days from %s, %d pulses x "
                 "%d samples each", radar_name, fmt.sensor, len(dates), repeat, dates[0]["date"],
                 scene.length, p.samples)


def _stack_scene(ctx, radar, orbit1, grid1) -> StackScene:
    """The first date's scene geometry and the decorrelating speckle of the stack."""
    p = ctx.params
    band = simulated_band(radar, orbit1, grid1)
    ctx.state.scene_band = band
    speckle = DecorrelatingSpeckle((grid1.length, grid1.width),
                                   radar.chirp_bandwidth / radar.range_sampling_rate,
                                   band / radar.prf, coherence=p.coherence,
                                   tau_days=p.coherence_time, seed=p.seed + 100)
    dem = ctx.state.dem["path"] if ctx.state.dem else _mean_height(ctx)
    return StackScene(grid1, orbit1, dem, speckle)


def _date_product(ctx, fmt, radar, spec, orbit, grid, scene, targets, seed):
    """One date's echoes (and SLC for the SLC formats) under ``work/``; returns the product
    the writer takes and the files to delete once written."""
    work = Path(ctx.params.output_dir) / "work"
    work.mkdir(exist_ok=True)
    raw_path = work / f"{spec['date']}.raw"
    raw = stack_io.date_echoes(
        scene, grid, orbit, radar, targets, sensing_start=spec["sensing_start"],
        length=spec["length"], starting_range=spec["starting_range"], width=spec["width"],
        bandwidth=ctx.state.scene_band, height=_mean_height(ctx), noise=ctx.params.noise,
        seed=seed, output=raw_path,
        coherence_note={"coherence": ctx.params.coherence,
                        "coherence_time_days": ctx.params.coherence_time})
    scratch = [raw_path]
    if fmt.level != "slc":
        return raw, scratch
    slc = work / f"{spec['date']}.slc"
    focus(raw, output=os.fspath(slc), progress=True)
    release_memory(raw)
    return SlcProduct.load(str(slc) + ".json"), scratch + [slc]


def _remove_raster(path: Path) -> None:
    for f in path.parent.glob(path.name + "*"):
        f.unlink()


def _write_date(ctx, fmt, spec, product) -> dict:
    """The date in the sensor's format in ``<date>/`` and its reader XML ``<date>/<date>.xml``;
    returns the reader's properties (paths relative to the date folder)."""
    folder = Path(ctx.params.output_dir) / spec["date"]
    folder.mkdir(exist_ok=True)
    started = time.time() - 1.0
    props = {str(k): str(v) for k, v in load_writer(fmt)(product, folder, spec["date"]).items()}
    stack_io.write_xml(folder / f"{spec['date']}.xml", stack_io.date_xml(spec["date"], fmt.sensor, props))
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.stat().st_mtime >= started:
            ctx.add_output(f)
    return props


def _write_date_truth(ctx, stack_scene, model, grid, spec, tropo):
    """``truth/<date>.los.rdr`` (and ``.tropo.rdr`` with a troposphere) on ``grid``."""
    truth = Path(ctx.params.output_dir) / "truth"
    truth.mkdir(exist_ok=True)
    los = stack_scene.on_grid(stack_scene.truth_nodes(model, spec["days"] / YEAR_DAYS), grid)
    path = truth / f"{spec['date']}.los.rdr"
    stack_io.write_truth(path, los)
    ctx.add_output(path)
    spec["truth"] = {"los": f"truth/{path.name}", "los_range_m": [float(los.min()), float(los.max())]}
    if tropo is not None:
        path = truth / f"{spec['date']}.tropo.rdr"
        stack_io.write_truth(path, stack_scene.on_grid(tropo, grid))
        ctx.add_output(path)
        spec["truth"]["tropo"] = f"truth/{path.name}"


def simulate_stack(ctx):
    """Stacks: date by date, the scene (decorrelated speckle, the deformation of its date, its
    troposphere), its echoes, the date in the sensor's format in ``<date>/`` with its reader
    XML, and its truth ``truth/<date>.los.rdr`` on the first date's focused grid."""
    stack = getattr(ctx.state, "stack", None)
    if not stack:
        ctx.log.info("a pair: no stack")
        return
    p = ctx.params
    fmt = _format(ctx)
    radar = RadarParameters.from_dict(ctx.state.radar)
    dates = stack["dates"]
    orbit1 = Orbit.from_dict(dates[0]["orbit"])
    grid1 = scene_grid(orbit1, radar, sensing_start=dates[0]["sensing_start"],
                       length=dates[0]["length"], starting_range=dates[0]["starting_range"],
                       width=dates[0]["width"], height=_mean_height(ctx))
    stack_scene = _stack_scene(ctx, radar, orbit1, grid1)
    targets = [Target.from_dict(t) for t in ctx.state.targets]
    tropo_rng = np.random.default_rng([p.seed, 0x7209])
    model = truth_grid = None
    for k, spec in enumerate(progress_bar(dates, desc="dates", unit="date")):
        t0 = time.time()
        orbit = orbit1 if k == 0 else Orbit.from_dict(spec["orbit"])
        grid = grid1 if k == 0 else scene_grid(
            orbit, radar, sensing_start=spec["sensing_start"], length=spec["length"],
            starting_range=spec["starting_range"], width=spec["width"], height=_mean_height(ctx))
        tropo = None
        if p.troposphere > 0:
            tropo = troposphere_screen(stack_scene.node_shape, stack_scene.node_spacing_m(),
                                       p.troposphere, tropo_rng)
        scene_k = stack_scene.date(orbit, grid, spec["days"], model, tropo)
        moved = targets if model is None else moved_targets(
            targets, model, orbit1, radar.wavelength, radar.look_side, spec["days"] / YEAR_DAYS)
        product, scratch = _date_product(ctx, fmt, radar, spec, orbit, grid, scene_k, moved,
                                         p.seed + k)
        del scene_k
        spec["properties"] = _write_date(ctx, fmt, spec, product)
        if isinstance(product, RawProduct):
            release_memory(product)
        if k == 0:
            first = stack_io.read_date(fmt.sensor, spec["date"], spec["properties"],
                                       Path(p.output_dir) / spec["date"])
            truth_grid = stack_io.reference_grid(first, orbit1)
            model = StackDeformation.laid_out(*stack_scene.footprint(truth_grid),
                                              rate=p.rate_scale, seasonal=p.seasonal_amplitude,
                                              volume_rate=p.mogi_volume_rate)
            stack["truth_grid"] = stack_io.grid_record(truth_grid, orbit1)
            stack["isce2_baselines"] = stack_io.isce2_baselines(
                truth_grid, orbit1, [orbit1] + [Orbit.from_dict(d["orbit"]) for d in dates[1:]],
                _mean_height(ctx))
            stack["model"] = model.to_dict()
        for f in scratch:
            _remove_raster(f)
        _write_date_truth(ctx, stack_scene, model, truth_grid, spec, tropo)
        ctx.log.info("date %d/%d %s: %s written, LOS truth %.1f .. %.1f mm (%.1f s)", k + 1,
                     len(dates), spec["date"], ", ".join(spec["properties"].values()),
                     1e3 * spec["truth"]["los_range_m"][0], 1e3 * spec["truth"]["los_range_m"][1],
                     time.time() - t0)
    work = Path(p.output_dir) / "work"
    if work.is_dir() and not any(work.iterdir()):
        work.rmdir()


def _stack_record(ctx) -> dict:
    """``truth/stack.json``: dates, baselines, times, the models and the sign convention."""
    p = ctx.params
    stack = ctx.state.stack
    dates = stack["dates"]
    return {
        "dates": [d["date"] for d in dates],
        "sensing_mid_utc": [d["sensing_mid_utc"] for d in dates],
        "days": [d["days"] for d in dates],
        "years": [d["days"] / YEAR_DAYS for d in dates],
        "perpendicular_baseline_m": stack["isce2_baselines"]["perpendicular"],
        "parallel_baseline_m": stack["isce2_baselines"]["parallel"],
        "baseline_meaning": "perpendicular_baseline_m/parallel_baseline_m: each date relative to "
                            "the first at the centre of the first date's SLC (truth_grid), in "
                            "ISCE2 zerodop's sign (isce.geometry.baseline.baseline_summary, "
                            "insarApp's report); perpendicular_baseline_away_from_earth_m: at "
                            "the scene centre, positive when the date's orbit is farther from "
                            "the Earth (the simulator's 'baseline' and ISCE2 stripmapStack's "
                            "mroipac sign in baselines/*.txt, i.e. about minus the first)",
        "perpendicular_baseline_away_from_earth_m": [d["baseline"]["perpendicular"] for d in dates],
        "perpendicular_baseline_drawn_m": [d["baseline_requested"] for d in dates],
        "baseline_spread_m": p.baseline_spread, "seed": p.seed,
        "repeat_days": stack["repeat_days"], "sensor": ctx.state.sensor,
        "radar": ctx.state.radar_name, "wavelength_m": ctx.state.radar["wavelength"],
        "deformation": stack["model"],
        "coherence_model": {"coherence": p.coherence, "coherence_time_days": p.coherence_time,
                            "meaning": "coherence of dates i and j = coherence * "
                                       "exp(-|t_i - t_j| / coherence_time_days) (AR(1) speckle "
                                       "in time; geometric decorrelation not modelled)"},
        "troposphere": {"on": p.troposphere > 0, "std_m": p.troposphere,
                        "spectrum": "power-law k^(-11/3) flat below 1/(10 km), zero mean per date "
                                    "over the simulated window",
                        "files": [d["truth"]["tropo"] for d in dates if "tropo" in d["truth"]]},
        "sign_convention": SIGN_CONVENTION,
        "truth_grid": stack["truth_grid"],
        "truth_files": {d["date"]: d["truth"]["los"] for d in dates},
        "date_folders": {d["date"]: {"xml": f"{d['date']}/{d['date']}.xml",
                                     "properties": d["properties"]} for d in dates},
    }


def _stack_inputs(ctx):
    """Stacks: ``stackStripMap.xml`` (ready to run), ``truth/stack.json`` and
    ``simulation.json``."""
    p = ctx.params
    out = Path(p.output_dir)
    radar = RadarParameters.from_dict(ctx.state.radar)
    looks = insar_looks(radar, p.look_angle)
    dem = Path(ctx.state.dem["path"]).name if ctx.state.dem else None
    note = (f"about {LOOKED_PIXEL_M[0]:.0f} m x {LOOKED_PIXEL_M[1]:.0f} m on the ground for "
            f"{ctx.state.radar_name}")
    dates = ctx.state.stack["dates"]
    stack_io.write_xml(out / "stackStripMap.xml",
                       stack_io.stack_xml(ctx.state.sensor, dates[0]["date"], looks, dem, note))
    ctx.add_output(out / "stackStripMap.xml")
    record = _stack_record(ctx)
    _write_json(out / "truth" / "stack.json", record)
    ctx.add_output(out / "truth" / "stack.json")
    summary = {"radar": ctx.state.radar, "targets": ctx.state.targets, "scene_kind": p.reflectivity,
               "dem": ctx.state.dem, "scene": ctx.state.scene_info, "sensor": ctx.state.sensor,
               "stack": {k: v for k, v in record.items() if k != "date_folders"},
               "dates": {d["date"]: {k: v for k, v in d.items() if k != "orbit"} for d in dates}}
    _write_json(out / "simulation.json", summary)
    ctx.add_output(out / "simulation.json")
    ctx.log.info("wrote stackStripMap.xml (%d dates from %s), truth/stack.json", len(dates),
                 dates[0]["date"])


class SimulateApp(Application):
    """Simulate SAR raw data of point targets (corner reflectors) with known truth.

    Echoes are computed exactly from each target's range history (non stop-and-go
    two-way light time, chirp, carrier phase, sinc^2 azimuth antenna pattern with
    zero-Doppler steering, optional complex Gaussian noise) for a reference pass
    and, for ALOS or when a secondary date is given, a secondary pass with the
    chosen perpendicular baseline and an optional Mogi deformation source. Mission radar
    presets (ALOS, ALOS-2, Sentinel-1, TerraSAR-X, COSMO-SkyMed, RADARSAT-1/2, ERS, ENVISAT)
    and the sensor's
    format (``sensor``: raw echoes, or passes focused first) with a ready insarApp.xml.
    """

    family = "simulate"
    parameters = (
        Parameter("sensor", type=str, default=None, choices=tuple(FORMATS),
                  doc="ISCE2 sensor name of the format to write (default ALOS): its radar "
                      "preset and its files, named in insarApp.xml's 'sensor name'. ALOS, "
                      "COSMO_SKYMED, RADARSAT1, ERS, ENVISAT and ERS_ENVISAT get the raw echoes; "
                      "the SLC formats (SENTINEL1, TERRASARX, COSMO_SKYMED_SLC, RADARSAT2, "
                      "ALOS_SLC, ALOS2, ERS_SLC, ENVISAT_SLC, ERS_ENVISAT_SLC, ISCE_SLC) get the "
                      "passes focused first (<pass>.slc). "
                      "ISCE_SLC (isce's own SLC) takes the preset named by 'radar'."),
        Parameter("radar", type=str, default=None, choices=RADARS,
                  doc="Radar preset: the sensor's (default; naming another is refused), or for "
                      "sensor ISCE_SLC any of ALOS (PALSAR FBS, L-band, the default), SENTINEL1 "
                      "(SM S3), TERRASARX (SM), COSMO_SKYMED (HIMAGE), RADARSAT2 (Fine), ENVISAT "
                      "(IS2), ALOS2 (SM3), RADARSAT1 (Standard), ERS, ERS_ENVISAT; REE "
                      "(JPL's NISAR point-target case out17, every parameter from the rdf, "
                      "carried in the package) is written in no sensor format."),
        Parameter("targets", type=str, default="",
                  doc="Point targets: 'lat,lon,height; lat,lon,height; ...' (degrees, metres "
                      "above WGS-84, optional 4th number = amplitude) or a CSV file with "
                      "latitude/longitude/height columns. Default: three corner reflectors "
                      "(mission presets) or the case's CSV (REE). The first target is the scene "
                      "centre."),
        Parameter("reference_date", public_name="reference date", type="datetime", default=None,
                  doc="When the scene centre is seen at zero Doppler on the reference pass "
                      "(default 2008-06-01T05:30:00 for ALOS, a date of the mission's life for "
                      "the other presets, e.g. 2020-06-01 for Sentinel-1; fixed by the rdf for REE)."),
        Parameter("secondary_date", public_name="secondary date", type="datetime", default=None,
                  doc="Time of the secondary pass (default: reference + the preset's repeat "
                      "cycle, e.g. 46 days for ALOS, 12 for SENTINEL1; none for REE)."),
        Parameter("baseline", type=float, default=300.0, units="m",
                  doc="Perpendicular baseline of the secondary pass (positive: away from the Earth)."),
        Parameter("pulses", type=int, default=None,
                  doc="Pulses per pass (default 8192 for mission presets; the rdf's 7.0004 s for "
                      "REE)."),
        Parameter("output_dir", public_name="output directory", type="path", default="simulation",
                  intent="output", doc="Folder for the raw data, truth and inputs."),
        Parameter("noise", type=float, default=0.0,
                  doc="Thermal noise power E|n|^2 per sample (a target's echo has amplitude ~1)."),
        Parameter("seed", type=int, default=0, doc="Seed of the noise."),
        Parameter("deformation", type=str, default="",
                  doc="Mogi source moving the targets between the passes: "
                      "'lat,lon,depth_m,volume_change_m3'."),
        Parameter("flow", type=float, default=0.0, units="m",
                  doc="Speckle pairs: peak displacement of a glacier-like flow channel across the "
                      "scene (mostly along track, skewed 30 deg; smooth, not a polynomial) "
                      "between the passes; true offsets in truth/azimuth.off, truth/range.off "
                      "(secondary minus reference line/pixel on the focused reference grid)."),
        Parameter("pass_direction", public_name="pass direction", type=str, default="descending",
                  choices=("ascending", "descending"), doc="Pass direction (mission presets)."),
        Parameter("look_angle", public_name="look angle", type=float, default=None, units="deg",
                  doc="Off-nadir look angle of the reference pass (default: the preset's)."),
        Parameter("dem", type=bool, default=False,
                  doc="Write a smooth synthetic DEM (dem.dem, WGS-84 heights) around the targets "
                      "and put the targets on it."),
        Parameter("reflectivity", public_name="scene", type=str, default="points",
                  choices=("points", "speckle"),
                  doc="points: the point targets alone (exact echoes); speckle: also a "
                      "distributed scene (complex Gaussian speckle of unit mean power, brightness "
                      "from the local incidence on the DEM) by inverse range-Doppler focusing; "
                      "target amplitudes are then relative to the speckle's rms."),
        Parameter("coherence", type=float, default=1.0,
                  doc="Speckle scenes: correlation of the two passes' scatterers (temporal "
                      "decorrelation; 1 = identical scatterers); stacks: its value at short "
                      "time separations (see 'coherence time')."),
        Parameter("samples", type=int, default=2048,
                  doc="Speckle scenes: samples per echo line (the receive window)."),
        Parameter("ceos", type=bool, default=True,
                  doc="sensor ALOS: also write the CEOS IMG/LED files and insarApp.xml (off: "
                      "the raw products alone)."),
        Parameter("dates", type=int, default=2,
                  doc="Number of dates: 2 = a pair (reference, secondary; as before); 3 or more "
                      "= a stack of one track every repeat cycle of the mission from the "
                      "reference date (speckle scenes): each date in the sensor's format in "
                      "<YYYYMMDD>/ with its reader XML <YYYYMMDD>/<YYYYMMDD>.xml, "
                      "stackStripMap.xml, and the truth: truth/<date>.los.rdr (LOS displacement "
                      "[m] since the first date, on its focused grid) and truth/stack.json."),
        Parameter("baseline_spread", public_name="baseline spread", type=float, default=200.0,
                  units="m", doc="Stacks: standard deviation of the dates' perpendicular "
                                 "baselines to the first date (normal law seeded by 'seed')."),
        Parameter("rate_scale", public_name="rate scale", type=float, default=-0.02,
                  units="m/yr", doc="Stacks: LOS rate at the centre of a Gaussian bowl (positive "
                                    "towards the radar; default 2 cm/yr of subsidence)."),
        Parameter("seasonal_amplitude", public_name="seasonal amplitude", type=float,
                  default=0.005, units="m",
                  doc="Stacks: amplitude of an annual LOS sinusoid (zero on the first date) at "
                      "the centre of a Gaussian patch."),
        Parameter("mogi_volume_rate", public_name="mogi volume rate", type=float, default=2.0e5,
                  units="m^3/yr", doc="Stacks: volume growth of a Mogi source under the scene "
                                      "centre (depth half the scene's smaller half-extent, "
                                      "500..3000 m)."),
        Parameter("coherence_time", public_name="coherence time", type=float, default=1000.0,
                  units="days", doc="Stacks: temporal decorrelation: the coherence of two dates "
                                    "is coherence * exp(-|dt| / coherence time)."),
        Parameter("ionosphere", type=float, default=0.0, units="TECU",
                  doc="Speckle pairs: standard deviation of a smooth slant differential-TEC "
                      "screen between the passes (phase advance and group delay of the "
                      "secondary, first order in frequency; 0 = none); its phase is written as "
                      "truth/dispersive.rdr [rad at the carrier] on the reference scene's "
                      "zero-Doppler grid (simulation.json: ionosphere.grid)."),
        Parameter("troposphere", type=float, default=0.0, units="m",
                  doc="Stacks: standard deviation of a turbulent tropospheric delay screen per "
                      "date (power-law spectrum; 0 = none); written as truth/<date>.tropo.rdr."),
    )
    steps = (
        Step("setup", setup, setup.__doc__),
        Step("stack", simulate_stack, simulate_stack.__doc__),
        Step("scene", scene, scene.__doc__),
        Step("reference", reference, reference.__doc__),
        Step("secondary", secondary, secondary.__doc__),
        Step("focus", focus_passes, focus_passes.__doc__),
        Step("inputs", inputs, inputs.__doc__),
    )

    def validate(self):
        _, fmt = resolve_sensor(self.sensor, self.radar)   # refused before any work: a
        if fmt is not None:                                # contradiction, a missing writer
            load_writer(fmt)
        if self.pulses is not None and self.pulses <= 0:
            raise ConfigurationError(f"pulses must be positive, got {self.pulses}",
                                     source=self.source_of("pulses"))
        if not 0.0 <= self.coherence <= 1.0:
            raise ConfigurationError(f"coherence must be within 0..1, got {self.coherence}",
                                     source=self.source_of("coherence"))
        if self.samples < 256:
            raise ConfigurationError(f"samples must be at least 256, got {self.samples}",
                                     source=self.source_of("samples"))
        if not self.flow >= 0:
            raise ConfigurationError(f"flow must be >= 0 m, got {self.flow}",
                                     source=self.source_of("flow"))
        if self.noise < 0:
            raise ConfigurationError(f"noise must be >= 0, got {self.noise}",
                                     source=self.source_of("noise"))
        self._refuse_ignored_settings(fmt)
        self._check_stack(fmt)

    def _check_stack(self, fmt) -> None:
        """``dates``: 2 (a pair) or more (a stack, speckle scenes in a sensor's format); the
        settings of a pair or of a stack given to the other are refused."""
        if self.dates < 2:
            raise ConfigurationError(f"dates must be at least 2 (2: a pair, 3 or more: a stack), "
                                     f"got {self.dates}", source=self.source_of("dates"))
        stack = self.dates > 2
        for attr, low in (("baseline_spread", 0.0), ("troposphere", 0.0), ("ionosphere", 0.0)):
            if getattr(self, attr) < low:
                raise ConfigurationError(f"{attr} must be >= 0, got {getattr(self, attr)}",
                                         source=self.source_of(attr))
        if self.coherence_time <= 0:
            raise ConfigurationError(f"coherence_time must be > 0 days, got {self.coherence_time}",
                                     source=self.source_of("coherence_time"))
        only = ("baseline_spread", "rate_scale", "seasonal_amplitude", "mogi_volume_rate",
                "coherence_time", "troposphere")
        pair = ("baseline", "secondary_date", "deformation", "ionosphere", "flow")
        for attr in (pair if stack else only):
            if self.source_of(attr) != "default":
                what = "a pair's (dates=2)" if stack else "a stack's (dates >= 3)"
                raise ConfigurationError(f"{attr} is {what} setting: drop it",
                                         source=self.source_of(attr))
        if stack and (self.reflectivity != "speckle" or fmt is None or not self.ceos):
            raise ConfigurationError(f"dates={self.dates}: a stack is a speckle scene in a "
                                     "sensor's format (scene=speckle, a sensor, ceos on)",
                                     source=self.source_of("dates"))

    def _refuse_ignored_settings(self, fmt) -> None:
        """A setting this run would ignore is refused rather than silently dropped: samples
        and coherence shape speckle scenes only, ceos is ALOS's."""
        ignored = {"samples": self.reflectivity != "speckle",
                   "ionosphere": self.reflectivity != "speckle",
                   "coherence": self.reflectivity != "speckle",
                   "flow": self.reflectivity != "speckle",
                   "ceos": fmt is None or fmt.sensor != "ALOS"}
        why = {"samples": "applies to speckle scenes only (scene=speckle)",
               "coherence": "applies to speckle scenes only (scene=speckle)",
               "ionosphere": "applies to speckle scenes only (scene=speckle)",
               "flow": "applies to speckle scenes only (scene=speckle)",
               "ceos": f"applies to sensor ALOS only (sensor is {fmt.sensor if fmt else 'none'})"}
        for attr, unused in ignored.items():
            if unused and self.source_of(attr) != "default":
                raise ConfigurationError(f"{attr}={getattr(self, attr)} {why[attr]}: drop it",
                                         source=self.source_of(attr))
