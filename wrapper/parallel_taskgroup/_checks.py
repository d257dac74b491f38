"""Argument checks at the public boundary: a wrong type is an ArgumentTypeError, a wrong value a
ConfigurationError, each naming the argument, what it got and what it takes.

Each check is a few isinstance tests, run once per call (never per row). Imports nothing but
:mod:`.errors`, so any module may use it at no import cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Optional

from . import errors

__all__ = [
    "check_callable",
    "check_group_defaults",
    "check_mapping",
    "check_seconds",
    "check_task_spec",
    "check_text",
    "check_whole",
    "describe",
]


def describe(value: object, *, show: bool = True) -> str:
    """How a message names what it got: the type, with a short repr of a scalar (``str '5'``,
    ``int -1``); ``show=False`` leaves the value out (a secret)."""
    if value is None:
        return "None"
    kind = type(value).__name__
    if show and isinstance(value, (str, bytes, int, float)):
        text = repr(value)
        return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"
    return kind


def _fix(hint: str) -> str:
    return f"; {hint}" if hint else ""


def check_text(name: str, value: object, *, what: str, hint: str = "", show: bool = True) -> None:
    """``value`` is None or a non-blank str (``what`` says what it names)."""
    if value is None:
        return
    if not isinstance(value, str):
        raise errors.ArgumentTypeError(
            f"{name} must be {what} (a str), got {describe(value, show=show)}{_fix(hint)}"
        )
    if not value.strip():
        raise errors.ConfigurationError(f"{name} must be {what}, got {value!r}{_fix(hint)}")


def check_whole(name: str, value: object, *, minimum: int, hint: str = "") -> None:
    """``value`` is None or an int (not a bool) of at least ``minimum``."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.ArgumentTypeError(
            f"{name} must be a whole number (int) >= {minimum}, got {describe(value)}{_fix(hint)}"
        )
    if value < minimum:
        raise errors.ConfigurationError(
            f"{name} must be a whole number >= {minimum}, got {value!r}{_fix(hint)}"
        )


def check_seconds(
    name: str, value: object, *, zero: bool = True, infinite: bool = True, hint: str = ""
) -> Optional[float]:
    """``value`` as seconds: None, or an int or float (not a bool) that is not NaN, at least 0
    (more than 0 unless ``zero``), finite unless ``infinite``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise errors.ArgumentTypeError(
            f"{name} must be a number of seconds (int or float) or None, got "
            f"{describe(value)}{_fix(hint)}"
        )
    seconds = float(value)
    if (
        math.isnan(seconds)
        or seconds < 0
        or (not zero and seconds == 0)
        or (not infinite and math.isinf(seconds))
    ):
        least = "non-negative" if zero else "positive"
        finite = "" if infinite else " finite"
        raise errors.ConfigurationError(
            f"{name} must be a {least}{finite} number of seconds, got {value!r}{_fix(hint)}"
        )
    return seconds


def check_callable(name: str, value: object, *, what: str, hint: str = "") -> None:
    """``value`` is None or callable (``what`` says what it is called with)."""
    if value is not None and not callable(value):
        raise errors.ArgumentTypeError(
            f"{name} must be a function {what} (or None), got {describe(value)}{_fix(hint)}"
        )


def check_mapping(name: str, value: object, *, what: str, hint: str = "") -> None:
    """``value`` is None or a mapping (``what`` describes its entries)."""
    if value is not None and not isinstance(value, Mapping):
        raise errors.ArgumentTypeError(
            f"{name} must be a mapping {what} (or None), got {describe(value)}{_fix(hint)}"
        )


def check_group_defaults(
    *, task_spec: object, processor: object, run_metadata: object, betas: object
) -> None:
    """The defaults a group handle applies to every ``add_runs`` call."""
    check_task_spec("task_spec", task_spec)
    check_text(
        "processor", processor, what="a processor name", hint="e.g. processor='base' or 'core'"
    )
    check_mapping(
        "run_metadata",
        run_metadata,
        what="of str to str/int/float/bool",
        hint="e.g. run_metadata={'batch': 'q3'}",
    )
    if betas is None or isinstance(betas, str):
        return
    if not isinstance(betas, Sequence) or not all(isinstance(b, str) for b in betas):
        raise errors.ArgumentTypeError(
            "betas must be a str (beta names separated by commas) or a list of str, got "
            f"{describe(betas)}"
        )


def check_task_spec(name: str, value: object) -> None:
    """``value`` is None, a TaskSpec (anything with ``to_dict``) or a mapping."""
    if value is None or isinstance(value, Mapping) or hasattr(value, "to_dict"):
        return
    hint = (
        "; to build one from schema files use task_spec_from_files(...)"
        if isinstance(value, str)
        else ""
    )
    raise errors.ArgumentTypeError(
        f"{name} must be a TaskSpec or a dict in the API's TaskSpec shape "
        f"(e.g. {{'output_schema': ...}}), got {describe(value)}{hint}"
    )
