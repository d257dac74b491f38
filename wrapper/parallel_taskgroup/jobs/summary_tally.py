"""The counters a job summary (:mod:`.summary`) streams a job's rows and runs through: rows by
status, failures by reason, each output field's basis, run durations by processor.

Each keeps counts only (the durations one float per run, for their percentiles), so a job of a
million rows is summarised in the memory of a small one. Each gives its figures as plain frozen
values: :class:`FailureReason`, :class:`FieldBasis`, :class:`Durations`.
"""

from __future__ import annotations

import array
import heapq
import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, Optional

import attrs

from .basis import CONFIDENCES, confidence_of, field_of

__all__ = [
    "FAILED",
    "STATUSES",
    "BasisTally",
    "DurationTally",
    "Durations",
    "FailureReason",
    "FieldBasis",
    "ReasonTally",
    "reason_of",
]

STATUSES = ("completed", "failed", "cancelled", "not_submitted", "unfinished")
"""A results line's statuses, in the order a summary shows them (any other comes after)."""
FAILED = frozenset(("failed", "cancelled"))

MAX_REASONS = 1_000
"""Distinct reasons counted one by one; the rest go to :data:`OTHER_REASONS` (messages that
masking ids and numbers does not bring together must not grow memory with the rows)."""
OTHER_REASONS = "(other reasons)"
MAX_FIELDS = 500
MAX_NAMES = 10_000
OTHER_FIELDS = "(other fields)"
NO_MESSAGE = "(no error message)"
HISTOGRAM_BINS = 12

_ID = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"  # a UUID
    r"|\b[A-Za-z]+_[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*"  # a prefixed id: trun_3f9a, tgrp_...
    r"|\b(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{12,}",  # a long token with a digit: hex, base62
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def reason_of(message: Any) -> str:
    """An error message with its ids (``<id>``) and numbers (``<n>``) masked and its spaces
    collapsed: messages that differ only in those read the same."""
    if not isinstance(message, str) or not message.strip():
        return NO_MESSAGE
    masked = _NUMBER.sub("<n>", _ID.sub("<id>", message))
    return " ".join(masked.split())


_LEVEL = {name: i for i, name in enumerate(CONFIDENCES)}


@attrs.frozen
class FailureReason:
    """Failed and cancelled rows whose error messages read the same once ids and numbers are
    masked (:func:`reason_of`)."""

    reason: str
    rows: int
    example: str
    """One of the messages, as written."""


@attrs.frozen
class FieldBasis:
    """How an output field's latest answers are backed: by confidence, and how many have at
    least one citation. ``answers`` counts the basis entries of the field itself; the entries of
    its list elements (``field.0``, ``field.1``, ...) are counted apart, in ``elements``."""

    field: str
    answers: int
    confidence: Mapping[str, int]
    """Answers by confidence: ``high``, ``medium``, ``low``, ``none``."""
    cited: int
    elements: int = 0
    element_confidence: Mapping[str, int] = attrs.field(
        factory=lambda: dict.fromkeys(CONFIDENCES, 0)
    )
    elements_cited: int = 0


@attrs.frozen
class Durations:
    """How long one processor's finished runs took, in seconds (``runs`` of them with a known
    duration; ``unknown`` without). ``p90`` is the nearest-rank 90th percentile; the histogram
    counts the runs in ``HISTOGRAM_BINS`` bins of ``bin_seconds`` from 0 to the longest."""

    processor: str
    runs: int
    median: Optional[float]
    p90: Optional[float]
    max: Optional[float]
    histogram: tuple[int, ...]
    bin_seconds: float
    unknown: int = 0


class ReasonTally:
    """Failed and cancelled rows by reason."""

    def __init__(self) -> None:
        self._rows: Counter[str] = Counter()
        self._examples: dict[str, str] = {}

    def add(self, error: Any) -> None:
        """Count a failed row by its ``error`` (``{"message": ...}``, or None)."""
        message = error.get("message") if isinstance(error, dict) else error
        reason = reason_of(message)
        if reason not in self._rows and len(self._rows) >= MAX_REASONS:
            reason = OTHER_REASONS
        self._rows[reason] += 1
        self._examples.setdefault(reason, str(message) if message else NO_MESSAGE)

    @property
    def distinct(self) -> int:
        """How many reasons were told apart."""
        return len(self._rows)

    def top(self, n: int) -> tuple[FailureReason, ...]:
        """The ``n`` reasons with the most rows (ties: the first seen first)."""
        return tuple(
            FailureReason(reason, rows, self._examples[reason])
            for reason, rows in self._rows.most_common(n)
        )


