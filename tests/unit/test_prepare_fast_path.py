"""A plan's frame (the run input's text written around the encoded input and key), and rows
checked before (a job's stored key and input text), give exactly what encoding the payload
gives: the same bytes, keys, errors and duplicates handling."""

from __future__ import annotations

from typing import Any, Optional

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parallel_taskgroup import errors
from parallel_taskgroup._json import compact, fast_compact
from parallel_taskgroup.submission.prepare import (
    PreparedInput,
    RowPlan,
    make_plan,
    prepare_checked,
    prepare_one,
    prepare_rows,
)
from parallel_taskgroup.submission.report import SubmitReport

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
rows_strategy = st.lists(
    st.one_of(
        st.dictionaries(st.text(max_size=8), json_values, max_size=5),
        st.text(max_size=20),
        st.dictionaries(st.integers(), json_values, max_size=2),
    ),
    max_size=8,
)


def _plan(key: Any, **options: Any) -> RowPlan:
    settings: dict[str, Any] = {
        "processor": "base",
        "task_spec": None,
        "base_metadata": None,
        "key": key,
        "to_input": None,
        "row_metadata": None,
        "input_fields": None,
        "max_batch_inputs": 1000,
        "max_batch_bytes": 5_000_000,
        "duplicates": "skip",
    }
    settings.update(options)
    return make_plan(**settings)


def _outcome(plan: RowPlan, rows: list[Any]) -> tuple[list[tuple[int, str, bytes]], Any]:
    report = SubmitReport(group_id="g")
    done: list[PreparedInput] = []
    try:
        for prepared in prepare_rows(plan, rows, report):
            done.append(prepared)
        error: Optional[str] = None
    except errors.RowError as exc:
        error = f"{exc.position}:{exc.key}:{exc}"
    return [(p.position, p.key, p.data) for p in done], (error, report.rows, report.skipped)


def _both(plan: RowPlan, rows: list[Any]) -> None:
    assert plan.frame is not None
    general = attrs.evolve(plan, frame=None)
    assert _outcome(plan, rows) == _outcome(general, rows)


PLANS = [
    lambda: _plan(None),
    lambda: _plan("id"),
    lambda: _plan("id", base_metadata={"team": "a", "n": 2}, attempt=3),
    lambda: _plan(
        "id",
        task_spec={"output_schema": "a short answer"},
        input_fields={"source_policy": {"include_domains": ["example.com"]}},
    ),
    lambda: _plan(None, input_fields={"task_spec": {"output_schema": "the city"}}),
    lambda: _plan(lambda row: row["id"] if isinstance(row, dict) else row),
    lambda: _plan("id", to_input=lambda row: {"row": row} if isinstance(row, dict) else row),
]


@pytest.mark.parametrize("make", PLANS)
@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, ids=st.lists(st.one_of(st.text(max_size=6), st.integers()), max_size=8))
def test_framed_rows_give_the_bytes_of_the_encoded_payload(
    make: Any, rows: list[Any], ids: list[Any]
) -> None:
    for row, key in zip(rows, ids):
        if isinstance(row, dict):
            row["id"] = key
    _both(make(), rows)


def test_the_bytes_are_the_payload_encoded() -> None:
    plan = _plan("id", base_metadata={"team": "a"}, attempt=2, input_fields={"x": [1, "é"]})
    [prepared] = list(prepare_rows(plan, [{"id": "k1", "q": "é\u2028"}], SubmitReport("g")))
    payload = {
        "input": {"id": "k1", "q": "é\u2028"},
        "processor": "base",
        "metadata": {"team": "a", "row_key": "k1", "attempt": 2},
        "x": [1, "é"],
    }
    assert prepared.data == compact(payload).encode("utf-8")
    assert prepared.key == "k1\x002"


@pytest.mark.parametrize(
    "row",
    [
        {"id": "", "q": 1},  # empty key
        {"id": "x" * 600},  # key over the metadata value limit
        {"id": True},  # not a str or int
        {"q": 1},  # no key field
        {"id": "k", "q": float("nan")},
        {"id": "k", "q": {1, 2}},
        {"id": "k", "q": "\ud800"},  # a lone surrogate is not UTF-8
        {"id": "k", "q": "x" * 30_000},  # over the input characters limit
        {"id": 7, "q": 1},  # an int key is fine
    ],
)
def test_framed_rows_that_fail_a_check_fail_as_encoded_payloads_do(row: dict[str, Any]) -> None:
    _both(_plan("id"), [{"id": "first"}, row, {"id": "last"}])


def test_a_circular_row_is_refused_with_the_encoders_message() -> None:
    row: dict[str, Any] = {"id": "k"}
    row["self"] = row
    with pytest.raises(ValueError, match="Circular reference"):
        fast_compact(row)
    _both(_plan("id"), [row])


def test_a_batch_too_small_for_a_row_is_refused_as_before() -> None:
    _both(_plan("id", max_batch_bytes=200), [{"id": "a", "q": "x" * 300}])


def test_a_metadata_function_leaves_the_plan_without_a_frame() -> None:
    plan = _plan("id", row_metadata=lambda row: {"tag": "t"})
    assert plan.frame is None


def _checked_outcome(plan: RowPlan, position: int, key: str, text: str) -> Any:
    try:
        prepared = prepare_checked(plan, position, key, text)
    except errors.RowError as exc:
        return f"{exc.position}:{exc.key}:{exc}"
    return prepared.position, prepared.key, prepared.data


@pytest.mark.parametrize("make", PLANS)
@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, ids=st.lists(st.text(min_size=1, max_size=6), max_size=8))
def test_a_checked_row_gives_the_bytes_of_its_value(
    make: Any, rows: list[Any], ids: list[str]
) -> None:
    """A row accepted once (at attempt 1, as a job's ingest does) and stored as its key and
    compact text is prepared, at any attempt, exactly as its value would be."""
    plan = make()
    first = attrs.evolve(plan, attempt=1)
    for position, (row, key) in enumerate(zip(rows, ids)):
        if isinstance(row, dict):
            row["id"] = key
        try:
            accepted = prepare_one(first, position, row)
            text = compact(row)
        except (errors.RowError, ValueError):
            continue  # ingest refuses it: never stored
        try:
            want: Any = prepare_one(plan, position, row)
            want = (want.position, want.key, want.data)
        except errors.RowError as exc:
            want = f"{exc.position}:{exc.key}:{exc}"
        assert _checked_outcome(plan, position, accepted.key, text) == want


def test_a_checked_row_near_the_limit_is_refused_as_its_value_would_be() -> None:
    plan = _plan("id", attempt=2, max_batch_bytes=200)
    row = {"id": "k", "q": "x" * 300}
    with pytest.raises(errors.RowError) as checked:
        prepare_checked(plan, 0, "k", compact(row))
    with pytest.raises(errors.RowError) as general:
        prepare_one(plan, 0, row)
    assert str(checked.value) == str(general.value)
