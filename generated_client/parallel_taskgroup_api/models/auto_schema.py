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

T = TypeVar("T", bound="AutoSchema")


_AutoSchema_FIELDS = frozenset(("type",))


@_attrs_define(repr=False)
class AutoSchema:
    """Auto schema for a task input or output.

    Attributes:
        type_ (Literal['auto'] | Unset): The type of schema being defined. Always `auto`. Default: 'auto'.
    """

    type_: Literal["auto"] | Unset = "auto"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            ("type_",),
        )

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        type_ = src_dict.get("type", UNSET)
        if type_ != "auto" and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'auto', got '{type_}'")

        _instance = cls(
            type_,
        )

        if not _AutoSchema_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _AutoSchema_FIELDS}
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
