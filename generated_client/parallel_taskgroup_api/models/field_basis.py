from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, model_repr

T = TypeVar("T", bound="FieldBasis")


_FieldBasis_FIELDS = frozenset(
    (
        "field",
        "reasoning",
        "citations",
        "confidence",
    )
)


@_attrs_define(repr=False)
class FieldBasis:
    """Citations and reasoning supporting one field of a task output.

    Attributes:
        field (str): Name of the output field.
        reasoning (str | None | Unset): Reasoning for the output field.
        citations (list[Citation] | None | Unset): List of citations supporting the output field.
        confidence (None | str | Unset): Confidence level for the output field. Only certain processors provide
            confidence levels.
    """

    field: str
    reasoning: str | None | Unset = UNSET
    citations: list[Citation] | None | Unset = UNSET
    confidence: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        return model_repr(
            self,
            (
                "field",
                "reasoning",
                "citations",
                "confidence",
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        field = self.field

        reasoning = self.reasoning

        citations: list[dict[str, Any]] | None | Unset
        if self.citations is None or isinstance(self.citations, Unset):
            citations = self.citations
        else:
            citations = [item.to_dict() for item in self.citations]

        confidence: None | str | Unset
        if isinstance(self.confidence, Unset):
            confidence = UNSET
        else:
            confidence = self.confidence

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "field": field,
            }
        )
        if reasoning is not UNSET:
            field_dict["reasoning"] = reasoning
        if citations is not UNSET:
            field_dict["citations"] = citations
        if confidence is not UNSET:
            field_dict["confidence"] = confidence

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        field = src_dict["field"]

        reasoning = src_dict.get("reasoning", UNSET)

        _citations_raw = src_dict.get("citations", UNSET)
        _citations_value: list[Citation] | None | Unset
        if _citations_raw is None or _citations_raw is UNSET:
            _citations_value = _citations_raw
        else:
            _citations_value = [Citation.from_dict(item) for item in _citations_raw]

        confidence: None | str | Unset = src_dict.get("confidence", UNSET)

        _instance = cls(
            field,
            reasoning,
            _citations_value,
            confidence,
        )

        if not _FieldBasis_FIELDS.issuperset(src_dict):
            _extra = {k: v for k, v in src_dict.items() if k not in _FieldBasis_FIELDS}
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


from ..models.citation import Citation  # noqa: E402
