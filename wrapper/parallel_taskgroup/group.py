"""TaskGroup: a handle on one group, with the defaults applied to every add-runs call.

Every method delegates to the layer that does the work (``submission``, ``streaming``,
``results``, ``wait``), handing it the HTTP core, the group's id and its defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable, Literal, Optional, Union

from parallel_taskgroup_api.models import (
    StreamTaskGroupRunsStatusType0,
    TaskGroupResponse,
    TaskGroupStatus,
    TaskRun,
    TaskSpec,
)

from . import _checks, errors
from ._endpoints import events_path, get_group, get_group_run, runs_stream_params, runs_stream_path
from ._http import HttpCore
from ._status import group_active
from .results import DEFAULT_FETCH_CONCURRENCY, ResultSnapshot, ResultStream
from .streaming.cursors import CursorStore
from .streaming.stream import EventStream
from .submission.journal import MemoryJournal
from .submission.keys import KeySpec
from .submission.pacing import RateLimiter
from .submission.report import SubmitReport
from .submission.submit import JournalArg, SubmitOptions, submit_rows
from .wait import ProgressCallback, wait_for_group

__all__ = ["RunStatus", "TaskGroup"]

RunStatus = Literal[
    "queued", "action_required", "running", "completed", "failed", "cancelling", "cancelled"
]
TaskSpecArg = Union[TaskSpec, Mapping[str, Any], None]


def _betas(betas: Union[str, Sequence[str], None]) -> tuple[str, ...]:
    if betas is None:
        return ()
    if isinstance(betas, str):
        return tuple(b.strip() for b in betas.split(",") if b.strip())
    return tuple(betas)


class TaskGroup:
    """A task group on the server. Get one from ``Client.create_group`` or ``Client.group``.

    ``task_spec``, ``processor``, ``run_metadata`` and ``betas`` are client-side defaults that
    ``add_runs`` sends with every batch (the API itself takes them per run).
    """

    def __init__(
        self,
        core: HttpCore,
        taskgroup_id: str,
        *,
        task_spec: TaskSpecArg = None,
        processor: Optional[str] = None,
        run_metadata: Optional[Mapping[str, Union[str, int, float, bool]]] = None,
        betas: Union[str, Sequence[str], None] = None,
        info: Optional[TaskGroupResponse] = None,
        unsettled: Optional[MemoryJournal] = None,
    ) -> None:
        _checks.check_group_defaults(
            task_spec=task_spec, processor=processor, run_metadata=run_metadata, betas=betas
        )
        if not isinstance(taskgroup_id, str) or not taskgroup_id.strip():
            raise errors.ConfigurationError(
                f"taskgroup_id must be a non-empty string, got {taskgroup_id!r}"
            )
        self._core = core
        self.id = taskgroup_id.strip()
        self.task_spec = task_spec
        self.processor = processor
        self.run_metadata = dict(run_metadata) if run_metadata else None
        self.betas = _betas(betas)
        self.info = info
        """The group's summary as last fetched (by ``create_group`` or :meth:`refresh`)."""
        # Where "now" is in the events stream, once this handle has added runs (None: the
        # group's start, which the API answers for the first runs of a group).
        self._events_after: Optional[str] = None
        self._events_known = info is not None and info.status.num_task_runs == 0
        # Created by this handle and nothing added yet: no row of it can be in the group.
        self._empty = self._events_known
        # Batches that add-runs calls without a journal left of unknown outcome (the client's,
        # shared by its handles): the next such call settles them before sending.
        self._unsettled = unsettled if unsettled is not None else MemoryJournal()

    def __repr__(self) -> str:
        return f"TaskGroup(id={self.id!r})"

    def refresh(self) -> TaskGroupResponse:
        """Fetch the group's summary (run counts by status, whether any run is active); also
        kept as :attr:`info`."""
        self.info = get_group(self._core, self.id)
        return self.info

    def get_run(self, run_id: str) -> TaskRun:
        """Fetch one run of this group."""
        return get_group_run(self._core, self.id, run_id)

    # -- streams -----------------------------------------------------------------------------

    def events(
        self,
        *,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        timeout: Optional[float] = None,
        follow: bool = False,
        before_cursor_save: Optional[Callable[[], None]] = None,
    ) -> EventStream:
        """The group's events (status updates, runs finishing, errors), resuming by itself
        after drops, until the group is inactive (with ``follow``: until closed).

        Starts at the group's first event unless ``last_event_id`` or a cursor stored in
        ``cursor_store`` says otherwise; ``before_cursor_save`` runs before each cursor save
        (e.g. to flush what was written for the events so far). ``timeout`` in seconds raises
        :class:`~parallel_taskgroup.WaitTimeoutError` when it passes.
        """
        _check_stream_arguments(last_event_id, cursor_store, timeout)
        _checks.check_callable("before_cursor_save", before_cursor_save, what="of no arguments")
        return EventStream(
            self._core,
            self.id,
            events_path(self.id),
            stream_name="events",
            until="never" if follow else "inactive",
            last_event_id=last_event_id,
            cursor_store=cursor_store,
            timeout=timeout,
            before_cursor_save=before_cursor_save,
        )

    def runs(
        self,
        *,
        include_input: bool = False,
        include_output: bool = False,
        status: Optional[RunStatus] = None,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        timeout: Optional[float] = None,
    ) -> EventStream:
        """One ``task_run.state`` event per run in the group now (a snapshot), optionally only
        runs in ``status``; resumes by itself if the connection drops."""
        _check_stream_arguments(last_event_id, cursor_store, timeout)
        status_arg: Optional[StreamTaskGroupRunsStatusType0] = None
        if status is not None:
            try:
                status_arg = StreamTaskGroupRunsStatusType0(status)
            except ValueError:
                allowed = ", ".join(s.value for s in StreamTaskGroupRunsStatusType0)
                raise errors.ConfigurationError(
                    f"status {status!r} is not one of: {allowed}"
                ) from None
        return EventStream(
            self._core,
            self.id,
            runs_stream_path(self.id),
            stream_name="runs",
            until="close",
            params=runs_stream_params(
                include_input=include_input, include_output=include_output, status=status_arg
            ),
            last_event_id=last_event_id,
            cursor_store=cursor_store,
            timeout=timeout,
        )

    def wait(
        self,
        *,
        on_progress: Optional[ProgressCallback] = None,
        timeout: Optional[float] = None,
        last_event_id: Optional[str] = None,
    ) -> TaskGroupStatus:
        """Block until no run of the group is active and return its final status.

        Never replays the group's history: follows the events stream from ``last_event_id``
        (``""``: from the start) or from where this handle's last ``add_runs`` left it, and
        otherwise polls the group's summary with backoff. ``on_progress`` receives each status
        update; ``timeout`` (seconds) raises :class:`~parallel_taskgroup.WaitTimeoutError`.
        """
        _check_stream_arguments(last_event_id, None, timeout)
        _checks.check_callable("on_progress", on_progress, what="of a TaskGroupStatus")
        if last_event_id is not None:
            follow, after = True, last_event_id or None
        else:
            follow, after = self._events_known, self._events_after
        return wait_for_group(
            self._core,
            self.id,
            on_progress=on_progress,
            timeout=timeout,
            events_after=after,
            follow_events=follow,
        )

    def results(
        self,
        *,
        follow: bool = True,
        include_input: bool = False,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        timeout: Optional[float] = None,
        fetch_concurrency: int = DEFAULT_FETCH_CONCURRENCY,
    ) -> Union[ResultStream, ResultSnapshot]:
        """Each finished run as a :class:`RunResult` (completed with its output, failed or
        cancelled with its error). Either iterator is also a context manager that ends its
        requests on exit.

        With ``follow`` (the default), yields runs as they finish until the group is idle, from
        its first run or from ``last_event_id`` / the cursor in ``cursor_store``: the iterator
        is a :class:`ResultStream`, which fetches outputs up to ``fetch_concurrency`` at once
        and counts the server's ``error`` events (it goes on past them). A group already idle
        when following starts from scratch (no cursor, no cursor store) is read from one
        snapshot instead.

        With ``follow=False``, yields the runs finished by now from one snapshot of the
        group's runs, with their inputs if ``include_input``, and returns. (The events stream
        carries no inputs: to pair results with your rows, use ``RunResult.key``.)
        """
        _check_stream_arguments(last_event_id, cursor_store, timeout)
        _checks.check_whole("fetch_concurrency", fetch_concurrency, minimum=1)
        core = self._core
        if not follow:
            return ResultSnapshot(core, self.id, include_input=include_input)
        if include_input:
            raise errors.ConfigurationError(
                "include_input needs follow=False: inputs come from a snapshot of the group's "
                "runs (the events stream carries none); pair results with your rows by "
                "RunResult.key instead"
            )
        # A cursor store asks for a resumable stream: the snapshot shortcut has no cursor.
        fresh = last_event_id is None and cursor_store is None
        if fresh and not group_active(self.refresh().status):
            return ResultSnapshot(core, self.id, include_input=False)
        return ResultStream(
            core,
            self.id,
            last_event_id=last_event_id,
            cursor_store=cursor_store,
            timeout=timeout,
            fetch_concurrency=fetch_concurrency,
        )

    # -- submission --------------------------------------------------------------------------

    def add_runs(
        self,
        rows: Iterable[Any],
        *,
        key: KeySpec = None,
        journal: JournalArg = None,
        processor: Optional[str] = None,
        task_spec: TaskSpecArg = None,
        to_input: Optional[Callable[[Any], Any]] = None,
        metadata: Optional[Callable[[Any], Mapping[str, Union[str, int, float, bool]]]] = None,
        input_fields: Optional[Mapping[str, Any]] = None,
        duplicates: Literal["error", "skip"] = "error",
        skip_existing: Optional[bool] = None,
        continue_on_error: bool = False,
        max_batch_inputs: int = 1000,
        max_batch_bytes: int = 5_000_000,
        rate_per_minute: Optional[int] = None,
        requests_per_minute: Optional[int] = None,
        rate_limiter: Optional[RateLimiter] = None,
        on_progress: Optional[Callable[[SubmitReport], None]] = None,
    ) -> SubmitReport:
        """Add one run per row, each exactly once, in paced batches, with this group's defaults.

        ``rows``: any iterable of run inputs (str or dict), or of other objects mapped by
        ``to_input`` (which may also return a ``TaskRunInput`` for full control of one run).
        ``key``: ``None`` derives a 16-character key from each input (equal inputs, equal keys);
        a field name reads it from each row; a function computes it. Keys are stored in each
        run's metadata (``RunResult.key``) and must be unique within the job
        (``duplicates="skip"`` skips repeats instead of raising). ``metadata``: a function giving
        each row's own run metadata, merged over the group's ``run_metadata``.
        ``input_fields``: extra run-input fields for every row (e.g. ``source_policy``).

        ``journal``: a journal or a file path (``.jsonl`` JSON lines, else SQLite) that makes the
        job resumable from another process; default in memory. Without a journal, with one
        holding no record of this group (a new file, or one lost), or with one accounting for
        fewer runs than the group holds (cut short, restored from a backup, or runs sent from
        elsewhere: one request for the group's count tells), the group's runs are read first
        (one streamed request; ``report.group_read``) and rows whose keys are already there
        are skipped, so that running the same call again (a notebook cell) never pays twice;
        ``skip_existing=False`` skips that read, ``True`` does it whatever the journal holds.
        A group this handle created and has not added to is not read. A call without a
        journal cut off during a POST (Ctrl-C) leaves that POST with the client: the next such
        call on the group first waits until it can no longer land. Calls sending to one group
        from this machine (threads, processes, jobs) take turns, holding a lock file in the
        temp folder (``$PARALLEL_TASKGROUP_LOCK_DIR`` names another): a call that had to wait
        for another reads the group before it sends.

        ``max_batch_inputs`` / ``max_batch_bytes``: the size of each POST. Pacing needs no
        setting: batches go as fast as the service accepts them, and a 429 teaches the pace
        (whether the service counts requests or runs). ``rate_per_minute`` (runs),
        ``requests_per_minute`` or a ``rate_limiter`` shared with other calls are explicit caps,
        for a key shared with other work. A POST whose outcome is unknown (a timeout, a reset,
        a 5xx) is settled against the group before anything is sent again, and every failure
        of a batch counts against the client's retry policy.
        ``continue_on_error``: keep going after the server refuses a batch (400/422), counting
        its rows as failed; otherwise :class:`~parallel_taskgroup.SubmissionError` is raised.
        ``on_progress`` receives the report after each batch.

        Rows over the API's documented limits (metadata, task spec + input characters) are
        refused before their batch is sent, and a task spec over its limits before anything is.

        Raises :class:`~parallel_taskgroup.RowError` for an invalid row (nothing of the batch
        holding it was sent), :class:`~parallel_taskgroup.PaymentRequiredError` when the account's
        credit runs short (submission stops at once) and
        :class:`~parallel_taskgroup.SubmissionError` when it stops part-way otherwise; all carry
        ``report``, and the same call with the same journal resumes.
        """
        _check_submit_arguments(
            processor=processor,
            task_spec=task_spec,
            to_input=to_input,
            metadata=metadata,
            input_fields=input_fields,
            max_batch_inputs=max_batch_inputs,
            max_batch_bytes=max_batch_bytes,
            rate_limiter=rate_limiter,
            on_progress=on_progress,
        )
        options = SubmitOptions(
            key=key,
            journal=journal,
            to_input=to_input,
            metadata=metadata,
            input_fields=input_fields,
            max_batch_inputs=max_batch_inputs,
            max_batch_bytes=max_batch_bytes,
            rate_per_minute=rate_per_minute,
            requests_per_minute=requests_per_minute,
            rate_limiter=rate_limiter,
            duplicates=duplicates,
            skip_existing=skip_existing,
            known_empty=self._empty,
            continue_on_error=continue_on_error,
            on_progress=on_progress,
        )
        empty, self._empty = self._empty, False  # however the call ends, rows may be sent
        report = submit_rows(
            self._core,
            self.id,
            rows,
            processor=processor or self.processor,
            task_spec=task_spec if task_spec is not None else self.task_spec,
            run_metadata=self.run_metadata,
            beta_header=",".join(self.betas) if self.betas else None,
            options=options,
            unsettled=self._unsettled,
        )
        if report.requests and report.sent:
            self._events_known = True
            self._events_after = report.last_event_cursor
        self._empty = empty and not report.requests
        return report


