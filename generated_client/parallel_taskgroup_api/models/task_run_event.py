from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_run import TaskRun
    from ..models.task_run_input import TaskRunInput
    from ..models.task_run_json_output import TaskRunJsonOutput
    from ..models.task_run_text_output import TaskRunTextOutput


T = TypeVar("T", bound="TaskRunEvent")


@_attrs_define
class TaskRunEvent:
    """Event when a task run transitions to a non-active status.

    May indicate completion, cancellation, or failure.

        Attributes:
            type_ (Literal['task_run.state']): Event type; always 'task_run.state'.
            event_id (None | str): Cursor to resume the event stream. Always empty for non Task Group runs.
            run (TaskRun): Status of a task run.
            input_ (None | TaskRunInput | Unset): Input to the run; included only if requested.
            output (None | TaskRunJsonOutput | TaskRunTextOutput | Unset): Output from the run; included only if requested
                and if status == `completed`.
    """

    type_: Literal["task_run.state"]
    event_id: None | str
    run: TaskRun
    input_: None | TaskRunInput | Unset = UNSET
    output: None | TaskRunJsonOutput | TaskRunTextOutput | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.task_run_input import TaskRunInput
        from ..models.task_run_json_output import TaskRunJsonOutput
        from ..models.task_run_text_output import TaskRunTextOutput

        type_ = self.type_

        event_id: None | str
        event_id = self.event_id

        run = self.run.to_dict()

        input_: dict[str, Any] | None | Unset
        if isinstance(self.input_, Unset):
            input_ = UNSET
        elif isinstance(self.input_, TaskRunInput):
            input_ = self.input_.to_dict()
        else:
            input_ = self.input_

        output: dict[str, Any] | None | Unset
        if isinstance(self.output, Unset):
            output = UNSET
        elif isinstance(self.output, TaskRunTextOutput) or isinstance(
            self.output, TaskRunJsonOutput
        ):
            output = self.output.to_dict()
        else:
            output = self.output

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "event_id": event_id,
                "run": run,
            }
        )
        if input_ is not UNSET:
            field_dict["input"] = input_
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task_run import TaskRun
        from ..models.task_run_input import TaskRunInput
        from ..models.task_run_json_output import TaskRunJsonOutput
        from ..models.task_run_text_output import TaskRunTextOutput

        d = dict(src_dict)
        type_ = cast(Literal["task_run.state"], d.pop("type"))
        if type_ != "task_run.state":
            raise ValueError(f"type must match const 'task_run.state', got '{type_}'")

        def _parse_event_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_id = _parse_event_id(d.pop("event_id"))

        run = TaskRun.from_dict(d.pop("run"))

        def _parse_input_(data: object) -> None | TaskRunInput | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                input_type_0 = TaskRunInput.from_dict(data)

                return input_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskRunInput | Unset, data)

        input_ = _parse_input_(d.pop("input", UNSET))

        def _parse_output(
            data: object,
        ) -> None | TaskRunJsonOutput | TaskRunTextOutput | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                output_type_0_type_0 = TaskRunTextOutput.from_dict(data)

                return output_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                output_type_0_type_1 = TaskRunJsonOutput.from_dict(data)

                return output_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaskRunJsonOutput | TaskRunTextOutput | Unset, data)

        output = _parse_output(d.pop("output", UNSET))

        task_run_event = cls(
            type_=type_,
            event_id=event_id,
            run=run,
            input_=input_,
            output=output,
        )

        task_run_event.additional_properties = d
        return task_run_event

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
