"""Resumable iteration over one of a group's SSE streams.

When a connection drops, times out or is closed by the server while there is more to read, the
stream reconnects with ``last_event_id`` set to the last delivered event, so the consumer sees
every event once and in order. Failed connections (errors, resets, bodies cut mid-event) count
against the client's one retry policy and wait as it says; an event delivered forgives the
failures before it.

A cursor store is updated when the consumer asks for the next event (so an event counts as
processed once the loop body for it has finished) and written at most every
:data:`FLUSH_SECONDS` plus on reconnect, end and close: at-least-once across processes,
exactly-once within one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Generator, Iterator, Mapping
from types import TracebackType
from typing import Any, Callable, Literal, Optional

import httpx
from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatus, TaskGroupStatusEvent

from .. import errors
from .._endpoints import get_group
from .._http import HttpCore
from .._retry import STREAM_IDLE, RetryPolicy
from .._status import group_active
from .cursors import CursorStore, MemoryCursorStore
from .events import Event, event_id_of, parse_event
from .sse import iter_sse

__all__ = ["EventStream", "StreamEnd"]

log = logging.getLogger("parallel_taskgroup")

StreamEnd = Literal["close", "inactive", "never"]
"""When a stream is complete: ``close`` when the server ends it cleanly (the runs snapshot);
``inactive`` when it ends and the group has no active run (the events stream); ``never``."""

FLUSH_SECONDS = 0.5
"""How often a file or database cursor store is written while events flow."""

MAX_SERVER_RETRY = 60.0
"""Cap on a server's SSE ``retry:`` hint, in seconds."""

ERROR_PATIENCE = 300.0
"""Default seconds a stream may deliver nothing but ``error`` events before it gives up."""


