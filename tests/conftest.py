"""Shared test fixtures: where the real data lives, and a clean working directory.

Real test data are found ONLY here: ``$ISCE_TEST_DATA`` when set, else ``../shared/data``
beside the repository. A test that needs a missing file skips, naming the path, unless
``ISCE_REQUIRE_DATA=1`` (set by CI: ``.ci/run``), when it fails instead.
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def data_root() -> Path:
    """The folder of the real test data: ``$ISCE_TEST_DATA`` or ``../shared/data``."""
    env = os.environ.get("ISCE_TEST_DATA", "").strip()
    return Path(env).resolve() if env else REPO.parent / "shared" / "data"


def data_required() -> bool:
    """True when missing test data must fail the test (``ISCE_REQUIRE_DATA`` set, not 0)."""
    return os.environ.get("ISCE_REQUIRE_DATA", "").strip() not in ("", "0")


def data_path(*parts) -> Path:
    """Path of a real test data file or folder under :func:`data_root`; a missing one skips
    the test with its path, or fails it under ``ISCE_REQUIRE_DATA=1``."""
    path = data_root().joinpath(*parts)
    if not path.exists():
        where = "$ISCE_TEST_DATA" if os.environ.get("ISCE_TEST_DATA", "").strip() \
            else "../shared/data beside the repository"
        message = f"real test data not found at {path} ({where})"
        if data_required():
            pytest.fail(f"{message}; ISCE_REQUIRE_DATA is set, so missing data is an error",
                        pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_data():
    """``shared_data(*parts)``: a path under the real test data (see :func:`data_path`)."""
    return data_path


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working directory with no $ISCEDB, so only the test's files count."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    return tmp_path


def mintpy_python_path() -> Path | None:
    """The Python of the MintPy client environment: ``$ISCE_MINTPY_PYTHON``, else
    ``.venv-mintpy`` beside the sources (``make test`` creates it: setup/mintpy_env.py)."""
    env = os.environ.get("ISCE_MINTPY_PYTHON", "").strip()
    path = Path(env) if env else REPO / ".venv-mintpy" / "bin" / "python"
    return path if path.exists() else None


@pytest.fixture(scope="session")
def mintpy_python():
    """Path of a Python with MintPy (and without isce or ISCE2); a missing one skips the
    test, or fails it under ``ISCE_REQUIRE_DATA=1`` as missing real data does."""
    path = mintpy_python_path()
    if path is None:
        message = ("MintPy client not found: run `make mintpy-env` (creates .venv-mintpy) "
                   "or set ISCE_MINTPY_PYTHON")
        if data_required():
            pytest.fail(f"{message}; ISCE_REQUIRE_DATA is set, so it is an error", pytrace=False)
        pytest.skip(message)
    return path
