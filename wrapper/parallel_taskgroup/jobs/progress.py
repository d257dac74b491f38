"""What a running job reports: a :class:`JobProgress` snapshot after every change, and lines
worth showing. The command line draws its progress line from these; a library caller may log
them or ignore them."""

from __future__ import annotations

from typing import Optional, Protocol

import attrs

__all__ = ["JobListener", "JobProgress", "SilentListener"]


@attrs.frozen
class JobProgress:
    """Where a job stands. Counts are of input rows; ``queued``/``running`` are the group's
    runs as the service last reported them."""

    phase: str
    """``checking input``, ``submitting``, ``collecting results`` or ``finishing``."""
    rows: int
    submitted: int
    """Rows whose run (latest attempt) exists in the group."""
    finished: int
    """Rows whose latest run has finished (completed, failed or cancelled)."""
    completed: int
    failed: int
    queued: int = 0
    running: int = 0
    spent_usd: float = 0.0
    """What the runs this job created cost, at the price table's prices."""
    submit_seconds_left: Optional[float] = None
    """How long submitting the rest will take at the pace the service allows (None: unknown)."""
    waiting: Optional[str] = None
    """Why the job is waiting right now, e.g. ``rate limit: next batch in 25 s``."""
    waiting_until: Optional[float] = None
    """When that wait ends, on ``time.monotonic()`` (None: unknown)."""


class JobListener(Protocol):
    """Receives a job's progress (the ``taskgroup`` progress line is one)."""

    def update(self, progress: JobProgress) -> None:
        """The job's state changed."""

    def message(self, text: str) -> None:
        """A line worth showing (resuming, repaired file, stopping, done)."""


class SilentListener:
    """A listener that shows nothing."""

    def update(self, progress: JobProgress) -> None:
        pass

    def message(self, text: str) -> None:
        pass
