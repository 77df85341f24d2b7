"""``stackStripMap.py``: a stack of stripmap dates, raw or focused, to an unwrapped
interferogram network in ISCE2 stripmapStack's layout, ready for MintPy.

Dates are focused when raw, topo runs once on the reference, every date is coregistered
to the reference grid (geometry offsets + misregistration, as insarApp), then the pairs
of the network (small baseline by thresholds, or the ``sequential`` nearest dates) are
cross-multiplied, filtered and unwrapped. The per-date and per-pair tasks
(:mod:`isce.stack.tasks`) run on Dask distributed (:mod:`isce.stack.runner`): a
LocalCluster by default, an existing cluster with ``scheduler``. Tasks are idempotent, so a
second run does nothing and ``--start``/``--next`` resume from the products on disk.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from types import SimpleNamespace

import isce.stack.tasks as tasks
from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.framework.names import normalize
from isce.io.atomic import write_text
from isce.io.layout import STACK_DIRS, StackLayout
from isce.sensors import SlcProduct
from isce.sensors.product import acquisition_date
from isce.sensors.raw import RawProduct
from isce.stack import network
from isce.geometry.crop import check_bbox, crop_window
from isce.stack.inputs import DateInput, dates_from_folder, dates_from_xml, make_reader
from isce.stack.runner import Runner

from . import insar_settings
from .insar import UNWRAPPERS, check_bands, check_dem_early, check_overlap, check_tracks
from .insar_settings import MISREGISTRATION_PARAMETERS

#: Runners of this process, by settings (closed when the application ends)
_RUNNERS: dict = {}
CLUSTER = ("scheduler", "workers", "threads per worker")
NETWORK = ("reference date", "time threshold", "baseline threshold", "sequential")
LOOKS = ("azimuth looks", "range looks")
BBOX = "bounding box"


def _runner(ctx) -> Runner:
    """The Dask runner of the settings (connected now: a bad scheduler fails here)."""
    key = (ctx.params.scheduler, ctx.params.workers, ctx.params.threads_per_worker)
    if key not in _RUNNERS:
        _RUNNERS[key] = Runner(*key)
    _RUNNERS[key].connect()
    return _RUNNERS[key]


def close_runners() -> None:
    while _RUNNERS:
        _RUNNERS.popitem()[1].close()


def _run(ctx) -> StackLayout:
    """The run's layout, relative to the working directory (as the manifests record it)."""
    return StackLayout(str(ctx.params.output_directory))


def _root(ctx) -> str:
    """The run folder as the tasks get it: absolute (workers run anywhere)."""
    return str(Path(ctx.params.output_directory).resolve())


def _stack(ctx) -> dict:
    return ctx.state.stack


def _metadata_view(product):
    """What the baselines need (grid, orbit, Doppler) of a raw or focused date: a raw
    date's grid covers all its pulses (the focused one is a little shorter)."""
    grid, doppler = insar_settings.scene_grid(product)
    return SimpleNamespace(radar_grid=grid, orbit=product.orbit, geometry_doppler=doppler,
                           doppler=doppler)


def _write_unless_same(path: Path, text: str) -> None:
    """Write ``text`` atomically unless the file holds it already (a re-run changes nothing)."""
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    write_text(str(path), text)


# ----------------------------------------------------------------------------- steps
def startup(ctx):
    """Check the settings, make the run folder and connect to the Dask cluster."""
    ctx.state.started = time.time()
    _run(ctx).path().mkdir(parents=True, exist_ok=True)
    runner = _runner(ctx)
    ctx.log.info("looks %d x %d, filter strength %.2f, unwrapper %s; Dask %s",
                 ctx.params.azimuth_looks, ctx.params.range_looks, ctx.params.filter_strength,
                 ctx.params.unwrapper if ctx.params.do_unwrap else "none", runner.describe())


def _read_inputs(ctx) -> list[DateInput]:
    if ctx.params.dates:
        return dates_from_xml(ctx.params.dates)
    return dates_from_folder(ctx.params.slc_directory, ctx.params.sensor_name)


