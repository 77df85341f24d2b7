"""isce.signal's block readers (RowReader, Lines; the unwrappers' Source) on isce.io rasters:
read through the file (Raster.read_rows), never the map, the very samples the map holds,
in every layout, as fresh C-contiguous copies the caller may change."""
import numpy as np
import pytest

import isce.io
from isce.signal._arrays import RowReader
from isce.signal._lines import Lines
from isce.unwrap._common import Source

LENGTH, WIDTH = 29, 17
ROWS = (slice(0, 10), slice(20, 40), slice(-5, None), slice(5, 2), slice(28, 29),
        slice(-40, 3), slice(None), slice(1, None, 3))


@pytest.fixture(params=[(1, "BIP", "CFLOAT"), (2, "BIL", "FLOAT"), (3, "BIP", "CFLOAT"),
                        (2, "BIL", "SHORT"), (1, "BIL", "BYTE")],
                ids=lambda p: "-".join(map(str, p)))
def raster(request, tmp_path):
    bands, scheme, dtype = request.param
    npdt = {"CFLOAT": np.complex64, "FLOAT": np.float32, "SHORT": np.int16, "BYTE": np.uint8}[dtype]
    rng = np.random.default_rng(7)
    shape = (LENGTH, WIDTH) if bands == 1 else (bands, LENGTH, WIDTH)
    data = rng.standard_normal(shape) * 40
    if npdt is np.complex64:
        data = data + 1j * rng.standard_normal(shape)
    path = tmp_path / f"image.{dtype.lower()}"
    with isce.io.create(path, WIDTH, LENGTH, dtype, bands=bands, scheme=scheme) as w:
        w.write(data.astype(npdt))
    return str(path), bands


def test_blocks_are_the_map_s_samples_as_fresh_copies(raster):
    path, bands = raster
    the_map = isce.io.open(path)
    for band in range(bands):
        reader = RowReader(path, band=band)
        assert reader.copies and reader.shape == (LENGTH, WIDTH)
        for rows in ROWS:
            expected = np.array(the_map.read(band if bands > 1 else None, rows))
            got = reader[rows]
            assert got.dtype == expected.dtype and np.array_equal(got, expected), (band, rows)
            assert not isinstance(got, np.memmap) and got.flags.c_contiguous
            assert got.flags.writeable
            if got.size:
                got[...] = 1                        # the caller's: changing it changes
                assert np.array_equal(reader[rows], expected)   # neither file nor next read


def test_nothing_is_mapped(raster, monkeypatch):
    """Lines and the unwrappers' Source read an isce.io raster through the file only."""
    path, bands = raster

    def no_map(self):
        raise AssertionError(f"{self.path} was memory-mapped")

    monkeypatch.setattr(isce.io.Raster, "memmap", property(no_map))
    lines = Lines(path, "image")
    block = lines(slice(3, 11))
    assert block.shape == (8, WIDTH) and block.flags.c_contiguous
    src = Source(path, "image", band=bands - 1)
    assert src[slice(0, 4), slice(2, 5)].shape == (4, 3)
    assert np.array_equal(src[slice(3, 11)], RowReader(path, band=bands - 1)[slice(3, 11)])


def test_arrays_are_read_as_views_and_copied_by_lines():
    data = np.arange(LENGTH * WIDTH, dtype=np.float32).reshape(LENGTH, WIDTH)
    reader = RowReader(data)
    assert not reader.copies and np.shares_memory(reader[slice(2, 5)], data)
    block = Lines(data)(slice(2, 5))
    assert not np.shares_memory(block, data) and np.array_equal(block, data[2:5])
