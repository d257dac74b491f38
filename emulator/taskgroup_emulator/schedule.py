"""The simulated schedule: when each run starts and finishes, and whether it fails.

Everything is a pure function of the run id, its input and the server settings, so a
restarted server derives the same schedule from what it stored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Optional, Tuple

# Mean seconds from queued to finished at time scale 1, roughly the documented ranges.
PROCESSOR_SECONDS: Dict[str, float] = {
    "lite": 10.0,
    "base": 30.0,
    "core": 90.0,
    "core2x": 150.0,
    "pro": 300.0,
    "ultra": 900.0,
    "ultra2x": 1500.0,
    "ultra4x": 2400.0,
    "ultra8x": 3600.0,
}
FAST_FACTOR = 0.4
QUEUE_SECONDS = 2.0
FAIL_MARKER = "__fail__"


def known_processor(name: str) -> bool:
    """True for every processor the emulator schedules (tiers and their -fast variants)."""
    base = name[: -len("-fast")] if name.endswith("-fast") else name
    return base in PROCESSOR_SECONDS


def stable_unit(*parts: str) -> float:
    """A deterministic number in [0, 1) from the given strings."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def run_times(
    run_id: str, processor: str, created: float, time_scale: float
) -> Tuple[float, float]:
    """(start, finish) epoch seconds: queue wait then processing, each with ±50 % jitter."""
    base = processor[: -len("-fast")] if processor.endswith("-fast") else processor
    seconds = PROCESSOR_SECONDS.get(base, PROCESSOR_SECONDS["core"])
    if processor.endswith("-fast"):
        seconds *= FAST_FACTOR
    wait = QUEUE_SECONDS * (0.5 + stable_unit(run_id, "queue")) * time_scale
    work = seconds * (0.5 + stable_unit(run_id, "work")) * time_scale
    return created + wait, created + wait + work


def _contains_marker(value: Any) -> bool:
    # Iterative: an input may nest as deep as the JSON parser allows.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if FAIL_MARKER in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def failure_reason(task_input: Any, failure_rate: float, failure_seed: int) -> Optional[str]:
    """Why the run will fail, or None: the input carries the marker, or the seeded rate hits.

    The rate is drawn from (seed, input), so the same inputs fail on every run of a test.
    """
    if _contains_marker(task_input):
        return f"Run failed: the input contains the failure marker {FAIL_MARKER!r}."
    if failure_rate > 0 and (
        stable_unit(str(failure_seed), canonical(task_input), "fail") < failure_rate
    ):
        return "Run failed: simulated processing failure (emulator --failure-rate)."
    return None


def canonical(value: Any) -> str:
    """Stable JSON text of a value, the seed of its deterministic output."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
