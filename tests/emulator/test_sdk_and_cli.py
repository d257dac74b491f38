"""The official parallel-web SDK and the command line against the emulator."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from parallel import Parallel
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def _task_groups(client: Parallel) -> Any:
    beta = getattr(client, "beta", None)
    return getattr(beta, "task_group", None) or client.task_group


def test_official_sdk_creates_adds_waits_and_reads_outputs(server: EmulatorServer) -> None:
    client = Parallel(api_key=server.api_key, base_url=server.base_url, max_retries=0)
    groups = _task_groups(client)
    group = groups.create(metadata={"suite": "sdk"})
    spec = {
        "output_schema": {
            "type": "json",
            "json_schema": {"type": "object", "properties": {"ceo": {"type": "string"}}},
        }
    }
    added = groups.add_runs(
        group.taskgroup_id,
        inputs=[{"input": {"company": name}, "processor": "lite"} for name in ("Acme", "Globex")],
        default_task_spec=spec,
    )
    assert len(added.run_ids) == 2
    for event in groups.events(group.taskgroup_id):
        assert event.type in ("task_group_status", "task_run.state")
    assert groups.retrieve(group.taskgroup_id).status.is_active is False
    events = list(groups.get_runs(group.taskgroup_id, include_input=True, include_output=True))
    assert sorted(e.run.run_id for e in events) == sorted(added.run_ids)
    assert all(e.run.status == "completed" and "ceo" in e.output.content for e in events)
    run = client.task_run.retrieve(added.run_ids[0])
    assert run.status == "completed"


def test_cli_prints_the_actual_port_for_port_zero_and_stops_cleanly() -> None:
    with EmulatorServer() as emu:
        assert emu.port > 0 and emu.base_url == f"http://127.0.0.1:{emu.port}"


def test_cli_rejects_bad_settings_with_a_clear_message(tmp_path: Any) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "taskgroup_emulator",
            "--port",
            "0",
            "--time-scale",
            "0",
            "--db",
            str(tmp_path / "x.db"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--time-scale must be > 0" in result.stderr
