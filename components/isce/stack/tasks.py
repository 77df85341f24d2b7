"""The tasks of a stack: pure functions of paths and plain dicts, run anywhere (a Dask
worker, or inline), one date or one pair each.

Every task is

* idempotent: it ends by writing its done-marker ``tasks/<task>.json`` (atomically, LAST)
  with the identity of what it read (settings, input files' size and mtime) and of what
  it wrote; a task whose marker matches its inputs and whose outputs are intact returns
  at once, so a second run, a resumed run or a re-run after a lost worker does nothing;
* atomic: every product is written under a temporary name and renamed (isce.io);
* bounded in memory: the kernels work block by block;
* reproducible: the kernels run with a FIXED number of threads (:data:`KERNEL_THREADS`),
  so a product is byte-identical whatever worker or cluster ran it;
* logged: the isce log records of the task go to ``logs/<task>.log``.

Products follow :class:`isce.io.layout.StackLayout` (ISCE2 stripmapStack's names).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

import isce.io
from isce.focus.pipeline import focus
from isce.framework.runfolder import PRODUCT_TEMPORARY
from isce.geometry.baseline import stripmap_perpendicular
from isce.geometry.geo2rdr import geo2rdr_offsets
from isce.geometry.rdr2geo import topo as run_topo
from isce.io import mintpy
from isce.io.atomic import remove_quietly, replacing, write_text
from isce.io.layout import MINTPY_TOPO_PRODUCTS, StackLayout
from isce.io.sidecars import read_info, remove_sidecars, write_sidecars
from isce.offsets.ampcor import ampcor
from isce.offsets.cull import cull_offsets
from isce.offsets.fit import read_misreg_json, write_misreg_json
from isce.sensors import SlcProduct
from isce.sensors.product import ImageSource
from isce.sensors.raw import RawProduct
from isce.signal.bandpass import bandpass_to_reference, same_range_band
from isce.signal.crossmul import Flattening, crossmul_raster
from isce.signal.filter_phsig import filter_phsig_raster
from isce.signal.resample import resample_slc
from isce.unwrap.registry import unwrap as run_unwrap

from isce.geometry.crop import crop_slc, crop_window
from .inputs import DateInput, make_reader

__all__ = ["KERNEL_THREADS", "GEOMETRY_NAMES", "PairFlattening", "date_slc_task",
           "reference_task", "topo_task", "coregister_task", "pair_task", "mintpy_task",
           "is_done", "task_names"]

#: threads of every kernel inside a task: fixed, so products do not depend on the worker
KERNEL_THREADS = 1
#: topo product -> stripmapStack geometry name (geom_reference/<name>.rdr.full)
GEOMETRY_NAMES = {product: name for name, product in MINTPY_TOPO_PRODUCTS.items()}
MARKER_VERSION = 1
log = logging.getLogger("isce.stack")


def task_names(kind: str, *dates: str) -> str:
    """A task's name (its log and marker name): ``slc_<date>``, ``coregister_<date>``,
    ``topo``, ``igram_<d1>_<d2>``."""
    return "_".join((kind, *dates))


# ----------------------------------------------------------------------------- bookkeeping
def _file_id(path) -> list:
    """[size, mtime_ns] of a file (None when missing): what a marker remembers of it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _files_id(root, paths) -> dict:
    return {os.path.relpath(os.fspath(p), root): _file_id(p) for p in paths}


def is_done(root, task: str, identity: dict) -> dict | None:
    """The result a complete task recorded, or None: its marker must exist, name the same
    ``identity`` and find every output as written (size and mtime)."""
    try:
        marker = json.loads(StackLayout(root).done(task).read_text())
    except (OSError, ValueError):
        return None
    if marker.get("version") != MARKER_VERSION or marker.get("identity") != identity:
        return None
    for rel, fid in marker.get("outputs", {}).items():
        if _file_id(os.path.join(root, rel)) != fid:
            return None
    return marker.get("result")


def _mark_done(root, task: str, identity: dict, outputs, result) -> None:
    path = StackLayout(root).done(task)
    path.parent.mkdir(parents=True, exist_ok=True)
    with_sidecars = [q for p in outputs for q in (p, *(f"{p}{s}" for s in (".xml", ".vrt", ".hdr",
                                                                          ".json")))
                     if os.path.isfile(q)]
    marker = {"version": MARKER_VERSION, "task": task, "identity": identity,
              "outputs": _files_id(root, with_sidecars), "result": result}
    write_text(str(path), json.dumps(marker, indent=1, sort_keys=True) + "\n")


