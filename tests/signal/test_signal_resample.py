"""SLC resampling: the C++ 8-tap windowed-sinc kernel against a NumPy reference,
synthetic checks, the block driver, and the ENVISAT golden check of the data README."""

import numpy as np
import pytest

from isce.signal import resample as rs



# ------------------------------------------------------------------ NumPy reference
def reference_table(sub=8192, taps=8):
    """ISCE3 Sinc2dInterpolator kernel, rows in ascending sample order (-3..+4)."""
    n = sub * taps
    k = np.arange(n, dtype=np.float64)
    soff = (n - 1) / 2.0
    h = np.sinc(np.floor(k - soff) / sub) * (0.5 + 0.5 * np.cos(np.pi * (k - soff) / soff))
    K = h.reshape(taps, sub).T          # K[bin, tap], tap t <-> sample offset 4 - t
    K = K / K.sum(axis=1, keepdims=True)
    return K[:, ::-1].copy()


TABLE = reference_table()


def reference_resample(slc, az, rg, carrier=None, out_row0=0, fill=0.0):
    """Vectorised NumPy version of the kernel (float64 throughout)."""
    slc = np.asarray(slc, np.complex128)
    L, W = slc.shape
    n, m = az.shape
    y = (out_row0 + np.arange(n))[:, None] + np.asarray(az, np.float64)
    x = np.arange(m)[None, :] + np.asarray(rg, np.float64)
    ok = np.isfinite(y) & np.isfinite(x)
    y = np.where(ok, y, 0.0)
    x = np.where(ok, x, 0.0)
    iy, ix = np.floor(y).astype(int), np.floor(x).astype(int)
    fy, fx = y - iy, x - ix
    ok &= (iy >= 4) & (iy < L - 4) & (ix >= 4) & (ix < W - 4)
    iy, ix = np.where(ok, iy, 4), np.where(ok, ix, 4)
    wa = TABLE[np.clip((fy * 8192).astype(int), 0, 8191)]
    wr = TABLE[np.clip((fx * 8192).astype(int), 0, 8191)]
    c = np.zeros(az.shape) if carrier is None else np.asarray(carrier, np.float64)
    out = np.zeros(az.shape, np.complex128)
    for a in range(8):
        d = a - 3
        line = sum(slc[iy + d, ix + (b - 3)] * wr[..., b] for b in range(8))
        out += line * wa[..., a] * np.exp(-1j * c * (d - fy))
    return np.where(ok, out, fill)


def random_slc(rng, shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


# ------------------------------------------------------------------ kernel vs reference
def test_sinc_table_matches_reference():
    table = rs.sinc_table()
    assert table.shape == (rs.SINC_SUB, rs.SINC_LEN)
    np.testing.assert_allclose(table, TABLE, rtol=0, atol=1e-15)
    np.testing.assert_allclose(table.sum(axis=1), 1.0, atol=1e-14)
    # fraction 0 is (to rounding) the identity; the kernel is symmetric about 1/2
    assert abs(table[0, 3] - 1) < 1e-15 and np.abs(np.delete(table[0], 3)).max() < 1e-15
    np.testing.assert_allclose(table[4096], table[4096][::-1], atol=1e-4)


@pytest.mark.parametrize("with_carrier", [False, True])
def test_kernel_matches_numpy_reference(with_carrier):
    rng = np.random.default_rng(1)
    slc = random_slc(rng, (60, 70))
    n, m = 50, 64
    yy, xx = np.mgrid[0:n, 0:m]
    az = 1.7 * np.sin(yy / 9.0) + 0.3 * np.cos(xx / 7.0) + rng.uniform(-0.5, 0.5, (n, m))
    rg = -2.2 + 0.05 * xx + rng.uniform(-0.5, 0.5, (n, m))
    az[3, 5] = np.nan
    carrier = rng.uniform(-3, 3, (n, m)) if with_carrier else None
    ours = rs.resample_slc_block(slc, az, rg, out_row0=4, carrier=carrier)
    ref = reference_resample(slc, az, rg, carrier, out_row0=4)
    assert ours.dtype == np.complex64 and ours.shape == (n, m)
    np.testing.assert_array_equal(ours == 0, ref == 0)
    assert ours[3, 5] == 0
    rel = np.abs(ours - ref).max() / np.abs(ref).max()
    assert rel < 1e-6, rel


def test_integer_shift_reproduces_input_exactly():
    rng = np.random.default_rng(2)
    slc = random_slc(rng, (40, 50))
    az = np.full((30, 36), 3.0)
    rg = np.full((30, 36), -2.0)
    carrier = np.full(az.shape, 0.8)          # the carrier cancels on integer positions
    for c in (None, carrier):
        out = rs.resample_slc_block(slc, az, rg, carrier=c)
        i, j = np.mgrid[0:30, 0:36]
        valid = (i + 3 >= 4) & (i + 3 < 36) & (j - 2 >= 4) & (j - 2 < 46)
        expect = np.where(valid, slc[np.clip(i + 3, 0, 39), np.clip(j - 2, 0, 49)], 0)
        np.testing.assert_array_equal(out, expect)


def _tones(shape, freqs, amps, shift=(0.0, 0.0), row0=0.0):
    """Sum of complex exponentials (band-limited), sampled at (i + shift_y, j + shift_x)."""
    i, j = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float64)
    y, x = i + row0 + shift[0], j + shift[1]
    return sum(a * np.exp(2j * np.pi * (fy * y + fx * x)) for (fy, fx), a in zip(freqs, amps))


