"""Band arithmetic of ISCE2's ``imageMath.py`` without ``eval``: a small, whitelisted
evaluator of Python expression syntax over numpy arrays.

    expr = parse("abs(a) * exp(-1.0*J*arg(b_1))")
    expr.variables                      # ('a', 'b_1')
    out = expr.evaluate({"a": a_block, "b_1": b_block}, rows=range(0, 64), width=512)

What an expression may hold (ISCE2's ``ImageLib.fnDict``/``constDict``): numbers (real or
imaginary, ``2.5``, ``1j``); the operators ``+ - * / // % **``, unary ``+ -``, the comparisons
``< <= > >= == !=`` and the element-wise ``& | ^ ~`` (on comparison results); calls of the
functions in :data:`FUNCTIONS` (positional arguments only); the constants in
:data:`CONSTANTS` plus ``ROW`` (line number) and ``COL`` (pixel number); and band variables,
one lower-case letter, optionally ``_<band>`` (``a``, ``b_0``, ``b_1``; bands from 0). Anything
else -- attributes, subscripts, lambdas, comprehensions, keywords, strings, other names --
is refused with an :class:`ExpressionError` naming it, before any data are read. Numbers are
evaluated as numpy scalars, so no expression can grow Python integers without bound.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass

import numpy as np

from isce.framework.errors import InputError

__all__ = ["parse", "parse_bands", "Expression", "ExpressionError", "FUNCTIONS", "CONSTANTS", "VARIABLE"]

#: ISCE2's functions (``isceobj.Util.ImageUtil.ImageLib.fnDict``), same numpy meaning
FUNCTIONS = {
    "cos": np.cos, "sin": np.sin, "exp": np.exp, "log": np.log, "log2": np.log2,
    "log10": np.log10, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "arg": np.angle, "conj": np.conj, "abs": np.abs, "round": np.round, "ceil": np.ceil,
    "floor": np.floor, "real": np.real, "imag": np.imag, "rad": np.radians, "deg": np.degrees,
    "sqrt": np.sqrt, "mod": np.mod,
}
#: ISCE2's constants (``constDict``); ``ROW`` and ``COL`` are the line and pixel numbers
CONSTANTS = {"PI": np.float64(np.pi), "J": np.complex128(1j), "I": np.complex128(1j),
             "E": np.float64(np.e), "NAN": np.float64(np.nan)}
POSITION = ("ROW", "COL")
#: a band variable: one lower-case letter, optionally ``_<band number>``
VARIABLE = re.compile(r"^([a-z])(?:_(\d+))?$")
MAX_LENGTH = 10_000          # characters of one expression

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
           ast.BitXor: operator.xor}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Invert: operator.invert}
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
_REFUSED = {ast.Attribute: "attribute access ('.')", ast.Subscript: "subscripts ('[...]')",
            ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
            ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
            ast.BoolOp: "'and'/'or' (use & and |)", ast.IfExp: "'if ... else'",
            ast.NamedExpr: "':='", ast.Starred: "'*' unpacking", ast.JoinedStr: "strings",
            ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets"}


class ExpressionError(InputError):
    """An expression imageMath cannot evaluate: what is refused, and where."""


def _shown(text):
    """The expression as quoted in messages (long ones cut)."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _refuse(text, node, what):
    col = getattr(node, "col_offset", None)
    where = f", column {col + 1}" if col is not None else ""
    raise ExpressionError(f"expression {_shown(text)}{where}: {what} is not allowed")


def _number(value, text, node):
    """A literal as a numpy scalar (float64 or complex128): bounded arithmetic."""
    if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
        _refuse(text, node, f"the constant {value!r}")
    try:
        return np.complex128(value) if isinstance(value, complex) else np.float64(value)
    except OverflowError:
        _refuse(text, node, f"the number {value!r} (too large)")


