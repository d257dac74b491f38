"""A dry run predicts: over a matrix of good and bad jobs, `taskgroup run --dry-run` exits as the
same command without it first exits (and sends nothing, changes no file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from cli_helpers import companies, write_jsonl
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

Setup = Callable[[Path], list[str]]
BAD_SCHEMA = {"type": "objekt", "properties": {"a": {"type": "string"}}}


def taskgroup(*args: str) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "parallel_taskgroup.cli", *args, "-q", "--yes"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return done.returncode


def base(folder: Path, *extra: str) -> list[str]:
    return [
        "run",
        str(folder / "in.jsonl"),
        "--out",
        str(folder / "r.jsonl"),
        "--key",
        "id",
        *extra,
    ]


def good(folder: Path) -> list[str]:
    write_jsonl(folder / "in.jsonl", companies(5))
    return base(folder)


def empty(folder: Path) -> list[str]:
    (folder / "in.jsonl").write_text("")
    return base(folder)


def a_bad_row(folder: Path) -> list[str]:
    write_jsonl(folder / "in.jsonl", [*companies(3), {"company_name": "no id"}])
    return base(folder)


def a_bad_row_skipped(folder: Path) -> list[str]:
    return [*a_bad_row(folder), "--skip-invalid"]


def an_invalid_output_schema(folder: Path) -> list[str]:
    (folder / "s.json").write_text(json.dumps(BAD_SCHEMA))
    return [*good(folder), "--output-schema", str(folder / "s.json")]


def an_unknown_processor(folder: Path) -> list[str]:
    return [*good(folder), "--processor", "turbo"]


def a_changed_job(folder: Path) -> list[str]:
    assert taskgroup(*good(folder)) == 0
    return [*base(folder), "--processor", "core"]


def a_finished_job_again(folder: Path) -> list[str]:
    assert taskgroup(*good(folder)) == 0
    return base(folder)


def a_grown_input(folder: Path) -> list[str]:
    assert taskgroup(*good(folder)) == 0
    write_jsonl(folder / "in.jsonl", companies(7))
    return base(folder)


def a_grown_input_added(folder: Path) -> list[str]:
    return [*a_grown_input(folder), "--add-rows"]


def a_foreign_file_at_out(folder: Path) -> list[str]:
    (folder / "r.jsonl").write_text("not ours\n")
    return good(folder)


def a_budget_that_stops(folder: Path) -> list[str]:
    write_jsonl(folder / "in.jsonl", companies(1500))
    return [*base(folder), "--processor", "lite", "--max-cost", "6"]


CASES = [
    good,
    empty,
    a_bad_row,
    a_bad_row_skipped,
    an_invalid_output_schema,
    an_unknown_processor,
    a_changed_job,
    a_finished_job_again,
    a_grown_input,
    a_grown_input_added,
    a_foreign_file_at_out,
    a_budget_that_stops,
]


@pytest.mark.parametrize("setup", CASES, ids=[c.__name__ for c in CASES])
def test_the_dry_runs_exit_code_is_the_real_runs_first(
    cli_env: EmulatorServer, tmp_path: Path, setup: Setup
) -> None:
    args = setup(tmp_path)
    before = sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir())
    predicted = taskgroup(*args, "--dry-run")
    assert sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir()) == before
    assert taskgroup(*args) == predicted
