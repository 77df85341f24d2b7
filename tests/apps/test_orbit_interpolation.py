"""The ``orbit interpolation`` setting (hermite, legendre, auto) of every command that uses an
orbit: applied once where the products are read, logged with the reason, carried by the
saved products, and refused in one line when unknown."""
import json

import numpy as np
import pytest
from isce_commands import run_command
from small_slcs import make_slc, pair_xml

import isce.io
from isce.sensors.product import SlcProduct

REFUSED = "expected one of auto, hermite, legendre"


def _spoil_velocities(json_path, seed, size=0.02):
    """Give the product's state vectors velocity errors of ``size`` m/s (random directions)."""
    product = SlcProduct.load(json_path)
    rng = np.random.default_rng(seed)
    d = rng.normal(size=product.orbit.velocity.shape)
    d *= size / np.linalg.norm(d, axis=1)[:, None]
    orbit = product.orbit.to_dict()
    orbit["velocity"] = (product.orbit.velocity + d).tolist()
    data = json.loads(open(json_path).read())
    data["orbit"] = orbit
    open(json_path, "w").write(json.dumps(data))
    return json_path


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory):
    """A small pair whose velocities disagree with their positions by 2 cm/s."""
    folder = tmp_path_factory.mktemp("spoiled")
    return tuple(_spoil_velocities(make_slc(folder, name, seed), seed)
                 for name, seed in (("ref", 1), ("sec", 2)))


def insar(folder, xml, *args):
    folder.mkdir(exist_ok=True)
    return run_command("insarApp.py", xml, "--steps", *args, cwd=folder)


def saved_method(folder, role="reference"):
    (path,) = [p for p in folder.rglob("*.slc.json") if role in p.parent.name]
    return json.loads(path.read_text())["orbit"]["interp_method"]


@pytest.fixture(scope="module")
def topo_runs(tmp_path_factory, spoiled):
    """insarApp to topo on the spoiled pair with each setting: {setting: (folder, stdout+err)}."""
    root = tmp_path_factory.mktemp("runs")
    xml = pair_xml(root / "stripmapApp.xml", spoiled)
    runs = {}
    for setting in ("auto", "hermite", "legendre"):
        args = [] if setting == "auto" else [f"insarApp.orbit interpolation={setting}"]
        proc = insar(root / setting, xml, *args, "--end=topo")
        assert proc.returncode == 0, proc.stderr
        runs[setting] = (root / setting, proc.stdout + proc.stderr)
    return runs


def test_auto_chooses_legendre_for_inconsistent_velocities_and_says_why(topo_runs):
    _, log = topo_runs["auto"]
    for role in ("reference", "secondary"):
        line = next(s for s in log.splitlines() if f"{role} " in s and "orbit interpolation" in s)
        assert "orbit interpolation legendre (velocities up to" in line
        assert "mm/s from the positions' derivative" in line


@pytest.mark.parametrize("setting, method", [("auto", "legendre"), ("hermite", "hermite"),
                                             ("legendre", "legendre")])
def test_saved_products_carry_the_method(topo_runs, setting, method):
    folder, log = topo_runs[setting]
    assert saved_method(folder, "reference") == method
    assert saved_method(folder, "secondary") == method


def test_topo_follows_the_method(topo_runs):
    """rdr2geo on the spoiled orbit: auto's result is Legendre's, and differs from Hermite's."""
    lat = {s: np.asarray(isce.io.open(folder / "geometry" / "lat.rdr").read())
           for s, (folder, _) in topo_runs.items()}
    np.testing.assert_array_equal(lat["auto"], lat["legendre"])
    assert np.nanmax(np.abs(lat["hermite"] - lat["legendre"])) > 1e-9   # degrees: > 0.1 mm


def test_changed_setting_restarts_at_preprocess(topo_runs):
    folder, _ = topo_runs["hermite"]
    xml = folder.parent / "stripmapApp.xml"
    proc = insar(folder, xml, "insarApp.orbit interpolation=legendre", "--next")
    assert proc.returncode == 2 and "--start=preprocess" in proc.stderr, proc.stderr


def test_stage_commands_apply_the_setting(tmp_path, spoiled):
    ref, sec = spoiled
    proc = run_command("topo.py", f"topo.product={ref}", "--steps", "--end=prepare", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "orbit interpolation legendre (velocities up to" in proc.stdout + proc.stderr
    for name, family, extra in (("topo", "topo", []), ("geo2rdr", "geo2rdr", []),
                                ("geocode", "geocode", [f"geocode.input={ref.with_suffix('')}"])):
        if name == "geo2rdr":   # needs topo rasters
            assert run_command("topo.py", f"topo.product={ref}", cwd=tmp_path).returncode == 0
        proc = run_command(f"{name}.py", f"{family}.product={sec}", *extra,
                           f"{family}.orbit interpolation=hermite", "--steps", "--end=prepare",
                           cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert f"{sec}: orbit interpolation hermite (as set)" in proc.stdout + proc.stderr


@pytest.mark.parametrize("script, settings", [
    ("insarApp.py", ["insarApp.sensor name=ISCE_SLC"]),
    ("stripmapApp.py", ["stripmapApp.sensor name=ISCE_SLC"]),
    ("topo.py", ["topo.product=a.json"]),
    ("geo2rdr.py", ["geo2rdr.product=a.json"]),
    ("geocode.py", ["geocode.product=a.json", "geocode.input=a.slc"]),
    ("focus.py", ["focus.raw=a.raw.json"]),
])
def test_unknown_setting_is_refused_in_one_line(tmp_path, script, settings):
    prefix = settings[0].split(".")[0]
    proc = run_command(script, *settings, f"{prefix}.orbit interpolation=spline", cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "orbit interpolation" in lines[0] and REFUSED in lines[0], \
        proc.stderr


def test_legendre_on_too_few_vectors_is_refused_in_one_line(tmp_path):
    """Legendre needs 9 state vectors: asked of fewer, the command says so before any step."""
    path = make_slc(tmp_path, "few", 1)
    data = json.loads(path.read_text())
    for key in ("time", "position", "velocity"):
        data["orbit"][key] = data["orbit"][key][:8]
    path.write_text(json.dumps(data))
    proc = run_command("topo.py", f"topo.product={path}", "topo.orbit interpolation=legendre",
                       cwd=tmp_path)
    assert proc.returncode == 2
    assert "legendre interpolation needs at least 9 state vectors, the orbit has 8" in proc.stderr
