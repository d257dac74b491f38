from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.task_group_status import TaskGroupStatus


T = TypeVar("T", bound="TaskGroupRunResponse")


@_attrs_define
class TaskGroupRunResponse:
    """Response from adding new task runs to a task group.

    Attributes:
        status (TaskGroupStatus): Status of a task group.
        run_ids (list[str]): IDs of the newly created runs.
        run_cursor (None | str): Cursor for these runs in the run stream at taskgroup/runs?last_event_id=<run_cursor>.
            Empty for the first runs in the group.
        event_cursor (None | str): Cursor for these runs in the event stream at
            taskgroup/events?last_event_id=<event_cursor>. Empty for the first runs in the group.
    """

    status: TaskGroupStatus
    run_ids: list[str]
    run_cursor: None | str
    event_cursor: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status.to_dict()

        run_ids = self.run_ids

        run_cursor: None | str
        run_cursor = self.run_cursor

        event_cursor: None | str
        event_cursor = self.event_cursor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "run_ids": run_ids,
                "run_cursor": run_cursor,
                "event_cursor": event_cursor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task_group_status import TaskGroupStatus

        d = dict(src_dict)
        status = TaskGroupStatus.from_dict(d.pop("status"))

        run_ids = cast(list[str], d.pop("run_ids"))

        def _parse_run_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        run_cursor = _parse_run_cursor(d.pop("run_cursor"))

        def _parse_event_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_cursor = _parse_event_cursor(d.pop("event_cursor"))

        task_group_run_response = cls(
            status=status,
            run_ids=run_ids,
            run_cursor=run_cursor,
            event_cursor=event_cursor,
        )

        task_group_run_response.additional_properties = d
        return task_group_run_response

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
