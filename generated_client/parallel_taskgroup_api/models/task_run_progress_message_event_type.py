from enum import Enum


class TaskRunProgressMessageEventType(str, Enum):
    TASK_RUN_PROGRESS_MSG_EXEC_STATUS = "task_run.progress_msg.exec_status"
    TASK_RUN_PROGRESS_MSG_PLAN = "task_run.progress_msg.plan"
    TASK_RUN_PROGRESS_MSG_RESULT = "task_run.progress_msg.result"
    TASK_RUN_PROGRESS_MSG_SEARCH = "task_run.progress_msg.search"
    TASK_RUN_PROGRESS_MSG_TOOL_CALL = "task_run.progress_msg.tool_call"

    def __str__(self) -> str:
        return str(self.value)
