"""Writing is atomic: an error or a killed process never leaves a file that looks complete."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import isce.io

COMPONENTS = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "components")


def test_exception_inside_with_leaves_nothing(tmp_path):
    path = tmp_path / "x.rdr"
    with pytest.raises(RuntimeError, match="boom"):
        with isce.io.create(path, 10, 10, np.float32) as ds:
            ds[0:5] = 1.0
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_exception_keeps_previous_product_intact(tmp_path):
    path = tmp_path / "x.rdr"
    isce.io.write(path, np.full((2, 3), 4.0, np.float32))
    before = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}
    with pytest.raises(KeyboardInterrupt):
        with isce.io.create(path, 10, 10, np.float64) as ds:
            ds[:] = 1.0
            raise KeyboardInterrupt
    assert {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)} == before


def test_overwrite_replaces_data_and_sidecars(tmp_path):
    path = tmp_path / "x.rdr"
    isce.io.write(path, np.zeros((2, 3), np.float32))
    (tmp_path / "x.rdr.aux.xml").write_text("<PAMDataset/>")      # stale GDAL statistics
    new = np.arange(20, dtype=np.complex64).reshape(4, 5)
    isce.io.write(path, new, image_type="slc")
    assert sorted(os.listdir(tmp_path)) == ["x.rdr", "x.rdr.hdr", "x.rdr.vrt", "x.rdr.xml"]
    r = isce.io.open(path)
    assert (r.width, r.length, r.data_type) == (5, 4, "CFLOAT")
    np.testing.assert_array_equal(r.data, new)


def test_abort_and_unclosed_writer_leave_nothing(tmp_path):
    ds = isce.io.create(tmp_path / "x.rdr", 4, 4, "BYTE")
    ds[:] = 3
    ds.abort()
    assert os.listdir(tmp_path) == []
    ds = isce.io.create(tmp_path / "y.rdr", 4, 4, "BYTE")
    del ds                                           # dropped without close(): temp file removed
    assert os.listdir(tmp_path) == []


def test_killed_writer_leaves_no_product(tmp_path):
    path = tmp_path / "x.rdr"
    script = textwrap.dedent(f"""
        import sys, time, numpy as np, isce.io
        with isce.io.create({str(path)!r}, 256, 256, np.float32, image_type="cor") as ds:
            ds[0:128] = 1.0
            print("ready", flush=True)
            time.sleep(60)
    """)
    env = dict(os.environ, PYTHONPATH=os.path.abspath(COMPONENTS))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    left = os.listdir(tmp_path)
    assert not path.exists()
    assert not any(name.startswith("x.rdr") for name in left)      # no data, no sidecar
    assert len(left) == 1 and left[0].startswith(".x.rdr.") and left[0].endswith(".partial")
    with pytest.raises(isce.io.RasterError, match="no such raster"):
        isce.io.open(path)
    # the next writer of the same product sweeps the dead process's temporary away
    isce.io.write(path, np.ones((2, 2), np.float32))
    assert sorted(os.listdir(tmp_path)) == ["x.rdr", "x.rdr.hdr", "x.rdr.vrt", "x.rdr.xml"]


def test_other_live_writer_temp_is_not_swept(tmp_path):
    path = tmp_path / "x.rdr"
    with isce.io.create(path, 2, 2, np.float32) as first:
        with isce.io.create(path, 2, 2, np.float32) as second:   # same process: alive
            assert os.path.exists(first.temp_path)
            second[:] = 2
        first[:] = 1
    np.testing.assert_array_equal(isce.io.open(path).data, np.ones((2, 2)))


def test_stale_sidecar_temporaries_are_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [f".x.rdr.{dead.pid}.0badc0de.partial", f".x.rdr.xml.{dead.pid}.0badc0de.partial"]
    live = f".x.rdr.{os.getpid()}.feedbeef.partial"
    for name in stale + [live]:
        (tmp_path / name).write_bytes(b"junk")
    isce.io.write(tmp_path / "x.rdr", np.ones((2, 2), np.float32))
    left = sorted(os.listdir(tmp_path))
    assert live in left and not set(stale) & set(left)
