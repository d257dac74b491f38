"""`taskgroup run --json`: one JSON summary on stdout (and nothing else there) on every exit;
with `--dry-run`, the quote."""

from __future__ import annotations

import json
import resource
import shlex
import signal
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from cli_helpers import (
    add_second_run,
    companies,
    group_of,
    run_args,
    run_cli,
    taskgroup_process,
)
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Factory = Callable[..., EmulatorServer]


def summary(stdout: str) -> dict[str, Any]:
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    record: dict[str, Any] = json.loads(lines[0])
    return record


def use(server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", server.api_key)
    monkeypatch.setenv("PARALLEL_BASE_URL", server.base_url)


def test_a_completed_run_prints_its_summary_and_nothing_else_on_stdout(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, companies(3), "--json")
    code, stdout, stderr = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 0, stderr
    assert record["group_id"] == group_of(tmp_path / "out.jsonl")
    assert {k: record[k] for k in ("rows", "completed", "failed", "not_submitted")} == {
        "rows": 3,
        "completed": 3,
        "failed": 0,
        "not_submitted": 0,
    }
    assert record["spent_usd"] == pytest.approx(0.03)
    assert record["out"] == str(tmp_path / "out.jsonl")
    assert (record["error"], record["resume"], record["duplicate_rows"]) == (None, None, 0)
    assert "done: 3 completed" in stderr  # the messages stay on stderr


def test_failed_rows_give_the_retry_command_to_resume(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    rows = companies(3)
    rows[1]["company_name"] = "__fail__"  # the emulator fails a run whose input has it
    args = run_args(tmp_path, rows, "--json")
    code, stdout, _ = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 1
    assert (record["completed"], record["failed"]) == (2, 1)
    assert record["resume"] == shlex.join(["taskgroup", *args, "--retry", "failed"])


def test_a_usage_error_gives_the_error_and_nothing_to_resume(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = ["run", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o.jsonl"), "--json"]
    code, stdout, stderr = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 2
    assert record["error"]["type"] == "UsageError"
    assert "missing.jsonl: cannot read input" in record["error"]["message"]
    assert record["resume"] is None and record["rows"] is None
    assert "taskgroup: error: " in stderr  # errors still go to stderr


def test_a_command_line_error_still_gives_a_summary(tmp_path: Path) -> None:
    code, stdout, _ = run_cli(["run", "in.jsonl", "--out", "o.jsonl", "--json", "--nope"])
    record = summary(stdout)
    assert code == record["exit_code"] == 2
    assert "unrecognized arguments: --nope" in record["error"]["message"]


def test_an_api_error_says_what_the_files_know_and_the_same_command(
    cli_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", "wrong-key")
    args = run_args(tmp_path, companies(2), "--json")
    code, stdout, _ = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 3
    assert record["error"]["type"] == "AuthenticationError"
    assert (record["group_id"], record["rows"], record["not_submitted"]) == (None, 2, 2)
    assert record["resume"] == shlex.join(["taskgroup", *args])


def test_a_credit_shortfall_gives_the_group_and_the_same_command(
    emulator_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(emulator_factory(credit=1), monkeypatch)
    args = run_args(tmp_path, companies(3), "--json")
    code, stdout, _ = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 4
    assert record["error"]["type"] == "PaymentRequiredError"
    assert record["group_id"] == group_of(tmp_path / "out.jsonl")
    assert (record["rows"], record["not_submitted"]) == (3, 3)
    assert record["spent_usd"] == 0 and record["duplicate_rows"] == 0
    assert record["resume"] == shlex.join(["taskgroup", *args])


def test_a_budget_stop_gives_the_counts_and_the_command(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, companies(3), "--max-cost", "0.01", "--json")
    code, stdout, _ = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 5
    assert record["error"]["type"] == "BudgetExceededError"
    assert "--max-cost" in record["error"]["message"]
    assert (record["rows"], record["not_submitted"]) == (3, 3)
    assert record["spent_usd"] == 0 and record["duplicate_rows"] == 0
    without_cap = [a for a in args if a not in ("--max-cost", "0.01")]
    price = record["error"]["message"].split("$")[1].split(")")[0]  # the next batch's
    assert record["resume"] == shlex.join(["taskgroup", *without_cap, "--max-cost", price])


def test_a_full_disk_gives_the_io_error_and_the_same_command(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, [{"id": f"r{i}", "text": "x" * 500} for i in range(400)], "--json")

    def small_disk() -> None:  # every file the job writes may grow this large only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    proc = taskgroup_process([*args, "-q"], cli_env, preexec_fn=small_disk)
    stdout, stderr = proc.communicate(timeout=60)
    record = summary(stdout)
    assert proc.returncode == record["exit_code"] == 6, stderr
    assert record["resume"] == shlex.join(["taskgroup", *args, "-q"])


def test_a_second_run_of_a_row_is_listed_with_exit_7(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, companies(4), "--json")
    assert run_cli(args)[0] == 0
    group = group_of(tmp_path / "out.jsonl")
    add_second_run(cli_env, group, "c2")
    code, stdout, _ = run_cli(args)
    record = summary(stdout)
    assert code == record["exit_code"] == 7
    assert (record["duplicate_rows"], record["extra_runs"]) == (1, 1)
    assert [d["key"] for d in record["duplicates"]] == ["c2"]
    assert record["resume"] is None


def test_an_interrupted_run_gives_its_report_and_the_same_command(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.05)
    args = run_args(tmp_path, companies(100), "--json")
    out = tmp_path / "out.jsonl"
    proc = taskgroup_process(args, server)
    while not out.exists() or not out.read_text().count("\n"):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    record = summary(stdout)
    assert proc.returncode == record["exit_code"] == 130, stderr
    assert record["error"]["type"] == "JobInterruptedError"
    assert record["rows"] == 100 and record["completed"] < 100
    assert record["group_id"] == group_of(out)
    assert record["resume"] == shlex.join(["taskgroup", *args])


def test_a_dry_run_prints_the_quote_with_every_field(tmp_path: Path) -> None:
    code, stdout, _ = run_cli(run_args(tmp_path, companies(3), "--dry-run", "--json"))
    record = summary(stdout)
    assert code == record["exit_code"] == 0
    assert record["dry_run"] is True and record["accepted"] is True
    expected = {"rows": 3, "to_submit": 3, "new": 3, "posts": 1, "processor": "base"}
    assert {k: record[k] for k in expected} == expected
    fields = {"price_per_run", "cost_usd", "spent_usd", "min_submit_seconds", "price_source"}
    fields |= {"problems", "problem_count", "retried", "unfinished", "rejected", "within_budget"}
    assert fields <= set(record) and "stops_at_budget" in record


def test_a_dry_run_lists_each_problem_with_its_line_and_key(tmp_path: Path) -> None:
    rows: list[Any] = [{"id": "a"}, {"name": "no id"}, {"id": "a"}]
    code, stdout, _ = run_cli(run_args(tmp_path, rows, "--dry-run", "--json"))
    record = summary(stdout)
    assert code == record["exit_code"] == 2
    assert record["accepted"] is False and record["problem_count"] == 2
    assert [p["line"] for p in record["problems"]] == [2, 3]
    assert all(set(p) == {"line", "key", "message"} for p in record["problems"])
