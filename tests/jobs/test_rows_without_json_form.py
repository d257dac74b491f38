"""A row JSON can be read from but not written as (NaN, Infinity: Python's JSON reader accepts
them, a request body cannot hold them) is a bad row like any other: refused with its line before
anything is sent, leaving no job files; reported by a dry run; left out with ``skip_invalid``,
its reject holding ``"row": null``."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Callable

import pytest
from job_helpers import group_of, runs_per_key, taskgroup
from parallel_taskgroup import Client, InputError, run_job
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]
ADVICE = "convert such values to str, int, float (not NaN or Infinity), list or dict"


@pytest.fixture
def server(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(time_scale=0.002, rate_limit_per_minute=10**6)


def write(path: Path, number: str) -> None:
    """Three rows, the second's ``a`` the JSON text ``number``."""
    path.write_text(
        '{"id": "b", "a": 1}\n' + f'{{"id": "x", "a": {number}}}\n' + '{"id": "c", "a": 3}\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("number", "key"),
    [("NaN", ["--key", "id"]), ("1e999", ["--key", "id"]), ("-Infinity", [])],
)
def test_a_row_holding_nan_or_infinity_is_refused_with_its_line_leaving_no_job_files(
    server: EmulatorServer, tmp_path: Path, number: str, key: list[str]
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    write(src, number)
    done = taskgroup(["run", str(src), "--out", str(out), *key, "-q"], server)
    assert done.returncode == 2, done.stderr
    assert "1 row cannot be submitted, nothing was sent: line 2" in done.stderr
    assert ADVICE in done.stderr and "unexpected" not in done.stderr
    assert server.requests()["total"] == 0
    # The lock file stays by design (removing it would race the next holder).
    assert {p.name for p in tmp_path.iterdir()} <= {"in.jsonl", "r.jsonl.lock"}


def test_a_dry_run_reports_a_row_holding_nan(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    write(src, "NaN")
    quote = run_job(
        None, str(src), out=str(tmp_path / "r.jsonl"), key="id", processor="lite", dry_run=True
    ).quote
    assert quote is not None
    assert [(p.line, p.key, p.message.endswith(ADVICE)) for p in quote.problems] == [(2, "x", True)]


def test_skip_invalid_leaves_out_a_row_holding_nan_with_a_null_row_and_runs_the_rest(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "r.jsonl"
    write(src, "NaN")
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        report = run_job(
            client, str(src), out=str(out), key="id", processor="lite", skip_invalid=True
        )
    [rejected] = [
        json.loads(line) for line in Path(f"{out}.rejects.jsonl").read_text().splitlines()
    ]
    assert (rejected["line"], rejected["key"], rejected["row"]) == (2, "x", None)
    assert rejected["problem"].endswith(ADVICE)
    assert (report.rows, report.completed) == (2, 2)
    assert sorted(runs_per_key(server, group_of(out))) == ["b", "c"]


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "infinity"])
def test_rows_in_memory_holding_nan_or_infinity_are_refused_by_their_number(
    server: EmulatorServer, tmp_path: Path, value: float
) -> None:
    rows = [{"id": "b", "a": 1}, {"id": "x", "a": value}]
    with (
        Client(api_key=server.api_key, base_url=server.base_url) as client,
        pytest.raises(InputError, match="nothing was sent: line 2 .*not NaN or Infinity"),
    ):
        run_job(client, rows, out=str(tmp_path / "r.jsonl"), key="id", processor="lite")
    assert server.requests()["total"] == 0


def test_rows_in_memory_holding_a_value_json_cannot_carry_are_left_out_with_skip_invalid(
    server: EmulatorServer, tmp_path: Path
) -> None:
    rows = [{"id": "b", "a": 1}, {"id": "x", "a": datetime.date(2020, 1, 1)}]
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        report = run_job(
            client,
            rows,
            out=str(tmp_path / "r.jsonl"),
            key="id",
            processor="lite",
            skip_invalid=True,
        )
    assert report.rows == 1
    rejects = (tmp_path / "r.jsonl.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["key"] for line in rejects] == ["x"]
