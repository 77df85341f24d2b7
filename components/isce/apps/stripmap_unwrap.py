"""Two-stage unwrapping (ISCE2 insarApp's ``unwrap2stage``, ``contrib/UnwrapComp``): the
connected components of the unwrapped phase are tied together by one integer number of
cycles each, solved over a triangulation of the points where components meet
(:mod:`isce.unwrap.twostage`). Off by default (``do unwrap 2 stage``). Reads
``interferogram/filt_topophase.unw`` and its ``.conncomp``, writes
``interferogram/filt_topophase_2stage.unw`` (same layout). ISCE2's stripmapApp declares
these settings but never runs the step; insarApp/topsApp do.
"""
from __future__ import annotations

from isce.framework import Parameter, Step
from isce.unwrap._common import conncomp_path_for
from isce.unwrap.twostage import SOLVERS
from isce.unwrap.twostage import unwrap_raster as tie_components

from .insar_common import RUN, reads, skipping

PARAMETERS = (
    Parameter("do_unwrap_2stage", public_name="do unwrap 2 stage", type=bool, default=False,
              doc="Tie the unwrapped components together (ISCE2's two-stage unwrapping)."),
    Parameter("unwrapper_2stage", public_name="unwrapper 2stage name", type=str,
              default="REDARC0", choices=("MCF", "REDARC0", "REDARC1", "REDARC2"),
              doc="Two-stage solver: MCF, or a linear programme with 0, 1 or 2 levels of "
              "redundant arcs (REDARC0..2)."),
    Parameter("solver_2stage", public_name="SOLVER_2STAGE", type=str, default="pulp",
              choices=SOLVERS,
              doc="ISCE2's LP solver for REDARC (pulp, glpk, gurobi): the same linear "
              "programme is solved here by SciPy's HiGHS (MCF ignores it, as in ISCE2)."),
)


def unwrap2stage(ctx):
    """Tie the connected components of the unwrapped phase together."""
    p = ctx.params
    if not p.do_unwrap:
        skipping(ctx, "do unwrap is off")
        return
    if not p.do_unwrap_2stage:
        skipping(ctx, "do unwrap 2 stage is off")
        return
    if p.unwrapper_2stage != "MCF":
        ctx.log.info("unwrap2stage: %s: the linear programme is solved by SciPy's HiGHS "
                     "(ISCE2's SOLVER_2STAGE %s)", p.unwrapper_2stage, p.solver_2stage)
    unw, comp = RUN.filt_topophase_unw, conncomp_path_for(RUN.filt_topophase_unw)
    reads(ctx, unw, comp)
    out = tie_components(str(unw), comp, str(RUN.filt_topophase_2stage_unw),
                         p.unwrapper_2stage)
    ctx.add_output(out)
    ctx.log.info("unwrap2stage: %s", out)


#: the stages this module defines, by ISCE2 step name
STEPS = {"unwrap2stage": Step("unwrap2stage", unwrap2stage, unwrap2stage.__doc__.splitlines()[0],
                              uses=("do unwrap", "do unwrap 2 stage", "unwrapper 2stage name",
                                    "SOLVER_2STAGE"))}
