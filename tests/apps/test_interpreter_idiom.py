"""ISCE's README idiom works as written (issue 13, item 3).

In a fresh interpreter, ``import isce`` makes the commands importable by name, and

    >>> from insarApp import Insar
    >>> a = Insar(name="insarApp", cmdline="insarInputs.xml")
    >>> a.configure()
    >>> a.run()

configures and runs as ``insarApp.py insarInputs.xml`` would (here with ``--end=formslc``
in ``cmdline`` to keep it short). The state a step saved then loads as the README's "running
with steps" shows, through the hash-checked restricted loader: ``isce.load_state(
"PICKLE/formslc").getReferenceOrbit()._unpackOrbit()`` gives the reader's state vectors.
The pair: a small Sentinel-1-like ISCE_SLC pair made by simulateApp.py.
"""
import datetime
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from isce_commands import APPLICATIONS, isce_env, run_command
from isce_testapps import Radar

import isce
from isce._appmodules import APPLICATION_MODULES, ApplicationFinder
from isce.apps.insar import Insar
from isce.core.orbit import Orbit
from isce.framework import ConfigurationError, State, StepError

import insarApp      # after `import isce`: the commands by name, the idiom under test
import stripmapApp

#: the README's lines, with the command line of a short run (step options and one setting)
CMDLINE = "insarInputs.xml 'insarApp.azimuth looks=5' --end=formslc"
SESSION = f'''\
import isce
from insarApp import Insar
a = Insar(name="insarApp", cmdline="{CMDLINE}")
a.configure()
import json; print(json.dumps({{"looks": [a.azimuth_looks, a.range_looks]}}))
a.run()
state = isce.load_state("PICKLE/formslc")
o = state.getReferenceOrbit()
t, x, p, off = o._unpackOrbit()
print(json.dumps({{"t": t, "x": x, "p": p, "off": off.isoformat()}}))
'''


def interpreter(lines: str, cwd) -> subprocess.CompletedProcess:
    """``lines`` typed into a fresh interactive Python (values echoed on stdout, as in the README)."""
    return subprocess.run([sys.executable, "-q", "-i"], input=lines, cwd=cwd, env=isce_env(),
                          capture_output=True, text=True, timeout=600)


def python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=isce_env(),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """simulateApp's small ISCE_SLC pair; its insarApp.xml renamed insarInputs.xml (so only
    ``cmdline`` names it: ./insarApp.xml would be read by name)."""
    folder = tmp_path_factory.mktemp("idiom")
    sim = run_command("simulateApp.py", "simulateApp.sensor=ISCE_SLC", "simulateApp.radar=SENTINEL1",
                      "simulateApp.pulses=2048", cwd=folder)
    assert sim.returncode == 0, sim.stderr[-3000:]
    work = folder / "simulation"
    (work / "insarApp.xml").rename(work / "insarInputs.xml")
    return work


@pytest.fixture(scope="module")
def session(pair):
    """The command's configuration, then the README session's output in the same folder."""
    command = run_command("insarApp.py", "insarInputs.xml", "insarApp.azimuth looks=5",
                          "--end=formslc", cwd=pair)
    assert command.returncode == 0, command.stderr[-3000:]
    command_config = json.loads((pair / "PICKLE" / "formslc.json").read_text())["config"]
    shutil.rmtree(pair / "PICKLE")
    done = interpreter(SESSION, pair)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    # the printed JSON and the values echoed, without a.configure()'s <... object at ...>
    return command_config, [line for line in done.stdout.splitlines() if not line.startswith("<")]


def test_readme_idiom_configures_and_runs_as_the_command(pair, session):
    command_config, out = session
    assert json.loads(out[0]) == {"looks": [5, 7]}       # cmdline setting over insarInputs.xml's 7
    assert out[1] == "0"                                 # a.run() echoes its exit status
    saved = json.loads((pair / "PICKLE" / "formslc.json").read_text())
    assert saved["config"] == command_config             # what insarApp.py <cmdline> configures
    assert not (pair / "PICKLE" / "verifyDEM").exists()  # --end=formslc honoured
    assert (pair / "reference" / "reference.slc").is_file()


