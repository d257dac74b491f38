"""Helpers for tests that serve a changed copy of the emulator's contract (`--contract PATH`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Callable, Dict

import yaml

Document = Dict[str, Any]


def packaged_contract() -> Document:
    """The OpenAPI document the emulator ships (taskgroup_emulator/contract/openapi.yaml)."""
    text = (resources.files("taskgroup_emulator") / "contract" / "openapi.yaml").read_text("utf-8")
    document: Document = yaml.safe_load(text)
    return document


def contract_copy(folder: Path, edit: Callable[[Document], None]) -> str:
    """A copy of the packaged contract changed by `edit`, written into `folder`; its path."""
    document = packaged_contract()
    edit(document)
    path = folder / "openapi.changed.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def schemas(document: Document) -> Dict[str, Any]:
    """components/schemas of a document."""
    found: Dict[str, Any] = document["components"]["schemas"]
    return found
