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
