from enum import Enum
from typing import Any


class TaskRunStatus(str, Enum):
    ACTION_REQUIRED = "action_required"
    CANCELLED = "cancelled"
    CANCELLING = "cancelling"
    COMPLETED = "completed"
    FAILED = "failed"
    QUEUED = "queued"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def of(cls, value: Any) -> "TaskRunStatus":
        """`TaskRunStatus(value)` (ValueError for a value no member has), faster."""
        member = _MEMBERS.get(value) if type(value) is str else None
        return member if member is not None else cls(value)


_MEMBERS: dict[str, TaskRunStatus] = {member.value: member for member in TaskRunStatus}
