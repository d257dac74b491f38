"""Keeping finished runs: each row's result into the journal and its line into the results
file, in batches, so that neither is written twice and a crash between them loses nothing.

A result is first held in memory, then flushed: the journal (one transaction) before the file
(appended, fsynced). When a line cannot simply be appended (a retried row, a result recorded
before the file was open, a file changed behind the journal's back), the file is marked for a
rewrite from the journal at the end, and the mark is kept in the journal, so that a session that
dies first leaves the rewrite to the next one.
"""

from __future__ import annotations

import json
import os
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Optional

from parallel_taskgroup_api.models import TaskRun, TaskRunEvent

from .._json import compact
from ..errors import ParallelError
from ..results import RunResult
from ..submission.keys import run_identity, split_identity
from .options import JobOptions
from .record_text import record_text
from .records import output_json, run_record, run_timing
from .reporter import JobReporter
from .results_file import ResultsAppender, ResultsLayout, appendable, results_format
from .store import FinishedRun, JobStore, StoredRow

__all__ = ["FLUSH_LINES", "FLUSH_SECONDS", "Recorder"]

FLUSH_LINES = 500
FLUSH_SECONDS = 1.0
RECENT_RUNS = 20_000
"""Run ids recorded lately, kept so that the events stream's word of them costs no query."""


