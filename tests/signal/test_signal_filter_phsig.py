"""The fused filter + phase sigma equals filter_raster followed by phsig_raster."""
import numpy as np
import pytest

import isce.io
from isce.signal.filter import filter_raster
from isce.signal.filter_phsig import filter_phsig_raster
from isce.signal.phsig import phsig_raster


def _fringes(length, width, seed=3):
    rng = np.random.default_rng(seed)
    i, j = np.mgrid[0:length, 0:width]
    phase = 0.002 * (i - length / 3) ** 2 / 3 + 0.15 * j + rng.normal(0, 0.8, (length, width))
    z = ((1 + rng.random((length, width))) * np.exp(1j * phase)).astype(np.complex64)
    z[5, 7] = 0
    z[40:43, 10:20] = np.nan
    return z


@pytest.mark.parametrize("length,block_lines,sigma_block_lines", [
    (150, 32, 40), (97, None, 17), (64, 16, 200)])
def test_fused_equals_two_passes(tmp_path, length, block_lines, sigma_block_lines):
    z = _fringes(length, 70)
    src = str(tmp_path / "topophase.flat")
    with isce.io.create(src, 70, length, "CFLOAT", image_type="cpx") as out:
        out.write_rows(z, slice(0, length))
    filter_raster(src, str(tmp_path / "f1.flat"), 0.6, block_lines=block_lines, workers=2)
    phsig_raster(str(tmp_path / "f1.flat"), str(tmp_path / "p1.cor"), block_lines=23, workers=2)
    got = filter_phsig_raster(src, str(tmp_path / "f2.flat"), str(tmp_path / "p2.cor"), 0.6,
                              block_lines=block_lines, sigma_block_lines=sigma_block_lines,
                              workers=2)
    assert got == (str(tmp_path / "f2.flat"), str(tmp_path / "p2.cor"))
    for a, b in (("f1.flat", "f2.flat"), ("p1.cor", "p2.cor")):
        ra, rb = isce.io.open(str(tmp_path / a)), isce.io.open(str(tmp_path / b))
        assert ra.shape == rb.shape == (length, 70)
        x, y = ra.read_rows(slice(0, length)), rb.read_rows(slice(0, length))
        np.testing.assert_array_equal(x, y)
        assert np.isfinite(y).sum() > 0.9 * y.size