class _Checker(ast.NodeVisitor):
    """Walks a parsed expression, refusing every node outside the whitelist; collects the
    band variables."""

    def __init__(self, text):
        self.text = text
        self.variables: list[str] = []

    def generic_visit(self, node):
        if type(node) in _REFUSED:
            _refuse(self.text, node, _REFUSED[type(node)])
        if not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare,
                                 ast.Call, ast.Name, ast.Constant, ast.Load)
                          + tuple(_BINARY) + tuple(_UNARY) + tuple(_COMPARE)):
            _refuse(self.text, node, f"'{type(node).__name__}'")
        super().generic_visit(node)

    def visit_Constant(self, node):
        _number(node.value, self.text, node)

    def visit_Call(self, node):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = name if name else ast.unparse(node.func)
            _refuse(self.text, node, f"calling {shown!r} (functions: {', '.join(FUNCTIONS)})")
        if node.keywords:
            _refuse(self.text, node, f"keyword arguments to {name}()")
        for arg in node.args:
            self.visit(arg)

    def visit_Name(self, node):
        name = node.id
        if name in CONSTANTS or name in POSITION:
            return
        if name in FUNCTIONS:
            _refuse(self.text, node, f"the function {name!r} without a call")
        if VARIABLE.match(name) is None:
            kind = ("a constant" if name.isupper() else "a band variable (one lower-case letter, "
                    "optionally _<band>)" if len(name.split("_")[0]) == 1 else "a function or constant")
            _refuse(self.text, node, f"the name {name!r}: not {kind}; constants: "
                                     f"{', '.join((*CONSTANTS, *POSITION))}")
        if name not in self.variables:
            self.variables.append(name)


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, syntax tree and the band variables it reads."""

    text: str
    tree: ast.Expression
    variables: tuple

    def evaluate(self, bands: dict, rows=None, width: int | None = None):
        """Value over a block: ``bands`` maps each variable to a 2-D array (lines, pixels);
        ``rows`` (the block's line numbers) and ``width`` give ``ROW`` and ``COL``. Returns a
        numpy array (or scalar without bands); numpy's warnings (log of 0, ...) are silenced,
        the results (inf, NaN) kept, as ISCE2's numpy evaluation gives them."""
        env = dict(CONSTANTS)
        if rows is not None:
            env["ROW"] = np.asarray(rows, dtype=np.float64)[:, None]
        if width is not None:
            env["COL"] = np.arange(width, dtype=np.float64)[None, :]
        env.update(bands)
        with np.errstate(all="ignore"):
            try:
                return _eval(self.tree.body, env, self.text)
            except (TypeError, ValueError) as exc:   # e.g. ~ of a float, mod of complex
                raise ExpressionError(f"expression {_shown(self.text)}: {exc}") from None


def _eval(node, env, text):
    if isinstance(node, ast.Constant):
        return _number(node.value, text, node)
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ExpressionError(f"expression {_shown(text)}: {node.id!r} has no value here")
        return env[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, env, text), _eval(node.right, env, text))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, env, text))
    if isinstance(node, ast.Compare):
        left, result = _eval(node.left, env, text), None
        for op, comparator in zip(node.ops, node.comparators):
            right = _eval(comparator, env, text)
            step = _COMPARE[type(op)](left, right)
            result = step if result is None else result & step
            left = right
        return result
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](*(_eval(a, env, text) for a in node.args))
    _refuse(text, node, f"'{type(node).__name__}'")   # unreachable after parse()


def parse(text: str) -> Expression:
    """Check ``text`` (one band's expression) and return the :class:`Expression`; an
    :class:`ExpressionError` names what is refused."""
    text = str(text).strip()
    if not text:
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression of {len(text)} characters: at most {MAX_LENGTH}")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {_shown(text)}: not valid syntax ({exc.msg} at column "
                              f"{exc.offset})") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"expression {_shown(text)}: too deeply nested") from None
    checker = _Checker(text)
    try:
        checker.visit(tree)
    except RecursionError:
        raise ExpressionError(f"expression {_shown(text)}: too deeply nested") from None
    return Expression(text, tree, tuple(checker.variables))


def parse_bands(text: str) -> list[Expression]:
    """ISCE2's ``-e``: one expression per output band, separated by ``;``."""
    parts = str(text).split(";")
    return [parse(p) for p in parts]
