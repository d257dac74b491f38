"""The job a careful user trusts with money: an exact quote with no request, a budget that stops
submission at the right batch, a credit shortfall then a top-up, retry of failed rows, one line
per row however the job ends, and tabular results."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable

import pyarrow.parquet as pq
import pytest
from job_helpers import (
    assert_one_run_and_one_line_per_row,
    group_of,
    result_keys,
    runs_per_key,
    taskgroup,
    write_rows,
)
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]

OUTPUT_SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}, "score": {"type": "number"}},
    "required": ["summary", "score"],
}


@pytest.fixture
def server(emulator_factory: Factory) -> EmulatorServer:
    return emulator_factory(time_scale=0.002)


def lines(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.read_text().splitlines()]


# -- the quote -------------------------------------------------------------------------------


def test_a_dry_run_quotes_the_job_without_any_request(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, 2500)
    args = ["run", str(src), "--out", str(out), "--key", "id", "--processor", "pro", "--dry-run"]
    args.append("--yes")  # $250 is above --confirm-above: without it the real run would refuse
    done = taskgroup([*args, "--base-url", "http://127.0.0.1:9"], server)  # nothing listens
    assert done.returncode == 0, done.stderr
    assert "rows:        2,500" in done.stdout
    assert "$250.00" in done.stdout  # 2,500 runs at $100 per 1,000
    assert "3 add-runs POSTs" in done.stdout
    assert not out.exists() and not Path(f"{out}.state.json").exists()


def test_a_dry_run_lists_every_bad_row_and_exits_2(server: EmulatorServer, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [{"id": f"r{i}", "q": "x"} for i in range(10)]
    rows[3]["q"] = "y" * 25_001
    rows[7]["id"] = "r1"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = taskgroup(
        ["run", str(src), "--out", str(tmp_path / "o.jsonl"), "--key", "id", "--dry-run"],
        server,
    )
    assert done.returncode == 2
    assert "2 rows would be refused" in done.stdout
    assert "line 4 (key 'r3'): task spec + input" in done.stdout
    assert "line 8 (key 'r1'): duplicate key (first on line 2)" in done.stdout


def test_oversized_rows_are_refused_before_any_request_with_every_row_named(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": f"r{i}", "q": "x"} for i in range(30)]
    for i in (2, 11, 29):
        rows[i]["q"] = "z" * 30_000
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = taskgroup(["run", str(src), "--out", str(out), "--key", "id", "-q"], server)
    assert done.returncode == 2
    for key, line in (("r2", 3), ("r11", 12), ("r29", 30)):
        assert f"line {line} (key '{key}')" in done.stderr
    assert "nothing was sent" in done.stderr
    assert not Path(f"{out}.state.json").exists()


def test_an_unknown_processor_is_one_usage_line_before_any_group(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src = tmp_path / "in.jsonl"
    write_rows(src, 5)
    done = taskgroup(
        ["run", str(src), "--out", str(tmp_path / "o.jsonl"), "--processor", "turbo"], server
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "unknown processor 'turbo' (lite, base" in done.stderr


# -- confirmation --------------------------------------------------------------------------------


def test_without_a_terminal_a_costly_job_is_refused_unless_confirmed(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, 300)
    args = ["run", str(src), "--out", str(out), "--key", "id", "--processor", "pro"]  # $30
    quoted = taskgroup([*args, "--dry-run"], server)
    assert quoted.returncode == 2  # the real run's first exit code
    assert "the real run would refuse" in quoted.stderr and "pass --yes" in quoted.stderr
    done = taskgroup(args, server)
    assert done.returncode == 2
    assert "pass --yes" in done.stderr and "--max-cost" in done.stderr
    assert not Path(f"{out}.state.json").exists()
    assert taskgroup([*args, "--max-cost", "40", "-q"], server).returncode == 0


# -- the budget ----------------------------------------------------------------------------------


def test_a_budget_stops_at_the_right_batch_and_a_higher_one_finishes_the_job(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 2500)
    args = ["run", str(src), "--out", str(out), "--key", "id", "--processor", "lite"]
    done = taskgroup([*args, "--max-cost", "11"], server)  # $5 per 1,000: two batches fit
    assert done.returncode == 5, done.stderr
    assert "$10.00" in done.stderr and "500 rows are not sent" in done.stderr
    assert "higher --max-cost ($12.50 lets it send every row left)" in done.stderr
    assert sum(runs_per_key(server, group_of(out)).values()) == 2000
    statuses = [r["status"] for r in lines(out)]
    assert len(statuses) == 2500  # one line per row, however the job ends
    assert statuses.count("not_submitted") == 500
    done = taskgroup([*args, "--max-cost", "12.50", "-q"], server)  # the cap the hint gave
    assert done.returncode == 0, done.stderr
    assert_one_run_and_one_line_per_row(server, out, rows)


# -- credit (402) --------------------------------------------------------------------------------


def test_a_credit_shortfall_stops_then_a_top_up_finishes_with_one_run_per_row(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.002, credit=1500)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 2500)
    args = ["run", str(src), "--out", str(out), "--key", "id", "--processor", "lite"]
    done = taskgroup(args, server)
    assert done.returncode == 4, done.stderr
    assert "not enough credit" in done.stderr and "after topping up" in done.stderr
    assert "1,000 of 2,500 rows are in group" in done.stderr and "1,500 are not" in done.stderr
    assert len(lines(out)) == 2500
    server.set_credit(10_000)
    done = taskgroup([*args, "-q"], server)
    assert done.returncode == 0, done.stderr
    assert_one_run_and_one_line_per_row(server, out, rows)


# -- retrying failed rows ------------------------------------------------------------------------


def test_retrying_failed_rows_completes_every_row_and_keeps_earlier_attempts(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    db = tmp_path / "emulator.db"
    server = emulator_factory(time_scale=0.002, failure_rate=0.3, failure_seed=4, db_path=str(db))
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = write_rows(src, 200)
    args = ["run", str(src), "--out", str(out), "--key", "id", "-q"]
    assert taskgroup(args, server).returncode == 1
    failed = {r["key"] for r in lines(out) if r["status"] == "failed"}
    assert 20 < len(failed) < 120
    server.stop()
    server.failure_rate = 0.0
    server.start()
    done = taskgroup([*args, "--retry", "failed"], server)
    assert done.returncode == 0, done.stderr
    records = lines(out)
    assert sorted(r["key"] for r in records) == sorted(r["id"] for r in rows)
    assert all(r["status"] == "completed" for r in records)
    for record in records:
        attempts = record.get("attempts") or []
        assert (record["key"] in failed) == bool(attempts)
        assert all(a["status"] == "failed" and a["run_id"] for a in attempts)
    assert sum(runs_per_key(server, group_of(out)).values()) == len(rows) + len(failed)


def test_retry_can_escalate_to_another_processor(emulator_factory: Factory, tmp_path: Path) -> None:
    server = emulator_factory(time_scale=0.002)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": f"r{i}", "q": "__fail__" if i < 3 else "fine"} for i in range(10)]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["run", str(src), "--out", str(out), "--key", "id", "-q"]
    assert taskgroup(args, server).returncode == 1
    done = taskgroup([*args[:-1], "--retry", "failed", "--processor", "core", "-q"], server)
    assert done.returncode == 1  # the marker fails every attempt; the retry still happened
    retried = [r for r in lines(out) if r.get("attempts")]
    assert len(retried) == 3
    assert all(a["processor"] == "base" for r in retried for a in r["attempts"])  # type: ignore[union-attr]
    assert result_keys(out).most_common(1)[0][1] == 1


def test_a_retry_of_failed_rows_stopped_by_its_budget_is_finished_not_restarted(
    server: EmulatorServer, tmp_path: Path
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    rows = [{"id": f"r{i}", "q": "__fail__"} for i in range(2000)]  # every run fails
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ["run", str(src), "--out", str(out), "--key", "id", "--processor", "lite", "-q"]
    assert taskgroup([*args, "--max-cost", "10"], server).returncode == 1  # $10: 2,000 runs
    retry = [*args, "--retry", "failed"]
    done = taskgroup([*retry, "--max-cost", "15"], server)  # room for 1,000 of the 2,000
    assert done.returncode == 5, done.stderr
    assert "1,000 rows are not sent" in done.stderr
    done = taskgroup([*retry, "--max-cost", "20"], server)  # the other 1,000 only
    assert done.returncode == 1, done.stderr  # the marker fails the retries too
    assert sorted(runs_per_key(server, group_of(out)).values()) == [2] * 2000
    assert len(lines(out)) == 2000
    done = taskgroup([*retry, "--max-cost", "30"], server)  # a finished retry: a new one
    assert done.returncode == 1, done.stderr
    assert sorted(runs_per_key(server, group_of(out)).values()) == [3] * 2000


# -- tabular results -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_tabular_results_have_the_documented_columns(
    server: EmulatorServer, tmp_path: Path, suffix: str
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / f"out.{suffix}"
    write_rows(src, 20)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(OUTPUT_SCHEMA))
    done = taskgroup(
        ["run", str(src), "--out", str(out), "--key", "id", "-q", "--include-basis"]
        + ["--output-schema", str(schema)],
        server,
    )
    assert done.returncode == 0, done.stderr
    expected = ["id", "name", "output.summary", "output.score"]
    expected += ["basis.summary.confidence", "basis.summary.citations"]
    expected += ["basis.score.confidence", "basis.score.citations"]
    expected += ["status", "error", "key", "run_id", "group_id", "attempts"]
    if suffix == "csv":
        with out.open(newline="", encoding="utf-8") as handle:
            table = list(csv.DictReader(handle))
        assert list(table[0]) == expected
        assert len(table) == 20 and {r["status"] for r in table} == {"completed"}
        cited = [json.loads(r["basis.summary.citations"]) for r in table]
        # The emulator leaves some fields (mostly low confidence) uncited, as the contract allows.
        assert all(isinstance(urls, list) for urls in cited) and any(cited)
    else:
        parquet = pq.read_table(out)
        assert parquet.column_names == expected and parquet.num_rows == 20
        assert str(parquet.schema.field("output.score").type) == "double"
