from enum import Enum


class StreamTaskGroupRunsStatusType0(str, Enum):
    ACTION_REQUIRED = "action_required"
    CANCELLED = "cancelled"
    CANCELLING = "cancelling"
    COMPLETED = "completed"
    FAILED = "failed"
    QUEUED = "queued"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
