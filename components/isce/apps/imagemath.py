"""``imageMath.py``: band arithmetic on rasters (ISCE2's ``imageMath.py``), evaluated by the
whitelisted expression engine :mod:`isce.signal.expression` -- never ``eval``."""
from __future__ import annotations

import os
import string

import numpy as np

import isce.io
from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.framework.application import Option
from isce.io.datatypes import BY_ISCE
from isce.io.info import RasterInfo
from isce.io.raster import Raster
from isce.io.sidecars import remove_sidecars
from isce.signal.expression import VARIABLE, parse_bands

from .command_io import open_input, output_folder_exists

_BUDGET = 32 * 2**20     # bytes of one band's block

# ISCE2's type names (ImageLib's tuples) -> the ISCE data type; single letters are numpy's
# case-sensitive codes, longer names any case. Types without an ISCE name (unsigned 16/32/64,
# signed 8 bit) are refused: ISCE2 could not describe them in an .xml either.
_TYPE_NAMES = {
    "BYTE": ("B", "byte", "b8", "b1", "ubyte", "ub8", "ub1"),
    "SHORT": ("h", "i2", "short", "int2", "int16"),
    "INT": ("i", "i4", "i32", "int", "int32", "intc"),
    "LONG": ("l", "l8", "l64", "long", "long64", "longc", "intpy", "pyint", "int64"),
    "FLOAT": ("f", "float", "single", "float32", "real4", "r4"),
    "CFLOAT": ("F", "c8", "complex", "complex64", "cfloat"),
    "DOUBLE": ("d", "double", "real8", "r8", "float64", "floatpy", "pyfloat"),
    "CDOUBLE": ("D", "c16", "complex128", "cdouble"),
}


def isce_type(name: str) -> str:
    """The ISCE data type of an ISCE2 type name (``float`` -> FLOAT, ``F`` -> CFLOAT)."""
    key = name.strip()
    for isce_name, names in _TYPE_NAMES.items():
        if (key in names) if len(key) == 1 else (key.lower() in names):
            return isce_name
    raise ConfigurationError(f"unknown data type {name!r}; use one of byte, short, int, long, "
                             f"float, double, cfloat, cdouble (or ISCE2's aliases: real4, complex64, f, F, ...)")


