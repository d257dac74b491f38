"""Attaching a session to its job: the state file, the journal (the job's store), and every
input row read into it once.

A rerun that changes what defines the job is refused here, naming each difference; a journal
that is missing, damaged or from another machine is rebuilt and marked untrusted (the group is
then read whole before anything is sent).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from typing import Callable, Optional

import attrs

from .._words import plural
from ..errors import (
    InputError,
    JobChangedError,
    JournalError,
    ResultsFileError,
    StateFileError,
)
from .ingest import Ingested, Problem
from .options import JobOptions, output_fields
from .progress import JobListener
from .rejects import RejectsFile
from .results_file import ResultsLayout, read_records
from .source import InputSource, key_text, read_into
from .state import JobDefinition, JobState, load_state, save_state, spec_digest
from .store import JobStore
from .store_db import move_store, remove_store

__all__ = ["Attached", "attach", "definition_of", "discard_new_store", "job_changed"]


@attrs.frozen
class Attached:
    """A job's files, open, with its rows in the store."""

    state: Optional[JobState]
    """None for a new job (or one re-attached with ``group_id`` after its state was lost)."""
    store: JobStore
    fresh: bool
    """The journal was created by this session."""
    trusted: bool
    """False: the journal may lack runs the group holds; read the group before sending."""
    found: Ingested
    """What reading the input found this session (empty when it was read before)."""
    layout: ResultsLayout
    input_name: str
    removed: int = 0
    """Rows a refresh found gone from the input this session."""


def attach(
    options: JobOptions,
    source: InputSource,
    listener: JobListener,
    *,
    report_problems: bool = False,
) -> Attached:
    """Open the job's state and store and read the input into it (see the module docstring).
    Bad rows are an InputError listing them, or with ``report_problems`` (a dry run, on copies
    of the job's files) are left in ``Attached.found`` for the quote to list."""
    state, trusted = _load_state(options)
    store, fresh, trusted = _open_store(options, state, trusted, listener)
    try:
        found, removed = _ingest(options, state, store, source, fresh, listener, report_problems)
        store.set_meta(host=socket.gethostname())
    except BaseException:
        store.close()
        raise
    columns = json.loads(store.meta("columns") or "null")
    layout = ResultsLayout(
        tuple(columns) if columns else None,
        output_fields(options.task_spec),
        options.include_basis,
    )
    return Attached(state, store, fresh, trusted, found, layout, source.name, removed)


def definition_of(options: JobOptions, digest: str) -> JobDefinition:
    """What defines the job, with the input fingerprint ``digest``."""
    return JobDefinition(
        key_field=key_text(options.key_field),
        processor=options.processor,
        task_spec=spec_digest(options.task_spec),
        input=digest,
    )


def job_changed(options: JobOptions, differences: list[str]) -> JobChangedError:
    """The refusal of a rerun that differs from the job of ``options.out``, naming every
    difference (each a phrase such as ``the input rows``) and the ways forward."""
    *others, last = differences
    listed = f"{', '.join(others)} and {last}" if others else last
    return JobChangedError(
        f"this run differs from the job of {options.out} in {listed}; for a new job choose "
        "another --out; to add the new rows of a changed input to this job, pass --add-rows; "
        "to run its new and edited rows (and drop rows gone from it), pass --refresh; to retry "
        "failed or low-confidence rows with another processor, pass --retry failed or --retry "
        "low-confidence",
        differences=differences,
    )


def discard_new_store(attached: Attached) -> None:
    """Close the store and, if this session created it, delete it (a new job that never got
    a group leaves no files behind)."""
    attached.store.close()
    if attached.fresh:
        remove_store(attached.store.path)


def recoverable_group(options: JobOptions) -> Optional[str]:
    """The job's group id, from whatever files survive (for the way-forward message)."""
    journal = options.journal_path
    if os.path.exists(journal):
        with contextlib.suppress(Exception):
            store = JobStore(journal)
            try:
                found = store.meta("group_id")
            finally:
                store.close()
            if found:
                return found
    with contextlib.suppress(Exception):  # a file of any kind: a hint at most
        for record in read_records(options.out):
            group = record.get("group_id")
            return group if isinstance(group, str) else None
    return None


