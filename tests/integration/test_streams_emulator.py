"""Streams against the emulator: dropped connections and restarts lose and repeat nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest
from parallel_taskgroup import Client, MemoryCursorStore, SqliteCursorStore, TaskGroup
from parallel_taskgroup_api.models import TaskGroupStatus, TaskRunEvent
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]


@pytest.fixture
def fast_emulator(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(rate_limit_per_minute=10**6)


def connect(emu: EmulatorServer, **kwargs: Any) -> Client:
    return Client(api_key=emu.api_key, base_url=emu.base_url, max_backoff=0.2, **kwargs)


def add_runs(
    group: TaskGroup, n: int, *, fail_every: int = 0, processor: str = "lite"
) -> list[str]:
    run_ids: list[str] = []
    for start in range(0, n, 1000):
        inputs = []
        for i in range(start, min(n, start + 1000)):
            text = f"question {i}" + (" __fail__" if fail_every and i % fail_every == 0 else "")
            inputs.append({"input": text, "processor": processor, "metadata": {"row_key": f"k{i}"}})
        response = group._core.request(
            "POST",
            f"/v1/tasks/groups/{group.id}/runs",
            json={"inputs": inputs},
            idempotent=False,
        )
        run_ids += response.json()["run_ids"]
    return run_ids


def keys(results: Iterator[Any]) -> list[str]:
    return [r.key for r in results]


def test_results_of_small_group_with_failures(fast_emulator: EmulatorServer) -> None:
    with connect(fast_emulator) as client:
        group = client.create_group(metadata={"test": "small"})
        add_runs(group, 40, fail_every=7)
        results = list(group.results(timeout=60))
    assert sorted(r.key for r in results) == sorted(f"k{i}" for i in range(40))
    failed = [r for r in results if not r.ok]
    assert len(failed) == 6 and all(r.error is not None and r.output is None for r in failed)
    assert all(r.output is not None for r in results if r.ok)
    # Inputs come with a snapshot of the group's runs, never one request per run.
    with connect(fast_emulator) as client:
        snapshot = list(client.group(group.id).results(follow=False, include_input=True))
    assert len(snapshot) == 40 and all(r.input is not None for r in snapshot)


def test_results_through_dropped_connections_lose_and_repeat_nothing(
    fast_emulator: EmulatorServer,
) -> None:
    fast_emulator.set_faults(stream_drop_probability=0.05, seed=7)
    with connect(fast_emulator) as client:
        group = client.create_group()
        add_runs(group, 600)
        stream = group.events(timeout=120)
        got = [e.run.run_id for e in stream if isinstance(e, TaskRunEvent)]
    assert len(got) == 600 and len(set(got)) == 600
    assert stream.reconnects > 0


@pytest.mark.slow
def test_5000_run_group_through_drops_and_a_restart(fast_emulator: EmulatorServer) -> None:
    emu = fast_emulator
    emu.set_faults(stream_drop_probability=0.01, seed=3)
    # Result fetches go on while the server restarts: a retry budget that outlasts a restart.
    with Client(api_key=emu.api_key, base_url=emu.base_url, max_retries=40) as client:
        group = client.create_group(metadata={"test": "5000"})
        expected = add_runs(group, 5000)
        seen: list[str] = []
        stream = group.results(include_input=False, timeout=300)
        for result in stream:
            seen.append(result.run_id)
            if len(seen) == 2000:
                old = emu.base_url
                emu.restart()
                if emu.base_url != old:
                    pytest.skip("the emulator could not restart on the same port")
                emu.set_faults(stream_drop_probability=0.01, seed=4)
    assert len(seen) == 5000
    assert sorted(seen) == sorted(expected)


def run_event_ids(group: TaskGroup) -> list[str]:
    """The event ids of a full runs snapshot (injected error events carry none)."""
    stream = group.runs(include_input=True, include_output=True)
    return [e.event_id for e in stream if isinstance(e, TaskRunEvent)]


def test_runs_snapshot_through_drops_is_exactly_once_in_order(
    fast_emulator: EmulatorServer,
) -> None:
    with connect(fast_emulator) as client:
        group = client.create_group()
        add_runs(group, 300)
        group.wait(timeout=60)
        clean = run_event_ids(group)
        fast_emulator.set_faults(stream_drop_after=25)
        dropped = run_event_ids(group)
    assert len(clean) == 300 and dropped == clean


def test_wait_reports_progress_until_inactive(fast_emulator: EmulatorServer) -> None:
    updates: list[TaskGroupStatus] = []
    with connect(fast_emulator) as client:
        group = client.create_group()
        add_runs(group, 50)
        final = group.wait(on_progress=updates.append, timeout=60)
    assert final.is_active is False and final.num_task_runs == 50
    assert updates and updates[-1].is_active is False


def test_events_reconnect_when_the_server_ends_the_stream_early(emulator_factory: Factory) -> None:
    emu = emulator_factory(rate_limit_per_minute=10**6, stream_lifetime=0.05)
    with connect(emu) as client:
        group = client.create_group()
        add_runs(group, 100, processor="base")
        stream = group.events(timeout=120)
        runs = [e.run.run_id for e in stream if isinstance(e, TaskRunEvent)]
    assert len(runs) == 100 and len(set(runs)) == 100
    assert stream.reconnects > 0


def test_a_new_client_resumes_from_the_cursor_store(
    fast_emulator: EmulatorServer, tmp_path: Any
) -> None:
    # One output fetched at a time: results come in event order, so the resume is exact.
    store = SqliteCursorStore(tmp_path / "cursors.db")
    with connect(fast_emulator) as client:
        group = client.create_group()
        add_runs(group, 100)
        group.wait(timeout=60)
        first = group.results(cursor_store=store, fetch_concurrency=1)
        head = [next(first).key for _ in range(30)]
        first.close()  # the 30th was not acknowledged: it comes again
    with connect(fast_emulator) as client:
        rest = keys(client.group(group.id).results(cursor_store=store, fetch_concurrency=1))
    assert head[:29] + rest == keys(
        connect(fast_emulator)
        .group(group.id)
        .results(cursor_store=MemoryCursorStore(), fetch_concurrency=1)
    )


def test_a_resume_with_concurrent_fetches_loses_nothing_and_repeats_little(
    fast_emulator: EmulatorServer, tmp_path: Any
) -> None:
    store = SqliteCursorStore(tmp_path / "cursors.db")
    with connect(fast_emulator) as client:
        group = client.create_group()
        add_runs(group, 100)
        group.wait(timeout=60)
        first = group.results(cursor_store=store, fetch_concurrency=8)
        head = [next(first).key for _ in range(30)]
        first.close()
    with connect(fast_emulator) as client:
        rest = keys(client.group(group.id).results(cursor_store=store, fetch_concurrency=8))
    assert set(head) | set(rest) == {f"k{i}" for i in range(100)}
    # Only results handed out past the saved cursor come again: outputs are fetched at most
    # 2 x fetch_concurrency past it, however out of order the fetches finish.
    assert len(head) + len(rest) - 100 <= 2 * 8


def test_v1beta_paths_work_against_the_emulator(fast_emulator: EmulatorServer) -> None:
    with connect(fast_emulator, api_version="v1beta") as client:
        group = client.create_group()
        add_runs(group, 5)
        assert len(list(group.results(timeout=60))) == 5
