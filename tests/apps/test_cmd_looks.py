"""looks.py (ISCE2's): each band's window mean as stored, against numpy's reshape-mean; ISCE2's
default name, sidecars GDAL reads, a geocoded grid's spacing; bad input one line, exit 2."""
import numpy as np
import pytest
from everyday_commands import gdal_read, one_line_error, run_app
from isce_commands import run_command

import isce.io
from isce.apps.looks import Looks


def numpy_looks(a, az, rg):
    """Independent reference: crop to whole windows, reshape, mean."""
    L, W = a.shape[0] // az, a.shape[1] // rg
    return a[:L * az, :W * rg].reshape(L, az, W, rg).mean(axis=(1, 3))


def test_complex_raster_default_name_and_sidecars(workdir, capsys):
    rng = np.random.default_rng(1)
    z = (rng.normal(size=(101, 77)) + 1j * rng.normal(size=(101, 77))).astype(np.complex64)
    isce.io.write_raster("x.int", z)
    rc, _, err = run_app(Looks, "looks.py", "-i", "x.int.xml", "-r", "4", "-a", "3", capsys=capsys)
    assert rc == 0, err
    out = isce.io.open("x.3alks_4rlks.int")                  # ISCE2's <stem>.<a>alks_<r>rlks<ext>
    assert (out.length, out.width, out.data_type) == (33, 19, "CFLOAT")
    np.testing.assert_allclose(out.read(), numpy_looks(z.astype(np.complex128), 3, 4), rtol=1e-5)
    np.testing.assert_array_equal(gdal_read("x.3alks_4rlks.int.vrt")[0], out.read())


def test_two_band_geocoded_bil_keeps_corner_and_scales_spacing(workdir, capsys):
    rng = np.random.default_rng(2)
    cube = rng.normal(size=(2, 40, 30)).astype(np.float32)
    isce.io.write_raster("u.unw.geo", cube, scheme="BIL", geo=(-117.0, 0.001, 0, 35.0, 0, -0.002))
    rc, _, err = run_app(Looks, "looks.py", "--input", "u.unw.geo", "--output", "l.unw.geo.xml",
                         "--range", "3", "--azimuth", "4", capsys=capsys)
    assert rc == 0, err
    out = isce.io.open("l.unw.geo")
    assert out.scheme == "BIL" and out.bands == 2
    assert out.geo.geotransform == pytest.approx((-117.0, 0.003, 0, 35.0, 0, -0.008))
    for b in range(2):
        np.testing.assert_allclose(out.read(b), numpy_looks(cube[b].astype(np.float64), 4, 3),
                                   rtol=1e-6)


def test_integers_truncate_toward_zero_as_isce2(workdir, capsys):
    a = np.arange(-60, 60, dtype=np.int16).reshape(10, 12) * 7
    isce.io.write_raster("h.dem", a)
    assert run_app(Looks, "looks.py", "-i", "h.dem", "-r", "2", "-a", "2", capsys=capsys)[0] == 0
    out = isce.io.open("h.2alks_2rlks.dem")
    assert out.data_type == "SHORT"
    np.testing.assert_array_equal(out.read(), np.trunc(numpy_looks(a.astype(float), 2, 2)))


def test_one_look_each_way_writes_nothing(workdir, capsys):
    isce.io.write_raster("x.rdr", np.ones((4, 4), np.float32))
    rc, _, err = run_app(Looks, "looks.py", "-i", "x.rdr", capsys=capsys)
    assert rc == 0 and "Nothing to do" in err
    assert sorted(p.name for p in workdir.iterdir() if p.name.startswith("x.")) == \
        ["x.rdr", "x.rdr.hdr", "x.rdr.vrt", "x.rdr.xml"]


@pytest.mark.parametrize("args, words", [
    (["-i", "missing.int", "-r", "2"], "missing.int"),
    (["-i", "x.rdr", "-r", "0"], "must be at least 1"),
    (["-i", "x.rdr", "-r", "5", "-a", "5"], "too small"),
    (["-i", "x.rdr", "-r"], "-r needs a value"),
    (["-i", "x.rdr", "-r", "2", "-o", "x.rdr"], "is the input"),
])
def test_bad_input_is_one_line_exit_2(workdir, capsys, args, words):
    isce.io.write_raster("x.rdr", np.ones((4, 4), np.float32))
    rc, _, err = run_app(Looks, "looks.py", *args, capsys=capsys)
    assert rc == 2 and words in one_line_error(err, "looks.py")
    assert not list(workdir.glob("x.*alks*"))


def test_help_through_the_launcher(tmp_path):
    proc = run_command("looks.py", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "[-r|--range <range looks>]" in proc.stdout and "alks" in proc.stdout