def _raw_raster(spec: str):
    """ISCE2's image grammar ``file;width;type;bands;scheme`` (type float, 1 band, BSQ by
    default): the raw file as a raster, its length from its size."""
    parts = [p.strip() for p in spec.split(";")]
    if len(parts) < 2 or len(parts) > 5 or not parts[0]:
        raise InputError(f"{spec!r}: expected file;width[;type[;bands[;scheme]]]")
    path, fields = parts[0], parts[1:] + ["float", "1", "BSQ"][len(parts) - 2:]
    try:
        width, bands = int(fields[0]), int(fields[2])
    except ValueError:
        raise InputError(f"{spec!r}: width and bands must be integers") from None
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    try:
        info = RasterInfo(width=width, length=1, datatype=isce_type(fields[1]), bands=bands,
                          scheme=fields[3])
    except ValueError as exc:
        raise InputError(f"{spec!r}: {exc}") from None
    line = width * bands * info.itemsize
    size = os.path.getsize(path)
    if size == 0 or size % line:
        raise InputError(f"{path}: {size} bytes is not a whole number of lines of {line} bytes "
                         f"({spec!r})")
    return Raster(path, info.replace(length=size // line))


def _variables(specs: list[str]) -> dict:
    """``{letter: raster}`` of the ``--a=file`` inputs (gathered as ``a=file``)."""
    rasters = {}
    for spec in specs:
        letter, eq, source = spec.partition("=")
        if not eq or len(letter) != 1 or letter not in string.ascii_lowercase:
            raise ConfigurationError(f"input {spec!r}: expected <letter>=<file>, e.g. --a=x.int")
        if letter in rasters:
            raise ConfigurationError(f"--{letter} is given twice")
        rasters[letter] = _raw_raster(source) if ";" in source else open_input(source)
    return rasters


def band_arrays(expressions, rasters: dict) -> dict:
    """``{variable: (raster, band)}`` for every variable the expressions read; refuses a
    variable without its ``--x`` input, a band the file lacks, inputs no expression uses."""
    used, letters = {}, set()
    for expr in expressions:
        for name in expr.variables:
            letter, band = VARIABLE.match(name).groups()
            letters.add(letter)
            if letter not in rasters:
                raise ConfigurationError(f"expression {expr.text!r} reads {name!r}: give its file as "
                                         f"--{letter}=<file>")
            raster = rasters[letter]
            if band is None and raster.bands > 1:
                raise ConfigurationError(f"{letter} ({raster.path}) has {raster.bands} bands: name "
                                         f"one as {letter}_0 .. {letter}_{raster.bands - 1}")
            index = int(band or 0)
            if index >= raster.bands:
                raise ConfigurationError(f"{name!r}: {raster.path} has {raster.bands} band(s), "
                                         f"numbered from 0")
            used[name] = (raster, index)
    unused = sorted(set(rasters) - letters)
    if unused:
        raise ConfigurationError("unused input variables set: "
                                 + " ".join(f"--{u}" for u in unused))
    return used


def common_shape(rasters) -> tuple:
    """(length, width) all inputs share; different sizes are refused."""
    shapes = {(r.length, r.width) for r in rasters}
    if len(shapes) > 1:
        listed = ", ".join(f"{r.path} {r.width} x {r.length}" for r in rasters)
        raise InputError(f"input images are not of the same size: {listed}")
    return shapes.pop()


def common_geo(rasters):
    """The inputs' grid when every geocoded input shares it (ISCE2's mergeBbox), else None."""
    grids = {r.geo for r in rasters if r.geo is not None}
    return grids.pop() if len(grids) == 1 else None


def _out_block(value, shape, dtype, k):
    """One output band's block: broadcast to ``shape``, cast to ``dtype`` (a complex result in
    a real type refused; a real one in an integer type truncated, as numpy stores it)."""
    value = np.broadcast_to(np.asarray(value), shape)
    if np.iscomplexobj(value) and not np.issubdtype(dtype, np.complexfloating):
        raise InputError(f"output band {k} is complex: take abs(), real(), imag() or arg(), "
                         f"or write it with -t cfloat")
    return value.astype(dtype)


def evaluate(expressions, used: dict, output: str, scheme: str, data_type: str,
             progress: bool = False) -> str:
    """Evaluate one expression per output band block by block into ``output``."""
    rasters = list({id(r): r for r, _ in used.values()}.values())
    length, width = common_shape(rasters)
    dtype = BY_ISCE[data_type].dtype
    lines = max(1, isce.io.block_lines_for(width, np.complex128, budget=_BUDGET))
    with isce.io.create(output, width, length, data_type, bands=len(expressions), scheme=scheme,
                        geo=common_geo(rasters)) as ds:
        for rows in isce.io.iter_blocks(length, lines, progress=progress, desc="imageMath"):
            bands = {name: np.asarray(r.read(b, rows)) for name, (r, b) in used.items()}
            shape = (rows.stop - rows.start, width)
            for k, expr in enumerate(expressions):
                value = expr.evaluate(bands, rows=np.arange(rows.start, rows.stop), width=width)
                ds.write(_out_block(value, shape, dtype, k), rows, band=k)
    return output


def image_math(ctx):
    """Evaluate the expressions over the input bands into the output raster."""
    p = ctx.params
    expressions = parse_bands(p.expression)         # refused constructs: before any file is read
    rasters = _variables(p.inputs)
    used = band_arrays(expressions, rasters)
    if not used:                                    # ISCE2's calculator mode
        for k, expr in enumerate(expressions):
            print(f"Output Band {k} : {expr.evaluate({})}")
        return
    if not p.output:
        raise ConfigurationError("output file has not been defined: -o <file>")
    output_folder_exists(p.output)
    for r in rasters.values():
        ctx.add_input(r.path)
    evaluate(expressions, used, p.output, p.scheme, isce_type(p.data_type), progress=True)
    if p.no_xml:
        remove_sidecars(p.output)
    ctx.add_output(p.output)
    ctx.log.info("wrote %s: %d band(s) %s %s", p.output, len(expressions),
                 isce_type(p.data_type), p.scheme)


_LETTERS = {f"--{c}": Option("inputs", prefix=f"{c}=", append=True) for c in string.ascii_lowercase}


class ImageMath(Application):
    """Band arithmetic on ISCE rasters (ISCE2's imageMath.py), without eval.

    Examples (ISCE2's):
      imageMath.py -e='a*exp(-1.0*J*arg(b))' -o test.int -t cfloat --a=resampOnlyImage.int --b=topophase.mph
      imageMath.py -e='a_0;a_1' --a=resampOnlyImage.amp -o test.amp -s BIL
      imageMath.py -e="abs(a);sqrt(b_0**2 + b_1**2)" --a=topophase.flat --b="topophase.mph;3419;float;2;BIP" -o test.mag -s BIL

    Rules: one expression per output band, separated by ';'. Variables are single lower-case
    letters, each given its file with --<letter>=<file> (an ISCE raster with its .xml, or
    ISCE2's grammar "file;width;type;bands;scheme", defaults float, 1 band, BSQ). Bands of a
    multi-band input are <letter>_<band>, from 0 (a_0, a_1); for one band, a = a_0.
    Functions: cos sin exp log log2 log10 tan asin acos atan arg conj abs round ceil floor
    real imag rad deg sqrt mod. Constants: PI J I E NAN, ROW (line number), COL (pixel number).
    Operators: + - * / // % ** and comparisons < <= > >= == != (masks; combine with & |).
    Anything else (attributes, subscripts, lambda, other names) is refused in one line.
    Without any variable the values are printed (ISCE2's calculator mode). A complex
    result in a real output type is refused (take abs/real/arg or -t cfloat); real values
    in an integer type are truncated as numpy stores them. The output carries .xml/.vrt/.hdr
    (none with -n) and the inputs' geographic grid when they share one.
    """

    family = "imageMath"
    parameters = (
        Parameter("expression", public_name="eval", type=str, mandatory=True,
                  doc="Expression to evaluate, one per output band separated by ';'."),
        Parameter("output", public_name="out", type="path", default=None, intent="output",
                  doc="Name of the output file."),
        Parameter("scheme", type=str, default="BSQ", choices=("BSQ", "BIL", "BIP"),
                  doc="Output interleaving scheme."),
        Parameter("data_type", public_name="type", type=str, default="float",
                  doc="Output data type (ISCE2's names: float, double, cfloat, short, int, "
                      "byte, ... or numpy's f, d, F, h, i, B)."),
        Parameter("no_xml", public_name="noxml", type=bool, default=False,
                  doc="Do not write the sidecars (.xml/.vrt/.hdr) of the output."),
        Parameter("inputs", type=str, container=list, default=[],
                  doc="The variables' files as <letter>=<file> (from --a=<file> ...)."),
    )
    options = {"-e": "eval", "--eval": "eval", "-o": "out", "--out": "out",
               "-s": "scheme", "--scheme": "scheme", "-t": "type", "--type": "type",
               "-n": Option("noxml", const="true"), "--noxml": Option("noxml", const="true"),
               "-H": "--help", "--hh": "--help", "-d": "--debug", **_LETTERS}
    steps = (Step("imagemath", image_math, image_math.__doc__),)

    def validate(self):
        try:
            isce_type(self.data_type)
        except ConfigurationError as exc:
            raise ConfigurationError(str(exc), source=self.source_of("data_type"),
                                     path=f"{self.config_path}.type") from None
