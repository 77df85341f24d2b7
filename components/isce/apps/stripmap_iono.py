"""stripmapApp's split-spectrum ionosphere: the range spectrum split into a low and a high
sub-band (``split_range_spectrum``), each band resampled, interfered, filtered and
unwrapped (``sub_band_*``, ``filter_*_band``, ``unwrap_*_band``), and the dispersive
(ionospheric) and non-dispersive phases separated (``ionosphere``). ISCE2
``StripmapProc/runSplitSpectrum.py``, ``runResampleSubbandSlc.py``, ``runDispersive.py``.
All off by default; ``do split spectrum`` runs the first two steps, ``do dispersive`` (which
needs it) the others.

Products (ISCE2's names): ``SplitSpectrum/{lowBand,highBand}/<SLC name>``,
``coregisteredSlc/<band>/refined_coreg.slc``, ``interferogram/<band>/topophase.flat``,
``topophase.cor``, ``filt_topophase.flat``, ``phsig.cor``, ``filt_topophase.unw`` (+
``.conncomp``), and ``ionosphere/``: ``dispersive.bil``, ``nondispersive.bil`` (+ ``.sig``,
``.filt``, ``.unwCor``, ``.unwCor.filt``), ``mask.bil``, ``dJumps.bil``, ``mJumps.bil``: FLOAT
rasters at the interferogram's looks, phases in rad at the carrier, in the interferogram's
convention (reference x conj(secondary)); the ionosphere-corrected phase is
``filt_topophase.unw - dispersive.bil.unwCor.filt``.

Differences from ISCE2 (README): the sub-band unwrapped phases are tied to the full-band
unwrapped phase (or the high band to the low band without it) by whole cycles before the
separation, where ISCE2 adds a fixed 2 pi to the high band; ``dispersive filter kernel
rotation`` other than 0 is refused (ISCE2 accepts it and never applies it).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import isce.io
from isce.framework import InputError, Parameter, Step
from isce.io.layout import SUB_BANDS
from isce.signal import ionosphere as iono
from isce.signal.crossmul import Flattening, crossmul_raster
from isce.signal.filter import filter_raster
from isce.signal.phsig import phsig_raster
from isce.signal.splitspectrum import SubBands, split_raster, subbands
from isce.unwrap._common import conncomp_path_for
from isce.unwrap.registry import unwrap as run_unwrap

from .insar_common import (LOOKS, RUN, looks, outputs_removed_on_failure, reads,
                           resample_secondary, skipping, slc_product)
from .insar_settings import _error
from .stripmap_offsets import RUBBER, resampling_offsets

PARAMETERS = (
    Parameter("do_split_spectrum", public_name="do split spectrum", type=bool, default=False,
              doc="ISCE2's split-spectrum processing: the range spectrum split into sub-bands "
              "of a third of the band at f0 -+ B/3, both dates, resampled (steps "
              "split_range_spectrum, sub_band_resample)."),
    Parameter("do_dispersive", public_name="do dispersive", type=bool, default=False,
              doc="ISCE2's ionosphere (dispersive phase) estimate from the sub-band "
              "interferograms (needs do split spectrum): ionosphere/dispersive.bil.unwCor.filt."),
    Parameter("dispersive_filling", public_name="dispersive filter filling method", type=str,
              default="nearest_neighbour", choices=("nearest_neighbour", "smoothed"),
              doc="Ionosphere: how masked pixels are filled before filtering."),
    Parameter("dispersive_kernel_x", public_name="dispersive filter kernel x-size", type=int,
              default=800, units="pixels", doc="Ionosphere: Gaussian filter window across."),
    Parameter("dispersive_kernel_y", public_name="dispersive filter kernel y-size", type=int,
              default=800, units="lines", doc="Ionosphere: Gaussian filter window down."),
    Parameter("dispersive_sigma_x", public_name="dispersive filter kernel sigma_x", type=float,
              default=100.0, units="pixels", doc="Ionosphere: Gaussian sigma across."),
    Parameter("dispersive_sigma_y", public_name="dispersive filter kernel sigma_y", type=float,
              default=100.0, units="lines", doc="Ionosphere: Gaussian sigma down."),
    Parameter("dispersive_rotation", public_name="dispersive filter kernel rotation", type=float,
              default=0.0, units="deg", doc="Ionosphere: rotation of the Gaussian kernel: 0 only "
              "(ISCE2 accepts other values and never applies them)."),
    Parameter("dispersive_iterations", public_name="dispersive filter number of iterations",
              type=int, default=5, units="-", doc="Ionosphere: filter iterations."),
    Parameter("dispersive_mask", public_name="dispersive filter mask type", type=str,
              default="connected_components",
              choices=("connected_components", "coherence", "median_filter"),
              doc="Ionosphere: which pixels the filter trusts."),
    Parameter("dispersive_coherence", public_name="dispersive filter coherence threshold",
              type=float, default=0.5, units="-",
              doc="Ionosphere: sub-band coherence below which a pixel is masked (mask type "
              "coherence)."),
)

SPLIT = ("do split spectrum", "do dispersive")
FILTER = ("dispersive filter filling method", "dispersive filter kernel x-size",
          "dispersive filter kernel y-size", "dispersive filter kernel sigma_x",
          "dispersive filter kernel sigma_y", "dispersive filter kernel rotation",
          "dispersive filter number of iterations", "dispersive filter mask type",
          "dispersive filter coherence threshold")


def check_settings(app) -> None:
    """Configuration-time checks (ConfigurationError): ``do dispersive`` needs ``do split
    spectrum``; the filter's sizes, sigmas, iterations and threshold in range; rotation 0."""
    if app.do_dispersive and not app.do_split_spectrum:
        raise _error(app, "do_dispersive", "do dispersive needs do split spectrum: set "
                         "'do split spectrum' True too (or 'do dispersive' False)")
    for attr in ("dispersive_kernel_x", "dispersive_kernel_y"):
        if getattr(app, attr) < 1:
            raise _error(app, attr, f"must be at least 1 pixel, got {getattr(app, attr)}")
    for attr in ("dispersive_sigma_x", "dispersive_sigma_y"):
        if not getattr(app, attr) > 0:
            raise _error(app, attr, f"must be positive, got {getattr(app, attr)}")
    if app.dispersive_iterations < 0:
        raise _error(app, "dispersive_iterations",
                         f"must be >= 0, got {app.dispersive_iterations}")
    if not 0.0 < app.dispersive_coherence < 1.0:
        raise _error(app, "dispersive_coherence",
                         f"must be within 0..1 (exclusive), got {app.dispersive_coherence}")
    if app.dispersive_rotation != 0.0:
        raise _error(app, "dispersive_rotation", "only 0 is available: ISCE2 accepts a "
                         "rotation and never applies it (its filter is not rotated)")


