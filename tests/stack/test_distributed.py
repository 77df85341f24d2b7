"""Distributed for real (issue 12, item 6): a Dask scheduler and two workers started with
Dask's own command line on localhost, a stack run through ``scheduler`` (the scheduler
file), one worker killed (SIGKILL) while it runs a task, and the products byte-identical
to the LocalCluster run of the same stack.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed
import pytest
from isce_commands import APPLICATIONS, isce_env

DASK = Path(sys.executable).with_name("dask")     # the CLI installed with dask, beside python
WAIT = 60  # s: the longest the cluster or the run may take to reach a state


def _wait(condition, what, timeout=WAIT, every=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` + two ``dask worker`` processes (no nanny: killing the process
    kills the worker), one thread each; ``(scheduler file, {name: process})``."""
    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--scheduler-file", str(scheduler_file),
                               "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                              env=isce_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    workers = {}
    try:
        _wait(scheduler_file.exists, "the scheduler file")
        for name in ("w1", "w2"):
            workers[name] = subprocess.Popen(
                [str(DASK), "worker", "--scheduler-file", str(scheduler_file), "--name", name,
                 "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"],
                env=isce_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(workers[name])
        yield scheduler_file, workers
    finally:
        for proc in procs:                     # workers first: the test's own processes
            if proc.poll() is None:
                proc.kill() if proc in workers.values() else proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _running_task(client, run_dir: Path, prefix: str, exclude: str):
    """(worker name, task name) of a task ``prefix*`` (not ``exclude``) that has started
    (its log exists) and that the scheduler has on a worker now, or None."""
    started = {p.stem for p in (run_dir / "logs").glob(f"{prefix}*.log")} - {exclude}
    if not started:
        return None
    names = {addr: w["name"] for addr, w in client.scheduler_info()["workers"].items()}
    for addr, keys in client.processing().items():
        for key in keys:
            task = str(key).rsplit("-", 1)[0]
            if task in started:
                return names.get(addr), task
    return None


def test_killed_worker_same_products(cluster, local_run, sim_stack, stack_tools, tmp_path):
    scheduler_file, workers = cluster
    client = distributed.Client(scheduler_file=str(scheduler_file), timeout="30s")
    try:
        client.wait_for_workers(2, timeout=WAIT)
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        with open(tmp_path / "stack.err", "w") as err:
            proc = subprocess.Popen([sys.executable, str(APPLICATIONS / "stackStripMap.py"),
                                     *stack_tools.stack_args(sim_stack),
                                     "--scheduler", str(scheduler_file)],   # as a user types it
                                    cwd=run_dir, env=isce_env(), stdout=subprocess.DEVNULL,
                                    stderr=err)
            # a coregistration task of a secondary date (the longest tasks here), running
            name, task = _wait(lambda: _running_task(client, run_dir, "coregister_",
                                                     f"coregister_{sim_stack.dates[0]}"),
                               "a running coregistration task")
            os.kill(workers[name].pid, signal.SIGKILL)
            workers[name].wait(timeout=WAIT)
            status = proc.wait(timeout=300)
        assert status == 0, (tmp_path / "stack.err").read_text()[-3000:]
    finally:
        client.close()
    ours, theirs = stack_tools.product_files(run_dir), stack_tools.product_files(local_run)
    assert sorted(ours) == sorted(theirs)
    different = [k for k in ours if ours[k] != theirs[k]]
    assert different == []
    # the killed task started twice and finished once (its log says so), then was marked done
    log = (run_dir / "logs" / f"{task}.log").read_text()
    assert (log.count(f"task {task}: start"), log.count(f"task {task}: done")) == (2, 1), log
    assert (run_dir / "tasks" / f"{task}.json").is_file()
    hidden = [p for p in run_dir.rglob(".*") if p.name != ".isce.lock"]
    assert hidden == []                                       # no temporary left behind
