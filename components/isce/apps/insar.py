"""``insarApp.py`` / ``stripmapApp.py``: a stripmap pair, raw or focused, to geocoded,
unwrapped interferograms in zero-Doppler geometry (DESIGN.md §4).

The steps are defined once, below, as functions of the step context; the
application class only declares parameters, the two sensor facilities and
the step list. Products between steps travel in ``ctx.state`` as plain dicts
(product JSON) and file paths.
"""
from __future__ import annotations

import contextvars
import json
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

import isce.sensors
from isce.core.ellipsoid import WGS84, enu_matrix
from isce.core.radargrid import RadarGrid
from isce.dem.dem import prepare_dem
from isce.focus.pipeline import focus, required_pulses
from isce.framework import Application, ConfigurationError, Facility, InputError, Parameter, Step
from isce.framework.parameter import resolve_callable
from isce.geometry.baseline import baseline_summary, stripmap_perpendicular
from isce.geometry.footprint import check_dem_coverage, scene_footprint
from isce.geometry.geo2rdr import geo2rdr_offsets
from isce.geometry.geocode import geocode_product
from isce.geometry.rdr2geo import topo as run_topo
from isce.io import provenance
from isce.io.atomic import remove_quietly, write_text
from isce.io.layout import (GEOCODE_DEFAULT, MINTPY_TOPO_PRODUCTS, PRODUCT_DIRS, ROLES)
from isce.io.mintpy import (link_raster, multilook_geometry, roipac_metadata, write_baseline_file,
                            write_data_rsc)
from isce.offsets.ampcor import ampcor
from isce.offsets.cull import cull_offsets
from isce.offsets.fit import read_misreg_json, write_misreg_json
from isce.sensors import SlcProduct
from isce.sensors.product import acquisition_date
from isce.sensors.raw import RawProduct
from isce.signal.bandpass import bandpass_to_reference, same_range_band
from isce.signal.coherence import mean_coherence
from isce.signal.crossmul import Flattening, crossmul_raster
from isce.signal.filter_phsig import filter_phsig_raster
from isce.unwrap.ambiguity import transfer_cycles_raster
from isce.unwrap.registry import NAMES as UNWRAPPERS
from isce.unwrap.registry import unwrap as run_unwrap

from . import insar_settings, stripmap_iono, stripmap_offsets, stripmap_roi, stripmap_unwrap
from .insar_common import LOOKS, RUN, VIEW, geocode_posting, resample_secondary
from .insar_common import looks as _looks
from .insar_common import outputs_removed_on_failure as _outputs_removed_on_failure
from .insar_common import reads as _reads
from .insar_common import remove_product as _remove_product
from .insar_common import slc_product as _slc
from .insar_settings import MISREGISTRATION_PARAMETERS, product_file
from .products import ORBIT_INTERPOLATION, apply_orbit_interpolation

MAX_HEADING_DIFFERENCE = 5.0  # deg: more means another track


def make_sensor(sensor_name, specific_name, role):
    """Factory of the ``reference``/``secondary`` facilities: the reader of the sensor named
    for this date, or for both dates (None until a sensor name is set)."""
    name = specific_name or sensor_name
    return isce.sensors.create(name, name=role) if name else None


# ----------------------------------------------------------------------------- helpers
def _heading(product) -> float:
    """Platform heading [deg] at mid-scene, from the orbit (ECEF velocity in local ENU);
    works for raw and focused products alike."""
    grid = getattr(product, "radar_grid", None)
    t = grid.sensing_mid if grid is not None else product.pulse_time(product.length / 2)
    pos, vel = product.orbit.interpolate(float(t))
    lon, lat, _ = WGS84.xyz_to_lon_lat(np.reshape(pos, 3))
    e, n, _ = enu_matrix(lon, lat) @ np.reshape(vel, 3)
    return float(np.degrees(np.arctan2(e, n)))


def _pair(ref, sec) -> str:
    return f"reference {product_file(ref)}, secondary {product_file(sec)}"


def check_tracks(ref, sec) -> None:
    """Refuse dates that cannot pair: other look side or another track (InputError)."""
    if ref.look_side != sec.look_side:
        raise InputError(f"{_pair(ref, sec)}: the reference looks {ref.look_side}, the secondary "
                         f"{sec.look_side}: not an interferometric pair")
    h1, h2 = _heading(ref), _heading(sec)
    if abs((h1 - h2 + 180.0) % 360.0 - 180.0) > MAX_HEADING_DIFFERENCE:
        raise InputError(f"{_pair(ref, sec)}: headings {h1:.1f} and {h2:.1f} deg "
                         f"({abs((h1 - h2 + 180.0) % 360.0 - 180.0):.1f} deg apart, more than "
                         f"{MAX_HEADING_DIFFERENCE:g}): images from different tracks (or an "
                         "ascending and a descending pass) cannot be paired")


def _band(product) -> tuple:
    """(centre frequency, range bandwidth or None) [Hz] of a raw or focused date."""
    bw = getattr(product, "range_bandwidth", None) if isinstance(product, SlcProduct) \
        else product.chirp_bandwidth
    return float(product.center_frequency), (float(bw) if bw else None)


def _mhz(fc, bw) -> str:
    return f"{fc / 1e6:.3f} MHz" + (f" +- {bw / 2e6:.3f} MHz" if bw else "")


