from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskRunSourceStats")


@_attrs_define
class TaskRunSourceStats:
    """Source stats for a task run.

    Attributes:
        num_sources_considered (int | None): Number of sources considered in processing the task.
        num_sources_read (int | None): Number of sources read in processing the task.
        sources_read_sample (list[str] | None): A sample of URLs of sources read in processing the task.
    """

    num_sources_considered: int | None
    num_sources_read: int | None
    sources_read_sample: list[str] | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        num_sources_considered: int | None
        num_sources_considered = self.num_sources_considered

        num_sources_read: int | None
        num_sources_read = self.num_sources_read

        sources_read_sample: list[str] | None
        if isinstance(self.sources_read_sample, list):
            sources_read_sample = self.sources_read_sample

        else:
            sources_read_sample = self.sources_read_sample

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "num_sources_considered": num_sources_considered,
                "num_sources_read": num_sources_read,
                "sources_read_sample": sources_read_sample,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_num_sources_considered(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        num_sources_considered = _parse_num_sources_considered(
            d.pop("num_sources_considered")
        )

        def _parse_num_sources_read(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        num_sources_read = _parse_num_sources_read(d.pop("num_sources_read"))

        def _parse_sources_read_sample(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                sources_read_sample_type_0 = cast(list[str], data)

                return sources_read_sample_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        sources_read_sample = _parse_sources_read_sample(d.pop("sources_read_sample"))

        task_run_source_stats = cls(
            num_sources_considered=num_sources_considered,
            num_sources_read=num_sources_read,
            sources_read_sample=sources_read_sample,
        )

        task_run_source_stats.additional_properties = d
        return task_run_source_stats

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
