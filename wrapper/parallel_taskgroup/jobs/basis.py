"""Reading an output's basis: which output field an entry is about, and its confidence.

One reading for every part of a job that judges answers (``retry="low-confidence"``) or counts
them (the job summary).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CONFIDENCES", "confidence_of", "field_of"]

CONFIDENCES = ("high", "medium", "low", "none")
"""An answer's confidence; ``none`` when the basis gives none (or one of no known level)."""

_KNOWN = frozenset(CONFIDENCES[:3])
_ELEMENT = re.compile(r"^(.+?)\.\d+(?:\..*)?$", re.DOTALL)


def field_of(name: str) -> tuple[str, bool]:
    """(the output field a basis entry is about, whether it is about one of its elements):
    ``products.0`` and ``products.0.name`` are elements of ``products``; ``products`` and a
    name whose dots are not followed by an index (``revenue.usd``) are fields themselves."""
    found = _ELEMENT.match(name)
    return (found.group(1), True) if found else (name, False)


def confidence_of(value: Any) -> str:
    """A confidence as written (``high``, ``High``, `` low``) as one of :data:`CONFIDENCES`."""
    if not isinstance(value, str):
        return "none"
    text = value if value in _KNOWN else value.strip().lower()
    return text if text in _KNOWN else "none"
