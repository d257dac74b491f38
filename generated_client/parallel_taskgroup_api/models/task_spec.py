from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="TaskSpec")


_TaskSpec_FIELDS = frozenset(
    (
        "output_schema",
        "input_schema",
    )
)


@_attrs_define(repr=False)
class TaskSpec:
    """Specification for a task.

    Auto output schemas can be specified by setting `output_schema={"type":"auto"}`. Not
    specifying a TaskSpec is the same as setting an auto output schema.

    For convenience bare strings are also accepted as input or output schemas.

        Attributes:
            output_schema (AutoSchema | JsonSchema | None | str | TextSchema | Unset): JSON schema or text fully describing
                the desired output from the task. Descriptions of output fields will determine the form and content of the
                response. A bare string is equivalent to a text schema with the same description.
            input_schema (JsonSchema | None | str | TextSchema | Unset): Optional JSON schema or text description of
                expected input to the task. A bare string is equivalent to a text schema with the same description.
    """

    output_schema: AutoSchema | JsonSchema | None | str | TextSchema | Unset = UNSET
    input_schema: JsonSchema | None | str | TextSchema | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "output_schema",
                "input_schema",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        output_schema: dict[str, Any] | None | str | Unset
        if self.output_schema is None or isinstance(self.output_schema, Unset):
            output_schema = self.output_schema
        else:
            if isinstance(self.output_schema, JsonSchema):
                output_schema = self.output_schema.to_dict()
            elif isinstance(self.output_schema, TextSchema):
                output_schema = self.output_schema.to_dict()
            elif isinstance(self.output_schema, AutoSchema):
                output_schema = self.output_schema.to_dict()
            else:
                output_schema = self.output_schema

        input_schema: dict[str, Any] | None | str | Unset
        if isinstance(self.input_schema, Unset):
            input_schema = UNSET
        elif isinstance(self.input_schema, JsonSchema):
            input_schema = self.input_schema.to_dict()
        elif isinstance(self.input_schema, TextSchema):
            input_schema = self.input_schema.to_dict()
        else:
            input_schema = self.input_schema

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if output_schema is not UNSET:
            field_dict["output_schema"] = output_schema
        if input_schema is not UNSET:
            field_dict["input_schema"] = input_schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _output_schema_raw = src_dict.get("output_schema", UNSET)
        _output_schema_value: AutoSchema | JsonSchema | None | str | TextSchema | Unset
        if _output_schema_raw is None or _output_schema_raw is UNSET:
            _output_schema_value = _output_schema_raw
        else:

            def _parse_output_schema(data: object) -> AutoSchema | JsonSchema | str | TextSchema:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_schema_type_0 = JsonSchema.from_dict(data)

                    return output_schema_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_schema_type_1 = TextSchema.from_dict(data)

                    return output_schema_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_schema_type_2 = AutoSchema.from_dict(data)

                    return output_schema_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast("AutoSchema | JsonSchema | str | TextSchema", data)

            output_schema = _parse_output_schema(_output_schema_raw)

            _output_schema_value = output_schema

        def _parse_input_schema(data: object) -> JsonSchema | None | str | TextSchema | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                input_schema_type_1 = JsonSchema.from_dict(data)

                return input_schema_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                input_schema_type_2 = TextSchema.from_dict(data)

                return input_schema_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast("JsonSchema | None | str | TextSchema | Unset", data)

        input_schema = _parse_input_schema(src_dict.get("input_schema", UNSET))

        _instance = cls(
            _output_schema_value,
            input_schema,
        )

        if not _TaskSpec_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _TaskSpec_FIELDS}
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


from ..models.auto_schema import AutoSchema  # noqa: E402
from ..models.json_schema import JsonSchema  # noqa: E402
from ..models.text_schema import TextSchema  # noqa: E402