def check_bands(ref, sec) -> None:
    """Refuse dates whose range spectra cannot make an interferogram here (InputError): the
    secondary is band-passed to the reference's band, so that band must lie inside the
    secondary's (another sensor of the same band, or the same sensor at another bandwidth)."""
    (f1, b1), (f2, b2) = _band(ref), _band(sec)
    if abs(f1 - f2) < 1.0 and (b1 == b2 or not (b1 and b2) or abs(b1 - b2) < 1.0):
        return
    if not (b1 and b2):
        raise InputError(f"{_pair(ref, sec)}: centre frequencies {f1 / 1e6:.3f} and {f2 / 1e6:.3f} "
                         "MHz differ and a range bandwidth is unknown: the common band cannot "
                         "be found")
    lo, hi = max(f1 - b1 / 2, f2 - b2 / 2), min(f1 + b1 / 2, f2 + b2 / 2)
    if hi <= lo:
        raise InputError(f"{_pair(ref, sec)}: the range spectra do not overlap (reference "
                         f"{_mhz(f1, b1)}, secondary {_mhz(f2, b2)}): dates of different "
                         "radar bands cannot make an interferogram")
    if f1 - b1 / 2 < f2 - b2 / 2 - 1.0 or f1 + b1 / 2 > f2 + b2 / 2 + 1.0:
        hint = ("; swap the dates: the secondary's band lies inside the reference's"
                if f2 - b2 / 2 >= f1 - b1 / 2 - 1.0 and f2 + b2 / 2 <= f1 + b1 / 2 + 1.0
                else "")
        raise InputError(f"{_pair(ref, sec)}: the reference's range band ({_mhz(f1, b1)}) is not "
                         f"inside the secondary's ({_mhz(f2, b2)}; {(hi - lo) / 1e6:.3f} MHz "
                         f"shared): the secondary is band-passed to the reference's band{hint}")


def check_overlap(ref, sec) -> None:
    """Refuse focused dates whose footprints do not overlap on the ground (InputError)."""
    a = scene_footprint(ref.radar_grid, ref.orbit, ref.geometry_doppler)
    b = scene_footprint(sec.radar_grid, sec.orbit, sec.geometry_doppler)
    if a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]:
        raise InputError(f"{_pair(ref, sec)}: the two images do not overlap on the ground "
                         f"(reference lon/lat {a[0]:.3f}..{a[2]:.3f}/{a[1]:.3f}..{a[3]:.3f}, "
                         f"secondary {b[0]:.3f}..{b[2]:.3f}/{b[1]:.3f}..{b[3]:.3f}): different "
                         "tracks?")


@contextmanager
def _for_setting(name):
    """Input errors raised inside name the setting whose file they concern (e.g. demFilename)."""
    try:
        yield
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


