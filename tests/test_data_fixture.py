"""The one way tests find real data (tests/conftest.py) and CI's switch ISCE_REQUIRE_DATA=1,
under which a test whose data are missing fails instead of skipping. Each case runs pytest
in a subprocess on a small test file beside a copy of tests/conftest.py."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


CONFTEST = Path(__file__).resolve().with_name("conftest.py")
NEEDS_DATA = '''
def test_needs_a_file(shared_data):
    assert shared_data("envisat", "envisat.h5").is_file()
'''


def run_pytest(tmp_path, env_update, drop=()):
    """Run pytest on the small test file, in ``<tmp>/repo/tests`` beside a copy of
    tests/conftest.py, with the environment changed; (return code, output)."""
    folder = tmp_path / "repo" / "tests"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFTEST, folder / "conftest.py")
    (folder / "test_needs_data.py").write_text(NEEDS_DATA)
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_update)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider",
                           "-o", "addopts=", str(folder)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_missing_data_fails_under_isce_require_data(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    rc, out = run_pytest(tmp_path, {"ISCE_TEST_DATA": str(empty), "ISCE_REQUIRE_DATA": "1"})
    assert rc == 1, out
    assert "1 failed" in out and "skipped" not in out, out
    assert str(empty / "envisat" / "envisat.h5") in out and "ISCE_REQUIRE_DATA" in out, out


def test_missing_data_skips_without_the_switch(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    for value in (None, "0", ""):
        update = {"ISCE_TEST_DATA": str(empty)}
        if value is not None:
            update["ISCE_REQUIRE_DATA"] = value
        rc, out = run_pytest(tmp_path, update, drop=("ISCE_REQUIRE_DATA",))
        assert rc == 0, out
        assert "1 skipped" in out and str(empty / "envisat" / "envisat.h5") in out, out


def test_isce_test_data_is_where_data_are_found(tmp_path):
    data = tmp_path / "elsewhere"
    (data / "envisat").mkdir(parents=True)
    (data / "envisat" / "envisat.h5").write_bytes(b"")
    rc, out = run_pytest(tmp_path, {"ISCE_TEST_DATA": str(data), "ISCE_REQUIRE_DATA": "1"})
    assert rc == 0 and "1 passed" in out, out


def test_ci_sets_the_switch():
    """.ci/run exports ISCE_REQUIRE_DATA=1 before it runs any tests."""
    script = (CONFTEST.parents[1] / ".ci" / "run").read_text()
    export = script.find("export ISCE_REQUIRE_DATA=1")
    assert export != -1, "ISCE_REQUIRE_DATA=1 is not exported in .ci/run"
    assert export < script.find("make test") and export < script.find("-m pytest")


def test_the_default_data_folder_is_beside_the_repository(tmp_path):
    """Without $ISCE_TEST_DATA the data are ../shared/data from the repository root."""
    data = tmp_path / "shared" / "data"
    (data / "envisat").mkdir(parents=True)
    (data / "envisat" / "envisat.h5").write_bytes(b"")
    rc, out = run_pytest(tmp_path, {"ISCE_REQUIRE_DATA": "1"}, drop=("ISCE_TEST_DATA",))
    assert rc == 0 and "1 passed" in out, out
    (data / "envisat" / "envisat.h5").unlink()
    rc, out = run_pytest(tmp_path, {"ISCE_REQUIRE_DATA": "1"}, drop=("ISCE_TEST_DATA",))
    assert rc == 1 and str(data / "envisat" / "envisat.h5") in out, out


#: ways a test file could build its own path to the data
OWN_DATA_PATHS = ('"shared"', "'shared'", "parents[2].parent", "REPO.parent")
#: a string literal starting with a machine's home or work folder (an absolute data path)
ABSOLUTE_PATH = re.compile(r"""["']/(?:work|home|Users|mnt|scratch|data/shared)/""")


def test_no_other_data_path_in_the_tests():
    """Only tests/conftest.py says where the data are: no test file builds a path to them."""
    here = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(here.rglob("*.py")):
        if path.parent == here and path.name in ("conftest.py", Path(__file__).name):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(word in code for word in OWN_DATA_PATHS) or ABSOLUTE_PATH.search(code):
                offenders.append(f"{path.relative_to(here)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
