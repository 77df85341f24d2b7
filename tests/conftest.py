"""Shared test fixtures: where the real data lives, and a clean working directory."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory with no $ISCEDB, so only the test's files count."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    return tmp_path


def shared_data(*parts) -> Path:
    """Path under ../shared/data, skipping the test with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real test data not found at {path} (../shared/data beside the repository)")
    return path
