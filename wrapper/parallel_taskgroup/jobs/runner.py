"""A batch job: every input row as a run in one group, one result line per row.

A job is defined by its results file: beside ``RESULTS`` live ``RESULTS.state.json`` (the group
and what defines the job), ``RESULTS.journal`` (every row, attempt and result: the job's
memory, on disk, its records in ``RESULTS.journal-records``) and ``RESULTS.lock`` (one process
at a time). :func:`run_job` checks what needs no network, takes the lock and runs one session
(:mod:`.session`); interrupted at any point (Ctrl-C, a crash, a lost connection), the same call
resumes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Literal, Optional, Union

import attrs

from .. import _checks
from .._clock import Clock
from .._fs import FileLock
from ..client import Client
from ..errors import (
    ArgumentTypeError,
    ConfigurationError,
    JobLockedError,
    ParallelError,
    ResultsFileError,
)
from .attach import attach
from .gc_threshold import fewer_collections
from .inputs import DEFAULT_MAX_LINE_BYTES
from .options import InputArg, InputFormat, JobOptions, MetadataValue, job_options
from .prices import PriceTable
from .progress import JobListener, JobProgress, SilentListener
from .quote import JobQuote, quote_for
from .record_file import records_path
from .report import JobReport
from .results_file import writable_format
from .revisit import mark_revisits
from .session import run_session
from .source import InputSource, with_key_resolved
from .state import load_state

__all__ = ["JobQuote", "JobReport", "run_job"]


def run_job(
    client: Optional[Client],
    input: InputArg,
    *,
    out: str,
    processor: str = "base",
    task_spec: Optional[Mapping[str, Any]] = None,
    key: Union[str, Sequence[str], None] = None,
    input_format: Optional[InputFormat] = None,
    group_id: Optional[str] = None,
    metadata: Optional[Mapping[str, MetadataValue]] = None,
    include_basis: bool = False,
    max_cost: Optional[float] = None,
    prices: Union[str, PriceTable, None] = None,
    retry: Optional[Literal["failed", "low-confidence"]] = None,
    retry_fields: Optional[Sequence[str]] = None,
    retry_at_most: Literal["low", "medium", "high"] = "low",
    retry_without_citations: bool = False,
    add_rows: bool = False,
    refresh: bool = False,
    refresh_older_than: Optional[float] = None,
    dry_run: bool = False,
    confirm: Optional[Callable[[JobQuote], bool]] = None,
    rate_per_minute: Optional[int] = None,
    requests_per_minute: Optional[int] = None,
    fetch_concurrency: int = 8,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    overwrite: bool = False,
    limit: Optional[int] = None,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    delimiter: Optional[str] = None,
    listener: Optional[JobListener] = None,
    stop: Optional[threading.Event] = None,
) -> JobReport:
    """Run a task over every row of ``input`` as one group, writing one line per row to ``out``.

    ``input``: a JSONL, JSON-array or CSV file (TSV by its ``.tsv`` name or ``delimiter``, any
    of them gzipped; ``-`` reads standard input; ``encoding`` for files not in UTF-8), or any
    iterable of rows (dicts or strings). ``key`` names the field holding each row's unique key
    (default: a hash of the row), or several fields for a composite key (a sequence of names,
    or for a file ``"a,b"`` unless the file has a field named so); a composite key is the JSON
    list of its values, e.g. ``["Acme","2020"]``. ``out`` is JSONL, CSV or Parquet (their
    ``.gz`` for the line formats) by its extension; beside it the job keeps its state, journal
    and lock, and the same call resumes after any interruption, never creating a run twice or
    writing a line twice.

    ``max_cost`` (USD) caps what the job's runs may cost in all, across sessions and retries;
    ``prices`` replaces the packaged price table (a JSON file or a PriceTable). ``confirm``
    sees the quote before the first POST and may decline. ``retry="failed"`` creates a new run
    for each row whose latest run failed (with ``processor``, which may differ: escalation).
    ``retry="low-confidence"`` creates a run of ``processor`` for each row whose latest answer
    is weak: a field (any, or one of ``retry_fields``) with confidence at or below
    ``retry_at_most`` or, with ``retry_without_citations``, without citations; an answer that
    came from ``processor`` itself is not run again, so repeating the call resumes it. Either
    way the row's line shows its newest attempt and lists earlier ones (with their outputs) in
    ``attempts``. ``add_rows`` accepts an input that differs from the job's first one and adds
    its new rows. ``refresh`` matches the input's rows to the job's by key: a new row, or one
    whose input changed, gets a run; an unchanged row keeps its result; a row gone from the
    input leaves the results file (its runs stay in the journal and the spend);
    ``refresh_older_than`` (seconds; implies ``refresh``) also runs again rows whose result
    is older than that. The quote counts each reason (``new``, ``edited``, ``stale``,
    ``weak``, ``retried``), and ``max_cost`` caps them all.
    ``group_id`` adds the rows to an existing group (or re-attaches a job whose state file was
    lost). ``dry_run`` checks every row and returns a report whose ``quote`` is what the job
    would send now, without any request (``client`` may then be None). ``out``'s missing
    folders are created; a file there that the job cannot prove it wrote (another job's, or
    not a results file) is refused unless ``overwrite``.
    ``limit`` runs the job on the input's first rows only (a later call without it needs
    ``add_rows`` to take the rest). ``skip_invalid`` leaves bad rows out instead of refusing
    the job: each is written, with its line and why, to ``RESULTS.rejects.jsonl``. A
    line of the input file (or an element of a JSON array) over
    ``max_line_bytes`` (default 1 MiB) is refused, naming it, before more of it is read.
    Setting ``stop`` (from any thread) stops the job cleanly: the POST in
    flight finishes (at most the client's ``submit_timeout``) and its outcome is recorded,
    nothing more is sent, the results file gets one line per row, and
    :class:`~parallel_taskgroup.JobInterruptedError` is raised; a KeyboardInterrupt does the
    same and is raised again.

    Raises :class:`~parallel_taskgroup.InputError` for bad rows (all of them listed, nothing
    sent), :class:`~parallel_taskgroup.JobError` when the job's files forbid going on,
    :class:`~parallel_taskgroup.BudgetExceededError` or
    :class:`~parallel_taskgroup.PaymentRequiredError` when submission stopped short, and API
    errors (after the client's retry policy gave up). However it ends once the job has its
    group, the results file holds one line per input row (a placeholder saying why for a row
    without a result). ``JobReport.duplicate_rows`` counts rows the group holds more than one
    run of (created outside this job's record; each billed and counted in the spend).
    """
    _check_run_arguments(client, stop, confirm, listener)
    options = job_options(
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
        retry_fields=retry_fields,
        retry_at_most=retry_at_most,
        retry_without_citations=retry_without_citations,
        add_rows=add_rows,
        refresh=refresh,
        refresh_older_than=refresh_older_than,
        rate_per_minute=rate_per_minute,
        requests_per_minute=requests_per_minute,
        fetch_concurrency=fetch_concurrency,
        max_line_bytes=max_line_bytes,
        overwrite=overwrite,
        limit=limit,
        skip_invalid=skip_invalid,
        encoding=encoding,
        delimiter=delimiter,
    )
    options = with_key_resolved(options, input)
    listener = listener or SilentListener()
    _check_out(options.out, input, create=not dry_run)
    if dry_run:
        return _dry_run(input, options, listener)
    if client is None:
        raise ConfigurationError("run_job needs a client unless dry_run=True")
    lock = FileLock(options.lock_path)
    note = f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%H:%M:%S')}"
    if not lock.acquire(note):
        holder = lock.holder() or "another process"
        if holder.startswith(f"pid {os.getpid()} on {socket.gethostname()} "):
            raise JobLockedError(
                f"{out} is in use by another job of this process ({holder}): one run_job at a "
                "time per results file; wait for the other call to return"
            )
        raise JobLockedError(
            f"{out} is in use by another taskgroup run ({holder}); wait for it to finish or stop "
            "it, then run the same command again"
        )
    try:
        with fewer_collections():
            return run_session(
                client, input, options, listener=listener, confirm=confirm, stop=stop
            )
    finally:
        lock.release()


def _check_run_arguments(client: object, stop: object, confirm: object, listener: object) -> None:
    """The types of run_job's arguments that are not job options."""
    if client is not None and not isinstance(client, Client):
        raise ArgumentTypeError(
            f"client must be a Client, got {_checks.describe(client)}; e.g. "
            "run_job(Client(), 'rows.jsonl', out='results.jsonl') (None only with dry_run=True)"
        )
    if stop is not None and not callable(getattr(stop, "is_set", None)):
        raise ArgumentTypeError(
            f"stop must be a threading.Event, got {_checks.describe(stop)}; create one with "
            "stop = threading.Event() and call stop.set() from another thread to stop the job"
        )
    _checks.check_callable("confirm", confirm, what="of a JobQuote returning True to go on")
    if listener is not None and not callable(getattr(listener, "update", None)):
        raise ArgumentTypeError(
            "listener must be a JobListener (with update(progress) and message(text)), got "
            f"{_checks.describe(listener)}"
        )


def _check_out(out: str, source: InputArg, *, create: bool) -> None:
    """The results file can be written where it is asked for (checked before anything else;
    with ``create``, its missing folders are made). A folder that cannot be written is the
    OSError it is (an I/O failure, as a full disk)."""
    if os.path.isdir(out):
        raise ResultsFileError(f"{out}: is a directory; --out needs a file path")
    writable_format(out)  # an extension that is no results format is refused here
    if isinstance(source, (str, os.PathLike)) and os.fspath(source) != "-":
        with contextlib.suppress(OSError):
            if os.path.samefile(source, out):
                raise ResultsFileError(
                    f"{out} is the input file: the results would replace it; choose another --out"
                )
    folder = os.path.dirname(os.path.abspath(out))
    existing = folder
    while not os.path.isdir(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            errno.EACCES,
            f"{out}: cannot create files in {existing} (permission denied); fix its permissions "
            "or choose another --out",
        )
    if os.path.exists(out) and not os.access(out, os.W_OK):
        raise PermissionError(
            errno.EACCES, f"{out}: the results file is not writable (permission denied)"
        )
    if create:
        os.makedirs(folder, exist_ok=True)


def _dry_run(source_arg: InputArg, options: JobOptions, listener: JobListener) -> JobReport:
    """What this command would do now, with no request and no change to the job's files: the
    real run's checks (the job's state, a changed input, every row) run on copies of its files
    in a scratch folder, and the quote counts what it would send given what the job did."""
    listener.update(JobProgress("checking input", 0, 0, 0, 0, 0))
    with tempfile.TemporaryDirectory(prefix="taskgroup-dry-run-") as scratch:
        copy = attrs.evolve(options, out=os.path.join(scratch, os.path.basename(options.out)))
        _copy_job_files(options, copy)
        source = InputSource(source_arg, copy, scratch)
        try:
            attached = attach(copy, source, listener, report_problems=True)
        except ParallelError as exc:
            _name_the_job_files(exc, scratch, options.out)
            raise
        finally:
            source.close()
        try:
            store = attached.store
            mark_revisits(store, copy, now=Clock().wall(), listener=listener)
            spent = options.prices.cost(store.runs_by_processor())
            counts = store.counts()
            quote = quote_for(
                copy, store, spent=spent, found=attached.found, removed=attached.removed
            )
        finally:
            attached.store.close()
    return JobReport(
        group_id=attached.state.group_id if attached.state else None,
        out=options.out,
        rows=counts.rows,
        completed=counts.completed,
        failed=counts.failed,
        not_submitted=counts.rows - counts.submitted,
        unfinished=counts.submitted - counts.finished,
        spent_usd=round(spent, 6),
        quote=quote,
        stopped_by="dry run",
    )


def _name_the_job_files(exc: ParallelError, scratch: str, out: str) -> None:
    """Say the job's own files, not the dry run's copies of them, in ``exc``'s message."""
    folder = os.path.dirname(out)
    text = exc.message.replace(
        os.path.join(scratch, ""), os.path.join(folder, "") if folder else ""
    )
    exc.message, exc.args = text, (text,)


def _copy_job_files(options: JobOptions, copy: JobOptions) -> None:
    """The job's state and journal (whole, with its records file), and the first line of its
    results file (what tells whose it is), into ``copy``'s place."""
    if os.path.exists(options.state_path):
        shutil.copyfile(options.state_path, copy.state_path)
    journal = options.journal_path
    with contextlib.suppress(OSError, ValueError):
        state = load_state(options.state_path)
        if state is not None:
            journal = state.journal_path(options.state_path)
    if os.path.exists(journal):
        with (
            contextlib.closing(sqlite3.connect(journal)) as src,
            contextlib.closing(sqlite3.connect(copy.journal_path)) as dst,
        ):
            try:
                src.backup(dst)
            except sqlite3.DatabaseError:  # damaged: the real run sets it aside, as will this
                shutil.copyfile(journal, copy.journal_path)
        # After the journal: the copy then holds at least the records its journal names.
        with contextlib.suppress(FileNotFoundError):
            shutil.copyfile(records_path(journal), records_path(copy.journal_path))
    if os.path.exists(options.out):
        with open(options.out, "rb") as src_file, open(copy.out, "wb") as dst_file:
            dst_file.write(src_file.readline())
