"""Row keys never hold NUL: an identity joins a key and its attempt with one, so every way a key
is given (a field, several fields, a function; dict rows or objects) refuses a key holding it,
and a run whose key holds one is read as none of a job's rows."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import errors
from parallel_taskgroup.submission.keys import key_function, run_identity, split_identity
from parallel_taskgroup.submission.prepare import prepare_rows
from parallel_taskgroup.submission.report import SubmitReport
from parallel_taskgroup_api.models import TaskRun
from test_prepare_fast_path import _plan

NUL_KEYS = ["a\x00b", "a\x002", "\x00", "a\x00"]
REFUSED = r"holds a NUL character \(\\x00\), which row keys cannot contain; remove it"


def keyer(spec: Any) -> Callable[[Any], str]:
    get = key_function(spec)
    assert get is not None
    return get


@pytest.mark.parametrize("key", NUL_KEYS)
def test_a_key_field_holding_nul_is_refused_naming_the_field(key: str) -> None:
    with pytest.raises(ValueError, match="the key field 'id' " + REFUSED):
        keyer("id")({"id": key, "v": 1})


def test_a_key_attribute_holding_nul_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="the key field 'id' " + REFUSED):
        keyer("id")(SimpleNamespace(id="a\x00b"))


def test_a_composite_key_value_holding_nul_is_refused_naming_its_field() -> None:
    with pytest.raises(ValueError, match="the key field 'year' " + REFUSED):
        keyer(("company", "year"))({"company": "Acme", "year": "20\x0020"})


def test_a_key_functions_result_holding_nul_is_refused() -> None:
    with pytest.raises(ValueError, match="the key function's result " + REFUSED):
        keyer(lambda row: row["id"])({"id": "a\x002"})


@given(st.text(max_size=600) | st.integers())
def test_a_dict_row_and_an_object_row_give_the_same_key_or_the_same_refusal(raw: Any) -> None:
    """The fast path for dict rows accepts exactly the keys the full check accepts."""
    get = keyer("id")

    def outcome(row: Any) -> str:
        try:
            return "key " + get(row)
        except ValueError as exc:
            return f"refused: {exc}"

    assert outcome({"id": raw}) == outcome(SimpleNamespace(id=raw))


def test_add_runs_refuses_a_row_whose_key_holds_nul_before_preparing_more() -> None:
    rows = [{"id": "a", "v": 1}, {"id": "b\x002", "v": 2}, {"id": "c", "v": 3}]
    report = SubmitReport(group_id="g")
    prepared = []
    with pytest.raises(errors.RowError, match="the key field 'id' " + REFUSED) as refused:
        prepared.extend(prepare_rows(_plan("id"), rows, report))
    assert refused.value.position == 1 and [p.key for p in prepared] == ["a"]


def test_a_run_whose_row_key_holds_nul_has_no_identity() -> None:
    run = TaskRun.from_dict(
        {"run_id": "trun_1", "status": "completed", "metadata": {"row_key": "a\x00b"}}
    )
    assert run_identity(run) is None


def test_a_retrys_identity_splits_back_into_its_key_and_attempt() -> None:
    run = TaskRun.from_dict(
        {"run_id": "trun_1", "status": "completed", "metadata": {"row_key": "a", "attempt": 2}}
    )
    ident = run_identity(run)
    assert ident is not None and split_identity(ident) == ("a", 2)
