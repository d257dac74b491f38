"""A CSV results file whose cells hold NUL reads back on every Python (the csv module before
3.11 refuses NUL), here where the 3.9 and 3.10 smoke runs see it."""

from __future__ import annotations

from pathlib import Path

from parallel_taskgroup.jobs.results_file import ResultsLayout, read_records, write_results

LAYOUT = ResultsLayout(input_columns=("name",), output_fields=None, include_basis=False)


def test_a_nul_in_a_cell_reads_back_as_written(tmp_path: Path) -> None:
    record = {
        "key": "a\x00b",
        "status": "completed",
        "run_id": "trun_1",
        "group_id": "tgrp_1",
        "input": {"name": "Acme\x00Corp \ue000"},
        "output": {"note": "x\x00y"},
        "error": None,
    }
    path = str(tmp_path / "r.csv")
    write_results(path, [record], fmt="csv", layout=LAYOUT)
    (read,) = list(read_records(path))
    assert read["key"] == "a\x00b"
    assert read["input"] == {"name": "Acme\x00Corp \ue000"}
    assert read["output"] == {"note": "x\x00y"}