def test_load_state_gives_the_readers_orbit(pair, session, monkeypatch):
    unpacked = json.loads(session[1][2])
    monkeypatch.chdir(pair)
    readers = Insar(cmdline=["insarInputs.xml"]).configure()
    state = isce.load_state("PICKLE/formslc")
    for role, orbit in (("reference", state.getReferenceOrbit()),
                        ("secondary", state.getSecondaryOrbit())):
        truth = getattr(readers, role).parse().orbit
        assert np.array_equal(orbit.position, truth.position)
        assert np.array_equal(orbit.velocity, truth.velocity)
        assert np.array_equal(orbit.datetime64(orbit.time), truth.datetime64(truth.time))
    truth = readers.reference.parse().orbit
    assert unpacked["x"] == truth.position.tolist() and unpacked["p"] == truth.velocity.tolist()
    since = (truth.datetime64(truth.time) - np.datetime64(unpacked["off"], "ns")).astype(np.int64)
    assert np.allclose(unpacked["t"], since * 1e-9, rtol=0, atol=1e-9)
    assert state.getReferenceFrame().radar_grid == readers.reference.parse().radar_grid


class ClassRecorder(pickle.Unpickler):
    """Unpickler noting every class a pickle names."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.named = set()

    def find_class(self, module, name):
        self.named.add(f"{module}.{name}")
        return super().find_class(module, name)


def test_saved_state_stays_plain_data(pair, session):
    data = (pair / "PICKLE" / "formslc").read_bytes()
    recorder = ClassRecorder(data)
    recorder.load()
    assert recorder.named == {"isce.framework.steps.State"}   # products as plain dicts
    loaded = isce.load_state(pair / "PICKLE" / "formslc")
    assert isinstance(loaded, State) and isinstance(loaded.slc["reference"], dict)
    assert vars(loaded) == vars(pickle.loads(data))   # the README's pickle.load reads the same


class RunsShell:
    """A pickle payload that runs a shell command when unpickled by pickle.load."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def plant(folder: Path, data: bytes, sha256: str | None) -> Path:
    """PICKLE/formslc holding ``data`` with a manifest naming ``sha256`` (None: no manifest)."""
    (folder / "PICKLE").mkdir()
    (folder / "PICKLE" / "formslc").write_bytes(data)
    if sha256 is not None:
        (folder / "PICKLE" / "formslc.json").write_text(json.dumps({"state_sha256": sha256}))
    return folder / "PICKLE" / "formslc"


def test_load_state_refuses_a_crafted_pickle_without_running_it(workdir):
    marker = workdir / "ran"
    data = pickle.dumps(State(slc=RunsShell(marker)))
    path = plant(workdir, data, hashlib.sha256(data).hexdigest())   # hash rewritten too
    with pytest.raises(StepError, match=r"refers to posix\.system"):
        isce.load_state(path)
    assert not marker.exists()


@pytest.mark.parametrize("sha256, message", [("0" * 64, "does not match its manifest"),
                                             (None, "manifest .* is missing")])
def test_load_state_refuses_state_its_manifest_does_not_vouch_for(workdir, sha256, message):
    path = plant(workdir, pickle.dumps(State(x=1)), sha256)
    with pytest.raises(StepError, match=message):
        isce.load_state(path)


def test_state_without_a_pair_says_so(workdir):
    data = pickle.dumps(State(timings={}))
    path = plant(workdir, data, hashlib.sha256(data).hexdigest())
    with pytest.raises(StepError, match="holds no reference date"):
        isce.load_state(path).getReferenceOrbit()


# ----------------------------------------------------------------------------- cmdline
def test_stripmapapp_name_and_a_list_cmdline_configure_the_same(pair, monkeypatch):
    monkeypatch.chdir(pair)
    a = insarApp.Insar(name="insarApp", cmdline=CMDLINE)
    b = stripmapApp.Insar(name="stripmapApp",
                          cmdline=["insarInputs.xml", "stripmapApp.azimuth looks=5"])
    a.configure(), b.configure()
    strip = {k.partition(".")[2]: v for k, v in a.config_values().items()}
    assert strip == {k.partition(".")[2]: v for k, v in b.config_values().items()}
    assert (b.azimuth_looks, b.range_looks) == (5, 7)


def test_configure_twice_changes_nothing(pair, monkeypatch):
    monkeypatch.chdir(pair)
    a = Insar(name="insarApp", cmdline=CMDLINE)
    a.configure()
    first = (a.config_values(), {p.attrname: a.source_of(p.attrname) for p in a._parameter_list})
    a.configure()
    assert (a.config_values(), {p.attrname: a.source_of(p.attrname) for p in a._parameter_list}) == first
    assert a.source_of("range_looks").endswith("insarInputs.xml")