def _read_dates(inputs) -> dict:
    """{date: (DateInput, product)}; InputError for two inputs of one date."""
    out = {}
    for item in inputs:
        product = make_reader(item, name="date").parse()
        date = acquisition_date(product)
        if date in out:
            raise InputError(f"{item.source} and {out[date][0].source}: two inputs of date {date}")
        out[date] = (item, product)
    return dict(sorted(out.items()))


def _reference_date(ctx, dates) -> str:
    ref = ctx.params.reference_date or next(iter(dates))   # ISCE2: the first date by default
    if ref not in dates:
        raise InputError(f"reference date {ref}: not one of the dates ({', '.join(dates)})")
    return ref


def _check_dates(ctx, dates, ref) -> None:
    reference = dates[ref][1]
    for date, (_, product) in dates.items():
        if date != ref:
            check_tracks(reference, product)
            check_bands(reference, product)
            if not isinstance(product, RawProduct) and not isinstance(reference, RawProduct):
                check_overlap(reference, product)
    try:
        check_dem_early(ctx.params.dem, reference)
    except InputError as exc:
        raise InputError(f"demFilename: {exc}") from None
    for name in ("azimuth_looks", "range_looks"):
        size = reference.length if name.startswith("az") else reference.width
        if getattr(ctx.params, name) > size:
            raise InputError(f"{name.replace('_', ' ')} {getattr(ctx.params, name)}: more than "
                             f"the reference image's {size}")


def _check_bbox(ctx, view, ref: str) -> None:
    """The bounding box against the reference scene, from its metadata: InputError when it
    misses the scene or covers less than one look; logs the window (the whole scene when
    the box holds it). A raw reference's window is known only once focused (topo step)."""
    looks = (ctx.params.azimuth_looks, ctx.params.range_looks)
    window = crop_window(view.radar_grid, view.orbit, view.geometry_doppler, ctx.params.bbox,
                         dem=ctx.params.dem, looks=looks)
    if window.length < looks[0] or window.width < looks[1]:
        s, n, w, e = ctx.params.bbox
        raise InputError(f"bounding box {s:g} {n:g} {w:g} {e:g}: covers {window.length} x "
                         f"{window.width} pixels of the reference scene {ref}, less than one "
                         f"look ({looks[0]} x {looks[1]})")
    if window.whole:
        ctx.log.info("bounding box: holds the whole reference scene %s, which is kept whole", ref)
    else:
        ctx.log.info("bounding box: the reference %s is cropped to %s", ref, window.describe())


def preprocess(ctx):
    """Read the dates' metadata, check tracks, bands and DEM, choose the network: stack.json.

    Nothing is read of the images yet: bad input ends here, before any long step."""
    dates = _read_dates(_read_inputs(ctx))
    if len(dates) < 2:
        raise InputError(f"a stack needs at least 2 dates, found {len(dates)}")
    ref = _reference_date(ctx, dates)
    _check_dates(ctx, dates, ref)
    views = {d: _metadata_view(p) for d, (_, p) in dates.items()}
    if ctx.params.bbox:
        reference = dates[ref][1]
        _check_bbox(ctx, views[ref] if isinstance(reference, RawProduct) else reference, ref)
    bperp = network.date_baselines(views[ref], views)
    pairs = network.select_pairs(list(dates), bperp, max_days=ctx.params.time_threshold,
                                 max_perp_m=ctx.params.baseline_threshold,
                                 sequential=ctx.params.sequential)
    if not pairs:
        raise InputError(f"no pair of the {len(dates)} dates is within {ctx.params.time_threshold:g} "
                         f"days and {ctx.params.baseline_threshold:g} m: raise 'time threshold' or "
                         "'baseline threshold'")
    ctx.state.stack = {"reference": ref, "dates": list(dates),
                       "raw": [d for d, (_, p) in dates.items() if isinstance(p, RawProduct)],
                       "inputs": {d: i.to_dict() for d, (i, _) in dates.items()},
                       "perpendicular_baseline_m": bperp,
                       "pairs": [list(p) for p in pairs]}
    if ctx.params.bbox:
        ctx.state.stack["bounding_box"] = list(ctx.params.bbox)
    run = _run(ctx)
    _write_unless_same(run.stack_json, json.dumps(ctx.state.stack, indent=1) + "\n")
    ctx.add_output(run.stack_json)
    ctx.log.info("%d dates (reference %s), %d pairs", len(dates), ref, len(pairs))


