"""One run at a time per folder (a lock), and the hidden temporaries of a killed run removed
when the next run starts."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import isce_testapps
import pytest
from isce_commands import isce_env
from isce_testapps import Radar

ARGS = ["radarApp.seed=3", "radarApp.range looks=2", "radarApp.filter.filter strength=0.5"]
WAIT = 60  # s: the longest the holding run may take to start its step


def start_holder(folder, *args):
    """A Waiter run (tests/support/isce_testapps.py) in ``folder`` that holds it until a
    file ``release`` appears; returns once its step has started."""
    env = isce_env()
    env["PYTHONPATH"] = os.pathsep.join([str(Path(isce_testapps.__file__).parent), env["PYTHONPATH"]])
    code = ("import sys; from isce_testapps import Waiter; "
            f"sys.exit(Waiter.main(['waiter.py', *{list(args)!r}]))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=folder, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT
    while not (folder / "started").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the holding run ended first: {proc.communicate()[1]}")
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize("second", [[], ["--steps"], ["--next"]], ids=["plain", "steps", "next"])
def test_second_run_in_the_folder_is_refused_at_once(workdir, capsys, second):
    holder = start_holder(workdir, "--steps")
    try:
        began = time.monotonic()
        rc = Radar().run([*ARGS, *second])
        took = time.monotonic() - began
        err = capsys.readouterr().err
    finally:
        (workdir / "release").touch()
        holder_rc = holder.wait(timeout=WAIT)
    assert rc == 2 and took < 5
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert str(workdir / ".isce.lock") in lines[0] and f"pid {holder.pid}" in lines[0]
    # nothing of the refused run: no state of its steps, nothing in the holder's log
    assert not (workdir / "PICKLE" / "first").exists()
    assert "radar" not in (workdir / "isce.log").read_text()
    assert holder_rc == 0, holder.stderr.read()
    assert (workdir / "PICKLE" / "hold.json").is_file()          # the holder finished its work
    assert not (workdir / ".isce.lock").exists()                 # and let go of the folder
    assert Radar().run([*ARGS]) == 0                              # which is free again


def test_help_and_show_config_need_no_lock(workdir, capsys):
    holder = start_holder(workdir)
    try:
        assert Radar().run(["--help"]) == 0
        assert Radar().run([*ARGS, "--show-config"]) == 0
    finally:
        (workdir / "release").touch()
        holder.wait(timeout=WAIT)


def test_lock_of_a_killed_run_is_released(workdir):
    holder = start_holder(workdir)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=WAIT)
    assert (workdir / ".isce.lock").exists()   # the file stays; the kernel dropped its lock
    assert Radar().run([*ARGS]) == 0


class Products(Radar):
    """Radar writing into ``out`` and the working directory."""

    product_dirs = ("out", ".")


OURS = ["out/.product.bin.999999.0badc0de.partial",        # isce.io.atomic: data
        "out/.product.bin.xml.12345.a1b2c3d4.partial",     # isce.io.atomic: a sidecar
        "out/.product.bin.tif.4242.tmp",                    # the GeoTIFF writer
        ".report.json.31337.feedf00d.partial",              # isce.io.atomic in the folder itself
        "PICKLE/.second.k2j_x9q1.tmp"]                      # the state store
NOT_OURS = ["out/.product.bin.999999.0badc0de.partial.keep", "out/product.bin.1.ab.partial",
            "out/.notes.tmp", "out/.hidden", "elsewhere/.product.bin.1.ab.partial",
            "out/sub/.product.bin.1.ab.partial", ".isce.log.1.ab.partial.txt"]


@pytest.mark.parametrize("resume", [["--next"], []], ids=["next", "plain"])
def test_temporaries_of_a_killed_run_are_removed(workdir, resume):
    assert Products().run([*ARGS, "--end=first"]) == 0
    for name in OURS + NOT_OURS:
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_bytes(b"half")
    assert Products().run([*ARGS, *resume]) == 0
    assert [n for n in OURS if (workdir / n).exists()] == []
    assert [n for n in NOT_OURS if not (workdir / n).exists()] == []
    log = (workdir / "isce.log").read_text()
    for name in OURS:
        assert f"removed {workdir / name}, a temporary file left by an interrupted run" in log