def _load_state(options: JobOptions) -> tuple[Optional[JobState], bool]:
    """The job's state (None: new, or re-attached) and whether its journal can be trusted."""
    try:
        state = load_state(options.state_path)
    except StateFileError as exc:
        if options.group_id:
            return None, False
        group = recoverable_group(options)
        hint = f"--group {group}" if group else "--group GROUP_ID (printed when the job began)"
        raise StateFileError(
            f"{exc.message}; run the same command with {hint} to re-attach the job to its "
            "group (rows already there are not sent again)"
        ) from None
    if state is None:
        if options.group_id:
            return None, False
        journal = options.journal_path
        group = recoverable_group(options)
        if options.overwrite or (os.path.exists(journal) and group is None):
            remove_store(journal)  # left by a job refused before it had a group, or replaced
        if options.overwrite:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(options.out)
            return None, True
        if os.path.exists(options.out) and os.path.getsize(options.out) > 0:
            if group is not None or not _only_placeholders(options.out):
                raise _not_ours(options, group)
            os.unlink(options.out)  # a job that never got a group: nothing was sent
        if os.path.exists(journal):
            hint = f"--group {group}" if group else "--group GROUP_ID (printed when it began)"
            raise StateFileError(
                f"{options.state_path} is missing but {journal} exists: run the same command "
                f"with {hint} to re-attach the job to its group, or choose another --out for "
                "a new job"
            )
        return None, True
    if state.group_id is None:
        # Its group was never created: attaching it to --group means reading that group first.
        return state, not options.group_id
    if options.group_id and options.group_id != state.group_id:
        raise JobChangedError(
            f"{options.out} belongs to group {state.group_id}, not {options.group_id}: drop "
            "--group to resume it, or choose another --out",
            differences=["the group"],
        )
    return state, True


def _only_placeholders(out: str) -> bool:
    """Whether ``out`` is a results file of rows none of which was sent (what a job whose
    group could not be created leaves): replacing it loses nothing."""
    try:
        return all(
            r.get("status") == "not_submitted" and not r.get("run_id") and not r.get("group_id")
            for r in read_records(out)
        )
    except Exception:  # not a results file at all
        return False


def _not_ours(options: JobOptions, group: Optional[str]) -> ResultsFileError:
    """A results file this job cannot prove it wrote (no state beside it)."""
    out = options.out
    if group is not None:
        return ResultsFileError(
            f"{out} holds results of group {group}, but its job's state ({options.state_path}) "
            f"is missing: to finish that job, run the same command with --group {group} (rows "
            "already in the group are not sent again); to start a new job over the file, pass "
            "--overwrite; or choose another --out"
        )
    return ResultsFileError(
        f"{out} exists and is not a results file of this job (nothing says taskgroup wrote it); "
        "choose another --out, or pass --overwrite to replace it"
    )


def _open_store(
    options: JobOptions, state: Optional[JobState], trusted: bool, listener: JobListener
) -> tuple[JobStore, bool, bool]:
    """The job's store, whether this session created it, and whether it can be trusted."""
    path = state.journal_path(options.state_path) if state else options.journal_path
    fresh = not os.path.exists(path)
    try:
        store = JobStore(path)
    except JournalError as exc:
        if state is None and not options.group_id:
            raise
        # The group is known: the journal can be rebuilt from it and the input.
        aside = f"{path}.damaged-{int(time.time())}"
        move_store(path, aside)
        listener.message(f"{exc.message}; moved it to {aside} and rebuilding it")
        store = JobStore(path)
        fresh = True
    if fresh and state is not None:
        listener.message(f"{path} is missing; rebuilding it from the group")
        trusted = False
    if state is not None and store.meta("host") not in (None, socket.gethostname()):
        trusted = False  # a journal carried from another machine may be stale
    # Until one full read of the group ends, the journal may lack runs the group holds, and a
    # session that dies before then must not leave a journal that looks complete.
    if not trusted:
        store.set_meta(group_read="pending")
    elif store.meta("group_read") == "pending":
        trusted = False
    return store, fresh, trusted


def _ingest(
    options: JobOptions,
    state: Optional[JobState],
    store: JobStore,
    source: InputSource,
    fresh: bool,
    listener: JobListener,
    report_problems: bool,
) -> tuple[Ingested, int]:
    """Read the input into the store (the first time, its new rows with ``add_rows``, or all
    of it with ``refresh``) and refuse a rerun that changes the job; what was read, and how
    many rows a refresh removed."""
    removed = 0
    rejects = RejectsFile(options.rejects_path) if options.skip_invalid else None
    reject = rejects.add if rejects is not None else None
    try:
        if store.meta("ingested") is None:
            found = read_into(store, source, options, incremental=False, reject=reject)
            if found.rows == 0 and not found.problem_count:
                _drop(store, fresh)
                raise InputError(f"{source.name}: no rows in the input; nothing was sent")
            if found.problem_count and not report_problems:
                if rejects is None:
                    _drop(store, fresh)
                    found.raise_if_problems(source.name)
                elif found.stored == 0:
                    _drop(store, fresh)
                    rejects.commit()  # the refusal points the user at them
                    raise InputError(
                        f"{source.name}: every row is invalid ({found.problem_count} written to "
                        f"{options.rejects_path}); nothing was sent"
                    )
            store.set_meta(
                ingested="1",
                input=source.digest(),
                columns=json.dumps(found.input_columns),
                limit=_limit_text(options.limit),
            )
        else:
            found, removed = _read_again(options, state, store, source, listener, reject)
    except BaseException:
        if rejects is not None:
            rejects.discard()
        raise
    if rejects is not None:
        rejects.commit()
        if rejects.count:
            listener.message(
                f"left out {rejects.count} invalid row{'s' if rejects.count != 1 else ''}: "
                f"each is in {options.rejects_path} with its line and why"
            )
    differences = _changes(
        options,
        state,
        store.meta("input") or "",
        input_may_differ=options.add_rows or options.refresh,
    )
    if differences:
        raise job_changed(options, differences)
    return found, removed


