"""Client: configuration, auth header, version mapping, retries, redirects, typed errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from parallel_taskgroup import Client, TaskGroup, errors
from stream_fakes import RecordingClock

KEY = "sk-test-SECRET-0123456789"

GROUP = {
    "taskgroup_id": "tgrp_1",
    "status": {
        "num_task_runs": 0,
        "task_run_status_counts": {},
        "is_active": False,
        "status_message": None,
        "modified_at": None,
    },
    "created_at": "2025-01-01T00:00:00Z",
}
RUN = {
    "run_id": "trun_1",
    "interaction_id": "trun_1",
    "status": "completed",
    "is_active": False,
    "processor": "base",
    "created_at": None,
    "modified_at": None,
}


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[Client, list[float]]:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    kwargs.setdefault("base_url", "https://api.example.test")
    clock = kwargs.setdefault("clock", RecordingClock())
    client = Client(api_key=KEY, http_client=http, **kwargs)
    return client, clock.sleeps


def error_json(status: int, message: str = "boom") -> httpx.Response:
    return httpx.Response(
        status, json={"type": "error", "error": {"ref_id": "r1", "message": message}}
    )


# -- configuration ---------------------------------------------------------------------------


def test_key_and_base_url_come_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", KEY)
    monkeypatch.setenv("PARALLEL_BASE_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("PARALLEL_API_VERSION", "v1beta")
    with Client() as client:
        assert client.base_url == "http://127.0.0.1:9999"
        assert client.api_version == "v1beta"


def test_missing_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARALLEL_API_KEY", raising=False)
    with pytest.raises(errors.ConfigurationError, match="PARALLEL_API_KEY"):
        Client()


def test_key_with_line_break_is_refused_without_echoing_it() -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        Client(api_key=KEY + "\n")  # stripped: fine
        Client(api_key="sk-abc def")
    assert "sk-abc" not in str(info.value)


def test_unknown_api_version_is_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="v1beta"):
        Client(api_key=KEY, api_version="v2")


def test_plain_http_to_remote_host_is_refused() -> None:
    with pytest.raises(errors.InsecureTransportError, match="allow_insecure_http"):
        Client(api_key=KEY, base_url="http://api.example.com")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.3.2.1"])
def test_plain_http_to_loopback_is_allowed(host: str) -> None:
    Client(api_key=KEY, base_url=f"http://{host}:8080").close()


def test_plain_http_to_remote_host_allowed_when_asked() -> None:
    Client(api_key=KEY, base_url="http://api.example.com", allow_insecure_http=True).close()


def test_base_url_without_scheme_is_refused() -> None:
    with pytest.raises(errors.ConfigurationError, match="absolute"):
        Client(api_key=KEY, base_url="api.parallel.ai")


def test_user_http_client_is_not_closed_by_client() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    with Client(api_key=KEY, http_client=http):
        pass
    assert not http.is_closed


def test_own_http_client_is_closed_on_exit() -> None:
    with Client(api_key=KEY) as client:
        pass
    assert client._core.http.is_closed


# -- requests --------------------------------------------------------------------------------


def test_request_sends_key_header_and_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=GROUP)

    client, _ = make_client(handler)
    client._core.request("GET", "/v1/tasks/groups/tgrp_1")
    assert seen[0].headers["x-api-key"] == KEY
    assert seen[0].url == "https://api.example.test/v1/tasks/groups/tgrp_1"


def test_v1beta_maps_group_paths_only() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json=GROUP if "groups" in request.url.path else RUN)

    client, _ = make_client(handler, api_version="v1beta")
    client.group("tgrp_1").refresh()
    client.get_run("trun_1")
    assert paths == ["/v1beta/tasks/groups/tgrp_1", "/v1/tasks/runs/trun_1"]


def test_create_group_returns_handle_with_defaults() -> None:
    bodies: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=GROUP)

    client, _ = make_client(handler)
    group = client.create_group(metadata={"job": "x"}, processor="base", betas="a, b")
    assert isinstance(group, TaskGroup)
    assert group.id == "tgrp_1" and group.processor == "base" and group.betas == ("a", "b")
    assert bodies == [{"metadata": {"job": "x"}}]


def test_group_attaches_without_a_request() -> None:
    client, _ = make_client(lambda r: pytest.fail("no request expected"))
    assert client.group("tgrp_9").id == "tgrp_9"


def test_get_result_parses_generated_model() -> None:
    result = {"run": RUN, "output": {"type": "text", "content": "hi", "basis": []}}
    client, _ = make_client(lambda r: httpx.Response(200, json=result))
    assert client.get_result("trun_1").output.content == "hi"


def test_malformed_success_body_is_a_response_format_error() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json={"nope": 1}))
    with pytest.raises(errors.ResponseFormatError, match="TaskGroupResponse"):
        client.group("tgrp_1").refresh()


def test_non_json_success_body_is_a_response_format_error() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, text="<html>"))
    with pytest.raises(errors.ResponseFormatError):
        client.get_run("trun_1")


def test_not_found_raises_typed_error() -> None:
    client, _ = make_client(lambda r: error_json(404, "no such group"))
    with pytest.raises(errors.NotFoundError) as info:
        client.group("tgrp_x").refresh()
    assert info.value.ref_id == "r1" and "no such group" in str(info.value)


# -- retries ---------------------------------------------------------------------------------


def flaky(responses: list[Any]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item  # type: ignore[no-any-return]

    return handler


def test_get_retries_5xx_then_succeeds() -> None:
    client, sleeps = make_client(
        flaky([error_json(503), error_json(500), httpx.Response(200, json=GROUP)])
    )
    assert client.group("tgrp_1").refresh().taskgroup_id == "tgrp_1"
    assert len(sleeps) == 2


def test_get_retries_connection_errors() -> None:
    client, sleeps = make_client(
        flaky(
            [
                httpx.ConnectError("refused"),
                httpx.ReadError("reset"),
                httpx.Response(200, json=GROUP),
            ]
        )
    )
    client.group("tgrp_1").refresh()
    assert len(sleeps) == 2


def test_retries_are_bounded() -> None:
    client, sleeps = make_client(lambda r: error_json(503), max_retries=2)
    with pytest.raises(errors.ServerError):
        client.group("tgrp_1").refresh()
    assert len(sleeps) == 2


class SleepingClock(RecordingClock):
    """Time passes only by the client's own sleeps."""

    def now(self) -> float:
        return sum(self.sleeps)