def test_subpixel_shift_of_band_limited_signal():
    """A known sub-pixel shift of a signal band-limited to |f| < 0.3 cycles/sample."""
    rng = np.random.default_rng(3)
    freqs = rng.uniform(-0.3, 0.3, (12, 2))
    amps = rng.standard_normal(12) + 1j * rng.standard_normal(12)
    slc = _tones((64, 64), freqs, amps).astype(np.complex64)
    az = np.full((64, 64), 0.37)
    rg = np.full((64, 64), -0.61)
    out = rs.resample_slc_block(slc, az, rg)
    truth = _tones((64, 64), freqs, amps, (0.37, -0.61))
    core = (slice(12, 52), slice(12, 52))
    err = np.abs(out - truth)[core].max() / np.abs(truth)[core].mean()
    assert err < 3e-2, err            # measured 1.8e-2: the 8-tap kernel at 0.3 cycles/sample


def test_carrier_removal_for_an_off_centre_azimuth_spectrum():
    """Azimuth spectrum centred at 0.35 cycles/line (a Doppler centroid): with the carrier
    the sub-pixel shift is as accurate as at baseband, without it much worse."""
    rng = np.random.default_rng(4)
    fdc = 0.35
    freqs = np.column_stack([fdc + rng.uniform(-0.15, 0.15, 12), rng.uniform(-0.3, 0.3, 12)])
    amps = rng.standard_normal(12) + 1j * rng.standard_normal(12)
    slc = _tones((64, 64), freqs, amps).astype(np.complex64)
    az = np.full((64, 64), 0.43)
    rg = np.full((64, 64), 0.2)
    truth = _tones((64, 64), freqs, amps, (0.43, 0.2))
    core = (slice(12, 52), slice(12, 52))
    with_c = rs.resample_slc_block(slc, az, rg, carrier=np.full(az.shape, 2 * np.pi * fdc))
    without = rs.resample_slc_block(slc, az, rg)
    e_with = np.abs(with_c - truth)[core].mean() / np.abs(truth)[core].mean()
    e_without = np.abs(without - truth)[core].mean() / np.abs(truth)[core].mean()
    assert e_with < 1e-2, e_with
    assert e_without > 5 * e_with, (e_without, e_with)


# ------------------------------------------------------------------ driver
class _Grid:
    sensing_start, prf, starting_range, range_pixel_spacing = 100.0, 50.0, 8000.0, 5.0


