"""Wrong argument types and values at the public API: each is refused at the call with a
ConfigurationError (a wrong value) or an ArgumentTypeError (a wrong type) that names the
argument, what it got and what it takes, before any request is sent; valid edge values still
pass."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from parallel_taskgroup import (
    Client,
    JsonFileCursorStore,
    MemoryCursorStore,
    TaskGroup,
    errors,
    run_dataframe,
    run_job,
)
from parallel_taskgroup.types import TaskSpec

KEY = "sk-test-SECRET-0123456789"
BASE = "https://api.example.test"
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


class Server:
    """A MockTransport handler that records every request and answers the group's summary."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.startswith("/v1/tasks/groups"):
            return httpx.Response(200, json=GROUP)
        return httpx.Response(404, json={"error": {"message": "no such run"}})


@pytest.fixture
def server() -> Server:
    return Server()


def client_for(server: Server, **kwargs: Any) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return Client(api_key=KEY, base_url=BASE, http_client=http, **kwargs)


def group_of(server: Server) -> TaskGroup:
    return client_for(server).group("tgrp_1", processor="base")


def call(target: str, server: Server, tmp_path: Path, kwargs: dict[str, Any]) -> Any:
    """Call the public entry point ``target`` with ``kwargs`` over the rest of a valid call."""
    if target == "Client":
        return Client(**{"api_key": KEY, **kwargs})
    if target == "create_group":
        return client_for(server).create_group(**kwargs)
    if target == "group":
        return client_for(server).group("tgrp_1", **kwargs)
    if target in ("get_run", "get_input"):
        return getattr(client_for(server), target)(**kwargs)
    if target == "get_result":
        return client_for(server).get_result(**{"run_id": "trun_1", **kwargs})
    if target == "add_runs":
        return group_of(server).add_runs(["a"], **kwargs)
    if target in ("events", "runs", "results", "wait"):
        return getattr(group_of(server), target)(**kwargs)
    if target == "run_job":
        job = {"client": None, "out": str(tmp_path / "r.jsonl"), "dry_run": True, **kwargs}
        return run_job(job.pop("client"), [{"a": 1}], **job)
    assert target == "run_dataframe"
    return run_dataframe(None, kwargs["frame"], key="id", out=str(tmp_path / "r.jsonl"))


TYPE, VALUE = errors.ArgumentTypeError, errors.ConfigurationError
INF, NAN = float("inf"), float("nan")