class BasisTally:
    """Each output field's answers by confidence and citation, from the rows' basis lists."""

    def __init__(self) -> None:
        # field -> [own by confidence (4), own cited, elements by confidence (4), elements cited]
        self._fields: dict[str, list[int]] = {}
        # entry name -> (its field's counts, 0 for the field's own entry or 5 for an element's):
        # names repeat on every row, so each is parsed once
        self._names: dict[str, tuple[list[int], int]] = {}
        self.rows_with_basis = 0

    def add(self, basis: Any) -> None:
        """Count one row's basis: a list of ``{"field", "citations", "confidence", ...}``."""
        if not isinstance(basis, list) or not basis:
            return
        self.rows_with_basis += 1
        for entry in basis:
            name = entry.get("field") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                continue
            found = self._names.get(name)
            if found is None:
                found = self._name(name)
            counts, offset = found
            counts[offset + _LEVEL[confidence_of(entry.get("confidence"))]] += 1
            if entry.get("citations"):
                counts[offset + 4] += 1

    def _name(self, name: str) -> tuple[list[int], int]:
        field, element = field_of(name)
        counts = self._fields.get(field)
        if counts is None:
            if len(self._fields) >= MAX_FIELDS:
                field = OTHER_FIELDS
            counts = self._fields.setdefault(field, [0] * 10)
        found = (counts, 5 if element else 0)
        if len(self._names) < MAX_NAMES:
            self._names[name] = found
        return found

    def fields(self) -> tuple[FieldBasis, ...]:
        """Every field seen, in the order first seen."""
        return tuple(
            FieldBasis(
                field=field,
                answers=sum(c[0:4]),
                confidence=dict(zip(CONFIDENCES, c[0:4])),
                cited=c[4],
                elements=sum(c[5:9]),
                element_confidence=dict(zip(CONFIDENCES, c[5:9])),
                elements_cited=c[9],
            )
            for field, c in self._fields.items()
        )


class DurationTally:
    """Finished runs' durations, by processor."""

    def __init__(self) -> None:
        self._seconds: dict[str, array.array[float]] = {}
        self._unknown: Counter[str] = Counter()

    def add(self, processor: str, seconds: Optional[float]) -> None:
        """Count a finished run (``seconds`` None: its duration is unknown)."""
        if seconds is None or not math.isfinite(seconds):
            self._unknown[processor] += 1
            self._seconds.setdefault(processor, array.array("d"))
        else:
            self._seconds.setdefault(processor, array.array("d")).append(max(0.0, seconds))

    def durations(self) -> tuple[Durations, ...]:
        """Each processor's figures, most runs first."""
        found = [_durations(p, s, self._unknown[p]) for p, s in self._seconds.items()]
        return tuple(sorted(found, key=lambda d: (-(d.runs + d.unknown), d.processor)))


def _durations(processor: str, seconds: array.array[float], unknown: int) -> Durations:
    if not seconds:
        return Durations(processor, 0, None, None, None, (), 0.0, unknown)
    longest = max(seconds)
    width = longest / HISTOGRAM_BINS
    bins = [0] * HISTOGRAM_BINS
    for value in seconds:
        bins[min(int(value / width), HISTOGRAM_BINS - 1) if width > 0 else 0] += 1
    n = len(seconds)
    middle, below_middle, p90 = _ranked(seconds, (n // 2, (n - 1) // 2, math.ceil(0.9 * n) - 1))
    return Durations(
        processor=processor,
        runs=n,
        median=middle if n % 2 else (below_middle + middle) / 2,  # as statistics.median
        p90=p90,
        max=longest,
        histogram=tuple(bins),
        bin_seconds=width,
        unknown=unknown,
    )


_SORTED_RUN = 65_536


def _ranked(seconds: array.array[float], ranks: tuple[int, ...]) -> list[float]:
    """The values at ``ranks`` (from 0) of ``seconds`` in ascending order. Sorting them all at
    once would hold a Python float per run (32 MiB for a million): they are sorted a run of
    them at a time, each kept as doubles, and the runs merged."""
    runs = [
        array.array("d", sorted(seconds[start : start + _SORTED_RUN]))
        for start in range(0, len(seconds), _SORTED_RUN)
    ]
    wanted = set(ranks)
    found = {}
    merged = itertools.islice(heapq.merge(*runs), max(ranks) + 1)
    for rank, value in enumerate(merged):
        if rank in wanted:
            found[rank] = value
    return [found[rank] for rank in ranks]
