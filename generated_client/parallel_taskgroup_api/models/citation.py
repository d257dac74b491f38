from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="Citation")


_Citation_FIELDS = frozenset(
    (
        "url",
        "title",
        "excerpts",
    )
)


@_attrs_define(repr=False)
class Citation:
    """A citation for a task output.

    Attributes:
        url (str): URL of the citation.
        title (None | str | Unset): Title of the citation.
        excerpts (list[str] | None | Unset): Excerpts from the citation supporting the output. Only certain processors
            provide excerpts.
    """

    url: str
    title: None | str | Unset = UNSET
    excerpts: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "url",
                "title",
                "excerpts",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        excerpts: list[str] | None | Unset
        if isinstance(self.excerpts, Unset):
            excerpts = UNSET
        elif isinstance(self.excerpts, list):
            excerpts = self.excerpts

        else:
            excerpts = self.excerpts

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title
        if excerpts is not UNSET:
            field_dict["excerpts"] = excerpts

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        url = src_dict["url"]

        title: None | str | Unset = src_dict.get("title", UNSET)

        excerpts: list[str] | None | Unset = src_dict.get("excerpts", UNSET)

        _instance = cls(
            url,
            title,
            excerpts,
        )

        if not _Citation_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _Citation_FIELDS}
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
