"""The one clock: monotonic time, wall time and every wait in the library.

Tests replace time by giving a :class:`Clock` of their own to ``Client(clock=...)``. A stopping
program calls :meth:`Clock.interrupt`: every wait on the clock, now or later, then raises
:class:`Interrupted` at once, so no thread stays asleep in a backoff, a pacing wait or the wait
for a request another process sent.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

__all__ = ["Clock", "Interrupted", "WaitHook"]

WaitHook = Callable[[str, Optional[float]], None]
"""Told ``(why, until)`` whenever the library waits: ``until`` is the clock's :meth:`Clock.now`
when the wait ends (``None``: unknown), e.g. ``("rate limit: next batch", 1234.5)``."""


class Interrupted(BaseException):
    """A wait was cut short by :meth:`Clock.interrupt` (a BaseException, like KeyboardInterrupt:
    no ``except Exception`` swallows it on its way to the code that stops)."""


class Clock:
    """Monotonic time, wall time and sleeping: the seam every wait of the library passes."""

    def __init__(self) -> None:
        self._wake = threading.Event()

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    def wall(self) -> float:
        """Seconds since the epoch (what a journal records, to be read by another process)."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; raises :class:`Interrupted` if the clock is (or gets) interrupted."""
        if self._wake.is_set() or (seconds > 0 and self._wake.wait(seconds)):
            raise Interrupted()

    def fork(self) -> Clock:
        """A clock of the same kind that is interrupted on its own (a job session's); a test's
        clock overrides this to share its notion of time."""
        return type(self)()

    def interrupt(self) -> None:
        """Make every current and future :meth:`sleep` raise :class:`Interrupted`."""
        self._wake.set()

    @property
    def interrupted(self) -> bool:
        """Whether :meth:`interrupt` was called."""
        return self._wake.is_set()
