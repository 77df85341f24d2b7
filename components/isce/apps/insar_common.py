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

from . import insar_settings

#: the run folder's product names (ISCE2 StripmapProc's), relative to the working directory
RUN = StripmapLayout()
#: ISCE2 stripmapStack's view of the pair, for MintPy (Igrams/, geom_reference/, baselines/)
VIEW = MintPyView()


def slc_product(ctx, role):
    """The ``reference``/``secondary`` SLC product the state holds (as focused or read)."""
    return SlcProduct.from_dict(ctx.state.slc[role])


def looks(ctx):
    """(azimuth, range) looks: as set, or from ``posting`` [m] on the focused reference scene
    (the steps that ask come after formslc)."""
    return insar_settings.effective_looks(ctx.params, slc_product(ctx, "reference"))


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