RADAR = "'radarApp.range looks=2' radarApp.seed=3"


def test_run_with_no_argument_runs_cmdline_with_its_step_options(workdir):
    app = Radar(cmdline=f"{RADAR} --end=second")
    assert app.run() == 0
    assert app.state.values == [2, 5, 8]                       # seed 3, range looks 2
    assert (workdir / "PICKLE" / "second").is_file() and not (workdir / "PICKLE" / "third").exists()
    assert Radar().run(f"{RADAR} --dostep=third") == 0                # run(args): a string too
    assert (workdir / "PICKLE" / "third").is_file()


def test_configure_reads_files_and_settings_of_cmdline(workdir):
    (workdir / "in.xml").write_text('<radarApp><property name="seed">4</property>'
                                    '<property name="range looks">6</property></radarApp>')
    app = Radar(cmdline=["in.xml", "radarApp.range looks=2", "--end=first"])
    app.configure()
    assert (app.seed, app.looks) == (4, 2)
    assert Radar(cmdline=Path("in.xml")).configure().looks == 6     # a path: one argument


def test_setting_changed_on_the_object_after_configure_is_refused(workdir, capsys):
    app = Radar(cmdline=RADAR)
    app.configure()
    app.seed = 9                       # run() configures from cmdline again: it would be lost
    assert app.run() == 2
    assert "radarApp.seed: '9' after configure(), but '3'" in capsys.readouterr().err
    assert not (workdir / "PICKLE").exists() and not hasattr(app, "state")


@pytest.mark.parametrize("cmdline, message", [("in.xml 'radarApp.seed=3", "cannot split cmdline"),
                                              (3, "must be a string or a list"),
                                              ("radarApp.seed=3 --bogus", "unknown option")])
def test_bad_cmdline_is_a_configuration_error(workdir, cmdline, message):
    with pytest.raises(ConfigurationError, match=message):
        Radar(cmdline=cmdline).configure()


# ----------------------------------------------------------------------------- the finder
def launchers() -> dict[str, str]:
    """``applications/<name>.py`` -> the isce.apps module it imports its class from."""
    found = {}
    for path in APPLICATIONS.glob("*.py"):
        match = re.search(r"^from (isce\.apps\.\w+) import", path.read_text(), re.M)
        if match and not path.name.startswith("_"):
            found[path.stem] = match.group(1)
    return found


def test_the_finder_knows_exactly_the_shipped_commands():
    assert APPLICATION_MODULES == launchers()


def test_import_isce_makes_the_commands_importable_without_touching_sys_path(tmp_path):
    done = python(f"""
        import importlib, importlib.util, json, sys
        names = {sorted(APPLICATION_MODULES)!r}
        before = [importlib.util.find_spec(n) for n in names]
        path = list(sys.path)
        import isce
        found = {{n: importlib.import_module(n).__name__ for n in names}}
        import insarApp, isce.apps.insar
        print(json.dumps({{"before": [b is None for b in before], "found": found,
                          "path": sys.path == path, "last": type(sys.meta_path[-1]).__name__,
                          "same": insarApp is isce.apps.insar,
                          "spec": isce.apps.insar.__spec__.name}}))
        """, tmp_path)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert all(got["before"]) and got["found"] == APPLICATION_MODULES
    assert got["path"] and got["last"] == ApplicationFinder.__name__
    assert got["same"] and got["spec"] == "isce.apps.insar"


def test_a_users_module_of_the_same_name_wins(tmp_path):
    for name in ("topo", "insarApp"):
        (tmp_path / f"{name}.py").write_text("WHO = 'user'\n")
    done = python("""
        import isce, topo, insarApp, focus
        print(topo.WHO, insarApp.WHO, focus.__name__)
        """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["user", "user", "isce.apps.focus"]


def test_unpack_orbit_as_isce2():
    orbit = Orbit([0.0, 10.0, 20.0], np.arange(9.0).reshape(3, 3), np.ones((3, 3)),
                  "2020-01-01T00:00:05")
    t, x, v, off = orbit._unpackOrbit()
    assert (t, off) == ([0.0, 10.0, 20.0], datetime.datetime(2020, 1, 1, 0, 0, 5))
    assert x == orbit.position.tolist() and v == orbit.velocity.tolist()
    assert orbit._unpackOrbit(datetime.datetime(2020, 1, 1))[0] == [5.0, 15.0, 25.0]
    with pytest.raises(ValueError, match="must be a date-time"):
        orbit._unpackOrbit(5.0)
