"""Collecting a job's results: the group's events followed from the job's cursor, each
finished run of its rows kept once (outputs fetched, or read in bulk when many are due), until
every submitted row has its result and submission is over."""

from __future__ import annotations

from typing import Callable

from .._clock import Interrupted
from .._http import HttpCore
from .._status import group_active
from ..errors import JobIncompleteError
from ..group import TaskGroup
from ..results import ResultStream
from .group_read import read_group
from .options import JobOptions
from .recorder import Recorder
from .reporter import JobReporter
from .state import JobState, save_state
from .store import JobStore
from .submitter import Submitter

__all__ = ["CATCH_UP_ROWS", "collect", "unrecorded"]

CATCH_UP_ROWS = 50
"""With at least this many finished runs to collect at once, they are read from one snapshot."""
CATCH_UP_SHARE = 0.5
"""After a snapshot read of ``n`` runs, the next waits until this share of ``n`` outputs are
due: all the reads of a job's results together read at most four times as many runs as it has
rows, however far out of order its runs finish (see ``ResultStream``)."""
CATCH_UP_HOLD = 1.0
"""Seconds a finished run's output waits for others to share a snapshot read before it is
fetched on its own."""


def unrecorded(store: JobStore) -> int:
    """Rows whose latest run exists but has no result recorded."""
    c = store.counts()
    return c.submitted - c.finished


def collect(
    core: HttpCore,
    group: TaskGroup,
    state: JobState,
    store: JobStore,
    recorder: Recorder,
    submitter: Submitter,
    reporter: JobReporter,
    options: JobOptions,
    *,
    watch: Callable[[ResultStream], None],
) -> None:
    """Keep every result of the job's runs until none is missing and submission has ended.
    ``watch`` is told of each results stream opened (so that a stop can abort it).

    Raises JobIncompleteError if the group is idle yet submitted rows have no finished run."""

    def save() -> None:
        save_state(options.state_path, state)

    def catch_up(*, from_start: bool = False) -> int:
        done = read_group(
            core,
            group.id,
            store,
            recorder,
            processor=options.processor,
            only_results=True,
            from_start=from_start,
        )
        save()
        return done.runs

    reporter.phase("collecting results" if submitter.done.is_set() else "submitting")
    clock = core.clock
    while True:
        if clock.interrupted:
            raise Interrupted()  # the session was asked to stop
        stream = ResultStream(
            core,
            group.id,
            last_event_id=state.cursor,
            cursor_store=None,
            timeout=None,
            fetch_concurrency=options.fetch_concurrency,
            wanted=recorder.wanted,
            catch_up=catch_up,
            catch_up_after=CATCH_UP_ROWS,
            catch_up_share=CATCH_UP_SHARE,
            catch_up_hold=CATCH_UP_HOLD,
        )
        watch(stream)
        with stream:
            for result in stream:
                recorder.record(result)
                if stream.cursor is not None:
                    state.cursor = stream.cursor
                if recorder.flush():
                    save()
            if clock.interrupted:
                raise Interrupted()  # the stop aborted the stream
            if stream.cursor is not None:
                state.cursor = stream.cursor
        recorder.flush(force=True)
        save()
        if not submitter.done.is_set():
            waited = 0.0
            while not submitter.done.wait(0.1) and waited < 2.0 and not clock.interrupted:
                waited += 0.1
            continue
        reporter.phase("collecting results")
        if unrecorded(store) == 0:
            return
        if group_active(group.refresh().status):
            continue
        # Idle, yet finished runs are missing: take them from one whole snapshot.
        catch_up(from_start=True)
        missing = unrecorded(store)
        if missing > 0 and not group_active(group.refresh().status):
            raise JobIncompleteError(
                f"group {group.id} is idle but {missing} submitted rows have no finished run; "
                "run the same command again"
            )
        return
