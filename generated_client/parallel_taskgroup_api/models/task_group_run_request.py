from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_run_input import TaskRunInput
    from ..models.task_spec import TaskSpec


T = TypeVar("T", bound="TaskGroupRunRequest")


@_attrs_define
class TaskGroupRunRequest:
    """Request to initiate new task runs in a task group.

    Attributes:
        inputs (list[TaskRunInput]): List of task runs to execute. Up to 1,000 runs can be specified per request. If
            you'd like to add more runs, split them across multiple TaskGroup POST requests.
        default_task_spec (None | TaskSpec | Unset): Default task spec to use for the runs. If task_spec is specified in
            a run, it overrides this default.
    """

    inputs: list[TaskRunInput]
    default_task_spec: None | TaskSpec | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.task_spec import TaskSpec

        inputs = []
        for inputs_item_data in self.inputs:
            inputs_item = inputs_item_data.to_dict()
            inputs.append(inputs_item)

        default_task_spec: dict[str, Any] | None | Unset
        if isinstance(self.default_task_spec, Unset):
            default_task_spec = UNSET
        elif isinstance(self.default_task_spec, TaskSpec):
            default_task_spec = self.default_task_spec.to_dict()
        else:
            default_task_spec = self.default_task_spec

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "inputs": inputs,
            }
        )
        if default_task_spec is not UNSET:
            field_dict["default_task_spec"] = default_task_spec

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task_run_input import TaskRunInput
        from ..models.task_spec import TaskSpec

        d = dict(src_dict)
        inputs = []
        _inputs = d.pop("inputs")
        for inputs_item_data in _inputs:
            inputs_item = TaskRunInput.from_dict(inputs_item_data)

            inputs.append(inputs_item)

        def _parse_default_task_spec(data: object) -> None | TaskSpec | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                default_task_spec_type_0 = TaskSpec.from_dict(data)

                return default_task_spec_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskSpec | Unset, data)

        default_task_spec = _parse_default_task_spec(d.pop("default_task_spec", UNSET))

        task_group_run_request = cls(
            inputs=inputs,
            default_task_spec=default_task_spec,
        )

        task_group_run_request.additional_properties = d
        return task_group_run_request

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
