from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.task_group_status_task_run_status_counts import (
        TaskGroupStatusTaskRunStatusCounts,
    )


T = TypeVar("T", bound="TaskGroupStatus")


@_attrs_define
class TaskGroupStatus:
    """Status of a task group.

    Attributes:
        num_task_runs (int): Number of task runs in the group.
        task_run_status_counts (TaskGroupStatusTaskRunStatusCounts): Number of task runs with each status.
        is_active (bool): True if at least one run in the group is currently active, i.e. status is one of
            {'cancelling', 'queued', 'running'}.
        status_message (None | str): Human-readable status message for the group.
        modified_at (None | str): Timestamp of the last status update to the group, as an RFC 3339 string.
    """

    num_task_runs: int
    task_run_status_counts: TaskGroupStatusTaskRunStatusCounts
    is_active: bool
    status_message: None | str
    modified_at: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        num_task_runs = self.num_task_runs

        task_run_status_counts = self.task_run_status_counts.to_dict()

        is_active = self.is_active

        status_message: None | str
        status_message = self.status_message

        modified_at: None | str
        modified_at = self.modified_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "num_task_runs": num_task_runs,
                "task_run_status_counts": task_run_status_counts,
                "is_active": is_active,
                "status_message": status_message,
                "modified_at": modified_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task_group_status_task_run_status_counts import (
            TaskGroupStatusTaskRunStatusCounts,
        )

        d = dict(src_dict)
        num_task_runs = d.pop("num_task_runs")

        task_run_status_counts = TaskGroupStatusTaskRunStatusCounts.from_dict(
            d.pop("task_run_status_counts")
        )

        is_active = d.pop("is_active")

        def _parse_status_message(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status_message = _parse_status_message(d.pop("status_message"))

        def _parse_modified_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        modified_at = _parse_modified_at(d.pop("modified_at"))

        task_group_status = cls(
            num_task_runs=num_task_runs,
            task_run_status_counts=task_run_status_counts,
            is_active=is_active,
            status_message=status_message,
            modified_at=modified_at,
        )

        task_group_status.additional_properties = d
        return task_group_status

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
