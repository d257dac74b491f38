"""openapi.yaml: a valid OpenAPI 3.1 document, and exactly what the slicer makes of the upstream
document it was last sliced from, kept in the repository as generator/upstream/parallel-openapi.json
(and generator/upstream_operations.yaml exactly the record it makes). `make update-spec` writes all
three together, so these checks always run and still pass after a real update."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate
from slice_spec import (
    UPSTREAM_COPY,
    dump_yaml,
    load_document,
    render_record,
    slice_spec,
    upstream_operations,
)

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "openapi.yaml"
OVERLAY = ROOT / "generator" / "overlay.yaml"
UPSTREAM = ROOT / UPSTREAM_COPY
RECORD = ROOT / "generator" / "upstream_operations.yaml"
# The reference CI provides beside the clone; upstream moves on without it.
SHARED_UPSTREAM = ROOT.parent / "shared" / "reference" / "upstream" / "parallel-openapi-v1.json"


def test_openapi_yaml_is_a_valid_openapi_document() -> None:
    validate(yaml.safe_load(OPENAPI.read_text(encoding="utf-8")))


def test_openapi_yaml_has_every_operation_of_the_overlay() -> None:
    doc = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    ids = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    assert ids == {op["operationId"] for op in overlay["operations"].values()}


def test_openapi_yaml_equals_a_fresh_slice_of_the_upstream_copy() -> None:
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    fresh = dump_yaml(slice_spec(load_document(str(UPSTREAM)), overlay))
    committed = OPENAPI.read_text(encoding="utf-8")
    body = "".join(line for line in committed.splitlines(keepends=True) if not line.startswith("#"))
    assert body == fresh, (
        f"openapi.yaml differs from {UPSTREAM_COPY} + overlay: run `make update-spec UPSTREAM=...`"
    )


def test_the_record_of_upstream_operations_equals_a_fresh_one_of_the_upstream_copy() -> None:
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    fresh = render_record(upstream_operations(load_document(str(UPSTREAM)), overlay))
    assert RECORD.read_text(encoding="utf-8") == fresh, "run `make update-spec UPSTREAM=...`"


def test_the_upstream_copy_is_the_shared_reference_until_upstream_moves_on() -> None:
    """Provenance: passes while the copy is ../shared's v1 document byte for byte. Once upstream has
    moved on (a `make update-spec` from a newer document), ../shared is only an older reference:
    the test says so and skips instead of failing."""
    if not SHARED_UPSTREAM.is_file():
        pytest.skip(f"no shared reference at {SHARED_UPSTREAM}; the upstream copy is checked alone")
    ours, shared = UPSTREAM.read_bytes(), SHARED_UPSTREAM.read_bytes()
    if ours != shared:
        ours_version, shared_version = (
            json.loads(doc).get("info", {}).get("version") for doc in (ours, shared)
        )
        pytest.skip(
            f"upstream moved on: {UPSTREAM_COPY} (info.version {ours_version}) is no longer "
            f"{SHARED_UPSTREAM} (info.version {shared_version}) byte for byte; the repository's "
            "copy is the one openapi.yaml was sliced from, so the shared one is not compared"
        )