def check_dem_early(dem, product) -> None:
    """Refuse, from the metadata alone, a DEM that misses the reference scene (InputError).

    A focused date is checked on its exact footprint (as verifyDEM does). A raw date is
    not focused yet: its zero-Doppler grid is only known after formslc, which trims the
    aperture and the chirp off the raw swath, so here the DEM must cover the centre of the
    raw swath (middle 10 % of its pulses and samples); verifyDEM checks the whole focused
    footprint after formslc."""
    if not dem:
        return
    if not isinstance(product, RawProduct):
        footprint = scene_footprint(product.radar_grid, product.orbit, product.geometry_doppler)
        check_dem_coverage(dem, footprint, scene="the reference scene")
        return
    lines, samples = max(2, product.length // 10), max(2, product.width // 10)
    grid = RadarGrid(product.pulse_time((product.length - lines) // 2), product.reference_epoch,
                     prf=product.prf,
                     starting_range=product.slant_range((product.width - samples) // 2),
                     range_pixel_spacing=product.range_pixel_spacing, length=lines,
                     width=samples, wavelength=product.wavelength, look_side=product.look_side)
    doppler = product.doppler if product.doppler is not None and hasattr(product.doppler, "eval") \
        else None
    check_dem_coverage(dem, scene_footprint(grid, product.orbit, doppler),
                       scene="the centre of the raw reference scene")


def check_aperture(product, role) -> None:
    """Refuse raw data shorter than the synthetic aperture, from the metadata (InputError):
    formslc could not make a single focused line of them."""
    need = required_pulses(product)
    if product.length < need:
        prf = float(product.prf)
        raise InputError(f"{product_file(product)}: the {role} raw data have {product.length} pulses "
                         f"({product.length / prf:.3f} s at PRF {prf:.1f} Hz), shorter than the "
                         f"synthetic aperture: focusing needs at least {need} pulses "
                         f"({need / prf:.3f} s)")


# ----------------------------------------------------------------------------- steps
def startup(ctx):
    """Record the configuration and make the output folders."""
    for folder in RUN.folders:
        folder.mkdir(exist_ok=True)
    ctx.state.timings = {}
    ctx.state.started = time.time()
    ctx.log.info("looks %s (azimuth x range), filter strength %.2f, unwrapper %s",
                 insar_settings.looks_text(ctx.params), ctx.params.filter_strength,
                 ctx.params.unwrapper if ctx.params.do_unwrap else "none")


def preprocess(ctx):
    """Read both dates with their sensor readers: raw echoes or SLC images plus metadata."""
    products = {}
    for role in ROLES:
        reader = getattr(ctx.params, role)
        if reader is None:
            raise ConfigurationError(f"no sensor for the {role} date: set 'sensor name' "
                                     f"(or '{role} sensor name')", path=f"insar.{role}")
        products[role] = reader.parse()
        apply_orbit_interpolation(products[role], ctx.params.orbit_interpolation, ctx.log,
                                  f"{role} {product_file(products[role])}")
    insar_settings.check_outputs(ctx.params)
    # a pair that cannot work is refused from the metadata, before any image is written
    check_tracks(products["reference"], products["secondary"])
    check_bands(products["reference"], products["secondary"])
    if not any(isinstance(p, RawProduct) for p in products.values()):
        check_overlap(products["reference"], products["secondary"])
    with _for_setting("demFilename"):
        check_dem_early(ctx.params.dem, products["reference"])  # not after focusing: verifyDEM
    for role, product in products.items():
        if isinstance(product, RawProduct):
            check_aperture(product, role)   # formslc would fail on it, after a long wait
    insar_settings.check_scene_settings(ctx.params, products)   # looks, boxes on the scene
    stripmap_offsets.check_scene(ctx.params, products["reference"])   # dense windows fit
    ctx.state.raw, ctx.state.slc = {}, {}
    with _outputs_removed_on_failure(ctx), provenance.run_context(**pair_dates(products)):
        for role, product in products.items():
            slc_path = insar_settings.slc_path(getattr(ctx.params, role), role)
            slc_path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(product, RawProduct):
                raw_json = insar_settings.raw_json_path(getattr(ctx.params, role), role)
                raw_json.parent.mkdir(parents=True, exist_ok=True)
                ctx.add_output(raw_json)
                product.save(raw_json)
                ctx.state.raw[role] = product.to_dict()
                ctx.log.info("%s: raw, %d pulses x %d samples", role, product.length, product.width)
            else:
                ctx.add_output(slc_path)
                written = product.write(slc_path, progress=True)
                ctx.state.slc[role] = written.to_dict()
                ctx.log.info("%s: SLC, %d lines x %d pixels", role, product.length, product.width)


def formslc(ctx):
    """Focus raw dates to zero-Doppler SLCs (range compression, RCMC, azimuth compression)."""
    with _outputs_removed_on_failure(ctx):
        for role, raw in ctx.state.raw.items():
            output = insar_settings.slc_path(getattr(ctx.params, role), role)  # OUTPUT
            ctx.add_output(output)
            # the range-compressed echoes go through a file (removed after): memory stays
            # bounded by the focuser's blocks whatever the scene size
            rc_file = output.with_suffix(".rc")
            try:
                result = focus(RawProduct.from_dict(raw), output, rc_output=rc_file, progress=True)
            finally:
                _remove_product(rc_file)
            ctx.state.slc[role] = result.product.to_dict()
            ctx.log.info("%s: focused to %s (%d x %d)", role, output, result.product.length,
                         result.product.width)
    if ctx.state.raw:
        check_overlap(_slc(ctx, "reference"), _slc(ctx, "secondary"))
        insar_settings.check_looks_fit(ctx.params, _slc(ctx, "reference"))  # the focused size


def verify_dem(ctx):
    """Check the DEM covers the scene; convert EGM96 heights to WGS-84 if needed."""
    ref = _slc(ctx, "reference")
    if not ctx.params.dem:
        ctx.log.warning("no DEM given: heights are 0 m above the WGS-84 ellipsoid")
        ctx.state.dem = None
        return
    ctx.add_input(ctx.params.dem)
    footprint = scene_footprint(ref.radar_grid, ref.orbit, ref.geometry_doppler)
    with _for_setting("demFilename"):
        ctx.state.dem = str(prepare_dem(ctx.params.dem, footprint, reference=ctx.params.dem_reference))
    if Path(ctx.state.dem).resolve() != Path(ctx.params.dem).resolve():
        ctx.add_output(ctx.state.dem)   # the WGS-84 DEM made from the user's
    ctx.log.info("DEM %s", ctx.state.dem)


#: the topo products of ISCE2 stripmapApp's geometry folder (what geo2rdr and MintPy read)
INSAR_TOPO_PRODUCTS = ("lat", "lon", "z", "los", "incLocal", "shadowMask")


def topo(ctx):
    """rdr2geo of the reference grid: ISCE2 stripmapApp's geometry, lat, lon, z, los
    (incidence, LOS azimuth), incLocal (psi, local incidence) and shadowMask. Not the
    single-band copies topo.py also writes (inc = los band 1, localInc/localPsi = incLocal
    bands, hdg = the LOS azimuth, + 180 deg when left-looking): no step or MintPy reads them."""
    ref = _slc(ctx, "reference")
    dem = ctx.state.dem if ctx.state.dem else 0.0
    _reads(ctx, ctx.state.dem)
    paths = run_topo(ref.radar_grid, ref.orbit, ref.geometry_doppler, dem=dem, output_dir=str(RUN.geometry_dir),
                     products=INSAR_TOPO_PRODUCTS, progress=True)
    for path in paths.values():
        ctx.add_output(path)


def geo2rdr(ctx):
    """Secondary range and azimuth offsets over the reference topo."""
    ref, sec = _slc(ctx, "reference"), _slc(ctx, "secondary")
    _reads(ctx, *(RUN.geometry(name) for name in ("lon", "lat", "z")))
    paths = geo2rdr_offsets(str(RUN.geometry_dir), sec.radar_grid, sec.orbit, sec.geometry_doppler,
                            output_dir=str(RUN.offsets_dir), reference_grid=ref.radar_grid,
                            progress=True)
    for path in paths.values():
        ctx.add_output(path)


def _secondary_image(ctx):
    """The secondary image to resample: band-passed to the reference band when they differ."""
    ref, sec = _slc(ctx, "reference"), _slc(ctx, "secondary")
    if same_range_band(ref, sec) or not (ref.range_bandwidth and sec.range_bandwidth
                                         and sec.range_sampling_rate):
        return sec.source.path
    ctx.log.info("band-passing the secondary from %.1f MHz at %.4f GHz to %.1f MHz at %.4f GHz",
                 sec.range_bandwidth / 1e6, sec.center_frequency / 1e9,
                 ref.range_bandwidth / 1e6, ref.center_frequency / 1e9)
    out = bandpass_to_reference(sec, ref, Path(sec.source.path).parent / "secondary_bandpassed.slc",
                                progress=True)    # beside the secondary SLC (OUTPUT's folder)
    ctx.add_output(out)
    return out


def _resample(ctx, offsets_dir, output):
    resample_secondary(ctx, ctx.state.secondary_image, RUN.azimuth_offsets(offsets_dir),
                       RUN.range_offsets(offsets_dir), output)


def coarse_resample(ctx):
    """Resample the secondary onto the reference grid with the geometry offsets."""
    ctx.state.secondary_image = _secondary_image(ctx)
    _resample(ctx, RUN.offsets_dir, str(RUN.coarse_coreg))


def misregistration(ctx):
    """Amplitude cross-correlation of the reference and the coarse coregistered secondary;
    outliers culled; residual offsets fitted with low-order polynomials."""
    ref = _slc(ctx, "reference")
    grid, cull = insar_settings.misregistration_settings(ctx.params, ref)
    _reads(ctx, ref.source.path, RUN.coarse_coreg)
    field = ampcor(ref.source.path, str(RUN.coarse_coreg), **grid, progress=True)
    try:
        result = cull_offsets(field, **cull)
    except (ValueError, RuntimeError) as exc:  # too few good windows: geometry alone
        result = None
        reason = str(exc)
    if result is None or result.az_poly is None:
        ctx.log.warning("misregistration: %s; keeping the geometry offsets alone",
                        reason if result is None else "too few windows survive culling")
        ctx.state.misreg = None
        return
    for path in write_misreg_json(str(RUN.offsets_dir), result.az_poly, result.rg_poly):
        ctx.add_output(path)
    ctx.state.misreg = {"kept": int(result.kept), "windows": int(result.total),
                        "rms_px": [float(result.rms_az), float(result.rms_rg)]}
    ctx.log.info("misregistration: %s", result.summary())


def refined_resample(ctx):
    """Resample again with geometry offsets plus the fitted misregistration."""
    corrections = (None, None)
    if ctx.state.misreg:
        _reads(ctx, RUN.misreg_json("az"), RUN.misreg_json("rg"))
        corrections = tuple(p.on_grid for p in read_misreg_json(str(RUN.offsets_dir)))
    # the sum is added block by block in memory (as ISCE2's resampler takes the polynomials);
    # written as offsets/refined/*.off only for the stages that read it back
    keep = None
    if stripmap_offsets.rubber_sheeting(ctx.params) or ctx.params.do_split_spectrum:
        RUN.refined_offsets_dir.mkdir(parents=True, exist_ok=True)
        keep = (RUN.azimuth_offsets(RUN.refined_offsets_dir),
                RUN.range_offsets(RUN.refined_offsets_dir))
    resample_secondary(ctx, ctx.state.secondary_image, RUN.azimuth_offsets(),
                       RUN.range_offsets(), str(RUN.refined_coreg), corrections=corrections,
                       offsets_output=keep)


def interferogram(ctx):
    """Cross-multiply with range oversampling and looks, removing the geometric phase (flat
    Earth and topography): topophase.flat and topophase.cor."""
    ref, sec = _slc(ctx, "reference"), _slc(ctx, "secondary")
    az, rg = _looks(ctx)
    g1, g2 = ref.radar_grid, sec.radar_grid
    # the geometric phase is that of the geometry offsets: the misregistration fit corrects
    # the sampling only (it would also take up part of a deformation's range shift)
    flat = Flattening(RUN.range_offsets(), g1.wavelength,
                      (g1.starting_range, g1.range_pixel_spacing),
                      (g2.starting_range, g2.range_pixel_spacing))
    secondary = stripmap_offsets.coregistered_secondary(ctx.params)   # fine_coreg if sheeted
    _reads(ctx, ref.source.path, secondary, RUN.range_offsets())
    crossmul_raster(ref.source.path, str(secondary),
                    str(RUN.topophase_flat), str(RUN.topophase_cor),
                    az_looks=az, rg_looks=rg, flatten=flat, progress=True)
    for path in (RUN.topophase_flat, RUN.topophase_cor):
        ctx.add_output(path)


def coherence(ctx):
    """Summarise the coherence of the interferogram (mean over the pixels with data)."""
    _reads(ctx, RUN.topophase_cor)
    # 0: no data (edges the resampler left empty)
    ctx.state.mean_coherence, ctx.state.coherence_valid_fraction = mean_coherence(
        str(RUN.topophase_cor))
    ctx.log.info("mean coherence %.3f over %.1f %% of the pixels (the others have no data)",
                 ctx.state.mean_coherence, 100 * ctx.state.coherence_valid_fraction)


def filter_step(ctx):
    """Goldstein–Werner filter and phase-sigma coherence: filt_topophase.flat, phsig.cor."""
    _reads(ctx, RUN.topophase_flat)
    # the phase sigma of the filtered lines as soon as they are done (in memory, overlapped)
    filter_phsig_raster(str(RUN.topophase_flat), str(RUN.filt_topophase_flat), str(RUN.phsig_cor),
                        ctx.params.filter_strength, progress=True)
    for path in (RUN.filt_topophase_flat, RUN.phsig_cor):
        ctx.add_output(path)


def unwrap(ctx):
    """Unwrap the filtered interferogram, with connected components; the unfiltered phase with
    the same cycle counts goes to topophase.unw."""
    if not ctx.params.do_unwrap:
        ctx.log.info("do unwrap is off")
        return
    az, rg = _looks(ctx)
    options = {"nlooks": float(az * rg)} if ctx.params.unwrapper.startswith("snaphu") else {}
    _reads(ctx, RUN.filt_topophase_flat, RUN.phsig_cor, RUN.topophase_flat)
    out, comp = run_unwrap(ctx.params.unwrapper, str(RUN.filt_topophase_flat), str(RUN.phsig_cor),
                           str(RUN.filt_topophase_unw), progress=True, **options)
    ctx.add_output(out)
    ctx.add_output(comp)
    # the unfiltered phase with the filtered solution's cycle counts (the filter moves the
    # phase of curved fringes by ~1 mm of L-band displacement)
    for path in transfer_cycles_raster(str(RUN.topophase_flat), out, str(RUN.topophase_unw)):
        if path:
            ctx.add_output(path)
    ctx.log.info("unwrapped %s; unfiltered phase with its cycles: %s", out, RUN.topophase_unw)


def geocode(ctx):
    """Geocode the products of the geocode list onto a lon/lat grid (.geo and GeoTIFF)."""
    ref = _slc(ctx, "reference")
    inputs = [p for p in ctx.params.geocode_list if Path(p).exists()]
    missing = sorted(set(ctx.params.geocode_list) - set(inputs))
    if missing:
        ctx.log.info("not geocoded (not produced): %s", ", ".join(missing))
    full = [p for p in inputs if RUN.in_geometry(p)]
    looked = [p for p in inputs if p not in full]
    bbox = ctx.params.geocode_bbox or ctx.params.roi
    dem = ctx.state.dem if ctx.state.dem else 0.0
    _reads(ctx, *inputs, ctx.state.dem)
    posting = geocode_posting(ctx)
    groups = [(g, looks) for g, looks in ((looked, _looks(ctx)), (full, (1, 1))) if g]

    def run(group, looks):
        return geocode_product(ref, group, looks=looks, dem=dem, snwe=bbox, posting=posting,
                               output_dir=str(RUN.geo_dir), progress=True)

    # the two groups (multilooked products, full-resolution geometry) side by side: one's
    # reading, writing and GeoTIFF compression overlap the other's kernels; each thread runs
    # in a copy of this one's context (the provenance the sidecars record is a ContextVar)
    with ThreadPoolExecutor(max_workers=max(len(groups), 1)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, run, *g) for g in groups]
        results = [f.result() for f in futures]
    done = {k: v["geo"] for result in results for k, v in result.items() if k != "geogrid"}
    for path in done.values():
        ctx.add_output(path)
    ctx.state.geocoded = {str(k): str(v) for k, v in done.items()}


def _utc(t) -> str:
    """ISO 8601 UTC text of an isce DateTime, to the microsecond (``...T05:31:39.123456Z``)."""
    return t.isoformat(digits=6) + "Z"


def pair_report(ref, sec) -> dict:
    """Acquisition times of both SLC products and their baselines, for report.json.

    ``acquisitions``: first, middle and last line of each date (UTC, ISO 8601) and the
    days from the reference's middle line to the secondary's. ``baseline``: perpendicular
    and parallel baselines [m] at the first, middle and last reference line, mid range, on
    the ellipsoid (height 0); None where the secondary orbit does not see the point. The
    perpendicular baseline has ISCE2 stripmapApp's sign (P_BASELINE_TOP/BOTTOM, mroipac:
    positive when the secondary is farther from the Earth), as the baseline files MintPy
    reads (:func:`isce.geometry.baseline.stripmap_perpendicular`)."""
    dates = {}
    for role, product in zip(ROLES, (ref, sec)):
        g = product.radar_grid
        dates[role] = {"sensing_start_utc": _utc(g.sensing_start_datetime),
                       "sensing_mid_utc": _utc(g.sensing_mid_datetime),
                       "sensing_stop_utc": _utc(g.sensing_stop_datetime)}
    dt = sec.radar_grid.sensing_mid_datetime.seconds_since(ref.radar_grid.sensing_mid_datetime)
    dates["temporal_baseline_days"] = dt / 86400.0
    summary = baseline_summary(ref, sec)         # zerodop's sign: stripmap's times this
    signs = {"perpendicular": ref.radar_grid.look_side_sign, "parallel": 1.0}
    baseline = {}
    for kind in ("perpendicular", "parallel"):
        for where in ("top", "middle", "bottom"):
            value = summary.get(f"{kind}_{where}")
            ok = value is not None and math.isfinite(value)
            baseline[f"{kind}_{where}_m"] = float(signs[kind] * value) if ok else None
    return {"acquisitions": dates, "baseline": baseline}


def _pair_links(d1, d2) -> dict:
    """``Igrams/<d1>_<d2>/`` names MintPy reads -> the interferogram products they are:
    ``filt_<pair>.unw`` (+ ``.conncomp``) the filtered phase unwrapped, ``filt_<pair>.cor``
    the phase-sigma coherence (what ISCE2 stripmapStack's FilterAndCoherence writes there)."""
    return {VIEW.unw(d1, d2): RUN.filt_topophase_unw,
            VIEW.conncomp(d1, d2): Path(f"{RUN.filt_topophase_unw}.conncomp"),
            VIEW.cor(d1, d2): RUN.phsig_cor}


def _view_baseline(ctx, ref, sec, d1, d2):
    """Write ``baselines/<d1>_<d2>.txt`` (ISCE2 stripmap's sign); (path, top, bottom), all
    None (and a warning) when the secondary orbit does not see the first or last line."""
    VIEW.baselines_dir.mkdir(exist_ok=True)
    path = VIEW.baseline(d1, d2)
    top, bottom = stripmap_perpendicular(ref, sec)
    if math.isfinite(top) and math.isfinite(bottom):
        return write_baseline_file(path, top, bottom), top, bottom
    remove_quietly(str(path))
    ctx.log.warning("MintPy view: no perpendicular baseline (top %s, bottom %s m): %s not "
                    "written", top, bottom, path)
    return None, None, None


def mintpy_view(ctx, ref, sec) -> dict:
    """The pair as ISCE2 stripmapStack lays it out, so MintPy loads it without ISCE2:
    interferogram links in ``Igrams/<d1>_<d2>/``, geometry links (``<n>.rdr.full``) and
    geometry at the interferogram's looks (``<n>.rdr``) in ``geom_reference/``, the
    perpendicular baselines in ``baselines/<d1>_<d2>.txt`` and ``data.rsc`` beside the
    reference SLC's ``.xml`` (the metadata file to give MintPy, written after it)."""
    d1 = acquisition_date(ref)
    d2 = acquisition_date(sec)
    looks = _looks(ctx)
    written = [link_raster(src, link) for link, src in _pair_links(d1, d2).items()
               if src.exists()]
    full = {name: link_raster(RUN.geometry(product), VIEW.geometry(name, full=True))
            for name, product in MINTPY_TOPO_PRODUCTS.items() if RUN.geometry(product).exists()}
    _reads(ctx, *(RUN.geometry(p) for p in MINTPY_TOPO_PRODUCTS.values()
                  if RUN.geometry(p).exists()))
    looked = multilook_geometry(full, VIEW.geometry_dir, looks)
    baseline, top, bottom = _view_baseline(ctx, ref, sec, d1, d2)
    meta_file = f"{ref.source.path}.xml"
    rsc = write_data_rsc(VIEW.rsc_beside(meta_file), roipac_metadata(ref, looks, looked))
    for path in (*written, *full.values(), *looked.values(), baseline, rsc):
        if path:
            ctx.add_output(path)
    ctx.log.info("MintPy view: %s, %s, %s; metadata file %s (with %s)", VIEW.pair_dir(d1, d2),
                 VIEW.geometry_dir, baseline, meta_file, rsc)
    return {"dates": [d1, d2], "metadata_file": meta_file, "data_rsc": rsc,
            "interferograms": str(VIEW.pair_dir(d1, d2)), "geometry": str(VIEW.geometry_dir),
            "baseline": baseline, "perp_baseline_top_m": top, "perp_baseline_bottom_m": bottom}


def endup(ctx):
    """Write report.json: what ran, the products and their summary numbers."""
    report = {"mean_coherence": getattr(ctx.state, "mean_coherence", None),
              "slc": {role: str(_slc(ctx, role).source.path) for role in ROLES},  # OUTPUT
              **pair_report(_slc(ctx, "reference"), _slc(ctx, "secondary")),
              "misregistration": getattr(ctx.state, "misreg", None),
              "ionosphere": getattr(ctx.state, "ionosphere", None),   # dispersive mean/std [rad]
              "geocoded": getattr(ctx.state, "geocoded", {}),
              "looks": list(_looks(ctx)),
              "mintpy": mintpy_view(ctx, _slc(ctx, "reference"), _slc(ctx, "secondary")),
              "wall_time_s": round(time.time() - ctx.state.started, 2),
              "steps": dict(getattr(ctx, "step_stats", None) or {})}  # {step: {wall_s, peak_rss_mib}}
    write_text(str(RUN.report), json.dumps(report, indent=1) + "\n")     # never half-written
    ctx.add_output(RUN.report)
    ctx.log.info("report.json written; mean coherence %s", report["mean_coherence"])


def pair_dates(products) -> dict:
    """``reference_date``/``secondary_date`` of ``{role: product}`` (those given): what the
    sidecars of the pair's rasters record (isce.io.provenance)."""
    return {f"{role}_date": acquisition_date(p) for role, p in products.items() if p is not None}


def _state_products(state) -> dict:
    """The dates' products the state holds: focused or read SLCs, else raw (before formslc)."""
    slc, raw = getattr(state, "slc", None) or {}, getattr(state, "raw", None) or {}
    return {role: SlcProduct.from_dict(slc[role]) if role in slc else RawProduct.from_dict(raw[role])
            for role in ROLES if role in slc or role in raw}


def _dated(step: Step) -> Step:
    """``step`` run with the pair's dates (from the state, once preprocess has read the dates)
    as the provenance of every raster it writes: resumed runs date their products too."""
    func = step.func

    def run(ctx):
        with provenance.run_context(**pair_dates(_state_products(ctx.state))):
            return resolve_callable(func)(ctx)

    run.__name__ = run.__qualname__ = getattr(func, "__name__", str(func))
    run.__doc__ = getattr(func, "__doc__", None)
    return replace(step, func=run)


#: groups of settings the steps declare (public names)
DATES = ("Reference", "Secondary")                    # the readers (and their OUTPUT)
SENSORS = ("sensor name", "reference sensor name", "secondary sensor name", *DATES)
BOXES = ("geocode bounding box", "regionOfInterest")
MISREG_FIT = ("window size width", "window size height", "search window size width",
              "search window size height")             # checked against the scene in preprocess
_ROI, _OFFSETS, _IONO = stripmap_roi.STEPS, stripmap_offsets.STEPS, stripmap_iono.STEPS
LOGGED = (*LOOKS, "filter strength", "unwrapper name", "do unwrap")   # startup's log line


class Insar(Application):
    """Stripmap InSAR in zero-Doppler geometry: a raw or focused pair to geocoded,
    filtered and unwrapped interferograms.

    Inputs follow ISCE's files: the Master/Reference and Slave/Secondary components
    configure the sensor readers (e.g. IMAGEFILE, LEADERFILE, OUTPUT for ALOS;
    HDF5 for UAVSAR/NISAR). Outputs use ISCE's stripmap names: geometry/*.rdr,
    offsets/*.off, coregisteredSlc/*.slc, interferogram/*, geo/*.geo; endup adds ISCE2
    stripmapStack's view for MintPy (Igrams/<d1>_<d2>/, geom_reference/, baselines/, and
    data.rsc beside the reference SLC's .xml, the metadata file to give prep_isce.py).
    """

    family = "insar"
    instance_name = "insarApp"
    # where the steps write (temporaries of a killed run are removed from these on a new run)
    product_dirs = PRODUCT_DIRS
    parameters = (
        Parameter("sensor_name", public_name="sensor name", type=str, default=None,
                  doc="Sensor of both dates (ALOS, NISAR_L0B, UAVSAR_HDF5_SLC, NISAR_SLC, ...)."),
        Parameter("reference_sensor", public_name="reference sensor name", type=str, default=None,
                  doc="Sensor of the reference date, when the dates differ."),
        Parameter("secondary_sensor", public_name="secondary sensor name", type=str, default=None,
                  doc="Sensor of the secondary date, when the dates differ."),
        Parameter("dem", public_name="demFilename", type="path", default=None,
                  aliases=("dem filename",), doc="DEM: any GDAL format or ISCE raster."),
        Parameter("dem_reference", public_name="dem reference", type=str, default="auto",
                  choices=("auto", "EGM96", "WGS84"), doc="Vertical reference of the DEM."),
        Parameter("range_looks", public_name="range looks", type=int, default=1, units="pixels",
                  doc="Looks in range for the interferogram."),
        Parameter("azimuth_looks", public_name="azimuth looks", type=int, default=1, units="lines",
                  doc="Looks in azimuth for the interferogram."),
        Parameter("filter_strength", public_name="filter strength", type=float, default=0.5,
                  doc="Goldstein-Werner exponent alpha, 0..1."),
        Parameter("do_unwrap", public_name="do unwrap", type=bool, default=True, doc="Unwrap the phase."),
        Parameter("unwrapper", public_name="unwrapper name", type=str, default="snaphu",
                  choices=UNWRAPPERS, doc="snaphu or snaphu_mcf: ISCE2 stripmapApp's SNAPHU run, "
                  "MCF initialisation only (smooth cost; non-commercial CS2 inside); "
                  "snaphu_full: SNAPHU's full statistical-cost solver (smooth cost, from an "
                  "MST); mcf (ours, OR-Tools); or ISCE2's branch-cut icu (components per seed "
                  "region) and grass (one region from the centre)."),
        Parameter("geocode_list", public_name="geocode list", type=str, container=list,
                  default=GEOCODE_DEFAULT, doc="Products to geocode."),
        Parameter("geocode_bbox", public_name="geocode bounding box", type=float, container=list,
                  default=None, units="deg", doc="S, N, W, E of the geocoded grid."),
        Parameter("geo_posting", public_name="geocode posting", type=float, container=list,
                  default=None, units="deg", aliases=("geoPosting",),
                  doc="Geocoded pixel size in degrees (dx[, dy]; one value: both, as ISCE2's "
                  "geoPosting); default: the DEM's."),
        Parameter("posting", public_name="posting", type=float, default=None, units="m",
                  doc="ISCE2's posting: the interferogram's pixel size on the ground, in metres; "
                  "sets the range and azimuth looks not given (ISCE2's rule: ground-range "
                  "resolution and ground line spacing at mid-scene)."),
        Parameter("roi", public_name="regionOfInterest", type=float, container=list, default=None,
                  units="deg", doc="S, N, W, E of interest: the processed area (cropraw/cropslc cut "
                  "both dates to it before focusing and topo) and the geocoded area when no "
                  "bounding box is given."),
        *MISREGISTRATION_PARAMETERS,
        ORBIT_INTERPOLATION,
        *stripmap_roi.PARAMETERS,
        *stripmap_offsets.PARAMETERS,
        *stripmap_iono.PARAMETERS,
        *stripmap_unwrap.PARAMETERS,
    )
    facilities = (
        Facility("reference", factory=make_sensor, args=("sensor_name", "reference_sensor"),
                 kwargs={"role": "reference"}, public_name="Reference", aliases=("Master",),
                 mandatory=False, doc="Reader of the reference date."),
        Facility("secondary", factory=make_sensor, args=("sensor_name", "secondary_sensor"),
                 kwargs={"role": "secondary"}, public_name="Secondary", aliases=("Slave",),
                 mandatory=False, doc="Reader of the secondary date."),
    )
    # ``uses``: the settings each step's products depend on (a changed one restarts from the
    # first step using it); ``checks``: settings a step only checks or logs (no restart). A
    # step can read no other (ParameterView refuses it), so these lists are complete.
    steps = (
        Step("startup", startup, startup.__doc__.splitlines()[0], uses=(),
             checks=LOGGED),
        Step("preprocess", preprocess, preprocess.__doc__.splitlines()[0],
             uses=(*SENSORS, "orbit interpolation"),
             checks=("demFilename", *LOOKS, *BOXES, *MISREG_FIT, *stripmap_offsets.SCENE_CHECKS)),
        _ROI["cropraw"],
        Step("formslc", formslc, formslc.__doc__.splitlines()[0], uses=DATES, checks=LOOKS),
        _ROI["cropslc"],
        Step("verifyDEM", verify_dem, verify_dem.__doc__.splitlines()[0], uses=("demFilename", "dem reference")),
        Step("topo", topo, topo.__doc__.splitlines()[0], uses=()),
        Step("geo2rdr", geo2rdr, geo2rdr.__doc__.splitlines()[0], uses=()),
        Step("coarse_resample", coarse_resample, coarse_resample.__doc__.splitlines()[0], uses=()),
        Step("misregistration", misregistration, misregistration.__doc__.splitlines()[0],
             uses=tuple(p.public_name for p in MISREGISTRATION_PARAMETERS)),
        # the switches decide whether it also writes offsets/refined/*.off for later stages
        Step("refined_resample", refined_resample, refined_resample.__doc__.splitlines()[0],
             uses=(*stripmap_offsets.SWITCHES, "do split spectrum")),
        *(_OFFSETS[n] for n in ("dense_offsets", "rubber_sheet_range", "rubber_sheet_azimuth",
                                "fine_resample")),
        *(_IONO[n] for n in ("split_range_spectrum", "sub_band_resample")),
        Step("interferogram", interferogram, interferogram.__doc__.splitlines()[0],
             uses=(*LOOKS, *stripmap_offsets.SWITCHES)),
        _IONO["sub_band_interferogram"],
        Step("coherence", coherence, coherence.__doc__.splitlines()[0], uses=()),
        Step("filter", filter_step, filter_step.__doc__.splitlines()[0], uses=("filter strength",)),
        *(_IONO[n] for n in ("filter_low_band", "filter_high_band")),
        Step("unwrap", unwrap, unwrap.__doc__.splitlines()[0], uses=("do unwrap", "unwrapper name", *LOOKS)),
        stripmap_unwrap.STEPS["unwrap2stage"],
        *(_IONO[n] for n in ("unwrap_low_band", "unwrap_high_band", "ionosphere")),
        Step("geocode", geocode, geocode.__doc__.splitlines()[0],
             uses=("geocode list", *BOXES, "geocode posting", *LOOKS)),
        _OFFSETS["geocodeoffsets"],
        Step("endup", endup, endup.__doc__.splitlines()[0], uses=LOOKS),
    )

    def companion_files(self, path):
        """A product's sidecars (.xml, .vrt, .hdr), metadata JSON and GeoTIFF, where present:
        recorded with it, since editing one changes what the product says."""
        return [f"{path}{s}" for s in (".xml", ".vrt", ".hdr", ".json", ".tif")
                if os.path.isfile(f"{path}{s}")]

    def validate(self):
        insar_settings.validate_settings(self)   # ISCE2 meanings, finite numbers, boxes
        stripmap_roi.check_settings(self)        # height range
        stripmap_iono.check_settings(self)
        stripmap_offsets.check_settings(self)    # dense windows, rubber-sheeting filter
        for attr in ("range_looks", "azimuth_looks"):
            if getattr(self, attr) < 1:
                name = self.parameter(attr).public_name
                raise ConfigurationError(f"must be at least 1, got {getattr(self, attr)}",
                                         source=self.source_of(attr), path=f"{self.config_path}.{name}")
        if not 0.0 <= self.filter_strength <= 1.0:
            raise ConfigurationError(f"must be within 0..1, got {self.filter_strength}",
                                     source=self.source_of("filter_strength"),
                                     path=f"{self.config_path}.filter strength")

    def check_complete(self):
        insar_settings.check_sensors(self)       # before anything is written


# every step writes its rasters with the pair's dates in their sidecars
Insar.steps = tuple(_dated(step) for step in Insar.steps)


class Stripmap(Insar):
    """The same workflow under stripmapApp's instance name (Reference/Secondary vocabulary)."""

    instance_name = "stripmapApp"
