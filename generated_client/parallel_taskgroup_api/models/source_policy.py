from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SourcePolicy")


@_attrs_define
class SourcePolicy:
    """Source policy for web search results.

    This policy governs which sources are allowed/disallowed in results.

        Attributes:
            include_domains (list[str] | Unset): List of domains to restrict the results to. If specified, only sources from
                these domains will be included. Accepts plain domains (e.g., example.com, subdomain.example.gov) or bare domain
                extension starting with a period (e.g., .gov, .edu, .co.uk). The combined number of domains in include_domains
                and exclude_domains cannot exceed 200.
            exclude_domains (list[str] | Unset): List of domains to exclude from results. If specified, sources from these
                domains will be excluded. Accepts plain domains (e.g., example.com, subdomain.example.gov) or bare domain
                extension starting with a period (e.g., .gov, .edu, .co.uk). The combined number of domains in include_domains
                and exclude_domains cannot exceed 200.
            after_date (datetime.date | None | Unset): Optional start date for filtering search results. Results will be
                limited to content published on or after this date. Provided as an RFC 3339 date string (YYYY-MM-DD).
    """

    include_domains: list[str] | Unset = UNSET
    exclude_domains: list[str] | Unset = UNSET
    after_date: datetime.date | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        include_domains: list[str] | Unset = UNSET
        if not isinstance(self.include_domains, Unset):
            include_domains = self.include_domains

        exclude_domains: list[str] | Unset = UNSET
        if not isinstance(self.exclude_domains, Unset):
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
        field_dict.update({})
        if include_domains is not UNSET:
            field_dict["include_domains"] = include_domains
        if exclude_domains is not UNSET:
            field_dict["exclude_domains"] = exclude_domains
        if after_date is not UNSET:
            field_dict["after_date"] = after_date

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        include_domains = cast(list[str], d.pop("include_domains", UNSET))

        exclude_domains = cast(list[str], d.pop("exclude_domains", UNSET))

        def _parse_after_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                after_date_type_0 = datetime.date.fromisoformat(data)

                return after_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        after_date = _parse_after_date(d.pop("after_date", UNSET))

        source_policy = cls(
            include_domains=include_domains,
            exclude_domains=exclude_domains,
            after_date=after_date,
        )

        source_policy.additional_properties = d
        return source_policy

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
