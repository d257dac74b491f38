from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="Error")


_Error_FIELDS = frozenset(
    (
        "ref_id",
        "message",
        "detail",
    )
)


@_attrs_define(repr=False)
class Error:
    """An error message.

    Attributes:
        ref_id (str | None | Unset): Reference ID for the error.
        message (str): Human-readable message.
        detail (ErrorDetailType0 | None | Unset): Optional detail supporting the error.
    """

    message: str
    ref_id: str | None | Unset = UNSET
    detail: ErrorDetailType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "ref_id",
                "message",
                "detail",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        ref_id = self.ref_id

        message = self.message

        detail: dict[str, Any] | None | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, ErrorDetailType0):
            detail = self.detail.to_dict()
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
            }
        )
        if ref_id is not UNSET:
            field_dict["ref_id"] = ref_id
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        ref_id = src_dict.get("ref_id", UNSET)

        message = src_dict["message"]

        detail: ErrorDetailType0 | None | Unset
        _detail: Any = src_dict.get("detail", UNSET)
        if isinstance(_detail, dict):
            try:
                detail_type_0 = ErrorDetailType0.from_dict(_detail)

                detail = detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                detail = cast("ErrorDetailType0 | None | Unset", _detail)
        else:
            detail = _detail

        _instance = cls(
            message,
            ref_id,
            detail,
        )

        if not _Error_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _Error_FIELDS}
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


from ..models.error_detail_type_0 import ErrorDetailType0  # noqa: E402
