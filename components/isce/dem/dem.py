"""ISCE's ``verifyDEM``: make a user's DEM usable by rdr2geo (WGS-84 ellipsoid heights).

    from isce.dem import prepare_dem, verify_dem
    path = prepare_dem("srtm.tif", footprint=(west, south, east, north))    # degrees
    report = verify_dem("dem.dem", reference="EGM96", output="dem.dem.wgs84")

:func:`verify_dem` (and :func:`prepare_dem`, which returns only the path):

1. opens the DEM: an ISCE raster (data file or its ``.xml``/``.vrt``/``.hdr``,
   read through :mod:`isce.io`) or anything GDAL reads (through rasterio:
   GeoTIFF, VRT, ENVI, ...). A file that cannot be read is an
   :class:`~isce.framework.InputError` naming it.
2. decides the vertical reference of its heights [m]: the caller's
   ``reference`` (``"EGM96"`` or ``"WGS84"``) when given; otherwise
   (``"auto"``) the ISCE XML property ``reference`` (ISCE2's DemImage), a GDAL
   vertical CRS (``EGM96 height``, EPSG:5773 -> EGM96; a 3-D geographic CRS
   such as EPSG:4979 -> WGS84) or a metadata item (``reference``,
   ``vertical_datum``, ...); when the file records nothing, ``unknown_reference``
   (default EGM96, ISCE2's DemImage default -- SRTM and most user DEMs are
   heights above the geoid; a warning is logged). Other vertical datums
   (EGM2008, NAVD88, ...) are an InputError unless ``reference`` says how to
   take them.
3. checks, when a scene ``footprint`` (west, south, east, north) [deg] is
   given, that the DEM covers it with plausible heights
   (:func:`isce.geometry.footprint.check_dem_coverage`: an InputError saying
   by how many km it falls short, on which side; or that its samples over the
   scene are all void, more than 25 % void, or outside -600..9000 m) -- before
   any long work.
4. if the heights are EGM96 (orthometric), the grid is projected, or there
   are voids over the scene, writes ellipsoid heights h = H + N (N: EGM96
   undulation, :mod:`isce.dem.geoid`; 0 for WGS-84 heights) to ``output``
   (default ``<dem file name>.wgs84`` in the current folder, ISCE2's name) as
   an ISCE FLOAT raster with sidecars, EPSG:4326 (other CRSs are warped to it,
   bilinear; logged), ``reference`` = WGS84 recorded -- block by block,
   atomically (nothing half-written is left looking complete). Voids within
   0.15 deg of the scene take the nearest valid height (a warning says how
   many), others stay NaN. An existing output made from the same unchanged
   file the same way is reused. A geographic WGS-84 DEM without voids over the
   scene is used as it is (its path is returned).

Everything it does is logged on the ``isce.dem`` logger and kept in the
:class:`DemReport`. Heights in metres, angles in degrees.
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field

import numpy as np

import isce.io
from isce.framework.errors import ConfigurationError, InputError
from isce.geometry.demsource import DemSource as _Source
from isce.geometry.demsource import classify_reference
from isce.geometry.demsource import open_dem as _open
from isce.geometry.footprint import check_dem_coverage
from isce.io.sidecars import read_info

from . import geoid as _geoid

__all__ = ["prepare_dem", "verify_dem", "DemReport", "vertical_reference", "REFERENCES"]

log = logging.getLogger("isce.dem")

REFERENCES = ("EGM96", "WGS84")
_AUTO = "AUTO"
_ALIASES = {"AUTO": _AUTO, "EGM96": "EGM96", "EGM-96": "EGM96", "EGM 96": "EGM96",
            "WGS84": "WGS84", "WGS-84": "WGS84", "WGS 84": "WGS84", "ELLIPSOID": "WGS84"}
_BLOCK_BUDGET = 32 * 2**20          # bytes of float64 work arrays per block
#: [deg] around the scene's footprint where voids are filled: the margin topo reads (ISCE3's)
FILL_MARGIN = 0.15


def _norm_reference(value, what="reference"):
    key = " ".join(str(value).strip().upper().split())
    if key in _ALIASES:
        return _ALIASES[key]
    raise ConfigurationError(f"{what} must be one of auto, EGM96, WGS84; got {value!r}",
                             path=what)



# ----------------------------------------------------------------------------- the report
@dataclass
class DemReport:
    """What :func:`verify_dem` found and did."""

    path: str                       # the DEM to use: WGS-84 ellipsoid heights [m]
    source: str                     # the DEM given
    format: str                     # 'ISCE raster' or 'GDAL <driver>'
    shape: tuple                    # (length, width) of the DEM given
    bounds: tuple                   # (west, south, east, north) of its pixel edges [deg]
    reference: str                  # vertical reference of the DEM given: EGM96 or WGS84
    reference_from: str             # how that was decided
    converted: bool = False         # True: ellipsoid heights written to ``path``
    reused: bool = False            # True: ``path`` existed from an earlier identical run
    geoid: str | None = None        # the geoid model used for the conversion
    undulation_range: tuple | None = None   # (min, max) N applied [m]
    void_fraction: float | None = None      # share of void samples (when read)
    coverage: str | None = None     # result of the footprint check
    filled: int = 0                 # void samples near the scene filled with the nearest height
    notes: list = field(default_factory=list)

    def summary(self) -> str:
        return "; ".join(self.notes)




def _probe(src: _Source):
    """Read the first and last rows, so a truncated file fails now, not mid-run."""
    src.rows_checked(slice(0, 1))
    if src.length > 1:
        src.rows_checked(slice(src.length - 1, src.length))


# ----------------------------------------------------------------------------- decisions
def vertical_reference(path, reference="auto", unknown_reference="EGM96"):
    """(reference, how decided) for the DEM at ``path``: see the module docstring, step 2."""
    with _open(path) as src:
        return _decide(src, reference, unknown_reference)


def _decide(src, reference, unknown_reference):
    user = _norm_reference(reference)
    found = src.vertical
    if user != _AUTO:
        how = "given by the caller"
        if found is not None and found[0] != user:
            log.warning("%s: %s, but the caller says %s: using %s", src.path, found[1], user, user)
            how += f" (the file says otherwise: {found[1]})"
        elif found is not None:
            how += f" (agrees with {found[1]})"
        return user, how
    if found is not None:
        ref, how = found
        if ref in REFERENCES:
            return ref, how
        raise InputError(f"{src.path}: heights refer to {ref!r} ({how}); only EGM96 and WGS84 "
                         f"are handled: convert the DEM, or pass reference='EGM96' or 'WGS84' "
                         f"to take its heights as such")
    assumed = _norm_reference(unknown_reference, "unknown_reference")
    if assumed == _AUTO:
        raise InputError(f"{src.path}: the DEM does not say whether its heights are above the "
                         f"EGM96 geoid or the WGS-84 ellipsoid; pass reference='EGM96' or 'WGS84'")
    log.warning("%s: the DEM records no vertical reference; taking its heights as %s%s", src.path,
                assumed, " (ISCE2's default: heights above the geoid, as SRTM)"
                if assumed == "EGM96" else "")
    return assumed, f"not recorded in the file: assumed {assumed}"


def _default_output(path):
    return os.path.join(os.getcwd(), os.path.basename(os.fspath(path)) + ".wgs84")


def _stamp(src_path):
    st = os.stat(src_path)
    return {"source_file": os.path.abspath(src_path), "source_size": str(st.st_size),
            "source_mtime_ns": str(st.st_mtime_ns)}


def _reusable(output, stamp, geoid_desc, src):
    if not os.path.isfile(output):
        return False
    try:
        info, data, _ = read_info(output)
        info.check_size(data, os.path.getsize(data))
    except Exception:  # noqa: BLE001 - anything odd: make it again
        return False
    extra = {k.lower(): v for k, v in info.extra.items()}
    return (classify_reference(extra.get("reference")) == "WGS84"
            and all(extra.get(k) == v for k, v in stamp.items())
            and extra.get("geoid") == geoid_desc
            and (info.width, info.length) == (src.width, src.length)
            and info.geo is not None and info.geo.epsg == 4326
            and np.allclose((info.geo.x0, info.geo.dx, info.geo.y0, info.geo.dy), src.geo,
                            rtol=0, atol=1e-12))


# ----------------------------------------------------------------------------- conversion
def _fill_window(src, footprint, margin=FILL_MARGIN):
    """(rows, cols, heights, voids) of the DEM window around ``footprint`` (w, s, e, n) [deg]
    plus ``margin``, its ``voids`` set to the nearest valid height; None when it has no void."""
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    x0, dx, y0, dy = src.geo
    w, s, e, n = footprint
    c = sorted(((w - margin - x0) / dx, (e + margin - x0) / dx))
    r = sorted(((n + margin - y0) / dy, (s - margin - y0) / dy))
    cols = slice(max(int(math.floor(c[0])) - 3, 0), min(int(math.ceil(c[1])) + 3, src.width))
    rows = slice(max(int(math.floor(r[0])) - 3, 0), min(int(math.ceil(r[1])) + 3, src.length))
    heights = src.rows_checked(rows)[:, cols]
    void = ~np.isfinite(heights)
    if not void.any() or void.all():
        return None
    nearest = ndimage.distance_transform_edt(void, return_distances=False, return_indices=True)
    return rows, cols, heights[tuple(nearest)], int(np.count_nonzero(void))


def _convert(src, output, geo_model, extra, block_lines, progress, fill=None):
    """Write ``src`` as a FLOAT ISCE raster at ``output``: heights + N of ``geo_model`` (None:
    N = 0), the voids of the ``fill`` window (:func:`_fill_window`) filled."""
    x0, dx, y0, dy = src.geo
    lons = x0 + (np.arange(src.width) + 0.5) * dx
    lat_all = y0 + (np.arange(src.length) + 0.5) * dy
    if block_lines is None:
        block_lines = isce.io.block_lines_for(src.width, np.float64, arrays=4,
                                              budget=_BLOCK_BUDGET)
    n_min, n_max, voids = math.inf, -math.inf, 0
    geo = isce.io.Geo(x0, dx, y0, dy, 4326)
    with isce.io.create(output, src.width, src.length, "FLOAT", image_type="dem", geo=geo,
                        extra=extra) as ds:
        for rows in isce.io.iter_blocks(src.length, int(block_lines), progress=progress,
                                        desc="DEM -> WGS84 lon/lat"):
            heights = src.rows_checked(rows)
            voids += int(np.count_nonzero(np.isnan(heights)))
            if fill is not None:
                f_rows, f_cols, filled, _ = fill
                lo, hi = max(rows.start, f_rows.start), min(rows.stop, f_rows.stop)
                if lo < hi:
                    heights[lo - rows.start:hi - rows.start, f_cols] = \
                        filled[lo - f_rows.start:hi - f_rows.start]
            if geo_model is None:
                ds[rows] = heights.astype(np.float32)
                n_min = n_max = 0.0
                continue
            n = _geoid.geoid_undulation_grid(lat_all[rows], lons, geoid=geo_model)
            if not np.all(np.isfinite(n)):
                raise InputError(f"{src.path}: the geoid model ({_geoid.describe(geo_model)}) "
                                 f"does not cover rows {rows.start}..{rows.stop - 1} of the DEM")
            ds[rows] = (heights + n).astype(np.float32)
            n_min, n_max = min(n_min, float(n.min())), max(n_max, float(n.max()))
    return (n_min, n_max), voids / float(src.width * src.length)


def verify_dem(path, footprint=None, *, reference="auto", output=None, geoid=None,
               unknown_reference="EGM96", coverage_margin: float = 0.0, reuse: bool = True,
               progress: bool = False, block_lines: int | None = None) -> DemReport:
    """Check a DEM and return a :class:`DemReport` whose ``path`` is a WGS-84 DEM to use.

    ``path``: a GDAL DEM or an ISCE DEM raster. ``footprint``: the scene's
    (west, south, east, north) [deg], checked with ``coverage_margin`` [deg]
    added on every side. ``reference``: ``"auto"``, ``"EGM96"`` or
    ``"WGS84"`` (see the module docstring). ``output``: where ellipsoid
    heights go when a conversion is needed (default ``./<name>.wgs84``).
    ``geoid``: the EGM96 model (:func:`isce.dem.geoid.as_geoid`; default
    :func:`isce.dem.geoid.default_geoid`: NGA's 15' grid shipped with
    isce as package data). ``reuse``: keep an existing ``output`` made from the
    same unchanged DEM with the same geoid. ``progress``: a progress bar.
    Raises InputError for unreadable files, unknown vertical datums and a DEM
    that misses the footprint.
    """
    if footprint is not None:
        footprint = tuple(float(v) for v in footprint)
        if len(footprint) != 4 or not all(math.isfinite(v) for v in footprint):
            raise ValueError(f"footprint must be (west, south, east, north) in degrees, got {footprint}")
    with _open(path) as src:
        _probe(src)
        ref, how = _decide(src, reference, unknown_reference)
        report = DemReport(path=src.path, source=src.path, format=src.format,
                           shape=(src.length, src.width), bounds=src.bounds, reference=ref,
                           reference_from=how)
        w, s, e, n = src.bounds
        report.notes.append(f"{src.path}: {src.format}, {src.length} x {src.width} samples, "
                            f"lon {w:.5f}..{e:.5f}, lat {s:.5f}..{n:.5f}"
                            + (f", {src.epsg_note}" if src.epsg_note else ""))
        report.notes.append(f"heights above {ref} ({how})")
        log.info("%s", report.notes[0])
        log.info("%s: heights above %s (%s)", src.path, ref, how)

        if footprint is not None:
            scene_voids = check_dem_coverage(src.path, footprint, margin=float(coverage_margin))
            fw, fs, fe, fn = footprint
            report.coverage = (f"covers the scene (lon {fw:.4f}..{fe:.4f}, lat {fs:.4f}..{fn:.4f}"
                               + (f", margin {coverage_margin:g} deg" if coverage_margin else "")
                               + ")")
            report.notes.append(f"the DEM {report.coverage}")
            log.info("%s: the DEM %s", src.path, report.coverage)

        # voids near the scene are filled, a projected DEM is warped: both need a copy
        fill = _fill_window(src, footprint) if footprint is not None and scene_voids else None
        if ref == "WGS84" and fill is None and not src.warped:
            report.notes.append("WGS-84 ellipsoid heights: used as they are")
            log.info("%s: WGS-84 ellipsoid heights, used as they are", src.path)
            return report

        return _write_prepared(src, report, fill, scene_voids if fill is not None else 0, geoid,
                               output, reuse, block_lines, progress)


def _write_prepared(src, report, fill, scene_voids, geoid, output, reuse, block_lines, progress):
    """Write (or reuse) the DEM rdr2geo can use -- WGS-84 heights on EPSG:4326, voids near the
    scene filled -- for :func:`verify_dem`; fills in and returns its ``report``."""
    geo_model = _geoid.as_geoid(geoid) if report.reference != "WGS84" else None
    report.geoid = _geoid.describe(geo_model) if geo_model is not None else None
    out = os.path.abspath(os.fspath(output) if output is not None else _default_output(src.path))
    if os.path.abspath(src.path) == out:
        raise InputError(f"{src.path}: the output of the geoid correction cannot be the DEM itself")
    stamp = _stamp(src.path)
    if fill is not None:
        r, c, _, report.filled = fill
        stamp["filled_window"] = f"rows {r.start}:{r.stop} cols {c.start}:{c.stop}"
    geoid_desc = report.geoid or "none (WGS84 heights)"
    extra = {"reference": "WGS84", "source_reference": report.reference, "geoid": geoid_desc,
             **stamp}
    report.path = out
    what = " and ".join(filter(None, (
        "EGM96 -> WGS84" if geo_model is not None else "",
        "warped to EPSG:4326" if src.warped else "",
        f"{report.filled} voids near the scene filled" if fill is not None else "")))
    if fill is not None:
        log.warning("%s: %d of the DEM samples over the scene (and %d within %g deg of it) are "
                    "void (NaN, inf or nodata): filled with the nearest valid height in %s",
                    src.path, scene_voids, report.filled, FILL_MARGIN, out)
    if reuse and _reusable(out, stamp, geoid_desc, src):
        report.reused = report.converted = True
        report.notes.append(f"DEM ({what}) already in {out} (made from this DEM): reused")
        log.info("%s: %s already in %s: reused", src.path, what, out)
        return report
    log.info("%s: %s into %s", src.path, what, out)
    (n_lo, n_hi), void = _convert(src, out, geo_model, extra, block_lines, progress, fill)
    report.converted = True
    report.void_fraction = void
    first = len(report.notes)
    if geo_model is not None:
        report.undulation_range = (n_lo, n_hi)
        report.notes.append(f"converted EGM96 -> WGS84 ellipsoid heights (h = H + N, N "
                            f"{n_lo:.2f}..{n_hi:.2f} m, {report.geoid}) into {out}"
                            + (f"; {100 * void:.2f} % voids kept as NaN" if void and fill is None
                               else ""))
    else:
        report.notes.append(f"WGS-84 heights written to {out}")
    if src.warped:
        report.notes.append(src.epsg_note)
    if fill is not None:
        report.notes.append(f"{report.filled} void samples within {FILL_MARGIN:g} deg of the "
                            "scene filled with the nearest valid height")
    log.info("%s: %s", src.path, "; ".join(report.notes[first:]))
    return report


def prepare_dem(path, footprint=None, *, reference="auto", output=None, **options) -> str:
    """ISCE's verifyDEM: the path of a WGS-84 (ellipsoid heights) DEM made from ``path``.

    See :func:`verify_dem` for the arguments (``geoid``, ``unknown_reference``,
    ``coverage_margin``, ``reuse``, ``progress``, ``block_lines``) and what it checks.
    """
    return verify_dem(path, footprint, reference=reference, output=output, **options).path
