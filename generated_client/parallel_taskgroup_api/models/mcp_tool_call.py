from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="McpToolCall")


_McpToolCall_FIELDS = frozenset(
    (
        "tool_call_id",
        "server_name",
        "tool_name",
        "arguments",
        "content",
        "error",
    )
)


@_attrs_define(repr=False)
class McpToolCall:
    """Result of an MCP tool call.

    Attributes:
        tool_call_id (str | None | Unset): Identifier for the tool call.
        server_name (str | None | Unset): Name of the MCP server.
        tool_name (str | None | Unset): Name of the tool being called.
        arguments (str | None | Unset): Arguments used to call the MCP tool.
        content (None | str | Unset): Output received from the tool call, if successful.
        error (None | str | Unset): Error message if the tool call failed.
    """

    tool_call_id: str | None | Unset = UNSET
    server_name: str | None | Unset = UNSET
    tool_name: str | None | Unset = UNSET
    arguments: str | None | Unset = UNSET
    content: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "tool_call_id",
                "server_name",
                "tool_name",
                "arguments",
                "content",
                "error",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        tool_call_id = self.tool_call_id

        server_name = self.server_name

        tool_name = self.tool_name

        arguments = self.arguments

        content: None | str | Unset
        if isinstance(self.content, Unset):
            content = UNSET
        else:
            content = self.content

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if tool_call_id is not UNSET:
            field_dict["tool_call_id"] = tool_call_id
        if server_name is not UNSET:
            field_dict["server_name"] = server_name
        if tool_name is not UNSET:
            field_dict["tool_name"] = tool_name
        if arguments is not UNSET:
            field_dict["arguments"] = arguments
        if content is not UNSET:
            field_dict["content"] = content
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        tool_call_id = src_dict.get("tool_call_id", UNSET)

        server_name = src_dict.get("server_name", UNSET)

        tool_name = src_dict.get("tool_name", UNSET)

        arguments = src_dict.get("arguments", UNSET)

        content: None | str | Unset = src_dict.get("content", UNSET)

        error: None | str | Unset = src_dict.get("error", UNSET)

        _instance = cls(
            tool_call_id,
            server_name,
            tool_name,
            arguments,
            content,
            error,
        )

        if not _McpToolCall_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _McpToolCall_FIELDS}
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