def test_driver_blocks_equal_one_call_and_write_a_raster(tmp_path):
    import isce.io
    from isce.core import LUT2d

    rng = np.random.default_rng(5)
    slc = random_slc(rng, (80, 60))
    yy, xx = np.mgrid[0:70, 0:60]
    az = (0.8 + 0.02 * yy + 0.3 * np.sin(xx / 5)).astype(np.float32)
    rg = (1.3 - 0.01 * xx + 0.2 * np.cos(yy / 4)).astype(np.float32)
    isce.io.write(tmp_path / "azimuth.off", az)
    isce.io.write(tmp_path / "range.off", rg)
    isce.io.write(tmp_path / "in.slc", slc)
    lut = LUT2d(np.linspace(7900, 8400, 6), np.linspace(99, 103, 5),
                rng.uniform(-20, 20, (5, 6)), bounds_error=False)
    whole = rs.resample_slc(slc, rg, az, doppler=lut, grid=_Grid, block_lines=1000)
    out = rs.resample_slc(tmp_path / "in.slc", tmp_path / "range.off", tmp_path / "azimuth.off",
                          tmp_path / "out.slc", doppler=lut, grid=_Grid, block_lines=7)
    written = isce.io.open(out)
    assert written.data_type == "CFLOAT" and written.shape == (70, 60)
    np.testing.assert_array_equal(np.asarray(written.read()), whole)
    # the carrier actually used is the LUT at the output pixels
    t = _Grid.sensing_start + np.arange(70) / _Grid.prf
    r = _Grid.starting_range + np.arange(60) * _Grid.range_pixel_spacing
    carrier = 2 * np.pi * lut.eval(t[:, None], r[None, :]) / _Grid.prf
    ref = reference_resample(slc, az, rg, carrier)
    assert np.abs(whole - ref).max() / np.abs(ref).max() < 1e-6


def test_corrections_added_per_block_equal_corrected_offset_rasters(tmp_path):
    """Offsets plus callables f(lines, pixels) (the misregistration polynomials) resample as
    the float32 rasters of their sum would; ``offsets_output`` writes exactly those."""
    import isce.io

    rng = np.random.default_rng(7)
    slc = random_slc(rng, (80, 60))
    yy, xx = np.mgrid[0:70, 0:60]
    az = (0.8 + 0.02 * yy + 0.3 * np.sin(xx / 5)).astype(np.float32)
    rg = (1.3 - 0.01 * xx + 0.2 * np.cos(yy / 4)).astype(np.float32)
    az[5, 7] = np.nan

    def f_az(lines, pixels):
        return 0.31 + 1e-3 * lines[:, None] - 2e-3 * pixels[None, :]

    def f_rg(lines, pixels):
        return -0.17 + 5e-4 * lines[:, None] * np.ones(pixels.size)[None, :]

    az_sum = (az + f_az(np.arange(70.0), np.arange(60.0))).astype(np.float32)
    rg_sum = (rg + f_rg(np.arange(70.0), np.arange(60.0))).astype(np.float32)
    isce.io.write(tmp_path / "azimuth.off", az)
    isce.io.write(tmp_path / "range.off", rg)
    isce.io.write(tmp_path / "in.slc", slc)
    expect = rs.resample_slc(slc, rg_sum, az_sum, block_lines=1000)
    written = (tmp_path / "az_sum.off", tmp_path / "rg_sum.off")
    out = rs.resample_slc(tmp_path / "in.slc", tmp_path / "range.off", tmp_path / "azimuth.off",
                          tmp_path / "out.slc", az_correction=f_az, rg_correction=f_rg,
                          offsets_output=written, block_lines=9)
    np.testing.assert_array_equal(np.asarray(isce.io.open(out).read()), expect)
    np.testing.assert_array_equal(isce.io.open(written[0]).read(), az_sum)
    np.testing.assert_array_equal(isce.io.open(written[1]).read(), rg_sum)
    ref = reference_resample(slc, az_sum, rg_sum)
    assert np.abs(expect - ref).max() / np.abs(ref).max() < 1e-6


def test_kernel_writes_into_a_given_buffer():
    rng = np.random.default_rng(8)
    slc = random_slc(rng, (40, 50))
    az = rng.uniform(-1, 1, (20, 30)).astype(np.float32)
    rg = rng.uniform(-1, 1, (20, 30)).astype(np.float32)
    fresh = rs.resample_slc_block(slc, az, rg, out_row0=10)
    buffer = np.full((20, 30), 7 + 7j, np.complex64)
    got = rs.resample_slc_block(slc, az, rg, out_row0=10, out=buffer)
    assert got is buffer or np.shares_memory(got, buffer)
    np.testing.assert_array_equal(buffer, fresh)
    with pytest.raises(ValueError, match="out"):
        rs.resample_slc_block(slc, az, rg, out_row0=10, out=np.empty((20, 31), np.complex64))
    with pytest.raises(ValueError, match="out"):
        rs.resample_slc_block(slc, az, rg, out_row0=10, out=np.empty((20, 30), np.complex128))


