#!/usr/bin/env python3
"""`make tutorial`: the framework tutorial, run as a user would type it, under demo/.

The greeter configured through
every layer ($ISCEDB, working directory, command-line file, name=value), then run in
step mode, interrupted and resumed with --next.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "greeter"
DEMO = ROOT / "demo" / "tutorial" / "greeter"


def sh(*args: str, env_db: bool = True, check: bool = True) -> str:
    cmd = ["greeter.py", *args]
    shown = ("ISCEDB=../isce-db " if env_db else "") + " ".join(shlex.quote(a) for a in cmd)
    print(f"\n$ {shown}", flush=True)
    env = dict(os.environ)
    env.pop("ISCEDB", None)
    if env_db:
        env["ISCEDB"] = str(DEMO.parent / "isce-db")
    proc = subprocess.run([sys.executable, str(EXAMPLE / "greeter.py"), *args], cwd=DEMO,
                          env=env, capture_output=True, text=True)
    print(proc.stdout, end="")
    print("".join(f"  | {line}\n" for line in proc.stderr.splitlines()), end="")
    if proc.returncode != 0 and check:
        raise SystemExit(f"tutorial: command failed with status {proc.returncode}")
    print(f"  (exit status {proc.returncode})")
    return proc.stdout


def main() -> None:
    shutil.rmtree(DEMO.parent, ignore_errors=True)
    shutil.copytree(EXAMPLE / "workdir", DEMO)
    shutil.copytree(EXAMPLE / "isce-db", DEMO.parent / "isce-db")
    print(f"tutorial: the greeter in {DEMO.relative_to(ROOT)} (greeter.py is "
          f"{EXAMPLE.relative_to(ROOT)}/greeter.py)")
    sh(env_db=False)
    sh("--show-config")
    sh("hello.xml", "greeter.name to use in greeting=Ada", "--show-config")
    sh("hello.xml", "greeter.name to use in greeting=Ada", "--steps", "--end=compose")
    sh("hello.xml", "greeter.name to use in greeting=Ada", "--next")
    print("\n# changing a setting a completed step used makes resuming refuse, saying why:")
    sh("hello.xml", "greeter.name to use in greeting=Ada", "greeter.language=spanish",
       "--start=deliver", check=False)
    greeting = (DEMO / "greeting.txt").read_text().strip()
    if greeting != "COUCOU, ADA !!":
        raise SystemExit(f"demo: unexpected greeting {greeting!r}")
    print(f"\ntutorial: done; greeting.txt says {greeting!r}; the log is {DEMO.relative_to(ROOT)}/isce.log")


if __name__ == "__main__":
    main()