class EventStream(Iterator[Event]):
    """Iterator of typed events from one group stream, reconnecting until it is complete.

    Built by ``TaskGroup.events()`` and ``TaskGroup.runs()``. ``cursor`` is the event id of the
    last event handed out, ``data`` its JSON text as the server sent it; ``reconnects`` counts
    reconnections.

    ``error`` events are handed out like any other (``error_events`` counts them); only a stream
    that delivers nothing but errors for ``error_patience`` seconds raises
    :class:`~parallel_taskgroup.ErrorEventsOnlyError`. An event of a known type whose payload
    cannot be read is skipped and reported: logged, counted in ``bad_events``, described in
    ``last_bad_event``; the stream goes on past it.
    """

    def __init__(
        self,
        core: HttpCore,
        group_id: str,
        path: str,
        *,
        stream_name: str,
        until: StreamEnd,
        params: Optional[Mapping[str, Any]] = None,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        timeout: Optional[float] = None,
        before_cursor_save: Optional[Callable[[], None]] = None,
        error_patience: float = ERROR_PATIENCE,
        retry: Optional[RetryPolicy] = None,
        on_unreadable: Optional[Callable[[str], None]] = None,
    ) -> None:
        self._core = core
        self._on_unreadable = on_unreadable
        """Told the data of each event skipped because it does not parse (a reader that must
        not miss a run, such as a read of the group's row keys, takes what it can from it)."""
        self._base_retry = retry if retry is not None else core.retry
        self.retry = self._base_retry
        """The retry policy now: the one given (or the client's) plus failures not yet
        forgiven; an operation that nests this stream continues from it."""
        self._clock = core.clock
        self.group_id = group_id
        self.path = path
        self.stream_name = stream_name
        self._until = until
        self._params = dict(params or {})
        self._store = cursor_store
        self._before_save = before_cursor_save
        self._ends_at = _ends_at(self._clock.now(), timeout)
        self._flush_every = 0.0 if isinstance(cursor_store, MemoryCursorStore) else FLUSH_SECONDS
        if last_event_id is None and cursor_store is not None:
            last_event_id = cursor_store.load(group_id, stream_name)
        self.cursor: Optional[str] = last_event_id
        self.data: Optional[str] = None
        self._acked = last_event_id
        self._saved = last_event_id
        self._last_flush = self._clock.now()
        self.reconnects = 0
        self.error_events = 0
        self.bad_events = 0
        self.last_bad_event: Optional[str] = None
        self._error_patience = error_patience
        self._errors_since: Optional[float] = None
        self._server_retry: Optional[float] = None
        self._aborted = False
        self._response: Optional[httpx.Response] = None
        self._gen = self._run()

    # -- iterator protocol -----------------------------------------------------------------

    def __iter__(self) -> Iterator[Event]:
        # Handing out the generator itself saves a Python call per event in for-loops.
        return self._gen

    def __next__(self) -> Event:
        return next(self._gen)

    def close(self) -> None:
        """Stop reading, close the connection and save the cursor of the last processed event."""
        self._gen.close()
        self._flush()

    def abort(self) -> None:
        """Make a stream being read in another thread stop: its connection is closed, and the
        reading loop ends instead of reconnecting."""
        self._aborted = True
        response = self._response
        if response is not None:
            response.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"EventStream(group={self.group_id!r}, stream={self.stream_name!r}, "
            f"cursor={self.cursor!r})"
        )

    # -- cursor persistence ----------------------------------------------------------------

    def _flush(self) -> None:
        if self._store is not None and self._acked is not None and self._acked != self._saved:
            if self._before_save is not None:
                self._before_save()
            self._store.save(self.group_id, self.stream_name, self._acked)
            self._saved = self._acked
        self._last_flush = self._clock.now()

    def _ack(self, event_id: str) -> None:
        self._acked = event_id
        if self._store is not None and (
            self._flush_every <= 0 or self._clock.now() - self._last_flush >= self._flush_every
        ):
            self._flush()

    # -- what the stream reports ---------------------------------------------------------

    def _skip_bad_event(self, exc: errors.StreamError) -> None:
        self.bad_events += 1
        self.last_bad_event = exc.message
        log.warning(
            "%s stream of group %s: skipped an event that cannot be read (%s)",
            self.stream_name,
            self.group_id,
            exc.message,
        )
        if exc.event_id is not None:
            self.cursor = exc.event_id
            self._ack(exc.event_id)

    def _error_event(self) -> None:
        self.error_events += 1
        now = self._clock.now()
        if self._errors_since is None:
            self._errors_since = now
        elif now - self._errors_since > self._error_patience:
            raise errors.ErrorEventsOnlyError(
                f"the {self.stream_name} stream of group {self.group_id} delivered only error "
                f"events for {now - self._errors_since:.0f}s ({self.error_events} in all); "
                f"resume with last_event_id={self.cursor!r} once the service recovers",
                event_id=self.cursor,
            )

    # -- reading -------------------------------------------------------------------------

    def _remaining(self) -> float:
        if self._ends_at is None:
            return math.inf
        left = self._ends_at - self._clock.now()
        if left <= 0:
            raise errors.WaitTimeoutError(
                f"timeout passed while reading the {self.stream_name} stream of group "
                f"{self.group_id} (resume with last_event_id={self.cursor!r})"
            )
        return left

    def _run(self) -> Generator[Event, None, None]:
        core = self._core
        empty_closes = 0
        drained_after_inactive = False
        try:
            while True:
                remaining = self._remaining()
                params = dict(self._params)
                if self.cursor is not None:
                    params["last_event_id"] = self.cursor
                clean = False
                got_events = False
                last_status: Optional[TaskGroupStatus] = None
                failure: Optional[errors.ParallelError] = None
                quiet = False
                try:
                    with core.stream(
                        self.path, params=params, timeout=core.read_timeout(remaining)
                    ) as response:
                        self._response = response
                        if self._aborted:
                            return
                        ctype = response.headers.get("content-type", "")
                        if not ctype.startswith("text/event-stream"):
                            raise errors.StreamNotSupportedError(
                                f"GET {self.path} answered {ctype or 'no content type'!r}, "
                                "not an event stream",
                                status_code=response.status_code,
                            )
                        check_timeout = self._ends_at is not None
                        for raw in iter_sse(
                            response.iter_bytes(),
                            strict_end=True,
                            max_event_bytes=core.max_event_bytes,
                        ):
                            if raw.retry is not None:
                                self._server_retry = min(raw.retry / 1000.0, MAX_SERVER_RETRY)
                                if not raw.event:
                                    continue
                            try:
                                event = parse_event(raw)
                            except errors.StreamError as exc:
                                if self._on_unreadable is not None:
                                    self._on_unreadable(raw.data)
                                self._skip_bad_event(exc)
                                continue
                            if type(event) is ErrorEvent:
                                self._error_event()
                            else:
                                self._errors_since = None
                                if type(event) is TaskGroupStatusEvent:
                                    last_status = event.status
                            event_id = event_id_of(event)
                            if event_id is not None:
                                self.cursor = event_id
                            self.retry = self._base_retry  # progress forgives the failures
                            got_events = True
                            self.data = raw.data
                            yield event
                            if event_id is not None:
                                if self._store is None:
                                    self._acked = event_id
                                else:
                                    self._ack(event_id)
                            if check_timeout:
                                self._remaining()
                    clean = True
                except httpx.ReadTimeout:
                    if self._aborted:
                        return
                    # The connection is up but quiet (long runs): not a failure, just reopen.
                    quiet = True
                except (httpx.TransportError, httpx.StreamClosed) as exc:
                    if self._aborted:
                        return
                    failure = errors.APIConnectionError(
                        f"{self.stream_name} stream broke: {type(exc).__name__}: {exc}"
                    )
                except (errors.APIError, errors.TruncatedStreamError) as exc:
                    if self._aborted:
                        return
                    failure = exc
                finally:
                    self._response = None
                self._flush()
                if self._aborted:
                    return
                if quiet:
                    if drained_after_inactive:
                        return
                    delay = 0.0
                    log.debug("%s stream quiet for the read timeout; reopening", self.stream_name)
                elif clean:
                    # Once the group is inactive, reads from the cursor go on until one brings
                    # nothing new: a stream closed early (its lifetime, a proxy) looks the same
                    # as one that ended.
                    if self._until == "close" or (drained_after_inactive and not got_events):
                        return
                    if self._until == "inactive":
                        now = get_group(core, self.group_id).status
                        if not group_active(now):
                            if (
                                last_status is not None
                                and not group_active(last_status)
                                and last_status.num_task_runs == now.num_task_runs
                            ):
                                return  # the stream already ended on this final state
                            # One more read from the cursor collects events written before the
                            # group went inactive but after this connection closed.
                            drained_after_inactive = True
                            continue
                    # An early close is normal (the stream has a lifetime); back off only when
                    # the server keeps closing without sending anything.
                    delay = self._server_retry or 0.0
                    if got_events:
                        empty_closes = 0
                    else:
                        delay = max(delay, STREAM_IDLE.delay(empty_closes))
                        empty_closes += 1
                    log.debug("%s stream closed by the server; reconnecting", self.stream_name)
                else:
                    assert failure is not None
                    self.retry = core.failed(self.retry, failure)  # raises once spent
                    delay = max(self.retry.delay, self._server_retry or 0.0)
                    core.waiting(f"{self.retry.describe()}, reconnecting", delay)
                    log.info(
                        "%s stream of group %s interrupted (%s); reconnecting in %.2fs from %s",
                        self.stream_name,
                        self.group_id,
                        failure,
                        delay,
                        self.cursor or "the start",
                    )
                self.reconnects += 1
                if delay > 0:
                    self._clock.sleep(min(delay, max(self._remaining(), 0.0)))
        finally:
            self._flush()


def _ends_at(now: float, timeout: Optional[float]) -> Optional[float]:
    """The monotonic time at which a relative ``timeout`` (seconds) passes."""
    if timeout is None:
        return None
    if timeout < 0 or math.isnan(timeout):
        raise ValueError(f"timeout must be a non-negative number of seconds, got {timeout!r}")
    return now + timeout


def timeout_at(core: HttpCore, timeout: Optional[float]) -> Optional[float]:
    """The time on ``core``'s clock at which ``timeout`` seconds from now pass (None: never)."""
    return _ends_at(core.clock.now(), timeout)
