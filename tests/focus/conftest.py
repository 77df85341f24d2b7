"""Focusing tests: helpers on the path, FFTW planning kept cheap and away from ~/.cache.

The tests check accuracy, not speed: FFTW plans are made with ESTIMATE (MEASURE
planning of every new size would cost seconds each) and any wisdom goes to a
temporary file. ``test_focus_fft.py`` exercises MEASURE and the wisdom file itself.
"""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session", autouse=True)
def _cheap_fftw_planning(tmp_path_factory):
    saved = {k: os.environ.get(k) for k in ("ISCE_FFTW_PLANNER", "ISCE_FFTW_WISDOM")}
    os.environ["ISCE_FFTW_PLANNER"] = "estimate"
    os.environ["ISCE_FFTW_WISDOM"] = str(tmp_path_factory.mktemp("fftw") / "wisdom")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
