"""The public API's annotations resolve at run time: ``typing.get_type_hints`` works on every
public function, class and method (tools such as pydantic, typer or IDEs call it)."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import parallel_taskgroup
import pytest
from public_members import package_members


def public_annotated() -> dict[str, Any]:
    """Every function, class and method (public or ``__init__``) of ``parallel_taskgroup``'s
    ``__all__``, by name; type aliases (``Event``, ``RunStatus``) are no callables."""
    found: dict[str, Any] = {}
    for name in parallel_taskgroup.__all__:
        obj = getattr(parallel_taskgroup, name)
        if inspect.isroutine(obj):
            found[name] = obj
        elif inspect.isclass(obj):
            found[name] = obj  # its class-level annotations
            for attr, value in package_members(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(value, (classmethod, staticmethod)):
                    value = value.__func__
                elif isinstance(value, property):
                    value = value.fget
                if inspect.isfunction(value):
                    found[f"{name}.{attr}"] = value
    return found


@pytest.mark.parametrize("name", sorted(public_annotated()))
def test_type_hints_of_public_names_resolve(name: str) -> None:
    typing.get_type_hints(public_annotated()[name])
