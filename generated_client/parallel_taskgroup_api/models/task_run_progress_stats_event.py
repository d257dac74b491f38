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

T = TypeVar("T", bound="TaskRunProgressStatsEvent")


_TaskRunProgressStatsEvent_FIELDS = frozenset(
    (
        "type",
        "source_stats",
        "progress_meter",
    )
)


@_attrs_define(repr=False)
class TaskRunProgressStatsEvent:
    """A progress update for a task run.

    Attributes:
        type_ (Literal['task_run.progress_stats']): Event type; always 'task_run.progress_stats'.
        source_stats (TaskRunSourceStats | None | Unset): Source stats for a task run.
        progress_meter (float | None | Unset): Completion percentage of the task run. Ranges from 0 to 100 where 0
            indicates no progress and 100 indicates completion.
    """

    type_: Literal["task_run.progress_stats"]
    source_stats: TaskRunSourceStats | None | Unset = UNSET
    progress_meter: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "type_",
                "source_stats",
                "progress_meter",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        source_stats: dict[str, Any] | None | Unset
        if self.source_stats is None or isinstance(self.source_stats, Unset):
            source_stats = self.source_stats
        else:
            source_stats = self.source_stats.to_dict()

        progress_meter = self.progress_meter

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if source_stats is not UNSET:
            field_dict["source_stats"] = source_stats
        if progress_meter is not UNSET:
            field_dict["progress_meter"] = progress_meter

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        type_ = src_dict["type"]
        if type_ != "task_run.progress_stats":
            raise ValueError(f"type must match const 'task_run.progress_stats', got '{type_}'")

        _source_stats_raw = src_dict.get("source_stats", UNSET)
        _source_stats_value: TaskRunSourceStats | None | Unset
        if _source_stats_raw is None or _source_stats_raw is UNSET:
            _source_stats_value = _source_stats_raw
        else:
            _source_stats_value = TaskRunSourceStats.from_dict(_source_stats_raw)

        progress_meter = src_dict.get("progress_meter", UNSET)

        _instance = cls(
            type_,
            _source_stats_value,
            progress_meter,
        )

        if not _TaskRunProgressStatsEvent_FIELDS.issuperset(src_dict):
            _extra = {
                k: v for k, v in src_dict.items() if k not in _TaskRunProgressStatsEvent_FIELDS
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


from ..models.task_run_source_stats import TaskRunSourceStats  # noqa: E402
