"""The README's exit-code table, where no other test holds it: after 3 the same command goes
on, and 7 (done, but a row has a second run in the group) leaves one line per row too.
(0, 1, 2 and 130: test_cli_run, test_cli_bad_input, test_cli_resume; 4, 5, 6 and 7's count:
tests/jobs; every code's --json summary: test_cli_json.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import add_second_run, companies, group_of, read_results, run_cli, write_jsonl
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def test_after_exit_3_the_same_command_finishes_the_job(
    cli_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(3))
    out = tmp_path / "out.jsonl"
    args = ["run", src, "--out", out, "--key", "id"]
    monkeypatch.setenv("PARALLEL_API_KEY", "a-wrong-key")
    code, _, err = run_cli(args)
    assert code == 3 and "to resume, run the same command again" in err
    assert [r["status"] for r in read_results(out)] == ["not_submitted"] * 3
    monkeypatch.setenv("PARALLEL_API_KEY", cli_env.api_key)
    code, _, err = run_cli(args)
    assert code == 0, err
    assert sorted((r["key"], r["status"]) for r in read_results(out)) == [
        ("c0", "completed"),
        ("c1", "completed"),
        ("c2", "completed"),
    ]


def test_exit_7_leaves_one_line_per_row(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", companies(4))
    out = tmp_path / "out.jsonl"
    args = ["run", src, "--out", out, "--key", "id", "-q"]
    assert run_cli(args)[0] == 0
    add_second_run(cli_env, group_of(out), "c1")
    code, _, err = run_cli(args)
    assert code == 7, err
    assert "c1" in err
    assert sorted(r["key"] for r in read_results(out)) == ["c0", "c1", "c2", "c3"]
