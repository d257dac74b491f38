from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    TypeVar,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskGroupStatusEvent")


_TaskGroupStatusEvent_FIELDS = frozenset(
    (
        "type",
        "event_id",
        "status",
    )
)


@_attrs_define(repr=False)
class TaskGroupStatusEvent:
    """Event indicating an update to group status.

    Attributes:
        type_ (Literal['task_group_status']): Event type; always 'task_group_status'.
        event_id (str | None | Unset): Cursor to resume the event stream.
        status (TaskGroupStatus): Status of a task group.
    """

    type_: Literal["task_group_status"]
    status: TaskGroupStatus
    event_id: str | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "type_",
                "event_id",
                "status",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        event_id = self.event_id

        status = self.status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "status": status,
            }
        )
        if event_id is not UNSET:
            field_dict["event_id"] = event_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        type_ = src_dict["type"]
        if type_ != "task_group_status":
            raise ValueError(f"type must match const 'task_group_status', got '{type_}'")

        event_id = src_dict.get("event_id", UNSET)

        status = TaskGroupStatus.from_dict(src_dict["status"])

        _instance = cls(
            type_,
            status,
            event_id,
        )

        if not _TaskGroupStatusEvent_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskGroupStatusEvent_FIELDS}
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


from ..models.task_group_status import TaskGroupStatus  # noqa: E402
