"""Exactly-once submission of rows to a task group: the journal protocol around each POST.

``submit_rows`` streams ``rows`` (any iterable; a generator over a file larger than memory is
fine) through :mod:`.prepare` and :mod:`.batches`, paces the POSTs, and never creates a run
twice:

* a batch is written to the journal as *pending* before its POST and *confirmed* after;
* a 429 is a certain "not created": wait (``Retry-After``, or what :mod:`.pacing` learned)
  and send the batch again;
* a 402 (not enough credit) is a certain "not created" too, and stops the job at once: more
  POSTs cannot succeed until the account is topped up;
* a timeout, broken connection, cut answer, 408 or 5xx leaves the outcome unknown: the group's
  runs are read (:mod:`.reconcile`); if rows are missing, the POST may still land (a proxy may
  hold it), so the read is repeated once it can no longer be applied (its send time + its
  timeout + a margin), and only the rows still absent are sent again;
* a new process given the same journal first settles any batch left pending the same way (it
  waits only what is left of that time), then skips rows already confirmed and sends the rest;
* every failed POST and every failed read of the group count against the client's one retry
  policy, per batch.

Rows are checked chunk by chunk before each POST: an invalid row stops the job before its chunk
is sent (earlier chunks are in the group and journaled, so fixing the row and calling again with
the same journal resumes). When ``rows`` is a list or tuple, every row is checked before anything
is sent.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Callable, Optional, Union

import attrs

from .. import errors
from .._clock import Interrupted
from .._endpoints import get_group
from .._http import LONG_WAIT_SECONDS, HttpCore
from .._retry import RetryPolicy
from .._words import plural
from .batches import chunk_by_limits
from .group_lock import sending_to
from .journal import MemoryJournal, PendingBatch, SqliteJournal, SubmissionJournal, open_journal
from .keys import KeySpec
from .pacing import MARGIN_SECONDS, WINDOW_SECONDS, Pacer, RateLimiter
from .prepare import (
    Duplicates,
    PreparedInput,
    RowPlan,
    make_plan,
    prepare_checked,
    prepare_rows,
)
from .reconcile import GroupKeys, existing_keys
from .report import SubmitReport
from .sender import post_batch

__all__ = ["JournalArg", "SubmitOptions", "submit_rows"]

log = logging.getLogger("parallel_taskgroup.submission")

JournalArg = Union[SubmissionJournal, str, os.PathLike[str], None]


@attrs.frozen
class SubmitOptions:
    """How one ``add_runs`` call turns rows into runs (see ``TaskGroup.add_runs``)."""

    key: KeySpec = None
    journal: JournalArg = None
    to_input: Optional[Callable[[Any], Any]] = None
    metadata: Optional[Callable[[Any], Mapping[str, Any]]] = None
    input_fields: Optional[Mapping[str, Any]] = None
    max_batch_inputs: int = 1000
    max_batch_bytes: int = 5_000_000
    rate_per_minute: Optional[int] = None
    requests_per_minute: Optional[int] = None
    rate_limiter: Optional[RateLimiter] = None
    duplicates: Duplicates = "error"
    skip_existing: Optional[bool] = False
    """Read the group first and skip rows already in it; None: when neither ``known_empty`` nor
    the journal (a record of this group) says there is nothing to find."""
    known_empty: bool = False
    """The group holds no run yet (its handle created it and has added none)."""
    continue_on_error: bool = False
    on_progress: Optional[Callable[[SubmitReport], None]] = None
    attempt: int = 1
    """Which attempt of each row this call creates (a retry is attempt 2 and up)."""
    keep_run_ids: bool = True
    """Whether the report collects every row's run id (a job keeps them in its store)."""
    budget: Optional[Callable[[int], Optional[str]]] = None
    """Asked with a batch's size before its POST: None lets it go, a message stops the call
    with BudgetExceededError (nothing of the batch is sent)."""
    checked_rows: bool = False
    """Each row is a ``(key, input text)`` pair of a row checked once already (a job's store
    holds its rows so, each key once): its run input is written from that text, and no set
    of the keys seen is kept, so memory stays flat however many rows there are."""