def test_with_give_up_after_an_outage_is_ridden_out_past_the_retry_count() -> None:
    outage: list[Any] = [httpx.ConnectError("refused")] * 10
    answers = [httpx.Response(200, json=GROUP), *outage, httpx.Response(200, json=GROUP)]
    client, _ = make_client(flaky(answers), max_retries=2, give_up_after=300, clock=SleepingClock())
    group = client.group("tgrp_1")
    group.refresh()
    assert group.refresh().taskgroup_id == "tgrp_1"


def test_with_give_up_after_retries_stop_once_the_server_failed_that_long() -> None:
    answers = [httpx.Response(200, json=GROUP)]
    clock = SleepingClock()
    client, _ = make_client(
        lambda r: answers.pop() if answers else error_json(503), give_up_after=30, clock=clock
    )
    group = client.group("tgrp_1")
    group.refresh()
    with pytest.raises(errors.ServerError):
        group.refresh()
    assert clock.now() == pytest.approx(30)  # the last wait ends where give_up_after does


def test_with_give_up_after_a_server_that_never_answered_fails_after_the_retry_count() -> None:
    client, sleeps = make_client(
        flaky([httpx.ConnectError("refused")] * 3), max_retries=2, give_up_after=300
    )
    with pytest.raises(errors.APIConnectionError):
        client.group("tgrp_1").refresh()
    assert len(sleeps) == 2


def test_backoff_stays_under_the_cap() -> None:
    client, sleeps = make_client(lambda r: error_json(500), max_retries=6, max_backoff=1.5)
    with pytest.raises(errors.ServerError):
        client.group("tgrp_1").refresh()
    assert all(0 <= s <= 1.5 for s in sleeps)


