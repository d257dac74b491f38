"""Reading a job's group, the ground truth: every run it holds for the job's rows (so no row is
sent twice where the journal is missing or untrusted), and the results of those finished."""

from __future__ import annotations

import time
from typing import Optional

from parallel_taskgroup_api.models import TaskRunEvent, TaskRunStatus

from .._endpoints import runs_stream_params, runs_stream_path
from .._http import HttpCore
from ..results import TERMINAL, fetch_output, output_data
from ..streaming.stream import EventStream
from ..submission.keys import identity, run_identity, split_identity, unreadable_run
from .recorder import Recorder
from .store import JobStore

__all__ = ["GroupRead", "read_group"]

_RUNS_PER_WRITE = 1000
_RESULTS_PER_WRITE = 100


class GroupRead:
    """What one read of the group saw."""

    def __init__(self, runs: int, recorded: int, seconds: float) -> None:
        self.runs = runs
        """Runs with a row key."""
        self.recorded = recorded
        """Results it recorded (the rest of the runs were unfinished, or recorded before)."""
        self.seconds = seconds


def read_group(
    core: HttpCore,
    group_id: str,
    store: JobStore,
    recorder: Recorder,
    *,
    processor: str,
    only_results: bool = False,
    from_start: bool = False,
) -> GroupRead:
    """Record every run the group holds for the job's rows (with ``only_results``: just the
    results of finished runs) from one snapshot of its runs with their outputs.

    Runs come in the order they were created and mostly finish in that order, so a results
    snapshot starts after the runs already all finished (``runs_prefix``, kept in the journal):
    catching up again reads only the runs since. A run that finished before its row knew its
    run id (a POST whose answer was lost, settled later) can lie in that prefix;
    ``from_start`` reads the whole group, the last word before giving up. ``processor``: the
    one to record for runs that do not say theirs.
    """
    started = time.monotonic()
    runs: list[tuple[str, str, str]] = []
    finished: list[tuple[TaskRunEvent, Optional[str]]] = []
    seen = recorded = 0
    after = store.meta("runs_prefix") if only_results and not from_start else None
    prefix, open_prefix = after, True

    def skipped(data: str) -> None:
        # A run whose event does not parse (a status this client does not know, say): its row
        # was sent, whatever became of it; no result can be recorded from it.
        nonlocal open_prefix
        open_prefix = False
        run = unreadable_run(data)
        if run is not None and not only_results:
            runs.append((run[0], run[1], run[2] or processor))
            if len(runs) >= _RUNS_PER_WRITE:
                store.record_runs(runs)
                runs.clear()

    stream = EventStream(
        core,
        group_id,
        runs_stream_path(group_id),
        stream_name="job-read",
        until="close",
        last_event_id=after,
        params=runs_stream_params(include_input=False, include_output=True, status=None),
        on_unreadable=skipped,
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
                own = event.run.processor
                runs.append((ident, event.run.run_id, own if isinstance(own, str) else processor))
                if len(runs) >= _RUNS_PER_WRITE:
                    store.record_runs(runs)
                    runs.clear()
            if done:
                finished.append((event, stream.data))
                if len(finished) >= _RESULTS_PER_WRITE:
                    store.record_runs(runs)
                    runs.clear()
                    recorded += _record_finished(core, store, recorder, finished, processor)
                    finished.clear()
                    recorder.flush()
    store.record_runs(runs)
    recorded += _record_finished(core, store, recorder, finished, processor)
    recorder.flush(force=True)
    if prefix is not None:
        store.set_meta(runs_prefix=prefix)
    if not only_results:
        store.set_meta(group_read="done")
    return GroupRead(seen, recorded, time.monotonic() - started)


def _record_finished(
    core: HttpCore,
    store: JobStore,
    recorder: Recorder,
    events: list[tuple[TaskRunEvent, Optional[str]]],
    processor: str,
) -> int:
    """Record the finished runs of a snapshot that still need it (their rows read in a few
    queries, not one per run), and say how many. ``events``: each with its JSON text, as the
    stream gave them (their outputs not read yet, so that an output's data is the one in the
    text)."""
    parsed: list[tuple[TaskRunEvent, Optional[str], str, int]] = []
    for event, text in events:
        ident = run_identity(event.run)
        if ident is not None:
            key, attempt = split_identity(ident)
            parsed.append((event, text, key, attempt))
    keys = [key for _, _, key, _ in parsed]
    rows = store.rows_by_key(keys)
    known = store.run_ids_by_key(keys)
    extra: list[tuple[str, str, str]] = []
    recorded = 0
    for event, text, key, attempt in parsed:
        row = rows.get(key)
        if row is None or recorder.holds(key, attempt):
            continue
        if attempt == row.attempt:
            if row.status is not None:
                continue  # recorded already
        elif attempt > row.attempt or not store.needs_result(key, attempt):
            continue  # not this job's attempt, or an earlier attempt already recorded
        if known.get((key, attempt)) != event.run.run_id:
            own = event.run.processor
            extra.append(
                (
                    identity(key, attempt),
                    event.run.run_id,
                    own if isinstance(own, str) else processor,
                )
            )
            continue  # a run of the row besides the one the job knows
        recorded += 1
        output = output_data(event)
        if output is not None:
            recorder.record_run(event.run, output, row=row, event_text=text)
            continue
        if event.run.status == TaskRunStatus.COMPLETED:
            fetched = fetch_output(core, event.run.run_id)
            output = fetched.to_dict() if fetched is not None else None
        recorder.record_run(event.run, output, row=row)
    store.record_extra_runs(extra)
    return recorded