class _Batches:
    """Sends prepared chunks of one job with pacing, journaling and reconciliation."""

    def __init__(
        self,
        core: HttpCore,
        group_id: str,
        plan: RowPlan,
        journal: SubmissionJournal,
        pacer: Pacer,
        report: SubmitReport,
        options: SubmitOptions,
        beta_header: Optional[str],
    ) -> None:
        self.core = core
        self.clock = core.clock
        self.group_id = group_id
        self.plan = plan
        self.journal = journal
        self.pacer = pacer
        self.report = report
        self.options = options
        self.beta_header = beta_header
        self._answered = False

    def _stop(self, message: str, cause: Optional[BaseException] = None) -> errors.SubmissionError:
        return errors.SubmissionError(message, self.report, cause=cause)

    # -- settling POSTs of unknown outcome -------------------------------------------------

    def reconcile_pending(self, *, record_group: bool = False) -> None:
        """Settle batches an earlier process left pending; with ``record_group``, also record
        every key already in the group as confirmed (so those rows are skipped)."""
        pending = self.journal.pending_batches(self.group_id)
        if not pending and not record_group:
            return
        if pending:
            log.info(
                "%d batch(es) of an earlier call may or may not be in group %s; settling them",
                len(pending),
                self.group_id,
            )
        self.report.reconciliations += bool(pending)
        self.report.group_read = record_group
        found, _ = self._settle(pending, record_group, "an earlier run", self.core.retry)
        if record_group:
            self.journal.confirm(self.group_id, found)
        for batch in pending:
            self.journal.confirm(
                self.group_id,
                {k: found[k] for k in batch.keys if k in found},
                batch_id=batch.batch_id,
            )

    def _settle(
        self,
        batches: Sequence[PendingBatch],
        whole_group: bool,
        sender: str,
        retry: RetryPolicy,
    ) -> tuple[dict[str, str], RetryPolicy]:
        """The runs the group holds for the keys of ``batches`` (every key with
        ``whole_group``) once none of their POSTs can still land.

        The group is read at once; while keys are missing and a POST could still be applied
        (:meth:`PendingBatch.settles_at`), the wait until then is said and waited out, and the
        group read again: a late POST cannot make a row be sent twice."""
        wanted = None if whole_group else {k for b in batches for k in b.keys}
        found = self._read_group(wanted, retry)
        expected = {k for b in batches for k in b.keys}
        if not expected.issubset(found.runs):
            now = self.clock.wall()
            wait = max((b.settles_at(now) for b in batches), default=now) - now
            if wait > 0:
                why = f"waiting {wait:.0f} s for a request {sender} sent, so no row is sent twice"
                # A warning: a call that blocks this long says why, logging set up or not.
                log.warning("%s (group %s)", why, self.group_id)
                self.core.waiting(why, wait)
                self.clock.sleep(wait)
                found = self._read_group(wanted, found.retry)
        if found.extra:
            self._extra_runs(found.extra)
        return found.runs, found.retry

    def _read_group(self, wanted: Optional[set[str]], retry: RetryPolicy) -> GroupKeys:
        """The group's runs (of the ``wanted`` keys); SubmissionError when they cannot be read
        (the cause's status and ref_id are carried, not repeated in the message)."""
        try:
            return existing_keys(self.core, self.group_id, wanted, retry=retry)
        except errors.NotFoundError as exc:
            raise self._stop(
                f"group {self.group_id} was not found ({exc.message}); check the group id",
                exc,
            ) from exc
        except (errors.APIError, errors.StreamError) as exc:
            if self.journal.pending_batches(self.group_id):
                why = (
                    "to settle an add-runs request of unknown outcome; the journal keeps the "
                    "batch pending: call again with the same journal to resume"
                )
            else:
                why = "to skip rows already in it; nothing was sent: call again to go on"
            raise self._stop(
                f"cannot read group {self.group_id} ({exc.message}) {why}", exc
            ) from exc

    def _extra_runs(self, extra: Mapping[str, list[str]]) -> None:
        log.warning(
            "group %s holds more than one run for %s (each was billed): %s",
            self.group_id,
            plural(len(extra), "row"),
            ", ".join(sorted(extra)[:5]) + (" ..." if len(extra) > 5 else ""),
        )
        for key, run_ids in extra.items():
            known = self.report.duplicate_runs.setdefault(key, [])
            known.extend(r for r in run_ids if r not in known)

    # -- one batch ---------------------------------------------------------------------

    def _count(self, policy: RetryPolicy, exc: errors.ParallelError, rows: int) -> RetryPolicy:
        """``policy`` after one more failed POST of this batch; SubmissionError once spent."""
        try:
            return self.core.failed(policy, exc)
        except errors.ParallelError:
            raise self._stop(
                f"gave up on a batch of {plural(rows, 'row')} ({policy.describe()}; last: "
                f"{exc.message}); call again with the same journal to resume",
                exc,
            ) from exc

    def send(self, chunk: Sequence[PreparedInput]) -> None:
        """Create runs for ``chunk`` exactly once (or record them as failed)."""
        pending = list(chunk)
        policy = self.core.retry
        while pending:
            if self.clock.interrupted:
                raise Interrupted()
            if self.options.budget is not None:
                refusal = self.options.budget(len(pending))
                if refusal is not None:
                    raise errors.BudgetExceededError(refusal, self.report)
            self._wait_for_a_slot(len(pending))
            keys = [r.key for r in pending]
            batch = PendingBatch(
                uuid.uuid4().hex, keys, self.clock.wall(), self.core.submit_timeout
            )
            self.journal.open_batch(
                self.group_id,
                batch.batch_id,
                keys,
                sent_at=batch.sent_at or 0.0,
                timeout=batch.timeout,
            )
            body = self.plan.layout.build([r.data for r in pending])
            self.report.requests += 1
            try:
                answer = post_batch(
                    self.core,
                    self.group_id,
                    body,
                    expected=len(pending),
                    beta_header=self.beta_header,
                )
            except errors.RateLimitError as exc:
                self.journal.discard_batch(self.group_id, batch.batch_id)
                self.report.rate_limited += 1
                policy = self._count(policy, exc, len(pending))
                wait = self.pacer.refused(len(pending), exc.retry_after)
                log.log(
                    logging.WARNING if wait >= LONG_WAIT_SECONDS else logging.INFO,
                    "429 on add-runs: sending the batch again in %.1fs",
                    wait,
                )
                self.core.waiting("rate limit (429 from the service): next batch", wait)
                continue
            except errors.PaymentRequiredError as exc:
                self.journal.discard_batch(self.group_id, batch.batch_id)
                raise self._payment_required(exc, pending[0].position) from exc
            except (
                errors.ServerError,
                errors.RequestTimeoutError,
                errors.APIConnectionError,
                errors.ResponseFormatError,
            ) as exc:
                if isinstance(exc, errors.APIConnectionError) and not exc.maybe_sent:
                    self.journal.discard_batch(self.group_id, batch.batch_id)
                    raise self._stop(
                        f"add-runs could not reach the server: {exc.message}", exc
                    ) from exc
                policy = self._count(policy, exc, len(pending))
                pending = self._unknown_outcome(batch, pending, exc, policy)
                continue
            except (errors.AuthenticationError, errors.NotFoundError, errors.RedirectError) as exc:
                self.journal.discard_batch(self.group_id, batch.batch_id)
                raise self._stop(f"add-runs refused: {exc.message}", exc) from exc
            except errors.APIStatusError as exc:
                self.journal.discard_batch(self.group_id, batch.batch_id)
                self.report.failed += len(pending)
                self.report.failed_keys.extend(keys)
                if not self.options.continue_on_error:
                    first = pending[0].position
                    raise self._stop(
                        f"add-runs refused the batch starting at row index {first}: {exc.message}",
                        exc,
                    ) from exc
                log.warning("batch of %d rows refused: %s", len(pending), exc)
                break
            runs = dict(zip(keys, answer.run_ids))
            self.journal.confirm(self.group_id, runs, batch_id=batch.batch_id)
            self.pacer.admitted(len(runs))
            self._created(runs)
            self._cursors(answer.run_cursor, answer.event_cursor)
            pending = []
        if self.options.on_progress is not None:
            self.options.on_progress(self.report)

    def _unknown_outcome(
        self,
        batch: PendingBatch,
        pending: list[PreparedInput],
        exc: BaseException,
        policy: RetryPolicy,
    ) -> list[PreparedInput]:
        """The rows of ``batch`` still to send once its POST has settled."""
        log.info("add-runs outcome unknown for %d rows (%s); reading the group", len(pending), exc)
        self.report.reconciliations += 1
        found, _ = self._settle([batch], False, "this call", policy)
        self.journal.confirm(self.group_id, found, batch_id=batch.batch_id)
        self.pacer.admitted(len(found))
        self._created(found)
        return [r for r in pending if r.key not in found]

    def _wait_for_a_slot(self, n: int) -> None:
        while True:
            wait = self.pacer.wait(n)
            if wait <= 0 and self.pacer.reserve(n):
                return
            if wait > 0:
                log.info("waiting %.1fs before the next batch (%s)", wait, self.pacer.reason)
                self.core.waiting(f"{self.pacer.reason}: next batch", wait)
                self.clock.sleep(wait)

    def _payment_required(
        self, exc: errors.PaymentRequiredError, first: int
    ) -> errors.PaymentRequiredError:
        report = self.report
        in_group = report.sent + report.skipped
        error = errors.PaymentRequiredError(
            f"not enough credit for the runs ({exc.message}): {in_group} rows of this call are "
            f"in group {self.group_id}, those from row index {first} on are not (nothing of the "
            "refused batch was created); top up the account, then call again with the same "
            "journal to resume",
            status_code=exc.status_code,
            ref_id=exc.ref_id,
            method=exc.method,
            url=exc.url,
        )
        error.report = report
        return error

    def _created(self, runs: Mapping[str, str]) -> None:
        self.report.sent += len(runs)
        if self.options.keep_run_ids:
            self.report.run_ids.update(runs)

    def _cursors(self, run_cursor: Optional[str], event_cursor: Optional[str]) -> None:
        report = self.report
        if not self._answered:
            self._answered = True
            report.first_run_cursor = run_cursor
            report.first_event_cursor = event_cursor
        report.last_run_cursor = run_cursor
        report.last_event_cursor = event_cursor


