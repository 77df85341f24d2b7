"""Steps: plain run, --steps state, --start/--end/--dostep/--next, and refusing stale state."""
import json
import os

import pytest

from isce.framework import Step
from isce_testapps import Radar

ARGS = ["radarApp.seed=3", "radarApp.range looks=2", "radarApp.filter.filter strength=0.5"]


def run(*args):
    app = Radar()
    rc = app.run(list(args))
    return rc, getattr(app, "state", None)


def straight():
    """The state of an uninterrupted plain run, made in a folder of its own
    (a plain run discards the step state saved in its working directory)."""
    here = os.getcwd()
    os.makedirs("straight", exist_ok=True)
    os.chdir("straight")
    try:
        rc, state = run(*ARGS)
    finally:
        os.chdir(here)
    assert rc == 0
    return state


def test_plain_run_computes_and_saves_nothing(workdir):
    rc, state = run(*ARGS)
    assert rc == 0 and state.values == [1.0, 2.5, 4.0] and state.done
    assert not (workdir / "PICKLE").exists()
    assert (workdir / "isce.log").read_text().count("done in") == 3


def test_steps_save_state_and_manifest(workdir):
    dem = workdir / "dem.tif"
    dem.write_bytes(b"0" * 100)
    rc, state = run(*ARGS, f"radarApp.demFilename={dem}", "--steps")
    assert rc == 0 and state.values == straight().values
    for name in ("first", "second", "third"):
        assert (workdir / "PICKLE" / name).is_file()
        manifest = json.loads((workdir / "PICKLE" / f"{name}.json").read_text())
        assert manifest["step"] == name
        assert manifest["config"]["radarApp.seed"] == "3"
        assert len(manifest["config_hash"]) == 64
        assert manifest["inputs"][str(dem)]["size"] == 100
        assert manifest["inputs"][str(dem)]["mtime_ns"] == os.stat(dem).st_mtime_ns


@pytest.mark.parametrize("k", ["first", "second"])
def test_end_then_next_equals_straight_run(workdir, k):
    rc, partial = run(*ARGS, f"--end={k}")
    assert rc == 0 and not getattr(partial, "done", False)
    rc, final = run(*ARGS, "--next")
    assert rc == 0
    assert vars(final) == vars(straight())


def test_next_one_step_at_a_time_and_when_done(workdir, caplog):
    for name in ("first", "second", "third"):
        rc, state = run(*ARGS, "--next", f"--end={name}")
        assert rc == 0
    assert vars(state) == vars(straight())
    rc, _ = run(*ARGS, "--next")
    assert rc == 0
    assert "nothing to do" in (workdir / "isce.log").read_text()


def test_start_and_dostep_resume_from_saved_state(workdir):
    assert run(*ARGS, "--steps")[0] == 0
    rc, state = run(*ARGS, "--dostep=third")
    assert rc == 0 and vars(state) == vars(straight())
    rc, state = run(*ARGS, "--start=second")
    assert rc == 0 and vars(state) == vars(straight())


def test_missing_state_says_where_to_start(workdir, capsys):
    rc, _ = run(*ARGS, "--start=third")
    err = capsys.readouterr().err
    assert rc == 2 and "no saved state for step 'second'" in err and "--start=first" in err
    run(*ARGS, "--end=first")
    rc, _ = run(*ARGS, "--start=third")
    err = capsys.readouterr().err
    assert rc == 2 and "--start=second" in err


def test_changed_configuration_refuses_and_names_it(workdir, capsys):
    assert run(*ARGS, "--end=second")[0] == 0
    rc, _ = run(*ARGS, "radarApp.seed=4", "--next")
    err = capsys.readouterr().err
    assert rc == 2
    assert "configuration changed" in err and "radarApp.seed: '3' -> '4'" in err
    assert "--start=first" in err
    rc, _ = run(*ARGS, "radarApp.range looks=5", "--start=third")
    err = capsys.readouterr().err
    assert rc == 2 and "--start=second" in err


def test_change_used_only_by_later_steps_is_accepted(workdir):
    assert run(*ARGS, "--end=second")[0] == 0
    rc, state = run(*ARGS[:-1], "radarApp.filter.filter strength=2", "--next")
    assert rc == 0 and state.values == [2 * v for v in [2, 5, 8]]


def test_changed_input_file_refuses(workdir, capsys):
    dem = workdir / "dem.tif"
    dem.write_bytes(b"0" * 100)
    args = [*ARGS, f"radarApp.demFilename={dem}"]
    assert run(*args, "--end=second")[0] == 0
    dem.write_bytes(b"1" * 120)
    rc, _ = run(*args, "--next")
    err = capsys.readouterr().err
    assert rc == 2 and f"input file {dem} has changed" in err and "--start=first" in err


def test_missing_output_refuses(workdir, capsys):
    out = workdir / "product.bin"

    def writer(ctx):
        out.write_bytes(b"data")
        ctx.add_output(out)
        ctx.state.values = [1]

    class Writer(Radar):
        steps = (Step("write", writer, "Write."), *Radar.steps[1:])

    assert Writer().run(["--end=write"]) == 0
    out.unlink()
    assert Writer().run(["--next"]) == 2
    err = capsys.readouterr().err
    assert "output file" in err and "of step 'write' is missing" in err and "--start=write" in err


