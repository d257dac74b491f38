"""The simulated schedule: when each run starts and finishes, and whether it fails.

Everything is a pure function of the run id, its input and the server settings, so a
restarted server derives the same schedule from what it stored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Optional, Tuple

# Seconds from queued to finished at time scale 1: the documented latency ranges (docs
# `getting-started/pricing.md`) of each processor, standard and -fast: (lowest, highest).
DOCUMENTED_SECONDS: Dict[str, Tuple[Tuple[float, float], Tuple[float, float]]] = {
    "lite": ((10, 60), (10, 20)),
    "base": ((15, 100), (15, 50)),
    "core": ((60, 300), (15, 100)),
    "core2x": ((60, 600), (15, 180)),
    "pro": ((120, 600), (30, 300)),
    "ultra": ((300, 1500), (60, 600)),
    "ultra2x": ((300, 3000), (60, 1200)),
    "ultra4x": ((300, 5400), (60, 2400)),
    "ultra8x": ((300, 7200), (60, 3600)),
}
QUEUE_SECONDS = 2.0
FAIL_MARKER = "__fail__"


def known_processor(name: str) -> bool:
    """True for every processor the emulator schedules (tiers and their -fast variants)."""
    base = name[: -len("-fast")] if name.endswith("-fast") else name
    return base in DOCUMENTED_SECONDS


def stable_unit(*parts: str) -> float:
    """A deterministic number in [0, 1) from the given strings."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def run_times(
    run_id: str, processor: str, created: float, time_scale: float
) -> Tuple[float, float]:
    """(start, finish) epoch seconds. The whole run takes a time within the processor's
    documented range, more often near its low end (the docs give no distribution; a third of
    the way up the range on average); a queue wait of 1-3 s is part of it."""
    fast = processor.endswith("-fast")
    base = processor[: -len("-fast")] if fast else processor
    standard, fast_variant = DOCUMENTED_SECONDS.get(base, DOCUMENTED_SECONDS["core"])
    lowest, highest = fast_variant if fast else standard
    total = lowest + (highest - lowest) * stable_unit(run_id, "work") ** 2
    wait = QUEUE_SECONDS * (0.5 + stable_unit(run_id, "queue"))
    return created + wait * time_scale, created + total * time_scale


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