def focus_step(ctx):
    """Every date to ``SLC/<date>/<date>.slc``: focused when raw, read when focused."""
    stack = _stack(ctx)
    _runner(ctx).run([(tasks.task_names("slc", d), tasks.date_slc_task,
                       (_root(ctx), d, stack["inputs"][d])) for d in stack["dates"]], "focus")


def topo_step(ctx):
    """The stack's grid (the reference, cropped to the bounding box) and its rdr2geo:
    merged/SLC/<ref>/, geom_reference/<name>.rdr.full."""
    stack = _stack(ctx)
    ref = stack["reference"]
    dem = str(Path(ctx.params.dem).resolve()) if ctx.params.dem else None
    if dem is None:
        ctx.log.warning("no DEM given: heights are 0 m above the WGS-84 ellipsoid")
    crop = {"bbox": list(ctx.params.bbox), "dem": dem,
            "looks": [ctx.params.azimuth_looks, ctx.params.range_looks]} if ctx.params.bbox \
        else None
    runner = _runner(ctx)
    runner.run([(tasks.task_names("reference", ref), tasks.reference_task,
                 (_root(ctx), ref, crop))], "reference")
    runner.run([("topo", tasks.topo_task, (_root(ctx), ref, dem))], "topo")


def coregister(ctx):
    """Every date onto the reference grid: merged/SLC/<date>/<date>.slc.full."""
    stack = _stack(ctx)
    ref = SlcProduct.load(_run(ctx).merged_json(stack["reference"]))
    grid, cull = insar_settings.misregistration_settings(ctx.params, ref)
    misreg = {"grid": grid, "cull": cull}
    results = _runner(ctx).run([(tasks.task_names("coregister", d), tasks.coregister_task,
                                 (_root(ctx), d, stack["reference"], misreg))
                                for d in stack["dates"] if d != stack["reference"]], "coregister")
    ctx.state.misregistration = {tasks.task_names("coregister", stack["reference"]): None,
                                 **{k: v["misregistration"] for k, v in results.items()}}


def interferograms(ctx):
    """Every pair of the network: Igrams/<d1>_<d2>/, filtered and unwrapped.

    Interferogram and coherence at looks, Goldstein-Werner filtered, phase sigma, unwrapped
    with connected components."""
    stack = _stack(ctx)
    settings = {"looks": [ctx.params.azimuth_looks, ctx.params.range_looks],
                "filter_strength": ctx.params.filter_strength,
                "do_unwrap": ctx.params.do_unwrap, "unwrapper": ctx.params.unwrapper}
    _runner(ctx).run([(tasks.task_names("igram", d1, d2), tasks.pair_task,
                       (_root(ctx), d1, d2, stack["reference"], settings))
                      for d1, d2 in stack["pairs"]], "interferograms")


def mintpy_step(ctx):
    """What MintPy loads: geometry at the interferograms' looks, baselines, data.rsc."""
    stack = _stack(ctx)
    looks = [ctx.params.azimuth_looks, ctx.params.range_looks]
    _runner(ctx).run([("mintpy", tasks.mintpy_task,
                       (_root(ctx), stack["reference"], stack["dates"], stack["pairs"], looks))],
                     "mintpy")


def endup(ctx):
    """Write report.json: the dates, pairs, misregistration, the reference's crop window
    (bounding box) and wall time of the run."""
    stack = _stack(ctx)
    ref = SlcProduct.load(_run(ctx).merged_json(stack["reference"]))
    report = {"reference": stack["reference"], "dates": stack["dates"], "pairs": stack["pairs"],
              "misregistration": getattr(ctx.state, "misregistration", None),
              "bounding_box": stack.get("bounding_box"),
              "crop_window": ref.attributes.get("crop_window"),
              "wall_time_s": round(time.time() - getattr(ctx.state, "started", time.time()), 2)}
    write_text(str(_run(ctx).report), json.dumps(report, indent=1) + "\n")
    ctx.add_output(_run(ctx).report)
    ctx.log.info("stack of %d dates and %d pairs done", len(stack["dates"]), len(stack["pairs"]))