class _ThreadFilter(logging.Filter):
    def __init__(self):
        super().__init__()
        self.ident = threading.get_ident()

    def filter(self, record):
        return record.thread == self.ident


_LOG_LEVEL = {"lock": threading.Lock(), "tasks": 0, "saved": logging.NOTSET}


def _info_level(enter: bool) -> None:
    """The isce logger passes INFO while any task of this process runs (tasks of one worker
    run in threads: the level is restored when the last one ends, not by each)."""
    logger = logging.getLogger("isce")
    with _LOG_LEVEL["lock"]:
        if enter:
            if _LOG_LEVEL["tasks"] == 0:
                _LOG_LEVEL["saved"] = logger.level
                if logger.getEffectiveLevel() > logging.INFO:
                    logger.setLevel(logging.INFO)
            _LOG_LEVEL["tasks"] += 1
        else:
            _LOG_LEVEL["tasks"] -= 1
            if _LOG_LEVEL["tasks"] == 0:
                logger.setLevel(_LOG_LEVEL["saved"])


@contextmanager
def _task_log(root, task: str):
    """The isce log records of this thread go to ``logs/<task>.log`` while the task runs
    (appended: an interrupted attempt stays visible above the one that finished)."""
    path = StackLayout(root).log(task)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="a")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_ThreadFilter())
    logger = logging.getLogger("isce")
    logger.addHandler(handler)
    _info_level(True)
    try:
        yield logging.getLogger(f"isce.stack.{task}")
    finally:
        _info_level(False)
        logger.removeHandler(handler)
        handler.close()


def _fixed_threads() -> None:
    """Kernels of this process use :data:`KERNEL_THREADS` (FFTs and OpenMP alike)."""
    os.environ["ISCE_FFT_THREADS"] = str(KERNEL_THREADS)
    os.environ["OMP_NUM_THREADS"] = str(KERNEL_THREADS)


def _remove_temporaries(root, folders, tlog) -> None:
    """Remove the hidden temporaries (``.<name>.<pid>.<hex>.partial``) in the folders this
    task owns (no other task writes there): a killed run of the task left them."""
    for folder in folders:
        try:
            entries = list(os.scandir(os.path.join(root, folder)))
        except OSError:
            continue
        for entry in entries:
            if PRODUCT_TEMPORARY.match(entry.name) and entry.is_file(follow_symlinks=False):
                remove_quietly(entry.path)
                tlog.info("removed %s, left by an interrupted run of this task", entry.path)


def _run(root, task: str, identity: dict, work, folders=()):
    """Run ``work(log) -> (outputs, result)`` unless the task is complete; mark it done.
    ``folders``: those the task owns (stale temporaries there are removed first)."""
    root = os.path.abspath(root)
    identity = json.loads(json.dumps(identity))      # as the marker will hold it (lists)
    done = is_done(root, task, identity)
    if done is not None:
        return done
    _fixed_threads()
    with _task_log(root, task) as tlog:
        tlog.info("task %s: start", task)
        _remove_temporaries(root, folders, tlog)
        outputs, result = work(tlog)
        _mark_done(root, task, identity, outputs, result)
        tlog.info("task %s: done", task)
    return result


def _place_raster(src, dst) -> None:
    """``dst`` becomes the raster ``src`` (hard link, else a copy; atomic), with sidecars."""
    info = read_info(os.fspath(src))[0]
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    with replacing(dst) as temp:
        try:
            os.link(src, temp)
        except OSError:                 # another file system, or no hard links there
            shutil.copyfile(src, temp)
    write_sidecars(dst, info)


def _move_raster(src, dst) -> None:
    """Rename a raster and its sidecars (rewritten for the new name)."""
    info = read_info(os.fspath(src))[0]
    os.replace(src, dst)
    write_sidecars(dst, info)
    remove_sidecars(src)