def test_block_missing_lines_is_an_error():
    rng = np.random.default_rng(6)
    slc = random_slc(rng, (40, 30))
    az = np.full((5, 30), 0.5)
    rg = np.zeros((5, 30))
    need = rs.input_lines_needed(az, 20, 40)
    assert need == slice(17, 29)      # floor(20.5) - 3 .. floor(24.5) + 4
    ok = rs.resample_slc_block(slc[need], az, rg, block_row0=need.start, image_length=40, out_row0=20)
    full = rs.resample_slc_block(slc, az, rg, out_row0=20)
    np.testing.assert_array_equal(ok, full)
    with pytest.raises(ValueError, match="outside the block"):
        rs.resample_slc_block(slc[18:29], az, rg, block_row0=18, image_length=40, out_row0=20)
    with pytest.raises(ValueError, match="rg_off must have shape"):
        rs.resample_slc_block(slc, az, rg[:4])


# ------------------------------------------------------------------ golden: ENVISAT
@pytest.fixture(scope="module")
def envisat_dir(shared_data):
    """The ENVISAT folder of the real test data (ISCE3's test set)."""
    return shared_data("envisat")


@pytest.fixture(scope="module")
def envisat(envisat_dir):
    import isce.io
    from signal_products import read_slc

    product = read_slc(envisat_dir / "envisat.h5")
    ref = np.asarray(isce.io.open(envisat_dir / "warped_envisat.slc").read())
    return product, ref


CORE = (slice(20, 480), slice(20, 480))
TOLERANCE = 4.5e-5


def test_golden_envisat_resampling(envisat, envisat_dir, tmp_path):
    """README: mean |ours - ref| over [20:480, 20:480] < 4.5e-5 (mean |ref| ~ 4.2)."""
    import isce.io

    product, ref = envisat
    out = rs.resample_slc(product.image, envisat_dir / "offsets" / "range.off",
                          envisat_dir / "offsets" / "azimuth.off", tmp_path / "warped.slc",
                          doppler=product.doppler, grid=product, block_lines=64)
    ours = np.asarray(isce.io.open(out).read())
    err = np.abs(ours - ref)[CORE].mean()
    print(f"envisat resampling: mean |ours - ref| = {err:.3e} (tolerance {TOLERANCE:g}); "
          f"mean |ref| = {np.abs(ref[CORE]).mean():.3f}")
    assert err < TOLERANCE


def test_golden_envisat_needs_the_doppler_carrier(envisat, envisat_dir):
    """Without the azimuth carrier the same check fails by four orders of magnitude (~0.7)."""
    product, ref = envisat
    ours = rs.resample_slc(product.image, envisat_dir / "offsets" / "range.off",
                           envisat_dir / "offsets" / "azimuth.off", doppler=None, block_lines=500)
    err = np.abs(ours - ref)[CORE].mean()
    print(f"envisat resampling without carrier: mean |ours - ref| = {err:.3f}")
    assert err > 0.3


def test_golden_envisat_residual_is_the_reference_doppler_position(envisat, envisat_dir):
    """Diagnostic: the 4e-5 residual is the reference's Doppler being taken one range
    pixel further (j + 1); with that Doppler our kernel matches it to < 1e-6."""
    import isce.io

    product, ref = envisat
    az = np.asarray(isce.io.open(envisat_dir / "offsets" / "azimuth.off").read(), np.float64)
    rg = np.asarray(isce.io.open(envisat_dir / "offsets" / "range.off").read(), np.float64)
    t = product.sensing_start + np.arange(500) / product.prf
    r = product.starting_range + (np.arange(500) + 1.0) * product.range_pixel_spacing
    carrier = 2 * np.pi * product.doppler.eval(t[:, None], r[None, :]) / product.prf
    ours = rs.resample_slc_block(product.image, az, rg, carrier=carrier)
    err = np.abs(ours - ref)[CORE].mean()
    print(f"envisat resampling, Doppler at j + 1: mean |ours - ref| = {err:.3e}")
    assert err < 1e-6