def _prepare_checked(
    plan: RowPlan, rows: Iterable[tuple[str, str]], report: SubmitReport
) -> Iterator[PreparedInput]:
    """:func:`prepare_rows` for ``checked_rows`` (see :class:`SubmitOptions`): nothing per row
    is kept."""
    for position, (key, text) in enumerate(rows):
        report.rows = position + 1
        yield prepare_checked(plan, position, key, text)


def _drop_confirmed(
    prepared: Iterable[PreparedInput],
    journal: SubmissionJournal,
    group_id: str,
    report: SubmitReport,
    lookahead: int,
    keep_run_ids: bool,
) -> Iterator[PreparedInput]:
    """Skip rows the journal already knows as created, looking them up ``lookahead`` at a time."""
    it = iter(prepared)
    while True:
        block: list[PreparedInput] = []
        for row in it:
            block.append(row)
            if len(block) >= lookahead:
                break
        if not block:
            return
        known = journal.confirmed_among(group_id, [r.key for r in block])
        if not known:  # a fresh job: nothing to skip
            yield from block
            continue
        for row in block:
            run_id = known.get(row.key)
            if run_id is None:
                yield row
            else:
                report.skipped += 1
                if keep_run_ids:
                    report.run_ids[row.key] = run_id


def _open(journal: JournalArg) -> tuple[SubmissionJournal, bool]:
    if journal is None:
        return MemoryJournal(), True
    if isinstance(journal, (str, os.PathLike)):
        return open_journal(journal), True
    if not isinstance(journal, SubmissionJournal):
        raise errors.ArgumentTypeError(
            "journal must be a SubmissionJournal (MemoryJournal, SqliteJournal, JsonlJournal) "
            f"or a file path, got {type(journal).__name__}"
        )
    return journal, False


