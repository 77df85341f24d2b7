"""The tutorial greeter, run as a user runs it: a command in a working directory."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from isce_commands import isce_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "greeter"


def greeter(*args, cwd, isce_db=None):
    env = isce_env()
    env.pop("ISCEDB", None)
    if isce_db:
        env["ISCEDB"] = str(isce_db)
    proc = subprocess.run([sys.executable, str(EXAMPLE / "greeter.py"), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def tour(tmp_path):
    """A copy of the tutorial's working directory and $ISCEDB folder."""
    shutil.copytree(EXAMPLE / "workdir", tmp_path / "workdir")
    shutil.copytree(EXAMPLE / "isce-db", tmp_path / "isce-db")
    return tmp_path


def config(stdout):
    shown = {}
    for line in stdout.splitlines():
        left, _, source = line.partition("  # ")
        path, _, value = left.partition(" = ")
        shown[path.removeprefix("greeter.")] = (value, source)
    return shown


def test_hello_world(tmp_path):
    rc, out, err = greeter(cwd=tmp_path)
    assert (rc, out) == (0, "Hello, World!\n"), err
    assert "step 'deliver' done" in (tmp_path / "isce.log").read_text()


def test_name_from_command_line(tmp_path):
    rc, out, _ = greeter("greeter.name to use in greeting=Jane", cwd=tmp_path)
    assert (rc, out) == (0, "Hello, Jane!\n")
    rc, out, _ = greeter("greeter.NameToUseInGreeting=Ana", "greeter.language=spanish", cwd=tmp_path)
    assert (rc, out) == (0, "¡Hola, Ana!\n")


def test_tour_shows_each_layer(tour):
    wd, db = tour / "workdir", tour / "isce-db"
    # defaults only: no $ISCEDB, an empty folder
    rc, out, _ = greeter("--show-config", cwd=tour)
    assert config(out)["name to use in greeting"] == ("World", "default")
    # $ISCEDB/greeter.xml
    rc, out, _ = greeter("--show-config", cwd=tour, isce_db=db)
    assert config(out)["name to use in greeting"] == ("Grace", str(db.resolve() / "greeter.xml"))
    # ./greeter.xml over $ISCEDB, and the facility's own files (family in $ISCEDB, instance in ./)
    rc, out, _ = greeter("--show-config", cwd=wd, isce_db=db)
    shown = config(out)
    assert shown["language"] == ("french", str(wd.resolve() / "greeter.xml"))
    assert shown["greeting.greeting word"] == ("Salut", str(wd.resolve() / "french.xml"))
    assert shown["greeting.punctuation"] == ("!!", str(wd.resolve() / "french.xml"))
    # a file on the command line (constants, catalog, three property forms) over both,
    # its settings for the facility over the facility's own file
    rc, out, _ = greeter("hello.xml", "--show-config", cwd=wd, isce_db=db)
    shown = config(out)
    assert shown["name to use in greeting"] == ("Grace Hopper", str(wd.resolve() / "hello.xml"))
    assert shown["greeting.greeting word"] == ("Coucou", str(wd.resolve() / "hello.xml"))
    assert shown["greeting.shout"] == ("True", str(wd.resolve() / "style.xml"))
    # an output path is relative to the working directory, not to the file that names it
    assert shown["output"] == ("greeting.txt", str(wd.resolve() / "hello.xml"))
    # a name=value setting over everything
    rc, out, _ = greeter("hello.xml", "greeter.name to use in greeting=Ada", "--show-config",
                         cwd=wd, isce_db=db)
    assert config(out)["name to use in greeting"] == ("Ada", "command line")
    rc, out, _ = greeter("hello.xml", "greeter.name to use in greeting=Ada", cwd=wd, isce_db=db)
    assert (rc, out) == (0, "COUCOU, ADA !!\n")
    assert (wd / "greeting.txt").read_text() == "COUCOU, ADA !!\n"


def test_help_and_steps_help(tmp_path):
    rc, out, _ = greeter("--help", cwd=tmp_path)
    assert rc == 0
    name_row = next(line for line in out.splitlines() if line.strip().startswith("name to use in greeting"))
    assert name_row.split()[5:8] == ["str", "World", "-"] and "Whom to greet." in name_row
    word_row = next(line for line in out.splitlines() if line.strip().startswith("greeting word"))
    assert word_row.split()[2:4] == ["str", "Hello"]
    assert "component 'greeting'" in out and "chosen by 'language'" in out
    assert "One of: english, spanish, french." in " ".join(out.split())
    rc, out, _ = greeter("--steps", "--help", cwd=tmp_path)
    assert rc == 0
    lines = [line.split() for line in out.splitlines() if line.strip()[:2].rstrip(".").isdigit()]
    assert [words[1] for words in lines] == ["startup", "compose", "deliver"]
    assert all(len(words) > 3 for words in lines)  # each step has its doc


def test_resume_with_next(tmp_path):
    rc, out, _ = greeter("--steps", "--end=compose", cwd=tmp_path)
    assert (rc, out) == (0, "")
    rc, out, _ = greeter("--next", cwd=tmp_path)
    assert (rc, out) == (0, "Hello, World!\n")
    rc, _, err = greeter("greeter.language=french", "--start=deliver", cwd=tmp_path)
    assert rc == 2 and "greeter.language: 'english' -> 'french'" in err and "--start=startup" in err


def test_output_folder_is_refused_before_any_step(tmp_path):
    rc, out, err = greeter(f"greeter.output={tmp_path}", cwd=tmp_path)
    assert (rc, out) == (2, "") and "is a folder" in err and not (tmp_path / "isce.log").exists()


def test_bad_input_is_one_line(tmp_path):
    rc, _, err = greeter("greeter.language=klingon", cwd=tmp_path)
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "english, spanish, french" in err
