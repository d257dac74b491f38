"""Fault injection for client tests: all off by default, changed at start or at runtime."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Dict, List, Optional

POST_ERROR_STATUSES = (500, 503)
POST_ERROR_PHASES = ("before", "after", "random")

# Faults on the wire, applied by the proxy of `--wire-faults` (see wire_faults.py, proxy.py).
WIRE_FAULT_KINDS = (
    "reset_before",
    "reset_after",
    "cut_body",
    "truncate_json",
    "status_408",
    "status_5xx_html",
    "status_429",
    "late_post",
    "hold_post",
    "slow_body",
)
WIRE_SETTINGS = (
    "wire_fault_rate",
    "wire_fault_kinds",
    "wire_late_seconds",
    "wire_hold_seconds",
    "wire_late_next_posts",
    "wire_hold_next_posts",
)
MAX_WIRE_DELAY_SECONDS = 600.0
# Shown by GET /_emulator/faults beside the settings; read-only (ignored in a POST).
WIRE_COUNTERS = "wire_injected"


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
    wire_fault_rate: float = 0.0
    wire_fault_kinds: List[str] = field(default_factory=lambda: list(WIRE_FAULT_KINDS))
    wire_late_seconds: float = 3.0
    wire_hold_seconds: float = 3.0
    wire_late_next_posts: int = 0
    wire_hold_next_posts: int = 0

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


def _seconds(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= MAX_WIRE_DELAY_SECONDS
    ):
        raise FaultError(
            f"{name} must be a number of seconds between 0 and {MAX_WIRE_DELAY_SECONDS:g}, "
            f"got {value!r}"
        )
    return float(value)


def _kinds(value: Any) -> List[str]:
    """A non-empty list of wire fault kinds, in the canonical order (so draws don't depend on
    the order they were given in)."""
    known = ", ".join(WIRE_FAULT_KINDS)
    if not isinstance(value, list) or not value or not all(isinstance(k, str) for k in value):
        raise FaultError(f"wire_fault_kinds must be a non-empty list of names among {known}")
    unknown = sorted(set(value) - set(WIRE_FAULT_KINDS))
    if unknown:
        raise FaultError(f"unknown wire fault kind(s) {', '.join(unknown)}; known: {known}")
    return [k for k in WIRE_FAULT_KINDS if k in value]


def _wire_rng(seed: Optional[int]) -> random.Random:
    # Its own dice, so wire draws do not shift with the app's fault draws.
    return random.Random(f"wire|{seed}") if seed is not None else random.Random()


class FaultState:
    """The live settings plus the random sources and counters they draw on.

    `wire` says whether the wire proxy runs (`--wire-faults`): without it, every wire setting
    must keep its default. `wire_injected` counts the wire faults applied, by kind, since the
    start (a reset of the settings keeps it).
    """

    def __init__(self, faults: Optional[Faults] = None, wire: bool = False) -> None:
        self.faults = faults or Faults()
        self.rng = random.Random(self.faults.seed)
        self.wire = wire
        self.wire_rng = _wire_rng(self.faults.seed)
        self.wire_injected: Dict[str, int] = {kind: 0 for kind in WIRE_FAULT_KINDS}

    def snapshot(self) -> Dict[str, Any]:
        """The settings plus the wire counters, as GET /_emulator/faults shows them."""
        return {**self.faults.as_dict(), WIRE_COUNTERS: dict(self.wire_injected)}

    def update(self, changes: Dict[str, Any]) -> Faults:
        """Apply a partial update (validated as a whole before anything changes)."""
        changes = {k: v for k, v in changes.items() if k != WIRE_COUNTERS}
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
            wire_fault_rate=_rate("wire_fault_rate", merged["wire_fault_rate"]),
            wire_fault_kinds=_kinds(merged["wire_fault_kinds"]),
            wire_late_seconds=_seconds("wire_late_seconds", merged["wire_late_seconds"]),
            wire_hold_seconds=_seconds("wire_hold_seconds", merged["wire_hold_seconds"]),
            wire_late_next_posts=_count(
                "wire_late_next_posts", merged["wire_late_next_posts"], False
            )
            or 0,
            wire_hold_next_posts=_count(
                "wire_hold_next_posts", merged["wire_hold_next_posts"], False
            )
            or 0,
        )
        if candidate.post_error_status not in POST_ERROR_STATUSES:
            raise FaultError(f"post_error_status must be one of {POST_ERROR_STATUSES}")
        if candidate.post_error_phase not in POST_ERROR_PHASES:
            raise FaultError(f"post_error_phase must be one of {', '.join(POST_ERROR_PHASES)}")
        lat = candidate.latency_ms
        if isinstance(lat, bool) or not isinstance(lat, (int, float)) or not 0 <= lat <= 60000:
            raise FaultError(f"latency_ms must be a number between 0 and 60000, got {lat!r}")
        if not self.wire:
            default = Faults()
            changed = [n for n in WIRE_SETTINGS if getattr(candidate, n) != getattr(default, n)]
            if changed:
                raise FaultError(
                    f"{', '.join(changed)}: wire faults need the wire proxy; start the "
                    "emulator with --wire-faults"
                )
        self.faults = candidate
        if "seed" in changes:
            self.rng = random.Random(candidate.seed)
            self.wire_rng = _wire_rng(candidate.seed)
        return candidate

    def reset(self) -> Faults:
        """Turn every fault off (the wire counters go on counting)."""
        self.faults = Faults()
        self.rng = random.Random()
        self.wire_rng = random.Random()
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

    def count_wire(self, kind: str) -> None:
        """Count one wire fault of `kind` applied."""
        self.wire_injected[kind] += 1

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
