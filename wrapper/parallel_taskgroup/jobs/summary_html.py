"""A job summary (:class:`~.summary.JobSummary`) as one self-contained HTML page.

Nothing is fetched when it is opened: the CSS is inline, the charts are SVG drawn here, the
fonts are the system's. Every figure a chart shows is also written as text beside it, in an
element whose ``data-figure`` attribute names it (``status.completed``, ``field.summary.high``,
``spend.base.usd``, ...), so that a reader without the charts, or a test, can read it. All text
that comes from the job (file names, keys, field names, error messages) is escaped.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Optional

from .._fs import atomic_write
from .._version import __version__
from .basis import CONFIDENCES
from .summary import JobSummary
from .summary_format import percent, seconds, usd
from .summary_tally import Durations, FieldBasis

__all__ = ["summary_html", "write_summary_html"]

_STATUS_COLOURS = {
    "completed": "#2f9e44",
    "failed": "#e03131",
    "cancelled": "#f08c00",
    "not_submitted": "#adb5bd",
    "unfinished": "#1c7ed6",
}
_OTHER_COLOUR = "#7048e8"
_CONFIDENCE_COLOURS = {"high": "#2f9e44", "medium": "#fab005", "low": "#fa5252", "none": "#ced4da"}
_ACCENT = "#4263eb"

_CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --line: #e4e7eb;
  --panel: #ffffff; --page: #f5f7fa; --accent: #4263eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 24px 40px; }
header h1 { font-size: 22px; margin: 0 0 2px; letter-spacing: -0.01em; }
header .file { color: var(--muted); margin: 0 0 14px; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0;
  font-size: 13px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 20px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.04em; }
.card .value { font-size: 24px; font-weight: 600; margin-top: 2px;
  font-variant-numeric: tabular-nums; }
.card .note { color: var(--muted); font-size: 12px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 16px 18px 18px; margin: 0 0 16px; }
section h2 { font-size: 16px; margin: 0 0 4px; }
section .lead { color: var(--muted); margin: 0 0 12px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: middle; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.03em; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.bar { width: 42%; }
td.share { white-space: nowrap; width: 1%; }
td.reason { word-break: break-word; }
td.reason .example { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
tr.total td { font-weight: 600; border-bottom: none; }
svg.bar { display: block; width: 100%; height: 14px; }
svg.hist { display: block; width: 200px; height: 46px; }
svg.mini { display: inline-block; width: 56px; height: 8px; margin-right: 8px;
  vertical-align: 0; }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted);
  margin: 0 0 10px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 5px; vertical-align: -1px; }
.counts { font-size: 12px; color: var(--muted); white-space: nowrap; }
.counts b { color: var(--ink); font-weight: 600; }
.element td { color: var(--muted); font-size: 13px; }
.element td:first-child { padding-left: 22px; }
.muted { color: var(--muted); }
.notes { border-color: #ffe8a3; background: #fffbeb; }
.notes ul { margin: 6px 0 0; padding-left: 18px; }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }
h3 { font-size: 13px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase;
  letter-spacing: 0.03em; }
@media (max-width: 720px) { .cards { grid-template-columns: repeat(2, 1fr); } }
@media print { body { background: #fff; } section, .card { break-inside: avoid; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(part: int, whole: int) -> str:
    return percent(part, whole, missing="–")


def _seconds(value: Optional[float]) -> str:
    return seconds(value, missing="–")


def _figure(name: str, text: str, tag: str = "span", cls: str = "") -> str:
    """``text`` in an element named by ``data-figure`` (what a test reads)."""
    attr = f' class="{cls}"' if cls else ""
    return f'<{tag}{attr} data-figure="{_e(name)}">{_e(text)}</{tag}>'


def _bar(segments: Sequence[tuple[float, str, str]], whole: float) -> str:
    """A horizontal bar of ``segments`` (value, colour, title), scaled to ``whole``."""
    parts = ['<rect x="0" y="0" width="100" height="10" rx="1.5" fill="#f1f3f5"/>']
    x = 0.0
    for value, colour, title in segments:
        if value <= 0 or whole <= 0:
            continue
        width = 100.0 * value / whole
        parts.append(
            f'<rect x="{x:.3f}" y="0" width="{width:.3f}" height="10" fill="{colour}">'
            f"<title>{_e(title)}</title></rect>"
        )
        x += width
    return (
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img">'
        + "".join(parts)
        + "</svg>"
    )


def _histogram(durations: Durations) -> str:
    """Run counts per duration bin, as small columns, with the range under them."""
    bins = durations.histogram
    if not bins:
        return '<span class="muted">–</span>'
    tallest = max(bins) or 1
    width = 200 / len(bins)
    columns = []
    for i, count in enumerate(bins):
        height = 32.0 * count / tallest
        low, high = i * durations.bin_seconds, (i + 1) * durations.bin_seconds
        columns.append(
            f'<rect x="{i * width + 0.5:.2f}" y="{32 - height:.2f}" width="{width - 1:.2f}" '
            f'height="{height:.2f}" fill="{_ACCENT}" opacity="0.85"><title>'
            f"{_e(f'{_n(count)} runs, {_seconds(low)} to {_seconds(high)}')}</title></rect>"
        )
    return (
        '<svg class="hist" viewBox="0 0 200 46" role="img">'
        '<line x1="0" y1="32.5" x2="200" y2="32.5" stroke="#ced4da" stroke-width="1"/>'
        + "".join(columns)
        + '<text x="0" y="44" font-size="10" fill="#5f6b7a">0</text>'
        '<text x="200" y="44" font-size="10" fill="#5f6b7a" text-anchor="end">'
        f"{_e(_seconds(durations.max))}</text></svg>"
    )


def _mini(part: int, whole: int) -> str:
    """A small bar: ``part`` of ``whole``."""
    width = 100.0 * part / whole if whole else 0.0
    return (
        '<svg class="mini" viewBox="0 0 100 10" preserveAspectRatio="none" role="img">'
        '<rect x="0" y="0" width="100" height="10" rx="2" fill="#f1f3f5"/>'
        f'<rect x="0" y="0" width="{width:.3f}" height="10" rx="2" fill="{_ACCENT}"/></svg>'
    )


def _legend(colours: Mapping[str, str], names: Iterable[str]) -> str:
    items = "".join(f'<span><i style="background:{colours[n]}"></i>{_e(n)}</span>' for n in names)
    return f'<div class="legend">{items}</div>'


# -- sections --------------------------------------------------------------------------------


def _header(summary: JobSummary) -> str:
    facts = [
        ("results file", _figure("results", summary.results)),
        ("group", _figure("group", summary.group_id or "none yet")),
        ("journal", _figure("journal", summary.journal or "none (the results file was read)")),
        ("rows", _figure("rows", _n(summary.rows))),
    ]
    items = "".join(f"<dt>{_e(label)}</dt><dd>{value}</dd>" for label, value in facts)
    return (
        "<header><h1>Job report</h1>"
        f'<p class="file">{_e(os.path.basename(summary.results))}</p>'
        f'<dl class="facts">{items}</dl></header>'
    )


def _cards(summary: JobSummary) -> str:
    completed = summary.by_status.get("completed", 0)
    cards = [
        ("Rows", _figure("card.rows", _n(summary.rows)), ""),
        (
            "Completed",
            _figure("card.completed", _n(completed)),
            _pct(completed, summary.rows),
        ),
        (
            "Failed or cancelled",
            _figure("card.failed", _n(summary.failed)),
            _pct(summary.failed, summary.rows),
        ),
        (
            "Spent",
            _figure("card.spent", usd(summary.spent_usd) if summary.spend is not None else "–"),
            "" if summary.spend is not None else "no journal",
        ),
    ]
    shown = "".join(
        f'<div class="card"><div class="label">{_e(label)}</div><div class="value">{value}</div>'
        f'<div class="note">{_e(note) or "&nbsp;"}</div></div>'
        for label, value, note in cards
    )
    return f'<div class="cards">{shown}</div>'


def _status(summary: JobSummary) -> str:
    most = max(summary.by_status.values(), default=0)
    rows = []
    for status, count in summary.by_status.items():
        colour = _STATUS_COLOURS.get(status, _OTHER_COLOUR)
        title = f"{status}: {_n(count)}"
        rows.append(
            f"<tr><td>{_e(status)}</td>"
            f'<td class="bar">{_bar([(count, colour, title)], most)}</td>'
            f"{_figure(f'status.{status}', _n(count), 'td', 'num')}"
            f'<td class="num muted">{_pct(count, summary.rows)}</td></tr>'
        )
    return (
        '<section id="status"><h2>Rows by status</h2>'
        '<p class="lead">The status of each row\'s line in the results file.</p>'
        '<table><thead><tr><th>status</th><th></th><th class="num">rows</th>'
        f'<th class="num">share</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _failures(summary: JobSummary) -> str:
    head = '<section id="failures"><h2>Failures by reason</h2>'
    if not summary.failure_reasons:
        return head + '<p class="lead">No row failed or was cancelled.</p></section>'
    shown = len(summary.failure_reasons)
    more = summary.distinct_reasons - shown
    lead = (
        f"{_n(summary.failed)} failed or cancelled rows, {_n(summary.distinct_reasons)} "
        "reasons (messages that differ only in ids and numbers, shown as &lt;id&gt; and "
        "&lt;n&gt;, are one reason)"
        + (f"; the {_n(shown)} most frequent below" if more > 0 else "")
        + "."
    )
    rows = []
    for i, reason in enumerate(summary.failure_reasons):
        example = (
            f'<span class="example">e.g. {_e(reason.example)}</span>'
            if reason.example != reason.reason
            else ""
        )
        rows.append(
            f'<tr><td class="reason">{_figure(f"reason.{i}", reason.reason)}{example}</td>'
            f"{_figure(f'reason.{i}.rows', _n(reason.rows), 'td', 'num')}"
            f'<td class="num muted">{_pct(reason.rows, summary.failed)}</td></tr>'
        )
    return (
        head
        + f'<p class="lead">{lead}</p>'
        + '<table><thead><tr><th>reason</th><th class="num">rows</th>'
        + '<th class="num">share</th></tr></thead>'
        + f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _confidence_row(
    label: str, name: str, counts: Mapping[str, int], total: int, cited: int, cls: str = ""
) -> str:
    segments = [(counts[c], _CONFIDENCE_COLOURS[c], f"{c}: {_n(counts[c])}") for c in CONFIDENCES]
    figures = " · ".join(
        f"{_e(c)} <b>{_figure(f'{name}.{c}', _n(counts[c]))}</b>" for c in CONFIDENCES
    )
    attr = f' class="{cls}"' if cls else ""
    return (
        f"<tr{attr}><td>{_e(label)}</td>"
        f"{_figure(f'{name}.answers', _n(total), 'td', 'num')}"
        f'<td class="bar">{_bar(segments, total)}<div class="counts">{figures}</div></td>'
        f"{_figure(f'{name}.cited', _n(cited), 'td', 'num')}"
        f'<td class="share">{_mini(cited, total)}<span class="muted">{_pct(cited, total)}</span>'
        "</td></tr>"
    )


def _field_rows(field: FieldBasis) -> str:
    name = f"field.{field.field}"
    shown = _confidence_row(field.field, name, field.confidence, field.answers, field.cited)
    if field.elements:
        shown += _confidence_row(
            "elements",
            f"{name}.elements",
            field.element_confidence,
            field.elements,
            field.elements_cited,
            "element",
        )
    return shown


def _fields(summary: JobSummary) -> str:
    head = '<section id="fields"><h2>Basis by output field</h2>'
    if summary.fields is None:
        return head + '<p class="lead">No basis to read (see the notes).</p></section>'
    if not summary.fields:
        return head + '<p class="lead">No completed row has a basis.</p></section>'
    lead = (
        "Each field's latest answers by confidence, and how many cite at least one source. "
        "A list field's elements (field.0, field.1, …) are counted apart, under it."
    )
    return (
        head
        + f'<p class="lead">{_e(lead)}</p>'
        + _legend(_CONFIDENCE_COLOURS, CONFIDENCES)
        + '<table><thead><tr><th>field</th><th class="num">answers</th><th>confidence</th>'
        + '<th class="num">cited</th><th>cited share</th></tr></thead><tbody>'
        + "".join(_field_rows(f) for f in summary.fields)
        + "</tbody></table></section>"
    )


def _spend(summary: JobSummary) -> str:
    head = '<section id="spend"><h2>Spend</h2>'
    if summary.spend is None or summary.spend_by_attempt is None:
        return head + '<p class="lead">Not known without the job\'s journal.</p></section>'
    total_usd = summary.spent_usd or 0.0
    rows = []
    for s in summary.spend:
        rows.append(
            f"<tr><td>{_e(s.processor)}</td>"
            f"{_figure(f'spend.{s.processor}.runs', _n(s.runs), 'td', 'num')}"
            f'<td class="num">{usd(s.usd_per_1000)}</td>'
            f"{_figure(f'spend.{s.processor}.usd', usd(s.usd), 'td', 'num')}"
            f'<td class="bar">{_bar([(s.usd or 0.0, _ACCENT, usd(s.usd))], total_usd)}</td></tr>'
        )
    runs = sum(s.runs for s in summary.spend)
    rows.append(
        f'<tr class="total"><td>total</td>{_figure("spend.runs", _n(runs), "td", "num")}<td></td>'
        f"{_figure('spend.usd', usd(summary.spent_usd), 'td', 'num')}<td></td></tr>"
    )
    attempts = []
    for a in summary.spend_by_attempt:
        label = str(a.attempt) if a.attempt is not None else "other"
        attempts.append(
            f"<tr><td>{_e(label)}</td><td>{_e(a.processor)}</td>"
            f"{_figure(f'attempt.{label}.{a.processor}.runs', _n(a.runs), 'td', 'num')}"
            f"{_figure(f'attempt.{label}.{a.processor}.usd', usd(a.usd), 'td', 'num')}"
            f'<td class="bar">{_bar([(a.usd or 0.0, _ACCENT, usd(a.usd))], total_usd)}</td></tr>'
        )
    other = (
        '<p class="lead">"other": runs outside the rows\' attempts (extra runs the group holds '
        "for a row, runs of rows no longer in the job).</p>"
        if any(a.attempt is None for a in summary.spend_by_attempt)
        else ""
    )
    return (
        head
        + '<p class="lead">Runs created × price per run; extra runs of a row included.</p>'
        + '<table><thead><tr><th>processor</th><th class="num">runs</th>'
        + '<th class="num">USD / 1,000</th><th class="num">USD</th><th></th></tr></thead>'
        + f"<tbody>{''.join(rows)}</tbody></table>"
        + "<h3>By attempt</h3>"
        + '<table><thead><tr><th>attempt</th><th>processor</th><th class="num">runs</th>'
        + '<th class="num">USD</th><th></th></tr></thead>'
        + f"<tbody>{''.join(attempts)}</tbody></table>{other}</section>"
    )


def _durations(summary: JobSummary) -> str:
    head = '<section id="durations"><h2>Run durations</h2>'
    if summary.durations is None:
        return head + '<p class="lead">Not known without the job\'s journal.</p></section>'
    if not summary.durations:
        return head + '<p class="lead">No run has finished.</p></section>'
    rows = []
    for d in summary.durations:
        name = f"duration.{d.processor}"
        unknown = f' <span class="muted">(+{_n(d.unknown)} unknown)</span>' if d.unknown else ""
        rows.append(
            f"<tr><td>{_e(d.processor)}</td>"
            f'<td class="num">{_figure(f"{name}.runs", _n(d.runs))}{unknown}</td>'
            f"{_figure(f'{name}.median', _seconds(d.median), 'td', 'num')}"
            f"{_figure(f'{name}.p90', _seconds(d.p90), 'td', 'num')}"
            f"{_figure(f'{name}.max', _seconds(d.max), 'td', 'num')}"
            f"<td>{_histogram(d)}</td></tr>"
        )
    return (
        head
        + '<p class="lead">From creation to finish, per finished run (every attempt).</p>'
        + '<table><thead><tr><th>processor</th><th class="num">runs</th>'
        + '<th class="num">median</th><th class="num">p90</th><th class="num">max</th>'
        + f"<th>distribution</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _notes(summary: JobSummary) -> str:
    if not summary.unavailable:
        return ""
    items = "".join(f"<li>{_e(note)}</li>" for note in summary.unavailable)
    return f'<section class="notes" id="notes"><h2>Not available</h2><ul>{items}</ul></section>'


def summary_html(summary: JobSummary) -> str:
    """The page of ``summary``: one HTML document that needs nothing else to display."""
    body = "".join(
        [
            _header(summary),
            _cards(summary),
            _status(summary),
            _failures(summary),
            _fields(summary),
            _spend(summary),
            _durations(summary),
            _notes(summary),
            f"<footer>Prices: {_e(summary.prices)}. Made by parallel-taskgroup "
            f"{_e(__version__)}.</footer>",
        ]
    )
    title = f"Job report: {os.path.basename(summary.results)}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def write_summary_html(summary: JobSummary, path: str) -> None:
    """Write the page of ``summary`` to ``path`` atomically, creating missing folders (an
    OSError propagates)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, summary_html(summary).encode("utf-8"), private=False)