CASES: list[tuple[str, dict[str, Any], type[errors.ConfigurationError], str]] = [
    ("Client", {"api_key": 123}, TYPE, "api_key must be a str, got int;"),
    ("Client", {"base_url": 5}, TYPE, "base_url must be a str such as"),
    ("Client", {"api_version": 1}, TYPE, "api_version must be a str such as 'v1'"),
    ("Client", {"timeout": "5"}, TYPE, "timeout must be a number of seconds (int or float)"),
    ("Client", {"timeout": True}, TYPE, "timeout must be a number of seconds"),
    ("Client", {"timeout": -1}, VALUE, "timeout must be a positive, finite number of seconds"),
    ("Client", {"timeout": 0}, VALUE, "timeout must be a positive, finite number"),
    ("Client", {"timeout": INF}, VALUE, "for no limit pass httpx.Timeout(None)"),
    ("Client", {"timeout": NAN}, VALUE, "timeout must be a positive, finite number"),
    ("Client", {"max_retries": "3"}, TYPE, "max_retries must be a whole number (int) >= 0"),
    ("Client", {"max_retries": True}, TYPE, "max_retries must be a whole number (int)"),
    ("Client", {"max_retries": -1}, VALUE, "max_retries must be a whole number >= 0, got -1"),
    ("Client", {"max_backoff": "8"}, TYPE, "max_backoff must be a number of seconds"),
    ("Client", {"max_backoff": -1}, VALUE, "max_backoff must be a non-negative number"),
    ("Client", {"give_up_after": "60"}, TYPE, "give_up_after must be a number of seconds"),
    ("Client", {"submit_timeout": "60"}, TYPE, "submit_timeout must be a number of seconds"),
    ("Client", {"submit_timeout": INF}, VALUE, "submit_timeout must be a positive number"),
    ("Client", {"max_body_bytes": "1MB"}, TYPE, "max_body_bytes must be a whole number of"),
    ("Client", {"max_event_bytes": 10}, VALUE, "max_event_bytes must be at least 1024 bytes"),
    ("Client", {"http_client": "x"}, TYPE, "http_client must be an httpx.Client, got str"),
    ("Client", {"http_client": httpx.AsyncClient()}, TYPE, "this client is synchronous"),
    ("Client", {"on_wait": "print"}, TYPE, "on_wait must be a function of (why, until)"),
    ("create_group", {"metadata": [1, 2]}, TYPE, "metadata must be a mapping of str to str/"),
    ("create_group", {"metadata": {"a": [1]}}, VALUE, "metadata: metadata value for 'a'"),
    ("create_group", {"betas": 5}, TYPE, "betas must be a str (beta names separated by comm"),
    ("group", {"betas": [1]}, TYPE, "betas must be a str (beta names separated by commas)"),
    ("create_group", {"run_metadata": "abc"}, TYPE, "run_metadata must be a mapping of str"),
    ("create_group", {"task_spec": 5}, TYPE, "task_spec must be a TaskSpec or a dict"),
    ("group", {"task_spec": "abc"}, TYPE, "use task_spec_from_files(...)"),
    ("create_group", {"processor": 5}, TYPE, "processor must be a processor name (a str)"),
    ("group", {"processor": " "}, VALUE, "processor must be a processor name, got ' '"),
    ("get_result", {"timeout": -5}, VALUE, "timeout must be a non-negative number of seconds"),
    ("get_result", {"timeout": "5"}, TYPE, "timeout must be a number of seconds"),
    ("get_run", {"run_id": 5}, TYPE, "run_id must be a run id (a str), got int 5"),
    ("get_input", {"run_id": ""}, VALUE, "run_id must be a run id, got ''"),
    ("add_runs", {"max_batch_inputs": "10"}, TYPE, "max_batch_inputs must be a whole number"),
    ("add_runs", {"max_batch_bytes": True}, TYPE, "max_batch_bytes must be a whole number"),
    ("add_runs", {"on_progress": "x"}, TYPE, "on_progress must be a function of a SubmitReport"),
    ("add_runs", {"processor": 5}, TYPE, "processor must be a processor name (a str), got int"),
    ("add_runs", {"processor": ""}, VALUE, "processor must be a processor name, got ''"),
    ("add_runs", {"task_spec": "abc"}, TYPE, "task_spec must be a TaskSpec or a dict"),
    ("add_runs", {"metadata": {"a": 1}}, TYPE, "pass run_metadata= to create_group or group"),
    ("add_runs", {"to_input": "name"}, TYPE, "to_input must be a function of a row"),
    ("add_runs", {"input_fields": ["x"]}, TYPE, "input_fields must be a mapping"),
    ("add_runs", {"rate_limiter": 100}, TYPE, "rate_limiter must be a RateLimiter, got int"),
    ("events", {"cursor_store": "f.json"}, TYPE, "pass JsonFileCursorStore('f.json') or Sqlite"),
    ("runs", {"cursor_store": Path("f.json")}, TYPE, "cursor_store must be a CursorStore"),
    ("events", {"timeout": -1}, VALUE, "timeout must be a non-negative number of seconds"),
    ("events", {"last_event_id": 5}, TYPE, "last_event_id must be a str"),
    ("events", {"before_cursor_save": 1}, TYPE, "before_cursor_save must be a function"),
    ("results", {"timeout": "x"}, TYPE, "timeout must be a number of seconds"),
    ("results", {"fetch_concurrency": "8"}, TYPE, "fetch_concurrency must be a whole number"),
    ("wait", {"timeout": "x"}, TYPE, "timeout must be a number of seconds"),
    ("wait", {"timeout": NAN}, VALUE, "timeout must be a non-negative number of seconds"),
    ("wait", {"on_progress": "x"}, TYPE, "on_progress must be a function"),
    ("run_job", {"out": 5}, TYPE, "out must be the results file's path (a str or os.PathLike)"),
    ("run_job", {"max_cost": "5"}, TYPE, "max_cost must be a number of USD (int or float)"),
    ("run_job", {"max_cost": -1}, VALUE, "max_cost must be a non-negative number of USD"),
    ("run_job", {"stop": True}, TYPE, "stop must be a threading.Event, got bool True"),
    ("run_job", {"task_spec": "abc"}, TYPE, "task_spec must be a dict in the API's TaskSpec"),
    ("run_job", {"task_spec": TaskSpec.from_dict({})}, TYPE, "pass task_spec.to_dict()"),
    ("run_job", {"processor": 5}, TYPE, "processor must be a processor name (a str)"),
    ("run_job", {"metadata": ["a"]}, TYPE, "metadata must be a mapping of str"),
    ("run_job", {"limit": "10"}, TYPE, "limit must be a whole number (int) >= 1"),
    ("run_job", {"fetch_concurrency": 2.5}, TYPE, "fetch_concurrency must be a whole number"),
    ("run_job", {"refresh_older_than": "1d"}, TYPE, "refresh_older_than must be a number of"),
    ("run_job", {"client": "k", "dry_run": False}, TYPE, "client must be a Client, got str"),
    ("run_job", {"confirm": True}, TYPE, "confirm must be a function of a JobQuote"),
    ("run_job", {"listener": print}, TYPE, "listener must be a JobListener"),
]


