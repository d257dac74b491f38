from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="HTTPValidationError")


_HTTPValidationError_FIELDS = frozenset(("detail",))


@_attrs_define(repr=False)
class HTTPValidationError:
    """
    Attributes:
        detail (list[ValidationError] | None | Unset):
    """

    detail: list[ValidationError] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            ("detail",),
        )

    def to_dict(self) -> dict[str, Any]:
        detail: list[dict[str, Any]] | None | Unset
        if self.detail is None or isinstance(self.detail, Unset):
            detail = self.detail
        else:
            detail = [item.to_dict() for item in self.detail]

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _detail_raw = src_dict.get("detail", UNSET)
        _detail_value: list[ValidationError] | None | Unset
        if _detail_raw is None or _detail_raw is UNSET:
            _detail_value = _detail_raw
        else:
            _detail_value = [ValidationError.from_dict(item) for item in _detail_raw]

        _instance = cls(
            _detail_value,
        )

        if not _HTTPValidationError_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _HTTPValidationError_FIELDS}
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


from ..models.validation_error import ValidationError  # noqa: E402
