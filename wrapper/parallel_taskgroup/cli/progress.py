"""Progress display for `taskgroup run`: a live bar on a terminal, plain lines otherwise.

It is the job's listener: counters are updated from any thread, and a background thread,
started when the job announces its rows, renders them at a fixed pace.
"""

from __future__ import annotations

import collections
import shutil
import threading
import time
from typing import IO, Callable, Optional

_STATUSES = ("queued", "running", "completed", "failed")


class Counts:
    """A snapshot of everything the progress line shows."""

    def __init__(self) -> None:
        self.total: Optional[int] = None
        self.submitted = 0
        self.written = 0
        self.status: dict[str, int] = {}


def format_duration(seconds: float) -> str:
    """`1:02:03` / `2:03` style."""
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Shows `Counts` on `stream`: redrawn in place on a TTY, a line per `interval` otherwise."""

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
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval if interval is not None else (0.2 if self.tty else 10.0)
        self.counts = Counts()
        self._clock = clock
        self._lock = threading.Lock()
        self._started = clock()
        self._samples: collections.deque[tuple[float, int]] = collections.deque(maxlen=50)
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._drawn = False

    # Updates (any thread) -------------------------------------------------------------------

    def set_total(self, total: int) -> None:
        with self._lock:
            self.counts.total = total
        self.start()

    def set_submitted(self, submitted: int) -> None:
        with self._lock:
            self.counts.submitted = max(self.counts.submitted, submitted)

    def set_written(self, written: int) -> None:
        with self._lock:
            self.counts.written = written

    def set_status(self, counts: dict[str, int]) -> None:
        with self._lock:
            self.counts.status = dict(counts)

    # Rendering ------------------------------------------------------------------------------

    def line(self, width: int = 20) -> str:
        """The current progress line (without carriage return or newline)."""
        now = self._clock()
        with self._lock:
            c = self.counts
            total, written, submitted = c.total, c.written, c.submitted
            status = dict(c.status)
            self._samples.append((now, written))
            first_t, first_n = self._samples[0]
        rate = (written - first_n) / (now - first_t) if now - first_t >= 1.0 else None
        parts = []
        if total:
            done = min(written, total)
            filled = int(width * done / total)
            bar = "#" * filled + "-" * (width - filled)
            parts.append(f"[{bar}] {done}/{total} {100 * done // total:3d}%")
        else:
            parts.append(f"{written} results")
        if rate is not None:
            parts.append(f"{rate:.1f}/s")
            if total and rate > 0 and written < total:
                parts.append(f"ETA {format_duration((total - written) / rate)}")
        parts.append(f"submitted {submitted}" + (f"/{total}" if total else ""))
        parts.append(" ".join(f"{s} {status.get(s, 0)}" for s in _STATUSES))
        parts.append(f"elapsed {format_duration(now - self._started)}")
        return " | ".join(parts)

    def render(self) -> None:
        """Draw once now."""
        if self.quiet:
            return
        text = self.line()
        try:
            if self.tty:
                # A line wider than the terminal would wrap, and "\r" could not redraw it.
                width = shutil.get_terminal_size((120, 24)).columns
                self.stream.write("\r" + text[: max(20, width - 1)] + "\x1b[K")
                self._drawn = True
            else:
                self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not stop the run

    def message(self, text: str) -> None:
        """Print a line of its own (unless quiet), keeping the bar below it on a TTY."""
        if self.quiet:
            return
        with self._lock:
            prefix = "\r\x1b[K" if self.tty and self._drawn else ""
        try:
            self.stream.write(prefix + text + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def start(self) -> None:
        """Render in a background thread until `stop()`."""
        if self.quiet or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="taskgroup-progress", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.render()

    def stop(self) -> None:
        """Stop the thread and leave the final state on screen (if anything was shown)."""
        self._stop.set()
        if self._thread is None:
            return
        self._thread.join(timeout=2)
        self._thread = None
        self.render()
        if self.tty and self._drawn:
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = False
