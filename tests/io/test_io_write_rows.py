"""RasterWriter.write_rows (pwrite, no memory map) stores exactly what write() does."""
import numpy as np
import pytest

import isce.io


@pytest.mark.parametrize("bands, scheme, dtype", [(1, "BIP", "DOUBLE"), (2, "BIL", "FLOAT"),
                                                  (3, "BIL", "CFLOAT"), (2, "BIP", "FLOAT")])
def test_write_rows_equals_write(tmp_path, bands, scheme, dtype):
    rng = np.random.default_rng(1)
    length, width = 37, 23
    shape = (length, width) if bands == 1 else (bands, length, width)
    data = rng.standard_normal(shape)
    if dtype == "CFLOAT":
        data = data + 1j * rng.standard_normal(shape)
    paths = []
    for how in ("write", "write_rows"):
        path = tmp_path / f"{how}.rdr"
        with isce.io.create(path, width, length, dtype, bands=bands, scheme=scheme) as w:
            for start in range(0, length, 10):        # blocks, out of order too
                rows = slice(start, min(start + 10, length))
                block = data[rows] if bands == 1 else data[:, rows]
                getattr(w, how)(block, rows)
        paths.append(path)
    a, b = (np.array(isce.io.open(p).read()) for p in paths)
    assert np.array_equal(a, b)
    assert np.allclose(a, data.astype(a.dtype))
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_write_rows_refuses_lossy_types(tmp_path):
    with isce.io.create(tmp_path / "x.rdr", 4, 3, "FLOAT") as w:
        with pytest.raises(TypeError):
            w.write_rows(np.ones((3, 4), complex), slice(0, 3))
        w.write_rows(np.ones((3, 4)), slice(0, 3))


@pytest.mark.parametrize("bands, scheme, dtype", [(1, "BIP", "DOUBLE"), (2, "BIL", "FLOAT"),
                                                  (3, "BIP", "CFLOAT"), (2, "BSQ", "FLOAT")])
def test_read_rows_equals_the_map(tmp_path, bands, scheme, dtype):
    """Raster.read_rows (pread, no memory map) returns what read() views, as a copy."""
    rng = np.random.default_rng(2)
    length, width = 29, 17
    shape = (length, width) if bands == 1 else (bands, length, width)
    data = rng.standard_normal(shape)
    path = tmp_path / "r.rdr"
    with isce.io.create(path, width, length, dtype, bands=bands, scheme=scheme) as w:
        w.write(data.astype(np.complex64) if dtype == "CFLOAT" else data)
    r = isce.io.open(path)
    for rows in (slice(0, 10), slice(10, 29), slice(5, 6), slice(0, None), slice(3, 3)):
        got = r.read_rows(rows)
        assert np.array_equal(got, r.read(rows=rows))
        assert not isinstance(got, np.memmap) and got.flags.writeable
        for band in range(bands):
            assert np.array_equal(r.read_rows(rows, band=band), r.read(band, rows))
    with pytest.raises(IndexError):
        r.read_rows(slice(0, 2), band=bands)
    r.close()


def test_read_rows_fills_out_and_checks_it(tmp_path):
    path = tmp_path / "c.slc"
    data = (np.arange(60).reshape(6, 10) * (1 + 2j)).astype(np.complex64)
    isce.io.write_raster(path, data)
    r = isce.io.open(path)
    buf = np.empty((3, 10), np.complex64)
    got = r.read_rows(slice(2, 5), out=buf)
    assert np.shares_memory(got, buf) and np.array_equal(buf, data[2:5])
    with pytest.raises(ValueError):
        r.read_rows(slice(2, 5), out=np.empty((3, 10), np.complex128))
    r.close()


def test_rows_written_through_the_file_are_never_mapped(tmp_path, monkeypatch):
    """A raster written only by write_rows is not memory-mapped, so closing it does not
    msync (which would wait for its pages to reach the disk)."""
    maps = []
    real = np.memmap.__new__

    def counting(cls, *args, **kwargs):
        maps.append(args[0] if args else kwargs.get("filename"))
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(np.memmap, "__new__", counting)
    with isce.io.create(tmp_path / "w.rdr", 8, 4, "FLOAT") as w:
        w.write_rows(np.ones((4, 8)), slice(0, 4))
    assert maps == []
    with isce.io.create(tmp_path / "m.rdr", 8, 4, "FLOAT") as w:
        w.write(np.ones((4, 8)))
    assert len(maps) == 1
    monkeypatch.undo()
    assert np.array_equal(isce.io.open(tmp_path / "w.rdr").read(), np.ones((4, 8)))


def test_release_pages_keeps_the_data(tmp_path):
    """release_pages drops a map's pages from the process, never their contents: changes
    made through a shared map are in the file afterwards, and the map reads them back."""
    path = tmp_path / "m.rdr"
    with isce.io.create(path, 1024, 64, "FLOAT") as w:
        w.write(np.zeros((64, 1024)))
    r = isce.io.open(path, mode="r+")
    view = r.data[10:20]
    view[...] = 7.5
    assert isce.io.release_pages(view)
    assert np.all(r.data[10:20] == 7.5) and np.all(r.data[:10] == 0)
    assert not isce.io.release_pages(np.zeros(3))
    r.close()
    assert np.all(np.fromfile(path, np.float32).reshape(64, 1024)[10:20] == 7.5)


def test_first_map_from_several_threads(tmp_path):
    """Threads that ask a fresh Raster for its map at once all get it (the view was once
    published after the map, so a second thread could read None: a TypeError in filter)."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "t.rdr"
    isce.io.write_raster(path, np.arange(64 * 32, dtype=np.float32).reshape(64, 32))
    for _ in range(200):
        r = isce.io.open(path)
        with ThreadPoolExecutor(4) as pool:
            sums = list(pool.map(lambda i: float(r.data[i].sum()), range(8)))
        assert sums == [float(np.arange(i * 32, (i + 1) * 32).sum()) for i in range(8)]


def _rss_file_kib():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("RssFile:"))


def test_release_span_drops_the_lines_pages_only_and_keeps_the_data(tmp_path):
    """release_span drops the pages of the lines a view spans (a block of columns included:
    its lines' pages), not the others', and never the contents; False for other arrays."""
    path = tmp_path / "s.slc"
    length, width = 512, 2048                   # 16 KiB lines, 8 MiB
    with isce.io.create(path, width, length, "CFLOAT") as w:
        w.write(np.zeros((length, width)))
    r = isce.io.open(path, mode="r+")
    data = r.data
    data[:, 5] = 3 + 4j                          # every page of column 5's lines written
    assert float(np.abs(data).sum()) == 5 * length   # and every page read
    before = _rss_file_kib()
    assert isce.io.release_span(data[100:356, 1000:1010])   # 256 lines = 4 MiB
    dropped = before - _rss_file_kib()
    assert 3900 <= dropped <= 4096 + 64       # (other file pages may come and go meanwhile)
    assert np.all(data[:, 5] == 3 + 4j) and np.all(data[:, 6:] == 0)
    assert not isce.io.release_span(np.zeros((3, 3)))
    assert not isce.io.release_span(data[7:7])
    r.close()
    assert np.all(np.fromfile(path, np.complex64).reshape(length, width)[:, 5] == 3 + 4j)
