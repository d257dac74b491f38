"""What the API accepts in a run input, checked before anything is sent."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Optional

__all__ = [
    "MAX_INPUTS_PER_REQUEST",
    "MAX_METADATA_KEY_CHARS",
    "MAX_METADATA_VALUE_CHARS",
    "metadata_problem",
]

MAX_INPUTS_PER_REQUEST = 1000
"""The API accepts at most this many inputs per add-runs POST."""

MAX_METADATA_KEY_CHARS = 16
MAX_METADATA_VALUE_CHARS = 512


def _describe(value: Any) -> str:
    return type(value).__name__


def metadata_problem(metadata: Any) -> Optional[str]:
    """Why ``metadata`` would be rejected by the API, or ``None`` if it is acceptable.

    Keys: non-empty strings of at most 16 characters. Values: str (at most 512 characters), int,
    finite float or bool.
    """
    if not isinstance(metadata, Mapping):
        return f"metadata must be a mapping of str to str/int/float/bool, got {_describe(metadata)}"
    for k, v in metadata.items():
        if not isinstance(k, str) or not k:
            return f"metadata key {k!r} must be a non-empty string"
        if len(k) > MAX_METADATA_KEY_CHARS:
            return (
                f"metadata key {k!r} has {len(k)} characters; "
                f"the API allows at most {MAX_METADATA_KEY_CHARS}"
            )
        if isinstance(v, str):
            if len(v) > MAX_METADATA_VALUE_CHARS:
                return (
                    f"metadata value for {k!r} has {len(v)} characters; "
                    f"the API allows at most {MAX_METADATA_VALUE_CHARS}"
                )
        elif isinstance(v, float):
            if not math.isfinite(v):
                return f"metadata value for {k!r} is {v!r}; only finite numbers are allowed"
        elif not isinstance(v, int):  # bool is an int
            return (
                f"metadata value for {k!r} is a {_describe(v)}; "
                "only str, int, float and bool are allowed"
            )
    return None
