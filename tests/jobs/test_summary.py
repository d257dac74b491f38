"""A job's summary (`summarize_job`): rows by status, failures by reason, each output field's
confidence and citations, spend by processor and attempt, run durations; read from the job's
journal, or from its results file alone when there is no journal, and never from the network."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from job_helpers import json_spec
from parallel_taskgroup import (
    Client,
    JobSummary,
    PriceTable,
    ResultsFileError,
    run_job,
    summarize_job,
)
from parallel_taskgroup.jobs.basis import field_of
from parallel_taskgroup.jobs.results_file import (
    ResultsLayout,
    read_records,
    results_format,
    write_results,
)
from parallel_taskgroup.jobs.store import JobStore
from parallel_taskgroup.jobs.summary_tally import reason_of
from parallel_taskgroup.submission.keys import identity
from taskgroup_emulator.testing import EmulatorServer

Run = tuple[str, str, Optional[float]]
"""(processor, final status, seconds) of one attempt."""


def entry(field: str, confidence: Optional[str] = "high", *, cited: bool = True) -> dict[str, Any]:
    citations = [{"url": f"https://example.com/{field}"}] if cited else []
    return {"field": field, "citations": citations, "reasoning": "r", "confidence": confidence}


def record(
    key: str,
    status: str = "completed",
    *,
    error: Optional[str] = None,
    basis: Optional[list[dict[str, Any]]] = None,
) -> dict[str, Any]:
    failed = status != "completed"
    return {
        "key": key,
        "status": status,
        "run_id": f"trun_{key}",
        "group_id": "tgrp_1",
        "input": {"id": key},
        "output": None if failed else {"name": "x"},
        "error": {"message": error or f"run {status}"} if failed else None,
        "basis": basis,
    }


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_journal(out: Path, runs: dict[str, list[Run]], records: dict[str, Any]) -> None:
    """A job journal beside ``out``: each row's attempts in order, the last one's record kept
    as the row's."""
    store = JobStore(f"{out}.journal")
    try:
        store.insert_rows([(k, i + 1, json.dumps({"id": k})) for i, k in enumerate(runs)])
        for key, attempts in runs.items():
            for number, (processor, status, seconds) in enumerate(attempts, start=1):
                store.record_runs([(identity(key, number), f"trun_{key}_{number}", processor)])
                latest = records.get(key, record(key, status))
                store.save_results(
                    [
                        (
                            key,
                            number,
                            status,
                            json.dumps(latest.get("error")),
                            json.dumps(latest),
                            seconds,
                            1_700_000_000.0,
                        )
                    ]
                )
    finally:
        store.close()


# -- rows and failures ---------------------------------------------------------------------------


def test_rows_are_counted_by_the_status_of_their_line(tmp_path: Path) -> None:
    out = write_jsonl(
        tmp_path / "r.jsonl",
        [
            record("a"),
            record("b"),
            record("c", "failed"),
            record("d", "cancelled"),
            record("e", "not_submitted"),
            record("f", "unfinished"),
        ],
    )
    summary = summarize_job(str(out))
    assert summary.rows == 6
    assert summary.by_status == {
        "completed": 2,
        "failed": 1,
        "cancelled": 1,
        "not_submitted": 1,
        "unfinished": 1,
    }
    assert summary.failed == 2
    assert summary.group_id == "tgrp_1"


def test_messages_differing_only_in_ids_and_numbers_are_one_reason() -> None:
    assert reason_of("run trun_9f3a01 timed out after 600 s") == reason_of(
        "run trun_77bc12 timed out after 31.5 s"
    )
    assert reason_of("HTTP 502 from 3fa85f64-5717-4562-b3fc-2c963f66afa6") == ("HTTP <n> from <id>")
    assert reason_of("Run failed: no source found.") == "Run failed: no source found."
    assert reason_of(None) == reason_of("  ") == "(no error message)"


