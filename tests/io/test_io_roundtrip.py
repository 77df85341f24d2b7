"""Write with isce.io.create, read back with isce.io.open: every data type x scheme x 1/3 bands."""
import os
import zlib

import numpy as np
import pytest

import isce.io
from io_helpers import DTYPES, SCHEMES, random_data

WIDTH, LENGTH = 37, 23


@pytest.mark.parametrize("bands", [1, 3])
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(DTYPES))
def test_round_trip(tmp_path, name, scheme, bands):
    dtype = DTYPES[name]
    shape = (LENGTH, WIDTH) if bands == 1 else (bands, LENGTH, WIDTH)
    truth = random_data(dtype, shape, seed=zlib.crc32(f"{name}{scheme}{bands}".encode()))
    path = tmp_path / f"x_{name}_{scheme}_{bands}.rdr"

    with isce.io.create(path, WIDTH, LENGTH, dtype, bands=bands, scheme=scheme, image_type="test") as ds:
        assert not path.exists()                       # nothing visible while writing
        for rows in isce.io.iter_blocks(LENGTH, 5):
            ds[rows] = truth[rows] if bands == 1 else truth[:, rows]
    assert path.stat().st_size == WIDTH * LENGTH * bands * np.dtype(dtype).itemsize

    with isce.io.open(path) as r:
        assert (r.width, r.length, r.bands) == (WIDTH, LENGTH, bands)
        assert r.dtype == np.dtype(dtype)
        assert r.data_type == name
        assert r.scheme == scheme
        assert r.image_type == "test"
        assert r.geo is None
        assert r.shape == shape
        assert isinstance(r.data, np.memmap)
        np.testing.assert_array_equal(r.data, truth)
        np.testing.assert_array_equal(r.read(), truth)
        for b in range(bands):
            expect = truth if bands == 1 else truth[b]
            np.testing.assert_array_equal(r.read(band=b), expect)
            np.testing.assert_array_equal(r.read(band=b, rows=slice(3, 9)), expect[3:9])
            np.testing.assert_array_equal(r.band(b)[7], expect[7])
        with pytest.raises(ValueError):                # read-only map
            r.data[0, 0] = 0


@pytest.mark.parametrize("scheme", SCHEMES)
def test_file_layout_follows_scheme(tmp_path, scheme):
    """The bytes on disk are interleaved as the scheme says (checked against plain numpy)."""
    truth = random_data(np.float32, (2, 4, 5))
    path = tmp_path / "x.bin"
    isce.io.write(path, truth, scheme=scheme)
    raw = np.fromfile(path, dtype="<f4")
    native = {"BIP": truth.transpose(1, 2, 0), "BIL": truth.transpose(1, 0, 2), "BSQ": truth}[scheme]
    np.testing.assert_array_equal(raw, native.ravel())


def test_write_per_band_and_isce_names(tmp_path):
    path = tmp_path / "amp.bil"
    a, b = random_data(np.float32, (6, 4), 1), random_data(np.float32, (6, 4), 2)
    with isce.io.create(path, 4, 6, "FLOAT", bands=2, scheme="bil", image_type="unw") as ds:
        ds.write(a, band=0)
        ds.band(1)[:] = b
    r = isce.io.open(path)
    assert r.scheme == "BIL" and r.data_type == "FLOAT"
    np.testing.assert_array_equal(r.read(band=0), a)
    np.testing.assert_array_equal(r.read(band=1), b)


def test_lossy_cast_is_refused(tmp_path):
    with pytest.raises(TypeError, match="cast it first"):
        with isce.io.create(tmp_path / "dem.rdr", 3, 2, np.int16) as ds:
            ds[:] = np.full((2, 3), 1.5)
    with pytest.raises(TypeError):
        with isce.io.create(tmp_path / "amp.rdr", 3, 2, np.float32) as ds:
            ds[:] = np.ones((2, 3), np.complex64)
    assert os.listdir(tmp_path) == []


def test_open_via_any_sidecar_name(tmp_path):
    path = tmp_path / "x.slc"
    truth = random_data(np.complex64, (4, 6))
    isce.io.write(path, truth, image_type="slc")
    for name in ("x.slc", "x.slc.xml", "x.slc.vrt", "x.slc.hdr"):
        r = isce.io.open(tmp_path / name)
        assert r.path == str(path)
        np.testing.assert_array_equal(r.data, truth)


def test_update_in_place(tmp_path):
    path = tmp_path / "x.rdr"
    isce.io.write(path, np.zeros((3, 4), np.float32))
    with isce.io.open(path, mode="r+") as r:
        r.data[1] = 7
    np.testing.assert_array_equal(isce.io.open(path).read(rows=1), np.full(4, 7, np.float32))


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="scheme"):
        isce.io.create(tmp_path / "x", 3, 3, "FLOAT", scheme="XYZ")
    with pytest.raises(ValueError, match="width"):
        isce.io.create(tmp_path / "x", 0, 3, "FLOAT")
    with pytest.raises(ValueError, match="no ISCE name"):
        isce.io.create(tmp_path / "x", 3, 3, np.uint16)
    with pytest.raises(IndexError, match="band 2 out of range"):
        with isce.io.create(tmp_path / "x", 3, 3, "FLOAT", bands=2) as ds:
            ds.band(2)
    assert os.listdir(tmp_path) == []
