"""Exactly-once submission of rows to a task group: batching, pacing, journaling, reconciliation.

``submit_rows(group, rows)`` streams ``rows`` (any iterable; a generator over a file larger than
memory is fine), turns each into a run input carrying its row key in ``metadata["row_key"]``,
packs inputs into add-runs POSTs within the count and byte limits, paces them under the
run-creation quota, and never creates a run twice:

* a batch is written to the journal as *pending* before its POST and *confirmed* after;
* a 429 is a certain "not created": wait ``Retry-After`` and send the batch again;
* a timeout, broken connection, 408 or 5xx leaves the outcome unknown: the group's runs are read
  and only the rows whose keys are absent are sent again;
* a new process given the same journal first reconciles any batch left pending, then skips rows
  already confirmed and sends the rest once.

Rows are checked chunk by chunk before each POST: an invalid row stops the job before its chunk
is sent (earlier chunks are in the group and journaled, so fixing the row and calling again with
the same journal resumes). When ``rows`` is a list or tuple, every row is checked before anything
is sent.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import attrs
from parallel_taskgroup_api.models import TaskRunInput

from . import errors
from .batching import (
    DEFAULT_MAX_BATCH_BYTES,
    MAX_INPUTS_PER_REQUEST,
    BodyLayout,
    chunk_by_limits,
    dumps,
)
from .journal import MemoryJournal, SubmissionJournal, open_journal
from .metadata import ROW_KEY_FIELD, KeySpec, RowError, derive_key, key_function, metadata_problem
from .pacing import DEFAULT_RATE_PER_MINUTE, RateLimiter

if TYPE_CHECKING:
    from .group import TaskGroup

__all__ = [
    "ROW_KEY_FIELD",
    "PreparedRow",
    "SubmissionError",
    "SubmitReport",
    "existing_keys",
    "submit_rows",
]

log = logging.getLogger("parallel_taskgroup.submission")

JournalArg = Union[SubmissionJournal, str, "os.PathLike[str]", None]
RowInput = Union[str, Mapping[str, Any], TaskRunInput]

_MAX_CONSECUTIVE_429 = 100

PACING_MARGIN_SECONDS = 0.5
"""Added to the limiter's window to absorb skew between this client and the server's window."""


@attrs.define
class SubmitReport:
    """What one ``submit_rows`` call did.

    ``run_ids`` maps the row key of every row of this call whose run is known to exist (created
    now or before) to its run id. ``sent`` counts runs created by this call, ``skipped`` rows
    already in the group (journal or reconciliation) or skipped as duplicates, ``failed`` rows
    the server refused. Cursors are those of the first and last successful add-runs responses.
    """

    group_id: str
    rows: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    run_ids: dict[str, str] = attrs.field(factory=dict, repr=False)
    failed_keys: list[str] = attrs.field(factory=list, repr=False)
    requests: int = 0
    rate_limited: int = 0
    reconciliations: int = 0
    first_run_cursor: Optional[str] = None
    last_run_cursor: Optional[str] = None
    first_event_cursor: Optional[str] = None
    last_event_cursor: Optional[str] = None
    elapsed: float = 0.0
    achieved_rate_per_minute: float = 0.0


class SubmissionError(errors.ParallelError):
    """A submission stopped part-way; ``report`` says what was done, the journal can resume it."""

    def __init__(
        self, message: str, report: SubmitReport, *, cause: Optional[BaseException] = None
    ) -> None:
        status = getattr(cause, "status_code", None)
        ref_id = getattr(cause, "ref_id", None)
        super().__init__(message, status_code=status, ref_id=ref_id)
        self.report = report


@attrs.define(slots=True)
class PreparedRow:
    """One row ready to send: its index in the input, key, run-input JSON value and its size."""

    position: int
    key: str
    payload: dict[str, Any]
    size: int


@attrs.define
class _Plan:
    """Everything per-job that turns rows into run inputs."""

    processor: str
    base_metadata: dict[str, Any]
    layout: BodyLayout
    task_spec: Optional[dict[str, Any]]
    max_inputs: int
    max_bytes: int
    get_key: Optional[Callable[[Any], str]]
    to_input: Optional[Callable[[Any], Any]]
    row_metadata: Optional[Callable[[Any], Mapping[str, Any]]]
    extra_fields: dict[str, Any]
    skip_duplicates: bool


def _spec_dict(spec: Any) -> Optional[dict[str, Any]]:
    if spec is None:
        return None
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    if not isinstance(spec, Mapping):
        raise TypeError(
            f"task_spec must be a TaskSpec or a dict in the API's TaskSpec shape, "
            f"got {type(spec).__name__}"
        )
    result = dict(spec)
    dumps(result)  # fail now, not mid-job, if it cannot be serialised
    return result


def _make_plan(
    group: TaskGroup,
    *,
    key: KeySpec,
    processor: Optional[str],
    task_spec: Any,
    to_input: Optional[Callable[[Any], Any]],
    row_metadata: Optional[Callable[[Any], Mapping[str, Any]]],
    input_fields: Optional[Mapping[str, Any]],
    max_batch_inputs: int,
    max_batch_bytes: int,
    limit: int,
    duplicates: str,
) -> _Plan:
    chosen = processor or group.processor
    if not chosen or not isinstance(chosen, str):
        raise ValueError(
            "no processor for the runs: pass processor= to add_runs, or to create_group/group "
            "(e.g. processor='base')"
        )
    base = dict(group.run_metadata or {})
    problem = metadata_problem(base)
    if problem:
        raise ValueError(f"the group's run_metadata is invalid: {problem}")
    if ROW_KEY_FIELD in base:
        raise ValueError(
            f"the group's run_metadata must not set {ROW_KEY_FIELD!r}: it holds each row's key"
        )
    if duplicates not in ("error", "skip"):
        raise ValueError(f"duplicates must be 'error' or 'skip', got {duplicates!r}")
    if not 1 <= max_batch_inputs <= MAX_INPUTS_PER_REQUEST:
        raise ValueError(
            f"max_batch_inputs must be between 1 and {MAX_INPUTS_PER_REQUEST}, "
            f"got {max_batch_inputs}"
        )
    extra = dict(input_fields or {})
    clash = {"input", "processor", "metadata"} & set(extra)
    if clash:
        raise ValueError(f"input_fields must not set {sorted(clash)}; use the dedicated options")
    dumps(extra)
    spec = _spec_dict(task_spec if task_spec is not None else group.task_spec)
    layout = BodyLayout({"default_task_spec": spec} if spec is not None else None)
    if max_batch_bytes <= layout.overhead:
        raise ValueError(
            f"max_batch_bytes={max_batch_bytes} leaves no room for inputs "
            f"(the request's fixed part alone is {layout.overhead} bytes)"
        )
    return _Plan(
        processor=chosen,
        base_metadata=base,
        layout=layout,
        task_spec=spec,
        max_inputs=min(max_batch_inputs, limit),
        max_bytes=max_batch_bytes,
        get_key=key_function(key),
        to_input=to_input,
        row_metadata=row_metadata,
        extra_fields=extra,
        skip_duplicates=duplicates == "skip",
    )


_STR_ONLY = frozenset({str})


def _describe_type(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _prepare_one(plan: _Plan, position: int, row: Any) -> PreparedRow:
    mapped = row
    if plan.to_input is not None:
        try:
            mapped = plan.to_input(row)
        except Exception as exc:  # the caller's function: report which row broke it
            raise RowError(position, f"to_input failed: {type(exc).__name__}: {exc}") from None
    fields: dict[str, Any] = {}
    own_meta: Mapping[str, Any] = {}
    kind = type(mapped)
    if kind is dict or kind is str:
        value = mapped
    elif isinstance(mapped, TaskRunInput):
        fields = mapped.to_dict()
        value = fields.pop("input")
        own_meta = fields.pop("metadata", None) or {}
        fields.pop("processor", None)
    elif isinstance(mapped, (str, Mapping)):
        value = mapped if isinstance(mapped, str) else dict(mapped)
    else:
        hint = "" if plan.to_input else "; pass to_input= to map other objects to a run input"
        raise RowError(
            position,
            f"a row must be a str or dict (the run input), got {_describe_type(mapped)}{hint}",
        )
    if type(value) is dict and not set(map(type, value)) <= _STR_ONLY:
        bad = next(k for k in value if not isinstance(k, str))
        raise RowError(position, f"input keys must be strings, found {bad!r}")
    try:
        key = plan.get_key(row) if plan.get_key is not None else derive_key(value)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise RowError(position, _json_problem(exc) if plan.get_key is None else str(exc)) from None
    metadata = dict(plan.base_metadata)
    if own_meta:
        metadata.update(own_meta)
    if plan.row_metadata is not None:
        try:
            extra_meta = plan.row_metadata(row)
        except Exception as exc:  # the caller's function
            raise RowError(
                position, f"metadata function failed: {type(exc).__name__}: {exc}", key=key
            ) from None
        problem = metadata_problem(extra_meta)
        if problem:
            raise RowError(position, problem, key=key)
        metadata.update(extra_meta)
    elif own_meta:
        problem = metadata_problem(own_meta)
        if problem:
            raise RowError(position, problem, key=key)
    if ROW_KEY_FIELD in metadata:
        raise RowError(
            position,
            f"row metadata must not set {ROW_KEY_FIELD!r}; it holds the row key (use key=)",
            key=key,
        )
    metadata[ROW_KEY_FIELD] = key
    payload = {"input": value, "processor": plan.processor, "metadata": metadata}
    if fields:
        payload.update({k: v for k, v in fields.items() if k not in payload})
    if plan.extra_fields:
        payload.update(plan.extra_fields)
    try:
        text = dumps(payload)
    except (TypeError, ValueError, RecursionError) as exc:
        raise RowError(position, _json_problem(exc), key=key) from None
    size = len(text.encode("utf-8")) if not text.isascii() else len(text)
    if plan.layout.overhead + size > plan.max_bytes:
        raise RowError(
            position,
            f"this run input alone needs a {plan.layout.overhead + size}-byte request, over "
            f"max_batch_bytes={plan.max_bytes}; shorten the input or raise max_batch_bytes",
            key=key,
        )
    return PreparedRow(position, key, payload, size)


def _json_problem(exc: BaseException) -> str:
    return (
        f"the input is not JSON-serialisable ({exc}); "
        "convert such values to str, int, float, list or dict"
    )


def _prepare(plan: _Plan, rows: Iterable[Any], report: SubmitReport) -> Iterator[PreparedRow]:
    first_seen: dict[str, int] = {}
    for position, row in enumerate(rows):
        report.rows = position + 1
        prepared = _prepare_one(plan, position, row)
        earlier = first_seen.get(prepared.key)
        if earlier is not None:
            if plan.skip_duplicates:
                report.skipped += 1
                continue
            raise RowError(
                position,
                f"duplicate row key (first used by the row at index {earlier}); keys must be "
                "unique within a job: give distinct keys, or pass duplicates='skip'",
                key=prepared.key,
            )
        first_seen[prepared.key] = position
        yield prepared


def _drop_confirmed(
    prepared: Iterable[PreparedRow],
    journal: SubmissionJournal,
    group_id: str,
    report: SubmitReport,
    lookahead: int,
) -> Iterator[PreparedRow]:
    """Skip rows the journal already knows as created, looking them up ``lookahead`` at a time."""
    it = iter(prepared)
    while True:
        block: list[PreparedRow] = []
        for row in it:
            block.append(row)
            if len(block) >= lookahead:
                break
        if not block:
            return
        known = journal.confirmed_among(group_id, [r.key for r in block])
        for row in block:
            run_id = known.get(row.key)
            if run_id is None:
                yield row
            else:
                report.skipped += 1
                report.run_ids[row.key] = run_id


def _run_key(event: Any) -> Optional[tuple[str, str]]:
    run = getattr(event, "run", None)
    metadata = getattr(run, "metadata", None)
    props = getattr(metadata, "additional_properties", metadata)
    if not isinstance(props, Mapping):
        return None
    value = props.get(ROW_KEY_FIELD)
    run_id = getattr(run, "run_id", None)
    if value is None or not isinstance(run_id, str):
        return None
    return str(value), run_id


def existing_keys(group: TaskGroup, wanted: Optional[set[str]] = None) -> dict[str, str]:
    """Row key -> run id for runs in ``group`` (only keys in ``wanted`` when given), read from
    the group's runs stream."""
    found: dict[str, str] = {}
    for event in group.runs(include_input=False):
        pair = _run_key(event)
        if pair is None:
            continue
        key, run_id = pair
        if (wanted is None or key in wanted) and key not in found:
            found[key] = run_id
    return found


