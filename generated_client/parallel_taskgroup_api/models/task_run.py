from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_run_status import TaskRunStatus
from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskRun")


_TaskRun_FIELDS = frozenset(
    (
        "run_id",
        "interaction_id",
        "status",
        "is_active",
        "processor",
        "created_at",
        "modified_at",
        "warnings",
        "error",
        "metadata",
        "taskgroup_id",
    )
)


@_attrs_define(repr=False)
class TaskRun:
    """Status of a task run.

    Attributes:
        run_id (str): ID of the task run.
        interaction_id (str | None | Unset): Identifier for this interaction. Pass this value as
            `previous_interaction_id` to reuse context for a future request.
        status (TaskRunStatus): Status of the run.
        is_active (bool | None | Unset): Whether the run is currently active, i.e. status is one of {'cancelling',
            'queued', 'running'}.
        processor (str | None | Unset): Processor used for the run.
        created_at (None | str | Unset): Timestamp of the creation of the task, as an RFC 3339 string.
        modified_at (None | str | Unset): Timestamp of the last modification to the task, as an RFC 3339 string.
        warnings (list[Warning_] | None | Unset): Warnings for the run, if any.
        error (Error | None | Unset): Error for the run, present only if status is 'failed'.
        metadata (None | TaskRunMetadataType0 | Unset): User-provided metadata stored with the run.
        taskgroup_id (None | str | Unset): ID of the taskgroup to which the run belongs.
    """

    run_id: str
    status: TaskRunStatus
    interaction_id: str | None | Unset = UNSET
    is_active: bool | None | Unset = UNSET
    processor: str | None | Unset = UNSET
    created_at: None | str | Unset = UNSET
    modified_at: None | str | Unset = UNSET
    warnings: list[Warning_] | None | Unset = UNSET
    error: Error | None | Unset = UNSET
    metadata: None | TaskRunMetadataType0 | Unset = UNSET
    taskgroup_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "run_id",
                "interaction_id",
                "status",
                "is_active",
                "processor",
                "created_at",
                "modified_at",
                "warnings",
                "error",
                "metadata",
                "taskgroup_id",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        run_id = self.run_id

        interaction_id = self.interaction_id

        status = self.status.value

        is_active = self.is_active

        processor = self.processor

        created_at = self.created_at

        modified_at = self.modified_at

        warnings: list[dict[str, Any]] | None | Unset
        if isinstance(self.warnings, Unset):
            warnings = UNSET
        elif isinstance(self.warnings, list):
            warnings = []
            for warnings_type_0_item_data in self.warnings:
                warnings_type_0_item = warnings_type_0_item_data.to_dict()
                warnings.append(warnings_type_0_item)

        else:
            warnings = self.warnings

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, Error):
            error = self.error.to_dict()
        else:
            error = self.error

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, TaskRunMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        taskgroup_id: None | str | Unset
        if isinstance(self.taskgroup_id, Unset):
            taskgroup_id = UNSET
        else:
            taskgroup_id = self.taskgroup_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "run_id": run_id,
                "status": status,
            }
        )
        if interaction_id is not UNSET:
            field_dict["interaction_id"] = interaction_id
        if is_active is not UNSET:
            field_dict["is_active"] = is_active
        if processor is not UNSET:
            field_dict["processor"] = processor
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if modified_at is not UNSET:
            field_dict["modified_at"] = modified_at
        if warnings is not UNSET:
            field_dict["warnings"] = warnings
        if error is not UNSET:
            field_dict["error"] = error
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if taskgroup_id is not UNSET:
            field_dict["taskgroup_id"] = taskgroup_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        run_id = src_dict["run_id"]

        interaction_id = src_dict.get("interaction_id", UNSET)

        status = TaskRunStatus.of(src_dict["status"])

        is_active = src_dict.get("is_active", UNSET)

        processor = src_dict.get("processor", UNSET)

        created_at = src_dict.get("created_at", UNSET)

        modified_at = src_dict.get("modified_at", UNSET)

        warnings: list[Warning_] | None | Unset
        _warnings: Any = src_dict.get("warnings", UNSET)
        if isinstance(_warnings, list):
            try:
                warnings_type_0 = [Warning_.from_dict(item) for item in _warnings]

                warnings = warnings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                warnings = cast("list[Warning_] | None | Unset", _warnings)
        else:
            warnings = _warnings

        error: Error | None | Unset
        _error: Any = src_dict.get("error", UNSET)
        if isinstance(_error, dict):
            try:
                error_type_0 = Error.from_dict(_error)

                error = error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                error = cast("Error | None | Unset", _error)
        else:
            error = _error

        metadata: None | TaskRunMetadataType0 | Unset
        _metadata: Any = src_dict.get("metadata", UNSET)
        if isinstance(_metadata, dict):
            try:
                metadata_type_0 = TaskRunMetadataType0.from_dict(_metadata)

                metadata = metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                metadata = cast("None | TaskRunMetadataType0 | Unset", _metadata)
        else:
            metadata = _metadata

        taskgroup_id: None | str | Unset = src_dict.get("taskgroup_id", UNSET)

        _instance = cls(
            run_id,
            status,
            interaction_id,
            is_active,
            processor,
            created_at,
            modified_at,
            warnings,
            error,
            metadata,
            taskgroup_id,
        )

        if not _TaskRun_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskRun_FIELDS}
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


from ..models.error import Error  # noqa: E402
from ..models.task_run_metadata_type_0 import TaskRunMetadataType0  # noqa: E402
from ..models.warning import Warning_  # noqa: E402
