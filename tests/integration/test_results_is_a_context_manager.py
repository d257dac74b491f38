"""``TaskGroup.results()`` hands out an iterator that is a context manager, whether the group
is still running (a ResultStream) or already idle (a ResultSnapshot)."""

from __future__ import annotations

from typing import Callable

import pytest
from parallel_taskgroup import Client, ResultSnapshot, ResultStream, TaskGroup
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def ten_runs(client: Client, *, finished: bool) -> TaskGroup:
    group = client.create_group(processor="lite")
    group.add_runs([{"n": i} for i in range(10)])
    if finished:
        group.wait(timeout=60)
    return group


def test_results_of_an_idle_group_read_in_a_with_block_yield_every_run(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(time_scale=0.001, error_event_rate=0.0)
    client = Client(api_key=emu.api_key, base_url=emu.base_url)
    with client, ten_runs(client, finished=True).results() as results:
        assert isinstance(results, ResultSnapshot)
        assert sorted(r.status for r in results) == ["completed"] * 10


def test_results_of_a_running_group_read_in_a_with_block_yield_every_run(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(time_scale=0.05, error_event_rate=0.0)
    client = Client(api_key=emu.api_key, base_url=emu.base_url)
    with client, ten_runs(client, finished=False).results() as results:
        assert isinstance(results, ResultStream)
        assert sorted(r.status for r in results) == ["completed"] * 10


def test_a_snapshot_closed_early_reads_no_further(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(time_scale=0.001, error_event_rate=0.0)
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        results = ten_runs(client, finished=True).results(follow=False)
        next(results)
        results.close()
        assert list(results) == []
