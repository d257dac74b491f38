from enum import Enum
from typing import Any


class TaskRunProgressMessageEventType(str, Enum):
    TASK_RUN_PROGRESS_MSG_EXEC_STATUS = "task_run.progress_msg.exec_status"
    TASK_RUN_PROGRESS_MSG_PLAN = "task_run.progress_msg.plan"
    TASK_RUN_PROGRESS_MSG_RESULT = "task_run.progress_msg.result"
    TASK_RUN_PROGRESS_MSG_SEARCH = "task_run.progress_msg.search"
    TASK_RUN_PROGRESS_MSG_TOOL_CALL = "task_run.progress_msg.tool_call"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def of(cls, value: Any) -> "TaskRunProgressMessageEventType":
        """`TaskRunProgressMessageEventType(value)` (ValueError for a value no member has), faster."""
        member = _MEMBERS.get(value) if type(value) is str else None
        return member if member is not None else cls(value)


_MEMBERS: dict[str, TaskRunProgressMessageEventType] = {
    member.value: member for member in TaskRunProgressMessageEventType
}
