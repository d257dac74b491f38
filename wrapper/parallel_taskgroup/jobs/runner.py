"""A batch job: submit a file of rows to a group and write one result line per row.

Submission (``TaskGroup.add_runs`` with a journal, in a background thread) overlaps with reading
results (``TaskGroup.results``, the calling thread), so lines appear while a big file is still
being sent. Every step is resumable: the state file names the group, the journal and the stream
cursor; the results file itself says which rows are done.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, Callable, Literal, Optional, Protocol, Union

import attrs

from .._status import status_counts
from ..client import Client
from ..errors import JobIncompleteError, StateFileError
from ..group import TaskGroup
from ..submission.keys import derive_key, key_function
from ..submission.report import SubmitReport
from .inputs import RowValue, detect_format, read_rows, scan, spool_stdin
from .outputs import ResultsWriter, check_writable, output_format
from .records import result_record
from .specs import required_input_fields
from .state import RunState, default_journal_path, default_state_path, load_state, save_state

__all__ = ["JobListener", "JobReport", "run_job"]

InputFormat = Literal["jsonl", "json", "csv"]
MetadataValue = Union[str, int, float, bool]

FLUSH_LINES = 500
FLUSH_SECONDS = 1.0
STATUS_POLL_SECONDS = 2.0


class JobListener(Protocol):
    """What a running job reports (the command line draws its progress line from it)."""

    def set_total(self, total: int) -> None:
        """The number of input rows."""

    def set_submitted(self, submitted: int) -> None:
        """Rows whose runs exist in the group."""

    def set_written(self, written: int) -> None:
        """Rows with a line in the results file."""

    def set_status(self, counts: dict[str, int]) -> None:
        """The group's run counts by status."""

    def message(self, text: str) -> None:
        """A line worth showing (resuming, repaired file, done)."""


class _Silent:
    def set_total(self, total: int) -> None:
        pass

    def set_submitted(self, submitted: int) -> None:
        pass

    def set_written(self, written: int) -> None:
        pass

    def set_status(self, counts: dict[str, int]) -> None:
        pass

    def message(self, text: str) -> None:
        pass


@attrs.frozen
class JobReport:
    """How a job ended: its group, and the result lines by outcome."""

    group_id: str
    out: str
    rows: int
    completed: int
    failed: int

    @property
    def all_completed(self) -> bool:
        """Whether every row's run completed."""
        return self.failed == 0 and self.completed == self.rows


@attrs.frozen
class _Job:
    input_path: str
    out: str
    input_format: Optional[str]
    processor: str
    task_spec: Optional[dict[str, Any]]
    key_field: Optional[str]
    group_id: Optional[str]
    state_path: str
    metadata: Optional[dict[str, MetadataValue]]
    include_basis: bool
    rate_per_minute: Optional[int]
    requests_per_minute: Optional[int]


class _Stopped(Exception):
    """Raised inside the row iterator to make ``add_runs`` stop early."""


class _Submitter(threading.Thread):
    """Runs ``group.add_runs`` over the input file in the background."""

    def __init__(
        self,
        group: TaskGroup,
        rows: Callable[[], Iterator[RowValue]],
        job: _Job,
        journal: str,
        listener: JobListener,
        skipped: int,
    ) -> None:
        super().__init__(name="taskgroup-submit", daemon=True)
        self.group = group
        self.rows = rows
        self.job = job
        self.journal = journal
        self.listener = listener
        self.skipped = skipped
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self.error: Optional[BaseException] = None

    def _guarded_rows(self) -> Iterator[RowValue]:
        for value in self.rows():
            if self.stop_requested.is_set():
                raise _Stopped()
            yield value

    def _on_progress(self, report: SubmitReport) -> None:
        self.listener.set_submitted(self.skipped + report.sent + report.skipped + report.failed)

    def run(self) -> None:
        try:
            report = self.group.add_runs(
                self._guarded_rows(),
                key=self.job.key_field,
                journal=self.journal,
                rate_per_minute=self.job.rate_per_minute,
                requests_per_minute=self.job.requests_per_minute,
                on_progress=self._on_progress,
            )
            self._on_progress(report)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the calling thread
            self.error = exc
        finally:
            self.finished.set()


