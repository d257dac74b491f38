"""The generated raw client's streaming operations (those whose 200 response is
text/event-stream): `stream()` yields typed events as they arrive, `sync()`/`sync_detailed()`
return the whole body's events as a list, errors are typed. Against the emulator, against a mock
transport for what the emulator never sends, and on the document's own examples.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import httpx
import pytest
from generated_payloads import build, model_class, schemas, spec
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup_api import errors, sse
from parallel_taskgroup_api.api.task_groups import (
    add_task_group_runs,
    create_task_group,
    stream_task_group_events,
    stream_task_group_runs,
)
from parallel_taskgroup_api.api.task_runs import stream_task_run_events
from parallel_taskgroup_api.client import AuthenticatedClient, Client
from parallel_taskgroup_api.models import (
    CreateTaskGroupRequest,
    ErrorEvent,
    ErrorResponse,
    TaskGroupRunRequest,
    TaskGroupStatusEvent,
    TaskRunEvent,
    TaskRunInput,
    TaskRunProgressMessageEvent,
    TaskRunProgressStatsEvent,
)
from taskgroup_emulator.testing import EmulatorServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "docs"
STREAM_MODULES = [stream_task_group_events, stream_task_group_runs, stream_task_run_events]


def streaming_operations() -> list[tuple[str, dict[str, Any], ModuleType]]:
    """(operation id, its 200 text/event-stream media object, its module) from openapi.yaml."""
    found = []
    for item in spec()["paths"].values():
        for operation in item.values():
            media = (operation.get("responses", {}).get("200", {}).get("content") or {}).get(
                "text/event-stream"
            )
            if media is not None:
                tag = operation["tags"][0].replace("-", "_")
                module = importlib.import_module(
                    f"parallel_taskgroup_api.api.{tag}.{operation['operationId']}"
                )
                found.append((operation["operationId"], media, module))
    return found


OPERATIONS = streaming_operations()


def frame(payload: Any, event: str = "") -> bytes:
    head = f"event: {event}\n" if event else ""
    return (head + "data: " + json.dumps(payload) + "\n\n").encode()


# -- the emulator ------------------------------------------------------------------------------


def raw_client(emu: EmulatorServer, key: str | None = None) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=emu.base_url,
        token=key or emu.api_key,
        prefix="",
        auth_header_name="x-api-key",
        timeout=httpx.Timeout(30.0),
    )


def start_group(client: AuthenticatedClient, n: int) -> tuple[str, list[str]]:
    group = create_task_group.sync(client=client, body=CreateTaskGroupRequest())
    assert group is not None and not isinstance(group, ErrorResponse), group
    body = TaskGroupRunRequest(
        inputs=[TaskRunInput(input_=f"question {i}", processor="lite") for i in range(n)]
    )
    added = add_task_group_runs.sync(group.taskgroup_id, client=client, body=body)
    assert added is not None and hasattr(added, "run_ids"), added
    return group.taskgroup_id, list(added.run_ids)


Started = tuple[AuthenticatedClient, str, list[str]]


@pytest.fixture
def started(emulator: EmulatorServer) -> Started:
    """A raw client on a fresh emulator, and a group with four runs just added."""
    client = raw_client(emulator)
    return (client, *start_group(client, 4))


@pytest.mark.integration
def test_the_three_raw_streams_yield_typed_events_from_the_emulator(started: Started) -> None:
    client, group_id, run_ids = started
    with stream_task_group_events.stream(group_id, client=client) as events:
        got = list(events)
    assert {type(e) for e in got} <= {TaskGroupStatusEvent, TaskRunEvent, ErrorEvent}
    finished = [e.run.run_id for e in got if isinstance(e, TaskRunEvent)]
    assert sorted(finished) == sorted(run_ids)
    assert isinstance(got[-1], TaskGroupStatusEvent) and got[-1].status.is_active is False
    assert events.last_event_id == got[-1].event_id

    runs = list(stream_task_group_runs.stream(group_id, client=client, include_output=True))
    assert all(type(e) is TaskRunEvent for e in runs)
    assert sorted(e.run.run_id for e in runs) == sorted(run_ids)
    assert all(e.output is not None for e in runs)

    one = list(stream_task_run_events.stream(run_ids[0], client=client))
    assert type(one[-1]) is TaskRunEvent and one[-1].run.run_id == run_ids[0]
    assert all(type(e) in (TaskRunProgressMessageEvent, TaskRunEvent) for e in one)


@pytest.mark.integration
def test_sync_and_sync_detailed_return_the_whole_stream_as_a_list(started: Started) -> None:
    client, group_id, run_ids = started
    list(stream_task_group_events.stream(group_id, client=client))  # until the group is idle
    streamed = list(stream_task_group_runs.stream(group_id, client=client))
    listed = stream_task_group_runs.sync(group_id, client=client)
    assert isinstance(listed, list) and listed == streamed
    detailed = stream_task_group_runs.sync_detailed(group_id, client=client)
    assert detailed.status_code == 200 and detailed.parsed == streamed
    events = stream_task_run_events.sync(run_ids[1], client=client)
    assert isinstance(events, list) and type(events[-1]) is TaskRunEvent


@pytest.mark.integration
def test_a_stream_resumes_after_its_last_event_id(started: Started) -> None:
    client, group_id, _ = started
    everything = list(stream_task_group_events.stream(group_id, client=client))
    first = stream_task_group_events.stream(group_id, client=client)
    with first:
        head = [next(first), next(first)]
    rest = list(
        stream_task_group_events.stream(group_id, client=client, last_event_id=first.last_event_id)
    )
    assert [e.to_dict() for e in head + rest] == [e.to_dict() for e in everything]


@pytest.mark.integration
def test_injected_error_events_are_typed(emulator_factory: Callable[..., EmulatorServer]) -> None:
    emu = emulator_factory(error_event_rate=0.5)
    client = raw_client(emu)
    group_id, _ = start_group(client, 6)
    got = list(stream_task_group_events.stream(group_id, client=client))
    assert any(type(e) is ErrorEvent for e in got)
    assert all(type(e) in (ErrorEvent, TaskGroupStatusEvent, TaskRunEvent) for e in got)


@pytest.mark.integration
def test_http_errors_are_raised_typed_not_as_a_type_error(emulator: EmulatorServer) -> None:
    client = raw_client(emulator)
    with pytest.raises(errors.StreamStatusError) as missing:
        stream_task_group_runs.stream("tgrp_missing", client=client)
    assert missing.value.status_code == 404
    assert isinstance(missing.value.parsed, ErrorResponse)
    assert isinstance(missing.value, errors.UnexpectedStatus)
    with pytest.raises(errors.StreamStatusError) as refused:
        stream_task_run_events.stream("trun_x", client=raw_client(emulator, key="wrong-key"))
    assert refused.value.status_code == 401
    # The whole-body functions return the typed error body, as for any operation.
    assert isinstance(stream_task_group_events.sync("tgrp_missing", client=client), ErrorResponse)


# -- a mock transport: what the emulator never sends ------------------------------------------


def mock_client(body: Any, status: int = 200) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body() if callable(body) else body
        return httpx.Response(
            status, content=content, headers={"content-type": "text/event-stream"}
        )

    client = Client(base_url="http://api.test")
    client.set_httpx_client(
        httpx.Client(base_url="http://api.test", transport=httpx.MockTransport(handler))
    )
    return client


def run_event(run_id: str, event_id: str) -> dict[str, Any]:
    return {
        "type": "task_run.state",
        "event_id": event_id,
        "run": {"run_id": run_id, "status": "completed", "is_active": False},
    }


def test_events_are_yielded_as_they_arrive_not_after_the_body() -> None:
    pulled: list[int] = []

    def body() -> Iterator[bytes]:
        for i in range(3):
            pulled.append(i)
            yield frame(run_event(f"trun_{i}", str(i)), "task_run.state")

    stream = stream_task_group_runs.stream("tgrp_1", client=mock_client(body))
    first = next(stream)
    assert isinstance(first, TaskRunEvent) and first.run.run_id == "trun_0"
    assert pulled == [0]
    assert [e.run.run_id for e in stream] == ["trun_1", "trun_2"]  # type: ignore[union-attr]
    assert stream.response.is_closed


def test_a_body_cut_mid_event_raises_after_the_complete_events() -> None:
    whole = frame(run_event("trun_1", "1")) + frame(run_event("trun_2", "2"))
    stream = stream_task_group_runs.stream("tgrp_1", client=mock_client(whole[:-30]))
    assert next(stream).run.run_id == "trun_1"  # type: ignore[union-attr]
    with pytest.raises(errors.TruncatedStream) as cut:
        next(stream)
    assert cut.value.last_event_id is None  # no SSE id: the JSON event_id is the cursor
    assert stream.last_event_id == "1" and stream.response.is_closed
    with pytest.raises(errors.TruncatedStream):
        stream_task_group_runs.sync("tgrp_1", client=mock_client(whole[:-30]))


def test_unknown_event_types_are_plain_dicts() -> None:
    new = {"type": "task_run.heartbeat", "event_id": "9", "at": 1}
    body = frame(new, "task_run.heartbeat") + frame(run_event("trun_1", "10"))
    events = list(stream_task_group_events.stream("g", client=mock_client(body)))
    assert events[0] == new and type(events[1]) is TaskRunEvent


def test_a_malformed_event_raises_for_itself_and_the_stream_goes_on() -> None:
    body = (
        frame({"type": "task_run.state", "event_id": "3"})  # no `run`
        + b"data: {oops\n\n"
        + frame({"error": {"message": "m"}}, "error")  # `type` from the SSE name: still required
        + frame(run_event("trun_1", "4"))
    )
    stream = stream_task_group_runs.stream("g", client=mock_client(body))
    with pytest.raises(errors.InvalidEvent, match="does not match") as first:
        next(stream)
    assert first.value.event_id == "3" and isinstance(first.value, errors.StreamError)
    with pytest.raises(errors.InvalidEvent, match="not JSON"):
        next(stream)
    with pytest.raises(errors.InvalidEvent, match="KeyError"):
        next(stream)
    assert next(stream).run.run_id == "trun_1"  # type: ignore[union-attr]
    assert stream.last_event_id == "4"
    with pytest.raises(StopIteration):
        next(stream)
    assert stream.response.is_closed


def test_an_undocumented_status_is_raised_too() -> None:
    client = mock_client(b"teapot", status=418)
    with pytest.raises(errors.StreamStatusError) as exc:
        stream_task_run_events.stream("trun_1", client=client)
    assert exc.value.status_code == 418 and exc.value.parsed is None
    assert exc.value.content == b"teapot"


# -- SSE framing -------------------------------------------------------------------------------


def parse(chunks: list[bytes]) -> list[tuple[str, str, str | None]]:
    return [tuple(e) for e in sse.iter_events(chunks)]  # type: ignore[misc]


def test_framing_follows_the_sse_rules() -> None:
    body = (
        b"\xef\xbb\xbf: a comment\r\n"
        b"event: a\r\nid: 1\r\ndata: x\r\ndata:  y\r\n\r\n"  # CRLF, two data lines
        b"data: z\rretry: 5\r\r"  # CR only, retry ignored, id kept
        b"id\ndata\n\n"  # a field without colon: empty id and empty data line
        b"event: only\n\n"  # no data: nothing dispatched
        b":keepalive\n"
    )
    assert parse([body]) == [("a", "x\n y", "1"), ("message", "z", "1"), ("message", "", "")]


@pytest.mark.parametrize(
    "tail",
    [b"data: x", b"data: x\n", b"event: a\ndata: x\r\n", b"id: 4\n"],
    ids=["cut-line", "no-blank-line", "crlf-no-blank-line", "id-only"],
)
def test_a_body_ending_inside_an_event_raises(tail: bytes) -> None:
    with pytest.raises(errors.TruncatedStream):
        parse([b"data: ok\n\n" + tail])


@pytest.mark.parametrize("tail", [b"", b"\n", b": bye", b": bye\n", b"\r"])
def test_a_body_ending_between_events_is_complete(tail: bytes) -> None:
    assert parse([b"data: ok\n\n" + tail]) == [("message", "ok", None)]


field_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",)),
    max_size=12,
)
events_strategy = st.lists(
    st.tuples(
        st.sampled_from(["", "task_run.state", "error"]),
        st.lists(field_text, min_size=1, max_size=3),
        st.one_of(st.none(), field_text),
    ),
    max_size=6,
)


@given(events_strategy, st.sampled_from([b"\n", b"\r", b"\r\n"]), st.data())
def test_any_chunking_and_line_ending_gives_the_same_events(
    events: list[tuple[str, list[str], str | None]], newline: bytes, data: st.DataObject
) -> None:
    body = b""
    expected = []
    last_id = None
    for name, lines, event_id in events:
        if name:
            body += b"event: " + name.encode() + newline
        if event_id is not None:
            body += b"id: " + event_id.encode() + newline
            last_id = event_id
        for line in lines:
            body += b"data: " + line.encode() + newline
        body += newline
        expected.append((name or "message", "\n".join(lines), last_id))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=8)))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)])]
    assert parse(chunks) == expected


# -- the document's own examples, and a model for every event type of every stream --------------


@pytest.mark.parametrize(
    ("operation", "media", "module"), OPERATIONS, ids=[op for op, _, _ in OPERATIONS]
)
def test_the_spec_example_of_each_stream_parses_to_its_model(
    operation: str, media: dict[str, Any], module: ModuleType
) -> None:
    examples = [media["example"]] if "example" in media else []
    examples += [e.get("value") for e in (media.get("examples") or {}).values()]
    mapping = (media["schema"].get("discriminator") or {}).get("mapping") or {}
    for example in examples:
        if isinstance(example, str):  # a whole example stream
            events = module.parse_response(
                client=Client(base_url="http://x"), response=httpx.Response(200, text=example)
            )
            assert events and not any(isinstance(e, dict) for e in events)
            continue
        [event] = sse.iter_events([frame(example, example.get("type", ""))])
        parsed = module.parse_event(event)
        expected = mapping.get(example.get("type"), "").rsplit("/", 1)[-1]
        assert type(parsed) is model_class(expected), (operation, example)
        assert parsed.to_dict() == example


def event_models(media: dict[str, Any]) -> list[tuple[str, str]]:
    """(event type, schema name) for each type the stream's discriminator maps."""
    mapping = (media["schema"].get("discriminator") or {}).get("mapping") or {}
    return [(tag, ref.rsplit("/", 1)[-1]) for tag, ref in sorted(mapping.items())]


