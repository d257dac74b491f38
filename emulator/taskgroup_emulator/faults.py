"""Fault injection for client tests: all off by default, changed at start or at runtime."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any, Dict, List, Optional

POST_ERROR_STATUSES = (500, 503)
POST_ERROR_PHASES = ("before", "after", "random")


class FaultError(ValueError):
    """A fault setting that is not allowed; the message says which and why."""


@dataclass
class Faults:
    """Current fault settings. See emulator/README.md for what each one does."""

    stream_drop_after: Optional[int] = None
    stream_drop_probability: float = 0.0
    post_error_rate: float = 0.0
    post_error_status: int = 503
    post_error_phase: str = "before"
    latency_ms: float = 0.0
    burst_429: int = 0
    burst_429_retry_after: int = 1
    error_event_rate: float = 0.0
    seed: Optional[int] = None

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _rate(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise FaultError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)


def _count(name: str, value: Any, allow_none: bool) -> Optional[int]:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultError(f"{name} must be a non-negative integer, got {value!r}")
    return value


class FaultState:
    """The live settings plus the random source and counters they draw on."""

    def __init__(self, faults: Optional[Faults] = None) -> None:
        self.faults = faults or Faults()
        self.rng = random.Random(self.faults.seed)

    def update(self, changes: Dict[str, Any]) -> Faults:
        """Apply a partial update (validated as a whole before anything changes)."""
        known = {f.name for f in fields(Faults)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise FaultError(
                f"unknown fault setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        merged = self.faults.as_dict()
        merged.update(changes)
        candidate = Faults(
            stream_drop_after=_count("stream_drop_after", merged["stream_drop_after"], True),
            stream_drop_probability=_rate(
                "stream_drop_probability", merged["stream_drop_probability"]
            ),
            post_error_rate=_rate("post_error_rate", merged["post_error_rate"]),
            post_error_status=merged["post_error_status"],
            post_error_phase=merged["post_error_phase"],
            latency_ms=merged["latency_ms"],
            burst_429=_count("burst_429", merged["burst_429"], False) or 0,
            burst_429_retry_after=_count(
                "burst_429_retry_after", merged["burst_429_retry_after"], False
            )
            or 0,
            error_event_rate=_rate("error_event_rate", merged["error_event_rate"]),
            seed=_count("seed", merged["seed"], True),
        )
        if candidate.post_error_status not in POST_ERROR_STATUSES:
            raise FaultError(f"post_error_status must be one of {POST_ERROR_STATUSES}")
        if candidate.post_error_phase not in POST_ERROR_PHASES:
            raise FaultError(f"post_error_phase must be one of {', '.join(POST_ERROR_PHASES)}")
        lat = candidate.latency_ms
        if isinstance(lat, bool) or not isinstance(lat, (int, float)) or not 0 <= lat <= 60000:
            raise FaultError(f"latency_ms must be a number between 0 and 60000, got {lat!r}")
        self.faults = candidate
        if "seed" in changes:
            self.rng = random.Random(candidate.seed)
        return candidate

    def reset(self) -> Faults:
        """Turn every fault off."""
        self.faults = Faults()
        self.rng = random.Random()
        return self.faults

    def post_error(self) -> Optional[List[Any]]:
        """[status, phase] when this run-creating POST should fail, else None."""
        f = self.faults
        if f.post_error_rate <= 0 or self.rng.random() >= f.post_error_rate:
            return None
        phase = f.post_error_phase
        if phase == "random":
            phase = self.rng.choice(("before", "after"))
        return [f.post_error_status, phase]

    def take_429(self) -> bool:
        """True (and one fewer left) while a 429 burst is in progress."""
        if self.faults.burst_429 > 0:
            self.faults.burst_429 -= 1
            return True
        return False

    def drop_now(self, sent: int) -> bool:
        """Whether a stream that has sent `sent` events should be cut before the next."""
        f = self.faults
        if f.stream_drop_after is not None and sent >= f.stream_drop_after:
            return True
        return f.stream_drop_probability > 0 and self.rng.random() < f.stream_drop_probability
