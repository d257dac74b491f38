"""`taskgroup run`: submit a file of rows to a group and write one result line per row.

Submission (`TaskGroup.add_runs` with a journal, in a background thread) overlaps with reading
results (`TaskGroup.results`, main thread), so lines appear while a big file is still being
sent. Every step is resumable: the state file names the group, the journal and the stream
cursor; the results file itself says which rows are done.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from typing import IO, Any, Callable, Optional

from parallel_taskgroup_api.models import TaskRunEvent

from .client import Client
from .group import TaskGroup
from .inputs import RowValue, detect_format, read_rows, scan, spool_stdin
from .journal import open_journal
from .metadata import ROW_KEY_FIELD, derive_key, key_function
from .outputs import ResultsWriter, check_writable, output_format
from .progress import Progress
from .records import (
    TERMINAL_STATUSES,
    result_record,
    row_key_of,
    status_counts,
    status_of,
)
from .results import result_from_event
from .specs import required_input_fields
from .state import RunState, default_journal_path, default_state_path, load_state, save_state
from .submission import SubmitReport

_FLUSH_LINES = 500
_FLUSH_SECONDS = 1.0
_STATUS_POLL_SECONDS = 2.0


class UsageError(Exception):
    """The command cannot proceed as asked (exit code 2); the message says what to change."""


class IncompleteError(Exception):
    """The group finished but some input rows have no result (exit code 3)."""


class RunOptions:
    """Everything `taskgroup run` was asked to do."""

    def __init__(
        self,
        *,
        input_path: str,
        out: str,
        input_format: Optional[str] = None,
        processor: str = "base",
        task_spec: Optional[dict[str, Any]] = None,
        key_field: Optional[str] = None,
        group_id: Optional[str] = None,
        state_path: Optional[str] = None,
        metadata: Optional[dict[str, Any]] = None,
        include_basis: bool = False,
        quiet: bool = False,
        rate_per_minute: int = 2000,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        resume_hint: str = "run the same command again",
    ) -> None:
        self.input_path = input_path
        self.out = out
        self.input_format = input_format
        self.processor = processor
        self.task_spec = task_spec
        self.key_field = key_field
        self.group_id = group_id
        self.state_path = state_path or default_state_path(out)
        self.metadata = metadata
        self.include_basis = include_basis
        self.quiet = quiet
        self.rate_per_minute = rate_per_minute
        self.base_url = base_url
        self.api_version = api_version
        self.resume_hint = resume_hint


class _Stopped(Exception):
    """Raised inside the row iterator to make `add_runs` stop early."""


class _Submitter(threading.Thread):
    """Runs `group.add_runs` over the input file in the background."""

    def __init__(
        self,
        group: TaskGroup,
        rows: Callable[[], Iterator[RowValue]],
        key_field: Optional[str],
        journal: Any,
        rate_per_minute: int,
        progress: Progress,
        skipped: int,
    ) -> None:
        super().__init__(name="taskgroup-submit", daemon=True)
        self.group = group
        self.rows = rows
        self.key_field = key_field
        self.journal = journal
        self.rate_per_minute = rate_per_minute
        self.progress = progress
        self.skipped = skipped
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self.error: Optional[BaseException] = None
        self.report: Optional[SubmitReport] = None

    def _guarded_rows(self) -> Iterator[RowValue]:
        for value in self.rows():
            if self.stop_requested.is_set():
                raise _Stopped()
            yield value

    def _on_progress(self, report: SubmitReport) -> None:
        self.progress.set_submitted(self.skipped + report.sent + report.skipped + report.failed)

    def run(self) -> None:
        try:
            self.report = self.group.add_runs(
                self._guarded_rows(),
                key=self.key_field,
                journal=self.journal,
                rate_per_minute=self.rate_per_minute,
                on_progress=self._on_progress,
            )
            self._on_progress(self.report)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the main thread
            self.error = exc
        finally:
            self.finished.set()


class _StatusPoller(threading.Thread):
    """Feeds the progress display with the group's run counts."""

    def __init__(self, group: TaskGroup, progress: Progress) -> None:
        super().__init__(name="taskgroup-status", daemon=True)
        self.group = group
        self.progress = progress
        self.stop_requested = threading.Event()

    def run(self) -> None:
        while True:
            try:
                info = self.group.client.get_group(self.group.id)
                self.progress.set_status(status_counts(info.status))
            except Exception:  # display only; the main loop reports real failures
                pass
            if self.stop_requested.wait(_STATUS_POLL_SECONDS):
                return


