"""mdx.py's quicklook: what is drawn, per data type, against numpy's block means (complex ->
amplitude dB / phase of the mean, .unw band 2 wrapped with zero amplitude as no data, .cor's
last band, real); the PNG has the figure's size; bad input one line, exit 2."""
import warnings

import numpy as np
import pytest
from everyday_commands import one_line_error, run_app
from isce_commands import run_command
from matplotlib.image import imread

import isce.io
from isce.apps.quicklook import Mdx, picture
from isce.quality.report import DPI, figure_layout

RNG = np.random.default_rng(5)
L, W, F = 60, 90, 3                     # max size 30 -> 3 x 3 blocks


def blocks(a, f=F):
    """Independent reference: the mean over f x f blocks (whole blocks only), NaN left out."""
    ny, nx = a.shape[0] // f, a.shape[1] // f
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # all-NaN blocks: NaN
        return np.nanmean(a[:ny * f, :nx * f].reshape(ny, f, nx, f), axis=(1, 3))


def show(path, **kw):
    return picture(isce.io.open(path), path, max_size=30, **kw)


def test_complex_amplitude_and_phase(workdir):
    z = (RNG.normal(size=(L, W)) + 1j * RNG.normal(size=(L, W))).astype(np.complex64)
    isce.io.write_raster("r.slc", z)
    isce.io.write_raster("i.flat", z)
    amp = show("r.slc")
    assert amp.kind == "amp" and (amp.fy, amp.fx) == (F, F)
    np.testing.assert_allclose(amp.data, 10 * np.log10(blocks(np.abs(z) ** 2)), atol=1e-5)  # dB
    phase = show("i.flat")
    assert phase.kind == "phase" and (phase.vmin, phase.vmax) == (-np.pi, np.pi)
    np.testing.assert_allclose(phase.data, np.angle(blocks(z.astype(np.complex128))), atol=1e-5)


def test_unw_band_two_wrapped_and_cor_last_band(workdir):
    phase = np.linspace(-20, 20, L * W).reshape(L, W).astype(np.float32)
    amp = np.ones((L, W), np.float32)
    amp[:6, :6] = 0                                      # no data: two whole blocks
    isce.io.write_raster("f.unw", np.stack([amp, phase]), scheme="BIL")
    pic = show("f.unw")
    assert (pic.kind, pic.band) == ("unw", 1)
    masked = np.where(amp == 0, np.nan, phase)
    np.testing.assert_allclose(pic.data, np.angle(np.exp(1j * blocks(masked))), atol=1e-4)
    assert np.isnan(pic.data[:2, :2]).all() and np.isfinite(pic.data[2:]).all()
    cor = RNG.random((2, L, W)).astype(np.float32)
    isce.io.write_raster("t.cor", cor, scheme="BIL")
    pic = show("t.cor")
    assert (pic.kind, pic.band, pic.vmin, pic.vmax) == ("cor", 1, 0.0, 1.0)
    np.testing.assert_allclose(pic.data, blocks(cor[1]), rtol=1e-6)


def test_real_band_chosen_from_one(workdir):
    cube = RNG.normal(size=(2, L, W))
    isce.io.write_raster("los.rdr", cube)
    pic = show("los.rdr", band=1)
    assert pic.kind == "real"
    np.testing.assert_allclose(pic.data, blocks(cube[1]), rtol=1e-10)


def test_png_through_the_command(workdir, capsys):
    isce.io.write_raster("los.rdr", RNG.normal(size=(2, L, W)))
    rc, _, err = run_app(Mdx, "mdx.py", "-i", "los.rdr", "-b", "2", "-s", "30", "-o", "q.png",
                         capsys=capsys)
    assert rc == 0, err
    png = imread("q.png")
    w, h = figure_layout(L / W)["size"]
    assert png.shape[:2] == (round(h * DPI), round(w * DPI))
    assert len(np.unique(png.reshape(-1, png.shape[2]), axis=0)) > 50     # an image, not blank


@pytest.mark.parametrize("args, words", [
    (["-i", "los.rdr", "-b", "3"], "band 3 asked, the raster has 2"),
    (["-i", "los.rdr", "--kind", "phase"], "have no phase"),
    (["-i", "los.rdr", "--kind", "hsv"], "expected one of auto, amp, phase"),
    (["-i", "gone.rdr"], "gone.rdr"),
    (["-i", "los.rdr", "-b", "0"], "must be at least 1"),
])
def test_bad_input_is_one_line_exit_2(workdir, capsys, args, words):
    isce.io.write_raster("los.rdr", RNG.normal(size=(2, L, W)).astype(np.float32))
    rc, _, err = run_app(Mdx, "mdx.py", *args, capsys=capsys)
    assert rc == 2 and words in one_line_error(err, "mdx.py")
    assert not list(workdir.glob("*.png"))


def test_help_through_the_launcher(tmp_path):
    proc = run_command("mdx.py", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "[-i|--input <input>]" in proc.stdout and "wrapped" in proc.stdout


def test_image_first_as_in_isce2_and_its_kml(workdir, capsys):
    a = RNG.random((L, W)).astype(np.float32)
    isce.io.write_raster("c.cor.geo", a, geo=(10.0, 0.01, 0, 50.0, 0, -0.01))
    assert run_app(Mdx, "mdx.py", "c.cor.geo.xml", capsys=capsys)[0] == 0   # ISCE2: image first
    assert imread("c.cor.geo.png").shape[2] == 4
    rc, _, err = run_app(Mdx, "mdx.py", "c.cor.geo", "-kml", "c.kml", "-s", "30", capsys=capsys)
    assert rc == 0, err
    assert "<west>10.0</west>" in (workdir / "c.kml").read_text()
    png = imread("c.png")
    assert png.shape == (L // F, W // F, 4)
    grey = png[..., 0]                                      # coherence on a grey ramp, 0..1
    np.testing.assert_allclose(grey, blocks(a), atol=2 / 255)
