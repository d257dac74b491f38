"""Bad-input matrix for the client: whatever bytes or responses a server sends, the caller gets
typed events, a typed error from ``parallel_taskgroup.errors``, or a documented skip; never another
exception type and never a hang (every fake server refuses to serve more requests than the
case needs, so a retry loop that would spin forever fails the test instead)."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Optional, Union

import httpx
import pytest
from parallel_taskgroup import Backoff, Client, RetryPolicy, UnknownEvent, errors
from parallel_taskgroup_api.models import ErrorEvent, TaskGroupStatusEvent, TaskRunEvent
from stream_fakes import RecordingClock, frame, run_event, status_event

KEY = "sk-bad-input-SECRET-42"
BASE = "https://api.example.test"
GROUP = "tgrp_test"
SSE = {"content-type": "text/event-stream"}
Body = Union[bytes, Callable[[], Iterator[bytes]]]
GROUP_JSON = {
    "taskgroup_id": GROUP,
    "status": {
        "num_task_runs": 2,
        "task_run_status_counts": {"completed": 2},
        "is_active": False,
        "status_message": None,
        "modified_at": None,
    },
    "created_at": "2025-01-01T00:00:00Z",
}


class Script:
    """A MockTransport handler answering each request with the next scripted response."""

    def __init__(self, responses: Iterable[Callable[[httpx.Request], httpx.Response]]) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == f"/v1/tasks/groups/{GROUP}" and request.method == "GET":
            return httpx.Response(200, json=GROUP_JSON)
        assert self.responses, f"unexpected extra request {request.method} {request.url}"
        return self.responses.pop(0)(request)


def reply(
    status: int, body: Body = b"", headers: Optional[dict[str, str]] = None
) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        content = body() if callable(body) else body
        return httpx.Response(status, headers=headers or {}, content=content)

    return respond


def sse(body: Body) -> Callable[[httpx.Request], httpx.Response]:
    return reply(200, body, SSE)


def client_for(script: Script, **kwargs: Any) -> tuple[Client, list[float]]:
    http = httpx.Client(transport=httpx.MockTransport(script))
    clock = kwargs.setdefault("clock", RecordingClock())
    client = Client(api_key=KEY, base_url=BASE, http_client=http, **kwargs)
    return client, clock.sleeps


def kinds(events: Iterable[Any]) -> list[str]:
    """A short description of each event: run:<id>, status, error, unknown:<type>."""
    out = []
    for e in events:
        if isinstance(e, TaskRunEvent):
            out.append(f"run:{e.run.run_id}")
        elif isinstance(e, TaskGroupStatusEvent):
            out.append("status")
        elif isinstance(e, ErrorEvent):
            out.append("error")
        else:
            assert isinstance(e, UnknownEvent), e
            out.append(f"unknown:{e.type}")
    return out


R1 = frame(run_event(1, "0001"))
R2 = frame(run_event(2, "0002"))
BAD = "a malformed event: reported, counted and skipped"


# -- SSE bytes --------------------------------------------------------------------------------

SSE_CASES = [
    pytest.param(b"garbage\nmore garbage\n\n", ["run:trun_1", "run:trun_2"], id="garbage-lines"),
    pytest.param(b":\n::::\n: comment\n\n", ["run:trun_1", "run:trun_2"], id="comment-lines"),
    pytest.param(b"\x00\x01\x02\x7f\n\n", ["run:trun_1", "run:trun_2"], id="control-bytes"),
    pytest.param(b"\xff\xfe\xfd\n\n", ["run:trun_1", "run:trun_2"], id="invalid-utf8-line"),
    pytest.param(b"retry: soon\nid: 7\n\n", ["run:trun_1", "run:trun_2"], id="retry-not-digits"),
    pytest.param(b"event: task_run.state\n\n", ["run:trun_1", "run:trun_2"], id="event-no-data"),
    pytest.param(b"\n\n\n\n\r\n\r\n", ["run:trun_1", "run:trun_2"], id="blank-lines"),
    pytest.param(
        b"data\n\n", ["run:trun_1", "unknown:message", "run:trun_2"], id="bare-data-field"
    ),
    pytest.param(
        b"data: hello\n\n", ["run:trun_1", "unknown:message", "run:trun_2"], id="text-message"
    ),
    pytest.param(
        b'event: task_run.progress_msg.plan\ndata: {"type": "task_run.progress_msg.plan"}\n\n',
        ["run:trun_1", "unknown:task_run.progress_msg.plan", "run:trun_2"],
        id="unknown-event-type",
    ),
    pytest.param(
        b"event: brand_new\ndata: <not json>\n\n",
        ["run:trun_1", "unknown:brand_new", "run:trun_2"],
        id="unknown-type-non-json",
    ),
    pytest.param(
        b'data: {"type": 5}\n\n', ["run:trun_1", "unknown:5", "run:trun_2"], id="type-not-string"
    ),
    pytest.param(
        b'data: {"type": "error", "error": {"ref_id": "r", "message": "m"}}\n\n',
        ["run:trun_1", "error", "run:trun_2"],
        id="error-event",
    ),
    pytest.param(
        b"event: huge\ndata: " + b"x" * 2_000_000 + b"\n\n",
        ["run:trun_1", "unknown:huge", "run:trun_2"],
        id="2MB-data-line",
    ),
    pytest.param(b'event: task_run.state\ndata: {"type":\n\n', BAD, id="bad-json"),
    pytest.param(b"event: task_run.state\ndata: \xff\xfe\n\n", BAD, id="invalid-utf8-data"),
    pytest.param(b"event: task_run.state\ndata: [1, 2]\n\n", BAD, id="json-list"),
    pytest.param(b"event: error\ndata: null\n\n", BAD, id="error-event-null"),
    pytest.param(b'data: {"type": "task_run.state"}\n\n', BAD, id="missing-fields"),
    pytest.param(
        b"event: task_run.state\ndata: " + b"[" * 100_000 + b"\n\n",
        BAD,
        id="deeply-nested-known-event",
    ),
    pytest.param(
        b"event: later\ndata: " + b"[" * 100_000 + b"\n\n",
        ["run:trun_1", "unknown:later", "run:trun_2"],
        id="deeply-nested-unknown-event",
    ),
    pytest.param(
        b'data: {"type": "task_run.state", "event_id": "9", "run": {"run_id": 5}}\n\n',
        BAD,
        id="wrong-field-types",
    ),
    pytest.param(
        b'data: {"type": "task_group_status", "event_id": "9", "status": []}\n\n',
        BAD,
        id="status-not-object",
    ),
    pytest.param(b": keep-alive\n\n" * 3, ["run:trun_1", "run:trun_2"], id="keep-alives"),
    pytest.param(
        frame(run_event(3, "0003"), sse_id=False),
        ["run:trun_1", "run:trun_3", "run:trun_2"],
        id="no-id-line",
    ),
    pytest.param(
        b'event: task_run.state\ndata: {"type": "task_run.state", "event_id": "9", '
        b'"run": {"run_id": "trun_9", "status": "completed"}}\n\n',
        ["run:trun_1", "run:trun_9", "run:trun_2"],
        id="run-with-only-essential-fields",
    ),
    pytest.param(
        b'event: task_run.state\ndata: {"type": "task_run.state", "event_id": "9", '
        b'"run": {"run_id": "trun_9", "status": "done-ish"}}\n\n',
        BAD,
        id="unknown-run-status",
    ),
]


@pytest.mark.parametrize("middle, expected", SSE_CASES)
def test_runs_stream_with_malformed_sse_gives_events_and_reports_bad_ones(
    middle: bytes, expected: Union[list[str], str]
) -> None:
    script = Script([sse(R1 + middle + R2)])
    client, _ = client_for(script)
    stream = client.group(GROUP).runs()
    if isinstance(expected, list):
        assert kinds(stream) == expected
        assert stream.bad_events == 0
    else:
        assert kinds(stream) == ["run:trun_1", "run:trun_2"]
        assert stream.bad_events == 1 and stream.last_bad_event


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 10_000], ids=lambda n: f"chunks-of-{n}")
def test_sse_split_anywhere_gives_the_same_events(chunk: int) -> None:
    data = R1 + b"garbage\n\n" + b"retry: 5\n\n" + R2

    def body() -> Iterator[bytes]:
        for i in range(0, len(data), chunk):
            yield data[i : i + chunk]

    client, _ = client_for(Script([sse(body)]))
    assert kinds(client.group(GROUP).runs()) == ["run:trun_1", "run:trun_2"]


def test_leading_byte_order_mark_does_not_lose_the_first_event() -> None:
    client, _ = client_for(Script([sse(b"\xef\xbb\xbf" + R1 + R2)]))
    assert kinds(client.group(GROUP).runs()) == ["run:trun_1", "run:trun_2"]


def test_huge_sse_retry_is_capped_at_a_minute() -> None:
    def dropping() -> Iterator[bytes]:
        yield b"retry: 999999999999\n\n" + R1
        raise httpx.ReadError("reset")

    client, sleeps = client_for(Script([sse(dropping), sse(R2)]))
    assert kinds(client.group(GROUP).runs()) == ["run:trun_1", "run:trun_2"]
    assert sleeps and max(sleeps) <= 60.0


# -- truncated streams --------------------------------------------------------------------------


def test_stream_dropped_mid_event_resumes_from_the_last_complete_event() -> None:
    def dropping() -> Iterator[bytes]:
        yield R1 + R2[:20]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")

    script = Script([sse(dropping), sse(R2)])
    client, _ = client_for(script)
    assert kinds(client.group(GROUP).runs()) == ["run:trun_1", "run:trun_2"]
    assert script.requests[1].url.params["last_event_id"] == "0001"


def test_runs_stream_ending_cleanly_mid_event_does_not_lose_the_event() -> None:
    script = Script([sse(R1 + R2[:20]), sse(R2)])
    client, _ = client_for(script)
    assert kinds(client.group(GROUP).runs()) == ["run:trun_1", "run:trun_2"]


def test_stream_that_keeps_dropping_ends_in_a_connection_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def dropping() -> Iterator[bytes]:
        yield R1[:10]
        raise httpx.ReadError("reset")

    client, sleeps = client_for(Script([sse(dropping)] * 4), max_retries=3)
    with pytest.raises(errors.APIConnectionError):
        list(client.group(GROUP).runs())
    assert len(sleeps) == 3


def test_events_stream_with_only_garbage_then_inactive_group_ends() -> None:
    script = Script([sse(b"garbage\n\n" * 50), sse(b"")])
    client, _ = client_for(script)
    assert kinds(client.group(GROUP).events()) == []


def test_events_stream_delivers_each_event_once_across_drops() -> None:
    s1 = frame(status_event("0001", active=True))
    s2 = frame(status_event("0003", active=False))

    def dropping() -> Iterator[bytes]:
        yield s1 + R2[:-1]
        raise httpx.ReadError("reset")

    r2 = frame(run_event(2, "0002"))
    # The stream's last status (0 runs) differs from the group's (2 runs): one more read.
    client, _ = client_for(Script([sse(dropping), sse(r2 + s2), sse(b"")]))
    assert kinds(client.group(GROUP).events()) == ["status", "run:trun_2", "status"]


# -- HTTP responses -----------------------------------------------------------------------------

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
ERROR_CASES = [
    pytest.param(
        reply(400, b"plain text failure", {"content-type": "text/plain"}),
        errors.BadRequestError,
        400,
        "plain text failure",
        id="non-json-400",
    ),
    pytest.param(
        reply(502, HTML_502, {"content-type": "text/html"}),
        errors.ServerError,
        502,
        "502 Bad Gateway",
        id="html-502",
    ),
    pytest.param(reply(500, b""), errors.ServerError, 500, "empty error body", id="empty-500"),
    pytest.param(
        reply(500, b'{"error": "oops"}', {"content-type": "application/json"}),
        errors.ServerError,
        500,
        "oops",
        id="error-field-a-string",
    ),
    pytest.param(
        reply(404, b'{"error": {"message": 5, "ref_id": []}}'),
        errors.NotFoundError,
        404,
        "error body",
        id="error-fields-wrong-types",
    ),
    pytest.param(
        reply(422, b'{"detail": [{"loc": "x"}, 5, null]}'),
        errors.ValidationError,
        422,
        "detail",
        id="422-garbage-detail",
    ),
    pytest.param(
        reply(422, b'{"detail": "bad cursor"}'),
        errors.ValidationError,
        422,
        "bad cursor",
        id="422-str",
    ),
    pytest.param(reply(401, b"[1, 2]"), errors.AuthenticationError, 401, "[1, 2]", id="401-list"),
    pytest.param(
        reply(500, b"[" * 100_000), errors.ServerError, 500, "[[[", id="deeply-nested-body"
    ),
    pytest.param(reply(418, b"teapot"), errors.APIStatusError, 418, "teapot", id="418"),
    pytest.param(reply(599, b"\xff\xfe"), errors.ServerError, 599, "error body", id="599-binary"),
    pytest.param(
        reply(503, b'{"type":"error","error":{"ref_id":"r9","message":"' + b"m" * 100_000 + b'"}}'),
        errors.ServerError,
        503,
        "mmmm",
        id="huge-message",
    ),
]


@pytest.mark.parametrize("response, cls, status, text", ERROR_CASES)
def test_error_responses_become_typed_errors(
    response: Callable[[httpx.Request], httpx.Response], cls: type, status: int, text: str
) -> None:
    client, _ = client_for(Script([response] * 3), max_retries=2)
    with pytest.raises(errors.ParallelError) as info:
        client.get_run("trun_1")
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert text in str(info.value)
    assert KEY not in str(info.value) and KEY not in repr(info.value)


SUCCESS_GARBAGE = [
    pytest.param(reply(200, b""), id="empty-200"),
    pytest.param(reply(200, b"   "), id="whitespace-200"),
    pytest.param(reply(200, HTML_502, {"content-type": "text/html"}), id="html-200"),
    pytest.param(reply(200, b"[]", {"content-type": "application/json"}), id="json-list"),
    pytest.param(reply(200, b"null"), id="json-null"),
    pytest.param(reply(200, b'{"taskgroup_id": 5}'), id="wrong-types"),
    pytest.param(reply(200, b'{"taskgroup_id": "tgrp_1", "status": 7}'), id="status-number"),
    pytest.param(reply(200, b'{"taskgroup_id": "tgrp_1"'), id="truncated-json"),
    pytest.param(reply(204), id="no-content"),
    pytest.param(reply(302), id="302-without-location"),
    pytest.param(reply(200, b"[" * 100_000), id="deeply-nested"),
]


@pytest.mark.parametrize("response", SUCCESS_GARBAGE)
def test_garbage_success_body_is_retried_then_a_response_format_error(
    response: Callable[[httpx.Request], httpx.Response],
) -> None:
    client, sleeps = client_for(Script([response] * 5))
    with pytest.raises(errors.ResponseFormatError):
        client.group("tgrp_1").refresh()
    assert len(sleeps) == 4  # a cut or mangled body is retried like a broken connection


@pytest.mark.parametrize(
    "response, cls",
    [
        (
            reply(404, b'{"type":"error","error":{"ref_id":"r","message":"nope"}}'),
            errors.NotFoundError,
        ),
        (
            reply(200, b'{"ok": true}', {"content-type": "application/json"}),
            errors.StreamNotSupportedError,
        ),
        (
            reply(200, b"<html></html>", {"content-type": "text/html"}),
            errors.StreamNotSupportedError,
        ),
        (reply(401, b"no"), errors.AuthenticationError),
        (
            reply(
                422, b'{"detail": [{"loc": ["query", "last_event_id"], "msg": "bad", "type": "x"}]}'
            ),
            errors.ValidationError,
        ),
    ],
    ids=["404", "json-200", "html-200", "401", "422-cursor"],
)
def test_stream_that_cannot_open_is_a_typed_error(
    response: Callable[[httpx.Request], httpx.Response], cls: type
) -> None:
    client, _ = client_for(Script([response]))
    with pytest.raises(errors.ParallelError) as info:
        list(client.group(GROUP).runs())
    assert isinstance(info.value, cls)


def test_stream_opening_failing_with_5xx_gives_up_with_a_server_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, sleeps = client_for(
        Script([reply(503, HTML_502, {"content-type": "text/html"})] * 3), max_retries=2
    )
    with pytest.raises(errors.ServerError) as info:
        list(client.group(GROUP).runs())
    assert info.value.status_code == 503


# -- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example.test/v1/tasks/runs/trun_1",
        "http://api.example.test/v1/tasks/runs/trun_1",
        "https://api.example.test:8443/v1/tasks/runs/trun_1",
        "//evil.example.test/x",
    ],
    ids=["other-host", "downgrade-to-http", "other-port", "scheme-relative"],
)
def test_redirect_to_another_origin_is_refused_and_the_key_not_sent(location: str) -> None:
    script = Script([reply(302, b"", {"location": location})])
    client, _ = client_for(script)
    with pytest.raises(errors.RedirectError) as info:
        client.get_run("trun_1")
    assert len(script.requests) == 1
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_redirect_of_a_post_is_refused_even_on_the_same_host() -> None:
    script = Script([reply(307, b"", {"location": f"{BASE}/v1/tasks/groups"})])
    client, _ = client_for(script)
    with pytest.raises(errors.RedirectError):
        client.create_group()
    assert len(script.requests) == 1


def test_redirect_loop_on_the_same_host_ends_in_a_redirect_error() -> None:
    loop = reply(302, b"", {"location": f"{BASE}/v1/tasks/runs/trun_1"})
    client, _ = client_for(Script([loop] * 6))
    with pytest.raises(errors.RedirectError, match="too many redirects"):
        client.get_run("trun_1")


# -- Retry-After ----------------------------------------------------------------------------------


def rate_limited(retry_after: Optional[str]) -> Callable[[httpx.Request], httpx.Response]:
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    body = b'{"type":"error","error":{"ref_id":"r","message":"Too many requests"}}'
    return reply(429, body, headers)


def test_429_without_retry_after_backs_off_within_the_cap_then_raises() -> None:
    policy = RetryPolicy(max_throttled=3, backoff=Backoff(base=0.5, cap=2.0))
    client, sleeps = client_for(Script([rate_limited(None)] * 4), retry=policy)
    with pytest.raises(errors.RateLimitError) as info:
        client.get_run("trun_1")
    assert info.value.retry_after is None
    assert len(sleeps) == 3 and all(0.0 <= s <= 2.0 for s in sleeps)


def test_retry_after_as_an_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    created = reply(200, json.dumps(GROUP_JSON).encode(), {"content-type": "application/json"})
    client, sleeps = client_for(Script([rate_limited(when), created]))
    assert client.create_group().id == GROUP
    assert len(sleeps) == 1 and 20.0 <= sleeps[0] <= 31.0


@pytest.mark.parametrize(
    "value, low, high",
    [
        ("99999999999", 60.0, 60.0),
        ("1e400", 0.0, 8.0),  # not a finite number: ignored, normal backoff
        ("inf", 0.0, 8.0),
        ("nan", 0.0, 60.0),
        ("-5", 0.0, 0.0),
        ("soon", 0.0, 8.0),
        ("", 0.0, 8.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0, 0.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 60.0, 60.0),
        ("Mon, 99 Foo 2020 99:99:99 XYZ", 0.0, 8.0),
    ],
    ids=[
        "huge",
        "overflowing",
        "inf",
        "nan",
        "negative",
        "word",
        "empty",
        "date-in-the-past",
        "date-far-future",
        "broken-date",
    ],
)
def test_any_retry_after_gives_a_bounded_wait(value: str, low: float, high: float) -> None:
    client, sleeps = client_for(
        Script([rate_limited(value)] * 2), retry=RetryPolicy(max_throttled=1)
    )
    with pytest.raises(errors.RateLimitError):
        client.get_run("trun_1")
    assert len(sleeps) == 1 and low <= sleeps[0] <= high, sleeps


def test_429_on_a_run_creating_post_is_retried_without_a_duplicate() -> None:
    created = reply(200, json.dumps(GROUP_JSON).encode(), {"content-type": "application/json"})
    script = Script([rate_limited("1"), created])
    client, sleeps = client_for(script)
    assert client.create_group().id == GROUP
    assert sleeps == [1.0] and len(script.requests) == 2
