"""`taskgroup report RESULTS`: a job's figures as aligned tables, as JSON, or as an HTML page;
from the job's files alone (no API key, no network); a file that is not a job's is exit 2."""

from __future__ import annotations

import json
import re
import stat
from collections import Counter
from pathlib import Path

import pytest
from cli_helpers import EXAMPLES, companies, run_args, run_cli
from taskgroup_emulator.testing import EmulatorServer

pytestmark = pytest.mark.integration

FAILING = {3, 17, 29}


@pytest.fixture
def job(cli_env: EmulatorServer, tmp_path: Path) -> Path:
    """A finished job of 40 rows (3 failed) with basis: its results file."""
    rows = companies(40)
    for i in FAILING:
        rows[i]["company_name"] += " __fail__"
    args = run_args(
        tmp_path,
        rows,
        "--task-spec",
        str(EXAMPLES / "company_task.json"),
        "--include-basis",
        "--quiet",
        "--yes",
    )
    code, _, stderr = run_cli(args)
    assert code == 1, stderr  # some rows failed
    return tmp_path / "out.jsonl"


def lines_of(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No API key, and a server that is not there."""
    monkeypatch.delenv("PARALLEL_API_KEY", raising=False)
    monkeypatch.setenv("PARALLEL_BASE_URL", "http://127.0.0.1:9")


def test_report_prints_each_table_with_the_jobs_figures(
    job: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline(monkeypatch)
    code, stdout, stderr = run_cli(["report", job])
    assert code == 0, stderr
    assert re.search(r"^  completed\s+37\s+92\.5%$", stdout, re.M), stdout
    assert re.search(r"^  failed\s+3\s+7\.5%$", stdout, re.M), stdout
    assert re.search(
        r"^\s+3\s+100\.0%\s+Run failed: the input contains the failure marker", stdout, re.M
    )
    assert re.search(r"^  base\s+40\s+\$10\.00\s+\$0\.40$", stdout, re.M), stdout
    assert re.search(r"^  1\s+base\s+40\s+\$0\.40$", stdout, re.M), stdout
    assert re.search(r"^  base\s+40\s+[\d.]+ s\s+[\d.]+ s\s+[\d.]+ s$", stdout, re.M), stdout
    basis = Counter(
        (entry["field"], entry["confidence"])
        for line in lines_of(job)
        for entry in line.get("basis") or []  # type: ignore[attr-defined]
    )
    field = next(f for f, _ in basis if "." not in f)
    counts = [basis[(field, c)] for c in ("high", "medium", "low")]
    answers = sum(counts)
    row = rf"^  {re.escape(field)}\s+{answers}\s+{counts[0]}\s+{counts[1]}\s+{counts[2]}\s+0\s"
    assert re.search(row, stdout, re.M), stdout
    assert all(len(line) <= 100 for line in stdout.splitlines())


def test_report_json_gives_the_figures_as_one_object(job: Path) -> None:
    code, stdout, _ = run_cli(["report", job, "--json"])
    assert code == 0
    data = json.loads(stdout)
    assert data["rows"] == 40
    assert (data["by_status"]["completed"], data["by_status"]["failed"]) == (37, 3)
    assert data["spend"] == [{"processor": "base", "runs": 40, "usd_per_1000": 10.0, "usd": 0.4}]
    assert data["spent_usd"] == pytest.approx(0.4)
    assert data["failure_reasons"][0]["rows"] == 3
    assert {f["field"] for f in data["fields"]} == {
        e["field"]
        for line in lines_of(job)
        for e in line.get("basis") or []  # type: ignore[attr-defined]
        if "." not in e["field"]
    }
    assert data["unavailable"] == []


def test_report_html_writes_the_page_and_says_where(job: Path, tmp_path: Path) -> None:
    page = tmp_path / "pages" / "report.html"
    code, stdout, stderr = run_cli(["report", job, "--html", page])
    assert code == 0, stderr
    assert f"wrote the report page to {page}" in stderr
    assert "rows by status" in stdout
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert '<td class="num" data-figure="status.completed">37</td>' in text
    assert '<td class="num" data-figure="spend.base.usd">$0.40</td>' in text
    assert not list(page.parent.glob(".*.tmp"))  # written through a temp file, renamed
    assert not list(page.parent.glob(".*.mode"))
    plain = page.parent / "plain.txt"
    plain.write_text("")
    assert stat.S_IMODE(page.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)  # to share


def test_report_reads_a_results_file_without_its_journal_and_says_what_it_lacks(
    job: Path,
) -> None:
    for suffix in (".journal", ".journal-wal", ".journal-shm"):
        Path(f"{job}{suffix}").unlink(missing_ok=True)
    code, stdout, _ = run_cli(["report", job])
    assert code == 0
    assert re.search(r"^  completed\s+37\s", stdout, re.M)
    assert "spend: not available" in stdout
    assert "spend, attempts and run durations: only the job's journal has them" in stdout
    assert not Path(f"{job}.journal").exists()


def test_a_missing_results_file_is_a_usage_error(tmp_path: Path) -> None:
    code, stdout, stderr = run_cli(["report", tmp_path / "nope.jsonl"])
    assert (code, stdout) == (2, "")
    assert f"taskgroup: error: {tmp_path / 'nope.jsonl'}: no such results file" in stderr


def test_a_file_that_is_not_a_results_file_is_a_usage_error(tmp_path: Path) -> None:
    other = tmp_path / "rows.jsonl"
    other.write_text('{"id": 1}\n')
    code, _, stderr = run_cli(["report", other])
    assert code == 2
    assert "not a results record" in stderr


def test_a_bad_price_table_is_a_usage_error(job: Path, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text('{"base": "ten"}')
    code, _, stderr = run_cli(["report", job, "--price-table", prices])
    assert code == 2
    assert "price table" in stderr


def test_a_price_table_prices_the_report(job: Path, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text('{"base": 50}')
    code, stdout, _ = run_cli(["report", job, "--json", "--price-table", prices])
    assert code == 0
    assert json.loads(stdout)["spent_usd"] == pytest.approx(2.0)


@pytest.mark.parametrize("suffix", ["", ".journal", ".journal-records", ".state.json"])
def test_the_page_is_never_written_over_one_of_the_jobs_files(job: Path, suffix: str) -> None:
    target = Path(f"{job}{suffix}")
    before = target.read_bytes()
    code, _, stderr = run_cli(["report", job, "--html", target])
    assert code == 2
    assert "one of the job's own files" in stderr
    assert target.read_bytes() == before


def test_long_field_names_and_reasons_are_cut_to_fit_100_columns(tmp_path: Path) -> None:
    long = "a_field_whose_name_goes_on_and_on_and_on_well_past_any_column"
    out = tmp_path / "r.jsonl"
    lines = [
        {
            "key": "a",
            "status": "failed",
            "error": {"message": "the service said: " + "so much to say " * 20},
        },
        {
            "key": "b",
            "status": "completed",
            "basis": [{"field": long, "citations": [], "confidence": "low"}],
        },
    ]
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, stdout, _ = run_cli(["report", out])
    assert code == 0
    assert max(len(line) for line in stdout.splitlines()) <= 100
    assert "…" in stdout
