"""The wire-fault proxy (`--wire-faults`): faults between client and server, on the wire.

Plain httpx (and raw sockets where the bytes matter) against the emulator alone.
"""

from __future__ import annotations

import email.utils
import json
import re
import socket
import struct
import threading
import time
from typing import Any, Dict, Iterator, List, Tuple

import httpx
import pytest
from emulator_helpers import add_runs, client_for, new_group, parse_sse, wait_done
from taskgroup_emulator.faults import FaultState
from taskgroup_emulator.testing import EmulatorServer, EmulatorStartError
from taskgroup_emulator.wire_faults import (
    SLOW_SECONDS,
    SlowPacer,
    StreamCut,
    WireRequest,
    choose,
    cut_point,
)

pytestmark = pytest.mark.integration

# What a reset or a cut connection looks like to httpx.
WIRE_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
ONE_RUN = {"inputs": [{"input": "x", "processor": "lite"}]}


@pytest.fixture(scope="module")
def wire() -> Iterator[EmulatorServer]:
    """One emulator behind the wire-fault proxy for the module; faults off after each test."""
    with EmulatorServer(time_scale=0.005, wire_faults=True) as emu:
        yield emu


@pytest.fixture(autouse=True)
def _faults_off(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "wire" in request.fixturenames:
        request.getfixturevalue("wire").clear_faults()


@pytest.fixture
def client(wire: EmulatorServer) -> Iterator[httpx.Client]:
    with client_for(wire) as c:
        yield c


def only(emu: EmulatorServer, kind: str, **more: Any) -> None:
    """Every API request gets `kind` (where it applies)."""
    emu.set_faults(wire_fault_rate=1.0, wire_fault_kinds=[kind], **more)


def num_runs(client: httpx.Client, group_id: str) -> int:
    count: int = client.get(f"/v1/tasks/groups/{group_id}").json()["status"]["num_task_runs"]
    return count


def injected(emu: EmulatorServer) -> Dict[str, int]:
    counts: Dict[str, int] = emu.faults()["wire_injected"]
    return counts


def app_url(emu: EmulatorServer) -> str:
    """The app's own address behind the proxy (from the server's log)."""
    match = re.search(r"relays to the app on (\S+)", emu.stderr())
    assert match, emu.stderr()
    return "http://" + match.group(1)


def raw_request(emu: EmulatorServer, method: str, path: str, body: bytes = b"") -> bytes:
    """Send one request on a fresh socket; everything that arrived before EOF or a reset."""
    head = (
        f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{emu.port}\r\nx-api-key: {emu.api_key}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    received = b""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as sock:
        sock.sendall(head.encode("ascii") + body)
        while True:
            try:
                part = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not part:
                return received
            received += part


def wait_for_runs(client: httpx.Client, group_id: str, n: int, timeout: float = 5.0) -> float:
    """Seconds until the group has `n` runs."""
    started = time.monotonic()
    while num_runs(client, group_id) < n:
        assert time.monotonic() - started < timeout, f"group never got {n} runs"
        time.sleep(0.02)
    return time.monotonic() - started


def sse_fields(blocks: List[str]) -> List[Dict[str, str]]:
    """The fields of whole SSE frames (no comments in them)."""
    frames = []
    for block in blocks:
        frame = dict(line.split(": ", 1) for line in block.split("\n"))
        frames.append(frame)
    return frames


def finished_group(client: httpx.Client, runs: int = 5) -> str:
    group_id = new_group(client)
    add_runs(client, group_id, [f"row {i}" for i in range(runs)])
    wait_done(client, group_id)
    return group_id


# -- no fault: a transparent proxy ---------------------------------------------------------


def test_without_faults_json_answers_and_sse_streams_pass_through_byte_for_byte(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = finished_group(client)
    with httpx.Client(base_url=app_url(wire), headers={"x-api-key": wire.api_key}) as direct:
        for path in (
            f"/v1/tasks/groups/{group_id}/runs?include_output=true",
            f"/v1/tasks/groups/{group_id}/events",
        ):
            proxied, behind = client.get(path), direct.get(path)
            assert proxied.status_code == behind.status_code == 200
            assert proxied.headers["content-type"].startswith("text/event-stream")
            assert proxied.content == behind.content
        proxied, behind = (
            client.get(f"/v1/tasks/groups/{group_id}"),
            direct.get(f"/v1/tasks/groups/{group_id}"),
        )
        assert proxied.json() == behind.json()
        assert proxied.headers["content-length"] == behind.headers["content-length"]
    assert len(parse_sse(client.get(f"/v1/tasks/groups/{group_id}/runs").text)) == 5


def test_keep_alive_serves_json_posts_and_streams_on_one_connection(
    wire: EmulatorServer,
) -> None:
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(
        base_url=wire.base_url, headers={"x-api-key": wire.api_key}, limits=one
    ) as client:
        local_ends = set()

        def note(response: httpx.Response) -> None:
            stream = response.extensions["network_stream"]
            local_ends.add(stream.get_extra_info("client_addr"))

        created = client.post("/v1/tasks/groups", json={})
        note(created)
        group_id = created.json()["taskgroup_id"]
        posted = client.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN)
        note(posted)
        assert posted.status_code == 200
        for _ in range(2):
            with client.stream("GET", f"/v1/tasks/groups/{group_id}/events") as events:
                note(events)
                assert parse_sse(events.read().decode())
        note(client.get(f"/v1/tasks/groups/{group_id}"))
    assert len(local_ends) == 1


def test_chunked_request_bodies_are_forwarded(client: httpx.Client) -> None:
    group_id = new_group(client)
    text = json.dumps({"inputs": [{"input": f"r{i}", "processor": "lite"} for i in range(3)]})
    parts = iter([text[:10].encode(), text[10:].encode()])  # no length: sent chunked
    response = client.post(
        f"/v1/tasks/groups/{group_id}/runs",
        content=parts,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["run_ids"]) == 3


def test_sse_events_are_relayed_as_they_happen(client: httpx.Client) -> None:
    group_id = new_group(client)
    add_runs(client, group_id, [{"input": "slow", "processor": "core"}])
    started = time.monotonic()
    arrivals: List[float] = []
    with client.stream("GET", f"/v1/tasks/groups/{group_id}/events") as events:
        for line in events.iter_lines():
            if line.startswith("event:"):
                arrivals.append(time.monotonic() - started)
    assert len(arrivals) >= 3
    assert arrivals[0] < arrivals[-1] - 0.1  # the first came long before the stream ended


# -- one test per kind -----------------------------------------------------------------------


def test_reset_before_leaves_no_trace_on_the_server(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = new_group(client)
    wire.reset_requests()
    only(wire, "reset_before")
    with pytest.raises(WIRE_ERRORS):
        client.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN)
    wire.clear_faults()
    assert num_runs(client, group_id) == 0
    assert "add_runs" not in wire.requests()["by_operation"]


def test_reset_after_loses_the_answer_but_the_runs_exist(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = new_group(client)
    only(wire, "reset_after")
    with pytest.raises(WIRE_ERRORS):
        client.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN)
    wire.clear_faults()
    assert num_runs(client, group_id) == 1


def test_cut_body_gives_an_incomplete_json_body(wire: EmulatorServer, client: httpx.Client) -> None:
    group_id = new_group(client)
    only(wire, "cut_body")
    with pytest.raises(WIRE_ERRORS):
        client.get(f"/v1/tasks/groups/{group_id}")


def test_cut_body_cuts_inside_a_multibyte_utf8_character(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    created = client.post("/v1/tasks/runs", json={"input": "héllo wörld ✓ ok", "processor": "lite"})
    path = f"/v1/tasks/runs/{created.json()['run_id']}/input"
    whole = client.get(path).content
    only(wire, "cut_body")
    head, _, body = raw_request(wire, "GET", path).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"content-length: {len(whole)}".encode() in head.lower()
    assert 0 < len(body) < len(whole) and whole.startswith(body)
    with pytest.raises(UnicodeDecodeError, match="unexpected end of data"):
        body.decode("utf-8")


def test_cut_body_on_an_sse_stream_relays_whole_events_then_cuts_one_mid_line(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = finished_group(client)
    only(wire, "cut_body")
    received = b""
    with (
        pytest.raises(WIRE_ERRORS),
        client.stream("GET", f"/v1/tasks/groups/{group_id}/runs") as stream,
    ):
        for part in stream.iter_raw():
            received += part
    text = received.decode()
    *whole, partial = text.split("\n\n")
    assert 1 <= len(whole) <= 3
    assert all(json.loads(e["data"])["type"] == "task_run.state" for e in sse_fields(whole))
    assert partial and not partial.endswith("\n")


def test_truncate_json_gives_a_well_framed_200_that_is_not_json(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = new_group(client)
    only(wire, "truncate_json")
    response = client.get(f"/v1/tasks/groups/{group_id}")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content) > 0
    with pytest.raises(ValueError):
        json.loads(response.content)
    wire.clear_faults()
    assert client.get(f"/v1/tasks/groups/{group_id}").json()["taskgroup_id"] == group_id


def test_truncate_json_leaves_error_answers_untouched_and_uncounted(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    before = injected(wire)["truncate_json"]
    only(wire, "truncate_json")
    response = client.get("/v1/tasks/groups/tgrp_nope")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "TaskGroup not found"
    assert injected(wire)["truncate_json"] == before


def test_status_408_is_an_error_response_that_closes_the_connection(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    only(wire, "status_408")
    response = client.get("/v1/tasks/groups/tgrp_any")
    assert response.status_code == 408
    assert response.headers["connection"] == "close"
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["message"] == "Request timed out"
    assert body["error"]["ref_id"]


def test_status_5xx_html_is_a_load_balancer_page(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    only(wire, "status_5xx_html", seed=3)
    statuses = set()
    for _ in range(12):
        response = client.post("/v1/tasks/groups", json={})
        statuses.add(response.status_code)
        assert response.headers["content-type"] == "text/html"
        assert f"<h1>{response.status_code} " in response.text
    assert statuses <= {502, 503, 504} and len(statuses) > 1


def test_status_429_has_the_rate_limit_body_and_an_odd_retry_after(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    only(wire, "status_429", seed=5)
    seen = set()
    for _ in range(16):
        response = client.get("/v1/tasks/groups/tgrp_any")
        assert response.status_code == 429
        error = response.json()["error"]
        assert error["message"] == "Too many requests: quota temporarily exceeded"
        retry_after = response.headers["retry-after"]
        if retry_after not in ("0", "abc", "1.5"):
            ahead = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
            assert 0 < ahead <= 2.5
            retry_after = "date"
        seen.add(retry_after)
    assert len(seen) >= 3


def test_late_post_fails_at_once_and_the_runs_appear_later(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = new_group(client)
    wire.set_faults(wire_late_next_posts=1, wire_late_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(WIRE_ERRORS):
        client.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN)
    assert time.monotonic() - started < 0.5
    assert num_runs(client, group_id) == 0
    wait_for_runs(client, group_id, 1)
    assert 0.9 <= time.monotonic() - started < 3
    assert wire.faults()["wire_late_next_posts"] == 0
    assert client.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN).status_code == 200


def test_hold_post_answers_after_the_hold(wire: EmulatorServer, client: httpx.Client) -> None:
    group_id = new_group(client)
    wire.set_faults(wire_hold_next_posts=1, wire_hold_seconds=1.0)
    started = time.monotonic()
    response = client.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN)
    assert response.status_code == 200
    assert 0.95 <= time.monotonic() - started < 3
    assert num_runs(client, group_id) == 1


def test_hold_post_still_lands_when_its_client_goes_away_during_the_hold(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = new_group(client)
    wire.set_faults(wire_hold_next_posts=1, wire_hold_seconds=1.0)
    body = json.dumps(ONE_RUN).encode()
    head = (
        f"POST /v1/tasks/groups/{group_id}/runs HTTP/1.1\r\nhost: x\r\n"
        f"x-api-key: {wire.api_key}\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    sock = socket.create_connection(("127.0.0.1", wire.port))
    sock.sendall(head.encode() + body)
    time.sleep(0.2)
    # Like a killed process: the connection ends with a reset.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    assert num_runs(client, group_id) == 0
    wait_for_runs(client, group_id, 1, timeout=3.0)


def test_slow_body_delivers_the_complete_body_over_about_a_second(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = finished_group(client, runs=1)
    whole = client.get(f"/v1/tasks/groups/{group_id}").json()
    only(wire, "slow_body")
    started = time.monotonic()
    pieces: List[Tuple[float, bytes]] = []
    with client.stream("GET", f"/v1/tasks/groups/{group_id}") as response:
        for part in response.iter_raw():
            pieces.append((time.monotonic() - started, part))
    body = b"".join(part for _, part in pieces)
    elapsed = time.monotonic() - started
    assert json.loads(body) == whole
    assert len(pieces) >= 3 and pieces[-1][0] - pieces[0][0] >= 0.4
    assert 0.5 <= elapsed < 2.5


# -- the choice, the counters, the settings ------------------------------------------------------


def test_wire_injected_counts_each_fault_applied(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    before = injected(wire)
    only(wire, "status_429")
    for _ in range(2):
        client.get("/v1/tasks/groups/tgrp_any")
    only(wire, "status_408")
    client.get("/v1/tasks/groups/tgrp_any")
    after = wire.clear_faults()["wire_injected"]
    changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    assert changed == {"status_429": 2, "status_408": 1}
    assert injected(wire) == after  # a reset of the settings keeps the counts


def test_control_routes_are_never_faulted(wire: EmulatorServer) -> None:
    before = injected(wire)
    wire.set_faults(wire_fault_rate=1.0)
    for _ in range(10):
        assert httpx.get(wire.base_url + "/_emulator/health").json()["ok"] is True
        assert wire.faults()["wire_fault_rate"] == 1.0
    assert injected(wire) == before


def test_a_kind_that_does_not_apply_leaves_the_request_alone(
    wire: EmulatorServer, client: httpx.Client
) -> None:
    group_id = new_group(client)
    only(wire, "hold_post")  # POST only
    started = time.monotonic()
    for _ in range(3):
        assert client.get(f"/v1/tasks/groups/{group_id}").status_code == 200
    assert time.monotonic() - started < 0.5


def test_bad_wire_settings_are_rejected_with_a_message(wire: EmulatorServer) -> None:
    url = wire.base_url + "/_emulator/faults"
    response = httpx.post(url, json={"wire_fault_kinds": ["reset_before", "teleport"]})
    assert response.status_code == 400
    assert "teleport" in response.json()["error"]["message"]
    response = httpx.post(url, json={"wire_fault_rate": 1.5})
    assert response.status_code == 400
    assert "wire_fault_rate" in response.json()["error"]["message"]


def test_wire_settings_without_the_proxy_are_refused_with_400(server: EmulatorServer) -> None:
    url = server.base_url + "/_emulator/faults"
    for setting in ({"wire_fault_rate": 0.5}, {"wire_hold_next_posts": 1}):
        response = httpx.post(url, json=setting)
        assert response.status_code == 400
        assert "start the emulator with --wire-faults" in response.json()["error"]["message"]
    assert httpx.post(url, json={"wire_fault_rate": 0}).status_code == 200
    assert server.faults()["wire_injected"]["reset_before"] == 0


def test_wire_flags_without_wire_faults_stop_the_emulator_at_start() -> None:
    emu = EmulatorServer(extra_args=["--wire-fault-rate", "0.5"])
    try:
        with pytest.raises(EmulatorStartError, match="start the emulator with --wire-faults"):
            emu.start()
    finally:
        emu.close()


def test_wire_flags_set_the_faults_and_a_restart_keeps_port_and_flags() -> None:
    flags = ["--wire-fault-rate", "0.25", "--wire-fault-kinds", "status_429,cut_body"]
    flags += ["--wire-late-seconds", "1.5", "--wire-hold-seconds", "2"]
    with EmulatorServer(time_scale=0.005, wire_faults=True, extra_args=flags) as emu:
        port = emu.port
        emu.restart()
        assert emu.port == port
        faults = emu.faults()
        assert faults["wire_fault_rate"] == 0.25
        assert faults["wire_fault_kinds"] == ["cut_body", "status_429"]
        assert (faults["wire_late_seconds"], faults["wire_hold_seconds"]) == (1.5, 2.0)
        emu.clear_faults()
        with client_for(emu) as client:
            assert client.get(f"/v1/tasks/groups/{new_group(client)}").status_code == 200


def test_sigterm_shuts_down_at_once_with_a_request_held() -> None:
    with EmulatorServer(time_scale=0.005, wire_faults=True) as emu:
        emu.set_faults(wire_hold_next_posts=1, wire_hold_seconds=30)
        with client_for(emu) as client:
            group_id = new_group(client)
        errors: List[BaseException] = []

        def post() -> None:
            try:
                with client_for(emu) as c:
                    c.post(f"/v1/tasks/groups/{group_id}/runs", json=ONE_RUN)
            except BaseException as exc:  # the connection ends with the server
                errors.append(exc)

        sender = threading.Thread(target=post)
        sender.start()
        time.sleep(0.3)
        started = time.monotonic()
        emu.stop()
        assert time.monotonic() - started < 5
        sender.join(timeout=5)
        assert errors and isinstance(errors[0], httpx.HTTPError)


# -- the choice and the byte surgery, without a server ---------------------------------------


def test_one_shots_take_run_creating_posts_only_and_control_routes_nothing() -> None:
    state = FaultState(wire=True)
    state.update({"wire_late_next_posts": 1, "wire_hold_next_posts": 1})
    assert choose(state, WireRequest("POST", "/_emulator/faults")) is None
    assert choose(state, WireRequest("POST", "/v1/tasks/groups")) is None
    assert choose(state, WireRequest("GET", "/v1/tasks/groups/tgrp_1/runs")) is None
    assert choose(state, WireRequest("POST", "/v1beta/tasks/groups/tgrp_1/runs")) == "late_post"
    assert choose(state, WireRequest("POST", "/v1/tasks/runs")) == "hold_post"
    assert (state.faults.wire_late_next_posts, state.faults.wire_hold_next_posts) == (0, 0)


def test_kinds_are_drawn_among_those_that_apply_with_seeded_dice() -> None:
    def draws() -> List[str]:
        state = FaultState(wire=True)
        state.update({"wire_fault_rate": 1.0, "seed": 11})
        stream = WireRequest("GET", "/v1/tasks/groups/tgrp_1/events")
        return [str(choose(state, stream)) for _ in range(200)]

    first = draws()
    assert first == draws()
    assert {"reset_after", "truncate_json", "late_post", "hold_post"}.isdisjoint(first)
    assert {"cut_body", "slow_body", "reset_before", "status_429"} <= set(first)


def test_cut_point_is_inside_a_utf8_character_or_mid_line() -> None:
    body = '{"a":"héllo"}'.encode()
    cut = cut_point(body)
    with pytest.raises(UnicodeDecodeError):
        body[:cut].decode()
    lines = b"event: x\ndata: 1\n\n"
    cut = cut_point(lines)
    assert 0 < cut < len(lines) and lines[cut - 1 : cut + 1].count(b"\n") == 0


def test_stream_cut_keeps_whole_events_then_cuts_the_next_or_the_last() -> None:
    events = [f"event: e\ndata: {i}{i}{i}\n\n".encode() for i in range(5)]
    cut = StreamCut(keep=2)
    sent, last = cut.feed(b"".join(events))
    assert sent == events[0] + events[1]
    assert last is not None and events[2].startswith(last) and 0 < len(last) < len(events[2])
    short = StreamCut(keep=3)  # the stream ends after two events: its last one is cut
    sent, last = short.feed(events[0] + events[1])
    assert (sent, last) == (events[0], None)
    tail = short.end()
    assert events[1].startswith(tail) and 0 < len(tail) < len(events[1])


def test_slow_pacer_spreads_a_body_over_about_a_second_and_keeps_every_byte() -> None:
    for length in (300, 100_000):
        body = bytes(range(256)) * (length // 256) + b"x" * (length % 256)
        steps = list(SlowPacer(len(body)).pieces(body))
        assert b"".join(piece for _, piece in steps) == body
        assert steps[0][0] == 0 and len(steps) <= 101
        assert 0.5 * SLOW_SECONDS <= sum(pause for pause, _ in steps) <= SLOW_SECONDS
    stream = SlowPacer(None)
    total = sum(pause for _ in range(10) for pause, _ in stream.pieces(b"y" * 640))
    assert total <= SLOW_SECONDS


def test_the_proxy_logged_no_error_meanwhile(wire: EmulatorServer) -> None:
    assert "Traceback" not in wire.stderr()
    assert "wire proxy" not in wire.stderr()
