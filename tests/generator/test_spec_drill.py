"""The spec drill (tools/spec_drill.py) in `make test`: every synthetic upstream change, made to
the upstream document openapi.yaml was last sliced from (the repository's copy), is sliced,
reported with its expected verdict, regenerated and tested in a temporary copy, with no hand
edit; the working tree's openapi.yaml, record, upstream copy and generated_client/ are left
alone."""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from pathlib import Path

import pytest
import slice_spec  # generator/, on the path by conftest.py

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import spec_drill  # noqa: E402

NAMES = [change.name for change in spec_drill.CHANGES]
WATCHED = [
    ROOT / "openapi.yaml",
    ROOT / "generator" / "upstream_operations.yaml",
    ROOT / "generator" / "upstream" / "parallel-openapi.json",
]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [*WATCHED, *sorted((ROOT / "generated_client").rglob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def outcomes() -> dict[str, spec_drill.Outcome]:
    before = fingerprint()
    results = spec_drill.run_drill(jobs=2)
    assert fingerprint() == before, "the drill changed the working tree"
    print("\n" + spec_drill.table(results))
    return {o.change.name: o for o in results}


def test_the_drill_changes_the_upstream_document_openapi_yaml_was_sliced_from() -> None:
    assert spec_drill.UPSTREAM == ROOT / slice_spec.UPSTREAM_COPY
    assert spec_drill.UPSTREAM.is_file()


def test_every_kind_of_change_the_issue_names_is_drilled() -> None:
    assert set(NAMES) >= {
        "optional response field",
        "required request field",
        "run status value",
        "new event type",
        "field removed",
        "type widened",
        "query parameter added",
        "operation removed",
    }


@pytest.mark.parametrize("name", NAMES)
def test_each_synthetic_change_changes_the_upstream_document(name: str) -> None:
    upstream = json.loads(spec_drill.UPSTREAM.read_text(encoding="utf-8"))
    changed = copy.deepcopy(upstream)
    next(c for c in spec_drill.CHANGES if c.name == name).edit(changed)
    assert changed != upstream


@pytest.mark.parametrize("name", NAMES)
def test_change_gets_its_verdict_and_passes_its_tests(
    name: str, outcomes: dict[str, spec_drill.Outcome]
) -> None:
    outcome = outcomes[name]
    assert outcome.ok, "\n".join(outcome.problems)
    assert outcome.verdict == outcome.change.verdict


def test_the_table_has_a_row_per_change(outcomes: dict[str, spec_drill.Outcome]) -> None:
    text = spec_drill.table(list(outcomes.values()))
    assert text.splitlines()[0].split() == ["change", "verdict", "expected", "tests", "result"]
    assert all(name in text for name in NAMES)