class _StatusPoller(threading.Thread):
    """Feeds the listener with the group's run counts."""

    def __init__(self, group: TaskGroup, listener: JobListener) -> None:
        super().__init__(name="taskgroup-status", daemon=True)
        self.group = group
        self.listener = listener
        self.stop_requested = threading.Event()

    def run(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # display only; the job reports failures
                self.listener.set_status(status_counts(self.group.refresh().status))
            if self.stop_requested.wait(STATUS_POLL_SECONDS):
                return


def run_job(
    client: Client,
    input_path: str,
    *,
    out: str,
    processor: str = "base",
    task_spec: Optional[Mapping[str, Any]] = None,
    key: Optional[str] = None,
    input_format: Optional[InputFormat] = None,
    group_id: Optional[str] = None,
    state_path: Optional[str] = None,
    metadata: Optional[Mapping[str, MetadataValue]] = None,
    include_basis: bool = False,
    rate_per_minute: Optional[int] = None,
    requests_per_minute: Optional[int] = None,
    listener: Optional[JobListener] = None,
) -> JobReport:
    """Run a task over every row of ``input_path`` (JSONL, a JSON array or CSV; ``-`` reads
    standard input) as one group, and write one line per row to ``out`` as runs finish.

    ``key`` names the field holding each row's unique key (default: a hash of the row).
    ``group_id`` adds the rows to an existing group instead of creating one (with the group's
    own ``metadata``). The job keeps its state in ``state_path`` (default ``OUT.state.json``)
    and a submission journal beside ``out``: after any interruption, the same call resumes,
    never creating a run twice or writing a line twice. Returns how the rows ended; raises
    :class:`~parallel_taskgroup.JobError`, ``InputError`` and API errors.
    """
    job = _Job(
        input_path=input_path,
        out=out,
        input_format=input_format,
        processor=processor,
        task_spec=dict(task_spec) if task_spec is not None else None,
        key_field=key,
        group_id=group_id,
        state_path=state_path or default_state_path(out),
        metadata=dict(metadata) if metadata is not None else None,
        include_basis=include_basis,
        rate_per_minute=rate_per_minute,
        requests_per_minute=requests_per_minute,
    )
    return _Runner(client, job, listener or _Silent()).run()


class _Runner:
    """One execution of a job."""

    def __init__(self, client: Client, job: _Job, listener: JobListener) -> None:
        self.client = client
        self.job = job
        self.listener = listener
        self.state: Optional[RunState] = None
        self.cursor: Optional[str] = None
        self.written_total = 0

    def _check_local(self) -> tuple[str, Optional[RunState]]:
        job = self.job
        in_fmt = detect_format(job.input_path, job.input_format)
        check_writable(job.out)
        check_writable(job.state_path)
        state = load_state(job.state_path)
        if state is not None:
            if state.key_field != job.key_field:
                was = f"--key {state.key_field}" if state.key_field else "no --key"
                raise StateFileError(
                    f"{job.state_path}: this run was started with {was}; use the same, or "
                    "choose another --out (or --state) to start a new run"
                )
            if job.group_id and job.group_id != state.group_id:
                raise StateFileError(
                    f"{job.state_path}: this run belongs to group {state.group_id}, not "
                    f"{job.group_id}; drop --group to resume it, or choose another --out"
                )
        elif os.path.exists(job.out) and os.path.getsize(job.out) > 0:
            raise StateFileError(
                f"{job.out} already has results but there is no state file "
                f"{job.state_path}; restore it to resume, or choose another --out"
            )
        return in_fmt, state

    def run(self) -> JobReport:
        in_fmt, state = self._check_local()
        input_path = self.job.input_path
        spooled: Optional[str] = None
        if input_path == "-":
            spooled = spool_stdin(os.path.dirname(os.path.abspath(self.job.out)))
            input_path = spooled
        try:
            return self._run(input_path, in_fmt, state)
        finally:
            if spooled is not None:
                os.unlink(spooled)

    def _run(self, input_path: str, in_fmt: str, state: Optional[RunState]) -> JobReport:
        job = self.job
        display = "<stdin>" if job.input_path == "-" else job.input_path
        key_of = key_function(job.key_field) or derive_key
        summary = scan(
            input_path,
            in_fmt,
            key_of,
            job.key_field,
            required_input_fields(job.task_spec),
            name=display,
        )
        group = self._open_group(state)
        assert self.state is not None
        with ResultsWriter(job.out, output_format(job.out, None), job.include_basis) as writer:
            return self._follow_job(group, writer, summary.keys, input_path, in_fmt, key_of)

    def _open_group(self, state: Optional[RunState]) -> TaskGroup:
        job, client = self.job, self.client
        if state is not None:
            group = client.group(state.group_id, task_spec=job.task_spec, processor=job.processor)
            group.refresh()  # fails early on a wrong key, unknown group or unreachable server
            self.state = state
            self.cursor = state.cursor
            return group
        if job.group_id:
            group = client.group(job.group_id, task_spec=job.task_spec, processor=job.processor)
            group.refresh()
        else:
            group = client.create_group(
                metadata=job.metadata, task_spec=job.task_spec, processor=job.processor
            )
        self.state = RunState(
            group_id=group.id,
            journal=os.path.abspath(default_journal_path(job.out)),
            input_path=job.input_path,
            key_field=job.key_field,
            base_url=client.base_url,
            api_version=client.api_version,
        )
        save_state(job.state_path, self.state)
        return group

    def _follow_job(
        self,
        group: TaskGroup,
        writer: ResultsWriter,
        input_keys: set[str],
        input_path: str,
        in_fmt: str,
        key_of: Callable[[RowValue], str],
    ) -> JobReport:
        job, listener = self.job, self.listener
        assert self.state is not None
        total = len(input_keys)
        remaining = input_keys  # consumed in place: no second copy of 100k keys
        remaining.difference_update(writer.keys)
        done_at_start = total - len(remaining)
        listener.set_total(total)
        listener.set_written(done_at_start)
        if writer.repaired_bytes:
            listener.message(f"repaired a partly written last line in {job.out}")
        if done_at_start:
            listener.message(
                f"resuming group {group.id}: {done_at_start} of {total} rows already in {job.out}"
            )
        else:
            listener.message(f"group {group.id}: {total} rows from {job.input_path}")
        listener.set_submitted(done_at_start)

        def pending_rows() -> Iterator[RowValue]:
            # A key no longer in `remaining` has a result line, so its run exists already.
            for row in read_rows(input_path, in_fmt):
                if key_of(row.value) in remaining:
                    yield row.value

        submitter = _Submitter(
            group, pending_rows, job, self.state.journal, listener, skipped=done_at_start
        )
        poller = _StatusPoller(group, listener)
        if remaining:
            submitter.start()
            poller.start()
        else:
            submitter.finished.set()
        try:
            self._write_results(group, writer, remaining, total, submitter)
        except KeyboardInterrupt:
            submitter.stop_requested.set()
            self._checkpoint(writer)
            submitter.join(timeout=10)
            listener.message(
                f"interrupted: {total - len(remaining)} of {total} rows are in {job.out}"
            )
            raise
        finally:
            poller.stop_requested.set()
        if submitter.finished.is_set() and submitter.error is None:
            self._mark_submitted()
        with contextlib.suppress(Exception):  # the last counts are for display only
            listener.set_status(status_counts(group.refresh().status))
        counts = writer.status_counts
        completed = counts.get("completed", 0)
        failed = sum(n for s, n in counts.items() if s != "completed")
        return JobReport(
            group_id=group.id, out=job.out, rows=total, completed=completed, failed=failed
        )

    def _checkpoint(self, writer: ResultsWriter) -> None:
        writer.flush()
        assert self.state is not None
        if self.cursor != self.state.cursor:
            self.state.cursor = self.cursor
            save_state(self.job.state_path, self.state)

    def _write_results(
        self,
        group: TaskGroup,
        writer: ResultsWriter,
        remaining: set[str],
        total: int,
        submitter: _Submitter,
    ) -> None:
        clock = time.monotonic
        last_flush = clock()
        while remaining:
            for result in group.results(include_input=True, last_event_id=self.cursor):
                key = result.key if result.key is not None else result.run_id
                if key in remaining:
                    writer.write(result_record(result, include_basis=self.job.include_basis))
                    remaining.discard(key)
                    self.listener.set_written(total - len(remaining))
                if result.event_id:
                    self.cursor = result.event_id
                now = clock()
                if writer.pending >= FLUSH_LINES or now - last_flush >= FLUSH_SECONDS:
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
                if not group.refresh().status.is_active:
                    self._collect_finished(group, writer, remaining)
                    break
            submitter.finished.wait(0.5)

    def _mark_submitted(self) -> None:
        assert self.state is not None
        if not self.state.submitted_all:
            self.state.submitted_all = True
            save_state(self.job.state_path, self.state)

    def _collect_finished(
        self, group: TaskGroup, writer: ResultsWriter, remaining: set[str]
    ) -> None:
        """After the group went idle: take any finished run still missing from a snapshot."""
        for result in group.results(follow=False, include_input=True):
            key = result.key
            if key is None or key not in remaining:
                continue
            writer.write(result_record(result, include_basis=self.job.include_basis))
            remaining.discard(key)
        self._checkpoint(writer)
        if remaining:
            raise JobIncompleteError(
                f"group {group.id} is idle but {len(remaining)} input rows have no finished "
                "run; run the same job again to submit them"
            )