def test_retry_after_is_honoured() -> None:
    limited = httpx.Response(
        429,
        headers={"retry-after": "3"},
        json={"type": "error", "error": {"ref_id": "r", "message": "slow"}},
    )
    client, sleeps = make_client(flaky([limited, httpx.Response(200, json=GROUP)]))
    client.group("tgrp_1").refresh()
    assert sleeps == [3.0]


def test_retry_false_sends_once() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return error_json(503)

    client, _ = make_client(handler)
    with pytest.raises(errors.ServerError):
        client._core.request("POST", "/v1/tasks/groups/g/runs", json={}, idempotent=False)
    assert calls == [1]


def test_client_errors_are_not_retried() -> None:
    client, sleeps = make_client(lambda r: error_json(401))
    with pytest.raises(errors.AuthenticationError):
        client.group("tgrp_1").refresh()
    assert sleeps == []


def test_create_group_is_retried_after_server_error() -> None:
    # An extra empty group costs nothing; no run is ever created by this call.
    client, sleeps = make_client(flaky([error_json(500), httpx.Response(200, json=GROUP)]))
    assert client.create_group().id == "tgrp_1"
    assert len(sleeps) == 1


def test_create_group_is_retried_when_never_sent() -> None:
    client, sleeps = make_client(
        flaky([httpx.ConnectError("refused"), httpx.Response(200, json=GROUP)])
    )
    assert client.create_group().id == "tgrp_1"
    assert len(sleeps) == 1


def test_create_group_is_retried_after_read_timeout() -> None:
    client, _ = make_client(flaky([httpx.ReadTimeout("slow"), httpx.Response(200, json=GROUP)]))
    assert client.create_group().id == "tgrp_1"


# -- redirects -------------------------------------------------------------------------------


def test_redirect_to_other_host_is_not_followed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return httpx.Response(302, headers={"location": "https://evil.example/steal"})

    client, _ = make_client(handler)
    with pytest.raises(errors.RedirectError, match="evil.example"):
        client.group("tgrp_1").refresh()
    assert seen == ["api.example.test"]


def test_redirect_on_same_host_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/old"):
            return httpx.Response(301, headers={"location": "/v1/tasks/groups/tgrp_1"})
        return httpx.Response(200, json=GROUP)

    client, _ = make_client(handler)
    assert client._core.request("GET", "/v1/old").status_code == 200


def test_user_client_following_redirects_still_does_not_leak_key() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return httpx.Response(307, headers={"location": "https://evil.example/"})

    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    client = Client(api_key=KEY, base_url="https://api.example.test", http_client=http)
    with pytest.raises(errors.RedirectError):
        client.group("tgrp_1").refresh()
    assert seen == ["api.example.test"]


# -- the key stays secret --------------------------------------------------------------------


def test_key_never_in_repr_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    failures: list[Any] = [
        httpx.ConnectError("refused"),
        error_json(503),
        httpx.ReadTimeout("slow"),
        error_json(401, "bad key"),
    ]
    client, _ = make_client(flaky(failures))
    raised: list[BaseException] = []
    try:
        client.group("tgrp_1").refresh()
    except errors.ParallelError as exc:
        raised.append(exc)
    for status in (404, 422, 429, 500):
        c, _ = make_client(lambda r, s=status: error_json(s), max_retries=0)
        try:
            c.get_run("trun_1")
        except errors.ParallelError as exc:
            raised.append(exc)
    c, _ = make_client(lambda r: httpx.Response(302, headers={"location": "https://x.test/"}))
    try:
        c.get_run("trun_1")
    except errors.ParallelError as exc:
        raised.append(exc)
    assert len(raised) == 6
    texts = [repr(client), str(vars(client)), caplog.text]
    for exc in raised:
        texts += [str(exc), repr(exc), repr(vars(exc)), str(exc.__cause__), str(exc.__context__)]
    assert all(KEY not in t for t in texts)
