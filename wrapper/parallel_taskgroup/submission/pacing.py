"""When the next add-runs POST may go: explicit caps, and what the service's 429s taught.

Parallel documents a limit of 2,000 per minute per key but not its unit: the current docs count
each run-creating POST, older wording counts task creations. So the :class:`Pacer` assumes
nothing until the service refuses a POST. On a 429 it reads its own record of the last window
and holds two hypotheses, "at most as many requests as got through" and "at most as many
runs", and paces to both. Where the two disagree about a batch, it sends the batch and learns
which was wrong from the answer. Under a per-request limit a job of large batches is never
slowed; under a per-run limit the 429s stop after the first and the pace stays at the limit.

:class:`RateLimiter` is an explicit cap (runs per period), shareable between calls and threads,
for callers who share a key with other work.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from typing import Optional

from .._clock import Clock
from .._retry import THROTTLED
from ..errors import ConfigurationError

__all__ = ["WINDOW_SECONDS", "Pacer", "RateLimiter"]

WINDOW_SECONDS = 60.0
"""The service's rolling window."""

MARGIN_SECONDS = 0.5
"""Added to the window to absorb the skew between this client's clock and the server's."""

PROBE_SECONDS = 2 * WINDOW_SECONDS
"""After this long without a 429, learned limits are raised by :data:`PROBE_FACTOR`: a limit
learned while another client shared the key must not hold once it has gone."""
PROBE_FACTOR = 1.25


class RateLimiter:
    """Admit batches of run creations without exceeding ``limit`` per ``period`` seconds.

    The guarantee: no window of ``period + margin`` seconds holds admissions of more than
    ``limit`` runs. On top of that, admissions are spread out (a batch of ``n`` earns the next
    a wait of ``n * (period + margin) / limit`` seconds) unless ``burst`` (runs) lets them run
    ahead; ``burst=limit`` leaves only the window. Thread-safe; time comes from the caller's
    clock, so one limiter can be shared by several submissions.
    """

    def __init__(
        self, limit: int, period: float = WINDOW_SECONDS, *, burst: int = 0, margin: float = 0.0
    ) -> None:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ConfigurationError(f"limit must be a positive integer, got {limit!r}")
        if not period > 0:
            raise ConfigurationError(f"period must be > 0 seconds, got {period!r}")
        if margin < 0:
            raise ConfigurationError(f"margin must be >= 0 seconds, got {margin!r}")
        if burst < 0:
            raise ConfigurationError(f"burst must be >= 0, got {burst!r}")
        self.limit = limit
        self.period = period
        self.window = period + margin
        self.burst = min(burst, limit)
        self._interval = self.window / limit  # seconds earned per token on the even schedule
        self._log: deque[tuple[float, int]] = deque()  # (expires_at, n), oldest first
        self._in_window = 0
        self._tat: Optional[float] = None  # theoretical arrival time of the next token
        self._not_before = float("-inf")
        self._lock = threading.Lock()
        self.admitted = 0
        self.waited = 0.0

    def __repr__(self) -> str:
        return f"RateLimiter(limit={self.limit}, period={self.period}, burst={self.burst})"

    def _prune(self, now: float) -> None:
        log = self._log
        while log and log[0][0] <= now:
            self._in_window -= log.popleft()[1]

    def ready_at(self, n: int, now: float) -> float:
        """The earliest time (on the caller's clock, ``>= now``) at which ``n`` runs fit."""
        self._check(n)
        with self._lock:
            self._prune(now)
            ready = max(now, self._not_before)
            if self._tat is not None:
                ready = max(ready, self._tat - self.burst * self._interval)
            excess = self._in_window + n - self.limit
            if excess > 0:
                for expires_at, count in self._log:
                    excess -= count
                    if excess <= 0:
                        ready = max(ready, expires_at)
                        break
            return ready

    def try_acquire(self, n: int, clock: Clock) -> bool:
        """Admit ``n`` runs now if they fit; never blocks."""
        now = clock.now()
        if self.ready_at(n, now) > now:
            return False
        self.record(n, now)
        return True

    def acquire(self, n: int, clock: Clock) -> float:
        """Wait on ``clock`` until ``n`` runs fit, admit them, and return the seconds waited."""
        start = now = clock.now()
        while True:
            ready = self.ready_at(n, now)
            if ready <= now:
                break
            clock.sleep(ready - now)
            now = clock.now()
        self.record(n, now)
        self.waited += now - start
        return now - start

    def defer(self, seconds: float, clock: Clock) -> None:
        """Admit nothing for ``seconds`` from now (e.g. after a 429 with ``Retry-After``)."""
        with self._lock:
            self._not_before = max(self._not_before, clock.now() + max(0.0, seconds))

    def record(self, n: int, now: float) -> None:
        """Count ``n`` runs as admitted at ``now``."""
        with self._lock:
            self._log.append((now + self.window, n))
            self._in_window += n
            self._tat = max(self._tat if self._tat is not None else now, now) + n * self._interval
            self.admitted += n

    def release(self, n: int) -> None:
        """Take back the latest admission of ``n`` runs (its request was refused)."""
        with self._lock:
            for i in range(len(self._log) - 1, -1, -1):
                if self._log[i][1] == n:
                    del self._log[i]
                    self._in_window -= n
                    self.admitted -= n
                    if self._tat is not None:
                        self._tat -= n * self._interval
                    return

    def _check(self, n: int) -> None:
        if n < 1:
            raise ConfigurationError(f"a batch must hold at least one run, got {n}")
        if n > self.limit:
            raise ConfigurationError(
                f"a batch of {n} runs can never fit a limit of {self.limit} per "
                f"{self.period:g}s; use batches of at most {self.limit}"
            )