class _Submitter:
    """Sends prepared chunks with pacing, journaling and reconciliation for one job."""

    def __init__(
        self,
        group: TaskGroup,
        plan: _Plan,
        journal: SubmissionJournal,
        limiter: RateLimiter,
        report: SubmitReport,
        *,
        continue_on_error: bool,
        reconcile_delay: float,
        max_attempts: int,
        sleep: Callable[[float], None],
        on_progress: Optional[Callable[[SubmitReport], None]],
    ) -> None:
        self.group = group
        self.plan = plan
        self.journal = journal
        self.limiter = limiter
        self.report = report
        self.continue_on_error = continue_on_error
        self.reconcile_delay = reconcile_delay
        self.max_attempts = max_attempts
        self.sleep = sleep
        self.on_progress = on_progress
        self.path = f"/v1/tasks/groups/{group.id}/runs"
        beta = ",".join(group.betas) if group.betas else None
        self.headers = {"parallel-beta": beta} if beta else None
        self._answered = False

    def _stop(self, message: str, cause: Optional[BaseException] = None) -> SubmissionError:
        return SubmissionError(message, self.report, cause=cause)

    def reconcile_pending(self, *, record_group: bool = False) -> None:
        """Resolve batches left pending by an earlier process; with ``record_group``, also
        record every key already in the group as confirmed (so those rows are skipped)."""
        pending = self.journal.pending_batches(self.group.id)
        if not pending and not record_group:
            return
        keys = {k for _, ks in pending for k in ks}
        log.info(
            "reconciling %d pending batch(es) (%d keys) against group %s",
            len(pending),
            len(keys),
            self.group.id,
        )
        found = self._read_group(None if record_group else keys)
        self.report.reconciliations += 1
        if record_group:
            self.journal.confirm(self.group.id, found)
        for batch_id, batch_keys in pending:
            self.journal.confirm(
                self.group.id,
                {k: found[k] for k in batch_keys if k in found},
                batch_id=batch_id,
            )

    def _read_group(self, wanted: Optional[set[str]]) -> dict[str, str]:
        attempt = 0
        while True:
            try:
                return existing_keys(self.group, wanted)
            except (errors.APIConnectionError, errors.ServerError, errors.StreamError) as exc:
                attempt += 1
                if attempt >= self.max_attempts:
                    raise self._stop(
                        f"cannot read group {self.group.id} to reconcile an unknown outcome "
                        f"after {attempt} attempts ({exc}); the journal keeps the batch "
                        "pending: call again with the same journal to resume",
                        exc,
                    ) from exc
                self.sleep(min(self.reconcile_delay * 2**attempt, 30.0))

    def send(self, chunk: Sequence[PreparedRow]) -> None:
        """Create runs for ``chunk`` exactly once (or record them as failed)."""
        pending = list(chunk)
        attempts = 0  # POSTs whose outcome was unknown
        throttled = 0  # consecutive 429s
        while pending:
            if attempts >= self.max_attempts or throttled >= _MAX_CONSECUTIVE_429:
                raise self._stop(
                    f"gave up on a batch of {len(pending)} rows after {attempts} unknown "
                    f"outcomes and {throttled} consecutive 429s; call again with the same "
                    "journal to resume"
                )
            self.limiter.acquire(len(pending))
            batch_id = uuid.uuid4().hex
            keys = [r.key for r in pending]
            self.journal.open_batch(self.group.id, batch_id, keys)
            body: dict[str, Any] = {"inputs": [r.payload for r in pending]}
            if self.plan.task_spec is not None:
                body["default_task_spec"] = self.plan.task_spec
            self.report.requests += 1
            try:
                response = self.group.client.request(
                    "POST",
                    self.path,
                    params={"refresh_status": "false"},
                    json=body,
                    headers=self.headers,
                    retry=False,
                )
                run_ids, run_cursor, event_cursor = _parse_answer(response, len(pending))
            except errors.RateLimitError as exc:
                self.journal.discard_batch(self.group.id, batch_id)
                self.report.rate_limited += 1
                throttled += 1
                wait = exc.retry_after if exc.retry_after is not None else min(2.0**throttled, 60)
                log.info("429 on add-runs; waiting %.2fs before resending", wait)
                self.limiter.defer(wait)
                continue
            except (
                errors.ServerError,
                errors.RequestTimeoutError,
                errors.APIConnectionError,
                errors.ResponseFormatError,
            ) as exc:
                attempts += 1
                throttled = 0
                pending = self._reconcile(batch_id, pending, exc, attempts)
                continue
            except (errors.AuthenticationError, errors.NotFoundError, errors.RedirectError) as exc:
                self.journal.discard_batch(self.group.id, batch_id)
                raise self._stop(f"add-runs refused: {exc}", exc) from exc
            except errors.APIStatusError as exc:
                self.journal.discard_batch(self.group.id, batch_id)
                self.report.failed += len(pending)
                self.report.failed_keys.extend(keys)
                if not self.continue_on_error:
                    first = pending[0].position
                    raise self._stop(
                        f"add-runs refused the batch starting at row index {first}: {exc}", exc
                    ) from exc
                log.warning("batch of %d rows refused: %s", len(pending), exc)
                break
            runs = dict(zip(keys, run_ids))
            self.journal.confirm(self.group.id, runs, batch_id=batch_id)
            self._created(runs)
            self._cursors(run_cursor, event_cursor)
            pending = []
        if self.on_progress is not None:
            self.on_progress(self.report)

    def _reconcile(
        self, batch_id: str, pending: list[PreparedRow], exc: BaseException, attempt: int
    ) -> list[PreparedRow]:
        log.warning(
            "add-runs outcome unknown for %d rows (%s); reconciling with the group",
            len(pending),
            exc,
        )
        self.report.reconciliations += 1
        # Give a request the server may still be processing time to land before reading.
        self.sleep(min(self.reconcile_delay * 2 ** (attempt - 1), 30.0))
        found = self._read_group({r.key for r in pending})
        self.journal.confirm(self.group.id, found, batch_id=batch_id)
        self._created(found)
        return [r for r in pending if r.key not in found]

    def _created(self, runs: Mapping[str, str]) -> None:
        self.report.sent += len(runs)
        self.report.run_ids.update(runs)

    def _cursors(self, run_cursor: Optional[str], event_cursor: Optional[str]) -> None:
        report = self.report
        if not self._answered:
            self._answered = True
            report.first_run_cursor = run_cursor
            report.first_event_cursor = event_cursor
        report.last_run_cursor = run_cursor
        report.last_event_cursor = event_cursor


