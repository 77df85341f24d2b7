"""Shared by the application benchmarks: run isce's commands in child processes against the
isce this script imports, and sample their memory (process and descendants, e.g. snaphu)
per step announced in their log."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

#: the log line a step starts with ("step 5/15 'topo': ...")
STEP_LINE = re.compile(r"step \d+/\d+ '([^']+)'")


def isce_env() -> dict:
    """The environment with the imported isce (installed or built in place) first on
    PYTHONPATH, so child processes run the same code."""
    import isce

    env = dict(os.environ)
    root = str(Path(isce.__file__).resolve().parents[1])
    path = env.get("PYTHONPATH", "")
    if root not in path.split(os.pathsep):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, path) if p)
    return env


def status_kib(pid) -> dict:
    """{VmRSS, RssAnon} in KiB of one process (empty when it is gone)."""
    found = {}
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                key, _, rest = line.partition(b":")
                if key in (b"VmRSS", b"RssAnon"):
                    found[key.decode()] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return found


def descendants(pid) -> list:
    """``pid`` and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            pass
    return out


class Sampler(threading.Thread):
    """Every ``interval`` s: the step the log last announced, and VmRSS / RssAnon summed over
    the process and its descendants; ``peaks[step]`` (and ``peaks[overall]`` when given) keep
    the largest ``{"rss_mib", "anon_mib"}``."""

    def __init__(self, pid, log_path, interval=0.1, first_step=None, overall=None):
        super().__init__(daemon=True)
        self.pid, self.log_path, self.interval = pid, log_path, interval
        self.step, self.overall = first_step, overall
        self.peaks, self._pos, self._tail = {}, 0, ""
        self.per_process = {}       # pid -> {"cmd": command line, "rss_mib": peak VmRSS}
        self._halt = threading.Event()

    def _read_log(self):
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._pos)
                chunk = fh.read()
        except OSError:
            return
        self._pos += len(chunk)
        text = self._tail + chunk.decode("utf-8", "replace")
        cut = max(text.rfind("\n"), text.rfind("\r"))
        self._tail = text[cut + 1:]
        for match in STEP_LINE.finditer(text[:cut + 1]):
            self.step = match.group(1)

    def sample(self):
        self._read_log()
        rss = anon = 0
        for p in descendants(self.pid):
            s = status_kib(p)
            rss += s.get("VmRSS", 0)
            anon += s.get("RssAnon", 0)
            self._track(p, s.get("VmRSS", 0))
        if not rss:
            return
        for key in (self.step, self.overall):
            if key is not None:
                peak = self.peaks.setdefault(key, {"rss_mib": 0.0, "anon_mib": 0.0})
                peak["rss_mib"] = max(peak["rss_mib"], rss / 1024.0)
                peak["anon_mib"] = max(peak["anon_mib"], anon / 1024.0)

    def _track(self, pid, rss_kib):
        """Keep each process's own peak (e.g. every Dask worker's)."""
        entry = self.per_process.get(pid)
        if entry is None:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                cmd = ""
            entry = self.per_process[pid] = {"cmd": cmd, "rss_mib": 0.0}
        entry["rss_mib"] = max(entry["rss_mib"], rss_kib / 1024.0)

    def run(self):
        while not self._halt.wait(self.interval):
            self.sample()

    def stop(self):
        self._halt.set()
        self.join()


def run_measured(cmd, cwd, log_path, env=None, **sampler_kw) -> dict:
    """Run one command (stdout and stderr to ``log_path``; environment ``env``, default
    :func:`isce_env`) with a :class:`Sampler`: ``{wall_s, cpu_s, max_rss_mib (the process
    and its reaped children), returncode, sampled: {step: peaks}}``."""
    import subprocess
    import time

    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT, env=env or isce_env())
        sampler = Sampler(proc.pid, log_path, **sampler_kw)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.terminate()
            proc.wait()
            raise
        finally:
            sampler.stop()
        returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "max_rss_mib": usage.ru_maxrss / 1024.0, "returncode": returncode,
            "sampled": sampler.peaks, "processes": sampler.per_process}


def log_tail(path, lines=40) -> list:
    """The last lines of a log, progress bars removed."""
    keep = []
    for line in Path(path).read_text(errors="replace").splitlines():
        line = line.split("\r")[-1].rstrip()
        if line and not re.search(r"\d+%\|", line):
            keep.append(line)
    return keep[-lines:]


def machine(root) -> dict:
    """Python, platform, CPUs, CPU model, memory, 1-minute load, and the commit of ``root``
    (with the number of modified tracked files)."""
    import platform
    import subprocess

    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0]}
    try:
        info["cpu_model"] = next(line.split(":", 1)[1].strip()
                                 for line in open("/proc/cpuinfo") if line.startswith("model name"))
        info["memory_gib"] = next(int(line.split()[1]) for line in open("/proc/meminfo")
                                  if line.startswith("MemTotal")) / 2 ** 20
    except (OSError, StopIteration):
        pass
    try:
        git = ["git", "-C", str(root)]
        info["commit"] = subprocess.run(git + ["rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        info["worktree_modified_files"] = len(dirty.splitlines()) if dirty else 0
    except OSError:
        pass
    return info


def write_json(out, path) -> None:
    """``out`` as indented JSON at ``path`` (folders made); says where."""
    import json

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, default=str) + "\n")
    print(f"results: {path}")
