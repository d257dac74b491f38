"""Run-creation rate limit: N per rolling minute per API key, counted per request or per run.

The documented unit (docs resources/rate-limits.md) is the request: each POST to
`/v1/tasks/runs` or `/v1beta/tasks/groups/{id}/runs` counts 1 and GETs never count. Under
the `run` unit a POST counts its number of runs, so one of 1,000 inputs counts 1,000.
"""

from __future__ import annotations

import collections
import hashlib
import math
import time
from typing import Deque, Dict, Optional, Tuple

WINDOW_SECONDS = 60.0
UNITS = ("request", "run")


class RateLimiter:
    """Counts run-creating POSTs (or their runs) per key over a sliding 60 s window."""

    def __init__(self, per_minute: int, unit: str = "request") -> None:
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
        self.per_minute = per_minute
        self.unit = unit
        self._log: Dict[str, Deque[Tuple[float, int]]] = {}

    def cost(self, runs: int) -> int:
        """What a POST creating `runs` runs counts against the limit."""
        return 1 if self.unit == "request" else runs

    @staticmethod
    def _slot(api_key: str) -> str:
        # Keys are secrets: keep only a digest in memory.
        return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:16]

    def _used(self, slot: str, now: float) -> int:
        log = self._log.setdefault(slot, collections.deque())
        while log and log[0][0] <= now - WINDOW_SECONDS:
            log.popleft()
        return sum(n for _, n in log)

    def check(self, api_key: str, cost: int, now: Optional[float] = None) -> Optional[int]:
        """None if `cost` more fits in the window now, else the seconds to wait (Retry-After).

        The wait is until enough of the window has freed for the whole `cost`; a cost above
        the limit itself can never fit, and waits a full window.
        """
        now = time.time() if now is None else now
        slot = self._slot(api_key)
        used = self._used(slot, now)
        if used + cost <= self.per_minute:
            return None
        if cost > self.per_minute:
            return int(WINDOW_SECONDS)
        excess = used + cost - self.per_minute
        for stamp, n in self._log[slot]:
            excess -= n
            if excess <= 0:
                return max(1, math.ceil(stamp + WINDOW_SECONDS - now))
        return int(WINDOW_SECONDS)

    def record(self, api_key: str, cost: int, now: Optional[float] = None) -> None:
        """Count a POST that was applied."""
        now = time.time() if now is None else now
        self._log.setdefault(self._slot(api_key), collections.deque()).append((now, cost))

    def usage(self, now: Optional[float] = None) -> Dict[str, int]:
        """What counts in the current window, by key digest."""
        now = time.time() if now is None else now
        return {slot: self._used(slot, now) for slot in list(self._log)}
