"""The state file of a job (``RESULTS.state.json``): its group, what defines it, where it is.

Small, human-readable JSON, written atomically. It never holds the API key. Paths in it are
relative to its own folder, so a job's folder can be moved and the job resumed there.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from typing import Any, Optional

import attrs

from .._fs import atomic_write
from .._json import canonical
from ..errors import StateFileError

__all__ = [
    "JobDefinition",
    "JobState",
    "default_journal_path",
    "default_lock_path",
    "default_state_path",
    "load_state",
    "save_state",
    "spec_digest",
]

STATE_VERSION = 2


def default_state_path(results_path: str) -> str:
    """The state file of a results file: ``RESULTS.state.json``."""
    return results_path + ".state.json"


def default_journal_path(results_path: str) -> str:
    """The job journal of a results file: ``RESULTS.journal``."""
    return results_path + ".journal"


def default_lock_path(results_path: str) -> str:
    """The lock file of a results file: ``RESULTS.lock``."""
    return results_path + ".lock"


def spec_digest(spec: Optional[Any]) -> str:
    """A fingerprint of a task spec (empty for none)."""
    if spec is None:
        return ""
    return hashlib.sha256(canonical(spec).encode("utf-8")).hexdigest()[:16]


@attrs.frozen
class JobDefinition:
    """What makes a job this job: a rerun that differs in any of these is another job."""

    key_field: Optional[str]
    processor: str
    task_spec: str
    """:func:`spec_digest` of the task spec."""
    input: str
    """A fingerprint of the input's rows."""

    def differences(self, other: JobDefinition, *, input_may_differ: bool) -> list[str]:
        """What ``other`` changes, one phrase each."""
        found = []
        if self.key_field != other.key_field:
            was = f"--key {self.key_field}" if self.key_field else "no --key"
            now = f"--key {other.key_field}" if other.key_field else "no --key"
            found.append(f"the key ({was} then, {now} now)")
        if self.processor != other.processor:
            found.append(f"the processor ({self.processor} then, {other.processor} now)")
        if self.task_spec != other.task_spec:
            found.append("the task spec")
        if self.input != other.input and not input_may_differ:
            found.append("the input rows")
        return found


@attrs.define
class JobState:
    """What a resumed job needs to continue where the last session stopped."""

    group_id: Optional[str]
    """None until the group is created (a session that failed to create it left the rest)."""
    definition: JobDefinition
    journal: str
    """The job journal's path, relative to the state file's folder."""
    input_name: str
    created_at: str = attrs.field(
        factory=lambda: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    )
    cursor: Optional[str] = None
    """Where reading the group's events resumes."""
    submitted_all: bool = False
    base_url: Optional[str] = None
    api_version: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "group_id": self.group_id,
            "definition": attrs.asdict(self.definition),
            "journal": self.journal,
            "input": self.input_name,
            "created_at": self.created_at,
            "cursor": self.cursor,
            "submitted_all": self.submitted_all,
            "base_url": self.base_url,
            "api_version": self.api_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> JobState:
        if data.get("version") != STATE_VERSION:
            raise StateFileError(
                f"{where}: state file version {data.get('version')!r} is not this client's "
                f"({STATE_VERSION})"
            )
        try:
            definition = JobDefinition(**data["definition"])
            state = cls(
                group_id=data["group_id"],
                definition=definition,
                journal=data["journal"],
                input_name=str(data.get("input", "")),
                created_at=str(data.get("created_at", "")),
                cursor=data.get("cursor"),
                submitted_all=bool(data.get("submitted_all", False)),
                base_url=data.get("base_url"),
                api_version=data.get("api_version"),
            )
        except (KeyError, TypeError) as exc:
            raise StateFileError(f"{where}: state file lacks or mangles {exc}") from None
        if state.group_id is not None and (
            not isinstance(state.group_id, str) or not state.group_id.startswith("tgrp_")
        ):
            raise StateFileError(f"{where}: state file has no valid group id")
        if state.cursor is not None and not isinstance(state.cursor, str):
            state.cursor = None
        return state

    def journal_path(self, state_path: str) -> str:
        """The journal's path, resolved against the state file's folder."""
        return os.path.join(os.path.dirname(os.path.abspath(state_path)), self.journal)


def load_state(path: str) -> Optional[JobState]:
    """The state at ``path``; ``None`` if there is no such file. A damaged file is a
    StateFileError (the job can be re-attached to its group with ``--group``)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        raise StateFileError(f"{path}: state file is damaged ({exc})") from None
    except OSError as exc:
        raise StateFileError(
            f"{path}: cannot read the state file ({exc.strerror or exc})"
        ) from None
    if not isinstance(data, dict):
        raise StateFileError(f"{path}: state file is damaged (not a JSON object)")
    return JobState.from_dict(data, path)


def save_state(path: str, state: JobState) -> None:
    """Write ``state`` to ``path`` atomically (an OSError, e.g. a full disk, propagates)."""
    data = json.dumps(state.to_dict(), indent=2, sort_keys=True) + "\n"
    atomic_write(path, data.encode("utf-8"))