# ----------------------------------------------------------------------------- per date
def date_slc_task(root, date: str, date_input: dict) -> dict:
    """``SLC/<date>/<date>.slc`` (+ ``.json``): the date's image as read (SLC formats) or
    focused (raw formats, through a range-compressed file removed after)."""
    run = StackLayout(root)
    reader_input = DateInput.from_dict(date_input)
    files = [os.path.join(reader_input.base_dir, str(v)) for v in reader_input.properties.values()]
    identity = {"date": date, "input": date_input,
                "files": {f: _file_id(f) for f in files if os.path.isfile(f)}}

    def work(tlog):
        product = make_reader(reader_input, name=date).parse()
        out = Path(root, run.slc(date))
        out.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(product, RawProduct):
            product.save(os.fspath(Path(root, run.raw_json(date))))
            rc_file = out.with_suffix(".rc")
            try:
                result = focus(product, out, rc_output=rc_file)
            finally:
                remove_sidecars(rc_file)
                remove_quietly(rc_file)
                remove_quietly(f"{rc_file}.json")
            tlog.info("%s: focused %d x %d", date, result.product.length, result.product.width)
        else:
            written = product.write(out)
            tlog.info("%s: SLC %d x %d", date, written.length, written.width)
        return [out], {"slc": str(run.slc(date))}

    return _run(root, task_names("slc", date), identity, work, [run.slc(date).parent])


def _stack_reference(root, reference: str, crop: dict | None, tlog):
    """The reference's SLC as the stack's grid: its window covering ``crop["bbox"]``, else
    (no box, or a box holding the whole scene) the SLC itself, hard-linked."""
    run = StackLayout(root)
    ref = SlcProduct.load(Path(root, run.slc_json(reference)))
    out = Path(root, run.merged_slc(reference))
    out.parent.mkdir(parents=True, exist_ok=True)
    window = None
    if crop:
        window = crop_window(ref.radar_grid, ref.orbit, ref.geometry_doppler, crop["bbox"],
                             dem=crop["dem"], looks=crop["looks"])
        if window.whole:
            tlog.info("%s: the bounding box holds the whole reference scene: kept whole",
                      reference)
    if window is None or window.whole:
        _place_raster(ref.source.path, out)
        product = replace(ref, source=ImageSource("raster", str(out)))
        tlog.info("%s: the reference, linked", reference)
    else:
        product = crop_slc(ref, window, out)
        tlog.info("%s: the reference cropped to the bounding box: %s", reference,
                  window.describe())
    replace(product, attributes={**product.attributes, "coregistered_to": reference}).save(
        Path(root, run.merged_json(reference)))
    return [out], (window.to_dict() if window is not None else None)


def reference_task(root, reference: str, crop: dict | None) -> dict:
    """``merged/SLC/<ref>/<ref>.slc.full`` (+ ``.json``): the grid of the whole stack (topo,
    coregistration, interferograms and MintPy's metadata all read it). ``crop``: None, or
    ``{"bbox": [S, N, W, E] deg, "dem": path or None, "looks": [az, rg]}`` (ISCE2's --bbox):
    the reference is cropped to the lines and pixels covering the box (whole looks)."""
    run = StackLayout(root)
    dem = crop.get("dem") if crop else None
    identity = {"reference": reference, "crop": crop, "dem_file": _file_id(dem) if dem else None,
                "files": _files_id(root, [Path(root, p) for p in (run.slc_json(reference),
                                                                  run.slc(reference))])}

    def work(tlog):
        outputs, window = _stack_reference(root, reference, crop, tlog)
        return outputs, {"crop_window": window}

    return _run(root, task_names("reference", reference), identity, work,
                [run.merged_slc(reference).parent])


def topo_task(root, reference: str, dem: str | None) -> dict:
    """rdr2geo of the reference grid: ``geom_reference/<name>.rdr.full`` for hgt, lat, lon,
    los, shadowMask, incLocal (ISCE2 stripmapStack's names), on the stack's grid
    (:func:`reference_task`)."""
    run = StackLayout(root)
    ref_json = Path(root, run.merged_json(reference))
    identity = {"reference": reference, "dem": dem, "slc": _file_id(ref_json),
                "dem_file": _file_id(dem) if dem else None}

    def work(tlog):
        ref = SlcProduct.load(ref_json)
        products = list(GEOMETRY_NAMES)
        folder = Path(root, run.geometry_dir, ".topo")
        shutil.rmtree(folder, ignore_errors=True)        # what a killed run left
        paths = run_topo(ref.radar_grid, ref.orbit, ref.geometry_doppler, dem=dem or 0.0,
                         output_dir=str(folder), products=products, threads=KERNEL_THREADS)
        outputs = []
        for product, path in paths.items():
            out = Path(root, run.geometry_full(GEOMETRY_NAMES[product]))
            _move_raster(path, out)
            outputs.append(out)
        shutil.rmtree(folder, ignore_errors=True)
        return outputs, {"geometry": sorted(GEOMETRY_NAMES[p] for p in paths)}

    return _run(root, "topo", identity, work, [run.geometry_dir])