def _parse_answer(response: Any, expected: int) -> tuple[list[str], Optional[str], Optional[str]]:
    """Run ids (in input order) and the run/event cursors of an add-runs answer."""
    try:
        data = response.json()
    except ValueError:
        raise errors.ResponseFormatError(
            "add-runs answered with a body that is not JSON", status_code=response.status_code
        ) from None
    ids = data.get("run_ids") if isinstance(data, dict) else None
    if (
        not isinstance(ids, list)
        or len(ids) != expected
        or not all(isinstance(i, str) for i in ids)
    ):
        raise errors.ResponseFormatError(
            f"add-runs answered without {expected} run ids", status_code=response.status_code
        )
    run_cursor = data.get("run_cursor")
    event_cursor = data.get("event_cursor")
    return (
        ids,
        run_cursor if isinstance(run_cursor, str) else None,
        event_cursor if isinstance(event_cursor, str) else None,
    )


def _open(journal: JournalArg) -> tuple[SubmissionJournal, bool]:
    if journal is None:
        return MemoryJournal(), True
    if isinstance(journal, (str, os.PathLike)):
        return open_journal(journal), True
    if not isinstance(journal, SubmissionJournal):
        raise TypeError(
            "journal must be a SubmissionJournal (MemoryJournal, SqliteJournal, JsonlJournal) "
            f"or a file path, got {type(journal).__name__}"
        )
    return journal, False


