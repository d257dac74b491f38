from enum import Enum
from typing import Any


class WebhookEventTypesItem(str, Enum):
    TASK_RUN_STATUS = "task_run.status"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def of(cls, value: Any) -> "WebhookEventTypesItem":
        """`WebhookEventTypesItem(value)` (ValueError for a value no member has), faster."""
        member = _MEMBERS.get(value) if type(value) is str else None
        return member if member is not None else cls(value)


_MEMBERS: dict[str, WebhookEventTypesItem] = {
    member.value: member for member in WebhookEventTypesItem
}
