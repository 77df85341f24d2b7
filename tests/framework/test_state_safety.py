"""Saved state that cannot run code: PICKLE/<step> is read back only through a restricted
unpickler and only when its SHA-256 matches its manifest; small recorded files are checked
by content."""
import datetime
import hashlib
import json
import os
import pathlib
import pickle
import shlex
from types import SimpleNamespace

import numpy as np
import pytest

from isce.framework import Step
from isce.framework.steps import State
from isce_testapps import Radar

ARGS = ["radarApp.seed=3", "radarApp.range looks=2", "radarApp.filter.filter strength=0.5"]


def run(*args):
    app = Radar()
    return app.run([*ARGS, *args]), getattr(app, "state", None)


class RunsShell:
    """A pickle payload that runs a shell command when unpickled by pickle.load."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


class OpensFile:
    """A pickle payload that creates a file (builtins.open, no shell) when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def plant(workdir, step, data, *, fix_hash):
    """Replace PICKLE/<step> by ``data``; with ``fix_hash`` also its manifest's hash (an
    attacker who can write the folder writes both)."""
    (workdir / "PICKLE" / step).write_bytes(data)
    if fix_hash:
        manifest_path = workdir / "PICKLE" / f"{step}.json"
        manifest = json.loads(manifest_path.read_text())
        manifest["state_sha256"] = hashlib.sha256(data).hexdigest()
        manifest_path.write_text(json.dumps(manifest))


def one_error_line(err):
    """The run's one error line (the log of the steps that ran goes to stderr too)."""
    lines = [line for line in err.strip().splitlines() if not line.startswith("isce.")]
    assert len(lines) == 1 and lines[0].startswith("radarApp.py: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("payload", [RunsShell, OpensFile])
@pytest.mark.parametrize("fix_hash", [True, False], ids=["manifest-rewritten", "pickle-only"])
def test_crafted_pickle_is_refused_without_running(workdir, capsys, payload, fix_hash):
    assert run("--end=second")[0] == 0
    marker = workdir / "pwned"
    plant(workdir, "second", pickle.dumps(payload(marker)), fix_hash=fix_hash)
    capsys.readouterr()
    rc, _ = run("--next")
    line = one_error_line(capsys.readouterr().err)
    assert not marker.exists(), "the crafted pickle ran code"
    assert rc == 2
    assert str(workdir / "PICKLE" / "second") in line and "--start=second" in line
    if fix_hash:
        assert "system" in line or "open" in line  # names what it refused to call
    else:
        assert "does not match its manifest" in line


def test_valid_state_with_another_hash_is_refused(workdir, capsys):
    """A well-formed State pickle (of other values) that is not the one the manifest hashed."""
    assert run("--end=second")[0] == 0
    plant(workdir, "second", pickle.dumps(State(values=[100, 200, 300])), fix_hash=False)
    capsys.readouterr()
    rc, state = run("--next")
    line = one_error_line(capsys.readouterr().err)
    assert rc == 2 and state is None
    assert f"saved state {workdir / 'PICKLE' / 'second'} does not match its manifest" in line
    assert "--start=second" in line


def test_manifest_without_state_hash_is_refused(workdir, capsys):
    """A manifest that binds no pickle (e.g. hand-written, or from an older isce)."""
    assert run("--end=second")[0] == 0
    path = workdir / "PICKLE" / "second.json"
    manifest = json.loads(path.read_text())
    del manifest["state_sha256"]
    path.write_text(json.dumps(manifest))
    rc, _ = run("--next")
    assert rc == 2 and "does not match its manifest" in capsys.readouterr().err


def test_resume_with_untouched_state_still_matches_a_straight_run(workdir):
    assert run("--end=second")[0] == 0
    rc, state = run("--next")
    assert rc == 0 and state.values == [1.0, 2.5, 4.0] and state.done


def test_state_unpickler_builds_plain_types_and_state():
    from isce.framework.steps import read_state

    value = State(n=1, x=2.5, c=1 - 2j, s="é", b=b"\x00", t=(1, 2), l=[None, True],
                  d={"k": {1, 2}, "f": frozenset({3})}, when=datetime.datetime(2020, 1, 2, 3, 4, 5,
                  tzinfo=datetime.timezone.utc), day=datetime.date(2021, 5, 6),
                  span=datetime.timedelta(seconds=3), path=pathlib.Path("a/b.slc"),
                  raw=bytearray(b"ab"))
    for protocol in range(3, pickle.HIGHEST_PROTOCOL + 1):
        back = read_state(pickle.dumps(value, protocol=protocol))
        assert type(back) is State and vars(back) == vars(value)


@pytest.mark.parametrize("foreign", [SimpleNamespace(a=1), np.float64(1.5), np.arange(3),
                                     pickle.loads],
                         ids=["SimpleNamespace", "numpy-scalar", "numpy-array", "function"])
def test_state_unpickler_refuses_other_classes(foreign):
    from isce.framework.steps import read_state

    with pytest.raises(pickle.UnpicklingError, match="never holds"):
        read_state(pickle.dumps(State(x=foreign)))


def test_state_that_could_not_be_read_back_is_refused_when_saved(workdir, capsys):
    """A NumPy scalar in the state fails at once (plain runs too), not at the next resume."""
    def leaky(ctx):
        ctx.state.mean = np.float64(0.5)

    class Leaky(Radar):
        steps = (Step("leak", leaky, "Leaks a NumPy scalar."),)

    assert Leaky().run([]) == 2
    err = capsys.readouterr().err
    assert "step 'leak' left state that cannot be saved" in err and "numpy" in err


def test_small_file_edited_with_same_size_and_mtime_is_refused(workdir, capsys):
    """Content, not only size and mtime, of small recorded files (JSON, sidecars)."""
    out = workdir / "fit.json"

    def writer(ctx):
        out.write_text('{"a": 1.0}')
        ctx.add_output(out)
        ctx.state.values = [1]

    class Writer(Radar):
        steps = (Step("write", writer, "Write."), *Radar.steps[1:])

    assert Writer().run(["--end=write"]) == 0
    st = out.stat()
    out.write_text('{"a": 9.0}')                      # same size
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    assert Writer().run(["--next"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"output file {out} of step 'write' has changed since it was written" in line
    assert "--start=write" in line


def test_file_written_then_read_names_the_step_that_writes_it(workdir, capsys):
    """A file one step writes and a later one reads: the restart is the writer."""
    out = workdir / "poly.json"

    def writer(ctx):
        out.write_text("[1, 2]")
        ctx.add_output(out)
        ctx.state.values = [1]

    def reader(ctx):
        ctx.add_input(out)
        ctx.state.values = json.loads(out.read_text())

    class Chain(Radar):
        steps = (Step("write", writer, "Write."), Step("read", reader, "Read."), Radar.steps[2])

    assert Chain().run(["--end=read"]) == 0
    out.write_text("[7, 9, 9]")
    assert Chain().run(["--next"]) == 2
    assert "start from 'write' (--start=write)" in capsys.readouterr().err
