"""Every generated enum's ``of`` reads a value exactly as calling the class does."""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parallel_taskgroup_api import models

ENUMS = [
    cls
    for _, cls in inspect.getmembers(models, inspect.isclass)
    if issubclass(cls, Enum) and cls is not Enum
]


def test_every_generated_enum_has_of() -> None:
    assert ENUMS
    assert all(callable(getattr(cls, "of", None)) for cls in ENUMS)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda cls: cls.__name__)
def test_of_gives_the_member_the_class_gives(enum: Any) -> None:
    for member in enum:
        assert enum.of(member.value) is enum(member.value) is member
        assert enum.of(member) is member


@given(value=st.one_of(st.text(), st.integers(), st.none(), st.floats()))
def test_of_refuses_what_the_class_refuses(value: Any) -> None:
    for enum in ENUMS:
        try:
            expected = enum(value)
        except ValueError as exc:
            with pytest.raises(ValueError) as refused:
                enum.of(value)
            assert str(refused.value) == str(exc)
        else:
            assert enum.of(value) is expected
