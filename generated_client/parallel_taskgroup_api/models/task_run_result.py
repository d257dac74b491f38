from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import model_repr

T = TypeVar("T", bound="TaskRunResult")


_TaskRunResult_FIELDS = frozenset(
    (
        "run",
        "output",
    )
)


@_attrs_define(repr=False)
class TaskRunResult:
    """Result of a task run.

    Attributes:
        run (TaskRun): Status of a task run.
        output (TaskRunJsonOutput | TaskRunTextOutput): Output from the task conforming to the output schema.
    """

    run: TaskRun
    output: TaskRunJsonOutput | TaskRunTextOutput
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "run",
                "output",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        run = self.run.to_dict()

        output: dict[str, Any]
        if isinstance(self.output, TaskRunTextOutput):
            output = self.output.to_dict()
        else:
            output = self.output.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "run": run,
                "output": output,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        run = TaskRun.from_dict(src_dict["run"])

        output: TaskRunJsonOutput | TaskRunTextOutput
        _output: Any = src_dict["output"]
        _output_tag = _output.get("type") if isinstance(_output, dict) else None
        if _output_tag == "text":
            output = TaskRunTextOutput.from_dict(_output)
        elif _output_tag == "json":
            output = TaskRunJsonOutput.from_dict(_output)
        else:

            def _parse_output(data: object) -> TaskRunJsonOutput | TaskRunTextOutput:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_type_0 = TaskRunTextOutput.from_dict(data)

                    return output_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                output_type_1 = TaskRunJsonOutput.from_dict(data)

                return output_type_1

            output = _parse_output(_output)

        _instance = cls(
            run,
            output,
        )

        if not _TaskRunResult_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskRunResult_FIELDS}
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


from ..models.task_run import TaskRun  # noqa: E402
from ..models.task_run_json_output import TaskRunJsonOutput  # noqa: E402
from ..models.task_run_text_output import TaskRunTextOutput  # noqa: E402
