"""A batch job: every input row as a run in one group, one result line per row.

A job is defined by its results file: beside ``RESULTS`` live ``RESULTS.state.json`` (the group
and what defines the job), ``RESULTS.journal`` (every row, attempt and result: the job's
memory, on disk) and ``RESULTS.lock`` (one process at a time). One session:

1. checks what needs no network (task spec, processor, budget), takes the lock, and reads the
   state: a rerun that changes what defines the job is refused, naming each difference;
2. reads every input row once (keys, duplicates, the documented limits) into the journal,
   reporting every bad row before anything is sent; a dry run stops here with a quote;
3. creates the group (or attaches to the job's, or to ``group_id``); where the journal is
   missing or untrusted, first reads what the group already holds, so no row is sent twice;
4. submits the rows not yet in the group (a thread) while following the group's events and
   writing each finished row's line (the calling thread); a budget or a credit shortfall stops
   submission, and the results of runs already created are still collected;
5. ends with exactly one line per row: completed, failed, or why it has none.

Interrupted at any point (Ctrl-C, a crash, a lost connection), the same call resumes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable, Literal, Optional, Union

import attrs
from parallel_taskgroup_api.models import TaskRunEvent

from .._endpoints import runs_stream_params, runs_stream_path
from .._fs import FileLock
from .._http import Clock
from .._json import compact
from .._status import status_counts
from ..client import Client
from ..errors import (
    BudgetExceededError,
    ConfigurationError,
    InputError,
    JobChangedError,
    JobError,
    JobIncompleteError,
    JobLockedError,
    JournalError,
    ParallelError,
    PaymentRequiredError,
    ResultsFileError,
    StateFileError,
)
from ..group import TaskGroup
from ..results import TERMINAL, ResultStream, RunResult, fetch_output, needs_output, result_of
from ..streaming.stream import EventStream
from ..submission.keys import run_identity, split_identity
from ..submission.limits import metadata_problem, task_spec_problems
from ..submission.prepare import make_plan
from ..submission.submit import SubmitOptions, submit_rows
from .ingest import Ingested, Problem, ingest
from .inputs import (
    Row,
    csv_header,
    detect_format,
    file_digest,
    iterable_rows,
    read_rows,
    spool_stdin,
)
from .prices import PriceTable, price_table
from .progress import JobListener, JobProgress, SilentListener
from .records import placeholder, result_record
from .results_file import ResultsAppender, ResultsLayout, results_format, write_results
from .specs import required_input_fields
from .state import (
    JobDefinition,
    JobState,
    default_journal_path,
    default_lock_path,
    default_state_path,
    load_state,
    save_state,
    spec_digest,
)
from .store import JobStore, StoredRow, remove_store

__all__ = ["JobQuote", "JobReport", "run_job"]

InputArg = Union[str, "os.PathLike[str]", Iterable[Any]]
InputFormat = Literal["jsonl", "json", "csv"]
MetadataValue = Union[str, int, float, bool]

FLUSH_LINES = 500
FLUSH_SECONDS = 1.0
STATUS_POLL_SECONDS = 2.0
EMIT_SECONDS = 0.5
"""Progress is reported at most this often, except when the phase or a wait changes (counting
the job's rows on every batch and every flush would cost more than the rest of the job)."""
CATCH_UP_ROWS = 50
"""Resuming with at least this many finished runs to collect reads them from one snapshot."""
RATE_LIMIT_PER_MINUTE = 2000
"""The documented limit, for the quote's shortest submission time."""


@attrs.frozen
class JobQuote:
    """What a job will cost and take, before anything is sent."""

    rows: int
    to_submit: int
    """Runs this session would create."""
    processor: str
    price_per_run: float
    cost_usd: float
    """``to_submit`` runs at ``price_per_run``."""
    spent_usd: float
    """What runs the job created earlier cost."""
    posts: int
    """add-runs POSTs needed."""
    min_submit_seconds: float
    """The shortest submission time the documented limit (2,000 per minute) allows, counting
    runs (the stricter reading of the documentation)."""
    price_source: str
    problems: tuple[Problem, ...] = ()
    problem_count: int = 0

    @property
    def accepted(self) -> bool:
        """Whether every row would be accepted."""
        return self.problem_count == 0


@attrs.frozen
class JobReport:
    """How a job's session ended. ``stopped_by`` is None when every row has its result."""

    group_id: Optional[str]
    out: str
    rows: int
    completed: int
    failed: int
    not_submitted: int
    unfinished: int
    spent_usd: float
    quote: JobQuote
    stopped_by: Optional[str] = None

    @property
    def all_completed(self) -> bool:
        """Whether every row's run completed."""
        return self.completed == self.rows


@attrs.frozen
class _Job:
    """Every option of one job, checked."""

    source: InputArg
    input_name: str
    out: str
    input_format: Optional[str]
    processor: str
    retry_processor: Optional[str]
    task_spec: Optional[dict[str, Any]]
    key_field: Optional[str]
    group_id: Optional[str]
    metadata: Optional[dict[str, MetadataValue]]
    include_basis: bool
    rate_per_minute: Optional[int]
    requests_per_minute: Optional[int]
    max_cost: Optional[float]
    prices: PriceTable
    retry_failed: bool
    add_rows: bool
    fetch_concurrency: int

    @property
    def state_path(self) -> str:
        return default_state_path(self.out)


def run_job(
    client: Optional[Client],
    input: InputArg,
    *,
    out: str,
    processor: str = "base",
    task_spec: Optional[Mapping[str, Any]] = None,
    key: Optional[str] = None,
    input_format: Optional[InputFormat] = None,
    group_id: Optional[str] = None,
    metadata: Optional[Mapping[str, MetadataValue]] = None,
    include_basis: bool = False,
    max_cost: Optional[float] = None,
    prices: Union[str, PriceTable, None] = None,
    retry: Optional[Literal["failed"]] = None,
    add_rows: bool = False,
    dry_run: bool = False,
    confirm: Optional[Callable[[JobQuote], bool]] = None,
    rate_per_minute: Optional[int] = None,
    requests_per_minute: Optional[int] = None,
    fetch_concurrency: int = 8,
    listener: Optional[JobListener] = None,
) -> JobReport:
    """Run a task over every row of ``input`` as one group, writing one line per row to ``out``.

    ``input``: a JSONL, JSON-array or CSV file (``-`` reads standard input), or any iterable of
    rows (dicts or strings). ``key`` names the field holding each row's unique key (default: a
    hash of the row). ``out`` is JSONL, CSV or Parquet by its extension; beside it the job keeps
    its state, journal and lock, and the same call resumes after any interruption, never
    creating a run twice or writing a line twice.

    ``max_cost`` (USD) caps what the job's runs may cost in all, across sessions and retries;
    ``prices`` replaces the packaged price table (a JSON file or a PriceTable). ``confirm``
    sees the quote before the first POST and may decline. ``retry="failed"`` creates a new run
    for each row whose latest run failed (with ``processor``, which may differ: escalation).
    ``add_rows`` accepts an input that differs from the job's first one and adds its new rows.
    ``group_id`` adds the rows to an existing group (or re-attaches a job whose state file was
    lost). ``dry_run`` checks every row and returns the quote without any request (``client``
    may then be None).

    Raises :class:`~parallel_taskgroup.InputError` for bad rows (all of them listed, nothing
    sent), :class:`~parallel_taskgroup.JobError` when the job's files forbid going on,
    :class:`~parallel_taskgroup.BudgetExceededError` or
    :class:`~parallel_taskgroup.PaymentRequiredError` when submission stopped short (the results
    file then still holds one line per row), and API errors.
    """
    job = _resolve(
        input,
        out=out,
        processor=processor,
        task_spec=task_spec,
        key=key,
        input_format=input_format,
        group_id=group_id,
        metadata=metadata,
        include_basis=include_basis,
        max_cost=max_cost,
        prices=prices,
        retry=retry,
        add_rows=add_rows,
        rate_per_minute=rate_per_minute,
        requests_per_minute=requests_per_minute,
        fetch_concurrency=fetch_concurrency,
    )
    listener = listener or SilentListener()
    _check_out(job.out)
    if dry_run:
        return _dry_run(job, listener)
    if client is None:
        raise ConfigurationError("run_job needs a client unless dry_run=True")
    lock = FileLock(default_lock_path(out))
    note = f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%H:%M:%S')}"
    if not lock.acquire(note):
        holder = lock.holder() or "another process"
        raise JobLockedError(
            f"{out} is in use by another taskgroup run ({holder}); wait for it to finish or stop "
            "it, then run the same command again"
        )
    try:
        return _Session(client, job, listener, confirm).run()
    finally:
        lock.release()


def _check_out(out: str) -> None:
    """The results file can be written where it is asked for (checked before anything else)."""
    folder = os.path.dirname(os.path.abspath(out))
    if os.path.isdir(out):
        raise ResultsFileError(f"{out}: is a directory; --out needs a file path")
    if not os.path.isdir(folder):
        raise ResultsFileError(f"{out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ResultsFileError(f"{out}: cannot create files in {folder} (permission denied)")
    if os.path.exists(out) and not os.access(out, os.W_OK):
        raise ResultsFileError(f"{out}: the results file is not writable")


def _resolve(
    source: InputArg,
    *,
    out: str,
    processor: str,
    task_spec: Optional[Mapping[str, Any]],
    key: Optional[str],
    input_format: Optional[str],
    group_id: Optional[str],
    metadata: Optional[Mapping[str, MetadataValue]],
    include_basis: bool,
    max_cost: Optional[float],
    prices: Union[str, PriceTable, None],
    retry: Optional[str],
    add_rows: bool,
    rate_per_minute: Optional[int],
    requests_per_minute: Optional[int],
    fetch_concurrency: int,
) -> _Job:
    """Every check that needs no file and no network."""
    table = price_table(prices)
    table.per_run(processor)  # an unknown processor is refused before anything else
    spec = dict(task_spec) if task_spec is not None else None
    problems = task_spec_problems(spec)
    if problems:
        raise ConfigurationError("the task spec would be refused: " + "; ".join(problems))
    if metadata is not None:
        problem = metadata_problem(dict(metadata))
        if problem:
            raise ConfigurationError(f"group metadata: {problem}")
    if max_cost is not None and not max_cost >= 0:
        raise ConfigurationError(f"max_cost must be a non-negative number of USD, got {max_cost}")
    if retry not in (None, "failed"):
        raise ConfigurationError(f"retry must be None or 'failed', got {retry!r}")
    if isinstance(source, (str, os.PathLike)):
        name = "<stdin>" if os.fspath(source) == "-" else os.fspath(source)
    else:
        name = "rows"
    return _Job(
        source=source,
        input_name=name,
        out=os.fspath(out),
        input_format=input_format,
        processor=processor,
        retry_processor=processor if retry else None,
        task_spec=spec,
        key_field=key,
        group_id=group_id.strip() if group_id else None,
        metadata=dict(metadata) if metadata is not None else None,
        include_basis=include_basis,
        rate_per_minute=rate_per_minute,
        requests_per_minute=requests_per_minute,
        max_cost=max_cost,
        prices=table,
        retry_failed=retry == "failed",
        add_rows=add_rows,
        fetch_concurrency=fetch_concurrency,
    )


# -- reading the input -----------------------------------------------------------------------


class _Input:
    """The job's rows from a file (a spooled copy for stdin) or an iterable, with their
    fingerprint once read."""

    def __init__(self, job: _Job, spool_dir: str) -> None:
        self.job = job
        self._spooled: Optional[str] = None
        self._digest: Optional[str] = None
        self._rows_hash = hashlib.sha256()
        source = job.source
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            guessed = job.input_format is None
            self.fmt = detect_format(path, job.input_format)
            if path == "-":
                self._spooled = path = spool_stdin(spool_dir)
            self.path: Optional[str] = path
            self._guessed = guessed
        else:
            self.fmt = "rows"
            self.path = None
            self._guessed = False

    def close(self) -> None:
        if self._spooled is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._spooled)

    def rows(self) -> Iterator[Row]:
        if self.path is not None:
            return read_rows(self.path, self.fmt, self.job.input_name, format_guessed=self._guessed)
        return iterable_rows(self.job.source, self._rows_hash)  # type: ignore[arg-type]

    def digest(self) -> str:
        """The input's fingerprint (for an iterable: after :meth:`rows` was read through)."""
        if self.path is not None:
            if self._digest is None:
                self._digest = file_digest(self.path)
            return self._digest
        return "rows:" + self._rows_hash.hexdigest()[:32]


def _key_check(job: _Job) -> Optional[Callable[[Row], None]]:
    if job.key_field is None:
        return None
    field = job.key_field

    def check(row: Row) -> None:
        if not isinstance(row.value, dict):
            raise InputError(f"--key {field} needs object rows, got a string")

    return check


def _plan(job: _Job, processor: str, attempt: int = 1) -> Any:
    return make_plan(
        processor=processor,
        task_spec=job.task_spec,
        base_metadata=None,
        key=job.key_field,
        to_input=None,
        row_metadata=None,
        input_fields=None,
        max_batch_inputs=1000,
        max_batch_bytes=5_000_000,
        duplicates="error",
        attempt=attempt,
    )


def _ingest(job: _Job, store: JobStore, source: _Input, *, incremental: bool) -> Ingested:
    if source.fmt == "csv" and job.key_field is not None and source.path is not None:
        header = csv_header(source.path, job.input_name)
        if header is not None and job.key_field not in header:
            raise InputError(
                f"{job.input_name}: the key column {job.key_field!r} is not in the CSV header "
                f"(columns: {', '.join(header)}); fix --key"
            )
    store.begin_pass()
    return ingest(
        store,
        source.rows(),
        plan=_plan(job, job.processor),
        required_fields=required_input_fields(job.task_spec),
        known_keys_skip=incremental,
        check_key=_key_check(job),
        show_keys=job.key_field is not None,
    )


def _quote(job: _Job, rows: int, to_submit: int, spent: float, found: Ingested) -> JobQuote:
    processor = job.retry_processor or job.processor
    price = job.prices.per_run(processor)
    posts = -(-to_submit // 1000)
    return JobQuote(
        rows=rows,
        to_submit=to_submit,
        processor=processor,
        price_per_run=price,
        cost_usd=round(to_submit * price, 6),
        spent_usd=round(spent, 6),
        posts=posts,
        min_submit_seconds=max(0.0, (to_submit - RATE_LIMIT_PER_MINUTE) / RATE_LIMIT_PER_MINUTE)
        * 60.0,
        price_source=job.prices.source,
        problems=found.problems,
        problem_count=found.problem_count,
    )


def _dry_run(job: _Job, listener: JobListener) -> JobReport:
    """Every check and the quote, with no request: the rows go to a scratch store."""
    scratch_dir = os.path.dirname(os.path.abspath(job.out))
    scratch = os.path.join(scratch_dir, f".{os.path.basename(job.out)}.dryrun-{os.getpid()}")
    source = _Input(job, scratch_dir)
    store = JobStore(scratch)
    try:
        listener.update(JobProgress("checking input", 0, 0, 0, 0, 0))
        found = _ingest(job, store, source, incremental=False)
        quote = _quote(job, found.rows, found.rows - found.problem_count, 0.0, found)
    finally:
        store.close()
        remove_store(scratch)
        source.close()
    return JobReport(
        group_id=None,
        out=job.out,
        rows=found.rows,
        completed=0,
        failed=0,
        not_submitted=found.rows,
        unfinished=0,
        spent_usd=0.0,
        quote=quote,
        stopped_by="dry run",
    )


# -- the session --------------------------------------------------------------------------------


class _Stopped(Exception):
    """Raised inside the rows handed to add_runs to make it stop early."""


class _Session:
    """One session of a job: from the lock to the last line."""

    def __init__(
        self,
        client: Client,
        job: _Job,
        listener: JobListener,
        confirm: Optional[Callable[[JobQuote], bool]],
    ) -> None:
        self.client = client
        self.confirm = confirm
        self.core = client._core
        self.job = job
        self.listener = listener
        self.state: Optional[JobState] = None
        self.store: Optional[JobStore] = None
        self.group: Optional[TaskGroup] = None
        self.trusted = True
        self.stop = threading.Event()
        self.submitter_error: Optional[BaseException] = None
        self.submitter_done = threading.Event()
        self.progress_lock = threading.Lock()
        self.phase = "checking input"
        self.server: dict[str, int] = {}
        self.waiting: Optional[tuple[str, Optional[float]]] = None
        self.submit_samples: deque[tuple[float, int]] = deque(maxlen=60)
        self.counts_cache: Optional[tuple[int, int, int, int, int]] = None
        self.layout = ResultsLayout(None, None, job.include_basis)
        self.fmt = results_format(job.out)
        self.appender: Optional[ResultsAppender] = None
        self.dirty = False
        """Whether the results file must be rewritten from the journal at the end. Kept in the
        journal too (``rewrite``, set before the file or the journal can disagree): a session
        that dies first leaves the next one to rewrite it."""
        self.dirty_saved = False
        self.pending_results: list[tuple[str, int, str, Optional[str], str]] = []
        self.pending_lines: list[dict[str, Any]] = []
        # (key, attempt) of the results kept but not yet in the journal: the journal cannot
        # tell that they are recorded, so a run seen again before the flush (the events stream
        # and a catch-up snapshot both hold it) is recognised here.
        self.pending_keys: set[tuple[str, int]] = set()
        self.last_flush = time.monotonic()
        self.last_emit = float("-inf")

    # -- progress --------------------------------------------------------------------------

    def _emit(self, *, force: bool = False) -> None:
        store = self.store
        if store is None:
            return
        now = time.monotonic()
        if not force and now - self.last_emit < EMIT_SECONDS:
            return
        self.last_emit = now
        counts = store.counts()
        now = time.monotonic()
        self.submit_samples.append((now, counts.submitted))
        left: Optional[float] = None
        first_t, first_n = self.submit_samples[0]
        if counts.submitted < counts.rows and now - first_t >= 5 and counts.submitted > first_n:
            rate = (counts.submitted - first_n) / (now - first_t)
            left = (counts.rows - counts.submitted) / rate
        waiting = self.waiting
        if waiting is not None and waiting[1] is not None and waiting[1] < self.core.clock.now():
            waiting = self.waiting = None
        until = None
        if waiting is not None and waiting[1] is not None:
            until = time.monotonic() + (waiting[1] - self.core.clock.now())
        self.listener.update(
            JobProgress(
                phase=self.phase,
                rows=counts.rows,
                submitted=counts.submitted,
                finished=counts.finished,
                completed=counts.completed,
                failed=counts.failed,
                queued=self.server.get("queued", 0),
                running=self.server.get("running", 0),
                spent_usd=self._spent(),
                submit_seconds_left=left,
                waiting=waiting[0] if waiting else None,
                waiting_until=until,
            )
        )

    def _on_wait(self, what: str, until: Optional[float]) -> None:
        self.waiting = (what, until)
        with contextlib.suppress(Exception):
            self._emit(force=True)

    def _spent(self) -> float:
        assert self.store is not None
        return self.job.prices.cost(self.store.runs_by_processor())

    # -- the whole session ---------------------------------------------------------------------

    def run(self) -> JobReport:
        job = self.job
        source = _Input(job, os.path.dirname(os.path.abspath(job.out)))
        previous_on_wait = self.core.on_wait
        clock = self.core.clock
        self.core.on_wait = self._on_wait
        try:
            return self._run(source)
        except KeyboardInterrupt:
            self._interrupt()
            raise
        finally:
            self.core.on_wait = previous_on_wait
            if clock.interrupted:
                self.core.clock = Clock()
            if self.store is not None:
                self.store.close()
            source.close()

    def _run(self, source: _Input) -> JobReport:
        job = self.job
        self.state = self._load_state()
        found = self._open_store_and_ingest(source)
        store = self.store
        assert store is not None
        to_submit = self._rows_to_submit()
        quote = _quote(job, store.row_count(), to_submit, self._spent(), found)
        try:
            if quote.to_submit and self.confirm is not None and not self.confirm(quote):
                raise JobError(
                    f"the job was not confirmed; nothing was sent ({quote.to_submit} rows)"
                )
            group = self._open_group(quote)
        except BaseException:
            if self.state is None:  # a new job that never got a group leaves no files behind
                self._discard_new_store(True)
                self.store = None
            raise
        if not self.trusted:
            self._read_group(group)
        elif self.state is not None and self._unrecorded() >= CATCH_UP_ROWS:
            self._read_group(group, only_results=True)
        self._open_results_file()
        self.phase = "submitting"
        self._emit(force=True)
        submitter = threading.Thread(target=self._submit, name="taskgroup-submit", daemon=True)
        poller = threading.Thread(target=self._poll, name="taskgroup-status", daemon=True)
        submitter.start()
        poller.start()
        try:
            self._collect(group)
        finally:
            self.stop.set()
        return self._finish(quote)

    # -- state, store, group -------------------------------------------------------------------

    def _definition(self, digest: str) -> JobDefinition:
        job = self.job
        return JobDefinition(
            key_field=job.key_field,
            processor=job.processor,
            task_spec=spec_digest(job.task_spec),
            input=digest,
        )

    def _recoverable_group(self) -> Optional[str]:
        """The job's group id, from whatever files survive (for the way-forward message)."""
        journal = default_journal_path(self.job.out)
        if os.path.exists(journal):
            with contextlib.suppress(Exception):
                store = JobStore(journal)
                try:
                    found = store.meta("group_id")
                finally:
                    store.close()
                if found:
                    return found
        with contextlib.suppress(OSError, ValueError), open(self.job.out, encoding="utf-8") as f:
            first = f.readline()
            record = json.loads(first) if first.startswith("{") else {}
            if isinstance(record.get("group_id"), str):
                return str(record["group_id"])
        return None

    def _load_state(self) -> Optional[JobState]:
        job = self.job
        try:
            state = load_state(job.state_path)
        except StateFileError as exc:
            if job.group_id:
                self.trusted = False
                return None
            group = self._recoverable_group()
            hint = f"--group {group}" if group else "--group GROUP_ID (printed when the job began)"
            raise StateFileError(
                f"{exc.message}; run the same command with {hint} to re-attach the job to its "
                "group (rows already there are not sent again)"
            ) from None
        if state is None:
            if job.group_id:
                self.trusted = False
                return None
            journal = default_journal_path(job.out)
            if os.path.exists(journal) and self._recoverable_group() is None:
                remove_store(journal)  # left by a job refused before it had a group
            leftovers = [
                p for p in (job.out, journal) if os.path.exists(p) and os.path.getsize(p) > 0
            ]
            if leftovers:
                group = self._recoverable_group()
                hint = f"--group {group}" if group else "--group GROUP_ID (printed when it began)"
                raise StateFileError(
                    f"{job.state_path} is missing but {', '.join(leftovers)} exist(s): run the "
                    f"same command with {hint} to re-attach the job to its group, or choose "
                    "another --out for a new job"
                )
            return None
        if job.group_id and job.group_id != state.group_id:
            raise JobChangedError(
                f"{job.out} belongs to group {state.group_id}, not {job.group_id}: drop "
                "--group to resume it, or choose another --out",
                differences=["the group"],
            )
        return state

    def _open_store_and_ingest(self, source: _Input) -> Ingested:
        job, state = self.job, self.state
        path = state.journal_path(job.state_path) if state else default_journal_path(job.out)
        fresh = not os.path.exists(path)
        try:
            store = JobStore(path)
        except JournalError as exc:
            if state is None and not job.group_id:
                raise
            # The group is known: the journal can be rebuilt from it and the input.
            aside = f"{path}.damaged-{int(time.time())}"
            os.replace(path, aside)
            self.listener.message(f"{exc.message}; moved it to {aside} and rebuilding it")
            store = JobStore(path)
            fresh = True
        if fresh and state is not None:
            self.listener.message(f"{path} is missing; rebuilding it from the group")
            self.trusted = False
        host = socket.gethostname()
        if state is not None and store.meta("host") not in (None, host):
            self.trusted = False  # a journal carried from another machine may be stale
        # Until one full read of the group ends, the journal may lack runs the group holds,
        # and a session that dies before then must not leave a journal that looks complete.
        if not self.trusted:
            store.set_meta(group_read="pending")
        elif store.meta("group_read") == "pending":
            self.trusted = False
        self.store = store
        if store.meta("ingested") is None:
            found = _ingest(job, store, source, incremental=False)
            if found.rows == 0 and not found.problem_count:
                self._discard_new_store(fresh)
                raise InputError(f"{job.input_name}: no rows in the input; nothing was sent")
            if found.problem_count:
                self._discard_new_store(fresh)
                found.raise_if_problems(job.input_name)
            store.set_meta(
                ingested="1", input=source.digest(), columns=json.dumps(found.input_columns)
            )
        else:
            found = Ingested(0, 0, (), 0, None)
            digest = source.digest() if source.path is not None else None
            if digest is not None and digest != store.meta("input"):
                if not job.add_rows:
                    raise self._changed(["the input rows"])
                found = _ingest(job, store, source, incremental=True)
                found.raise_if_problems(job.input_name)
                store.set_meta(input=source.digest())
                self.listener.message(f"added {found.stored} new row(s) to the job")
        if state is not None:
            differences = state.definition.differences(
                self._definition(store.meta("input") or ""),
                input_may_differ=job.add_rows,
            )
            if job.retry_failed:
                differences = [d for d in differences if not d.startswith("the processor")]
            if differences:
                raise self._changed(differences)
        store.set_meta(host=host)
        columns = json.loads(store.meta("columns") or "null")
        self.layout = ResultsLayout(
            tuple(columns) if columns else None, _output_fields(job.task_spec), job.include_basis
        )
        return found

    def _discard_new_store(self, fresh: bool) -> None:
        assert self.store is not None
        self.store.close()
        if fresh:
            remove_store(self.store.path)

    def _changed(self, differences: list[str]) -> JobChangedError:
        return JobChangedError(
            f"{self.job.out} is the results file of a job with different "
            f"{', '.join(differences)}; for a new job choose another --out; to add the new rows "
            "of a changed input to this job, pass --add-rows; to retry failed rows with another "
            "processor, pass --retry failed",
            differences=differences,
        )

    def _rows_to_submit(self) -> int:
        assert self.store is not None
        if self.job.retry_failed:
            counts = self.store.counts()
            return counts.failed + (counts.rows - counts.submitted)
        return self.store.counts().rows - self.store.counts().submitted

    def _open_group(self, quote: JobQuote) -> TaskGroup:
        job, client, state = self.job, self.client, self.state
        assert self.store is not None
        defaults: dict[str, Any] = {"task_spec": job.task_spec, "processor": job.processor}
        if state is not None:
            group = client.group(state.group_id, **defaults)
            group.refresh()  # a wrong key, unknown group or unreachable server fails here
            self.listener.message(f"resuming group {group.id}: {self._summary()}")
        else:
            if job.group_id:
                group = client.group(job.group_id, **defaults)
                group.refresh()
                self.listener.message(f"attaching to group {group.id}: reading what it holds")
            else:
                group = client.create_group(metadata=job.metadata, **defaults)
                self.listener.message(
                    f"group {group.id}: {quote.rows} rows from {job.input_name} "
                    f"(~${quote.cost_usd:.2f} at {quote.processor})"
                )
            state = JobState(
                group_id=group.id,
                definition=self._definition(self.store.meta("input") or ""),
                journal=os.path.basename(default_journal_path(job.out)),
                input_name=job.input_name,
                base_url=client.base_url,
                api_version=client.api_version,
            )
            self.state = state
            save_state(job.state_path, state)
        self.store.set_meta(group_id=group.id)
        self.group = group
        return group

    def _summary(self) -> str:
        assert self.store is not None
        c = self.store.counts()
        return f"{c.finished} of {c.rows} rows finished, {c.submitted} submitted"

    def _unrecorded(self) -> int:
        assert self.store is not None
        c = self.store.counts()
        return c.submitted - c.finished

    # -- reading the group (the ground truth) --------------------------------------------------

    def _read_group(
        self, group: TaskGroup, *, only_results: bool = False, from_start: bool = False
    ) -> None:
        """Record every run the group holds for the job's rows (with ``only_results``: just
        the results of finished runs) from one snapshot of its runs with their outputs.

        Runs come in the order they were created and mostly finish in that order, so a
        results snapshot starts after the runs already all finished (``runs_prefix``, kept in
        the journal): catching up again reads only the runs since. A run that finished before
        its row knew its run id (a POST whose answer was lost, reconciled later) can lie in
        that prefix; ``from_start`` reads the whole group, the last word before giving up.
        """
        store = self.store
        assert store is not None
        started = time.monotonic()
        runs: list[tuple[str, str, str]] = []
        finished: list[TaskRunEvent] = []
        seen = 0
        after = store.meta("runs_prefix") if only_results and not from_start else None
        prefix, open_prefix = after, True
        stream = EventStream(
            self.core,
            group.id,
            runs_stream_path(group.id),
            stream_name="job-read",
            until="close",
            last_event_id=after,
            params=runs_stream_params(include_input=False, include_output=True, status=None),
        )
        with stream:
            for event in stream:
                if type(event) is not TaskRunEvent:
                    continue
                done = event.run.status in TERMINAL
                if open_prefix:
                    if done and isinstance(event.event_id, str):
                        prefix = event.event_id
                    else:
                        open_prefix = False
                ident = run_identity(event.run)
                if ident is None:
                    continue
                seen += 1
                if not only_results:
                    processor = event.run.processor
                    runs.append(
                        (
                            ident,
                            event.run.run_id,
                            processor if isinstance(processor, str) else self.job.processor,
                        )
                    )
                    if len(runs) >= 1000:
                        store.record_runs(runs)
                        runs.clear()
                if done:
                    finished.append(event)
                    if len(finished) >= 500:
                        store.record_runs(runs)
                        runs.clear()
                        self._record_events(finished)
                        finished.clear()
                        self._flush()
        store.record_runs(runs)
        self._record_events(finished)
        self._flush(force=True)
        if prefix is not None:
            store.set_meta(runs_prefix=prefix)
        if not only_results:
            store.set_meta(group_read="done")
        self.trusted = True
        if not only_results:
            self.listener.message(
                f"read group {group.id}: {seen} runs with row keys in "
                f"{time.monotonic() - started:.1f}s; {self._summary()}"
            )

    def _record_events(self, events: list[TaskRunEvent]) -> None:
        """Record the finished runs of a snapshot that still need it (their rows read in a few
        queries, not one per run)."""
        store = self.store
        assert store is not None
        parsed: list[tuple[TaskRunEvent, str, int]] = []
        for event in events:
            ident = run_identity(event.run)
            if ident is not None:
                key, attempt = split_identity(ident)
                parsed.append((event, key, attempt))
        rows = store.rows_by_key([key for _, key, _ in parsed])
        for event, key, attempt in parsed:
            row = rows.get(key)
            if row is None or (key, attempt) in self.pending_keys:
                continue
            if attempt == row.attempt:
                if row.status is not None:
                    continue  # recorded already
            elif attempt > row.attempt or not store.needs_result(key, attempt):
                continue  # not this job's attempt, or an earlier attempt already recorded
            output = fetch_output(self.core, event.run.run_id) if needs_output(event) else None
            self._record(result_of(event, output), row=row)

    # -- submitting ----------------------------------------------------------------------------

    def _submit(self) -> None:
        try:
            levels = [1]
            assert self.store is not None
            if self.job.retry_failed:
                levels += self.store.retry_levels()
            for attempt in levels:
                if self.stop.is_set():
                    return
                self._submit_level(attempt)
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the collecting thread
            self.submitter_error = exc
        finally:
            self.submitter_done.set()
            with contextlib.suppress(Exception):
                self._emit(force=True)

    def _submit_level(self, attempt: int) -> None:
        job, store, group = self.job, self.store, self.group
        assert store is not None and group is not None and self.state is not None
        processor = job.retry_processor if attempt > 1 and job.retry_processor else job.processor
        price = job.prices.per_run(processor)

        def rows() -> Iterator[Any]:
            for row in store.to_submit(attempt):
                if self.stop.is_set():
                    raise _Stopped()
                yield json.loads(row.input)

        def budget(n: int) -> Optional[str]:
            if job.max_cost is None:
                return None
            spent = self._spent()
            if spent + n * price <= job.max_cost + 1e-9:
                return None
            counts = store.counts()
            unsent = counts.rows - counts.submitted
            return (
                f"the next batch ({n} runs, ${n * price:.2f}) would take the job's spend from "
                f"${spent:.2f} over its ${job.max_cost:.2f} budget; {unsent} rows are not sent; "
                "to continue, run the same command with a higher --max-cost"
            )

        options = SubmitOptions(
            key=job.key_field,
            journal=store.journal(processor),
            rate_per_minute=job.rate_per_minute,
            requests_per_minute=job.requests_per_minute,
            on_progress=lambda report: self._emit(),
            attempt=attempt,
            keep_run_ids=False,
            budget=budget,
            keys_unique=True,  # the store holds each key once
        )
        submit_rows(
            self.core,
            group.id,
            rows(),
            processor=processor,
            task_spec=job.task_spec,
            run_metadata=None,
            beta_header=None,
            options=options,
        )

    def _poll(self) -> None:
        assert self.group is not None
        while not self.stop.wait(STATUS_POLL_SECONDS):
            with contextlib.suppress(Exception):  # display only; the job reports failures
                self.server = status_counts(self.group.refresh().status)
                self._emit()

    # -- collecting results --------------------------------------------------------------------

    def _wanted(self, event: TaskRunEvent) -> bool:
        ident = run_identity(event.run)
        if ident is None:
            return False
        key, attempt = split_identity(ident)
        assert self.store is not None
        if (key, attempt) in self.pending_keys:
            return False
        return self.store.needs_result(key, attempt)

    def _collect(self, group: TaskGroup) -> None:
        assert self.state is not None and self.store is not None
        self.phase = "collecting results" if self.submitter_done.is_set() else "submitting"
        while True:
            stream = ResultStream(
                self.core,
                group.id,
                last_event_id=self.state.cursor,
                cursor_store=None,
                timeout=None,
                fetch_concurrency=self.job.fetch_concurrency,
                wanted=self._wanted,
                catch_up=lambda: self._read_group(group, only_results=True),
                catch_up_after=CATCH_UP_ROWS,
            )
            with stream:
                for result in stream:
                    self._record(result)
                    if stream.cursor is not None:
                        self.state.cursor = stream.cursor
                    self._flush()
                if stream.cursor is not None:
                    self.state.cursor = stream.cursor
            self._flush(force=True)
            if not self.submitter_done.is_set():
                self.submitter_done.wait(2.0)
                continue
            self.phase = "collecting results"
            if self._unrecorded() == 0:
                return
            if group.refresh().status.is_active:
                continue
            # Idle, yet finished runs are missing: take them from one whole snapshot.
            self._read_group(group, only_results=True, from_start=True)
            if self._unrecorded() > 0 and not group.refresh().status.is_active:
                raise JobIncompleteError(
                    f"group {group.id} is idle but {self._unrecorded()} submitted rows have no "
                    "finished run; run the same command again"
                )
            return

    def _record(self, result: RunResult, row: Optional[StoredRow] = None) -> None:
        """Keep one finished run's result (written at the next flush). ``row``: its row as
        stored, when the caller has read it already."""
        assert self.store is not None
        ident = run_identity(result.run)
        if ident is None:
            return
        key, attempt = split_identity(ident)
        if (key, attempt) in self.pending_keys:
            return  # kept already, not flushed yet
        if row is None or row.key != key:
            row = self.store.row(key)
        if row is None:
            return
        history = None
        if attempt > 1:
            history = [a for a in self.store.attempts_of(key) if a["attempt"] < attempt]
        record = result_record(
            result,
            value=json.loads(row.input),
            attempts=history,
            group_id=self.state.group_id if self.state else None,
        )
        error = compact(record["error"]) if record.get("error") else None
        status = record["status"]
        if attempt > 1 or (attempt == row.attempt and row.record is not None):
            self._mark_dirty()  # a line for this row is in the file already
        self.pending_results.append((key, attempt, status, error, compact(record)))
        self.pending_keys.add((key, attempt))
        if attempt == row.attempt:
            self.pending_lines.append(self._view(record))

    def _view(self, record: dict[str, Any]) -> dict[str, Any]:
        if self.job.include_basis:
            return record
        return {k: v for k, v in record.items() if k != "basis"}

    def _flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if (
            not force
            and len(self.pending_results) < FLUSH_LINES
            and now - self.last_flush < FLUSH_SECONDS
        ):
            return
        self.last_flush = now
        store = self.store
        assert store is not None and self.state is not None
        if self.pending_lines and self.appender is None:
            # Results recorded before the file is open (a catch-up) have no line yet: the file
            # is rewritten at the end, and a session dying before then must leave that known.
            self._mark_dirty()
        if self.pending_results:
            store.save_results(self.pending_results)
            self.pending_results.clear()
            self.pending_keys.clear()
        if self.pending_lines and self.appender is not None:
            for line in self.pending_lines:
                self.appender.append(line)
            size = self.appender.flush()
            store.set_meta(results_size=str(size))
        self.pending_lines.clear()
        save_state(self.job.state_path, self.state)
        self._emit()

    # -- the results file ----------------------------------------------------------------------

    def _mark_dirty(self) -> None:
        """The results file will be rewritten at the end (remembered in the journal)."""
        self.dirty = True
        if not self.dirty_saved:
            assert self.store is not None
            self.store.set_meta(rewrite="1")
            self.dirty_saved = True

    def _open_results_file(self) -> None:
        store = self.store
        assert store is not None
        if store.meta("rewrite") == "1":
            self.dirty = self.dirty_saved = True  # an earlier session left it to be rewritten
        if self.fmt == "parquet":
            self.dirty = True  # written whole at the end
            return
        recorded = store.meta("results_size")
        exists = os.path.exists(self.job.out)
        size = os.path.getsize(self.job.out) if exists else 0
        if recorded is not None and int(recorded) != size:
            self._mark_dirty()  # the file changed behind the journal's back
        if store.counts().finished and (not exists or recorded is None):
            self._mark_dirty()
        appender = ResultsAppender(self.job.out, fmt=self.fmt, layout=self.layout)
        try:
            size = appender.open()
        except ParallelError as exc:
            self.listener.message(f"{exc.message}; the file will be rewritten at the end")
            self._mark_dirty()
            return
        if appender.repaired_bytes:
            self.listener.message(f"repaired a partly written last line in {self.job.out}")
            self._mark_dirty()
        if store.meta("placeholders") == "1" or self.job.retry_failed:
            self._mark_dirty()  # lines of rows without a result (or retried) will be replaced
        store.set_meta(results_size=str(size))
        self.appender = appender

    def _finish(self, quote: JobQuote) -> JobReport:
        """One line per row, then the report (or the error that stopped submission)."""
        self.phase = "finishing"
        self._emit(force=True)
        self._flush(force=True)
        store = self.store
        assert store is not None and self.state is not None
        error = self.submitter_error
        why = _why_unsent(error)
        counts = store.counts()
        complete = counts.finished == counts.rows
        if self.appender is not None:
            self.appender.close()
            self.appender = None
        if self.dirty or not complete:
            records = _final_records(store, why, self.job.include_basis, self.state.group_id)
            write_results(self.job.out, records, fmt=self.fmt, layout=self.layout)
            store.set_meta(
                results_size=str(os.path.getsize(self.job.out)),
                placeholders="0" if complete else "1",
                rewrite="0",
            )
        self.state.submitted_all = counts.submitted == counts.rows
        save_state(self.job.state_path, self.state)
        not_submitted = counts.rows - counts.submitted
        report = JobReport(
            group_id=self.state.group_id,
            out=self.job.out,
            rows=counts.rows,
            completed=counts.completed,
            failed=counts.failed,
            not_submitted=not_submitted,
            unfinished=counts.submitted - counts.finished,
            spent_usd=round(self._spent(), 6),
            quote=quote,
            stopped_by=None if error is None else type(error).__name__,
        )
        self._emit(force=True)
        if isinstance(error, PaymentRequiredError):
            raise _credit_shortfall(error, report) from error
        if error is not None:
            raise error
        return report

    def _interrupt(self) -> None:
        """Ctrl-C: stop the threads, keep what was collected, leave everything resumable."""
        self.stop.set()
        self.core.clock.interrupt()
        with contextlib.suppress(Exception):
            self._flush(force=True)


def _credit_shortfall(error: PaymentRequiredError, report: JobReport) -> PaymentRequiredError:
    """The 402 told in the job's terms: how many rows are in the group and how many are not."""
    in_group = report.rows - report.not_submitted
    job_error = PaymentRequiredError(
        f"not enough credit in the account: {in_group:,} of {report.rows:,} rows are in group "
        f"{report.group_id}, {report.not_submitted:,} are not (nothing was created for them); "
        "top up the account, then run the job again to send the rest",
        status_code=error.status_code,
        ref_id=error.ref_id,
        method=error.method,
        url=error.url,
    )
    job_error.report = error.report
    return job_error


def _why_unsent(error: Optional[BaseException]) -> str:
    if error is None:
        return "not submitted"
    if isinstance(error, BudgetExceededError):
        return "not submitted: the job reached its --max-cost"
    if isinstance(error, PaymentRequiredError):
        return "not submitted: not enough credit (402); top up and run the same command again"
    return f"not submitted: the job stopped ({type(error).__name__}); run the same command again"


def _final_records(
    store: JobStore, why: str, include_basis: bool, group_id: str
) -> Iterator[dict[str, Any]]:
    for row in store.rows():
        if row.record is not None:
            record = json.loads(row.record)
            if not include_basis:
                record.pop("basis", None)
            yield record
            continue
        value = json.loads(row.input)
        if row.attempt == 0:
            yield placeholder(row.key, value, "not_submitted", why, group_id=group_id)
        else:
            run_id = None
            found = [a for a in store.attempts_of(row.key) if a["attempt"] == row.attempt]
            if found:
                run_id = found[0]["run_id"]
            yield placeholder(
                row.key,
                value,
                "unfinished",
                "the run was still active when the job stopped; run the same command again to "
                "collect it",
                run_id=run_id,
                group_id=group_id,
            )


def _output_fields(spec: Optional[Mapping[str, Any]]) -> Optional[tuple[tuple[str, str], ...]]:
    """The output schema's top-level fields and their JSON types (None: text or auto output)."""
    if not spec:
        return None
    holder = spec.get("output_schema")
    if not isinstance(holder, Mapping) or holder.get("type", "json") != "json":
        return None
    schema = holder.get("json_schema")
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping) or not props:
        return None
    fields = []
    for name, sub in props.items():
        kind = sub.get("type") if isinstance(sub, Mapping) else None
        fields.append((str(name), kind if isinstance(kind, str) else "any"))
    return tuple(fields)
