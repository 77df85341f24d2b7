#!/usr/bin/env python3
"""Create or reuse ``.venv-mintpy``: MintPy from PyPI, the client our stack outputs must satisfy.

A virtual environment of its own, apart from ``.venv``: MintPy brings some 800 MB of
dependencies (cartopy, cvxopt, dask, ...) that isce does not need, and it must run
without ISCE2 (or isce) importable, as a new user's MintPy does. Called by ``make test``
and ``make stack-demo``; ``MINTPY_VENV`` names another folder.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the client version the tests prove our outputs against (the issue names MintPy 1.6)
MINTPY = "mintpy==1.6.4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venv", default=os.environ.get("MINTPY_VENV", str(ROOT / ".venv-mintpy")))
    env_dir = Path(parser.parse_args().venv)
    python = env_dir / "bin" / "python"
    stamp = env_dir / ".mintpy-installed"
    if stamp.exists() and stamp.read_text() == MINTPY:
        print(f"setup: {env_dir} has {MINTPY}", flush=True)
        return
    if not python.exists():
        print(f"setup: creating virtual environment {env_dir} for MintPy", flush=True)
        venv.EnvBuilder(with_pip=True).create(env_dir)
    cmd = [str(python), "-m", "pip", "install", "--quiet", MINTPY]
    print("setup: $ " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)   # pip's index warnings: noise
    if proc.returncode != 0:
        print(proc.stdout[-4000:] + proc.stderr[-4000:], file=sys.stderr)
        print(f"setup: could not install {MINTPY} into {env_dir}", file=sys.stderr)
        raise SystemExit(2)
    stamp.write_text(MINTPY)
    print(f"setup: {MINTPY} installed in {env_dir}", flush=True)


if __name__ == "__main__":
    main()