def test_failures_are_grouped_by_reason_most_rows_first_with_an_example(tmp_path: Path) -> None:
    out = write_jsonl(
        tmp_path / "r.jsonl",
        [
            record("a", "failed", error="run trun_1a2b3c timed out after 600 s"),
            record("b", "failed", error="run trun_4d5e6f timed out after 599 s"),
            record("c", "cancelled", error="cancelled by the user"),
            record("d", "not_submitted", error="not submitted: the job reached its --max-cost"),
            record("e"),
        ],
    )
    summary = summarize_job(str(out))
    reasons = [(r.reason, r.rows) for r in summary.failure_reasons]
    assert reasons == [("run <id> timed out after <n> s", 2), ("cancelled by the user", 1)]
    assert summary.failure_reasons[0].example == "run trun_1a2b3c timed out after 600 s"
    assert summary.distinct_reasons == 2


# -- basis ---------------------------------------------------------------------------------------


def test_an_entry_named_with_an_index_is_about_an_element_of_its_field() -> None:
    assert field_of("products") == ("products", False)
    assert field_of("products.0") == ("products", True)
    assert field_of("products.12.name") == ("products", True)
    assert field_of("revenue.usd") == ("revenue.usd", False)


def test_each_field_counts_its_answers_by_confidence_and_citation(tmp_path: Path) -> None:
    out = write_jsonl(
        tmp_path / "r.jsonl",
        [
            record("a", basis=[entry("name", "high"), entry("size", "low", cited=False)]),
            record("b", basis=[entry("name", "medium", cited=False), entry("size", "low")]),
            record("c", basis=[entry("name", None), entry("size", "HIGH")]),
            record("d", "failed"),
        ],
    )
    fields = {f.field: f for f in summarize_job(str(out)).fields or ()}
    assert fields["name"].answers == 3
    assert fields["name"].confidence == {"high": 1, "medium": 1, "low": 0, "none": 1}
    assert fields["name"].cited == 2
    assert fields["size"].confidence == {"high": 1, "medium": 0, "low": 2, "none": 0}
    assert fields["size"].cited == 2


def test_element_entries_are_counted_under_their_field_apart_from_its_own(
    tmp_path: Path,
) -> None:
    basis = [
        entry("products", "high"),
        entry("products.0", "low", cited=False),
        entry("products.1", "medium"),
    ]
    out = write_jsonl(tmp_path / "r.jsonl", [record("a", basis=basis)])
    (field,) = summarize_job(str(out)).fields or ()
    assert (field.field, field.answers, field.cited) == ("products", 1, 1)
    assert field.confidence == {"high": 1, "medium": 0, "low": 0, "none": 0}
    assert (field.elements, field.elements_cited) == (2, 1)
    assert field.element_confidence == {"high": 0, "medium": 1, "low": 1, "none": 0}


def test_a_results_file_without_basis_has_no_field_figures_and_says_why(tmp_path: Path) -> None:
    lines = [{k: v for k, v in record(key).items() if k != "basis"} for key in "ab"]
    summary = summarize_job(str(write_jsonl(tmp_path / "r.jsonl", lines)))
    assert summary.fields is None
    assert any(note.startswith("basis:") for note in summary.unavailable)


