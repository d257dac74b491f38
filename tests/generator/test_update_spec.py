"""generator/update_spec.py (`make update-spec`): slice, record, upstream copy and report in one
step, on a temporary copy of the repository; a slice that stops leaves openapi.yaml, the record
and the upstream copy as they were but still reports what upstream changed. The upstream is the
repository's own copy (generator/upstream/parallel-openapi.json), so these always run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import slice_spec
import yaml
from update_spec import main

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT / slice_spec.UPSTREAM_COPY


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of what update_spec.py reads and writes."""
    shutil.copytree(ROOT / "generator", tmp_path / "generator")
    shutil.copyfile(ROOT / "openapi.yaml", tmp_path / "openapi.yaml")
    return tmp_path


def upstream_with(tmp_path: Path, path: str, item: dict[str, Any]) -> Path:
    """The upstream document with `path`'s operations replaced by `item`'s."""
    doc = json.loads(UPSTREAM.read_text(encoding="utf-8"))
    doc["paths"][path] = item
    out = tmp_path / "upstream.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


def upstream_with_an_optional_input_field(tmp_path: Path) -> tuple[Path, str]:
    """The upstream document plus an optional string field on TaskRunInput that it does not have
    yet (an additive change, whatever the kept copy already holds), indented as upstream writes
    it; and the field's name."""
    doc = json.loads(UPSTREAM.read_text(encoding="utf-8"))
    properties = doc["components"]["schemas"]["TaskRunInput"]["properties"]
    name = next(f"x_test_field_{n}" for n in range(1000) if f"x_test_field_{n}" not in properties)
    properties[name] = {"type": "string"}
    out = tmp_path / "upstream-added.json"
    out.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return out, name


def run(repo: Path, upstream: Path) -> tuple[int, dict[str, Any]]:
    report = repo / "report.json"
    code = main(
        [str(upstream), "--root", str(repo), "--previous", str(repo / "prev" / "openapi.yaml")]
        + ["--json", str(report)]
    )
    return code, json.loads(report.read_text(encoding="utf-8"))


def fresh_slice_and_record(repo: Path) -> tuple[str, str]:
    """What test_openapi_document.py compares openapi.yaml and the record with, in `repo`."""
    overlay = yaml.safe_load((repo / "generator" / "overlay.yaml").read_text(encoding="utf-8"))
    upstream = slice_spec.load_document(str(repo / slice_spec.UPSTREAM_COPY))
    return (
        slice_spec.render_slice(slice_spec.slice_spec(upstream, overlay)),
        slice_spec.render_record(slice_spec.upstream_operations(upstream, overlay)),
    )


def test_the_same_upstream_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (repo / "openapi.yaml").read_bytes()
    code, report = run(repo, UPSTREAM)
    assert code == 0 and report["changes"] == [] and report["slice_error"] is None
    assert (repo / "openapi.yaml").read_bytes() == before
    assert (repo / slice_spec.UPSTREAM_COPY).read_bytes() == UPSTREAM.read_bytes()
    assert "No changes" in capsys.readouterr().out


def test_an_update_keeps_the_new_upstream_document_byte_for_byte(repo: Path) -> None:
    added, name = upstream_with_an_optional_input_field(repo)
    code, report = run(repo, added)
    assert code == 0 and report["slice_error"] is None
    assert (repo / slice_spec.UPSTREAM_COPY).read_bytes() == added.read_bytes()
    assert any(f"TaskRunInput.{name}" in c["where"] for c in report["changes"])


def test_after_an_update_openapi_yaml_and_the_record_equal_a_fresh_slice_of_the_copy(
    repo: Path,
) -> None:
    added, name = upstream_with_an_optional_input_field(repo)
    code, _ = run(repo, added)
    assert code == 0
    spec, record = fresh_slice_and_record(repo)
    assert (repo / "openapi.yaml").read_text(encoding="utf-8") == spec
    assert name in spec
    assert (repo / "generator" / "upstream_operations.yaml").read_text(encoding="utf-8") == record


def test_a_yaml_upstream_is_kept_as_the_same_document_in_json(repo: Path) -> None:
    doc = json.loads(UPSTREAM.read_text(encoding="utf-8"))
    source = repo / "upstream.yaml"
    source.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code, report = run(repo, source)
    assert code == 0 and report["changes"] == []
    assert json.loads((repo / slice_spec.UPSTREAM_COPY).read_text(encoding="utf-8")) == doc


def test_a_new_upstream_task_operation_is_reported_and_recorded(repo: Path) -> None:
    cancel = {"post": {"operationId": "cancel_run", "responses": {"200": {"description": "OK"}}}}
    code, report = run(repo, upstream_with(repo, "/v1/tasks/runs/{run_id}/cancel", cancel))
    assert code == 0
    [change] = report["changes"]
    assert (change["verdict"], change["kind"]) == ("docs only", "upstream operation added")
    assert "POST /v1/tasks/runs/{run_id}/cancel" in change["where"]
    assert "cancel" in (repo / "generator" / "upstream_operations.yaml").read_text()
    assert "cancel_run" in (repo / slice_spec.UPSTREAM_COPY).read_text()
    assert (repo / "prev" / "upstream_operations.previous.yaml").is_file()


def test_a_kept_operation_gone_upstream_stops_the_slice_and_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (repo / "openapi.yaml").read_bytes()
    record = (repo / "generator" / "upstream_operations.yaml").read_bytes()
    copy = (repo / slice_spec.UPSTREAM_COPY).read_bytes()
    code, report = run(repo, upstream_with(repo, "/v1/tasks/runs/{run_id}/input", {}))
    assert code == 2 and "GET /v1/tasks/runs/{run_id}/input" in report["slice_error"]
    assert report["verdict"] == "breaks the wrapper"  # the wrapper reads run inputs
    assert report["changes"][0]["kind"] == "operation removed upstream"
    assert (repo / "openapi.yaml").read_bytes() == before
    assert (repo / "generator" / "upstream_operations.yaml").read_bytes() == record
    assert (repo / slice_spec.UPSTREAM_COPY).read_bytes() == copy
    assert "left as they were" in capsys.readouterr().err
