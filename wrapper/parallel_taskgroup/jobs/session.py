"""One session of a job, as phases that hand values on:

1. attach: the state file, the journal, every input row read in once (:mod:`.attach`);
2. quote and confirm; open the group: create it, attach to the job's, or to ``group_id``;
3. work: where the journal is untrusted, read the group whole first (:mod:`.group_read`); then
   submit (:mod:`.submitter`, a thread) while collecting results (:mod:`.collector`);
4. finish, however step 3 ended — done, a budget or credit stop, an error, a stop request:
   one line per row, the state saved, the report (:mod:`.finish`).

A stop request (``stop`` set; the command line sets it on Ctrl-C or SIGTERM) interrupts the
session's clock and its results stream: the POST in flight finishes and its outcome is recorded
(bounded by the client's ``submit_timeout``), nothing else is sent, and step 4 runs.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any, Callable, Optional

from .._clock import Interrupted
from .._http import HttpCore
from .._words import plural
from ..client import Client, core_of
from ..errors import (
    BadRequestError,
    ConfigurationError,
    JobError,
    JobInterruptedError,
    NotFoundError,
    ParallelError,
    PaymentRequiredError,
    PermissionDeniedError,
    ValidationError,
)
from ..group import TaskGroup
from ..results import ResultStream
from .attach import Attached, attach, definition_of, discard_new_store
from .collector import CATCH_UP_ROWS, collect, unrecorded
from .finish import finish, finish_without_group
from .group_read import read_group
from .options import InputArg, JobOptions
from .progress import JobListener
from .quote import JobQuote, quote_for
from .recorder import Recorder
from .report import JobReport
from .reporter import JobReporter, StatusPoller
from .revisit import mark_revisits
from .source import InputSource
from .state import JobState, save_state
from .submitter import Submitter

__all__ = ["run_session"]

JOIN_MARGIN = 15.0
"""Seconds past ``submit_timeout`` a stopping session waits for the submission thread (its
POST in flight, then recording the outcome)."""
STOP_POLL_SECONDS = 0.2


def run_session(
    client: Client,
    source_arg: InputArg,
    options: JobOptions,
    *,
    listener: JobListener,
    confirm: Optional[Callable[[JobQuote], bool]],
    stop: Optional[threading.Event],
) -> JobReport:
    """Run one session of the job (the caller holds its lock)."""
    source = InputSource(source_arg, options, os.path.dirname(os.path.abspath(options.out)))
    try:
        attached = attach(options, source, listener)
    finally:
        source.close()
    store = attached.store
    try:
        clock = client.clock.fork()
        reporter = JobReporter(listener, store, options.prices, clock)
        job_client = client.with_options(clock=clock, on_wait=reporter.on_wait)
        mark_revisits(store, options, now=client.clock.wall(), listener=listener)
        quote = quote_for(
            options,
            store,
            spent=reporter.spent(),
            found=attached.found,
            removed=attached.removed,
        )
        try:
            if quote.to_submit and confirm is not None and not confirm(quote):
                raise JobError(
                    f"the job was not confirmed; nothing was sent ({quote.to_submit} rows)"
                )
            if stop is not None and stop.is_set():
                raise JobInterruptedError(
                    "the job stopped as asked before its group was opened; nothing was sent"
                )
        except BaseException:
            if attached.state is None:  # a new job that was never started leaves no files
                discard_new_store(attached)
            raise
        group, state = _open_group(job_client, options, attached, quote, reporter)
        core = core_of(job_client)
        recorder = Recorder(store, options, attached.layout, group.id, reporter)
        error = _work(core, group, state, attached, recorder, reporter, options, stop)
        report = finish(
            store=store,
            recorder=recorder,
            reporter=reporter,
            state=state,
            options=options,
            quote=quote,
            error=error,
        )
    finally:
        store.close()
    if report.extra_runs:
        listener.message(_duplicates_warning(report))
    if error is None:
        return report
    raised = _as_raised(error, report)
    if isinstance(raised, ParallelError):
        raised.job_report = report
    raise raised


def _open_group(
    client: Client,
    options: JobOptions,
    attached: Attached,
    quote: JobQuote,
    reporter: JobReporter,
) -> tuple[TaskGroup, JobState]:
    """The job's group and state: resumed, attached to ``group_id``, or created now. The
    state is saved before the group is created; if that fails, every row gets a placeholder
    line and the same command creates the group next time."""
    store = attached.store
    defaults: dict[str, Any] = {"task_spec": options.task_spec, "processor": options.processor}
    state = attached.state
    if state is not None and state.group_id is not None:
        group = client.group(state.group_id, **defaults)
        group.refresh()  # a wrong key, unknown group or unreachable server fails here
        c = store.counts()
        reporter.message(
            f"resuming group {group.id}: {c.finished:,} of {plural(c.rows, 'row')} finished, "
            f"{c.submitted:,} submitted"
        )
        return group, state
    if state is None:
        state = JobState(
            group_id=None,
            definition=definition_of(options, store.meta("input") or ""),
            journal=os.path.basename(options.journal_path),
            input_name=attached.input_name,
            base_url=client.base_url,
            api_version=client.api_version,
        )
        save_state(options.state_path, state)
    try:
        if options.group_id:
            group = client.group(options.group_id, **defaults)
            group.refresh()
            reporter.message(f"attaching to group {group.id}: reading what it holds")
        else:
            group = client.create_group(metadata=options.metadata, **defaults)
            reporter.message(
                f"group {group.id}: {plural(quote.rows, 'row')} from {attached.input_name} "
                f"(~${quote.cost_usd:.2f} at {quote.processor})"
            )
    except _REFUSED as exc:
        if attached.state is None:  # asked for what cannot be: a new job leaves no files
            with contextlib.suppress(OSError):
                os.unlink(options.state_path)
            discard_new_store(attached)
        raise exc from None
    except BaseException as exc:  # resumable: the same command creates the group next time
        with contextlib.suppress(Exception):
            if options.group_id:  # the group exists: the next run, with --group or not, uses it
                state.group_id = options.group_id
                save_state(options.state_path, state)
                store.set_meta(group_id=options.group_id)
            finish_without_group(store, options, attached.layout, exc)
        raise
    state.group_id = group.id
    save_state(options.state_path, state)
    store.set_meta(group_id=group.id)
    return group, state


_REFUSED = (
    NotFoundError,
    BadRequestError,
    ValidationError,
    PermissionDeniedError,
    ConfigurationError,
)
"""Errors at opening the group that running the same command again cannot heal."""


def _work(
    core: HttpCore,
    group: TaskGroup,
    state: JobState,
    attached: Attached,
    recorder: Recorder,
    reporter: JobReporter,
    options: JobOptions,
    stop: Optional[threading.Event],
) -> Optional[BaseException]:
    """Read the group where needed, then submit and collect side by side; what ended it
    (None: every row has its result and submission is over)."""
    store = attached.store
    submitter = Submitter(core, group.id, store, options, reporter)
    poller = StatusPoller(group, reporter)
    streams: list[ResultStream] = []

    def on_stop() -> None:
        reporter.message(
            f"stopping: the request in flight finishes (at most {core.submit_timeout:.0f} s), "
            "then the results file gets one line per row"
        )
        core.clock.interrupt()
        for stream in streams:
            stream.abort()

    watch = _StopWatch(stop, on_stop)
    error: Optional[BaseException] = None
    try:
        watch.start()
        if not attached.trusted:
            done = read_group(core, group.id, store, recorder, processor=options.processor)
            c = store.counts()
            reporter.message(
                f"read group {group.id}: {plural(done.runs, 'run')} with row keys in "
                f"{done.seconds:.1f}s; {c.finished:,} of {plural(c.rows, 'row')} finished, "
                f"{c.submitted:,} submitted"
            )
        elif attached.state is not None and unrecorded(store) >= CATCH_UP_ROWS:
            read_group(
                core, group.id, store, recorder, processor=options.processor, only_results=True
            )
        recorder.open_file()
        reporter.phase("submitting")
        submitter.start()
        poller.start()
        collect(
            core,
            group,
            state,
            store,
            recorder,
            submitter,
            reporter,
            options,
            watch=streams.append,
        )
    except BaseException as exc:  # the session finishes whatever ended it
        error = exc
        core.clock.interrupt()  # no further POST, no further wait
    finally:
        watch.close()
        poller.stop()
        if submitter.started:
            submitter.join(core.submit_timeout + JOIN_MARGIN)
    return error or submitter.error


def _as_raised(error: BaseException, report: JobReport) -> BaseException:
    """What the session raises for ``error``, told in the job's terms."""
    if isinstance(error, PaymentRequiredError):
        return _credit_shortfall(error, report)
    if isinstance(error, Interrupted):
        stopped = JobInterruptedError(
            f"the job stopped as asked: {report.completed + report.failed:,} of "
            f"{plural(report.rows, 'row')} have their result, {report.not_submitted:,} were not "
            "sent; the results file has one line per row; run the same command again to go on"
        )
        stopped.report = report
        return stopped
    return error


