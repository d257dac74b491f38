"""results(): each finished run once, with its output (fetched when the event lacks it, several
at once) or its error; inputs only from a snapshot; error events counted, never fatal."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
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


class CatchUps:
    """A job's catch-up, faked: it says it read ``reads`` runs (all it has seen finish, when
    None) and supplies every run whose finish the stream has seen and ``take`` has not had
    from it; the first ``barren`` calls supply nothing."""

    def __init__(self, *, reads: int | None = None, barren: int = 0) -> None:
        self.reads, self.barren = reads, barren
        self.started: list[float] = []
        self.read: list[int] = []
        self.seen: set[str] = set()
        self.supplied: set[str] = set()
        self.had: set[str] = set()
        self.asked: list[int] = []  # how many runs each call of ``wanted`` asked about

    def take(self, stream: ResultStream) -> list[str]:
        """Each run id the stream yields, kept as a job's recorder keeps its result."""
        got = []
        for result in stream:
            got.append(result.run_id)
            self.had.add(result.run_id)
        return got

    def wanted(self, events: Sequence[Any]) -> list[bool]:
        self.asked.append(len(events))
        ids = [event.run.run_id for event in events]
        self.seen.update(ids)
        return [i not in self.supplied and i not in self.had for i in ids]

    def __call__(self) -> int:
        self.started.append(time.monotonic())
        if len(self.started) > self.barren:
            self.supplied |= self.seen - self.had
        self.read.append(len(self.seen) if self.reads is None else self.reads)
        return self.read[-1]

    def stream(
        self, server: FakeGroupServer, *, share: float, hold: float = 0.0, after: int = 10
    ) -> ResultStream:
        return ResultStream(
            core_of(fake_client(server)),
            GROUP_ID,
            last_event_id=None,
            cursor_store=None,
            timeout=None,
            fetch_concurrency=2,
            wanted=self.wanted,
            catch_up=self,
            catch_up_after=after,
            catch_up_share=share,
            catch_up_hold=hold,
        )


def due_outputs(n: int) -> FakeGroupServer:
    return FakeGroupServer([run_event(i, f"e{i}") for i in range(n)] + [status_event("x", False)])


def run_ids(n: int) -> set[str]:
    return {f"trun_{i}" for i in range(n)}


def test_a_catch_up_that_supplies_nothing_is_not_repeated_for_every_result_after_it() -> None:
    server = due_outputs(100)
    catch_ups = CatchUps(reads=0, barren=1000)
    with catch_ups.stream(server, share=0.0) as stream:
        got = catch_ups.take(stream)
    assert sorted(got) == sorted(run_ids(100))
    assert 1 <= len(catch_ups.started) <= 100 // 10


def test_after_a_catch_up_that_read_n_runs_the_next_waits_for_share_of_n_outputs_due() -> None:
    server = due_outputs(300)
    catch_ups = CatchUps(reads=100)
    with catch_ups.stream(server, share=0.5) as stream:
        got = catch_ups.take(stream)
    # The first at 10 due, then one per 50 due, then one for those due when the events ended.
    assert 2 <= len(catch_ups.started) <= 1 + 300 // 50 + 1
    assert set(got) | catch_ups.supplied == run_ids(300) and not set(got) & catch_ups.supplied


def test_outputs_due_while_a_catch_up_is_paced_are_left_to_it_not_fetched_one_by_one() -> None:
    server = due_outputs(300)
    catch_ups = CatchUps(reads=100)
    with catch_ups.stream(server, share=0.5) as stream:
        list(stream)
    assert set(fetched(server, "/result")) <= run_ids(10)  # only those due before the first


def test_outputs_left_to_a_paced_catch_up_are_asked_about_together_not_one_by_one() -> None:
    server = due_outputs(300)
    catch_ups = CatchUps(reads=100)  # each later one waits for 50 outputs due
    with catch_ups.stream(server, share=0.5) as stream:
        list(stream)
    # One by one until the first catch-up (10 due), then a question per 50 left to the next.
    assert sum(catch_ups.asked) >= 300 and len(catch_ups.asked) <= 10 + 2 * (300 // 50 + 2)


def test_outputs_left_to_a_paced_catch_up_are_read_by_one_when_the_events_end() -> None:
    server = due_outputs(100)
    catch_ups = CatchUps(reads=1000)  # the next would wait for 500 outputs due
    began = time.monotonic()
    with catch_ups.stream(server, share=0.5) as stream:
        got = catch_ups.take(stream)
    assert len(catch_ups.started) == 2 and time.monotonic() - began < 10
    assert set(got) | catch_ups.supplied == run_ids(100)


def test_a_catch_up_that_read_few_runs_leaves_nothing_to_the_next() -> None:
    server = due_outputs(100)
    catch_ups = CatchUps(reads=10, barren=1000)  # share × 10 is below catch_up_after
    with catch_ups.stream(server, share=0.5) as stream:
        got = catch_ups.take(stream)
    assert sorted(got) == sorted(run_ids(100)) and len(catch_ups.started) >= 2


@given(
    n=st.integers(min_value=1, max_value=250),
    after=st.integers(min_value=1, max_value=60),
    share=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    barren=st.integers(min_value=0, max_value=3),
)
def test_every_result_comes_once_and_paced_catch_ups_read_a_bounded_multiple_of_them(
    n: int, after: int, share: float, barren: int
) -> None:
    server = due_outputs(n)
    catch_ups = CatchUps(barren=barren)  # each reads every run seen so far, as from the start
    with catch_ups.stream(server, share=share, after=after) as stream:
        got = catch_ups.take(stream)
    assert len(got) == len(set(got)) and not set(got) & catch_ups.supplied
    if not barren:  # (a barren catch-up leaves what was left to it to the caller's last read)
        assert set(got) | catch_ups.supplied == run_ids(n)
    if share and not barren:
        # Each read but the last two came before share × its runs were due: at most n / share.
        assert sum(catch_ups.read) <= n * (2 + 1 / share)


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
    catch_ups = CatchUps(reads=0)
    with catch_ups.stream(server, share=0.0, hold=5.0) as stream:
        list(stream)
    assert 1 <= len(catch_ups.started) <= 40 // 10 and fetched(server, "/result") == []


def test_an_output_held_is_fetched_on_its_own_when_its_hold_is_over() -> None:
    server = steady_outputs(3, gap=0.0, linger=3.0)
    catch_ups = CatchUps(reads=0)
    with catch_ups.stream(server, share=0.0, hold=0.3) as stream:
        came = [(r.run_id, time.monotonic()) for r in stream]
    assert catch_ups.started == [] and len(fetched(server, "/result")) == 3
    assert all(at < server.ended_at for _, at in came)  # not kept until the events ended


def test_outputs_are_not_held_once_the_events_have_ended() -> None:
    began = time.monotonic()
    server = due_outputs(5)
    catch_ups = CatchUps(reads=0)
    with catch_ups.stream(server, share=0.0, hold=60.0) as stream:
        assert len(list(stream)) == 5
    assert time.monotonic() - began < 10
