"""`taskgroup run --out` below a regular file: refused at once as a usage error naming the
file, since no rerun could create a folder there."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import companies, run_cli, write_jsonl


@pytest.mark.parametrize("below", ["x.jsonl", "sub/x.jsonl"])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_out_below_a_file_is_a_usage_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, below: str, dry_run: list[str]
) -> None:
    monkeypatch.setenv("PARALLEL_API_KEY", "unused")
    src = write_jsonl(tmp_path / "in.jsonl", companies(1))
    (tmp_path / "notes").write_text("a file, not a folder\n")
    out = tmp_path / "notes" / below
    code, _, err = run_cli(["run", src, "--out", out, "--key", "id", *dry_run])
    assert code == 2
    assert err == (
        f"taskgroup: error: --out {out}: {tmp_path / 'notes'} is a file, not a folder; "
        "choose another --out\n"
    )