def _check_stream_arguments(last_event_id: object, cursor_store: object, timeout: object) -> None:
    """The arguments every stream and wait of a group takes."""
    _checks.check_seconds("timeout", timeout, hint="None waits as long as it takes")
    if last_event_id is not None and not isinstance(last_event_id, str):
        raise errors.ArgumentTypeError(
            f"last_event_id must be a str (an event's id), got {_checks.describe(last_event_id)}"
        )
    if cursor_store is not None and not (
        callable(getattr(cursor_store, "load", None))
        and callable(getattr(cursor_store, "save", None))
    ):
        hint = (
            f"pass JsonFileCursorStore({cursor_store!r}) or SqliteCursorStore({cursor_store!r})"
            if isinstance(cursor_store, str)
            else "pass a JsonFileCursorStore(path), SqliteCursorStore(path) or MemoryCursorStore()"
        )
        raise errors.ArgumentTypeError(
            "cursor_store must be a CursorStore (with load and save), got "
            f"{_checks.describe(cursor_store)}; {hint}"
        )


def _check_submit_arguments(
    *,
    processor: object,
    task_spec: object,
    to_input: object,
    metadata: object,
    input_fields: object,
    max_batch_inputs: object,
    max_batch_bytes: object,
    rate_limiter: object,
    on_progress: object,
) -> None:
    """The types of ``add_runs``'s options (their ranges are checked where they are used)."""
    _checks.check_text(
        "processor", processor, what="a processor name", hint="e.g. processor='base' or 'core'"
    )
    _checks.check_task_spec("task_spec", task_spec)
    _checks.check_callable("to_input", to_input, what="of a row giving its run input")
    if isinstance(metadata, Mapping):
        raise errors.ArgumentTypeError(
            "metadata must be a function of a row giving that run's metadata, got "
            f"{_checks.describe(metadata)}; for the same metadata on every run pass "
            "run_metadata= to create_group or group"
        )
    _checks.check_callable("metadata", metadata, what="of a row giving that run's metadata")
    _checks.check_mapping(
        "input_fields",
        input_fields,
        what="of run-input field names to values",
        hint="e.g. input_fields={'source_policy': {...}}",
    )
    _checks.check_whole("max_batch_inputs", max_batch_inputs, minimum=1)
    _checks.check_whole("max_batch_bytes", max_batch_bytes, minimum=1)
    if rate_limiter is not None and not isinstance(rate_limiter, RateLimiter):
        raise errors.ArgumentTypeError(
            f"rate_limiter must be a RateLimiter, got {_checks.describe(rate_limiter)}; "
            "for a plain cap pass rate_per_minute= or requests_per_minute="
        )
    _checks.check_callable("on_progress", on_progress, what="of a SubmitReport")
