from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

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
        loc (list[int | str] | None | Unset):
        msg (str):
        type_ (str | None | Unset):
    """

    msg: str
    loc: list[int | str] | None | Unset = UNSET
    type_: str | None | Unset = UNSET
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
        loc: list[int | str] | None | Unset
        if self.loc is None or isinstance(self.loc, Unset):
            loc = self.loc
        else:
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
                "msg": msg,
            }
        )
        if loc is not UNSET:
            field_dict["loc"] = loc
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _loc_raw = src_dict.get("loc", UNSET)
        _loc_value: list[int | str] | None | Unset
        if _loc_raw is None or _loc_raw is UNSET:
            _loc_value = _loc_raw
        else:
            loc = []
            _loc = _loc_raw
            for loc_item_data in _loc:
                loc_item: int | str = loc_item_data

                loc.append(loc_item)

            _loc_value = loc

        msg = src_dict["msg"]

        type_ = src_dict.get("type", UNSET)

        _instance = cls(
            msg,
            _loc_value,
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