def _size_of(row: PreparedInput) -> int:
    return len(row.data)


def submit_rows(
    core: HttpCore,
    group_id: str,
    rows: Iterable[Any],
    *,
    processor: Optional[str],
    task_spec: Any,
    run_metadata: Optional[Mapping[str, Any]],
    beta_header: Optional[str],
    options: SubmitOptions,
    unsettled: Optional[MemoryJournal] = None,
) -> SubmitReport:
    """Add one run per row of ``rows`` to group ``group_id``, each exactly once (see the module
    docstring); ``TaskGroup.add_runs`` documents the options. ``unsettled``: where a call
    without a journal leaves the batches it could not settle for the next such call (the
    client's, so that the same call again waits for a POST an interrupt cut off)."""
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        kind = "None" if rows is None else type(rows).__name__
        raise errors.ArgumentTypeError(
            f"rows must be an iterable of rows (e.g. a list or a generator), got {kind}; "
            "wrap a single row in a list"
        )
    clock = core.clock
    started = clock.now()
    pacer = Pacer(_caps(options), clock)
    plan = make_plan(
        processor=processor,
        task_spec=task_spec,
        base_metadata=run_metadata,
        key=options.key,
        to_input=options.to_input,
        row_metadata=options.metadata,
        input_fields=options.input_fields,
        max_batch_inputs=min(
            [options.max_batch_inputs]
            + [cap.limit for cap, per_request in pacer.caps if not per_request]
        ),
        max_batch_bytes=options.max_batch_bytes,
        duplicates=options.duplicates,
        attempt=options.attempt,
    )
    report = SubmitReport(group_id=group_id)
    with sending_to(
        core.base_url, group_id, clock=clock, on_wait=_waiting_for_sender(core)
    ) as waited:
        journal, owned = _open(options.journal)
        try:
            record_group = waited or _reads_group(core, group_id, journal, options)
            batches = _Batches(core, group_id, plan, journal, pacer, report, options, beta_header)
            _send_all(batches, rows, record_group=record_group, unsettled=unsettled)
        except (errors.RowError, errors.SubmissionError, errors.PaymentRequiredError) as exc:
            _finish(report, started, clock.now())
            exc.report = report
            raise
        finally:
            if owned:
                journal.close()
    return _finish(report, started, clock.now())


