"""SSE parsing: same events under any chunk split, line ending, comments and retry fields."""

from __future__ import annotations

import json
from typing import Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup import ParallelError
from parallel_taskgroup.streaming.sse import DEFAULT_MAX_EVENT_BYTES, RawEvent, iter_sse

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


# -- the hot path against the SSE field rules ----------------------------------------------

_pieces = st.sampled_from(
    [
        b"\n",
        b"\r",
        b"\r\n",
        b"\n\n",
        b"event: task_run.state\n",
        b"event: \n",
        b"event:x\n",
        b"id: 1\n",
        b"id: a\0b\n",
        b"id:\n",
        b"retry: 5\n",
        b": keep-alive\n",
        b"data: ",
        b"data:",
        b'{"a": "\xc3\xa9\xe2\x9c\x93"}',
        b"[1,",
        b"2]",
        b"z",
        b" ",
        b"\xc3",
        b"\xa9",
        b"\xff",
    ]
)
_api_event = st.builds(
    lambda name, text: f"event: {name}\ndata: {json.dumps({'t': text}, ensure_ascii=False)}\n\n",
    st.sampled_from(["task_run.state", "task_group_status", ""]),
    st.text(max_size=8),
).map(str.encode)
_stream = st.lists(_pieces | _api_event, max_size=30).map(b"".join)


def by_the_field_rules(
    data: bytes, *, last_id: Optional[str], strict_end: bool, limit: int
) -> list[object]:
    """The events of the whole stream at once, block by block through the general parser: what
    any chunking must give (an error ends the list, as its type)."""
    from parallel_taskgroup import EventTooLargeError, TruncatedStreamError
    from parallel_taskgroup.streaming.sse import _has_fields, _parse_block

    *ended, rest = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n\n")
    out: list[object] = []
    for block in ended:
        if len(block) + 2 > limit:
            return [*out, EventTooLargeError]
        raw, last_id = _parse_block(block + b"\n\n", last_id)
        if raw is not None:
            out.append(raw)
    if len(rest) > limit:
        return [*out, EventTooLargeError]
    if strict_end and _has_fields(rest):
        out.append(TruncatedStreamError)
    return out


@given(
    _stream,
    st.lists(st.integers(0, 10**4), max_size=8),
    st.none() | st.just("seed"),
    st.booleans(),
    st.sampled_from([DEFAULT_MAX_EVENT_BYTES, 8, 30, 45, 60]),
)
def test_any_bytes_in_any_chunking_give_the_events_of_the_field_rules(
    data: bytes, cuts: list[int], last_id: Optional[str], strict_end: bool, limit: int
) -> None:
    got: list[object] = []
    try:
        for raw in iter_sse(
            split(data, cuts), last_id=last_id, strict_end=strict_end, max_event_bytes=limit
        ):
            got.append(raw)
    except ParallelError as exc:
        got.append(type(exc))
    assert got == by_the_field_rules(data, last_id=last_id, strict_end=strict_end, limit=limit)


def test_an_event_in_the_api_shape_counts_its_bytes_not_its_characters() -> None:
    from parallel_taskgroup import EventTooLargeError

    event = "event: e\ndata: ✓✓✓✓\n\n".encode()  # 21 characters, 29 bytes
    assert [e.data for e in iter_sse([event], max_event_bytes=29)] == ["✓✓✓✓"]
    with pytest.raises(EventTooLargeError):
        list(iter_sse([event], max_event_bytes=28))


def test_a_data_line_that_is_not_the_whole_json_text_is_the_data_line() -> None:
    events = list(iter_sse([b"event: e\ndata: [1,\n2]\n\n"]))
    assert events == [RawEvent("e", "[1,", None)]


def test_an_api_shaped_event_cut_after_its_id_line_waits_for_the_rest() -> None:
    chunks = [b"data: y\n\nevent: x\nid: 1", b"\ndata: z\n\n"]
    assert list(iter_sse(chunks)) == [RawEvent("message", "y"), RawEvent("x", "z", "1")]
    assert list(iter_sse(chunks[:1])) == [RawEvent("message", "y")]