# ----------------------------------------------------------------------------- sub-bands
def _bands(ctx) -> SubBands:
    """The sub-bands split_range_spectrum made (from the state)."""
    return SubBands(*ctx.state.split["bands"])


def _wavelength(ctx, band: str) -> float:
    low, high = _bands(ctx).wavelengths
    return low if band == SUB_BANDS[0] else high


def _sub_band_names(ref_path, sec_path) -> dict:
    """The file name of each date's sub-band SLC: its SLC's name (the role when both match)."""
    names = {"reference": Path(ref_path).name, "secondary": Path(sec_path).name}
    if names["reference"] == names["secondary"]:
        names = {role: f"{role}.slc" for role in names}
    return names


def split_range_spectrum(ctx):
    """Split both dates' range spectra into a low and a high sub-band."""
    if not ctx.params.do_split_spectrum:
        skipping(ctx, "do split spectrum is off")
        return
    ref, sec = slc_product(ctx, "reference"), slc_product(ctx, "secondary")
    widths = [p.range_bandwidth for p in (ref, sec)]
    if not all(widths) or not ref.range_sampling_rate:
        raise InputError(f"{ref.source.path}: range bandwidth or sampling rate unknown: the "
                         "range spectrum cannot be split (do split spectrum)")
    # the secondary image resampled is band-passed to the reference's band when they differ
    bands = subbands(min(widths), ref.center_frequency)
    images = {"reference": ref.source.path, "secondary": ctx.state.secondary_image}
    names = _sub_band_names(*images.values())
    paths = {}
    with outputs_removed_on_failure(ctx):
        for role, image in images.items():
            grid = slc_product(ctx, role).radar_grid
            outs = [RUN.sub_band_slc(band, names[role]) for band in SUB_BANDS]
            for out in outs:
                out.parent.mkdir(parents=True, exist_ok=True)
                ctx.add_output(out)
            reads(ctx, image)
            split_raster(image, outs, bands=bands, sampling_rate=ref.range_sampling_rate,
                         center_frequency=ref.center_frequency,
                         starting_range=grid.starting_range,
                         range_pixel_spacing=grid.range_pixel_spacing, progress=True)
            paths[role] = [str(o) for o in outs]
    ctx.state.split = {"bands": list(bands), "bandwidth": float(min(widths)), "slc": paths}
    ctx.log.info("sub-bands %.3f and %.3f MHz, %.3f MHz wide", bands.low / 1e6,
                 bands.high / 1e6, bands.width / 1e6)


