"""Durable file writes: replace a file atomically, fsync a folder. OSError is the caller's to
word: each store says which of its files failed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Union

__all__ = ["atomic_write", "fsync_dir"]

PathArg = Union[str, "os.PathLike[str]"]


def atomic_write(path: PathArg, data: bytes) -> None:
    """Replace ``path`` with ``data``: written to a temp file beside it, fsynced, renamed over
    it, and the folder fsynced. A crash at any point leaves the old or the new content."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def fsync_dir(directory: PathArg) -> None:
    """Make a rename or a new file in ``directory`` durable (a no-op where folders cannot be
    opened, e.g. on Windows, where ``os.replace`` is still atomic)."""
    try:
        fd = os.open(os.fspath(directory), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
