from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskGroupRunResponse")


_TaskGroupRunResponse_FIELDS = frozenset(
    (
        "status",
        "run_ids",
        "run_cursor",
        "event_cursor",
    )
)


@_attrs_define(repr=False)
class TaskGroupRunResponse:
    """Response from adding new task runs to a task group.

    Attributes:
        status (TaskGroupStatus | None | Unset): Status of a task group.
        run_ids (list[str]): IDs of the newly created runs.
        run_cursor (None | str | Unset): Cursor for these runs in the run stream at
            taskgroup/runs?last_event_id=<run_cursor>. Empty for the first runs in the group.
        event_cursor (None | str | Unset): Cursor for these runs in the event stream at
            taskgroup/events?last_event_id=<event_cursor>. Empty for the first runs in the group.
    """

    run_ids: list[str]
    status: TaskGroupStatus | None | Unset = UNSET
    run_cursor: None | str | Unset = UNSET
    event_cursor: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "status",
                "run_ids",
                "run_cursor",
                "event_cursor",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        status: dict[str, Any] | None | Unset
        if self.status is None or isinstance(self.status, Unset):
            status = self.status
        else:
            status = self.status.to_dict()

        run_ids = self.run_ids

        run_cursor = self.run_cursor

        event_cursor = self.event_cursor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "run_ids": run_ids,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if run_cursor is not UNSET:
            field_dict["run_cursor"] = run_cursor
        if event_cursor is not UNSET:
            field_dict["event_cursor"] = event_cursor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _status_raw = src_dict.get("status", UNSET)
        _status_value: TaskGroupStatus | None | Unset
        if _status_raw is None or _status_raw is UNSET:
            _status_value = _status_raw
        else:
            _status_value = TaskGroupStatus.from_dict(_status_raw)

        run_ids = src_dict["run_ids"]

        run_cursor = src_dict.get("run_cursor", UNSET)

        event_cursor = src_dict.get("event_cursor", UNSET)

        _instance = cls(
            run_ids,
            _status_value,
            run_cursor,
            event_cursor,
        )

        if not _TaskGroupRunResponse_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskGroupRunResponse_FIELDS}
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