def _misregistration(ref, coarse, offsets_dir, misreg: dict, tlog):
    """ampcor + culling of reference vs coarse coregistered: the fitted polynomials written
    to ``offsets_dir`` (None when too few windows survive: geometry alone)."""
    field = ampcor(ref.source.path, str(coarse), **misreg["grid"], threads=KERNEL_THREADS)
    try:
        result = cull_offsets(field, **misreg["cull"])
    except (ValueError, RuntimeError) as exc:
        tlog.warning("misregistration: %s; keeping the geometry offsets alone", exc)
        return None, None
    if result.az_poly is None:
        tlog.warning("misregistration: too few windows survive culling; geometry alone")
        return None, None
    paths = write_misreg_json(str(offsets_dir), result.az_poly, result.rg_poly)
    tlog.info("misregistration: %s", result.summary())
    return list(paths), {"kept": int(result.kept), "windows": int(result.total),
                         "rms_px": [float(result.rms_az), float(result.rms_rg)]}


def _coregister_secondary(root, date: str, reference: str, misreg: dict, tlog):
    """geo2rdr offsets, coarse resampling, misregistration, refined resampling (insarApp's
    chain) of one date onto the reference grid."""
    run = StackLayout(root)
    ref = SlcProduct.load(Path(root, run.merged_json(reference)))
    sec = SlcProduct.load(Path(root, run.slc_json(date)))
    offsets = Path(root, run.offsets_dir(date))
    offsets.mkdir(parents=True, exist_ok=True)
    topo = [str(Path(root, run.geometry_full(n))) for n in ("lon", "lat", "hgt")]
    geo = geo2rdr_offsets(topo, sec.radar_grid, sec.orbit, sec.geometry_doppler,
                          output_dir=str(offsets), reference_grid=ref.radar_grid,
                          threads=KERNEL_THREADS)
    outputs = list(geo.values())
    image = sec.source.path
    if not same_range_band(ref, sec) and ref.range_bandwidth and sec.range_bandwidth \
            and sec.range_sampling_rate:
        image = bandpass_to_reference(sec, ref, offsets / "bandpassed.slc")
        outputs.append(image)
    doppler = None if sec.is_zero_doppler else sec.doppler
    coarse = Path(root, run.coarse_coreg(date))
    resample_slc(image, geo["range"], geo["azimuth"], str(coarse), doppler=doppler,
                 grid=sec.radar_grid, threads=KERNEL_THREADS)
    outputs.append(coarse)
    written, summary = _misregistration(ref, coarse, offsets, misreg, tlog)
    outputs += written or []
    # geometry offsets + the fitted polynomials, added block by block in memory (insarApp's
    # refined_resample): no refined offset rasters written only to be read back
    polys = read_misreg_json(str(offsets)) if written else (None, None)
    az_fix, rg_fix = (None if p is None else p.on_grid for p in polys)
    out = Path(root, run.merged_slc(date))
    out.parent.mkdir(parents=True, exist_ok=True)
    resample_slc(image, geo["range"], geo["azimuth"], str(out), doppler=doppler,
                 grid=sec.radar_grid, az_correction=az_fix, rg_correction=rg_fix,
                 threads=KERNEL_THREADS)
    # metadata of the coregistered image: the date's orbit on the reference grid
    replace(sec, radar_grid=ref.radar_grid, source=ImageSource("raster", str(out)),
            attributes={**sec.attributes, "coregistered_to": reference}).save(
        Path(root, run.merged_json(date)))
    return outputs + [out], summary


