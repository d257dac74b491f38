"""results(): each finished run once, with input, output or error, fetching what events lack."""

from __future__ import annotations

import pytest
from parallel_taskgroup import MemoryCursorStore, RunResult, errors
from parallel_taskgroup_api.models import TaskRunJsonOutput, TaskRunTextOutput
from stream_fakes import GROUP_ID, FakeGroupServer, fake_client, run_event, status_event


def fetched(server: FakeGroupServer, what: str) -> list[str]:
    return [r.url.path.split("/")[-2] for r in server.requests if r.url.path.endswith(what)]


def test_completed_runs_come_with_output_and_input_from_the_event() -> None:
    server = FakeGroupServer(
        [run_event(1, "e1", with_input=True, with_output=True), status_event("e2", active=False)]
    )
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert isinstance(res, RunResult)
    assert res.ok and res.run_id == "trun_1" and res.key == "row-1" and res.event_id == "e1"
    assert isinstance(res.output, TaskRunJsonOutput) and res.output.content["answer"] == 1
    assert res.input is not None and res.input.input_ == "question 1"
    assert fetched(server, "/result") == [] and fetched(server, "/input") == []


def test_missing_output_is_fetched_from_the_result_endpoint() -> None:
    server = FakeGroupServer([run_event(4, "e1", with_input=True), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert isinstance(res.output, TaskRunTextOutput) and res.output.content == "r4"
    assert fetched(server, "/result") == ["trun_4"]


def test_missing_input_is_fetched_when_asked_for() -> None:
    server = FakeGroupServer([run_event(2, "e1", with_output=True), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert res.input is not None and res.input.input_ == "fetched 2"


def test_input_is_not_fetched_when_not_asked_for() -> None:
    server = FakeGroupServer([run_event(2, "e1", with_output=True), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results(include_input=False))
    assert res.input is None and fetched(server, "/input") == []


def test_results_request_inputs_and_outputs_on_the_stream() -> None:
    server = FakeGroupServer([status_event("e0", False)])
    list(fake_client(server).group(GROUP_ID).results())
    params = server.connections[0].url.params
    assert params["include_input"] == "true" and params["include_output"] == "true"


@pytest.mark.parametrize("status", ["failed", "cancelled"])
def test_failed_and_cancelled_runs_are_yielded_not_dropped(status: str) -> None:
    server = FakeGroupServer([run_event(3, "e1", status=status), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert not res.ok and res.output is None and res.status.value == status
    if status == "failed":
        assert res.error is not None and res.error.ref_id == "ref-3"
    assert fetched(server, "/result") == []


def test_active_run_events_and_status_events_are_skipped() -> None:
    server = FakeGroupServer(
        [
            status_event("e0", True),
            run_event(1, "e1", status="running"),
            run_event(2, "e2", with_output=True),
            status_event("e3", False),
        ]
    )
    assert [r.run_id for r in fake_client(server).group(GROUP_ID).results()] == ["trun_2"]


def test_results_survive_drops_without_duplicates() -> None:
    events = [run_event(i, f"e{i}", with_input=True, with_output=True) for i in range(30)]
    events.append(status_event("e30", False))
    server = FakeGroupServer(
        events, cuts=[("drop", 700), ("drop", 2500), ("close", 3000)], chunk=61
    )
    got = [r.run_id for r in fake_client(server).group(GROUP_ID).results()]
    assert got == [f"trun_{i}" for i in range(30)]


def test_results_cursor_is_stored_under_its_own_stream_name() -> None:
    store = MemoryCursorStore()
    server = FakeGroupServer([run_event(1, "e1", with_output=True), status_event("e2", False)])
    list(fake_client(server).group(GROUP_ID).results(cursor_store=store))
    assert store.load(GROUP_ID, "results") == "e2"


def test_error_event_raises_stream_error_with_ref_id() -> None:
    server = FakeGroupServer([{"type": "error", "error": {"ref_id": "ref-x", "message": "broken"}}])
    with pytest.raises(errors.StreamError, match="broken") as info:
        list(fake_client(server).group(GROUP_ID).results())
    assert info.value.ref_id == "ref-x"
