"""Aborting a stream from another thread ends its iteration, for both kinds of stream."""

from __future__ import annotations

import threading
from typing import Callable, Union

import pytest
from parallel_taskgroup import Client, EventStream, ResultStream, TaskGroup
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def busy_group(client: Client) -> TaskGroup:
    group = client.create_group(processor="lite")
    group.add_runs([{"n": i} for i in range(40)])
    return group


def read_until_aborted(stream: Union[EventStream, ResultStream]) -> int:
    """Iterate ``stream``, aborting it from another thread after its first item; the count."""
    seen = 0
    for _ in stream:
        seen += 1
        if seen == 1:
            threading.Thread(target=stream.abort).start()
    return seen


@pytest.mark.parametrize("kind", ["events", "results"])
def test_an_aborted_stream_ends_its_iteration_without_an_error(
    emulator_factory: Callable[..., EmulatorServer], kind: str
) -> None:
    emu = emulator_factory(time_scale=0.2, error_event_rate=0.0)
    with Client(api_key=emu.api_key, base_url=emu.base_url) as client:
        group = busy_group(client)
        stream = group.events() if kind == "events" else group.results()
        with stream:
            seen = read_until_aborted(stream)
        assert seen >= 1
        assert group.refresh().status.is_active  # it ended because it was aborted
