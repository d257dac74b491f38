"""`taskgroup run` end to end against the emulator: one result line per input row."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import EXAMPLES, companies, read_results, write_jsonl
from parallel_taskgroup import Client
from parallel_taskgroup.cli import main
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def group_id_of(results: Path) -> str:
    state = json.loads(Path(str(results) + ".state.json").read_text())
    return str(state["group_id"])


def test_company_example_gives_one_line_per_company_with_schema_output(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    rows = companies(40)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(
        [
            "run", str(src), "--out", str(out), "--key", "id",
            "--task-spec", str(EXAMPLES / "company_task.json"),
        ]
    )  # fmt: skip
    assert code == 0, err
    results = read_results(out)
    assert sorted(r["key"] for r in results) == sorted(r["id"] for r in rows)
    by_key = {r["key"]: r for r in results}
    for row in rows:
        line = by_key[row["id"]]
        assert line["status"] == "completed"
        assert line["input"] == row
        assert set(line["output"]) == {"key_insights", "market_position"}
        assert line["error"] is None


def test_rows_without_key_field_get_derived_keys_and_all_results(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", ["first question", "second question", {"q": 3}])
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--output-text", "an answer"])
    assert code == 0, err
    results = read_results(out)
    assert sorted(json.dumps(r["input"]) for r in results) == sorted(
        json.dumps(v) for v in ["first question", "second question", {"q": 3}]
    )
    assert all(isinstance(r["output"], str) for r in results)


def test_csv_input_and_csv_results(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,company_name\na,Acme\nb,"Bolt, Inc"\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--key", "id"])
    assert code == 0, err
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # Documented columns: the input's, the output, status and error, then key, run_id, group_id,
    # attempts.
    assert rows[0] == [
        "id",
        "company_name",
        "output",
        "status",
        "error",
        "key",
        "run_id",
        "group_id",
        "attempts",
    ]
    assert sorted(r[5] for r in rows[1:]) == ["a", "b"]
    assert {r[1] for r in rows[1:]} == {"Acme", "Bolt, Inc"}


def test_json_array_input(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps(companies(5)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--key", "id"])
    assert code == 0, err
    assert len(read_results(out)) == 5


def test_stdin_input(
    cli_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = "".join(json.dumps(r) + "\n" for r in companies(4)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", "-", "--out", str(out), "--key", "id"])
    assert code == 0, err
    assert sorted(r["key"] for r in read_results(out)) == ["c0", "c1", "c2", "c3"]
    assert [p.name for p in tmp_path.iterdir() if "stdin" in p.name] == []


def test_include_basis_adds_citations(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(3))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--key", "id", "--include-basis"])
    assert code == 0, err
    assert all(isinstance(r["basis"], list) for r in read_results(out))


def test_failed_runs_exit_1_and_the_file_says_which(
    emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(failure_rate=0.5, failure_seed=3)
    monkeypatch.setenv("PARALLEL_API_KEY", emu.api_key)
    monkeypatch.setenv("PARALLEL_BASE_URL", emu.base_url)
    src = write_jsonl(tmp_path / "in.jsonl", companies(30))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--key", "id"])
    results = read_results(out)
    failed = [r for r in results if r["status"] != "completed"]
    assert code == 1, err
    assert len(results) == 30
    assert failed and all(r["error"] and r["error"].get("message") for r in failed)
    assert all(r["output"] is None for r in failed)


def test_running_the_same_command_again_submits_and_writes_nothing_new(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(20))
    out = tmp_path / "out.jsonl"
    args = ["run", str(src), "--out", str(out), "--key", "id"]
    assert run_cli(args)[0] == 0
    before = out.read_bytes()
    code, _, err = run_cli(args)
    assert code == 0, err
    assert out.read_bytes() == before
    with Client() as client:
        assert client.group(group_id_of(out)).refresh().status.num_task_runs == 20


def test_rows_added_to_the_input_are_submitted_with_add_rows(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    rows = companies(12)
    src = write_jsonl(tmp_path / "in.jsonl", rows[:8])
    out = tmp_path / "out.jsonl"
    args = ["run", str(src), "--out", str(out), "--key", "id"]
    assert run_cli(args)[0] == 0
    write_jsonl(src, rows)
    code, _, err = run_cli(args)
    assert code == 2 and "the input rows" in err and "--add-rows" in err
    assert run_cli([*args, "--add-rows"])[0] == 0
    assert sorted(r["key"] for r in read_results(out)) == sorted(r["id"] for r in rows)
    with Client() as client:
        assert client.group(group_id_of(out)).refresh().status.num_task_runs == 12


def test_existing_group_can_be_reused(cli_env: EmulatorServer, tmp_path: Path) -> None:
    with Client() as client:
        group_id = client.create_group().id
    src = write_jsonl(tmp_path / "in.jsonl", companies(3))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", str(src), "--out", str(out), "--key", "id", "--group", group_id])
    assert code == 0, err
    assert group_id_of(out) == group_id


def test_v1beta_paths_work_the_same(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(3))
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(
        ["run", str(src), "--out", str(out), "--key", "id", "--api-version", "v1beta"]
    )
    assert code == 0, err
    assert len(read_results(out)) == 3


def test_quiet_prints_nothing_on_success(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(3))
    code, out, err = run_cli(["run", str(src), "--out", str(tmp_path / "o.jsonl"), "--quiet"])
    assert (code, out, err) == (0, "", "")


def test_progress_without_a_terminal_is_plain_lines(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(3))
    code, _, err = run_cli(["run", str(src), "--out", str(tmp_path / "o.jsonl")])
    assert code == 0
    assert "\r" not in err and "\x1b" not in err
    assert "3/3" in err and "done: 3 completed, 0 failed" in err
