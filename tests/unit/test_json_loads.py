"""Reading stream events: the ``fast`` extra (msgspec) changes the speed, never the values, and
the standard library reads them alone when it is not installed."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import _json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values, st.booleans(), st.sampled_from([None, 2]))
def test_any_json_text_reads_as_json_loads_reads_it(
    value: Any, ascii_only: bool, indent: Any
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert _json.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 123456789012345678901234567890}',  # beyond 64 bits
        '{"s": "\\ud800 alone"}',  # a lone surrogate escape
        '{"a": 1, "a": 2}',  # a repeated key: the last wins
        '  {"padded": true}\n ',
        '{"deep": ' + "[" * 1500 + "]" * 1500 + "}",
    ],
)
def test_what_the_c_parser_refuses_reads_as_the_standard_library_reads_it(text: str) -> None:
    try:
        expected = json.loads(text)
    except RecursionError:
        with pytest.raises(RecursionError):
            _json.loads(text)
        return
    assert _json.loads(text) == expected


def test_nan_and_infinity_read_as_json_loads_reads_them() -> None:
    value = _json.loads('{"x": NaN, "y": Infinity}')
    assert math.isnan(value["x"]) and value["y"] == math.inf


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "[1,]", "nul"])
def test_text_that_is_not_json_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        _json.loads(text)


def test_without_the_fast_extra_the_standard_library_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec raises ImportError
    monkeypatch.setitem(sys.modules, "msgspec.json", None)
    loads = _json._make_loads()
    assert loads is _json._stdlib_loads
    assert loads('{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}


def test_with_the_fast_extra_installed_it_is_used() -> None:
    pytest.importorskip("msgspec")
    assert _json._make_loads() is not _json._stdlib_loads
