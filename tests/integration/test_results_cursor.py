"""Where a results stream says to resume from loses nothing: the cursor it saves at its end,
and the one its timeout names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest
from parallel_taskgroup import Client, JsonFileCursorStore, TaskGroup, WaitTimeoutError
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def finished_group(client: Client, runs: int) -> TaskGroup:
    group = client.create_group(processor="lite")
    group.add_runs([f"question {i}" for i in range(runs)])
    group.wait(timeout=60)
    return group


def test_a_results_loop_run_to_its_end_saves_the_cursor_of_its_end(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    emu = emulator_factory(time_scale=0.001, error_event_rate=0.0)
    store = tmp_path / "cursor.json"
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = finished_group(client, 30)
        first = sum(1 for _ in group.results(cursor_store=JsonFileCursorStore(str(store))))
        again = sum(1 for _ in group.results(cursor_store=JsonFileCursorStore(str(store))))
    assert (first, again) == (30, 0)


def test_the_cursor_a_results_timeout_names_resumes_without_losing_a_result(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    emu = emulator_factory(time_scale=0.001, error_event_rate=0.0)
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = finished_group(client, 40)
        emu.set_faults(latency_ms=1000)  # each output fetch takes a second: 40 take 5 s
        before: list[str] = []
        with pytest.raises(WaitTimeoutError) as caught:
            for result in group.results(last_event_id="", timeout=2):
                before.append(result.run_id)
        emu.clear_faults()
        named = re.search(r"last_event_id='([^']*)'", str(caught.value))
        assert named is not None, caught.value
        after = [r.run_id for r in group.results(last_event_id=named.group(1))]
        every = {r.run_id for r in group.results(follow=False)}
    assert len(every) == 40 and every <= set(before) | set(after)
