"""A round trip through the wrapper's public API on the generated client, against the emulator:
create a group, add runs, follow their results, read a snapshot and one run's input and result.
tools/spec_drill.py runs it after regenerating from a changed spec, with no hand edit."""

from __future__ import annotations

import pytest
from parallel_taskgroup import Client
from parallel_taskgroup_api.models import TaskRunInput, TaskRunJsonOutput, TaskRunTextOutput
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def test_create_add_follow_and_read_back(emulator: EmulatorServer) -> None:
    rows = [f"Which company makes product {i}?" for i in range(5)]
    with Client(api_key=emulator.api_key, base_url=emulator.base_url, max_backoff=0.2) as client:
        group = client.create_group(metadata={"suite": "round-trip"}, processor="lite")
        report = group.add_runs(rows)
        assert len(report.run_ids) == len(rows)
        results = list(group.results(timeout=60))
        assert len(results) == len(rows) and all(r.ok for r in results)
        assert all(isinstance(r.output, (TaskRunJsonOutput, TaskRunTextOutput)) for r in results)
        snapshot = list(group.results(follow=False, include_input=True))
        assert sorted(r.run_id for r in snapshot) == sorted(r.run_id for r in results)
        assert all(isinstance(r.input, TaskRunInput) for r in snapshot)
        run_id = results[0].run_id
        assert client.get_input(run_id).input_ in rows
        assert client.get_result(run_id).run.run_id == run_id
        assert group.refresh().status.is_active is False
