"""openapi.yaml: a valid OpenAPI 3.1 document, and exactly what the slicer makes of upstream (and
generator/upstream_operations.yaml exactly the record it makes)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate
from slice_spec import dump_yaml, load_document, render_record, slice_spec, upstream_operations

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "openapi.yaml"
OVERLAY = ROOT / "generator" / "overlay.yaml"
UPSTREAM = ROOT.parent / "shared" / "reference" / "upstream" / "parallel-openapi-v1.json"
RECORD = ROOT / "generator" / "upstream_operations.yaml"


def test_openapi_yaml_is_a_valid_openapi_document() -> None:
    validate(yaml.safe_load(OPENAPI.read_text(encoding="utf-8")))


def test_openapi_yaml_has_every_operation_of_the_overlay() -> None:
    doc = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    ids = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    assert ids == {op["operationId"] for op in overlay["operations"].values()}


def test_openapi_yaml_equals_a_fresh_slice_of_upstream() -> None:
    if not UPSTREAM.is_file():
        pytest.skip(f"upstream document not present at {UPSTREAM}; parity not checked")
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    fresh = dump_yaml(slice_spec(load_document(str(UPSTREAM)), overlay))
    committed = OPENAPI.read_text(encoding="utf-8")
    body = "".join(line for line in committed.splitlines(keepends=True) if not line.startswith("#"))
    assert body == fresh, "openapi.yaml differs from upstream + overlay: run `make update-spec`"


def test_the_record_of_upstream_operations_equals_a_fresh_one() -> None:
    if not UPSTREAM.is_file():
        pytest.skip(f"upstream document not present at {UPSTREAM}; parity not checked")
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    fresh = render_record(upstream_operations(load_document(str(UPSTREAM)), overlay))
    assert RECORD.read_text(encoding="utf-8") == fresh, "run `make update-spec`"
