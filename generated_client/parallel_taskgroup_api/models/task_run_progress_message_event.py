from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_run_progress_message_event_type import (
    TaskRunProgressMessageEventType,
)
from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskRunProgressMessageEvent")


_TaskRunProgressMessageEvent_FIELDS = frozenset(
    (
        "type",
        "message",
        "timestamp",
    )
)


@_attrs_define(repr=False)
class TaskRunProgressMessageEvent:
    """A message for a task run progress update.

    Attributes:
        type_ (TaskRunProgressMessageEventType): Event type; always starts with 'task_run.progress_msg'.
        message (str | None | Unset): Progress update message.
        timestamp (None | str | Unset): Timestamp of the message.
    """

    type_: TaskRunProgressMessageEventType
    message: str | None | Unset = UNSET
    timestamp: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "type_",
                "message",
                "timestamp",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        message = self.message

        timestamp = self.timestamp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if message is not UNSET:
            field_dict["message"] = message
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        type_ = TaskRunProgressMessageEventType.of(src_dict["type"])

        message = src_dict.get("message", UNSET)

        timestamp = src_dict.get("timestamp", UNSET)

        _instance = cls(
            type_,
            message,
            timestamp,
        )

        if not _TaskRunProgressMessageEvent_FIELDS.issuperset(src_dict):
            _extra = {
                k: v for k, v in src_dict.items() if k not in _TaskRunProgressMessageEvent_FIELDS
            }
            _instance.additional_properties = _extra

        return _instance

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
