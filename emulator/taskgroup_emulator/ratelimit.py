"""Run-creation rate limit: N runs per rolling minute per API key."""

from __future__ import annotations

import collections
import hashlib
import math
import time
from typing import Deque, Dict, Optional, Tuple

WINDOW_SECONDS = 60.0


class RateLimiter:
    """Counts runs created (not requests) per key over a sliding 60 s window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._log: Dict[str, Deque[Tuple[float, int]]] = {}

    @staticmethod
    def _slot(api_key: str) -> str:
        # Keys are secrets: keep only a digest in memory.
        return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:16]

    def _used(self, slot: str, now: float) -> int:
        log = self._log.setdefault(slot, collections.deque())
        while log and log[0][0] <= now - WINDOW_SECONDS:
            log.popleft()
        return sum(n for _, n in log)

    def check(self, api_key: str, runs: int, now: Optional[float] = None) -> Optional[int]:
        """None if `runs` more fit in the window now, else the seconds to wait (Retry-After)."""
        now = time.time() if now is None else now
        slot = self._slot(api_key)
        used = self._used(slot, now)
        if used + runs <= self.per_minute:
            return None
        if runs > self.per_minute:
            return int(WINDOW_SECONDS)
        excess = used + runs - self.per_minute
        for stamp, n in self._log[slot]:
            excess -= n
            if excess <= 0:
                return max(1, math.ceil(stamp + WINDOW_SECONDS - now))
        return int(WINDOW_SECONDS)

    def record(self, api_key: str, runs: int, now: Optional[float] = None) -> None:
        """Count `runs` just created."""
        now = time.time() if now is None else now
        self._log.setdefault(self._slot(api_key), collections.deque()).append((now, runs))

    def usage(self, now: Optional[float] = None) -> Dict[str, int]:
        """Runs counted in the current window, by key digest."""
        now = time.time() if now is None else now
        return {slot: self._used(slot, now) for slot in list(self._log)}