def coregister_task(root, date: str, reference: str, misreg: dict) -> dict:
    """``merged/SLC/<date>/<date>.slc.full``: a secondary date resampled onto the stack's
    grid (geometry offsets + fitted misregistration; the reference is
    :func:`reference_task`'s). ``misreg``: ``{"grid": ampcor keywords, "cull": cull_offsets
    keywords}``."""
    run = StackLayout(root)
    if date == reference:
        raise ValueError(f"{date} is the reference: its product is reference_task's")
    deps = [run.slc_json(date), run.slc(date), run.merged_json(reference),
            *(run.geometry_full(n) for n in ("lon", "lat", "hgt"))]
    identity = {"date": date, "reference": reference, "misreg": misreg,
                "files": _files_id(root, [Path(root, p) for p in deps])}

    def work(tlog):
        outputs, summary = _coregister_secondary(root, date, reference, misreg, tlog)
        return outputs, {"misregistration": summary}

    folders = [run.offsets_dir(date), run.merged_slc(date).parent]
    return _run(root, task_names("coregister", date), identity, work, folders)


# ----------------------------------------------------------------------------- per pair
class _OffsetPair:
    """Lines of two dates' range offsets rasters, read together: ``(2, lines, pixels)``;
    a date without offsets (the reference) reads as zeros."""

    def __init__(self, first, second, shape):
        self.rasters = [None if p is None else isce.io.open(str(p)) for p in (first, second)]
        self.shape = tuple(shape)

    def __getitem__(self, rows):
        n = len(range(*rows.indices(self.shape[0])))
        return np.stack([np.zeros((n, self.shape[1])) if r is None else
                         np.asarray(r.read(rows=rows), dtype=np.float64) for r in self.rasters])


class PairFlattening:
    """The geometric phase of a pair of coregistered dates (d1, d2): the phase
    :class:`~isce.signal.crossmul.Flattening` removes for d2 minus the one for d1 (each
    against the reference; 0 for the reference itself)."""

    def __init__(self, first: Flattening | None, second: Flattening | None, shape):
        self.first, self.second = first, second
        self.range_offsets = _OffsetPair(first and first.range_offsets,
                                         second and second.range_offsets, shape)

    def phase(self, offsets: np.ndarray) -> np.ndarray:
        """4 pi (R_d2 - R_d1) / lambda [rad] of a ``(2, lines, pixels)`` block of offsets."""
        phase = np.zeros(offsets.shape[1:], np.float64)
        if self.second is not None:
            phase += self.second.phase(offsets[1])
        if self.first is not None:
            phase -= self.first.phase(offsets[0])
        return phase


def _flattening(root, date, reference, ref):
    if date == reference:
        return None
    run = StackLayout(root)
    g1 = ref.radar_grid
    g2 = SlcProduct.load(Path(root, run.slc_json(date))).radar_grid
    return Flattening(str(Path(root, run.offsets_dir(date), "range.off")), g1.wavelength,
                      (g1.starting_range, g1.range_pixel_spacing),
                      (g2.starting_range, g2.range_pixel_spacing))


def pair_flattening(root, d1: str, d2: str, reference: str):
    """What removes the pair's geometric phase: insarApp's own Flattening when d1 is the
    reference (the same interferogram as insarApp's), else :class:`PairFlattening`."""
    ref = SlcProduct.load(Path(root, StackLayout(root).merged_json(reference)))
    f1, f2 = (_flattening(root, d, reference, ref) for d in (d1, d2))
    if f1 is None:
        return f2
    return PairFlattening(f1, f2, (ref.length, ref.width))