@pytest.mark.parametrize("name", ["r.csv", "r.csv.gz", "r.parquet"])
def test_a_tabular_results_file_gives_its_basis_columns(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    records = [
        record("a", basis=[entry("name", "high"), entry("size", "low", cited=False)]),
        record("b", basis=[entry("name", "medium"), entry("size", "low")]),
    ]
    for r in records:
        r["output"] = {"name": "x", "size": 1}
    layout = ResultsLayout(
        input_columns=("id",),
        output_fields=(("name", "string"), ("size", "integer")),
        include_basis=True,
    )
    write_results(str(out), records, fmt=results_format(str(out)), layout=layout)
    fields = {f.field: f for f in summarize_job(str(out)).fields or ()}
    assert fields["name"].confidence == {"high": 1, "medium": 1, "low": 0, "none": 0}
    assert fields["size"].cited == 1


# -- the journal: spend, attempts, durations -------------------------------------------------------


def test_without_a_journal_spend_and_durations_are_unavailable_and_said_so(
    tmp_path: Path,
) -> None:
    summary = summarize_job(str(write_jsonl(tmp_path / "r.jsonl", [record("a")])))
    assert summary.journal is None
    assert summary.spend is None and summary.spend_by_attempt is None
    assert summary.spent_usd is None and summary.durations is None
    assert any("journal" in note for note in summary.unavailable)
    assert not (tmp_path / "r.jsonl.journal").exists()  # looked for, never created


def test_spend_is_runs_times_price_by_processor_and_by_attempt(tmp_path: Path) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a"), record("b"), record("c")])
    write_journal(
        out,
        {
            "a": [("base", "completed", 1.0)],
            "b": [("base", "failed", 2.0), ("core", "completed", 3.0)],
            "c": [("base", "failed", 4.0), ("core", "failed", 5.0), ("pro", "completed", 6.0)],
        },
        {},
    )
    summary = summarize_job(str(out))
    spend = {s.processor: (s.runs, s.usd_per_1000, s.usd) for s in summary.spend or ()}
    assert spend == {
        "base": (3, 10.0, 0.03),
        "core": (2, 25.0, 0.05),
        "pro": (1, 100.0, 0.1),
    }
    assert summary.spent_usd == pytest.approx(0.18)
    by_attempt = [(a.attempt, a.processor, a.runs) for a in summary.spend_by_attempt or ()]
    assert by_attempt == [(1, "base", 3), (2, "core", 2), (3, "pro", 1)]


def test_extra_runs_are_spent_and_shown_apart_from_the_attempts(tmp_path: Path) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a")])
    write_journal(out, {"a": [("base", "completed", 1.0)]}, {})
    store = JobStore(f"{out}.journal")
    try:
        store.record_extra_runs([(identity("a"), "trun_other", "base")])
    finally:
        store.close()
    summary = summarize_job(str(out))
    assert [(s.processor, s.runs) for s in summary.spend or ()] == [("base", 2)]
    by_attempt = [(a.attempt, a.processor, a.runs) for a in summary.spend_by_attempt or ()]
    assert by_attempt == [(1, "base", 1), (None, "base", 1)]


def test_a_price_table_given_prices_the_runs(tmp_path: Path) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a"), record("b")])
    write_journal(out, {"a": [("base", "completed", 1.0)], "b": [("base", "completed", 1.0)]}, {})
    prices = tmp_path / "prices.json"
    prices.write_text('{"base": 500}')
    assert summarize_job(str(out), prices=str(prices)).spent_usd == pytest.approx(1.0)
    table = PriceTable({"base": 1000.0}, source="mine")
    summary = summarize_job(str(out), prices=table)
    assert (summary.spent_usd, summary.prices) == (pytest.approx(2.0), "mine")


def test_a_processor_without_a_price_is_noted_and_leaves_the_total_unknown(
    tmp_path: Path,
) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a"), record("b")])
    write_journal(out, {"a": [("base", "completed", 1.0)], "b": [("nova", "completed", 1.0)]}, {})
    summary = summarize_job(str(out))
    assert [(s.processor, s.usd) for s in summary.spend or ()] == [
        ("base", 0.01),
        ("nova", None),
    ]
    assert summary.spent_usd is None  # $0.01 would understate it
    assert any("nova" in note for note in summary.unavailable)


def test_durations_per_processor_give_median_p90_and_max(tmp_path: Path) -> None:
    seconds = [7.0, 1.0, 10.0, 2.0, 9.0, 3.0, 8.0, 4.0, 6.0, 5.0]
    runs = {f"k{i}": [("base", "completed", s)] for i, s in enumerate(seconds)}
    runs["slow"] = [("core", "completed", 120.0)]
    runs["unknown"] = [("core", "completed", None)]
    out = write_jsonl(tmp_path / "r.jsonl", [record(k) for k in runs])
    write_journal(out, runs, {})
    durations = {d.processor: d for d in summarize_job(str(out)).durations or ()}
    base = durations["base"]
    assert (base.runs, base.median, base.p90, base.max) == (10, 5.5, 9.0, 10.0)
    assert sum(base.histogram) == 10
    core = durations["core"]
    assert (core.runs, core.median, core.max, core.unknown) == (1, 120.0, 120.0, 1)


def test_percentiles_are_the_median_and_the_nearest_rank_p90(tmp_path: Path) -> None:
    seconds = [float(s) for s in range(1, 22)]
    runs = {f"k{i}": [("base", "completed", s)] for i, s in enumerate(seconds)}
    out = write_jsonl(tmp_path / "r.jsonl", [record(k) for k in runs])
    write_journal(out, runs, {})
    (base,) = summarize_job(str(out)).durations or ()
    assert base.median == statistics.median(seconds)
    assert base.p90 == sorted(seconds)[math.ceil(0.9 * len(seconds)) - 1] == 19.0


def test_the_journal_gives_the_rows_latest_records_and_their_basis(tmp_path: Path) -> None:
    # The file was written without basis; the journal keeps it.
    out = write_jsonl(tmp_path / "r.jsonl", [{"key": "a", "status": "completed"}])
    write_journal(
        out,
        {"a": [("base", "failed", 1.0), ("core", "completed", 2.0)]},
        {"a": record("a", basis=[entry("name", "low")])},
    )
    summary = summarize_job(str(out))
    assert summary.journal == f"{out}.journal"
    assert summary.by_status["completed"] == 1 and summary.failed == 0
    assert [(f.field, dict(f.confidence)) for f in summary.fields or ()] == [
        ("name", {"high": 0, "medium": 0, "low": 1, "none": 0})
    ]


def test_a_row_without_a_finished_run_is_not_submitted_or_unfinished(tmp_path: Path) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a"), record("b")])
    store = JobStore(f"{out}.journal")
    try:
        store.insert_rows([("a", 1, "{}"), ("b", 2, "{}")])
        store.record_runs([(identity("b"), "trun_b", "base")])
    finally:
        store.close()
    summary = summarize_job(str(out))
    assert (summary.by_status["not_submitted"], summary.by_status["unfinished"]) == (1, 1)
    assert summary.durations == ()


def test_a_damaged_journal_is_noted_and_the_results_file_read_instead(tmp_path: Path) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a"), record("b", "failed")])
    Path(f"{out}.journal").write_bytes(b"not sqlite at all" * 100)
    summary = summarize_job(str(out))
    assert summary.journal is None
    assert summary.by_status["failed"] == 1
    assert any("journal has them, and it cannot be read" in n for n in summary.unavailable)


def test_a_damaged_state_file_is_noted_and_the_journal_beside_the_file_read(
    tmp_path: Path,
) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a")])
    write_journal(out, {"a": [("base", "completed", 1.0)]}, {})
    Path(f"{out}.state.json").write_text("{not json")
    summary = summarize_job(str(out))
    assert summary.spent_usd == pytest.approx(0.01)
    assert any(note.startswith("the state file:") for note in summary.unavailable)


# -- what is not a results file ------------------------------------------------------------------


def test_a_missing_results_file_is_a_results_file_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="no such results file"):
        summarize_job(str(tmp_path / "nope.jsonl"))


