"""The house rules of isce.sensors (components/isce/sensors/README.md): one registry entry per
reader, ISCE2's property names, imports only downward and without cycles, no function over
150 lines, function-level imports only when marked lazy, writers in isce.simulate, and the
README listing every registered sensor."""
import ast
from pathlib import Path

import pytest

import isce.sensors
from isce.sensors import alos_ceos as alos_reader
from isce.sensors.base import Sensor
from isce.simulate import alos_ceos as alos_writer

PACKAGE = Path(isce.sensors.__file__).resolve().parent
#: packages a sensor module may import (the layers below it, and itself)
ALLOWED = ("isce._lazy", "isce.framework", "isce.core", "isce.io", "isce.version", "isce.sensors")


def _modules():
    return sorted(PACKAGE.glob("*.py"))


def _imports(path: Path):
    """(line, imported module, inside a function?) of every import statement of ``path``,
    relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    package = "isce.sensors"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, id(node) in inside
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            names = [f"{base}.{a.name}" for a in node.names] if not node.module else [base]
            for name in names:
                yield node.lineno, name, id(node) in inside


def _module_name(path: Path) -> str:
    return "isce.sensors" if path.stem == "__init__" else f"isce.sensors.{path.stem}"


def test_every_registered_name_creates_its_reader():
    for name in isce.sensors.SENSORS:
        cls = isce.sensors.sensor_class(name)
        assert issubclass(cls, Sensor)
        # the class's own name is registered for it (aliases point to the same class)
        assert isce.sensors.sensor_class(cls.sensor_name) is cls, name
        assert cls.__module__.startswith("isce.sensors.")


def test_register_aliases_in_one_entry():
    assert isce.sensors.sensor_class("NISAR_RSLC") is isce.sensors.sensor_class("NISAR_SLC")
    before = list(isce.sensors.SENSORS)
    with pytest.raises(ValueError, match="already registered"):
        isce.sensors.register("NISAR_SLC2", ".alos_ceos:Alos", aliases=(" nisar_rslc ",))
    assert isce.sensors.SENSORS == before          # nothing half-registered


@pytest.mark.parametrize("name,properties", [
    ("ALOS", {"IMAGEFILE", "LEADERFILE", "OUTPUT"}),
    ("NISAR_L0B", {"HDF5", "POLARIZATION", "FREQUENCY", "OUTPUT"}),
    ("NISAR_SLC", {"HDF5", "POLARIZATION", "FREQUENCY", "OUTPUT"}),
    ("UAVSAR_HDF5_SLC", {"HDF5", "POLARIZATION", "FREQUENCY", "OUTPUT"}),
    ("SENTINEL1", {"SAFE", "ORBITFILE", "ORBITDIR", "POLARIZATION", "SWATH", "OUTPUT"}),
    ("TERRASARX", {"XML", "POLARIZATION", "OUTPUT"}),
])
def test_readers_use_isce2_property_names(name, properties):
    assert properties <= set(isce.sensors.create(name).public_names())


def test_sensors_import_only_downward_and_without_cycles():
    graph = {}
    for path in _modules():
        here = _module_name(path)
        edges = set()
        for line, name, _ in _imports(path):
            if name == "isce" or not name.startswith("isce."):
                continue
            assert name.startswith(ALLOWED), f"{path.name}:{line} imports {name} (upward)"
            module = ".".join(name.split(".")[:3])
            if module.startswith("isce.sensors.") and (PACKAGE / f"{module.split('.')[2]}.py").exists():
                edges.add(module)
        graph[here] = edges - {here}

    def visit(node, trail):
        assert node not in trail, f"import cycle: {' -> '.join(trail[trail.index(node):] + [node])}"
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, trail + [node])

    for node in graph:
        visit(node, [])


def test_no_function_longer_than_150_lines():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > 150:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({n} lines)")
    assert not long


def test_function_level_imports_say_why():
    unmarked = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for line, name, inside in _imports(path):
            if inside and "# lazy:" not in lines[line - 1]:
                unmarked.append(f"{path.name}:{line} {name}")
    assert not unmarked


def test_writers_live_in_simulate():
    assert callable(alos_writer.write_ceos)
    assert not hasattr(alos_reader, "write_ceos")


def test_readme_lists_every_sensor():
    text = (PACKAGE / "README.md").read_text(encoding="utf-8")
    missing = [name for name in isce.sensors.SENSORS if f"`{name}`" not in text]
    assert not missing, f"README.md lacks {missing}"
