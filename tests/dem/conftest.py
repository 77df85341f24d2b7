"""Fixtures of the isce.dem tests (test modules are imported in importlib mode and cannot
import each other): the EGM96 models, a synthetic geoid (real data: tests/conftest.py)."""
import numpy as np
import pytest


@pytest.fixture(scope="session")
def gtx_grid(shared_data):
    """The real test data's geoid/egm96_15.gtx as a GeoidGrid."""
    from isce.dem.geoid import read_gtx

    return read_gtx(shared_data("geoid", "egm96_15.gtx"))


@pytest.fixture(scope="session")
def packaged_grid():
    """NGA's EGM96 15' grid shipped inside isce as package data (missing is a failure)."""
    from isce.dem.geoid import GeoidUnavailable, packaged_geoid

    try:
        return packaged_geoid()
    except GeoidUnavailable as exc:
        pytest.fail(f"isce ships NGA's EGM96 grid (isce/dem/data/egm96_15.gtx.xz) but it is "
                    f"not usable: {exc}")


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
    """The default EGM96 model if this machine has one, else a synthetic grid (the conversion
    logic is tested whichever is there)."""
    from isce.dem.geoid import GeoidUnavailable, default_geoid

    try:
        return default_geoid()
    except GeoidUnavailable:
        return _synthetic_geoid()
