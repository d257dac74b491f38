"""`taskgroup status`, `events` and `results` against a group filled by `taskgroup run`."""

from __future__ import annotations

import io
import json
import signal
from pathlib import Path

import pytest
from cli_helpers import companies, read_results, taskgroup_process, write_jsonl
from parallel_taskgroup import Client
from parallel_taskgroup.cli import main
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def finished_group(cli_env: EmulatorServer, tmp_path: Path) -> str:
    src = write_jsonl(tmp_path / "in.jsonl", companies(6))
    out = tmp_path / "run.jsonl"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--key", "id", "-q"])
    assert code == 0, err
    return str(json.loads(Path(str(out) + ".state.json").read_text())["group_id"])


def test_status_prints_a_summary_table(finished_group: str) -> None:
    code, out, _ = run_cli(["status", finished_group])
    assert code == 0
    table = dict(line.split(None, 1) for line in out.strip().splitlines())
    assert table["group"] == finished_group
    assert table["state"] == "idle"
    assert table["runs"] == "6"
    assert table["completed"] == "6"
    assert table["failed"] == "0"


def test_status_json_is_the_group_object(finished_group: str) -> None:
    code, out, _ = run_cli(["status", finished_group, "--json"])
    assert code == 0
    assert json.loads(out)["taskgroup_id"] == finished_group


def test_events_prints_one_json_object_per_event(finished_group: str) -> None:
    code, out, _ = run_cli(["events", finished_group])
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    finished = [e for e in events if e["type"] == "task_run.state" and not e["run"]["is_active"]]
    assert len({e["run"]["run_id"] for e in finished}) == 6


def test_events_with_a_cursor_file_continue_where_they_stopped(
    finished_group: str, tmp_path: Path
) -> None:
    cursor = tmp_path / "cursor.json"
    code, first, _ = run_cli(["events", finished_group, "--cursor-file", str(cursor)])
    assert code == 0 and first
    code, second, _ = run_cli(["events", finished_group, "--cursor-file", str(cursor)])
    assert code == 0
    assert second == ""


def test_events_follow_stops_cleanly_on_ctrl_c(
    finished_group: str, cli_env: EmulatorServer
) -> None:
    proc = taskgroup_process(["events", finished_group, "--follow"], cli_env)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert json.loads(first)["type"]
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_results_writes_every_finished_run_with_input_and_output(
    finished_group: str, tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    code, _, err = run_cli(["results", finished_group, "--out", str(out)])
    assert code == 0, err
    results = read_results(out)
    assert sorted(r["key"] for r in results) == [f"c{i}" for i in range(6)]
    assert all(r["input"]["id"] == r["key"] and r["output"] for r in results)
    code, _, err = run_cli(["results", finished_group, "--out", str(out)])
    assert code == 0
    assert "wrote 0 new result lines" in err
    assert len(read_results(out)) == 6


def test_results_wait_follows_an_active_group(cli_env: EmulatorServer, tmp_path: Path) -> None:
    with Client() as client:
        group = client.create_group()
        group.add_runs(["a", "b", "c"], processor="base")
    out = tmp_path / "results.csv"
    code, _, err = run_cli(["results", group.id, "--out", str(out), "--wait"])
    assert code == 0, err
    assert len(out.read_text().splitlines()) == 4  # header and three runs
