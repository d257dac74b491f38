"""One sender per group on this machine.

An add-runs call holds its group's lock from before it reads its journal and the group until its
last POST is settled, so two calls sending to one group (two threads, two processes on one
journal, a second job attached to a group another job is still filling) never both send a row.
A call that had to wait for the lock reads the group before it sends: its journal cannot know
what the other call sent. The lock is an OS file lock (released however its holder exits), one
per server and group, in the folder ``$PARALLEL_TASKGROUP_LOCK_DIR`` names, by default one of
this user's in the temp folder; where that folder cannot be used, calls go unlocked.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from typing import Callable, Optional

from .. import errors
from .._clock import Clock
from .._fs import FileLock

__all__ = ["LOCK_DIR_VARIABLE", "sending_to"]

log = logging.getLogger("parallel_taskgroup.submission")

POLL_SECONDS = 0.2

_held = threading.local()


@contextlib.contextmanager
def sending_to(
    server: str, group_id: str, *, clock: Clock, on_wait: Callable[[str], None]
) -> Iterator[bool]:
    """Hold the lock of group ``group_id`` of the API at ``server`` inside; yields whether
    another sender held it first. ``on_wait`` is told once, in words, whom the call waits for."""
    held: set[tuple[str, str]] = _held.__dict__.setdefault("groups", set())
    key = (server.rstrip("/"), group_id)
    if key in held:
        raise errors.ConfigurationError(
            f"add_runs on group {group_id} was called from inside another add_runs on it (e.g. "
            "from its on_progress): the inner call would wait for the outer one forever"
        )
    lock = _lock_of(key)
    if lock is None:
        yield False
        return
    note = f"pid {os.getpid()} on {socket.gethostname()}, since {_now()}"
    waited = False
    while True:
        taken = _take(lock, note)
        if taken is None:  # the lock file cannot be opened: go unlocked, as without a folder
            yield waited
            return
        if taken:
            break
        if not waited:
            waited = True
            holder = lock.holder() or "holder unknown"
            on_wait(
                f"another add_runs is sending to group {group_id} ({holder}); waiting for it "
                "to end, then reading the group, so that no row is sent twice"
            )
        clock.sleep(POLL_SECONDS)
    held.add(key)
    try:
        yield waited
    finally:
        held.discard(key)
        lock.release()


def _take(lock: FileLock, note: str) -> Optional[bool]:
    """Whether ``lock`` was taken now; None when its file cannot be used."""
    try:
        return lock.acquire(note)
    except OSError as exc:
        log.warning("add_runs goes without its group lock: cannot use %s (%s)", lock.path, exc)
        return None


LOCK_DIR_VARIABLE = "PARALLEL_TASKGROUP_LOCK_DIR"


def _lock_of(key: tuple[str, str]) -> Optional[FileLock]:
    """The lock file of the group ``key`` (server, group id; named by a digest: ids are the
    server's to choose), or None when the lock folder cannot be made."""
    folder = os.environ.get(LOCK_DIR_VARIABLE) or os.path.join(
        tempfile.gettempdir(), f"parallel-taskgroup-{_user()}"
    )
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError as exc:
        log.warning("add_runs goes without its group lock: cannot make %s (%s)", folder, exc)
        return None
    name = hashlib.sha256("\n".join(key).encode()).hexdigest()[:32]
    return FileLock(os.path.join(folder, f"{name}.lock"))


def _user() -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return str(getuid())
    with contextlib.suppress(Exception):
        import getpass

        return getpass.getuser()
    return "user"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
