"""results(): each finished run once, with its output (fetched when the event lacks it, several
at once) or its error; inputs only from a snapshot; error events counted, never fatal."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from parallel_taskgroup import MemoryCursorStore, RunResult, errors
from parallel_taskgroup.client import core_of
from parallel_taskgroup.jobs.collector import CATCH_UP_ROWS
from parallel_taskgroup.results import READ_AHEAD, ResultStream
from parallel_taskgroup_api.models import TaskRunJsonOutput, TaskRunTextOutput
from stream_fakes import (
    GROUP_ID,
    FakeGroupServer,
    fake_client,
    run_event,
    run_json,
    status_event,
    status_json,
)


def fetched(server: FakeGroupServer, what: str) -> list[str]:
    return [r.url.path.split("/")[-2] for r in server.requests if r.url.path.endswith(what)]


def test_completed_runs_come_with_the_output_the_event_carries() -> None:
    server = FakeGroupServer([run_event(1, "e1", with_output=True), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert isinstance(res, RunResult)
    assert res.ok and res.run_id == "trun_1" and res.key == "row-1" and res.event_id == "e1"
    assert isinstance(res.output, TaskRunJsonOutput) and res.content == {"answer": 1}
    assert fetched(server, "/result") == [] and fetched(server, "/input") == []


def test_missing_output_is_fetched_from_the_result_endpoint() -> None:
    server = FakeGroupServer([run_event(4, "e1"), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert isinstance(res.output, TaskRunTextOutput) and res.content == "r4"
    assert fetched(server, "/result") == ["trun_4"]


def test_an_output_that_does_not_parse_leaves_that_result_without_one_not_the_others() -> None:
    server = FakeGroupServer([run_event(4, "e1"), run_event(5, "e2"), status_event("e3", False)])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trun_5/result"):  # an output of a shape not in the spec
            return httpx.Response(200, json={"run": run_json(5), "output": {"content": "r5"}})
        return server(request)

    results = list(fake_client(answer).group(GROUP_ID).results())
    assert [(r.run_id, r.ok, r.content) for r in results] == [
        ("trun_4", True, "r4"),
        ("trun_5", True, None),
    ]


def test_following_never_fetches_inputs() -> None:
    server = FakeGroupServer([run_event(2, "e1", with_output=True), status_event("e2", False)])
    [res] = list(fake_client(server).group(GROUP_ID).results())
    assert res.input is None and fetched(server, "/input") == []


def test_asking_for_inputs_while_following_is_refused_with_the_way_to_get_them() -> None:
    with pytest.raises(errors.ConfigurationError, match="follow=False"):
        fake_client(FakeGroupServer([])).group(GROUP_ID).results(include_input=True)


def test_a_snapshot_brings_inputs_and_outputs_in_one_request() -> None:
    events = [run_event(i, f"r{i}", with_input=True, with_output=True) for i in range(5)]
    server = FakeGroupServer(events)
    got = list(fake_client(server).group(GROUP_ID).results(follow=False, include_input=True))
    assert [r.run_id for r in got] == [f"trun_{i}" for i in range(5)]
    assert all(r.input is not None and r.output is not None for r in got)
    assert len(server.requests) == 1 and server.requests[0].url.path.endswith("/runs")
    assert server.requests[0].url.params["include_input"] == "true"


def test_the_events_stream_is_asked_for_nothing_it_does_not_carry() -> None:
    server = FakeGroupServer([status_event("e0", True), status_event("e1", False)])
    list(fake_client(server).group(GROUP_ID).results(last_event_id="e0"))
    params = server.connections[0].url.params
    assert "include_input" not in params and "include_output" not in params


def test_an_idle_group_followed_from_scratch_is_read_from_one_snapshot() -> None:
    server = FakeGroupServer([run_event(i, f"r{i}", with_output=True) for i in range(50)])
    server.finished = True
    got = list(fake_client(server).group(GROUP_ID).results())
    assert len(got) == 50
    assert [r.url.path.rsplit("/", 1)[-1] for r in server.requests] == [GROUP_ID, "runs"]


def test_a_summary_saying_inactive_while_it_counts_queued_runs_is_followed_not_snapshot() -> None:
    server = FakeGroupServer([run_event(i, f"r{i}", with_output=True) for i in range(3)])
    server.finished = True

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith(GROUP_ID):  # a cached summary just after an add-runs POST
            stale = {**status_json(False, 0, 3), "task_run_status_counts": {"queued": 3}}
            return httpx.Response(
                200, json={"taskgroup_id": GROUP_ID, "status": stale, "created_at": None}
            )
        return server(request)

    results = fake_client(answer).group(GROUP_ID).results()
    assert isinstance(results, ResultStream)


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


def test_results_survive_drops_without_duplicates_at_one_request_per_run() -> None:
    events = [run_event(i, f"e{i}") for i in range(30)]
    events.append(status_event("e30", False))
    server = FakeGroupServer(
        events, cuts=[("drop", 700), ("drop", 2500), ("close", 3000)], chunk=61
    )
    got = [r.run_id for r in fake_client(server).group(GROUP_ID).results()]
    assert sorted(got) == sorted(f"trun_{i}" for i in range(30))
    assert len(fetched(server, "/result")) == 30


def test_outputs_are_fetched_several_at_once() -> None:
    server = FakeGroupServer(
        [run_event(i, f"e{i}") for i in range(16)] + [status_event("x", False)]
    )
    running, peak, lock = [0], [0], threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
        return server(request)

    got = list(fake_client(handler).group(GROUP_ID).results(fetch_concurrency=8))
    assert len(got) == 16 and peak[0] >= 4


def test_results_cursor_is_stored_under_its_own_stream_name() -> None:
    store = MemoryCursorStore()
    server = FakeGroupServer([run_event(1, "e1", with_output=True), status_event("e2", False)])
    list(fake_client(server).group(GROUP_ID).results(cursor_store=store))
    assert store.load(GROUP_ID, "results") == "e2"


def test_the_cursor_never_passes_a_result_not_yet_handed_out() -> None:
    store = MemoryCursorStore()
    events = [run_event(1, "e1"), run_event(2, "e2", status="failed"), status_event("e3", False)]
    server = FakeGroupServer(events)
    gate = threading.Event()

    def output_on_its_way(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            gate.wait(30)  # e1's output is still being fetched
        return server(request)

    stream = fake_client(output_on_its_way).group(GROUP_ID).results(cursor_store=store)
    try:
        first = next(stream)
        assert first.run_id == "trun_2"  # the failure needs no fetch, so it comes first
        stream.close()
        assert store.load(GROUP_ID, "results") is None  # e1's output was never handed out
    finally:
        gate.set()


def test_results_are_handed_out_at_most_two_fetch_windows_past_the_saved_cursor() -> None:
    store = MemoryCursorStore()
    events = [run_event(i, f"e{i}") for i in range(40)] + [status_event("end", False)]
    server = FakeGroupServer(events)
    gate = threading.Event()

    def first_output_is_slow(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/trun_0/result"):
            gate.wait(30)
        return server(request)

    stream = (
        fake_client(first_output_is_slow)
        .group(GROUP_ID)
        .results(cursor_store=store, fetch_concurrency=4)
    )
    handed_out = []
    reader = threading.Thread(target=lambda: handed_out.extend(r.run_id for r in stream))
    reader.start()
    try:
        deadline = time.monotonic() + 10
        while len(handed_out) < 2 * 4 - 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)  # room for more, had the window let them through
        assert len(handed_out) == 2 * 4 - 1  # these would come again after a crash now
        assert store.load(GROUP_ID, "results") is None
    finally:
        gate.set()
        reader.join(10)
    assert sorted(handed_out) == sorted(f"trun_{i}" for i in range(40))


def test_error_events_are_counted_and_results_go_on() -> None:
    error = {"type": "error", "error": {"ref_id": "ref-x", "message": "broken"}}
    events = [run_event(1, "e1", with_output=True), error, run_event(2, "e2", with_output=True)]
    stream = (
        fake_client(FakeGroupServer(events + [status_event("e3", False)])).group(GROUP_ID).results()
    )
    assert isinstance(stream, ResultStream)
    assert [r.run_id for r in stream] == ["trun_1", "trun_2"]
    assert stream.error_events == 1


class PacedCatchUps:
    """A job's catch-up that takes ``takes`` seconds and says ``waste`` of what it read gave
    nothing new; the first ``barren`` calls supply nothing, later ones every run."""

    def __init__(self, *, takes: float, waste: float, barren: int) -> None:
        self.takes, self.waste, self.barren = takes, waste, barren
        self.started: list[float] = []
        self.supplied = False

    def __call__(self) -> float:
        self.started.append(time.monotonic())
        time.sleep(self.takes)
        self.supplied = len(self.started) > self.barren
        return self.waste

    def stream(self, server: FakeGroupServer, *, pace: float, hold: float = 0.0) -> ResultStream:
        return ResultStream(
            core_of(fake_client(server)),
            GROUP_ID,
            last_event_id=None,
            cursor_store=None,
            timeout=None,
            fetch_concurrency=2,
            wanted=lambda event: not self.supplied,
            catch_up=self,
            catch_up_after=10,
            catch_up_pace=pace,
            catch_up_hold=hold,
        )


def due_outputs(n: int) -> FakeGroupServer:
    return FakeGroupServer([run_event(i, f"e{i}") for i in range(n)] + [status_event("x", False)])


def test_a_catch_up_that_supplies_nothing_is_not_repeated_for_every_result_after_it() -> None:
    server = due_outputs(100)
    catch_ups = PacedCatchUps(takes=0.0, waste=1.0, barren=1000)  # records none of them
    with catch_ups.stream(server, pace=0) as stream:
        got = [r.run_id for r in stream]
    assert sorted(got) == sorted(f"trun_{i}" for i in range(100))
    assert 1 <= len(catch_ups.started) <= 100 // 10


def test_after_a_catch_up_that_read_only_runs_it_had_the_next_waits_its_pace() -> None:
    catch_ups = PacedCatchUps(takes=0.02, waste=1.0, barren=100)
    with catch_ups.stream(due_outputs(60), pace=10) as stream:
        got = [r.run_id for r in stream]
    assert sorted(got) == sorted(f"trun_{i}" for i in range(60))
    gaps = [b - a for a, b in zip(catch_ups.started, catch_ups.started[1:])]
    assert len(catch_ups.started) >= 2 and min(gaps) >= 0.02 * (1 + 10) * 0.9


def test_outputs_due_while_a_catch_up_is_paced_wait_for_it_not_fetched_one_by_one() -> None:
    server = due_outputs(150)
    catch_ups = PacedCatchUps(takes=0.03, waste=1.0, barren=1)
    with catch_ups.stream(server, pace=10) as stream:
        list(stream)
    assert len(catch_ups.started) == 2  # the second supplied every run still due
    assert len(fetched(server, "/result")) <= 4 * 2  # those under way at the first, at most


def test_a_paced_catch_up_is_not_waited_for_once_the_group_is_idle() -> None:
    server = due_outputs(100)
    catch_ups = PacedCatchUps(takes=0.02, waste=1.0, barren=1)
    began = time.monotonic()
    with catch_ups.stream(server, pace=1000) as stream:  # a 20 s pace
        list(stream)
    assert len(catch_ups.started) == 2 and time.monotonic() - began < 10
    assert server.status_polls >= 1


def test_a_catch_up_that_read_only_new_results_does_not_hold_back_the_next() -> None:
    catch_ups = PacedCatchUps(takes=0.02, waste=0.0, barren=100)
    began = time.monotonic()
    with catch_ups.stream(due_outputs(100), pace=1000) as stream:
        assert len(list(stream)) == 100
    assert len(catch_ups.started) >= 2 and time.monotonic() - began < 10


def test_a_batch_jobs_bulk_catch_up_fits_within_the_read_ahead() -> None:
    # The reader holds at most READ_AHEAD events: were a job's catch-up to wait for more
    # outputs than that, it would never start, and every output would be fetched on its own.
    assert CATCH_UP_ROWS < READ_AHEAD


class SteadyGroupServer(FakeGroupServer):
    """Its events come one every ``gap`` seconds, and its stream ends ``linger`` seconds after
    the last."""

    def __init__(self, events: list[dict[str, Any]], *, gap: float, linger: float = 0.0) -> None:
        super().__init__(events)
        self.gap, self.linger = gap, linger
        self.ended_at = math.inf

    def _body(self, data: bytes, cut: Any) -> Iterator[bytes]:
        for piece in data.split(b"\n\n")[:-1]:
            time.sleep(self.gap)
            yield piece + b"\n\n"
        time.sleep(self.linger)
        self.finished = True
        self.ended_at = time.monotonic()


def steady_outputs(n: int, *, gap: float, linger: float = 0.0) -> SteadyGroupServer:
    events = [run_event(i, f"e{i}") for i in range(n)] + [status_event("x", False)]
    return SteadyGroupServer(events, gap=gap, linger=linger)


def test_outputs_due_at_a_steady_rate_are_held_to_share_a_bulk_read() -> None:
    server = steady_outputs(40, gap=0.005)
    catch_ups = PacedCatchUps(takes=0.0, waste=0.0, barren=0)
    with catch_ups.stream(server, pace=0, hold=5.0) as stream:
        list(stream)
    assert len(catch_ups.started) == 1 and fetched(server, "/result") == []


def test_an_output_held_is_fetched_on_its_own_when_its_hold_is_over() -> None:
    server = steady_outputs(3, gap=0.0, linger=3.0)
    catch_ups = PacedCatchUps(takes=0.0, waste=0.0, barren=0)
    with catch_ups.stream(server, pace=0, hold=0.3) as stream:
        came = [(r.run_id, time.monotonic()) for r in stream]
    assert catch_ups.started == [] and len(fetched(server, "/result")) == 3
    assert all(at < server.ended_at for _, at in came)  # not kept until the events ended


def test_outputs_are_not_held_once_the_events_have_ended() -> None:
    began = time.monotonic()
    server = due_outputs(5)
    catch_ups = PacedCatchUps(takes=0.0, waste=0.0, barren=0)
    with catch_ups.stream(server, pace=0, hold=60.0) as stream:
        assert len(list(stream)) == 5
    assert time.monotonic() - began < 10
