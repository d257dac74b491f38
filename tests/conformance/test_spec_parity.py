"""openapi.yaml keeps every upstream field, parameter and enum value of the operations we serve."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import spec_parity  # noqa: E402

UPSTREAM_DIR = ROOT.parent / "shared" / "reference" / "upstream"
UPSTREAM_COPY = ROOT / "generator" / "upstream" / "parallel-openapi.json"
"""The upstream document openapi.yaml was last sliced from (``make update-spec`` keeps it)."""
OURS = yaml.safe_load((ROOT / "openapi.yaml").read_text())


def _upstream(name: str) -> dict:
    path = UPSTREAM_DIR / name
    if not path.is_file():
        pytest.skip(
            f"upstream document not available at {path} (it lives in ../shared, beside the clone)"
        )
    return spec_parity.load(path)


def test_openapi_yaml_misses_nothing_from_the_upstream_it_was_sliced_from() -> None:
    assert spec_parity.missing(spec_parity.load(UPSTREAM_COPY), OURS) == []


def test_v1beta_group_operations_expose_the_same_shapes_as_v1() -> None:
    legacy = _upstream("parallel-openapi-legacy-with-v1beta.json")
    for path, ops in OURS["paths"].items():
        if not path.startswith("/v1/tasks/groups"):
            continue
        beta_path = path.replace("/v1/", "/v1beta/", 1)
        for method in ops:
            beta = spec_parity.operation_facts(legacy, beta_path, method)
            ours = spec_parity.operation_facts(OURS, path, method)
            assert beta - ours == set(), f"{method.upper()} {beta_path}"


def test_a_field_removed_from_our_slice_is_reported() -> None:
    trimmed = copy.deepcopy(OURS)
    del trimmed["components"]["schemas"]["TaskRun"]["properties"]["processor"]
    gaps = spec_parity.missing(OURS, trimmed)
    assert any("run.processor: field" in line for line in gaps)


def test_an_enum_value_removed_from_our_slice_is_reported() -> None:
    trimmed = copy.deepcopy(OURS)
    status = trimmed["components"]["schemas"]["TaskRun"]["properties"]["status"]
    status["enum"] = [v for v in status["enum"] if v != "cancelling"]
    gaps = spec_parity.missing(OURS, trimmed)
    assert any("enum value 'cancelling'" in line for line in gaps)


def test_a_parameter_removed_from_our_slice_is_reported() -> None:
    trimmed = copy.deepcopy(OURS)
    op = trimmed["paths"]["/v1/tasks/groups/{taskgroup_id}/runs"]["get"]
    op["parameters"] = [p for p in op["parameters"] if p.get("name") != "include_output"]
    gaps = spec_parity.missing(OURS, trimmed)
    assert "GET /v1/tasks/groups/{taskgroup_id}/runs: parameter query:include_output" in gaps
