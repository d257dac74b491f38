"""The progress line of ``taskgroup run``: a bar redrawn in place on a terminal, plain lines
otherwise, nothing when quiet.

:class:`Progress` is the job's :class:`~parallel_taskgroup.jobs.progress.JobListener`: the job
calls :meth:`Progress.update` with a :class:`~parallel_taskgroup.jobs.progress.JobProgress`
(any :class:`Snapshot`) after every change, from any thread, and the line is drawn from the
latest snapshot and the clock. Segments are joined by `` | ``; the most important come first,
because a terminal cuts the line at its width::

    [##########----------] 512/1000 51% | rate limit: next batch in 25 s | 4.2/s | ETA 1:56
    | completed 500 failed 10 cancelled 2 | submitted 700/1000 | queued 150 running 38
    | $12.34 | elapsed 1:02

(one line; wrapped here only for reading). In order:

``[####------] F/R P%``
    ``F`` is ``finished``: rows whose run completed, failed or was cancelled, the number the final
    summary reports. ``R`` is the number of rows; ``P`` is rounded down, so the bar is full and
    ``100%`` only when every row finished.
state (only one; omitted when there is nothing to say)
    ``stopping…`` after :meth:`Progress.stopping` (Ctrl-C) and ``stopped`` on the final line
    after that; else what the job waits for (``waiting``), kept live with the clock:
    ``in N s`` counts down to ``waiting_until`` (or from the snapshot's N when that is unknown),
    ``for N s`` counts up from the snapshot, ``(N s left)`` is added when the text has no
    ``in N s`` but ``waiting_until`` is known, ``(for N s)`` when the text has no number at all;
    else the phase, when it is not ``submitting`` or ``collecting results``
    (``checking input…``, ``finishing…``).
``4.2/s`` (or ``N/min``, ``N/h`` when slower)
    rows finished per second over the last minute of snapshots, shown once there are 10 s of
    history and only when it is above zero: a stalled or waiting job says why instead of
    ``0.0/s``.
``ETA 1:56``
    the larger of what submission still needs (``submit_seconds_left``) and unfinished rows /
    the rate. ``ETA at least 1:31`` when only the submission part is known; nothing when
    neither is (never a made-up ``0:00``); never on the final line or while stopping.
``completed N failed M cancelled K``
    ``cancelled`` (= finished - completed - failed) only when above zero.
``submitted S/R``
    rows whose run exists in the group (never shown above ``R``).
``queued Q running U``
    the group's runs as the service last reported them, when it reported any.
``$12.34``
    what the job's runs cost so far, when above zero.
``elapsed 1:02``
    since the display was created.

On a terminal the line is redrawn every 0.2 s as ``\\r`` + line + ``\\x1b[K``, cut to the
terminal's width so it never wraps; :meth:`Progress.message` and log lines clear it, print
their line and redraw it below. Otherwise (a file or pipe) there are no control characters at
all: a plain line every ``interval`` (10 s), one at each phase change, one at
:meth:`Progress.stopping` and the final one. Every write goes through one lock, and a closed or
broken stream never raises into the job.
"""

from __future__ import annotations

import collections
import logging
import math
import os
import re
import shutil
import threading
import time
from typing import IO, Callable, Optional, Protocol

__all__ = ["Progress", "Snapshot", "format_duration", "format_rate"]

TTY_INTERVAL = 0.2
"""Seconds between redraws on a terminal."""
LINE_INTERVAL = 10.0
"""Seconds between plain lines when the stream is not a terminal."""
RATE_WINDOW = 60.0
"""The rate is measured over about this many seconds of recent snapshots."""
RATE_MIN_HISTORY = 10.0
"""No rate (and no ETA from it) before this many seconds of history."""
LOG_FORMAT = "taskgroup: %(message)s"

