"""The import graph of ``components/isce``, built from the source: no cycles, nothing upward.

Every ``import`` statement counts, at module level or inside a function alike (an import
inside a function hides a dependency; it does not remove it). Relative imports are
resolved; ``from isce.x import y`` is an edge to the module ``isce.x.y`` when ``y`` is a
submodule, else to ``isce.x``. Imports by name string (``importlib.import_module``, the
lazy attribute tables of the package ``__init__`` files) are not statements and are not
followed: they only reach down into a package's own submodules.

Layers, lowest first (a module may import its own package and lower ranks, never higher):

====  =========================================================================
rank  packages
====  =========================================================================
0     ``isce`` (``__init__``), ``isce._lazy``, ``isce.version``, ``isce.ext``
1     ``isce.framework``
2     ``isce.core``, ``isce.io``
3     ``isce.geometry``, ``isce.sensors``, ``isce.signal``
4     ``isce.dem``, ``isce.focus``, ``isce.offsets``, ``isce.unwrap``
5     ``isce.simulate``
6     ``isce.quality``, ``isce.stack``
7     ``isce.apps``
====  =========================================================================

``isce.dem`` (preparing DEMs: vertical datum, voids, coverage) sits above ``isce.geometry``:
it checks a DEM's coverage of a scene with :mod:`isce.geometry.footprint`. Geometry only
reads DEMs; opening a DEM file (ISCE raster or GDAL, on an EPSG:4326 grid), which both
need, lives in :mod:`isce.geometry.demsource` (it was ``isce.dem.dem._open``, reached from
``isce.geometry.footprint`` by a hidden import: a cycle).

Within one package, edges between its modules are free, but a cycle is an error as anywhere.

A second rule: every import inside a function carries ``# lazy: <reason>`` on its line (or
the line above; consecutive imports share one), so each one left there is a decision, not
a habit: the imports that keep ``import isce`` and its packages cheap, and heavy or optional
libraries (scipy, rasterio/GDAL, pyFFTW, snaphu, OR-Tools, matplotlib, ...).
"""
from __future__ import annotations

import ast
from pathlib import Path

COMPONENTS = Path(__file__).resolve().parents[2] / "components"

#: top-level package (or module) of isce -> rank; imports go to the same or a lower rank
LAYERS = {
    "isce": 0, "isce._lazy": 0, "isce.version": 0, "isce.ext": 0,
    "isce.framework": 1,
    "isce.core": 2, "isce.io": 2,
    "isce.geometry": 3, "isce.sensors": 3, "isce.signal": 3,
    "isce.dem": 4, "isce.focus": 4, "isce.offsets": 4, "isce.unwrap": 4,
    "isce.simulate": 5,
    "isce.quality": 6, "isce.stack": 6,
    "isce.apps": 7,
}

LAZY_MARK = "# lazy:"


def modules(root: Path = COMPONENTS) -> dict[str, Path]:
    """Dotted module name -> source file, for every module and package of ``isce``."""
    found = {}
    for path in sorted((root / "isce").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _package_of(name: str, path: Path) -> str:
    """The package a module's relative imports start from."""
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def import_nodes(tree: ast.AST):
    """Yield ``(node, in_function)`` for every import statement of a module."""
    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, inside)
    yield from walk(tree, False)


def targets(node: ast.AST, name: str, path: Path, known) -> set[str]:
    """The isce modules an import statement of module ``name`` imports."""
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
        return {_deepest(base, known) for base in bases if _deepest(base, known)}
    if node.level:
        package = _package_of(name, path).split(".")
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        target = sub if sub in known else _deepest(base, known)
        if target:
            found.add(target)
    return found


def _deepest(dotted: str, known) -> str | None:
    """The longest prefix of ``dotted`` that is an isce module (None outside isce)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def import_graph(root: Path = COMPONENTS) -> dict[str, dict[str, int]]:
    """Module -> {imported isce module: line of the first such import}."""
    known = modules(root)
    graph = {}
    for name, path in known.items():
        edges = graph.setdefault(name, {})
        for node, _ in import_nodes(ast.parse(path.read_text(), str(path))):
            for target in targets(node, name, path, known):
                if target != name:
                    edges.setdefault(target, node.lineno)
    return graph


def layer(module: str) -> str:
    """The entry of LAYERS a module belongs to (its longest listed prefix)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return ".".join(parts[:n])
    raise KeyError(f"{module} is in no layer: add its package to LAYERS")


