import numpy as np
import pytest

import isce.io
from isce.io import iter_blocks, iter_windows


@pytest.mark.parametrize("length, block", [(0, 5), (1, 5), (10, 5), (11, 5), (7, 100), (100, 1)])
def test_blocks_tile_the_rows(length, block):
    slices = list(iter_blocks(length, block))
    covered = np.concatenate([np.arange(length)[s] for s in slices]) if slices else np.array([], int)
    np.testing.assert_array_equal(covered, np.arange(length))
    assert all(s.stop - s.start <= block for s in slices)
    assert len(slices) == -(-length // block)


@pytest.mark.parametrize("length, block, overlap", [(23, 5, 2), (10, 3, 10), (8, 8, 1), (9, 4, 0)])
def test_windows_with_overlap(length, block, overlap):
    rows = np.arange(length)
    cores, reads = [], list(iter_blocks(length, block, overlap))
    for w, read in zip(iter_windows(length, block, overlap), reads):
        assert w.read == read
        assert w.read.start == max(w.write.start - overlap, 0)
        assert w.read.stop == min(w.write.stop + overlap, length)
        np.testing.assert_array_equal(rows[w.read][w.keep], rows[w.write])
        cores.append(rows[w.write])
    np.testing.assert_array_equal(np.concatenate(cores), rows)


def test_block_filter_matches_whole_array(tmp_path):
    """A 3-row running mean computed block by block with overlap equals the whole-array result."""
    data = np.random.default_rng(0).standard_normal((50, 8)).astype(np.float32)
    isce.io.write(tmp_path / "in.rdr", data)
    src = isce.io.open(tmp_path / "in.rdr")

    def smooth(a):
        p = np.pad(a, ((1, 1), (0, 0)), mode="edge")
        return (p[:-2] + p[1:-1] + p[2:]) / 3

    with isce.io.create(tmp_path / "out.rdr", src.width, src.length, np.float32) as out:
        for w in iter_windows(src.length, 7, overlap=1, progress=True, desc="smooth"):
            out[w.write] = smooth_with_context(np.array(src.read(rows=w.read)), w, src.length)
    np.testing.assert_allclose(isce.io.open(tmp_path / "out.rdr").data, smooth(data), rtol=1e-6)


def smooth_with_context(block, w, length):
    """Smooth the core rows of ``block``, padding by edge replication only at the raster's ends."""
    top = block[:1] if w.read.start == 0 else np.empty((0, block.shape[1]), block.dtype)
    bottom = block[-1:] if w.read.stop == length else np.empty((0, block.shape[1]), block.dtype)
    p = np.concatenate([top, block, bottom])
    s = (p[:-2] + p[1:-1] + p[2:]) / 3          # s[j] belongs to p[j + 1] = block[j + 1 - len(top)]
    shift = len(top) - 1
    return s[w.keep.start + shift:w.keep.stop + shift]


def test_progress_bar(capsys):
    assert len(list(iter_blocks(100, 10, progress=True, desc="test"))) == 10


def test_bad_block_arguments():
    with pytest.raises(ValueError):
        list(iter_blocks(10, 0))
    with pytest.raises(ValueError):
        list(iter_blocks(10, 2, overlap=-1))
    with pytest.raises(ValueError):
        list(iter_blocks(10.5, 2))


def test_block_lines_for():
    assert isce.io.block_lines_for(1000, "CFLOAT", budget=80_000) == 10
    assert isce.io.block_lines_for(1000, np.float32, bands=2, budget=80_000, arrays=2) == 5
    assert isce.io.block_lines_for(10**9, "CDOUBLE") == 1


def test_silent_progress_bar_needs_no_tqdm():
    """Off a terminal the bar draws nothing, so tqdm is not imported for it; the silent bar
    iterates like the iterable and takes update/close/refresh/set_postfix_str."""
    import io
    import subprocess
    import sys

    from isce_commands import isce_env

    code = ("import io, sys, isce.io\n"
            "bar = isce.io.progress_bar(range(4), total=4, desc='x', file=io.StringIO())\n"
            "assert list(bar) == [0, 1, 2, 3] and len(bar) == 4\n"
            "b2 = isce.io.progress_bar(total=3, desc='y', file=io.StringIO())\n"
            "b2.update(2); b2.set_postfix_str('z'); b2.refresh(); b2.close()\n"
            "assert b2.n == 2\n"
            "print('tqdm' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=isce_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    stream = io.StringIO()
    with isce.io.progress_bar(total=2, desc="z", file=stream, disable=False) as bar:
        bar.update(2)
    assert "z" in stream.getvalue()           # asked to draw: tqdm draws, terminal or not
