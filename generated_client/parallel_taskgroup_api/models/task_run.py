from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_run_status import TaskRunStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error import Error
    from ..models.task_run_metadata_type_0 import TaskRunMetadataType0
    from ..models.warning import Warning_


T = TypeVar("T", bound="TaskRun")


@_attrs_define
class TaskRun:
    """Status of a task run.

    Attributes:
        run_id (str): ID of the task run.
        interaction_id (str): Identifier for this interaction. Pass this value as `previous_interaction_id` to reuse
            context for a future request.
        status (TaskRunStatus): Status of the run.
        is_active (bool): Whether the run is currently active, i.e. status is one of {'cancelling', 'queued',
            'running'}.
        processor (str): Processor used for the run.
        created_at (None | str): Timestamp of the creation of the task, as an RFC 3339 string.
        modified_at (None | str): Timestamp of the last modification to the task, as an RFC 3339 string.
        warnings (list[Warning_] | None | Unset): Warnings for the run, if any.
        error (Error | None | Unset): Error for the run, present only if status is 'failed'.
        metadata (None | TaskRunMetadataType0 | Unset): User-provided metadata stored with the run.
        taskgroup_id (None | str | Unset): ID of the taskgroup to which the run belongs.
    """

    run_id: str
    interaction_id: str
    status: TaskRunStatus
    is_active: bool
    processor: str
    created_at: None | str
    modified_at: None | str
    warnings: list[Warning_] | None | Unset = UNSET
    error: Error | None | Unset = UNSET
    metadata: None | TaskRunMetadataType0 | Unset = UNSET
    taskgroup_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error import Error
        from ..models.task_run_metadata_type_0 import TaskRunMetadataType0

        run_id = self.run_id

        interaction_id = self.interaction_id

        status = self.status.value

        is_active = self.is_active

        processor = self.processor

        created_at: None | str
        created_at = self.created_at

        modified_at: None | str
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
                "interaction_id": interaction_id,
                "status": status,
                "is_active": is_active,
                "processor": processor,
                "created_at": created_at,
                "modified_at": modified_at,
            }
        )
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
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error import Error
        from ..models.task_run_metadata_type_0 import TaskRunMetadataType0
        from ..models.warning import Warning_

        d = dict(src_dict)
        run_id = d.pop("run_id")

        interaction_id = d.pop("interaction_id")

        status = TaskRunStatus(d.pop("status"))

        is_active = d.pop("is_active")

        processor = d.pop("processor")

        def _parse_created_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        created_at = _parse_created_at(d.pop("created_at"))

        def _parse_modified_at(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        modified_at = _parse_modified_at(d.pop("modified_at"))

        def _parse_warnings(data: object) -> list[Warning_] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                warnings_type_0 = []
                _warnings_type_0 = data
                for warnings_type_0_item_data in _warnings_type_0:
                    warnings_type_0_item = Warning_.from_dict(warnings_type_0_item_data)

                    warnings_type_0.append(warnings_type_0_item)

                return warnings_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Warning_] | None | Unset, data)

        warnings = _parse_warnings(d.pop("warnings", UNSET))

        def _parse_error(data: object) -> Error | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = Error.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Error | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_metadata(data: object) -> None | TaskRunMetadataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = TaskRunMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskRunMetadataType0 | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_taskgroup_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        taskgroup_id = _parse_taskgroup_id(d.pop("taskgroup_id", UNSET))

        task_run = cls(
            run_id=run_id,
            interaction_id=interaction_id,
            status=status,
            is_active=is_active,
            processor=processor,
            created_at=created_at,
            modified_at=modified_at,
            warnings=warnings,
            error=error,
            metadata=metadata,
            taskgroup_id=taskgroup_id,
        )

        task_run.additional_properties = d
        return task_run

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
