"""Fixtures of the application tests."""
import pytest
from small_slcs import make_slc


@pytest.fixture(scope="module")
def slcs(tmp_path_factory):
    """A reference and a secondary small focused date (``small_slcs.make_slc``)."""
    folder = tmp_path_factory.mktemp("slcs")
    return make_slc(folder, "ref", 1), make_slc(folder, "sec", 2)
