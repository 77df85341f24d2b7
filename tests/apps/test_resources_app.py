"""Applications under hostile resources: thread counts beyond the machine, full or
read-only output folders. Each is one line and exit 2, or a correct run; never a crash."""
import os
import re
import resource
import signal
import subprocess
import sys

import numpy as np
import pytest
from isce_commands import APPLICATIONS, isce_env

def run_topo(cwd, omp, product):
    env = isce_env()
    env["OMP_NUM_THREADS"] = omp
    return subprocess.run([sys.executable, str(APPLICATIONS / "topo.py"), f"topo.product={product}",
                           "topo.height=0"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_topo_with_omp_num_threads_beyond_the_machine(tmp_path, shared_data):
    one, huge = tmp_path / "one", tmp_path / "huge"
    one.mkdir()
    huge.mkdir()
    product = shared_data("envisat", "envisat.h5")
    ref = run_topo(one, "1", product)
    assert ref.returncode == 0, ref.stderr[-500:]
    got = run_topo(huge, "100000", product)  # crashed with SIGSEGV (exit -11) in the OpenMP runtime
    assert got.returncode == 0, f"exit {got.returncode}: {got.stderr[-500:]}"
    assert "OMP_NUM_THREADS=100000 is outside 1.." in (huge / "isce.log").read_text()
    for name in ("lat.rdr", "lon.rdr", "z.rdr", "los.rdr"):
        a = np.fromfile(one / "geometry" / name, np.uint8)
        b = np.fromfile(huge / "geometry" / name, np.uint8)
        assert a.size > 0 and np.array_equal(a, b), name


# ------------------------------------------------------------------ full disk
@pytest.fixture
def sanandreas_xml(shared_data):
    """``sanandreas_xml(folder)``: an insarApp.xml of the San Andreas pair in ``folder``."""
    return lambda folder: _sanandreas_xml(folder, shared_data("sanandreas"))


def _sanandreas_xml(folder, d):
    xml = folder / "insarApp.xml"
    xml.write_text(f"""<insarApp><component name="insar">
        <property name="Sensor Name">UAVSAR_HDF5_SLC</property>
        <component name="Master"><property name="HDF5">{d / "SanAnd_129.h5"}</property></component>
        <component name="Slave"><property name="HDF5">{d / "SanAnd_138.h5"}</property></component>
        <property name="demFilename">{d / "SanAnd_dem.tif"}</property>
        <property name="dem reference">WGS84</property>
    </component></insarApp>""")
    return xml


def one_error_line(proc):
    # (a progress bar may share the line before it)
    lines = re.findall(r"insarApp\.py: .*", proc.stderr)
    assert proc.returncode == 2, f"exit {proc.returncode}: {proc.stderr[-800:]}"
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr[-800:]
    return lines[0].strip()


def file_size_limit(limit_bytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) instead of a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return pre


def test_insarapp_with_a_file_size_limit_exits_2_in_one_line(tmp_path, sanandreas_xml):
    # a real refusal by the kernel, no privileges needed: no file may exceed 256 KiB
    xml = sanandreas_xml(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    proc = subprocess.run([sys.executable, str(APPLICATIONS / "insarApp.py"), str(xml)], cwd=run,
                          env=isce_env(), preexec_fn=file_size_limit(256 * 1024),
                          capture_output=True, text=True, timeout=600)
    line = one_error_line(proc)  # was: exit 1, "OSError: [Errno 27] File too large"
    assert re.fullmatch(r"insarApp.py: error: cannot write \S+\.slc: file too large for this "
                        r"filesystem or this process's file-size limit \(needs \d+(\.\d)? [KM]iB\)", line), line


FULL_DISK_RUN = """
import errno, os, runpy, sys
def full(fd, offset, length):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
os.posix_fallocate = full           # every reservation of space fails, as on a full disk
sys.argv = [sys.argv[1], sys.argv[2]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_insarapp_on_a_full_disk_exits_2_naming_file_and_space(tmp_path, sanandreas_xml):
    xml = sanandreas_xml(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    proc = subprocess.run([sys.executable, "-c", FULL_DISK_RUN, str(APPLICATIONS / "insarApp.py"),
                           str(xml)], cwd=run, env=isce_env(), capture_output=True, text=True,
                          timeout=600)
    line = one_error_line(proc)
    assert re.fullmatch(r"insarApp.py: error: cannot write \S+: no space left on device "
                        r"\(needs \d+(\.\d)? [KM]iB, \d+(\.\d)? [KM]iB free\)", line), line
    assert not list(run.rglob("*.partial")) and not list(run.rglob(".*.partial"))


# ------------------------------------------------------------------ FIFOs and devices as input
@pytest.mark.parametrize("setting", ["insarApp.Master.HDF5={fifo}", "insarApp.Master.HDF5=/dev/zero",
                                     "insarApp.demFilename={fifo}", "config={fifo}"])
def test_insarapp_refuses_a_fifo_or_device_as_input(tmp_path, setting, sanandreas_xml):
    xml = sanandreas_xml(tmp_path)
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    run = tmp_path / "run"
    run.mkdir()
    args = [str(fifo)] if setting.startswith("config=") else [str(xml), setting.format(fifo=fifo)]
    # before: reading the FIFO blocked for ever (the timeout fails the test)
    proc = subprocess.run([sys.executable, str(APPLICATIONS / "insarApp.py"), *args], cwd=run,
                          env=isce_env(), capture_output=True, text=True, timeout=120)
    line = one_error_line(proc)
    assert re.search(r"is a (FIFO \(named pipe\)|character device)", line), line
    assert not (run / "PICKLE").exists()
