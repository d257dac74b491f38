"""Resumable iteration over a group's SSE streams.

When a connection drops, times out or is closed by the server while there is more to read, the
stream reconnects with ``last_event_id`` set to the last delivered event, with backoff, so the
consumer sees every event exactly once and in order.

Cursor stores are updated when the consumer asks for the next event (so an event counts as
processed once the loop body for it has finished) and written at most every
``flush_interval`` seconds plus on reconnect, end and close. After a crash, a new process
therefore resumes at or slightly before where the last one stopped: at-least-once across
processes, exactly-once within one.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Generator, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional

import httpx
from parallel_taskgroup_api.models import TaskGroupStatus, TaskGroupStatusEvent

from . import errors
from ._retry import RetryMode, is_retryable, retry_after_of
from .cursors import CursorStore, MemoryCursorStore
from .events import Event, event_id_of, parse_event
from .sse import iter_sse

if TYPE_CHECKING:
    from .client import Client

__all__ = ["EventStream"]

log = logging.getLogger("parallel_taskgroup")

_MAX_SERVER_RETRY = 60.0


def deadline_at(deadline: Optional[float]) -> Optional[float]:
    """Monotonic time at which a relative ``deadline`` (seconds) passes."""
    if deadline is None:
        return None
    if deadline < 0 or math.isnan(deadline):
        raise ValueError(f"deadline must be a non-negative number of seconds, got {deadline!r}")
    return time.monotonic() + deadline


class EventStream(Iterator[Event]):
    """Iterator of typed events from one group stream, reconnecting until it is complete.

    ``until="close"`` (the runs snapshot): complete when the server ends the response cleanly.
    ``until="inactive"`` (the events stream): complete when the server ends the response cleanly
    and the group is no longer active (from the stream's last status event, or a status check
    followed by one more read from the cursor, so no late event is missed).
    """

    def __init__(
        self,
        client: Client,
        group_id: str,
        path: str,
        *,
        stream_name: str,
        until: str,
        params: Optional[Mapping[str, Any]] = None,
        last_event_id: Optional[str] = None,
        cursor_store: Optional[CursorStore] = None,
        deadline: Optional[float] = None,
        flush_interval: Optional[float] = None,
    ) -> None:
        if until not in ("close", "inactive"):
            raise ValueError("until must be 'close' or 'inactive'")
        self._client = client
        self.group_id = group_id
        self.path = path
        self.stream_name = stream_name
        self._until = until
        self._params = dict(params or {})
        self._store = cursor_store
        self._deadline_at = deadline_at(deadline)
        if flush_interval is None:
            flush_interval = 0.0 if isinstance(cursor_store, MemoryCursorStore) else 0.5
        self._flush_interval = flush_interval
        if last_event_id is None and cursor_store is not None:
            last_event_id = cursor_store.load(group_id, stream_name)
        #: event id of the last event handed to the consumer (where a reconnect resumes)
        self.cursor: Optional[str] = last_event_id
        self._acked = last_event_id
        self._saved = last_event_id
        self._last_flush = time.monotonic()
        #: number of reconnections after a failure or an early close
        self.reconnects = 0
        self._server_retry: Optional[float] = None
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

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    # -- cursor persistence ----------------------------------------------------------------

    def _flush(self) -> None:
        if self._store is not None and self._acked is not None and self._acked != self._saved:
            self._store.save(self.group_id, self.stream_name, self._acked)
            self._saved = self._acked
        self._last_flush = time.monotonic()

    def _ack(self, event_id: str) -> None:
        self._acked = event_id
        if self._store is not None and (
            self._flush_interval <= 0 or time.monotonic() - self._last_flush >= self._flush_interval
        ):
            self._flush()

    # -- reading -------------------------------------------------------------------------

    def _remaining(self) -> float:
        if self._deadline_at is None:
            return math.inf
        left = self._deadline_at - time.monotonic()
        if left <= 0:
            raise errors.DeadlineExceeded(
                f"deadline passed while reading the {self.stream_name} stream of group "
                f"{self.group_id} (resume with last_event_id={self.cursor!r})"
            )
        return left

    def _timeout(self, remaining: float) -> httpx.Timeout:
        base = self._client.timeout
        read = base.read if base.read is not None else math.inf
        read = min(read, remaining)
        return httpx.Timeout(
            connect=base.connect,
            read=None if math.isinf(read) else read,
            write=base.write,
            pool=base.pool,
        )

    def _run(self) -> Generator[Event, None, None]:
        client = self._client
        failures = 0
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
                    with client.stream(
                        "GET",
                        self.path,
                        params=params,
                        retry=False,
                        timeout=self._timeout(remaining),
                    ) as response:
                        ctype = response.headers.get("content-type", "")
                        if not ctype.startswith("text/event-stream"):
                            raise errors.StreamNotSupportedError(
                                f"GET {self.path} answered {ctype or 'no content type'!r}, "
                                "not an event stream",
                                status_code=response.status_code,
                            )
                        check_deadline = self._deadline_at is not None
                        for raw in iter_sse(response.iter_bytes(), strict_end=True):
                            if raw.retry is not None:
                                self._server_retry = min(raw.retry / 1000.0, _MAX_SERVER_RETRY)
                                if not raw.event:
                                    continue
                            event = parse_event(raw)
                            if type(event) is TaskGroupStatusEvent:
                                last_status = event.status
                            event_id = event_id_of(event)
                            if event_id is not None:
                                self.cursor = event_id
                            failures = 0
                            got_events = True
                            yield event
                            if event_id is not None:
                                if self._store is None:
                                    self._acked = event_id
                                else:
                                    self._ack(event_id)
                            if check_deadline:
                                self._remaining()
                    clean = True
                except httpx.ReadTimeout:
                    # The connection is up but quiet (long runs): not a failure, just reopen.
                    quiet = True
                except httpx.TransportError as exc:
                    failure = errors.APIConnectionError(
                        f"{self.stream_name} stream broke: {type(exc).__name__}: {exc}"
                    )
                except errors.TruncatedStreamError as exc:
                    failure = exc
                except errors.APIConnectionError as exc:
                    failure = exc
                except errors.APIStatusError as exc:
                    if not is_retryable(exc, RetryMode.ALL, sent=True):
                        raise
                    failure = exc
                self._flush()
                if quiet:
                    if drained_after_inactive:
                        return
                    delay = 0.0
                    log.info("%s stream quiet for the read timeout; reopening", self.stream_name)
                elif clean:
                    if self._until == "close" or drained_after_inactive:
                        return
                    now = client.get_group(self.group_id).status
                    if not now.is_active:
                        if (
                            last_status is not None
                            and not last_status.is_active
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
                        delay = max(delay, client.retry_policy.delay(empty_closes))
                        empty_closes += 1
                    log.info("%s stream closed by the server; reconnecting", self.stream_name)
                else:
                    assert failure is not None
                    failures += 1
                    if failures > client.max_stream_failures:
                        raise failure
                    delay = client.retry_policy.delay(failures - 1, retry_after_of(failure))
                    if self._server_retry is not None:
                        delay = max(delay, self._server_retry)
                    log.warning(
                        "%s stream of group %s interrupted (%s); reconnecting in %.2fs from %s",
                        self.stream_name,
                        self.group_id,
                        failure,
                        delay,
                        self.cursor or "the start",
                    )
                self.reconnects += 1
                if delay > 0:
                    client._sleep(min(delay, max(self._remaining(), 0.0)))
        finally:
            self._flush()
