from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="CreateTaskGroupRequest")


_CreateTaskGroupRequest_FIELDS = frozenset(("metadata",))


@_attrs_define(repr=False)
class CreateTaskGroupRequest:
    """Request to create a task group.

    Attributes:
        metadata (CreateTaskGroupRequestMetadataType0 | None | Unset): User-provided metadata stored with the task
            group.
    """

    metadata: CreateTaskGroupRequestMetadataType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            ("metadata",),
        )

    def to_dict(self) -> dict[str, Any]:
        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateTaskGroupRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        metadata: CreateTaskGroupRequestMetadataType0 | None | Unset
        _metadata: Any = src_dict.get("metadata", UNSET)
        if isinstance(_metadata, dict):
            try:
                metadata_type_0 = CreateTaskGroupRequestMetadataType0.from_dict(_metadata)

                metadata = metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                metadata = cast("CreateTaskGroupRequestMetadataType0 | None | Unset", _metadata)
        else:
            metadata = _metadata

        _instance = cls(
            metadata,
        )

        if not _CreateTaskGroupRequest_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _CreateTaskGroupRequest_FIELDS}
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


from ..models.create_task_group_request_metadata_type_0 import (
    CreateTaskGroupRequestMetadataType0,  # noqa: E402
)
