"""Test support: the rows the add-runs tests send, and how many runs a group holds per row key."""

from __future__ import annotations

from collections import Counter
from typing import Any

from parallel_taskgroup import ROW_KEY_FIELD, TaskGroup


def rows(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"id": i, "question": f"What does company {i} do?", **extra} for i in range(n)]


def keys_in(group: TaskGroup) -> Counter[str]:
    """Runs per row key in ``group``, read from the service."""
    found: Counter[str] = Counter()
    for event in group.runs():
        metadata = getattr(getattr(event, "run", None), "metadata", None)
        if metadata is not None and ROW_KEY_FIELD in metadata:
            found[str(metadata[ROW_KEY_FIELD])] += 1
    return found
