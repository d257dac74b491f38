"""`taskgroup run` again on the same results file with a changed job: refused, naming every
change in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import companies, run_cli, write_jsonl
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration


def first_run(tmp_path: Path) -> tuple[Path, Path]:
    """A finished job of 3 rows keyed by id on base: (input, results)."""
    src, out = write_jsonl(tmp_path / "in.jsonl", companies(3)), tmp_path / "out.jsonl"
    code, _, err = run_cli(["run", src, "--out", out, "--key", "id"])
    assert code == 0, err
    return src, out


def test_a_changed_input_processor_and_key_are_all_named(
    cli_env: EmulatorServer, tmp_path: Path
) -> None:
    src, out = first_run(tmp_path)
    write_jsonl(src, companies(4))
    args = ["run", src, "--out", out, "--key", "company_name", "--processor", "core"]
    code, _, err = run_cli(args)
    assert code == 2
    assert (
        f"taskgroup: error: this run differs from the job of {out} in the key (--key id then, "
        "--key company_name now), the processor (base then, core now) and the input rows; "
        "for a new job choose another --out;" in err
    )


def test_a_changed_processor_alone_is_named_alone(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src, out = first_run(tmp_path)
    code, _, err = run_cli(["run", src, "--out", out, "--key", "id", "--processor", "core"])
    assert code == 2
    assert f"differs from the job of {out} in the processor (base then, core now);" in err


def test_a_changed_input_alone_is_named_alone(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src, out = first_run(tmp_path)
    write_jsonl(src, companies(4))
    code, _, err = run_cli(["run", src, "--out", out, "--key", "id"])
    assert code == 2
    assert f"differs from the job of {out} in the input rows;" in err