class BatchRun:
    """One execution of `taskgroup run`; `execute()` returns the exit code."""

    def __init__(self, options: RunOptions, stderr: IO[str]) -> None:
        self.opts = options
        self.progress = Progress(stderr, quiet=options.quiet)
        self.state: Optional[RunState] = None
        self.cursor: Optional[str] = None

    # Checks that need no network ------------------------------------------------------------

    def _prepare_local(self) -> tuple[str, Optional[RunState]]:
        opts = self.opts
        in_fmt = detect_format(opts.input_path, opts.input_format)
        check_writable(opts.out)
        check_writable(opts.state_path)
        state = load_state(opts.state_path)
        if state is not None:
            if state.key_field != opts.key_field:
                was = f"--key {state.key_field}" if state.key_field else "no --key"
                raise UsageError(
                    f"{opts.state_path}: this run was started with {was}; use the same, or "
                    "choose another --out (or --state) to start a new run"
                )
            if opts.group_id and opts.group_id != state.group_id:
                raise UsageError(
                    f"{opts.state_path}: this run belongs to group {state.group_id}, not "
                    f"{opts.group_id}; drop --group to resume it, or choose another --out"
                )
        elif os.path.exists(opts.out) and os.path.getsize(opts.out) > 0:
            raise UsageError(
                f"{opts.out} already has results but there is no state file "
                f"{opts.state_path}; restore it to resume, or choose another --out"
            )
        return in_fmt, state

    # The whole command --------------------------------------------------------------------

    def execute(self) -> int:
        opts = self.opts
        in_fmt, state = self._prepare_local()
        input_path = opts.input_path
        spooled: Optional[str] = None
        if input_path == "-":
            spooled = spool_stdin(os.path.dirname(os.path.abspath(opts.out)))
            input_path = spooled
        try:
            return self._execute(input_path, in_fmt, state)
        finally:
            if spooled is not None:
                os.unlink(spooled)

    def _execute(self, input_path: str, in_fmt: str, state: Optional[RunState]) -> int:
        opts = self.opts
        display = "<stdin>" if opts.input_path == "-" else opts.input_path
        key_of = key_function(opts.key_field) or derive_key
        summary = scan(
            input_path,
            in_fmt,
            key_of,
            opts.key_field,
            required_input_fields(opts.task_spec),
            name=display,
        )
        with Client(base_url=opts.base_url, api_version=opts.api_version) as client:
            group = self._open_group(client, state)
            state = self.state
            assert state is not None
            journal = open_journal(state.journal)
            try:
                with ResultsWriter(
                    opts.out, output_format(opts.out, None), opts.include_basis
                ) as w:
                    return self._run(group, journal, w, summary.keys, input_path, in_fmt, key_of)
            finally:
                journal.close()

    def _open_group(self, client: Client, state: Optional[RunState]) -> TaskGroup:
        opts = self.opts
        kwargs: dict[str, Any] = {"task_spec": opts.task_spec, "processor": opts.processor}
        if state is not None:
            group = client.group(state.group_id, **kwargs)
            group.status()  # fails early on a wrong key, unknown group or unreachable server
            self.state = state
            self.cursor = state.cursor
            return group
        if opts.group_id:
            group = client.group(opts.group_id, **kwargs)
            group.status()
        else:
            group = client.create_group(metadata=opts.metadata, **kwargs)
        self.state = RunState(
            group_id=group.id,
            journal=os.path.abspath(default_journal_path(opts.out)),
            input_path=opts.input_path,
            key_field=opts.key_field,
            base_url=client.base_url,
            api_version=client.api_version,
        )
        save_state(opts.state_path, self.state)
        return group

    def _run(
        self,
        group: TaskGroup,
        journal: Any,
        writer: ResultsWriter,
        input_keys: set[str],
        input_path: str,
        in_fmt: str,
        key_of: Callable[[RowValue], str],
    ) -> int:
        opts = self.opts
        progress = self.progress
        total = len(input_keys)
        remaining = input_keys  # consumed in place: no second copy of 100k keys
        remaining.difference_update(writer.keys)
        progress.set_total(total)
        progress.set_written(total - len(remaining))
        if writer.repaired_bytes:
            progress.message(f"repaired a partly written last line in {opts.out}")
        if total - len(remaining):
            progress.message(
                f"resuming group {group.id}: {total - len(remaining)} of {total} rows "
                f"already in {opts.out}"
            )
        else:
            progress.message(f"group {group.id}: {total} rows from {opts.input_path}")
        done_at_start = total - len(remaining)
        progress.set_submitted(done_at_start)

        def pending_rows() -> Iterator[RowValue]:
            # A key no longer in `remaining` has a result line, so its run exists already.
            for row in read_rows(input_path, in_fmt):
                if key_of(row.value) in remaining:
                    yield row.value

        submitter = _Submitter(
            group,
            pending_rows,
            opts.key_field,
            journal,
            opts.rate_per_minute,
            progress,
            skipped=done_at_start,
        )
        poller = _StatusPoller(group, progress)
        if remaining:
            submitter.start()
            poller.start()
        else:
            submitter.finished.set()
        progress.start()
        try:
            self._follow(group, writer, remaining, submitter)
        except KeyboardInterrupt:
            submitter.stop_requested.set()
            self._checkpoint(writer)
            progress.stop()
            submitter.join(timeout=10)
            done = total - len(remaining)
            progress.message(
                f"interrupted: {done} of {total} rows are in {opts.out}; to resume, "
                f"{opts.resume_hint}"
            )
            if opts.quiet:
                print(f"interrupted; to resume, {opts.resume_hint}", file=progress.stream)
            return 130
        finally:
            poller.stop_requested.set()
        if submitter.finished.is_set() and submitter.error is None:
            self._mark_submitted()
        with contextlib.suppress(Exception):  # the final line shows the final counts
            progress.set_status(status_counts(group.status().status))
        progress.stop()
        failed = sum(n for s, n in writer.status_counts.items() if s != "completed")
        completed = writer.status_counts.get("completed", 0)
        progress.message(
            f"done: {completed} completed, {failed} failed; results in {opts.out} "
            f"(group {group.id})"
        )
        return 1 if failed else 0

    def _checkpoint(self, writer: ResultsWriter) -> None:
        writer.flush()
        assert self.state is not None
        if self.cursor != self.state.cursor:
            self.state.cursor = self.cursor
            save_state(self.opts.state_path, self.state)

    def _follow(
        self,
        group: TaskGroup,
        writer: ResultsWriter,
        remaining: set[str],
        submitter: _Submitter,
    ) -> None:
        total = len(remaining) + self.progress.counts.written
        last_flush = time.monotonic()
        while remaining:
            for result in group.results(include_input=True, last_event_id=self.cursor):
                key = result.key if result.key is not None else result.run.run_id
                if key in remaining:
                    writer.write(result_record(result, self.opts.include_basis))
                    remaining.discard(key)
                    self.progress.set_written(total - len(remaining))
                if result.event_id:
                    self.cursor = result.event_id
                now = time.monotonic()
                if writer.pending >= _FLUSH_LINES or now - last_flush >= _FLUSH_SECONDS:
                    self._checkpoint(writer)
                    last_flush = now
                if not remaining:
                    break
            self._checkpoint(writer)
            if not remaining:
                break
            if submitter.error is not None:
                raise submitter.error
            if submitter.finished.is_set():
                self._mark_submitted()
                if not group.status().status.is_active:
                    self._reconcile(group, writer, remaining)
                    break
            time.sleep(0.5)

    def _mark_submitted(self) -> None:
        assert self.state is not None
        if not self.state.submitted_all:
            self.state.submitted_all = True
            save_state(self.opts.state_path, self.state)

    def _reconcile(self, group: TaskGroup, writer: ResultsWriter, remaining: set[str]) -> None:
        """After the group went idle: take any finished run still missing from a snapshot."""
        for event in group.runs(include_input=True, include_output=True):
            if not isinstance(event, TaskRunEvent):
                continue
            key = row_key_of(event.run, ROW_KEY_FIELD)
            if key is None or key not in remaining or status_of(event.run) not in TERMINAL_STATUSES:
                continue
            # Same completion as results(): fetch what the snapshot event lacks.
            result = result_from_event(group, event, include_input=True)
            writer.write(result_record(result, self.opts.include_basis))
            remaining.discard(key)
        self._checkpoint(writer)
        if remaining:
            raise IncompleteError(
                f"group {group.id} is idle but {len(remaining)} input rows have no finished "
                f"run; {self.opts.resume_hint} to submit them again"
            )
