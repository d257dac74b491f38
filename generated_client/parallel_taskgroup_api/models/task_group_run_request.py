from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskGroupRunRequest")


_TaskGroupRunRequest_FIELDS = frozenset(
    (
        "inputs",
        "default_task_spec",
    )
)


@_attrs_define(repr=False)
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

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "inputs",
                "default_task_spec",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
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
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        inputs = [TaskRunInput.from_dict(item) for item in src_dict["inputs"]]

        default_task_spec: None | TaskSpec | Unset
        _default_task_spec: Any = src_dict.get("default_task_spec", UNSET)
        if isinstance(_default_task_spec, dict):
            try:
                default_task_spec_type_0 = TaskSpec.from_dict(_default_task_spec)

                default_task_spec = default_task_spec_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                default_task_spec = cast("None | TaskSpec | Unset", _default_task_spec)
        else:
            default_task_spec = _default_task_spec

        _instance = cls(
            inputs,
            default_task_spec,
        )

        if not _TaskGroupRunRequest_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskGroupRunRequest_FIELDS}
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


from ..models.task_run_input import TaskRunInput  # noqa: E402
from ..models.task_spec import TaskSpec  # noqa: E402
