"""The one retry policy: what may be retried, how many times, for how long, and how to wait.

Shaped like urllib3's ``Retry``: a :class:`RetryPolicy` is immutable, and each failure of an
operation calls :meth:`RetryPolicy.increment`, which returns the policy for the next attempt or
raises the error when the budget is spent. The client owns one (``Client(retry=...)``) and every
operation starts from it: a request with its retries, a stream with its reconnections, an add-runs
batch with its reconciliations. An operation nested in another (the group read that settles an
add-runs POST of unknown outcome) continues the outer one's policy, so budgets add up instead of
multiplying.

* **What.** Idempotent operations (reads, creating an empty group, a POST the submission protocol
  made safe) retry connection failures and resets, timeouts, bodies cut short or not in the API's
  shape, 408, 429 and 5xx. Any other request (an add-runs POST sent blind) retries only a
  connection that could not be made: the request certainly never left.
* **How many, how long.** ``max_retries`` consecutive failures; with ``give_up_after``, once the
  server has answered this client at least once, failures for up to that many seconds whatever
  their count (a job rides out an outage, a wrong URL still fails fast). 429s are the service's
  pace, not faults: they are counted apart, up to ``max_throttled`` in a row.
* **How to wait.** The server's ``Retry-After`` (at most :data:`MAX_RETRY_AFTER`), else
  exponential backoff with full jitter (a 429 without ``Retry-After`` too); never past the end
  of ``give_up_after``.

Time to failure of a persistent fault, from its first failed attempt: with ``give_up_after`` G
(once answered), G plus the duration of one last attempt; otherwise the sum of ``max_retries``
backoffs (at most 0.5 + 1 + 2 + 4 = 7.5 s for the defaults) plus the attempts themselves.
"""

from __future__ import annotations

import math
import random
from typing import Optional

import attrs

from . import errors

__all__ = [
    "MAX_RETRY_AFTER",
    "POLL",
    "REQUEST",
    "STREAM_IDLE",
    "THROTTLED",
    "Backoff",
    "RetryEvent",
    "RetryPolicy",
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

    def delay(self, attempt: int, *, rng: Optional[random.Random] = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 0)."""
        bound = min(self.cap, self.base * self.factor ** min(attempt, 64))
        if not self.jitter:
            return bound
        return (rng or _RNG).uniform(0.0, bound)


_RNG = random.Random()

REQUEST = Backoff(base=0.5, cap=8.0)
"""Between attempts of a failed request or stream connection."""
STREAM_IDLE = Backoff(base=0.5, cap=8.0)
"""Between reconnections of a stream the server keeps closing without sending anything."""
THROTTLED = Backoff(base=2.0, cap=60.0, jitter=False)
"""The submission's pace after a 429 that gave no ``Retry-After``."""
POLL = Backoff(base=1.0, factor=1.5, cap=10.0, jitter=False)
"""Between polls of something not ready yet (a group's summary, a result answered 408)."""


@attrs.frozen
class RetryEvent:
    """One failed attempt: what failed, when (on the client's clock), and the wait after it."""

    error: str
    status_code: Optional[int]
    at: float
    delay: float


def _is_throttle(error: errors.ParallelError) -> bool:
    return isinstance(error, errors.APIStatusError) and error.status_code == 429


def _check(name: str, value: float, minimum: float) -> None:
    if isinstance(value, bool) or not value >= minimum:
        raise errors.ConfigurationError(f"{name} must be >= {minimum:g}, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When a failed operation is tried again (see the module docstring). Immutable: the
    fields below ``max_throttled`` are one operation's run of failures, carried from attempt to
    attempt by :meth:`increment`."""

    max_retries: int = 4
    """Consecutive failures retried (where ``give_up_after`` does not apply); 0 turns every
    retry off, 429s and ``give_up_after`` included."""
    give_up_after: Optional[float] = None
    """Seconds of continuous failure after which the error is raised, whatever the count, once
    the server has answered this client (None: ``max_retries`` alone bounds retries)."""
    backoff: Backoff = REQUEST
    max_throttled: int = 100
    """429 answers in a row that are waited out before the 429 is raised."""
    failures: int = 0
    throttled: int = 0
    failing_since: Optional[float] = None
    history: tuple[RetryEvent, ...] = ()

    def __attrs_post_init__(self) -> None:
        _check("max_retries", self.max_retries, 0)
        _check("max_throttled", self.max_throttled, 0)
        if self.give_up_after is not None:
            _check("give_up_after", self.give_up_after, 0)
        _check("the backoff cap", self.backoff.cap, 0)

    def retryable(self, error: errors.ParallelError, *, idempotent: bool) -> bool:
        """Whether ``error`` is worth another attempt (the budget aside)."""
        if isinstance(error, errors.APIConnectionError):
            return idempotent or not error.maybe_sent
        if not idempotent:
            return False
        if isinstance(error, errors.APIStatusError):
            code = error.status_code
            return code in (408, 429) or (
                code >= 500 and not isinstance(error, errors.RedirectError)
            )
        return isinstance(error, (errors.ResponseFormatError, errors.TruncatedStreamError))

    def increment(
        self,
        error: errors.ParallelError,
        *,
        now: float,
        answered: bool,
        idempotent: bool = True,
    ) -> RetryPolicy:
        """The policy for the next attempt after ``error`` (its wait in :attr:`delay`); raises
        ``error`` when it may not be retried or the budget is spent. ``answered``: whether the
        server has ever answered this client."""
        if self.max_retries == 0 or not self.retryable(error, idempotent=idempotent):
            raise error
        since = now if self.failing_since is None else self.failing_since
        by_time = self.give_up_after is not None and answered
        throttle = _is_throttle(error)
        failures = self.failures + (0 if throttle else 1)
        throttled = self.throttled + 1 if throttle else 0
        if throttle and throttled > self.max_throttled:
            raise error
        if by_time:
            assert self.give_up_after is not None
            left = since + self.give_up_after - now
            if left <= 0:
                raise error
        else:
            left = math.inf
            if failures > self.max_retries:
                raise error
        hint = error.retry_after if isinstance(error, errors.APIStatusError) else None
        if hint is not None:
            delay = min(hint, MAX_RETRY_AFTER)
        else:
            delay = self.backoff.delay((throttled if throttle else failures) - 1)
        event = RetryEvent(
            error=f"{type(error).__name__}: {error}",
            status_code=error.status_code,
            at=now,
            delay=min(delay, left),
        )
        return attrs.evolve(
            self,
            failures=failures,
            throttled=throttled,
            failing_since=since,
            history=(*self.history, event),
        )

    @property
    def delay(self) -> float:
        """Seconds to wait before the next attempt (0 before any failure)."""
        return self.history[-1].delay if self.history else 0.0

    def fresh(self) -> RetryPolicy:
        """The same rules with no failure counted: for a new operation."""
        if not self.history:
            return self
        return attrs.evolve(self, failures=0, throttled=0, failing_since=None, history=())

    def describe(self) -> str:
        """The failures so far in a few words (for logs and the progress line)."""
        if not self.history:
            return "no failure"
        last = self.history[-1]
        if last.status_code == 429:
            return "rate limit (429 from the service)"
        span = last.at - (self.failing_since if self.failing_since is not None else last.at)
        what = f"HTTP {last.status_code}" if last.status_code else last.error.split(":", 1)[0]
        return f"{what}, {len(self.history)} failure(s) in {span:.0f} s"
