"""Where the shared test data live (skip when absent)."""
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def ree_folder() -> Path:
    folder = SHARED / "ree_point_target"
    if not (folder / "REE_L0B_out17.rdf").exists():
        pytest.skip(f"REE point-target data not found at {folder} (../shared/data)")
    return folder
