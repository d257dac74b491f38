from enum import StrEnum


class WebhookEventTypesItem(StrEnum):
    TASK_RUN_STATUS = "task_run.status"

    def __str__(self) -> str:
        return str(self.value)
