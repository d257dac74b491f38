from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="McpToolCall")


@_attrs_define
class McpToolCall:
    """Result of an MCP tool call.

    Attributes:
        tool_call_id (str): Identifier for the tool call.
        server_name (str): Name of the MCP server.
        tool_name (str): Name of the tool being called.
        arguments (str): Arguments used to call the MCP tool.
        content (None | str | Unset): Output received from the tool call, if successful.
        error (None | str | Unset): Error message if the tool call failed.
    """

    tool_call_id: str
    server_name: str
    tool_name: str
    arguments: str
    content: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
        field_dict.update(
            {
                "tool_call_id": tool_call_id,
                "server_name": server_name,
                "tool_name": tool_name,
                "arguments": arguments,
            }
        )
        if content is not UNSET:
            field_dict["content"] = content
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tool_call_id = d.pop("tool_call_id")

        server_name = d.pop("server_name")

        tool_name = d.pop("tool_name")

        arguments = d.pop("arguments")

        def _parse_content(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content = _parse_content(d.pop("content", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        mcp_tool_call = cls(
            tool_call_id=tool_call_id,
            server_name=server_name,
            tool_name=tool_name,
            arguments=arguments,
            content=content,
            error=error,
        )

        mcp_tool_call.additional_properties = d
        return mcp_tool_call

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
