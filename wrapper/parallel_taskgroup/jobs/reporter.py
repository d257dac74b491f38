"""A running job's progress, told to its listener: row counts from the store, the group's
queued/running runs from a status poll, what the job waits for and until when."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from typing import Optional

from .._clock import Clock, Interrupted
from .._status import status_counts
from ..group import TaskGroup
from .prices import PriceTable
from .progress import JobListener, JobProgress
from .store import JobStore

__all__ = ["EMIT_SECONDS", "JobReporter", "StatusPoller"]

EMIT_SECONDS = 0.5
"""Progress is reported at most this often, except when the phase or a wait changes (counting
the job's rows on every batch and every flush would cost more than the rest of the job)."""
STATUS_POLL_SECONDS = 2.0


class JobReporter:
    """Builds :class:`JobProgress` snapshots for the job's listener (thread-safe)."""

    def __init__(
        self, listener: JobListener, store: JobStore, prices: PriceTable, clock: Clock
    ) -> None:
        self.listener = listener
        self._store = store
        self._prices = prices
        self._clock = clock
        self._lock = threading.Lock()
        self._phase = "checking input"
        self._server: dict[str, int] = {}
        self._waiting: Optional[tuple[str, Optional[float]]] = None
        self._samples: deque[tuple[float, int]] = deque(maxlen=60)
        self._last_emit = float("-inf")

    def spent(self) -> float:
        """What the job's runs cost so far (every run of its rows in the group)."""
        return self._prices.cost(self._store.runs_by_processor())

    def message(self, text: str) -> None:
        self.listener.message(text)

    def phase(self, phase: str) -> None:
        """The job entered ``phase`` (told at once)."""
        self._phase = phase
        self.emit(force=True)

    def server(self, counts: dict[str, int]) -> None:
        """The group's runs by status, as the service last reported them."""
        self._server = counts
        self.emit()

    def on_wait(self, what: str, until: Optional[float]) -> None:
        """The client's wait hook: the job waits for ``what`` until ``until`` (its clock)."""
        self._waiting = (what, until)
        with contextlib.suppress(Exception):
            self.emit(force=True)

    def emit(self, *, force: bool = False) -> None:
        """Tell the listener where the job stands (at most every EMIT_SECONDS unless forced)."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._last_emit < EMIT_SECONDS:
                return
            self._last_emit = now
            counts = self._store.counts()
            self._samples.append((now, counts.submitted))
            left: Optional[float] = None
            first_t, first_n = self._samples[0]
            if counts.submitted < counts.rows and now - first_t >= 5 and counts.submitted > first_n:
                rate = (counts.submitted - first_n) / (now - first_t)
                left = (counts.rows - counts.submitted) / rate
            waiting = self._waiting
            clock_now = self._clock.now()
            if waiting is not None and waiting[1] is not None and waiting[1] < clock_now:
                waiting = self._waiting = None
            until = None
            if waiting is not None and waiting[1] is not None:
                until = now + (waiting[1] - clock_now)
            progress = JobProgress(
                phase=self._phase,
                rows=counts.rows,
                submitted=counts.submitted,
                finished=counts.finished,
                completed=counts.completed,
                failed=counts.failed,
                queued=self._server.get("queued", 0),
                running=self._server.get("running", 0),
                spent_usd=self.spent(),
                submit_seconds_left=left,
                waiting=waiting[0] if waiting else None,
                waiting_until=until,
            )
        self.listener.update(progress)


class StatusPoller:
    """A thread that asks for the group's summary every few seconds, for the progress line
    only (its failures are the job's business elsewhere)."""

    def __init__(self, group: TaskGroup, reporter: JobReporter) -> None:
        self._group = group
        self._reporter = reporter
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="taskgroup-status", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(STATUS_POLL_SECONDS):
            try:
                self._reporter.server(status_counts(self._group.refresh().status))
            except (Exception, Interrupted):  # display only
                if self._stop.is_set():
                    return
