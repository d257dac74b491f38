"""Bad-input matrix against a real emulator: every malformed request gets its documented status.

Documented (emulator/README.md, openapi.yaml): 401 ErrorResponse for a missing or unknown key,
404 ErrorResponse for unknown ids and paths, 405 ErrorResponse with Allow for wrong methods,
422 HTTPValidationError ``{"detail": [{loc, msg, type}]}`` on group operations and 422
ErrorResponse with ``error.detail.errors`` on run operations, 403 for an unknown processor on
``POST /v1/tasks/runs``, 429 ErrorResponse with Retry-After when over the rate limit. Never 500,
never a hang (every request has a client timeout, and the server log must stay free of tracebacks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

import httpx
import pytest
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

KEY = "bad-input-key"
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
OK_INPUT = {"input": "What is 2+2?", "processor": "lite"}
UNKNOWN_GROUP = "tgrp_" + "0" * 32
UNKNOWN_RUN = "trun_" + "0" * 32
MISSING = object()

GROUPS = "/v1/tasks/groups"
GROUP = GROUPS + "/{gid}"
GROUP_RUNS = GROUP + "/runs"
GROUP_EVENTS = GROUP + "/events"
GROUP_RUN = GROUP_RUNS + "/{rid}"
RUNS = "/v1/tasks/runs"
RUN = RUNS + "/{rid}"
RUN_PATHS = (RUN, RUN + "/input", RUN + "/result", RUN + "/events")


@dataclass(frozen=True)
class Case:
    """One malformed request and what the emulator must answer."""

    method: str
    path: str  # {gid} and {rid} are filled with a real group and run of that group
    status: int
    json: Any = MISSING
    content: Optional[bytes] = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    loc: Optional[tuple[Any, ...]] = None  # prefix of the first 422 error's loc


@dataclass(frozen=True)
class World:
    server: EmulatorServer
    gid: str
    rid: str

    def url(self, path: str) -> str:
        return self.server.base_url + path.format(gid=self.gid, rid=self.rid)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with EmulatorServer(time_scale=0.005, api_keys=[KEY]) as emu:
        with httpx.Client(headers={"x-api-key": KEY}, timeout=TIMEOUT) as http:
            gid = http.post(emu.base_url + GROUPS, json={}).json()["taskgroup_id"]
            added = http.post(emu.base_url + f"{GROUPS}/{gid}/runs", json={"inputs": [OK_INPUT]})
            rid = added.json()["run_ids"][0]
        yield World(emu, gid, rid)
        log = emu.stderr()
    assert "Traceback" not in log, log


def send(world: World, case: Case, key: Optional[str] = KEY) -> httpx.Response:
    headers = {"x-api-key": key} if key is not None else {}
    headers.update(case.headers)
    kwargs: dict[str, Any] = {"params": case.params, "headers": headers}
    if case.json is not MISSING:
        kwargs["json"] = case.json
    elif case.content is not None:
        kwargs["content"] = case.content
        headers.setdefault("content-type", "application/json")
    with httpx.Client(timeout=TIMEOUT) as http:
        return http.request(case.method, world.url(case.path), **kwargs)


def validation_errors(response: httpx.Response) -> list[dict[str, Any]]:
    """The {loc, msg, type} list of a 422 in either documented shape."""
    body = response.json()
    if "detail" in body:
        errors = body["detail"]
    else:
        assert body["type"] == "error" and isinstance(body["error"]["message"], str), body
        errors = body["error"]["detail"]["errors"]
    assert errors and all({"loc", "msg", "type"} <= set(e) for e in errors), body
    return list(errors)


def assert_documented(response: httpx.Response, case: Case) -> None:
    assert response.status_code == case.status, response.text[:2000]
    if case.status in (200, 202, 307):
        return
    assert response.headers["content-type"].startswith("application/json"), response.headers
    if case.status == 422:
        errors = validation_errors(response)
        if case.loc is not None:
            loc = tuple(errors[0]["loc"])
            assert loc[: len(case.loc)] == case.loc, errors
        return
    body = response.json()
    assert body["type"] == "error", body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    assert isinstance(body["error"]["ref_id"], str), body


# -- request bodies ------------------------------------------------------------------------------


def add_runs(status: int, loc: Optional[tuple[Any, ...]], body: Any) -> Case:
    return Case("POST", GROUP_RUNS, status, json=body, loc=loc)


def one_input(status: int, loc: Optional[tuple[Any, ...]], **fields: Any) -> Case:
    item = {**OK_INPUT, **fields}
    for name, value in fields.items():
        if value is MISSING:
            del item[name]
    return add_runs(status, loc, {"inputs": [item]})


def single_run(status: int, loc: Optional[tuple[Any, ...]], **fields: Any) -> Case:
    item = {**OK_INPUT, **fields}
    for name, value in fields.items():
        if value is MISSING:
            del item[name]
    return Case("POST", RUNS, status, json=item, loc=loc)


CREATE_GROUP = [
    pytest.param(Case("POST", GROUPS, 422, json=[], loc=("body",)), id="body-list"),
    pytest.param(Case("POST", GROUPS, 422, json="x", loc=("body",)), id="body-string"),
    pytest.param(Case("POST", GROUPS, 422, json=7, loc=("body",)), id="body-number"),
    pytest.param(Case("POST", GROUPS, 422, json=None, loc=("body",)), id="body-null"),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": "x"}, loc=("body", "metadata")),
        id="metadata-string",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": [1]}, loc=("body", "metadata")),
        id="metadata-list",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": True}, loc=("body", "metadata")),
        id="metadata-bool",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": {"k" * 17: 1}}, loc=("body", "metadata")),
        id="metadata-key-17-chars",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": {"k": "v" * 513}}, loc=("body", "metadata")),
        id="metadata-value-513-chars",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": {"k": {"a": 1}}}, loc=("body", "metadata")),
        id="metadata-nested-object",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": {"k": [1]}}, loc=("body", "metadata")),
        id="metadata-list-value",
    ),
    pytest.param(
        Case("POST", GROUPS, 422, json={"metadata": {"k": None}}, loc=("body", "metadata")),
        id="metadata-null-value",
    ),
    pytest.param(
        Case("POST", GROUPS, 200, json={"metadata": {"k" * 16: "v" * 512}}),
        id="metadata-at-the-limits-is-fine",
    ),
]

ADD_RUNS = [
    pytest.param(add_runs(422, ("body",), []), id="body-list"),
    pytest.param(add_runs(422, ("body",), None), id="body-null"),
    pytest.param(add_runs(422, ("body", "inputs"), {}), id="inputs-missing"),
    pytest.param(add_runs(422, ("body", "inputs"), {"inputs": None}), id="inputs-null"),
    pytest.param(add_runs(422, ("body", "inputs"), {"inputs": "x"}), id="inputs-string"),
    pytest.param(add_runs(422, ("body", "inputs"), {"inputs": OK_INPUT}), id="inputs-object"),
    pytest.param(add_runs(422, ("body", "inputs", 0), {"inputs": [1]}), id="input-item-number"),
    pytest.param(add_runs(422, ("body", "inputs", 0), {"inputs": ["x"]}), id="input-item-string"),
    pytest.param(add_runs(422, ("body", "inputs", 0), {"inputs": [None]}), id="input-item-null"),
    pytest.param(add_runs(422, ("body", "inputs", 0), {"inputs": [[]]}), id="input-item-list"),
    pytest.param(
        add_runs(422, ("body", "inputs"), {"inputs": [OK_INPUT] * 1001}), id="1001-inputs"
    ),
    pytest.param(
        add_runs(422, ("body", "inputs", 1, "processor"), {"inputs": [OK_INPUT, {"input": "x"}]}),
        id="second-input-invalid-is-located",
    ),
    pytest.param(
        add_runs(
            422, ("body", "default_task_spec"), {"inputs": [OK_INPUT], "default_task_spec": 1}
        ),
        id="default-task-spec-number",
    ),
    pytest.param(
        add_runs(
            422,
            ("body", "default_task_spec", "output_schema"),
            {"inputs": [OK_INPUT], "default_task_spec": {}},
        ),
        id="default-task-spec-without-output-schema",
    ),
    pytest.param(
        Case("POST", GROUP_RUNS, 422, json={"inputs": [OK_INPUT]}, params={"refresh_status": "x"}),
        id="refresh-status-not-a-boolean",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "processor"), processor=MISSING),
        id="processor-missing",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "processor"), processor=1), id="processor-number"
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "processor"), processor=None), id="processor-null"
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "processor"), processor="gpt"), id="processor-unknown"
    ),
    pytest.param(one_input(422, ("body", "inputs", 0, "input"), input=MISSING), id="input-missing"),
    pytest.param(one_input(422, ("body", "inputs", 0, "input"), input=1), id="input-number"),
    pytest.param(one_input(422, ("body", "inputs", 0, "input"), input=["a"]), id="input-list"),
    pytest.param(one_input(422, ("body", "inputs", 0, "input"), input=True), id="input-bool"),
    pytest.param(one_input(422, ("body", "inputs", 0, "input"), input=None), id="input-null"),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "metadata"), metadata="x"), id="metadata-string"
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "metadata"), metadata={"k" * 17: 1}),
        id="metadata-key-17-chars",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "metadata"), metadata={"k": "v" * 513}),
        id="metadata-value-513-chars",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "metadata"), metadata={"k": {"n": 1}}),
        id="metadata-nested-value",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "task_spec"), task_spec=3), id="task-spec-number"
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "task_spec"), task_spec=[]), id="task-spec-list"
    ),
    pytest.param(
        one_input(
            422, ("body", "inputs", 0, "task_spec", "output_schema"), task_spec={"output_schema": 5}
        ),
        id="output-schema-number",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "task_spec", "output_schema", "type"),
            task_spec={"output_schema": {"type": "xml"}},
        ),
        id="output-schema-unknown-type",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "task_spec", "output_schema", "json_schema"),
            task_spec={"output_schema": {"type": "json"}},
        ),
        id="json-output-schema-without-json-schema",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "task_spec", "output_schema", "json_schema"),
            task_spec={"output_schema": {"type": "json", "json_schema": "{}"}},
        ),
        id="json-schema-as-string",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "task_spec", "input_schema", "type"),
            task_spec={"output_schema": "x", "input_schema": {"type": "auto"}},
        ),
        id="input-schema-auto",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "source_policy"), source_policy="x"),
        id="source-policy-string",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "source_policy", "include_domains"),
            source_policy={"include_domains": "a.com"},
        ),
        id="include-domains-string",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "source_policy", "after_date"),
            source_policy={"after_date": "2024-1-1"},
        ),
        id="after-date-malformed",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "source_policy", "after_date"),
            source_policy={"after_date": 20240101},
        ),
        id="after-date-number",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "advanced_settings"), advanced_settings=[]),
        id="advanced-settings-list",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "advanced_settings", "location"),
            advanced_settings={"location": 1},
        ),
        id="location-number",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "previous_interaction_id"), previous_interaction_id=1),
        id="previous-interaction-id-number",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "mcp_servers"), mcp_servers={}),
        id="mcp-servers-object",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "mcp_servers", 0, "url"), mcp_servers=[{"name": "a"}]),
        id="mcp-server-without-url",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "enable_events"), enable_events="yes"),
        id="enable-events-string",
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "webhook"), webhook="x"), id="webhook-string"
    ),
    pytest.param(
        one_input(422, ("body", "inputs", 0, "webhook", "url"), webhook={}),
        id="webhook-without-url",
    ),
    pytest.param(
        one_input(
            422,
            ("body", "inputs", 0, "webhook", "event_types", 0),
            webhook={"url": "https://x.test", "event_types": ["nope"]},
        ),
        id="webhook-unknown-event-type",
    ),
    pytest.param(add_runs(200, None, {"inputs": []}), id="empty-inputs-list-adds-nothing"),
]

CREATE_RUN = [
    pytest.param(Case("POST", RUNS, 422, json=[], loc=("body",)), id="body-list"),
    pytest.param(single_run(422, ("body", "processor"), processor=MISSING), id="processor-missing"),
    pytest.param(single_run(422, ("body", "processor"), processor=5), id="processor-number"),
    pytest.param(single_run(403, None, processor="gpt"), id="processor-unknown-is-403"),
    pytest.param(single_run(422, ("body", "input"), input=MISSING), id="input-missing"),
    pytest.param(single_run(422, ("body", "input"), input=1.5), id="input-number"),
    pytest.param(
        single_run(422, ("body", "metadata"), metadata={"k" * 17: 1}), id="metadata-key-17"
    ),
    pytest.param(
        single_run(422, ("body", "metadata"), metadata={"k": [1]}), id="metadata-list-value"
    ),
    pytest.param(single_run(422, ("body", "task_spec"), task_spec=1), id="task-spec-number"),
    pytest.param(
        single_run(422, ("body", "enable_events"), enable_events=1), id="enable-events-number"
    ),
    pytest.param(single_run(422, ("body", "webhook"), webhook=[]), id="webhook-list"),
]


@pytest.mark.parametrize("case", CREATE_GROUP)
def test_create_group_body(world: World, case: Case) -> None:
    assert_documented(send(world, case), case)


@pytest.mark.parametrize("case", ADD_RUNS)
def test_add_runs_body(world: World, case: Case) -> None:
    response = send(world, case)
    assert_documented(response, case)
    if response.status_code == 200:
        body = response.json()
        assert body["run_ids"] == [] and body["run_cursor"] and body["event_cursor"]


@pytest.mark.parametrize("case", CREATE_RUN)
def test_create_run_body(world: World, case: Case) -> None:
    assert_documented(send(world, case), case)


# -- raw bytes -----------------------------------------------------------------------------------

RAW_BODIES = [
    pytest.param(b"", ("body",), id="empty"),
    pytest.param(b"   \n", ("body",), id="whitespace-only"),
    pytest.param(b'{"inputs": [{"input": "x", "proc', ("body",), id="truncated-json"),
    pytest.param(b"hello", ("body",), id="not-json"),
    pytest.param(b"<html><body>hi</body></html>", ("body",), id="html"),
    pytest.param(b"\xff\xfe\x00{", ("body",), id="not-utf8"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, ("body",), id="nested-100k-deep"),
    pytest.param(b'{"inputs": [], "x": NaN}', ("body",), id="nan"),
    pytest.param(b'{"inputs": [], "x": -Infinity}', ("body",), id="infinity"),
    pytest.param(b'{"inputs": [], "x": 1e999}', ("body",), id="float-overflow"),
    pytest.param(b'{"inputs": [], "x": "\\ud800"}', ("body",), id="lone-surrogate"),
    pytest.param(b"x" * (8 << 20), ("body",), id="8MB-garbage"),
]


@pytest.mark.parametrize("method, path", [("POST", GROUPS), ("POST", GROUP_RUNS), ("POST", RUNS)])
@pytest.mark.parametrize("content, loc", RAW_BODIES)
def test_malformed_bodies_are_422(
    world: World, method: str, path: str, content: bytes, loc: tuple[Any, ...]
) -> None:
    case = Case(method, path, 422, content=content, loc=loc)
    assert_documented(send(world, case), case)


def test_lone_surrogate_in_an_input_is_422_not_500(world: World) -> None:
    body = b'{"inputs": [{"input": {"\\udc00": "x"}, "processor": "lite"}]}'
    case = Case("POST", GROUP_RUNS, 422, content=body, loc=("body",))
    assert_documented(send(world, case), case)


def test_valid_surrogate_pair_is_accepted(world: World) -> None:
    body = b'{"inputs": [{"input": "\\ud83d\\ude00", "processor": "lite"}]}'
    response = send(world, Case("POST", GROUP_RUNS, 200, content=body))
    assert response.status_code == 200, response.text


def test_huge_valid_body_over_the_batch_limit_is_422(world: World) -> None:
    item = {"input": "q" * 4000, "processor": "lite"}
    case = Case("POST", GROUP_RUNS, 422, json={"inputs": [item] * 1001}, loc=("body", "inputs"))
    assert_documented(send(world, case), case)


def test_json_body_with_text_plain_content_type_is_read_as_json(world: World) -> None:
    case = Case(
        "POST",
        GROUP_RUNS,
        200,
        content=json.dumps({"inputs": [OK_INPUT]}).encode(),
        headers={"content-type": "text/plain"},
    )
    assert_documented(send(world, case), case)


def test_form_encoded_body_is_422(world: World) -> None:
    case = Case(
        "POST",
        GROUP_RUNS,
        422,
        content=b"inputs=1",
        headers={"content-type": "application/x-www-form-urlencoded"},
        loc=("body",),
    )
    assert_documented(send(world, case), case)


# -- ids -----------------------------------------------------------------------------------------

BAD_IDS = [
    pytest.param("tgrp_" + "0" * 32, id="unknown"),
    pytest.param("x", id="one-char"),
    pytest.param("%20", id="space"),
    pytest.param("null", id="null-word"),
    pytest.param("a" * 4000, id="4000-chars"),
    pytest.param("%E2%98%83%F0%9F%98%80", id="unicode"),
    pytest.param("%FF%FE", id="invalid-utf8-escape"),
    pytest.param("%00", id="nul"),
    pytest.param("..%2F..%2Fetc%2Fpasswd", id="path-traversal-encoded"),
    pytest.param("'%20OR%201=1--", id="sql-ish"),
]
GROUP_ID_PATHS = [
    ("GET", GROUPS + "/{bad}"),
    ("POST", GROUPS + "/{bad}/runs"),
    ("GET", GROUPS + "/{bad}/runs"),
    ("GET", GROUPS + "/{bad}/events"),
    ("GET", GROUPS + "/{bad}/runs/{rid}"),
]


@pytest.mark.parametrize("method, template", GROUP_ID_PATHS)
@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_group_ids_are_404(world: World, method: str, template: str, bad: str) -> None:
    body = {"inputs": [OK_INPUT]} if method == "POST" else MISSING
    case = Case(method, template.replace("{bad}", bad), 404, json=body)
    assert_documented(send(world, case), case)


@pytest.mark.parametrize("template", [*RUN_PATHS, GROUP_RUN])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_run_ids_are_404(world: World, template: str, bad: str) -> None:
    case = Case("GET", template.replace("{rid}", bad), 404)
    assert_documented(send(world, case), case)


def test_run_of_another_group_is_404_in_this_group(world: World) -> None:
    with httpx.Client(headers={"x-api-key": KEY}, timeout=TIMEOUT) as http:
        other = http.post(world.server.base_url + GROUPS, json={}).json()["taskgroup_id"]
    case = Case("GET", f"{GROUPS}/{other}/runs/{{rid}}", 404)
    assert_documented(send(world, case), case)


def test_encoded_dot_segments_do_not_reach_another_route(world: World) -> None:
    case = Case("GET", GROUPS + "/%2E%2E/%2E%2E/_emulator/health", 404)
    assert_documented(send(world, case), case)


def test_trailing_slash_redirects_like_fastapi(world: World) -> None:
    response = send(world, Case("GET", RUNS + "/", 307))
    assert response.status_code == 307
    assert response.headers["location"].endswith(RUNS)


# -- query parameters ----------------------------------------------------------------------------

BAD_QUERIES = [
    pytest.param(
        GROUP_RUNS, {"last_event_id": "xyz"}, ("query", "last_event_id"), id="cursor-text"
    ),
    pytest.param(
        GROUP_RUNS, {"last_event_id": "-1"}, ("query", "last_event_id"), id="cursor-negative"
    ),
    pytest.param(
        GROUP_RUNS, {"last_event_id": "1.5"}, ("query", "last_event_id"), id="cursor-float"
    ),
    pytest.param(
        GROUP_RUNS, {"last_event_id": "9" * 19}, ("query", "last_event_id"), id="cursor-19-digits"
    ),
    pytest.param(
        GROUP_RUNS, {"last_event_id": "9" * 400}, ("query", "last_event_id"), id="cursor-huge"
    ),
    pytest.param(
        GROUP_RUNS,
        {"last_event_id": "\u0661\u0662"},
        ("query", "last_event_id"),
        id="cursor-arabic-digits",
    ),
    pytest.param(
        GROUP_RUNS, {"last_event_id": "0x10"}, ("query", "last_event_id"), id="cursor-hex"
    ),
    pytest.param(
        GROUP_EVENTS, {"last_event_id": "xyz"}, ("query", "last_event_id"), id="events-cursor-text"
    ),
    pytest.param(
        GROUP_EVENTS,
        {"last_event_id": "-5"},
        ("query", "last_event_id"),
        id="events-cursor-negative",
    ),
    pytest.param(
        GROUP_RUNS,
        {"include_output": "maybe"},
        ("query", "include_output"),
        id="include-output-maybe",
    ),
    pytest.param(
        GROUP_RUNS, {"include_input": "2"}, ("query", "include_input"), id="include-input-2"
    ),
    pytest.param(GROUP_RUNS, {"status": "nonsense"}, ("query", "status"), id="status-nonsense"),
    pytest.param(GROUP_RUNS, {"status": ""}, ("query", "status"), id="status-empty"),
    pytest.param(GROUP_RUNS, {"status": "COMPLETED"}, ("query", "status"), id="status-upper-case"),
    pytest.param(GROUP_EVENTS, {"timeout": "abc"}, ("query", "timeout"), id="events-timeout-text"),
    pytest.param(GROUP_EVENTS, {"timeout": "nan"}, ("query", "timeout"), id="events-timeout-nan"),
    pytest.param(GROUP_EVENTS, {"timeout": "inf"}, ("query", "timeout"), id="events-timeout-inf"),
    pytest.param(
        RUN + "/result", {"timeout": "abc"}, ("query", "timeout"), id="result-timeout-text"
    ),
    pytest.param(
        RUN + "/result", {"timeout": "1.5"}, ("query", "timeout"), id="result-timeout-float"
    ),
]


@pytest.mark.parametrize("path, params, loc", BAD_QUERIES)
def test_bad_query_parameters_are_422(
    world: World, path: str, params: dict[str, str], loc: tuple[Any, ...]
) -> None:
    case = Case("GET", path, 422, params=params, loc=loc)
    assert_documented(send(world, case), case)


GOOD_ODD_QUERIES = [
    pytest.param(GROUP_RUNS, {"last_event_id": "f" * 16}, id="cursor-in-the-future-gives-nothing"),
    pytest.param(GROUP_RUNS, {"last_event_id": ""}, id="cursor-empty-means-start"),
    pytest.param(GROUP_RUNS, {"last_event_id": "0"}, id="cursor-zero"),
    pytest.param(GROUP_EVENTS, {"last_event_id": "f" * 16}, id="events-cursor-in-the-future"),
    # /events takes only last_event_id and timeout (the documented wire): others are ignored.
    pytest.param(GROUP_EVENTS, {"include_output": "maybe"}, id="events-include-output-ignored"),
    pytest.param(GROUP_EVENTS, {"timeout": "-1"}, id="events-timeout-negative-ends-at-once"),
    pytest.param(GROUP_EVENTS, {"timeout": "0"}, id="events-timeout-zero"),
    pytest.param(GROUP_RUNS, {"include_output": "YES", "include_input": "0"}, id="bool-spellings"),
    pytest.param(GROUP_RUNS, {"unknown_param": "x"}, id="unknown-parameter-ignored"),
]


@pytest.mark.parametrize("path, params", GOOD_ODD_QUERIES)
def test_odd_but_valid_stream_parameters_give_a_finite_stream(
    world: World, path: str, params: dict[str, str]
) -> None:
    # The group's only run finished long ago, so even /events must end on its own.
    response = send(world, Case("GET", path, 200, params=params))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    if params.get("last_event_id", "").startswith("f"):
        assert "task_run.state" not in response.text


def test_result_with_negative_timeout_answers_at_once(world: World) -> None:
    response = send(world, Case("GET", RUN + "/result", 200, params={"timeout": "-5"}))
    assert response.status_code in (200, 408), response.text


# -- auth, methods, unknown paths, rate limit ---------------------------------------------------

ALL_OPERATIONS = [
    ("POST", GROUPS),
    ("GET", GROUP),
    ("POST", GROUP_RUNS),
    ("GET", GROUP_RUNS),
    ("GET", GROUP_EVENTS),
    ("GET", GROUP_RUN),
    ("POST", RUNS),
    *(("GET", p) for p in RUN_PATHS),
]


@pytest.mark.parametrize("method, path", ALL_OPERATIONS)
@pytest.mark.parametrize(
    "key",
    [None, "", "wrong-key", "Bearer " + KEY, "x" * 5000],
    ids=["none", "empty", "wrong", "bearer-prefixed", "5000-chars"],
)
def test_bad_keys_are_401(world: World, method: str, path: str, key: Optional[str]) -> None:
    body = {"inputs": [OK_INPUT]} if path == GROUP_RUNS else OK_INPUT if path == RUNS else {}
    case = Case(method, path, 401, json=body if method == "POST" else MISSING)
    assert_documented(send(world, case, key=key), case)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", GROUPS),
        ("DELETE", GROUP),
        ("PUT", GROUP_RUNS),
        ("POST", GROUP_EVENTS),
        ("PATCH", RUN),
        ("DELETE", RUNS),
    ],
)
def test_wrong_methods_are_405_with_allow(world: World, method: str, path: str) -> None:
    case = Case(method, path, 405)
    response = send(world, case)
    assert_documented(response, case)
    assert response.headers["allow"]


@pytest.mark.parametrize(
    "path",
    ["/v1/tasks", "/v2/tasks/groups", "/v1/tasks/groups/{gid}/nope", "/%FF", "/" + "a" * 5000],
)
def test_unknown_paths_are_404(world: World, path: str) -> None:
    case = Case("GET", path, 404)
    assert_documented(send(world, case), case)


@pytest.mark.parametrize(
    "path, body",
    [(GROUP_RUNS, {"inputs": [OK_INPUT]}), (RUNS, OK_INPUT)],
    ids=["add-runs", "create-run"],
)
def test_over_the_rate_limit_is_429_with_retry_after(world: World, path: str, body: Any) -> None:
    world.server.set_faults(burst_429=1, burst_429_retry_after=3)
    try:
        case = Case("POST", path, 429, json=body)
        response = send(world, case)
    finally:
        world.server.clear_faults()
    assert_documented(response, case)
    assert response.headers["retry-after"] == "3"
