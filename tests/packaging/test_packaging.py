"""What pip installs and what the sdist carries.

* Every third-party module isce imports (components/isce, applications/) is a declared
  dependency in pyproject.toml, and every declared dependency is imported (no package
  installed for one data file): rasterio is used at run time, dem-stitcher is not.
* The sdist, built by the real backend (enscons, as ``python -m build --sdist`` runs it) from
  a copy of this source tree, carries what its README's ``make test`` / ``make demo`` need:
  the Makefile and every script it runs, setup/, tests/, examples/, configuration/, the
  package with its data (NGA's EGM96 grid) and NOTICE; no build products, no benchmarks/.
"""
import ast
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

try:
    import tomllib
except ImportError:              # Python 3.10: tomli comes with enscons (the test extra)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
# optional imports, each guarded in the code and documented where it is used
OPTIONAL = {"egm96"}              # isce.dem.geoid: the egm96 package (Python >= 3.12 only)
# import name -> distribution name, where they differ
DISTRIBUTION = {}
# what `make test` / `make demo` read in the unpacked folder, besides the package's sources
SDIST_FOLDERS = ("setup", "tests", "examples", "configuration", "library", "components/isce")
SDIST_FILES = ("Makefile", "README.md", "LICENSE", "NOTICE", "pyproject.toml", "SConstruct",
               "PKG-INFO")
BUILD_PRODUCTS = re.compile(r"(__pycache__|\.so$|\.pyc$|\.o$|(^|/)build/|(^|/)dist/)")


def _normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared():
    with open(ROOT / "pyproject.toml", "rb") as f:
        deps = tomllib.load(f)["project"]["dependencies"]
    return {_normalise(re.match(r"[A-Za-z0-9_.-]+", d).group(0)) for d in deps}


def _optional_extras():
    """Distributions the optional extras (not ``test``) bring, which isce may import lazily
    where they are used: a requirement's name and its own extras' (``dask[distributed]``:
    dask and distributed, for ``isce[stack]``)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        extras = tomllib.load(f)["project"].get("optional-dependencies", {})
    names = set()
    for extra, reqs in extras.items():
        for req in reqs if extra != "test" else ():
            m = re.match(r"([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?", req)
            names.add(_normalise(m.group(1)))
            names.update(_normalise(e) for e in (m.group(2) or "").split(",") if e.strip())
    return names


def _imported():
    """Top-level names of every absolute import in the package and the applications."""
    files = list((ROOT / "components" / "isce").rglob("*.py")) + list(
        (ROOT / "applications").glob("*.py"))
    names = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "isce"}


def test_declared_dependencies_are_the_imported_ones():
    imported = {_normalise(DISTRIBUTION.get(n, n)) for n in _imported() - OPTIONAL}
    declared = _declared()
    assert imported - declared - _optional_extras() == set(), \
        "imported but not declared in [project] dependencies or an optional extra"
    assert {"dask", "distributed"} <= _optional_extras()          # isce[stack]
    assert declared - imported == set(), "declared but never imported by isce"
    assert "rasterio" in declared and "dem-stitcher" not in declared


def _tree(root, folder):
    """Files under ``folder`` as the SConstruct collects them (no caches, hidden files, .so)."""
    out = set()
    for path in (root / folder).rglob("*"):
        rel = path.relative_to(root).as_posix()
        if (path.is_file() and not any(p.startswith(".") for p in rel.split("/"))
                and not BUILD_PRODUCTS.search(rel)):
            out.add(rel)
    return out


def test_sdist_carries_what_make_test_and_make_demo_need(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "demo", "__pycache__", "*.so", "*.pyc", "PKG-INFO"))
    out = tmp_path / "dist"
    code = "import enscons.api, sys; print(enscons.api.build_sdist(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=src, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    archive = out / done.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    top = {n.split("/", 1)[0] for n in names}
    assert len(top) == 1, top                          # one folder, isce-<version>/
    members = {n.split("/", 1)[1] for n in names}

    expected = set(SDIST_FILES) | {f"applications/{p.name}" for p in (src / "applications")
                                   .glob("*.py") if not p.name.startswith("_")}
    for folder in SDIST_FOLDERS:
        expected |= _tree(src, folder)
    assert "components/isce/dem/data/egm96_15.gtx.xz" in expected
    assert "tests/conftest.py" in expected and "setup/bootstrap.py" in expected
    assert sorted(expected - members) == []
    # every script the Makefile runs is there
    makefile = (src / "Makefile").read_text(encoding="utf-8")
    scripts = set(re.findall(r"\bsetup/[\w.-]+\.py\b", makefile))
    assert scripts and scripts <= members
    # nothing built, nothing of the machine, no benchmarks or CI scripts
    assert [n for n in members if BUILD_PRODUCTS.search(n)] == []
    assert [n for n in members if n.startswith(("benchmarks/", ".ci/", ".git"))] == []
