from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskRunSourceStats")


_TaskRunSourceStats_FIELDS = frozenset(
    (
        "num_sources_considered",
        "num_sources_read",
        "sources_read_sample",
    )
)


@_attrs_define(repr=False)
class TaskRunSourceStats:
    """Source stats for a task run.

    Attributes:
        num_sources_considered (int | None | Unset): Number of sources considered in processing the task.
        num_sources_read (int | None | Unset): Number of sources read in processing the task.
        sources_read_sample (list[str] | None | Unset): A sample of URLs of sources read in processing the task.
    """

    num_sources_considered: int | None | Unset = UNSET
    num_sources_read: int | None | Unset = UNSET
    sources_read_sample: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "num_sources_considered",
                "num_sources_read",
                "sources_read_sample",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        num_sources_considered = self.num_sources_considered

        num_sources_read = self.num_sources_read

        sources_read_sample = self.sources_read_sample

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if num_sources_considered is not UNSET:
            field_dict["num_sources_considered"] = num_sources_considered
        if num_sources_read is not UNSET:
            field_dict["num_sources_read"] = num_sources_read
        if sources_read_sample is not UNSET:
            field_dict["sources_read_sample"] = sources_read_sample

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        num_sources_considered = src_dict.get("num_sources_considered", UNSET)

        num_sources_read = src_dict.get("num_sources_read", UNSET)

        sources_read_sample = src_dict.get("sources_read_sample", UNSET)

        _instance = cls(
            num_sources_considered,
            num_sources_read,
            sources_read_sample,
        )

        if not _TaskRunSourceStats_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskRunSourceStats_FIELDS}
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
