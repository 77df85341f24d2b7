"""Atomic file creation: write under a hidden temporary name in the same
directory, then rename over the final name (``os.replace`` is atomic on POSIX).

Temporary names are ``.<name>.<pid>.<random>.partial``; ones left behind by a
process that no longer runs are removed by :func:`remove_stale_temps`.
"""
import glob
import contextlib
import os
import secrets
import shutil

from .space import writing

_SUFFIX = ".partial"


def temp_path(path):
    """A fresh temporary name beside ``path``."""
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}{_SUFFIX}")


def _pid_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(path):
    """Remove temporaries of ``path`` whose writing process is gone."""
    folder, name = os.path.split(os.path.abspath(os.fspath(path)))
    for temp in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.*{_SUFFIX}")):
        # ".<name>[.<sidecar suffix>].<pid>.<token>.partial": sidecar temporaries are swept too
        parts = os.path.basename(temp)[len(name) + 2:-len(_SUFFIX)].rsplit(".", 2)
        if len(parts) < 2 or not parts[-2].isdigit() or not parts[-1]:
            continue
        pid_text = parts[-2]
        if not _pid_alive(int(pid_text)):
            try:
                os.remove(temp)
            except OSError:
                pass


def remove_quietly(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(path, text, fsync=False):
    """Write ``text`` (UTF-8) to ``path`` atomically; OutputError on a full, read-only or
    forbidden folder."""
    temp = temp_path(path)
    try:
        with writing(path, len(text.encode("utf-8"))):
            with open(temp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                if fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(temp, path)
    except BaseException:
        remove_quietly(temp)
        raise


@contextlib.contextmanager
def replacing(path):
    """``with replacing(path) as temp:`` write ``temp`` (any way: open, h5py, lxml...); it is
    renamed over ``path`` when the block ends, removed if it raises: a reader never sees a
    half-written file."""
    temp = temp_path(path)
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        remove_quietly(temp)
        raise


@contextlib.contextmanager
def building_folder(work):
    """``with building_folder(work):`` fill the folder ``work`` (a leftover is removed first);
    it is removed if the block raises. End the block with :func:`replace_folder`, so a
    folder product (a SAFE, a RADARSAT-2 product) appears whole or not at all."""
    shutil.rmtree(work, ignore_errors=True)
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def replace_folder(work, target) -> None:
    """Move the finished folder ``work`` to ``target``, an older ``target`` removed first."""
    if os.path.isdir(target):
        shutil.rmtree(target)
    os.replace(work, target)


def write_binary(path, write) -> None:
    """Write a file atomically through ``write(handle)`` (binary, streamed: any size)."""
    with replacing(path) as temp:
        with open(temp, "wb") as handle:
            write(handle)
