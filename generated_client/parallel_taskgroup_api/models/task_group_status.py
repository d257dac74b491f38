from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskGroupStatus")


_TaskGroupStatus_FIELDS = frozenset(
    (
        "num_task_runs",
        "task_run_status_counts",
        "is_active",
        "status_message",
        "modified_at",
    )
)


@_attrs_define(repr=False)
class TaskGroupStatus:
    """Status of a task group.

    Attributes:
        num_task_runs (int): Number of task runs in the group.
        task_run_status_counts (TaskGroupStatusTaskRunStatusCounts | None | Unset): Number of task runs with each
            status.
        is_active (bool): True if at least one run in the group is currently active, i.e. status is one of
            {'cancelling', 'queued', 'running'}.
        status_message (None | str | Unset): Human-readable status message for the group.
        modified_at (None | str | Unset): Timestamp of the last status update to the group, as an RFC 3339 string.
    """

    num_task_runs: int
    is_active: bool
    task_run_status_counts: TaskGroupStatusTaskRunStatusCounts | None | Unset = UNSET
    status_message: None | str | Unset = UNSET
    modified_at: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "num_task_runs",
                "task_run_status_counts",
                "is_active",
                "status_message",
                "modified_at",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        num_task_runs = self.num_task_runs

        task_run_status_counts: dict[str, Any] | None | Unset
        if self.task_run_status_counts is None or isinstance(self.task_run_status_counts, Unset):
            task_run_status_counts = self.task_run_status_counts
        else:
            task_run_status_counts = self.task_run_status_counts.to_dict()

        is_active = self.is_active

        status_message = self.status_message

        modified_at = self.modified_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "num_task_runs": num_task_runs,
                "is_active": is_active,
            }
        )
        if task_run_status_counts is not UNSET:
            field_dict["task_run_status_counts"] = task_run_status_counts
        if status_message is not UNSET:
            field_dict["status_message"] = status_message
        if modified_at is not UNSET:
            field_dict["modified_at"] = modified_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        num_task_runs = src_dict["num_task_runs"]

        _task_run_status_counts_raw = src_dict.get("task_run_status_counts", UNSET)
        _task_run_status_counts_value: TaskGroupStatusTaskRunStatusCounts | None | Unset
        if _task_run_status_counts_raw is None or _task_run_status_counts_raw is UNSET:
            _task_run_status_counts_value = _task_run_status_counts_raw
        else:
            _task_run_status_counts_value = TaskGroupStatusTaskRunStatusCounts.from_dict(
                _task_run_status_counts_raw
            )

        is_active = src_dict["is_active"]

        status_message = src_dict.get("status_message", UNSET)

        modified_at = src_dict.get("modified_at", UNSET)

        _instance = cls(
            num_task_runs,
            is_active,
            _task_run_status_counts_value,
            status_message,
            modified_at,
        )

        if not _TaskGroupStatus_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskGroupStatus_FIELDS}
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


from ..models.task_group_status_task_run_status_counts import (
    TaskGroupStatusTaskRunStatusCounts,  # noqa: E402
)