_QUIET_PHASES = ("submitting", "collecting results")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_IN_SECONDS = re.compile(r"\bin (\d+(?:\.\d+)?) ?s\b")
_FOR_SECONDS = re.compile(r"\bfor (\d+(?:\.\d+)?) ?s\b")


class Snapshot(Protocol):
    """What the display reads from a job's state: the fields of
    :class:`parallel_taskgroup.jobs.progress.JobProgress`, which is one. (The command line may
    use only the package's public names, and ``JobProgress`` is not one yet; importing it would
    also load ``attrs`` whenever the command starts.)"""

    @property
    def phase(self) -> str: ...
    @property
    def rows(self) -> int: ...
    @property
    def submitted(self) -> int: ...
    @property
    def finished(self) -> int: ...
    @property
    def completed(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def queued(self) -> int: ...
    @property
    def running(self) -> int: ...
    @property
    def spent_usd(self) -> float: ...
    @property
    def submit_seconds_left(self) -> Optional[float]: ...
    @property
    def waiting(self) -> Optional[str]: ...
    @property
    def waiting_until(self) -> Optional[float]: ...


def format_duration(seconds: float) -> str:
    """`1:02:03` / `2:03` style."""
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_rate(per_second: float) -> str:
    """``4.2/s``, ``12.0/min`` or ``3.0/h``: never a zero that is only rounding."""
    if per_second >= 1.0:
        return f"{per_second:.1f}/s"
    if per_second * 60 >= 0.1:
        return f"{per_second * 60:.1f}/min"
    return f"{per_second * 3600:.1f}/h"


def _ellipsis_for(stream: IO[str]) -> str:
    """``…`` unless the stream's encoding cannot write it (then ``...``)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "…".encode(encoding)
    except (LookupError, UnicodeError, TypeError):
        return "..."
    return "…"


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError, AttributeError):
        return False


class Progress:
    """Shows a running job's :class:`JobProgress` on ``stream`` (see the module docstring)."""

    def __init__(
        self,
        stream: IO[str],
        *,
        quiet: bool = False,
        tty: Optional[bool] = None,
        interval: Optional[float] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = _is_tty(stream) if tty is None else tty
        self.interval = (
            interval if interval is not None else (TTY_INTERVAL if self.tty else LINE_INTERVAL)
        )
        self._clock = clock
        self._ellipsis = _ellipsis_for(stream)
        self._started = clock()
        # State, under _state_lock. Both locks are re-entrant, so that stopping() called from a
        # signal handler in a thread that holds one cannot deadlock.
        self._state_lock = threading.RLock()
        self._snap: Optional[Snapshot] = None
        self._snap_at = 0.0
        self._wait_started = 0.0
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._stopping = False
        self._stopped = False
        self._thread: Optional[threading.Thread] = None
        self._stop_event = threading.Event()
        # The stream, under _write_lock (always taken before _state_lock, never after).
        self._write_lock = threading.RLock()
        self._bar_on_screen = False
        self._thread_started = False

    # The job's side (any thread) ------------------------------------------------------------

    def update(self, progress: Snapshot) -> None:
        """The job's new state; starts the render thread on the first call (unless quiet)."""
        now = self._clock()
        with self._state_lock:
            previous = self._snap
            self._snap = progress
            self._snap_at = now
            if progress.waiting is not None and (
                previous is None or _reason(previous.waiting) != _reason(progress.waiting)
            ):
                self._wait_started = now  # a new wait (not the same one with a newer number)
            self._sample(now, progress)
            phase_changed = previous is None or previous.phase != progress.phase
            first = False
            # Off a terminal (a log), nothing is written until the job really starts: a job
            # refused while checking its input ends with its one error line.
            started = self.tty or progress.phase != "checking input"
            if started:
                self._thread_started = True
            if not self.quiet and not self._stopped and self._thread is None and started:
                first = True
                self._thread = threading.Thread(
                    target=self._loop, name="taskgroup-progress", daemon=True
                )
                self._thread.start()
        if self.quiet:
            return
        if self.tty:
            if first:
                self._draw()
        elif phase_changed and started:
            self._draw()

    def message(self, text: str) -> None:
        """Print ``text`` as a line of its own: above the bar on a terminal, so nothing tears."""
        if self.quiet:
            return
        with self._write_lock:
            if not self.tty:
                self._write(text + "\n")
                return
            out = ("\r\x1b[K" if self._bar_on_screen else "") + text + "\n"
            with self._state_lock:
                redraw = not self._stopped and (self._snap is not None or self._stopping)
            if redraw:
                out += self._bar()
            self._bar_on_screen = redraw
            self._write(out)

    def stopping(self) -> None:
        """Say ``stopping…`` at once (Ctrl-C): the job is winding down. It cannot deadlock
        when called from a signal handler."""
        with self._state_lock:
            if self._stopped:
                return
            self._stopping = True
        if not self.quiet:
            self._draw()

    def stop(self) -> None:
        """Stop redrawing and leave the final line (from the last snapshot) on screen, if
        anything was shown. Idempotent."""
        with self._state_lock:
            if self._stopped:
                return
            self._stopped = True
            thread, self._thread = self._thread, None
        self._stop_event.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        if self.quiet:
            return
        with self._write_lock:
            with self._state_lock:
                if self._snap is None and not self._stopping:
                    return  # nothing was shown
                if not self.tty and self._thread_started is False and not self._stopping:
                    return  # a log that showed nothing yet stays empty
            if self.tty:
                self._write(self._bar() + "\n")
            else:
                self._write(self.line() + "\n")
            self._bar_on_screen = False

    def log_handler(self) -> logging.Handler:
        """A handler for ``-v``: each record becomes a :meth:`message` (``taskgroup: ...``)."""
        return _MessageHandler(self)

    # The line -------------------------------------------------------------------------------

    def line(self, width: int = 20) -> str:
        """The current line (no carriage return, no escape codes); ``width`` is the bar's."""
        now = self._clock()
        with self._state_lock:
            snap, stopping, final = self._snap, self._stopping, self._stopped
            rate = self._rate(now)
            snap_at, wait_started = self._snap_at, self._wait_started
        dots = self._ellipsis
        if snap is None:
            return f"stopping{dots}" if stopping else f"starting{dots}"
        rows = max(0, snap.rows)
        finished = snap.finished
        if rows:
            filled = width * min(finished, rows) // rows
            percent = 100 * finished // rows
        else:
            filled, percent = width, 100
        filled = max(0, filled)
        parts = [f"[{'#' * filled}{'-' * (width - filled)}] {finished}/{rows} {percent}%"]

        if stopping:
            parts.append("stopped" if final else f"stopping{dots}")
        elif final:
            pass
        elif snap.waiting is not None:
            parts.append(
                _live_wait(snap.waiting, snap.waiting_until, now, now - snap_at, now - wait_started)
            )
        elif snap.phase not in _QUIET_PHASES:
            parts.append(f"{snap.phase}{dots}")

        if not final:
            if rate is not None and rate > 0:
                parts.append(format_rate(rate))
            if not stopping and finished < rows:
                eta = _eta(rows - finished, rate, snap.submit_seconds_left)
                if eta is not None:
                    parts.append(eta)

        counts = f"completed {snap.completed} failed {snap.failed}"
        cancelled = finished - snap.completed - snap.failed
        if cancelled > 0:
            counts += f" cancelled {cancelled}"
        parts.append(counts)
        parts.append(f"submitted {min(max(0, snap.submitted), rows)}/{rows}")
        # The service's counts lag the job's own: never show more in flight than are.
        in_flight = max(0, min(snap.submitted, rows) - finished)
        running = min(snap.running, in_flight)
        queued = min(snap.queued, in_flight - running)
        if queued or running:
            parts.append(f"queued {queued} running {running}")
        if snap.spent_usd > 0:
            spent = f"${snap.spent_usd:.2f}"
            parts.append("<$0.01" if spent == "$0.00" else spent)
        parts.append(f"elapsed {format_duration(now - self._started)}")
        return " | ".join(parts)

    # Internals ------------------------------------------------------------------------------

    def _sample(self, now: float, progress: Snapshot) -> None:
        """Keep (time, finished) samples for the rate; called under the state lock."""
        samples = self._samples
        if progress.phase == "checking input":
            samples.clear()  # rows found already done while checking are not this run's pace
            return
        if samples and progress.finished < samples[-1][1]:
            samples.clear()  # counts went back: start over rather than show nonsense
        if not samples or samples[-1][1] != progress.finished:
            samples.append((now, progress.finished))

    def _rate(self, now: float) -> Optional[float]:
        """Finished rows per second since the oldest sample in the window; under the lock."""
        samples = self._samples
        while len(samples) >= 2 and samples[1][0] <= now - RATE_WINDOW:
            samples.popleft()
        if not samples or self._snap is None:
            return None
        since, base = samples[0]
        if now - since < RATE_MIN_HISTORY:
            return None
        return max(0, self._snap.finished - base) / (now - since)

    def _bar(self) -> str:
        """``\\r`` + the line cut to the terminal's width + erase to the end of the line."""
        columns = self._columns()
        return "\r" + self.line()[: max(1, columns - 1)] + "\x1b[K"

    def _columns(self) -> int:
        """The width of the terminal drawn on (the stream's own, else the usual guess)."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        if columns <= 0:
            columns = shutil.get_terminal_size((80, 24)).columns
        return columns

    def _draw(self) -> None:
        """Draw the line now: in place on a terminal, a plain line otherwise."""
        with self._write_lock:
            with self._state_lock:
                if self._stopped:
                    return
            if self.tty:
                self._write(self._bar())
                self._bar_on_screen = True
            else:
                self._write(self.line() + "\n")

    def _loop(self) -> None:
        while not self._stop_event.wait(self.interval):
            self._draw()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not stop the job


def _eta(left: int, rate: Optional[float], submit_left: Optional[float]) -> Optional[str]:
    """``ETA m:ss`` from the slower of submitting and finishing; a floor, or nothing, when the
    finishing part is not known yet."""
    submitting = submit_left if submit_left is not None and submit_left > 0 else 0.0
    if rate is not None and rate > 0:
        # Rounded up: rows still to finish never read as 0:00.
        return f"ETA {format_duration(math.ceil(max(submitting, left / rate)))}"
    if submitting > 0:
        return f"ETA at least {format_duration(math.ceil(submitting))}"
    return None


def _reason(waiting: Optional[str]) -> Optional[str]:
    """What a wait is about, without its numbers."""
    return None if waiting is None else _NUMBER.sub("#", waiting)


def _live_wait(
    text: str, until: Optional[float], now: float, since_snapshot: float, waited: float
) -> str:
    """The job's waiting reason with its numbers brought up to ``now``."""
    found_in = _IN_SECONDS.search(text) is not None
    found_for = _FOR_SECONDS.search(text) is not None

    def count_down(match: re.Match[str]) -> str:
        left = until - now if until is not None else float(match.group(1)) - since_snapshot
        return f"in {max(0, math.ceil(left))} s"

    def count_up(match: re.Match[str]) -> str:
        return f"for {int(float(match.group(1)) + max(0.0, since_snapshot))} s"

    text = _FOR_SECONDS.sub(count_up, text)
    text = _IN_SECONDS.sub(count_down, text)
    if until is not None and not found_in:
        text += f" ({max(0, math.ceil(until - now))} s left)"
    elif until is None and not found_in and not found_for:
        text += f" (for {int(max(0.0, waited))} s)"
    return text


class _MessageHandler(logging.Handler):
    """Log records as :meth:`Progress.message` lines, so they never tear the bar."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self._progress = progress
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._progress.message(text)
