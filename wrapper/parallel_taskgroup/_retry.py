"""Retry policy: which failures are retried and how long to wait (exponential, full jitter)."""

from __future__ import annotations

import enum
import random
from typing import Optional

import attrs

from . import errors


class RetryMode(enum.Enum):
    """What may be retried for one request."""

    ALL = "all"  # connection failures, timeouts, 408, 429, 5xx
    UNSENT = "unsent"  # only failures where the server certainly did not act: connect errors, 429
    NONE = "none"


_RETRY_STATUSES = frozenset({408, 429})


@attrs.define
class RetryPolicy:
    """Bounded exponential backoff with full jitter; a server ``Retry-After`` wins."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    rng: random.Random = attrs.field(factory=random.Random, repr=False)

    def delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        """Seconds to sleep before retry number ``attempt`` (0-based)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        cap = min(self.max_backoff, self.base_delay * (2**attempt))
        return self.rng.uniform(0.0, cap)


def is_retryable(error: errors.ParallelError, mode: RetryMode, *, sent: bool) -> bool:
    """Whether ``error`` may be retried under ``mode``; ``sent`` is False when the request
    certainly never reached the server (connection not established)."""
    if mode is RetryMode.NONE:
        return False
    if isinstance(error, errors.APIConnectionError):
        return mode is RetryMode.ALL or not sent
    if isinstance(error, errors.APIStatusError):
        if mode is RetryMode.UNSENT:
            return error.status_code == 429
        return error.status_code in _RETRY_STATUSES or error.status_code >= 500
    return False


def retry_after_of(error: errors.ParallelError) -> Optional[float]:
    """The server's ``Retry-After`` hint carried by ``error``, if any."""
    if isinstance(error, errors.APIStatusError):
        return error.retry_after
    return None