def pair_task(root, d1: str, d2: str, reference: str, settings: dict) -> dict:
    """``Igrams/<d1>_<d2>/``: interferogram and coherence at looks, Goldstein-Werner
    filtered, phase sigma, unwrapped with connected components. ``settings``: ``looks``
    (azimuth, range), ``filter_strength``, ``do_unwrap``, ``unwrapper``."""
    run = StackLayout(root)
    deps = [run.merged_slc(d) for d in (d1, d2)] + [run.slc_json(d) for d in (d1, d2)]
    deps.append(run.merged_json(reference))
    deps += [run.offsets_dir(d) / "range.off" for d in (d1, d2) if d != reference]
    identity = {"pair": [d1, d2], "reference": reference, "settings": settings,
                "files": _files_id(root, [Path(root, p) for p in deps])}
    out = {k: Path(root, run.igram(d1, d2, k)) for k in
           ("int", "cor", "filt_int", "filt_cor", "unw", "conncomp")}

    def work(tlog):
        out["int"].parent.mkdir(parents=True, exist_ok=True)
        az, rg = settings["looks"]
        crossmul_raster(str(Path(root, run.merged_slc(d1))), str(Path(root, run.merged_slc(d2))),
                        str(out["int"]), str(out["cor"]), az_looks=az, rg_looks=rg,
                        flatten=pair_flattening(root, d1, d2, reference))
        # the phase sigma of each filtered block as soon as it is done, in memory
        filter_phsig_raster(str(out["int"]), str(out["filt_int"]), str(out["filt_cor"]),
                            settings["filter_strength"], workers=KERNEL_THREADS)
        written = [out[k] for k in ("int", "cor", "filt_int", "filt_cor")]
        if settings["do_unwrap"]:
            name = settings["unwrapper"]
            options = {"nlooks": float(az * rg)} if name.startswith("snaphu") else {}
            written += [Path(p) for p in run_unwrap(name, str(out["filt_int"]), str(out["filt_cor"]),
                                                    str(out["unw"]), str(out["conncomp"]),
                                                    **options) if p]
        tlog.info("pair %s_%s: %s", d1, d2, ", ".join(p.name for p in written))
        return written, {"products": [os.path.relpath(p, root) for p in written]}

    return _run(root, task_names("igram", d1, d2), identity, work, [run.igram_dir(d1, d2)])



# ----------------------------------------------------------------------------- MintPy
def _baseline_files(root, reference: str, dates, pairs) -> list:
    """``baselines/<ref>_<date>.txt`` per date (what MintPy reads) and
    ``baselines/<d1>_<d2>/<d1>_<d2>.txt`` per pair: ISCE2 stripmapStack's top and bottom
    perpendicular baselines [m] (its sign), a pair's as d2's minus d1's."""
    run = StackLayout(root)
    ref = SlcProduct.load(Path(root, run.merged_json(reference)))
    bperp = {d: (0.0, 0.0) if d == reference else stripmap_perpendicular(
        ref, SlcProduct.load(Path(root, run.slc_json(d)))) for d in dates}
    written = []
    for date in dates:
        if date != reference:
            path = Path(root, run.baseline(reference, date))
            path.parent.mkdir(parents=True, exist_ok=True)
            written.append(mintpy.write_baseline_file(path, *bperp[date]))
    for d1, d2 in pairs:
        path = Path(root, run.pair_baseline(d1, d2))
        path.parent.mkdir(parents=True, exist_ok=True)
        top, bottom = (b2 - b1 for b1, b2 in zip(bperp[d1], bperp[d2]))
        written.append(mintpy.write_baseline_file(path, top, bottom))
    return written


def mintpy_task(root, reference: str, dates, pairs, looks) -> dict:
    """What MintPy loads beside the interferograms: geometry at the interferograms' looks
    (``geom_reference/<name>.rdr``), the baseline files, and ``merged/SLC/<ref>/data.rsc``
    (written last: MintPy reads it only while it is newer than the reference's ``.xml``)."""
    run = StackLayout(root)
    full = {name: Path(root, run.geometry_full(name)) for name in GEOMETRY_NAMES.values()}
    deps = [*full.values(), *(run.slc_json(d) for d in dates), run.merged_json(reference),
            run.merged_slc(reference).with_name(run.merged_slc(reference).name + ".xml")]
    identity = {"reference": reference, "dates": list(dates), "pairs": [list(p) for p in pairs],
                "looks": list(looks), "files": _files_id(root, [Path(root, p) for p in deps])}

    def work(tlog):
        geometry = mintpy.multilook_geometry({k: str(v) for k, v in full.items()},
                                             str(Path(root, run.geometry_dir)), looks)
        written = [Path(p) for p in geometry.values()]
        written += [Path(p) for p in _baseline_files(root, reference, dates, pairs)]
        ref = SlcProduct.load(Path(root, run.merged_json(reference)))
        meta = mintpy.roipac_metadata(ref, tuple(looks), geometry)
        written.append(Path(mintpy.write_data_rsc(Path(root, run.data_rsc(reference)), meta)))
        tlog.info("MintPy: geometry at looks %s, %d baseline files, %s", tuple(looks),
                  len(written) - len(geometry) - 1, run.data_rsc(reference))
        return written, {"data_rsc": str(run.data_rsc(reference))}

    return _run(root, "mintpy", identity, work, [])
