from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Deferred, Unset, model_repr

T = TypeVar("T", bound="TaskRunEvent")


_TaskRunEvent_FIELDS = frozenset(
    (
        "type",
        "event_id",
        "run",
        "input",
        "output",
    )
)


def _TaskRunEvent_input__from_json(src: Any) -> None | TaskRunInput | Unset:
    """TaskRunEvent.input_ from its JSON value (parsed on first read)."""
    input_: None | TaskRunInput | Unset
    _input_: Any = src
    if isinstance(_input_, dict):
        try:
            input_type_0 = TaskRunInput.from_dict(_input_)

            input_ = input_type_0
        except (TypeError, ValueError, AttributeError, KeyError):
            input_ = cast("None | TaskRunInput | Unset", _input_)
    else:
        input_ = _input_

    return input_


def _TaskRunEvent_output_from_json(
    src: Any,
) -> None | TaskRunJsonOutput | TaskRunTextOutput | Unset:
    """TaskRunEvent.output from its JSON value (parsed on first read)."""
    output: None | TaskRunJsonOutput | TaskRunTextOutput | Unset
    _output: Any = src
    _output_tag = _output.get("type") if isinstance(_output, dict) else None
    if _output_tag == "text":
        output = TaskRunTextOutput.from_dict(_output)
    elif _output_tag == "json":
        output = TaskRunJsonOutput.from_dict(_output)
    else:

        def _parse_output(data: object) -> None | TaskRunJsonOutput | TaskRunTextOutput | Unset:
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
            return cast("None | TaskRunJsonOutput | TaskRunTextOutput | Unset", data)

        output = _parse_output(_output)

    return output


@_attrs_define(repr=False)
class TaskRunEvent:
    """Event when a task run transitions to a non-active status.

    May indicate completion, cancellation, or failure.

        Attributes:
            type_ (Literal['task_run.state']): Event type; always 'task_run.state'.
            event_id (None | str | Unset): Cursor to resume the event stream. Always empty for non Task Group runs.
            run (TaskRun): Status of a task run.
            input_ (None | TaskRunInput | Unset): Input to the run; included only if requested.
            output (None | TaskRunJsonOutput | TaskRunTextOutput | Unset): Output from the run; included only if requested
                and if status == `completed`.
    """

    type_: Literal["task_run.state"]
    run: TaskRun
    event_id: None | str | Unset = UNSET
    _input_: None | TaskRunInput | Unset | Deferred = _attrs_field(default=UNSET, alias="input_")
    _output: None | TaskRunJsonOutput | TaskRunTextOutput | Unset | Deferred = _attrs_field(
        default=UNSET, alias="output"
    )
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "type_",
                "event_id",
                "run",
                "input_",
                "output",
            ),
        )

    @property
    def input_(self) -> None | TaskRunInput | Unset:
        value = self._input_
        if isinstance(value, Deferred):
            value = self._input_ = value.value()
        return value

    @input_.setter
    def input_(self, value: None | TaskRunInput | Unset) -> None:
        self._input_ = value

    @property
    def output(self) -> None | TaskRunJsonOutput | TaskRunTextOutput | Unset:
        value = self._output
        if isinstance(value, Deferred):
            value = self._output = value.value()
        return value

    @output.setter
    def output(self, value: None | TaskRunJsonOutput | TaskRunTextOutput | Unset) -> None:
        self._output = value

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

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
        elif isinstance(self.output, TaskRunTextOutput):
            output = self.output.to_dict()
        elif isinstance(self.output, TaskRunJsonOutput):
            output = self.output.to_dict()
        else:
            output = self.output

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "run": run,
            }
        )
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if input_ is not UNSET:
            field_dict["input"] = input_
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        type_ = src_dict["type"]
        if type_ != "task_run.state":
            raise ValueError(f"type must match const 'task_run.state', got '{type_}'")

        event_id = src_dict.get("event_id", UNSET)

        run = TaskRun.from_dict(src_dict["run"])

        input_: Any = src_dict.get("input", UNSET)
        if input_ is not None and input_ is not UNSET:
            input_ = Deferred(_TaskRunEvent_input__from_json, input_)

        output: Any = src_dict.get("output", UNSET)
        if output is not None and output is not UNSET:
            output = Deferred(_TaskRunEvent_output_from_json, output)

        _instance = cls(
            type_,
            run,
            event_id,
            input_,
            output,
        )

        if not _TaskRunEvent_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskRunEvent_FIELDS}
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
from ..models.task_run_input import TaskRunInput  # noqa: E402
from ..models.task_run_json_output import TaskRunJsonOutput  # noqa: E402
from ..models.task_run_text_output import TaskRunTextOutput  # noqa: E402
