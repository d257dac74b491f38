"""What a job reads to collect its results: when runs finish far out of the order they were
added, its bulk reads of the group are paced by how much they read, so all of them together
read a bounded multiple of its rows, however long the runs take."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import httpx
import pytest
from job_helpers import RunsReads, runs_per_key
from parallel_taskgroup import Client, run_job
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def runs_in(body: bytes) -> int:
    """The runs one read of a group's runs delivered."""
    frames = body.replace(b"\r\n", b"\n").split(b"\n\n")
    return sum(b'"task_run.state"' in frame for frame in frames)


def test_a_job_whose_runs_finish_out_of_order_reads_its_group_at_most_four_times_its_rows(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    # Lite runs take 1-6 s here, in no particular order: the group is read again and again.
    server = emulator_factory(time_scale=0.1, rate_limit_per_minute=10**6)
    rows = [{"id": f"r{i}", "name": f"Company {i}"} for i in range(2000)]
    reads: list[int] = []

    def count(body: bytes) -> bytes:
        reads.append(runs_in(body))
        return body

    http = httpx.Client(transport=RunsReads(count))
    with Client(api_key=server.api_key, base_url=server.base_url, http_client=http) as client:
        report = run_job(client, rows, out=str(tmp_path / "r.jsonl"), key="id", processor="lite")
    assert report.completed == 2000
    assert sum(runs_per_key(server, report.group_id).values()) == 2000
    assert 0 < sum(reads) <= 4 * 2000, reads