def sub_band_resample(ctx):
    """Resample the secondary's sub-band SLCs onto the reference grid."""
    if not ctx.params.do_split_spectrum:
        skipping(ctx, "do split spectrum is off")
        return
    # the offsets the full band was resampled with (rubber sheets when on, as ISCE2)
    az_off, rg_off = resampling_offsets(ctx.params)
    for k, band in enumerate(SUB_BANDS):
        image, out = ctx.state.split["slc"]["secondary"][k], RUN.sub_band_coreg(band)
        out.parent.mkdir(parents=True, exist_ok=True)
        resample_secondary(ctx, image, az_off, rg_off, out)


def sub_band_interferogram(ctx):
    """Interferograms of the low and high sub-bands."""
    if not ctx.params.do_dispersive:
        skipping(ctx, "do dispersive is off")
        return
    ref, sec = slc_product(ctx, "reference"), slc_product(ctx, "secondary")
    az, rg = looks(ctx)
    g1, g2 = ref.radar_grid, sec.radar_grid
    for k, band in enumerate(SUB_BANDS):
        # the geometric phase at the sub-band's wavelength (the SLCs are at its baseband)
        flat = Flattening(RUN.range_offsets(), _wavelength(ctx, band),
                          (g1.starting_range, g1.range_pixel_spacing),
                          (g2.starting_range, g2.range_pixel_spacing))
        ref_sub, sec_sub = ctx.state.split["slc"]["reference"][k], RUN.sub_band_coreg(band)
        outs = [RUN.sub_band_interferogram(band, n) for n in ("topophase.flat", "topophase.cor")]
        outs[0].parent.mkdir(parents=True, exist_ok=True)
        reads(ctx, ref_sub, sec_sub, RUN.range_offsets())
        crossmul_raster(ref_sub, str(sec_sub), str(outs[0]), str(outs[1]), az_looks=az,
                        rg_looks=rg, flatten=flat, progress=True)
        for out in outs:
            ctx.add_output(out)


def _filter_band(ctx, band):
    if not ctx.params.do_dispersive:
        skipping(ctx, "do dispersive is off")
        return
    name = RUN.sub_band_interferogram
    reads(ctx, name(band, "topophase.flat"))
    filter_raster(str(name(band, "topophase.flat")), str(name(band, "filt_topophase.flat")),
                  ctx.params.filter_strength, progress=True)
    phsig_raster(str(name(band, "filt_topophase.flat")), str(name(band, "phsig.cor")),
                 progress=True)
    for out in ("filt_topophase.flat", "phsig.cor"):
        ctx.add_output(name(band, out))


def filter_low_band(ctx):
    """Filter the low sub-band interferogram."""
    _filter_band(ctx, SUB_BANDS[0])


def filter_high_band(ctx):
    """Filter the high sub-band interferogram."""
    _filter_band(ctx, SUB_BANDS[1])


