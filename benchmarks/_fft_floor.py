"""How the benchmarks plan their FFT floors (DESIGN §8): like the focuser's best plans, FFTW
MEASURE with the saved wisdom, whatever planner the measured code itself runs with.

isce.focus.fft reads ``$ISCE_FFTW_PLANNER`` when a transform is planned, so a floor planned
inside :func:`floor_planning` (or in a child process given :func:`floor_env`) gets MEASURE
plans; :func:`planner_info` says what was used, for the results JSON.
"""
from __future__ import annotations

import contextlib
import os

#: the floor's FFTW planner: MEASURE (ESTIMATE plans run 6-7x slower on the big transforms)
FLOOR_PLANNER = "measure"
PLANNER_VARIABLE = "ISCE_FFTW_PLANNER"


@contextlib.contextmanager
def floor_planning(planner: str = FLOOR_PLANNER):
    """Transforms planned inside this block use ``planner`` (restored afterwards)."""
    old = os.environ.get(PLANNER_VARIABLE)
    os.environ[PLANNER_VARIABLE] = planner
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(PLANNER_VARIABLE, None)
        else:
            os.environ[PLANNER_VARIABLE] = old


def floor_env(env: dict, planner: str = FLOOR_PLANNER) -> dict:
    """A copy of ``env`` for a child process that plans the floor with ``planner``."""
    return dict(env, **{PLANNER_VARIABLE: planner})


def planner_info() -> dict:
    """Backend, FFTW planner flag (in force now), threads and wisdom file of isce.focus.fft."""
    from isce.focus import fft

    fftw = fft.backend() != "scipy"
    return {"backend": fft.backend(), "threads": fft.threads(),
            "planner": fft.planner_effort() if fftw else "none (scipy.fft plans nothing)",
            "wisdom": fft.wisdom_path() if fftw else None,
            "planning_timelimit_s": os.environ.get("ISCE_FFTW_TIMELIMIT") or "library default"}
