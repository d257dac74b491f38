"""The prebuilt encoders write exactly the text of the encoders they stand for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup._json import compact, fast_compact, readable

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_a_results_line_is_the_text_json_dumps_writes(value: Any) -> None:
    assert readable(value) == json.dumps(value, ensure_ascii=False)


@given(json_values)
def test_fast_compact_writes_compacts_text_or_raises_its_error(value: Any) -> None:
    try:
        expected = compact(value)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc)):
            fast_compact(value)
    else:
        assert fast_compact(value) == expected


def test_a_circular_value_fails_as_json_dumps_fails() -> None:
    value: list[Any] = []
    value.append(value)
    with pytest.raises(ValueError, match="Circular reference"):
        readable(value)


def test_a_value_json_cannot_hold_fails_as_json_dumps_fails() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        readable({"when": object()})
