"""Every wait between attempts, by name: which failures are retried and how long to back off.

A :class:`Backoff` is exponential with full jitter (or none) and a cap; a server's
``Retry-After`` wins over the formula, up to :data:`MAX_RETRY_AFTER`. The schedules:

* :data:`REQUEST` – retrying a failed request (GET, or a POST that certainly was not sent);
* :data:`STREAM` – reconnecting a broken or empty event stream;
* :data:`RECONCILE` – waiting before reading a group after a POST with an unknown outcome;
* :data:`THROTTLED` – waiting after a 429 that gave no ``Retry-After``;
* :data:`POLL` – polling a group's summary while it is active.
"""

from __future__ import annotations

import enum
import random
from typing import Optional

import attrs

from . import errors

__all__ = [
    "MAX_RETRY_AFTER",
    "POLL",
    "RECONCILE",
    "REQUEST",
    "STREAM",
    "THROTTLED",
    "Backoff",
    "RetryMode",
    "is_retryable",
    "retry_after_of",
]

MAX_RETRY_AFTER = 60.0
"""A server's ``Retry-After`` longer than this is treated as this many seconds."""


@attrs.frozen
class Backoff:
    """``base * factor**attempt`` seconds, at most ``cap``; with ``jitter`` a uniform draw
    between 0 and that (full jitter, so that many clients spread out)."""

    base: float
    factor: float = 2.0
    cap: float = 8.0
    jitter: bool = True

    def delay(
        self,
        attempt: int,
        retry_after: Optional[float] = None,
        *,
        rng: Optional[random.Random] = None,
    ) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 0)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
        bound = min(self.cap, self.base * self.factor ** min(attempt, 64))
        if not self.jitter:
            return bound
        return (rng or _RNG).uniform(0.0, bound)

    def with_cap(self, cap: float) -> Backoff:
        """The same schedule with another cap."""
        return attrs.evolve(self, cap=cap)


_RNG = random.Random()

REQUEST = Backoff(base=0.5, cap=8.0)
STREAM = Backoff(base=0.5, cap=8.0)
RECONCILE = Backoff(base=1.0, cap=30.0, jitter=False)
THROTTLED = Backoff(base=2.0, cap=60.0, jitter=False)
POLL = Backoff(base=1.0, factor=1.5, cap=10.0, jitter=False)


class RetryMode(enum.Enum):
    """What may be retried for one request."""

    ALL = "all"
    """Connection failures, timeouts, 408, 429 and 5xx: for requests that are safe to repeat."""
    WAITING = "waiting"
    """As ALL, except 408: for a request that waits server-side, where 408 means "not yet"
    and the caller decides whether to wait again."""
    UNSENT = "unsent"
    """Only failures where the server certainly did not act: connection refused, 429."""
    NONE = "none"
    """Nothing: for POSTs whose repetition could create runs twice."""


_RETRY_STATUSES = frozenset({408, 429})


def is_retryable(error: errors.ParallelError, mode: RetryMode) -> bool:
    """Whether ``error`` may be retried under ``mode``."""
    if mode is RetryMode.NONE:
        return False
    if isinstance(error, errors.APIConnectionError):
        return mode is RetryMode.ALL or not error.maybe_sent
    if isinstance(error, errors.APIStatusError):
        if mode is RetryMode.UNSENT:
            return error.status_code == 429
        if mode is RetryMode.WAITING and error.status_code == 408:
            return False
        return error.status_code in _RETRY_STATUSES or error.status_code >= 500
    return False


def retry_after_of(error: BaseException) -> Optional[float]:
    """The server's ``Retry-After`` hint carried by ``error``, if any."""
    if isinstance(error, errors.APIStatusError):
        return error.retry_after
    return None