def submit_rows(
    group: TaskGroup,
    rows: Iterable[Any],
    *,
    key: KeySpec = None,
    journal: JournalArg = None,
    to_input: Optional[Callable[[Any], RowInput]] = None,
    metadata: Optional[Callable[[Any], Mapping[str, Any]]] = None,
    processor: Optional[str] = None,
    task_spec: Any = None,
    input_fields: Optional[Mapping[str, Any]] = None,
    max_batch_inputs: int = MAX_INPUTS_PER_REQUEST,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
    rate_limiter: Optional[RateLimiter] = None,
    duplicates: str = "error",
    skip_existing: bool = False,
    continue_on_error: bool = False,
    on_progress: Optional[Callable[[SubmitReport], None]] = None,
    reconcile_delay: float = 1.0,
    max_attempts: int = 10,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> SubmitReport:
    """Add one run per row to ``group``, each exactly once; see the module docstring.

    ``rows``: any iterable of run inputs (str or dict), or of other objects mapped by
    ``to_input`` (which may also return a ``TaskRunInput`` for full control of one run).
    ``key``: ``None`` derives a 16-character key from each input (equal inputs, equal keys);
    a field name reads it from each row; a function computes it. Keys must be unique within the
    job (``duplicates="skip"`` skips repeats instead of raising). ``metadata``: a function giving
    each row's own run metadata, merged over the group's ``run_metadata``.
    ``journal``: a journal or a file path (``.jsonl`` JSON lines, else SQLite) to make the job
    resumable across processes; default in memory. ``skip_existing`` reads the group's runs
    first and skips rows whose keys are already there (useful without a journal).
    ``rate_per_minute`` / ``rate_limiter``: pacing of run creations (default 2,000/min).
    ``continue_on_error``: keep going after the server refuses a batch (400/422), counting its
    rows as failed; otherwise :class:`SubmissionError` is raised (with ``.report``).

    Raises :class:`~parallel_taskgroup.metadata.RowError` (``.position``, ``.report``) for an
    invalid row; nothing of the chunk holding it was sent.
    """
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise TypeError(
            f"rows must be an iterable of rows (e.g. a list or a generator), got "
            f"{_describe_type(rows)}; wrap a single row in a list"
        )
    started = clock()
    limiter = rate_limiter or RateLimiter(
        rate_per_minute, 60.0, margin=PACING_MARGIN_SECONDS, clock=clock, sleep=sleep
    )
    plan = _make_plan(
        group,
        key=key,
        processor=processor,
        task_spec=task_spec,
        to_input=to_input,
        row_metadata=metadata,
        input_fields=input_fields,
        max_batch_inputs=max_batch_inputs,
        max_batch_bytes=max_batch_bytes,
        limit=limiter.limit,
        duplicates=duplicates,
    )
    report = SubmitReport(group_id=group.id)
    store, owned = _open(journal)
    submitter = _Submitter(
        group,
        plan,
        store,
        limiter,
        report,
        continue_on_error=continue_on_error,
        reconcile_delay=reconcile_delay,
        max_attempts=max_attempts,
        sleep=sleep,
        on_progress=on_progress,
    )
    try:
        submitter.reconcile_pending(record_group=skip_existing)
        prepared: Iterable[PreparedRow] = _prepare(plan, rows, report)
        if isinstance(rows, (list, tuple)):
            prepared = list(prepared)  # check every row before sending anything
        fresh = _drop_confirmed(prepared, store, group.id, report, plan.max_inputs)
        for chunk in chunk_by_limits(
            fresh,
            max_items=plan.max_inputs,
            max_bytes=plan.max_bytes,
            size=_size_of,
            overhead=plan.layout.overhead,
            separator=plan.layout.separator,
        ):
            submitter.send(chunk)
    except (RowError, SubmissionError) as exc:
        _finish(report, started, clock)
        exc.report = report
        raise
    finally:
        if owned:
            store.close()
    return _finish(report, started, clock)


def _size_of(row: PreparedRow) -> int:
    return row.size


def _finish(report: SubmitReport, started: float, clock: Callable[[], float]) -> SubmitReport:
    report.elapsed = max(0.0, clock() - started)
    report.achieved_rate_per_minute = report.sent / report.elapsed * 60 if report.elapsed else 0.0
    return report
