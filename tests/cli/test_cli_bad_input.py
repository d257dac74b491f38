"""Bad input: one clear line, a non-zero exit, nothing submitted, the key never shown."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cli_helpers import companies, write_jsonl
from parallel_taskgroup.cli import main
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

SECRET = "sk-very-secret-key-123"


def run_cli(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return code, err.getvalue()


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    if len(lines) == 2:  # an error after which the same command resumes says so
        assert lines[1].startswith("taskgroup: to resume, run the same command again: "), err
        lines = lines[:1]
    assert len(lines) == 1, err
    assert lines[0].startswith("taskgroup: error: ")
    assert "unexpected error" not in lines[0], "a library error that is not a ParallelError"
    for fragment in fragments:
        assert fragment in lines[0]


def assert_nothing_started(out: Path) -> None:
    assert not out.exists()
    assert not Path(str(out) + ".state.json").exists()


def assert_resumable_before_the_group(out: Path, rows: int) -> None:
    """Nothing sent, and the same command carries on: a placeholder line per row, a state."""
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["status"] for r in records] == ["not_submitted"] * rows
    assert "before its group was created" in records[0]["error"]["message"]
    assert SECRET not in out.read_text() + Path(f"{out}.state.json").read_text()


def test_malformed_jsonl_line_is_named_and_nothing_is_submitted(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a"}\n{"id": "b",}\n{"id": "c"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--key", "id"])
    assert code == 2
    assert_one_error_line(err, "in.jsonl, line 2: invalid JSON")
    assert_nothing_started(out)


def test_csv_missing_the_key_column(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("name,site\nAcme,acme.com\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--key", "id"])
    assert code == 2
    assert_one_error_line(err, "key column 'id' is not in the CSV header", "name, site")
    assert_nothing_started(out)


def test_invalid_schema_file(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "properties": {', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--output-schema", str(schema)])
    assert code == 2
    assert_one_error_line(err, "--output-schema", "schema.json: not valid JSON")
    assert_nothing_started(out)


def test_missing_api_key(
    cli_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARALLEL_API_KEY")
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out)])
    assert code == 2
    assert_one_error_line(err, "no API key", "PARALLEL_API_KEY")
    assert_nothing_started(out)


def test_wrong_api_key_exits_3_without_showing_the_key(
    cli_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", SECRET)
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out)])
    assert code == 3
    assert_one_error_line(err, "authentication failed (HTTP 401)")
    assert SECRET not in err
    assert_resumable_before_the_group(out, 2)  # once the key is fixed


def test_unknown_group(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--group", "tgrp_nope"])
    assert code == 2
    assert_one_error_line(err, "not found (HTTP 404)")
    assert_nothing_started(out)


def test_unknown_group_for_status(cli_env: EmulatorServer) -> None:
    code, err = run_cli(["status", "tgrp_nope"])
    assert code == 2
    assert_one_error_line(err, "not found (HTTP 404)")


def test_unreachable_server_exits_3_after_retries(
    cli_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", SECRET)
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--base-url", "http://127.0.0.1:9"])
    assert code == 3
    assert_one_error_line(err, "cannot reach the server http://127.0.0.1:9")
    assert SECRET not in err
    assert_resumable_before_the_group(out, 2)


def test_a_missing_output_folder_is_created(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "missing" / "deeper" / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "-q"])
    assert code == 0, err
    assert len(out.read_text().splitlines()) == 2


def test_output_path_is_a_directory(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    code, err = run_cli(["run", str(src), "--out", str(tmp_path)])
    assert code == 2
    assert_one_error_line(err, "is a directory")


def test_missing_input_file(cli_env: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(tmp_path / "nope.jsonl"), "--out", str(out)])
    assert code == 2
    assert_one_error_line(err, "nope.jsonl: cannot read input")
    assert_nothing_started(out)


@pytest.mark.parametrize("dry_run", [False, True])
def test_missing_input_file_is_said_before_anything_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", SECRET)
    out = tmp_path / "out.jsonl"
    args = ["run", str(tmp_path / "nope.jsonl"), "--out", str(out)]
    code, err = run_cli(args + (["--dry-run"] if dry_run else []))
    assert code == 2
    assert_one_error_line(err, "nope.jsonl: cannot read input (No such file or directory)")
    assert list(tmp_path.iterdir()) == []  # no results file, state, journal or lock


def test_rows_missing_fields_the_input_schema_requires(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"company_name": "A"}])
    schema = tmp_path / "in_schema.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {"company_name": {}, "company_website": {}},
                "required": ["company_name", "company_website"],
            }
        )
    )
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--input-schema", str(schema)])
    assert code == 2
    assert_one_error_line(err, "line 1: missing field(s)", "company_website")
    assert_nothing_started(out)


def test_results_without_a_state_file_are_not_overwritten_or_mixed(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "out.jsonl"
    out.write_text('{"key": "x", "status": "completed"}\n')
    code, err = run_cli(["run", str(src), "--out", str(out)])
    assert code == 2
    assert_one_error_line(err, "is not a results file of this job", "pass --overwrite")
    assert out.read_text() == '{"key": "x", "status": "completed"}\n'


def test_changing_the_key_field_of_a_started_run_is_refused(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(2))
    out = tmp_path / "out.jsonl"
    assert run_cli(["run", str(src), "--out", str(out), "--key", "id", "-q"])[0] == 0
    code, err = run_cli(["run", str(src), "--out", str(out), "--key", "company_name"])
    assert code == 2
    assert_one_error_line(err, "the key (--key id then, --key company_name now)", "another --out")


def test_unknown_option_is_a_usage_error() -> None:
    code, err = run_cli(["run", "x.jsonl", "--out", "o.jsonl", "--frobnicate"])
    assert code == 2
    assert_one_error_line(err, "unrecognized arguments: --frobnicate")


def test_bad_metadata_is_a_usage_error(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(1))
    out = tmp_path / "out.jsonl"
    code, err = run_cli(["run", str(src), "--out", str(out), "--metadata", "novalue"])
    assert code == 2
    assert_one_error_line(err, "--metadata 'novalue': expected KEY=VALUE")
