"""House rule: no function in components/ is longer than 150 lines (issue 15), so each can be
read at once. Every .py file under components/ is parsed with ast; a function's length runs
from its ``def`` line to its last line (docstring, nested functions and blank lines
included, decorators not)."""
import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMPONENTS = REPO / "components"
MAX_LINES = 150


def long_functions(source: str, name: str, limit: int = MAX_LINES) -> list:
    """``"name:line qualified.name (N lines)"`` of each function or method in ``source`` longer
    than ``limit`` lines."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    length = child.end_lineno - child.lineno + 1
                    if length > limit:
                        found.append(f"{name}:{child.lineno} {qual} ({length} lines)")
                visit(child, qual + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source, filename=name), "")
    return found


def test_the_check_finds_long_functions_nested_ones_and_methods():
    body = "\n".join(f"    x{i} = {i}" for i in range(150))
    source = (f"def short():\n    pass\n\n\ndef long_one():\n{body}\n\n\n"
              f"class A:\n    def method(self):\n        def inner():\n"
              + "\n".join(f"            y{i} = {i}" for i in range(151)) + "\n")
    assert long_functions(source, "m.py") == [
        "m.py:5 long_one (151 lines)", "m.py:159 A.method (153 lines)",
        "m.py:160 A.method.inner (152 lines)"]
    assert long_functions(source, "m.py", limit=160) == []


def test_no_function_in_components_is_longer_than_150_lines():
    files = sorted(COMPONENTS.rglob("*.py"))
    assert len(files) > 50                      # the package is there, not an empty folder
    found = []
    for path in files:
        found += long_functions(path.read_text(encoding="utf-8"),
                                path.relative_to(REPO).as_posix())
    assert not found, ("functions longer than 150 lines (split them):\n  "
                       + "\n  ".join(found))