class Pacer:
    """Paces one submission's POSTs: explicit caps first, then the limits learned from 429s.

    ``wait(n)`` is how long a batch of ``n`` runs should wait before it goes, ``reserve(n)``
    takes its place under the explicit caps just before it is sent (shared caps stay exact
    between threads), and ``admitted``/``refused`` report its fate: a refused POST counts for
    nothing, so a refusal costs only its own wait. ``reason`` says why the last wait was needed.
    """

    def __init__(self, caps: list[tuple[RateLimiter, bool]], clock: Clock) -> None:
        self.caps = caps
        """The explicit caps: (limiter, whether it counts requests rather than runs)."""
        self._clock = clock
        self._log: deque[tuple[float, int]] = deque()  # (time admitted, runs), in the window
        self._runs_in_window = 0
        self.run_limit: Optional[int] = None
        """Runs per window the service is believed to allow (learned from a 429)."""
        self.request_limit: Optional[int] = None
        """POSTs per window the service is believed to allow (learned from a 429)."""
        self._not_before = float("-inf")
        self._refusals_in_a_row = 0
        self._last_refusal = float("-inf")
        self.reason = ""
        self.refusals = 0

    # -- what the service allows -----------------------------------------------------------

    def _prune(self, now: float) -> None:
        horizon = now - WINDOW_SECONDS - MARGIN_SECONDS
        while self._log and self._log[0][0] <= horizon:
            self._runs_in_window -= self._log.popleft()[1]

    def _learned_ready(self, n: int, now: float, limit: Optional[int], per_run: bool) -> float:
        """When a batch of ``n`` fits a learned limit (per run or per request)."""
        if limit is None:
            return now
        used = self._runs_in_window if per_run else len(self._log)
        excess = used + (n if per_run else 1) - limit
        if excess <= 0:
            return now
        for stamp, runs in self._log:
            excess -= runs if per_run else 1
            if excess <= 0:
                return stamp + WINDOW_SECONDS + MARGIN_SECONDS
        return now + WINDOW_SECONDS + MARGIN_SECONDS

    def _probe(self, now: float) -> None:
        if now - self._last_refusal < PROBE_SECONDS:
            return
        if self.run_limit is not None:
            self.run_limit = math.ceil(self.run_limit * PROBE_FACTOR)
        if self.request_limit is not None:
            self.request_limit = math.ceil(self.request_limit * PROBE_FACTOR)
        self._last_refusal = now

    def _says_window_is_full(self, retry_after: Optional[float], now: float) -> bool:
        """Whether a 429 means "your window is full": a window limit frees room when the oldest
        admissions expire, so its ``Retry-After`` is about that long. A much shorter one (or
        a refusal with nothing of ours about to expire) is another client's doing or a blip,
        and teaches nothing about the limit."""
        if retry_after is None:
            return True
        expires_in = self._log[0][0] + WINDOW_SECONDS + MARGIN_SECONDS - now
        return retry_after >= 0.5 * expires_in

    def wait(self, n: int) -> float:
        """Seconds a batch of ``n`` runs should wait now (0: send it)."""
        now = self._clock.now()
        self._prune(now)
        self._probe(now)
        ready, self.reason = now, ""
        for cap, per_request in self.caps:
            at = cap.ready_at(1 if per_request else min(n, cap.limit), now)
            if at > ready:
                unit = "requests" if per_request else "runs"
                ready, self.reason = at, f"rate cap of {cap.limit} {unit}/{cap.period:g}s"
        if self._not_before > ready:
            ready, self.reason = self._not_before, "rate limit (429 from the service)"
        by_runs = self._learned_ready(n, now, self.run_limit, per_run=True)
        by_requests = self._learned_ready(n, now, self.request_limit, per_run=False)
        # Where the two hypotheses disagree, the batch goes and its answer tells which was wrong.
        learned = min(by_runs, by_requests)
        if learned > ready:
            ready, self.reason = learned, "rate limit (learned from the service's 429s)"
        return max(0.0, ready - now)

    def reserve(self, n: int) -> bool:
        """Take the place of a batch of ``n`` under every explicit cap, now; False (and nothing
        taken) if another thread took it first, so the caller waits again."""
        taken: list[tuple[RateLimiter, int]] = []
        for cap, per_request in self.caps:
            units = 1 if per_request else min(n, cap.limit)
            if not cap.try_acquire(units, self._clock):
                for done, done_units in taken:
                    done.release(done_units)
                return False
            taken.append((cap, units))
        return True

    def admitted(self, n: int) -> None:
        """A POST of ``n`` runs was accepted (or ``n`` of its runs were found created)."""
        if n <= 0:
            return
        now = self._clock.now()
        self._prune(now)
        # A success the run hypothesis forbade refutes it (and likewise for requests).
        if self.run_limit is not None and self._runs_in_window + n > self.run_limit:
            self.run_limit = None if self.request_limit is not None else self._runs_in_window + n
        if self.request_limit is not None and len(self._log) + 1 > self.request_limit:
            self.request_limit = None if self.run_limit is not None else len(self._log) + 1
        self._log.append((now, n))
        self._runs_in_window += n
        self._refusals_in_a_row = 0

    def refused(self, n: int, retry_after: Optional[float]) -> float:
        """A POST of ``n`` runs got a 429: learn from it; returns the wait it asks for."""
        for cap, per_request in self.caps:
            cap.release(1 if per_request else min(n, cap.limit))
        now = self._clock.now()
        self._prune(now)
        self.refusals += 1
        self._refusals_in_a_row += 1
        self._last_refusal = now
        requests, runs = len(self._log), self._runs_in_window
        if requests and self._says_window_is_full(retry_after, now):
            # What got through in the window is what the service allows, in one unit or the
            # other. Each estimate only ever tightens while the service keeps refusing.
            if self.request_limit is None or requests < self.request_limit:
                self.request_limit = max(1, requests)
            if self.run_limit is None or runs < self.run_limit:
                self.run_limit = max(1, runs)
        if retry_after is not None:
            wait = min(max(retry_after, 0.0), WINDOW_SECONDS + MARGIN_SECONDS)
        elif requests:
            wait = self.wait(n)
        else:
            wait = THROTTLED.delay(self._refusals_in_a_row - 1)
        if not math.isfinite(wait):
            wait = WINDOW_SECONDS
        self._not_before = max(self._not_before, now + wait)
        return wait
