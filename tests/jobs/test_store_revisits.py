"""The journal's part in refresh and escalation: a refresh applied at once, rows marked for
another run, when runs finished, and the rule that calls an answer weak."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import ConfigurationError
from parallel_taskgroup.jobs.records import epoch_seconds
from parallel_taskgroup.jobs.store import JobStore
from parallel_taskgroup.jobs.weak import WeakAnswers, weak_answers
from store_writes import records_by_key

tables = st.dictionaries(
    st.sampled_from([f"k{i}" for i in range(12)]), st.sampled_from(["a", "b", "c"]), max_size=12
)


def store_with(path: Path, table: dict[str, str], submitted: set[str]) -> JobStore:
    """A journal holding ``table`` (key -> value), the ``submitted`` keys run and completed."""
    store = JobStore(str(path))
    store.insert_rows([(k, i, json.dumps(v)) for i, (k, v) in enumerate(table.items())])
    runs = [(k, f"trun_{k}", "base") for k in table if k in submitted]
    store.record_runs(runs)
    store.save_results(
        [
            (k, 1, "completed", None, json.dumps({"key": k, "output": k}), 1.0, 100.0)
            for k, _, _ in runs
        ]
    )
    return store


@given(old=tables, new=tables, submitted=st.sets(st.sampled_from([f"k{i}" for i in range(12)])))
def test_a_refresh_makes_the_input_the_jobs_rows_and_marks_exactly_the_edited_runs(
    tmp_path_factory: pytest.TempPathFactory,
    old: dict[str, str],
    new: dict[str, str],
    submitted: set[str],
) -> None:
    store = store_with(tmp_path_factory.mktemp("j") / "journal", old, submitted)
    ran = submitted & set(old)
    try:
        store.begin_pass()
        store.stage_rows([(k, i, json.dumps(v)) for i, (k, v) in enumerate(new.items())])
        change = store.apply_refresh()
        rows = {r.key: r for r in store.rows()}
        assert {k: json.loads(r.input) for k, r in rows.items()} == new
        edited = {k for k in new if k in ran and new[k] != old[k]}
        assert (change.new, change.edited, change.removed) == (
            len(set(new) - set(old)),
            len(edited),
            len(set(old) - set(new)),
        )
        assert store.redo_counts() == ({"edited": len(edited)} if edited else {})
        assert {k for k, r in rows.items() if r.attempt} == set(new) & ran
        assert store.level_sizes() == [len(set(new) - ran), *([len(edited)] if edited else [])]
        assert store.counts().rows == len(new)
    finally:
        store.close()


def test_a_row_removed_and_back_keeps_its_attempts_and_result(tmp_path: Path) -> None:
    store = store_with(tmp_path / "journal", {"a": "x", "b": "y"}, {"a", "b"})
    for table in ({"b": "y"}, {"a": "x", "b": "y"}):
        store.begin_pass()
        store.stage_rows([(k, i, json.dumps(v)) for i, (k, v) in enumerate(table.items())])
        store.apply_refresh()
    row = store.row("a")
    assert row is not None and row.status == "completed" and row.attempt == 1
    assert store.level_sizes() == [0]
    store.close()


def test_results_finished_before_the_age_are_marked_stale_and_unknown_ages_are_counted(
    tmp_path: Path,
) -> None:
    store = store_with(tmp_path / "journal", {"a": "x", "b": "y", "c": "z"}, {"a", "b"})
    store._write([("UPDATE attempts SET finished_at = NULL WHERE key = 'b'", ())])
    assert store.mark_stale(finished_before=50.0) == (0, 1)
    assert store.mark_stale(finished_before=150.0) == (1, 1)
    assert store.redo_counts() == {"stale": 1}
    assert [r.key for r in store.to_submit(2)] == ["a"]
    store.close()


def test_attempt_facts_reads_past_chunks_of_rows_never_submitted(tmp_path: Path) -> None:
    table = {f"k{i:04d}": "v" for i in range(1200)}
    store = store_with(tmp_path / "journal", table, {"k1100", "k1150"})
    facts = list(store.attempt_facts())
    assert [(f.key, f.attempt, f.processor, f.seconds) for f in facts] == [
        ("k1100", 1, "base", 1.0),
        ("k1150", 1, "base", 1.0),
    ]
    store.close()


def test_an_answer_is_weak_when_a_considered_field_is_at_or_below_the_level() -> None:
    basis = [
        {"field": "ceo", "confidence": "high", "citations": [{"url": "u"}]},
        {"field": "products", "confidence": "high", "citations": [{"url": "u"}]},
        {"field": "products.0", "confidence": "medium", "citations": []},
    ]
    assert not WeakAnswers().weak(basis)
    assert WeakAnswers(at_most="medium").weak(basis)
    assert not WeakAnswers(fields=("ceo",), at_most="medium").weak(basis)
    assert WeakAnswers(fields=("products",), without_citations=True).weak(basis)


def test_an_answer_without_basis_is_weak_only_by_its_missing_citations() -> None:
    for basis in (None, [], [{"field": "ceo"}]):
        assert not WeakAnswers(at_most="high").weak(basis)
    assert WeakAnswers(without_citations=True).weak(None)


def test_a_rule_naming_a_field_the_schema_lacks_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="revenue not in the output schema"):
        weak_answers(fields=["revenue"], known_fields=("ceo",))
    with pytest.raises(ConfigurationError, match="at_most must be one of"):
        weak_answers(at_most="lowest")


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2025-04-23T20:21:48Z", 1745439708.0),
        ("2025-04-23T20:21:48.037943123Z", 1745439708.037943),
        ("2025-04-23T22:21:48+02:00", 1745439708.0),
        ("2025-04-23 20:21:48.5+00:00", 1745439708.5),
        ("2025-04-23T20:21:48", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_run_timestamps_are_read_as_epoch_seconds(stamp: Any, expected: Any) -> None:
    assert epoch_seconds(stamp) == (pytest.approx(expected) if expected else None)


def test_an_earlier_answer_is_kept_with_its_attempt_however_late_it_finishes(
    tmp_path: Path,
) -> None:
    store = store_with(tmp_path / "journal", {"done": "x", "late": "y"}, {"done"})
    store.record_runs([("late", "trun_late", "base")])
    store.mark_redo(["done", "late"], "edited")
    store.confirm({"done\x002": "trun_done2", "late\x002": "trun_late2"}, "core")
    record = json.dumps({"output": {"answer": "late one"}})
    store.save_results([("late", 1, "completed", None, record, 2.0, 200.0)])
    outputs = {k: [a.get("output") for a in store.attempts_of(k)] for k in ("done", "late")}
    assert outputs == {"done": ["done", None], "late": [{"answer": "late one"}, None]}
    row = store.row("late")
    assert row is not None and (row.attempt, row.status) == (2, None)
    assert records_by_key(store)["late"] is None
    store.close()


def test_the_rule_reads_field_names_and_confidences_as_the_report_does() -> None:
    assert WeakAnswers().weak([{"field": "ceo", "confidence": " Low "}])
    dotted = [{"field": "revenue.usd", "confidence": "low"}]  # a field of its own, not revenue's
    assert not WeakAnswers(fields=("revenue",)).weak(dotted)
    assert WeakAnswers(fields=("revenue.usd",)).weak(dotted)
