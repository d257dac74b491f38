from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import model_repr

T = TypeVar("T", bound="ValidationError")


_ValidationError_FIELDS = frozenset(
    (
        "loc",
        "msg",
        "type",
    )
)


@_attrs_define(repr=False)
class ValidationError:
    """
    Attributes:
        loc (list[int | str]):
        msg (str):
        type_ (str):
    """

    loc: list[int | str]
    msg: str
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "loc",
                "msg",
                "type_",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        loc = []
        for loc_item_data in self.loc:
            loc_item: int | str
            loc_item = loc_item_data
            loc.append(loc_item)

        msg = self.msg

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "loc": loc,
                "msg": msg,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        loc = []
        _loc = src_dict["loc"]
        for loc_item_data in _loc:
            loc_item: int | str = loc_item_data

            loc.append(loc_item)

        msg = src_dict["msg"]

        type_ = src_dict["type"]

        _instance = cls(
            loc,
            msg,
            type_,
        )

        if not _ValidationError_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _ValidationError_FIELDS}
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
