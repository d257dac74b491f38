"""WeakAnswers: which answers ``retry="low-confidence"`` runs again, judged by the output's basis.

Every field of a JSON output comes with a basis entry: its confidence (``high``, ``medium``,
``low``) and citations; a list field has entries for its elements too (``field.0``, ...), which
count as the field's (both read by :mod:`.basis`). An answer is weak when any field considered
(all, or ``fields``) has a confidence at or below ``at_most``, or, with ``without_citations``,
has no citation. A basis entry without a known confidence is not weak by confidence (nothing
says it is); an answer without a basis (a processor or output that has none) is weak only by
``without_citations``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

import attrs

from ..errors import ConfigurationError
from .basis import confidence_of, field_of

__all__ = ["CONFIDENCE_LEVELS", "WeakAnswers", "weak_answers"]

CONFIDENCE_LEVELS = ("low", "medium", "high")


@attrs.frozen
class WeakAnswers:
    """The rule: ``fields`` (None: every field), ``at_most`` a confidence level, and whether
    an answer without citations is weak too."""

    fields: Optional[tuple[str, ...]] = None
    at_most: str = "low"
    without_citations: bool = False

    def __str__(self) -> str:
        fields = self.fields or ()
        where = f"{'field' if len(fields) == 1 else 'fields'} {', '.join(fields)}"
        if not fields:
            where = "any field"
        text = f"{where} with confidence {self.at_most}"
        if self.at_most != "low":
            text += " or lower"
        if self.without_citations:
            text += " or without citations"
        return text

    def weak(self, basis: Any) -> bool:
        """Whether an answer with this ``basis`` (the output's list of field entries) is weak."""
        entries = basis if isinstance(basis, list) else []
        considered = 0
        weak_levels = CONFIDENCE_LEVELS[: CONFIDENCE_LEVELS.index(self.at_most) + 1]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            name = entry.get("field")
            if self.fields is not None and (
                not isinstance(name, str) or field_of(name)[0] not in self.fields
            ):
                continue
            considered += 1
            if confidence_of(entry.get("confidence")) in weak_levels:
                return True
            if self.without_citations and not entry.get("citations"):
                return True
        return self.without_citations and considered == 0


def weak_answers(
    *,
    fields: Optional[Sequence[str]] = None,
    at_most: str = "low",
    without_citations: bool = False,
    known_fields: Optional[Sequence[str]] = None,
) -> WeakAnswers:
    """The checked rule; ``known_fields``: the output schema's fields, when it has any."""
    if at_most not in CONFIDENCE_LEVELS:
        raise ConfigurationError(
            f"at_most must be one of {', '.join(CONFIDENCE_LEVELS)}, got {at_most!r}"
        )
    chosen: Optional[tuple[str, ...]] = None
    if fields is not None:
        chosen = tuple(f.strip() for f in fields if f.strip())
        if not chosen:
            raise ConfigurationError("fields: name at least one output field, e.g. ceo_name")
        if known_fields is not None:
            unknown = [f for f in chosen if f not in known_fields]
            if unknown:
                raise ConfigurationError(
                    f"fields: {', '.join(unknown)} not in the output schema (its fields: "
                    f"{', '.join(known_fields)})"
                )
    return WeakAnswers(fields=chosen, at_most=at_most, without_citations=without_citations)
