"""Errors never hold a request, its headers or the API key: not in their attributes, their
arguments, nor anywhere along their ``__cause__``/``__context__`` chain (an httpx error kept as
``__context__`` would hold the request, the key in its headers)."""

from __future__ import annotations

import collections
import socket
import traceback
import types
from typing import Any, Callable

import httpx
import pytest
from parallel_taskgroup import Client, errors
from stream_fakes import GROUP_ID, FakeGroupServer, RecordingClock, status_event

API_KEY = "SEKRIT-KEY-123"

_OPAQUE = (
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.FrameType,
    types.TracebackType,
    types.CodeType,
    type,
)


def leaks(error: BaseException) -> list[str]:
    """Where, from ``error``, an httpx request or response or the API key can be reached:
    through the exception chain, ``args``, ``vars()``, slots and containers (not tracebacks)."""
    found: list[str] = []
    seen: set[int] = set()
    todo: list[tuple[Any, str]] = [(error, "error")]
    while todo:
        obj, path = todo.pop()
        if isinstance(obj, str):
            if API_KEY in obj:
                found.append(path)
            continue
        if isinstance(obj, (bytes, bytearray)):
            if API_KEY.encode() in obj:
                found.append(path)
            continue
        if obj is None or isinstance(obj, (bool, int, float, *_OPAQUE)) or id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (httpx.Request, httpx.Response, httpx.HTTPError)):
            found.append(f"{path} ({type(obj).__name__})")
        children: list[tuple[Any, str]] = []
        if isinstance(obj, BaseException):
            children += [
                (obj.__cause__, ".__cause__"),
                (obj.__context__, ".__context__"),
                (obj.args, ".args"),
                (repr(obj), " repr"),
                (str(obj), " str"),
            ]
        if isinstance(obj, dict):
            children += [(k, f" key {k!r}") for k in obj]
            children += [(v, f"[{k!r}]") for k, v in obj.items()]
        elif isinstance(obj, (list, tuple, set, frozenset, collections.deque)):
            children += [(v, f"[{i}]") for i, v in enumerate(obj)]
        if hasattr(obj, "__dict__"):
            children.append((vars(obj), ".__dict__"))
        for cls in type(obj).__mro__:
            slots = getattr(cls, "__slots__", ())
            for name in [slots] if isinstance(slots, str) else slots:
                if hasattr(obj, name):
                    children.append((getattr(obj, name), f".{name}"))
        todo += [(child, path + step) for child, step in children]
    return found


def mock_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Client:
    return Client(
        api_key=API_KEY,
        base_url="https://api.example.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=RecordingClock(),
        **kwargs,
    )


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer within the read timeout", request=request)


def body_cut(request: httpx.Request) -> httpx.Response:
    def body() -> Any:
        yield b'{"taskgroup_id": "tgrp_'
        raise httpx.ReadError("connection reset by peer", request=request)

    return httpx.Response(200, content=body())


def status(code: int) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, json={"error": {"ref_id": "r1", "message": "no"}})

    return handler


def reset_mid_stream_then_refused() -> Callable[[httpx.Request], httpx.Response]:
    """The events stream breaks off after some bytes; every reconnection is refused."""
    events = [status_event("e0", active=True), status_event("e1", active=True)]
    server = FakeGroupServer(events, cuts=[("drop", 150)])
    connections = []

    def handler(request: httpx.Request) -> httpx.Response:
        connections.append(request)
        return server(request) if len(connections) == 1 else refuse(request)

    return handler


def connection_refused() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with Client(api_key=API_KEY, base_url=url, max_retries=0) as client:
        client.create_group()


SCENARIOS: dict[str, tuple[type[errors.ParallelError], Callable[[], object]]] = {
    "connection-refused": (errors.APIConnectionError, connection_refused),
    "read-timeout": (
        errors.APITimeoutError,
        lambda: mock_client(read_timeout, max_retries=0).create_group(),
    ),
    "body-reset-mid-answer": (
        errors.APIConnectionError,
        lambda: mock_client(body_cut, max_retries=0).create_group(),
    ),
    "events-stream-reset-then-refused": (
        errors.APIConnectionError,
        lambda: list(
            mock_client(reset_mid_stream_then_refused(), max_retries=1).group(GROUP_ID).events()
        ),
    ),
    "results-stream-reset-then-refused": (
        errors.APIConnectionError,
        lambda: list(
            mock_client(reset_mid_stream_then_refused(), max_retries=1).group(GROUP_ID).results()
        ),
    ),
    "http-error-status": (
        errors.AuthenticationError,
        lambda: mock_client(status(401)).create_group(),
    ),
    "retries-exhausted-on-refusals": (
        errors.APIConnectionError,
        lambda: mock_client(refuse, max_retries=2).create_group(),
    ),
    "retries-exhausted-on-server-errors": (
        errors.ServerError,
        lambda: mock_client(status(503), max_retries=2).create_group(),
    ),
    "body-not-in-the-api-shape": (
        errors.ResponseFormatError,
        lambda: mock_client(lambda r: httpx.Response(200, json={}), max_retries=0).create_group(),
    ),
}


def raised(scenario: str) -> errors.ParallelError:
    kind, act = SCENARIOS[scenario]
    with pytest.raises(kind) as caught:
        act()
    return caught.value


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_raised_error_reaches_no_request_response_or_api_key(scenario: str) -> None:
    assert leaks(raised(scenario)) == []


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_raised_error_traceback_printed_with_locals_shows_no_api_key(scenario: str) -> None:
    error = raised(scenario)
    printed = "".join(
        traceback.TracebackException.from_exception(error, capture_locals=True).format()
    )
    assert API_KEY not in printed


def test_the_leak_finder_finds_a_request_kept_as_context() -> None:
    request = httpx.Request("GET", "https://api.example.test/", headers={"x-api-key": API_KEY})
    try:
        try:
            raise httpx.ConnectError("refused", request=request)
        except httpx.ConnectError:
            raise errors.APIConnectionError("failed") from None
    except errors.APIConnectionError as exc:
        error = exc
    assert any("__context__" in path for path in leaks(error))
