"""What insarApp's steps share, in every module that defines some of them
(``insar.py`` and the optional stripmapApp stages ``stripmap_*.py``): the run folder's
names, the products in the state, the looks, and the bookkeeping of what a step reads.

Kept apart from ``insar.py`` so that the optional stages can use it without importing
the application (which imports them).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from isce.io.atomic import remove_quietly
from isce.io.layout import MintPyView, StripmapLayout
from isce.io.sidecars import remove_sidecars
from isce.sensors import SlcProduct
from isce.signal.resample import resample_slc

from . import insar_settings

#: the run folder's product names (ISCE2 StripmapProc's), relative to the working directory
RUN = StripmapLayout()
#: ISCE2 stripmapStack's view of the pair, for MintPy (Igrams/, geom_reference/, baselines/)
VIEW = MintPyView()
#: the settings that set the looks (posting sets those not given)
LOOKS = ("range looks", "azimuth looks", "posting")
NO_DEM_POSTING = 0.0005     # deg: the geocoded grid's spacing without a DEM (else the DEM's)


def slc_product(ctx, role):
    """The ``reference``/``secondary`` SLC product the state holds (as focused or read)."""
    return SlcProduct.from_dict(ctx.state.slc[role])


def looks(ctx):
    """(azimuth, range) looks: as set, or from ``posting`` [m] on the focused reference scene
    (the steps that ask come after formslc)."""
    return insar_settings.effective_looks(ctx.params, slc_product(ctx, "reference"))


def geocode_posting(ctx):
    """The geocoded grid's spacing [deg]: ``geocode posting`` (dx, or (dx, dy)); None for the
    DEM's own; :data:`NO_DEM_POSTING` without a DEM."""
    posting = ctx.params.geo_posting
    if posting is None:
        return None if ctx.state.dem else NO_DEM_POSTING
    return posting[0] if len(posting) == 1 else tuple(posting)


def resample_secondary(ctx, image, az_off, rg_off, output, *, corrections=(None, None),
                       offsets_output=None) -> None:
    """Resample the secondary ``image`` (its full band, or a sub-band) onto the reference grid
    with the ``az_off``/``rg_off`` offset rasters [px] into ``output``, recording both.
    ``corrections``: (azimuth, range) callables ``f(lines, pixels)`` [px] added to the offsets
    block by block (the misregistration polynomials' ``on_grid``); ``offsets_output``:
    (azimuth, range) paths where the corrected offsets are also written, for later stages."""
    sec = slc_product(ctx, "secondary")
    reads(ctx, image, az_off, rg_off)
    resample_slc(str(image), str(rg_off), str(az_off), str(output),
                 doppler=None if sec.is_zero_doppler else sec.doppler, grid=sec.radar_grid,
                 az_correction=corrections[0], rg_correction=corrections[1],
                 offsets_output=offsets_output and tuple(str(p) for p in offsets_output),
                 progress=True)
    ctx.add_output(output)
    for path in offsets_output or ():
        ctx.add_output(path)


def reads(ctx, *paths) -> None:
    """Record files a step reads (None skipped): resuming refuses once one changed."""
    for path in paths:
        if path:
            ctx.add_input(str(path))


def remove_product(path) -> None:
    """Remove a raster, its sidecars (ISCE XML first) and its metadata JSON."""
    remove_sidecars(path)
    remove_quietly(str(path))
    remove_quietly(f"{path}.json")


@contextmanager
def outputs_removed_on_failure(ctx):
    """A step that fails (bad input found mid-way) leaves none of its products behind:
    a whole first SLC beside a failed second one would look like a finished step."""
    try:
        yield
    except Exception:
        for path in ctx.outputs:
            if Path(path).exists() or any(Path(f"{path}{s}").exists() for s in (".xml", ".vrt", ".hdr")):
                remove_product(path)
                ctx.log.info("removed %s: step %r did not finish", path, ctx.step.name)
        raise


def skipping(ctx, why: str) -> None:
    """Log that an optional stage is off (ISCE2 prints "... skipping"); it writes nothing."""
    ctx.log.info("%s: %s: skipping", ctx.step.name, why)