@pytest.mark.parametrize(
    ("target", "kwargs", "kind", "fragment"),
    CASES,
    ids=[f"{target}-{name}-{kind.__name__}" for target, (name, *_), kind, _ in CASES],
)
def test_a_bad_argument_is_named_at_the_call(
    target: str,
    kwargs: dict[str, Any],
    kind: type[errors.ConfigurationError],
    fragment: str,
    server: Server,
    tmp_path: Path,
) -> None:
    with pytest.raises(kind) as caught:
        call(target, server, tmp_path, kwargs)
    if kind is VALUE:
        assert not isinstance(caught.value, errors.ArgumentTypeError), caught.value
    assert fragment in str(caught.value)
    assert server.requests == []  # refused before anything was sent
    assert list(tmp_path.iterdir()) == []  # and before any file was written


def test_run_dataframe_given_a_list_says_it_takes_a_data_frame(
    server: Server, tmp_path: Path
) -> None:
    pytest.importorskip("pandas")  # without pandas, the error says to install it
    with pytest.raises(
        errors.ArgumentTypeError, match="frame must be a pandas DataFrame, got list"
    ):
        call("run_dataframe", server, tmp_path, {"frame": [{"id": 1}]})
    assert server.requests == [] and list(tmp_path.iterdir()) == []


def test_type_errors_are_also_type_errors() -> None:
    with pytest.raises(TypeError):
        Client(api_key=KEY, timeout="5")


def test_the_api_key_is_never_echoed() -> None:
    with pytest.raises(errors.ArgumentTypeError) as caught:
        Client(api_key=b"sk-bytes-SECRET")
    assert "SECRET" not in str(caught.value)


@pytest.mark.parametrize("own_http", [True, False], ids=["own pool", "given httpx.Client"])
def test_a_closed_client_refuses_requests_before_sending(server: Server, own_http: bool) -> None:
    client = Client(api_key=KEY, base_url=BASE) if own_http else client_for(server)
    group = client.group("tgrp_1")
    client.close()
    for call in (lambda: client.get_run("trun_1"), group.refresh, lambda: list(group.events())):
        with pytest.raises(errors.ConfigurationError, match="the client is closed; create a new"):
            call()
    with client:  # closing twice is harmless
        pass
    assert server.requests == []


def test_a_derived_client_stays_open_when_closed_alone(server: Server) -> None:
    client = client_for(server)
    client.with_options().close()
    assert client.group("tgrp_1").refresh().taskgroup_id == "tgrp_1"


# -- valid edge values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "timeout",
    [None, 5, 2.5, httpx.Timeout(None), httpx.Timeout(10.0, connect=2.0)],
    ids=["None", "int", "float", "Timeout(None)", "Timeout"],
)
def test_client_timeouts_that_are_accepted(server: Server, timeout: Any) -> None:
    client = client_for(server, timeout=timeout)
    assert isinstance(client.timeout, httpx.Timeout)
    assert client.group("tgrp_1").refresh().taskgroup_id == "tgrp_1"


def test_api_key_none_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", KEY)
    with Client(api_key=None, base_url=BASE) as client:
        assert client.base_url == BASE


def test_retry_shorthands_at_their_edges() -> None:
    policy = Client(api_key=KEY, max_retries=0, max_backoff=0, give_up_after=0).retry
    assert (policy.max_retries, policy.give_up_after, policy.backoff.cap) == (0, 0, 0.0)


def test_group_defaults_in_every_accepted_form(server: Server) -> None:
    client = client_for(server)
    spec = TaskSpec.from_dict({"output_schema": "the company's CEO"})
    group = client.create_group(
        metadata={"project": "q3", "n": 1, "ok": True, "x": 0.5},
        task_spec=spec,
        processor="base",
        run_metadata={"batch": "a"},
        betas=["b1", "b2"],
    )
    assert group.betas == ("b1", "b2")
    assert client.group("tgrp_1", betas="b1, b2", task_spec={"output_schema": "x"}).betas == (
        "b1",
        "b2",
    )


def test_zero_timeouts_ask_once(server: Server) -> None:
    group = group_of(server)
    assert group.wait(timeout=0).is_active is False
    with pytest.raises(errors.NotFoundError):
        client_for(server).get_result("trun_1", timeout=0)


def test_stream_arguments_that_are_accepted(server: Server, tmp_path: Path) -> None:
    group = group_of(server)
    for store in (MemoryCursorStore(), JsonFileCursorStore(tmp_path / "c.json")):
        stream = group.events(cursor_store=store, timeout=float("inf"), last_event_id="")
        stream.close()
    group.results(fetch_concurrency=1, cursor_store=MemoryCursorStore()).close()


def test_a_job_takes_a_path_and_an_event(tmp_path: Path) -> None:
    report = run_job(
        None,
        [{"id": 1, "name": "Acme"}],
        out=tmp_path / "r.jsonl",
        key="id",
        max_cost=0,
        stop=threading.Event(),
        dry_run=True,
    )
    assert report.rows == 1
