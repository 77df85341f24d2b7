"""Per-step wall time and peak resident memory: measured, logged, in the manifests and ctx."""
import json
import time

import numpy as np
import pytest

from isce.framework import Application, Step
from isce.framework.steps import StepMonitor, _status_mib, step_statistics

MIB = 1024 * 1024
ALLOC_MIB = 200

pytestmark = pytest.mark.skipif(not _status_mib("VmRSS"), reason="needs /proc/self/status")


def allocate(ctx):
    """Hold a 200 MiB array (pages touched) for a while, then free it."""
    a = np.ones(ALLOC_MIB * MIB // 8)
    time.sleep(0.25)
    ctx.state.total = float(a[:10].sum())
    del a


def pause(ctx):
    """Sleep 0.3 s."""
    time.sleep(0.3)
    ctx.state.slept = True


def look(ctx):
    """Copy what the step sees of the earlier steps' statistics."""
    ctx.state.seen = sorted(ctx.step_stats)


class Stats(Application):
    """A test application measuring its steps."""

    family = "stats"
    instance_name = "statsApp"
    steps = (Step("allocate", allocate, "Allocate."), Step("pause", pause, "Sleep."),
             Step("look", look, "Look."))


def rss_now():
    return _status_mib("VmRSS")["VmRSS"]


def test_recorded_wall_time_and_peak_memory(workdir):
    before = rss_now()
    app = Stats()
    assert app.run(["--steps"]) == 0
    stats = app.step_stats
    assert list(stats) == ["allocate", "pause", "look"]
    alloc, pause_ = stats["allocate"], stats["pause"]
    # the 200 MiB array shows in the step that held it ...
    assert before + 0.95 * ALLOC_MIB <= alloc["peak_rss_mib"] <= before + ALLOC_MIB + 150
    # ... and not in the next one (a per-step peak, not the process's lifetime maximum)
    assert pause_["peak_rss_mib"] < alloc["peak_rss_mib"] - 0.8 * ALLOC_MIB
    assert 0.3 <= pause_["wall_s"] < 2.0
    assert 0.25 <= alloc["wall_s"] < 3.0
    assert stats["look"]["wall_s"] < 0.5
    # what a step sees: the steps done before it, not the state (a straight run's state)
    assert app.state.seen == ["allocate", "pause"]
    assert not hasattr(app.state, "step_stats")
    # persisted in the manifests, read back in step order
    for name in stats:
        manifest = json.loads((workdir / "PICKLE" / f"{name}.json").read_text())
        assert manifest["wall_s"] == stats[name]["wall_s"]
        assert manifest["peak_rss_mib"] == stats[name]["peak_rss_mib"]
        assert manifest["cpu_s"] == stats[name]["cpu_s"]
        assert manifest["step"] == name and "config_hash" in manifest
    assert step_statistics(workdir) == stats
    # one line per step in the log
    log = (workdir / "isce.log").read_text()
    for name in stats:
        assert f"step '{name}' done in " in log
    assert log.count(", peak RSS ") == 3 and log.count(" MiB") >= 3
    assert log.count(" MiB, CPU ") == 3


def spin(seconds):
    """Burn ``seconds`` of this process's CPU time (pure Python: one core, whatever the
    machine's load)."""
    end = time.process_time() + seconds
    n = 0
    while time.process_time() < end:
        n += 1
    return n


def test_cpu_time_is_recorded_and_plausible():
    """A busy step is charged about its wall time in CPU seconds, a sleeping one nearly none,
    and never more than the cores could give."""
    import os

    with StepMonitor() as busy:
        spin(0.5)
    with StepMonitor() as idle:
        time.sleep(0.4)
    cores = os.cpu_count() or 1
    # os.times counts in clock ticks (10 ms): margins of a few ticks
    assert 0.45 <= busy.cpu_s <= busy.wall_s * cores + 0.05, busy.stats
    assert idle.cpu_s < 0.1, idle.stats
    assert idle.wall_s >= 0.4
    assert busy.stats["cpu_s"] == round(busy.cpu_s, 3)


def test_child_process_cpu_time_counts():
    """An external program's CPU time (snaphu is one) is charged to the step that ran it."""
    import os
    import subprocess
    import sys

    code = "import time\nwhile time.process_time() < 0.6:\n    pass\n"
    with StepMonitor() as m:
        subprocess.run([sys.executable, "-c", code], check=True)
    assert 0.55 <= m.cpu_s <= m.wall_s * (os.cpu_count() or 1) + 0.05, m.stats


def test_resumed_run_sees_saved_statistics_and_same_state(workdir):
    app = Stats()
    assert app.run(["--steps"]) == 0
    straight = vars(app.state)
    saved = step_statistics(workdir)
    resumed = Stats()
    assert resumed.run(["--start=look"]) == 0
    assert vars(resumed.state) == straight            # statistics never enter the state
    assert list(resumed.step_stats) == ["allocate", "pause", "look"]
    for name in ("allocate", "pause"):              # earlier steps: from their manifests
        assert resumed.step_stats[name] == saved[name]
    assert resumed.state.seen == ["allocate", "pause"]
    # rerunning a step rewrites its statistics and drops those of the steps after it
    again = Stats()
    assert again.run(["--dostep=pause"]) == 0
    assert list(step_statistics(workdir)) == ["allocate", "pause"]


def test_plain_run_keeps_statistics_in_memory_only(workdir):
    app = Stats()
    assert app.run([]) == 0
    assert list(app.step_stats) == ["allocate", "pause", "look"]
    assert app.state.seen == ["allocate", "pause"]
    assert step_statistics(workdir) == {}


SPIKE = """
import json, numpy as np
from isce.framework.steps import StepMonitor, _status_mib
hwm = _status_mib("VmHWM")["VmHWM"]
size = int(max(200, hwm - _status_mib("VmRSS")["VmRSS"] + 50))
with StepMonitor(interval=60) as monitor:
    np.ones(size * 1024 * 1024 // 8).sum()
print(json.dumps({"hwm": hwm, "size": size, "peak": monitor.peak_rss_mib,
                  "wall": monitor.wall_s, "wall_s": monitor.stats["wall_s"]}))
"""


def test_short_spike_between_samples_is_caught_by_the_high_water_mark():
    """A monitor sampling too rarely to see the array: only VmHWM can, when the spike sets a
    record. Run in a fresh process, whose earlier peak is small whatever ran before here."""
    import subprocess
    import sys

    from isce_commands import isce_env

    proc = subprocess.run([sys.executable, "-c", SPIKE], capture_output=True, text=True,
                          env=isce_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["size"] < 1024, r
    assert r["peak"] >= r["hwm"] + 40, r
    assert r["wall_s"] == round(r["wall"], 3) < 5, r


def test_monitor_stops_its_thread_when_the_step_fails():
    import threading
    with pytest.raises(RuntimeError):
        with StepMonitor() as monitor:
            raise RuntimeError("boom")
    assert monitor.wall_s is not None and monitor.peak_rss_mib > 0
    assert not any(t.name == "isce-step-monitor" for t in threading.enumerate())


def test_child_processes_count_in_the_peak():
    """A step that runs an external program (snaphu is one) is charged for its memory too."""
    import subprocess
    import sys

    from isce.framework.steps import StepMonitor, _status_mib

    own = _status_mib("VmRSS")["VmRSS"]
    code = "import numpy as np, time; a = np.ones(300 * 2**20 // 8); time.sleep(0.6)"
    with StepMonitor(interval=0.05) as m:
        subprocess.run([sys.executable, "-c", code], check=True)
    assert m.peak_rss_mib - own > 280          # the child's 300 MiB array


def test_manifest_hashes_are_reused_only_for_unchanged_settled_files(tmp_path, monkeypatch):
    """Every manifest lists all files recorded so far: a settled, unchanged file is hashed once
    per run, a fresh one at each save, and a rewrite (even to the same size and mtime) is
    hashed again, so the manifest always holds the file's current SHA-256."""
    import hashlib
    import os

    from isce.framework import steps as st

    calls = []
    real = st._sha256_file
    monkeypatch.setattr(st, "_sha256_file", lambda p: calls.append(p) or real(p))
    old, fresh = tmp_path / "old.xml", tmp_path / "fresh.xml"
    old.write_bytes(b"A" * 100)
    fresh.write_bytes(b"F" * 100)
    past = time.time_ns() - 10 * st.SETTLED_NS
    os.utime(old, ns=(past, past))
    time.sleep(2.2 * st.SETTLED_NS / 1e9)       # the utime (a ctime change) settles too
    store = st.StateStore(tmp_path / "PICKLE", [Step(f"s{i}", pause) for i in range(4)])
    files = {"inputs": {str(old): "s0"}, "outputs": {str(fresh): "s0"}}
    os.utime(fresh)                              # changed just now: not remembered
    for i in range(3):
        store.save(i, st.State(), {}, files, stats={"wall_s": 1.0, "cpu_s": 0.5})
    assert calls.count(str(old)) == 1 and calls.count(str(fresh)) == 3
    manifest = store.manifest("s2")
    assert manifest["cpu_s"] == 0.5 and manifest["wall_s"] == 1.0
    # rewritten in place, same size, its old mtime put back: hashed again (the ctime moved)
    with open(old, "r+b") as fh:
        fh.write(b"B" * 100)
    os.utime(old, ns=(past, past))
    store.save(3, st.State(), {}, files)
    manifest = store.manifest("s3")
    assert manifest["inputs"][str(old)]["sha256"] == hashlib.sha256(b"B" * 100).hexdigest()
    assert manifest["inputs"][str(old)]["mtime_ns"] == past
    assert "cpu_s" not in manifest               # no statistics given: none written


def test_release_free_heap_returns_a_fragmented_heap_to_the_os():
    """Memory freed in the holes of a thread's malloc arena stays resident until
    malloc_trim; release_free_heap (called after every step) gives it back."""
    import sys
    import threading

    import numpy as np
    import pytest

    from isce.framework.steps import _status_mib, release_free_heap

    if not sys.platform.startswith("linux"):
        pytest.fail("this test runs on Linux (glibc), where CI runs")
    kept = []

    def fragment():                   # 64 KiB arrays: malloc's heap, not separate maps
        blocks = [np.ones(8192) for _ in range(3000)]
        kept.extend(blocks[::10])     # every tenth stays: the freed ones are holes
        del blocks

    worker = threading.Thread(target=fragment)
    worker.start()
    worker.join()
    before = _status_mib("VmRSS")["VmRSS"]
    assert release_free_heap()
    after = _status_mib("VmRSS")["VmRSS"]
    assert before - after > 80, (before, after)   # ~165 MiB of holes
    assert len(kept) == 300
