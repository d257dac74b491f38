"""`taskgroup run --overwrite`, `--skip-invalid` and `--limit N`: the library's job edges on
the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import companies, read_results, run_args, run_cli
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def test_overwrite_replaces_a_file_the_job_did_not_write(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("my own notes\n")
    args = run_args(tmp_path, companies(2))
    code, _, err = run_cli(args)
    assert code == 2 and "pass --overwrite to replace it" in err
    assert out.read_text() == "my own notes\n"
    code, _, err = run_cli([*args, "--overwrite"])
    assert code == 0, err
    assert sorted(r["key"] for r in read_results(out)) == ["c0", "c1"]


def test_skip_invalid_leaves_bad_rows_out_and_the_summary_says_where(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    rows: list[Any] = [{"id": "a"}, {"name": "no id"}, {"id": "b"}, {"name": "none either"}]
    code, _, err = run_cli(run_args(tmp_path, rows, "--skip-invalid"))
    assert code == 0, err
    rejects = tmp_path / "out.jsonl.rejects.jsonl"
    assert f"taskgroup: 2 invalid rows left out (--skip-invalid), each with its line and why in " \
           f"{rejects}" in err  # fmt: skip
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [2, 4]
    assert sorted(r["key"] for r in read_results(tmp_path / "out.jsonl")) == ["a", "b"]


def test_without_skip_invalid_a_bad_row_refuses_the_job(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    code, _, err = run_cli(run_args(tmp_path, [{"id": "a"}, {"name": "no id"}]))
    assert code == 2 and "line 2" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_limit_runs_the_first_rows_and_the_rest_needs_add_rows(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, companies(5))
    code, _, err = run_cli([*args, "--limit", "2"])
    assert code == 0, err
    assert sorted(r["key"] for r in read_results(tmp_path / "out.jsonl")) == ["c0", "c1"]
    code, _, err = run_cli(args)
    assert code == 2 and "--add-rows" in err
    code, _, err = run_cli([*args, "--add-rows"])
    assert code == 0, err
    assert len(read_results(tmp_path / "out.jsonl")) == 5


def test_limit_must_be_a_positive_whole_number(tmp_path: Path) -> None:
    code, _, err = run_cli(run_args(tmp_path, companies(2), "--limit", "0"))
    assert code == 2 and "argument --limit: '0' must be at least 1" in err


def test_the_help_of_limit_says_the_rest_needs_add_rows() -> None:
    code, stdout, _ = run_cli(["run", "--help"])
    assert code == 0
    text = " ".join(stdout.split())
    assert "--limit N try the job on the input's first N rows only; a later run without " \
           "--limit needs --add-rows to take the rest" in text  # fmt: skip
