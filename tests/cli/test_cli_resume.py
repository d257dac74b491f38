"""A run stopped midway (Ctrl-C, SIGTERM, SIGKILL) and run again: every row exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest
from cli_helpers import companies, read_results, taskgroup_process, write_jsonl
from parallel_taskgroup import Client
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

ROWS = 300


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"taskgroup exited early: {proc.communicate()}")
        time.sleep(0.02)


def result_lines(out: Path) -> int:
    return out.read_bytes().count(b"\n") if out.exists() else 0


def assert_each_row_exactly_once(out: Path, rows: list[dict[str, Any]], server: Any) -> None:
    results = read_results(out)
    keys = [r["key"] for r in results]
    assert len(keys) == len(set(keys)), "a result line was written twice"
    assert sorted(keys) == sorted(r["id"] for r in rows), "a row is missing"
    by_key = {r["id"]: r for r in rows}
    for line in results:
        assert line["input"] == by_key[line["key"]]
        assert line["status"] == "completed"
    state = json.loads(Path(str(out) + ".state.json").read_text())
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        runs = client.group(state["group_id"]).refresh().status.num_task_runs
    assert runs == len(rows), "a row was submitted twice"


@pytest.fixture
def slow_emulator(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    # Slow enough that results trickle in over a few seconds.
    return emulator_factory(time_scale=0.05)


def start_run(src: Path, out: Path, server: EmulatorServer) -> subprocess.Popen[str]:
    return taskgroup_process(["run", str(src), "--out", str(out), "--key", "id"], server)


def finish_run(src: Path, out: Path, server: EmulatorServer) -> None:
    proc = start_run(src, out, server)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_says_how_to_resume_and_resumes(
    slow_emulator: EmulatorServer, tmp_path: Path, sig: signal.Signals
) -> None:
    rows = companies(ROWS)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    proc = start_run(src, out, slow_emulator)
    wait_for(lambda: result_lines(out) >= 5, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "to resume, run the same command again: taskgroup run" in err
    statuses = Counter(json.loads(line)["status"] for line in out.read_text().splitlines())
    assert sum(statuses.values()) == ROWS  # one line per row, on this exit too
    assert statuses["completed"] < ROWS  # it stopped before the end
    finish_run(src, out, slow_emulator)
    assert_each_row_exactly_once(out, rows, slow_emulator)


def test_killed_while_results_arrive_then_resumed(
    slow_emulator: EmulatorServer, tmp_path: Path
) -> None:
    rows = companies(ROWS)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    proc = start_run(src, out, slow_emulator)
    wait_for(lambda: result_lines(out) >= 5, proc)
    proc.kill()
    proc.communicate(timeout=30)
    with out.open("ab") as handle:  # as if the kill had landed in the middle of a write
        handle.write(b'{"key": "c1", "status": "compl')
    finish_run(src, out, slow_emulator)
    assert_each_row_exactly_once(out, rows, slow_emulator)


def test_killed_during_submission_then_resumed_submits_each_row_once(
    slow_emulator: EmulatorServer, tmp_path: Path
) -> None:
    rows = companies(ROWS)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    proc = taskgroup_process(
        ["run", str(src), "--out", str(out), "--key", "id", "--rate-per-minute", "100000"],
        slow_emulator,
    )
    state = Path(str(out) + ".state.json")
    wait_for(state.exists, proc)
    proc.kill()
    proc.communicate(timeout=30)
    finish_run(src, out, slow_emulator)
    assert_each_row_exactly_once(out, rows, slow_emulator)
