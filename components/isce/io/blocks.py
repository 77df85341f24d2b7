"""Block iteration over rows, so processing stays memory-bounded.

    for rows in iter_blocks(raster.length, 512, progress=True):
        out[rows] = f(raster.read(rows=rows))

With ``overlap`` (filters, resampling), :func:`iter_windows` says which rows to
read and which of them to keep.
"""
import sys
from typing import NamedTuple

import numpy as np

from .datatypes import lookup


class Window(NamedTuple):
    read: slice    # rows to read: the core plus up to `overlap` rows on each side
    write: slice   # the core rows, which tile 0..length without gaps or overlap
    keep: slice    # where the core lies inside the rows read (index into the block read)


def _check(length, block_lines, overlap):
    for name, value in (("length", length), ("block_lines", block_lines), ("overlap", overlap)):
        if isinstance(value, bool) or int(value) != value:
            raise ValueError(f"{name} must be an integer, got {value!r}")
    if length < 0 or block_lines < 1 or overlap < 0:
        raise ValueError(f"need length >= 0, block_lines >= 1 and overlap >= 0 "
                         f"(got {length}, {block_lines}, {overlap})")
    return int(length), int(block_lines), int(overlap)


class _SilentBar:
    """What :func:`progress_bar` returns when tqdm would draw nothing (its ``disable=None`` off
    a terminal, or ``disable=True``): it iterates over ``iterable`` and takes the calls isce
    makes on a bar, without importing tqdm (~0.1 s)."""

    def __init__(self, iterable=None, total=None, **_):
        self.iterable, self.total, self.n = iterable, total, 0

    def __iter__(self):
        return iter(() if self.iterable is None else self.iterable)

    def __len__(self):
        return len(self.iterable) if self.iterable is not None else int(self.total or 0)

    def update(self, n=1):
        self.n += n

    def _nothing(self, *args, **kwargs):
        return None

    close = refresh = clear = set_postfix = set_postfix_str = set_description = _nothing

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def progress_bar(iterable=None, **kwargs):
    """A tqdm progress bar that shows on a terminal only: with stderr a file, a pipe or CI's
    log, it is silent (tqdm's ``disable=None``), so logs never fill with bar redraws.

    Keyword arguments go to tqdm (defaults: ``unit="block"``, ``leave=False``); the bar also
    works without an iterable (``update``/``close``). When it would be silent, tqdm is not
    even imported (:class:`_SilentBar`)."""
    disable = kwargs.get("disable")
    stream = kwargs.get("file") or sys.stderr
    if disable is True or (disable is None and not _is_terminal(stream)):
        return _SilentBar(iterable, **kwargs)
    from tqdm.auto import tqdm  # lazy: tqdm costs ~0.1 s to import; only progress bars need it

    kwargs.setdefault("unit", "block")
    kwargs.setdefault("leave", False)
    kwargs.setdefault("disable", None)        # None: disabled unless the stream is a TTY
    return tqdm(iterable, **kwargs)


def _is_terminal(stream) -> bool:
    """Whether a bar on ``stream`` would be drawn: tqdm's own test for ``disable=None``
    (a stream that cannot say whether it is a terminal counts as one)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return True
    try:
        return bool(isatty())
    except ValueError:                      # a closed stream
        return False


def _progress(iterable, total, progress, desc):
    if not progress:
        return iterable
    return progress_bar(iterable, total=total, desc=desc)


def iter_windows(length, block_lines, overlap=0, *, progress=False, desc=None):
    """Yield a :class:`Window` per block of ``block_lines`` core rows over ``0..length``."""
    length, block_lines, overlap = _check(length, block_lines, overlap)
    count = -(-length // block_lines)

    def windows():
        for start in range(0, length, block_lines):
            stop = min(start + block_lines, length)
            lo, hi = max(start - overlap, 0), min(stop + overlap, length)
            yield Window(slice(lo, hi), slice(start, stop), slice(start - lo, stop - lo))

    return iter(_progress(windows(), count, progress, desc))


def iter_blocks(length, block_lines, overlap=0, *, progress=False, desc=None):
    """Yield row slices covering ``0..length`` in blocks of ``block_lines`` rows.

    With ``overlap`` each slice extends up to ``overlap`` rows beyond its block on both sides
    (clipped at the edges); use :func:`iter_windows` to know which rows are the block's own.
    ``progress=True`` shows a tqdm bar (``desc`` labels it)."""
    for window in iter_windows(length, block_lines, overlap, progress=progress, desc=desc):
        yield window.read


def block_lines_for(width, dtype, bands=1, budget=64 * 2**20, arrays=1):
    """Rows per block so that ``arrays`` blocks of ``width`` x ``bands`` samples of ``dtype``
    fit in ``budget`` bytes (at least 1)."""
    try:
        itemsize = lookup(dtype).itemsize
    except ValueError:
        itemsize = np.dtype(dtype).itemsize
    line = max(1, int(width) * int(bands) * itemsize * int(arrays))
    return max(1, int(budget) // line)
