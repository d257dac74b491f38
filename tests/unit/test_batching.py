"""Chunking of encoded run inputs by count and exact request bytes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import RowError
from parallel_taskgroup._json import compact
from parallel_taskgroup.submission.batches import BodyLayout, chunk_by_limits

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=8,
)


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=50), max_size=60),
    max_items=st.integers(min_value=1, max_value=12),
    overhead=st.integers(min_value=0, max_value=20),
    slack=st.integers(min_value=0, max_value=120),
)
def test_chunks_concatenate_to_input_and_respect_both_limits(
    sizes: list[int], max_items: int, overhead: int, slack: int
) -> None:
    max_bytes = overhead + max(sizes, default=0) + slack + 1
    items = list(enumerate(sizes))
    chunks = list(
        chunk_by_limits(
            iter(items),
            max_items=max_items,
            max_bytes=max_bytes,
            size=lambda it: it[1],
            overhead=overhead,
        )
    )
    assert [it for c in chunks for it in c] == items
    for c in chunks:
        assert 1 <= len(c) <= max_items
        assert overhead + sum(s for _, s in c) + len(c) - 1 <= max_bytes


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=50), min_size=2, max_size=40),
    max_items=st.integers(min_value=1, max_value=12),
)
def test_each_chunk_is_full_unless_the_next_item_would_not_fit(
    sizes: list[int], max_items: int
) -> None:
    max_bytes = max(sizes) + 60
    chunks = list(
        chunk_by_limits(sizes, max_items=max_items, max_bytes=max_bytes, size=lambda s: s)
    )
    for c, nxt in zip(chunks, chunks[1:]):
        full = len(c) == max_items
        over = sum(c) + len(c) + nxt[0] > max_bytes
        assert full or over


@given(
    inputs=st.lists(json_values, max_size=20),
    extra=st.dictionaries(
        st.text(max_size=8).filter(lambda name: name != "inputs"), json_values, max_size=3
    ),
)
def test_body_layout_size_is_the_exact_length_of_the_built_body(
    inputs: list[object], extra: dict[str, object]
) -> None:
    layout = BodyLayout(extra)
    parts = [compact(v).encode() for v in inputs]
    body = layout.build(parts)
    assert layout.size(parts) == len(body)
    assert json.loads(body) == {"inputs": inputs, **extra}


def test_a_body_layout_refuses_extra_fields_that_set_the_inputs() -> None:
    with pytest.raises(ValueError, match="must not set 'inputs'"):
        BodyLayout({"inputs": []})


def test_add_runs_sends_exactly_the_bytes_it_measured() -> None:
    import httpx
    from parallel_taskgroup import Client

    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        n = len(json.loads(request.content)["inputs"])
        return httpx.Response(200, json={"run_ids": [f"r{i}" for i in range(n)]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = Client(api_key="k", base_url="https://api.example.test", http_client=http)
    inputs = [{"input": "é ✓", "processor": "base"}, {"input": "x"}]
    spec = {"output_schema": "a"}
    group = client.group("tgrp_1", processor="base", task_spec=spec)
    group.add_runs(inputs, key=lambda row: row["input"], skip_existing=False)
    layout = BodyLayout({"default_task_spec": spec})
    parts = [
        compact({"input": row, "processor": "base", "metadata": {"row_key": row["input"]}}).encode()
        for row in inputs
    ]
    assert sent == [layout.build(parts)]
    assert layout.size(parts) == len(sent[0])


def test_chunking_reads_the_input_lazily() -> None:
    consumed: list[int] = []

    def rows():  # type: ignore[no-untyped-def]
        for i in range(10_000_000):
            consumed.append(i)
            yield i

    first = next(chunk_by_limits(rows(), max_items=3, max_bytes=1000, size=lambda _: 1))
    assert first == [0, 1, 2]
    assert len(consumed) == 3  # full by count: yielded without reading ahead


def test_empty_input_gives_no_chunks() -> None:
    assert list(chunk_by_limits([], max_items=5, max_bytes=10, size=len)) == []


def test_an_item_too_large_for_any_request_is_reported_by_index() -> None:
    with pytest.raises(RowError) as info:
        list(chunk_by_limits([b"a", b"toolong"], max_items=5, max_bytes=10, size=len, overhead=4))
    assert info.value.position == 1
    assert "max_batch_bytes" in str(info.value)


def test_chunks_before_an_oversized_item_are_yielded_first() -> None:
    gen = chunk_by_limits([b"aa", b"bb", b"c" * 50], max_items=2, max_bytes=10, size=len)
    assert next(gen) == [b"aa", b"bb"]
    with pytest.raises(RowError):
        next(gen)


@pytest.mark.parametrize(
    "kwargs", [{"max_items": 0, "max_bytes": 10}, {"max_items": 1, "max_bytes": 0}]
)
def test_limits_below_one_are_rejected(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        list(chunk_by_limits([b"a"], size=len, **kwargs))