EVENT_TYPES = [
    (op, module, tag, name) for op, media, module in OPERATIONS for tag, name in event_models(media)
]


@pytest.mark.parametrize(
    ("operation", "module", "tag", "schema"),
    EVENT_TYPES,
    ids=[f"{op}:{tag}" for op, _, tag, _ in EVENT_TYPES],
)
def test_every_event_type_of_every_stream_is_typed(
    operation: str, module: ModuleType, tag: str, schema: str
) -> None:
    payload = build(schemas()[schema], 0, "", (schema,))
    payload["type"] = tag
    [event] = sse.iter_events([frame(payload, tag)])
    parsed = module.parse_event(event)
    assert type(parsed) is model_class(schema)
    assert parsed.to_dict() == payload


def test_every_streaming_operation_has_stream_and_parse_event() -> None:
    assert {m.__name__ for _, _, m in OPERATIONS} == {m.__name__ for m in STREAM_MODULES}
    for module in STREAM_MODULES:
        assert callable(module.stream) and callable(module.parse_event)
        assert "stream()" in (module.sync.__doc__ or "")


def test_the_published_task_run_capture_gives_typed_events() -> None:
    raw = (FIXTURES / "doc_task_run_sse_capture.sse").read_bytes()
    raw = raw.rsplit(b"\n...", 1)[0] + b"\n\n"  # the page elides the rest with "..."
    events = [stream_task_run_events.parse_event(e) for e in sse.iter_events([raw])]
    assert type(events[0]) is TaskRunEvent and events[0].run.status.value == "running"
    kinds = [type(e) for e in events[1:]]
    assert TaskRunProgressMessageEvent in kinds and TaskRunProgressStatsEvent in kinds
    unknown = [e for e in events if isinstance(e, dict)]
    assert [e["type"] for e in unknown] == ["task_run.progress_msg.tool"]  # not in the spec