class Recorder:
    """Records a job's finished runs (one thread: the collecting one)."""

    def __init__(
        self,
        store: JobStore,
        options: JobOptions,
        layout: ResultsLayout,
        group_id: str,
        reporter: JobReporter,
    ) -> None:
        self._store = store
        self._options = options
        self.layout = layout
        self.fmt = results_format(options.out)
        self._group_id = group_id
        self._reporter = reporter
        self._appender: Optional[ResultsAppender] = None
        self._results: list[FinishedRun] = []
        self._lines: list[dict[str, Any]] = []
        # (key, attempt) of the results held but not yet in the journal: the journal cannot
        # tell that they are recorded, so a run seen again before the flush (the events stream
        # and a catch-up snapshot both hold it) is recognised here.
        self._held: set[tuple[str, int]] = set()
        # A bulk catch-up records runs well before the events stream tells of them: each is
        # known here until it does (oldest forgotten first), instead of asked of the journal.
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._last_flush = time.monotonic()
        self.rewrite = store.meta("rewrite") == "1"
        """Whether the results file must be rewritten from the journal at the end."""
        self.reorder = store.meta("reorder") == "1"
        """Whether the results file's lines, each right, must be put in input order at the
        end."""
        # The input position of the last line appended: a line for an earlier row makes the
        # file's order differ from the input's, and the end rewrites it in input order.
        self._appended_pos = int(store.meta("appended_pos") or -1)

    # -- which runs to keep --------------------------------------------------------------------

    def wanted(self, events: Sequence[TaskRunEvent]) -> list[bool]:
        """Whether each finished run's result is still to be kept, the journal asked about
        them all at once (an extra run of a row is recorded as such, not kept)."""
        verdicts = [False] * len(events)
        ask: list[tuple[int, str, str, int]] = []  # (index, identity, key, attempt)
        recent, held = self._recent, self._held
        for i, event in enumerate(events):
            run_id = event.run.run_id
            if run_id in recent:
                del recent[run_id]
                continue
            ident = run_identity(event.run)
            if ident is None:
                continue
            key, attempt = split_identity(ident)
            if (key, attempt) not in held:
                ask.append((i, ident, key, attempt))
        if not ask:
            return verdicts
        extra: list[tuple[str, str, str]] = []
        answers = self._store.classify_runs(
            [(key, attempt, events[i].run.run_id) for i, _, key, attempt in ask]
        )
        for (i, ident, _, _), verdict in zip(ask, answers):
            verdicts[i] = verdict == "wanted"
            if verdict == "extra":
                run = events[i].run
                own = run.processor
                extra.append(
                    (ident, run.run_id, own if isinstance(own, str) else self._options.processor)
                )
        if extra:
            self._store.record_extra_runs(extra)
        return verdicts

    def holds(self, key: str, attempt: int) -> bool:
        """Whether (key, attempt)'s result is held, not flushed yet."""
        return (key, attempt) in self._held

    # -- keeping results -----------------------------------------------------------------------

    def record(self, result: RunResult, row: Optional[StoredRow] = None) -> None:
        """Hold one finished run's result (written at the next flush). ``row``: its row as
        stored, when the caller has read it already."""
        self.record_run(result.run, output_json(result), row=row)

    def record_run(
        self,
        run: TaskRun,
        output: Optional[dict[str, Any]],
        row: Optional[StoredRow] = None,
        event_text: Optional[str] = None,
    ) -> None:
        """:meth:`record` for a run whose output is JSON data, as the API sent it (or None).
        ``event_text``: the JSON text of the stream event that carried ``output``."""
        ident = run_identity(run)
        if ident is None:
            return
        key, attempt = split_identity(ident)
        if (key, attempt) in self._held:
            return
        if row is None or row.key != key:
            row = self._store.row(key)
        if row is None or (attempt == row.attempt and row.status is not None):
            return  # not this job's row, or its result is recorded already
        history = None
        if attempt > 1:
            history = [a for a in self._store.attempts_of(key) if a["attempt"] < attempt]
        record = run_record(
            run, output, value=json.loads(row.input), attempts=history, group_id=self._group_id
        )
        error = compact(record["error"]) if record.get("error") else None
        if attempt > 1:
            self.mark_rewrite()  # the row's line (its earlier attempt's) is in the file already
        seconds, finished_at = run_timing(run)
        self._results.append(
            (
                key,
                attempt,
                record["status"],
                error,
                record_text(record, event_text=event_text if output is not None else None),
                seconds,
                finished_at,
            )
        )
        self._held.add((key, attempt))
        recent = self._recent
        recent[run.run_id] = None
        if len(recent) > RECENT_RUNS:
            recent.popitem(last=False)
        if attempt == row.attempt:
            if row.pos < self._appended_pos:
                self.mark_reorder()  # appended out of input order: put in order at the end
            self._appended_pos = max(self._appended_pos, row.pos)
            self._lines.append(
                record
                if self._options.include_basis
                else {k: v for k, v in record.items() if k != "basis"}
            )

    def flush(self, *, force: bool = False) -> bool:
        """Write what is held, the journal first, then the file, once FLUSH_LINES results are
        held or FLUSH_SECONDS have passed (or ``force``); whether it wrote."""
        now = time.monotonic()
        if (
            not force
            and len(self._results) < FLUSH_LINES
            and now - self._last_flush < FLUSH_SECONDS
        ):
            return False
        self._last_flush = now
        if self._lines and self._appender is None:
            # Results recorded before the file is open (a catch-up) have no line yet: the file
            # is rewritten at the end, and a session dying before then must leave that known.
            self.mark_rewrite()
        appender = self._appender if self._lines else None
        try:
            # The lines are made first, so that the journal knows where each will lie.
            lines_at = _queue(appender, self._lines) if appender is not None else None
            if self._results:
                self._store.save_results(self._results, lines_at=lines_at)
        except BaseException:
            if appender is not None:
                appender.discard()
            raise
        self._results.clear()
        self._held.clear()
        if appender is not None:
            size = appender.flush()
            self._store.set_meta(
                results_size=str(size), appending="0", appended_pos=str(self._appended_pos)
            )
        self._lines.clear()
        self._reporter.emit()
        return True

    # -- the results file ----------------------------------------------------------------------

    def mark_reorder(self) -> None:
        """The results file's lines will be put in input order at the end (remembered in the
        journal)."""
        if not self.reorder:
            self._store.set_meta(reorder="1")
        self.reorder = True

    def mark_rewrite(self) -> None:
        """The results file will be rewritten at the end (remembered in the journal)."""
        if not self.rewrite:
            self._store.set_meta(rewrite="1")
        self.rewrite = True

    def open_file(self) -> None:
        """Open the results file for appending (or leave it to the rewrite at the end)."""
        store, out = self._store, self._options.out
        if not appendable(self.fmt):
            self.rewrite = True  # Parquet, gzip: written whole at the end (and every exit)
            return
        recorded = store.meta("results_size")
        exists = os.path.exists(out)
        size = os.path.getsize(out) if exists else 0
        if recorded is not None and int(recorded) != size:
            self.mark_rewrite()  # the file changed behind the journal's back
        if store.meta("appending") == "1":
            self.mark_rewrite()  # a session died between the journal and the file
        if (exists and size > 0 and recorded is None) or (store.counts().finished and not exists):
            self.mark_rewrite()  # lines the journal cannot vouch for (a rebuilt journal)
        appender = ResultsAppender(out, fmt=self.fmt, layout=self.layout)
        try:
            size = appender.open()
        except ParallelError as exc:
            self._reporter.message(f"{exc.message}; the file will be rewritten at the end")
            self.mark_rewrite()
            return
        if appender.repaired_bytes:
            self._reporter.message(f"repaired a partly written last line in {out}")
            self.mark_rewrite()
        if store.meta("placeholders") == "1" or self._options.escalating:
            self.mark_rewrite()  # lines of rows without a result (or retried) will be replaced
        store.set_meta(results_size=str(size))
        self._appender = appender

    def close_file(self) -> None:
        """Close the appended file (flush first)."""
        if self._appender is not None:
            self._appender.close()
            self._appender = None


def _queue(appender: ResultsAppender, records: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Queue the lines of ``records``; where each will lie in the file, by key."""
    lines_at = {}
    for record in records:
        at = appender.end
        lines_at[record["key"]] = (at, appender.append(record))
    return lines_at