def cycles(graph) -> list[list[str]]:
    """One cycle path (first module repeated at the end) per strongly connected component."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(v):  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(set(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_cycle_in(graph, component) for component in components]


def _cycle_in(graph, component: set[str]) -> list[str]:
    """A cycle through the smallest-named module of a strongly connected component."""
    start = min(component)
    paths, queue = {start: [start]}, [start]
    while queue:  # breadth first: the shortest way back to start
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                return paths[v] + [start]
            if w in component and w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    raise AssertionError("not a cycle")  # pragma: no cover


def upward_edges(graph) -> list[str]:
    """Each import of a higher layer, as ``"a (rank) -> b (rank), line n"``."""
    found = []
    for source, edges in sorted(graph.items()):
        for target, line in sorted(edges.items()):
            low, high = LAYERS[layer(source)], LAYERS[layer(target)]
            if high > low:
                found.append(f"{source} (rank {low}) -> {target} (rank {high}), line {line}")
    return found


def import_runs(tree: ast.AST):
    """Yield each run of consecutive import statements inside a function (a list of nodes)."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            for body in (getattr(node, name, None) for name in ("body", "orelse", "finalbody")):
                run = []
                for statement in (body if isinstance(body, list) else []) + [None]:
                    if isinstance(statement, (ast.Import, ast.ImportFrom)):
                        run.append(statement)
                    elif run:
                        yield run
                        run = []


def unmarked_lazy_imports(root: Path = COMPONENTS) -> list[str]:
    """Each import inside a function without ``# lazy: reason`` on its lines or the line
    above; consecutive imports (e.g. ``import rasterio`` and ``from rasterio.enums ...``)
    share one mark."""
    found = set()
    for path in modules(root).values():
        text = path.read_text()
        lines = text.splitlines()
        for run in import_runs(ast.parse(text, str(path))):
            near = lines[max(run[0].lineno - 2, 0):run[-1].end_lineno]
            if not any(LAZY_MARK in line for line in near):
                found.update(f"{path.relative_to(root)}:{node.lineno}: {lines[node.lineno - 1].strip()}"
                             for node in run)
    return sorted(found, key=lambda entry: (entry.split(":")[0], int(entry.split(":")[1])))


# ------------------------------------------------------------------------------------- tests
def test_every_module_has_a_layer():
    assert [m for m in modules() if not any(m == k or m.startswith(k + ".") for k in LAYERS)] == []


def test_no_import_cycles():
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_no_upward_imports():
    found = upward_edges(import_graph())
    assert found == [], "imports of a higher layer:\n" + "\n".join(found)


def test_function_level_imports_say_why():
    found = unmarked_lazy_imports()
    assert found == [], (f"imports inside functions without '{LAZY_MARK} <reason>' "
                         "(move them to module level, or give the reason):\n" + "\n".join(found))


# ------------------------------------------------------------------- the checker checks itself
def _tree(tmp_path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_checker_sees_hidden_cycles_and_resolves_imports(tmp_path):
    root = _tree(tmp_path, {
        "isce/__init__.py": "",
        "isce/dem/__init__.py": "",
        "isce/dem/dem.py": "from ..geometry import footprint\n",
        "isce/geometry/__init__.py": "",
        "isce/geometry/footprint.py": "def f():\n    from isce.dem.dem import _open  # lazy: x\n",
        "isce/geometry/rdr2geo.py": "import isce.geometry.footprint\nfrom . import dem\n",
        "isce/geometry/dem.py": "",
    })
    graph = import_graph(root)
    assert graph["isce.dem.dem"] == {"isce.geometry.footprint": 1}
    assert graph["isce.geometry.footprint"] == {"isce.dem.dem": 2}
    assert graph["isce.geometry.rdr2geo"] == {"isce.geometry.footprint": 1, "isce.geometry.dem": 2}
    assert cycles(graph) == [["isce.dem.dem", "isce.geometry.footprint", "isce.dem.dem"]]
    assert unmarked_lazy_imports(root) == []


def test_checker_sees_upward_edges_and_unmarked_imports(tmp_path):
    root = _tree(tmp_path, {
        "isce/__init__.py": "",
        "isce/apps/__init__.py": "",
        "isce/apps/products.py": "",
        "isce/quality/__init__.py": "",
        "isce/quality/pointtarget.py": "def f():\n    from isce.apps import products\n",
        "isce/quality/report.py": ("def g():\n    # lazy: one reason for both\n    import os\n"
                                   "    from sys import argv\n\n\ndef h():\n    import os\n    x = 1\n"
                                   "    import sys  # lazy: a reason\n"),
    })
    graph = import_graph(root)
    assert upward_edges(graph) == [
        "isce.quality.pointtarget (rank 6) -> isce.apps.products (rank 7), line 2"]
    assert cycles(graph) == []
    assert unmarked_lazy_imports(root) == [
        "isce/quality/pointtarget.py:2: from isce.apps import products",
        "isce/quality/report.py:8: import os"]
