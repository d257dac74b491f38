from enum import Enum


class WebhookEventTypesItem(str, Enum):
    TASK_RUN_STATUS = "task_run.status"

    def __str__(self) -> str:
        return str(self.value)
