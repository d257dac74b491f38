from enum import StrEnum


class StreamTaskGroupRunsStatusType0(StrEnum):
    ACTION_REQUIRED = "action_required"
    CANCELLED = "cancelled"
    CANCELLING = "cancelling"
    COMPLETED = "completed"
    FAILED = "failed"
    QUEUED = "queued"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
