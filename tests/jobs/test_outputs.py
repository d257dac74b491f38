"""Results file writer: append-only, one line per key, torn last line repaired."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from parallel_taskgroup.errors import ResultsFileError as OutputError
from parallel_taskgroup.jobs.outputs import ResultsWriter, check_writable


def rec(key: str, status: str = "completed") -> dict[str, object]:
    return {
        "key": key,
        "status": status,
        "run_id": "trun_" + key,
        "input": {"k": key},
        "output": {"x": "multi\nline"},
        "error": None,
    }


def test_each_key_is_written_once(tmp_path: Path) -> None:
    path = str(tmp_path / "r.jsonl")
    with ResultsWriter(path) as w:
        assert w.write(rec("a"))
        assert not w.write(rec("a"))
    with ResultsWriter(path) as w:
        assert not w.write(rec("a"))
        assert w.write(rec("b"))
    keys = [json.loads(line)["key"] for line in Path(path).read_text("utf-8").splitlines()]
    assert keys == ["a", "b"]


def test_torn_last_line_is_cut_and_its_key_can_be_written_again(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(rec("a")) + "\n" + json.dumps(rec("b"))[:20], encoding="utf-8")
    with ResultsWriter(str(path)) as w:
        assert w.keys == {"a"}
        assert w.repaired_bytes == 20
        assert w.write(rec("b"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["key"] for x in lines] == ["a", "b"]


def test_corrupt_line_in_the_middle_is_an_error_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("not json\n" + json.dumps(rec("a")) + "\n", encoding="utf-8")
    with pytest.raises(OutputError, match="line 1: not a results line"):
        ResultsWriter(str(path)).open()


def test_nothing_reaches_the_file_before_flush_and_everything_after(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    w = ResultsWriter(str(path))
    w.open()
    w.write(rec("a"))
    assert path.read_text() == ""
    w.flush()
    assert json.loads(path.read_text())["key"] == "a"
    w.close()


def test_status_counts_include_lines_already_in_the_file(tmp_path: Path) -> None:
    path = str(tmp_path / "r.jsonl")
    with ResultsWriter(path) as w:
        w.write(rec("a"))
        w.write(rec("b", "failed"))
    with ResultsWriter(path) as w:
        w.write(rec("c"))
        assert w.status_counts == {"completed": 2, "failed": 1}


def test_csv_has_a_header_once_and_one_physical_line_per_record(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsWriter(str(path), "csv") as w:
        w.write(rec("a"))
    with ResultsWriter(str(path), "csv") as w:
        assert w.keys == {"a"}
        w.write(rec("b"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "key,status,run_id,input,output,error"
    assert [line.split(",")[0] for line in lines[1:]] == ["a", "b"]


def test_csv_with_other_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsWriter(str(path), "csv") as w:
        w.write(rec("a"))
    with pytest.raises(OutputError, match="does not match"):
        ResultsWriter(str(path), "csv", include_basis=True).open()


def test_output_in_a_missing_folder_is_not_writable(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        check_writable(str(tmp_path / "nope" / "r.jsonl"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_output_in_a_read_only_folder_is_not_writable(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            check_writable(str(folder / "r.jsonl"))
    finally:
        folder.chmod(0o700)
