"""Reads (a run's result, a run, a group, its streams) against the emulator with faults on the
wire between them: every fault is retried within the client's one retry policy, each with one
backoff, and a persistent fault is raised after a bounded, stated time."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from parallel_taskgroup import Client, Clock, RetryPolicy, errors
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

RETRIED_KINDS = [
    "reset_before",
    "reset_after",
    "cut_body",
    "truncate_json",
    "status_408",
    "status_5xx_html",
    "status_429",
]


class RecordingClock(Clock):
    """Real time, but waits return at once and are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture(scope="module")
def wire() -> Iterator[EmulatorServer]:
    with EmulatorServer(time_scale=0.002, wire_faults=True) as server:
        yield server


@pytest.fixture(scope="module")
def finished(wire: EmulatorServer) -> tuple[str, list[str]]:
    """A group of 20 finished runs: (group id, run ids)."""
    with Client(api_key=wire.api_key, base_url=wire.base_url) as client:
        group = client.create_group(processor="lite")
        report = group.add_runs([f"question {i}" for i in range(20)])
        group.wait()
        return group.id, list(report.run_ids.values())


def injected(wire: EmulatorServer, kind: str) -> int:
    return int(wire.faults()["wire_injected"][kind])


@pytest.mark.parametrize("kind", RETRIED_KINDS)
def test_result_run_and_group_reads_are_retried_once_per_fault_with_a_backoff_each(
    wire: EmulatorServer, finished: tuple[str, list[str]], kind: str
) -> None:
    group_id, run_ids = finished
    clock = RecordingClock()
    client = Client(
        api_key=wire.api_key,
        base_url=wire.base_url,
        clock=clock,
        retry=RetryPolicy(max_retries=20, max_throttled=20),
    )
    before = injected(wire, kind)
    wire.set_faults(wire_fault_rate=0.5, wire_fault_kinds=[kind], seed=11)
    try:
        for run_id in run_ids:
            assert client.get_result(run_id).run.run_id == run_id
            assert client.get_run(run_id).run_id == run_id
            assert client.group(group_id).refresh().taskgroup_id == group_id
    finally:
        wire.set_faults(wire_fault_rate=0.0)
        client.close()
    faults = injected(wire, kind) - before
    assert faults >= 5
    assert len(clock.sleeps) == faults  # every fault waited for once, then asked again


def test_slow_bodies_are_read_whole_without_a_retry(
    wire: EmulatorServer, finished: tuple[str, list[str]]
) -> None:
    group_id, run_ids = finished
    clock = RecordingClock()
    client = Client(api_key=wire.api_key, base_url=wire.base_url, clock=clock)
    before = injected(wire, "slow_body")
    wire.set_faults(wire_fault_rate=0.5, wire_fault_kinds=["slow_body"], seed=5)
    try:
        for run_id in run_ids[:6]:
            assert client.get_result(run_id).run.run_id == run_id
    finally:
        wire.set_faults(wire_fault_rate=0.0)
        client.close()
    assert injected(wire, "slow_body") > before and clock.sleeps == []


@pytest.mark.parametrize("stream", ["runs", "events"])
def test_streams_read_through_every_fault_on_the_wire(
    wire: EmulatorServer, finished: tuple[str, list[str]], stream: str
) -> None:
    group_id, run_ids = finished
    client = Client(
        api_key=wire.api_key,
        base_url=wire.base_url,
        clock=RecordingClock(),
        retry=RetryPolicy(max_retries=20, max_throttled=20),
    )
    wire.set_faults(wire_fault_rate=0.5, wire_fault_kinds=[*RETRIED_KINDS, "slow_body"], seed=3)
    try:
        group = client.group(group_id)
        events = list(group.runs() if stream == "runs" else group.events())
    finally:
        wire.set_faults(wire_fault_rate=0.0)
        client.close()
    seen = {e.run.run_id for e in events if type(e).__name__ == "TaskRunEvent"}
    assert seen == set(run_ids)


def test_a_408_answered_at_once_to_a_waiting_read_is_asked_again_only_after_a_pause(
    wire: EmulatorServer, finished: tuple[str, list[str]]
) -> None:
    _, run_ids = finished
    client = Client(api_key=wire.api_key, base_url=wire.base_url)
    before = injected(wire, "status_408")
    wire.set_faults(wire_fault_rate=1.0, wire_fault_kinds=["status_408"])
    started = time.monotonic()
    try:
        with pytest.raises(errors.WaitTimeoutError):
            client.get_result(run_ids[0], timeout=3.0)
    finally:
        wire.set_faults(wire_fault_rate=0.0)
        client.close()
    asked = injected(wire, "status_408") - before
    # Pauses of 1, 1.5, 2.25 s...: a handful of requests in 3 s, never hundreds.
    assert 2 <= asked <= 5 and time.monotonic() - started < 6.0


@pytest.mark.parametrize("read", ["result", "group", "events stream"])
def test_a_persistent_5xx_is_raised_after_the_policys_retries_within_the_stated_time(
    wire: EmulatorServer, finished: tuple[str, list[str]], read: str
) -> None:
    group_id, run_ids = finished
    clock = RecordingClock()
    client = Client(api_key=wire.api_key, base_url=wire.base_url, clock=clock)  # the defaults
    wire.set_faults(wire_fault_rate=1.0, wire_fault_kinds=["status_5xx_html"])
    try:
        with pytest.raises(errors.ServerError):
            if read == "result":
                client.get_result(run_ids[0])
            elif read == "group":
                client.group(group_id).refresh()
            else:
                list(client.group(group_id).events())
    finally:
        wire.set_faults(wire_fault_rate=0.0)
        client.close()
    # The stated time to failure of the defaults: 4 retries, backoff 0.5·2^n s with full
    # jitter, at most 0.5 + 1 + 2 + 4 = 7.5 s of waiting (the issue saw 31 tries over 2 min).
    assert len(clock.sleeps) == 4 and sum(clock.sleeps) <= 7.5
