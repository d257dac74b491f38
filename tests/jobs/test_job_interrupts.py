"""Stopping a job, and what the next session finds: the POST in flight finishes and is
recorded on the first Ctrl-C, a third one exits at once, a rerun waits for a POST that may still
land (only what is left of that wait), and a row with two runs in the group is reported."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from job_helpers import (
    assert_one_run_and_one_line_per_row,
    group_of,
    runs_per_key,
    start,
    taskgroup,
    write_rows,
)
from parallel_taskgroup import Client, run_job
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]
SUBMIT = ["--submit-timeout", "4"]


@pytest.fixture
def wire(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(time_scale=0.002, wire_faults=True)


def args(src: Path, out: Path, *extra: str) -> list[str]:
    return ["run", str(src), "--out", str(out), "--key", "id", "-q", *SUBMIT, *extra]


def held(server: EmulatorServer) -> int:
    return int(server.faults()["wire_injected"]["hold_post"])


def pending_batches(out: Path) -> int:
    with sqlite3.connect(f"{out}.journal") as db:
        return int(db.execute("SELECT COUNT(*) FROM pending_batch").fetchone()[0])


def wait_until(what: Callable[[], bool], timeout: float = 30.0) -> None:
    ends = time.monotonic() + timeout
    while not what():
        assert time.monotonic() < ends, "timed out"
        time.sleep(0.02)


def held_while_running(
    wire: EmulatorServer, tmp_path: Path, hold: float
) -> tuple[Path, Path, list[dict[str, Any]], subprocess.Popen[str]]:
    """A job of 300 rows whose one add-runs POST is being held on the wire right now."""
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 300)
    wire.set_faults(wire_hold_next_posts=1, wire_hold_seconds=hold)
    proc = start(args(src, out), wire)
    wait_until(lambda: held(wire) == 1)
    return src, out, rows, proc


def test_the_first_ctrl_c_lets_the_post_in_flight_finish_and_records_it(
    wire: EmulatorServer, tmp_path: Path
) -> None:
    src, out, rows, proc = held_while_running(wire, tmp_path, hold=1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert pending_batches(out) == 0  # its outcome was recorded: nothing to settle next time
    assert sum(runs_per_key(wire, group_of(out)).values()) == 300  # the POST was not abandoned
    assert len(out.read_text().splitlines()) == len(rows)
    started = time.monotonic()
    done = taskgroup(args(src, out), wire)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 4  # no request of unknown outcome to wait for
    assert_one_run_and_one_line_per_row(wire, out, rows)


def test_a_third_ctrl_c_exits_at_once_and_the_next_run_settles_what_was_in_flight(
    wire: EmulatorServer, tmp_path: Path
) -> None:
    src, out, rows, proc = held_while_running(wire, tmp_path, hold=3.0)
    assert proc.stderr is not None
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    said = iter(proc.stderr.readline, "")
    assert any("still stopping" in line for line in said)  # the second press only says so
    proc.send_signal(signal.SIGINT)
    asked = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and time.monotonic() - asked < 2.0
    assert "quit at once" in err
    assert pending_batches(out) == 1  # in flight when the process left
    done = taskgroup(args(src, out), wire)  # at once: the held POST has not landed yet
    assert done.returncode == 0, done.stderr
    assert_one_run_and_one_line_per_row(wire, out, rows)


def test_a_rerun_waits_for_a_post_of_unknown_outcome_only_what_is_left_of_its_wait(
    wire: EmulatorServer, tmp_path: Path
) -> None:
    src, out, rows, proc = held_while_running(wire, tmp_path, hold=3.0)
    proc.kill()
    proc.communicate()
    sent = time.monotonic()
    verbose = ["run", str(src), "--out", str(out), "--key", "id", "-v", *SUBMIT]
    second = start(verbose, wire)  # killed too, mid-wait
    time.sleep(2.0)
    second.kill()
    _, err = second.communicate()
    assert "waiting" in err and "for a request an earlier run sent, so no row is sent twice" in err
    done = taskgroup(args(src, out), wire)
    # The POST left at `sent` (within a few ms) and settles 4 + 4 s later: the third run waits
    # what is left of that, not 8 s more.
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - sent < 8 + 3
    assert_one_run_and_one_line_per_row(wire, out, rows)


def test_a_row_with_a_second_run_in_the_group_is_reported_counted_and_exits_7(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.002)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, 20)
    assert taskgroup(args(src, out), server).returncode == 0
    group_id = group_of(out)
    extra = {"input": "again", "processor": "base", "metadata": {"row_key": "r3"}}
    httpx.post(
        f"{server.base_url}/v1/tasks/groups/{group_id}/runs",
        json={"inputs": [extra]},
        headers={"x-api-key": server.api_key},
    ).raise_for_status()
    done = taskgroup(args(src, out), server)
    assert done.returncode == 7, done.stderr
    assert "holds more than one run for 1 row " in done.stderr and "r3" in done.stderr
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        report = run_job(client, str(src), out=str(out), key="id")
    assert report.duplicate_rows == 1 and report.extra_runs == 1
    assert report.spent_usd == pytest.approx(21 * 0.01)  # base: $10 per 1,000 runs, 21 runs
    assert len(json.loads(json.dumps(report.duplicates))) == 1