def _unwrap_band(ctx, band):
    if not ctx.params.do_dispersive:
        skipping(ctx, "do dispersive is off")
        return
    az, rg = looks(ctx)
    name = RUN.sub_band_interferogram
    options = {"nlooks": float(az * rg)} if ctx.params.unwrapper.startswith("snaphu") else {}
    reads(ctx, name(band, "filt_topophase.flat"), name(band, "phsig.cor"))
    out, comp = run_unwrap(ctx.params.unwrapper, str(name(band, "filt_topophase.flat")),
                           str(name(band, "phsig.cor")), str(name(band, "filt_topophase.unw")),
                           progress=True, **options)
    ctx.add_output(out)
    ctx.add_output(comp)


def unwrap_low_band(ctx):
    """Unwrap the low sub-band interferogram."""
    _unwrap_band(ctx, SUB_BANDS[0])


def unwrap_high_band(ctx):
    """Unwrap the high sub-band interferogram."""
    _unwrap_band(ctx, SUB_BANDS[1])


# ----------------------------------------------------------------------------- ionosphere
def _read(path, band=None) -> np.ndarray:
    return np.array(isce.io.open(str(path)).read(band=band), dtype=np.float64)


def _write(ctx, name: str, data) -> None:
    """``ionosphere/<name>``: a FLOAT raster (+ sidecars) at the interferogram's looks."""
    path = RUN.ionosphere(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    isce.io.write_raster(str(path), np.asarray(data, dtype=np.float32))
    ctx.add_output(path)


def _sub_band_phases(ctx):
    """Unwrapped phases [rad], conncomps, coherences of both sub-bands (lists low, high)."""
    name = RUN.sub_band_interferogram
    phases, comps, cors = [], [], []
    for band in SUB_BANDS:
        unw = name(band, "filt_topophase.unw")
        comp = Path(conncomp_path_for(unw))
        reads(ctx, unw, name(band, "topophase.cor"), comp if comp.exists() else None)
        phases.append(_read(unw, band=1))
        comps.append(_read(comp) if comp.exists() else None)
        cors.append(_read(name(band, "topophase.cor")))
    return phases, comps, cors


def _mask(ctx, phases, comps, cors, raw_dispersive, f0, bands):
    """ISCE2's ``getMask`` (``dispersive filter mask type``): the pixels the filter trusts."""
    kind = ctx.params.dispersive_mask
    valid = (phases[0] != 0) & (phases[1] != 0) & np.isfinite(phases[0]) & np.isfinite(phases[1])
    if kind == "coherence":
        t = ctx.params.dispersive_coherence
        return valid & (cors[0] > t) & (cors[1] > t)
    if kind == "median_filter":
        az, rg = looks(ctx)
        std = iono.dispersive_sigma_at(ctx.params.dispersive_coherence, az * rg, f0,
                                       bands.low, bands.high)
        return valid & iono.median_mask(np.nan_to_num(raw_dispersive), std)
    if comps[0] is not None and comps[1] is not None:     # connected_components
        return valid & (comps[0] > 0) & (comps[1] > 0)
    return valid


def _tie_cycles(ctx, phases, mask, f0, bands):
    """Both sub-band unwraps moved by whole cycles to the full band's unwrapped phase scaled
    to their frequency (the high band to the low band's when the full band is not
    unwrapped): a cycle between the bands would be ~34 rad of dispersive phase (ALOS)."""
    full = RUN.filt_topophase_unw
    if full.exists():
        reads(ctx, full)
        phi0 = _read(full, band=1)
        if phi0.shape == phases[0].shape:
            for k, f in enumerate((bands.low, bands.high)):
                phases[k] = phases[k] + iono.align_cycles(phases[k], phi0 * f / f0, mask)
            return "the full band"
    phases[1] = phases[1] + iono.align_cycles(phases[1], phases[0] * bands.high / bands.low, mask)
    return "the low band"


def _filtered(ctx, data, sigma, mask, kernel):
    p = ctx.params
    return iono.iterative_filter(data, sigma, mask, kernel, p.dispersive_iterations,
                                 p.dispersive_filling)


def ionosphere(ctx):
    """Separate the dispersive (ionospheric) and non-dispersive phases."""
    p = ctx.params
    if not p.do_dispersive:
        skipping(ctx, "do dispersive is off")
        return
    ref = slc_product(ctx, "reference")
    f0, bands = float(ref.center_frequency), _bands(ctx)
    fL, fH = bands.low, bands.high
    az, rg = looks(ctx)
    phases, comps, cors = _sub_band_phases(ctx)
    raw_d, raw_n = iono.separate(phases[0], phases[1], f0, fL, fH)
    mask = _mask(ctx, phases, comps, cors, raw_d, f0, bands)
    if not mask.any():
        raise InputError("ionosphere: no pixel of the sub-band interferograms is trusted "
                         f"(mask type {p.dispersive_mask}): nothing to estimate")
    tied = _tie_cycles(ctx, phases, mask, f0, bands)
    raw_d, raw_n = iono.separate(phases[0], phases[1], f0, fL, fH)
    sig_d, sig_n = iono.separation_sigma(iono.phase_sigma(cors[0], az * rg),
                                         iono.phase_sigma(cors[1], az * rg), f0, fL, fH)
    kernel = iono.gaussian_kernel(p.dispersive_kernel_x, p.dispersive_kernel_y,
                                  p.dispersive_sigma_x, p.dispersive_sigma_y)
    with outputs_removed_on_failure(ctx):
        for name, data in (("dispersive.bil", raw_d), ("nondispersive.bil", raw_n),
                           ("dispersive.bil.sig", sig_d), ("nondispersive.bil.sig", sig_n),
                           ("mask.bil", mask)):
            _write(ctx, name, data)
        filt_d, _ = _filtered(ctx, raw_d, sig_d, mask, kernel)
        filt_n, _ = _filtered(ctx, raw_n, sig_n, mask, kernel)
        common, diff = iono.integer_jumps(phases[0], phases[1], filt_n, filt_d, f0,
                                          ctx.state.split["bandwidth"])
        cor_d, cor_n = iono.separate(phases[0], phases[1], f0, fL, fH, common, diff)
        final_d, final_sig_d = _filtered(ctx, cor_d, sig_d, mask, kernel)
        final_n, final_sig_n = _filtered(ctx, cor_n, sig_n, mask, kernel)
        for name, data in (("dispersive.bil.filt", filt_d), ("nondispersive.bil.filt", filt_n),
                           ("dJumps.bil", diff), ("mJumps.bil", common),
                           ("dispersive.bil.unwCor", cor_d), ("nondispersive.bil.unwCor", cor_n),
                           ("dispersive.bil.unwCor.filt", final_d),
                           ("nondispersive.bil.unwCor.filt", final_n),
                           ("dispersive.bil.sig.filt", final_sig_d),
                           ("nondispersive.bil.sig.filt", final_sig_n)):
            _write(ctx, name, data)
    jumps = int(np.count_nonzero(((common != 0) | (diff != 0)) & mask))
    ctx.state.ionosphere = {"dispersive_mean_rad": float(np.nanmean(final_d[mask])),
                            "dispersive_std_rad": float(np.nanstd(final_d[mask])),
                            "mask_fraction": float(mask.mean()),
                            "unwrapping_jumps_fixed": jumps, "cycles_tied_to": tied}
    ctx.log.info("ionosphere: dispersive phase mean %.2f rad, std %.2f rad over %.1f %% of the "
                 "pixels; %d pixels with sub-band cycle jumps fixed; sub-bands tied to %s",
                 ctx.state.ionosphere["dispersive_mean_rad"],
                 ctx.state.ionosphere["dispersive_std_rad"], 100 * mask.mean(), jumps, tied)


def _step(func, uses) -> Step:
    return Step(func.__name__, func, func.__doc__.splitlines()[0], uses=uses)


FILTERED = (*SPLIT, "filter strength")
UNWRAPPED = (*SPLIT, "unwrapper name", *LOOKS)
#: the stages this module defines, by ISCE2 step name
STEPS = {s.name: s for s in (
    _step(split_range_spectrum, SPLIT), _step(sub_band_resample, (*SPLIT, *RUBBER)),
    _step(sub_band_interferogram, (*SPLIT, *LOOKS)), _step(filter_low_band, FILTERED),
    _step(filter_high_band, FILTERED), _step(unwrap_low_band, UNWRAPPED),
    _step(unwrap_high_band, UNWRAPPED), _step(ionosphere, (*SPLIT, *FILTER, *LOOKS, "do unwrap", "unwrapper name")))}
