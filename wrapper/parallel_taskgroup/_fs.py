"""Durable files: replace a file atomically, fsync a folder, hold an exclusive lock. OSError is
the caller's to word: each store says which of its files failed."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
import tempfile
from typing import Optional, Union

__all__ = ["O_BINARY", "FileLock", "atomic_write", "fsync_dir", "temp_beside"]

PathArg = Union[str, "os.PathLike[str]"]

O_BINARY: int = getattr(os, "O_BINARY", 0)
"""os.open's flag for no newline translation (Windows; 0 elsewhere)."""


def atomic_write(path: PathArg, data: bytes, *, private: bool = True) -> None:
    """Replace ``path`` with ``data``: written to a temp file beside it, fsynced, renamed over
    it, and the folder fsynced. A crash at any point leaves the old or the new content. The
    file is readable by its owner only, or with ``private=False`` (a page to share) has the
    mode the file had, or a new file gets."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = temp_beside(target, private=private)
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


def temp_beside(target: str, *, private: bool) -> tuple[int, str]:
    """A new empty file beside ``target`` (its descriptor and name), for content that will be
    renamed over it: readable by its owner only, or unless ``private`` with the mode
    ``target`` has, or a new file gets under the umask. OSError is the caller's to word."""
    if private:
        directory = os.path.dirname(os.path.abspath(target))
        return tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=directory
        )
    directory, name = os.path.split(os.path.abspath(target))
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY, 0o666)
        except FileExistsError:
            continue
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        return fd, tmp
    raise FileExistsError(f"no free temporary file name beside {target}")


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


class FileLock:
    """An exclusive, advisory OS lock on a file, held by one process at a time.

    The operating system releases it when the holder exits, however it exits, so a lock left by
    a killed process never blocks the next one. The holder writes a note (who, since when) into
    the file for the others' error messages.
    """

    def __init__(self, path: PathArg) -> None:
        self.path = os.fspath(path)
        self._fd: Optional[int] = None

    def acquire(self, note: str) -> bool:
        """Take the lock without waiting and write ``note``; False if another process holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | O_BINARY, 0o666)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        # Written over the last note and padded to its length, not truncated: ext4 flushes a
        # truncated and rewritten file's blocks at close, which cost more than the rest of
        # taking the lock.
        data = note.encode("utf-8")
        try:
            data += b" " * (os.fstat(fd).st_size - len(data))
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data)
        except OSError:
            self.release()
            raise
        return True

    def holder(self) -> str:
        """What the current holder wrote (empty if unreadable)."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError:
            return ""

    def release(self) -> None:
        """Let go of the lock (the file stays: removing it would race a new holder)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd)
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
