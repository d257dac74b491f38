"""Client-side pacing of run creations: a sliding-window limit with optional smoothing.

The guarantee: no window of ``period + margin`` seconds ever holds admissions of more than
``limit`` runs. On top of that, admissions are spread over time (one batch of ``n`` earns the
next batch a wait of ``n * (period + margin) / limit`` seconds) unless ``burst`` lets them run
ahead of that schedule. Time comes from the caller's clock, so one limiter can be shared.
"""

from __future__ import annotations

from collections import deque
from typing import Optional

from .._http import Clock
from ..errors import ConfigurationError

__all__ = ["RateLimiter"]


class RateLimiter:
    """Admit batches of run creations without exceeding ``limit`` per ``period`` seconds.

    ``acquire(n)`` blocks until ``n`` tokens fit: admitted batches within the last
    ``period + margin`` seconds plus ``n`` stay at or below ``limit``. ``burst`` (tokens, default
    0) is how far admissions may run ahead of the even schedule; ``burst=limit`` turns smoothing
    off and leaves only the window. ``margin`` (seconds) absorbs clock and network skew between
    this client and the server's own window.
    """

    def __init__(
        self,
        limit: int,
        period: float = 60.0,
        *,
        burst: int = 0,
        margin: float = 0.0,
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
        self.admitted = 0
        self.waited = 0.0

    def __repr__(self) -> str:
        return f"RateLimiter(limit={self.limit}, period={self.period}, burst={self.burst})"

    def _prune(self, now: float) -> None:
        log = self._log
        while log and log[0][0] <= now:
            self._in_window -= log.popleft()[1]

    def ready_at(self, n: int, now: float) -> float:
        """The earliest time (on this limiter's clock, ``>= now``) at which ``n`` tokens fit."""
        self._check(n)
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
        """Admit ``n`` tokens now if they fit; never blocks."""
        now = clock.now()
        if self.ready_at(n, now) > now:
            return False
        self._admit(n, now)
        return True

    def acquire(self, n: int, clock: Clock) -> float:
        """Wait on ``clock`` until ``n`` tokens fit, admit them, and return the seconds waited."""
        start = clock.now()
        now = start
        while True:
            ready = self.ready_at(n, now)
            if ready <= now:
                break
            clock.sleep(ready - now)
            now = clock.now()
        self._admit(n, now)
        waited = now - start
        self.waited += waited
        return waited

    def defer(self, seconds: float, clock: Clock) -> None:
        """Admit nothing for ``seconds`` from now (e.g. after a 429 with ``Retry-After``)."""
        self._not_before = max(self._not_before, clock.now() + max(0.0, seconds))

    def _admit(self, n: int, now: float) -> None:
        self._log.append((now + self.window, n))
        self._in_window += n
        self._tat = max(self._tat if self._tat is not None else now, now) + n * self._interval
        self.admitted += n

    def _check(self, n: int) -> None:
        if n < 1:
            raise ConfigurationError(f"a batch must hold at least one run, got {n}")
        if n > self.limit:
            raise ConfigurationError(
                f"a batch of {n} runs can never fit a limit of {self.limit} per "
                f"{self.period:g}s; use batches of at most {self.limit}"
            )
