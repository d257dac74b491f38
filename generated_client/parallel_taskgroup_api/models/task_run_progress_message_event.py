from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_run_progress_message_event_type import (
    TaskRunProgressMessageEventType,
)

T = TypeVar("T", bound="TaskRunProgressMessageEvent")


@_attrs_define
class TaskRunProgressMessageEvent:
    """A message for a task run progress update.

    Attributes:
        type_ (TaskRunProgressMessageEventType): Event type; always starts with 'task_run.progress_msg'.
        message (str): Progress update message.
        timestamp (None | str): Timestamp of the message.
    """

    type_: TaskRunProgressMessageEventType
    message: str
    timestamp: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        message = self.message

        timestamp: None | str
        timestamp = self.timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "message": message,
                "timestamp": timestamp,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = TaskRunProgressMessageEventType(d.pop("type"))

        message = d.pop("message")

        def _parse_timestamp(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        timestamp = _parse_timestamp(d.pop("timestamp"))

        task_run_progress_message_event = cls(
            type_=type_,
            message=message,
            timestamp=timestamp,
        )

        task_run_progress_message_event.additional_properties = d
        return task_run_progress_message_event

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
