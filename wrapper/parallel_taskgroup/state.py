"""The state file of `taskgroup run`: which group, which journal, how far the stream was read.

Written atomically (temp file, fsync, rename), so a crash leaves either the old or the new
state. It never holds the API key.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from typing import Any, Optional

STATE_VERSION = 1


class StateError(Exception):
    """The state file is unreadable or belongs to a different run; the message says what to do."""


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
            raise StateError(
                f"{where}: unknown state file version {data.get('version')!r}; "
                "delete it to start a new run"
            )
        try:
            group_id = data["group_id"]
            journal = data["journal"]
            input_path = data["input"]
        except KeyError as exc:
            raise StateError(f"{where}: state file lacks {exc.args[0]!r}") from None
        if not isinstance(group_id, str) or not isinstance(journal, str):
            raise StateError(f"{where}: state file has a malformed group id or journal path")
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
        raise StateError(
            f"{path}: state file is not valid JSON ({exc.msg}, line {exc.lineno}); "
            "delete it to start a new run"
        ) from None
    except OSError as exc:
        raise StateError(f"{path}: cannot read state file ({exc.strerror or exc})") from None
    if not isinstance(data, dict):
        raise StateError(f"{path}: state file is not a JSON object; delete it to start over")
    return RunState.from_dict(data, path)


def write_json_atomic(path: str, data: dict[str, Any]) -> None:
    """Replace `path` with `data` as JSON, atomically and durably."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def save_state(path: str, state: RunState) -> None:
    """Write `state` to `path` atomically."""
    try:
        write_json_atomic(path, state.to_dict())
    except OSError as exc:
        raise StateError(f"{path}: cannot write state file ({exc.strerror or exc})") from None


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