def test_a_file_that_is_not_a_results_file_is_a_results_file_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"hello": "world"}\n')
    with pytest.raises(ResultsFileError, match="not a results record"):
        summarize_job(str(notes))
    with pytest.raises(ResultsFileError, match="is a directory"):
        summarize_job(str(tmp_path))


def test_the_summary_is_plain_json_data(tmp_path: Path) -> None:
    out = write_jsonl(tmp_path / "r.jsonl", [record("a", basis=[entry("name")])])
    write_journal(out, {"a": [("base", "completed", 1.0)]}, {})
    summary = summarize_job(str(out))
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["by_status"]["completed"] == 1
    assert data["spend"] == [{"processor": "base", "runs": 1, "usd_per_1000": 10.0, "usd": 0.01}]
    assert isinstance(summary, JobSummary)


# -- a real job ----------------------------------------------------------------------------------

SPEC = json_spec(
    {
        "summary": {"type": "string"},
        "employees": {"type": "integer"},
        "products": {"type": "array", "items": {"type": "string"}},
    }
)


@pytest.mark.integration
def test_a_real_jobs_summary_equals_the_figures_counted_from_its_results_file(
    emulator_factory: Callable[..., EmulatorServer], tmp_path: Path
) -> None:
    server = emulator_factory(time_scale=0.002, rate_limit_per_minute=10**6)
    rows = [
        {"id": f"r{i}", "name": f"Company {i}" + (" __fail__" if i % 23 == 4 else "")}
        for i in range(300)
    ]
    failing = sum("__fail__" in row["name"] for row in rows)
    out = tmp_path / "results.jsonl"
    with Client(api_key=server.api_key, base_url=server.base_url) as client:
        first = run_job(client, rows, out=str(out), key="id", task_spec=SPEC, include_basis=True)
        retried = run_job(
            client,
            rows,
            out=str(out),
            key="id",
            task_spec=SPEC,
            include_basis=True,
            retry="failed",
            processor="core",
        )
    lines = list(read_records(str(out)))
    summary = summarize_job(str(out))

    statuses = Counter(line["status"] for line in lines)
    assert (statuses["failed"], statuses["completed"]) == (failing, 300 - failing)
    assert {s: n for s, n in summary.by_status.items() if n} == dict(statuses)
    assert summary.rows == len(lines) == 300

    messages = Counter(line["error"]["message"] for line in lines if line["status"] == "failed")
    assert [(r.example, r.rows) for r in summary.failure_reasons] == messages.most_common()

    confidence: Counter[tuple[str, str]] = Counter()
    cited: Counter[str] = Counter()
    for line in lines:
        for item in line.get("basis") or []:
            confidence[(item["field"], item["confidence"] or "none")] += 1
            cited[item["field"]] += bool(item["citations"])
    fields = {f.field: f for f in summary.fields or ()}
    assert set(fields) == {"summary", "employees", "products"}
    for field in fields.values():
        own = {c: confidence[(field.field, c)] for c in ("high", "medium", "low", "none")}
        assert dict(field.confidence) == own
        assert field.cited == cited[field.field]
        elements = [k for k in cited if k.startswith(f"{field.field}.")]
        assert field.elements == sum(confidence[(k, c)] for k in elements for c in own)
        assert field.elements_cited == sum(cited[k] for k in elements)
    assert fields["products"].elements > 0

    spend = {s.processor: s.runs for s in summary.spend or ()}
    assert spend == {"base": 300, "core": failing}
    assert first.spent_usd == pytest.approx(3.0)
    assert summary.spent_usd == pytest.approx(retried.spent_usd)
    assert summary.spent_usd == pytest.approx(300 * 0.010 + failing * 0.025)
    by_attempt = [(a.attempt, a.processor, a.runs) for a in summary.spend_by_attempt or ()]
    assert by_attempt == [(1, "base", 300), (2, "core", failing)]
    durations = {d.processor: d for d in summary.durations or ()}
    assert (durations["base"].runs, durations["core"].runs) == (300, failing)
    for d in durations.values():
        assert d.median is not None and d.p90 is not None and d.max is not None
        assert 0 < d.median <= d.p90 <= d.max
    assert not summary.unavailable