def _send_all(
    batches: _Batches,
    rows: Iterable[Any],
    *,
    record_group: bool,
    unsettled: Optional[MemoryJournal],
) -> None:
    """Settle what is pending (with ``record_group``, read the whole group), then send every
    row that neither the journal nor the group holds."""
    journal, group_id, options, plan, report = (
        batches.journal,
        batches.group_id,
        batches.options,
        batches.plan,
        batches.report,
    )
    carried = None
    if unsettled is not None and options.journal is None:
        carried = _carry_in(unsettled, journal, group_id)
    try:
        batches.reconcile_pending(record_group=record_group)
        prepared: Iterable[PreparedInput] = (
            _prepare_checked(plan, rows, report)
            if options.checked_rows
            else prepare_rows(plan, rows, report)
        )
        if isinstance(rows, (list, tuple)):
            prepared = list(prepared)  # check every row before sending anything
        fresh = _drop_confirmed(
            prepared, journal, group_id, report, plan.max_inputs, options.keep_run_ids
        )
        for chunk in chunk_by_limits(
            fresh,
            max_items=plan.max_inputs,
            max_bytes=plan.max_bytes,
            size=_size_of,
            overhead=plan.layout.overhead,
        ):
            batches.send(chunk)
    finally:
        if unsettled is not None and carried is not None:
            _carry_out(unsettled, journal, group_id, carried)


