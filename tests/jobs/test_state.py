"""State file: atomic, round-trips, clear errors when damaged, never holds the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from parallel_taskgroup.errors import StateFileError as StateError
from parallel_taskgroup.jobs.state import RunState, load_state, save_state


def test_state_round_trips(tmp_path: Path) -> None:
    path = str(tmp_path / "s.json")
    state = RunState("tgrp_1", "j", "in.jsonl", "id", cursor="ev_9", submitted_all=True)
    save_state(path, state)
    loaded = load_state(path)
    assert loaded is not None
    assert loaded.to_dict() == state.to_dict()


def test_missing_state_file_means_a_new_run(tmp_path: Path) -> None:
    assert load_state(str(tmp_path / "none.json")) is None


def test_damaged_state_file_says_how_to_start_over(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{not json")
    with pytest.raises(StateError, match="not valid JSON.*delete it"):
        load_state(str(path))


def test_saving_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = str(tmp_path / "s.json")
    for cursor in ("a", "b", "c"):
        save_state(path, RunState("tgrp_1", "j", "in", None, cursor=cursor))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
