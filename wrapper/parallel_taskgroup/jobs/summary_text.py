"""A job summary as text (what ``taskgroup report`` prints): aligned plain-text tables, no
line over 100 columns (long field names and failure reasons are cut with an ellipsis)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from .._words import plural
from .basis import CONFIDENCES
from .summary import JobSummary
from .summary_format import percent, seconds, usd

__all__ = ["WIDTH", "summary_lines", "summary_text"]

WIDTH = 100
_FIELD_WIDTH = 28


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _one_line(text: str) -> str:
    """Text from the job (a field name, a message) on one line."""
    return " ".join(text.split())


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()
) -> list[str]:
    """``rows`` under ``header``, indented two spaces, columns two apart; the columns whose
    index is in ``right`` aligned right (numbers), the others left."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        shown = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return ("  " + "  ".join(shown)).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _header(summary: JobSummary) -> list[str]:
    facts = [
        ("group", summary.group_id or "none yet"),
        ("journal", summary.journal or "none (figures from the results file alone)"),
        ("rows", f"{summary.rows:,}"),
    ]
    return [
        _cut(f"job report: {summary.results}", WIDTH),
        *(_cut(f"  {label:<8} {value}", WIDTH) for label, value in facts),
    ]


def _status(summary: JobSummary) -> list[str]:
    rows = [(s, f"{n:,}", percent(n, summary.rows)) for s, n in summary.by_status.items()]
    return ["rows by status", *_table(("status", "rows", "share"), rows, right=(1, 2))]


def _failures(summary: JobSummary) -> list[str]:
    if not summary.failure_reasons:
        return ["failures by reason: none"]
    title = (
        f"failures by reason: {plural(summary.failed, 'row')}, "
        f"{plural(summary.distinct_reasons, 'reason')} (ids and numbers shown as <id>, <n>)"
    )
    counts = [(f"{r.rows:,}", percent(r.rows, summary.failed)) for r in summary.failure_reasons]
    room = WIDTH - 2 - sum(max(len(c[i]) for c in [("rows", "share"), *counts]) + 2 for i in (0, 1))
    rows = [(*c, _cut(_one_line(r.reason), room)) for c, r in zip(counts, summary.failure_reasons)]
    lines = [_cut(title, WIDTH), *_table(("rows", "share", "reason"), rows, right=(0, 1))]
    more = summary.distinct_reasons - len(rows)
    if more > 0:
        lines.append(f"  ... and {plural(more, 'more reason')}")
    return lines


def _fields(summary: JobSummary) -> list[str]:
    if summary.fields is None:
        return ["basis by output field: not available (see below)"]
    if not summary.fields:
        return ["basis by output field: no completed row has a basis"]
    rows: list[tuple[str, ...]] = []
    for field in summary.fields:
        rows.append(
            _field_row(
                _one_line(field.field), field.answers, field.confidence, field.cited, _FIELD_WIDTH
            )
        )
        if field.elements:
            rows.append(
                _field_row(
                    "  elements",
                    field.elements,
                    field.element_confidence,
                    field.elements_cited,
                    _FIELD_WIDTH,
                )
            )
    header = ("field", "answers", *CONFIDENCES, "cited", "")
    return [
        "basis by output field (latest answers; elements: the entries of a list field's items)",
        *_table(header, rows, right=range(1, 8)),
    ]


def _field_row(
    name: str, answers: int, counts: Mapping[str, int], cited: int, width: int
) -> tuple[str, ...]:
    return (
        _cut(name, width),
        f"{answers:,}",
        *(f"{counts.get(c, 0):,}" for c in CONFIDENCES),
        f"{cited:,}",
        percent(cited, answers),
    )


def _spend(summary: JobSummary) -> list[str]:
    if summary.spend is None or summary.spend_by_attempt is None:
        return ["spend: not available (see below)"]
    rows = [(s.processor, f"{s.runs:,}", usd(s.usd_per_1000), usd(s.usd)) for s in summary.spend]
    rows.append(("total", f"{sum(s.runs for s in summary.spend):,}", "", usd(summary.spent_usd)))
    attempts = [
        (
            str(a.attempt) if a.attempt is not None else "other",
            a.processor,
            f"{a.runs:,}",
            usd(a.usd),
        )
        for a in summary.spend_by_attempt
    ]
    lines = [
        "spend (runs created x price; extra runs of a row included)",
        *_table(("processor", "runs", "USD/1,000", "USD"), rows, right=(1, 2, 3)),
        *textwrap.wrap(
            f"prices: {summary.prices}", WIDTH, initial_indent="  ", subsequent_indent="    "
        ),
        "",
        "spend by attempt",
        *_table(("attempt", "processor", "runs", "USD"), attempts, right=(2, 3)),
    ]
    if any(a.attempt is None for a in summary.spend_by_attempt):
        lines.append(
            "  other: extra runs the group holds for a row, runs of rows no longer in the job"
        )
    return lines


def _durations(summary: JobSummary) -> list[str]:
    if summary.durations is None:
        return ["run durations: not available (see below)"]
    if not summary.durations:
        return ["run durations: no run has finished"]
    rows = [
        (
            d.processor,
            f"{d.runs:,}" + (f" (+{d.unknown:,} unknown)" if d.unknown else ""),
            seconds(d.median),
            seconds(d.p90),
            seconds(d.max),
        )
        for d in summary.durations
    ]
    return [
        "run durations (created to finished)",
        *_table(("processor", "runs", "median", "p90", "max"), rows, right=(1, 2, 3, 4)),
    ]


def _notes(summary: JobSummary) -> list[str]:
    if not summary.unavailable:
        return []
    lines = ["not available"]
    for note in summary.unavailable:
        lines += textwrap.wrap(note, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return lines


def summary_lines(summary: JobSummary) -> list[str]:
    """The summary as the lines ``taskgroup report`` prints, sections apart."""
    sections = [
        _header(summary),
        _status(summary),
        _failures(summary),
        _fields(summary),
        _spend(summary),
        _durations(summary),
        _notes(summary),
    ]
    lines: list[str] = []
    for section in sections:
        if section:
            lines += [*([""] if lines else []), *section]
    return [_cut(line, WIDTH) if len(line) > WIDTH else line for line in lines]


def summary_text(summary: JobSummary) -> str:
    """The summary as aligned plain-text tables (what ``taskgroup report`` prints)."""
    return "\n".join(summary_lines(summary)) + "\n"
