from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="SourcePolicy")


_SourcePolicy_FIELDS = frozenset(
    (
        "include_domains",
        "exclude_domains",
        "after_date",
    )
)


@_attrs_define(repr=False)
class SourcePolicy:
    """Source policy for web search results.

    This policy governs which sources are allowed/disallowed in results.

        Attributes:
            include_domains (list[str] | None | Unset): List of domains to restrict the results to. If specified, only
                sources from these domains will be included. Accepts plain domains (e.g., example.com, subdomain.example.gov) or
                bare domain extension starting with a period (e.g., .gov, .edu, .co.uk). The combined number of domains in
                include_domains and exclude_domains cannot exceed 200.
            exclude_domains (list[str] | None | Unset): List of domains to exclude from results. If specified, sources from
                these domains will be excluded. Accepts plain domains (e.g., example.com, subdomain.example.gov) or bare domain
                extension starting with a period (e.g., .gov, .edu, .co.uk). The combined number of domains in include_domains
                and exclude_domains cannot exceed 200.
            after_date (datetime.date | None | Unset): Optional start date for filtering search results. Results will be
                limited to content published on or after this date. Provided as an RFC 3339 date string (YYYY-MM-DD).
    """

    include_domains: list[str] | None | Unset = UNSET
    exclude_domains: list[str] | None | Unset = UNSET
    after_date: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "include_domains",
                "exclude_domains",
                "after_date",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        include_domains = self.include_domains

        exclude_domains = self.exclude_domains

        after_date: None | str | Unset
        if isinstance(self.after_date, Unset):
            after_date = UNSET
        elif isinstance(self.after_date, datetime.date):
            after_date = self.after_date.isoformat()
        else:
            after_date = self.after_date

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if include_domains is not UNSET:
            field_dict["include_domains"] = include_domains
        if exclude_domains is not UNSET:
            field_dict["exclude_domains"] = exclude_domains
        if after_date is not UNSET:
            field_dict["after_date"] = after_date

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        include_domains = src_dict.get("include_domains", UNSET)

        exclude_domains = src_dict.get("exclude_domains", UNSET)

        after_date: datetime.date | None | Unset
        _after_date: Any = src_dict.get("after_date", UNSET)
        if isinstance(_after_date, str):
            try:
                after_date_type_0 = datetime.date.fromisoformat(_after_date)

                after_date = after_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                after_date = cast("datetime.date | None | Unset", _after_date)
        else:
            after_date = _after_date

        _instance = cls(
            include_domains,
            exclude_domains,
            after_date,
        )

        if not _SourcePolicy_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _SourcePolicy_FIELDS}
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
