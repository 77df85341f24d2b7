"""Fixtures of the isce.offsets tests; the generators live in offsets_synth.py."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from offsets_synth import shifted_pair  # noqa: E402


@pytest.fixture(scope="session")
def shift_pair():
    """1024 x 1024 speckle pair shifted by 0.3 line / 0.2 pixel, bandwidth 0.8."""
    return shifted_pair((1024, 1024), 0.3, 0.2)
