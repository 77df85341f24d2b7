"""Run isce's commands in a subprocess against the same isce the tests import."""
import os
import subprocess
import sys
from pathlib import Path

import isce

REPO = Path(__file__).resolve().parents[2]
APPLICATIONS = REPO / "applications"


def isce_env() -> dict:
    """The environment with the imported isce first on PYTHONPATH (installed or in-place)."""
    env = dict(os.environ)
    root = str(Path(isce.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def run_command(script, *args, cwd, timeout=600) -> subprocess.CompletedProcess:
    """``python applications/<script> args...`` in ``cwd``; output captured as text."""
    return subprocess.run([sys.executable, str(APPLICATIONS / script), *map(str, args)], cwd=cwd,
                          env=isce_env(), capture_output=True, text=True, timeout=timeout)
