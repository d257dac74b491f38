"""What the public-API tests walk: a class's members from the package's own classes."""

from __future__ import annotations

from typing import Any


def package_members(cls: type) -> dict[str, Any]:
    """The attributes a class defines or inherits from the package's own classes (a public
    class built on a private base has that base's methods checked too)."""
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("parallel_taskgroup"):
            members.update(vars(klass))
    return members
