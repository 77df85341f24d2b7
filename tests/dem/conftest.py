"""Fixtures of the isce.dem tests (test modules are imported in importlib mode and cannot
import each other): the shared data folder, the EGM96 models, a synthetic geoid."""
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _need(*parts) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real test data not found at {path} (../shared/data beside the repository)")
    return path


@pytest.fixture(scope="session")
def shared_data():
    """``shared_data(*parts)``: a path under ../shared/data, skipping when it is absent."""
    return _need


@pytest.fixture(scope="session")
def gtx_grid():
    """../shared/data/geoid/egm96_15.gtx as a GeoidGrid."""
    from isce.dem.geoid import read_gtx

    return read_gtx(_need("geoid", "egm96_15.gtx"))


@pytest.fixture(scope="session")
def packaged_grid():
    """NGA's EGM96 15' grid shipped inside isce as package data (missing is a failure)."""
    from isce.dem.geoid import GeoidUnavailable, packaged_geoid

    try:
        return packaged_geoid()
    except GeoidUnavailable as exc:
        pytest.fail(f"isce ships NGA's EGM96 grid (isce/dem/data/egm96_15.gtx.xz) but it is "
                    f"not usable: {exc}")


@pytest.fixture(scope="session")
def egm96_pkg():
    """The PyPI egm96 package (>= 0.2) as a geoid, or skip saying why it is unusable.

    It is optional (not a dependency): its releases with data declare Python >= 3.12 and
    numpy >= 2.5.1, so a plain pip install on Python 3.10/3.11 cannot have it.
    """
    import sys

    from isce.dem.geoid import Egm96Package, GeoidUnavailable

    try:
        return Egm96Package()
    except GeoidUnavailable as exc:
        pytest.skip(f"optional egm96 package not usable here: {exc}. It is no dependency of isce: "
                    f"its releases with the EGM96 grid (0.2, 0.3) need Python >= 3.12 and numpy >= "
                    f"2.5.1, this is Python {sys.version.split()[0]}; the default EGM96 grid "
                    f"(isce's packaged one) is tested without it")


def _synthetic_geoid():
    from isce.dem.geoid import GeoidGrid

    lat = np.arange(-90.0, 90.0 + 0.5, 1.0)
    lon = np.arange(-180.0, 180.0, 1.0)
    la, lo = np.radians(lat)[:, None], np.radians(lon)[None, :]
    n = 30 * np.cos(2 * la) * np.sin(lo) + 15 * np.sin(3 * la + lo) - 10
    return GeoidGrid(-90.0, -180.0, 1.0, 1.0, n.astype(np.float32), name="synthetic")


@pytest.fixture(scope="session")
def synthetic_geoid():
    """A smooth global 1-degree grid (tens of metres, like the geoid), for logic tests."""
    return _synthetic_geoid()


@pytest.fixture(scope="session")
def geoid_model():
    """The default EGM96 model if this machine has one, else the shared GTX, else a synthetic grid
    (the conversion logic is tested whichever is there)."""
    from isce.dem.geoid import GeoidUnavailable, default_geoid, read_gtx

    try:
        return default_geoid()
    except GeoidUnavailable:
        pass
    gtx = DATA / "geoid" / "egm96_15.gtx"
    if gtx.exists():
        return read_gtx(gtx)
    return _synthetic_geoid()
