#!/usr/bin/env python3
"""Create or reuse the project's virtual environment with isce and its test tools installed.

Called by ``make demo`` and ``make test``. Needs Python >= 3.10, a C++ compiler and
access to PyPI; no sudo. The package is (re)installed only when its sources changed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "SConstruct", "components", "library", "applications")
SUFFIXES = {".py", ".toml", ".cpp", ".hpp", ".c", ".h", ".xml", ".json", ".xz", ""}


def fail(message: str) -> None:
    print(f"setup: {message}", file=sys.stderr)
    raise SystemExit(2)


def source_digest() -> str:
    """Hash of everything that goes into the installed package."""
    digest = hashlib.sha256()
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if f.suffix in SUFFIXES and "__pycache__" not in f.parts and not f.name.endswith(".so"):
                digest.update(str(f.relative_to(ROOT)).encode())
                digest.update(f.read_bytes())
    return digest.hexdigest()


def run(cmd: list[str]) -> None:
    print("setup: $ " + " ".join(cmd), flush=True)
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        fail(f"command failed: {' '.join(cmd)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venv", default=os.environ.get("VENV", str(ROOT / ".venv")))
    args = parser.parse_args()
    if sys.version_info < (3, 10):
        fail(f"Python >= 3.10 is needed, this is {sys.version.split()[0]}; "
             "run with PYTHON=python3.11 make ...")
    env_dir = Path(args.venv)
    python = env_dir / "bin" / "python"
    if not python.exists():
        print(f"setup: creating virtual environment {env_dir}", flush=True)
        venv.EnvBuilder(with_pip=True).create(env_dir)
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    stamp = env_dir / ".isce-installed"
    digest = source_digest()
    if stamp.exists() and stamp.read_text() == digest:
        print(f"setup: {env_dir} is up to date", flush=True)
        return
    run([str(python), "-m", "pip", "install", "--quiet", f"{ROOT}[test,stack]"])   # stack: the stack tests run Dask
    stamp.write_text(digest)
    print(f"setup: isce installed in {env_dir}", flush=True)


if __name__ == "__main__":
    main()