def _credit_shortfall(error: PaymentRequiredError, report: JobReport) -> PaymentRequiredError:
    """The 402 told in the job's terms: how many rows are in the group and how many are not."""
    in_group = report.rows - report.not_submitted
    job_error = PaymentRequiredError(
        f"not enough credit in the account: {in_group:,} of {plural(report.rows, 'row')} are in "
        "group "
        f"{report.group_id}, {report.not_submitted:,} are not (nothing was created for them); "
        "top up the account, then run the job again to send the rest",
        status_code=error.status_code,
        ref_id=error.ref_id,
        method=error.method,
        url=error.url,
    )
    job_error.report = error.report
    return job_error


def _duplicates_warning(report: JobReport) -> str:
    keys = sorted({key for key, _ in report.duplicates})
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    rows = plural(report.duplicate_rows, "row")
    return (
        f"warning: group {report.group_id} holds more than one run for {rows} "
        f"({plural(report.extra_runs, 'extra run')}, each billed and counted in the spend): "
        f"{shown}; they were created outside this job's record (another process on the group, "
        "or a request that reached the service after it was given up)"
    )


class _StopWatch:
    """Calls ``act`` once when ``stop`` is set (a thread polling it), until closed."""

    def __init__(self, stop: Optional[threading.Event], act: Callable[[], None]) -> None:
        self._stop = stop
        self._act = act
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="taskgroup-stop", daemon=True)

    def start(self) -> None:
        if self._stop is not None:
            self._thread.start()

    def close(self) -> None:
        self._closed.set()

    def _run(self) -> None:
        assert self._stop is not None
        while not self._closed.is_set():
            if self._stop.wait(STOP_POLL_SECONDS):
                if not self._closed.is_set():
                    self._act()
                return
