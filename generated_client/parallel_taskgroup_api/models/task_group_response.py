from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskGroupResponse")


_TaskGroupResponse_FIELDS = frozenset(
    (
        "taskgroup_id",
        "status",
        "created_at",
        "metadata",
    )
)


@_attrs_define(repr=False)
class TaskGroupResponse:
    """Response object for a task group, including its status and metadata.

    Attributes:
        taskgroup_id (str): ID of the group.
        status (TaskGroupStatus): Status of a task group.
        created_at (None | str | Unset): Timestamp of the creation of the group, as an RFC 3339 string.
        metadata (None | TaskGroupResponseMetadataType0 | Unset): User-provided metadata stored with the group.
    """

    taskgroup_id: str
    status: TaskGroupStatus
    created_at: None | str | Unset = UNSET
    metadata: None | TaskGroupResponseMetadataType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "taskgroup_id",
                "status",
                "created_at",
                "metadata",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        taskgroup_id = self.taskgroup_id

        status = self.status.to_dict()

        created_at = self.created_at

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, TaskGroupResponseMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "taskgroup_id": taskgroup_id,
                "status": status,
            }
        )
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        taskgroup_id = src_dict["taskgroup_id"]

        status = TaskGroupStatus.from_dict(src_dict["status"])

        created_at = src_dict.get("created_at", UNSET)

        metadata: None | TaskGroupResponseMetadataType0 | Unset
        _metadata: Any = src_dict.get("metadata", UNSET)
        if isinstance(_metadata, dict):
            try:
                metadata_type_0 = TaskGroupResponseMetadataType0.from_dict(_metadata)

                metadata = metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                metadata = cast("None | TaskGroupResponseMetadataType0 | Unset", _metadata)
        else:
            metadata = _metadata

        _instance = cls(
            taskgroup_id,
            status,
            created_at,
            metadata,
        )

        if not _TaskGroupResponse_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskGroupResponse_FIELDS}
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


from ..models.task_group_response_metadata_type_0 import TaskGroupResponseMetadataType0  # noqa: E402
from ..models.task_group_status import TaskGroupStatus  # noqa: E402
