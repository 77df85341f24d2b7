"""Writing on a full, read-only or forbidden disk: one OutputError naming the file (and the
space needed and free), nothing left behind, never a SIGBUS from a memory-mapped write.

The full disk is simulated in-process (the OSErrors the kernel gives), and for real in a
child process with a file-size limit (RLIMIT_FSIZE: no privileges needed)."""
import errno
import os
import resource
import signal
import subprocess
import sys
import textwrap
from collections import namedtuple

import numpy as np
import pytest
from isce_commands import isce_env

import isce.io
from isce.focus.output import ComplexRasterOutput
from isce.framework.errors import OutputError
from isce.io import atomic

MIB = 2**20
Usage = namedtuple("Usage", "total used free")


def fail_with(code):
    def raiser(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return raiser


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def no_space(monkeypatch):
    """posix_fallocate reports a full disk with 1 MiB free."""
    monkeypatch.setattr(os, "posix_fallocate", fail_with(errno.ENOSPC))
    monkeypatch.setattr("isce.framework.errors.shutil.disk_usage", lambda p: Usage(10 * MIB, 9 * MIB, MIB))


def test_raster_on_a_full_disk_names_file_and_space(tmp_path, no_space):
    path = tmp_path / "big.rdr"
    with pytest.raises(OutputError) as err:
        isce.io.create(path, 1024, 1024, "FLOAT")  # 4 MiB
    assert str(err.value) == f"cannot write {path}: no space left on device (needs 4.0 MiB, 1.0 MiB free)"
    assert err.value.errno == errno.ENOSPC
    assert leftovers(tmp_path) == []  # no temporary, no sidecar


def test_space_is_checked_where_the_filesystem_cannot_preallocate(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "posix_fallocate", fail_with(errno.EOPNOTSUPP))
    monkeypatch.setattr("isce.framework.errors.shutil.disk_usage", lambda p: Usage(10 * MIB, 9 * MIB, MIB))
    with pytest.raises(OutputError, match=r"no space left on device \(needs 4.0 MiB, 1.0 MiB free\)"):
        isce.io.create(tmp_path / "big.rdr", 1024, 1024, "FLOAT")
    assert leftovers(tmp_path) == []
    # enough room: written normally (sparse) on such a filesystem
    monkeypatch.setattr("isce.framework.errors.shutil.disk_usage", lambda p: Usage(10 * MIB, 0, 10 * MIB))
    isce.io.write(tmp_path / "ok.rdr", np.ones((4, 5), np.float32))
    assert isce.io.open(tmp_path / "ok.rdr").read().sum() == 20


def test_raster_blocks_are_reserved_before_mapping(tmp_path, monkeypatch):
    calls = []
    real = os.posix_fallocate
    monkeypatch.setattr(os, "posix_fallocate", lambda fd, off, n: (calls.append(n), real(fd, off, n)))
    with isce.io.create(tmp_path / "x.rdr", 300, 200, "CFLOAT") as ds:
        ds[0:200] = np.ones((200, 300), np.complex64)
    assert calls == [300 * 200 * 8]


@pytest.mark.parametrize("code, reason", [
    (errno.EROFS, "read-only file system"),
    (errno.EACCES, "permission denied (is the folder {folder} read-only?)"),
])
def test_read_only_output_folder(tmp_path, monkeypatch, code, reason):
    # as root, chmod 555 does not stop writes: the kernel's answer is simulated instead
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a, **k: fail_with(code)() if str(p).startswith(str(tmp_path))
                        else real_open(p, *a, **k))
    path = tmp_path / "x.rdr"
    with pytest.raises(OutputError) as err:
        isce.io.create(path, 10, 10, "FLOAT")
    assert str(err.value) == f"cannot write {path}: " + reason.format(folder=tmp_path)


def test_sidecar_on_a_full_disk(tmp_path, monkeypatch):
    def full(path, *args, **kwargs):
        if ".partial" in str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return open(path, *args, **kwargs)
    monkeypatch.setattr(atomic, "open", full, raising=False)
    with pytest.raises(OutputError, match=r"cannot write .*x.json: no space left on device"):
        atomic.write_text(tmp_path / "x.json", "{}")
    assert leftovers(tmp_path) == []


def test_positional_write_on_a_full_disk(tmp_path, monkeypatch):
    ds = isce.io.create(tmp_path / "x.rdr", 64, 64, "FLOAT")
    monkeypatch.setattr(os, "pwrite", fail_with(errno.ENOSPC))
    with pytest.raises(OutputError, match=r"x.rdr: no space left on device"):
        ds.write_rows(np.ones((64, 64), np.float32), slice(0, 64))
    ds.abort()


def test_focus_output_on_a_full_disk(tmp_path, no_space):
    path = tmp_path / "focus" / "ref.slc"
    with pytest.raises(OutputError, match=r"ref.slc: no space left on device \(needs 8.0 MiB, 1.0 MiB free\)"):
        ComplexRasterOutput(path, 1024, 1024)
    assert leftovers(path.parent) == []


def test_focus_output_write_on_a_full_disk(tmp_path, monkeypatch):
    out = ComplexRasterOutput(tmp_path / "ref.slc", 16, 8)
    monkeypatch.setattr(os, "pwritev", fail_with(errno.ENOSPC))
    with pytest.raises(OutputError, match=r"ref.slc: no space left on device"):
        out.write(0, np.ones((8, 16), np.complex64))
    out.abort()
    assert leftovers(tmp_path) == []


# A real refusal by the kernel: a file-size limit in a child process.
WRITE_4MIB = textwrap.dedent("""
    import sys, numpy as np, isce.io
    from isce.framework.errors import OutputError
    try:
        with isce.io.create(sys.argv[1], 1024, 1024, "FLOAT") as ds:
            ds[0:1024] = np.ones((1024, 1024), np.float32)
    except OutputError as exc:
        sys.exit(f"OutputError: {exc}")
""")


def limited(limit_bytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return pre


def test_real_file_size_limit_is_one_output_error(tmp_path):
    path = tmp_path / "big.rdr"
    proc = subprocess.run([sys.executable, "-c", WRITE_4MIB, str(path)], env=isce_env(),
                          preexec_fn=limited(MIB), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"OutputError: cannot write {path}: file too large for this "
                                   "filesystem or this process's file-size limit (needs 4.0 MiB)")
    assert leftovers(tmp_path) == []


def test_fifo_as_raster_data_is_refused_without_blocking(tmp_path):
    isce.io.write(tmp_path / "x.rdr", np.ones((4, 5), np.float32))
    os.remove(tmp_path / "x.rdr")
    os.mkfifo(tmp_path / "x.rdr")  # the sidecars now describe a FIFO
    with pytest.raises(isce.io.RasterError, match=r"x.rdr: is a FIFO \(named pipe\), not a regular file"):
        isce.io.open(tmp_path / "x.rdr")