class Stack(Application):
    """Stripmap stack (ISCE2 stackStripMap): many dates, raw or focused, coregistered to one
    reference and formed into a filtered, unwrapped interferogram network on Dask,
    in ISCE2 stripmapStack's layout (merged/SLC, Igrams, geom_reference, baselines)."""

    family = "stack"
    instance_name = "stackStripMap"
    product_dirs = STACK_DIRS
    #: ``--scheduler tcp://host:port`` (or a scheduler file): the same command on a cluster
    options = {"--scheduler": "scheduler"}
    parameters = (
        Parameter("sensor_name", public_name="sensor name", type=str, default=None,
                  doc="Sensor of the dates in 'slc directory' whose files are found by name "
                  "(ALOS, ALOS_SLC, ALOS2, ISCE_SLC, RADARSAT2, SENTINEL1, COSMO_SKYMED(_SLC))."),
        Parameter("slc_directory", public_name="slc directory", type="path", default=None,
                  aliases=("slc_directory",),
                  doc="ISCE2's --slc_directory: a folder of date folders (YYYYMMDD), each one "
                  "date's files, or its reader XML <date>/<date>.xml (any sensor)."),
        Parameter("dates", public_name="dates", type="path", container=list, default=None,
                  doc="Instead of 'slc directory': the dates' reader XML files, each one "
                  "<component> with 'sensor name' and the reader's properties."),
        Parameter("reference_date", public_name="reference date", type=str, default=None,
                  aliases=("reference_date",),
                  doc="ISCE2's --reference_date (YYYYMMDD): the grid of the stack; default the "
                  "first date."),
        Parameter("dem", public_name="demFilename", type="path", default=None,
                  aliases=("dem",), doc="DEM (ISCE2's --dem): any GDAL format or ISCE raster, "
                  "WGS-84 heights."),
        Parameter("azimuth_looks", public_name="azimuth looks", type=int, default=10,
                  units="lines", aliases=("alks",), doc="ISCE2's --alks: azimuth looks."),
        Parameter("range_looks", public_name="range looks", type=int, default=10,
                  units="pixels", aliases=("rlks",), doc="ISCE2's --rlks: range looks."),
        Parameter("time_threshold", public_name="time threshold", type=float,
                  default=network.ISCE2_MAX_DAYS, units="days", aliases=("dtThr",),
                  doc="ISCE2's --time_threshold: pairs strictly shorter than this in time."),
        Parameter("baseline_threshold", public_name="baseline threshold", type=float,
                  default=network.ISCE2_MAX_PERP_M, units="m", aliases=("dbThr",),
                  doc="ISCE2's --baseline_threshold: pairs with a perpendicular baseline strictly "
                  "below this."),
        Parameter("sequential", public_name="sequential", type=int, default=0,
                  doc="Pair each date with its n next dates only (0: off; with the thresholds)."),
        Parameter("filter_strength", public_name="filter strength", type=float, default=0.8,
                  aliases=("filtStrength",), doc="ISCE2's --filter_strength: Goldstein-Werner "
                  "exponent, 0..1."),
        Parameter("unwrapper", public_name="unwrapper name", type=str, default="snaphu",
                  choices=UNWRAPPERS, aliases=("unwMethod",),
                  doc="snaphu, snaphu_mcf, mcf, or ISCE2's branch-cut icu and grass."),
        Parameter("do_unwrap", public_name="do unwrap", type=bool, default=True,
                  doc="Unwrap the filtered interferograms."),
        Parameter("bbox", public_name="bounding box", type=float, container=list, default=None,
                  units="deg", aliases=("bbox",), doc="ISCE2's --bbox: S N W E; the stack is "
                  "cropped to the reference's lines and pixels covering the box (whole looks)."),
        Parameter("scheduler", public_name="scheduler", type=str, default=None,
                  doc="An existing Dask cluster: tcp://host:port or a scheduler file (default: "
                  "a LocalCluster on this machine)."),
        Parameter("workers", public_name="workers", type=int, default=0,
                  doc="Worker processes of the LocalCluster (0: one per CPU)."),
        Parameter("threads_per_worker", public_name="threads per worker", type=int, default=1,
                  doc="Tasks at a time per LocalCluster worker (each task's kernels use one "
                  "thread, so the products are the same on any cluster)."),
        Parameter("output_directory", public_name="output directory", type=str, default=".",
                  doc="Folder of the stack's products (ISCE2's --work_directory)."),
        *MISREGISTRATION_PARAMETERS,
    )
    steps = (
        Step("startup", startup, startup.__doc__.splitlines()[0], uses=(),
             checks=(*CLUSTER, *LOOKS, "filter strength", "unwrapper name", "do unwrap",
                     "output directory")),
        Step("preprocess", preprocess, preprocess.__doc__.splitlines()[0],
             uses=("sensor name", "slc directory", "dates", *NETWORK, BBOX, "output directory"),
             checks=("demFilename", *LOOKS)),
        Step("focus", focus_step, focus_step.__doc__.splitlines()[0],
             uses=("output directory",), checks=CLUSTER),
        Step("topo", topo_step, topo_step.__doc__.splitlines()[0],
             uses=("demFilename", BBOX, *LOOKS, "output directory"), checks=CLUSTER),
        Step("coregister", coregister, coregister.__doc__.splitlines()[0],
             uses=(*(p.public_name for p in MISREGISTRATION_PARAMETERS), "output directory"),
             checks=CLUSTER),
        Step("interferograms", interferograms, interferograms.__doc__.splitlines()[0],
             uses=(*LOOKS, "filter strength", "unwrapper name", "do unwrap", "output directory"),
             checks=CLUSTER),
        Step("mintpy", mintpy_step, mintpy_step.__doc__.splitlines()[0],
             uses=(*LOOKS, "output directory"), checks=CLUSTER),
        Step("endup", endup, endup.__doc__.splitlines()[0], uses=("output directory",)),
    )

    def validate(self):
        insar_settings.check_misregistration(self)   # ampcor grid and culling, as insarApp
        for attr in ("range_looks", "azimuth_looks", "threads_per_worker"):
            if getattr(self, attr) < 1:
                raise ConfigurationError(f"must be at least 1, got {getattr(self, attr)}",
                                         source=self.source_of(attr),
                                         path=f"{self.config_path}.{self.parameter(attr).public_name}")
        for attr in ("workers", "sequential"):
            if getattr(self, attr) < 0:
                raise ConfigurationError(f"must be 0 or more, got {getattr(self, attr)}",
                                         source=self.source_of(attr),
                                         path=f"{self.config_path}.{self.parameter(attr).public_name}")
        if not 0.0 <= self.filter_strength <= 1.0:
            raise ConfigurationError(f"must be within 0..1, got {self.filter_strength}",
                                     source=self.source_of("filter_strength"),
                                     path=f"{self.config_path}.filter strength")
        if self.bbox:
            try:
                check_bbox(self.bbox)
            except ValueError as exc:
                raise ConfigurationError(str(exc), source=self.source_of("bbox"),
                                         path=f"{self.config_path}.{BBOX}") from None

    def check_complete(self):
        if not self.dates and not self.slc_directory:
            raise ConfigurationError("no dates: set 'slc directory' (a folder of date folders, "
                                     "with 'sensor name') or 'dates' (reader XML files)",
                                     path=f"{self.config_path}.slc directory")
        if self.dates and self.slc_directory:
            raise ConfigurationError("set 'slc directory' or 'dates', not both",
                                     path=f"{self.config_path}.dates")

    def config_values(self):
        """The settings recorded with each step, the cluster's left out: they choose where
        the tasks run, never what they make (products are byte-identical on any cluster), so
        a run can be resumed on another cluster."""
        cluster = {normalize(name) for name in CLUSTER}
        return {path: value for path, value in super().config_values().items()
                if normalize(path.rsplit(".", 1)[-1]) not in cluster}

    def execute(self, cli):
        try:
            return super().execute(cli)
        finally:
            close_runners()
