"""RunResult, and a group's finished runs as results: followed as they finish, or a snapshot.

The events stream says *that* a run finished, not what it produced: outputs are fetched with
``GET /v1/tasks/runs/{id}/result``, several at once on the client's one connection pool, and
each result is yielded as soon as its output is in. A snapshot (``/runs`` with outputs) costs
one request for all runs that have finished by now, so it is used when there is nothing to
follow: ``follow=False``, or a group that is already idle when following starts from scratch.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Callable, Optional, TypeVar, Union

import attrs
from parallel_taskgroup_api.models import (
    Error,
    ErrorEvent,
    TaskRun,
    TaskRunEvent,
    TaskRunInput,
    TaskRunJsonOutput,
    TaskRunResult,
    TaskRunStatus,
    TaskRunTextOutput,
)
from parallel_taskgroup_api.types import json_value

from . import errors
from ._clock import Interrupted
from ._endpoints import events_path, get_result, runs_stream_params, runs_stream_path
from ._http import HttpCore
from .streaming.cursors import CursorStore, MemoryCursorStore
from .streaming.events import event_id_of
from .streaming.stream import ERROR_PATIENCE, FLUSH_SECONDS, EventStream
from .submission.keys import run_key

__all__ = ["Output", "ResultSnapshot", "ResultStream", "RunResult"]

log = logging.getLogger("parallel_taskgroup")

Output = Union[TaskRunJsonOutput, TaskRunTextOutput]

TERMINAL = frozenset({TaskRunStatus.COMPLETED, TaskRunStatus.FAILED, TaskRunStatus.CANCELLED})
DEFAULT_FETCH_CONCURRENCY = 8
READ_AHEAD = 200
"""Events read ahead of what the consumer has taken: enough to keep the connection read while
the consumer is busy (more than a batch job's bulk catch-up waits for), few enough that the
parsed events held cost little memory on a fast stream."""

_ASK_AT_ONCE = 100
"""Outputs left to a paced catch-up that the caller is asked about at once, at most."""

_REPR_CONTENT = 60


@attrs.frozen(repr=False)
class RunResult:
    """A run that is no longer active, with what the API knows about it.

    ``output`` is set for completed runs (``None`` when the service's answer held none this
    client can read: a warning on the ``parallel_taskgroup`` logger says why), ``error`` for
    failed ones (``None`` when the server gave no detail, e.g. for cancelled runs). ``input``
    only when it came with the run (a snapshot that asked for inputs).
    """

    run: TaskRun
    output: Optional[Output] = None
    error: Optional[Error] = None
    input: Optional[TaskRunInput] = None
    event_id: Optional[str] = None

    @property
    def key(self) -> Optional[str]:
        """The row key from the run's metadata (``None`` for runs added without one)."""
        return run_key(self.run)

    @property
    def content(self) -> Union[dict[str, Any], str, None]:
        """The output as plain data: a dict for JSON output, a str for text output."""
        output = self.output
        if output is None:
            return None
        if isinstance(output, TaskRunTextOutput):
            return output.content
        return output.content.to_dict()

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.run.run_id

    @property
    def status(self) -> TaskRunStatus:
        """The run's final status."""
        return self.run.status

    @property
    def ok(self) -> bool:
        """Whether the run completed."""
        return self.run.status == TaskRunStatus.COMPLETED

    def __repr__(self) -> str:
        parts = [f"key={self.key!r}", f"status={self.status.value!r}", f"run_id={self.run_id!r}"]
        content = self.content
        if content is not None:
            text = repr(content)
            if len(text) > _REPR_CONTENT:
                text = text[: _REPR_CONTENT - 3] + "..."
            parts.append(f"content={text}")
        if self.error is not None:
            parts.append(f"error={self.error.message!r}")
        return f"RunResult({', '.join(parts)})"


def _output_of(value: Any) -> Optional[Output]:
    return value if isinstance(value, (TaskRunJsonOutput, TaskRunTextOutput)) else None


def result_of(event: TaskRunEvent, output: Optional[Output] = None) -> RunResult:
    """The RunResult of a finished run's event (``output`` when it was fetched separately)."""
    run = event.run
    return RunResult(
        run=run,
        output=output if output is not None else _output_of(event.output),
        error=run.error if isinstance(run.error, Error) else None,
        input=event.input_ if isinstance(event.input_, TaskRunInput) else None,
        event_id=event_id_of(event),
    )


def needs_output(event: TaskRunEvent) -> bool:
    """Whether a finished run's output must be fetched (a completed run without one)."""
    return event.run.status == TaskRunStatus.COMPLETED and _output_of(event.output) is None


def output_data(event: TaskRunEvent) -> Optional[dict[str, Any]]:
    """A finished run's output as the JSON data its event carried, not parsed into models (for
    readers that keep data, such as a batch job's records); None when it carries no usable one:
    a ``json`` output needs an object as ``content``, a ``text`` one a string."""
    data = json_value(event, "output")
    if not isinstance(data, dict):
        return None
    kind, content = data.get("type"), data.get("content")
    if (kind == "json" and isinstance(content, dict)) or (
        kind == "text" and isinstance(content, str)
    ):
        return data
    return None


def fetch_output(core: HttpCore, run_id: str) -> Optional[Output]:
    """A completed run's output, from its result; None, said in a warning, when the service's
    answer does not parse (an output of a shape this client does not know must not stop the
    results of every other run)."""
    try:
        result: TaskRunResult = get_result(core, run_id)
    except errors.ResponseFormatError as exc:
        log.warning("the output of run %s cannot be read, left out: %s", run_id, exc.message)
        return None
    return _output_of(result.output)


_R = TypeVar("_R", bound="_Results")


class _Results(Iterator[RunResult]):
    """What both kinds of results hand out: an iterator over a generator of results, and a
    context manager whose exit (or :meth:`close`) ends that generator and its requests."""

    _gen: Generator[RunResult, None, None]

    def __iter__(self) -> Iterator[RunResult]:
        return self._gen

    def __next__(self) -> RunResult:
        return next(self._gen)

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the results (what was not read yet is not read)."""
        self._gen.close()


class ResultSnapshot(_Results):
    """A RunResult for each run of a group that had finished when it was read: one snapshot of
    its runs with their outputs (and inputs when asked), no request per run. Built by
    ``TaskGroup.results()``; like a :class:`ResultStream`, a context manager whose exit (or
    :meth:`close`) ends its request."""

    def __init__(self, core: HttpCore, group_id: str, *, include_input: bool) -> None:
        self.group_id = group_id
        self._gen = _snapshot(core, group_id, include_input)

    def __repr__(self) -> str:
        return f"ResultSnapshot(group={self.group_id!r})"


def _snapshot(
    core: HttpCore, group_id: str, include_input: bool
) -> Generator[RunResult, None, None]:
    stream = EventStream(
        core,
        group_id,
        runs_stream_path(group_id),
        stream_name="results-snapshot",
        until="close",
        params=runs_stream_params(include_input=include_input, include_output=True, status=None),
    )
    with stream:
        for event in stream:
            if type(event) is TaskRunEvent and event.run.status in TERMINAL:
                output = fetch_output(core, event.run.run_id) if needs_output(event) else None
                yield result_of(event, output)


class _Mark:
    """One event in arrival order; the cursor may pass it once it is ``done``. ``early``: its
    output was asked for by the reader (it holds a place in the fetch window)."""

    __slots__ = ("done", "early", "event_id")

    def __init__(self, event_id: Optional[str]) -> None:
        self.event_id = event_id
        self.done = False
        self.early = False


_END = object()


class ResultStream(_Results):
    """Each run of a group as it finishes, with its output, until the group is idle.

    Built by ``TaskGroup.results()``. Reads the group's events in a background thread and
    fetches the outputs of completed runs, up to ``fetch_concurrency`` at once; yields a result
    as soon as it is complete (so not always in the order runs finished). ``error`` events from
    the server are counted in ``error_events`` and logged; malformed events in ``bad_events``.

    With a cursor store, the stream's position is saved under the name ``results``, and only
    past events whose results were all handed out: a new process resumes without losing one.
    At most :data:`READ_AHEAD` events are held at a time, so a stream closed and resumed sees
    again at most that many results (after a crash, also those handed out since the cursor was
    last saved): a slow fetch holds the cursor while later results go out; with outputs
    arriving evenly, about ``2 × fetch_concurrency`` (the fetches allowed past the cursor).

    For a batch job: ``wanted`` says which of some finished runs the caller does not have yet;
    the others are skipped (no fetch, nothing yielded). When ``catch_up_after`` outputs wait to
    be fetched, ``catch_up`` is called first to read them in bulk, and only those still wanted
    afterwards are fetched one by one. It returns how many runs it read: after a catch-up that
    read ``n`` runs, the next waits until ``catch_up_share × n`` outputs are due (or the events
    end), and the outputs due meanwhile are left to it, their events passed (and ``wanted``
    asked about them together): ``catch_up`` must read every finished run the caller wants, as a
    job's read of its group does. So however far out of order runs finish, all the catch-ups
    together read at most ``2 + 1 / catch_up_share`` times as many runs as there are results,
    which then come in bursts. An output due waits up to ``catch_up_hold`` seconds for others to
    share a bulk read before it is fetched on its own (not once the group's events have ended):
    fetches are quick, so without it outputs due at a steady rate are all fetched one by one,
    though they come often enough to share bulk reads that cost far less.
    """

    def __init__(
        self,
        core: HttpCore,
        group_id: str,
        *,
        last_event_id: Optional[str],
        cursor_store: Optional[CursorStore],
        timeout: Optional[float],
        fetch_concurrency: int,
        error_patience: float = ERROR_PATIENCE,
        wanted: Optional[Callable[[Sequence[TaskRunEvent]], list[bool]]] = None,
        catch_up: Optional[Callable[[], int]] = None,
        catch_up_after: int = 100,
        catch_up_share: float = 0.0,
        catch_up_hold: float = 0.0,
    ) -> None:
        if fetch_concurrency < 1:
            raise errors.ConfigurationError(
                f"fetch_concurrency must be at least 1, got {fetch_concurrency}"
            )
        self._core = core
        self.group_id = group_id
        self._store = cursor_store
        if last_event_id is None and cursor_store is not None:
            last_event_id = cursor_store.load(group_id, "results")
        self.cursor: Optional[str] = last_event_id
        self._saved = last_event_id
        self._flush_every = 0.0 if isinstance(cursor_store, MemoryCursorStore) else FLUSH_SECONDS
        self._last_flush = core.clock.now()
        self._events = EventStream(
            core,
            group_id,
            events_path(group_id),
            stream_name="results",
            until="inactive",
            last_event_id=last_event_id,
            timeout=timeout,
            error_patience=error_patience,
        )
        self._fetch_concurrency = fetch_concurrency
        self._wanted = wanted
        self._catch_up = catch_up
        self._catch_up_after = catch_up_after
        self._catch_up_share = catch_up_share
        self._catch_up_hold = catch_up_hold if catch_up is not None else 0.0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()  # C-level hand-over
        self._marks: deque[_Mark] = deque()
        self._room = threading.Semaphore(READ_AHEAD)
        # Results handed out past the cursor come again after a crash; fetches finish out of
        # order, so only a window of them past the cursor bounds how many.
        self._window = threading.Semaphore(2 * fetch_concurrency)
        self._stopping = threading.Event()
        self._aborted = False
        self._pool: Optional[ThreadPoolExecutor] = None
        self._reader: Optional[threading.Thread] = None
        self.fetched = 0
        """Outputs fetched with a request of their own."""
        self._gen = self._run()

    def close(self) -> None:
        """Stop reading and fetching, and save the cursor of what was handed out."""
        super().close()
        self._flush(force=True)

    def __repr__(self) -> str:
        return f"ResultStream(group={self.group_id!r}, cursor={self.cursor!r})"

    def abort(self) -> None:
        """Stop the stream from another thread: its connection is closed and the consuming
        thread's iteration ends (as an aborted :class:`EventStream`'s does)."""
        self._aborted = True
        self._stopping.set()
        self._room.release()
        self._window.release()
        self._events.abort()
        self._queue.put(("end", Interrupted(), 0))

    # -- what the stream reports -------------------------------------------------------------

    @property
    def error_events(self) -> int:
        """``error`` events the server sent (each is logged, and the stream goes on)."""
        return self._events.error_events

    @property
    def bad_events(self) -> int:
        """Events that could not be read and were skipped (see ``EventStream.last_bad_event``)."""
        return self._events.bad_events

    @property
    def reconnects(self) -> int:
        """Reconnections of the underlying events stream."""
        return self._events.reconnects

    # -- cursor ------------------------------------------------------------------------------

    def _flush(self, *, force: bool = False) -> None:
        if self._store is None or self.cursor is None or self.cursor == self._saved:
            return
        now = self._core.clock.now()
        if force or now - self._last_flush >= self._flush_every:
            self._store.save(self.group_id, "results", self.cursor)
            self._saved = self.cursor
            self._last_flush = now

    def _advance(self, marks: deque[_Mark]) -> None:
        while marks and marks[0].done:
            mark = marks.popleft()
            if mark.early:
                self._window.release()
            if mark.event_id is not None:
                self.cursor = mark.event_id
        self._flush()

    # -- the threads -------------------------------------------------------------------------

    def _read(self) -> None:
        """Background: every event, in order, as a mark (for the cursor) and into the queue (or
        the error that ended the stream)."""
        ended: Optional[BaseException] = None
        # Without a caller's filter or bulk catch-up, a completed run's output is asked for
        # right here, as its event is read, and the consuming thread hears of the run once,
        # when its output is in: one hand-over between threads per result.
        fetch_here = self._wanted is None and self._catch_up is None
        fetching = 0
        marks = self._marks
        try:
            for event in self._events:
                self._room.acquire()
                if self._stopping.is_set():
                    return
                mark = _Mark(event_id_of(event))
                marks.append(mark)
                if (
                    fetch_here
                    and type(event) is TaskRunEvent
                    and event.run.status in TERMINAL
                    and needs_output(event)
                ):
                    self._window.acquire()
                    if self._stopping.is_set():
                        return
                    mark.early = True
                    fetching += 1
                    self._fetch(event, mark, early=True)
                    continue
                self._queue.put(("event", event, mark))
        except BaseException as exc:  # handed to the consuming thread
            ended = exc
        finally:
            self._queue.put(("end", ended, fetching))

    def _fetch(self, event: TaskRunEvent, mark: _Mark, *, early: bool = False) -> None:
        assert self._pool is not None
        future = self._pool.submit(fetch_output, self._core, event.run.run_id)

        def done(f: Future[Optional[Output]]) -> None:
            self._queue.put(("fetched", event, mark, f, early))

        future.add_done_callback(done)

    def _done(self, mark: _Mark, marks: deque[_Mark]) -> None:
        """An event is fully handled: the cursor may pass it, the reader may read one more."""
        mark.done = True
        self._room.release()
        self._advance(marks)

    def _run(self) -> Generator[RunResult, None, None]:
        marks = self._marks  # filled by the reader, in event order
        # Outputs not yet asked for, each with when it became due.
        backlog: deque[tuple[TaskRunEvent, _Mark, float]] = deque()
        in_flight = 0  # fetches asked for here, not yet in
        early_in = 0  # fetches the reader asked for that are in
        early_asked: Optional[int] = None  # how many the reader asked for, once it ended
        self._pool = ThreadPoolExecutor(
            max_workers=self._fetch_concurrency, thread_name_prefix="taskgroup-result"
        )
        self._reader = threading.Thread(target=self._read, name="taskgroup-results", daemon=True)
        self._reader.start()
        reading = True
        clock = self._core.clock
        hold = self._catch_up_hold
        after = self._catch_up_after
        due = 0  # outputs that became due since the last catch-up
        left = 0  # of them, those whose events were passed, left to the next catch-up
        pending = after  # outputs due that start the next catch-up
        # Outputs of events passed while a paced catch-up waits, not yet known to be wanted:
        # asked about together (one question of the caller's journal, not one per run), once
        # they could be enough to start the catch-up, or the events end.
        unasked: list[TaskRunEvent] = []
        try:
            while reading or in_flight or backlog or early_in != early_asked or left or unasked:
                if unasked and (
                    not reading or len(unasked) >= min(_ASK_AT_ONCE, max(1, pending - due))
                ):
                    wanted = sum(self._which_wanted(unasked))
                    unasked.clear()
                    due += wanted
                    left += wanted
                if self._catch_up is not None and (
                    (due >= pending and len(backlog) + left >= after) or (left and not reading)
                ):
                    # Many outputs at once: the caller reads them in bulk, then only those
                    # it still wants are fetched one by one. Counting only outputs due since
                    # the last catch-up keeps one that could not supply them from being
                    # repeated for every result after it (a bulk read per result).
                    pending = self._bulk_catch_up(backlog, marks)
                    due = left = 0
                held: Optional[float] = None  # until the oldest output's hold ends
                while backlog and in_flight < self._fetch_concurrency:
                    if hold and reading:
                        held = backlog[0][2] + hold - clock.now()
                        if held > 0:
                            break
                        held = None
                    event, mark, _ = backlog.popleft()
                    if self._still_wanted(event):
                        in_flight += 1
                        self._fetch(event, mark)
                    else:
                        self._done(mark, marks)
                if not (reading or in_flight or backlog or early_in != early_asked):
                    break
                if held is not None:
                    try:
                        item = self._queue.get(timeout=held)
                    except queue.Empty:
                        continue  # the hold is over: fetched on its own
                else:
                    item = self._queue.get()
                kind = item[0]
                if kind == "end":
                    reading = False
                    if item[1] is not None:
                        if self._aborted and isinstance(item[1], Interrupted):
                            return
                        raise self._in_results_terms(item[1])
                    early_asked = item[2]
                    continue
                if kind == "fetched":
                    _, event, mark, future, early = item
                    if early:
                        early_in += 1
                    else:
                        in_flight -= 1
                    output = future.result()  # a failed fetch raises its typed error here
                    self.fetched += 1
                    if self._still_wanted(event):
                        yield result_of(event, output)
                    self._done(mark, marks)
                    continue
                _, event, mark = item
                if type(event) is TaskRunEvent and event.run.status in TERMINAL:
                    if pending > after and needs_output(event):
                        # Outputs waiting for a paced catch-up are not fetched one by one (a
                        # bulk read costs a small part of a fetch per run, even of runs read
                        # again), nor held: the reader reads on.
                        unasked.append(event)
                        self._done(mark, marks)
                        continue
                    if self._still_wanted(event):
                        if needs_output(event):
                            due += 1
                            backlog.append((event, mark, clock.now() if hold else 0.0))
                            continue
                        yield result_of(event)
                elif type(event) is ErrorEvent:
                    log.info(
                        "the events stream of group %s reported an error (%s); going on",
                        self.group_id,
                        event.error.message,
                    )
                self._done(mark, marks)
            self._flush(force=True)  # the end, saved as an EventStream saves its own
        finally:
            self._stop()

    def _in_results_terms(self, exc: BaseException) -> BaseException:
        """An error of the events stream told with this stream's cursor, before which every
        result was handed out (the events stream's own may be past results not yet out)."""
        if isinstance(exc, errors.WaitTimeoutError):
            return errors.WaitTimeoutError(
                f"timeout passed while reading the results of group {self.group_id} "
                f"(resume with last_event_id={self.cursor!r})"
            )
        if isinstance(exc, errors.ErrorEventsOnlyError):
            return errors.ErrorEventsOnlyError(
                f"the results stream of group {self.group_id} delivered only error events "
                f"({self.error_events} in all); resume with last_event_id={self.cursor!r} once "
                "the service recovers",
                event_id=self.cursor,
            )
        return exc

    def _bulk_catch_up(
        self, backlog: deque[tuple[TaskRunEvent, _Mark, float]], marks: deque[_Mark]
    ) -> int:
        """Have the caller read the due outputs in bulk, and drop from ``backlog`` those it no
        longer wants; returns how many outputs due start the next catch-up."""
        assert self._catch_up is not None
        runs = self._catch_up()
        # One pass, in order: removing entries one by one compared each with those before it,
        # field by field (their events' equality).
        kept = []
        wanted = self._which_wanted([event for event, _, _ in backlog])
        for entry, still in zip(backlog, wanted):
            if still:
                kept.append(entry)
            else:
                self._done(entry[1], marks)
        backlog.clear()
        backlog.extend(kept)
        return max(self._catch_up_after, math.ceil(self._catch_up_share * runs))

    def _which_wanted(self, events: Sequence[TaskRunEvent]) -> list[bool]:
        if self._wanted is None or not events:
            return [True] * len(events)
        return self._wanted(events)

    def _still_wanted(self, event: TaskRunEvent) -> bool:
        return self._which_wanted([event])[0]

    def _stop(self) -> None:
        self._stopping.set()
        self._room.release()  # a reader waiting for room sees the stop
        self._window.release()
        self._events.abort()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
