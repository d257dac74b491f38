"""The state file of `taskgroup run`: which group, which journal, how far the stream was read.

Written atomically (temp file, fsync, rename), so a crash leaves either the old or the new
state. It never holds the API key.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from .._fs import atomic_write
from ..errors import StateFileError

__all__ = ["RunState", "default_journal_path", "default_state_path", "load_state", "save_state"]

STATE_VERSION = 1


class RunState:
    """What a resumed `taskgroup run` needs to continue where the last one stopped."""

    def __init__(
        self,
        group_id: str,
        journal: str,
        input_path: str,
        key_field: Optional[str],
        cursor: Optional[str] = None,
        base_url: Optional[str] = None,
        api_version: Optional[str] = None,
        submitted_all: bool = False,
    ) -> None:
        self.group_id = group_id
        self.journal = journal
        self.input_path = input_path
        self.key_field = key_field
        self.cursor = cursor
        self.base_url = base_url
        self.api_version = api_version
        self.submitted_all = submitted_all

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "group_id": self.group_id,
            "journal": self.journal,
            "input": self.input_path,
            "key_field": self.key_field,
            "cursor": self.cursor,
            "base_url": self.base_url,
            "api_version": self.api_version,
            "submitted_all": self.submitted_all,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> RunState:
        if data.get("version") != STATE_VERSION:
            raise StateFileError(
                f"{where}: unknown state file version {data.get('version')!r}; "
                "delete it to start a new run"
            )
        try:
            group_id = data["group_id"]
            journal = data["journal"]
            input_path = data["input"]
        except KeyError as exc:
            raise StateFileError(f"{where}: state file lacks {exc.args[0]!r}") from None
        if not isinstance(group_id, str) or not isinstance(journal, str):
            raise StateFileError(f"{where}: state file has a malformed group id or journal path")
        cursor = data.get("cursor")
        key_field = data.get("key_field")
        return cls(
            group_id=group_id,
            journal=journal,
            input_path=str(input_path),
            key_field=key_field if isinstance(key_field, str) else None,
            cursor=cursor if isinstance(cursor, str) else None,
            base_url=data.get("base_url") if isinstance(data.get("base_url"), str) else None,
            api_version=(
                data.get("api_version") if isinstance(data.get("api_version"), str) else None
            ),
            submitted_all=bool(data.get("submitted_all", False)),
        )


def default_state_path(results_path: str) -> str:
    """The state file that goes with a results file: RESULTS.state.json."""
    return results_path + ".state.json"


def default_journal_path(results_path: str) -> str:
    """The submission journal that goes with a results file: RESULTS.journal."""
    return results_path + ".journal"


def load_state(path: str) -> Optional[RunState]:
    """The state at `path`, or None if there is no such file."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as exc:
        raise StateFileError(
            f"{path}: state file is not valid JSON ({exc.msg}, line {exc.lineno}); "
            "delete it to start a new run"
        ) from None
    except OSError as exc:
        raise StateFileError(f"{path}: cannot read state file ({exc.strerror or exc})") from None
    if not isinstance(data, dict):
        raise StateFileError(f"{path}: state file is not a JSON object; delete it to start over")
    return RunState.from_dict(data, path)


def save_state(path: str, state: RunState) -> None:
    """Write `state` to `path` atomically."""
    data = json.dumps(state.to_dict(), indent=2, sort_keys=True) + "\n"
    try:
        atomic_write(path, data.encode("utf-8"))
    except OSError as exc:
        raise StateFileError(f"{path}: cannot write state file ({exc.strerror or exc})") from None
