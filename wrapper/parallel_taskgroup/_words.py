"""How the library's messages name counts and types: "1 row", "2 rows", "got None"."""

from __future__ import annotations

from typing import Any

__all__ = ["plural", "type_name"]


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is one: ``1 row``, ``2,500 rows``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def type_name(value: Any) -> str:
    """What a value is, for "got ..." in a message: ``None``, ``int``, ``list``."""
    return "None" if value is None else type(value).__name__
