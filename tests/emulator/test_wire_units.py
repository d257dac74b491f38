"""Event ids, the older run shape and the id sequence, without a server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Optional

from hypothesis import given
from hypothesis import strategies as st
from taskgroup_emulator.config import EmulatorConfig
from taskgroup_emulator.ids import format_event_id, parse_event_id
from taskgroup_emulator.store import Store, _run_json_text
from taskgroup_emulator.wire import old_shape

MAX_SEQ = 2**63 - 1


@given(st.integers(0, MAX_SEQ))
def test_event_ids_round_trip_as_lowercase_hex(seq: int) -> None:
    event_id = format_event_id(seq)
    assert event_id == event_id.lower() and parse_event_id(event_id) == seq


@given(st.text(max_size=20))
def test_only_one_to_sixteen_lowercase_hex_digits_parse(text: str) -> None:
    stripped = text.strip()
    valid = 0 < len(stripped) <= 16 and all(c in "0123456789abcdef" for c in stripped)
    assert (parse_event_id(text) is not None) is valid


def test_parsed_ids_never_exceed_what_sqlite_can_store() -> None:
    assert parse_event_id("f" * 16) == MAX_SEQ


metadata = st.none() | st.dictionaries(
    st.sampled_from(["error", "warnings", "interaction_id", "k"]),
    st.text(max_size=8) | st.integers(),
    max_size=3,
)


@given(
    st.sampled_from(["queued", "running", "completed", "failed"]),
    metadata,
    st.none() | st.just('{"ref_id":"r","message":"m"}'),
)
def test_old_shape_drops_interaction_id_and_adds_null_warnings_and_error(
    status: str, meta: Optional[Any], error_json: Optional[str]
) -> None:
    run_id = "trun_" + "a" * 32
    text = _run_json_text(
        run_id,
        "tgrp_x",
        status,
        "lite",
        json.dumps(meta) if meta is not None else None,
        1.0,
        2.0,
        error_json,
    )
    current = json.loads(text)
    older = json.loads(old_shape(run_id, text, error_json is not None))
    expected = {k: v for k, v in current.items() if k != "interaction_id"}
    expected["warnings"] = None
    expected["error"] = current.get("error")
    assert older == expected


def test_ids_stay_above_every_stored_one_even_when_the_clock_is_behind(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=str(tmp_path / "db.sqlite"))
    future = int(time.time() * 1_000_000) + 3_600_000_000
    store = Store(config)
    store.conn.execute(
        "INSERT INTO events (seq, group_seq, type, payload) VALUES (?, 1, 'x', '{}')", (future,)
    )
    store.close()
    reopened = Store(config)
    try:
        first = reopened.create_group(None)
        added = reopened.add_runs(first, [{"input": "x", "processor": "lite"}], None)
        assert added.first_run_seq > future and added.status_event_seq > added.first_run_seq
    finally:
        reopened.close()