def test_rerunning_a_step_discards_later_state(workdir):
    assert run(*ARGS, "--steps")[0] == 0
    assert run(*ARGS, "--dostep=first")[0] == 0
    assert not (workdir / "PICKLE" / "second.json").exists()
    assert not (workdir / "PICKLE" / "third").exists()
    assert run(*ARGS, "--next")[0] == 0  # continues from 'second'
    assert (workdir / "PICKLE" / "third.json").exists()


def test_state_must_not_hold_components(workdir, capsys):
    def leaky(ctx):
        ctx.state.filter = ctx.params.filter

    class Leaky(Radar):
        steps = (Step("leak", leaky, "Leaks."),)

    assert Leaky().run(["--steps"]) == 2
    assert "plain data" in capsys.readouterr().err
    assert not (workdir / "PICKLE" / "leak.json").exists()


def test_start_after_end_and_conflicting_options(workdir, capsys):
    assert run(*ARGS, "--start=third", "--end=first")[0] == 2
    assert run(*ARGS, "--dostep=first", "--next")[0] == 2
    assert run(*ARGS, "--start=first", "--next")[0] == 2
    assert capsys.readouterr().err.count("error") == 3


def test_params_are_read_only_in_steps(workdir, capsys):
    def mutate(ctx):
        ctx.params.seed = 5

    class Mutating(Radar):
        steps = (Step("mutate", mutate, "Mutates."),)

    assert Mutating().run([]) == 1
    assert "read-only" in capsys.readouterr().err


def test_plain_run_after_steps_invalidates_saved_state(workdir, capsys):
    assert run(*ARGS, "--steps")[0] == 0
    assert run(*ARGS[1:], "radarApp.seed=5")[0] == 0  # plain run with another seed
    rc, _ = run(*ARGS, "--start=second")
    assert rc == 2 and "no saved state" in capsys.readouterr().err


def test_rewritten_output_refuses(workdir, capsys):
    out = workdir / "product.bin"

    def writer(ctx):
        out.write_bytes(b"data")
        ctx.add_output(out)
        ctx.state.values = [1]

    class Writer(Radar):
        steps = (Step("write", writer, "Write."), *Radar.steps[1:])

    assert Writer().run(["--end=write"]) == 0
    os.utime(out, ns=(1, 1))  # same size, other content time
    assert Writer().run(["--next"]) == 2
    assert "has changed since it was written" in capsys.readouterr().err


def test_inputs_brought_by_a_new_setting_are_tracked_after_resume(workdir, capsys):
    assert run(*ARGS, "--end=first")[0] == 0
    dem = workdir / "dem.tif"
    dem.write_bytes(b"0" * 10)
    # the dem is used by no declared step, so it counts from the first: resuming refuses
    rc, _ = run(*ARGS, f"radarApp.demFilename={dem}", "--next")
    assert rc == 2 and "configuration changed" in capsys.readouterr().err


def test_next_when_all_done_still_checks_configuration(workdir, capsys):
    assert run(*ARGS, "--steps")[0] == 0
    rc, _ = run(*ARGS[:-1], "radarApp.filter.filter strength=3", "--next")
    assert rc == 2 and "--start=third" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["garbage pickle", "empty pickle", "list manifest"])
def test_corrupt_saved_state_is_a_clean_refusal(workdir, capsys, damage):
    assert run(*ARGS, "--end=second")[0] == 0
    pickle_file, manifest = workdir / "PICKLE" / "second", workdir / "PICKLE" / "second.json"
    if damage == "garbage pickle":
        pickle_file.write_bytes(b"not a pickle")
    elif damage == "empty pickle":
        pickle_file.write_bytes(b"")
    else:
        manifest.write_text("[]")
    rc, _ = run(*ARGS, "--start=third")
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err
    assert "--start=second" in err


def test_killed_before_manifest_leaves_no_completed_step(workdir, monkeypatch):
    from isce.framework import steps as steps_module
    real = steps_module._atomic_write

    def dies_on_manifest(path, data):
        if path.suffix == ".json" and path.stem == "second":
            raise KeyboardInterrupt  # killed between the pickle and the manifest
        real(path, data)

    monkeypatch.setattr(steps_module, "_atomic_write", dies_on_manifest)
    assert run(*ARGS, "--steps")[0] == 130
    monkeypatch.setattr(steps_module, "_atomic_write", real)
    assert not (workdir / "PICKLE" / "second.json").exists()
    rc, state = run(*ARGS, "--next")  # resumes at 'second', not after it
    assert rc == 0 and vars(state) == vars(straight())


def test_plain_runs_also_refuse_non_plain_state(workdir, capsys):
    def leaky(ctx):
        ctx.state.filter = ctx.params.filter

    class Leaky(Radar):
        steps = (Step("leak", leaky, "Leaks."),)

    assert Leaky().run([]) == 2
    assert "plain data" in capsys.readouterr().err
