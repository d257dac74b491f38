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

T = TypeVar("T", bound="McpServer")


_McpServer_FIELDS = frozenset(
    (
        "url",
        "name",
        "type",
        "headers",
        "allowed_tools",
    )
)


@_attrs_define(repr=False)
class McpServer:
    """MCP server configuration.

    Attributes:
        url (str | None | Unset): URL of the MCP server.
        name (str | None | Unset): Name of the MCP server.
        type_ (Literal['url'] | Unset): Type of MCP server being configured. Always `url`. Default: 'url'.
        headers (McpServerHeadersType0 | None | Unset): Headers for the MCP server.
        allowed_tools (list[str] | None | Unset): List of allowed tools for the MCP server.
    """

    url: str | None | Unset = UNSET
    name: str | None | Unset = UNSET
    type_: Literal["url"] | Unset = "url"
    headers: McpServerHeadersType0 | None | Unset = UNSET
    allowed_tools: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "url",
                "name",
                "type_",
                "headers",
                "allowed_tools",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        name = self.name

        type_ = self.type_

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, McpServerHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        allowed_tools: list[str] | None | Unset
        if isinstance(self.allowed_tools, Unset):
            allowed_tools = UNSET
        elif isinstance(self.allowed_tools, list):
            allowed_tools = self.allowed_tools

        else:
            allowed_tools = self.allowed_tools

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if url is not UNSET:
            field_dict["url"] = url
        if name is not UNSET:
            field_dict["name"] = name
        if type_ is not UNSET:
            field_dict["type"] = type_
        if headers is not UNSET:
            field_dict["headers"] = headers
        if allowed_tools is not UNSET:
            field_dict["allowed_tools"] = allowed_tools

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        url = src_dict.get("url", UNSET)

        name = src_dict.get("name", UNSET)

        type_ = src_dict.get("type", UNSET)
        if type_ != "url" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'url', got '{type_}'")

        headers: McpServerHeadersType0 | None | Unset
        _headers: Any = src_dict.get("headers", UNSET)
        if isinstance(_headers, dict):
            try:
                headers_type_0 = McpServerHeadersType0.from_dict(_headers)

                headers = headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                headers = cast("McpServerHeadersType0 | None | Unset", _headers)
        else:
            headers = _headers

        allowed_tools: list[str] | None | Unset = src_dict.get("allowed_tools", UNSET)

        _instance = cls(
            url,
            name,
            type_,
            headers,
            allowed_tools,
        )

        if not _McpServer_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _McpServer_FIELDS}
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


from ..models.mcp_server_headers_type_0 import McpServerHeadersType0  # noqa: E402
