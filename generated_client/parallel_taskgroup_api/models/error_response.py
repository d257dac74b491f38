from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    TypeVar,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="ErrorResponse")


_ErrorResponse_FIELDS = frozenset(
    (
        "type",
        "error",
    )
)


@_attrs_define(repr=False)
class ErrorResponse:
    """Response object used for non-200 status codes.

    Attributes:
        type_ (Literal['error']): Always 'error'.
        error (Error | None | Unset): An error message.
    """

    type_: Literal["error"]
    error: Error | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "type_",
                "error",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        error: dict[str, Any] | None | Unset
        if self.error is None or isinstance(self.error, Unset):
            error = self.error
        else:
            error = self.error.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        type_ = src_dict["type"]
        if type_ != "error":
            raise ValueError(f"type must match const 'error', got '{type_}'")

        _error_raw = src_dict.get("error", UNSET)
        _error_value: Error | None | Unset
        if _error_raw is None or _error_raw is UNSET:
            _error_value = _error_raw
        else:
            _error_value = Error.from_dict(_error_raw)

        _instance = cls(
            type_,
            _error_value,
        )

        if not _ErrorResponse_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _ErrorResponse_FIELDS}
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


from ..models.error import Error  # noqa: E402
