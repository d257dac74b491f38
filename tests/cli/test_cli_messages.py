"""Messages that point the right way: each says what is wrong and what to do, and no count
reads "1 rows"."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import companies, group_of, run_args, run_cli
from parallel_taskgroup.cli.errors import next_command
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

_ONE_PLURAL = re.compile(r"(?<![\d,.])1 (rows|runs|lines|POSTs|add-runs POSTs|invalid rows)\b")


def test_a_base_url_with_a_path_says_the_api_is_not_there(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    base = f"{cli_env.base_url}/api"
    code, _, err = run_cli(run_args(tmp_path, companies(2), "--base-url", base))
    assert code == 2
    assert f"the API was not found at {base}" in err and "check --base-url" in err
    assert "with no path, e.g. https://api.parallel.ai" in err
    assert "group id" not in err


def test_an_unknown_group_still_says_to_check_the_group_id(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    code, _, err = run_cli(run_args(tmp_path, companies(2), "--group", "tgrp_nope"))
    assert code == 2
    assert "not found (HTTP 404)" in err and "check the group id" in err
    assert "--base-url" not in err


def test_a_directory_as_the_input_says_to_give_a_file(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    folder = tmp_path / "rows"
    folder.mkdir()
    for extra in ([], ["--dry-run"]):
        code, _, err = run_cli(["run", str(folder), "--out", str(tmp_path / "o.jsonl"), *extra])
        assert code == 2
        assert f"{folder}: INPUT is a directory; give a file" in err
        assert "extension" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows"]  # nothing was created


def test_counts_of_one_are_singular_in_the_run_its_quote_and_its_summary(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    rows: list[Any] = [{"id": "a", "company_name": "__fail__"}, {"name": "no id"}]
    args = run_args(tmp_path, rows, "--skip-invalid")
    quote = run_cli([*args, "--dry-run"])
    assert "1 run at base" in quote[1] and "1 add-runs POST\n" in quote[1]
    assert "1 invalid row left out" in quote[1]
    done = run_cli(args)
    assert done[0] == 1
    assert "0 completed, 1 failed of 1 row;" in done[2]
    results = run_cli(
        ["results", group_of(tmp_path / "out.jsonl"), "--out", str(tmp_path / "r.jsonl")]
    )
    assert "wrote 1 new result line to" in results[2]
    said = [quote[1], results[2]] + [
        ln for ln in done[2].splitlines() if ln.startswith("taskgroup:")
    ]
    assert not _ONE_PLURAL.search("\n".join(said)), said


def test_the_librarys_messages_in_a_run_are_singular_for_one(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    code, _, err = run_cli(run_args(tmp_path, companies(1)))
    assert code == 0
    assert not _ONE_PLURAL.search(err), err


def test_the_retry_hint_does_not_repeat_retry_failed(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, [{"id": "a", "company_name": "__fail__"}])
    code, _, err = run_cli(args)
    assert code == 1 and "--retry failed" in err
    code, _, err = run_cli([*args, "--retry", "failed"])
    assert code == 1
    hint = [line for line in err.splitlines() if "to retry the failed rows" in line]
    again = shlex.join(["taskgroup", *args, "--retry", "failed"])
    assert hint == [f"taskgroup: to retry the failed rows again: {again}"]
    assert "--retry failed --retry failed" not in err


def test_a_refusal_by_the_service_does_not_say_to_resume(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text('{"nosuch": 10}')  # priced here, unknown to the service: a 422
    args = run_args(tmp_path, companies(2), "--processor", "nosuch", "--price-table", str(prices))
    code, stdout, err = run_cli([*args, "--json"])
    assert code == 2
    assert "the service refused the rows (not resumable as they are)" in err
    assert "to resume" not in err and "run the same command again" not in err
    assert '"resume": null' in stdout


def test_a_null_key_says_none_not_nonetype(cli_env: EmulatorServer, tmp_path: Path) -> None:
    code, _, err = run_cli(run_args(tmp_path, [{"id": None}, {"id": "b"}]))
    assert code == 2
    assert "NoneType" not in err and "got None" in err


def test_a_cursor_file_that_cannot_be_saved_is_refused_before_any_event(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    assert run_cli(run_args(tmp_path, companies(2), "-q"))[0] == 0
    cursor = tmp_path / "nodir" / "cursor.json"
    code, stdout, err = run_cli(
        ["events", group_of(tmp_path / "out.jsonl"), "--cursor-file", str(cursor)]
    )
    assert code == 2
    assert stdout == ""
    assert f"--cursor-file {cursor}: its folder {cursor.parent} does not exist" in err


def test_the_retry_hint_after_an_escalation_retries_the_failed_rows_instead() -> None:
    argv = ["run", "in.jsonl", "--out", "o.jsonl", "--retry", "low-confidence", "--fields=ceo"]
    argv += ["--at-most", "medium", "--without-citations", "--processor", "core"]
    command = next_command(1, argv)
    assert command == shlex.join(
        ["taskgroup", "run", "in.jsonl", "--out", "o.jsonl", "--processor", "core"]
        + ["--retry", "failed"]
    )


@pytest.mark.parametrize("cap", [["--max-cost", "1"], ["--max-cost=1"], ["--max-c", "$1"]])
def test_the_budget_hint_gives_the_cap_that_sends_every_row_left(cap: list[str]) -> None:
    argv = ["run", "in.jsonl", "--out", "o.jsonl", *cap, "--processor", "core"]
    command = next_command(5, argv, budget=12.5)
    assert command == shlex.join(
        ["taskgroup", "run", "in.jsonl", "--out", "o.jsonl", "--processor", "core"]
        + ["--max-cost", "12.50"]
    )


def test_an_empty_fields_list_is_refused_not_read_as_every_field(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    args = run_args(tmp_path, companies(2), "--retry", "low-confidence", "--fields", "")
    for extra in ([], ["--dry-run"]):
        code, _, err = run_cli([*args, *extra])
        assert code == 2
        assert "fields: name at least one output field" in err
    assert cli_env.requests()["total"] == 0
