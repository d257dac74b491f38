"""A broken or hostile server on a real loopback socket: events and bodies far larger than the
API sends, and an event cut short, cost a bounded time and a bounded amount of memory."""

from __future__ import annotations

import http.server
import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from parallel_taskgroup import Client, Clock, errors

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
LIMIT = 16 * MIB  # the client's default max_event_bytes and max_body_bytes


class RecordingClock(Clock):
    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class Hostile(http.server.BaseHTTPRequestHandler):
    """Streams answer one event line of ``event_bytes`` bytes (then close, mid-event); other
    GETs answer a JSON body of ``body_bytes`` bytes."""

    event_bytes = 0
    body_bytes = 0
    requests = 0

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, ctype: str, head: bytes, size: int) -> None:
        type(self).requests += 1
        self.send_response(200)
        self.send_header("content-type", ctype)
        self.send_header("connection", "close")
        self.end_headers()
        piece = b"x" * 65536
        try:
            self.wfile.write(head)
            sent = 0
            while sent < size:
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what it should do

    def do_GET(self) -> None:
        if self.path.split("?")[0].endswith(("/runs", "/events")):
            self._send("text/event-stream", b"event: task_run.state\ndata: ", self.event_bytes)
        else:
            self._send("application/json", b'{"run_id": "', self.body_bytes)


@pytest.fixture
def hostile() -> Iterator[tuple[str, type[Hostile]]]:
    handler = type("Handler", (Hostile,), {"requests": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _peak_while(read: object) -> tuple[float, int]:
    """(seconds, peak bytes allocated) of calling ``read``."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        read()  # type: ignore[operator]
    finally:
        seconds = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, peak


def test_a_50_mb_event_ends_in_a_typed_error_fast_holding_no_more_than_the_limit(
    hostile: tuple[str, type[Hostile]],
) -> None:
    url, handler = hostile
    handler.event_bytes = 50 * MIB
    client = Client(api_key="k", base_url=url, clock=RecordingClock())

    def read() -> None:
        with pytest.raises(errors.EventTooLargeError, match="larger than 16,777,216 bytes"):
            list(client.group("tgrp_1").runs())

    seconds, peak = _peak_while(read)
    assert handler.requests == 1  # the same event would come again: not retried
    assert seconds < 10 and peak < LIMIT + 8 * MIB  # the event is never held whole


def test_a_50_mb_json_body_ends_in_a_typed_error_holding_no_more_than_the_limit(
    hostile: tuple[str, type[Hostile]],
) -> None:
    url, handler = hostile
    handler.body_bytes = 50 * MIB
    client = Client(api_key="k", base_url=url, clock=RecordingClock())

    def read() -> None:
        with pytest.raises(errors.ResponseTooLargeError, match="over 16,777,216 bytes"):
            client.get_run("trun_1")

    seconds, peak = _peak_while(read)
    assert handler.requests == 1 and seconds < 10 and peak < LIMIT + 8 * MIB


@pytest.mark.parametrize("max_retries, requests", [(0, 1), (4, 5)])
def test_an_event_cut_short_is_fetched_again_only_as_the_retry_policy_allows(
    hostile: tuple[str, type[Hostile]], max_retries: int, requests: int
) -> None:
    url, handler = hostile
    handler.event_bytes = 5 * MIB  # then the connection closes, mid-event
    clock = RecordingClock()
    client = Client(api_key="k", base_url=url, clock=clock, max_retries=max_retries)
    with pytest.raises(errors.TruncatedStreamError):
        list(client.group("tgrp_1").runs())
    assert handler.requests == requests  # the issue saw 31 fetches over 84 s, even with 0
    assert sum(clock.sleeps) <= 7.5
