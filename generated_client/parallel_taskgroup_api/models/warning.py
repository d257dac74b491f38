from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.warning_type import WarningType
from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="Warning_")


_Warning__FIELDS = frozenset(
    (
        "type",
        "message",
        "detail",
    )
)


@_attrs_define(repr=False)
class Warning_:
    """Human-readable message for a task.

    Attributes:
        type_ (WarningType | None | Unset): Type of warning. Note that adding new warning types is considered a
            backward-compatible change.
        message (str | None | Unset): Human-readable message.
        detail (None | Unset | WarningDetailType0): Optional detail supporting the warning.
    """

    type_: WarningType | None | Unset = UNSET
    message: str | None | Unset = UNSET
    detail: None | Unset | WarningDetailType0 = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "type_",
                "message",
                "detail",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        type_: str | None | Unset
        if self.type_ is None or isinstance(self.type_, Unset):
            type_ = self.type_
        else:
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
        if type_ is not UNSET:
            field_dict["type"] = type_
        if message is not UNSET:
            field_dict["message"] = message
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _type__raw = src_dict.get("type", UNSET)
        _type__value: WarningType | None | Unset
        if _type__raw is None or _type__raw is UNSET:
            _type__value = _type__raw
        else:
            _type__value = WarningType.of(_type__raw)

        message = src_dict.get("message", UNSET)

        detail: None | Unset | WarningDetailType0
        _detail: Any = src_dict.get("detail", UNSET)
        if isinstance(_detail, dict):
            try:
                detail_type_0 = WarningDetailType0.from_dict(_detail)

                detail = detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                detail = cast("None | Unset | WarningDetailType0", _detail)
        else:
            detail = _detail

        _instance = cls(
            _type__value,
            message,
            detail,
        )

        if not _Warning__FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _Warning__FIELDS}
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


from ..models.warning_detail_type_0 import WarningDetailType0  # noqa: E402