def _changes(
    options: JobOptions, state: Optional[JobState], digest: str, *, input_may_differ: bool
) -> list[str]:
    """What this run changes of the job's definition (its input taken as ``digest``)."""
    if state is None:
        return []
    differences = state.definition.differences(
        definition_of(options, digest), input_may_differ=input_may_differ
    )
    if options.escalating:
        differences = [d for d in differences if not d.startswith("the processor")]
    return differences


def _read_again(
    options: JobOptions,
    state: Optional[JobState],
    store: JobStore,
    source: InputSource,
    listener: JobListener,
    reject: Optional[Callable[[Problem, Optional[str]], None]],
) -> tuple[Ingested, int]:
    """A rerun's input against the job's: the same rows (nothing to do), or changed — refused,
    or with ``add_rows`` its new rows added. A file is compared by its bytes first; rows in
    memory (an iterable, a DataFrame) are read again, rows already stored skipped, and
    compared by the digest of all of them."""
    stored = store.meta("input")
    if source.fingerprint_known and source.digest() == stored:
        return Ingested(0, 0, (), 0, None), 0
    if options.refresh:
        return _refresh(options, state, store, source, listener, reject)
    # A changed input is refused before it is read whole: named with whatever else changed.
    changed = [
        *_changes(options, state, stored or "", input_may_differ=True),
        _input_change(store.meta("limit"), options.limit),
    ]
    if source.fingerprint_known and not options.add_rows:
        raise job_changed(options, changed)
    found = read_into(store, source, options, incremental=True, reject=reject)
    digest = source.digest()
    if digest == stored:
        return found, 0  # the same rows again: none was new
    if not options.add_rows or (found.problem_count and not options.skip_invalid):
        store.drop_pass()  # this pass's rows are not the job's
        if not options.add_rows:
            raise job_changed(options, changed)
        found.raise_if_problems(source.name)
    _adopt_input(options, state, store, digest)
    listener.message(f"added {found.stored} new row{'s' if found.stored != 1 else ''} to the job")
    return found, 0


def _refresh(
    options: JobOptions,
    state: Optional[JobState],
    store: JobStore,
    source: InputSource,
    listener: JobListener,
    reject: Optional[Callable[[Problem, Optional[str]], None]],
) -> tuple[Ingested, int]:
    """A refresh: the input read whole, then made the job's rows at once (new and edited rows
    to run, rows gone removed); bad rows refuse it, changing nothing (unless skipped)."""
    found = read_into(store, source, options, incremental=True, refresh=True, reject=reject)
    if found.problem_count and not options.skip_invalid:
        store.clear_staged()
        found.raise_if_problems(source.name)
    if found.rows - found.problem_count <= 0:
        store.clear_staged()
        raise InputError(
            f"{source.name}: no rows in the input; a refresh would remove every row of the job, "
            "so nothing was changed or sent"
        )
    change = store.apply_refresh()
    _adopt_input(options, state, store, source.digest())
    listener.message(
        f"refresh: {plural(change.new, 'new row')}, {change.edited:,} edited, "
        f"{change.removed:,} removed"
        + (f", {change.restored:,} back after removal" if change.restored else "")
    )
    return found, change.removed


def _adopt_input(
    options: JobOptions, state: Optional[JobState], store: JobStore, digest: str
) -> None:
    """The changed input (by its fingerprint ``digest``) is the job's input from now on."""
    store.set_meta(input=digest, limit=_limit_text(options.limit))
    if state is not None:
        state.definition = attrs.evolve(state.definition, input=digest)
        save_state(options.state_path, state)


def _limit_text(limit: Optional[int]) -> str:
    """The job's ``--limit`` as kept in its store ("" for none)."""
    return "" if limit is None else str(limit)


def _input_change(stored_limit: Optional[str], limit: Optional[int]) -> str:
    """The phrase for a changed input, naming a changed ``--limit`` (``stored_limit`` is None
    in journals older than the limit's record)."""
    if stored_limit is None or stored_limit == _limit_text(limit):
        return "the input rows"
    then = f"--limit {int(stored_limit):,}" if stored_limit else "no --limit"
    now = "no --limit" if limit is None else f"--limit {limit:,}"
    return f"the input rows ({then} then, {now} now)"


def _drop(store: JobStore, fresh: bool) -> None:
    store.close()
    if fresh:
        remove_store(store.path)
