"""SSE parsing: same events under any chunk split, line ending, comments and retry fields."""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup.streaming.sse import RawEvent, iter_sse

# Field values: no line breaks (they end a line) and no NUL (an id with NUL is ignored).
_value = st.text(
    st.characters(blacklist_characters="\r\n\x00", blacklist_categories=("Cs",)), max_size=12
)
_name = _value.filter(lambda s: s != "" and not s.startswith(" "))


@st.composite
def sse_blocks(draw: st.DrawFn) -> list[dict[str, object]]:
    blocks = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 5)) == 0:
            blocks.append({"retry_only": draw(st.integers(0, 10**6))})
            continue
        if draw(st.integers(0, 4)) == 0:  # an idle stream's keep-alive: a comment-only block
            blocks.append({"keepalive": draw(_value)})
            continue
        blocks.append(
            {
                "event": draw(st.none() | _name),
                "data": draw(st.lists(_value, min_size=1, max_size=3)),
                "id": draw(st.none() | _value),
                "retry": draw(st.none() | st.integers(0, 10**6)),
                "comment": draw(st.none() | _value),
            }
        )
    return blocks


def serialize(blocks: list[dict[str, object]], eol: str) -> bytes:
    out: list[str] = []
    for b in blocks:
        if "retry_only" in b:
            out.append(f"retry: {b['retry_only']}{eol}{eol}")
            continue
        if "keepalive" in b:
            out.append(f":{b['keepalive']}{eol}{eol}")
            continue
        lines = []
        if b["comment"] is not None:
            lines.append(f":{b['comment']}")
        if b["event"] is not None:
            lines.append(f"event: {b['event']}")
        if b["id"] is not None:
            lines.append(f"id: {b['id']}")
        if b["retry"] is not None:
            lines.append(f"retry: {b['retry']}")
        lines += [f"data: {d}" for d in b["data"]]  # type: ignore[attr-defined]
        out.append(eol.join(lines) + eol + eol)
    return "".join(out).encode()


def expected(blocks: list[dict[str, object]]) -> list[RawEvent]:
    events = []
    last_id: Optional[str] = None
    for b in blocks:
        if "retry_only" in b:
            events.append(RawEvent("", "", last_id, b["retry_only"]))  # type: ignore[arg-type]
            continue
        if "keepalive" in b:
            continue
        if b["id"] is not None:
            last_id = b["id"]  # type: ignore[assignment]
        events.append(
            RawEvent(
                b["event"] or "message",  # type: ignore[arg-type]
                "\n".join(b["data"]),  # type: ignore[arg-type]
                last_id,
                b["retry"],  # type: ignore[arg-type]
            )
        )
    return events


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    chunks, start = [], 0
    for p in points:
        chunks.append(data[start:p])
        start = p
    chunks.append(data[start:])
    return chunks


@given(sse_blocks(), st.sampled_from(["\n", "\r\n", "\r"]), st.lists(st.integers(0, 10**6)))
def test_any_chunk_split_and_line_ending_yield_the_same_events(
    blocks: list[dict[str, object]], eol: str, cuts: list[int]
) -> None:
    data = serialize(blocks, eol)
    assert list(iter_sse(split(data, cuts))) == expected(blocks)


@given(sse_blocks(), st.sampled_from(["\n", "\r\n", "\r"]), st.integers(0, 10**6))
def test_truncated_stream_yields_only_complete_events(
    blocks: list[dict[str, object]], eol: str, cut: int
) -> None:
    data = serialize(blocks, eol)
    cut %= len(data) + 1
    got = list(iter_sse([data[:cut]]))
    # Complete events are a prefix of the full sequence; a half-sent event is never dispatched.
    assert got == expected(blocks)[: len(got)]
    # A CR ends a line even where the LF of a CRLF may follow, so a blank line ended by CR
    # ends its event.
    full_blocks = data[:cut].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n\n")
    assert len(got) <= full_blocks


def test_id_persists_across_events() -> None:
    data = b"id: 7\ndata: a\n\ndata: b\n\n"
    assert [e.id for e in iter_sse([data])] == ["7", "7"]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert next(iter_sse([b"data: a\ndata:b\ndata\n\n"])).data == "a\nb\n"


def test_comment_only_blocks_are_not_dispatched() -> None:
    assert list(iter_sse([b": keepalive\n\n:another\n\n"])) == []


def test_unknown_fields_are_ignored() -> None:
    assert list(iter_sse([b"foo: bar\ndata: x\n\n"])) == [RawEvent("message", "x")]


def test_retry_must_be_digits() -> None:
    assert next(iter_sse([b"retry: soon\ndata: x\n\n"])).retry is None


def test_utf8_split_inside_a_character_is_reassembled() -> None:
    data = "data: héllo ✓\n\n".encode()
    assert next(iter_sse([data[:8], data[8:9], data[9:]])).data == "héllo ✓"


def test_seeded_last_id_is_used_until_a_new_id_arrives() -> None:
    assert next(iter_sse([b"data: x\n\n"], last_id="41")).id == "41"


def test_strict_end_raises_for_a_body_that_stops_mid_event() -> None:
    from parallel_taskgroup import TruncatedStreamError

    chunks = [b'id: 1\ndata: {"a": 1}\n\n', b'id: 2\ndata: {"a"']
    events = iter_sse(chunks, strict_end=True)
    assert next(events).id == "1"
    with pytest.raises(TruncatedStreamError) as info:
        next(events)
    assert info.value.event_id == "1"


def test_strict_end_accepts_a_trailing_blank_line_or_comment() -> None:
    chunks = [b'data: {"a": 1}\n\n', b"\n: keep-alive\n"]
    assert [e.data for e in iter_sse(chunks, strict_end=True)] == ['{"a": 1}']


def test_without_strict_end_a_half_event_at_the_end_is_dropped() -> None:
    chunks = [b'data: {"a": 1}\n\n', b'data: {"a"']
    assert [e.data for e in iter_sse(chunks)] == ['{"a": 1}']


_FIELD_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30
)


@given(
    _FIELD_TEXT,
    st.one_of(st.none(), _FIELD_TEXT),
    _FIELD_TEXT,
    st.sampled_from([b"\n\n", b"\n", b"\nX", b""]),
)
def test_the_fast_path_agrees_with_the_general_parser(
    event: str, event_id: Optional[str], data: str, ending: bytes
) -> None:
    block = f"event: {event}\n".encode()
    if event_id is not None:
        block += f"id: {event_id}\n".encode()
    block += f"data: {data}".encode() + ending
    fast = list(iter_sse([block]))
    # The same block behind a comment line never takes the fast path.
    general = list(iter_sse([b": c\n" + block]))
    assert fast == general


def test_a_crlf_split_between_chunks_is_one_line_end() -> None:
    events = list(iter_sse([b"data: a\r", b"\ndata: b\r\n\r\n"]))
    assert events == [RawEvent("message", "a\nb", None)]


def test_a_cr_line_end_then_a_crlf_blank_line_ends_the_event_in_any_chunking() -> None:
    stream = b"data: a\r\r\ndata: b\n\n"
    whole = list(iter_sse([stream]))
    assert whole == [RawEvent("message", "a", None), RawEvent("message", "b", None)]
    for cut in range(len(stream) + 1):
        assert list(iter_sse([stream[:cut], stream[cut:]])) == whole
