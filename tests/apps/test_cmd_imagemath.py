"""imageMath.py (ISCE2's) without eval: ISCE2's three README examples against numpy, ROW/COL
across blocks, the image grammar, refused constructs (one line, exit 2, nothing run, nothing
written), the expression engine's whitelist."""
import numpy as np
import pytest
from everyday_commands import one_line_error, run_app
from isce_commands import run_command

import isce.io
from isce.apps import imagemath
from isce.apps.imagemath import ImageMath
from isce.signal.expression import ExpressionError, parse

RNG = np.random.default_rng(3)
SHAPE = (37, 29)


def cpx():
    return (RNG.normal(size=SHAPE) + 1j * RNG.normal(size=SHAPE)).astype(np.complex64)


def im(capsys, *args):
    return run_app(ImageMath, "imageMath.py", *args, capsys=capsys)


def test_example_1_phase_correction(workdir, capsys):
    a, b = cpx(), cpx()
    isce.io.write_raster("resampOnlyImage.int", a)
    isce.io.write_raster("topophase.mph", b)
    rc, _, err = im(capsys, "-e=a*exp(-1.0*J*arg(b))", "-o", "test.int", "-t", "cfloat",
                    "--a=resampOnlyImage.int", "--b=topophase.mph")
    assert rc == 0, err
    out = isce.io.open("test.int")
    assert out.data_type == "CFLOAT" and out.scheme == "BSQ"
    np.testing.assert_allclose(out.read(), a * np.exp(-1j * np.angle(b)), rtol=1e-5, atol=1e-6)


def test_example_2_bip_to_bil(workdir, capsys):
    amp = RNG.random((2, *SHAPE)).astype(np.float32)
    isce.io.write_raster("resampOnlyImage.amp", amp, scheme="BIP")
    rc, _, err = im(capsys, "-e=a_0;a_1", "--a=resampOnlyImage.amp", "-o", "test.amp", "-s", "BIL")
    assert rc == 0, err
    out = isce.io.open("test.amp")
    assert (out.scheme, out.bands) == ("BIL", 2)
    np.testing.assert_array_equal(out.read(), amp)
    assert np.fromfile("test.amp", np.float32)[:SHAPE[1]].tolist() == amp[0, 0].tolist()  # BIL


def test_example_3_image_grammar_for_a_raw_file(workdir, capsys):
    a = cpx()
    mph = RNG.normal(size=(*SHAPE, 2)).astype(np.float32)      # BIP on disk, no sidecar
    isce.io.write_raster("topophase.flat", a)
    mph.tofile("topophase.mph")
    rc, _, err = im(capsys, "-e=abs(a);sqrt(b_0**2 + b_1**2)", "--a=topophase.flat",
                    f"--b=topophase.mph;{SHAPE[1]};float;2;BIP", "-o", "test.mag", "-s", "BIL")
    assert rc == 0, err
    out = isce.io.open("test.mag")
    np.testing.assert_allclose(out.read(0), np.abs(a), rtol=1e-6)
    np.testing.assert_allclose(out.read(1), np.hypot(mph[..., 0], mph[..., 1]), rtol=1e-6)


def test_row_col_and_masks_across_blocks(workdir, capsys, monkeypatch):
    monkeypatch.setattr(imagemath, "_BUDGET", SHAPE[1] * 16 * 5)   # 5 lines per block
    a = RNG.normal(size=SHAPE).astype(np.float32)
    isce.io.write_raster("a.rdr", a, geo=(10.0, 0.1, 0, 50.0, 0, -0.1))
    rc, _, err = im(capsys, "-e", "ROW*1000+COL;(a>0)*a;mod(ROW,4)", "--a", "a.rdr", "-o", "o.rdr",
                    "-t", "double")
    assert rc == 0, err
    out = isce.io.open("o.rdr")
    rows, cols = np.mgrid[0:SHAPE[0], 0:SHAPE[1]]
    np.testing.assert_array_equal(out.read(0), rows * 1000 + cols)
    np.testing.assert_array_equal(out.read(1), np.where(a > 0, a, 0))
    np.testing.assert_array_equal(out.read(2), rows % 4)
    assert out.geo == isce.io.open("a.rdr").geo                  # ISCE2's common bbox


