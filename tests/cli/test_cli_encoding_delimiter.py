"""`taskgroup run --encoding` and `--delimiter`: inputs exported from spreadsheets, read as the
library reads them, on a real run and on a dry run alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import read_results, run_cli
from taskgroup_emulator.testing import EmulatorServer

CP1252_CSV = "id,name\r\n1,Café Müller\r\n2,Crème brûlée – €5\r\n".encode("cp1252")
CP1252_ROWS = {"1": "Café Müller", "2": "Crème brûlée – €5"}


def names_by_key(out: Path) -> dict[str, str]:
    return {line["key"]: line["input"]["name"] for line in read_results(out)}


@pytest.mark.integration
def test_encoding_reads_a_cp1252_export(cli_env: EmulatorServer, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_bytes(CP1252_CSV)
    code, _, err = run_cli(["run", src, "--out", out, "--key", "id", "--encoding", "cp1252"])
    assert code == 0, err
    assert names_by_key(out) == CP1252_ROWS


@pytest.mark.integration
@pytest.mark.parametrize(("given", "separator"), [(";", ";"), ("tab", "\t")])
def test_delimiter_reads_a_csv_separated_by_it(
    cli_env: EmulatorServer, tmp_path: Path, given: str, separator: str
) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    src.write_text(f"id{separator}name\n1{separator}Acme, Inc.\n2{separator}Beta\n")
    code, _, err = run_cli(["run", src, "--out", out, "--key", "id", "--delimiter", given])
    assert code == 0, err
    assert names_by_key(out) == {"1": "Acme, Inc.", "2": "Beta"}


def test_dry_run_honours_encoding_and_delimiter(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(CP1252_CSV.replace(b",", b";"))
    args = ["run", src, "--out", tmp_path / "out.jsonl", "--key", "id", "--dry-run", "--json"]
    code, out, err = run_cli([*args, "--encoding", "cp1252", "--delimiter", ";"])
    assert code == 0, err
    assert json.loads(out)["rows"] == 2


def test_dry_run_without_encoding_refuses_a_cp1252_export_and_names_the_option(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(CP1252_CSV)
    code, _, err = run_cli(
        ["run", src, "--out", tmp_path / "out.jsonl", "--key", "id", "--dry-run"]
    )
    assert code == 2 and "pass it with --encoding" in err


def test_an_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id\n1\n")
    args = ["run", src, "--out", tmp_path / "out.jsonl", "--encoding", "klingon", "--dry-run"]
    code, _, err = run_cli(args)
    assert code == 2 and "unknown encoding 'klingon'" in err


def test_a_delimiter_of_two_characters_is_a_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id\n1\n")
    args = ["run", src, "--out", tmp_path / "out.jsonl", "--delimiter", ";;", "--dry-run"]
    code, _, err = run_cli(args)
    assert code == 2 and "the CSV delimiter must be one character" in err
