from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_event_types_item import WebhookEventTypesItem
from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="Webhook")


_Webhook_FIELDS = frozenset(
    (
        "url",
        "event_types",
    )
)


@_attrs_define(repr=False)
class Webhook:
    """Webhooks for Task Runs.

    Attributes:
        url (str | None | Unset): URL for the webhook.
        event_types (list[WebhookEventTypesItem] | None | Unset): Event types to send the webhook notifications for.
    """

    url: str | None | Unset = UNSET
    event_types: list[WebhookEventTypesItem] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "url",
                "event_types",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        event_types: list[str] | None | Unset
        if self.event_types is None or isinstance(self.event_types, Unset):
            event_types = self.event_types
        else:
            event_types = [item.value for item in self.event_types]

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        if url is not UNSET:
            field_dict["url"] = url
        if event_types is not UNSET:
            field_dict["event_types"] = event_types

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        url = src_dict.get("url", UNSET)

        _event_types_raw = src_dict.get("event_types", UNSET)
        _event_types_value: list[WebhookEventTypesItem] | None | Unset
        if _event_types_raw is None or _event_types_raw is UNSET:
            _event_types_value = _event_types_raw
        else:
            _event_types_value = [WebhookEventTypesItem.of(item) for item in _event_types_raw]

        _instance = cls(
            url,
            _event_types_value,
        )

        if not _Webhook_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _Webhook_FIELDS}
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