def test_integer_output_truncates_and_noxml_writes_no_sidecar(workdir, capsys):
    a = (RNG.random(SHAPE) * 200 - 100).astype(np.float32)
    isce.io.write_raster("a.rdr", a)
    assert im(capsys, "-e=a", "--a=a.rdr", "-o", "s.rdr", "-t", "short", "-n")[0] == 0
    np.testing.assert_array_equal(np.fromfile("s.rdr", np.int16).reshape(SHAPE), a.astype(np.int16))
    assert not list(workdir.glob("s.rdr.*"))


def test_calculator_mode_prints(workdir, capsys):
    rc, out, _ = im(capsys, "-e=2*PI;sqrt(16)")
    assert rc == 0 and "Output Band 0 : 6.28318" in out and "Output Band 1 : 4.0" in out


@pytest.mark.parametrize("expr, words", [
    ('__import__("os").system("touch pwned")', "calling"),
    ("a.__class__", "attribute access"),
    ("(lambda: 0)()", "calling 'lambda: 0'"),
    ("[x for x in a]", "comprehensions"),
    ("a[0]", "subscripts"),
    ("open('pwned', 'w')", "calling 'open'"),
    ("abc + a", "the name 'abc'"),
    ("a if a else a", "'if ... else'"),
    ("round(a, decimals=1)", "keyword arguments"),
    ("a +* 2", "not valid syntax"),
])
def test_refused_constructs_one_line_nothing_written(workdir, capsys, expr, words):
    isce.io.write_raster("a.rdr", np.ones(SHAPE, np.float32))
    rc, _, err = im(capsys, f"-e={expr}", "--a=a.rdr", "-o", "o.rdr")
    assert rc == 2 and words in one_line_error(err, "imageMath.py")
    assert not (workdir / "pwned").exists() and not (workdir / "o.rdr").exists()


@pytest.mark.parametrize("args, words", [
    (["-e=b", "--a=a.rdr", "-o", "o.rdr"], "give its file as --b"),
    (["-e=a", "--a=a.rdr", "--b=a.rdr", "-o", "o.rdr"], "unused input variables set: --b"),
    (["-e=a*J", "--a=a.rdr", "-o", "o.rdr"], "output band 0 is complex"),
    (["-e=a", "--a=a.rdr", "-o", "o.rdr", "-t", "ushort"], "unknown data type 'ushort'"),
    (["-e=a", "--a=a.rdr"], "output file has not been defined"),
    (["-e=a+b", "--a=a.rdr", "--b=small.rdr", "-o", "o.rdr"], "not of the same size"),
    (["-e=a_0", "--a=raw.bin;7;float", "-o", "o.rdr"], "not a whole number of lines"),
    (["-e=a_3", "--a=a.rdr", "-o", "o.rdr"], "has 1 band(s)"),
])
def test_bad_input_is_one_line_exit_2(workdir, capsys, args, words):
    isce.io.write_raster("a.rdr", np.ones(SHAPE, np.float32))
    isce.io.write_raster("small.rdr", np.ones((3, 3), np.float32))
    np.zeros(10, np.float32).tofile("raw.bin")
    rc, _, err = im(capsys, *args)
    assert rc == 2 and words in one_line_error(err, "imageMath.py")
    assert not (workdir / "o.rdr").exists()


def test_engine_evaluates_isce2_functions_and_constants():
    x = np.linspace(0.1, 0.9, 5)
    expr = parse("sqrt(a)+log10(a)+deg(atan(a))+mod(a,0.3)+real(conj(I*a))+E**0+floor(a*NAN)")
    assert expr.variables == ("a",)
    want = np.sqrt(x) + np.log10(x) + np.degrees(np.arctan(x)) + np.mod(x, 0.3) + 0 + 1 + np.nan
    np.testing.assert_allclose(expr.evaluate({"a": x}), want)
    assert parse("9**9**9").evaluate({}) == np.inf          # numpy scalars: no huge integers


def test_engine_refuses_before_evaluating():
    for text in ("a.real", "__builtins__", "globals()", "x := 1", "'s'", "a and b", "*a",
                 "(" * 300 + "1" + ")" * 300, "Q", "sin"):
        with pytest.raises(ExpressionError):
            parse(text)


def test_help_through_the_launcher_lists_functions(tmp_path):
    proc = run_command("imageMath.py", "-H", cwd=tmp_path)
    assert proc.returncode == 0
    assert "a_0" in proc.stdout and "log10" in proc.stdout and "[--a..--z <inputs>]" in proc.stdout
