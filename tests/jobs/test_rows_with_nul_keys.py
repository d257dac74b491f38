"""A row whose key holds NUL (which joins a key and its attempt in what a job creates once) is a
bad row like any other: refused with its line before anything is sent, reported by a dry run,
left out with ``skip_invalid``; never a job that stops or a result that goes missing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from job_helpers import group_of, runs_per_key, taskgroup
from parallel_taskgroup import Client, RowError, run_job
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]
REFUSED = "the key field 'id' holds a NUL character (\\x00), which row keys cannot contain"


@pytest.fixture
def server(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(time_scale=0.002, rate_limit_per_minute=10**6)


def write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


# The second row's key read as an identity would be key "a" at attempt 2.
ROWS = [{"id": "b", "v": 1}, {"id": "a\x002", "v": 2}, {"id": "c", "v": 3}]


def test_a_row_whose_key_holds_nul_is_refused_with_its_line_and_nothing_is_sent(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    write(src, ROWS)
    done = taskgroup(["run", str(src), "--out", str(out), "--key", "id", "-q"], server)
    assert done.returncode == 2, done.stderr
    assert f"nothing was sent: line 2: {REFUSED}" in done.stderr
    assert server.requests()["total"] == 0


def test_a_dry_run_reports_a_row_whose_key_holds_nul(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write(src, ROWS)
    quote = run_job(
        None, str(src), out=str(tmp_path / "r.jsonl"), key="id", processor="lite", dry_run=True
    ).quote
    assert quote is not None
    assert [(p.line, p.message[: len(REFUSED)]) for p in quote.problems] == [(2, REFUSED)]


def test_skip_invalid_leaves_out_a_row_whose_key_holds_nul_and_runs_the_rest(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    write(src, ROWS)
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        report = run_job(
            client, str(src), out=str(out), key="id", processor="lite", skip_invalid=True
        )
    [rejected] = [
        json.loads(line) for line in Path(f"{out}.rejects.jsonl").read_text().splitlines()
    ]
    assert (rejected["line"], rejected["row"]) == (2, ROWS[1])
    assert rejected["problem"].startswith(REFUSED)
    assert (report.rows, report.completed) == (2, 2)
    assert sorted(runs_per_key(server, group_of(out))) == ["b", "c"]


def test_add_runs_refuses_a_row_whose_key_holds_nul_before_sending_its_batch(
    server: EmulatorServer,
) -> None:
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        group = client.create_group(processor="lite")
        with pytest.raises(RowError, match=re.escape(f"row at index 1: {REFUSED}")):
            group.add_runs(ROWS, key="id")
    assert "add_runs" not in server.requests()["by_operation"]
