from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.warning_type import WarningType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.warning_detail_type_0 import WarningDetailType0


T = TypeVar("T", bound="Warning_")


@_attrs_define
class Warning_:
    """Human-readable message for a task.

    Attributes:
        type_ (WarningType): Type of warning. Note that adding new warning types is considered a backward-compatible
            change.
        message (str): Human-readable message.
        detail (None | Unset | WarningDetailType0): Optional detail supporting the warning.
    """

    type_: WarningType
    message: str
    detail: None | Unset | WarningDetailType0 = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.warning_detail_type_0 import WarningDetailType0

        type_ = self.type_.value

        message = self.message

        detail: dict[str, Any] | None | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, WarningDetailType0):
            detail = self.detail.to_dict()
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "message": message,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.warning_detail_type_0 import WarningDetailType0

        d = dict(src_dict)
        type_ = WarningType(d.pop("type"))

        message = d.pop("message")

        def _parse_detail(data: object) -> None | Unset | WarningDetailType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                detail_type_0 = WarningDetailType0.from_dict(data)

                return detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WarningDetailType0, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        warning = cls(
            type_=type_,
            message=message,
            detail=detail,
        )

        warning.additional_properties = d
        return warning

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