def _waiting_for_sender(core: HttpCore) -> Callable[[str], None]:
    def said(why: str) -> None:
        # A warning: a call that blocks on another says why, logging set up or not.
        log.warning("%s", why)
        core.waiting(why, 0)

    return said


def _reads_group(
    core: HttpCore, group_id: str, journal: SubmissionJournal, options: SubmitOptions
) -> bool:
    """Whether the call reads the group before sending: as ``skip_existing`` says, else unless
    the group is known empty or the journal accounts for every run the group holds."""
    if options.skip_existing is not None:
        return options.skip_existing
    if options.known_empty:
        return False
    if not isinstance(journal, (MemoryJournal, SqliteJournal)):
        return False  # a journal of the caller's own kind is trusted
    known = journal.known_runs(group_id)
    if known == 0:
        return True
    try:
        held = get_group(core, group_id).status.num_task_runs
    except errors.NotFoundError as exc:
        raise errors.SubmissionError(
            f"group {group_id} was not found ({exc.message}); check the group id",
            SubmitReport(group_id=group_id),
            cause=exc,
        ) from exc
    except errors.APIError as exc:
        raise errors.SubmissionError(
            f"cannot read group {group_id} ({exc.message}) to check the journal against it; "
            "nothing was sent: call again to go on",
            SubmitReport(group_id=group_id),
            cause=exc,
        ) from exc
    if held <= known:
        return False
    # A journal cut short or restored from a backup, or runs another sender added.
    log.info(
        "group %s holds %d runs, the journal knows of %d; reading the group", group_id, held, known
    )
    return True


def _carry_in(unsettled: MemoryJournal, journal: SubmissionJournal, group_id: str) -> list[str]:
    """Give a call without a journal the batches of ``group_id`` that earlier such calls left
    of unknown outcome (e.g. interrupted during their POST), to settle before sending; their
    ids."""
    batches = unsettled.pending_batches(group_id)
    _reopen(batches, journal, group_id)
    return [b.batch_id for b in batches]


def _carry_out(
    unsettled: MemoryJournal, journal: SubmissionJournal, group_id: str, carried: list[str]
) -> None:
    """Keep in ``unsettled`` the batches still of unknown outcome when the call ends, however it
    ends; forget those carried in that it settled."""
    still = journal.pending_batches(group_id)
    left = {b.batch_id for b in still}
    for batch_id in carried:
        if batch_id not in left:
            unsettled.discard_batch(group_id, batch_id)
    _reopen(still, unsettled, group_id)


def _reopen(batches: Sequence[PendingBatch], journal: SubmissionJournal, group_id: str) -> None:
    """Record ``batches`` (of in-memory journals: each knows when it was sent) as pending in
    ``journal``."""
    for b in batches:
        assert b.sent_at is not None
        journal.open_batch(group_id, b.batch_id, b.keys, sent_at=b.sent_at, timeout=b.timeout)


def _caps(options: SubmitOptions) -> list[tuple[RateLimiter, bool]]:
    """The explicit caps: (limiter, counts requests rather than runs)."""
    caps: list[tuple[RateLimiter, bool]] = []
    if options.rate_limiter is not None:
        caps.append((options.rate_limiter, False))
    for limit, per_request in (
        (options.rate_per_minute, False),
        (options.requests_per_minute, True),
    ):
        if limit is not None:
            caps.append((RateLimiter(limit, WINDOW_SECONDS, margin=MARGIN_SECONDS), per_request))
    return caps


def _finish(report: SubmitReport, started: float, now: float) -> SubmitReport:
    report.elapsed = max(0.0, now - started)
    report.achieved_rate_per_minute = report.sent / report.elapsed * 60 if report.elapsed else 0.0
    return report
