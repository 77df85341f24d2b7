"""What commands report: crossmul.py's mean coherence counts only pixels with data, and
progress bars reach a terminal but never a pipe, a file or isce.log."""
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import numpy as np
import pytest
from isce_commands import APPLICATIONS, isce_env, run_command

import isce.io

L, W = 96, 160
ZERO_ROWS = 40                      # the secondary's first rows hold no data (zeros)
BAR = re.compile(r"\r|%\|")         # tqdm's redraws and its "NN%|" bar


def _slcs(folder):
    """A coregistered pair: the secondary is the reference plus noise, zero in its first rows."""
    rng = np.random.default_rng(3)
    ref = (rng.normal(size=(L, W)) + 1j * rng.normal(size=(L, W))).astype(np.complex64)
    sec = (ref + 0.5 * (rng.normal(size=(L, W)) + 1j * rng.normal(size=(L, W)))).astype(np.complex64)
    sec[:ZERO_ROWS] = 0
    for name, data in (("ref.slc", ref), ("sec.slc", sec)):
        with isce.io.create(folder / name, W, L, "CFLOAT", image_type="slc") as ds:
            ds[:] = data
    return ["crossmul.reference=ref.slc", "crossmul.secondary=sec.slc",
            "crossmul.azimuth looks=4", "crossmul.range looks=4"]


def test_crossmul_mean_coherence_is_over_pixels_with_data(tmp_path):
    proc = run_command("crossmul.py", *_slcs(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    coh = np.asarray(isce.io.open(tmp_path / "interferogram" / "topophase.cor").read())
    valid = np.isfinite(coh) & (coh > 0)
    assert 0.4 < valid.mean() < 0.7                   # the zero rows give coherence 0: no data
    logged = [float(m) for m in re.findall(r"mean coherence ([0-9.]+)", proc.stderr)]
    assert logged == [pytest.approx(coh[valid].mean(), abs=1e-4)]
    assert logged[0] > coh.mean() + 0.2               # the mean over all pixels is far lower
    assert "over %.1f %% of the pixels" % (100 * valid.mean()) in proc.stderr


def test_mean_coherence_of_arrays_and_rasters(tmp_path):
    from isce.signal.coherence import mean_coherence

    cor = np.array([[0.0, 0.5, np.nan], [1.0, 0.0, 0.3]], dtype=np.float32)
    assert mean_coherence(cor) == pytest.approx((0.6, 0.5))
    isce.io.write(tmp_path / "x.cor", cor, image_type="cor")
    assert mean_coherence(tmp_path / "x.cor") == pytest.approx((0.6, 0.5))
    assert mean_coherence(np.zeros((3, 4))) == (0.0, 0.0)


def test_no_progress_bar_in_pipes_or_the_log(tmp_path):
    proc = run_command("crossmul.py", *_slcs(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "wrote interferogram/topophase.flat" in proc.stderr      # the log lines do come
    assert not BAR.search(proc.stderr), proc.stderr[:500]
    log = (tmp_path / "isce.log").read_text()
    assert "mean coherence" in log and not BAR.search(log)
    # stderr redirected to a file, as in `insarApp.py ... 2> run.log`
    with open(tmp_path / "run.log", "w") as err:
        rc = subprocess.run([sys.executable, str(APPLICATIONS / "crossmul.py"), *_slcs(tmp_path)],
                            cwd=tmp_path, env=isce_env(), stdout=subprocess.DEVNULL, stderr=err,
                            timeout=300).returncode
    assert rc == 0
    text = (tmp_path / "run.log").read_text()
    assert "mean coherence" in text and not BAR.search(text)


def test_progress_bar_on_a_terminal(tmp_path):
    args = _slcs(tmp_path)
    master, slave = pty.openpty()
    # a terminal of 24 x 100 characters (a new pty has 0 columns, where tqdm draws nothing)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.Popen([sys.executable, str(APPLICATIONS / "crossmul.py"), *args],
                                cwd=tmp_path, env=isce_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:                 # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=300) == 0
    finally:
        os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "crossmul" in text and "%|" in text, text[:500]        # the bar is drawn
    assert not BAR.search((tmp_path / "isce.log").read_text())    # and kept out of the log


def test_progress_bar_helper_draws_only_on_a_terminal():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, drawn in ((io.StringIO(), False), (Terminal(), True)):
        for _ in isce.io.progress_bar(range(3), total=3, desc="blocks", file=stream):
            pass
        assert ("%|" in stream.getvalue()) is drawn


def test_sensor_extraction_draws_no_bar_off_a_terminal(tmp_path, capfd, shared_data):
    """insarApp's preprocess writes SLC inputs with progress=True: nothing on a pipe."""
    from isce.sensors import create

    data = shared_data("sanandreas")
    reader = create("UAVSAR_HDF5_SLC", name="reference")
    reader.hdf5 = str(data / "SanAnd_129.h5")
    reader.extract(tmp_path / "reference.slc", progress=True, block_lines=10)
    err = capfd.readouterr().err
    assert not BAR.search(err), err[:300]
