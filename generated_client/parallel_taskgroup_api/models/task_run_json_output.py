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

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskRunJsonOutput")


_TaskRunJsonOutput_FIELDS = frozenset(
    (
        "basis",
        "type",
        "content",
        "mcp_tool_calls",
        "beta_fields",
        "output_schema",
    )
)


@_attrs_define(repr=False)
class TaskRunJsonOutput:
    """Output from a task that returns JSON.

    Attributes:
        basis (list[FieldBasis] | None | Unset): Basis for each top-level field in the JSON output. Per-list-element
            basis entries are available only when the `parallel-beta: field-basis-2025-11-25` header is supplied.
        type_ (Literal['json']): The type of output being returned, as determined by the output schema of the task spec.
        content (TaskRunJsonOutputContent): Output from the task as a native JSON object, as determined by the output
            schema of the task spec.
        mcp_tool_calls (list[McpToolCall] | None | Unset): MCP tool calls made by the task.
        beta_fields (None | TaskRunJsonOutputBetaFieldsType0 | Unset): Deprecated. mcp-server-2025-07-17 is now included
            directly in the output (e.g. mcp_tool_calls).
        output_schema (None | TaskRunJsonOutputOutputSchemaType0 | Unset): Output schema for the Task Run. Populated
            only if the task was executed with an auto schema.
    """

    type_: Literal["json"]
    content: TaskRunJsonOutputContent
    basis: list[FieldBasis] | None | Unset = UNSET
    mcp_tool_calls: list[McpToolCall] | None | Unset = UNSET
    beta_fields: None | TaskRunJsonOutputBetaFieldsType0 | Unset = UNSET
    output_schema: None | TaskRunJsonOutputOutputSchemaType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "basis",
                "type_",
                "content",
                "mcp_tool_calls",
                "beta_fields",
                "output_schema",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        basis: list[dict[str, Any]] | None | Unset
        if self.basis is None or isinstance(self.basis, Unset):
            basis = self.basis
        else:
            basis = [item.to_dict() for item in self.basis]

        type_ = self.type_

        content = self.content.to_dict()

        mcp_tool_calls: list[dict[str, Any]] | None | Unset
        if isinstance(self.mcp_tool_calls, Unset):
            mcp_tool_calls = UNSET
        elif isinstance(self.mcp_tool_calls, list):
            mcp_tool_calls = []
            for mcp_tool_calls_type_0_item_data in self.mcp_tool_calls:
                mcp_tool_calls_type_0_item = mcp_tool_calls_type_0_item_data.to_dict()
                mcp_tool_calls.append(mcp_tool_calls_type_0_item)

        else:
            mcp_tool_calls = self.mcp_tool_calls

        beta_fields: dict[str, Any] | None | Unset
        if isinstance(self.beta_fields, Unset):
            beta_fields = UNSET
        elif isinstance(self.beta_fields, TaskRunJsonOutputBetaFieldsType0):
            beta_fields = self.beta_fields.to_dict()
        else:
            beta_fields = self.beta_fields

        output_schema: dict[str, Any] | None | Unset
        if isinstance(self.output_schema, Unset):
            output_schema = UNSET
        elif isinstance(self.output_schema, TaskRunJsonOutputOutputSchemaType0):
            output_schema = self.output_schema.to_dict()
        else:
            output_schema = self.output_schema

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "content": content,
            }
        )
        if basis is not UNSET:
            field_dict["basis"] = basis
        if mcp_tool_calls is not UNSET:
            field_dict["mcp_tool_calls"] = mcp_tool_calls
        if beta_fields is not UNSET:
            field_dict["beta_fields"] = beta_fields
        if output_schema is not UNSET:
            field_dict["output_schema"] = output_schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _basis_raw = src_dict.get("basis", UNSET)
        _basis_value: list[FieldBasis] | None | Unset
        if _basis_raw is None or _basis_raw is UNSET:
            _basis_value = _basis_raw
        else:
            _basis_value = [FieldBasis.from_dict(item) for item in _basis_raw]

        type_ = src_dict["type"]
        if type_ != "json":
            raise ValueError(f"type must match const 'json', got '{type_}'")

        content = TaskRunJsonOutputContent.from_dict(src_dict["content"])

        mcp_tool_calls: list[McpToolCall] | None | Unset
        _mcp_tool_calls: Any = src_dict.get("mcp_tool_calls", UNSET)
        if isinstance(_mcp_tool_calls, list):
            try:
                mcp_tool_calls_type_0 = [McpToolCall.from_dict(item) for item in _mcp_tool_calls]

                mcp_tool_calls = mcp_tool_calls_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                mcp_tool_calls = cast("list[McpToolCall] | None | Unset", _mcp_tool_calls)
        else:
            mcp_tool_calls = _mcp_tool_calls

        beta_fields: None | TaskRunJsonOutputBetaFieldsType0 | Unset
        _beta_fields: Any = src_dict.get("beta_fields", UNSET)
        if isinstance(_beta_fields, dict):
            try:
                beta_fields_type_0 = TaskRunJsonOutputBetaFieldsType0.from_dict(_beta_fields)

                beta_fields = beta_fields_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                beta_fields = cast("None | TaskRunJsonOutputBetaFieldsType0 | Unset", _beta_fields)
        else:
            beta_fields = _beta_fields

        output_schema: None | TaskRunJsonOutputOutputSchemaType0 | Unset
        _output_schema: Any = src_dict.get("output_schema", UNSET)
        if isinstance(_output_schema, dict):
            try:
                output_schema_type_0 = TaskRunJsonOutputOutputSchemaType0.from_dict(_output_schema)

                output_schema = output_schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                output_schema = cast(
                    "None | TaskRunJsonOutputOutputSchemaType0 | Unset", _output_schema
                )
        else:
            output_schema = _output_schema

        _instance = cls(
            type_,
            content,
            _basis_value,
            mcp_tool_calls,
            beta_fields,
            output_schema,
        )

        if not _TaskRunJsonOutput_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskRunJsonOutput_FIELDS}
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


from ..models.field_basis import FieldBasis  # noqa: E402
from ..models.mcp_tool_call import McpToolCall  # noqa: E402
from ..models.task_run_json_output_beta_fields_type_0 import (
    TaskRunJsonOutputBetaFieldsType0,  # noqa: E402
)
from ..models.task_run_json_output_content import TaskRunJsonOutputContent  # noqa: E402
from ..models.task_run_json_output_output_schema_type_0 import (
    TaskRunJsonOutputOutputSchemaType0,  # noqa: E402
)
