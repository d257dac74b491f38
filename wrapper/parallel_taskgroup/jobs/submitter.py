"""A job's submission, in a thread of its own beside the collection of results: every row not
yet in the group, then a new attempt of every row marked for one (edited, stale or weak: see
:mod:`.revisit`) and, with ``retry="failed"``, of every failed row; exactly once,
within the job's budget. It stops at the budget, a credit shortfall, an error, or when the
job's clock is interrupted (after the POST in flight, whose outcome it records)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, Optional

from .._clock import Interrupted
from .._http import HttpCore
from .._words import plural
from ..submission.report import SubmitReport
from ..submission.submit import SubmitOptions, submit_rows
from .options import JobOptions
from .reporter import JobReporter
from .store import JobStore

__all__ = ["Submitter"]


class Submitter:
    """Runs the job's submission in a daemon thread; ``error`` holds what stopped it."""

    def __init__(
        self,
        core: HttpCore,
        group_id: str,
        store: JobStore,
        options: JobOptions,
        reporter: JobReporter,
    ) -> None:
        self._core = core
        self._group_id = group_id
        self._store = store
        self._options = options
        self._reporter = reporter
        self.error: Optional[BaseException] = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="taskgroup-submit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the thread to end; whether it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            levels = [1, *self._store.retry_levels()]
            for attempt in levels:
                self._level(attempt)
        except BaseException as exc:  # handed to the collecting thread
            self.error = exc
        finally:
            self.done.set()
            with contextlib.suppress(Exception):
                self._reporter.emit(force=True)

    def _level(self, attempt: int) -> None:
        options, store = self._options, self._store
        processor = options.processor
        price = options.prices.per_run(processor)
        clock = self._core.clock

        def rows() -> Iterator[Any]:
            for row in store.to_submit(attempt):
                if clock.interrupted:
                    raise Interrupted()
                yield row.key, row.input

        def budget(n: int) -> Optional[str]:
            if options.max_cost is None:
                return None
            spent = self._reporter.spent()
            if spent + n * price <= options.max_cost + 1e-9:
                return None
            unsent = sum(store.level_sizes())
            return (
                f"the next batch ({plural(n, 'run')}, ${n * price:.2f}) would take the job's "
                f"spend from ${spent:.2f} over its ${options.max_cost:.2f} budget; "
                f"{plural(unsent, 'row')} {'is' if unsent == 1 else 'are'} not sent; to "
                "continue, run the same command with a higher --max-cost"
            )

        def progress(report: SubmitReport) -> None:
            self._note_duplicates(report, processor)
            self._reporter.emit()

        submit_options = SubmitOptions(
            key=options.key_field,
            journal=store.journal(processor),
            rate_per_minute=options.rate_per_minute,
            requests_per_minute=options.requests_per_minute,
            on_progress=progress,
            attempt=attempt,
            keep_run_ids=False,
            budget=budget,
            checked_rows=True,
        )
        try:
            submit_rows(
                self._core,
                self._group_id,
                rows(),
                processor=processor,
                task_spec=options.task_spec,
                run_metadata=None,
                beta_header=None,
                options=submit_options,
            )
        except Exception as exc:
            report = getattr(exc, "report", None)
            if isinstance(report, SubmitReport):
                self._note_duplicates(report, processor)
            raise

    def _note_duplicates(self, report: SubmitReport, processor: str) -> None:
        """Keep the extra runs the submission found in the group (they were billed)."""
        if report.duplicate_runs:
            self._store.record_extra_runs(
                (ident, run_id, processor)
                for ident, run_ids in report.duplicate_runs.items()
                for run_id in run_ids
            )
