"""``crossmul.py``: interferogram and coherence of two coregistered SLCs."""
from __future__ import annotations

from pathlib import Path

from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.signal.coherence import mean_coherence
from isce.signal.crossmul import crossmul_raster

from .products import PRODUCT_SELECTION, open_image

MAX_OVERSAMPLE = 8   # range oversampling of crossmul: 2 suffices, 8 is generous


def interferogram(ctx):
    """Cross-multiply with range oversampling, take looks, estimate coherence."""
    p = ctx.params
    ref = open_image(p.reference, p.polarization, p.frequency)
    sec = open_image(p.secondary, p.polarization, p.frequency)
    for path in (p.reference, p.secondary):
        ctx.add_input(path)
    out = Path(p.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    ifg, coh = out / "topophase.flat", out / "topophase.cor"
    try:
        crossmul_raster(ref, sec, ifg, coh, az_looks=p.azimuth_looks, rg_looks=p.range_looks,
                        oversample=p.oversample, progress=True)
    except ValueError as exc:  # e.g. images of different sizes
        raise InputError(f"{p.reference} x {p.secondary}: {exc}") from None
    for path in (ifg, coh):
        ctx.add_output(path)
    ctx.state.interferogram, ctx.state.coherence = str(ifg), str(coh)
    ctx.log.info("wrote %s and %s", ifg, coh)


def report(ctx):
    """Log the mean coherence of the result over the pixels with data (as insarApp does)."""
    ctx.state.mean_coherence, valid = mean_coherence(ctx.state.coherence)
    ctx.log.info("mean coherence %.4f over %.1f %% of the pixels (the others have no data)",
                 ctx.state.mean_coherence, 100 * valid)


class Crossmul(Application):
    """Form the interferogram and coherence of two coregistered SLCs.

    Each SLC may be an ISCE raster (e.g. coregisteredSlc/coarse_coreg.slc) or a
    product (.h5 RSLC, product .json). Writes topophase.flat (complex) and
    topophase.cor (coherence) in the output directory.
    """

    family = "crossmul"
    parameters = (
        Parameter("reference", type="path", mandatory=True, doc="Reference SLC (raster or product)."),
        Parameter("secondary", type="path", mandatory=True, doc="Coregistered secondary SLC."),
        Parameter("range_looks", public_name="range looks", type=int, default=1, units="pixels",
                  doc="Looks in range."),
        Parameter("azimuth_looks", public_name="azimuth looks", type=int, default=1, units="lines",
                  doc="Looks in azimuth."),
        Parameter("oversample", type=int, default=2,
                  doc=f"Range oversampling before multiplying, 1..{MAX_OVERSAMPLE} (2 keeps the "
                      "product of two band-limited lines free of aliasing; more only costs memory)."),
        Parameter("output_dir", public_name="output directory", type="path", default="interferogram",
                  intent="output",
                  doc="Folder for topophase.flat and topophase.cor."),
        *PRODUCT_SELECTION,
    )
    steps = (
        Step("interferogram", interferogram, interferogram.__doc__),
        Step("report", report, report.__doc__, uses=()),
    )

    def validate(self):
        for attr in ("range_looks", "azimuth_looks", "oversample"):
            value = getattr(self, attr)
            if value < 1:
                name = self.parameter(attr).public_name
                raise ConfigurationError(f"must be at least 1, got {value}",
                                         source=self.source_of(attr), path=f"{self.config_path}.{name}")
        if self.oversample > MAX_OVERSAMPLE:
            raise ConfigurationError(f"must be at most {MAX_OVERSAMPLE}, got {self.oversample}: 2 "
                                     "already avoids aliasing, more only multiplies the memory",
                                     source=self.source_of("oversample"),
                                     path=f"{self.config_path}.oversample")
