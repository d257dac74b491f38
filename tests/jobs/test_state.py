"""The job's state file: atomic, round-trips, clear errors when damaged, paths relative to it,
what defines the job compared field by field, and never the key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from parallel_taskgroup import StateFileError
from parallel_taskgroup.jobs.state import JobDefinition, JobState, load_state, save_state

DEFINITION = JobDefinition(key_field="id", processor="base", task_spec="abc", input="file:123")


def state(cursor: str = "ev_9") -> JobState:
    return JobState("tgrp_1", DEFINITION, "out.jsonl.journal", "in.jsonl", cursor=cursor)


def test_state_round_trips(tmp_path: Path) -> None:
    path = str(tmp_path / "s.json")
    saved = state()  # one state: its created_at is the clock's second when it was made
    save_state(path, saved)
    loaded = load_state(path)
    assert loaded is not None and loaded.to_dict() == saved.to_dict()


def test_missing_state_file_means_a_new_job(tmp_path: Path) -> None:
    assert load_state(str(tmp_path / "none.json")) is None


def test_a_damaged_state_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{not json")
    with pytest.raises(StateFileError, match="damaged"):
        load_state(str(path))


def test_a_state_file_without_a_group_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    data = state().to_dict()
    data["group_id"] = "nope"
    path.write_text(json.dumps(data))
    with pytest.raises(StateFileError, match="group id"):
        load_state(str(path))


def test_saving_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = str(tmp_path / "s.json")
    for cursor in ("a", "b", "c"):
        save_state(path, state(cursor))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_the_journal_path_is_relative_so_a_moved_folder_still_finds_it(tmp_path: Path) -> None:
    first, moved = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    save_state(str(first / "out.jsonl.state.json"), state())
    os.rename(first, moved)
    loaded = load_state(str(moved / "out.jsonl.state.json"))
    assert loaded is not None
    assert loaded.journal_path(str(moved / "out.jsonl.state.json")) == str(
        moved / "out.jsonl.journal"
    )


def test_each_difference_of_a_definition_is_named() -> None:
    other = JobDefinition(key_field="name", processor="pro", task_spec="xyz", input="file:9")
    found = DEFINITION.differences(other, input_may_differ=False)
    assert found == [
        "the key (--key id then, --key name now)",
        "the processor (base then, pro now)",
        "the task spec",
        "the input rows",
    ]
    assert "the input rows" not in DEFINITION.differences(other, input_may_differ=True)


def test_the_state_file_never_holds_the_api_key(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    save_state(str(path), state())
    assert "key" not in json.loads(path.read_text()).keys() - {"key_field"}
